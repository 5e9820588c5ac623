/* Text and JSON output of a classification evaluation: stats() in the
 * layout of DL4J's Evaluation.stats(), the confusion matrix alone, a
 * per-class table in the layout of scikit-learn's classification_report,
 * and JSON for the model store. */
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "eval/eval_internal.h"

/* Above this many classes stats() leaves the confusion matrix out. */
#define STATS_MAX_CONFUSION_CLASSES 20

static const char rule_metrics[] =
    "========================Evaluation Metrics========================";
static const char rule_confusion[] =
    "=========================Confusion Matrix=========================";
static const char rule_end[] =
    "==================================================================";

static int digits(int64_t v)
{
    int n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

static void append_confusion(dl4c_eval_buf *b, const dl4c_eval *e)
{
    int nc = e->num_classes;
    /* wide enough for the largest count and the largest class index */
    int64_t largest = nc - 1;
    for (int64_t i = 0; i < (int64_t)nc * nc; i++)
        if (e->confusion[i] > largest)
            largest = e->confusion[i];
    int w = digits(largest) + 1;
    for (int j = 0; j < nc; j++)
        dl4c_eval_buf_printf(b, "%*d", w, j);
    dl4c_eval_buf_printf(b, "\n");
    for (int j = 0; j < w * nc + 1; j++)
        dl4c_eval_buf_printf(b, "-");
    dl4c_eval_buf_printf(b, "\n");
    for (int i = 0; i < nc; i++) {
        for (int j = 0; j < nc; j++)
            dl4c_eval_buf_printf(b, "%*lld", w,
                                 (long long)dl4c_eval_confusion(e, i, j));
        dl4c_eval_buf_printf(b, " | %d = %s\n", i, e->names[i]);
    }
    dl4c_eval_buf_printf(b, "\nConfusion matrix format: Actual (rowClass) "
                            "predicted as (columnClass) N times");
}

/* "<label>0.9667" plus "\t(2 classes excluded from average)". */
static void append_average(dl4c_eval_buf *b, const dl4c_eval *e,
                           const char *label, dl4c_eval_metric metric,
                           double value)
{
    dl4c_eval_buf_printf(b, "\n %s", label);
    dl4c_eval_buf_number(b, "%.4f", 0, value);
    int ex = dl4c_eval_excluded_count(e, metric);
    if (ex > 0)
        dl4c_eval_buf_printf(b, "\t(%d class%s excluded from average)", ex,
                             ex > 1 ? "es" : "");
}

/* "Warning: 2 classes were never predicted by the model and were excluded
 * from average precision\nClasses excluded from average precision: [0, 1]"
 */
static void append_warning(dl4c_eval_buf *b, const dl4c_eval *e,
                           dl4c_eval_metric metric, const char *why)
{
    int ex = dl4c_eval_excluded_count(e, metric);
    if (ex == 0)
        return;
    const char *was = ex == 1 ? "was" : "were";
    dl4c_eval_buf_printf(b,
                         "Warning: %d class%s %s %s and %s excluded from "
                         "average %s\nClasses excluded from average %s: [",
                         ex, ex == 1 ? "" : "es", was, why, was,
                         dl4c_eval_metric_name(metric),
                         dl4c_eval_metric_name(metric));
    const char *sep = "";
    for (int i = 0; i < e->num_classes; i++)
        if (dl4c_eval_is_excluded(e, metric, i)) {
            dl4c_eval_buf_printf(b, "%s%d", sep, i);
            sep = ", ";
        }
    dl4c_eval_buf_printf(b, "]\n");
}

dl4c_status dl4c_eval_stats(const dl4c_eval *e, char **out)
{
    dl4c_eval_buf b = {0};
    if (out)
        *out = NULL;
    if (!e || !out)
        return dl4c_error_set(DL4C_INVALID_ARG, "eval stats: %s is NULL",
                              e ? "out" : "e");
    int nc = e->num_classes;
    dl4c_eval_buf_printf(&b, "\n\n%s", rule_metrics);
    dl4c_eval_buf_printf(&b, "\n # of classes:    %d", nc);
    dl4c_eval_buf_printf(&b, "\n Accuracy:        ");
    dl4c_eval_buf_number(&b, "%.4f", 0, dl4c_eval_accuracy(e));
    if (e->top_n > 1) {
        dl4c_eval_buf_printf(&b, "\n Top %d Accuracy:  ", e->top_n);
        dl4c_eval_buf_number(&b, "%.4f", 0, dl4c_eval_top_n_accuracy(e));
    }
    append_average(&b, e, "Precision:       ", DL4C_EVAL_PRECISION,
                   dl4c_eval_precision_avg(e, DL4C_EVAL_MACRO));
    append_average(&b, e, "Recall:          ", DL4C_EVAL_RECALL,
                   dl4c_eval_recall_avg(e, DL4C_EVAL_MACRO));
    append_average(&b, e, "F1 Score:        ", DL4C_EVAL_F1,
                   dl4c_eval_f1_avg(e, DL4C_EVAL_MACRO));
    dl4c_eval_buf_printf(&b,
                         "\nPrecision, recall & F1: macro-averaged (equally "
                         "weighted avg. of %d classes)\n\n",
                         nc);
    append_warning(&b, e, DL4C_EVAL_PRECISION, "never predicted by the model");
    append_warning(&b, e, DL4C_EVAL_RECALL, "never present in the labels");
    if (nc <= STATS_MAX_CONFUSION_CLASSES) {
        dl4c_eval_buf_printf(&b, "\n%s\n", rule_confusion);
        append_confusion(&b, e);
    } else {
        dl4c_eval_buf_printf(&b,
                             "\n\nNote: Confusion matrix not generated due to "
                             "space requirements for %d classes.\nUse "
                             "dl4c_eval_confusion_text to generate it anyway",
                             nc);
    }
    dl4c_eval_buf_printf(&b, "\n%s", rule_end);
    return dl4c_eval_buf_finish(&b, out);
}

dl4c_status dl4c_eval_confusion_text(const dl4c_eval *e, char **out)
{
    dl4c_eval_buf b = {0};
    if (out)
        *out = NULL;
    if (!e || !out)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "eval confusion_text: %s is NULL",
                              e ? "out" : "e");
    append_confusion(&b, e);
    return dl4c_eval_buf_finish(&b, out);
}

