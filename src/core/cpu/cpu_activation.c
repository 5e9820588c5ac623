/* CPU activation and dropout kernels, instantiated for float and double
 * from cpu_activation_impl.inc. Random draws (RRELU slopes, dropout keep
 * masks) come from dl4c_hash_uniform(seed, element index), so the backward
 * pass recomputes them instead of storing them. */
#include <tgmath.h>

#include "core/cpu/cpu_internal.h"
#include "dl4c/rng.h"

#define SELU_LAMBDA 1.0507009873554804934193349852946
#define SELU_ALPHA 1.6732632423543772848170429916717
#define GELU_C 0.79788456080286535587989211986876 /* sqrt(2/pi) */
#define INV_SQRT_2PI 0.39894228040143267793994605993438

#define T float
#define FN(name) name##_f32
#include "core/cpu/cpu_activation_impl.inc"
#undef T
#undef FN

#define T double
#define FN(name) name##_f64
#include "core/cpu/cpu_activation_impl.inc"
#undef T
#undef FN

void dl4c_cpu_act_forward(const dl4c_activation *act, dl4c_dtype dt,
                          int64_t rows, int64_t cols, const void *x, void *y,
                          bool training, uint64_t seed)
{
    if (dt == DL4C_F32)
        act_fwd_f32(act, rows, cols, x, y, training, seed);
    else
        act_fwd_f64(act, rows, cols, x, y, training, seed);
}

void dl4c_cpu_act_backward(const dl4c_activation *act, dl4c_dtype dt,
                           int64_t rows, int64_t cols, const void *x,
                           const void *y, const void *dy, void *dx,
                           bool training, uint64_t seed)
{
    if (dt == DL4C_F32)
        act_bwd_f32(act, rows, cols, x, y, dy, dx, training, seed);
    else
        act_bwd_f64(act, rows, cols, x, y, dy, dx, training, seed);
}

void dl4c_cpu_dropout(dl4c_dtype dt, int64_t n, double rate, uint64_t seed,
                      const void *x, void *y)
{
    double scale = rate < 1 ? 1.0 / (1.0 - rate) : 0.0;
    DL4C_CPU_DISPATCH(dt, {
        const T *px = x;
        T *py = y;
        T s = (T)scale;
        DL4C_OMP_FOR(n > DL4C_CPU_PAR_MIN)
        for (int64_t i = 0; i < n; i++)
            py[i] =
                dl4c_hash_uniform(seed, (uint64_t)i) >= rate ? px[i] * s : (T)0;
    });
}
