/* Classification metrics, all derived from the confusion matrix. A rate
 * whose denominator is 0 is undefined: the per-class accessors report 0
 * and the macro average leaves the class out (DL4J's rule); with nothing
 * left to average, or no examples at all, averages are 0. */
#include <math.h>

#include "eval/eval_internal.h"

const char *dl4c_eval_averaging_name(dl4c_eval_averaging avg)
{
    static const char *const names[] = {"macro", "micro", "weighted"};
    _Static_assert(sizeof names / sizeof names[0] == DL4C_EVAL_AVERAGING_COUNT,
                   "averaging names");
    return (unsigned)avg < DL4C_EVAL_AVERAGING_COUNT ? names[avg] : "invalid";
}

const char *dl4c_eval_metric_name(dl4c_eval_metric metric)
{
    static const char *const names[] = {"precision", "recall", "f1"};
    _Static_assert(sizeof names / sizeof names[0] == DL4C_EVAL_METRIC_COUNT,
                   "metric names");
    return (unsigned)metric < DL4C_EVAL_METRIC_COUNT ? names[metric]
                                                     : "invalid";
}

static bool valid_class(const dl4c_eval *e, int cls)
{
    return e && cls >= 0 && cls < e->num_classes;
}

int64_t dl4c_eval_confusion(const dl4c_eval *e, int actual, int predicted)
{
    if (!valid_class(e, actual) || !valid_class(e, predicted))
        return -1;
    return e->confusion[(int64_t)actual * e->num_classes + predicted];
}

/* Row sum: examples whose actual class is cls. */
static int64_t row_sum(const dl4c_eval *e, int cls)
{
    int64_t s = 0;
    for (int j = 0; j < e->num_classes; j++)
        s += e->confusion[(int64_t)cls * e->num_classes + j];
    return s;
}

/* Column sum: examples predicted as cls. */
static int64_t col_sum(const dl4c_eval *e, int cls)
{
    int64_t s = 0;
    for (int i = 0; i < e->num_classes; i++)
        s += e->confusion[(int64_t)i * e->num_classes + cls];
    return s;
}

int64_t dl4c_eval_true_positives(const dl4c_eval *e, int cls)
{
    return dl4c_eval_confusion(e, cls, cls);
}

int64_t dl4c_eval_false_positives(const dl4c_eval *e, int cls)
{
    if (!valid_class(e, cls))
        return -1;
    return col_sum(e, cls) - dl4c_eval_true_positives(e, cls);
}

int64_t dl4c_eval_false_negatives(const dl4c_eval *e, int cls)
{
    if (!valid_class(e, cls))
        return -1;
    return row_sum(e, cls) - dl4c_eval_true_positives(e, cls);
}

int64_t dl4c_eval_true_negatives(const dl4c_eval *e, int cls)
{
    if (!valid_class(e, cls))
        return -1;
    return e->count - row_sum(e, cls) - col_sum(e, cls) +
           dl4c_eval_true_positives(e, cls);
}

int64_t dl4c_eval_support(const dl4c_eval *e, int cls)
{
    return valid_class(e, cls) ? row_sum(e, cls) : -1;
}

double dl4c_eval_accuracy(const dl4c_eval *e)
{
    if (!e || e->count == 0)
        return 0.0;
    int64_t correct = 0;
    for (int i = 0; i < e->num_classes; i++)
        correct += dl4c_eval_true_positives(e, i);
    return (double)correct / (double)e->count;
}

double dl4c_eval_top_n_accuracy(const dl4c_eval *e)
{
    if (!e || e->count == 0)
        return 0.0;
    return (double)e->top_n_count / (double)e->count;
}

