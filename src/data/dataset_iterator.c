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
#include "data/epoch_order_internal.h"
#include "data/iterator_internal.h"

typedef struct ds_iter {
    dl4c_iterator base; /* first: the iterator is this struct */
    const dl4c_dataset *ds;
    dl4c_epoch_order o;
    dl4c_tensor *xbuf, *ybuf, *fmbuf, *lmbuf; /* masks: sequences */
    dl4c_tensor xview, yview, fmview, lmview; /* [batch size, ...] views */
} ds_iter;

static bool ds_has_next(const dl4c_iterator *it)
{
    const ds_iter *d = (const ds_iter *)it;
    return d->o.cursor < d->o.n;
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
    int64_t cursor = d->o.cursor, size = d->o.n - cursor;
    if (size > it->batch_size)
        size = it->batch_size;
    const int64_t *idx = d->o.order ? d->o.order + cursor : NULL;
    dl4c_gather_rows(d->ds->features, idx, cursor, size, d->xbuf->data);
    view_rows(&d->xview, d->xbuf, size);
    out->features = &d->xview;
    if (d->ybuf) {
        dl4c_gather_rows(d->ds->labels, idx, cursor, size, d->ybuf->data);
        view_rows(&d->yview, d->ybuf, size);
        out->labels = &d->yview;
    }
    if (d->fmbuf) {
        dl4c_gather_rows(d->ds->features_mask, idx, cursor, size,
                         d->fmbuf->data);
        view_rows(&d->fmview, d->fmbuf, size);
        out->features_mask = &d->fmview;
    }
    if (d->lmbuf) {
        dl4c_gather_rows(d->ds->labels_mask, idx, cursor, size, d->lmbuf->data);
        view_rows(&d->lmview, d->lmbuf, size);
        out->labels_mask = &d->lmview;
    }
    out->size = size;
    d->o.cursor += size;
    return DL4C_OK;
}

static dl4c_status ds_reset(dl4c_iterator *it)
{
    dl4c_epoch_order_next_epoch(&((ds_iter *)it)->o);
    return DL4C_OK;
}

static int64_t ds_count(const dl4c_iterator *it)
{
    return ((const ds_iter *)it)->o.n;
}

static int64_t ds_position(const dl4c_iterator *it)
{
    return ((const ds_iter *)it)->o.cursor;
}

static dl4c_status ds_state_save(const dl4c_iterator *it, json_t *state)
{
    if (json_object_set_new(state, "batch_size", json_integer(it->batch_size)))
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return dl4c_epoch_order_save(&((const ds_iter *)it)->o, state);
}

static dl4c_status ds_state_load(dl4c_iterator *it, const json_t *state)
{
    return dl4c_epoch_order_load(&((ds_iter *)it)->o, state, "examples",
                                 "dataset");
}

static void ds_destroy(dl4c_iterator *it)
{
    ds_iter *d = (ds_iter *)it;
    dl4c_tensor_free(d->xbuf);
    dl4c_tensor_free(d->ybuf);
    dl4c_tensor_free(d->fmbuf);
    dl4c_tensor_free(d->lmbuf);
    dl4c_epoch_order_free(&d->o);
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
    DL4C_TRY(
        dl4c_epoch_order_init(&d->o, dl4c_dataset_count(ds), shuffle, seed));
    int64_t rows = batch_size < d->o.n ? batch_size : d->o.n;
    DL4C_TRY(batch_buffer(ds->features, rows, &d->xbuf));
    if (ds->labels)
        DL4C_TRY(batch_buffer(ds->labels, rows, &d->ybuf));
    if (ds->features_mask)
        DL4C_TRY(batch_buffer(ds->features_mask, rows, &d->fmbuf));
    if (ds->labels_mask)
        DL4C_TRY(batch_buffer(ds->labels_mask, rows, &d->lmbuf));
    *out = &d->base;
    return DL4C_OK;
fail:
    if (d)
        ds_destroy(&d->base);
    return status;
}
