/* The safetensors container (model files, checkpoints). Byte layout:
 *
 *   offset 0       u64 little-endian N: header length in bytes
 *   offset 8       N bytes of UTF-8 JSON, an object:
 *                    "__metadata__": {"key": "string", ...}   (optional)
 *                    "<name>": {"dtype": "F32", "shape": [d0, d1, ...],
 *                               "data_offsets": [begin, end]}   per tensor
 *                  dl4c pads it with spaces so that 8 + N is a multiple of 8
 *   offset 8 + N   the data buffer; tensor bytes at [begin, end) relative to
 *                  it, row-major, little-endian, covering it exactly
 *
 * A loaded file keeps the whole file in memory and is immutable after
 * validation, so every later call trusts the offsets. Files dl4c writes
 * carry "dl4c.crc32" in the metadata: the zlib CRC-32 of the whole file with
 * those 8 hex digits read as "00000000".
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "dl4c/safetensors.h"
#include "io/io_internal.h"

#define METADATA_KEY "__metadata__"
/* The checksum entry exactly as the writer emits it (compact JSON). */
#define CRC_FIELD "\"" DL4C_SAFETENSORS_CRC_KEY "\":\""
#define CRC_PLACEHOLDER "00000000"
#define CRC_DIGITS 8
/* Host bytes converted per step when streaming tensor data. */
#define CHUNK_BYTES ((size_t)1 << 20)

/* ---- dtypes ----------------------------------------------------------- */

typedef enum st_dtype {
    DL4C_ST_BOOL = 0,
    DL4C_ST_U8,
    DL4C_ST_I8,
    DL4C_ST_F8_E5M2,
    DL4C_ST_F8_E4M3,
    DL4C_ST_I16,
    DL4C_ST_U16,
    DL4C_ST_F16,
    DL4C_ST_BF16,
    DL4C_ST_I32,
    DL4C_ST_U32,
    DL4C_ST_F32,
    DL4C_ST_F64,
    DL4C_ST_I64,
    DL4C_ST_U64,
    DL4C_ST_DTYPE_COUNT
} st_dtype;

static const struct {
    const char *name;
    unsigned size;
} st_dtypes[] = {
    {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1},
    {"I16", 2},  {"U16", 2}, {"F16", 2}, {"BF16", 2},    {"I32", 4},
    {"U32", 4},  {"F32", 4}, {"F64", 8}, {"I64", 8},     {"U64", 8},
};
_Static_assert(sizeof st_dtypes / sizeof st_dtypes[0] == DL4C_ST_DTYPE_COUNT,
               "st_dtypes must cover every st_dtype");

static int st_dtype_find(const char *name)
{
    for (int i = 0; i < DL4C_ST_DTYPE_COUNT; i++)
        if (!strcmp(st_dtypes[i].name, name))
            return i;
    return -1;
}

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

static float f32_from_bits(uint32_t bits)
{
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static double f64_from_bits(uint64_t bits)
{
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* IEEE binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits. */
static float f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t man = h & 0x3ffu;
    if (exp == 0) {
        /* zero or subnormal: man * 2^-24, exact in float */
        float v = (float)man * 0x1p-24f;
        return sign ? -v : v;
    }
    if (exp == 31)
        return f32_from_bits(sign | 0x7f800000u | man << 13);
    return f32_from_bits(sign | (exp + 112) << 23 | man << 13);
}

/* float8 E4M3 ("fn" variant): bias 7, no infinities, S.1111.111 is NaN. */
static float f8_e4m3_to_f32(uint8_t b)
{
    unsigned exp = (b >> 3) & 0xfu, man = b & 0x7u;
    float v;
    if (exp == 15 && man == 7)
        return NAN;
    if (exp == 0)
        v = (float)man * 0x1p-9f;
    else
        v = ldexpf(1.0f + (float)man / 8.0f, (int)exp - 7);
    return (b & 0x80u) ? -v : v;
}

/* Converts n stored elements at src to dl4c `to` (F32/F64) at dst. */
static void convert(st_dtype from, const unsigned char *src, int64_t n,
                    dl4c_dtype to, void *dst)
{
#define CONVERT(size, expr)                                                    \
    do {                                                                       \
        if (to == DL4C_F32) {                                                  \
            float *o_ = dst;                                                   \
            for (int64_t i = 0; i < n; i++) {                                  \
                const unsigned char *p = src + (size_t)i * (size);             \
                o_[i] = (float)(expr);                                         \
            }                                                                  \
        } else {                                                               \
            double *o_ = dst;                                                  \
            for (int64_t i = 0; i < n; i++) {                                  \
                const unsigned char *p = src + (size_t)i * (size);             \
                o_[i] = (double)(expr);                                        \
            }                                                                  \
        }                                                                      \
    } while (0)

    if (host_is_little_endian() && ((from == DL4C_ST_F32 && to == DL4C_F32) ||
                                    (from == DL4C_ST_F64 && to == DL4C_F64))) {
        memcpy(dst, src, (size_t)n * st_dtypes[from].size);
        return;
    }
    switch (from) {
    case DL4C_ST_BOOL:
        CONVERT(1, p[0] ? 1 : 0);
        break;
    case DL4C_ST_U8:
        CONVERT(1, p[0]);
        break;
    case DL4C_ST_I8:
        CONVERT(1, (int8_t)p[0]);
        break;
    case DL4C_ST_F8_E5M2:
        CONVERT(1, f16_to_f32((uint16_t)(p[0] << 8)));
        break;
    case DL4C_ST_F8_E4M3:
        CONVERT(1, f8_e4m3_to_f32(p[0]));
        break;
    case DL4C_ST_I16:
        CONVERT(2, (int16_t)dl4c_load_le16(p));
        break;
    case DL4C_ST_U16:
        CONVERT(2, dl4c_load_le16(p));
        break;
    case DL4C_ST_F16:
        CONVERT(2, f16_to_f32(dl4c_load_le16(p)));
        break;
    case DL4C_ST_BF16:
        CONVERT(2, f32_from_bits((uint32_t)dl4c_load_le16(p) << 16));
        break;
    case DL4C_ST_I32:
        CONVERT(4, (int32_t)dl4c_load_le32(p));
        break;
    case DL4C_ST_U32:
        CONVERT(4, dl4c_load_le32(p));
        break;
    case DL4C_ST_F32:
        CONVERT(4, f32_from_bits(dl4c_load_le32(p)));
        break;
    case DL4C_ST_F64:
        CONVERT(8, f64_from_bits(dl4c_load_le64(p)));
        break;
    case DL4C_ST_I64:
        CONVERT(8, (int64_t)dl4c_load_le64(p));
        break;
    case DL4C_ST_U64:
        CONVERT(8, dl4c_load_le64(p));
        break;
    default:
        break;
    }
#undef CONVERT
}

/* Rewrites n host F32/F64 elements in place as little-endian bytes. */
static void to_little_endian(dl4c_dtype dtype, void *buf, int64_t n)
{
    unsigned char *p = buf;
    if (host_is_little_endian())
        return;
    if (dtype == DL4C_F32) {
        for (int64_t i = 0; i < n; i++, p += 4) {
            uint32_t bits;
            memcpy(&bits, p, 4);
            dl4c_store_le32(p, bits);
        }
    } else {
        for (int64_t i = 0; i < n; i++, p += 8) {
            uint64_t bits;
            memcpy(&bits, p, 8);
            dl4c_store_le64(p, bits);
        }
    }
}

/* ---- shared helpers --------------------------------------------------- */

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF),
 * as JSON text requires. */
