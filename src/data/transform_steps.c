/* The steps of a transform process, each rewriting a table in place.
 * Steps with statistics (min-max, standardize, replacement by mean,
 * median or mode, string-to-categorical without a category list) fit them
 * on the table the first time they run with fitting allowed, and keep
 * them from then on, so a fitted process gives the same result on any
 * later data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/transform_internal.h"

const char *const dl4c_top_names[DL4C_OP_COUNT] = {"remove_columns",
                                                   "keep_columns",
                                                   "rename_column",
                                                   "string_to_categorical",
                                                   "categorical_to_onehot",
                                                   "categorical_to_integer",
                                                   "filter",
                                                   "replace_missing",
                                                   "replace_invalid",
                                                   "minmax",
                                                   "standardize",
                                                   "derive",
                                                   "datetime_fields"};

const char *const dl4c_time_field_names[DL4C_TF_FIELD_COUNT] = {
    "hour",         "minute",      "second", "day_of_week",
    "day_of_month", "day_of_year", "month",  "year"};

void dl4c_tstep_deinit(dl4c_tstep *s)
{
    for (int i = 0; i < s->ncolumns; i++)
        dl4c_free(s->columns[i]);
    dl4c_free(s->columns);
    for (int i = 0; i < s->nvalues; i++)
        dl4c_free(s->values[i]);
    dl4c_free(s->values);
    dl4c_free(s->name);
    dl4c_free(s->text);
    dl4c_free(s->with);
    dl4c_expr_free(s->expr);
    json_decref(s->value);
    memset(s, 0, sizeof *s);
}

static void column_list(const dl4c_ttable *t, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < t->ncols && used + 70 < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? ", " : "",
                                 t->cols[i].name);
}

static dl4c_status find(const dl4c_ttable *t, const char *name, int *at)
{
    *at = dl4c_ttable_find(t, name);
    if (*at >= 0)
        return DL4C_OK;
    char names[512];
    column_list(t, names, sizeof names);
    return dl4c_error_set(DL4C_FORMAT, "no column '%s' (columns: %s)", name,
                          names);
}

static bool numeric(const dl4c_tcol *c)
{
    return c->type == DL4C_COL_INTEGER || c->type == DL4C_COL_DOUBLE ||
           c->type == DL4C_COL_TIME;
}

static dl4c_status need_type(const dl4c_tcol *c, bool ok, const char *what)
{
    if (ok)
        return DL4C_OK;
    return dl4c_error_set(DL4C_FORMAT, "column '%s' is %s; this step needs %s",
                          c->name, dl4c_column_type_name(c->type), what);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- columns
 * ------------------------------------------------------------------ */

static dl4c_status keep_columns(const dl4c_tstep *s, dl4c_ttable *t)
{
    for (int i = 0; i < s->ncolumns; i++) {
        int at;
        DL4C_RETURN_IF(find(t, s->columns[i], &at));
        /* move it to position i */
        dl4c_tcol c = t->cols[at];
        memmove(&t->cols[i + 1], &t->cols[i], (size_t)(at - i) * sizeof c);
        t->cols[i] = c;
    }
    while (t->ncols > s->ncolumns)
        dl4c_ttable_remove(t, t->ncols - 1);
    return DL4C_OK;
}

static dl4c_status set_values(dl4c_tcol *c, char *const *values, int n)
{
    c->values = dl4c_calloc((size_t)(n ? n : 1), sizeof *c->values);
    if (!c->values)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        c->values[i] = dl4c_strdup(values[i]);
        if (!c->values[i])
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        c->nvalues = i + 1;
    }
    return DL4C_OK;
}

