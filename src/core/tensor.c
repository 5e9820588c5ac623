/* Tensor lifetime, views, copies and element access. Data is contiguous
 * row-major; size is always the product of shape. Tensors made through the
 * public API live on the CPU backend. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"

size_t dl4c_dtype_size(dl4c_dtype dtype)
{
    switch (dtype) {
    case DL4C_F32:
        return 4;
    case DL4C_F64:
        return 8;
    default:
        return 0;
    }
}

const char *dl4c_dtype_name(dl4c_dtype dtype)
{
    static const char *const names[] = {"float32", "float64"};
    _Static_assert(sizeof(names) / sizeof(names[0]) == DL4C_DTYPE_COUNT,
                   "dtype names");
    return (unsigned)dtype < DL4C_DTYPE_COUNT ? names[dtype] : "invalid";
}

int64_t dl4c_shape_size(const dl4c_shape *shape)
{
    int64_t n = 1;
    for (int i = 0; i < shape->ndim; i++)
        n *= shape->dim[i];
    return n;
}

char *dl4c_shape_format(const dl4c_shape *shape, char *buf, size_t cap)
{
    size_t used = 0;
    if (!cap)
        return buf;
    buf[0] = '\0';
    used += (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < shape->ndim && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%lld",
                                 i ? ", " : "", (long long)shape->dim[i]);
    if (used < cap)
        snprintf(buf + used, cap - used, "]");
    return buf;
}

dl4c_status dl4c_shape_check(int ndim, const int64_t *shape, int64_t *size)
{
    if (ndim < 0 || ndim > DL4C_MAX_DIMS)
        return dl4c_error_set(DL4C_INVALID_ARG, "tensor rank %d outside 0..%d",
                              ndim, DL4C_MAX_DIMS);
    if (ndim > 0 && !shape)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "tensor shape is NULL for rank %d", ndim);
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] <= 0)
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "tensor dim %d is %lld, must be > 0", i,
                                  (long long)shape[i]);
        if (n > INT64_MAX / shape[i] / 8)
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "tensor size overflows at dim %d", i);
        n *= shape[i];
    }
    *size = n;
    return DL4C_OK;
}

dl4c_shape dl4c_shape_of(const dl4c_tensor *t)
{
    dl4c_shape s = {.ndim = t->ndim};
    memcpy(s.dim, t->shape, sizeof(int64_t) * (size_t)t->ndim);
    return s;
}

int dl4c_shape_equal(const dl4c_shape *a, const dl4c_shape *b)
{
    if (a->ndim != b->ndim)
        return 0;
    for (int i = 0; i < a->ndim; i++)
        if (a->dim[i] != b->dim[i])
            return 0;
    return 1;
}

void dl4c_tensor_init_view(dl4c_tensor *t, const dl4c_backend *backend,
                           dl4c_dtype dtype, void *data, int ndim,
                           const int64_t *shape)
{
    t->dtype = dtype;
    t->ndim = ndim;
    t->size = 1;
    for (int i = 0; i < ndim; i++) {
        t->shape[i] = shape[i];
        t->size *= shape[i];
    }
    t->data = data;
    t->backend = backend;
    t->owned = NULL;
}

void dl4c_tensor_init_batch_view(dl4c_tensor *t, const dl4c_backend *backend,
                                 dl4c_dtype dtype, void *data, int64_t batch,
                                 const dl4c_shape *shape)
{
    /* a rank-8 example shape leaves no room for the batch dim: its last
     * dims are folded into one so the element count (and so every offset
     * into the arena) stays right; shape inference should reject it */
    int64_t dims[DL4C_MAX_DIMS];
    int nd = shape->ndim < DL4C_MAX_DIMS ? shape->ndim + 1 : DL4C_MAX_DIMS;
    dims[0] = batch;
    for (int i = 0; i + 1 < nd; i++)
        dims[i + 1] = shape->dim[i];
    for (int i = nd - 1; i < shape->ndim && i < DL4C_MAX_DIMS; i++)
        dims[nd - 1] *= shape->dim[i];
    dl4c_tensor_init_view(t, backend, dtype, data, nd, dims);
}

