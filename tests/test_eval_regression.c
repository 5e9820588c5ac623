// labels: unit badinput
/* Regression evaluation: metrics against independently computed
 * references, masking, batches versus one add, merging, numerical
 * stability far from zero, the exact stats() and JSON text, bad inputs. */
#include <stdint.h>

#include "dl4c/eval.h"
#include "test.h"

static dl4c_tensor *mat(dl4c_dtype dtype, int64_t rows, int64_t cols,
                        const double *v)
{
    int64_t shape[2] = {rows, cols};
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(dtype, 2, shape, &t) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; i < rows * cols; i++)
        dl4c_tensor_set(t, i, v[i]);
    return t;
}

static dl4c_tensor *vec(dl4c_dtype dtype, int64_t n, const double *v)
{
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(dtype, 1, &n, &t) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; i < n; i++)
        dl4c_tensor_set(t, i, v[i]);
    return t;
}

/* Six rows, two columns. */
static const double ys[12] = {1.0, 10, 2.0, 20, 3.0, 15,
                              4.0, 30, 5.0, 25, 6.0, 40};
static const double ps[12] = {1.1, 12, 1.9, 18, 3.3, 16,
                              3.7, 27, 5.2, 26, 6.4, 38};

/* Reference values for ys/ps, per column in the order MSE, MAE, RMSE,
 * RSE, PC, R^2, computed with NumPy 1.24 (two-pass formulas, independent
 * of dl4c):
 *   e = p - y
 *   mse = mean(e**2); mae = mean(abs(e)); rmse = sqrt(mse)
 *   rse = sum(e**2) / sum((y - y.mean())**2); r2 = 1 - rse
 *   pc = corrcoef(y, p)[0, 1] */
static const double ref[2][6] = {
    {0.066666666666666693, 0.23333333333333339, 0.25819888974716115,
     0.022857142857142868, 0.99249438158043135, 0.97714285714285709},
    {3.8333333333333335, 1.8333333333333333, 1.9578900207451218,
     0.039428571428571431, 0.98809484579642537, 0.96057142857142852},
};

/* The same with the per-value mask
 *   m = [[1, 1], [1, 0], [0, 1], [1, 1], [1, 0], [1, 1]]
 * (column 0 keeps rows 0, 1, 3, 4, 5; column 1 keeps rows 0, 2, 3, 5). */
static const double mask_values[12] = {1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1};
static const double ref_masked[2][6] = {
    {0.062000000000000055, 0.22000000000000011, 0.24899799195977476,
     0.018023255813953504, 0.99405586352280362, 0.98197674418604652},
    {4.5, 2, 2.1213203435596424, 0.031648351648351648, 0.99568336557529979,
     0.96835164835164833},
};

/* And with the row mask [1, 0, 1, 1, 0, 1]: column 1 keeps the same rows
 * as above, column 0 gives: */
static const double rows_kept[6] = {1, 0, 1, 1, 0, 1};
static const double ref_row_masked0[6] = {
    0.087500000000000022, 0.27500000000000002, 0.29580398915498085,
    0.026923076923076932, 0.99037044368432336, 0.97307692307692306};

static void check_column(const dl4c_regression_eval *e, int col,
                         const double *want, double tol)
{
    for (int m = 0; m < DL4C_REGRESSION_METRIC_COUNT; m++)
        CHECK_MSG(fabs(dl4c_regression_eval_metric(e, m, col) - want[m]) <= tol,
                  "column %d %s: %.17g, want %.17g", col,
                  dl4c_regression_metric_name(m),
                  dl4c_regression_eval_metric(e, m, col), want[m]);
}

static dl4c_status add_rows(dl4c_regression_eval *e, int lo, int hi,
                            dl4c_dtype dtype)
{
    dl4c_tensor *y = mat(dtype, hi - lo, 2, ys + 2 * lo);
    dl4c_tensor *p = mat(dtype, hi - lo, 2, ps + 2 * lo);
    dl4c_status st = dl4c_regression_eval_add(e, y, p, NULL);
    dl4c_tensor_free(y);
    dl4c_tensor_free(p);
    return st;
}

