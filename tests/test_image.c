// labels: unit badinput
/* Image decoding: PNG pixels equal the Fashion-MNIST IDX records they were
 * made from; JPEG decoding of the sample photos matches Python PIL's
 * (tests/fixtures/jpeg_reference.txt, written by make_jpeg_reference.py
 * with Debian's python3-pil) within 1 level per channel; PNG layouts
 * (palette, transparency, 16-bit, interlaced), PNM and BMP variants built
 * here byte by byte; resize, crop and augmentation; folders of images;
 * and damaged files with their messages. */
#include <nettle/sha2.h>
#include <png.h>
#include <stdint.h>
#include <zlib.h>

#include "dl4c/image.h"
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

static float at(const dl4c_tensor *t, int64_t i)
{
    return ((const float *)dl4c_tensor_data(t))[i];
}

/* ---- PNG against IDX ---------------------------------------------------- */

/* Record `idx` (784 bytes) of a gzip'd IDX image file. */
static bool idx_record(const char *gz, long idx, unsigned char out[784])
{
    gzFile g = gzopen(gz, "rb");
    if (!g)
        return false;
    bool ok =
        gzseek(g, 16 + idx * 784L, SEEK_SET) >= 0 && gzread(g, out, 784) == 784;
    gzclose(g);
    return ok;
}

static void check_png_folder(const char *split, const char *prefix,
                             const char *idx_file)
{
    static const char *classes[] = {
        "tshirt_top", "trouser", "pullover", "dress", "coat",
        "sandal",     "shirt",   "sneaker",  "bag",   "ankle_boot"};
    char rel[256], dir[1024], idx_rel[256];
    char idx_copy[1024];
    snprintf(idx_rel, sizeof idx_rel, "fashion-mnist/%s", idx_file);
    const char *idx_path = test_shared_data(idx_rel);
    if (!idx_path)
        TEST_SKIP("../shared/data/fashion-mnist absent");
    snprintf(idx_copy, sizeof idx_copy, "%s", idx_path);
    snprintf(rel, sizeof rel, "fashion-mnist-png/%s", split);
    const char *d = test_shared_data(rel);
    if (!d)
        TEST_SKIP("../shared/data/fashion-mnist-png absent");
    snprintf(dir, sizeof dir, "%s", d);
    int files = 0, exact = 0;
    for (int c = 0; c < 10; c++)
        for (long i = 0; i < 400; i++) {
            char p[1400];
            snprintf(p, sizeof p, "%s/%s/%s_%05ld.png", dir, classes[c], prefix,
                     i);
            FILE *f = fopen(p, "rb");
            if (!f)
                continue;
            fclose(f);
            dl4c_tensor *img = NULL;
            dl4c_image_info info;
            unsigned char rec[784];
            CHECK_OK(dl4c_image_load(p, 0, &img, &info));
            CHECK(idx_record(idx_copy, i, rec));
            files++;
            if (!img)
                continue;
            CHECK(info.format == DL4C_IMAGE_PNG && info.width == 28 &&
                  info.height == 28 && info.channels == 1 &&
                  info.bit_depth == 8);
            CHECK(dl4c_tensor_ndim(img) == 3 && dl4c_tensor_dim(img, 2) == 1);
            int same = 1;
            for (int k = 0; k < 784; k++)
                same &= at(img, k) == (float)rec[k];
            exact += same;
            dl4c_tensor_free(img);
        }
    CHECK_MSG(files == (strcmp(split, "train") ? 100 : 250),
              "%d PNG files in %s", files, split);
    CHECK_MSG(exact == files, "%d of %d PNGs equal their IDX record", exact,
              files);
}

static void test_png_equals_idx_test(void)
{
    check_png_folder("test", "t10k", "t10k-images-idx3-ubyte.gz");
}

static void test_png_equals_idx_train(void)
{
    check_png_folder("train", "train", "train-images-idx3-ubyte.gz");
}

/* ---- JPEG against PIL -----------------------------------------------------
 */

static void test_jpeg_matches_pil(void)
{
    FILE *f = fopen(test_source_path("tests/fixtures/jpeg_reference.txt"), "r");
    REQUIRE(f);
    char line[512];
    dl4c_tensor *rgb = NULL, *gray = NULL;
    int64_t w = 0;
    int images = 0, pixels = 0, worst = 0, worst_gray = 0;
    while (fgets(line, sizeof line, f)) {
        char name[64], sha[65];
        long long iw, ih, sum[3];
        int x, y, r, g, b, l;
        if (sscanf(line, "image %63s %lld %lld %64s %lld %lld %lld", name, &iw,
                   &ih, sha, &sum[0], &sum[1], &sum[2]) == 7) {
            dl4c_tensor_free(rgb);
            dl4c_tensor_free(gray);
            rgb = gray = NULL;
            char rel[128];
            snprintf(rel, sizeof rel, "sample-images/%s", name);
            const char *p = test_shared_data(rel);
            if (!p) {
                fclose(f);
                TEST_SKIP("../shared/data/sample-images absent");
            }
            char path[1024];
            snprintf(path, sizeof path, "%s", p);
            dl4c_image_info info;
            CHECK_OK(dl4c_image_load(path, 0, &rgb, &info));
            CHECK_OK(dl4c_image_load(path, 1, &gray, NULL));
            REQUIRE(rgb && gray);
            images++;
            CHECK(info.format == DL4C_IMAGE_JPEG && info.width == iw &&
                  info.height == ih && info.channels == 3);
            w = iw;
            /* whole-image comparison: the sums, and the bytes' SHA-256 */
            int64_t n = dl4c_tensor_size(rgb);
            long long mine[3] = {0, 0, 0};
            unsigned char *bytes = malloc((size_t)n);
            for (int64_t i = 0; i < n; i++) {
                bytes[i] = (unsigned char)at(rgb, i);
                mine[i % 3] += bytes[i];
            }
            for (int c = 0; c < 3; c++)
                CHECK_MSG(llabs(mine[c] - sum[c]) <= iw * ih,
                          "%s channel %d: sum %lld, PIL %lld", name, c, mine[c],
                          sum[c]);
            struct sha256_ctx ctx;
            uint8_t dig[32];
            char hex[65];
            sha256_init(&ctx);
            sha256_update(&ctx, (size_t)n, bytes);
            sha256_digest(&ctx, 32, dig);
            for (int i = 0; i < 32; i++)
                snprintf(hex + 2 * i, 3, "%02x", dig[i]);
            fprintf(stderr, "%s: %s PIL's decoded bytes\n", name,
                    strcmp(hex, sha) ? "differs from" : "identical to");
            free(bytes);
        } else if (sscanf(line, "px %d %d %d %d %d %d", &x, &y, &r, &g, &b,
                          &l) == 6 &&
                   rgb) {
            int64_t i = ((int64_t)y * w + x) * 3;
            int want[3] = {r, g, b};
            for (int c = 0; c < 3; c++) {
                int d = abs((int)at(rgb, i + c) - want[c]);
                worst = d > worst ? d : worst;
            }
            int dg = abs((int)at(gray, (int64_t)y * w + x) - l);
            worst_gray = dg > worst_gray ? dg : worst_gray;
            pixels++;
        }
    }
    fclose(f);
    dl4c_tensor_free(rgb);
    dl4c_tensor_free(gray);
    CHECK(images == 2 && pixels == 512);
    CHECK_MSG(worst <= 1, "largest difference from PIL: %d levels", worst);
    CHECK_MSG(worst_gray <= 1, "gray differs from PIL by %d", worst_gray);
}

