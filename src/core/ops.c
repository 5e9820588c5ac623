/* The public tensor operations: validate shapes and dtypes, work out
 * broadcast strides, then call the tensor's backend. */
#include <limits.h>
#include <string.h>

#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "dl4c/ops.h"

static dl4c_status shape_error(const char *what, const dl4c_tensor *a,
                               const dl4c_tensor *b)
{
    char sa[128], sb[128];
    dl4c_shape x = dl4c_shape_of(a), y = dl4c_shape_of(b);
    return dl4c_error_set(DL4C_SHAPE, "%s: shapes %s and %s do not fit", what,
                          dl4c_shape_format(&x, sa, sizeof sa),
                          dl4c_shape_format(&y, sb, sizeof sb));
}

static dl4c_status output_error(const char *what, const dl4c_shape *got,
                                const dl4c_shape *want)
{
    char sg[128], sw[128];
    return dl4c_error_set(DL4C_SHAPE, "%s: output shape %s, expected %s", what,
                          dl4c_shape_format(got, sg, sizeof sg),
                          dl4c_shape_format(want, sw, sizeof sw));
}

static dl4c_status same_dtype(const dl4c_tensor *a, const dl4c_tensor *b)
{
    if (a->dtype != b->dtype)
        return dl4c_error_set(DL4C_INVALID_ARG, "dtypes %s and %s differ",
                              dl4c_dtype_name(a->dtype),
                              dl4c_dtype_name(b->dtype));
    return DL4C_OK;
}

