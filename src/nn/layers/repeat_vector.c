/* RepeatVector: [N, F] -> [N, n, F], the input repeated n times along a
 * new time axis, as Keras' RepeatVector. Forward and backward are the
 * backend's nearest upsampling of a length-1 sequence. Masks are dropped,
 * as in Keras. */
#include "nn/layers/spatial_internal.h"

typedef struct repeat_cfg {
    int64_t n;
} repeat_cfg;

static const char *const keys[] = {"n", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    repeat_cfg *c = l->cfg;
    return dl4c_cfg_int(l->where, j, "n", true, 1, &c->n);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const repeat_cfg *c = l->cfg;
    return dl4c_cfg_set(j, "n", json_integer(c->n));
}

static dl4c_status build(dl4c_layer *l)
{
    const repeat_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    const dl4c_shape *in = &l->in_shapes[0];
    if (in->ndim != 1) {
        char a[160];
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "takes [N, features] input, got %s",
                                dl4c_layer_shape_text(in, a, sizeof a));
    }
    l->out_shapes[0].ndim = 2;
    l->out_shapes[0].dim[0] = c->n;
    l->out_shapes[0].dim[1] = in->dim[0];
    return DL4C_OK;
}

static void forward(dl4c_layer_ctx *x)
{
    const repeat_cfg *c = x->layer->cfg;
    const int64_t one[3] = {1, 1, 1}, f[3] = {1, 1, c->n};
    x->be->pool->upsample_forward(x->dtype, x->batch, one, f,
                                  x->layer->in_shapes[0].dim[0], x->in[0]->data,
                                  x->out->data);
}

static void backward(dl4c_layer_ctx *x)
{
    const repeat_cfg *c = x->layer->cfg;
    const int64_t one[3] = {1, 1, 1}, f[3] = {1, 1, c->n};
    if (x->din[0])
        x->be->pool->upsample_backward(x->dtype, x->batch, one, f,
                                       x->layer->in_shapes[0].dim[0],
                                       x->dout->data, x->din[0]->data);
}

/* Keras 1, 2 and 3: n. */
static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    const json_t *v = dl4c_keras_get(kcfg, "n", NULL);
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return dl4c_error_set(DL4C_FORMAT, "%s: n must be an integer >= 1",
                              k->where);
    return dl4c_cfg_set(out, "n", json_integer(json_integer_value(v)));
}

static const char *const keras_classes[] = {"RepeatVector", NULL};

static const char *const examples[] = {
    "{\"input\": [3], \"layer\": {\"type\": \"RepeatVector\", \"n\": 2}}",
    "{\"input\": [2], \"layer\": {\"type\": \"RepeatVector\", \"n\": 1}}",
    "{\"input\": [2, 3], \"layer\": {\"type\": \"RepeatVector\", \"n\": 2}, "
    "\"error\": \"takes [N, features] input, got [N, 2, 3]\"}",
    "{\"input\": [3], \"layer\": {\"type\": \"RepeatVector\"}, \"error\": "
    "\"missing key 'n'\"}",
    NULL};

const dl4c_layer_type dl4c_layer_repeat_vector = {
    .name = "RepeatVector",
    .keras_class = "RepeatVector",
    .config_size = sizeof(repeat_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .forward = forward,
    .backward = backward,
    .mask_mode = DL4C_MASK_DROP,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .examples = examples,
};