dl4c_status dl4c_tensor_create(dl4c_dtype dtype, int ndim, const int64_t *shape,
                               dl4c_tensor **out)
{
    dl4c_status status = DL4C_OK;
    int64_t size = 0;
    dl4c_tensor *t = NULL;
    *out = NULL;
    DL4C_CHECK(dl4c_dtype_size(dtype), DL4C_INVALID_ARG, "invalid dtype %d",
               (int)dtype);
    DL4C_TRY(dl4c_shape_check(ndim, shape, &size));
    t = dl4c_calloc(1, sizeof *t);
    if (!t)
        DL4C_NOMEM_FAIL();
    const dl4c_backend *be = dl4c_backend_cpu();
    t->owned = be->alloc((size_t)size * dl4c_dtype_size(dtype));
    if (!t->owned)
        DL4C_NOMEM_FAIL();
    dl4c_tensor_init_view(t, be, dtype, t->owned, ndim, shape);
    t->owned = t->data;
    *out = t;
    return DL4C_OK;
fail:
    dl4c_free(t);
    return status;
}

dl4c_status dl4c_tensor_create_from(dl4c_dtype dtype, int ndim,
                                    const int64_t *shape, const void *data,
                                    dl4c_tensor **out)
{
    if (!data) {
        *out = NULL;
        return dl4c_error_set(DL4C_INVALID_ARG, "tensor data is NULL");
    }
    DL4C_RETURN_IF(dl4c_tensor_create(dtype, ndim, shape, out));
    dl4c_tensor *t = *out;
    t->backend->from_host(t->data, data,
                          (size_t)t->size * dl4c_dtype_size(dtype));
    return DL4C_OK;
}

void dl4c_tensor_free(dl4c_tensor *t)
{
    if (!t)
        return;
    if (t->owned)
        t->backend->release(t->owned);
    dl4c_free(t);
}

dl4c_status dl4c_tensor_view(const dl4c_tensor *base, int64_t offset, int ndim,
                             const int64_t *shape, dl4c_tensor **out)
{
    dl4c_status status = DL4C_OK;
    int64_t size = 0;
    *out = NULL;
    DL4C_TRY(dl4c_shape_check(ndim, shape, &size));
    DL4C_CHECK(offset >= 0 && offset <= base->size - size, DL4C_SHAPE,
               "view of %lld elements at offset %lld runs past a tensor of "
               "%lld",
               (long long)size, (long long)offset, (long long)base->size);
    dl4c_tensor *t = dl4c_calloc(1, sizeof *t);
    if (!t)
        DL4C_NOMEM_FAIL();
    dl4c_tensor_init_view(t, base->backend, base->dtype,
                          (char *)base->data +
                              (size_t)offset * dl4c_dtype_size(base->dtype),
                          ndim, shape);
    *out = t;
fail:
    return status;
}

dl4c_status dl4c_tensor_copy(const dl4c_tensor *src, dl4c_tensor **out)
{
    DL4C_RETURN_IF(dl4c_tensor_create(src->dtype, src->ndim, src->shape, out));
    src->backend->copy(src->dtype, src->size, src->data, (*out)->data);
    return DL4C_OK;
}

dl4c_status dl4c_tensor_cast(const dl4c_tensor *src, dl4c_dtype dtype,
                             dl4c_tensor **out)
{
    DL4C_RETURN_IF(dl4c_tensor_create(dtype, src->ndim, src->shape, out));
    src->backend->cast(src->dtype, src->data, dtype, (*out)->data, src->size);
    return DL4C_OK;
}

