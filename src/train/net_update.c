/* One training update of a net from its current gradients: gradient
 * clipping, the learning-rate schedule, per-layer rates and regularization,
 * frozen layers, then the updater's fused step per parameter array. The
 * updater state is one flat vector: for each parameter array (in flat
 * order) its state arrays back to back. */
#include <math.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "nn/net_internal.h"

dl4c_status dl4c_net_alloc_updater_state(dl4c_net *net)
{
    int count = dl4c_updater_state_count(net->updater.id);
    int64_t size = (int64_t)count * net->n_params;
    net->be->release(net->state_data);
    net->state_data = NULL;
    net->state_size = size;
    if (size == 0)
        return DL4C_OK;
    net->state_data =
        net->be->alloc((size_t)size * dl4c_dtype_size(net->dtype));
    if (!net->state_data)
        return dl4c_error_set(DL4C_NOMEM, "out of memory for updater state");
    int64_t dims[1] = {size};
    dl4c_tensor_init_view(&net->state_view, net->be, net->dtype,
                          net->state_data, 1, dims);
    return DL4C_OK;
}

/* Parameter p of layer l is stepped by the updater: not frozen, owned
 * (a sharing layer's gradient went to its owner), trainable (not saved
 * state such as moving averages). */
static bool stepped(const dl4c_layer *l, int p)
{
    return !l->opts.frozen && l->shares < 0 && l->params[p].trainable;
}

static double layer_norm_sq(const dl4c_net *net, const dl4c_node *n)
{
    double s = 0;
    for (int p = 0; p < n->layer->n_params; p++)
        if (stepped(n->layer, p))
            s += net->be->sum_squares(net->dtype, n->grad_views[p].size,
                                      n->grad_views[p].data);
    return s;
}

static void scale_layer(const dl4c_net *net, dl4c_node *n, double f)
{
    for (int p = 0; p < n->layer->n_params; p++)
        if (stepped(n->layer, p))
            net->be->scale(net->dtype, n->grad_views[p].size, f,
                           n->grad_views[p].data);
}

static void clip_gradients(dl4c_net *net)
{
    const dl4c_clip *c = &net->clip;
    if (c->id == DL4C_CLIP_NONE)
        return;
    if (c->id == DL4C_CLIP_NORM_NET) {
        double total = 0;
        for (int i = net->n_inputs; i < net->n_nodes; i++)
            if (!net->nodes[i].layer->opts.frozen)
                total += layer_norm_sq(net, &net->nodes[i]);
        double norm = sqrt(total);
        if (norm > c->threshold)
            for (int i = net->n_inputs; i < net->n_nodes; i++)
                if (!net->nodes[i].layer->opts.frozen)
                    scale_layer(net, &net->nodes[i], c->threshold / norm);
        return;
    }
    for (int i = net->n_inputs; i < net->n_nodes; i++) {
        dl4c_node *n = &net->nodes[i];
        if (n->layer->opts.frozen)
            continue;
        if (c->id == DL4C_CLIP_VALUE) {
            for (int p = 0; p < n->layer->n_params; p++)
                if (stepped(n->layer, p))
                    net->be->clip(net->dtype, n->grad_views[p].size,
                                  c->threshold, n->grad_views[p].data);
        } else {
            double norm = sqrt(layer_norm_sq(net, n));
            if (norm > c->threshold)
                scale_layer(net, n, c->threshold / norm);
        }
    }
}

