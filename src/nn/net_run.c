/* Running a net: forward over the nodes in order, scores of the loss
 * outputs, backward in reverse order with gradients summed where a node
 * feeds several consumers. Inputs and labels are validated here, once per
 * call; the layers' compute after that runs unchecked. */
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "nn/net_internal.h"

static dl4c_status shape_mismatch(const char *what, const char *name,
                                  const dl4c_shape *want,
                                  const dl4c_tensor *got)
{
    char a[128], b[128];
    dl4c_shape g = dl4c_shape_of(got);
    /* print the expected shape with the batch dim as N */
    size_t used = (size_t)snprintf(a, sizeof a, "[N");
    for (int i = 0; i < want->ndim && used < sizeof a; i++)
        used += (size_t)snprintf(a + used, sizeof a - used, ", %lld",
                                 (long long)want->dim[i]);
    if (used < sizeof a)
        snprintf(a + used, sizeof a - used, "]");
    return dl4c_error_set(DL4C_SHAPE, "%s '%s': expected %s, got %s", what,
                          name, a, dl4c_shape_format(&g, b, sizeof b));
}

static bool batch_shape_ok(const dl4c_tensor *t, const dl4c_shape *s)
{
    if (t->ndim != s->ndim + 1)
        return false;
    for (int i = 0; i < s->ndim; i++)
        if (t->shape[i + 1] != s->dim[i])
            return false;
    return true;
}

static dl4c_status check_inputs(const dl4c_net *net, int n,
                                const dl4c_tensor *const *inputs,
                                int64_t *batch)
{
    if (n != net->n_inputs)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "the net takes %d input%s, got %d", net->n_inputs,
                              net->n_inputs == 1 ? "" : "s", n);
    for (int i = 0; i < n; i++) {
        const dl4c_tensor *t = inputs[i];
        const dl4c_node *node = &net->nodes[i];
        if (!t)
            return dl4c_error_set(DL4C_INVALID_ARG, "input '%s' is NULL",
                                  node->name);
        if (t->dtype != net->dtype)
            return dl4c_error_set(
                DL4C_INVALID_ARG, "input '%s' is %s, the net is %s", node->name,
                dl4c_dtype_name(t->dtype), dl4c_dtype_name(net->dtype));
        if (!batch_shape_ok(t, &node->shapes[0]))
            return shape_mismatch("input", node->name, &node->shapes[0], t);
        if (i == 0)
            *batch = t->shape[0];
        else if (t->shape[0] != *batch)
            return dl4c_error_set(DL4C_SHAPE,
                                  "input '%s' has %lld examples, input '%s' "
                                  "has %lld",
                                  node->name, (long long)t->shape[0],
                                  net->nodes[0].name, (long long)*batch);
    }
    return DL4C_OK;
}

static void make_ctx(dl4c_net *net, dl4c_node *n, bool training,
                     dl4c_layer_ctx *c)
{
    dl4c_layer *l = n->layer;
    memset(c, 0, sizeof *c);
    c->layer = l;
    c->be = net->be;
    c->dtype = net->dtype;
    c->batch = net->batch;
    c->training = training;
    /* a distinct stream per layer and step, fixed within the step */
    c->seed =
        net->step_seed ^ ((uint64_t)(n - net->nodes) * 0x9E3779B97F4A7C15ull);
    c->in = n->in_ptrs;
    c->in_masks = n->in_mask_ptrs;
    c->out = &n->out[0];
    c->outs = n->out_ptrs;
    c->out_masks = n->own_mask_ptrs;
    c->params = n->param_ptrs;
    c->grads = l->opts.frozen ? NULL : n->grad_ptrs;
    c->douts = n->dout_ptrs;
    c->din = n->din_ptrs;
    c->ws = n->ws;
    c->state = n->state;
    c->row_scores = n->row_scores;
    c->packed = !training ? n->packed : NULL;
}

