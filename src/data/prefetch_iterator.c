/* A prefetching iterator: a worker thread pulls batches from the inner
 * iterator (normalizing them there) into a ring of `depth` slots while the
 * consumer trains on the previous one. The consumer holds at most one slot
 * (the batch it was last given); the worker fills the others and waits
 * when all are full, so memory is bounded by depth + 1 batches.
 *
 * The worker runs one epoch at a time: it starts at the first next() of an
 * epoch and exits when the inner iterator runs dry; reset() and free()
 * stop and join it. The saved state is the inner iterator's state at the
 * start of the worker's run plus the number of examples the consumer has
 * taken since; loading it replays the inner iterator to that point, so a
 * checkpoint never counts batches that were prefetched but not used. */
#include <pthread.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/iterator_internal.h"
#include "data/json_util_internal.h"

#define MAX_DEPTH 64

typedef struct slot {
    int64_t size;
    dl4c_tensor *t[4]; /* features, labels, features mask, labels mask */
    dl4c_tensor v[4];  /* views with `size` rows */
} slot;

typedef struct pf_iter {
    dl4c_iterator base; /* first */
    dl4c_iterator *inner;
    int depth;
    slot *slots;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool running; /* a worker was started and not joined */
    bool stop;    /* asks the worker to exit */
    bool done;    /* the worker has finished the epoch (or failed) */
    int head, count, current;
    dl4c_status error;
    char msg[1024];
    char *start_state; /* inner state when this run started */
    int64_t start_pos; /* the inner position then */
    int64_t consumed;  /* examples handed out since */
} pf_iter;

static dl4c_status ensure(dl4c_tensor **buf, const dl4c_tensor *src,
                          int64_t rows)
{
    if (!src) {
        if (*buf)
            return dl4c_error_set(DL4C_SHAPE,
                                  "prefetch: a batch lacks a tensor the "
                                  "first batch had");
        return DL4C_OK;
    }
    if (!*buf) {
        int64_t shape[DL4C_MAX_DIMS];
        memcpy(shape, src->shape, sizeof shape);
        shape[0] = rows;
        return dl4c_tensor_create(src->dtype, src->ndim, shape, buf);
    }
    const dl4c_tensor *b = *buf;
    bool same = b->ndim == src->ndim && b->dtype == src->dtype &&
                src->shape[0] <= b->shape[0];
    for (int d = 1; same && d < src->ndim; d++)
        same = b->shape[d] == src->shape[d];
    if (!same)
        return dl4c_error_set(DL4C_SHAPE,
                              "prefetch: a batch's shape differs from the "
                              "first batch's");
    return DL4C_OK;
}

/* Copies a batch into a slot (allocating its buffers the first time). */
static dl4c_status fill(pf_iter *p, slot *s, const dl4c_batch *b)
{
    const dl4c_tensor *src[4] = {b->features, b->labels, b->features_mask,
                                 b->labels_mask};
    for (int k = 0; k < 4; k++) {
        DL4C_RETURN_IF(ensure(&s->t[k], src[k], p->base.batch_size));
        if (!src[k])
            continue;
        memcpy(s->t[k]->data, src[k]->data,
               (size_t)src[k]->size * dl4c_dtype_size(src[k]->dtype));
        int64_t shape[DL4C_MAX_DIMS];
        memcpy(shape, src[k]->shape, sizeof shape);
        dl4c_tensor_init_view(&s->v[k], s->t[k]->backend, s->t[k]->dtype,
                              s->t[k]->data, src[k]->ndim, shape);
    }
    s->size = b->size;
    return DL4C_OK;
}

static void *worker(void *arg)
{
    pf_iter *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->count + (p->current >= 0 ? 1 : 0) >= p->depth)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop)
            break;
        int at = (p->head + p->count) % p->depth;
        pthread_mutex_unlock(&p->mu);
        dl4c_status st = DL4C_OK;
        bool more = dl4c_iterator_has_next(p->inner);
        if (more) {
            dl4c_batch b;
            st = dl4c_iterator_next(p->inner, &b);
            if (st == DL4C_OK)
                st = fill(p, &p->slots[at], &b);
        }
        pthread_mutex_lock(&p->mu);
        if (st != DL4C_OK) {
            p->error = st;
            snprintf(p->msg, sizeof p->msg, "%s", dl4c_last_error());
        }
        if (!more || st != DL4C_OK) {
            p->done = true;
            pthread_cond_broadcast(&p->cv);
            break;
        }
        p->count++;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void stop_worker(pf_iter *p)
{
    if (!p->running)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    p->running = false;
    p->stop = false;
}

