// labels: unit badinput
/* Tensors: creation (zero-filled, from data), views and aliasing, deep
 * copies and casts, reshape, element access, comparisons, and the argument
 * checks of the public tensor API with their messages. */
#include <stdint.h>

#include "core/tensor_internal.h"
#include "test.h"

/* A tensor holding 0, 1, 2, ... of the given shape. */
static dl4c_tensor *iota(dl4c_dtype dt, int ndim, const int64_t *shape)
{
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(dt, ndim, shape, &t) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; i < dl4c_tensor_size(t); i++)
        dl4c_tensor_set(t, i, (double)i);
    return t;
}

static void test_dtype_and_shape_helpers(void)
{
    CHECK(dl4c_dtype_size(DL4C_F32) == 4);
    CHECK(dl4c_dtype_size(DL4C_F64) == 8);
    CHECK(dl4c_dtype_size(DL4C_DTYPE_COUNT) == 0);
    CHECK(strcmp(dl4c_dtype_name(DL4C_F32), "float32") == 0);
    CHECK(strcmp(dl4c_dtype_name(DL4C_F64), "float64") == 0);
    CHECK(strcmp(dl4c_dtype_name((dl4c_dtype)7), "invalid") == 0);

    dl4c_shape s = {.ndim = 3, .dim = {2, 3, 4}};
    CHECK(dl4c_shape_size(&s) == 24);
    dl4c_shape scalar = {.ndim = 0};
    CHECK(dl4c_shape_size(&scalar) == 1);
}

static void test_shape_format(void)
{
    char buf[64];
    dl4c_shape s = {.ndim = 3, .dim = {2, 3, 4}};
    CHECK(dl4c_shape_format(&s, buf, sizeof buf) == buf);
    CHECK(strcmp(buf, "[2, 3, 4]") == 0);

    dl4c_shape scalar = {.ndim = 0};
    CHECK(strcmp(dl4c_shape_format(&scalar, buf, sizeof buf), "[]") == 0);

    dl4c_shape big = {.ndim = 2, .dim = {123456789012LL, 1}};
    CHECK(strcmp(dl4c_shape_format(&big, buf, sizeof buf),
                 "[123456789012, 1]") == 0);

    /* a short buffer is truncated but always terminated */
    memset(buf, 'x', sizeof buf);
    dl4c_shape_format(&s, buf, 5);
    CHECK(strlen(buf) == 4);
    CHECK(strncmp(buf, "[2, ", 4) == 0);
    CHECK(buf[5] == 'x');
    memset(buf, 'x', sizeof buf);
    dl4c_shape_format(&s, buf, 1);
    CHECK(buf[0] == '\0');
    CHECK(buf[1] == 'x');
    /* exactly big enough: 9 characters and the NUL */
    dl4c_shape_format(&s, buf, 10);
    CHECK(strcmp(buf, "[2, 3, 4]") == 0);
    dl4c_shape_format(&s, buf, 9);
    CHECK(strcmp(buf, "[2, 3, 4") == 0);
    /* cap 0 writes nothing */
    buf[0] = 'y';
    CHECK(dl4c_shape_format(&s, buf, 0) == buf);
    CHECK(buf[0] == 'y');
}

static void test_create_zero_filled(void)
{
    for (int d = 0; d < DL4C_DTYPE_COUNT; d++) {
        dl4c_dtype dt = (dl4c_dtype)d;
        int64_t shape[3] = {2, 3, 4};
        dl4c_tensor *t = NULL;
        REQUIRE_OK(dl4c_tensor_create(dt, 3, shape, &t));
        REQUIRE(t != NULL);
        CHECK(dl4c_tensor_dtype(t) == dt);
        CHECK(dl4c_tensor_ndim(t) == 3);
        CHECK(dl4c_tensor_size(t) == 24);
        CHECK(dl4c_tensor_dim(t, 0) == 2);
        CHECK(dl4c_tensor_dim(t, 1) == 3);
        CHECK(dl4c_tensor_dim(t, 2) == 4);
        dl4c_shape s = dl4c_tensor_shape(t);
        CHECK(s.ndim == 3 && s.dim[0] == 2 && s.dim[1] == 3 && s.dim[2] == 4);
        CHECK(dl4c_tensor_data(t) != NULL);
        /* blocks are 64-byte aligned for SIMD loads */
        CHECK((uintptr_t)dl4c_tensor_data(t) % 64 == 0);
        int zeros = 0;
        for (int64_t i = 0; i < 24; i++)
            zeros += dl4c_tensor_get(t, i) == 0.0;
        CHECK(zeros == 24);
        const unsigned char *bytes = dl4c_tensor_data(t);
        size_t nonzero = 0;
        for (size_t i = 0; i < 24 * dl4c_dtype_size(dt); i++)
            nonzero += bytes[i] != 0;
        CHECK(nonzero == 0);
        dl4c_tensor_free(t);
    }
    dl4c_tensor_free(NULL);
}

