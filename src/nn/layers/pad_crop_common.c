/* Zero padding and cropping of the spatial dims (ZeroPadding1D ...
 * Cropping3D), each side on its own: padding adds before + after cells of
 * zeros along an axis, cropping removes them. Both are one backend entry
 * (shift), and each is the other's backward pass. No parameters; masks
 * are dropped as in Keras. */
#include "nn/layers/spatial_internal.h"

const char *const dl4c_padding_keys[] = {"padding", NULL};
const char *const dl4c_cropping_keys[] = {"cropping", NULL};

static const char *key_of(const dl4c_pad_crop_cfg *c)
{
    return c->crop ? "cropping" : "padding";
}

dl4c_status dl4c_pad_crop_parse(dl4c_layer *l, const json_t *j, int rank,
                                bool crop)
{
    dl4c_pad_crop_cfg *c = l->cfg;
    c->rank = rank;
    c->crop = crop;
    /* Keras' defaults: 1 on every side, except Cropping2D's 0 */
    for (int i = 0; i < 3; i++)
        c->amt[i][0] = c->amt[i][1] = crop && rank == 2 ? 0 : 1;
    return dl4c_spatial_pairs(l->where, j, key_of(c), rank, c->amt);
}

dl4c_status dl4c_pad_crop_write(const dl4c_layer *l, json_t *j)
{
    const dl4c_pad_crop_cfg *c = l->cfg;
    return dl4c_cfg_set(j, key_of(c),
                        dl4c_spatial_pairs_json(c->rank, &c->amt[0][0]));
}

dl4c_status dl4c_pad_crop_build(dl4c_layer *l)
{
    const dl4c_pad_crop_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_spatial_input(l, c->rank));
    const dl4c_shape *in = &l->in_shapes[0];
    dl4c_shape out = *in;
    for (int i = 0; i < c->rank; i++) {
        int64_t change = c->amt[i][0] + c->amt[i][1];
        if (c->crop && change >= in->dim[i]) {
            char a[160];
            return dl4c_layer_error(
                l, DL4C_SHAPE,
                "cropping %lld + %lld cells of axis %d leaves nothing of the "
                "input %s",
                (long long)c->amt[i][0], (long long)c->amt[i][1], i + 1,
                dl4c_layer_shape_text(in, a, sizeof a));
        }
        out.dim[i] = c->crop ? in->dim[i] - change : in->dim[i] + change;
    }
    l->out_shapes[0] = out;
    return DL4C_OK;
}

/* offsets of the output relative to the input along D, H, W */
static void offsets(const dl4c_pad_crop_cfg *c, int64_t off[3])
{
    for (int a = 0; a < 3; a++) {
        int i = a - (3 - c->rank);
        off[a] = i < 0 ? 0 : (c->crop ? -c->amt[i][0] : c->amt[i][0]);
    }
}

void dl4c_pad_crop_forward(dl4c_layer_ctx *x)
{
    const dl4c_layer *l = x->layer;
    const dl4c_pad_crop_cfg *c = l->cfg;
    const dl4c_shape *in = &l->in_shapes[0];
    int64_t din[3], dout[3], off[3];
    dl4c_spatial_dhw(in, c->rank, din);
    dl4c_spatial_dhw(&l->out_shapes[0], c->rank, dout);
    offsets(c, off);
    x->be->pool->shift(x->dtype, x->batch, din, dout, off,
                       in->dim[in->ndim - 1], x->in[0]->data, x->out->data);
}

void dl4c_pad_crop_backward(dl4c_layer_ctx *x)
{
    const dl4c_layer *l = x->layer;
    const dl4c_pad_crop_cfg *c = l->cfg;
    const dl4c_shape *in = &l->in_shapes[0];
    int64_t din[3], dout[3], off[3];
    if (!x->din[0])
        return;
    dl4c_spatial_dhw(in, c->rank, din);
    dl4c_spatial_dhw(&l->out_shapes[0], c->rank, dout);
    offsets(c, off);
    for (int a = 0; a < 3; a++)
        off[a] = -off[a];
    x->be->pool->shift(x->dtype, x->batch, dout, din, off,
                       in->dim[in->ndim - 1], x->dout->data, x->din[0]->data);
}

/* Keras 1, 2 and 3 spell the amounts as an int, tuples, nested tuples or
 * (Keras 1) a dict; all become dl4c's pairs. The amounts are per spatial
 * axis in every data_format, so channels_first needs nothing: the
 * importer hands the layer channels-last data. */
dl4c_status dl4c_pad_crop_from_keras(const dl4c_keras_ctx *k,
                                     const json_t *kcfg, json_t *out, int rank,
                                     bool crop)
{
    const char *key = crop ? "cropping" : "padding";
    const json_t *v = dl4c_keras_get(kcfg, key, NULL);
    return v ? dl4c_keras_pairs(k, v, key, rank, out) : DL4C_OK;
}