static dl4c_status run_forward(dl4c_net *net, int n_inputs,
                               const dl4c_tensor *const *inputs, bool training)
{
    int64_t batch = 0;
    DL4C_RETURN_IF(check_inputs(net, n_inputs, inputs, &batch));
    DL4C_RETURN_IF(dl4c_net_plan(net, batch, training));
    for (int i = 0; i < net->n_inputs; i++) {
        dl4c_node *n = &net->nodes[i];
        dl4c_tensor_init_batch_view(&n->out[0], net->be, net->dtype,
                                    inputs[i]->data, batch, &n->shapes[0]);
    }
    if (net->packing && !training)
        dl4c_net_refresh_packs(net);
    for (int i = net->n_inputs; i < net->n_nodes; i++) {
        dl4c_layer_ctx c;
        make_ctx(net, &net->nodes[i], training, &c);
        net->nodes[i].layer->type->forward(&c);
    }
    return DL4C_OK;
}

dl4c_status dl4c_net_forward(dl4c_net *net, int n_inputs,
                             const dl4c_tensor *const *inputs, bool training)
{
    return run_forward(net, n_inputs, inputs, training);
}

const dl4c_tensor *dl4c_net_output(const dl4c_net *net, int i)
{
    if (i < 0 || i >= net->n_outputs || !net->arena)
        return NULL;
    return &net->nodes[net->outputs[i]].out[net->output_slots[i]];
}

static dl4c_status check_targets(const dl4c_net *net, const dl4c_net_targets *t)
{
    int losses = 0;
    for (int i = 0; i < net->n_outputs; i++)
        losses += dl4c_node_is_loss(&net->nodes[net->outputs[i]]);
    if (losses != net->n_outputs)
        return dl4c_error_set(DL4C_STATE,
                              "training needs every output to compute a "
                              "loss: end the net with an Output or Loss "
                              "layer");
    if (!t || t->n != net->n_outputs)
        return dl4c_error_set(
            DL4C_INVALID_ARG, "the net has %d output%s, got labels for %d",
            net->n_outputs, net->n_outputs == 1 ? "" : "s", t ? t->n : 0);
    for (int i = 0; i < t->n; i++) {
        const dl4c_node *n = &net->nodes[net->outputs[i]];
        const dl4c_tensor *y = t->labels[i];
        if (!y)
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "labels for output '%s' are NULL", n->name);
        if (y->dtype != net->dtype)
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "labels for output '%s' are %s, the net is "
                                  "%s",
                                  n->name, dl4c_dtype_name(y->dtype),
                                  dl4c_dtype_name(net->dtype));
        const dl4c_shape *os = &n->shapes[0];
        int64_t cols = os->dim[os->ndim - 1];
        int64_t rows = net->batch * (dl4c_shape_size(os) / cols);
        if (y->ndim < 1 || y->shape[0] != net->batch)
            return shape_mismatch("labels for output", n->name, os, y);
        DL4C_RETURN_IF(n->layer->type->check_labels(n->layer, y, rows));
        const dl4c_tensor *m = t->masks ? t->masks[i] : NULL;
        if (m) {
            if (m->dtype != net->dtype ||
                (m->size != rows && m->size != rows * cols))
                return dl4c_error_set(DL4C_SHAPE,
                                      "mask for output '%s' has %lld values; "
                                      "expected one per example (%lld) or per "
                                      "output value (%lld)",
                                      n->name, (long long)m->size,
                                      (long long)rows,
                                      (long long)(rows * cols));
        }
    }
    return DL4C_OK;
}

/* Sum of l1*|w| + l2/2*w^2 over regularized parameters. */
static double regularization_score(const dl4c_net *net)
{
    double total = 0;
    for (int i = net->n_inputs; i < net->n_nodes; i++) {
        const dl4c_node *n = &net->nodes[i];
        const dl4c_layer *l = n->layer;
        double l1 = l->opts.l1 >= 0 ? l->opts.l1 : net->reg.l1;
        double l2 = l->opts.l2 >= 0 ? l->opts.l2 : net->reg.l2;
        if (l1 == 0 && l2 == 0)
            continue;
        for (int p = 0; p < l->n_params; p++) {
            if (!l->params[p].regularize)
                continue;
            const dl4c_tensor *w = &n->param_views[p];
            if (l2 != 0)
                total +=
                    0.5 * l2 * net->be->sum_squares(w->dtype, w->size, w->data);
            if (l1 != 0)
                for (int64_t k = 0; k < w->size; k++) {
                    double v = dl4c_tensor_get(w, k);
                    total += l1 * (v < 0 ? -v : v);
                }
        }
    }
    return total;
}

