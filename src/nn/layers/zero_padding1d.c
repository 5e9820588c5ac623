/* ZeroPadding1D: adds "padding" steps of zeros at the start and the end
 * of [N, steps, features] (pad_crop_common.c), as Keras' layer of that
 * name. "padding" is an integer or a list [before, after]; Keras' default
 * is 1 on each side. */
#include "nn/layers/spatial_internal.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_pad_crop_parse(l, j, 1, false);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_pad_crop_from_keras(k, kcfg, out, 1, false);
}

static const char *const keras_classes[] = {"ZeroPadding1D", NULL};

static const char *const examples[] = {
    "{\"input\": [3, 2], \"layer\": {\"type\": \"ZeroPadding1D\"}}",
    "{\"input\": [2, 1], \"layer\": {\"type\": \"ZeroPadding1D\", \"padding\": "
    "2}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"ZeroPadding1D\", \"padding\": "
    "[0, 2]}}",
    "{\"input\": [3], \"layer\": {\"type\": \"ZeroPadding1D\"}, \"error\": "
    "\"takes [N, steps, features] input, got [N, 3]\"}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"ZeroPadding1D\", \"padding\": "
    "[1, -1]}, \"error\": \"key 'padding' must be an integer or a list "
    "[before, after] of integers >= 0\"}",
    "{\"input\": [3, 2], \"mask_value\": 0, \"layer\": {\"type\": "
    "\"ZeroPadding1D\"}}",
    NULL};

const dl4c_layer_type dl4c_layer_zero_padding1d = {
    .name = "ZeroPadding1D",
    .keras_class = "ZeroPadding1D",
    .config_size = sizeof(dl4c_pad_crop_cfg),
    .keys = dl4c_padding_keys,
    .parse = parse,
    .write = dl4c_pad_crop_write,
    .build = dl4c_pad_crop_build,
    .forward = dl4c_pad_crop_forward,
    .backward = dl4c_pad_crop_backward,
    .mask_mode = DL4C_MASK_DROP,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .examples = examples,
};