static void test_reference_values(void)
{
    dl4c_regression_eval *e = NULL;
    REQUIRE_OK(dl4c_regression_eval_create(2, &e));
    CHECK(dl4c_regression_eval_num_columns(e) == 2);
    CHECK_OK(add_rows(e, 0, 6, DL4C_F64));
    CHECK(dl4c_regression_eval_count(e, 0) == 6);
    CHECK(dl4c_regression_eval_count(e, 1) == 6);
    check_column(e, 0, ref[0], 1e-12);
    check_column(e, 1, ref[1], 1e-12);
    for (int m = 0; m < DL4C_REGRESSION_METRIC_COUNT; m++)
        CHECK_NEAR(dl4c_regression_eval_average(e, m),
                   (ref[0][m] + ref[1][m]) / 2, 1e-12);
    /* out of range */
    CHECK(dl4c_regression_eval_count(e, 2) == -1);
    CHECK(isnan(dl4c_regression_eval_metric(e, DL4C_REGRESSION_MSE, 2)));
    CHECK(
        isnan(dl4c_regression_eval_metric(e, DL4C_REGRESSION_METRIC_COUNT, 0)));
    CHECK(isnan(dl4c_regression_eval_average(e, -1)));
    CHECK(dl4c_regression_eval_column_name(e, -1) == NULL);
    CHECK(strcmp(dl4c_regression_eval_column_name(e, 1), "col_1") == 0);
    CHECK(strcmp(dl4c_regression_metric_name(DL4C_REGRESSION_R2), "R^2") == 0);
    dl4c_regression_eval_free(e);
}

/* float32 inputs: the values themselves are rounded to float. */
static void test_float32(void)
{
    dl4c_regression_eval *e = NULL;
    REQUIRE_OK(dl4c_regression_eval_create(2, &e));
    CHECK_OK(add_rows(e, 0, 6, DL4C_F32));
    check_column(e, 0, ref[0], 1e-6);
    check_column(e, 1, ref[1], 1e-5);
    dl4c_regression_eval_free(e);
}

/* Several adds run exactly the operations of one add. */
static void test_batches_equal_all(void)
{
    dl4c_regression_eval *all = NULL, *pieces = NULL;
    REQUIRE_OK(dl4c_regression_eval_create(2, &all));
    REQUIRE_OK(dl4c_regression_eval_create(2, &pieces));
    CHECK_OK(add_rows(all, 0, 6, DL4C_F64));
    CHECK_OK(add_rows(pieces, 0, 1, DL4C_F64));
    CHECK_OK(add_rows(pieces, 1, 4, DL4C_F64));
    CHECK_OK(add_rows(pieces, 4, 6, DL4C_F64));
    for (int c = 0; c < 2; c++)
        for (int m = 0; m < DL4C_REGRESSION_METRIC_COUNT; m++)
            CHECK(dl4c_regression_eval_metric(all, m, c) ==
                  dl4c_regression_eval_metric(pieces, m, c));
    dl4c_regression_eval_free(all);
    dl4c_regression_eval_free(pieces);
}

