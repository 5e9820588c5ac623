/* Regression evaluation: lifetime and accumulation. Each column keeps
 * Welford running moments updated one value at a time, so adding data in
 * several batches performs exactly the operations of adding it at once;
 * merge combines two columns with the pairwise formulas of Chan, Golub and
 * LeVeque. A failed add leaves every sum untouched. */
#include <math.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "eval/eval_internal.h"

dl4c_status dl4c_regression_eval_create(int num_columns,
                                        dl4c_regression_eval **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_regression_eval *e = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "regression eval create: out is NULL");
    *out = NULL;
    DL4C_CHECK(num_columns >= 1, DL4C_INVALID_ARG,
               "regression eval create: num_columns is %d, must be at least 1",
               num_columns);
    e = dl4c_calloc(1, sizeof *e);
    if (!e)
        DL4C_NOMEM_FAIL();
    e->num_columns = num_columns;
    e->cols = dl4c_calloc((size_t)num_columns, sizeof *e->cols);
    e->names = dl4c_eval_names_create(num_columns, "col_", NULL);
    if (!e->cols || !e->names)
        DL4C_NOMEM_FAIL();
    *out = e;
    return DL4C_OK;
fail:
    dl4c_regression_eval_free(e);
    return status;
}

void dl4c_regression_eval_free(dl4c_regression_eval *e)
{
    if (!e)
        return;
    dl4c_eval_names_free(e->names, e->num_columns);
    dl4c_free(e->cols);
    dl4c_free(e);
}

void dl4c_regression_eval_reset(dl4c_regression_eval *e)
{
    if (e)
        memset(e->cols, 0, (size_t)e->num_columns * sizeof *e->cols);
}

dl4c_status dl4c_regression_eval_set_column_names(dl4c_regression_eval *e,
                                                  int count,
                                                  const char *const *names)
{
    if (!e)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "regression eval set_column_names: e is NULL");
    if (!names && count == 0)
        count = e->num_columns;
    else if (!names || count != e->num_columns)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "regression eval set_column_names: %d names "
                              "for %d columns",
                              names ? count : 0, e->num_columns);
    for (int i = 0; names && i < count; i++)
        if (!names[i])
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "regression eval set_column_names: name %d "
                                  "is NULL",
                                  i);
    char **copy = dl4c_eval_names_create(count, "col_", names);
    if (!copy)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    dl4c_eval_names_free(e->names, e->num_columns);
    e->names = copy;
    return DL4C_OK;
}

static bool masked_out(const dl4c_eval_input *mask, int64_t r, int64_t c)
{
    return mask && dl4c_eval_input_at(mask, r, mask->cols == 1 ? 0 : c) == 0.0;
}

static dl4c_status check_values(const dl4c_eval_input *lab,
                                const dl4c_eval_input *pred,
                                const dl4c_eval_input *mask)
{
    for (int64_t r = 0; r < lab->rows; r++)
        for (int64_t c = 0; c < lab->cols; c++) {
            if (masked_out(mask, r, c))
                continue;
            double y = dl4c_eval_input_at(lab, r, c);
            double p = dl4c_eval_input_at(pred, r, c);
            if (!isfinite(y) || !isfinite(p))
                return dl4c_error_set(
                    DL4C_INVALID_ARG, "%s row %lld column %lld is %g",
                    isfinite(y) ? "predictions" : "labels", (long long)r,
                    (long long)c, isfinite(y) ? p : y);
        }
    return DL4C_OK;
}

/* One Welford step for the pair (label y, prediction p). */
static void update(dl4c_regression_column *col, double y, double p)
{
    col->n++;
    double n = (double)col->n;
    double dy = y - col->mean_y;
    double dp = p - col->mean_p;
    col->mean_y += dy / n;
    col->mean_p += dp / n;
    col->m2_y += dy * (y - col->mean_y);
    col->m2_p += dp * (p - col->mean_p);
    col->c_yp += dy * (p - col->mean_p);
    double err = p - y;
    col->sse += err * err;
    col->sae += fabs(err);
}

