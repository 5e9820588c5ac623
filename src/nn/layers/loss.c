/* Loss layer, as DL4J's LossLayer: an activation and a loss with no
 * parameters, ending a net whose last layer computes the values itself.
 * Output shape = input shape. */
#include "nn/layer_internal.h"
#include "nn/loss_head.h"

typedef struct loss_cfg {
    dl4c_loss_head head;
} loss_cfg;

static const char *const keys[] = {"activation",  "loss",       "loss_weights",
                                   "from_logits", "loss_scale", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    loss_cfg *c = l->cfg;
    c->head.act = dl4c_activation_default(DL4C_ACT_IDENTITY);
    c->head.loss = dl4c_loss_default(DL4C_LOSS_MSE);
    return dl4c_loss_head_parse(&c->head, l, j);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const loss_cfg *c = l->cfg;
    return dl4c_loss_head_write(&c->head, j);
}

static int64_t width(const dl4c_layer *l)
{
    return l->out_shapes[0].dim[l->out_shapes[0].ndim - 1];
}

static dl4c_status build(dl4c_layer *l)
{
    loss_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    l->out_shapes[0] = l->in_shapes[0];
    return dl4c_loss_head_build(&c->head, l, width(l));
}

/* [gradient scratch | typed loss weights] */
static size_t grad_bytes(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    return (size_t)(batch * dl4c_shape_size(&l->out_shapes[0])) *
           dl4c_dtype_size(dt);
}

static size_t workspace(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    const loss_cfg *c = l->cfg;
    return grad_bytes(l, batch, dt) +
           dl4c_loss_head_workspace(&c->head, dt,
                                    batch * dl4c_shape_size(&l->out_shapes[0]));
}

static void *weights_ws(dl4c_layer_ctx *x)
{
    return (char *)x->ws + grad_bytes(x->layer, x->batch, x->dtype);
}

static void forward(dl4c_layer_ctx *x)
{
    const loss_cfg *c = x->layer->cfg;
    x->be->act_forward(&c->head.act, x->dtype, dl4c_tensor_rows(x->out),
                       width(x->layer), x->in[0]->data, x->out->data,
                       x->training, x->seed);
}

static double score(dl4c_layer_ctx *x)
{
    const loss_cfg *c = x->layer->cfg;
    return dl4c_loss_head_score(&c->head, x, weights_ws(x));
}

static dl4c_status check_labels(const dl4c_layer *l, const dl4c_tensor *y,
                                int64_t rows)
{
    const loss_cfg *c = l->cfg;
    return dl4c_loss_head_check_labels(&c->head, l, y, rows, width(l));
}

static void backward(dl4c_layer_ctx *x)
{
    const loss_cfg *c = x->layer->cfg;
    void *dz = x->din[0] ? x->din[0]->data : x->ws;
    dl4c_loss_head_backward(&c->head, x, x->in[0]->data, dz, weights_ws(x));
}

static const dl4c_loss *loss_of(const dl4c_layer *l)
{
    const loss_cfg *c = l->cfg;
    return &c->head.loss;
}

static void free_cfg(void *cfg)
{
    loss_cfg *c = cfg;
    dl4c_loss_head_deinit(&c->head);
}

static const char *const examples[] = {
    "{\"input\": [4], \"layer\": {\"type\": \"Loss\", \"loss\": \"mse\"}}",
    "{\"input\": [3], \"layer\": {\"type\": \"Loss\", \"loss\": \"mcxent\", "
    "\"activation\": \"softmax\"}}",
    "{\"input\": [3], \"layer\": {\"type\": \"Loss\", \"loss\": \"l1\", "
    "\"activation\": \"tanh\", \"loss_weights\": [0.5, 1.0, 2.0]}}",
    "{\"input\": [3], \"layer\": {\"type\": \"Loss\", \"loss\": \"mcxent\", "
    "\"from_logits\": true, \"loss_weights\": [0.5, 1.0, 2.0]}}",
    "{\"input\": [2], \"layer\": {\"type\": \"Loss\", \"loss\": \"xent\", "
    "\"from_logits\": true}}",
    "{\"input\": [3], \"layer\": {\"type\": \"Loss\", \"loss\": \"mse\", "
    "\"loss_scale\": 0.3}}",
    "{\"input\": [3], \"layer\": {\"type\": \"Loss\", \"loss\": \"mcxent\", "
    "\"activation\": \"softmax\", \"from_logits\": true}, \"error\": "
    "\"from_logits needs activation identity and loss mcxent\"}",
    NULL};

const dl4c_layer_type dl4c_layer_loss = {
    .name = "Loss",
    .keras_class = NULL,
    .config_size = sizeof(loss_cfg),
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
};
