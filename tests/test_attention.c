// labels: unit gradcheck
/* MultiHeadAttention against a NumPy reference, its masks (attention mask
 * input, query/value masks from Masking, causal mask), a small Transformer
 * encoder block (attention, residual Add, LayerNormalization, Dense
 * feed-forward) built from a JSON config and gradient-checked end to end
 * in float64, and the Keras config translation. */
#include <string.h>

#include <jansson.h>

#include "nn/layer_internal.h"
#include "test.h"

#define EPS 1e-6

static dl4c_tensor *tensor3(dl4c_dtype dt, int64_t a, int64_t b, int64_t c)
{
    int64_t dims[3] = {a, b, c};
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(dt, 3, dims, &t) != DL4C_OK)
        return NULL;
    return t;
}

static dl4c_tensor *random_tensor(dl4c_rng *rng, int ndim, const int64_t *dims)
{
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(DL4C_F64, ndim, dims, &t) == DL4C_OK)
        dl4c_rng_fill_uniform(rng, t, -1, 1);
    return t;
}

static double score_of(dl4c_net *net, int n, dl4c_tensor **in,
                       const dl4c_net_targets *t)
{
    double s = NAN;
    if (dl4c_net_score(net, n, (const dl4c_tensor *const *)in, t, true, &s) !=
        DL4C_OK)
        fprintf(stderr, "%s\n", dl4c_last_error());
    return s;
}

