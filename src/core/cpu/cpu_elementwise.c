/* Elementwise kernels: binary ops with broadcasting (strides of 0 on the
 * broadcast dims) and unary math. The last dim is the inner loop; the rows
 * above it are split across threads. Max, min and sign propagate NaN, as
 * NumPy's do, so a diverging value is not hidden. */
#include <math.h>

#include "core/cpu/cpu_internal.h"

/* (x) != (x) holds only for NaN */
#define APPLY_BINARY(op, x, y)                                                 \
    ((op) == DL4C_BIN_ADD   ? (x) + (y)                                        \
     : (op) == DL4C_BIN_SUB ? (x) - (y)                                        \
     : (op) == DL4C_BIN_MUL ? (x) * (y)                                        \
     : (op) == DL4C_BIN_DIV ? (x) / (y)                                        \
     : (op) == DL4C_BIN_MAX ? ((x) > (y) || (x) != (x) ? (x) : (y))            \
     : (op) == DL4C_BIN_MIN ? ((x) < (y) || (x) != (x) ? (x) : (y))            \
                            : (T)pow((double)(x), (double)(y)))

void dl4c_cpu_binary(dl4c_binary_op op, dl4c_dtype dt, int ndim,
                     const int64_t *shape, const int64_t *sa, const int64_t *sb,
                     const void *a, const void *b, void *out)
{
    int64_t inner = ndim ? shape[ndim - 1] : 1;
    int64_t ia = ndim ? sa[ndim - 1] : 0, ib = ndim ? sb[ndim - 1] : 0;
    int64_t rows = 1;
    for (int d = 0; d + 1 < ndim; d++)
        rows *= shape[d];
    DL4C_CPU_DISPATCH(dt, {
        const T *pa = a;
        const T *pb = b;
        T *po = out;
        DL4C_OMP_FOR(rows * inner > DL4C_CPU_PAR_MIN)
        for (int64_t r = 0; r < rows; r++) {
            /* offsets of row r in a and b from its multi-index */
            int64_t rem = r, oa = 0, ob = 0;
            for (int d = ndim - 2; d >= 0; d--) {
                int64_t idx = rem % shape[d];
                rem /= shape[d];
                oa += idx * sa[d];
                ob += idx * sb[d];
            }
            const T *ra = pa + oa;
            const T *rb = pb + ob;
            T *ro = po + r * inner;
            for (int64_t i = 0; i < inner; i++)
                ro[i] = APPLY_BINARY(op, ra[i * ia], rb[i * ib]);
        }
    });
}

void dl4c_cpu_unary(dl4c_unary_op op, dl4c_dtype dt, int64_t n, const void *x,
                    void *y)
{
    DL4C_CPU_DISPATCH(dt, {
        const T *px = x;
        T *py = y;
        DL4C_OMP_FOR(n > DL4C_CPU_PAR_MIN)
        for (int64_t i = 0; i < n; i++) {
            double v = (double)px[i], r;
            switch (op) {
            case DL4C_UN_NEG:
                r = -v;
                break;
            case DL4C_UN_ABS:
                r = fabs(v);
                break;
            case DL4C_UN_EXP:
                r = exp(v);
                break;
            case DL4C_UN_LOG:
                r = log(v);
                break;
            case DL4C_UN_SQRT:
                r = sqrt(v);
                break;
            case DL4C_UN_SQUARE:
                r = v * v;
                break;
            case DL4C_UN_RECIPROCAL:
                r = 1.0 / v;
                break;
            case DL4C_UN_SIGN:
                r = v > 0 ? 1.0 : v < 0 ? -1.0 : v; /* keeps 0 and NaN */
                break;
            default:
                r = NAN;
                break;
            }
            py[i] = (T)r;
        }
    });
}