/* ---- PNG layouts ------------------------------------------------------------
 */

typedef struct png_spec {
    int w, h, color, depth, interlace;
    const unsigned char *rows; /* packed rows as libpng takes them */
    const png_color *palette;
    int npal;
    const png_byte *trns;
    int ntrns;
} png_spec;

static const char *write_png(const char *name, const png_spec *s)
{
    const char *p = tmp_path(name);
    FILE *f = fopen(p, "wb");
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(f);
        return NULL;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)s->w, (png_uint_32)s->h, s->depth,
                 s->color, s->interlace, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (s->palette)
        png_set_PLTE(png, info, s->palette, s->npal);
    if (s->trns)
        png_set_tRNS(png, info, s->trns, s->ntrns, NULL);
    png_write_info(png, info);
    size_t stride = png_get_rowbytes(png, info);
    png_bytep rows[64];
    for (int y = 0; y < s->h; y++)
        rows[y] = (png_bytep)s->rows + (size_t)y * stride;
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(f);
    return p;
}

static void test_png_layouts(void)
{
    /* 16-bit gray, 2x2, big-endian samples */
    const unsigned char g16[] = {0x00, 0x01, 0xFF, 0xFF,
                                 0x12, 0x34, 0x80, 0x00};
    png_spec s = {
        2,    2, PNG_COLOR_TYPE_GRAY, 16, PNG_INTERLACE_NONE, g16, NULL, 0,
        NULL, 0};
    dl4c_tensor *t = NULL;
    dl4c_image_info info;
    CHECK_OK(dl4c_image_load(write_png("g16.png", &s), 0, &t, &info));
    REQUIRE(t);
    CHECK(info.bit_depth == 16 && info.channels == 1);
    CHECK(at(t, 0) == 1 && at(t, 1) == 65535 && at(t, 2) == 0x1234 &&
          at(t, 3) == 0x8000);
    dl4c_tensor_free(t);

    /* palette with transparency: RGBA */
    const png_color pal[3] = {{255, 0, 0}, {0, 255, 0}, {10, 20, 30}};
    const png_byte trns[2] = {0, 128};
    const unsigned char idx8[] = {0, 1, 2, 1};
    png_spec p = {
        2,    2, PNG_COLOR_TYPE_PALETTE, 8, PNG_INTERLACE_NONE, idx8, pal, 3,
        trns, 2};
    CHECK_OK(dl4c_image_load(write_png("pal.png", &p), 0, &t, &info));
    REQUIRE(t);
    CHECK(info.channels == 4 && dl4c_tensor_dim(t, 2) == 4);
    CHECK(at(t, 0) == 255 && at(t, 1) == 0 && at(t, 3) == 0);   /* alpha 0 */
    CHECK(at(t, 4) == 0 && at(t, 5) == 255 && at(t, 7) == 128); /* alpha 128 */
    CHECK(at(t, 8) == 10 && at(t, 9) == 20 && at(t, 11) == 255);
    dl4c_tensor_free(t);
    /* the same as RGB, and as gray (PIL's luma of (10, 20, 30) is 18) */
    CHECK_OK(dl4c_image_load(path_buf, 3, &t, NULL));
    CHECK(t && dl4c_tensor_dim(t, 2) == 3 && at(t, 6) == 10);
    dl4c_tensor_free(t);
    CHECK_OK(dl4c_image_load(path_buf, 1, &t, NULL));
    CHECK(t && at(t, 2) == 18 && at(t, 0) == 76);
    dl4c_tensor_free(t);

    /* 1-bit gray, interlaced 8x8 checkerboard */
    unsigned char bits[8];
    for (int y = 0; y < 8; y++)
        bits[y] = y % 2 ? 0x55 : 0xAA;
    png_spec b = {
        8,    8, PNG_COLOR_TYPE_GRAY, 1, PNG_INTERLACE_ADAM7, bits, NULL, 0,
        NULL, 0};
    CHECK_OK(dl4c_image_load(write_png("bits.png", &b), 0, &t, &info));
    REQUIRE(t);
    CHECK(info.channels == 1 && info.bit_depth == 8);
    int good = 1;
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 8; x++)
            good &= at(t, y * 8 + x) == (((x + y) % 2 == 0) ? 255.0f : 0.0f);
    CHECK(good);
    dl4c_tensor_free(t);

    /* gray + alpha to RGB(A) */
    const unsigned char ga[] = {100, 200, 50, 0};
    png_spec a = {
        2,    1, PNG_COLOR_TYPE_GRAY_ALPHA, 8, PNG_INTERLACE_NONE, ga, NULL, 0,
        NULL, 0};
    CHECK_OK(dl4c_image_load(write_png("ga.png", &a), 4, &t, &info));
    REQUIRE(t);
    CHECK(info.channels == 2);
    CHECK(at(t, 0) == 100 && at(t, 2) == 100 && at(t, 3) == 200 &&
          at(t, 7) == 0);
    dl4c_tensor_free(t);
    CHECK_ERR(dl4c_image_load(path_buf, 5, &t, NULL), DL4C_INVALID_ARG,
              "channels 5");
    CHECK(t == NULL);
}

/* ---- PNM and BMP ------------------------------------------------------------
 */

