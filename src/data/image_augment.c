/* Training-time image augmentation: random crop, flips and small
 * rotations, and an iterator applying them to every batch of another
 * iterator. Each example's draws come from a generator seeded by (seed,
 * epoch, position in the epoch), so an epoch's changes depend on nothing
 * else: a resumed run sees the same images, and the saved state needs
 * only the epoch. All changes are one inverse mapping from output to
 * source pixels, sampled bilinearly with the edges replicated. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "data/image_internal.h"
#include "data/iterator_internal.h"
#include "data/json_util_internal.h"

/* ---- parsing ----------------------------------------------------------- */

static bool parse_prob(const char *v, double *out)
{
    char *end = NULL;
    double p = v ? strtod(v, &end) : 0.5;
    if (v && (end == v || *end || !(p >= 0 && p <= 1)))
        return false;
    *out = p;
    return true;
}

dl4c_status dl4c_augment_parse(const char *text, dl4c_augment *out)
{
    dl4c_status status = DL4C_OK;
    char *copy = NULL;
    DL4C_CHECK(text && out, DL4C_INVALID_ARG, "augment: NULL argument");
    memset(out, 0, sizeof *out);
    copy = dl4c_strdup(text);
    if (!copy)
        DL4C_NOMEM_FAIL();
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        const char *v = NULL;
        if (eq) {
            *eq = '\0';
            v = eq + 1;
        }
        char *end = NULL;
        if (!strcmp(item, "hflip")) {
            DL4C_CHECK(parse_prob(v, &out->flip_horizontal), DL4C_INVALID_ARG,
                       "augment: hflip=%s is not a probability in [0, 1]", v);
        } else if (!strcmp(item, "vflip")) {
            DL4C_CHECK(parse_prob(v, &out->flip_vertical), DL4C_INVALID_ARG,
                       "augment: vflip=%s is not a probability in [0, 1]", v);
        } else if (!strcmp(item, "rotate") && v) {
            out->max_rotation = strtod(v, &end);
            DL4C_CHECK(end != v && !*end && out->max_rotation >= 0 &&
                           out->max_rotation <= 180,
                       DL4C_INVALID_ARG,
                       "augment: rotate=%s is not an angle in 0..180 degrees",
                       v);
        } else if (!strcmp(item, "crop") && v) {
            long long ch = 0, cw = 0;
            char tail = 0;
            DL4C_CHECK(sscanf(v, "%lldx%lld%c", &ch, &cw, &tail) == 2 &&
                           ch > 0 && cw > 0 && ch <= DL4C_IMAGE_MAX_SIDE &&
                           cw <= DL4C_IMAGE_MAX_SIDE,
                       DL4C_INVALID_ARG,
                       "augment: crop=%s is not HEIGHTxWIDTH (e.g. 24x24)", v);
            out->crop_height = ch;
            out->crop_width = cw;
        } else {
            DL4C_FAIL(DL4C_INVALID_ARG,
                      "augment: unknown item '%s' (hflip[=P], vflip[=P], "
                      "rotate=DEGREES, crop=HxW)",
                      item);
        }
    }
fail:
    dl4c_free(copy);
    return status;
}

/* ---- one image ------------------------------------------------------------
 */

static bool valid(const dl4c_augment *a)
{
    return a->flip_horizontal >= 0 && a->flip_horizontal <= 1 &&
           a->flip_vertical >= 0 && a->flip_vertical <= 1 &&
           a->max_rotation >= 0 && a->max_rotation <= 180 &&
           a->crop_height >= 0 && a->crop_width >= 0 &&
           (a->crop_height > 0) == (a->crop_width > 0);
}

