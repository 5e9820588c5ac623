// labels: unit badinput
/* Weight initialization: each scheme's sample mean and standard deviation
 * (or bounds) on a 500 x 400 tensor against the formulas of
 * include/dl4c/init.h, reproducibility per seed, orthogonality, identity,
 * constants, names and errors. */
#include "test.h"

#define FAN_IN 500
#define FAN_OUT 400
#define NEL (FAN_IN * FAN_OUT)

static dl4c_tensor *make2(dl4c_dtype dt, int64_t rows, int64_t cols)
{
    int64_t shape[2] = {rows, cols};
    dl4c_tensor *t = NULL;
    return dl4c_tensor_create(dt, 2, shape, &t) == DL4C_OK ? t : NULL;
}

typedef struct stats {
    double mean, std, min, max;
} stats;

static stats stats_of(const dl4c_tensor *t)
{
    stats s = {0, 0, INFINITY, -INFINITY};
    int64_t n = dl4c_tensor_size(t);
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = dl4c_tensor_get(t, i);
        sum += v;
        s.min = v < s.min ? v : s.min;
        s.max = v > s.max ? v : s.max;
    }
    s.mean = sum / (double)n;
    for (int64_t i = 0; i < n; i++) {
        double d = dl4c_tensor_get(t, i) - s.mean;
        sq += d * d;
    }
    s.std = sqrt(sq / (double)(n - 1));
    return s;
}

/* Fills a fresh FAN_IN x FAN_OUT tensor with `init` from seed 1. */
static stats fill_stats(dl4c_init init)
{
    stats s = {NAN, NAN, NAN, NAN};
    dl4c_tensor *w = make2(DL4C_F64, FAN_IN, FAN_OUT);
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 1);
    if (w && dl4c_init_fill(&init, w, FAN_IN, FAN_OUT, &rng) == DL4C_OK)
        s = stats_of(w);
    dl4c_tensor_free(w);
    return s;
}

/* Normal(mean, std): the sample mean within 5 standard errors, the sample
 * std within 1% (its standard error is std/sqrt(2n) = 0.16%). */
static void check_normal(const char *label, dl4c_init init, double mean,
                         double std)
{
    stats s = fill_stats(init);
    CHECK_MSG(fabs(s.mean - mean) <= 5 * std / sqrt(NEL), "%s: mean %g vs %g",
              label, s.mean, mean);
    CHECK_MSG(fabs(s.std - std) <= 0.01 * std, "%s: std %g vs %g", label, s.std,
              std);
}

/* U[lo, hi): inside the bounds, reaching near both ends, std
 * (hi-lo)/sqrt(12) within 1%. */
static void check_uniform(const char *label, dl4c_init init, double lo,
                          double hi)
{
    stats s = fill_stats(init);
    double w = hi - lo, std = w / sqrt(12.0);
    CHECK_MSG(s.min >= lo && s.max <= hi, "%s: [%g, %g] outside [%g, %g]",
              label, s.min, s.max, lo, hi);
    CHECK_MSG(s.min < lo + 1e-3 * w && s.max > hi - 1e-3 * w,
              "%s: [%g, %g] does not fill [%g, %g]", label, s.min, s.max, lo,
              hi);
    CHECK_MSG(fabs(s.mean - (lo + hi) / 2) <= 5 * std / sqrt(NEL),
              "%s: mean %g", label, s.mean);
    CHECK_MSG(fabs(s.std - std) <= 0.01 * std, "%s: std %g vs %g", label, s.std,
              std);
}

