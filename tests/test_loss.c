// labels: unit gradcheck badinput
/* The loss catalogue: every loss's gradient against central differences
 * of its score (float64), with per-output weights and per-example and
 * per-element masks; exact values on hand-computed cases; blocks of rows;
 * float32; names; and bad inputs. */
#include "gradcheck.h"
#include "test.h"

#define NR 4
#define NC 3
#define NE (NR * NC)

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

static dl4c_tensor *make1(dl4c_dtype dt, int64_t n, const double *v)
{
    return make(dt, 1, &n, v);
}

static double uni(dl4c_rng *rng, double lo, double hi)
{
    /* float-representable, so float32 runs see the same numbers */
    return (double)(float)(lo + (hi - lo) * dl4c_rng_uniform(rng));
}

static double sign_of(dl4c_rng *rng)
{
    return dl4c_rng_uniform(rng) < 0.5 ? -1.0 : 1.0;
}

/* Predictions and labels inside each loss's smooth domain: away from the
 * kinks of L1, MAPE and the hinge margin, and from the clipping at EPS. */
static void fill_case(dl4c_loss_id id, dl4c_rng *rng, double *pred,
                      double *labels)
{
    for (int r = 0; r < NR; r++) {
        double *p = pred + r * NC, *y = labels + r * NC;
        double total = 0;
        for (int c = 0; c < NC; c++) {
            switch (id) {
            case DL4C_LOSS_MSE:
            case DL4C_LOSS_L1:
            case DL4C_LOSS_HUBER:
                y[c] = uni(rng, -1, 1);
                p[c] = y[c] + sign_of(rng) * uni(rng, 0.1, 1.5);
                break;
            case DL4C_LOSS_MSLE:
                y[c] = uni(rng, 0.1, 2);
                p[c] = uni(rng, 0.1, 2);
                break;
            case DL4C_LOSS_MAPE:
                y[c] = sign_of(rng) * uni(rng, 0.5, 2);
                p[c] = y[c] + sign_of(rng) * uni(rng, 0.1, 1);
                break;
            case DL4C_LOSS_HINGE:
            case DL4C_LOSS_SQUARED_HINGE: {
                y[c] = (double)dl4c_rng_below(rng, 3) - 1; /* -1, 0, 1 */
                double ys = y[c] == 0 ? -1 : y[c];
                do
                    p[c] = uni(rng, -2, 2);
                while (fabs(1 - ys * p[c]) < 0.1);
                break;
            }
            case DL4C_LOSS_XENT:
                y[c] = c == 0 ? (double)dl4c_rng_below(rng, 2) : uni(rng, 0, 1);
                p[c] = uni(rng, 0.05, 0.95);
                break;
            case DL4C_LOSS_MCXENT:
            case DL4C_LOSS_NEGATIVELOGLIKELIHOOD:
            case DL4C_LOSS_KL_DIVERGENCE:
                y[c] = uni(rng, 0.05, 1);
                total += y[c];
                p[c] = uni(rng, 0.05, 1);
                break;
            case DL4C_LOSS_SPARSE_MCXENT:
                p[c] = uni(rng, 0.05, 1);
                break;
            case DL4C_LOSS_POISSON:
                y[c] = uni(rng, 0, 3);
                p[c] = uni(rng, 0.1, 3);
                break;
            case DL4C_LOSS_COSINE_PROXIMITY:
            default:
                y[c] = uni(rng, -1, 1);
                p[c] = uni(rng, -1, 1);
                break;
            }
        }
        if (total > 0) /* probability rows */
            for (int c = 0; c < NC; c++)
                y[c] = (double)(float)(y[c] / total);
        if (id == DL4C_LOSS_SPARSE_MCXENT)
            labels[r] = (double)dl4c_rng_below(rng, NC);
    }
}

enum { PLAIN, WEIGHTED, MASK_N, MASK_N1, MASK_NC, NCONFIG };
static const char *const config_names[] = {"plain", "weights", "mask [N]",
                                           "mask [N,1]", "mask [N,C]"};

typedef struct fd_ctx {
    dl4c_loss loss;
    dl4c_tensor *pred, *labels, *weights, *mask;
} fd_ctx;

static double score_at(const double *p, void *arg)
{
    fd_ctx *c = arg;
    double s = NAN;
    for (int i = 0; i < NE; i++)
        dl4c_tensor_set(c->pred, i, p[i]);
    if (dl4c_loss_score(&c->loss, c->pred, c->labels, c->weights, c->mask, NULL,
                        &s) != DL4C_OK)
        return NAN;
    return s;
}

/* 1 where the entry counts, 0 where the mask removes it */
static double live(int config, int i)
{
    if (config == MASK_N || config == MASK_N1)
        return i / NC == 1 ? 0 : 1;
    if (config == MASK_NC)
        return i % 4 == 1 || i == 6 ? 0 : 1;
    return 1;
}

