/* One CSV line into feature values: the row-at-a-time path behind
 * `dl4c predict`, which must answer each line of a pipe as it arrives
 * instead of reading to the end. It runs the same tokenizer and number
 * rules as the file reader, over the line in memory. */
#include <stdio.h>
#include <string.h>

#include "core/error_internal.h"
#include "data/csv_internal.h"
#include "dl4c/data.h"

dl4c_status dl4c_csv_parse_row(const char *line, const dl4c_csv_options *opt,
                               const char *name, int64_t line_no, float *values,
                               int64_t cap, int64_t *count)
{
    dl4c_status status = DL4C_OK;
    dl4c_byte_reader *in = NULL;
    dl4c_csv_tokenizer tok;
    dl4c_csv_record rec = {0};
    bool got = false;
    char why[160];
    *count = 0;
    size_t len = strlen(line);
    FILE *f = fmemopen((void *)line, len ? len : 1, "r");
    DL4C_CHECK(f, DL4C_NOMEM, "out of memory");
    DL4C_TRY(dl4c_byte_reader_from_stream(f, &in));
    dl4c_csv_tokenizer_init(&tok, in, name, opt->delimiter, opt->quote);
    tok.line = line_no;
    DL4C_TRY(dl4c_csv_next_record(&tok, &rec, &got));
    for (int c = 0; got && c < rec.ncells; c++) {
        if (c >= opt->label_from && c <= opt->label_to)
            continue;
        double v = 0;
        const char *cell = rec.text + rec.cell[c];
        DL4C_CHECK(dl4c_csv_parse_number(cell, &v, why, sizeof why),
                   DL4C_FORMAT, "%s:%lld: column %d: %s", name,
                   (long long)line_no, c + 1, why);
        if (*count < cap)
            values[*count] = (float)v;
        (*count)++;
    }
fail:
    dl4c_csv_record_free(&rec);
    dl4c_byte_reader_close(in);
    if (f)
        fclose(f);
    return status;
}
