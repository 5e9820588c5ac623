/* AlphaDropout, as Keras': while training, each value is kept with
 * probability 1 - rate or set to SELU's negative saturation -lambda*alpha,
 * then the whole is scaled and shifted (y = a * x' + b) so that inputs
 * with zero mean and unit variance keep them, which keeps a SELU network
 * self-normalizing. At inference y = x. The keep draws are recomputed from
 * the step's seed in the backward pass, dx = a * keep * dy. */
#include "nn/layers/norm_common.h"

typedef struct adrop_cfg {
    double rate;
} adrop_cfg;

static const char *const keys[] = {"rate", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    adrop_cfg *c = l->cfg;
    return dl4c_cfg_double(l->where, j, "rate", true, 0, 0.999999, &c->rate);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const adrop_cfg *c = l->cfg;
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
    const adrop_cfg *c = x->layer->cfg;
    if (x->training)
        x->be->norm->alpha_dropout(x->dtype, x->out->size, c->rate, x->seed,
                                   false, x->in[0]->data, x->out->data);
    else
        x->be->copy(x->dtype, x->out->size, x->in[0]->data, x->out->data);
}

static void backward(dl4c_layer_ctx *x)
{
    const adrop_cfg *c = x->layer->cfg;
    if (x->din[0])
        x->be->norm->alpha_dropout(x->dtype, x->out->size, c->rate, x->seed,
                                   true, x->dout->data, x->din[0]->data);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    if (dl4c_norm_keras_get(kcfg, "noise_shape", NULL))
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s: AlphaDropout with a noise_shape is not "
                              "supported",
                              k->where);
    return dl4c_norm_keras_number(k, kcfg, "rate", NULL, "rate", out);
}

static const char *const keras_classes[] = {"AlphaDropout", NULL};

static const char *const examples[] = {
    "{\"input\": [8], \"layer\": {\"type\": \"AlphaDropout\", \"rate\": "
    "0.3}}",
    "{\"input\": [2, 3], \"layer\": {\"type\": \"AlphaDropout\", \"rate\": "
    "0.5}}",
    "{\"input\": [3], \"layer\": {\"type\": \"AlphaDropout\", \"rate\": "
    "-0.1}, \"error\": \"key 'rate' is -0.1\"}",
    NULL};

const dl4c_layer_type dl4c_layer_alpha_dropout = {
    .name = "AlphaDropout",
    .keras_class = "AlphaDropout",
    .config_size = sizeof(adrop_cfg),
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
