/* Transform processes as JSON (docs/data.md), and the ways data goes
 * through them: a CSV file into a dataset or into another CSV file, and
 * one raw row into features. A process is checked when parsed by running
 * it over an empty table built from its schema, so a step naming a column
 * that does not exist at that point fails at once, not on the first row. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "data/csv_internal.h"
#include "data/csv_table_internal.h"
#include "data/dataset_internal.h"
#include "data/image_internal.h"
#include "data/json_util_internal.h"
#include "data/transform_internal.h"
#include "io/io_internal.h"

#define FORMAT_NAME "dl4c.transform"
#define FORMAT_VERSION 1

static const char *const type_names[] = {"integer", "double", "categorical",
                                         "string", "time"};
_Static_assert(sizeof type_names / sizeof type_names[0] == DL4C_COL_TYPE_COUNT,
               "one name per column type");

const char *dl4c_column_type_name(dl4c_column_type t)
{
    return t >= 0 && t < DL4C_COL_TYPE_COUNT ? type_names[t] : "invalid";
}

void dl4c_transform_free(dl4c_transform *tp)
{
    if (!tp)
        return;
    for (int i = 0; i < tp->nschema; i++)
        dl4c_tcol_deinit(&tp->schema[i]);
    dl4c_free(tp->schema);
    for (int i = 0; i < tp->nsteps; i++)
        dl4c_tstep_deinit(&tp->steps[i]);
    dl4c_free(tp->steps);
    dl4c_free(tp->label);
    for (int i = 0; i < tp->noutputs; i++)
        dl4c_free(tp->outputs[i]);
    dl4c_free(tp->outputs);
    dl4c_free(tp);
}

bool dl4c_transform_fitted(const dl4c_transform *tp)
{
    for (int i = 0; tp && i < tp->nsteps; i++)
        if (!tp->steps[i].fitted)
            return false;
    return tp != NULL;
}

/* ---- parsing
 * ---------------------------------------------------------------------- */

/* Fails unless every key of obj is in the NULL-terminated list. */
static dl4c_status known_keys(const json_t *obj, const char *where,
                              const char *const *keys)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        bool ok = false;
        for (int i = 0; keys[i] && !ok; i++)
            ok = !strcmp(k, keys[i]);
        if (!ok) {
            char list[256] = "";
            size_t used = 0;
            for (int i = 0; keys[i]; i++)
                used += (size_t)snprintf(list + used, sizeof list - used,
                                         "%s%s", i ? ", " : "", keys[i]);
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: unknown key '%s' (known: %s)", where, k,
                                  list);
        }
    }
    return DL4C_OK;
}

static dl4c_status strings(const json_t *arr, const char *where,
                           const char *key, char ***out, int *n)
{
    if (!json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > 100000)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: \"%s\" must be a non-empty list of strings",
                              where, key);
    size_t count = json_array_size(arr);
    *out = dl4c_calloc(count, sizeof **out);
    if (!*out)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    for (size_t i = 0; i < count; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (!s)
            return dl4c_error_set(
                DL4C_FORMAT, "%s: \"%s\"[%zu] is not a string", where, key, i);
        for (size_t k = 0; k < i; k++)
            if (!strcmp((*out)[k], s))
                return dl4c_error_set(
                    DL4C_FORMAT, "%s: \"%s\" lists '%s' twice", where, key, s);
        (*out)[i] = dl4c_strdup(s);
        if (!(*out)[i])
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        *n = (int)i + 1;
    }
    return DL4C_OK;
}

static dl4c_status need_string(const json_t *obj, const char *where,
                               const char *key, char **out)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s || !*s)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: \"%s\" must be a non-empty "
                              "string",
                              where, key);
    *out = dl4c_strdup(s);
    return *out ? DL4C_OK : dl4c_error_set(DL4C_NOMEM, "out of memory");
}

static dl4c_status parse_column(const json_t *j, int i, dl4c_tcol *c)
{
    char where[64];
    snprintf(where, sizeof where, "schema column %d", i + 1);
    static const char *const keys[] = {"name", "type", "values", "format",
                                       NULL};
    if (!json_is_object(j))
        return dl4c_error_set(DL4C_FORMAT, "%s: not an object", where);
    DL4C_RETURN_IF(known_keys(j, where, keys));
    DL4C_RETURN_IF(need_string(j, where, "name", &c->name));
    const char *type = json_string_value(json_object_get(j, "type"));
    c->type = DL4C_COL_TYPE_COUNT;
    for (int t = 0; type && t < DL4C_COL_TYPE_COUNT; t++)
        if (!strcmp(type, type_names[t]))
            c->type = (dl4c_column_type)t;
    if (c->type == DL4C_COL_TYPE_COUNT)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s ('%s'): \"type\" must be integer, double, "
                              "categorical, string or time",
                              where, c->name);
    const json_t *values = json_object_get(j, "values");
    if (c->type == DL4C_COL_CATEGORICAL)
        DL4C_RETURN_IF(
            strings(values, where, "values", &c->values, &c->nvalues));
    else if (values)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s ('%s'): only categorical columns have "
                              "\"values\"",
                              where, c->name);
    const json_t *fmt = json_object_get(j, "format");
    if (fmt) {
        if (c->type != DL4C_COL_TIME || !json_is_string(fmt))
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s ('%s'): \"format\" (a strptime format "
                                  "string) is for time columns",
                                  where, c->name);
        c->time_format = dl4c_strdup(json_string_value(fmt));
        if (!c->time_format)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    return DL4C_OK;
}

