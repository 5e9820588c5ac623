/* ELU, as Keras' layer: y = x for x > 0, alpha * (exp(x) - 1) otherwise
 * (default alpha 1), through the activation catalogue. Masks pass
 * through. */
#include "nn/layers/norm_common.h"

typedef struct elu_cfg {
    dl4c_activation act;
} elu_cfg;

static const char *const keys[] = {"alpha", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    elu_cfg *c = l->cfg;
    c->act = dl4c_activation_default(DL4C_ACT_ELU);
    c->act.alpha = 1.0;
    return dl4c_cfg_double(l->where, j, "alpha", false, -1e6, 1e6,
                           &c->act.alpha);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const elu_cfg *c = l->cfg;
    return dl4c_cfg_set(j, "alpha", json_real(c->act.alpha));
}

static dl4c_status build(dl4c_layer *l)
{
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    l->out_shapes[0] = l->in_shapes[0];
    return DL4C_OK;
}

static void forward(dl4c_layer_ctx *x)
{
    const elu_cfg *c = x->layer->cfg;
    x->be->act_forward(&c->act, x->dtype, x->out->size, 1, x->in[0]->data,
                       x->out->data, x->training, x->seed);
}

static void backward(dl4c_layer_ctx *x)
{
    const elu_cfg *c = x->layer->cfg;
    if (x->din[0])
        x->be->act_backward(&c->act, x->dtype, x->out->size, 1, x->in[0]->data,
                            x->out->data, x->dout->data, x->din[0]->data,
                            x->training, x->seed);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_norm_keras_number(k, kcfg, "alpha", NULL, "alpha", out);
}

static const char *const keras_classes[] = {"ELU", NULL};

static const char *const examples[] = {
    "{\"input\": [6], \"layer\": {\"type\": \"ELU\"}}",
    "{\"input\": [2, 3], \"layer\": {\"type\": \"ELU\", \"alpha\": 0.5}}",
    "{\"input\": [3], \"layer\": {\"type\": \"ELU\", \"alpha\": null}, "
    "\"error\": \"key 'alpha' must be a number\"}",
    NULL};

const dl4c_layer_type dl4c_layer_elu = {
    .name = "ELU",
    .keras_class = "ELU",
    .config_size = sizeof(elu_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .forward = forward,
    .backward = backward,
    .mask_mode = DL4C_MASK_PASS,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .examples = examples,
};