/* The loss mask of output i: the caller's, else the mask the loss
 * layer's input carries (masked time steps add no loss, as in Keras). */
static const dl4c_tensor *loss_mask(const dl4c_net *net,
                                    const dl4c_net_targets *t, int i)
{
    const dl4c_tensor *m = t->masks ? t->masks[i] : NULL;
    const dl4c_node *n = &net->nodes[net->outputs[i]];
    return m ? m : n->in_mask_ptrs[0];
}

static double loss_scores(dl4c_net *net, const dl4c_net_targets *t,
                          bool training)
{
    double total = 0;
    for (int i = 0; i < net->n_outputs; i++) {
        dl4c_node *n = &net->nodes[net->outputs[i]];
        dl4c_layer_ctx c;
        make_ctx(net, n, training, &c);
        c.labels = t->labels[i];
        c.mask = loss_mask(net, t, i);
        total += n->layer->type->score(&c);
    }
    return total;
}

dl4c_status dl4c_net_score(dl4c_net *net, int n_inputs,
                           const dl4c_tensor *const *inputs,
                           const dl4c_net_targets *targets, bool training,
                           double *score)
{
    DL4C_RETURN_IF(run_forward(net, n_inputs, inputs, training));
    DL4C_RETURN_IF(check_targets(net, targets));
    *score = loss_scores(net, targets, training) + regularization_score(net);
    return DL4C_OK;
}

/* d(score)/d(output `slot` of node p) where several consumers
 * contributed */
static void gather_edges(dl4c_net *net, int p, int slot)
{
    dl4c_node *prod = &net->nodes[p];
    bool first = true;
    for (int i = p + 1; i < net->n_nodes; i++) {
        dl4c_node *n = &net->nodes[i];
        for (int k = 0; k < n->layer->n_inputs; k++) {
            if (n->layer->inputs[k] != p || n->layer->input_slots[k] != slot)
                continue;
            const dl4c_tensor *e = &n->edge_grads[k].buf;
            net->be->axpby(net->dtype, prod->grad[slot].size, 1.0, e->data,
                           first ? 0.0 : 1.0, prod->grad[slot].data);
            first = false;
        }
    }
}

/* A layer sharing another's weights computed its gradient in a private
 * region: add it to the owner's. */
static void gather_shared(dl4c_net *net)
{
    size_t dts = dl4c_dtype_size(net->dtype);
    for (int i = net->n_inputs; i < net->n_nodes; i++) {
        const dl4c_layer *l = net->nodes[i].layer;
        if (l->shares < 0 || l->opts.frozen)
            continue;
        for (int p = 0; p < l->n_params; p++)
            net->be->axpby(
                net->dtype, dl4c_shape_size(&l->params[p].shape), 1.0,
                (char *)net->grad_data + (size_t)l->grad_offset[p] * dts, 1.0,
                (char *)net->grad_data + (size_t)l->param_offset[p] * dts);
    }
}

