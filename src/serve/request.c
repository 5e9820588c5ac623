/* TensorFlow Serving JSON bodies to float32 rows (request_internal.h).
 * Row format ("instances": one entry per example, a value or an object of
 * named inputs), columnar format ("inputs": a batched value or an object
 * of named batched values) and the examples of :classify / :regress
 * ("examples" with an optional shared "context"). An example's value
 * must have the input's per-example shape or at least as many numbers
 * (then it is reshaped, as the CLI does for 28x28 images into [784]). */
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "serve/request_internal.h"

static const char *const verb_names[] = {"predict", "classify", "regress"};
_Static_assert(sizeof verb_names / sizeof verb_names[0] == DL4C_VERB_COUNT,
               "one name per verb");

const char *dl4c_serve_verb_name(dl4c_serve_verb verb)
{
    return verb >= 0 && verb < DL4C_VERB_COUNT ? verb_names[verb] : "invalid";
}

/* Signature names a client may send; dl4c nets have one signature. */
static const char *const signatures[] = {
    "serving_default", "tensorflow/serving/predict",
    "tensorflow/serving/classify", "tensorflow/serving/regress"};

dl4c_status dl4c_serve_check_depth(const char *body, size_t len, int max_depth)
{
    int depth = 0;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < len; i++) {
        char c = body[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth)
                return dl4c_error_set(DL4C_FORMAT,
                                      "JSON nested more than %d levels deep",
                                      max_depth);
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return DL4C_OK;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "a list";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    default:
        return "null";
    }
}

static bool is_b64(const json_t *v)
{
    return json_is_object(v) && json_object_get(v, "b64");
}

/* Where a value sits, for messages: "instances[2]['x'][0][1]". Only the
 * steps are kept while parsing; the text is made when a message needs it,
 * so a valid request costs no formatting. */
#define WHERE_MAX 24

typedef struct where {
    int n;
    struct {
        const char *key; /* NULL: an index */
        long long index;
    } step[WHERE_MAX];
} where;

static size_t where_add(where *w, const char *key, long long index)
{
    size_t at = (size_t)w->n;
    if (w->n < WHERE_MAX) {
        w->step[w->n].key = key;
        w->step[w->n].index = index;
    }
    w->n++;
    return at;
}

/* Appends "[i]"; returns the depth to restore with where_pop. */
static size_t where_index(where *w, long long i)
{
    return where_add(w, NULL, i);
}

/* Appends "['key']" ("key" as the first step). */
static size_t where_key(where *w, const char *key)
{
    return where_add(w, key, 0);
}

static void where_pop(where *w, size_t at)
{
    w->n = (int)at;
}

static const char *where_text(const where *w, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < w->n && i < WHERE_MAX && used + 1 < cap; i++) {
        const char *key = w->step[i].key;
        int m =
            !key ? snprintf(buf + used, cap - used, "[%lld]", w->step[i].index)
            : i  ? snprintf(buf + used, cap - used, "['%.128s']", key)
                 : snprintf(buf + used, cap - used, "%.128s", key);
        if (m < 0)
            break;
        used += (size_t)m < cap - used ? (size_t)m : cap - used - 1;
    }
    return buf;
}

/* The place as text, in a buffer that lives until the end of the
 * enclosing block. */
#define WHERE(w) where_text((w), (char[320]){0}, 320)

/* The shape of a nested list, following first elements. */
static dl4c_status value_shape(const json_t *v, const where *w, dl4c_shape *s)
{
    s->ndim = 0;
    while (json_is_array(v)) {
        if (s->ndim == DL4C_MAX_DIMS)
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: lists nested more than %d deep",
                                  WHERE(w), DL4C_MAX_DIMS);
        s->dim[s->ndim++] = (int64_t)json_array_size(v);
        if (json_array_size(v) == 0)
            break;
        v = json_array_get(v, 0);
    }
    return DL4C_OK;
}

static char *shape_text(const dl4c_shape *s, char *buf, size_t cap)
{
    if (s->ndim == 0) {
        snprintf(buf, cap, "a single number");
        return buf;
    }
    return dl4c_shape_format(s, buf, cap);
}

/* Checks that v has shape s from dim d on and copies its numbers to
 * dst + *pos (dst NULL: only checks). */
