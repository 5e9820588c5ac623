/* UpSampling2D: repeats every cell "size" times along the
 * height and width of [N, height, width, channels] (upsampling_common.c), as
 * Keras' layer of that name. "interpolation" is "nearest" (the default) or
 * "bilinear"; Keras 3's bicubic and lanczos resizes are refused on import. */
#include "nn/layers/spatial_internal.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_upsample_parse(l, j, 2);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_upsample_from_keras(k, kcfg, out, 2);
}

static const char *const keras_classes[] = {"UpSampling2D", NULL};

static const char *const examples[] = {
    "{\"input\": [2, 2, 1], \"layer\": {\"type\": \"UpSampling2D\"}}",
    "{\"input\": [2, 2, 2], \"layer\": {\"type\": \"UpSampling2D\", \"size\": "
    "[1, 3], \"interpolation\": \"nearest\"}}",
    "{\"input\": [3, 2, 2], \"layer\": {\"type\": \"UpSampling2D\", \"size\": "
    "[2, 3], \"interpolation\": \"bilinear\"}}",
    "{\"input\": [2, 3, 1], \"layer\": {\"type\": \"UpSampling2D\", \"size\": "
    "2, \"interpolation\": \"bilinear\", \"half_pixel_centers\": false}}",
    "{\"input\": [2, 2, 1], \"layer\": {\"type\": \"UpSampling2D\", "
    "\"interpolation\": \"bicubic\"}, \"error\": \"interpolation 'bicubic' is "
    "not 'nearest' or 'bilinear'\"}",
    "{\"input\": [2, 2], \"layer\": {\"type\": \"UpSampling2D\"}, \"error\": "
    "\"takes [N, height, width, channels] input, got [N, 2, 2]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_up_sampling2d = {
    .name = "UpSampling2D",
    .keras_class = "UpSampling2D",
    .config_size = sizeof(dl4c_upsample_cfg),
    .keys = dl4c_upsample2d_keys,
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
