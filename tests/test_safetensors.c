// labels: unit badinput
/* safetensors files: round trips, byte-exact output, files written by other
 * tools (every supported dtype), the checksum, every validation error, the
 * atomic save and the out-of-memory paths. */
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "dl4c/safetensors.h"
#include "io/io_internal.h"
#include "test.h"

/* ---- helpers ---------------------------------------------------------- */

static const char *tmp_path(const char *name)
{
    static char path[4][1024];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", test_tmpdir(), name);
    return p;
}

/* A file image: 8-byte length, `json` verbatim, then `data`. */
static unsigned char *image(const char *json, const void *data, size_t dlen,
                            size_t *len)
{
    size_t jlen = strlen(json);
    *len = 8 + jlen + dlen;
    unsigned char *b = malloc(*len);
    dl4c_store_le64(b, jlen);
    memcpy(b + 8, json, jlen);
    if (dlen)
        memcpy(b + 8 + jlen, data, dlen);
    return b;
}

/* Parses an image as "bad.safetensors"; frees what it loaded. */
static dl4c_status parse_image(const char *json, const void *data, size_t dlen)
{
    size_t len = 0;
    unsigned char *b = image(json, data, dlen, &len);
    dl4c_safetensors *f = NULL;
    dl4c_status st = dl4c_safetensors_parse(b, len, "bad.safetensors", &f);
    if (st != DL4C_OK && f)
        st = DL4C_INTERNAL; /* out must be NULL on failure */
    dl4c_safetensors_free(f);
    free(b);
    return st;
}

static dl4c_status parse_bytes(const unsigned char *b, size_t len)
{
    dl4c_safetensors *f = NULL;
    dl4c_status st = dl4c_safetensors_parse(b, len, "model.dl4c", &f);
    dl4c_safetensors_free(f);
    return st;
}

/* Builds a header and data buffer the way another tool would. */
typedef struct builder {
    char json[8192];
    size_t jlen;
    unsigned char data[4096];
    size_t dlen;
} builder;

static void add_raw(builder *b, const char *name, const char *dtype,
                    const char *shape, const void *bytes, size_t n)
{
    b->jlen += (size_t)snprintf(
        b->json + b->jlen, sizeof b->json - b->jlen,
        "%s\n  \"%s\": {\"dtype\": \"%s\", \"shape\": %s, "
        "\"data_offsets\": [%zu, %zu]}",
        b->jlen ? "," : "{", name, dtype, shape, b->dlen, b->dlen + n);
    memcpy(b->data + b->dlen, bytes, n);
    b->dlen += n;
}

static dl4c_safetensors *load_builder(builder *b, const char *tail)
{
    char json[9000];
    snprintf(json, sizeof json, "%s%s\n}", b->json, tail);
    size_t len = 0;
    unsigned char *img = image(json, b->data, b->dlen, &len);
    dl4c_safetensors *f = NULL;
    dl4c_status st = dl4c_safetensors_parse(img, len, "other.safetensors", &f);
    if (st != DL4C_OK)
        fprintf(stderr, "parse failed: %s\n", dl4c_last_error());
    free(img);
    return f;
}

static dl4c_tensor *make_tensor(dl4c_dtype dtype, int ndim,
                                const int64_t *shape, double seed)
{
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(dtype, ndim, shape, &t) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; i < dl4c_tensor_size(t); i++)
        dl4c_tensor_set(t, i, sin(seed + (double)i) * 100.0);
    return t;
}