dl4c_status dl4c_net_apply_update(dl4c_net *net)
{
    if (net->shared_params)
        return dl4c_error_set(DL4C_STATE,
                              "this net shares another net's parameters "
                              "(dl4c_net_share) and only runs inference");
    if (!net->arena || !net->planned_training)
        return dl4c_error_set(DL4C_STATE,
                              "apply_update before any gradients were "
                              "computed");
    clip_gradients(net);
    const dl4c_updater *u = &net->updater;
    int count = dl4c_updater_state_count(u->id);
    size_t dts = dl4c_dtype_size(net->dtype);
    dl4c_update_step step = {.updater = u, .t = net->iteration + 1};
    for (int i = net->n_inputs; i < net->n_nodes; i++) {
        dl4c_node *n = &net->nodes[i];
        const dl4c_layer *l = n->layer;
        if (l->opts.frozen)
            continue;
        double base = l->opts.learning_rate >= 0 ? l->opts.learning_rate
                                                 : u->learning_rate;
        step.lr =
            dl4c_schedule_value(&u->schedule, base, net->iteration, net->epoch);
        for (int p = 0; p < l->n_params; p++) {
            if (!stepped(l, p))
                continue;
            bool reg = l->params[p].regularize;
            step.l1 = reg ? (l->opts.l1 >= 0 ? l->opts.l1 : net->reg.l1) : 0;
            step.l2 = reg ? (l->opts.l2 >= 0 ? l->opts.l2 : net->reg.l2) : 0;
            step.weight_decay =
                reg ? (l->opts.weight_decay >= 0 ? l->opts.weight_decay
                                                 : net->reg.weight_decay)
                    : 0;
            int64_t off = l->param_offset[p];
            void *state =
                count ? (char *)net->state_data + (size_t)(off * count) * dts
                      : NULL;
            net->be->update(&step, net->dtype, n->param_views[p].size,
                            n->param_views[p].data, n->grad_views[p].data,
                            state);
        }
    }
    net->iteration++;
    net->param_version++;
    net->step_seed = dl4c_rng_next(&net->rng);
    return DL4C_OK;
}

dl4c_updater dl4c_net_get_updater(const dl4c_net *net)
{
    return net->updater;
}

dl4c_status dl4c_net_set_updater(dl4c_net *net, const dl4c_updater *u)
{
    if ((unsigned)u->id >= DL4C_UPDATER_COUNT)
        return dl4c_error_set(DL4C_INVALID_ARG, "unknown updater %d",
                              (int)u->id);
    dl4c_updater old = net->updater;
    net->updater = *u;
    if (dl4c_net_alloc_updater_state(net) != DL4C_OK) {
        net->updater = old;
        dl4c_status st = dl4c_net_alloc_updater_state(net);
        (void)st;
        return dl4c_error_set(DL4C_NOMEM, "out of memory for updater state");
    }
    return DL4C_OK;
}

dl4c_regularization dl4c_net_get_regularization(const dl4c_net *net)
{
    return net->reg;
}

void dl4c_net_set_regularization(dl4c_net *net, const dl4c_regularization *r)
{
    net->reg = *r;
}

dl4c_clip dl4c_net_get_clip(const dl4c_net *net)
{
    return net->clip;
}

void dl4c_net_set_clip(dl4c_net *net, const dl4c_clip *clip)
{
    net->clip = *clip;
}

static dl4c_node *layer_node(dl4c_net *net, const char *name)
{
    for (int i = net->n_inputs; i < net->n_nodes; i++)
        if (strcmp(net->nodes[i].name, name) == 0)
            return &net->nodes[i];
    return NULL;
}

dl4c_status dl4c_net_set_frozen(dl4c_net *net, const char *layer, bool frozen)
{
    dl4c_node *n = layer_node(net, layer);
    if (!n)
        return dl4c_error_set(DL4C_INVALID_ARG, "no layer named '%s'", layer);
    n->layer->opts.frozen = frozen;
    /* a frozen layer's gradient is never computed: keep it at zero */
    if (frozen && n->layer->n_param_elems)
        net->be->fill(net->dtype, n->layer->n_param_elems, 0.0,
                      (char *)net->grad_data +
                          (size_t)n->layer->param_offset[0] *
                              dl4c_dtype_size(net->dtype));
    return DL4C_OK;
}

dl4c_status dl4c_net_set_layer_learning_rate(dl4c_net *net, const char *layer,
                                             double lr)
{
    dl4c_node *n = layer_node(net, layer);
    if (!n)
        return dl4c_error_set(DL4C_INVALID_ARG, "no layer named '%s'", layer);
    n->layer->opts.learning_rate = lr < 0 ? -1 : lr;
    return DL4C_OK;
}
