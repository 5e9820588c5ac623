/* The image front door: the format is told by the first bytes, the
 * decoder fills a raw image (8- or 16-bit samples), channels are
 * converted on the raw samples, and the result becomes a float32
 * [H, W, C] tensor. Also the one-image path used by the folder loader,
 * the dataset store and the file iterator: decode, check or fix the size,
 * write floats. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "data/image_internal.h"

static const char *const format_names[] = {"png", "jpeg", "pnm", "bmp"};
_Static_assert(sizeof format_names / sizeof format_names[0] ==
                   DL4C_IMAGE_FORMAT_COUNT,
               "one name per image format");

const char *dl4c_image_format_name(dl4c_image_format f)
{
    return f >= 0 && f < DL4C_IMAGE_FORMAT_COUNT ? format_names[f] : "invalid";
}

void dl4c_raw_image_free(dl4c_raw_image *img)
{
    if (!img)
        return;
    dl4c_free(img->pixels);
    img->pixels = NULL;
}

dl4c_status dl4c_image_check_size(int64_t width, int64_t height)
{
    if (width <= 0 || height <= 0 || width > DL4C_IMAGE_MAX_SIDE ||
        height > DL4C_IMAGE_MAX_SIDE ||
        width * height > (int64_t)DL4C_IMAGE_MAX_PIXELS)
        return dl4c_error_set(DL4C_FORMAT,
                              "absurd image size %lldx%lld (dl4c reads up to "
                              "%d pixels a side and %d in all)",
                              (long long)width, (long long)height,
                              DL4C_IMAGE_MAX_SIDE, DL4C_IMAGE_MAX_PIXELS);
    return DL4C_OK;
}

dl4c_status dl4c_raw_image_alloc(dl4c_raw_image *img, int64_t width,
                                 int64_t height, int channels, int depth)
{
    DL4C_RETURN_IF(dl4c_image_check_size(width, height));
    img->width = width;
    img->height = height;
    img->channels = channels;
    img->depth = depth;
    img->pixels = dl4c_malloc((size_t)(width * height) * (size_t)channels *
                              (size_t)(depth / 8));
    if (!img->pixels)
        return dl4c_error_set(DL4C_NOMEM,
                              "out of memory for a %lldx%lld "
                              "image",
                              (long long)width, (long long)height);
    return DL4C_OK;
}

int dl4c_image_sniff(const unsigned char *d, size_t n)
{
    if (n >= 8 && d[0] == 0x89 && d[1] == 'P' && d[2] == 'N' && d[3] == 'G')
        return DL4C_IMAGE_PNG;
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
        return DL4C_IMAGE_JPEG;
    if (n >= 2 && d[0] == 'P' && d[1] >= '1' && d[1] <= '7')
        return DL4C_IMAGE_PNM;
    if (n >= 2 && d[0] == 'B' && d[1] == 'M')
        return DL4C_IMAGE_BMP;
    return -1;
}

/* ---- channel conversion on raw samples ------------------------------ */

static inline unsigned luma(unsigned r, unsigned g, unsigned b, int depth)
{
    /* PIL's integer ITU-R 601 weights, rounded */
    uint64_t v = (uint64_t)r * 19595 + (uint64_t)g * 38470 + (uint64_t)b * 7471;
    (void)depth;
    return (unsigned)((v + 0x8000) >> 16);
}

