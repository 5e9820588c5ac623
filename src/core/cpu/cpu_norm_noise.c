/* CPU noise and parametric ReLU kernels: Gaussian noise (additive and
 * multiplicative), alpha dropout, channel-wise dropout, Keras' relu with
 * slope/threshold/ceiling, and PReLU with broadcast slopes. Draws come
 * from dl4c_hash_uniform(seed, index) so a backward pass recomputes them
 * and results do not depend on the thread count. */
#include <math.h>

#include "core/cpu/cpu_norm_decls.inc"
#include "dl4c/rng.h"

#define SELU_LAMBDA 1.0507009873554804934193349852946
#define SELU_ALPHA 1.6732632423543772848170429916717
#define TWO_PI 6.283185307179586476925286766559

/* standard normal number i of the stream `seed` (Box-Muller over draws 2i
 * and 2i + 1; 1 - u keeps the logarithm finite) */
static double normal_at(uint64_t seed, uint64_t i)
{
    double u1 = 1.0 - dl4c_hash_uniform(seed, 2 * i);
    double u2 = dl4c_hash_uniform(seed, 2 * i + 1);
    return sqrt(-2.0 * log(u1)) * cos(TWO_PI * u2);
}

void dl4c_cpu_gaussian_noise(dl4c_dtype dt, int64_t n, double stddev,
                             bool multiply, uint64_t seed, const void *x,
                             void *y)
{
    DL4C_CPU_DISPATCH(dt, {
        const T *px = x;
        T *py = y;
        DL4C_OMP_FOR(n > DL4C_CPU_PAR_MIN / 8)
        for (int64_t i = 0; i < n; i++) {
            double z = stddev * normal_at(seed, (uint64_t)i);
            py[i] = multiply ? (T)((double)px[i] * (1.0 + z))
                             : (T)((double)px[i] + z);
        }
    });
}

void dl4c_cpu_alpha_dropout(dl4c_dtype dt, int64_t n, double rate,
                            uint64_t seed, bool backward, const void *x,
                            void *y)
{
    const double alpha_p = -SELU_LAMBDA * SELU_ALPHA;
    const double a =
        1.0 / sqrt((1.0 - rate) * (1.0 + rate * alpha_p * alpha_p));
    const double b = -a * alpha_p * rate;
    DL4C_CPU_DISPATCH(dt, {
        const T *px = x;
        T *py = y;
        DL4C_OMP_FOR(n > DL4C_CPU_PAR_MIN)
        for (int64_t i = 0; i < n; i++) {
            bool keep = dl4c_hash_uniform(seed, (uint64_t)i) >= rate;
            if (backward)
                py[i] = keep ? (T)(a * (double)px[i]) : (T)0;
            else
                py[i] = (T)(a * (keep ? (double)px[i] : alpha_p) + b);
        }
    });
}

void dl4c_cpu_dropout_shared(dl4c_dtype dt, int64_t outer, int64_t mid,
                             int64_t inner, double rate, uint64_t seed,
                             const void *x, void *y)
{
    const double scale = rate < 1 ? 1.0 / (1.0 - rate) : 0.0;
    DL4C_CPU_DISPATCH(dt, {
        const T *px = x;
        T *py = y;
        const T s = (T)scale;
        DL4C_OMP_FOR(outer * mid * inner > DL4C_CPU_PAR_MIN)
        for (int64_t o = 0; o < outer; o++)
            for (int64_t m = 0; m < mid; m++) {
                const int64_t off = (o * mid + m) * inner;
                for (int64_t i = 0; i < inner; i++) {
                    uint64_t draw = (uint64_t)(o * inner + i);
                    py[off + i] = dl4c_hash_uniform(seed, draw) >= rate
                                      ? px[off + i] * s
                                      : (T)0;
                }
            }
    });
}

