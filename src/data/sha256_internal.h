/* Helpers for SHA-256 digests written as 64 hex digits. */
#ifndef DL4C_SHA256_INTERNAL_H
#define DL4C_SHA256_INTERNAL_H

#include <stdbool.h>

/* True when s is exactly 64 hex digits (either case). */
bool dl4c_sha256_hex_valid(const char *s);
/* True when two valid digests are equal, ignoring case. */
bool dl4c_sha256_hex_equal(const char *a, const char *b);

#endif
