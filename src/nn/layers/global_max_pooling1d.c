/* GlobalMaxPooling1D: the maximum over the steps of [N, steps, features]
 * per channel (global_pool_common.c), as Keras' layer of that name;
 * GlobalMaxPool1D is its alias. Keras' GlobalMaxPooling1D ignores masks, so an
 * imported one gets "masked": false. */
#include "nn/layers/spatial_internal.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_global_pool_parse(l, j, 1, DL4C_POOL_MAX);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_global_pool_from_keras(k, kcfg, out, false);
}

static const char *const keras_classes[] = {"GlobalMaxPooling1D",
                                            "GlobalMaxPool1D", NULL};

static const char *const examples[] = {
    "{\"input\": [4, 3], \"layer\": {\"type\": \"GlobalMaxPooling1D\"}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"GlobalMaxPooling1D\", "
    "\"keepdims\": true, \"masked\": false}}",
    "{\"input\": [4], \"layer\": {\"type\": \"GlobalMaxPooling1D\"}, "
    "\"error\": \"takes [N, steps, features] input, got [N, 4]\"}",
    "{\"input\": [4, 3], \"mask_value\": 0, \"layer\": {\"type\": "
    "\"GlobalMaxPooling1D\"}}",
    "{\"input\": [4, 2], \"mask_value\": 0, \"layer\": {\"type\": "
    "\"GlobalMaxPooling1D\", \"masked\": false}}",
    NULL};

const dl4c_layer_type dl4c_layer_global_max_pooling1d = {
    .name = "GlobalMaxPooling1D",
    .keras_class = "GlobalMaxPooling1D",
    .config_size = sizeof(dl4c_global_pool_cfg),
    .keys = dl4c_global_pool1d_keys,
    .parse = parse,
    .write = dl4c_global_pool_write,
    .build = dl4c_global_pool_build,
    .forward = dl4c_global_pool_forward,
    .backward = dl4c_global_pool_backward,
    .mask_mode = DL4C_MASK_DROP,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .examples = examples,
};
