/* Data analysis: rows of text cells accumulate per column (numbers,
 * date-times, category counts); finish() infers each column's type and
 * computes its statistics; drift compares two tables column by column
 * with the population stability index; the JSON form carries it all. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/analysis_internal.h"
#include "data/csv_table_internal.h"
#include "data/drift_internal.h"
#include "data/json_util_internal.h"
#include "data/transform_internal.h"

#define PSI_BINS 10
#define PSI_FLOOR 1e-4

static const char *const missing_words[] = {"NA",   "N/A",  "NaN", "nan",
                                            "null", "NULL", "?"};

static bool is_missing(const char *s)
{
    if (!s || !*s)
        return true;
    for (size_t i = 0; i < sizeof missing_words / sizeof missing_words[0]; i++)
        if (!strcmp(s, missing_words[i]))
            return true;
    return false;
}

dl4c_status dl4c_analysis_create(const char *name, int ncols,
                                 const char *const *columns,
                                 dl4c_analysis **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_analysis *a = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "analysis: out is NULL");
    *out = NULL;
    DL4C_CHECK(ncols >= 1 && ncols <= 100000 && columns, DL4C_INVALID_ARG,
               "analysis: %d columns (1..100000)", ncols);
    a = dl4c_calloc(1, sizeof *a);
    if (!a || !(a->name = dl4c_strdup(name ? name : "data")))
        DL4C_NOMEM_FAIL();
    a->cols = dl4c_calloc((size_t)ncols, sizeof *a->cols);
    if (!a->cols)
        DL4C_NOMEM_FAIL();
    a->ncols = ncols;
    for (int i = 0; i < ncols; i++) {
        a->cols[i].name = dl4c_strdup(columns[i] ? columns[i] : "");
        if (!a->cols[i].name)
            DL4C_NOMEM_FAIL();
    }
    *out = a;
    return DL4C_OK;
fail:
    dl4c_analysis_free(a);
    return status;
}

void dl4c_analysis_free(dl4c_analysis *a)
{
    if (!a)
        return;
    for (int i = 0; a->cols && i < a->ncols; i++) {
        dl4c_acol *c = &a->cols[i];
        dl4c_free(c->name);
        dl4c_free(c->num);
        dl4c_free(c->time);
        dl4c_strmap_free(&c->cats);
        for (int k = 0; k < c->ntop; k++)
            dl4c_free(c->top[k]);
        dl4c_free(c->top);
        dl4c_free(c->top_count);
    }
    dl4c_free(a->cols);
    dl4c_free(a->name);
    dl4c_free(a);
}

static bool push(double **v, int64_t *n, int64_t *cap, double x)
{
    if (*n == *cap) {
        int64_t c = *cap ? *cap * 2 : 1024;
        double *p = dl4c_realloc(*v, (size_t)c * sizeof *p);
        if (!p)
            return false;
        *v = p;
        *cap = c;
    }
    (*v)[(*n)++] = x;
    return true;
}

dl4c_status dl4c_analysis_add_row(dl4c_analysis *a, const char *const *cells)
{
    if (!a || !cells)
        return dl4c_error_set(DL4C_INVALID_ARG, "analysis: NULL argument");
    if (a->finished)
        return dl4c_error_set(DL4C_STATE, "analysis: already finished");
    for (int i = 0; i < a->ncols; i++) {
        dl4c_acol *c = &a->cols[i];
        const char *s = cells[i];
        if (is_missing(s)) {
            c->missing++;
            continue;
        }
        c->present++;
        char *end = NULL;
        double v = strtod(s, &end);
        while (end && (*end == ' ' || *end == '\t'))
            end++;
        if (end != s && !*end && isfinite(v)) {
            if (!push(&c->num, &c->nnum, &c->cap, v))
                return dl4c_error_set(DL4C_NOMEM, "out of memory");
            c->integral += v == floor(v) && !strpbrk(s, ".eE");
        } else if (strchr(s, '-') && dl4c_parse_time(s, NULL, &v)) {
            if (!push(&c->time, &c->ntime, &c->time_cap, v))
                return dl4c_error_set(DL4C_NOMEM, "out of memory");
        }
        if (!c->capped) {
            if (c->cats.n >= DL4C_ANALYSIS_MAX_DISTINCT &&
                !dl4c_strmap_get(&c->cats, s))
                c->capped = true;
            else
                DL4C_RETURN_IF(dl4c_strmap_add(&c->cats, s, 1));
        }
    }
    a->rows++;
    return DL4C_OK;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Linear interpolation between order statistics (numpy's default). */
