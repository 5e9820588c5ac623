// labels: unit gradcheck badinput
/* The activation catalogue: every activation's backward against central
 * differences of its forward (float64), known forward values, RRELU's
 * random slopes, float32 against float64, dropout masks, names and bad
 * arguments. */
#include "core/backend.h"
#include "gradcheck.h"
#include "test.h"

#define ROWS 3
#define COLS 5
#define N (ROWS * COLS)

static dl4c_tensor *make(dl4c_dtype dt, int ndim, const int64_t *shape,
                         const double *v)
{
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(dt, ndim, shape, &t) != DL4C_OK)
        return NULL;
    int64_t n = dl4c_tensor_size(t);
    for (int64_t i = 0; v && i < n; i++)
        dl4c_tensor_set(t, i, v[i]);
    return t;
}

static dl4c_tensor *make2(dl4c_dtype dt, int64_t rows, int64_t cols,
                          const double *v)
{
    int64_t shape[2] = {rows, cols};
    return make(dt, 2, shape, v);
}

/* Every activation with the parameter variants worth checking. */
typedef struct variant {
    dl4c_activation act;
    bool training;
    const char *label;
} variant;

static int variants(variant *out)
{
    int n = 0;
    for (int id = 0; id < DL4C_ACT_COUNT; id++) {
        dl4c_activation a = dl4c_activation_default((dl4c_activation_id)id);
        out[n++] = (variant){a, false, dl4c_activation_name(a.id)};
        if (id == DL4C_ACT_GELU) {
            a.alpha = 1.0;
            out[n++] = (variant){a, false, "gelu (tanh)"};
        }
        if (id == DL4C_ACT_RRELU)
            out[n++] = (variant){a, true, "rrelu (training)"};
        if (id == DL4C_ACT_LEAKYRELU) {
            a.alpha = 0.3;
            out[n++] = (variant){a, false, "leakyrelu 0.3"};
        }
        if (id == DL4C_ACT_ELU) {
            a.alpha = 0.7;
            out[n++] = (variant){a, false, "elu 0.7"};
        }
    }
    return n;
}

/* Inputs in [-4, 7] kept 0.05 away from every kink: 0 (relu family),
 * +-1 (hardtanh), +-2.5 (hardsigmoid's corners) and 6 (relu6). Values are
 * rounded to float so float32 and float64 see the same inputs. */
static void kink_free_inputs(dl4c_rng *rng, double *x, int n)
{
    static const double kinks[] = {0, 1, -1, 2.5, -2.5, 6};
    for (int i = 0; i < n; i++) {
        double v;
        bool near;
        do {
            v = (double)(float)(-4 + 11 * dl4c_rng_uniform(rng));
            near = false;
            for (size_t k = 0; k < sizeof kinks / sizeof kinks[0]; k++)
                near |= fabs(v - kinks[k]) < 0.05;
        } while (near);
        x[i] = v;
    }
}

typedef struct fd_ctx {
    const variant *v;
    dl4c_tensor *x, *y;
    const double *dy;
    uint64_t seed;
} fd_ctx;

/* sum(dy * f(x)): its gradient is backward(dy), a Jacobian-vector product
 * for SOFTMAX */
static double weighted_output(const double *x, void *p)
{
    fd_ctx *c = p;
    for (int i = 0; i < N; i++)
        dl4c_tensor_set(c->x, i, x[i]);
    if (dl4c_activation_forward(&c->v->act, c->x, c->y, c->v->training,
                                c->seed) != DL4C_OK)
        return NAN;
    double s = 0;
    for (int i = 0; i < N; i++)
        s += c->dy[i] * dl4c_tensor_get(c->y, i);
    return s;
}

