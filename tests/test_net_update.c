// labels: unit badinput
/* The update step of a whole net: gradient clipping (by value, per layer,
 * over the net), regularization on weights but not biases, per-layer
 * learning rates, the schedule advancing with the iteration, frozen
 * layers; plus out-of-memory paths of building and saving a net, and the
 * score listener's output. With SGD and a known gradient every parameter's
 * change is known exactly. */
#include <string.h>

#include "test.h"

/* in[2] -> a: Dense 3 (identity) -> out: Loss mse */
static const char *CFG =
    "{\"seed\": 1, \"inputs\": [{\"shape\": [2]}], \"layers\": ["
    " {\"name\": \"a\", \"type\": \"Dense\", \"units\": 3},"
    " {\"name\": \"b\", \"type\": \"Dense\", \"units\": 2},"
    " {\"name\": \"out\", \"type\": \"Loss\", \"loss\": \"mse\"}],"
    " \"training\": {\"updater\": {\"type\": \"sgd\", \"learning_rate\": 1.0}"
    "%s}}";

static dl4c_net *make(const char *training_extra)
{
    char cfg[2048];
    dl4c_net *net = NULL;
    snprintf(cfg, sizeof cfg, CFG, training_extra);
    if (dl4c_net_parse(cfg, DL4C_F64, &net) != DL4C_OK)
        fprintf(stderr, "%s\n", dl4c_last_error());
    return net;
}

/* Sets every gradient to g[i] (index-dependent values) and applies one
 * update; returns the parameter change in `delta` (caller frees). */
static dl4c_tensor *step(dl4c_net *net, double (*g)(int64_t))
{
    dl4c_tensor *before = NULL, *delta = NULL;
    if (dl4c_tensor_copy(dl4c_net_params(net), &before) != DL4C_OK)
        return NULL;
    /* one real forward/backward plans the arena, then the gradient is
     * replaced by the known one */
    int64_t xs[2] = {1, 2}, ys[2] = {1, 2};
    dl4c_tensor *x = NULL, *y = NULL;
    if (dl4c_tensor_create(DL4C_F64, 2, xs, &x) != DL4C_OK ||
        dl4c_tensor_create(DL4C_F64, 2, ys, &y) != DL4C_OK)
        return NULL;
    const dl4c_tensor *in[1] = {x}, *lab[1] = {y};
    dl4c_net_targets t = {1, lab, NULL};
    double s;
    if (dl4c_net_compute_gradients(net, 1, in, &t, &s) != DL4C_OK)
        return NULL;
    dl4c_tensor *grads = dl4c_net_gradients(net);
    for (int64_t i = 0; i < dl4c_tensor_size(grads); i++)
        dl4c_tensor_set(grads, i, g(i));
    if (dl4c_net_apply_update(net) != DL4C_OK)
        return NULL;
    if (dl4c_tensor_copy(dl4c_net_params(net), &delta) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; i < dl4c_tensor_size(delta); i++)
        dl4c_tensor_set(delta, i,
                        dl4c_tensor_get(delta, i) - dl4c_tensor_get(before, i));
    dl4c_tensor_free(before);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    return delta;
}

/* layout of the flat vector: a/W (6), a/b (3), b/W (6), b/b (2) */
static double grad_ramp(int64_t i)
{
    return 0.5 * (double)(i + 1);
}
static double grad_one(int64_t i)
{
    (void)i;
    return 1.0;
}

static void test_plain_sgd(void)
{
    dl4c_net *net = make("");
    REQUIRE(net && dl4c_net_num_params(net) == 17);
    dl4c_tensor *d = step(net, grad_ramp);
    REQUIRE(d);
    for (int64_t i = 0; i < 17; i++)
        CHECK_NEAR(dl4c_tensor_get(d, i), -grad_ramp(i), 1e-12);
    CHECK(dl4c_net_iteration(net) == 1);
    dl4c_tensor_free(d);
    dl4c_net_free(net);
}

static void test_clip_by_value(void)
{
    dl4c_net *net = make(
        ", \"gradient_clipping\": {\"type\": \"value\", \"threshold\": 2}");
    dl4c_tensor *d = step(net, grad_ramp);
    REQUIRE(d);
    for (int64_t i = 0; i < 17; i++)
        CHECK_NEAR(dl4c_tensor_get(d, i), -fmin(grad_ramp(i), 2.0), 1e-12);
    dl4c_tensor_free(d);
    dl4c_net_free(net);
}