static void test_fan_schemes(void)
{
    const double sum = FAN_IN + FAN_OUT;
    check_normal("xavier", dl4c_init_default(DL4C_INIT_XAVIER), 0,
                 sqrt(2.0 / sum));
    double s = sqrt(6.0 / sum);
    check_uniform("xavier_uniform", dl4c_init_default(DL4C_INIT_XAVIER_UNIFORM),
                  -s, s);
    check_normal("relu", dl4c_init_default(DL4C_INIT_RELU), 0,
                 sqrt(2.0 / FAN_IN));
    s = sqrt(6.0 / FAN_IN);
    check_uniform("relu_uniform", dl4c_init_default(DL4C_INIT_RELU_UNIFORM), -s,
                  s);
    check_normal("lecun_normal", dl4c_init_default(DL4C_INIT_LECUN_NORMAL), 0,
                 sqrt(1.0 / FAN_IN));
    s = sqrt(3.0 / FAN_IN);
    check_uniform("lecun_uniform", dl4c_init_default(DL4C_INIT_LECUN_UNIFORM),
                  -s, s);
}

static void test_parameterized(void)
{
    dl4c_init u = {DL4C_INIT_UNIFORM, -0.2, 0.6};
    check_uniform("uniform [-0.2, 0.6)", u, -0.2, 0.6);
    double s = 1.0 / sqrt(FAN_IN); /* a >= b: fan-based */
    check_uniform("uniform (fan)", dl4c_init_default(DL4C_INIT_UNIFORM), -s, s);
    dl4c_init n = {DL4C_INIT_NORMAL, 1.0, 0.5};
    check_normal("normal(1, 0.5)", n, 1.0, 0.5);
    check_normal("normal (fan)", dl4c_init_default(DL4C_INIT_NORMAL), 0, s);

    /* truncated at two std devs: inside mean +- 2 std, and the std of a
     * normal truncated at +-2 is 0.87962566103423978 of the nominal one */
    dl4c_init t = {DL4C_INIT_TRUNCATED_NORMAL, 0.5, 0.1};
    stats st = fill_stats(t);
    CHECK(st.min >= 0.3 && st.max <= 0.7);
    CHECK(st.min < 0.301 && st.max > 0.699);
    CHECK_NEAR(st.mean, 0.5, 5 * 0.1 / sqrt(NEL));
    CHECK_NEAR(st.std, 0.1 * 0.87962566103423978, 0.001);
    st = fill_stats(dl4c_init_default(DL4C_INIT_TRUNCATED_NORMAL));
    CHECK(st.min >= -2 * s && st.max <= 2 * s);
    CHECK_NEAR(st.std, s * 0.87962566103423978, 0.01 * s);
}

