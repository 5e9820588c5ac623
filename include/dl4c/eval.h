/* Evaluation: classification metrics (accuracy, precision, recall, F1,
 * confusion matrix, top-N) and regression metrics (MSE, MAE, RMSE, RSE,
 * R^2, Pearson correlation), accumulated over batches and printed in the
 * layout of DL4J's Evaluation.stats() and RegressionEvaluation.stats().
 *
 *   dl4c_eval *ev = NULL;
 *   if (dl4c_eval_create(3, &ev) != DL4C_OK) ...
 *   const char *names[] = {"setosa", "versicolor", "virginica"};
 *   dl4c_eval_set_class_names(ev, 3, names);
 *   for (each batch)                      // labels [N, 3] one-hot or [N, 1]
 *       dl4c_eval_add(ev, labels, probabilities, NULL);
 *   printf("accuracy %.4f\n", dl4c_eval_accuracy(ev));
 *   char *text = NULL;
 *   if (dl4c_eval_stats(ev, &text) == DL4C_OK)
 *       puts(text);
 *   dl4c_free(text);
 *   dl4c_eval_free(ev);
 *
 * Classification. An example's actual class is the index in an [N, 1] (or
 * [N]) label tensor, or the argmax of an [N, C] one-hot / probability row;
 * its predicted class is the argmax of its [N, C] prediction row (scores or
 * probabilities). Ties go to the lowest index. With two classes,
 * predictions may also be [N, 1]: the probability of class 1, predicted
 * when it is > 0.5 (DL4J's binary decision threshold).
 *
 * Sequences: any leading dims count as examples, so [N, T, C] labels and
 * predictions (NWC, as recurrent outputs) with an [N, T] mask evaluate
 * every unmasked time step; index labels are then [N, T, 1]. The same
 * holds for regression ([N, T, K]).
 *
 * Per class c, from the confusion matrix M (rows actual, columns predicted):
 *   TP = M[c][c]   FP = column sum - TP   FN = row sum - TP
 *   TN = count - TP - FP - FN
 *   precision = TP / (TP + FP)    recall = TP / (TP + FN)
 *   F1 = 2 * precision * recall / (precision + recall)
 * A precision with TP + FP == 0 (class never predicted) or a recall with
 * TP + FN == 0 (class never present in the labels) is undefined: the
 * per-class accessors return 0 for it, and, as in DL4J, the class is left
 * out of the macro average of that metric. F1 is undefined when either
 * precision or recall is. stats() then prints how many classes were left
 * out and which ones ("Warning: 2 classes were never predicted by the model
 * and were excluded from average precision").
 *
 * Averages (dl4c_eval_averaging):
 *   MACRO     mean of the defined per-class values (DL4J's default);
 *   MICRO     from the summed TP/FP/FN of all classes; for single-label
 *             data precision, recall and F1 then all equal the accuracy;
 *   WEIGHTED  per-class values (undefined = 0) weighted by each class's
 *             support (its number of actual examples), as scikit-learn.
 * Unlike DL4J, two-class evaluations are macro-averaged too (DL4J reports
 * only class 1 there); the per-class accessors give class 1 alone.
 * With no examples, or when no class has a defined value, every rate and
 * average is 0.
 *
 * Regression. Labels and predictions are [N, K] (or [N] for K = 1); per
 * column over its unmasked examples, with e = prediction - label:
 *   MSE  = mean(e^2)      MAE = mean(|e|)      RMSE = sqrt(MSE)
 *   RSE  = sum(e^2) / sum((y - mean(y))^2)     R^2 = 1 - RSE
 *   PC   = Pearson correlation of labels and predictions
 * Sums are kept in double with Welford's running updates, so adding data
 * in several batches gives exactly the result of adding it at once, and
 * merging uses Chan et al.'s pairwise formulas (equal up to rounding).
 *
 * Inputs may be float32 or float64 CPU tensors (mixed dtypes are fine).
 * An add validates everything before counting anything, so a failed add
 * leaves the evaluation unchanged; "row" in its messages is the example's
 * index over the leading dims. Evaluation objects are not thread-safe:
 * give each thread its own and merge them.
 */
