/* Buffered byte input that inflates gzip transparently. The first read
 * decides the mode: a stream starting with 1f 8b is inflated (several
 * concatenated gzip members are read as one stream, as gzip does), any
 * other is passed through. zlib's memory comes from the dl4c allocator. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/byte_reader_internal.h"

#define CHUNK 65536

struct dl4c_byte_reader {
    FILE *f;
    bool own;     /* close f at the end */
    bool started; /* mode decided */
    bool gz;
    bool zinit;  /* zs needs inflateEnd */
    bool in_eof; /* no more raw input */
    bool done;   /* no more output */
    int64_t file_size;
    z_stream zs;
    size_t out_len, out_pos;
    unsigned char in[CHUNK];
    unsigned char out[CHUNK];
};

static voidpf zalloc_fn(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    if (size && items > SIZE_MAX / size)
        return Z_NULL;
    return dl4c_malloc((size_t)items * size);
}

static void zfree_fn(voidpf opaque, voidpf ptr)
{
    (void)opaque;
    dl4c_free(ptr);
}

static dl4c_status make(FILE *f, bool own, dl4c_byte_reader **out)
{
    dl4c_byte_reader *r = dl4c_malloc(sizeof *r);
    if (!r) {
        if (own)
            fclose(f);
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    memset(r, 0, offsetof(dl4c_byte_reader, in));
    r->f = f;
    r->own = own;
    r->file_size = -1;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
        r->file_size = (int64_t)st.st_size;
    *out = r;
    return DL4C_OK;
}

dl4c_status dl4c_byte_reader_open(const char *path, dl4c_byte_reader **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return dl4c_error_set(DL4C_IO, "%s: cannot open: %s", path,
                              strerror(errno));
    return make(f, true, out);
}

dl4c_status dl4c_byte_reader_from_stream(FILE *stream, dl4c_byte_reader **out)
{
    *out = NULL;
    if (!stream)
        return dl4c_error_set(DL4C_INVALID_ARG, "stream is NULL");
    return make(stream, false, out);
}

void dl4c_byte_reader_close(dl4c_byte_reader *r)
{
    if (!r)
        return;
    if (r->zinit)
        inflateEnd(&r->zs);
    if (r->own)
        fclose(r->f);
    dl4c_free(r);
}

bool dl4c_byte_reader_is_gzip(const dl4c_byte_reader *r)
{
    return r->gz;
}

int64_t dl4c_byte_reader_file_size(const dl4c_byte_reader *r)
{
    return r->file_size;
}

static dl4c_status read_raw(dl4c_byte_reader *r, unsigned char *buf, size_t cap,
                            size_t *got)
{
    *got = fread(buf, 1, cap, r->f);
    if (*got < cap) {
        if (ferror(r->f))
            return dl4c_error_set(DL4C_IO, "read error: %s", strerror(errno));
        r->in_eof = true;
    }
    return DL4C_OK;
}

static dl4c_status start(dl4c_byte_reader *r)
{
    size_t got = 0;
    r->started = true;
    DL4C_RETURN_IF(read_raw(r, r->in, CHUNK, &got));
    if (got >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b) {
        r->gz = true;
        r->zs.zalloc = zalloc_fn;
        r->zs.zfree = zfree_fn;
        r->zs.next_in = r->in;
        r->zs.avail_in = (uInt)got;
        if (inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK)
            return dl4c_error_set(DL4C_NOMEM, "cannot start gzip decoding");
        r->zinit = true;
        return DL4C_OK;
    }
    memcpy(r->out, r->in, got);
    r->out_len = got;
    r->done = got == 0;
    return DL4C_OK;
}

/* Inflates into out[] until some output is there or the data ends. */
static dl4c_status fill_gzip(dl4c_byte_reader *r)
{
    r->zs.next_out = r->out;
    r->zs.avail_out = CHUNK;
    while (r->zs.avail_out == CHUNK) {
        if (r->zs.avail_in == 0 && !r->in_eof) {
            size_t got = 0;
            DL4C_RETURN_IF(read_raw(r, r->in, CHUNK, &got));
            r->zs.next_in = r->in;
            r->zs.avail_in = (uInt)got;
        }
        int rc = inflate(&r->zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            /* another gzip member may follow; anything else ends the data */
            if (r->zs.avail_in == 0 && !r->in_eof) {
                size_t got = 0;
                DL4C_RETURN_IF(read_raw(r, r->in, CHUNK, &got));
                r->zs.next_in = r->in;
                r->zs.avail_in = (uInt)got;
            }
            if (r->zs.avail_in >= 2 && r->zs.next_in[0] == 0x1f &&
                r->zs.next_in[1] == 0x8b) {
                inflateReset(&r->zs);
                continue;
            }
            r->done = true;
            break;
        }
        if (rc == Z_BUF_ERROR && r->zs.avail_in == 0 && r->in_eof)
            return dl4c_error_set(DL4C_FORMAT,
                                  "truncated gzip data (the file ends "
                                  "inside the compressed stream)");
        if (rc == Z_MEM_ERROR)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return dl4c_error_set(DL4C_FORMAT, "corrupt gzip data: %s",
                                  r->zs.msg ? r->zs.msg : "inflate failed");
    }
    r->out_len = CHUNK - r->zs.avail_out;
    r->out_pos = 0;
    return DL4C_OK;
}

static dl4c_status fill(dl4c_byte_reader *r)
{
    if (!r->started)
        return start(r);
    if (r->done)
        return DL4C_OK;
    if (r->gz)
        return fill_gzip(r);
    size_t got = 0;
    DL4C_RETURN_IF(read_raw(r, r->out, CHUNK, &got));
    r->out_len = got;
    r->out_pos = 0;
    r->done = got == 0;
    return DL4C_OK;
}

dl4c_status dl4c_byte_reader_read(dl4c_byte_reader *r, void *buf, size_t n,
                                  size_t *got)
{
    unsigned char *to = buf;
    size_t have = 0;
    while (have < n) {
        if (r->out_pos == r->out_len) {
            if (r->done && r->started)
                break;
            r->out_pos = r->out_len = 0;
            dl4c_status st = fill(r);
            if (st != DL4C_OK) {
                *got = have;
                return st;
            }
            if (r->out_len == 0 && r->done)
                break;
            continue;
        }
        size_t take = r->out_len - r->out_pos;
        if (take > n - have)
            take = n - have;
        memcpy(to + have, r->out + r->out_pos, take);
        r->out_pos += take;
        have += take;
    }
    *got = have;
    return DL4C_OK;
}

int dl4c_byte_reader_getc(dl4c_byte_reader *r, dl4c_status *status)
{
    if (r->out_pos < r->out_len)
        return r->out[r->out_pos++];
    unsigned char c;
    size_t got = 0;
    *status = dl4c_byte_reader_read(r, &c, 1, &got);
    return got == 1 ? c : -1;
}
