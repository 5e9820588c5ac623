/* Endpoints of the model server: path parsing, bearer tokens, and the
 * handlers for status, metadata, :predict / :classify / :regress, health
 * and metrics. Every request is counted in the metrics with its model,
 * version, method, status code and latency. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/clock_internal.h"
#include "core/error_internal.h"
#include "serve/response_internal.h"
#include "serve/serve_internal.h"

typedef enum route_kind {
    ROUTE_NONE = 0,
    ROUTE_LIVE,
    ROUTE_READY,
    ROUTE_METRICS,
    ROUTE_STATUS,
    ROUTE_METADATA,
    ROUTE_VERB, /* :predict, :classify, :regress */
} route_kind;

typedef struct route {
    route_kind kind;
    dl4c_serve_verb verb;
    char model[129];
    int64_t version;
    char label[129];
    bool has_label;
} route;

/* Copies the segment at *p up to one of `stops` (or the end) into out;
 * false when it is empty or too long. */
static bool segment(const char **p, const char *stops, char *out, size_t cap)
{
    size_t n = strcspn(*p, stops);
    if (n == 0 || n >= cap)
        return false;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p += n;
    return true;
}

/* 200 with r filled, or 404 / 400 with the message set. */
static int parse_route(const char *path, route *r)
{
    memset(r, 0, sizeof *r);
    if (!strcmp(path, "/v2/health/live"))
        r->kind = ROUTE_LIVE;
    else if (!strcmp(path, "/v2/health/ready"))
        r->kind = ROUTE_READY;
    else if (!strcmp(path, "/metrics"))
        r->kind = ROUTE_METRICS;
    if (r->kind)
        return 200;
    const char *p = path;
    if (strncmp(p, "/v1/models/", 11) != 0) {
        dl4c_error_set(DL4C_INVALID_ARG,
                       "no such endpoint: %.200s (see /v1/models/NAME)", path);
        return 404;
    }
    p += 11;
    if (!segment(&p, "/:", r->model, sizeof r->model)) {
        dl4c_error_set(DL4C_INVALID_ARG, "missing or overlong model name");
        return 404;
    }
    if (!strncmp(p, "/versions/", 10)) {
        char num[32];
        p += 10;
        char *end = NULL;
        if (!segment(&p, "/:", num, sizeof num) ||
            strspn(num, "0123456789") != strlen(num) ||
            (r->version = strtoll(num, &end, 10)) <= 0) {
            dl4c_error_set(DL4C_INVALID_ARG,
                           "a version in the URL is a positive whole number");
            return 400;
        }
    } else if (!strncmp(p, "/labels/", 8)) {
        p += 8;
        if (!segment(&p, "/:", r->label, sizeof r->label)) {
            dl4c_error_set(DL4C_INVALID_ARG, "missing or overlong label");
            return 400;
        }
        r->has_label = true;
    }
    if (!*p) {
        r->kind = ROUTE_STATUS;
    } else if (!strcmp(p, "/metadata")) {
        r->kind = ROUTE_METADATA;
    } else if (*p == ':') {
        for (int v = 0; v < DL4C_VERB_COUNT; v++)
            if (!strcmp(p + 1, dl4c_serve_verb_name((dl4c_serve_verb)v))) {
                r->kind = ROUTE_VERB;
                r->verb = (dl4c_serve_verb)v;
            }
    }
    if (!r->kind) {
        dl4c_error_set(DL4C_INVALID_ARG,
                       "no such endpoint: %.200s (after the model come "
                       "/metadata, :predict, :classify or :regress)",
                       path);
        return 404;
    }
    return 200;
}

static const char *method_label(const route *r)
{
    switch (r->kind) {
    case ROUTE_LIVE:
    case ROUTE_READY:
        return "health";
    case ROUTE_METRICS:
        return "metrics";
    case ROUTE_STATUS:
        return "status";
    case ROUTE_METADATA:
        return "metadata";
    case ROUTE_VERB:
        return dl4c_serve_verb_name(r->verb);
    default:
        return "other";
    }
}

static void reply(dl4c_http_response *resp, int status, char *body, size_t len)
{
    resp->status = status;
    resp->body = body;
    resp->len = len;
}

static void reply_error(dl4c_http_response *resp, int status, const char *msg)
{
    resp->status = status;
    resp->body = dl4c_serve_write_error(msg, &resp->len);
}

static int status_code(dl4c_status st)
{
    switch (st) {
    case DL4C_NOMEM:
        return 503;
    case DL4C_INTERNAL:
    case DL4C_BACKEND:
    case DL4C_IO:
        return 500;
    case DL4C_STATE:
        return 503;
    default:
        return 400;
    }
}

/* Constant-time comparison of the bearer token. */
static bool token_ok(const char *want, const char *header)
{
    if (!header || strncmp(header, "Bearer ", 7) != 0)
        return false;
    const char *got = header + 7;
    size_t a = strlen(want), b = strlen(got);
    unsigned diff = (unsigned)(a ^ b);
    for (size_t i = 0; i < a; i++)
        diff |= (unsigned)(want[i] ^ got[i < b ? i : 0]);
    return diff == 0;
}

