/* The model server: an HTTP server speaking the TensorFlow Serving REST API
 * (status, metadata, :predict, :classify, :regress), with dynamic batching,
 * several versions per model, hot reload from the model store or a
 * TensorFlow-Serving-style folder of numbered versions, Prometheus
 * metrics, health endpoints, TLS with optional client certificates,
 * bearer tokens per model and a sampled prediction log.
 *
 *   dl4c_serve_options o = dl4c_serve_options_default();
 *   o.port = 8501;
 *   dl4c_server *srv = NULL;
 *   dl4c_serve_model m = {.name = "iris", .store_name = "iris"};
 *   if (dl4c_server_create(&o, &srv) != DL4C_OK ||
 *       dl4c_server_add_model(srv, &m) != DL4C_OK ||
 *       dl4c_server_start(srv) != DL4C_OK)
 *       fprintf(stderr, "%s\n", dl4c_last_error());
 *   ...                                 // serve until asked to stop
 *   dl4c_server_shutdown(srv, 30);      // finish requests in flight
 *   dl4c_server_free(srv);
 *
 * Endpoints (docs/serving.md has the request and response bodies):
 *   GET  /v1/models/NAME[/versions/V|/labels/L]            status
 *   GET  /v1/models/NAME[/versions/V|/labels/L]/metadata   signature
 *   POST /v1/models/NAME[/versions/V|/labels/L]:predict    (and :classify,
 *                                                           :regress)
 *   GET  /v2/health/live, /v2/health/ready, /metrics
 * Errors are {"error": "..."}: 400 for a bad body or a shape mismatch,
 * 401 for a missing or wrong bearer token, 404 for an unknown model,
 * version or label, 413 for a body over the limit, 503 while a model is
 * loading or the server is stopping.
 *
 * Models load in the background after start: a version is loaded, each
 * of its workers warmed up, and only then made available. A new version
 * (registered in the store, or a new numbered folder) is loaded beside
 * the old one and swapped in; requests already running finish on the old
 * version, which is freed when the last one is done.
 */
#ifndef DL4C_SERVE_H
#define DL4C_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dl4c/net.h"
#include "dl4c/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dl4c_server dl4c_server;

/* Loads a model file into a new net (dl4c_model_load when NULL): the CLI
 * passes its own loader, which knows every format the command reads. */
typedef dl4c_status (*dl4c_model_loader)(const char *path, dl4c_net **out,
                                         void *ctx);

typedef struct dl4c_serve_options {
    const char *host;       /* address to bind ("0.0.0.0"; "127.0.0.1") */
    int port;               /* 0: any free port (see dl4c_server_port) */
    int max_connections;    /* open connections at once (256) */
    size_t max_body_bytes;  /* larger bodies get 413 (16 MiB) */
    int max_json_depth;     /* deeper nesting gets 400 (32) */
    int64_t max_rows;       /* examples per request (65536) */
    int connection_timeout; /* seconds an idle connection is kept (60) */
    /* batching defaults for every model (each model may override) */
    int max_batch_size;           /* 32; 1 turns batching off */
    int64_t batch_timeout_micros; /* 0: run what is queued at once */
    int workers;                  /* worker threads per version (1) */
    int threads_per_worker;       /* OpenMP threads per worker (0: all) */
    /* TLS: PEM files; with tls_client_ca, clients must present a
     * certificate signed by it or the handshake fails */
    const char *tls_cert, *tls_key, *tls_client_ca;
    const char *store_home; /* the store for store models and the
                               prediction log (NULL: $DL4C_HOME) */
    double poll_seconds;    /* how often sources are checked for new
                               versions (1; 0: load once, never reload) */
    double log_sample_rate; /* fraction of predict requests logged to the
                               store (0: none) */
    dl4c_model_loader loader;
    void *loader_ctx;
    /* called from the server's threads for each line worth logging
     * (loads, swaps, failures); NULL: stderr */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
} dl4c_serve_options;

/* The defaults above. */
DL4C_API dl4c_serve_options dl4c_serve_options_default(void);