static dl4c_status parse_step(const json_t *j, int i, dl4c_tstep *s)
{
    char where[64];
    snprintf(where, sizeof where, "step %d", i + 1);
    if (!json_is_object(j))
        return dl4c_error_set(DL4C_FORMAT, "%s: not an object", where);
    const char *op = json_string_value(json_object_get(j, "op"));
    s->op = DL4C_OP_COUNT;
    for (int k = 0; op && k < DL4C_OP_COUNT; k++)
        if (!strcmp(op, dl4c_top_names[k]))
            s->op = (dl4c_top)k;
    if (s->op == DL4C_OP_COUNT)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: unknown \"op\" '%s' (remove_columns, "
                              "keep_columns, rename_column, "
                              "string_to_categorical, categorical_to_onehot, "
                              "categorical_to_integer, filter, "
                              "replace_missing, replace_invalid, minmax, "
                              "standardize, derive, datetime_fields)",
                              where, op ? op : "(none)");
    snprintf(where, sizeof where, "step %d (%s)", i + 1, op);
    s->fitted = true;
    s->lo = 0;
    s->hi = 1;
    switch (s->op) {
    case DL4C_OP_REMOVE_COLUMNS:
    case DL4C_OP_KEEP_COLUMNS: {
        static const char *const keys[] = {"op", "columns", NULL};
        DL4C_RETURN_IF(known_keys(j, where, keys));
        return strings(json_object_get(j, "columns"), where, "columns",
                       &s->columns, &s->ncolumns);
    }
    case DL4C_OP_FILTER:
    case DL4C_OP_DERIVE: {
        static const char *const fkeys[] = {"op", "keep", NULL};
        static const char *const dkeys[] = {"op", "name", "expression", NULL};
        bool f = s->op == DL4C_OP_FILTER;
        DL4C_RETURN_IF(known_keys(j, where, f ? fkeys : dkeys));
        if (!f)
            DL4C_RETURN_IF(need_string(j, where, "name", &s->name));
        DL4C_RETURN_IF(
            need_string(j, where, f ? "keep" : "expression", &s->text));
        dl4c_status st = dl4c_expr_parse(s->text, &s->expr);
        return st == DL4C_OK ? st : dl4c_error_prefix(st, "%s", where);
    }
    default:
        break;
    }
    /* one-column steps */
    s->columns = dl4c_calloc(1, sizeof *s->columns);
    if (!s->columns)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    DL4C_RETURN_IF(need_string(j, where, "column", &s->columns[0]));
    s->ncolumns = 1;
    switch (s->op) {
    case DL4C_OP_RENAME_COLUMN: {
        static const char *const keys[] = {"op", "column", "to", NULL};
        DL4C_RETURN_IF(known_keys(j, where, keys));
        return need_string(j, where, "to", &s->name);
    }
    case DL4C_OP_STRING_TO_CATEGORICAL: {
        static const char *const keys[] = {"op", "column", "values", NULL};
        DL4C_RETURN_IF(known_keys(j, where, keys));
        const json_t *v = json_object_get(j, "values");
        s->fitted = v != NULL;
        return v ? strings(v, where, "values", &s->values, &s->nvalues)
                 : DL4C_OK;
    }
    case DL4C_OP_CATEGORICAL_TO_ONEHOT:
    case DL4C_OP_CATEGORICAL_TO_INTEGER: {
        static const char *const okeys[] = {"op", "column", "keep", NULL};
        static const char *const ikeys[] = {"op", "column", NULL};
        DL4C_RETURN_IF(known_keys(
            j, where, s->op == DL4C_OP_CATEGORICAL_TO_ONEHOT ? okeys : ikeys));
        s->keep_source = json_is_true(json_object_get(j, "keep"));
        return DL4C_OK;
    }
    case DL4C_OP_REPLACE_MISSING:
    case DL4C_OP_REPLACE_INVALID: {
        static const char *const keys[] = {"op", "column", "value", "with",
                                           NULL};
        DL4C_RETURN_IF(known_keys(j, where, keys));
        const char *with = json_string_value(json_object_get(j, "with"));
        const json_t *value = json_object_get(j, "value");
        if (!with)
            with = "value";
        if (strcmp(with, "value") && strcmp(with, "mean") &&
            strcmp(with, "median") && strcmp(with, "mode"))
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: \"with\" must be value, mean, median "
                                  "or mode, not '%s'",
                                  where, with);
        if (!strcmp(with, "value") &&
            !(json_is_number(value) || json_is_string(value)))
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: \"value\" (a number or a string) is "
                                  "required",
                                  where);
        s->with = dl4c_strdup(with);
        if (!s->with)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        s->value = value ? json_deep_copy(value) : NULL;
        s->fitted = value != NULL;
        return DL4C_OK;
    }
    case DL4C_OP_MINMAX:
    case DL4C_OP_STANDARDIZE: {
        bool mm = s->op == DL4C_OP_MINMAX;
        static const char *const mkeys[] = {
            "op", "column", "min", "max", "data_min", "data_max", NULL};
        static const char *const skeys[] = {"op", "column", "mean", "std",
                                            NULL};
        DL4C_RETURN_IF(known_keys(j, where, mm ? mkeys : skeys));
        const json_t *a = json_object_get(j, mm ? "data_min" : "mean");
        const json_t *b = json_object_get(j, mm ? "data_max" : "std");
        if (mm) {
            const json_t *lo = json_object_get(j, "min"),
                         *hi = json_object_get(j, "max");
            s->lo = lo ? json_number_value(lo) : 0;
            s->hi = hi ? json_number_value(hi) : 1;
            if ((lo && !json_is_number(lo)) || (hi && !json_is_number(hi)) ||
                !(s->hi > s->lo))
                return dl4c_error_set(DL4C_FORMAT,
                                      "%s: \"min\" and \"max\" (the output "
                                      "range) must be numbers with min < max",
                                      where);
        }
        if ((a != NULL) != (b != NULL))
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: give both fitted statistics or neither",
                                  where);
        s->fitted = a != NULL;
        if (a) {
            if (!json_is_number(a) || !json_is_number(b) ||
                !isfinite(json_number_value(a)) ||
                !isfinite(json_number_value(b)))
                return dl4c_error_set(DL4C_FORMAT,
                                      "%s: fitted statistics must be finite "
                                      "numbers",
                                      where);
            s->a = json_number_value(a);
            s->b = json_number_value(b);
        }
        return DL4C_OK;
    }
    case DL4C_OP_DATETIME_FIELDS: {
        static const char *const keys[] = {"op", "column", "fields", "keep",
                                           NULL};
        DL4C_RETURN_IF(known_keys(j, where, keys));
        char **f = NULL;
        int nf = 0;
        dl4c_status st =
            strings(json_object_get(j, "fields"), where, "fields", &f, &nf);
        for (int k = 0; st == DL4C_OK && k < nf; k++) {
            int bit = -1;
            for (int b = 0; b < DL4C_TF_FIELD_COUNT; b++)
                if (!strcmp(f[k], dl4c_time_field_names[b]))
                    bit = b;
            if (bit < 0)
                st = dl4c_error_set(DL4C_FORMAT,
                                    "%s: unknown field '%s' (hour, minute, "
                                    "second, day_of_week, day_of_month, "
                                    "day_of_year, month, year)",
                                    where, f[k]);
            else
                s->fields |= 1u << bit;
        }
        for (int k = 0; f && k < nf; k++)
            dl4c_free(f[k]);
        dl4c_free(f);
        s->keep_source = json_is_true(json_object_get(j, "keep"));
        return st;
    }
    default:
        return dl4c_error_set(DL4C_INTERNAL, "%s: unhandled op", where);
    }
}

