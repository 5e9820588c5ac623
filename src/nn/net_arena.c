/* The activation arena. When the batch size grows past the planned
 * capacity (or training needs gradient buffers an inference plan lacks),
 * one block is sized for every node's output, output gradient, workspace,
 * loss scratch and shared-producer edge gradients; smaller batches reuse
 * it by shrinking the views' batch dim. So a steady-state step, the last
 * short batch of an epoch included, allocates nothing. */
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

/* rows of a node's output when its last dim is the columns */
static int64_t row_count(int64_t batch, const dl4c_shape *shape)
{
    int64_t rows = batch;
    for (int d = 0; d + 1 < shape->ndim; d++)
        rows *= shape->dim[d];
    return rows;
}

static bool needs_edge_buffer(const dl4c_net *net, int producer)
{
    return producer >= net->n_inputs && net->nodes[producer].n_uses > 1;
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
                          ? TAKE(tensor_bytes(net, cap, &n->shape))
                          : NULL;
            if (base)
                n->grad.data = g;
            continue;
        }
        dl4c_layer *l = n->layer;
        void *o = TAKE(tensor_bytes(net, cap, &n->shape));
        void *g = training ? TAKE(tensor_bytes(net, cap, &n->shape)) : NULL;
        size_t wsb = l->type->workspace
                         ? align64(l->type->workspace(l, cap, net->dtype))
                         : 0;
        void *ws = wsb ? TAKE(wsb) : NULL;
        void *rs = dl4c_node_is_loss(n)
                       ? TAKE(align64((size_t)row_count(cap, &n->shape) *
                                      sizeof(double)))
                       : NULL;
        if (base) {
            n->out.data = o;
            n->grad.data = g;
            n->ws = ws;
            n->row_scores = rs;
        }
        for (int k = 0; k < l->n_inputs; k++) {
            int p = l->inputs[k];
            void *e = training && needs_edge_buffer(net, p)
                          ? TAKE(tensor_bytes(net, cap, &net->nodes[p].shape))
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
        n->in_ptrs = dl4c_calloc((size_t)l->n_inputs, sizeof *n->in_ptrs);
        n->din_ptrs = dl4c_calloc((size_t)l->n_inputs, sizeof *n->din_ptrs);
        n->edge_grads = dl4c_calloc((size_t)l->n_inputs, sizeof *n->edge_grads);
        if (!n->in_ptrs || !n->din_ptrs || !n->edge_grads)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        for (int k = 0; k < l->n_inputs; k++)
            n->in_ptrs[k] = &net->nodes[l->inputs[k]].out;
        for (int p = 0; p < l->n_params; p++) {
            dl4c_param_spec *s = &l->params[p];
            size_t off = (size_t)l->param_offset[p] * dts;
            dl4c_tensor_init_view(&n->param_views[p], net->be, net->dtype,
                                  (char *)net->param_data + off, s->shape.ndim,
                                  s->shape.dim);
            dl4c_tensor_init_view(&n->grad_views[p], net->be, net->dtype,
                                  net->grad_data ? (char *)net->grad_data + off
                                                 : NULL,
                                  s->shape.ndim, s->shape.dim);
            n->param_ptrs[p] = &n->param_views[p];
            n->grad_ptrs[p] = &n->grad_views[p];
        }
    }
    return DL4C_OK;
}

static void set_views(dl4c_net *net, int64_t batch)
{
    for (int i = 0; i < net->n_nodes; i++) {
        dl4c_node *n = &net->nodes[i];
        if (n->grad.data || !n->layer)
            dl4c_tensor_init_batch_view(&n->grad, net->be, net->dtype,
                                        n->grad.data, batch, &n->shape);
        if (!n->layer)
            continue;
        dl4c_layer *l = n->layer;
        dl4c_tensor_init_batch_view(&n->out, net->be, net->dtype, n->out.data,
                                    batch, &n->shape);
        n->ws_bytes =
            l->type->workspace ? l->type->workspace(l, batch, net->dtype) : 0;
        for (int k = 0; k < l->n_inputs; k++) {
            int p = l->inputs[k];
            dl4c_node *prod = &net->nodes[p];
            dl4c_tensor *e = &n->edge_grads[k].buf;
            if (e->data)
                dl4c_tensor_init_batch_view(e, net->be, net->dtype, e->data,
                                            batch, &prod->shape);
            if (p < net->n_inputs)
                n->din_ptrs[k] =
                    net->input_grads && prod->grad.data ? &prod->grad : NULL;
            else
                n->din_ptrs[k] = e->data ? e : &prod->grad;
        }
    }
    net->batch = batch;
}

dl4c_status dl4c_net_plan(dl4c_net *net, int64_t batch, bool training)
{
    bool want_training = training || net->planned_training;
    bool input_grads_ok = !training || !net->input_grads ||
                          net->n_inputs == 0 || net->nodes[0].grad.data != NULL;
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
    set_views(net, batch);
    return DL4C_OK;
}

void dl4c_net_arena_free(dl4c_net *net)
{
    if (net->arena)
        net->be->release(net->arena);
    net->arena = NULL;
    net->capacity = 0;
    net->planned_training = false;
}
