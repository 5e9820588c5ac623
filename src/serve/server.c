/* The public server calls (serve.h): options, models, start, in-process
 * requests and the graceful stop: stop accepting, let requests in flight
 * finish (clients are asked to close their connections), then stop the
 * HTTP threads, the reload thread and the prediction log. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc_internal.h"
#include "core/clock_internal.h"
#include "core/error_internal.h"
#include "serve/response_internal.h"
#include "serve/serve_internal.h"
#include "serve/tls_internal.h"
#include "store/model_store_internal.h"

dl4c_serve_options dl4c_serve_options_default(void)
{
    return (dl4c_serve_options){
        .host = "0.0.0.0",
        .port = 8501,
        .max_connections = 256,
        .max_body_bytes = 16u << 20,
        .max_json_depth = 32,
        .max_rows = 65536,
        .connection_timeout = 60,
        .max_batch_size = 32,
        .batch_timeout_micros = 0,
        .workers = 1,
        .threads_per_worker = 0,
        .poll_seconds = 1,
        .log_sample_rate = 0,
    };
}

void dl4c_server_log(dl4c_server *s, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (s->o.log)
        s->o.log(s->o.log_ctx, line);
    else
        fprintf(stderr, "dl4c serve: %s\n", line);
}

static void http_log(void *ctx, const char *line)
{
    dl4c_server_log(ctx, "http: %s", line);
}

static dl4c_status check_options(const dl4c_serve_options *o)
{
#define OPT_CHECK(cond, ...)                                                   \
    do {                                                                       \
        if (!(cond))                                                           \
            return dl4c_error_set(DL4C_INVALID_ARG, __VA_ARGS__);              \
    } while (0)
    OPT_CHECK(o->port >= 0 && o->port <= 65535, "port %d is not 0..65535",
              o->port);
    OPT_CHECK(o->max_connections >= 1 && o->max_connections <= 100000,
              "max_connections %d is not 1..100000", o->max_connections);
    OPT_CHECK(o->max_body_bytes >= 64, "max_body_bytes %zu is below 64",
              o->max_body_bytes);
    OPT_CHECK(o->max_json_depth >= 2 && o->max_json_depth <= 1000,
              "max_json_depth %d is not 2..1000", o->max_json_depth);
    OPT_CHECK(o->max_rows >= 1, "max_rows must be at least 1");
    OPT_CHECK(o->connection_timeout >= 0,
              "connection_timeout must not be negative");
    OPT_CHECK(o->max_batch_size >= 1 && o->max_batch_size <= 65536,
              "max_batch_size %d is not 1..65536", o->max_batch_size);
    OPT_CHECK(o->batch_timeout_micros >= 0 &&
                  o->batch_timeout_micros <= 10000000,
              "batch_timeout_micros %lld is not 0..10000000",
              (long long)o->batch_timeout_micros);
    OPT_CHECK(o->workers >= 1 && o->workers <= 256, "workers %d is not 1..256",
              o->workers);
    OPT_CHECK(o->threads_per_worker >= 0 && o->threads_per_worker <= 1024,
              "threads_per_worker %d is not 0..1024", o->threads_per_worker);
    OPT_CHECK(o->poll_seconds >= 0 && o->poll_seconds <= 86400,
              "poll_seconds %g is not 0..86400", o->poll_seconds);
    OPT_CHECK(o->log_sample_rate >= 0 && o->log_sample_rate <= 1,
              "log_sample_rate %g is not 0..1", o->log_sample_rate);
    OPT_CHECK(!o->tls_key == !o->tls_cert,
              "TLS needs both a certificate and its key");
    OPT_CHECK(!o->tls_client_ca || o->tls_cert,
              "a client CA needs TLS (a certificate and key)");
#undef OPT_CHECK
    return DL4C_OK;
}

static bool copy_str(const char *src, char **dst)
{
    *dst = NULL;
    return !src || (*dst = dl4c_strdup(src)) != NULL;
}

dl4c_status dl4c_server_create(const dl4c_serve_options *o, dl4c_server **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_server *s = NULL;
    dl4c_serve_options def = dl4c_serve_options_default();
    DL4C_CHECK(out, DL4C_INVALID_ARG, "server: NULL output");
    *out = NULL;
    if (!o)
        o = &def;
    DL4C_TRY(check_options(o));
    s = dl4c_calloc(1, sizeof *s);
    if (!s)
        DL4C_NOMEM_FAIL();
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->poll_lock, NULL);
    pthread_cond_init(&s->poll_wake, NULL);
    s->o = *o;
    if (!copy_str(o->host, &s->host) || !copy_str(o->tls_cert, &s->tls_cert) ||
        !copy_str(o->tls_key, &s->tls_key) ||
        !copy_str(o->tls_client_ca, &s->tls_client_ca) ||
        !copy_str(o->store_home, &s->store_home))
        DL4C_NOMEM_FAIL();
    s->o.host = s->host;
    s->o.tls_cert = s->tls_cert;
    s->o.tls_key = s->tls_key;
    s->o.tls_client_ca = s->tls_client_ca;
    s->o.store_home = s->store_home;
    DL4C_TRY(dl4c_metrics_create(&s->metrics));
    *out = s;
    return DL4C_OK;
fail:
    dl4c_server_free(s);
    return status;
}

static dl4c_status check_model(const dl4c_server *s, const dl4c_serve_model *m)
{
#define MODEL_CHECK(cond, ...)                                                 \
    do {                                                                       \
        if (!(cond))                                                           \
            return dl4c_error_set(DL4C_INVALID_ARG, __VA_ARGS__);              \
    } while (0)
    MODEL_CHECK(m->name && dl4c_model_name_valid(m->name, false),
                "'%s' is not a model name: 1 to 128 letters, digits, '_', "
                "'.' or '-', starting with a letter or digit",
                m->name ? m->name : "(null)");
    for (int i = 0; i < s->n_models; i++)
        MODEL_CHECK(strcmp(s->models[i].name, m->name) != 0,
                    "model '%s' is configured twice", m->name);
    int sources = !!m->store_name + !!m->base_path + !!m->path;
    MODEL_CHECK(sources == 1,
                "model '%s': give exactly one of a store name, a base path "
                "(numbered version folders) and a file path",
                m->name);
    MODEL_CHECK(!m->store_name || dl4c_model_name_valid(m->store_name, false),
                "model '%s': '%s' is not a store model name", m->name,
                m->store_name);
    MODEL_CHECK(m->policy >= 0 && m->policy < DL4C_POLICY_COUNT,
                "model '%s': unknown version policy", m->name);
    MODEL_CHECK(m->latest >= 0, "model '%s': latest must not be negative",
                m->name);
    MODEL_CHECK(m->policy != DL4C_POLICY_LABELS || !m->ignore_labels,
                "model '%s': the labels policy cannot ignore labels", m->name);
    MODEL_CHECK(m->policy != DL4C_POLICY_SPECIFIC ||
                    (m->n_versions > 0 && m->versions),
                "model '%s': the specific policy needs versions", m->name);
    for (int i = 0; i < m->n_versions; i++)
        MODEL_CHECK(m->versions[i] > 0, "model '%s': version %lld is not >= 1",
                    m->name, (long long)m->versions[i]);
    MODEL_CHECK(m->version >= 0, "model '%s': version must be >= 1", m->name);
    for (int i = 0; i < m->n_labels; i++) {
        MODEL_CHECK(dl4c_model_name_valid(m->label_names[i], true),
                    "model '%s': '%s' is not a label (letters, digits, '_', "
                    "'.', '-', starting with a letter)",
                    m->name, m->label_names[i]);
        MODEL_CHECK(m->label_versions[i] > 0,
                    "model '%s': label '%s' needs a version >= 1", m->name,
                    m->label_names[i]);
    }
    MODEL_CHECK(!m->auth_token ||
                    (m->auth_token[0] && strcspn(m->auth_token, " \t\r\n") ==
                                             strlen(m->auth_token)),
                "model '%s': the auth token must be non-empty without spaces",
                m->name);
    MODEL_CHECK(m->max_batch_size >= 0 && m->max_batch_size <= 65536,
                "model '%s': max_batch_size must be 1..65536", m->name);
    MODEL_CHECK(m->batch_timeout_micros <= 10000000,
                "model '%s': batch_timeout_micros must be 0..10000000",
                m->name);
    MODEL_CHECK(m->workers >= 0 && m->workers <= 256,
                "model '%s': workers must be 1..256", m->name);
    MODEL_CHECK(m->log_sample_rate <= 1,
                "model '%s': log_sample_rate must be 0..1", m->name);
#undef MODEL_CHECK
    return DL4C_OK;
}

dl4c_status dl4c_server_add_model(dl4c_server *s, const dl4c_serve_model *m)
{
    dl4c_status status = DL4C_OK;
    DL4C_CHECK(s && m, DL4C_INVALID_ARG, "server: NULL argument");
    DL4C_CHECK(!s->started, DL4C_STATE,
               "models are added before the server starts");
    DL4C_TRY(check_model(s, m));
    dl4c_served_model *more =
        dl4c_realloc(s->models, sizeof *more * (size_t)(s->n_models + 1));
    if (!more)
        DL4C_NOMEM_FAIL();
    s->models = more;
    dl4c_served_model *d = &s->models[s->n_models];
    memset(d, 0, sizeof *d);
    d->kind = m->store_name  ? DL4C_SOURCE_STORE
              : m->base_path ? DL4C_SOURCE_DIR
                             : DL4C_SOURCE_FILE;
    d->file_version = m->version > 0 ? m->version : 1;
    d->policy = m->policy;
    d->latest = m->latest;
    d->ignore_labels = m->ignore_labels;
    d->batching = (dl4c_batcher_options){
        .workers = m->workers ? m->workers : s->o.workers,
        .max_batch_size =
            m->max_batch_size ? m->max_batch_size : s->o.max_batch_size,
        .batch_timeout_us = m->batch_timeout_micros >= 0
                                ? m->batch_timeout_micros
                                : s->o.batch_timeout_micros,
        .threads_per_worker = s->o.threads_per_worker,
    };
    d->log_rate =
        m->log_sample_rate >= 0 ? m->log_sample_rate : s->o.log_sample_rate;
    const char *src = m->store_name  ? m->store_name
                      : m->base_path ? m->base_path
                                     : m->path;
    bool ok = copy_str(m->name, &d->name) && copy_str(src, &d->source) &&
              copy_str(m->auth_token, &d->token);
    if (ok && m->n_versions) {
        d->versions = dl4c_malloc(sizeof *d->versions * (size_t)m->n_versions);
        ok = d->versions != NULL;
        if (ok) {
            memcpy(d->versions, m->versions,
                   sizeof *d->versions * (size_t)m->n_versions);
            d->n_versions = m->n_versions;
        }
    }
    if (ok && m->n_labels) {
        d->config_labels =
            dl4c_calloc((size_t)m->n_labels, sizeof *d->config_labels);
        ok = d->config_labels != NULL;
        for (int i = 0; ok && i < m->n_labels; i++) {
            ok = copy_str(m->label_names[i], &d->config_labels[i].name);
            d->config_labels[i].version = m->label_versions[i];
            d->n_config_labels += ok;
        }
    }
    if (!ok) {
        dl4c_served_model_deinit(d);
        DL4C_NOMEM_FAIL();
    }
    s->n_models++;
fail:
    return status;
}

dl4c_status dl4c_server_start(dl4c_server *s)
{
    dl4c_status status = DL4C_OK;
    char *cert = NULL, *key = NULL, *ca = NULL;
    DL4C_CHECK(s, DL4C_INVALID_ARG, "server: NULL server");
    DL4C_CHECK(!s->started, DL4C_STATE, "the server was already started");
    DL4C_CHECK(s->n_models > 0, DL4C_INVALID_ARG, "no model to serve");
    if (s->o.tls_cert) {
        DL4C_TRY(dl4c_tls_read_pem(s->o.tls_cert, "TLS certificate", &cert));
        DL4C_TRY(dl4c_tls_read_pem(s->o.tls_key, "TLS key", &key));
    }
    if (s->o.tls_client_ca)
        DL4C_TRY(dl4c_tls_read_pem(s->o.tls_client_ca, "client CA", &ca));
    bool logging = false;
    for (int i = 0; i < s->n_models; i++)
        logging |= s->models[i].log_rate > 0;
    if (logging)
        DL4C_TRY(dl4c_predlog_create(s->store_home, s->metrics, &s->predlog));
    s->started = true;
    dl4c_http_options ho = {
        .host = s->o.host,
        .port = s->o.port,
        .max_connections = s->o.max_connections,
        .max_body_bytes = s->o.max_body_bytes,
        .connection_timeout = s->o.connection_timeout,
        .cert_pem = cert,
        .key_pem = key,
        .client_ca_pem = ca,
        .handler = dl4c_serve_route,
        .ctx = s,
        .log = http_log,
    };
    DL4C_TRY(dl4c_http_start(&ho, &s->http));
    DL4C_TRY(dl4c_reload_start(s));
fail:
    /* microhttpd copies nothing: the PEM text must outlive the daemon,
     * so it is kept until free (see dl4c_server_free) */
    if (status != DL4C_OK) {
        dl4c_free(cert);
        dl4c_free(key);
        dl4c_free(ca);
        dl4c_http_stop(s ? s->http : NULL);
        if (s) {
            s->http = NULL;
            dl4c_predlog_free(s->predlog);
            s->predlog = NULL;
        }
        return status;
    }
    s->pem[0] = cert;
    s->pem[1] = key;
    s->pem[2] = ca;
    return DL4C_OK;
}

