// labels: unit badinput
/* CSV reader: known values of the shipped Iris file, quoting, CRLF,
 * delimiters, class names, regression targets, and every malformed input
 * with the exact message. */
#include <locale.h>
#include <zlib.h>

#include "dl4c/data.h"
#include "test.h"

static char path_buf[1024];

/* test_write_file's path, copied (its buffer is reused) */
static const char *write_tmp(const char *name, const char *text)
{
    snprintf(path_buf, sizeof path_buf, "%s", test_write_file(name, text));
    return path_buf;
}

static float at(const dl4c_tensor *t, int64_t row, int64_t col)
{
    return (
        (const float *)dl4c_tensor_data(t))[row * dl4c_tensor_dim(t, -1) + col];
}

/* index of the 1 in a one-hot row, -1 when the row is not one-hot */
static int hot(const dl4c_tensor *y, int64_t row)
{
    int k = -1;
    for (int64_t c = 0; c < dl4c_tensor_dim(y, 1); c++) {
        float v = at(y, row, c);
        if (v == 1.0f && k < 0)
            k = (int)c;
        else if (v != 0.0f)
            return -1;
    }
    return k;
}

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

static dl4c_csv_options iris_options(void)
{
    dl4c_csv_options o = dl4c_csv_options_default();
    o.label_from = o.label_to = 4;
    o.num_classes = 3;
    return o;
}

static void test_defaults(void)
{
    dl4c_csv_options o = dl4c_csv_options_default();
    CHECK(o.delimiter == ',');
    CHECK(o.quote == '"');
    CHECK(o.skip_lines == 0);
    CHECK(o.label_from == -1 && o.label_to == -1);
    CHECK(o.num_classes == 0 && o.class_names == NULL);
}

static void test_iris(void)
{
    dl4c_csv_options o = iris_options();
    dl4c_dataset *ds = NULL;
    REQUIRE_OK(dl4c_csv_load(test_source_path("data/iris.csv"), &o, &ds));
    const dl4c_tensor *x = dl4c_dataset_features(ds);
    const dl4c_tensor *y = dl4c_dataset_labels(ds);
    CHECK(dl4c_dataset_count(ds) == 150);
    CHECK(dl4c_tensor_ndim(x) == 2 && dl4c_tensor_dim(x, 1) == 4);
    CHECK(dl4c_tensor_ndim(y) == 2 && dl4c_tensor_dim(y, 1) == 3);
    CHECK(dl4c_tensor_dtype(x) == DL4C_F32);
    CHECK(dl4c_dataset_num_classes(ds) == 3);
    CHECK(dl4c_dataset_class_name(ds, 0) == NULL);
    /* first row 5.1,3.5,1.4,0.2,0 */
    CHECK(at(x, 0, 0) == 5.1f && at(x, 0, 1) == 3.5f);
    CHECK(at(x, 0, 2) == 1.4f && at(x, 0, 3) == 0.2f);
    CHECK(hot(y, 0) == 0);
    /* row 35 (1-based) follows Fisher's paper: 4.9,3.1,1.5,0.2 */
    CHECK(at(x, 34, 0) == 4.9f && at(x, 34, 1) == 3.1f);
    CHECK(at(x, 34, 2) == 1.5f && at(x, 34, 3) == 0.2f);
    /* last row 5.9,3.0,5.1,1.8,2 */
    CHECK(at(x, 149, 0) == 5.9f && at(x, 149, 2) == 5.1f);
    CHECK(at(x, 149, 3) == 1.8f && hot(y, 149) == 2);
    int counts[3] = {0, 0, 0};
    for (int64_t i = 0; i < 150; i++) {
        int k = hot(y, i);
        REQUIRE(k >= 0 && k < 3);
        counts[k]++;
    }
    CHECK(counts[0] == 50 && counts[1] == 50 && counts[2] == 50);
    dl4c_dataset_free(ds);
}

