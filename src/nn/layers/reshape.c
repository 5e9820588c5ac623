/* Reshape: [N, d...] -> [N, target_shape...] with the elements in the same
 * row-major order, as Keras' Reshape; one target dim may be -1 and is
 * inferred from the others. "order": "channels_first" reads the
 * channels-last input channel-major ([N, C, d...] order) first: the
 * element order Keras sees when its tensor is channels-first, which a
 * channels-first Keras model imported as channels-last needs. Masks are
 * dropped, as in Keras. */
#include <string.h>

#include "nn/layers/spatial_internal.h"

typedef struct reshape_cfg {
    int ndim;
    int64_t target[DL4C_MAX_DIMS - 1]; /* as written: -1 is inferred */
    bool channels_first;
} reshape_cfg;

static const char *const keys[] = {"target_shape", "order", NULL};

static dl4c_status target_value(const char *where, const json_t *v, int *ndim,
                                int64_t *target)
{
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    int inferred = 0;
    bool ok = n >= 1 && n <= DL4C_MAX_DIMS - 1;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *e = json_array_get(v, i);
        ok = json_is_integer(e) &&
             (json_integer_value(e) == -1 ||
              (json_integer_value(e) > 0 &&
               json_integer_value(e) <= ((int64_t)1 << 40)));
        if (ok) {
            target[i] = json_integer_value(e);
            inferred += target[i] == -1;
        }
    }
    if (!ok || inferred > 1)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: key 'target_shape' must be a list of 1 to "
                              "%d positive integers, one of which may be -1",
                              where, DL4C_MAX_DIMS - 1);
    *ndim = (int)n;
    return DL4C_OK;
}

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    reshape_cfg *c = l->cfg;
    json_t *v = json_object_get(j, "target_shape");
    if (!v)
        return dl4c_layer_error(l, DL4C_FORMAT, "missing key 'target_shape'");
    DL4C_RETURN_IF(target_value(l->where, v, &c->ndim, c->target));
    return dl4c_spatial_order(l, j, &c->channels_first);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const reshape_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_cfg_set(j, "target_shape",
                                dl4c_spatial_ints_json(c->ndim, c->target)));
    return dl4c_cfg_set(
        j, "order",
        json_string(c->channels_first ? "channels_first" : "channels_last"));
}

static dl4c_status build(dl4c_layer *l)
{
    const reshape_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    const dl4c_shape *in = &l->in_shapes[0];
    const int64_t total = dl4c_shape_size(in);
    dl4c_shape out = {.ndim = c->ndim};
    int64_t known = 1;
    int free_dim = -1;
    for (int i = 0; i < c->ndim; i++) {
        out.dim[i] = c->target[i];
        if (c->target[i] == -1)
            free_dim = i;
        else
            known *= c->target[i];
    }
    if (free_dim >= 0 && total % known == 0)
        out.dim[free_dim] = total / known;
    if ((free_dim >= 0 && total % known != 0) ||
        (free_dim < 0 && known != total)) {
        char a[160], b[160];
        dl4c_shape t = {.ndim = c->ndim};
        memcpy(t.dim, c->target, sizeof c->target);
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "cannot reshape the input %s (%lld values) "
                                "to target_shape %s",
                                dl4c_layer_shape_text(in, a, sizeof a),
                                (long long)total,
                                dl4c_shape_format(&t, b, sizeof b));
    }
    l->out_shapes[0] = out;
    return DL4C_OK;
}

static void forward(dl4c_layer_ctx *x)
{
    const reshape_cfg *c = x->layer->cfg;
    if (c->channels_first)
        dl4c_spatial_channel_major(x, &x->layer->in_shapes[0], x->in[0]->data,
                                   x->out->data, false);
    else
        x->be->copy(x->dtype, x->out->size, x->in[0]->data, x->out->data);
}

static void backward(dl4c_layer_ctx *x)
{
    const reshape_cfg *c = x->layer->cfg;
    if (!x->din[0])
        return;
    if (c->channels_first)
        dl4c_spatial_channel_major(x, &x->layer->in_shapes[0], x->dout->data,
                                   x->din[0]->data, true);
    else
        x->be->copy(x->dtype, x->out->size, x->dout->data, x->din[0]->data);
}

/* Keras 1, 2 and 3: target_shape. When the importer says the Keras
 * tensor coming in is channels-first, the input is read channel-major so
 * the output is the tensor Keras computes. */
static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    const json_t *v = dl4c_keras_get(kcfg, "target_shape", NULL);
    int64_t target[DL4C_MAX_DIMS - 1];
    int ndim = 0;
    if (!v)
        return dl4c_error_set(DL4C_FORMAT, "%s: no target_shape", k->where);
    DL4C_RETURN_IF(target_value(k->where, v, &ndim, target));
    DL4C_RETURN_IF(dl4c_cfg_set(out, "target_shape",
                                dl4c_spatial_ints_json(ndim, target)));
    if (dl4c_keras_channels_first(k, kcfg))
        DL4C_RETURN_IF(
            dl4c_cfg_set(out, "order", json_string("channels_first")));
    return DL4C_OK;
}

static const char *const keras_classes[] = {"Reshape", NULL};

static const char *const examples[] = {
    "{\"input\": [6], \"layer\": {\"type\": \"Reshape\", \"target_shape\": "
    "[2, 3]}}",
    "{\"input\": [2, 3, 2], \"layer\": {\"type\": \"Reshape\", "
    "\"target_shape\": [-1, 4]}}",
    "{\"input\": [2, 3, 2], \"layer\": {\"type\": \"Reshape\", "
    "\"target_shape\": [12], \"order\": \"channels_first\"}}",
    "{\"input\": [2, 3], \"layer\": {\"type\": \"Reshape\", "
    "\"target_shape\": [3, -1], \"order\": \"channels_first\"}}",
    "{\"input\": [2, 3], \"layer\": {\"type\": \"Reshape\", \"target_shape\": "
    "[4, 2]}, \"error\": \"cannot reshape the input [N, 2, 3] (6 values) to "
    "target_shape [4, 2]\"}",
    "{\"input\": [7], \"layer\": {\"type\": \"Reshape\", \"target_shape\": "
    "[-1, 2]}, \"error\": \"cannot reshape the input [N, 7] (7 values) to "
    "target_shape [-1, 2]\"}",
    "{\"input\": [6], \"layer\": {\"type\": \"Reshape\", \"target_shape\": "
    "[-1, -1]}, \"error\": \"one of which may be -1\"}",
    "{\"input\": [3, 2], \"mask_value\": 0, \"layer\": {\"type\": \"Reshape\", "
    "\"target_shape\": [2, 3]}}",
    NULL};

const dl4c_layer_type dl4c_layer_reshape = {
    .name = "Reshape",
    .keras_class = "Reshape",
    .config_size = sizeof(reshape_cfg),
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
