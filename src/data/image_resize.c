/* Image geometry on float HWC pixels: resizing (bilinear, area, nearest)
 * and cropping, for single images [H, W, C] and batches [N, H, W, C].
 * Coordinates follow the half-pixel convention: output pixel x covers
 * source [x * sx, (x + 1) * sx) with sx = W / W', and its center maps to
 * (x + 0.5) * sx - 0.5 in source pixel indices. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "data/image_internal.h"

static const char *const mode_names[] = {"bilinear", "area", "nearest"};
_Static_assert(sizeof mode_names / sizeof mode_names[0] == DL4C_RESIZE_COUNT,
               "one name per resize mode");

const char *dl4c_resize_mode_name(dl4c_resize_mode mode)
{
    return mode >= 0 && mode < DL4C_RESIZE_COUNT ? mode_names[mode] : "invalid";
}

dl4c_status dl4c_resize_mode_parse(const char *name, dl4c_resize_mode *out)
{
    for (int i = 0; name && i < DL4C_RESIZE_COUNT; i++)
        if (!strcmp(name, mode_names[i])) {
            *out = (dl4c_resize_mode)i;
            return DL4C_OK;
        }
    return dl4c_error_set(DL4C_INVALID_ARG,
                          "unknown resize mode '%s' (bilinear, area, "
                          "nearest)",
                          name ? name : "(null)");
}

static void resize_bilinear(const float *src, int64_t h, int64_t w, int64_t c,
                            float *dst, int64_t oh, int64_t ow)
{
    double sy = (double)h / (double)oh, sx = (double)w / (double)ow;
    for (int64_t oy = 0; oy < oh; oy++) {
        double fy = ((double)oy + 0.5) * sy - 0.5;
        if (fy < 0)
            fy = 0;
        int64_t y0 = (int64_t)fy;
        if (y0 > h - 1)
            y0 = h - 1;
        int64_t y1 = y0 + 1 < h ? y0 + 1 : h - 1;
        float wy = (float)(fy - (double)y0);
        const float *r0 = src + y0 * w * c, *r1 = src + y1 * w * c;
        float *o = dst + oy * ow * c;
        for (int64_t ox = 0; ox < ow; ox++) {
            double fx = ((double)ox + 0.5) * sx - 0.5;
            if (fx < 0)
                fx = 0;
            int64_t x0 = (int64_t)fx;
            if (x0 > w - 1)
                x0 = w - 1;
            int64_t x1 = x0 + 1 < w ? x0 + 1 : w - 1;
            float wx = (float)(fx - (double)x0);
            for (int64_t k = 0; k < c; k++) {
                float top =
                    r0[x0 * c + k] + (r0[x1 * c + k] - r0[x0 * c + k]) * wx;
                float bot =
                    r1[x0 * c + k] + (r1[x1 * c + k] - r1[x0 * c + k]) * wx;
                o[ox * c + k] = top + (bot - top) * wy;
            }
        }
    }
}

/* Source span and weights of each output position along one axis:
 * output i covers [i * scale, (i + 1) * scale); edge pixels count with the
 * fraction covered. Weights are normalized to sum to 1. */
typedef struct span {
    int64_t first, count;
    float *w;
} span;

static span *area_spans(int64_t in, int64_t out, float **pool)
{
    double scale = (double)in / (double)out;
    int64_t max = (int64_t)ceil(scale) + 2;
    span *s = dl4c_malloc((size_t)out * sizeof *s);
    *pool = dl4c_malloc((size_t)(out * max) * sizeof **pool);
    if (!s || !*pool) {
        dl4c_free(s);
        dl4c_free(*pool);
        *pool = NULL;
        return NULL;
    }
    for (int64_t i = 0; i < out; i++) {
        double a = (double)i * scale, b = a + scale;
        int64_t first = (int64_t)floor(a), last = (int64_t)ceil(b);
        if (last > in)
            last = in;
        s[i].first = first;
        s[i].count = last - first;
        s[i].w = *pool + i * max;
        for (int64_t k = 0; k < s[i].count; k++) {
            double x = (double)(first + k);
            s[i].w[k] = (float)((fmin(b, x + 1) - fmax(a, x)) / scale);
        }
    }
    return s;
}

