/* Building a net from its JSON config: the training section, the inputs,
 * each layer (parsed, wired to earlier nodes, shape-checked by its type),
 * the outputs, then one flat parameter vector initialized from the seed.
 * Every error names the layer or section and the offending key. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "nn/net_internal.h"

#define DEFAULT_SEED 42

static const char *const root_keys[] = {"format",   "version", "seed",
                                        "inputs",   "layers",  "outputs",
                                        "training", NULL};
static const char *const training_keys[] = {
    "updater",           "l1",          "l2",        "weight_decay",
    "gradient_clipping", "weight_init", "bias_init", NULL};
static const char *const input_keys[] = {"name", "shape", NULL};
static const char *const layer_common_keys[] = {"type",
                                                "name",
                                                "inputs",
                                                "frozen",
                                                "learning_rate",
                                                "l1",
                                                "l2",
                                                "weight_decay",
                                                "weight_init",
                                                "bias_init",
                                                "share_weights_with",
                                                NULL};

static void layer_free(dl4c_layer *l)
{
    if (!l)
        return;
    if (l->cfg && l->type && l->type->free_cfg)
        l->type->free_cfg(l->cfg);
    dl4c_free(l->cfg);
    dl4c_free(l->name);
    dl4c_free(l->where);
    dl4c_free(l->inputs);
    dl4c_free(l->input_slots);
    dl4c_free(l->in_shapes);
    dl4c_free(l->in_has_mask);
    dl4c_free(l);
}

void dl4c_net_free(dl4c_net *net)
{
    if (!net)
        return;
    for (int i = 0; i < net->n_nodes; i++) {
        dl4c_node *n = &net->nodes[i];
        dl4c_free(n->name);
        layer_free(n->layer);
        dl4c_free(n->in_ptrs);
        dl4c_free(n->in_mask_ptrs);
        dl4c_free(n->din_ptrs);
        dl4c_free(n->edge_grads);
    }
    dl4c_free(net->nodes);
    dl4c_free(net->outputs);
    dl4c_free(net->output_slots);
    if (!net->shared_params)
        net->be->release(net->param_data);
    net->be->release(net->grad_data);
    net->be->release(net->state_data);
    net->be->release(net->pack_data);
    dl4c_net_arena_free(net);
    for (int i = 0; i < net->n_meta; i++) {
        dl4c_free(net->meta_keys[i]);
        dl4c_free(net->meta_values[i]);
    }
    dl4c_free(net->meta_keys);
    dl4c_free(net->meta_values);
    for (int i = 0; i < net->n_classes; i++)
        dl4c_free(net->class_names[i]);
    dl4c_free(net->class_names);
    dl4c_normalizer_free(net->normalizer);
    dl4c_free(net);
}

static int find_node(const dl4c_net *net, const char *name)
{
    for (int i = 0; i < net->n_nodes; i++)
        if (strcmp(net->nodes[i].name, name) == 0)
            return i;
    return -1;
}

/* "name" (output 0) or "name:k" (output k) to a node and output slot;
 * -1 when there is no such node or output. */
static int find_ref(const dl4c_net *net, const char *ref, int *slot)
{
    char name[256];
    const char *colon = strrchr(ref, ':');
    *slot = 0;
    if (!colon)
        return find_node(net, ref);
    char *end = NULL;
    long k = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || k < 0 || (size_t)(colon - ref) >= sizeof name)
        return -1;
    memcpy(name, ref, (size_t)(colon - ref));
    name[colon - ref] = '\0';
    int n = find_node(net, name);
    if (n < 0 || k >= net->nodes[n].n_out)
        return -1;
    *slot = (int)k;
    return n;
}

static dl4c_status parse_training(dl4c_net *net, const json_t *root)
{
    const char *where = "training";
    const char *const *lists[] = {training_keys};
    json_t *t = json_object_get(root, "training");
    net->updater = dl4c_updater_default(DL4C_UPDATER_ADAM);
    net->weight_init = dl4c_init_default(DL4C_INIT_XAVIER);
    net->bias_init = dl4c_init_default(DL4C_INIT_ZERO);
    if (!t)
        return DL4C_OK;
    if (!json_is_object(t))
        return dl4c_error_set(DL4C_FORMAT, "'training' must be an object");
    DL4C_RETURN_IF(dl4c_cfg_check_keys(where, t, lists, 1));
    DL4C_RETURN_IF(dl4c_cfg_updater(where, t, "updater", &net->updater));
    DL4C_RETURN_IF(
        dl4c_cfg_double(where, t, "l1", false, 0, 1e6, &net->reg.l1));
    DL4C_RETURN_IF(
        dl4c_cfg_double(where, t, "l2", false, 0, 1e6, &net->reg.l2));
    DL4C_RETURN_IF(dl4c_cfg_double(where, t, "weight_decay", false, 0, 1e6,
                                   &net->reg.weight_decay));
    DL4C_RETURN_IF(dl4c_cfg_clip(where, t, "gradient_clipping", &net->clip));
    DL4C_RETURN_IF(dl4c_cfg_init(where, t, "weight_init", &net->weight_init));
    DL4C_RETURN_IF(dl4c_cfg_init(where, t, "bias_init", &net->bias_init));
    return DL4C_OK;
}

