/* Depthwise convolution (DepthwiseConv1D/2D): each input channel gets
 * its own depth_multiplier filters, output channel c*dm + m as in Keras.
 * Direct kernels from the backend (one multiply-add per tap and channel,
 * vectorized along the channels) instead of im2col: a GEMM with one
 * channel's taps as its inner dimension would be far too thin. Kernel
 * [k..., C, dm] and bias [C*dm] are Keras' layouts. */
#include "nn/layers/conv_common.h"

dl4c_status dl4c_conv_depthwise_build(dl4c_layer *l)
{
    DL4C_RETURN_IF(dl4c_conv_build_geometry(l));
    dl4c_conv_cfg *c = l->cfg;
    int r = c->rank;
    int64_t w[5], taps = 1;
    for (int i = 0; i < r; i++) {
        w[i] = c->kernel[i];
        taps *= c->kernel[i];
    }
    w[r] = c->channels;
    w[r + 1] = c->depth_multiplier;
    /* Keras' fans for a [k..., C, dm] kernel */
    dl4c_layer_add_param(l, "W", r + 2, w, taps * c->channels,
                         taps * c->depth_multiplier, false);
    if (c->use_bias)
        dl4c_layer_add_param(l, "b", 1, &c->out_channels, taps * c->channels,
                             taps * c->depth_multiplier, true);
    return DL4C_OK;
}

size_t dl4c_conv_depthwise_workspace(const dl4c_layer *l, int64_t batch,
                                     dl4c_dtype dt)
{
    return dl4c_conv_z_bytes(l, batch, dt);
}

void dl4c_conv_depthwise_forward(dl4c_layer_ctx *x)
{
    const dl4c_conv_cfg *c = x->layer->cfg;
    void *zbuf = dl4c_conv_zbuf(x, 0);
    void *z = dl4c_conv_act_from_output(&c->act) ? NULL : zbuf;
    x->be->conv->depthwise_forward(x->dtype, &c->desc.g, x->batch,
                                   c->depth_multiplier, x->in[0]->data,
                                   x->params[0]->data, z ? z : x->out->data);
    dl4c_conv_epilogue(x, c->use_bias ? x->params[1]->data : NULL,
                       c->out_channels, z, x->out->data);
}

void dl4c_conv_depthwise_backward(dl4c_layer_ctx *x)
{
    const dl4c_conv_cfg *c = x->layer->cfg;
    const struct dl4c_backend_conv *cv = x->be->conv;
    const void *dz = dl4c_conv_dz(x, dl4c_conv_zbuf(x, 0));
    int64_t N = x->batch, dm = c->depth_multiplier;
    if (x->grads) {
        if (c->use_bias)
            x->be->bias_grad(x->dtype, N * c->positions, c->out_channels, dz,
                             x->grads[1]->data);
        cv->depthwise_backward_filter(x->dtype, &c->desc.g, N, dm,
                                      x->in[0]->data, dz, x->grads[0]->data);
    }
    if (x->din[0])
        cv->depthwise_backward_data(x->dtype, &c->desc.g, N, dm, dz,
                                    x->params[0]->data, x->din[0]->data);
}
