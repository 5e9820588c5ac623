/* The CPU convolution table (backend_conv.h). Convolutions run as im2col
 * + GEMM in blocks of output rows (dl4c_conv_plan): each block's columns
 * are built in a scratch array that stays in L2, multiplied by the kernel
 * through the backend GEMM and finished with the fused bias + ReLU while
 * the output block is still in cache. With several blocks, threads take
 * whole blocks and call single-threaded GEMMs (OpenBLAS runs one thread
 * inside a parallel region), one fork per layer instead of one per step;
 * a single block is run with the threaded kernels instead. Kernel
 * gradients are summed per slot group and added in a fixed order; data
 * gradients are scattered by threads that own whole images. Kernels over
 * T live in cpu_conv_impl.inc, instantiated for float and double. */
#include <string.h>

#include "core/backend_conv.h"
#include "core/cpu/cpu_internal.h"

#define T float
#define FN(name) name##_f32
#include "core/cpu/cpu_conv_impl.inc"
#undef T
#undef FN

#define T double
#define FN(name) name##_f64
#include "core/cpu/cpu_conv_impl.inc"
#undef T
#undef FN

static const dl4c_activation act_identity = {DL4C_ACT_IDENTITY, 0, 0};
static const dl4c_activation act_relu = {DL4C_ACT_RELU, 0, 0};

static void im2col_rows(dl4c_dtype dt, const dl4c_conv_geom *g, int64_t r0,
                        int64_t r1, int64_t c0, int64_t cg, const void *x,
                        void *col, bool par)
{
    if (dt == DL4C_F32)
        im2col_rows_f32(g, r0, r1, c0, cg, x, col, par);
    else
        im2col_rows_f64(g, r0, r1, c0, cg, x, col, par);
}

static void col2im_rows(dl4c_dtype dt, const dl4c_conv_geom *g, int64_t r0,
                        int64_t r1, int64_t c0, int64_t cg, const void *col,
                        void *dx)
{
    if (dt == DL4C_F32)
        col2im_rows_f32(g, r0, r1, c0, cg, col, dx);
    else
        col2im_rows_f64(g, r0, r1, c0, cg, col, dx);
}

static void epilogue(dl4c_dtype dt, int64_t rows, int64_t cols, const void *b,
                     bool relu, void *y, bool par)
{
    const dl4c_activation *a = relu ? &act_relu : &act_identity;
    if (dt == DL4C_F32)
        bias_act_f32(a, rows, cols, b, y, par);
    else
        bias_act_f64(a, rows, cols, b, y, par);
}

/* ---- convolution: forward, data and kernel gradients ---- */

static void forward_block(dl4c_dtype dt, const dl4c_conv_desc *d, int64_t r0,
                          int64_t r1, const char *x, const char *w,
                          const void *b, bool relu, char *y, char *col,
                          bool par)
{
    size_t es = dl4c_dtype_size(dt);
    int64_t F = d->filters, G = d->groups, Fg = F / G;
    int64_t Cg = d->g.channels / G, ow = d->g.out[2];
    int64_t kg = d->g.k[0] * d->g.k[1] * d->g.k[2] * Cg, m = (r1 - r0) * ow;
    char *yb = y + (size_t)(r0 * ow * F) * es;
    for (int64_t gi = 0; gi < G; gi++) {
        im2col_rows(dt, &d->g, r0, r1, gi * Cg, Cg, x, col, par);
        dl4c_cpu_gemm(dt, false, false, m, Fg, kg, 1.0, col, kg,
                      w + (size_t)(gi * Fg) * es, F, 0.0,
                      yb + (size_t)(gi * Fg) * es, F);
    }
    epilogue(dt, m, F, b, relu, yb, par);
}

