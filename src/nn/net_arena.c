/* The activation arena. When the batch size grows past the planned
 * capacity (or training needs gradient buffers an inference plan lacks),
 * one block is sized for every node output, output gradient, mask,
 * workspace, persistent state, loss scratch and shared-producer edge
 * gradient; smaller batches reuse it by shrinking the views' batch dim. So
 * a steady-state step, the last short batch of an epoch included,
 * allocates nothing. Persistent state (stateful RNNs) starts at zero
 * whenever the arena is made anew. */
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "nn/net_internal.h"

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

static size_t tensor_bytes(const dl4c_net *net, int64_t batch,
                           const dl4c_shape *shape)
{
    return align64((size_t)(batch * dl4c_shape_size(shape)) *
                   dl4c_dtype_size(net->dtype));
}

/* A mask is [batch, time]: the output's first per-example dim. */
static dl4c_shape mask_shape(const dl4c_shape *out)
{
    dl4c_shape m = {.ndim = 1, .dim = {out->dim[0]}};
    return m;
}

/* rows of a node's output when its last dim is the columns */
static int64_t row_count(int64_t batch, const dl4c_shape *shape)
{
    int64_t rows = batch;
    for (int d = 0; d + 1 < shape->ndim; d++)
        rows *= shape->dim[d];
    return rows;
}

/* A producer output feeding several consumers gets one gradient buffer
 * per consumer edge (summed before the producer's backward pass); a net
 * input only when its gradient is wanted. */
static bool needs_edge_buffer(const dl4c_net *net, int producer, int slot)
{
    if (net->nodes[producer].n_uses[slot] < 2)
        return false;
    return producer >= net->n_inputs || net->input_grads;
}

/* Walks the layout once; with base == NULL it only sums the sizes. */
static size_t layout(dl4c_net *net, char *base, int64_t cap, bool training)
{
    size_t off = 0;
#define TAKE(bytes)                                                            \
    (base ? (void *)(base + (off += (bytes)) - (bytes))                        \
          : (off += (bytes), NULL))
    for (int i = 0; i < net->n_nodes; i++) {
        dl4c_node *n = &net->nodes[i];
        if (!n->layer) {
            void *g = training && net->input_grads
                          ? TAKE(tensor_bytes(net, cap, &n->shapes[0]))
                          : NULL;
            if (base)
                n->grad[0].data = g;
            continue;
        }
        dl4c_layer *l = n->layer;
        for (int k = 0; k < n->n_out; k++) {
            void *o = TAKE(tensor_bytes(net, cap, &n->shapes[k]));
            void *g =
                training ? TAKE(tensor_bytes(net, cap, &n->shapes[k])) : NULL;
            dl4c_shape ms = mask_shape(&n->shapes[k]);
            void *m = n->has_mask[k] && l->type->mask_mode == DL4C_MASK_CUSTOM
                          ? TAKE(tensor_bytes(net, cap, &ms))
                          : NULL;
            if (base) {
                n->out[k].data = o;
                n->grad[k].data = g;
                n->own_mask[k].data = m;
            }
        }
        size_t wsb = l->type->workspace
                         ? align64(l->type->workspace(l, cap, net->dtype))
                         : 0;
        void *ws = wsb ? TAKE(wsb) : NULL;
        size_t stb = l->type->state_size
                         ? align64(l->type->state_size(l, cap, net->dtype))
                         : 0;
        void *st = stb ? TAKE(stb) : NULL;
        void *rs = dl4c_node_is_loss(n)
                       ? TAKE(align64((size_t)row_count(cap, &n->shapes[0]) *
                                      sizeof(double)))
                       : NULL;
        if (base) {
            n->ws = ws;
            n->state = st;
            n->state_bytes = stb;
            n->row_scores = rs;
        }
        for (int k = 0; k < l->n_inputs; k++) {
            int p = l->inputs[k], slot = l->input_slots[k];
            void *e =
                training && needs_edge_buffer(net, p, slot)
                    ? TAKE(tensor_bytes(net, cap, &net->nodes[p].shapes[slot]))
                    : NULL;
            if (base)
                n->edge_grads[k].buf.data = e;
        }
    }
#undef TAKE
    return off;
}

