/* Finite-difference gradient checks for tests.
 *
 *   static double f(const double *x, void *ctx) { return x[0] * x[0]; }
 *   double x[1] = {3}, g[1] = {6};
 *   CHECK(gradcheck("square", f, NULL, x, g, 1, 1e-6, 1e-6, 1e-9) == 0);
 *
 * f computes a scalar from n doubles. Each x[i] is moved by +-eps in turn
 * (and put back) and the central difference (f(x+eps) - f(x-eps)) / 2eps
 * is compared with grad[i]: entry i passes when
 *   |num - grad[i]| <= atol + rtol * max(|num|, |grad[i]|).
 * Mismatches are printed to stderr under `label` (at most 10 lines).
 */
#ifndef DL4C_TEST_GRADCHECK_H
#define DL4C_TEST_GRADCHECK_H

#include <stdint.h>

typedef double (*gradcheck_fn)(const double *x, void *ctx);

/* Returns the number of entries that failed. */
int gradcheck(const char *label, gradcheck_fn f, void *ctx, double *x,
              const double *grad, int64_t n, double eps, double rtol,
              double atol);

#endif