static void test_merge_equals_combined(void)
{
    dl4c_regression_eval *a = NULL, *b = NULL, *empty = NULL, *into = NULL;
    REQUIRE_OK(dl4c_regression_eval_create(2, &a));
    REQUIRE_OK(dl4c_regression_eval_create(2, &b));
    REQUIRE_OK(dl4c_regression_eval_create(2, &empty));
    REQUIRE_OK(dl4c_regression_eval_create(2, &into));
    CHECK_OK(add_rows(a, 0, 2, DL4C_F64));
    CHECK_OK(add_rows(b, 2, 6, DL4C_F32));
    /* b holds float32-rounded values: compare it with its own reference */
    dl4c_regression_eval *all = NULL;
    REQUIRE_OK(dl4c_regression_eval_create(2, &all));
    CHECK_OK(add_rows(all, 0, 2, DL4C_F64));
    CHECK_OK(add_rows(all, 2, 6, DL4C_F32));
    CHECK_OK(dl4c_regression_eval_merge(a, b));
    CHECK_OK(dl4c_regression_eval_merge(a, empty));
    CHECK_OK(dl4c_regression_eval_merge(into, a)); /* into an empty one */
    CHECK(dl4c_regression_eval_count(b, 0) == 4);  /* other unchanged */
    for (int c = 0; c < 2; c++) {
        CHECK(dl4c_regression_eval_count(into, c) == 6);
        for (int m = 0; m < DL4C_REGRESSION_METRIC_COUNT; m++) {
            double want = dl4c_regression_eval_metric(all, m, c);
            CHECK_NEAR(dl4c_regression_eval_metric(a, m, c), want,
                       1e-12 * fabs(want));
            CHECK_NEAR(dl4c_regression_eval_metric(into, m, c), want,
                       1e-12 * fabs(want));
        }
    }
    dl4c_regression_eval *three = NULL;
    REQUIRE_OK(dl4c_regression_eval_create(3, &three));
    CHECK_ERR(dl4c_regression_eval_merge(a, three), DL4C_INVALID_ARG,
              "2 columns and 3 columns");
    CHECK_ERR(dl4c_regression_eval_merge(NULL, a), DL4C_INVALID_ARG,
              "e is NULL");
    dl4c_regression_eval_free(three);
    dl4c_regression_eval_free(a);
    dl4c_regression_eval_free(b);
    dl4c_regression_eval_free(empty);
    dl4c_regression_eval_free(into);
    dl4c_regression_eval_free(all);
}

static void test_masks(void)
{
    double y_nan[12], p_nan[12];
    for (int i = 0; i < 12; i++) {
        /* masked-out values are never read: poison them */
        y_nan[i] = mask_values[i] ? ys[i] : NAN;
        p_nan[i] = mask_values[i] ? ps[i] : INFINITY;
    }
    dl4c_tensor *y = mat(DL4C_F64, 6, 2, y_nan);
    dl4c_tensor *p = mat(DL4C_F64, 6, 2, p_nan);
    dl4c_tensor *m = mat(DL4C_F32, 6, 2, mask_values);
    dl4c_tensor *y_all = mat(DL4C_F64, 6, 2, ys);
    dl4c_tensor *p_all = mat(DL4C_F64, 6, 2, ps);
    dl4c_tensor *rm = vec(DL4C_F64, 6, rows_kept);
    dl4c_tensor *rm2 = mat(DL4C_F32, 6, 1, rows_kept);
    dl4c_regression_eval *e = NULL, *r = NULL, *r2 = NULL;
    REQUIRE(y && p && m && y_all && p_all && rm && rm2);
    REQUIRE_OK(dl4c_regression_eval_create(2, &e));
    REQUIRE_OK(dl4c_regression_eval_create(2, &r));
    REQUIRE_OK(dl4c_regression_eval_create(2, &r2));
    CHECK_OK(dl4c_regression_eval_add(e, y, p, m));
    CHECK(dl4c_regression_eval_count(e, 0) == 5);
    CHECK(dl4c_regression_eval_count(e, 1) == 4);
    check_column(e, 0, ref_masked[0], 1e-12);
    check_column(e, 1, ref_masked[1], 1e-12);
    CHECK_ERR(dl4c_regression_eval_add(e, y, p, NULL), DL4C_INVALID_ARG,
              "labels row 1 column 1 is nan");

    CHECK_OK(dl4c_regression_eval_add(r, y_all, p_all, rm));
    CHECK_OK(dl4c_regression_eval_add(r2, y_all, p_all, rm2));
    check_column(r, 0, ref_row_masked0, 1e-12);
    check_column(r, 1, ref_masked[1], 1e-12);
    check_column(r2, 0, ref_row_masked0, 1e-12);
    CHECK(dl4c_regression_eval_count(r2, 1) == 4);
    dl4c_tensor_free(y);
    dl4c_tensor_free(p);
    dl4c_tensor_free(m);
    dl4c_tensor_free(y_all);
    dl4c_tensor_free(p_all);
    dl4c_tensor_free(rm);
    dl4c_tensor_free(rm2);
    dl4c_regression_eval_free(e);
    dl4c_regression_eval_free(r);
    dl4c_regression_eval_free(r2);
}

