/* TLS pieces of the server that touch GnuTLS directly: reading PEM files
 * and requiring a verified client certificate on a session. */
#ifndef DL4C_TLS_INTERNAL_H
#define DL4C_TLS_INTERNAL_H

#include <stdbool.h>

#include "dl4c/status.h"

/* Reads a PEM file (at most 1 MiB) into a new NUL-terminated string
 * (dl4c_free). DL4C_IO when it cannot be read, DL4C_FORMAT when it holds
 * no PEM block ("-----BEGIN"). */
dl4c_status dl4c_tls_read_pem(const char *path, const char *what, char **out);

/* Makes the handshake of a new server session (a gnutls_session_t) fail
 * unless the client presents a certificate that verifies against the
 * trusted CA. */
void dl4c_tls_require_client_cert(void *session);

/* True when the session's peer certificate verified. */
bool dl4c_tls_client_verified(void *session);

#endif