/* float64 central differences of every parameter and input value */
static int gradcheck(dl4c_net *net, int n, dl4c_tensor **in,
                     const dl4c_net_targets *t)
{
    dl4c_tensor *g = NULL, *gx[4] = {NULL};
    double s;
    int bad = 0;
    dl4c_net_set_input_gradients(net, true);
    if (dl4c_net_compute_gradients(net, n, (const dl4c_tensor *const *)in, t,
                                   &s) != DL4C_OK ||
        dl4c_tensor_copy(dl4c_net_gradients(net), &g) != DL4C_OK) {
        fprintf(stderr, "%s\n", dl4c_last_error());
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (dl4c_tensor_copy(dl4c_net_input_gradient(net, i), &gx[i]) !=
            DL4C_OK)
            return -1;
    for (int k = -1; k < n; k++) {
        dl4c_tensor *set = k < 0 ? dl4c_net_params(net) : in[k];
        dl4c_tensor *grad = k < 0 ? g : gx[k];
        for (int64_t i = 0; i < dl4c_tensor_size(set); i++) {
            double v = dl4c_tensor_get(set, i);
            dl4c_tensor_set(set, i, v + EPS);
            double up = score_of(net, n, in, t);
            dl4c_tensor_set(set, i, v - EPS);
            double down = score_of(net, n, in, t);
            dl4c_tensor_set(set, i, v);
            double num = (up - down) / (2 * EPS);
            double ana = dl4c_tensor_get(grad, i);
            if (!(fabs(num - ana) < 1e-7 ||
                  fabs(num - ana) / (fabs(num) + fabs(ana)) < 1e-5)) {
                if (bad < 5)
                    fprintf(stderr, "  %s %d [%lld]: analytic %g numeric %g\n",
                            k < 0 ? "param" : "input", k, (long long)i, ana,
                            num);
                bad++;
            }
        }
    }
    dl4c_tensor_free(g);
    for (int i = 0; i < n; i++)
        dl4c_tensor_free(gx[i]);
    return bad;
}

/* ---- NumPy reference ---- */

/* Parameter p (Keras order: query kernel and bias, key, value, output)
 * element i and input k element i, as in the reference script below. */
static double param_value(int p, int64_t i)
{
    return 0.1 * (double)((7 * i + 3 * p) % 11) - 0.5;
}

static double input_value(int k, int64_t i)
{
    return 0.2 * (double)((5 * i + 2 * k) % 9) - 0.8;
}

/* The expected values come from this NumPy script (float64), which
 * computes Keras' MultiHeadAttention from its defining formulas:
 *
 *   B, Tq, Tv, dq, dv, H, kd, vd = 2, 2, 3, 3, 2, 2, 2, 2
 *   pv = lambda p, s: (0.1 * ((7 * np.arange(np.prod(s)) + 3 * p) % 11)
 *                      - 0.5).reshape(s)
 *   iv = lambda k, s: (0.2 * ((5 * np.arange(np.prod(s)) + 2 * k) % 9)
 *                      - 0.8).reshape(s)
 *   Wq, bq = pv(0, (dq, H, kd)), pv(1, (H, kd))
 *   Wk, bk = pv(2, (dv, H, kd)), pv(3, (H, kd))
 *   Wv, bv = pv(4, (dv, H, vd)), pv(5, (H, vd))
 *   Wo, bo = pv(6, (H, vd, dq)), pv(7, (dq,))
 *   q, v = iv(0, (B, Tq, dq)), iv(1, (B, Tv, dv))
 *   mask = np.array([[[1, 1, 0], [1, 0, 0]], [[0, 1, 1], [0, 0, 0]]], bool)
 *   Q = np.einsum('btd,dhk->bthk', q, Wq) + bq
 *   K = np.einsum('bsd,dhk->bshk', v, Wk) + bk
 *   V = np.einsum('bsd,dhk->bshk', v, Wv) + bv
 *   S = np.einsum('bthk,bshk->bhts', Q, K) / np.sqrt(kd)
 *   P = softmax of S over s where mask[:, None] holds (0 elsewhere);
 *       a row with nothing unmasked gets 1/Tv everywhere
 *   O = np.einsum('bhts,bshk->bthk', P, V).reshape(B, Tq, H * vd)
 *   out = O @ Wo.reshape(H * vd, dq) + bo
 */
static const double want_out[12] = {
    0.457119767516,  0.045080736460,  -0.333850959193, 0.456000000000,
    0.040000000000,  -0.332000000000, 0.447094309846,  0.499096006902,
    -0.691906962946, 0.446000000000,  0.494000000000,  -0.690000000000};
static const double want_scores[24] = {
    0.504878881935, 0.495121118065, 0.000000000000, 1.000000000000,
    0.000000000000, 0.000000000000, 0.488688221979, 0.511311778021,
    0.000000000000, 1.000000000000, 0.000000000000, 0.000000000000,
    0.000000000000, 0.499787867978, 0.500212132022, 0.333333333333,
    0.333333333333, 0.333333333333, 0.000000000000, 0.488052170258,
    0.511947829742, 0.333333333333, 0.333333333333, 0.333333333333};

static void test_mha_matches_reference(void)
{
    static const char *const names[8] = {
        "query_kernel", "query_bias", "key_kernel",    "key_bias",
        "value_kernel", "value_bias", "output_kernel", "output_bias"};
    const char *cfg =
        "{\"inputs\": [{\"name\": \"q\", \"shape\": [2, 3]}, {\"name\": \"v\", "
        "\"shape\": [3, 2]}, {\"name\": \"m\", \"shape\": [2, 3]}],"
        " \"layers\": [{\"name\": \"mha\", \"type\": \"MultiHeadAttention\","
        " \"num_heads\": 2, \"key_dim\": 2, \"inputs\": [\"q\", \"v\", \"m\"],"
        " \"attention_mask_input\": true, \"return_attention_scores\": true}],"
        " \"outputs\": [\"mha\", \"mha:1\"]}";
    static const double mask[12] = {1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0};
    for (int d = 0; d < 2; d++) {
        dl4c_dtype dt = d ? DL4C_F32 : DL4C_F64;
        double tol = d ? 2e-6 : 1e-11;
        dl4c_net *net = NULL;
        REQUIRE_OK(dl4c_net_parse(cfg, dt, &net));
        for (int p = 0; p < 8; p++) {
            dl4c_tensor *w = dl4c_net_param(net, "mha", names[p]);
            REQUIRE(w != NULL);
            for (int64_t i = 0; i < dl4c_tensor_size(w); i++)
                dl4c_tensor_set(w, i, param_value(p, i));
        }
        dl4c_tensor *in[3] = {tensor3(dt, 2, 2, 3), tensor3(dt, 2, 3, 2),
                              tensor3(dt, 2, 2, 3)};
        for (int k = 0; k < 2; k++)
            for (int64_t i = 0; i < dl4c_tensor_size(in[k]); i++)
                dl4c_tensor_set(in[k], i, input_value(k, i));
        for (int64_t i = 0; i < 12; i++)
            dl4c_tensor_set(in[2], i, mask[i]);
        CHECK_OK(
            dl4c_net_forward(net, 3, (const dl4c_tensor *const *)in, false));
        const dl4c_tensor *out = dl4c_net_output(net, 0);
        const dl4c_tensor *scores = dl4c_net_output(net, 1);
        REQUIRE(out && scores);
        CHECK(dl4c_tensor_size(out) == 12 && dl4c_tensor_size(scores) == 24);
        for (int64_t i = 0; i < 12; i++)
            CHECK_NEAR(dl4c_tensor_get(out, i), want_out[i], tol + 1e-12);
        for (int64_t i = 0; i < 24; i++)
            CHECK_NEAR(dl4c_tensor_get(scores, i), want_scores[i], tol + 1e-12);
        for (int k = 0; k < 3; k++)
            dl4c_tensor_free(in[k]);
        dl4c_net_free(net);
    }
}

/* ---- masks ---- */

static void test_mha_masks(void)
{
    /* Masking marks steps of zeros; self-attention gets the mask on its
     * query and its value: masked key columns get no weight, masked query
     * rows weigh every key equally, and the output carries the query
     * mask to the loss */
    const char *cfg =
        "{\"seed\": 4, \"inputs\": [{\"name\": \"x\", \"shape\": [4, 3]}],"
        " \"layers\": ["
        "  {\"name\": \"mask\", \"type\": \"Masking\"},"
        "  {\"name\": \"mha\", \"type\": \"MultiHeadAttention\","
        "   \"num_heads\": 2, \"key_dim\": 2, \"inputs\": [\"mask\", "
        "\"mask\"], \"return_attention_scores\": true},"
        "  {\"name\": \"l0\", \"type\": \"Loss\", \"inputs\": \"mha\"},"
        "  {\"name\": \"l1\", \"type\": \"Loss\", \"inputs\": \"mha:1\"}]}";
    dl4c_net *net = NULL;
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 11);
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    int64_t xd[3] = {2, 4, 3}, yd[3] = {2, 4, 3}, sd[4] = {2, 2, 4, 4};
    dl4c_tensor *x = random_tensor(&rng, 3, xd),
                *y = random_tensor(&rng, 3, yd);
    dl4c_tensor *ys = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 4, sd, &ys));
    /* example 0 masks step 1, example 1 steps 2 and 3 */
    for (int f = 0; f < 3; f++) {
        dl4c_tensor_set(x, (0 * 4 + 1) * 3 + f, 0);
        dl4c_tensor_set(x, (1 * 4 + 2) * 3 + f, 0);
        dl4c_tensor_set(x, (1 * 4 + 3) * 3 + f, 0);
    }
    const dl4c_tensor *in[1] = {x};
    CHECK_OK(dl4c_net_forward(net, 1, in, false));
    const dl4c_tensor *p = dl4c_net_output(net, 1);
    REQUIRE(p != NULL);
    for (int b = 0; b < 2; b++)
        for (int h = 0; h < 2; h++)
            for (int i = 0; i < 4; i++) {
                bool row_masked = (b == 0 && i == 1) || (b == 1 && i >= 2);
                double sum = 0;
                for (int j = 0; j < 4; j++) {
                    double v =
                        dl4c_tensor_get(p, ((b * 2 + h) * 4 + i) * 4 + j);
                    bool col_masked = (b == 0 && j == 1) || (b == 1 && j >= 2);
                    sum += v;
                    if (row_masked)
                        CHECK_NEAR(v, 0.25, 1e-12);
                    else if (col_masked)
                        CHECK(v == 0);
                    else
                        CHECK(v > 0);
                }
                CHECK_NEAR(sum, 1, 1e-12);
            }
    /* labels of masked query steps do not count */
    const dl4c_tensor *labels[2] = {y, ys};
    dl4c_net_targets t = {2, labels, NULL};
    double before = NAN, after = NAN;
    CHECK_OK(dl4c_net_score(net, 1, in, &t, false, &before));
    dl4c_tensor_set(y, (0 * 4 + 1) * 3, 50.0);
    CHECK_OK(dl4c_net_score(net, 1, in, &t, false, &after));
    CHECK_NEAR(after, before, 1e-12);
    dl4c_tensor_set(y, 0, 50.0);
    CHECK_OK(dl4c_net_score(net, 1, in, &t, false, &after));
    CHECK(fabs(after - before) > 1);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_tensor_free(ys);
    dl4c_net_free(net);
}

