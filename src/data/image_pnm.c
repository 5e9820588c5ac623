/* Netpbm images: PBM, PGM, PPM (P1-P6) and PAM (P7), read and written.
 *
 * Layout (P1-P6): "P<n>", then width, height and (not for P1/P4) maxval
 * as ASCII decimals separated by whitespace, '#' starting a comment that
 * runs to the end of the line; one whitespace byte; then the samples:
 * ASCII decimals (P1, P2, P3) or binary (P4 packs 1-bit pixels 8 to a
 * byte, rows padded to a byte; P5/P6 use one byte per sample when maxval
 * < 256, else two bytes big-endian). In bitmaps 1 is black.
 * PAM (P7): lines "WIDTH w", "HEIGHT h", "DEPTH d", "MAXVAL m",
 * "TUPLTYPE t", "ENDHDR", then binary samples as P5/P6 with d per pixel.
 *
 * Samples scale to the full 8- or 16-bit range when maxval is not 255 or
 * 65535 (value * 255 / maxval, rounded). Data after the first image is
 * ignored, as Netpbm's readers do. dl4c writes P5, P6 and P7. */
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/image_internal.h"
#include "io/io_internal.h"

typedef struct cursor {
    const unsigned char *p;
    size_t size, pos;
} cursor;

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

/* Skips whitespace and comments. */
static void skip_blank(cursor *c)
{
    while (c->pos < c->size) {
        if (c->p[c->pos] == '#') {
            while (c->pos < c->size && c->p[c->pos] != '\n')
                c->pos++;
        } else if (is_space(c->p[c->pos])) {
            c->pos++;
        } else {
            break;
        }
    }
}

/* An unsigned decimal; false when there is none or it exceeds `max`. */
static bool read_uint(cursor *c, int64_t max, int64_t *out)
{
    skip_blank(c);
    int64_t v = 0;
    size_t start = c->pos;
    while (c->pos < c->size && c->p[c->pos] >= '0' && c->p[c->pos] <= '9') {
        v = v * 10 + (c->p[c->pos] - '0');
        if (v > max)
            return false;
        c->pos++;
    }
    *out = v;
    return c->pos > start;
}

typedef struct pnm_header {
    int kind; /* 1..7 */
    int64_t width, height, maxval;
    int channels;
} pnm_header;

/* One PAM header line's keyword and value. */
static dl4c_status pam_header(cursor *c, pnm_header *h)
{
    dl4c_status status = DL4C_OK;
    bool w = false, hh = false, d = false, m = false;
    char tupl[64] = "";
    for (;;) {
        skip_blank(c);
        char key[16];
        size_t n = 0;
        while (c->pos < c->size && !is_space(c->p[c->pos]) && n < 15)
            key[n++] = (char)c->p[c->pos++];
        key[n] = '\0';
        DL4C_CHECK(n > 0, DL4C_FORMAT, "PAM header ends before ENDHDR");
        if (!strcmp(key, "ENDHDR")) {
            DL4C_CHECK(c->pos < c->size && c->p[c->pos] == '\n', DL4C_FORMAT,
                       "PAM: no newline after ENDHDR");
            c->pos++;
            break;
        }
        int64_t v = 0;
        if (!strcmp(key, "TUPLTYPE")) {
            while (c->pos < c->size &&
                   (c->p[c->pos] == ' ' || c->p[c->pos] == '\t'))
                c->pos++;
            size_t k = 0;
            while (c->pos < c->size && c->p[c->pos] != '\n') {
                if (k + 1 < sizeof tupl)
                    tupl[k++] = (char)c->p[c->pos];
                c->pos++;
            }
            tupl[k] = '\0';
            continue;
        }
        DL4C_CHECK(read_uint(c, INT64_C(1) << 40, &v), DL4C_FORMAT,
                   "PAM: '%s' needs a whole number", key);
        if (!strcmp(key, "WIDTH"))
            h->width = v, w = true;
        else if (!strcmp(key, "HEIGHT"))
            h->height = v, hh = true;
        else if (!strcmp(key, "DEPTH"))
            h->channels = (int)(v > 99 ? 99 : v), d = true;
        else if (!strcmp(key, "MAXVAL"))
            h->maxval = v, m = true;
        else
            DL4C_FAIL(DL4C_FORMAT, "PAM: unknown header line '%s'", key);
    }
    DL4C_CHECK(w && hh && d && m, DL4C_FORMAT,
               "PAM: header lacks WIDTH, HEIGHT, DEPTH or MAXVAL");
    DL4C_CHECK(h->channels >= 1 && h->channels <= 4, DL4C_UNSUPPORTED,
               "PAM: DEPTH %d (dl4c reads 1 to 4 channels)", h->channels);
fail:
    return status;
}