static void report_row(dl4c_eval_buf *b, int width, const char *name, double p,
                       double r, double f, int64_t support)
{
    dl4c_eval_buf_printf(b, "%*s  %9.4f %9.4f %9.4f %9lld\n", width, name, p, r,
                         f, (long long)support);
}

dl4c_status dl4c_eval_class_report(const dl4c_eval *e, char **out)
{
    dl4c_eval_buf b = {0};
    if (out)
        *out = NULL;
    if (!e || !out)
        return dl4c_error_set(DL4C_INVALID_ARG, "eval class_report: %s is NULL",
                              e ? "out" : "e");
    int width = (int)strlen("weighted avg");
    for (int i = 0; i < e->num_classes; i++) {
        int len = (int)strlen(e->names[i]);
        if (len > width)
            width = len;
    }
    dl4c_eval_buf_printf(&b, "%*s  %9s %9s %9s %9s\n\n", width, "", "precision",
                         "recall", "f1-score", "support");
    for (int i = 0; i < e->num_classes; i++)
        report_row(&b, width, e->names[i], dl4c_eval_precision(e, i),
                   dl4c_eval_recall(e, i), dl4c_eval_f1(e, i),
                   dl4c_eval_support(e, i));
    dl4c_eval_buf_printf(&b, "\n%*s  %9s %9s %9.4f %9lld\n", width, "accuracy",
                         "", "", dl4c_eval_accuracy(e), (long long)e->count);
    report_row(&b, width, "macro avg",
               dl4c_eval_precision_avg(e, DL4C_EVAL_MACRO),
               dl4c_eval_recall_avg(e, DL4C_EVAL_MACRO),
               dl4c_eval_f1_avg(e, DL4C_EVAL_MACRO), e->count);
    report_row(&b, width, "weighted avg",
               dl4c_eval_precision_avg(e, DL4C_EVAL_WEIGHTED),
               dl4c_eval_recall_avg(e, DL4C_EVAL_WEIGHTED),
               dl4c_eval_f1_avg(e, DL4C_EVAL_WEIGHTED), e->count);
    return dl4c_eval_buf_finish(&b, out);
}

