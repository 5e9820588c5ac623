/* Minibatches over an in-memory dataset. Each epoch's order is a fresh
 * permutation of 0..N-1 drawn from the iterator's rng, always starting
 * from the identity, so the rng state at the start of an epoch determines
 * the whole epoch: that state, the epoch number and the cursor are the
 * saved state, and loading them regenerates the same permutation. Batches
 * are gathered with memcpy into buffers allocated at creation. */
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/dataset_internal.h"
#include "data/iterator_internal.h"
#include "data/json_util_internal.h"
#include "dl4c/rng.h"

typedef struct ds_iter {
    dl4c_iterator base; /* first: the iterator is this struct */
    const dl4c_dataset *ds;
    int64_t n;
    bool shuffle;
    uint64_t seed;
    int64_t epoch;
    int64_t cursor;     /* examples returned this epoch */
    dl4c_rng epoch_rng; /* state before this epoch's permutation */
    dl4c_rng rng;       /* state after it: the next epoch starts here */
    int64_t *order;     /* this epoch's permutation; NULL without shuffle */
    dl4c_tensor *xbuf, *ybuf, *fmbuf, *lmbuf; /* masks: sequences */
    dl4c_tensor xview, yview, fmview, lmview; /* [batch size, ...] views */
} ds_iter;

static void draw_order(ds_iter *d)
{
    d->rng = d->epoch_rng;
    if (!d->shuffle)
        return;
    for (int64_t i = 0; i < d->n; i++)
        d->order[i] = i;
    dl4c_rng_shuffle(&d->rng, d->order, d->n);
}

static bool ds_has_next(const dl4c_iterator *it)
{
    const ds_iter *d = (const ds_iter *)it;
    return d->cursor < d->n;
}

static void view_rows(dl4c_tensor *view, const dl4c_tensor *buf, int64_t rows)
{
    int64_t shape[DL4C_MAX_DIMS];
    memcpy(shape, buf->shape, sizeof shape);
    shape[0] = rows;
    dl4c_tensor_init_view(view, buf->backend, buf->dtype, buf->data, buf->ndim,
                          shape);
}

static dl4c_status ds_next(dl4c_iterator *it, dl4c_batch_buffers *out)
{
    ds_iter *d = (ds_iter *)it;
    int64_t size = d->n - d->cursor;
    if (size > it->batch_size)
        size = it->batch_size;
    const int64_t *idx = d->order ? d->order + d->cursor : NULL;
    dl4c_gather_rows(d->ds->features, idx, d->cursor, size, d->xbuf->data);
    view_rows(&d->xview, d->xbuf, size);
    out->features = &d->xview;
    if (d->ybuf) {
        dl4c_gather_rows(d->ds->labels, idx, d->cursor, size, d->ybuf->data);
        view_rows(&d->yview, d->ybuf, size);
        out->labels = &d->yview;
    }
    if (d->fmbuf) {
        dl4c_gather_rows(d->ds->features_mask, idx, d->cursor, size,
                         d->fmbuf->data);
        view_rows(&d->fmview, d->fmbuf, size);
        out->features_mask = &d->fmview;
    }
    if (d->lmbuf) {
        dl4c_gather_rows(d->ds->labels_mask, idx, d->cursor, size,
                         d->lmbuf->data);
        view_rows(&d->lmview, d->lmbuf, size);
        out->labels_mask = &d->lmview;
    }
    out->size = size;
    d->cursor += size;
    return DL4C_OK;
}

static dl4c_status ds_reset(dl4c_iterator *it)
{
    ds_iter *d = (ds_iter *)it;
    d->epoch++;
    d->cursor = 0;
    d->epoch_rng = d->rng;
    draw_order(d);
    return DL4C_OK;
}

static int64_t ds_count(const dl4c_iterator *it)
{
    return ((const ds_iter *)it)->n;
}

static int64_t ds_position(const dl4c_iterator *it)
{
    return ((const ds_iter *)it)->cursor;
}

static dl4c_status ds_state_save(const dl4c_iterator *it, json_t *state)
{
    const ds_iter *d = (const ds_iter *)it;
    json_t *rng = json_array();
    int bad = !rng;
    for (int i = 0; i < 4 && rng; i++)
        bad |= json_array_append_new(rng, dl4c_json_u64(d->epoch_rng.s[i]));
    bad |= json_object_set_new(state, "count", json_integer(d->n));
    bad |=
        json_object_set_new(state, "batch_size", json_integer(it->batch_size));
    bad |= json_object_set_new(state, "shuffle", json_boolean(d->shuffle));
    bad |= json_object_set_new(state, "seed", dl4c_json_u64(d->seed));
    bad |= json_object_set_new(state, "epoch", json_integer(d->epoch));
    bad |= json_object_set_new(state, "cursor", json_integer(d->cursor));
    bad |= json_object_set_new(state, "epoch_rng", rng);
    return bad ? dl4c_error_set(DL4C_NOMEM, "out of memory") : DL4C_OK;
}

static bool get_int(const json_t *state, const char *key, int64_t *out)
{
    const json_t *v = json_object_get(state, key);
    if (!json_is_integer(v))
        return false;
    *out = (int64_t)json_integer_value(v);
    return true;
}

