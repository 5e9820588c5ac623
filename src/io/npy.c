/* NumPy .npy files. Byte layout:
 *   0  6 bytes  magic "\x93NUMPY"
 *   6  1 byte   major version (1, 2 or 3), 7: minor version (0)
 *   8  HEADER_LEN: 2 bytes little-endian (v1) or 4 bytes (v2, v3)
 *      then HEADER_LEN bytes of ASCII (v3: UTF-8): a Python dict literal
 *      {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
 *      padded with spaces and ended by '\n'
 *   then the elements, exactly prod(shape) * itemsize bytes.
 * The header is untrusted: every field is checked, the shape's size may
 * not overflow and must match the bytes that follow. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "dl4c/npy.h"
#include "io/io_internal.h"

#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6
#define MAX_HEADER (1u << 20)

typedef enum kind { KIND_FLOAT, KIND_INT, KIND_UINT, KIND_BOOL } kind;

typedef struct header {
    kind kind;
    int itemsize;
    bool big_endian;
    bool fortran;
    int ndim;
    int64_t dim[DL4C_MAX_DIMS];
} header;

/* ---- the header dict ---- */

typedef struct cursor {
    const char *p, *end;
} cursor;

static void skip_space(cursor *c)
{
    while (c->p < c->end &&
           (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static bool take(cursor *c, char ch)
{
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

/* A quoted Python string (no escapes: numpy never writes any in the
 * fields dl4c reads) into buf. */
static bool read_string(cursor *c, char *buf, size_t cap)
{
    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return false;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\' || n + 1 >= cap)
            return false;
        buf[n++] = *c->p++;
    }
    if (c->p >= c->end)
        return false;
    c->p++;
    buf[n] = '\0';
    return true;
}

static bool read_word(cursor *c, const char *word)
{
    size_t n = strlen(word);
    skip_space(c);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return false;
    c->p += n;
    return true;
}

static dl4c_status bad_header(const char *what)
{
    return dl4c_error_set(DL4C_FORMAT, "malformed header: %s", what);
}

static dl4c_status parse_descr(const char *d, header *h)
{
    char order = d[0];
    if (order != '<' && order != '>' && order != '|' && order != '=')
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "element type '%s' is not a plain number "
                              "type",
                              d);
    char code = d[1];
    char *end = NULL;
    long size = d[1] ? strtol(d + 2, &end, 10) : 0;
    if (!code || !end || *end || end == d + 2)
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "element type '%s' is not a plain number "
                              "type",
                              d);
    h->itemsize = (int)size;
    h->big_endian = order == '>';
    bool ok = false;
    switch (code) {
    case 'f':
        h->kind = KIND_FLOAT;
        ok = size == 2 || size == 4 || size == 8;
        break;
    case 'i':
        h->kind = KIND_INT;
        ok = size == 1 || size == 2 || size == 4 || size == 8;
        break;
    case 'u':
        h->kind = KIND_UINT;
        ok = size == 1 || size == 2 || size == 4 || size == 8;
        break;
    case 'b':
        h->kind = KIND_BOOL;
        ok = size == 1;
        break;
    default:
        break;
    }
    if (!ok)
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "element type '%s' is not supported (float16/"
                              "32/64, int/uint 8..64 and bool are)",
                              d);
    if (order == '=' && size > 1)
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "element type '%s' has no byte order", d);
    return DL4C_OK;
}

static dl4c_status parse_shape(cursor *c, header *h)
{
    if (!take(c, '('))
        return bad_header("'shape' is not a tuple");
    h->ndim = 0;
    for (;;) {
        if (take(c, ')'))
            return DL4C_OK;
        skip_space(c);
        if (c->p >= c->end || *c->p < '0' || *c->p > '9')
            return bad_header("'shape' holds something other than "
                              "non-negative integers");
        int64_t v = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            if (v > (INT64_MAX - 9) / 10)
                return bad_header("a dimension of 'shape' is too large");
            v = v * 10 + (*c->p++ - '0');
        }
        if (c->p < c->end && *c->p == 'L') /* Python 2 long */
            c->p++;
        if (h->ndim == DL4C_MAX_DIMS)
            return dl4c_error_set(DL4C_UNSUPPORTED,
                                  "the array has more than %d dims",
                                  DL4C_MAX_DIMS);
        h->dim[h->ndim++] = v;
        if (!take(c, ',')) {
            if (!take(c, ')'))
                return bad_header("'shape' is not a tuple of integers");
            return DL4C_OK;
        }
    }
}

