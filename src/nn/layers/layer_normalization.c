/* LayerNormalization, as Keras': each example is normalized over `axis`
 * (one axis or a list of adjacent axes; default the last) by its own mean
 * and biased variance, y = gamma * (x - mean) / sqrt(var + eps) + beta,
 * with gamma and beta shaped like the normalized axes. The same in
 * training and inference; masks pass through. The mean and 1/std of each
 * group are kept in the workspace for the backward pass. */
#include "nn/layers/norm_common.h"

typedef struct ln_cfg {
    int n_axes;
    int64_t axes[DL4C_MAX_DIMS]; /* as configured */
    double epsilon;
    bool center, scale;
    int a0, a1; /* normalized per-example axes [a0, a1) */
} ln_cfg;

static const char *const keys[] = {"axis", "epsilon", "center", "scale", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    ln_cfg *c = l->cfg;
    json_t *v = json_object_get(j, "axis");
    c->n_axes = 1;
    c->axes[0] = -1;
    c->epsilon = 1e-3;
    c->center = c->scale = true;
    if (json_is_array(v)) {
        size_t n = json_array_size(v);
        if (n < 1 || n > DL4C_MAX_DIMS - 1)
            return dl4c_layer_error(l, DL4C_FORMAT,
                                    "key 'axis' must list 1 to %d axes",
                                    DL4C_MAX_DIMS - 1);
        for (size_t i = 0; i < n; i++) {
            if (!json_is_integer(json_array_get(v, i)))
                return dl4c_layer_error(l, DL4C_FORMAT,
                                        "key 'axis' must hold integers");
            c->axes[i] = json_integer_value(json_array_get(v, i));
        }
        c->n_axes = (int)n;
    } else {
        DL4C_RETURN_IF(dl4c_norm_cfg_axis(l, j, "axis", &c->axes[0]));
    }
    DL4C_RETURN_IF(
        dl4c_cfg_double(l->where, j, "epsilon", false, 0, 1e6, &c->epsilon));
    DL4C_RETURN_IF(dl4c_cfg_bool(l->where, j, "center", &c->center));
    return dl4c_cfg_bool(l->where, j, "scale", &c->scale);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const ln_cfg *c = l->cfg;
    json_t *axis;
    if (c->n_axes == 1) {
        axis = json_integer(c->axes[0]);
    } else {
        axis = json_array();
        for (int i = 0; axis && i < c->n_axes; i++)
            if (json_array_append_new(axis, json_integer(c->axes[i])) != 0) {
                json_decref(axis);
                axis = NULL;
            }
    }
    DL4C_RETURN_IF(dl4c_cfg_set(j, "axis", axis));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "epsilon", json_real(c->epsilon)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "center", json_boolean(c->center)));
    return dl4c_cfg_set(j, "scale", json_boolean(c->scale));
}

static dl4c_status build(dl4c_layer *l)
{
    ln_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    const dl4c_shape *in = &l->in_shapes[0];
    bool used[DL4C_MAX_DIMS] = {false};
    c->a0 = in->ndim;
    c->a1 = -1;
    for (int i = 0; i < c->n_axes; i++) {
        int p;
        DL4C_RETURN_IF(dl4c_norm_axis(l, in, c->axes[i], &p));
        if (used[p])
            return dl4c_layer_error(l, DL4C_SHAPE, "axis %lld is listed twice",
                                    (long long)c->axes[i]);
        used[p] = true;
        c->a0 = p < c->a0 ? p : c->a0;
        c->a1 = p + 1 > c->a1 ? p + 1 : c->a1;
    }
    if (c->a1 - c->a0 != c->n_axes) {
        char text[96];
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "the normalized axes must be adjacent; input "
                                "is %s",
                                dl4c_norm_shape_text(in, text));
    }
    l->out_shapes[0] = *in;
    int64_t dims[DL4C_MAX_DIMS], size = 1;
    for (int d = c->a0; d < c->a1; d++) {
        dims[d - c->a0] = in->dim[d];
        size *= in->dim[d];
    }
    if (c->scale) {
        int g = l->n_params;
        dl4c_layer_add_param(l, "gamma", c->n_axes, dims, size, size, false);
        l->params[g].regularize = false;
        if (!l->opts.has_weight_init)
            l->params[g].init = dl4c_init_default(DL4C_INIT_ONES);
    }
    if (c->center)
        dl4c_layer_add_param(l, "beta", c->n_axes, dims, size, size, true);
    return DL4C_OK;
}

