/* The loss catalogue: names, defaults and the validated score/gradient
 * entry points. Inputs are checked here once (shapes, dtypes, sparse class
 * indices), then the backend's loss kernel runs over blocks of rows with
 * per-row losses in a stack buffer, so no call allocates. The score is the
 * mean of the row losses in a fixed order. */
#include <math.h>
#include <stddef.h>

#include "core/error_internal.h"
#include "core/names_internal.h"
#include "core/tensor_internal.h"
#include "dl4c/loss.h"

/* Rows per backend call: the per-row losses of one block live on the
 * stack. */
#define ROW_BLOCK 1024

static const char *const names[] = {
    "mse",
    "l1",
    "msle",
    "mape",
    "hinge",
    "squared_hinge",
    "xent",
    "mcxent",
    "negativeloglikelihood",
    "sparse_mcxent",
    "kl_divergence",
    "poisson",
    "cosine_proximity",
    "huber",
};
_Static_assert(sizeof(names) / sizeof(names[0]) == DL4C_LOSS_COUNT,
               "every loss needs a name");

/* Other spellings: DL4J enum names and Keras function and class names.
 * Matching ignores case and underscores ("MeanSquaredError" ==
 * "mean_squared_error"). */
static const struct {
    const char *name;
    dl4c_loss_id id;
} aliases[] = {
    {"mean_squared_error", DL4C_LOSS_MSE},
    {"mean_absolute_error", DL4C_LOSS_L1},
    {"mae", DL4C_LOSS_L1},
    {"mean_squared_logarithmic_error", DL4C_LOSS_MSLE},
    {"mean_absolute_percentage_error", DL4C_LOSS_MAPE},
    {"binary_crossentropy", DL4C_LOSS_XENT},
    {"categorical_crossentropy", DL4C_LOSS_MCXENT},
    {"nll", DL4C_LOSS_NEGATIVELOGLIKELIHOOD},
    {"sparse_categorical_crossentropy", DL4C_LOSS_SPARSE_MCXENT},
    {"kullback_leibler_divergence", DL4C_LOSS_KL_DIVERGENCE},
    {"kld", DL4C_LOSS_KL_DIVERGENCE},
    {"cosine_similarity", DL4C_LOSS_COSINE_PROXIMITY},
    {"huber_loss", DL4C_LOSS_HUBER},
};

dl4c_loss dl4c_loss_default(dl4c_loss_id id)
{
    dl4c_loss l = {.id = id, .delta = 0.0};
    if (id == DL4C_LOSS_HUBER)
        l.delta = 1.0;
    return l;
}

dl4c_status dl4c_loss_parse(const char *name, dl4c_loss *out)
{
    if (!out)
        return dl4c_error_set(DL4C_INVALID_ARG, "loss: out is NULL");
    if (!name)
        return dl4c_error_set(DL4C_INVALID_ARG, "loss name is NULL");
    for (int i = 0; i < DL4C_LOSS_COUNT; i++)
        if (dl4c_name_equal(name, names[i])) {
            *out = dl4c_loss_default((dl4c_loss_id)i);
            return DL4C_OK;
        }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (dl4c_name_equal(name, aliases[i].name)) {
            *out = dl4c_loss_default(aliases[i].id);
            return DL4C_OK;
        }
    return dl4c_error_set(DL4C_INVALID_ARG, "unknown loss '%s'", name);
}

const char *dl4c_loss_name(dl4c_loss_id id)
{
    return (unsigned)id < DL4C_LOSS_COUNT ? names[id] : "invalid";
}

/* ---- validation ---- */

static dl4c_status shape_error(const dl4c_loss *loss, const char *what,
                               const dl4c_tensor *t, const char *expected,
                               const dl4c_tensor *pred)
{
    char st[128], sp[128];
    dl4c_shape a = dl4c_shape_of(t), p = dl4c_shape_of(pred);
    return dl4c_error_set(DL4C_SHAPE,
                          "loss %s: %s has shape %s, expected %s "
                          "for predictions %s",
                          dl4c_loss_name(loss->id), what,
                          dl4c_shape_format(&a, st, sizeof st), expected,
                          dl4c_shape_format(&p, sp, sizeof sp));
}

static dl4c_status check_dtype(const dl4c_loss *loss, const char *what,
                               const dl4c_tensor *t, const dl4c_tensor *pred)
{
    if (t->dtype != pred->dtype)
        return dl4c_error_set(
            DL4C_INVALID_ARG, "loss %s: %s is %s, predictions are %s",
            dl4c_loss_name(loss->id), what, dl4c_dtype_name(t->dtype),
            dl4c_dtype_name(pred->dtype));
    if (t->backend != pred->backend)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "loss %s: %s is on backend %s, predictions on %s",
                              dl4c_loss_name(loss->id), what, t->backend->name,
                              pred->backend->name);
    return DL4C_OK;
}

