/* Conv1DTranspose: transposed 1-D convolution over [N, steps, C]. Kernel
 * [k, filters, C] (Keras' layout), bias [filters]; output length as Keras
 * computes it, output_padding included. */
#include "nn/layers/conv_common.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_conv_parse(l, j, DL4C_CONV_TRANSPOSE, 1);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_conv_from_keras(k, kcfg, out, DL4C_CONV_TRANSPOSE, 1);
}

static const char *const keras_classes[] = {"Conv1DTranspose",
                                            "Convolution1DTranspose", NULL};

static const char *const examples[] = {
    "{\"input\": [4, 2], \"layer\": {\"type\": \"Conv1DTranspose\", "
    "\"filters\": 3, \"kernel_size\": 3, \"strides\": 2, \"padding\": "
    "\"same\", \"activation\": \"sigmoid\"}, \"batch\": 2}",
    "{\"input\": [3, 3], \"layer\": {\"type\": \"Conv1DTranspose\", "
    "\"filters\": 2, \"kernel_size\": 2, \"strides\": 3, \"output_padding\": "
    "1}, \"batch\": 2}",
    "{\"input\": [4, 2], \"layer\": {\"type\": \"Conv1DTranspose\", "
    "\"filters\": 2, \"kernel_size\": 3, \"dilation_rate\": 2, \"activation\": "
    "\"elu\"}, \"batch\": 2}",
    "{\"input\": [4, 2], \"layer\": {\"type\": \"Conv1DTranspose\", "
    "\"filters\": 2, \"kernel_size\": 3, \"padding\": \"causal\"}, \"error\": "
    "\"padding 'causal' is only for 1-D convolutions\"}",
    NULL};

const dl4c_layer_type dl4c_layer_conv1d_transpose = {
    .name = "Conv1DTranspose",
    .keras_class = "Conv1DTranspose",
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
