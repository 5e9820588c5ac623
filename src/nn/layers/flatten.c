/* Flatten layer: [N, d1, d2, ...] -> [N, d1*d2*...], keeping the row-major
 * (channels-last) order, as Keras' Flatten does for channels-last data.
 * "order": "channels_first" flattens channel-major instead ([N, C, d...]
 * order): what Keras computes when the tensor it flattens is
 * channels-first, so a Dense layer after it keeps Keras' weight rows.
 * Keras' own data_format on Flatten means the opposite: with
 * "channels_first" Keras moves the channels last before flattening, which
 * is dl4c's default order. Masks are dropped, as in Keras. */
#include <string.h>

#include "nn/layers/spatial_internal.h"

typedef struct flatten_cfg {
    bool channels_first;
} flatten_cfg;

static const char *const keys[] = {"order", NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    flatten_cfg *c = l->cfg;
    return dl4c_spatial_order(l, j, &c->channels_first);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const flatten_cfg *c = l->cfg;
    return dl4c_cfg_set(
        j, "order",
        json_string(c->channels_first ? "channels_first" : "channels_last"));
}

static dl4c_status build(dl4c_layer *l)
{
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    l->out_shapes[0].ndim = 1;
    l->out_shapes[0].dim[0] = dl4c_shape_size(&l->in_shapes[0]);
    return DL4C_OK;
}

static void forward(dl4c_layer_ctx *x)
{
    const flatten_cfg *c = x->layer->cfg;
    if (c->channels_first)
        dl4c_spatial_channel_major(x, &x->layer->in_shapes[0], x->in[0]->data,
                                   x->out->data, false);
    else
        x->be->copy(x->dtype, x->out->size, x->in[0]->data, x->out->data);
}

static void backward(dl4c_layer_ctx *x)
{
    const flatten_cfg *c = x->layer->cfg;
    if (!x->din[0])
        return;
    if (c->channels_first)
        dl4c_spatial_channel_major(x, &x->layer->in_shapes[0], x->dout->data,
                                   x->din[0]->data, true);
    else
        x->be->copy(x->dtype, x->out->size, x->dout->data, x->din[0]->data);
}

/* Keras 2/3 Flatten(data_format="channels_first") permutes to channels-last
 * first: dl4c's default order. Otherwise Keras flattens the tensor as it
 * is, so when the importer says that tensor is channels-first (Keras 1
 * "th" models, or channels_first convolutions before a default Flatten)
 * the order is channel-major. */
static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    const json_t *df = json_object_get(kcfg, "data_format");
    bool keras_permutes = json_is_string(df) &&
                          strcmp(json_string_value(df), "channels_first") == 0;
    if (!keras_permutes && k->channels_first)
        return dl4c_cfg_set(out, "order", json_string("channels_first"));
    return DL4C_OK;
}

static const char *const keras_classes[] = {"Flatten", NULL};

static const char *const examples[] = {
    "{\"input\": [3, 2, 2], \"layer\": {\"type\": \"Flatten\"}}",
    "{\"input\": [5], \"layer\": {\"type\": \"Flatten\"}}",
    "{\"input\": [2, 3, 2], \"layer\": {\"type\": \"Flatten\", \"order\": "
    "\"channels_first\"}}",
    "{\"input\": [3], \"layer\": {\"type\": \"Flatten\", \"order\": "
    "\"channels_first\"}}",
    "{\"input\": [3], \"layer\": {\"type\": \"Flatten\", \"order\": \"hwc\"}, "
    "\"error\": \"order 'hwc' is not 'channels_last' or 'channels_first'\"}",
    "{\"input\": [3, 2], \"mask_value\": 0, \"layer\": {\"type\": "
    "\"Flatten\"}}",
    NULL};

const dl4c_layer_type dl4c_layer_flatten = {
    .name = "Flatten",
    .keras_class = "Flatten",
    .config_size = sizeof(flatten_cfg),
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
