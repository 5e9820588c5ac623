/* Cropping2D: removes "cropping" cells before and after along the
 * height and width of [N, height, width, channels] (pad_crop_common.c), as
 * Keras' layer of that name. "cropping" is an integer, a list of 2 (symmetric)
 * or 2 [before, after] pairs; Keras' default is ((0, 0), (0, 0)). */
#include "nn/layers/spatial_internal.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_pad_crop_parse(l, j, 2, true);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_pad_crop_from_keras(k, kcfg, out, 2, true);
}

static const char *const keras_classes[] = {"Cropping2D", NULL};

static const char *const examples[] = {
    "{\"input\": [3, 3, 1], \"layer\": {\"type\": \"Cropping2D\"}}",
    "{\"input\": [4, 4, 2], \"layer\": {\"type\": \"Cropping2D\", "
    "\"cropping\": [[1, 0], [0, 2]]}}",
    "{\"input\": [4, 3, 1], \"layer\": {\"type\": \"Cropping2D\", "
    "\"cropping\": [1, 1]}}",
    "{\"input\": [4, 5, 1], \"layer\": {\"type\": \"Cropping2D\", "
    "\"cropping\": [[2, 2], [0, 0]]}, \"error\": \"cropping 2 + 2 cells of "
    "axis 1 leaves nothing of the input [N, 4, 5, 1]\"}",
    "{\"input\": [4, 5], \"layer\": {\"type\": \"Cropping2D\"}, \"error\": "
    "\"takes [N, height, width, channels] input, got [N, 4, 5]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_cropping2d = {
    .name = "Cropping2D",
    .keras_class = "Cropping2D",
    .config_size = sizeof(dl4c_pad_crop_cfg),
    .keys = dl4c_cropping_keys,
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
