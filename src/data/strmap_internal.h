/* A counting hash map from strings to int64 counts (open addressing,
 * FNV-1a, doubled at 70% load), for category counts in data reports. */
#ifndef DL4C_STRMAP_INTERNAL_H
#define DL4C_STRMAP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dl4c/status.h"

typedef struct dl4c_strmap {
    char **keys; /* cap slots, NULL when empty (keys are owned) */
    int64_t *counts;
    size_t cap, n;
} dl4c_strmap;

/* Adds `inc` to key's count (inserting it at 0 first). DL4C_NOMEM. */
dl4c_status dl4c_strmap_add(dl4c_strmap *m, const char *key, int64_t inc);
/* The count of key (0 when absent). */
int64_t dl4c_strmap_get(const dl4c_strmap *m, const char *key);
void dl4c_strmap_free(dl4c_strmap *m);

#endif
