/* CPU loss kernels: per-row loss and its gradient for every loss of the
 * catalogue (definitions in include/dl4c/loss.h). Math runs in double per
 * element; a loss pass is a small fraction of a training step. Logs and
 * divisions clip their argument at EPS, as Keras does. */
#include <math.h>

#include "core/cpu/cpu_internal.h"

#define EPS 1e-7

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

static bool reduces_by_mean(dl4c_loss_id id)
{
    switch (id) {
    case DL4C_LOSS_MCXENT:
    case DL4C_LOSS_NEGATIVELOGLIKELIHOOD:
    case DL4C_LOSS_SPARSE_MCXENT:
    case DL4C_LOSS_KL_DIVERGENCE:
    case DL4C_LOSS_COSINE_PROXIMITY:
        return false;
    default:
        return true;
    }
}

/* Loss of one element and d(loss)/d(p) into *g. */
static double element(const dl4c_loss *loss, double p, double y, double *g)
{
    double e, a;
    switch (loss->id) {
    case DL4C_LOSS_MSE:
        e = p - y;
        *g = 2 * e;
        return e * e;
    case DL4C_LOSS_L1:
        e = p - y;
        *g = (e > 0) - (e < 0);
        return fabs(e);
    case DL4C_LOSS_MSLE: {
        double pc = p > EPS ? p : EPS, yc = y > EPS ? y : EPS;
        e = log1p(pc) - log1p(yc);
        *g = p > EPS ? 2 * e / (1 + pc) : 0;
        return e * e;
    }
    case DL4C_LOSS_MAPE:
        a = fabs(y) > EPS ? fabs(y) : EPS;
        e = p - y;
        *g = 100.0 * ((e > 0) - (e < 0)) / a;
        return 100.0 * fabs(e) / a;
    case DL4C_LOSS_HINGE:
    case DL4C_LOSS_SQUARED_HINGE: {
        double ys = y == 0 ? -1.0 : y;
        double m = 1 - ys * p;
        if (m <= 0) {
            *g = 0;
            return 0;
        }
        if (loss->id == DL4C_LOSS_HINGE) {
            *g = -ys;
            return m;
        }
        *g = -2 * ys * m;
        return m * m;
    }
    case DL4C_LOSS_XENT: {
        double pc = clampd(p, EPS, 1 - EPS);
        *g = (p > EPS && p < 1 - EPS) ? (pc - y) / (pc * (1 - pc)) : 0;
        return -(y * log(pc) + (1 - y) * log(1 - pc));
    }
    case DL4C_LOSS_MCXENT:
    case DL4C_LOSS_NEGATIVELOGLIKELIHOOD: {
        double pc = clampd(p, EPS, 1.0);
        *g = p > EPS ? -y / pc : 0;
        return -y * log(pc);
    }
    case DL4C_LOSS_KL_DIVERGENCE: {
        double pc = clampd(p, EPS, 1.0), yc = clampd(y, EPS, 1.0);
        *g = p > EPS ? -yc / pc : 0;
        return yc * log(yc / pc);
    }
    case DL4C_LOSS_POISSON:
        *g = 1 - y / (p + EPS);
        return p - y * log(p + EPS);
    case DL4C_LOSS_HUBER: {
        double d = loss->delta;
        e = p - y;
        if (fabs(e) <= d) {
            *g = e;
            return 0.5 * e * e;
        }
        *g = d * ((e > 0) - (e < 0));
        return d * (fabs(e) - 0.5 * d);
    }
    default:
        *g = 0;
        return 0;
    }
}

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

static double mask_at(const dl4c_loss_args *a, dl4c_dtype dt, int64_t r,
                      int64_t c)
{
    if (!a->mask)
        return 1.0;
    return a->mask_cols == 1 ? AT(a->mask, r) : AT(a->mask, r * a->cols + c);
}

static double weight_at(const dl4c_loss_args *a, dl4c_dtype dt, int64_t c)
{
    return a->weights ? AT(a->weights, c) : 1.0;
}

