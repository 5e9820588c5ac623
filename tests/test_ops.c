// labels: unit badinput
/* Tensor operations against naive reference loops: binary ops with NumPy
 * broadcasting, unary math, reductions, softmax and log-softmax, GEMM in
 * all four transpose combinations (including the single-row GEMV route),
 * argmax. Sizes straddle the backend's OpenMP threshold so both the serial
 * and the threaded loops run. */
#include <stdint.h>

#include "core/cpu/cpu_internal.h"
#include "test.h"

#define BIG_ROWS 256
#define BIG_COLS 200
_Static_assert(BIG_ROWS *BIG_COLS > DL4C_CPU_PAR_MIN,
               "the big cases must cross the OpenMP threshold");

static const char *const binary_names[] = {"add", "sub", "mul", "div",
                                           "max", "min", "pow"};
_Static_assert(sizeof binary_names / sizeof binary_names[0] == DL4C_BIN_COUNT,
               "one name per binary op");

static dl4c_tensor *make(dl4c_dtype dt, int ndim, const int64_t *shape)
{
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(dt, ndim, shape, &t) != DL4C_OK)
        return NULL;
    return t;
}

static dl4c_tensor *make_random(dl4c_rng *rng, dl4c_dtype dt, int ndim,
                                const int64_t *shape, double lo, double hi)
{
    dl4c_tensor *t = make(dt, ndim, shape);
    if (t)
        dl4c_rng_fill_uniform(rng, t, lo, hi);
    return t;
}

static double tol_for(dl4c_dtype dt)
{
    return dt == DL4C_F32 ? 2e-6 : 1e-13;
}

/* Relative-or-absolute closeness used for every elementwise comparison. */
static int close_to(double got, double want, double tol)
{
    if (isnan(want))
        return isnan(got);
    if (isinf(want))
        return got == want;
    return fabs(got - want) <= tol * (1.0 + fabs(want));
}

/* Counts elements of `got` that differ from `want` (host doubles) and
 * reports the first one. */
static int64_t count_mismatch(const char *what, const dl4c_tensor *got,
                              const double *want, double tol)
{
    int64_t bad = 0;
    for (int64_t i = 0; i < dl4c_tensor_size(got); i++) {
        double g = dl4c_tensor_get(got, i);
        if (!close_to(g, want[i], tol)) {
            if (!bad)
                fprintf(stderr, "  %s: element %lld is %.17g, want %.17g\n",
                        what, (long long)i, g, want[i]);
            bad++;
        }
    }
    return bad;
}

/* ------------------------------------------------------------------ */
/* binary ops */

static double ref_binary(dl4c_binary_op op, double x, double y)
{
    switch (op) {
    case DL4C_BIN_ADD:
        return x + y;
    case DL4C_BIN_SUB:
        return x - y;
    case DL4C_BIN_MUL:
        return x * y;
    case DL4C_BIN_DIV:
        return x / y;
    case DL4C_BIN_MAX:
        return x > y ? x : y;
    case DL4C_BIN_MIN:
        return x < y ? x : y;
    case DL4C_BIN_POW:
        return pow(x, y);
    default:
        return NAN;
    }
}

/* Flat index into t (of rank tnd) for output multi-index idx of rank nd,
 * with dims aligned from the right and size-1 dims broadcast. */
static int64_t broadcast_index(const dl4c_tensor *t, int nd, const int64_t *idx)
{
    int tnd = dl4c_tensor_ndim(t);
    int64_t flat = 0;
    for (int d = 0; d < tnd; d++) {
        int64_t dim = dl4c_tensor_dim(t, d);
        int64_t i = idx[d + nd - tnd];
        flat = flat * dim + (dim == 1 ? 0 : i);
    }
    return flat;
}

typedef struct bcase {
    int na;
    int64_t sa[4];
    int nb;
    int64_t sb[4];
    int no;
    int64_t so[4];
} bcase;

static const bcase broadcast_cases[] = {
    {2, {3, 4}, 2, {3, 4}, 2, {3, 4}},                /* same shape */
    {0, {0}, 2, {3, 4}, 2, {3, 4}},                   /* scalar on the left */
    {2, {3, 4}, 0, {0}, 2, {3, 4}},                   /* scalar on the right */
    {0, {0}, 0, {0}, 0, {0}},                         /* scalar and scalar */
    {1, {5}, 2, {4, 5}, 2, {4, 5}},                   /* row vector left */
    {2, {4, 5}, 1, {5}, 2, {4, 5}},                   /* row vector right */
    {2, {4, 1}, 2, {4, 5}, 2, {4, 5}},                /* column left */
    {2, {4, 5}, 2, {4, 1}, 2, {4, 5}},                /* column right */
    {3, {3, 1, 5}, 2, {4, 1}, 3, {3, 4, 5}},          /* [A,1,C] x [B,1] */
    {2, {4, 1}, 3, {3, 1, 5}, 3, {3, 4, 5}},          /* [B,1] x [A,1,C] */
    {2, {1, 6}, 2, {5, 1}, 2, {5, 6}},                /* outer product */
    {4, {2, 1, 3, 1}, 3, {4, 1, 2}, 4, {2, 4, 3, 2}}, /* rank 4 mix */
    {1, {1}, 3, {2, 3, 4}, 3, {2, 3, 4}},             /* [1] vs rank 3 */
    /* above the threading threshold */
    {2, {BIG_ROWS, BIG_COLS}, 2, {BIG_ROWS, BIG_COLS}, 2, {BIG_ROWS, BIG_COLS}},
    {0, {0}, 2, {BIG_ROWS, BIG_COLS}, 2, {BIG_ROWS, BIG_COLS}},
    {2, {BIG_ROWS, BIG_COLS}, 1, {BIG_COLS}, 2, {BIG_ROWS, BIG_COLS}},
    {2, {BIG_ROWS, 1}, 2, {BIG_ROWS, BIG_COLS}, 2, {BIG_ROWS, BIG_COLS}},
    {3, {8, 1, 100}, 2, {64, 1}, 3, {8, 64, 100}},
    {1, {40000}, 0, {0}, 1, {40000}}, /* one long row */
};

