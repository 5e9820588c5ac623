// labels: unit
/* The seeded generator: exact xoshiro256** and splitmix64 outputs,
 * reproducibility and forking, the distributions (uniform, normal,
 * truncated normal, unbiased integers, shuffles, tensor fills) and the
 * stateless dl4c_hash_uniform. Statistical bounds are several standard
 * errors wide, and every stream is seeded, so results never flake. */
#include <stdint.h>

#include "test.h"

#define DRAWS 100000

static void test_seed_is_splitmix64(void)
{
    /* published splitmix64 outputs for seed 1234567 */
    dl4c_rng r;
    dl4c_rng_seed(&r, 1234567);
    CHECK(r.s[0] == UINT64_C(6457827717110365317));
    CHECK(r.s[1] == UINT64_C(3203168211198807973));
    CHECK(r.s[2] == UINT64_C(9817491932198370423));
    CHECK(r.s[3] == UINT64_C(4593380528125082431));
}

static void test_next_is_xoshiro256starstar(void)
{
    /* the reference implementation's outputs from state {1, 2, 3, 4} */
    dl4c_rng r = {{1, 2, 3, 4}};
    CHECK(dl4c_rng_next(&r) == UINT64_C(11520));
    CHECK(dl4c_rng_next(&r) == UINT64_C(0));
    CHECK(dl4c_rng_next(&r) == UINT64_C(1509978240));
    CHECK(dl4c_rng_next(&r) == UINT64_C(1215971899390074240));
    CHECK(dl4c_rng_next(&r) == UINT64_C(1216172134540287360));

    /* and from seed 42, through splitmix64 */
    dl4c_rng_seed(&r, 42);
    CHECK(dl4c_rng_next(&r) == UINT64_C(0x15780b2e0c2ec716));
    CHECK(dl4c_rng_next(&r) == UINT64_C(0x6104d9866d113a7e));
    CHECK(dl4c_rng_next(&r) == UINT64_C(0xae17533239e499a1));
    CHECK(dl4c_rng_next(&r) == UINT64_C(0xecb8ad4703b360a1));

    /* uniform uses the top 53 bits */
    dl4c_rng_seed(&r, 0);
    CHECK(dl4c_rng_uniform(&r) ==
          (double)(UINT64_C(0x99ec5f36cb75f2b4) >> 11) * 0x1.0p-53);
}

static void test_same_seed_same_stream(void)
{
    dl4c_rng a, b, c;
    dl4c_rng_seed(&a, 2024);
    dl4c_rng_seed(&b, 2024);
    dl4c_rng_seed(&c, 2025);
    int same = 0, same_other = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = dl4c_rng_next(&a), y = dl4c_rng_next(&b);
        uint64_t z = dl4c_rng_next(&c);
        same += x == y;
        same_other += x == z;
    }
    CHECK(same == 1000);
    CHECK(same_other == 0);

    /* derived draws are reproducible too */
    dl4c_rng_seed(&a, 7);
    dl4c_rng_seed(&b, 7);
    int equal = 0;
    for (int i = 0; i < 100; i++) {
        equal += dl4c_rng_normal(&a) == dl4c_rng_normal(&b);
        equal += dl4c_rng_uniform(&a) == dl4c_rng_uniform(&b);
        equal += dl4c_rng_below(&a, 10) == dl4c_rng_below(&b, 10);
        equal += dl4c_rng_truncated_normal(&a) == dl4c_rng_truncated_normal(&b);
    }
    CHECK(equal == 400);

    /* seeds 0 and 1 give unrelated, non-degenerate states */
    dl4c_rng_seed(&a, 0);
    dl4c_rng_seed(&b, 1);
    CHECK(a.s[0] != b.s[0] && a.s[1] != b.s[1]);
    CHECK((a.s[0] | a.s[1] | a.s[2] | a.s[3]) != 0);
}

static void test_copy_forks_stream(void)
{
    dl4c_rng a;
    dl4c_rng_seed(&a, 99);
    for (int i = 0; i < 17; i++)
        (void)dl4c_rng_next(&a);
    dl4c_rng b = a; /* fork */
    int same = 0;
    for (int i = 0; i < 100; i++)
        same += dl4c_rng_uniform(&a) == dl4c_rng_uniform(&b);
    CHECK(same == 100);
    /* the two copies then advance independently */
    (void)dl4c_rng_next(&a);
    uint64_t xa = dl4c_rng_next(&a), xb = dl4c_rng_next(&b);
    CHECK(xa != xb);
    uint64_t xb2 = dl4c_rng_next(&b);
    CHECK(xa == xb2);
}