static void test_mha_causal(void)
{
    const char *cfg =
        "{\"inputs\": [{\"name\": \"x\", \"shape\": [3, 2]}], \"layers\": ["
        " {\"name\": \"mha\", \"type\": \"MultiHeadAttention\", \"num_heads\": "
        "1, \"key_dim\": 2, \"use_causal_mask\": true, "
        "\"return_attention_scores\": true, \"inputs\": [\"x\", \"x\"]}],"
        " \"outputs\": [\"mha:1\"]}";
    dl4c_net *net = NULL;
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 3);
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    int64_t xd[3] = {1, 3, 2};
    dl4c_tensor *x = random_tensor(&rng, 3, xd);
    const dl4c_tensor *in[1] = {x};
    CHECK_OK(dl4c_net_forward(net, 1, in, false));
    const dl4c_tensor *p = dl4c_net_output(net, 0);
    REQUIRE(p != NULL);
    CHECK_NEAR(dl4c_tensor_get(p, 0), 1, 1e-12); /* step 0 sees itself */
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            CHECK(j <= i ? dl4c_tensor_get(p, i * 3 + j) > 0
                         : dl4c_tensor_get(p, i * 3 + j) == 0);
    dl4c_tensor_free(x);
    dl4c_net_free(net);
}

/* ---- a Transformer encoder block, end to end ---- */

