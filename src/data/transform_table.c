/* Typed column tables for the transform process: adding, removing and
 * filtering columns and rows, and reading text cells by column type
 * (integers, doubles, categories, strings, date-times in UTC). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/transform_internal.h"

void dl4c_tcol_deinit(dl4c_tcol *c)
{
    dl4c_free(c->name);
    for (int i = 0; i < c->nvalues; i++)
        dl4c_free(c->values[i]);
    dl4c_free(c->values);
    dl4c_free(c->time_format);
    dl4c_free(c->num);
    dl4c_free(c->state);
    memset(c, 0, sizeof *c);
}

static void free_cells(dl4c_tcol *c, int64_t nrows)
{
    for (int64_t r = 0; c->str && r < nrows; r++)
        dl4c_free(c->str[r]);
    dl4c_free(c->str);
    c->str = NULL;
}

void dl4c_ttable_free(dl4c_ttable *t)
{
    for (int i = 0; i < t->ncols; i++) {
        free_cells(&t->cols[i], t->nrows);
        dl4c_tcol_deinit(&t->cols[i]);
    }
    dl4c_free(t->cols);
    dl4c_free(t->line);
    memset(t, 0, sizeof *t);
}

int dl4c_ttable_find(const dl4c_ttable *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].name, name))
            return i;
    return -1;
}

dl4c_status dl4c_ttable_insert(dl4c_ttable *t, int at, const char *name,
                               dl4c_column_type type, dl4c_tcol **out)
{
    if (t->ncols == t->cap) {
        int cap = t->cap ? t->cap * 2 : 16;
        dl4c_tcol *p = dl4c_realloc(t->cols, (size_t)cap * sizeof *p);
        if (!p)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        t->cols = p;
        t->cap = cap;
    }
    if (at < 0 || at > t->ncols)
        at = t->ncols;
    dl4c_tcol c = {0};
    size_t n = (size_t)(t->nrows ? t->nrows : 1);
    c.name = dl4c_strdup(name);
    c.type = type;
    c.num = dl4c_malloc(n * sizeof *c.num);
    c.str = dl4c_calloc(n, sizeof *c.str);
    c.state = dl4c_malloc(n);
    if (!c.name || !c.num || !c.str || !c.state) {
        dl4c_free(c.str);
        dl4c_tcol_deinit(&c);
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    for (size_t r = 0; r < n; r++) {
        c.num[r] = NAN;
        c.state[r] = DL4C_V_MISSING;
    }
    memmove(&t->cols[at + 1], &t->cols[at],
            (size_t)(t->ncols - at) * sizeof *t->cols);
    t->cols[at] = c;
    t->ncols++;
    if (out)
        *out = &t->cols[at];
    return DL4C_OK;
}

void dl4c_ttable_remove(dl4c_ttable *t, int at)
{
    free_cells(&t->cols[at], t->nrows);
    dl4c_tcol_deinit(&t->cols[at]);
    memmove(&t->cols[at], &t->cols[at + 1],
            (size_t)(t->ncols - at - 1) * sizeof *t->cols);
    t->ncols--;
}

void dl4c_ttable_filter(dl4c_ttable *t, const bool *keep)
{
    for (int i = 0; i < t->ncols; i++) {
        dl4c_tcol *c = &t->cols[i];
        int64_t k = 0;
        for (int64_t r = 0; r < t->nrows; r++) {
            if (!keep[r]) {
                dl4c_free(c->str[r]);
                continue;
            }
            c->num[k] = c->num[r];
            c->str[k] = c->str[r];
            c->state[k] = c->state[r];
            k++;
        }
    }
    int64_t k = 0;
    for (int64_t r = 0; r < t->nrows; r++)
        if (keep[r]) {
            if (t->line)
                t->line[k] = t->line[r];
            k++;
        }
    t->nrows = k;
}

/* ---- time
 * ------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool valid_date(int y, int m, int d)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

bool dl4c_parse_time(const char *text, const char *format, double *seconds)
{
    while (isspace((unsigned char)*text))
        text++;
    if (format) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        const char *end = strptime(text, format, &tm);
        if (!end)
            return false;
        while (isspace((unsigned char)*end))
            end++;
        if (*end || !valid_date(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday))
            return false;
        *seconds = (double)days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1,
                                           tm.tm_mday) *
                       86400.0 +
                   tm.tm_hour * 3600.0 + tm.tm_min * 60.0 + tm.tm_sec;
        return true;
    }
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, n = 0;
    double sec = 0;
    if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10) {
        const char *p = text + n;
        if (*p == 'T' || *p == ' ') {
            int k = 0;
            if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &k) != 2 || k != 5)
                return false;
            p += 1 + k;
            if (*p == ':') {
                char *end = NULL;
                sec = strtod(p + 1, &end);
                if (end == p + 1 || !(sec >= 0 && sec < 61))
                    return false;
                p = end;
            }
            double offset = 0;
            if (*p == 'Z') {
                p++;
            } else if (*p == '+' || *p == '-') {
                int oh = 0, om = 0, k2 = 0;
                if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k2) != 2 || k2 != 5)
                    return false;
                offset = (oh * 3600.0 + om * 60.0) * (*p == '+' ? 1 : -1);
                p += 1 + k2;
            }
            while (isspace((unsigned char)*p))
                p++;
            if (*p || h > 23 || mi > 59)
                return false;
            sec -= offset;
        } else {
            while (isspace((unsigned char)*p))
                p++;
            if (*p)
                return false;
        }
        if (!valid_date(y, mo, d))
            return false;
        *seconds = (double)days_from_civil(y, mo, d) * 86400.0 + h * 3600.0 +
                   mi * 60.0 + sec;
        return true;
    }
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || !isfinite(v))
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return false;
    *seconds = v;
    return true;
}

/* ---- cells
 * -------------------------------------------------------------------------- */