static int same_bits(const dl4c_tensor *a, const dl4c_tensor *b)
{
    dl4c_shape sa = dl4c_tensor_shape(a), sb = dl4c_tensor_shape(b);
    if (dl4c_tensor_dtype(a) != dl4c_tensor_dtype(b) || sa.ndim != sb.ndim)
        return 0;
    for (int i = 0; i < sa.ndim; i++)
        if (sa.dim[i] != sb.dim[i])
            return 0;
    return !memcmp(dl4c_tensor_data(a), dl4c_tensor_data(b),
                   (size_t)dl4c_tensor_size(a) *
                       dl4c_dtype_size(dl4c_tensor_dtype(a)));
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* Saves tensors "w" (F32 [2, 3]) and "b" (F64 [3]) with metadata "note". */
static int save_small(const char *path)
{
    int64_t ws[2] = {2, 3}, bs[1] = {3};
    dl4c_tensor *w = make_tensor(DL4C_F32, 2, ws, 1.0);
    dl4c_tensor *b = make_tensor(DL4C_F64, 1, bs, 2.0);
    dl4c_safetensors_writer *wr = NULL;
    int ok =
        w && b && dl4c_safetensors_writer_create(&wr) == DL4C_OK &&
        dl4c_safetensors_writer_add(wr, "w", w) == DL4C_OK &&
        dl4c_safetensors_writer_add(wr, "b", b) == DL4C_OK &&
        dl4c_safetensors_writer_set_metadata(wr, "note", "hello") == DL4C_OK &&
        dl4c_safetensors_writer_save(wr, path) == DL4C_OK;
    if (!ok)
        fprintf(stderr, "save_small: %s\n", dl4c_last_error());
    dl4c_safetensors_writer_free(wr);
    dl4c_tensor_free(w);
    dl4c_tensor_free(b);
    return ok;
}

/* ---- round trips -------------------------------------------------------- */

static void test_round_trip(void)
{
    static const int64_t shapes[5][4] = {
        {0}, {5}, {2, 3}, {2, 3, 4}, {2, 1, 3, 2}};
    static const char *names[5] = {"scalar", "vec", "layer.0/kernel", "conv/w",
                                   "Z4"};
    dl4c_tensor *t[5] = {0};
    dl4c_safetensors_writer *w = NULL;
    dl4c_safetensors *f = NULL;
    const char *path = tmp_path("round.dl4c");

    REQUIRE_OK(dl4c_safetensors_writer_create(&w));
    for (int r = 0; r < 5; r++) {
        t[r] = make_tensor(r % 2 ? DL4C_F64 : DL4C_F32, r, shapes[r], r);
        REQUIRE(t[r]);
        CHECK_OK(dl4c_safetensors_writer_add(w, names[r], t[r]));
    }
    /* special values survive bit for bit */
    dl4c_tensor_set(t[2], 0, NAN);
    dl4c_tensor_set(t[2], 1, INFINITY);
    dl4c_tensor_set(t[2], 2, -0.0);
    dl4c_tensor_set(t[3], 5, -INFINITY);
    CHECK_OK(dl4c_safetensors_writer_set_metadata(w, "dl4c.config",
                                                  "{\"layers\": [1, 2]}"));
    CHECK_OK(dl4c_safetensors_writer_set_metadata(w, "unicode", "π ≈ 3.14 ✓"));
    CHECK_OK(dl4c_safetensors_writer_set_metadata(w, "empty", ""));
    CHECK_OK(dl4c_safetensors_writer_set_metadata(w, "quote", "a\"b\\c\n"));
    CHECK_OK(dl4c_safetensors_writer_save(w, path));

    CHECK_OK(dl4c_safetensors_load(path, &f));
    REQUIRE(f);
    CHECK(dl4c_safetensors_count(f) == 5);
    /* name order (strcmp): uppercase before lowercase */
    CHECK(!strcmp(dl4c_safetensors_name(f, 0), "Z4"));
    CHECK(!strcmp(dl4c_safetensors_name(f, 1), "conv/w"));
    CHECK(!strcmp(dl4c_safetensors_name(f, 4), "vec"));
    CHECK(dl4c_safetensors_name(f, 5) == NULL);
    for (int r = 0; r < 5; r++) {
        dl4c_dtype dt = dl4c_tensor_dtype(t[r]);
        dl4c_shape s;
        CHECK_OK(dl4c_safetensors_shape(f, names[r], &s));
        CHECK(s.ndim == r);
        for (int d = 0; d < r; d++)
            CHECK(s.dim[d] == shapes[r][d]);
        CHECK(!strcmp(dl4c_safetensors_stored_dtype(f, names[r]),
                      dt == DL4C_F32 ? "F32" : "F64"));
        dl4c_tensor *same = NULL, *f32 = NULL;
        CHECK_OK(dl4c_safetensors_get_as(f, names[r], dt, &same));
        CHECK(same && same_bits(same, t[r]));
        CHECK_OK(dl4c_safetensors_get(f, names[r], &f32));
        CHECK(f32 && dl4c_tensor_dtype(f32) == DL4C_F32);
        if (r == 4)
            CHECK_NEAR(dl4c_tensor_get(f32, 7), dl4c_tensor_get(t[r], 7), 1e-4);
        dl4c_tensor_free(same);
        dl4c_tensor_free(f32);
    }
    CHECK(!strcmp(dl4c_safetensors_metadata(f, "dl4c.config"),
                  "{\"layers\": [1, 2]}"));
    CHECK(!strcmp(dl4c_safetensors_metadata(f, "unicode"), "π ≈ 3.14 ✓"));
    CHECK(!strcmp(dl4c_safetensors_metadata(f, "empty"), ""));
    CHECK(!strcmp(dl4c_safetensors_metadata(f, "quote"), "a\"b\\c\n"));
    CHECK(dl4c_safetensors_metadata(f, "absent") == NULL);
    const char *crc = dl4c_safetensors_metadata(f, DL4C_SAFETENSORS_CRC_KEY);
    CHECK(crc && strlen(crc) == 8);
    CHECK(dl4c_safetensors_metadata_count(f) == 5);
    CHECK(!strcmp(dl4c_safetensors_metadata_key(f, 0), "dl4c.config"));
    CHECK(!strcmp(dl4c_safetensors_metadata_key(f, 1), "dl4c.crc32"));
    CHECK(dl4c_safetensors_metadata_key(f, 5) == NULL);
    CHECK(dl4c_safetensors_has(f, "vec") && !dl4c_safetensors_has(f, "ve"));
    CHECK(dl4c_safetensors_stored_dtype(f, "nope") == NULL);

    dl4c_tensor *missing = NULL;
    CHECK_ERR(dl4c_safetensors_get(f, "dense/kernel", &missing), DL4C_FORMAT,
              "round.dl4c: no tensor 'dense/kernel'");
    CHECK(missing == NULL);
    dl4c_safetensors_free(f);
    dl4c_safetensors_writer_free(w);
    for (int r = 0; r < 5; r++)
        dl4c_tensor_free(t[r]);
}

/* Larger than the writer's streaming chunk, and saving is deterministic. */
static void test_large_and_deterministic(void)
{
    int64_t shape[2] = {700, 1000};
    dl4c_tensor *t = make_tensor(DL4C_F32, 2, shape, 0.25);
    dl4c_safetensors_writer *w = NULL;
    dl4c_safetensors *f = NULL;
    dl4c_tensor *back = NULL;
    const char *a = tmp_path("large-a.dl4c"), *b = tmp_path("large-b.dl4c");
    REQUIRE(t);
    REQUIRE_OK(dl4c_safetensors_writer_create(&w));
    CHECK_OK(dl4c_safetensors_writer_add(w, "big", t));
    CHECK_OK(dl4c_safetensors_writer_save(w, a));
    CHECK_OK(dl4c_safetensors_writer_save(w, b));
    size_t la = 0, lb = 0;
    char *ba = test_read_file(a, &la), *bb = test_read_file(b, &lb);
    CHECK(ba && bb && la == lb && !memcmp(ba, bb, la));
    free(ba);
    free(bb);
    CHECK_OK(dl4c_safetensors_load(a, &f));
    CHECK_OK(dl4c_safetensors_get(f, "big", &back));
    CHECK(back && same_bits(back, t));
    dl4c_tensor_free(back);
    dl4c_safetensors_free(f);
    dl4c_safetensors_writer_free(w);
    dl4c_tensor_free(t);
}

/* The exact bytes of a small file, built here by hand. */
static void test_byte_exact(void)
{
    int64_t ashape[1] = {2};
    float avals[2] = {1.0f, -2.0f};
    double bval = 0.5;
    dl4c_tensor *a = NULL, *b = NULL;
    dl4c_safetensors_writer *w = NULL;
    const char *path = tmp_path("exact.dl4c");
    REQUIRE_OK(dl4c_tensor_create_from(DL4C_F32, 1, ashape, avals, &a));
    REQUIRE_OK(dl4c_tensor_create_from(DL4C_F64, 0, NULL, &bval, &b));
    REQUIRE_OK(dl4c_safetensors_writer_create(&w));
    CHECK_OK(dl4c_safetensors_writer_add(w, "b", b));
    CHECK_OK(dl4c_safetensors_writer_add(w, "a", a));
    CHECK_OK(dl4c_safetensors_writer_set_metadata(w, "k", "old"));
    CHECK_OK(dl4c_safetensors_writer_set_metadata(w, "k", "v"));
    CHECK_OK(dl4c_safetensors_writer_save(w, path));

    const char *json =
        "{\"__metadata__\":{\"dl4c.crc32\":\"00000000\",\"k\":\"v\"},"
        "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        "\"b\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[8,16]}}";
    static const unsigned char data[16] = {
        0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, /* 1.0f, -2.0f */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0x3f, /* 0.5 */
    };
    size_t jlen = strlen(json), padded = (jlen + 7) / 8 * 8;
    size_t len = 8 + padded + sizeof data;
    unsigned char *want = malloc(len);
    dl4c_store_le64(want, padded);
    memcpy(want + 8, json, jlen);
    memset(want + 8 + jlen, ' ', padded - jlen);
    memcpy(want + 8 + padded, data, sizeof data);
    uLong crc = crc32(0L, want, (uInt)len);
    char hex[9];
    snprintf(hex, sizeof hex, "%08lx", (unsigned long)crc);
    memcpy(want + 8 + strlen("{\"__metadata__\":{\"dl4c.crc32\":\""), hex, 8);

    size_t got_len = 0;
    char *got = test_read_file(path, &got_len);
    CHECK(got_len == len);
    CHECK(got && got_len == len && !memcmp(got, want, len));
    CHECK((8 + padded) % 8 == 0);
    free(got);
    free(want);
    dl4c_safetensors_writer_free(w);
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
}

/* ---- files written by other tools ---------------------------------------- */

static void test_other_dtypes(void)
{
    builder b = {0};
    unsigned char buf[64];
    /* F16: 1.5, -2.0, 65504 (max), 2^-24 (smallest subnormal), inf, -0 */
    static const uint16_t f16[6] = {0x3e00, 0xc000, 0x7bff,
                                    0x0001, 0x7c00, 0x8000};
    for (int i = 0; i < 6; i++)
        dl4c_store_le16(buf + 2 * i, f16[i]);
    add_raw(&b, "half", "F16", "[2, 3]", buf, 12);
    /* BF16: 1.5, -2.0, 3.140625 */
    static const uint16_t bf16[3] = {0x3fc0, 0xc000, 0x4049};
    for (int i = 0; i < 3; i++)
        dl4c_store_le16(buf + 2 * i, bf16[i]);
    add_raw(&b, "brain", "BF16", "[3]", buf, 6);
    dl4c_store_le32(buf, (uint32_t)-7);
    dl4c_store_le32(buf + 4, 123456);
    add_raw(&b, "i32", "I32", "[2, 1]", buf, 8);
    static const unsigned char u8[3] = {0, 7, 255};
    add_raw(&b, "u8", "U8", "[3]", u8, 3);
    static const unsigned char flags[4] = {0, 1, 1, 0};
    add_raw(&b, "mask", "BOOL", "[2, 2]", flags, 4);
    static const unsigned char i8[2] = {0x80, 0x7f};
    add_raw(&b, "i8", "I8", "[2]", i8, 2);
    dl4c_store_le16(buf, (uint16_t)-300);
    add_raw(&b, "i16", "I16", "[1]", buf, 2);
    dl4c_store_le64(buf, (uint64_t)-5000000000LL);
    add_raw(&b, "i64", "I64", "[1]", buf, 8);
    dl4c_store_le16(buf, 65535);
    dl4c_store_le32(buf + 2, 4000000000u);
    add_raw(&b, "u16", "U16", "[1]", buf, 2);
    add_raw(&b, "u32", "U32", "[1]", buf + 2, 4);
    dl4c_store_le64(buf, (uint64_t)1 << 40);
    add_raw(&b, "u64", "U64", "[]", buf, 8);
    double tenth = 0.1;
    uint64_t bits;
    memcpy(&bits, &tenth, 8);
    dl4c_store_le64(buf, bits);
    add_raw(&b, "f64", "F64", "[1]", buf, 8);
    /* F32 NaN */
    dl4c_store_le32(buf, 0x7fc00000u);
    add_raw(&b, "nan", "F32", "[1]", buf, 4);
    /* F8_E5M2: 1.0, -2.0; F8_E4M3: 1.0, 448, NaN, 2^-9 */
    static const unsigned char e5m2[2] = {0x3c, 0xc0};
    add_raw(&b, "e5m2", "F8_E5M2", "[2]", e5m2, 2);
    static const unsigned char e4m3[4] = {0x38, 0x7e, 0x7f, 0x01};
    add_raw(&b, "e4m3", "F8_E4M3", "[4]", e4m3, 4);
    /* no checksum entry: other tools' files load without one */
    dl4c_safetensors *f =
        load_builder(&b, ",\n  \"__metadata__\": {\"format\": \"pt\"}");
    REQUIRE(f);
    CHECK(dl4c_safetensors_count(f) == 15);
    CHECK(!strcmp(dl4c_safetensors_metadata(f, "format"), "pt"));
    CHECK(!strcmp(dl4c_safetensors_stored_dtype(f, "half"), "F16"));

    struct {
        const char *name;
        int64_t index;
        double want;
    } cases[] = {
        {"half", 0, 1.5},
        {"half", 1, -2.0},
        {"half", 2, 65504.0},
        {"half", 3, 5.9604644775390625e-8},
        {"half", 4, INFINITY},
        {"brain", 0, 1.5},
        {"brain", 1, -2.0},
        {"brain", 2, 3.140625},
        {"i32", 0, -7},
        {"i32", 1, 123456},
        {"u8", 0, 0},
        {"u8", 2, 255},
        {"mask", 0, 0},
        {"mask", 1, 1},
        {"mask", 2, 1},
        {"i8", 0, -128},
        {"i8", 1, 127},
        {"i16", 0, -300},
        {"i64", 0, -5000000000.0},
        {"u16", 0, 65535},
        {"u32", 0, 4000000000.0},
        {"u64", 0, 1099511627776.0},
        {"e5m2", 0, 1.0},
        {"e5m2", 1, -2.0},
        {"e4m3", 0, 1.0},
        {"e4m3", 1, 448.0},
        {"e4m3", 3, 0.001953125},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dl4c_tensor *t = NULL, *d = NULL;
        CHECK_OK(dl4c_safetensors_get(f, cases[i].name, &t));
        CHECK_OK(dl4c_safetensors_get_as(f, cases[i].name, DL4C_F64, &d));
        if (!t || !d) {
            dl4c_tensor_free(t);
            dl4c_tensor_free(d);
            continue;
        }
        CHECK(dl4c_tensor_dtype(t) == DL4C_F32);
        double got = dl4c_tensor_get(t, cases[i].index);
        double got64 = dl4c_tensor_get(d, cases[i].index);
        CHECK_MSG(got == (double)(float)cases[i].want, "%s[%lld] = %g, want %g",
                  cases[i].name, (long long)cases[i].index, got, cases[i].want);
        CHECK_MSG(got64 == cases[i].want, "%s[%lld] as f64 = %.17g",
                  cases[i].name, (long long)cases[i].index, got64);
        dl4c_tensor_free(t);
        dl4c_tensor_free(d);
    }
    dl4c_tensor *t = NULL;
    CHECK_OK(dl4c_safetensors_get(f, "half", &t));
    if (t) {
        CHECK(dl4c_tensor_ndim(t) == 2 && dl4c_tensor_dim(t, 1) == 3);
        float v = ((const float *)dl4c_tensor_data(t))[5];
        CHECK(v == 0.0f && signbit(v));
    }
    dl4c_tensor_free(t);
    t = NULL;
    CHECK_OK(dl4c_safetensors_get_as(f, "f64", DL4C_F64, &t));
    CHECK(t && dl4c_tensor_get(t, 0) == 0.1);
    dl4c_tensor_free(t);
    t = NULL;
    CHECK_OK(dl4c_safetensors_get(f, "nan", &t));
    CHECK(t && isnan(dl4c_tensor_get(t, 0)));
    dl4c_tensor_free(t);
    t = NULL;
    CHECK_OK(dl4c_safetensors_get(f, "e4m3", &t));
    CHECK(t && isnan(dl4c_tensor_get(t, 2)));
    dl4c_tensor_free(t);
    t = NULL;
    CHECK_OK(dl4c_safetensors_get(f, "u64", &t));
    CHECK(t && dl4c_tensor_ndim(t) == 0 && dl4c_tensor_size(t) == 1);
    dl4c_tensor_free(t);
    dl4c_safetensors_free(f);
}

/* Empty tensors are valid in the format but not as dl4c tensors. */
static void test_empty_tensor(void)
{
    builder b = {0};
    add_raw(&b, "none", "F32", "[0, 3]", "", 0);
    add_raw(&b, "one", "F32", "[1]", "\0\0\x80\x3f", 4);
    dl4c_safetensors *f = load_builder(&b, "");
    REQUIRE(f);
    dl4c_shape s;
    CHECK_OK(dl4c_safetensors_shape(f, "none", &s));
    CHECK(s.ndim == 2 && s.dim[0] == 0 && s.dim[1] == 3);
    dl4c_tensor *t = NULL;
    CHECK_ERR(dl4c_safetensors_get(f, "none", &t), DL4C_UNSUPPORTED,
              "tensor 'none' is empty (shape [0, 3])");
    CHECK(t == NULL);
    CHECK_OK(dl4c_safetensors_get(f, "one", &t));
    CHECK(t && dl4c_tensor_get(t, 0) == 1.0);
    dl4c_tensor_free(t);
    dl4c_safetensors_free(f);
}

static void test_read_into(void)
{
    const char *path = tmp_path("into.dl4c");
    REQUIRE(save_small(path));
    dl4c_safetensors *f = NULL;
    REQUIRE_OK(dl4c_safetensors_load(path, &f));
    int64_t good[2] = {2, 3}, bad[2] = {3, 2};
    dl4c_tensor *d64 = NULL, *wrong = NULL, *ref = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 2, good, &d64));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, bad, &wrong));
    CHECK_OK(dl4c_safetensors_read_into(f, "w", d64));
    CHECK_OK(dl4c_safetensors_get(f, "w", &ref));
    for (int i = 0; ref && i < 6; i++)
        CHECK(dl4c_tensor_get(d64, i) == dl4c_tensor_get(ref, i));
    CHECK_NEAR(dl4c_tensor_get(d64, 4), sin(5.0) * 100.0, 1e-4);
    dl4c_tensor_fill(wrong, 7.0);
    CHECK_ERR(dl4c_safetensors_read_into(f, "w", wrong), DL4C_SHAPE,
              "into.dl4c: tensor 'w' has shape [2, 3], expected [3, 2]");
    CHECK(dl4c_tensor_get(wrong, 0) == 7.0);
    CHECK_ERR(dl4c_safetensors_read_into(f, "x", wrong), DL4C_FORMAT,
              "no tensor 'x'");
    CHECK_ERR(dl4c_safetensors_read_into(f, "w", NULL), DL4C_INVALID_ARG,
              "NULL");
    dl4c_tensor_free(d64);
    dl4c_tensor_free(wrong);
    dl4c_tensor_free(ref);
    dl4c_safetensors_free(f);
}