/* Output names from a table (the label column left out). */
static dl4c_status set_outputs(dl4c_transform *tp, const dl4c_ttable *t)
{
    for (int i = 0; i < tp->noutputs; i++)
        dl4c_free(tp->outputs[i]);
    dl4c_free(tp->outputs);
    tp->outputs = NULL;
    tp->noutputs = 0;
    tp->outputs =
        dl4c_calloc((size_t)(t->ncols ? t->ncols : 1), sizeof *tp->outputs);
    if (!tp->outputs)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    for (int i = 0; i < t->ncols; i++) {
        if (tp->label && !strcmp(t->cols[i].name, tp->label))
            continue;
        tp->outputs[tp->noutputs] = dl4c_strdup(t->cols[i].name);
        if (!tp->outputs[tp->noutputs])
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        tp->noutputs++;
    }
    return DL4C_OK;
}

/* Runs the process over an empty table: checks every step's columns and
 * types, and (when fitted) records the output names. */
static dl4c_status check(dl4c_transform *tp)
{
    dl4c_ttable t;
    DL4C_RETURN_IF(dl4c_ttable_from_schema(tp, 0, &t));
    dl4c_status st = dl4c_transform_run(tp, &t, true);
    if (st == DL4C_OK && tp->label && dl4c_ttable_find(&t, tp->label) < 0)
        st = dl4c_error_set(DL4C_FORMAT,
                            "the label column '%s' is gone after the steps "
                            "(removed or renamed)",
                            tp->label);
    if (st == DL4C_OK && dl4c_transform_fitted(tp))
        st = set_outputs(tp, &t);
    dl4c_ttable_free(&t);
    return st;
}

