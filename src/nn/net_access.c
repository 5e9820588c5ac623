/* Introspection and small setters of a net: names, shapes, parameter
 * views, counters, random state, class names, normalizer; and copying a
 * net (through its config plus its state). */
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "nn/net_internal.h"

dl4c_dtype dl4c_net_dtype(const dl4c_net *net)
{
    return net->dtype;
}
int dl4c_net_num_inputs(const dl4c_net *net)
{
    return net->n_inputs;
}
int dl4c_net_num_outputs(const dl4c_net *net)
{
    return net->n_outputs;
}

const char *dl4c_net_input_name(const dl4c_net *net, int i)
{
    return i >= 0 && i < net->n_inputs ? net->nodes[i].name : NULL;
}

const char *dl4c_net_output_name(const dl4c_net *net, int i)
{
    return i >= 0 && i < net->n_outputs ? net->nodes[net->outputs[i]].name
                                        : NULL;
}

dl4c_shape dl4c_net_input_shape(const dl4c_net *net, int i)
{
    dl4c_shape none = {0};
    return i >= 0 && i < net->n_inputs ? net->nodes[i].shapes[0] : none;
}

dl4c_shape dl4c_net_output_shape(const dl4c_net *net, int i)
{
    dl4c_shape none = {0};
    return i >= 0 && i < net->n_outputs
               ? net->nodes[net->outputs[i]].shapes[net->output_slots[i]]
               : none;
}

int dl4c_net_num_layers(const dl4c_net *net)
{
    return net->n_nodes - net->n_inputs;
}

const char *dl4c_net_layer_name(const dl4c_net *net, int i)
{
    return i >= 0 && i < dl4c_net_num_layers(net)
               ? net->nodes[net->n_inputs + i].name
               : NULL;
}

const char *dl4c_net_layer_type(const dl4c_net *net, int i)
{
    return i >= 0 && i < dl4c_net_num_layers(net)
               ? net->nodes[net->n_inputs + i].layer->type->name
               : NULL;
}

int dl4c_net_layer_index(const dl4c_net *net, const char *name)
{
    for (int i = net->n_inputs; i < net->n_nodes; i++)
        if (strcmp(net->nodes[i].name, name) == 0)
            return i - net->n_inputs;
    return -1;
}

int64_t dl4c_net_num_params(const dl4c_net *net)
{
    return net->n_params;
}

/* The caller may write through what these return: packed inference
 * weights must be rebuilt from the parameters before their next use. */
static void params_may_change(const dl4c_net *net)
{
    ((dl4c_net *)net)->param_version++;
}

dl4c_tensor *dl4c_net_params(const dl4c_net *net)
{
    params_may_change(net);
    return (dl4c_tensor *)&net->params_view;
}

dl4c_tensor *dl4c_net_gradients(const dl4c_net *net)
{
    return (dl4c_tensor *)&net->grads_view;
}

dl4c_tensor *dl4c_net_updater_state(const dl4c_net *net)
{
    return net->state_data ? (dl4c_tensor *)&net->state_view : NULL;
}

dl4c_tensor *dl4c_net_param(const dl4c_net *net, const char *layer,
                            const char *param)
{
    int i = dl4c_net_layer_index(net, layer);
    if (i < 0)
        return NULL;
    dl4c_node *n = &net->nodes[net->n_inputs + i];
    for (int p = 0; p < n->layer->n_params; p++) {
        if (strcmp(n->layer->params[p].name, param) != 0)
            continue;
        params_may_change(net);
        /* views are wired at the first plan; make this one now */
        const dl4c_param_spec *s = &n->layer->params[p];
        dl4c_tensor_init_view(&n->param_views[p], net->be, net->dtype,
                              (char *)net->param_data +
                                  (size_t)n->layer->param_offset[p] *
                                      dl4c_dtype_size(net->dtype),
                              s->shape.ndim, s->shape.dim);
        return &n->param_views[p];
    }
    return NULL;
}

int64_t dl4c_net_iteration(const dl4c_net *net)
{
    return net->iteration;
}
int64_t dl4c_net_epoch(const dl4c_net *net)
{
    return net->epoch;
}
void dl4c_net_set_epoch(dl4c_net *net, int64_t epoch)
{
    net->epoch = epoch;
}

