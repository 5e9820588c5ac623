// labels: unit
/* The normalization, noise, activation, merge and attention layers
 * allocate nothing in a steady-state training step or inference call:
 * the C library's malloc family is replaced by counting wrappers for the
 * whole process, a net using every one of these layer families is warmed
 * up on a full and a short batch, then further steps must allocate
 * nothing. */
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

static const char *const cfg =
    "{\"seed\": 3, \"inputs\": [{\"name\": \"x\", \"shape\": [6, 8]}],"
    " \"layers\": ["
    "  {\"name\": \"m\", \"type\": \"Masking\"},"
    "  {\"name\": \"bn\", \"type\": \"BatchNormalization\"},"
    "  {\"name\": \"gn\", \"type\": \"GaussianNoise\", \"stddev\": 0.1},"
    "  {\"name\": \"attn\", \"type\": \"MultiHeadAttention\", \"num_heads\": "
    "2, \"key_dim\": 4, \"dropout\": 0.1, \"inputs\": [\"gn\", \"gn\"],"
    "   \"return_attention_scores\": true},"
    "  {\"name\": \"res\", \"type\": \"Add\", \"inputs\": [\"gn\", "
    "\"attn\"]},"
    "  {\"name\": \"ln\", \"type\": \"LayerNormalization\"},"
    "  {\"name\": \"pr\", \"type\": \"PReLU\", \"shared_axes\": [1]},"
    "  {\"name\": \"ad\", \"type\": \"AlphaDropout\", \"rate\": 0.1},"
    "  {\"name\": \"gd\", \"type\": \"GaussianDropout\", \"rate\": 0.1},"
    "  {\"name\": \"sd\", \"type\": \"SpatialDropout1D\", \"rate\": 0.1},"
    "  {\"name\": \"r1\", \"type\": \"ReLU\", \"max_value\": 6, "
    "\"inputs\": \"sd\"},"
    "  {\"name\": \"r2\", \"type\": \"LeakyReLU\", \"inputs\": \"sd\"},"
    "  {\"name\": \"r3\", \"type\": \"ELU\", \"inputs\": \"sd\"},"
    "  {\"name\": \"r4\", \"type\": \"ThresholdedReLU\", \"theta\": 0.1, "
    "\"inputs\": \"sd\"},"
    "  {\"name\": \"mx\", \"type\": \"Maximum\", \"inputs\": [\"r1\", "
    "\"r2\"]},"
    "  {\"name\": \"mu\", \"type\": \"Multiply\", \"inputs\": [\"r3\", "
    "\"r4\"]},"
    "  {\"name\": \"cat\", \"type\": \"Concatenate\", \"axis\": 1, "
    "\"inputs\": [\"mx\", \"mu\"]},"
    "  {\"name\": \"dot\", \"type\": \"Dot\", \"axes\": [1, 1], "
    "\"normalize\": true, \"inputs\": [\"cat\", \"cat\"]},"
    "  {\"name\": \"sm\", \"type\": \"Softmax\", \"axis\": 1},"
    "  {\"type\": \"Loss\", \"name\": \"l0\"},"
    "  {\"type\": \"Loss\", \"name\": \"l1\", \"inputs\": \"attn:1\"}],"
    " \"training\": {\"updater\": \"adam\"}}";

static void test_no_malloc_in_steady_state(void)
{
    dl4c_net *net = NULL;
    dl4c_tensor *x = NULL, *y0 = NULL, *y1 = NULL;
    dl4c_tensor *xs = NULL, *y0s = NULL, *y1s = NULL;
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 1);
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F32, &net));
    int64_t xd[3] = {16, 6, 8}, y0d[3] = {16, 8, 8}, y1d[4] = {16, 2, 6, 6};
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, xd, &x));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, y0d, &y0));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 4, y1d, &y1));
    dl4c_rng_fill_normal(&rng, x, 0, 1);
    dl4c_rng_fill_uniform(&rng, y0, 0, 1);
    dl4c_rng_fill_uniform(&rng, y1, 0, 1);
    /* a short batch: the first 10 examples */
    int64_t xsd[3] = {10, 6, 8}, y0sd[3] = {10, 8, 8};
    int64_t y1sd[4] = {10, 2, 6, 6};
    REQUIRE_OK(dl4c_tensor_view(x, 0, 3, xsd, &xs));
    REQUIRE_OK(dl4c_tensor_view(y0, 0, 3, y0sd, &y0s));
    REQUIRE_OK(dl4c_tensor_view(y1, 0, 4, y1sd, &y1s));
    const dl4c_tensor *in[1] = {x}, *in_s[1] = {xs};
    const dl4c_tensor *lab[2] = {y0, y1}, *lab_s[2] = {y0s, y1s};
    dl4c_net_targets t = {2, lab, NULL}, ts = {2, lab_s, NULL};
    double score;
    for (int i = 0; i < 2; i++) {
        CHECK_OK(dl4c_net_compute_gradients(net, 1, in, &t, &score));
        CHECK_OK(dl4c_net_apply_update(net));
        CHECK_OK(dl4c_net_compute_gradients(net, 1, in_s, &ts, &score));
        CHECK_OK(dl4c_net_apply_update(net));
        CHECK_OK(dl4c_net_forward(net, 1, in, false));
        CHECK_OK(dl4c_net_forward(net, 1, in_s, false));
    }
    long before = allocations;
    for (int i = 0; i < 4; i++) {
        CHECK_OK(dl4c_net_compute_gradients(net, 1, in, &t, &score));
        CHECK_OK(dl4c_net_apply_update(net));
        CHECK_OK(dl4c_net_compute_gradients(net, 1, in_s, &ts, &score));
        CHECK_OK(dl4c_net_apply_update(net));
        CHECK_OK(dl4c_net_forward(net, 1, in, false));
        CHECK_OK(dl4c_net_forward(net, 1, in_s, false));
    }
    long during = allocations - before;
    CHECK_MSG(during == 0,
              "%ld allocations in 8 training steps and 8 "
              "inference calls",
              during);
    CHECK(isfinite(score));
    dl4c_tensor_free(xs);
    dl4c_tensor_free(y0s);
    dl4c_tensor_free(y1s);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y0);
    dl4c_tensor_free(y1);
    dl4c_net_free(net);
}
#endif

TEST_MAIN(test_no_malloc_in_steady_state)