static void test_gradients(void)
{
    variant vs[DL4C_ACT_COUNT + 8];
    int nv = variants(vs);
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 7);
    for (int k = 0; k < nv; k++) {
        double x[N], dy[N], dx[N];
        kink_free_inputs(&rng, x, N);
        for (int i = 0; i < N; i++)
            dy[i] = 2 * dl4c_rng_uniform(&rng) - 1;
        dl4c_tensor *tx = make2(DL4C_F64, ROWS, COLS, x);
        dl4c_tensor *ty = make2(DL4C_F64, ROWS, COLS, NULL);
        dl4c_tensor *tdy = make2(DL4C_F64, ROWS, COLS, dy);
        dl4c_tensor *tdx = make2(DL4C_F64, ROWS, COLS, NULL);
        dl4c_tensor *scratch = make2(DL4C_F64, ROWS, COLS, NULL);
        REQUIRE(tx && ty && tdy && tdx && scratch);
        uint64_t seed = 1234;
        CHECK_OK(
            dl4c_activation_forward(&vs[k].act, tx, ty, vs[k].training, seed));
        CHECK_OK(dl4c_activation_backward(&vs[k].act, tx, ty, tdy, tdx,
                                          vs[k].training, seed));
        for (int i = 0; i < N; i++)
            dx[i] = dl4c_tensor_get(tdx, i);
        fd_ctx c = {&vs[k], scratch, make2(DL4C_F64, ROWS, COLS, NULL), dy,
                    seed};
        REQUIRE(c.y);
        /* eps 1e-5: truncation error ~1e-10 * f''', rounding of
         * sums up to ~1e3 (cube) ~1e-8 */
        CHECK_MSG(gradcheck(vs[k].label, weighted_output, &c, x, dx, N, 1e-5,
                            1e-6, 1e-7) == 0,
                  "%s", vs[k].label);
        dl4c_tensor_free(c.y);
        dl4c_tensor_free(tx);
        dl4c_tensor_free(ty);
        dl4c_tensor_free(tdy);
        dl4c_tensor_free(tdx);
        dl4c_tensor_free(scratch);
    }
}

/* f(x) of a 1 x n row */
static void forward_row(dl4c_activation act, const double *x, double *y, int n)
{
    dl4c_tensor *tx = make2(DL4C_F64, 1, n, x);
    dl4c_tensor *ty = make2(DL4C_F64, 1, n, NULL);
    if (tx && ty && dl4c_activation_forward(&act, tx, ty, false, 0) == DL4C_OK)
        for (int i = 0; i < n; i++)
            y[i] = dl4c_tensor_get(ty, i);
    else
        for (int i = 0; i < n; i++)
            y[i] = NAN;
    dl4c_tensor_free(tx);
    dl4c_tensor_free(ty);
}

/* Expected values from the defining formulas, evaluated independently in
 * double precision (Python's math module). */
