/* Inside data analysis: per-column accumulators (numbers kept for exact
 * quantiles, category counts in a hash map up to a cap), the finished
 * statistics, and what the HTML writer shares with the JSON writer. */
#ifndef DL4C_ANALYSIS_INTERNAL_H
#define DL4C_ANALYSIS_INTERNAL_H

#include "data/strmap_internal.h"
#include "dl4c/analysis.h"

#define DL4C_ANALYSIS_MAX_DISTINCT 100000
#define DL4C_ANALYSIS_BINS 20
#define DL4C_ANALYSIS_TOP 20

typedef struct dl4c_acol {
    char *name;
    double *num; /* values that read as numbers */
    int64_t nnum, cap;
    double *time; /* values that read as ISO date-times */
    int64_t ntime, time_cap;
    int64_t present, missing, integral;
    dl4c_strmap cats; /* every present value as text, up to the cap */
    bool capped;
    dl4c_column_summary s; /* after finish */
    /* categorical/string: the most frequent values, by count */
    char **top;
    int64_t *top_count;
    int ntop;
} dl4c_acol;

struct dl4c_analysis {
    char *name;
    dl4c_acol *cols;
    int ncols;
    int64_t rows;
    bool finished;
};

/* The values behind column c's summary (sorted numbers or times). */
const double *dl4c_acol_values(const dl4c_acol *c, int64_t *n);
/* True for numbers and times. */
bool dl4c_acol_numeric(const dl4c_acol *c);
/* Index of the column named `name` in a, or -1. */
int dl4c_analysis_find(const dl4c_analysis *a, const char *name);

#endif