#ifndef DL4C_EVAL_H
#define DL4C_EVAL_H

#include <stdint.h>

#include "dl4c/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Classification
 * ------------------------------------------------------------------------ */

typedef struct dl4c_eval dl4c_eval;

/* How per-class precision / recall / F1 are combined into one number. */
typedef enum dl4c_eval_averaging {
    DL4C_EVAL_MACRO = 0, /* equal weight per class (defined values only) */
    DL4C_EVAL_MICRO,     /* from the summed counts of all classes */
    DL4C_EVAL_WEIGHTED,  /* weighted by each class's support */
    DL4C_EVAL_AVERAGING_COUNT
} dl4c_eval_averaging;

/* The metrics that can be undefined for a class (see the top of the file). */
typedef enum dl4c_eval_metric {
    DL4C_EVAL_PRECISION = 0,
    DL4C_EVAL_RECALL,
    DL4C_EVAL_F1,
    DL4C_EVAL_METRIC_COUNT
} dl4c_eval_metric;

/* "macro", "micro", "weighted"; "invalid" otherwise. */
DL4C_API const char *dl4c_eval_averaging_name(dl4c_eval_averaging avg);
/* "precision", "recall", "f1"; "invalid" otherwise. */
DL4C_API const char *dl4c_eval_metric_name(dl4c_eval_metric metric);

/* Creates an empty evaluation for `num_classes` classes (at least 2), named
 * "0", "1", ... until dl4c_eval_set_class_names, with top-N = 1.
 * `*out` receives a new object the caller frees with dl4c_eval_free.
 * Returns DL4C_INVALID_ARG when out is NULL or num_classes < 2, DL4C_NOMEM.
 * *out is NULL on failure. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_eval_create(int num_classes,
                                                     dl4c_eval **out);

/* Frees the evaluation and everything it holds. NULL is a no-op. */
DL4C_API void dl4c_eval_free(dl4c_eval *e);

/* Clears every count; class names and top-N stay. NULL is a no-op. */
DL4C_API void dl4c_eval_reset(dl4c_eval *e);

/* Sets the class names printed by stats() and written by to_json. `names`
 * holds `count` NUL-terminated strings, which are copied (the caller keeps
 * ownership). count must equal the number of classes. names == NULL with
 * count == 0 restores the default names "0", "1", ...
 * Returns DL4C_INVALID_ARG for a NULL e, a wrong count or a NULL name,
 * DL4C_NOMEM (the old names then stay). */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_eval_set_class_names(dl4c_eval *e, int count, const char *const *names);

/* Sets N for top-N accuracy: an example counts as correct when fewer than
 * N classes score strictly higher than its actual class (so ties count in
 * its favour, as in DL4J). n == 1 makes top-N accuracy the accuracy; with
 * single-column binary predictions any n >= 2 counts every example.
 * Returns DL4C_INVALID_ARG for a NULL e or n < 1; DL4C_STATE when examples
 * were already added with a different N (reset first). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_eval_set_top_n(dl4c_eval *e, int n);

/* Adds a batch of N examples (N*T for sequences, see the top of the file).
 *   labels       [N, C] one-hot or probabilities (actual class = argmax),
 *                or [N, 1] / [N] class indices (integral values 0..C-1).
 *   predictions  [N, C] scores or probabilities (predicted = argmax), or
 *                [N, 1] probability of class 1 when C == 2; the dims
 *                before the last must equal those of the labels.
 *   mask         NULL, or [N] / [N, 1] of 0 and 1: rows with 0 are
 *                skipped (their labels and predictions are not read).
 * All three are borrowed for the call only, float32 or float64.
 * Returns DL4C_INVALID_ARG for a NULL e/labels/predictions, a class index
 * out of range or not integral (the message names the row and value), a
 * NaN or infinity in an unmasked row, or a mask value other than 0 and 1;
 * DL4C_SHAPE when shapes do not fit together or with C (the message names
 * both shapes); DL4C_UNSUPPORTED for tensors off the CPU; DL4C_NOMEM. On
 * any failure nothing is counted. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_eval_add(dl4c_eval *e, const dl4c_tensor *labels,
              const dl4c_tensor *predictions, const dl4c_tensor *mask);

/* Adds other's counts into e (other is unchanged), e.g. to combine the
 * evaluations of several workers: the result equals one evaluation that
 * saw all their examples. e keeps its class names.
 * Returns DL4C_INVALID_ARG for a NULL argument, a different number of
 * classes or a different top-N. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_eval_merge(dl4c_eval *e,
                                                    const dl4c_eval *other);

/* Number of classes; 0 for NULL. */
DL4C_API int dl4c_eval_num_classes(const dl4c_eval *e);
/* The top-N setting; 0 for NULL. */
DL4C_API int dl4c_eval_top_n(const dl4c_eval *e);
/* The name of class `cls` (set or default), borrowed: valid until the
 * names are set again or e is freed. NULL when cls is out of range. */
