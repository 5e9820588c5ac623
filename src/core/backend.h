/* The compute backend table. Every heavy operation of dl4c goes through
 * one of these entries, so a GPU backend is an added table, not a rewrite.
 * Pointers are device pointers of the backend; counts are elements; the
 * caller has validated shapes (entries do not check). The CPU backend is
 * the reference; see src/core/cpu/. Bump DL4C_BACKEND_VERSION when an
 * entry's meaning changes. */
#ifndef DL4C_BACKEND_H
#define DL4C_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dl4c/activation.h"
#include "dl4c/loss.h"
#include "dl4c/ops.h"
#include "dl4c/tensor.h"
#include "dl4c/updater.h"

#define DL4C_BACKEND_VERSION 1

/* One fused updater step over a parameter chunk (see updater.h). */
typedef struct dl4c_update_step {
    const dl4c_updater *updater;
    double lr; /* scheduled rate, layer multiplier applied */
    int64_t t; /* 1-based iteration */
    double l1, l2, weight_decay;
} dl4c_update_step;

/* Loss inputs as raw arrays: pred/labels are [rows, cols] (SPARSE_MCXENT
 * labels are [rows, 1]); weights [cols] or NULL; mask NULL, [rows]
 * (mask_cols 1) or [rows, cols] (mask_cols == cols). */
typedef struct dl4c_loss_args {
    const dl4c_loss *loss;
    int64_t rows, cols;
    const void *pred, *labels, *weights, *mask;
    int64_t mask_cols;
} dl4c_loss_args;

/* Families of kernels for the layer catalogue, each its own table with
 * its own header (src/core/backend_<family>.h) and CPU file(s): adding a
 * family touches one pointer here and one line in the CPU table. */
struct dl4c_backend_conv; /* convolution: im2col/col2im, direct kernels */
struct dl4c_backend_pool; /* pooling, upsampling, padding/cropping */
struct dl4c_backend_norm; /* batch/layer normalization statistics */
struct dl4c_backend_rnn;  /* recurrent cell steps */

typedef struct dl4c_backend {
    int version;
    const char *name;

    const struct dl4c_backend_conv *conv;
    const struct dl4c_backend_pool *pool;
    const struct dl4c_backend_norm *norm;
    const struct dl4c_backend_rnn *rnn;

    /* memory: zero-filled aligned blocks; host transfers */
    void *(*alloc)(size_t bytes);
    void (*release)(void *ptr);
    void (*to_host)(void *host, const void *dev, size_t bytes);
    void (*from_host)(void *dev, const void *host, size_t bytes);

    /* fill / copy / cast / y = alpha*x + beta*y */
    void (*fill)(dl4c_dtype dt, int64_t n, double value, void *x);
    void (*copy)(dl4c_dtype dt, int64_t n, const void *src, void *dst);
    void (*cast)(dl4c_dtype from, const void *src, dl4c_dtype to, void *dst,
                 int64_t n);
    void (*axpby)(dl4c_dtype dt, int64_t n, double alpha, const void *x,
                  double beta, void *y);

    /* C = alpha*op(A)*op(B) + beta*C, row-major, leading dims in elements */
    void (*gemm)(dl4c_dtype dt, bool trans_a, bool trans_b, int64_t m,
                 int64_t n, int64_t k, double alpha, const void *a, int64_t lda,
                 const void *b, int64_t ldb, double beta, void *c, int64_t ldc);

    /* single-row products against a weight matrix W [k, n] packed once
     * (inference): packed_size bytes, pack W (row-major, leading dim n),
     * then y[1,n] = x[1,k] * W from the packed copy */
    size_t (*packed_size)(dl4c_dtype dt, int64_t k, int64_t n);
    void (*pack)(dl4c_dtype dt, int64_t k, int64_t n, const void *w,
                 void *packed);
    void (*gemv_packed)(dl4c_dtype dt, int64_t k, int64_t n, const void *x,
                        const void *packed, void *y);

    /* out[idx] = a[idx . sa] (op) b[idx . sb] over `shape` (strides in
     * elements, 0 where broadcast) */
    void (*binary)(dl4c_binary_op op, dl4c_dtype dt, int ndim,
                   const int64_t *shape, const int64_t *sa, const int64_t *sb,
                   const void *a, const void *b, void *out);
    void (*unary)(dl4c_unary_op op, dl4c_dtype dt, int64_t n, const void *x,
                  void *y);
    /* y[o][i] = reduce over l of x[o][l][i] */
    void (*reduce)(dl4c_reduce_op op, dl4c_dtype dt, int64_t outer, int64_t len,
                   int64_t inner, const void *x, void *y);
    /* softmax over l of x[o][l][i] */
    void (*softmax)(dl4c_dtype dt, int64_t outer, int64_t len, int64_t inner,
                    bool log, const void *x, void *y);

    /* y[r][c] += b[c];  db[c] = sum over r of dy[r][c] */
    void (*bias_add)(dl4c_dtype dt, int64_t rows, int64_t cols, const void *b,
                     void *y);
    void (*bias_grad)(dl4c_dtype dt, int64_t rows, int64_t cols, const void *dy,
                      void *db);

    /* activations over [rows, cols] (softmax along cols); `seed` drives
     * RRELU's per-element slopes in training */
    void (*act_forward)(const dl4c_activation *act, dl4c_dtype dt, int64_t rows,
                        int64_t cols, const void *x, void *y, bool training,
                        uint64_t seed);
    void (*act_backward)(const dl4c_activation *act, dl4c_dtype dt,
                         int64_t rows, int64_t cols, const void *x,
                         const void *y, const void *dy, void *dx, bool training,
                         uint64_t seed);

    /* inverted dropout: y = x * keep / (1 - rate), keep drawn from `seed`
     * with dl4c_hash_uniform; the backward pass calls it again on dy */
    void (*dropout)(dl4c_dtype dt, int64_t n, double rate, uint64_t seed,
                    const void *x, void *y);

    /* per-row losses into row_loss[rows] (host doubles); when grad is not
     * NULL, grad = grad_scale * d(row_loss)/d(pred), same layout as pred */
    void (*loss)(const dl4c_loss_args *args, dl4c_dtype dt, double *row_loss,
                 void *grad, double grad_scale);

    /* d(mean row loss)/dz for the fused pairs softmax + MCXENT / NLL /
     * SPARSE_MCXENT and sigmoid + XENT, where args->pred = act(z):
     * dz = grad_scale * (p*sum(a) - a) with a = weight*mask*label (softmax)
     * or grad_scale * weight*mask*(p - y) / cols (sigmoid) */
    void (*loss_fused_grad)(const dl4c_loss_args *args, dl4c_dtype dt, void *dz,
                            double grad_scale);

    /* one fused step over n parameters; state holds count*n values */
    void (*update)(const dl4c_update_step *step, dl4c_dtype dt, int64_t n,
                   void *param, void *grad, void *state);

    /* sum of squares of x, as double */
    double (*sum_squares)(dl4c_dtype dt, int64_t n, const void *x);
    /* x[i] = clamp(x[i], -t, t);  x *= s */
    void (*clip)(dl4c_dtype dt, int64_t n, double t, void *x);
    void (*scale)(dl4c_dtype dt, int64_t n, double s, void *x);
} dl4c_backend;

/* The CPU backend (always present). */
const dl4c_backend *dl4c_backend_cpu(void);

#endif
