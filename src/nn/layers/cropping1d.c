/* Cropping1D: removes "cropping" steps from the start and the end of
 * [N, steps, features] (pad_crop_common.c), as Keras' layer of that name.
 * "cropping" is an integer or a list [before, after]; Keras' default is
 * (1, 1). */
#include "nn/layers/spatial_internal.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_pad_crop_parse(l, j, 1, true);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_pad_crop_from_keras(k, kcfg, out, 1, true);
}

static const char *const keras_classes[] = {"Cropping1D", NULL};

static const char *const examples[] = {
    "{\"input\": [5, 2], \"layer\": {\"type\": \"Cropping1D\"}}",
    "{\"input\": [4, 1], \"layer\": {\"type\": \"Cropping1D\", \"cropping\": "
    "[0, 2]}}",
    "{\"input\": [6, 1], \"layer\": {\"type\": \"Cropping1D\", \"cropping\": "
    "2}}",
    "{\"input\": [2, 1], \"layer\": {\"type\": \"Cropping1D\"}, \"error\": "
    "\"cropping 1 + 1 cells of axis 1 leaves nothing of the input [N, 2, 1]\"}",
    "{\"input\": [4, 2], \"mask_value\": 0, \"layer\": {\"type\": "
    "\"Cropping1D\"}}",
    NULL};

const dl4c_layer_type dl4c_layer_cropping1d = {
    .name = "Cropping1D",
    .keras_class = "Cropping1D",
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
