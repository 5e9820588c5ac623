/* AveragePooling1D: the mean of each pool_size window over the steps of [N,
 * steps, features], as Keras' layer of that name (pool_common.c: output sizes,
 * 'same' padding, the Keras translation). Keras 1, 2 and 3 use the same class
 * name; AvgPool1D is its alias. */
#include "nn/layers/spatial_internal.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_pool_parse(l, j, 1, DL4C_POOL_AVG);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_pool_from_keras(k, kcfg, out, 1);
}

static const char *const keras_classes[] = {"AveragePooling1D", "AvgPool1D",
                                            NULL};

static const char *const examples[] = {
    "{\"input\": [6, 2], \"layer\": {\"type\": \"AveragePooling1D\"}}",
    "{\"input\": [7, 2], \"layer\": {\"type\": \"AveragePooling1D\", "
    "\"pool_size\": 3, \"strides\": 2, \"padding\": \"same\"}}",
    "{\"input\": [7, 1], \"layer\": {\"type\": \"AveragePooling1D\", "
    "\"pool_size\": [2], \"strides\": [3]}}",
    "{\"input\": [5, 2], \"layer\": {\"type\": \"AveragePooling1D\", "
    "\"pool_size\": 2, \"strides\": 1, \"padding\": \"same\"}}",
    "{\"input\": [2, 3], \"layer\": {\"type\": \"AveragePooling1D\", "
    "\"pool_size\": 3}, \"error\": \"pool_size [3] is larger than the input "
    "[N, 2, 3] with padding 'valid'\"}",
    "{\"input\": [4, 4, 1], \"layer\": {\"type\": \"AveragePooling1D\"}, "
    "\"error\": \"takes [N, steps, features] input, got [N, 4, 4, 1]\"}",
    "{\"input\": [4, 2], \"mask_value\": 0, \"layer\": {\"type\": "
    "\"AveragePooling1D\"}}",
    NULL};

const dl4c_layer_type dl4c_layer_average_pooling1d = {
    .name = "AveragePooling1D",
    .keras_class = "AveragePooling1D",
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
