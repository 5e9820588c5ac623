/* Inside the model server: the server object and its model registry,
 * shared by server.c (the public calls), registry.c (versions, lookups,
 * reference counts), reload.c (the thread that loads and swaps versions),
 * router.c (endpoints) and config.c (models.json).
 *
 * Locking: server->lock guards every model's version slots and store
 * labels, each servable's reference count and the retired list. Requests
 * hold it only to find a servable and take a reference; loading, running
 * and freeing happen outside it. */
#ifndef DL4C_SERVE_INTERNAL_H
#define DL4C_SERVE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "dl4c/serve.h"
#include "dl4c/store.h"
#include "serve/batcher_internal.h"
#include "serve/http_internal.h"
#include "serve/metrics_internal.h"
#include "serve/predlog_internal.h"
#include "serve/request_internal.h"

typedef enum dl4c_source_kind {
    DL4C_SOURCE_STORE = 0,
    DL4C_SOURCE_DIR,
    DL4C_SOURCE_FILE,
    DL4C_SOURCE_COUNT
} dl4c_source_kind;

typedef enum dl4c_version_state {
    DL4C_VS_LOADING = 0,
    DL4C_VS_AVAILABLE,
    DL4C_VS_FAILED,
    DL4C_VS_COUNT
} dl4c_version_state;

/* A loaded version: its net, signature and batcher. */
typedef struct dl4c_servable {
    const char *model_name; /* the served model's name (lives longer) */
    int64_t version;
    dl4c_net *net;
    dl4c_serve_signature sig;
    bool classifier;
    dl4c_batcher *batcher;
    dl4c_metrics *metrics;
    int refs;     /* requests using it (under server->lock) */
    bool retired; /* no longer routable; freed when refs reaches 0 */
} dl4c_servable;

/* What the registry knows of one version of a model. */
typedef struct dl4c_version_slot {
    int64_t version;
    dl4c_version_state state;
    dl4c_servable *servable; /* AVAILABLE */
    char *error;             /* FAILED: why */
    char *path;              /* the model file */
    int64_t stamp;           /* FAILED: the file's mtime and size, so it
                                is retried once the file changes */
} dl4c_version_slot;

typedef struct dl4c_label {
    char *name;
    int64_t version;
} dl4c_label;

typedef struct dl4c_served_model {
    char *name;
    dl4c_source_kind kind;
    char *source; /* store name, folder or file */
    int64_t file_version;
    dl4c_version_policy policy;
    int latest;
    int64_t *versions;
    int n_versions;
    bool ignore_labels;
    dl4c_label *config_labels;
    int n_config_labels;
    char *token;
    dl4c_batcher_options batching;
    double log_rate;
    char *list_error; /* the reload thread's last listing error, logged
                         once until it changes */
    /* under server->lock: */
    dl4c_label *store_labels;
    int n_store_labels;
    dl4c_version_slot *slots; /* newest first */
    int n_slots;
} dl4c_served_model;

struct dl4c_server {
    dl4c_serve_options o; /* strings point at the copies below */
    char *host, *tls_cert, *tls_key, *tls_client_ca, *store_home;
    dl4c_served_model *models;
    int n_models;
    pthread_mutex_t lock;
    dl4c_servable **retired;
    int n_retired;
    dl4c_metrics *metrics;
    dl4c_http *http;
    dl4c_predlog *predlog;
    pthread_t poller;
    bool poller_started;
    pthread_mutex_t poll_lock;
    pthread_cond_t poll_wake;
    bool stopping;          /* under poll_lock */
    dl4c_store *poll_store; /* the poller's own handle */
    char *pem[3]; /* certificate, key, client CA: kept while serving */
    atomic_uint_fast64_t sample_counter;
    atomic_bool draining;
    bool started, shut_down;
};

/* Writes one log line through o.log (or stderr). Thread-safe. */
void dl4c_server_log(dl4c_server *s, const char *fmt, ...) DL4C_PRINTF(2, 3);

/* ---- registry.c ---------------------------------------------------------- */

/* A routable servable for a request, with a reference taken: `version`
 * (0: the newest available) or `label` (NULL: none). On failure *out is
 * NULL, *http gets 404 or 503 and the thread's message says why. */
dl4c_status dl4c_registry_acquire(dl4c_server *s, const char *name,
                                  int64_t version, const char *label,
                                  dl4c_served_model **model,
                                  dl4c_servable **out, int *http);
void dl4c_registry_release(dl4c_server *s, dl4c_servable *sv);

/* Status JSON of a model's versions (or the one named); *http 200 or
 * 404. */
char *dl4c_registry_status(dl4c_server *s, const char *name, int64_t version,
                           const char *label, int *http, size_t *len);

/* Loads `path` as version `version` of m: net, signature, batcher and
 * warm-up. */
dl4c_status dl4c_servable_create(dl4c_server *s, dl4c_served_model *m,
                                 int64_t version, const char *path,
                                 dl4c_servable **out);
void dl4c_servable_free(dl4c_servable *sv);

/* Queue depth and current version gauges. */
void dl4c_registry_write_gauges(dl4c_server *s, dl4c_text *t);

/* True when every model has an available version. */
bool dl4c_registry_ready(dl4c_server *s);

/* The served model called name, or NULL. */
dl4c_served_model *dl4c_registry_find(dl4c_server *s, const char *name);

/* ---- reload.c ------------------------------------------------------------ */

/* Starts / stops the thread that loads, swaps and frees versions. */
dl4c_status dl4c_reload_start(dl4c_server *s);
void dl4c_reload_stop(dl4c_server *s);

/* ---- router.c ------------------------------------------------------------ */

/* Answers one request (http_internal.h's handler). */
void dl4c_serve_route(void *server, const dl4c_http_request *req,
                      dl4c_http_response *resp);

/* ---- config.c ------------------------------------------------------------ */

void dl4c_served_model_deinit(dl4c_served_model *m);

#endif