static dl4c_status fill(const json_t *v, const dl4c_shape *s, int d, float *dst,
                        int64_t *pos, where *w)
{
    if (d == s->ndim) {
        if (is_b64(v))
            return dl4c_error_set(DL4C_UNSUPPORTED,
                                  "%s: binary values ({\"b64\": ...}) are not "
                                  "supported: dl4c models take numbers",
                                  WHERE(w));
        if (!json_is_number(v))
            return dl4c_error_set(DL4C_FORMAT, "%s: expected a number, got %s",
                                  WHERE(w), type_name(v));
        double x = json_number_value(v);
        if (!isfinite(x) || fabs(x) > FLT_MAX)
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: %g is outside the float32 range",
                                  WHERE(w), x);
        if (dst)
            dst[*pos] = (float)x;
        (*pos)++;
        return DL4C_OK;
    }
    if (!json_is_array(v))
        return dl4c_error_set(DL4C_SHAPE,
                              "%s: expected a list of %lld values, got %s "
                              "(nested lists must be rectangular)",
                              WHERE(w), (long long)s->dim[d], type_name(v));
    if ((int64_t)json_array_size(v) != s->dim[d])
        return dl4c_error_set(DL4C_SHAPE,
                              "%s: expected a list of %lld values, got %zu "
                              "(nested lists must be rectangular)",
                              WHERE(w), (long long)s->dim[d],
                              json_array_size(v));
    for (size_t i = 0; i < json_array_size(v); i++) {
        size_t at = where_index(w, (long long)i);
        dl4c_status st = fill(json_array_get(v, i), s, d + 1, dst, pos, w);
        where_pop(w, at);
        if (st != DL4C_OK)
            return st;
    }
    return DL4C_OK;
}

static bool same_shape(const dl4c_shape *a, const dl4c_shape *b)
{
    if (a->ndim != b->ndim)
        return false;
    for (int i = 0; i < a->ndim; i++)
        if (a->dim[i] != b->dim[i])
            return false;
    return true;
}

/* One example's value of input i, copied to dst (NULL: only checked). */
static dl4c_status read_example(const json_t *v,
                                const dl4c_serve_signature *sig, int i,
                                float *dst, where *w)
{
    dl4c_shape got;
    if (is_b64(v))
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s: binary values ({\"b64\": ...}) are not "
                              "supported: dl4c models take numbers",
                              WHERE(w));
    DL4C_RETURN_IF(value_shape(v, w, &got));
    if (!same_shape(&got, &sig->input_shapes[i]) &&
        dl4c_shape_size(&got) != sig->input_sizes[i]) {
        char a[96], b[96];
        return dl4c_error_set(
            DL4C_SHAPE, "%s: input '%s' takes shape %s per example, got %s",
            WHERE(w), sig->input_names[i],
            shape_text(&sig->input_shapes[i], a, sizeof a),
            shape_text(&got, b, sizeof b));
    }
    int64_t pos = 0;
    return fill(v, &got, 0, dst, &pos, w);
}

static int input_index(const dl4c_serve_signature *sig, const char *name)
{
    for (int i = 0; i < sig->n_inputs; i++)
        if (!strcmp(sig->input_names[i], name))
            return i;
    return -1;
}

static void input_list(const dl4c_serve_signature *sig, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < sig->n_inputs && used + 1 < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? ", " : "",
                                 sig->input_names[i]);
}

/* Every key of an object of named inputs must be an input. */
static dl4c_status check_names(const json_t *obj,
                               const dl4c_serve_signature *sig,
                               const char *what, const where *w)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value)
    {
        if (input_index(sig, key) < 0) {
            char names[512];
            input_list(sig, names, sizeof names);
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: unknown %s '%s' (the model's inputs: "
                                  "%s)",
                                  WHERE(w), what, key, names);
        }
    }
    return DL4C_OK;
}

/* Takes memory for `rows` examples of every input. A valid body holds at
 * least one byte per number, so more numbers than body bytes means the
 * request is invalid; *fits is then false and nothing is allocated (the
 * caller runs the checks without copying to find the error). */
static dl4c_status alloc_rows(dl4c_serve_request *r,
                              const dl4c_serve_signature *sig, int64_t rows,
                              size_t body_len, bool *fits)
{
    int64_t values = 0;
    for (int i = 0; i < sig->n_inputs; i++) {
        if (sig->input_sizes[i] > 0 &&
            rows > INT64_MAX / 4 / sig->input_sizes[i])
            values = INT64_MAX / 2;
        else
            values += rows * sig->input_sizes[i];
    }
    *fits = values <= (int64_t)body_len;
    if (!*fits)
        return DL4C_OK;
    r->rows = rows;
    r->n_inputs = sig->n_inputs;
    for (int i = 0; i < sig->n_inputs; i++) {
        r->inputs[i] =
            dl4c_malloc(sizeof(float) * (size_t)(rows * sig->input_sizes[i]));
        if (!r->inputs[i])
            return dl4c_error_set(DL4C_NOMEM, "out of memory for %lld rows",
                                  (long long)rows);
    }
    return DL4C_OK;
}

