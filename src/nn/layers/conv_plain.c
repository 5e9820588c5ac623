/* Plain convolution (Conv1D, Conv2D, Conv3D) through the backend's
 * convolution entries (im2col + GEMM in cache-sized blocks on the CPU,
 * see backend_conv.h), with the bias and a ReLU fused into the forward
 * pass. The workspace is [backend scratch | pre-activation or its
 * gradient]; the pre-activation is kept only for activations whose
 * derivative needs it. */
#include "nn/layers/conv_common.h"

static size_t scratch_bytes(const dl4c_conv_cfg *c, int64_t batch,
                            dl4c_dtype dt)
{
    return dl4c_conv_plan_make(dt, &c->desc, batch).bytes;
}

dl4c_status dl4c_conv_plain_build(dl4c_layer *l)
{
    DL4C_RETURN_IF(dl4c_conv_build_geometry(l));
    dl4c_conv_cfg *c = l->cfg;
    int r = c->rank;
    int64_t w[5], taps = 1;
    for (int i = 0; i < r; i++) {
        w[i] = c->kernel[i];
        taps *= c->kernel[i];
    }
    w[r] = c->channels / c->groups;
    w[r + 1] = c->filters;
    dl4c_layer_add_param(l, "W", r + 2, w, taps * w[r], taps * c->filters,
                         false);
    if (c->use_bias)
        dl4c_layer_add_param(l, "b", 1, &c->filters, taps * w[r],
                             taps * c->filters, true);
    return DL4C_OK;
}

size_t dl4c_conv_plain_workspace(const dl4c_layer *l, int64_t batch,
                                 dl4c_dtype dt)
{
    return dl4c_conv_align(scratch_bytes(l->cfg, batch, dt)) +
           dl4c_conv_z_bytes(l, batch, dt);
}

void dl4c_conv_plain_forward(dl4c_layer_ctx *x)
{
    const dl4c_conv_cfg *c = x->layer->cfg;
    void *zbuf = dl4c_conv_zbuf(x, scratch_bytes(c, x->batch, x->dtype));
    void *z = dl4c_conv_act_from_output(&c->act) ? NULL : zbuf;
    bool relu = c->act.id == DL4C_ACT_RELU;
    x->be->conv->forward(x->dtype, &c->desc, x->batch, x->in[0]->data,
                         x->params[0]->data,
                         c->use_bias ? x->params[1]->data : NULL, relu,
                         z ? z : x->out->data, x->ws);
    if (!relu)
        dl4c_conv_epilogue(x, NULL, c->out_channels, z, x->out->data);
}

void dl4c_conv_plain_backward(dl4c_layer_ctx *x)
{
    const dl4c_conv_cfg *c = x->layer->cfg;
    const dl4c_backend *be = x->be;
    const void *dz = dl4c_conv_dz(
        x, dl4c_conv_zbuf(x, scratch_bytes(c, x->batch, x->dtype)));
    if (x->grads) {
        if (c->use_bias)
            be->bias_grad(x->dtype, x->batch * c->positions, c->filters, dz,
                          x->grads[1]->data);
        be->conv->backward_filter(x->dtype, &c->desc, x->batch, x->in[0]->data,
                                  dz, x->grads[0]->data, x->ws);
    }
    if (x->din[0])
        be->conv->backward_data(x->dtype, &c->desc, x->batch, dz,
                                x->params[0]->data, x->din[0]->data, x->ws);
}
