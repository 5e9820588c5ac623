/* Minibatches decoded from image files on demand, for datasets larger
 * than memory. The shuffling and the saved state follow the in-memory
 * dataset iterator: each epoch's order is a permutation drawn from the
 * generator state at the start of the epoch, which is what the state
 * stores. Decoding allocates per image (file bytes, raw pixels); the batch
 * buffers are allocated once. Wrap it in dl4c_iterator_prefetch so the
 * decoding overlaps training. */
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "data/image_internal.h"
#include "data/iterator_internal.h"
#include "data/json_util_internal.h"

typedef struct img_iter {
    dl4c_iterator base; /* first */
    char **paths;
    int *labels; /* or NULL */
    int64_t n;
    int num_classes;
    dl4c_image_options opt;
    bool shuffle;
    uint64_t seed;
    int64_t epoch, cursor;
    dl4c_rng epoch_rng, rng;
    int64_t *order;
    const char **batch_paths;
    dl4c_tensor *xbuf, *ybuf;
    dl4c_tensor xview, yview;
} img_iter;

static void draw_order(img_iter *d)
{
    d->rng = d->epoch_rng;
    for (int64_t i = 0; i < d->n; i++)
        d->order[i] = i;
    if (d->shuffle)
        dl4c_rng_shuffle(&d->rng, d->order, d->n);
}

static bool ii_has_next(const dl4c_iterator *it)
{
    const img_iter *d = (const img_iter *)it;
    return d->cursor < d->n;
}

static dl4c_status ii_next(dl4c_iterator *it, dl4c_batch_buffers *out)
{
    img_iter *d = (img_iter *)it;
    int64_t size = d->n - d->cursor;
    if (size > it->batch_size)
        size = it->batch_size;
    for (int64_t i = 0; i < size; i++)
        d->batch_paths[i] = d->paths[d->order[d->cursor + i]];
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
            y[i * d->num_classes + d->labels[d->order[d->cursor + i]]] = 1.0f;
        int64_t ys[2] = {size, d->num_classes};
        dl4c_tensor_init_view(&d->yview, d->ybuf->backend, DL4C_F32,
                              d->ybuf->data, 2, ys);
        out->labels = &d->yview;
    }
    out->size = size;
    d->cursor += size;
    return DL4C_OK;
}

static dl4c_status ii_reset(dl4c_iterator *it)
{
    img_iter *d = (img_iter *)it;
    d->epoch++;
    d->cursor = 0;
    d->epoch_rng = d->rng;
    draw_order(d);
    return DL4C_OK;
}

static int64_t ii_count(const dl4c_iterator *it)
{
    return ((const img_iter *)it)->n;
}

static int64_t ii_position(const dl4c_iterator *it)
{
    return ((const img_iter *)it)->cursor;
}

static dl4c_status ii_state_save(const dl4c_iterator *it, json_t *state)
{
    const img_iter *d = (const img_iter *)it;
    json_t *rng = json_array();
    int bad = !rng;
    for (int i = 0; i < 4 && rng; i++)
        bad |= json_array_append_new(rng, dl4c_json_u64(d->epoch_rng.s[i]));
    bad |= json_object_set_new(state, "count", json_integer(d->n));
    bad |= json_object_set_new(state, "shuffle", json_boolean(d->shuffle));
    bad |= json_object_set_new(state, "seed", dl4c_json_u64(d->seed));
    bad |= json_object_set_new(state, "epoch", json_integer(d->epoch));
    bad |= json_object_set_new(state, "cursor", json_integer(d->cursor));
    bad |= json_object_set_new(state, "epoch_rng", rng);
    return bad ? dl4c_error_set(DL4C_NOMEM, "out of memory") : DL4C_OK;
}

static dl4c_status ii_state_load(dl4c_iterator *it, const json_t *state)
{
    dl4c_status status = DL4C_OK;
    img_iter *d = (img_iter *)it;
    const json_t *count = json_object_get(state, "count");
    const json_t *epoch = json_object_get(state, "epoch");
    const json_t *cursor = json_object_get(state, "cursor");
    const json_t *shuffle = json_object_get(state, "shuffle");
    const json_t *arr = json_object_get(state, "epoch_rng");
    uint64_t seed = 0;
    dl4c_rng rng;
    DL4C_CHECK(json_is_integer(count) && json_is_integer(epoch) &&
                   json_is_integer(cursor) && json_is_boolean(shuffle) &&
                   json_is_array(arr) && json_array_size(arr) == 4 &&
                   dl4c_json_get_u64(json_object_get(state, "seed"), &seed),
               DL4C_FORMAT,
               "iterator state: image files state lacks \"count\", "
               "\"epoch\", \"cursor\", \"shuffle\", \"seed\" or "
               "\"epoch_rng\"");
    DL4C_CHECK(json_integer_value(count) == d->n, DL4C_FORMAT,
               "iterator state: saved over %lld images, this iterator has "
               "%lld",
               (long long)json_integer_value(count), (long long)d->n);
    DL4C_CHECK(json_is_true(shuffle) == d->shuffle, DL4C_FORMAT,
               "iterator state: \"shuffle\" differs from this iterator's");
    DL4C_CHECK(json_integer_value(epoch) >= 0 &&
                   json_integer_value(cursor) >= 0 &&
                   json_integer_value(cursor) <= d->n,
               DL4C_FORMAT, "iterator state: epoch or cursor out of range");
    for (int i = 0; i < 4; i++)
        DL4C_CHECK(dl4c_json_get_u64(json_array_get(arr, (size_t)i), &rng.s[i]),
                   DL4C_FORMAT,
                   "iterator state: \"epoch_rng\"[%d] is not a hex string", i);
    DL4C_CHECK(rng.s[0] | rng.s[1] | rng.s[2] | rng.s[3], DL4C_FORMAT,
               "iterator state: \"epoch_rng\" is all zeros");
    d->seed = seed;
    d->epoch = (int64_t)json_integer_value(epoch);
    d->cursor = (int64_t)json_integer_value(cursor);
    d->epoch_rng = rng;
    draw_order(d);
fail:
    return status;
}

static void ii_destroy(dl4c_iterator *it)
{
    img_iter *d = (img_iter *)it;
    for (int64_t i = 0; d->paths && i < d->n; i++)
        dl4c_free(d->paths[i]);
    dl4c_free(d->paths);
    dl4c_free(d->labels);
    dl4c_free(d->order);
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
    d->shuffle = shuffle;
    d->seed = seed;
    int64_t rows = batch_size < n ? batch_size : n;
    d->paths = dl4c_calloc((size_t)n, sizeof *d->paths);
    d->order = dl4c_malloc((size_t)n * sizeof *d->order);
    d->batch_paths = dl4c_calloc((size_t)rows, sizeof *d->batch_paths);
    if (!d->paths || !d->order || !d->batch_paths)
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
    dl4c_rng_seed(&d->epoch_rng, seed);
    draw_order(d);
    *out = &d->base;
    return DL4C_OK;
fail:
    if (d)
        ii_destroy(&d->base);
    return status;
}
