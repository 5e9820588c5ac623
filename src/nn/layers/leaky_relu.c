/* LeakyReLU, as Keras': y = x for x > 0, alpha * x otherwise (Keras'
 * default alpha 0.3; Keras 3 calls it negative_slope). Masks pass
 * through. */
#include "nn/layers/norm_common.h"

typedef struct leaky_cfg {
    dl4c_relu_args a; /* negative_slope = alpha */
} leaky_cfg;

static const char *const keys[] = {"alpha", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    leaky_cfg *c = l->cfg;
    c->a.negative_slope = 0.3;
    return dl4c_cfg_double(l->where, j, "alpha", false, -1e6, 1e6,
                           &c->a.negative_slope);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const leaky_cfg *c = l->cfg;
    return dl4c_cfg_set(j, "alpha", json_real(c->a.negative_slope));
}

static dl4c_status build(dl4c_layer *l)
{
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    l->out_shapes[0] = l->in_shapes[0];
    return DL4C_OK;
}

static void forward(dl4c_layer_ctx *x)
{
    const leaky_cfg *c = x->layer->cfg;
    x->be->norm->relu_forward(&c->a, x->dtype, x->out->size, x->in[0]->data,
                              x->out->data);
}

static void backward(dl4c_layer_ctx *x)
{
    const leaky_cfg *c = x->layer->cfg;
    if (x->din[0])
        x->be->norm->relu_backward(&c->a, x->dtype, x->out->size,
                                   x->in[0]->data, x->dout->data,
                                   x->din[0]->data);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_norm_keras_number(k, kcfg, "negative_slope", "alpha", "alpha",
                                  out);
}

static const char *const keras_classes[] = {"LeakyReLU", NULL};

static const char *const examples[] = {
    "{\"input\": [6], \"layer\": {\"type\": \"LeakyReLU\"}}",
    "{\"input\": [2, 3], \"layer\": {\"type\": \"LeakyReLU\", \"alpha\": "
    "0.05}}",
    "{\"input\": [3], \"layer\": {\"type\": \"LeakyReLU\", \"alpha\": "
    "\"x\"}, \"error\": \"key 'alpha' must be a number\"}",
    NULL};

const dl4c_layer_type dl4c_layer_leaky_relu = {
    .name = "LeakyReLU",
    .keras_class = "LeakyReLU",
    .config_size = sizeof(leaky_cfg),
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