dl4c_status dl4c_transform_parse(const char *json, dl4c_transform **out)
{
    dl4c_status status = DL4C_OK;
    json_t *root = NULL;
    dl4c_transform *tp = NULL;
    json_error_t err;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "transform: out is NULL");
    *out = NULL;
    DL4C_CHECK(json, DL4C_INVALID_ARG, "transform: NULL text");
    root = json_loads(json, JSON_REJECT_DUPLICATES, &err);
    DL4C_CHECK(root, DL4C_FORMAT, "transform: line %d column %d: %s", err.line,
               err.column, err.text);
    DL4C_CHECK(json_is_object(root), DL4C_FORMAT,
               "transform: not a JSON object");
    static const char *const keys[] = {"format", "version", "label",
                                       "schema", "steps",   NULL};
    DL4C_TRY(known_keys(root, "transform", keys));
    const json_t *fmt = json_object_get(root, "format");
    const json_t *ver = json_object_get(root, "version");
    DL4C_CHECK(!fmt || (json_is_string(fmt) &&
                        !strcmp(json_string_value(fmt), FORMAT_NAME)),
               DL4C_FORMAT, "transform: \"format\" must be \"%s\"",
               FORMAT_NAME);
    DL4C_CHECK(!ver || (json_is_integer(ver) &&
                        json_integer_value(ver) == FORMAT_VERSION),
               DL4C_FORMAT,
               "transform: unsupported \"version\" (this dl4c "
               "reads %d)",
               FORMAT_VERSION);
    const json_t *schema = json_object_get(root, "schema");
    const json_t *steps = json_object_get(root, "steps");
    DL4C_CHECK(json_is_array(schema) && json_array_size(schema) > 0 &&
                   json_array_size(schema) < 100000,
               DL4C_FORMAT, "transform: \"schema\" must be a non-empty list");
    DL4C_CHECK(!steps ||
                   (json_is_array(steps) && json_array_size(steps) < 100000),
               DL4C_FORMAT, "transform: \"steps\" must be a list");
    tp = dl4c_calloc(1, sizeof *tp);
    if (!tp)
        DL4C_NOMEM_FAIL();
    size_t ns = json_array_size(schema), nt = json_array_size(steps);
    tp->schema = dl4c_calloc(ns, sizeof *tp->schema);
    tp->steps = dl4c_calloc(nt ? nt : 1, sizeof *tp->steps);
    if (!tp->schema || !tp->steps)
        DL4C_NOMEM_FAIL();
    for (size_t i = 0; i < ns; i++) {
        tp->nschema = (int)i + 1;
        DL4C_TRY(
            parse_column(json_array_get(schema, i), (int)i, &tp->schema[i]));
        for (size_t k = 0; k < i; k++)
            DL4C_CHECK(strcmp(tp->schema[k].name, tp->schema[i].name),
                       DL4C_FORMAT, "transform: schema names '%s' twice",
                       tp->schema[i].name);
    }
    for (size_t i = 0; i < nt; i++) {
        tp->nsteps = (int)i + 1;
        DL4C_TRY(parse_step(json_array_get(steps, i), (int)i, &tp->steps[i]));
    }
    const json_t *label = json_object_get(root, "label");
    if (label && !json_is_null(label)) {
        DL4C_CHECK(json_is_string(label), DL4C_FORMAT,
                   "transform: \"label\" must be a column name");
        DL4C_TRY(dl4c_transform_set_label(tp, json_string_value(label)));
    }
    DL4C_TRY(check(tp));
    *out = tp;
    tp = NULL;
fail:
    json_decref(root);
    dl4c_transform_free(tp);
    return status;
}

dl4c_status dl4c_transform_load(const char *path, dl4c_transform **out)
{
    unsigned char *data = NULL;
    size_t size = 0;
    if (out)
        *out = NULL;
    if (!path || !out)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "transform load: NULL argument");
    DL4C_RETURN_IF(dl4c_read_whole_file(path, (size_t)64 << 20, &data, &size));
    char *text = dl4c_realloc(data, size + 1);
    if (!text) {
        dl4c_free(data);
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    text[size] = '\0';
    dl4c_status st = dl4c_transform_parse(text, out);
    dl4c_free(text);
    return st == DL4C_OK ? st : dl4c_error_prefix(st, "%s", path);
}

dl4c_status dl4c_transform_set_label(dl4c_transform *tp, const char *column)
{
    if (!tp)
        return dl4c_error_set(DL4C_INVALID_ARG, "transform: NULL");
    char *copy = NULL;
    if (column) {
        bool found = false;
        for (int i = 0; i < tp->nschema; i++)
            found |= !strcmp(tp->schema[i].name, column);
        if (!found)
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "transform: the label '%s' is not a schema "
                                  "column",
                                  column);
        copy = dl4c_strdup(column);
        if (!copy)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    dl4c_free(tp->label);
    tp->label = copy;
    if (tp->steps && dl4c_transform_fitted(tp))
        return check(tp); /* outputs change with the label */
    return DL4C_OK;
}