static dl4c_status add_node(dl4c_net *net, const char *name, dl4c_node **out)
{
    if (find_node(net, name) >= 0)
        return dl4c_error_set(DL4C_FORMAT, "name '%s' is used twice", name);
    if (strchr(name, ':') || !*name)
        return dl4c_error_set(DL4C_FORMAT,
                              "name '%s': names are not empty and have no "
                              "':' (it selects an output: \"lstm_1:1\")",
                              name);
    dl4c_node *nodes =
        dl4c_realloc(net->nodes, sizeof *nodes * (size_t)(net->n_nodes + 1));
    if (!nodes)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    net->nodes = nodes;
    dl4c_node *n = &nodes[net->n_nodes];
    memset(n, 0, sizeof *n);
    n->n_out = 1;
    for (int k = 0; k < DL4C_LAYER_MAX_OUTPUTS; k++)
        n->output_index[k] = -1;
    n->name = dl4c_strdup(name);
    if (!n->name)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    net->n_nodes++;
    *out = n;
    return DL4C_OK;
}

static dl4c_status parse_inputs(dl4c_net *net, const json_t *root)
{
    json_t *inputs = json_object_get(root, "inputs");
    const char *const *lists[] = {input_keys};
    if (!json_is_array(inputs) || json_array_size(inputs) == 0)
        return dl4c_error_set(DL4C_FORMAT, "config needs \"inputs\": a list of "
                                           "{\"name\": ..., \"shape\": [...]}");
    for (size_t i = 0; i < json_array_size(inputs); i++) {
        json_t *in = json_array_get(inputs, i);
        char where[64], defname[32];
        const char *name = defname;
        dl4c_node *n;
        snprintf(where, sizeof where, "input %zu", i);
        snprintf(defname, sizeof defname, i ? "input_%zu" : "input", i);
        if (!json_is_object(in))
            return dl4c_error_set(DL4C_FORMAT, "%s must be an object", where);
        DL4C_RETURN_IF(dl4c_cfg_check_keys(where, in, lists, 1));
        DL4C_RETURN_IF(dl4c_cfg_string(where, in, "name", false, &name));
        DL4C_RETURN_IF(add_node(net, name, &n));
        DL4C_RETURN_IF(dl4c_cfg_shape(where, in, "shape", &n->shapes[0]));
        net->n_inputs++;
    }
    return DL4C_OK;
}

static dl4c_status parse_layer_opts(dl4c_layer *l, const json_t *j)
{
    dl4c_layer_opts *o = &l->opts;
    o->learning_rate = o->l1 = o->l2 = o->weight_decay = -1;
    DL4C_RETURN_IF(dl4c_cfg_bool(l->where, j, "frozen", &o->frozen));
    DL4C_RETURN_IF(dl4c_cfg_double(l->where, j, "learning_rate", false, 0, 1e6,
                                   &o->learning_rate));
    DL4C_RETURN_IF(dl4c_cfg_double(l->where, j, "l1", false, 0, 1e6, &o->l1));
    DL4C_RETURN_IF(dl4c_cfg_double(l->where, j, "l2", false, 0, 1e6, &o->l2));
    DL4C_RETURN_IF(dl4c_cfg_double(l->where, j, "weight_decay", false, 0, 1e6,
                                   &o->weight_decay));
    o->has_weight_init = json_object_get(j, "weight_init") != NULL;
    o->has_bias_init = json_object_get(j, "bias_init") != NULL;
    DL4C_RETURN_IF(dl4c_cfg_init(l->where, j, "weight_init", &o->weight_init));
    DL4C_RETURN_IF(dl4c_cfg_init(l->where, j, "bias_init", &o->bias_init));
    return DL4C_OK;
}

