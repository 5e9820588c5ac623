/* Prometheus metrics of the server (metrics_internal.h): a few small
 * tables of series under one mutex. Series are keyed by served model
 * names and versions (requests for unknown models share one series), so
 * their number stays small and a linear search is enough. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "serve/metrics_internal.h"

static const double latency_le[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                    0.005,  0.01,    0.025,  0.05,  0.1,
                                    0.25,   0.5,     1,      2.5,   10};
#define N_LATENCY ((int)(sizeof latency_le / sizeof latency_le[0]))
static const double batch_le[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
#define N_BATCH ((int)(sizeof batch_le / sizeof batch_le[0]))
#define MAX_BUCKETS 16

typedef struct series {
    char model[129];
    int64_t version;
    char method[16];
    int code;
    uint64_t count;
    double sum;
    uint64_t buckets[MAX_BUCKETS]; /* not cumulative */
} series;

typedef struct table {
    series *s;
    int n, cap;
} table;

struct dl4c_metrics {
    pthread_mutex_t lock;
    table requests; /* count by model, version, method, code */
    table latency;  /* histogram by model, version, method */
    table batches;  /* histogram by model, version */
    table loads;    /* sum = seconds, by model, version */
    uint64_t logged, dropped;
};

dl4c_status dl4c_metrics_create(dl4c_metrics **out)
{
    dl4c_metrics *m = dl4c_calloc(1, sizeof *m);
    *out = NULL;
    if (!m)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    pthread_mutex_init(&m->lock, NULL);
    *out = m;
    return DL4C_OK;
}

void dl4c_metrics_free(dl4c_metrics *m)
{
    if (!m)
        return;
    dl4c_free(m->requests.s);
    dl4c_free(m->latency.s);
    dl4c_free(m->batches.s);
    dl4c_free(m->loads.s);
    pthread_mutex_destroy(&m->lock);
    dl4c_free(m);
}

/* The series with these labels, added when new; NULL when out of memory
 * (the observation is then lost, never the request). */
static series *find(table *t, const char *model, int64_t version,
                    const char *method, int code)
{
    for (int i = 0; i < t->n; i++) {
        series *s = &t->s[i];
        if (s->version == version && s->code == code &&
            !strcmp(s->model, model) && !strcmp(s->method, method))
            return s;
    }
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        series *more = dl4c_realloc(t->s, sizeof *more * (size_t)cap);
        if (!more)
            return NULL;
        t->s = more;
        t->cap = cap;
    }
    series *s = &t->s[t->n++];
    memset(s, 0, sizeof *s);
    snprintf(s->model, sizeof s->model, "%s", model);
    snprintf(s->method, sizeof s->method, "%s", method);
    s->version = version;
    s->code = code;
    return s;
}

static void observe(series *s, const double *le, int n, double v)
{
    int b = 0;
    while (b < n && v > le[b])
        b++;
    s->buckets[b]++; /* b == n: only +Inf */
    s->count++;
    s->sum += v;
}

void dl4c_metrics_request(dl4c_metrics *m, const char *model, int64_t version,
                          const char *method, int code, double seconds)
{
    pthread_mutex_lock(&m->lock);
    series *s = find(&m->requests, model, version, method, code);
    if (s)
        s->count++;
    s = find(&m->latency, model, version, method, 0);
    if (s)
        observe(s, latency_le, N_LATENCY, seconds);
    pthread_mutex_unlock(&m->lock);
}

void dl4c_metrics_batch(dl4c_metrics *m, const char *model, int64_t version,
                        int64_t rows)
{
    pthread_mutex_lock(&m->lock);
    series *s = find(&m->batches, model, version, "", 0);
    if (s)
        observe(s, batch_le, N_BATCH, (double)rows);
    pthread_mutex_unlock(&m->lock);
}

void dl4c_metrics_load(dl4c_metrics *m, const char *model, int64_t version,
                       double seconds)
{
    pthread_mutex_lock(&m->lock);
    series *s = find(&m->loads, model, version, "", 0);
    if (s)
        s->sum = seconds;
    pthread_mutex_unlock(&m->lock);
}

void dl4c_metrics_logged(dl4c_metrics *m, int64_t rows, bool dropped)
{
    pthread_mutex_lock(&m->lock);
    if (dropped)
        m->dropped += (uint64_t)rows;
    else
        m->logged += (uint64_t)rows;
    pthread_mutex_unlock(&m->lock);
}