static void test_known_values(void)
{
    static const struct {
        dl4c_activation_id id;
        double alpha; /* NAN: the default */
        double x[3], y[3];
    } cases[] = {
        {DL4C_ACT_IDENTITY, NAN, {1.5, -2, 0}, {1.5, -2, 0}},
        {DL4C_ACT_CUBE, NAN, {-2, 0.5, 3}, {-8, 0.125, 27}},
        /* alpha*(e^x - 1) below zero: e^-1 - 1 */
        {DL4C_ACT_ELU, NAN, {-1, 2, 0}, {-0.6321205588285577, 2, 0}},
        /* clip(0.2x + 0.5, 0, 1) */
        {DL4C_ACT_HARDSIGMOID, NAN, {1, -3, 3}, {0.7, 0, 1}},
        {DL4C_ACT_HARDTANH, NAN, {-2, 0.5, 4}, {-1, 0.5, 1}},
        {DL4C_ACT_LEAKYRELU, NAN, {-2, 3, 0}, {-0.02, 3, 0}},
        /* 1.7159 * r(2x/3), r(u) = sign(u)(1 - 1/(1+|u|+u^2+1.41645u^4)) */
        {DL4C_ACT_RATIONALTANH,
         NAN,
         {1, -2, 0},
         {0.998221576840618, -1.5160931251250698, 0}},
        {DL4C_ACT_RELU, NAN, {-1, 2, 0}, {0, 2, 0}},
        {DL4C_ACT_RELU6, NAN, {7, 3, -1}, {6, 3, 0}},
        /* inference: slope (1/8 + 1/3)/2 */
        {DL4C_ACT_RRELU, NAN, {-2, 2, 0}, {-0.4583333333333333, 2, 0}},
        {DL4C_ACT_SIGMOID,
         NAN,
         {0, 2, -2},
         {0.5, 0.8807970779778823, 1 - 0.8807970779778823}},
        /* log(1 + e^x) */
        {DL4C_ACT_SOFTPLUS,
         NAN,
         {1, -2, 0},
         {1.3132616875182228, 0.1269280110429725, 0.6931471805599453}},
        {DL4C_ACT_SOFTSIGN, NAN, {3, -1, 0}, {0.75, -0.5, 0}},
        {DL4C_ACT_TANH,
         NAN,
         {0.5, -0.5, 0},
         {0.46211715726000974, -0.46211715726000974, 0}},
        /* lambda*alpha*(e^x - 1) below zero, lambda*x above */
        {DL4C_ACT_SELU,
         NAN,
         {-1, 2, 0},
         {-1.1113307378125625, 2.101401974710961, 0}},
        /* exact: x*Phi(x) */
        {DL4C_ACT_GELU,
         0,
         {1, -1, 0},
         {0.8413447460685429, -0.15865525393145707, 0}},
        /* 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))) */
        {DL4C_ACT_GELU,
         1,
         {1, -1, 0},
         {0.8411919906082768, -0.15880800939172324, 0}},
        {DL4C_ACT_SWISH,
         NAN,
         {1, -1, 0},
         {0.7310585786300049, -0.2689414213699951, 0}},
        /* x*tanh(softplus(x)) */
        {DL4C_ACT_MISH,
         NAN,
         {1, -1, 0},
         {0.8650983882673103, -0.30340146137410895, 0}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        dl4c_activation act = dl4c_activation_default(cases[k].id);
        if (!isnan(cases[k].alpha))
            act.alpha = cases[k].alpha;
        double y[3];
        forward_row(act, cases[k].x, y, 3);
        for (int i = 0; i < 3; i++)
            CHECK_MSG(fabs(y[i] - cases[k].y[i]) <= 1e-12,
                      "%s(%g) = %.17g, expected %.17g",
                      dl4c_activation_name(act.id), cases[k].x[i], y[i],
                      cases[k].y[i]);
    }
    /* softmax over the last axis: e^x / sum(e^x) for x = 1, 2, 3; a
     * shift by a constant changes nothing */
    double x[6] = {1, 2, 3, 101, 102, 103}, y[6];
    dl4c_tensor *tx = make2(DL4C_F64, 2, 3, x);
    dl4c_tensor *ty = make2(DL4C_F64, 2, 3, NULL);
    REQUIRE(tx && ty);
    dl4c_activation sm = dl4c_activation_default(DL4C_ACT_SOFTMAX);
    CHECK_OK(dl4c_activation_forward(&sm, tx, ty, false, 0));
    for (int i = 0; i < 6; i++)
        y[i] = dl4c_tensor_get(ty, i);
    const double want[3] = {0.09003057317038046, 0.24472847105479767,
                            0.6652409557748219};
    for (int i = 0; i < 3; i++) {
        CHECK_NEAR(y[i], want[i], 1e-15);
        CHECK_NEAR(y[3 + i], want[i], 1e-15);
    }
    dl4c_tensor_free(tx);
    dl4c_tensor_free(ty);

    /* rank 3: rows are all leading dims, softmax along the last one */
    int64_t shape3[3] = {2, 2, 3};
    double x3[12] = {1, 2, 3, 0, 0, 0, -1, 5, 2, 3, 3, 9};
    tx = make(DL4C_F64, 3, shape3, x3);
    ty = make(DL4C_F64, 3, shape3, NULL);
    REQUIRE(tx && ty);
    CHECK_OK(dl4c_activation_forward(&sm, tx, ty, false, 0));
    for (int r = 0; r < 4; r++) {
        double s = 0;
        for (int c = 0; c < 3; c++)
            s += dl4c_tensor_get(ty, r * 3 + c);
        CHECK_NEAR(s, 1.0, 1e-15);
    }
    CHECK_NEAR(dl4c_tensor_get(ty, 3), 1.0 / 3.0, 1e-15);
    dl4c_tensor_free(tx);
    dl4c_tensor_free(ty);
}

/* In place (y == x) forward matches the out-of-place result. */
static void test_in_place(void)
{
    variant vs[DL4C_ACT_COUNT + 8];
    int nv = variants(vs);
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 3);
    for (int k = 0; k < nv; k++) {
        double x[N];
        kink_free_inputs(&rng, x, N);
        dl4c_tensor *a = make2(DL4C_F64, ROWS, COLS, x);
        dl4c_tensor *b = make2(DL4C_F64, ROWS, COLS, NULL);
        REQUIRE(a && b);
        CHECK_OK(dl4c_activation_forward(&vs[k].act, a, b, vs[k].training, 5));
        CHECK_OK(dl4c_activation_forward(&vs[k].act, a, a, vs[k].training, 5));
        CHECK_MSG(dl4c_tensor_max_abs_diff(a, b) == 0, "%s", vs[k].label);
        dl4c_tensor_free(a);
        dl4c_tensor_free(b);
    }
}

