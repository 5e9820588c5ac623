/* Whole CSV files as text cells (csv_table_internal.h), on the same
 * tokenizer as the numeric CSV reader. */
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/csv_internal.h"
#include "data/csv_table_internal.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static dl4c_status add_record(dl4c_csv_table *t, const dl4c_csv_record *rec)
{
    if (t->nrows == t->cap) {
        int64_t cap = t->cap ? t->cap * 2 : 256;
        size_t *cell = dl4c_realloc(t->cell, (size_t)cap * (size_t)t->ncols *
                                                 sizeof *cell);
        if (!cell)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        t->cell = cell;
        int64_t *lines = dl4c_realloc(t->lines, (size_t)cap * sizeof *lines);
        if (!lines)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        t->lines = lines;
        t->cap = cap;
    }
    if (t->pool_len + rec->len + 1 > t->pool_cap) {
        size_t cap = t->pool_cap ? t->pool_cap : 65536;
        while (cap < t->pool_len + rec->len + 1)
            cap *= 2;
        char *p = dl4c_realloc(t->pool, cap);
        if (!p)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        t->pool = p;
        t->pool_cap = cap;
    }
    memcpy(t->pool + t->pool_len, rec->text, rec->len);
    t->pool[t->pool_len + rec->len] = '\0';
    for (int c = 0; c < t->ncols; c++)
        t->cell[t->nrows * t->ncols + c] = t->pool_len + rec->cell[c];
    t->pool_len += rec->len + 1;
    t->lines[t->nrows++] = rec->line;
    return DL4C_OK;
}

dl4c_status dl4c_csv_table_read(const char *path, char delimiter, bool header,
                                dl4c_csv_table *out)
{
    dl4c_status status = DL4C_OK;
    dl4c_byte_reader *in = NULL;
    dl4c_csv_tokenizer tok;
    dl4c_csv_record rec = {0};
    memset(out, 0, sizeof *out);
    if (!delimiter)
        delimiter =
            ends_with(path, ".tsv") || ends_with(path, ".tsv.gz") ? '\t' : ',';
    DL4C_TRY(dl4c_byte_reader_open(path, &in));
    dl4c_csv_tokenizer_init(&tok, in, path, delimiter, '"');
    bool got = false, first = true;
    for (;;) {
        DL4C_TRY(dl4c_csv_next_record(&tok, &rec, &got));
        if (!got)
            break;
        if (dl4c_csv_record_blank(&rec))
            continue;
        if (first) {
            first = false;
            out->ncols = rec.ncells;
            out->header = dl4c_calloc((size_t)rec.ncells, sizeof *out->header);
            if (!out->header)
                DL4C_NOMEM_FAIL();
            for (int c = 0; c < rec.ncells; c++) {
                out->header[c] = header ? dl4c_strdup(rec.text + rec.cell[c])
                                        : dl4c_asprintf("column_%d", c + 1);
                if (!out->header[c])
                    DL4C_NOMEM_FAIL();
            }
            if (header)
                continue;
        }
        DL4C_CHECK(rec.ncells == out->ncols, DL4C_FORMAT,
                   "%s:%lld: expected %d columns, found %d", path,
                   (long long)rec.line, out->ncols, rec.ncells);
        DL4C_TRY(add_record(out, &rec));
    }
    DL4C_CHECK(out->nrows > 0, DL4C_FORMAT, "%s: no data rows", path);
fail:
    dl4c_csv_record_free(&rec);
    dl4c_byte_reader_close(in);
    if (status != DL4C_OK)
        dl4c_csv_table_free(out);
    return status;
}

void dl4c_csv_table_free(dl4c_csv_table *t)
{
    for (int c = 0; t->header && c < t->ncols; c++)
        dl4c_free(t->header[c]);
    dl4c_free(t->header);
    dl4c_free(t->lines);
    dl4c_free(t->pool);
    dl4c_free(t->cell);
    memset(t, 0, sizeof *t);
}

int dl4c_csv_table_column(const dl4c_csv_table *t, const char *name)
{
    for (int c = 0; c < t->ncols; c++)
        if (!strcmp(t->header[c], name))
            return c;
    return -1;
}
