/* Cropping3D: removes "cropping" cells before and after along the
 * depth, height and width of [N, depth, height, width, channels]
 * (pad_crop_common.c), as Keras' layer of that name. "cropping" is an integer,
 * a list of 3 (symmetric) or 3 [before, after] pairs; Keras' default is ((1,
 * 1), (1, 1), (1, 1)). */
#include "nn/layers/spatial_internal.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_pad_crop_parse(l, j, 3, true);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_pad_crop_from_keras(k, kcfg, out, 3, true);
}

static const char *const keras_classes[] = {"Cropping3D", NULL};

static const char *const examples[] = {
    "{\"input\": [3, 3, 4, 1], \"layer\": {\"type\": \"Cropping3D\"}}",
    "{\"input\": [3, 3, 4, 2], \"layer\": {\"type\": \"Cropping3D\", "
    "\"cropping\": [[0, 1], [1, 0], [0, 2]]}}",
    "{\"input\": [3, 4, 3, 1], \"layer\": {\"type\": \"Cropping3D\", "
    "\"cropping\": [0, 1, 0]}}",
    "{\"input\": [3, 3, 2, 1], \"layer\": {\"type\": \"Cropping3D\"}, "
    "\"error\": \"cropping 1 + 1 cells of axis 3 leaves nothing of the input "
    "[N, 3, 3, 2, 1]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_cropping3d = {
    .name = "Cropping3D",
    .keras_class = "Cropping3D",
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
