/* Separable convolution (SeparableConv1D/2D): a depthwise convolution
 * (no bias) into the workspace, then a pointwise GEMM with the
 * [1..., C*dm, filters] kernel, bias and activation, as Keras does it.
 * The workspace is [depthwise output | pre-activation or its gradient];
 * the depthwise output is the pointwise GEMM's input in backward and is
 * then overwritten by its own gradient. */
#include "nn/layers/conv_common.h"

static size_t mid_bytes(const dl4c_conv_cfg *c, int64_t batch, dl4c_dtype dt)
{
    return (size_t)(batch * c->positions * c->channels * c->depth_multiplier) *
           dl4c_dtype_size(dt);
}

dl4c_status dl4c_conv_separable_build(dl4c_layer *l)
{
    DL4C_RETURN_IF(dl4c_conv_build_geometry(l));
    dl4c_conv_cfg *c = l->cfg;
    int r = c->rank;
    int64_t dw[5], pw[5], taps = 1, cm = c->channels * c->depth_multiplier;
    for (int i = 0; i < r; i++) {
        dw[i] = c->kernel[i];
        pw[i] = 1;
        taps *= c->kernel[i];
    }
    dw[r] = c->channels;
    dw[r + 1] = c->depth_multiplier;
    pw[r] = cm;
    pw[r + 1] = c->filters;
    dl4c_layer_add_param(l, "depthwise_W", r + 2, dw, taps * c->channels,
                         taps * c->depth_multiplier, false);
    dl4c_layer_add_param(l, "pointwise_W", r + 2, pw, cm, c->filters, false);
    if (c->use_bias)
        dl4c_layer_add_param(l, "b", 1, &c->filters, cm, c->filters, true);
    return DL4C_OK;
}

size_t dl4c_conv_separable_workspace(const dl4c_layer *l, int64_t batch,
                                     dl4c_dtype dt)
{
    return dl4c_conv_align(mid_bytes(l->cfg, batch, dt)) +
           dl4c_conv_z_bytes(l, batch, dt);
}

void dl4c_conv_separable_forward(dl4c_layer_ctx *x)
{
    const dl4c_conv_cfg *c = x->layer->cfg;
    int64_t N = x->batch, F = c->filters;
    int64_t cm = c->channels * c->depth_multiplier;
    void *mid = x->ws;
    void *zbuf = dl4c_conv_zbuf(x, mid_bytes(c, N, x->dtype));
    void *z = dl4c_conv_act_from_output(&c->act) ? NULL : zbuf;
    x->be->conv->depthwise_forward(x->dtype, &c->desc.g, N, c->depth_multiplier,
                                   x->in[0]->data, x->params[0]->data, mid);
    x->be->gemm(x->dtype, false, false, N * c->positions, F, cm, 1.0, mid, cm,
                x->params[1]->data, F, 0.0, z ? z : x->out->data, F);
    dl4c_conv_epilogue(x, c->use_bias ? x->params[2]->data : NULL, F, z,
                       x->out->data);
}

void dl4c_conv_separable_backward(dl4c_layer_ctx *x)
{
    const dl4c_conv_cfg *c = x->layer->cfg;
    const dl4c_backend *be = x->be;
    int64_t N = x->batch, F = c->filters, rows = N * c->positions;
    int64_t dm = c->depth_multiplier, cm = c->channels * dm;
    void *mid = x->ws;
    const void *dz =
        dl4c_conv_dz(x, dl4c_conv_zbuf(x, mid_bytes(c, N, x->dtype)));
    if (x->grads) {
        if (c->use_bias)
            be->bias_grad(x->dtype, rows, F, dz, x->grads[2]->data);
        be->gemm(x->dtype, true, false, cm, F, rows, 1.0, mid, cm, dz, F, 0.0,
                 x->grads[1]->data, F);
    }
    if (!x->grads && !x->din[0])
        return;
    /* the depthwise output's gradient replaces it */
    be->gemm(x->dtype, false, true, rows, cm, F, 1.0, dz, F, x->params[1]->data,
             F, 0.0, mid, cm);
    if (x->grads)
        be->conv->depthwise_backward_filter(x->dtype, &c->desc.g, N, dm,
                                            x->in[0]->data, mid,
                                            x->grads[0]->data);
    if (x->din[0])
        be->conv->depthwise_backward_data(x->dtype, &c->desc.g, N, dm, mid,
                                          x->params[0]->data, x->din[0]->data);
}
