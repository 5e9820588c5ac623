/* The HTTP front of the server, on libmicrohttpd: one thread per
 * connection (a handler may block while its rows wait in a batch), request
 * bodies collected up to a limit, TLS and client certificates, connection
 * counting and a graceful stop. Requests and responses cross into the rest
 * of the server as the plain structs below, so routing and parsing never
 * see microhttpd types. */
#ifndef DL4C_HTTP_INTERNAL_H
#define DL4C_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dl4c/status.h"

typedef struct dl4c_http_request {
    const char *method;
    const char *path;          /* percent-decoded, without the query string */
    const char *authorization; /* the header, or NULL */
    const char *body;
    size_t body_len;
    bool too_large; /* the body was over the limit (and is not here) */
} dl4c_http_request;

typedef struct dl4c_http_response {
    int status;
    char *body; /* dl4c_malloc'd; the HTTP layer frees it */
    size_t len;
    const char *content_type; /* NULL: application/json */
    bool bearer_challenge;    /* add WWW-Authenticate: Bearer */
} dl4c_http_response;

typedef void (*dl4c_http_handler)(void *ctx, const dl4c_http_request *req,
                                  dl4c_http_response *resp);

typedef struct dl4c_http_options {
    const char *host; /* numeric IPv4 or IPv6 address, or "localhost" */
    int port;
    int max_connections;
    size_t max_body_bytes;
    int connection_timeout;
    const char *cert_pem, *key_pem, *client_ca_pem; /* contents, or NULL */
    dl4c_http_handler handler;
    void *ctx;
    void (*log)(void *ctx, const char *line);
} dl4c_http_options;

typedef struct dl4c_http dl4c_http;

/* Binds and starts serving. DL4C_IO when the address cannot be bound,
 * DL4C_INVALID_ARG for a bad host. */
dl4c_status dl4c_http_start(const dl4c_http_options *o, dl4c_http **out);
int dl4c_http_port(const dl4c_http *h);
/* Requests being handled and connections open. */
int64_t dl4c_http_in_flight(const dl4c_http *h);
int64_t dl4c_http_connections(const dl4c_http *h);
/* Stops accepting connections; later responses ask clients to close. */
void dl4c_http_quiesce(dl4c_http *h);
/* Closes every connection and stops; frees h. */
void dl4c_http_stop(dl4c_http *h);

#endif
