/* Inner layers of wrappers (Bidirectional, TimeDistributed): a wrapper
 * owns complete dl4c_layer structs of any registered type, parsed from
 * its "layer" object and built for the shapes the wrapper gives them, and
 * calls the inner type's own functions, so wrapping needs no code per
 * type. Also the Keras side: finding a type by Keras class name and
 * translating an inner Keras layer. */
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "nn/layers/rnn_common.h"

void dl4c_wrap_free(dl4c_layer *in)
{
    if (!in)
        return;
    if (in->cfg && in->type && in->type->free_cfg)
        in->type->free_cfg(in->cfg);
    dl4c_free(in->cfg);
    dl4c_free(in->name);
    dl4c_free(in->where);
    dl4c_free(in->inputs);
    dl4c_free(in->input_slots);
    dl4c_free(in->in_shapes);
    dl4c_free(in->in_has_mask);
    dl4c_free(in);
}

dl4c_status dl4c_wrap_parse(const dl4c_layer *outer, const json_t *j,
                            const char *role, dl4c_layer **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_layer *in = NULL;
    const char *type_name = NULL;
    *out = NULL;
    DL4C_CHECK(json_is_object(j), DL4C_FORMAT,
               "%s: the %s layer must be an object {\"type\": ...}",
               outer->where, role);
    DL4C_TRY(dl4c_cfg_string(outer->where, j, "type", true, &type_name));
    const dl4c_layer_type *type = dl4c_layer_type_find(type_name);
    DL4C_CHECK(type, DL4C_FORMAT, "%s: unknown layer type '%s'", outer->where,
               type_name);
    DL4C_CHECK(!type->score, DL4C_FORMAT,
               "%s: %s computes a loss and cannot be wrapped", outer->where,
               type->name);
    in = dl4c_calloc(1, sizeof *in);
    if (!in)
        DL4C_NOMEM_FAIL();
    in->type = type;
    in->name = dl4c_asprintf("%s/%s", outer->name, role);
    in->where = dl4c_asprintf("%s (%s %s)", outer->where, role, type->name);
    in->cfg = dl4c_calloc(1, type->config_size ? type->config_size : 1);
    if (!in->name || !in->where || !in->cfg)
        DL4C_NOMEM_FAIL();
    in->opts = outer->opts;
    in->default_weight_init = outer->default_weight_init;
    in->default_bias_init = outer->default_bias_init;
    in->shares = -1;
    {
        static const char *const type_key[] = {"type", NULL};
        const char *const *lists[] = {type_key, type->keys};
        DL4C_TRY(dl4c_cfg_check_keys(in->where, j, lists, 2));
    }
    DL4C_TRY(type->parse(in, j));
    *out = in;
    return DL4C_OK;
fail:
    dl4c_wrap_free(in);
    return status;
}

dl4c_status dl4c_wrap_build(dl4c_layer *in, int n_inputs,
                            const dl4c_shape *shapes, const bool *has_mask)
{
    size_t n = (size_t)n_inputs;
    dl4c_free(in->inputs);
    dl4c_free(in->input_slots);
    dl4c_free(in->in_shapes);
    dl4c_free(in->in_has_mask);
    in->inputs = dl4c_calloc(n, sizeof *in->inputs);
    in->input_slots = dl4c_calloc(n, sizeof *in->input_slots);
    in->in_shapes = dl4c_calloc(n, sizeof *in->in_shapes);
    in->in_has_mask = dl4c_calloc(n, sizeof *in->in_has_mask);
    if (!in->inputs || !in->input_slots || !in->in_shapes || !in->in_has_mask)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    in->n_inputs = n_inputs;
    for (int k = 0; k < n_inputs; k++) {
        in->in_shapes[k] = shapes[k];
        in->in_has_mask[k] = has_mask && has_mask[k];
    }
    in->n_outputs = 1;
    in->n_params = 0;
    DL4C_RETURN_IF(in->type->build(in));
    for (int k = 0; k < DL4C_LAYER_MAX_OUTPUTS; k++)
        in->out_has_mask[k] = false;
    return DL4C_OK;
}

