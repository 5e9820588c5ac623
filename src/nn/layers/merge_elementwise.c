/* The elementwise merges shared by Add, Subtract, Multiply, Average,
 * Maximum, Minimum and Keras 1's Merge (see norm_common.h). Inputs
 * broadcast as Keras broadcasts them: per-example shapes are aligned at
 * the end, a missing or size-1 dim repeats. The backward pass sums each
 * input's gradient over the positions it was repeated to; Maximum and
 * Minimum send the gradient of each value to the first input holding it,
 * as chained Keras maximum() calls do. */
#include "nn/layers/norm_common.h"

static const dl4c_binary_op binary_of[DL4C_MERGE_OP_COUNT] = {
    [DL4C_MERGE_ADD] = DL4C_BIN_ADD, [DL4C_MERGE_SUB] = DL4C_BIN_SUB,
    [DL4C_MERGE_MUL] = DL4C_BIN_MUL, [DL4C_MERGE_AVG] = DL4C_BIN_ADD,
    [DL4C_MERGE_MAX] = DL4C_BIN_MAX, [DL4C_MERGE_MIN] = DL4C_BIN_MIN,
};

/* input dim aligned with output dim d (1 where the input has none) */
static int64_t aligned_dim(const dl4c_shape *in, int out_ndim, int d)
{
    int off = out_ndim - in->ndim;
    return d < off ? 1 : in->dim[d - off];
}

const char *const dl4c_merge_keys[] = {NULL};

dl4c_status dl4c_merge_parse(dl4c_layer *l, const json_t *j)
{
    (void)l;
    (void)j;
    return DL4C_OK;
}

dl4c_status dl4c_merge_write(const dl4c_layer *l, json_t *j)
{
    (void)l;
    (void)j;
    return DL4C_OK;
}

dl4c_status dl4c_merge_from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                                  json_t *out)
{
    (void)k;
    (void)kcfg;
    (void)out;
    return DL4C_OK;
}

dl4c_status dl4c_merge_build(dl4c_layer *l, dl4c_merge_op op)
{
    dl4c_shape out = {0};
    if (op == DL4C_MERGE_SUB)
        DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 2));
    for (int k = 0; k < l->n_inputs; k++)
        if (l->in_shapes[k].ndim > out.ndim)
            out.ndim = l->in_shapes[k].ndim;
    for (int d = 0; d < out.ndim; d++)
        out.dim[d] = 1;
    for (int k = 0; k < l->n_inputs; k++)
        for (int d = 0; d < out.ndim; d++) {
            int64_t a = aligned_dim(&l->in_shapes[k], out.ndim, d);
            if (a == 1 || a == out.dim[d]) {
                continue;
            } else if (out.dim[d] == 1) {
                out.dim[d] = a;
                continue;
            }
            /* name the earlier input this one clashes with */
            for (int j = 0; j < k; j++) {
                int64_t b = aligned_dim(&l->in_shapes[j], out.ndim, d);
                if (b != 1 && b != a) {
                    char sa[96], sb[96];
                    return dl4c_layer_error(
                        l, DL4C_SHAPE,
                        "cannot broadcast input shapes %s and %s together",
                        dl4c_norm_shape_text(&l->in_shapes[j], sa),
                        dl4c_norm_shape_text(&l->in_shapes[k], sb));
                }
            }
        }
    l->out_shapes[0] = out;
    l->out_has_mask[0] = dl4c_merge_has_mask(l);
    return DL4C_OK;
}

/* [batch, out dims...]; returns the number of dims */
static int full_shape(const dl4c_layer *l, int64_t batch, int64_t *shape)
{
    const dl4c_shape *out = &l->out_shapes[0];
    shape[0] = batch;
    for (int d = 0; d < out->ndim; d++)
        shape[d + 1] = out->dim[d];
    return out->ndim + 1;
}

/* strides of input k over the full output shape (0 where repeated) */
static void strides_of(const dl4c_layer *l, int k, int64_t *st)
{
    const dl4c_shape *in = &l->in_shapes[k], *out = &l->out_shapes[0];
    int64_t s = 1;
    for (int d = out->ndim - 1; d >= 0; d--) {
        int64_t a = aligned_dim(in, out->ndim, d);
        st[d + 1] = a == 1 && out->dim[d] != 1 ? 0 : s;
        if (d >= out->ndim - in->ndim)
            s *= a;
    }
    st[0] = s;
}

static void contiguous(int nd, const int64_t *shape, int64_t *st)
{
    int64_t s = 1;
    for (int d = nd - 1; d >= 0; d--) {
        st[d] = s;
        s *= shape[d];
    }
}

size_t dl4c_merge_workspace(const dl4c_layer *l, dl4c_merge_op op,
                            int64_t batch, dl4c_dtype dt)
{
    size_t n = (size_t)(batch * dl4c_shape_size(&l->out_shapes[0]));
    int bufs = op == DL4C_MERGE_MUL                           ? 1
               : op == DL4C_MERGE_MAX || op == DL4C_MERGE_MIN ? 2
                                                              : 0;
    return (size_t)bufs * n * dl4c_dtype_size(dt);
}

bool dl4c_merge_has_mask(const dl4c_layer *l)
{
    for (int k = 0; k < l->n_inputs; k++)
        if (l->in_has_mask[k] && l->in_shapes[k].ndim == l->out_shapes[0].ndim)
            return true;
    return false;
}

