/* Global max and average pooling (GlobalMaxPooling1D ...
 * GlobalAveragePooling3D): [N, d..., C] -> [N, C], or [N, 1, ..., 1, C]
 * with keepdims. The 1D layers take the time mask of their input into
 * account when "masked" (the default): masked steps are left out of the
 * max and the mean, and an example whose steps are all masked gives 0
 * (Keras divides 0 by 0 there). Keras' GlobalAveragePooling1D does the
 * same; its GlobalMaxPooling1D ignores the mask, so it imports with
 * "masked": false. The output carries no mask. */
#include "nn/layers/spatial_internal.h"

const char *const dl4c_global_pool_keys[] = {"keepdims", NULL};
const char *const dl4c_global_pool1d_keys[] = {"keepdims", "masked", NULL};

dl4c_status dl4c_global_pool_parse(dl4c_layer *l, const json_t *j, int rank,
                                   dl4c_pool_op op)
{
    dl4c_global_pool_cfg *c = l->cfg;
    c->rank = rank;
    c->op = op;
    c->masked = rank == 1;
    DL4C_RETURN_IF(dl4c_cfg_bool(l->where, j, "keepdims", &c->keepdims));
    if (rank == 1)
        DL4C_RETURN_IF(dl4c_cfg_bool(l->where, j, "masked", &c->masked));
    return DL4C_OK;
}

dl4c_status dl4c_global_pool_write(const dl4c_layer *l, json_t *j)
{
    const dl4c_global_pool_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_cfg_set(j, "keepdims", json_boolean(c->keepdims)));
    if (c->rank == 1)
        DL4C_RETURN_IF(dl4c_cfg_set(j, "masked", json_boolean(c->masked)));
    return DL4C_OK;
}

dl4c_status dl4c_global_pool_build(dl4c_layer *l)
{
    const dl4c_global_pool_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_spatial_input(l, c->rank));
    const dl4c_shape *in = &l->in_shapes[0];
    dl4c_shape *out = &l->out_shapes[0];
    out->ndim = c->keepdims ? c->rank + 1 : 1;
    for (int i = 0; i + 1 < out->ndim; i++)
        out->dim[i] = 1;
    out->dim[out->ndim - 1] = in->dim[in->ndim - 1];
    return DL4C_OK;
}

static const void *mask_of(const dl4c_layer_ctx *x)
{
    const dl4c_global_pool_cfg *c = x->layer->cfg;
    return c->masked && x->in_masks[0] ? x->in_masks[0]->data : NULL;
}

void dl4c_global_pool_forward(dl4c_layer_ctx *x)
{
    const dl4c_global_pool_cfg *c = x->layer->cfg;
    const dl4c_shape *in = &x->layer->in_shapes[0];
    int64_t ch = in->dim[in->ndim - 1];
    x->be->pool->global_forward(c->op, x->dtype, x->batch,
                                dl4c_shape_size(in) / ch, ch, mask_of(x),
                                x->in[0]->data, x->out->data);
}

void dl4c_global_pool_backward(dl4c_layer_ctx *x)
{
    const dl4c_global_pool_cfg *c = x->layer->cfg;
    const dl4c_shape *in = &x->layer->in_shapes[0];
    int64_t ch = in->dim[in->ndim - 1];
    if (!x->din[0])
        return;
    x->be->pool->global_backward(
        c->op, x->dtype, x->batch, dl4c_shape_size(in) / ch, ch, mask_of(x),
        x->in[0]->data, x->out->data, x->dout->data, x->din[0]->data);
}

/* Keras 2.6+ and 3: keepdims, data_format (channels_first needs nothing:
 * the importer hands the layer channels-last data). */
dl4c_status dl4c_global_pool_from_keras(const dl4c_keras_ctx *k,
                                        const json_t *kcfg, json_t *out,
                                        bool masked)
{
    const json_t *v = dl4c_keras_get(kcfg, "keepdims", NULL);
    if (v && !json_is_boolean(v))
        return dl4c_error_set(DL4C_FORMAT, "%s: keepdims must be true or false",
                              k->where);
    if (v)
        DL4C_RETURN_IF(
            dl4c_cfg_set(out, "keepdims", json_boolean(json_is_true(v))));
    if (!masked)
        DL4C_RETURN_IF(dl4c_cfg_set(out, "masked", json_false()));
    return DL4C_OK;
}