static int utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p, len, min;
        uint32_t cp;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        for (unsigned k = 1; k < len; k++) {
            if ((p[k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (p[k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        p += len;
    }
    return 1;
}

/* Position of the first `needle` in hay[0..len), or len when absent. */
static size_t find_bytes(const unsigned char *hay, size_t len,
                         const char *needle, size_t nlen)
{
    for (size_t i = 0; nlen <= len && i <= len - nlen; i++)
        if (hay[i] == (unsigned char)needle[0] &&
            !memcmp(hay + i, needle, nlen))
            return i;
    return len;
}

/* zlib's crc32 over any length (its length argument may be 32 bits). */
static uLong crc_update(uLong crc, const void *bytes, size_t len)
{
    const Bytef *p = bytes;
    while (len) {
        uInt step = len > (1u << 30) ? (1u << 30) : (uInt)len;
        crc = crc32(crc, p, step);
        p += step;
        len -= step;
    }
    return crc;
}

static void crc_hex(uLong crc, char out[CRC_DIGITS + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < CRC_DIGITS; i++)
        out[i] = digits[(crc >> (4 * (CRC_DIGITS - 1 - i))) & 0xfu];
    out[CRC_DIGITS] = '\0';
}

/* ---- writer ----------------------------------------------------------- */

typedef struct wtensor {
    char *name;
    const dl4c_tensor *t;
} wtensor;

typedef struct wmeta {
    char *key;
    char *value;
} wmeta;

/* Both arrays stay sorted by name/key (strcmp), which is the file order. */
struct dl4c_safetensors_writer {
    wtensor *tensors;
    size_t count, cap;
    wmeta *meta;
    size_t meta_count, meta_cap;
};

dl4c_status dl4c_safetensors_writer_create(dl4c_safetensors_writer **out)
{
    if (!out)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "safetensors writer: NULL output pointer");
    *out = dl4c_calloc(1, sizeof **out);
    if (!*out)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return DL4C_OK;
}

void dl4c_safetensors_writer_free(dl4c_safetensors_writer *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->count; i++)
        dl4c_free(w->tensors[i].name);
    for (size_t i = 0; i < w->meta_count; i++) {
        dl4c_free(w->meta[i].key);
        dl4c_free(w->meta[i].value);
    }
    dl4c_free(w->tensors);
    dl4c_free(w->meta);
    dl4c_free(w);
}

/* Grows *items (of `size` bytes each) so one more fits. */
static int grow(void **items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return 1;
    size_t n = *cap ? *cap * 2 : 16;
    if (n > SIZE_MAX / size)
        return 0;
    void *p = dl4c_realloc(*items, n * size);
    if (!p)
        return 0;
    *items = p;
    *cap = n;
    return 1;
}

dl4c_status dl4c_safetensors_writer_add(dl4c_safetensors_writer *w,
                                        const char *name, const dl4c_tensor *t)
{
    if (!w || !name || !t)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "safetensors writer: NULL argument");
    if (!utf8_valid(name))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "safetensors writer: tensor name is not UTF-8");
    if (!strcmp(name, METADATA_KEY))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "safetensors writer: '%s' is reserved for "
                              "metadata",
                              METADATA_KEY);
    if (!dl4c_dtype_size(t->dtype))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "safetensors writer: tensor '%s' has invalid "
                              "dtype %d",
                              name, (int)t->dtype);
    size_t at = 0;
    while (at < w->count && strcmp(w->tensors[at].name, name) < 0)
        at++;
    if (at < w->count && !strcmp(w->tensors[at].name, name))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "safetensors writer: tensor '%s' added twice",
                              name);
    char *copy = dl4c_strdup(name);
    if (!copy ||
        !grow((void **)&w->tensors, &w->cap, w->count, sizeof *w->tensors)) {
        dl4c_free(copy);
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    memmove(w->tensors + at + 1, w->tensors + at,
            (w->count - at) * sizeof *w->tensors);
    w->tensors[at] = (wtensor){copy, t};
    w->count++;
    return DL4C_OK;
}

