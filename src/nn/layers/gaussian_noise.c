/* GaussianNoise, as Keras': while training, y = x + stddev * z with z
 * standard normal per value (drawn from the step's seed); at inference y
 * = x. The gradient passes through unchanged. */
#include "nn/layers/norm_common.h"

typedef struct noise_cfg {
    double stddev;
} noise_cfg;

static const char *const keys[] = {"stddev", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    noise_cfg *c = l->cfg;
    return dl4c_cfg_double(l->where, j, "stddev", true, 0, 1e6, &c->stddev);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const noise_cfg *c = l->cfg;
    return dl4c_cfg_set(j, "stddev", json_real(c->stddev));
}

static dl4c_status build(dl4c_layer *l)
{
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    l->out_shapes[0] = l->in_shapes[0];
    return DL4C_OK;
}

static void forward(dl4c_layer_ctx *x)
{
    const noise_cfg *c = x->layer->cfg;
    if (x->training)
        x->be->norm->gaussian_noise(x->dtype, x->out->size, c->stddev, false,
                                    x->seed, x->in[0]->data, x->out->data);
    else
        x->be->copy(x->dtype, x->out->size, x->in[0]->data, x->out->data);
}

static void backward(dl4c_layer_ctx *x)
{
    if (x->din[0])
        x->be->copy(x->dtype, x->out->size, x->dout->data, x->din[0]->data);
}

/* Keras 1 calls stddev sigma. */
static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_norm_keras_number(k, kcfg, "stddev", "sigma", "stddev", out);
}

static const char *const keras_classes[] = {"GaussianNoise", NULL};

static const char *const examples[] = {
    "{\"input\": [6], \"layer\": {\"type\": \"GaussianNoise\", \"stddev\": "
    "0.5}}",
    "{\"input\": [2, 3], \"layer\": {\"type\": \"GaussianNoise\", "
    "\"stddev\": 0.1}}",
    "{\"input\": [3], \"layer\": {\"type\": \"GaussianNoise\"}, \"error\": "
    "\"missing key 'stddev'\"}",
    NULL};

const dl4c_layer_type dl4c_layer_gaussian_noise = {
    .name = "GaussianNoise",
    .keras_class = "GaussianNoise",
    .config_size = sizeof(noise_cfg),
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
