/* In-memory datasets: a features tensor and an optional labels tensor with
 * the example count as their first dim, plus the class count and names.
 * Subsets are deep copies, so a dataset never aliases another. */
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/dataset_internal.h"

size_t dl4c_tensor_row_bytes(const dl4c_tensor *t)
{
    int64_t rows = t->ndim ? t->shape[0] : 1;
    return (size_t)(t->size / rows) * dl4c_dtype_size(t->dtype);
}

void dl4c_gather_rows(const dl4c_tensor *src, const int64_t *idx, int64_t start,
                      int64_t n, void *dst)
{
    size_t row = dl4c_tensor_row_bytes(src);
    const char *base = src->data;
    char *to = dst;
    if (!idx) {
        memcpy(to, base + (size_t)start * row, (size_t)n * row);
        return;
    }
    for (int64_t i = 0; i < n; i++)
        memcpy(to + (size_t)i * row, base + (size_t)idx[i] * row, row);
}

static void free_names(char **names, int n)
{
    if (!names)
        return;
    for (int i = 0; i < n; i++)
        dl4c_free(names[i]);
    dl4c_free(names);
}

dl4c_status dl4c_dataset_create(dl4c_tensor *features, dl4c_tensor *labels,
                                dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_dataset *ds = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "dataset: out is NULL");
    *out = NULL;
    DL4C_CHECK(features, DL4C_INVALID_ARG, "dataset: features are NULL");
    DL4C_CHECK(features->ndim >= 1, DL4C_SHAPE,
               "dataset: features need an example dim (rank 0 given)");
    if (labels) {
        DL4C_CHECK(labels->ndim >= 1, DL4C_SHAPE,
                   "dataset: labels need an example dim (rank 0 given)");
        DL4C_CHECK(labels->shape[0] == features->shape[0], DL4C_SHAPE,
                   "dataset: %lld feature rows but %lld label rows",
                   (long long)features->shape[0], (long long)labels->shape[0]);
    }
    ds = dl4c_calloc(1, sizeof *ds);
    if (!ds)
        DL4C_NOMEM_FAIL();
    ds->features = features;
    ds->labels = labels;
    *out = ds;
    return DL4C_OK;
fail:
    dl4c_tensor_free(features);
    dl4c_tensor_free(labels);
    return status;
}

void dl4c_dataset_free(dl4c_dataset *ds)
{
    if (!ds)
        return;
    dl4c_tensor_free(ds->features);
    dl4c_tensor_free(ds->labels);
    dl4c_tensor_free(ds->features_mask);
    dl4c_tensor_free(ds->labels_mask);
    free_names(ds->class_names, ds->num_classes);
    dl4c_free(ds);
}

const dl4c_tensor *dl4c_dataset_features(const dl4c_dataset *ds)
{
    return ds ? ds->features : NULL;
}

const dl4c_tensor *dl4c_dataset_labels(const dl4c_dataset *ds)
{
    return ds ? ds->labels : NULL;
}

int64_t dl4c_dataset_count(const dl4c_dataset *ds)
{
    return ds ? ds->features->shape[0] : 0;
}

int dl4c_dataset_num_classes(const dl4c_dataset *ds)
{
    return ds ? ds->num_classes : 0;
}

const char *dl4c_dataset_class_name(const dl4c_dataset *ds, int i)
{
    if (!ds || !ds->class_names || i < 0 || i >= ds->num_classes)
        return NULL;
    return ds->class_names[i];
}

dl4c_status dl4c_dataset_set_classes(dl4c_dataset *ds, int n,
                                     const char *const *names)
{
    dl4c_status status = DL4C_OK;
    char **copy = NULL;
    DL4C_CHECK(ds, DL4C_INVALID_ARG, "dataset: NULL dataset");
    DL4C_CHECK(n >= 0, DL4C_INVALID_ARG, "dataset: class count %d < 0", n);
    if (n > 0) {
        DL4C_CHECK(ds->labels, DL4C_STATE,
                   "dataset: %d classes declared but there are no labels", n);
        DL4C_CHECK(
            ds->labels->ndim >= 2 && dl4c_tensor_cols(ds->labels) == n,
            DL4C_SHAPE,
            "dataset: %d classes need one-hot labels [N, %d] (or [N, T, %d] "
            "per step), labels have rank %d and %lld columns",
            n, n, n, ds->labels->ndim, (long long)dl4c_tensor_cols(ds->labels));
    }
    if (n > 0 && names) {
        copy = dl4c_calloc((size_t)n, sizeof *copy);
        if (!copy)
            DL4C_NOMEM_FAIL();
        for (int i = 0; i < n; i++) {
            if (!names[i])
                continue;
            copy[i] = dl4c_strdup(names[i]);
            if (!copy[i])
                DL4C_NOMEM_FAIL();
        }
    }
    free_names(ds->class_names, ds->num_classes);
    ds->class_names = copy;
    ds->num_classes = n;
    return DL4C_OK;
fail:
    free_names(copy, n);
    return status;
}