dl4c_status dl4c_safetensors_writer_set_metadata(dl4c_safetensors_writer *w,
                                                 const char *key,
                                                 const char *value)
{
    if (!w || !key || !value)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "safetensors writer: NULL argument");
    if (!utf8_valid(key) || !utf8_valid(value))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "safetensors writer: metadata '%s' is not "
                              "UTF-8",
                              utf8_valid(key) ? key : "(key)");
    if (!strcmp(key, DL4C_SAFETENSORS_CRC_KEY))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "safetensors writer: metadata key '%s' is "
                              "reserved (the writer sets it)",
                              key);
    size_t at = 0;
    while (at < w->meta_count && strcmp(w->meta[at].key, key) < 0)
        at++;
    char *v = dl4c_strdup(value);
    if (!v)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    if (at < w->meta_count && !strcmp(w->meta[at].key, key)) {
        dl4c_free(w->meta[at].value);
        w->meta[at].value = v;
        return DL4C_OK;
    }
    char *k = dl4c_strdup(key);
    if (!k || !grow((void **)&w->meta, &w->meta_cap, w->meta_count,
                    sizeof *w->meta)) {
        dl4c_free(k);
        dl4c_free(v);
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    memmove(w->meta + at + 1, w->meta + at,
            (w->meta_count - at) * sizeof *w->meta);
    w->meta[at] = (wmeta){k, v};
    w->meta_count++;
    return DL4C_OK;
}

/* 0 on success, -1 when jansson ran out of memory. */
static int set_new(json_t *obj, const char *key, json_t *value)
{
    return value ? json_object_set_new(obj, key, value) : -1;
}

/* The header object: metadata (user keys plus the checksum placeholder, in
 * key order) first, then the tensors in name order. NULL on NOMEM. */
