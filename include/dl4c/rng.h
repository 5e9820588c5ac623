/* Seeded, reproducible random numbers (xoshiro256**, seeded by splitmix64).
 *
 *   dl4c_rng rng;
 *   dl4c_rng_seed(&rng, 42);
 *   double u = dl4c_rng_uniform(&rng);          // [0, 1)
 *   dl4c_rng_fill_normal(&rng, weights, 0.0, 0.05);
 *
 * The state is a plain value: copy it to fork a stream, store it in a
 * checkpoint to resume exactly. There is no global generator: every random
 * decision in dl4c draws from an rng owned by a net or an iterator.
 */
#ifndef DL4C_RNG_H
#define DL4C_RNG_H

#include <stdint.h>

#include "dl4c/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dl4c_rng {
    uint64_t s[4];
} dl4c_rng;

/* Seeds the generator; the same seed always gives the same stream. */
DL4C_API void dl4c_rng_seed(dl4c_rng *rng, uint64_t seed);
/* Next raw 64 random bits. */
DL4C_API uint64_t dl4c_rng_next(dl4c_rng *rng);
/* Uniform double in [0, 1) with 53 random bits. */
DL4C_API double dl4c_rng_uniform(dl4c_rng *rng);
/* Uniform integer in [0, n) without modulo bias; 0 when n == 0. */
DL4C_API uint64_t dl4c_rng_below(dl4c_rng *rng, uint64_t n);
/* Standard normal (Box-Muller, no cached spare, so the state alone
 * determines the stream). */
DL4C_API double dl4c_rng_normal(dl4c_rng *rng);
/* Standard normal redrawn until |x| <= 2 (truncated at two std devs, as
 * Keras' and DL4J's truncated normal initializers do). */
DL4C_API double dl4c_rng_truncated_normal(dl4c_rng *rng);
/* Fisher-Yates shuffle of idx[0..n). */
DL4C_API void dl4c_rng_shuffle(dl4c_rng *rng, int64_t *idx, int64_t n);

/* Fill a tensor (f32 or f64): uniform in [lo, hi), normal(mean, std),
 * truncated normal (mean + std * x, |x| <= 2). */
DL4C_API void dl4c_rng_fill_uniform(dl4c_rng *rng, dl4c_tensor *t, double lo,
                                    double hi);
DL4C_API void dl4c_rng_fill_normal(dl4c_rng *rng, dl4c_tensor *t, double mean,
                                   double std);
DL4C_API void dl4c_rng_fill_truncated_normal(dl4c_rng *rng, dl4c_tensor *t,
                                             double mean, double std);

/* Stateless counter-based uniform in [0, 1): the same (seed, index) always
 * gives the same value. Kernels use it for dropout masks and random slopes
 * so that the backward pass can recompute the forward pass's draws and
 * threads need no shared state. */
static inline double dl4c_hash_uniform(uint64_t seed, uint64_t index)
{
    uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

#ifdef __cplusplus
}
#endif
#endif