static inline float sample(const float *src, int64_t h, int64_t w, int64_t c,
                           double y, double x, int64_t k)
{
    if (y < 0)
        y = 0;
    if (x < 0)
        x = 0;
    if (y > (double)(h - 1))
        y = (double)(h - 1);
    if (x > (double)(w - 1))
        x = (double)(w - 1);
    int64_t y0 = (int64_t)y, x0 = (int64_t)x;
    int64_t y1 = y0 + 1 < h ? y0 + 1 : y0, x1 = x0 + 1 < w ? x0 + 1 : x0;
    float fy = (float)(y - (double)y0), fx = (float)(x - (double)x0);
    float a = src[(y0 * w + x0) * c + k], b = src[(y0 * w + x1) * c + k];
    float d = src[(y1 * w + x0) * c + k], e = src[(y1 * w + x1) * c + k];
    float top = a + (b - a) * fx, bot = d + (e - d) * fx;
    return top + (bot - top) * fy;
}

/* The geometric change for one image, drawn from rng (always five draws,
 * so the stream does not depend on which changes are enabled). */
static void augment_pixels(const dl4c_augment *a, dl4c_rng *rng,
                           const float *src, int64_t h, int64_t w, int64_t c,
                           float *dst, int64_t oh, int64_t ow)
{
    uint64_t top = dl4c_rng_below(rng, (uint64_t)(h - oh + 1));
    uint64_t left = dl4c_rng_below(rng, (uint64_t)(w - ow + 1));
    bool hf = dl4c_rng_uniform(rng) < a->flip_horizontal;
    bool vf = dl4c_rng_uniform(rng) < a->flip_vertical;
    double angle = (2 * dl4c_rng_uniform(rng) - 1) * a->max_rotation;
    if (a->max_rotation == 0) {
        for (int64_t y = 0; y < oh; y++) {
            int64_t sy = (int64_t)top + (vf ? oh - 1 - y : y);
            for (int64_t x = 0; x < ow; x++) {
                int64_t sx = (int64_t)left + (hf ? ow - 1 - x : x);
                memcpy(dst + (y * ow + x) * c, src + (sy * w + sx) * c,
                       (size_t)c * sizeof(float));
            }
        }
        return;
    }
    double rad = angle * 3.14159265358979323846 / 180.0;
    double cs = cos(rad), sn = sin(rad);
    double cy = (double)(oh - 1) / 2, cx = (double)(ow - 1) / 2;
    for (int64_t y = 0; y < oh; y++) {
        for (int64_t x = 0; x < ow; x++) {
            /* rotate the output point back by -angle about the center */
            double dy = (double)y - cy, dx = (double)x - cx;
            double ry = cy + dx * sn + dy * cs, rx = cx + dx * cs - dy * sn;
            if (vf)
                ry = (double)(oh - 1) - ry;
            if (hf)
                rx = (double)(ow - 1) - rx;
            for (int64_t k = 0; k < c; k++)
                dst[(y * ow + x) * c + k] = sample(
                    src, h, w, c, ry + (double)top, rx + (double)left, k);
        }
    }
}

dl4c_status dl4c_image_augment(const dl4c_augment *a, dl4c_rng *rng,
                               const dl4c_tensor *src, dl4c_tensor *dst)
{
    dl4c_status status = DL4C_OK;
    DL4C_CHECK(a && rng && src && dst, DL4C_INVALID_ARG,
               "augment: NULL argument");
    DL4C_CHECK(valid(a), DL4C_INVALID_ARG,
               "augment: probabilities must be in [0, 1], the rotation in "
               "0..180 and the crop size both set or both 0");
    DL4C_CHECK(src->ndim == 3 && dst->ndim == 3 && src->dtype == DL4C_F32 &&
                   dst->dtype == DL4C_F32,
               DL4C_SHAPE, "augment: needs float32 images [H, W, C]");
    int64_t h = src->shape[0], w = src->shape[1], c = src->shape[2];
    int64_t oh = a->crop_height ? a->crop_height : h;
    int64_t ow = a->crop_width ? a->crop_width : w;
    DL4C_CHECK(oh <= h && ow <= w, DL4C_SHAPE,
               "augment: crop %lldx%lld is larger than the %lldx%lld image",
               (long long)oh, (long long)ow, (long long)h, (long long)w);
    DL4C_CHECK(dst->shape[0] == oh && dst->shape[1] == ow && dst->shape[2] == c,
               DL4C_SHAPE, "augment: output must be [%lld, %lld, %lld]",
               (long long)oh, (long long)ow, (long long)c);
    augment_pixels(a, rng, src->data, h, w, c, dst->data, oh, ow);
fail:
    return status;
}