static void check_binary_case(dl4c_rng *rng, dl4c_dtype dt, dl4c_binary_op op,
                              const bcase *c)
{
    /* pow needs positive bases; div needs divisors away from zero */
    double alo = op == DL4C_BIN_POW ? 0.25 : -3.0;
    dl4c_tensor *a = make_random(rng, dt, c->na, c->sa, alo, 3.0);
    dl4c_tensor *b = make_random(rng, dt, c->nb, c->sb, 0.5, 2.5);
    dl4c_tensor *out = make(dt, c->no, c->so);
    double *want = NULL;
    REQUIRE(a && b && out);
    /* mixed signs in b too, except where they would make pow complex */
    if (op != DL4C_BIN_POW)
        for (int64_t i = 0; i < dl4c_tensor_size(b); i += 2)
            dl4c_tensor_set(b, i, -dl4c_tensor_get(b, i));
    /* ties for max and min */
    if (dl4c_tensor_size(a) > 1 && dl4c_tensor_size(b) > 1)
        dl4c_tensor_set(a, 1, dl4c_tensor_get(b, 1));
    dl4c_tensor_fill(out, NAN);

    CHECK_OK(dl4c_ops_binary(op, a, b, out));

    int64_t n = dl4c_tensor_size(out);
    want = malloc(sizeof(double) * (size_t)n);
    REQUIRE(want != NULL);
    int64_t idx[DL4C_MAX_DIMS] = {0};
    for (int64_t i = 0; i < n; i++) {
        int64_t rem = i;
        for (int d = c->no - 1; d >= 0; d--) {
            idx[d] = rem % c->so[d];
            rem /= c->so[d];
        }
        double x = dl4c_tensor_get(a, broadcast_index(a, c->no, idx));
        double y = dl4c_tensor_get(b, broadcast_index(b, c->no, idx));
        want[i] = ref_binary(op, x, y);
    }
    char what[160], s1[64], s2[64];
    dl4c_shape ka = dl4c_tensor_shape(a), kb = dl4c_tensor_shape(b);
    snprintf(what, sizeof what, "%s %s %s %s", dl4c_dtype_name(dt),
             binary_names[op], dl4c_shape_format(&ka, s1, sizeof s1),
             dl4c_shape_format(&kb, s2, sizeof s2));
    CHECK_MSG(count_mismatch(what, out, want, tol_for(dt)) == 0, "%s", what);
    free(want);
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_tensor_free(out);
}

static void test_binary_broadcast(void)
{
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 11);
    int ncases = (int)(sizeof broadcast_cases / sizeof broadcast_cases[0]);
    for (int d = 0; d < DL4C_DTYPE_COUNT; d++)
        for (int op = 0; op < DL4C_BIN_COUNT; op++)
            for (int c = 0; c < ncases; c++)
                check_binary_case(&rng, (dl4c_dtype)d, (dl4c_binary_op)op,
                                  &broadcast_cases[c]);
}

static void test_binary_exact_values(void)
{
    float av[6] = {1, 2, 3, 4, 5, 6};
    float bv[3] = {10, 20, 30};
    int64_t sa[2] = {2, 3}, sb = 3;
    dl4c_tensor *a = NULL, *b = NULL, *out = NULL;
    REQUIRE_OK(dl4c_tensor_create_from(DL4C_F32, 2, sa, av, &a));
    REQUIRE_OK(dl4c_tensor_create_from(DL4C_F32, 1, &sb, bv, &b));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, sa, &out));

    CHECK_OK(dl4c_ops_binary(DL4C_BIN_ADD, a, b, out));
    const float *o = dl4c_tensor_data(out);
    CHECK(o[0] == 11 && o[1] == 22 && o[2] == 33);
    CHECK(o[3] == 14 && o[4] == 25 && o[5] == 36);
    CHECK_OK(dl4c_ops_binary(DL4C_BIN_SUB, b, a, out));
    CHECK(o[0] == 9 && o[5] == 24);
    CHECK_OK(dl4c_ops_binary(DL4C_BIN_POW, a, b, out));
    CHECK(o[1] == 1048576.0f); /* 2^20 */

    /* out may be the same tensor as an input */
    CHECK_OK(dl4c_ops_binary(DL4C_BIN_MUL, a, b, a));
    const float *pa = dl4c_tensor_data(a);
    CHECK(pa[0] == 10 && pa[2] == 90 && pa[4] == 100);

    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_tensor_free(out);
}

/* Max and min propagate NaN from either side, as NumPy's do. */
static void test_nan_propagation(void)
{
    for (int d = 0; d < DL4C_DTYPE_COUNT; d++) {
        dl4c_dtype dt = (dl4c_dtype)d;
        int64_t n = 4, s22[2] = {2, 2}, s2 = 2;
        dl4c_tensor *a = make(dt, 1, &n), *b = make(dt, 1, &n),
                    *o = make(dt, 1, &n);
        REQUIRE(a && b && o);
        double av[4] = {NAN, 1.0, NAN, -1.0}, bv[4] = {2.0, NAN, NAN, -2.0};
        for (int i = 0; i < 4; i++) {
            dl4c_tensor_set(a, i, av[i]);
            dl4c_tensor_set(b, i, bv[i]);
        }
        for (int op = DL4C_BIN_MAX; op <= DL4C_BIN_MIN; op++) {
            CHECK_OK(dl4c_ops_binary((dl4c_binary_op)op, a, b, o));
            CHECK_MSG(isnan(dl4c_tensor_get(o, 0)) &&
                          isnan(dl4c_tensor_get(o, 1)) &&
                          isnan(dl4c_tensor_get(o, 2)),
                      "%s %s: [%g, %g, %g]", dl4c_dtype_name(dt),
                      binary_names[op], dl4c_tensor_get(o, 0),
                      dl4c_tensor_get(o, 1), dl4c_tensor_get(o, 2));
            CHECK(dl4c_tensor_get(o, 3) == (op == DL4C_BIN_MAX ? -1.0 : -2.0));
        }

        /* reductions: NaN first in a lane or after it */
        CHECK_OK(dl4c_tensor_reshape(a, 2, s22)); /* [[NaN, 1], [NaN, -1]] */
        CHECK_OK(dl4c_tensor_reshape(b, 2, s22)); /* [[2, NaN], [NaN, -2]] */
        dl4c_tensor *r = make(dt, 1, &s2);
        REQUIRE(r != NULL);
        for (int op = DL4C_RED_MAX; op <= DL4C_RED_MIN; op++) {
            CHECK_OK(dl4c_ops_reduce((dl4c_reduce_op)op, a, 1, false, r));
            CHECK(isnan(dl4c_tensor_get(r, 0)) && isnan(dl4c_tensor_get(r, 1)));
            CHECK_OK(dl4c_ops_reduce((dl4c_reduce_op)op, b, 1, false, r));
            CHECK(isnan(dl4c_tensor_get(r, 0)) && isnan(dl4c_tensor_get(r, 1)));
            CHECK_OK(dl4c_ops_reduce((dl4c_reduce_op)op, b, 0, false, r));
            CHECK(isnan(dl4c_tensor_get(r, 0)) && isnan(dl4c_tensor_get(r, 1)));
        }
        dl4c_tensor_free(r);

        /* sign keeps NaN */
        CHECK_OK(dl4c_ops_unary(DL4C_UN_SIGN, a, a));
        CHECK(isnan(dl4c_tensor_get(a, 0)) && dl4c_tensor_get(a, 1) == 1.0 &&
              dl4c_tensor_get(a, 3) == -1.0);
        dl4c_tensor_free(a);
        dl4c_tensor_free(b);
        dl4c_tensor_free(o);
    }
}

