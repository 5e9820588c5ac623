/* Softmax layer, as Keras': y = exp(x) / sum(exp(x)) along `axis`
 * (default the last; any other axis works too). Masks pass through
 * unchanged: a [batch, time] mask does not select values of the softmax
 * axis. */
#include "nn/layers/norm_common.h"

typedef struct softmax_cfg {
    int64_t axis;
    int p;
} softmax_cfg;

static const char *const keys[] = {"axis", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    softmax_cfg *c = l->cfg;
    c->axis = -1;
    return dl4c_norm_cfg_axis(l, j, "axis", &c->axis);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const softmax_cfg *c = l->cfg;
    return dl4c_cfg_set(j, "axis", json_integer(c->axis));
}

static dl4c_status build(dl4c_layer *l)
{
    softmax_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    DL4C_RETURN_IF(dl4c_norm_axis(l, &l->in_shapes[0], c->axis, &c->p));
    l->out_shapes[0] = l->in_shapes[0];
    return DL4C_OK;
}

static void split(const dl4c_layer_ctx *x, int64_t *outer, int64_t *len,
                  int64_t *inner)
{
    const softmax_cfg *c = x->layer->cfg;
    dl4c_norm_split(&x->layer->in_shapes[0], c->p, c->p + 1, x->batch, outer,
                    len, inner);
}

static void forward(dl4c_layer_ctx *x)
{
    int64_t outer, len, inner;
    split(x, &outer, &len, &inner);
    x->be->softmax(x->dtype, outer, len, inner, false, x->in[0]->data,
                   x->out->data);
}

static void backward(dl4c_layer_ctx *x)
{
    int64_t outer, len, inner;
    if (!x->din[0])
        return;
    split(x, &outer, &len, &inner);
    x->be->norm->softmax_backward(x->dtype, outer, len, inner, x->out->data,
                                  x->dout->data, x->din[0]->data);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    bool has;
    int64_t axis = -1;
    DL4C_RETURN_IF(dl4c_norm_keras_axis(k, kcfg, "axis", &has, &axis));
    if (!has)
        return DL4C_OK;
    return dl4c_cfg_set(out, "axis",
                        json_integer(dl4c_norm_channels_last_axis(k, axis)));
}

static const char *const keras_classes[] = {"Softmax", NULL};

static const char *const examples[] = {
    "{\"input\": [5], \"layer\": {\"type\": \"Softmax\"}}",
    "{\"input\": [3, 4], \"layer\": {\"type\": \"Softmax\", \"axis\": 1}}",
    "{\"input\": [2, 3, 2], \"layer\": {\"type\": \"Softmax\", \"axis\": "
    "-2}}",
    "{\"input\": [4, 3], \"mask_value\": 0, \"layer\": {\"type\": "
    "\"Softmax\"}}",
    "{\"input\": [3, 4], \"layer\": {\"type\": \"Softmax\", \"axis\": 3}, "
    "\"error\": \"axis 3 is out of range for input [N, 3, 4]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_softmax = {
    .name = "Softmax",
    .keras_class = "Softmax",
    .config_size = sizeof(softmax_cfg),
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