/* Sequences [N, T, K] equal their steps flattened to [N*T, K]; an [N, T]
 * mask masks whole steps. The six rows as 2 sequences of 3 steps with
 * the row mask [1, 0, 1, 1, 0, 1] give the row-masked references. */
static void test_sequences(void)
{
    int64_t s3[3] = {2, 3, 2}, s2[2] = {2, 3};
    dl4c_tensor *y = NULL, *p = NULL, *m = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 3, s3, &y));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 3, s3, &p));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, s2, &m));
    for (int i = 0; i < 12; i++) {
        dl4c_tensor_set(y, i, ys[i]);
        dl4c_tensor_set(p, i, ps[i]);
    }
    for (int i = 0; i < 6; i++)
        dl4c_tensor_set(m, i, rows_kept[i]);
    dl4c_regression_eval *e = NULL;
    REQUIRE_OK(dl4c_regression_eval_create(2, &e));
    CHECK_OK(dl4c_regression_eval_add(e, y, p, NULL));
    check_column(e, 0, ref[0], 1e-12);
    check_column(e, 1, ref[1], 1e-12);
    dl4c_regression_eval_reset(e);
    CHECK_OK(dl4c_regression_eval_add(e, y, p, m));
    check_column(e, 0, ref_row_masked0, 1e-12);
    check_column(e, 1, ref_masked[1], 1e-12);
    CHECK_ERR(dl4c_regression_eval_add(e, y, p, y), DL4C_INVALID_ARG,
              "mask row 0 column 1 is 10, must be 0 or 1");
    dl4c_tensor_free(y);
    dl4c_tensor_free(p);
    dl4c_tensor_free(m);
    dl4c_regression_eval_free(e);
}

static void test_perfect_and_constant(void)
{
    static const double y[4] = {1.5, -2.0, 7.25, 3.0};
    static const double flat[4] = {5, 5, 5, 5};
    static const double flat_off[4] = {5, 5, 5, 6};
    dl4c_tensor *ty = vec(DL4C_F64, 4, y);
    dl4c_tensor *tf = vec(DL4C_F32, 4, flat);
    dl4c_tensor *to = vec(DL4C_F32, 4, flat_off);
    dl4c_regression_eval *e = NULL;
    REQUIRE(ty && tf && to);
    REQUIRE_OK(dl4c_regression_eval_create(1, &e));
    CHECK_OK(dl4c_regression_eval_add(e, ty, ty, NULL));
    CHECK(dl4c_regression_eval_metric(e, DL4C_REGRESSION_MSE, 0) == 0.0);
    CHECK(dl4c_regression_eval_metric(e, DL4C_REGRESSION_MAE, 0) == 0.0);
    CHECK(dl4c_regression_eval_metric(e, DL4C_REGRESSION_RSE, 0) == 0.0);
    CHECK_NEAR(dl4c_regression_eval_metric(e, DL4C_REGRESSION_R2, 0), 1.0,
               1e-15);
    CHECK_NEAR(dl4c_regression_eval_metric(e, DL4C_REGRESSION_PC, 0), 1.0,
               1e-15);

    /* constant labels, exact predictions: RSE 0, R^2 1, PC undefined */
    dl4c_regression_eval_reset(e);
    CHECK(dl4c_regression_eval_count(e, 0) == 0);
    CHECK(isnan(dl4c_regression_eval_metric(e, DL4C_REGRESSION_MSE, 0)));
    CHECK_OK(dl4c_regression_eval_add(e, tf, tf, NULL));
    CHECK(dl4c_regression_eval_metric(e, DL4C_REGRESSION_RSE, 0) == 0.0);
    CHECK(dl4c_regression_eval_metric(e, DL4C_REGRESSION_R2, 0) == 1.0);
    CHECK(isnan(dl4c_regression_eval_metric(e, DL4C_REGRESSION_PC, 0)));
    /* one miss: RSE +inf, R^2 -inf */
    dl4c_regression_eval_reset(e);
    CHECK_OK(dl4c_regression_eval_add(e, tf, to, NULL));
    CHECK(isinf(dl4c_regression_eval_metric(e, DL4C_REGRESSION_RSE, 0)));
    CHECK(dl4c_regression_eval_metric(e, DL4C_REGRESSION_R2, 0) < 0 &&
          isinf(dl4c_regression_eval_metric(e, DL4C_REGRESSION_R2, 0)));
    CHECK_NEAR(dl4c_regression_eval_metric(e, DL4C_REGRESSION_MSE, 0), 0.25, 0);
    dl4c_tensor_free(ty);
    dl4c_tensor_free(tf);
    dl4c_tensor_free(to);
    dl4c_regression_eval_free(e);
}