/* ---- the checksum ---------------------------------------------------------
 */

static void test_checksum(void)
{
    const char *path = tmp_path("model.dl4c");
    REQUIRE(save_small(path));
    size_t len = 0;
    unsigned char *bytes = (unsigned char *)test_read_file(path, &len);
    REQUIRE(bytes);
    CHECK_OK(parse_bytes(bytes, len));
    size_t header = (size_t)dl4c_load_le64(bytes);
    const char *mismatch =
        "model.dl4c: checksum mismatch: the file was altered or damaged";

    /* one data byte */
    bytes[len - 3] ^= 0x01;
    CHECK_ERR(parse_bytes(bytes, len), DL4C_FORMAT, mismatch);
    bytes[len - 3] ^= 0x01;
    /* one header byte inside a metadata value: still valid JSON */
    unsigned char *h = bytes + 8;
    unsigned char *hello = NULL;
    for (size_t i = 0; i + 5 <= header; i++)
        if (!memcmp(h + i, "hello", 5))
            hello = h + i;
    REQUIRE(hello);
    hello[0] = 'j';
    CHECK_ERR(parse_bytes(bytes, len), DL4C_FORMAT, mismatch);
    hello[0] = 'h';
    /* a digit of the stored checksum */
    unsigned char *crc = NULL;
    for (size_t i = 0; i + 12 <= header; i++)
        if (!memcmp(h + i, "dl4c.crc32", 10))
            crc = h + i + 13;
    REQUIRE(crc);
    unsigned char saved = crc[0];
    crc[0] = saved == '0' ? '1' : '0';
    CHECK_ERR(parse_bytes(bytes, len), DL4C_FORMAT, mismatch);
    crc[0] = 'X';
    CHECK_ERR(parse_bytes(bytes, len), DL4C_FORMAT,
              "not 8 lower-case hex digits");
    crc[0] = saved;
    CHECK_OK(parse_bytes(bytes, len));
    /* truncated by one byte; one byte appended */
    CHECK_ERR(parse_bytes(bytes, len - 1), DL4C_FORMAT,
              "model.dl4c: truncated");
    unsigned char *longer = malloc(len + 1);
    memcpy(longer, bytes, len);
    longer[len] = 0;
    CHECK_ERR(parse_bytes(longer, len + 1), DL4C_FORMAT,
              "model.dl4c: 1 trailing byte after");
    free(longer);

    /* the same through a file on disk */
    bytes[len - 1] ^= 0x80;
    const char *bad = tmp_path("damaged.dl4c");
    FILE *fp = fopen(bad, "wb");
    REQUIRE(fp);
    fwrite(bytes, 1, len, fp);
    fclose(fp);
    dl4c_safetensors *f = NULL;
    CHECK_ERR(dl4c_safetensors_load(bad, &f), DL4C_FORMAT,
              "damaged.dl4c: checksum mismatch");
    CHECK(f == NULL);
    free(bytes);
}

