// labels: unit badinput
/* Normalizers: standardize / min-max / image statistics on known data,
 * zero-spread columns, shape and state errors, revert(transform(x)) == x,
 * label normalization, and the JSON round trip with its bad inputs. */
#include <math.h>

#include "dl4c/data.h"
#include "test.h"

/* an allocator failing at allocation number `fail_at` */
static long fail_at, n_allocs;

static void *fail_malloc(size_t n, void *ctx)
{
    (void)ctx;
    return n_allocs++ == fail_at ? NULL : malloc(n);
}

static void *fail_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    return n_allocs++ == fail_at ? NULL : realloc(p, n);
}

static void fail_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

static const dl4c_allocator failing = {fail_malloc, fail_realloc, fail_free,
                                       NULL};

static dl4c_dataset *load_iris(void)
{
    dl4c_csv_options o = dl4c_csv_options_default();
    o.label_from = o.label_to = 4;
    o.num_classes = 3;
    dl4c_dataset *ds = NULL;
    if (dl4c_csv_load(test_source_path("data/iris.csv"), &o, &ds) != DL4C_OK)
        fprintf(stderr, "iris: %s\n", dl4c_last_error());
    return ds;
}

/* dataset of `rows` x `cols` floats, with optional regression labels */
static dl4c_dataset *make_ds(const float *x, int64_t rows, int64_t cols,
                             const float *y, int64_t ycols)
{
    dl4c_tensor *tx = NULL, *ty = NULL;
    int64_t sx[2] = {rows, cols}, sy[2] = {rows, ycols};
    dl4c_dataset *ds = NULL;
    if (dl4c_tensor_create_from(DL4C_F32, 2, sx, x, &tx) != DL4C_OK)
        return NULL;
    if (y && dl4c_tensor_create_from(DL4C_F32, 2, sy, y, &ty) != DL4C_OK) {
        dl4c_tensor_free(tx);
        return NULL;
    }
    if (dl4c_dataset_create(tx, ty, &ds) != DL4C_OK)
        return NULL;
    return ds;
}

static void column_stats(const dl4c_tensor *t, int64_t c, double *mean,
                         double *std, double *lo, double *hi)
{
    int64_t cols = dl4c_tensor_dim(t, -1), rows = dl4c_tensor_size(t) / cols;
    double s = 0, ss = 0;
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int64_t r = 0; r < rows; r++) {
        double v = dl4c_tensor_get(t, r * cols + c);
        s += v;
        *lo = v < *lo ? v : *lo;
        *hi = v > *hi ? v : *hi;
    }
    *mean = s / (double)rows;
    for (int64_t r = 0; r < rows; r++) {
        double d = dl4c_tensor_get(t, r * cols + c) - *mean;
        ss += d * d;
    }
    *std = sqrt(ss / (double)rows);
}

static void test_kind_names(void)
{
    dl4c_normalizer_kind k;
    CHECK_OK(dl4c_normalizer_kind_parse("minmax", &k));
    CHECK(k == DL4C_NORM_MINMAX);
    for (int i = 0; i < DL4C_NORM_COUNT; i++) {
        CHECK_OK(dl4c_normalizer_kind_parse(
            dl4c_normalizer_kind_name((dl4c_normalizer_kind)i), &k));
        CHECK(k == (dl4c_normalizer_kind)i);
    }
    CHECK_ERR(dl4c_normalizer_kind_parse("zscore", &k), DL4C_INVALID_ARG,
              "unknown normalizer 'zscore'");
    dl4c_normalizer *n = NULL;
    CHECK_ERR(dl4c_normalizer_create(DL4C_NORM_COUNT, &n), DL4C_INVALID_ARG,
              "unknown kind");
    CHECK(n == NULL);
}