int dl4c_server_port(const dl4c_server *s)
{
    return s && s->http ? dl4c_http_port(s->http) : 0;
}

bool dl4c_server_ready(dl4c_server *s)
{
    return s && s->started && dl4c_registry_ready(s);
}

dl4c_status dl4c_server_handle(dl4c_server *s, const char *method,
                               const char *path, const char *authorization,
                               const char *body, size_t len, int *status,
                               char **response)
{
    if (!s || !method || !path || !status || !response || (len && !body))
        return dl4c_error_set(DL4C_INVALID_ARG, "server: NULL argument");
    *response = NULL;
    *status = 0;
    if (!s->started)
        return dl4c_error_set(DL4C_STATE, "the server is not started");
    dl4c_http_request req = {.method = method,
                             .path = path,
                             .authorization = authorization,
                             .body = body ? body : "",
                             .body_len = len,
                             .too_large = len > s->o.max_body_bytes};
    dl4c_http_response resp = {0};
    dl4c_serve_route(s, &req, &resp);
    if (!resp.body)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    *status = resp.status;
    *response = resp.body;
    return DL4C_OK;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void dl4c_server_shutdown(dl4c_server *s, double drain_seconds)
{
    if (!s || !s->started || s->shut_down)
        return;
    s->shut_down = true;
    atomic_store(&s->draining, true);
    if (s->http) {
        dl4c_http_quiesce(s->http);
        /* wait for requests in flight; once none has run for a moment,
         * idle keep-alive connections are closed */
        double deadline = dl4c_now() + drain_seconds, quiet = -1;
        while (dl4c_now() < deadline) {
            int64_t busy = dl4c_http_in_flight(s->http);
            if (busy == 0 && dl4c_http_connections(s->http) == 0)
                break;
            if (busy == 0) {
                if (quiet < 0)
                    quiet = dl4c_now();
                else if (dl4c_now() - quiet >= 0.25)
                    break;
            } else {
                quiet = -1;
            }
            sleep_ms(5);
        }
        dl4c_http_stop(s->http);
        s->http = NULL;
    }
    dl4c_reload_stop(s);
    dl4c_predlog_free(s->predlog);
    s->predlog = NULL;
}

void dl4c_server_free(dl4c_server *s)
{
    if (!s)
        return;
    dl4c_server_shutdown(s, 5);
    for (int i = 0; i < s->n_models; i++)
        dl4c_served_model_deinit(&s->models[i]);
    dl4c_free(s->models);
    for (int i = 0; i < s->n_retired; i++)
        dl4c_servable_free(s->retired[i]);
    dl4c_free(s->retired);
    dl4c_store_close(s->poll_store);
    dl4c_metrics_free(s->metrics);
    for (int i = 0; i < 3; i++)
        dl4c_free(s->pem[i]);
    dl4c_free(s->host);
    dl4c_free(s->tls_cert);
    dl4c_free(s->tls_key);
    dl4c_free(s->tls_client_ca);
    dl4c_free(s->store_home);
    pthread_cond_destroy(&s->poll_wake);
    pthread_mutex_destroy(&s->poll_lock);
    pthread_mutex_destroy(&s->lock);
    dl4c_free(s);
}
