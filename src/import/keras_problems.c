/* The problems of one import, collected so the user sees every layer that
 * cannot be imported in one message instead of fixing them one by one. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "import/keras_internal.h"

#define MAX_SHOWN 50

void kx_problem(kx_problems *p, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 8;
        char **grown = dl4c_realloc(p->msgs, sizeof *grown * (size_t)cap);
        if (!grown) {
            p->nomem = true;
            return;
        }
        p->msgs = grown;
        p->cap = cap;
    }
    p->msgs[p->n] = dl4c_strdup(buf);
    if (!p->msgs[p->n]) {
        p->nomem = true;
        return;
    }
    p->n++;
}

void kx_problem_last(kx_problems *p, const char *name, const char *cls)
{
    const char *msg = dl4c_last_error();
    /* messages from layer code often start with "layer 'name': " */
    char prefix[600];
    snprintf(prefix, sizeof prefix, "layer '%s' (%s): ", name, cls);
    if (!strncmp(msg, prefix, strlen(prefix)))
        msg += strlen(prefix);
    snprintf(prefix, sizeof prefix, "layer '%s': ", name);
    if (!strncmp(msg, prefix, strlen(prefix)))
        msg += strlen(prefix);
    kx_problem(p, "layer '%s' (%s): %s", name, cls, msg);
}

dl4c_status kx_problems_report(const kx_problems *p, dl4c_status status,
                               const char *what)
{
    if (p->nomem)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    if (p->n == 0)
        return DL4C_OK;
    if (p->n == 1)
        return dl4c_error_set(status, "%s", p->msgs[0]);
    size_t len = strlen(what) + 64;
    for (int i = 0; i < p->n && i < MAX_SHOWN; i++)
        len += strlen(p->msgs[i]) + 4;
    char *text = dl4c_malloc(len);
    if (!text)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    size_t used = (size_t)snprintf(text, len, "%d %s:", p->n, what);
    for (int i = 0; i < p->n && i < MAX_SHOWN; i++)
        used += (size_t)snprintf(text + used, len - used, "\n  %s", p->msgs[i]);
    if (p->n > MAX_SHOWN)
        snprintf(text + used, len - used, "\n  ...");
    dl4c_status st = dl4c_error_set(status, "%s", text);
    dl4c_free(text);
    return st;
}

void kx_problems_deinit(kx_problems *p)
{
    for (int i = 0; i < p->n; i++)
        dl4c_free(p->msgs[i]);
    dl4c_free(p->msgs);
    memset(p, 0, sizeof *p);
}
