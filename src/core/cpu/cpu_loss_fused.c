/* Fused gradients of softmax + cross-entropy and sigmoid + binary
 * cross-entropy with respect to the pre-activation: p - y generalized to
 * per-output weights and masks. Exact where the unfused path would divide
 * by a tiny probability. SPARSE_MCXENT labels are class indices. */
#include "core/cpu/cpu_internal.h"

#define AT(ptr, i)                                                             \
    (dt == DL4C_F32 ? (double)((const float *)(ptr))[i]                        \
                    : ((const double *)(ptr))[i])

static void put(dl4c_dtype dt, void *ptr, int64_t i, double v)
{
    if (dt == DL4C_F32)
        ((float *)ptr)[i] = (float)v;
    else
        ((double *)ptr)[i] = v;
}

/* weight * mask of element (r, c) */
static double wm(const dl4c_loss_args *a, dl4c_dtype dt, int64_t r, int64_t c)
{
    double w = a->weights ? AT(a->weights, c) : 1.0;
    if (a->mask)
        w *= a->mask_cols == 1 ? AT(a->mask, r) : AT(a->mask, r * a->cols + c);
    return w;
}

void dl4c_cpu_loss_fused_grad(const dl4c_loss_args *a, dl4c_dtype dt, void *dz,
                              double grad_scale)
{
    const int64_t rows = a->rows, cols = a->cols;
    const bool sigmoid = a->loss->id == DL4C_LOSS_XENT;
    const bool index_labels = a->loss->id == DL4C_LOSS_SPARSE_MCXENT;
    DL4C_OMP_FOR(rows * cols > DL4C_CPU_PAR_MIN)
    for (int64_t r = 0; r < rows; r++) {
        const int64_t base = r * cols;
        if (sigmoid) {
            for (int64_t c = 0; c < cols; c++)
                put(dt, dz, base + c,
                    grad_scale * wm(a, dt, r, c) *
                        (AT(a->pred, base + c) - AT(a->labels, base + c)) /
                        (double)cols);
            continue;
        }
        if (index_labels) {
            int64_t k = (int64_t)AT(a->labels, r);
            double ak = (k >= 0 && k < cols) ? wm(a, dt, r, k) : 0.0;
            for (int64_t c = 0; c < cols; c++)
                put(dt, dz, base + c,
                    grad_scale *
                        (AT(a->pred, base + c) * ak - (c == k ? ak : 0.0)));
            continue;
        }
        double sum = 0;
        for (int64_t c = 0; c < cols; c++)
            sum += wm(a, dt, r, c) * AT(a->labels, base + c);
        for (int64_t c = 0; c < cols; c++) {
            double ac = wm(a, dt, r, c) * AT(a->labels, base + c);
            put(dt, dz, base + c,
                grad_scale * (AT(a->pred, base + c) * sum - ac));
        }
    }
}
