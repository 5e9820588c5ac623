/* GEMM through OpenBLAS (row-major CBLAS). A single-row product (m == 1,
 * the batch-1 inference path) goes to dl4c's own threaded GEMV
 * (cpu_gemv.c); a single-column one (n == 1, a one-unit output layer) to
 * OpenBLAS' GEMV, without GEMM's packing cost. Leading dimensions are the
 * caller's, so views of wider matrices work on every path. */
#include <omp.h>
#include <stdatomic.h>

#include "core/cpu/cpu_blas.h"
#include "core/cpu/cpu_internal.h"

static atomic_long inactive_calls;

long dl4c_cpu_gemm_inactive_calls(void)
{
    return atomic_load(&inactive_calls);
}

static void gemv(dl4c_dtype dt, enum CBLAS_TRANSPOSE t, int64_t rows,
                 int64_t cols, double alpha, const void *a, int64_t lda,
                 const void *x, int64_t incx, double beta, void *y,
                 int64_t incy)
{
    const dl4c_blas *blas = dl4c_blas_get();
    if (dt == DL4C_F32)
        blas->sgemv(CblasRowMajor, t, (int)rows, (int)cols, (float)alpha, a,
                    (int)lda, x, (int)incx, (float)beta, y, (int)incy);
    else
        blas->dgemv(CblasRowMajor, t, (int)rows, (int)cols, alpha, a, (int)lda,
                    x, (int)incx, beta, y, (int)incy);
}

void dl4c_cpu_gemm(dl4c_dtype dt, bool trans_a, bool trans_b, int64_t m,
                   int64_t n, int64_t k, double alpha, const void *a,
                   int64_t lda, const void *b, int64_t ldb, double beta,
                   void *c, int64_t ldc)
{
    /* Inside an inactive parallel region (`if` false) the threaded kernels
     * below would start a nested thread team on every call, which costs
     * far more than the product: callers run such GEMMs outside any
     * region. Counted so tests can hold them to it. */
    if (omp_get_level() > 0 && !omp_in_parallel())
        atomic_fetch_add_explicit(&inactive_calls, 1, memory_order_relaxed);
    if (m == 1 && n > 1 && k > 1) {
        /* c[1,n] = op(A)[1,k] * op(B): A's row (stride 1) or, when A is
         * stored k x 1, its column (stride lda) */
        dl4c_cpu_gemv_row(dt, trans_b, n, k, alpha, a, trans_a ? lda : 1, b,
                          ldb, beta, c);
        return;
    }
    if (n == 1 && m > 1 && k > 1) {
        /* c[m,1] = op(A) * op(B)[k,1]: y = op(A) x with A stored m x k (no
         * trans) or k x m (trans); x is B's column (stride ldb) or, when B
         * is stored 1 x k, its row (stride 1); y is c's column */
        if (trans_a)
            gemv(dt, CblasTrans, k, m, alpha, a, lda, b, trans_b ? 1 : ldb,
                 beta, c, ldc);
        else
            gemv(dt, CblasNoTrans, m, k, alpha, a, lda, b, trans_b ? 1 : ldb,
                 beta, c, ldc);
        return;
    }
    enum CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
    enum CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
    const dl4c_blas *blas = dl4c_blas_get();
    if (dt == DL4C_F32)
        blas->sgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, (float)alpha,
                    a, (int)lda, b, (int)ldb, (float)beta, c, (int)ldc);
    else
        blas->dgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, alpha, a,
                    (int)lda, b, (int)ldb, beta, c, (int)ldc);
}