static dl4c_ln_args args_of(const dl4c_layer_ctx *x)
{
    const ln_cfg *c = x->layer->cfg;
    dl4c_ln_args a = {0};
    dl4c_norm_split(&x->layer->in_shapes[0], c->a0, c->a1, x->batch, &a.outer,
                    &a.len, &a.inner);
    a.eps = c->epsilon;
    a.gamma = c->scale ? x->params[0]->data : NULL;
    a.beta = c->center ? x->params[c->scale ? 1 : 0]->data : NULL;
    return a;
}

/* mean and 1/std per (outer, inner) group */
static size_t workspace(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    const ln_cfg *c = l->cfg;
    int64_t outer, len, inner;
    dl4c_norm_split(&l->in_shapes[0], c->a0, c->a1, batch, &outer, &len,
                    &inner);
    return (size_t)(2 * outer * inner) * dl4c_dtype_size(dt);
}

static void forward(dl4c_layer_ctx *x)
{
    dl4c_ln_args a = args_of(x);
    char *mean = x->ws;
    char *rstd = mean + (size_t)(a.outer * a.inner) * dl4c_dtype_size(x->dtype);
    x->be->norm->ln_forward(&a, x->dtype, x->in[0]->data, x->out->data, mean,
                            rstd);
}

static void backward(dl4c_layer_ctx *x)
{
    const ln_cfg *c = x->layer->cfg;
    dl4c_ln_args a = args_of(x);
    char *mean = x->ws;
    char *rstd = mean + (size_t)(a.outer * a.inner) * dl4c_dtype_size(x->dtype);
    void *dgamma = x->grads && c->scale ? x->grads[0]->data : NULL;
    void *dbeta =
        x->grads && c->center ? x->grads[c->scale ? 1 : 0]->data : NULL;
    void *dx = x->din[0] ? x->din[0]->data : NULL;
    if (dx || dgamma || dbeta)
        x->be->norm->ln_backward(&a, x->dtype, x->in[0]->data, mean, rstd,
                                 x->dout->data, dx, dgamma, dbeta);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    const json_t *axis = dl4c_norm_keras_get(kcfg, "axis", NULL);
    DL4C_RETURN_IF(
        dl4c_norm_keras_refuse(k, kcfg, "rms_scaling", "RMS scaling"));
    if (axis) {
        json_t *list = json_array();
        size_t n = json_is_array(axis) ? json_array_size(axis) : 1;
        for (size_t i = 0; list && i < n; i++) {
            const json_t *v =
                json_is_array(axis) ? json_array_get(axis, i) : axis;
            if (!json_is_integer(v)) {
                json_decref(list);
                return dl4c_error_set(
                    DL4C_FORMAT, "%s: 'axis' must hold integers", k->where);
            }
            int64_t a = dl4c_norm_channels_last_axis(k, json_integer_value(v));
            if (json_array_append_new(list, json_integer(a)) != 0) {
                json_decref(list);
                list = NULL;
            }
        }
        DL4C_RETURN_IF(dl4c_cfg_set(out, "axis", list));
    }
    DL4C_RETURN_IF(
        dl4c_norm_keras_number(k, kcfg, "epsilon", NULL, "epsilon", out));
    DL4C_RETURN_IF(dl4c_norm_keras_bool(k, kcfg, "center", "center", out));
    return dl4c_norm_keras_bool(k, kcfg, "scale", "scale", out);
}

static const char *const keras_classes[] = {"LayerNormalization", NULL};

static const char *const examples[] = {
    "{\"input\": [5], \"layer\": {\"type\": \"LayerNormalization\"}}",
    "{\"input\": [3, 4], \"layer\": {\"type\": \"LayerNormalization\", "
    "\"axis\": -1, \"epsilon\": 0.01}}",
    "{\"input\": [2, 3, 2], \"layer\": {\"type\": \"LayerNormalization\", "
    "\"axis\": [2, 3], \"center\": false}}",
    "{\"input\": [3, 4], \"layer\": {\"type\": \"LayerNormalization\", "
    "\"axis\": 1, \"scale\": false}}",
    "{\"input\": [4, 3], \"mask_value\": 0, \"layer\": {\"type\": "
    "\"LayerNormalization\"}}",
    "{\"input\": [2, 3, 2], \"layer\": {\"type\": \"LayerNormalization\", "
    "\"axis\": [1, 3]}, \"error\": \"the normalized axes must be adjacent; "
    "input is [N, 2, 3, 2]\"}",
    "{\"input\": [4], \"layer\": {\"type\": \"LayerNormalization\", "
    "\"axis\": 3}, \"error\": \"axis 3 is out of range for input [N, 4]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_layer_normalization = {
    .name = "LayerNormalization",
    .keras_class = "LayerNormalization",
    .config_size = sizeof(ln_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .workspace = workspace,
    .forward = forward,
    .backward = backward,
    .mask_mode = DL4C_MASK_PASS,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .examples = examples,
};
