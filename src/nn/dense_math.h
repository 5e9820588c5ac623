/* The affine part shared by Dense and Output: z = x W + b over the last
 * axis, and its backward pass. x is [rows, in], W [in, units], b [units],
 * z [rows, units]; rows fold the batch and any middle dims. */
#ifndef DL4C_DENSE_MATH_H
#define DL4C_DENSE_MATH_H

#include "nn/layer_internal.h"

void dl4c_dense_forward(const dl4c_layer_ctx *c, const dl4c_tensor *x,
                        const dl4c_tensor *w, const dl4c_tensor *b, void *z);

/* dW = x^T dz, db = column sums of dz, dx = dz W^T; NULL outputs are
 * skipped (dx for a net input, dW/db for a frozen layer). */
void dl4c_dense_backward(const dl4c_layer_ctx *c, const dl4c_tensor *x,
                         const dl4c_tensor *w, const void *dz, dl4c_tensor *dw,
                         dl4c_tensor *db, dl4c_tensor *dx);

#endif