static dl4c_status convert_channels(dl4c_raw_image *img, int want)
{
    dl4c_status status = DL4C_OK;
    int have = img->channels;
    if (want == 0 || want == have)
        return DL4C_OK;
    dl4c_raw_image to = {0};
    DL4C_TRY(
        dl4c_raw_image_alloc(&to, img->width, img->height, want, img->depth));
    unsigned full = img->depth == 16 ? 65535u : 255u;
    int64_t n = img->width * img->height;
    const unsigned char *s8 = img->pixels;
    const uint16_t *s16 = img->pixels;
    unsigned char *d8 = to.pixels;
    uint16_t *d16 = to.pixels;
    for (int64_t i = 0; i < n; i++) {
        unsigned px[4] = {0, 0, 0, 0}, r, g, b, a;
        for (int c = 0; c < have; c++)
            px[c] = img->depth == 16 ? s16[i * have + c] : s8[i * have + c];
        if (have <= 2) {
            r = g = b = px[0];
            a = have == 2 ? px[1] : full;
        } else {
            r = px[0], g = px[1], b = px[2];
            a = have == 4 ? px[3] : full;
        }
        unsigned o[4];
        switch (want) {
        case 1:
            o[0] = have <= 2 ? r : luma(r, g, b, img->depth);
            break;
        case 2:
            o[0] = have <= 2 ? r : luma(r, g, b, img->depth);
            o[1] = a;
            break;
        default:
            o[0] = r, o[1] = g, o[2] = b, o[3] = a;
            break;
        }
        for (int c = 0; c < want; c++) {
            if (img->depth == 16)
                d16[i * want + c] = (uint16_t)o[c];
            else
                d8[i * want + c] = (unsigned char)o[c];
        }
    }
    dl4c_raw_image_free(img);
    *img = to;
fail:
    return status;
}

void dl4c_raw_image_to_float(const dl4c_raw_image *img, bool to_8bit,
                             float *dst)
{
    int64_t n = img->width * img->height * img->channels;
    if (img->depth == 8) {
        const unsigned char *s = img->pixels;
        for (int64_t i = 0; i < n; i++)
            dst[i] = (float)s[i];
    } else {
        const uint16_t *s = img->pixels;
        float k = to_8bit ? 1.0f / 257.0f : 1.0f;
        for (int64_t i = 0; i < n; i++)
            dst[i] = (float)s[i] * k;
    }
}

/* ---- decoding -------------------------------------------------------- */

dl4c_status dl4c_image_decode_raw(const unsigned char *data, size_t size,
                                  const char *name, int channels,
                                  dl4c_raw_image *out, dl4c_image_info *info)
{
    dl4c_status status = DL4C_OK;
    memset(out, 0, sizeof *out);
    DL4C_CHECK(channels >= 0 && channels <= 4, DL4C_INVALID_ARG,
               "image: channels %d (0 to keep, or 1..4)", channels);
    DL4C_CHECK(data || size == 0, DL4C_INVALID_ARG, "image: NULL data");
    int fmt = dl4c_image_sniff(data, size);
    switch (fmt) {
    case DL4C_IMAGE_PNG:
        DL4C_TRY(dl4c_png_decode(data, size, false, out));
        break;
    case DL4C_IMAGE_JPEG:
        DL4C_TRY(dl4c_jpeg_decode(data, size, false, out));
        break;
    case DL4C_IMAGE_PNM:
        DL4C_TRY(dl4c_pnm_decode(data, size, false, out));
        break;
    case DL4C_IMAGE_BMP:
        DL4C_TRY(dl4c_bmp_decode(data, size, false, out));
        break;
    default:
        DL4C_FAIL(DL4C_FORMAT,
                  "not an image dl4c reads (%zu bytes; PNG, JPEG, PGM/PPM/PAM "
                  "and BMP are known by their first bytes)",
                  size);
    }
    if (info)
        *info = (dl4c_image_info){(dl4c_image_format)fmt, out->width,
                                  out->height, out->channels, out->depth};
    DL4C_TRY(convert_channels(out, channels));
    return DL4C_OK;
fail:
    dl4c_raw_image_free(out);
    if (name)
        dl4c_error_prefix(status, "%s", name);
    return status;
}

