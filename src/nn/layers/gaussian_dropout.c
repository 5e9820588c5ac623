/* GaussianDropout, as Keras': while training, y = x * (1 + s * z) with z
 * standard normal per value and s = sqrt(rate / (1 - rate)), so each
 * value keeps its expectation; at inference y = x. The backward pass
 * redraws the same z from the step's seed. */
#include <math.h>

#include "nn/layers/norm_common.h"

typedef struct gdrop_cfg {
    double rate;
} gdrop_cfg;

static const char *const keys[] = {"rate", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    gdrop_cfg *c = l->cfg;
    return dl4c_cfg_double(l->where, j, "rate", true, 0, 0.999999, &c->rate);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const gdrop_cfg *c = l->cfg;
    return dl4c_cfg_set(j, "rate", json_real(c->rate));
}

static dl4c_status build(dl4c_layer *l)
{
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    l->out_shapes[0] = l->in_shapes[0];
    return DL4C_OK;
}

static double stddev_of(const gdrop_cfg *c)
{
    return sqrt(c->rate / (1.0 - c->rate));
}

static void forward(dl4c_layer_ctx *x)
{
    const gdrop_cfg *c = x->layer->cfg;
    if (x->training)
        x->be->norm->gaussian_noise(x->dtype, x->out->size, stddev_of(c), true,
                                    x->seed, x->in[0]->data, x->out->data);
    else
        x->be->copy(x->dtype, x->out->size, x->in[0]->data, x->out->data);
}

static void backward(dl4c_layer_ctx *x)
{
    const gdrop_cfg *c = x->layer->cfg;
    if (x->din[0])
        x->be->norm->gaussian_noise(x->dtype, x->out->size, stddev_of(c), true,
                                    x->seed, x->dout->data, x->din[0]->data);
}

/* Keras 1 calls the rate p. */
static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_norm_keras_number(k, kcfg, "rate", "p", "rate", out);
}

static const char *const keras_classes[] = {"GaussianDropout", NULL};

static const char *const examples[] = {
    "{\"input\": [6], \"layer\": {\"type\": \"GaussianDropout\", \"rate\": "
    "0.3}}",
    "{\"input\": [2, 3], \"layer\": {\"type\": \"GaussianDropout\", "
    "\"rate\": 0.5}}",
    "{\"input\": [3], \"layer\": {\"type\": \"GaussianDropout\", \"rate\": "
    "1}, \"error\": \"key 'rate' is 1\"}",
    NULL};

const dl4c_layer_type dl4c_layer_gaussian_dropout = {
    .name = "GaussianDropout",
    .keras_class = "GaussianDropout",
    .config_size = sizeof(gdrop_cfg),
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
