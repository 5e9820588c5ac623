/* Masking, as Keras: a time step whose values all equal mask_value is
 * masked and zeroed, and the [N, time] mask goes downstream. Keras
 * compares over the last axis only; dl4c's masks are per time step, so
 * inputs with several feature axes mask a step when all of it matches. */
#include "nn/layers/rnn_common.h"

typedef struct masking_cfg {
    double mask_value;
} masking_cfg;

static const char *const keys[] = {"mask_value", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    masking_cfg *c = l->cfg;
    c->mask_value = 0.0;
    return dl4c_cfg_double(l->where, j, "mask_value", false, -1e308, 1e308,
                           &c->mask_value);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const masking_cfg *c = l->cfg;
    return dl4c_cfg_set(j, "mask_value", json_real(c->mask_value));
}

static dl4c_status build(dl4c_layer *l)
{
    char a[96];
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    if (l->in_shapes[0].ndim < 2)
        return dl4c_layer_error(
            l, DL4C_SHAPE, "expects input [N, time, features...], got %s",
            dl4c_layer_shape_text(&l->in_shapes[0], a, sizeof a));
    l->out_shapes[0] = l->in_shapes[0];
    l->out_has_mask[0] = true;
    return DL4C_OK;
}

static size_t workspace(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    return (size_t)(batch * l->in_shapes[0].dim[0]) * dl4c_dtype_size(dt);
}

static void forward(dl4c_layer_ctx *x)
{
    const masking_cfg *c = x->layer->cfg;
    int64_t rows = x->batch * x->layer->in_shapes[0].dim[0];
    int64_t cols = x->out->size / rows;
    x->be->rnn->value_mask(x->dtype, rows, cols, c->mask_value, x->in[0]->data,
                           x->ws);
    x->be->rnn->mask_rows(x->dtype, rows, cols, x->ws, x->in[0]->data,
                          x->out->data);
    if (x->layer->out_has_mask[0])
        x->be->copy(x->dtype, rows, x->ws, x->out_masks[0]->data);
}

static void backward(dl4c_layer_ctx *x)
{
    if (!x->din[0])
        return;
    int64_t rows = x->batch * x->layer->in_shapes[0].dim[0];
    x->be->rnn->mask_rows(x->dtype, rows, x->out->size / rows, x->ws,
                          x->dout->data, x->din[0]->data);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    json_t *v = json_object_get(kcfg, "mask_value");
    if (!v)
        return DL4C_OK;
    if (!json_is_number(v))
        return dl4c_error_set(DL4C_FORMAT, "%s: 'mask_value' must be a number",
                              k->where);
    return dl4c_cfg_set(out, "mask_value", json_real(json_number_value(v)));
}

static const char *const keras_classes[] = {"Masking", NULL};

static const char *const examples[] = {
    "{\"input\": [4, 3], \"layer\": {\"type\": \"Masking\", \"mask_value\": "
    "0.0}}",
    "{\"input\": [4, 2], \"mask_value\": 0.5, \"layer\": {\"type\": "
    "\"Masking\", \"mask_value\": 0.5}}",
    "{\"input\": [4], \"layer\": {\"type\": \"Masking\"}, \"error\": "
    "\"layer 'under_test': expects input [N, time, features...], got [N, "
    "4]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_masking = {
    .name = "Masking",
    .keras_class = "Masking",
    .config_size = sizeof(masking_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .workspace = workspace,
    .forward = forward,
    .backward = backward,
    .mask_mode = DL4C_MASK_CUSTOM,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .examples = examples,
};