static void test_pnm(void)
{
    dl4c_tensor *t = NULL, *back = NULL;
    dl4c_image_info info;
    /* ASCII gray with a comment and maxval 15: scaled to 0..255 */
    CHECK_OK(dl4c_image_load(
        write_bytes("a.pgm", "P2\n# comment\n3 1\n15\n0 15 5\n", 26), 0, &t,
        &info));
    REQUIRE(t);
    CHECK(info.format == DL4C_IMAGE_PNM && info.width == 3 && info.height == 1);
    CHECK(at(t, 0) == 0 && at(t, 1) == 255 && at(t, 2) == 85);
    dl4c_tensor_free(t);
    /* bitmaps: 1 is black */
    CHECK_OK(
        dl4c_image_load(write_bytes("a.pbm", "P1 3 1 101", 10), 0, &t, NULL));
    CHECK(t && at(t, 0) == 0 && at(t, 1) == 255 && at(t, 2) == 0);
    dl4c_tensor_free(t);
    const unsigned char p4[] = {'P', '4', ' ', '9', ' ', '1', '\n', 0x80, 0x80};
    CHECK_OK(dl4c_image_load(write_bytes("b.pbm", p4, sizeof p4), 0, &t, NULL));
    CHECK(t && dl4c_tensor_dim(t, 1) == 9 && at(t, 0) == 0 && at(t, 1) == 255 &&
          at(t, 8) == 0);
    dl4c_tensor_free(t);

    /* save and reload: 8 and 16 bits, 1..4 channels */
    for (int c = 1; c <= 4; c++)
        for (int depth = 8; depth <= 16; depth += 8) {
            int64_t shape[3] = {3, 5, c};
            REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, shape, &t));
            for (int64_t i = 0; i < dl4c_tensor_size(t); i++)
                dl4c_tensor_set(t, i, (double)((i * 37) % 256));
            dl4c_tensor_set(t, 0, NAN); /* written as 0 */
            CHECK_OK(dl4c_image_save_pnm(tmp_path("rt.pnm"), t, depth));
            CHECK_OK(dl4c_image_load(tmp_path("rt.pnm"), 0, &back, &info));
            CHECK(info.channels == c && info.bit_depth == depth);
            dl4c_tensor_set(t, 0, 0);
            CHECK(back && dl4c_tensor_max_abs_diff(t, back) == 0);
            dl4c_tensor_free(t);
            dl4c_tensor_free(back);
            back = NULL;
        }
    int64_t bad_shape[2] = {3, 5};
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, bad_shape, &t));
    CHECK_ERR(dl4c_image_save_pnm(tmp_path("x.pgm"), t, 8), DL4C_SHAPE,
              "[H, W, C]");
    CHECK_ERR(dl4c_image_save_pnm(tmp_path("x.pgm"), t, 12), DL4C_INVALID_ARG,
              "bit depth 12");
    dl4c_tensor_free(t);
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/* A BMP with a 40-byte header (or 108 for V4 with masks). */
static size_t make_bmp(unsigned char *buf, int w, int h, int bits,
                       uint32_t compression, const unsigned char *palette,
                       int npal, const uint32_t *masks, bool v4,
                       const unsigned char *pixels, size_t pixel_bytes)
{
    size_t hsize = v4 ? 108 : 40;
    size_t extra = (!v4 && masks) ? 12 : 0;
    size_t offset = 14 + hsize + extra + (size_t)npal * 4;
    memset(buf, 0, offset);
    buf[0] = 'B';
    buf[1] = 'M';
    put32(buf + 2, (uint32_t)(offset + pixel_bytes));
    put32(buf + 10, (uint32_t)offset);
    put32(buf + 14, (uint32_t)hsize);
    put32(buf + 18, (uint32_t)w);
    put32(buf + 22, (uint32_t)h);
    buf[26] = 1;
    buf[28] = (unsigned char)bits;
    put32(buf + 30, compression);
    put32(buf + 46, (uint32_t)npal);
    if (masks)
        for (int i = 0; i < (v4 ? 4 : 3); i++)
            put32(buf + 14 + (v4 ? 40 : hsize) + 4 * i, masks[i]);
    if (npal)
        memcpy(buf + 14 + hsize + extra, palette, (size_t)npal * 4);
    memcpy(buf + offset, pixels, pixel_bytes);
    return offset + pixel_bytes;
}