/* Labels near 1e8, where sum(y^2) - n*mean^2 cancels catastrophically
 * (in double those textbook sums give PC = 8/sqrt(64) = 1 here); running
 * moments stay within about 1e-10. y = 1e8 + [1..5] and
 * e = [.5, -.5, .25, 0, -.25], all exact in double:
 *   sum(e^2) = .625, sum((y - mean)^2) = 10 -> MSE .125, RSE .0625,
 *   R^2 .9375; PC = 0.9690874237046979 (exact rational arithmetic with
 *   Python's fractions module, rounded once). */
static void test_large_offset(void)
{
    static const double err[5] = {0.5, -0.5, 0.25, 0.0, -0.25};
    double y[5], p[5];
    for (int i = 0; i < 5; i++) {
        y[i] = 1e8 + (i + 1);
        p[i] = y[i] + err[i];
    }
    dl4c_tensor *ty = mat(DL4C_F64, 5, 1, y);
    dl4c_tensor *tp = mat(DL4C_F64, 5, 1, p);
    dl4c_regression_eval *e = NULL;
    REQUIRE(ty && tp);
    REQUIRE_OK(dl4c_regression_eval_create(1, &e));
    CHECK_OK(dl4c_regression_eval_add(e, ty, tp, NULL));
    CHECK_NEAR(dl4c_regression_eval_metric(e, DL4C_REGRESSION_MSE, 0), 0.125,
               1e-15);
    CHECK_NEAR(dl4c_regression_eval_metric(e, DL4C_REGRESSION_RSE, 0), 0.0625,
               1e-12);
    CHECK_NEAR(dl4c_regression_eval_metric(e, DL4C_REGRESSION_R2, 0), 0.9375,
               1e-12);
    CHECK_NEAR(dl4c_regression_eval_metric(e, DL4C_REGRESSION_PC, 0),
               0.9690874237046979, 1e-9);
    dl4c_tensor_free(ty);
    dl4c_tensor_free(tp);
    dl4c_regression_eval_free(e);
}