typedef enum dl4c_version_policy {
    DL4C_POLICY_LATEST = 0, /* the newest `latest` versions (default 1) */
    DL4C_POLICY_SPECIFIC,   /* the versions listed in `versions` */
    DL4C_POLICY_ALL,        /* every version */
    DL4C_POLICY_LABELS,     /* only the versions labels point at */
    DL4C_POLICY_COUNT
} dl4c_version_policy;

/* One served model. Exactly one source: store_name (versions from the
 * model store, labels too), base_path (a folder of numbered version
 * folders, each holding one model file) or path (one model file, served
 * as `version`, default 1). Strings and arrays are copied. Zero means
 * "the server's" for max_batch_size and workers; batch_timeout_micros and
 * log_sample_rate take the server's only when negative (0 is a value:
 * no wait, no logging). */
typedef struct dl4c_serve_model {
    const char *name; /* the NAME in URLs */
    const char *store_name;
    const char *base_path;
    const char *path;
    int64_t version;
    dl4c_version_policy policy;
    int latest;              /* for LATEST: how many (0: 1) */
    const int64_t *versions; /* for SPECIFIC */
    int n_versions;
    bool ignore_labels; /* serve only what the policy picks; by
                           default labelled versions are served too (not
                           with DL4C_POLICY_LABELS) */
    int n_labels;       /* labels for URLs, besides the store's */
    const char *const *label_names;
    const int64_t *label_versions;
    const char *auth_token;       /* "Authorization: Bearer <token>" required */
    int max_batch_size;           /* 0: the server's */
    int64_t batch_timeout_micros; /* < 0: the server's */
    int workers;                  /* 0: the server's */
    double log_sample_rate;       /* < 0: the server's */
} dl4c_serve_model;

/* A stopped server with options `o` (copied; NULL for the defaults).
 * DL4C_INVALID_ARG for a bad option, naming it. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_server_create(const dl4c_serve_options *o, dl4c_server **out);

/* Adds a model to serve (before start). DL4C_INVALID_ARG for a bad name,
 * a duplicate name, no source or several sources, a bad policy. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_server_add_model(dl4c_server *s, const dl4c_serve_model *m);

/* Adds the models of a JSON config file (docs/serving.md):
 *   {"models": [{"name": "iris", "store": "iris",
 *                "model_version_policy": {"latest": {"num_versions": 2}},
 *                "version_labels": {"stable": 1},
 *                "auth_token": "...", "batching": {"max_batch_size": 32,
 *                "batch_timeout_micros": 500, "workers": 1},
 *                "log_sample_rate": 0.1},
 *               {"name": "mnist", "base_path": "models/mnist"}]}
 * TensorFlow Serving's {"model_config_list": {"config": [...]}} works too.
 * Relative paths are taken from the config file's folder. Unknown keys
 * are errors naming the key. DL4C_IO, DL4C_FORMAT, DL4C_INVALID_ARG. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_server_load_config(dl4c_server *s,
                                                            const char *path);

/* Binds the port and starts serving; models load in the background.
 * DL4C_IO when the port cannot be bound or a TLS file cannot be read,
 * DL4C_INVALID_ARG when no model was added. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_server_start(dl4c_server *s);

/* The bound port (after start). */
DL4C_API int dl4c_server_port(const dl4c_server *s);

/* True once every model has a version available. */
DL4C_API bool dl4c_server_ready(dl4c_server *s);

/* Answers one request in-process, as the HTTP front would: method "GET"
 * or "POST", path such as "/v1/models/iris:predict", the Authorization
 * header (or NULL) and the body. *status gets the HTTP status and *body a
 * new JSON (or Prometheus text) string, freed with dl4c_free. Thread-safe
 * once started. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_server_handle(dl4c_server *s, const char *method, const char *path,
                   const char *authorization, const char *body, size_t len,
                   int *status, char **response);

/* Stops gracefully: no new connections are accepted, requests in flight
 * finish (up to drain_seconds), then the HTTP threads stop. Safe to call
 * once from any thread. */
DL4C_API void dl4c_server_shutdown(dl4c_server *s, double drain_seconds);

/* Shuts down (if needed) and frees everything. NULL is a no-op. */
DL4C_API void dl4c_server_free(dl4c_server *s);

#ifdef __cplusplus
}
#endif
#endif
