/* CSV records from a byte stream. Line ends are LF, CRLF or a lone CR;
 * inside quotes they are part of the cell. A quote opens a quoted cell
 * only at the start of a cell (after optional blanks); a doubled quote
 * inside is one quote; after the closing quote only blanks may come
 * before the delimiter or the line end. */
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/csv_internal.h"

#define MAX_CELLS (1 << 24)

void dl4c_csv_tokenizer_init(dl4c_csv_tokenizer *t, dl4c_byte_reader *in,
                             const char *name, char delimiter, char quote)
{
    t->in = in;
    t->name = name;
    t->delimiter = delimiter;
    t->quote = quote;
    t->line = 1;
    t->pushback = -2;
}

void dl4c_csv_record_free(dl4c_csv_record *rec)
{
    dl4c_free(rec->text);
    dl4c_free(rec->cell);
    dl4c_free(rec->quoted);
    memset(rec, 0, sizeof *rec);
}

static int next_char(dl4c_csv_tokenizer *t, dl4c_status *st)
{
    if (t->pushback != -2) {
        int c = t->pushback;
        t->pushback = -2;
        return c;
    }
    int c = dl4c_byte_reader_getc(t->in, st);
    if (*st != DL4C_OK)
        dl4c_error_prefix(*st, "%s", t->name);
    return c;
}

/* After a CR: swallows the LF of a CRLF pair. */
static dl4c_status after_cr(dl4c_csv_tokenizer *t)
{
    dl4c_status st = DL4C_OK;
    int c = next_char(t, &st);
    if (st != DL4C_OK)
        return st;
    if (c != '\n')
        t->pushback = c;
    return DL4C_OK;
}

dl4c_status dl4c_csv_skip_lines(dl4c_csv_tokenizer *t, int n)
{
    dl4c_status st = DL4C_OK;
    while (n > 0) {
        int c = next_char(t, &st);
        if (st != DL4C_OK)
            return st;
        if (c < 0)
            return DL4C_OK;
        if (c == '\n' || c == '\r') {
            if (c == '\r')
                DL4C_RETURN_IF(after_cr(t));
            t->line++;
            n--;
        }
    }
    return DL4C_OK;
}

static bool push_char(dl4c_csv_record *rec, char c)
{
    if (rec->len + 1 >= rec->cap) {
        size_t cap = rec->cap ? rec->cap * 2 : 256;
        char *p = dl4c_realloc(rec->text, cap);
        if (!p)
            return false;
        rec->text = p;
        rec->cap = cap;
    }
    rec->text[rec->len++] = c;
    return true;
}

static bool start_cell(dl4c_csv_record *rec)
{
    if (rec->ncells == rec->cell_cap) {
        int cap = rec->cell_cap ? rec->cell_cap * 2 : 16;
        size_t *cell = dl4c_realloc(rec->cell, (size_t)cap * sizeof *cell);
        if (!cell)
            return false;
        rec->cell = cell;
        bool *quoted = dl4c_realloc(rec->quoted, (size_t)cap * sizeof *quoted);
        if (!quoted)
            return false;
        rec->quoted = quoted;
        rec->cell_cap = cap;
    }
    rec->cell[rec->ncells] = rec->len;
    rec->quoted[rec->ncells] = false;
    rec->ncells++;
    return true;
}

static bool is_blank(const dl4c_csv_tokenizer *t, int c)
{
    return (c == ' ' || c == '\t') && c != t->delimiter;
}

/* Ends the current cell: trims trailing blanks of an unquoted cell. */
static bool end_cell(dl4c_csv_record *rec, bool trim)
{
    size_t begin = rec->cell[rec->ncells - 1];
    if (trim)
        while (rec->len > begin && (rec->text[rec->len - 1] == ' ' ||
                                    rec->text[rec->len - 1] == '\t'))
            rec->len--;
    return push_char(rec, '\0');
}

bool dl4c_csv_record_blank(const dl4c_csv_record *rec)
{
    return rec->ncells == 1 && !rec->quoted[0] && rec->text[0] == '\0';
}

dl4c_status dl4c_csv_next_record(dl4c_csv_tokenizer *t, dl4c_csv_record *rec,
                                 bool *got)
{
    dl4c_status status = DL4C_OK;
    enum { CELL_START, UNQUOTED, QUOTED, AFTER_QUOTE } state = CELL_START;
    bool any = false; /* read at least one character of this record */
    bool trim_blanks = t->delimiter != ' ' && t->delimiter != '\t';
    *got = false;
    rec->len = 0;
    rec->ncells = 0;
    rec->line = t->line;
    if (!start_cell(rec))
        DL4C_NOMEM_FAIL();
    for (;;) {
        int c = next_char(t, &status);
        if (status != DL4C_OK)
            goto fail;
        if (c < 0) {
            if (state == QUOTED)
                DL4C_FAIL(DL4C_FORMAT,
                          "%s:%lld: column %d: quoted field never closed "
                          "(end of file)",
                          t->name, (long long)rec->line, rec->ncells);
            if (!any)
                return DL4C_OK; /* end of data */
            break;
        }
        any = true;
        if (state == QUOTED) {
            if (c == t->quote) {
                int d = next_char(t, &status);
                if (status != DL4C_OK)
                    goto fail;
                if (d == t->quote) {
                    if (!push_char(rec, (char)c))
                        DL4C_NOMEM_FAIL();
                    continue;
                }
                t->pushback = d;
                state = AFTER_QUOTE;
                continue;
            }
            if (c == '\n')
                t->line++;
            if (!push_char(rec, (char)c))
                DL4C_NOMEM_FAIL();
            continue;
        }
        if (c == '\n' || c == '\r') {
            if (c == '\r')
                DL4C_TRY(after_cr(t));
            t->line++;
            break;
        }
        if (c == t->delimiter) {
            if (!end_cell(rec, state != AFTER_QUOTE && trim_blanks))
                DL4C_NOMEM_FAIL();
            if (rec->ncells >= MAX_CELLS)
                DL4C_FAIL(DL4C_FORMAT, "%s:%lld: more than %d columns", t->name,
                          (long long)rec->line, MAX_CELLS);
            if (!start_cell(rec))
                DL4C_NOMEM_FAIL();
            state = CELL_START;
            continue;
        }
        if (state == AFTER_QUOTE) {
            if (is_blank(t, c))
                continue;
            DL4C_FAIL(DL4C_FORMAT,
                      "%s:%lld: column %d: text after the closing quote",
                      t->name, (long long)rec->line, rec->ncells);
        }
        if (state == CELL_START) {
            if (trim_blanks && is_blank(t, c))
                continue;
            if (t->quote && c == t->quote) {
                rec->quoted[rec->ncells - 1] = true;
                state = QUOTED;
                continue;
            }
            state = UNQUOTED;
        }
        if (!push_char(rec, (char)c))
            DL4C_NOMEM_FAIL();
    }
    if (!end_cell(rec, state != AFTER_QUOTE && trim_blanks))
        DL4C_NOMEM_FAIL();
    *got = true;
    return DL4C_OK;
fail:
    return status;
}