static double quantile(const double *sorted, int64_t n, double q)
{
    double pos = q * (double)(n - 1);
    int64_t lo = (int64_t)floor(pos);
    int64_t hi = lo + 1 < n ? lo + 1 : lo;
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - (double)lo);
}

bool dl4c_acol_numeric(const dl4c_acol *c)
{
    return c->s.type == DL4C_COL_INTEGER || c->s.type == DL4C_COL_DOUBLE ||
           c->s.type == DL4C_COL_TIME;
}

const double *dl4c_acol_values(const dl4c_acol *c, int64_t *n)
{
    if (c->s.type == DL4C_COL_TIME) {
        *n = c->ntime;
        return c->time;
    }
    *n = dl4c_acol_numeric(c) ? c->nnum : 0;
    return c->num;
}

typedef struct kv {
    const char *key;
    int64_t count;
} kv;

static int cmp_kv(const void *x, const void *y)
{
    const kv *a = x, *b = y;
    if (a->count != b->count)
        return a->count < b->count ? 1 : -1;
    return strcmp(a->key, b->key);
}

static dl4c_status finish_column(dl4c_acol *c, int64_t rows)
{
    dl4c_column_summary *s = &c->s;
    s->name = c->name;
    s->count = c->present;
    s->missing = c->missing;
    s->distinct = (int64_t)c->cats.n;
    s->min = s->max = s->mean = s->std = NAN;
    s->q05 = s->q25 = s->median = s->q75 = s->q95 = NAN;
    int64_t limit = rows / 20 > 20 ? rows / 20 : 20;
    if (c->present > 0 && c->nnum == c->present)
        s->type = c->integral == c->nnum ? DL4C_COL_INTEGER : DL4C_COL_DOUBLE;
    else if (c->present > 0 && c->ntime == c->present)
        s->type = DL4C_COL_TIME;
    else if (!c->capped && s->distinct <= limit)
        s->type = DL4C_COL_CATEGORICAL;
    else
        s->type = DL4C_COL_STRING;
    if (dl4c_acol_numeric(c)) {
        int64_t n = 0;
        double *v = (double *)dl4c_acol_values(c, &n);
        qsort(v, (size_t)n, sizeof *v, cmp_double);
        double sum = 0, sq = 0;
        for (int64_t i = 0; i < n; i++)
            sum += v[i];
        s->mean = sum / (double)n;
        for (int64_t i = 0; i < n; i++)
            sq += (v[i] - s->mean) * (v[i] - s->mean);
        s->std = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
        s->min = v[0];
        s->max = v[n - 1];
        s->q05 = quantile(v, n, 0.05);
        s->q25 = quantile(v, n, 0.25);
        s->median = quantile(v, n, 0.5);
        s->q75 = quantile(v, n, 0.75);
        s->q95 = quantile(v, n, 0.95);
        return DL4C_OK;
    }
    /* the most frequent values */
    kv *all = dl4c_malloc((c->cats.n ? c->cats.n : 1) * sizeof *all);
    if (!all)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < c->cats.cap; i++)
        if (c->cats.keys[i])
            all[k++] = (kv){c->cats.keys[i], c->cats.counts[i]};
    qsort(all, k, sizeof *all, cmp_kv);
    int ntop = k < DL4C_ANALYSIS_TOP ? (int)k : DL4C_ANALYSIS_TOP;
    c->top = dl4c_calloc((size_t)(ntop ? ntop : 1), sizeof *c->top);
    c->top_count = dl4c_calloc((size_t)(ntop ? ntop : 1), sizeof *c->top_count);
    dl4c_status st = c->top && c->top_count
                         ? DL4C_OK
                         : dl4c_error_set(DL4C_NOMEM, "out of memory");
    for (int i = 0; st == DL4C_OK && i < ntop; i++) {
        c->top[i] = dl4c_strdup(all[i].key);
        c->top_count[i] = all[i].count;
        if (!c->top[i])
            st = dl4c_error_set(DL4C_NOMEM, "out of memory");
        else
            c->ntop = i + 1;
    }
    dl4c_free(all);
    return st;
}

