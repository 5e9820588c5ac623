/* The expression language of derived columns and filters: a recursive
 * descent parser into a small tree, names bound to table columns, and an
 * evaluator over doubles where NaN stands for a missing or invalid value:
 * arithmetic on it gives NaN, comparisons with it are false, and/or
 * count it as false. Booleans are 1 and 0.
 *
 *   expr   := or
 *   or     := and ("or" and)*
 *   and    := not ("and" not)*
 *   not    := "not" not | cmp
 *   cmp    := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
 *   sum    := prod (("+" | "-") prod)*
 *   prod   := unary (("*" | "/" | "%") unary)*
 *   unary  := "-" unary | atom
 *   atom   := number | 'string' | name | `any name` | name "(" args ")"
 *            | "(" expr ")"
 * A string only appears in == and != against a categorical or string
 * column. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/transform_internal.h"

typedef enum { E_NUM, E_STR, E_COL, E_NEG, E_NOT, E_BIN, E_CALL } ekind;

struct dl4c_expr {
    ekind kind;
    double num;
    char *text; /* E_STR: the string; E_COL: the name; E_CALL: function */
    char op[3]; /* E_BIN: "+", "<=", "and", ... ("&", "|" for and/or) */
    dl4c_expr *a, *b;
    dl4c_expr *args[2];
    int nargs;
    int col; /* E_COL: bound column index */
};

typedef struct parser {
    const char *src, *p;
    char err[200];
} parser;

static dl4c_expr *node(ekind k)
{
    dl4c_expr *e = dl4c_calloc(1, sizeof *e);
    if (e)
        e->kind = k;
    return e;
}

void dl4c_expr_free(dl4c_expr *e)
{
    if (!e)
        return;
    dl4c_free(e->text);
    dl4c_expr_free(e->a);
    dl4c_expr_free(e->b);
    for (int i = 0; i < e->nargs; i++)
        dl4c_expr_free(e->args[i]);
    dl4c_free(e);
}

static void fail_at(parser *ps, const char *what)
{
    if (!ps->err[0])
        snprintf(ps->err, sizeof ps->err, "%s at position %d ('%.12s')", what,
                 (int)(ps->p - ps->src) + 1, ps->p);
}

