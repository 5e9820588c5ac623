/* Windowed max and average pooling over 1, 2 or 3 spatial dims
 * (MaxPooling1D ... AveragePooling3D), Keras semantics: 'valid' keeps
 * the floor((in - pool) / stride) + 1 windows that fit, 'same' gives
 * ceil(in / stride) windows with the padding split as TensorFlow splits
 * it (the odd cell after), padded cells left out of the max and of the
 * average's count. No parameters; masks are dropped as in Keras. */
#include <string.h>

#include "core/names_internal.h"
#include "nn/layers/spatial_internal.h"

const char *const dl4c_pool_keys[] = {"pool_size", "strides", "padding", NULL};

/* "valid" or "same" (any case) into *same */
static bool padding_name(const char *s, bool *same)
{
    if (dl4c_name_equal(s, "valid") || dl4c_name_equal(s, "same")) {
        *same = dl4c_name_equal(s, "same");
        return true;
    }
    return false;
}

dl4c_status dl4c_pool_parse(dl4c_layer *l, const json_t *j, int rank,
                            dl4c_pool_op op)
{
    dl4c_pool_cfg *c = l->cfg;
    const char *padding = NULL;
    c->rank = rank;
    c->op = op;
    for (int i = 0; i < 3; i++)
        c->pool[i] = 2;
    DL4C_RETURN_IF(
        dl4c_spatial_ints(l->where, j, "pool_size", rank, 1, false, c->pool));
    memcpy(c->strides, c->pool, sizeof c->strides);
    DL4C_RETURN_IF(
        dl4c_spatial_ints(l->where, j, "strides", rank, 1, false, c->strides));
    DL4C_RETURN_IF(dl4c_cfg_string(l->where, j, "padding", false, &padding));
    if (padding && !padding_name(padding, &c->same))
        return dl4c_layer_error(
            l, DL4C_FORMAT, "padding '%s' is not 'valid' or 'same'", padding);
    return DL4C_OK;
}

dl4c_status dl4c_pool_write(const dl4c_layer *l, json_t *j)
{
    const dl4c_pool_cfg *c = l->cfg;
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "pool_size", dl4c_spatial_ints_json(c->rank, c->pool)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "strides",
                                dl4c_spatial_ints_json(c->rank, c->strides)));
    return dl4c_cfg_set(j, "padding", json_string(c->same ? "same" : "valid"));
}

dl4c_status dl4c_pool_build(dl4c_layer *l)
{
    const dl4c_pool_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_spatial_input(l, c->rank));
    const dl4c_shape *in = &l->in_shapes[0];
    dl4c_shape out = *in;
    for (int i = 0; i < c->rank; i++) {
        int64_t n = in->dim[i], k = c->pool[i], s = c->strides[i];
        if (c->same) {
            out.dim[i] = (n + s - 1) / s;
        } else if (n < k) {
            char a[160], b[64];
            dl4c_shape win = {.ndim = c->rank};
            memcpy(win.dim, c->pool, sizeof c->pool);
            return dl4c_layer_error(l, DL4C_SHAPE,
                                    "pool_size %s is larger than the input "
                                    "%s with padding 'valid'",
                                    dl4c_shape_format(&win, b, sizeof b),
                                    dl4c_layer_shape_text(in, a, sizeof a));
        } else {
            out.dim[i] = (n - k) / s + 1;
        }
    }
    l->out_shapes[0] = out;
    return DL4C_OK;
}

static void geom(const dl4c_layer_ctx *x, dl4c_pool_geom *g)
{
    const dl4c_layer *l = x->layer;
    const dl4c_pool_cfg *c = l->cfg;
    const dl4c_shape *in = &l->in_shapes[0];
    g->n = x->batch;
    g->c = in->dim[in->ndim - 1];
    dl4c_spatial_dhw(in, c->rank, g->in);
    dl4c_spatial_dhw(&l->out_shapes[0], c->rank, g->out);
    for (int a = 0; a < 3; a++) {
        int i = a - (3 - c->rank);
        g->win[a] = i < 0 ? 1 : c->pool[i];
        g->stride[a] = i < 0 ? 1 : c->strides[i];
        int64_t total = (g->out[a] - 1) * g->stride[a] + g->win[a] - g->in[a];
        g->pad[a] = c->same && total > 0 ? total / 2 : 0;
    }
}

void dl4c_pool_forward(dl4c_layer_ctx *x)
{
    const dl4c_pool_cfg *c = x->layer->cfg;
    dl4c_pool_geom g;
    geom(x, &g);
    x->be->pool->pool_forward(c->op, x->dtype, &g, x->in[0]->data,
                              x->out->data);
}

void dl4c_pool_backward(dl4c_layer_ctx *x)
{
    const dl4c_pool_cfg *c = x->layer->cfg;
    dl4c_pool_geom g;
    if (!x->din[0])
        return;
    geom(x, &g);
    x->be->pool->pool_backward(c->op, x->dtype, &g, x->in[0]->data,
                               x->out->data, x->dout->data, x->din[0]->data);
}

/* Keras 2/3: pool_size, strides, padding, data_format. Keras 1:
 * pool_length, stride (1D), border_mode, dim_ordering. channels_first
 * needs nothing here: the windows are spatial and the importer hands
 * the layer channels-last data. */
dl4c_status dl4c_pool_from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                                 json_t *out, int rank)
{
    const json_t *v;
    bool same = false;
    if ((v = dl4c_keras_get(kcfg, "pool_size",
                            rank == 1 ? "pool_length" : NULL)))
        DL4C_RETURN_IF(dl4c_keras_ints(k, v, "pool_size", rank, 1, out));
    if ((v = dl4c_keras_get(kcfg, "strides", rank == 1 ? "stride" : NULL)))
        DL4C_RETURN_IF(dl4c_keras_ints(k, v, "strides", rank, 1, out));
    if ((v = dl4c_keras_get(kcfg, "padding", "border_mode"))) {
        if (!json_is_string(v) || !padding_name(json_string_value(v), &same))
            return dl4c_error_set(DL4C_UNSUPPORTED,
                                  "%s: padding '%s' is not supported "
                                  "(valid, same)",
                                  k->where,
                                  json_is_string(v) ? json_string_value(v)
                                                    : "(not a string)");
        DL4C_RETURN_IF(
            dl4c_cfg_set(out, "padding", json_string(same ? "same" : "valid")));
    }
    return DL4C_OK;
}