static json_t *header_json(const dl4c_safetensors_writer *w)
{
    json_t *root = json_object(), *meta = json_object();
    int bad = !root || !meta;
    int crc_done = 0;
    for (size_t i = 0; !bad && i <= w->meta_count; i++) {
        const char *key = i < w->meta_count ? w->meta[i].key : NULL;
        if (!crc_done && (!key || strcmp(key, DL4C_SAFETENSORS_CRC_KEY) > 0)) {
            bad |= set_new(meta, DL4C_SAFETENSORS_CRC_KEY,
                           json_string(CRC_PLACEHOLDER));
            crc_done = 1;
        }
        if (key)
            bad |= set_new(meta, key, json_string(w->meta[i].value));
    }
    if (!bad) {
        bad |= json_object_set_new(root, METADATA_KEY, meta);
        meta = NULL;
    }
    int64_t offset = 0;
    for (size_t i = 0; !bad && i < w->count; i++) {
        const dl4c_tensor *t = w->tensors[i].t;
        int64_t bytes = t->size * (int64_t)dl4c_dtype_size(t->dtype);
        json_t *entry = json_object(), *shape = json_array();
        bad |= set_new(root, w->tensors[i].name, entry);
        bad |= set_new(entry, "dtype",
                       json_string(t->dtype == DL4C_F32 ? "F32" : "F64"));
        bad |= set_new(entry, "shape", shape);
        for (int d = 0; !bad && d < t->ndim; d++)
            bad |= json_array_append_new(shape, json_integer(t->shape[d]));
        bad |= set_new(entry, "data_offsets",
                       json_pack("[II]", (json_int_t)offset,
                                 (json_int_t)(offset + bytes)));
        offset += bytes;
    }
    json_decref(meta);
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

typedef struct save_ctx {
    const dl4c_safetensors_writer *w;
    const char *path;
    unsigned char *head; /* length field + padded JSON */
    size_t head_len;
    size_t crc_at; /* offset of the checksum digits in head */
    unsigned char *chunk;
} save_ctx;

/* Streams header and tensor data into the temporary file while computing
 * the checksum, then patches the digits in place. The file is never held
 * in memory whole, and the checksum covers exactly the bytes written. */
static dl4c_status write_file(FILE *f, void *ctx)
{
    dl4c_status status = DL4C_OK;
    const save_ctx *s = ctx;
    uLong crc = crc_update(crc32(0, Z_NULL, 0), s->head, s->head_len);
    if (fwrite(s->head, 1, s->head_len, f) != s->head_len)
        DL4C_FAIL(DL4C_IO, "%s: write failed: %s", s->path, strerror(errno));
    for (size_t i = 0; i < s->w->count; i++) {
        const dl4c_tensor *t = s->w->tensors[i].t;
        size_t esize = dl4c_dtype_size(t->dtype);
        size_t per_chunk = CHUNK_BYTES / esize;
        for (int64_t done = 0; done < t->size;) {
            int64_t n = t->size - done;
            if (n > (int64_t)per_chunk)
                n = (int64_t)per_chunk;
            size_t bytes = (size_t)n * esize;
            t->backend->to_host(
                s->chunk, (const char *)t->data + (size_t)done * esize, bytes);
            to_little_endian(t->dtype, s->chunk, n);
            crc = crc_update(crc, s->chunk, bytes);
            if (fwrite(s->chunk, 1, bytes, f) != bytes)
                DL4C_FAIL(DL4C_IO, "%s: write failed: %s", s->path,
                          strerror(errno));
            done += n;
        }
    }
    char hex[CRC_DIGITS + 1];
    crc_hex(crc, hex);
    if (fseek(f, (long)s->crc_at, SEEK_SET) != 0 ||
        fwrite(hex, 1, CRC_DIGITS, f) != CRC_DIGITS)
        DL4C_FAIL(DL4C_IO, "%s: write failed: %s", s->path, strerror(errno));
fail:
    return status;
}

dl4c_status dl4c_safetensors_writer_save(const dl4c_safetensors_writer *w,
                                         const char *path)
{
    dl4c_status status = DL4C_OK;
    save_ctx s = {w, path, NULL, 0, 0, NULL};
    json_t *root = NULL;
    DL4C_CHECK(w && path, DL4C_INVALID_ARG,
               "safetensors writer: NULL argument");

    int64_t total = 0;
    for (size_t i = 0; i < w->count; i++) {
        const dl4c_tensor *t = w->tensors[i].t;
        int64_t bytes = t->size * (int64_t)dl4c_dtype_size(t->dtype);
        DL4C_CHECK(total <= INT64_MAX - bytes, DL4C_INVALID_ARG,
                   "%s: tensors too large for one file", path);
        total += bytes;
    }
    root = header_json(w);
    if (!root)
        DL4C_NOMEM_FAIL();
    size_t json_len = json_dumpb(root, NULL, 0, JSON_COMPACT);
    DL4C_CHECK(json_len > 0, DL4C_NOMEM, "%s: cannot format the header", path);
    size_t padded = (json_len + 7) & ~(size_t)7;
    DL4C_CHECK(padded <= DL4C_SAFETENSORS_MAX_HEADER, DL4C_INVALID_ARG,
               "%s: header of %zu bytes is above the limit of %d (too much "
               "metadata?)",
               path, padded, DL4C_SAFETENSORS_MAX_HEADER);
    s.head_len = 8 + padded;
    s.head = dl4c_malloc(s.head_len);
    s.chunk = dl4c_malloc(CHUNK_BYTES);
    if (!s.head || !s.chunk)
        DL4C_NOMEM_FAIL();
    dl4c_store_le64(s.head, padded);
    DL4C_CHECK(json_dumpb(root, (char *)s.head + 8, json_len, JSON_COMPACT) ==
                   json_len,
               DL4C_INTERNAL, "%s: header size changed while formatting", path);
    memset(s.head + 8 + json_len, ' ', padded - json_len);
    /* compact JSON escapes every quote inside strings, so this pattern can
     * only be the checksum entry itself */
    size_t at = find_bytes(s.head + 8, json_len, CRC_FIELD, strlen(CRC_FIELD));
    DL4C_CHECK(at < json_len, DL4C_INTERNAL,
               "%s: checksum placeholder missing from the header", path);
    s.crc_at = 8 + at + strlen(CRC_FIELD);
    DL4C_TRY(dl4c_atomic_write(path, write_file, &s));
fail:
    json_decref(root);
    dl4c_free(s.head);
    dl4c_free(s.chunk);
    return status;
}

/* ---- reader ----------------------------------------------------------- */

typedef struct entry {
    char *name;
    st_dtype dtype;
    int ndim;
    int64_t dim[DL4C_MAX_DIMS];
    int64_t count; /* elements */
    uint64_t begin, end;
} entry;

typedef struct meta_entry {
    char *key;
    char *value;
} meta_entry;

struct dl4c_safetensors {
    char *name; /* path or caller's name, for messages */
    unsigned char *bytes;
    size_t len;
    const unsigned char *data; /* the data buffer inside bytes */
    size_t data_len;
    entry *entries; /* sorted by name */
    size_t count;
    meta_entry *meta; /* sorted by key */
    size_t meta_count;
};

void dl4c_safetensors_free(dl4c_safetensors *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->count; i++)
        dl4c_free(f->entries[i].name);
    for (size_t i = 0; i < f->meta_count; i++) {
        dl4c_free(f->meta[i].key);
        dl4c_free(f->meta[i].value);
    }
    dl4c_free(f->entries);
    dl4c_free(f->meta);
    dl4c_free(f->bytes);
    dl4c_free(f->name);
    dl4c_free(f);
}

