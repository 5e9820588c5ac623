/* ZeroPadding2D: adds "padding" cells of zeros before and after along the
 * height and width of [N, height, width, channels] (pad_crop_common.c), as
 * Keras' layer of that name. "padding" is an integer, a list of 2 (symmetric)
 * or 2 [before, after] pairs; Keras' default is 1 on every side. */
#include "nn/layers/spatial_internal.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_pad_crop_parse(l, j, 2, false);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_pad_crop_from_keras(k, kcfg, out, 2, false);
}

static const char *const keras_classes[] = {"ZeroPadding2D", NULL};

static const char *const examples[] = {
    "{\"input\": [2, 3, 1], \"layer\": {\"type\": \"ZeroPadding2D\"}}",
    "{\"input\": [2, 2, 2], \"layer\": {\"type\": \"ZeroPadding2D\", "
    "\"padding\": [1, 2]}}",
    "{\"input\": [2, 3, 1], \"layer\": {\"type\": \"ZeroPadding2D\", "
    "\"padding\": [[0, 1], [2, 0]]}}",
    "{\"input\": [2, 2, 1], \"layer\": {\"type\": \"ZeroPadding2D\", "
    "\"padding\": [1, 2, 3]}, \"error\": \"key 'padding' must be an integer, a "
    "list of 2 integers or a list of 2 [before, after] pairs, all >= 0\"}",
    "{\"input\": [2, 2], \"layer\": {\"type\": \"ZeroPadding2D\"}, \"error\": "
    "\"takes [N, height, width, channels] input, got [N, 2, 2]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_zero_padding2d = {
    .name = "ZeroPadding2D",
    .keras_class = "ZeroPadding2D",
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