/* Wires the layer's inputs: the listed names ("name" or "name:k" for
 * output k), or output 0 of the previous node. */
static dl4c_status wire_inputs(dl4c_net *net, dl4c_layer *l, const json_t *j)
{
    json_t *ins = json_object_get(j, "inputs");
    int n = 1;
    if (ins) {
        if (json_is_string(ins))
            n = 1;
        else if (json_is_array(ins) && json_array_size(ins) > 0)
            n = (int)json_array_size(ins);
        else
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: 'inputs' must be a name or a list of "
                                  "names",
                                  l->where);
    } else if (net->n_nodes == net->n_inputs && net->n_inputs > 1) {
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: the net has %d inputs; say which this "
                              "layer takes with \"inputs\"",
                              l->where, net->n_inputs);
    }
    l->n_inputs = n;
    l->inputs = dl4c_calloc((size_t)n, sizeof *l->inputs);
    l->input_slots = dl4c_calloc((size_t)n, sizeof *l->input_slots);
    l->in_shapes = dl4c_calloc((size_t)n, sizeof *l->in_shapes);
    l->in_has_mask = dl4c_calloc((size_t)n, sizeof *l->in_has_mask);
    if (!l->inputs || !l->input_slots || !l->in_shapes || !l->in_has_mask)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        int idx = net->n_nodes - 1, slot = 0;
        if (ins) {
            json_t *nm = json_is_string(ins) ? ins : json_array_get(ins, i);
            if (!json_is_string(nm))
                return dl4c_error_set(DL4C_FORMAT,
                                      "%s: 'inputs' must hold names", l->where);
            idx = find_ref(net, json_string_value(nm), &slot);
            if (idx < 0)
                return dl4c_error_set(DL4C_FORMAT,
                                      "%s: input '%s' is not a net input or "
                                      "an output of an earlier layer",
                                      l->where, json_string_value(nm));
        }
        dl4c_node *src = &net->nodes[idx];
        l->inputs[i] = idx;
        l->input_slots[i] = slot;
        l->in_shapes[i] = src->shapes[slot];
        l->in_has_mask[i] = src->has_mask[slot];
        src->n_uses[slot]++;
    }
    return DL4C_OK;
}

/* Outputs and masks after build: check the layer's output count and apply
 * its mask mode. */
static dl4c_status settle_outputs(dl4c_layer *l, dl4c_node *node)
{
    if (l->n_outputs < 1 || l->n_outputs > DL4C_LAYER_MAX_OUTPUTS)
        return dl4c_error_set(DL4C_INTERNAL, "%s: %d outputs", l->where,
                              l->n_outputs);
    node->n_out = l->n_outputs;
    for (int k = 0; k < l->n_outputs; k++) {
        node->shapes[k] = l->out_shapes[k];
        if (l->type->mask_mode == DL4C_MASK_PASS)
            l->out_has_mask[k] = l->in_has_mask[0];
        else if (l->type->mask_mode == DL4C_MASK_DROP)
            l->out_has_mask[k] = false;
        node->has_mask[k] = l->out_has_mask[k];
        if (node->has_mask[k] && node->shapes[k].ndim < 1)
            return dl4c_error_set(DL4C_SHAPE,
                                  "%s: output %d carries a mask but has no "
                                  "time axis",
                                  l->where, k);
    }
    return DL4C_OK;
}

/* "share_weights_with": use an earlier layer's parameters (a Keras shared
 * layer applied to several inputs). Same type, same parameter shapes. */
static dl4c_status wire_sharing(dl4c_net *net, dl4c_layer *l, const json_t *j)
{
    const char *owner = NULL;
    l->shares = -1;
    DL4C_RETURN_IF(
        dl4c_cfg_string(l->where, j, "share_weights_with", false, &owner));
    if (!owner)
        return DL4C_OK;
    int idx = find_node(net, owner);
    const dl4c_layer *o = idx >= 0 ? net->nodes[idx].layer : NULL;
    if (o && o->shares >= 0) {
        idx = o->shares;
        o = net->nodes[idx].layer;
    }
    if (!o)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: share_weights_with '%s' is not an earlier "
                              "layer",
                              l->where, owner);
    bool same = o->type == l->type && o->n_params == l->n_params;
    for (int p = 0; same && p < l->n_params; p++)
        same = dl4c_shape_equal(&o->params[p].shape, &l->params[p].shape);
    if (!same)
        return dl4c_error_set(DL4C_SHAPE,
                              "%s: cannot share the weights of layer '%s': "
                              "the layers differ in type or weight shapes",
                              l->where, o->name);
    l->shares = idx;
    return DL4C_OK;
}

