// labels: unit badinput
/* IDX reader and MNIST loading: exact pixels and label counts of the
 * shipped MNIST subset (and of the full sets when ../shared is present),
 * every element type, gzip and plain files, checksum verification, and
 * malformed files with their messages. */
#include <stdint.h>
#include <sys/stat.h>
#include <zlib.h>

#include "dl4c/data.h"
#include "test.h"

static char path_buf[4096];

static const char *tmp_path(const char *name)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s", test_tmpdir(), name);
    return path_buf;
}

static const char *write_bytes(const char *name, const void *data, size_t n)
{
    const char *p = tmp_path(name);
    FILE *f = fopen(p, "wb");
    if (!f)
        return NULL;
    fwrite(data, 1, n, f);
    fclose(f);
    return p;
}

static const char *write_gz(const char *name, const void *data, size_t n)
{
    const char *p = tmp_path(name);
    gzFile g = gzopen(p, "wb");
    if (!g)
        return NULL;
    gzwrite(g, data, (unsigned)n);
    gzclose(g);
    return p;
}

static float px(const dl4c_tensor *t, int64_t rec, int r, int c)
{
    return ((const float *)dl4c_tensor_data(t))[rec * 784 + r * 28 + c];
}

static int onehot_class(const dl4c_tensor *y, int64_t i)
{
    const float *p = (const float *)dl4c_tensor_data(y) + i * 10;
    int k = -1;
    for (int c = 0; c < 10; c++) {
        if (p[c] == 1.0f && k < 0)
            k = c;
        else if (p[c] != 0.0f)
            return -1;
    }
    return k;
}

