/* The dynamic batcher (batcher_internal.h). One mutex guards the queue and
 * every job's done flag; each job has its own condition variable, so a
 * finished batch wakes exactly its callers. Workers copy queued rows into
 * their own input buffers, run the net in chunks of at most chunk_cap rows
 * and copy each caller's output rows back. */
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "dl4c/model.h"
#include "serve/batcher_internal.h"

typedef struct worker {
    struct dl4c_batcher *b;
    pthread_t thread;
    bool started;
    dl4c_net *net;                      /* shares the weights */
    dl4c_tensor *in[DL4C_SERVE_MAX_IO]; /* [chunk_cap, shape...] */
    dl4c_status init_status;
    char init_error[256];
} worker;

struct dl4c_batcher {
    const dl4c_net *net;
    dl4c_serve_signature sig;
    dl4c_batcher_options o;
    int64_t chunk_cap;
    bool classifier;
    pthread_mutex_t lock;
    pthread_cond_t work;  /* a job was queued, or stopping */
    pthread_cond_t ready; /* a worker finished its warm-up */
    dl4c_batch_job *head, *tail;
    int64_t queued_jobs, queued_rows;
    int n_ready;
    bool stopping;
    worker *workers;
    int n_workers;
};

/* Copies rows [start, start + count) of the batch formed by jobs[] to
 * (gather) or from (scatter) buf, for input or output `io`. */
static void move_rows(dl4c_batch_job *const *jobs, int n_jobs, int64_t start,
                      int64_t count, int io, bool gather, float *buf,
                      int64_t width)
{
    int64_t base = 0;
    for (int j = 0; j < n_jobs && count > 0; j++) {
        dl4c_batch_job *job = jobs[j];
        int64_t end = base + job->rows;
        if (start < end) {
            int64_t from = start - base;
            int64_t n = job->rows - from < count ? job->rows - from : count;
            size_t bytes = sizeof(float) * (size_t)(n * width);
            if (gather)
                memcpy(buf, job->inputs[io] + from * width, bytes);
            else
                memcpy(job->outputs[io] + from * width, buf, bytes);
            buf += n * width;
            start += n;
            count -= n;
        }
        base = end;
    }
}

/* Runs rows [start, start + n) of the batch through w's net. */
static dl4c_status run_chunk(worker *w, dl4c_batch_job *const *jobs, int n_jobs,
                             int64_t start, int64_t n)
{
    dl4c_status status = DL4C_OK;
    const dl4c_serve_signature *sig = &w->b->sig;
    dl4c_tensor *views[DL4C_SERVE_MAX_IO] = {0};
    const dl4c_normalizer *norm = dl4c_net_normalizer(w->net);
    for (int i = 0; i < sig->n_inputs; i++) {
        int64_t dims[DL4C_MAX_DIMS + 1];
        dims[0] = n;
        for (int d = 0; d < sig->input_shapes[i].ndim; d++)
            dims[d + 1] = sig->input_shapes[i].dim[d];
        DL4C_TRY(dl4c_tensor_view(w->in[i], 0, sig->input_shapes[i].ndim + 1,
                                  dims, &views[i]));
        move_rows(jobs, n_jobs, start, n, i, true, dl4c_tensor_data(views[i]),
                  sig->input_sizes[i]);
    }
    if (norm && sig->n_inputs == 1)
        DL4C_TRY(dl4c_normalizer_transform(norm, views[0]));
    DL4C_TRY(dl4c_net_forward(w->net, sig->n_inputs,
                              (const dl4c_tensor *const *)views, false));
    for (int o = 0; o < sig->n_outputs; o++) {
        const dl4c_tensor *y = dl4c_net_output(w->net, o);
        if (norm && sig->n_outputs == 1 && !w->b->classifier)
            DL4C_TRY(dl4c_normalizer_revert_labels(norm, (dl4c_tensor *)y));
        move_rows(jobs, n_jobs, start, n, o, false, dl4c_tensor_data(y),
                  sig->output_sizes[o]);
    }
fail:
    for (int i = 0; i < sig->n_inputs; i++)
        dl4c_tensor_free(views[i]);
    return status;
}

static dl4c_status run_batch(worker *w, dl4c_batch_job *const *jobs, int n_jobs,
                             int64_t rows)
{
    for (int64_t start = 0; start < rows; start += w->b->chunk_cap) {
        int64_t n = rows - start;
        if (n > w->b->chunk_cap)
            n = w->b->chunk_cap;
        DL4C_RETURN_IF(run_chunk(w, jobs, n_jobs, start, n));
    }
    return DL4C_OK;
}

/* Sets up w's net and buffers and runs the warm-up: a full chunk (which
 * plans the arena for the largest batch) and a single row (which packs
 * the weights for the batch-1 path). */