/* t has one value per row of pred: its shape is pred's leading dims, with
 * or without a trailing 1 ([N] or [N, 1] for a [N, C] pred). */
static bool per_row_shape(const dl4c_tensor *t, const dl4c_tensor *pred)
{
    int lead = pred->ndim > 0 ? pred->ndim - 1 : 0;
    if (t->size != dl4c_tensor_rows(pred))
        return false;
    if (t->ndim == lead + 1 && t->shape[lead] != 1)
        return false;
    if (t->ndim != lead && t->ndim != lead + 1)
        return false;
    for (int i = 0; i < lead; i++)
        if (t->shape[i] != pred->shape[i])
            return false;
    return true;
}

static bool same_shape(const dl4c_tensor *a, const dl4c_tensor *b)
{
    dl4c_shape x = dl4c_shape_of(a), y = dl4c_shape_of(b);
    return dl4c_shape_equal(&x, &y);
}

/* Sparse labels hold class indices: whole numbers in [0, cols). Read in
 * blocks through the backend, so device tensors work too. */
static dl4c_status check_sparse_labels(const dl4c_tensor *labels, int64_t cols)
{
    union {
        double d[ROW_BLOCK];
        float f[ROW_BLOCK];
    } buf;
    for (int64_t r0 = 0; r0 < labels->size; r0 += ROW_BLOCK) {
        int64_t n =
            labels->size - r0 < ROW_BLOCK ? labels->size - r0 : ROW_BLOCK;
        size_t es = dl4c_dtype_size(labels->dtype);
        labels->backend->to_host(&buf, (const char *)labels->data + r0 * es,
                                 (size_t)n * es);
        for (int64_t r = 0; r < n; r++) {
            double v = labels->dtype == DL4C_F32 ? (double)buf.f[r] : buf.d[r];
            if (!(v >= 0 && v < (double)cols) || v != floor(v))
                return dl4c_error_set(
                    DL4C_INVALID_ARG,
                    "loss sparse_mcxent: labels row %lld: class index %g is "
                    "not an integer in 0..%lld",
                    (long long)(r0 + r), v, (long long)(cols - 1));
        }
    }
    return DL4C_OK;
}

/* Checks every input and fills the kernel arguments (pointers at row 0). */
static dl4c_status check_inputs(const dl4c_loss *loss, const dl4c_tensor *pred,
                                const dl4c_tensor *labels,
                                const dl4c_tensor *weights,
                                const dl4c_tensor *mask, dl4c_loss_args *args)
{
    if (!loss)
        return dl4c_error_set(DL4C_INVALID_ARG, "loss is NULL");
    if ((unsigned)loss->id >= DL4C_LOSS_COUNT)
        return dl4c_error_set(DL4C_INVALID_ARG, "unknown loss id %d",
                              (int)loss->id);
    if (!pred || !labels)
        return dl4c_error_set(DL4C_INVALID_ARG, "loss %s: %s is NULL",
                              dl4c_loss_name(loss->id),
                              pred ? "labels" : "pred");
    if (loss->id == DL4C_LOSS_HUBER && !(loss->delta > 0))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "loss huber: delta %g must be > 0", loss->delta);
    int64_t rows = dl4c_tensor_rows(pred), cols = dl4c_tensor_cols(pred);

    DL4C_RETURN_IF(check_dtype(loss, "labels", labels, pred));
    if (loss->id == DL4C_LOSS_SPARSE_MCXENT) {
        if (!per_row_shape(labels, pred))
            return shape_error(loss, "labels", labels,
                               "one class index per row", pred);
        DL4C_RETURN_IF(check_sparse_labels(labels, cols));
    } else if (!same_shape(labels, pred) &&
               !(cols == 1 && per_row_shape(labels, pred))) {
        /* one output per row: [N] labels fit [N, 1] predictions */
        return shape_error(loss, "labels", labels, "the same shape", pred);
    }

    if (weights) {
        DL4C_RETURN_IF(check_dtype(loss, "weights", weights, pred));
        if (weights->ndim != 1 || weights->shape[0] != cols)
            return shape_error(loss, "weights", weights,
                               "one weight per output [C]", pred);
    }

    int64_t mask_cols = 0;
    if (mask) {
        DL4C_RETURN_IF(check_dtype(loss, "mask", mask, pred));
        if (per_row_shape(mask, pred))
            mask_cols = 1;
        else if (same_shape(mask, pred))
            mask_cols = cols;
        else
            return shape_error(loss, "mask", mask,
                               "[N], [N, 1] or the shape of the predictions",
                               pred);
    }

    *args = (dl4c_loss_args){
        .loss = loss,
        .rows = rows,
        .cols = cols,
        .pred = pred->data,
        .labels = labels->data,
        .weights = weights ? weights->data : NULL,
        .mask = mask ? mask->data : NULL,
        .mask_cols = mask_cols,
    };
    return DL4C_OK;
}