static void skip(parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

/* Consumes a keyword (a whole word) or a symbol. */
static bool accept(parser *ps, const char *tok)
{
    skip(ps);
    size_t n = strlen(tok);
    if (strncmp(ps->p, tok, n))
        return false;
    if (isalpha((unsigned char)tok[0]) &&
        (isalnum((unsigned char)ps->p[n]) || ps->p[n] == '_'))
        return false;
    ps->p += n;
    return true;
}

static dl4c_expr *parse_or(parser *ps);

static dl4c_expr *binary(const char *op, dl4c_expr *a, dl4c_expr *b)
{
    if (!a || !b) {
        dl4c_expr_free(a);
        dl4c_expr_free(b);
        return NULL;
    }
    dl4c_expr *e = node(E_BIN);
    if (!e) {
        dl4c_expr_free(a);
        dl4c_expr_free(b);
        return NULL;
    }
    snprintf(e->op, sizeof e->op, "%s", op);
    e->a = a;
    e->b = b;
    return e;
}

static const char *const functions[] = {"abs",   "sqrt", "log",    "exp",
                                        "floor", "ceil", "round",  "min",
                                        "max",   "pow",  "missing"};

static int arity(const char *fn)
{
    return !strcmp(fn, "min") || !strcmp(fn, "max") || !strcmp(fn, "pow") ? 2
                                                                          : 1;
}

static dl4c_expr *parse_atom(parser *ps)
{
    skip(ps);
    const char *p = ps->p;
    if (accept(ps, "(")) {
        dl4c_expr *e = parse_or(ps);
        if (e && !accept(ps, ")")) {
            fail_at(ps, "expected ')'");
            dl4c_expr_free(e);
            return NULL;
        }
        return e;
    }
    if (isdigit((unsigned char)*p) ||
        (*p == '.' && isdigit((unsigned char)p[1]))) {
        char *end = NULL;
        double v = strtod(p, &end);
        dl4c_expr *e = node(E_NUM);
        if (!e)
            return NULL;
        e->num = v;
        ps->p = end;
        return e;
    }
    if (*p == '\'' || *p == '`') {
        char q = *p;
        const char *end = strchr(p + 1, q);
        if (!end) {
            fail_at(ps,
                    q == '\'' ? "unterminated string" : "unterminated name");
            return NULL;
        }
        dl4c_expr *e = node(q == '\'' ? E_STR : E_COL);
        if (!e || !(e->text = dl4c_strndup(p + 1, (size_t)(end - p - 1)))) {
            dl4c_free(e);
            return NULL;
        }
        ps->p = end + 1;
        return e;
    }
    if (isalpha((unsigned char)*p) || *p == '_') {
        const char *q = p;
        while (isalnum((unsigned char)*q) || *q == '_')
            q++;
        char *name = dl4c_strndup(p, (size_t)(q - p));
        if (!name)
            return NULL;
        ps->p = q;
        if (accept(ps, "(")) {
            bool known = false;
            for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
                known |= !strcmp(name, functions[i]);
            if (!known) {
                ps->p = p;
                fail_at(ps, "unknown function (abs, sqrt, log, exp, floor, "
                            "ceil, round, min, max, pow, missing)");
                dl4c_free(name);
                return NULL;
            }
            dl4c_expr *e = node(E_CALL);
            if (!e) {
                dl4c_free(name);
                return NULL;
            }
            e->text = name;
            int want = arity(name);
            for (int i = 0; i < want; i++) {
                if (i && !accept(ps, ",")) {
                    fail_at(ps, "expected ','");
                    dl4c_expr_free(e);
                    return NULL;
                }
                e->args[i] = parse_or(ps);
                if (!e->args[i]) {
                    dl4c_expr_free(e);
                    return NULL;
                }
                e->nargs++;
            }
            if (!accept(ps, ")")) {
                fail_at(ps, "expected ')' after the arguments");
                dl4c_expr_free(e);
                return NULL;
            }
            return e;
        }
        dl4c_expr *e = node(E_COL);
        if (!e) {
            dl4c_free(name);
            return NULL;
        }
        e->text = name;
        return e;
    }
    fail_at(ps, *p ? "unexpected character" : "unexpected end");
    return NULL;
}

static dl4c_expr *parse_unary(parser *ps)
{
    if (accept(ps, "-")) {
        dl4c_expr *a = parse_unary(ps);
        dl4c_expr *e = a ? node(E_NEG) : NULL;
        if (!e) {
            dl4c_expr_free(a);
            return NULL;
        }
        e->a = a;
        return e;
    }
    return parse_atom(ps);
}

static dl4c_expr *parse_prod(parser *ps)
{
    dl4c_expr *e = parse_unary(ps);
    for (;;) {
        const char *op = accept(ps, "*")   ? "*"
                         : accept(ps, "/") ? "/"
                         : accept(ps, "%") ? "%"
                                           : NULL;
        if (!op || !e)
            return e;
        e = binary(op, e, parse_unary(ps));
    }
}

static dl4c_expr *parse_sum(parser *ps)
{
    dl4c_expr *e = parse_prod(ps);
    for (;;) {
        const char *op = accept(ps, "+") ? "+" : accept(ps, "-") ? "-" : NULL;
        if (!op || !e)
            return e;
        e = binary(op, e, parse_prod(ps));
    }
}

static dl4c_expr *parse_cmp(parser *ps)
{
    dl4c_expr *e = parse_sum(ps);
    static const char *const ops[] = {"<=", ">=", "==", "!=", "<", ">"};
    for (size_t i = 0; e && i < sizeof ops / sizeof ops[0]; i++)
        if (accept(ps, ops[i]))
            return binary(ops[i], e, parse_sum(ps));
    return e;
}

static dl4c_expr *parse_not(parser *ps)
{
    if (accept(ps, "not")) {
        dl4c_expr *a = parse_not(ps);
        dl4c_expr *e = a ? node(E_NOT) : NULL;
        if (!e) {
            dl4c_expr_free(a);
            return NULL;
        }
        e->a = a;
        return e;
    }
    return parse_cmp(ps);
}

static dl4c_expr *parse_and(parser *ps)
{
    dl4c_expr *e = parse_not(ps);
    while (e && accept(ps, "and"))
        e = binary("&", e, parse_not(ps));
    return e;
}

static dl4c_expr *parse_or(parser *ps)
{
    dl4c_expr *e = parse_and(ps);
    while (e && accept(ps, "or"))
        e = binary("|", e, parse_and(ps));
    return e;
}

/* A string literal only as one side of == / != (checked after parsing). */
static bool strings_ok(const dl4c_expr *e, bool allowed)
{
    if (!e)
        return true;
    if (e->kind == E_STR)
        return allowed;
    bool eq =
        e->kind == E_BIN && (!strcmp(e->op, "==") || !strcmp(e->op, "!="));
    return strings_ok(e->a, eq) && strings_ok(e->b, eq) &&
           strings_ok(e->args[0], false) && strings_ok(e->args[1], false);
}

dl4c_status dl4c_expr_parse(const char *text, dl4c_expr **out)
{
    parser ps = {text, text, ""};
    *out = NULL;
    if (!text)
        return dl4c_error_set(DL4C_FORMAT, "empty expression");
    dl4c_expr *e = parse_or(&ps);
    if (e) {
        skip(&ps);
        if (*ps.p)
            fail_at(&ps, "unexpected text after the expression");
        else if (!strings_ok(e, false))
            snprintf(ps.err, sizeof ps.err,
                     "a 'string' can only be compared with == or != to a "
                     "column");
    }
    if (ps.err[0] || !e) {
        dl4c_expr_free(e);
        if (!ps.err[0])
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        return dl4c_error_set(DL4C_FORMAT, "expression '%s': %s", text, ps.err);
    }
    *out = e;
    return DL4C_OK;
}

dl4c_status dl4c_expr_bind(dl4c_expr *e, const dl4c_ttable *t)
{
    if (!e)
        return DL4C_OK;
    if (e->kind == E_COL) {
        e->col = dl4c_ttable_find(t, e->text);
        if (e->col < 0) {
            char names[512] = "";
            size_t used = 0;
            for (int i = 0; i < t->ncols && used + 70 < sizeof names; i++)
                used +=
                    (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                                     i ? ", " : "", t->cols[i].name);
            return dl4c_error_set(DL4C_FORMAT, "no column '%s' (columns: %s)",
                                  e->text, names);
        }
    }
    DL4C_RETURN_IF(dl4c_expr_bind(e->a, t));
    DL4C_RETURN_IF(dl4c_expr_bind(e->b, t));
    for (int i = 0; i < e->nargs; i++)
        DL4C_RETURN_IF(dl4c_expr_bind(e->args[i], t));
    return DL4C_OK;
}

static double col_value(const dl4c_tcol *c, int64_t r)
{
    if (c->state[r] != DL4C_V_OK || c->type == DL4C_COL_STRING)
        return NAN;
    return c->num[r];
}

/* == and != with a string on one side compare the column's text. */
static double compare_text(const dl4c_expr *e, const dl4c_ttable *t, int64_t r)
{
    const dl4c_expr *s = e->a->kind == E_STR ? e->a : e->b;
    const dl4c_expr *c = e->a->kind == E_STR ? e->b : e->a;
    if (c->kind != E_COL)
        return NAN;
    const dl4c_tcol *col = &t->cols[c->col];
    if (col->state[r] != DL4C_V_OK || !col->str || !col->str[r])
        return NAN;
    bool eq = !strcmp(col->str[r], s->text);
    return (e->op[0] == '=') == eq ? 1.0 : 0.0;
}

double dl4c_expr_eval(const dl4c_expr *e, const dl4c_ttable *t, int64_t r)
{
    switch (e->kind) {
    case E_NUM:
        return e->num;
    case E_STR:
        return NAN;
    case E_COL:
        return col_value(&t->cols[e->col], r);
    case E_NEG:
        return -dl4c_expr_eval(e->a, t, r);
    case E_NOT: {
        double v = dl4c_expr_eval(e->a, t, r);
        return isnan(v) ? NAN : v == 0 ? 1.0 : 0.0;
    }
    case E_CALL: {
        double x = dl4c_expr_eval(e->args[0], t, r);
        double y = e->nargs > 1 ? dl4c_expr_eval(e->args[1], t, r) : 0;
        const char *f = e->text;
        if (!strcmp(f, "missing"))
            return isnan(x) ? 1.0 : 0.0;
        if (!strcmp(f, "abs"))
            return fabs(x);
        if (!strcmp(f, "sqrt"))
            return sqrt(x);
        if (!strcmp(f, "log"))
            return log(x);
        if (!strcmp(f, "exp"))
            return exp(x);
        if (!strcmp(f, "floor"))
            return floor(x);
        if (!strcmp(f, "ceil"))
            return ceil(x);
        if (!strcmp(f, "round"))
            return round(x);
        if (!strcmp(f, "min"))
            return isnan(x) || isnan(y) ? NAN : fmin(x, y);
        if (!strcmp(f, "max"))
            return isnan(x) || isnan(y) ? NAN : fmax(x, y);
        return pow(x, y);
    }
    case E_BIN:
        break;
    }
    if ((e->op[0] == '=' || e->op[0] == '!') &&
        (e->a->kind == E_STR || e->b->kind == E_STR))
        return compare_text(e, t, r);
    double a = dl4c_expr_eval(e->a, t, r);
    double b = dl4c_expr_eval(e->b, t, r);
    bool ta = !isnan(a) && a != 0, tb = !isnan(b) && b != 0;
    if (e->op[0] == '&')
        return ta && tb ? 1.0 : 0.0; /* a missing operand counts as false */
    if (e->op[0] == '|')
        return ta || tb ? 1.0 : 0.0;
    bool nan = isnan(a) || isnan(b);
    switch (e->op[0]) {
    case '+':
        return a + b;
    case '-':
        return a - b;
    case '*':
        return a * b;
    case '/':
        return a / b;
    case '%':
        return fmod(a, b);
    case '=':
        return !nan && a == b ? 1.0 : 0.0;
    case '!':
        return !nan && a != b ? 1.0 : 0.0;
    case '<':
        return !nan && (e->op[1] == '=' ? a <= b : a < b) ? 1.0 : 0.0;
    case '>':
        return !nan && (e->op[1] == '=' ? a >= b : a > b) ? 1.0 : 0.0;
    default:
        return NAN;
    }
}