const char *dl4c_transform_label(const dl4c_transform *tp)
{
    return tp ? tp->label : NULL;
}

int dl4c_transform_num_inputs(const dl4c_transform *tp)
{
    return tp ? tp->nschema : 0;
}

const char *dl4c_transform_input_name(const dl4c_transform *tp, int i)
{
    return tp && i >= 0 && i < tp->nschema ? tp->schema[i].name : NULL;
}

int dl4c_transform_num_outputs(const dl4c_transform *tp)
{
    return tp ? tp->noutputs : 0;
}

const char *dl4c_transform_output_name(const dl4c_transform *tp, int i)
{
    return tp && i >= 0 && i < tp->noutputs ? tp->outputs[i] : NULL;
}

/* ---- writing
 * -------------------------------------------------------------------------- */

static json_t *string_list(char *const *s, int n)
{
    json_t *a = json_array();
    for (int i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_string(s[i]))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *write_step(const dl4c_tstep *s)
{
    json_t *o = json_pack("{s:s}", "op", dl4c_top_names[s->op]);
    if (!o)
        return NULL;
    int bad = 0;
    switch (s->op) {
    case DL4C_OP_REMOVE_COLUMNS:
    case DL4C_OP_KEEP_COLUMNS:
        bad |= json_object_set_new(o, "columns",
                                   string_list(s->columns, s->ncolumns));
        break;
    case DL4C_OP_FILTER:
        bad |= json_object_set_new(o, "keep", json_string(s->text));
        break;
    case DL4C_OP_DERIVE:
        bad |= json_object_set_new(o, "name", json_string(s->name));
        bad |= json_object_set_new(o, "expression", json_string(s->text));
        break;
    default:
        bad |= json_object_set_new(o, "column", json_string(s->columns[0]));
        break;
    }
    switch (s->op) {
    case DL4C_OP_RENAME_COLUMN:
        bad |= json_object_set_new(o, "to", json_string(s->name));
        break;
    case DL4C_OP_STRING_TO_CATEGORICAL:
        if (s->fitted)
            bad |= json_object_set_new(o, "values",
                                       string_list(s->values, s->nvalues));
        break;
    case DL4C_OP_CATEGORICAL_TO_ONEHOT:
        if (s->keep_source)
            bad |= json_object_set_new(o, "keep", json_true());
        break;
    case DL4C_OP_REPLACE_MISSING:
    case DL4C_OP_REPLACE_INVALID:
        bad |= json_object_set_new(o, "with", json_string(s->with));
        if (s->value)
            bad |= json_object_set(o, "value", s->value);
        break;
    case DL4C_OP_MINMAX:
        bad |= json_object_set_new(o, "min", json_real(s->lo));
        bad |= json_object_set_new(o, "max", json_real(s->hi));
        if (s->fitted) {
            bad |= json_object_set_new(o, "data_min", json_real(s->a));
            bad |= json_object_set_new(o, "data_max", json_real(s->b));
        }
        break;
    case DL4C_OP_STANDARDIZE:
        if (s->fitted) {
            bad |= json_object_set_new(o, "mean", json_real(s->a));
            bad |= json_object_set_new(o, "std", json_real(s->b));
        }
        break;
    case DL4C_OP_DATETIME_FIELDS: {
        json_t *f = json_array();
        for (int b = 0; f && b < DL4C_TF_FIELD_COUNT; b++)
            if (s->fields & (1u << b))
                bad |= json_array_append_new(
                    f, json_string(dl4c_time_field_names[b]));
        bad |= json_object_set_new(o, "fields", f);
        if (s->keep_source)
            bad |= json_object_set_new(o, "keep", json_true());
        break;
    }
    default:
        break;
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

dl4c_status dl4c_transform_write(const dl4c_transform *tp, char **json)
{
    dl4c_status status = DL4C_OK;
    json_t *root = NULL, *schema = NULL, *steps = NULL;
    DL4C_CHECK(tp && json, DL4C_INVALID_ARG, "transform write: NULL argument");
    *json = NULL;
    schema = json_array();
    steps = json_array();
    if (!schema || !steps)
        DL4C_NOMEM_FAIL();
    for (int i = 0; i < tp->nschema; i++) {
        const dl4c_tcol *c = &tp->schema[i];
        json_t *o = json_pack("{s:s, s:s}", "name", c->name, "type",
                              type_names[c->type]);
        if (!o || json_array_append_new(schema, o))
            DL4C_NOMEM_FAIL();
        if (c->nvalues && json_object_set_new(
                              o, "values", string_list(c->values, c->nvalues)))
            DL4C_NOMEM_FAIL();
        if (c->time_format &&
            json_object_set_new(o, "format", json_string(c->time_format)))
            DL4C_NOMEM_FAIL();
    }
    for (int i = 0; i < tp->nsteps; i++) {
        json_t *o = write_step(&tp->steps[i]);
        if (!o || json_array_append_new(steps, o))
            DL4C_NOMEM_FAIL();
    }
    root = json_pack("{s:s, s:i, s:s?, s:O, s:O}", "format", FORMAT_NAME,
                     "version", FORMAT_VERSION, "label", tp->label, "schema",
                     schema, "steps", steps);
    if (!root)
        DL4C_NOMEM_FAIL();
    *json = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                 JSON_REAL_PRECISION(17));
    if (!*json)
        DL4C_NOMEM_FAIL();
    /* json_dumps used jansson's allocator: hand back dl4c memory */
    char *copy = dl4c_strdup(*json);
    json_free_t free_fn = NULL;
    json_get_alloc_funcs(NULL, &free_fn);
    free_fn(*json);
    *json = copy;
    if (!copy)
        DL4C_NOMEM_FAIL();
fail:
    json_decref(root);
    json_decref(schema);
    json_decref(steps);
    return status;
}

/* ---- data through the process
 * ------------------------------------------------------- */

/* The CSV's columns mapped onto the schema: col_of[i] is the CSV column
 * of schema column i, or -1 for a missing label. */
static dl4c_status map_columns(const dl4c_transform *tp,
                               const dl4c_csv_table *csv, const char *path,
                               int *col_of)
{
    for (int c = 0; c < csv->ncols; c++) {
        bool known = false;
        for (int i = 0; i < tp->nschema; i++)
            known |= !strcmp(csv->header[c], tp->schema[i].name);
        if (!known)
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: column '%s' is not in the transform's "
                                  "schema",
                                  path, csv->header[c]);
    }
    for (int i = 0; i < tp->nschema; i++) {
        col_of[i] = dl4c_csv_table_column(csv, tp->schema[i].name);
        if (col_of[i] < 0 &&
            !(tp->label && !strcmp(tp->label, tp->schema[i].name)))
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: no column '%s' (the schema's column "
                                  "%d); the header must name the schema's "
                                  "columns",
                                  path, tp->schema[i].name, i + 1);
    }
    return DL4C_OK;
}

/* Reads and runs: the table after every step. */
static dl4c_status run_csv(dl4c_transform *tp, const char *path, bool fit,
                           dl4c_ttable *t, bool *has_label)
{
    dl4c_status status = DL4C_OK;
    dl4c_csv_table csv = {0};
    int *col_of = NULL;
    memset(t, 0, sizeof *t);
    DL4C_TRY(dl4c_csv_table_read(path, 0, true, &csv));
    col_of = dl4c_malloc((size_t)tp->nschema * sizeof *col_of);
    if (!col_of)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(map_columns(tp, &csv, path, col_of));
    *has_label = false;
    for (int i = 0; tp->label && i < tp->nschema; i++)
        if (!strcmp(tp->schema[i].name, tp->label))
            *has_label = col_of[i] >= 0;
    DL4C_TRY(dl4c_ttable_from_schema(tp, csv.nrows, t));
    t->line = dl4c_malloc((size_t)csv.nrows * sizeof *t->line);
    if (!t->line)
        DL4C_NOMEM_FAIL();
    memcpy(t->line, csv.lines, (size_t)csv.nrows * sizeof *t->line);
    for (int i = 0; i < tp->nschema; i++)
        for (int64_t r = 0; col_of[i] >= 0 && r < csv.nrows; r++)
            DL4C_TRY(dl4c_tcol_set_text(
                &t->cols[i], r, dl4c_csv_table_cell(&csv, r, col_of[i])));
    if (fit || !dl4c_transform_fitted(tp)) {
        status = dl4c_transform_run(tp, t, fit);
        if (status == DL4C_STATE)
            dl4c_error_prefix(status,
                              "%s: the transform is not fitted (fit it on "
                              "training data first)",
                              path);
        DL4C_TRY(status);
    } else {
        DL4C_TRY(dl4c_transform_run(tp, t, false));
    }
    if (dl4c_transform_fitted(tp))
        DL4C_TRY(set_outputs(tp, t));
fail:
    dl4c_free(col_of);
    dl4c_csv_table_free(&csv);
    if (status != DL4C_OK)
        dl4c_ttable_free(t);
    return status;
}

/* Row r of column c as a feature value, or a message naming the place. */
static dl4c_status feature(const dl4c_tcol *c, const dl4c_ttable *t, int64_t r,
                           const char *path, double *out)
{
    char place[1100];
    if (t->line)
        snprintf(place, sizeof place, "%s:%lld", path, (long long)t->line[r]);
    else
        snprintf(place, sizeof place, "%s", path);
    if (c->type == DL4C_COL_CATEGORICAL || c->type == DL4C_COL_STRING)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: column '%s' is still %s after the steps; "
                              "add categorical_to_onehot or "
                              "categorical_to_integer (or remove it)",
                              place, c->name, dl4c_column_type_name(c->type));
    if (c->state[r] == DL4C_V_MISSING)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: column '%s': missing value (add a "
                              "replace_missing step)",
                              place, c->name);
    if (DL4C_V_STATE(c->state[r]) == DL4C_V_INVALID) {
        dl4c_column_type was = DL4C_V_TYPE(c->state[r]);
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: column '%s': '%s' is not %s (add a "
                              "replace_invalid step)",
                              place, c->name, c->str[r] ? c->str[r] : "?",
                              was == DL4C_COL_INTEGER       ? "an integer"
                              : was == DL4C_COL_TIME        ? "a date-time"
                              : was == DL4C_COL_CATEGORICAL ? "a known category"
                                                            : "a number");
    }
    *out = c->num[r];
    return DL4C_OK;
}

