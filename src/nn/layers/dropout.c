/* Dropout layer (inverted dropout): while training, each value is zeroed
 * with probability `rate` and the rest scaled by 1/(1-rate); at inference
 * it passes values through. `rate` is the drop probability, as in Keras
 * (DL4J's dropOut(p) takes the retain probability). The mask is recomputed
 * from the step's seed in the backward pass, so nothing is stored. */
#include "import/keras_hooks.h"
#include "nn/layer_internal.h"

typedef struct dropout_cfg {
    double rate;
} dropout_cfg;

static const char *const keys[] = {"rate", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    dropout_cfg *c = l->cfg;
    return dl4c_cfg_double(l->where, j, "rate", true, 0.0, 0.999999, &c->rate);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const dropout_cfg *c = l->cfg;
    return dl4c_cfg_set(j, "rate", json_real(c->rate));
}

static dl4c_status build(dl4c_layer *l)
{
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    l->out_shapes[0] = l->in_shapes[0];
    return DL4C_OK;
}

static void forward(dl4c_layer_ctx *x)
{
    const dropout_cfg *c = x->layer->cfg;
    if (x->training)
        x->be->dropout(x->dtype, x->out->size, c->rate, x->seed, x->in[0]->data,
                       x->out->data);
    else
        x->be->copy(x->dtype, x->out->size, x->in[0]->data, x->out->data);
}

static void backward(dl4c_layer_ctx *x)
{
    const dropout_cfg *c = x->layer->cfg;
    if (!x->din[0])
        return;
    x->be->dropout(x->dtype, x->out->size, c->rate, x->seed, x->dout->data,
                   x->din[0]->data);
}

/* Keras 2/3 "rate", Keras 1 "p": the drop probability in every version.
 * noise_shape and seed only change which values a training step drops. */
static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    static const char *const rate_keys[] = {"rate", "p", NULL};
    const json_t *rate = dl4c_keras_first(kcfg, rate_keys);
    if (!json_is_number(rate))
        return dl4c_error_set(DL4C_FORMAT, "%s: no dropout rate", k->where);
    return dl4c_cfg_set(out, "rate", json_real(json_number_value(rate)));
}

static const char *const examples[] = {
    "{\"input\": [8], \"layer\": {\"type\": \"Dropout\", \"rate\": 0.3}}",
    "{\"input\": [2, 5], \"layer\": {\"type\": \"Dropout\", \"rate\": 0.5}}",
    NULL};

const dl4c_layer_type dl4c_layer_dropout = {
    .name = "Dropout",
    .keras_class = "Dropout",
    .config_size = sizeof(dropout_cfg),
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
