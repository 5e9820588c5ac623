/* The fast path of request parsing: the common :predict body
 *   {"instances": [example, example, ...]}
 * for a single-input model, each example a flat list of the input's size
 * or a nested list of exactly its shape, read straight into the float
 * rows without building a JSON tree. Decoding the tree took about three
 * times as long as the prediction for a batch-1 MNIST request. Anything
 * else (other keys, names, other shapes, NaN, limits) returns false and
 * the full parser handles it, errors included. Numbers convert to the
 * double the full parser reads, then to float, so both paths give the
 * same bits. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "serve/request_internal.h"

typedef struct scanner {
    const char *p, *end;
} scanner;

static void skip_ws(scanner *s)
{
    while (s->p < s->end &&
           (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool take(scanner *s, char c)
{
    skip_ws(s);
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return true;
    }
    return false;
}

/* Powers of ten a double holds exactly. */
static const double pow10_exact[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* One JSON number into *out as float, the value the full parser gives.
 * Integers (no fraction, no exponent) are 64-bit integers there, as in
 * JSON's usual reading: "-0" is +0 and one past the int64 range is an
 * error, so those go back to the full parser. Other numbers: a mantissa
 * of up to 15 digits and a power of ten up to 22 give a correctly
 * rounded double by one exact multiplication or division (as strtod's);
 * the rest go to strtod. */
static bool number(scanner *s, float *out)
{
    skip_ws(s);
    const char *start = s->p, *p = s->p;
    bool neg = false;
    uint64_t mant = 0;
    int digits = 0, exp10 = 0;
    bool integer = true;
    if (p < s->end && *p == '-') {
        neg = true;
        p++;
    }
    if (p >= s->end || *p < '0' || *p > '9')
        return false;
    if (*p == '0' && p + 1 < s->end && p[1] >= '0' && p[1] <= '9')
        return false; /* leading zeros are not JSON */
    for (; p < s->end && *p >= '0' && *p <= '9'; p++, digits++)
        mant = mant * 10 + (uint64_t)(*p - '0');
    if (p < s->end && *p == '.') {
        integer = false;
        p++;
        if (p >= s->end || *p < '0' || *p > '9')
            return false;
        for (; p < s->end && *p >= '0' && *p <= '9'; p++, digits++, exp10--)
            mant = mant * 10 + (uint64_t)(*p - '0');
    }
    if (p < s->end && (*p == 'e' || *p == 'E')) {
        integer = false;
        p++;
        int esign = 1, e = 0;
        if (p < s->end && (*p == '+' || *p == '-'))
            esign = *p++ == '-' ? -1 : 1;
        if (p >= s->end || *p < '0' || *p > '9')
            return false;
        for (; p < s->end && *p >= '0' && *p <= '9'; p++)
            if (e < 10000)
                e = e * 10 + (*p - '0');
        exp10 += esign * e;
    }
    double d;
    if (integer) {
        /* 19 digits always fit; beyond that, too big or too long */
        if (digits > 19 || mant > (uint64_t)INT64_MAX + neg)
            return false;
        int64_t v = neg ? (int64_t)(0 - mant) : (int64_t)mant;
        d = (double)v;
    } else if (digits <= 15 && exp10 >= -22 && exp10 <= 22) {
        d = exp10 >= 0 ? (double)mant * pow10_exact[exp10]
                       : (double)mant / pow10_exact[-exp10];
        if (neg)
            d = -d;
    } else {
        char buf[64];
        size_t n = (size_t)(p - start);
        if (n >= sizeof buf)
            return false;
        memcpy(buf, start, n);
        buf[n] = '\0';
        d = strtod(buf, NULL);
    }
    if (!isfinite(d) || fabs(d) > FLT_MAX)
        return false;
    *out = (float)d;
    s->p = p;
    return true;
}

/* A list nested as dims[d..ndim) whose numbers go to dst. */
static bool nested(scanner *s, const int64_t *dims, int ndim, int d,
                   float **dst)
{
    if (!take(s, '['))
        return false;
    for (int64_t i = 0; i < dims[d]; i++) {
        if (i && !take(s, ','))
            return false;
        if (d + 1 == ndim) {
            if (!number(s, (*dst)++))
                return false;
        } else if (!nested(s, dims, ndim, d + 1, dst)) {
            return false;
        }
    }
    return take(s, ']');
}

/* Leading '[' of the next value: its nesting depth. */
static int depth_ahead(const scanner *s)
{
    scanner t = *s;
    int depth = 0;
    while (take(&t, '['))
        depth++;
    return depth;
}

bool dl4c_serve_parse_fast(const char *body, size_t len,
                           const dl4c_serve_signature *sig,
                           const dl4c_serve_limits *lim,
                           dl4c_serve_request *out)
{
    static const char key[] = "\"instances\"";
    scanner s = {body, body + len};
    const dl4c_shape *shape = &sig->input_shapes[0];
    int64_t size = sig->input_sizes[0];
    if (sig->n_inputs != 1 || size < 1 || shape->ndim < 1 || !body)
        return false;
    if (!take(&s, '{'))
        return false;
    skip_ws(&s);
    if ((size_t)(s.end - s.p) < sizeof key - 1 ||
        memcmp(s.p, key, sizeof key - 1) != 0)
        return false;
    s.p += sizeof key - 1;
    if (!take(&s, ':') || !take(&s, '['))
        return false;
    /* every number takes a byte and a comma: a bound on the rows */
    int64_t cap = (int64_t)(len / (size_t)(2 * size)) + 1;
    if (cap > lim->max_rows)
        cap = lim->max_rows;
    float *rows = dl4c_malloc(sizeof(float) * (size_t)(cap * size));
    if (!rows)
        return false;
    int64_t n = 0;
    int64_t flat[1] = {size};
    while (n < cap) {
        if (n && !take(&s, ','))
            break;
        float *dst = rows + n * size;
        int depth = depth_ahead(&s);
        bool ok = depth == shape->ndim
                      ? nested(&s, shape->dim, shape->ndim, 0, &dst)
                      : depth == 1 && nested(&s, flat, 1, 0, &dst);
        if (!ok)
            goto slow;
        n++;
    }
    if (n == 0 || !take(&s, ']') || !take(&s, '}'))
        goto slow;
    skip_ws(&s);
    if (s.p != s.end)
        goto slow;
    memset(out, 0, sizeof *out);
    out->verb = DL4C_VERB_PREDICT;
    out->rows = n;
    out->n_inputs = 1;
    out->inputs[0] = rows;
    return true;
slow:
    dl4c_free(rows);
    return false;
}