static void test_clip_norm_per_layer(void)
{
    /* layer a: 9 gradients of 1 (norm 3) -> scaled to norm 1.5;
     * layer b: 8 gradients of 1 (norm 2.83) -> scaled to norm 1.5 */
    dl4c_net *net = make(", \"gradient_clipping\": {\"type\": \"norm_layer\", "
                         "\"threshold\": 1.5}");
    dl4c_tensor *d = step(net, grad_one);
    REQUIRE(d);
    for (int64_t i = 0; i < 9; i++)
        CHECK_NEAR(dl4c_tensor_get(d, i), -1.5 / 3.0, 1e-12);
    for (int64_t i = 9; i < 17; i++)
        CHECK_NEAR(dl4c_tensor_get(d, i), -1.5 / sqrt(8.0), 1e-12);
    dl4c_tensor_free(d);
    dl4c_net_free(net);
}

static void test_clip_norm_net(void)
{
    /* 17 gradients of 1: global norm sqrt(17) -> scaled to norm 2 */
    dl4c_net *net = make(
        ", \"gradient_clipping\": {\"type\": \"norm_net\", \"threshold\": 2}");
    dl4c_tensor *d = step(net, grad_one);
    REQUIRE(d);
    for (int64_t i = 0; i < 17; i++)
        CHECK_NEAR(dl4c_tensor_get(d, i), -2.0 / sqrt(17.0), 1e-12);
    dl4c_tensor_free(d);
    /* under the threshold nothing changes */
    dl4c_clip big = {DL4C_CLIP_NORM_NET, 100};
    dl4c_net_set_clip(net, &big);
    d = step(net, grad_one);
    REQUIRE(d);
    CHECK_NEAR(dl4c_tensor_get(d, 0), -1.0, 1e-12);
    dl4c_tensor_free(d);
    dl4c_net_free(net);
}

static void test_l2_on_weights_only(void)
{
    dl4c_net *net = make(", \"l2\": 0.1, \"weight_decay\": 0.01");
    REQUIRE(net);
    dl4c_tensor *p0 = NULL;
    REQUIRE_OK(dl4c_tensor_copy(dl4c_net_params(net), &p0));
    dl4c_tensor *d = step(net, grad_one);
    REQUIRE(d);
    for (int64_t i = 0; i < 17; i++) {
        bool bias = (i >= 6 && i < 9) || i >= 15;
        double w = dl4c_tensor_get(p0, i);
        /* w' = w - (g + l2 w) - lr*wd*w on weights; w - g on biases */
        double want = bias ? -1.0 : -(1.0 + 0.1 * w) - 0.01 * w;
        CHECK_NEAR(dl4c_tensor_get(d, i), want, 1e-12);
    }
    dl4c_tensor_free(p0);
    dl4c_tensor_free(d);
    dl4c_net_free(net);
}

static void test_layer_rate_and_frozen(void)
{
    dl4c_net *net = make("");
    REQUIRE(net);
    CHECK_OK(dl4c_net_set_layer_learning_rate(net, "b", 0.25));
    dl4c_tensor *d = step(net, grad_one);
    REQUIRE(d);
    CHECK_NEAR(dl4c_tensor_get(d, 0), -1.0, 1e-12);
    CHECK_NEAR(dl4c_tensor_get(d, 12), -0.25, 1e-12);
    dl4c_tensor_free(d);
    CHECK_OK(dl4c_net_set_frozen(net, "a", true));
    d = step(net, grad_one);
    REQUIRE(d);
    CHECK_NEAR(dl4c_tensor_get(d, 0), 0.0, 0);
    CHECK_NEAR(dl4c_tensor_get(d, 8), 0.0, 0);
    CHECK_NEAR(dl4c_tensor_get(d, 9), -0.25, 1e-12);
    dl4c_tensor_free(d);
    dl4c_net_free(net);
}

static void test_schedule_follows_iterations(void)
{
    /* map schedule: rate 1 until iteration 2, then 0.1 */
    dl4c_net *net = NULL;
    const char *cfg =
        "{\"inputs\": [{\"shape\": [2]}], \"layers\": ["
        " {\"type\": \"Dense\", \"units\": 2},"
        " {\"type\": \"Loss\", \"loss\": \"mse\"}],"
        " \"training\": {\"updater\": {\"type\": \"sgd\", \"learning_rate\": 1,"
        " \"schedule\": {\"type\": \"map\", \"values\": {\"2\": 0.1}}}}}";
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    double want[4] = {-1, -1, -0.1, -0.1};
    for (int k = 0; k < 4; k++) {
        dl4c_tensor *d = step(net, grad_one);
        REQUIRE(d);
        CHECK_NEAR(dl4c_tensor_get(d, 0), want[k], 1e-12);
        dl4c_tensor_free(d);
    }
    dl4c_net_free(net);
}

/* ---- out-of-memory paths ---- */

static int fail_at, allocations;

static void *failing_malloc(size_t n, void *ctx)
{
    (void)ctx;
    if (++allocations == fail_at)
        return NULL;
    return malloc(n);
}

static void *failing_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (++allocations == fail_at)
        return NULL;
    return realloc(p, n);
}

static void plain_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

