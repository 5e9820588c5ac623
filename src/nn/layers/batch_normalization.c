/* BatchNormalization, as Keras': y = gamma * (x - mean) / sqrt(var + eps)
 * + beta per feature of the `axis` (default the last: channels in NHWC).
 * Training uses the batch's mean and biased variance over every other axis
 * and moves the non-trainable moving_mean / moving_variance toward them
 * (moving = moving * momentum + batch * (1 - momentum)); the gradient
 * flows through the batch statistics. Inference, and a frozen layer (as
 * Keras runs a BatchNormalization with trainable=False), use the moving
 * statistics. With a [batch, time] mask on [N, T, C] input the statistics
 * skip masked steps, as Keras 3 does (masked_moments). Parameters, in
 * Keras' order: gamma (scale), beta (center), moving_mean,
 * moving_variance. */
#include "nn/layers/norm_common.h"

/* Keras 3 divides masked moments by the weight sum plus its epsilon */
#define MASK_EPS 1e-7

typedef struct bn_cfg {
    int64_t axis;
    double momentum, epsilon;
    bool center, scale, masked_moments;
    int p; /* per-example feature axis */
    int i_gamma, i_beta, i_mean, i_var;
} bn_cfg;

static const char *const keys[] = {
    "axis", "momentum", "epsilon", "center", "scale", "masked_moments", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    bn_cfg *c = l->cfg;
    c->axis = -1;
    c->momentum = 0.99;
    c->epsilon = 1e-3;
    c->center = c->scale = c->masked_moments = true;
    DL4C_RETURN_IF(dl4c_norm_cfg_axis(l, j, "axis", &c->axis));
    DL4C_RETURN_IF(
        dl4c_cfg_double(l->where, j, "momentum", false, 0, 1, &c->momentum));
    DL4C_RETURN_IF(
        dl4c_cfg_double(l->where, j, "epsilon", false, 0, 1e6, &c->epsilon));
    DL4C_RETURN_IF(dl4c_cfg_bool(l->where, j, "center", &c->center));
    DL4C_RETURN_IF(dl4c_cfg_bool(l->where, j, "scale", &c->scale));
    return dl4c_cfg_bool(l->where, j, "masked_moments", &c->masked_moments);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const bn_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_cfg_set(j, "axis", json_integer(c->axis)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "momentum", json_real(c->momentum)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "epsilon", json_real(c->epsilon)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "center", json_boolean(c->center)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "scale", json_boolean(c->scale)));
    return dl4c_cfg_set(j, "masked_moments", json_boolean(c->masked_moments));
}

static dl4c_status build(dl4c_layer *l)
{
    bn_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    const dl4c_shape *in = &l->in_shapes[0];
    DL4C_RETURN_IF(dl4c_norm_axis(l, in, c->axis, &c->p));
    l->out_shapes[0] = *in;
    int64_t dims[1] = {in->dim[c->p]};
    c->i_gamma = c->i_beta = -1;
    if (c->scale) {
        c->i_gamma = l->n_params;
        dl4c_layer_add_param(l, "gamma", 1, dims, dims[0], dims[0], false);
        l->params[c->i_gamma].regularize = false;
        if (!l->opts.has_weight_init)
            l->params[c->i_gamma].init = dl4c_init_default(DL4C_INIT_ONES);
    }
    if (c->center) {
        c->i_beta = l->n_params;
        dl4c_layer_add_param(l, "beta", 1, dims, dims[0], dims[0], true);
    }
    c->i_mean = l->n_params;
    dl4c_layer_add_state_param(l, "moving_mean", 1, dims,
                               dl4c_init_default(DL4C_INIT_ZERO));
    c->i_var = l->n_params;
    dl4c_layer_add_state_param(l, "moving_variance", 1, dims,
                               dl4c_init_default(DL4C_INIT_ONES));
    return DL4C_OK;
}

/* batch mean and variance, then 3 per-channel coefficients */
static size_t workspace(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    const bn_cfg *c = l->cfg;
    (void)batch;
    return (size_t)(5 * l->in_shapes[0].dim[c->p]) * dl4c_dtype_size(dt);
}

