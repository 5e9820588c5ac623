/* Conv1D: 1-D convolution over [N, steps, C] (NWC, as Keras). Kernel
 * [k, C/groups, filters] (Keras' layout), bias [filters]; padding valid,
 * same or causal (zeros on the left only, for autoregressive models). */
#include "nn/layers/conv_common.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_conv_parse(l, j, DL4C_CONV_PLAIN, 1);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_conv_from_keras(k, kcfg, out, DL4C_CONV_PLAIN, 1);
}

static const char *const keras_classes[] = {"Conv1D", "Convolution1D",
                                            "AtrousConvolution1D", NULL};

static const char *const examples[] = {
    "{\"input\": [7, 2], \"layer\": {\"type\": \"Conv1D\", \"filters\": 3, "
    "\"kernel_size\": 3, \"activation\": \"tanh\"}, \"batch\": 2}",
    "{\"input\": [6, 2], \"layer\": {\"type\": \"Conv1D\", \"filters\": 2, "
    "\"kernel_size\": 2, \"padding\": \"causal\", \"dilation_rate\": 2, "
    "\"activation\": \"sigmoid\"}, \"batch\": 2}",
    "{\"input\": [7, 3], \"layer\": {\"type\": \"Conv1D\", \"filters\": 2, "
    "\"kernel_size\": 3, \"strides\": 2, \"padding\": \"same\", \"use_bias\": "
    "false}, \"batch\": 2}",
    "{\"input\": [5, 4], \"layer\": {\"type\": \"Conv1D\", \"filters\": 4, "
    "\"kernel_size\": 2, \"groups\": 2, \"activation\": \"elu\"}, \"batch\": "
    "2}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"Conv1D\", \"filters\": 2, "
    "\"kernel_size\": 4}, \"error\": \"kernel 4 (4 dilated) is larger than the "
    "input [N, 3, 2] with padding 'valid'\"}",
    "{\"input\": [5, 5, 2], \"layer\": {\"type\": \"Conv1D\", \"filters\": 2, "
    "\"kernel_size\": 3}, \"error\": \"Conv1D needs input [N, steps, "
    "channels], got [N, 5, 5, 2]\"}",
    "{\"input\": [5, 3], \"layer\": {\"type\": \"Conv1D\", \"filters\": 4, "
    "\"kernel_size\": 2, \"groups\": 2}, \"error\": \"input has 3 channels, "
    "not divisible by groups 2\"}",
    "{\"input\": [5, 2], \"layer\": {\"type\": \"Conv1D\", \"filters\": 3, "
    "\"kernel_size\": 2, \"groups\": 2}, \"error\": \"filters 3 is not "
    "divisible by groups 2\"}",
    NULL};

const dl4c_layer_type dl4c_layer_conv1d = {
    .name = "Conv1D",
    .keras_class = "Conv1D",
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
