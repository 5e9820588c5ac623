// labels: unit gradcheck badinput
/* The graph features layers build on, with small test-only layer types:
 * a layer with two outputs consumed separately ("name:1"), layers sharing
 * weights (gradients summed into the owner), masks made by one layer,
 * passed on by others and honoured by the loss, non-trainable parameters
 * a layer updates itself, and state kept across forward calls. Gradients
 * are checked against float64 finite differences. */
#include <string.h>

#include <jansson.h>

#include "nn/layer_internal.h"
#include "test.h"

#define EPS 1e-6

/* ---- TestSplit: y0 = 2x, y1 = x*x; two outputs of the input's shape */

static const char *const no_keys[] = {NULL};

static dl4c_status no_parse(dl4c_layer *l, const json_t *j)
{
    (void)l;
    (void)j;
    return DL4C_OK;
}

static dl4c_status no_write(const dl4c_layer *l, json_t *j)
{
    (void)l;
    (void)j;
    return DL4C_OK;
}

static dl4c_status split_build(dl4c_layer *l)
{
    l->n_outputs = 2;
    l->out_shapes[0] = l->out_shapes[1] = l->in_shapes[0];
    return DL4C_OK;
}

static void split_forward(dl4c_layer_ctx *c)
{
    for (int64_t i = 0; i < c->out->size; i++) {
        double x = dl4c_tensor_get(c->in[0], i);
        dl4c_tensor_set(c->outs[0], i, 2 * x);
        dl4c_tensor_set(c->outs[1], i, x * x);
    }
}

static void split_backward(dl4c_layer_ctx *c)
{
    if (!c->din[0])
        return;
    for (int64_t i = 0; i < c->out->size; i++) {
        double x = dl4c_tensor_get(c->in[0], i);
        dl4c_tensor_set(c->din[0], i,
                        2 * dl4c_tensor_get(c->douts[0], i) +
                            2 * x * dl4c_tensor_get(c->douts[1], i));
    }
}

static const dl4c_layer_type split_type = {
    .name = "TestSplit",
    .keys = no_keys,
    .parse = no_parse,
    .write = no_write,
    .build = split_build,
    .forward = split_forward,
    .backward = split_backward,
};

/* ---- TestMask: passes x through; mask[b, t] = (x[b, t, 0] != 0) */

static dl4c_status mask_build(dl4c_layer *l)
{
    l->out_shapes[0] = l->in_shapes[0];
    l->out_has_mask[0] = true;
    return DL4C_OK;
}

static void mask_forward(dl4c_layer_ctx *c)
{
    int64_t cols = dl4c_tensor_cols(c->out), rows = dl4c_tensor_rows(c->out);
    for (int64_t i = 0; i < c->out->size; i++)
        dl4c_tensor_set(c->out, i, dl4c_tensor_get(c->in[0], i));
    for (int64_t r = 0; r < rows; r++)
        dl4c_tensor_set(c->out_masks[0], r,
                        dl4c_tensor_get(c->in[0], r * cols) != 0);
}

static void mask_backward(dl4c_layer_ctx *c)
{
    if (c->din[0])
        for (int64_t i = 0; i < c->out->size; i++)
            dl4c_tensor_set(c->din[0], i, dl4c_tensor_get(c->dout, i));
}

static const dl4c_layer_type mask_type = {
    .name = "TestMask",
    .keys = no_keys,
    .parse = no_parse,
    .write = no_write,
    .build = mask_build,
    .forward = mask_forward,
    .backward = mask_backward,
    .mask_mode = DL4C_MASK_CUSTOM,
};

/* ---- TestCount: y = x * w; a non-trainable "calls" parameter counts
 * training forward passes, and 8 bytes of state count every pass */

static dl4c_status count_build(dl4c_layer *l)
{
    int64_t one[1] = {1};
    l->out_shapes[0] = l->in_shapes[0];
    dl4c_layer_add_param(l, "w", 1, one, 1, 1, false);
    dl4c_layer_add_state_param(l, "calls", 1, one,
                               dl4c_init_default(DL4C_INIT_ZERO));
    return DL4C_OK;
}

