/* SpatialDropout1D/2D/3D, as Keras': while training, whole channels are
 * dropped (one draw per example and channel, shared by every time step or
 * pixel) and the rest scaled by 1/(1 - rate); at inference y = x. Input is
 * channels-last: [N, T, C], [N, H, W, C] or [N, D, H, W, C] (a
 * channels_first Keras model is imported in this layout). The three ranks
 * are one layer that differs only in the rank it checks, so they share
 * this file. */
#include "nn/layers/norm_common.h"

typedef struct sdrop_cfg {
    double rate;
} sdrop_cfg;

static const char *const keys[] = {"rate", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    sdrop_cfg *c = l->cfg;
    return dl4c_cfg_double(l->where, j, "rate", true, 0, 0.999999, &c->rate);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const sdrop_cfg *c = l->cfg;
    return dl4c_cfg_set(j, "rate", json_real(c->rate));
}

static dl4c_status build_rank(dl4c_layer *l, int rank, const char *layout)
{
    char text[96];
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    if (l->in_shapes[0].ndim != rank + 1)
        return dl4c_layer_error(l, DL4C_SHAPE, "takes %s input, got %s", layout,
                                dl4c_norm_shape_text(&l->in_shapes[0], text));
    l->out_shapes[0] = l->in_shapes[0];
    return DL4C_OK;
}

static dl4c_status build1(dl4c_layer *l)
{
    return build_rank(l, 1, "[N, time, channels]");
}

static dl4c_status build2(dl4c_layer *l)
{
    return build_rank(l, 2, "[N, height, width, channels]");
}

static dl4c_status build3(dl4c_layer *l)
{
    return build_rank(l, 3, "[N, depth, height, width, channels]");
}

/* [N, spatial, C]: one draw per (N, C) */
static void apply(dl4c_layer_ctx *x, const void *in, void *out)
{
    const sdrop_cfg *c = x->layer->cfg;
    const dl4c_shape *s = &x->layer->in_shapes[0];
    int64_t outer, mid, inner;
    dl4c_norm_split(s, 0, s->ndim - 1, x->batch, &outer, &mid, &inner);
    x->be->norm->dropout_shared(x->dtype, outer, mid, inner, c->rate, x->seed,
                                in, out);
}

static void forward(dl4c_layer_ctx *x)
{
    if (x->training)
        apply(x, x->in[0]->data, x->out->data);
    else
        x->be->copy(x->dtype, x->out->size, x->in[0]->data, x->out->data);
}

static void backward(dl4c_layer_ctx *x)
{
    if (x->din[0])
        apply(x, x->dout->data, x->din[0]->data);
}

/* Keras 1 calls the rate p; data_format needs nothing (the importer
 * brings channels_first data to channels-last). */
static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_norm_keras_number(k, kcfg, "rate", "p", "rate", out);
}

static const char *const classes1[] = {"SpatialDropout1D", NULL};
static const char *const classes2[] = {"SpatialDropout2D", NULL};
static const char *const classes3[] = {"SpatialDropout3D", NULL};

static const char *const examples1[] = {
    "{\"input\": [4, 3], \"layer\": {\"type\": \"SpatialDropout1D\", "
    "\"rate\": 0.5}}",
    "{\"input\": [4], \"layer\": {\"type\": \"SpatialDropout1D\", \"rate\": "
    "0.5}, \"error\": \"takes [N, time, channels] input, got [N, 4]\"}",
    NULL};

static const char *const examples2[] = {
    "{\"input\": [3, 2, 3], \"layer\": {\"type\": \"SpatialDropout2D\", "
    "\"rate\": 0.4}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"SpatialDropout2D\", "
    "\"rate\": 0.4}, \"error\": \"takes [N, height, width, channels] input, "
    "got [N, 3, 2]\"}",
    NULL};

static const char *const examples3[] = {
    "{\"input\": [2, 2, 2, 3], \"layer\": {\"type\": \"SpatialDropout3D\", "
    "\"rate\": 0.5}}",
    "{\"input\": [2, 2, 3], \"layer\": {\"type\": \"SpatialDropout3D\", "
    "\"rate\": 0.5}, \"error\": \"takes [N, depth, height, width, channels] "
    "input, got [N, 2, 2, 3]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_spatial_dropout1d = {
    .name = "SpatialDropout1D",
    .keras_class = "SpatialDropout1D",
    .config_size = sizeof(sdrop_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build1,
    .forward = forward,
    .backward = backward,
    .mask_mode = DL4C_MASK_PASS,
    .keras_classes = classes1,
    .from_keras = from_keras,
    .examples = examples1,
};

const dl4c_layer_type dl4c_layer_spatial_dropout2d = {
    .name = "SpatialDropout2D",
    .keras_class = "SpatialDropout2D",
    .config_size = sizeof(sdrop_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build2,
    .forward = forward,
    .backward = backward,
    .mask_mode = DL4C_MASK_PASS,
    .keras_classes = classes2,
    .from_keras = from_keras,
    .examples = examples2,
};

const dl4c_layer_type dl4c_layer_spatial_dropout3d = {
    .name = "SpatialDropout3D",
    .keras_class = "SpatialDropout3D",
    .config_size = sizeof(sdrop_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build3,
    .forward = forward,
    .backward = backward,
    .mask_mode = DL4C_MASK_PASS,
    .keras_classes = classes3,
    .from_keras = from_keras,
    .examples = examples3,
};
