/* IDX files (the MNIST format), plain or gzip-compressed. Layout, all
 * integers big-endian:
 *
 *   offset 0  u8  0          offset 1  u8  0
 *   offset 2  u8  type: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32,
 *                       0x0E f64
 *   offset 3  u8  rank (1..8)
 *   offset 4  u32 dim[0], ..., dim[rank-1]
 *   then      dim[0]*...*dim[rank-1] elements, row-major, no padding
 *
 * Float elements must be finite. The dims are checked against the bytes that
 * can be there before any buffer of their size is allocated; the elements are
 * then read into a buffer grown only as data arrives, so a lying header costs
 * no more memory than the file really holds. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "data/byte_reader_internal.h"
#include "dl4c/data.h"

/* deflate cannot expand data by more than about 1032:1 */
#define GZIP_MAX_RATIO 1032

static int type_size(int type)
{
    switch (type) {
    case 0x08:
    case 0x09:
        return 1;
    case 0x0B:
        return 2;
    case 0x0C:
    case 0x0D:
        return 4;
    case 0x0E:
        return 8;
    default:
        return 0;
    }
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

static uint64_t be64(const unsigned char *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* Converts n elements to float32; returns the index of the first one
 * that is not finite as float32 (NaN, infinity, or a double out of
 * range), or -1. */
static int64_t convert(int type, const unsigned char *src, int64_t n,
                       float *dst)
{
    switch (type) {
    case 0x08:
        for (int64_t i = 0; i < n; i++)
            dst[i] = (float)src[i];
        break;
    case 0x09:
        for (int64_t i = 0; i < n; i++)
            dst[i] = (float)(int8_t)src[i];
        break;
    case 0x0B:
        for (int64_t i = 0; i < n; i++)
            dst[i] = (float)(int16_t)(uint16_t)((unsigned)src[2 * i] << 8 |
                                                src[2 * i + 1]);
        break;
    case 0x0C:
        for (int64_t i = 0; i < n; i++)
            dst[i] = (float)(int32_t)be32(src + 4 * i);
        break;
    case 0x0D:
        for (int64_t i = 0; i < n; i++) {
            uint32_t u = be32(src + 4 * i);
            float f;
            memcpy(&f, &u, sizeof f);
            if (!isfinite(f))
                return i;
            dst[i] = f;
        }
        break;
    case 0x0E:
        for (int64_t i = 0; i < n; i++) {
            uint64_t u = be64(src + 8 * i);
            double d;
            memcpy(&d, &u, sizeof d);
            if (!isfinite(d) || fabs(d) > FLT_MAX)
                return i;
            dst[i] = (float)d;
        }
        break;
    }
    return -1;
}

static void format_dims(const int64_t *dims, int rank, char *buf, size_t cap)
{
    dl4c_shape s = {.ndim = rank};
    memcpy(s.dim, dims, sizeof(int64_t) * (size_t)rank);
    dl4c_shape_format(&s, buf, cap);
}

/* Reads exactly `need` bytes into a buffer that grows with the data. */
static dl4c_status read_payload(dl4c_byte_reader *in, const char *path,
                                uint64_t need, unsigned char **out)
{
    dl4c_status status = DL4C_OK;
    unsigned char *buf = NULL;
    size_t cap = 0, have = 0;
    *out = NULL;
    while (have < need) {
        if (have == cap) {
            size_t next = cap ? cap * 2 : (size_t)1 << 20;
            if (next > need)
                next = (size_t)need;
            unsigned char *p = dl4c_realloc(buf, next);
            if (!p)
                DL4C_NOMEM_FAIL();
            buf = p;
            cap = next;
        }
        size_t got = 0;
        status = dl4c_byte_reader_read(in, buf + have, cap - have, &got);
        if (status != DL4C_OK) {
            dl4c_error_prefix(status, "%s", path);
            goto fail;
        }
        have += got;
        if (have < cap)
            DL4C_CHECK(have == need, DL4C_FORMAT,
                       "%s: truncated IDX file: %llu of %llu data bytes "
                       "present",
                       path, (unsigned long long)have,
                       (unsigned long long)need);
    }
    *out = buf;
    return DL4C_OK;
fail:
    dl4c_free(buf);
    return status;
}

dl4c_status dl4c_idx_load(const char *path, dl4c_tensor **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_byte_reader *in = NULL;
    unsigned char *payload = NULL;
    dl4c_tensor *t = NULL;
    unsigned char head[4 + 4 * DL4C_MAX_DIMS];
    int64_t dims[DL4C_MAX_DIMS];
    char dimtext[160];
    size_t got = 0;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "idx: out is NULL");
    *out = NULL;
    DL4C_CHECK(path, DL4C_INVALID_ARG, "idx: path is NULL");
    DL4C_TRY(dl4c_byte_reader_open(path, &in));

    status = dl4c_byte_reader_read(in, head, 4, &got);
    if (status != DL4C_OK) {
        dl4c_error_prefix(status, "%s", path);
        goto fail;
    }
    DL4C_CHECK(got == 4, DL4C_FORMAT,
               "%s: truncated IDX file: %zu bytes, a header needs at least 8",
               path, got);
    int type = head[2], rank = head[3], esize = type_size(type);
    DL4C_CHECK(head[0] == 0 && head[1] == 0, DL4C_FORMAT,
               "%s: not an IDX file: magic 0x%08x does not start with two "
               "zero bytes",
               path, (unsigned)be32(head));
    DL4C_CHECK(esize > 0, DL4C_FORMAT,
               "%s: unknown IDX element type 0x%02x (magic 0x%08x)", path,
               (unsigned)type, (unsigned)be32(head));
    DL4C_CHECK(rank >= 1 && rank <= DL4C_MAX_DIMS, DL4C_FORMAT,
               "%s: IDX rank %d outside 1..%d", path, rank, DL4C_MAX_DIMS);

    status = dl4c_byte_reader_read(in, head + 4, (size_t)rank * 4, &got);
    if (status != DL4C_OK) {
        dl4c_error_prefix(status, "%s", path);
        goto fail;
    }
    DL4C_CHECK(got == (size_t)rank * 4, DL4C_FORMAT,
               "%s: truncated IDX header: %d dims need %d bytes, %zu present",
               path, rank, rank * 4, got);
    uint64_t count = 1;
    bool overflow = false;
    for (int i = 0; i < rank; i++) {
        dims[i] = be32(head + 4 + 4 * i);
        DL4C_CHECK(dims[i] > 0, DL4C_FORMAT, "%s: IDX dimension %d is 0", path,
                   i);
        if (count > (UINT64_MAX >> 8) / (uint64_t)dims[i])
            overflow = true;
        else
            count *= (uint64_t)dims[i];
    }
    format_dims(dims, rank, dimtext, sizeof dimtext);
    /* the float32 tensor must be addressable too */
    DL4C_CHECK(!overflow && count <= (uint64_t)INT64_MAX / 8 / sizeof(float),
               DL4C_FORMAT, "%s: absurd IDX dimensions %s: too many elements",
               path, dimtext);
    uint64_t need = count * (uint64_t)esize;
    uint64_t header = 4 + 4 * (uint64_t)rank;
    int64_t fsize = dl4c_byte_reader_file_size(in);
    if (fsize >= 0 && !dl4c_byte_reader_is_gzip(in))
        DL4C_CHECK(need <= (uint64_t)fsize - header, DL4C_FORMAT,
                   "%s: IDX dimensions %s need %llu data bytes but the file "
                   "holds only %llu (truncated file or absurd dimensions)",
                   path, dimtext, (unsigned long long)need,
                   (unsigned long long)((uint64_t)fsize - header));
    if (fsize >= 0 && dl4c_byte_reader_is_gzip(in))
        DL4C_CHECK(need / GZIP_MAX_RATIO <= (uint64_t)fsize, DL4C_FORMAT,
                   "%s: IDX dimensions %s need %llu data bytes, more than "
                   "a %lld-byte gzip file can hold (absurd dimensions)",
                   path, dimtext, (unsigned long long)need, (long long)fsize);
    DL4C_CHECK(need <= SIZE_MAX, DL4C_FORMAT,
               "%s: IDX dimensions %s too large for this machine", path,
               dimtext);

    DL4C_TRY(read_payload(in, path, need, &payload));
    unsigned char extra;
    status = dl4c_byte_reader_read(in, &extra, 1, &got);
    if (status != DL4C_OK) {
        dl4c_error_prefix(status, "%s", path);
        goto fail;
    }
    DL4C_CHECK(got == 0, DL4C_FORMAT,
               "%s: unexpected data after the %llu elements of dimensions %s",
               path, (unsigned long long)count, dimtext);

    DL4C_TRY(dl4c_tensor_create(DL4C_F32, rank, dims, &t));
    int64_t bad = convert(type, payload, (int64_t)count, t->data);
    DL4C_CHECK(bad < 0, DL4C_FORMAT,
               "%s: element %lld is NaN, infinite or outside the float32 "
               "range",
               path, (long long)bad);
    *out = t;
    t = NULL;
fail:
    dl4c_tensor_free(t);
    dl4c_free(payload);
    dl4c_byte_reader_close(in);
    return status;
}