/* Keras' to_snake_case of a class name: "MaxPooling2D" ->
 * "max_pooling2d", "Conv2DTranspose" -> "conv2d_transpose", "SimpleRNN" ->
 * "simple_rnn", "ReLU" -> "re_lu". Its two rules: '_' before a capital
 * that starts a word (capital then lower-case or digit), then '_' between
 * a lower-case letter and a capital. */
static void snake_case(const char *name, char *out, size_t cap)
{
    char tmp[128];
    size_t o = 0;
    for (size_t i = 0; name[i] && o + 2 < sizeof tmp; i++) {
        unsigned char c = (unsigned char)name[i];
        unsigned char next = (unsigned char)name[i + 1];
        if (i > 0 && isupper(c) && (islower(next) || isdigit(next)) &&
            tmp[o - 1] != '_')
            tmp[o++] = '_';
        tmp[o++] = (char)c;
    }
    tmp[o] = '\0';
    o = 0;
    for (size_t i = 0; tmp[i] && o + 2 < cap; i++) {
        if (i > 0 && islower((unsigned char)tmp[i - 1]) &&
            isupper((unsigned char)tmp[i]))
            out[o++] = '_';
        out[o++] = (char)tolower((unsigned char)tmp[i]);
    }
    out[o] = '\0';
}

/* Keras' default names: "dense", then "dense_1", "dense_2", ... */
static void default_name(const dl4c_net *net, const dl4c_layer_type *type,
                         char *buf, size_t cap)
{
    char base[128];
    snake_case(type->name, base, sizeof base);
    snprintf(buf, cap, "%s", base);
    for (int k = 1; find_node(net, buf) >= 0; k++)
        snprintf(buf, cap, "%s_%d", base, k);
}

static dl4c_status parse_layer(dl4c_net *net, const json_t *j, size_t index)
{
    dl4c_status status = DL4C_OK;
    dl4c_layer *l = NULL;
    const char *type_name = NULL, *name = NULL;
    char where[64], defname[160];
    dl4c_node *node;
    snprintf(where, sizeof where, "layer %zu", index);
    if (!json_is_object(j))
        return dl4c_error_set(DL4C_FORMAT, "%s must be an object", where);
    DL4C_RETURN_IF(dl4c_cfg_string(where, j, "type", true, &type_name));
    const dl4c_layer_type *type = dl4c_layer_type_find(type_name);
    if (!type) {
        char known[512] = "";
        size_t used = 0;
        for (int i = 0; i < dl4c_layer_type_count() && used < sizeof known; i++)
            used +=
                (size_t)snprintf(known + used, sizeof known - used, "%s%s",
                                 i ? ", " : "", dl4c_layer_type_at(i)->name);
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: unknown layer type '%s' (known: %s)", where,
                              type_name, known);
    }
    default_name(net, type, defname, sizeof defname);
    name = defname;
    DL4C_RETURN_IF(dl4c_cfg_string(where, j, "name", false, &name));

    l = dl4c_calloc(1, sizeof *l);
    if (!l)
        DL4C_NOMEM_FAIL();
    l->type = type;
    l->name = dl4c_strdup(name);
    l->where = dl4c_asprintf("layer '%s'", name);
    l->cfg = dl4c_calloc(1, type->config_size ? type->config_size : 1);
    if (!l->name || !l->where || !l->cfg)
        DL4C_NOMEM_FAIL();
    l->default_weight_init = net->weight_init;
    l->default_bias_init = net->bias_init;
    {
        const char *const *lists[] = {layer_common_keys, type->keys};
        DL4C_TRY(dl4c_cfg_check_keys(l->where, j, lists, 2));
    }
    DL4C_TRY(parse_layer_opts(l, j));
    DL4C_TRY(type->parse(l, j));
    DL4C_TRY(wire_inputs(net, l, j));
    l->n_outputs = 1;
    DL4C_TRY(type->build(l));
    DL4C_TRY(wire_sharing(net, l, j));
    DL4C_TRY(add_node(net, name, &node));
    node->layer = l; /* the net owns it from here */
    return settle_outputs(l, node);
fail:
    layer_free(l);
    return status;
}

