/* Inside the transform process: typed column tables, the steps, and the
 * small expression language of derived columns and filters.
 *
 * A table is column-major; each value carries a state (ok, missing: an
 * empty cell, invalid: text that is not of the column's type). Numbers,
 * times (seconds since 1970 UTC) and category indices live in `num`;
 * strings and category names in `str`. A step rewrites the table in
 * place, fitting its statistics first when it has none and fitting is
 * allowed. */
#ifndef DL4C_TRANSFORM_INTERNAL_H
#define DL4C_TRANSFORM_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "dl4c/transform.h"

/* A value's state; an invalid value also records the type it failed to
 * be read as (state = DL4C_V_INVALID | type << 2), for messages. */
enum { DL4C_V_OK = 0, DL4C_V_MISSING = 1, DL4C_V_INVALID = 2 };
#define DL4C_V_STATE(s) ((s)&3)
#define DL4C_V_TYPE(s) ((dl4c_column_type)((s) >> 2))

typedef struct dl4c_tcol {
    char *name;
    dl4c_column_type type;
    char **values; /* categorical: the categories, in index order */
    int nvalues;
    char *time_format; /* time: a strptime format, or NULL for ISO 8601 */
    double *num;       /* nrows values (NULL in a schema) */
    char **str;        /* nrows strings or NULL entries (owned) */
    unsigned char *state;
} dl4c_tcol;

typedef struct dl4c_ttable {
    dl4c_tcol *cols;
    int ncols, cap;
    int64_t nrows;
    int64_t *line; /* per row: its source line (kept through filters), or
                      NULL */
} dl4c_ttable;

/* ---- expressions -----------------------------------------------------------
 */

typedef struct dl4c_expr dl4c_expr;

/* Parses "weight / (height * height)", "age >= 18 and city == 'rome'",
 * "not missing(income)". Numbers, column names (identifiers, or any name
 * in backquotes), 'strings', + - * / %, unary -, comparisons (< <= > >=
 * == !=), and, or, not, and the functions abs, sqrt, log, exp, floor,
 * ceil, round, min, max, pow, missing. DL4C_FORMAT naming the position
 * of the problem. */
dl4c_status dl4c_expr_parse(const char *text, dl4c_expr **out);
void dl4c_expr_free(dl4c_expr *e);
/* Checks that every column the expression names exists in `t`
 * (DL4C_FORMAT "no column 'x' (columns: ...)"). */
dl4c_status dl4c_expr_bind(dl4c_expr *e, const dl4c_ttable *t);
/* The value for row r of the bound table: NaN when an arithmetic operand
 * is missing or invalid; comparisons with such a value are false, and/or
 * count it as false, missing() is true. Booleans are 1 and 0. */
double dl4c_expr_eval(const dl4c_expr *e, const dl4c_ttable *t, int64_t r);

/* ---- tables
 * ------------------------------------------------------------------ */

void dl4c_ttable_free(dl4c_ttable *t);
void dl4c_tcol_deinit(dl4c_tcol *c);
int dl4c_ttable_find(const dl4c_ttable *t, const char *name);
/* Adds a column of nrows values (all missing) at position `at` (-1: the
 * end), copying the schema part of `like` (name, type, values, format). */
dl4c_status dl4c_ttable_insert(dl4c_ttable *t, int at, const char *name,
                               dl4c_column_type type, dl4c_tcol **out);
void dl4c_ttable_remove(dl4c_ttable *t, int at);
/* Keeps rows whose keep[r] is true. */
void dl4c_ttable_filter(dl4c_ttable *t, const bool *keep);
/* Parses text into column c's row r by the column's type. */
dl4c_status dl4c_tcol_set_text(dl4c_tcol *c, int64_t r, const char *text);
/* Copies the schema's columns into an empty table of nrows rows. */
dl4c_status dl4c_ttable_from_schema(const dl4c_transform *tp, int64_t nrows,
                                    dl4c_ttable *out);
/* Seconds since 1970-01-01 UTC of an ISO 8601 date/time ("2024-03-05",
 * "2024-03-05T14:30:00Z", "2024-03-05 14:30", fractional seconds allowed)
 * or, with a format, of strptime(text, format); also a plain number of
 * seconds. False when it is neither. */
bool dl4c_parse_time(const char *text, const char *format, double *seconds);

/* ---- the process
 * --------------------------------------------------------------- */

typedef enum dl4c_top {
    DL4C_OP_REMOVE_COLUMNS = 0,
    DL4C_OP_KEEP_COLUMNS,
    DL4C_OP_RENAME_COLUMN,
    DL4C_OP_STRING_TO_CATEGORICAL,
    DL4C_OP_CATEGORICAL_TO_ONEHOT,
    DL4C_OP_CATEGORICAL_TO_INTEGER,
    DL4C_OP_FILTER,
    DL4C_OP_REPLACE_MISSING,
    DL4C_OP_REPLACE_INVALID,
    DL4C_OP_MINMAX,
    DL4C_OP_STANDARDIZE,
    DL4C_OP_DERIVE,
    DL4C_OP_DATETIME_FIELDS,
    DL4C_OP_COUNT
} dl4c_top;

extern const char *const dl4c_top_names[DL4C_OP_COUNT];

enum {
    DL4C_TF_HOUR = 1 << 0,
    DL4C_TF_MINUTE = 1 << 1,
    DL4C_TF_SECOND = 1 << 2,
    DL4C_TF_DAY_OF_WEEK = 1 << 3,
    DL4C_TF_DAY_OF_MONTH = 1 << 4,
    DL4C_TF_DAY_OF_YEAR = 1 << 5,
    DL4C_TF_MONTH = 1 << 6,
    DL4C_TF_YEAR = 1 << 7,
    DL4C_TF_FIELD_COUNT = 8
};
extern const char *const dl4c_time_field_names[DL4C_TF_FIELD_COUNT];

typedef struct dl4c_tstep {
    dl4c_top op;
    char **columns; /* the columns it works on */
    int ncolumns;
    char *name;      /* rename: the new name; derive: the new column */
    char *text;      /* filter: the condition; derive: the expression */
    dl4c_expr *expr; /* parsed text */
    char *with;      /* replace_*: "value", "mean", "median", "mode" */
    json_t *value;   /* replace_*: the value (fitted for mean/median/mode) */
    double lo, hi;   /* minmax output range */
    double a, b;     /* fitted: minmax min/max, standardize mean/std */
    char **values;   /* string_to_categorical: categories (fitted or given) */
    int nvalues;
    unsigned fields;  /* datetime_fields: DL4C_TF_* */
    bool keep_source; /* datetime_fields / onehot: keep the input column */
    bool fitted;
} dl4c_tstep;

struct dl4c_transform {
    dl4c_tcol *schema;
    int nschema;
    dl4c_tstep *steps;
    int nsteps;
    char *label;    /* the label column (left out of features), or NULL */
    char **outputs; /* feature column names after the last full run */
    int noutputs;
};

/* Runs step `i` on t; `fit` lets an unfitted step fit itself on t. */
dl4c_status dl4c_tstep_apply(dl4c_transform *tp, int i, dl4c_ttable *t,
                             bool fit);
void dl4c_tstep_deinit(dl4c_tstep *s);

/* All steps in order over t (fitting when allowed). */
dl4c_status dl4c_transform_run(dl4c_transform *tp, dl4c_ttable *t, bool fit);

#endif