/* Batch statistics are used (and differentiated) in training unless the
 * layer is frozen. */
static bool uses_batch_stats(const dl4c_layer_ctx *x)
{
    return x->training && !x->layer->opts.frozen;
}

static dl4c_bn_args args_of(const dl4c_layer_ctx *x)
{
    const bn_cfg *c = x->layer->cfg;
    const dl4c_shape *in = &x->layer->in_shapes[0];
    dl4c_bn_args a = {0};
    dl4c_norm_split(in, c->p, c->p + 1, x->batch, &a.outer, &a.c, &a.inner);
    a.eps = c->epsilon;
    a.gamma = c->i_gamma >= 0 ? x->params[c->i_gamma]->data : NULL;
    a.beta = c->i_beta >= 0 ? x->params[c->i_beta]->data : NULL;
    /* Keras 3 weighs [N, T, C] input by its [N, T] mask */
    if (c->masked_moments && x->in_masks[0] && in->ndim == 2 && c->p == 1) {
        a.weights = x->in_masks[0]->data;
        a.weight_eps = MASK_EPS;
    }
    a.scratch = (char *)x->ws + (size_t)(2 * a.c) * dl4c_dtype_size(x->dtype);
    return a;
}

static void forward(dl4c_layer_ctx *x)
{
    const bn_cfg *c = x->layer->cfg;
    const struct dl4c_backend_norm *nb = x->be->norm;
    dl4c_bn_args a = args_of(x);
    void *moving_mean = x->params[c->i_mean]->data;
    void *moving_var = x->params[c->i_var]->data;
    if (!uses_batch_stats(x)) {
        nb->bn_forward(&a, x->dtype, x->in[0]->data, moving_mean, moving_var,
                       x->out->data);
        return;
    }
    void *mean = x->ws;
    void *var = (char *)x->ws + (size_t)a.c * dl4c_dtype_size(x->dtype);
    nb->bn_stats(&a, x->dtype, x->in[0]->data, mean, var);
    x->be->axpby(x->dtype, a.c, 1.0 - c->momentum, mean, c->momentum,
                 moving_mean);
    x->be->axpby(x->dtype, a.c, 1.0 - c->momentum, var, c->momentum,
                 moving_var);
    nb->bn_forward(&a, x->dtype, x->in[0]->data, mean, var, x->out->data);
}

static void backward(dl4c_layer_ctx *x)
{
    const bn_cfg *c = x->layer->cfg;
    dl4c_bn_args a = args_of(x);
    bool batch = uses_batch_stats(x);
    const void *mean = batch ? x->ws : x->params[c->i_mean]->data;
    const void *var =
        batch ? (char *)x->ws + (size_t)a.c * dl4c_dtype_size(x->dtype)
              : x->params[c->i_var]->data;
    void *dgamma =
        x->grads && c->i_gamma >= 0 ? x->grads[c->i_gamma]->data : NULL;
    void *dbeta = x->grads && c->i_beta >= 0 ? x->grads[c->i_beta]->data : NULL;
    void *dx = x->din[0] ? x->din[0]->data : NULL;
    if (dx || dgamma || dbeta)
        x->be->norm->bn_backward(&a, x->dtype, batch, x->in[0]->data, mean, var,
                                 x->dout->data, dx, dgamma, dbeta);
    if (x->grads) {
        x->be->fill(x->dtype, a.c, 0.0, x->grads[c->i_mean]->data);
        x->be->fill(x->dtype, a.c, 0.0, x->grads[c->i_var]->data);
    }
}

