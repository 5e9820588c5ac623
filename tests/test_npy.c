// labels: unit badinput
/* The .npy reader and writer: files written by numpy.save
 * (tests/fixtures/keras/make_npy.py) in every supported element type and
 * order, a byte-exact round trip, and bad inputs. */
#include <math.h>

#include "test.h"

static const char *fixture(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "tests/fixtures/keras/npy/%s", name);
    return test_source_path(buf);
}

static const double expect_2x3[6] = {-0.5, -0.25, 0.0, 0.25, 0.5, 0.75};

static void check_2x3(const char *name, dl4c_dtype dtype)
{
    dl4c_tensor *t = NULL;
    CHECK_OK(dl4c_npy_load(fixture(name), dtype, &t));
    if (!t)
        return;
    CHECK(dl4c_tensor_dtype(t) == dtype);
    CHECK(dl4c_tensor_ndim(t) == 2);
    CHECK(dl4c_tensor_dim(t, 0) == 2 && dl4c_tensor_dim(t, 1) == 3);
    for (int i = 0; i < 6; i++)
        CHECK_NEAR(dl4c_tensor_get(t, i), expect_2x3[i], 0);
    dl4c_tensor_free(t);
}

static void test_float_files(void)
{
    check_2x3("f4_2x3.npy", DL4C_F32);
    check_2x3("f4_2x3.npy", DL4C_F64);
    check_2x3("f8_fortran_2x3.npy", DL4C_F32);
    check_2x3("be_f4_2x3.npy", DL4C_F32);
    check_2x3("f2_2x3.npy", DL4C_F32);
    check_2x3("v2_f4_2x3.npy", DL4C_F32);
}

static void test_fortran_3d(void)
{
    dl4c_tensor *t = NULL;
    REQUIRE_OK(dl4c_npy_load(fixture("f4_2x3x4_fortran.npy"), DL4C_F32, &t));
    CHECK(dl4c_tensor_ndim(t) == 3 && dl4c_tensor_dim(t, 2) == 4);
    for (int i = 0; i < 24; i++)
        CHECK_NEAR(dl4c_tensor_get(t, i), i, 0);
    dl4c_tensor_free(t);
}

static void test_integer_files(void)
{
    dl4c_tensor *t = NULL;
    REQUIRE_OK(dl4c_npy_load(fixture("i8_2x3.npy"), DL4C_F64, &t));
    CHECK_NEAR(dl4c_tensor_get(t, 0), -3, 0);
    CHECK_NEAR(dl4c_tensor_get(t, 5), 1099511627776.0, 0);
    dl4c_tensor_free(t);
    REQUIRE_OK(dl4c_npy_load(fixture("i1_3.npy"), DL4C_F32, &t));
    CHECK_NEAR(dl4c_tensor_get(t, 0), -128, 0);
    CHECK_NEAR(dl4c_tensor_get(t, 2), 127, 0);
    dl4c_tensor_free(t);
    REQUIRE_OK(dl4c_npy_load(fixture("u1_3.npy"), DL4C_F32, &t));
    CHECK_NEAR(dl4c_tensor_get(t, 1), 128, 0);
    CHECK_NEAR(dl4c_tensor_get(t, 2), 255, 0);
    dl4c_tensor_free(t);
    REQUIRE_OK(dl4c_npy_load(fixture("b1_3.npy"), DL4C_F32, &t));
    CHECK(dl4c_tensor_get(t, 0) == 1 && dl4c_tensor_get(t, 1) == 0);
    dl4c_tensor_free(t);
}

static void test_scalar_and_nan(void)
{
    dl4c_tensor *t = NULL;
    REQUIRE_OK(dl4c_npy_load(fixture("scalar.npy"), DL4C_F32, &t));
    CHECK(dl4c_tensor_ndim(t) == 0 && dl4c_tensor_size(t) == 1);
    CHECK_NEAR(dl4c_tensor_get(t, 0), 2.5, 0);
    dl4c_tensor_free(t);
    /* NaN and infinity are data: they are kept */
    REQUIRE_OK(dl4c_npy_load(fixture("nan_2.npy"), DL4C_F32, &t));
    CHECK(isnan(dl4c_tensor_get(t, 0)));
    CHECK(isinf(dl4c_tensor_get(t, 1)));
    dl4c_tensor_free(t);
}

/* What dl4c writes is byte for byte what numpy.save writes. */
static void test_write_matches_numpy(void)
{
    dl4c_tensor *t = NULL, *back = NULL;
    REQUIRE_OK(dl4c_npy_load(fixture("f4_2x3.npy"), DL4C_F32, &t));
    char path[512];
    snprintf(path, sizeof path, "%s/out.npy", test_tmpdir());
    CHECK_OK(dl4c_npy_save(t, path));
    size_t a_len = 0, b_len = 0;
    char *a = test_read_file(path, &a_len);
    char *b = test_read_file(fixture("f4_2x3.npy"), &b_len);
    CHECK(a && b && a_len == b_len && memcmp(a, b, a_len) == 0);
    free(a);
    free(b);
    /* float64, 1-d and 0-d round trips */
    int64_t dims[1] = {5};
    dl4c_tensor *d = NULL, *s = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 1, dims, &d));
    for (int i = 0; i < 5; i++)
        dl4c_tensor_set(d, i, 1.0 / (i + 1));
    CHECK_OK(dl4c_npy_save(d, path));
    CHECK_OK(dl4c_npy_load(path, DL4C_F64, &back));
    CHECK(back && dl4c_tensor_allclose(back, d, 0, 0));
    dl4c_tensor_free(back);
    back = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 0, dims, &s));
    dl4c_tensor_set(s, 0, -7);
    CHECK_OK(dl4c_npy_save(s, path));
    CHECK_OK(dl4c_npy_load(path, DL4C_F32, &back));
    CHECK(back && dl4c_tensor_ndim(back) == 0 &&
          dl4c_tensor_get(back, 0) == -7);
    dl4c_tensor_free(back);
    dl4c_tensor_free(s);
    dl4c_tensor_free(d);
    dl4c_tensor_free(t);
}