static void test_rrelu(void)
{
    enum { M = 4000 };
    double *x = malloc(M * sizeof *x);
    REQUIRE(x);
    for (int i = 0; i < M; i++)
        x[i] = i % 2 ? -1.0 : 2.0;
    dl4c_tensor *tx = make2(DL4C_F64, 40, M / 40, x);
    dl4c_tensor *y1 = make2(DL4C_F64, 40, M / 40, NULL);
    dl4c_tensor *y2 = make2(DL4C_F64, 40, M / 40, NULL);
    dl4c_tensor *y3 = make2(DL4C_F64, 40, M / 40, NULL);
    free(x);
    REQUIRE(tx && y1 && y2 && y3);
    dl4c_activation a = dl4c_activation_default(DL4C_ACT_RRELU);
    CHECK_NEAR(a.alpha, 1.0 / 8.0, 0);
    CHECK_NEAR(a.beta, 1.0 / 3.0, 0);
    CHECK_OK(dl4c_activation_forward(&a, tx, y1, true, 99));
    CHECK_OK(dl4c_activation_forward(&a, tx, y2, true, 99));
    CHECK_OK(dl4c_activation_forward(&a, tx, y3, true, 100));
    CHECK(dl4c_tensor_max_abs_diff(y1, y2) == 0); /* same seed */
    CHECK(dl4c_tensor_max_abs_diff(y1, y3) > 0);  /* another seed */
    double sum = 0, lo = 1, hi = 0;
    bool in_range = true, positive_kept = true;
    for (int i = 0; i < M; i++) {
        double v = dl4c_tensor_get(y1, i);
        if (i % 2 == 0) {
            positive_kept &= v == 2.0;
            continue;
        }
        double slope = -v;
        in_range &= slope >= a.alpha && slope <= a.beta;
        lo = slope < lo ? slope : lo;
        hi = slope > hi ? slope : hi;
        sum += slope;
    }
    CHECK(in_range);
    CHECK(positive_kept);
    /* 2000 draws of U[1/8, 1/3]: mean within 5 std errors (0.0013 each),
     * and the range nearly covered */
    CHECK_NEAR(sum / (M / 2), (a.alpha + a.beta) / 2, 0.007);
    CHECK(lo < a.alpha + 0.01 && hi > a.beta - 0.01);
    /* inference: the mean slope, no randomness */
    CHECK_OK(dl4c_activation_forward(&a, tx, y2, false, 99));
    CHECK_NEAR(dl4c_tensor_get(y2, 1), -(a.alpha + a.beta) / 2, 1e-15);
    CHECK_NEAR(dl4c_tensor_get(y2, 0), 2.0, 0);
    dl4c_tensor_free(tx);
    dl4c_tensor_free(y1);
    dl4c_tensor_free(y2);
    dl4c_tensor_free(y3);
}