static void test_gradients(void)
{
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 2024);
    const double wv[NC] = {0.5, 2.0, 1.5};
    for (int id = 0; id < DL4C_LOSS_COUNT; id++)
        for (int config = 0; config < NCONFIG; config++) {
            double pred[NE], labels[NE], mask[NE], grad[NE];
            fill_case((dl4c_loss_id)id, &rng, pred, labels);
            for (int i = 0; i < NE; i++)
                mask[i] = live(config, i);
            double row_mask[NR] = {1, 0, 1, 1};
            fd_ctx c = {dl4c_loss_default((dl4c_loss_id)id), NULL, NULL, NULL,
                        NULL};
            if (id == DL4C_LOSS_HUBER)
                c.loss.delta = 0.7; /* both branches are hit */
            c.pred = make2(DL4C_F64, NR, NC, pred);
            c.labels = id == DL4C_LOSS_SPARSE_MCXENT
                           ? make2(DL4C_F64, NR, 1, labels)
                           : make2(DL4C_F64, NR, NC, labels);
            if (config == WEIGHTED)
                c.weights = make1(DL4C_F64, NC, wv);
            if (config == MASK_N)
                c.mask = make1(DL4C_F64, NR, row_mask);
            if (config == MASK_N1)
                c.mask = make2(DL4C_F64, NR, 1, row_mask);
            if (config == MASK_NC)
                c.mask = make2(DL4C_F64, NR, NC, mask);
            dl4c_tensor *g = make2(DL4C_F64, NR, NC, NULL);
            REQUIRE(c.pred && c.labels && g);
            char label[96];
            snprintf(label, sizeof label, "%s, %s",
                     dl4c_loss_name((dl4c_loss_id)id), config_names[config]);
            CHECK_OK(dl4c_loss_gradient(&c.loss, c.pred, c.labels, c.weights,
                                        c.mask, g));
            for (int i = 0; i < NE; i++)
                grad[i] = dl4c_tensor_get(g, i);
            CHECK_MSG(gradcheck(label, score_at, &c, pred, grad, NE, 1e-6, 1e-6,
                                1e-7) == 0,
                      "%s", label);

            /* masked entries: zero gradient, and a prediction there whose
             * loss is undefined (POISSON) or huge changes nothing */
            double before = score_at(pred, &c), after;
            for (int i = 0; i < NE; i++)
                if (!live(config, i)) {
                    CHECK_MSG(grad[i] == 0, "%s: grad[%d] = %g", label, i,
                              grad[i]);
                    pred[i] = -5;
                }
            after = score_at(pred, &c);
            CHECK_MSG(after == before, "%s: masked score %.17g vs %.17g", label,
                      after, before);
            dl4c_tensor_free(c.pred);
            dl4c_tensor_free(c.labels);
            dl4c_tensor_free(c.weights);
            dl4c_tensor_free(c.mask);
            dl4c_tensor_free(g);
        }
}

/* Score of one [rows, cols] case in float64. */
static double score_of(dl4c_loss loss, int rows, int cols, const double *p,
                       const double *y, int label_cols)
{
    dl4c_tensor *tp = make2(DL4C_F64, rows, cols, p);
    dl4c_tensor *ty = make2(DL4C_F64, rows, label_cols, y);
    double s = NAN;
    if (!tp || !ty ||
        dl4c_loss_score(&loss, tp, ty, NULL, NULL, NULL, &s) != DL4C_OK)
        s = NAN;
    dl4c_tensor_free(tp);
    dl4c_tensor_free(ty);
    return s;
}

static double score1(dl4c_loss_id id, int cols, const double *p,
                     const double *y)
{
    return score_of(dl4c_loss_default(id), 1, cols, p, y, cols);
}