static void check_counts(const dl4c_dataset *ds, const int *expect)
{
    int counts[10] = {0};
    for (int64_t i = 0; i < dl4c_dataset_count(ds); i++) {
        int k = onehot_class(dl4c_dataset_labels(ds), i);
        REQUIRE(k >= 0);
        counts[k]++;
    }
    for (int k = 0; k < 10; k++)
        CHECK_MSG(counts[k] == expect[k], "class %d: %d, expected %d", k,
                  counts[k], expect[k]);
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

static void test_subset_raw(void)
{
    dl4c_tensor *img = NULL, *lab = NULL;
    REQUIRE_OK(dl4c_idx_load(
        test_source_path("data/mnist-small/train-images-idx3-ubyte.gz"), &img));
    CHECK(dl4c_tensor_ndim(img) == 3);
    CHECK(dl4c_tensor_dim(img, 0) == 2000 && dl4c_tensor_dim(img, 1) == 28 &&
          dl4c_tensor_dim(img, 2) == 28);
    /* record 0 (a 5), row 7: 0 x7, 49, 238, 253 ... 251, 93, 82, 82, 56, 39 */
    static const float row7[28] = {
        0,   0,   0,   0,   0,  0,  0,  49, 238, 253, 253, 253, 253, 253,
        253, 253, 253, 251, 93, 82, 82, 56, 39,  0,   0,   0,   0,   0};
    for (int c = 0; c < 28; c++)
        CHECK(px(img, 0, 7, c) == row7[c]);
    CHECK(px(img, 0, 14, 13) == 81.0f);
    CHECK(px(img, 1999, 14, 8) == 254.0f);
    double sum = 0;
    for (int i = 0; i < 784; i++)
        sum += px(img, 0, 0, i);
    CHECK(sum == 27525.0);
    REQUIRE_OK(dl4c_idx_load(
        test_source_path("data/mnist-small/train-labels-idx1-ubyte.gz"), &lab));
    CHECK(dl4c_tensor_ndim(lab) == 1 && dl4c_tensor_dim(lab, 0) == 2000);
    static const float first[10] = {5, 0, 4, 1, 9, 2, 1, 3, 1, 4};
    for (int i = 0; i < 10; i++)
        CHECK(dl4c_tensor_get(lab, i) == first[i]);
    dl4c_tensor_free(img);
    dl4c_tensor_free(lab);
}

static void test_subset_dir(void)
{
    static const int train_counts[10] = {191, 220, 198, 191, 214,
                                         180, 200, 224, 172, 210};
    static const int test_counts[10] = {42, 67, 55, 45, 55, 50, 43, 49, 40, 54};
    dl4c_dataset *ds = NULL;
    REQUIRE_OK(
        dl4c_mnist_load_dir(test_source_path("data/mnist-small"), true, &ds));
    const dl4c_tensor *x = dl4c_dataset_features(ds);
    CHECK(dl4c_tensor_ndim(x) == 4 && dl4c_tensor_dim(x, 3) == 1);
    CHECK(dl4c_tensor_dim(x, 1) == 28 && dl4c_tensor_dim(x, 2) == 28);
    CHECK(dl4c_dataset_count(ds) == 2000);
    CHECK(dl4c_dataset_num_classes(ds) == 10);
    CHECK(onehot_class(dl4c_dataset_labels(ds), 0) == 5);
    check_counts(ds, train_counts);
    dl4c_dataset_free(ds);

    REQUIRE_OK(
        dl4c_mnist_load_dir(test_source_path("data/mnist-small"), false, &ds));
    CHECK(dl4c_dataset_count(ds) == 500);
    x = dl4c_dataset_features(ds);
    CHECK(onehot_class(dl4c_dataset_labels(ds), 0) == 7);
    CHECK(px(x, 0, 13, 18) == 254.0f);
    CHECK(px(x, 499, 15, 16) == 254.0f);
    CHECK(onehot_class(dl4c_dataset_labels(ds), 499) == 6);
    check_counts(ds, test_counts);
    dl4c_dataset_free(ds);
}

static void test_full_mnist(void)
{
    const char *lab = test_shared_data("mnist/train-labels-idx1-ubyte.gz");
    if (!lab)
        TEST_SKIP("../shared MNIST not present");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", lab);
    *strrchr(dir, '/') = '\0';
    static const int train_counts[10] = {5923, 6742, 5958, 6131, 5842,
                                         5421, 5918, 6265, 5851, 5949};
    static const int test_counts[10] = {980, 1135, 1032, 1010, 982,
                                        892, 958,  1028, 974,  1009};
    dl4c_dataset *ds = NULL;
    /* the published files: verified by SHA-256 on the way */
    REQUIRE_OK(dl4c_mnist_load_dir(dir, true, &ds));
    CHECK(dl4c_dataset_count(ds) == 60000);
    check_counts(ds, train_counts);
    const dl4c_tensor *x = dl4c_dataset_features(ds);
    CHECK(px(x, 59999, 14, 14) == 97.0f);
    double sum = 0;
    for (int i = 0; i < 784; i++)
        sum += px(x, 59999, 0, i);
    CHECK(sum == 20920.0);
    dl4c_dataset_free(ds);
    REQUIRE_OK(dl4c_mnist_load_dir(dir, false, &ds));
    CHECK(dl4c_dataset_count(ds) == 10000);
    check_counts(ds, test_counts);
    dl4c_dataset_free(ds);
}

static void test_fashion_mnist(void)
{
    const char *lab =
        test_shared_data("fashion-mnist/t10k-labels-idx1-ubyte.gz");
    if (!lab)
        TEST_SKIP("../shared Fashion-MNIST not present");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", lab);
    *strrchr(dir, '/') = '\0';
    dl4c_dataset *ds = NULL;
    REQUIRE_OK(dl4c_mnist_load_dir(dir, false, &ds));
    static const int counts[10] = {1000, 1000, 1000, 1000, 1000,
                                   1000, 1000, 1000, 1000, 1000};
    check_counts(ds, counts);
    CHECK(onehot_class(dl4c_dataset_labels(ds), 0) == 9); /* ankle boot */
    double sum = 0;
    for (int i = 0; i < 784; i++)
        sum += px(dl4c_dataset_features(ds), 0, 0, i);
    CHECK(sum == 33456.0);
    dl4c_dataset_free(ds);
}

static void test_element_types(void)
{
    /* each type: header, then the values 1, -2 (or 254 for u8), 300 ... */
    static const unsigned char u8[] = {0, 0, 0x08, 1, 0, 0, 0, 3, 0, 254, 7};
    static const unsigned char i8[] = {0, 0, 0x09, 1, 0, 0, 0, 2, 0xFE, 0x7F};
    static const unsigned char i16[] = {0, 0, 0x0B, 1,    0,    0,
                                        0, 2, 0xFF, 0xFE, 0x01, 0x2C};
    static const unsigned char i32[] = {0,    0,    0x0C, 1,    0,    0,
                                        0,    2,    0xFF, 0xFE, 0xEE, 0x90,
                                        0x00, 0x01, 0x00, 0x00};
    /* f32 1.5 and -0.25 */
    static const unsigned char f32[] = {0,    0,    0x0D, 1, 0,    0,    0, 2,
                                        0x3F, 0xC0, 0,    0, 0xBE, 0x80, 0, 0};
    /* f64 3.25 */
    static const unsigned char f64[] = {0,    0,    0x0E, 1, 0, 0, 0, 1,
                                        0x40, 0x0A, 0,    0, 0, 0, 0, 0};
    struct {
        const char *name;
        const unsigned char *data;
        size_t size;
        float expect[3];
        int n;
    } cases[] = {
        {"u8.idx", u8, sizeof u8, {0, 254, 7}, 3},
        {"i8.idx", i8, sizeof i8, {-2, 127, 0}, 2},
        {"i16.idx", i16, sizeof i16, {-2, 300, 0}, 2},
        {"i32.idx", i32, sizeof i32, {-70000, 65536, 0}, 2},
        {"f32.idx", f32, sizeof f32, {1.5f, -0.25f, 0}, 2},
        {"f64.idx", f64, sizeof f64, {3.25f, 0, 0}, 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        dl4c_tensor *t = NULL;
        const char *p =
            write_bytes(cases[k].name, cases[k].data, cases[k].size);
        REQUIRE(p);
        CHECK_OK(dl4c_idx_load(p, &t));
        if (!t)
            continue;
        CHECK(dl4c_tensor_ndim(t) == 1 && dl4c_tensor_dim(t, 0) == cases[k].n);
        for (int i = 0; i < cases[k].n; i++)
            CHECK_MSG(dl4c_tensor_get(t, i) == cases[k].expect[i],
                      "%s[%d] = %g", cases[k].name, i, dl4c_tensor_get(t, i));
        dl4c_tensor_free(t);
        /* the same bytes gzip-compressed give the same tensor */
        char gzname[64];
        snprintf(gzname, sizeof gzname, "%s.gz", cases[k].name);
        p = write_gz(gzname, cases[k].data, cases[k].size);
        REQUIRE(p);
        CHECK_OK(dl4c_idx_load(p, &t));
        if (t)
            CHECK(dl4c_tensor_get(t, 0) == cases[k].expect[0]);
        dl4c_tensor_free(t);
    }
    /* rank 3, [2, 1, 2] */
    static const unsigned char r3[] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0,
                                       0, 1, 0, 0, 0, 2, 1, 2, 3, 4};
    dl4c_tensor *t = NULL;
    REQUIRE_OK(dl4c_idx_load(write_bytes("r3.idx", r3, sizeof r3), &t));
    CHECK(dl4c_tensor_ndim(t) == 3 && dl4c_tensor_dim(t, 1) == 1);
    CHECK(dl4c_tensor_get(t, 3) == 4.0f);
    dl4c_tensor_free(t);
}

/* a directory holding the shipped test files under plain (uncompressed)
 * names: both spellings load */
static void test_plain_names(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/plain", test_tmpdir());
    REQUIRE(mkdir(dir, 0777) == 0);
    const char *names[2][2] = {
        {"data/mnist-small/t10k-images-idx3-ubyte.gz",
         "t10k-images-idx3-ubyte"},
        {"data/mnist-small/t10k-labels-idx1-ubyte.gz",
         "t10k-labels.idx1-ubyte"},
    };
    for (int i = 0; i < 2; i++) {
        gzFile g = gzopen(test_source_path(names[i][0]), "rb");
        REQUIRE(g);
        static unsigned char buf[400000];
        int n = gzread(g, buf, sizeof buf);
        gzclose(g);
        REQUIRE(n > 0);
        char p[128];
        snprintf(p, sizeof p, "plain/%s", names[i][1]);
        REQUIRE(write_bytes(p, buf, (size_t)n));
    }
    dl4c_dataset *ds = NULL;
    REQUIRE_OK(dl4c_mnist_load_dir(dir, false, &ds));
    CHECK(dl4c_dataset_count(ds) == 500);
    CHECK(px(dl4c_dataset_features(ds), 0, 13, 18) == 254.0f);
    dl4c_dataset_free(ds);
    CHECK_ERR(dl4c_mnist_load_dir(dir, true, &ds), DL4C_IO,
              "no train-images-idx3-ubyte[.gz] found");
    CHECK(ds == NULL);
}

static void test_checksum_mismatch(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/corrupt", test_tmpdir());
    REQUIRE(mkdir(dir, 0777) == 0);
    /* real images, and a labels file with the published size (4542 bytes)
     * but other content */
    size_t n = 0;
    char *img = test_read_file(
        test_source_path("data/mnist-small/t10k-images-idx3-ubyte.gz"), &n);
    REQUIRE(img);
    REQUIRE(write_bytes("corrupt/t10k-images-idx3-ubyte.gz", img, n));
    free(img);
    static unsigned char junk[4542];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 7);
    REQUIRE(
        write_bytes("corrupt/t10k-labels-idx1-ubyte.gz", junk, sizeof junk));
    dl4c_dataset *ds = NULL;
    CHECK_ERR(dl4c_mnist_load_dir(dir, false, &ds), DL4C_FORMAT,
              "t10k-labels-idx1-ubyte.gz: checksum mismatch");
    CHECK_ERR(dl4c_mnist_load_dir(dir, false, &ds), DL4C_FORMAT,
              "published MNIST file");
    CHECK(ds == NULL);
}