/* Drops queued batches; the worker must be stopped. */
static void clear_queue(pf_iter *p)
{
    p->head = p->count = 0;
    p->current = -1;
    p->done = false;
    p->error = DL4C_OK;
}

static dl4c_status start_worker(pf_iter *p)
{
    /* the normalizer runs on the worker: hand it to the inner iterator */
    dl4c_iterator_set_normalizer(p->inner, p->base.normalizer);
    clear_queue(p);
    if (pthread_create(&p->thread, NULL, worker, p) != 0)
        return dl4c_error_set(DL4C_INTERNAL,
                              "prefetch: cannot start the worker thread");
    p->running = true;
    return DL4C_OK;
}

static bool pf_has_next(const dl4c_iterator *it)
{
    pf_iter *p = (pf_iter *)it; /* waiting changes nothing visible */
    if (!p->running)
        return dl4c_iterator_has_next(p->inner);
    pthread_mutex_lock(&p->mu);
    while (p->count == 0 && !p->done)
        pthread_cond_wait(&p->cv, &p->mu);
    bool more = p->count > 0 || p->error != DL4C_OK;
    pthread_mutex_unlock(&p->mu);
    return more;
}

static dl4c_status pf_next(dl4c_iterator *it, dl4c_batch_buffers *out)
{
    pf_iter *p = (pf_iter *)it;
    if (!p->running)
        DL4C_RETURN_IF(start_worker(p));
    pthread_mutex_lock(&p->mu);
    p->current = -1; /* the consumer is done with the last batch */
    pthread_cond_broadcast(&p->cv);
    while (p->count == 0 && !p->done)
        pthread_cond_wait(&p->cv, &p->mu);
    if (p->count == 0) {
        dl4c_status st = p->error;
        pthread_mutex_unlock(&p->mu);
        if (st != DL4C_OK)
            return dl4c_error_set(st, "%s", p->msg);
        return dl4c_error_set(DL4C_STATE, "prefetch: the epoch is over");
    }
    p->current = p->head;
    p->head = (p->head + 1) % p->depth;
    p->count--;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    slot *s = &p->slots[p->current];
    out->size = s->size;
    out->features = &s->v[0];
    out->labels = s->t[1] ? &s->v[1] : NULL;
    out->features_mask = s->t[2] ? &s->v[2] : NULL;
    out->labels_mask = s->t[3] ? &s->v[3] : NULL;
    p->consumed += s->size;
    return DL4C_OK;
}

static dl4c_status save_start(pf_iter *p)
{
    dl4c_free(p->start_state);
    p->start_state = NULL;
    p->start_pos = dl4c_iterator_position(p->inner);
    p->consumed = 0;
    return dl4c_iterator_state_save(p->inner, &p->start_state);
}

static dl4c_status pf_reset(dl4c_iterator *it)
{
    pf_iter *p = (pf_iter *)it;
    stop_worker(p);
    clear_queue(p);
    DL4C_RETURN_IF(dl4c_iterator_reset(p->inner));
    return save_start(p);
}

static int64_t pf_count(const dl4c_iterator *it)
{
    return dl4c_iterator_count(((const pf_iter *)it)->inner);
}

static int64_t pf_position(const dl4c_iterator *it)
{
    const pf_iter *p = (const pf_iter *)it;
    return p->start_pos + p->consumed;
}

static dl4c_status pf_state_save(const dl4c_iterator *it, json_t *state)
{
    const pf_iter *p = (const pf_iter *)it;
    json_t *inner = json_loads(p->start_state, 0, NULL);
    if (!inner || json_object_set_new(state, "inner", inner) ||
        json_object_set_new(state, "consumed", json_integer(p->consumed)))
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return DL4C_OK;
}

