/* Packed weights for single-example inference (dl4c_net_prepare_inference):
 * one block holding a packed copy of every packs_weight layer's W, rebuilt
 * whenever the parameters may have changed since it was made. */
#include "core/error_internal.h"
#include "nn/net_internal.h"

static bool packable(const dl4c_node *n)
{
    return n->layer && n->layer->type->packs_weight && n->layer->n_params > 0 &&
           n->layer->params[0].shape.ndim == 2;
}

static size_t packed_bytes(const dl4c_net *net, const dl4c_node *n)
{
    const dl4c_shape *s = &n->layer->params[0].shape;
    size_t b = net->be->packed_size(net->dtype, s->dim[0], s->dim[1]);
    return (b + 63) & ~(size_t)63;
}

void dl4c_net_refresh_packs(dl4c_net *net)
{
    if (net->pack_version == net->param_version)
        return;
    size_t dts = dl4c_dtype_size(net->dtype);
    for (int i = net->n_inputs; i < net->n_nodes; i++) {
        dl4c_node *n = &net->nodes[i];
        if (!n->packed)
            continue;
        const dl4c_layer *l = n->layer;
        const dl4c_shape *s = &l->params[0].shape;
        net->be->pack(net->dtype, s->dim[0], s->dim[1],
                      (const char *)net->param_data +
                          (size_t)l->param_offset[0] * dts,
                      n->packed);
    }
    net->pack_version = net->param_version;
}

dl4c_status dl4c_net_prepare_inference(dl4c_net *net)
{
    if (!net->pack_data) {
        size_t total = 0;
        for (int i = net->n_inputs; i < net->n_nodes; i++)
            if (packable(&net->nodes[i]))
                total += packed_bytes(net, &net->nodes[i]);
        if (total == 0)
            return DL4C_OK;
        net->pack_data = net->be->alloc(total);
        if (!net->pack_data)
            return dl4c_error_set(DL4C_NOMEM,
                                  "out of memory packing %zu bytes of weights",
                                  total);
        char *p = net->pack_data;
        for (int i = net->n_inputs; i < net->n_nodes; i++)
            if (packable(&net->nodes[i])) {
                net->nodes[i].packed = p;
                p += packed_bytes(net, &net->nodes[i]);
            }
    }
    net->packing = true;
    net->pack_version = net->param_version - 1;
    dl4c_net_refresh_packs(net);
    return DL4C_OK;
}
