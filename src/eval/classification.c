/* Classification evaluation: lifetime, settings and accumulation. add()
 * validates the whole batch first and then counts it, so a failed add
 * leaves the counts untouched. The confusion matrix is the only per-class
 * state; classification_stats.c derives every metric from it. */
#include <math.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "eval/eval_internal.h"

dl4c_status dl4c_eval_create(int num_classes, dl4c_eval **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_eval *e = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "eval create: out is NULL");
    *out = NULL;
    DL4C_CHECK(num_classes >= 2, DL4C_INVALID_ARG,
               "eval create: num_classes is %d, must be at least 2",
               num_classes);
    e = dl4c_calloc(1, sizeof *e);
    if (!e)
        DL4C_NOMEM_FAIL();
    e->num_classes = num_classes;
    e->top_n = 1;
    e->confusion = dl4c_calloc((size_t)num_classes * (size_t)num_classes,
                               sizeof *e->confusion);
    e->names = dl4c_eval_names_create(num_classes, "", NULL);
    if (!e->confusion || !e->names)
        DL4C_NOMEM_FAIL();
    *out = e;
    return DL4C_OK;
fail:
    dl4c_eval_free(e);
    return status;
}

void dl4c_eval_free(dl4c_eval *e)
{
    if (!e)
        return;
    dl4c_eval_names_free(e->names, e->num_classes);
    dl4c_free(e->confusion);
    dl4c_free(e);
}

void dl4c_eval_reset(dl4c_eval *e)
{
    if (!e)
        return;
    memset(e->confusion, 0,
           (size_t)e->num_classes * (size_t)e->num_classes *
               sizeof *e->confusion);
    e->count = 0;
    e->top_n_count = 0;
}

dl4c_status dl4c_eval_set_class_names(dl4c_eval *e, int count,
                                      const char *const *names)
{
    if (!e)
        return dl4c_error_set(DL4C_INVALID_ARG, "eval set_class_names: e is "
                                                "NULL");
    if (!names && count == 0)
        count = e->num_classes;
    else if (!names || count != e->num_classes)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "eval set_class_names: %d names for %d classes",
                              names ? count : 0, e->num_classes);
    for (int i = 0; names && i < count; i++)
        if (!names[i])
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "eval set_class_names: name %d is NULL", i);
    char **copy = dl4c_eval_names_create(count, "", names);
    if (!copy)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    dl4c_eval_names_free(e->names, e->num_classes);
    e->names = copy;
    return DL4C_OK;
}

dl4c_status dl4c_eval_set_top_n(dl4c_eval *e, int n)
{
    if (!e)
        return dl4c_error_set(DL4C_INVALID_ARG, "eval set_top_n: e is NULL");
    if (n < 1)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "eval set_top_n: n is %d, must be at least 1", n);
    if (e->count > 0 && n != e->top_n)
        return dl4c_error_set(DL4C_STATE,
                              "eval set_top_n: %lld examples were counted "
                              "with top-N %d; reset before changing it",
                              (long long)e->count, e->top_n);
    e->top_n = n;
    return DL4C_OK;
}

/* Index of the largest of cols values in row r; ties go to the lowest. */
static int argmax(const dl4c_eval_input *in, int64_t r)
{
    int best = 0;
    double v = dl4c_eval_input_at(in, r, 0);
    for (int64_t c = 1; c < in->cols; c++) {
        double x = dl4c_eval_input_at(in, r, c);
        if (x > v) {
            v = x;
            best = (int)c;
        }
    }
    return best;
}

/* Rejects NaN and infinities, which would silently become class 0. */
static dl4c_status check_finite(const dl4c_eval_input *in, const char *what,
                                int64_t r)
{
    for (int64_t c = 0; c < in->cols; c++) {
        double v = dl4c_eval_input_at(in, r, c);
        if (!isfinite(v))
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "%s row %lld column %lld is %g", what,
                                  (long long)r, (long long)c, v);
    }
    return DL4C_OK;
}

static int actual_class(const dl4c_eval_input *lab, int64_t r)
{
    if (lab->cols == 1)
        return (int)dl4c_eval_input_at(lab, r, 0);
    return argmax(lab, r);
}

static int predicted_class(const dl4c_eval_input *pred, int64_t r)
{
    if (pred->cols == 1)
        return dl4c_eval_input_at(pred, r, 0) > 0.5 ? 1 : 0;
    return argmax(pred, r);
}

/* True when fewer than top_n classes score strictly above `actual`. */
static bool in_top_n(const dl4c_eval_input *pred, int64_t r, int actual,
                     int top_n)
{
    if (pred->cols == 1)
        return top_n >= 2 || predicted_class(pred, r) == actual;
    double score = dl4c_eval_input_at(pred, r, actual);
    int higher = 0;
    for (int64_t c = 0; c < pred->cols; c++)
        if (dl4c_eval_input_at(pred, r, c) > score)
            higher++;
    return higher < top_n;
}

