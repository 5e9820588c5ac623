/* The dynamic batcher of one served model version: requests wait in a
 * queue; worker threads, each running its own dl4c_net_share of the
 * version's net (read-only weights, private arena), take as many queued
 * requests as fit in max_batch_size rows, run them as one batch and hand
 * every caller its own rows back. A worker that finds fewer rows queued
 * than max_batch_size waits up to batch_timeout_us for more; with a
 * timeout of 0 it runs what is there at once, so batches grow only while
 * the workers are busy. The net's normalizer is applied to single-input
 * nets and reverted on regression outputs, as the CLI does. */
#ifndef DL4C_BATCHER_INTERNAL_H
#define DL4C_BATCHER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "dl4c/net.h"
#include "serve/request_internal.h"

typedef struct dl4c_batcher_options {
    int workers;              /* worker threads (>= 1) */
    int max_batch_size;       /* rows per batch (1: no batching) */
    int64_t batch_timeout_us; /* wait for a fuller batch (0: never) */
    int threads_per_worker;   /* OpenMP threads of each worker, 0: default */
    /* called by a worker after each batch (may be NULL) */
    void (*on_batch)(void *ctx, int64_t rows);
    void *ctx;
} dl4c_batcher_options;

/* One caller's rows. inputs[i] is [rows, sig input size], outputs[o] is
 * [rows, sig output size] (the caller's memory, filled by a worker). */
typedef struct dl4c_batch_job {
    int64_t rows;
    const float *const *inputs;
    float *const *outputs;
    dl4c_status status; /* after dl4c_batcher_run */
    char error[256];    /* the worker's message when status != DL4C_OK */
    /* the batcher's: */
    bool done;
    pthread_cond_t cond;
    struct dl4c_batch_job *next;
} dl4c_batch_job;

typedef struct dl4c_batcher dl4c_batcher;

/* Starts o->workers workers on `net` (which must outlive the batcher and
 * not train meanwhile); each runs a warm-up batch of zeros before this
 * returns, so the first request pays no planning cost. */
dl4c_status dl4c_batcher_create(const dl4c_net *net,
                                const dl4c_serve_signature *sig,
                                const dl4c_batcher_options *o,
                                dl4c_batcher **out);
/* Queues the job and waits until a worker has run it; returns (and sets)
 * job->status. DL4C_STATE after the batcher began stopping. */
dl4c_status dl4c_batcher_run(dl4c_batcher *b, dl4c_batch_job *job);
/* Requests waiting for a worker. */
int64_t dl4c_batcher_queue_depth(dl4c_batcher *b);
/* Runs what is queued, stops the workers and frees everything. */
void dl4c_batcher_free(dl4c_batcher *b);

#endif
