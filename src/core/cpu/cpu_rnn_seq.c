/* CPU data movement around sequences: strided row copies, Bidirectional
 * merges (with the backward direction's time reversal), embedding lookups
 * and their gradient, and Keras-style masks. Plain loops; the embedding
 * gradient sums rows in index order so results do not depend on the
 * thread count. */
#include "core/cpu/cpu_rnn_decls.inc"

void dl4c_cpu_rnn_copy_rows(dl4c_dtype dt, int64_t rows, int64_t cols,
                            const void *src, int64_t lds, void *dst,
                            int64_t ldd)
{
    DL4C_CPU_DISPATCH(dt, {
        const T *s = src;
        T *d = dst;
        DL4C_OMP_FOR(rows * cols > DL4C_CPU_PAR_MIN)
        for (int64_t r = 0; r < rows; r++)
            for (int64_t c = 0; c < cols; c++)
                d[r * ldd + c] = s[r * lds + c];
    });
}

void dl4c_cpu_rnn_fill_rows(dl4c_dtype dt, int64_t rows, int64_t cols,
                            double value, void *dst, int64_t ldd)
{
    DL4C_CPU_DISPATCH(dt, {
        T *d = dst;
        T v = (T)value;
        for (int64_t r = 0; r < rows; r++)
            for (int64_t c = 0; c < cols; c++)
                d[r * ldd + c] = v;
    });
}

void dl4c_cpu_rnn_merge(dl4c_dtype dt, dl4c_merge_mode mode, int64_t n,
                        int64_t steps, int64_t inner, int64_t cols,
                        bool reverse, const void *a, const void *b, void *out)
{
    int64_t ow = mode == DL4C_MERGE_CONCAT ? 2 * cols : cols;
    DL4C_CPU_DISPATCH(dt, {
        const T *pa = a;
        const T *pb = b;
        T *po = out;
        DL4C_OMP_FOR(n * steps * inner * cols > DL4C_CPU_PAR_MIN)
        for (int64_t it = 0; it < n * steps; it++) {
            int64_t i = it / steps, t = it % steps;
            int64_t tb = reverse ? steps - 1 - t : t;
            for (int64_t p = 0; p < inner; p++) {
                const T *ar = pa + ((i * steps + t) * inner + p) * cols;
                const T *br = pb + ((i * steps + tb) * inner + p) * cols;
                T *o = po + ((i * steps + t) * inner + p) * ow;
                switch (mode) {
                case DL4C_MERGE_CONCAT:
                    for (int64_t c = 0; c < cols; c++) {
                        o[c] = ar[c];
                        o[cols + c] = br[c];
                    }
                    break;
                case DL4C_MERGE_SUM:
                    for (int64_t c = 0; c < cols; c++)
                        o[c] = ar[c] + br[c];
                    break;
                case DL4C_MERGE_MUL:
                    for (int64_t c = 0; c < cols; c++)
                        o[c] = ar[c] * br[c];
                    break;
                case DL4C_MERGE_AVE:
                    for (int64_t c = 0; c < cols; c++)
                        o[c] = (ar[c] + br[c]) * (T)0.5;
                    break;
                default: /* NONE: b alone, reordered */
                    for (int64_t c = 0; c < cols; c++)
                        o[c] = br[c];
                    break;
                }
            }
        }
    });
}