static void conv_forward(dl4c_dtype dt, const dl4c_conv_desc *d, int64_t batch,
                         const void *x, const void *w, const void *b, bool relu,
                         void *y, void *ws)
{
    dl4c_conv_plan p = dl4c_conv_plan_make(dt, d, batch);
    int64_t F = d->filters;
    if (p.pointwise) {
        int64_t rows = batch * p.rows_per_img * d->g.out[2];
        dl4c_cpu_gemm(dt, false, false, rows, F, d->g.channels, 1.0, x,
                      d->g.channels, w, F, 0.0, y, F);
        epilogue(dt, rows, F, b, relu, y, true);
        return;
    }
    if (p.slots == 1) { /* one block: threads inside the kernels */
        forward_block(dt, d, 0, p.rows, x, w, b, relu, y, ws, true);
        return;
    }
    DL4C_OMP_FOR(true)
    for (int64_t s = 0; s < p.slots; s++) {
        char *col = (char *)ws + (size_t)s * p.slot_bytes;
        for (int64_t k = s * p.blocks / p.slots;
             k < (s + 1) * p.blocks / p.slots; k++) {
            int64_t r0 = k * p.rpb,
                    r1 = r0 + p.rpb < p.rows ? r0 + p.rpb : p.rows;
            forward_block(dt, d, r0, r1, x, w, b, relu, y, col, false);
        }
    }
}

/* Partial s of the kernel gradient: its run of blocks summed into acc. */
static void filter_blocks(dl4c_dtype dt, const dl4c_conv_desc *d,
                          const dl4c_conv_plan *p, int64_t s, const void *x,
                          const void *dy, char *acc, char *col, bool par)
{
    size_t es = dl4c_dtype_size(dt);
    int64_t F = d->filters, G = d->groups, Fg = F / G;
    int64_t Cg = d->g.channels / G, kg = p->kcols, ow = d->g.out[2];
    int64_t k0 = s * p->blocks / p->partials;
    for (int64_t k = k0; k < (s + 1) * p->blocks / p->partials; k++) {
        int64_t r0 = k * p->rpb,
                r1 = r0 + p->rpb < p->rows ? r0 + p->rpb : p->rows;
        const char *dyb = (const char *)dy + (size_t)(r0 * ow * F) * es;
        for (int64_t gi = 0; gi < G; gi++) {
            im2col_rows(dt, &d->g, r0, r1, gi * Cg, Cg, x, col, par);
            dl4c_cpu_gemm(dt, true, false, kg, Fg, (r1 - r0) * ow, 1.0, col, kg,
                          dyb + (size_t)(gi * Fg) * es, F, k > k0 ? 1.0 : 0.0,
                          acc + (size_t)(gi * Fg) * es, F);
        }
    }
}

static void conv_backward_filter(dl4c_dtype dt, const dl4c_conv_desc *d,
                                 int64_t batch, const void *x, const void *dy,
                                 void *dw, void *ws)
{
    dl4c_conv_plan p = dl4c_conv_plan_make(dt, d, batch);
    size_t es = dl4c_dtype_size(dt);
    int64_t F = d->filters, kg = p.kcols, ow = d->g.out[2];
    if (p.pointwise) {
        dl4c_cpu_gemm(dt, true, false, d->g.channels, F,
                      batch * p.rows_per_img * ow, 1.0, x, d->g.channels, dy, F,
                      0.0, dw, F);
        return;
    }
    /* one partial: accumulate block by block into dw with threaded kernels
     * (outside any parallel region: a threaded GEMM started inside even an
     * inactive one makes a new thread team per call); else partial k sums
     * its own run of blocks */
    if (p.partials == 1) {
        filter_blocks(dt, d, &p, 0, x, dy, dw, ws, true);
        return;
    }
    char *parts = (char *)ws + (size_t)p.slots * p.slot_bytes;
    DL4C_OMP_FOR(true)
    for (int64_t s = 0; s < p.partials; s++)
        filter_blocks(dt, d, &p, s, x, dy, parts + (size_t)s * p.partial_bytes,
                      (char *)ws + (size_t)s * p.slot_bytes, false);
    int64_t stride = (int64_t)(p.partial_bytes / es);
    if (dt == DL4C_F32)
        sum_partials_f32(kg * F, p.partials, stride, (const float *)parts, dw);
    else
        sum_partials_f64(kg * F, p.partials, stride, (const double *)parts, dw);
}

