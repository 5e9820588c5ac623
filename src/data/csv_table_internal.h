/* A whole CSV file as text cells: the header's column names and every
 * record's cells, for the readers that need names or non-numeric values
 * (the dataset store's ingest, transforms, data reports, sequences,
 * labels files). Every record must have the header's cell count; blank
 * lines are skipped. */
#ifndef DL4C_CSV_TABLE_INTERNAL_H
#define DL4C_CSV_TABLE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "dl4c/status.h"

typedef struct dl4c_csv_table {
    int ncols;
    char **header; /* ncols names; "column_<i>" when the file has none */
    int64_t nrows;
    int64_t *lines; /* the line each record starts on */
    char *pool;     /* the cells' text, NUL-terminated one after another */
    size_t pool_len, pool_cap;
    size_t *cell; /* nrows * ncols offsets into pool */
    int64_t cap;
} dl4c_csv_table;

/* Reads `path` (plain or gzip) with `delimiter` (0: tab for names ending
 * in .tsv or .tsv.gz, else ','). With `header`, the first record names the
 * columns. Errors name file and line: "x.csv:7: expected 5 columns, found
 * 4" (DL4C_FORMAT); DL4C_IO when the file cannot be read; DL4C_FORMAT for
 * a file without records. */
dl4c_status dl4c_csv_table_read(const char *path, char delimiter, bool header,
                                dl4c_csv_table *out);
void dl4c_csv_table_free(dl4c_csv_table *t);

/* Cell (row, col): borrowed, lives as long as the table. */
static inline const char *dl4c_csv_table_cell(const dl4c_csv_table *t,
                                              int64_t row, int col)
{
    return t->pool + t->cell[row * t->ncols + col];
}

/* Index of the column named `name`, or -1. */
int dl4c_csv_table_column(const dl4c_csv_table *t, const char *name);

#endif