/* The checksum entry must be where the writer puts it. */
static void test_checksum_form(void)
{
    static const unsigned char four[4] = {0, 0, 0x80, 0x3f};
    CHECK_ERR(parse_image("{\"__metadata__\":{\"dl4c.crc32\":\"1234\"},"
                          "\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
                          "\"data_offsets\":[0,4]}}",
                          four, 4),
              DL4C_FORMAT, "'1234', not 8 lower-case hex digits");
    /* an escaped spelling of the key cannot be located */
    CHECK_ERR(parse_image("{\"__metadata__\":{\"dl4c\\u002ecrc32\":"
                          "\"00000000\"},\"a\":{\"dtype\":\"F32\","
                          "\"shape\":[1],\"data_offsets\":[0,4]}}",
                          four, 4),
              DL4C_FORMAT, "not in the form dl4c writes");
    /* whitespace around the colon is fine (then the value is checked) */
    CHECK_ERR(parse_image("{\"__metadata__\" : {\"dl4c.crc32\" : "
                          "\"00000000\"},\"a\":{\"dtype\":\"F32\","
                          "\"shape\":[1],\"data_offsets\":[0,4]}}",
                          four, 4),
              DL4C_FORMAT, "checksum mismatch");
}

/* ---- validation -----------------------------------------------------------
 */

