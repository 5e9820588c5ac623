/* Benchmark: a LeNet-style CNN on MNIST-shaped data in dl4c:
 * conv 5x5x20 relu -> maxpool 2 -> conv 5x5x50 relu -> maxpool 2 ->
 * dense 500 relu -> dense 10 softmax (negative log-likelihood).
 *   bench_cnn train BATCH   seconds for one epoch (60,000 examples) of
 *                           Nesterov-momentum training on in-memory data
 *   bench_cnn infer BATCH   microseconds per forward pass of BATCH images
 * Prints one number. Synthetic data of MNIST's shape: speed does not
 * depend on the values. bench/run.sh runs it alternately with the PyTorch
 * peer (bench/torch_cnn.py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dl4c/dl4c.h"

static const char *CONFIG =
    "{\"seed\": 1, \"inputs\": [{\"shape\": [28, 28, 1]}], \"layers\": ["
    " {\"type\": \"Conv2D\", \"filters\": 20, \"kernel_size\": 5,"
    "  \"activation\": \"relu\"},"
    " {\"type\": \"MaxPooling2D\", \"pool_size\": 2},"
    " {\"type\": \"Conv2D\", \"filters\": 50, \"kernel_size\": 5,"
    "  \"activation\": \"relu\"},"
    " {\"type\": \"MaxPooling2D\", \"pool_size\": 2},"
    " {\"type\": \"Flatten\"},"
    " {\"type\": \"Dense\", \"units\": 500, \"activation\": \"relu\"},"
    " {\"type\": \"Output\", \"units\": 10, \"activation\": \"softmax\","
    "  \"loss\": \"negativeloglikelihood\"}],"
    " \"training\": {\"updater\": {\"type\": \"nesterovs\", "
    "\"learning_rate\": 0.01, \"momentum\": 0.9}, \"l2\": 5e-4}}";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int fail(void)
{
    fprintf(stderr, "bench_cnn: %s\n", dl4c_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "train") && strcmp(argv[1], "infer"))) {
        fprintf(stderr, "usage: bench_cnn train|infer BATCH\n");
        return 2;
    }
    long batch = atol(argv[2]);
    const int64_t n = 60000;
    dl4c_net *net = NULL;
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 7);
    if (dl4c_net_parse(CONFIG, DL4C_F32, &net) != DL4C_OK)
        return fail();

    if (!strcmp(argv[1], "train")) {
        dl4c_tensor *x = NULL, *y = NULL;
        dl4c_dataset *ds = NULL;
        dl4c_iterator *it = NULL;
        int64_t xs[4] = {n, 28, 28, 1}, ys[2] = {n, 10};
        if (dl4c_tensor_create(DL4C_F32, 4, xs, &x) != DL4C_OK ||
            dl4c_tensor_create(DL4C_F32, 2, ys, &y) != DL4C_OK)
            return fail();
        dl4c_rng_fill_uniform(&rng, x, 0, 1);
        for (int64_t r = 0; r < n; r++)
            dl4c_tensor_set(y, r * 10 + (int64_t)dl4c_rng_below(&rng, 10), 1);
        if (dl4c_dataset_create(x, y, &ds) != DL4C_OK ||
            dl4c_iterator_create(ds, batch, true, 3, &it) != DL4C_OK)
            return fail();
        /* warm-up: plan the arena, wake the thread pools */
        for (int i = 0; i < 20 && dl4c_iterator_has_next(it); i++) {
            dl4c_batch b;
            double s;
            if (dl4c_iterator_next(it, &b) != DL4C_OK ||
                dl4c_net_fit_batch(net, &b, &s) != DL4C_OK)
                return fail();
        }
        if (dl4c_iterator_reset(it) != DL4C_OK)
            return fail();
        double t0 = now();
        while (dl4c_iterator_has_next(it)) {
            dl4c_batch b;
            double s;
            if (dl4c_iterator_next(it, &b) != DL4C_OK ||
                dl4c_net_fit_batch(net, &b, &s) != DL4C_OK)
                return fail();
        }
        printf("%.6f\n", now() - t0);
        dl4c_iterator_free(it);
        dl4c_dataset_free(ds);
    } else {
        dl4c_tensor *in = NULL;
        int64_t dims[4] = {batch, 28, 28, 1};
        if (dl4c_tensor_create(DL4C_F32, 4, dims, &in) != DL4C_OK)
            return fail();
        dl4c_rng_fill_uniform(&rng, in, 0, 1);
        if (dl4c_net_prepare_inference(net) != DL4C_OK)
            return fail();
        const dl4c_tensor *ins[1] = {in};
        int reps = batch == 1 ? 5000 : 50;
        for (int i = 0; i < reps / 10; i++)
            if (dl4c_net_forward(net, 1, ins, false) != DL4C_OK)
                return fail();
        double t0 = now();
        for (int i = 0; i < reps; i++)
            if (dl4c_net_forward(net, 1, ins, false) != DL4C_OK)
                return fail();
        printf("%.3f\n", (now() - t0) / reps * 1e6);
        dl4c_tensor_free(in);
    }
    dl4c_net_free(net);
    return 0;
}
