/* Sequences from CSV for recurrent nets: one file per sequence, or one
 * file whose id column groups its lines into sequences. Sequences of
 * different lengths are padded with zeros to the longest and masked, the
 * layout Keras and DL4J use: features [N, T, F], features mask [N, T],
 * labels [N, T, C] with a labels mask, or [N, C] for one label per
 * sequence (its last step's). */
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "data/csv_internal.h"
#include "data/csv_table_internal.h"
#include "data/dataset_internal.h"
#include "data/file_walk_internal.h"
#include "data/strmap_internal.h"

dl4c_sequence_options dl4c_sequence_options_default(void)
{
    dl4c_sequence_options o = {.delimiter = ',',
                               .skip_lines = 0,
                               .label_column = -1,
                               .id_column = 0,
                               .num_classes = 0,
                               .label_last = false};
    return o;
}

/* A step: line `row` of table `t`. */
typedef struct step {
    const dl4c_csv_table *t;
    const char *name;
    int64_t row;
} step;

typedef struct seqs {
    step *steps;    /* all steps, grouped by sequence */
    int64_t *start; /* n + 1 offsets into steps */
    int64_t n;
} seqs;

static dl4c_status cell_number(const step *s, int col, double *v)
{
    char why[160];
    if (dl4c_csv_parse_number(dl4c_csv_table_cell(s->t, s->row, col), v, why,
                              sizeof why))
        return DL4C_OK;
    return dl4c_error_set(DL4C_FORMAT, "%s:%lld: column %d: %s", s->name,
                          (long long)s->t->lines[s->row], col + 1, why);
}

static dl4c_status build(const seqs *sq, int ncols, int skip_col,
                         const dl4c_sequence_options *o, dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_tensor *x = NULL, *y = NULL, *fm = NULL, *lm = NULL;
    dl4c_dataset *ds = NULL;
    int lc = o->label_column;
    int nf = ncols - (lc >= 0) - (skip_col >= 0);
    DL4C_CHECK(nf > 0, DL4C_FORMAT, "sequences: no feature columns");
    int64_t T = 0;
    for (int64_t i = 0; i < sq->n; i++)
        if (sq->start[i + 1] - sq->start[i] > T)
            T = sq->start[i + 1] - sq->start[i];
    int64_t nlab = o->num_classes > 0 ? o->num_classes : 1;
    int64_t xs[3] = {sq->n, T, nf}, ms[2] = {sq->n, T};
    DL4C_TRY(dl4c_tensor_create(DL4C_F32, 3, xs, &x));
    DL4C_TRY(dl4c_tensor_create(DL4C_F32, 2, ms, &fm));
    if (lc >= 0) {
        int64_t ys3[3] = {sq->n, T, nlab}, ys2[2] = {sq->n, nlab};
        DL4C_TRY(o->label_last ? dl4c_tensor_create(DL4C_F32, 2, ys2, &y)
                               : dl4c_tensor_create(DL4C_F32, 3, ys3, &y));
        if (!o->label_last)
            DL4C_TRY(dl4c_tensor_create(DL4C_F32, 2, ms, &lm));
    }
    float *xd = x->data, *md = fm->data, *yd = y ? y->data : NULL;
    for (int64_t i = 0; i < sq->n; i++) {
        int64_t len = sq->start[i + 1] - sq->start[i];
        for (int64_t t = 0; t < len; t++) {
            const step *s = &sq->steps[sq->start[i] + t];
            float *row = xd + (i * T + t) * nf;
            int f = 0;
            for (int c = 0; c < ncols; c++) {
                if (c == skip_col || c == lc)
                    continue;
                double v = 0;
                DL4C_TRY(cell_number(s, c, &v));
                row[f++] = (float)v;
            }
            md[i * T + t] = 1.0f;
            if (lc < 0 || (o->label_last && t != len - 1))
                continue;
            double v = 0;
            DL4C_TRY(cell_number(s, lc, &v));
            float *lab =
                o->label_last ? yd + i * nlab : yd + (i * T + t) * nlab;
            if (o->num_classes > 0) {
                DL4C_CHECK(v == (double)(int64_t)v && v >= 0 &&
                               v < o->num_classes,
                           DL4C_FORMAT,
                           "%s:%lld: column %d: label %g outside 0..%d "
                           "(num_classes %d)",
                           s->name, (long long)s->t->lines[s->row], lc + 1, v,
                           o->num_classes - 1, o->num_classes);
                lab[(int64_t)v] = 1.0f;
            } else {
                lab[0] = (float)v;
            }
            if (lm)
                ((float *)lm->data)[i * T + t] = 1.0f;
        }
    }
    status = dl4c_dataset_create(x, y, &ds);
    x = y = NULL;
    DL4C_TRY(status);
    if (o->num_classes > 0 && lc >= 0)
        DL4C_TRY(dl4c_dataset_set_classes(ds, o->num_classes, NULL));
    status = dl4c_dataset_set_masks(ds, fm, lm);
    fm = lm = NULL;
    DL4C_TRY(status);
    *out = ds;
    ds = NULL;
fail:
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_tensor_free(fm);
    dl4c_tensor_free(lm);
    dl4c_dataset_free(ds);
    return status;
}