static void test_bmp(void)
{
    unsigned char buf[1024];
    dl4c_tensor *t = NULL;
    dl4c_image_info info;
    /* 24-bit, 2x2, bottom-up rows padded to 8 bytes: BGR */
    const unsigned char px24[] = {255, 0, 0,   0, 255, 0, 0, 0,  /* bottom */
                                  0,   0, 255, 9, 9,   9, 0, 0}; /* top */
    size_t n =
        make_bmp(buf, 2, 2, 24, 0, NULL, 0, NULL, false, px24, sizeof px24);
    CHECK_OK(dl4c_image_load(write_bytes("a.bmp", buf, n), 0, &t, &info));
    REQUIRE(t);
    CHECK(info.format == DL4C_IMAGE_BMP && info.channels == 3);
    /* top-left red (stored BGR 0,0,255), bottom-left blue */
    CHECK(at(t, 0) == 255 && at(t, 1) == 0 && at(t, 2) == 0);
    CHECK(at(t, 3) == 9 && at(t, 6) == 0 && at(t, 8) == 255);
    CHECK(at(t, 9) == 0 && at(t, 10) == 255 && at(t, 11) == 0);
    dl4c_tensor_free(t);

    /* 8-bit gray palette, top-down (negative height) */
    unsigned char pal[4 * 4];
    for (int i = 0; i < 4; i++)
        pal[4 * i] = pal[4 * i + 1] = pal[4 * i + 2] = (unsigned char)(i * 80),
                pal[4 * i + 3] = 0;
    const unsigned char px8[] = {0, 1, 2, 3, 3, 2, 1, 0};
    n = make_bmp(buf, 4, 2, 8, 0, pal, 4, NULL, false, px8, sizeof px8);
    put32(buf + 22, (uint32_t)-2);
    CHECK_OK(dl4c_image_load(write_bytes("g.bmp", buf, n), 0, &t, &info));
    REQUIRE(t);
    CHECK(info.channels == 1);
    CHECK(at(t, 1) == 80 && at(t, 3) == 240 && at(t, 4) == 240);
    dl4c_tensor_free(t);
    /* a pixel outside the palette */
    unsigned char bad8[8];
    memcpy(bad8, px8, 8);
    bad8[2] = 7;
    n = make_bmp(buf, 4, 2, 8, 0, pal, 4, NULL, false, bad8, sizeof bad8);
    CHECK_ERR(dl4c_image_load(write_bytes("p.bmp", buf, n), 0, &t, NULL),
              DL4C_FORMAT, "4-color palette");

    /* 32-bit V4 with an alpha mask: RGBA */
    const uint32_t masks[4] = {0x00FF0000, 0x0000FF00, 0x000000FF, 0xFF000000};
    const unsigned char px32[] = {1, 2, 3, 4};
    n = make_bmp(buf, 1, 1, 32, 3, NULL, 0, masks, true, px32, sizeof px32);
    CHECK_OK(dl4c_image_load(write_bytes("a32.bmp", buf, n), 0, &t, &info));
    REQUIRE(t);
    CHECK(info.channels == 4);
    CHECK(at(t, 0) == 3 && at(t, 1) == 2 && at(t, 2) == 1 && at(t, 3) == 4);
    dl4c_tensor_free(t);
    /* 16-bit 5-6-5 bit fields after a 40-byte header */
    const uint32_t m565[3] = {0xF800, 0x07E0, 0x001F};
    const unsigned char px16[] = {0x1F, 0xF8, 0, 0}; /* 0xF81F: red + blue */
    n = make_bmp(buf, 1, 1, 16, 3, NULL, 0, m565, false, px16, sizeof px16);
    CHECK_OK(dl4c_image_load(write_bytes("a16.bmp", buf, n), 0, &t, &info));
    REQUIRE(t);
    CHECK(at(t, 0) == 255 && at(t, 1) == 0 && at(t, 2) == 255);
    dl4c_tensor_free(t);

    /* a 52-byte (V2) header holds RGB masks only: alpha bit fields read
     * no mask past it (this once read beyond a file that ended there) */
    n = make_bmp(buf, 1, 1, 32, 6, NULL, 0, masks, true, px32, sizeof px32);
    put32(buf + 14, 52);
    put32(buf + 10, 14 + 52);
    memmove(buf + 14 + 52, px32, sizeof px32);
    CHECK_OK(
        dl4c_image_load(write_bytes("v2.bmp", buf, 14 + 52 + 4), 0, &t, &info));
    CHECK(t && info.channels == 3 && at(t, 0) == 3 && at(t, 2) == 1);
    dl4c_tensor_free(t);
    t = NULL;
    CHECK_ERR(
        dl4c_image_load(write_bytes("v2cut.bmp", buf, 14 + 52), 0, &t, NULL),
        DL4C_FORMAT, "v2cut.bmp: BMP");

    /* bad input */
    n = make_bmp(buf, 2, 2, 24, 0, NULL, 0, NULL, false, px24, sizeof px24);
    CHECK_ERR(dl4c_image_load(write_bytes("t.bmp", buf, n - 4), 0, &t, NULL),
              DL4C_FORMAT, "t.bmp: BMP: truncated");
    n = make_bmp(buf, 2, 2, 8, 1, pal, 4, NULL, false, px8, sizeof px8);
    CHECK_ERR(dl4c_image_load(write_bytes("r.bmp", buf, n), 0, &t, NULL),
              DL4C_UNSUPPORTED, "RLE");
    n = make_bmp(buf, 2, 2, 24, 0, NULL, 0, NULL, false, px24, sizeof px24);
    put32(buf + 18, 600000);
    put32(buf + 22, 600000);
    CHECK_ERR(dl4c_image_load(write_bytes("h.bmp", buf, n), 0, &t, NULL),
              DL4C_FORMAT, "absurd image size 600000x600000");
    CHECK(t == NULL);
}

/* ---- damaged files
 * ------------------------------------------------------------ */

static unsigned char *read_all(const char *path, size_t *n)
{
    return (unsigned char *)test_read_file(path, n);
}

static void chunk(unsigned char *out, size_t *at_, const char *type,
                  const unsigned char *data, uint32_t len)
{
    unsigned char *p = out + *at_;
    p[0] = (unsigned char)(len >> 24);
    p[1] = (unsigned char)(len >> 16);
    p[2] = (unsigned char)(len >> 8);
    p[3] = (unsigned char)len;
    memcpy(p + 4, type, 4);
    if (len)
        memcpy(p + 8, data, len);
    uLong crc = crc32(0, p + 4, 4 + len);
    p[8 + len] = (unsigned char)(crc >> 24);
    p[9 + len] = (unsigned char)(crc >> 16);
    p[10 + len] = (unsigned char)(crc >> 8);
    p[11 + len] = (unsigned char)crc;
    *at_ += 12 + len;
}

static void test_damaged_png(void)
{
    const char *src =
        test_shared_data("fashion-mnist-png/test/bag/t10k_00018.png");
    if (!src)
        TEST_SKIP("../shared/data/fashion-mnist-png absent");
    size_t n = 0;
    unsigned char *png = read_all(src, &n);
    REQUIRE(png && n > 100);
    dl4c_tensor *t = NULL;
    CHECK_ERR(
        dl4c_image_load(write_bytes("trunc.png", png, n / 2), 0, &t, NULL),
        DL4C_FORMAT, "trunc.png: corrupt PNG");
    CHECK(t == NULL);
    unsigned char *bad = malloc(n);
    memcpy(bad, png, n);
    bad[n / 2] ^= 0x55; /* inside IDAT: the CRC no longer matches */
    CHECK_ERR(dl4c_image_load(write_bytes("crc.png", bad, n), 0, &t, NULL),
              DL4C_FORMAT, "crc.png: corrupt PNG");
    memcpy(bad, png, n);
    bad[1] = 'X';
    CHECK_ERR(dl4c_image_load(write_bytes("magic.png", bad, n), 0, &t, NULL),
              DL4C_FORMAT, "magic.png: not an image dl4c reads");
    CHECK_ERR(dl4c_image_load(write_bytes("empty.png", "", 0), 0, &t, NULL),
              DL4C_FORMAT, "not an image");
    free(bad);
    free(png);
    CHECK_ERR(dl4c_image_load(tmp_path("missing.png"), 0, &t, NULL), DL4C_IO,
              "missing.png: cannot open");

    /* a valid header claiming 100000x100000 pixels */
    unsigned char big[128];
    size_t len = 8;
    memcpy(big, "\x89PNG\r\n\x1a\n", 8);
    unsigned char ihdr[13] = {0,    1, 0x86, 0xA0, 0, 1, 0x86,
                              0xA0, 8, 0,    0,    0, 0};
    chunk(big, &len, "IHDR", ihdr, 13);
    chunk(big, &len, "IDAT", (const unsigned char *)"\x78\x9c", 2);
    chunk(big, &len, "IEND", NULL, 0);
    CHECK_ERR(dl4c_image_load(write_bytes("big.png", big, len), 0, &t, NULL),
              DL4C_FORMAT, "absurd image size 100000x100000");
    dl4c_image_info info;
    CHECK_OK(dl4c_image_probe(path_buf, &info));
    CHECK(info.width == 100000 && info.height == 100000);
}