static double sparse_row(const dl4c_loss_args *a, dl4c_dtype dt, int64_t r,
                         void *grad, double scale)
{
    int64_t cols = a->cols;
    int64_t k = (int64_t)AT(a->labels, r);
    if (grad)
        for (int64_t c = 0; c < cols; c++)
            put(dt, grad, r * cols + c, 0.0);
    if (k < 0 || k >= cols)
        return 0; /* labels are validated before training; never reached */
    double m = mask_at(a, dt, r, k) * weight_at(a, dt, k);
    if (m == 0)
        return 0;
    double p = AT(a->pred, r * cols + k);
    double pc = clampd(p, EPS, 1.0);
    if (grad)
        put(dt, grad, r * cols + k, p > EPS ? -m / pc * scale : 0.0);
    return -m * log(pc);
}

/* L = -(a . p) / |p| with a_c = w_c m_c y_c / |y|. Outputs masked out
 * (m_c == 0) are dropped from both vectors, norms included, so the loss
 * does not depend on them and their gradient is exactly zero. */
static double cosine_row(const dl4c_loss_args *a, dl4c_dtype dt, int64_t r,
                         void *grad, double scale)
{
    int64_t cols = a->cols;
    const int64_t base = r * cols;
    double ny = 0, np = 0, dot = 0;
    for (int64_t c = 0; c < cols; c++) {
        if (mask_at(a, dt, r, c) == 0)
            continue;
        double y = AT(a->labels, base + c), p = AT(a->pred, base + c);
        ny += y * y;
        np += p * p;
    }
    ny = sqrt(ny > EPS * EPS ? ny : EPS * EPS);
    np = sqrt(np > EPS * EPS ? np : EPS * EPS);
    for (int64_t c = 0; c < cols; c++) {
        double m = mask_at(a, dt, r, c);
        if (m != 0)
            dot += weight_at(a, dt, c) * m * AT(a->labels, base + c) / ny *
                   AT(a->pred, base + c);
    }
    if (grad)
        for (int64_t c = 0; c < cols; c++) {
            double m = mask_at(a, dt, r, c);
            double g = 0;
            if (m != 0) {
                double ac =
                    weight_at(a, dt, c) * m * AT(a->labels, base + c) / ny;
                double p = AT(a->pred, base + c);
                g = -(ac / np - dot * p / (np * np * np));
            }
            put(dt, grad, base + c, g * scale);
        }
    return -dot / np;
}

void dl4c_cpu_loss(const dl4c_loss_args *a, dl4c_dtype dt, double *row_loss,
                   void *grad, double grad_scale)
{
    const dl4c_loss *loss = a->loss;
    int64_t rows = a->rows, cols = a->cols;
    double factor = reduces_by_mean(loss->id) ? 1.0 / (double)cols : 1.0;
#pragma omp parallel for if (rows * cols > DL4C_CPU_PAR_MIN) schedule(static)
    for (int64_t r = 0; r < rows; r++) {
        if (loss->id == DL4C_LOSS_SPARSE_MCXENT) {
            row_loss[r] = sparse_row(a, dt, r, grad, grad_scale);
            continue;
        }
        if (loss->id == DL4C_LOSS_COSINE_PROXIMITY) {
            row_loss[r] = cosine_row(a, dt, r, grad, grad_scale);
            continue;
        }
        double sum = 0;
        for (int64_t c = 0; c < cols; c++) {
            int64_t i = r * cols + c;
            double g = 0;
            double wm = weight_at(a, dt, c) * mask_at(a, dt, r, c);
            /* masked entries are skipped, not multiplied by 0: padding
             * may hold values (p <= 0 for POISSON) whose loss is NaN */
            if (wm != 0)
                sum += wm * element(loss, AT(a->pred, i), AT(a->labels, i), &g);
            if (grad)
                put(dt, grad, i, wm * g * factor * grad_scale);
        }
        row_loss[r] = sum * factor;
    }
}
