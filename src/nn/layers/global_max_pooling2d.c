/* GlobalMaxPooling2D: the maximum over the height and width of [N, height,
 * width, channels] per channel (global_pool_common.c), as Keras' layer of that
 * name; GlobalMaxPool2D is its alias. */
#include "nn/layers/spatial_internal.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_global_pool_parse(l, j, 2, DL4C_POOL_MAX);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_global_pool_from_keras(k, kcfg, out, true);
}

static const char *const keras_classes[] = {"GlobalMaxPooling2D",
                                            "GlobalMaxPool2D", NULL};

static const char *const examples[] = {
    "{\"input\": [3, 2, 2], \"layer\": {\"type\": \"GlobalMaxPooling2D\"}}",
    "{\"input\": [2, 3, 2], \"layer\": {\"type\": \"GlobalMaxPooling2D\", "
    "\"keepdims\": true}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"GlobalMaxPooling2D\"}, "
    "\"error\": \"takes [N, height, width, channels] input, got [N, 3, 2]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_global_max_pooling2d = {
    .name = "GlobalMaxPooling2D",
    .keras_class = "GlobalMaxPooling2D",
    .config_size = sizeof(dl4c_global_pool_cfg),
    .keys = dl4c_global_pool_keys,
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