static void test_constants(void)
{
    static const struct {
        dl4c_init init;
        double value;
    } cases[] = {
        {{DL4C_INIT_ZERO, 5, 5}, 0.0},
        {{DL4C_INIT_ONES, 5, 5}, 1.0},
        {{DL4C_INIT_CONSTANT, 0.25, 0}, 0.25},
        {{DL4C_INIT_CONSTANT, -3, 0}, -3.0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (int d = 0; d < 2; d++) {
            dl4c_tensor *w = make2(d ? DL4C_F32 : DL4C_F64, 7, 3);
            REQUIRE(w);
            dl4c_tensor_fill(w, 9);
            /* no rng needed for a constant */
            CHECK_OK(dl4c_init_fill(&cases[k].init, w, 7, 3, NULL));
            stats s = stats_of(w);
            CHECK(s.min == cases[k].value && s.max == cases[k].value);
            dl4c_tensor_free(w);
        }
}

/* max |W^T W - gain^2 I| (tall) or |W W^T - gain^2 I| (wide) */
static double orthogonality_error(const dl4c_tensor *w, int64_t rows,
                                  int64_t cols, double gain)
{
    bool wide = rows < cols;
    int64_t k = wide ? rows : cols, m = wide ? cols : rows;
    double worst = 0;
    for (int64_t a = 0; a < k; a++)
        for (int64_t b = 0; b < k; b++) {
            double dot = 0;
            for (int64_t i = 0; i < m; i++) {
                double x = wide ? dl4c_tensor_get(w, a * cols + i)
                                : dl4c_tensor_get(w, i * cols + a);
                double y = wide ? dl4c_tensor_get(w, b * cols + i)
                                : dl4c_tensor_get(w, i * cols + b);
                dot += x * y;
            }
            double e = fabs(dot - (a == b ? gain * gain : 0.0));
            worst = e > worst ? e : worst;
        }
    return worst;
}

static void test_orthogonal(void)
{
    static const struct {
        int ndim;
        int64_t shape[4];
        int64_t rows, cols;
        double gain;
    } cases[] = {
        {2, {300, 200}, 300, 200, 1.0},  /* tall: orthonormal columns */
        {2, {40, 130}, 40, 130, 1.0},    /* wide: orthonormal rows */
        {2, {64, 64}, 64, 64, 2.0},      /* square, with a gain */
        {4, {3, 3, 8, 16}, 72, 16, 1.0}, /* conv kernel: 72 x 16 */
        {1, {10}, 1, 10, 1.0},           /* a unit vector */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (int d = 0; d < 2; d++) {
            dl4c_tensor *w = NULL;
            REQUIRE(dl4c_tensor_create(d ? DL4C_F32 : DL4C_F64, cases[k].ndim,
                                       cases[k].shape, &w) == DL4C_OK);
            dl4c_init init = dl4c_init_default(DL4C_INIT_ORTHOGONAL);
            CHECK(init.a == 1.0);
            init.a = cases[k].gain;
            dl4c_rng rng;
            dl4c_rng_seed(&rng, 3 + k);
            CHECK_OK(dl4c_init_fill(&init, w, 10, 10, &rng));
            double err = orthogonality_error(w, cases[k].rows, cases[k].cols,
                                             cases[k].gain);
            CHECK_MSG(err <= (d ? 2e-6 : 1e-13), "case %zu %s: error %g", k,
                      d ? "f32" : "f64", err);
            dl4c_tensor_free(w);
        }
}

static void test_identity(void)
{
    dl4c_tensor *w = make2(DL4C_F64, 4, 4);
    dl4c_tensor *w32 = make2(DL4C_F32, 3, 3);
    REQUIRE(w && w32);
    dl4c_tensor_fill(w, 7);
    dl4c_init init = dl4c_init_default(DL4C_INIT_IDENTITY);
    CHECK(init.a == 1.0);
    CHECK_OK(dl4c_init_fill(&init, w, 4, 4, NULL));
    for (int i = 0; i < 16; i++)
        CHECK(dl4c_tensor_get(w, i) == (i % 5 == 0 ? 1.0 : 0.0));
    init.a = 0.5;
    CHECK_OK(dl4c_init_fill(&init, w32, 3, 3, NULL));
    for (int i = 0; i < 9; i++)
        CHECK(dl4c_tensor_get(w32, i) == (i % 4 == 0 ? 0.5 : 0.0));
    dl4c_tensor_free(w);
    dl4c_tensor_free(w32);
}

static void test_reproducible(void)
{
    for (int id = 0; id < DL4C_INIT_COUNT; id++) {
        dl4c_init init = dl4c_init_default((dl4c_init_id)id);
        bool random = id != DL4C_INIT_ZERO && id != DL4C_INIT_ONES &&
                      id != DL4C_INIT_CONSTANT && id != DL4C_INIT_IDENTITY;
        dl4c_tensor *a = make2(DL4C_F64, 20, 20), *b = make2(DL4C_F64, 20, 20);
        dl4c_tensor *c = make2(DL4C_F64, 20, 20), *f = make2(DL4C_F32, 20, 20);
        REQUIRE(a && b && c && f);
        dl4c_rng r1, r2, r3, r4;
        dl4c_rng_seed(&r1, 42);
        dl4c_rng_seed(&r2, 42);
        dl4c_rng_seed(&r3, 43);
        dl4c_rng_seed(&r4, 42);
        CHECK_OK(dl4c_init_fill(&init, a, 20, 20, &r1));
        CHECK_OK(dl4c_init_fill(&init, b, 20, 20, &r2));
        CHECK_OK(dl4c_init_fill(&init, c, 20, 20, &r3));
        CHECK_OK(dl4c_init_fill(&init, f, 20, 20, &r4));
        const char *name = dl4c_init_name(init.id);
        CHECK_MSG(dl4c_tensor_max_abs_diff(a, b) == 0, "%s: same seed", name);
        if (random)
            CHECK_MSG(dl4c_tensor_max_abs_diff(a, c) > 0, "%s: other seed",
                      name);
        /* float32 draws the same numbers and rounds them */
        bool same = true;
        for (int i = 0; i < 400; i++)
            same &=
                dl4c_tensor_get(f, i) == (double)(float)dl4c_tensor_get(a, i);
        CHECK_MSG(same, "%s: float32 differs from float64", name);
        /* the rng moved on: a second fill differs */
        if (random) {
            CHECK_OK(dl4c_init_fill(&init, b, 20, 20, &r2));
            CHECK(dl4c_tensor_max_abs_diff(a, b) > 0);
        }
        dl4c_tensor_free(a);
        dl4c_tensor_free(b);
        dl4c_tensor_free(c);
        dl4c_tensor_free(f);
    }
}

static void test_names(void)
{
    static const struct {
        const char *name;
        dl4c_init_id id;
        double a, b;
    } names[] = {
        /* DL4J */
        {"xavier", DL4C_INIT_XAVIER, 0, 0},
        {"xavier_uniform", DL4C_INIT_XAVIER_UNIFORM, 0, 0},
        {"relu", DL4C_INIT_RELU, 0, 0},
        {"relu_uniform", DL4C_INIT_RELU_UNIFORM, 0, 0},
        {"lecun_normal", DL4C_INIT_LECUN_NORMAL, 0, 0},
        {"lecun_uniform", DL4C_INIT_LECUN_UNIFORM, 0, 0},
        {"zero", DL4C_INIT_ZERO, 0, 0},
        {"ones", DL4C_INIT_ONES, 0, 0},
        {"constant", DL4C_INIT_CONSTANT, 0, 0},
        {"uniform", DL4C_INIT_UNIFORM, 0, 0},
        {"normal", DL4C_INIT_NORMAL, 0, 0},
        {"truncated_normal", DL4C_INIT_TRUNCATED_NORMAL, 0, 0},
        {"orthogonal", DL4C_INIT_ORTHOGONAL, 1, 0},
        {"identity", DL4C_INIT_IDENTITY, 1, 0},
        {"XAVIER", DL4C_INIT_XAVIER, 0, 0},
        {"RELU_UNIFORM", DL4C_INIT_RELU_UNIFORM, 0, 0},
        /* Keras */
        {"glorot_normal", DL4C_INIT_XAVIER, 0, 0},
        {"glorot_uniform", DL4C_INIT_XAVIER_UNIFORM, 0, 0},
        {"he_normal", DL4C_INIT_RELU, 0, 0},
        {"he_uniform", DL4C_INIT_RELU_UNIFORM, 0, 0},
        {"zeros", DL4C_INIT_ZERO, 0, 0},
        {"random_uniform", DL4C_INIT_UNIFORM, -0.05, 0.05},
        {"random_normal", DL4C_INIT_NORMAL, 0, 0.05},
        {"GlorotUniform", DL4C_INIT_XAVIER_UNIFORM, 0, 0},
        {"HeNormal", DL4C_INIT_RELU, 0, 0},
        {"LecunUniform", DL4C_INIT_LECUN_UNIFORM, 0, 0},
        {"Zeros", DL4C_INIT_ZERO, 0, 0},
        {"Ones", DL4C_INIT_ONES, 0, 0},
        {"RandomNormal", DL4C_INIT_NORMAL, 0, 0.05},
        {"Orthogonal", DL4C_INIT_ORTHOGONAL, 1, 0},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        dl4c_init init = {.id = DL4C_INIT_COUNT};
        CHECK_OK(dl4c_init_parse(names[i].name, &init));
        CHECK_MSG(init.id == names[i].id && init.a == names[i].a &&
                      init.b == names[i].b,
                  "%s", names[i].name);
    }
    for (int id = 0; id < DL4C_INIT_COUNT; id++) {
        dl4c_init init;
        CHECK_OK(dl4c_init_parse(dl4c_init_name((dl4c_init_id)id), &init));
        CHECK(init.id == (dl4c_init_id)id);
    }
    dl4c_init init;
    CHECK_ERR(dl4c_init_parse("variance_scaling", &init), DL4C_INVALID_ARG,
              "unknown weight init 'variance_scaling'");
    CHECK_ERR(dl4c_init_parse(NULL, &init), DL4C_INVALID_ARG, "NULL");
}

static void test_errors(void)
{
    dl4c_tensor *w = make2(DL4C_F64, 3, 4);
    int64_t s3[3] = {2, 2, 2};
    dl4c_tensor *cube = NULL;
    REQUIRE(w && dl4c_tensor_create(DL4C_F64, 3, s3, &cube) == DL4C_OK);
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 1);
    dl4c_init id = dl4c_init_default(DL4C_INIT_IDENTITY);
    CHECK_ERR(dl4c_init_fill(&id, w, 3, 4, &rng), DL4C_SHAPE,
              "init identity: tensor [3, 4] is not a square matrix");
    CHECK_ERR(dl4c_init_fill(&id, cube, 2, 2, &rng), DL4C_SHAPE,
              "[2, 2, 2] is not a square matrix");
    dl4c_init x = dl4c_init_default(DL4C_INIT_XAVIER);
    CHECK_ERR(dl4c_init_fill(&x, w, 0, 4, &rng), DL4C_INVALID_ARG,
              "init xavier: fan_in 0");
    CHECK_ERR(dl4c_init_fill(&x, w, 3, -1, &rng), DL4C_INVALID_ARG,
              "fan_out -1");
    dl4c_init z = dl4c_init_default(DL4C_INIT_ZERO);
    CHECK_ERR(dl4c_init_fill(&z, w, 0, 4, &rng), DL4C_INVALID_ARG, "fan_in 0");
    CHECK_ERR(dl4c_init_fill(&x, w, 3, 4, NULL), DL4C_INVALID_ARG,
              "rng is NULL");
    dl4c_init bad = {DL4C_INIT_COUNT, 0, 0};
    CHECK_ERR(dl4c_init_fill(&bad, w, 3, 4, &rng), DL4C_INVALID_ARG,
              "unknown init id");
    CHECK_ERR(dl4c_init_fill(&x, NULL, 3, 4, &rng), DL4C_INVALID_ARG,
              "tensor is NULL");
    dl4c_tensor_free(w);
    dl4c_tensor_free(cube);
}

/* Out of memory in ORTHOGONAL's scratch: an error, nothing leaked. */
static int fail_after;
static void *failing_malloc(size_t n, void *ctx)
{
    (void)ctx;
    return fail_after-- > 0 ? malloc(n) : NULL;
}
static void *plain_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    return realloc(p, n);
}
static void plain_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

static void test_nomem(void)
{
    dl4c_allocator a = {failing_malloc, plain_realloc, plain_free, NULL};
    for (int k = 0; k < 3; k++) {
        fail_after = 1000;
        dl4c_set_allocator(&a);
        dl4c_tensor *w = make2(DL4C_F32, 6, 4);
        dl4c_rng rng;
        dl4c_rng_seed(&rng, 1);
        dl4c_init o = dl4c_init_default(DL4C_INIT_ORTHOGONAL);
        fail_after = k; /* the k-th scratch allocation fails */
        dl4c_status st = w ? dl4c_init_fill(&o, w, 6, 4, &rng) : DL4C_NOMEM;
        fail_after = 1000;
        dl4c_tensor_free(w);
        dl4c_set_allocator(NULL);
        CHECK(st == (k < 3 ? DL4C_NOMEM : DL4C_OK));
    }
}

TEST_MAIN(test_fan_schemes, test_parameterized, test_constants, test_orthogonal,
          test_identity, test_reproducible, test_names, test_errors, test_nomem)
