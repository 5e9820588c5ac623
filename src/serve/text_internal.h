/* A growing text buffer for the server's JSON and Prometheus output.
 * Appends never fail visibly: an allocation failure marks the buffer, and
 * dl4c_text_take then returns NULL, so writers check once at the end. */
#ifndef DL4C_TEXT_INTERNAL_H
#define DL4C_TEXT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "dl4c/status.h"

typedef struct dl4c_text {
    char *data; /* NUL-terminated while not failed */
    size_t len, cap;
    bool failed;
} dl4c_text;

void dl4c_text_add(dl4c_text *t, const char *s, size_t n);
void dl4c_text_adds(dl4c_text *t, const char *s);
void dl4c_text_addf(dl4c_text *t, const char *fmt, ...) DL4C_PRINTF(2, 3);
/* A JSON string literal with quotes and escapes (control characters as
 * \u00XX; bytes >= 0x80 copied as they are). */
void dl4c_text_json_string(dl4c_text *t, const char *s);
/* A float32 value as JSON: the shortest of %.6g..%.9g that reads back as
 * the same float; NaN and infinities as the tokens NaN, Infinity and
 * -Infinity (TensorFlow Serving's JSON convention). */
void dl4c_text_float(dl4c_text *t, float v);
/* The text (caller frees with dl4c_free) and its length; NULL after an
 * allocation failure. The buffer is reset either way. */
char *dl4c_text_take(dl4c_text *t, size_t *len);
void dl4c_text_deinit(dl4c_text *t);

#endif
