/* Config values and Keras spellings shared by the spatial layer files
 * (see spatial_internal.h): sizes given as one integer or one per axis,
 * padding/cropping amounts in every form Keras 1, 2 and 3 write them,
 * and the channel-major copy behind Flatten's and Reshape's "order". */
#include <stdio.h>
#include <string.h>

#include "nn/layers/spatial_internal.h"

/* larger sizes are typos, and would overflow shape arithmetic */
#define MAX_AMOUNT ((int64_t)1 << 30)

static bool small_int(const json_t *v, int64_t min)
{
    return json_is_integer(v) && json_integer_value(v) >= min &&
           json_integer_value(v) <= MAX_AMOUNT;
}

static dl4c_status ints_value(const char *where, const char *key,
                              const json_t *v, int rank, int64_t min,
                              int64_t *out)
{
    int64_t tmp[3];
    bool ok = false;
    if (small_int(v, min)) {
        for (int i = 0; i < rank; i++)
            tmp[i] = json_integer_value(v);
        ok = true;
    } else if (json_is_array(v) && json_array_size(v) == (size_t)rank) {
        ok = true;
        for (int i = 0; i < rank; i++) {
            json_t *e = json_array_get(v, (size_t)i);
            ok = ok && small_int(e, min);
            tmp[i] = ok ? json_integer_value(e) : 0;
        }
    }
    if (!ok)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: key '%s' must be an integer or a list of "
                              "%d integer%s, each >= %lld",
                              where, key, rank, rank == 1 ? "" : "s",
                              (long long)min);
    memcpy(out, tmp, sizeof(int64_t) * (size_t)rank);
    return DL4C_OK;
}

dl4c_status dl4c_spatial_ints(const char *where, const json_t *obj,
                              const char *key, int rank, int64_t min,
                              bool required, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            return dl4c_error_set(DL4C_FORMAT, "%s: missing key '%s'", where,
                                  key);
        return DL4C_OK;
    }
    return ints_value(where, key, v, rank, min, out);
}

