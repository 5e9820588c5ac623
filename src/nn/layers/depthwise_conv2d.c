/* DepthwiseConv2D: per-channel 2-D convolution over [N, H, W, C] with
 * depth_multiplier filters per channel, output channel c*dm + m. Kernel
 * [kh, kw, C, dm], bias [C*dm] (Keras' layouts). */
#include "nn/layers/conv_common.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_conv_parse(l, j, DL4C_CONV_DEPTHWISE, 2);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_conv_from_keras(k, kcfg, out, DL4C_CONV_DEPTHWISE, 2);
}

static const char *const keras_classes[] = {"DepthwiseConv2D", NULL};

static const char *const examples[] = {
    "{\"input\": [4, 4, 3], \"layer\": {\"type\": \"DepthwiseConv2D\", "
    "\"kernel_size\": 3, \"activation\": \"tanh\"}, \"batch\": 2}",
    "{\"input\": [5, 4, 2], \"layer\": {\"type\": \"DepthwiseConv2D\", "
    "\"kernel_size\": [2, 3], \"depth_multiplier\": 2, \"strides\": 2, "
    "\"padding\": \"same\", \"use_bias\": false}, \"batch\": 2}",
    "{\"input\": [5, 5, 2], \"layer\": {\"type\": \"DepthwiseConv2D\", "
    "\"kernel_size\": 2, \"dilation_rate\": 2, \"depth_multiplier\": 3, "
    "\"activation\": \"elu\"}, \"batch\": 2}",
    "{\"input\": [2, 2, 3], \"layer\": {\"type\": \"DepthwiseConv2D\", "
    "\"kernel_size\": 3}, \"error\": \"kernel 3x3 (3x3 dilated) is larger than "
    "the input [N, 2, 2, 3]\"}",
    "{\"input\": [4, 3], \"layer\": {\"type\": \"DepthwiseConv2D\", "
    "\"kernel_size\": 3}, \"error\": \"DepthwiseConv2D needs input [N, height, "
    "width, channels], got [N, 4, 3]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_depthwise_conv2d = {
    .name = "DepthwiseConv2D",
    .keras_class = "DepthwiseConv2D",
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