static void test_create_scalar(void)
{
    dl4c_tensor *t = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 0, NULL, &t));
    CHECK(dl4c_tensor_ndim(t) == 0);
    CHECK(dl4c_tensor_size(t) == 1);
    CHECK(dl4c_tensor_get(t, 0) == 0.0);
    CHECK(dl4c_tensor_dim(t, 0) == 0);
    CHECK(dl4c_tensor_dim(t, -1) == 0);
    dl4c_tensor_set(t, 0, -7.25);
    CHECK(dl4c_tensor_get(t, 0) == -7.25);
    CHECK(*(double *)dl4c_tensor_data(t) == -7.25);
    dl4c_tensor_free(t);
}

static void test_create_from(void)
{
    float src[6] = {1.5f, -2.0f, 3.25f, 0.0f, 1e-3f, 42.0f};
    int64_t shape[2] = {2, 3};
    dl4c_tensor *t = NULL;
    REQUIRE_OK(dl4c_tensor_create_from(DL4C_F32, 2, shape, src, &t));
    const float *p = dl4c_tensor_data(t);
    CHECK(p != src);
    CHECK(memcmp(p, src, sizeof src) == 0);
    CHECK(dl4c_tensor_get(t, 2) == 3.25);
    CHECK(dl4c_tensor_get(t, 4) == (double)1e-3f);
    /* the tensor owns a copy: changing the source does not reach it */
    src[0] = 99.0f;
    CHECK(dl4c_tensor_get(t, 0) == 1.5);
    dl4c_tensor_free(t);

    double d[3] = {0.1, 0.2, 0.3};
    int64_t n = 3;
    REQUIRE_OK(dl4c_tensor_create_from(DL4C_F64, 1, &n, d, &t));
    CHECK(dl4c_tensor_get(t, 0) == 0.1);
    CHECK(dl4c_tensor_get(t, 2) == 0.3);
    dl4c_tensor_free(t);

    t = (dl4c_tensor *)&n;
    CHECK_ERR(dl4c_tensor_create_from(DL4C_F64, 1, &n, NULL, &t),
              DL4C_INVALID_ARG, "NULL");
    CHECK(t == NULL);
    t = (dl4c_tensor *)&n;
    int64_t bad = 0;
    CHECK_ERR(dl4c_tensor_create_from(DL4C_F64, 1, &bad, d, &t),
              DL4C_INVALID_ARG, "dim 0 is 0");
    CHECK(t == NULL);
}

