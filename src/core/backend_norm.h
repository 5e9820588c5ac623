/* The backend's kernels for normalization, noise and merge layers: batch
 * and layer normalization statistics with their backward passes, L2
 * normalization, softmax backward along any axis and masked softmax for
 * attention, Gaussian and alpha dropout noise, channel-wise dropout,
 * Keras' parametric ReLUs, and the copies, broadcast sums and batched
 * products that merge and attention layers are built from.
 *
 * Shapes follow backend.h: counts are elements, pointers are device
 * pointers of the backend, the caller has validated everything. Tensors
 * are often seen as [outer, len, inner]: `len` is the axis a kernel works
 * along, `outer` and `inner` the dims before and after it. Sums are taken
 * in a fixed order (float64 accumulators), so results do not depend on the
 * thread count. Random draws use dl4c_hash_uniform(seed, element index),
 * so a backward pass recomputes its forward pass's draws. Masks hold 0/1
 * in the tensors' dtype; nonzero means "keep". */
#ifndef DL4C_BACKEND_NORM_H
#define DL4C_BACKEND_NORM_H

#include <stdbool.h>
#include <stdint.h>

#include "dl4c/tensor.h"

/* Batch normalization of x seen as [outer, c, inner]: statistics per
 * channel c over outer and inner. gamma/beta NULL mean 1 and 0. With
 * `weights` ([outer] values, a mask over the outer rows), mean and
 * variance are weighted and divided by sum(weights) * inner + weight_eps
 * (Keras 3's masked moments); without, by outer * inner. `scratch` is
 * workspace for 3 * c values of the dtype (per-channel coefficients). */
typedef struct dl4c_bn_args {
    int64_t outer, c, inner;
    double eps;
    const void *gamma, *beta;
    const void *weights;
    double weight_eps;
    void *scratch;
} dl4c_bn_args;

/* Layer normalization of x seen as [outer, len, inner]: statistics over
 * len for each (outer, inner); gamma/beta are [len] or NULL. */
typedef struct dl4c_ln_args {
    int64_t outer, len, inner;
    double eps;
    const void *gamma, *beta;
} dl4c_ln_args;

/* Keras' relu(x, negative_slope, max_value, threshold):
 *   p = x > threshold ? x : 0   (threshold != 0), max(x, 0) otherwise
 *   p = clip(p, 0, max_value)   when has_max_value
 *   y = p - negative_slope * max(threshold - x, 0) */
typedef struct dl4c_relu_args {
    double negative_slope, threshold, max_value;
    bool has_max_value;
} dl4c_relu_args;

/* count[0] * count[1] products; matrix (i, j) starts at
 * i * stride[0] + j * stride[1] elements into a, b and c. */
typedef struct dl4c_gemm_batch {
    int64_t count[2];
    int64_t stride_a[2], stride_b[2], stride_c[2];
} dl4c_gemm_batch;

struct dl4c_backend_norm {
    /* ---- batch normalization ---- */
    /* mean[c] and biased var[c] of the batch */
    void (*bn_stats)(const dl4c_bn_args *a, dl4c_dtype dt, const void *x,
                     void *mean, void *var);
    /* y = gamma * (x - mean) / sqrt(var + eps) + beta */
    void (*bn_forward)(const dl4c_bn_args *a, dl4c_dtype dt, const void *x,
                       const void *mean, const void *var, void *y);
    /* dx, dgamma[c], dbeta[c] (each may be NULL) from dy. batch_stats: mean
     * and var were computed from this x by bn_stats (with a's weights), and
     * dx includes their dependence on x; otherwise they are constants (the
     * moving averages). */
    void (*bn_backward)(const dl4c_bn_args *a, dl4c_dtype dt, bool batch_stats,
                        const void *x, const void *mean, const void *var,
                        const void *dy, void *dx, void *dgamma, void *dbeta);

    /* ---- layer normalization ---- */
    /* y = gamma * (x - mean) * rstd + beta; mean and rstd = 1/sqrt(var +
     * eps) of each (outer, inner) group are kept ([outer * inner]) */
    void (*ln_forward)(const dl4c_ln_args *a, dl4c_dtype dt, const void *x,
                       void *y, void *mean, void *rstd);
    void (*ln_backward)(const dl4c_ln_args *a, dl4c_dtype dt, const void *x,
                        const void *mean, const void *rstd, const void *dy,
                        void *dx, void *dgamma, void *dbeta);

    /* ---- L2 normalization along len (Keras' l2_normalize) ---- */
    /* y = x / norm, norm = sqrt(max(sum(x^2), eps)) kept ([outer*inner]) */
    void (*l2norm_forward)(dl4c_dtype dt, int64_t outer, int64_t len,
                           int64_t inner, double eps, const void *x, void *y,
                           void *norm);
    void (*l2norm_backward)(dl4c_dtype dt, int64_t outer, int64_t len,
                            int64_t inner, double eps, const void *x,
                            const void *norm, const void *dy, void *dx);

