/* The updater catalogue: names, DL4J's default hyperparameters, state
 * sizes, and the validated step that hands one parameter array to the
 * backend's fused update kernel (formulas in include/dl4c/updater.h). */
#include <math.h>
#include <stddef.h>

#include "core/error_internal.h"
#include "core/names_internal.h"
#include "core/tensor_internal.h"
#include "dl4c/updater.h"

static const char *const names[] = {
    "sgd",   "nesterovs", "adam",    "adamw",    "adamax",
    "nadam", "amsgrad",   "adagrad", "adadelta", "rmsprop",
};
_Static_assert(sizeof(names) / sizeof(names[0]) == DL4C_UPDATER_COUNT,
               "every updater needs a name");

static const int state_counts[] = {0, 1, 2, 2, 2, 2, 3, 1, 2, 1};
_Static_assert(sizeof(state_counts) / sizeof(state_counts[0]) ==
                   DL4C_UPDATER_COUNT,
               "every updater needs a state count");

dl4c_updater dl4c_updater_default(dl4c_updater_id id)
{
    dl4c_updater u = {.id = id};
    switch (id) {
    case DL4C_UPDATER_SGD:
        u.learning_rate = 1e-3;
        break;
    case DL4C_UPDATER_NESTEROVS:
        u.learning_rate = 0.1;
        u.momentum = 0.9;
        break;
    case DL4C_UPDATER_ADAM:
    case DL4C_UPDATER_ADAMW:
    case DL4C_UPDATER_ADAMAX:
    case DL4C_UPDATER_NADAM:
    case DL4C_UPDATER_AMSGRAD:
        u.learning_rate = 1e-3;
        u.beta1 = 0.9;
        u.beta2 = 0.999;
        u.epsilon = 1e-8;
        if (id == DL4C_UPDATER_ADAMW)
            u.weight_decay = 0.01;
        break;
    case DL4C_UPDATER_ADAGRAD:
        u.learning_rate = 0.1;
        u.epsilon = 1e-6;
        break;
    case DL4C_UPDATER_ADADELTA:
        u.learning_rate = 1.0; /* ADADELTA has no rate: this multiplies */
        u.rho = 0.95;
        u.epsilon = 1e-6;
        break;
    case DL4C_UPDATER_RMSPROP:
        u.learning_rate = 0.1;
        u.rho = 0.95;
        u.epsilon = 1e-8;
        break;
    default:
        break;
    }
    return u;
}

dl4c_status dl4c_updater_parse(const char *name, dl4c_updater *out)
{
    if (!out)
        return dl4c_error_set(DL4C_INVALID_ARG, "updater: out is NULL");
    if (!name)
        return dl4c_error_set(DL4C_INVALID_ARG, "updater name is NULL");
    for (int i = 0; i < DL4C_UPDATER_COUNT; i++)
        if (dl4c_name_equal(name, names[i])) {
            *out = dl4c_updater_default((dl4c_updater_id)i);
            return DL4C_OK;
        }
    if (dl4c_name_equal(name, "momentum") ||
        dl4c_name_equal(name, "nesterov")) {
        *out = dl4c_updater_default(DL4C_UPDATER_NESTEROVS);
        return DL4C_OK;
    }
    return dl4c_error_set(DL4C_INVALID_ARG, "unknown updater '%s'", name);
}

const char *dl4c_updater_name(dl4c_updater_id id)
{
    return (unsigned)id < DL4C_UPDATER_COUNT ? names[id] : "invalid";
}

int dl4c_updater_state_count(dl4c_updater_id id)
{
    return (unsigned)id < DL4C_UPDATER_COUNT ? state_counts[id] : 0;
}

static bool in_unit(double v)
{
    return v >= 0 && v < 1;
}