json_t *dl4c_spatial_ints_json(int rank, const int64_t *v)
{
    json_t *a = json_array();
    for (int i = 0; a && i < rank; i++)
        if (json_array_append_new(a, json_integer(v[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static bool int_pair(const json_t *v)
{
    return json_is_array(v) && json_array_size(v) == 2 &&
           small_int(json_array_get(v, 0), 0) &&
           small_int(json_array_get(v, 1), 0);
}

static bool all_ints(const json_t *v)
{
    for (size_t i = 0; i < json_array_size(v); i++)
        if (!small_int(json_array_get(v, i), 0))
            return false;
    return true;
}

static dl4c_status pairs_value(const char *where, const char *key,
                               const json_t *v, int rank, int64_t out[][2])
{
    int64_t p[3][2];
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    if (small_int(v, 0)) {
        for (int i = 0; i < rank; i++)
            p[i][0] = p[i][1] = json_integer_value(v);
    } else if (rank == 1 && n == 2 && all_ints(v)) {
        p[0][0] = json_integer_value(json_array_get(v, 0));
        p[0][1] = json_integer_value(json_array_get(v, 1));
    } else if (n == (size_t)rank && all_ints(v)) {
        for (int i = 0; i < rank; i++)
            p[i][0] = p[i][1] =
                json_integer_value(json_array_get(v, (size_t)i));
    } else if (n == (size_t)rank) {
        for (int i = 0; i < rank; i++) {
            json_t *e = json_array_get(v, (size_t)i);
            if (!int_pair(e))
                goto bad;
            p[i][0] = json_integer_value(json_array_get(e, 0));
            p[i][1] = json_integer_value(json_array_get(e, 1));
        }
    } else {
        goto bad;
    }
    memcpy(out, p, sizeof p[0] * (size_t)rank);
    return DL4C_OK;
bad:
    if (rank == 1)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: key '%s' must be an integer or a list "
                              "[before, after] of integers >= 0",
                              where, key);
    return dl4c_error_set(DL4C_FORMAT,
                          "%s: key '%s' must be an integer, a list of %d "
                          "integers or a list of %d [before, after] pairs, "
                          "all >= 0",
                          where, key, rank, rank);
}

dl4c_status dl4c_spatial_pairs(const char *where, const json_t *obj,
                               const char *key, int rank, int64_t out[][2])
{
    json_t *v = json_object_get(obj, key);
    return v ? pairs_value(where, key, v, rank, out) : DL4C_OK;
}

json_t *dl4c_spatial_pairs_json(int rank, const int64_t *p)
{
    if (rank == 1)
        return json_pack("[I, I]", (json_int_t)p[0], (json_int_t)p[1]);
    json_t *a = json_array();
    for (int i = 0; a && i < rank; i++)
        if (json_array_append_new(a, json_pack("[I, I]", (json_int_t)p[2 * i],
                                               (json_int_t)p[2 * i + 1])) !=
            0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static const char *const layouts[] = {"", "[N, steps, features]",
                                      "[N, height, width, channels]",
                                      "[N, depth, height, width, channels]"};

dl4c_status dl4c_spatial_input(const dl4c_layer *l, int rank)
{
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    const dl4c_shape *in = &l->in_shapes[0];
    if (in->ndim != rank + 1) {
        char buf[160];
        return dl4c_layer_error(l, DL4C_SHAPE, "takes %s input, got %s",
                                layouts[rank],
                                dl4c_layer_shape_text(in, buf, sizeof buf));
    }
    return DL4C_OK;
}

void dl4c_spatial_dhw(const dl4c_shape *s, int rank, int64_t dhw[3])
{
    for (int i = 0; i < 3; i++)
        dhw[i] = i < 3 - rank ? 1 : s->dim[i - (3 - rank)];
}

dl4c_status dl4c_spatial_order(const dl4c_layer *l, const json_t *j,
                               bool *channels_first)
{
    const char *order = NULL;
    DL4C_RETURN_IF(dl4c_cfg_string(l->where, j, "order", false, &order));
    if (!order)
        return DL4C_OK;
    if (strcmp(order, "channels_last") && strcmp(order, "channels_first"))
        return dl4c_layer_error(l, DL4C_FORMAT,
                                "order '%s' is not 'channels_last' or "
                                "'channels_first'",
                                order);
    *channels_first = strcmp(order, "channels_first") == 0;
    return DL4C_OK;
}

void dl4c_spatial_channel_major(dl4c_layer_ctx *x, const dl4c_shape *in,
                                const void *src, void *dst, bool inverse)
{
    const int m = in->ndim; /* per-example dims, the last is C */
    int64_t shape[DL4C_MAX_DIMS];
    int perm[DL4C_MAX_DIMS];
    if (m < 2) {
        x->be->copy(x->dtype, x->batch * dl4c_shape_size(in), src, dst);
        return;
    }
    shape[0] = x->batch;
    perm[0] = 0;
    if (!inverse) { /* [N, d..., C] -> [N, C, d...] */
        for (int i = 0; i < m; i++)
            shape[i + 1] = in->dim[i];
        perm[1] = m;
        for (int i = 2; i <= m; i++)
            perm[i] = i - 1;
    } else { /* [N, C, d...] -> [N, d..., C] */
        shape[1] = in->dim[m - 1];
        for (int i = 0; i + 1 < m; i++)
            shape[i + 2] = in->dim[i];
        for (int i = 1; i < m; i++)
            perm[i] = i + 1;
        perm[m] = 1;
    }
    x->be->pool->permute(x->dtype, m + 1, shape, perm, src, dst);
}

const json_t *dl4c_keras_get(const json_t *kcfg, const char *key,
                             const char *old_key)
{
    const json_t *v = json_object_get(kcfg, key);
    if ((!v || json_is_null(v)) && old_key)
        v = json_object_get(kcfg, old_key);
    return v && !json_is_null(v) ? v : NULL;
}

bool dl4c_keras_channels_first(const dl4c_keras_ctx *k, const json_t *kcfg)
{
    const json_t *df = json_object_get(kcfg, "data_format");
    const json_t *dim = json_object_get(kcfg, "dim_ordering");
    if (json_is_string(df))
        return strcmp(json_string_value(df), "channels_first") == 0;
    if (json_is_string(dim) && strcmp(json_string_value(dim), "default"))
        return strcmp(json_string_value(dim), "th") == 0;
    return k->channels_first;
}

dl4c_status dl4c_keras_ints(const dl4c_keras_ctx *k, const json_t *v,
                            const char *dl4c_key, int rank, int64_t min,
                            json_t *out)
{
    int64_t vals[3];
    DL4C_RETURN_IF(ints_value(k->where, dl4c_key, v, rank, min, vals));
    return dl4c_cfg_set(out, dl4c_key, dl4c_spatial_ints_json(rank, vals));
}

/* Keras 1's {"left_pad": 1, "right_pad": 2, ...} */
static dl4c_status keras1_dict(const dl4c_keras_ctx *k, const json_t *v,
                               int rank, int64_t p[][2])
{
    static const char *const names[2][4] = {
        {"left_pad", "right_pad", NULL, NULL},
        {"top_pad", "bottom_pad", "left_pad", "right_pad"}};
    if (rank > 2)
        return dl4c_error_set(
            DL4C_FORMAT, "%s: padding must be an integer or a list", k->where);
    for (int i = 0; i < 2 * rank; i++) {
        const json_t *e = json_object_get(v, names[rank - 1][i]);
        if (e && !small_int(e, 0))
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: padding '%s' must be an integer >= 0",
                                  k->where, names[rank - 1][i]);
        p[i / 2][i % 2] = e ? json_integer_value(e) : 0;
    }
    return DL4C_OK;
}

dl4c_status dl4c_keras_pairs(const dl4c_keras_ctx *k, const json_t *v,
                             const char *dl4c_key, int rank, json_t *out)
{
    int64_t p[3][2];
    if (json_is_object(v)) {
        DL4C_RETURN_IF(keras1_dict(k, v, rank, p));
    } else if (rank == 2 && json_is_array(v) && json_array_size(v) == 4 &&
               all_ints(v)) { /* Keras 1: (top, bottom, left, right) */
        for (int i = 0; i < 4; i++)
            p[i / 2][i % 2] = json_integer_value(json_array_get(v, (size_t)i));
    } else {
        DL4C_RETURN_IF(pairs_value(k->where, dl4c_key, v, rank, p));
    }
    return dl4c_cfg_set(out, dl4c_key, dl4c_spatial_pairs_json(rank, &p[0][0]));
}
