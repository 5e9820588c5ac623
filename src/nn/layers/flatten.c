/* Flatten layer: [N, d1, d2, ...] -> [N, d1*d2*...], keeping the row-major
 * (NHWC) order, as Keras' Flatten does for channels-last data. */
#include "nn/layer_internal.h"

static const char *const keys[] = {NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    (void)l;
    (void)j;
    return DL4C_OK;
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    (void)l;
    (void)j;
    return DL4C_OK;
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
    x->be->copy(x->dtype, x->out->size, x->in[0]->data, x->out->data);
}

static void backward(dl4c_layer_ctx *x)
{
    if (x->din[0])
        x->be->copy(x->dtype, x->out->size, x->dout->data, x->din[0]->data);
}

static const char *const examples[] = {
    "{\"input\": [3, 2, 2], \"layer\": {\"type\": \"Flatten\"}}",
    "{\"input\": [5], \"layer\": {\"type\": \"Flatten\"}}", NULL};

const dl4c_layer_type dl4c_layer_flatten = {
    .name = "Flatten",
    .keras_class = "Flatten",
    .config_size = 0,
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .forward = forward,
    .backward = backward,
    .examples = examples,
};
