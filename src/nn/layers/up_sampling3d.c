/* UpSampling3D: repeats every cell "size" times along the
 * depth, height and width of [N, depth, height, width, channels]
 * (upsampling_common.c), as Keras' layer of that name. */
#include "nn/layers/spatial_internal.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_upsample_parse(l, j, 3);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_upsample_from_keras(k, kcfg, out, 3);
}

static const char *const keras_classes[] = {"UpSampling3D", NULL};

static const char *const examples[] = {
    "{\"input\": [2, 1, 2, 1], \"layer\": {\"type\": \"UpSampling3D\"}}",
    "{\"input\": [1, 2, 2, 2], \"layer\": {\"type\": \"UpSampling3D\", "
    "\"size\": [1, 2, 3]}}",
    "{\"input\": [2, 2, 1], \"layer\": {\"type\": \"UpSampling3D\"}, "
    "\"error\": \"takes [N, depth, height, width, channels] input, got [N, 2, "
    "2, 1]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_up_sampling3d = {
    .name = "UpSampling3D",
    .keras_class = "UpSampling3D",
    .config_size = sizeof(dl4c_upsample_cfg),
    .keys = dl4c_upsample_keys,
    .parse = parse,
    .write = dl4c_upsample_write,
    .build = dl4c_upsample_build,
    .forward = dl4c_upsample_forward,
    .backward = dl4c_upsample_backward,
    .mask_mode = DL4C_MASK_DROP,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .examples = examples,
};