static dl4c_status parse_outputs(dl4c_net *net, const json_t *root)
{
    json_t *outs = json_object_get(root, "outputs");
    int count = 0;
    if (outs) {
        if (!json_is_array(outs) || json_array_size(outs) == 0)
            return dl4c_error_set(DL4C_FORMAT,
                                  "'outputs' must be a non-empty list of "
                                  "layer names");
        count = (int)json_array_size(outs);
    } else {
        for (int i = net->n_inputs; i < net->n_nodes; i++)
            count += dl4c_node_is_loss(&net->nodes[i]);
        if (count == 0)
            count = 1;
    }
    net->outputs = dl4c_calloc((size_t)count, sizeof *net->outputs);
    net->output_slots = dl4c_calloc((size_t)count, sizeof *net->output_slots);
    if (!net->outputs || !net->output_slots)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    net->n_outputs = count;
    if (outs) {
        for (int i = 0; i < count; i++) {
            json_t *nm = json_array_get(outs, (size_t)i);
            int slot = 0;
            int idx = json_is_string(nm)
                          ? find_ref(net, json_string_value(nm), &slot)
                          : -1;
            if (idx < net->n_inputs)
                return dl4c_error_set(
                    DL4C_FORMAT, "output %d: '%s' is not a layer output", i,
                    json_is_string(nm) ? json_string_value(nm) : "?");
            net->outputs[i] = idx;
            net->output_slots[i] = slot;
        }
    } else {
        int k = 0;
        for (int i = net->n_inputs; i < net->n_nodes; i++)
            if (dl4c_node_is_loss(&net->nodes[i]))
                net->outputs[k++] = i;
        if (k == 0)
            net->outputs[0] = net->n_nodes - 1;
    }
    for (int i = 0; i < count; i++) {
        dl4c_node *n = &net->nodes[net->outputs[i]];
        int slot = net->output_slots[i];
        if (n->output_index[slot] >= 0)
            return dl4c_error_set(DL4C_FORMAT, "output '%s' listed twice",
                                  n->name);
        n->output_index[slot] = i;
    }
    for (int i = net->n_inputs; i < net->n_nodes; i++) {
        dl4c_node *n = &net->nodes[i];
        if (dl4c_node_is_loss(n) && n->output_index[0] < 0)
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s computes a loss but is not a net output",
                                  n->layer->where);
        if (dl4c_node_is_loss(n) && n->n_uses[0] > 0)
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s computes a loss, so no layer may take "
                                  "its output",
                                  n->layer->where);
    }
    return DL4C_OK;
}

/* Lays out the flat parameter vector (a layer sharing another's weights
 * adds none) and the gradient vector (which gives each sharing layer a
 * private region, summed into the owner's after the backward pass), then
 * initializes the parameters from the seed. */
static dl4c_status init_params(dl4c_net *net)
{
    int64_t total = 0;
    size_t dts = dl4c_dtype_size(net->dtype);
    for (int i = net->n_inputs; i < net->n_nodes; i++) {
        dl4c_layer *l = net->nodes[i].layer;
        l->n_param_elems = 0;
        for (int p = 0; p < l->n_params; p++) {
            int64_t n = dl4c_shape_size(&l->params[p].shape);
            l->n_param_elems += n;
            if (l->shares >= 0)
                continue;
            l->param_offset[p] = l->grad_offset[p] = total;
            total += n;
        }
    }
    net->n_params = total;
    int64_t grads = total;
    for (int i = net->n_inputs; i < net->n_nodes; i++) {
        dl4c_layer *l = net->nodes[i].layer;
        if (l->shares < 0)
            continue;
        const dl4c_layer *o = net->nodes[l->shares].layer;
        for (int p = 0; p < l->n_params; p++) {
            l->param_offset[p] = o->param_offset[p];
            l->grad_offset[p] = grads;
            grads += dl4c_shape_size(&l->params[p].shape);
        }
    }
    net->n_grads = grads;
    net->param_data = net->be->alloc((size_t)(total ? total : 1) * dts);
    net->grad_data = net->be->alloc((size_t)(grads ? grads : 1) * dts);
    if (!net->param_data || !net->grad_data)
        return dl4c_error_set(DL4C_NOMEM, "out of memory for %lld parameters",
                              (long long)total);
    int64_t dims[1] = {1};
    dl4c_tensor_init_view(&net->params_view, net->be, net->dtype,
                          net->param_data, 1, dims);
    dl4c_tensor_init_view(&net->grads_view, net->be, net->dtype, net->grad_data,
                          1, dims);
    net->params_view.size = net->grads_view.size = total;
    net->params_view.shape[0] = net->grads_view.shape[0] = total;

    dl4c_rng_seed(&net->rng, net->seed);
    for (int i = net->n_inputs; i < net->n_nodes; i++) {
        dl4c_layer *l = net->nodes[i].layer;
        for (int p = 0; p < l->n_params && l->shares < 0; p++) {
            dl4c_param_spec *s = &l->params[p];
            dl4c_tensor view;
            dl4c_tensor_init_view(&view, net->be, net->dtype,
                                  (char *)net->param_data +
                                      (size_t)l->param_offset[p] * dts,
                                  s->shape.ndim, s->shape.dim);
            dl4c_status st = dl4c_init_fill(&s->init, &view, s->fan_in,
                                            s->fan_out, &net->rng);
            if (st != DL4C_OK)
                return dl4c_error_prefix(st, "%s: parameter '%s'", l->where,
                                         s->name);
        }
    }
    net->step_seed = dl4c_rng_next(&net->rng);
    return DL4C_OK;
}