static void test_stats_text(void)
{
    static const char expected[] =
        "Column    MSE            MAE            RMSE           RSE          "
        "  PC             R^2            \n"
        "col_0     6.66667e-02    2.33333e-01    2.58199e-01    2.28571e-02  "
        "  9.92494e-01    9.77143e-01    \n"
        "col_1     3.83333e+00    1.83333e+00    1.95789e+00    3.94286e-02  "
        "  9.88095e-01    9.60571e-01    \n";
    dl4c_regression_eval *e = NULL;
    REQUIRE_OK(dl4c_regression_eval_create(2, &e));
    char *text = NULL;
    CHECK_OK(dl4c_regression_eval_stats(e, &text));
    CHECK(text && strcmp(text, "RegressionEvaluation: No Data") == 0);
    dl4c_free(text);
    CHECK_OK(add_rows(e, 0, 6, DL4C_F64));
    CHECK_OK(dl4c_regression_eval_stats(e, &text));
    CHECK_MSG(text && strcmp(text, expected) == 0, "got:\n%s", text);
    dl4c_free(text);

    /* The name column follows the longest name; non-finite values print
     * as Java prints them.
     *   temperature: y = [1, 2], p = [1, 3]: e = [0, 1], MSE = MAE = .5,
     *     RMSE .707107, sum((y - 1.5)^2) = .5 -> RSE 2, R^2 -1, PC 1
     *   x: y = [5, 5], p = [5, 6]: MSE = MAE = .5, RSE +inf, R^2 -inf,
     *     PC undefined */
    static const char expected_named[] =
        "Column          MSE            MAE            RMSE           RSE    "
        "        PC             R^2            \n"
        "temperature     5.00000e-01    5.00000e-01    7.07107e-01    "
        "2.00000e+00    1.00000e+00    -1.00000e+00   \n"
        "x               5.00000e-01    5.00000e-01    7.07107e-01    "
        "Infinity       NaN            -Infinity      \n";
    const char *names[] = {"temperature", "x"};
    CHECK_OK(dl4c_regression_eval_set_column_names(e, 2, names));
    dl4c_regression_eval_reset(e);
    static const double y[4] = {1, 5, 2, 5}, p[4] = {1, 5, 3, 6};
    dl4c_tensor *ty = mat(DL4C_F64, 2, 2, y);
    dl4c_tensor *tp = mat(DL4C_F64, 2, 2, p);
    REQUIRE(ty && tp);
    CHECK_OK(dl4c_regression_eval_add(e, ty, tp, NULL));
    CHECK_OK(dl4c_regression_eval_stats(e, &text));
    CHECK_MSG(text && strcmp(text, expected_named) == 0, "got:\n%s", text);
    dl4c_free(text);
    dl4c_tensor_free(ty);
    dl4c_tensor_free(tp);
    dl4c_regression_eval_free(e);
}

/* Column "speed": y = [0, 0, 2, 2], p = [0, 0, 4, 4]: e = [0, 0, 2, 2],
 *   MSE 2, MAE 1, RMSE sqrt(2), sum((y - 1)^2) = 4 -> RSE 2, R^2 -1,
 *   PC = 8 / (2 * 4) = 1.
 * Column "load": y = 5 throughout, p = [5, 5, 5, 6]: MSE = MAE = .25,
 *   RMSE .5, RSE +inf, R^2 -inf, PC undefined (written as null). */
static void test_to_json(void)
{
    static const double y[8] = {0, 5, 0, 5, 2, 5, 2, 5};
    static const double p[8] = {0, 5, 0, 5, 4, 5, 4, 6};
    static const char expected[] =
        "{\"type\": \"regression\", \"num_columns\": 2, \"columns\": ["
        "{\"name\": \"speed\", \"count\": 4, \"mse\": 2, \"mae\": 1, "
        "\"rmse\": 1.4142135623730951, \"rse\": 2, \"pc\": 1, \"r2\": -1}, "
        "{\"name\": \"load\", \"count\": 4, \"mse\": 0.25, \"mae\": 0.25, "
        "\"rmse\": 0.5, \"rse\": null, \"pc\": null, \"r2\": null}], "
        "\"average\": {\"mse\": 1.125, \"mae\": 0.625, "
        "\"rmse\": 0.95710678118654757, \"rse\": null, \"pc\": null, "
        "\"r2\": null}}";
    const char *names[] = {"speed", "load"};
    dl4c_tensor *ty = mat(DL4C_F32, 4, 2, y);
    dl4c_tensor *tp = mat(DL4C_F64, 4, 2, p);
    dl4c_regression_eval *e = NULL;
    REQUIRE(ty && tp);
    REQUIRE_OK(dl4c_regression_eval_create(2, &e));
    CHECK_OK(dl4c_regression_eval_set_column_names(e, 2, names));
    CHECK_OK(dl4c_regression_eval_add(e, ty, tp, NULL));
    char *text = NULL;
    CHECK_OK(dl4c_regression_eval_to_json(e, &text));
    CHECK_MSG(text && strcmp(text, expected) == 0, "got:\n%s", text);
    dl4c_free(text);
    dl4c_tensor_free(ty);
    dl4c_tensor_free(tp);
    dl4c_regression_eval_free(e);
}