static dl4c_status worker_init(worker *w)
{
    dl4c_status status = DL4C_OK;
    dl4c_batcher *b = w->b;
    float *zeros[DL4C_SERVE_MAX_IO] = {0}, *out[DL4C_SERVE_MAX_IO] = {0};
    DL4C_TRY(dl4c_net_share(b->net, &w->net));
    DL4C_TRY(dl4c_net_prepare_inference(w->net));
    for (int i = 0; i < b->sig.n_inputs; i++) {
        int64_t dims[DL4C_MAX_DIMS + 1];
        dims[0] = b->chunk_cap;
        for (int d = 0; d < b->sig.input_shapes[i].ndim; d++)
            dims[d + 1] = b->sig.input_shapes[i].dim[d];
        DL4C_TRY(dl4c_tensor_create(DL4C_F32, b->sig.input_shapes[i].ndim + 1,
                                    dims, &w->in[i]));
    }
    int64_t warm = b->o.max_batch_size;
    for (int i = 0; i < b->sig.n_inputs; i++)
        if (!(zeros[i] = dl4c_calloc((size_t)(warm * b->sig.input_sizes[i]),
                                     sizeof(float))))
            DL4C_NOMEM_FAIL();
    for (int o = 0; o < b->sig.n_outputs; o++)
        if (!(out[o] = dl4c_calloc((size_t)(warm * b->sig.output_sizes[o]),
                                   sizeof(float))))
            DL4C_NOMEM_FAIL();
    dl4c_batch_job job = {
        .rows = warm, .inputs = (const float *const *)zeros, .outputs = out};
    dl4c_batch_job *jobs[1] = {&job};
    DL4C_TRY(run_batch(w, jobs, 1, warm));
    job.rows = 1;
    DL4C_TRY(run_batch(w, jobs, 1, 1));
fail:
    for (int i = 0; i < DL4C_SERVE_MAX_IO; i++) {
        dl4c_free(zeros[i]);
        dl4c_free(out[i]);
    }
    return status;
}

static void deadline_after(struct timespec *ts, int64_t us)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += (time_t)(us / 1000000);
    ts->tv_nsec += (long)(us % 1000000) * 1000;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Takes queued jobs up to max_batch_size rows (at least one job). Called
 * with the lock held and the queue non-empty. */
static int take_jobs(dl4c_batcher *b, dl4c_batch_job **jobs, int cap,
                     int64_t *rows)
{
    int n = 0;
    *rows = 0;
    while (b->head && n < cap &&
           (n == 0 || *rows + b->head->rows <= b->o.max_batch_size)) {
        dl4c_batch_job *j = b->head;
        b->head = j->next;
        if (!b->head)
            b->tail = NULL;
        b->queued_jobs--;
        b->queued_rows -= j->rows;
        *rows += j->rows;
        jobs[n++] = j;
    }
    return n;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    dl4c_batcher *b = w->b;
    if (b->o.threads_per_worker > 0)
        omp_set_num_threads(b->o.threads_per_worker);
    w->init_status = worker_init(w);
    if (w->init_status != DL4C_OK)
        snprintf(w->init_error, sizeof w->init_error, "%s", dl4c_last_error());
    pthread_mutex_lock(&b->lock);
    b->n_ready++;
    pthread_cond_broadcast(&b->ready);
    if (w->init_status != DL4C_OK) {
        pthread_mutex_unlock(&b->lock);
        return NULL;
    }
    int cap = b->o.max_batch_size < 1024 ? b->o.max_batch_size : 1024;
    dl4c_batch_job **jobs = dl4c_malloc(sizeof *jobs * (size_t)cap);
    for (;;) {
        while (!b->head && !b->stopping)
            pthread_cond_wait(&b->work, &b->lock);
        if (!b->head)
            break; /* stopping with nothing queued */
        if (b->o.batch_timeout_us > 0 && !b->stopping &&
            b->queued_rows < b->o.max_batch_size) {
            struct timespec until;
            deadline_after(&until, b->o.batch_timeout_us);
            while (!b->stopping && b->head &&
                   b->queued_rows < b->o.max_batch_size)
                if (pthread_cond_timedwait(&b->work, &b->lock, &until) != 0)
                    break;
            if (!b->head)
                continue; /* another worker took them */
        }
        int64_t rows = 0;
        dl4c_batch_job *one = NULL;
        int n = jobs ? take_jobs(b, jobs, cap, &rows)
                     : take_jobs(b, &one, 1, &rows);
        dl4c_batch_job *const *taken = jobs ? jobs : &one;
        pthread_mutex_unlock(&b->lock);
        dl4c_status st = run_batch(w, taken, n, rows);
        if (b->o.on_batch)
            b->o.on_batch(b->o.ctx, rows);
        pthread_mutex_lock(&b->lock);
        for (int j = 0; j < n; j++) {
            taken[j]->status = st;
            if (st != DL4C_OK)
                snprintf(taken[j]->error, sizeof taken[j]->error, "%s",
                         dl4c_last_error());
            taken[j]->done = true;
            pthread_cond_signal(&taken[j]->cond);
        }
    }
    pthread_mutex_unlock(&b->lock);
    dl4c_free(jobs);
    return NULL;
}