static dl4c_status parse_header(const char *text, size_t len, header *h)
{
    cursor c = {text, text + len};
    bool have_descr = false, have_order = false, have_shape = false;
    if (!take(&c, '{'))
        return bad_header("it is not a dict");
    for (;;) {
        if (take(&c, '}'))
            break;
        char key[32], descr[32];
        if (!read_string(&c, key, sizeof key) || !take(&c, ':'))
            return bad_header("expected 'key': value");
        if (!strcmp(key, "descr")) {
            if (!read_string(&c, descr, sizeof descr)) {
                skip_space(&c);
                if (c.p < c.end && *c.p == '[')
                    return dl4c_error_set(DL4C_UNSUPPORTED,
                                          "structured arrays are not "
                                          "supported");
                return bad_header("'descr' is not a string");
            }
            DL4C_RETURN_IF(parse_descr(descr, h));
            have_descr = true;
        } else if (!strcmp(key, "fortran_order")) {
            if (read_word(&c, "True"))
                h->fortran = true;
            else if (read_word(&c, "False"))
                h->fortran = false;
            else
                return bad_header("'fortran_order' is not True or False");
            have_order = true;
        } else if (!strcmp(key, "shape")) {
            DL4C_RETURN_IF(parse_shape(&c, h));
            have_shape = true;
        } else {
            return bad_header("unknown key");
        }
        if (!take(&c, ',')) {
            if (!take(&c, '}'))
                return bad_header("expected ',' or '}'");
            break;
        }
    }
    if (!have_descr || !have_order || !have_shape)
        return bad_header("it lacks 'descr', 'fortran_order' or 'shape'");
    skip_space(&c);
    if (c.p != c.end)
        return bad_header("text after the dict");
    return DL4C_OK;
}

/* ---- elements ---- */

static uint64_t load_bytes(const unsigned char *p, int n, bool big)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[big ? n - 1 - i : i] << (8 * i);
    return v;
}

static double half_to_double(uint16_t b)
{
    int sign = b >> 15, e = (b >> 10) & 0x1f, m = b & 0x3ff;
    double v;
    if (e == 0)
        v = ldexp(m, -24);
    else if (e == 31)
        v = m ? NAN : INFINITY;
    else
        v = ldexp(m + 1024, e - 25);
    return sign ? -v : v;
}

static double element(const header *h, const unsigned char *p)
{
    uint64_t bits = load_bytes(p, h->itemsize, h->big_endian);
    switch (h->kind) {
    case KIND_FLOAT:
        if (h->itemsize == 2)
            return half_to_double((uint16_t)bits);
        if (h->itemsize == 4) {
            uint32_t u = (uint32_t)bits;
            float f;
            memcpy(&f, &u, sizeof f);
            return f;
        } else {
            double d;
            memcpy(&d, &bits, sizeof d);
            return d;
        }
    case KIND_INT: {
        int shift = 64 - 8 * h->itemsize;
        /* sign-extend through the top bits */
        int64_t s = (int64_t)(bits << shift) >> shift;
        return (double)s;
    }
    case KIND_UINT:
        return (double)bits;
    case KIND_BOOL:
        return bits ? 1.0 : 0.0;
    }
    return 0.0;
}

/* Flat C-order index of element i of a Fortran-order array. */
static int64_t c_index(const header *h, int64_t i)
{
    int64_t idx = 0, stride = 1;
    /* Fortran order: the first dim varies fastest */
    int64_t rest = i;
    int64_t coord[DL4C_MAX_DIMS];
    for (int d = 0; d < h->ndim; d++) {
        coord[d] = rest % h->dim[d];
        rest /= h->dim[d];
    }
    for (int d = h->ndim - 1; d >= 0; d--) {
        idx += coord[d] * stride;
        stride *= h->dim[d];
    }
    return idx;
}