static float *row_at(const dl4c_serve_request *r,
                     const dl4c_serve_signature *sig, int i, int64_t row)
{
    return r->inputs[i] ? r->inputs[i] + row * sig->input_sizes[i] : NULL;
}

/* Row format: "instances": [example, ...]. */
static dl4c_status parse_rows(const json_t *inst,
                              const dl4c_serve_signature *sig,
                              dl4c_serve_request *r, where *w)
{
    int64_t rows = (int64_t)json_array_size(inst);
    for (int64_t k = 0; k < rows; k++) {
        const json_t *ex = json_array_get(inst, (size_t)k);
        size_t at = where_index(w, (long long)k);
        dl4c_status st = DL4C_OK;
        if (json_is_object(ex) && !is_b64(ex)) {
            st = check_names(ex, sig, "input", w);
            for (int i = 0; st == DL4C_OK && i < sig->n_inputs; i++) {
                const json_t *v = json_object_get(ex, sig->input_names[i]);
                if (!v) {
                    st = dl4c_error_set(DL4C_FORMAT, "%s: missing input '%s'",
                                        WHERE(w), sig->input_names[i]);
                    break;
                }
                size_t at2 = where_key(w, sig->input_names[i]);
                st = read_example(v, sig, i, row_at(r, sig, i, k), w);
                where_pop(w, at2);
            }
        } else if (sig->n_inputs != 1) {
            char names[512];
            input_list(sig, names, sizeof names);
            st = dl4c_error_set(DL4C_FORMAT,
                                "%s: this model has %d inputs (%s): give each "
                                "instance as an object of named inputs",
                                WHERE(w), sig->n_inputs, names);
        } else {
            st = read_example(ex, sig, 0, row_at(r, sig, 0, k), w);
        }
        where_pop(w, at);
        if (st != DL4C_OK)
            return st;
    }
    return DL4C_OK;
}

/* Columnar format: "inputs": batched value or {name: batched value}. The
 * per-input batches are collected first to count the rows. */
static dl4c_status columns(const json_t *in, const dl4c_serve_signature *sig,
                           const json_t **batch, int64_t *rows, where *w)
{
    if (json_is_object(in) && !is_b64(in)) {
        DL4C_RETURN_IF(check_names(in, sig, "input", w));
        for (int i = 0; i < sig->n_inputs; i++) {
            batch[i] = json_object_get(in, sig->input_names[i]);
            if (!batch[i])
                return dl4c_error_set(DL4C_FORMAT, "%s: missing input '%s'",
                                      WHERE(w), sig->input_names[i]);
        }
    } else if (sig->n_inputs == 1) {
        batch[0] = in;
    } else {
        char names[512];
        input_list(sig, names, sizeof names);
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: this model has %d inputs (%s): give an "
                              "object of named inputs",
                              WHERE(w), sig->n_inputs, names);
    }
    *rows = -1;
    for (int i = 0; i < sig->n_inputs; i++) {
        if (!json_is_array(batch[i]))
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s['%s']: expected a list with one entry "
                                  "per example, got %s",
                                  WHERE(w), sig->input_names[i],
                                  type_name(batch[i]));
        int64_t n = (int64_t)json_array_size(batch[i]);
        if (*rows >= 0 && n != *rows)
            return dl4c_error_set(DL4C_SHAPE,
                                  "%s: input '%s' has %lld examples and '%s' "
                                  "has %lld; every input needs the same "
                                  "number",
                                  WHERE(w), sig->input_names[0],
                                  (long long)*rows, sig->input_names[i],
                                  (long long)n);
        *rows = n;
    }
    return DL4C_OK;
}

static dl4c_status parse_columns(const json_t *const *batch,
                                 const dl4c_serve_signature *sig,
                                 dl4c_serve_request *r, int64_t rows, where *w)
{
    for (int i = 0; i < sig->n_inputs; i++) {
        size_t at = where_key(w, sig->input_names[i]);
        for (int64_t k = 0; k < rows; k++) {
            size_t at2 = where_index(w, (long long)k);
            dl4c_status st = read_example(json_array_get(batch[i], (size_t)k),
                                          sig, i, row_at(r, sig, i, k), w);
            where_pop(w, at2);
            if (st != DL4C_OK)
                return st;
        }
        where_pop(w, at);
    }
    return DL4C_OK;
}

