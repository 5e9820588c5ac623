/* PReLU, as Keras': y = x for x > 0, alpha * x otherwise, with alpha a
 * trainable weight shaped like one example, except that `shared_axes`
 * (Keras numbering, 1 = the first per-example axis) have size 1 and share
 * one slope (e.g. [1, 2] for one slope per channel of an image). alpha
 * starts at 0 as in Keras (weight_init overrides) and takes no L1/L2. */
#include "nn/layers/norm_common.h"

typedef struct prelu_cfg {
    int n_shared;
    int64_t shared[DL4C_MAX_DIMS];
} prelu_cfg;

static const char *const keys[] = {"shared_axes", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    prelu_cfg *c = l->cfg;
    json_t *v = json_object_get(j, "shared_axes");
    if (!v || json_is_null(v))
        return DL4C_OK;
    if (json_is_integer(v)) {
        c->shared[c->n_shared++] = json_integer_value(v);
        return DL4C_OK;
    }
    if (!json_is_array(v) || json_array_size(v) > DL4C_MAX_DIMS - 1)
        return dl4c_layer_error(l, DL4C_FORMAT,
                                "key 'shared_axes' must be a list of axes");
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *a = json_array_get(v, i);
        if (!json_is_integer(a) || json_integer_value(a) < 1)
            return dl4c_layer_error(l, DL4C_FORMAT,
                                    "key 'shared_axes' must hold axes >= 1");
        c->shared[c->n_shared++] = json_integer_value(a);
    }
    return DL4C_OK;
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const prelu_cfg *c = l->cfg;
    json_t *list = json_array();
    for (int i = 0; list && i < c->n_shared; i++)
        if (json_array_append_new(list, json_integer(c->shared[i])) != 0) {
            json_decref(list);
            list = NULL;
        }
    return dl4c_cfg_set(j, "shared_axes", list);
}

static dl4c_status build(dl4c_layer *l)
{
    const prelu_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    const dl4c_shape *in = &l->in_shapes[0];
    dl4c_shape a = *in;
    for (int i = 0; i < c->n_shared; i++) {
        int p;
        DL4C_RETURN_IF(dl4c_norm_axis(l, in, c->shared[i], &p));
        a.dim[p] = 1;
    }
    l->out_shapes[0] = *in;
    int64_t n = dl4c_shape_size(&a);
    dl4c_layer_add_param(l, "alpha", a.ndim, a.dim, n, n, false);
    l->params[0].regularize = false;
    if (!l->opts.has_weight_init)
        l->params[0].init = dl4c_init_default(DL4C_INIT_ZERO);
    return DL4C_OK;
}

/* [batch, dims...] and alpha's strides over it (0 where shared) */
static int geometry(const dl4c_layer_ctx *x, int64_t *shape, int64_t *ast)
{
    const dl4c_shape *in = &x->layer->in_shapes[0];
    const dl4c_shape *a = &x->layer->params[0].shape;
    int64_t stride = 1;
    shape[0] = x->batch;
    ast[0] = 0;
    for (int d = in->ndim - 1; d >= 0; d--) {
        shape[d + 1] = in->dim[d];
        ast[d + 1] = a->dim[d] == 1 ? 0 : stride;
        stride *= a->dim[d];
    }
    return in->ndim + 1;
}

static void forward(dl4c_layer_ctx *x)
{
    int64_t shape[DL4C_MAX_DIMS + 1], ast[DL4C_MAX_DIMS + 1];
    int nd = geometry(x, shape, ast);
    x->be->norm->prelu_forward(x->dtype, nd, shape, ast, x->in[0]->data,
                               x->params[0]->data, x->out->data);
}

static void backward(dl4c_layer_ctx *x)
{
    int64_t shape[DL4C_MAX_DIMS + 1], ast[DL4C_MAX_DIMS + 1];
    int nd = geometry(x, shape, ast);
    void *dx = x->din[0] ? x->din[0]->data : NULL;
    void *dalpha = x->grads ? x->grads[0]->data : NULL;
    if (dx || dalpha)
        x->be->norm->prelu_backward(
            x->dtype, nd, shape, ast, x->params[0]->size, x->in[0]->data,
            x->params[0]->data, x->dout->data, dx, dalpha);
}

/* For a channels_first model the slopes' axes move like the data's: the
 * channel axis 1 to the end, the others one place left. */
static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    const json_t *v = dl4c_norm_keras_get(kcfg, "shared_axes", NULL);
    if (!v)
        return DL4C_OK;
    json_t *list = json_array();
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    for (size_t i = 0; list && i < n; i++) {
        const json_t *a = json_is_array(v) ? json_array_get(v, i) : v;
        if (!json_is_integer(a)) {
            json_decref(list);
            return dl4c_error_set(
                DL4C_FORMAT, "%s: 'shared_axes' must hold integers", k->where);
        }
        int64_t axis = json_integer_value(a);
        if (k->channels_first && axis == 1) {
            json_decref(list);
            return dl4c_error_set(DL4C_UNSUPPORTED,
                                  "%s: sharing slopes across channels of a "
                                  "channels_first model is not supported",
                                  k->where);
        }
        if (k->channels_first)
            axis--;
        if (json_array_append_new(list, json_integer(axis)) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    return dl4c_cfg_set(out, "shared_axes", list);
}

/* Keras' alpha has the example's layout; a channels_first model stores
 * [C, d1, d2, ...], which becomes [d1, d2, ..., C]. */
static dl4c_status keras_weights(const dl4c_keras_ctx *k, const dl4c_layer *l,
                                 int n, const dl4c_tensor *const *w,
                                 dl4c_tensor *const *params)
{
    const dl4c_shape *a = &l->params[0].shape;
    int64_t size = dl4c_shape_size(a);
    if (n != 1 || dl4c_tensor_size(w[0]) != size)
        return dl4c_error_set(DL4C_SHAPE,
                              "%s: expected one alpha array of %lld values",
                              k->where, (long long)size);
    if (!k->channels_first || a->ndim < 2) {
        for (int64_t i = 0; i < size; i++)
            dl4c_tensor_set(params[0], i, dl4c_tensor_get(w[0], i));
        return DL4C_OK;
    }
    /* dl4c index (p, c) with p over the leading dims, c the channel, reads
     * Keras index (c, p) */
    int64_t ch = a->dim[a->ndim - 1], rest = size / ch;
    for (int64_t p = 0; p < rest; p++)
        for (int64_t c = 0; c < ch; c++)
            dl4c_tensor_set(params[0], p * ch + c,
                            dl4c_tensor_get(w[0], c * rest + p));
    return DL4C_OK;
}

static const char *const keras_classes[] = {"PReLU", NULL};

static const char *const examples[] = {
    "{\"input\": [5], \"layer\": {\"type\": \"PReLU\", \"weight_init\": "
    "{\"type\": \"uniform\", \"low\": 0.1, \"high\": 0.4}}}",
    "{\"input\": [3, 2, 2], \"layer\": {\"type\": \"PReLU\", "
    "\"shared_axes\": [1, 2], \"weight_init\": {\"type\": \"uniform\", "
    "\"low\": 0.1, \"high\": 0.4}}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"PReLU\", \"shared_axes\": "
    "2}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"PReLU\", \"shared_axes\": "
    "[3]}, \"error\": \"axis 3 is out of range for input [N, 3, 2]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_prelu = {
    .name = "PReLU",
    .keras_class = "PReLU",
    .config_size = sizeof(prelu_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .forward = forward,
    .backward = backward,
    .mask_mode = DL4C_MASK_PASS,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .keras_weights = keras_weights,
    .examples = examples,
};
