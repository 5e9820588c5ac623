/* NumPy .npy arrays in and out, so Python users can hand data to dl4c and
 * take predictions back without glue code.
 *
 *   dl4c_tensor *x = NULL;
 *   if (dl4c_npy_load("images.npy", DL4C_F32, &x) != DL4C_OK)
 *       fprintf(stderr, "%s\n", dl4c_last_error());
 *   ...
 *   if (dl4c_npy_save(y, "output_0.npy") != DL4C_OK) ...
 *
 * Reading accepts format versions 1.0, 2.0 and 3.0, C or Fortran order,
 * and the element types float16/32/64, int8/16/32/64, uint8/16/32/64 and
 * bool in either byte order; values are converted to the requested dtype
 * (NaN and infinities are kept as they are). Structured and object
 * arrays, arrays with more than 8 dims and arrays with a zero-length dim
 * are refused with DL4C_UNSUPPORTED. Writing produces a version 1.0 file
 * (2.0 when the header needs it) of little-endian float32 or float64 in C
 * order, exactly what numpy.save writes for such an array.
 */
#ifndef DL4C_NPY_H
#define DL4C_NPY_H

#include <stddef.h>

#include "dl4c/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the .npy file at `path` into a new tensor of `dtype` (the array's
 * shape; a 0-d array gives a 0-d tensor). *out is NULL on failure.
 * Returns DL4C_IO when the file cannot be read; DL4C_FORMAT for a file
 * that is not a .npy array (wrong magic, a malformed header, a size that
 * does not match the shape: "a.npy: truncated: the header's shape [3, 4]
 * needs 48 bytes of data, the file has 20"); DL4C_UNSUPPORTED as above;
 * DL4C_INVALID_ARG for a NULL argument or an invalid dtype; DL4C_NOMEM.
 * Thread-safe. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_npy_load(const char *path,
                                                  dl4c_dtype dtype,
                                                  dl4c_tensor **out);

/* The same from `len` bytes in memory (a whole .npy file); messages
 * start with "npy: ". */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_npy_parse(const void *bytes,
                                                   size_t len, dl4c_dtype dtype,
                                                   dl4c_tensor **out);

/* Writes `t` (float32 as '<f4', float64 as '<f8', its shape, C order) to
 * `path`, atomically: a temporary file that is synced and renamed, so
 * readers never see half a file. DL4C_IO (naming the file) when it cannot
 * be written; DL4C_INVALID_ARG for NULL arguments. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_npy_save(const dl4c_tensor *t,
                                                  const char *path);

#ifdef __cplusplus
}
#endif
#endif
