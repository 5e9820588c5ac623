/* SHA-256 of files (nettle), for download and dataset verification. The
 * file is hashed in 64 KiB pieces, so any size works in constant memory. */
#include <ctype.h>
#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>

#include "core/error_internal.h"
#include "data/sha256_internal.h"
#include "dl4c/data.h"

bool dl4c_sha256_hex_valid(const char *s)
{
    if (!s)
        return false;
    for (int i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return s[64] == '\0';
}

bool dl4c_sha256_hex_equal(const char *a, const char *b)
{
    for (int i = 0; i < 64; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    return true;
}

dl4c_status dl4c_sha256_file(const char *path, char hex[65])
{
    dl4c_status status = DL4C_OK;
    FILE *f = NULL;
    unsigned char buf[65536];
    uint8_t digest[SHA256_DIGEST_SIZE];
    struct sha256_ctx ctx;
    DL4C_CHECK(path && hex, DL4C_INVALID_ARG, "sha256: NULL argument");
    hex[0] = '\0';
    f = fopen(path, "rb");
    DL4C_CHECK(f, DL4C_IO, "%s: cannot open: %s", path, strerror(errno));
    sha256_init(&ctx);
    for (;;) {
        size_t n = fread(buf, 1, sizeof buf, f);
        sha256_update(&ctx, n, buf);
        if (n < sizeof buf)
            break;
    }
    DL4C_CHECK(!ferror(f), DL4C_IO, "%s: read error: %s", path,
               strerror(errno));
    sha256_digest(&ctx, sizeof digest, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
fail:
    if (f)
        fclose(f);
    return status;
}
