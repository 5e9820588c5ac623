/* Transform processes: a schema for raw CSV rows (column names and types)
 * and a list of steps that turn them into numeric features: remove, keep
 * and rename columns; strings to categories; categories to one-hot or
 * integer columns; filters; replacing missing or invalid values; min-max
 * scaling and standardizing; derived columns from arithmetic; date-time
 * fields. The process is JSON (docs/data.md), is fitted once on training
 * data (statistics and category lists are then stored in it), and travels
 * inside the model file, so prediction applies exactly the training-time
 * steps to raw rows.
 *
 *   dl4c_transform *tp = NULL;
 *   dl4c_transform_load("process.json", &tp);
 *   dl4c_dataset *train = NULL;
 *   dl4c_transform_load_csv(tp, "raw.csv", true, 0, &train);   // fits
 *   char *json = NULL;
 *   dl4c_transform_write(tp, &json);         // with the fitted statistics
 *   dl4c_net_set_metadata(net, "transform", json);
 *   ...
 *   float x[64];
 *   int64_t n;
 *   bool kept;
 *   const char *raw[] = {"34", "paris", "2024-03-05 14:30:00"};
 *   dl4c_transform_row(tp, raw, 3, x, 64, &n, &kept);
 *
 * A transform object is used by one thread at a time (give each thread
 * its own: parse the same JSON once per thread).
 */
#ifndef DL4C_TRANSFORM_H
#define DL4C_TRANSFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "dl4c/data.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dl4c_column_type {
    DL4C_COL_INTEGER = 0,
    DL4C_COL_DOUBLE,
    DL4C_COL_CATEGORICAL,
    DL4C_COL_STRING,
    DL4C_COL_TIME,
    DL4C_COL_TYPE_COUNT
} dl4c_column_type;

/* "integer", "double", "categorical", "string", "time". */
DL4C_API const char *dl4c_column_type_name(dl4c_column_type t);

typedef struct dl4c_transform dl4c_transform;

/* Parses a transform process (JSON text). Unknown keys, ops and types,
 * columns a step names that do not exist at that point, and bad
 * expressions are DL4C_FORMAT errors naming the step ("step 3
 * (minmax): no column 'incme' (columns: age, income, ...)"). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_transform_parse(const char *json,
                                                         dl4c_transform **out);
/* dl4c_transform_parse of a file; DL4C_IO when it cannot be read. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_transform_load(const char *path,
                                                        dl4c_transform **out);
DL4C_API void dl4c_transform_free(dl4c_transform *tp);
/* The process as JSON with every fitted value (freed with dl4c_free);
 * parse(write(tp)) behaves exactly as tp. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_transform_write(const dl4c_transform *tp, char **json);
/* True when every step has its statistics (none needs a fit). */
DL4C_API bool dl4c_transform_fitted(const dl4c_transform *tp);

/* The label column ("label" in the JSON; NULL when none): it stays out of
 * the features, and raw rows at prediction time may leave it out. The
 * name is copied; NULL clears it. It must be a column of the schema. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_transform_set_label(dl4c_transform *tp, const char *column);
DL4C_API const char *dl4c_transform_label(const dl4c_transform *tp);

/* Input columns (the schema) and, for a fitted process, output columns
 * (the features, the label column left out). Names are borrowed. */
DL4C_API int dl4c_transform_num_inputs(const dl4c_transform *tp);
DL4C_API const char *dl4c_transform_input_name(const dl4c_transform *tp, int i);
DL4C_API int dl4c_transform_num_outputs(const dl4c_transform *tp);
DL4C_API const char *dl4c_transform_output_name(const dl4c_transform *tp,
                                                int i);

/* Transforms a CSV file with a header whose column names are the
 * schema's (in any order; extra columns are an error, as is a missing
 * one other than the label). With `fit`, steps without statistics fit
 * them on this file first (without it they are an error naming the step).
 * `delimiter` 0 means ',' (tab for .tsv). Into a dataset: features [N, F]
 * of the output columns, labels from the label column: a categorical
 * label becomes one-hot over its categories (named), a number a class
 * index when num_classes > 0, else a regression target. Rows removed by
 * filters are left out. Errors name file, line and column: "raw.csv:12:
 * column 'age': 'abc' is not an integer", "raw.csv:9: column 'income':
 * missing value (add a replace_missing step)". */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_transform_load_csv(dl4c_transform *tp,
                                                            const char *path,
                                                            bool fit,
                                                            int num_classes,
                                                            dl4c_dataset **out);
/* The same rows written as a CSV file (header, then one line per kept
 * row, label column included, numbers with 17 significant digits, so
 * they read back exactly, and categories by name), atomically. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_transform_csv(dl4c_transform *tp,
                                                       const char *in_path,
                                                       const char *out_path,
                                                       bool fit);

/* One raw row (text cells in schema order, the label cell optional: a
 * row one cell short without it) into the features of a fitted process:
 * *n gets the output count, of which the first `cap` are written to out.
 * *kept is false (and *n 0) when a filter removed the row. DL4C_STATE for
 * an unfitted process; DL4C_FORMAT for a bad cell or a missing value,
 * naming the column. Allocates a little per call. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_transform_row(dl4c_transform *tp,
                                                       const char *const *cells,
                                                       int ncells, float *out,
                                                       int64_t cap, int64_t *n,
                                                       bool *kept);

/* dl4c_transform_row of one CSV line (RFC 4180 quoting, no line break
 * inside quotes; `delimiter` 0 means ','), for prediction from a stream.
 * Messages start with "name:line_no: ". */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_transform_line(
    dl4c_transform *tp, const char *line, char delimiter, const char *name,
    int64_t line_no, float *out, int64_t cap, int64_t *n, bool *kept);

#ifdef __cplusplus
}
#endif
#endif