/* Columns without values are NaN and left out of the averages. */
static void test_empty_columns(void)
{
    static const double y[4] = {1, 0, 2, 0}, p[4] = {2, 0, 2, 0};
    static const double keep[4] = {1, 0, 1, 0};
    dl4c_tensor *ty = mat(DL4C_F64, 2, 2, y);
    dl4c_tensor *tp = mat(DL4C_F64, 2, 2, p);
    dl4c_tensor *tm = mat(DL4C_F64, 2, 2, keep);
    dl4c_regression_eval *e = NULL;
    REQUIRE(ty && tp && tm);
    REQUIRE_OK(dl4c_regression_eval_create(2, &e));
    CHECK(isnan(dl4c_regression_eval_average(e, DL4C_REGRESSION_MSE)));
    CHECK_OK(dl4c_regression_eval_add(e, ty, tp, tm));
    CHECK(dl4c_regression_eval_count(e, 1) == 0);
    CHECK(isnan(dl4c_regression_eval_metric(e, DL4C_REGRESSION_MAE, 1)));
    CHECK_NEAR(dl4c_regression_eval_average(e, DL4C_REGRESSION_MSE), 0.5, 0);
    dl4c_tensor_free(ty);
    dl4c_tensor_free(tp);
    dl4c_tensor_free(tm);
    dl4c_regression_eval_free(e);
}

static void test_bad_inputs(void)
{
    dl4c_regression_eval *e = NULL;
    CHECK_ERR(dl4c_regression_eval_create(0, &e), DL4C_INVALID_ARG,
              "num_columns is 0, must be at least 1");
    CHECK(e == NULL);
    CHECK_ERR(dl4c_regression_eval_create(2, NULL), DL4C_INVALID_ARG,
              "out is NULL");
    REQUIRE_OK(dl4c_regression_eval_create(2, &e));

    static const double v[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    static const double half[3] = {1, 0.5, 1};
    double with_nan[6] = {1, 2, 3, NAN, 5, 6};
    dl4c_tensor *a32 = mat(DL4C_F32, 3, 2, v);
    dl4c_tensor *b23 = mat(DL4C_F32, 2, 3, v);
    dl4c_tensor *c43 = mat(DL4C_F64, 4, 3, v);
    dl4c_tensor *d22 = mat(DL4C_F64, 2, 2, v);
    dl4c_tensor *n32 = mat(DL4C_F64, 3, 2, with_nan);
    dl4c_tensor *m3x3 = mat(DL4C_F32, 3, 3, v);
    dl4c_tensor *m4 = vec(DL4C_F32, 4, v);
    dl4c_tensor *mh = vec(DL4C_F32, 3, half);
    REQUIRE(a32 && b23 && c43 && d22 && n32 && m3x3 && m4 && mh);

    CHECK_ERR(dl4c_regression_eval_add(e, a32, b23, NULL), DL4C_SHAPE,
              "labels [3, 2] and predictions [2, 3] differ");
    CHECK_ERR(dl4c_regression_eval_add(e, a32, d22, NULL), DL4C_SHAPE,
              "labels [3, 2] and predictions [2, 2] differ");
    CHECK_ERR(dl4c_regression_eval_add(e, c43, c43, NULL), DL4C_SHAPE,
              "have 3 columns, the evaluation has 2");
    CHECK_ERR(dl4c_regression_eval_add(e, a32, a32, m3x3), DL4C_SHAPE,
              "mask [3, 3] does not fit labels [3, 2]: expected [3], [3, 1] "
              "or [3, 2]");
    CHECK_ERR(dl4c_regression_eval_add(e, a32, a32, m4), DL4C_SHAPE,
              "mask [4] does not fit labels [3, 2]");
    CHECK_ERR(dl4c_regression_eval_add(e, a32, a32, mh), DL4C_INVALID_ARG,
              "mask row 1 column 0 is 0.5, must be 0 or 1");
    CHECK_ERR(dl4c_regression_eval_add(e, a32, n32, NULL), DL4C_INVALID_ARG,
              "predictions row 1 column 1 is nan");
    CHECK_ERR(dl4c_regression_eval_add(e, a32, NULL, NULL), DL4C_INVALID_ARG,
              "predictions is NULL");
    CHECK_ERR(dl4c_regression_eval_add(NULL, a32, a32, NULL), DL4C_INVALID_ARG,
              "e is NULL");
    CHECK(dl4c_regression_eval_count(e, 0) == 0); /* nothing counted */

    const char *one[] = {"a"};
    CHECK_ERR(dl4c_regression_eval_set_column_names(e, 1, one),
              DL4C_INVALID_ARG, "1 names for 2 columns");
    CHECK_OK(dl4c_regression_eval_set_column_names(e, 0, NULL));
    char *text = NULL;
    CHECK_ERR(dl4c_regression_eval_stats(e, NULL), DL4C_INVALID_ARG,
              "out is NULL");
    CHECK_ERR(dl4c_regression_eval_to_json(NULL, &text), DL4C_INVALID_ARG,
              "e is NULL");
    CHECK(text == NULL);

    dl4c_tensor_free(a32);
    dl4c_tensor_free(b23);
    dl4c_tensor_free(c43);
    dl4c_tensor_free(d22);
    dl4c_tensor_free(n32);
    dl4c_tensor_free(m3x3);
    dl4c_tensor_free(m4);
    dl4c_tensor_free(mh);
    dl4c_regression_eval_free(e);
    dl4c_regression_eval_free(NULL);
}

static int budget;

static void *fail_malloc(size_t n, void *ctx)
{
    (void)ctx;
    return budget-- > 0 ? malloc(n) : NULL;
}

static void *fail_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    return budget-- > 0 ? realloc(p, n) : NULL;
}