/* Output rows [r0, r1) of dy back through the kernel into dx (added). */
static void data_rows(dl4c_dtype dt, const dl4c_conv_desc *d, int64_t r0,
                      int64_t r1, const char *dy, const char *w, void *dx,
                      char *col)
{
    size_t es = dl4c_dtype_size(dt);
    int64_t F = d->filters, G = d->groups, Fg = F / G;
    int64_t Cg = d->g.channels / G, ow = d->g.out[2];
    int64_t kg = d->g.k[0] * d->g.k[1] * d->g.k[2] * Cg;
    const char *dyb = dy + (size_t)(r0 * ow * F) * es;
    for (int64_t gi = 0; gi < G; gi++) {
        dl4c_cpu_gemm(dt, false, true, (r1 - r0) * ow, kg, Fg, 1.0,
                      dyb + (size_t)(gi * Fg) * es, F,
                      w + (size_t)(gi * Fg) * es, F, 0.0, col, kg);
        col2im_rows(dt, &d->g, r0, r1, gi * Cg, Cg, col, dx);
    }
}

/* Images [n0, n1) of dy back into dx (overwritten), block by block. */
static void data_images(dl4c_dtype dt, const dl4c_conv_desc *d,
                        const dl4c_conv_plan *p, int64_t n0, int64_t n1,
                        const void *dy, const void *w, void *dx, char *col)
{
    const dl4c_conv_geom *g = &d->g;
    size_t es = dl4c_dtype_size(dt);
    int64_t img = g->in[0] * g->in[1] * g->in[2] * g->channels;
    memset((char *)dx + (size_t)(n0 * img) * es, 0,
           (size_t)((n1 - n0) * img) * es);
    for (int64_t r0 = n0 * p->rows_per_img; r0 < n1 * p->rows_per_img;
         r0 += p->rpb) {
        int64_t end = n1 * p->rows_per_img;
        data_rows(dt, d, r0, r0 + p->rpb < end ? r0 + p->rpb : end, dy, w, dx,
                  col);
    }
}

static void conv_backward_data(dl4c_dtype dt, const dl4c_conv_desc *d,
                               int64_t batch, const void *dy, const void *w,
                               void *dx, void *ws)
{
    dl4c_conv_plan p = dl4c_conv_plan_make(dt, d, batch);
    const dl4c_conv_geom *g = &d->g;
    if (p.pointwise) {
        dl4c_cpu_gemm(dt, false, true, batch * p.rows_per_img * g->out[2],
                      g->channels, d->filters, 1.0, dy, d->filters, w,
                      d->filters, 0.0, dx, g->channels);
        return;
    }
    /* units of whole images (their rows overlap in dx), each run block by
     * block by one thread */
    int64_t ipu = p.rows_per_img <= p.rpb ? p.rpb / p.rows_per_img : 1;
    int64_t units = (batch + ipu - 1) / ipu;
    int64_t lanes = units < p.slots ? units : p.slots;
    if (lanes == 1) { /* threaded GEMMs, outside any parallel region */
        data_images(dt, d, &p, 0, batch, dy, w, dx, ws);
        return;
    }
    DL4C_OMP_FOR(true)
    for (int64_t s = 0; s < lanes; s++) {
        int64_t n0 = s * units / lanes * ipu,
                n1 = (s + 1) * units / lanes * ipu;
        data_images(dt, d, &p, n0, n1 < batch ? n1 : batch, dy, w, dx,
                    (char *)ws + (size_t)s * p.slot_bytes);
    }
}

/* ---- data movement for whole batches (locally connected layers) ---- */

static void im2col(dl4c_dtype dt, const dl4c_conv_geom *g, int64_t batch,
                   int64_t c0, int64_t cg, const void *x, void *col)
{
    im2col_rows(dt, g, 0, batch * g->out[0] * g->out[1], c0, cg, x, col, true);
}

static void col2im(dl4c_dtype dt, const dl4c_conv_geom *g, int64_t batch,
                   int64_t c0, int64_t cg, const void *col, void *dx)
{
    if (dt == DL4C_F32)
        col2im_f32(g, batch, c0, cg, col, dx);
    else
        col2im_f64(g, batch, c0, cg, col, dx);
}