DL4C_API const char *dl4c_eval_class_name(const dl4c_eval *e, int cls);

/* Number of examples counted (unmasked rows). 0 for NULL. */
DL4C_API int64_t dl4c_eval_count(const dl4c_eval *e);

/* Confusion matrix entry: examples of class `actual` predicted as class
 * `predicted`. -1 when either is out of range. */
DL4C_API int64_t dl4c_eval_confusion(const dl4c_eval *e, int actual,
                                     int predicted);

/* Per-class counts (see the top of the file); -1 when cls is out of range.
 * support = TP + FN, the number of examples whose actual class is cls. */
DL4C_API int64_t dl4c_eval_true_positives(const dl4c_eval *e, int cls);
DL4C_API int64_t dl4c_eval_false_positives(const dl4c_eval *e, int cls);
DL4C_API int64_t dl4c_eval_false_negatives(const dl4c_eval *e, int cls);
DL4C_API int64_t dl4c_eval_true_negatives(const dl4c_eval *e, int cls);
DL4C_API int64_t dl4c_eval_support(const dl4c_eval *e, int cls);

/* Fraction of examples whose predicted class is the actual class; 0 with
 * no examples. */
DL4C_API double dl4c_eval_accuracy(const dl4c_eval *e);

/* Fraction of examples whose actual class is among the top-N scores (see
 * dl4c_eval_set_top_n); the accuracy when N == 1; 0 with no examples. */
DL4C_API double dl4c_eval_top_n_accuracy(const dl4c_eval *e);

/* Per-class precision, recall and F1; 0 where undefined (see the top of
 * the file); NaN when cls is out of range. */
DL4C_API double dl4c_eval_precision(const dl4c_eval *e, int cls);
DL4C_API double dl4c_eval_recall(const dl4c_eval *e, int cls);
DL4C_API double dl4c_eval_f1(const dl4c_eval *e, int cls);

/* Averaged precision, recall and F1 (see dl4c_eval_averaging); NaN for an
 * invalid averaging value. */
DL4C_API double dl4c_eval_precision_avg(const dl4c_eval *e,
                                        dl4c_eval_averaging avg);
DL4C_API double dl4c_eval_recall_avg(const dl4c_eval *e,
                                     dl4c_eval_averaging avg);
DL4C_API double dl4c_eval_f1_avg(const dl4c_eval *e, dl4c_eval_averaging avg);

/* True (1) when `metric` is undefined for class `cls` and the class is
 * therefore left out of that metric's macro average; 0 otherwise
 * (including an out-of-range cls or metric). */
DL4C_API int dl4c_eval_is_excluded(const dl4c_eval *e, dl4c_eval_metric metric,
                                   int cls);
/* Number of classes left out of the macro average of `metric`. */
DL4C_API int dl4c_eval_excluded_count(const dl4c_eval *e,
                                      dl4c_eval_metric metric);