static int entry_by_name(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static int meta_by_key(const void *a, const void *b)
{
    return strcmp(((const meta_entry *)a)->key, ((const meta_entry *)b)->key);
}

static int entry_by_offset(const void *a, const void *b)
{
    const entry *x = *(const entry *const *)a, *y = *(const entry *const *)b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

/* A non-negative JSON integer, or -1. */
static int64_t json_count(const json_t *v)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -1;
    return (int64_t)json_integer_value(v);
}

/* Validates one tensor entry of the header into *e (name set already). */
static dl4c_status parse_entry(const char *file, const char *name,
                               const json_t *obj, entry *e)
{
    dl4c_status status = DL4C_OK;
    DL4C_CHECK(json_is_object(obj), DL4C_FORMAT,
               "%s: tensor '%s': entry is not an object", file, name);
    const json_t *dtype = json_object_get(obj, "dtype");
    const json_t *shape = json_object_get(obj, "shape");
    const json_t *offsets = json_object_get(obj, "data_offsets");
    DL4C_CHECK(dtype, DL4C_FORMAT, "%s: tensor '%s': missing 'dtype'", file,
               name);
    DL4C_CHECK(json_is_string(dtype), DL4C_FORMAT,
               "%s: tensor '%s': 'dtype' is not a string", file, name);
    int dt = st_dtype_find(json_string_value(dtype));
    DL4C_CHECK(dt >= 0, DL4C_FORMAT, "%s: tensor '%s': unknown dtype '%s'",
               file, name, json_string_value(dtype));
    e->dtype = (st_dtype)dt;

    DL4C_CHECK(shape, DL4C_FORMAT, "%s: tensor '%s': missing 'shape'", file,
               name);
    DL4C_CHECK(json_is_array(shape), DL4C_FORMAT,
               "%s: tensor '%s': 'shape' is not an array", file, name);
    size_t ndim = json_array_size(shape);
    DL4C_CHECK(ndim <= DL4C_MAX_DIMS, DL4C_UNSUPPORTED,
               "%s: tensor '%s': rank %zu is above dl4c's limit of %d", file,
               name, ndim, DL4C_MAX_DIMS);
    e->ndim = (int)ndim;
    /* element count and byte size must both fit in int64 */
    int64_t limit = INT64_MAX / (int64_t)st_dtypes[dt].size;
    int64_t count = 1;
    int overflow = 0;
    for (size_t d = 0; d < ndim; d++) {
        const json_t *v = json_array_get(shape, d);
        DL4C_CHECK(json_is_integer(v), DL4C_FORMAT,
                   "%s: tensor '%s': shape[%zu] is not an integer", file, name,
                   d);
        int64_t dim = json_count(v);
        DL4C_CHECK(dim >= 0, DL4C_FORMAT,
                   "%s: tensor '%s': shape[%zu] is negative (%lld)", file, name,
                   d, (long long)json_integer_value(v));
        e->dim[d] = dim;
        if (dim && count > limit / dim)
            overflow = 1;
        else
            count *= dim;
    }
    /* a zero dim makes the product 0 whatever the other dims are */
    if (count == 0)
        overflow = 0;
    DL4C_CHECK(!overflow, DL4C_FORMAT,
               "%s: tensor '%s': shape is too large (its size overflows)", file,
               name);
    e->count = count;

    DL4C_CHECK(offsets, DL4C_FORMAT, "%s: tensor '%s': missing 'data_offsets'",
               file, name);
    DL4C_CHECK(
        json_is_array(offsets) && json_array_size(offsets) == 2, DL4C_FORMAT,
        "%s: tensor '%s': 'data_offsets' is not [begin, end]", file, name);
    int64_t begin = json_count(json_array_get(offsets, 0));
    int64_t end = json_count(json_array_get(offsets, 1));
    DL4C_CHECK(begin >= 0 && end >= 0, DL4C_FORMAT,
               "%s: tensor '%s': 'data_offsets' are not two non-negative "
               "integers",
               file, name);
    DL4C_CHECK(begin <= end, DL4C_FORMAT,
               "%s: tensor '%s': data_offsets [%lld, %lld] end before they "
               "begin",
               file, name, (long long)begin, (long long)end);
    int64_t need = count * (int64_t)st_dtypes[dt].size;
    if (end - begin != need) {
        dl4c_shape s = {.ndim = e->ndim};
        memcpy(s.dim, e->dim, sizeof(int64_t) * ndim);
        char buf[256];
        DL4C_FAIL(DL4C_FORMAT,
                  "%s: tensor '%s': data_offsets [%lld, %lld] hold %lld "
                  "bytes, but shape %s of %s needs %lld",
                  file, name, (long long)begin, (long long)end,
                  (long long)(end - begin),
                  dl4c_shape_format(&s, buf, sizeof buf), st_dtypes[dt].name,
                  (long long)need);
    }
    e->begin = (uint64_t)begin;
    e->end = (uint64_t)end;
fail:
    return status;
}

static dl4c_status parse_metadata(dl4c_safetensors *f, const json_t *obj)
{
    dl4c_status status = DL4C_OK;
    DL4C_CHECK(json_is_object(obj), DL4C_FORMAT, "%s: '%s' is not an object",
               f->name, METADATA_KEY);
    f->meta = dl4c_calloc(json_object_size(obj) + 1, sizeof *f->meta);
    if (!f->meta)
        DL4C_NOMEM_FAIL();
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value)
    {
        DL4C_CHECK(json_is_string(value), DL4C_FORMAT,
                   "%s: metadata '%s' is not a string", f->name, key);
        meta_entry *m = &f->meta[f->meta_count];
        m->key = dl4c_strdup(key);
        m->value = dl4c_strdup(json_string_value(value));
        f->meta_count++;
        if (!m->key || !m->value)
            DL4C_NOMEM_FAIL();
    }
    qsort(f->meta, f->meta_count, sizeof *f->meta, meta_by_key);
fail:
    return status;
}

/* The tensors must tile the data buffer exactly: sorted by offset, each
 * starts where the previous one ended and the last ends at its end. */