static void test_standardize_iris(void)
{
    dl4c_dataset *ds = load_iris();
    REQUIRE(ds);
    dl4c_normalizer *n = NULL;
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_STANDARDIZE, &n));
    CHECK(dl4c_normalizer_get_kind(n) == DL4C_NORM_STANDARDIZE);
    REQUIRE_OK(dl4c_normalizer_fit(n, ds));
    dl4c_tensor *x = NULL;
    REQUIRE_OK(dl4c_tensor_copy(dl4c_dataset_features(ds), &x));
    CHECK_OK(dl4c_normalizer_transform(n, x));
    for (int c = 0; c < 4; c++) {
        double mean, std, lo, hi;
        column_stats(x, c, &mean, &std, &lo, &hi);
        CHECK_NEAR(mean, 0.0, 1e-6);
        CHECK_NEAR(std, 1.0, 1e-5);
    }
    /* sepal length: mean 5.843333, population std 0.825301 */
    CHECK_NEAR(dl4c_tensor_get(x, 0), (5.1 - 5.8433333333) / 0.8253012918,
               1e-5);
    /* the dataset itself is not touched */
    CHECK(dl4c_tensor_get(dl4c_dataset_features(ds), 0) == 5.1f);
    CHECK_OK(dl4c_normalizer_revert(n, x));
    CHECK(dl4c_tensor_max_abs_diff(x, dl4c_dataset_features(ds)) < 1e-5);
    /* labels of a classification set are never normalized */
    dl4c_tensor *y = NULL;
    REQUIRE_OK(dl4c_tensor_copy(dl4c_dataset_labels(ds), &y));
    CHECK_OK(dl4c_normalizer_transform_labels(n, y));
    CHECK(dl4c_tensor_max_abs_diff(y, dl4c_dataset_labels(ds)) == 0.0);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_normalizer_free(n);
    dl4c_dataset_free(ds);
}

static void test_minmax_iris(void)
{
    dl4c_dataset *ds = load_iris();
    REQUIRE(ds);
    dl4c_normalizer *n = NULL;
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_MINMAX, &n));
    REQUIRE_OK(dl4c_normalizer_fit(n, ds));
    dl4c_tensor *x = NULL;
    REQUIRE_OK(dl4c_tensor_copy(dl4c_dataset_features(ds), &x));
    CHECK_OK(dl4c_normalizer_transform(n, x));
    for (int c = 0; c < 4; c++) {
        double mean, std, lo, hi;
        column_stats(x, c, &mean, &std, &lo, &hi);
        CHECK_NEAR(lo, 0.0, 1e-6);
        CHECK_NEAR(hi, 1.0, 1e-6);
    }
    /* sepal length 5.1 in [4.3, 7.9] */
    CHECK_NEAR(dl4c_tensor_get(x, 0), (5.1 - 4.3) / (7.9 - 4.3), 1e-6);
    CHECK_OK(dl4c_normalizer_revert(n, x));
    CHECK(dl4c_tensor_max_abs_diff(x, dl4c_dataset_features(ds)) < 1e-5);

    /* another output range */
    dl4c_normalizer_set_range(n, -1.0, 1.0);
    CHECK_OK(dl4c_normalizer_transform(n, x));
    for (int c = 0; c < 4; c++) {
        double mean, std, lo, hi;
        column_stats(x, c, &mean, &std, &lo, &hi);
        CHECK_NEAR(lo, -1.0, 1e-6);
        CHECK_NEAR(hi, 1.0, 1e-6);
    }
    dl4c_tensor_free(x);
    dl4c_normalizer_free(n);
    dl4c_dataset_free(ds);
}

static void test_image(void)
{
    dl4c_normalizer *n = NULL;
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_IMAGE, &n));
    float px[6] = {0, 51, 255, 127.5f, 25.5f, 204};
    int64_t shape[4] = {1, 1, 2, 3}; /* NHWC, 3 channels */
    dl4c_tensor *t = NULL;
    REQUIRE_OK(dl4c_tensor_create_from(DL4C_F32, 4, shape, px, &t));
    /* no fit needed */
    CHECK_OK(dl4c_normalizer_transform(n, t));
    CHECK(dl4c_tensor_get(t, 0) == 0.0f);
    CHECK_NEAR(dl4c_tensor_get(t, 1), 0.2, 1e-7);
    CHECK(dl4c_tensor_get(t, 2) == 1.0f);
    CHECK_NEAR(dl4c_tensor_get(t, 3), 0.5, 1e-7);
    CHECK_OK(dl4c_normalizer_revert(n, t));
    for (int i = 0; i < 6; i++)
        CHECK_NEAR(dl4c_tensor_get(t, i), px[i], 1e-4);
    /* a range of [-1, 1] and a max of 16 */
    dl4c_normalizer_set_range(n, -1, 1);
    dl4c_normalizer_set_max_pixel(n, 16);
    dl4c_tensor_fill(t, 8);
    CHECK_OK(dl4c_normalizer_transform(n, t));
    CHECK(dl4c_tensor_get(t, 5) == 0.0f);
    /* fitting is harmless */
    dl4c_dataset *ds = NULL;
    REQUIRE_OK(
        dl4c_mnist_load_dir(test_source_path("data/mnist-small"), false, &ds));
    CHECK_OK(dl4c_normalizer_fit(n, ds));
    dl4c_tensor_free(t);
    dl4c_normalizer_free(n);

    /* MNIST pixels through IMAGE end up in [0, 1] with 255 -> 1 */
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_IMAGE, &n));
    REQUIRE_OK(dl4c_tensor_copy(dl4c_dataset_features(ds), &t));
    CHECK_OK(dl4c_normalizer_transform(n, t));
    /* test record 0, row 13, col 18 is 254 */
    CHECK_NEAR(dl4c_tensor_get(t, 13 * 28 + 18), 254.0 / 255.0, 1e-7);
    double lo = 1, hi = 0;
    for (int64_t i = 0; i < dl4c_tensor_size(t); i++) {
        double v = dl4c_tensor_get(t, i);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    CHECK(lo == 0.0 && hi == 1.0);
    dl4c_tensor_free(t);
    dl4c_normalizer_free(n);
    dl4c_dataset_free(ds);
}

