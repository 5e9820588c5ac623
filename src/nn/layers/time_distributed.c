/* TimeDistributed, as Keras: one inner layer of any type applied to every
 * time step by viewing [N, time, d...] as N*time examples [d...] and
 * calling the inner type's own functions, so no code per type and no
 * data movement. Masks pass through. Keras 1's TimeDistributedDense
 * imports as a TimeDistributed Dense. */
#include "core/error_internal.h"
#include "nn/layers/rnn_common.h"

typedef struct td_cfg {
    dl4c_layer *inner;
    int64_t steps;
} td_cfg;

static const char *const keys[] = {"layer", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    td_cfg *c = l->cfg;
    json_t *inner = json_object_get(j, "layer");
    if (!inner)
        return dl4c_error_set(DL4C_FORMAT, "%s: missing key 'layer'", l->where);
    return dl4c_wrap_parse(l, inner, "inner", &c->inner);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const td_cfg *c = l->cfg;
    return dl4c_cfg_set(j, "layer", dl4c_wrap_write(c->inner));
}

static void free_cfg(void *cfg)
{
    td_cfg *c = cfg;
    dl4c_wrap_free(c->inner);
}

static dl4c_status build(dl4c_layer *l)
{
    td_cfg *c = l->cfg;
    char a[96];
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    const dl4c_shape *in = &l->in_shapes[0];
    if (in->ndim < 2)
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "expects input [N, time, ...], got %s",
                                dl4c_layer_shape_text(in, a, sizeof a));
    c->steps = in->dim[0];
    dl4c_shape step = {.ndim = in->ndim - 1};
    for (int d = 1; d < in->ndim; d++)
        step.dim[d - 1] = in->dim[d];
    DL4C_RETURN_IF(dl4c_wrap_build(c->inner, 1, &step, NULL));
    if (c->inner->n_outputs != 1)
        return dl4c_layer_error(l, DL4C_UNSUPPORTED,
                                "the inner %s has %d outputs; TimeDistributed "
                                "takes one",
                                c->inner->type->name, c->inner->n_outputs);
    const dl4c_shape *o = &c->inner->out_shapes[0];
    if (o->ndim + 1 > DL4C_MAX_DIMS - 1)
        return dl4c_layer_error(l, DL4C_SHAPE, "output has too many dims");
    l->out_shapes[0].ndim = o->ndim + 1;
    l->out_shapes[0].dim[0] = c->steps;
    for (int d = 0; d < o->ndim; d++)
        l->out_shapes[0].dim[d + 1] = o->dim[d];
    return dl4c_wrap_add_params(l, c->inner, NULL, NULL);
}

static size_t workspace(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    const td_cfg *c = l->cfg;
    const dl4c_layer_type *t = c->inner->type;
    return t->workspace ? t->workspace(c->inner, batch * c->steps, dt) : 0;
}

static size_t state_size(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    const td_cfg *c = l->cfg;
    const dl4c_layer_type *t = c->inner->type;
    return t->state_size ? t->state_size(c->inner, batch * c->steps, dt) : 0;
}

/* The inner layer's context: the same arrays seen as N*time examples. */
typedef struct td_views {
    dl4c_tensor in, out, dout, din, no_mask;
    const dl4c_tensor *ins[1], *in_masks[1], *douts[1];
    dl4c_tensor *outs[1], *out_masks[1], *dins[1];
} td_views;

static void inner_ctx(dl4c_layer_ctx *x, td_views *v, dl4c_layer_ctx *ic,
                      bool backward)
{
    const td_cfg *c = x->layer->cfg;
    const dl4c_layer *in = c->inner;
    int64_t rows = x->batch * c->steps;
    dl4c_tensor_init_batch_view(&v->in, x->be, x->dtype, x->in[0]->data, rows,
                                &in->in_shapes[0]);
    dl4c_tensor_init_batch_view(&v->out, x->be, x->dtype, x->out->data, rows,
                                &in->out_shapes[0]);
    v->no_mask = (dl4c_tensor){0};
    v->ins[0] = &v->in;
    v->in_masks[0] = NULL;
    v->outs[0] = &v->out;
    v->out_masks[0] = &v->no_mask;
    *ic = *x;
    ic->layer = in;
    ic->batch = rows;
    ic->in = v->ins;
    ic->in_masks = v->in_masks;
    ic->out = &v->out;
    ic->outs = v->outs;
    ic->out_masks = v->out_masks;
    ic->packed = NULL;
    if (!backward)
        return;
    dl4c_tensor_init_batch_view(&v->dout, x->be, x->dtype, x->dout->data, rows,
                                &in->out_shapes[0]);
    v->douts[0] = &v->dout;
    v->dins[0] = NULL;
    if (x->din[0]) {
        dl4c_tensor_init_batch_view(&v->din, x->be, x->dtype, x->din[0]->data,
                                    rows, &in->in_shapes[0]);
        v->dins[0] = &v->din;
    }
    ic->dout = &v->dout;
    ic->douts = v->douts;
    ic->din = v->dins;
}

