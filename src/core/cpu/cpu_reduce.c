/* Reductions, softmax and bias kernels over a tensor seen as
 * [outer, len, inner] (reducing / normalizing the middle axis) or
 * [rows, cols]. Sums accumulate in double and in a fixed order so results
 * do not depend on the thread count; max and min propagate NaN. */
#include <math.h>

#include "core/cpu/cpu_internal.h"

void dl4c_cpu_reduce(dl4c_reduce_op op, dl4c_dtype dt, int64_t outer,
                     int64_t len, int64_t inner, const void *x, void *y)
{
    DL4C_CPU_DISPATCH(dt, {
        const T *px = x;
        T *py = y;
        DL4C_OMP_FOR2(outer * len * inner > DL4C_CPU_PAR_MIN)
        for (int64_t o = 0; o < outer; o++)
            for (int64_t i = 0; i < inner; i++) {
                const T *p = px + o * len * inner + i;
                double acc = (double)p[0];
                for (int64_t l = 1; l < len; l++) {
                    double v = (double)p[l * inner];
                    if (op == DL4C_RED_MAX)
                        acc = v > acc || isnan(v) ? v : acc;
                    else if (op == DL4C_RED_MIN)
                        acc = v < acc || isnan(v) ? v : acc;
                    else
                        acc += v;
                }
                if (op == DL4C_RED_MEAN)
                    acc /= (double)len;
                py[o * inner + i] = (T)acc;
            }
    });
}

void dl4c_cpu_softmax(dl4c_dtype dt, int64_t outer, int64_t len, int64_t inner,
                      bool log_out, const void *x, void *y)
{
    DL4C_CPU_DISPATCH(dt, {
        const T *px = x;
        T *py = y;
        DL4C_OMP_FOR2(outer * len * inner > DL4C_CPU_PAR_MIN)
        for (int64_t o = 0; o < outer; o++)
            for (int64_t i = 0; i < inner; i++) {
                const T *p = px + o * len * inner + i;
                T *q = py + o * len * inner + i;
                T mx = p[0];
                for (int64_t l = 1; l < len; l++)
                    mx = p[l * inner] > mx ? p[l * inner] : mx;
                double sum = 0;
                for (int64_t l = 0; l < len; l++)
                    sum += exp((double)(p[l * inner] - mx));
                if (log_out) {
                    double lse = log(sum);
                    for (int64_t l = 0; l < len; l++)
                        q[l * inner] = (T)((double)(p[l * inner] - mx) - lse);
                } else {
                    double inv = 1.0 / sum;
                    for (int64_t l = 0; l < len; l++)
                        q[l * inner] =
                            (T)(exp((double)(p[l * inner] - mx)) * inv);
                }
            }
    });
}

void dl4c_cpu_bias_add(dl4c_dtype dt, int64_t rows, int64_t cols, const void *b,
                       void *y)
{
    DL4C_CPU_DISPATCH(dt, {
        const T *pb = b;
        T *py = y;
        DL4C_OMP_FOR(rows * cols > DL4C_CPU_PAR_MIN)
        for (int64_t r = 0; r < rows; r++) {
            T *row = py + r * cols;
            for (int64_t c = 0; c < cols; c++)
                row[c] += pb[c];
        }
    });
}

void dl4c_cpu_bias_grad(dl4c_dtype dt, int64_t rows, int64_t cols,
                        const void *dy, void *db)
{
    DL4C_CPU_DISPATCH(dt, {
        const T *pd = dy;
        T *pb = db;
        /* columns split across threads; each sums its rows in order */
        DL4C_OMP_FOR(rows * cols > DL4C_CPU_PAR_MIN)
        for (int64_t c0 = 0; c0 < cols; c0 += 64) {
            int64_t c1 = c0 + 64 < cols ? c0 + 64 : cols;
            T acc[64] = {0};
            for (int64_t r = 0; r < rows; r++) {
                const T *row = pd + r * cols;
                for (int64_t c = c0; c < c1; c++)
                    acc[c - c0] += row[c];
            }
            for (int64_t c = c0; c < c1; c++)
                pb[c] = acc[c - c0];
        }
    });
}