static void test_views_alias(void)
{
    int64_t shape[2] = {4, 6};
    dl4c_tensor *base = iota(DL4C_F32, 2, shape);
    REQUIRE(base != NULL);

    int64_t vs[2] = {2, 3};
    dl4c_tensor *v = NULL;
    REQUIRE_OK(dl4c_tensor_view(base, 6, 2, vs, &v));
    CHECK(dl4c_tensor_ndim(v) == 2);
    CHECK(dl4c_tensor_size(v) == 6);
    CHECK(dl4c_tensor_dtype(v) == DL4C_F32);
    CHECK((float *)dl4c_tensor_data(v) == (float *)dl4c_tensor_data(base) + 6);
    CHECK(dl4c_tensor_get(v, 0) == 6.0);
    CHECK(dl4c_tensor_get(v, 5) == 11.0);
    CHECK(isnan(dl4c_tensor_get(v, 6)));

    /* writes through either tensor are seen by the other */
    dl4c_tensor_set(v, 1, -1.0);
    CHECK(dl4c_tensor_get(base, 7) == -1.0);
    dl4c_tensor_set(base, 11, 100.0);
    CHECK(dl4c_tensor_get(v, 5) == 100.0);
    dl4c_tensor_fill(v, 3.0);
    CHECK(dl4c_tensor_get(base, 5) == 5.0);
    CHECK(dl4c_tensor_get(base, 6) == 3.0);
    CHECK(dl4c_tensor_get(base, 11) == 3.0);
    CHECK(dl4c_tensor_get(base, 12) == 12.0);

    /* a view of a view points into the same block */
    int64_t one = 2;
    dl4c_tensor *vv = NULL;
    REQUIRE_OK(dl4c_tensor_view(v, 4, 1, &one, &vv));
    CHECK((float *)dl4c_tensor_data(vv) ==
          (float *)dl4c_tensor_data(base) + 10);
    dl4c_tensor_set(vv, 1, 8.5);
    CHECK(dl4c_tensor_get(base, 11) == 8.5);
    dl4c_tensor_free(vv);

    /* freeing a view leaves the base intact */
    dl4c_tensor_free(v);
    CHECK(dl4c_tensor_get(base, 7) == 3.0);
    CHECK(dl4c_tensor_get(base, 23) == 23.0);

    /* a view may end exactly at the end, and may reshape freely */
    int64_t tail = 5;
    REQUIRE_OK(dl4c_tensor_view(base, 19, 1, &tail, &v));
    CHECK(dl4c_tensor_get(v, 4) == 23.0);
    dl4c_tensor_free(v);
    int64_t all[3] = {2, 2, 6};
    REQUIRE_OK(dl4c_tensor_view(base, 0, 3, all, &v));
    CHECK(dl4c_tensor_data(v) == dl4c_tensor_data(base));
    CHECK(dl4c_tensor_dim(v, 2) == 6);
    dl4c_tensor_free(v);
    REQUIRE_OK(dl4c_tensor_view(base, 23, 0, NULL, &v));
    CHECK(dl4c_tensor_size(v) == 1);
    CHECK(dl4c_tensor_get(v, 0) == 23.0);
    dl4c_tensor_free(v);

    dl4c_tensor_free(base);
}

static void test_view_bounds(void)
{
    int64_t n = 24;
    dl4c_tensor *base = iota(DL4C_F64, 1, &n);
    REQUIRE(base != NULL);
    dl4c_tensor *v = (dl4c_tensor *)base;

    int64_t five = 5;
    CHECK_ERR(dl4c_tensor_view(base, 20, 1, &five, &v), DL4C_SHAPE,
              "view of 5 elements at offset 20 runs past a tensor of 24");
    CHECK(v == NULL);
    v = (dl4c_tensor *)base;
    int64_t one = 1;
    CHECK_ERR(dl4c_tensor_view(base, 24, 1, &one, &v), DL4C_SHAPE, "offset 24");
    CHECK(v == NULL);
    CHECK_ERR(dl4c_tensor_view(base, -1, 1, &one, &v), DL4C_SHAPE, "offset -1");
    int64_t too_many = 25;
    CHECK_ERR(dl4c_tensor_view(base, 0, 1, &too_many, &v), DL4C_SHAPE,
              "view of 25 elements");
    /* an offset so large that offset + size overflows */
    CHECK_ERR(dl4c_tensor_view(base, INT64_MAX, 1, &five, &v), DL4C_SHAPE,
              "runs past");
    int64_t zero = 0;
    CHECK_ERR(dl4c_tensor_view(base, 0, 1, &zero, &v), DL4C_INVALID_ARG,
              "dim 0 is 0");
    int64_t shape9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    CHECK_ERR(dl4c_tensor_view(base, 0, 9, shape9, &v), DL4C_INVALID_ARG,
              "rank 9");
    CHECK(v == NULL);
    dl4c_tensor_free(base);
}

