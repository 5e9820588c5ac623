/* The allocator dl4c uses for all of its own memory.
 *
 *   static void *my_malloc(size_t n, void *ctx) { ... }
 *   dl4c_allocator a = {my_malloc, my_realloc, my_free, &counter};
 *   dl4c_set_allocator(&a);      // before creating any dl4c object
 *   ...
 *   dl4c_set_allocator(NULL);    // back to malloc/realloc/free
 *
 * Tests install a failing allocator to walk every out-of-memory path.
 * Memory obtained under one allocator must be freed under the same one, so
 * switch only while no dl4c objects exist. Not thread-safe.
 */
#ifndef DL4C_ALLOC_H
#define DL4C_ALLOC_H

#include <stddef.h>

#include "dl4c/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dl4c_allocator {
    void *(*malloc_fn)(size_t size, void *ctx);
    void *(*realloc_fn)(void *ptr, size_t size, void *ctx);
    void (*free_fn)(void *ptr, void *ctx);
    void *ctx;
} dl4c_allocator;

/* Installs `a` (copied), or restores the C library's when a is NULL. */
DL4C_API void dl4c_set_allocator(const dl4c_allocator *a);

/* Frees memory that dl4c returned to the caller (strings such as a written
 * JSON config). NULL is a no-op. */
DL4C_API void dl4c_free(void *ptr);

#ifdef __cplusplus
}
#endif
#endif
