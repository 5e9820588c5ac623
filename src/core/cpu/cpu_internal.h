/* Entry points of the CPU backend, one family per file, gathered into the
 * table in cpu_backend.c. Kernels are written once over a type T and
 * instantiated for float and double (see DL4C_CPU_DISPATCH). */
#ifndef DL4C_CPU_INTERNAL_H
#define DL4C_CPU_INTERNAL_H

#include "core/backend.h"

/* Below this many elements a loop runs on one thread: waking the OpenMP
 * team costs more than it saves. */
#define DL4C_CPU_PAR_MIN 32768

/* OpenMP parallel loops over the `for` statement that follows, usable
 * inside macro bodies (a #pragma is not): DL4C_OMP_FOR when `cond` holds,
 * DL4C_OMP_FOR2 collapsing two nested loops, DL4C_OMP_FOR_N with `n`
 * threads. .clang-format lists them as statement macros. */
#define DL4C_PRAGMA(x) _Pragma(#x)
#define DL4C_OMP_FOR(cond)                                                     \
    DL4C_PRAGMA(omp parallel for if (cond) schedule(static))
#define DL4C_OMP_FOR2(cond)                                                    \
    DL4C_PRAGMA(omp parallel for collapse(2) if (cond) schedule(static))
#define DL4C_OMP_FOR_N(n, cond)                                                \
    DL4C_PRAGMA(omp parallel for num_threads(n) if (cond) schedule(static))

/* Runs the body (the variadic argument) with T typedef'd to float or
 * double per `dt`. */
#define DL4C_CPU_DISPATCH(dt, ...)                                             \
    do {                                                                       \
        if ((dt) == DL4C_F32) {                                                \
            typedef float T;                                                   \
            __VA_ARGS__                                                        \
        } else {                                                               \
            typedef double T;                                                  \
            __VA_ARGS__                                                        \
        }                                                                      \
    } while (0)

void dl4c_cpu_gemm(dl4c_dtype dt, bool trans_a, bool trans_b, int64_t m,
                   int64_t n, int64_t k, double alpha, const void *a,
                   int64_t lda, const void *b, int64_t ldb, double beta,
                   void *c, int64_t ldc);

/* How many dl4c_cpu_gemm calls came from inside an inactive (one-thread)
 * parallel region, where the threaded kernels start a nested team per
 * call; kernels keep it at zero, tests check it. */
long dl4c_cpu_gemm_inactive_calls(void);

/* c[1,n] = alpha * x[1,k] * op(B) + beta * c, op(B) = B (stored k x n)
 * or B^T (stored n x k), threaded over the columns of c. */
void dl4c_cpu_gemv_row(dl4c_dtype dt, bool trans_b, int64_t n, int64_t k,
                       double alpha, const void *x, int64_t incx, const void *b,
                       int64_t ldb, double beta, void *c);

size_t dl4c_cpu_packed_size(dl4c_dtype dt, int64_t k, int64_t n);
void dl4c_cpu_pack(dl4c_dtype dt, int64_t k, int64_t n, const void *w,
                   void *packed);
void dl4c_cpu_gemv_packed(dl4c_dtype dt, int64_t k, int64_t n, const void *x,
                          const void *packed, void *y);

void dl4c_cpu_binary(dl4c_binary_op op, dl4c_dtype dt, int ndim,
                     const int64_t *shape, const int64_t *sa, const int64_t *sb,
                     const void *a, const void *b, void *out);
void dl4c_cpu_unary(dl4c_unary_op op, dl4c_dtype dt, int64_t n, const void *x,
                    void *y);

void dl4c_cpu_reduce(dl4c_reduce_op op, dl4c_dtype dt, int64_t outer,
                     int64_t len, int64_t inner, const void *x, void *y);
void dl4c_cpu_softmax(dl4c_dtype dt, int64_t outer, int64_t len, int64_t inner,
                      bool log, const void *x, void *y);
void dl4c_cpu_bias_add(dl4c_dtype dt, int64_t rows, int64_t cols, const void *b,
                       void *y);
void dl4c_cpu_bias_grad(dl4c_dtype dt, int64_t rows, int64_t cols,
                        const void *dy, void *db);

void dl4c_cpu_act_forward(const dl4c_activation *act, dl4c_dtype dt,
                          int64_t rows, int64_t cols, const void *x, void *y,
                          bool training, uint64_t seed);
void dl4c_cpu_act_backward(const dl4c_activation *act, dl4c_dtype dt,
                           int64_t rows, int64_t cols, const void *x,
                           const void *y, const void *dy, void *dx,
                           bool training, uint64_t seed);
void dl4c_cpu_dropout(dl4c_dtype dt, int64_t n, double rate, uint64_t seed,
                      const void *x, void *y);

void dl4c_cpu_loss(const dl4c_loss_args *args, dl4c_dtype dt, double *row_loss,
                   void *grad, double grad_scale);

void dl4c_cpu_loss_fused_grad(const dl4c_loss_args *args, dl4c_dtype dt,
                              void *dz, double grad_scale);

void dl4c_cpu_update(const dl4c_update_step *step, dl4c_dtype dt, int64_t n,
                     void *param, void *grad, void *state);

#endif