static void test_binary_errors(void)
{
    int64_t s34[2] = {3, 4}, s5 = 5, s43[2] = {4, 3}, s4 = 4, s12 = 12;
    int64_t s315[3] = {3, 1, 5};
    dl4c_tensor *a = make(DL4C_F32, 2, s34);
    dl4c_tensor *b = make(DL4C_F32, 1, &s5);
    dl4c_tensor *c = make(DL4C_F32, 2, s43);
    dl4c_tensor *r = make(DL4C_F32, 1, &s4);
    dl4c_tensor *flat = make(DL4C_F32, 1, &s12);
    dl4c_tensor *d = make(DL4C_F64, 2, s34);
    dl4c_tensor *e = make(DL4C_F32, 3, s315);
    REQUIRE(a && b && c && r && flat && d && e);

    CHECK_ERR(dl4c_ops_binary(DL4C_BIN_ADD, a, b, a), DL4C_SHAPE, "[3, 4]");
    CHECK(strstr(dl4c_last_error(), "[5]") != NULL);
    CHECK_ERR(dl4c_ops_binary(DL4C_BIN_MUL, b, a, a), DL4C_SHAPE,
              "broadcast: shapes [5] and [3, 4] do not fit");
    CHECK_ERR(dl4c_ops_binary(DL4C_BIN_ADD, a, c, a), DL4C_SHAPE,
              "shapes [3, 4] and [4, 3]");
    /* [3,1,5] x [4,3]: 5 against 3 in the last dim */
    CHECK_ERR(dl4c_ops_binary(DL4C_BIN_SUB, e, c, a), DL4C_SHAPE,
              "shapes [3, 1, 5] and [4, 3] do not fit");

    /* output of the wrong shape, even with the right element count */
    CHECK_ERR(dl4c_ops_binary(DL4C_BIN_ADD, a, r, c), DL4C_SHAPE,
              "output shape [4, 3], expected [3, 4]");
    CHECK_ERR(dl4c_ops_binary(DL4C_BIN_ADD, r, a, flat), DL4C_SHAPE,
              "output shape [12], expected [3, 4]");
    CHECK_ERR(dl4c_ops_binary(DL4C_BIN_ADD, r, r, a), DL4C_SHAPE,
              "output shape [3, 4], expected [4]");

    CHECK_ERR(dl4c_ops_binary(DL4C_BIN_ADD, a, d, a), DL4C_INVALID_ARG,
              "dtypes float32 and float64 differ");
    CHECK_ERR(dl4c_ops_binary(DL4C_BIN_ADD, a, a, d), DL4C_INVALID_ARG,
              "float64");
    CHECK_ERR(dl4c_ops_binary(DL4C_BIN_COUNT, a, a, a), DL4C_INVALID_ARG,
              "unknown binary op 7");
    CHECK_ERR(dl4c_ops_binary((dl4c_binary_op)-1, a, a, a), DL4C_INVALID_ARG,
              "unknown binary op -1");

    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_tensor_free(c);
    dl4c_tensor_free(r);
    dl4c_tensor_free(flat);
    dl4c_tensor_free(d);
    dl4c_tensor_free(e);
}

/* ------------------------------------------------------------------ */
/* unary ops */

static double ref_unary(dl4c_unary_op op, double x)
{
    switch (op) {
    case DL4C_UN_NEG:
        return -x;
    case DL4C_UN_ABS:
        return fabs(x);
    case DL4C_UN_EXP:
        return exp(x);
    case DL4C_UN_LOG:
        return log(x);
    case DL4C_UN_SQRT:
        return sqrt(x);
    case DL4C_UN_SQUARE:
        return x * x;
    case DL4C_UN_RECIPROCAL:
        return 1.0 / x;
    case DL4C_UN_SIGN:
        return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
    default:
        return NAN;
    }
}

static void test_unary(void)
{
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 12);
    int64_t sizes[2] = {37, 40000};
    _Static_assert(40000 > DL4C_CPU_PAR_MIN, "big unary case is threaded");
    for (int d = 0; d < DL4C_DTYPE_COUNT; d++)
        for (int op = 0; op < DL4C_UN_COUNT; op++)
            for (int s = 0; s < 2; s++) {
                dl4c_dtype dt = (dl4c_dtype)d;
                int positive = op == DL4C_UN_LOG || op == DL4C_UN_SQRT ||
                               op == DL4C_UN_RECIPROCAL;
                dl4c_tensor *x = make_random(&rng, dt, 1, &sizes[s],
                                             positive ? 0.05 : -4.0, 4.0);
                dl4c_tensor *y = make(dt, 1, &sizes[s]);
                REQUIRE(x && y);
                if (op == DL4C_UN_SIGN || op == DL4C_UN_ABS)
                    dl4c_tensor_set(x, 3, 0.0);
                int64_t n = sizes[s];
                double *want = malloc(sizeof(double) * (size_t)n);
                REQUIRE(want != NULL);
                for (int64_t i = 0; i < n; i++)
                    want[i] =
                        ref_unary((dl4c_unary_op)op, dl4c_tensor_get(x, i));
                char what[64];
                snprintf(what, sizeof what, "%s unary %d n=%lld",
                         dl4c_dtype_name(dt), op, (long long)n);
                CHECK_OK(dl4c_ops_unary((dl4c_unary_op)op, x, y));
                CHECK_MSG(count_mismatch(what, y, want, tol_for(dt)) == 0, "%s",
                          what);
                /* in place gives the same result */
                CHECK_OK(dl4c_ops_unary((dl4c_unary_op)op, x, x));
                CHECK_MSG(count_mismatch(what, x, want, tol_for(dt)) == 0,
                          "%s in place", what);
                free(want);
                dl4c_tensor_free(x);
                dl4c_tensor_free(y);
            }
}

static void test_unary_values_and_errors(void)
{
    double v[5] = {-2.0, -0.0, 0.0, 0.25, 9.0};
    int64_t n = 5, n4 = 4, s23[2] = {2, 3}, s32[2] = {3, 2};
    dl4c_tensor *x = NULL, *y = NULL, *bad = NULL, *f = NULL;
    REQUIRE_OK(dl4c_tensor_create_from(DL4C_F64, 1, &n, v, &x));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 1, &n, &y));
    const double *py = dl4c_tensor_data(y);

    CHECK_OK(dl4c_ops_unary(DL4C_UN_SIGN, x, y));
    CHECK(py[0] == -1 && py[1] == 0 && py[2] == 0 && py[3] == 1);
    CHECK_OK(dl4c_ops_unary(DL4C_UN_SQRT, x, y));
    CHECK(isnan(py[0]) && py[3] == 0.5 && py[4] == 3.0);
    CHECK_OK(dl4c_ops_unary(DL4C_UN_LOG, x, y));
    CHECK(isinf(py[2]) && py[2] < 0);
    CHECK_OK(dl4c_ops_unary(DL4C_UN_RECIPROCAL, x, y));
    CHECK(py[0] == -0.5 && py[3] == 4.0 && isinf(py[2]));
    CHECK_OK(dl4c_ops_unary(DL4C_UN_ABS, x, y));
    CHECK(py[0] == 2.0 && py[1] == 0.0 && !signbit(py[1]));

    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 1, &n4, &bad));
    CHECK_ERR(dl4c_ops_unary(DL4C_UN_NEG, x, bad), DL4C_SHAPE,
              "shapes [5] and [4]");
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 1, &n, &f));
    CHECK_ERR(dl4c_ops_unary(DL4C_UN_NEG, x, f), DL4C_INVALID_ARG,
              "dtypes float64 and float32 differ");
    CHECK_ERR(dl4c_ops_unary(DL4C_UN_COUNT, x, y), DL4C_INVALID_ARG,
              "unknown unary op 8");
    dl4c_tensor_free(bad);
    dl4c_tensor_free(f);

    /* same element count but a different shape is a shape error */
    dl4c_tensor *a = make(DL4C_F32, 2, s23), *b = make(DL4C_F32, 2, s32);
    REQUIRE(a && b);
    CHECK_ERR(dl4c_ops_unary(DL4C_UN_EXP, a, b), DL4C_SHAPE,
              "shapes [2, 3] and [3, 2]");
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
}