/* ---- the iterator
 * ------------------------------------------------------------ */

typedef struct aug_iter {
    dl4c_iterator base; /* first */
    dl4c_iterator *inner;
    dl4c_augment aug;
    uint64_t seed;
    int64_t epoch;
    int64_t h, w, c, oh, ow;
    dl4c_tensor *xbuf;
    dl4c_tensor xview;
} aug_iter;

static bool aug_has_next(const dl4c_iterator *it)
{
    return dl4c_iterator_has_next(((const aug_iter *)it)->inner);
}

/* The buffer is sized by the first batch (the only allocation). */
static dl4c_status aug_next(dl4c_iterator *it, dl4c_batch_buffers *out)
{
    aug_iter *a = (aug_iter *)it;
    int64_t pos = dl4c_iterator_position(a->inner);
    dl4c_batch b;
    DL4C_RETURN_IF(dl4c_iterator_next(a->inner, &b));
    const dl4c_tensor *x = b.features;
    if (!a->xbuf) {
        if (x->ndim != 4 || x->dtype != DL4C_F32)
            return dl4c_error_set(DL4C_SHAPE,
                                  "augment: features must be float32 images "
                                  "[N, H, W, C], not rank %d",
                                  x->ndim);
        a->h = x->shape[1];
        a->w = x->shape[2];
        a->c = x->shape[3];
        a->oh = a->aug.crop_height ? a->aug.crop_height : a->h;
        a->ow = a->aug.crop_width ? a->aug.crop_width : a->w;
        if (a->oh > a->h || a->ow > a->w)
            return dl4c_error_set(DL4C_SHAPE,
                                  "augment: crop %lldx%lld is larger than "
                                  "the %lldx%lld images",
                                  (long long)a->oh, (long long)a->ow,
                                  (long long)a->h, (long long)a->w);
        int64_t shape[4] = {it->batch_size, a->oh, a->ow, a->c};
        DL4C_RETURN_IF(dl4c_tensor_create(DL4C_F32, 4, shape, &a->xbuf));
    }
    if (x->ndim != 4 || x->shape[1] != a->h || x->shape[2] != a->w ||
        x->shape[3] != a->c || b.size > it->batch_size)
        return dl4c_error_set(DL4C_SHAPE,
                              "augment: a batch of features does not have "
                              "the [N, %lld, %lld, %lld] shape of the first",
                              (long long)a->h, (long long)a->w,
                              (long long)a->c);
    int64_t in = a->h * a->w * a->c, on = a->oh * a->ow * a->c;
    for (int64_t i = 0; i < b.size; i++) {
        dl4c_rng rng;
        dl4c_rng_seed(&rng, a->seed ^ ((uint64_t)a->epoch << 40) ^
                                (uint64_t)(pos + i) * 0x9E3779B97F4A7C15ull);
        augment_pixels(&a->aug, &rng, (const float *)x->data + i * in, a->h,
                       a->w, a->c, (float *)a->xbuf->data + i * on, a->oh,
                       a->ow);
    }
    int64_t shape[4] = {b.size, a->oh, a->ow, a->c};
    dl4c_tensor_init_view(&a->xview, a->xbuf->backend, DL4C_F32, a->xbuf->data,
                          4, shape);
    out->size = b.size;
    out->features = &a->xview;
    /* the inner iterator's buffers, which it lets its user modify */
    out->labels = (dl4c_tensor *)b.labels;
    out->features_mask = (dl4c_tensor *)b.features_mask;
    out->labels_mask = (dl4c_tensor *)b.labels_mask;
    return DL4C_OK;
}