static void test_copy_is_deep(void)
{
    int64_t shape[3] = {2, 3, 2};
    dl4c_tensor *a = iota(DL4C_F64, 3, shape);
    REQUIRE(a != NULL);
    dl4c_tensor *b = NULL;
    REQUIRE_OK(dl4c_tensor_copy(a, &b));
    CHECK(dl4c_tensor_dtype(b) == DL4C_F64);
    CHECK(dl4c_tensor_ndim(b) == 3);
    CHECK(dl4c_tensor_dim(b, 1) == 3);
    CHECK(dl4c_tensor_data(b) != dl4c_tensor_data(a));
    CHECK(dl4c_tensor_max_abs_diff(a, b) == 0.0);
    dl4c_tensor_set(b, 4, -50.0);
    CHECK(dl4c_tensor_get(a, 4) == 4.0);
    CHECK(dl4c_tensor_get(b, 4) == -50.0);

    /* a copy of a view copies only the viewed elements */
    int64_t vs = 3;
    dl4c_tensor *v = NULL, *c = NULL;
    REQUIRE_OK(dl4c_tensor_view(a, 6, 1, &vs, &v));
    REQUIRE_OK(dl4c_tensor_copy(v, &c));
    CHECK(dl4c_tensor_size(c) == 3);
    CHECK(dl4c_tensor_get(c, 0) == 6.0 && dl4c_tensor_get(c, 2) == 8.0);
    CHECK(dl4c_tensor_data(c) != dl4c_tensor_data(v));
    dl4c_tensor_free(v);
    dl4c_tensor_free(c);
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
}

static void test_cast_round_trip(void)
{
    double vals[5] = {0.5, -3.25, 1024.0, 0.1, 1e-40};
    int64_t n = 5;
    dl4c_tensor *d = NULL, *f = NULL, *back = NULL;
    REQUIRE_OK(dl4c_tensor_create_from(DL4C_F64, 1, &n, vals, &d));
    REQUIRE_OK(dl4c_tensor_cast(d, DL4C_F32, &f));
    CHECK(dl4c_tensor_dtype(f) == DL4C_F32);
    CHECK(dl4c_tensor_size(f) == 5);
    const float *pf = dl4c_tensor_data(f);
    CHECK(pf[0] == 0.5f && pf[1] == -3.25f && pf[2] == 1024.0f);
    CHECK(pf[3] == (float)0.1);
    CHECK(pf[3] != 0.1);          /* really rounded to float */
    CHECK(pf[4] == (float)1e-40); /* a float subnormal */

    REQUIRE_OK(dl4c_tensor_cast(f, DL4C_F64, &back));
    CHECK(dl4c_tensor_dtype(back) == DL4C_F64);
    const double *pb = dl4c_tensor_data(back);
    CHECK(pb[0] == 0.5 && pb[1] == -3.25 && pb[2] == 1024.0);
    CHECK(pb[3] == (double)(float)0.1);
    /* exactly representable values survive f64 -> f32 -> f64 */
    CHECK(dl4c_tensor_allclose(back, d, 0, 1e-7));
    CHECK(fabs(pb[3] - 0.1) > 0 && fabs(pb[3] - 0.1) < 2e-9);

    /* f32 -> f64 -> f32 is the identity */
    dl4c_tensor *f2 = NULL;
    REQUIRE_OK(dl4c_tensor_cast(back, DL4C_F32, &f2));
    CHECK(memcmp(dl4c_tensor_data(f2), dl4c_tensor_data(f), 5 * 4) == 0);

    /* cast to the same dtype is a deep copy */
    dl4c_tensor *same = NULL;
    REQUIRE_OK(dl4c_tensor_cast(d, DL4C_F64, &same));
    CHECK(dl4c_tensor_data(same) != dl4c_tensor_data(d));
    CHECK(memcmp(dl4c_tensor_data(same), vals, sizeof vals) == 0);

    dl4c_tensor *bad = d;
    CHECK_ERR(dl4c_tensor_cast(d, DL4C_DTYPE_COUNT, &bad), DL4C_INVALID_ARG,
              "invalid dtype 2");
    CHECK(bad == NULL);

    dl4c_tensor_free(d);
    dl4c_tensor_free(f);
    dl4c_tensor_free(back);
    dl4c_tensor_free(f2);
    dl4c_tensor_free(same);
}

