/* The convolution family of the backend table (dl4c_backend.conv):
 * convolution forward, data gradient and kernel gradient (the shape of
 * cuDNN's API), the im2col / col2im data movement, direct depthwise
 * kernels, the fused bias + activation pass and a strided batched GEMM.
 *
 * Data are NHWC: an image is [spatial..., C] with channels innermost.
 * Every entry sees three spatial dims (depth, height, width); 1-D and 2-D
 * convolutions set the leading dims to 1. Kernels are Keras' layouts
 * (HWIO: [kd, kh, kw, C/groups, F]), so an im2col row lists a patch in
 * the order (kz, ky, kx, c) and multiplies the kernel viewed as
 * [kd*kh*kw*C/groups, F] directly. A transposed convolution is the data
 * gradient of the convolution it inverts, whose HWIO kernel is exactly
 * Keras' transposed-kernel layout [k..., filters, C].
 *
 * Callers validate shapes; entries do not check. The scratch the three
 * convolution entries need comes from the caller (a layer's arena
 * workspace) and is sized by dl4c_conv_plan below, the same for every
 * backend. */
#ifndef DL4C_BACKEND_CONV_H
#define DL4C_BACKEND_CONV_H

#include "core/backend.h"

/* One convolution's geometry, input -> output. */
typedef struct dl4c_conv_geom {
    int64_t in[3];     /* input spatial dims (depth, height, width) */
    int64_t out[3];    /* output spatial dims */
    int64_t k[3];      /* kernel dims */
    int64_t stride[3]; /* >= 1 */
    int64_t dil[3];    /* dilation, >= 1 */
    int64_t pad[3];    /* zero rows before each dim (after is implied) */
    int64_t channels;  /* C of the input */
} dl4c_conv_geom;

/* A convolution: geometry, groups (C and F divisible by it) and output
 * channels F. */
typedef struct dl4c_conv_desc {
    dl4c_conv_geom g;
    int64_t groups;
    int64_t filters;
} dl4c_conv_desc;

/* How the CPU backend splits a batch: output rows (image, z, y) go
 * through im2col + GEMM in blocks of at most DL4C_CONV_BLOCK_BYTES of
 * columns, so the columns stay in L2 and never exist for the whole batch;
 * up to DL4C_CONV_SLOTS blocks are in flight at once, one per thread, each
 * with its own scratch. Kernel gradients are summed per slot group into
 * partial arrays (at most DL4C_CONV_PARTIAL_BYTES of them) and then added
 * in a fixed order, so results do not depend on the thread count. */
#define DL4C_CONV_BLOCK_BYTES ((size_t)512 << 10)
#define DL4C_CONV_SLOTS 16
#define DL4C_CONV_PARTIAL_BYTES ((size_t)4 << 20)

typedef struct dl4c_conv_plan {
    bool pointwise;       /* 1x1, stride 1, one group: no im2col */
    int64_t rows;         /* output rows of the batch */
    int64_t rows_per_img; /* out[0]*out[1] */
    int64_t kcols;        /* im2col columns of one group */
    int64_t rpb;          /* output rows per block */
    int64_t blocks;
    int64_t slots;    /* blocks in flight (scratch arrays) */
    int64_t partials; /* kernel-gradient partial arrays (1: none) */
    size_t slot_bytes, partial_bytes, bytes;
} dl4c_conv_plan;

static inline size_t dl4c_conv_round64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

static inline dl4c_conv_plan
dl4c_conv_plan_make(dl4c_dtype dt, const dl4c_conv_desc *d, int64_t batch)
{
    dl4c_conv_plan p = {0};
    const dl4c_conv_geom *g = &d->g;
    size_t es = dl4c_dtype_size(dt);
    int64_t taps = g->k[0] * g->k[1] * g->k[2];
    p.pointwise = taps == 1 && d->groups == 1 && g->stride[0] == 1 &&
                  g->stride[1] == 1 && g->stride[2] == 1;
    p.rows_per_img = g->out[0] * g->out[1];
    p.rows = batch * p.rows_per_img;
    p.kcols = taps * (g->channels / d->groups);
    if (p.pointwise || p.rows == 0)
        return p;
    size_t row_bytes = (size_t)(g->out[2] * p.kcols) * es;
    p.rpb = (int64_t)(DL4C_CONV_BLOCK_BYTES / row_bytes);
    p.rpb = p.rpb < 1 ? 1 : p.rpb;
    p.blocks = (p.rows + p.rpb - 1) / p.rpb;
    p.slots = p.blocks < DL4C_CONV_SLOTS ? p.blocks : DL4C_CONV_SLOTS;
    p.slot_bytes = dl4c_conv_round64((size_t)p.rpb * row_bytes);
    p.partial_bytes = dl4c_conv_round64((size_t)(p.kcols * d->filters) * es);
    p.partials = (int64_t)(DL4C_CONV_PARTIAL_BYTES / p.partial_bytes);
    p.partials = p.partials < p.slots ? p.partials : p.slots;
    p.partials = p.partials < 1 ? 1 : p.partials;
    p.bytes = (size_t)p.slots * p.slot_bytes +
              (p.partials > 1 ? (size_t)p.partials * p.partial_bytes : 0);
    return p;
}

