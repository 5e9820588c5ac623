/* Concatenate, as Keras': joins its inputs along `axis` (Keras numbering:
 * 1 is the first per-example axis, negative counts from the end; default
 * -1); every other dim must match. Masks: concatenating along the first
 * per-example (time) axis concatenates the masks, an input without one
 * counting as unmasked; along another axis the output carries the AND of
 * the masks. The copies are [outer, len_k * inner] blocks into the
 * output's rows; the backward pass splits the gradient the same way. */
#include "nn/layers/norm_common.h"

typedef struct concat_cfg {
    int64_t axis;
} concat_cfg;

static const char *const keys[] = {"axis", NULL};

dl4c_status dl4c_concat_build(dl4c_layer *l, int64_t axis)
{
    const dl4c_shape *s0 = &l->in_shapes[0];
    int p;
    DL4C_RETURN_IF(dl4c_norm_axis(l, s0, axis, &p));
    dl4c_shape out = *s0;
    for (int k = 1; k < l->n_inputs; k++) {
        const dl4c_shape *s = &l->in_shapes[k];
        bool ok = s->ndim == s0->ndim;
        for (int d = 0; ok && d < s0->ndim; d++)
            ok = d == p || s->dim[d] == s0->dim[d];
        if (!ok) {
            char a[96], b[96];
            return dl4c_layer_error(l, DL4C_SHAPE,
                                    "cannot concatenate inputs of shapes %s "
                                    "and %s along axis %lld",
                                    dl4c_norm_shape_text(s0, a),
                                    dl4c_norm_shape_text(s, b),
                                    (long long)axis);
        }
        out.dim[p] += s->dim[p];
    }
    l->out_shapes[0] = out;
    l->out_has_mask[0] = false;
    for (int k = 0; k < l->n_inputs; k++)
        l->out_has_mask[0] |= l->in_has_mask[k];
    return DL4C_OK;
}

static void masks(dl4c_layer_ctx *x, int p)
{
    const dl4c_layer *l = x->layer;
    void *out = x->out_masks[0]->data;
    const int64_t t = l->out_shapes[0].dim[0];
    if (p != 0) {
        /* every input has the output's time axis: AND of the masks */
        const int64_t shape[2] = {x->batch, t}, sc[2] = {t, 1};
        bool first = true;
        for (int k = 0; k < l->n_inputs; k++) {
            if (!x->in_masks[k])
                continue;
            if (first)
                x->be->copy(x->dtype, x->batch * t, x->in_masks[k]->data, out);
            else
                x->be->binary(DL4C_BIN_MUL, x->dtype, 2, shape, sc, sc, out,
                              x->in_masks[k]->data, out);
            first = false;
        }
        return;
    }
    /* along time: the masks side by side, 1 for inputs without one */
    x->be->fill(x->dtype, x->batch * t, 1.0, out);
    int64_t off = 0;
    size_t es = dl4c_dtype_size(x->dtype);
    for (int k = 0; k < l->n_inputs; k++) {
        const int64_t tk = l->in_shapes[k].dim[0];
        if (x->in_masks[k])
            x->be->norm->copy_2d(x->dtype, x->batch, tk, x->in_masks[k]->data,
                                 tk, (char *)out + (size_t)off * es, t);
        off += tk;
    }
}

/* per-example axis of a built layer */
static int axis_of(const dl4c_layer *l, int64_t axis)
{
    int ndim = l->in_shapes[0].ndim;
    return (int)(axis < 0 ? ndim + axis : axis - 1);
}

void dl4c_concat_forward(dl4c_layer_ctx *x, int64_t axis)
{
    const dl4c_layer *l = x->layer;
    const int p = axis_of(l, axis);
    int64_t outer, total, inner, off = 0;
    size_t es = dl4c_dtype_size(x->dtype);
    dl4c_norm_split(&l->out_shapes[0], p, p + 1, x->batch, &outer, &total,
                    &inner);
    for (int k = 0; k < l->n_inputs; k++) {
        const int64_t len = l->in_shapes[k].dim[p];
        x->be->norm->copy_2d(
            x->dtype, outer, len * inner, x->in[k]->data, len * inner,
            (char *)x->out->data + (size_t)(off * inner) * es, total * inner);
        off += len;
    }
    if (l->out_has_mask[0])
        masks(x, p);
}

void dl4c_concat_backward(dl4c_layer_ctx *x, int64_t axis)
{
    const dl4c_layer *l = x->layer;
    const int p = axis_of(l, axis);
    int64_t outer, total, inner, off = 0;
    size_t es = dl4c_dtype_size(x->dtype);
    dl4c_norm_split(&l->out_shapes[0], p, p + 1, x->batch, &outer, &total,
                    &inner);
    for (int k = 0; k < l->n_inputs; k++) {
        const int64_t len = l->in_shapes[k].dim[p];
        if (x->din[k])
            x->be->norm->copy_2d(x->dtype, outer, len * inner,
                                 (const char *)x->dout->data +
                                     (size_t)(off * inner) * es,
                                 total * inner, x->din[k]->data, len * inner);
        off += len;
    }
}

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    concat_cfg *c = l->cfg;
    c->axis = -1;
    return dl4c_norm_cfg_axis(l, j, "axis", &c->axis);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const concat_cfg *c = l->cfg;
    return dl4c_cfg_set(j, "axis", json_integer(c->axis));
}

static dl4c_status build(dl4c_layer *l)
{
    const concat_cfg *c = l->cfg;
    return dl4c_concat_build(l, c->axis);
}

static void forward(dl4c_layer_ctx *x)
{
    const concat_cfg *c = x->layer->cfg;
    dl4c_concat_forward(x, c->axis);
}

static void backward(dl4c_layer_ctx *x)
{
    const concat_cfg *c = x->layer->cfg;
    dl4c_concat_backward(x, c->axis);
}

/* A channels_first model's channel axis is the last one here. */
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

static const char *const keras_classes[] = {"Concatenate", NULL};

static const char *const examples[] = {
    "{\"inputs\": [[3], [2]], \"layer\": {\"type\": \"Concatenate\"}}",
    "{\"inputs\": [[2, 3], [4, 3], [1, 3]], \"layer\": {\"type\": "
    "\"Concatenate\", \"axis\": 1}}",
    "{\"inputs\": [[2, 2, 3], [2, 1, 3]], \"layer\": {\"type\": "
    "\"Concatenate\", \"axis\": -2}}",
    "{\"inputs\": [[2], [3]], \"layer\": {\"type\": \"Concatenate\", "
    "\"axis\": 1}}",
    "{\"inputs\": [[2, 3], [4, 5]], \"layer\": {\"type\": \"Concatenate\"}, "
    "\"error\": \"cannot concatenate inputs of shapes [N, 2, 3] and [N, 4, "
    "5] along axis -1\"}",
    "{\"inputs\": [[2, 3], [3]], \"layer\": {\"type\": \"Concatenate\"}, "
    "\"error\": \"cannot concatenate inputs of shapes [N, 2, 3] and [N, 3] "
    "along axis -1\"}",
    "{\"inputs\": [[2], [3]], \"layer\": {\"type\": \"Concatenate\", "
    "\"axis\": 2}, \"error\": \"axis 2 is out of range for input [N, 2]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_concatenate = {
    .name = "Concatenate",
    .keras_class = "Concatenate",
    .config_size = sizeof(concat_cfg),
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