/* A v1 file from a header dict and `data` bytes of payload (zeros). */
static size_t make(unsigned char *buf, const char *dict, size_t data)
{
    size_t n = strlen(dict);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)((n + 1) & 0xff);
    buf[9] = (unsigned char)((n + 1) >> 8);
    memcpy(buf + 10, dict, n);
    buf[10 + n] = '\n';
    memset(buf + 11 + n, 0, data);
    return 11 + n + data;
}

static void test_bad_input(void)
{
    unsigned char buf[4096];
    dl4c_tensor *t = NULL;
    const char *f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, "
                     "3), }";
    size_t n = make(buf, f4, 24);
    CHECK_OK(dl4c_npy_parse(buf, n, DL4C_F32, &t));
    dl4c_tensor_free(t);
    t = NULL;
    /* truncated data, truncated header, trailing bytes */
    CHECK_ERR(dl4c_npy_parse(buf, n - 1, DL4C_F32, &t), DL4C_FORMAT,
              "truncated: the header's shape [2, 3] needs 24 bytes");
    CHECK_ERR(dl4c_npy_parse(buf, 30, DL4C_F32, &t), DL4C_FORMAT,
              "truncated header");
    CHECK_ERR(dl4c_npy_parse(buf, 5, DL4C_F32, &t), DL4C_FORMAT,
              "not a .npy file");
    n = make(buf, f4, 25);
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_FORMAT,
              "trailing bytes");
    /* wrong magic */
    n = make(buf, f4, 24);
    buf[1] = 'X';
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_FORMAT, "magic");
    /* unsupported version */
    n = make(buf, f4, 24);
    buf[6] = 9;
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_UNSUPPORTED,
              "version 9");
    /* absurd dimensions: overflow, and a size the file cannot back */
    n = make(buf,
             "{'descr': '<f8', 'fortran_order': False, 'shape': "
             "(4611686018427387904, 4), }",
             0);
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_FORMAT, "overflow");
    n = make(buf,
             "{'descr': '<f4', 'fortran_order': False, 'shape': "
             "(100000000000,), }",
             8);
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_FORMAT, "truncated");
    n = make(buf,
             "{'descr': '<f4', 'fortran_order': False, 'shape': "
             "(99999999999999999999999,), }",
             8);
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_FORMAT, "too large");
    /* NaN where a dimension belongs */
    n = make(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (nan,), }",
             4);
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_FORMAT,
              "non-negative integers");
    /* zero-length dims, too many dims, odd types */
    n = make(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }",
             0);
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_UNSUPPORTED,
              "length 0");
    n = make(buf,
             "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, "
             "1, 1, 1, 1, 1, 1), }",
             4);
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_UNSUPPORTED,
              "more than 8 dims");
    n = make(buf, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }",
             8);
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_UNSUPPORTED, "'<c8'");
    n = make(buf,
             "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': "
             "(1,), }",
             4);
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_UNSUPPORTED,
              "structured");
    n = make(buf, "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
             8);
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_UNSUPPORTED, "'|O'");
    /* malformed dicts */
    n = make(buf, "{'descr': '<f4', 'shape': (1,), }", 4);
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_FORMAT, "lacks");
    n = make(buf, "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}", 4);
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_FORMAT,
              "fortran_order");
    n = make(buf, "['descr']", 4);
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_FORMAT, "not a dict");
    /* a header length past the end of the buffer */
    n = make(buf, f4, 24);
    buf[8] = 0xff;
    buf[9] = 0xff;
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_F32, &t), DL4C_FORMAT,
              "truncated header");
    CHECK(t == NULL);
    /* files */
    CHECK_ERR(dl4c_npy_load("/nonexistent/x.npy", DL4C_F32, &t), DL4C_IO,
              "/nonexistent/x.npy");
    CHECK_ERR(dl4c_npy_load(test_source_path("data/iris.csv"), DL4C_F32, &t),
              DL4C_FORMAT, "iris.csv: not a .npy file");
    CHECK_ERR(dl4c_npy_parse(buf, n, DL4C_DTYPE_COUNT, &t), DL4C_INVALID_ARG,
              "dtype");
    CHECK_ERR(dl4c_npy_save(NULL, "x"), DL4C_INVALID_ARG, "NULL");
    int64_t one[1] = {1};
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 1, one, &t));
    CHECK_ERR(dl4c_npy_save(t, "/nonexistent/dir/x.npy"), DL4C_IO,
              "/nonexistent/dir/x.npy");
    dl4c_tensor_free(t);
}

TEST_MAIN(test_float_files, test_fortran_3d, test_integer_files,
          test_scalar_and_nan, test_write_matches_numpy, test_bad_input)