static void test_zero_spread(void)
{
    /* column 1 is constant */
    static const float x[8] = {1, 7, 2, 7, 3, 7, 4, 7};
    dl4c_dataset *ds = make_ds(x, 4, 2, NULL, 0);
    REQUIRE(ds);
    for (int k = 0; k < 2; k++) {
        dl4c_normalizer *n = NULL;
        REQUIRE_OK(dl4c_normalizer_create(
            k ? DL4C_NORM_MINMAX : DL4C_NORM_STANDARDIZE, &n));
        REQUIRE_OK(dl4c_normalizer_fit(n, ds));
        dl4c_tensor *t = NULL;
        REQUIRE_OK(dl4c_tensor_copy(dl4c_dataset_features(ds), &t));
        CHECK_OK(dl4c_normalizer_transform(n, t));
        for (int64_t i = 0; i < 8; i++)
            CHECK(isfinite(dl4c_tensor_get(t, i)));
        /* centered (standardize) or at the low end (min-max) */
        CHECK(dl4c_tensor_get(t, 1) == 0.0f && dl4c_tensor_get(t, 7) == 0.0f);
        CHECK_OK(dl4c_normalizer_revert(n, t));
        CHECK(dl4c_tensor_max_abs_diff(t, dl4c_dataset_features(ds)) < 1e-6);
        dl4c_tensor_free(t);
        dl4c_normalizer_free(n);
    }
    dl4c_dataset_free(ds);
}

static void test_errors(void)
{
    dl4c_dataset *ds = load_iris();
    REQUIRE(ds);
    dl4c_normalizer *n = NULL;
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_STANDARDIZE, &n));
    dl4c_tensor *t = NULL;
    int64_t shape[2] = {3, 5};
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, shape, &t));
    CHECK_ERR(dl4c_normalizer_transform(n, t), DL4C_STATE,
              "normalizer (standardize) is not fitted");
    REQUIRE_OK(dl4c_normalizer_fit(n, ds));
    CHECK_ERR(dl4c_normalizer_transform(n, t), DL4C_SHAPE,
              "features have 5 columns (last dim) but it was fitted on 4");
    CHECK_ERR(dl4c_normalizer_revert(n, t), DL4C_SHAPE, "fitted on 4");
    CHECK_ERR(dl4c_normalizer_transform(NULL, t), DL4C_INVALID_ARG, "NULL");
    dl4c_tensor_free(t);
    dl4c_normalizer_free(n);
    dl4c_dataset_free(ds);

    /* a NaN in user-made training data */
    static const float bad[4] = {1, 2, NAN, 4};
    ds = make_ds(bad, 2, 2, NULL, 0);
    REQUIRE(ds);
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_MINMAX, &n));
    CHECK_ERR(dl4c_normalizer_fit(n, ds), DL4C_FORMAT,
              "feature column 0 of row 1 is nan");
    dl4c_normalizer_free(n);
    dl4c_dataset_free(ds);
}