/* One in `rate` requests, spread evenly by hashing a counter. */
static bool sampled(dl4c_server *s, double rate)
{
    if (rate <= 0)
        return false;
    if (rate >= 1)
        return true;
    uint64_t x =
        atomic_fetch_add(&s->sample_counter, 1) + 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return (double)(x >> 11) * 0x1.0p-53 < rate;
}

static void log_rows(dl4c_server *s, const dl4c_served_model *m,
                     const dl4c_servable *sv, const dl4c_serve_request *req,
                     float *const *outputs)
{
    const dl4c_serve_signature *sig = &sv->sig;
    if (sig->n_inputs == 1) {
        dl4c_predlog_push(s->predlog, m->name, sv->version, req->rows,
                          sig->input_sizes[0], req->inputs[0],
                          sig->n_outputs == 1 ? sig->output_sizes[0] : 0,
                          sig->n_outputs == 1 ? outputs[0] : NULL);
        return;
    }
    /* several inputs: one row of all of them, side by side */
    int64_t width = 0;
    for (int i = 0; i < sig->n_inputs; i++)
        width += sig->input_sizes[i];
    float *rows = dl4c_malloc(sizeof(float) * (size_t)(req->rows * width));
    if (!rows)
        return;
    for (int64_t r = 0; r < req->rows; r++) {
        float *dst = rows + r * width;
        for (int i = 0; i < sig->n_inputs; i++) {
            memcpy(dst, req->inputs[i] + r * sig->input_sizes[i],
                   sizeof(float) * (size_t)sig->input_sizes[i]);
            dst += sig->input_sizes[i];
        }
    }
    dl4c_predlog_push(s->predlog, m->name, sv->version, req->rows, width, rows,
                      0, NULL);
    dl4c_free(rows);
}

/* :classify and :regress need one output of the right kind. */
static const char *verb_mismatch(const dl4c_servable *sv, dl4c_serve_verb verb,
                                 char *buf, size_t cap)
{
    const dl4c_serve_signature *sig = &sv->sig;
    if (verb == DL4C_VERB_CLASSIFY && !sv->classifier) {
        snprintf(buf, cap,
                 "model '%s' is not a classifier (its output has no "
                 "classification loss or class names); use :predict%s",
                 sv->model_name,
                 sig->n_outputs == 1 && sig->output_sizes[0] == 1
                     ? " or :regress"
                     : "");
        return buf;
    }
    if (verb == DL4C_VERB_REGRESS &&
        (sig->n_outputs != 1 || sig->output_sizes[0] != 1)) {
        snprintf(buf, cap,
                 "regress needs a model with one output value per example; "
                 "model '%s' gives %lld; use :predict",
                 sv->model_name,
                 (long long)(sig->n_outputs == 1 ? sig->output_sizes[0]
                                                 : sig->n_outputs));
        return buf;
    }
    return NULL;
}

static void run_verb(dl4c_server *s, const route *r, dl4c_served_model *m,
                     dl4c_servable *sv, const dl4c_http_request *req,
                     dl4c_http_response *resp)
{
    const dl4c_serve_signature *sig = &sv->sig;
    dl4c_serve_request pr;
    float *outputs[DL4C_SERVE_MAX_IO] = {0};
    char buf[512];
    const char *bad = verb_mismatch(sv, r->verb, buf, sizeof buf);
    if (bad) {
        reply_error(resp, 400, bad);
        return;
    }
    dl4c_serve_limits lim = {.max_depth = s->o.max_json_depth,
                             .max_rows = s->o.max_rows};
    dl4c_status st =
        dl4c_serve_parse(req->body, req->body_len, r->verb, sig, &lim, &pr);
    if (st != DL4C_OK) {
        reply_error(resp, status_code(st), dl4c_last_error());
        return;
    }
    for (int o = 0; o < sig->n_outputs && st == DL4C_OK; o++)
        if (!(outputs[o] = dl4c_malloc(
                  sizeof(float) * (size_t)(pr.rows * sig->output_sizes[o]))))
            st = dl4c_error_set(DL4C_NOMEM, "out of memory");
    if (st == DL4C_OK) {
        dl4c_batch_job job = {.rows = pr.rows,
                              .inputs = (const float *const *)pr.inputs,
                              .outputs = outputs};
        st = dl4c_batcher_run(sv->batcher, &job);
    }
    if (st != DL4C_OK) {
        reply_error(resp, status_code(st), dl4c_last_error());
    } else {
        size_t len = 0;
        char *body;
        if (r->verb == DL4C_VERB_CLASSIFY) {
            const char *names[4096];
            int n_names = dl4c_net_num_class_names(sv->net);
            if (n_names > 4096)
                n_names = 4096;
            for (int i = 0; i < n_names; i++)
                names[i] = dl4c_net_class_name(sv->net, i);
            body = dl4c_serve_write_classify(pr.rows, sig->output_sizes[0],
                                             outputs[0], n_names, names, &len);
        } else if (r->verb == DL4C_VERB_REGRESS) {
            body = dl4c_serve_write_regress(pr.rows, outputs[0], &len);
        } else {
            body = dl4c_serve_write_predict(sig, pr.columnar, pr.rows, outputs,
                                            &len);
        }
        reply(resp, 200, body, len);
        if (sampled(s, m->log_rate))
            log_rows(s, m, sv, &pr, outputs);
    }
    for (int o = 0; o < DL4C_SERVE_MAX_IO; o++)
        dl4c_free(outputs[o]);
    dl4c_serve_request_deinit(&pr);
}

