/* Counting replacements of the C library's malloc family for the whole
 * process (libgomp and OpenBLAS included), for the tests that prove a
 * steady state allocates nothing: `allocations` counts every allocation.
 * Include it once per test program, and only where AddressSanitizer (which
 * replaces malloc itself) is off. */
#ifndef DL4C_TEST_COUNT_ALLOC_H
#define DL4C_TEST_COUNT_ALLOC_H

#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static volatile long allocations;

void *malloc(size_t n);
void *calloc(size_t n, size_t s);
void *realloc(void *p, size_t n);
void *aligned_alloc(size_t a, size_t n);
int posix_memalign(void **p, size_t a, size_t n);
void free(void *p);

void *malloc(size_t n)
{
    allocations++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t s)
{
    allocations++;
    return __libc_calloc(n, s);
}

void *realloc(void *p, size_t n)
{
    allocations++;
    return __libc_realloc(p, n);
}

void *aligned_alloc(size_t a, size_t n)
{
    allocations++;
    return __libc_memalign(a, n);
}

int posix_memalign(void **p, size_t a, size_t n)
{
    allocations++;
    *p = __libc_memalign(a, n);
    return *p ? 0 : 12;
}

void free(void *p)
{
    __libc_free(p);
}

#endif
