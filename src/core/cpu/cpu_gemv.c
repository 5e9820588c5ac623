/* The single-row product c[1,n] = alpha * x[1,k] * op(B) + beta * c, the
 * batch-1 inference path. OpenBLAS runs it on one core and does not scale
 * when called from several threads at once, so dl4c splits the output
 * columns across its threads itself: each thread streams its own slice of
 * B, which then stays in that core's cache from call to call. The loops
 * are plain and vectorize (AVX-512 with -march=native). */
#include <omp.h>

#include "core/cpu/cpu_internal.h"

/* Below this many multiply-adds one thread does it all. */
#define SPLIT_MIN (1 << 15)

/* y[j] = sum_p x[p*incx] * B[p*ldb + j] for the columns of one slice:
 * blocks of BLOCK columns whose sums stay in registers over all k rows
 * (16 AVX-512 registers for float: enough independent FMA chains to hide
 * their latency) */
#define GEMV_N(name, T, BLOCK)                                                 \
    static void name(int64_t k, int64_t cols, T alpha, const T *x,             \
                     int64_t incx, const T *b, int64_t ldb, T beta, T *y)      \
    {                                                                          \
        int64_t j0 = 0;                                                        \
        for (; j0 + BLOCK <= cols; j0 += BLOCK) {                              \
            T acc[BLOCK] = {0};                                                \
            for (int64_t p = 0; p < k; p++) {                                  \
                const T xv = x[p * incx];                                      \
                const T *row = b + p * ldb + j0;                               \
                for (int j = 0; j < BLOCK; j++)                                \
                    acc[j] += xv * row[j];                                     \
            }                                                                  \
            for (int j = 0; j < BLOCK; j++)                                    \
                y[j0 + j] =                                                    \
                    alpha * acc[j] + (beta == 0 ? (T)0 : beta * y[j0 + j]);    \
        }                                                                      \
        if (j0 < cols) {                                                       \
            T acc[BLOCK] = {0};                                                \
            int64_t w = cols - j0;                                             \
            for (int64_t p = 0; p < k; p++) {                                  \
                const T xv = x[p * incx];                                      \
                const T *row = b + p * ldb + j0;                               \
                for (int64_t j = 0; j < w; j++)                                \
                    acc[j] += xv * row[j];                                     \
            }                                                                  \
            for (int64_t j = 0; j < w; j++)                                    \
                y[j0 + j] =                                                    \
                    alpha * acc[j] + (beta == 0 ? (T)0 : beta * y[j0 + j]);    \
        }                                                                      \
    }

/* y[j] = sum_p x[p*incx] * B[j*ldb + p]: dot products with fixed lanes */
#define GEMV_T(name, T)                                                        \
    static void name(int64_t k, int64_t cols, T alpha, const T *x,             \
                     int64_t incx, const T *b, int64_t ldb, T beta, T *y)      \
    {                                                                          \
        for (int64_t j = 0; j < cols; j++) {                                   \
            const T *row = b + j * ldb;                                        \
            T lane[16] = {0};                                                  \
            int64_t p = 0;                                                     \
            if (incx == 1)                                                     \
                for (; p + 16 <= k; p += 16)                                   \
                    for (int l = 0; l < 16; l++)                               \
                        lane[l] += row[p + l] * x[p + l];                      \
            for (; p < k; p++)                                                 \
                lane[0] += row[p] * x[p * incx];                               \
            T s = 0;                                                           \
            for (int l = 0; l < 16; l++)                                       \
                s += lane[l];                                                  \
            y[j] = alpha * s + (beta == 0 ? (T)0 : beta * y[j]);               \
        }                                                                      \
    }

GEMV_N(gemv_n_f32, float, 256)
GEMV_N(gemv_n_f64, double, 64)
GEMV_T(gemv_t_f32, float)
GEMV_T(gemv_t_f64, double)

/* Columns [j0, j0 + cols) of dl4c_cpu_gemv_row. */
static void gemv_cols(dl4c_dtype dt, bool trans_b, int64_t j0, int64_t cols,
                      int64_t k, double alpha, const void *x, int64_t incx,
                      const void *b, int64_t ldb, double beta, void *c)
{
    if (dt == DL4C_F32) {
        const float *bj = (const float *)b + (trans_b ? j0 * ldb : j0);
        (trans_b ? gemv_t_f32 : gemv_n_f32)(k, cols, (float)alpha, x, incx, bj,
                                            ldb, (float)beta, (float *)c + j0);
    } else {
        const double *bj = (const double *)b + (trans_b ? j0 * ldb : j0);
        (trans_b ? gemv_t_f64 : gemv_n_f64)(k, cols, alpha, x, incx, bj, ldb,
                                            beta, (double *)c + j0);
    }
}

void dl4c_cpu_gemv_row(dl4c_dtype dt, bool trans_b, int64_t n, int64_t k,
                       double alpha, const void *x, int64_t incx, const void *b,
                       int64_t ldb, double beta, void *c)
{
    /* small products, and calls from inside a parallel region (a recurrent
     * layer's rows on one thread), run here without opening a region */
    if (n * k < SPLIT_MIN || omp_in_parallel() || omp_get_max_threads() == 1) {
        gemv_cols(dt, trans_b, 0, n, k, alpha, x, incx, b, ldb, beta, c);
        return;
    }
    int threads = omp_get_max_threads();
    int64_t chunk = (n + threads - 1) / threads;
    chunk = (chunk + 15) / 16 * 16; /* whole cache lines per thread */
    int64_t slices = (n + chunk - 1) / chunk;
    DL4C_OMP_FOR_N(threads, true)
    for (int64_t s = 0; s < slices; s++) {
        int64_t j0 = s * chunk;
        gemv_cols(dt, trans_b, j0, n - j0 < chunk ? n - j0 : chunk, k, alpha, x,
                  incx, b, ldb, beta, c);
    }
}