static dl4c_status string_to_categorical(dl4c_tstep *s, dl4c_ttable *t,
                                         bool fit)
{
    int at;
    DL4C_RETURN_IF(find(t, s->columns[0], &at));
    dl4c_tcol *c = &t->cols[at];
    DL4C_RETURN_IF(need_type(c, c->type == DL4C_COL_STRING, "a string column"));
    if (!s->fitted && fit && t->nrows == 0) { /* a dry run (parse check) */
        c->type = DL4C_COL_CATEGORICAL;
        return DL4C_OK;
    }
    if (!s->fitted) {
        if (!fit)
            return dl4c_error_set(DL4C_STATE, "not fitted (no category list)");
        char **all =
            dl4c_malloc((size_t)(t->nrows ? t->nrows : 1) * sizeof *all);
        if (!all)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        int64_t n = 0;
        for (int64_t r = 0; r < t->nrows; r++)
            if (c->state[r] == DL4C_V_OK)
                all[n++] = c->str[r];
        qsort(all, (size_t)n, sizeof *all, cmp_str);
        int64_t k = 0;
        for (int64_t i = 0; i < n; i++)
            if (!k || strcmp(all[k - 1], all[i]))
                all[k++] = all[i];
        if (k == 0 || k > 100000) {
            dl4c_free(all);
            return dl4c_error_set(DL4C_FORMAT,
                                  "column '%s' has %lld distinct values to "
                                  "make categories of (1..100000)",
                                  c->name, (long long)k);
        }
        s->values = dl4c_calloc((size_t)k, sizeof *s->values);
        for (int64_t i = 0; s->values && i < k; i++) {
            s->values[i] = dl4c_strdup(all[i]);
            if (!s->values[i])
                break;
            s->nvalues = (int)i + 1;
        }
        dl4c_free(all);
        if (s->nvalues != k)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        s->fitted = true;
    }
    c->type = DL4C_COL_CATEGORICAL;
    DL4C_RETURN_IF(set_values(c, s->values, s->nvalues));
    for (int64_t r = 0; r < t->nrows; r++) {
        if (c->state[r] != DL4C_V_OK)
            continue;
        char **hit = bsearch(&c->str[r], c->values, (size_t)c->nvalues,
                             sizeof *c->values, cmp_str);
        if (hit)
            c->num[r] = (double)(hit - c->values);
        else
            c->state[r] = DL4C_V_INVALID | DL4C_COL_CATEGORICAL << 2;
    }
    return DL4C_OK;
}

static dl4c_status onehot(const dl4c_tstep *s, dl4c_ttable *t)
{
    int at;
    DL4C_RETURN_IF(find(t, s->columns[0], &at));
    DL4C_RETURN_IF(need_type(&t->cols[at],
                             t->cols[at].type == DL4C_COL_CATEGORICAL,
                             "a categorical column"));
    int k = t->cols[at].nvalues;
    for (int v = 0; v < k; v++) {
        dl4c_tcol *src = &t->cols[at];
        char *name = dl4c_asprintf("%s[%s]", src->name, src->values[v]);
        if (!name)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        dl4c_tcol *c = NULL;
        dl4c_status st =
            dl4c_ttable_insert(t, at + 1 + v, name, DL4C_COL_INTEGER, &c);
        dl4c_free(name);
        DL4C_RETURN_IF(st);
        src = &t->cols[at]; /* the array may have moved */
        for (int64_t r = 0; r < t->nrows; r++) {
            c->state[r] = src->state[r];
            c->num[r] = src->state[r] == DL4C_V_OK
                            ? (src->num[r] == v ? 1.0 : 0.0)
                            : NAN;
            if (src->state[r] != DL4C_V_OK && src->str[r] &&
                !(c->str[r] = dl4c_strdup(src->str[r])))
                return dl4c_error_set(DL4C_NOMEM, "out of memory");
        }
    }
    if (!s->keep_source)
        dl4c_ttable_remove(t, at);
    return DL4C_OK;
}

/* ---- rows
 * ---------------------------------------------------------------------- */

static dl4c_status filter(dl4c_tstep *s, dl4c_ttable *t)
{
    DL4C_RETURN_IF(dl4c_expr_bind(s->expr, t));
    bool *keep = dl4c_malloc((size_t)(t->nrows ? t->nrows : 1));
    if (!keep)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    for (int64_t r = 0; r < t->nrows; r++) {
        double v = dl4c_expr_eval(s->expr, t, r);
        keep[r] = !isnan(v) && v != 0;
    }
    dl4c_ttable_filter(t, keep);
    dl4c_free(keep);
    return DL4C_OK;
}

/* ---- values
 * ---------------------------------------------------------------------- */

