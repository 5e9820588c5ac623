/* Locally connected layers (LocallyConnected1D/2D): a convolution whose
 * weights differ at every output position. im2col of the whole batch,
 * then one GEMM per position [N, taps*C] x [taps*C, F] through the
 * backend's batched GEMM. Kernel [positions, taps*C, filters] and bias
 * [out..., filters] are Keras 2's layouts (implementation 1); the
 * workspace is [columns | pre-activation or its gradient]. */
#include "nn/layers/conv_common.h"

static size_t col_bytes(const dl4c_conv_cfg *c, int64_t batch, dl4c_dtype dt)
{
    return (size_t)(batch * c->positions * c->kcols) * dl4c_dtype_size(dt);
}

dl4c_status dl4c_conv_local_build(dl4c_layer *l)
{
    DL4C_RETURN_IF(dl4c_conv_build_geometry(l));
    dl4c_conv_cfg *c = l->cfg;
    int64_t w[3] = {c->positions, c->kcols, c->filters};
    dl4c_layer_add_param(l, "W", 3, w, c->kcols, c->filters, false);
    if (c->use_bias)
        dl4c_layer_add_param(l, "b", l->out_shapes[0].ndim,
                             l->out_shapes[0].dim, c->kcols, c->filters, true);
    return DL4C_OK;
}

size_t dl4c_conv_local_workspace(const dl4c_layer *l, int64_t batch,
                                 dl4c_dtype dt)
{
    return dl4c_conv_align(col_bytes(l->cfg, batch, dt)) +
           dl4c_conv_z_bytes(l, batch, dt);
}

void dl4c_conv_local_forward(dl4c_layer_ctx *x)
{
    const dl4c_conv_cfg *c = x->layer->cfg;
    const dl4c_backend *be = x->be;
    int64_t N = x->batch, P = c->positions, K = c->kcols, F = c->filters;
    void *col = x->ws;
    void *zbuf = dl4c_conv_zbuf(x, col_bytes(c, N, x->dtype));
    void *z = dl4c_conv_act_from_output(&c->act) ? NULL : zbuf;
    be->conv->im2col(x->dtype, &c->desc.g, N, 0, c->channels, x->in[0]->data,
                     col);
    be->conv->gemm_batched(x->dtype, false, false, P, N, F, K, 1.0, col, P * K,
                           K, x->params[0]->data, F, K * F, 0.0,
                           z ? z : x->out->data, P * F, F);
    dl4c_conv_epilogue(x, c->use_bias ? x->params[1]->data : NULL, P * F, z,
                       x->out->data);
}

void dl4c_conv_local_backward(dl4c_layer_ctx *x)
{
    const dl4c_conv_cfg *c = x->layer->cfg;
    const dl4c_backend *be = x->be;
    int64_t N = x->batch, P = c->positions, K = c->kcols, F = c->filters;
    void *col = x->ws;
    const void *dz =
        dl4c_conv_dz(x, dl4c_conv_zbuf(x, col_bytes(c, N, x->dtype)));
    if (x->grads) {
        if (c->use_bias)
            be->bias_grad(x->dtype, N, P * F, dz, x->grads[1]->data);
        be->conv->gemm_batched(x->dtype, true, false, P, K, F, N, 1.0, col,
                               P * K, K, dz, P * F, F, 0.0, x->grads[0]->data,
                               F, K * F);
    }
    if (!x->din[0])
        return;
    /* column gradients replace the columns */
    be->conv->gemm_batched(x->dtype, false, true, P, N, K, F, 1.0, dz, P * F, F,
                           x->params[0]->data, F, K * F, 0.0, col, P * K, K);
    be->conv->col2im(x->dtype, &c->desc.g, N, 0, c->channels, col,
                     x->din[0]->data);
}
