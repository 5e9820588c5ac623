/* CPU kernels for merge and attention layers: strided 2-D copies
 * (concatenation and its split), strided gathers (broadcasts and
 * permutations), the sum over broadcast positions (a broadcast's
 * gradient), gradient routing for maximum/minimum and batched matrix
 * products. The gather and routing loops split rows of the last dim
 * across threads like the binary kernel; the broadcast sum runs in element
 * order, so its sums do not depend on the thread count. */
#include <string.h>

#include "core/cpu/cpu_norm_decls.inc"

/* Products smaller than this many multiply-adds run with plain loops, one
 * per thread across the batch; larger ones go to BLAS one after another,
 * each on BLAS' threads. */
#define SMALL_GEMM (64 * 64 * 64)

void dl4c_cpu_copy_2d(dl4c_dtype dt, int64_t rows, int64_t cols,
                      const void *src, int64_t lds, void *dst, int64_t ldd)
{
    const size_t es = dl4c_dtype_size(dt);
    const char *s = src;
    char *d = dst;
    DL4C_OMP_FOR(rows * cols > DL4C_CPU_PAR_MIN)
    for (int64_t r = 0; r < rows; r++)
        memcpy(d + (size_t)(r * ldd) * es, s + (size_t)(r * lds) * es,
               (size_t)cols * es);
}

/* offset of row r (all dims but the last) of `shape` under strides st */
static int64_t row_offset(int ndim, const int64_t *shape, const int64_t *st,
                          int64_t r)
{
    int64_t off = 0;
    for (int d = ndim - 2; d >= 0; d--) {
        off += (r % shape[d]) * st[d];
        r /= shape[d];
    }
    return off;
}

static int64_t row_count(int ndim, const int64_t *shape)
{
    int64_t rows = 1;
    for (int d = 0; d + 1 < ndim; d++)
        rows *= shape[d];
    return rows;
}

void dl4c_cpu_gather(dl4c_dtype dt, int ndim, const int64_t *shape,
                     const int64_t *st, const void *src, void *dst)
{
    const int64_t inner = ndim ? shape[ndim - 1] : 1;
    const int64_t is = ndim ? st[ndim - 1] : 0;
    const int64_t rows = row_count(ndim, shape);
    DL4C_CPU_DISPATCH(dt, {
        const T *ps = src;
        T *pd = dst;
        DL4C_OMP_FOR(rows * inner > DL4C_CPU_PAR_MIN)
        for (int64_t r = 0; r < rows; r++) {
            const T *s = ps + row_offset(ndim, shape, st, r);
            T *d = pd + r * inner;
            for (int64_t i = 0; i < inner; i++)
                d[i] = s[i * is];
        }
    });
}

void dl4c_cpu_sum_broadcast(dl4c_dtype dt, int ndim, const int64_t *shape,
                            const int64_t *st, int64_t n_dst, const void *src,
                            void *dst)
{
    const int64_t inner = ndim ? shape[ndim - 1] : 1;
    const int64_t is = ndim ? st[ndim - 1] : 0;
    const int64_t rows = row_count(ndim, shape);
    DL4C_CPU_DISPATCH(dt, {
        const T *ps = src;
        T *pd = dst;
        for (int64_t k = 0; k < n_dst; k++)
            pd[k] = 0;
        for (int64_t r = 0; r < rows; r++) {
            T *d = pd + row_offset(ndim, shape, st, r);
            const T *s = ps + r * inner;
            for (int64_t i = 0; i < inner; i++)
                d[i * is] += s[i];
        }
    });
}

void dl4c_cpu_pick_grad(dl4c_dtype dt, int ndim, const int64_t *shape,
                        const int64_t *st, const void *x, const void *y,
                        const void *dy, void *taken, void *dx)
{
    const int64_t inner = ndim ? shape[ndim - 1] : 1;
    const int64_t is = ndim ? st[ndim - 1] : 0;
    const int64_t rows = row_count(ndim, shape);
    DL4C_CPU_DISPATCH(dt, {
        const T *px = x;
        const T *py = y;
        const T *pd = dy;
        T *pt = taken;
        T *pg = dx;
        DL4C_OMP_FOR(rows * inner > DL4C_CPU_PAR_MIN)
        for (int64_t r = 0; r < rows; r++) {
            const T *xr = px + row_offset(ndim, shape, st, r);
            const int64_t off = r * inner;
            for (int64_t i = 0; i < inner; i++) {
                bool win = pt[off + i] == 0 && xr[i * is] == py[off + i];
                pg[off + i] = win ? pd[off + i] : (T)0;
                if (win)
                    pt[off + i] = 1;
            }
        }
    });
}

