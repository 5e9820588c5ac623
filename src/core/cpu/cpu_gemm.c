/* GEMM through OpenBLAS (row-major CBLAS). A single-row or single-column
 * product goes to GEMV, which OpenBLAS runs without GEMM's packing cost:
 * that is the batch-1 inference path. */
#include <cblas.h>

#include "core/cpu/cpu_internal.h"

void dl4c_cpu_gemm(dl4c_dtype dt, bool trans_a, bool trans_b, int64_t m,
                   int64_t n, int64_t k, double alpha, const void *a,
                   int64_t lda, const void *b, int64_t ldb, double beta,
                   void *c, int64_t ldc)
{
    enum CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
    enum CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
    if (m == 1 && n > 1 && k > 1) {
        /* c[1,n] = a[1,k] * op(B): y = op(B)^T x, with B stored k x n
         * (no trans) or n x k (trans) */
        enum CBLAS_TRANSPOSE tv = trans_b ? CblasNoTrans : CblasTrans;
        int rows = trans_b ? (int)n : (int)k;
        int cols = trans_b ? (int)k : (int)n;
        int incx = trans_a ? (int)lda : 1;
        if (dt == DL4C_F32)
            cblas_sgemv(CblasRowMajor, tv, rows, cols, (float)alpha, b,
                        (int)ldb, a, incx, (float)beta, c, 1);
        else
            cblas_dgemv(CblasRowMajor, tv, rows, cols, alpha, b, (int)ldb, a,
                        incx, beta, c, 1);
        return;
    }
    if (dt == DL4C_F32)
        cblas_sgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k,
                    (float)alpha, a, (int)lda, b, (int)ldb, (float)beta, c,
                    (int)ldc);
    else
        cblas_dgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, alpha, a,
                    (int)lda, b, (int)ldb, beta, c, (int)ldc);
}
