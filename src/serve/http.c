/* The HTTP front on libmicrohttpd (http_internal.h). A request's first
 * call counts it in flight and checks the declared body size (413 before
 * any byte is read); body chunks are collected up to the limit; the last
 * call hands the request to the handler and queues its response. The
 * completion callback ends the in-flight count, which the graceful stop
 * waits on. */
#include <arpa/inet.h>
#include <fcntl.h>
#ifdef __linux__
#include <asm/socket.h> /* SO_ATTACH_FILTER */
#include <linux/filter.h>
#endif
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "serve/http_internal.h"
#include "serve/response_internal.h"
#include "serve/tls_internal.h"

struct dl4c_http {
    dl4c_http_options o;
    struct MHD_Daemon *daemon;
    int port;
    bool tls, client_certs;
    atomic_int_fast64_t in_flight, connections;
    atomic_bool quiesced;
    union {
        struct sockaddr_in v4;
        struct sockaddr_in6 v6;
    } addr;
};

/* One request being received. */
typedef struct pending {
    char *body;
    size_t len, cap;
    bool too_large;
    bool answered; /* a response was queued before the body was read */
} pending;

static void free_body(void *p)
{
    dl4c_free(p);
}

static enum MHD_Result queue(dl4c_http *h, struct MHD_Connection *c,
                             dl4c_http_response *resp)
{
    if (!resp->body) {
        resp->status = 500;
        resp->body = dl4c_serve_write_error("out of memory", &resp->len);
        resp->content_type = NULL;
    }
    struct MHD_Response *r =
        resp->body ? MHD_create_response_from_buffer_with_free_callback(
                         resp->len, resp->body, free_body)
                   : MHD_create_response_from_buffer(0, (void *)"",
                                                     MHD_RESPMEM_PERSISTENT);
    if (!r) {
        dl4c_free(resp->body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            resp->content_type ? resp->content_type
                                               : "application/json");
    if (resp->bearer_challenge)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Bearer realm=\"dl4c\"");
    if (atomic_load(&h->quiesced))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result reply_error(dl4c_http *h, struct MHD_Connection *c,
                                   int status, const char *msg)
{
    dl4c_http_response resp = {.status = status};
    resp.body = dl4c_serve_write_error(msg, &resp.len);
    return queue(h, c, &resp);
}

static bool append(pending *p, const char *data, size_t n, size_t limit)
{
    if (p->len + n > limit) {
        p->too_large = true;
        dl4c_free(p->body);
        p->body = NULL;
        p->len = p->cap = 0;
        return true;
    }
    if (p->len + n + 1 > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap < p->len + n + 1)
            cap *= 2;
        char *more = dl4c_realloc(p->body, cap);
        if (!more)
            return false;
        p->body = more;
        p->cap = cap;
    }
    memcpy(p->body + p->len, data, n);
    p->len += n;
    p->body[p->len] = '\0';
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    dl4c_http *h = cls;
    pending *p = *con_cls;
    (void)version;
    if (!p) {
        p = dl4c_calloc(1, sizeof *p);
        if (!p)
            return MHD_NO;
        *con_cls = p;
        atomic_fetch_add(&h->in_flight, 1);
        if (h->client_certs) {
            const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
            if (!ci || !dl4c_tls_client_verified(ci->tls_session)) {
                p->answered = true;
                return reply_error(h, c, 403,
                                   "a client certificate signed by the "
                                   "server's client CA is required");
            }
        }
        const char *cl = MHD_lookup_connection_value(
            c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > h->o.max_body_bytes) {
            char msg[128];
            snprintf(msg, sizeof msg,
                     "request body of %s bytes is over the limit of %zu", cl,
                     h->o.max_body_bytes);
            p->answered = true;
            return reply_error(h, c, 413, msg);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!p->answered && !p->too_large &&
            !append(p, upload, *upload_size, h->o.max_body_bytes))
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (p->answered)
        return MHD_YES;
    dl4c_http_request req = {
        .method = method,
        .path = url,
        .authorization = MHD_lookup_connection_value(
            c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
        .body = p->body ? p->body : "",
        .body_len = p->len,
        .too_large = p->too_large,
    };
    dl4c_http_response resp = {.status = 500};
    h->o.handler(h->o.ctx, &req, &resp);
    return queue(h, c, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    dl4c_http *h = cls;
    pending *p = *con_cls;
    (void)c;
    (void)code;
    if (!p)
        return;
    dl4c_free(p->body);
    dl4c_free(p);
    *con_cls = NULL;
    atomic_fetch_sub(&h->in_flight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *c,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    dl4c_http *h = cls;
    (void)socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        atomic_fetch_add(&h->connections, 1);
        if (h->client_certs) {
            const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
            if (ci && ci->tls_session)
                dl4c_tls_require_client_cert(ci->tls_session);
        }
    } else {
        atomic_fetch_sub(&h->connections, 1);
    }
}

static void on_log(void *cls, const char *fmt, va_list ap)
{
    dl4c_http *h = cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (h->o.log)
        h->o.log(h->o.ctx, line);
}

static dl4c_status bind_address(dl4c_http *h, unsigned *flags,
                                const struct sockaddr **addr)
{
    const char *host = h->o.host;
    *addr = NULL;
    if (!host || !host[0] || !strcmp(host, "0.0.0.0"))
        return DL4C_OK;
    if (!strcmp(host, "localhost"))
        host = "127.0.0.1";
    memset(&h->addr, 0, sizeof h->addr);
    if (inet_pton(AF_INET, host, &h->addr.v4.sin_addr) == 1) {
        h->addr.v4.sin_family = AF_INET;
        h->addr.v4.sin_port = htons((uint16_t)h->o.port);
        *addr = (const struct sockaddr *)&h->addr.v4;
        return DL4C_OK;
    }
    if (inet_pton(AF_INET6, host, &h->addr.v6.sin6_addr) == 1) {
        h->addr.v6.sin6_family = AF_INET6;
        h->addr.v6.sin6_port = htons((uint16_t)h->o.port);
        *flags |= MHD_USE_IPv6;
        *addr = (const struct sockaddr *)&h->addr.v6;
        return DL4C_OK;
    }
    return dl4c_error_set(DL4C_INVALID_ARG,
                          "host '%s' is not a numeric IPv4 or IPv6 address",
                          host);
}

dl4c_status dl4c_http_start(const dl4c_http_options *o, dl4c_http **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_http *h = NULL;
    const struct sockaddr *addr = NULL;
    *out = NULL;
    DL4C_CHECK(o && o->handler && o->port >= 0 && o->port <= 65535,
               DL4C_INVALID_ARG, "http: bad options (port %d)",
               o ? o->port : -1);
    h = dl4c_calloc(1, sizeof *h);
    if (!h)
        DL4C_NOMEM_FAIL();
    h->o = *o;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;
    DL4C_TRY(bind_address(h, &flags, &addr));
    struct MHD_OptionItem items[8];
    int n = 0;
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT,
                                         o->max_connections, NULL};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT,
                                         o->connection_timeout, NULL};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                         128 * 1024, NULL};
    if (addr)
        items[n++] =
            (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)addr};
    if (o->cert_pem) {
        flags |= MHD_USE_TLS;
        h->tls = true;
        items[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0,
                                             (void *)o->key_pem};
        items[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0,
                                             (void *)o->cert_pem};
        if (o->client_ca_pem) {
            h->client_certs = true;
            items[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0,
                                                 (void *)o->client_ca_pem};
        }
    }
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    h->daemon =
        MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, h,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                         MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
                         MHD_OPTION_EXTERNAL_LOGGER, on_log, h,
                         MHD_OPTION_ARRAY, items, MHD_OPTION_END);
    DL4C_CHECK(h->daemon, DL4C_IO,
               "cannot serve on %s port %d (in use, not permitted, or a bad "
               "TLS certificate or key)",
               o->host && o->host[0] ? o->host : "0.0.0.0", o->port);
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : o->port;
    *out = h;
    return DL4C_OK;