static void test_bad_length(void)
{
    unsigned char b[16] = {0};
    CHECK_ERR(parse_bytes(b, 0), DL4C_FORMAT, "model.dl4c: truncated: 0 bytes");
    CHECK_ERR(parse_bytes(b, 7), DL4C_FORMAT, "truncated: 7 bytes");
    dl4c_store_le64(b, 9);
    CHECK_ERR(parse_bytes(b, 16), DL4C_FORMAT,
              "truncated: header length 9 runs past the end of the file "
              "(16 bytes)");
    dl4c_store_le64(b, (uint64_t)1 << 40);
    CHECK_ERR(parse_bytes(b, 16), DL4C_FORMAT,
              "header length 1099511627776 is absurd");
    dl4c_store_le64(b, UINT64_MAX);
    CHECK_ERR(parse_bytes(b, 16), DL4C_FORMAT, "absurd");
    dl4c_store_le64(b, 0);
    CHECK_ERR(parse_bytes(b, 8), DL4C_FORMAT, "not valid JSON");
}

static void test_bad_header(void)
{
    static const unsigned char d[16] = {0};
    struct {
        const char *json;
        size_t dlen;
        dl4c_status status;
        const char *message;
    } cases[] = {
        {"{\"a\": ", 0, DL4C_FORMAT, "header is not valid JSON"},
        {"{\"a\": {}} trailing", 0, DL4C_FORMAT, "not valid JSON"},
        {"[1, 2]", 0, DL4C_FORMAT, "header is not a JSON object"},
        {"{\"a\": \"\xff\"}", 0, DL4C_FORMAT, "not valid JSON"},
        {"{\"a\": 5}", 0, DL4C_FORMAT, "tensor 'a': entry is not an object"},
        {"{\"a\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4, DL4C_FORMAT,
         "tensor 'a': missing 'dtype'"},
        {"{\"a\": {\"dtype\": 3, \"shape\": [1], \"data_offsets\": [0, 4]}}", 4,
         DL4C_FORMAT, "tensor 'a': 'dtype' is not a string"},
        {"{\"a\": {\"dtype\": \"F4\", \"shape\": [1], "
         "\"data_offsets\": [0, 4]}}",
         4, DL4C_FORMAT, "tensor 'a': unknown dtype 'F4'"},
        {"{\"a\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", 4,
         DL4C_FORMAT, "tensor 'a': missing 'shape'"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": 1, "
         "\"data_offsets\": [0, 4]}}",
         4, DL4C_FORMAT, "tensor 'a': 'shape' is not an array"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [2, -1], "
         "\"data_offsets\": [0, 4]}}",
         4, DL4C_FORMAT, "tensor 'a': shape[1] is negative (-1)"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [2.5], "
         "\"data_offsets\": [0, 4]}}",
         4, DL4C_FORMAT, "tensor 'a': shape[0] is not an integer"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [\"2\"], "
         "\"data_offsets\": [0, 4]}}",
         4, DL4C_FORMAT, "shape[0] is not an integer"},
        {"{\"a\": {\"dtype\": \"F32\", "
         "\"shape\": [4611686018427387904, 4611686018427387904], "
         "\"data_offsets\": [0, 4]}}",
         4, DL4C_FORMAT, "tensor 'a': shape is too large"},
        {"{\"a\": {\"dtype\": \"F64\", \"shape\": [2305843009213693952], "
         "\"data_offsets\": [0, 4]}}",
         4, DL4C_FORMAT, "shape is too large"},
        {"{\"a\": {\"dtype\": \"F32\", "
         "\"shape\": [99999999999999999999], \"data_offsets\": [0, 4]}}",
         4, DL4C_FORMAT, "not valid JSON"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1,1,1,1,1,1,1,1,1], "
         "\"data_offsets\": [0, 4]}}",
         4, DL4C_UNSUPPORTED, "tensor 'a': rank 9 is above dl4c's limit"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4, DL4C_FORMAT,
         "tensor 'a': missing 'data_offsets'"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1], "
         "\"data_offsets\": [4]}}",
         4, DL4C_FORMAT, "'data_offsets' is not [begin, end]"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1], "
         "\"data_offsets\": {\"0\": 4}}}",
         4, DL4C_FORMAT, "'data_offsets' is not [begin, end]"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1], "
         "\"data_offsets\": [0, \"4\"]}}",
         4, DL4C_FORMAT, "not two non-negative integers"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1], "
         "\"data_offsets\": [-4, 0]}}",
         4, DL4C_FORMAT, "not two non-negative integers"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1], "
         "\"data_offsets\": [4, 0]}}",
         4, DL4C_FORMAT, "data_offsets [4, 0] end before they begin"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [2], "
         "\"data_offsets\": [0, 4]}}",
         4, DL4C_FORMAT,
         "tensor 'a': data_offsets [0, 4] hold 4 bytes, but shape [2] of "
         "F32 needs 8"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [100], "
         "\"data_offsets\": [0, 400]}}",
         8, DL4C_FORMAT,
         "bad.safetensors: truncated: the tensors need 400 bytes of data "
         "but only 8 are present"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1], "
         "\"data_offsets\": [1000000, 1000004]}}",
         4, DL4C_FORMAT,
         "tensor 'a': data_offsets [1000000, 1000004] lie outside the data "
         "buffer (4 bytes)"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1], "
         "\"data_offsets\": [4, 8]}}",
         8, DL4C_FORMAT, "4 unused bytes in the data before tensor 'a'"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [2], "
         "\"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", "
         "\"shape\": [2], \"data_offsets\": [4, 12]}}",
         12, DL4C_FORMAT, "tensors 'a' and 'b' overlap"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1], "
         "\"data_offsets\": [0, 4]}, \"b\": {\"dtype\": \"F32\", "
         "\"shape\": [1], \"data_offsets\": [8, 12]}}",
         12, DL4C_FORMAT, "4 unused bytes in the data before tensor 'b'"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1], "
         "\"data_offsets\": [0, 4]}}",
         6, DL4C_FORMAT, "bad.safetensors: 2 trailing bytes"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [2], "
         "\"data_offsets\": [0, 8]}}",
         5, DL4C_FORMAT, "truncated"},
        {"{}", 3, DL4C_FORMAT, "3 trailing bytes"},
        {"{\"__metadata__\": {\"k\": 1}}", 0, DL4C_FORMAT,
         "bad.safetensors: metadata 'k' is not a string"},
        {"{\"__metadata__\": {\"k\": null}}", 0, DL4C_FORMAT,
         "metadata 'k' is not a string"},
        {"{\"__metadata__\": [\"k\"]}", 0, DL4C_FORMAT,
         "'__metadata__' is not an object"},
        {"{\"a\": {\"dtype\": \"F32\", \"shape\": [1], "
         "\"data_offsets\": [0, 4]}, \"a\": {\"dtype\": \"F32\", "
         "\"shape\": [1], \"data_offsets\": [0, 4]}}",
         4, DL4C_FORMAT, "duplicate"},
        {"{\"__metadata__\": {\"k\": \"1\", \"k\": \"2\"}}", 0, DL4C_FORMAT,
         "duplicate"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dl4c_clear_error();
        dl4c_status st = parse_image(cases[i].json, d, cases[i].dlen);
        CHECK_MSG(st == cases[i].status, "case %zu: %s (%s)", i,
                  dl4c_status_name(st), dl4c_last_error());
        CHECK_MSG(strstr(dl4c_last_error(), cases[i].message),
                  "case %zu: '%s' lacks '%s'", i, dl4c_last_error(),
                  cases[i].message);
    }
    /* the accepted edge: no tensors, no metadata */
    CHECK_OK(parse_image("{}", d, 0));
    CHECK_OK(parse_image("{}        ", d, 0));
}