static dl4c_status ds_state_load(dl4c_iterator *it, const json_t *state)
{
    dl4c_status status = DL4C_OK;
    ds_iter *d = (ds_iter *)it;
    int64_t count = 0, epoch = 0, cursor = 0;
    uint64_t seed = 0;
    dl4c_rng rng;
    DL4C_CHECK(get_int(state, "count", &count) &&
                   get_int(state, "epoch", &epoch) &&
                   get_int(state, "cursor", &cursor) &&
                   dl4c_json_get_u64(json_object_get(state, "seed"), &seed),
               DL4C_FORMAT,
               "iterator state: \"count\", \"epoch\", \"cursor\" or "
               "\"seed\" missing or not a number");
    DL4C_CHECK(count == d->n, DL4C_FORMAT,
               "iterator state: saved over %lld examples, this dataset has "
               "%lld",
               (long long)count, (long long)d->n);
    DL4C_CHECK(epoch >= 0 && cursor >= 0 && cursor <= d->n, DL4C_FORMAT,
               "iterator state: epoch %lld / cursor %lld out of range",
               (long long)epoch, (long long)cursor);
    const json_t *shuffle = json_object_get(state, "shuffle");
    DL4C_CHECK(json_is_boolean(shuffle) && json_is_true(shuffle) == d->shuffle,
               DL4C_FORMAT,
               "iterator state: \"shuffle\" missing or different from this "
               "iterator's (%s)",
               d->shuffle ? "true" : "false");
    const json_t *arr = json_object_get(state, "epoch_rng");
    DL4C_CHECK(json_is_array(arr) && json_array_size(arr) == 4, DL4C_FORMAT,
               "iterator state: \"epoch_rng\" is not 4 hex strings");
    for (int i = 0; i < 4; i++)
        DL4C_CHECK(dl4c_json_get_u64(json_array_get(arr, (size_t)i), &rng.s[i]),
                   DL4C_FORMAT,
                   "iterator state: \"epoch_rng\"[%d] is not a hex string", i);
    DL4C_CHECK(rng.s[0] | rng.s[1] | rng.s[2] | rng.s[3], DL4C_FORMAT,
               "iterator state: \"epoch_rng\" is all zeros");
    d->seed = seed;
    d->epoch = epoch;
    d->cursor = cursor;
    d->epoch_rng = rng;
    draw_order(d);
fail:
    return status;
}

static void ds_destroy(dl4c_iterator *it)
{
    ds_iter *d = (ds_iter *)it;
    dl4c_tensor_free(d->xbuf);
    dl4c_tensor_free(d->ybuf);
    dl4c_tensor_free(d->fmbuf);
    dl4c_tensor_free(d->lmbuf);
    dl4c_free(d->order);
    dl4c_free(d);
}

static const dl4c_iterator_vtable ds_vtable = {
    .kind = "dataset",
    .has_next = ds_has_next,
    .next = ds_next,
    .reset = ds_reset,
    .count = ds_count,
    .position = ds_position,
    .state_save = ds_state_save,
    .state_load = ds_state_load,
    .destroy = ds_destroy,
};

/* [rows, rest of t's dims] */
static dl4c_status batch_buffer(const dl4c_tensor *t, int64_t rows,
                                dl4c_tensor **out)
{
    int64_t shape[DL4C_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    shape[0] = rows;
    return dl4c_tensor_create(t->dtype, t->ndim, shape, out);
}

dl4c_status dl4c_iterator_create(const dl4c_dataset *ds, int64_t batch_size,
                                 bool shuffle, uint64_t seed,
                                 dl4c_iterator **out)
{
    dl4c_status status = DL4C_OK;
    ds_iter *d = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "iterator: out is NULL");
    *out = NULL;
    DL4C_CHECK(ds, DL4C_INVALID_ARG, "iterator: NULL dataset");
    DL4C_CHECK(batch_size > 0, DL4C_INVALID_ARG,
               "iterator: batch size %lld must be > 0", (long long)batch_size);
    d = dl4c_calloc(1, sizeof *d);
    if (!d)
        DL4C_NOMEM_FAIL();
    d->base.vt = &ds_vtable;
    d->base.batch_size = batch_size;
    d->ds = ds;
    d->n = dl4c_dataset_count(ds);
    d->shuffle = shuffle;
    d->seed = seed;
    int64_t rows = batch_size < d->n ? batch_size : d->n;
    DL4C_TRY(batch_buffer(ds->features, rows, &d->xbuf));
    if (ds->labels)
        DL4C_TRY(batch_buffer(ds->labels, rows, &d->ybuf));
    if (ds->features_mask)
        DL4C_TRY(batch_buffer(ds->features_mask, rows, &d->fmbuf));
    if (ds->labels_mask)
        DL4C_TRY(batch_buffer(ds->labels_mask, rows, &d->lmbuf));
    if (shuffle) {
        d->order = dl4c_malloc((size_t)d->n * sizeof *d->order);
        if (!d->order)
            DL4C_NOMEM_FAIL();
    }
    dl4c_rng_seed(&d->epoch_rng, seed);
    draw_order(d);
    *out = &d->base;
    return DL4C_OK;
fail:
    if (d)
        ds_destroy(&d->base);
    return status;
}