static void fail_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

/* Every allocation failure gives DL4C_NOMEM and leaks nothing. */
static void test_out_of_memory(void)
{
    const dl4c_allocator failing = {fail_malloc, fail_realloc, fail_free, NULL};
    const char *names[] = {"a", "b"};
    dl4c_tensor *y = mat(DL4C_F64, 6, 2, ys);
    dl4c_tensor *p = mat(DL4C_F64, 6, 2, ps);
    REQUIRE(y && p);
    int done = 0;
    for (int limit = 0; limit < 200 && !done; limit++) {
        budget = limit;
        dl4c_set_allocator(&failing);
        dl4c_regression_eval *e = NULL;
        char *s1 = NULL, *s2 = NULL;
        dl4c_status st = dl4c_regression_eval_create(2, &e);
        if (st == DL4C_OK)
            st = dl4c_regression_eval_set_column_names(e, 2, names);
        if (st == DL4C_OK)
            st = dl4c_regression_eval_add(e, y, p, NULL);
        if (st == DL4C_OK)
            st = dl4c_regression_eval_stats(e, &s1);
        if (st == DL4C_OK)
            st = dl4c_regression_eval_to_json(e, &s2);
        CHECK(st == DL4C_OK || st == DL4C_NOMEM);
        done = st == DL4C_OK;
        dl4c_free(s1);
        dl4c_free(s2);
        dl4c_regression_eval_free(e);
        dl4c_set_allocator(NULL);
    }
    CHECK(done);
    dl4c_tensor_free(y);
    dl4c_tensor_free(p);
}

TEST_MAIN(test_reference_values, test_float32, test_batches_equal_all,
          test_merge_equals_combined, test_masks, test_sequences,
          test_perfect_and_constant, test_large_offset, test_stats_text,
          test_to_json, test_empty_columns, test_bad_inputs, test_out_of_memory)
