/* Normalizers: per-column statistics from training data, applied in place
 * along the last axis of features (and of regression labels on request).
 * Standardize uses the population standard deviation, so the fitted data
 * comes out with mean 0 and std 1; a zero-spread column is only shifted.
 * IMAGE needs no statistics and applies to any width. */
#include <math.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "data/dataset_internal.h"
#include "data/normalizer_internal.h"

static const char *const kind_names[] = {"standardize", "minmax", "image"};
_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == DL4C_NORM_COUNT,
               "kind_names must cover every dl4c_normalizer_kind");

dl4c_status dl4c_norm_stats_alloc(dl4c_norm_stats *s, int64_t cols)
{
    dl4c_norm_stats_clear(s);
    s->a = dl4c_calloc((size_t)cols, sizeof(double));
    s->b = dl4c_calloc((size_t)cols, sizeof(double));
    s->sub = dl4c_calloc((size_t)cols, sizeof(double));
    s->mul = dl4c_calloc((size_t)cols, sizeof(double));
    if (!s->a || !s->b || !s->sub || !s->mul) {
        dl4c_norm_stats_clear(s);
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    s->cols = cols;
    return DL4C_OK;
}

void dl4c_norm_stats_clear(dl4c_norm_stats *s)
{
    dl4c_free(s->a);
    dl4c_free(s->b);
    dl4c_free(s->sub);
    dl4c_free(s->mul);
    memset(s, 0, sizeof *s);
}

static void prepare_side(const dl4c_normalizer *n, dl4c_norm_stats *s)
{
    for (int64_t c = 0; c < s->cols; c++) {
        s->sub[c] = s->a[c];
        if (n->kind == DL4C_NORM_STANDARDIZE) {
            s->mul[c] = s->b[c] > 0 ? 1.0 / s->b[c] : 1.0;
        } else {
            double spread = s->b[c] - s->a[c];
            s->mul[c] = spread > 0 ? (n->hi - n->lo) / spread : 1.0;
        }
    }
}

void dl4c_normalizer_prepare(dl4c_normalizer *n)
{
    prepare_side(n, &n->x);
    prepare_side(n, &n->y);
}

dl4c_status dl4c_normalizer_create(dl4c_normalizer_kind kind,
                                   dl4c_normalizer **out)
{
    dl4c_status status = DL4C_OK;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "normalizer: out is NULL");
    *out = NULL;
    DL4C_CHECK((unsigned)kind < DL4C_NORM_COUNT, DL4C_INVALID_ARG,
               "normalizer: unknown kind %d", (int)kind);
    dl4c_normalizer *n = dl4c_calloc(1, sizeof *n);
    if (!n)
        DL4C_NOMEM_FAIL();
    n->kind = kind;
    n->lo = 0.0;
    n->hi = 1.0;
    n->max_pixel = 255.0;
    *out = n;
fail:
    return status;
}

void dl4c_normalizer_free(dl4c_normalizer *n)
{
    if (!n)
        return;
    dl4c_norm_stats_clear(&n->x);
    dl4c_norm_stats_clear(&n->y);
    dl4c_free(n);
}

dl4c_normalizer_kind dl4c_normalizer_get_kind(const dl4c_normalizer *n)
{
    return n->kind;
}

dl4c_status dl4c_normalizer_kind_parse(const char *name,
                                       dl4c_normalizer_kind *out)
{
    for (int k = 0; name && k < DL4C_NORM_COUNT; k++) {
        if (!strcmp(name, kind_names[k])) {
            *out = (dl4c_normalizer_kind)k;
            return DL4C_OK;
        }
    }
    return dl4c_error_set(DL4C_INVALID_ARG,
                          "unknown normalizer '%s' (standardize, minmax, "
                          "image)",
                          name ? name : "(null)");
}

const char *dl4c_normalizer_kind_name(dl4c_normalizer_kind kind)
{
    return (unsigned)kind < DL4C_NORM_COUNT ? kind_names[kind] : "invalid";
}

void dl4c_normalizer_set_range(dl4c_normalizer *n, double lo, double hi)
{
    if (!n || !isfinite(lo) || !isfinite(hi) || !(hi > lo))
        return;
    n->lo = lo;
    n->hi = hi;
    dl4c_normalizer_prepare(n);
}

void dl4c_normalizer_set_max_pixel(dl4c_normalizer *n, double max)
{
    if (n && isfinite(max) && max > 0)
        n->max_pixel = max;
}

void dl4c_normalizer_set_fit_labels(dl4c_normalizer *n, bool on)
{
    if (n)
        n->fit_labels = on;
}

static inline double get(const dl4c_tensor *t, int64_t i)
{
    return t->dtype == DL4C_F32 ? (double)((const float *)t->data)[i]
                                : ((const double *)t->data)[i];
}

static inline void put(dl4c_tensor *t, int64_t i, double v)
{
    if (t->dtype == DL4C_F32)
        ((float *)t->data)[i] = (float)v;
    else
        ((double *)t->data)[i] = v;
}

/* Statistics of the columns (last axis) of t into s. With a mask (one
 * value per row: sequences [N, T, F] with their [N, T] step mask), rows
 * whose mask is 0 (the padding after a short sequence) are left out. */
