/* Internal error helpers: set the thread-local message and unwind through
 * one `fail:` block per function. Every function using DL4C_FAIL/TRY/CHECK
 * declares `dl4c_status status = DL4C_OK;` and ends with a `fail:` label. */
#ifndef DL4C_ERROR_INTERNAL_H
#define DL4C_ERROR_INTERNAL_H

#include "dl4c/status.h"

/* Sets the thread-local message (printf-style) and returns `status`. */
dl4c_status dl4c_error_set(dl4c_status status, const char *fmt, ...)
    DL4C_PRINTF(2, 3);

/* Prepends context to the current message: "ctx: <old message>". Returns
 * `status` so it can be used as `return dl4c_error_prefix(st, "x.csv")`. */
dl4c_status dl4c_error_prefix(dl4c_status status, const char *fmt, ...)
    DL4C_PRINTF(2, 3);

#define DL4C_FAIL(st, ...)                                                     \
    do {                                                                       \
        status = dl4c_error_set((st), __VA_ARGS__);                            \
        goto fail;                                                             \
    } while (0)

#define DL4C_TRY(expr)                                                         \
    do {                                                                       \
        status = (expr);                                                       \
        if (status != DL4C_OK)                                                 \
            goto fail;                                                         \
    } while (0)

#define DL4C_CHECK(cond, st, ...)                                              \
    do {                                                                       \
        if (!(cond))                                                           \
            DL4C_FAIL((st), __VA_ARGS__);                                      \
    } while (0)

/* Returns early (no cleanup) when `expr` fails. */
#define DL4C_RETURN_IF(expr)                                                   \
    do {                                                                       \
        dl4c_status st_ = (expr);                                              \
        if (st_ != DL4C_OK)                                                    \
            return st_;                                                        \
    } while (0)

#define DL4C_NOMEM_FAIL() DL4C_FAIL(DL4C_NOMEM, "out of memory")

#endif
