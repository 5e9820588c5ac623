/* LocallyConnected2D: a 2-D convolution with different weights at every
 * output position, over [N, H, W, C]. Kernel [out_h*out_w, kh*kw*C,
 * filters] and bias [out_h, out_w, filters] as Keras 2 stores them
 * (implementation 1, patch order (ky, kx, c)); padding valid. */
#include "nn/layers/conv_common.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_conv_parse(l, j, DL4C_CONV_LOCAL, 2);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_conv_from_keras(k, kcfg, out, DL4C_CONV_LOCAL, 2);
}

static const char *const keras_classes[] = {"LocallyConnected2D", NULL};

static const char *const examples[] = {
    "{\"input\": [4, 4, 2], \"layer\": {\"type\": \"LocallyConnected2D\", "
    "\"filters\": 2, \"kernel_size\": 3, \"activation\": \"tanh\"}, \"batch\": "
    "2}",
    "{\"input\": [5, 4, 1], \"layer\": {\"type\": \"LocallyConnected2D\", "
    "\"filters\": 3, \"kernel_size\": [2, 2], \"strides\": [2, 1], "
    "\"use_bias\": false}, \"batch\": 2}",
    "{\"input\": [4, 4, 1], \"layer\": {\"type\": \"LocallyConnected2D\", "
    "\"filters\": 2, \"kernel_size\": 3, \"padding\": \"same\"}, \"error\": "
    "\"padding 'same' is not supported\"}",
    NULL};

const dl4c_layer_type dl4c_layer_locally_connected2d = {
    .name = "LocallyConnected2D",
    .keras_class = "LocallyConnected2D",
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