static void test_damaged_jpeg(void)
{
    const char *src = test_shared_data("sample-images/china.jpg");
    if (!src)
        TEST_SKIP("../shared/data/sample-images absent");
    size_t n = 0;
    unsigned char *jpg = read_all(src, &n);
    REQUIRE(jpg && n > 1000);
    dl4c_tensor *t = NULL;
    CHECK_ERR(
        dl4c_image_load(write_bytes("trunc.jpg", jpg, n * 6 / 10), 0, &t, NULL),
        DL4C_FORMAT, "trunc.jpg: corrupt JPEG: Premature end");
    CHECK(t == NULL);
    CHECK_ERR(dl4c_image_load(write_bytes("head.jpg", jpg, 200), 0, &t, NULL),
              DL4C_FORMAT, "head.jpg: corrupt JPEG");
    /* absurd dims in the SOF0 segment */
    unsigned char *big = malloc(n);
    memcpy(big, jpg, n);
    size_t sof = 0;
    for (size_t i = 2; i + 9 < n; i++)
        if (big[i] == 0xFF && big[i + 1] == 0xC0) {
            sof = i;
            break;
        }
    REQUIRE(sof > 0);
    big[sof + 5] = big[sof + 7] = 0xFD;
    big[sof + 6] = big[sof + 8] = 0xE8; /* 65000 x 65000 */
    CHECK_ERR(dl4c_image_load(write_bytes("big.jpg", big, n), 0, &t, NULL),
              DL4C_FORMAT, "absurd image size 65000x65000");
    free(big);
    free(jpg);
}

static void test_damaged_pnm(void)
{
    dl4c_tensor *t = NULL;
    CHECK_ERR(dl4c_image_load(write_bytes("t.pgm", "P5 4 4 255\nabcd", 15), 0,
                              &t, NULL),
              DL4C_FORMAT, "t.pgm: PNM: truncated");
    CHECK_ERR(
        dl4c_image_load(write_bytes("h.pgm", "P5 100000 100000 255\nab", 23), 0,
                        &t, NULL),
        DL4C_FORMAT, "absurd image size 100000x100000");
    CHECK_ERR(dl4c_image_load(write_bytes("m.pgm", "P2 2 1 255\n0 300\n", 17),
                              0, &t, NULL),
              DL4C_FORMAT, "sample 1 missing or above maxval 255");
    CHECK_ERR(
        dl4c_image_load(write_bytes("z.pgm", "P5 0 4 255\n", 11), 0, &t, NULL),
        DL4C_FORMAT, "PNM: size 0x4");
    CHECK_ERR(dl4c_image_load(write_bytes("x.pam",
                                          "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 7\n"
                                          "MAXVAL 255\nENDHDR\nabcdefg",
                                          53),
                              0, &t, NULL),
              DL4C_UNSUPPORTED, "DEPTH 7");
    CHECK(t == NULL);
}

/* ---- geometry
 * ----------------------------------------------------------------- */

static dl4c_tensor *ramp(int64_t h, int64_t w, int64_t c)
{
    int64_t shape[3] = {h, w, c};
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(DL4C_F32, 3, shape, &t) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; i < h * w * c; i++)
        dl4c_tensor_set(t, i, (double)i);
    return t;
}

static void test_resize_and_crop(void)
{
    dl4c_tensor *src = ramp(4, 4, 1), *out = NULL;
    REQUIRE(src);
    /* area 4x4 -> 2x2: means of the 2x2 blocks */
    CHECK_OK(dl4c_image_resize(src, 2, 2, DL4C_RESIZE_AREA, &out));
    REQUIRE(out);
    CHECK(at(out, 0) == 2.5f && at(out, 1) == 4.5f && at(out, 2) == 10.5f &&
          at(out, 3) == 12.5f);
    dl4c_tensor_free(out);
    /* area 4x4 -> 3x3 covers fractions: the mean stays the mean */
    CHECK_OK(dl4c_image_resize(src, 3, 3, DL4C_RESIZE_AREA, &out));
    double sum = 0;
    for (int i = 0; i < 9; i++)
        sum += at(out, i);
    CHECK_NEAR(sum / 9, 7.5, 1e-5);
    /* pixel (0, 0) covers [0, 4/3)^2: (0 + 1/3 + 4/3 + 5/9) / (16/9) */
    CHECK_NEAR(at(out, 0), 1.25, 1e-5);
    dl4c_tensor_free(out);
    /* bilinear 4x4 -> 2x2 with half-pixel centers: also block means */
    CHECK_OK(dl4c_image_resize(src, 2, 2, DL4C_RESIZE_BILINEAR, &out));
    CHECK(out && at(out, 0) == 2.5f && at(out, 3) == 12.5f);
    dl4c_tensor_free(out);
    /* bilinear 2x2 -> 4x4 */
    dl4c_tensor *small = ramp(2, 2, 1);
    CHECK_OK(dl4c_image_resize(small, 4, 4, DL4C_RESIZE_BILINEAR, &out));
    REQUIRE(out);
    CHECK_NEAR(at(out, 0), 0, 1e-6);    /* clamped corner */
    CHECK_NEAR(at(out, 1), 0.25, 1e-6); /* x = 0.25 */
    CHECK_NEAR(at(out, 5), 0.75, 1e-6); /* (0.25, 0.25) */
    CHECK_NEAR(at(out, 15), 3, 1e-6);
    dl4c_tensor_free(out);
    CHECK_OK(dl4c_image_resize(small, 4, 4, DL4C_RESIZE_NEAREST, &out));
    CHECK(out && at(out, 0) == 0 && at(out, 2) == 1 && at(out, 8) == 2 &&
          at(out, 15) == 3);
    dl4c_tensor_free(out);
    dl4c_tensor_free(small);

    CHECK_OK(dl4c_image_crop(src, 1, 2, 2, 2, &out));
    CHECK(out && at(out, 0) == 6 && at(out, 1) == 7 && at(out, 2) == 10);
    dl4c_tensor_free(out);
    CHECK_OK(dl4c_image_center_crop(src, 2, 2, &out));
    CHECK(out && at(out, 0) == 5 && at(out, 3) == 10);
    dl4c_tensor_free(out);
    CHECK_ERR(dl4c_image_crop(src, 3, 0, 2, 2, &out), DL4C_SHAPE,
              "is not inside the 4x4 image");
    CHECK_ERR(dl4c_image_resize(src, 0, 2, DL4C_RESIZE_AREA, &out),
              DL4C_INVALID_ARG, "size 0x2");
    dl4c_resize_mode m;
    CHECK_OK(dl4c_resize_mode_parse("area", &m));
    CHECK(m == DL4C_RESIZE_AREA);
    CHECK_ERR(dl4c_resize_mode_parse("cubic", &m), DL4C_INVALID_ARG,
              "unknown resize mode 'cubic'");
    /* a batch [N, H, W, C] */
    int64_t bs[4] = {2, 4, 4, 1};
    dl4c_tensor *batch = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 4, bs, &batch));
    for (int i = 0; i < 32; i++)
        dl4c_tensor_set(batch, i, i % 16);
    CHECK_OK(dl4c_image_resize(batch, 2, 2, DL4C_RESIZE_AREA, &out));
    CHECK(out && dl4c_tensor_dim(out, 0) == 2 && at(out, 4) == 2.5f);
    dl4c_tensor_free(out);
    dl4c_tensor_free(batch);
    dl4c_tensor_free(src);
}

