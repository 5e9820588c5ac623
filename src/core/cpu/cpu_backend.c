/* The CPU backend table, plus its memory and simple vector entries (fill,
 * copy, cast, axpby, norms). Heavier families live in their own files. */
#include <math.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/backend_conv.h"
#include "core/backend_norm.h"
#include "core/backend_pool.h"
#include "core/backend_rnn.h"
#include "core/cpu/cpu_internal.h"

static void *cpu_alloc(size_t bytes)
{
    return dl4c_aligned_alloc(bytes);
}
static void cpu_release(void *ptr)
{
    dl4c_aligned_free(ptr);
}

static void cpu_memcpy(void *dst, const void *src, size_t bytes)
{
    if (bytes)
        memcpy(dst, src, bytes);
}

static void cpu_fill(dl4c_dtype dt, int64_t n, double value, void *x)
{
    DL4C_CPU_DISPATCH(dt, {
        T *p = x;
        T v = (T)value;
        DL4C_OMP_FOR(n > DL4C_CPU_PAR_MIN)
        for (int64_t i = 0; i < n; i++)
            p[i] = v;
    });
}

/* memmove: views of one block may overlap */
static void cpu_copy(dl4c_dtype dt, int64_t n, const void *src, void *dst)
{
    if (src != dst)
        memmove(dst, src, (size_t)n * dl4c_dtype_size(dt));
}

static void cpu_cast(dl4c_dtype from, const void *src, dl4c_dtype to, void *dst,
                     int64_t n)
{
    if (from == to) {
        cpu_copy(from, n, src, dst);
        return;
    }
    if (from == DL4C_F32) {
        const float *s = src;
        double *d = dst;
        for (int64_t i = 0; i < n; i++)
            d[i] = s[i];
    } else {
        const double *s = src;
        float *d = dst;
        for (int64_t i = 0; i < n; i++)
            d[i] = (float)s[i];
    }
}

static void cpu_axpby(dl4c_dtype dt, int64_t n, double alpha, const void *x,
                      double beta, void *y)
{
    DL4C_CPU_DISPATCH(dt, {
        const T *xs = x;
        T *ys = y;
        T a = (T)alpha, b = (T)beta;
        DL4C_OMP_FOR(n > DL4C_CPU_PAR_MIN)
        for (int64_t i = 0; i < n; i++)
            ys[i] = a * xs[i] + b * ys[i];
    });
}

#define SUMSQ_BLOCK 4096
#define SUMSQ_LANES 16

/* Sum of squares of one block with fixed lanes: vectorizable and the same
 * bits on every run. */
#define SUMSQ_BLOCK_FN(name, T)                                                \
    static double name(const T *p, int64_t n)                                  \
    {                                                                          \
        double lane[SUMSQ_LANES] = {0};                                        \
        int64_t i = 0;                                                         \
        for (; i + SUMSQ_LANES <= n; i += SUMSQ_LANES)                         \
            for (int k = 0; k < SUMSQ_LANES; k++)                              \
                lane[k] += (double)p[i + k] * (double)p[i + k];                \
        for (; i < n; i++)                                                     \
            lane[0] += (double)p[i] * (double)p[i];                            \
        double s = 0;                                                          \
        for (int k = 0; k < SUMSQ_LANES; k++)                                  \
            s += lane[k];                                                      \
        return s;                                                              \
    }
SUMSQ_BLOCK_FN(sumsq_f32, float)
SUMSQ_BLOCK_FN(sumsq_f64, double)

static double cpu_sum_squares(dl4c_dtype dt, int64_t n, const void *x)
{
    /* blocks are fixed by index, summed in order: the result does not
     * depend on the thread count, so training stays reproducible */
    double partial[256];
    double total = 0;
    size_t es = dl4c_dtype_size(dt);
    for (int64_t start = 0; start < n; start += 256 * SUMSQ_BLOCK) {
        int64_t end =
            start + 256 * SUMSQ_BLOCK < n ? start + 256 * SUMSQ_BLOCK : n;
        int64_t blocks = (end - start + SUMSQ_BLOCK - 1) / SUMSQ_BLOCK;
        DL4C_OMP_FOR(end - start > DL4C_CPU_PAR_MIN)
        for (int64_t b = 0; b < blocks; b++) {
            int64_t lo = start + b * SUMSQ_BLOCK;
            int64_t len = end - lo < SUMSQ_BLOCK ? end - lo : SUMSQ_BLOCK;
            const char *p = (const char *)x + (size_t)lo * es;
            partial[b] = dt == DL4C_F32 ? sumsq_f32((const float *)p, len)
                                        : sumsq_f64((const double *)p, len);
        }
        for (int64_t b = 0; b < blocks; b++)
            total += partial[b];
    }
    return total;
}

static void cpu_clip(dl4c_dtype dt, int64_t n, double t, void *x)
{
    DL4C_CPU_DISPATCH(dt, {
        T *p = x;
        T hi = (T)t;
        for (int64_t i = 0; i < n; i++)
            p[i] = p[i] > hi ? hi : (p[i] < -hi ? -hi : p[i]);
    });
}

static void cpu_scale(dl4c_dtype dt, int64_t n, double s, void *x)
{
    DL4C_CPU_DISPATCH(dt, {
        T *p = x;
        T f = (T)s;
        for (int64_t i = 0; i < n; i++)
            p[i] *= f;
    });
}

static const dl4c_backend cpu_backend = {
    .version = DL4C_BACKEND_VERSION,
    .name = "cpu",
    .conv = &dl4c_cpu_conv_ops,
    .norm = &dl4c_cpu_norm_ops,
    .pool = &dl4c_cpu_pool_ops,
    .rnn = &dl4c_cpu_rnn_ops,
    .alloc = cpu_alloc,
    .release = cpu_release,
    .to_host = cpu_memcpy,
    .from_host = cpu_memcpy,
    .fill = cpu_fill,
    .copy = cpu_copy,
    .cast = cpu_cast,
    .axpby = cpu_axpby,
    .gemm = dl4c_cpu_gemm,
    .packed_size = dl4c_cpu_packed_size,
    .pack = dl4c_cpu_pack,
    .gemv_packed = dl4c_cpu_gemv_packed,
    .binary = dl4c_cpu_binary,
    .unary = dl4c_cpu_unary,
    .reduce = dl4c_cpu_reduce,
    .softmax = dl4c_cpu_softmax,
    .bias_add = dl4c_cpu_bias_add,
    .bias_grad = dl4c_cpu_bias_grad,
    .act_forward = dl4c_cpu_act_forward,
    .act_backward = dl4c_cpu_act_backward,
    .dropout = dl4c_cpu_dropout,
    .loss = dl4c_cpu_loss,
    .loss_fused_grad = dl4c_cpu_loss_fused_grad,
    .update = dl4c_cpu_update,
    .sum_squares = cpu_sum_squares,
    .clip = cpu_clip,
    .scale = cpu_scale,
};

const dl4c_backend *dl4c_backend_cpu(void)
{
    return &cpu_backend;
}