static void test_bad_headers(void)
{
    dl4c_tensor *t = NULL;
    static const unsigned char magic[] = {1, 0, 8, 1, 0, 0, 0, 1, 5};
    CHECK_ERR(dl4c_idx_load(write_bytes("magic.idx", magic, sizeof magic), &t),
              DL4C_FORMAT, "magic.idx: not an IDX file: magic 0x01000801");
    static const unsigned char type[] = {0, 0, 0x0A, 1, 0, 0, 0, 1, 5};
    CHECK_ERR(dl4c_idx_load(write_bytes("type.idx", type, sizeof type), &t),
              DL4C_FORMAT, "unknown IDX element type 0x0a");
    static const unsigned char rank9[] = {0, 0, 8, 9, 0, 0, 0, 1};
    CHECK_ERR(dl4c_idx_load(write_bytes("rank9.idx", rank9, sizeof rank9), &t),
              DL4C_FORMAT, "IDX rank 9 outside 1..8");
    static const unsigned char rank0[] = {0, 0, 8, 0, 0, 0, 0, 1};
    CHECK_ERR(dl4c_idx_load(write_bytes("rank0.idx", rank0, sizeof rank0), &t),
              DL4C_FORMAT, "IDX rank 0 outside 1..8");
    static const unsigned char short3[] = {0, 0, 8};
    CHECK_ERR(
        dl4c_idx_load(write_bytes("short.idx", short3, sizeof short3), &t),
        DL4C_FORMAT, "short.idx: truncated IDX file: 3 bytes");
    static const unsigned char dims[] = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1};
    CHECK_ERR(dl4c_idx_load(write_bytes("dims.idx", dims, sizeof dims), &t),
              DL4C_FORMAT, "truncated IDX header: 3 dims need 12 bytes, 8");
    static const unsigned char zero[] = {0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 0};
    CHECK_ERR(dl4c_idx_load(write_bytes("zero.idx", zero, sizeof zero), &t),
              DL4C_FORMAT, "IDX dimension 1 is 0");
    CHECK(t == NULL);
}

