/* Conv2DTranspose: transposed 2-D convolution over [N, H, W, C]. Kernel
 * [kh, kw, filters, C] (Keras' layout), bias [filters]; output size as
 * Keras computes it, output_padding included. */
#include "nn/layers/conv_common.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_conv_parse(l, j, DL4C_CONV_TRANSPOSE, 2);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_conv_from_keras(k, kcfg, out, DL4C_CONV_TRANSPOSE, 2);
}

static const char *const keras_classes[] = {
    "Conv2DTranspose", "Convolution2DTranspose", "Deconvolution2D", "Deconv2D",
    NULL};

static const char *const examples[] = {
    "{\"input\": [3, 3, 2], \"layer\": {\"type\": \"Conv2DTranspose\", "
    "\"filters\": 2, \"kernel_size\": 3, \"activation\": \"tanh\"}, \"batch\": "
    "2}",
    "{\"input\": [3, 2, 3], \"layer\": {\"type\": \"Conv2DTranspose\", "
    "\"filters\": 2, \"kernel_size\": [3, 2], \"strides\": 2, \"padding\": "
    "\"same\", \"activation\": \"relu\"}, \"batch\": 2}",
    "{\"input\": [2, 3, 2], \"layer\": {\"type\": \"Conv2DTranspose\", "
    "\"filters\": 1, \"kernel_size\": 3, \"strides\": 2, \"output_padding\": "
    "[1, 0]}, \"batch\": 2}",
    "{\"input\": [3, 2, 2], \"layer\": {\"type\": \"Conv2DTranspose\", "
    "\"filters\": 2, \"kernel_size\": 3, \"strides\": 2, \"padding\": "
    "\"same\", \"output_padding\": 1, \"use_bias\": false}, \"batch\": 2}",
    "{\"input\": [3, 3, 1], \"layer\": {\"type\": \"Conv2DTranspose\", "
    "\"filters\": 2, \"kernel_size\": 2, \"dilation_rate\": 2, \"padding\": "
    "\"same\", \"activation\": \"elu\"}, \"batch\": 2}",
    "{\"input\": [2, 2, 2], \"layer\": {\"type\": \"Conv2DTranspose\", "
    "\"filters\": 1, \"kernel_size\": 1, \"strides\": 3}, \"batch\": 2}",
    "{\"input\": [3, 3, 2], \"layer\": {\"type\": \"Conv2DTranspose\", "
    "\"filters\": 2, \"kernel_size\": 3, \"strides\": 2, \"output_padding\": "
    "2}, \"error\": \"output_padding 2 must be smaller than the stride 2\"}",
    "{\"input\": [3, 3], \"layer\": {\"type\": \"Conv2DTranspose\", "
    "\"filters\": 2, \"kernel_size\": 3}, \"error\": \"Conv2DTranspose needs "
    "input [N, height, width, channels], got [N, 3, 3]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_conv2d_transpose = {
    .name = "Conv2DTranspose",
    .keras_class = "Conv2DTranspose",
    .config_size = sizeof(dl4c_conv_cfg),
    .keys = dl4c_conv_transpose_keys,
    .parse = parse,
    .write = dl4c_conv_write,
    .build = dl4c_conv_transpose_build,
    .workspace = dl4c_conv_transpose_workspace,
    .forward = dl4c_conv_transpose_forward,
    .backward = dl4c_conv_transpose_backward,
    .examples = examples,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .keras_weights = dl4c_conv_keras_weights,
};
