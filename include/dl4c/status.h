/* dl4c status codes and the thread-local error message.
 *
 *   dl4c_net *net = NULL;
 *   if (dl4c_model_load("mlp.dl4c", &net) != DL4C_OK)
 *       fprintf(stderr, "error: %s\n", dl4c_last_error());
 *
 * Every call that can fail returns a dl4c_status. On failure the calling
 * thread's message (dl4c_last_error) says what failed, where, and the bad
 * value; callers add context as the error travels up.
 */
#ifndef DL4C_STATUS_H
#define DL4C_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define DL4C_API __attribute__((visibility("default")))
#define DL4C_NODISCARD __attribute__((warn_unused_result))
#define DL4C_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DL4C_API
#define DL4C_NODISCARD
#define DL4C_PRINTF(f, a)
#endif

typedef enum dl4c_status {
    DL4C_OK = 0,
    DL4C_INVALID_ARG, /* a caller passed a bad value (NULL, out of range) */
    DL4C_SHAPE,       /* tensor shapes do not fit together */
    DL4C_NOMEM,       /* an allocation failed */
    DL4C_IO,          /* a file could not be opened, read or written */
    DL4C_FORMAT,      /* input data is malformed (CSV, JSON, model file) */
    DL4C_UNSUPPORTED, /* valid request that dl4c does not implement */
    DL4C_BACKEND,     /* the compute backend failed */
    DL4C_STATE,       /* call not valid in the object's current state */
    DL4C_INTERNAL,    /* a bug in dl4c */
    DL4C_STATUS_COUNT
} dl4c_status;

/* The message of the last failure on this thread ("" if none). The string
 * is owned by the library and valid until the next failing call on the same
 * thread. Thread-safe. */
DL4C_API const char *dl4c_last_error(void);

/* A short constant name for a status: "ok", "invalid argument", ... */
DL4C_API const char *dl4c_status_name(dl4c_status status);

/* Clears this thread's message. */
DL4C_API void dl4c_clear_error(void);

/* The library version as "MAJOR.MINOR.PATCH". */
DL4C_API const char *dl4c_version(void);

#ifdef __cplusplus
}
#endif
#endif