static void test_exact_values(void)
{
    /* MSE: mean over outputs of (p - y)^2 = (1 + 4) / 2 */
    CHECK_NEAR(score1(DL4C_LOSS_MSE, 2, (double[]){1, 2}, (double[]){0, 0}),
               2.5, 1e-15);
    /* L1: (|1| + |-2|) / 2 */
    CHECK_NEAR(score1(DL4C_LOSS_L1, 2, (double[]){1, -2}, (double[]){0, 0}),
               1.5, 1e-15);
    /* MSLE: (log(1 + e - 1) - log(1 + 1e-7))^2, labels clipped at 1e-7 */
    CHECK_NEAR(score1(DL4C_LOSS_MSLE, 1, (double[]){M_E - 1}, (double[]){0}),
               0.9999998000000201, 1e-12);
    /* MAPE: 100 * (|1-2|/2 + |5-4|/4) / 2 */
    CHECK_NEAR(score1(DL4C_LOSS_MAPE, 2, (double[]){1, 5}, (double[]){2, 4}),
               37.5, 1e-12);
    /* HINGE: label 0 is -1: max(0, 1 + 0.5) = 1.5; max(0, 1 - 0.5) = 0.5 */
    CHECK_NEAR(
        score1(DL4C_LOSS_HINGE, 2, (double[]){0.5, 0.5}, (double[]){0, 1}), 1.0,
        1e-15);
    CHECK_NEAR(
        score1(DL4C_LOSS_HINGE, 2, (double[]){0.5, 0.5}, (double[]){-1, 1}),
        1.0, 1e-15);
    CHECK_NEAR(score1(DL4C_LOSS_HINGE, 1, (double[]){2}, (double[]){1}), 0.0,
               0);
    /* SQUARED_HINGE: (1.5^2 + 0.5^2) / 2 */
    CHECK_NEAR(score1(DL4C_LOSS_SQUARED_HINGE, 2, (double[]){0.5, 0.5},
                      (double[]){0, 1}),
               1.25, 1e-15);
    /* XENT: -ln 0.8 for y = 1; -(0.5 ln 0.5 + 0.5 ln 0.5) = ln 2 */
    CHECK_NEAR(score1(DL4C_LOSS_XENT, 1, (double[]){0.8}, (double[]){1}),
               0.2231435513142097, 1e-12);
    CHECK_NEAR(score1(DL4C_LOSS_XENT, 1, (double[]){0.5}, (double[]){0.5}),
               M_LN2, 1e-12);
    /* MCXENT: sum, not mean: -ln 0.7 */
    const double p3[3] = {0.7, 0.2, 0.1}, onehot[3] = {1, 0, 0};
    CHECK_NEAR(score1(DL4C_LOSS_MCXENT, 3, p3, onehot), 0.35667494393873245,
               1e-12);
    CHECK_NEAR(score1(DL4C_LOSS_NEGATIVELOGLIKELIHOOD, 3, p3, onehot),
               0.35667494393873245, 1e-12);
    /* SPARSE_MCXENT: class 0 of the same row */
    CHECK_NEAR(score_of(dl4c_loss_default(DL4C_LOSS_SPARSE_MCXENT), 1, 3, p3,
                        (double[]){0}, 1),
               0.35667494393873245, 1e-12);
    /* KL: 0.5 ln(0.5/0.25) + 0.5 ln(0.5/0.75) */
    CHECK_NEAR(score1(DL4C_LOSS_KL_DIVERGENCE, 2, (double[]){0.25, 0.75},
                      (double[]){0.5, 0.5}),
               0.14384103622589042, 1e-12);
    CHECK_NEAR(score1(DL4C_LOSS_KL_DIVERGENCE, 2, (double[]){0.3, 0.7},
                      (double[]){0.3, 0.7}),
               0.0, 1e-15);
    /* POISSON: mean of p - y ln(p + 1e-7):
     * ((1 - 2 ln(1 + 1e-7)) + (2 - ln(2 + 1e-7))) / 2 */
    CHECK_NEAR(score1(DL4C_LOSS_POISSON, 2, (double[]){1, 2}, (double[]){2, 1}),
               1.153426284720033, 1e-12);
    /* COSINE: -cos(angle): identical -1, opposite +1, orthogonal 0; the
     * lengths do not matter */
    CHECK_NEAR(score1(DL4C_LOSS_COSINE_PROXIMITY, 3, (double[]){1, 2, 3},
                      (double[]){2, 4, 6}),
               -1.0, 1e-15);
    CHECK_NEAR(score1(DL4C_LOSS_COSINE_PROXIMITY, 3, (double[]){1, 2, 3},
                      (double[]){-1, -2, -3}),
               1.0, 1e-15);
    CHECK_NEAR(score1(DL4C_LOSS_COSINE_PROXIMITY, 2, (double[]){1, 0},
                      (double[]){0, 5}),
               0.0, 1e-15);
    /* HUBER (delta 1): |e| = 0.5 inside: 0.5 * 0.25 = 0.125; |e| = 3
     * outside: 1 * (3 - 0.5) = 2.5; mean over the two outputs */
    CHECK_NEAR(
        score1(DL4C_LOSS_HUBER, 2, (double[]){0.5, -3}, (double[]){0, 0}),
        1.3125, 1e-15);
    dl4c_loss huber = dl4c_loss_default(DL4C_LOSS_HUBER);
    CHECK(huber.delta == 1.0);
    huber.delta = 2.0; /* now both inside: (0.125 + 0.5*4) / 2 */
    CHECK_NEAR(score_of(huber, 1, 2, (double[]){0.5, -2}, (double[]){0, 0}, 2),
               1.0625, 1e-15);
}

/* Gradient values at hand-computed points; the score is a mean over N
 * rows, so each entry carries 1/N. */
