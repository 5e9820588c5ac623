/* Internal helpers for every file dl4c reads or writes: explicit
 * little-endian fields and the atomic "temporary file, fsync, rename"
 * write. Nothing here is exported. */
#ifndef DL4C_IO_INTERNAL_H
#define DL4C_IO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dl4c/status.h"

/* Little-endian loads and stores of fixed-width fields at any alignment.
 * They never depend on the host's byte order. */
static inline uint16_t dl4c_load_le16(const void *p)
{
    const unsigned char *b = p;
    return (uint16_t)(b[0] | (unsigned)b[1] << 8);
}

static inline uint32_t dl4c_load_le32(const void *p)
{
    const unsigned char *b = p;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

static inline uint64_t dl4c_load_le64(const void *p)
{
    const unsigned char *b = p;
    return (uint64_t)dl4c_load_le32(b) | (uint64_t)dl4c_load_le32(b + 4) << 32;
}

static inline void dl4c_store_le16(void *p, uint16_t v)
{
    unsigned char *b = p;
    b[0] = (unsigned char)v;
    b[1] = (unsigned char)(v >> 8);
}

static inline void dl4c_store_le32(void *p, uint32_t v)
{
    unsigned char *b = p;
    b[0] = (unsigned char)v;
    b[1] = (unsigned char)(v >> 8);
    b[2] = (unsigned char)(v >> 16);
    b[3] = (unsigned char)(v >> 24);
}

static inline void dl4c_store_le64(void *p, uint64_t v)
{
    unsigned char *b = p;
    dl4c_store_le32(b, (uint32_t)v);
    dl4c_store_le32(b + 4, (uint32_t)(v >> 32));
}

/* Writes the contents of a file to `f`. Returns DL4C_OK, or a status with
 * the thread-local message set (it should name the file). Short writes
 * need not be reported: dl4c_atomic_write checks the stream's error flag
 * after the call. */
typedef dl4c_status (*dl4c_write_fn)(FILE *f, void *ctx);

/* Replaces the file at `path` as one step, so that readers see either the
 * old file or the complete new one, never a partial file, even after a
 * crash or power loss:
 *   1. creates a new temporary file ".<name>.tmp-<unique>" in the same
 *      directory (O_EXCL; with the old file's permission bits when one
 *      exists, otherwise 0666 minus the umask);
 *   2. calls writer(f, ctx) on it;
 *   3. fflush, fsync, fclose, checking each;
 *   4. renames it over `path` and fsyncs the directory.
 * On any failure before the rename the temporary file is removed and
 * `path` is left as it was. The stream is seekable (a regular file), so
 * `writer` may seek back to patch what it wrote. `path` must name a file,
 * not a directory; its directory must exist.
 *
 * Returns DL4C_OK; DL4C_INVALID_ARG for a NULL or empty path or one ending
 * in '/'; DL4C_IO "<path>: <what>: <strerror>" when the temporary file
 * cannot be created, written, synced or renamed; or whatever `writer`
 * returned. Thread-safe as long as no two calls write the same path. */
DL4C_NODISCARD dl4c_status dl4c_atomic_write(const char *path,
                                             dl4c_write_fn writer, void *ctx);

/* dl4c_atomic_write of a byte buffer. */
DL4C_NODISCARD dl4c_status dl4c_atomic_write_bytes(const char *path,
                                                   const void *bytes,
                                                   size_t len);

#endif