void dl4c_net_set_iteration(dl4c_net *net, int64_t iteration)
{
    net->iteration = iteration;
}

void dl4c_net_get_rng(const dl4c_net *net, dl4c_rng *rng, uint64_t *step_seed)
{
    *rng = net->rng;
    *step_seed = net->step_seed;
}

void dl4c_net_set_rng(dl4c_net *net, const dl4c_rng *rng, uint64_t step_seed)
{
    net->rng = *rng;
    net->step_seed = step_seed;
}

void dl4c_net_reset_states(dl4c_net *net) { dl4c_net_zero_states(net); }

dl4c_status dl4c_net_set_class_names(dl4c_net *net, int n,
                                     const char *const *names)
{
    char **copy = NULL;
    if (n < 0)
        return dl4c_error_set(DL4C_INVALID_ARG, "negative class count");
    if (n > 0) {
        copy = dl4c_calloc((size_t)n, sizeof *copy);
        if (!copy)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
            copy[i] = dl4c_strdup(names[i] ? names[i] : "");
            if (!copy[i]) {
                for (int k = 0; k < i; k++)
                    dl4c_free(copy[k]);
                dl4c_free(copy);
                return dl4c_error_set(DL4C_NOMEM, "out of memory");
            }
        }
    }
    for (int i = 0; i < net->n_classes; i++)
        dl4c_free(net->class_names[i]);
    dl4c_free(net->class_names);
    net->class_names = copy;
    net->n_classes = n;
    return DL4C_OK;
}

int dl4c_net_num_class_names(const dl4c_net *net)
{
    return net->n_classes;
}

const char *dl4c_net_class_name(const dl4c_net *net, int i)
{
    return i >= 0 && i < net->n_classes ? net->class_names[i] : NULL;
}

static int meta_index(const dl4c_net *net, const char *key)
{
    for (int i = 0; i < net->n_meta; i++)
        if (strcmp(net->meta_keys[i], key) == 0)
            return i;
    return -1;
}

dl4c_status dl4c_net_set_metadata(dl4c_net *net, const char *key,
                                  const char *value)
{
    if (!key || !*key ||
        strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
                    "nopqrstuvwxyz0123456789_.-") != strlen(key))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "metadata key '%s' must be letters, digits, "
                              "'_', '.' or '-'",
                              key ? key : "(null)");
    int i = meta_index(net, key);
    if (!value) {
        if (i >= 0) {
            dl4c_free(net->meta_keys[i]);
            dl4c_free(net->meta_values[i]);
            for (int k = i + 1; k < net->n_meta; k++) {
                net->meta_keys[k - 1] = net->meta_keys[k];
                net->meta_values[k - 1] = net->meta_values[k];
            }
            net->n_meta--;
        }
        return DL4C_OK;
    }
    char *v = dl4c_strdup(value);
    if (!v)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    if (i >= 0) {
        dl4c_free(net->meta_values[i]);
        net->meta_values[i] = v;
        return DL4C_OK;
    }
    char *k = dl4c_strdup(key);
    char **keys =
        dl4c_realloc(net->meta_keys, sizeof *keys * (size_t)(net->n_meta + 1));
    if (keys)
        net->meta_keys = keys;
    char **values =
        keys ? dl4c_realloc(net->meta_values,
                            sizeof *values * (size_t)(net->n_meta + 1))
             : NULL;
    if (values)
        net->meta_values = values;
    if (!k || !keys || !values) {
        dl4c_free(k);
        dl4c_free(v);
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    /* keep the keys sorted */
    int at = net->n_meta;
    while (at > 0 && strcmp(net->meta_keys[at - 1], key) > 0) {
        net->meta_keys[at] = net->meta_keys[at - 1];
        net->meta_values[at] = net->meta_values[at - 1];
        at--;
    }
    net->meta_keys[at] = k;
    net->meta_values[at] = v;
    net->n_meta++;
    return DL4C_OK;
}

const char *dl4c_net_get_metadata(const dl4c_net *net, const char *key)
{
    int i = key ? meta_index(net, key) : -1;
    return i >= 0 ? net->meta_values[i] : NULL;
}

int dl4c_net_metadata_count(const dl4c_net *net)
{
    return net->n_meta;
}