static void test_bad_files(void)
{
    dl4c_safetensors *f = NULL;
    const char *path = tmp_path("does-not-exist.dl4c");
    CHECK_ERR(dl4c_safetensors_load(path, &f), DL4C_IO, path);
    CHECK_ERR(dl4c_safetensors_load(path, &f), DL4C_IO,
              "cannot open: No such file or directory");
    CHECK(f == NULL);
    CHECK_ERR(dl4c_safetensors_load(test_tmpdir(), &f), DL4C_IO,
              "not a regular file");
    const char *empty = test_write_file("empty.dl4c", "");
    CHECK_ERR(dl4c_safetensors_load(empty, &f), DL4C_FORMAT,
              "empty.dl4c: truncated");
    CHECK_ERR(dl4c_safetensors_load(NULL, &f), DL4C_INVALID_ARG, "NULL");
    CHECK_ERR(dl4c_safetensors_parse(NULL, 4, NULL, &f), DL4C_INVALID_ARG,
              "NULL");
    CHECK_ERR(dl4c_safetensors_parse("abc", 3, NULL, &f), DL4C_FORMAT,
              "<memory>: truncated");
}

/* ---- the writer ------------------------------------------------------------
 */

static void test_writer_errors(void)
{
    int64_t shape[1] = {2};
    dl4c_tensor *t = NULL;
    dl4c_safetensors_writer *w = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 1, shape, &t));
    REQUIRE_OK(dl4c_safetensors_writer_create(&w));
    CHECK_OK(dl4c_safetensors_writer_add(w, "x", t));
    CHECK_ERR(dl4c_safetensors_writer_add(w, "x", t), DL4C_INVALID_ARG,
              "tensor 'x' added twice");
    CHECK_ERR(dl4c_safetensors_writer_add(w, "__metadata__", t),
              DL4C_INVALID_ARG, "reserved");
    CHECK_ERR(dl4c_safetensors_writer_add(w, "bad\xff", t), DL4C_INVALID_ARG,
              "not UTF-8");
    CHECK_ERR(dl4c_safetensors_writer_add(w, "y", NULL), DL4C_INVALID_ARG,
              "NULL");
    CHECK_ERR(dl4c_safetensors_writer_set_metadata(w, "dl4c.crc32", "0"),
              DL4C_INVALID_ARG, "reserved");
    CHECK_ERR(dl4c_safetensors_writer_set_metadata(w, "k", "\xc0\x80"),
              DL4C_INVALID_ARG, "not UTF-8");
    CHECK_ERR(dl4c_safetensors_writer_set_metadata(w, "k", "\xed\xa0\x80"),
              DL4C_INVALID_ARG, "not UTF-8");
    CHECK_ERR(dl4c_safetensors_writer_set_metadata(w, NULL, "v"),
              DL4C_INVALID_ARG, "NULL");
    CHECK_ERR(dl4c_safetensors_writer_save(w, NULL), DL4C_INVALID_ARG, "NULL");
    CHECK_ERR(dl4c_safetensors_writer_create(NULL), DL4C_INVALID_ARG, "NULL");
    /* an empty writer writes a valid file */
    dl4c_safetensors_writer *empty = NULL;
    dl4c_safetensors *f = NULL;
    const char *path = tmp_path("empty-writer.dl4c");
    REQUIRE_OK(dl4c_safetensors_writer_create(&empty));
    CHECK_OK(dl4c_safetensors_writer_save(empty, path));
    CHECK_OK(dl4c_safetensors_load(path, &f));
    CHECK(f && dl4c_safetensors_count(f) == 0);
    CHECK(f && dl4c_safetensors_metadata_count(f) == 1);
    dl4c_safetensors_free(f);
    dl4c_safetensors_writer_free(empty);
    dl4c_safetensors_writer_free(w);
    dl4c_safetensors_writer_free(NULL);
    dl4c_safetensors_free(NULL);
    dl4c_tensor_free(t);
}

