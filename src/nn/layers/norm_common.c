/* Axes in Keras' numbering and Keras config translation for the
 * normalization, noise, activation, merge and attention layers (see
 * norm_common.h). */
#include <stdio.h>

#include "nn/layers/norm_common.h"

const char *dl4c_norm_shape_text(const dl4c_shape *s, char *buf)
{
    return dl4c_layer_shape_text(s, buf, 96);
}

dl4c_status dl4c_norm_axis(const dl4c_layer *l, const dl4c_shape *s,
                           int64_t axis, int *out)
{
    char text[96];
    int64_t p = axis < 0 ? s->ndim + axis : axis - 1;
    if (axis == 0)
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "axis 0 is the batch axis; input is %s",
                                dl4c_norm_shape_text(s, text));
    if (p < 0 || p >= s->ndim)
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "axis %lld is out of range for input %s",
                                (long long)axis, dl4c_norm_shape_text(s, text));
    *out = (int)p;
    return DL4C_OK;
}

dl4c_status dl4c_norm_cfg_axis(const dl4c_layer *l, const json_t *j,
                               const char *key, int64_t *out)
{
    json_t *v = json_object_get(j, key);
    if (!v)
        return DL4C_OK;
    if (json_is_array(v) && json_array_size(v) == 1)
        v = json_array_get(v, 0);
    if (!json_is_integer(v))
        return dl4c_layer_error(l, DL4C_FORMAT,
                                "key '%s' must be an integer axis", key);
    *out = json_integer_value(v);
    return DL4C_OK;
}

void dl4c_norm_split(const dl4c_shape *s, int a0, int a1, int64_t batch,
                     int64_t *outer, int64_t *len, int64_t *inner)
{
    *outer = batch;
    *len = *inner = 1;
    for (int d = 0; d < s->ndim; d++) {
        if (d < a0)
            *outer *= s->dim[d];
        else if (d < a1)
            *len *= s->dim[d];
        else
            *inner *= s->dim[d];
    }
}

const json_t *dl4c_norm_keras_get(const json_t *kcfg, const char *key,
                                  const char *alt)
{
    const json_t *v = json_object_get(kcfg, key);
    if ((!v || json_is_null(v)) && alt)
        v = json_object_get(kcfg, alt);
    return v && !json_is_null(v) ? v : NULL;
}

dl4c_status dl4c_norm_keras_number(const dl4c_keras_ctx *k, const json_t *kcfg,
                                   const char *key, const char *alt,
                                   const char *dkey, json_t *out)
{
    const json_t *v = dl4c_norm_keras_get(kcfg, key, alt);
    if (!v)
        return DL4C_OK;
    if (!json_is_number(v))
        return dl4c_error_set(DL4C_FORMAT, "%s: '%s' must be a number",
                              k->where, key);
    return dl4c_cfg_set(out, dkey, json_real(json_number_value(v)));
}

dl4c_status dl4c_norm_keras_bool(const dl4c_keras_ctx *k, const json_t *kcfg,
                                 const char *key, const char *dkey, json_t *out)
{
    const json_t *v = dl4c_norm_keras_get(kcfg, key, NULL);
    if (!v)
        return DL4C_OK;
    if (!json_is_boolean(v))
        return dl4c_error_set(DL4C_FORMAT, "%s: '%s' must be true or false",
                              k->where, key);
    return dl4c_cfg_set(out, dkey, json_boolean(json_is_true(v)));
}

dl4c_status dl4c_norm_keras_axis(const dl4c_keras_ctx *k, const json_t *kcfg,
                                 const char *key, bool *present, int64_t *axis)
{
    const json_t *v = dl4c_norm_keras_get(kcfg, key, NULL);
    *present = false;
    if (!v)
        return DL4C_OK;
    if (json_is_array(v) && json_array_size(v) == 1)
        v = json_array_get(v, 0);
    if (!json_is_integer(v))
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s: '%s' must be one integer axis", k->where,
                              key);
    *axis = json_integer_value(v);
    *present = true;
    return DL4C_OK;
}

int64_t dl4c_norm_channels_last_axis(const dl4c_keras_ctx *k, int64_t axis)
{
    if (!k->channels_first)
        return axis;
    if (axis == 1)
        return -1;
    return axis == 0 ? 0 : axis - 1;
}

dl4c_status dl4c_norm_keras_refuse(const dl4c_keras_ctx *k, const json_t *kcfg,
                                   const char *key, const char *why)
{
    const json_t *v = dl4c_norm_keras_get(kcfg, key, NULL);
    bool off = !v || json_is_false(v) ||
               (json_is_number(v) && json_number_value(v) == 0);
    if (off)
        return DL4C_OK;
    return dl4c_error_set(DL4C_UNSUPPORTED, "%s: '%s' is not supported (%s)",
                          k->where, key, why);
}