static dl4c_status fit_replacement(dl4c_tstep *s, const dl4c_tcol *c,
                                   int64_t nrows)
{
    dl4c_status status = DL4C_OK;
    double *v = NULL;
    char **strs = NULL;
    int64_t n = 0;
    bool num = numeric(c);
    if (!strcmp(s->with, "mean") || !strcmp(s->with, "median")) {
        DL4C_TRY(need_type(c, num, "numbers (mean, median)"));
        v = dl4c_malloc((size_t)(nrows ? nrows : 1) * sizeof *v);
        if (!v)
            DL4C_NOMEM_FAIL();
        for (int64_t r = 0; r < nrows; r++)
            if (c->state[r] == DL4C_V_OK)
                v[n++] = c->num[r];
        DL4C_CHECK(n > 0, DL4C_FORMAT, "column '%s' has no values to fit on",
                   c->name);
        double x = 0;
        if (!strcmp(s->with, "mean")) {
            for (int64_t i = 0; i < n; i++)
                x += v[i];
            x /= (double)n;
        } else {
            qsort(v, (size_t)n, sizeof *v, cmp_double);
            x = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        }
        if (c->type == DL4C_COL_INTEGER)
            x = round(x);
        s->value = json_real(x);
    } else { /* mode: the most frequent value, the smallest on ties */
        strs = dl4c_malloc((size_t)(nrows ? nrows : 1) * sizeof *strs);
        v = dl4c_malloc((size_t)(nrows ? nrows : 1) * sizeof *v);
        if (!strs || !v)
            DL4C_NOMEM_FAIL();
        for (int64_t r = 0; r < nrows; r++)
            if (c->state[r] == DL4C_V_OK) {
                strs[n] = c->str ? c->str[r] : NULL;
                v[n++] = c->num[r];
            }
        DL4C_CHECK(n > 0, DL4C_FORMAT, "column '%s' has no values to fit on",
                   c->name);
        int64_t best = 0, best_count = 0;
        bool text = c->type == DL4C_COL_STRING;
        if (text)
            qsort(strs, (size_t)n, sizeof *strs, cmp_str);
        else
            qsort(v, (size_t)n, sizeof *v, cmp_double);
        for (int64_t i = 0; i < n;) {
            int64_t j = i + 1;
            while (j < n && (text ? !strcmp(strs[j], strs[i]) : v[j] == v[i]))
                j++;
            if (j - i > best_count) {
                best_count = j - i;
                best = i;
            }
            i = j;
        }
        if (text)
            s->value = json_string(strs[best]);
        else if (c->type == DL4C_COL_CATEGORICAL)
            s->value = json_string(c->values[(int)v[best]]);
        else
            s->value = json_real(v[best]);
    }
    if (!s->value)
        DL4C_NOMEM_FAIL();
    s->fitted = true;
fail:
    dl4c_free(v);
    dl4c_free(strs);
    return status;
}

static dl4c_status replace(dl4c_tstep *s, dl4c_ttable *t, bool fit, int state)
{
    int at;
    DL4C_RETURN_IF(find(t, s->columns[0], &at));
    dl4c_tcol *c = &t->cols[at];
    if (!s->fitted && fit && t->nrows == 0)
        return DL4C_OK; /* a dry run (parse check) */
    if (!s->fitted) {
        if (!fit)
            return dl4c_error_set(DL4C_STATE, "not fitted (no %s)", s->with);
        DL4C_RETURN_IF(fit_replacement(s, c, t->nrows));
    }
    /* the replacement as this column's value */
    double num = NAN;
    const char *text = json_string_value(s->value);
    if (numeric(c)) {
        if (!json_is_number(s->value))
            return dl4c_error_set(DL4C_FORMAT,
                                  "column '%s' is %s: the replacement must "
                                  "be a number",
                                  c->name, dl4c_column_type_name(c->type));
        num = json_number_value(s->value);
    } else if (c->type == DL4C_COL_CATEGORICAL) {
        for (int i = 0; text && i < c->nvalues; i++)
            if (!strcmp(c->values[i], text))
                num = i;
        if (isnan(num))
            return dl4c_error_set(DL4C_FORMAT,
                                  "the replacement '%s' is not a category "
                                  "of column '%s'",
                                  text ? text : "(a number)", c->name);
    } else if (!text) {
        return dl4c_error_set(DL4C_FORMAT,
                              "column '%s' holds strings: the replacement "
                              "must be a string",
                              c->name);
    }
    for (int64_t r = 0; r < t->nrows; r++) {
        if (DL4C_V_STATE(c->state[r]) != state)
            continue;
        dl4c_free(c->str[r]);
        c->str[r] = NULL;
        if (text && !numeric(c) && !(c->str[r] = dl4c_strdup(text)))
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        c->num[r] = num;
        c->state[r] = DL4C_V_OK;
    }
    return DL4C_OK;
}