    /* ---- softmax ---- */
    /* dx = y * (dy - sum over len of dy * y) for y = softmax along len */
    void (*softmax_backward)(dl4c_dtype dt, int64_t outer, int64_t len,
                             int64_t inner, const void *y, const void *dy,
                             void *dx);
    /* Softmax over the last axis of x [groups, heads, rows, cols] where
     * mask [groups, rows, cols] (shared by the heads; NULL: none) is 0:
     * masked entries get 0, and a row with nothing left gets 1/cols
     * everywhere (and no gradient). */
    void (*softmax_masked)(dl4c_dtype dt, int64_t groups, int64_t heads,
                           int64_t rows, int64_t cols, const void *x,
                           const void *mask, void *y);
    void (*softmax_masked_backward)(dl4c_dtype dt, int64_t groups,
                                    int64_t heads, int64_t rows, int64_t cols,
                                    const void *y, const void *mask,
                                    const void *dy, void *dx);
    /* out[b, i, j] = 1 where every given mask keeps (b, i, j), else 0:
     * attn[b * st[0] + i * st[1] + j * st[2]] (NULL: none), qmask[b, i],
     * vmask[b, j], kmask[b, j] (each NULL: none), and j <= i when causal */
    void (*attention_mask)(dl4c_dtype dt, int64_t batch, int64_t rows,
                           int64_t cols, const void *attn, const int64_t *st,
                           const void *qmask, const void *vmask,
                           const void *kmask, bool causal, void *out);

    /* ---- noise ---- */
    /* y = x + stddev * z, or x * (1 + stddev * z) when `multiply`; z is
     * standard normal, drawn per element from `seed` */
    void (*gaussian_noise)(dl4c_dtype dt, int64_t n, double stddev,
                           bool multiply, uint64_t seed, const void *x,
                           void *y);
    /* Keras' AlphaDropout: y = a * (keep ? x : -lambda*alpha) + b with the
     * SELU constants; `backward`: y = a * keep * x (x is dy) */
    void (*alpha_dropout)(dl4c_dtype dt, int64_t n, double rate, uint64_t seed,
                          bool backward, const void *x, void *y);
    /* inverted dropout of x [outer, mid, inner] with one draw per (outer,
     * inner) shared along mid (whole channels); backward: call on dy */
    void (*dropout_shared)(dl4c_dtype dt, int64_t outer, int64_t mid,
                           int64_t inner, double rate, uint64_t seed,
                           const void *x, void *y);

    /* ---- parametric ReLUs ---- */
    void (*relu_forward)(const dl4c_relu_args *a, dl4c_dtype dt, int64_t n,
                         const void *x, void *y);
    void (*relu_backward)(const dl4c_relu_args *a, dl4c_dtype dt, int64_t n,
                          const void *x, const void *dy, void *dx);
    /* y = x > 0 ? x : alpha[idx . ast] * x over `shape` (ndim dims, batch
     * included; ast 0 where alpha is shared) */
    void (*prelu_forward)(dl4c_dtype dt, int ndim, const int64_t *shape,
                          const int64_t *ast, const void *x, const void *alpha,
                          void *y);
    /* dx (may be NULL) and dalpha[n_alpha] (may be NULL, overwritten) */
    void (*prelu_backward)(dl4c_dtype dt, int ndim, const int64_t *shape,
                           const int64_t *ast, int64_t n_alpha, const void *x,
                           const void *alpha, const void *dy, void *dx,
                           void *dalpha);

    /* ---- copies, broadcast sums, products ---- */
    /* dst[r * ldd + c] = src[r * lds + c] for r < rows, c < cols */
    void (*copy_2d)(dl4c_dtype dt, int64_t rows, int64_t cols, const void *src,
                    int64_t lds, void *dst, int64_t ldd);
    /* dst (contiguous over shape) = src[idx . st] */
    void (*gather)(dl4c_dtype dt, int ndim, const int64_t *shape,
                   const int64_t *st, const void *src, void *dst);
    /* dst[n_dst] = 0, then dst[idx . st] += src[idx] over shape: the
     * gradient of a broadcast */
    void (*sum_broadcast)(dl4c_dtype dt, int ndim, const int64_t *shape,
                          const int64_t *st, int64_t n_dst, const void *src,
                          void *dst);
    /* Gradient routing for maximum/minimum, called for the inputs in
     * order: dx[i] = dy[i] where x[idx . st] == y[i] and taken[i] == 0,
     * then taken[i] = 1; dx[i] = 0 elsewhere. taken starts at zero. */
    void (*pick_grad)(dl4c_dtype dt, int ndim, const int64_t *shape,
                      const int64_t *st, const void *x, const void *y,
                      const void *dy, void *taken, void *dx);
    /* C_ij = alpha * op(A_ij) * op(B_ij) + beta * C_ij for every matrix of
     * the batch (leading dims as in backend.h's gemm) */
    void (*gemm_batched)(dl4c_dtype dt, bool trans_a, bool trans_b, int64_t m,
                         int64_t n, int64_t k, double alpha, const void *a,
                         int64_t lda, const void *b, int64_t ldb, double beta,
                         void *c, int64_t ldc, const dl4c_gemm_batch *batch);
};

/* The CPU implementation (src/core/cpu/cpu_norm*.c). */
extern const struct dl4c_backend_norm dl4c_cpu_norm_ops;

#endif
