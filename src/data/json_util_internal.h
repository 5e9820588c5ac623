/* Small jansson helpers shared by the data module's JSON forms
 * (normalizers, iterator states). */
#ifndef DL4C_JSON_UTIL_INTERNAL_H
#define DL4C_JSON_UTIL_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Compact text with 17 significant digits for reals (exact round trip),
 * in memory the caller frees with dl4c_free; NULL when out of memory. */
char *dl4c_json_dump(const json_t *root);

/* 64-bit unsigned values travel as 16 hex digits: JSON integers are
 * signed and many readers keep only 53 bits. NULL when out of memory. */
json_t *dl4c_json_u64(uint64_t v);
/* False when v is not a string of 1..16 hex digits. */
bool dl4c_json_get_u64(const json_t *v, uint64_t *out);

#endif