static dl4c_status check_options(const dl4c_sequence_options *o, bool with_id)
{
    if (o->skip_lines < 0 || o->skip_lines > 1)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "sequences: skip_lines %d (0, or 1 for a "
                              "header)",
                              o->skip_lines);
    if (o->num_classes < 0 || o->label_column < -1 ||
        (with_id && o->id_column < 0) ||
        (with_id && o->id_column == o->label_column))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "sequences: bad label, id or class options");
    return DL4C_OK;
}

static dl4c_status check_columns(const dl4c_csv_table *t, const char *name,
                                 int ncols, const dl4c_sequence_options *o)
{
    if (t->ncols != ncols)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: %d columns, the first sequence has %d", name,
                              t->ncols, ncols);
    if (o->label_column >= ncols || o->id_column >= ncols)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "%s: label or id column outside the %d columns",
                              name, ncols);
    return DL4C_OK;
}

dl4c_status dl4c_sequences_load_files(const char *const *paths, int64_t n,
                                      const dl4c_sequence_options *opt,
                                      dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_sequence_options defaults = dl4c_sequence_options_default();
    dl4c_csv_table *tables = NULL;
    seqs sq = {0};
    DL4C_CHECK(out, DL4C_INVALID_ARG, "sequences: out is NULL");
    *out = NULL;
    DL4C_CHECK(paths && n > 0, DL4C_INVALID_ARG, "sequences: no files");
    if (!opt)
        opt = &defaults;
    DL4C_TRY(check_options(opt, false));
    tables = dl4c_calloc((size_t)n, sizeof *tables);
    sq.start = dl4c_calloc((size_t)n + 1, sizeof *sq.start);
    if (!tables || !sq.start)
        DL4C_NOMEM_FAIL();
    int64_t total = 0;
    for (int64_t i = 0; i < n; i++) {
        DL4C_TRY(dl4c_csv_table_read(paths[i], opt->delimiter,
                                     opt->skip_lines > 0, &tables[i]));
        DL4C_TRY(check_columns(&tables[i], paths[i], tables[0].ncols, opt));
        total += tables[i].nrows;
        sq.start[i + 1] = total;
    }
    sq.steps = dl4c_malloc((size_t)total * sizeof *sq.steps);
    if (!sq.steps)
        DL4C_NOMEM_FAIL();
    for (int64_t i = 0; i < n; i++)
        for (int64_t r = 0; r < tables[i].nrows; r++)
            sq.steps[sq.start[i] + r] = (step){&tables[i], paths[i], r};
    sq.n = n;
    DL4C_TRY(build(&sq, tables[0].ncols, -1, opt, out));
fail:
    for (int64_t i = 0; tables && i < n; i++)
        dl4c_csv_table_free(&tables[i]);
    dl4c_free(tables);
    dl4c_free(sq.steps);
    dl4c_free(sq.start);
    return status;
}

