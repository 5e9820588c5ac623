/* CSV files into datasets. The first data row fixes the column count;
 * label columns [label_from, label_to] become one-hot classes or
 * regression targets, every other column is a float32 feature. Numbers are
 * parsed in the C locale whatever the process locale is; NaN and infinity
 * are rejected. Class labels are kept as text until the whole file is read,
 * so names can be numbered in sorted order. Messages number lines and
 * columns from 1. */
#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/csv_internal.h"
#include "data/dataset_internal.h"

dl4c_csv_options dl4c_csv_options_default(void)
{
    dl4c_csv_options o = {
        .delimiter = ',',
        .quote = '"',
        .skip_lines = 0,
        .label_from = -1,
        .label_to = -1,
        .num_classes = 0,
        .class_names = NULL,
    };
    return o;
}

typedef struct floats {
    float *p;
    size_t n, cap;
} floats;

static bool floats_push(floats *f, float v)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 1024;
        if (cap > SIZE_MAX / sizeof(float))
            return false;
        float *p = dl4c_realloc(f->p, cap * sizeof(float));
        if (!p)
            return false;
        f->p = p;
        f->cap = cap;
    }
    f->p[f->n++] = v;
    return true;
}

/* Label cells of a classification file, as text, with their lines. */
typedef struct label_texts {
    char *pool;
    size_t len, cap;
    size_t *at;
    int64_t *line;
    int64_t n, n_cap;
} label_texts;

static bool labels_push(label_texts *l, const char *s, int64_t line)
{
    size_t need = strlen(s) + 1;
    if (l->len + need > l->cap) {
        size_t cap = l->cap ? l->cap : 4096;
        while (cap < l->len + need)
            cap *= 2;
        char *p = dl4c_realloc(l->pool, cap);
        if (!p)
            return false;
        l->pool = p;
        l->cap = cap;
    }
    if (l->n == l->n_cap) {
        int64_t cap = l->n_cap ? l->n_cap * 2 : 256;
        size_t *at = dl4c_realloc(l->at, (size_t)cap * sizeof *at);
        if (!at)
            return false;
        l->at = at;
        int64_t *ln = dl4c_realloc(l->line, (size_t)cap * sizeof *ln);
        if (!ln)
            return false;
        l->line = ln;
        l->n_cap = cap;
    }
    memcpy(l->pool + l->len, s, need);
    l->at[l->n] = l->len;
    l->line[l->n] = line;
    l->len += need;
    l->n++;
    return true;
}

bool dl4c_csv_parse_number(const char *s, double *out, char *why, size_t cap)
{
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p) {
        snprintf(why, cap, "empty value is not a number");
        return false;
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(p, &end);
    if (end == p) {
        snprintf(why, cap, "'%.60s' is not a number", s);
        return false;
    }
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end) {
        snprintf(why, cap, "'%.60s' is not a number", s);
        return false;
    }
    if (isnan(v) || (isinf(v) && errno != ERANGE)) {
        snprintf(why, cap,
                 "'%.60s' is not a number (NaN and infinity are not "
                 "accepted)",
                 s);
        return false;
    }
    if (!isfinite(v) || fabs(v) > FLT_MAX) {
        snprintf(why, cap, "'%.60s' is not a number in float32 range", s);
        return false;
    }
    *out = v;
    return true;
}

typedef struct csv_job {
    const char *name;
    const dl4c_csv_options *opt;
    int ncols;    /* 0 until the first data row */
    int lab_from; /* -1: none */
    int lab_to;
    int nfeat;
    int64_t rows;
    floats x, y;
    label_texts texts;
    char **names; /* resolved class names (num_classes entries) */
} csv_job;

