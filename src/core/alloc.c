/* The library allocator: a replaceable table, defaulting to the C library.
 * Aligned blocks over-allocate and keep the original pointer just before the
 * aligned address, so they work with any installed allocator. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"

#include <stdlib.h>

static void *libc_malloc(size_t size, void *ctx)
{
    (void)ctx;
    return malloc(size);
}

static void *libc_realloc(void *ptr, size_t size, void *ctx)
{
    (void)ctx;
    return realloc(ptr, size);
}

static void libc_free(void *ptr, void *ctx)
{
    (void)ctx;
    free(ptr);
}

static dl4c_allocator current = {libc_malloc, libc_realloc, libc_free, NULL};

void dl4c_set_allocator(const dl4c_allocator *a)
{
    if (a)
        current = *a;
    else
        current = (dl4c_allocator){libc_malloc, libc_realloc, libc_free, NULL};
}

void *dl4c_malloc(size_t size)
{
    return current.malloc_fn(size ? size : 1, current.ctx);
}

void *dl4c_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = dl4c_malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *dl4c_realloc(void *ptr, size_t size)
{
    return current.realloc_fn(ptr, size ? size : 1, current.ctx);
}

void dl4c_free(void *ptr)
{
    if (ptr)
        current.free_fn(ptr, current.ctx);
}

char *dl4c_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = dl4c_malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *dl4c_strdup(const char *s)
{
    return dl4c_strndup(s, SIZE_MAX);
}

char *dl4c_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = dl4c_malloc((size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void *dl4c_aligned_alloc(size_t size)
{
    size_t extra = DL4C_ALIGNMENT + sizeof(void *);
    if (size > SIZE_MAX - extra)
        return NULL;
    unsigned char *raw = dl4c_malloc(size + extra);
    if (!raw)
        return NULL;
    uintptr_t start = (uintptr_t)(raw + sizeof(void *));
    uintptr_t aligned =
        (start + DL4C_ALIGNMENT - 1) & ~(uintptr_t)(DL4C_ALIGNMENT - 1);
    ((void **)aligned)[-1] = raw;
    memset((void *)aligned, 0, size);
    return (void *)aligned;
}

void dl4c_aligned_free(void *ptr)
{
    if (ptr)
        dl4c_free(((void **)ptr)[-1]);
}