static void test_augment(void)
{
    dl4c_tensor *src = ramp(5, 5, 1), *dst = NULL, *dst2 = NULL;
    int64_t shape[3] = {5, 5, 1};
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, shape, &dst));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, shape, &dst2));
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 1);
    dl4c_augment a = {.flip_horizontal = 1};
    CHECK_OK(dl4c_image_augment(&a, &rng, src, dst));
    CHECK(at(dst, 0) == 4 && at(dst, 4) == 0 && at(dst, 24) == 20);
    a = (dl4c_augment){.flip_vertical = 1};
    CHECK_OK(dl4c_image_augment(&a, &rng, src, dst));
    CHECK(at(dst, 0) == 20 && at(dst, 24) == 4);
    /* rotations: repeatable by seed, the center fixed */
    a = (dl4c_augment){.max_rotation = 10};
    dl4c_rng r1, r2;
    dl4c_rng_seed(&r1, 7);
    dl4c_rng_seed(&r2, 7);
    CHECK_OK(dl4c_image_augment(&a, &r1, src, dst));
    CHECK_OK(dl4c_image_augment(&a, &r2, src, dst2));
    CHECK(dl4c_tensor_max_abs_diff(dst, dst2) == 0); /* same seed */
    CHECK_NEAR(at(dst, 12), 12, 1e-4);               /* the center stays */
    CHECK(at(dst, 0) != 0 || at(dst, 4) != 4);       /* corners moved */
    dl4c_tensor_free(dst);
    /* random crop */
    int64_t cs[3] = {3, 3, 1};
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, cs, &dst));
    a = (dl4c_augment){.crop_height = 3, .crop_width = 3};
    CHECK_OK(dl4c_image_augment(&a, &rng, src, dst));
    float c0 = at(dst, 0);
    CHECK(c0 >= 0 && c0 <= 12 && at(dst, 8) == c0 + 12);
    a.crop_height = 6;
    a.crop_width = 6;
    CHECK_ERR(dl4c_image_augment(&a, &rng, src, dst), DL4C_SHAPE,
              "crop 6x6 is larger than the 5x5 image");
    dl4c_tensor_free(dst);
    dl4c_tensor_free(dst2);
    dl4c_tensor_free(src);

    dl4c_augment p;
    CHECK_OK(dl4c_augment_parse("hflip,vflip=0.25,rotate=10,crop=24x20", &p));
    CHECK(p.flip_horizontal == 0.5 && p.flip_vertical == 0.25 &&
          p.max_rotation == 10 && p.crop_height == 24 && p.crop_width == 20);
    CHECK_ERR(dl4c_augment_parse("hflip=2", &p), DL4C_INVALID_ARG,
              "hflip=2 is not a probability");
    CHECK_ERR(dl4c_augment_parse("zoom=2", &p), DL4C_INVALID_ARG,
              "unknown item 'zoom'");
    CHECK_ERR(dl4c_augment_parse("crop=24", &p), DL4C_INVALID_ARG,
              "crop=24 is not HEIGHTxWIDTH");
}

/* ---- folders, iterators
 * --------------------------------------------------------- */

static void test_folder(void)
{
    const char *d = test_shared_data("fashion-mnist-png/test");
    if (!d)
        TEST_SKIP("../shared/data/fashion-mnist-png absent");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", d);
    dl4c_dataset *ds = NULL;
    CHECK_OK(dl4c_image_folder_load(dir, NULL, &ds));
    REQUIRE(ds);
    CHECK(dl4c_dataset_count(ds) == 100 && dl4c_dataset_num_classes(ds) == 10);
    CHECK(!strcmp(dl4c_dataset_class_name(ds, 0), "ankle_boot"));
    CHECK(!strcmp(dl4c_dataset_class_name(ds, 9), "tshirt_top"));
    const dl4c_tensor *x = dl4c_dataset_features(ds);
    CHECK(dl4c_tensor_ndim(x) == 4 && dl4c_tensor_dim(x, 1) == 28 &&
          dl4c_tensor_dim(x, 3) == 1);
    /* sorted paths: the first 10 are ankle boots */
    const float *y = dl4c_tensor_data(dl4c_dataset_labels(ds));
    CHECK(y[0] == 1 && y[9 * 10] == 1 && y[10 * 10 + 1] == 1);
    dl4c_dataset_free(ds);

    /* resized to 14x14 by area, as RGB */
    dl4c_image_options o = dl4c_image_options_default();
    o.height = o.width = 14;
    o.channels = 3;
    o.resize = DL4C_RESIZE_AREA;
    CHECK_OK(dl4c_image_folder_load(dir, &o, &ds));
    REQUIRE(ds);
    x = dl4c_dataset_features(ds);
    CHECK(dl4c_tensor_dim(x, 1) == 14 && dl4c_tensor_dim(x, 3) == 3);
    dl4c_dataset_free(ds);

    /* a folder with an image of another size and no resize */
    char mixed[1024];
    snprintf(mixed, sizeof mixed, "%s/mixed", test_tmpdir());
    char sub[1100];
    snprintf(sub, sizeof sub, "%s/cat", mixed);
    CHECK(system(NULL) != 0);
    char cmd[3000];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s/../dog'", sub, sub);
    CHECK(system(cmd) == 0);
    int64_t s1[3] = {28, 28, 1}, s2[3] = {30, 28, 1};
    dl4c_tensor *a = NULL, *b = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, s1, &a));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, s2, &b));
    char p1[1200], p2[1200];
    snprintf(p1, sizeof p1, "%s/a.pgm", sub);
    snprintf(p2, sizeof p2, "%s/../dog/b.pgm", sub);
    CHECK_OK(dl4c_image_save_pnm(p1, a, 8));
    CHECK_OK(dl4c_image_save_pnm(p2, b, 8));
    CHECK_ERR(dl4c_image_folder_load(mixed, NULL, &ds), DL4C_SHAPE,
              "b.pgm: 30x28 image (height x width), expected 28x28 (the size "
              "of");
    CHECK(ds == NULL);
    o = dl4c_image_options_default();
    o.height = o.width = 28;
    CHECK_OK(dl4c_image_folder_load(mixed, &o, &ds));
    CHECK(ds && dl4c_dataset_count(ds) == 2);
    dl4c_dataset_free(ds);
    /* an image outside any class folder */
    char loose[1200];
    snprintf(loose, sizeof loose, "%s/loose.pgm", mixed);
    CHECK_OK(dl4c_image_save_pnm(loose, a, 8));
    CHECK_ERR(dl4c_image_folder_load(mixed, &o, &ds), DL4C_FORMAT,
              "lie directly in the folder");
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    CHECK_ERR(dl4c_image_folder_load(tmp_path("nothing-here"), NULL, &ds),
              DL4C_IO, "cannot read the directory");

    /* center crop to the target's aspect ratio, then resize */
    char wide[1200], cmd2[1300];
    snprintf(wide, sizeof wide, "%s/wide/x", test_tmpdir());
    snprintf(cmd2, sizeof cmd2, "mkdir -p '%s'", wide);
    CHECK(system(cmd2) == 0);
    int64_t ws[3] = {2, 4, 1};
    dl4c_tensor *w = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, ws, &w));
    for (int i = 0; i < 8; i++)
        dl4c_tensor_set(w, i, (i % 4) * 10);
    char wp[1300];
    snprintf(wp, sizeof wp, "%s/w.pgm", wide);
    CHECK_OK(dl4c_image_save_pnm(wp, w, 8));
    dl4c_tensor_free(w);
    o = dl4c_image_options_default();
    o.height = o.width = 2;
    o.center_crop = true;
    snprintf(wide, sizeof wide, "%s/wide", test_tmpdir());
    CHECK_OK(dl4c_image_folder_load(wide, &o, &ds));
    REQUIRE(ds);
    const dl4c_tensor *cx = dl4c_dataset_features(ds);
    CHECK(dl4c_tensor_get(cx, 0) == 10 && dl4c_tensor_get(cx, 1) == 20 &&
          dl4c_tensor_get(cx, 2) == 10 && dl4c_tensor_get(cx, 3) == 20);
    dl4c_dataset_free(ds);
}