json_t *dl4c_wrap_write(const dl4c_layer *in)
{
    json_t *j = json_object();
    if (!j || json_object_set_new(j, "type", json_string(in->type->name)) ||
        in->type->write(in, j) != DL4C_OK) {
        json_decref(j);
        return NULL;
    }
    return j;
}

dl4c_status dl4c_wrap_add_params(dl4c_layer *outer, const dl4c_layer *in,
                                 const char *prefix, char (*names)[64])
{
    if (outer->n_params + in->n_params > DL4C_LAYER_MAX_PARAMS)
        return dl4c_layer_error(
            outer, DL4C_UNSUPPORTED, "%d parameter arrays, at most %d",
            outer->n_params + in->n_params, DL4C_LAYER_MAX_PARAMS);
    for (int p = 0; p < in->n_params; p++) {
        int q = outer->n_params++;
        outer->params[q] = in->params[p];
        if (prefix) {
            snprintf(names[q], 64, "%s%s", prefix, in->params[p].name);
            outer->params[q].name = names[q];
        }
    }
    return DL4C_OK;
}

const dl4c_layer_type *dl4c_layer_type_find_keras(const char *cls)
{
    for (int i = 0; i < dl4c_layer_type_count(); i++) {
        const dl4c_layer_type *t = dl4c_layer_type_at(i);
        if (t->keras_class && !strcmp(t->keras_class, cls))
            return t;
        for (int k = 0; t->keras_classes && t->keras_classes[k]; k++)
            if (!strcmp(t->keras_classes[k], cls))
                return t;
    }
    return NULL;
}

dl4c_status dl4c_wrap_from_keras(const dl4c_keras_ctx *k, const json_t *kl,
                                 json_t **out)
{
    dl4c_status status = DL4C_OK;
    json_t *j = NULL;
    *out = NULL;
    json_t *cls = json_object_get(kl, "class_name");
    json_t *kcfg = json_object_get(kl, "config");
    DL4C_CHECK(json_is_string(cls) && json_is_object(kcfg), DL4C_FORMAT,
               "%s: the wrapped layer needs \"class_name\" and \"config\"",
               k->where);
    const dl4c_layer_type *t =
        dl4c_layer_type_find_keras(json_string_value(cls));
    DL4C_CHECK(t, DL4C_UNSUPPORTED, "%s: unsupported wrapped layer '%s'",
               k->where, json_string_value(cls));
    j = json_object();
    if (!j)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(dl4c_cfg_set(j, "type", json_string(t->name)));
    if (t->from_keras) {
        DL4C_TRY(t->from_keras(k, kcfg, j));
    } else {
        for (int i = 0; t->keys && t->keys[i]; i++) {
            json_t *v = json_object_get(kcfg, t->keys[i]);
            if (v)
                DL4C_TRY(dl4c_cfg_set(j, t->keys[i], json_deep_copy(v)));
        }
    }
    *out = j;
    return DL4C_OK;
fail:
    json_decref(j);
    return status;
}

dl4c_status dl4c_wrap_keras_weights(const dl4c_keras_ctx *k,
                                    const dl4c_layer *in, int n,
                                    const dl4c_tensor *const *w,
                                    dl4c_tensor *const *params)
{
    if (in->type->keras_weights)
        return in->type->keras_weights(k, in, n, w, params);
    if (n != in->n_params)
        return dl4c_error_set(DL4C_SHAPE, "%s: %d weight arrays, expected %d",
                              k->where, n, in->n_params);
    for (int p = 0; p < n; p++) {
        if (w[p]->size != params[p]->size) {
            char a[96], b[96];
            dl4c_shape sa = dl4c_shape_of(w[p]), sb = dl4c_shape_of(params[p]);
            return dl4c_error_set(
                DL4C_SHAPE, "%s: weight %d has shape %s, expected %s", k->where,
                p, dl4c_shape_format(&sa, a, sizeof a),
                dl4c_shape_format(&sb, b, sizeof b));
        }
        for (int64_t i = 0; i < w[p]->size; i++)
            dl4c_tensor_set(params[p], i, dl4c_tensor_get(w[p], i));
    }
    return DL4C_OK;
}