void dl4c_merge_masks(dl4c_layer_ctx *x)
{
    const dl4c_layer *l = x->layer;
    const int64_t t = l->out_shapes[0].dim[0];
    const int64_t shape[2] = {x->batch, t}, sc[2] = {t, 1};
    bool first = true;
    for (int k = 0; k < l->n_inputs; k++) {
        if (!x->in_masks[k] || l->in_shapes[k].ndim != l->out_shapes[0].ndim)
            continue;
        const int64_t tk = l->in_shapes[k].dim[0];
        const int64_t st[2] = {tk, tk == 1 ? 0 : 1};
        if (first)
            x->be->norm->gather(x->dtype, 2, shape, st, x->in_masks[k]->data,
                                x->out_masks[0]->data);
        else
            x->be->binary(DL4C_BIN_MUL, x->dtype, 2, shape, sc, st,
                          x->out_masks[0]->data, x->in_masks[k]->data,
                          x->out_masks[0]->data);
        first = false;
    }
}

void dl4c_merge_forward(dl4c_layer_ctx *x, dl4c_merge_op op)
{
    const dl4c_layer *l = x->layer;
    const int n = l->n_inputs;
    int64_t shape[DL4C_MAX_DIMS + 1], sa[DL4C_MAX_DIMS + 1],
        sb[DL4C_MAX_DIMS + 1], sc[DL4C_MAX_DIMS + 1];
    int nd = full_shape(l, x->batch, shape);
    contiguous(nd, shape, sc);
    strides_of(l, 0, sa);
    if (n == 1) {
        x->be->norm->gather(x->dtype, nd, shape, sa, x->in[0]->data,
                            x->out->data);
    } else {
        strides_of(l, 1, sb);
        x->be->binary(binary_of[op], x->dtype, nd, shape, sa, sb,
                      x->in[0]->data, x->in[1]->data, x->out->data);
        for (int k = 2; k < n; k++) {
            strides_of(l, k, sb);
            x->be->binary(binary_of[op], x->dtype, nd, shape, sc, sb,
                          x->out->data, x->in[k]->data, x->out->data);
        }
    }
    if (op == DL4C_MERGE_AVG)
        x->be->scale(x->dtype, x->out->size, 1.0 / n, x->out->data);
    if (l->out_has_mask[0])
        dl4c_merge_masks(x);
}

/* d(out)/d(input k) for a product: dout times every other input */
static void product_grad(dl4c_layer_ctx *x, int k, int nd, const int64_t *shape,
                         const int64_t *sc, void *g)
{
    const dl4c_layer *l = x->layer;
    int64_t st[DL4C_MAX_DIMS + 1];
    const void *src = x->dout->data;
    for (int j = 0; j < l->n_inputs; j++) {
        if (j == k)
            continue;
        strides_of(l, j, st);
        x->be->binary(DL4C_BIN_MUL, x->dtype, nd, shape, sc, st, src,
                      x->in[j]->data, g);
        src = g;
    }
    if (src != g)
        x->be->copy(x->dtype, x->out->size, src, g);
}

void dl4c_merge_backward(dl4c_layer_ctx *x, dl4c_merge_op op)
{
    const dl4c_layer *l = x->layer;
    const int n = l->n_inputs;
    const bool pick = op == DL4C_MERGE_MAX || op == DL4C_MERGE_MIN;
    const size_t bytes = (size_t)x->out->size * dl4c_dtype_size(x->dtype);
    void *tmp = x->ws, *taken = (char *)x->ws + bytes;
    int64_t shape[DL4C_MAX_DIMS + 1], st[DL4C_MAX_DIMS + 1],
        sc[DL4C_MAX_DIMS + 1];
    int nd = full_shape(l, x->batch, shape);
    contiguous(nd, shape, sc);
    if (pick)
        x->be->fill(x->dtype, x->out->size, 0.0, taken);
    for (int k = 0; k < n; k++) {
        dl4c_tensor *din = x->din[k];
        if (!din && !pick)
            continue;
        bool same = dl4c_shape_equal(&l->in_shapes[k], &l->out_shapes[0]);
        strides_of(l, k, st);
        /* g: the gradient over the full output shape */
        const void *g = x->dout->data;
        if (op == DL4C_MERGE_MUL) {
            g = same ? din->data : tmp;
            product_grad(x, k, nd, shape, sc, (void *)g);
        } else if (pick) {
            g = same && din ? din->data : tmp;
            x->be->norm->pick_grad(x->dtype, nd, shape, st, x->in[k]->data,
                                   x->out->data, x->dout->data, taken,
                                   (void *)g);
        }
        if (!din)
            continue;
        if (!same)
            x->be->norm->sum_broadcast(x->dtype, nd, shape, st, din->size, g,
                                       din->data);
        else if (g != din->data)
            x->be->copy(x->dtype, din->size, g, din->data);
        double f = op == DL4C_MERGE_AVG             ? 1.0 / n
                   : op == DL4C_MERGE_SUB && k == 1 ? -1.0
                                                    : 1.0;
        if (f != 1.0)
            x->be->scale(x->dtype, din->size, f, din->data);
    }
}