dl4c_status dl4c_npy_parse(const void *bytes, size_t len, dl4c_dtype dtype,
                           dl4c_tensor **out)
{
    dl4c_status status = DL4C_OK;
    const unsigned char *b = bytes;
    header h = {0};
    dl4c_tensor *t = NULL;
    if (out)
        *out = NULL;
    if (!bytes || !out)
        return dl4c_error_set(DL4C_INVALID_ARG, "npy: NULL argument");
    if (dtype != DL4C_F32 && dtype != DL4C_F64)
        return dl4c_error_set(DL4C_INVALID_ARG, "npy: invalid dtype %d",
                              (int)dtype);
    DL4C_CHECK(len >= 10 && memcmp(b, MAGIC, MAGIC_LEN) == 0, DL4C_FORMAT,
               "not a .npy file (no \\x93NUMPY magic)");
    int major = b[6];
    DL4C_CHECK(major >= 1 && major <= 3, DL4C_UNSUPPORTED,
               "format version %d.%d is not supported (1.0 to 3.0 are)", major,
               b[7]);
    size_t prefix = major == 1 ? 10 : 12;
    DL4C_CHECK(len >= prefix, DL4C_FORMAT, "truncated header");
    size_t hlen = major == 1 ? dl4c_load_le16(b + 8) : dl4c_load_le32(b + 8);
    DL4C_CHECK(hlen <= MAX_HEADER, DL4C_FORMAT, "header length %zu is absurd",
               hlen);
    DL4C_CHECK(len - prefix >= hlen, DL4C_FORMAT,
               "truncated header: %zu bytes announced, %zu present", hlen,
               len - prefix);
    DL4C_TRY(parse_header((const char *)b + prefix, hlen, &h));

    int64_t count = 1;
    for (int d = 0; d < h.ndim; d++) {
        DL4C_CHECK(h.dim[d] > 0, DL4C_UNSUPPORTED,
                   "dim %d has length 0 (empty arrays are not supported)", d);
        DL4C_CHECK(count <= INT64_MAX / h.dim[d] / 8, DL4C_FORMAT,
                   "the shape's element count overflows");
        count *= h.dim[d];
    }
    size_t data = len - prefix - hlen;
    uint64_t need = (uint64_t)count * (uint64_t)h.itemsize;
    if (need != data) {
        dl4c_shape s = {.ndim = h.ndim};
        char buf[160];
        memcpy(s.dim, h.dim, sizeof h.dim);
        DL4C_FAIL(DL4C_FORMAT,
                  "%s: the header's shape %s needs %llu bytes of data, the "
                  "file has %zu",
                  need > data ? "truncated" : "trailing bytes",
                  dl4c_shape_format(&s, buf, sizeof buf),
                  (unsigned long long)need, data);
    }
    DL4C_TRY(dl4c_tensor_create(dtype, h.ndim, h.dim, &t));
    {
        const unsigned char *src = b + prefix + hlen;
        void *dst = dl4c_tensor_data(t);
        bool fortran = h.fortran && h.ndim > 1;
        for (int64_t i = 0; i < count; i++) {
            double v = element(&h, src + (size_t)i * (size_t)h.itemsize);
            int64_t j = fortran ? c_index(&h, i) : i;
            if (dtype == DL4C_F32)
                ((float *)dst)[j] = (float)v;
            else
                ((double *)dst)[j] = v;
        }
    }
    *out = t;
    return DL4C_OK;
fail:
    dl4c_tensor_free(t);
    return dl4c_error_prefix(status, "npy");
}

static dl4c_status read_all(const char *path, unsigned char **bytes,
                            size_t *len)
{
    dl4c_status status = DL4C_OK;
    unsigned char *buf = NULL;
    FILE *f = fopen(path, "rb");
    struct stat st;
    *bytes = NULL;
    if (!f)
        return dl4c_error_set(DL4C_IO, "%s: %s", path, strerror(errno));
    DL4C_CHECK(fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode), DL4C_IO,
               "%s: not a regular file", path);
    buf = dl4c_malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
    if (!buf)
        DL4C_NOMEM_FAIL();
    DL4C_CHECK(fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size,
               DL4C_IO, "%s: read failed", path);
    fclose(f);
    *bytes = buf;
    *len = (size_t)st.st_size;
    return DL4C_OK;