static void test_absurd_dims(void)
{
    dl4c_tensor *t = NULL;
    /* 2^32-1 cubed: overflows */
    static const unsigned char huge[] = {0,    0,    8,    3,    0xFF, 0xFF,
                                         0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                         0xFF, 0xFF, 0xFF, 0xFF, 1};
    CHECK_ERR(dl4c_idx_load(write_bytes("huge.idx", huge, sizeof huge), &t),
              DL4C_FORMAT,
              "absurd IDX dimensions [4294967295, 4294967295, 4294967295]");
    /* a million 28x28 images claimed by a 20-byte file */
    static const unsigned char lie[] = {0, 0,  8, 3, 0, 0x0F, 0x42, 0x40, 0, 0,
                                        0, 28, 0, 0, 0, 28,   1,    2,    3, 4};
    CHECK_ERR(dl4c_idx_load(write_bytes("lie.idx", lie, sizeof lie), &t),
              DL4C_FORMAT,
              "lie.idx: IDX dimensions [1000000, 28, 28] need 784000000 data "
              "bytes but the file holds only 4");
    CHECK_ERR(dl4c_idx_load(write_gz("lie.idx.gz", lie, sizeof lie), &t),
              DL4C_FORMAT, "more than a");
    CHECK_ERR(dl4c_idx_load(write_gz("lie.idx.gz", lie, sizeof lie), &t),
              DL4C_FORMAT, "gzip file can hold (absurd dimensions)");
    CHECK(t == NULL);
}

