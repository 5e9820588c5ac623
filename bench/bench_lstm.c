/* Benchmark: a 2-layer LSTM(128) reading MNIST rows as time steps (28
 * steps of 28 features) plus a softmax output of 10, in dl4c.
 *   bench_lstm train BATCH   seconds for one epoch (60,000 examples) of
 *                            Adam training on in-memory data
 *   bench_lstm infer BATCH   microseconds per forward pass of BATCH rows
 * Prints one number. Synthetic data of MNIST's shape: speed does not
 * depend on the values. bench/run.sh runs it alternately with the PyTorch
 * peer (torch_lstm.py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dl4c/dl4c.h"

static const char *CONFIG =
    "{\"seed\": 1, \"inputs\": [{\"shape\": [28, 28]}], \"layers\": ["
    " {\"type\": \"LSTM\", \"units\": 128, \"return_sequences\": true},"
    " {\"type\": \"LSTM\", \"units\": 128},"
    " {\"type\": \"Output\", \"units\": 10, \"activation\": \"softmax\","
    "  \"loss\": \"mcxent\"}],"
    " \"training\": {\"updater\": {\"type\": \"adam\", "
    "\"learning_rate\": 0.001}}}";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int fail(void)
{
    fprintf(stderr, "bench_lstm: %s\n", dl4c_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "train") && strcmp(argv[1], "infer"))) {
        fprintf(stderr, "usage: bench_lstm train|infer BATCH\n");
        return 2;
    }
    long batch = atol(argv[2]);
    bool train = !strcmp(argv[1], "train");
    const int64_t n = train ? 60000 : 1;
    dl4c_net *net = NULL;
    dl4c_tensor *x = NULL, *y = NULL;
    dl4c_dataset *ds = NULL;
    dl4c_iterator *it = NULL;
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 7);
    if (dl4c_net_parse(CONFIG, DL4C_F32, &net) != DL4C_OK)
        return fail();

    if (train) {
        int64_t xs[3] = {n, 28, 28}, ys[2] = {n, 10};
        if (dl4c_tensor_create(DL4C_F32, 3, xs, &x) != DL4C_OK ||
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
    } else {
        dl4c_tensor *in = NULL;
        int64_t dims[3] = {batch, 28, 28};
        if (dl4c_tensor_create(DL4C_F32, 3, dims, &in) != DL4C_OK)
            return fail();
        dl4c_rng_fill_uniform(&rng, in, 0, 1);
        if (dl4c_net_prepare_inference(net) != DL4C_OK)
            return fail();
        const dl4c_tensor *ins[1] = {in};
        int reps = batch == 1 ? 5000 : 100;
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
    dl4c_iterator_free(it);
    dl4c_dataset_free(ds);
    dl4c_net_free(net);
    return 0;
}
