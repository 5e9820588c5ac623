/* Benchmark: images decoded and resized per second through dl4c's
 * streaming image iterator (files decoded batch by batch on the OpenMP
 * threads), the work of feeding a network from a folder of images.
 *   bench_image MODE H W C REPEAT FILE...
 * decodes REPEAT copies of the file list, brings each image to H x W x C
 * with MODE (bilinear or area) and prints images per second. Run by
 * bench/run_data.sh alternately with the PIL peer (pil_image.py). */
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

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr,
                "usage: bench_image bilinear|area H W C REPEAT FILE...\n");
        return 2;
    }
    dl4c_image_options o = dl4c_image_options_default();
    if (dl4c_resize_mode_parse(argv[1], &o.resize) != DL4C_OK) {
        fprintf(stderr, "bench_image: %s\n", dl4c_last_error());
        return 2;
    }
    o.height = atol(argv[2]);
    o.width = atol(argv[3]);
    o.channels = atoi(argv[4]);
    long repeat = atol(argv[5]);
    int nfiles = argc - 6;
    int64_t n = (int64_t)nfiles * repeat;
    const char **paths = malloc((size_t)n * sizeof *paths);
    for (int64_t i = 0; i < n; i++)
        paths[i] = argv[6 + i % nfiles];
    dl4c_iterator *it = NULL;
    if (dl4c_image_iterator_create(paths, NULL, n, 0, &o, 64, false, 1, &it) !=
        DL4C_OK) {
        fprintf(stderr, "bench_image: %s\n", dl4c_last_error());
        return 1;
    }
    double t0 = now();
    float sink = 0;
    while (dl4c_iterator_has_next(it)) {
        dl4c_batch b;
        if (dl4c_iterator_next(it, &b) != DL4C_OK) {
            fprintf(stderr, "bench_image: %s\n", dl4c_last_error());
            return 1;
        }
        sink += ((const float *)dl4c_tensor_data(b.features))[0];
    }
    double dt = now() - t0;
    printf("%.1f\n", (double)n / dt);
    fprintf(stderr, "(checksum %g)\n", (double)sink);
    dl4c_iterator_free(it);
    free(paths);
    return 0;
}
