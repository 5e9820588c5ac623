/* xoshiro256** seeded through splitmix64. The generator state is four
 * words and nothing else (no cached normal), so saving those words is
 * enough to resume a stream exactly. */
#include <math.h>

#include "core/tensor_internal.h"
#include "dl4c/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void dl4c_rng_seed(dl4c_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

uint64_t dl4c_rng_next(dl4c_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double dl4c_rng_uniform(dl4c_rng *rng)
{
    return (double)(dl4c_rng_next(rng) >> 11) * 0x1.0p-53;
}

uint64_t dl4c_rng_below(dl4c_rng *rng, uint64_t n)
{
    if (n == 0)
        return 0;
    /* reject the top partial block so every residue is equally likely */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
        x = dl4c_rng_next(rng);
    } while (x >= limit);
    return x % n;
}

double dl4c_rng_normal(dl4c_rng *rng)
{
    double u1;
    do {
        u1 = dl4c_rng_uniform(rng);
    } while (u1 <= 0.0);
    double u2 = dl4c_rng_uniform(rng);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double dl4c_rng_truncated_normal(dl4c_rng *rng)
{
    double x;
    do {
        x = dl4c_rng_normal(rng);
    } while (fabs(x) > 2.0);
    return x;
}

void dl4c_rng_shuffle(dl4c_rng *rng, int64_t *idx, int64_t n)
{
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)dl4c_rng_below(rng, (uint64_t)i + 1);
        int64_t tmp = idx[i];
        idx[i] = idx[j];
        idx[j] = tmp;
    }
}

void dl4c_rng_fill_uniform(dl4c_rng *rng, dl4c_tensor *t, double lo, double hi)
{
    /* lo + (hi - lo) * u can round up to hi, in double and more often in
     * float; such draws become the largest value below hi, keeping the
     * interval half-open */
    double top = INFINITY;
    if (hi > lo)
        top = t->dtype == DL4C_F32 ? (double)nextafterf((float)hi, -INFINITY)
                                   : nextafter(hi, -INFINITY);
    for (int64_t i = 0; i < t->size; i++) {
        double v = lo + (hi - lo) * dl4c_rng_uniform(rng);
        dl4c_tensor_set(t, i, v > top ? top : v);
    }
}

void dl4c_rng_fill_normal(dl4c_rng *rng, dl4c_tensor *t, double mean,
                          double std)
{
    for (int64_t i = 0; i < t->size; i++)
        dl4c_tensor_set(t, i, mean + std * dl4c_rng_normal(rng));
}

void dl4c_rng_fill_truncated_normal(dl4c_rng *rng, dl4c_tensor *t, double mean,
                                    double std)
{
    for (int64_t i = 0; i < t->size; i++)
        dl4c_tensor_set(t, i, mean + std * dl4c_rng_truncated_normal(rng));
}