static void test_exact_gradients(void)
{
    double p[4] = {1, 2, 0.5, 0.25}, y[4] = {0, 0, 0, 1};
    dl4c_tensor *tp = make2(DL4C_F64, 2, 2, p);
    dl4c_tensor *ty = make2(DL4C_F64, 2, 2, y);
    dl4c_tensor *g = make2(DL4C_F64, 2, 2, NULL);
    REQUIRE(tp && ty && g);
    /* MSE: 2 (p - y) / C / N = (p - y) / 2 */
    dl4c_loss mse = dl4c_loss_default(DL4C_LOSS_MSE);
    CHECK_OK(dl4c_loss_gradient(&mse, tp, ty, NULL, NULL, g));
    CHECK_NEAR(dl4c_tensor_get(g, 0), 0.5, 1e-15);
    CHECK_NEAR(dl4c_tensor_get(g, 1), 1.0, 1e-15);
    CHECK_NEAR(dl4c_tensor_get(g, 2), 0.25, 1e-15);
    CHECK_NEAR(dl4c_tensor_get(g, 3), -0.375, 1e-15);
    /* MCXENT: -y / p / N: only the labelled entry, -1 / 0.25 / 2 */
    dl4c_loss mcx = dl4c_loss_default(DL4C_LOSS_MCXENT);
    CHECK_OK(dl4c_loss_gradient(&mcx, tp, ty, NULL, NULL, g));
    CHECK_NEAR(dl4c_tensor_get(g, 3), -2.0, 1e-15);
    CHECK(dl4c_tensor_get(g, 0) == 0 && dl4c_tensor_get(g, 2) == 0);
    dl4c_tensor_free(tp);
    dl4c_tensor_free(ty);
    dl4c_tensor_free(g);
}

/* Weights, masks, per-example output: the mean divides by N even when
 * rows are masked out. */
static void test_weights_masks(void)
{
    double p[4] = {1, 2, 3, 4}, y[4] = {0, 0, 0, 0};
    dl4c_tensor *tp = make2(DL4C_F64, 2, 2, p);
    dl4c_tensor *ty = make2(DL4C_F64, 2, 2, y);
    dl4c_tensor *w = make1(DL4C_F64, 2, (double[]){2, 0});
    dl4c_tensor *m = make1(DL4C_F64, 2, (double[]){1, 0});
    dl4c_tensor *m2 = make2(DL4C_F64, 2, 2, (double[]){0, 1, 1, 0});
    dl4c_tensor *per = make1(DL4C_F64, 2, NULL);
    REQUIRE(tp && ty && w && m && m2 && per);
    dl4c_loss mse = dl4c_loss_default(DL4C_LOSS_MSE);
    double s;
    /* rows: (1 + 4)/2 = 2.5 and (9 + 16)/2 = 12.5 */
    CHECK_OK(dl4c_loss_score(&mse, tp, ty, NULL, NULL, per, &s));
    CHECK_NEAR(s, 7.5, 1e-15);
    CHECK_NEAR(dl4c_tensor_get(per, 0), 2.5, 1e-15);
    CHECK_NEAR(dl4c_tensor_get(per, 1), 12.5, 1e-15);
    /* weights 2, 0: rows 2*1/2 = 1 and 2*9/2 = 9 */
    CHECK_OK(dl4c_loss_score(&mse, tp, ty, w, NULL, per, &s));
    CHECK_NEAR(s, 5.0, 1e-15);
    /* row 1 masked: 2.5 / 2, not 2.5 / 1 */
    CHECK_OK(dl4c_loss_score(&mse, tp, ty, NULL, m, per, &s));
    CHECK_NEAR(s, 1.25, 1e-15);
    CHECK(dl4c_tensor_get(per, 1) == 0);
    /* per element: 4/2 and 9/2 */
    CHECK_OK(dl4c_loss_score(&mse, tp, ty, NULL, m2, per, &s));
    CHECK_NEAR(s, 3.25, 1e-15);
    dl4c_tensor_free(tp);
    dl4c_tensor_free(ty);
    dl4c_tensor_free(w);
    dl4c_tensor_free(m);
    dl4c_tensor_free(m2);
    dl4c_tensor_free(per);
}

/* SPARSE_MCXENT with class indices equals MCXENT with one-hot labels, in
 * score and gradient, with weights and a mask too. */