static dl4c_status scale(dl4c_tstep *s, dl4c_ttable *t, bool fit)
{
    int at;
    DL4C_RETURN_IF(find(t, s->columns[0], &at));
    dl4c_tcol *c = &t->cols[at];
    DL4C_RETURN_IF(need_type(c, numeric(c), "numbers"));
    bool minmax = s->op == DL4C_OP_MINMAX;
    if (!s->fitted && fit && t->nrows == 0) { /* a dry run (parse check) */
        c->type = DL4C_COL_DOUBLE;
        return DL4C_OK;
    }
    if (!s->fitted) {
        if (!fit)
            return dl4c_error_set(DL4C_STATE, "not fitted (no statistics)");
        double lo = INFINITY, hi = -INFINITY, sum = 0, sq = 0;
        int64_t n = 0;
        for (int64_t r = 0; r < t->nrows; r++) {
            if (c->state[r] != DL4C_V_OK)
                continue;
            double x = c->num[r];
            lo = fmin(lo, x);
            hi = fmax(hi, x);
            sum += x;
            n++;
        }
        if (n == 0)
            return dl4c_error_set(
                DL4C_FORMAT, "column '%s' has no values to fit on", c->name);
        double mean = sum / (double)n;
        for (int64_t r = 0; r < t->nrows; r++)
            if (c->state[r] == DL4C_V_OK)
                sq += (c->num[r] - mean) * (c->num[r] - mean);
        s->a = minmax ? lo : mean;
        s->b = minmax ? hi : sqrt(sq / (double)n);
        s->fitted = true;
    }
    for (int64_t r = 0; r < t->nrows; r++) {
        if (c->state[r] != DL4C_V_OK)
            continue;
        double x = c->num[r];
        if (minmax)
            x = s->b > s->a
                    ? (x - s->a) / (s->b - s->a) * (s->hi - s->lo) + s->lo
                    : s->lo;
        else
            x = s->b > 0 ? (x - s->a) / s->b : 0;
        c->num[r] = x;
    }
    c->type = DL4C_COL_DOUBLE;
    return DL4C_OK;
}

static dl4c_status derive(dl4c_tstep *s, dl4c_ttable *t)
{
    DL4C_RETURN_IF(dl4c_expr_bind(s->expr, t));
    if (dl4c_ttable_find(t, s->name) >= 0)
        return dl4c_error_set(DL4C_FORMAT, "column '%s' exists already",
                              s->name);
    dl4c_tcol *c = NULL;
    DL4C_RETURN_IF(dl4c_ttable_insert(t, -1, s->name, DL4C_COL_DOUBLE, &c));
    for (int64_t r = 0; r < t->nrows; r++) {
        double v = dl4c_expr_eval(s->expr, t, r);
        c->num[r] = v;
        c->state[r] = isfinite(v) ? DL4C_V_OK : DL4C_V_MISSING;
    }
    return DL4C_OK;
}

static double time_field(double seconds, int field)
{
    double day = floor(seconds / 86400.0);
    double in_day = seconds - day * 86400.0;
    /* civil date from days (H. Hinnant) */
    int64_t z = (int64_t)day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    switch (field) {
    case DL4C_TF_HOUR:
        return floor(in_day / 3600);
    case DL4C_TF_MINUTE:
        return floor(fmod(in_day, 3600) / 60);
    case DL4C_TF_SECOND:
        return floor(fmod(in_day, 60));
    case DL4C_TF_DAY_OF_WEEK: /* 0 Monday .. 6 Sunday; 1970-01-01 was a Thursday
                               */
        return (double)((((int64_t)day % 7) + 7 + 3) % 7);
    case DL4C_TF_DAY_OF_MONTH:
        return (double)d;
    case DL4C_TF_MONTH:
        return (double)m;
    case DL4C_TF_YEAR:
        return (double)y;
    default: { /* day of year, 1-based */
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        static const int before[] = {0,   31,  59,  90,  120, 151,
                                     181, 212, 243, 273, 304, 334};
        return (double)(before[m - 1] + d + (leap && m > 2));
    }
    }
}

