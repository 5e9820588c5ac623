/* Helpers shared by layer types' Keras hooks (keras_hooks.h). */
#include <string.h>

#include "core/error_internal.h"
#include "import/keras_hooks.h"
#include "nn/config_json.h"

const json_t *dl4c_keras_first(const json_t *kcfg, const char *const *keys)
{
    for (int i = 0; keys[i]; i++) {
        const json_t *v = json_object_get(kcfg, keys[i]);
        if (v && !json_is_null(v))
            return v;
    }
    return NULL;
}

dl4c_status dl4c_keras_activation(const dl4c_keras_ctx *k, const json_t *v,
                                  const char *key, json_t *out)
{
    const char *name = "linear";
    dl4c_activation a;
    if (json_is_object(v)) { /* Keras 3: a serialized function */
        const char *cls = json_string_value(json_object_get(v, "class_name"));
        const json_t *cfg = json_object_get(v, "config");
        if (cls && !strcmp(cls, "function") && json_is_string(cfg))
            v = cfg;
        else
            return dl4c_error_set(DL4C_UNSUPPORTED,
                                  "%s: activation %s is not a built-in "
                                  "Keras activation",
                                  k->where, cls ? cls : "(object)");
    }
    if (json_is_string(v))
        name = json_string_value(v);
    else if (v && !json_is_null(v))
        return dl4c_error_set(DL4C_FORMAT, "%s: activation is not a name",
                              k->where);
    if (dl4c_activation_parse(name, &a) != DL4C_OK)
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s: activation '%s' is not supported", k->where,
                              name);
    if (a.id == DL4C_ACT_HARDSIGMOID && k->major >= 3) {
        a.alpha = 1.0 / 6.0; /* Keras 3: relu6(x + 3) / 6 */
        a.beta = 0.5;
    }
    if (a.id == DL4C_ACT_LEAKYRELU)
        a.alpha = 0.2; /* Keras' leaky_relu function */
    return dl4c_cfg_set(out, key, dl4c_cfg_activation_json(&a));
}