static dl4c_status pf_state_load(dl4c_iterator *it, const json_t *state)
{
    dl4c_status status = DL4C_OK;
    pf_iter *p = (pf_iter *)it;
    char *text = NULL;
    const json_t *inner = json_object_get(state, "inner");
    const json_t *consumed = json_object_get(state, "consumed");
    DL4C_CHECK(json_is_object(inner) && json_is_integer(consumed) &&
                   json_integer_value(consumed) >= 0,
               DL4C_FORMAT,
               "iterator state: prefetch needs \"inner\" and \"consumed\"");
    text = dl4c_json_dump(inner);
    if (!text)
        DL4C_NOMEM_FAIL();
    stop_worker(p);
    clear_queue(p);
    DL4C_TRY(dl4c_iterator_state_load(p->inner, text));
    int64_t start = dl4c_iterator_position(p->inner);
    int64_t target = start + (int64_t)json_integer_value(consumed);
    /* replay without normalizing: only the position matters */
    dl4c_iterator_set_normalizer(p->inner, NULL);
    while (dl4c_iterator_position(p->inner) < target &&
           dl4c_iterator_has_next(p->inner)) {
        dl4c_batch b;
        DL4C_TRY(dl4c_iterator_next(p->inner, &b));
    }
    DL4C_CHECK(dl4c_iterator_position(p->inner) == target, DL4C_FORMAT,
               "iterator state: prefetch position %lld cannot be reached "
               "(the inner iterator stops at %lld)",
               (long long)target, (long long)dl4c_iterator_position(p->inner));
    dl4c_free(p->start_state);
    p->start_state = text;
    text = NULL;
    p->start_pos = start;
    p->consumed = target - start;
fail:
    dl4c_free(text);
    return status;
}

static void pf_destroy(dl4c_iterator *it)
{
    pf_iter *p = (pf_iter *)it;
    stop_worker(p);
    for (int i = 0; p->slots && i < p->depth; i++)
        for (int k = 0; k < 4; k++)
            dl4c_tensor_free(p->slots[i].t[k]);
    dl4c_free(p->slots);
    dl4c_iterator_free(p->inner);
    dl4c_free(p->start_state);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    dl4c_free(p);
}

static const dl4c_iterator_vtable pf_vtable = {
    .kind = "prefetch",
    .self_normalizing = true,
    .has_next = pf_has_next,
    .next = pf_next,
    .reset = pf_reset,
    .count = pf_count,
    .position = pf_position,
    .state_save = pf_state_save,
    .state_load = pf_state_load,
    .destroy = pf_destroy,
};

dl4c_status dl4c_iterator_prefetch(dl4c_iterator *inner, int depth,
                                   dl4c_iterator **out)
{
    dl4c_status status = DL4C_OK;
    pf_iter *p = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "prefetch: out is NULL");
    *out = NULL;
    DL4C_CHECK(inner, DL4C_INVALID_ARG, "prefetch: NULL inner iterator");
    DL4C_CHECK(depth >= 1 && depth <= MAX_DEPTH, DL4C_INVALID_ARG,
               "prefetch: depth %d outside 1..%d", depth, MAX_DEPTH);
    p = dl4c_calloc(1, sizeof *p);
    if (!p)
        DL4C_NOMEM_FAIL();
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        dl4c_free(p);
        p = NULL;
        DL4C_FAIL(DL4C_INTERNAL, "prefetch: cannot create a mutex");
    }
    if (pthread_cond_init(&p->cv, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        dl4c_free(p);
        p = NULL;
        DL4C_FAIL(DL4C_INTERNAL, "prefetch: cannot create a condition");
    }
    p->base.vt = &pf_vtable;
    p->base.batch_size = inner->batch_size;
    p->inner = inner;
    inner = NULL;
    p->depth = depth + 1; /* one more slot for the batch being used */
    p->current = -1;
    p->slots = dl4c_calloc((size_t)p->depth, sizeof *p->slots);
    if (!p->slots)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(save_start(p));
    *out = &p->base;
    return DL4C_OK;
fail:
    dl4c_iterator_free(inner);
    if (p)
        pf_destroy(&p->base);
    return status;
}