dl4c_status dl4c_transform_load_csv(dl4c_transform *tp, const char *path,
                                    bool fit, int num_classes,
                                    dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_ttable t = {0};
    dl4c_tensor *x = NULL, *y = NULL;
    dl4c_dataset *ds = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "transform: out is NULL");
    *out = NULL;
    DL4C_CHECK(tp && path && num_classes >= 0, DL4C_INVALID_ARG,
               "transform: bad argument");
    bool has_label = false;
    DL4C_TRY(run_csv(tp, path, fit, &t, &has_label));
    DL4C_CHECK(t.nrows > 0, DL4C_FORMAT, "%s: the filters removed every row",
               path);
    int label = tp->label ? dl4c_ttable_find(&t, tp->label) : -1;
    int nf = t.ncols - (label >= 0);
    DL4C_CHECK(nf > 0, DL4C_FORMAT, "%s: no feature columns are left", path);
    int64_t xs[2] = {t.nrows, nf};
    DL4C_TRY(dl4c_tensor_create(DL4C_F32, 2, xs, &x));
    float *xd = x->data;
    for (int64_t r = 0; r < t.nrows; r++) {
        int f = 0;
        for (int c = 0; c < t.ncols; c++) {
            if (c == label)
                continue;
            double v = 0;
            DL4C_TRY(feature(&t.cols[c], &t, r, path, &v));
            xd[r * nf + f++] = (float)v;
        }
    }
    int classes = 0;
    if (label >= 0 && has_label) {
        const dl4c_tcol *lc = &t.cols[label];
        bool cat = lc->type == DL4C_COL_CATEGORICAL;
        classes = cat ? lc->nvalues : num_classes;
        int64_t ys[2] = {t.nrows, classes ? classes : 1};
        DL4C_TRY(dl4c_tensor_create(DL4C_F32, 2, ys, &y));
        float *yd = y->data;
        for (int64_t r = 0; r < t.nrows; r++) {
            double v = 0;
            if (cat) {
                DL4C_CHECK(lc->state[r] == DL4C_V_OK, DL4C_FORMAT,
                           "%s:%lld: label '%s' is %s", path,
                           (long long)t.line[r], lc->name,
                           lc->state[r] == DL4C_V_MISSING
                               ? "missing"
                               : "not one of its categories");
                v = lc->num[r];
            } else {
                dl4c_tcol tmp = *lc;
                tmp.type = DL4C_COL_DOUBLE;
                DL4C_TRY(feature(&tmp, &t, r, path, &v));
            }
            if (!classes) {
                yd[r] = (float)v;
                continue;
            }
            DL4C_CHECK(v == floor(v) && v >= 0 && v < classes, DL4C_FORMAT,
                       "%s:%lld: label %g outside 0..%d (num_classes %d)", path,
                       (long long)t.line[r], v, classes - 1, classes);
            yd[r * classes + (int64_t)v] = 1.0f;
        }
    }
    status = dl4c_dataset_create(x, y, &ds);
    x = y = NULL;
    DL4C_TRY(status);
    if (classes && has_label)
        DL4C_TRY(dl4c_dataset_set_classes(
            ds, classes,
            t.cols[label].type == DL4C_COL_CATEGORICAL
                ? (const char *const *)t.cols[label].values
                : NULL));
    *out = ds;
    ds = NULL;
