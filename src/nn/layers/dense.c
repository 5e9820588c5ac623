/* Dense (fully connected) layer: y = act(x W + b) over the last axis, so
 * [N, F] -> [N, units] and [N, T, F] -> [N, T, units] as in Keras. W is
 * [F, units] (Keras' kernel layout). The pre-activation is kept in the
 * workspace for the backward pass unless the activation is the identity. */
#include "import/keras_hooks.h"
#include "nn/dense_math.h"
#include "nn/layer_internal.h"

typedef struct dense_cfg {
    int64_t units;
    dl4c_activation act;
    bool use_bias;
} dense_cfg;

static const char *const keys[] = {"units", "activation", "use_bias", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    dense_cfg *c = l->cfg;
    c->act = dl4c_activation_default(DL4C_ACT_IDENTITY);
    c->use_bias = true;
    DL4C_RETURN_IF(dl4c_cfg_int(l->where, j, "units", true, 1, &c->units));
    DL4C_RETURN_IF(dl4c_cfg_activation(l->where, j, "activation", &c->act));
    return dl4c_cfg_bool(l->where, j, "use_bias", &c->use_bias);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const dense_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_cfg_set(j, "units", json_integer(c->units)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "activation", dl4c_cfg_activation_json(&c->act)));
    return dl4c_cfg_set(j, "use_bias", json_boolean(c->use_bias));
}

static dl4c_status build(dl4c_layer *l)
{
    dense_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    const dl4c_shape *in = &l->in_shapes[0];
    int64_t f = in->dim[in->ndim - 1];
    l->out_shapes[0] = *in;
    l->out_shapes[0].dim[in->ndim - 1] = c->units;
    int64_t w[2] = {f, c->units}, b[1] = {c->units};
    dl4c_layer_add_param(l, "W", 2, w, f, c->units, false);
    if (c->use_bias)
        dl4c_layer_add_param(l, "b", 1, b, f, c->units, true);
    return DL4C_OK;
}

static size_t workspace(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    const dense_cfg *c = l->cfg;
    if (c->act.id == DL4C_ACT_IDENTITY)
        return 0;
    return (size_t)(batch * dl4c_shape_size(&l->out_shapes[0])) *
           dl4c_dtype_size(dt);
}

static void forward(dl4c_layer_ctx *x)
{
    const dense_cfg *c = x->layer->cfg;
    void *z = c->act.id == DL4C_ACT_IDENTITY ? x->out->data : x->ws;
    dl4c_dense_forward(x, x->in[0], x->params[0],
                       c->use_bias ? x->params[1] : NULL, z);
    if (z != x->out->data)
        x->be->act_forward(&c->act, x->dtype, dl4c_tensor_rows(x->out),
                           c->units, z, x->out->data, x->training, x->seed);
}

static void backward(dl4c_layer_ctx *x)
{
    const dense_cfg *c = x->layer->cfg;
    const void *dz = x->dout->data;
    if (c->act.id != DL4C_ACT_IDENTITY) {
        /* dz overwrites the stored pre-activation */
        x->be->act_backward(&c->act, x->dtype, dl4c_tensor_rows(x->out),
                            c->units, x->ws, x->out->data, x->dout->data, x->ws,
                            x->training, x->seed);
        dz = x->ws;
    }
    dl4c_dense_backward(
        x, x->in[0], x->params[0], dz, x->grads ? x->grads[0] : NULL,
        x->grads && c->use_bias ? x->grads[1] : NULL, x->din[0]);
}

/* Keras 1 (output_dim, bias), 2 and 3 (units, use_bias); the kernel is
 * [inputs, units] in every version, so weights copy as they are. The
 * activation is always written: the importer may turn a final Dense into
 * an Output layer, whose default differs. */
static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    static const char *const units_keys[] = {"units", "output_dim", NULL};
    static const char *const bias_keys[] = {"use_bias", "bias", NULL};
    const json_t *units = dl4c_keras_first(kcfg, units_keys);
    const json_t *bias = dl4c_keras_first(kcfg, bias_keys);
    if (!json_is_integer(units) || json_integer_value(units) < 1)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: 'units' is not a positive "
                              "integer",
                              k->where);
    DL4C_RETURN_IF(
        dl4c_cfg_set(out, "units", json_integer(json_integer_value(units))));
    if (json_is_boolean(bias))
        DL4C_RETURN_IF(
            dl4c_cfg_set(out, "use_bias", json_boolean(json_is_true(bias))));
    return dl4c_keras_activation(k, json_object_get(kcfg, "activation"),
                                 "activation", out);
}

static const char *const examples[] = {
    "{\"input\": [5], \"layer\": {\"type\": \"Dense\", \"units\": 4, "
    "\"activation\": \"tanh\"}}",
    "{\"input\": [3, 6], \"layer\": {\"type\": \"Dense\", \"units\": 2, "
    "\"activation\": \"sigmoid\", \"use_bias\": false}}",
    "{\"input\": [4], \"layer\": {\"type\": \"Dense\", \"units\": 3, "
    "\"activation\": \"softmax\"}}",
    "{\"input\": [4], \"layer\": {\"type\": \"Dense\", \"units\": 3}}", NULL};

const dl4c_layer_type dl4c_layer_dense = {
    .name = "Dense",
    .keras_class = "Dense",
    .config_size = sizeof(dense_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .workspace = workspace,
    .forward = forward,
    .backward = backward,
    .examples = examples,
    .mask_mode = DL4C_MASK_PASS,
    .packs_weight = true,
    .from_keras = from_keras,
};