/* float32 forward and backward agree with float64 within 1e-6 relative
 * (absolute below 1). Inputs are float values, so both see the same x. */
static void test_float32(void)
{
    variant vs[DL4C_ACT_COUNT + 8];
    int nv = variants(vs);
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 11);
    for (int k = 0; k < nv; k++) {
        double x[N], dy[N];
        kink_free_inputs(&rng, x, N);
        for (int i = 0; i < N; i++)
            dy[i] = (double)(float)(2 * dl4c_rng_uniform(&rng) - 1);
        dl4c_tensor *t[2][4];
        for (int d = 0; d < 2; d++) {
            dl4c_dtype dt = d ? DL4C_F32 : DL4C_F64;
            t[d][0] = make2(dt, ROWS, COLS, x);
            t[d][1] = make2(dt, ROWS, COLS, NULL);
            t[d][2] = make2(dt, ROWS, COLS, dy);
            t[d][3] = make2(dt, ROWS, COLS, NULL);
            REQUIRE(t[d][0] && t[d][1] && t[d][2] && t[d][3]);
            CHECK_OK(dl4c_activation_forward(&vs[k].act, t[d][0], t[d][1],
                                             vs[k].training, 42));
            CHECK_OK(dl4c_activation_backward(&vs[k].act, t[d][0], t[d][1],
                                              t[d][2], t[d][3], vs[k].training,
                                              42));
        }
        for (int which = 1; which <= 3; which += 2)
            for (int i = 0; i < N; i++) {
                double a = dl4c_tensor_get(t[0][which], i);
                double b = dl4c_tensor_get(t[1][which], i);
                double scale = fabs(a) > 1 ? fabs(a) : 1;
                CHECK_MSG(fabs(a - b) <= 1e-6 * scale,
                          "%s %s at x = %g: f64 %.10g, f32 %.10g", vs[k].label,
                          which == 1 ? "forward" : "backward", x[i], a, b);
            }
        for (int d = 0; d < 2; d++)
            for (int j = 0; j < 4; j++)
                dl4c_tensor_free(t[d][j]);
    }
}

/* The backend's inverted dropout (lives with the activation kernels):
 * keeps about 1 - rate of the entries, scaled by 1/(1 - rate); the same
 * seed gives the same mask, so the backward call on dy matches. */
