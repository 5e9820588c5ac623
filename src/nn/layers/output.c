/* Output layer, as DL4J's OutputLayer: a dense layer, an activation and a
 * loss in one. Its backward pass starts from the labels; softmax with a
 * cross-entropy and sigmoid with binary cross-entropy use the fused
 * p - y gradient (see loss_head.h). */
#include "nn/dense_math.h"
#include "nn/layer_internal.h"
#include "nn/loss_head.h"

typedef struct output_cfg {
    int64_t units;
    bool use_bias;
    dl4c_loss_head head;
} output_cfg;

static const char *const keys[] = {"units",        "activation", "loss",
                                   "loss_weights", "use_bias",   "from_logits",
                                   "loss_scale",   NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    output_cfg *c = l->cfg;
    c->head.act = dl4c_activation_default(DL4C_ACT_SOFTMAX);
    c->head.loss = dl4c_loss_default(DL4C_LOSS_MCXENT);
    c->use_bias = true;
    DL4C_RETURN_IF(dl4c_cfg_int(l->where, j, "units", true, 1, &c->units));
    DL4C_RETURN_IF(dl4c_cfg_bool(l->where, j, "use_bias", &c->use_bias));
    return dl4c_loss_head_parse(&c->head, l, j);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const output_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_cfg_set(j, "units", json_integer(c->units)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "use_bias", json_boolean(c->use_bias)));
    return dl4c_loss_head_write(&c->head, j);
}

static dl4c_status build(dl4c_layer *l)
{
    output_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    const dl4c_shape *in = &l->in_shapes[0];
    int64_t f = in->dim[in->ndim - 1];
    l->out_shapes[0] = *in;
    l->out_shapes[0].dim[in->ndim - 1] = c->units;
    int64_t w[2] = {f, c->units}, b[1] = {c->units};
    dl4c_layer_add_param(l, "W", 2, w, f, c->units, false);
    if (c->use_bias)
        dl4c_layer_add_param(l, "b", 1, b, f, c->units, true);
    return dl4c_loss_head_build(&c->head, l, c->units);
}

/* [pre-activation | typed loss weights] */
static size_t z_bytes(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    return (size_t)(batch * dl4c_shape_size(&l->out_shapes[0])) *
           dl4c_dtype_size(dt);
}

static size_t workspace(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    const output_cfg *c = l->cfg;
    return z_bytes(l, batch, dt) +
           dl4c_loss_head_workspace(&c->head, dt,
                                    batch * dl4c_shape_size(&l->out_shapes[0]));
}

static void forward(dl4c_layer_ctx *x)
{
    const output_cfg *c = x->layer->cfg;
    dl4c_dense_forward(x, x->in[0], x->params[0],
                       c->use_bias ? x->params[1] : NULL, x->ws);
    x->be->act_forward(&c->head.act, x->dtype, dl4c_tensor_rows(x->out),
                       c->units, x->ws, x->out->data, x->training, x->seed);
}

static void *weights_ws(dl4c_layer_ctx *x)
{
    return (char *)x->ws + z_bytes(x->layer, x->batch, x->dtype);
}

static double score(dl4c_layer_ctx *x)
{
    const output_cfg *c = x->layer->cfg;
    return dl4c_loss_head_score(&c->head, x, weights_ws(x));
}

static dl4c_status check_labels(const dl4c_layer *l, const dl4c_tensor *y,
                                int64_t rows)
{
    const output_cfg *c = l->cfg;
    return dl4c_loss_head_check_labels(&c->head, l, y, rows, c->units);
}

static void backward(dl4c_layer_ctx *x)
{
    const output_cfg *c = x->layer->cfg;
    dl4c_loss_head_backward(&c->head, x, x->ws, x->ws, weights_ws(x));
    dl4c_dense_backward(
        x, x->in[0], x->params[0], x->ws, x->grads ? x->grads[0] : NULL,
        x->grads && c->use_bias ? x->grads[1] : NULL, x->din[0]);
}

static const dl4c_loss *loss_of(const dl4c_layer *l)
{
    const output_cfg *c = l->cfg;
    return &c->head.loss;
}

static void free_cfg(void *cfg)
{
    output_cfg *c = cfg;
    dl4c_loss_head_deinit(&c->head);
}

static const char *const examples[] = {
    "{\"input\": [5], \"layer\": {\"type\": \"Output\", \"units\": 3, "
    "\"activation\": \"softmax\", \"loss\": \"mcxent\"}}",
    "{\"input\": [5], \"layer\": {\"type\": \"Output\", \"units\": 4, "
    "\"activation\": \"softmax\", \"loss\": \"sparse_mcxent\"}}",
    "{\"input\": [4], \"layer\": {\"type\": \"Output\", \"units\": 3, "
    "\"activation\": \"softmax\", \"loss\": \"negativeloglikelihood\", "
    "\"loss_weights\": [1.0, 2.0, 0.5]}}",
    "{\"input\": [4], \"layer\": {\"type\": \"Output\", \"units\": 2, "
    "\"activation\": \"sigmoid\", \"loss\": \"xent\"}}",
    "{\"input\": [3], \"layer\": {\"type\": \"Output\", \"units\": 2, "
    "\"activation\": \"identity\", \"loss\": \"mse\", \"use_bias\": false}}",
    "{\"input\": [4], \"layer\": {\"type\": \"Output\", \"units\": 3, "
    "\"activation\": \"softmax\", \"loss\": \"kl_divergence\"}}",
    "{\"input\": [2, 4], \"layer\": {\"type\": \"Output\", \"units\": 3, "
    "\"activation\": \"tanh\", \"loss\": \"huber\"}}",
    "{\"input\": [4], \"layer\": {\"type\": \"Output\", \"units\": 3, "
    "\"activation\": \"identity\", \"loss\": \"sparse_mcxent\", "
    "\"from_logits\": true}}",
    "{\"input\": [4], \"layer\": {\"type\": \"Output\", \"units\": 3, "
    "\"activation\": \"identity\", \"loss\": \"mse\", \"from_logits\": "
    "true}, \"error\": \"not identity with mse\"}",
    NULL};

const dl4c_layer_type dl4c_layer_output = {
    .name = "Output",
    .keras_class = NULL,
    .config_size = sizeof(output_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .workspace = workspace,
    .forward = forward,
    .backward = backward,
    .score = score,
    .check_labels = check_labels,
    .loss_of = loss_of,
    .free_cfg = free_cfg,
    .examples = examples,
    .mask_mode = DL4C_MASK_PASS,
    .packs_weight = true,
};
