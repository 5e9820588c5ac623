/* DepthwiseConv1D: per-channel 1-D convolution over [N, steps, C] with
 * depth_multiplier filters per channel. Kernel [k, C, dm], bias [C*dm]
 * (Keras 3's layouts). */
#include "nn/layers/conv_common.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_conv_parse(l, j, DL4C_CONV_DEPTHWISE, 1);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_conv_from_keras(k, kcfg, out, DL4C_CONV_DEPTHWISE, 1);
}

static const char *const keras_classes[] = {"DepthwiseConv1D", NULL};

static const char *const examples[] = {
    "{\"input\": [6, 2], \"layer\": {\"type\": \"DepthwiseConv1D\", "
    "\"kernel_size\": 3, \"depth_multiplier\": 2, \"padding\": \"causal\", "
    "\"activation\": \"sigmoid\"}, \"batch\": 2}",
    "{\"input\": [5, 3], \"layer\": {\"type\": \"DepthwiseConv1D\", "
    "\"kernel_size\": 2, \"strides\": 2, \"padding\": \"same\", \"use_bias\": "
    "false}, \"batch\": 2}",
    NULL};

const dl4c_layer_type dl4c_layer_depthwise_conv1d = {
    .name = "DepthwiseConv1D",
    .keras_class = "DepthwiseConv1D",
    .config_size = sizeof(dl4c_conv_cfg),
    .keys = dl4c_conv_depthwise_keys,
    .parse = parse,
    .write = dl4c_conv_write,
    .build = dl4c_conv_depthwise_build,
    .workspace = dl4c_conv_depthwise_workspace,
    .forward = dl4c_conv_depthwise_forward,
    .backward = dl4c_conv_depthwise_backward,
    .examples = examples,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .keras_weights = dl4c_conv_keras_weights,
};