/* Exact box filter, separable: rows are averaged into a [h, ow, c]
 * buffer, then columns. Each output pixel is the mean of the source area
 * it covers, partial pixels weighted by their covered fraction. */
static bool resize_area(const float *src, int64_t h, int64_t w, int64_t c,
                        float *dst, int64_t oh, int64_t ow)
{
    float *xpool = NULL, *ypool = NULL;
    span *xs = area_spans(w, ow, &xpool), *ys = area_spans(h, oh, &ypool);
    float *tmp = dl4c_malloc((size_t)(h * ow * c) * sizeof *tmp);
    bool ok = xs && ys && tmp;
    if (ok) {
        for (int64_t y = 0; y < h; y++) {
            const float *row = src + y * w * c;
            float *t = tmp + y * ow * c;
            for (int64_t x = 0; x < ow; x++) {
                const span *sp = &xs[x];
                for (int64_t k = 0; k < c; k++) {
                    float acc = 0;
                    for (int64_t j = 0; j < sp->count; j++)
                        acc += sp->w[j] * row[(sp->first + j) * c + k];
                    t[x * c + k] = acc;
                }
            }
        }
        for (int64_t y = 0; y < oh; y++) {
            const span *sp = &ys[y];
            float *o = dst + y * ow * c;
            for (int64_t i = 0; i < ow * c; i++)
                o[i] = 0;
            for (int64_t j = 0; j < sp->count; j++) {
                const float *t = tmp + (sp->first + j) * ow * c;
                float wj = sp->w[j];
                for (int64_t i = 0; i < ow * c; i++)
                    o[i] += wj * t[i];
            }
        }
    }
    dl4c_free(xs);
    dl4c_free(ys);
    dl4c_free(xpool);
    dl4c_free(ypool);
    dl4c_free(tmp);
    return ok;
}

static void resize_nearest(const float *src, int64_t h, int64_t w, int64_t c,
                           float *dst, int64_t oh, int64_t ow)
{
    for (int64_t oy = 0; oy < oh; oy++) {
        int64_t y = (int64_t)(((double)oy + 0.5) * (double)h / (double)oh);
        if (y > h - 1)
            y = h - 1;
        for (int64_t ox = 0; ox < ow; ox++) {
            int64_t x = (int64_t)(((double)ox + 0.5) * (double)w / (double)ow);
            if (x > w - 1)
                x = w - 1;
            memcpy(dst + (oy * ow + ox) * c, src + (y * w + x) * c,
                   (size_t)c * sizeof(float));
        }
    }
}

void dl4c_resize_hwc(const float *src, int64_t h, int64_t w, int64_t c,
                     float *dst, int64_t oh, int64_t ow, dl4c_resize_mode mode)
{
    if (oh == h && ow == w) {
        memcpy(dst, src, (size_t)(h * w * c) * sizeof(float));
        return;
    }
    if (mode == DL4C_RESIZE_NEAREST)
        resize_nearest(src, h, w, c, dst, oh, ow);
    else if (mode == DL4C_RESIZE_AREA && oh <= h && ow <= w &&
             resize_area(src, h, w, c, dst, oh, ow))
        return;
    else /* upscaling, or no memory for the area filter's buffers */
        resize_bilinear(src, h, w, c, dst, oh, ow);
}

