/* The prediction log writer (predlog_internal.h): a queue of copied rows
 * and one thread that writes whatever has gathered every quarter second,
 * through its own store handle. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "dl4c/model_store.h"
#include "serve/predlog_internal.h"

#define MAX_QUEUED_ROWS 100000

typedef struct entry {
    struct entry *next;
    char name[129];
    int64_t version, rows, in_width, out_width;
    float *in, *out;
} entry;

struct dl4c_predlog {
    dl4c_store *store;
    dl4c_metrics *metrics;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    entry *head, *tail;
    int64_t queued_rows;
    bool stopping;
    bool warned;
};

static void entry_free(entry *e)
{
    if (!e)
        return;
    dl4c_free(e->in);
    dl4c_free(e->out);
    dl4c_free(e);
}

static void write_all(dl4c_predlog *l, entry *e)
{
    while (e) {
        entry *next = e->next;
        dl4c_status st = dl4c_model_store_log_predictions(
            l->store, e->name, e->version, e->rows, e->in_width, e->in,
            e->out_width, e->out);
        dl4c_metrics_logged(l->metrics, e->rows, st != DL4C_OK);
        if (st != DL4C_OK && !l->warned) {
            fprintf(stderr, "dl4c serve: prediction log: %s\n",
                    dl4c_last_error());
            l->warned = true;
        }
        entry_free(e);
        e = next;
    }
}

static void *writer_main(void *arg)
{
    dl4c_predlog *l = arg;
    pthread_mutex_lock(&l->lock);
    for (;;) {
        while (!l->head && !l->stopping)
            pthread_cond_wait(&l->wake, &l->lock);
        if (!l->head && l->stopping)
            break;
        if (!l->stopping) { /* let a few more gather */
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 250000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&l->wake, &l->lock, &until);
        }
        entry *batch = l->head;
        l->head = l->tail = NULL;
        l->queued_rows = 0;
        pthread_mutex_unlock(&l->lock);
        write_all(l, batch);
        pthread_mutex_lock(&l->lock);
    }
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

dl4c_status dl4c_predlog_create(const char *home, dl4c_metrics *metrics,
                                dl4c_predlog **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_predlog *l = dl4c_calloc(1, sizeof *l);
    *out = NULL;
    if (!l)
        DL4C_NOMEM_FAIL();
    l->metrics = metrics;
    DL4C_TRY(dl4c_store_open(home, &l->store));
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->wake, NULL);
    if (pthread_create(&l->thread, NULL, writer_main, l) != 0) {
        pthread_mutex_destroy(&l->lock);
        pthread_cond_destroy(&l->wake);
        DL4C_FAIL(DL4C_INTERNAL, "cannot start the prediction log thread");
    }
    *out = l;
    return DL4C_OK;
fail:
    if (l)
        dl4c_store_close(l->store);
    dl4c_free(l);
    return status;
}

void dl4c_predlog_push(dl4c_predlog *l, const char *name, int64_t version,
                       int64_t rows, int64_t in_width, const float *in,
                       int64_t out_width, const float *out)
{
    if (!l || rows <= 0)
        return;
    entry *e = dl4c_calloc(1, sizeof *e);
    if (e) {
        snprintf(e->name, sizeof e->name, "%s", name);
        e->version = version;
        e->rows = rows;
        e->in_width = in_width;
        e->out_width = out ? out_width : 0;
        e->in = dl4c_malloc(sizeof(float) * (size_t)(rows * in_width));
        if (e->out_width)
            e->out = dl4c_malloc(sizeof(float) * (size_t)(rows * out_width));
        if (!e->in || (e->out_width && !e->out)) {
            entry_free(e);
            e = NULL;
        } else {
            memcpy(e->in, in, sizeof(float) * (size_t)(rows * in_width));
            if (e->out_width)
                memcpy(e->out, out, sizeof(float) * (size_t)(rows * out_width));
        }
    }
    pthread_mutex_lock(&l->lock);
    if (!e || l->stopping || l->queued_rows + rows > MAX_QUEUED_ROWS) {
        pthread_mutex_unlock(&l->lock);
        entry_free(e);
        dl4c_metrics_logged(l->metrics, rows, true);
        return;
    }
    if (l->tail)
        l->tail->next = e;
    else
        l->head = e;
    l->tail = e;
    l->queued_rows += rows;
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&l->lock);
}

void dl4c_predlog_free(dl4c_predlog *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->lock);
    l->stopping = true;
    pthread_cond_broadcast(&l->wake);
    pthread_mutex_unlock(&l->lock);
    pthread_join(l->thread, NULL);
    write_all(l, l->head);
    dl4c_store_close(l->store);
    pthread_cond_destroy(&l->wake);
    pthread_mutex_destroy(&l->lock);
    dl4c_free(l);
}