static void test_quotes_crlf_names(void)
{
    const char *p =
        write_tmp("quoted.csv", "\"f1\",\"f2\",label\r\n"
                                "1.5,\"-2.25\",versicolor\r\n"
                                "\"3e2\", 4 ,\"setosa, \"\"the small\"\"\"\r\n"
                                "0.125,7,versicolor\r\n"
                                "\r\n"
                                "-1,0,virginica");
    dl4c_csv_options o = dl4c_csv_options_default();
    o.skip_lines = 1;
    o.label_from = 2;
    o.num_classes = 3;
    dl4c_dataset *ds = NULL;
    REQUIRE_OK(dl4c_csv_load(p, &o, &ds));
    const dl4c_tensor *x = dl4c_dataset_features(ds);
    const dl4c_tensor *y = dl4c_dataset_labels(ds);
    CHECK(dl4c_dataset_count(ds) == 4);
    CHECK(at(x, 0, 0) == 1.5f && at(x, 0, 1) == -2.25f);
    CHECK(at(x, 1, 0) == 300.0f && at(x, 1, 1) == 4.0f);
    CHECK(at(x, 2, 0) == 0.125f && at(x, 3, 0) == -1.0f);
    /* names numbered in sorted order */
    REQUIRE(dl4c_dataset_class_name(ds, 0) != NULL);
    CHECK(!strcmp(dl4c_dataset_class_name(ds, 0), "setosa, \"the small\""));
    CHECK(!strcmp(dl4c_dataset_class_name(ds, 1), "versicolor"));
    CHECK(!strcmp(dl4c_dataset_class_name(ds, 2), "virginica"));
    CHECK(hot(y, 0) == 1 && hot(y, 1) == 0 && hot(y, 2) == 1);
    CHECK(hot(y, 3) == 2);
    dl4c_dataset_free(ds);
}

static void test_quoted_newline(void)
{
    const char *p = write_tmp("multiline.csv", "1,\"a\nb\"\n2,c\n3,oops,\n");
    dl4c_csv_options o = dl4c_csv_options_default();
    o.label_from = 1;
    o.num_classes = 3;
    dl4c_dataset *ds = NULL;
    /* the quoted newline keeps line numbers right: the bad row is line 4 */
    CHECK_ERR(dl4c_csv_load(p, &o, &ds), DL4C_FORMAT,
              "multiline.csv:4: expected 2 columns, found 3");
    CHECK(ds == NULL);
    p = write_tmp("multiline2.csv", "1,\"a\nb\"\n2,c\n");
    REQUIRE_OK(dl4c_csv_load(p, &o, &ds));
    CHECK(!strcmp(dl4c_dataset_class_name(ds, 0), "a\nb"));
    CHECK(dl4c_dataset_class_name(ds, 2) == NULL); /* only 2 names seen */
    dl4c_dataset_free(ds);
}

static void test_delimiter_regression(void)
{
    const char *p = write_tmp("reg.tsv", "# a;b;c;d\n"
                                         "1;10;100;1000\n"
                                         "2;20;200;2000\n"
                                         "3 ; 30 ; 300 ; 3000\n");
    dl4c_csv_options o = dl4c_csv_options_default();
    o.delimiter = ';';
    o.skip_lines = 1;
    o.label_from = 1;
    o.label_to = 2;
    dl4c_dataset *ds = NULL;
    REQUIRE_OK(dl4c_csv_load(p, &o, &ds));
    const dl4c_tensor *x = dl4c_dataset_features(ds);
    const dl4c_tensor *y = dl4c_dataset_labels(ds);
    CHECK(dl4c_dataset_num_classes(ds) == 0);
    CHECK(dl4c_tensor_dim(x, 1) == 2 && dl4c_tensor_dim(y, 1) == 2);
    CHECK(at(x, 0, 0) == 1.0f && at(x, 0, 1) == 1000.0f);
    CHECK(at(y, 0, 0) == 10.0f && at(y, 0, 1) == 100.0f);
    CHECK(at(x, 2, 1) == 3000.0f && at(y, 2, 1) == 300.0f);
    dl4c_dataset_free(ds);

    /* tab-separated, no labels at all */
    p = write_tmp("plain.tsv", "1\t2\n3\t4\n");
    o = dl4c_csv_options_default();
    o.delimiter = '\t';
    REQUIRE_OK(dl4c_csv_load(p, &o, &ds));
    CHECK(dl4c_dataset_labels(ds) == NULL);
    CHECK(at(dl4c_dataset_features(ds), 1, 1) == 4.0f);
    dl4c_dataset_free(ds);
}