static void collect(dl4c_iterator *it, float *xs, float *ys, int64_t per,
                    int64_t classes)
{
    int64_t done = 0;
    dl4c_batch b;
    while (dl4c_iterator_has_next(it) &&
           dl4c_iterator_next(it, &b) == DL4C_OK) {
        memcpy(xs + done * per, dl4c_tensor_data(b.features),
               (size_t)(b.size * per) * sizeof(float));
        if (ys)
            memcpy(ys + done * classes, dl4c_tensor_data(b.labels),
                   (size_t)(b.size * classes) * sizeof(float));
        done += b.size;
    }
}

static void test_file_iterator_and_prefetch(void)
{
    const char *d = test_shared_data("fashion-mnist-png/test");
    if (!d)
        TEST_SKIP("../shared/data/fashion-mnist-png absent");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", d);
    dl4c_dataset *ds = NULL;
    REQUIRE_OK(dl4c_image_folder_load(dir, NULL, &ds));
    /* the same files, streamed in the same (sorted) order */
    static const char *classes[] = {
        "ankle_boot", "bag",   "coat",    "dress",   "pullover",
        "sandal",     "shirt", "sneaker", "trouser", "tshirt_top"};
    char *paths[100];
    int labels[100], n = 0;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cd '%s' && ls */*.png | sort", dir);
    FILE *ls = popen(cmd, "r");
    char line[512];
    while (ls && n < 100 && fgets(line, sizeof line, ls)) {
        line[strcspn(line, "\n")] = '\0';
        char full[1600];
        snprintf(full, sizeof full, "%s/%s", dir, line);
        paths[n] = strdup(full);
        *strchr(line, '/') = '\0';
        for (int c = 0; c < 10; c++)
            if (!strcmp(line, classes[c]))
                labels[n] = c;
        n++;
    }
    if (ls)
        pclose(ls);
    REQUIRE(n == 100);
    dl4c_image_options o = dl4c_image_options_default();
    o.height = o.width = 28;
    o.channels = 1;
    dl4c_iterator *it = NULL, *pf = NULL;
    REQUIRE_OK(dl4c_image_iterator_create((const char *const *)paths, labels, n,
                                          10, &o, 32, false, 1, &it));
    float *xs = calloc(100 * 784, sizeof(float)), *ys = calloc(1000, 4);
    REQUIRE_OK(dl4c_iterator_prefetch(it, 2, &pf));
    collect(pf, xs, ys, 784, 10);
    CHECK(memcmp(xs, dl4c_tensor_data(dl4c_dataset_features(ds)),
                 100 * 784 * sizeof(float)) == 0);
    CHECK(memcmp(ys, dl4c_tensor_data(dl4c_dataset_labels(ds)),
                 1000 * sizeof(float)) == 0);
    CHECK(dl4c_iterator_position(pf) == 100 && !dl4c_iterator_has_next(pf));
    dl4c_iterator_free(pf);

    /* prefetch over a shuffled dataset iterator with a normalizer gives
     * the same batches as the plain iterator, and resumes exactly */
    dl4c_normalizer *norm = NULL;
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_IMAGE, &norm));
    dl4c_iterator *plain = NULL, *inner = NULL;
    REQUIRE_OK(dl4c_iterator_create(ds, 16, true, 5, &plain));
    REQUIRE_OK(dl4c_iterator_create(ds, 16, true, 5, &inner));
    REQUIRE_OK(dl4c_iterator_prefetch(inner, 3, &pf));
    dl4c_iterator_set_normalizer(plain, norm);
    dl4c_iterator_set_normalizer(pf, norm);
    float *xa = calloc(100 * 784, sizeof(float));
    for (int epoch = 0; epoch < 2; epoch++) {
        if (epoch) {
            CHECK_OK(dl4c_iterator_reset(plain));
            CHECK_OK(dl4c_iterator_reset(pf));
        }
        collect(plain, xs, NULL, 784, 10);
        collect(pf, xa, NULL, 784, 10);
        CHECK(memcmp(xs, xa, 100 * 784 * sizeof(float)) == 0);
        CHECK(xa[100 * 784 - 1] <= 1.0f); /* normalized */
    }
    /* save mid-epoch (with batches queued ahead), load into a fresh one */
    CHECK_OK(dl4c_iterator_reset(pf));
    CHECK_OK(dl4c_iterator_reset(plain));
    dl4c_batch b;
    CHECK_OK(dl4c_iterator_next(pf, &b));
    CHECK_OK(dl4c_iterator_next(pf, &b));
    CHECK_OK(dl4c_iterator_next(plain, &b));
    CHECK_OK(dl4c_iterator_next(plain, &b));
    char *state = NULL;
    CHECK_OK(dl4c_iterator_state_save(pf, &state));
    CHECK(dl4c_iterator_position(pf) == 32);
    dl4c_iterator *inner2 = NULL, *pf2 = NULL;
    REQUIRE_OK(dl4c_iterator_create(ds, 16, true, 99, &inner2));
    REQUIRE_OK(dl4c_iterator_prefetch(inner2, 1, &pf2));
    dl4c_iterator_set_normalizer(pf2, norm);
    CHECK_OK(dl4c_iterator_state_load(pf2, state));
    CHECK(dl4c_iterator_position(pf2) == 32);
    CHECK_OK(dl4c_iterator_next(pf2, &b));
    dl4c_batch pb;
    CHECK_OK(dl4c_iterator_next(plain, &pb));
    CHECK(b.size == 16 &&
          dl4c_tensor_max_abs_diff(b.features, pb.features) == 0);
    dl4c_free(state);
    dl4c_iterator_free(pf2);
    dl4c_iterator_free(pf);
    dl4c_iterator_free(plain);

    /* a damaged file fails the batch with its path, through the worker */
    FILE *f = fopen(tmp_path("broken.png"), "wb");
    fputs("\x89PNG\r\n\x1a\nnope", f);
    fclose(f);
    free(paths[40]);
    paths[40] = strdup(tmp_path("broken.png"));
    REQUIRE_OK(dl4c_image_iterator_create((const char *const *)paths, labels, n,
                                          10, &o, 32, false, 1, &it));
    REQUIRE_OK(dl4c_iterator_prefetch(it, 2, &pf));
    CHECK_OK(dl4c_iterator_next(pf, &b));
    CHECK_ERR(dl4c_iterator_next(pf, &b), DL4C_FORMAT,
              "broken.png: corrupt PNG");
    dl4c_iterator_free(pf);
    CHECK_ERR(dl4c_iterator_prefetch(NULL, 2, &pf), DL4C_INVALID_ARG,
              "NULL inner");
    REQUIRE_OK(dl4c_iterator_create(ds, 16, true, 5, &inner));
    CHECK_ERR(dl4c_iterator_prefetch(inner, 0, &pf), DL4C_INVALID_ARG,
              "depth 0 outside 1..64");

    /* augmentation over the dataset: repeatable by seed, crop shape */
    dl4c_augment aug = {.flip_horizontal = 0.5,
                        .max_rotation = 10,
                        .crop_height = 24,
                        .crop_width = 24};
    dl4c_iterator *a1 = NULL, *a2 = NULL, *i1 = NULL, *i2 = NULL;
    REQUIRE_OK(dl4c_iterator_create(ds, 10, true, 3, &i1));
    REQUIRE_OK(dl4c_iterator_create(ds, 10, true, 3, &i2));
    REQUIRE_OK(dl4c_iterator_augment(i1, &aug, 11, &a1));
    REQUIRE_OK(dl4c_iterator_augment(i2, &aug, 11, &a2));
    dl4c_batch b1, b2;
    CHECK_OK(dl4c_iterator_next(a1, &b1));
    CHECK_OK(dl4c_iterator_next(a2, &b2));
    CHECK(dl4c_tensor_dim(b1.features, 1) == 24 &&
          dl4c_tensor_dim(b1.features, 3) == 1);
    CHECK(dl4c_tensor_max_abs_diff(b1.features, b2.features) == 0);
    CHECK(b1.labels && dl4c_tensor_dim(b1.labels, 1) == 10);
    CHECK_OK(dl4c_iterator_state_save(a1, &state));
    CHECK_OK(dl4c_iterator_next(a1, &b1));
    float first = at(b1.features, 100);
    CHECK_OK(dl4c_iterator_state_load(a2, state));
    CHECK_OK(dl4c_iterator_next(a2, &b2));
    CHECK(at(b2.features, 100) == first);
    dl4c_free(state);
    dl4c_iterator_free(a1);
    dl4c_iterator_free(a2);

    dl4c_normalizer_free(norm);
    free(xs);
    free(ys);
    free(xa);
    for (int i = 0; i < n; i++)
        free(paths[i]);
    dl4c_dataset_free(ds);
}

