// labels: unit
/* The recurrent layers, wrappers and masks allocate nothing in a
 * steady-state training step or inference call: the C library's malloc
 * family is replaced for the whole process (libgomp and OpenBLAS
 * included) with counting wrappers, as in test_steady_alloc.c. */
#include <stddef.h>
#include <string.h>

#include "test.h"

#if defined(__SANITIZE_ADDRESS__)
static void test_rnn_steps_allocate_nothing(void)
{
    TEST_SKIP("allocation counting is not possible under AddressSanitizer");
}
#else
#include "count_alloc.h"

static void test_rnn_steps_allocate_nothing(void)
{
    /* every recurrent layer type, masks, dropout, a wrapper of each kind */
    const char *cfg =
        "{\"inputs\": [{\"shape\": [6, 4]}], \"layers\": ["
        " {\"type\": \"Masking\"},"
        " {\"type\": \"Bidirectional\", \"layer\": {\"type\": \"LSTM\","
        "  \"units\": 8, \"return_sequences\": true, \"dropout\": 0.2,"
        "  \"recurrent_dropout\": 0.2}},"
        " {\"type\": \"GRU\", \"units\": 8, \"reset_after\": false,"
        "  \"return_sequences\": true},"
        " {\"type\": \"TimeDistributed\", \"layer\": {\"type\": \"Dense\","
        "  \"units\": 4}},"
        " {\"type\": \"SimpleRNN\", \"units\": 8, \"go_backwards\": true},"
        " {\"type\": \"Output\", \"units\": 3, \"activation\": \"softmax\","
        "  \"loss\": \"mcxent\"}]}";
    dl4c_net *net = NULL;
    dl4c_tensor *x = NULL, *y = NULL;
    dl4c_dataset *ds = NULL;
    dl4c_iterator *it = NULL;
    dl4c_rng rng;
    int64_t xs[3] = {100, 6, 4}, ys[2] = {100, 3};
    dl4c_rng_seed(&rng, 1);
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F32, &net));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, xs, &x));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, ys, &y));
    dl4c_rng_fill_normal(&rng, x, 0, 1);
    for (int64_t r = 0; r < 100; r++) {
        dl4c_tensor_set(y, r * 3 + (int64_t)dl4c_rng_below(&rng, 3), 1);
        for (int64_t f = 0; f < 4; f++) /* a masked step per example */
            dl4c_tensor_set(x, (r * 6 + r % 6) * 4 + f, 0);
    }
    REQUIRE_OK(dl4c_dataset_create(x, y, &ds));
    /* 100 = 3 * 32 + 4: every epoch ends with a short batch */
    REQUIRE_OK(dl4c_iterator_create(ds, 32, true, 3, &it));
    dl4c_fit_options warm = {.epochs = 1};
    REQUIRE_OK(dl4c_fit(net, it, &warm, NULL));
    long before = allocations;
    for (int epoch = 0; epoch < 2; epoch++) {
        dl4c_status st = dl4c_iterator_reset(it);
        while (st == DL4C_OK && dl4c_iterator_has_next(it)) {
            dl4c_batch b;
            double score;
            st = dl4c_iterator_next(it, &b);
            if (st == DL4C_OK)
                st = dl4c_net_fit_batch(net, &b, &score);
        }
        CHECK_OK(st);
    }
    CHECK_MSG(allocations == before, "%ld allocations in 8 training steps",
              allocations - before);
    const dl4c_tensor *in[1] = {dl4c_dataset_features(ds)};
    REQUIRE_OK(dl4c_net_forward(net, 1, in, false));
    before = allocations;
    for (int i = 0; i < 3; i++)
        CHECK_OK(dl4c_net_forward(net, 1, in, false));
    CHECK_MSG(allocations == before, "%ld allocations in 3 forward passes",
              allocations - before);
    dl4c_iterator_free(it);
    dl4c_dataset_free(ds);
    dl4c_net_free(net);
}
#endif

TEST_MAIN(test_rnn_steps_allocate_nothing)
