/* String-count hash map (strmap_internal.h). */
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/strmap_internal.h"

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static size_t slot(char *const *keys, size_t cap, const char *key)
{
    size_t i = (size_t)(hash(key) & (cap - 1));
    while (keys[i] && strcmp(keys[i], key))
        i = (i + 1) & (cap - 1);
    return i;
}

static dl4c_status grow(dl4c_strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    char **keys = dl4c_calloc(cap, sizeof *keys);
    int64_t *counts = dl4c_calloc(cap, sizeof *counts);
    if (!keys || !counts) {
        dl4c_free(keys);
        dl4c_free(counts);
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t j = slot(keys, cap, m->keys[i]);
            keys[j] = m->keys[i];
            counts[j] = m->counts[i];
        }
    dl4c_free(m->keys);
    dl4c_free(m->counts);
    m->keys = keys;
    m->counts = counts;
    m->cap = cap;
    return DL4C_OK;
}

dl4c_status dl4c_strmap_add(dl4c_strmap *m, const char *key, int64_t inc)
{
    if ((m->n + 1) * 10 > m->cap * 7)
        DL4C_RETURN_IF(grow(m));
    size_t i = slot(m->keys, m->cap, key);
    if (!m->keys[i]) {
        m->keys[i] = dl4c_strdup(key);
        if (!m->keys[i])
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        m->n++;
    }
    m->counts[i] += inc;
    return DL4C_OK;
}

int64_t dl4c_strmap_get(const dl4c_strmap *m, const char *key)
{
    if (!m->cap)
        return 0;
    size_t i = slot(m->keys, m->cap, key);
    return m->keys[i] ? m->counts[i] : 0;
}

void dl4c_strmap_free(dl4c_strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        dl4c_free(m->keys[i]);
    dl4c_free(m->keys);
    dl4c_free(m->counts);
    memset(m, 0, sizeof *m);
}