/* Hyperparameters that would divide by zero or diverge by construction. */
static dl4c_status check_hyper(const dl4c_updater *u)
{
    const char *name = dl4c_updater_name(u->id);
    switch (u->id) {
    case DL4C_UPDATER_NESTEROVS:
        if (!in_unit(u->momentum))
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "updater %s: momentum %g outside [0, 1)",
                                  name, u->momentum);
        break;
    case DL4C_UPDATER_ADAM:
    case DL4C_UPDATER_ADAMW:
    case DL4C_UPDATER_ADAMAX:
    case DL4C_UPDATER_NADAM:
    case DL4C_UPDATER_AMSGRAD:
        if (!in_unit(u->beta1) || !in_unit(u->beta2))
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "updater %s: beta1 %g / beta2 %g outside "
                                  "[0, 1)",
                                  name, u->beta1, u->beta2);
        if (!(u->weight_decay >= 0) || !isfinite(u->weight_decay))
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "updater %s: weight_decay %g must be >= 0",
                                  name, u->weight_decay);
        break;
    case DL4C_UPDATER_ADADELTA:
    case DL4C_UPDATER_RMSPROP:
        if (!in_unit(u->rho))
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "updater %s: rho %g outside [0, 1)", name,
                                  u->rho);
        break;
    default:
        break;
    }
    /* every adaptive rule divides by (sqrt(.) + eps) or sqrt(. + eps); a
     * zero eps turns a zero gradient into 0/0 */
    bool adaptive =
        u->id != DL4C_UPDATER_SGD && u->id != DL4C_UPDATER_NESTEROVS;
    if (adaptive && (!(u->epsilon > 0) || !isfinite(u->epsilon)))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "updater %s: epsilon %g must be > 0", name,
                              u->epsilon);
    return DL4C_OK;
}

/* t must match param in dtype, backend and size (times `count`). */
static dl4c_status check_array(const dl4c_tensor *param, const dl4c_tensor *t,
                               int64_t count, const char *what,
                               const char *name)
{
    if (t->dtype != param->dtype)
        return dl4c_error_set(
            DL4C_INVALID_ARG, "updater %s: %s is %s, param is %s", name, what,
            dl4c_dtype_name(t->dtype), dl4c_dtype_name(param->dtype));
    if (t->backend != param->backend)
        return dl4c_error_set(
            DL4C_INVALID_ARG, "updater %s: %s is on backend %s, param on %s",
            name, what, t->backend->name, param->backend->name);
    if (t->size != count * param->size)
        return dl4c_error_set(DL4C_SHAPE,
                              "updater %s: %s has %lld elements, expected "
                              "%lld (%lld x %lld)",
                              name, what, (long long)t->size,
                              (long long)(count * param->size),
                              (long long)count, (long long)param->size);
    return DL4C_OK;
}

dl4c_status dl4c_updater_apply(const dl4c_updater *u,
                               const dl4c_regularization *reg, double lr,
                               int64_t t, dl4c_tensor *param, dl4c_tensor *grad,
                               dl4c_tensor *state)
{
    if (!u)
        return dl4c_error_set(DL4C_INVALID_ARG, "updater is NULL");
    if ((unsigned)u->id >= DL4C_UPDATER_COUNT)
        return dl4c_error_set(DL4C_INVALID_ARG, "unknown updater id %d",
                              (int)u->id);
    const char *name = dl4c_updater_name(u->id);
    if (!param || !grad)
        return dl4c_error_set(DL4C_INVALID_ARG, "updater %s: %s is NULL", name,
                              param ? "grad" : "param");
    if (t < 1)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "updater %s: iteration %lld, must be >= 1", name,
                              (long long)t);
    if (!isfinite(lr))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "updater %s: learning rate %g is not finite",
                              name, lr);
    DL4C_RETURN_IF(check_hyper(u));
    DL4C_RETURN_IF(check_array(param, grad, 1, "grad", name));
    int count = dl4c_updater_state_count(u->id);
    if (count > 0) {
        if (!state)
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "updater %s: state is NULL, needs %d "
                                  "arrays",
                                  name, count);
        DL4C_RETURN_IF(check_array(param, state, count, "state", name));
    }
    dl4c_update_step step = {
        .updater = u,
        .lr = lr,
        .t = t,
        .l1 = reg ? reg->l1 : 0.0,
        .l2 = reg ? reg->l2 : 0.0,
        .weight_decay = reg ? reg->weight_decay : 0.0,
    };
    param->backend->update(&step, param->dtype, param->size, param->data,
                           grad->data, count > 0 ? state->data : NULL);
    return DL4C_OK;
}
