/* Conv2D: 2-D convolution over [N, H, W, C] (NHWC, as Keras). Kernel
 * [kh, kw, C/groups, filters] (HWIO, Keras' layout), bias [filters]. */
#include "nn/layers/conv_common.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_conv_parse(l, j, DL4C_CONV_PLAIN, 2);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_conv_from_keras(k, kcfg, out, DL4C_CONV_PLAIN, 2);
}

static const char *const keras_classes[] = {"Conv2D", "Convolution2D",
                                            "AtrousConvolution2D", NULL};

static const char *const examples[] = {
    "{\"input\": [5, 5, 2], \"layer\": {\"type\": \"Conv2D\", \"filters\": 3, "
    "\"kernel_size\": [3, 3], \"activation\": \"sigmoid\"}, \"batch\": 2}",
    "{\"input\": [5, 6, 2], \"layer\": {\"type\": \"Conv2D\", \"filters\": 2, "
    "\"kernel_size\": [3, 2], \"strides\": [2, 2], \"padding\": \"same\", "
    "\"activation\": \"relu\"}, \"batch\": 2}",
    "{\"input\": [6, 5, 1], \"layer\": {\"type\": \"Conv2D\", \"filters\": 2, "
    "\"kernel_size\": 2, \"dilation_rate\": [2, 1], \"use_bias\": false}, "
    "\"batch\": 2}",
    "{\"input\": [4, 5, 4], \"layer\": {\"type\": \"Conv2D\", \"filters\": 4, "
    "\"kernel_size\": [2, 3], \"groups\": 2, \"padding\": \"same\", "
    "\"strides\": [1, 2], \"activation\": \"softplus\"}, \"batch\": 2}",
    "{\"input\": [3, 4, 2], \"layer\": {\"type\": \"Conv2D\", \"filters\": 3, "
    "\"kernel_size\": 2, \"padding\": \"same\", \"activation\": \"softmax\"}, "
    "\"batch\": 2}",
    "{\"input\": [3, 3, 3], \"layer\": {\"type\": \"Conv2D\", \"filters\": 2, "
    "\"kernel_size\": 1, \"activation\": \"tanh\"}, \"batch\": 2}",
    "{\"input\": [4, 5, 2], \"layer\": {\"type\": \"Conv2D\", \"filters\": 2, "
    "\"kernel_size\": 1, \"strides\": 2}, \"batch\": 2}",
    "{\"input\": [4, 4, 1], \"layer\": {\"type\": \"Conv2D\", \"filters\": 2, "
    "\"kernel_size\": [3, 5]}, \"error\": \"kernel 3x5 (3x5 dilated) is larger "
    "than the input [N, 4, 4, 1] with padding 'valid'\"}",
    "{\"input\": [6, 6, 1], \"layer\": {\"type\": \"Conv2D\", \"filters\": 2, "
    "\"kernel_size\": 3, \"dilation_rate\": 3}, \"error\": \"kernel 3x3 (7x7 "
    "dilated) is larger than the input [N, 6, 6, 1]\"}",
    "{\"input\": [28, 28], \"layer\": {\"type\": \"Conv2D\", \"filters\": 2, "
    "\"kernel_size\": 3}, \"error\": \"Conv2D needs input [N, height, width, "
    "channels], got [N, 28, 28]\"}",
    "{\"input\": [5, 5, 1], \"layer\": {\"type\": \"Conv2D\", \"filters\": 2, "
    "\"kernel_size\": 3, \"padding\": \"causal\"}, \"error\": \"padding "
    "'causal' is only for 1-D convolutions\"}",
    "{\"input\": [5, 5, 1], \"layer\": {\"type\": \"Conv2D\", \"filters\": 2, "
    "\"kernel_size\": [3, 3, 3]}, \"error\": \"key 'kernel_size' must be an "
    "integer or a list of 2 integers\"}",
    "{\"input\": [5, 5, 1], \"layer\": {\"type\": \"Conv2D\", \"filters\": 2, "
    "\"kernel_size\": 3, \"strides\": 0}, \"error\": \"key 'strides': entry 0 "
    "must be an integer from 1\"}",
    "{\"input\": [5, 5, 1], \"layer\": {\"type\": \"Conv2D\", \"filters\": 2, "
    "\"kernel_size\": 3, \"padding\": \"full\"}, \"error\": \"unknown padding "
    "'full' (valid, same)\"}",
    NULL};

const dl4c_layer_type dl4c_layer_conv2d = {
    .name = "Conv2D",
    .keras_class = "Conv2D",
    .config_size = sizeof(dl4c_conv_cfg),
    .keys = dl4c_conv_plain_keys,
    .parse = parse,
    .write = dl4c_conv_write,
    .build = dl4c_conv_plain_build,
    .workspace = dl4c_conv_plain_workspace,
    .forward = dl4c_conv_plain_forward,
    .backward = dl4c_conv_plain_backward,
    .examples = examples,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .keras_weights = dl4c_conv_keras_weights,
};
