/* Benchmark: does the data pipeline keep a training step waiting? Trains
 * the 784-500-100-10 MLP (batch 64) for one epoch, either on images held
 * in memory (SOURCE memory: the dataset iterator gathers and normalizes
 * each batch) or on images decoded from PNG files batch by batch (SOURCE
 * files: dl4c_image_iterator_create), directly or through
 * dl4c_iterator_prefetch (depth 4), and prints the fraction of step time
 * spent waiting for the next batch (the fit loop's wait_seconds over
 * step_seconds) and the epoch's seconds.
 *   bench_prefetch memory|files plain|prefetch REPEAT FILE...
 * REPEAT copies of the file list make the epoch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dl4c/dl4c.h"

static const char *CONFIG =
    "{\"seed\": 1, \"inputs\": [{\"shape\": [28, 28, 1]}], \"layers\": ["
    " {\"type\": \"Flatten\"},"
    " {\"type\": \"Dense\", \"units\": 500, \"activation\": \"relu\"},"
    " {\"type\": \"Dense\", \"units\": 100, \"activation\": \"relu\"},"
    " {\"type\": \"Output\", \"units\": 10, \"activation\": \"softmax\","
    "  \"loss\": \"negativeloglikelihood\"}],"
    " \"training\": {\"updater\": {\"type\": \"nesterovs\", "
    "\"learning_rate\": 0.0015, \"momentum\": 0.98}, \"l2\": 7.5e-6}}";

typedef struct waits {
    double wait, step;
    int64_t steps;
} waits;

static dl4c_status on_iteration(void *ctx, const dl4c_fit_info *info,
                                bool *stop)
{
    waits *w = ctx;
    (void)stop;
    w->wait += info->wait_seconds;
    w->step += info->step_seconds;
    w->steps++;
    return DL4C_OK;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int fail(void)
{
    fprintf(stderr, "bench_prefetch: %s\n", dl4c_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 5 || (strcmp(argv[1], "memory") && strcmp(argv[1], "files")) ||
        (strcmp(argv[2], "plain") && strcmp(argv[2], "prefetch"))) {
        fprintf(stderr, "usage: bench_prefetch memory|files plain|prefetch "
                        "REPEAT FILE...\n");
        return 2;
    }
    long repeat = atol(argv[3]);
    int nfiles = argc - 4;
    int64_t n = (int64_t)nfiles * repeat;
    const char **paths = malloc((size_t)n * sizeof *paths);
    int *labels = malloc((size_t)n * sizeof *labels);
    for (int64_t i = 0; i < n; i++) {
        paths[i] = argv[4 + i % nfiles];
        labels[i] = (int)(i % 10); /* speed does not depend on labels */
    }
    dl4c_image_options o = dl4c_image_options_default();
    o.height = o.width = 28;
    o.channels = 1;
    dl4c_net *net = NULL;
    dl4c_iterator *it = NULL;
    dl4c_normalizer *norm = NULL;
    dl4c_dataset *ds = NULL;
    if (dl4c_net_parse(CONFIG, DL4C_F32, &net) != DL4C_OK ||
        dl4c_image_iterator_create(paths, labels, n, 10, &o,
                                   strcmp(argv[1], "memory") ? 64 : n, true, 3,
                                   &it) != DL4C_OK ||
        dl4c_normalizer_create(DL4C_NORM_IMAGE, &norm) != DL4C_OK)
        return fail();
    if (!strcmp(argv[1], "memory")) {
        /* decode everything once into an in-memory dataset */
        dl4c_batch b;
        dl4c_tensor *x = NULL, *y = NULL;
        if (dl4c_iterator_next(it, &b) != DL4C_OK ||
            dl4c_tensor_copy(b.features, &x) != DL4C_OK ||
            dl4c_tensor_copy(b.labels, &y) != DL4C_OK ||
            dl4c_dataset_create(x, y, &ds) != DL4C_OK)
            return fail();
        dl4c_iterator_free(it);
        it = NULL;
        if (dl4c_iterator_create(ds, 64, true, 3, &it) != DL4C_OK)
            return fail();
    }
    if (!strcmp(argv[2], "prefetch") &&
        dl4c_iterator_prefetch(it, 4, &it) != DL4C_OK)
        return fail();
    dl4c_iterator_set_normalizer(it, norm);
    waits w = {0, 0, 0};
    dl4c_listener l = {.on_iteration = on_iteration, .ctx = &w};
    dl4c_fit_options fo = {.epochs = 1, .listeners = &l, .n_listeners = 1};
    double t0 = now();
    if (dl4c_fit(net, it, &fo, NULL) != DL4C_OK)
        return fail();
    double dt = now() - t0;
    printf("%.4f %.3f\n", w.wait / w.step, dt);
    dl4c_iterator_free(it);
    dl4c_dataset_free(ds);
    dl4c_normalizer_free(norm);
    dl4c_net_free(net);
    free(paths);
    free(labels);
    return 0;
}
