/* Downloads and copies into a file, all or nothing: the data goes to a
 * temporary file next to the destination, which is flushed, synced,
 * checked against the expected SHA-256 and only then renamed over the
 * destination. http, https and file URLs go through libcurl; anything
 * without a scheme is a local path. */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/sha256_internal.h"
#include "dl4c/data.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;

static void init_curl(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static bool has_prefix_nocase(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (tolower((unsigned char)*s) != *prefix)
            return false;
    return true;
}

/* "scheme://..." with a scheme of letters, digits, '+', '-', '.' */
static bool looks_like_url(const char *s)
{
    const char *p = s;
    if (!isalpha((unsigned char)*p))
        return false;
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    return p[0] == ':' && p[1] == '/' && p[2] == '/';
}

static size_t write_cb(char *data, size_t size, size_t n, void *ctx)
{
    return fwrite(data, size, n, (FILE *)ctx) * size;
}

static dl4c_status download(const char *url, FILE *to)
{
    dl4c_status status = DL4C_OK;
    char err[CURL_ERROR_SIZE] = "";
    CURL *curl = NULL;
    pthread_once(&curl_once, init_curl);
    DL4C_CHECK(curl_init_result == CURLE_OK, DL4C_IO,
               "%s: cannot start libcurl: %s", url,
               curl_easy_strerror(curl_init_result));
    curl = curl_easy_init();
    DL4C_CHECK(curl, DL4C_NOMEM, "%s: cannot start a libcurl transfer", url);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, to);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
    /* give up on a transfer stalled below 1 KB/s for a minute */
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
    CURLcode rc = curl_easy_perform(curl);
    DL4C_CHECK(rc == CURLE_OK, DL4C_IO, "%s: download failed: %s", url,
               err[0] ? err : curl_easy_strerror(rc));
fail:
    if (curl)
        curl_easy_cleanup(curl);
    return status;
}

static dl4c_status copy_local(const char *path, FILE *to)
{
    dl4c_status status = DL4C_OK;
    char buf[65536];
    FILE *from = fopen(path, "rb");
    DL4C_CHECK(from, DL4C_IO, "%s: cannot open: %s", path, strerror(errno));
    for (;;) {
        size_t n = fread(buf, 1, sizeof buf, from);
        DL4C_CHECK(fwrite(buf, 1, n, to) == n, DL4C_IO,
                   "cannot write the copy of %s: %s", path, strerror(errno));
        if (n < sizeof buf)
            break;
    }
    DL4C_CHECK(!ferror(from), DL4C_IO, "%s: read error: %s", path,
               strerror(errno));
fail:
    if (from)
        fclose(from);
    return status;
}

/* Best effort: makes the rename itself durable. */
static void sync_dir_of(const char *path)
{
    char *dir = dl4c_strdup(path);
    if (!dir)
        return;
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    dl4c_free(dir);
}

dl4c_status dl4c_fetch(const char *source, const char *dest, const char *sha256)
{
    dl4c_status status = DL4C_OK;
    char *tmp = NULL;
    FILE *f = NULL;
    int fd = -1;
    bool created = false;
    char got[65];
    DL4C_CHECK(source && dest, DL4C_INVALID_ARG, "fetch: NULL source or dest");
    DL4C_CHECK(!sha256 || dl4c_sha256_hex_valid(sha256), DL4C_INVALID_ARG,
               "fetch %s: expected SHA-256 '%.80s' is not 64 hex digits",
               source, sha256 ? sha256 : "");
    bool url = looks_like_url(source);
    if (url)
        DL4C_CHECK(has_prefix_nocase(source, "http://") ||
                       has_prefix_nocase(source, "https://") ||
                       has_prefix_nocase(source, "file://"),
                   DL4C_UNSUPPORTED,
                   "fetch %s: unsupported URL scheme (http, https and file "
                   "are supported)",
                   source);

    tmp = dl4c_asprintf("%s.part-XXXXXX", dest);
    if (!tmp)
        DL4C_NOMEM_FAIL();
    fd = mkstemp(tmp);
    DL4C_CHECK(fd >= 0, DL4C_IO, "%s: cannot create a temporary file: %s", dest,
               strerror(errno));
    created = true;
    (void)fchmod(fd, 0644); /* mkstemp makes 0600; a fetched file is data */
    f = fdopen(fd, "wb");
    DL4C_CHECK(f, DL4C_IO, "%s: %s", tmp, strerror(errno));
    fd = -1;

    DL4C_TRY(url ? download(source, f) : copy_local(source, f));
    DL4C_CHECK(fflush(f) == 0 && fsync(fileno(f)) == 0, DL4C_IO,
               "%s: cannot write: %s", dest, strerror(errno));
    int rc = fclose(f);
    f = NULL;
    DL4C_CHECK(rc == 0, DL4C_IO, "%s: cannot write: %s", dest, strerror(errno));

    if (sha256) {
        DL4C_TRY(dl4c_sha256_file(tmp, got));
        DL4C_CHECK(dl4c_sha256_hex_equal(got, sha256), DL4C_FORMAT,
                   "%s: checksum mismatch: SHA-256 is %s, expected %s "
                   "(corrupt or incomplete file; not kept)",
                   source, got, sha256);
    }
    DL4C_CHECK(rename(tmp, dest) == 0, DL4C_IO, "cannot rename %s to %s: %s",
               tmp, dest, strerror(errno));
    sync_dir_of(dest);
    dl4c_free(tmp);
    return DL4C_OK;
fail:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    if (created)
        unlink(tmp);
    dl4c_free(tmp);
    return status;
}
