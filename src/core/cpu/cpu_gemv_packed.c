/* Single-row products against a pre-packed weight matrix: the batch-1
 * inference path of dense layers once a net is prepared for inference.
 * W [k, n] is stored as panels of PANEL columns, each panel k rows of
 * PANEL contiguous values (the last one zero-padded), so every thread
 * streams whole contiguous panels and keeps a panel's PANEL sums in
 * registers over all k rows. About twice the speed of the row-major
 * product, which strides across rows. */
#include <omp.h>
#include <string.h>

#include "core/cpu/cpu_internal.h"

#define PANEL 64
/* Below this many multiply-adds one thread does it all. */
#define SPLIT_MIN (1 << 15)

static int64_t panels(int64_t n)
{
    return (n + PANEL - 1) / PANEL;
}

size_t dl4c_cpu_packed_size(dl4c_dtype dt, int64_t k, int64_t n)
{
    return (size_t)(panels(n) * PANEL * k) * dl4c_dtype_size(dt);
}

#define PACK(name, T)                                                          \
    static void name(int64_t k, int64_t n, const T *w, T *p)                   \
    {                                                                          \
        for (int64_t b = 0; b < panels(n); b++) {                              \
            int64_t j0 = b * PANEL;                                            \
            int64_t cols = n - j0 < PANEL ? n - j0 : PANEL;                    \
            T *dst = p + b * PANEL * k;                                        \
            for (int64_t r = 0; r < k; r++) {                                  \
                memcpy(dst + r * PANEL, w + r * n + j0,                        \
                       sizeof(T) * (size_t)cols);                              \
                for (int64_t j = cols; j < PANEL; j++)                         \
                    dst[r * PANEL + j] = 0;                                    \
            }                                                                  \
        }                                                                      \
    }

#define PANEL_DOT(name, T)                                                     \
    static void name(int64_t k, int64_t cols, const T *x, const T *p, T *y)    \
    {                                                                          \
        T acc[PANEL] = {0};                                                    \
        for (int64_t r = 0; r < k; r++) {                                      \
            const T xv = x[r];                                                 \
            const T *row = p + r * PANEL;                                      \
            for (int j = 0; j < PANEL; j++)                                    \
                acc[j] += xv * row[j];                                         \
        }                                                                      \
        memcpy(y, acc, sizeof(T) * (size_t)cols);                              \
    }

PACK(pack_f32, float)
PACK(pack_f64, double)
PANEL_DOT(panel_f32, float)
PANEL_DOT(panel_f64, double)

void dl4c_cpu_pack(dl4c_dtype dt, int64_t k, int64_t n, const void *w,
                   void *packed)
{
    if (dt == DL4C_F32)
        pack_f32(k, n, w, packed);
    else
        pack_f64(k, n, w, packed);
}

void dl4c_cpu_gemv_packed(dl4c_dtype dt, int64_t k, int64_t n, const void *x,
                          const void *packed, void *y)
{
    int64_t np = panels(n);
    int threads = n * k >= SPLIT_MIN ? omp_get_max_threads() : 1;
    DL4C_OMP_FOR_N(threads, threads > 1 && np > 1)
    for (int64_t b = 0; b < np; b++) {
        int64_t cols = n - b * PANEL < PANEL ? n - b * PANEL : PANEL;
        if (dt == DL4C_F32)
            panel_f32(k, cols, x, (const float *)packed + b * PANEL * k,
                      (float *)y + b * PANEL);
        else
            panel_f64(k, cols, x, (const double *)packed + b * PANEL * k,
                      (double *)y + b * PANEL);
    }
}