struct dl4c_backend_conv {
    /* y = x (*) w + b for `batch` images x [batch, in..., C], w HWIO, b [F]
     * or NULL, y [batch, out..., F]; then max(y, 0) when `relu`. ws holds
     * dl4c_conv_plan_make(dt, d, batch).bytes. */
    void (*forward)(dl4c_dtype dt, const dl4c_conv_desc *d, int64_t batch,
                    const void *x, const void *w, const void *b, bool relu,
                    void *y, void *ws);
    /* dx = the gradient of the forward's y with respect to x, given dy
     * (overwrites dx) */
    void (*backward_data)(dl4c_dtype dt, const dl4c_conv_desc *d, int64_t batch,
                          const void *dy, const void *w, void *dx, void *ws);
    /* dw = the gradient with respect to w, summed over the batch
     * (overwrites dw) */
    void (*backward_filter)(dl4c_dtype dt, const dl4c_conv_desc *d,
                            int64_t batch, const void *x, const void *dy,
                            void *dw, void *ws);

    /* col[b*P + p][((kz*kh + ky)*kw + kx)*cg + c] = x[b][pos(p, k)][c0 + c]
     * (zero where the window reaches into the padding) for `batch` images
     * x [batch, in..., channels]; P = out[0]*out[1]*out[2]; col is
     * [batch*P, kd*kh*kw*cg], contiguous. */
    void (*im2col)(dl4c_dtype dt, const dl4c_conv_geom *g, int64_t batch,
                   int64_t c0, int64_t cg, const void *x, void *col);
    /* The adjoint of im2col: dx[b][i][c0 + c] = sum of the col entries
     * im2col reads from there. Overwrites channels [c0, c0 + cg) of dx and
     * leaves the others alone (one call per group). */
    void (*col2im)(dl4c_dtype dt, const dl4c_conv_geom *g, int64_t batch,
                   int64_t c0, int64_t cg, const void *col, void *dx);

    /* Depthwise convolution with channel multiplier dm: w is
     * [kd, kh, kw, C, dm], y [batch, out..., C*dm] with output channel
     * c*dm + m (TensorFlow's order). No bias. */
    void (*depthwise_forward)(dl4c_dtype dt, const dl4c_conv_geom *g,
                              int64_t batch, int64_t dm, const void *x,
                              const void *w, void *y);
    /* dx = d(y)/d(x)^T dy, overwriting dx */
    void (*depthwise_backward_data)(dl4c_dtype dt, const dl4c_conv_geom *g,
                                    int64_t batch, int64_t dm, const void *dy,
                                    const void *w, void *dx);
    /* dw = sum over the batch and positions, overwriting dw */
    void (*depthwise_backward_filter)(dl4c_dtype dt, const dl4c_conv_geom *g,
                                      int64_t batch, int64_t dm, const void *x,
                                      const void *dy, void *dw);

    /* y[r][c] = act(y[r][c] + b[c]) in place over [rows, cols] (b NULL: no
     * bias), one pass for the identity and ReLU. */
    void (*bias_act)(const dl4c_activation *act, dl4c_dtype dt, int64_t rows,
                     int64_t cols, const void *b, void *y, bool training,
                     uint64_t seed);

    /* For i < count: C_i = alpha*op(A_i)*op(B_i) + beta*C_i with
     * X_i = x + i*stride_x (elements), row-major as the table's gemm. */
    void (*gemm_batched)(dl4c_dtype dt, bool trans_a, bool trans_b,
                         int64_t count, int64_t m, int64_t n, int64_t k,
                         double alpha, const void *a, int64_t lda,
                         int64_t stride_a, const void *b, int64_t ldb,
                         int64_t stride_b, double beta, void *c, int64_t ldc,
                         int64_t stride_c);
};

/* The CPU implementation (src/core/cpu/cpu_conv.c). */
extern const struct dl4c_backend_conv dl4c_cpu_conv_ops;

#endif
