/* Internal allocation entry points. All library memory goes through these
 * so a test allocator can count or fail them. Aligned blocks (64 bytes, for
 * SIMD and cache lines) come from dl4c_aligned_alloc/dl4c_aligned_free. */
#ifndef DL4C_ALLOC_INTERNAL_H
#define DL4C_ALLOC_INTERNAL_H

#include <stddef.h>

#include "dl4c/alloc.h"

void *dl4c_malloc(size_t size);
void *dl4c_calloc(size_t count, size_t size);
void *dl4c_realloc(void *ptr, size_t size);
char *dl4c_strdup(const char *s);
char *dl4c_strndup(const char *s, size_t n);
/* printf into a new string; NULL on allocation failure. */
char *dl4c_asprintf(const char *fmt, ...) DL4C_PRINTF(1, 2);

#define DL4C_ALIGNMENT 64
/* Zero-filled, 64-byte aligned; free with dl4c_aligned_free. */
void *dl4c_aligned_alloc(size_t size);
void dl4c_aligned_free(void *ptr);

#endif