dl4c_status dl4c_analysis_finish(dl4c_analysis *a)
{
    if (!a)
        return dl4c_error_set(DL4C_INVALID_ARG, "analysis: NULL");
    if (a->finished)
        return dl4c_error_set(DL4C_STATE, "analysis: already finished");
    if (a->rows == 0)
        return dl4c_error_set(DL4C_STATE, "analysis: %s has no rows", a->name);
    for (int i = 0; i < a->ncols; i++)
        DL4C_RETURN_IF(finish_column(&a->cols[i], a->rows));
    a->finished = true;
    return DL4C_OK;
}

dl4c_status dl4c_analysis_csv(const char *path, char delimiter, bool header,
                              dl4c_analysis **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_csv_table t = {0};
    dl4c_analysis *a = NULL;
    const char **row = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "analysis: out is NULL");
    *out = NULL;
    DL4C_CHECK(path, DL4C_INVALID_ARG, "analysis: NULL path");
    DL4C_TRY(dl4c_csv_table_read(path, delimiter, header, &t));
    const char *base = strrchr(path, '/');
    DL4C_TRY(dl4c_analysis_create(base ? base + 1 : path, t.ncols,
                                  (const char *const *)t.header, &a));
    row = dl4c_malloc((size_t)t.ncols * sizeof *row);
    if (!row)
        DL4C_NOMEM_FAIL();
    for (int64_t r = 0; r < t.nrows; r++) {
        for (int c = 0; c < t.ncols; c++)
            row[c] = dl4c_csv_table_cell(&t, r, c);
        DL4C_TRY(dl4c_analysis_add_row(a, row));
    }
    DL4C_TRY(dl4c_analysis_finish(a));
    *out = a;
    a = NULL;
fail:
    dl4c_free(row);
    dl4c_csv_table_free(&t);
    dl4c_analysis_free(a);
    return status;
}

int64_t dl4c_analysis_rows(const dl4c_analysis *a)
{
    return a ? a->rows : 0;
}

int dl4c_analysis_num_columns(const dl4c_analysis *a)
{
    return a ? a->ncols : 0;
}

dl4c_status dl4c_analysis_column(const dl4c_analysis *a, int i,
                                 dl4c_column_summary *out)
{
    if (!a || !out || i < 0 || i >= a->ncols)
        return dl4c_error_set(DL4C_INVALID_ARG, "analysis: no column %d", i);
    if (!a->finished)
        return dl4c_error_set(DL4C_STATE, "analysis: not finished");
    *out = a->cols[i].s;
    return DL4C_OK;
}

int64_t dl4c_analysis_category_count(const dl4c_analysis *a, int i,
                                     const char *value)
{
    if (!a || i < 0 || i >= a->ncols || !value)
        return 0;
    return dl4c_strmap_get(&a->cols[i].cats, value);
}

int dl4c_analysis_find(const dl4c_analysis *a, const char *name)
{
    for (int i = 0; i < a->ncols; i++)
        if (!strcmp(a->cols[i].name, name))
            return i;
    return -1;
}

/* PSI over the union of categories. */
static double category_psi(const dl4c_acol *e, const dl4c_acol *c)
{
    double sum = 0, ne = (double)e->present, na = (double)c->present;
    for (int pass = 0; pass < 2; pass++) {
        const dl4c_acol *from = pass ? c : e;
        for (size_t i = 0; i < from->cats.cap; i++) {
            const char *k = from->cats.keys[i];
            if (!k || (pass && dl4c_strmap_get(&e->cats, k)))
                continue; /* each key once */
            double pe = ne > 0 ? (double)dl4c_strmap_get(&e->cats, k) / ne : 0;
            double pa = na > 0 ? (double)dl4c_strmap_get(&c->cats, k) / na : 0;
            pe = pe < PSI_FLOOR ? PSI_FLOOR : pe;
            pa = pa < PSI_FLOOR ? PSI_FLOOR : pa;
            sum += (pa - pe) * log(pa / pe);
        }
    }
    return sum;
}

