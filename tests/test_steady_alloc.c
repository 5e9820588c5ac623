// labels: unit
/* A steady-state training step allocates nothing. This test replaces the
 * C library's malloc family for the whole process (libgomp and OpenBLAS
 * included) with counting wrappers, warms a net up on full and short
 * batches, then counts allocations over whole epochs of iterator + update
 * steps and over inference calls: the count must be zero. */
#include <stddef.h>
#include <string.h>

#include "test.h"

#if defined(__SANITIZE_ADDRESS__)
static void test_no_malloc_in_steady_state(void)
{
    TEST_SKIP("allocation counting is not possible under AddressSanitizer");
}
#else
#include "count_alloc.h"

static void test_no_malloc_in_steady_state(void)
{
    const char *cfg =
        "{\"inputs\": [{\"shape\": [20]}], \"layers\": ["
        " {\"type\": \"Dense\", \"units\": 64, \"activation\": \"relu\"},"
        " {\"type\": \"Dropout\", \"rate\": 0.2},"
        " {\"type\": \"Dense\", \"units\": 32, \"activation\": \"tanh\"},"
        " {\"type\": \"Output\", \"units\": 5, \"activation\": \"softmax\","
        "  \"loss\": \"mcxent\"}],"
        " \"training\": {\"updater\": \"nesterovs\", \"l2\": 1e-4,"
        "  \"gradient_clipping\": {\"type\": \"norm_net\", \"threshold\": 5}}}";
    dl4c_net *net = NULL;
    dl4c_tensor *x = NULL, *y = NULL, *pred = NULL;
    dl4c_dataset *ds = NULL;
    dl4c_iterator *it = NULL;
    dl4c_normalizer *norm = NULL;
    dl4c_rng rng;
    int64_t xs[2] = {1000, 20}, ys[2] = {1000, 5};
    dl4c_rng_seed(&rng, 1);
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F32, &net));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, xs, &x));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, ys, &y));
    dl4c_rng_fill_normal(&rng, x, 0, 1);
    for (int64_t r = 0; r < 1000; r++)
        dl4c_tensor_set(y, r * 5 + (int64_t)dl4c_rng_below(&rng, 5), 1);
    REQUIRE_OK(dl4c_dataset_create(x, y, &ds));
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_STANDARDIZE, &norm));
    REQUIRE_OK(dl4c_normalizer_fit(norm, ds));
    /* 1000 = 7 * 128 + 104: every epoch ends with a short batch */
    REQUIRE_OK(dl4c_iterator_create(ds, 128, true, 3, &it));
    dl4c_iterator_set_normalizer(it, norm);

    dl4c_fit_options warm = {.epochs = 1};
    REQUIRE_OK(dl4c_fit(net, it, &warm, NULL));
    REQUIRE_OK(dl4c_iterator_reset(it));

    long before = allocations;
    for (int epoch = 0; epoch < 3; epoch++) {
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
    long during = allocations - before;
    CHECK_MSG(during == 0, "%ld allocations in 24 training steps", during);

    /* inference on a planned batch size allocates nothing either */
    const dl4c_tensor *in[1] = {dl4c_dataset_features(ds)};
    REQUIRE_OK(dl4c_net_forward(net, 1, in, false));
    before = allocations;
    for (int i = 0; i < 5; i++)
        CHECK_OK(dl4c_net_forward(net, 1, in, false));
    CHECK_MSG(allocations == before, "%ld allocations in 5 forward passes",
              allocations - before);

    /* sanity: the counter does see allocations */
    before = allocations;
    CHECK_OK(dl4c_net_predict(net, dl4c_dataset_features(ds), &pred));
    CHECK(allocations > before);
    dl4c_tensor_free(pred);
    dl4c_iterator_free(it);
    dl4c_normalizer_free(norm);
    dl4c_dataset_free(ds);
    dl4c_net_free(net);
}
#endif

TEST_MAIN(test_no_malloc_in_steady_state)