fail:
    dl4c_free(buf);
    fclose(f);
    return status;
}

dl4c_status dl4c_npy_load(const char *path, dl4c_dtype dtype, dl4c_tensor **out)
{
    unsigned char *bytes = NULL;
    size_t len = 0;
    if (out)
        *out = NULL;
    if (!path || !out)
        return dl4c_error_set(DL4C_INVALID_ARG, "npy: NULL argument");
    DL4C_RETURN_IF(read_all(path, &bytes, &len));
    dl4c_status st = dl4c_npy_parse(bytes, len, dtype, out);
    dl4c_free(bytes);
    if (st != DL4C_OK) {
        /* "npy: x" becomes "path: x" */
        const char *msg = dl4c_last_error();
        char copy[1024];
        snprintf(copy, sizeof copy, "%s",
                 strncmp(msg, "npy: ", 5) == 0 ? msg + 5 : msg);
        return dl4c_error_set(st, "%s: %s", path, copy);
    }
    return DL4C_OK;
}

/* ---- writing ---- */

typedef struct npy_writer {
    const dl4c_tensor *t;
    const char *path;
} npy_writer;

static dl4c_status write_npy(FILE *f, void *ctx)
{
    const npy_writer *w = ctx;
    const dl4c_tensor *t = w->t;
    bool f64 = dl4c_tensor_dtype(t) == DL4C_F64;
    char dict[512];
    int n = snprintf(dict, sizeof dict,
                     "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     f64 ? "<f8" : "<f4");
    for (int d = 0; d < dl4c_tensor_ndim(t); d++)
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%lld,%s",
                      (long long)dl4c_tensor_dim(t, d),
                      d + 1 < dl4c_tensor_ndim(t) ? " " : "");
    if (dl4c_tensor_ndim(t) > 1)
        n--; /* numpy writes (3, 4) but (3,) */
    n += snprintf(dict + n, sizeof dict - (size_t)n, "), }");
    /* pad with spaces so the data starts at a multiple of 64 bytes */
    size_t body = (size_t)n + 1, prefix = 10;
    bool v2 = false;
    size_t total = (prefix + body + 63) / 64 * 64;
    if (total - prefix > 65535) {
        v2 = true;
        prefix = 12;
        total = (prefix + body + 63) / 64 * 64;
    }
    size_t hlen = total - prefix;
    unsigned char head[12];
    memcpy(head, MAGIC, MAGIC_LEN);
    head[6] = v2 ? 2 : 1;
    head[7] = 0;
    if (v2)
        dl4c_store_le32(head + 8, (uint32_t)hlen);
    else
        dl4c_store_le16(head + 8, (uint16_t)hlen);
    fwrite(head, 1, prefix, f);
    fwrite(dict, 1, (size_t)n, f);
    for (size_t i = (size_t)n; i + 1 < hlen; i++)
        fputc(' ', f);
    fputc('\n', f);
    /* little-endian element bytes, whatever the host order */
    int64_t count = dl4c_tensor_size(t);
    const void *data = dl4c_tensor_data(t);
    unsigned char buf[4096];
    size_t used = 0, item = f64 ? 8 : 4;
    for (int64_t i = 0; i < count; i++) {
        if (f64) {
            uint64_t u;
            memcpy(&u, (const double *)data + i, 8);
            dl4c_store_le64(buf + used, u);
        } else {
            uint32_t u;
            memcpy(&u, (const float *)data + i, 4);
            dl4c_store_le32(buf + used, u);
        }
        used += item;
        if (used == sizeof buf) {
            fwrite(buf, 1, used, f);
            used = 0;
        }
    }
    fwrite(buf, 1, used, f);
    return DL4C_OK;
}

dl4c_status dl4c_npy_save(const dl4c_tensor *t, const char *path)
{
    if (!t || !path)
        return dl4c_error_set(DL4C_INVALID_ARG, "npy: NULL argument");
    npy_writer w = {t, path};
    return dl4c_atomic_write(path, write_npy, &w);
}