/* The per-class value of `metric`; false when it is undefined. */
static bool class_value(const dl4c_eval *e, dl4c_eval_metric metric, int cls,
                        double *out)
{
    int64_t tp = dl4c_eval_true_positives(e, cls);
    int64_t predicted = col_sum(e, cls), actual = row_sum(e, cls);
    *out = 0.0;
    if (metric == DL4C_EVAL_PRECISION) {
        if (predicted == 0)
            return false;
        *out = (double)tp / (double)predicted;
        return true;
    }
    if (metric == DL4C_EVAL_RECALL) {
        if (actual == 0)
            return false;
        *out = (double)tp / (double)actual;
        return true;
    }
    if (predicted == 0 || actual == 0)
        return false;
    double p = (double)tp / (double)predicted;
    double r = (double)tp / (double)actual;
    *out = (p == 0.0 || r == 0.0) ? 0.0 : 2.0 * p * r / (p + r);
    return true;
}

static double class_metric(const dl4c_eval *e, dl4c_eval_metric metric, int cls)
{
    double v;
    if (!valid_class(e, cls))
        return NAN;
    class_value(e, metric, cls, &v);
    return v;
}

double dl4c_eval_precision(const dl4c_eval *e, int cls)
{
    return class_metric(e, DL4C_EVAL_PRECISION, cls);
}

double dl4c_eval_recall(const dl4c_eval *e, int cls)
{
    return class_metric(e, DL4C_EVAL_RECALL, cls);
}

double dl4c_eval_f1(const dl4c_eval *e, int cls)
{
    return class_metric(e, DL4C_EVAL_F1, cls);
}

static double micro(const dl4c_eval *e, dl4c_eval_metric metric)
{
    /* summed over classes, TP is the diagonal and FP and FN are both the
     * off-diagonal total */
    int64_t tp = 0;
    for (int i = 0; i < e->num_classes; i++)
        tp += dl4c_eval_true_positives(e, i);
    int64_t wrong = e->count - tp;
    if (metric == DL4C_EVAL_F1)
        return (double)(2 * tp) / (double)(2 * tp + 2 * wrong);
    return (double)tp / (double)(tp + wrong);
}

static double average(const dl4c_eval *e, dl4c_eval_metric metric,
                      dl4c_eval_averaging avg)
{
    if ((unsigned)avg >= DL4C_EVAL_AVERAGING_COUNT)
        return NAN;
    if (!e || e->count == 0)
        return 0.0;
    if (avg == DL4C_EVAL_MICRO)
        return micro(e, metric);
    double sum = 0.0, weight = 0.0;
    for (int i = 0; i < e->num_classes; i++) {
        double v;
        bool defined = class_value(e, metric, i, &v);
        if (avg == DL4C_EVAL_MACRO && defined) {
            sum += v;
            weight += 1.0;
        } else if (avg == DL4C_EVAL_WEIGHTED) {
            double support = (double)row_sum(e, i);
            sum += support * v;
            weight += support;
        }
    }
    return weight > 0.0 ? sum / weight : 0.0;
}

double dl4c_eval_precision_avg(const dl4c_eval *e, dl4c_eval_averaging avg)
{
    return average(e, DL4C_EVAL_PRECISION, avg);
}

double dl4c_eval_recall_avg(const dl4c_eval *e, dl4c_eval_averaging avg)
{
    return average(e, DL4C_EVAL_RECALL, avg);
}

double dl4c_eval_f1_avg(const dl4c_eval *e, dl4c_eval_averaging avg)
{
    return average(e, DL4C_EVAL_F1, avg);
}

int dl4c_eval_is_excluded(const dl4c_eval *e, dl4c_eval_metric metric, int cls)
{
    double v;
    if (!valid_class(e, cls) || (unsigned)metric >= DL4C_EVAL_METRIC_COUNT)
        return 0;
    return !class_value(e, metric, cls, &v);
}

int dl4c_eval_excluded_count(const dl4c_eval *e, dl4c_eval_metric metric)
{
    int n = 0;
    for (int i = 0; e && i < e->num_classes; i++)
        n += dl4c_eval_is_excluded(e, metric, i);
    return n;
}