dl4c_status dl4c_tensor_reshape(dl4c_tensor *t, int ndim, const int64_t *shape)
{
    int64_t dims[DL4C_MAX_DIMS];
    int infer = -1;
    int64_t known = 1;
    bool too_big = false;
    if (ndim < 0 || ndim > DL4C_MAX_DIMS)
        return dl4c_error_set(DL4C_SHAPE, "reshape to rank %d", ndim);
    for (int i = 0; i < ndim; i++) {
        dims[i] = shape[i];
        if (shape[i] == -1) {
            if (infer >= 0)
                return dl4c_error_set(DL4C_SHAPE,
                                      "reshape: more than one -1 dim");
            infer = i;
        } else if (shape[i] <= 0) {
            return dl4c_error_set(DL4C_SHAPE, "reshape: dim %d is %lld", i,
                                  (long long)shape[i]);
        } else if (known > t->size / shape[i]) {
            /* more elements than t has; stop before the product overflows */
            too_big = true;
        } else {
            known *= shape[i];
        }
    }
    if (infer >= 0 && !too_big) {
        if (t->size % known)
            return dl4c_error_set(DL4C_SHAPE,
                                  "reshape: %lld elements do not divide "
                                  "into %lld",
                                  (long long)t->size, (long long)known);
        dims[infer] = t->size / known;
        known = t->size;
    }
    if (too_big || known != t->size) {
        dl4c_shape to = {.ndim = ndim};
        memcpy(to.dim, dims, sizeof(int64_t) * (size_t)ndim);
        dl4c_shape from = dl4c_shape_of(t);
        char a[192], b[192];
        return dl4c_error_set(DL4C_SHAPE, "cannot reshape %s to %s",
                              dl4c_shape_format(&from, a, sizeof a),
                              dl4c_shape_format(&to, b, sizeof b));
    }
    t->ndim = ndim;
    memcpy(t->shape, dims, sizeof(int64_t) * (size_t)ndim);
    return DL4C_OK;
}

dl4c_status dl4c_tensor_copy_into(const dl4c_tensor *src, dl4c_tensor *dst)
{
    if (src->dtype != dst->dtype || src->size != dst->size)
        return dl4c_error_set(
            DL4C_SHAPE, "copy of %lld %s elements into %lld %s",
            (long long)src->size, dl4c_dtype_name(src->dtype),
            (long long)dst->size, dl4c_dtype_name(dst->dtype));
    src->backend->copy(src->dtype, src->size, src->data, dst->data);
    return DL4C_OK;
}

dl4c_dtype dl4c_tensor_dtype(const dl4c_tensor *t)
{
    return t->dtype;
}
int dl4c_tensor_ndim(const dl4c_tensor *t)
{
    return t->ndim;
}
int64_t dl4c_tensor_size(const dl4c_tensor *t)
{
    return t->size;
}
void *dl4c_tensor_data(const dl4c_tensor *t)
{
    return t->data;
}
dl4c_shape dl4c_tensor_shape(const dl4c_tensor *t)
{
    return dl4c_shape_of(t);
}

int64_t dl4c_tensor_dim(const dl4c_tensor *t, int i)
{
    if (i < 0)
        i += t->ndim;
    return (i >= 0 && i < t->ndim) ? t->shape[i] : 0;
}

double dl4c_tensor_get(const dl4c_tensor *t, int64_t i)
{
    if (i < 0 || i >= t->size)
        return NAN;
    return t->dtype == DL4C_F32 ? (double)((const float *)t->data)[i]
                                : ((const double *)t->data)[i];
}

void dl4c_tensor_set(dl4c_tensor *t, int64_t i, double value)
{
    if (i < 0 || i >= t->size)
        return;
    if (t->dtype == DL4C_F32)
        ((float *)t->data)[i] = (float)value;
    else
        ((double *)t->data)[i] = value;
}

void dl4c_tensor_fill(dl4c_tensor *t, double value)
{
    t->backend->fill(t->dtype, t->size, value, t->data);
}

double dl4c_tensor_max_abs_diff(const dl4c_tensor *a, const dl4c_tensor *b)
{
    if (a->ndim != b->ndim || a->size != b->size)
        return NAN;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i])
            return NAN;
    double m = 0;
    for (int64_t i = 0; i < a->size; i++) {
        double d = fabs(dl4c_tensor_get(a, i) - dl4c_tensor_get(b, i));
        if (d > m || isnan(d))
            m = d;
    }
    return m;
}

int dl4c_tensor_allclose(const dl4c_tensor *a, const dl4c_tensor *b,
                         double rtol, double atol)
{
    if (a->dtype != b->dtype || a->ndim != b->ndim || a->size != b->size)
        return 0;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i])
            return 0;
    for (int64_t i = 0; i < a->size; i++) {
        double x = dl4c_tensor_get(a, i), y = dl4c_tensor_get(b, i);
        if (!(fabs(x - y) <= atol + rtol * fabs(y)))
            return 0;
    }
    return 1;
}