static dl4c_status aug_reset(dl4c_iterator *it)
{
    aug_iter *a = (aug_iter *)it;
    DL4C_RETURN_IF(dl4c_iterator_reset(a->inner));
    a->epoch++;
    return DL4C_OK;
}

static int64_t aug_count(const dl4c_iterator *it)
{
    return dl4c_iterator_count(((const aug_iter *)it)->inner);
}

static int64_t aug_position(const dl4c_iterator *it)
{
    return dl4c_iterator_position(((const aug_iter *)it)->inner);
}

static dl4c_status aug_state_save(const dl4c_iterator *it, json_t *state)
{
    const aug_iter *a = (const aug_iter *)it;
    char *inner = NULL;
    DL4C_RETURN_IF(dl4c_iterator_state_save(a->inner, &inner));
    json_t *obj = json_loads(inner, 0, NULL);
    dl4c_free(inner);
    if (!obj || json_object_set_new(state, "inner", obj) ||
        json_object_set_new(state, "epoch", json_integer(a->epoch)) ||
        json_object_set_new(state, "seed", dl4c_json_u64(a->seed)))
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return DL4C_OK;
}

static dl4c_status aug_state_load(dl4c_iterator *it, const json_t *state)
{
    aug_iter *a = (aug_iter *)it;
    const json_t *inner = json_object_get(state, "inner");
    const json_t *epoch = json_object_get(state, "epoch");
    uint64_t seed = 0;
    if (!json_is_object(inner) || !json_is_integer(epoch) ||
        json_integer_value(epoch) < 0 ||
        !dl4c_json_get_u64(json_object_get(state, "seed"), &seed))
        return dl4c_error_set(DL4C_FORMAT,
                              "iterator state: augment needs \"inner\", "
                              "\"epoch\" and \"seed\"");
    char *text = dl4c_json_dump(inner);
    if (!text)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    dl4c_status st = dl4c_iterator_state_load(a->inner, text);
    dl4c_free(text);
    if (st != DL4C_OK)
        return st;
    a->epoch = (int64_t)json_integer_value(epoch);
    a->seed = seed;
    return DL4C_OK;
}

static void aug_destroy(dl4c_iterator *it)
{
    aug_iter *a = (aug_iter *)it;
    dl4c_iterator_free(a->inner);
    dl4c_tensor_free(a->xbuf);
    dl4c_free(a);
}

static const dl4c_iterator_vtable aug_vtable = {
    .kind = "augment",
    .has_next = aug_has_next,
    .next = aug_next,
    .reset = aug_reset,
    .count = aug_count,
    .position = aug_position,
    .state_save = aug_state_save,
    .state_load = aug_state_load,
    .destroy = aug_destroy,
};

dl4c_status dl4c_iterator_augment(dl4c_iterator *inner, const dl4c_augment *a,
                                  uint64_t seed, dl4c_iterator **out)
{
    dl4c_status status = DL4C_OK;
    aug_iter *g = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "augment iterator: out is NULL");
    *out = NULL;
    DL4C_CHECK(inner && a, DL4C_INVALID_ARG, "augment iterator: NULL argument");
    DL4C_CHECK(valid(a), DL4C_INVALID_ARG,
               "augment: probabilities must be in [0, 1], the rotation in "
               "0..180 and the crop size both set or both 0");
    g = dl4c_calloc(1, sizeof *g);
    if (!g)
        DL4C_NOMEM_FAIL();
    g->base.vt = &aug_vtable;
    g->base.batch_size = inner->batch_size;
    g->inner = inner;
    inner = NULL;
    g->aug = *a;
    g->seed = seed;
    *out = &g->base;
    return DL4C_OK;
fail:
    dl4c_iterator_free(inner);
    if (g)
        aug_destroy(&g->base);
    return status;
}