static size_t count_state(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    (void)l;
    (void)batch;
    (void)dt;
    return sizeof(double);
}

static const double *last_state; /* the test reads the state here */

static void count_forward(dl4c_layer_ctx *c)
{
    last_state = c->state;
    double w = dl4c_tensor_get(c->params[0], 0);
    for (int64_t i = 0; i < c->out->size; i++)
        dl4c_tensor_set(c->out, i, w * dl4c_tensor_get(c->in[0], i));
    if (c->training)
        dl4c_tensor_set(c->params[1], 0, dl4c_tensor_get(c->params[1], 0) + 1);
    *(double *)c->state += 1;
}

static void count_backward(dl4c_layer_ctx *c)
{
    double w = dl4c_tensor_get(c->params[0], 0), g = 0;
    for (int64_t i = 0; i < c->out->size; i++) {
        g += dl4c_tensor_get(c->dout, i) * dl4c_tensor_get(c->in[0], i);
        if (c->din[0])
            dl4c_tensor_set(c->din[0], i, w * dl4c_tensor_get(c->dout, i));
    }
    if (c->grads) {
        dl4c_tensor_set(c->grads[0], 0, g);
        dl4c_tensor_set(c->grads[1], 0, 0);
    }
}

static const dl4c_layer_type count_type = {
    .name = "TestCount",
    .keys = no_keys,
    .parse = no_parse,
    .write = no_write,
    .build = count_build,
    .forward = count_forward,
    .backward = count_backward,
    .state_size = count_state,
};

static void register_types(void)
{
    static int done;
    if (done++)
        return;
    if (dl4c_layer_type_register(&split_type) != DL4C_OK ||
        dl4c_layer_type_register(&mask_type) != DL4C_OK ||
        dl4c_layer_type_register(&count_type) != DL4C_OK)
        fprintf(stderr, "register: %s\n", dl4c_last_error());
}

/* ---- helpers ---- */

static dl4c_tensor *random_tensor(dl4c_rng *rng, int ndim, const int64_t *dims)
{
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(DL4C_F64, ndim, dims, &t) == DL4C_OK)
        dl4c_rng_fill_uniform(rng, t, -1, 1);
    return t;
}

static double score_of(dl4c_net *net, dl4c_tensor *x, const dl4c_net_targets *t)
{
    const dl4c_tensor *in[1] = {x};
    double s = NAN;
    if (dl4c_net_score(net, 1, in, t, true, &s) != DL4C_OK)
        fprintf(stderr, "%s\n", dl4c_last_error());
    return s;
}

/* float64 central differences of every parameter and input value; input
 * values of exactly 0 are skipped when `skip_zeros` (they decide a mask,
 * which a perturbation would flip) */
static int gradcheck(dl4c_net *net, dl4c_tensor *x, const dl4c_net_targets *t,
                     bool skip_zeros)
{
    const dl4c_tensor *in[1] = {x};
    dl4c_tensor *g = NULL, *gx = NULL;
    double s;
    dl4c_net_set_input_gradients(net, true);
    if (dl4c_net_compute_gradients(net, 1, in, t, &s) != DL4C_OK ||
        dl4c_tensor_copy(dl4c_net_gradients(net), &g) != DL4C_OK ||
        dl4c_tensor_copy(dl4c_net_input_gradient(net, 0), &gx) != DL4C_OK) {
        fprintf(stderr, "%s\n", dl4c_last_error());
        return -1;
    }
    int bad = 0;
    dl4c_tensor *sets[2] = {dl4c_net_params(net), x};
    dl4c_tensor *grads[2] = {g, gx};
    for (int k = 0; k < 2; k++)
        for (int64_t i = 0; i < dl4c_tensor_size(sets[k]); i++) {
            double v = dl4c_tensor_get(sets[k], i);
            if (k == 1 && skip_zeros && v == 0)
                continue;
            dl4c_tensor_set(sets[k], i, v + EPS);
            double up = score_of(net, x, t);
            dl4c_tensor_set(sets[k], i, v - EPS);
            double down = score_of(net, x, t);
            dl4c_tensor_set(sets[k], i, v);
            double num = (up - down) / (2 * EPS);
            double ana = dl4c_tensor_get(grads[k], i);
            if (!(fabs(num - ana) < 1e-7 ||
                  fabs(num - ana) / (fabs(num) + fabs(ana)) < 1e-5)) {
                fprintf(stderr, "  %s[%lld]: analytic %g numeric %g\n",
                        k ? "input" : "param", (long long)i, ana, num);
                bad++;
            }
        }
    dl4c_tensor_free(g);
    dl4c_tensor_free(gx);
    return bad;
}

