// labels: unit
/* Single-example inference on a net prepared for it (packed weights)
 * gives the same outputs as the plain path, in float32 and float64, for
 * widths that do and do not fill whole panels, and stays right after
 * training steps and direct parameter writes. */
#include <pthread.h>
#include <string.h>

#include "test.h"

static const char *CFG =
    "{\"seed\": 5, \"inputs\": [{\"shape\": [300]}], \"layers\": ["
    " {\"type\": \"Dense\", \"units\": 130, \"activation\": \"relu\"},"
    " {\"type\": \"Dense\", \"units\": 64, \"activation\": \"tanh\"},"
    " {\"type\": \"Output\", \"units\": 10, \"activation\": \"softmax\","
    "  \"loss\": \"mcxent\"}],"
    " \"training\": {\"updater\": {\"type\": \"sgd\", \"learning_rate\": "
    "0.5}}}";

/* Output of `net` for row r of x, run as a batch of one. */
static void run_row(dl4c_net *net, const dl4c_tensor *x, int64_t r,
                    dl4c_tensor *out)
{
    dl4c_tensor *row = NULL;
    int64_t dims[2] = {1, dl4c_tensor_dim(x, 1)};
    const dl4c_tensor *base = x;
    REQUIRE_OK(dl4c_tensor_view(base, r * dims[1], 2, dims, &row));
    const dl4c_tensor *in[1] = {row};
    REQUIRE_OK(dl4c_net_forward(net, 1, in, false));
    CHECK_OK(dl4c_tensor_copy_into(dl4c_net_output(net, 0), out));
    dl4c_tensor_free(row);
}

static void compare(dl4c_dtype dt, double tol)
{
    dl4c_net *plain = NULL, *fast = NULL;
    dl4c_tensor *x = NULL, *a = NULL, *b = NULL, *y = NULL;
    dl4c_rng rng;
    int64_t xs[2] = {8, 300}, os[2] = {1, 10}, ys[2] = {8, 10};
    dl4c_rng_seed(&rng, 11);
    REQUIRE_OK(dl4c_net_parse(CFG, dt, &plain));
    REQUIRE_OK(dl4c_net_parse(CFG, dt, &fast));
    REQUIRE_OK(dl4c_net_prepare_inference(fast));
    REQUIRE_OK(dl4c_tensor_create(dt, 2, xs, &x));
    REQUIRE_OK(dl4c_tensor_create(dt, 2, os, &a));
    REQUIRE_OK(dl4c_tensor_create(dt, 2, os, &b));
    REQUIRE_OK(dl4c_tensor_create(dt, 2, ys, &y));
    dl4c_rng_fill_uniform(&rng, x, -1, 1);
    for (int64_t r = 0; r < 8; r++)
        dl4c_tensor_set(y, r * 10 + r, 1);

    for (int64_t r = 0; r < 8; r++) {
        run_row(plain, x, r, a);
        run_row(fast, x, r, b);
        CHECK_MSG(dl4c_tensor_max_abs_diff(a, b) <= tol, "row %lld: %g",
                  (long long)r, dl4c_tensor_max_abs_diff(a, b));
    }
    /* a training step changes the weights: the packed copy follows */
    const dl4c_tensor *in[1] = {x}, *lab[1] = {y};
    dl4c_net_targets t = {1, lab, NULL};
    double s;
    CHECK_OK(dl4c_net_compute_gradients(plain, 1, in, &t, &s));
    CHECK_OK(dl4c_net_apply_update(plain));
    CHECK_OK(dl4c_net_compute_gradients(fast, 1, in, &t, &s));
    CHECK_OK(dl4c_net_apply_update(fast));
    run_row(plain, x, 3, a);
    run_row(fast, x, 3, b);
    CHECK(dl4c_tensor_max_abs_diff(a, b) <= tol);

    /* so does a direct write through the parameter accessor */
    dl4c_tensor *w1 = dl4c_net_param(plain, "dense", "W");
    dl4c_tensor *w2 = dl4c_net_param(fast, "dense", "W");
    for (int64_t i = 0; i < dl4c_tensor_size(w1); i += 7) {
        dl4c_tensor_set(w1, i, 0.25);
        dl4c_tensor_set(w2, i, 0.25);
    }
    run_row(plain, x, 5, a);
    run_row(fast, x, 5, b);
    CHECK(dl4c_tensor_max_abs_diff(a, b) <= tol);
    /* batches of several rows take the ordinary path */
    CHECK_OK(dl4c_net_forward(fast, 1, in, false));
    dl4c_tensor_free(x);
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_tensor_free(y);
    dl4c_net_free(plain);
    dl4c_net_free(fast);
}

static void test_packed_matches_plain_f32(void)
{
    compare(DL4C_F32, 2e-6);
}
static void test_packed_matches_plain_f64(void)
{
    compare(DL4C_F64, 1e-13);
}

/* Nets sharing one net's weights run inference from several threads at
 * once and agree with it; they refuse to train. */
typedef struct worker {
    dl4c_net *net;
    const dl4c_tensor *x;
    dl4c_tensor *out;
    dl4c_status st;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (int rep = 0; rep < 50 && w->st == DL4C_OK; rep++) {
        dl4c_tensor *y = NULL;
        w->st = dl4c_net_predict(w->net, w->x, &y);
        if (w->st == DL4C_OK && rep == 49)
            w->out = y;
        else
            dl4c_tensor_free(y);
    }
    return NULL;
}

static void test_shared_weights_in_threads(void)
{
    dl4c_net *src = NULL, *shared[3] = {0};
    dl4c_tensor *x = NULL, *want = NULL;
    dl4c_rng rng;
    int64_t xs[2] = {16, 300};
    dl4c_rng_seed(&rng, 3);
    REQUIRE_OK(dl4c_net_parse(CFG, DL4C_F32, &src));
    REQUIRE_OK(dl4c_net_set_metadata(src, "k", "v"));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, xs, &x));
    dl4c_rng_fill_uniform(&rng, x, -1, 1);
    REQUIRE_OK(dl4c_net_predict(src, x, &want));
    for (int i = 0; i < 3; i++)
        REQUIRE_OK(dl4c_net_share(src, &shared[i]));
    CHECK(!strcmp(dl4c_net_get_metadata(shared[0], "k"), "v"));
    pthread_t th[3];
    worker w[3];
    for (int i = 0; i < 3; i++) {
        w[i] = (worker){shared[i], x, NULL, DL4C_OK};
        pthread_create(&th[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        CHECK_OK(w[i].st);
        CHECK(w[i].out && dl4c_tensor_allclose(w[i].out, want, 0, 0));
        dl4c_tensor_free(w[i].out);
    }
    int64_t ys[2] = {16, 10};
    dl4c_tensor *y = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, ys, &y));
    const dl4c_tensor *in[1] = {x}, *lab[1] = {y};
    dl4c_net_targets t = {1, lab, NULL};
    double s;
    CHECK_ERR(dl4c_net_compute_gradients(shared[0], 1, in, &t, &s), DL4C_STATE,
              "only runs inference");
    CHECK_ERR(dl4c_net_apply_update(shared[0]), DL4C_STATE,
              "only runs inference");
    for (int i = 0; i < 3; i++)
        dl4c_net_free(shared[i]);
    dl4c_tensor_free(y);
    dl4c_tensor_free(x);
    dl4c_tensor_free(want);
    dl4c_net_free(src);
}

TEST_MAIN(test_packed_matches_plain_f32, test_packed_matches_plain_f64,
          test_shared_weights_in_threads)