/* ------------------------------------------------------------------ */
/* reductions */

static double *ref_reduce(dl4c_reduce_op op, const dl4c_tensor *x, int axis)
{
    int nd = dl4c_tensor_ndim(x);
    int64_t len = dl4c_tensor_dim(x, axis);
    int64_t nout = dl4c_tensor_size(x) / len;
    double *acc = malloc(sizeof(double) * (size_t)nout);
    int64_t *seen = calloc((size_t)nout, sizeof(int64_t));
    if (!acc || !seen) {
        free(acc);
        free(seen);
        return NULL;
    }
    for (int64_t i = 0; i < dl4c_tensor_size(x); i++) {
        /* output flat index: x's multi-index with `axis` dropped */
        int64_t rem = i, o = 0, scale = 1;
        for (int d = nd - 1; d >= 0; d--) {
            int64_t dim = dl4c_tensor_dim(x, d);
            int64_t id = rem % dim;
            rem /= dim;
            if (d == axis)
                continue;
            o += id * scale;
            scale *= dim;
        }
        double v = dl4c_tensor_get(x, i);
        if (!seen[o]++)
            acc[o] = v;
        else if (op == DL4C_RED_MAX)
            acc[o] = v > acc[o] ? v : acc[o];
        else if (op == DL4C_RED_MIN)
            acc[o] = v < acc[o] ? v : acc[o];
        else
            acc[o] += v;
    }
    if (op == DL4C_RED_MEAN)
        for (int64_t o = 0; o < nout; o++)
            acc[o] /= (double)len;
    free(seen);
    return acc;
}

static void check_reduce(dl4c_rng *rng, dl4c_dtype dt, const int64_t *shape)
{
    dl4c_tensor *x = make_random(rng, dt, 3, shape, -5.0, 5.0);
    REQUIRE(x != NULL);
    for (int op = 0; op < DL4C_RED_COUNT; op++)
        for (int axis = -3; axis < 3; axis++)
            for (int keep = 0; keep < 2; keep++) {
                int ax = axis < 0 ? axis + 3 : axis;
                int64_t os[3];
                int ond = 0;
                for (int d = 0; d < 3; d++) {
                    if (d == ax && !keep)
                        continue;
                    os[ond++] = d == ax ? 1 : shape[d];
                }
                dl4c_tensor *out = make(dt, ond, os);
                REQUIRE(out != NULL);
                dl4c_tensor_fill(out, NAN);
                CHECK_OK(dl4c_ops_reduce((dl4c_reduce_op)op, x, axis, keep != 0,
                                         out));
                double *want = ref_reduce((dl4c_reduce_op)op, x, ax);
                REQUIRE(want != NULL);
                char what[96];
                snprintf(what, sizeof what,
                         "%s reduce %d over axis %d of [%lld, %lld, %lld]%s",
                         dl4c_dtype_name(dt), op, axis, (long long)shape[0],
                         (long long)shape[1], (long long)shape[2],
                         keep ? " keepdims" : "");
                /* sums of many f32 values: allow for f32 output rounding */
                CHECK_MSG(count_mismatch(what, out, want,
                                         dt == DL4C_F32 ? 1e-6 : 1e-12) == 0,
                          "%s", what);
                free(want);
                dl4c_tensor_free(out);
            }
    dl4c_tensor_free(x);
}

static void test_reduce(void)
{
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 13);
    int64_t small[3] = {3, 4, 5};
    int64_t big[3] = {40, 1000, 2};
    _Static_assert(40 * 1000 * 2 > DL4C_CPU_PAR_MIN, "threaded reduce");
    int64_t ones[3] = {1, 7, 1};
    for (int d = 0; d < DL4C_DTYPE_COUNT; d++) {
        check_reduce(&rng, (dl4c_dtype)d, small);
        check_reduce(&rng, (dl4c_dtype)d, big);
        check_reduce(&rng, (dl4c_dtype)d, ones);
    }
}

static void test_reduce_values_and_errors(void)
{
    double v[6] = {1, -2, 3, 4, 5, -6}; /* [2, 3] */
    int64_t s23[2] = {2, 3}, s2 = 2, s3 = 3, s21[2] = {2, 1}, s12[2] = {1, 3};
    dl4c_tensor *x = NULL, *o2 = NULL, *o3 = NULL, *o21 = NULL, *o13 = NULL;
    REQUIRE_OK(dl4c_tensor_create_from(DL4C_F64, 2, s23, v, &x));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 1, &s2, &o2));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 1, &s3, &o3));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 2, s21, &o21));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 2, s12, &o13));

    CHECK_OK(dl4c_ops_reduce(DL4C_RED_SUM, x, 1, false, o2));
    CHECK(dl4c_tensor_get(o2, 0) == 2 && dl4c_tensor_get(o2, 1) == 3);
    CHECK_OK(dl4c_ops_reduce(DL4C_RED_MEAN, x, -1, true, o21));
    CHECK_NEAR(dl4c_tensor_get(o21, 0), 2.0 / 3, 1e-15);
    CHECK_NEAR(dl4c_tensor_get(o21, 1), 1.0, 1e-15);
    CHECK_OK(dl4c_ops_reduce(DL4C_RED_MAX, x, 0, false, o3));
    CHECK(dl4c_tensor_get(o3, 0) == 4 && dl4c_tensor_get(o3, 1) == 5 &&
          dl4c_tensor_get(o3, 2) == 3);
    CHECK_OK(dl4c_ops_reduce(DL4C_RED_MIN, x, -2, true, o13));
    CHECK(dl4c_tensor_get(o13, 0) == 1 && dl4c_tensor_get(o13, 1) == -2 &&
          dl4c_tensor_get(o13, 2) == -6);
    CHECK(dl4c_ops_sum(x) == 5.0);

    CHECK_ERR(dl4c_ops_reduce(DL4C_RED_SUM, x, 2, false, o2), DL4C_SHAPE,
              "axis 2 out of range for rank 2");
    CHECK_ERR(dl4c_ops_reduce(DL4C_RED_SUM, x, -3, false, o2), DL4C_SHAPE,
              "axis -3 out of range for rank 2");
    CHECK_ERR(dl4c_ops_reduce(DL4C_RED_SUM, x, 1, false, o3), DL4C_SHAPE,
              "reduce: output shape [3], expected [2]");
    CHECK_ERR(dl4c_ops_reduce(DL4C_RED_SUM, x, 1, true, o2), DL4C_SHAPE,
              "output shape [2], expected [2, 1]");
    CHECK_ERR(dl4c_ops_reduce(DL4C_RED_SUM, x, 1, false, o21), DL4C_SHAPE,
              "expected [2]");
    CHECK_ERR(dl4c_ops_reduce(DL4C_RED_COUNT, x, 1, false, o2),
              DL4C_INVALID_ARG, "unknown reduction 4");

    dl4c_tensor *f = make(DL4C_F32, 1, &s2), *scalar = NULL;
    REQUIRE(f != NULL);
    CHECK_ERR(dl4c_ops_reduce(DL4C_RED_SUM, x, 1, false, f), DL4C_INVALID_ARG,
              "dtypes float64 and float32 differ");
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 0, NULL, &scalar));
    CHECK_ERR(dl4c_ops_reduce(DL4C_RED_SUM, scalar, 0, false, scalar),
              DL4C_SHAPE, "axis 0 out of range for rank 0");
    dl4c_tensor_free(scalar);
    dl4c_tensor_free(f);

    /* a rank-1 reduction to a scalar */
    dl4c_tensor *r = NULL, *s = NULL;
    REQUIRE_OK(dl4c_tensor_create_from(DL4C_F64, 1, &s3, v, &r));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 0, NULL, &s));
    CHECK_OK(dl4c_ops_reduce(DL4C_RED_SUM, r, 0, false, s));
    CHECK(dl4c_tensor_get(s, 0) == 2.0);
    dl4c_tensor_free(r);
    dl4c_tensor_free(s);

    dl4c_tensor_free(x);
    dl4c_tensor_free(o2);
    dl4c_tensor_free(o3);
    dl4c_tensor_free(o21);
    dl4c_tensor_free(o13);
}