static void test_reshape(void)
{
    int64_t shape[3] = {2, 3, 4};
    dl4c_tensor *t = iota(DL4C_F32, 3, shape);
    REQUIRE(t != NULL);
    void *data = dl4c_tensor_data(t);

    int64_t s1[2] = {6, -1};
    CHECK_OK(dl4c_tensor_reshape(t, 2, s1));
    CHECK(dl4c_tensor_ndim(t) == 2);
    CHECK(dl4c_tensor_dim(t, 0) == 6 && dl4c_tensor_dim(t, 1) == 4);
    CHECK(dl4c_tensor_size(t) == 24);
    CHECK(dl4c_tensor_data(t) == data);
    CHECK(dl4c_tensor_get(t, 23) == 23.0);

    int64_t s2[3] = {4, -1, 3};
    CHECK_OK(dl4c_tensor_reshape(t, 3, s2));
    CHECK(dl4c_tensor_dim(t, 1) == 2);

    int64_t s3[1] = {-1};
    CHECK_OK(dl4c_tensor_reshape(t, 1, s3));
    CHECK(dl4c_tensor_ndim(t) == 1 && dl4c_tensor_dim(t, 0) == 24);

    int64_t s4[4] = {1, 24, 1, 1};
    CHECK_OK(dl4c_tensor_reshape(t, 4, s4));
    CHECK(dl4c_tensor_dim(t, -3) == 24);

    CHECK_OK(dl4c_tensor_reshape(t, 3, shape));

    /* failures leave the shape as it was */
    int64_t e1[2] = {5, -1};
    CHECK_ERR(dl4c_tensor_reshape(t, 2, e1), DL4C_SHAPE,
              "24 elements do not divide into 5");
    int64_t e2[3] = {-1, 2, -1};
    CHECK_ERR(dl4c_tensor_reshape(t, 3, e2), DL4C_SHAPE, "more than one -1");
    int64_t e3[3] = {2, 3, 5};
    CHECK_ERR(dl4c_tensor_reshape(t, 3, e3), DL4C_SHAPE,
              "cannot reshape [2, 3, 4] to [2, 3, 5]");
    int64_t e4[2] = {0, 24};
    CHECK_ERR(dl4c_tensor_reshape(t, 2, e4), DL4C_SHAPE, "dim 0 is 0");
    int64_t e5[2] = {24, -2};
    CHECK_ERR(dl4c_tensor_reshape(t, 2, e5), DL4C_SHAPE, "dim 1 is -2");
    int64_t e6[9] = {24, 1, 1, 1, 1, 1, 1, 1, 1};
    CHECK_ERR(dl4c_tensor_reshape(t, 9, e6), DL4C_SHAPE, "rank 9");
    CHECK_ERR(dl4c_tensor_reshape(t, -1, e6), DL4C_SHAPE, "rank -1");
    /* dims whose product overflows int64 must not wrap around to 24 */
    int64_t e7[3] = {INT64_C(1) << 62, 4, 24};
    CHECK_ERR(dl4c_tensor_reshape(t, 3, e7), DL4C_SHAPE, "cannot reshape");
    int64_t e8[3] = {INT64_C(1) << 40, INT64_C(1) << 40, -1};
    CHECK_ERR(dl4c_tensor_reshape(t, 3, e8), DL4C_SHAPE, "[2, 3, 4]");
    CHECK(dl4c_tensor_ndim(t) == 3);
    CHECK(dl4c_tensor_dim(t, 0) == 2 && dl4c_tensor_dim(t, 2) == 4);

    /* reshape to a scalar works only for one element */
    CHECK_ERR(dl4c_tensor_reshape(t, 0, NULL), DL4C_SHAPE,
              "cannot reshape [2, 3, 4] to []");
    dl4c_tensor_free(t);
    int64_t one[2] = {1, 1};
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 2, one, &t));
    CHECK_OK(dl4c_tensor_reshape(t, 0, NULL));
    CHECK(dl4c_tensor_ndim(t) == 0 && dl4c_tensor_size(t) == 1);
    dl4c_tensor_free(t);
}

