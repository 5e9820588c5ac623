/* Activation layer: y = f(x) elementwise (softmax over the last axis),
 * any activation of the catalogue. Output shape = input shape. */
#include "import/keras_hooks.h"
#include "nn/layer_internal.h"

typedef struct activation_cfg {
    dl4c_activation act;
} activation_cfg;

static const char *const keys[] = {"activation", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    activation_cfg *c = l->cfg;
    if (!json_object_get(j, "activation"))
        return dl4c_layer_error(l, DL4C_FORMAT, "missing key 'activation'");
    return dl4c_cfg_activation(l->where, j, "activation", &c->act);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const activation_cfg *c = l->cfg;
    return dl4c_cfg_set(j, "activation", dl4c_cfg_activation_json(&c->act));
}

static dl4c_status build(dl4c_layer *l)
{
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    l->out_shapes[0] = l->in_shapes[0];
    return DL4C_OK;
}

static void forward(dl4c_layer_ctx *x)
{
    const activation_cfg *c = x->layer->cfg;
    x->be->act_forward(&c->act, x->dtype, dl4c_tensor_rows(x->out),
                       dl4c_tensor_cols(x->out), x->in[0]->data, x->out->data,
                       x->training, x->seed);
}

static void backward(dl4c_layer_ctx *x)
{
    const activation_cfg *c = x->layer->cfg;
    if (!x->din[0])
        return;
    x->be->act_backward(&c->act, x->dtype, dl4c_tensor_rows(x->out),
                        dl4c_tensor_cols(x->out), x->in[0]->data, x->out->data,
                        x->dout->data, x->din[0]->data, x->training, x->seed);
}

/* Keras' Activation layer: {"activation": name} in every version. */
static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_keras_activation(k, json_object_get(kcfg, "activation"),
                                 "activation", out);
}

static const char *const examples[] = {
    "{\"input\": [6], \"layer\": {\"type\": \"Activation\", "
    "\"activation\": \"elu\"}}",
    "{\"input\": [2, 3], \"layer\": {\"type\": \"Activation\", "
    "\"activation\": \"softmax\"}}",
    "{\"input\": [5], \"layer\": {\"type\": \"Activation\", "
    "\"activation\": {\"type\": \"leakyrelu\", \"alpha\": 0.2}}}",
    NULL};

const dl4c_layer_type dl4c_layer_activation = {
    .name = "Activation",
    .keras_class = "Activation",
    .config_size = sizeof(activation_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .forward = forward,
    .backward = backward,
    .examples = examples,
    .mask_mode = DL4C_MASK_PASS,
    .from_keras = from_keras,
};