static void test_dropout(void)
{
    enum { M = 20000 };
    const dl4c_backend *be = dl4c_backend_cpu();
    double *x = malloc(M * sizeof *x), *y = malloc(M * sizeof *y);
    double *dy = malloc(M * sizeof *dy), *dx = malloc(M * sizeof *dx);
    float *xf = malloc(M * sizeof *xf), *yf = malloc(M * sizeof *yf);
    REQUIRE(x && y && dy && dx && xf && yf);
    for (int i = 0; i < M; i++) {
        x[i] = 1.0 + i % 3;
        dy[i] = -2.0;
        xf[i] = (float)x[i];
    }
    be->dropout(DL4C_F64, M, 0.3, 77, x, y);
    be->dropout(DL4C_F64, M, 0.3, 77, dy, dx);
    be->dropout(DL4C_F32, M, 0.3, 77, xf, yf);
    int kept = 0;
    bool scaled = true, same_mask = true, same_f32 = true;
    for (int i = 0; i < M; i++) {
        bool k = y[i] != 0;
        kept += k;
        scaled &= !k || fabs(y[i] - x[i] / 0.7) <= 1e-15;
        same_mask &= k == (dx[i] != 0);
        same_f32 &= k == (yf[i] != 0);
    }
    CHECK(scaled && same_mask && same_f32);
    /* binomial(20000, 0.7): std 65 */
    CHECK_MSG(abs(kept - 14000) < 400, "kept %d of %d", kept, M);
    be->dropout(DL4C_F64, M, 0.3, 78, x, dx);
    bool differ = false;
    for (int i = 0; i < M; i++)
        differ |= (dx[i] != 0) != (y[i] != 0);
    CHECK(differ);
    be->dropout(DL4C_F64, M, 0.0, 77, x, y);
    CHECK(memcmp(x, y, M * sizeof *x) == 0);
    be->dropout(DL4C_F64, M, 1.0, 77, x, y);
    bool zero = true;
    for (int i = 0; i < M; i++)
        zero &= y[i] == 0;
    CHECK(zero);
    free(x);
    free(y);
    free(dy);
    free(dx);
    free(xf);
    free(yf);
}

static void test_defaults(void)
{
    dl4c_activation a = dl4c_activation_default(DL4C_ACT_ELU);
    CHECK(a.id == DL4C_ACT_ELU && a.alpha == 1.0);
    a = dl4c_activation_default(DL4C_ACT_HARDSIGMOID);
    CHECK(a.alpha == 0.2 && a.beta == 0.5);
    a = dl4c_activation_default(DL4C_ACT_HARDTANH);
    CHECK(a.alpha == -1.0 && a.beta == 1.0);
    a = dl4c_activation_default(DL4C_ACT_LEAKYRELU);
    CHECK(a.alpha == 0.01);
    a = dl4c_activation_default(DL4C_ACT_GELU);
    CHECK(a.alpha == 0.0); /* exact */
    a = dl4c_activation_default(DL4C_ACT_RELU);
    CHECK(a.alpha == 0.0 && a.beta == 0.0);
}