static void test_copy_into(void)
{
    int64_t s23[2] = {2, 3}, s6 = 6, s8 = 8;
    dl4c_tensor *a = iota(DL4C_F32, 2, s23);
    dl4c_tensor *b = NULL, *c = NULL, *d = NULL;
    REQUIRE(a != NULL);
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 1, &s6, &b));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 1, &s8, &c));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 1, &s6, &d));

    /* same count, different shape is fine: elements go in order */
    CHECK_OK(dl4c_tensor_copy_into(a, b));
    CHECK(dl4c_tensor_get(b, 0) == 0.0 && dl4c_tensor_get(b, 5) == 5.0);
    CHECK(dl4c_tensor_ndim(b) == 1);

    CHECK_ERR(dl4c_tensor_copy_into(a, c), DL4C_SHAPE,
              "copy of 6 float32 elements into 8 float32");
    CHECK(dl4c_tensor_get(c, 0) == 0.0 && dl4c_tensor_get(c, 1) == 0.0);
    CHECK_ERR(dl4c_tensor_copy_into(a, d), DL4C_SHAPE,
              "6 float32 elements into 6 float64");
    CHECK(dl4c_tensor_get(d, 5) == 0.0);

    /* overlapping views of one block copy as if through a buffer */
    int64_t four = 4;
    dl4c_tensor *lo = NULL, *hi = NULL;
    REQUIRE_OK(dl4c_tensor_view(c, 0, 1, &four, &lo));
    REQUIRE_OK(dl4c_tensor_view(c, 2, 1, &four, &hi));
    for (int i = 0; i < 8; i++)
        dl4c_tensor_set(c, i, i);
    CHECK_OK(dl4c_tensor_copy_into(lo, hi));
    double want[8] = {0, 1, 0, 1, 2, 3, 6, 7};
    int same = 0;
    for (int i = 0; i < 8; i++)
        same += dl4c_tensor_get(c, i) == want[i];
    CHECK(same == 8);
    /* copying a tensor onto itself leaves it unchanged */
    CHECK_OK(dl4c_tensor_copy_into(c, c));
    CHECK(dl4c_tensor_get(c, 3) == 1.0);

    dl4c_tensor_free(lo);
    dl4c_tensor_free(hi);
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_tensor_free(c);
    dl4c_tensor_free(d);
}

static void test_get_set_fill(void)
{
    int64_t shape[2] = {3, 5};
    dl4c_tensor *f = NULL, *d = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, shape, &f));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 2, shape, &d));

    dl4c_tensor_set(f, 7, 0.1);
    dl4c_tensor_set(d, 7, 0.1);
    CHECK(dl4c_tensor_get(f, 7) == (double)0.1f);
    CHECK(dl4c_tensor_get(d, 7) == 0.1);
    CHECK(((float *)dl4c_tensor_data(f))[7] == 0.1f);
    CHECK(((double *)dl4c_tensor_data(d))[7] == 0.1);

    /* out of range: get gives NaN, set changes nothing */
    CHECK(isnan(dl4c_tensor_get(f, -1)));
    CHECK(isnan(dl4c_tensor_get(f, 15)));
    CHECK(isnan(dl4c_tensor_get(d, INT64_MAX)));
    dl4c_tensor_set(d, 15, 9.0);
    dl4c_tensor_set(d, -1, 9.0);
    double sum = 0;
    for (int64_t i = 0; i < 15; i++)
        sum += dl4c_tensor_get(d, i);
    CHECK(sum == 0.1);

    dl4c_tensor_fill(f, 2.5);
    dl4c_tensor_fill(d, -1e300);
    int ok_f = 0, ok_d = 0;
    for (int64_t i = 0; i < 15; i++) {
        ok_f += dl4c_tensor_get(f, i) == 2.5;
        ok_d += dl4c_tensor_get(d, i) == -1e300;
    }
    CHECK(ok_f == 15 && ok_d == 15);
    dl4c_tensor_fill(f, 1e300); /* overflows float: +inf */
    CHECK(isinf(dl4c_tensor_get(f, 14)) && dl4c_tensor_get(f, 14) > 0);

    /* a fill large enough to run on several threads reaches every element */
    int64_t big = 100003;
    dl4c_tensor *b = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 1, &big, &b));
    dl4c_tensor_fill(b, 0.75);
    int64_t hits = 0;
    for (int64_t i = 0; i < big; i++)
        hits += dl4c_tensor_get(b, i) == 0.75;
    CHECK(hits == big);
    dl4c_tensor_free(b);

    dl4c_tensor_free(f);
    dl4c_tensor_free(d);
}

