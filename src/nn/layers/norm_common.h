/* Shared parts of the normalization, noise, activation, merge and
 * attention layers: axes in Keras' numbering, Keras config translation,
 * and the merge families (elementwise merges here and in
 * merge_elementwise.c, concatenation in concatenate.c, batch dot products
 * in dot.c) that both the Keras 2 classes and Keras 1's Merge use.
 *
 * Axes count as Keras counts them: 0 is the batch axis, 1 the first
 * per-example axis, negative values count from the end. Layers resolve
 * them at build time to per-example indices. */
#ifndef DL4C_NORM_COMMON_H
#define DL4C_NORM_COMMON_H

#include "core/backend_norm.h"
#include "nn/layer_internal.h"

/* ---- axes ---- */

/* The per-example index of Keras axis `axis` of an input with per-example
 * shape `s`; DL4C_SHAPE naming the layer, the axis and the shape when it
 * is the batch axis or out of range. */
dl4c_status dl4c_norm_axis(const dl4c_layer *l, const dl4c_shape *s,
                           int64_t axis, int *out);
/* Reads key `key` as an integer axis: a number, or a list of one number
 * (what Keras writes once a layer is built). Absent: *out unchanged. */
dl4c_status dl4c_norm_cfg_axis(const dl4c_layer *l, const json_t *j,
                               const char *key, int64_t *out);
/* [outer, len, inner] of a per-example shape around axes [a0, a1) (len
 * is their product), with the batch folded into outer. */
void dl4c_norm_split(const dl4c_shape *s, int a0, int a1, int64_t batch,
                     int64_t *outer, int64_t *len, int64_t *inner);
/* "[N, 3, 4]" text of a per-example shape (buf must hold 96 bytes). */
const char *dl4c_norm_shape_text(const dl4c_shape *s, char *buf);

/* ---- Keras translation ---- */

/* The value of `key` in a Keras layer config, else of `alt` (Keras 1's
 * name; may be NULL); NULL when absent or JSON null. */
const json_t *dl4c_norm_keras_get(const json_t *kcfg, const char *key,
                                  const char *alt);
/* Copies a number / boolean / integer-axis Keras option (under `key` or
 * `alt`) to `out` as `dkey`; absent or null: nothing. A value of the wrong
 * kind is DL4C_FORMAT naming k->where and the key. */
dl4c_status dl4c_norm_keras_number(const dl4c_keras_ctx *k, const json_t *kcfg,
                                   const char *key, const char *alt,
                                   const char *dkey, json_t *out);
dl4c_status dl4c_norm_keras_bool(const dl4c_keras_ctx *k, const json_t *kcfg,
                                 const char *key, const char *dkey,
                                 json_t *out);
/* Reads an axis (a number or a list of one) into *axis; false when absent
 * or null. */
dl4c_status dl4c_norm_keras_axis(const dl4c_keras_ctx *k, const json_t *kcfg,
                                 const char *key, bool *present, int64_t *axis);
/* The axis in channels-last numbering for a model imported from
 * channels_first: the channel axis 1 becomes -1, the spatial axes move
 * one place left (2 -> 1, -1 -> -2). */
int64_t dl4c_norm_channels_last_axis(const dl4c_keras_ctx *k, int64_t axis);
/* DL4C_UNSUPPORTED naming k->where when `key` is present and not null /
 * not equal to the value Keras treats as "off" (false, 0, null). */
dl4c_status dl4c_norm_keras_refuse(const dl4c_keras_ctx *k, const json_t *kcfg,
                                   const char *key, const char *why);

/* ---- elementwise merges (merge_elementwise.c) ---- */

typedef enum dl4c_merge_op {
    DL4C_MERGE_ADD = 0,
    DL4C_MERGE_SUB,
    DL4C_MERGE_MUL,
    DL4C_MERGE_AVG,
    DL4C_MERGE_MAX,
    DL4C_MERGE_MIN,
    DL4C_MERGE_OP_COUNT
} dl4c_merge_op;

/* Output shape: the inputs broadcast together as NumPy (and Keras)
 * broadcast per-example shapes; the output carries the AND of the masks
 * of inputs with the output's rank. */
dl4c_status dl4c_merge_build(dl4c_layer *l, dl4c_merge_op op);
size_t dl4c_merge_workspace(const dl4c_layer *l, dl4c_merge_op op,
                            int64_t batch, dl4c_dtype dt);
