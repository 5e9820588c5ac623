/* Activation functions: the catalogue, by name, with forward and backward.
 *
 *   dl4c_activation act;
 *   if (dl4c_activation_parse("leakyrelu", &act) != DL4C_OK) ...
 *   act.alpha = 0.2;                              // slope for x < 0
 *   dl4c_activation_forward(&act, x, y, 0, 0);   // y = f(x)
 *
 * Every activation is elementwise except SOFTMAX, which normalizes over the
 * last axis. Parameters (alpha, beta) get their defaults from
 * dl4c_activation_parse / dl4c_activation_default; what they mean:
 *   ELU        alpha: scale of the negative part (1.0)
 *   HARDSIGMOID  clip(alpha*x + beta, 0, 1) (0.2, 0.5 as Keras 2 and DL4J)
 *   HARDTANH   clip(x, alpha, beta) (-1, 1)
 *   LEAKYRELU  alpha: slope for x < 0 (0.01, as DL4J)
 *   RRELU      slope drawn from U[alpha, beta] per element while training,
 *              (alpha+beta)/2 at inference (1/8, 1/3)
 *   RELU6      min(max(x, 0), 6)
 *   GELU       alpha = 0: exact x*Phi(x); alpha = 1: tanh approximation
 *   SWISH      x * sigmoid(x) (also called SiLU)
 *   SELU       fixed constants of Klambauer et al. 2017
 */
#ifndef DL4C_ACTIVATION_H
#define DL4C_ACTIVATION_H

#include <stdbool.h>
#include <stdint.h>

#include "dl4c/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dl4c_activation_id {
    DL4C_ACT_IDENTITY = 0,
    DL4C_ACT_CUBE,
    DL4C_ACT_ELU,
    DL4C_ACT_HARDSIGMOID,
    DL4C_ACT_HARDTANH,
    DL4C_ACT_LEAKYRELU,
    DL4C_ACT_RATIONALTANH,
    DL4C_ACT_RELU,
    DL4C_ACT_RELU6,
    DL4C_ACT_RRELU,
    DL4C_ACT_SIGMOID,
    DL4C_ACT_SOFTMAX,
    DL4C_ACT_SOFTPLUS,
    DL4C_ACT_SOFTSIGN,
    DL4C_ACT_TANH,
    DL4C_ACT_SELU,
    DL4C_ACT_GELU,
    DL4C_ACT_SWISH,
    DL4C_ACT_MISH,
    DL4C_ACT_COUNT
} dl4c_activation_id;

typedef struct dl4c_activation {
    dl4c_activation_id id;
    double alpha;
    double beta;
} dl4c_activation;

/* The activation with its default parameters. */
DL4C_API dl4c_activation dl4c_activation_default(dl4c_activation_id id);

/* Looks up a name, ignoring case and underscores: DL4J names ("relu",
 * "leakyrelu", "identity", "softmax", ...) and Keras names and classes
 * ("linear", "silu", "swish", "hard_sigmoid", "leaky_relu", "LeakyReLU",
 * "gelu", "relu6", ...), with default parameters. Keras 3's hard_sigmoid
 * has slope 1/6: an importer sets alpha itself. DL4C_INVALID_ARG ("unknown
 * activation 'xyz'") otherwise. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_activation_parse(const char *name,
                                                          dl4c_activation *out);

/* Canonical lower-case name ("relu"), as written to configs. */
DL4C_API const char *dl4c_activation_name(dl4c_activation_id id);

/* y = f(x). x and y have the same shape, dtype and backend, else
 * DL4C_SHAPE / DL4C_INVALID_ARG. y may equal x, but the backward pass reads
 * the forward input, so keep x when it will be needed. `training` selects
 * RRELU's random slopes, drawn from `seed`; pass the same seed to the
 * backward call. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_activation_forward(const dl4c_activation *act, const dl4c_tensor *x,
                        dl4c_tensor *y, bool training, uint64_t seed);

/* dx = dy * f'(x) (for SOFTMAX the Jacobian-vector product over the last
 * axis). x is the forward input, y the forward output; all four tensors
 * have one shape, dtype and backend. dx may equal dy. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_activation_backward(
    const dl4c_activation *act, const dl4c_tensor *x, const dl4c_tensor *y,
    const dl4c_tensor *dy, dl4c_tensor *dx, bool training, uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif
