/* Fused updater step: regularization, the updater rule and weight decay
 * in one pass over a parameter array (formulas in include/dl4c/updater.h),
 * in the parameters' own precision. State arrays are laid out back to
 * back: state[k*n + i]. */
#include <tgmath.h>

#include "core/cpu/cpu_internal.h"

#define T float
#define FN(name) name##_f32
#include "core/cpu/cpu_update_impl.inc"
#undef T
#undef FN

#define T double
#define FN(name) name##_f64
#include "core/cpu/cpu_update_impl.inc"
#undef T
#undef FN

void dl4c_cpu_update(const dl4c_update_step *step, dl4c_dtype dt, int64_t n,
                     void *param, void *grad, void *state)
{
    if (dt == DL4C_F32) {
        float *s = state;
        update_f32(step, n, param, grad, s, s ? s + n : NULL,
                   s ? s + 2 * n : NULL);
    } else {
        double *s = state;
        update_f64(step, n, param, grad, s, s ? s + n : NULL,
                   s ? s + 2 * n : NULL);
    }
}
