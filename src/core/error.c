/* The thread-local error message behind dl4c_last_error(). Each thread has
 * one fixed buffer; setting a message never allocates, so out-of-memory
 * paths can report themselves. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error_internal.h"

#define MESSAGE_CAP 16384

static _Thread_local char message[MESSAGE_CAP];

static const char *const status_names[] = {
    "ok",          "invalid argument", "shape mismatch", "out of memory",
    "I/O error",   "format error",     "unsupported",    "backend error",
    "wrong state", "internal error",
};
_Static_assert(sizeof(status_names) / sizeof(status_names[0]) ==
                   DL4C_STATUS_COUNT,
               "status_names must cover every dl4c_status");

const char *dl4c_last_error(void)
{
    return message;
}

void dl4c_clear_error(void)
{
    message[0] = '\0';
}

const char *dl4c_status_name(dl4c_status status)
{
    if ((unsigned)status >= DL4C_STATUS_COUNT)
        return "unknown status";
    return status_names[status];
}

const char *dl4c_version(void)
{
    return DL4C_VERSION_STRING;
}

dl4c_status dl4c_error_set(dl4c_status status, const char *fmt, ...)
{
    /* formatted aside first: callers may quote the current message
     * ("loading x: %s", dl4c_last_error()) */
    char buf[MESSAGE_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    memcpy(message, buf, strlen(buf) + 1);
    return status;
}

dl4c_status dl4c_error_prefix(dl4c_status status, const char *fmt, ...)
{
    char prefix[512];
    char old[MESSAGE_CAP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, message, sizeof old);
    /* truncation is fine: the message is for people, and stays bounded */
    size_t n = strlen(prefix);
    if (n > sizeof message - 3)
        n = sizeof message - 3;
    memcpy(message, prefix, n);
    memcpy(message + n, ": ", 2);
    size_t rest = sizeof message - n - 3;
    size_t len = strnlen(old, rest);
    memcpy(message + n + 2, old, len);
    message[n + 2 + len] = '\0';
    return status;
}