static void test_given_class_names(void)
{
    static const char *const names[] = {"cat", "dog"};
    const char *p = write_tmp("pets.csv", "0.5,dog\n1.5,0\n2.5,cat\n3.5,1\n");
    dl4c_csv_options o = dl4c_csv_options_default();
    o.label_from = 1;
    o.num_classes = 2;
    o.class_names = names;
    dl4c_dataset *ds = NULL;
    REQUIRE_OK(dl4c_csv_load(p, &o, &ds));
    const dl4c_tensor *y = dl4c_dataset_labels(ds);
    CHECK(hot(y, 0) == 1 && hot(y, 1) == 0 && hot(y, 2) == 0);
    CHECK(hot(y, 3) == 1);
    CHECK(!strcmp(dl4c_dataset_class_name(ds, 1), "dog"));
    dl4c_dataset_free(ds);

    p = write_tmp("pets_bad.csv", "0.5,dog\n1.5,bird\n");
    CHECK_ERR(dl4c_csv_load(p, &o, &ds), DL4C_FORMAT,
              "pets_bad.csv:2: column 2: unknown class 'bird'");
    CHECK(ds == NULL);
}

static void test_stream(void)
{
    const char *p = write_tmp("stream.csv", "1,2,1\n3,4,0\n");
    FILE *f = fopen(p, "rb");
    REQUIRE(f != NULL);
    dl4c_csv_options o = dl4c_csv_options_default();
    o.label_from = 2;
    o.num_classes = 2;
    dl4c_dataset *ds = NULL;
    CHECK_OK(dl4c_csv_read(f, "stdin", &o, &ds));
    CHECK(dl4c_dataset_count(ds) == 2);
    CHECK(hot(dl4c_dataset_labels(ds), 0) == 1);
    /* the stream stays open: the caller closes it */
    CHECK(fclose(f) == 0);
    dl4c_dataset_free(ds);

    f = fopen(write_tmp("stream_bad.csv", "1,2\nx,3\n"), "rb");
    REQUIRE(f != NULL);
    CHECK_ERR(dl4c_csv_read(f, "stdin", NULL, &ds), DL4C_FORMAT,
              "stdin:2: column 1: 'x' is not a number");
    fclose(f);
}

static void test_locale_independent(void)
{
    /* a decimal-comma locale must not change how "1.5" is read */
    const char *old = setlocale(LC_NUMERIC, NULL);
    char saved[64];
    snprintf(saved, sizeof saved, "%s", old ? old : "C");
    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8") &&
        !setlocale(LC_NUMERIC, "fr_FR.UTF-8"))
        TEST_SKIP("no decimal-comma locale installed");
    const char *p = write_tmp("locale.csv", "1.5,2.25\n");
    dl4c_dataset *ds = NULL;
    CHECK_OK(dl4c_csv_load(p, NULL, &ds));
    if (ds)
        CHECK(at(dl4c_dataset_features(ds), 0, 1) == 2.25f);
    dl4c_dataset_free(ds);
    setlocale(LC_NUMERIC, saved);
}