static void forward(dl4c_layer_ctx *x)
{
    const td_cfg *c = x->layer->cfg;
    td_views v;
    dl4c_layer_ctx ic;
    inner_ctx(x, &v, &ic, false);
    c->inner->type->forward(&ic);
}

static void backward(dl4c_layer_ctx *x)
{
    const td_cfg *c = x->layer->cfg;
    td_views v;
    dl4c_layer_ctx ic;
    inner_ctx(x, &v, &ic, true);
    c->inner->type->backward(&ic);
}

/* Keras 1's TimeDistributedDense (output_dim, activation, bias) is a
 * TimeDistributed Dense with the same weights */
static dl4c_status from_keras_dense(const dl4c_keras_ctx *k, const json_t *kcfg,
                                    json_t *out)
{
    json_t *units = json_object_get(kcfg, "output_dim");
    if (!json_is_integer(units))
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: 'output_dim' must be an integer", k->where);
    json_t *inner = json_pack("{s:s, s:I}", "type", "Dense", "units",
                              (json_int_t)json_integer_value(units));
    if (!inner)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    DL4C_RETURN_IF(dl4c_cfg_set(out, "layer", inner));
    json_t *act = NULL;
    DL4C_RETURN_IF(dl4c_keras_activation_json(
        k, json_object_get(kcfg, "activation"), &act));
    DL4C_RETURN_IF(dl4c_cfg_set(inner, "activation", act));
    return dl4c_keras_copy_bool(k, kcfg, "bias", inner, "use_bias");
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    json_t *inner = NULL;
    if (!json_object_get(kcfg, "layer") && json_object_get(kcfg, "output_dim"))
        return from_keras_dense(k, kcfg, out);
    DL4C_RETURN_IF(
        dl4c_wrap_from_keras(k, json_object_get(kcfg, "layer"), &inner));
    return dl4c_cfg_set(out, "layer", inner);
}

static dl4c_status keras_weights(const dl4c_keras_ctx *k, const dl4c_layer *l,
                                 int n, const dl4c_tensor *const *w,
                                 dl4c_tensor *const *params)
{
    const td_cfg *c = l->cfg;
    return dl4c_wrap_keras_weights(k, c->inner, n, w, params);
}

static const char *const keras_classes[] = {"TimeDistributed",
                                            "TimeDistributedDense", NULL};

static const char *const examples[] = {
    "{\"input\": [3, 4], \"layer\": {\"type\": \"TimeDistributed\", "
    "\"layer\": {\"type\": \"Dense\", \"units\": 2, \"activation\": "
    "\"tanh\"}}}",
    "{\"input\": [4, 3], \"mask_value\": 0.0, \"layer\": {\"type\": "
    "\"TimeDistributed\", \"layer\": {\"type\": \"Dense\", \"units\": 2}}}",
    "{\"input\": [2, 3, 2], \"layer\": {\"type\": \"TimeDistributed\", "
    "\"layer\": {\"type\": \"LSTM\", \"units\": 2, \"return_sequences\": "
    "true}}}",
    "{\"input\": [2, 3], \"int_inputs\": [4], \"layer\": {\"type\": "
    "\"TimeDistributed\", \"layer\": {\"type\": \"Embedding\", "
    "\"input_dim\": 4, \"output_dim\": 2, \"mask_zero\": true}}}",
    "{\"input\": [2, 4, 4, 1], \"layer\": {\"type\": \"TimeDistributed\", "
    "\"layer\": {\"type\": \"Conv2D\", \"filters\": 2, \"kernel_size\": 2, "
    "\"activation\": \"tanh\"}}}",
    "{\"input\": [4], \"layer\": {\"type\": \"TimeDistributed\", \"layer\": "
    "{\"type\": \"Dense\", \"units\": 2}}, \"error\": \"layer 'under_test': "
    "expects input [N, time, ...], got [N, 4]\"}",
    "{\"input\": [3, 4], \"layer\": {\"type\": \"TimeDistributed\", "
    "\"layer\": {\"type\": \"Dense\"}}, \"error\": \"layer 'under_test' "
    "(inner Dense): missing key 'units'\"}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"TimeDistributed\", "
    "\"layer\": {\"type\": \"LSTM\", \"units\": 2}}, \"error\": \"layer "
    "'under_test' (inner LSTM): expects input [N, time, features], got [N, "
    "2]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_time_distributed = {
    .name = "TimeDistributed",
    .keras_class = "TimeDistributed",
    .config_size = sizeof(td_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .workspace = workspace,
    .forward = forward,
    .backward = backward,
    .free_cfg = free_cfg,
    .state_size = state_size,
    .mask_mode = DL4C_MASK_PASS,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .keras_weights = keras_weights,
    .examples = examples,
};