static void model_route(dl4c_server *s, const route *r,
                        const dl4c_http_request *req, dl4c_http_response *resp,
                        int64_t *version)
{
    dl4c_served_model *m = dl4c_registry_find(s, r->model);
    const char *label = r->has_label ? r->label : NULL;
    int http = 404;
    if (m && m->token && !token_ok(m->token, req->authorization)) {
        reply_error(resp, 401,
                    req->authorization
                        ? "the bearer token is not valid for this model"
                        : "this model needs \"Authorization: Bearer <token>\"");
        resp->bearer_challenge = true;
        return;
    }
    if (r->kind == ROUTE_STATUS) {
        size_t len = 0;
        char *body =
            dl4c_registry_status(s, r->model, r->version, label, &http, &len);
        reply(resp, http, body, len);
        return;
    }
    dl4c_servable *sv = NULL;
    if (dl4c_registry_acquire(s, r->model, r->version, label, &m, &sv, &http) !=
        DL4C_OK) {
        reply_error(resp, http, dl4c_last_error());
        return;
    }
    *version = sv->version;
    if (r->kind == ROUTE_METADATA) {
        size_t len = 0;
        const char *names[4096];
        int n_names = dl4c_net_num_class_names(sv->net);
        if (n_names > 4096)
            n_names = 4096;
        for (int i = 0; i < n_names; i++)
            names[i] = dl4c_net_class_name(sv->net, i);
        char *body =
            dl4c_serve_write_metadata(m->name, sv->version, &sv->sig,
                                      sv->classifier, n_names, names, &len);
        reply(resp, 200, body, len);
    } else {
        run_verb(s, r, m, sv, req, resp);
    }
    dl4c_registry_release(s, sv);
}

static void metrics_page(dl4c_server *s, dl4c_http_response *resp)
{
    dl4c_text t = {0};
    dl4c_metrics_write(s->metrics, &t);
    dl4c_registry_write_gauges(s, &t);
    if (s->http) {
        dl4c_metrics_header(&t, "dl4c_serving_requests_in_flight", "gauge",
                            "Requests being received or answered.");
        dl4c_text_addf(&t, "dl4c_serving_requests_in_flight %lld\n",
                       (long long)dl4c_http_in_flight(s->http));
        dl4c_metrics_header(&t, "dl4c_serving_connections", "gauge",
                            "Open HTTP connections.");
        dl4c_text_addf(&t, "dl4c_serving_connections %lld\n",
                       (long long)dl4c_http_connections(s->http));
    }
    resp->status = 200;
    resp->body = dl4c_text_take(&t, &resp->len);
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

void dl4c_serve_route(void *server, const dl4c_http_request *req,
                      dl4c_http_response *resp)
{
    dl4c_server *s = server;
    double t0 = dl4c_now();
    route r;
    int64_t version = 0;
    int code = parse_route(req->path, &r);
    bool post = r.kind == ROUTE_VERB;
    bool known_model = r.model[0] && dl4c_registry_find(s, r.model);
    memset(resp, 0, sizeof *resp);
    if (code != 200) {
        reply_error(resp, code, dl4c_last_error());
    } else if (strcmp(req->method, post ? "POST" : "GET") != 0 &&
               !(strcmp(req->method, "HEAD") == 0 && !post)) {
        char msg[128];
        snprintf(msg, sizeof msg, "use %s for this endpoint, not %.16s",
                 post ? "POST" : "GET", req->method);
        reply_error(resp, 405, msg);
    } else if (req->too_large) {
        char msg[128];
        snprintf(msg, sizeof msg, "request body over the limit of %zu bytes",
                 s->o.max_body_bytes);
        reply_error(resp, 413, msg);
    } else if (r.kind == ROUTE_LIVE) {
        resp->status = 200;
        resp->body = dl4c_strdup("{\"live\": true}\n");
        resp->len = resp->body ? strlen(resp->body) : 0;
    } else if (r.kind == ROUTE_READY) {
        bool ready = dl4c_registry_ready(s) && !atomic_load(&s->draining);
        resp->status = ready ? 200 : 503;
        resp->body =
            dl4c_strdup(ready ? "{\"ready\": true}\n" : "{\"ready\": false}\n");
        resp->len = resp->body ? strlen(resp->body) : 0;
    } else if (r.kind == ROUTE_METRICS) {
        metrics_page(s, resp);
    } else {
        model_route(s, &r, req, resp, &version);
    }
    dl4c_metrics_request(s->metrics, known_model ? r.model : "", version,
                         method_label(&r), resp->status, dl4c_now() - t0);
}