static dl4c_status datetime_fields(const dl4c_tstep *s, dl4c_ttable *t)
{
    int at;
    DL4C_RETURN_IF(find(t, s->columns[0], &at));
    DL4C_RETURN_IF(need_type(&t->cols[at], t->cols[at].type == DL4C_COL_TIME,
                             "a time column"));
    int added = 0;
    for (int f = 0; f < DL4C_TF_FIELD_COUNT; f++) {
        if (!(s->fields & (1u << f)))
            continue;
        char *name =
            dl4c_asprintf("%s_%s", t->cols[at].name, dl4c_time_field_names[f]);
        if (!name)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        dl4c_tcol *c = NULL;
        dl4c_status st =
            dl4c_ttable_insert(t, at + 1 + added, name, DL4C_COL_INTEGER, &c);
        dl4c_free(name);
        DL4C_RETURN_IF(st);
        added++;
        const dl4c_tcol *src = &t->cols[at];
        for (int64_t r = 0; r < t->nrows; r++) {
            c->state[r] = src->state[r];
            c->num[r] = src->state[r] == DL4C_V_OK
                            ? time_field(src->num[r], 1 << f)
                            : NAN;
            if (src->state[r] != DL4C_V_OK && src->str[r] &&
                !(c->str[r] = dl4c_strdup(src->str[r])))
                return dl4c_error_set(DL4C_NOMEM, "out of memory");
        }
    }
    if (!s->keep_source)
        dl4c_ttable_remove(t, at);
    return DL4C_OK;
}

/* ---- dispatch
 * ------------------------------------------------------------------ */

dl4c_status dl4c_tstep_apply(dl4c_transform *tp, int i, dl4c_ttable *t,
                             bool fit)
{
    dl4c_tstep *s = &tp->steps[i];
    dl4c_status st = DL4C_OK;
    int at;
    switch (s->op) {
    case DL4C_OP_REMOVE_COLUMNS:
        for (int k = 0; st == DL4C_OK && k < s->ncolumns; k++) {
            st = find(t, s->columns[k], &at);
            if (st == DL4C_OK)
                dl4c_ttable_remove(t, at);
        }
        break;
    case DL4C_OP_KEEP_COLUMNS:
        st = keep_columns(s, t);
        break;
    case DL4C_OP_RENAME_COLUMN:
        st = find(t, s->columns[0], &at);
        if (st == DL4C_OK && dl4c_ttable_find(t, s->name) >= 0)
            st = dl4c_error_set(DL4C_FORMAT, "column '%s' exists already",
                                s->name);
        if (st == DL4C_OK) {
            char *name = dl4c_strdup(s->name);
            if (!name) {
                st = dl4c_error_set(DL4C_NOMEM, "out of memory");
                break;
            }
            dl4c_free(t->cols[at].name);
            t->cols[at].name = name;
        }
        break;
    case DL4C_OP_STRING_TO_CATEGORICAL:
        st = string_to_categorical(s, t, fit);
        break;
    case DL4C_OP_CATEGORICAL_TO_ONEHOT:
        st = onehot(s, t);
        break;
    case DL4C_OP_CATEGORICAL_TO_INTEGER:
        st = find(t, s->columns[0], &at);
        if (st == DL4C_OK)
            st = need_type(&t->cols[at],
                           t->cols[at].type == DL4C_COL_CATEGORICAL,
                           "a categorical column");
        if (st == DL4C_OK)
            t->cols[at].type = DL4C_COL_INTEGER;
        break;
    case DL4C_OP_FILTER:
        st = filter(s, t);
        break;
    case DL4C_OP_REPLACE_MISSING:
        st = replace(s, t, fit, DL4C_V_MISSING);
        break;
    case DL4C_OP_REPLACE_INVALID:
        st = replace(s, t, fit, DL4C_V_INVALID);
        break;
    case DL4C_OP_MINMAX:
    case DL4C_OP_STANDARDIZE:
        st = scale(s, t, fit);
        break;
    case DL4C_OP_DERIVE:
        st = derive(s, t);
        break;
    case DL4C_OP_DATETIME_FIELDS:
        st = datetime_fields(s, t);
        break;
    default:
        st = dl4c_error_set(DL4C_INTERNAL, "unknown op %d", (int)s->op);
    }
    if (st != DL4C_OK)
        dl4c_error_prefix(st, "step %d (%s)", i + 1, dl4c_top_names[s->op]);
    return st;
}

dl4c_status dl4c_transform_run(dl4c_transform *tp, dl4c_ttable *t, bool fit)
{
    for (int i = 0; i < tp->nsteps; i++)
        DL4C_RETURN_IF(dl4c_tstep_apply(tp, i, t, fit));
    return DL4C_OK;
}