static void test_atomic_save(void)
{
    char dir[700];
    snprintf(dir, sizeof dir, "%s/models", test_tmpdir());
    REQUIRE(mkdir(dir, 0700) == 0);
    char path[800];
    snprintf(path, sizeof path, "%s/m.dl4c", dir);

    /* saving over an existing file replaces it */
    FILE *fp = fopen(path, "wb");
    REQUIRE(fp);
    fputs("an old file that is not safetensors at all", fp);
    fclose(fp);
    REQUIRE(save_small(path));
    dl4c_safetensors *f = NULL;
    CHECK_OK(dl4c_safetensors_load(path, &f));
    CHECK(f && dl4c_safetensors_count(f) == 2);
    dl4c_safetensors_free(f);
    /* no temporary file is left behind */
    CHECK(count_entries(dir) == 1);

    /* a directory that does not exist: DL4C_IO, nothing created */
    char missing[800];
    snprintf(missing, sizeof missing, "%s/nowhere/m.dl4c", dir);
    dl4c_safetensors_writer *w = NULL;
    REQUIRE_OK(dl4c_safetensors_writer_create(&w));
    CHECK_ERR(dl4c_safetensors_writer_save(w, missing), DL4C_IO, missing);
    CHECK_ERR(dl4c_safetensors_writer_save(w, missing), DL4C_IO,
              "No such file or directory");
    CHECK(count_entries(dir) == 1);
    struct stat st;
    CHECK(stat(missing, &st) != 0);
    dl4c_safetensors_writer_free(w);
}