/* ---- tests ---- */

static void test_two_outputs(void)
{
    register_types();
    const char *cfg =
        "{\"seed\": 3, \"inputs\": [{\"name\": \"x\", \"shape\": [3]}],"
        " \"layers\": ["
        "  {\"name\": \"split\", \"type\": \"TestSplit\"},"
        "  {\"name\": \"a\", \"type\": \"Dense\", \"units\": 2,"
        "   \"activation\": \"tanh\", \"inputs\": \"split:0\"},"
        "  {\"name\": \"b\", \"type\": \"Dense\", \"units\": 3,"
        "   \"inputs\": [\"split:1\"]},"
        "  {\"name\": \"la\", \"type\": \"Loss\", \"inputs\": \"a\"},"
        "  {\"name\": \"lb\", \"type\": \"Loss\", \"loss\": \"l1\","
        "   \"inputs\": \"b\"}]}";
    dl4c_net *net = NULL, *again = NULL;
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 1);
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    CHECK(dl4c_net_num_outputs(net) == 2);
    int64_t xd[2] = {4, 3}, ad[2] = {4, 2}, bd[2] = {4, 3};
    dl4c_tensor *x = random_tensor(&rng, 2, xd);
    dl4c_tensor *ya = random_tensor(&rng, 2, ad),
                *yb = random_tensor(&rng, 2, bd);
    const dl4c_tensor *labels[2] = {ya, yb};
    dl4c_net_targets t = {2, labels, NULL};
    CHECK(gradcheck(net, x, &t, false) == 0);

    /* "split:1" survives the config round trip */
    char *text = NULL;
    REQUIRE_OK(dl4c_net_write_config(net, &text));
    CHECK(strstr(text, "\"split:1\"") != NULL);
    CHECK_OK(dl4c_net_parse(text, DL4C_F64, &again));
    CHECK(again && score_of(again, x, &t) == score_of(net, x, &t));
    char *summary = NULL;
    CHECK_OK(dl4c_net_summary(net, &summary));
    CHECK(summary && strstr(summary, "[(None, 3), (None, 3)]") &&
          strstr(summary, "split:1"));
    dl4c_free(summary);
    dl4c_free(text);

    dl4c_net *bad = NULL;
    CHECK_ERR(dl4c_net_parse("{\"inputs\": [{\"shape\": [3]}], \"layers\": "
                             "[{\"name\": \"s\", \"type\": \"TestSplit\"}, "
                             "{\"type\": \"Dense\", \"units\": 2, "
                             "\"inputs\": \"s:2\"}]}",
                             DL4C_F64, &bad),
              DL4C_FORMAT, "input 's:2' is not a net input or an output");
    CHECK_ERR(dl4c_net_parse("{\"inputs\": [{\"name\": \"a:b\", \"shape\": "
                             "[3]}], \"layers\": [{\"type\": \"Dense\", "
                             "\"units\": 2}]}",
                             DL4C_F64, &bad),
              DL4C_FORMAT, "have no ':'");
    dl4c_tensor_free(x);
    dl4c_tensor_free(ya);
    dl4c_tensor_free(yb);
    dl4c_net_free(net);
    dl4c_net_free(again);
}

