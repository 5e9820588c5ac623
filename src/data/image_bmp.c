/* Windows BMP images, uncompressed or with bit fields.
 *
 * Layout (little-endian): a 14-byte file header ("BM", u32 file size, two
 * u16 reserved, u32 offset of the pixels), then the DIB header whose first
 * u32 is its size: 12 (OS/2 core: u16 width, u16 height, u16 planes, u16
 * bits), 40 (BITMAPINFOHEADER: i32 width, i32 height (negative: rows top
 * down), u16 planes, u16 bits per pixel, u32 compression, u32 image size,
 * i32 x/y resolution, u32 colors used, u32 colors important), 52/56 (with
 * RGB(A) masks), 108 (V4) or 124 (V5), masks at offset 40 in the header.
 * With compression BI_BITFIELDS (3) and a 40-byte header the three masks
 * follow the header. A palette of 4-byte BGR0 entries (3-byte for the core
 * header) follows for 1, 4 and 8 bits per pixel. Rows are padded to 4
 * bytes and stored bottom-up unless the height is negative.
 *
 * 1/4/8-bit palettes give gray when every entry is gray, else RGB; 16-bit
 * is 5-5-5 unless masks say otherwise; 24-bit is BGR; 32-bit is BGRX, or
 * RGBA when masks include alpha. RLE compression is not read. */
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/image_internal.h"
#include "io/io_internal.h"

enum {
    BI_RGB = 0,
    BI_RLE8 = 1,
    BI_RLE4 = 2,
    BI_BITFIELDS = 3,
    BI_ALPHABITFIELDS = 6
};

typedef struct field {
    uint32_t mask;
    int shift;
    uint32_t max; /* mask >> shift */
} field;

static field make_field(uint32_t mask)
{
    field f = {mask, 0, 0};
    if (!mask)
        return f;
    while (!(mask & 1)) {
        mask >>= 1;
        f.shift++;
    }
    f.max = mask;
    return f;
}

static inline unsigned char field_get(const field *f, uint32_t px)
{
    if (!f->mask)
        return 255;
    uint32_t v = (px & f->mask) >> f->shift;
    return (unsigned char)(((uint64_t)v * 255 + f->max / 2) / f->max);
}

