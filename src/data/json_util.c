/* jansson helpers: text in dl4c-owned memory, 64-bit values as hex. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "data/json_util_internal.h"

char *dl4c_json_dump(const json_t *root)
{
    char *text = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(17));
    if (!text)
        return NULL;
    char *copy = dl4c_strdup(text);
    /* jansson's own free: someone may have installed other functions */
    json_free_t free_fn = NULL;
    json_get_alloc_funcs(NULL, &free_fn);
    free_fn(text);
    return copy;
}

json_t *dl4c_json_u64(uint64_t v)
{
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx", (unsigned long long)v);
    return json_string(buf);
}

bool dl4c_json_get_u64(const json_t *v, uint64_t *out)
{
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t n = strlen(s);
    if (n < 1 || n > 16)
        return false;
    uint64_t r = 0;
    for (size_t i = 0; i < n; i++) {
        int c = tolower((unsigned char)s[i]);
        if (!isxdigit(c))
            return false;
        r = r << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    *out = r;
    return true;
}
