/* The pooling family of the backend table (dl4c_backend.pool): windowed
 * max and average pooling, global pooling with time masks, nearest and
 * bilinear upsampling, zero padding / cropping and axis permutation.
 * Tensors are channels-last. A 1-, 2- or 3-D layer's [N, d..., C] is seen
 * as [N, D, H, W, C] with the missing leading spatial dims set to 1, so
 * one kernel serves all three ranks. Entries do not check shapes (layers
 * validate them at build time), never allocate, and write every element
 * of their output. */
#ifndef DL4C_BACKEND_POOL_H
#define DL4C_BACKEND_POOL_H

#include "core/backend.h"

typedef enum dl4c_pool_op {
    DL4C_POOL_MAX = 0,
    DL4C_POOL_AVG,
    DL4C_POOL_COUNT
} dl4c_pool_op;

/* Windows of a pooling layer over [n, in[0], in[1], in[2], c]. Window o
 * along an axis covers input cells [o*stride - pad, o*stride - pad + win)
 * clipped to the input: cells outside are left out of the max and of the
 * average's count ('same' padding as Keras/TF computes it). Every window
 * holds at least one input cell. */
typedef struct dl4c_pool_geom {
    int64_t n, c;
    int64_t in[3], out[3]; /* spatial D, H, W */
    int64_t win[3], stride[3];
    int64_t pad[3]; /* padding cells before the first input cell */
} dl4c_pool_geom;

struct dl4c_backend_pool {
    /* y = max or mean of each window of x. The max does not promise to
     * pass a NaN in the window on. */
    void (*pool_forward)(dl4c_pool_op op, dl4c_dtype dt,
                         const dl4c_pool_geom *g, const void *x, void *y);
    /* dx (overwritten) from dy. Max sends each window's gradient to the
     * first cell (in D, H, W order) that holds the window's maximum,
     * found again from x and y; average spreads it evenly. */
    void (*pool_backward)(dl4c_pool_op op, dl4c_dtype dt,
                          const dl4c_pool_geom *g, const void *x, const void *y,
                          const void *dy, void *dx);

    /* y [n, c] = max or mean over len of x [n, len, c]. mask [n, len]
     * (0/1 in dt) or NULL: masked steps are left out; an example with
     * every step masked gives 0. */
    void (*global_forward)(dl4c_pool_op op, dl4c_dtype dt, int64_t n,
                           int64_t len, int64_t c, const void *mask,
                           const void *x, void *y);
    /* dx [n, len, c] (overwritten) from dy [n, c]; max as pool_backward. */
    void (*global_backward)(dl4c_pool_op op, dl4c_dtype dt, int64_t n,
                            int64_t len, int64_t c, const void *mask,
                            const void *x, const void *y, const void *dy,
                            void *dx);

    /* Nearest-neighbour upsampling of x [n, in[0..2], c] by integer
     * factors f: y[n, d*f0 + i, h*f1 + j, w*f2 + k, :] = x[n, d, h, w, :].
     * The backward pass sums each block of dy into dx. */
    void (*upsample_forward)(dl4c_dtype dt, int64_t n, const int64_t in[3],
                             const int64_t f[3], int64_t c, const void *x,
                             void *y);
    void (*upsample_backward)(dl4c_dtype dt, int64_t n, const int64_t in[3],
                              const int64_t f[3], int64_t c, const void *dy,
                              void *dx);

    /* Bilinear resize of x [n, ih, iw, c] to y [n, oh, ow, c] as
     * TensorFlow's ResizeBilinear with align_corners false: source
     * coordinate (o + 0.5) * in/out - 0.5 with half_pixel (TF 2, Keras
     * 2.x and 3), o * in/out without (TF 1); neighbours clamped to the
     * edge. The backward pass overwrites dx. */
    void (*bilinear_forward)(dl4c_dtype dt, int64_t n, int64_t ih, int64_t iw,
                             int64_t oh, int64_t ow, int64_t c, bool half_pixel,
                             const void *x, void *y);
    void (*bilinear_backward)(dl4c_dtype dt, int64_t n, int64_t ih, int64_t iw,
                              int64_t oh, int64_t ow, int64_t c,
                              bool half_pixel, const void *dy, void *dx);

    /* y [n, out[0..2], c][o] = x [n, in[0..2], c][o - off] where that
     * lies inside x, else 0: zero padding (off >= 0) and cropping
     * (off <= 0) in one entry; each is the other's backward pass. */
    void (*shift)(dl4c_dtype dt, int64_t n, const int64_t in[3],
                  const int64_t out[3], const int64_t off[3], int64_t c,
                  const void *x, void *y);

    /* y = x with its axes reordered: x has `ndim` dims `shape`, y has
     * dims shape[perm[0]], ..., shape[perm[ndim-1]] and
     * y[i_0, ..., i_{ndim-1}] = x[j] with j[perm[k]] = i_k. */
    void (*permute)(dl4c_dtype dt, int ndim, const int64_t *shape,
                    const int *perm, const void *x, void *y);
};

/* The CPU implementation (src/core/cpu/cpu_pool.c). */
extern const struct dl4c_backend_pool dl4c_cpu_pool_ops;

#endif
