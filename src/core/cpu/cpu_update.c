/* Fused updater step: regularization, the updater rule and weight decay
 * in one pass over a parameter array (formulas in include/dl4c/updater.h).
 * State arrays are laid out back to back: state[k*n + i]. */
#include <math.h>

#include "core/cpu/cpu_internal.h"

void dl4c_cpu_update(const dl4c_update_step *st, dl4c_dtype dt, int64_t n,
                     void *param, void *grad, void *state)
{
    const dl4c_updater *u = st->updater;
    const double lr = st->lr, l1 = st->l1, l2 = st->l2;
    const double wd = st->weight_decay;
    const double b1 = u->beta1, b2 = u->beta2, eps = u->epsilon;
    const double mu = u->momentum, rho = u->rho;
    const double t = (double)st->t;
    const double bc1 = 1 - pow(b1, t), bc2 = 1 - pow(b2, t);
    const double adam_alpha = lr * sqrt(bc2) / bc1;
    const double decoupled =
        u->id == DL4C_UPDATER_ADAMW ? lr * u->weight_decay : 0.0;

    DL4C_CPU_DISPATCH(dt, {
        T *w = param;
        const T *gr = grad;
        T *s0 = state, *s1 = state ? (T *)state + n : NULL;
        T *s2 = state ? (T *)state + 2 * n : NULL;
_Pragma("omp parallel for if (n > DL4C_CPU_PAR_MIN) schedule(static)")
        for (int64_t i = 0; i < n; i++) {
            double wi = (double)w[i];
            double g = (double)gr[i];
            if (l1 != 0)
                g += l1 * ((wi > 0) - (wi < 0));
            if (l2 != 0)
                g += l2 * wi;
            double upd;
            switch (u->id) {
            case DL4C_UPDATER_NESTEROVS: {
                double vprev = s0[i];
                double v = mu * vprev - lr * g;
                s0[i] = (T)v;
                upd = mu * vprev - (1 + mu) * v;
                break;
            }
            case DL4C_UPDATER_ADAM:
            case DL4C_UPDATER_ADAMW:
            case DL4C_UPDATER_AMSGRAD: {
                double m = b1 * s0[i] + (1 - b1) * g;
                double v = b2 * s1[i] + (1 - b2) * g * g;
                s0[i] = (T)m;
                s1[i] = (T)v;
                if (u->id == DL4C_UPDATER_AMSGRAD) {
                    double vh = (double)s2[i] > v ? (double)s2[i] : v;
                    s2[i] = (T)vh;
                    v = vh;
                }
                upd = adam_alpha * m / (sqrt(v) + eps);
                break;
            }
            case DL4C_UPDATER_ADAMAX: {
                double m = b1 * s0[i] + (1 - b1) * g;
                double uu = b2 * s1[i];
                uu = uu > fabs(g) ? uu : fabs(g);
                s0[i] = (T)m;
                s1[i] = (T)uu;
                upd = lr / bc1 * m / (uu + eps);
                break;
            }
            case DL4C_UPDATER_NADAM: {
                double m = b1 * s0[i] + (1 - b1) * g;
                double v = b2 * s1[i] + (1 - b2) * g * g;
                s0[i] = (T)m;
                s1[i] = (T)v;
                /* DL4J's Nadam: Nesterov look-ahead on m, no bias
                 * correction of v */
                double mhat = (b1 * m + (1 - b1) * g) / bc1;
                upd = lr * mhat / (sqrt(v) + eps);
                break;
            }
            case DL4C_UPDATER_ADAGRAD: {
                double h = s0[i] + g * g;
                s0[i] = (T)h;
                upd = lr * g / (sqrt(h) + eps);
                break;
            }
            case DL4C_UPDATER_ADADELTA: {
                double eg = rho * s0[i] + (1 - rho) * g * g;
                double dx = sqrt((double)s1[i] + eps) / sqrt(eg + eps) * g;
                s0[i] = (T)eg;
                s1[i] = (T)(rho * s1[i] + (1 - rho) * dx * dx);
                upd = lr * dx;
                break;
            }
            case DL4C_UPDATER_RMSPROP: {
                double r = rho * s0[i] + (1 - rho) * g * g;
                s0[i] = (T)r;
                upd = lr * g / (sqrt(r) + eps);
                break;
            }
            case DL4C_UPDATER_SGD:
            default:
                upd = lr * g;
                break;
            }
            w[i] = (T)(wi - upd - (lr * wd + decoupled) * wi);
        }
    });
}
