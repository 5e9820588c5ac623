/* ThresholdedReLU, as Keras': y = x for x > theta, 0 otherwise (default
 * theta 1). Masks pass through. */
#include "nn/layers/norm_common.h"

typedef struct thr_cfg {
    dl4c_relu_args a; /* threshold = theta */
} thr_cfg;

static const char *const keys[] = {"theta", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    thr_cfg *c = l->cfg;
    c->a.threshold = 1.0;
    return dl4c_cfg_double(l->where, j, "theta", false, 0, 1e300,
                           &c->a.threshold);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const thr_cfg *c = l->cfg;
    return dl4c_cfg_set(j, "theta", json_real(c->a.threshold));
}

static dl4c_status build(dl4c_layer *l)
{
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    l->out_shapes[0] = l->in_shapes[0];
    return DL4C_OK;
}

static void forward(dl4c_layer_ctx *x)
{
    const thr_cfg *c = x->layer->cfg;
    x->be->norm->relu_forward(&c->a, x->dtype, x->out->size, x->in[0]->data,
                              x->out->data);
}

static void backward(dl4c_layer_ctx *x)
{
    const thr_cfg *c = x->layer->cfg;
    if (x->din[0])
        x->be->norm->relu_backward(&c->a, x->dtype, x->out->size,
                                   x->in[0]->data, x->dout->data,
                                   x->din[0]->data);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_norm_keras_number(k, kcfg, "theta", NULL, "theta", out);
}

static const char *const keras_classes[] = {"ThresholdedReLU", NULL};

static const char *const examples[] = {
    "{\"input\": [6], \"layer\": {\"type\": \"ThresholdedReLU\", \"theta\": "
    "0.3}}",
    "{\"input\": [2, 3], \"layer\": {\"type\": \"ThresholdedReLU\", "
    "\"theta\": 0}}",
    "{\"input\": [3], \"layer\": {\"type\": \"ThresholdedReLU\", \"theta\": "
    "-1}, \"error\": \"key 'theta' is -1\"}",
    NULL};

const dl4c_layer_type dl4c_layer_thresholded_relu = {
    .name = "ThresholdedReLU",
    .keras_class = "ThresholdedReLU",
    .config_size = sizeof(thr_cfg),
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