/* Splits an image or batch tensor into (n, h, w, c). */
static dl4c_status image_dims(const dl4c_tensor *t, const char *what,
                              int64_t d[4])
{
    if (!t || t->dtype != DL4C_F32 || (t->ndim != 3 && t->ndim != 4))
        return dl4c_error_set(DL4C_SHAPE,
                              "%s: needs a float32 image [H, W, C] or batch "
                              "[N, H, W, C]",
                              what);
    int off = t->ndim == 4;
    d[0] = off ? t->shape[0] : 1;
    d[1] = t->shape[off];
    d[2] = t->shape[off + 1];
    d[3] = t->shape[off + 2];
    return DL4C_OK;
}

static dl4c_status like(const dl4c_tensor *t, int64_t h, int64_t w,
                        dl4c_tensor **out)
{
    int64_t shape[4];
    int off = t->ndim == 4;
    if (off)
        shape[0] = t->shape[0];
    shape[off] = h;
    shape[off + 1] = w;
    shape[off + 2] = t->shape[off + 2];
    return dl4c_tensor_create(DL4C_F32, t->ndim, shape, out);
}

dl4c_status dl4c_image_resize(const dl4c_tensor *src, int64_t height,
                              int64_t width, dl4c_resize_mode mode,
                              dl4c_tensor **out)
{
    dl4c_status status = DL4C_OK;
    int64_t d[4] = {0, 0, 0, 0};
    DL4C_CHECK(out, DL4C_INVALID_ARG, "image resize: out is NULL");
    *out = NULL;
    DL4C_TRY(image_dims(src, "image resize", d));
    DL4C_CHECK(height >= 1 && width >= 1 && height <= DL4C_IMAGE_MAX_SIDE &&
                   width <= DL4C_IMAGE_MAX_SIDE,
               DL4C_INVALID_ARG, "image resize: size %lldx%lld out of range",
               (long long)height, (long long)width);
    DL4C_CHECK(mode >= 0 && mode < DL4C_RESIZE_COUNT, DL4C_INVALID_ARG,
               "image resize: bad mode %d", (int)mode);
    DL4C_TRY(like(src, height, width, out));
    const float *s = src->data;
    float *o = (*out)->data;
    for (int64_t i = 0; i < d[0]; i++)
        dl4c_resize_hwc(s + i * d[1] * d[2] * d[3], d[1], d[2], d[3],
                        o + i * height * width * d[3], height, width, mode);
fail:
    return status;
}

dl4c_status dl4c_image_crop(const dl4c_tensor *src, int64_t top, int64_t left,
                            int64_t height, int64_t width, dl4c_tensor **out)
{
    dl4c_status status = DL4C_OK;
    int64_t d[4] = {0, 0, 0, 0};
    DL4C_CHECK(out, DL4C_INVALID_ARG, "image crop: out is NULL");
    *out = NULL;
    DL4C_TRY(image_dims(src, "image crop", d));
    DL4C_CHECK(top >= 0 && left >= 0 && height >= 1 && width >= 1 &&
                   top + height <= d[1] && left + width <= d[2],
               DL4C_SHAPE,
               "image crop: window %lldx%lld at (%lld, %lld) is not inside "
               "the %lldx%lld image",
               (long long)height, (long long)width, (long long)top,
               (long long)left, (long long)d[1], (long long)d[2]);
    DL4C_TRY(like(src, height, width, out));
    const float *s = src->data;
    float *o = (*out)->data;
    int64_t c = d[3];
    for (int64_t i = 0; i < d[0]; i++)
        for (int64_t y = 0; y < height; y++)
            memcpy(o + ((i * height + y) * width) * c,
                   s + ((i * d[1] + top + y) * d[2] + left) * c,
                   (size_t)(width * c) * sizeof(float));
fail:
    return status;
}

dl4c_status dl4c_image_center_crop(const dl4c_tensor *src, int64_t height,
                                   int64_t width, dl4c_tensor **out)
{
    int64_t d[4] = {0, 0, 0, 0};
    if (out)
        *out = NULL;
    DL4C_RETURN_IF(image_dims(src, "image center crop", d));
    return dl4c_image_crop(src, (d[1] - height) / 2, (d[2] - width) / 2, height,
                           width, out);
}
