/* Distribution drift between a reference sample and a new one: the
 * population stability index (PSI) used by the training/serving skew
 * check and by data reports. */
#ifndef DL4C_DRIFT_INTERNAL_H
#define DL4C_DRIFT_INTERNAL_H

#include <stdint.h>

#include "dl4c/status.h"

/* PSI of `actual` (n_actual values) against `expected` (n_expected):
 * `bins` bins between the expected sample's quantiles (bins (-inf, q1],
 * (q1, q2], ..., (qk, inf) with repeated quantiles merged, so a discrete
 * feature gets one bin per value); each bin's share is floored at 1e-4;
 *   PSI = sum over bins (a - e) * ln(a / e).
 * Values must be finite. DL4C_INVALID_ARG for an empty sample or bins
 * outside 2..1000, DL4C_FORMAT for a NaN or infinity, DL4C_NOMEM. */
dl4c_status dl4c_drift_psi(const double *expected, int64_t n_expected,
                           const double *actual, int64_t n_actual, int bins,
                           double *psi);

#endif