/* The summary in the layout of DL4J's Evaluation.stats(): number of
 * classes, accuracy, top-N accuracy (when N > 1), macro precision / recall
 * / F1 (with "(k classes excluded from average)" notes), warnings naming
 * the classes left out of an average ("... never predicted by the model
 * ..." for precision, "... never present in the labels ..." for recall),
 * and the confusion matrix (columns as wide as the largest count; left out
 * with a note above 20 classes, see dl4c_eval_confusion_text). The text
 * starts with an empty line and has no trailing newline, like DL4J's.
 * `*out` receives a new string the caller frees with dl4c_free.
 * Returns DL4C_INVALID_ARG for a NULL argument, DL4C_NOMEM; *out is NULL
 * on failure. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_eval_stats(const dl4c_eval *e,
                                                    char **out);

/* The confusion matrix alone, as in stats() but for any number of classes:
 * a header of class indices, a rule, one row per actual class ending in
 * " | <index> = <name>", then the line "Confusion matrix format: Actual
 * (rowClass) predicted as (columnClass) N times" (no trailing newline).
 * Ownership and statuses as dl4c_eval_stats. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_eval_confusion_text(const dl4c_eval *e,
                                                             char **out);

/* A per-class table in the layout of scikit-learn's classification_report
 * (4 decimals): one row per class with precision, recall, F1 and support,
 * then the accuracy, the macro average (DL4J's, leaving out undefined
 * classes) and the support-weighted average; ends with a newline.
 * Ownership and statuses as dl4c_eval_stats. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_eval_class_report(const dl4c_eval *e,
                                                           char **out);

/* The evaluation as one JSON object:
 *   {"type": "classification", "num_classes": C, "count": n, "top_n": N,
 *    "top_n_correct": k, "accuracy": a, "top_n_accuracy": t,
 *    "precision": {"macro": .., "micro": .., "weighted": ..},
 *    "recall": {...}, "f1": {...},
 *    "excluded": {"precision": [classes], "recall": [..], "f1": [..]},
 *    "class_names": [..], "confusion_matrix": [[..], ..],
 *    "classes": [{"name": .., "precision": .., "recall": .., "f1": ..,
 *                 "support": .., "tp": .., "fp": .., "fn": .., "tn": ..}]}
 * Numbers round-trip through strtod. Ownership and statuses as
 * dl4c_eval_stats. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_eval_to_json(const dl4c_eval *e,
                                                      char **out);

/* ------------------------------------------------------------------------
 * Regression
 * ------------------------------------------------------------------------ */

typedef struct dl4c_regression_eval dl4c_regression_eval;

typedef enum dl4c_regression_metric {
    DL4C_REGRESSION_MSE = 0, /* mean squared error */
    DL4C_REGRESSION_MAE,     /* mean absolute error */
    DL4C_REGRESSION_RMSE,    /* root mean squared error */
    DL4C_REGRESSION_RSE,     /* relative squared error */
    DL4C_REGRESSION_PC,      /* Pearson correlation coefficient */
    DL4C_REGRESSION_R2,      /* coefficient of determination */
    DL4C_REGRESSION_METRIC_COUNT
} dl4c_regression_metric;

/* "MSE", "MAE", "RMSE", "RSE", "PC", "R^2" (the stats() headers);
 * "invalid" otherwise. */
DL4C_API const char *dl4c_regression_metric_name(dl4c_regression_metric m);

/* Creates an empty evaluation of `num_columns` (at least 1) output columns,
 * named "col_0", "col_1", ... until dl4c_regression_eval_set_column_names.
 * `*out` receives a new object the caller frees with
 * dl4c_regression_eval_free. Returns DL4C_INVALID_ARG when out is NULL or
 * num_columns < 1, DL4C_NOMEM; *out is NULL on failure. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_regression_eval_create(int num_columns, dl4c_regression_eval **out);

/* Frees the evaluation. NULL is a no-op. */
DL4C_API void dl4c_regression_eval_free(dl4c_regression_eval *e);

/* Clears every sum and count; column names stay. NULL is a no-op. */
DL4C_API void dl4c_regression_eval_reset(dl4c_regression_eval *e);