static void test_labels_and_f64(void)
{
    static const float x[6] = {1, 2, 3, 4, 5, 6};
    static const float y[3] = {10, 20, 30};
    dl4c_dataset *ds = make_ds(x, 3, 2, y, 1);
    REQUIRE(ds);
    dl4c_normalizer *n = NULL;
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_STANDARDIZE, &n));
    dl4c_normalizer_set_fit_labels(n, true);
    REQUIRE_OK(dl4c_normalizer_fit(n, ds));
    dl4c_tensor *t = NULL;
    REQUIRE_OK(dl4c_tensor_copy(dl4c_dataset_labels(ds), &t));
    CHECK_OK(dl4c_normalizer_transform_labels(n, t));
    /* mean 20, population std sqrt(200/3) */
    CHECK_NEAR(dl4c_tensor_get(t, 0), -10.0 / sqrt(200.0 / 3.0), 1e-6);
    CHECK_NEAR(dl4c_tensor_get(t, 1), 0.0, 1e-7);
    CHECK_OK(dl4c_normalizer_revert_labels(n, t));
    CHECK_NEAR(dl4c_tensor_get(t, 2), 30.0, 1e-5);
    dl4c_tensor_free(t);

    /* float64 tensors work the same */
    REQUIRE_OK(dl4c_tensor_cast(dl4c_dataset_features(ds), DL4C_F64, &t));
    CHECK_OK(dl4c_normalizer_transform(n, t));
    CHECK_NEAR(dl4c_tensor_get(t, 0), -2.0 / sqrt(8.0 / 3.0), 1e-12);
    CHECK_OK(dl4c_normalizer_revert(n, t));
    CHECK_NEAR(dl4c_tensor_get(t, 5), 6.0, 1e-12);
    dl4c_tensor_free(t);
    dl4c_normalizer_free(n);

    /* without fit_labels the labels stay as they are */
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_MINMAX, &n));
    REQUIRE_OK(dl4c_normalizer_fit(n, ds));
    REQUIRE_OK(dl4c_tensor_copy(dl4c_dataset_labels(ds), &t));
    CHECK_OK(dl4c_normalizer_transform_labels(n, t));
    CHECK(dl4c_tensor_get(t, 0) == 10.0f);
    dl4c_tensor_free(t);
    dl4c_normalizer_free(n);
    dl4c_dataset_free(ds);
}

/* write -> parse -> write gives the same text, and the parsed normalizer
 * transforms bit for bit like the original */
static void round_trip(dl4c_normalizer *n, const dl4c_dataset *ds)
{
    char *a = NULL, *b = NULL;
    dl4c_normalizer *m = NULL;
    REQUIRE_OK(dl4c_normalizer_write(n, &a));
    REQUIRE_OK(dl4c_normalizer_parse(a, &m));
    REQUIRE_OK(dl4c_normalizer_write(m, &b));
    CHECK_MSG(!strcmp(a, b), "%s\n  vs %s", a, b);
    CHECK(dl4c_normalizer_get_kind(m) == dl4c_normalizer_get_kind(n));
    dl4c_tensor *t1 = NULL, *t2 = NULL;
    REQUIRE_OK(dl4c_tensor_copy(dl4c_dataset_features(ds), &t1));
    REQUIRE_OK(dl4c_tensor_copy(dl4c_dataset_features(ds), &t2));
    CHECK_OK(dl4c_normalizer_transform(n, t1));
    CHECK_OK(dl4c_normalizer_transform(m, t2));
    CHECK(dl4c_tensor_max_abs_diff(t1, t2) == 0.0);
    dl4c_tensor_free(t1);
    dl4c_tensor_free(t2);
    if (dl4c_dataset_labels(ds)) {
        REQUIRE_OK(dl4c_tensor_copy(dl4c_dataset_labels(ds), &t1));
        REQUIRE_OK(dl4c_tensor_copy(dl4c_dataset_labels(ds), &t2));
        CHECK_OK(dl4c_normalizer_transform_labels(n, t1));
        CHECK_OK(dl4c_normalizer_transform_labels(m, t2));
        CHECK(dl4c_tensor_max_abs_diff(t1, t2) == 0.0);
        dl4c_tensor_free(t1);
        dl4c_tensor_free(t2);
    }
    dl4c_free(a);
    dl4c_free(b);
    dl4c_normalizer_free(m);
}

