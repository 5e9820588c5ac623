/* Atomic file replacement for everything dl4c writes: the content goes to a
 * fresh temporary file in the target's directory (rename is only atomic
 * within one file system), is flushed and fsynced, then renamed over the
 * target, and the directory is fsynced so the rename itself survives a
 * crash. Before the rename the target is never touched. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "io/io_internal.h"

/* How many names to try when a temporary name is already taken. */
#define TEMP_ATTEMPTS 64

/* A 64-bit mix (splitmix64's finalizer) to spread the suffix inputs. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* A suffix unlikely to collide between processes and threads: pid, clock,
 * a stack address (differs between threads) and the attempt number. O_EXCL
 * makes a collision a retry, never a clash. */
static uint64_t temp_suffix(int attempt)
{
    struct timespec ts = {0, 0};
    int local = attempt;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = mix((uint64_t)getpid());
    x = mix(x ^ (uint64_t)ts.tv_sec);
    x = mix(x ^ (uint64_t)ts.tv_nsec);
    x = mix(x ^ (uint64_t)(uintptr_t)&local);
    return mix(x ^ (uint64_t)attempt);
}

/* fsync of a directory; file systems that cannot sync directories report
 * EINVAL, which is not a failure of the write. */
static dl4c_status sync_dir(const char *dir, const char *path)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return dl4c_error_set(DL4C_IO, "%s: cannot open directory '%s': %s",
                              path, dir, strerror(errno));
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    if (rc != 0 && err != EINVAL)
        return dl4c_error_set(DL4C_IO, "%s: cannot sync directory '%s': %s",
                              path, dir, strerror(err));
    return DL4C_OK;
}

dl4c_status dl4c_atomic_write(const char *path, dl4c_write_fn writer, void *ctx)
{
    dl4c_status status = DL4C_OK;
    char *dir = NULL, *temp = NULL;
    FILE *f = NULL;
    int fd = -1;

    DL4C_CHECK(path && path[0], DL4C_INVALID_ARG, "empty file path");
    DL4C_CHECK(writer, DL4C_INVALID_ARG, "%s: no writer given", path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    DL4C_CHECK(base[0], DL4C_INVALID_ARG, "%s: path names a directory", path);
    if (!slash)
        dir = dl4c_strdup(".");
    else if (slash == path)
        dir = dl4c_strdup("/");
    else
        dir = dl4c_strndup(path, (size_t)(slash - path));
    if (!dir)
        DL4C_NOMEM_FAIL();

    /* the old file's permission bits carry over to its replacement */
    struct stat old;
    int keep_mode = stat(path, &old) == 0 && S_ISREG(old.st_mode);

    for (int attempt = 0; fd < 0; attempt++) {
        dl4c_free(temp);
        temp = dl4c_asprintf("%.*s.%s.tmp-%016llx", (int)(base - path), path,
                             base, (unsigned long long)temp_suffix(attempt));
        if (!temp)
            DL4C_NOMEM_FAIL();
        fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && (errno != EEXIST || attempt + 1 >= TEMP_ATTEMPTS)) {
            int err = errno;
            dl4c_free(temp);
            temp = NULL; /* nothing was created: nothing to remove */
            DL4C_FAIL(DL4C_IO, "%s: cannot write: %s", path, strerror(err));
        }
    }
    if (keep_mode && fchmod(fd, old.st_mode & 07777) != 0)
        DL4C_FAIL(DL4C_IO, "%s: cannot set permissions: %s", path,
                  strerror(errno));
    f = fdopen(fd, "wb");
    if (!f)
        DL4C_FAIL(DL4C_IO, "%s: cannot write: %s", path, strerror(errno));
    fd = -1; /* the stream owns it now */

    DL4C_TRY(writer(f, ctx));
    errno = 0;
    if (fflush(f) != 0 || ferror(f))
        DL4C_FAIL(DL4C_IO, "%s: write failed: %s", path,
                  strerror(errno ? errno : EIO));
    if (fsync(fileno(f)) != 0)
        DL4C_FAIL(DL4C_IO, "%s: cannot sync to disk: %s", path,
                  strerror(errno));
    int rc = fclose(f);
    f = NULL;
    if (rc != 0)
        DL4C_FAIL(DL4C_IO, "%s: write failed: %s", path, strerror(errno));
    if (rename(temp, path) != 0)
        DL4C_FAIL(DL4C_IO, "%s: cannot replace: %s", path, strerror(errno));
    dl4c_free(temp);
    temp = NULL;
    /* the new file is in place; a failed directory sync is still reported
     * because the rename may not survive a crash */
    status = sync_dir(dir, path);
    dl4c_free(dir);
    return status;

fail:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    if (temp)
        unlink(temp);
    dl4c_free(temp);
    dl4c_free(dir);
    return status;
}

typedef struct byte_span {
    const void *bytes;
    size_t len;
} byte_span;

static dl4c_status write_span(FILE *f, void *ctx)
{
    const byte_span *s = ctx;
    /* a short write sets the stream's error flag, which the caller checks */
    if (s->len)
        fwrite(s->bytes, 1, s->len, f);
    return DL4C_OK;
}

dl4c_status dl4c_atomic_write_bytes(const char *path, const void *bytes,
                                    size_t len)
{
    byte_span s = {bytes, len};
    if (!bytes && len)
        return dl4c_error_set(DL4C_INVALID_ARG, "%s: NULL data",
                              path ? path : "(null)");
    return dl4c_atomic_write(path, write_span, &s);
}
