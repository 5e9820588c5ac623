/* MNIST-layout datasets: an image file [N, rows, cols] and a label file
 * [N] of digits become features [N, rows, cols, 1] (raw pixel values) and
 * one-hot labels [N, 10]. A directory is searched for the usual file
 * names, compressed or not; published files are verified by SHA-256. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/dataset_internal.h"
#include "data/known_files_internal.h"

#define MNIST_CLASSES 10

dl4c_status dl4c_idx_load_mnist(const char *images, const char *labels,
                                dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_tensor *x = NULL, *idx = NULL, *y = NULL;
    dl4c_dataset *ds = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "mnist: out is NULL");
    *out = NULL;
    DL4C_CHECK(images && labels, DL4C_INVALID_ARG, "mnist: NULL path");
    DL4C_TRY(dl4c_idx_load(images, &x));
    DL4C_CHECK(x->ndim == 3, DL4C_FORMAT,
               "%s: expected images of rank 3 [N, rows, cols], got rank %d",
               images, x->ndim);
    DL4C_TRY(dl4c_idx_load(labels, &idx));
    DL4C_CHECK(idx->ndim == 1, DL4C_FORMAT,
               "%s: expected labels of rank 1 [N], got rank %d", labels,
               idx->ndim);
    int64_t n = x->shape[0];
    DL4C_CHECK(idx->shape[0] == n, DL4C_FORMAT,
               "%s holds %lld images but %s holds %lld labels", images,
               (long long)n, labels, (long long)idx->shape[0]);

    int64_t yshape[2] = {n, MNIST_CLASSES};
    DL4C_TRY(dl4c_tensor_create(DL4C_F32, 2, yshape, &y));
    const float *lab = idx->data;
    float *onehot = y->data;
    for (int64_t i = 0; i < n; i++) {
        float v = lab[i];
        DL4C_CHECK(v >= 0 && v < MNIST_CLASSES && v == (float)(int)v,
                   DL4C_FORMAT, "%s: record %lld: label %g outside 0..%d",
                   labels, (long long)i, (double)v, MNIST_CLASSES - 1);
        onehot[i * MNIST_CLASSES + (int)v] = 1.0f;
    }
    int64_t xshape[4] = {n, x->shape[1], x->shape[2], 1};
    DL4C_TRY(dl4c_tensor_reshape(x, 4, xshape));
    status = dl4c_dataset_create(x, y, &ds);
    x = y = NULL;
    if (status != DL4C_OK)
        goto fail;
    DL4C_TRY(dl4c_dataset_set_classes(ds, MNIST_CLASSES, NULL));
    *out = ds;
    ds = NULL;
fail:
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_tensor_free(idx);
    dl4c_dataset_free(ds);
    return status;
}

/* First existing "<dir>/<prefix>-<kind>-idx<r>-ubyte[.gz]" (or the
 * "<prefix>-<kind>.idx<r>-ubyte" spelling); a new string. */
static dl4c_status find_file(const char *dir, const char *prefix,
                             const char *kind, int rank, char **out)
{
    static const char *const patterns[] = {
        "%s/%s-%s-idx%d-ubyte.gz",
        "%s/%s-%s-idx%d-ubyte",
        "%s/%s-%s.idx%d-ubyte",
    };
    *out = NULL;
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        char *path = dl4c_asprintf(patterns[i], dir, prefix, kind, rank);
        if (!path)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        if (access(path, R_OK) == 0) {
            *out = path;
            return DL4C_OK;
        }
        dl4c_free(path);
    }
    return dl4c_error_set(DL4C_IO,
                          "%s: no %s-%s-idx%d-ubyte[.gz] found (MNIST "
                          "files can be fetched with dl4c_dataset_download)",
                          dir, prefix, kind, rank);
}

dl4c_status dl4c_mnist_load_dir(const char *dir, bool train, dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    char *images = NULL, *labels = NULL;
    const char *prefix = train ? "train" : "t10k";
    DL4C_CHECK(out, DL4C_INVALID_ARG, "mnist: out is NULL");
    *out = NULL;
    DL4C_CHECK(dir, DL4C_INVALID_ARG, "mnist: dir is NULL");
    DL4C_TRY(find_file(dir, prefix, "images", 3, &images));
    DL4C_TRY(find_file(dir, prefix, "labels", 1, &labels));
    DL4C_TRY(dl4c_known_file_verify(images, NULL));
    DL4C_TRY(dl4c_known_file_verify(labels, NULL));
    DL4C_TRY(dl4c_idx_load_mnist(images, labels, out));
fail:
    dl4c_free(images);
    dl4c_free(labels);
    return status;
}