static const char *const encoder_block =
    "{\"seed\": 21, \"inputs\": [{\"name\": \"x\", \"shape\": [4, 6]}],"
    " \"layers\": ["
    "  {\"name\": \"attn\", \"type\": \"MultiHeadAttention\", \"num_heads\": "
    "2, \"key_dim\": 3, \"dropout\": 0.1, \"inputs\": [\"x\", \"x\"]},"
    "  {\"name\": \"res1\", \"type\": \"Add\", \"inputs\": [\"x\", "
    "\"attn\"]},"
    "  {\"name\": \"norm1\", \"type\": \"LayerNormalization\", \"epsilon\": "
    "1e-6},"
    "  {\"name\": \"ff1\", \"type\": \"Dense\", \"units\": 8, \"activation\": "
    "\"relu\"},"
    "  {\"name\": \"ff2\", \"type\": \"Dense\", \"units\": 6},"
    "  {\"name\": \"drop\", \"type\": \"Dropout\", \"rate\": 0.1},"
    "  {\"name\": \"res2\", \"type\": \"Add\", \"inputs\": [\"norm1\", "
    "\"drop\"]},"
    "  {\"name\": \"norm2\", \"type\": \"LayerNormalization\", \"epsilon\": "
    "1e-6},"
    "  {\"type\": \"Loss\", \"loss\": \"mse\"}],"
    " \"training\": {\"updater\": {\"type\": \"adam\", \"learning_rate\": "
    "0.01}}}";

