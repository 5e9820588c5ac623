/* Central finite differences against an analytic gradient (see
 * tests/gradcheck.h). */
#include <math.h>
#include <stdio.h>

#include "gradcheck.h"

int gradcheck(const char *label, gradcheck_fn f, void *ctx, double *x,
              const double *grad, int64_t n, double eps, double rtol,
              double atol)
{
    int failed = 0;
    for (int64_t i = 0; i < n; i++) {
        double keep = x[i];
        x[i] = keep + eps;
        double up = f(x, ctx);
        x[i] = keep - eps;
        double down = f(x, ctx);
        x[i] = keep;
        double num = (up - down) / (2 * eps);
        double big = fabs(num) > fabs(grad[i]) ? fabs(num) : fabs(grad[i]);
        if (!(fabs(num - grad[i]) <= atol + rtol * big)) {
            if (failed < 10)
                fprintf(stderr,
                        "gradcheck %s: [%lld] at x = %.10g: analytic %.10g, "
                        "numeric %.10g\n",
                        label, (long long)i, keep, grad[i], num);
            failed++;
        }
    }
    return failed;
}