static void test_truncated(void)
{
    dl4c_tensor *t = NULL;
    /* header says 10 bytes, 5 present */
    static const unsigned char cut[] = {0, 0, 8, 1, 0, 0, 0, 10, 1, 2, 3, 4, 5};
    CHECK_ERR(dl4c_idx_load(write_bytes("cut.idx", cut, sizeof cut), &t),
              DL4C_FORMAT, "need 10 data bytes but the file holds only 5");
    /* compressed: the short data is only found while reading */
    CHECK_ERR(dl4c_idx_load(write_gz("cut.idx.gz", cut, sizeof cut), &t),
              DL4C_FORMAT,
              "cut.idx.gz: truncated IDX file: 5 of 10 data bytes");
    /* a gzip stream cut short */
    size_t n = 0;
    char *gz = test_read_file(
        test_source_path("data/mnist-small/t10k-labels-idx1-ubyte.gz"), &n);
    REQUIRE(gz && n > 100);
    CHECK_ERR(dl4c_idx_load(write_bytes("stream_cut.gz", gz, n - 50), &t),
              DL4C_FORMAT, "stream_cut.gz: truncated gzip data");
    /* only the 8-byte gzip trailer missing */
    CHECK_ERR(dl4c_idx_load(write_bytes("trailer_cut.gz", gz, n - 8), &t),
              DL4C_FORMAT, "truncated gzip data");
    /* damaged compressed bytes */
    for (size_t i = 30; i < 60; i++)
        gz[i] = (char)(gz[i] ^ 0x5A);
    dl4c_status st = dl4c_idx_load(write_bytes("damaged.gz", gz, n), &t);
    CHECK(st == DL4C_FORMAT);
    CHECK(strstr(dl4c_last_error(), "damaged.gz: ") != NULL);
    free(gz);
    /* trailing bytes after the data */
    static const unsigned char extra[] = {0, 0, 8, 1, 0, 0, 0, 2, 1, 2, 3};
    CHECK_ERR(dl4c_idx_load(write_bytes("extra.idx", extra, sizeof extra), &t),
              DL4C_FORMAT, "unexpected data after the 2 elements");
    CHECK(t == NULL);
}

static void test_nan_element(void)
{
    dl4c_tensor *t = NULL;
    /* f32: 1.0, NaN */
    static const unsigned char nan32[] = {
        0, 0, 0x0D, 1, 0, 0, 0, 2, 0x3F, 0x80, 0, 0, 0x7F, 0xC0, 0, 0};
    CHECK_ERR(dl4c_idx_load(write_bytes("nan.idx", nan32, sizeof nan32), &t),
              DL4C_FORMAT, "nan.idx: element 1 is NaN");
    /* f64: 1e300 does not fit float32 */
    static const unsigned char big64[] = {0,    0,    0x0E, 1,    0,    0,
                                          0,    1,    0x7E, 0x37, 0xE4, 0x3C,
                                          0x88, 0x00, 0x75, 0x9C};
    CHECK_ERR(dl4c_idx_load(write_bytes("big.idx", big64, sizeof big64), &t),
              DL4C_FORMAT, "element 0 is NaN, infinite or outside the float32");
    CHECK(t == NULL);
}