/* ---- depthwise ---- */

static void dw_forward(dl4c_dtype dt, const dl4c_conv_geom *g, int64_t batch,
                       int64_t dm, const void *x, const void *w, void *y)
{
    if (dt == DL4C_F32)
        dw_forward_f32(g, batch, dm, x, w, y);
    else
        dw_forward_f64(g, batch, dm, x, w, y);
}

static void dw_backward_data(dl4c_dtype dt, const dl4c_conv_geom *g,
                             int64_t batch, int64_t dm, const void *dy,
                             const void *w, void *dx)
{
    if (dt == DL4C_F32)
        dw_backward_data_f32(g, batch, dm, dy, w, dx);
    else
        dw_backward_data_f64(g, batch, dm, dy, w, dx);
}

static void dw_backward_filter(dl4c_dtype dt, const dl4c_conv_geom *g,
                               int64_t batch, int64_t dm, const void *x,
                               const void *dy, void *dw)
{
    if (dt == DL4C_F32)
        dw_backward_filter_f32(g, batch, dm, x, dy, dw);
    else
        dw_backward_filter_f64(g, batch, dm, x, dy, dw);
}

/* ---- epilogue, batched GEMM ---- */

/* Identity and ReLU run in one pass with the bias; other activations add
 * the bias first and then run the activation kernel in place. */
static void bias_act(const dl4c_activation *act, dl4c_dtype dt, int64_t rows,
                     int64_t cols, const void *b, void *y, bool training,
                     uint64_t seed)
{
    bool fused = act->id == DL4C_ACT_IDENTITY || act->id == DL4C_ACT_RELU;
    if (dt == DL4C_F32)
        bias_act_f32(fused ? act : &act_identity, rows, cols, b, y, true);
    else
        bias_act_f64(fused ? act : &act_identity, rows, cols, b, y, true);
    if (!fused)
        dl4c_cpu_act_forward(act, dt, rows, cols, y, y, training, seed);
}

/* One GEMM per thread: OpenBLAS runs single-threaded inside a parallel
 * region, so small products (one per output position of a locally
 * connected layer) do not each wake the thread team. */
static void gemm_batched(dl4c_dtype dt, bool trans_a, bool trans_b,
                         int64_t count, int64_t m, int64_t n, int64_t k,
                         double alpha, const void *a, int64_t lda,
                         int64_t stride_a, const void *b, int64_t ldb,
                         int64_t stride_b, double beta, void *c, int64_t ldc,
                         int64_t stride_c)
{
    size_t es = dl4c_dtype_size(dt);
    bool par = count > 1 && count * m * n * k > DL4C_CPU_PAR_MIN;
    if (!par) { /* each GEMM threaded: no enclosing parallel region */
        for (int64_t i = 0; i < count; i++)
            dl4c_cpu_gemm(dt, trans_a, trans_b, m, n, k, alpha,
                          (const char *)a + (size_t)(i * stride_a) * es, lda,
                          (const char *)b + (size_t)(i * stride_b) * es, ldb,
                          beta, (char *)c + (size_t)(i * stride_c) * es, ldc);
        return;
    }
    DL4C_OMP_FOR(true)
    for (int64_t i = 0; i < count; i++)
        dl4c_cpu_gemm(dt, trans_a, trans_b, m, n, k, alpha,
                      (const char *)a + (size_t)(i * stride_a) * es, lda,
                      (const char *)b + (size_t)(i * stride_b) * es, ldb, beta,
                      (char *)c + (size_t)(i * stride_c) * es, ldc);
}

const struct dl4c_backend_conv dl4c_cpu_conv_ops = {
    .forward = conv_forward,
    .backward_data = conv_backward_data,
    .backward_filter = conv_backward_filter,
    .im2col = im2col,
    .col2im = col2im,
    .depthwise_forward = dw_forward,
    .depthwise_backward_data = dw_backward_data,
    .depthwise_backward_filter = dw_backward_filter,
    .bias_act = bias_act,
    .gemm_batched = gemm_batched,
};
