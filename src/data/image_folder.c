/* Folders of images into datasets: a sorted walk, the label of each file
 * from its parent folder, the shape from the options or from the first
 * image, and the pixels decoded on all OpenMP threads. Also the parallel
 * many-files decode that the dataset store and the file iterator share. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "data/dataset_internal.h"
#include "data/file_walk_internal.h"
#include "data/image_internal.h"

dl4c_status dl4c_image_load_many(const char *const *paths, int64_t n,
                                 const dl4c_image_options *o, int64_t height,
                                 int64_t width, int channels, const char *ref,
                                 float *dst, bool *ok)
{
    int64_t per = height * width * channels;
    int64_t first_bad = -1;
    /* messages are thread-local: workers record only the status, and the
     * first failure is decoded again below for its message */
#pragma omp parallel for schedule(dynamic, 4) if (n > 8)
    for (int64_t i = 0; i < n; i++) {
        dl4c_status st =
            dl4c_image_load_into(paths[i], o, height, width, channels, ref,
                                 dst + i * per, per, NULL);
        if (ok)
            ok[i] = st == DL4C_OK;
        if (st != DL4C_OK) {
#pragma omp critical(dl4c_image_load_many)
            if (first_bad < 0 || i < first_bad)
                first_bad = i;
        }
    }
    if (first_bad < 0 || ok)
        return DL4C_OK;
    dl4c_status st =
        dl4c_image_load_into(paths[first_bad], o, height, width, channels, ref,
                             dst + first_bad * per, per, NULL);
    return st != DL4C_OK ? st
                         : dl4c_error_set(DL4C_INTERNAL,
                                          "%s: failed on a worker thread only",
                                          paths[first_bad]);
}

static bool keep_image(const char *path)
{
    return dl4c_image_path_supported(path);
}

dl4c_status dl4c_image_list(const char *path, char ***paths, int64_t *n)
{
    dl4c_status status = DL4C_OK;
    dl4c_strlist files = {0}, full = {0};
    DL4C_CHECK(path && paths && n, DL4C_INVALID_ARG,
               "image list: NULL argument");
    *paths = NULL;
    *n = 0;
    struct stat st;
    DL4C_CHECK(stat(path, &st) == 0, DL4C_IO, "%s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        if (S_ISREG(st.st_mode) && dl4c_image_path_supported(path))
            DL4C_TRY(dl4c_strlist_push(&full, path));
    } else {
        DL4C_TRY(dl4c_walk_files(path, keep_image, &files));
        for (int64_t i = 0; i < files.n; i++) {
            char *p = dl4c_asprintf("%s/%s", path, files.items[i]);
            if (!p)
                DL4C_NOMEM_FAIL();
            status = dl4c_strlist_push(&full, p);
            dl4c_free(p);
            DL4C_TRY(status);
        }
    }
    *paths = full.items;
    *n = full.n;
    full = (dl4c_strlist){0};
fail:
    dl4c_strlist_free(&files);
    dl4c_strlist_free(&full);
    return status;
}

void dl4c_image_list_free(char **paths, int64_t n)
{
    dl4c_strlist l = {paths, n, n};
    dl4c_strlist_free(&l);
}

dl4c_status dl4c_image_folder_load(const char *dir, const dl4c_image_options *o,
                                   dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_strlist files = {0}, classes = {0}, full = {0};
    dl4c_tensor *x = NULL, *y = NULL;
    dl4c_dataset *ds = NULL;
    dl4c_image_options opt = o ? *o : dl4c_image_options_default();
    char parent[512];
    DL4C_CHECK(out, DL4C_INVALID_ARG, "image folder: out is NULL");
    *out = NULL;
    DL4C_CHECK(dir, DL4C_INVALID_ARG, "image folder: NULL directory");
    DL4C_CHECK(opt.channels >= 0 && opt.channels <= 4 && opt.height >= 0 &&
                   opt.width >= 0 && (opt.height > 0) == (opt.width > 0) &&
                   opt.height <= DL4C_IMAGE_MAX_SIDE &&
                   opt.width <= DL4C_IMAGE_MAX_SIDE,
               DL4C_INVALID_ARG,
               "image folder: bad options (channels %d, size %lldx%lld)",
               opt.channels, (long long)opt.height, (long long)opt.width);
    DL4C_TRY(dl4c_walk_files(dir, keep_image, &files));
    DL4C_CHECK(files.n > 0, DL4C_FORMAT,
               "%s: no image files (.png, .jpg, .jpeg, .pgm, .ppm, .pam, "
               ".bmp) found",
               dir);
    int64_t unlabeled = 0;
    for (int64_t i = 0; i < files.n; i++) {
        char *p = dl4c_asprintf("%s/%s", dir, files.items[i]);
        if (!p)
            DL4C_NOMEM_FAIL();
        status = dl4c_strlist_push(&full, p);
        dl4c_free(p);
        DL4C_TRY(status);
        dl4c_parent_name(files.items[i], parent, sizeof parent);
        if (!parent[0])
            unlabeled++;
        else if (dl4c_strlist_find(&classes, parent) < 0)
            DL4C_TRY(dl4c_strlist_push(&classes, parent));
    }
    DL4C_CHECK(unlabeled == 0 || unlabeled == files.n, DL4C_FORMAT,
               "%s: %lld images lie directly in the folder and %lld in class "
               "folders; put every image in a folder named after its label",
               dir, (long long)unlabeled, (long long)(files.n - unlabeled));
    dl4c_strlist_sort(&classes);

    /* the shape: the options', or the first image's */
    dl4c_image_info first;
    DL4C_TRY(dl4c_image_probe(full.items[0], &first));
    int64_t h = opt.height ? opt.height : first.height;
    int64_t w = opt.width ? opt.width : first.width;
    int c = opt.channels ? opt.channels : first.channels;
    int64_t shape[4] = {files.n, h, w, c};
    DL4C_TRY(dl4c_tensor_create(DL4C_F32, 4, shape, &x));
    DL4C_TRY(dl4c_image_load_many((const char *const *)full.items, files.n,
                                  &opt, h, w, c, full.items[0],
                                  (float *)x->data, NULL));
    if (classes.n > 0) {
        int64_t yshape[2] = {files.n, classes.n};
        DL4C_TRY(dl4c_tensor_create(DL4C_F32, 2, yshape, &y));
        for (int64_t i = 0; i < files.n; i++) {
            dl4c_parent_name(files.items[i], parent, sizeof parent);
            int64_t k = dl4c_strlist_find(&classes, parent);
            ((float *)y->data)[i * classes.n + k] = 1.0f;
        }
    }
    status = dl4c_dataset_create(x, y, &ds);
    x = y = NULL;
    DL4C_TRY(status);
    if (classes.n > 0)
        DL4C_TRY(dl4c_dataset_set_classes(ds, (int)classes.n,
                                          (const char *const *)classes.items));
    *out = ds;
    ds = NULL;
fail:
    dl4c_dataset_free(ds);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_strlist_free(&files);
    dl4c_strlist_free(&full);
    dl4c_strlist_free(&classes);
    return status;
}