dl4c_status dl4c_ops_binary(dl4c_binary_op op, const dl4c_tensor *a,
                            const dl4c_tensor *b, dl4c_tensor *out)
{
    if ((unsigned)op >= DL4C_BIN_COUNT)
        return dl4c_error_set(DL4C_INVALID_ARG, "unknown binary op %d",
                              (int)op);
    DL4C_RETURN_IF(same_dtype(a, b));
    DL4C_RETURN_IF(same_dtype(a, out));
    int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
    int64_t shape[DL4C_MAX_DIMS], sa[DL4C_MAX_DIMS], sb[DL4C_MAX_DIMS];
    int64_t stride_a = 1, stride_b = 1;
    /* align dims from the right, as NumPy does */
    for (int d = nd - 1; d >= 0; d--) {
        int ia = d - (nd - a->ndim), ib = d - (nd - b->ndim);
        int64_t da = ia >= 0 ? a->shape[ia] : 1;
        int64_t db = ib >= 0 ? b->shape[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return shape_error("broadcast", a, b);
        shape[d] = da > db ? da : db;
        sa[d] = da == 1 ? 0 : stride_a;
        sb[d] = db == 1 ? 0 : stride_b;
        stride_a *= da;
        stride_b *= db;
    }
    dl4c_shape want = {.ndim = nd}, got = dl4c_shape_of(out);
    memcpy(want.dim, shape, sizeof(int64_t) * (size_t)nd);
    if (!dl4c_shape_equal(&want, &got))
        return output_error("broadcast", &got, &want);
    a->backend->binary(op, a->dtype, nd, shape, sa, sb, a->data, b->data,
                       out->data);
    return DL4C_OK;
}

dl4c_status dl4c_ops_unary(dl4c_unary_op op, const dl4c_tensor *x,
                           dl4c_tensor *out)
{
    if ((unsigned)op >= DL4C_UN_COUNT)
        return dl4c_error_set(DL4C_INVALID_ARG, "unknown unary op %d", (int)op);
    DL4C_RETURN_IF(same_dtype(x, out));
    dl4c_shape xs = dl4c_shape_of(x), os = dl4c_shape_of(out);
    if (!dl4c_shape_equal(&xs, &os))
        return shape_error("unary", x, out);
    x->backend->unary(op, x->dtype, x->size, x->data, out->data);
    return DL4C_OK;
}

/* outer/len/inner split of x around `axis`; DL4C_SHAPE on a bad axis */
static dl4c_status split_axis(const dl4c_tensor *x, int *axis, int64_t *outer,
                              int64_t *len, int64_t *inner)
{
    int ax = *axis < 0 ? *axis + x->ndim : *axis;
    if (ax < 0 || ax >= x->ndim)
        return dl4c_error_set(DL4C_SHAPE, "axis %d out of range for rank %d",
                              *axis, x->ndim);
    *outer = 1;
    *inner = 1;
    for (int d = 0; d < ax; d++)
        *outer *= x->shape[d];
    for (int d = ax + 1; d < x->ndim; d++)
        *inner *= x->shape[d];
    *len = x->shape[ax];
    *axis = ax;
    return DL4C_OK;
}

dl4c_status dl4c_ops_reduce(dl4c_reduce_op op, const dl4c_tensor *x, int axis,
                            bool keepdims, dl4c_tensor *out)
{
    int64_t outer = 1, len = 1, inner = 1;
    if ((unsigned)op >= DL4C_RED_COUNT)
        return dl4c_error_set(DL4C_INVALID_ARG, "unknown reduction %d",
                              (int)op);
    DL4C_RETURN_IF(same_dtype(x, out));
    DL4C_RETURN_IF(split_axis(x, &axis, &outer, &len, &inner));
    dl4c_shape want = {.ndim = 0};
    for (int d = 0; d < x->ndim; d++) {
        if (d == axis && !keepdims)
            continue;
        want.dim[want.ndim++] = d == axis ? 1 : x->shape[d];
    }
    dl4c_shape got = dl4c_shape_of(out);
    if (!dl4c_shape_equal(&want, &got))
        return output_error("reduce", &got, &want);
    x->backend->reduce(op, x->dtype, outer, len, inner, x->data, out->data);
    return DL4C_OK;
}

double dl4c_ops_sum(const dl4c_tensor *x)
{
    double s = 0;
    for (int64_t i = 0; i < x->size; i++)
        s += dl4c_tensor_get(x, i);
    return s;
}

dl4c_status dl4c_ops_softmax(const dl4c_tensor *x, int axis, bool log,
                             dl4c_tensor *out)
{
    int64_t outer = 1, len = 1, inner = 1;
    DL4C_RETURN_IF(same_dtype(x, out));
    DL4C_RETURN_IF(split_axis(x, &axis, &outer, &len, &inner));
    dl4c_shape a = dl4c_shape_of(x), b = dl4c_shape_of(out);
    if (!dl4c_shape_equal(&a, &b))
        return shape_error("softmax", x, out);
    x->backend->softmax(x->dtype, outer, len, inner, log, x->data, out->data);
    return DL4C_OK;
}

dl4c_status dl4c_ops_gemm(bool trans_a, bool trans_b, double alpha,
                          const dl4c_tensor *a, const dl4c_tensor *b,
                          double beta, dl4c_tensor *c)
{
    DL4C_RETURN_IF(same_dtype(a, b));
    DL4C_RETURN_IF(same_dtype(a, c));
    if (a->ndim != 2 || b->ndim != 2 || c->ndim != 2)
        return dl4c_error_set(DL4C_SHAPE,
                              "gemm needs 2-D tensors, got ranks %d, %d, %d",
                              a->ndim, b->ndim, c->ndim);
    int64_t m = trans_a ? a->shape[1] : a->shape[0];
    int64_t k = trans_a ? a->shape[0] : a->shape[1];
    int64_t kb = trans_b ? b->shape[1] : b->shape[0];
    int64_t n = trans_b ? b->shape[0] : b->shape[1];
    if (k != kb)
        return shape_error("gemm inner dims", a, b);
    if (m > INT_MAX || n > INT_MAX || k > INT_MAX || a->shape[1] > INT_MAX ||
        b->shape[1] > INT_MAX)
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "gemm: dims above %d (BLAS indexes with int)",
                              INT_MAX);
    if (c->shape[0] != m || c->shape[1] != n)
        return dl4c_error_set(DL4C_SHAPE,
                              "gemm: output is [%lld, %lld], product is "
                              "[%lld, %lld]",
                              (long long)c->shape[0], (long long)c->shape[1],
                              (long long)m, (long long)n);
    a->backend->gemm(a->dtype, trans_a, trans_b, m, n, k, alpha, a->data,
                     a->shape[1], b->data, b->shape[1], beta, c->data,
                     c->shape[1]);
    return DL4C_OK;
}

dl4c_status dl4c_ops_argmax_rows(const dl4c_tensor *x, int64_t *idx)
{
    if (x->ndim < 1)
        return dl4c_error_set(DL4C_SHAPE, "argmax of a scalar");
    int64_t cols = dl4c_tensor_cols(x), rows = dl4c_tensor_rows(x);
    for (int64_t r = 0; r < rows; r++) {
        int64_t best = 0;
        double bv = dl4c_tensor_get(x, r * cols);
        for (int64_t c = 1; c < cols; c++) {
            double v = dl4c_tensor_get(x, r * cols + c);
            if (v > bv) {
                bv = v;
                best = c;
            }
        }
        idx[r] = best;
    }
    return DL4C_OK;
}