static dl4c_status check_shapes(const dl4c_eval *e, const dl4c_tensor *labels,
                                const dl4c_tensor *predictions,
                                const dl4c_eval_input *lab,
                                const dl4c_eval_input *pred)
{
    char ls[96], ps[96];
    int64_t c = e->num_classes;
    const char *why = NULL;
    if (!dl4c_eval_same_rows(labels, predictions))
        why = "their dims before the class dim differ";
    else if (pred->cols != c && !(pred->cols == 1 && c == 2))
        why = "predictions need one column per class";
    else if (lab->cols != c && lab->cols != 1)
        why = "labels need one column per class or one class index";
    if (!why)
        return DL4C_OK;
    return dl4c_error_set(DL4C_SHAPE,
                          "labels %s and predictions %s do not "
                          "fit %lld classes: %s",
                          dl4c_eval_shape_str(labels, ls, sizeof ls),
                          dl4c_eval_shape_str(predictions, ps, sizeof ps),
                          (long long)c, why);
}

/* Checks the unmasked rows: finite values and valid class indices. */
static dl4c_status check_rows(const dl4c_eval *e, const dl4c_eval_input *lab,
                              const dl4c_eval_input *pred,
                              const dl4c_eval_input *mask)
{
    for (int64_t r = 0; r < lab->rows; r++) {
        if (mask && dl4c_eval_input_at(mask, r, 0) == 0.0)
            continue;
        DL4C_RETURN_IF(check_finite(pred, "predictions", r));
        DL4C_RETURN_IF(check_finite(lab, "labels", r));
        if (lab->cols != 1)
            continue;
        double v = dl4c_eval_input_at(lab, r, 0);
        if (v != floor(v))
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "labels row %lld: %g is not a class index",
                                  (long long)r, v);
        if (v < 0 || v >= e->num_classes)
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "labels row %lld: class index %g outside "
                                  "0..%d",
                                  (long long)r, v, e->num_classes - 1);
    }
    return DL4C_OK;
}

dl4c_status dl4c_eval_add(dl4c_eval *e, const dl4c_tensor *labels,
                          const dl4c_tensor *predictions,
                          const dl4c_tensor *mask)
{
    dl4c_status status = DL4C_OK;
    dl4c_eval_input lab, pred, msk;
    DL4C_CHECK(e, DL4C_INVALID_ARG, "e is NULL");
    DL4C_TRY(dl4c_eval_input_open(labels, "labels", &lab));
    DL4C_TRY(dl4c_eval_input_open(predictions, "predictions", &pred));
    DL4C_TRY(check_shapes(e, labels, predictions, &lab, &pred));
    if (mask)
        DL4C_TRY(dl4c_eval_mask_open(mask, labels, false, &msk));
    DL4C_TRY(check_rows(e, &lab, &pred, mask ? &msk : NULL));

    int64_t c = e->num_classes;
    for (int64_t r = 0; r < lab.rows; r++) {
        if (mask && dl4c_eval_input_at(&msk, r, 0) == 0.0)
            continue;
        int actual = actual_class(&lab, r);
        int predicted = predicted_class(&pred, r);
        e->confusion[actual * c + predicted]++;
        e->count++;
        /* top-1 is the accuracy even when the best score is tied */
        if (e->top_n == 1 ? actual == predicted
                          : in_top_n(&pred, r, actual, e->top_n))
            e->top_n_count++;
    }
    return DL4C_OK;
fail:
    return dl4c_error_prefix(status, "eval add");
}

dl4c_status dl4c_eval_merge(dl4c_eval *e, const dl4c_eval *other)
{
    if (!e || !other)
        return dl4c_error_set(DL4C_INVALID_ARG, "eval merge: %s is NULL",
                              e ? "other" : "e");
    if (e->num_classes != other->num_classes)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "eval merge: %d classes and %d classes",
                              e->num_classes, other->num_classes);
    if (e->top_n != other->top_n)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "eval merge: top-N %d and top-N %d", e->top_n,
                              other->top_n);
    size_t cells = (size_t)e->num_classes * (size_t)e->num_classes;
    for (size_t i = 0; i < cells; i++)
        e->confusion[i] += other->confusion[i];
    e->count += other->count;
    e->top_n_count += other->top_n_count;
    return DL4C_OK;
}

int dl4c_eval_num_classes(const dl4c_eval *e)
{
    return e ? e->num_classes : 0;
}

int dl4c_eval_top_n(const dl4c_eval *e)
{
    return e ? e->top_n : 0;
}

const char *dl4c_eval_class_name(const dl4c_eval *e, int cls)
{
    if (!e || cls < 0 || cls >= e->num_classes)
        return NULL;
    return e->names[cls];
}

int64_t dl4c_eval_count(const dl4c_eval *e)
{
    return e ? e->count : 0;
}