/* ------------------------------------------------------------------ */
/* softmax */

/* Reference softmax of x along axis, in doubles. */
static double *ref_softmax(const dl4c_tensor *x, int axis, int log_out)
{
    int nd = dl4c_tensor_ndim(x);
    int64_t outer = 1, inner = 1, len = dl4c_tensor_dim(x, axis);
    for (int d = 0; d < axis; d++)
        outer *= dl4c_tensor_dim(x, d);
    for (int d = axis + 1; d < nd; d++)
        inner *= dl4c_tensor_dim(x, d);
    double *y = malloc(sizeof(double) * (size_t)dl4c_tensor_size(x));
    if (!y)
        return NULL;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            int64_t base = o * len * inner + i;
            double mx = -INFINITY, sum = 0;
            for (int64_t l = 0; l < len; l++)
                mx = fmax(mx, dl4c_tensor_get(x, base + l * inner));
            for (int64_t l = 0; l < len; l++)
                sum += exp(dl4c_tensor_get(x, base + l * inner) - mx);
            for (int64_t l = 0; l < len; l++) {
                double z = dl4c_tensor_get(x, base + l * inner) - mx;
                y[base + l * inner] = log_out ? z - log(sum) : exp(z) / sum;
            }
        }
    return y;
}

static void check_softmax(dl4c_rng *rng, dl4c_dtype dt, int nd,
                          const int64_t *shape, int axis, double scale)
{
    dl4c_tensor *x = make_random(rng, dt, nd, shape, -scale, scale);
    dl4c_tensor *y = make(dt, nd, shape), *ly = make(dt, nd, shape);
    REQUIRE(x && y && ly);
    int ax = axis < 0 ? axis + nd : axis;
    CHECK_OK(dl4c_ops_softmax(x, axis, false, y));
    CHECK_OK(dl4c_ops_softmax(x, axis, true, ly));

    double *want = ref_softmax(x, ax, 0), *lwant = ref_softmax(x, ax, 1);
    REQUIRE(want && lwant);
    char what[96];
    snprintf(what, sizeof what, "%s softmax axis %d nd %d scale %g",
             dl4c_dtype_name(dt), axis, nd, scale);
    double tol = dt == DL4C_F32 ? 1e-5 : 1e-12;
    CHECK_MSG(count_mismatch(what, y, want, tol) == 0, "%s", what);
    CHECK_MSG(count_mismatch(what, ly, lwant, tol) == 0, "%s log", what);

    /* every lane sums to 1, and log-softmax is the log of softmax */
    int64_t len = dl4c_tensor_dim(x, ax), inner = 1, outer = 1;
    for (int d = ax + 1; d < nd; d++)
        inner *= shape[d];
    for (int d = 0; d < ax; d++)
        outer *= shape[d];
    int64_t bad_sum = 0, bad_log = 0;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            double s = 0;
            for (int64_t l = 0; l < len; l++) {
                int64_t k = (o * len + l) * inner + i;
                double p = dl4c_tensor_get(y, k);
                s += p;
                if (p > 1e-30 && !close_to(dl4c_tensor_get(ly, k), log(p),
                                           dt == DL4C_F32 ? 1e-5 : 1e-12))
                    bad_log++;
            }
            if (!(fabs(s - 1.0) <= (dt == DL4C_F32 ? 1e-5 : 1e-12)))
                bad_sum++;
        }
    CHECK_MSG(bad_sum == 0, "%s: %lld lanes do not sum to 1", what,
              (long long)bad_sum);
    CHECK_MSG(bad_log == 0, "%s: %lld log-softmax values differ", what,
              (long long)bad_log);

    /* in place */
    CHECK_OK(dl4c_ops_softmax(x, axis, false, x));
    CHECK(dl4c_tensor_max_abs_diff(x, y) == 0.0);

    free(want);
    free(lwant);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_tensor_free(ly);
}

static void test_softmax(void)
{
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 14);
    int64_t s3[3] = {4, 5, 6};
    int64_t big[2] = {100, 400};
    int64_t big3[3] = {50, 30, 30};
    _Static_assert(100 * 400 > DL4C_CPU_PAR_MIN, "threaded softmax");
    _Static_assert(50 * 30 * 30 > DL4C_CPU_PAR_MIN, "threaded softmax");
    for (int d = 0; d < DL4C_DTYPE_COUNT; d++) {
        dl4c_dtype dt = (dl4c_dtype)d;
        check_softmax(&rng, dt, 3, s3, -1, 3.0);
        check_softmax(&rng, dt, 3, s3, 2, 3.0);
        check_softmax(&rng, dt, 3, s3, 1, 3.0);
        check_softmax(&rng, dt, 3, s3, -3, 3.0);
        check_softmax(&rng, dt, 2, big, -1, 5.0);
        check_softmax(&rng, dt, 2, big, 0, 5.0);
        check_softmax(&rng, dt, 3, big3, 1, 5.0);
        /* inputs in the hundreds: exp would overflow without the max */
        check_softmax(&rng, dt, 3, s3, -1, 800.0);
        check_softmax(&rng, dt, 3, s3, 1, 800.0);
    }
}

