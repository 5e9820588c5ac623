/* The population stability index of one feature (drift_internal.h):
 * quantile bins from a sorted copy of the reference sample, then one
 * binary search per value of each sample. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/drift_internal.h"

#define PSI_FLOOR 1e-4

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Index of the first edge >= x: the bin of x among (-inf, e0], (e0, e1],
 * ..., (e_{n-1}, inf). */
static int bin_of(const double *edges, int n, double x)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (edges[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static dl4c_status check_finite(const double *v, int64_t n, const char *what)
{
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return dl4c_error_set(DL4C_FORMAT, "%s value %lld is %g", what,
                                  (long long)i, v[i]);
    return DL4C_OK;
}

dl4c_status dl4c_drift_psi(const double *expected, int64_t n_expected,
                           const double *actual, int64_t n_actual, int bins,
                           double *psi)
{
    dl4c_status status = DL4C_OK;
    double *sorted = NULL, *edges = NULL;
    int64_t *count_e = NULL, *count_a = NULL;
    DL4C_CHECK(psi, DL4C_INVALID_ARG, "psi: NULL output");
    *psi = 0;
    DL4C_CHECK(expected && actual && n_expected > 0 && n_actual > 0,
               DL4C_INVALID_ARG,
               "psi: both samples need values (%lld expected, %lld actual)",
               (long long)n_expected, (long long)n_actual);
    DL4C_CHECK(bins >= 2 && bins <= 1000, DL4C_INVALID_ARG,
               "psi: bins must be 2..1000, not %d", bins);
    DL4C_TRY(check_finite(expected, n_expected, "expected"));
    DL4C_TRY(check_finite(actual, n_actual, "actual"));
    sorted = dl4c_malloc(sizeof *sorted * (size_t)n_expected);
    edges = dl4c_malloc(sizeof *edges * (size_t)bins);
    count_e = dl4c_calloc((size_t)bins, sizeof *count_e);
    count_a = dl4c_calloc((size_t)bins, sizeof *count_a);
    if (!sorted || !edges || !count_e || !count_a)
        DL4C_NOMEM_FAIL();
    memcpy(sorted, expected, sizeof *sorted * (size_t)n_expected);
    qsort(sorted, (size_t)n_expected, sizeof *sorted, cmp_double);
    int n_edges = 0;
    for (int k = 1; k < bins; k++) {
        int64_t at = (int64_t)((double)k * (double)n_expected / bins);
        if (at >= n_expected)
            at = n_expected - 1;
        double q = sorted[at > 0 ? at - 1 : 0];
        if (n_edges == 0 || q > edges[n_edges - 1])
            edges[n_edges++] = q;
    }
    for (int64_t i = 0; i < n_expected; i++)
        count_e[bin_of(edges, n_edges, expected[i])]++;
    for (int64_t i = 0; i < n_actual; i++)
        count_a[bin_of(edges, n_edges, actual[i])]++;
    double sum = 0;
    for (int b = 0; b <= n_edges; b++) {
        double e = (double)count_e[b] / (double)n_expected;
        double a = (double)count_a[b] / (double)n_actual;
        e = e < PSI_FLOOR ? PSI_FLOOR : e;
        a = a < PSI_FLOOR ? PSI_FLOOR : a;
        sum += (a - e) * log(a / e);
    }
    *psi = sum;
fail:
    dl4c_free(sorted);
    dl4c_free(edges);
    dl4c_free(count_e);
    dl4c_free(count_a);
    return status;
}