static dl4c_status check_options(const dl4c_csv_options *o)
{
    if (o->delimiter == '\0' || o->delimiter == '\n' || o->delimiter == '\r')
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "csv: delimiter must be a visible character "
                              "or a tab");
    if (o->quote && o->quote == o->delimiter)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "csv: quote and delimiter are both '%c'",
                              o->quote);
    if (o->skip_lines < 0)
        return dl4c_error_set(DL4C_INVALID_ARG, "csv: skip_lines %d < 0",
                              o->skip_lines);
    if (o->label_from < -1)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "csv: label_from %d (use -1 for no labels)",
                              o->label_from);
    if (o->label_from >= 0 && o->label_to >= 0 && o->label_to < o->label_from)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "csv: label_to %d < label_from %d", o->label_to,
                              o->label_from);
    if (o->num_classes < 0)
        return dl4c_error_set(DL4C_INVALID_ARG, "csv: num_classes %d < 0",
                              o->num_classes);
    if (o->num_classes > 0 && o->label_from < 0)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "csv: num_classes %d without a label column",
                              o->num_classes);
    if (o->num_classes > 0 && o->label_to >= 0 && o->label_to != o->label_from)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "csv: a class label is one column, got "
                              "columns %d..%d",
                              o->label_from, o->label_to);
    return DL4C_OK;
}

static dl4c_status first_row(csv_job *job, const dl4c_csv_record *rec)
{
    const dl4c_csv_options *o = job->opt;
    job->ncols = rec->ncells;
    job->lab_from = o->label_from;
    job->lab_to = o->label_from < 0 ? -1
                  : o->label_to < 0 ? o->label_from
                                    : o->label_to;
    if (job->lab_to >= job->ncols)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "%s:%lld: label columns %d..%d (0-based) "
                              "outside the %d columns",
                              job->name, (long long)rec->line, job->lab_from,
                              job->lab_to, job->ncols);
    int nlab = job->lab_from < 0 ? 0 : job->lab_to - job->lab_from + 1;
    job->nfeat = job->ncols - nlab;
    if (job->nfeat < 1)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "%s:%lld: every column is a label, no features "
                              "left",
                              job->name, (long long)rec->line);
    return DL4C_OK;
}

