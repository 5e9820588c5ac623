/* Conv3D: 3-D convolution over [N, D, H, W, C] (NDHWC, as Keras). Kernel
 * [kd, kh, kw, C/groups, filters] (Keras' layout), bias [filters]. */
#include "nn/layers/conv_common.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_conv_parse(l, j, DL4C_CONV_PLAIN, 3);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_conv_from_keras(k, kcfg, out, DL4C_CONV_PLAIN, 3);
}

static const char *const keras_classes[] = {"Conv3D", "Convolution3D", NULL};

static const char *const examples[] = {
    "{\"input\": [3, 4, 4, 2], \"layer\": {\"type\": \"Conv3D\", \"filters\": "
    "2, \"kernel_size\": [2, 3, 2], \"activation\": \"tanh\"}, \"batch\": 2}",
    "{\"input\": [4, 3, 4, 1], \"layer\": {\"type\": \"Conv3D\", \"filters\": "
    "2, \"kernel_size\": 2, \"strides\": [2, 1, 2], \"padding\": \"same\", "
    "\"use_bias\": false}, \"batch\": 2}",
    "{\"input\": [4, 3, 3, 2], \"layer\": {\"type\": \"Conv3D\", \"filters\": "
    "2, \"kernel_size\": 2, \"dilation_rate\": [2, 1, 1], \"groups\": 2, "
    "\"activation\": \"elu\"}, \"batch\": 2}",
    "{\"input\": [4, 4, 2], \"layer\": {\"type\": \"Conv3D\", \"filters\": 2, "
    "\"kernel_size\": 2}, \"error\": \"Conv3D needs input [N, depth, height, "
    "width, channels], got [N, 4, 4, 2]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_conv3d = {
    .name = "Conv3D",
    .keras_class = "Conv3D",
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