dl4c_status dl4c_net_compute_gradients(dl4c_net *net, int n_inputs,
                                       const dl4c_tensor *const *inputs,
                                       const dl4c_net_targets *targets,
                                       double *score)
{
    if (net->shared_params)
        return dl4c_error_set(DL4C_STATE,
                              "this net shares another net's parameters "
                              "(dl4c_net_share) and only runs inference");
    DL4C_RETURN_IF(run_forward(net, n_inputs, inputs, true));
    DL4C_RETURN_IF(check_targets(net, targets));
    double s = loss_scores(net, targets, true);
    if (net->reg.l1 != 0 || net->reg.l2 != 0)
        s += regularization_score(net);
    else
        for (int i = net->n_inputs; i < net->n_nodes; i++)
            if (net->nodes[i].layer->opts.l1 > 0 ||
                net->nodes[i].layer->opts.l2 > 0) {
                s += regularization_score(net);
                break;
            }
    bool shared = false;
    for (int i = net->n_nodes - 1; i >= net->n_inputs; i--) {
        dl4c_node *n = &net->nodes[i];
        dl4c_layer_ctx c;
        for (int k = 0; k < n->n_out; k++)
            if (n->n_uses[k] > 1)
                gather_edges(net, i, k);
        make_ctx(net, n, true, &c);
        if (dl4c_node_is_loss(n)) {
            int o = n->output_index[0];
            c.labels = targets->labels[o];
            c.mask = loss_mask(net, targets, o);
            c.douts = NULL;
        } else {
            c.dout = &n->grad[0];
        }
        n->layer->type->backward(&c);
        shared |= n->layer->shares >= 0;
    }
    for (int i = 0; net->input_grads && i < net->n_inputs; i++)
        if (net->nodes[i].n_uses[0] > 1 && net->nodes[i].grad[0].data)
            gather_edges(net, i, 0);
    if (shared)
        gather_shared(net);
    if (score)
        *score = s;
    return DL4C_OK;
}

void dl4c_net_set_input_gradients(dl4c_net *net, bool on)
{
    net->input_grads = on;
    net->batch = 0; /* views are rewired at the next plan */
}

const dl4c_tensor *dl4c_net_input_gradient(const dl4c_net *net, int i)
{
    if (!net->input_grads || i < 0 || i >= net->n_inputs ||
        !net->nodes[i].grad[0].data)
        return NULL;
    return &net->nodes[i].grad[0];
}

dl4c_status dl4c_net_fit_batch(dl4c_net *net, const dl4c_batch *batch,
                               double *score)
{
    const dl4c_tensor *in[1] = {batch->features};
    const dl4c_tensor *labels[1] = {batch->labels};
    const dl4c_tensor *masks[1] = {batch->labels_mask};
    dl4c_net_targets t = {1, labels, masks};
    DL4C_RETURN_IF(dl4c_net_compute_gradients(net, 1, in, &t, score));
    return dl4c_net_apply_update(net);
}

dl4c_status dl4c_net_predict(dl4c_net *net, const dl4c_tensor *input,
                             dl4c_tensor **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_tensor *result = NULL;
    *out = NULL;
    DL4C_CHECK(net->n_inputs == 1 && net->n_outputs == 1, DL4C_INVALID_ARG,
               "predict takes one input and one output; this net has %d and "
               "%d (use dl4c_net_forward)",
               net->n_inputs, net->n_outputs);
    int64_t rows = 0;
    DL4C_TRY(check_inputs(net, 1, &input, &rows));
    {
        const dl4c_shape *o =
            &net->nodes[net->outputs[0]].shapes[net->output_slots[0]];
        int64_t dims[DL4C_MAX_DIMS];
        dims[0] = rows;
        for (int i = 0; i < o->ndim; i++)
            dims[i + 1] = o->dim[i];
        DL4C_TRY(dl4c_tensor_create(net->dtype, o->ndim + 1, dims, &result));
    }
    {
        const int64_t chunk = 1024;
        int64_t in_row = dl4c_shape_size(&net->nodes[0].shapes[0]);
        int64_t out_row = result->size / rows;
        size_t dts = dl4c_dtype_size(net->dtype);
        for (int64_t r = 0; r < rows; r += chunk) {
            int64_t n = rows - r < chunk ? rows - r : chunk;
            dl4c_tensor part;
            dl4c_tensor_init_batch_view(&part, input->backend, input->dtype,
                                        (char *)input->data +
                                            (size_t)(r * in_row) * dts,
                                        n, &net->nodes[0].shapes[0]);
            const dl4c_tensor *ins[1] = {&part};
            DL4C_TRY(run_forward(net, 1, ins, false));
            const dl4c_tensor *y = dl4c_net_output(net, 0);
            net->be->copy(net->dtype, n * out_row, y->data,
                          (char *)result->data + (size_t)(r * out_row) * dts);
        }
    }
    *out = result;
    return DL4C_OK;
fail:
    dl4c_tensor_free(result);
    return status;
}
