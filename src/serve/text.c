/* The server's text buffer (text_internal.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "serve/text_internal.h"

static bool reserve(dl4c_text *t, size_t extra)
{
    if (t->failed)
        return false;
    if (t->len + extra + 1 <= t->cap)
        return true;
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->len + extra + 1)
        cap *= 2;
    char *p = dl4c_realloc(t->data, cap);
    if (!p) {
        t->failed = true;
        return false;
    }
    t->data = p;
    t->cap = cap;
    return true;
}

void dl4c_text_add(dl4c_text *t, const char *s, size_t n)
{
    if (!reserve(t, n))
        return;
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

void dl4c_text_adds(dl4c_text *t, const char *s)
{
    dl4c_text_add(t, s, strlen(s));
}

void dl4c_text_addf(dl4c_text *t, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        dl4c_text_add(t, small, (size_t)n);
        return;
    }
    if (!reserve(t, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(t->data + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void dl4c_text_json_string(dl4c_text *t, const char *s)
{
    dl4c_text_add(t, "\"", 1);
    const char *run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        dl4c_text_add(t, run, (size_t)(p - run));
        if (c == '"')
            dl4c_text_add(t, "\\\"", 2);
        else if (c == '\\')
            dl4c_text_add(t, "\\\\", 2);
        else if (c == '\n')
            dl4c_text_add(t, "\\n", 2);
        else if (c == '\t')
            dl4c_text_add(t, "\\t", 2);
        else
            dl4c_text_addf(t, "\\u%04x", c);
        run = p + 1;
    }
    dl4c_text_adds(t, run);
    dl4c_text_add(t, "\"", 1);
}

void dl4c_text_float(dl4c_text *t, float v)
{
    if (isnan(v)) {
        dl4c_text_adds(t, "NaN");
        return;
    }
    if (isinf(v)) {
        dl4c_text_adds(t, v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    char buf[32];
    for (int digits = 6; digits <= 9; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, (double)v);
        if (strtof(buf, NULL) == v)
            break;
    }
    dl4c_text_adds(t, buf);
}

char *dl4c_text_take(dl4c_text *t, size_t *len)
{
    char *out = NULL;
    if (!t->failed && reserve(t, 0))
        out = t->data;
    else
        dl4c_free(t->data);
    if (len)
        *len = out ? t->len : 0;
    t->data = NULL;
    t->len = t->cap = 0;
    t->failed = false;
    return out;
}

void dl4c_text_deinit(dl4c_text *t)
{
    dl4c_free(t->data);
    t->data = NULL;
    t->len = t->cap = 0;
    t->failed = false;
}