static bool keep_csv(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && !strcmp(path + n - 4, ".csv");
}

dl4c_status dl4c_sequences_load_dir(const char *dir,
                                    const dl4c_sequence_options *opt,
                                    dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_strlist rel = {0}, full = {0};
    DL4C_CHECK(out, DL4C_INVALID_ARG, "sequences: out is NULL");
    *out = NULL;
    DL4C_CHECK(dir, DL4C_INVALID_ARG, "sequences: NULL directory");
    DL4C_TRY(dl4c_walk_files(dir, keep_csv, &rel));
    DL4C_CHECK(rel.n > 0, DL4C_FORMAT, "%s: no .csv files", dir);
    for (int64_t i = 0; i < rel.n; i++) {
        char *p = dl4c_asprintf("%s/%s", dir, rel.items[i]);
        if (!p)
            DL4C_NOMEM_FAIL();
        status = dl4c_strlist_push(&full, p);
        dl4c_free(p);
        DL4C_TRY(status);
    }
    DL4C_TRY(dl4c_sequences_load_files((const char *const *)full.items, full.n,
                                       opt, out));
fail:
    dl4c_strlist_free(&rel);
    dl4c_strlist_free(&full);
    return status;
}

dl4c_status dl4c_sequences_load_csv(const char *path,
                                    const dl4c_sequence_options *opt,
                                    dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_sequence_options defaults = dl4c_sequence_options_default();
    dl4c_csv_table t = {0};
    dl4c_strmap ids = {0};
    int64_t *seq_of = NULL, *count = NULL;
    seqs sq = {0};
    DL4C_CHECK(out, DL4C_INVALID_ARG, "sequences: out is NULL");
    *out = NULL;
    DL4C_CHECK(path, DL4C_INVALID_ARG, "sequences: NULL path");
    if (!opt)
        opt = &defaults;
    DL4C_TRY(check_options(opt, true));
    DL4C_TRY(
        dl4c_csv_table_read(path, opt->delimiter, opt->skip_lines > 0, &t));
    DL4C_TRY(check_columns(&t, path, t.ncols, opt));
    seq_of = dl4c_malloc((size_t)t.nrows * sizeof *seq_of);
    count = dl4c_calloc((size_t)t.nrows + 1, sizeof *count);
    if (!seq_of || !count)
        DL4C_NOMEM_FAIL();
    /* sequence of each line, numbered by first appearance (map value:
     * index + 1) */
    for (int64_t r = 0; r < t.nrows; r++) {
        const char *id = dl4c_csv_table_cell(&t, r, opt->id_column);
        int64_t k = dl4c_strmap_get(&ids, id);
        if (!k) {
            k = sq.n + 1;
            DL4C_TRY(dl4c_strmap_add(&ids, id, k));
            sq.n++;
        }
        seq_of[r] = k - 1;
        count[k - 1]++;
    }
    sq.start = dl4c_calloc((size_t)sq.n + 1, sizeof *sq.start);
    sq.steps = dl4c_malloc((size_t)t.nrows * sizeof *sq.steps);
    if (!sq.start || !sq.steps)
        DL4C_NOMEM_FAIL();
    for (int64_t i = 0; i < sq.n; i++)
        sq.start[i + 1] = sq.start[i] + count[i];
    memset(count, 0, (size_t)sq.n * sizeof *count);
    for (int64_t r = 0; r < t.nrows; r++) {
        int64_t i = seq_of[r];
        sq.steps[sq.start[i] + count[i]++] = (step){&t, path, r};
    }
    DL4C_TRY(build(&sq, t.ncols, opt->id_column, opt, out));
fail:
    dl4c_strmap_free(&ids);
    dl4c_free(seq_of);
    dl4c_free(count);
    dl4c_free(sq.steps);
    dl4c_free(sq.start);
    dl4c_csv_table_free(&t);
    return status;
}