static void test_shared_weights(void)
{
    const char *cfg =
        "{\"seed\": 5, \"inputs\": [{\"shape\": [4]}], \"layers\": ["
        "  {\"name\": \"d1\", \"type\": \"Dense\", \"units\": 4,"
        "   \"activation\": \"tanh\"},"
        "  {\"name\": \"d2\", \"type\": \"Dense\", \"units\": 4,"
        "   \"activation\": \"tanh\", \"share_weights_with\": \"d1\"},"
        "  {\"type\": \"Loss\"}],"
        " \"training\": {\"updater\": {\"type\": \"sgd\", \"learning_rate\": "
        "0.1}}}";
    dl4c_net *net = NULL, *back = NULL;
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 2);
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    CHECK(dl4c_net_num_params(net) == 20); /* d1's W and b only */
    int64_t xd[2] = {3, 4};
    dl4c_tensor *x = random_tensor(&rng, 2, xd),
                *y = random_tensor(&rng, 2, xd);
    const dl4c_tensor *labels[1] = {y};
    dl4c_net_targets t = {1, labels, NULL};
    CHECK(gradcheck(net, x, &t, false) == 0);

    /* a training step moves the shared weights; the model file holds
     * them once and rebuilds the sharing */
    const dl4c_tensor *in[1] = {x};
    double s;
    CHECK_OK(dl4c_net_compute_gradients(net, 1, in, &t, &s));
    CHECK_OK(dl4c_net_apply_update(net));
    char path[1024];
    snprintf(path, sizeof path, "%s/shared.dl4c", test_tmpdir());
    CHECK_OK(dl4c_model_save(net, path, 0));
    CHECK_OK(dl4c_model_load_as(path, DL4C_F64, &back));
    CHECK(back && score_of(back, x, &t) == score_of(net, x, &t));
    dl4c_safetensors *f = NULL;
    CHECK_OK(dl4c_safetensors_load(path, &f));
    CHECK(f && dl4c_safetensors_count(f) == 2 &&
          !dl4c_safetensors_has(f, "d2/W"));
    dl4c_safetensors_free(f);
    char *summary = NULL;
    CHECK_OK(dl4c_net_summary(net, &summary));
    CHECK(summary && strstr(summary, "Total params: 20"));
    dl4c_free(summary);

    dl4c_net *bad = NULL;
    CHECK_ERR(dl4c_net_parse("{\"inputs\": [{\"shape\": [4]}], \"layers\": "
                             "[{\"name\": \"d1\", \"type\": \"Dense\", "
                             "\"units\": 4}, {\"type\": \"Dense\", \"units\": "
                             "5, \"share_weights_with\": \"d1\"}]}",
                             DL4C_F64, &bad),
              DL4C_SHAPE, "cannot share the weights of layer 'd1'");
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_net_free(net);
    dl4c_net_free(back);
}

static void test_masks_reach_the_loss(void)
{
    register_types();
    /* TestMask marks steps whose first feature is 0; Dense passes the
     * mask on; the loss ignores masked steps */
    const char *cfg =
        "{\"seed\": 2, \"inputs\": [{\"shape\": [4, 3]}], \"layers\": ["
        "  {\"type\": \"TestMask\"},"
        "  {\"type\": \"Dense\", \"units\": 2, \"activation\": \"tanh\"},"
        "  {\"type\": \"Loss\", \"loss\": \"mse\"}]}";
    dl4c_net *net = NULL;
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 4);
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    int64_t xd[3] = {2, 4, 3}, yd[3] = {2, 4, 2};
    dl4c_tensor *x = random_tensor(&rng, 3, xd),
                *y = random_tensor(&rng, 3, yd);
    /* steps (0,1) and (1,3) are masked */
    dl4c_tensor_set(x, (0 * 4 + 1) * 3, 0);
    dl4c_tensor_set(x, (1 * 4 + 3) * 3, 0);
    const dl4c_tensor *labels[1] = {y};
    dl4c_net_targets t = {1, labels, NULL};
    double before = score_of(net, x, &t);
    /* labels of masked steps do not matter */
    dl4c_tensor_set(y, (0 * 4 + 1) * 2, 100.0);
    dl4c_tensor_set(y, (1 * 4 + 3) * 2 + 1, -50.0);
    CHECK_NEAR(score_of(net, x, &t), before, 1e-12);
    /* an unmasked step's label does */
    dl4c_tensor_set(y, 0, 100.0);
    CHECK(fabs(score_of(net, x, &t) - before) > 1);
    CHECK(gradcheck(net, x, &t, true) == 0);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_net_free(net);
}

