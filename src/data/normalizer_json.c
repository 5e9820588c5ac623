/* The JSON form of a normalizer, stored in model files:
 *
 *   {"type": "standardize", "version": 1, "fit_labels": false,
 *    "features": {"mean": [...], "std": [...]},
 *    "labels": {"mean": [...], "std": [...]}}          (when fitted)
 *   {"type": "minmax", ..., "range": [0, 1],
 *    "features": {"min": [...], "max": [...]}}
 *   {"type": "image", ..., "range": [0, 1], "max_pixel": 255}
 *
 * Numbers are written with 17 significant digits, so a round trip gives
 * the same doubles. Parsing checks every field before building. */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/json_util_internal.h"
#include "data/normalizer_internal.h"

#define FORMAT_VERSION 1

static const char *stat_key(const dl4c_normalizer *n, int which)
{
    if (n->kind == DL4C_NORM_STANDARDIZE)
        return which ? "std" : "mean";
    return which ? "max" : "min";
}

static json_t *doubles(const double *v, int64_t n)
{
    json_t *a = json_array();
    for (int64_t i = 0; a && i < n; i++) {
        if (json_array_append_new(a, json_real(v[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *side_json(const dl4c_normalizer *n, const dl4c_norm_stats *s)
{
    json_t *o = json_object();
    if (!o || json_object_set_new(o, stat_key(n, 0), doubles(s->a, s->cols)) ||
        json_object_set_new(o, stat_key(n, 1), doubles(s->b, s->cols))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

dl4c_status dl4c_normalizer_write(const dl4c_normalizer *n, char **json)
{
    dl4c_status status = DL4C_OK;
    json_t *root = NULL;
    DL4C_CHECK(json, DL4C_INVALID_ARG, "normalizer write: out is NULL");
    *json = NULL;
    DL4C_CHECK(n, DL4C_INVALID_ARG, "normalizer write: NULL normalizer");
    root = json_object();
    if (!root)
        DL4C_NOMEM_FAIL();
    int bad = json_object_set_new(
        root, "type", json_string(dl4c_normalizer_kind_name(n->kind)));
    bad |= json_object_set_new(root, "version", json_integer(FORMAT_VERSION));
    bad |= json_object_set_new(root, "fit_labels", json_boolean(n->fit_labels));
    if (n->kind != DL4C_NORM_STANDARDIZE) {
        json_t *range = json_array();
        bad |= !range || json_array_append_new(range, json_real(n->lo)) ||
               json_array_append_new(range, json_real(n->hi));
        bad |= json_object_set_new(root, "range", range);
    }
    if (n->kind == DL4C_NORM_IMAGE)
        bad |= json_object_set_new(root, "max_pixel", json_real(n->max_pixel));
    if (n->x.cols)
        bad |= json_object_set_new(root, "features", side_json(n, &n->x));
    if (n->y.cols)
        bad |= json_object_set_new(root, "labels", side_json(n, &n->y));
    if (bad)
        DL4C_NOMEM_FAIL();
    *json = dl4c_json_dump(root);
    if (!*json)
        DL4C_NOMEM_FAIL();
fail:
    json_decref(root);
    return status;
}

static dl4c_status parse_doubles(const json_t *a, const char *what, int64_t *n,
                                 double **out)
{
    *out = NULL;
    if (!json_is_array(a) || json_array_size(a) == 0)
        return dl4c_error_set(DL4C_FORMAT,
                              "normalizer JSON: \"%s\" is not a non-empty "
                              "array of numbers",
                              what);
    *n = (int64_t)json_array_size(a);
    double *v = dl4c_malloc((size_t)*n * sizeof *v);
    if (!v)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    for (int64_t i = 0; i < *n; i++) {
        const json_t *e = json_array_get(a, (size_t)i);
        if (!json_is_number(e) || !isfinite(json_number_value(e))) {
            dl4c_free(v);
            return dl4c_error_set(DL4C_FORMAT,
                                  "normalizer JSON: \"%s\"[%lld] is not a "
                                  "finite number",
                                  what, (long long)i);
        }
        v[i] = json_number_value(e);
    }
    *out = v;
    return DL4C_OK;
}

static dl4c_status parse_side(const dl4c_normalizer *n, const json_t *o,
                              const char *what, dl4c_norm_stats *s)
{
    dl4c_status status = DL4C_OK;
    double *a = NULL, *b = NULL;
    int64_t na = 0, nb = 0;
    DL4C_CHECK(json_is_object(o), DL4C_FORMAT,
               "normalizer JSON: \"%s\" is not an object", what);
    DL4C_TRY(parse_doubles(json_object_get(o, stat_key(n, 0)), stat_key(n, 0),
                           &na, &a));
    DL4C_TRY(parse_doubles(json_object_get(o, stat_key(n, 1)), stat_key(n, 1),
                           &nb, &b));
    DL4C_CHECK(na == nb, DL4C_FORMAT,
               "normalizer JSON: \"%s\" has %lld %s but %lld %s", what,
               (long long)na, stat_key(n, 0), (long long)nb, stat_key(n, 1));
    for (int64_t c = 0; c < na; c++) {
        if (n->kind == DL4C_NORM_STANDARDIZE)
            DL4C_CHECK(b[c] >= 0, DL4C_FORMAT,
                       "normalizer JSON: %s std[%lld] = %g is negative", what,
                       (long long)c, b[c]);
        else
            DL4C_CHECK(b[c] >= a[c], DL4C_FORMAT,
                       "normalizer JSON: %s max[%lld] = %g is below min %g",
                       what, (long long)c, b[c], a[c]);
    }
    DL4C_TRY(dl4c_norm_stats_alloc(s, na));
    memcpy(s->a, a, (size_t)na * sizeof *a);
    memcpy(s->b, b, (size_t)na * sizeof *b);
fail:
    dl4c_free(a);
    dl4c_free(b);
    return status;
}

dl4c_status dl4c_normalizer_parse(const char *json, dl4c_normalizer **out)
{
    dl4c_status status = DL4C_OK;
    json_t *root = NULL;
    dl4c_normalizer *n = NULL;
    json_error_t err;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "normalizer parse: out is NULL");
    *out = NULL;
    DL4C_CHECK(json, DL4C_INVALID_ARG, "normalizer parse: NULL text");
    root = json_loads(json, JSON_REJECT_DUPLICATES, &err);
    DL4C_CHECK(root, DL4C_FORMAT, "normalizer JSON: line %d column %d: %s",
               err.line, err.column, err.text);
    DL4C_CHECK(json_is_object(root), DL4C_FORMAT,
               "normalizer JSON: not an object");
    const json_t *type = json_object_get(root, "type");
    DL4C_CHECK(json_is_string(type), DL4C_FORMAT,
               "normalizer JSON: missing \"type\"");
    dl4c_normalizer_kind kind;
    status = dl4c_normalizer_kind_parse(json_string_value(type), &kind);
    if (status != DL4C_OK) {
        status = dl4c_error_prefix(DL4C_FORMAT, "normalizer JSON");
        goto fail;
    }
    const json_t *version = json_object_get(root, "version");
    DL4C_CHECK(!version || (json_is_integer(version) &&
                            json_integer_value(version) == FORMAT_VERSION),
               DL4C_FORMAT,
               "normalizer JSON: unsupported \"version\" (this dl4c reads "
               "%d)",
               FORMAT_VERSION);
    DL4C_TRY(dl4c_normalizer_create(kind, &n));
    const json_t *fl = json_object_get(root, "fit_labels");
    DL4C_CHECK(!fl || json_is_boolean(fl), DL4C_FORMAT,
               "normalizer JSON: \"fit_labels\" is not true or false");
    n->fit_labels = fl && json_is_true(fl);
    const json_t *range = json_object_get(root, "range");
    if (range) {
        const json_t *lo = json_array_get(range, 0);
        const json_t *hi = json_array_get(range, 1);
        DL4C_CHECK(json_array_size(range) == 2 && json_is_number(lo) &&
                       json_is_number(hi) &&
                       json_number_value(hi) > json_number_value(lo),
                   DL4C_FORMAT,
                   "normalizer JSON: \"range\" is not [lo, hi] with lo < hi");
        n->lo = json_number_value(lo);
        n->hi = json_number_value(hi);
    }
    const json_t *mp = json_object_get(root, "max_pixel");
    if (mp) {
        DL4C_CHECK(json_is_number(mp) && json_number_value(mp) > 0 &&
                       isfinite(json_number_value(mp)),
                   DL4C_FORMAT,
                   "normalizer JSON: \"max_pixel\" is not a positive number");
        n->max_pixel = json_number_value(mp);
    }
    const json_t *x = json_object_get(root, "features");
    const json_t *y = json_object_get(root, "labels");
    if (n->kind != DL4C_NORM_IMAGE) {
        if (x)
            DL4C_TRY(parse_side(n, x, "features", &n->x));
        if (y) {
            DL4C_CHECK(x, DL4C_FORMAT,
                       "normalizer JSON: \"labels\" without \"features\"");
            DL4C_TRY(parse_side(n, y, "labels", &n->y));
        }
    }
    dl4c_normalizer_prepare(n);
    *out = n;
    n = NULL;
fail:
    dl4c_normalizer_free(n);
    json_decref(root);
    return status;
}
