/* SeparableConv2D: a depthwise 2-D convolution followed by a pointwise
 * (1x1) one, over [N, H, W, C]. Weights depthwise_W [kh, kw, C, dm],
 * pointwise_W [1, 1, C*dm, filters] and b [filters], Keras' layouts and
 * order. */
#include "nn/layers/conv_common.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_conv_parse(l, j, DL4C_CONV_SEPARABLE, 2);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_conv_from_keras(k, kcfg, out, DL4C_CONV_SEPARABLE, 2);
}

static const char *const keras_classes[] = {"SeparableConv2D",
                                            "SeparableConvolution2D", NULL};

static const char *const examples[] = {
    "{\"input\": [4, 4, 2], \"layer\": {\"type\": \"SeparableConv2D\", "
    "\"filters\": 3, \"kernel_size\": 3, \"activation\": \"sigmoid\"}, "
    "\"batch\": 2}",
    "{\"input\": [5, 4, 3], \"layer\": {\"type\": \"SeparableConv2D\", "
    "\"filters\": 2, \"kernel_size\": 2, \"depth_multiplier\": 2, \"strides\": "
    "2, \"padding\": \"same\", \"activation\": \"softplus\"}, \"batch\": 2}",
    "{\"input\": [5, 5, 1], \"layer\": {\"type\": \"SeparableConv2D\", "
    "\"filters\": 2, \"kernel_size\": 2, \"dilation_rate\": 2, \"use_bias\": "
    "false}, \"batch\": 2}",
    "{\"input\": [3, 3, 1], \"layer\": {\"type\": \"SeparableConv2D\", "
    "\"filters\": 2, \"kernel_size\": 4}, \"error\": \"kernel 4x4 (4x4 "
    "dilated) is larger than the input [N, 3, 3, 1]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_separable_conv2d = {
    .name = "SeparableConv2D",
    .keras_class = "SeparableConv2D",
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