static dl4c_status check_layout(const dl4c_safetensors *f)
{
    dl4c_status status = DL4C_OK;
    const entry **order = dl4c_calloc(f->count + 1, sizeof *order);
    if (!order)
        DL4C_NOMEM_FAIL();
    for (size_t i = 0; i < f->count; i++)
        order[i] = &f->entries[i];
    qsort(order, f->count, sizeof *order, entry_by_offset);
    uint64_t pos = 0;
    for (size_t i = 0; i < f->count; i++) {
        const entry *e = order[i];
        if (e->begin < pos)
            DL4C_FAIL(DL4C_FORMAT,
                      "%s: tensors '%s' and '%s' overlap (data_offsets "
                      "[%llu, %llu] and [%llu, %llu])",
                      f->name, order[i - 1]->name, e->name,
                      (unsigned long long)order[i - 1]->begin,
                      (unsigned long long)order[i - 1]->end,
                      (unsigned long long)e->begin, (unsigned long long)e->end);
        if (e->begin > pos && e->end > f->data_len)
            DL4C_FAIL(DL4C_FORMAT,
                      "%s: tensor '%s': data_offsets [%llu, %llu] lie "
                      "outside the data buffer (%zu bytes)",
                      f->name, e->name, (unsigned long long)e->begin,
                      (unsigned long long)e->end, f->data_len);
        if (e->begin > pos)
            DL4C_FAIL(DL4C_FORMAT,
                      "%s: %llu unused bytes in the data before tensor '%s' "
                      "(data_offsets [%llu, %llu])",
                      f->name, (unsigned long long)(e->begin - pos), e->name,
                      (unsigned long long)e->begin, (unsigned long long)e->end);
        pos = e->end;
    }
    if (pos > f->data_len)
        DL4C_FAIL(DL4C_FORMAT,
                  "%s: truncated: the tensors need %llu bytes of data but "
                  "only %zu are present",
                  f->name, (unsigned long long)pos, f->data_len);
    if (pos < f->data_len)
        DL4C_FAIL(DL4C_FORMAT,
                  "%s: %llu trailing byte%s after the last tensor's data",
                  f->name, (unsigned long long)(f->data_len - pos),
                  f->data_len - pos == 1 ? "" : "s");
fail:
    dl4c_free((void *)order);
    return status;
}

static int is_json_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Verifies the checksum entry `value` against the file. The digits are
 * located in the raw header as "dl4c.crc32" ws ':' ws '"' 8 digits '"';
 * this must occur exactly once (quotes inside JSON strings are escaped, so
 * only real tokens match). */
static dl4c_status check_crc(const dl4c_safetensors *f, size_t header_len,
                             const char *value)
{
    dl4c_status status = DL4C_OK;
    static const char key[] = "\"" DL4C_SAFETENSORS_CRC_KEY "\"";
    const size_t key_len = sizeof key - 1;
    const unsigned char *h = f->bytes + 8;
    size_t found = 0, digits_at = 0;

    size_t len = strlen(value);
    int hex = len == CRC_DIGITS;
    for (size_t i = 0; hex && i < len; i++)
        hex = (value[i] >= '0' && value[i] <= '9') ||
              (value[i] >= 'a' && value[i] <= 'f');
    DL4C_CHECK(hex, DL4C_FORMAT,
               "%s: metadata '%s' is '%.40s', not %d lower-case hex digits",
               f->name, DL4C_SAFETENSORS_CRC_KEY, value, CRC_DIGITS);

    for (size_t i = 0; i + key_len <= header_len; i++) {
        if (h[i] != '"' || memcmp(h + i, key, key_len))
            continue;
        size_t p = i + key_len;
        while (p < header_len && is_json_space(h[p]))
            p++;
        if (p >= header_len || h[p++] != ':')
            continue;
        while (p < header_len && is_json_space(h[p]))
            p++;
        if (p + CRC_DIGITS + 2 > header_len || h[p] != '"' ||
            h[p + 1 + CRC_DIGITS] != '"')
            continue;
        found++;
        digits_at = 8 + p + 1;
    }
    DL4C_CHECK(found == 1 && !memcmp(f->bytes + digits_at, value, CRC_DIGITS),
               DL4C_FORMAT,
               "%s: the checksum entry '%s' is not in the form dl4c writes",
               f->name, DL4C_SAFETENSORS_CRC_KEY);

    uLong crc = crc_update(crc32(0, Z_NULL, 0), f->bytes, digits_at);
    crc = crc_update(crc, CRC_PLACEHOLDER, CRC_DIGITS);
    crc = crc_update(crc, f->bytes + digits_at + CRC_DIGITS,
                     f->len - digits_at - CRC_DIGITS);
    char want[CRC_DIGITS + 1];
    crc_hex(crc, want);
    DL4C_CHECK(!memcmp(want, value, CRC_DIGITS), DL4C_FORMAT,
               "%s: checksum mismatch: the file was altered or damaged "
               "(stored %s, computed %s)",
               f->name, value, want);
fail:
    return status;
}