static void test_missing_file(void)
{
    dl4c_tensor *t = NULL;
    CHECK_ERR(dl4c_idx_load("/nonexistent/train-images-idx3-ubyte", &t),
              DL4C_IO, "/nonexistent/train-images-idx3-ubyte: cannot open");
    dl4c_dataset *ds = NULL;
    CHECK_ERR(dl4c_mnist_load_dir("/nonexistent", true, &ds), DL4C_IO,
              "/nonexistent: no train-images-idx3-ubyte[.gz] found");
    CHECK(t == NULL && ds == NULL);
}

static void test_mnist_pair_errors(void)
{
    static const unsigned char img[] = {0, 0, 8, 3, 0, 0, 0, 2,  0,
                                        0, 0, 1, 0, 0, 0, 1, 10, 20};
    static const unsigned char lab_bad[] = {0, 0, 8, 1, 0, 0, 0, 2, 3, 10};
    static const unsigned char lab_short[] = {0, 0, 8, 1, 0, 0, 0, 1, 3};
    static const unsigned char lab_rank2[] = {0, 0, 8, 2, 0, 0, 0,
                                              2, 0, 0, 0, 1, 3, 4};
    char ip[4096];
    snprintf(ip, sizeof ip, "%s", write_bytes("img.idx", img, sizeof img));
    dl4c_dataset *ds = NULL;
    CHECK_ERR(dl4c_idx_load_mnist(
                  ip, write_bytes("lab_bad.idx", lab_bad, sizeof lab_bad), &ds),
              DL4C_FORMAT, "lab_bad.idx: record 1: label 10 outside 0..9");
    CHECK_ERR(
        dl4c_idx_load_mnist(
            ip, write_bytes("lab_short.idx", lab_short, sizeof lab_short), &ds),
        DL4C_FORMAT, "holds 2 images but");
    CHECK_ERR(
        dl4c_idx_load_mnist(
            ip, write_bytes("lab_r2.idx", lab_rank2, sizeof lab_rank2), &ds),
        DL4C_FORMAT, "expected labels of rank 1 [N], got rank 2");
    CHECK_ERR(
        dl4c_idx_load_mnist(
            write_bytes("lab_as_img.idx", lab_bad, sizeof lab_bad), ip, &ds),
        DL4C_FORMAT, "expected images of rank 3");
    CHECK(ds == NULL);
    /* a good pair: [2, 1, 1, 1] features, one-hot labels */
    static const unsigned char lab_ok[] = {0, 0, 8, 1, 0, 0, 0, 2, 3, 9};
    REQUIRE_OK(dl4c_idx_load_mnist(
        ip, write_bytes("lab_ok.idx", lab_ok, sizeof lab_ok), &ds));
    CHECK(dl4c_tensor_ndim(dl4c_dataset_features(ds)) == 4);
    CHECK(dl4c_tensor_get(dl4c_dataset_features(ds), 1) == 20.0f);
    CHECK(onehot_class(dl4c_dataset_labels(ds), 0) == 3);
    CHECK(onehot_class(dl4c_dataset_labels(ds), 1) == 9);
    dl4c_dataset_free(ds);
}

static void test_out_of_memory(void)
{
    const char *dir = test_source_path("data/mnist-small");
    dl4c_status st = DL4C_NOMEM;
    for (fail_at = 0; fail_at < 200 && st != DL4C_OK; fail_at++) {
        dl4c_dataset *ds = NULL;
        n_allocs = 0;
        dl4c_set_allocator(&failing);
        st = dl4c_mnist_load_dir(dir, false, &ds);
        dl4c_set_allocator(NULL);
        CHECK_MSG(st == DL4C_NOMEM || st == DL4C_OK, "%s", dl4c_last_error());
        CHECK((st == DL4C_OK) == (ds != NULL));
        dl4c_dataset_free(ds);
    }
    CHECK(st == DL4C_OK);
}

TEST_MAIN(test_subset_raw, test_subset_dir, test_full_mnist, test_fashion_mnist,
          test_element_types, test_plain_names, test_checksum_mismatch,
          test_bad_headers, test_absurd_dims, test_truncated, test_nan_element,
          test_missing_file, test_mnist_pair_errors, test_out_of_memory)