int dl4c_dataset_class_of(const dl4c_dataset *ds, int64_t i)
{
    const dl4c_tensor *y = ds->labels;
    if (!y || ds->num_classes <= 0)
        return 0;
    int64_t cols = dl4c_tensor_cols(y);
    int64_t row = y->size / y->shape[0]; /* T * C for per-step labels */
    int best = 0;
    double best_v = dl4c_tensor_get(y, i * row);
    for (int64_t c = 1; c < cols; c++) {
        double v = dl4c_tensor_get(y, i * row + c);
        if (v > best_v) {
            best_v = v;
            best = (int)c;
        }
    }
    return best;
}

static dl4c_status gather_tensor(const dl4c_tensor *src, const int64_t *idx,
                                 int64_t start, int64_t n, dl4c_tensor **out)
{
    int64_t shape[DL4C_MAX_DIMS];
    memcpy(shape, src->shape, sizeof shape);
    shape[0] = n;
    DL4C_RETURN_IF(dl4c_tensor_create(src->dtype, src->ndim, shape, out));
    dl4c_gather_rows(src, idx, start, n, (*out)->data);
    return DL4C_OK;
}

dl4c_status dl4c_dataset_gather(const dl4c_dataset *ds, const int64_t *idx,
                                int64_t start, int64_t n, dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_tensor *x = NULL, *y = NULL, *fm = NULL, *lm = NULL;
    dl4c_dataset *res = NULL;
    DL4C_TRY(gather_tensor(ds->features, idx, start, n, &x));
    if (ds->labels)
        DL4C_TRY(gather_tensor(ds->labels, idx, start, n, &y));
    if (ds->features_mask)
        DL4C_TRY(gather_tensor(ds->features_mask, idx, start, n, &fm));
    if (ds->labels_mask)
        DL4C_TRY(gather_tensor(ds->labels_mask, idx, start, n, &lm));
    status = dl4c_dataset_create(x, y, &res);
    x = y = NULL; /* owned by the dataset now, or freed */
    if (status != DL4C_OK)
        goto fail;
    res->features_mask = fm;
    res->labels_mask = lm;
    fm = lm = NULL;
    DL4C_TRY(dl4c_dataset_set_classes(res, ds->num_classes,
                                      (const char *const *)ds->class_names));
    *out = res;
    return DL4C_OK;
fail:
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_tensor_free(fm);
    dl4c_tensor_free(lm);
    dl4c_dataset_free(res);
    return status;
}

dl4c_status dl4c_dataset_subset(const dl4c_dataset *ds, int64_t start,
                                int64_t count, dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "dataset subset: out is NULL");
    *out = NULL;
    DL4C_CHECK(ds, DL4C_INVALID_ARG, "dataset subset: NULL dataset");
    int64_t n = dl4c_dataset_count(ds);
    DL4C_CHECK(start >= 0 && count > 0 && start <= n - count, DL4C_INVALID_ARG,
               "dataset subset: start %lld, count %lld outside the %lld "
               "examples (count must be > 0)",
               (long long)start, (long long)count, (long long)n);
    DL4C_TRY(dl4c_dataset_gather(ds, NULL, start, count, out));
fail:
    return status;
}

dl4c_status dl4c_dataset_reshape_features(dl4c_dataset *ds, int ndim,
                                          const int64_t *example_shape)
{
    int64_t dims[DL4C_MAX_DIMS];
    if (!ds || ndim < 0 || ndim + 1 > DL4C_MAX_DIMS || (ndim && !example_shape))
        return dl4c_error_set(DL4C_INVALID_ARG, "reshape: bad example rank %d",
                              ndim);
    dims[0] = ds->features->shape[0];
    for (int i = 0; i < ndim; i++)
        dims[i + 1] = example_shape[i];
    return dl4c_tensor_reshape(ds->features, ndim + 1, dims);
}

dl4c_status dl4c_dataset_set_masks(dl4c_dataset *ds, dl4c_tensor *features_mask,
                                   dl4c_tensor *labels_mask)
{
    dl4c_status status = DL4C_OK;
    DL4C_CHECK(ds, DL4C_INVALID_ARG, "dataset masks: NULL dataset");
    const dl4c_tensor *x = ds->features, *y = ds->labels;
    DL4C_CHECK(!features_mask || (x->ndim == 3 && features_mask->ndim == 2 &&
                                  features_mask->shape[0] == x->shape[0] &&
                                  features_mask->shape[1] == x->shape[1]),
               DL4C_SHAPE,
               "dataset masks: a features mask is [N, T] for features "
               "[N, T, F]");
    DL4C_CHECK(!labels_mask || (y && y->ndim == 3 && labels_mask->ndim == 2 &&
                                labels_mask->shape[0] == y->shape[0] &&
                                labels_mask->shape[1] == y->shape[1]),
               DL4C_SHAPE,
               "dataset masks: a labels mask is [N, T] for labels [N, T, L]");
    dl4c_tensor_free(ds->features_mask);
    dl4c_tensor_free(ds->labels_mask);
    ds->features_mask = features_mask;
    ds->labels_mask = labels_mask;
    return DL4C_OK;
fail:
    dl4c_tensor_free(features_mask);
    dl4c_tensor_free(labels_mask);
    return status;
}

const dl4c_tensor *dl4c_dataset_features_mask(const dl4c_dataset *ds)
{
    return ds ? ds->features_mask : NULL;
}

const dl4c_tensor *dl4c_dataset_labels_mask(const dl4c_dataset *ds)
{
    return ds ? ds->labels_mask : NULL;
}
