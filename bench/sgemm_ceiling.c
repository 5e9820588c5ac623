/* The ceiling: OpenBLAS sgemm on large squares and on the MLP's own GEMM
 * shapes, in GFLOP/s, through the same loaded BLAS (and kernels) dl4c
 * uses. Prints "<label> <gflops>" lines. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/cpu/cpu_blas.h"
#include "dl4c/ops.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double gflops(int m, int n, int k, int ta, int tb)
{
    float *a = malloc(sizeof(float) * (size_t)m * (size_t)k);
    float *b = malloc(sizeof(float) * (size_t)k * (size_t)n);
    float *c = malloc(sizeof(float) * (size_t)m * (size_t)n);
    for (long i = 0; i < (long)m * k; i++)
        a[i] = (float)(i % 13) * 0.1f;
    for (long i = 0; i < (long)k * n; i++)
        b[i] = (float)(i % 7) * 0.1f;
    double flop = 2.0 * m * n * k, best = 1e30;
    int reps = (int)(2e9 / flop) + 1;
    for (int round = 0; round < 5; round++) {
        double t0 = now();
        for (int r = 0; r < reps; r++)
            dl4c_blas_get()->sgemm(
                CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, ta ? m : k, b,
                tb ? k : n, 0.0f, c, n);
        double t = (now() - t0) / reps;
        if (t < best)
            best = t;
    }
    free(a);
    free(b);
    free(c);
    return flop / best / 1e9;
}

int main(void)
{
    printf("blas %s\n", dl4c_blas_info());
    printf("square-1024 %.1f\n", gflops(1024, 1024, 1024, 0, 0));
    printf("square-2048 %.1f\n", gflops(2048, 2048, 2048, 0, 0));
    /* the MLP at batch 128: forward, weight gradient, input gradient */
    printf("mlp-fwd-128x784x500 %.1f\n", gflops(128, 500, 784, 0, 0));
    printf("mlp-dW-784x500x128 %.1f\n", gflops(784, 500, 128, 1, 0));
    printf("mlp-dx-128x500x100 %.1f\n", gflops(128, 500, 100, 0, 1));
    return 0;
}