static const void *offset(const void *p, size_t bytes)
{
    return p ? (const char *)p + bytes : NULL;
}

/* Copies n row losses to per_example from row r0 on, in its dtype. */
static void store_rows(dl4c_tensor *per_example, int64_t r0, int64_t n,
                       const double *row_loss)
{
    float f[ROW_BLOCK];
    size_t es = dl4c_dtype_size(per_example->dtype);
    const void *src = row_loss;
    if (per_example->dtype == DL4C_F32) {
        for (int64_t r = 0; r < n; r++)
            f[r] = (float)row_loss[r];
        src = f;
    }
    per_example->backend->from_host((char *)per_example->data + r0 * es, src,
                                    (size_t)n * es);
}

/* Runs the kernel over all rows in blocks of ROW_BLOCK. The sum of the row
 * losses goes to *sum; per_example (when not NULL) and grad (when not
 * NULL, scaled by grad_scale) are written. */
static void run_blocks(const dl4c_tensor *pred, const dl4c_loss_args *all,
                       dl4c_tensor *per_example, void *grad, double grad_scale,
                       double *sum)
{
    double row_loss[ROW_BLOCK];
    size_t es = dl4c_dtype_size(pred->dtype);
    int64_t label_cols =
        all->loss->id == DL4C_LOSS_SPARSE_MCXENT ? 1 : all->cols;
    double total = 0;
    for (int64_t r0 = 0; r0 < all->rows; r0 += ROW_BLOCK) {
        int64_t n = all->rows - r0 < ROW_BLOCK ? all->rows - r0 : ROW_BLOCK;
        dl4c_loss_args a = *all;
        size_t at = (size_t)(r0 * all->cols) * es;
        a.rows = n;
        a.pred = offset(all->pred, at);
        a.labels = offset(all->labels, (size_t)(r0 * label_cols) * es);
        a.mask = offset(all->mask, (size_t)(r0 * all->mask_cols) * es);
        pred->backend->loss(&a, pred->dtype, row_loss,
                            grad ? (char *)grad + at : NULL, grad_scale);
        for (int64_t r = 0; r < n; r++)
            total += row_loss[r];
        if (per_example)
            store_rows(per_example, r0, n, row_loss);
    }
    *sum = total;
}

dl4c_status dl4c_loss_score(const dl4c_loss *loss, const dl4c_tensor *pred,
                            const dl4c_tensor *labels,
                            const dl4c_tensor *weights, const dl4c_tensor *mask,
                            dl4c_tensor *per_example, double *score)
{
    dl4c_loss_args args;
    double sum = 0;
    if (!score)
        return dl4c_error_set(DL4C_INVALID_ARG, "loss: score is NULL");
    *score = NAN;
    DL4C_RETURN_IF(check_inputs(loss, pred, labels, weights, mask, &args));
    if (per_example) {
        DL4C_RETURN_IF(
            check_dtype(loss, "per-example output", per_example, pred));
        if (per_example->size != args.rows)
            return shape_error(loss, "per-example output", per_example,
                               "one value per row", pred);
    }
    run_blocks(pred, &args, per_example, NULL, 0.0, &sum);
    *score = sum / (double)args.rows;
    return DL4C_OK;
}

dl4c_status dl4c_loss_gradient(const dl4c_loss *loss, const dl4c_tensor *pred,
                               const dl4c_tensor *labels,
                               const dl4c_tensor *weights,
                               const dl4c_tensor *mask, dl4c_tensor *grad)
{
    dl4c_loss_args args;
    double sum = 0;
    DL4C_RETURN_IF(check_inputs(loss, pred, labels, weights, mask, &args));
    if (!grad)
        return dl4c_error_set(DL4C_INVALID_ARG, "loss %s: grad is NULL",
                              dl4c_loss_name(loss->id));
    DL4C_RETURN_IF(check_dtype(loss, "grad", grad, pred));
    if (!same_shape(grad, pred))
        return shape_error(loss, "grad", grad, "the same shape", pred);
    run_blocks(pred, &args, NULL, grad->data, 1.0 / (double)args.rows, &sum);
    return DL4C_OK;
}