static void test_uniform(void)
{
    dl4c_rng r;
    dl4c_rng_seed(&r, 1);
    double sum = 0, lo = 1, hi = 0;
    int buckets[10] = {0};
    for (int i = 0; i < DRAWS; i++) {
        double u = dl4c_rng_uniform(&r);
        sum += u;
        lo = fmin(lo, u);
        hi = fmax(hi, u);
        int k = (int)(u * 10);
        if (k >= 0 && k < 10)
            buckets[k]++;
    }
    CHECK(lo >= 0.0);
    CHECK(hi < 1.0);
    CHECK(lo < 1e-3 && hi > 0.999);
    /* standard error of the mean: 0.2887 / sqrt(1e5) = 0.00091 */
    CHECK_NEAR(sum / DRAWS, 0.5, 0.005);
    /* chi-square over 10 buckets, 9 dof: 27.9 is p = 0.001 */
    double chi = 0;
    for (int k = 0; k < 10; k++) {
        double d = buckets[k] - DRAWS / 10.0;
        chi += d * d / (DRAWS / 10.0);
    }
    CHECK_MSG(chi < 27.9, "chi-square %g", chi);
}

static void test_normal(void)
{
    dl4c_rng r;
    dl4c_rng_seed(&r, 2);
    double sum = 0, sq = 0;
    int beyond2 = 0, finite = 0;
    for (int i = 0; i < DRAWS; i++) {
        double x = dl4c_rng_normal(&r);
        finite += isfinite(x);
        sum += x;
        sq += x * x;
        beyond2 += fabs(x) > 2.0;
    }
    double mean = sum / DRAWS;
    double sd = sqrt(sq / DRAWS - mean * mean);
    CHECK(finite == DRAWS);
    CHECK_NEAR(mean, 0.0, 0.02);
    CHECK_NEAR(sd, 1.0, 0.02);
    /* P(|x| > 2) = 0.0455 */
    CHECK_NEAR(beyond2 / (double)DRAWS, 0.0455, 0.004);
}

static void test_truncated_normal(void)
{
    dl4c_rng r;
    dl4c_rng_seed(&r, 3);
    double sum = 0, sq = 0, worst = 0;
    for (int i = 0; i < DRAWS; i++) {
        double x = dl4c_rng_truncated_normal(&r);
        worst = fmax(worst, fabs(x));
        sum += x;
        sq += x * x;
    }
    double mean = sum / DRAWS;
    double sd = sqrt(sq / DRAWS - mean * mean);
    CHECK(worst <= 2.0);
    CHECK(worst > 1.95); /* the tails up to 2 are still reached */
    CHECK_NEAR(mean, 0.0, 0.02);
    /* std of a standard normal truncated at +-2 */
    CHECK_NEAR(sd, 0.8796, 0.01);
}

/* Chi-square statistic of `draws` values of dl4c_rng_below(n). */
static double below_chi_square(dl4c_rng *r, uint64_t n, int draws,
                               int *out_of_range)
{
    int counts[16] = {0};
    *out_of_range = 0;
    for (int i = 0; i < draws; i++) {
        uint64_t x = dl4c_rng_below(r, n);
        if (x >= n)
            (*out_of_range)++;
        else
            counts[x]++;
    }
    double expect = (double)draws / (double)n, chi = 0;
    for (uint64_t k = 0; k < n; k++) {
        double d = counts[k] - expect;
        chi += d * d / expect;
    }
    return chi;
}

static void test_below(void)
{
    dl4c_rng r;
    dl4c_rng_seed(&r, 4);
    dl4c_rng before = r;
    CHECK(dl4c_rng_below(&r, 0) == 0);
    int ones = 0;
    for (int i = 0; i < 1000; i++)
        ones += dl4c_rng_below(&r, 1) == 0;
    CHECK(ones == 1000);
    CHECK(memcmp(&r, &before, sizeof r) != 0); /* it does draw */

    /* chi-square critical values at p = 0.001 */
    static const struct {
        uint64_t n;
        double crit;
    } cases[] = {{2, 10.83}, {3, 13.82},  {5, 18.47},
                 {7, 22.46}, {10, 27.88}, {16, 37.70}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int bad = 0;
        double chi = below_chi_square(&r, cases[c].n, 70000, &bad);
        CHECK(bad == 0);
        CHECK_MSG(chi < cases[c].crit, "n=%llu chi-square %g",
                  (unsigned long long)cases[c].n, chi);
    }

    /* with n = 2/3 of 2^64, a plain modulo would return values below n/2
     * twice as often as the rest (2/3 of draws instead of 1/2) */
    uint64_t n = UINT64_C(0xAAAAAAAAAAAAAAAA);
    int low = 0, bad = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t x = dl4c_rng_below(&r, n);
        bad += x >= n;
        low += x < n / 2;
    }
    CHECK(bad == 0);
    CHECK_NEAR(low / 20000.0, 0.5, 0.015);

    /* the largest n: every value is accepted */
    uint64_t top = 0;
    for (int i = 0; i < 100; i++)
        top |= dl4c_rng_below(&r, UINT64_MAX) >> 63;
    CHECK(top == 1);
}

