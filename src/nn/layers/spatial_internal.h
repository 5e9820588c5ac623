/* What the pooling, global pooling, padding, cropping, upsampling and
 * reshaping layer files share. A rank-r layer (r = 1, 2, 3: the 1D, 2D,
 * 3D variants) takes per-example input [d_1, ..., d_r, C], channels last;
 * its spatial dims are handed to the backend (core/backend_pool.h) as
 * D, H, W with the missing leading dims 1. Each family keeps its config,
 * build, forward, backward and Keras translation here once; a layer file
 * holds its type table, its Keras class names and its examples. */
#ifndef DL4C_SPATIAL_INTERNAL_H
#define DL4C_SPATIAL_INTERNAL_H

#include "core/backend_pool.h"
#include "nn/layer_internal.h"

/* ---- config values (spatial_common.c) ---- */

/* `key` of obj: an integer for every axis or a list of `rank` integers,
 * each >= min. Absent: *out unchanged, or an error when `required`. */
dl4c_status dl4c_spatial_ints(const char *where, const json_t *obj,
                              const char *key, int rank, int64_t min,
                              bool required, int64_t *out);
json_t *dl4c_spatial_ints_json(int rank, const int64_t *v);

/* Padding or cropping amounts out[axis] = {before, after}, each >= 0:
 * an integer (all sides), a list of `rank` integers (symmetric per axis;
 * for rank 1 a list of 2 is {before, after}), or a list of `rank`
 * [before, after] pairs. Absent: out unchanged. */
dl4c_status dl4c_spatial_pairs(const char *where, const json_t *obj,
                               const char *key, int rank, int64_t out[][2]);
/* [before, after] for rank 1, [[b, a], ...] otherwise; p holds the
 * pairs one after the other (&amt[0][0]) */
json_t *dl4c_spatial_pairs_json(int rank, const int64_t *p);

/* Requires one input of per-example shape [d_1, ..., d_rank, C]. */
dl4c_status dl4c_spatial_input(const dl4c_layer *l, int rank);
/* The first `rank` dims of s as D, H, W (leading 1s). */
void dl4c_spatial_dhw(const dl4c_shape *s, int rank, int64_t dhw[3]);

/* "order": "channels_last" (row-major order of the channels-last data,
 * the default) or "channels_first" (channel-major: the order in which
 * Keras reads a channels-first tensor). Flatten and Reshape. */
dl4c_status dl4c_spatial_order(const dl4c_layer *l, const json_t *j,
                               bool *channels_first);
/* Copies in to out in channel-major order (forward), or back (the
 * backward pass, inverse = true); in/out are [N, d..., C] elements. */
void dl4c_spatial_channel_major(dl4c_layer_ctx *x, const dl4c_shape *in,
                                const void *src, void *dst, bool inverse);

/* ---- Keras translation (spatial_common.c) ---- */

/* kcfg[key], else kcfg[old_key] (a Keras 1 name; may be NULL); NULL when
 * both are absent or null. */
const json_t *dl4c_keras_get(const json_t *kcfg, const char *key,
                             const char *old_key);
/* data_format "channels_first", Keras 1 dim_ordering "th", or the
 * importer's k->channels_first. */
bool dl4c_keras_channels_first(const dl4c_keras_ctx *k, const json_t *kcfg);
/* Copies an int-or-list value (checked like dl4c_spatial_ints) into
 * out[dl4c_key] as a list of `rank`. */
dl4c_status dl4c_keras_ints(const dl4c_keras_ctx *k, const json_t *v,
                            const char *dl4c_key, int rank, int64_t min,
                            json_t *out);
/* Copies a padding/cropping value of any Keras version (int, tuples,
 * Keras 1's 4-tuple and {"top_pad": ...} forms) into out[dl4c_key]. */
dl4c_status dl4c_keras_pairs(const dl4c_keras_ctx *k, const json_t *v,
                             const char *dl4c_key, int rank, json_t *out);