static dl4c_status add_row(csv_job *job, const dl4c_csv_record *rec)
{
    char why[160];
    if (rec->ncells != job->ncols)
        return dl4c_error_set(
            DL4C_FORMAT, "%s:%lld: expected %d columns, found %d", job->name,
            (long long)rec->line, job->ncols, rec->ncells);
    bool classes = job->opt->num_classes > 0;
    for (int c = 0; c < rec->ncells; c++) {
        const char *cell = rec->text + rec->cell[c];
        bool is_label = c >= job->lab_from && c <= job->lab_to;
        if (is_label && classes) {
            if (!labels_push(&job->texts, cell, rec->line))
                return dl4c_error_set(DL4C_NOMEM, "out of memory");
            continue;
        }
        double v = 0;
        if (!dl4c_csv_parse_number(cell, &v, why, sizeof why))
            return dl4c_error_set(DL4C_FORMAT, "%s:%lld: column %d: %s",
                                  job->name, (long long)rec->line, c + 1, why);
        if (!floats_push(is_label ? &job->y : &job->x, (float)v))
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    job->rows++;
    return DL4C_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Class index of a label cell given the known names (NULL: numbers only).
 * Returns -1 with the message set on failure. */
static int class_index(const csv_job *job, int64_t row,
                       const char *const *names, int nnames)
{
    const char *s = job->texts.pool + job->texts.at[row];
    long long line = (long long)job->texts.line[row];
    int col = job->lab_from + 1;
    int n = job->opt->num_classes;
    for (int i = 0; names && i < nnames; i++)
        if (names[i] && !strcmp(names[i], s))
            return i;
    double v = 0;
    char why[160];
    if (!dl4c_csv_parse_number(s, &v, why, sizeof why)) {
        if (names)
            dl4c_error_set(DL4C_FORMAT,
                           "%s:%lld: column %d: unknown class '%.60s' "
                           "(not a class name nor an index 0..%d)",
                           job->name, line, col, s, n - 1);
        else
            dl4c_error_set(DL4C_FORMAT, "%s:%lld: column %d: %s", job->name,
                           line, col, why);
        return -1;
    }
    if (v != floor(v)) {
        dl4c_error_set(DL4C_FORMAT,
                       "%s:%lld: column %d: label %g is not a whole class "
                       "index",
                       job->name, line, col, v);
        return -1;
    }
    if (v < 0 || v >= n) {
        dl4c_error_set(DL4C_FORMAT,
                       "%s:%lld: column %d: label %g outside 0..%d "
                       "(num_classes %d)",
                       job->name, line, col, v, n - 1, n);
        return -1;
    }
    return (int)v;
}

/* When no names were given and no label is a number, the distinct label
 * texts become the class names in sorted order. */
static dl4c_status collect_names(csv_job *job)
{
    dl4c_status status = DL4C_OK;
    const char **sorted = NULL;
    int n = job->opt->num_classes;
    int64_t numbers = 0, first_text = -1;
    double v;
    char why[160], first_why[160] = "";
    for (int64_t i = 0; i < job->texts.n; i++) {
        if (dl4c_csv_parse_number(job->texts.pool + job->texts.at[i], &v, why,
                                  sizeof why))
            numbers++;
        else if (first_text < 0) {
            first_text = i;
            memcpy(first_why, why, sizeof why);
        }
    }
    if (numbers == job->texts.n)
        return DL4C_OK;
    /* a column of indices with a stray word is an error, not names */
    DL4C_CHECK(numbers == 0, DL4C_FORMAT,
               "%s:%lld: column %d: %s (the other labels are class "
               "indices)",
               job->name, (long long)job->texts.line[first_text],
               job->lab_from + 1, first_why);
    sorted = dl4c_malloc((size_t)job->texts.n * sizeof *sorted);
    if (!sorted)
        DL4C_NOMEM_FAIL();
    for (int64_t i = 0; i < job->texts.n; i++)
        sorted[i] = job->texts.pool + job->texts.at[i];
    qsort(sorted, (size_t)job->texts.n, sizeof *sorted, cmp_str);
    int64_t distinct = 0;
    for (int64_t i = 0; i < job->texts.n; i++)
        if (i == 0 || strcmp(sorted[i], sorted[i - 1]))
            sorted[distinct++] = sorted[i];
    DL4C_CHECK(distinct <= n, DL4C_FORMAT,
               "%s: column %d holds %lld distinct class names but "
               "num_classes is %d",
               job->name, job->lab_from + 1, (long long)distinct, n);
    job->names = dl4c_calloc((size_t)n, sizeof *job->names);
    if (!job->names)
        DL4C_NOMEM_FAIL();
    for (int64_t i = 0; i < distinct; i++) {
        job->names[i] = dl4c_strdup(sorted[i]);
        if (!job->names[i])
            DL4C_NOMEM_FAIL();
    }
fail:
    dl4c_free(sorted);
    return status;
}

static dl4c_status build(csv_job *job, dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_tensor *x = NULL, *y = NULL;
    dl4c_dataset *ds = NULL;
    int n = job->opt->num_classes;
    const char *const *names = job->opt->class_names
                                   ? job->opt->class_names
                                   : (const char *const *)job->names;
    int64_t shape[2] = {job->rows, job->nfeat};
    DL4C_TRY(dl4c_tensor_create_from(DL4C_F32, 2, shape, job->x.p, &x));
    if (n > 0) {
        int64_t yshape[2] = {job->rows, n};
        DL4C_TRY(dl4c_tensor_create(DL4C_F32, 2, yshape, &y));
        float *py = y->data;
        for (int64_t i = 0; i < job->rows; i++) {
            int k = class_index(job, i, names, n);
            if (k < 0) {
                status = DL4C_FORMAT;
                goto fail;
            }
            py[i * n + k] = 1.0f;
        }
    } else if (job->lab_from >= 0) {
        int64_t yshape[2] = {job->rows, job->lab_to - job->lab_from + 1};
        DL4C_TRY(dl4c_tensor_create_from(DL4C_F32, 2, yshape, job->y.p, &y));
    }
    status = dl4c_dataset_create(x, y, &ds);
    x = y = NULL;
    if (status != DL4C_OK)
        goto fail;
    if (n > 0)
        DL4C_TRY(dl4c_dataset_set_classes(ds, n, names));
    *out = ds;
    return DL4C_OK;
fail:
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_dataset_free(ds);
    return status;
}

static dl4c_status read_all(csv_job *job, dl4c_byte_reader *in,
                            dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_csv_tokenizer tok;
    dl4c_csv_record rec = {0};
    const dl4c_csv_options *o = job->opt;
    dl4c_csv_tokenizer_init(&tok, in, job->name, o->delimiter, o->quote);
    DL4C_TRY(dl4c_csv_skip_lines(&tok, o->skip_lines));
    for (;;) {
        bool got = false;
        DL4C_TRY(dl4c_csv_next_record(&tok, &rec, &got));
        if (!got)
            break;
        if (dl4c_csv_record_blank(&rec))
            continue;
        if (job->ncols == 0)
            DL4C_TRY(first_row(job, &rec));
        DL4C_TRY(add_row(job, &rec));
    }
    if (job->rows == 0) {
        if (o->skip_lines > 0)
            DL4C_FAIL(DL4C_FORMAT,
                      "%s: no data rows after the %d skipped line(s)",
                      job->name, o->skip_lines);
        DL4C_FAIL(DL4C_FORMAT, "%s: empty file (no data rows)", job->name);
    }
    if (o->num_classes > 0 && !o->class_names)
        DL4C_TRY(collect_names(job));
    DL4C_TRY(build(job, out));
fail:
    dl4c_csv_record_free(&rec);
    return status;
}

static void job_free(csv_job *job)
{
    dl4c_free(job->x.p);
    dl4c_free(job->y.p);
    dl4c_free(job->texts.pool);
    dl4c_free(job->texts.at);
    dl4c_free(job->texts.line);
    if (job->names)
        for (int i = 0; i < job->opt->num_classes; i++)
            dl4c_free(job->names[i]);
    dl4c_free(job->names);
}

static dl4c_status read_csv(dl4c_byte_reader *in, const char *name,
                            const dl4c_csv_options *opt, dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    csv_job job = {.name = name, .opt = opt, .lab_from = -1, .lab_to = -1};
    locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    locale_t old = (locale_t)0;
    if (!c_locale)
        DL4C_FAIL(DL4C_NOMEM, "%s: cannot create the C locale", name);
    old = uselocale(c_locale);
    status = read_all(&job, in, out);
    uselocale(old);
fail:
    if (c_locale)
        freelocale(c_locale);
    job_free(&job);
    return status;
}

dl4c_status dl4c_csv_read(void *stream, const char *name,
                          const dl4c_csv_options *opt, dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_byte_reader *in = NULL;
    dl4c_csv_options def = dl4c_csv_options_default();
    DL4C_CHECK(out, DL4C_INVALID_ARG, "csv: out is NULL");
    *out = NULL;
    DL4C_CHECK(stream, DL4C_INVALID_ARG, "csv: stream is NULL");
    if (!name)
        name = "<stream>";
    if (!opt)
        opt = &def;
    DL4C_TRY(check_options(opt));
    DL4C_TRY(dl4c_byte_reader_from_stream(stream, &in));
    status = read_csv(in, name, opt, out);
fail:
    dl4c_byte_reader_close(in);
    return status;
}

dl4c_status dl4c_csv_load(const char *path, const dl4c_csv_options *opt,
                          dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_byte_reader *in = NULL;
    dl4c_csv_options def = dl4c_csv_options_default();
    DL4C_CHECK(out, DL4C_INVALID_ARG, "csv: out is NULL");
    *out = NULL;
    DL4C_CHECK(path, DL4C_INVALID_ARG, "csv: path is NULL");
    if (!opt)
        opt = &def;
    DL4C_TRY(check_options(opt));
    DL4C_TRY(dl4c_byte_reader_open(path, &in));
    status = read_csv(in, path, opt, out);
fail:
    dl4c_byte_reader_close(in);
    return status;
}