static void test_dim_negative_index(void)
{
    int64_t shape[3] = {2, 5, 7};
    dl4c_tensor *t = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, shape, &t));
    CHECK(dl4c_tensor_dim(t, -1) == 7);
    CHECK(dl4c_tensor_dim(t, -2) == 5);
    CHECK(dl4c_tensor_dim(t, -3) == 2);
    CHECK(dl4c_tensor_dim(t, -4) == 0);
    CHECK(dl4c_tensor_dim(t, 3) == 0);
    CHECK(dl4c_tensor_dim(t, 100) == 0);
    dl4c_tensor_free(t);
}

static void test_allclose_and_max_abs_diff(void)
{
    int64_t shape[2] = {2, 3};
    dl4c_tensor *a = iota(DL4C_F64, 2, shape);
    dl4c_tensor *b = iota(DL4C_F64, 2, shape);
    REQUIRE(a && b);
    CHECK(dl4c_tensor_allclose(a, b, 0, 0));
    CHECK(dl4c_tensor_max_abs_diff(a, b) == 0.0);

    dl4c_tensor_set(b, 4, 4.001); /* a[4] = 4 */
    CHECK_NEAR(dl4c_tensor_max_abs_diff(a, b), 0.001, 1e-12);
    CHECK_NEAR(dl4c_tensor_max_abs_diff(b, a), 0.001, 1e-12);
    CHECK(dl4c_tensor_allclose(a, b, 0, 2e-3));
    CHECK(!dl4c_tensor_allclose(a, b, 0, 5e-4));
    /* rtol is relative to b: 1e-3 / 4.001 */
    CHECK(dl4c_tensor_allclose(a, b, 3e-4, 0));
    CHECK(!dl4c_tensor_allclose(a, b, 2e-4, 0));

    dl4c_tensor_set(b, 0, -2.0);
    CHECK_NEAR(dl4c_tensor_max_abs_diff(a, b), 2.0, 0);
    CHECK(!dl4c_tensor_allclose(a, b, 0, 1.0));

    dl4c_tensor_set(b, 1, NAN);
    CHECK(isnan(dl4c_tensor_max_abs_diff(a, b)));
    CHECK(!dl4c_tensor_allclose(a, b, 1e9, 1e9));
    dl4c_tensor_set(b, 1, 1.0);
    dl4c_tensor_set(b, 5, NAN); /* NaN in the last element too */
    CHECK(isnan(dl4c_tensor_max_abs_diff(a, b)));

    /* shapes or dtypes that differ */
    int64_t other[2] = {3, 2};
    dl4c_tensor *c = iota(DL4C_F64, 2, other);
    dl4c_tensor *f = iota(DL4C_F32, 2, shape);
    REQUIRE(c && f);
    CHECK(!dl4c_tensor_allclose(a, c, 1, 1));
    CHECK(isnan(dl4c_tensor_max_abs_diff(a, c)));
    CHECK(!dl4c_tensor_allclose(a, f, 1, 1));
    CHECK(dl4c_tensor_max_abs_diff(a, f) == 0.0);

    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_tensor_free(c);
    dl4c_tensor_free(f);
}

