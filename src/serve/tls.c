/* TLS helpers (tls_internal.h). Client certificates: libmicrohttpd only
 * asks for one (GNUTLS_CERT_REQUEST) when a trust list is set; a new
 * session is switched to GNUTLS_CERT_REQUIRE with automatic verification
 * before its handshake, so a client without a valid certificate never
 * gets a TLS connection at all. */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "serve/tls_internal.h"

#define PEM_MAX (1 << 20)

dl4c_status dl4c_tls_read_pem(const char *path, const char *what, char **out)
{
    dl4c_status status = DL4C_OK;
    FILE *f = NULL;
    char *buf = NULL;
    *out = NULL;
    f = fopen(path, "rb");
    DL4C_CHECK(f, DL4C_IO, "%s %s: cannot open: %s", what, path,
               strerror(errno));
    buf = dl4c_malloc(PEM_MAX + 1);
    if (!buf)
        DL4C_NOMEM_FAIL();
    size_t n = fread(buf, 1, PEM_MAX + 1, f);
    DL4C_CHECK(!ferror(f), DL4C_IO, "%s %s: read error: %s", what, path,
               strerror(errno));
    DL4C_CHECK(n <= PEM_MAX, DL4C_FORMAT, "%s %s: larger than 1 MiB", what,
               path);
    buf[n] = '\0';
    DL4C_CHECK(strlen(buf) == n && strstr(buf, "-----BEGIN"), DL4C_FORMAT,
               "%s %s: not a PEM file", what, path);
    fclose(f);
    *out = buf;
    return DL4C_OK;
fail:
    if (f)
        fclose(f);
    dl4c_free(buf);
    return status;
}

void dl4c_tls_require_client_cert(void *session)
{
    gnutls_session_t s = session;
    gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
    gnutls_session_set_verify_cert(s, NULL, 0);
}

bool dl4c_tls_client_verified(void *session)
{
    unsigned int st = 1;
    gnutls_session_t s = session;
    if (gnutls_certificate_type_get(s) != GNUTLS_CRT_X509)
        return false;
    unsigned int n = 0;
    if (!gnutls_certificate_get_peers(s, &n) || n == 0)
        return false;
    return gnutls_certificate_verify_peers2(s, &st) == 0 && st == 0;
}