/* :classify / :regress: "examples": [{feature: value}], "context": {...}. */
static dl4c_status parse_examples(const json_t *examples, const json_t *context,
                                  const dl4c_serve_signature *sig,
                                  dl4c_serve_request *r, where *w)
{
    int64_t rows = (int64_t)json_array_size(examples);
    for (int64_t k = 0; k < rows; k++) {
        const json_t *ex = json_array_get(examples, (size_t)k);
        size_t at = where_index(w, (long long)k);
        dl4c_status st = DL4C_OK;
        if (!json_is_object(ex))
            st = dl4c_error_set(DL4C_FORMAT,
                                "%s: expected an object of features, got %s",
                                WHERE(w), type_name(ex));
        if (st == DL4C_OK)
            st = check_names(ex, sig, "feature", w);
        for (int i = 0; st == DL4C_OK && i < sig->n_inputs; i++) {
            const char *name = sig->input_names[i];
            const json_t *v = json_object_get(ex, name);
            const json_t *c = context ? json_object_get(context, name) : NULL;
            if (v && c)
                st = dl4c_error_set(DL4C_FORMAT,
                                    "%s: feature '%s' is also in \"context\"",
                                    WHERE(w), name);
            else if (!v && !c)
                st = dl4c_error_set(DL4C_FORMAT, "%s: missing feature '%s'",
                                    WHERE(w), name);
            if (st != DL4C_OK)
                break;
            size_t at2 = where_key(w, name);
            st = read_example(v ? v : c, sig, i, row_at(r, sig, i, k), w);
            where_pop(w, at2);
        }
        where_pop(w, at);
        if (st != DL4C_OK)
            return st;
    }
    return DL4C_OK;
}

static dl4c_status check_signature(const json_t *root)
{
    const json_t *s = json_object_get(root, "signature_name");
    if (!s || json_is_null(s))
        return DL4C_OK;
    if (!json_is_string(s))
        return dl4c_error_set(DL4C_FORMAT,
                              "\"signature_name\" must be a string, got %s",
                              type_name(s));
    const char *name = json_string_value(s);
    if (!name[0])
        return DL4C_OK;
    for (size_t i = 0; i < sizeof signatures / sizeof signatures[0]; i++)
        if (!strcmp(name, signatures[i]))
            return DL4C_OK;
    return dl4c_error_set(DL4C_FORMAT,
                          "serving signature name '%.64s' not found: dl4c "
                          "models have serving_default (and the predict, "
                          "classify and regress method names)",
                          name);
}

static dl4c_status check_rows(const char *what, const json_t *list,
                              const dl4c_serve_limits *lim)
{
    if (!json_is_array(list))
        return dl4c_error_set(DL4C_FORMAT, "\"%s\" must be a list, got %s",
                              what, type_name(list));
    if (json_array_size(list) == 0)
        return dl4c_error_set(DL4C_FORMAT, "\"%s\" is empty", what);
    if ((int64_t)json_array_size(list) > lim->max_rows)
        return dl4c_error_set(DL4C_FORMAT,
                              "\"%s\" has %zu examples, more than the limit "
                              "of %lld",
                              what, json_array_size(list),
                              (long long)lim->max_rows);
    return DL4C_OK;
}

/* Parses against sig, first checking without copying when the body is
 * too small to hold what it claims (so a request of many empty rows never
 * takes memory for them). */
