/* Embedding, as Keras: inputs hold integer indices (as float values, cast
 * toward zero) and each becomes its row of W [input_dim, output_dim], so
 * [N, d...] -> [N, d..., output_dim]. An index outside [0, input_dim)
 * (or NaN) gives a zero vector and no gradient, as TensorFlow does on a
 * GPU; no error is raised while the net runs. mask_zero masks the steps
 * whose index is 0 (inputs [N, time]). Indices get no gradient. */
#include "nn/layers/rnn_common.h"

typedef struct embedding_cfg {
    int64_t input_dim, output_dim;
    bool mask_zero;
} embedding_cfg;

static const char *const keys[] = {"input_dim", "output_dim", "mask_zero",
                                   NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    embedding_cfg *c = l->cfg;
    DL4C_RETURN_IF(
        dl4c_cfg_int(l->where, j, "input_dim", true, 1, &c->input_dim));
    DL4C_RETURN_IF(
        dl4c_cfg_int(l->where, j, "output_dim", true, 1, &c->output_dim));
    return dl4c_cfg_bool(l->where, j, "mask_zero", &c->mask_zero);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const embedding_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_cfg_set(j, "input_dim", json_integer(c->input_dim)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "output_dim", json_integer(c->output_dim)));
    return dl4c_cfg_set(j, "mask_zero", json_boolean(c->mask_zero));
}

static dl4c_status build(dl4c_layer *l)
{
    embedding_cfg *c = l->cfg;
    char a[96];
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    const dl4c_shape *in = &l->in_shapes[0];
    if (in->ndim + 1 >= DL4C_MAX_DIMS)
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "input %s has too many dims for an output "
                                "with one more",
                                dl4c_layer_shape_text(in, a, sizeof a));
    if (c->mask_zero && in->ndim != 1)
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "mask_zero needs input [N, time], got %s",
                                dl4c_layer_shape_text(in, a, sizeof a));
    l->out_shapes[0] = *in;
    l->out_shapes[0].dim[in->ndim] = c->output_dim;
    l->out_shapes[0].ndim = in->ndim + 1;
    l->out_has_mask[0] = c->mask_zero;
    int64_t w[2] = {c->input_dim, c->output_dim};
    dl4c_layer_add_param(l, "W", 2, w, c->input_dim, c->output_dim, false);
    return DL4C_OK;
}

static void forward(dl4c_layer_ctx *x)
{
    const embedding_cfg *c = x->layer->cfg;
    int64_t n = x->in[0]->size;
    x->be->rnn->embedding(x->dtype, n, x->in[0]->data, c->input_dim,
                          c->output_dim, x->params[0]->data, x->out->data);
    if (x->layer->out_has_mask[0])
        x->be->rnn->value_mask(x->dtype, n, 1, 0.0, x->in[0]->data,
                               x->out_masks[0]->data);
}

static void backward(dl4c_layer_ctx *x)
{
    const embedding_cfg *c = x->layer->cfg;
    if (x->grads)
        x->be->rnn->embedding_backward(x->dtype, x->in[0]->size, x->in[0]->data,
                                       c->input_dim, c->output_dim,
                                       x->dout->data, x->grads[0]->data);
    if (x->din[0])
        x->be->fill(x->dtype, x->din[0]->size, 0.0, x->din[0]->data);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    static const char *const ints[] = {"input_dim", "output_dim"};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(kcfg, ints[i]);
        if (!json_is_integer(v))
            return dl4c_error_set(DL4C_FORMAT, "%s: '%s' must be an integer",
                                  k->where, ints[i]);
        DL4C_RETURN_IF(
            dl4c_cfg_set(out, ints[i], json_integer(json_integer_value(v))));
    }
    return dl4c_keras_copy_bool(k, kcfg, "mask_zero", out, "mask_zero");
}

static const char *const keras_classes[] = {"Embedding", NULL};

static const char *const examples[] = {
    "{\"input\": [4], \"int_inputs\": [5], \"layer\": {\"type\": "
    "\"Embedding\", \"input_dim\": 5, \"output_dim\": 3}}",
    "{\"input\": [5], \"int_inputs\": [3], \"layer\": {\"type\": "
    "\"Embedding\", \"input_dim\": 3, \"output_dim\": 2, \"mask_zero\": "
    "true}}",
    "{\"input\": [2, 3], \"int_inputs\": [4], \"layer\": {\"type\": "
    "\"Embedding\", \"input_dim\": 4, \"output_dim\": 2}}",
    "{\"input\": [2, 3], \"layer\": {\"type\": \"Embedding\", \"input_dim\": "
    "4, \"output_dim\": 2, \"mask_zero\": true}, \"error\": \"layer "
    "'under_test': mask_zero needs input [N, time], got [N, 2, 3]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_embedding = {
    .name = "Embedding",
    .keras_class = "Embedding",
    .config_size = sizeof(embedding_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .forward = forward,
    .backward = backward,
    .mask_mode = DL4C_MASK_CUSTOM,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .examples = examples,
};