/* Image files for prediction: one file, a folder's images sorted, none
 * in a folder of other files, an error for a missing path. */
static void test_image_list(void)
{
    char dir[1024], sub[1100], p1[1200], p2[1200], txt[1200];
    snprintf(dir, sizeof dir, "%s/list", test_tmpdir());
    snprintf(sub, sizeof sub, "%s/b", dir);
    char cmd[2500];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", sub);
    REQUIRE(system(cmd) == 0);
    int64_t shape[3] = {4, 4, 1};
    dl4c_tensor *img = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, shape, &img));
    snprintf(p1, sizeof p1, "%s/z.pgm", dir);
    snprintf(p2, sizeof p2, "%s/a.PGM", sub);
    snprintf(txt, sizeof txt, "%s/notes.txt", dir);
    CHECK_OK(dl4c_image_save_pnm(p1, img, 8));
    CHECK_OK(dl4c_image_save_pnm(p2, img, 8));
    dl4c_tensor_free(img);
    FILE *f = fopen(txt, "w");
    REQUIRE(f);
    fputs("not an image\n", f);
    fclose(f);
    char **paths = NULL;
    int64_t n = -1;
    CHECK_OK(dl4c_image_list(dir, &paths, &n));
    CHECK(n == 2 && paths && !strcmp(paths[0], p2) && !strcmp(paths[1], p1));
    dl4c_image_list_free(paths, n);
    CHECK_OK(dl4c_image_list(p1, &paths, &n));
    CHECK(n == 1 && !strcmp(paths[0], p1));
    dl4c_image_list_free(paths, n);
    CHECK_OK(dl4c_image_list(txt, &paths, &n));
    CHECK(n == 0 && paths == NULL);
    snprintf(txt, sizeof txt, "%s/missing", dir);
    CHECK_ERR(dl4c_image_list(txt, &paths, &n), DL4C_IO, "missing");
    CHECK_ERR(dl4c_image_list(NULL, &paths, &n), DL4C_INVALID_ARG, "NULL");
}

TEST_MAIN(test_png_equals_idx_test, test_png_equals_idx_train,
          test_jpeg_matches_pil, test_png_layouts, test_pnm, test_bmp,
          test_damaged_png, test_damaged_jpeg, test_damaged_pnm,
          test_resize_and_crop, test_augment, test_folder,
          test_file_iterator_and_prefetch, test_image_list)