static void test_names(void)
{
    static const struct {
        const char *name;
        dl4c_activation_id id;
    } names[] = {
        /* DL4J */
        {"identity", DL4C_ACT_IDENTITY},
        {"cube", DL4C_ACT_CUBE},
        {"elu", DL4C_ACT_ELU},
        {"hardsigmoid", DL4C_ACT_HARDSIGMOID},
        {"hardtanh", DL4C_ACT_HARDTANH},
        {"leakyrelu", DL4C_ACT_LEAKYRELU},
        {"rationaltanh", DL4C_ACT_RATIONALTANH},
        {"relu", DL4C_ACT_RELU},
        {"relu6", DL4C_ACT_RELU6},
        {"rrelu", DL4C_ACT_RRELU},
        {"sigmoid", DL4C_ACT_SIGMOID},
        {"softmax", DL4C_ACT_SOFTMAX},
        {"softplus", DL4C_ACT_SOFTPLUS},
        {"softsign", DL4C_ACT_SOFTSIGN},
        {"tanh", DL4C_ACT_TANH},
        {"selu", DL4C_ACT_SELU},
        {"gelu", DL4C_ACT_GELU},
        {"swish", DL4C_ACT_SWISH},
        {"mish", DL4C_ACT_MISH},
        {"LEAKYRELU", DL4C_ACT_LEAKYRELU}, /* DL4J enum spelling */
        {"RationalTanh", DL4C_ACT_RATIONALTANH},
        /* Keras */
        {"linear", DL4C_ACT_IDENTITY},
        {"leaky_relu", DL4C_ACT_LEAKYRELU},
        {"hard_sigmoid", DL4C_ACT_HARDSIGMOID},
        {"silu", DL4C_ACT_SWISH},
        {"LeakyReLU", DL4C_ACT_LEAKYRELU}, /* layer class names */
        {"ReLU", DL4C_ACT_RELU},
        {"ELU", DL4C_ACT_ELU},
        {"Softmax", DL4C_ACT_SOFTMAX},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        dl4c_activation a = {.id = DL4C_ACT_COUNT};
        CHECK_OK(dl4c_activation_parse(names[i].name, &a));
        CHECK_MSG(a.id == names[i].id, "%s", names[i].name);
        dl4c_activation d = dl4c_activation_default(names[i].id);
        CHECK(a.alpha == d.alpha && a.beta == d.beta);
    }
    for (int id = 0; id < DL4C_ACT_COUNT; id++) {
        dl4c_activation a;
        const char *name = dl4c_activation_name((dl4c_activation_id)id);
        CHECK_OK(dl4c_activation_parse(name, &a));
        CHECK(a.id == (dl4c_activation_id)id);
    }
    CHECK(!strcmp(dl4c_activation_name(DL4C_ACT_LEAKYRELU), "leakyrelu"));
    CHECK(!strcmp(dl4c_activation_name(DL4C_ACT_COUNT), "invalid"));
    dl4c_activation a;
    CHECK_ERR(dl4c_activation_parse("xyz", &a), DL4C_INVALID_ARG,
              "unknown activation 'xyz'");
    CHECK_ERR(dl4c_activation_parse("hard_silu", &a), DL4C_INVALID_ARG,
              "unknown activation 'hard_silu'");
    CHECK_ERR(dl4c_activation_parse("", &a), DL4C_INVALID_ARG,
              "unknown activation ''");
    CHECK_ERR(dl4c_activation_parse(NULL, &a), DL4C_INVALID_ARG, "NULL");
}

static void test_bad_args(void)
{
    dl4c_activation a = dl4c_activation_default(DL4C_ACT_RELU);
    dl4c_tensor *x = make2(DL4C_F64, 2, 3, NULL);
    dl4c_tensor *y = make2(DL4C_F64, 2, 3, NULL);
    dl4c_tensor *wrong = make2(DL4C_F64, 3, 2, NULL);
    dl4c_tensor *f32 = make2(DL4C_F32, 2, 3, NULL);
    REQUIRE(x && y && wrong && f32);
    CHECK_ERR(dl4c_activation_forward(&a, x, wrong, false, 0), DL4C_SHAPE,
              "y has shape [3, 2], x [2, 3]");
    CHECK_ERR(dl4c_activation_forward(&a, x, f32, false, 0), DL4C_INVALID_ARG,
              "y is float32, x is float64");
    CHECK_ERR(dl4c_activation_forward(&a, x, NULL, false, 0), DL4C_INVALID_ARG,
              "y is NULL");
    CHECK_ERR(dl4c_activation_forward(NULL, x, y, false, 0), DL4C_INVALID_ARG,
              "activation is NULL");
    dl4c_activation bad = {.id = DL4C_ACT_COUNT};
    CHECK_ERR(dl4c_activation_forward(&bad, x, y, false, 0), DL4C_INVALID_ARG,
              "unknown activation id");
    CHECK_ERR(dl4c_activation_backward(&a, x, y, wrong, y, false, 0),
              DL4C_SHAPE, "dy has shape [3, 2]");
    CHECK_ERR(dl4c_activation_backward(&a, x, y, y, f32, false, 0),
              DL4C_INVALID_ARG, "dx is float32");
    CHECK_ERR(dl4c_activation_backward(&a, x, NULL, y, y, false, 0),
              DL4C_INVALID_ARG, "y is NULL");
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_tensor_free(wrong);
    dl4c_tensor_free(f32);
}

TEST_MAIN(test_gradients, test_known_values, test_in_place, test_rrelu,
          test_float32, test_dropout, test_defaults, test_names, test_bad_args)