dl4c_status dl4c_image_decode(const void *data, size_t size, const char *name,
                              int channels, dl4c_tensor **out,
                              dl4c_image_info *info)
{
    dl4c_status status = DL4C_OK;
    dl4c_raw_image img = {0};
    DL4C_CHECK(out, DL4C_INVALID_ARG, "image decode: out is NULL");
    *out = NULL;
    DL4C_TRY(dl4c_image_decode_raw(data, size, name, channels, &img, info));
    int64_t shape[3] = {img.height, img.width, img.channels};
    DL4C_TRY(dl4c_tensor_create(DL4C_F32, 3, shape, out));
    dl4c_raw_image_to_float(&img, false, (float *)(*out)->data);
fail:
    dl4c_raw_image_free(&img);
    return status;
}

#define MAX_FILE_BYTES ((size_t)1 << 31)

dl4c_status dl4c_read_whole_file(const char *path, size_t max,
                                 unsigned char **data, size_t *size)
{
    dl4c_status status = DL4C_OK;
    FILE *f = NULL;
    unsigned char *buf = NULL;
    struct stat st;
    *data = NULL;
    *size = 0;
    f = fopen(path, "rb");
    DL4C_CHECK(f, DL4C_IO, "%s: cannot open: %s", path, strerror(errno));
    DL4C_CHECK(fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode), DL4C_IO,
               "%s: not a regular file", path);
    DL4C_CHECK((uint64_t)st.st_size <= max, DL4C_FORMAT,
               "%s: %lld bytes is larger than the %zu dl4c reads", path,
               (long long)st.st_size, max);
    size_t n = (size_t)st.st_size;
    buf = dl4c_malloc(n ? n : 1);
    if (!buf)
        DL4C_NOMEM_FAIL();
    DL4C_CHECK(fread(buf, 1, n, f) == n, DL4C_IO, "%s: read error: %s", path,
               ferror(f) ? strerror(errno) : "file shrank");
    *data = buf;
    *size = n;
    buf = NULL;
fail:
    dl4c_free(buf);
    if (f)
        fclose(f);
    return status;
}

dl4c_status dl4c_image_load(const char *path, int channels, dl4c_tensor **out,
                            dl4c_image_info *info)
{
    dl4c_status status = DL4C_OK;
    unsigned char *data = NULL;
    size_t size = 0;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "image load: out is NULL");
    *out = NULL;
    DL4C_CHECK(path, DL4C_INVALID_ARG, "image load: NULL path");
    DL4C_TRY(dl4c_read_whole_file(path, MAX_FILE_BYTES, &data, &size));
    DL4C_TRY(dl4c_image_decode(data, size, path, channels, out, info));
fail:
    dl4c_free(data);
    return status;
}

dl4c_status dl4c_image_probe(const char *path, dl4c_image_info *info)
{
    dl4c_status status = DL4C_OK;
    unsigned char *data = NULL;
    size_t size = 0;
    dl4c_raw_image img = {0};
    DL4C_CHECK(path && info, DL4C_INVALID_ARG, "image probe: NULL argument");
    DL4C_TRY(dl4c_read_whole_file(path, MAX_FILE_BYTES, &data, &size));
    int fmt = dl4c_image_sniff(data, size);
    switch (fmt) {
    case DL4C_IMAGE_PNG:
        status = dl4c_png_decode(data, size, true, &img);
        break;
    case DL4C_IMAGE_JPEG:
        status = dl4c_jpeg_decode(data, size, true, &img);
        break;
    case DL4C_IMAGE_PNM:
        status = dl4c_pnm_decode(data, size, true, &img);
        break;
    case DL4C_IMAGE_BMP:
        status = dl4c_bmp_decode(data, size, true, &img);
        break;
    default:
        status = dl4c_error_set(DL4C_FORMAT, "not an image dl4c reads");
    }
    if (status != DL4C_OK) {
        dl4c_error_prefix(status, "%s", path);
        goto fail;
    }
    *info = (dl4c_image_info){(dl4c_image_format)fmt, img.width, img.height,
                              img.channels, img.depth};
fail:
    dl4c_raw_image_free(&img);
    dl4c_free(data);
    return status;
}

/* ---- one image into a fixed shape ------------------------------------ */