static void test_json_round_trip(void)
{
    dl4c_dataset *ds = load_iris();
    REQUIRE(ds);
    for (int k = 0; k < DL4C_NORM_COUNT; k++) {
        dl4c_normalizer *n = NULL;
        REQUIRE_OK(dl4c_normalizer_create((dl4c_normalizer_kind)k, &n));
        if (k != DL4C_NORM_STANDARDIZE)
            dl4c_normalizer_set_range(n, -0.5, 2.0);
        REQUIRE_OK(dl4c_normalizer_fit(n, ds));
        round_trip(n, ds);
        dl4c_normalizer_free(n);
    }
    dl4c_dataset_free(ds);

    /* regression labels travel too */
    static const float x[6] = {1, 2, 3, 4, 5, 6.5f};
    static const float y[6] = {10, -1, 20, -2, 30.25f, -3};
    ds = make_ds(x, 3, 2, y, 2);
    REQUIRE(ds);
    dl4c_normalizer *n = NULL;
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_MINMAX, &n));
    dl4c_normalizer_set_fit_labels(n, true);
    REQUIRE_OK(dl4c_normalizer_fit(n, ds));
    round_trip(n, ds);
    char *text = NULL;
    REQUIRE_OK(dl4c_normalizer_write(n, &text));
    CHECK(strstr(text, "\"labels\"") != NULL);
    CHECK(strstr(text, "\"type\":\"minmax\"") != NULL);
    dl4c_free(text);
    dl4c_normalizer_free(n);
    dl4c_dataset_free(ds);

    /* an unfitted normalizer round-trips as unfitted */
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_STANDARDIZE, &n));
    REQUIRE_OK(dl4c_normalizer_write(n, &text));
    dl4c_normalizer *m = NULL;
    REQUIRE_OK(dl4c_normalizer_parse(text, &m));
    int64_t shape[2] = {1, 1};
    dl4c_tensor *t = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, shape, &t));
    CHECK_ERR(dl4c_normalizer_transform(m, t), DL4C_STATE, "not fitted");
    dl4c_tensor_free(t);
    dl4c_free(text);
    dl4c_normalizer_free(n);
    dl4c_normalizer_free(m);
}

static void test_json_bad(void)
{
    dl4c_normalizer *n = NULL;
    CHECK_ERR(dl4c_normalizer_parse("{\"type\": ", &n), DL4C_FORMAT,
              "normalizer JSON: line 1");
    CHECK_ERR(dl4c_normalizer_parse("[1, 2]", &n), DL4C_FORMAT,
              "not an object");
    CHECK_ERR(dl4c_normalizer_parse("{\"version\": 1}", &n), DL4C_FORMAT,
              "missing \"type\"");
    CHECK_ERR(dl4c_normalizer_parse("{\"type\": \"zscore\"}", &n), DL4C_FORMAT,
              "unknown normalizer 'zscore'");
    CHECK_ERR(
        dl4c_normalizer_parse("{\"type\": \"minmax\", \"version\": 7}", &n),
        DL4C_FORMAT, "unsupported \"version\"");
    CHECK_ERR(dl4c_normalizer_parse(
                  "{\"type\": \"standardize\", \"features\": {\"mean\": [1, "
                  "2], \"std\": [1, 2, 3]}}",
                  &n),
              DL4C_FORMAT, "\"features\" has 2 mean but 3 std");
    CHECK_ERR(dl4c_normalizer_parse(
                  "{\"type\": \"standardize\", \"features\": {\"mean\": [1], "
                  "\"std\": [-1]}}",
                  &n),
              DL4C_FORMAT, "std[0] = -1 is negative");
    CHECK_ERR(dl4c_normalizer_parse("{\"type\": \"standardize\", \"features\": "
                                    "{\"mean\": [NaN], \"std\": [1]}}",
                                    &n),
              DL4C_FORMAT, "normalizer JSON: line 1");
    CHECK_ERR(dl4c_normalizer_parse("{\"type\": \"standardize\", \"features\": "
                                    "{\"mean\": [\"x\"], \"std\": [1]}}",
                                    &n),
              DL4C_FORMAT, "\"mean\"[0] is not a finite number");
    CHECK_ERR(dl4c_normalizer_parse(
                  "{\"type\": \"minmax\", \"features\": {\"min\": [2], "
                  "\"max\": [1]}}",
                  &n),
              DL4C_FORMAT, "max[0] = 1 is below min 2");
    CHECK_ERR(
        dl4c_normalizer_parse("{\"type\": \"minmax\", \"range\": [1, 0]}", &n),
        DL4C_FORMAT, "\"range\" is not [lo, hi] with lo < hi");
    CHECK_ERR(
        dl4c_normalizer_parse("{\"type\": \"image\", \"max_pixel\": 0}", &n),
        DL4C_FORMAT, "\"max_pixel\" is not a positive number");
    CHECK_ERR(dl4c_normalizer_parse(
                  "{\"type\": \"image\", \"type\": \"minmax\"}", &n),
              DL4C_FORMAT, "duplicate");
    CHECK(n == NULL);
}

