/* ReLU, as Keras' layer of that name (which is Keras' relu function):
 *   p = x > threshold ? x : 0  (threshold != 0), max(x, 0) otherwise
 *   p = min(max(p, 0), max_value)  when max_value is set
 *   y = p - negative_slope * max(threshold - x, 0)
 * Masks pass through. */
#include "nn/layers/norm_common.h"

typedef struct relu_cfg {
    dl4c_relu_args a;
} relu_cfg;

static const char *const keys[] = {"max_value", "negative_slope", "threshold",
                                   NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    relu_cfg *c = l->cfg;
    json_t *top = json_object_get(j, "max_value");
    c->a.has_max_value = top && !json_is_null(top);
    if (c->a.has_max_value)
        DL4C_RETURN_IF(dl4c_cfg_double(l->where, j, "max_value", true, 0, 1e300,
                                       &c->a.max_value));
    DL4C_RETURN_IF(dl4c_cfg_double(l->where, j, "negative_slope", false, 0, 1e6,
                                   &c->a.negative_slope));
    return dl4c_cfg_double(l->where, j, "threshold", false, -1e300, 1e300,
                           &c->a.threshold);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const relu_cfg *c = l->cfg;
    if (c->a.has_max_value)
        DL4C_RETURN_IF(dl4c_cfg_set(j, "max_value", json_real(c->a.max_value)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "negative_slope", json_real(c->a.negative_slope)));
    return dl4c_cfg_set(j, "threshold", json_real(c->a.threshold));
}

static dl4c_status build(dl4c_layer *l)
{
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    l->out_shapes[0] = l->in_shapes[0];
    return DL4C_OK;
}

static void forward(dl4c_layer_ctx *x)
{
    const relu_cfg *c = x->layer->cfg;
    x->be->norm->relu_forward(&c->a, x->dtype, x->out->size, x->in[0]->data,
                              x->out->data);
}

static void backward(dl4c_layer_ctx *x)
{
    const relu_cfg *c = x->layer->cfg;
    if (x->din[0])
        x->be->norm->relu_backward(&c->a, x->dtype, x->out->size,
                                   x->in[0]->data, x->dout->data,
                                   x->din[0]->data);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    DL4C_RETURN_IF(
        dl4c_norm_keras_number(k, kcfg, "max_value", NULL, "max_value", out));
    DL4C_RETURN_IF(dl4c_norm_keras_number(k, kcfg, "negative_slope", NULL,
                                          "negative_slope", out));
    return dl4c_norm_keras_number(k, kcfg, "threshold", NULL, "threshold", out);
}

static const char *const keras_classes[] = {"ReLU", NULL};

static const char *const examples[] = {
    "{\"input\": [6], \"layer\": {\"type\": \"ReLU\"}}",
    "{\"input\": [2, 4], \"layer\": {\"type\": \"ReLU\", \"max_value\": 0.5, "
    "\"negative_slope\": 0.1}}",
    "{\"input\": [6], \"layer\": {\"type\": \"ReLU\", \"threshold\": 0.2, "
    "\"negative_slope\": 0.3}}",
    "{\"input\": [6], \"layer\": {\"type\": \"ReLU\", \"threshold\": -0.4, "
    "\"max_value\": 0.6}}",
    "{\"input\": [6], \"layer\": {\"type\": \"ReLU\", \"max_value\": 6, "
    "\"threshold\": 0.5}}",
    "{\"input\": [3], \"layer\": {\"type\": \"ReLU\", \"max_value\": -1}, "
    "\"error\": \"key 'max_value' is -1\"}",
    NULL};

const dl4c_layer_type dl4c_layer_relu = {
    .name = "ReLU",
    .keras_class = "ReLU",
    .config_size = sizeof(relu_cfg),
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