/* Validates f->bytes (set, owned by f) and fills in the rest of f. */
static dl4c_status parse_file(dl4c_safetensors *f)
{
    dl4c_status status = DL4C_OK;
    json_t *root = NULL;
    json_error_t jerr;

    DL4C_CHECK(f->len >= 8, DL4C_FORMAT,
               "%s: truncated: %zu bytes, too short for a safetensors file "
               "(the header length alone takes 8)",
               f->name, f->len);
    uint64_t header_len = dl4c_load_le64(f->bytes);
    DL4C_CHECK(header_len <= DL4C_SAFETENSORS_MAX_HEADER, DL4C_FORMAT,
               "%s: header length %llu is absurd (limit %d bytes): not a "
               "safetensors file, or damaged",
               f->name, (unsigned long long)header_len,
               DL4C_SAFETENSORS_MAX_HEADER);
    DL4C_CHECK(header_len <= f->len - 8, DL4C_FORMAT,
               "%s: truncated: header length %llu runs past the end of the "
               "file (%zu bytes)",
               f->name, (unsigned long long)header_len, f->len);
    f->data = f->bytes + 8 + header_len;
    f->data_len = f->len - 8 - (size_t)header_len;

    root = json_loadb((const char *)f->bytes + 8, (size_t)header_len,
                      JSON_REJECT_DUPLICATES, &jerr);
    DL4C_CHECK(root, DL4C_FORMAT,
               "%s: header is not valid JSON: %s (header byte %d)", f->name,
               jerr.text, jerr.position);
    DL4C_CHECK(json_is_object(root), DL4C_FORMAT,
               "%s: header is not a JSON object", f->name);

    const json_t *meta = json_object_get(root, METADATA_KEY);
    size_t tensors = json_object_size(root) - (meta ? 1 : 0);
    f->entries = dl4c_calloc(tensors + 1, sizeof *f->entries);
    if (!f->entries)
        DL4C_NOMEM_FAIL();
    if (meta)
        DL4C_TRY(parse_metadata(f, meta));

    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        if (!strcmp(key, METADATA_KEY))
            continue;
        entry *e = &f->entries[f->count];
        DL4C_TRY(parse_entry(f->name, key, value, e));
        e->name = dl4c_strdup(key);
        if (!e->name)
            DL4C_NOMEM_FAIL();
        f->count++;
    }
    DL4C_TRY(check_layout(f));

    const char *crc = dl4c_safetensors_metadata(f, DL4C_SAFETENSORS_CRC_KEY);
    if (crc)
        DL4C_TRY(check_crc(f, (size_t)header_len, crc));
    qsort(f->entries, f->count, sizeof *f->entries, entry_by_name);
fail:
    json_decref(root);
    return status;
}

/* Takes ownership of bytes (dl4c_malloc'd) in every case. */
static dl4c_status parse_owned(unsigned char *bytes, size_t len,
                               const char *name, dl4c_safetensors **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_safetensors *f = dl4c_calloc(1, sizeof *f);
    if (!f) {
        dl4c_free(bytes);
        DL4C_NOMEM_FAIL();
    }
    f->bytes = bytes;
    f->len = len;
    f->name = dl4c_strdup(name);
    if (!f->name)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(parse_file(f));
    *out = f;
    return DL4C_OK;
fail:
    dl4c_safetensors_free(f);
    return status;
}

dl4c_status dl4c_safetensors_parse(const void *bytes, size_t len,
                                   const char *name, dl4c_safetensors **out)
{
    dl4c_status status = DL4C_OK;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "safetensors: NULL output pointer");
    *out = NULL;
    DL4C_CHECK(bytes || !len, DL4C_INVALID_ARG, "safetensors: NULL bytes");
    unsigned char *copy = dl4c_malloc(len);
    if (!copy)
        DL4C_NOMEM_FAIL();
    if (len)
        memcpy(copy, bytes, len);
    DL4C_TRY(parse_owned(copy, len, name ? name : "<memory>", out));
fail:
    return status;
}

dl4c_status dl4c_safetensors_load(const char *path, dl4c_safetensors **out)
{
    dl4c_status status = DL4C_OK;
    FILE *fp = NULL;
    unsigned char *bytes = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "safetensors: NULL output pointer");
    *out = NULL;
    DL4C_CHECK(path, DL4C_INVALID_ARG, "safetensors: NULL path");
    fp = fopen(path, "rb");
    DL4C_CHECK(fp, DL4C_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    DL4C_CHECK(fstat(fileno(fp), &st) == 0, DL4C_IO, "%s: cannot open: %s",
               path, strerror(errno));
    DL4C_CHECK(S_ISREG(st.st_mode), DL4C_IO,
               "%s: cannot open: not a regular file", path);
    DL4C_CHECK((uint64_t)st.st_size <= SIZE_MAX, DL4C_NOMEM,
               "%s: file too large for memory", path);
    size_t len = (size_t)st.st_size;
    bytes = dl4c_malloc(len);
    if (!bytes)
        DL4C_FAIL(DL4C_NOMEM, "%s: out of memory reading %zu bytes", path, len);
    size_t got = len ? fread(bytes, 1, len, fp) : 0;
    DL4C_CHECK(got == len, DL4C_IO, "%s: read failed: %s", path,
               ferror(fp) ? strerror(errno) : "file shrank while reading");
    fclose(fp);
    fp = NULL;
    status = parse_owned(bytes, len, path, out);
    bytes = NULL;
fail:
    if (fp)
        fclose(fp);
    dl4c_free(bytes);
    return status;
}

size_t dl4c_safetensors_count(const dl4c_safetensors *f)
{
    return f ? f->count : 0;
}

const char *dl4c_safetensors_name(const dl4c_safetensors *f, size_t i)
{
    return f && i < f->count ? f->entries[i].name : NULL;
}

