/* SeparableConv1D: a depthwise 1-D convolution followed by a pointwise
 * one, over [N, steps, C]. Weights depthwise_W [k, C, dm], pointwise_W
 * [1, C*dm, filters] and b [filters], Keras' layouts and order. */
#include "nn/layers/conv_common.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_conv_parse(l, j, DL4C_CONV_SEPARABLE, 1);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_conv_from_keras(k, kcfg, out, DL4C_CONV_SEPARABLE, 1);
}

static const char *const keras_classes[] = {"SeparableConv1D",
                                            "SeparableConvolution1D", NULL};

static const char *const examples[] = {
    "{\"input\": [6, 2], \"layer\": {\"type\": \"SeparableConv1D\", "
    "\"filters\": 3, \"kernel_size\": 3, \"padding\": \"causal\", "
    "\"dilation_rate\": 2, \"activation\": \"tanh\"}, \"batch\": 2}",
    "{\"input\": [5, 3], \"layer\": {\"type\": \"SeparableConv1D\", "
    "\"filters\": 2, \"kernel_size\": 2, \"depth_multiplier\": 2, \"strides\": "
    "2, \"padding\": \"same\", \"use_bias\": false}, \"batch\": 2}",
    NULL};

const dl4c_layer_type dl4c_layer_separable_conv1d = {
    .name = "SeparableConv1D",
    .keras_class = "SeparableConv1D",
    .config_size = sizeof(dl4c_conv_cfg),
    .keys = dl4c_conv_separable_keys,
    .parse = parse,
    .write = dl4c_conv_write,
    .build = dl4c_conv_separable_build,
    .workspace = dl4c_conv_separable_workspace,
    .forward = dl4c_conv_separable_forward,
    .backward = dl4c_conv_separable_backward,
    .examples = examples,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .keras_weights = dl4c_conv_keras_weights,
};