void dl4c_merge_forward(dl4c_layer_ctx *x, dl4c_merge_op op);
void dl4c_merge_backward(dl4c_layer_ctx *x, dl4c_merge_op op);
/* The callbacks every elementwise merge shares: no config keys and
 * nothing to translate from Keras. */
extern const char *const dl4c_merge_keys[];
dl4c_status dl4c_merge_parse(dl4c_layer *l, const json_t *j);
dl4c_status dl4c_merge_write(const dl4c_layer *l, json_t *j);
dl4c_status dl4c_merge_from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                                  json_t *out);

/* Defines the layer type `sym` of merge `op`, named `name` as its Keras
 * class is, with the registry's example configs `examples`: each merge
 * layer's file is its description, its examples and this line. */
#define DL4C_MERGE_LAYER(sym, name_, op, examples_)                            \
    static dl4c_status sym##_build(dl4c_layer *l)                              \
    {                                                                          \
        return dl4c_merge_build(l, op);                                        \
    }                                                                          \
    static size_t sym##_workspace(const dl4c_layer *l, int64_t batch,          \
                                  dl4c_dtype dt)                               \
    {                                                                          \
        return dl4c_merge_workspace(l, op, batch, dt);                         \
    }                                                                          \
    static void sym##_forward(dl4c_layer_ctx *x)                               \
    {                                                                          \
        dl4c_merge_forward(x, op);                                             \
    }                                                                          \
    static void sym##_backward(dl4c_layer_ctx *x)                              \
    {                                                                          \
        dl4c_merge_backward(x, op);                                            \
    }                                                                          \
    static const char *const sym##_classes[] = {name_, NULL};                  \
    const dl4c_layer_type sym = {                                              \
        .name = name_,                                                         \
        .keras_class = name_,                                                  \
        .config_size = 0,                                                      \
        .keys = dl4c_merge_keys,                                               \
        .parse = dl4c_merge_parse,                                             \
        .write = dl4c_merge_write,                                             \
        .build = sym##_build,                                                  \
        .workspace = sym##_workspace,                                          \
        .forward = sym##_forward,                                              \
        .backward = sym##_backward,                                            \
        .mask_mode = DL4C_MASK_CUSTOM,                                         \
        .keras_classes = sym##_classes,                                        \
        .from_keras = dl4c_merge_from_keras,                                   \
        .examples = examples_,                                                 \
    }

/* Mask of an elementwise merge (also used by Merge): AND of the masks of
 * inputs whose rank is the output's. */
bool dl4c_merge_has_mask(const dl4c_layer *l);
void dl4c_merge_masks(dl4c_layer_ctx *x);

/* ---- concatenation (concatenate.c) ---- */

/* Concatenation along Keras axis `axis`; masks: along the first
 * per-example axis the masks are concatenated (inputs without one count as
 * unmasked), along another axis they are ANDed. */
dl4c_status dl4c_concat_build(dl4c_layer *l, int64_t axis);
void dl4c_concat_forward(dl4c_layer_ctx *x, int64_t axis);
void dl4c_concat_backward(dl4c_layer_ctx *x, int64_t axis);

/* ---- batch dot products (dot.c) ---- */

/* Keras' Dot: sums over axes[0] of input 0 and axes[1] of input 1 (Keras
 * axes), each input L2-normalized along its axis first when `normalize`.
 * Output: input 0's other dims, then input 1's; [1] when none are left. */
dl4c_status dl4c_dot_build(dl4c_layer *l, const int64_t *axes, bool normalize);
size_t dl4c_dot_workspace(const dl4c_layer *l, const int64_t *axes,
                          bool normalize, int64_t batch, dl4c_dtype dt);
void dl4c_dot_forward(dl4c_layer_ctx *x, const int64_t *axes, bool normalize);
void dl4c_dot_backward(dl4c_layer_ctx *x, const int64_t *axes, bool normalize);
/* Reads Keras' `axes`: one integer or a list of two. */
dl4c_status dl4c_dot_cfg_axes(const dl4c_layer *l, const json_t *j,
                              const char *key, int64_t *axes);
json_t *dl4c_dot_axes_json(const int64_t *axes);

#endif