static const entry *find_entry(const dl4c_safetensors *f, const char *name)
{
    if (!f || !name || !f->count)
        return NULL;
    entry key = {.name = (char *)name};
    return bsearch(&key, f->entries, f->count, sizeof *f->entries,
                   entry_by_name);
}

int dl4c_safetensors_has(const dl4c_safetensors *f, const char *name)
{
    return find_entry(f, name) != NULL;
}

const char *dl4c_safetensors_stored_dtype(const dl4c_safetensors *f,
                                          const char *name)
{
    const entry *e = find_entry(f, name);
    return e ? st_dtypes[e->dtype].name : NULL;
}

/* The entry for `name`, or DL4C_FORMAT naming the file. */
static dl4c_status lookup(const dl4c_safetensors *f, const char *name,
                          const entry **out)
{
    if (!f || !name)
        return dl4c_error_set(DL4C_INVALID_ARG, "safetensors: NULL argument");
    *out = find_entry(f, name);
    if (!*out)
        return dl4c_error_set(DL4C_FORMAT, "%s: no tensor '%s'", f->name, name);
    return DL4C_OK;
}

static dl4c_shape entry_shape(const entry *e)
{
    dl4c_shape s = {.ndim = e->ndim};
    memcpy(s.dim, e->dim, sizeof(int64_t) * (size_t)e->ndim);
    return s;
}

dl4c_status dl4c_safetensors_shape(const dl4c_safetensors *f, const char *name,
                                   dl4c_shape *shape)
{
    const entry *e = NULL;
    if (!shape)
        return dl4c_error_set(DL4C_INVALID_ARG, "safetensors: NULL argument");
    DL4C_RETURN_IF(lookup(f, name, &e));
    *shape = entry_shape(e);
    return DL4C_OK;
}

/* Converts entry e into dst->data (host or device) as dst->dtype. */
static dl4c_status fill_tensor(const dl4c_safetensors *f, const entry *e,
                               dl4c_tensor *dst)
{
    const unsigned char *src = f->data + e->begin;
    if (dst->backend == dl4c_backend_cpu()) {
        convert(e->dtype, src, e->count, dst->dtype, dst->data);
        return DL4C_OK;
    }
    size_t bytes = (size_t)e->count * dl4c_dtype_size(dst->dtype);
    void *host = dl4c_malloc(bytes);
    if (!host)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    convert(e->dtype, src, e->count, dst->dtype, host);
    dst->backend->from_host(dst->data, host, bytes);
    dl4c_free(host);
    return DL4C_OK;
}

dl4c_status dl4c_safetensors_get_as(const dl4c_safetensors *f, const char *name,
                                    dl4c_dtype dtype, dl4c_tensor **out)
{
    dl4c_status status = DL4C_OK;
    const entry *e = NULL;
    dl4c_tensor *t = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "safetensors: NULL output pointer");
    *out = NULL;
    DL4C_CHECK(dl4c_dtype_size(dtype), DL4C_INVALID_ARG,
               "safetensors: invalid dtype %d", (int)dtype);
    DL4C_TRY(lookup(f, name, &e));
    if (e->count == 0) {
        dl4c_shape s = entry_shape(e);
        char buf[256];
        DL4C_FAIL(DL4C_UNSUPPORTED,
                  "%s: tensor '%s' is empty (shape %s); dl4c tensors have "
                  "no zero dims",
                  f->name, name, dl4c_shape_format(&s, buf, sizeof buf));
    }
    DL4C_TRY(dl4c_tensor_create(dtype, e->ndim, e->dim, &t));
    DL4C_TRY(fill_tensor(f, e, t));
    *out = t;
    return DL4C_OK;
fail:
    dl4c_tensor_free(t);
    return status;
}

dl4c_status dl4c_safetensors_get(const dl4c_safetensors *f, const char *name,
                                 dl4c_tensor **out)
{
    return dl4c_safetensors_get_as(f, name, DL4C_F32, out);
}

dl4c_status dl4c_safetensors_read_into(const dl4c_safetensors *f,
                                       const char *name, dl4c_tensor *dst)
{
    const entry *e = NULL;
    if (!dst)
        return dl4c_error_set(DL4C_INVALID_ARG, "safetensors: NULL argument");
    DL4C_RETURN_IF(lookup(f, name, &e));
    dl4c_shape have = entry_shape(e), want = dl4c_shape_of(dst);
    if (!dl4c_shape_equal(&have, &want)) {
        char a[256], b[256];
        return dl4c_error_set(
            DL4C_SHAPE, "%s: tensor '%s' has shape %s, expected %s", f->name,
            name, dl4c_shape_format(&have, a, sizeof a),
            dl4c_shape_format(&want, b, sizeof b));
    }
    return fill_tensor(f, e, dst);
}

static const meta_entry *find_meta(const dl4c_safetensors *f, const char *key)
{
    if (!f || !key || !f->meta_count)
        return NULL;
    meta_entry probe = {.key = (char *)key};
    return bsearch(&probe, f->meta, f->meta_count, sizeof *f->meta,
                   meta_by_key);
}

const char *dl4c_safetensors_metadata(const dl4c_safetensors *f,
                                      const char *key)
{
    const meta_entry *m = find_meta(f, key);
    return m ? m->value : NULL;
}

size_t dl4c_safetensors_metadata_count(const dl4c_safetensors *f)
{
    return f ? f->meta_count : 0;
}

const char *dl4c_safetensors_metadata_key(const dl4c_safetensors *f, size_t i)
{
    return f && i < f->meta_count ? f->meta[i].key : NULL;
}