static void test_out_of_memory(void)
{
    dl4c_dataset *ds = load_iris();
    REQUIRE(ds);
    dl4c_status st = DL4C_NOMEM;
    for (fail_at = 0; fail_at < 200 && st != DL4C_OK; fail_at++) {
        dl4c_normalizer *n = NULL, *m = NULL;
        char *text = NULL;
        n_allocs = 0;
        dl4c_set_allocator(&failing);
        st = dl4c_normalizer_create(DL4C_NORM_STANDARDIZE, &n);
        if (st == DL4C_OK)
            st = dl4c_normalizer_fit(n, ds);
        if (st == DL4C_OK)
            st = dl4c_normalizer_write(n, &text);
        if (st == DL4C_OK)
            st = dl4c_normalizer_parse(text, &m);
        dl4c_set_allocator(NULL);
        CHECK_MSG(st == DL4C_NOMEM || st == DL4C_OK, "%s", dl4c_last_error());
        CHECK(st != DL4C_OK || m != NULL);
        dl4c_free(text);
        dl4c_normalizer_free(n);
        dl4c_normalizer_free(m);
    }
    CHECK(st == DL4C_OK);
    dl4c_dataset_free(ds);
}

/* Padded sequences: the statistics come from the steps that exist, not
 * from the padding's zeros. */
static void test_masked_sequences(void)
{
    int64_t xs[3] = {2, 3, 1}, ms[2] = {2, 3};
    const float xv[6] = {1, 2, 3, 5, 0, 0}, mv[6] = {1, 1, 1, 1, 0, 0};
    dl4c_tensor *x = NULL, *m = NULL, *probe = NULL;
    dl4c_dataset *ds = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, xs, &x));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, ms, &m));
    for (int i = 0; i < 6; i++) {
        dl4c_tensor_set(x, i, xv[i]);
        dl4c_tensor_set(m, i, mv[i]);
    }
    REQUIRE_OK(dl4c_dataset_create(x, NULL, &ds));
    REQUIRE_OK(dl4c_dataset_set_masks(ds, m, NULL));
    int64_t ps[2] = {2, 1};
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, ps, &probe));
    /* standardize: mean 2.75 and std sqrt(2.1875) of 1, 2, 3, 5 */
    dl4c_normalizer *n = NULL;
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_STANDARDIZE, &n));
    REQUIRE_OK(dl4c_normalizer_fit(n, ds));
    dl4c_tensor_set(probe, 0, 2.75);
    dl4c_tensor_set(probe, 1, 5.0);
    CHECK_OK(dl4c_normalizer_transform(n, probe));
    CHECK_NEAR(dl4c_tensor_get(probe, 0), 0.0, 1e-6);
    CHECK_NEAR(dl4c_tensor_get(probe, 1), 2.25 / sqrt(2.1875), 1e-6);
    dl4c_normalizer_free(n);
    /* min-max: 1..5 (the padding's 0 is not the minimum) */
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_MINMAX, &n));
    REQUIRE_OK(dl4c_normalizer_fit(n, ds));
    dl4c_tensor_set(probe, 0, 1.0);
    dl4c_tensor_set(probe, 1, 5.0);
    CHECK_OK(dl4c_normalizer_transform(n, probe));
    CHECK_NEAR(dl4c_tensor_get(probe, 0), 0.0, 1e-6);
    CHECK_NEAR(dl4c_tensor_get(probe, 1), 1.0, 1e-6);
    dl4c_normalizer_free(n);
    dl4c_tensor_free(probe);
    dl4c_dataset_free(ds);
    /* every step masked: nothing to fit on */
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, xs, &x));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, ms, &m));
    REQUIRE_OK(dl4c_dataset_create(x, NULL, &ds));
    REQUIRE_OK(dl4c_dataset_set_masks(ds, m, NULL));
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_STANDARDIZE, &n));
    CHECK_ERR(dl4c_normalizer_fit(n, ds), DL4C_FORMAT, "every step is masked");
    dl4c_normalizer_free(n);
    dl4c_dataset_free(ds);
}

TEST_MAIN(test_kind_names, test_standardize_iris, test_minmax_iris, test_image,
          test_zero_spread, test_errors, test_labels_and_f64,
          test_json_round_trip, test_json_bad, test_out_of_memory,
          test_masked_sequences)