static void test_sparse_equals_onehot(void)
{
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 5);
    double p[NE], idx[NR], onehot[NE] = {0};
    for (int i = 0; i < NE; i++)
        p[i] = uni(&rng, 0.05, 1);
    for (int r = 0; r < NR; r++) {
        idx[r] = (double)dl4c_rng_below(&rng, NC);
        onehot[r * NC + (int)idx[r]] = 1;
    }
    dl4c_tensor *tp = make2(DL4C_F64, NR, NC, p);
    dl4c_tensor *ts = make2(DL4C_F64, NR, 1, idx);
    dl4c_tensor *ts1 = make1(DL4C_F64, NR, idx); /* [N] works too */
    dl4c_tensor *to = make2(DL4C_F64, NR, NC, onehot);
    dl4c_tensor *w = make1(DL4C_F64, NC, (double[]){0.5, 2, 3});
    dl4c_tensor *m = make1(DL4C_F64, NR, (double[]){1, 1, 0, 1});
    dl4c_tensor *g1 = make2(DL4C_F64, NR, NC, NULL);
    dl4c_tensor *g2 = make2(DL4C_F64, NR, NC, NULL);
    REQUIRE(tp && ts && ts1 && to && w && m && g1 && g2);
    dl4c_loss sp = dl4c_loss_default(DL4C_LOSS_SPARSE_MCXENT);
    dl4c_loss mc = dl4c_loss_default(DL4C_LOSS_MCXENT);
    for (int k = 0; k < 4; k++) {
        const dl4c_tensor *wk = k & 1 ? w : NULL, *mk = k & 2 ? m : NULL;
        double a, b, c;
        CHECK_OK(dl4c_loss_score(&sp, tp, ts, wk, mk, NULL, &a));
        CHECK_OK(dl4c_loss_score(&sp, tp, ts1, wk, mk, NULL, &c));
        CHECK_OK(dl4c_loss_score(&mc, tp, to, wk, mk, NULL, &b));
        CHECK_NEAR(a, b, 1e-15);
        CHECK_NEAR(c, b, 1e-15);
        CHECK_OK(dl4c_loss_gradient(&sp, tp, ts, wk, mk, g1));
        CHECK_OK(dl4c_loss_gradient(&mc, tp, to, wk, mk, g2));
        CHECK(dl4c_tensor_max_abs_diff(g1, g2) <= 1e-15);
    }
    dl4c_tensor *all[] = {tp, ts, ts1, to, w, m, g1, g2};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        dl4c_tensor_free(all[i]);
}

/* More rows than one kernel block (1024): offsets of pred, labels, masks,
 * gradient and per-example output line up across blocks. */
static void test_many_rows(void)
{
    enum { R = 2500, C = 3 };
    double *p = malloc(R * C * sizeof *p), *y = malloc(R * C * sizeof *y);
    double *idx = malloc(R * sizeof *idx), *mask = malloc(R * sizeof *mask);
    REQUIRE(p && y && idx && mask);
    for (int r = 0; r < R; r++) {
        idx[r] = r % C;
        mask[r] = r % 7 != 0;
        for (int c = 0; c < C; c++) {
            p[r * C + c] = c == r % C ? 0.5 : 0.25;
            y[r * C + c] = p[r * C + c] - (r % 5); /* error r % 5 */
        }
    }
    dl4c_tensor *tp = make2(DL4C_F64, R, C, p);
    dl4c_tensor *ty = make2(DL4C_F64, R, C, y);
    dl4c_tensor *ti = make2(DL4C_F64, R, 1, idx);
    dl4c_tensor *tm = make1(DL4C_F64, R, mask);
    dl4c_tensor *per = make1(DL4C_F64, R, NULL);
    dl4c_tensor *g = make2(DL4C_F64, R, C, NULL);
    free(p);
    free(y);
    free(idx);
    free(mask);
    REQUIRE(tp && ty && ti && tm && per && g);
    dl4c_loss mse = dl4c_loss_default(DL4C_LOSS_MSE);
    double s, want = 0;
    CHECK_OK(dl4c_loss_score(&mse, tp, ty, NULL, tm, per, &s));
    bool rows_ok = true;
    for (int r = 0; r < R; r++) {
        double e = (r % 5) * (r % 5) * (r % 7 != 0);
        rows_ok &= dl4c_tensor_get(per, r) == e;
        want += e;
    }
    CHECK(rows_ok);
    CHECK_NEAR(s, want / R, 1e-12);
    /* d/dp of mean over rows of mean over C of e^2: 2 e / C / R */
    CHECK_OK(dl4c_loss_gradient(&mse, tp, ty, NULL, tm, g));
    bool grad_ok = true;
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) {
            double e = (r % 5) * (r % 7 != 0);
            grad_ok &=
                fabs(dl4c_tensor_get(g, r * C + c) - 2 * e / C / R) <= 1e-17;
        }
    CHECK(grad_ok);
    /* sparse: p = 0.5 at the labelled class in every row: ln 2 per row */
    dl4c_loss sp = dl4c_loss_default(DL4C_LOSS_SPARSE_MCXENT);
    CHECK_OK(dl4c_loss_score(&sp, tp, ti, NULL, NULL, per, &s));
    CHECK_NEAR(s, M_LN2, 1e-12);
    CHECK_NEAR(dl4c_tensor_get(per, R - 1), M_LN2, 1e-15);
    CHECK_OK(dl4c_loss_gradient(&sp, tp, ti, NULL, NULL, g));
    grad_ok = true;
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++)
            grad_ok &= fabs(dl4c_tensor_get(g, r * C + c) -
                            (c == r % C ? -1.0 / 0.5 / R : 0.0)) <= 1e-17;
    CHECK(grad_ok);
    dl4c_tensor *all[] = {tp, ty, ti, tm, per, g};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        dl4c_tensor_free(all[i]);
}