static void test_state_and_non_trainable(void)
{
    register_types();
    const char *cfg = "{\"inputs\": [{\"shape\": [2]}], \"layers\": ["
                      "  {\"name\": \"c\", \"type\": \"TestCount\"},"
                      "  {\"type\": \"Loss\"}],"
                      " \"training\": {\"updater\": {\"type\": \"sgd\", "
                      "\"learning_rate\": 0.5},"
                      " \"l2\": 1}}";
    dl4c_net *net = NULL;
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 9);
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    int64_t d[2] = {3, 2};
    dl4c_tensor *x = random_tensor(&rng, 2, d), *y = random_tensor(&rng, 2, d);
    const dl4c_tensor *in[1] = {x}, *labels[1] = {y};
    dl4c_net_targets t = {1, labels, NULL};
    double s;
    for (int i = 0; i < 3; i++) {
        CHECK_OK(dl4c_net_compute_gradients(net, 1, in, &t, &s));
        CHECK_OK(dl4c_net_apply_update(net));
    }
    /* the layer counted its 3 training passes; the updater (and L2) left
     * that count alone */
    CHECK_NEAR(dl4c_tensor_get(dl4c_net_param(net, "c", "calls"), 0), 3, 0);
    char *summary = NULL;
    CHECK_OK(dl4c_net_summary(net, &summary));
    CHECK(summary && strstr(summary, "Non-trainable params: 1"));
    dl4c_free(summary);
    /* state persists across calls until reset */
    CHECK_OK(dl4c_net_forward(net, 1, in, false));
    CHECK_OK(dl4c_net_forward(net, 1, in, false));
    CHECK(last_state && *last_state == 5); /* 3 training + 2 inference */
    dl4c_net_reset_states(net);
    CHECK_OK(dl4c_net_forward(net, 1, in, false));
    CHECK(*last_state == 1);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_net_free(net);
}

/* An input feeding two layers gets the sum of both gradients. */
static void test_input_used_twice(void)
{
    const char *cfg =
        "{\"seed\": 8, \"inputs\": [{\"name\": \"x\", \"shape\": [3]}],"
        " \"layers\": ["
        "  {\"name\": \"a\", \"type\": \"Dense\", \"units\": 2,"
        "   \"activation\": \"tanh\", \"inputs\": \"x\"},"
        "  {\"name\": \"b\", \"type\": \"Dense\", \"units\": 2,"
        "   \"activation\": \"sigmoid\", \"inputs\": \"x\"},"
        "  {\"name\": \"la\", \"type\": \"Loss\", \"inputs\": \"a\"},"
        "  {\"name\": \"lb\", \"type\": \"Loss\", \"inputs\": \"b\"}]}";
    dl4c_net *net = NULL;
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 6);
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    int64_t xd[2] = {2, 3}, yd[2] = {2, 2};
    dl4c_tensor *x = random_tensor(&rng, 2, xd),
                *ya = random_tensor(&rng, 2, yd),
                *yb = random_tensor(&rng, 2, yd);
    const dl4c_tensor *labels[2] = {ya, yb};
    dl4c_net_targets t = {2, labels, NULL};
    CHECK(gradcheck(net, x, &t, false) == 0);
    dl4c_tensor_free(x);
    dl4c_tensor_free(ya);
    dl4c_tensor_free(yb);
    dl4c_net_free(net);
}

static void test_register_errors(void)
{
    register_types();
    CHECK_ERR(dl4c_layer_type_register(&split_type), DL4C_INVALID_ARG,
              "already registered");
    dl4c_layer_type empty = {.name = "Nothing"};
    CHECK_ERR(dl4c_layer_type_register(&empty), DL4C_INVALID_ARG,
              "needs a name and parse");
}

TEST_MAIN(test_two_outputs, test_shared_weights, test_masks_reach_the_loss,
          test_state_and_non_trainable, test_input_used_twice,
          test_register_errors)