dl4c_status dl4c_bmp_decode(const unsigned char *data, size_t size,
                            bool header_only, dl4c_raw_image *out)
{
    dl4c_status status = DL4C_OK;
    memset(out, 0, sizeof *out);
    DL4C_CHECK(size >= 26 && data[0] == 'B' && data[1] == 'M', DL4C_FORMAT,
               "not a BMP file (no 'BM' magic)");
    uint32_t offset = dl4c_load_le32(data + 10);
    uint32_t hsize = dl4c_load_le32(data + 14);
    DL4C_CHECK(hsize == 12 || hsize == 40 || hsize == 52 || hsize == 56 ||
                   hsize == 64 || hsize == 108 || hsize == 124,
               DL4C_FORMAT, "BMP: unknown header size %u", hsize);
    DL4C_CHECK(size >= 14 + (size_t)hsize, DL4C_FORMAT,
               "BMP: truncated header");
    const unsigned char *h = data + 14;
    int64_t width, height;
    int bits;
    uint32_t compression = BI_RGB, colors = 0;
    if (hsize == 12) {
        width = dl4c_load_le16(h + 4);
        height = dl4c_load_le16(h + 6);
        bits = dl4c_load_le16(h + 10);
    } else {
        width = (int32_t)dl4c_load_le32(h + 4);
        height = (int32_t)dl4c_load_le32(h + 8);
        bits = dl4c_load_le16(h + 14);
        compression = dl4c_load_le32(h + 16);
        colors = dl4c_load_le32(h + 32);
    }
    bool top_down = height < 0;
    if (top_down)
        height = -height;
    DL4C_CHECK(width > 0 && height > 0, DL4C_FORMAT, "BMP: size %lldx%lld",
               (long long)width, (long long)height);
    DL4C_CHECK(compression != BI_RLE8 && compression != BI_RLE4,
               DL4C_UNSUPPORTED,
               "BMP: RLE compression is not supported (save it "
               "uncompressed)");
    DL4C_CHECK(compression == BI_RGB || compression == BI_BITFIELDS ||
                   compression == BI_ALPHABITFIELDS,
               DL4C_UNSUPPORTED, "BMP: compression %u is not supported",
               compression);
    DL4C_CHECK(bits == 1 || bits == 4 || bits == 8 || bits == 16 ||
                   bits == 24 || bits == 32,
               DL4C_FORMAT, "BMP: %d bits per pixel", bits);

    /* masks */
    uint32_t mr = 0, mg = 0, mb = 0, ma = 0;
    size_t after_header = 14 + (size_t)hsize;
    if (compression == BI_BITFIELDS || compression == BI_ALPHABITFIELDS) {
        DL4C_CHECK(bits == 16 || bits == 32, DL4C_FORMAT,
                   "BMP: bit fields with %d bits per pixel", bits);
        const unsigned char *m = h + 40;
        int nmask = compression == BI_ALPHABITFIELDS ? 4 : 3;
        if (hsize == 40) {
            DL4C_CHECK(size >= after_header + 4 * (size_t)nmask, DL4C_FORMAT,
                       "BMP: truncated color masks");
            m = data + after_header;
            after_header += 4 * (size_t)nmask;
        } else {
            /* masks inside the header: RGB from 52 bytes on, alpha from 56
             * (a 52-byte header has no room for an alpha mask) */
            nmask = hsize >= 56 ? 4 : 3;
        }
        mr = dl4c_load_le32(m);
        mg = dl4c_load_le32(m + 4);
        mb = dl4c_load_le32(m + 8);
        ma = nmask == 4 ? dl4c_load_le32(m + 12) : 0;
        DL4C_CHECK(mr && mg && mb, DL4C_FORMAT, "BMP: empty color mask");
    } else if (bits == 16) {
        mr = 0x7C00, mg = 0x03E0, mb = 0x001F;
    } else if (bits == 32) {
        mr = 0xFF0000, mg = 0xFF00, mb = 0xFF;
    }

    /* palette */
    unsigned char pal[256][3];
    int npal = 0;
    bool gray = true;
    if (bits <= 8) {
        int entry = hsize == 12 ? 3 : 4;
        npal = colors ? (int)(colors > 256 ? 256 : colors) : 1 << bits;
        DL4C_CHECK(size >= after_header + (size_t)npal * (size_t)entry,
                   DL4C_FORMAT, "BMP: truncated palette");
        for (int i = 0; i < npal; i++) {
            const unsigned char *e = data + after_header + (size_t)i * entry;
            pal[i][0] = e[2];
            pal[i][1] = e[1];
            pal[i][2] = e[0];
            gray &= e[0] == e[1] && e[1] == e[2];
        }
    }
    int channels = bits <= 8 ? (gray ? 1 : 3) : (ma ? 4 : 3);
    out->width = width;
    out->height = height;
    out->channels = channels;
    out->depth = 8;
    if (header_only)
        return DL4C_OK;
    DL4C_TRY(dl4c_image_check_size(width, height));
    size_t stride = (((size_t)width * (size_t)bits + 31) / 32) * 4;
    DL4C_CHECK(offset >= after_header && offset <= size &&
                   (size - offset) / stride >= (size_t)height,
               DL4C_FORMAT,
               "BMP: truncated: %lld rows of %zu bytes do not fit after "
               "offset %u in %zu bytes",
               (long long)height, stride, offset, size);
    DL4C_TRY(dl4c_raw_image_alloc(out, width, height, channels, 8));
    field fr = make_field(mr), fg = make_field(mg), fb = make_field(mb),
          fa = make_field(ma);
    unsigned char *pix = out->pixels;
    for (int64_t y = 0; y < height; y++) {
        const unsigned char *row =
            data + offset + (size_t)(top_down ? y : height - 1 - y) * stride;
        unsigned char *o = pix + (size_t)y * (size_t)width * channels;
        for (int64_t x = 0; x < width; x++) {
            if (bits <= 8) {
                int idx = bits == 8   ? row[x]
                          : bits == 4 ? (row[x >> 1] >> (x & 1 ? 0 : 4)) & 15
                                      : (row[x >> 3] >> (7 - (x & 7))) & 1;
                DL4C_CHECK(idx < npal, DL4C_FORMAT,
                           "BMP: pixel (%lld, %lld) uses color %d of a "
                           "%d-color palette",
                           (long long)x, (long long)y, idx, npal);
                if (channels == 1) {
                    *o++ = pal[idx][0];
                } else {
                    memcpy(o, pal[idx], 3);
                    o += 3;
                }
            } else if (bits == 24) {
                const unsigned char *p = row + 3 * x;
                o[0] = p[2];
                o[1] = p[1];
                o[2] = p[0];
                o += 3;
            } else {
                uint32_t px = bits == 16 ? dl4c_load_le16(row + 2 * x)
                                         : dl4c_load_le32(row + 4 * x);
                *o++ = field_get(&fr, px);
                *o++ = field_get(&fg, px);
                *o++ = field_get(&fb, px);
                if (channels == 4)
                    *o++ = field_get(&fa, px);
            }
        }
    }
    return DL4C_OK;
fail:
    dl4c_raw_image_free(out);
    return status;
}