static int is_permutation(const int64_t *idx, int64_t n)
{
    char *seen = calloc((size_t)n + 1, 1);
    int ok = seen != NULL;
    for (int64_t i = 0; ok && i < n; i++) {
        if (idx[i] < 0 || idx[i] >= n || seen[idx[i]])
            ok = 0;
        else
            seen[idx[i]] = 1;
    }
    free(seen);
    return ok;
}

static void test_shuffle(void)
{
    enum { N = 1000 };
    static int64_t a[N], b[N];
    for (int64_t i = 0; i < N; i++)
        a[i] = b[i] = i;
    dl4c_rng r1, r2;
    dl4c_rng_seed(&r1, 5);
    dl4c_rng_seed(&r2, 5);
    dl4c_rng_shuffle(&r1, a, N);
    dl4c_rng_shuffle(&r2, b, N);
    CHECK(is_permutation(a, N));
    CHECK(memcmp(a, b, sizeof a) == 0);
    int fixed = 0;
    for (int64_t i = 0; i < N; i++)
        fixed += a[i] == i;
    CHECK(fixed < 10); /* about 1 expected */

    /* a different seed gives a different order */
    for (int64_t i = 0; i < N; i++)
        b[i] = i;
    dl4c_rng_seed(&r2, 6);
    dl4c_rng_shuffle(&r2, b, N);
    CHECK(is_permutation(b, N));
    CHECK(memcmp(a, b, sizeof a) != 0);

    /* empty and single-element shuffles change nothing */
    int64_t one = 42;
    dl4c_rng_shuffle(&r1, &one, 1);
    CHECK(one == 42);
    dl4c_rng_shuffle(&r1, NULL, 0);

    /* every arrangement of 3 items is equally likely: 6 cells, 5 dof */
    int counts[6] = {0};
    for (int t = 0; t < 60000; t++) {
        int64_t p[3] = {0, 1, 2};
        dl4c_rng_shuffle(&r1, p, 3);
        counts[p[0] * 2 + (p[1] > p[2])]++;
    }
    double chi = 0;
    for (int k = 0; k < 6; k++) {
        double d = counts[k] - 10000.0;
        chi += d * d / 10000.0;
    }
    CHECK_MSG(chi < 20.52, "shuffle chi-square %g", chi);
}

static void test_fill_tensors(void)
{
    int64_t n = 50000;
    dl4c_tensor *f = NULL, *d = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 1, &n, &f));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 1, &n, &d));
    dl4c_rng r;
    dl4c_rng_seed(&r, 8);

    dl4c_rng_fill_uniform(&r, f, -2.0, 3.0);
    double lo = 1e9, hi = -1e9, sum = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = dl4c_tensor_get(f, i);
        lo = fmin(lo, v);
        hi = fmax(hi, v);
        sum += v;
    }
    CHECK(lo >= -2.0 && hi <= 3.0);
    CHECK(lo < -1.99 && hi > 2.99);
    CHECK_NEAR(sum / (double)n, 0.5, 0.03);

    dl4c_rng_fill_normal(&r, d, 3.0, 0.5);
    double s = 0, sq = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = dl4c_tensor_get(d, i);
        s += v;
        sq += v * v;
    }
    double mean = s / (double)n;
    CHECK_NEAR(mean, 3.0, 0.01);
    CHECK_NEAR(sqrt(sq / (double)n - mean * mean), 0.5, 0.01);

    dl4c_rng_fill_truncated_normal(&r, d, -1.0, 0.25);
    lo = 1e9;
    hi = -1e9;
    for (int64_t i = 0; i < n; i++) {
        double v = dl4c_tensor_get(d, i);
        lo = fmin(lo, v);
        hi = fmax(hi, v);
    }
    CHECK(lo >= -1.5 && hi <= -0.5);
    CHECK(lo < -1.45 && hi > -0.55);

    /* the same seed fills the same values */
    dl4c_tensor *g = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 1, &n, &g));
    dl4c_rng_seed(&r, 9);
    dl4c_rng_fill_normal(&r, f, 0, 1);
    dl4c_rng_seed(&r, 9);
    dl4c_rng_fill_normal(&r, g, 0, 1);
    CHECK(dl4c_tensor_max_abs_diff(f, g) == 0.0);
    dl4c_tensor_free(g);

    dl4c_tensor_free(f);
    dl4c_tensor_free(d);
}

/* Inverse of an odd number modulo 2^64 (Newton's iteration). */
static uint64_t inverse_odd(uint64_t x)
{
    uint64_t inv = x;
    for (int i = 0; i < 6; i++)
        inv *= 2 - x * inv;
    return inv;
}