dl4c_status dl4c_net_build(const json_t *root, dl4c_dtype dtype, dl4c_net **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_net *net = NULL;
    const char *const *lists[] = {root_keys};
    *out = NULL;
    DL4C_CHECK(dtype == DL4C_F32 || dtype == DL4C_F64, DL4C_INVALID_ARG,
               "invalid dtype %d", (int)dtype);
    DL4C_CHECK(json_is_object(root), DL4C_FORMAT,
               "a net config must be a JSON object");
    net = dl4c_calloc(1, sizeof *net);
    if (!net)
        DL4C_NOMEM_FAIL();
    net->dtype = dtype;
    net->be = dl4c_backend_cpu();
    net->seed = DEFAULT_SEED;
    DL4C_TRY(dl4c_cfg_check_keys("config", root, lists, 1));
    {
        const char *format = "dl4c.net";
        DL4C_TRY(dl4c_cfg_string("config", root, "format", false, &format));
        DL4C_CHECK(strcmp(format, "dl4c.net") == 0, DL4C_FORMAT,
                   "config format is '%s', expected 'dl4c.net'", format);
        int64_t version = 1, seed = DEFAULT_SEED;
        DL4C_TRY(dl4c_cfg_int("config", root, "version", false, 1, &version));
        DL4C_CHECK(version == 1, DL4C_UNSUPPORTED,
                   "config version %lld is newer than this dl4c reads (1)",
                   (long long)version);
        DL4C_TRY(dl4c_cfg_int("config", root, "seed", false, 0, &seed));
        net->seed = (uint64_t)seed;
    }
    DL4C_TRY(parse_training(net, root));
    DL4C_TRY(parse_inputs(net, root));
    {
        json_t *layers = json_object_get(root, "layers");
        DL4C_CHECK(json_is_array(layers) && json_array_size(layers) > 0,
                   DL4C_FORMAT, "config needs \"layers\": a non-empty list");
        for (size_t i = 0; i < json_array_size(layers); i++)
            DL4C_TRY(parse_layer(net, json_array_get(layers, i), i));
    }
    DL4C_TRY(parse_outputs(net, root));
    DL4C_TRY(init_params(net));
    DL4C_TRY(dl4c_net_alloc_updater_state(net));
    *out = net;
    return DL4C_OK;
fail:
    dl4c_net_free(net);
    return status;
}

dl4c_status dl4c_net_parse(const char *text, dl4c_dtype dtype, dl4c_net **out)
{
    json_error_t err;
    *out = NULL;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return dl4c_error_set(DL4C_FORMAT,
                              "net config is not valid JSON: line %d, "
                              "column %d: %s",
                              err.line, err.column, err.text);
    dl4c_status st = dl4c_net_build(root, dtype, out);
    json_decref(root);
    return st;
}

dl4c_status dl4c_net_load_config(const char *path, dl4c_dtype dtype,
                                 dl4c_net **out)
{
    json_error_t err;
    *out = NULL;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        if (err.line < 0 || err.position == 0)
            return dl4c_error_set(DL4C_IO, "%s: %s", path, err.text);
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: not valid JSON: line %d, column %d: %s",
                              path, err.line, err.column, err.text);
    }
    dl4c_status st = dl4c_net_build(root, dtype, out);
    json_decref(root);
    if (st != DL4C_OK)
        return dl4c_error_prefix(st, "%s", path);
    return DL4C_OK;
}
