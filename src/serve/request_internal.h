/* TensorFlow Serving request bodies to float32 rows: the pure parser
 * behind :predict, :classify and :regress (no HTTP types, so it can be
 * fuzzed on its own). Every limit is checked before memory is taken for
 * the rows, and every failure is a status with a message naming the
 * place ("instances[2][1]: expected a number, got a string"):
 *   DL4C_FORMAT       malformed JSON or a request that is not a valid
 *                     request (wrong types, missing keys, limits)
 *   DL4C_SHAPE        a value of the wrong shape (expected and received)
 *   DL4C_UNSUPPORTED  a valid request dl4c cannot serve (binary values)
 *   DL4C_NOMEM
 * This header includes only public headers. */
#ifndef DL4C_REQUEST_INTERNAL_H
#define DL4C_REQUEST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dl4c/tensor.h"

/* The most named inputs or outputs a served net may have. */
#define DL4C_SERVE_MAX_IO 16

typedef enum dl4c_serve_verb {
    DL4C_VERB_PREDICT = 0,
    DL4C_VERB_CLASSIFY,
    DL4C_VERB_REGRESS,
    DL4C_VERB_COUNT
} dl4c_serve_verb;

/* "predict", "classify", "regress". */
const char *dl4c_serve_verb_name(dl4c_serve_verb verb);

/* What a served net takes and gives: per-example shapes (no batch dim).
 * Names are borrowed from the net. */
typedef struct dl4c_serve_signature {
    int n_inputs, n_outputs;
    const char *input_names[DL4C_SERVE_MAX_IO];
    dl4c_shape input_shapes[DL4C_SERVE_MAX_IO];
    int64_t input_sizes[DL4C_SERVE_MAX_IO];
    const char *output_names[DL4C_SERVE_MAX_IO];
    dl4c_shape output_shapes[DL4C_SERVE_MAX_IO];
    int64_t output_sizes[DL4C_SERVE_MAX_IO];
} dl4c_serve_signature;

typedef struct dl4c_serve_limits {
    int max_depth;    /* deepest JSON nesting accepted */
    int64_t max_rows; /* most rows (examples) in one request */
} dl4c_serve_limits;

/* A parsed request: `rows` examples of every input, row-major. */
typedef struct dl4c_serve_request {
    dl4c_serve_verb verb;
    bool columnar; /* "inputs" (answered with "outputs") */
    int64_t rows;
    int n_inputs;
    float *inputs[DL4C_SERVE_MAX_IO]; /* [rows, input_sizes[i]] each */
} dl4c_serve_request;

/* Parses `len` bytes of `body` (no NUL needed) as a request for `verb`
 * against `sig`. On success *out holds the rows (free with
 * dl4c_serve_request_deinit); on failure it is empty. */
dl4c_status dl4c_serve_parse(const char *body, size_t len, dl4c_serve_verb verb,
                             const dl4c_serve_signature *sig,
                             const dl4c_serve_limits *lim,
                             dl4c_serve_request *out);
void dl4c_serve_request_deinit(dl4c_serve_request *r);

/* The fast path dl4c_serve_parse tries first (request_fast.c): true when
 * it parsed the body (then *out holds the rows), false when the full
 * parser must (then *out is untouched). Same results as the full parser
 * for everything it accepts. */
bool dl4c_serve_parse_fast(const char *body, size_t len,
                           const dl4c_serve_signature *sig,
                           const dl4c_serve_limits *lim,
                           dl4c_serve_request *out);
/* The full parser alone (for tests comparing the two). */
dl4c_status dl4c_serve_parse_json(const char *body, size_t len,
                                  dl4c_serve_verb verb,
                                  const dl4c_serve_signature *sig,
                                  const dl4c_serve_limits *lim,
                                  dl4c_serve_request *out);

/* DL4C_FORMAT when `body` nests arrays and objects deeper than
 * max_depth (strings are skipped); a cheap check before parsing. */
dl4c_status dl4c_serve_check_depth(const char *body, size_t len, int max_depth);

#endif