void dl4c_cpu_rnn_merge_backward(dl4c_dtype dt, dl4c_merge_mode mode, int64_t n,
                                 int64_t steps, int64_t inner, int64_t cols,
                                 bool reverse, const void *a, const void *b,
                                 const void *dout, void *da, void *db)
{
    int64_t ow = mode == DL4C_MERGE_CONCAT ? 2 * cols : cols;
    DL4C_CPU_DISPATCH(dt, {
        const T *pa = a;
        const T *pb = b;
        const T *pd = dout;
        T *qa = da;
        T *qb = db;
        DL4C_OMP_FOR(n * steps * inner * cols > DL4C_CPU_PAR_MIN)
        for (int64_t it = 0; it < n * steps; it++) {
            int64_t i = it / steps, t = it % steps;
            int64_t tb = reverse ? steps - 1 - t : t;
            for (int64_t p = 0; p < inner; p++) {
                int64_t oa = ((i * steps + t) * inner + p) * cols;
                int64_t ob = ((i * steps + tb) * inner + p) * cols;
                const T *d = pd + ((i * steps + t) * inner + p) * ow;
                switch (mode) {
                case DL4C_MERGE_CONCAT:
                    for (int64_t c = 0; c < cols; c++) {
                        qa[oa + c] = d[c];
                        qb[ob + c] = d[cols + c];
                    }
                    break;
                case DL4C_MERGE_SUM:
                    for (int64_t c = 0; c < cols; c++)
                        qa[oa + c] = qb[ob + c] = d[c];
                    break;
                case DL4C_MERGE_MUL:
                    for (int64_t c = 0; c < cols; c++) {
                        qa[oa + c] = d[c] * pb[ob + c];
                        qb[ob + c] = d[c] * pa[oa + c];
                    }
                    break;
                case DL4C_MERGE_AVE:
                    for (int64_t c = 0; c < cols; c++)
                        qa[oa + c] = qb[ob + c] = d[c] * (T)0.5;
                    break;
                default:
                    for (int64_t c = 0; c < cols; c++)
                        qb[ob + c] = d[c];
                    break;
                }
            }
        }
    });
}

/* The row an index value selects, or -1 (NaN, out of range). Values are
 * truncated toward zero, as a cast to int is in Keras. */
#define EMB_ROW(v, rows)                                                       \
    ((v) > -1 && (v) < (double)(rows) ? (int64_t)(v) : (int64_t)-1)

void dl4c_cpu_rnn_embedding(dl4c_dtype dt, int64_t n, const void *idx,
                            int64_t rows, int64_t cols, const void *w,
                            void *out)
{
    DL4C_CPU_DISPATCH(dt, {
        const T *pi = idx;
        const T *pw = w;
        T *po = out;
        DL4C_OMP_FOR(n * cols > DL4C_CPU_PAR_MIN)
        for (int64_t i = 0; i < n; i++) {
            int64_t r = EMB_ROW((double)pi[i], rows);
            T *o = po + i * cols;
            if (r < 0)
                for (int64_t c = 0; c < cols; c++)
                    o[c] = 0;
            else
                for (int64_t c = 0; c < cols; c++)
                    o[c] = pw[r * cols + c];
        }
    });
}

void dl4c_cpu_rnn_embedding_backward(dl4c_dtype dt, int64_t n, const void *idx,
                                     int64_t rows, int64_t cols,
                                     const void *dout, void *dw)
{
    DL4C_CPU_DISPATCH(dt, {
        const T *pi = idx;
        const T *pd = dout;
        T *pw = dw;
        for (int64_t k = 0; k < rows * cols; k++)
            pw[k] = 0;
        for (int64_t i = 0; i < n; i++) {
            int64_t r = EMB_ROW((double)pi[i], rows);
            if (r < 0)
                continue;
            const T *d = pd + i * cols;
            T *g = pw + r * cols;
            for (int64_t c = 0; c < cols; c++)
                g[c] += d[c];
        }
    });
}

void dl4c_cpu_rnn_value_mask(dl4c_dtype dt, int64_t rows, int64_t cols,
                             double value, const void *x, void *mask)
{
    DL4C_CPU_DISPATCH(dt, {
        const T *px = x;
        T *pm = mask;
        T v = (T)value;
        DL4C_OMP_FOR(rows * cols > DL4C_CPU_PAR_MIN)
        for (int64_t r = 0; r < rows; r++) {
            int any = 0;
            for (int64_t c = 0; c < cols; c++)
                any |= px[r * cols + c] != v;
            pm[r] = any ? (T)1 : (T)0;
        }
    });
}

void dl4c_cpu_rnn_mask_rows(dl4c_dtype dt, int64_t rows, int64_t cols,
                            const void *mask, const void *x, void *y)
{
    DL4C_CPU_DISPATCH(dt, {
        const T *pm = mask;
        const T *px = x;
        T *py = y;
        DL4C_OMP_FOR(rows * cols > DL4C_CPU_PAR_MIN)
        for (int64_t r = 0; r < rows; r++) {
            bool keep = pm[r] != 0;
            for (int64_t c = 0; c < cols; c++)
                py[r * cols + c] = keep ? px[r * cols + c] : (T)0;
        }
    });
}