static void test_softmax_large_values(void)
{
    for (int d = 0; d < DL4C_DTYPE_COUNT; d++) {
        dl4c_dtype dt = (dl4c_dtype)d;
        double v[8] = {1000, 1000, 1000, 0, -1000, -1000, 1000, 999};
        int64_t shape[2] = {4, 2};
        dl4c_tensor *x = make(dt, 2, shape), *y = make(dt, 2, shape),
                    *ly = make(dt, 2, shape);
        REQUIRE(x && y && ly);
        for (int i = 0; i < 8; i++)
            dl4c_tensor_set(x, i, v[i]);
        CHECK_OK(dl4c_ops_softmax(x, -1, false, y));
        CHECK_OK(dl4c_ops_softmax(x, 1, true, ly));
        double tol = dt == DL4C_F32 ? 1e-6 : 1e-14;
        CHECK_NEAR(dl4c_tensor_get(y, 0), 0.5, tol);
        CHECK_NEAR(dl4c_tensor_get(y, 1), 0.5, tol);
        CHECK_NEAR(dl4c_tensor_get(y, 2), 1.0, tol);
        CHECK(dl4c_tensor_get(y, 3) == 0.0);
        CHECK_NEAR(dl4c_tensor_get(y, 4), 0.5, tol);
        CHECK_NEAR(dl4c_tensor_get(y, 6), 1.0 / (1.0 + exp(-1.0)), tol);
        CHECK_NEAR(dl4c_tensor_get(ly, 0), -log(2.0), tol);
        CHECK_NEAR(dl4c_tensor_get(ly, 2), 0.0, tol);
        CHECK_NEAR(dl4c_tensor_get(ly, 3), -1000.0, 1e-9);
        CHECK_NEAR(dl4c_tensor_get(ly, 5), -log(2.0), tol);
        CHECK_NEAR(dl4c_tensor_get(ly, 7), -log1p(exp(1.0)), 1e-5);
        int finite = 0;
        for (int i = 0; i < 8; i++)
            finite += isfinite(dl4c_tensor_get(y, i)) &&
                      isfinite(dl4c_tensor_get(ly, i));
        CHECK(finite == 8);
        dl4c_tensor_free(x);
        dl4c_tensor_free(y);
        dl4c_tensor_free(ly);
    }
}

static void test_softmax_errors(void)
{
    int64_t s23[2] = {2, 3}, s32[2] = {3, 2};
    dl4c_tensor *x = make(DL4C_F32, 2, s23), *bad = make(DL4C_F32, 2, s32),
                *d = make(DL4C_F64, 2, s23);
    REQUIRE(x && bad && d);
    CHECK_ERR(dl4c_ops_softmax(x, 2, false, x), DL4C_SHAPE,
              "axis 2 out of range for rank 2");
    CHECK_ERR(dl4c_ops_softmax(x, -3, true, x), DL4C_SHAPE, "axis -3");
    CHECK_ERR(dl4c_ops_softmax(x, 1, false, bad), DL4C_SHAPE,
              "softmax: shapes [2, 3] and [3, 2] do not fit");
    CHECK_ERR(dl4c_ops_softmax(x, 1, false, d), DL4C_INVALID_ARG,
              "dtypes float32 and float64 differ");
    dl4c_tensor_free(x);
    dl4c_tensor_free(bad);
    dl4c_tensor_free(d);
}

/* ------------------------------------------------------------------ */
/* gemm */

static void check_gemm(dl4c_rng *rng, dl4c_dtype dt, bool ta, bool tb,
                       int64_t m, int64_t n, int64_t k, double alpha,
                       double beta)
{
    int64_t sa[2] = {ta ? k : m, ta ? m : k};
    int64_t sb[2] = {tb ? n : k, tb ? k : n};
    int64_t sc[2] = {m, n};
    dl4c_tensor *a = make_random(rng, dt, 2, sa, -1.0, 1.0);
    dl4c_tensor *b = make_random(rng, dt, 2, sb, -1.0, 1.0);
    dl4c_tensor *c = make_random(rng, dt, 2, sc, -1.0, 1.0);
    double *want = malloc(sizeof(double) * (size_t)(m * n));
    double *wtol = malloc(sizeof(double) * (size_t)(m * n));
    REQUIRE(a && b && c && want && wtol);
    /* beta == 0 means C is not read, as in BLAS: garbage must not leak */
    if (beta == 0.0)
        dl4c_tensor_fill(c, NAN);
    /* per element: the standard bound k*u*(sum |terms|), doubled */
    double u = dt == DL4C_F32 ? 0x1.0p-24 : 0x1.0p-53;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double acc = 0, mag = 0;
            for (int64_t p = 0; p < k; p++) {
                double x = dl4c_tensor_get(a, ta ? p * m + i : i * k + p);
                double y = dl4c_tensor_get(b, tb ? j * k + p : p * n + j);
                acc += x * y;
                mag += fabs(x * y);
            }
            double c0 = beta == 0.0 ? 0.0 : dl4c_tensor_get(c, i * n + j);
            want[i * n + j] = alpha * acc + beta * c0;
            wtol[i * n + j] = 2.0 * u * (double)(k + 2) *
                              (fabs(alpha) * mag + fabs(beta * c0) + 1e-30);
        }
    CHECK_OK(dl4c_ops_gemm(ta, tb, alpha, a, b, beta, c));
    char what[128];
    snprintf(what, sizeof what,
             "%s gemm ta=%d tb=%d m=%lld n=%lld k=%lld alpha=%g beta=%g",
             dl4c_dtype_name(dt), ta, tb, (long long)m, (long long)n,
             (long long)k, alpha, beta);
    int64_t bad = 0;
    for (int64_t i = 0; i < m * n; i++) {
        double g = dl4c_tensor_get(c, i);
        if (!(fabs(g - want[i]) <= wtol[i])) {
            if (!bad)
                fprintf(stderr, "  %s: element %lld is %.10g, want %.10g\n",
                        what, (long long)i, g, want[i]);
            bad++;
        }
    }
    CHECK_MSG(bad == 0, "%s: %lld of %lld wrong", what, (long long)bad,
              (long long)(m * n));
    free(want);
    free(wtol);
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_tensor_free(c);
}

static void test_gemm(void)
{
    /* m, n, k: single rows (GEMV route), single columns, tiny and large */
    static const int64_t sizes[][3] = {
        {1, 1, 1},     {1, 7, 5},    {1, 300, 129},   {1, 5, 1},
        {1, 1, 6},     {3, 1, 4},    {5, 7, 3},       {2, 9, 1},
        {300, 1, 129}, {64, 48, 33}, {200, 190, 180},
    };
    _Static_assert(200 * 190 > DL4C_CPU_PAR_MIN, "a threaded gemm");
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 15);
    int nsizes = (int)(sizeof sizes / sizeof sizes[0]);
    for (int d = 0; d < DL4C_DTYPE_COUNT; d++)
        for (int t = 0; t < 4; t++)
            for (int s = 0; s < nsizes; s++) {
                dl4c_dtype dt = (dl4c_dtype)d;
                bool ta = t & 1, tb = (t >> 1) & 1;
                const int64_t *z = sizes[s];
                check_gemm(&rng, dt, ta, tb, z[0], z[1], z[2], 1.5, 0.5);
                if (z[0] * z[1] * z[2] > 1000000)
                    continue; /* the reference loop is slow */
                check_gemm(&rng, dt, ta, tb, z[0], z[1], z[2], 1.0, 0.0);
                check_gemm(&rng, dt, ta, tb, z[0], z[1], z[2], -0.25, 1.0);
            }
}