static dl4c_status fit_side(const dl4c_normalizer *n, const dl4c_tensor *t,
                            const dl4c_tensor *mask, const char *what,
                            dl4c_norm_stats *s)
{
    int64_t cols = dl4c_tensor_cols(t), rows = dl4c_tensor_rows(t);
    if (mask && mask->size != rows)
        mask = NULL;
    int64_t used = 0;
    DL4C_RETURN_IF(dl4c_norm_stats_alloc(s, cols));
    for (int64_t r = 0; r < rows; r++) {
        if (mask && get(mask, r) == 0)
            continue;
        for (int64_t c = 0; c < cols; c++) {
            double v = get(t, r * cols + c);
            if (!isfinite(v)) {
                dl4c_norm_stats_clear(s);
                return dl4c_error_set(DL4C_FORMAT,
                                      "normalizer fit: %s column %lld of "
                                      "row %lld is %g",
                                      what, (long long)c, (long long)r, v);
            }
            if (n->kind == DL4C_NORM_STANDARDIZE) {
                s->a[c] += v;
            } else if (used == 0) {
                s->a[c] = s->b[c] = v;
            } else {
                s->a[c] = v < s->a[c] ? v : s->a[c];
                s->b[c] = v > s->b[c] ? v : s->b[c];
            }
        }
        used++;
    }
    if (used == 0) {
        dl4c_norm_stats_clear(s);
        return dl4c_error_set(DL4C_FORMAT,
                              "normalizer fit: no %s rows to fit on (every "
                              "step is masked)",
                              what);
    }
    if (n->kind == DL4C_NORM_STANDARDIZE) {
        /* two passes: the mean first, then squared deviations from it */
        for (int64_t c = 0; c < cols; c++)
            s->a[c] /= (double)used;
        for (int64_t r = 0; r < rows; r++) {
            if (mask && get(mask, r) == 0)
                continue;
            for (int64_t c = 0; c < cols; c++) {
                double d = get(t, r * cols + c) - s->a[c];
                s->b[c] += d * d;
            }
        }
        for (int64_t c = 0; c < cols; c++)
            s->b[c] = sqrt(s->b[c] / (double)used);
    }
    prepare_side(n, s);
    return DL4C_OK;
}

dl4c_status dl4c_normalizer_fit(dl4c_normalizer *n, const dl4c_dataset *ds)
{
    dl4c_status status = DL4C_OK;
    dl4c_norm_stats x = {0}, y = {0};
    DL4C_CHECK(n && ds, DL4C_INVALID_ARG, "normalizer fit: NULL argument");
    if (n->kind == DL4C_NORM_IMAGE)
        return DL4C_OK;
    DL4C_TRY(fit_side(n, ds->features, ds->features_mask, "feature", &x));
    if (n->fit_labels && ds->labels && ds->num_classes == 0)
        DL4C_TRY(fit_side(n, ds->labels, ds->labels_mask, "label", &y));
    dl4c_norm_stats_clear(&n->x);
    dl4c_norm_stats_clear(&n->y);
    n->x = x;
    n->y = y;
    return DL4C_OK;
fail:
    dl4c_norm_stats_clear(&x);
    dl4c_norm_stats_clear(&y);
    return status;
}

static dl4c_status apply(const dl4c_normalizer *n, const dl4c_norm_stats *s,
                         dl4c_tensor *t, bool forward, bool labels)
{
    const char *what = labels ? "labels" : "features";
    if (!n || !t)
        return dl4c_error_set(DL4C_INVALID_ARG, "normalizer: NULL argument");
    if (t->dtype != DL4C_F32 && t->dtype != DL4C_F64)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "normalizer: %s have an invalid dtype", what);
    double add = n->kind == DL4C_NORM_STANDARDIZE ? 0.0 : n->lo;
    if (n->kind == DL4C_NORM_IMAGE) {
        if (labels)
            return DL4C_OK;
        double mul = (n->hi - n->lo) / n->max_pixel;
        for (int64_t i = 0; i < t->size; i++) {
            double v = get(t, i);
            put(t, i, forward ? v * mul + add : (v - add) / mul);
        }
        return DL4C_OK;
    }
    if (s->cols == 0) {
        if (labels)
            return DL4C_OK;
        return dl4c_error_set(DL4C_STATE,
                              "normalizer (%s) is not fitted: call "
                              "dl4c_normalizer_fit first",
                              kind_names[n->kind]);
    }
    int64_t cols = dl4c_tensor_cols(t), rows = dl4c_tensor_rows(t);
    if (t->ndim == 0 || cols != s->cols)
        return dl4c_error_set(DL4C_SHAPE,
                              "normalizer: %s have %lld columns (last dim) "
                              "but it was fitted on %lld",
                              what, (long long)cols, (long long)s->cols);
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t c = 0; c < cols; c++) {
            int64_t i = r * cols + c;
            double v = get(t, i);
            put(t, i,
                forward ? (v - s->sub[c]) * s->mul[c] + add
                        : (v - add) / s->mul[c] + s->sub[c]);
        }
    }
    return DL4C_OK;
}

dl4c_status dl4c_normalizer_transform(const dl4c_normalizer *n,
                                      dl4c_tensor *features)
{
    return apply(n, n ? &n->x : NULL, features, true, false);
}

dl4c_status dl4c_normalizer_revert(const dl4c_normalizer *n,
                                   dl4c_tensor *features)
{
    return apply(n, n ? &n->x : NULL, features, false, false);
}

dl4c_status dl4c_normalizer_transform_labels(const dl4c_normalizer *n,
                                             dl4c_tensor *y)
{
    return apply(n, n ? &n->y : NULL, y, true, true);
}

dl4c_status dl4c_normalizer_revert_labels(const dl4c_normalizer *n,
                                          dl4c_tensor *y)
{
    return apply(n, n ? &n->y : NULL, y, false, true);
}
