/* Conv3DTranspose: transposed 3-D convolution over [N, D, H, W, C]. Kernel
 * [kd, kh, kw, filters, C] (Keras' layout), bias [filters]. */
#include "nn/layers/conv_common.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_conv_parse(l, j, DL4C_CONV_TRANSPOSE, 3);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_conv_from_keras(k, kcfg, out, DL4C_CONV_TRANSPOSE, 3);
}

static const char *const keras_classes[] = {
    "Conv3DTranspose", "Convolution3DTranspose", "Deconvolution3D", "Deconv3D",
    NULL};

static const char *const examples[] = {
    "{\"input\": [2, 2, 3, 2], \"layer\": {\"type\": \"Conv3DTranspose\", "
    "\"filters\": 1, \"kernel_size\": 2, \"strides\": [1, 2, 1], \"padding\": "
    "\"same\", \"activation\": \"tanh\"}, \"batch\": 2}",
    "{\"input\": [2, 2, 2, 1], \"layer\": {\"type\": \"Conv3DTranspose\", "
    "\"filters\": 2, \"kernel_size\": [2, 1, 2], \"strides\": 2, "
    "\"output_padding\": [1, 0, 0]}, \"batch\": 2}",
    NULL};

const dl4c_layer_type dl4c_layer_conv3d_transpose = {
    .name = "Conv3DTranspose",
    .keras_class = "Conv3DTranspose",
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