void dl4c_cpu_relu_forward(const dl4c_relu_args *a, dl4c_dtype dt, int64_t n,
                           const void *x, void *y)
{
    const double slope = a->negative_slope, thr = a->threshold;
    const double top = a->max_value;
    const bool clip = a->has_max_value;
    DL4C_CPU_DISPATCH(dt, {
        const T *px = x;
        T *py = y;
        DL4C_OMP_FOR(n > DL4C_CPU_PAR_MIN)
        for (int64_t i = 0; i < n; i++) {
            double v = (double)px[i];
            double p = thr != 0 ? (v > thr ? v : 0.0) : (v > 0 ? v : 0.0);
            if (clip)
                p = p < 0 ? 0.0 : (p > top ? top : p);
            if (slope != 0 && thr - v > 0)
                p -= slope * (thr - v);
            py[i] = (T)p;
        }
    });
}

void dl4c_cpu_relu_backward(const dl4c_relu_args *a, dl4c_dtype dt, int64_t n,
                            const void *x, const void *dy, void *dx)
{
    const double slope = a->negative_slope, thr = a->threshold;
    const double top = a->max_value;
    const bool clip = a->has_max_value;
    DL4C_CPU_DISPATCH(dt, {
        const T *px = x;
        const T *pd = dy;
        T *pg = dx;
        DL4C_OMP_FOR(n > DL4C_CPU_PAR_MIN)
        for (int64_t i = 0; i < n; i++) {
            double v = (double)px[i];
            bool pass = thr != 0 ? v > thr : v > 0;
            /* the clip passes its gradient inside [0, max_value] */
            if (pass && clip && (v < 0 || v > top))
                pass = false;
            double g = pass ? 1.0 : 0.0;
            if (slope != 0 && thr - v > 0)
                g += slope;
            pg[i] = (T)(g * (double)pd[i]);
        }
    });
}

/* offset into the broadcast slopes of element i of `shape` */
static int64_t alpha_offset(int ndim, const int64_t *shape, const int64_t *ast,
                            int64_t i)
{
    int64_t off = 0;
    for (int d = ndim - 1; d >= 0; d--) {
        off += (i % shape[d]) * ast[d];
        i /= shape[d];
    }
    return off;
}

static int64_t shape_count(int ndim, const int64_t *shape)
{
    int64_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= shape[d];
    return n;
}

void dl4c_cpu_prelu_forward(dl4c_dtype dt, int ndim, const int64_t *shape,
                            const int64_t *ast, const void *x,
                            const void *alpha, void *y)
{
    const int64_t n = shape_count(ndim, shape);
    DL4C_CPU_DISPATCH(dt, {
        const T *px = x;
        const T *pa = alpha;
        T *py = y;
        DL4C_OMP_FOR(n > DL4C_CPU_PAR_MIN)
        for (int64_t i = 0; i < n; i++)
            py[i] = px[i] > 0 ? px[i]
                              : pa[alpha_offset(ndim, shape, ast, i)] * px[i];
    });
}

void dl4c_cpu_prelu_backward(dl4c_dtype dt, int ndim, const int64_t *shape,
                             const int64_t *ast, int64_t n_alpha, const void *x,
                             const void *alpha, const void *dy, void *dx,
                             void *dalpha)
{
    const int64_t n = shape_count(ndim, shape);
    DL4C_CPU_DISPATCH(dt, {
        const T *px = x;
        const T *pa = alpha;
        const T *pd = dy;
        T *pg = dx;
        T *ps = dalpha;
        if (pg) {
            DL4C_OMP_FOR(n > DL4C_CPU_PAR_MIN)
            for (int64_t i = 0; i < n; i++)
                pg[i] = px[i] > 0
                            ? pd[i]
                            : pa[alpha_offset(ndim, shape, ast, i)] * pd[i];
        }
        if (ps) {
            /* one pass in element order: the same sums on every run */
            for (int64_t k = 0; k < n_alpha; k++)
                ps[k] = 0;
            for (int64_t i = 0; i < n; i++)
                if (px[i] < 0)
                    ps[alpha_offset(ndim, shape, ast, i)] += pd[i] * px[i];
        }
    });
}