dl4c_status dl4c_tcol_set_text(dl4c_tcol *c, int64_t r, const char *text)
{
    dl4c_free(c->str[r]);
    c->str[r] = NULL;
    c->num[r] = NAN;
    if (!text || !*text) {
        c->state[r] = DL4C_V_MISSING;
        return DL4C_OK;
    }
    c->state[r] = DL4C_V_OK;
    char *end = NULL;
    switch (c->type) {
    case DL4C_COL_INTEGER:
    case DL4C_COL_DOUBLE: {
        errno = 0;
        double v = strtod(text, &end);
        while (end && isspace((unsigned char)*end))
            end++;
        if (end == text || *end || !isfinite(v) || errno == ERANGE ||
            (c->type == DL4C_COL_INTEGER && v != floor(v)))
            c->state[r] = DL4C_V_INVALID;
        else
            c->num[r] = v;
        break;
    }
    case DL4C_COL_CATEGORICAL:
        c->state[r] = DL4C_V_INVALID;
        for (int i = 0; i < c->nvalues; i++)
            if (!strcmp(c->values[i], text)) {
                c->num[r] = i;
                c->state[r] = DL4C_V_OK;
                break;
            }
        break;
    case DL4C_COL_TIME:
        if (!dl4c_parse_time(text, c->time_format, &c->num[r]))
            c->state[r] = DL4C_V_INVALID;
        break;
    default:
        break;
    }
    /* strings and categories keep their text; invalid cells too (for
     * messages and replace_invalid) */
    if (c->state[r] == DL4C_V_INVALID)
        c->state[r] = (unsigned char)(DL4C_V_INVALID | c->type << 2);
    if (c->type == DL4C_COL_STRING || c->type == DL4C_COL_CATEGORICAL ||
        c->state[r] != DL4C_V_OK) {
        c->str[r] = dl4c_strdup(text);
        if (!c->str[r])
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    return DL4C_OK;
}

dl4c_status dl4c_ttable_from_schema(const dl4c_transform *tp, int64_t nrows,
                                    dl4c_ttable *out)
{
    memset(out, 0, sizeof *out);
    out->nrows = nrows;
    for (int i = 0; i < tp->nschema; i++) {
        const dl4c_tcol *s = &tp->schema[i];
        dl4c_tcol *c = NULL;
        dl4c_status st = dl4c_ttable_insert(out, -1, s->name, s->type, &c);
        if (st == DL4C_OK && s->nvalues) {
            c->values = dl4c_calloc((size_t)s->nvalues, sizeof *c->values);
            if (!c->values)
                st = dl4c_error_set(DL4C_NOMEM, "out of memory");
            for (int k = 0; st == DL4C_OK && k < s->nvalues; k++) {
                c->values[k] = dl4c_strdup(s->values[k]);
                if (!c->values[k])
                    st = dl4c_error_set(DL4C_NOMEM, "out of memory");
                else
                    c->nvalues = k + 1;
            }
        }
        if (st == DL4C_OK && s->time_format &&
            !(c->time_format = dl4c_strdup(s->time_format)))
            st = dl4c_error_set(DL4C_NOMEM, "out of memory");
        if (st != DL4C_OK) {
            dl4c_ttable_free(out);
            return st;
        }
    }
    return DL4C_OK;
}
