/* LocallyConnected1D: a 1-D convolution with different weights at every
 * output step, over [N, steps, C]. Kernel [out_steps, k*C, filters] and
 * bias [out_steps, filters] as Keras 2 stores them (implementation 1);
 * padding valid. */
#include "nn/layers/conv_common.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_conv_parse(l, j, DL4C_CONV_LOCAL, 1);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_conv_from_keras(k, kcfg, out, DL4C_CONV_LOCAL, 1);
}

static const char *const keras_classes[] = {"LocallyConnected1D", NULL};

static const char *const examples[] = {
    "{\"input\": [5, 2], \"layer\": {\"type\": \"LocallyConnected1D\", "
    "\"filters\": 2, \"kernel_size\": 2, \"activation\": \"sigmoid\"}, "
    "\"batch\": 2}",
    "{\"input\": [7, 3], \"layer\": {\"type\": \"LocallyConnected1D\", "
    "\"filters\": 2, \"kernel_size\": 3, \"strides\": 2, \"activation\": "
    "\"elu\", \"use_bias\": false}, \"batch\": 2}",
    NULL};

const dl4c_layer_type dl4c_layer_locally_connected1d = {
    .name = "LocallyConnected1D",
    .keras_class = "LocallyConnected1D",
    .config_size = sizeof(dl4c_conv_cfg),
    .keys = dl4c_conv_local_keys,
    .parse = parse,
    .write = dl4c_conv_write,
    .build = dl4c_conv_local_build,
    .workspace = dl4c_conv_local_workspace,
    .forward = dl4c_conv_local_forward,
    .backward = dl4c_conv_local_backward,
    .examples = examples,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .keras_weights = dl4c_conv_keras_weights,
};