/* Exact small products, one per transpose combination, on the single-row
 * (m == 1) and single-column (n == 1) paths. */
static void test_gemm_exact(void)
{
    /* A = [[1, 2, 3]] (1x3), B = [[1, 2], [3, 4], [5, 6]] (3x2):
     * A*B = [[22, 28]] */
    double a_row[3] = {1, 2, 3};
    double b_kn[6] = {1, 2, 3, 4, 5, 6};
    double b_nk[6] = {1, 3, 5, 2, 4, 6}; /* B^T stored 2x3 */
    int64_t s13[2] = {1, 3}, s31[2] = {3, 1}, s32[2] = {3, 2}, s23[2] = {2, 3},
            s12[2] = {1, 2};
    for (int d = 0; d < DL4C_DTYPE_COUNT; d++) {
        dl4c_dtype dt = (dl4c_dtype)d;
        dl4c_tensor *ar = make(dt, 2, s13), *ac = make(dt, 2, s31);
        dl4c_tensor *bkn = make(dt, 2, s32), *bnk = make(dt, 2, s23);
        dl4c_tensor *c = make(dt, 2, s12);
        REQUIRE(ar && ac && bkn && bnk && c);
        for (int i = 0; i < 3; i++) {
            dl4c_tensor_set(ar, i, a_row[i]);
            dl4c_tensor_set(ac, i, a_row[i]);
        }
        for (int i = 0; i < 6; i++) {
            dl4c_tensor_set(bkn, i, b_kn[i]);
            dl4c_tensor_set(bnk, i, b_nk[i]);
        }
        const dl4c_tensor *as[2] = {ar, ac}, *bs[2] = {bkn, bnk};
        for (int t = 0; t < 4; t++) {
            bool ta = t & 1, tb = (t >> 1) & 1;
            dl4c_tensor_fill(c, 100.0);
            CHECK_OK(dl4c_ops_gemm(ta, tb, 1.0, as[ta], bs[tb], 0.0, c));
            CHECK_MSG(dl4c_tensor_get(c, 0) == 22 &&
                          dl4c_tensor_get(c, 1) == 28,
                      "%s ta=%d tb=%d: [%g, %g]", dl4c_dtype_name(dt), ta, tb,
                      dl4c_tensor_get(c, 0), dl4c_tensor_get(c, 1));
            dl4c_tensor_fill(c, 1.0);
            CHECK_OK(dl4c_ops_gemm(ta, tb, 2.0, as[ta], bs[tb], -3.0, c));
            CHECK(dl4c_tensor_get(c, 0) == 41 && dl4c_tensor_get(c, 1) == 53);
        }
        dl4c_tensor_free(ar);
        dl4c_tensor_free(ac);
        dl4c_tensor_free(bkn);
        dl4c_tensor_free(bnk);
        dl4c_tensor_free(c);
    }

    /* single column (n == 1): A = [[1, 2, 3], [4, 5, 6]], B = [1, 2, 3]^T,
     * A*B = [14, 32]^T */
    double a_mk[6] = {1, 2, 3, 4, 5, 6}, a_km[6] = {1, 4, 2, 5, 3, 6};
    int64_t s21[2] = {2, 1};
    for (int d = 0; d < DL4C_DTYPE_COUNT; d++) {
        dl4c_dtype dt = (dl4c_dtype)d;
        dl4c_tensor *amk = make(dt, 2, s23), *akm = make(dt, 2, s32);
        dl4c_tensor *bcol = make(dt, 2, s31), *brow = make(dt, 2, s13);
        dl4c_tensor *c = make(dt, 2, s21);
        REQUIRE(amk && akm && bcol && brow && c);
        for (int i = 0; i < 6; i++) {
            dl4c_tensor_set(amk, i, a_mk[i]);
            dl4c_tensor_set(akm, i, a_km[i]);
        }
        for (int i = 0; i < 3; i++) {
            dl4c_tensor_set(bcol, i, i + 1);
            dl4c_tensor_set(brow, i, i + 1);
        }
        const dl4c_tensor *as[2] = {amk, akm}, *bs[2] = {bcol, brow};
        for (int t = 0; t < 4; t++) {
            bool ta = t & 1, tb = (t >> 1) & 1;
            dl4c_tensor_fill(c, NAN);
            CHECK_OK(dl4c_ops_gemm(ta, tb, 1.0, as[ta], bs[tb], 0.0, c));
            CHECK_MSG(dl4c_tensor_get(c, 0) == 14 &&
                          dl4c_tensor_get(c, 1) == 32,
                      "%s n=1 ta=%d tb=%d: [%g, %g]", dl4c_dtype_name(dt), ta,
                      tb, dl4c_tensor_get(c, 0), dl4c_tensor_get(c, 1));
            dl4c_tensor_fill(c, 2.0);
            CHECK_OK(dl4c_ops_gemm(ta, tb, -1.0, as[ta], bs[tb], 0.5, c));
            CHECK(dl4c_tensor_get(c, 0) == -13 && dl4c_tensor_get(c, 1) == -31);
        }
        dl4c_tensor_free(amk);
        dl4c_tensor_free(akm);
        dl4c_tensor_free(bcol);
        dl4c_tensor_free(brow);
        dl4c_tensor_free(c);
    }
}

/* The backend entry directly, on sub-matrices of wider buffers (leading
 * dims larger than the column counts), as layers call it on views: the
 * padding must be neither read nor written. */
static void check_backend_gemm_ld(dl4c_dtype dt, bool ta, bool tb, int64_t m,
                                  int64_t n, int64_t k)
{
    const dl4c_backend *be = dl4c_backend_cpu();
    int64_t ra = ta ? k : m, ca = ta ? m : k, lda = ca + 3;
    int64_t rb = tb ? n : k, cb = tb ? k : n, ldb = cb + 2;
    int64_t ldc = n + 1;
    int64_t sa[2] = {ra, lda}, sb[2] = {rb, ldb}, sc[2] = {m, ldc};
    dl4c_tensor *a = make(dt, 2, sa), *b = make(dt, 2, sb),
                *c = make(dt, 2, sc);
    REQUIRE(a && b && c);
    /* padding is NaN in the inputs and a sentinel in the output */
    dl4c_tensor_fill(a, NAN);
    dl4c_tensor_fill(b, NAN);
    dl4c_tensor_fill(c, 777.0);
    for (int64_t i = 0; i < ra; i++)
        for (int64_t j = 0; j < ca; j++)
            dl4c_tensor_set(a, i * lda + j, (double)((i * 7 + j * 3) % 11) - 5);
    for (int64_t i = 0; i < rb; i++)
        for (int64_t j = 0; j < cb; j++)
            dl4c_tensor_set(b, i * ldb + j, (double)((i * 5 + j) % 7) - 3);
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++)
            dl4c_tensor_set(c, i * ldc + j, (double)(i - j));

    be->gemm(dt, ta, tb, m, n, k, 2.0, dl4c_tensor_data(a), lda,
             dl4c_tensor_data(b), ldb, 0.5, dl4c_tensor_data(c), ldc);

    int64_t bad = 0, pad_bad = 0;
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            double acc = 0;
            for (int64_t p = 0; p < k; p++)
                acc += dl4c_tensor_get(a, ta ? p * lda + i : i * lda + p) *
                       dl4c_tensor_get(b, tb ? j * ldb + p : p * ldb + j);
            /* small integers: the result is exact in both dtypes */
            bad += dl4c_tensor_get(c, i * ldc + j) != 2.0 * acc + 0.5 * (i - j);
        }
        pad_bad += dl4c_tensor_get(c, i * ldc + n) != 777.0;
    }
    CHECK_MSG(bad == 0 && pad_bad == 0,
              "%s backend gemm ta=%d tb=%d m=%lld n=%lld k=%lld: %lld wrong, "
              "%lld padding changed",
              dl4c_dtype_name(dt), ta, tb, (long long)m, (long long)n,
              (long long)k, (long long)bad, (long long)pad_bad);
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_tensor_free(c);
}