static void test_create_invalid_args(void)
{
    dl4c_tensor *t = NULL;
    int64_t shape9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    int64_t ok[1] = {3};

    t = (dl4c_tensor *)shape9;
    CHECK_ERR(dl4c_tensor_create(DL4C_F32, 9, shape9, &t), DL4C_INVALID_ARG,
              "tensor rank 9 outside 0..8");
    CHECK(t == NULL);
    CHECK_ERR(dl4c_tensor_create(DL4C_F32, -1, shape9, &t), DL4C_INVALID_ARG,
              "rank -1");

    int64_t zero[3] = {2, 0, 3};
    t = (dl4c_tensor *)shape9;
    CHECK_ERR(dl4c_tensor_create(DL4C_F32, 3, zero, &t), DL4C_INVALID_ARG,
              "tensor dim 1 is 0, must be > 0");
    CHECK(t == NULL);
    int64_t neg[2] = {-4, 3};
    CHECK_ERR(dl4c_tensor_create(DL4C_F64, 2, neg, &t), DL4C_INVALID_ARG,
              "dim 0 is -4");

    /* sizes whose byte count overflows int64 */
    int64_t huge[2] = {INT64_C(1) << 40, INT64_C(1) << 40};
    t = (dl4c_tensor *)shape9;
    CHECK_ERR(dl4c_tensor_create(DL4C_F32, 2, huge, &t), DL4C_INVALID_ARG,
              "overflows at dim 1");
    CHECK(t == NULL);
    int64_t max1[1] = {INT64_MAX};
    CHECK_ERR(dl4c_tensor_create(DL4C_F64, 1, max1, &t), DL4C_INVALID_ARG,
              "overflows at dim 0");
    int64_t many[8] = {256, 256, 256, 256, 256, 256, 256, 256};
    CHECK_ERR(dl4c_tensor_create(DL4C_F32, 8, many, &t), DL4C_INVALID_ARG,
              "overflows");

    CHECK_ERR(dl4c_tensor_create((dl4c_dtype)5, 1, ok, &t), DL4C_INVALID_ARG,
              "invalid dtype 5");
    CHECK(t == NULL);
    CHECK_ERR(dl4c_tensor_create(DL4C_F32, 1, NULL, &t), DL4C_INVALID_ARG,
              "NULL");
    CHECK(t == NULL);

    /* the maximum rank is accepted */
    int64_t shape8[8] = {1, 2, 1, 2, 1, 2, 1, 2};
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 8, shape8, &t));
    CHECK(dl4c_tensor_size(t) == 16);
    CHECK(dl4c_tensor_dim(t, -1) == 2);
    dl4c_tensor_free(t);
}

/* The library-internal batch view that the net arena uses: [batch,
 * example shape...]. */
static void test_batch_view(void)
{
    float block[2 * 3 * 4 * 5];
    dl4c_tensor t;
    dl4c_shape s = {.ndim = 3, .dim = {3, 4, 5}};
    dl4c_tensor_init_batch_view(&t, dl4c_backend_cpu(), DL4C_F32, block, 2, &s);
    CHECK(t.ndim == 4);
    CHECK(t.shape[0] == 2 && t.shape[1] == 3 && t.shape[3] == 5);
    CHECK(t.size == 120);
    CHECK(t.data == block && t.owned == NULL);

    /* a rank-8 example: the batch dim still fits, the tail folds */
    dl4c_shape s8 = {.ndim = 8, .dim = {1, 2, 1, 2, 1, 2, 3, 5}};
    memset(&t, 0xff, sizeof t);
    dl4c_tensor_init_batch_view(&t, dl4c_backend_cpu(), DL4C_F32, block, 2,
                                &s8);
    CHECK(t.ndim == 8);
    CHECK(t.shape[0] == 2 && t.shape[1] == 1 && t.shape[6] == 2);
    CHECK(t.shape[7] == 15);
    CHECK(t.size == 2 * 8 * 15);

    /* rank 0 example: a vector of batch elements */
    dl4c_shape s0 = {.ndim = 0};
    dl4c_tensor_init_batch_view(&t, dl4c_backend_cpu(), DL4C_F64, block, 7,
                                &s0);
    CHECK(t.ndim == 1 && t.shape[0] == 7 && t.size == 7);
}

TEST_MAIN(test_dtype_and_shape_helpers, test_shape_format,
          test_create_zero_filled, test_create_scalar, test_create_from,
          test_views_alias, test_view_bounds, test_copy_is_deep,
          test_cast_round_trip, test_reshape, test_copy_into, test_get_set_fill,
          test_dim_negative_index, test_allclose_and_max_abs_diff,
          test_create_invalid_args, test_batch_view)
