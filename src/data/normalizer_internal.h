/* The normalizer struct, shared by the statistics code (normalizer.c) and
 * its JSON form (normalizer_json.c). Statistics are kept in double; the
 * per-column coefficients used by transform are derived from them by
 * dl4c_normalizer_prepare, so transforming never allocates. */
#ifndef DL4C_NORMALIZER_INTERNAL_H
#define DL4C_NORMALIZER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "dl4c/data.h"

/* Statistics and coefficients of one side (features or labels):
 * y = (x - sub[c]) * mul[c] + add for column c. */
typedef struct dl4c_norm_stats {
    int64_t cols; /* 0: not fitted (identity) */
    double *a;    /* STANDARDIZE: mean; MINMAX: min */
    double *b;    /* STANDARDIZE: std;  MINMAX: max */
    double *sub, *mul;
} dl4c_norm_stats;

struct dl4c_normalizer {
    dl4c_normalizer_kind kind;
    double lo, hi;    /* output range of MINMAX and IMAGE */
    double max_pixel; /* IMAGE */
    bool fit_labels;
    dl4c_norm_stats x, y;
};

/* Allocates a, b, sub and mul of `cols` entries (a, b zeroed), freeing
 * earlier ones. */
dl4c_status dl4c_norm_stats_alloc(dl4c_norm_stats *s, int64_t cols);
void dl4c_norm_stats_clear(dl4c_norm_stats *s);
/* Recomputes sub/mul of both sides from the statistics and the range. */
void dl4c_normalizer_prepare(dl4c_normalizer *n);

#endif
