/* UpSampling1D: repeats every cell "size" times along the
 * steps of [N, steps, features] (upsampling_common.c), as Keras' layer of that
 * name. Keras 1 called "size" "length". */
#include "nn/layers/spatial_internal.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_upsample_parse(l, j, 1);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_upsample_from_keras(k, kcfg, out, 1);
}

static const char *const keras_classes[] = {"UpSampling1D", NULL};

static const char *const examples[] = {
    "{\"input\": [3, 2], \"layer\": {\"type\": \"UpSampling1D\"}}",
    "{\"input\": [2, 1], \"layer\": {\"type\": \"UpSampling1D\", \"size\": 3}}",
    "{\"input\": [2, 1], \"layer\": {\"type\": \"UpSampling1D\", \"size\": 0}, "
    "\"error\": \"key 'size' must be an integer or a list of 1 integer, each "
    ">= 1\"}",
    "{\"input\": [3], \"layer\": {\"type\": \"UpSampling1D\"}, \"error\": "
    "\"takes [N, steps, features] input, got [N, 3]\"}",
    "{\"input\": [3, 2], \"mask_value\": 0, \"layer\": {\"type\": "
    "\"UpSampling1D\"}}",
    NULL};

const dl4c_layer_type dl4c_layer_up_sampling1d = {
    .name = "UpSampling1D",
    .keras_class = "UpSampling1D",
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
