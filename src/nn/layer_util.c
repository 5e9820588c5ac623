/* Small helpers every layer file uses: errors that name the layer, input
 * count checks, parameter specs with the layer's or net's init. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error_internal.h"
#include "nn/layer_internal.h"

dl4c_status dl4c_layer_error(const dl4c_layer *l, dl4c_status st,
                             const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dl4c_error_set(st, "%s: %s", l->where, msg);
}

dl4c_status dl4c_layer_expect_inputs(const dl4c_layer *l, int n)
{
    if (l->n_inputs != n)
        return dl4c_layer_error(l, DL4C_SHAPE, "takes %d input%s, got %d", n,
                                n == 1 ? "" : "s", l->n_inputs);
    return DL4C_OK;
}

void dl4c_layer_add_param(dl4c_layer *l, const char *name, int ndim,
                          const int64_t *shape, int64_t fan_in, int64_t fan_out,
                          bool is_bias)
{
    dl4c_param_spec *s = &l->params[l->n_params++];
    s->name = name;
    s->shape.ndim = ndim;
    memcpy(s->shape.dim, shape, sizeof(int64_t) * (size_t)ndim);
    s->fan_in = fan_in;
    s->fan_out = fan_out;
    s->regularize = !is_bias;
    s->trainable = true;
    if (is_bias)
        s->init =
            l->opts.has_bias_init ? l->opts.bias_init : l->default_bias_init;
    else
        s->init = l->opts.has_weight_init ? l->opts.weight_init
                                          : l->default_weight_init;
}

void dl4c_layer_add_state_param(dl4c_layer *l, const char *name, int ndim,
                                const int64_t *shape, dl4c_init init)
{
    dl4c_param_spec *s = &l->params[l->n_params++];
    s->name = name;
    s->shape.ndim = ndim;
    memcpy(s->shape.dim, shape, sizeof(int64_t) * (size_t)ndim);
    s->fan_in = s->fan_out = 1;
    s->regularize = false;
    s->trainable = false;
    s->init = init;
}

char *dl4c_layer_shape_text(const dl4c_shape *s, char *buf, size_t cap)
{
    size_t used = (size_t)snprintf(buf, cap, "[N");
    for (int i = 0; i < s->ndim && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, ", %lld",
                                 (long long)s->dim[i]);
    if (used < cap)
        snprintf(buf + used, cap - used, "]");
    return buf;
}
