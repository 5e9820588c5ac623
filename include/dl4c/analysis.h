/* Data analysis: per column of a table (a CSV file, or rows handed in one
 * by one) its type, count, missing values, min/max/mean/std, quantiles,
 * and a histogram or the category counts; compared with a second table
 * (train against test), a drift score per column (the population
 * stability index) flagging columns whose distributions differ. Written
 * as JSON, or as one self-contained HTML page with inline SVG charts.
 *
 *   dl4c_analysis *train = NULL, *test = NULL;
 *   dl4c_analysis_csv("train.csv", 0, true, &train);
 *   dl4c_analysis_csv("test.csv", 0, true, &test);
 *   dl4c_analysis_write_html(train, test, "report.html");
 *
 * Types are inferred: integer or double when every present value is a
 * number, time when every one is an ISO 8601 date-time, categorical when
 * there are at most max(20, rows / 20) distinct values, string otherwise.
 * Missing values are empty cells and NA, N/A, NaN, nan, null, NULL, ?.
 */
#ifndef DL4C_ANALYSIS_H
#define DL4C_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "dl4c/transform.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dl4c_analysis dl4c_analysis;

/* A table to fill with dl4c_analysis_add_row; `name` (copied) titles the
 * report ("train.csv"). DL4C_INVALID_ARG for ncols outside 1..100000. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_analysis_create(const char *name, int ncols, const char *const *columns,
                     dl4c_analysis **out);
/* Adds one row of ncols text cells (NULL or "" for missing). */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_analysis_add_row(dl4c_analysis *a, const char *const *cells);
/* Computes the statistics after the last row; DL4C_STATE before any row
 * or when called twice. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_analysis_finish(dl4c_analysis *a);
/* Create + add every row + finish for a CSV file (plain or gzip) with a
 * header (or columns named column_1... when `header` is false);
 * `delimiter` 0 means ',' (tab for .tsv). CSV errors name the line. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_analysis_csv(const char *path,
                                                      char delimiter,
                                                      bool header,
                                                      dl4c_analysis **out);
DL4C_API void dl4c_analysis_free(dl4c_analysis *a);

typedef struct dl4c_column_summary {
    const char *name; /* borrowed */
    dl4c_column_type type;
    int64_t count;    /* present values */
    int64_t missing;  /* missing values */
    int64_t distinct; /* distinct present values (capped at 100000) */
    /* numbers and times (seconds since 1970 UTC); NaN otherwise */
    double min, max, mean, std; /* std: sample standard deviation */
    double q05, q25, median, q75, q95;
} dl4c_column_summary;

DL4C_API int64_t dl4c_analysis_rows(const dl4c_analysis *a);
DL4C_API int dl4c_analysis_num_columns(const dl4c_analysis *a);
/* Column i's summary; DL4C_INVALID_ARG out of range, DL4C_STATE before
 * dl4c_analysis_finish. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_analysis_column(const dl4c_analysis *a, int i, dl4c_column_summary *out);
/* How often `value` occurs in categorical/string column i (0 if never). */
DL4C_API int64_t dl4c_analysis_category_count(const dl4c_analysis *a, int i,
                                              const char *value);

/* The population stability index of column i of `b` against the column
 * of the same name in `a`: numbers over 10 bins at a's deciles,
 * categories over their union, each share floored at 1e-4;
 * PSI = sum (b - a) ln(b / a). Below 0.1 the distributions agree, from
 * 0.1 they shifted moderately, from 0.25 a lot (the flags of the report).
 * DL4C_FORMAT when the column is missing from a or its type differs
 * (numbers against categories). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_analysis_drift(const dl4c_analysis *a,
                                                        const dl4c_analysis *b,
                                                        int i, double *psi);

/* The statistics as JSON (dl4c_free): {"name", "rows", "columns": [...]}
 * and, with `vs`, the second table's columns and a "drift" list. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_analysis_write_json(
    const dl4c_analysis *a, const dl4c_analysis *vs, char **json);
/* The report as one HTML file (atomically written): a summary table, one
 * SVG chart per column (a histogram, or the category counts; with `vs`
 * the two tables' distributions side by side) and, with `vs`, a chart of
 * the drift scores. It needs no network to view; a small inline script
 * counts the charts the browser rendered into the body's
 * data-charts-rendered attribute. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_analysis_write_html(
    const dl4c_analysis *a, const dl4c_analysis *vs, const char *path);

#ifdef __cplusplus
}
#endif
#endif