static dl4c_status read_header(cursor *c, pnm_header *h)
{
    dl4c_status status = DL4C_OK;
    DL4C_CHECK(c->size >= 2 && c->p[0] == 'P' && c->p[1] >= '1' &&
                   c->p[1] <= '7',
               DL4C_FORMAT, "not a PNM file (no P1..P7 magic)");
    h->kind = c->p[1] - '0';
    c->pos = 2;
    if (h->kind == 7)
        return pam_header(c, h);
    DL4C_CHECK(c->pos < c->size &&
                   (is_space(c->p[c->pos]) || c->p[c->pos] == '#'),
               DL4C_FORMAT, "not a PNM file (no blank after the magic)");
    DL4C_CHECK(read_uint(c, INT64_C(1) << 40, &h->width) &&
                   read_uint(c, INT64_C(1) << 40, &h->height),
               DL4C_FORMAT, "PNM header: width and height missing");
    h->maxval = 1;
    if (h->kind != 1 && h->kind != 4)
        DL4C_CHECK(read_uint(c, 1 << 20, &h->maxval), DL4C_FORMAT,
                   "PNM header: maxval missing or too large");
    h->channels = (h->kind == 3 || h->kind == 6) ? 3 : 1;
    /* exactly one whitespace byte before binary data */
    if (h->kind >= 4) {
        DL4C_CHECK(c->pos < c->size && is_space(c->p[c->pos]), DL4C_FORMAT,
                   "PNM header: no blank before the pixel data");
        c->pos++;
    }
fail:
    return status;
}

/* Scales v in 0..maxval to the full range of `depth` bits. */
static inline unsigned scale(unsigned v, unsigned maxval, unsigned full)
{
    return maxval == full ? v : (v * full + maxval / 2) / maxval;
}

dl4c_status dl4c_pnm_decode(const unsigned char *data, size_t size,
                            bool header_only, dl4c_raw_image *out)
{
    dl4c_status status = DL4C_OK;
    cursor c = {data, size, 0};
    pnm_header h = {0};
    memset(out, 0, sizeof *out);
    DL4C_TRY(read_header(&c, &h));
    DL4C_CHECK(h.width > 0 && h.height > 0, DL4C_FORMAT, "PNM: size %lldx%lld",
               (long long)h.width, (long long)h.height);
    DL4C_CHECK(h.maxval >= 1 && h.maxval <= 65535, DL4C_FORMAT,
               "PNM: maxval %lld outside 1..65535", (long long)h.maxval);
    int depth = h.maxval > 255 ? 16 : 8;
    unsigned full = depth == 16 ? 65535u : 255u;
    out->width = h.width;
    out->height = h.height;
    out->channels = h.channels;
    out->depth = depth;
    if (header_only)
        return DL4C_OK;
    DL4C_TRY(dl4c_raw_image_alloc(out, h.width, h.height, h.channels, depth));
    int64_t n = h.width * h.height * h.channels;
    unsigned char *p8 = out->pixels;
    uint16_t *p16 = out->pixels;
    if (h.kind == 4) {
        size_t row = (size_t)(h.width + 7) / 8;
        DL4C_CHECK(size - c.pos >= row * (size_t)h.height, DL4C_FORMAT,
                   "PBM: truncated: %zu bytes of pixels, expected %zu",
                   size - c.pos, row * (size_t)h.height);
        for (int64_t y = 0; y < h.height; y++) {
            const unsigned char *r = data + c.pos + (size_t)y * row;
            for (int64_t x = 0; x < h.width; x++)
                p8[y * h.width + x] =
                    (r[x >> 3] >> (7 - (x & 7))) & 1 ? 0 : 255;
        }
    } else if (h.kind >= 5) {
        size_t bytes = (size_t)n * (size_t)(depth / 8);
        DL4C_CHECK(size - c.pos >= bytes, DL4C_FORMAT,
                   "PNM: truncated: %zu bytes of pixels, expected %zu",
                   size - c.pos, bytes);
        const unsigned char *s = data + c.pos;
        for (int64_t i = 0; i < n; i++) {
            unsigned v =
                depth == 16 ? (unsigned)(s[2 * i] << 8 | s[2 * i + 1]) : s[i];
            DL4C_CHECK(v <= h.maxval, DL4C_FORMAT,
                       "PNM: sample %lld is %u, above maxval %lld",
                       (long long)i, v, (long long)h.maxval);
            if (depth == 16)
                p16[i] = (uint16_t)scale(v, (unsigned)h.maxval, full);
            else
                p8[i] = (unsigned char)scale(v, (unsigned)h.maxval, full);
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            int64_t v = 0;
            if (h.kind == 1) { /* bits may be written without blanks */
                skip_blank(&c);
                DL4C_CHECK(
                    c.pos < size && (data[c.pos] == '0' || data[c.pos] == '1'),
                    DL4C_FORMAT, "PBM: truncated or bad data at pixel %lld",
                    (long long)i);
                p8[i] = data[c.pos++] == '1' ? 0 : 255;
                continue;
            }
            DL4C_CHECK(read_uint(&c, h.maxval, &v), DL4C_FORMAT,
                       "PNM: sample %lld missing or above maxval %lld",
                       (long long)i, (long long)h.maxval);
            if (depth == 16)
                p16[i] = (uint16_t)scale((unsigned)v, (unsigned)h.maxval, full);
            else
                p8[i] =
                    (unsigned char)scale((unsigned)v, (unsigned)h.maxval, full);
        }
    }
    return DL4C_OK;
fail:
    dl4c_raw_image_free(out);
    return status;
}

