/* The growable text buffer behind the stats, report and JSON writers. An
 * allocation failure marks the buffer failed; later appends are no-ops and
 * finish reports DL4C_NOMEM, so writers need no error check per line. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "eval/eval_internal.h"

static bool reserve(dl4c_eval_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = dl4c_realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void dl4c_eval_buf_printf(dl4c_eval_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void dl4c_eval_buf_json_string(dl4c_eval_buf *b, const char *s)
{
    dl4c_eval_buf_printf(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            dl4c_eval_buf_printf(b, "\\%c", *p);
        else if (*p == '\n')
            dl4c_eval_buf_printf(b, "\\n");
        else if (*p == '\t')
            dl4c_eval_buf_printf(b, "\\t");
        else if (*p < 0x20)
            dl4c_eval_buf_printf(b, "\\u%04x", *p);
        else
            dl4c_eval_buf_printf(b, "%c", *p);
    }
    dl4c_eval_buf_printf(b, "\"");
}

void dl4c_eval_buf_json_number(dl4c_eval_buf *b, double v)
{
    if (!isfinite(v)) {
        dl4c_eval_buf_printf(b, "null");
        return;
    }
    /* the shortest of %.15g / %.17g that reads back exactly */
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.15g", v);
    if (strtod(tmp, NULL) != v)
        snprintf(tmp, sizeof tmp, "%.17g", v);
    dl4c_eval_buf_printf(b, "%s", tmp);
}

void dl4c_eval_buf_number(dl4c_eval_buf *b, const char *fmt, int width,
                          double v)
{
    char tmp[64];
    if (isnan(v))
        snprintf(tmp, sizeof tmp, "NaN");
    else if (isinf(v))
        snprintf(tmp, sizeof tmp, "%sInfinity", v < 0 ? "-" : "");
    else
        snprintf(tmp, sizeof tmp, fmt, v);
    dl4c_eval_buf_printf(b, "%-*s", width, tmp);
}

dl4c_status dl4c_eval_buf_finish(dl4c_eval_buf *b, char **out)
{
    if (!reserve(b, 0)) {
        dl4c_free(b->data);
        *b = (dl4c_eval_buf){0};
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    b->data[b->len] = '\0';
    *out = b->data;
    *b = (dl4c_eval_buf){0};
    return DL4C_OK;
}