static void test_gzip_csv(void)
{
    char p[2048];
    snprintf(p, sizeof p, "%s/small.csv.gz", test_tmpdir());
    gzFile g = gzopen(p, "wb");
    REQUIRE(g);
    gzputs(g, "0.5,1\n2.5,0\n");
    gzclose(g);
    dl4c_csv_options o = dl4c_csv_options_default();
    o.label_from = 1;
    o.num_classes = 2;
    dl4c_dataset *ds = NULL;
    REQUIRE_OK(dl4c_csv_load(p, &o, &ds));
    CHECK(dl4c_dataset_count(ds) == 2);
    CHECK(at(dl4c_dataset_features(ds), 1, 0) == 2.5f);
    CHECK(hot(dl4c_dataset_labels(ds), 0) == 1);
    dl4c_dataset_free(ds);
}

static void test_gzip_digits(void)
{
    const char *p = test_shared_data("sklearn-toy/digits.csv.gz");
    if (!p)
        TEST_SKIP("../shared digits.csv.gz not present");
    dl4c_csv_options o = dl4c_csv_options_default();
    o.label_from = 64;
    o.num_classes = 10;
    dl4c_dataset *ds = NULL;
    REQUIRE_OK(dl4c_csv_load(p, &o, &ds));
    CHECK(dl4c_dataset_count(ds) == 1797);
    CHECK(dl4c_tensor_dim(dl4c_dataset_features(ds), 1) == 64);
    static const int expect[10] = {178, 182, 177, 183, 181,
                                   182, 181, 179, 174, 180};
    int counts[10] = {0};
    for (int64_t i = 0; i < 1797; i++) {
        int k = hot(dl4c_dataset_labels(ds), i);
        REQUIRE(k >= 0);
        counts[k]++;
    }
    for (int k = 0; k < 10; k++)
        CHECK(counts[k] == expect[k]);
    dl4c_dataset_free(ds);
}

/* 56 good Iris-like rows, then `bad` as line 57 */
static const char *iris_with_line57(const char *bad)
{
    static char text[8192];
    size_t n = 0;
    for (int i = 0; i < 56; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "5.1,3.5,1.4,0.2,%d\n",
                              i % 3);
    snprintf(text + n, sizeof text - n, "%s\n", bad);
    return write_tmp("iris.csv", text);
}

static void test_not_a_number(void)
{
    dl4c_csv_options o = iris_options();
    dl4c_dataset *ds = NULL;
    CHECK_ERR(dl4c_csv_load(iris_with_line57("5.0,3.1,abc,0.2,1"), &o, &ds),
              DL4C_FORMAT, "iris.csv:57: column 3: 'abc' is not a number");
    CHECK(ds == NULL);
    CHECK_ERR(dl4c_csv_load(iris_with_line57("5.0,nan,1.4,0.2,1"), &o, &ds),
              DL4C_FORMAT, "iris.csv:57: column 2: 'nan' is not a number (NaN");
    CHECK_ERR(dl4c_csv_load(iris_with_line57("-inf,3,1.4,0.2,1"), &o, &ds),
              DL4C_FORMAT,
              "column 1: '-inf' is not a number (NaN and infinity");
    CHECK_ERR(dl4c_csv_load(iris_with_line57("Infinity,3,1.4,0.2,1"), &o, &ds),
              DL4C_FORMAT, "'Infinity' is not a number");
    CHECK_ERR(dl4c_csv_load(iris_with_line57("1e999,3,1.4,0.2,1"), &o, &ds),
              DL4C_FORMAT, "'1e999' is not a number in float32 range");
    CHECK_ERR(dl4c_csv_load(iris_with_line57("1e39,3,1.4,0.2,1"), &o, &ds),
              DL4C_FORMAT, "'1e39' is not a number in float32 range");
    CHECK_ERR(dl4c_csv_load(iris_with_line57("5.0,,1.4,0.2,1"), &o, &ds),
              DL4C_FORMAT, "iris.csv:57: column 2: empty value");
    CHECK_ERR(dl4c_csv_load(iris_with_line57("5.0,3.1x,1.4,0.2,1"), &o, &ds),
              DL4C_FORMAT, "'3.1x' is not a number");
    CHECK_ERR(dl4c_csv_load(iris_with_line57("5.0,3.1,1.4,0.2,nan"), &o, &ds),
              DL4C_FORMAT, "iris.csv:57: column 5: 'nan' is not a number");
    CHECK(ds == NULL);
}