static void json_averages(dl4c_eval_buf *b, const char *key,
                          double (*fn)(const dl4c_eval *, dl4c_eval_averaging),
                          const dl4c_eval *e)
{
    dl4c_eval_buf_printf(b, ", \"%s\": {", key);
    for (int a = 0; a < DL4C_EVAL_AVERAGING_COUNT; a++) {
        dl4c_eval_buf_printf(b, "%s\"%s\": ", a ? ", " : "",
                             dl4c_eval_averaging_name(a));
        dl4c_eval_buf_json_number(b, fn(e, a));
    }
    dl4c_eval_buf_printf(b, "}");
}

dl4c_status dl4c_eval_to_json(const dl4c_eval *e, char **out)
{
    dl4c_eval_buf b = {0};
    if (out)
        *out = NULL;
    if (!e || !out)
        return dl4c_error_set(DL4C_INVALID_ARG, "eval to_json: %s is NULL",
                              e ? "out" : "e");
    int nc = e->num_classes;
    dl4c_eval_buf_printf(&b,
                         "{\"type\": \"classification\", \"num_classes\": "
                         "%d, \"count\": %lld, \"top_n\": %d, "
                         "\"top_n_correct\": %lld, \"accuracy\": ",
                         nc, (long long)e->count, e->top_n,
                         (long long)e->top_n_count);
    dl4c_eval_buf_json_number(&b, dl4c_eval_accuracy(e));
    dl4c_eval_buf_printf(&b, ", \"top_n_accuracy\": ");
    dl4c_eval_buf_json_number(&b, dl4c_eval_top_n_accuracy(e));
    json_averages(&b, "precision", dl4c_eval_precision_avg, e);
    json_averages(&b, "recall", dl4c_eval_recall_avg, e);
    json_averages(&b, "f1", dl4c_eval_f1_avg, e);
    dl4c_eval_buf_printf(&b, ", \"excluded\": {");
    for (int m = 0; m < DL4C_EVAL_METRIC_COUNT; m++) {
        dl4c_eval_buf_printf(&b, "%s\"%s\": [", m ? ", " : "",
                             dl4c_eval_metric_name(m));
        const char *sep = "";
        for (int i = 0; i < nc; i++)
            if (dl4c_eval_is_excluded(e, m, i)) {
                dl4c_eval_buf_printf(&b, "%s%d", sep, i);
                sep = ", ";
            }
        dl4c_eval_buf_printf(&b, "]");
    }
    dl4c_eval_buf_printf(&b, "}, \"class_names\": [");
    for (int i = 0; i < nc; i++) {
        dl4c_eval_buf_printf(&b, "%s", i ? ", " : "");
        dl4c_eval_buf_json_string(&b, e->names[i]);
    }
    dl4c_eval_buf_printf(&b, "], \"confusion_matrix\": [");
    for (int i = 0; i < nc; i++) {
        dl4c_eval_buf_printf(&b, "%s[", i ? ", " : "");
        for (int j = 0; j < nc; j++)
            dl4c_eval_buf_printf(&b, "%s%lld", j ? ", " : "",
                                 (long long)dl4c_eval_confusion(e, i, j));
        dl4c_eval_buf_printf(&b, "]");
    }
    dl4c_eval_buf_printf(&b, "], \"classes\": [");
    for (int i = 0; i < nc; i++) {
        dl4c_eval_buf_printf(&b, "%s{\"name\": ", i ? ", " : "");
        dl4c_eval_buf_json_string(&b, e->names[i]);
        dl4c_eval_buf_printf(&b, ", \"precision\": ");
        dl4c_eval_buf_json_number(&b, dl4c_eval_precision(e, i));
        dl4c_eval_buf_printf(&b, ", \"recall\": ");
        dl4c_eval_buf_json_number(&b, dl4c_eval_recall(e, i));
        dl4c_eval_buf_printf(&b, ", \"f1\": ");
        dl4c_eval_buf_json_number(&b, dl4c_eval_f1(e, i));
        dl4c_eval_buf_printf(
            &b,
            ", \"support\": %lld, \"tp\": %lld, \"fp\": %lld, \"fn\": %lld, "
            "\"tn\": %lld}",
            (long long)dl4c_eval_support(e, i),
            (long long)dl4c_eval_true_positives(e, i),
            (long long)dl4c_eval_false_positives(e, i),
            (long long)dl4c_eval_false_negatives(e, i),
            (long long)dl4c_eval_true_negatives(e, i));
    }
    dl4c_eval_buf_printf(&b, "]}");
    return dl4c_eval_buf_finish(&b, out);
}