/* ---- windowed pooling (pool_common.c) ---- */

typedef struct dl4c_pool_cfg {
    int rank;
    dl4c_pool_op op;
    int64_t pool[3], strides[3];
    bool same; /* padding 'same', else 'valid' */
} dl4c_pool_cfg;

extern const char *const dl4c_pool_keys[];
dl4c_status dl4c_pool_parse(dl4c_layer *l, const json_t *j, int rank,
                            dl4c_pool_op op);
dl4c_status dl4c_pool_write(const dl4c_layer *l, json_t *j);
dl4c_status dl4c_pool_build(dl4c_layer *l);
void dl4c_pool_forward(dl4c_layer_ctx *x);
void dl4c_pool_backward(dl4c_layer_ctx *x);
dl4c_status dl4c_pool_from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                                 json_t *out, int rank);

/* ---- global pooling (global_pool_common.c) ---- */

typedef struct dl4c_global_pool_cfg {
    int rank;
    dl4c_pool_op op;
    bool keepdims;
    bool masked; /* rank 1: masked time steps are left out */
} dl4c_global_pool_cfg;

extern const char *const dl4c_global_pool_keys[];
extern const char *const dl4c_global_pool1d_keys[];
dl4c_status dl4c_global_pool_parse(dl4c_layer *l, const json_t *j, int rank,
                                   dl4c_pool_op op);
dl4c_status dl4c_global_pool_write(const dl4c_layer *l, json_t *j);
dl4c_status dl4c_global_pool_build(dl4c_layer *l);
void dl4c_global_pool_forward(dl4c_layer_ctx *x);
void dl4c_global_pool_backward(dl4c_layer_ctx *x);
dl4c_status dl4c_global_pool_from_keras(const dl4c_keras_ctx *k,
                                        const json_t *kcfg, json_t *out,
                                        bool masked);

/* ---- zero padding and cropping (pad_crop_common.c) ---- */

typedef struct dl4c_pad_crop_cfg {
    int rank;
    bool crop;         /* cropping, else zero padding */
    int64_t amt[3][2]; /* per axis: before, after */
} dl4c_pad_crop_cfg;

extern const char *const dl4c_padding_keys[];
extern const char *const dl4c_cropping_keys[];
dl4c_status dl4c_pad_crop_parse(dl4c_layer *l, const json_t *j, int rank,
                                bool crop);
dl4c_status dl4c_pad_crop_write(const dl4c_layer *l, json_t *j);
dl4c_status dl4c_pad_crop_build(dl4c_layer *l);
void dl4c_pad_crop_forward(dl4c_layer_ctx *x);
void dl4c_pad_crop_backward(dl4c_layer_ctx *x);
dl4c_status dl4c_pad_crop_from_keras(const dl4c_keras_ctx *k,
                                     const json_t *kcfg, json_t *out, int rank,
                                     bool crop);

/* ---- upsampling (upsampling_common.c) ---- */

typedef struct dl4c_upsample_cfg {
    int rank;
    int64_t size[3];
    bool bilinear;   /* rank 2 only */
    bool half_pixel; /* bilinear source coordinates (see backend_pool.h) */
} dl4c_upsample_cfg;

extern const char *const dl4c_upsample_keys[];
extern const char *const dl4c_upsample2d_keys[];
dl4c_status dl4c_upsample_parse(dl4c_layer *l, const json_t *j, int rank);
dl4c_status dl4c_upsample_write(const dl4c_layer *l, json_t *j);
dl4c_status dl4c_upsample_build(dl4c_layer *l);
void dl4c_upsample_forward(dl4c_layer_ctx *x);
void dl4c_upsample_backward(dl4c_layer_ctx *x);
dl4c_status dl4c_upsample_from_keras(const dl4c_keras_ctx *k,
                                     const json_t *kcfg, json_t *out, int rank);

#endif