/* Keras 1 (mode 0 only; gamma and beta always), 2 and 3. */
static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    bool has_axis;
    int64_t axis = -1;
    const json_t *mode = dl4c_norm_keras_get(kcfg, "mode", NULL);
    if (mode && !(json_is_integer(mode) && json_integer_value(mode) == 0))
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s: BatchNormalization mode other than 0 "
                              "(feature-wise) is not supported",
                              k->where);
    DL4C_RETURN_IF(dl4c_norm_keras_refuse(k, kcfg, "renorm", "batch renorm"));
    DL4C_RETURN_IF(dl4c_norm_keras_refuse(k, kcfg, "virtual_batch_size",
                                          "ghost batch normalization"));
    if (dl4c_norm_keras_get(kcfg, "adjustment", NULL))
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s: 'adjustment' is not supported", k->where);
    {
        const json_t *ax = dl4c_norm_keras_get(kcfg, "axis", NULL);
        if (json_is_array(ax) && json_array_size(ax) > 1)
            return dl4c_error_set(DL4C_UNSUPPORTED,
                                  "%s: normalizing over several feature "
                                  "axes is not supported",
                                  k->where);
    }
    DL4C_RETURN_IF(dl4c_norm_keras_axis(k, kcfg, "axis", &has_axis, &axis));
    if (has_axis)
        DL4C_RETURN_IF(dl4c_cfg_set(
            out, "axis", json_integer(dl4c_norm_channels_last_axis(k, axis))));
    DL4C_RETURN_IF(
        dl4c_norm_keras_number(k, kcfg, "momentum", NULL, "momentum", out));
    DL4C_RETURN_IF(
        dl4c_norm_keras_number(k, kcfg, "epsilon", NULL, "epsilon", out));
    DL4C_RETURN_IF(dl4c_norm_keras_bool(k, kcfg, "center", "center", out));
    DL4C_RETURN_IF(dl4c_norm_keras_bool(k, kcfg, "scale", "scale", out));
    /* Keras 1 and 2 compute batch statistics over masked steps too */
    return dl4c_cfg_set(out, "masked_moments", json_boolean(k->major >= 3));
}

static const char *const keras_classes[] = {"BatchNormalization",
                                            "SyncBatchNormalization", NULL};

/* The examples keep momentum 1: the registry test compares the parameters
 * after its training-mode passes with those of a freshly built net, so
 * the moving statistics must not move there (tests/test_norm.c checks the
 * updates). */
static const char *const examples[] = {
    "{\"input\": [4], \"layer\": {\"type\": \"BatchNormalization\", "
    "\"momentum\": 1}}",
    "{\"input\": [2, 2, 3], \"layer\": {\"type\": \"BatchNormalization\", "
    "\"momentum\": 1, \"epsilon\": 0.01}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"BatchNormalization\", "
    "\"axis\": 1, \"momentum\": 1, \"center\": false}}",
    "{\"input\": [2, 3, 2], \"layer\": {\"type\": \"BatchNormalization\", "
    "\"axis\": -2, \"momentum\": 1, \"scale\": false}}",
    "{\"input\": [3], \"batch\": 4, \"layer\": {\"type\": "
    "\"BatchNormalization\", \"momentum\": 1, \"center\": false, \"scale\": "
    "false}}",
    "{\"input\": [4, 3], \"mask_value\": 0, \"layer\": {\"type\": "
    "\"BatchNormalization\", \"momentum\": 1}}",
    "{\"input\": [4, 3], \"mask_value\": 0, \"layer\": {\"type\": "
    "\"BatchNormalization\", \"momentum\": 1, \"masked_moments\": "
    "false}}",
    "{\"input\": [4], \"layer\": {\"type\": \"BatchNormalization\", "
    "\"axis\": 2}, \"error\": \"axis 2 is out of range for input [N, 4]\"}",
    "{\"input\": [4], \"layer\": {\"type\": \"BatchNormalization\", "
    "\"axis\": 0}, \"error\": \"axis 0 is the batch axis\"}",
    "{\"input\": [4], \"layer\": {\"type\": \"BatchNormalization\", "
    "\"momentum\": 1.5}, \"error\": \"key 'momentum' is 1.5\"}",
    NULL};

const dl4c_layer_type dl4c_layer_batch_normalization = {
    .name = "BatchNormalization",
    .keras_class = "BatchNormalization",
    .config_size = sizeof(bn_cfg),
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