/* Leading dims fold into rows: [2, 2, 3] scores as [4, 3]; a mask of the
 * leading shape [2, 2] is per example. [N] labels fit a [N, 1] pred. */
static void test_rank3(void)
{
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 9);
    double p[NE], y[NE];
    fill_case(DL4C_LOSS_MSE, &rng, p, y);
    int64_t s3[3] = {2, 2, 3}, s2[2] = {2, 2};
    double mv[4] = {1, 0, 1, 1};
    dl4c_tensor *p3 = make(DL4C_F64, 3, s3, p), *y3 = make(DL4C_F64, 3, s3, y);
    dl4c_tensor *m3 = make(DL4C_F64, 2, s2, mv);
    dl4c_tensor *p2 = make2(DL4C_F64, NR, NC, p);
    dl4c_tensor *y2 = make2(DL4C_F64, NR, NC, y);
    dl4c_tensor *m2 = make1(DL4C_F64, NR, mv);
    REQUIRE(p3 && y3 && m3 && p2 && y2 && m2);
    dl4c_loss mse = dl4c_loss_default(DL4C_LOSS_MSE);
    double a, b;
    CHECK_OK(dl4c_loss_score(&mse, p3, y3, NULL, m3, NULL, &a));
    CHECK_OK(dl4c_loss_score(&mse, p2, y2, NULL, m2, NULL, &b));
    CHECK(a == b);
    /* one output: [N] labels fit [N, 1] predictions */
    dl4c_tensor *p1 = make2(DL4C_F64, NR, 1, p), *y1 = make1(DL4C_F64, NR, y);
    dl4c_tensor *y11 = make2(DL4C_F64, NR, 1, y);
    REQUIRE(p1 && y1 && y11);
    dl4c_loss mse1 = dl4c_loss_default(DL4C_LOSS_MSE);
    CHECK_OK(dl4c_loss_score(&mse1, p1, y1, NULL, NULL, NULL, &a));
    CHECK_OK(dl4c_loss_score(&mse1, p1, y11, NULL, NULL, NULL, &b));
    CHECK(a == b);
    dl4c_tensor_free(p1);
    dl4c_tensor_free(y1);
    dl4c_tensor_free(y11);
    dl4c_tensor *all[] = {p3, y3, m3, p2, y2, m2};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        dl4c_tensor_free(all[i]);
}

/* float32 score and gradient agree with float64 (same inputs) within
 * 1e-6 relative. */
static void test_float32(void)
{
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 77);
    for (int id = 0; id < DL4C_LOSS_COUNT; id++) {
        double p[NE], y[NE], s[2];
        fill_case((dl4c_loss_id)id, &rng, p, y);
        int lc = id == DL4C_LOSS_SPARSE_MCXENT ? 1 : NC;
        dl4c_loss loss = dl4c_loss_default((dl4c_loss_id)id);
        dl4c_tensor *g[2] = {NULL, NULL};
        for (int d = 0; d < 2; d++) {
            dl4c_dtype dt = d ? DL4C_F32 : DL4C_F64;
            dl4c_tensor *tp = make2(dt, NR, NC, p);
            dl4c_tensor *ty = make2(dt, NR, lc, y);
            dl4c_tensor *mask = make1(dt, NR, (double[]){1, 1, 0, 1});
            g[d] = make2(dt, NR, NC, NULL);
            REQUIRE(tp && ty && mask && g[d]);
            CHECK_OK(dl4c_loss_score(&loss, tp, ty, NULL, mask, NULL, &s[d]));
            CHECK_OK(dl4c_loss_gradient(&loss, tp, ty, NULL, mask, g[d]));
            dl4c_tensor_free(tp);
            dl4c_tensor_free(ty);
            dl4c_tensor_free(mask);
        }
        CHECK_MSG(fabs(s[0] - s[1]) <= 1e-6 * fabs(s[0]) + 1e-12,
                  "%s: f64 %.10g, f32 %.10g", dl4c_loss_name(loss.id), s[0],
                  s[1]);
        for (int i = 0; i < NE; i++) {
            double a = dl4c_tensor_get(g[0], i), b = dl4c_tensor_get(g[1], i);
            CHECK_MSG(fabs(a - b) <= 1e-6 * fabs(a) + 1e-12,
                      "%s: grad[%d] f64 %.10g, f32 %.10g",
                      dl4c_loss_name(loss.id), i, a, b);
        }
        dl4c_tensor_free(g[0]);
        dl4c_tensor_free(g[1]);
    }
}