fail:
    dl4c_free(h);
    return status;
}

int dl4c_http_port(const dl4c_http *h)
{
    return h->port;
}

int64_t dl4c_http_in_flight(const dl4c_http *h)
{
    return atomic_load(&((dl4c_http *)h)->in_flight);
}

int64_t dl4c_http_connections(const dl4c_http *h)
{
    return atomic_load(&((dl4c_http *)h)->connections);
}

/* Stopping without resetting anyone: a connection the kernel completed but
 * nobody accepted would be reset when the listening socket closes, with
 * its request sent. So new connection attempts (pure SYN packets) are
 * dropped first by a socket filter (such clients retry, then find the
 * port closed: refused, not cut off); handshakes already under way
 * complete; and every connection waiting in the queue is accepted and
 * handed to microhttpd, which answers it. */
static void take_backlog(dl4c_http *h, MHD_socket fd)
{
#ifdef __linux__
    struct sock_filter drop_syn[] = {
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 13),    /* TCP flags */
        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x12), /* SYN and ACK */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x02, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 0),            /* SYN alone: drop */
        BPF_STMT(BPF_RET | BPF_K, 0xffffffffu)}; /* the rest: keep */
    struct sock_fprog prog = {sizeof drop_syn / sizeof drop_syn[0], drop_syn};
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) == 0) {
        struct timespec ts = {0, 20 * 1000000L}; /* handshakes under way */
        nanosleep(&ts, NULL);
    }
#endif
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return;
    for (;;) {
        struct sockaddr_storage addr;
        socklen_t len = sizeof addr;
        int c = accept(fd, (struct sockaddr *)&addr, &len);
        if (c < 0)
            return;
        if (MHD_add_connection(h->daemon, c, (struct sockaddr *)&addr, len) !=
                MHD_YES &&
            h->o.log)
            h->o.log(h->o.ctx, "a connection waiting at the stop was lost");
    }
}

void dl4c_http_quiesce(dl4c_http *h)
{
    if (!h || atomic_exchange(&h->quiesced, true))
        return;
    MHD_socket fd = MHD_quiesce_daemon(h->daemon);
    if (fd != MHD_INVALID_SOCKET) {
        take_backlog(h, fd);
        close(fd);
    }
}

void dl4c_http_stop(dl4c_http *h)
{
    if (!h)
        return;
    dl4c_http_quiesce(h);
    MHD_stop_daemon(h->daemon);
    dl4c_free(h);
}
