/* Dense tensors: row-major, contiguous, float32 or float64, up to 8 dims.
 *
 *   int64_t shape[2] = {2, 3};
 *   dl4c_tensor *t = NULL;
 *   if (dl4c_tensor_create(DL4C_F32, 2, shape, &t) != DL4C_OK) ...
 *   float *x = dl4c_tensor_data(t);       // 6 zeros
 *   x[4] = 1.5f;                          // element [1][1]
 *   dl4c_tensor_free(t);
 *
 * Images are NHWC (batch, height, width, channels), sequences NWC (batch,
 * time, features), as Keras lays them out. A tensor carries the backend
 * (device) its data lives on; tensors made by these calls live on the CPU.
 */
#ifndef DL4C_TENSOR_H
#define DL4C_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "dl4c/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DL4C_MAX_DIMS 8

typedef enum dl4c_dtype { DL4C_F32 = 0, DL4C_F64, DL4C_DTYPE_COUNT } dl4c_dtype;

/* A shape by value: used for per-example layer shapes and net inputs. */
typedef struct dl4c_shape {
    int ndim;
    int64_t dim[DL4C_MAX_DIMS];
} dl4c_shape;

typedef struct dl4c_tensor dl4c_tensor;

/* Bytes per element (4 or 8); 0 for an invalid dtype. */
DL4C_API size_t dl4c_dtype_size(dl4c_dtype dtype);
/* "float32" / "float64". */
DL4C_API const char *dl4c_dtype_name(dl4c_dtype dtype);

/* Product of dims (1 for ndim 0). */
DL4C_API int64_t dl4c_shape_size(const dl4c_shape *shape);
/* Writes "[2, 3, 4]" into buf (always NUL-terminated); returns buf. */
DL4C_API char *dl4c_shape_format(const dl4c_shape *shape, char *buf,
                                 size_t cap);

/* Creates a zero-filled tensor. `shape` has `ndim` entries, each > 0.
 * Returns DL4C_INVALID_ARG for ndim outside 0..8, a non-positive dim or a
 * size that overflows; DL4C_NOMEM. *out is NULL on failure. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_tensor_create(dl4c_dtype dtype,
                                                       int ndim,
                                                       const int64_t *shape,
                                                       dl4c_tensor **out);

/* Like dl4c_tensor_create, then copies size*dtype_size bytes from `data`. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_tensor_create_from(dl4c_dtype dtype, int ndim, const int64_t *shape,
                        const void *data, dl4c_tensor **out);

/* Frees the tensor and, unless it is a view, its data. NULL is a no-op. */
DL4C_API void dl4c_tensor_free(dl4c_tensor *t);

/* A new tensor object aliasing `base`'s data from element `offset` on, with
 * the given shape. The view does not own the data; `base` must outlive it.
 * Free the view with dl4c_tensor_free. DL4C_SHAPE if it would run past the
 * end of `base`. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_tensor_view(const dl4c_tensor *base,
                                                     int64_t offset, int ndim,
                                                     const int64_t *shape,
                                                     dl4c_tensor **out);

/* Deep copy (same dtype and backend). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_tensor_copy(const dl4c_tensor *src,
                                                     dl4c_tensor **out);

/* Deep copy converted to `dtype`. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_tensor_cast(const dl4c_tensor *src,
                                                     dl4c_dtype dtype,
                                                     dl4c_tensor **out);

/* Changes the shape in place; the element count must stay the same. A dim
 * of -1 is inferred. DL4C_SHAPE otherwise. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_tensor_reshape(dl4c_tensor *t,
                                                        int ndim,
                                                        const int64_t *shape);

/* Copies the elements of src into dst (same dtype and element count). */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_tensor_copy_into(const dl4c_tensor *src, dl4c_tensor *dst);

DL4C_API dl4c_dtype dl4c_tensor_dtype(const dl4c_tensor *t);
DL4C_API int dl4c_tensor_ndim(const dl4c_tensor *t);
/* Size of dim i; negative i counts from the end (-1 = last). 0 if out of
 * range. */
DL4C_API int64_t dl4c_tensor_dim(const dl4c_tensor *t, int i);
DL4C_API dl4c_shape dl4c_tensor_shape(const dl4c_tensor *t);
DL4C_API int64_t dl4c_tensor_size(const dl4c_tensor *t);
/* Host pointer to the first element (borrowed, lives as long as t). */
DL4C_API void *dl4c_tensor_data(const dl4c_tensor *t);

/* Element i of the flattened tensor as double; no bounds check beyond
 * returning NaN when i is out of range. */
DL4C_API double dl4c_tensor_get(const dl4c_tensor *t, int64_t i);
/* Sets element i (ignored when out of range). */
DL4C_API void dl4c_tensor_set(dl4c_tensor *t, int64_t i, double value);
/* Sets every element to value. */
DL4C_API void dl4c_tensor_fill(dl4c_tensor *t, double value);

/* True when shapes and dtypes match and every element differs by at most
 * atol + rtol*|b|. */
DL4C_API int dl4c_tensor_allclose(const dl4c_tensor *a, const dl4c_tensor *b,
                                  double rtol, double atol);
/* Largest |a-b| over all elements (shapes must match; NaN otherwise). */
DL4C_API double dl4c_tensor_max_abs_diff(const dl4c_tensor *a,
                                         const dl4c_tensor *b);

#ifdef __cplusplus
}
#endif
#endif
