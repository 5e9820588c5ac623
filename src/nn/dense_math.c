/* Affine forward/backward through the backend GEMM (see dense_math.h). */
#include "nn/dense_math.h"

void dl4c_dense_forward(const dl4c_layer_ctx *c, const dl4c_tensor *x,
                        const dl4c_tensor *w, const dl4c_tensor *b, void *z)
{
    int64_t in = w->shape[0], units = w->shape[1];
    int64_t rows = x->size / in;
    if (rows == 1 && c->packed)
        c->be->gemv_packed(c->dtype, in, units, x->data, c->packed, z);
    else
        c->be->gemm(c->dtype, false, false, rows, units, in, 1.0, x->data, in,
                    w->data, units, 0.0, z, units);
    if (b)
        c->be->bias_add(c->dtype, rows, units, b->data, z);
}

void dl4c_dense_backward(const dl4c_layer_ctx *c, const dl4c_tensor *x,
                         const dl4c_tensor *w, const void *dz, dl4c_tensor *dw,
                         dl4c_tensor *db, dl4c_tensor *dx)
{
    int64_t in = w->shape[0], units = w->shape[1];
    int64_t rows = x->size / in;
    if (dw)
        c->be->gemm(c->dtype, true, false, in, units, rows, 1.0, x->data, in,
                    dz, units, 0.0, dw->data, units);
    if (db)
        c->be->bias_grad(c->dtype, rows, units, dz, db->data);
    if (dx)
        c->be->gemm(c->dtype, false, true, rows, in, units, 1.0, dz, units,
                    w->data, units, 0.0, dx->data, in);
}
