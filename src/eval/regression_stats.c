/* Regression metrics from the running column moments, the stats() table
 * in the layout of DL4J's RegressionEvaluation.stats(), and JSON output.
 * A column without values has NaN metrics and is left out of averages. */
#include <math.h>
#include <string.h>

#include "core/error_internal.h"
#include "eval/eval_internal.h"

/* stats(): digits after the point, and the width of a value column */
#define STATS_PRECISION 5
#define STATS_COLUMN_WIDTH (STATS_PRECISION + 10)

static const char *const metric_names[] = {"MSE", "MAE", "RMSE",
                                           "RSE", "PC",  "R^2"};
static const char *const metric_keys[] = {"mse", "mae", "rmse",
                                          "rse", "pc",  "r2"};
_Static_assert(sizeof metric_names / sizeof metric_names[0] ==
                   DL4C_REGRESSION_METRIC_COUNT,
               "regression metric names");
_Static_assert(sizeof metric_keys / sizeof metric_keys[0] ==
                   DL4C_REGRESSION_METRIC_COUNT,
               "regression metric keys");

const char *dl4c_regression_metric_name(dl4c_regression_metric m)
{
    return (unsigned)m < DL4C_REGRESSION_METRIC_COUNT ? metric_names[m]
                                                      : "invalid";
}

static double rse(const dl4c_regression_column *c)
{
    /* constant labels: only exact predictions have a finite error ratio */
    if (c->m2_y == 0.0)
        return c->sse == 0.0 ? 0.0 : INFINITY;
    return c->sse / c->m2_y;
}

static double column_metric(const dl4c_regression_column *c,
                            dl4c_regression_metric metric)
{
    if (c->n == 0)
        return NAN;
    double n = (double)c->n;
    switch (metric) {
    case DL4C_REGRESSION_MSE:
        return c->sse / n;
    case DL4C_REGRESSION_MAE:
        return c->sae / n;
    case DL4C_REGRESSION_RMSE:
        return sqrt(c->sse / n);
    case DL4C_REGRESSION_RSE:
        return rse(c);
    case DL4C_REGRESSION_PC:
        if (c->m2_y == 0.0 || c->m2_p == 0.0)
            return NAN;
        return c->c_yp / (sqrt(c->m2_y) * sqrt(c->m2_p));
    case DL4C_REGRESSION_R2:
        return 1.0 - rse(c);
    default:
        return NAN;
    }
}

double dl4c_regression_eval_metric(const dl4c_regression_eval *e,
                                   dl4c_regression_metric metric, int col)
{
    if (!e || col < 0 || col >= e->num_columns)
        return NAN;
    return column_metric(&e->cols[col], metric);
}

double dl4c_regression_eval_average(const dl4c_regression_eval *e,
                                    dl4c_regression_metric metric)
{
    if (!e || (unsigned)metric >= DL4C_REGRESSION_METRIC_COUNT)
        return NAN;
    double sum = 0.0;
    int used = 0;
    for (int c = 0; c < e->num_columns; c++) {
        if (e->cols[c].n == 0)
            continue;
        sum += column_metric(&e->cols[c], metric);
        used++;
    }
    return used ? sum / used : NAN;
}

dl4c_status dl4c_regression_eval_stats(const dl4c_regression_eval *e,
                                       char **out)
{
    dl4c_eval_buf b = {0};
    if (out)
        *out = NULL;
    if (!e || !out)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "regression eval stats: %s is NULL",
                              e ? "out" : "e");
    bool any = false;
    int longest = 0;
    for (int c = 0; c < e->num_columns; c++) {
        any = any || e->cols[c].n > 0;
        int len = (int)strlen(e->names[c]);
        if (len > longest)
            longest = len;
    }
    if (!any) {
        dl4c_eval_buf_printf(&b, "RegressionEvaluation: No Data");
        return dl4c_eval_buf_finish(&b, out);
    }
    /* at least one space after "Column" however short the names are */
    int label_width = longest + 5;
    if (label_width < (int)strlen("Column") + 1)
        label_width = (int)strlen("Column") + 1;
    dl4c_eval_buf_printf(&b, "%-*s", label_width, "Column");
    for (int m = 0; m < DL4C_REGRESSION_METRIC_COUNT; m++)
        dl4c_eval_buf_printf(&b, "%-*s", STATS_COLUMN_WIDTH, metric_names[m]);
    dl4c_eval_buf_printf(&b, "\n");
    for (int c = 0; c < e->num_columns; c++) {
        dl4c_eval_buf_printf(&b, "%-*s", label_width, e->names[c]);
        for (int m = 0; m < DL4C_REGRESSION_METRIC_COUNT; m++)
            dl4c_eval_buf_number(&b, "%.5e", STATS_COLUMN_WIDTH,
                                 column_metric(&e->cols[c], m));
        dl4c_eval_buf_printf(&b, "\n");
    }
    return dl4c_eval_buf_finish(&b, out);
}

dl4c_status dl4c_regression_eval_to_json(const dl4c_regression_eval *e,
                                         char **out)
{
    dl4c_eval_buf b = {0};
    if (out)
        *out = NULL;
    if (!e || !out)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "regression eval to_json: %s is NULL",
                              e ? "out" : "e");
    dl4c_eval_buf_printf(&b,
                         "{\"type\": \"regression\", \"num_columns\": %d, "
                         "\"columns\": [",
                         e->num_columns);
    for (int c = 0; c < e->num_columns; c++) {
        dl4c_eval_buf_printf(&b, "%s{\"name\": ", c ? ", " : "");
        dl4c_eval_buf_json_string(&b, e->names[c]);
        dl4c_eval_buf_printf(&b, ", \"count\": %lld", (long long)e->cols[c].n);
        for (int m = 0; m < DL4C_REGRESSION_METRIC_COUNT; m++) {
            dl4c_eval_buf_printf(&b, ", \"%s\": ", metric_keys[m]);
            dl4c_eval_buf_json_number(&b, column_metric(&e->cols[c], m));
        }
        dl4c_eval_buf_printf(&b, "}");
    }
    dl4c_eval_buf_printf(&b, "], \"average\": {");
    for (int m = 0; m < DL4C_REGRESSION_METRIC_COUNT; m++) {
        dl4c_eval_buf_printf(&b, "%s\"%s\": ", m ? ", " : "", metric_keys[m]);
        dl4c_eval_buf_json_number(&b, dl4c_regression_eval_average(e, m));
    }
    dl4c_eval_buf_printf(&b, "}}");
    return dl4c_eval_buf_finish(&b, out);
}