static void test_transformer_block(void)
{
    dl4c_net *net = NULL;
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 5);
    REQUIRE_OK(dl4c_net_parse(encoder_block, DL4C_F64, &net));
    int64_t d[3] = {2, 4, 6};
    dl4c_tensor *x = random_tensor(&rng, 3, d), *y = random_tensor(&rng, 3, d);
    dl4c_tensor *in[1] = {x};
    const dl4c_tensor *labels[1] = {y};
    dl4c_net_targets t = {1, labels, NULL};
    CHECK(gradcheck(net, 1, in, &t) == 0);

    /* it trains: a few Adam steps lower the loss on a fixed batch */
    double first = NAN, last = NAN;
    for (int i = 0; i < 30; i++) {
        double s;
        CHECK_OK(dl4c_net_compute_gradients(
            net, 1, (const dl4c_tensor *const *)in, &t, &s));
        CHECK_OK(dl4c_net_apply_update(net));
        if (i == 0)
            first = s;
        last = s;
    }
    CHECK(last < first);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_net_free(net);
}

/* ---- Keras translation ---- */

static json_t *from_keras(const char *type, const char *kcfg, int major,
                          dl4c_status *st)
{
    const dl4c_layer_type *lt = dl4c_layer_type_find(type);
    dl4c_keras_ctx k = {major, false, "layer 'mha' (MultiHeadAttention)"};
    json_t *in = json_loads(kcfg, 0, NULL);
    json_t *out = json_object();
    *st = lt && lt->from_keras ? lt->from_keras(&k, in, out) : DL4C_INTERNAL;
    json_decref(in);
    return out;
}

static void test_mha_from_keras(void)
{
    dl4c_status st;
    json_t *out = from_keras(
        "MultiHeadAttention",
        "{\"name\": \"mha\", \"num_heads\": 4, \"key_dim\": 8, "
        "\"value_dim\": null, \"dropout\": 0.1, \"use_bias\": true, "
        "\"output_shape\": null, \"attention_axes\": null, "
        "\"kernel_initializer\": {\"class_name\": \"GlorotUniform\"}}",
        2, &st);
    CHECK(st == DL4C_OK);
    CHECK(json_integer_value(json_object_get(out, "num_heads")) == 4);
    CHECK(json_integer_value(json_object_get(out, "key_dim")) == 8);
    CHECK(!json_object_get(out, "value_dim"));
    CHECK_NEAR(json_number_value(json_object_get(out, "dropout")), 0.1, 0);
    CHECK(!json_object_get(out, "output_shape"));
    json_decref(out);
    out = from_keras("MultiHeadAttention",
                     "{\"num_heads\": 2, \"key_dim\": 4, \"value_dim\": 3, "
                     "\"output_shape\": [16], \"attention_axes\": [1]}",
                     3, &st);
    CHECK(st == DL4C_OK);
    CHECK(json_integer_value(json_object_get(out, "output_shape")) == 16);
    CHECK(json_integer_value(json_object_get(out, "value_dim")) == 3);
    CHECK(json_array_size(json_object_get(out, "attention_axes")) == 1);
    json_decref(out);
    dl4c_clear_error();
    out = from_keras("MultiHeadAttention",
                     "{\"num_heads\": 2, \"key_dim\": 4, \"output_shape\": "
                     "[4, 4]}",
                     3, &st);
    CHECK(st == DL4C_UNSUPPORTED &&
          strstr(dl4c_last_error(), "output_shape of several dims"));
    json_decref(out);
}

TEST_MAIN(test_mha_matches_reference, test_mha_masks, test_mha_causal,
          test_transformer_block, test_mha_from_keras)