static void test_label_out_of_range(void)
{
    dl4c_csv_options o = iris_options();
    dl4c_dataset *ds = NULL;
    CHECK_ERR(dl4c_csv_load(iris_with_line57("5.0,3.1,1.4,0.2,3"), &o, &ds),
              DL4C_FORMAT,
              "iris.csv:57: column 5: label 3 outside 0..2 (num_classes 3)");
    CHECK_ERR(dl4c_csv_load(iris_with_line57("5.0,3.1,1.4,0.2,-1"), &o, &ds),
              DL4C_FORMAT, "label -1 outside 0..2");
    CHECK_ERR(dl4c_csv_load(iris_with_line57("5.0,3.1,1.4,0.2,1.5"), &o, &ds),
              DL4C_FORMAT, "iris.csv:57: column 5: label 1.5 is not a whole");
    /* names collected from the file: more than num_classes */
    const char *p = write_tmp("names.csv", "1,a\n2,b\n3,c\n4,a\n");
    dl4c_csv_options o2 = dl4c_csv_options_default();
    o2.label_from = 1;
    o2.num_classes = 2;
    CHECK_ERR(dl4c_csv_load(p, &o2, &ds), DL4C_FORMAT,
              "column 2 holds 3 distinct class names but num_classes is 2");
    CHECK(ds == NULL);
}

static void test_wrong_column_count(void)
{
    const char *p = write_tmp("bad.csv", "1,2,3\n4,5,6\n7,8\n");
    dl4c_dataset *ds = NULL;
    CHECK_ERR(dl4c_csv_load(p, NULL, &ds), DL4C_FORMAT,
              "bad.csv:3: expected 3 columns, found 2");
    p = write_tmp("bad2.csv", "1,2,3\n\n4,5,6,7\n");
    CHECK_ERR(dl4c_csv_load(p, NULL, &ds), DL4C_FORMAT,
              "bad2.csv:3: expected 3 columns, found 4");
    /* a file cut in the middle of its last row */
    p = write_tmp("cut.csv", "5.1,3.5,1.4,0.2,0\n4.9,3.0,1.");
    dl4c_csv_options o = iris_options();
    CHECK_ERR(dl4c_csv_load(p, &o, &ds), DL4C_FORMAT,
              "cut.csv:2: expected 5 columns, found 3");
    CHECK(ds == NULL);
}

static void test_quote_errors(void)
{
    dl4c_dataset *ds = NULL;
    const char *p = write_tmp("open.csv", "1,2\n3,\"4\n5,6\n");
    CHECK_ERR(dl4c_csv_load(p, NULL, &ds), DL4C_FORMAT,
              "open.csv:2: column 2: quoted field never closed");
    p = write_tmp("after.csv", "1,\"2\"x\n");
    CHECK_ERR(dl4c_csv_load(p, NULL, &ds), DL4C_FORMAT,
              "after.csv:1: column 2: text after the closing quote");
    CHECK(ds == NULL);
}

static void test_empty_and_missing(void)
{
    dl4c_dataset *ds = NULL;
    CHECK_ERR(dl4c_csv_load(write_tmp("empty.csv", ""), NULL, &ds), DL4C_FORMAT,
              "empty.csv: empty file (no data rows)");
    CHECK_ERR(dl4c_csv_load(write_tmp("blank.csv", "\n\r\n  \n"), NULL, &ds),
              DL4C_FORMAT, "empty file");
    dl4c_csv_options o = dl4c_csv_options_default();
    o.skip_lines = 1;
    CHECK_ERR(dl4c_csv_load(write_tmp("header.csv", "a,b\n"), &o, &ds),
              DL4C_FORMAT, "header.csv: no data rows after the 1 skipped");
    CHECK_ERR(dl4c_csv_load("/nonexistent/iris.csv", NULL, &ds), DL4C_IO,
              "/nonexistent/iris.csv: cannot open");
    CHECK(ds == NULL);
}