dl4c_status dl4c_analysis_drift(const dl4c_analysis *a, const dl4c_analysis *b,
                                int i, double *psi)
{
    if (!a || !b || !psi || i < 0 || i >= b->ncols)
        return dl4c_error_set(DL4C_INVALID_ARG, "drift: bad argument");
    if (!a->finished || !b->finished)
        return dl4c_error_set(DL4C_STATE, "drift: not finished");
    *psi = NAN;
    const dl4c_acol *c = &b->cols[i];
    int j = dl4c_analysis_find(a, c->name);
    if (j < 0)
        return dl4c_error_set(DL4C_FORMAT, "drift: %s has no column '%s'",
                              a->name, c->name);
    const dl4c_acol *e = &a->cols[j];
    if (dl4c_acol_numeric(e) != dl4c_acol_numeric(c))
        return dl4c_error_set(
            DL4C_FORMAT, "drift: column '%s' is %s in %s and %s in %s", c->name,
            dl4c_column_type_name(e->s.type), a->name,
            dl4c_column_type_name(c->s.type), b->name);
    if (!dl4c_acol_numeric(e)) {
        *psi = category_psi(e, c);
        return DL4C_OK;
    }
    int64_t ne = 0, nc = 0;
    const double *ve = dl4c_acol_values(e, &ne), *vc = dl4c_acol_values(c, &nc);
    return dl4c_drift_psi(ve, ne, vc, nc, PSI_BINS, psi);
}

/* ---- JSON ------------------------------------------------------------------
 */

static json_t *number(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *column_json(const dl4c_acol *c)
{
    const dl4c_column_summary *s = &c->s;
    json_t *o = json_pack(
        "{s:s, s:s, s:I, s:I, s:I}", "name", c->name, "type",
        dl4c_column_type_name(s->type), "count", (json_int_t)s->count,
        "missing", (json_int_t)s->missing, "distinct", (json_int_t)s->distinct);
    if (!o)
        return NULL;
    int bad = 0;
    if (dl4c_acol_numeric(c)) {
        bad |= json_object_set_new(o, "min", number(s->min));
        bad |= json_object_set_new(o, "max", number(s->max));
        bad |= json_object_set_new(o, "mean", number(s->mean));
        bad |= json_object_set_new(o, "std", number(s->std));
        json_t *q =
            json_pack("{s:o, s:o, s:o, s:o, s:o}", "0.05", number(s->q05),
                      "0.25", number(s->q25), "0.5", number(s->median), "0.75",
                      number(s->q75), "0.95", number(s->q95));
        bad |= json_object_set_new(o, "quantiles", q);
    } else {
        json_t *top = json_object();
        for (int k = 0; top && k < c->ntop; k++)
            bad |= json_object_set_new(top, c->top[k],
                                       json_integer(c->top_count[k]));
        bad |= json_object_set_new(o, "top", top);
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *table_json(const dl4c_analysis *a)
{
    json_t *cols = json_array();
    for (int i = 0; cols && i < a->ncols; i++)
        if (json_array_append_new(cols, column_json(&a->cols[i]))) {
            json_decref(cols);
            return NULL;
        }
    return json_pack("{s:s, s:I, s:o}", "name", a->name, "rows",
                     (json_int_t)a->rows, "columns", cols ? cols : json_null());
}

dl4c_status dl4c_analysis_write_json(const dl4c_analysis *a,
                                     const dl4c_analysis *vs, char **json)
{
    dl4c_status status = DL4C_OK;
    json_t *root = NULL;
    DL4C_CHECK(a && json, DL4C_INVALID_ARG, "analysis json: NULL argument");
    *json = NULL;
    DL4C_CHECK(a->finished && (!vs || vs->finished), DL4C_STATE,
               "analysis json: not finished");
    root = table_json(a);
    if (!root)
        DL4C_NOMEM_FAIL();
    if (vs) {
        json_t *drift = json_array();
        if (!drift || json_object_set_new(root, "vs", table_json(vs)) ||
            json_object_set_new(root, "drift", drift))
            DL4C_NOMEM_FAIL();
        for (int i = 0; i < vs->ncols; i++) {
            double psi = NAN;
            dl4c_status st = dl4c_analysis_drift(a, vs, i, &psi);
            json_t *d = json_pack("{s:s, s:o, s:s}", "column", vs->cols[i].name,
                                  "psi", number(psi), "flag",
                                  st != DL4C_OK ? dl4c_last_error()
                                  : psi >= 0.25 ? "major"
                                  : psi >= 0.1  ? "moderate"
                                                : "none");
            if (!d || json_array_append_new(drift, d))
                DL4C_NOMEM_FAIL();
        }
    }
    *json = dl4c_json_dump(root);
    if (!*json)
        DL4C_NOMEM_FAIL();
fail:
    json_decref(root);
    return status;
}