static dl4c_status parse_body(const json_t *root, size_t len,
                              dl4c_serve_verb verb,
                              const dl4c_serve_signature *sig,
                              const dl4c_serve_limits *lim,
                              dl4c_serve_request *r)
{
    where w = {.n = 0};
    const json_t *batch[DL4C_SERVE_MAX_IO] = {0};
    int64_t rows = 0;
    bool fits = false;
    if (verb == DL4C_VERB_PREDICT) {
        const json_t *inst = json_object_get(root, "instances");
        const json_t *in = json_object_get(root, "inputs");
        if (inst && in)
            return dl4c_error_set(DL4C_FORMAT,
                                  "give \"instances\" (row format) or "
                                  "\"inputs\" (columnar format), not both");
        if (!inst && !in)
            return dl4c_error_set(
                DL4C_FORMAT,
                json_object_get(root, "examples")
                    ? "\"examples\" belong to :classify and :regress; "
                      ":predict takes \"instances\" or \"inputs\""
                    : "missing \"instances\" (row format) or \"inputs\" "
                      "(columnar format)");
        if (inst) {
            DL4C_RETURN_IF(check_rows("instances", inst, lim));
            where_key(&w, "instances");
            rows = (int64_t)json_array_size(inst);
            DL4C_RETURN_IF(alloc_rows(r, sig, rows, len, &fits));
            DL4C_RETURN_IF(parse_rows(inst, sig, r, &w));
        } else {
            r->columnar = true;
            where_key(&w, "inputs");
            DL4C_RETURN_IF(columns(in, sig, batch, &rows, &w));
            if (rows == 0)
                return dl4c_error_set(DL4C_FORMAT, "\"inputs\" is empty");
            if (rows > lim->max_rows)
                return dl4c_error_set(DL4C_FORMAT,
                                      "\"inputs\" has %lld examples, more "
                                      "than the limit of %lld",
                                      (long long)rows,
                                      (long long)lim->max_rows);
            DL4C_RETURN_IF(alloc_rows(r, sig, rows, len, &fits));
            DL4C_RETURN_IF(parse_columns(batch, sig, r, rows, &w));
        }
    } else {
        const json_t *ex = json_object_get(root, "examples");
        const json_t *ctx = json_object_get(root, "context");
        if (!ex)
            return dl4c_error_set(DL4C_FORMAT,
                                  ":%s takes \"examples\" (a list of objects "
                                  "of features); :predict takes "
                                  "\"instances\" or \"inputs\"",
                                  dl4c_serve_verb_name(verb));
        DL4C_RETURN_IF(check_rows("examples", ex, lim));
        if (ctx && !json_is_object(ctx))
            return dl4c_error_set(DL4C_FORMAT,
                                  "\"context\" must be an object, got %s",
                                  type_name(ctx));
        if (ctx) {
            where cw = {.n = 0};
            where_key(&cw, "context");
            DL4C_RETURN_IF(check_names(ctx, sig, "feature", &cw));
        }
        where_key(&w, "examples");
        rows = (int64_t)json_array_size(ex);
        DL4C_RETURN_IF(alloc_rows(r, sig, rows, len, &fits));
        DL4C_RETURN_IF(parse_examples(ex, ctx, sig, r, &w));
    }
    if (!fits)
        return dl4c_error_set(DL4C_FORMAT,
                              "%lld examples cannot fit in a body of %zu "
                              "bytes",
                              (long long)rows, len);
    return DL4C_OK;
}

dl4c_status dl4c_serve_parse(const char *body, size_t len, dl4c_serve_verb verb,
                             const dl4c_serve_signature *sig,
                             const dl4c_serve_limits *lim,
                             dl4c_serve_request *out)
{
    if (out && sig && lim && verb == DL4C_VERB_PREDICT &&
        dl4c_serve_parse_fast(body, len, sig, lim, out))
        return DL4C_OK;
    return dl4c_serve_parse_json(body, len, verb, sig, lim, out);
}

dl4c_status dl4c_serve_parse_json(const char *body, size_t len,
                                  dl4c_serve_verb verb,
                                  const dl4c_serve_signature *sig,
                                  const dl4c_serve_limits *lim,
                                  dl4c_serve_request *out)
{
    dl4c_status status = DL4C_OK;
    json_t *root = NULL;
    json_error_t err;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "request: NULL output");
    memset(out, 0, sizeof *out);
    DL4C_CHECK(sig && lim && (body || !len) && sig->n_inputs >= 1 &&
                   sig->n_inputs <= DL4C_SERVE_MAX_IO,
               DL4C_INVALID_ARG, "request: bad arguments");
    out->verb = verb;
    DL4C_TRY(dl4c_serve_check_depth(body, len, lim->max_depth));
    root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &err);
    DL4C_CHECK(root, DL4C_FORMAT, "malformed JSON at line %d, column %d: %s",
               err.line, err.column, err.text);
    DL4C_CHECK(json_is_object(root), DL4C_FORMAT,
               "the request body must be a JSON object, got %s",
               type_name(root));
    DL4C_TRY(check_signature(root));
    DL4C_TRY(parse_body(root, len, verb, sig, lim, out));
    json_decref(root);
    return DL4C_OK;
fail:
    json_decref(root);
    dl4c_serve_request_deinit(out);
    if (out)
        out->verb = verb;
    return status;
}

void dl4c_serve_request_deinit(dl4c_serve_request *r)
{
    if (!r)
        return;
    for (int i = 0; i < DL4C_SERVE_MAX_IO; i++)
        dl4c_free(r->inputs[i]);
    memset(r, 0, sizeof *r);
}
