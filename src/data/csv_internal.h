/* CSV tokenizer: splits a byte stream into records of cells (RFC 4180
 * quoting: a quoted cell may hold the delimiter, newlines and doubled
 * quotes). The CSV dataset reader (csv.c) turns the cells into numbers. */
#ifndef DL4C_CSV_INTERNAL_H
#define DL4C_CSV_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data/byte_reader_internal.h"

/* One record: ncells NUL-terminated cells in text. Unquoted cells have
 * their surrounding spaces and tabs removed (unless those are the
 * delimiter); quoted cells keep their content exactly. */
typedef struct dl4c_csv_record {
    char *text;
    size_t len, cap;
    size_t *cell; /* offset of each cell in text */
    bool *quoted;
    int ncells, cell_cap;
    int64_t line; /* 1-based line where the record starts */
} dl4c_csv_record;

typedef struct dl4c_csv_tokenizer {
    dl4c_byte_reader *in;
    const char *name; /* for messages */
    char delimiter;
    char quote; /* 0: no quoting */
    int64_t line;
    int pushback; /* -2: none */
} dl4c_csv_tokenizer;

void dl4c_csv_tokenizer_init(dl4c_csv_tokenizer *t, dl4c_byte_reader *in,
                             const char *name, char delimiter, char quote);
/* Skips n physical lines (no quote handling: for headers). */
dl4c_status dl4c_csv_skip_lines(dl4c_csv_tokenizer *t, int n);
/* Reads the next record; *got is false at the end of the data. Errors
 * name the place: "name:LINE: column C: ..." (DL4C_FORMAT), or the stream
 * (DL4C_IO, or DL4C_FORMAT for broken gzip data). */
dl4c_status dl4c_csv_next_record(dl4c_csv_tokenizer *t, dl4c_csv_record *rec,
                                 bool *got);
/* True when the record is a blank line. */
bool dl4c_csv_record_blank(const dl4c_csv_record *rec);
void dl4c_csv_record_free(dl4c_csv_record *rec);

/* The number in `s` (whole text, blanks allowed around it), in the C
 * locale, finite and in float32 range. Writes why it is not one (without
 * location) into `why` and returns false otherwise. */
bool dl4c_csv_parse_number(const char *s, double *out, char *why, size_t cap);

#endif