/* Pointer arrays and parameter views: set up once per net. */
static dl4c_status wire(dl4c_net *net)
{
    size_t dts = dl4c_dtype_size(net->dtype);
    for (int i = net->n_inputs; i < net->n_nodes; i++) {
        dl4c_node *n = &net->nodes[i];
        dl4c_layer *l = n->layer;
        if (n->in_ptrs)
            continue;
        size_t ni = (size_t)l->n_inputs;
        n->in_ptrs = dl4c_calloc(ni, sizeof *n->in_ptrs);
        n->in_mask_ptrs = dl4c_calloc(ni, sizeof *n->in_mask_ptrs);
        n->din_ptrs = dl4c_calloc(ni, sizeof *n->din_ptrs);
        n->edge_grads = dl4c_calloc(ni, sizeof *n->edge_grads);
        if (!n->in_ptrs || !n->in_mask_ptrs || !n->din_ptrs || !n->edge_grads)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        for (int k = 0; k < l->n_inputs; k++)
            n->in_ptrs[k] = &net->nodes[l->inputs[k]].out[l->input_slots[k]];
        for (int k = 0; k < n->n_out; k++) {
            n->out_ptrs[k] = &n->out[k];
            n->own_mask_ptrs[k] = &n->own_mask[k];
            n->dout_ptrs[k] = &n->grad[k];
        }
        for (int p = 0; p < l->n_params; p++) {
            dl4c_param_spec *s = &l->params[p];
            size_t off = (size_t)l->param_offset[p] * dts;
            size_t goff = (size_t)l->grad_offset[p] * dts;
            dl4c_tensor_init_view(&n->param_views[p], net->be, net->dtype,
                                  (char *)net->param_data + off, s->shape.ndim,
                                  s->shape.dim);
            dl4c_tensor_init_view(&n->grad_views[p], net->be, net->dtype,
                                  net->grad_data ? (char *)net->grad_data + goff
                                                 : NULL,
                                  s->shape.ndim, s->shape.dim);
            n->param_ptrs[p] = &n->param_views[p];
            n->grad_ptrs[p] = &n->grad_views[p];
        }
    }
    return DL4C_OK;
}

static void batch_view(dl4c_net *net, dl4c_tensor *t, int64_t batch,
                       const dl4c_shape *shape)
{
    dl4c_tensor_init_batch_view(t, net->be, net->dtype, t->data, batch, shape);
}

static void set_views(dl4c_net *net, int64_t batch)
{
    for (int i = 0; i < net->n_nodes; i++) {
        dl4c_node *n = &net->nodes[i];
        if (!n->layer) {
            batch_view(net, &n->grad[0], batch, &n->shapes[0]);
            continue;
        }
        dl4c_layer *l = n->layer;
        for (int k = 0; k < n->n_out; k++) {
            batch_view(net, &n->out[k], batch, &n->shapes[k]);
            batch_view(net, &n->grad[k], batch, &n->shapes[k]);
            dl4c_shape ms = mask_shape(&n->shapes[k]);
            batch_view(net, &n->own_mask[k], batch, &ms);
            /* the mask this output carries: its own, input 0's, or none */
            n->mask[k] = NULL;
            if (n->has_mask[k])
                n->mask[k] =
                    l->type->mask_mode == DL4C_MASK_CUSTOM
                        ? &n->own_mask[k]
                        : net->nodes[l->inputs[0]].mask[l->input_slots[0]];
        }
        n->ws_bytes =
            l->type->workspace ? l->type->workspace(l, batch, net->dtype) : 0;
        for (int k = 0; k < l->n_inputs; k++) {
            int p = l->inputs[k], slot = l->input_slots[k];
            dl4c_node *prod = &net->nodes[p];
            dl4c_tensor *e = &n->edge_grads[k].buf;
            n->in_mask_ptrs[k] = prod->mask[slot];
            if (e->data)
                batch_view(net, e, batch, &prod->shapes[slot]);
            if (p < net->n_inputs && !(net->input_grads && prod->grad[0].data))
                n->din_ptrs[k] = NULL;
            else
                n->din_ptrs[k] = e->data ? e : &prod->grad[slot];
        }
    }
    net->batch = batch;
}

dl4c_status dl4c_net_plan(dl4c_net *net, int64_t batch, bool training)
{
    bool want_training = training || net->planned_training;
    bool input_grads_ok = !training || !net->input_grads ||
                          net->n_inputs == 0 ||
                          net->nodes[0].grad[0].data != NULL;
    if (net->arena && batch <= net->capacity &&
        (!training || net->planned_training) && input_grads_ok) {
        if (batch != net->batch)
            set_views(net, batch);
        return DL4C_OK;
    }
    DL4C_RETURN_IF(wire(net));
    int64_t cap = batch > net->capacity ? batch : net->capacity;
    size_t bytes = layout(net, NULL, cap, want_training);
    char *arena = net->be->alloc(bytes ? bytes : 64);
    if (!arena)
        return dl4c_error_set(DL4C_NOMEM,
                              "out of memory planning %zu bytes of "
                              "activations for batch %lld",
                              bytes, (long long)cap);
    net->be->release(net->arena);
    net->arena = arena;
    net->arena_bytes = bytes;
    net->capacity = cap;
    net->planned_training = want_training;
    layout(net, arena, cap, want_training);
    net->batch = 0;
    set_views(net, batch);
    return DL4C_OK;
}

void dl4c_net_zero_states(dl4c_net *net)
{
    for (int i = net->n_inputs; i < net->n_nodes; i++)
        if (net->nodes[i].state)
            memset(net->nodes[i].state, 0, net->nodes[i].state_bytes);
}

void dl4c_net_arena_free(dl4c_net *net)
{
    if (net->arena)
        net->be->release(net->arena);
    net->arena = NULL;
    net->capacity = 0;
    net->planned_training = false;
}
