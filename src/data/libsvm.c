/* libsvm / svmlight files into dense datasets.
 *
 * Layout: text lines "LABEL INDEX:VALUE INDEX:VALUE ... [# comment]",
 * fields separated by blanks, indices increasing (1-based unless
 * zero_based), "qid:N" allowed after the label. Blank and comment-only
 * lines are skipped. The file is read whole (through the byte reader, so
 * gzip works), scanned once for the sizes, and parsed into the dense
 * matrix on a second pass. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "data/byte_reader_internal.h"
#include "data/dataset_internal.h"

#define MAX_FEATURES (INT64_C(1) << 24)
#define MAX_VALUES (INT64_C(1) << 31)

dl4c_libsvm_options dl4c_libsvm_options_default(void)
{
    dl4c_libsvm_options o = {
        .num_features = 0, .zero_based = false, .classification = true};
    return o;
}

static dl4c_status read_all(const char *path, char **text, size_t *len)
{
    dl4c_status status = DL4C_OK;
    dl4c_byte_reader *in = NULL;
    size_t cap = 65536, n = 0;
    char *buf = dl4c_malloc(cap);
    if (!buf)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(dl4c_byte_reader_open(path, &in));
    for (;;) {
        if (cap - n < 65536) {
            char *p = dl4c_realloc(buf, cap * 2);
            if (!p)
                DL4C_NOMEM_FAIL();
            buf = p;
            cap *= 2;
        }
        size_t got = 0;
        status = dl4c_byte_reader_read(in, buf + n, cap - n - 1, &got);
        if (status != DL4C_OK) {
            dl4c_error_prefix(status, "%s", path);
            goto fail;
        }
        n += got;
        if (got == 0)
            break;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    buf = NULL;
fail:
    dl4c_free(buf);
    dl4c_byte_reader_close(in);
    return status;
}

/* The next token of a line (blank-separated); NULL at the end or at a
 * '#' comment. */
static char *token(char **p, char *end)
{
    while (*p < end && (**p == ' ' || **p == '\t' || **p == '\r'))
        (*p)++;
    if (*p >= end || **p == '#')
        return NULL;
    char *t = *p;
    while (*p < end && **p != ' ' && **p != '\t' && **p != '\r')
        (*p)++;
    if (*p < end)
        *(*p)++ = '\0';
    return t;
}

typedef struct pass {
    const char *path;
    const dl4c_libsvm_options *o;
    int64_t rows, max_index;
    float *x; /* second pass: [rows, nf] */
    double *y;
    int64_t nf;
} pass;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One pass over the text (which it changes: tokens are cut in place, so
 * the first pass works on a copy). */
static dl4c_status scan(pass *ps, char *text, size_t len)
{
    dl4c_status status = DL4C_OK;
    int64_t line = 0, row = 0;
    int64_t base = ps->o->zero_based ? 0 : 1;
    char *p = text, *all_end = text + len;
    while (p < all_end) {
        char *end = memchr(p, '\n', (size_t)(all_end - p));
        if (!end)
            end = all_end;
        *end = '\0';
        line++;
        char *cur = p;
        p = end + 1;
        char *lab = token(&cur, end);
        if (!lab)
            continue; /* blank or comment */
        char *stop = NULL;
        errno = 0;
        double label = strtod(lab, &stop);
        DL4C_CHECK(stop != lab && !*stop && isfinite(label) && !errno,
                   DL4C_FORMAT, "%s:%lld: label '%s' is not a number", ps->path,
                   (long long)line, lab);
        if (ps->y)
            ps->y[row] = label;
        int64_t prev = base - 1;
        for (char *t; (t = token(&cur, end));) {
            if (!strncmp(t, "qid:", 4))
                continue;
            char *colon = strchr(t, ':');
            DL4C_CHECK(colon, DL4C_FORMAT, "%s:%lld: '%s' is not INDEX:VALUE",
                       ps->path, (long long)line, t);
            *colon = '\0';
            errno = 0;
            long long idx = strtoll(t, &stop, 10);
            DL4C_CHECK(stop != t && !*stop && !errno, DL4C_FORMAT,
                       "%s:%lld: index '%s' is not a whole number", ps->path,
                       (long long)line, t);
            DL4C_CHECK(idx >= base, DL4C_FORMAT,
                       "%s:%lld: index %lld is below the first index (%lld; "
                       "set zero_based for 0-based files)",
                       ps->path, (long long)line, idx, (long long)base);
            DL4C_CHECK(idx > prev, DL4C_FORMAT,
                       "%s:%lld: index %lld does not increase (after %lld)",
                       ps->path, (long long)line, idx, (long long)prev);
            DL4C_CHECK(idx - base < MAX_FEATURES, DL4C_FORMAT,
                       "%s:%lld: absurd index %lld (dl4c reads up to %lld "
                       "features)",
                       ps->path, (long long)line, idx, (long long)MAX_FEATURES);
            DL4C_CHECK(!ps->o->num_features || idx - base < ps->o->num_features,
                       DL4C_FORMAT,
                       "%s:%lld: index %lld beyond the %lld features", ps->path,
                       (long long)line, idx, (long long)ps->o->num_features);
            errno = 0;
            double v = strtod(colon + 1, &stop);
            DL4C_CHECK(stop != colon + 1 && !*stop && isfinite(v) &&
                           fabs(v) <= 3.4e38,
                       DL4C_FORMAT,
                       "%s:%lld: value '%s' of index %lld is not a finite "
                       "number",
                       ps->path, (long long)line, colon + 1, idx);
            prev = idx;
            if (idx > ps->max_index)
                ps->max_index = idx;
            if (ps->x)
                ps->x[row * ps->nf + (idx - base)] = (float)v;
        }
        row++;
    }
    ps->rows = row;
fail:
    return status;
}