static void test_names(void)
{
    static const struct {
        const char *name;
        dl4c_loss_id id;
    } names[] = {
        /* DL4J */
        {"mse", DL4C_LOSS_MSE},
        {"l1", DL4C_LOSS_L1},
        {"msle", DL4C_LOSS_MSLE},
        {"mape", DL4C_LOSS_MAPE},
        {"hinge", DL4C_LOSS_HINGE},
        {"squared_hinge", DL4C_LOSS_SQUARED_HINGE},
        {"xent", DL4C_LOSS_XENT},
        {"mcxent", DL4C_LOSS_MCXENT},
        {"negativeloglikelihood", DL4C_LOSS_NEGATIVELOGLIKELIHOOD},
        {"sparse_mcxent", DL4C_LOSS_SPARSE_MCXENT},
        {"kl_divergence", DL4C_LOSS_KL_DIVERGENCE},
        {"poisson", DL4C_LOSS_POISSON},
        {"cosine_proximity", DL4C_LOSS_COSINE_PROXIMITY},
        {"huber", DL4C_LOSS_HUBER},
        {"MCXENT", DL4C_LOSS_MCXENT},
        {"NEGATIVELOGLIKELIHOOD", DL4C_LOSS_NEGATIVELOGLIKELIHOOD},
        {"SQUARED_HINGE", DL4C_LOSS_SQUARED_HINGE},
        /* Keras functions and aliases */
        {"mean_squared_error", DL4C_LOSS_MSE},
        {"mean_absolute_error", DL4C_LOSS_L1},
        {"mae", DL4C_LOSS_L1},
        {"mean_squared_logarithmic_error", DL4C_LOSS_MSLE},
        {"mean_absolute_percentage_error", DL4C_LOSS_MAPE},
        {"binary_crossentropy", DL4C_LOSS_XENT},
        {"categorical_crossentropy", DL4C_LOSS_MCXENT},
        {"sparse_categorical_crossentropy", DL4C_LOSS_SPARSE_MCXENT},
        {"kullback_leibler_divergence", DL4C_LOSS_KL_DIVERGENCE},
        {"kld", DL4C_LOSS_KL_DIVERGENCE},
        {"cosine_similarity", DL4C_LOSS_COSINE_PROXIMITY},
        {"huber_loss", DL4C_LOSS_HUBER},
        /* Keras classes */
        {"MeanSquaredError", DL4C_LOSS_MSE},
        {"BinaryCrossentropy", DL4C_LOSS_XENT},
        {"CategoricalCrossentropy", DL4C_LOSS_MCXENT},
        {"SparseCategoricalCrossentropy", DL4C_LOSS_SPARSE_MCXENT},
        {"KLDivergence", DL4C_LOSS_KL_DIVERGENCE},
        {"CosineSimilarity", DL4C_LOSS_COSINE_PROXIMITY},
        {"Huber", DL4C_LOSS_HUBER},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        dl4c_loss l = {.id = DL4C_LOSS_COUNT};
        CHECK_OK(dl4c_loss_parse(names[i].name, &l));
        CHECK_MSG(l.id == names[i].id, "%s", names[i].name);
    }
    for (int id = 0; id < DL4C_LOSS_COUNT; id++) {
        dl4c_loss l;
        CHECK_OK(dl4c_loss_parse(dl4c_loss_name((dl4c_loss_id)id), &l));
        CHECK(l.id == (dl4c_loss_id)id);
    }
    dl4c_loss l;
    CHECK_OK(dl4c_loss_parse("huber", &l));
    CHECK(l.delta == 1.0);
    CHECK(!strcmp(dl4c_loss_name(DL4C_LOSS_NEGATIVELOGLIKELIHOOD),
                  "negativeloglikelihood"));
    CHECK_ERR(dl4c_loss_parse("logcosh", &l), DL4C_INVALID_ARG,
              "unknown loss 'logcosh'");
    CHECK_ERR(dl4c_loss_parse(NULL, &l), DL4C_INVALID_ARG, "NULL");
}

