/* MaxPooling3D: the maximum of each pool_size window over the windows of [N,
 * depth, height, width, channels], as Keras' layer of that name (pool_common.c:
 * output sizes, 'same' padding, the Keras translation). Keras 1, 2 and 3 use
 * the same class name; MaxPool3D is its alias. */
#include "nn/layers/spatial_internal.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_pool_parse(l, j, 3, DL4C_POOL_MAX);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_pool_from_keras(k, kcfg, out, 3);
}

static const char *const keras_classes[] = {"MaxPooling3D", "MaxPool3D", NULL};

static const char *const examples[] = {
    "{\"input\": [2, 4, 4, 1], \"layer\": {\"type\": \"MaxPooling3D\"}}",
    "{\"input\": [2, 4, 5, 2], \"layer\": {\"type\": \"MaxPooling3D\", "
    "\"pool_size\": [1, 2, 2]}}",
    "{\"input\": [3, 3, 2, 2], \"layer\": {\"type\": \"MaxPooling3D\", "
    "\"pool_size\": [2, 3, 1], \"strides\": [1, 2, 1], \"padding\": \"same\"}}",
    "{\"input\": [3, 4, 3, 1], \"layer\": {\"type\": \"MaxPooling3D\", "
    "\"pool_size\": 2, \"strides\": [1, 2, 3]}}",
    "{\"input\": [1, 4, 4, 1], \"layer\": {\"type\": \"MaxPooling3D\"}, "
    "\"error\": \"pool_size [2, 2, 2] is larger than the input [N, 1, 4, 4, 1] "
    "with padding 'valid'\"}",
    "{\"input\": [4, 4, 1], \"layer\": {\"type\": \"MaxPooling3D\"}, "
    "\"error\": \"takes [N, depth, height, width, channels] input, got [N, 4, "
    "4, 1]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_max_pooling3d = {
    .name = "MaxPooling3D",
    .keras_class = "MaxPooling3D",
    .config_size = sizeof(dl4c_pool_cfg),
    .keys = dl4c_pool_keys,
    .parse = parse,
    .write = dl4c_pool_write,
    .build = dl4c_pool_build,
    .forward = dl4c_pool_forward,
    .backward = dl4c_pool_backward,
    .mask_mode = DL4C_MASK_DROP,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .examples = examples,
};
