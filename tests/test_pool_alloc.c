// labels: unit
/* The pooling and shape layers allocate nothing in a steady-state step:
 * the C library's malloc family is replaced for the whole process by
 * counting wrappers (as in test_steady_alloc.c), a net using every kernel
 * of the pooling family trains on full and short batches and runs
 * inference, and the count after warm-up must stay zero. */
#include <stddef.h>
#include <string.h>

#include "test.h"

#if defined(__SANITIZE_ADDRESS__)
static void test_pool_layers_do_not_allocate(void)
{
    TEST_SKIP("allocation counting is not possible under AddressSanitizer");
}
#else
#include "count_alloc.h"

/* windowed max (2x2 and general) and average pooling, padding,
 * cropping, nearest and bilinear upsampling, global pooling with a mask,
 * permute, reshape, flatten in both orders, repeat */
static const char *CONFIG =
    "{\"inputs\": [{\"name\": \"x\", \"shape\": [12, 10, 3]}], \"layers\": ["
    " {\"type\": \"ZeroPadding2D\", \"padding\": [[1, 1], [2, 0]]},"
    " {\"type\": \"MaxPooling2D\"},"
    " {\"type\": \"MaxPooling2D\", \"pool_size\": 3, \"strides\": 1, "
    "  \"padding\": \"same\"},"
    " {\"type\": \"AveragePooling2D\", \"pool_size\": 2, \"padding\": "
    "  \"same\"},"
    " {\"type\": \"UpSampling2D\", \"interpolation\": \"bilinear\"},"
    " {\"type\": \"UpSampling2D\", \"size\": [1, 2]},"
    " {\"type\": \"Cropping2D\", \"cropping\": [[1, 0], [2, 2]]},"
    " {\"name\": \"img\", \"type\": \"Permute\", \"dims\": [2, 1, 3]},"
    " {\"type\": \"Flatten\", \"order\": \"channels_first\"},"
    " {\"type\": \"RepeatVector\", \"n\": 3},"
    " {\"type\": \"Masking\", \"mask_value\": 0},"
    " {\"name\": \"seq\", \"type\": \"GlobalAveragePooling1D\"},"
    " {\"type\": \"GlobalMaxPooling2D\", \"inputs\": \"img\"},"
    " {\"name\": \"flat\", \"type\": \"Reshape\", \"target_shape\": [-1]},"
    " {\"type\": \"Concatenate\", \"inputs\": [\"seq\", \"flat\"]},"
    " {\"type\": \"Output\", \"units\": 4, \"activation\": \"softmax\","
    "  \"loss\": \"mcxent\"}],"
    " \"training\": {\"updater\": \"adam\"}}";

static void test_pool_layers_do_not_allocate(void)
{
    dl4c_net *net = NULL;
    dl4c_tensor *x = NULL, *y = NULL, *xs = NULL, *ys = NULL;
    dl4c_rng rng;
    int64_t xd[4] = {16, 12, 10, 3}, yd[2] = {16, 4};
    int64_t xsd[4] = {5, 12, 10, 3}, ysd[2] = {5, 4};
    dl4c_rng_seed(&rng, 3);
    REQUIRE_OK(dl4c_net_parse(CONFIG, DL4C_F32, &net));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 4, xd, &x));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, yd, &y));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 4, xsd, &xs));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, ysd, &ys));
    dl4c_rng_fill_normal(&rng, x, 0, 1);
    dl4c_rng_fill_normal(&rng, xs, 0, 1);
    for (int64_t r = 0; r < 16; r++)
        dl4c_tensor_set(y, r * 4 + r % 4, 1);
    for (int64_t r = 0; r < 5; r++)
        dl4c_tensor_set(ys, r * 4 + r % 4, 1);
    dl4c_batch full = {.features = x, .labels = y};
    dl4c_batch part = {.features = xs, .labels = ys};
    double score = 0;
    REQUIRE_OK(dl4c_net_fit_batch(net, &full, &score));
    REQUIRE_OK(dl4c_net_fit_batch(net, &part, &score));

    long before = allocations;
    for (int i = 0; i < 3; i++) {
        CHECK_OK(dl4c_net_fit_batch(net, &full, &score));
        CHECK_OK(dl4c_net_fit_batch(net, &part, &score));
    }
    CHECK_MSG(allocations == before, "%ld allocations in 6 training steps",
              allocations - before);
    CHECK(isfinite(score));

    const dl4c_tensor *in[1] = {x};
    before = allocations;
    for (int i = 0; i < 3; i++)
        CHECK_OK(dl4c_net_forward(net, 1, in, false));
    CHECK_MSG(allocations == before, "%ld allocations in 3 forward passes",
              allocations - before);
    /* the counter does see allocations */
    dl4c_tensor *pred = NULL;
    before = allocations;
    CHECK_OK(dl4c_net_predict(net, x, &pred));
    CHECK(allocations > before);
    dl4c_tensor_free(pred);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_tensor_free(xs);
    dl4c_tensor_free(ys);
    dl4c_net_free(net);
}
#endif

TEST_MAIN(test_pool_layers_do_not_allocate)
