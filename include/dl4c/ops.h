/* Tensor operations: elementwise with NumPy broadcasting, reductions,
 * softmax, matrix multiply. Each dispatches to the tensor's backend.
 *
 *   // out[i][j] = a[i][j] + b[j]
 *   dl4c_ops_binary(DL4C_BIN_ADD, a, b, out);
 *   // C = A^T * B
 *   dl4c_ops_gemm(true, false, 1.0, A, B, 0.0, C);
 *
 * Outputs are caller-allocated with the right shape and the inputs' dtype;
 * a mismatch returns DL4C_SHAPE naming both shapes. Not for the compute
 * loop of a layer (that calls the backend directly): these validate.
 */
#ifndef DL4C_OPS_H
#define DL4C_OPS_H

#include <stdbool.h>

#include "dl4c/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dl4c_binary_op {
    DL4C_BIN_ADD = 0,
    DL4C_BIN_SUB,
    DL4C_BIN_MUL,
    DL4C_BIN_DIV,
    DL4C_BIN_MAX,
    DL4C_BIN_MIN,
    DL4C_BIN_POW,
    DL4C_BIN_COUNT
} dl4c_binary_op;

typedef enum dl4c_unary_op {
    DL4C_UN_NEG = 0,
    DL4C_UN_ABS,
    DL4C_UN_EXP,
    DL4C_UN_LOG,
    DL4C_UN_SQRT,
    DL4C_UN_SQUARE,
    DL4C_UN_RECIPROCAL,
    DL4C_UN_SIGN,
    DL4C_UN_COUNT
} dl4c_unary_op;

typedef enum dl4c_reduce_op {
    DL4C_RED_SUM = 0,
    DL4C_RED_MEAN,
    DL4C_RED_MAX,
    DL4C_RED_MIN,
    DL4C_RED_COUNT
} dl4c_reduce_op;

/* out = a (op) b with NumPy broadcasting; out has the broadcast shape. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_ops_binary(dl4c_binary_op op,
                                                    const dl4c_tensor *a,
                                                    const dl4c_tensor *b,
                                                    dl4c_tensor *out);

/* out = op(x), same shape; out may be x. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_ops_unary(dl4c_unary_op op,
                                                   const dl4c_tensor *x,
                                                   dl4c_tensor *out);

/* Reduces along `axis` (negative counts from the end). out has x's shape
 * with that axis removed, or set to 1 when keepdims. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_ops_reduce(dl4c_reduce_op op,
                                                    const dl4c_tensor *x,
                                                    int axis, bool keepdims,
                                                    dl4c_tensor *out);

/* Sum of all elements, as double. */
DL4C_API double dl4c_ops_sum(const dl4c_tensor *x);

/* Softmax / log-softmax along `axis`; out has x's shape (may be x). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_ops_softmax(const dl4c_tensor *x,
                                                     int axis, bool log,
                                                     dl4c_tensor *out);

/* C = alpha * op(A) * op(B) + beta * C for 2-D tensors, op = transpose
 * when the flag is set. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_ops_gemm(bool trans_a, bool trans_b,
                                                  double alpha,
                                                  const dl4c_tensor *a,
                                                  const dl4c_tensor *b,
                                                  double beta, dl4c_tensor *c);

/* Index of the largest element along the last axis, per row: x is [R, C],
 * idx has R entries. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_ops_argmax_rows(const dl4c_tensor *x,
                                                         int64_t *idx);

/* What the CPU backend's matrix products run on, e.g. "OpenBLAS 0.3.21
 * ... USE_OPENMP; kernels: SkylakeX (chosen by dl4c from the CPU's
 * features)". dl4c loads OpenBLAS on first use and, unless
 * OPENBLAS_CORETYPE is set, picks its kernels from the CPU's AVX-512 /
 * AVX2 flags: OpenBLAS' own model table misses newer CPUs. A static
 * string. */
DL4C_API const char *dl4c_blas_info(void);

#ifdef __cplusplus
}
#endif
#endif
