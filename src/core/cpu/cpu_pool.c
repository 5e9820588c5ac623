/* The CPU pooling family (see core/backend_pool.h): the kernels are
 * written once in cpu_pool_impl.inc and instantiated for float and double
 * here; these entry points pick one by dtype. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/backend_pool.h"
#include "core/cpu/cpu_internal.h"

/* channels handled together by the max backward passes (one flag each) */
#define POOL_CHUNK 64

/* The running max as one maxss/vmaxps. Unlike the reductions it does
 * not promise to pass NaN on (TensorFlow's max pooling does not either):
 * the extra NaN test costs a branch per channel in the scalar code that
 * handles few channels, and made LeNet's 6-channel pooling 10x slower. */
#define POOL_MAX(m, v) ((v) > (m) ? (v) : (m))

/* 2x2 windows, stride 2, all inside the input ('valid', or 'same' on
 * even sizes): LeNet's max pooling, unrolled */
static inline bool is_2x2(const dl4c_pool_geom *g)
{
    return g->win[0] == 1 && g->win[1] == 2 && g->win[2] == 2 &&
           g->stride[0] == 1 && g->stride[1] == 2 && g->stride[2] == 2 &&
           g->pad[0] == 0 && g->pad[1] == 0 && g->pad[2] == 0 &&
           2 * g->out[1] <= g->in[1] && 2 * g->out[2] <= g->in[2];
}

/* Input cells [*lo, *hi) of window o along axis a. */
static inline void win_range(int64_t o, const dl4c_pool_geom *g, int a,
                             int64_t *lo, int64_t *hi)
{
    int64_t s = o * g->stride[a] - g->pad[a], e = s + g->win[a];
    *lo = s > 0 ? s : 0;
    *hi = e < g->in[a] ? e : g->in[a];
}

/* Where output cell o of a bilinear resize reads: neighbours lo and hi
 * (clamped to the input) and the weight t of hi. */
typedef struct lerp_pt {
    int64_t lo, hi;
    double t;
} lerp_pt;

static inline lerp_pt lerp_at(int64_t o, int64_t in, int64_t out,
                              bool half_pixel)
{
    const double scale = (double)in / (double)out;
    const double src =
        half_pixel ? ((double)o + 0.5) * scale - 0.5 : (double)o * scale;
    const double f = floor(src);
    lerp_pt p;
    p.lo = f > 0 ? (int64_t)f : 0;
    p.hi = (int64_t)ceil(src);
    if (p.hi > in - 1)
        p.hi = in - 1;
    if (p.hi < 0)
        p.hi = 0;
    if (p.lo > in - 1)
        p.lo = in - 1;
    p.t = src - f;
    return p;
}

#define T float
#define U uint32_t
#define FN(name) name##_f32
#include "core/cpu/cpu_pool_impl.inc"
#undef T
#undef U
#undef FN

#define T double
#define U uint64_t
#define FN(name) name##_f64
#include "core/cpu/cpu_pool_impl.inc"
#undef T
#undef U
#undef FN

static void pool_forward(dl4c_pool_op op, dl4c_dtype dt,
                         const dl4c_pool_geom *g, const void *x, void *y)
{
    if (dt == DL4C_F32)
        pool_forward_f32(op, g, x, y);
    else
        pool_forward_f64(op, g, x, y);
}

static void pool_backward(dl4c_pool_op op, dl4c_dtype dt,
                          const dl4c_pool_geom *g, const void *x, const void *y,
                          const void *dy, void *dx)
{
    if (dt == DL4C_F32)
        pool_backward_f32(op, g, x, y, dy, dx);
    else
        pool_backward_f64(op, g, x, y, dy, dx);
}

static void global_forward(dl4c_pool_op op, dl4c_dtype dt, int64_t n,
                           int64_t len, int64_t c, const void *mask,
                           const void *x, void *y)
{
    if (dt == DL4C_F32)
        global_forward_f32(op, n, len, c, mask, x, y);
    else
        global_forward_f64(op, n, len, c, mask, x, y);
}

static void global_backward(dl4c_pool_op op, dl4c_dtype dt, int64_t n,
                            int64_t len, int64_t c, const void *mask,
                            const void *x, const void *y, const void *dy,
                            void *dx)
{
    if (dt == DL4C_F32)
        global_backward_f32(op, n, len, c, mask, x, y, dy, dx);
    else
        global_backward_f64(op, n, len, c, mask, x, y, dy, dx);
}

static void upsample_forward(dl4c_dtype dt, int64_t n, const int64_t in[3],
                             const int64_t f[3], int64_t c, const void *x,
                             void *y)
{
    if (dt == DL4C_F32)
        upsample_forward_f32(n, in, f, c, x, y);
    else
        upsample_forward_f64(n, in, f, c, x, y);
}

static void upsample_backward(dl4c_dtype dt, int64_t n, const int64_t in[3],
                              const int64_t f[3], int64_t c, const void *dy,
                              void *dx)
{
    if (dt == DL4C_F32)
        upsample_backward_f32(n, in, f, c, dy, dx);
    else
        upsample_backward_f64(n, in, f, c, dy, dx);
}

static void bilinear_forward(dl4c_dtype dt, int64_t n, int64_t ih, int64_t iw,
                             int64_t oh, int64_t ow, int64_t c, bool half_pixel,
                             const void *x, void *y)
{
    if (dt == DL4C_F32)
        bilinear_forward_f32(n, ih, iw, oh, ow, c, half_pixel, x, y);
    else
        bilinear_forward_f64(n, ih, iw, oh, ow, c, half_pixel, x, y);
}

static void bilinear_backward(dl4c_dtype dt, int64_t n, int64_t ih, int64_t iw,
                              int64_t oh, int64_t ow, int64_t c,
                              bool half_pixel, const void *dy, void *dx)
{
    if (dt == DL4C_F32)
        bilinear_backward_f32(n, ih, iw, oh, ow, c, half_pixel, dy, dx);
    else
        bilinear_backward_f64(n, ih, iw, oh, ow, c, half_pixel, dy, dx);
}

static void shift(dl4c_dtype dt, int64_t n, const int64_t in[3],
                  const int64_t out[3], const int64_t off[3], int64_t c,
                  const void *x, void *y)
{
    if (dt == DL4C_F32)
        shift_f32(n, in, out, off, c, x, y);
    else
        shift_f64(n, in, out, off, c, x, y);
}

static void permute(dl4c_dtype dt, int ndim, const int64_t *shape,
                    const int *perm, const void *x, void *y)
{
    if (dt == DL4C_F32)
        permute_f32(ndim, shape, perm, x, y);
    else
        permute_f64(ndim, shape, perm, x, y);
}

const struct dl4c_backend_pool dl4c_cpu_pool_ops = {
    .pool_forward = pool_forward,
    .pool_backward = pool_backward,
    .global_forward = global_forward,
    .global_backward = global_backward,
    .upsample_forward = upsample_forward,
    .upsample_backward = upsample_backward,
    .bilinear_forward = bilinear_forward,
    .bilinear_backward = bilinear_backward,
    .shift = shift,
    .permute = permute,
};