fail:
    dl4c_dataset_free(ds);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_ttable_free(&t);
    return status;
}

/* A CSV cell: quoted when it holds a delimiter, quote or line break. */
static void put_cell(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static dl4c_status write_table(FILE *f, void *ctx)
{
    const dl4c_ttable *t = ctx;
    for (int c = 0; c < t->ncols; c++) {
        if (c)
            fputc(',', f);
        put_cell(f, t->cols[c].name);
    }
    fputc('\n', f);
    for (int64_t r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const dl4c_tcol *col = &t->cols[c];
            if (c)
                fputc(',', f);
            if (col->state[r] == DL4C_V_MISSING)
                continue;
            if (col->type == DL4C_COL_STRING ||
                col->type == DL4C_COL_CATEGORICAL || col->state[r] != DL4C_V_OK)
                put_cell(f, col->str[r] ? col->str[r] : "");
            else
                fprintf(f, "%.17g", col->num[r]);
        }
        fputc('\n', f);
    }
    return DL4C_OK;
}

dl4c_status dl4c_transform_csv(dl4c_transform *tp, const char *in_path,
                               const char *out_path, bool fit)
{
    dl4c_status status = DL4C_OK;
    dl4c_ttable t = {0};
    bool has_label = false;
    DL4C_CHECK(tp && in_path && out_path, DL4C_INVALID_ARG,
               "transform csv: NULL argument");
    DL4C_TRY(run_csv(tp, in_path, fit, &t, &has_label));
    DL4C_TRY(dl4c_atomic_write(out_path, write_table, &t));
fail:
    dl4c_ttable_free(&t);
    return status;
}