dl4c_image_options dl4c_image_options_default(void)
{
    dl4c_image_options o = {.channels = 0,
                            .height = 0,
                            .width = 0,
                            .resize = DL4C_RESIZE_BILINEAR,
                            .center_crop = false};
    return o;
}

/* Crops (o->center_crop) and resizes a decoded image of another size
 * into dst; *tmp and *crop are scratch buffers the caller frees. */
static dl4c_status fit_size(const dl4c_raw_image *img, const char *path,
                            const dl4c_image_options *o, int64_t height,
                            int64_t width, const char *ref, float *dst,
                            float **tmp, float **crop)
{
    if (!o || o->height <= 0)
        return dl4c_error_set(
            DL4C_SHAPE,
            "%s: %lldx%lld image (height x width), expected %lldx%lld%s%s%s; "
            "set a size to resize every image (--resize HxW)",
            path, (long long)img->height, (long long)img->width,
            (long long)height, (long long)width, ref ? " (the size of " : "",
            ref ? ref : "", ref ? ")" : "");
    int64_t h = img->height, w = img->width, c = img->channels;
    *tmp = dl4c_malloc((size_t)(h * w * c) * sizeof(float));
    if (!*tmp)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    dl4c_raw_image_to_float(img, true, *tmp);
    const float *src = *tmp;
    if (o->center_crop) {
        /* the largest centered window of the target's aspect ratio */
        int64_t ch = h, cw = w;
        if (w * height > h * width)
            cw = (h * width + height / 2) / height;
        else
            ch = (w * height + width / 2) / width;
        cw = cw < 1 ? 1 : cw;
        ch = ch < 1 ? 1 : ch;
        if (ch != h || cw != w) {
            *crop = dl4c_malloc((size_t)(ch * cw * c) * sizeof(float));
            if (!*crop)
                return dl4c_error_set(DL4C_NOMEM, "out of memory");
            int64_t top = (h - ch) / 2, left = (w - cw) / 2;
            for (int64_t y = 0; y < ch; y++)
                memcpy(*crop + y * cw * c, *tmp + ((top + y) * w + left) * c,
                       (size_t)(cw * c) * sizeof(float));
            src = *crop;
            h = ch;
            w = cw;
        }
    }
    dl4c_resize_hwc(src, h, w, c, dst, height, width, o->resize);
    return DL4C_OK;
}

dl4c_status dl4c_image_load_into(const char *path, const dl4c_image_options *o,
                                 int64_t height, int64_t width, int channels,
                                 const char *ref, float *dst, int64_t cap,
                                 dl4c_image_info *info)
{
    dl4c_status status = DL4C_OK;
    unsigned char *data = NULL;
    size_t size = 0;
    dl4c_raw_image img = {0};
    float *tmp = NULL, *crop = NULL;
    DL4C_CHECK(height > 0 && width > 0 && channels >= 1 && channels <= 4 &&
                   height * width * channels <= cap,
               DL4C_INVALID_ARG, "%s: bad target shape %lldx%lldx%d", path,
               (long long)height, (long long)width, channels);
    DL4C_TRY(dl4c_read_whole_file(path, MAX_FILE_BYTES, &data, &size));
    DL4C_TRY(dl4c_image_decode_raw(data, size, path, channels, &img, info));
    if (img.height == height && img.width == width) {
        dl4c_raw_image_to_float(&img, true, dst);
    } else {
        DL4C_TRY(fit_size(&img, path, o, height, width, ref, dst, &tmp, &crop));
    }
fail:
    dl4c_free(crop);
    dl4c_free(tmp);
    dl4c_raw_image_free(&img);
    dl4c_free(data);
    return status;
}

bool dl4c_image_path_supported(const char *path)
{
    static const char *const ext[] = {".png", ".jpg", ".jpeg", ".pgm", ".ppm",
                                      ".pbm", ".pnm", ".pam",  ".bmp"};
    if (!path)
        return false;
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return false;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (!strcasecmp(dot, ext[i]))
            return true;
    return false;
}
