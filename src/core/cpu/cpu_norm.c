/* The CPU table of normalization-family kernels (core/backend_norm.h) and
 * its statistics kernels: batch and layer normalization, L2 normalization,
 * softmax backward along any axis, masked softmax and attention masks.
 * The kernels are written once in cpu_norm_impl.inc and instantiated for
 * float and double; noise, ReLU and merge kernels live in
 * cpu_norm_noise.c and cpu_norm_merge.c. */
#include <math.h>
#include <tgmath.h>

#include "core/cpu/cpu_norm_decls.inc"

#define NORM_BLOCK 64

#define T float
#define FN(name) name##_f32
#include "core/cpu/cpu_norm_impl.inc"
#undef T
#undef FN

#define T double
#define FN(name) name##_f64
#include "core/cpu/cpu_norm_impl.inc"
#undef T
#undef FN

/* dispatch on the dtype to the _f32 or _f64 instance */
#define BY_TYPE(dt, name, ...)                                                 \
    do {                                                                       \
        if ((dt) == DL4C_F32)                                                  \
            name##_f32(__VA_ARGS__);                                           \
        else                                                                   \
            name##_f64(__VA_ARGS__);                                           \
    } while (0)

static void bn_stats(const dl4c_bn_args *a, dl4c_dtype dt, const void *x,
                     void *mean, void *var)
{
    BY_TYPE(dt, bn_stats, a, x, mean, var);
}

static void bn_forward(const dl4c_bn_args *a, dl4c_dtype dt, const void *x,
                       const void *mean, const void *var, void *y)
{
    BY_TYPE(dt, bn_forward, a, x, mean, var, y);
}

static void bn_backward(const dl4c_bn_args *a, dl4c_dtype dt, bool batch_stats,
                        const void *x, const void *mean, const void *var,
                        const void *dy, void *dx, void *dgamma, void *dbeta)
{
    BY_TYPE(dt, bn_backward, a, batch_stats, x, mean, var, dy, dx, dgamma,
            dbeta);
}

static void ln_forward(const dl4c_ln_args *a, dl4c_dtype dt, const void *x,
                       void *y, void *mean, void *rstd)
{
    BY_TYPE(dt, ln_forward, a, x, y, mean, rstd);
}

static void ln_backward(const dl4c_ln_args *a, dl4c_dtype dt, const void *x,
                        const void *mean, const void *rstd, const void *dy,
                        void *dx, void *dgamma, void *dbeta)
{
    BY_TYPE(dt, ln_backward, a, x, mean, rstd, dy, dx, dgamma, dbeta);
}

static void l2norm_forward(dl4c_dtype dt, int64_t outer, int64_t len,
                           int64_t inner, double eps, const void *x, void *y,
                           void *norm)
{
    BY_TYPE(dt, l2norm_forward, outer, len, inner, eps, x, y, norm);
}

static void l2norm_backward(dl4c_dtype dt, int64_t outer, int64_t len,
                            int64_t inner, double eps, const void *x,
                            const void *norm, const void *dy, void *dx)
{
    BY_TYPE(dt, l2norm_backward, outer, len, inner, eps, x, norm, dy, dx);
}

static void softmax_backward(dl4c_dtype dt, int64_t outer, int64_t len,
                             int64_t inner, const void *y, const void *dy,
                             void *dx)
{
    BY_TYPE(dt, softmax_backward, outer, len, inner, y, dy, dx);
}

static void softmax_masked(dl4c_dtype dt, int64_t groups, int64_t heads,
                           int64_t rows, int64_t cols, const void *x,
                           const void *mask, void *y)
{
    BY_TYPE(dt, softmax_masked, groups, heads, rows, cols, x, mask, y);
}

static void softmax_masked_backward(dl4c_dtype dt, int64_t groups,
                                    int64_t heads, int64_t rows, int64_t cols,
                                    const void *y, const void *mask,
                                    const void *dy, void *dx)
{
    BY_TYPE(dt, softmax_masked_backward, groups, heads, rows, cols, y, mask, dy,
            dx);
}

static void attention_mask(dl4c_dtype dt, int64_t batch, int64_t rows,
                           int64_t cols, const void *attn, const int64_t *st,
                           const void *qmask, const void *vmask,
                           const void *kmask, bool causal, void *out)
{
    BY_TYPE(dt, attention_mask, batch, rows, cols, attn, st, qmask, vmask,
            kmask, causal, out);
}

const struct dl4c_backend_norm dl4c_cpu_norm_ops = {
    .bn_stats = bn_stats,
    .bn_forward = bn_forward,
    .bn_backward = bn_backward,
    .ln_forward = ln_forward,
    .ln_backward = ln_backward,
    .l2norm_forward = l2norm_forward,
    .l2norm_backward = l2norm_backward,
    .softmax_backward = softmax_backward,
    .softmax_masked = softmax_masked,
    .softmax_masked_backward = softmax_masked_backward,
    .attention_mask = attention_mask,
    .gaussian_noise = dl4c_cpu_gaussian_noise,
    .alpha_dropout = dl4c_cpu_alpha_dropout,
    .dropout_shared = dl4c_cpu_dropout_shared,
    .relu_forward = dl4c_cpu_relu_forward,
    .relu_backward = dl4c_cpu_relu_backward,
    .prelu_forward = dl4c_cpu_prelu_forward,
    .prelu_backward = dl4c_cpu_prelu_backward,
    .copy_2d = dl4c_cpu_copy_2d,
    .gather = dl4c_cpu_gather,
    .sum_broadcast = dl4c_cpu_sum_broadcast,
    .pick_grad = dl4c_cpu_pick_grad,
    .gemm_batched = dl4c_cpu_gemm_batched,
};
