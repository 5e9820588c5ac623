/* The harness the network benchmarks (bench_mlp, bench_cnn, bench_lstm)
 * share: one program per net, run as
 *   NAME train BATCH   seconds for one epoch (60,000 examples) of training
 *                      on in-memory data, after 20 warm-up steps
 *   NAME infer BATCH   microseconds per forward pass of BATCH examples
 * printing one number. Synthetic data of the net's input shape: speed does
 * not depend on the values. bench/run.sh runs them alternately with their
 * PyTorch peers. */
#ifndef DL4C_BENCH_NET_H
#define DL4C_BENCH_NET_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dl4c/dl4c.h"

typedef struct bench_net {
    const char *name;   /* the program's name, for messages */
    const char *config; /* the net, float32; 10 classes out */
    int ndim;           /* rank of one example */
    int64_t dims[3];    /* one example's shape */
    int reps_one;       /* timed forward passes at batch 1 */
    int reps_many;      /* ... at larger batches */
} bench_net;

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int bench_fail(const bench_net *b)
{
    fprintf(stderr, "%s: %s\n", b->name, dl4c_last_error());
    return 1;
}

/* A random tensor of `rows` examples of the net's input shape. */
static dl4c_tensor *bench_input(const bench_net *b, int64_t rows, dl4c_rng *rng)
{
    int64_t dims[4] = {rows};
    memcpy(dims + 1, b->dims, sizeof b->dims[0] * (size_t)b->ndim);
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(DL4C_F32, b->ndim + 1, dims, &t) != DL4C_OK)
        return NULL;
    dl4c_rng_fill_uniform(rng, t, 0, 1);
    return t;
}

static int bench_train(const bench_net *b, dl4c_net *net, long batch,
                       dl4c_rng *rng)
{
    const int64_t n = 60000;
    int64_t ys[2] = {n, 10};
    dl4c_tensor *x = bench_input(b, n, rng), *y = NULL;
    dl4c_dataset *ds = NULL;
    dl4c_iterator *it = NULL;
    if (!x || dl4c_tensor_create(DL4C_F32, 2, ys, &y) != DL4C_OK)
        return bench_fail(b);
    for (int64_t r = 0; r < n; r++)
        dl4c_tensor_set(y, r * 10 + (int64_t)dl4c_rng_below(rng, 10), 1);
    if (dl4c_dataset_create(x, y, &ds) != DL4C_OK ||
        dl4c_iterator_create(ds, batch, true, 3, &it) != DL4C_OK)
        return bench_fail(b);
    /* warm-up: plan the arena, wake the thread pools */
    for (int i = 0; i < 20 && dl4c_iterator_has_next(it); i++) {
        dl4c_batch bt;
        double s;
        if (dl4c_iterator_next(it, &bt) != DL4C_OK ||
            dl4c_net_fit_batch(net, &bt, &s) != DL4C_OK)
            return bench_fail(b);
    }
    if (dl4c_iterator_reset(it) != DL4C_OK)
        return bench_fail(b);
    double t0 = bench_now();
    while (dl4c_iterator_has_next(it)) {
        dl4c_batch bt;
        double s;
        if (dl4c_iterator_next(it, &bt) != DL4C_OK ||
            dl4c_net_fit_batch(net, &bt, &s) != DL4C_OK)
            return bench_fail(b);
    }
    printf("%.6f\n", bench_now() - t0);
    dl4c_iterator_free(it);
    dl4c_dataset_free(ds);
    return 0;
}

static int bench_infer(const bench_net *b, dl4c_net *net, long batch,
                       dl4c_rng *rng)
{
    dl4c_tensor *in = bench_input(b, batch, rng);
    if (!in || dl4c_net_prepare_inference(net) != DL4C_OK)
        return bench_fail(b);
    const dl4c_tensor *ins[1] = {in};
    int reps = batch == 1 ? b->reps_one : b->reps_many;
    for (int i = 0; i < reps / 10; i++)
        if (dl4c_net_forward(net, 1, ins, false) != DL4C_OK)
            return bench_fail(b);
    double t0 = bench_now();
    for (int i = 0; i < reps; i++)
        if (dl4c_net_forward(net, 1, ins, false) != DL4C_OK)
            return bench_fail(b);
    printf("%.3f\n", (bench_now() - t0) / reps * 1e6);
    dl4c_tensor_free(in);
    return 0;
}

static int bench_net_main(const bench_net *b, int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "train") && strcmp(argv[1], "infer"))) {
        fprintf(stderr, "usage: %s train|infer BATCH\n", b->name);
        return 2;
    }
    long batch = atol(argv[2]);
    if (batch < 1) {
        fprintf(stderr, "%s: BATCH must be a positive number\n", b->name);
        return 2;
    }
    dl4c_net *net = NULL;
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 7);
    if (dl4c_net_parse(b->config, DL4C_F32, &net) != DL4C_OK)
        return bench_fail(b);
    int rc = !strcmp(argv[1], "train") ? bench_train(b, net, batch, &rng)
                                       : bench_infer(b, net, batch, &rng);
    dl4c_net_free(net);
    return rc;
}

#endif
