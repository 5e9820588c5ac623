/* Weight initialization schemes.
 *
 *   dl4c_init init = dl4c_init_default(DL4C_INIT_XAVIER);
 *   dl4c_init_fill(&init, weights, fan_in, fan_out, &rng);
 *
 * fan_in / fan_out are those of the layer (Dense: inputs, units). Meaning
 * of the parameters a and b per scheme:
 *   XAVIER           normal, std sqrt(2/(fan_in+fan_out))     (DL4J XAVIER)
 *   XAVIER_UNIFORM   U[-s, s], s = sqrt(6/(fan_in+fan_out))   (glorot_uniform)
 *   RELU             normal, std sqrt(2/fan_in)               (He)
 *   RELU_UNIFORM     U[-s, s], s = sqrt(6/fan_in)
 *   LECUN_NORMAL     normal, std sqrt(1/fan_in)
 *   LECUN_UNIFORM    U[-s, s], s = sqrt(3/fan_in)
 *   ZERO, ONES       0, 1
 *   CONSTANT         a
 *   UNIFORM          U[a, b] when a < b, else U[-1/sqrt(fan_in),
 * +1/sqrt(fan_in)] NORMAL           normal(a, b) when b > 0, else normal(0,
 * 1/sqrt(fan_in)) TRUNCATED_NORMAL as NORMAL, redrawn beyond two std devs
 *   ORTHOGONAL       a (gain, default 1) times an orthogonal matrix
 *                    (rows = product of leading dims, cols = last dim)
 *   IDENTITY         a (gain, default 1) times the identity (square 2-D)
 */
#ifndef DL4C_INIT_H
#define DL4C_INIT_H

#include "dl4c/rng.h"
#include "dl4c/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dl4c_init_id {
    DL4C_INIT_XAVIER = 0,
    DL4C_INIT_XAVIER_UNIFORM,
    DL4C_INIT_RELU,
    DL4C_INIT_RELU_UNIFORM,
    DL4C_INIT_LECUN_NORMAL,
    DL4C_INIT_LECUN_UNIFORM,
    DL4C_INIT_ZERO,
    DL4C_INIT_ONES,
    DL4C_INIT_CONSTANT,
    DL4C_INIT_UNIFORM,
    DL4C_INIT_NORMAL,
    DL4C_INIT_TRUNCATED_NORMAL,
    DL4C_INIT_ORTHOGONAL,
    DL4C_INIT_IDENTITY,
    DL4C_INIT_COUNT
} dl4c_init_id;

typedef struct dl4c_init {
    dl4c_init_id id;
    double a;
    double b;
} dl4c_init;

DL4C_API dl4c_init dl4c_init_default(dl4c_init_id id);

/* DL4J names ("xavier", "relu", "zero", ...) and Keras names and classes
 * ("glorot_uniform", "he_normal", "zeros", "lecun_normal",
 * "GlorotUniform", ...), ignoring case and underscores. Keras names map to
 * the scheme of the same variance: glorot_normal -> XAVIER, he_normal ->
 * RELU (Keras draws these from a rescaled truncated normal, dl4c from a
 * normal), glorot_uniform -> XAVIER_UNIFORM, he_uniform -> RELU_UNIFORM,
 * random_uniform -> UNIFORM(-0.05, 0.05), random_normal ->
 * NORMAL(0, 0.05); "truncated_normal", "uniform" and "normal" are dl4c's
 * fan-based schemes unless a and b are set. DL4C_INVALID_ARG naming the
 * unknown scheme otherwise. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_init_parse(const char *name,
                                                    dl4c_init *out);
DL4C_API const char *dl4c_init_name(dl4c_init_id id);

/* Fills w according to the scheme, drawing from rng in element order
 * (ORTHOGONAL: column by column of its tall matrix), so a seed gives the
 * same weights in float32 and float64. rng may be NULL for ZERO, ONES,
 * CONSTANT and IDENTITY. DL4C_SHAPE for IDENTITY on a non-square tensor;
 * DL4C_INVALID_ARG for fan_in < 1 or fan_out < 0; DL4C_NOMEM (ORTHOGONAL
 * works in a scratch copy). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_init_fill(const dl4c_init *init,
                                                   dl4c_tensor *w,
                                                   int64_t fan_in,
                                                   int64_t fan_out,
                                                   dl4c_rng *rng);

#ifdef __cplusplus
}
#endif
#endif
