/* In-process batch-1 prediction throughput of a model file: the baseline
 * that bench/serve.sh divides the served throughput by. Each prediction
 * is what dl4c predict does for one row (normalizer, forward pass with
 * packed weights, copy of the output), run back to back for a while by
 * one thread. Prints "<predictions per second> <p50 us> <p99 us>".
 * Usage: bench_serve_inproc MODEL [SECONDS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dl4c/dl4c.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_serve_inproc MODEL [SECONDS]\n");
        return 2;
    }
    double seconds = argc > 2 ? atof(argv[2]) : 3;
    dl4c_net *net = NULL;
    dl4c_tensor *x = NULL, *y = NULL;
    if (dl4c_model_load(argv[1], &net) != DL4C_OK ||
        dl4c_net_prepare_inference(net) != DL4C_OK) {
        fprintf(stderr, "%s\n", dl4c_last_error());
        return 1;
    }
    dl4c_shape in = dl4c_net_input_shape(net, 0);
    int64_t dims[DL4C_MAX_DIMS + 1] = {1};
    for (int i = 0; i < in.ndim; i++)
        dims[i + 1] = in.dim[i];
    float *row = malloc(sizeof(float) * (size_t)dl4c_shape_size(&in));
    for (int64_t i = 0; i < dl4c_shape_size(&in); i++)
        row[i] = (float)((i * 37) % 256);
    size_t cap = 1 << 22, n = 0;
    double *lat = malloc(sizeof *lat * cap);
    const dl4c_normalizer *norm = dl4c_net_normalizer(net);
    double start = now(), end = start + seconds;
    for (;;) {
        double t0 = now();
        if (t0 >= end && n >= 100)
            break;
        if (dl4c_tensor_create_from(DL4C_F32, in.ndim + 1, dims, row, &x) !=
                DL4C_OK ||
            (norm && dl4c_normalizer_transform(norm, x) != DL4C_OK) ||
            dl4c_net_predict(net, x, &y) != DL4C_OK) {
            fprintf(stderr, "%s\n", dl4c_last_error());
            return 1;
        }
        dl4c_tensor_free(x);
        dl4c_tensor_free(y);
        if (n < cap)
            lat[n] = now() - t0;
        n++;
    }
    double took = now() - start;
    size_t m = n < cap ? n : cap;
    qsort(lat, m, sizeof *lat, cmp);
    printf("%.0f %.1f %.1f\n", (double)n / took, lat[m / 2] * 1e6,
           lat[m * 99 / 100] * 1e6);
    free(lat);
    free(row);
    dl4c_net_free(net);
    return 0;
}
