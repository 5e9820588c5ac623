/* Writing a net's config back as JSON: every default spelled out, so the
 * file documents the net completely and parses back to the same net. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "nn/net_internal.h"

/* "name", or "name:k" for output k > 0 */
static json_t *ref_json(const dl4c_net *net, int node, int slot)
{
    char buf[300];
    if (slot == 0)
        return json_string(net->nodes[node].name);
    snprintf(buf, sizeof buf, "%s:%d", net->nodes[node].name, slot);
    return json_string(buf);
}

static dl4c_status layer_json(const dl4c_net *net, const dl4c_node *n,
                              json_t **out)
{
    dl4c_status status = DL4C_OK;
    const dl4c_layer *l = n->layer;
    json_t *j = json_object();
    if (!j)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(dl4c_cfg_set(j, "name", json_string(l->name)));
    DL4C_TRY(dl4c_cfg_set(j, "type", json_string(l->type->name)));
    {
        json_t *ins = json_array();
        DL4C_TRY(dl4c_cfg_set(j, "inputs", ins));
        for (int k = 0; k < l->n_inputs; k++)
            if (json_array_append_new(
                    ins, ref_json(net, l->inputs[k], l->input_slots[k])))
                DL4C_NOMEM_FAIL();
    }
    if (l->shares >= 0)
        DL4C_TRY(dl4c_cfg_set(j, "share_weights_with",
                              json_string(net->nodes[l->shares].name)));
    DL4C_TRY(l->type->write(l, j));
    if (l->opts.frozen)
        DL4C_TRY(dl4c_cfg_set(j, "frozen", json_true()));
    if (l->opts.learning_rate >= 0)
        DL4C_TRY(
            dl4c_cfg_set(j, "learning_rate", json_real(l->opts.learning_rate)));
    if (l->opts.l1 >= 0)
        DL4C_TRY(dl4c_cfg_set(j, "l1", json_real(l->opts.l1)));
    if (l->opts.l2 >= 0)
        DL4C_TRY(dl4c_cfg_set(j, "l2", json_real(l->opts.l2)));
    if (l->opts.weight_decay >= 0)
        DL4C_TRY(
            dl4c_cfg_set(j, "weight_decay", json_real(l->opts.weight_decay)));
    if (l->opts.has_weight_init)
        DL4C_TRY(dl4c_cfg_set(j, "weight_init",
                              dl4c_cfg_init_json(&l->opts.weight_init)));
    if (l->opts.has_bias_init)
        DL4C_TRY(dl4c_cfg_set(j, "bias_init",
                              dl4c_cfg_init_json(&l->opts.bias_init)));
    *out = j;
    return DL4C_OK;
fail:
    json_decref(j);
    return status;
}

dl4c_status dl4c_net_config_json(const dl4c_net *net, json_t **out)
{
    dl4c_status status = DL4C_OK;
    json_t *root = json_object(), *arr;
    *out = NULL;
    if (!root)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(dl4c_cfg_set(root, "format", json_string("dl4c.net")));
    DL4C_TRY(dl4c_cfg_set(root, "version", json_integer(1)));
    DL4C_TRY(dl4c_cfg_set(root, "seed", json_integer((json_int_t)net->seed)));

    arr = json_array();
    DL4C_TRY(dl4c_cfg_set(root, "inputs", arr));
    for (int i = 0; i < net->n_inputs; i++) {
        json_t *in =
            json_pack("{s:s, s:o}", "name", net->nodes[i].name, "shape",
                      dl4c_cfg_shape_json(&net->nodes[i].shapes[0]));
        if (!in || json_array_append_new(arr, in))
            DL4C_NOMEM_FAIL();
    }
    arr = json_array();
    DL4C_TRY(dl4c_cfg_set(root, "layers", arr));
    for (int i = net->n_inputs; i < net->n_nodes; i++) {
        json_t *lj = NULL;
        DL4C_TRY(layer_json(net, &net->nodes[i], &lj));
        if (json_array_append_new(arr, lj))
            DL4C_NOMEM_FAIL();
    }
    arr = json_array();
    DL4C_TRY(dl4c_cfg_set(root, "outputs", arr));
    for (int i = 0; i < net->n_outputs; i++)
        if (json_array_append_new(
                arr, ref_json(net, net->outputs[i], net->output_slots[i])))
            DL4C_NOMEM_FAIL();
    {
        json_t *t = json_object();
        DL4C_TRY(dl4c_cfg_set(root, "training", t));
        DL4C_TRY(
            dl4c_cfg_set(t, "updater", dl4c_cfg_updater_json(&net->updater)));
        DL4C_TRY(dl4c_cfg_set(t, "l1", json_real(net->reg.l1)));
        DL4C_TRY(dl4c_cfg_set(t, "l2", json_real(net->reg.l2)));
        DL4C_TRY(
            dl4c_cfg_set(t, "weight_decay", json_real(net->reg.weight_decay)));
        DL4C_TRY(dl4c_cfg_set(t, "gradient_clipping",
                              dl4c_cfg_clip_json(&net->clip)));
        DL4C_TRY(dl4c_cfg_set(t, "weight_init",
                              dl4c_cfg_init_json(&net->weight_init)));
        DL4C_TRY(
            dl4c_cfg_set(t, "bias_init", dl4c_cfg_init_json(&net->bias_init)));
    }
    *out = root;
    return DL4C_OK;
fail:
    json_decref(root);
    return status;
}

dl4c_status dl4c_net_write_config(const dl4c_net *net, char **text)
{
    json_t *root = NULL;
    *text = NULL;
    DL4C_RETURN_IF(dl4c_net_config_json(net, &root));
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                   JSON_REAL_PRECISION(17));
    json_decref(root);
    if (!s)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    /* jansson allocates with malloc; hand back memory dl4c_free releases */
    *text = dl4c_strdup(s);
    free(s);
    if (!*text)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return DL4C_OK;
}