/* The label values of known classes: each name must be a number. */
static dl4c_status known_classes(const char *path, const dl4c_libsvm_options *o,
                                 double *values, int64_t *n)
{
    if (o->num_classes < 1 || o->num_classes > 100000)
        return dl4c_error_set(DL4C_INVALID_ARG, "libsvm: %d class names given",
                              o->num_classes);
    for (int c = 0; c < o->num_classes; c++) {
        const char *name = o->class_names[c];
        char *end = NULL;
        values[c] = name ? strtod(name, &end) : 0;
        if (!name || end == name || *end)
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: class %d is named '%s', not a libsvm "
                                  "label value",
                                  path, c, name ? name : "(none)");
    }
    *n = o->num_classes;
    return DL4C_OK;
}

dl4c_status dl4c_libsvm_load(const char *path, const dl4c_libsvm_options *opt,
                             dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_libsvm_options defaults = dl4c_libsvm_options_default();
    char *text = NULL, *copy = NULL;
    size_t len = 0;
    double *labels = NULL, *values = NULL;
    char **names = NULL;
    int64_t nclass = 0;
    dl4c_tensor *x = NULL, *y = NULL;
    dl4c_dataset *ds = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "libsvm: out is NULL");
    *out = NULL;
    DL4C_CHECK(path, DL4C_INVALID_ARG, "libsvm: NULL path");
    if (!opt)
        opt = &defaults;
    DL4C_CHECK(opt->num_features >= 0 && opt->num_features <= MAX_FEATURES,
               DL4C_INVALID_ARG, "libsvm: num_features %lld out of range",
               (long long)opt->num_features);
    DL4C_TRY(read_all(path, &text, &len));
    copy = dl4c_malloc(len + 1);
    if (!copy)
        DL4C_NOMEM_FAIL();
    memcpy(copy, text, len + 1);
    pass ps = {.path = path, .o = opt};
    DL4C_TRY(scan(&ps, copy, len));
    DL4C_CHECK(ps.rows > 0, DL4C_FORMAT, "%s: no examples", path);
    int64_t base = opt->zero_based ? 0 : 1;
    int64_t nf = opt->num_features
                     ? opt->num_features
                     : (ps.max_index >= base ? ps.max_index - base + 1 : 1);
    DL4C_CHECK(nf <= MAX_VALUES / ps.rows, DL4C_FORMAT,
               "%s: %lld examples x %lld features is too large to hold "
               "dense",
               path, (long long)ps.rows, (long long)nf);
    int64_t xs[2] = {ps.rows, nf};
    DL4C_TRY(dl4c_tensor_create(DL4C_F32, 2, xs, &x));
    labels = dl4c_malloc((size_t)ps.rows * sizeof *labels);
    if (!labels)
        DL4C_NOMEM_FAIL();
    pass fill = {.path = path, .o = opt, .x = x->data, .y = labels, .nf = nf};
    DL4C_TRY(scan(&fill, text, len));
    if (opt->classification) {
        int64_t cap = opt->class_names && opt->num_classes > ps.rows
                          ? opt->num_classes
                          : ps.rows;
        values = dl4c_malloc((size_t)cap * sizeof *values);
        if (!values)
            DL4C_NOMEM_FAIL();
        if (opt->class_names) {
            DL4C_TRY(known_classes(path, opt, values, &nclass));
        } else {
            memcpy(values, labels, (size_t)ps.rows * sizeof *values);
            qsort(values, (size_t)ps.rows, sizeof *values, cmp_double);
            for (int64_t i = 0; i < ps.rows; i++)
                if (!nclass || values[nclass - 1] != values[i])
                    values[nclass++] = values[i];
        }
        DL4C_CHECK(nclass <= 100000, DL4C_FORMAT,
                   "%s: %lld distinct labels; is this regression data?", path,
                   (long long)nclass);
        int64_t ys[2] = {ps.rows, nclass};
        DL4C_TRY(dl4c_tensor_create(DL4C_F32, 2, ys, &y));
        for (int64_t i = 0; i < ps.rows; i++) {
            int64_t k = 0;
            while (k < nclass && values[k] != labels[i])
                k++;
            DL4C_CHECK(k < nclass, DL4C_FORMAT,
                       "%s: example %lld has label %g, which is not one of "
                       "the %lld classes",
                       path, (long long)i + 1, labels[i], (long long)nclass);
            ((float *)y->data)[i * nclass + k] = 1.0f;
        }
        names = dl4c_calloc((size_t)nclass, sizeof *names);
        if (!names)
            DL4C_NOMEM_FAIL();
        for (int64_t c = 0; c < nclass; c++)
            if (!(names[c] = opt->class_names
                                 ? dl4c_strdup(opt->class_names[c])
                                 : dl4c_asprintf("%.17g", values[c])))
                DL4C_NOMEM_FAIL();
    } else {
        int64_t ys[2] = {ps.rows, 1};
        DL4C_TRY(dl4c_tensor_create(DL4C_F32, 2, ys, &y));
        for (int64_t i = 0; i < ps.rows; i++)
            ((float *)y->data)[i] = (float)labels[i];
    }
    status = dl4c_dataset_create(x, y, &ds);
    x = y = NULL;
    DL4C_TRY(status);
    if (names)
        DL4C_TRY(dl4c_dataset_set_classes(ds, (int)nclass,
                                          (const char *const *)names));
    *out = ds;
    ds = NULL;
fail:
    for (int64_t c = 0; names && c < nclass; c++)
        dl4c_free(names[c]);
    dl4c_free(names);
    dl4c_free(values);
    dl4c_free(labels);
    dl4c_free(text);
    dl4c_free(copy);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_dataset_free(ds);
    return status;
}