/* One small product with plain loops: C = alpha op(A) op(B) + beta C.
 * Runs on the calling thread, so a batch of them can be spread across
 * threads (BLAS calls from several threads at once would serialize). */
#define SMALL_GEMM_FN(name, T)                                                 \
    static void name(bool ta, bool tb, int64_t m, int64_t n, int64_t k,        \
                     double alpha, const T *a, int64_t lda, const T *b,        \
                     int64_t ldb, double beta, T *c, int64_t ldc)              \
    {                                                                          \
        const T al = (T)alpha, be = (T)beta;                                   \
        for (int64_t i = 0; i < m; i++) {                                      \
            T *ci = c + i * ldc;                                               \
            for (int64_t j = 0; j < n; j++)                                    \
                ci[j] = be == 0 ? (T)0 : be * ci[j];                           \
            for (int64_t p = 0; p < k; p++) {                                  \
                const T aip = al * (ta ? a[p * lda + i] : a[i * lda + p]);     \
                if (tb)                                                        \
                    for (int64_t j = 0; j < n; j++)                            \
                        ci[j] += aip * b[j * ldb + p];                         \
                else                                                           \
                    for (int64_t j = 0; j < n; j++)                            \
                        ci[j] += aip * b[p * ldb + j];                         \
            }                                                                  \
        }                                                                      \
    }
SMALL_GEMM_FN(small_gemm_f32, float)
SMALL_GEMM_FN(small_gemm_f64, double)

/* Product t of a batch (see dl4c_cpu_gemm_batched). */
static void gemm_one(dl4c_dtype dt, bool trans_a, bool trans_b, int64_t m,
                     int64_t n, int64_t k, double alpha, const void *a,
                     int64_t lda, const void *b, int64_t ldb, double beta,
                     void *c, int64_t ldc, const dl4c_gemm_batch *batch,
                     int64_t t, bool small)
{
    const size_t es = dl4c_dtype_size(dt);
    const int64_t c1 = batch->count[1];
    const int64_t i = t / c1, j = t % c1;
    const char *pa =
        (const char *)a +
        (size_t)(i * batch->stride_a[0] + j * batch->stride_a[1]) * es;
    const char *pb =
        (const char *)b +
        (size_t)(i * batch->stride_b[0] + j * batch->stride_b[1]) * es;
    char *pc = (char *)c +
               (size_t)(i * batch->stride_c[0] + j * batch->stride_c[1]) * es;
    if (!small)
        dl4c_cpu_gemm(dt, trans_a, trans_b, m, n, k, alpha, pa, lda, pb, ldb,
                      beta, pc, ldc);
    else if (dt == DL4C_F32)
        small_gemm_f32(trans_a, trans_b, m, n, k, alpha, (const float *)pa, lda,
                       (const float *)pb, ldb, beta, (float *)pc, ldc);
    else
        small_gemm_f64(trans_a, trans_b, m, n, k, alpha, (const double *)pa,
                       lda, (const double *)pb, ldb, beta, (double *)pc, ldc);
}

void dl4c_cpu_gemm_batched(dl4c_dtype dt, bool trans_a, bool trans_b, int64_t m,
                           int64_t n, int64_t k, double alpha, const void *a,
                           int64_t lda, const void *b, int64_t ldb, double beta,
                           void *c, int64_t ldc, const dl4c_gemm_batch *batch)
{
    const int64_t total = batch->count[0] * batch->count[1];
    const bool small = m * n * k < SMALL_GEMM;
    /* large products run one after another on the threaded GEMM, outside
     * any parallel region (inside even an inactive one, each would start a
     * thread team of its own) */
    const bool par = small && total > 1 && total * m * n * k > DL4C_CPU_PAR_MIN;
    if (!par) {
        for (int64_t t = 0; t < total; t++)
            gemm_one(dt, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta,
                     c, ldc, batch, t, small);
        return;
    }
    DL4C_OMP_FOR(true)
    for (int64_t t = 0; t < total; t++)
        gemm_one(dt, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c,
                 ldc, batch, t, small);
}