dl4c_status dl4c_transform_row(dl4c_transform *tp, const char *const *cells,
                               int ncells, float *out, int64_t cap, int64_t *n,
                               bool *kept)
{
    dl4c_status status = DL4C_OK;
    dl4c_ttable t = {0};
    DL4C_CHECK(tp && n && kept && (cells || !ncells) && (out || !cap),
               DL4C_INVALID_ARG, "transform row: NULL argument");
    *n = 0;
    *kept = false;
    DL4C_CHECK(dl4c_transform_fitted(tp), DL4C_STATE,
               "transform row: the transform is not fitted");
    int label_at = -1;
    for (int i = 0; tp->label && i < tp->nschema; i++)
        if (!strcmp(tp->schema[i].name, tp->label))
            label_at = i;
    bool no_label = label_at >= 0 && ncells == tp->nschema - 1;
    DL4C_CHECK(ncells == tp->nschema || no_label, DL4C_FORMAT,
               "%d values in the row; the transform reads %d columns (%s)",
               ncells, tp->nschema,
               label_at >= 0 ? "the label may be left out" : "in order");
    DL4C_TRY(dl4c_ttable_from_schema(tp, 1, &t));
    for (int i = 0, k = 0; i < tp->nschema; i++) {
        if (no_label && i == label_at)
            continue;
        DL4C_TRY(dl4c_tcol_set_text(&t.cols[i], 0, cells[k++]));
    }
    DL4C_TRY(dl4c_transform_run(tp, &t, false));
    if (t.nrows == 0)
        goto fail; /* filtered out */
    int label = tp->label ? dl4c_ttable_find(&t, tp->label) : -1;
    for (int c = 0; c < t.ncols; c++) {
        if (c == label)
            continue;
        double v = 0;
        DL4C_TRY(feature(&t.cols[c], &t, 0, "row", &v));
        if (*n < cap)
            out[*n] = (float)v;
        (*n)++;
    }
    *kept = true;
fail:
    dl4c_ttable_free(&t);
    return status;
}

dl4c_status dl4c_transform_line(dl4c_transform *tp, const char *line,
                                char delimiter, const char *name,
                                int64_t line_no, float *out, int64_t cap,
                                int64_t *n, bool *kept)
{
    dl4c_status status = DL4C_OK;
    dl4c_byte_reader *in = NULL;
    dl4c_csv_tokenizer tok;
    dl4c_csv_record rec = {0};
    const char **cells = NULL;
    FILE *f = NULL;
    bool got = false;
    DL4C_CHECK(tp && line && n && kept, DL4C_INVALID_ARG,
               "transform line: NULL argument");
    *n = 0;
    *kept = false;
    if (!name)
        name = "<row>";
    size_t len = strlen(line);
    f = fmemopen((void *)line, len ? len : 1, "r");
    DL4C_CHECK(f, DL4C_NOMEM, "out of memory");
    DL4C_TRY(dl4c_byte_reader_from_stream(f, &in));
    dl4c_csv_tokenizer_init(&tok, in, name, delimiter ? delimiter : ',', '"');
    tok.line = line_no;
    DL4C_TRY(dl4c_csv_next_record(&tok, &rec, &got));
    DL4C_CHECK(got, DL4C_FORMAT, "%s:%lld: empty line", name,
               (long long)line_no);
    cells = dl4c_malloc((size_t)rec.ncells * sizeof *cells);
    if (!cells)
        DL4C_NOMEM_FAIL();
    for (int c = 0; c < rec.ncells; c++)
        cells[c] = rec.text + rec.cell[c];
    status = dl4c_transform_row(tp, cells, rec.ncells, out, cap, n, kept);
    if (status != DL4C_OK)
        dl4c_error_prefix(status, "%s:%lld", name, (long long)line_no);
fail:
    dl4c_free(cells);
    dl4c_csv_record_free(&rec);
    dl4c_byte_reader_close(in);
    if (f)
        fclose(f);
    return status;
}
