/* Minibatches decoded from image files on demand, for datasets larger
 * than memory. The order and the saved state are the in-memory dataset
 * iterator's (epoch_order.c). Decoding allocates per image (file bytes, raw
 * pixels); the batch buffers are allocated once. Wrap it in
 * dl4c_iterator_prefetch so the decoding overlaps training. */
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "data/epoch_order_internal.h"
#include "data/image_internal.h"
#include "data/iterator_internal.h"

typedef struct img_iter {
    dl4c_iterator base; /* first */
    char **paths;
    int *labels; /* or NULL */
    int64_t n;
    int num_classes;
    dl4c_image_options opt;
    dl4c_epoch_order o;
    const char **batch_paths;
    dl4c_tensor *xbuf, *ybuf;
    dl4c_tensor xview, yview;
} img_iter;

static bool ii_has_next(const dl4c_iterator *it)
{
    const img_iter *d = (const img_iter *)it;
    return d->o.cursor < d->n;
}

static dl4c_status ii_next(dl4c_iterator *it, dl4c_batch_buffers *out)
{
    img_iter *d = (img_iter *)it;
    int64_t cursor = d->o.cursor, size = d->n - cursor;
    if (size > it->batch_size)
        size = it->batch_size;
    for (int64_t i = 0; i < size; i++)
        d->batch_paths[i] = d->paths[dl4c_epoch_order_at(&d->o, cursor + i)];
    int64_t h = d->opt.height, w = d->opt.width;
    DL4C_RETURN_IF(dl4c_image_load_many(d->batch_paths, size, &d->opt, h, w,
                                        d->opt.channels, NULL,
                                        (float *)d->xbuf->data, NULL));
    int64_t xs[4] = {size, h, w, d->opt.channels};
    dl4c_tensor_init_view(&d->xview, d->xbuf->backend, DL4C_F32, d->xbuf->data,
                          4, xs);
    out->features = &d->xview;
    if (d->ybuf) {
        float *y = d->ybuf->data;
        memset(y, 0, (size_t)(size * d->num_classes) * sizeof(float));
        for (int64_t i = 0; i < size; i++)
            y[i * d->num_classes +
              d->labels[dl4c_epoch_order_at(&d->o, cursor + i)]] = 1.0f;
        int64_t ys[2] = {size, d->num_classes};
        dl4c_tensor_init_view(&d->yview, d->ybuf->backend, DL4C_F32,
                              d->ybuf->data, 2, ys);
        out->labels = &d->yview;
    }
    out->size = size;
    d->o.cursor += size;
    return DL4C_OK;
}

static dl4c_status ii_reset(dl4c_iterator *it)
{
    dl4c_epoch_order_next_epoch(&((img_iter *)it)->o);
    return DL4C_OK;
}

static int64_t ii_count(const dl4c_iterator *it)
{
    return ((const img_iter *)it)->n;
}

static int64_t ii_position(const dl4c_iterator *it)
{
    return ((const img_iter *)it)->o.cursor;
}

static dl4c_status ii_state_save(const dl4c_iterator *it, json_t *state)
{
    return dl4c_epoch_order_save(&((const img_iter *)it)->o, state);
}

static dl4c_status ii_state_load(dl4c_iterator *it, const json_t *state)
{
    return dl4c_epoch_order_load(&((img_iter *)it)->o, state, "images",
                                 "iterator");
}

static void ii_destroy(dl4c_iterator *it)
{
    img_iter *d = (img_iter *)it;
    for (int64_t i = 0; d->paths && i < d->n; i++)
        dl4c_free(d->paths[i]);
    dl4c_free(d->paths);
    dl4c_free(d->labels);
    dl4c_epoch_order_free(&d->o);
    dl4c_free(d->batch_paths);
    dl4c_tensor_free(d->xbuf);
    dl4c_tensor_free(d->ybuf);
    dl4c_free(d);
}

static const dl4c_iterator_vtable ii_vtable = {
    .kind = "image_files",
    .has_next = ii_has_next,
    .next = ii_next,
    .reset = ii_reset,
    .count = ii_count,
    .position = ii_position,
    .state_save = ii_state_save,
    .state_load = ii_state_load,
    .destroy = ii_destroy,
};

dl4c_status dl4c_image_iterator_create(const char *const *paths,
                                       const int *labels, int64_t n,
                                       int num_classes,
                                       const dl4c_image_options *o,
                                       int64_t batch_size, bool shuffle,
                                       uint64_t seed, dl4c_iterator **out)
{
    dl4c_status status = DL4C_OK;
    img_iter *d = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "image iterator: out is NULL");
    *out = NULL;
    DL4C_CHECK(paths && o && n > 0 && batch_size > 0, DL4C_INVALID_ARG,
               "image iterator: needs paths, options, n > 0 and a batch "
               "size > 0");
    DL4C_CHECK(o->height > 0 && o->width > 0 && o->channels >= 1 &&
                   o->channels <= 4 && o->height <= DL4C_IMAGE_MAX_SIDE &&
                   o->width <= DL4C_IMAGE_MAX_SIDE,
               DL4C_INVALID_ARG,
               "image iterator: set the height, width and channels (1..4) "
               "every image is brought to");
    DL4C_CHECK(!labels || num_classes > 0, DL4C_INVALID_ARG,
               "image iterator: labels need num_classes > 0");
    for (int64_t i = 0; labels && i < n; i++)
        DL4C_CHECK(labels[i] >= 0 && labels[i] < num_classes, DL4C_INVALID_ARG,
                   "image iterator: label %d of %s outside 0..%d", labels[i],
                   paths[i], num_classes - 1);
    d = dl4c_calloc(1, sizeof *d);
    if (!d)
        DL4C_NOMEM_FAIL();
    d->base.vt = &ii_vtable;
    d->base.batch_size = batch_size;
    d->n = n;
    d->num_classes = labels ? num_classes : 0;
    d->opt = *o;
    DL4C_TRY(dl4c_epoch_order_init(&d->o, n, shuffle, seed));
    int64_t rows = batch_size < n ? batch_size : n;
    d->paths = dl4c_calloc((size_t)n, sizeof *d->paths);
    d->batch_paths = dl4c_calloc((size_t)rows, sizeof *d->batch_paths);
    if (!d->paths || !d->batch_paths)
        DL4C_NOMEM_FAIL();
    for (int64_t i = 0; i < n; i++)
        if (!(d->paths[i] = dl4c_strdup(paths[i])))
            DL4C_NOMEM_FAIL();
    if (labels) {
        d->labels = dl4c_malloc((size_t)n * sizeof *d->labels);
        if (!d->labels)
            DL4C_NOMEM_FAIL();
        memcpy(d->labels, labels, (size_t)n * sizeof *d->labels);
        int64_t ys[2] = {rows, num_classes};
        DL4C_TRY(dl4c_tensor_create(DL4C_F32, 2, ys, &d->ybuf));
    }
    int64_t xs[4] = {rows, o->height, o->width, o->channels};
    DL4C_TRY(dl4c_tensor_create(DL4C_F32, 4, xs, &d->xbuf));
    *out = &d->base;
    return DL4C_OK;
fail:
    if (d)
        ii_destroy(&d->base);
    return status;
}
