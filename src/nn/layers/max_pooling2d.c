/* MaxPooling2D: the maximum of each pool_size window over the windows of [N,
 * height, width, channels], as Keras' layer of that name (pool_common.c: output
 * sizes, 'same' padding, the Keras translation). Keras 1, 2 and 3 use the same
 * class name; MaxPool2D is its alias. */
#include "nn/layers/spatial_internal.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_pool_parse(l, j, 2, DL4C_POOL_MAX);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_pool_from_keras(k, kcfg, out, 2);
}

static const char *const keras_classes[] = {"MaxPooling2D", "MaxPool2D", NULL};

static const char *const examples[] = {
    "{\"input\": [4, 4, 2], \"layer\": {\"type\": \"MaxPooling2D\"}}",
    "{\"input\": [5, 3, 2], \"layer\": {\"type\": \"MaxPooling2D\"}}",
    "{\"input\": [3, 5, 1], \"layer\": {\"type\": \"MaxPooling2D\", "
    "\"padding\": \"same\"}}",
    "{\"input\": [5, 4, 2], \"layer\": {\"type\": \"MaxPooling2D\", "
    "\"pool_size\": [3, 2], \"strides\": [2, 1], \"padding\": \"same\"}}",
    "{\"input\": [5, 5, 1], \"layer\": {\"type\": \"MaxPooling2D\", "
    "\"pool_size\": 2, \"strides\": 3}}",
    "{\"input\": [3, 5, 1], \"layer\": {\"type\": \"MaxPooling2D\", "
    "\"pool_size\": [2, 3], \"strides\": 2, \"padding\": \"valid\"}}",
    "{\"input\": [2, 5, 1], \"layer\": {\"type\": \"MaxPooling2D\", "
    "\"pool_size\": 3}, \"error\": \"pool_size [3, 3] is larger than the input "
    "[N, 2, 5, 1] with padding 'valid'\"}",
    "{\"input\": [4, 4], \"layer\": {\"type\": \"MaxPooling2D\"}, \"error\": "
    "\"takes [N, height, width, channels] input, got [N, 4, 4]\"}",
    "{\"input\": [4, 4, 1], \"layer\": {\"type\": \"MaxPooling2D\", "
    "\"padding\": \"full\"}, \"error\": \"padding 'full' is not 'valid' or "
    "'same'\"}",
    "{\"input\": [4, 4, 1], \"layer\": {\"type\": \"MaxPooling2D\", "
    "\"strides\": [1, 0]}, \"error\": \"key 'strides' must be an integer or a "
    "list of 2 integers, each >= 1\"}",
    NULL};

const dl4c_layer_type dl4c_layer_max_pooling2d = {
    .name = "MaxPooling2D",
    .keras_class = "MaxPooling2D",
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