void dl4c_metrics_header(dl4c_text *t, const char *name, const char *type,
                         const char *help)
{
    dl4c_text_addf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void dl4c_metrics_label(dl4c_text *t, const char *value)
{
    dl4c_text_add(t, "\"", 1);
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"')
            dl4c_text_addf(t, "\\%c", *p);
        else if (*p == '\n')
            dl4c_text_adds(t, "\\n");
        else
            dl4c_text_add(t, p, 1);
    }
    dl4c_text_add(t, "\"", 1);
}

/* model="m",version="v"[,method="x"] */
static void labels(dl4c_text *t, const series *s, bool method)
{
    dl4c_text_adds(t, "model=");
    dl4c_metrics_label(t, s->model);
    if (s->version > 0)
        dl4c_text_addf(t, ",version=\"%lld\"", (long long)s->version);
    else
        dl4c_text_adds(t, ",version=\"\"");
    if (method) {
        dl4c_text_adds(t, ",method=");
        dl4c_metrics_label(t, s->method);
    }
}

static void histogram(dl4c_text *t, const char *name, const table *tab,
                      const double *le, int n, bool method)
{
    for (int i = 0; i < tab->n; i++) {
        const series *s = &tab->s[i];
        uint64_t cum = 0;
        for (int b = 0; b <= n; b++) {
            cum += s->buckets[b];
            dl4c_text_addf(t, "%s_bucket{", name);
            labels(t, s, method);
            if (b < n)
                dl4c_text_addf(t, ",le=\"%g\"} %llu\n", le[b],
                               (unsigned long long)cum);
            else
                dl4c_text_addf(t, ",le=\"+Inf\"} %llu\n",
                               (unsigned long long)cum);
        }
        dl4c_text_addf(t, "%s_sum{", name);
        labels(t, s, method);
        dl4c_text_addf(t, "} %.9g\n%s_count{", s->sum, name);
        labels(t, s, method);
        dl4c_text_addf(t, "} %llu\n", (unsigned long long)s->count);
    }
}

void dl4c_metrics_write(dl4c_metrics *m, dl4c_text *t)
{
    pthread_mutex_lock(&m->lock);
    dl4c_metrics_header(t, "dl4c_serving_requests_total", "counter",
                        "Requests by model, version, method and HTTP status "
                        "code.");
    for (int i = 0; i < m->requests.n; i++) {
        const series *s = &m->requests.s[i];
        dl4c_text_adds(t, "dl4c_serving_requests_total{");
        labels(t, s, true);
        dl4c_text_addf(t, ",code=\"%d\"} %llu\n", s->code,
                       (unsigned long long)s->count);
    }
    dl4c_metrics_header(t, "dl4c_serving_request_duration_seconds", "histogram",
                        "Time from a request's arrival to its response.");
    histogram(t, "dl4c_serving_request_duration_seconds", &m->latency,
              latency_le, N_LATENCY, true);
    dl4c_metrics_header(t, "dl4c_serving_batch_size", "histogram",
                        "Examples per batch run by the dynamic batcher.");
    histogram(t, "dl4c_serving_batch_size", &m->batches, batch_le, N_BATCH,
              false);
    dl4c_metrics_header(t, "dl4c_serving_model_load_seconds", "gauge",
                        "Time to load and warm up a model version.");
    for (int i = 0; i < m->loads.n; i++) {
        dl4c_text_adds(t, "dl4c_serving_model_load_seconds{");
        labels(t, &m->loads.s[i], false);
        dl4c_text_addf(t, "} %.6g\n", m->loads.s[i].sum);
    }
    dl4c_metrics_header(t, "dl4c_serving_predictions_logged_total", "counter",
                        "Examples written to the prediction log.");
    dl4c_text_addf(t, "dl4c_serving_predictions_logged_total %llu\n",
                   (unsigned long long)m->logged);
    dl4c_metrics_header(t, "dl4c_serving_predictions_log_dropped_total",
                        "counter",
                        "Sampled examples dropped because the log fell "
                        "behind.");
    dl4c_text_addf(t, "dl4c_serving_predictions_log_dropped_total %llu\n",
                   (unsigned long long)m->dropped);
    pthread_mutex_unlock(&m->lock);
}