static void test_bad_options(void)
{
    const char *p = write_tmp("opt.csv", "1,2,3\n");
    dl4c_dataset *ds = NULL;
    dl4c_csv_options o = dl4c_csv_options_default();
    o.label_from = 3;
    CHECK_ERR(dl4c_csv_load(p, &o, &ds), DL4C_INVALID_ARG,
              "label columns 3..3 (0-based) outside the 3 columns");
    o = dl4c_csv_options_default();
    o.label_from = 0;
    o.label_to = 2;
    CHECK_ERR(dl4c_csv_load(p, &o, &ds), DL4C_INVALID_ARG, "no features left");
    o.num_classes = 3;
    CHECK_ERR(dl4c_csv_load(p, &o, &ds), DL4C_INVALID_ARG,
              "a class label is one column");
    o = dl4c_csv_options_default();
    o.num_classes = 2;
    CHECK_ERR(dl4c_csv_load(p, &o, &ds), DL4C_INVALID_ARG,
              "num_classes 2 without a label column");
    o = dl4c_csv_options_default();
    o.delimiter = '"';
    CHECK_ERR(dl4c_csv_load(p, &o, &ds), DL4C_INVALID_ARG,
              "quote and delimiter");
    CHECK_ERR(dl4c_csv_load(NULL, NULL, &ds), DL4C_INVALID_ARG, "NULL");
    CHECK(ds == NULL);
}

/* every allocation failure gives DL4C_NOMEM, no output and no leak */
static void test_out_of_memory(void)
{
    const char *p = write_tmp("oom.csv", "1,\"x\",b\n2,3,a\n");
    dl4c_csv_options o = dl4c_csv_options_default();
    o.label_from = 2;
    o.num_classes = 2;
    dl4c_status st = DL4C_NOMEM;
    for (fail_at = 0; fail_at < 200 && st != DL4C_OK; fail_at++) {
        dl4c_dataset *ds = NULL;
        n_allocs = 0;
        dl4c_set_allocator(&failing);
        /* column 2 is not numeric: fails after all allocations; then a
         * good file */
        st = dl4c_csv_load(p, &o, &ds);
        dl4c_set_allocator(NULL);
        CHECK_MSG(st == DL4C_NOMEM || st == DL4C_FORMAT, "%s",
                  dl4c_last_error());
        CHECK(ds == NULL);
        if (st == DL4C_FORMAT)
            break;
    }
    p = write_tmp("oom2.csv", "1,\"2\",b\n2,3,a\n");
    st = DL4C_NOMEM;
    for (fail_at = 0; fail_at < 200 && st != DL4C_OK; fail_at++) {
        dl4c_dataset *ds = NULL;
        n_allocs = 0;
        dl4c_set_allocator(&failing);
        st = dl4c_csv_load(p, &o, &ds);
        dl4c_set_allocator(NULL);
        CHECK_MSG(st == DL4C_NOMEM || st == DL4C_OK, "%s", dl4c_last_error());
        CHECK((st == DL4C_OK) == (ds != NULL));
        if (ds)
            CHECK(!strcmp(dl4c_dataset_class_name(ds, 1), "b"));
        dl4c_dataset_free(ds);
    }
    CHECK(st == DL4C_OK);
}

TEST_MAIN(test_defaults, test_iris, test_quotes_crlf_names, test_quoted_newline,
          test_delimiter_regression, test_given_class_names, test_stream,
          test_locale_independent, test_gzip_csv, test_gzip_digits,
          test_not_a_number, test_label_out_of_range, test_wrong_column_count,
          test_quote_errors, test_empty_and_missing, test_bad_options,
          test_out_of_memory)
