/* PNG decoding with libpng's classic API, from memory.
 *
 * Layout: the 8-byte signature 89 50 4E 47 0D 0A 1A 0A, then chunks of
 * (length u32 BE, type[4], data, CRC-32). IHDR comes first: width and
 * height (u32 BE), bit depth (1, 2, 4, 8, 16), color type (0 gray, 2 RGB,
 * 3 palette, 4 gray+alpha, 6 RGBA), compression, filter, interlace (0 or
 * 1 Adam7). Pixels are the zlib stream of the IDAT chunks; IEND ends it.
 *
 * libpng reports errors by longjmp, so everything that changes after the
 * setjmp lives in a job struct reached through a pointer. Palettes become
 * RGB(A), transparency chunks an alpha channel, 1-, 2- and 4-bit gray 8
 * bits; 16-bit samples are read big-endian and kept at 16 bits. */
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/image_internal.h"

typedef struct png_job {
    const unsigned char *data;
    size_t size, pos;
    bool header_only;
    png_structp png;
    png_infop info;
    png_bytep *rows;
    dl4c_raw_image *out;
    dl4c_status status; /* set when a dl4c call failed inside decode */
    char msg[256];
} png_job;

static void read_fn(png_structp png, png_bytep buf, size_t n)
{
    png_job *j = png_get_io_ptr(png);
    if (n > j->size - j->pos)
        png_error(png, "file is truncated");
    memcpy(buf, j->data + j->pos, n);
    j->pos += n;
}

static void error_fn(png_structp png, png_const_charp msg)
{
    png_job *j = png_get_error_ptr(png);
    snprintf(j->msg, sizeof j->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void warning_fn(png_structp png, png_const_charp msg)
{
    (void)png; /* ancillary-chunk problems (bad ICC profile, ...) */
    (void)msg;
}

static png_voidp malloc_fn(png_structp png, png_alloc_size_t n)
{
    (void)png;
    return dl4c_malloc(n);
}

static void free_fn(png_structp png, png_voidp p)
{
    (void)png;
    dl4c_free(p);
}

static bool host_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* Returns 0 on success, 1 after a libpng error (msg set), 2 after a dl4c
 * error (status and the thread-local message set). */
static int decode(png_job *j)
{
    if (setjmp(png_jmpbuf(j->png)))
        return 1;
    png_set_read_fn(j->png, j, read_fn);
    png_set_user_limits(j->png, DL4C_IMAGE_MAX_SIDE, DL4C_IMAGE_MAX_SIDE);
    png_read_info(j->png, j->info);
    png_uint_32 w = 0, h = 0;
    int depth = 0, ctype = 0, interlace = 0;
    png_get_IHDR(j->png, j->info, &w, &h, &depth, &ctype, &interlace, NULL,
                 NULL);
    if (ctype == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(j->png);
    if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(j->png);
    if (png_get_valid(j->png, j->info, PNG_INFO_tRNS))
        png_set_tRNS_to_alpha(j->png);
    if (depth == 16 && host_little_endian())
        png_set_swap(j->png);
    png_set_interlace_handling(j->png);
    png_read_update_info(j->png, j->info);
    int channels = png_get_channels(j->png, j->info);
    int out_depth = png_get_bit_depth(j->png, j->info);
    if (channels < 1 || channels > 4 || (out_depth != 8 && out_depth != 16))
        png_error(j->png, "unexpected pixel layout after expansion");
    j->out->width = w;
    j->out->height = h;
    j->out->channels = channels;
    j->out->depth = out_depth;
    if (j->header_only)
        return 0;
    j->status = dl4c_raw_image_alloc(j->out, w, h, channels, out_depth);
    if (j->status != DL4C_OK)
        return 2;
    size_t stride = (size_t)w * (size_t)channels * (size_t)(out_depth / 8);
    if (png_get_rowbytes(j->png, j->info) != stride)
        png_error(j->png, "unexpected row size");
    j->rows = dl4c_malloc((size_t)h * sizeof *j->rows);
    if (!j->rows) {
        j->status = dl4c_error_set(DL4C_NOMEM, "out of memory");
        return 2;
    }
    for (png_uint_32 r = 0; r < h; r++)
        j->rows[r] = (png_bytep)j->out->pixels + (size_t)r * stride;
    png_read_image(j->png, j->rows);
    png_read_end(j->png, NULL);
    return 0;
}

dl4c_status dl4c_png_decode(const unsigned char *data, size_t size,
                            bool header_only, dl4c_raw_image *out)
{
    dl4c_status status = DL4C_OK;
    png_job j = {
        .data = data, .size = size, .header_only = header_only, .out = out};
    memset(out, 0, sizeof *out);
    DL4C_CHECK(size >= 8 && !png_sig_cmp(data, 0, 8), DL4C_FORMAT,
               "not a PNG file (wrong signature)");
    j.png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, &j, error_fn,
                                     warning_fn, NULL, malloc_fn, free_fn);
    if (!j.png || !(j.info = png_create_info_struct(j.png)))
        DL4C_NOMEM_FAIL();
    switch (decode(&j)) {
    case 0:
        break;
    case 1:
        status = dl4c_error_set(DL4C_FORMAT, "corrupt PNG: %s", j.msg);
        goto fail;
    default:
        status = j.status;
        goto fail;
    }
fail:
    if (j.png)
        png_destroy_read_struct(&j.png, j.info ? &j.info : NULL, NULL);
    dl4c_free(j.rows);
    if (status != DL4C_OK)
        dl4c_raw_image_free(out);
    return status;
}