dl4c_status dl4c_batcher_create(const dl4c_net *net,
                                const dl4c_serve_signature *sig,
                                const dl4c_batcher_options *o,
                                dl4c_batcher **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_batcher *b = NULL;
    *out = NULL;
    DL4C_CHECK(net && sig && o && o->workers >= 1 && o->workers <= 256 &&
                   o->max_batch_size >= 1 && o->max_batch_size <= 65536 &&
                   o->batch_timeout_us >= 0,
               DL4C_INVALID_ARG,
               "batcher: bad options (workers %d, max_batch_size %d)",
               o ? o->workers : 0, o ? o->max_batch_size : 0);
    b = dl4c_calloc(1, sizeof *b);
    if (!b)
        DL4C_NOMEM_FAIL();
    b->net = net;
    b->sig = *sig;
    b->o = *o;
    b->chunk_cap = o->max_batch_size > 256 ? o->max_batch_size : 256;
    b->classifier = dl4c_net_is_classifier(net, 0);
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->work, NULL);
    pthread_cond_init(&b->ready, NULL);
    b->workers = dl4c_calloc((size_t)o->workers, sizeof *b->workers);
    if (!b->workers)
        DL4C_NOMEM_FAIL();
    for (int i = 0; i < o->workers; i++) {
        b->workers[i].b = b;
        if (pthread_create(&b->workers[i].thread, NULL, worker_main,
                           &b->workers[i]) != 0)
            DL4C_FAIL(DL4C_INTERNAL, "batcher: cannot start a worker thread");
        b->workers[i].started = true;
        b->n_workers++;
    }
    pthread_mutex_lock(&b->lock);
    while (b->n_ready < b->n_workers)
        pthread_cond_wait(&b->ready, &b->lock);
    pthread_mutex_unlock(&b->lock);
    for (int i = 0; i < b->n_workers; i++)
        if (b->workers[i].init_status != DL4C_OK)
            DL4C_FAIL(b->workers[i].init_status, "warming up: %s",
                      b->workers[i].init_error);
    *out = b;
    return DL4C_OK;
fail:
    dl4c_batcher_free(b);
    return status;
}

dl4c_status dl4c_batcher_run(dl4c_batcher *b, dl4c_batch_job *job)
{
    job->done = false;
    job->next = NULL;
    job->status = DL4C_OK;
    job->error[0] = '\0';
    if (job->rows <= 0)
        return DL4C_OK;
    pthread_cond_init(&job->cond, NULL);
    pthread_mutex_lock(&b->lock);
    if (b->stopping) {
        pthread_mutex_unlock(&b->lock);
        pthread_cond_destroy(&job->cond);
        job->status = dl4c_error_set(DL4C_STATE, "the model is unloading");
        snprintf(job->error, sizeof job->error, "%s", dl4c_last_error());
        return job->status;
    }
    if (b->tail)
        b->tail->next = job;
    else
        b->head = job;
    b->tail = job;
    b->queued_jobs++;
    b->queued_rows += job->rows;
    pthread_cond_signal(&b->work);
    while (!job->done)
        pthread_cond_wait(&job->cond, &b->lock);
    pthread_mutex_unlock(&b->lock);
    pthread_cond_destroy(&job->cond);
    if (job->status != DL4C_OK)
        dl4c_error_set(job->status, "%s", job->error);
    return job->status;
}

int64_t dl4c_batcher_queue_depth(dl4c_batcher *b)
{
    pthread_mutex_lock(&b->lock);
    int64_t n = b->queued_jobs;
    pthread_mutex_unlock(&b->lock);
    return n;
}

void dl4c_batcher_free(dl4c_batcher *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->lock);
    b->stopping = true;
    pthread_cond_broadcast(&b->work);
    pthread_mutex_unlock(&b->lock);
    for (int i = 0; i < b->n_workers; i++)
        if (b->workers[i].started)
            pthread_join(b->workers[i].thread, NULL);
    for (int i = 0; b->workers && i < b->n_workers; i++) {
        for (int k = 0; k < DL4C_SERVE_MAX_IO; k++)
            dl4c_tensor_free(b->workers[i].in[k]);
        dl4c_net_free(b->workers[i].net);
    }
    dl4c_free(b->workers);
    pthread_cond_destroy(&b->work);
    pthread_cond_destroy(&b->ready);
    pthread_mutex_destroy(&b->lock);
    dl4c_free(b);
}