/* A state whose next xoshiro256** output is `want`: the output depends on
 * s[1] only, as rotl(s[1] * 5, 7) * 9. */
static dl4c_rng state_giving(uint64_t want)
{
    uint64_t r = want * inverse_odd(9);
    uint64_t s1 = ((r >> 7) | (r << 57)) * inverse_odd(5);
    dl4c_rng rng = {{1, s1, 2, 3}};
    return rng;
}

static void test_uniform_extremes(void)
{
    dl4c_rng r = state_giving(UINT64_MAX);
    dl4c_rng copy = r;
    CHECK(dl4c_rng_next(&copy) == UINT64_MAX);
    /* the largest uniform is 1 - 2^-53, still below 1 */
    copy = r;
    CHECK(dl4c_rng_uniform(&copy) == 1.0 - 0x1.0p-53);

    /* that draw rounds to 1.0f in float: the fill keeps it below hi */
    int64_t one = 1;
    dl4c_tensor *f = NULL, *d = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 1, &one, &f));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 1, &one, &d));
    copy = r;
    dl4c_rng_fill_uniform(&copy, f, 0.0, 1.0);
    CHECK(dl4c_tensor_get(f, 0) < 1.0);
    CHECK(dl4c_tensor_get(f, 0) == (double)(1.0f - 0x1.0p-24f));
    copy = r;
    dl4c_rng_fill_uniform(&copy, f, -3.0, 5.0);
    CHECK(dl4c_tensor_get(f, 0) < 5.0);
    copy = r;
    dl4c_rng_fill_uniform(&copy, d, 0.0, 1.0);
    CHECK(dl4c_tensor_get(d, 0) == 1.0 - 0x1.0p-53);
    /* in double, 1e6 + 1 * (1 - 2^-53) rounds up to 1e6 + 1 */
    copy = r;
    dl4c_rng_fill_uniform(&copy, d, 1e6, 1e6 + 1);
    CHECK(dl4c_tensor_get(d, 0) < 1e6 + 1);
    CHECK(dl4c_tensor_get(d, 0) > 1e6 + 0.999999);

    /* the smallest draw gives lo exactly */
    r = state_giving(0);
    copy = r;
    dl4c_rng_fill_uniform(&copy, f, -3.0, 5.0);
    CHECK(dl4c_tensor_get(f, 0) == -3.0);
    /* lo == hi gives lo */
    copy = r;
    dl4c_rng_fill_uniform(&copy, d, 2.5, 2.5);
    CHECK(dl4c_tensor_get(d, 0) == 2.5);

    dl4c_tensor_free(f);
    dl4c_tensor_free(d);
}

static void test_hash_uniform(void)
{
    /* splitmix64 finalizer of seed + (index + 1) * golden gamma */
    CHECK(dl4c_hash_uniform(7, 0) == 0.3898297483912715);
    CHECK(dl4c_hash_uniform(7, 1) == 0.01678829452815611);
    CHECK(dl4c_hash_uniform(0, 0) == 0.8833108082136426);

    double sum = 0, lo = 1, hi = 0;
    int repeat = 0, seed_differs = 0;
    for (uint64_t i = 0; i < DRAWS; i++) {
        double u = dl4c_hash_uniform(12345, i);
        repeat += u == dl4c_hash_uniform(12345, i);
        seed_differs += u != dl4c_hash_uniform(12346, i);
        sum += u;
        lo = fmin(lo, u);
        hi = fmax(hi, u);
    }
    CHECK(repeat == DRAWS);
    CHECK(seed_differs > DRAWS - 10);
    CHECK(lo >= 0.0 && hi < 1.0);
    CHECK(lo < 1e-3 && hi > 0.999);
    CHECK_NEAR(sum / DRAWS, 0.5, 0.005);
    /* neighbouring indices are not correlated */
    double cov = 0;
    for (uint64_t i = 0; i < DRAWS; i++)
        cov += (dl4c_hash_uniform(1, i) - 0.5) *
               (dl4c_hash_uniform(1, i + 1) - 0.5);
    CHECK_NEAR(cov / DRAWS, 0.0, 0.002);
    /* extreme indices still land in [0, 1) */
    double e = dl4c_hash_uniform(UINT64_MAX, UINT64_MAX);
    CHECK(e >= 0.0 && e < 1.0);
}

TEST_MAIN(test_seed_is_splitmix64, test_next_is_xoshiro256starstar,
          test_same_seed_same_stream, test_copy_forks_stream, test_uniform,
          test_uniform_extremes, test_normal, test_truncated_normal, test_below,
          test_shuffle, test_fill_tensors, test_hash_uniform)