/* ---- writing ------------------------------------------------------------ */

typedef struct pnm_write {
    const dl4c_tensor *img;
    int depth;
} pnm_write;

static dl4c_status write_pnm(FILE *f, void *ctx)
{
    const pnm_write *w = ctx;
    int64_t h = dl4c_tensor_dim(w->img, 0), wd = dl4c_tensor_dim(w->img, 1);
    int ch = (int)dl4c_tensor_dim(w->img, 2);
    unsigned full = w->depth == 16 ? 65535u : 255u;
    if (ch == 1 || ch == 3)
        fprintf(f, "P%c\n%lld %lld\n%u\n", ch == 1 ? '5' : '6', (long long)wd,
                (long long)h, full);
    else
        fprintf(f,
                "P7\nWIDTH %lld\nHEIGHT %lld\nDEPTH %d\nMAXVAL %u\n"
                "TUPLTYPE %s\nENDHDR\n",
                (long long)wd, (long long)h, ch, full,
                ch == 2 ? "GRAYSCALE_ALPHA" : "RGB_ALPHA");
    const float *x = dl4c_tensor_data(w->img);
    unsigned char buf[4096];
    size_t used = 0;
    int64_t n = dl4c_tensor_size(w->img);
    for (int64_t i = 0; i < n; i++) {
        float v = x[i];
        unsigned s = !(v > 0)           ? 0
                     : v >= (float)full ? full
                                        : (unsigned)(v + 0.5f);
        if (w->depth == 16)
            buf[used++] = (unsigned char)(s >> 8);
        buf[used++] = (unsigned char)s;
        if (used + 2 > sizeof buf) {
            fwrite(buf, 1, used, f);
            used = 0;
        }
    }
    fwrite(buf, 1, used, f);
    return DL4C_OK;
}

dl4c_status dl4c_image_save_pnm(const char *path, const dl4c_tensor *img,
                                int bit_depth)
{
    dl4c_status status = DL4C_OK;
    DL4C_CHECK(path && img, DL4C_INVALID_ARG, "save image: NULL argument");
    DL4C_CHECK(bit_depth == 8 || bit_depth == 16, DL4C_INVALID_ARG,
               "save image: bit depth %d (8 or 16)", bit_depth);
    DL4C_CHECK(dl4c_tensor_ndim(img) == 3 && dl4c_tensor_dim(img, 2) >= 1 &&
                   dl4c_tensor_dim(img, 2) <= 4 &&
                   dl4c_tensor_dtype(img) == DL4C_F32,
               DL4C_SHAPE,
               "save image: %s needs a float32 [H, W, C] image with 1-4 "
               "channels",
               path);
    pnm_write w = {img, bit_depth};
    DL4C_TRY(dl4c_atomic_write(path, write_pnm, &w));
fail:
    return status;
}