static void test_out_of_memory_everywhere(void)
{
    const char *cfg =
        "{\"inputs\": [{\"shape\": [4]}], \"layers\": ["
        " {\"type\": \"Dense\", \"units\": 8, \"activation\": \"relu\"},"
        " {\"type\": \"Dropout\", \"rate\": 0.1},"
        " {\"type\": \"Output\", \"units\": 3, \"loss_weights\": [1, 2, 3]}],"
        " \"training\": {\"updater\": \"adam\"}}";
    char path[1024];
    snprintf(path, sizeof path, "%s/oom.dl4c", test_tmpdir());
    dl4c_allocator fa = {failing_malloc, failing_realloc, plain_free, NULL};
    int failures_seen = 0, k;
    for (k = 1; k < 2000; k++) {
        dl4c_net *net = NULL, *back = NULL;
        dl4c_tensor *x = NULL, *y = NULL;
        allocations = 0;
        fail_at = k;
        dl4c_set_allocator(&fa);
        dl4c_status st = dl4c_net_parse(cfg, DL4C_F32, &net);
        int64_t dims[2] = {5, 4}, ydims[2] = {5, 3};
        if (st == DL4C_OK)
            st = dl4c_tensor_create(DL4C_F32, 2, dims, &x);
        if (st == DL4C_OK)
            st = dl4c_tensor_create(DL4C_F32, 2, ydims, &y);
        if (st == DL4C_OK) {
            const dl4c_tensor *in[1] = {x}, *lab[1] = {y};
            dl4c_net_targets t = {1, lab, NULL};
            double s;
            st = dl4c_net_compute_gradients(net, 1, in, &t, &s);
        }
        if (st == DL4C_OK)
            st = dl4c_model_save(net, path, DL4C_MODEL_UPDATER);
        if (st == DL4C_OK)
            st = dl4c_model_load(path, &back);
        dl4c_net_free(back);
        dl4c_net_free(net);
        dl4c_tensor_free(x);
        dl4c_tensor_free(y);
        dl4c_set_allocator(NULL);
        if (st == DL4C_OK && allocations < fail_at)
            break; /* every allocation succeeded: all paths walked */
        CHECK_MSG(st == DL4C_NOMEM || st == DL4C_IO || st == DL4C_FORMAT,
                  "allocation %d: %s (%s)", k, dl4c_status_name(st),
                  dl4c_last_error());
        if (st == DL4C_NOMEM)
            CHECK(strstr(dl4c_last_error(), "out of memory") != NULL);
        failures_seen++;
    }
    CHECK(k < 2000 && failures_seen > 20);
}

static void test_score_listener_output(void)
{
    dl4c_net *net = NULL;
    dl4c_dataset *ds = NULL;
    dl4c_iterator *it = NULL;
    dl4c_tensor *x = NULL, *y = NULL;
    int64_t xs[2] = {40, 2}, ys[2] = {40, 2};
    REQUIRE_OK(dl4c_net_parse("{\"inputs\": [{\"shape\": [2]}], \"layers\": "
                              "[{\"type\": \"Output\", \"units\": 2, "
                              "\"activation\": \"identity\", \"loss\": "
                              "\"mse\"}]}",
                              DL4C_F32, &net));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, xs, &x));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, ys, &y));
    REQUIRE_OK(dl4c_dataset_create(x, y, &ds));
    REQUIRE_OK(dl4c_iterator_create(ds, 10, false, 0, &it));
    char buf[4096] = "";
    FILE *out = fmemopen(buf, sizeof buf - 1, "w");
    REQUIRE(out != NULL);
    dl4c_listener ls[2];
    REQUIRE_OK(dl4c_listener_score(out, 3, &ls[0]));
    REQUIRE_OK(dl4c_listener_epochs(out, 1, &ls[1]));
    dl4c_fit_options o = {.epochs = 2, .listeners = ls, .n_listeners = 2};
    CHECK_OK(dl4c_fit(net, it, &o, NULL));
    fclose(out);
    /* 8 iterations: lines at 3 and 6; epoch lines after 4 and 8 */
    CHECK(strstr(buf, "iteration 3 (epoch 1): score ") != NULL);
    CHECK(strstr(buf, "iteration 6 (epoch 2): score ") != NULL);
    CHECK(strstr(buf, "iteration 9") == NULL);
    CHECK(strstr(buf, "epoch 1/2: loss ") != NULL);
    CHECK(strstr(buf, "epoch 2/2: loss ") != NULL);
    dl4c_listener_free(&ls[0]);
    dl4c_listener_free(&ls[1]);
    dl4c_iterator_free(it);
    dl4c_dataset_free(ds);
    dl4c_net_free(net);
}

TEST_MAIN(test_plain_sgd, test_clip_by_value, test_clip_norm_per_layer,
          test_clip_norm_net, test_l2_on_weights_only,
          test_layer_rate_and_frozen, test_schedule_follows_iterations,
          test_out_of_memory_everywhere, test_score_listener_output)