/* Sets the column names (copied; count must equal the number of columns;
 * names == NULL with count == 0 restores "col_0", ...). Returns
 * DL4C_INVALID_ARG for a NULL e, a wrong count or a NULL name, DL4C_NOMEM
 * (the old names then stay). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_regression_eval_set_column_names(
    dl4c_regression_eval *e, int count, const char *const *names);

/* Adds a batch (sequences: see the top of the file).
 *   labels, predictions  [N, K] (or [N] when K == 1), same shape.
 *   mask                 NULL, [N] / [N, 1] of 0 and 1 per row, or [N, K]
 *                        per value; values under a 0 are not read.
 * All borrowed for the call only, float32 or float64.
 * Returns DL4C_INVALID_ARG for a NULL e/labels/predictions, a NaN or
 * infinity in an unmasked value (the message names row and column), or a
 * mask value other than 0 and 1; DL4C_SHAPE when shapes do not fit each
 * other or K (the message names the shapes); DL4C_UNSUPPORTED for tensors
 * off the CPU; DL4C_NOMEM. On failure nothing is counted. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_regression_eval_add(
    dl4c_regression_eval *e, const dl4c_tensor *labels,
    const dl4c_tensor *predictions, const dl4c_tensor *mask);

/* Adds other's statistics into e (other is unchanged). e keeps its column
 * names. Returns DL4C_INVALID_ARG for a NULL argument or a different
 * number of columns. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_regression_eval_merge(
    dl4c_regression_eval *e, const dl4c_regression_eval *other);

/* Number of columns; 0 for NULL. */
DL4C_API int dl4c_regression_eval_num_columns(const dl4c_regression_eval *e);
/* Name of column `col` (set or default), borrowed until the names are set
 * again or e is freed; NULL when col is out of range. */
DL4C_API const char *
dl4c_regression_eval_column_name(const dl4c_regression_eval *e, int col);
/* Number of values counted in column `col`; -1 when out of range. */
DL4C_API int64_t dl4c_regression_eval_count(const dl4c_regression_eval *e,
                                            int col);

/* One metric for column `col`. NaN when col or metric is out of range or
 * the column has no values; PC is NaN when the labels or the predictions
 * of the column are constant. With constant labels RSE is 0 and R^2 is 1
 * when every prediction is exact, otherwise RSE is +inf and R^2 -inf. */
DL4C_API double dl4c_regression_eval_metric(const dl4c_regression_eval *e,
                                            dl4c_regression_metric metric,
                                            int col);

/* The mean of one metric over the columns that have values (as DL4J's
 * averageMeanSquaredError() etc.); a NaN or infinite column value carries
 * into the mean. NaN when no column has values or metric is invalid. */
DL4C_API double dl4c_regression_eval_average(const dl4c_regression_eval *e,
                                             dl4c_regression_metric metric);

/* The table of DL4J's RegressionEvaluation.stats(): a header row
 *   "Column    MSE            MAE            RMSE           RSE  ..."
 * then one row per column: the name left-aligned in (longest name + 5,
 * at least 7) characters, each metric as %-15.5e ("NaN", "Infinity" for
 * non-finite values, as Java prints them); every line ends in a newline.
 * Without any values the text is "RegressionEvaluation: No Data".
 * `*out` receives a new string the caller frees with dl4c_free. Returns
 * DL4C_INVALID_ARG for a NULL argument, DL4C_NOMEM; *out is NULL on
 * failure. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_regression_eval_stats(const dl4c_regression_eval *e, char **out);

/* The evaluation as one JSON object:
 *   {"type": "regression", "num_columns": K,
 *    "columns": [{"name": .., "count": n, "mse": .., "mae": .., "rmse": ..,
 *                 "rse": .., "pc": .., "r2": ..}, ..],
 *    "average": {"mse": .., "mae": .., "rmse": .., "rse": .., "pc": ..,
 *                "r2": ..}}
 * Non-finite values are written as null. Ownership and statuses as
 * dl4c_regression_eval_stats. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_regression_eval_to_json(const dl4c_regression_eval *e, char **out);

#ifdef __cplusplus
}
#endif
#endif