/* ---- out of memory ----------------------------------------------------------
 */

static long alloc_budget = -1; /* allocations left; -1: unlimited */

static void *budget_malloc(size_t n, void *ctx)
{
    (void)ctx;
    if (alloc_budget == 0)
        return NULL;
    if (alloc_budget > 0)
        alloc_budget--;
    return malloc(n);
}

static void *budget_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (alloc_budget == 0)
        return NULL;
    if (alloc_budget > 0)
        alloc_budget--;
    return realloc(p, n);
}

static void budget_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

/* Save, load and read under an allocator that fails after `budget`
 * allocations: every step either works or says DL4C_NOMEM. Returns 1 when
 * everything worked. */
static int run_with_budget(long budget, const char *path)
{
    int64_t shape[2] = {3, 4};
    dl4c_tensor *t = NULL, *u = NULL, *back = NULL;
    dl4c_safetensors_writer *w = NULL;
    dl4c_safetensors *f = NULL;
    dl4c_status st = DL4C_OK;
    alloc_budget = budget;
    if ((st = dl4c_tensor_create(DL4C_F32, 2, shape, &t)) == DL4C_OK &&
        (st = dl4c_tensor_create(DL4C_F64, 1, shape, &u)) == DL4C_OK &&
        (st = dl4c_safetensors_writer_create(&w)) == DL4C_OK &&
        (st = dl4c_safetensors_writer_add(w, "t", t)) == DL4C_OK &&
        (st = dl4c_safetensors_writer_add(w, "u", u)) == DL4C_OK &&
        (st = dl4c_safetensors_writer_set_metadata(w, "a", "1")) == DL4C_OK &&
        (st = dl4c_safetensors_writer_set_metadata(w, "a", "2")) == DL4C_OK &&
        (st = dl4c_safetensors_writer_save(w, path)) == DL4C_OK &&
        (st = dl4c_safetensors_load(path, &f)) == DL4C_OK &&
        (st = dl4c_safetensors_get(f, "u", &back)) == DL4C_OK)
        st = dl4c_safetensors_read_into(f, "t", t);
    alloc_budget = -1;
    CHECK_MSG(st == DL4C_OK || st == DL4C_NOMEM, "budget %ld: %s: %s", budget,
              dl4c_status_name(st), dl4c_last_error());
    dl4c_tensor_free(back);
    dl4c_safetensors_free(f);
    dl4c_safetensors_writer_free(w);
    dl4c_tensor_free(u);
    dl4c_tensor_free(t);
    return st == DL4C_OK;
}

static void test_out_of_memory(void)
{
    char dir[700], path[800];
    snprintf(dir, sizeof dir, "%s/oom", test_tmpdir());
    REQUIRE(mkdir(dir, 0700) == 0);
    snprintf(path, sizeof path, "%s/m.dl4c", dir);
    dl4c_allocator a = {budget_malloc, budget_realloc, budget_free, NULL};
    dl4c_set_allocator(&a);
    int done = 0;
    for (long budget = 0; budget < 1000 && !done; budget++)
        done = run_with_budget(budget, path);
    dl4c_set_allocator(NULL);
    CHECK(done);
    /* failed saves left no temporary files */
    CHECK(count_entries(dir) == 1);
}

TEST_MAIN(test_round_trip, test_large_and_deterministic, test_byte_exact,
          test_other_dtypes, test_empty_tensor, test_read_into, test_checksum,
          test_checksum_form, test_bad_length, test_bad_header, test_bad_files,
          test_writer_errors, test_atomic_save, test_out_of_memory)
