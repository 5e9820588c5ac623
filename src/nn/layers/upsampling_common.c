/* Upsampling of the spatial dims by integer factors (UpSampling1D ...
 * UpSampling3D): every cell repeated size times along each axis, or for
 * UpSampling2D with "interpolation": "bilinear" the bilinear resize Keras
 * runs (TensorFlow's, align_corners false; half-pixel centres as in
 * tf.keras 2.x and Keras 3, "half_pixel_centers": false for the TF 1
 * resize older standalone Keras used). No parameters; masks are dropped
 * as in Keras. */
#include <string.h>

#include "core/names_internal.h"
#include "nn/layers/spatial_internal.h"

const char *const dl4c_upsample_keys[] = {"size", NULL};
const char *const dl4c_upsample2d_keys[] = {"size", "interpolation",
                                            "half_pixel_centers", NULL};

dl4c_status dl4c_upsample_parse(dl4c_layer *l, const json_t *j, int rank)
{
    dl4c_upsample_cfg *c = l->cfg;
    const char *interp = NULL;
    c->rank = rank;
    c->half_pixel = true;
    for (int i = 0; i < 3; i++)
        c->size[i] = 2;
    DL4C_RETURN_IF(
        dl4c_spatial_ints(l->where, j, "size", rank, 1, false, c->size));
    if (rank != 2)
        return DL4C_OK;
    DL4C_RETURN_IF(
        dl4c_cfg_string(l->where, j, "interpolation", false, &interp));
    if (interp && !dl4c_name_equal(interp, "nearest") &&
        !dl4c_name_equal(interp, "bilinear"))
        return dl4c_layer_error(l, DL4C_FORMAT,
                                "interpolation '%s' is not 'nearest' or "
                                "'bilinear'",
                                interp);
    c->bilinear = interp && dl4c_name_equal(interp, "bilinear");
    return dl4c_cfg_bool(l->where, j, "half_pixel_centers", &c->half_pixel);
}

dl4c_status dl4c_upsample_write(const dl4c_layer *l, json_t *j)
{
    const dl4c_upsample_cfg *c = l->cfg;
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "size", dl4c_spatial_ints_json(c->rank, c->size)));
    if (c->rank != 2)
        return DL4C_OK;
    DL4C_RETURN_IF(dl4c_cfg_set(
        j, "interpolation", json_string(c->bilinear ? "bilinear" : "nearest")));
    return dl4c_cfg_set(j, "half_pixel_centers", json_boolean(c->half_pixel));
}

dl4c_status dl4c_upsample_build(dl4c_layer *l)
{
    const dl4c_upsample_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_spatial_input(l, c->rank));
    l->out_shapes[0] = l->in_shapes[0];
    for (int i = 0; i < c->rank; i++)
        l->out_shapes[0].dim[i] *= c->size[i];
    return DL4C_OK;
}

void dl4c_upsample_forward(dl4c_layer_ctx *x)
{
    const dl4c_upsample_cfg *c = x->layer->cfg;
    const dl4c_shape *in = &x->layer->in_shapes[0];
    const int64_t ch = in->dim[in->ndim - 1];
    int64_t dhw[3], f[3];
    if (c->bilinear) {
        x->be->pool->bilinear_forward(
            x->dtype, x->batch, in->dim[0], in->dim[1], in->dim[0] * c->size[0],
            in->dim[1] * c->size[1], ch, c->half_pixel, x->in[0]->data,
            x->out->data);
        return;
    }
    dl4c_spatial_dhw(in, c->rank, dhw);
    for (int a = 0; a < 3; a++)
        f[a] = a < 3 - c->rank ? 1 : c->size[a - (3 - c->rank)];
    x->be->pool->upsample_forward(x->dtype, x->batch, dhw, f, ch,
                                  x->in[0]->data, x->out->data);
}

void dl4c_upsample_backward(dl4c_layer_ctx *x)
{
    const dl4c_upsample_cfg *c = x->layer->cfg;
    const dl4c_shape *in = &x->layer->in_shapes[0];
    const int64_t ch = in->dim[in->ndim - 1];
    int64_t dhw[3], f[3];
    if (!x->din[0])
        return;
    if (c->bilinear) {
        x->be->pool->bilinear_backward(
            x->dtype, x->batch, in->dim[0], in->dim[1], in->dim[0] * c->size[0],
            in->dim[1] * c->size[1], ch, c->half_pixel, x->dout->data,
            x->din[0]->data);
        return;
    }
    dl4c_spatial_dhw(in, c->rank, dhw);
    for (int a = 0; a < 3; a++)
        f[a] = a < 3 - c->rank ? 1 : c->size[a - (3 - c->rank)];
    x->be->pool->upsample_backward(x->dtype, x->batch, dhw, f, ch,
                                   x->dout->data, x->din[0]->data);
}

/* Keras 2/3: size (UpSampling1D's an int), interpolation (2D),
 * data_format. Keras 1: length (1D), size, dim_ordering. The sizes are
 * per spatial axis in every data_format: channels_first needs nothing. */
dl4c_status dl4c_upsample_from_keras(const dl4c_keras_ctx *k,
                                     const json_t *kcfg, json_t *out, int rank)
{
    const json_t *v = dl4c_keras_get(kcfg, "size", rank == 1 ? "length" : NULL);
    if (v)
        DL4C_RETURN_IF(dl4c_keras_ints(k, v, "size", rank, 1, out));
    v = dl4c_keras_get(kcfg, "interpolation", NULL);
    if (!v)
        return DL4C_OK;
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    bool bilinear = dl4c_name_equal(s, "bilinear");
    if (!dl4c_name_equal(s, "nearest") && !(bilinear && rank == 2))
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s: interpolation '%s' is not supported "
                              "(nearest%s)",
                              k->where, s, rank == 2 ? ", bilinear" : "");
    if (rank != 2)
        return DL4C_OK;
    return dl4c_cfg_set(out, "interpolation",
                        json_string(bilinear ? "bilinear" : "nearest"));
}
