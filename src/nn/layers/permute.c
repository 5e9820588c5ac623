/* Permute: reorders the per-example axes as Keras' Permute: "dims" lists,
 * 1-based and without the batch axis, which input axis each output axis
 * is ([2, 1] turns [N, T, F] into [N, F, T]). Masks are dropped, as in
 * Keras. */
#include <stdio.h>
#include <stdlib.h>

#include "nn/layers/spatial_internal.h"

typedef struct permute_cfg {
    int ndim;
    int dims[DL4C_MAX_DIMS - 1]; /* 1-based */
} permute_cfg;

static const char *const keys[] = {"dims", NULL};

/* "[2, 1, 3]" into buf */
static const char *dims_text(int n, const int *dims, char *buf, size_t cap)
{
    dl4c_shape s = {.ndim = n};
    for (int i = 0; i < n; i++)
        s.dim[i] = dims[i];
    return dl4c_shape_format(&s, buf, cap);
}

/* A list of 1..7 integers holding each of 1..n once. */
static dl4c_status dims_value(const char *where, const json_t *v, int *ndim,
                              int *dims)
{
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    unsigned seen = 0;
    bool ok = n >= 1 && n <= DL4C_MAX_DIMS - 1;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *e = json_array_get(v, i);
        ok = json_is_integer(e) && json_integer_value(e) >= 1 &&
             json_integer_value(e) <= (json_int_t)n &&
             !(seen & (1u << json_integer_value(e)));
        if (ok) {
            dims[i] = (int)json_integer_value(e);
            seen |= 1u << dims[i];
        }
    }
    if (!ok) {
        char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        dl4c_status st = dl4c_error_set(
            DL4C_FORMAT,
            "%s: dims %s is not a permutation of 1..%zu (1-based axes "
            "without the batch axis, at most %d)",
            where, text ? text : "?", n ? n : 1, DL4C_MAX_DIMS - 1);
        free(text);
        return st;
    }
    *ndim = (int)n;
    return DL4C_OK;
}

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    permute_cfg *c = l->cfg;
    json_t *v = json_object_get(j, "dims");
    if (!v)
        return dl4c_layer_error(l, DL4C_FORMAT, "missing key 'dims'");
    return dims_value(l->where, v, &c->ndim, c->dims);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const permute_cfg *c = l->cfg;
    json_t *a = json_array();
    for (int i = 0; a && i < c->ndim; i++)
        if (json_array_append_new(a, json_integer(c->dims[i])) != 0) {
            json_decref(a);
            a = NULL;
        }
    return dl4c_cfg_set(j, "dims", a);
}

static dl4c_status build(dl4c_layer *l)
{
    const permute_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    const dl4c_shape *in = &l->in_shapes[0];
    if (in->ndim != c->ndim) {
        char a[160], b[64];
        return dl4c_layer_error(
            l, DL4C_SHAPE, "dims %s orders %d axes, the input %s has %d",
            dims_text(c->ndim, c->dims, b, sizeof b), c->ndim,
            dl4c_layer_shape_text(in, a, sizeof a), in->ndim);
    }
    l->out_shapes[0].ndim = c->ndim;
    for (int i = 0; i < c->ndim; i++)
        l->out_shapes[0].dim[i] = in->dim[c->dims[i] - 1];
    return DL4C_OK;
}

/* Permutes src (per-example shape s) by dims, or by their inverse. */
static void run(dl4c_layer_ctx *x, const dl4c_shape *s, const void *src,
                void *dst, bool inverse)
{
    const permute_cfg *c = x->layer->cfg;
    int64_t shape[DL4C_MAX_DIMS];
    int perm[DL4C_MAX_DIMS];
    shape[0] = x->batch;
    perm[0] = 0;
    for (int i = 0; i < c->ndim; i++) {
        shape[i + 1] = s->dim[i];
        if (inverse)
            perm[c->dims[i]] = i + 1;
        else
            perm[i + 1] = c->dims[i];
    }
    x->be->pool->permute(x->dtype, c->ndim + 1, shape, perm, src, dst);
}

static void forward(dl4c_layer_ctx *x)
{
    run(x, &x->layer->in_shapes[0], x->in[0]->data, x->out->data, false);
}

static void backward(dl4c_layer_ctx *x)
{
    if (x->din[0])
        run(x, &x->layer->out_shapes[0], x->dout->data, x->din[0]->data, true);
}

/* Keras 1, 2 and 3: dims. When the importer says the Keras tensor coming
 * in is channels-first (Keras axis 1 is the channels, which dl4c holds
 * last), each Keras input axis is renamed to dl4c's: 1 -> n, m -> m - 1.
 * The output is then the tensor Keras computes, in Keras' axis order. */
static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    const json_t *v = dl4c_keras_get(kcfg, "dims", NULL);
    int dims[DL4C_MAX_DIMS - 1], n = 0;
    if (!v)
        return dl4c_error_set(DL4C_FORMAT, "%s: no dims", k->where);
    DL4C_RETURN_IF(dims_value(k->where, v, &n, dims));
    json_t *a = json_array();
    for (int i = 0; a && i < n; i++) {
        int d = dims[i];
        if (dl4c_keras_channels_first(k, kcfg))
            d = d == 1 ? n : d - 1;
        if (json_array_append_new(a, json_integer(d)) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return dl4c_cfg_set(out, "dims", a);
}

static const char *const keras_classes[] = {"Permute", NULL};

static const char *const examples[] = {
    "{\"input\": [3, 2], \"layer\": {\"type\": \"Permute\", \"dims\": [2, "
    "1]}}",
    "{\"input\": [2, 3, 4], \"layer\": {\"type\": \"Permute\", \"dims\": [3, "
    "1, 2]}}",
    "{\"input\": [2, 3, 2], \"layer\": {\"type\": \"Permute\", \"dims\": [1, "
    "3, 2]}}",
    "{\"input\": [4], \"layer\": {\"type\": \"Permute\", \"dims\": [1]}}",
    "{\"input\": [2, 3], \"layer\": {\"type\": \"Permute\", \"dims\": [1, 1]}, "
    "\"error\": \"dims [1,1] is not a permutation of 1..2\"}",
    "{\"input\": [2, 3, 4], \"layer\": {\"type\": \"Permute\", \"dims\": [2, "
    "1]}, \"error\": \"dims [2, 1] orders 2 axes, the input [N, 2, 3, 4] has "
    "3\"}",
    "{\"input\": [2, 3], \"layer\": {\"type\": \"Permute\", \"dims\": [0, 1]}, "
    "\"error\": \"dims [0,1] is not a permutation of 1..2\"}",
    "{\"input\": [3, 2], \"mask_value\": 0, \"layer\": {\"type\": \"Permute\", "
    "\"dims\": [2, 1]}}",
    NULL};

const dl4c_layer_type dl4c_layer_permute = {
    .name = "Permute",
    .keras_class = "Permute",
    .config_size = sizeof(permute_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .forward = forward,
    .backward = backward,
    .mask_mode = DL4C_MASK_DROP,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .examples = examples,
};
