/* The activation catalogue: names, defaults and the validated entry points
 * that hand a tensor to its backend's activation kernels. Tensors are seen
 * as [rows, cols] with cols = the last dim, so SOFTMAX normalizes over the
 * last axis and every other activation is elementwise. */
#include <stddef.h>

#include "core/error_internal.h"
#include "core/names_internal.h"
#include "core/tensor_internal.h"
#include "dl4c/activation.h"

static const char *const names[] = {
    "identity",  "cube",         "elu",      "hardsigmoid", "hardtanh",
    "leakyrelu", "rationaltanh", "relu",     "relu6",       "rrelu",
    "sigmoid",   "softmax",      "softplus", "softsign",    "tanh",
    "selu",      "gelu",         "swish",    "mish",
};
_Static_assert(sizeof(names) / sizeof(names[0]) == DL4C_ACT_COUNT,
               "every activation needs a name");

/* Other spellings (Keras names, class names and aliases). Matching ignores
 * case and underscores, so "leaky_relu", "LeakyReLU" and "leakyrelu" are
 * one entry. */
static const struct {
    const char *name;
    dl4c_activation_id id;
} aliases[] = {
    {"linear", DL4C_ACT_IDENTITY},
    {"silu", DL4C_ACT_SWISH},
};

dl4c_activation dl4c_activation_default(dl4c_activation_id id)
{
    dl4c_activation a = {.id = id, .alpha = 0.0, .beta = 0.0};
    switch (id) {
    case DL4C_ACT_ELU:
        a.alpha = 1.0;
        break;
    case DL4C_ACT_HARDSIGMOID:
        a.alpha = 0.2;
        a.beta = 0.5;
        break;
    case DL4C_ACT_HARDTANH:
        a.alpha = -1.0;
        a.beta = 1.0;
        break;
    case DL4C_ACT_LEAKYRELU:
        a.alpha = 0.01;
        break;
    case DL4C_ACT_RRELU:
        a.alpha = 1.0 / 8.0;
        a.beta = 1.0 / 3.0;
        break;
    default: /* GELU: alpha 0 selects the exact form */
        break;
    }
    return a;
}

dl4c_status dl4c_activation_parse(const char *name, dl4c_activation *out)
{
    if (!out)
        return dl4c_error_set(DL4C_INVALID_ARG, "activation: out is NULL");
    if (!name)
        return dl4c_error_set(DL4C_INVALID_ARG, "activation name is NULL");
    for (int i = 0; i < DL4C_ACT_COUNT; i++)
        if (dl4c_name_equal(name, names[i])) {
            *out = dl4c_activation_default((dl4c_activation_id)i);
            return DL4C_OK;
        }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (dl4c_name_equal(name, aliases[i].name)) {
            *out = dl4c_activation_default(aliases[i].id);
            return DL4C_OK;
        }
    return dl4c_error_set(DL4C_INVALID_ARG, "unknown activation '%s'", name);
}

const char *dl4c_activation_name(dl4c_activation_id id)
{
    return (unsigned)id < DL4C_ACT_COUNT ? names[id] : "invalid";
}

/* `t` has `ref`'s dtype, shape and backend; `what` names it in errors. */
static dl4c_status same_as(const dl4c_tensor *ref, const dl4c_tensor *t,
                           const char *what)
{
    if (!t)
        return dl4c_error_set(DL4C_INVALID_ARG, "activation: %s is NULL", what);
    if (t->dtype != ref->dtype)
        return dl4c_error_set(DL4C_INVALID_ARG, "activation: %s is %s, x is %s",
                              what, dl4c_dtype_name(t->dtype),
                              dl4c_dtype_name(ref->dtype));
    dl4c_shape a = dl4c_shape_of(ref), b = dl4c_shape_of(t);
    if (!dl4c_shape_equal(&a, &b)) {
        char sa[128], sb[128];
        return dl4c_error_set(DL4C_SHAPE, "activation: %s has shape %s, x %s",
                              what, dl4c_shape_format(&b, sb, sizeof sb),
                              dl4c_shape_format(&a, sa, sizeof sa));
    }
    if (t->backend != ref->backend)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "activation: %s is on backend %s, x on %s", what,
                              t->backend->name, ref->backend->name);
    return DL4C_OK;
}

static dl4c_status check_act(const dl4c_activation *act, const dl4c_tensor *x)
{
    if (!act)
        return dl4c_error_set(DL4C_INVALID_ARG, "activation is NULL");
    if ((unsigned)act->id >= DL4C_ACT_COUNT)
        return dl4c_error_set(DL4C_INVALID_ARG, "unknown activation id %d",
                              (int)act->id);
    if (!x)
        return dl4c_error_set(DL4C_INVALID_ARG, "activation: x is NULL");
    return DL4C_OK;
}

dl4c_status dl4c_activation_forward(const dl4c_activation *act,
                                    const dl4c_tensor *x, dl4c_tensor *y,
                                    bool training, uint64_t seed)
{
    DL4C_RETURN_IF(check_act(act, x));
    DL4C_RETURN_IF(same_as(x, y, "y"));
    x->backend->act_forward(act, x->dtype, dl4c_tensor_rows(x),
                            dl4c_tensor_cols(x), x->data, y->data, training,
                            seed);
    return DL4C_OK;
}

dl4c_status dl4c_activation_backward(const dl4c_activation *act,
                                     const dl4c_tensor *x, const dl4c_tensor *y,
                                     const dl4c_tensor *dy, dl4c_tensor *dx,
                                     bool training, uint64_t seed)
{
    DL4C_RETURN_IF(check_act(act, x));
    DL4C_RETURN_IF(same_as(x, y, "y"));
    DL4C_RETURN_IF(same_as(x, dy, "dy"));
    DL4C_RETURN_IF(same_as(x, dx, "dx"));
    x->backend->act_backward(act, x->dtype, dl4c_tensor_rows(x),
                             dl4c_tensor_cols(x), x->data, y->data, dy->data,
                             dx->data, training, seed);
    return DL4C_OK;
}