const char *dl4c_net_metadata_key(const dl4c_net *net, int i)
{
    return i >= 0 && i < net->n_meta ? net->meta_keys[i] : NULL;
}

bool dl4c_net_is_classifier(const dl4c_net *net, int i)
{
    if (i < 0 || i >= net->n_outputs)
        return false;
    if (net->n_classes > 0)
        return true;
    const dl4c_layer *l = net->nodes[net->outputs[i]].layer;
    if (!l->type->loss_of)
        return false;
    switch (l->type->loss_of(l)->id) {
    case DL4C_LOSS_MCXENT:
    case DL4C_LOSS_NEGATIVELOGLIKELIHOOD:
    case DL4C_LOSS_SPARSE_MCXENT:
    case DL4C_LOSS_XENT:
    case DL4C_LOSS_HINGE:
    case DL4C_LOSS_SQUARED_HINGE:
    case DL4C_LOSS_KL_DIVERGENCE:
        return true;
    default:
        return false;
    }
}

void dl4c_net_set_normalizer(dl4c_net *net, dl4c_normalizer *norm)
{
    if (net->normalizer != norm)
        dl4c_normalizer_free(net->normalizer);
    net->normalizer = norm;
}

const dl4c_normalizer *dl4c_net_normalizer(const dl4c_net *net)
{
    return net->normalizer;
}

/* Class names, normalizer and metadata of `net` onto `copy`. */
static dl4c_status copy_extras(const dl4c_net *net, dl4c_net *copy)
{
    DL4C_RETURN_IF(dl4c_net_set_class_names(
        copy, net->n_classes, (const char *const *)net->class_names));
    for (int i = 0; i < net->n_meta; i++)
        DL4C_RETURN_IF(dl4c_net_set_metadata(copy, net->meta_keys[i],
                                             net->meta_values[i]));
    if (net->normalizer) {
        char *js = NULL;
        dl4c_normalizer *nc = NULL;
        DL4C_RETURN_IF(dl4c_normalizer_write(net->normalizer, &js));
        dl4c_status st = dl4c_normalizer_parse(js, &nc);
        dl4c_free(js);
        DL4C_RETURN_IF(st);
        copy->normalizer = nc;
    }
    return DL4C_OK;
}

dl4c_status dl4c_net_share(const dl4c_net *src, dl4c_net **out)
{
    dl4c_status status = DL4C_OK;
    json_t *cfg = NULL;
    dl4c_net *n = NULL;
    *out = NULL;
    DL4C_TRY(dl4c_net_config_json(src, &cfg));
    DL4C_TRY(dl4c_net_build(cfg, src->dtype, &n));
    n->be->release(n->param_data);
    n->be->release(n->grad_data);
    n->be->release(n->state_data);
    n->grad_data = n->state_data = NULL;
    n->state_size = 0;
    n->param_data = src->param_data;
    n->shared_params = true;
    n->params_view.data = src->param_data;
    n->iteration = src->iteration;
    n->epoch = src->epoch;
    DL4C_TRY(copy_extras(src, n));
    json_decref(cfg);
    *out = n;
    return DL4C_OK;
fail:
    json_decref(cfg);
    dl4c_net_free(n);
    return status;
}

dl4c_status dl4c_net_copy(const dl4c_net *net, dl4c_dtype dtype, dl4c_net **out)
{
    dl4c_status status = DL4C_OK;
    json_t *cfg = NULL;
    dl4c_net *copy = NULL;
    *out = NULL;
    DL4C_TRY(dl4c_net_config_json(net, &cfg));
    DL4C_TRY(dl4c_net_build(cfg, dtype, &copy));
    net->be->cast(net->dtype, net->param_data, dtype, copy->param_data,
                  net->n_params);
    if (net->state_size)
        net->be->cast(net->dtype, net->state_data, dtype, copy->state_data,
                      net->state_size);
    copy->iteration = net->iteration;
    copy->epoch = net->epoch;
    copy->rng = net->rng;
    copy->step_seed = net->step_seed;
    DL4C_TRY(copy_extras(net, copy));
    json_decref(cfg);
    *out = copy;
    return DL4C_OK;
fail:
    json_decref(cfg);
    dl4c_net_free(copy);
    return status;
}
