/* The tensor struct, visible inside the library. Layers and kernels read
 * the fields directly; the public API keeps the type opaque. A tensor either
 * owns its block (`owned` != NULL, released through its backend) or is a
 * view into memory owned elsewhere (net arena, parameter vector, a base
 * tensor). */
#ifndef DL4C_TENSOR_INTERNAL_H
#define DL4C_TENSOR_INTERNAL_H

#include "core/backend.h"
#include "dl4c/tensor.h"

struct dl4c_tensor {
    dl4c_dtype dtype;
    int ndim;
    int64_t shape[DL4C_MAX_DIMS];
    int64_t size;
    void *data;
    const dl4c_backend *backend;
    void *owned;
};

/* Sets up `t` as a view (caller's struct, no allocation). */
void dl4c_tensor_init_view(dl4c_tensor *t, const dl4c_backend *backend,
                           dl4c_dtype dtype, void *data, int ndim,
                           const int64_t *shape);

/* Sets up `t` as a view with shape [batch, shape...]. */
void dl4c_tensor_init_batch_view(dl4c_tensor *t, const dl4c_backend *backend,
                                 dl4c_dtype dtype, void *data, int64_t batch,
                                 const dl4c_shape *shape);

/* Validates ndim/dims and computes the element count; DL4C_INVALID_ARG
 * with a message otherwise. */
dl4c_status dl4c_shape_check(int ndim, const int64_t *shape, int64_t *size);

/* Shape of t as a dl4c_shape. */
dl4c_shape dl4c_shape_of(const dl4c_tensor *t);

/* True when both shapes have the same dims. */
int dl4c_shape_equal(const dl4c_shape *a, const dl4c_shape *b);

/* Rows/cols view for 2-D kernels: cols = last dim, rows = the rest. */
static inline int64_t dl4c_tensor_cols(const dl4c_tensor *t)
{
    return t->ndim ? t->shape[t->ndim - 1] : 1;
}
static inline int64_t dl4c_tensor_rows(const dl4c_tensor *t)
{
    int64_t c = dl4c_tensor_cols(t);
    return c ? t->size / c : 0;
}

#endif