dl4c_status dl4c_regression_eval_add(dl4c_regression_eval *e,
                                     const dl4c_tensor *labels,
                                     const dl4c_tensor *predictions,
                                     const dl4c_tensor *mask)
{
    dl4c_status status = DL4C_OK;
    dl4c_eval_input lab, pred, msk;
    char ls[96], ps[96];
    DL4C_CHECK(e, DL4C_INVALID_ARG, "e is NULL");
    DL4C_TRY(dl4c_eval_input_open(labels, "labels", &lab));
    DL4C_TRY(dl4c_eval_input_open(predictions, "predictions", &pred));
    DL4C_CHECK(dl4c_eval_same_rows(labels, predictions) &&
                   lab.cols == pred.cols,
               DL4C_SHAPE, "labels %s and predictions %s differ",
               dl4c_eval_shape_str(labels, ls, sizeof ls),
               dl4c_eval_shape_str(predictions, ps, sizeof ps));
    DL4C_CHECK(lab.cols == e->num_columns, DL4C_SHAPE,
               "labels %s and predictions %s have %lld columns, the "
               "evaluation has %d",
               dl4c_eval_shape_str(labels, ls, sizeof ls),
               dl4c_eval_shape_str(predictions, ps, sizeof ps),
               (long long)lab.cols, e->num_columns);
    if (mask)
        DL4C_TRY(dl4c_eval_mask_open(mask, labels, true, &msk));
    DL4C_TRY(check_values(&lab, &pred, mask ? &msk : NULL));

    for (int64_t r = 0; r < lab.rows; r++)
        for (int64_t c = 0; c < lab.cols; c++)
            if (!masked_out(mask ? &msk : NULL, r, c))
                update(&e->cols[c], dl4c_eval_input_at(&lab, r, c),
                       dl4c_eval_input_at(&pred, r, c));
    return DL4C_OK;
fail:
    return dl4c_error_prefix(status, "regression eval add");
}

/* a = a combined with b (Chan et al.'s pairwise update). */
static void combine(dl4c_regression_column *a, const dl4c_regression_column *b)
{
    if (b->n == 0)
        return;
    if (a->n == 0) {
        *a = *b;
        return;
    }
    double na = (double)a->n, nb = (double)b->n, n = na + nb;
    double dy = b->mean_y - a->mean_y;
    double dp = b->mean_p - a->mean_p;
    double f = na * nb / n;
    a->mean_y += dy * nb / n;
    a->mean_p += dp * nb / n;
    a->m2_y += b->m2_y + dy * dy * f;
    a->m2_p += b->m2_p + dp * dp * f;
    a->c_yp += b->c_yp + dy * dp * f;
    a->sse += b->sse;
    a->sae += b->sae;
    a->n += b->n;
}

dl4c_status dl4c_regression_eval_merge(dl4c_regression_eval *e,
                                       const dl4c_regression_eval *other)
{
    if (!e || !other)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "regression eval merge: %s is NULL",
                              e ? "other" : "e");
    if (e->num_columns != other->num_columns)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "regression eval merge: %d columns and %d "
                              "columns",
                              e->num_columns, other->num_columns);
    for (int c = 0; c < e->num_columns; c++) {
        dl4c_regression_column b = other->cols[c]; /* other may be e */
        combine(&e->cols[c], &b);
    }
    return DL4C_OK;
}

int dl4c_regression_eval_num_columns(const dl4c_regression_eval *e)
{
    return e ? e->num_columns : 0;
}

const char *dl4c_regression_eval_column_name(const dl4c_regression_eval *e,
                                             int col)
{
    if (!e || col < 0 || col >= e->num_columns)
        return NULL;
    return e->names[col];
}

int64_t dl4c_regression_eval_count(const dl4c_regression_eval *e, int col)
{
    if (!e || col < 0 || col >= e->num_columns)
        return -1;
    return e->cols[col].n;
}