static void test_backend_gemm_leading_dims(void)
{
    static const int64_t sizes[][3] = {
        {1, 6, 5}, /* single row */
        {6, 1, 5}, /* single column */
        {4, 6, 5}, /* general */
        {1, 1, 5}, /* dot product */
    };
    for (int d = 0; d < DL4C_DTYPE_COUNT; d++)
        for (int t = 0; t < 4; t++)
            for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
                check_backend_gemm_ld((dl4c_dtype)d, t & 1, (t >> 1) & 1,
                                      sizes[s][0], sizes[s][1], sizes[s][2]);
}

static void test_gemm_errors(void)
{
    int64_t s23[2] = {2, 3}, s42[2] = {4, 2}, s32[2] = {3, 2}, s22[2] = {2, 2},
            s25[2] = {2, 5}, s3 = 3;
    dl4c_tensor *a = make(DL4C_F32, 2, s23), *b = make(DL4C_F32, 2, s42),
                *b2 = make(DL4C_F32, 2, s32), *c = make(DL4C_F32, 2, s22),
                *c25 = make(DL4C_F32, 2, s25), *v = make(DL4C_F32, 1, &s3),
                *d = make(DL4C_F64, 2, s32);
    REQUIRE(a && b && b2 && c && c25 && v && d);

    CHECK_ERR(dl4c_ops_gemm(false, false, 1, a, b, 0, c), DL4C_SHAPE,
              "gemm inner dims: shapes [2, 3] and [4, 2] do not fit");
    CHECK_ERR(dl4c_ops_gemm(true, false, 1, a, b2, 0, c), DL4C_SHAPE,
              "gemm inner dims");
    CHECK_OK(dl4c_ops_gemm(false, false, 1, a, b2, 0, c));
    CHECK_ERR(dl4c_ops_gemm(false, false, 1, a, b2, 0, c25), DL4C_SHAPE,
              "gemm: output is [2, 5], product is [2, 2]");
    /* A^T (3x2) * B^T (2x3) = 3x3 */
    CHECK_ERR(dl4c_ops_gemm(true, true, 1, a, b2, 0, c), DL4C_SHAPE,
              "product is [3, 3]");
    CHECK_ERR(dl4c_ops_gemm(false, false, 1, v, b2, 0, c), DL4C_SHAPE,
              "gemm needs 2-D tensors, got ranks 1, 2, 2");
    CHECK_ERR(dl4c_ops_gemm(false, false, 1, a, b2, 0, v), DL4C_SHAPE,
              "got ranks 2, 2, 1");
    CHECK_ERR(dl4c_ops_gemm(false, false, 1, a, d, 0, c), DL4C_INVALID_ARG,
              "dtypes float32 and float64 differ");

    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_tensor_free(b2);
    dl4c_tensor_free(c);
    dl4c_tensor_free(c25);
    dl4c_tensor_free(v);
    dl4c_tensor_free(d);
}

/* ------------------------------------------------------------------ */
/* argmax */

static void test_argmax_rows(void)
{
    double v[12] = {0.1,  0.7,  0.2,  0.0,   /* row 0: 1 */
                    5.0,  5.0,  -1.0, 5.0,   /* row 1: ties -> first, 0 */
                    -3.0, -2.0, -9.0, -1.5}; /* row 2: 3 */
    int64_t s34[2] = {3, 4}, s4 = 4, s223[3] = {2, 2, 3};
    for (int d = 0; d < DL4C_DTYPE_COUNT; d++) {
        dl4c_tensor *x = make((dl4c_dtype)d, 2, s34);
        REQUIRE(x != NULL);
        for (int i = 0; i < 12; i++)
            dl4c_tensor_set(x, i, v[i]);
        int64_t idx[4] = {-1, -1, -1, -1};
        CHECK_OK(dl4c_ops_argmax_rows(x, idx));
        CHECK(idx[0] == 1 && idx[1] == 0 && idx[2] == 3);
        CHECK(idx[3] == -1); /* only R entries written */

        /* rank 1: one row */
        dl4c_tensor *r = NULL;
        REQUIRE_OK(dl4c_tensor_view(x, 8, 1, &s4, &r));
        CHECK_OK(dl4c_ops_argmax_rows(r, idx));
        CHECK(idx[0] == 3);
        dl4c_tensor_free(r);

        /* rank 3: rows are everything but the last dim */
        CHECK_OK(dl4c_tensor_reshape(x, 3, s223));
        CHECK_OK(dl4c_ops_argmax_rows(x, idx));
        /* rows [.1 .7 .2] [0 5 5] [-1 5 -3] [-2 -9 -1.5] */
        CHECK(idx[0] == 1 && idx[1] == 1 && idx[2] == 1 && idx[3] == 2);

        dl4c_tensor *s = NULL;
        REQUIRE_OK(dl4c_tensor_create((dl4c_dtype)d, 0, NULL, &s));
        CHECK_ERR(dl4c_ops_argmax_rows(s, idx), DL4C_SHAPE,
                  "argmax of a scalar");
        dl4c_tensor_free(s);
        dl4c_tensor_free(x);
    }

    /* a long row: the largest element near the end */
    int64_t big[2] = {2, 50000};
    dl4c_tensor *x = make(DL4C_F32, 2, big);
    REQUIRE(x != NULL);
    dl4c_tensor_set(x, 49999, 1.0);
    dl4c_tensor_set(x, 50000 + 12345, 2.0);
    int64_t idx[2] = {0, 0};
    CHECK_OK(dl4c_ops_argmax_rows(x, idx));
    CHECK(idx[0] == 49999 && idx[1] == 12345);
    dl4c_tensor_free(x);
}

TEST_MAIN(test_binary_broadcast, test_binary_exact_values, test_nan_propagation,
          test_binary_errors, test_unary, test_unary_values_and_errors,
          test_reduce, test_reduce_values_and_errors, test_softmax,
          test_softmax_large_values, test_softmax_errors, test_gemm,
          test_gemm_exact, test_backend_gemm_leading_dims, test_gemm_errors,
          test_argmax_rows)