static void test_bad_inputs(void)
{
    dl4c_tensor *p = make2(DL4C_F64, 4, 3, NULL);
    dl4c_tensor *y = make2(DL4C_F64, 4, 3, NULL);
    dl4c_tensor *y42 = make2(DL4C_F64, 4, 2, NULL);
    dl4c_tensor *y32 = make2(DL4C_F32, 4, 3, NULL);
    dl4c_tensor *sp = make2(DL4C_F64, 4, 1, (double[]){0, 3, 1, 2});
    dl4c_tensor *spf = make2(DL4C_F64, 4, 1, (double[]){0, 1, 1.5, 2});
    dl4c_tensor *spn = make2(DL4C_F64, 4, 1, (double[]){0, 1, 2, -1});
    dl4c_tensor *w2 = make1(DL4C_F64, 2, NULL);
    dl4c_tensor *w13 = make2(DL4C_F64, 1, 3, NULL);
    dl4c_tensor *m3 = make1(DL4C_F64, 3, NULL);
    dl4c_tensor *m42 = make2(DL4C_F64, 4, 2, NULL);
    dl4c_tensor *m32 = make1(DL4C_F32, 4, NULL);
    dl4c_tensor *per3 = make1(DL4C_F64, 3, NULL);
    dl4c_tensor *g43 = make2(DL4C_F64, 3, 4, NULL);
    REQUIRE(p && y && y42 && y32 && sp && spf && spn && w2 && w13 && m3 &&
            m42 && m32 && per3 && g43);
    dl4c_tensor_fill(p, 0.5);
    dl4c_loss mse = dl4c_loss_default(DL4C_LOSS_MSE);
    dl4c_loss sparse = dl4c_loss_default(DL4C_LOSS_SPARSE_MCXENT);
    double s;
    CHECK_ERR(dl4c_loss_score(&mse, p, y42, NULL, NULL, NULL, &s), DL4C_SHAPE,
              "labels has shape [4, 2], expected the same shape for "
              "predictions [4, 3]");
    CHECK_ERR(dl4c_loss_score(&sparse, p, y, NULL, NULL, NULL, &s), DL4C_SHAPE,
              "one class index per row");
    CHECK_ERR(dl4c_loss_score(&sparse, p, sp, NULL, NULL, NULL, &s),
              DL4C_INVALID_ARG, "labels row 1: class index 3 is not");
    CHECK_ERR(dl4c_loss_gradient(&sparse, p, spf, NULL, NULL, p),
              DL4C_INVALID_ARG, "labels row 2: class index 1.5");
    CHECK_ERR(dl4c_loss_score(&sparse, p, spn, NULL, NULL, NULL, &s),
              DL4C_INVALID_ARG,
              "row 3: class index -1 is not an integer in "
              "0..2");
    CHECK_ERR(dl4c_loss_score(&mse, p, y, w2, NULL, NULL, &s), DL4C_SHAPE,
              "weights has shape [2]");
    CHECK_ERR(dl4c_loss_score(&mse, p, y, w13, NULL, NULL, &s), DL4C_SHAPE,
              "weights has shape [1, 3]");
    CHECK_ERR(dl4c_loss_score(&mse, p, y, NULL, m3, NULL, &s), DL4C_SHAPE,
              "mask has shape [3]");
    CHECK_ERR(dl4c_loss_gradient(&mse, p, y, NULL, m42, p), DL4C_SHAPE,
              "mask has shape [4, 2]");
    CHECK_ERR(dl4c_loss_score(&mse, p, y32, NULL, NULL, NULL, &s),
              DL4C_INVALID_ARG, "labels is float32, predictions are float64");
    CHECK_ERR(dl4c_loss_score(&mse, p, y, NULL, m32, NULL, &s),
              DL4C_INVALID_ARG, "mask is float32");
    CHECK_ERR(dl4c_loss_score(&mse, p, y, NULL, NULL, per3, &s), DL4C_SHAPE,
              "per-example output has shape [3]");
    CHECK_ERR(dl4c_loss_gradient(&mse, p, y, NULL, NULL, g43), DL4C_SHAPE,
              "grad has shape [3, 4]");
    CHECK_ERR(dl4c_loss_gradient(&mse, p, y, NULL, NULL, NULL),
              DL4C_INVALID_ARG, "grad is NULL");
    CHECK_ERR(dl4c_loss_score(&mse, p, NULL, NULL, NULL, NULL, &s),
              DL4C_INVALID_ARG, "labels is NULL");
    dl4c_loss huber = {DL4C_LOSS_HUBER, 0.0};
    CHECK_ERR(dl4c_loss_score(&huber, p, y, NULL, NULL, NULL, &s),
              DL4C_INVALID_ARG, "delta 0 must be > 0");
    dl4c_loss bad = {DL4C_LOSS_COUNT, 0.0};
    CHECK_ERR(dl4c_loss_score(&bad, p, y, NULL, NULL, NULL, &s),
              DL4C_INVALID_ARG, "unknown loss id");
    CHECK(isnan(s)); /* no score on failure */
    dl4c_tensor *all[] = {p,  y,   y42, y32, sp,  spf,  spn,
                          w2, w13, m3,  m42, m32, per3, g43};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        dl4c_tensor_free(all[i]);
}

TEST_MAIN(test_gradients, test_exact_values, test_exact_gradients,
          test_weights_masks, test_sparse_equals_onehot, test_many_rows,
          test_rank3, test_float32, test_names, test_bad_inputs)
