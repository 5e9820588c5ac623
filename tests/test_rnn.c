// labels: unit
/* Recurrent layers against known values and the behaviours the registry
 * test cannot see: SimpleRNN, LSTM and GRU (both bias layouts) forward on
 * a tiny input against values computed from Keras' defining equations,
 * masked steps carrying the state, stateful carry-over across calls and
 * dl4c_net_reset_states, go_backwards, Bidirectional as the concatenation
 * of its two directions, TimeDistributed, Embedding lookups and masks,
 * and the Keras hooks (Keras 1/2/3 configs and weight layouts). */
#include <string.h>

#include <jansson.h>
#include <omp.h>

#include "nn/layers/rnn_common.h"
#include "nn/net_internal.h"
#include "test.h"

/* Reference values, computed with /usr/bin/python3 + numpy in float64
 * from Keras' equations (SimpleRNN h = tanh(xW + hR + b); LSTM gates i, f,
 * c, o with sigmoid/tanh, c = f c + i g, h = o tanh(c); GRU z, r, h with
 * h = z h + (1 - z) n, n = tanh(x W_h + b_h + r (h R_h + b'_h)) for
 * reset_after and tanh(x W_h + (r h) R_h + b_h) without), zero initial
 * states, batch 2, 3 steps, 3 features, 2 units, and the flat arrays
 *   x[i] = sin(0.5 i + 0.3), W[i] = 0.3 sin(0.7 i + 0.1),
 *   R[i] = 0.25 cos(0.9 i + 0.2), b[i] = 0.1 sin(1.3 i)
 * in Keras' layouts. Outputs are the [2, 3, 2] sequences. */
static const double SIMPLE_Y[12] = {
    0.28459755978546875,  0.20316294410857838,  0.31398159364278022,
    0.40137771742100214,  -0.21499918756904551, -0.026190000441941565,
    -0.30247050386113011, -0.25262275997581735, 0.16018630716337601,
    0.13314665293386505,  0.35159138142017865,  0.41220414215723883};
static const double LSTM_Y[12] = {
    0.07445606375104255,  0.051508840459225359,   0.089842744780151737,
    0.036477333682197847, -0.10818802692205245,   -0.046049714532084049,
    -0.15472199291797881, -0.0036778447452796852, -0.0087624758613405341,
    0.051066057537246766, 0.062429881466239227,   0.046278485553823398};
static const double LSTM_C[4] = {-0.19966593716637776, -0.076998262086039382,
                                 0.14369077281081877, 0.13005397881599096};
static const double GRU_RA_Y[12] = {
    -0.076876068339665718, 0.040710395033158514,  -0.0014418924665437205,
    0.07172082164288579,   0.019700567471247901,  0.062006247554363222,
    -0.08475710631380004,  0.010108713727442452,  -0.13567989201677699,
    0.039764476080365832,  -0.045876011371715611, 0.072908324629419388};
static const double GRU_RB_Y[12] = {
    -0.090003407551338913, 0.020831964163411956,   -0.01300483431592199,
    0.039171373572315211,  0.0065389672189718768,  0.022576543688576721,
    -0.09844095721445216,  -0.0099146949285503407, -0.15264932320489955,
    0.010719646418090487,  -0.057224047886235446,  0.036408113541423238};

/* a net of one input [steps, features] and the given layer named "r" */
static dl4c_net *make_net(const char *layer, int64_t steps, int64_t features,
                          dl4c_dtype dt)
{
    char cfg[2048];
    snprintf(cfg, sizeof cfg,
             "{\"seed\": 3, \"inputs\": [{\"name\": \"x\", \"shape\": [%lld, "
             "%lld]}], \"layers\": [%s]}",
             (long long)steps, (long long)features, layer);
    dl4c_net *net = NULL;
    if (dl4c_net_parse(cfg, dt, &net) != DL4C_OK)
        fprintf(stderr, "%s\n", dl4c_last_error());
    return net;
}

static void fill_param(dl4c_net *net, const char *layer, const char *name,
                       double scale, double a, double b, bool cosine)
{
    dl4c_tensor *p = dl4c_net_param(net, layer, name);
    if (!p)
        return;
    for (int64_t i = 0; i < dl4c_tensor_size(p); i++)
        dl4c_tensor_set(
            p, i,
            scale * (cosine ? cos(a * (double)i + b) : sin(a * (double)i + b)));
}

static void keras_params(dl4c_net *net, const char *layer)
{
    fill_param(net, layer, "W", 0.3, 0.7, 0.1, false);
    fill_param(net, layer, "R", 0.25, 0.9, 0.2, true);
    fill_param(net, layer, "b", 0.1, 1.3, 0.0, false);
}

static dl4c_tensor *seq_input(dl4c_dtype dt, int64_t n, int64_t steps,
                              int64_t features)
{
    int64_t dims[3] = {n, steps, features};
    dl4c_tensor *x = NULL;
    if (dl4c_tensor_create(dt, 3, dims, &x) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; i < dl4c_tensor_size(x); i++)
        dl4c_tensor_set(x, i, sin(0.5 * (double)i + 0.3));
    return x;
}

static const dl4c_tensor *run(dl4c_net *net, const dl4c_tensor *x, int out)
{
    const dl4c_tensor *in[1] = {x};
    if (dl4c_net_forward(net, 1, in, false) != DL4C_OK) {
        fprintf(stderr, "%s\n", dl4c_last_error());
        return NULL;
    }
    return dl4c_net_output(net, out);
}

static void check_known(const char *layer, const double *want, int n,
                        const double *want_c)
{
    for (int pass = 0; pass < 2; pass++) {
        dl4c_dtype dt = pass ? DL4C_F32 : DL4C_F64;
        double tol = pass ? 2e-6 : 1e-12;
        dl4c_net *net = make_net(layer, 3, 3, dt);
        REQUIRE(net);
        keras_params(net, "r");
        dl4c_tensor *x = seq_input(dt, 2, 3, 3);
        const dl4c_tensor *y = run(net, x, 0);
        REQUIRE(y && dl4c_tensor_size(y) == n);
        for (int i = 0; i < n; i++)
            CHECK_NEAR(dl4c_tensor_get(y, i), want[i], tol);
        if (want_c) {
            /* outputs 1 and 2 are the final h and c */
            const dl4c_tensor *h = dl4c_net_output(net, 1);
            const dl4c_tensor *c = dl4c_net_output(net, 2);
            REQUIRE(h && c);
            for (int b = 0; b < 2; b++)
                for (int u = 0; u < 2; u++) {
                    CHECK_NEAR(dl4c_tensor_get(h, b * 2 + u),
                               want[b * 6 + 4 + u], tol);
                    CHECK_NEAR(dl4c_tensor_get(c, b * 2 + u), want_c[b * 2 + u],
                               tol);
                }
        }
        dl4c_tensor_free(x);
        dl4c_net_free(net);
    }
}

static void test_known_values(void)
{
    check_known("{\"name\": \"r\", \"type\": \"SimpleRNN\", \"units\": 2, "
                "\"return_sequences\": true}",
                SIMPLE_Y, 12, NULL);
    /* LSTM: the sequence, then h and c (net outputs listed) */
    {
        const char *cfg = "{\"name\": \"r\", \"type\": \"LSTM\", \"units\": 2, "
                          "\"return_sequences\": true, \"return_state\": true}";
        char full[1024];
        snprintf(full, sizeof full,
                 "%s], \"outputs\": [\"r\", \"r:1\", \"r:2\"", cfg);
        check_known(full, LSTM_Y, 12, LSTM_C);
    }
    check_known("{\"name\": \"r\", \"type\": \"GRU\", \"units\": 2, "
                "\"return_sequences\": true}",
                GRU_RA_Y, 12, NULL);
    check_known("{\"name\": \"r\", \"type\": \"GRU\", \"units\": 2, "
                "\"reset_after\": false, \"return_sequences\": true}",
                GRU_RB_Y, 12, NULL);
}

/* A masked step keeps the state and repeats the previous output; a
 * leading masked step outputs zeros. Checked against the same layer run
 * on the sequence without the masked step. */
static void test_masked_steps_carry_state(void)
{
    const char *types[3] = {"LSTM", "GRU", "SimpleRNN"};
    for (int k = 0; k < 3; k++) {
        char layer[512], plain[512];
        snprintf(layer, sizeof layer,
                 "{\"type\": \"Masking\"}, {\"name\": \"r\", \"type\": "
                 "\"%s\", \"units\": 3, \"return_sequences\": true}",
                 types[k]);
        snprintf(plain, sizeof plain,
                 "{\"name\": \"r\", \"type\": \"%s\", \"units\": 3, "
                 "\"return_sequences\": true}",
                 types[k]);
        dl4c_net *masked = make_net(layer, 4, 2, DL4C_F64);
        dl4c_net *short_net = make_net(plain, 2, 2, DL4C_F64);
        REQUIRE(masked && short_net);
        keras_params(masked, "r");
        keras_params(short_net, "r");
        /* steps 0 and 2 masked: the real sequence is steps 1 and 3 */
        dl4c_tensor *x = seq_input(DL4C_F64, 1, 4, 2);
        dl4c_tensor *xs = seq_input(DL4C_F64, 1, 2, 2);
        for (int f = 0; f < 2; f++) {
            dl4c_tensor_set(x, 0 * 2 + f, 0.0);
            dl4c_tensor_set(x, 2 * 2 + f, 0.0);
            dl4c_tensor_set(xs, 0 * 2 + f, dl4c_tensor_get(x, 1 * 2 + f));
            dl4c_tensor_set(xs, 1 * 2 + f, dl4c_tensor_get(x, 3 * 2 + f));
        }
        const dl4c_tensor *y = run(masked, x, 0);
        const dl4c_tensor *ys = run(short_net, xs, 0);
        REQUIRE(y && ys);
        for (int u = 0; u < 3; u++) {
            CHECK_NEAR(dl4c_tensor_get(y, 0 * 3 + u), 0.0, 0);
            CHECK_NEAR(dl4c_tensor_get(y, 1 * 3 + u),
                       dl4c_tensor_get(ys, 0 * 3 + u), 1e-14);
            CHECK_NEAR(dl4c_tensor_get(y, 2 * 3 + u),
                       dl4c_tensor_get(ys, 0 * 3 + u), 1e-14);
            CHECK_NEAR(dl4c_tensor_get(y, 3 * 3 + u),
                       dl4c_tensor_get(ys, 1 * 3 + u), 1e-14);
        }
        dl4c_tensor_free(x);
        dl4c_tensor_free(xs);
        dl4c_net_free(masked);
        dl4c_net_free(short_net);
    }
}

/* A stateful layer fed a sequence in two calls ends where one call over
 * the whole sequence ends; dl4c_net_reset_states starts it over. */
static void test_stateful_carry_over(void)
{
    dl4c_net *half = make_net("{\"name\": \"r\", \"type\": \"LSTM\", "
                              "\"units\": 3, \"stateful\": true}",
                              2, 2, DL4C_F64);
    dl4c_net *whole = make_net("{\"name\": \"r\", \"type\": \"LSTM\", "
                               "\"units\": 3}",
                               4, 2, DL4C_F64);
    REQUIRE(half && whole);
    keras_params(half, "r");
    keras_params(whole, "r");
    dl4c_tensor *x = seq_input(DL4C_F64, 2, 4, 2);
    dl4c_tensor *a = seq_input(DL4C_F64, 2, 2, 2),
                *b = seq_input(DL4C_F64, 2, 2, 2);
    for (int n = 0; n < 2; n++)
        for (int i = 0; i < 4; i++) {
            dl4c_tensor_set(a, n * 4 + i, dl4c_tensor_get(x, n * 8 + i));
            dl4c_tensor_set(b, n * 4 + i, dl4c_tensor_get(x, n * 8 + 4 + i));
        }
    double first[6], want[6];
    const dl4c_tensor *y = run(half, a, 0);
    REQUIRE(y);
    for (int i = 0; i < 6; i++)
        first[i] = dl4c_tensor_get(y, i);
    y = run(half, b, 0);
    const dl4c_tensor *yw = run(whole, x, 0);
    REQUIRE(y && yw);
    for (int i = 0; i < 6; i++) {
        want[i] = dl4c_tensor_get(yw, i);
        CHECK_NEAR(dl4c_tensor_get(y, i), want[i], 1e-14);
    }
    dl4c_net_reset_states(half);
    y = run(half, a, 0);
    for (int i = 0; i < 6; i++)
        CHECK_NEAR(dl4c_tensor_get(y, i), first[i], 0);
    /* a training pass neither reads nor moves the state (the first one
     * plans a new arena, which starts every state at zero) */
    {
        const dl4c_tensor *ins[1] = {b};
        CHECK_OK(dl4c_net_forward(half, 1, ins, true));
        y = run(half, a, 0);
        CHECK_OK(dl4c_net_forward(half, 1, ins, true));
        y = run(half, b, 0);
        for (int i = 0; i < 6; i++)
            CHECK_NEAR(dl4c_tensor_get(y, i), want[i], 1e-14);
    }
    dl4c_tensor_free(x);
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_net_free(half);
    dl4c_net_free(whole);
}

/* go_backwards reads the sequence from its end and returns the outputs
 * in that order, as Keras does. */
static void test_go_backwards(void)
{
    dl4c_net *back = make_net("{\"name\": \"r\", \"type\": \"GRU\", \"units\": "
                              "2, \"return_sequences\": true, "
                              "\"go_backwards\": true}",
                              3, 3, DL4C_F64);
    dl4c_net *fwd = make_net("{\"name\": \"r\", \"type\": \"GRU\", \"units\": "
                             "2, \"return_sequences\": true}",
                             3, 3, DL4C_F64);
    REQUIRE(back && fwd);
    keras_params(back, "r");
    keras_params(fwd, "r");
    dl4c_tensor *x = seq_input(DL4C_F64, 2, 3, 3);
    dl4c_tensor *xr = seq_input(DL4C_F64, 2, 3, 3);
    for (int n = 0; n < 2; n++)
        for (int t = 0; t < 3; t++)
            for (int f = 0; f < 3; f++)
                dl4c_tensor_set(xr, (n * 3 + t) * 3 + f,
                                dl4c_tensor_get(x, (n * 3 + 2 - t) * 3 + f));
    const dl4c_tensor *yb = run(back, x, 0), *yf = run(fwd, xr, 0);
    REQUIRE(yb && yf);
    for (int i = 0; i < 12; i++)
        CHECK_NEAR(dl4c_tensor_get(yb, i), dl4c_tensor_get(yf, i), 1e-14);
    dl4c_tensor_free(x);
    dl4c_tensor_free(xr);
    dl4c_net_free(back);
    dl4c_net_free(fwd);
}

/* Bidirectional concat = [forward output, backward output re-reversed] */
static void test_bidirectional_concat(void)
{
    dl4c_net *bi = make_net(
        "{\"name\": \"bi\", \"type\": \"Bidirectional\", \"layer\": "
        "{\"type\": \"LSTM\", \"units\": 2, \"return_sequences\": true}}",
        3, 3, DL4C_F64);
    dl4c_net *f = make_net("{\"name\": \"r\", \"type\": \"LSTM\", \"units\": "
                           "2, \"return_sequences\": true}",
                           3, 3, DL4C_F64);
    dl4c_net *b = make_net("{\"name\": \"r\", \"type\": \"LSTM\", \"units\": "
                           "2, \"return_sequences\": true, \"go_backwards\": "
                           "true}",
                           3, 3, DL4C_F64);
    REQUIRE(bi && f && b);
    const char *names[3] = {"W", "R", "b"};
    for (int p = 0; p < 3; p++) {
        char fn[32], bn[32];
        snprintf(fn, sizeof fn, "forward/%s", names[p]);
        snprintf(bn, sizeof bn, "backward/%s", names[p]);
        dl4c_tensor *pf = dl4c_net_param(bi, "bi", fn);
        dl4c_tensor *pb = dl4c_net_param(bi, "bi", bn);
        REQUIRE(pf && pb);
        CHECK_OK(dl4c_tensor_copy_into(pf, dl4c_net_param(f, "r", names[p])));
        CHECK_OK(dl4c_tensor_copy_into(pb, dl4c_net_param(b, "r", names[p])));
    }
    dl4c_tensor *x = seq_input(DL4C_F64, 2, 3, 3);
    const dl4c_tensor *y = run(bi, x, 0), *yf = run(f, x, 0),
                      *yb = run(b, x, 0);
    REQUIRE(y && yf && yb);
    CHECK(dl4c_tensor_dim(y, 2) == 4);
    for (int n = 0; n < 2; n++)
        for (int t = 0; t < 3; t++)
            for (int u = 0; u < 2; u++) {
                CHECK_NEAR(dl4c_tensor_get(y, (n * 3 + t) * 4 + u),
                           dl4c_tensor_get(yf, (n * 3 + t) * 2 + u), 1e-14);
                CHECK_NEAR(dl4c_tensor_get(y, (n * 3 + t) * 4 + 2 + u),
                           dl4c_tensor_get(yb, (n * 3 + 2 - t) * 2 + u), 1e-14);
            }
    dl4c_tensor_free(x);
    dl4c_net_free(bi);
    dl4c_net_free(f);
    dl4c_net_free(b);
}

/* TimeDistributed(Dense) equals Dense applied to every step */
static void test_time_distributed(void)
{
    dl4c_net *td = make_net("{\"name\": \"td\", \"type\": \"TimeDistributed\", "
                            "\"layer\": {\"type\": \"Dense\", \"units\": 2, "
                            "\"activation\": \"tanh\"}}",
                            3, 3, DL4C_F64);
    dl4c_net *d = make_net("{\"name\": \"d\", \"type\": \"Dense\", \"units\": "
                           "2, \"activation\": \"tanh\"}",
                           3, 3, DL4C_F64);
    REQUIRE(td && d);
    CHECK_OK(dl4c_tensor_copy_into(dl4c_net_param(td, "td", "W"),
                                   dl4c_net_param(d, "d", "W")));
    fill_param(td, "td", "b", 0.1, 1.0, 0.5, false);
    fill_param(d, "d", "b", 0.1, 1.0, 0.5, false);
    dl4c_tensor *x = seq_input(DL4C_F64, 2, 3, 3);
    const dl4c_tensor *a = run(td, x, 0), *b = run(d, x, 0);
    REQUIRE(a && b);
    CHECK(dl4c_tensor_allclose(a, b, 0, 1e-14));
    dl4c_tensor_free(x);
    dl4c_net_free(td);
    dl4c_net_free(d);
}

/* Embedding rows by index, zero rows for indices out of range, and the
 * mask_zero mask reaching an LSTM (index 0 steps carry the state). */
static void test_embedding(void)
{
    const char *cfg =
        "{\"inputs\": [{\"shape\": [4]}], \"layers\": ["
        " {\"name\": \"e\", \"type\": \"Embedding\", \"input_dim\": 5, "
        "  \"output_dim\": 2, \"mask_zero\": true},"
        " {\"name\": \"r\", \"type\": \"SimpleRNN\", \"units\": 2, "
        "  \"return_sequences\": true}],"
        " \"outputs\": [\"e\", \"r\"]}";
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    dl4c_tensor *w = dl4c_net_param(net, "e", "W");
    for (int i = 0; i < 10; i++)
        dl4c_tensor_set(w, i, i + 1);
    int64_t dims[2] = {1, 4};
    dl4c_tensor *x = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 2, dims, &x));
    double idx[4] = {3, 0, 7, -1}; /* 7 and -1 are out of range */
    for (int i = 0; i < 4; i++)
        dl4c_tensor_set(x, i, idx[i]);
    const dl4c_tensor *in[1] = {x};
    CHECK_OK(dl4c_net_forward(net, 1, in, false));
    const dl4c_tensor *e = dl4c_net_output(net, 0);
    const dl4c_tensor *r = dl4c_net_output(net, 1);
    double want[8] = {7, 8, 1, 2, 0, 0, 0, 0};
    for (int i = 0; i < 8; i++)
        CHECK_NEAR(dl4c_tensor_get(e, i), want[i], 0);
    /* step 1 (index 0) is masked: its output repeats step 0's */
    CHECK_NEAR(dl4c_tensor_get(r, 2), dl4c_tensor_get(r, 0), 0);
    CHECK_NEAR(dl4c_tensor_get(r, 3), dl4c_tensor_get(r, 1), 0);
    CHECK(dl4c_tensor_get(r, 4) != dl4c_tensor_get(r, 2));
    dl4c_tensor_free(x);
    dl4c_net_free(net);
}

/* ConvLSTM2D with a 1x1 kernel is an LSTM at every position */
static void test_conv_lstm_is_lstm_per_position(void)
{
    const char *cfg =
        "{\"seed\": 1, \"inputs\": [{\"shape\": [3, 2, 1, 3]}], \"layers\": "
        "[{\"name\": \"c\", \"type\": \"ConvLSTM2D\", \"filters\": 2, "
        "\"kernel_size\": 1, \"return_sequences\": true}]}";
    dl4c_net *conv = NULL;
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &conv));
    dl4c_net *lstm = make_net("{\"name\": \"r\", \"type\": \"LSTM\", "
                              "\"units\": 2, \"return_sequences\": true}",
                              3, 3, DL4C_F64);
    REQUIRE(lstm);
    keras_params(lstm, "r");
    const char *names[3] = {"W", "R", "b"};
    for (int p = 0; p < 3; p++)
        CHECK_OK(dl4c_tensor_copy_into(dl4c_net_param(lstm, "r", names[p]),
                                       dl4c_net_param(conv, "c", names[p])));
    /* frames [2 x 1 positions, 3 channels]; position p of example n is
     * the LSTM's example 2n + p */
    int64_t dims[5] = {1, 3, 2, 1, 3};
    dl4c_tensor *xc = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 5, dims, &xc));
    dl4c_tensor *xl = seq_input(DL4C_F64, 2, 3, 3);
    for (int p = 0; p < 2; p++)
        for (int t = 0; t < 3; t++)
            for (int f = 0; f < 3; f++)
                dl4c_tensor_set(xc, (t * 2 + p) * 3 + f,
                                dl4c_tensor_get(xl, (p * 3 + t) * 3 + f));
    const dl4c_tensor *yc = run(conv, xc, 0), *yl = run(lstm, xl, 0);
    REQUIRE(yc && yl);
    for (int p = 0; p < 2; p++)
        for (int t = 0; t < 3; t++)
            for (int u = 0; u < 2; u++)
                CHECK_NEAR(dl4c_tensor_get(yc, (t * 2 + p) * 2 + u),
                           dl4c_tensor_get(yl, (p * 3 + t) * 2 + u), 1e-14);
    dl4c_tensor_free(xc);
    dl4c_tensor_free(xl);
    dl4c_net_free(conv);
    dl4c_net_free(lstm);
}

/* Rows run in blocks on separate threads: outputs and gradients must not
 * depend on how the batch is split (every kind, masks, dropout,
 * go_backwards, initial states). */
static void run_block_case(const char *layers, int threads, double *out,
                           int64_t n_out, double *grads, int64_t n_grads)
{
    char cfg[2048];
    snprintf(cfg, sizeof cfg,
             "{\"seed\": 9, \"inputs\": [{\"name\": \"x\", \"shape\": [5, "
             "3]}], \"layers\": [{\"type\": \"Masking\"}, %s, {\"type\": "
             "\"Loss\", \"loss\": \"mse\"}]}",
             layers);
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    dl4c_tensor *x = seq_input(DL4C_F64, 37, 5, 3);
    for (int64_t b = 0; b < 37; b += 3)
        for (int f = 0; f < 3; f++)
            dl4c_tensor_set(x, (b * 5 + b % 5) * 3 + f, 0.0);
    dl4c_shape os = dl4c_net_output_shape(net, 0);
    int64_t dims[8] = {37};
    for (int d = 0; d < os.ndim; d++)
        dims[d + 1] = os.dim[d];
    dl4c_tensor *y = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, os.ndim + 1, dims, &y));
    for (int64_t i = 0; i < dl4c_tensor_size(y); i++)
        dl4c_tensor_set(y, i, cos((double)i));
    const dl4c_tensor *in[1] = {x}, *labels[1] = {y};
    dl4c_net_targets t = {1, labels, NULL};
    int before = omp_get_max_threads();
    omp_set_num_threads(threads);
    double score;
    CHECK_OK(dl4c_net_compute_gradients(net, 1, in, &t, &score));
    omp_set_num_threads(before);
    const dl4c_tensor *o = dl4c_net_output(net, 0);
    REQUIRE(dl4c_tensor_size(o) == n_out &&
            dl4c_net_num_params(net) == n_grads);
    for (int64_t i = 0; i < n_out; i++)
        out[i] = dl4c_tensor_get(o, i);
    for (int64_t i = 0; i < n_grads; i++)
        grads[i] = dl4c_tensor_get(dl4c_net_gradients(net), i);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_net_free(net);
}

static void test_row_blocks(void)
{
    const char *cases[] = {
        "{\"type\": \"LSTM\", \"units\": 4, \"return_sequences\": true, "
        "\"dropout\": 0.2, \"recurrent_dropout\": 0.3}",
        "{\"type\": \"GRU\", \"units\": 4, \"go_backwards\": true}",
        "{\"type\": \"GRU\", \"units\": 4, \"reset_after\": false, "
        "\"return_sequences\": true, \"recurrent_dropout\": 0.3}",
        "{\"type\": \"SimpleRNN\", \"units\": 4, \"return_sequences\": "
        "true, \"zero_output_for_mask\": true}",
        "{\"type\": \"Bidirectional\", \"layer\": {\"type\": \"LSTM\", "
        "\"units\": 3, \"activation\": \"softsign\"}}"};
    static double o1[37 * 5 * 8], o2[37 * 5 * 8], g1[512], g2[512];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char layers[512];
        snprintf(layers, sizeof layers, "%s", cases[c]);
        dl4c_net *probe = NULL;
        char cfg[1024];
        snprintf(cfg, sizeof cfg,
                 "{\"inputs\": [{\"shape\": [5, 3]}], \"layers\": [%s]}",
                 layers);
        REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &probe));
        dl4c_shape os = dl4c_net_output_shape(probe, 0);
        int64_t n_out = 37 * dl4c_shape_size(&os);
        int64_t n_grads = dl4c_net_num_params(probe);
        dl4c_net_free(probe);
        REQUIRE(n_out <= 37 * 5 * 8 && n_grads <= 512);
        run_block_case(layers, 1, o1, n_out, g1, n_grads);
        run_block_case(layers, 4, o2, n_out, g2, n_grads);
        int bad = 0;
        for (int64_t i = 0; i < n_out; i++)
            bad += o1[i] != o2[i];
        for (int64_t i = 0; i < n_grads; i++)
            bad += fabs(g1[i] - g2[i]) > 1e-12 * (1 + fabs(g1[i]));
        CHECK_MSG(bad == 0, "%s: %d values differ between 1 and 4 threads",
                  cases[c], bad);
    }
}

/* ---- Keras hooks ---- */

static json_t *from_keras(const char *type, int major, const char *kcfg)
{
    const dl4c_layer_type *t = dl4c_layer_type_find(type);
    dl4c_keras_ctx k = {.major = major, .where = "layer 'k'"};
    json_t *in = json_loads(kcfg, 0, NULL);
    json_t *out = json_object();
    if (!t || !t->from_keras || !in || t->from_keras(&k, in, out) != DL4C_OK) {
        fprintf(stderr, "from_keras: %s\n", dl4c_last_error());
        json_decref(out);
        out = NULL;
    }
    json_decref(in);
    return out;
}

static void test_keras_configs(void)
{
    /* Keras 1 LSTM */
    json_t *j = from_keras(
        "LSTM", 1,
        "{\"output_dim\": 8, \"activation\": \"tanh\", \"inner_activation\": "
        "\"hard_sigmoid\", \"return_sequences\": true, \"dropout_W\": 0.2, "
        "\"dropout_U\": 0.1, \"forget_bias_init\": \"one\", \"consume_less\": "
        "\"gpu\", \"go_backwards\": false, \"stateful\": false}");
    REQUIRE(j);
    CHECK(json_integer_value(json_object_get(j, "units")) == 8);
    CHECK(!strcmp(json_string_value(json_object_get(j, "recurrent_activation")),
                  "hardsigmoid"));
    CHECK_NEAR(json_real_value(json_object_get(j, "dropout")), 0.2, 1e-15);
    CHECK_NEAR(json_real_value(json_object_get(j, "recurrent_dropout")), 0.1,
               1e-15);
    CHECK(json_is_true(json_object_get(j, "unit_forget_bias")));
    CHECK(json_is_true(json_object_get(j, "return_sequences")));
    json_decref(j);
    /* Keras 2 GRU without reset_after resets before the matmul */
    j = from_keras("GRU", 2,
                   "{\"units\": 4, \"activation\": \"tanh\", "
                   "\"recurrent_activation\": \"hard_sigmoid\", "
                   "\"use_bias\": true, \"implementation\": 1}");
    REQUIRE(j);
    CHECK(json_is_false(json_object_get(j, "reset_after")));
    json_decref(j);
    /* Keras 3: hard_sigmoid has slope 1/6 */
    j = from_keras("GRU", 3,
                   "{\"units\": 4, \"activation\": null, "
                   "\"recurrent_activation\": \"hard_sigmoid\", "
                   "\"reset_after\": true, \"return_state\": true}");
    REQUIRE(j);
    json_t *ra = json_object_get(j, "recurrent_activation");
    CHECK(json_is_object(ra) &&
          fabs(json_real_value(json_object_get(ra, "alpha")) - 1.0 / 6) <
              1e-15);
    CHECK(!strcmp(json_string_value(json_object_get(j, "activation")),
                  "identity"));
    CHECK(json_is_true(json_object_get(j, "reset_after")));
    json_decref(j);
    /* CuDNNGRU: no activation keys, reset_after */
    j = from_keras("GRU", 2, "{\"units\": 4, \"return_sequences\": false}");
    REQUIRE(j);
    CHECK(json_is_true(json_object_get(j, "reset_after")));
    json_decref(j);
    /* wrappers translate their inner layer */
    j = from_keras("Bidirectional", 2,
                   "{\"layer\": {\"class_name\": \"LSTM\", \"config\": "
                   "{\"units\": 3, \"activation\": \"tanh\", "
                   "\"recurrent_activation\": \"sigmoid\"}}, \"merge_mode\": "
                   "\"sum\"}");
    REQUIRE(j);
    json_t *inner = json_object_get(j, "layer");
    CHECK(!strcmp(json_string_value(json_object_get(inner, "type")), "LSTM"));
    CHECK(!strcmp(json_string_value(json_object_get(j, "merge_mode")), "sum"));
    json_decref(j);
    j = from_keras("TimeDistributed", 2,
                   "{\"layer\": {\"class_name\": \"Dense\", \"config\": "
                   "{\"units\": 3}}}");
    REQUIRE(j);
    CHECK(json_integer_value(
              json_object_get(json_object_get(j, "layer"), "units")) == 3);
    json_decref(j);
    j = from_keras("TimeDistributed", 1,
                   "{\"output_dim\": 5, \"activation\": \"relu\", \"bias\": "
                   "false, \"init\": \"glorot_uniform\"}");
    REQUIRE(j);
    inner = json_object_get(j, "layer");
    CHECK(!strcmp(json_string_value(json_object_get(inner, "type")), "Dense"));
    CHECK(json_integer_value(json_object_get(inner, "units")) == 5);
    CHECK(json_is_false(json_object_get(inner, "use_bias")));
    json_decref(j);
    j = from_keras("Embedding", 1,
                   "{\"input_dim\": 10, \"output_dim\": 4, \"mask_zero\": "
                   "true, \"input_length\": 7}");
    REQUIRE(j);
    CHECK(json_is_true(json_object_get(j, "mask_zero")));
    json_decref(j);
    j = from_keras("LSTM", 2,
                   "{\"units\": 2, \"time_major\": true, "
                   "\"activation\": \"tanh\"}");
    CHECK(j == NULL && strstr(dl4c_last_error(), "time_major"));
    j = from_keras("LSTM", 2, "{\"units\": 2, \"activation\": \"frobnicate\"}");
    CHECK(j == NULL &&
          strstr(dl4c_last_error(),
                 "layer 'k': unsupported activation 'frobnicate'"));
}

static dl4c_tensor *tensor2(int64_t r, int64_t c, double base)
{
    int64_t dims[2] = {r, c};
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(DL4C_F32, c ? 2 : 1, c ? dims : &r, &t) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; i < dl4c_tensor_size(t); i++)
        dl4c_tensor_set(t, i, base + (double)i);
    return t;
}

static const dl4c_layer *layer_of(dl4c_net *net, const char *name)
{
    int i = dl4c_net_layer_index(net, name);
    return i >= 0 ? net->nodes[net->n_inputs + i].layer : NULL;
}

static dl4c_status load_weights(dl4c_net *net, const char *name, int n,
                                dl4c_tensor **w, int major)
{
    const dl4c_layer *l = layer_of(net, name);
    dl4c_tensor *params[DL4C_LAYER_MAX_PARAMS];
    for (int p = 0; p < l->n_params; p++)
        params[p] = dl4c_net_param(net, name, l->params[p].name);
    dl4c_keras_ctx k = {.major = major, .where = "layer 'k'"};
    return l->type->keras_weights(&k, l, n, (const dl4c_tensor *const *)w,
                                  params);
}

static void test_keras_weights(void)
{
    /* Keras 1 LSTM: W_i, U_i, b_i, W_c, U_c, b_c, W_f, ... (F 3, U 2) */
    dl4c_net *net = make_net(
        "{\"name\": \"r\", \"type\": \"LSTM\", \"units\": 2}", 2, 3, DL4C_F64);
    REQUIRE(net);
    dl4c_tensor *w[12];
    const int file_gate_block[4] = {0, 2, 1, 3}; /* i, c, f, o */
    for (int g = 0; g < 4; g++) {
        w[3 * g] = tensor2(3, 2, 100 * g);
        w[3 * g + 1] = tensor2(2, 2, 100 * g + 10);
        w[3 * g + 2] = tensor2(2, 0, 100 * g + 20);
    }
    CHECK_OK(load_weights(net, "r", 12, w, 1));
    dl4c_tensor *W = dl4c_net_param(net, "r", "W"),
                *R = dl4c_net_param(net, "r", "R"),
                *b = dl4c_net_param(net, "r", "b");
    for (int g = 0; g < 4; g++) {
        int col = file_gate_block[g] * 2;
        CHECK_NEAR(dl4c_tensor_get(W, 1 * 8 + col + 1), 100 * g + 3, 0);
        CHECK_NEAR(dl4c_tensor_get(R, 1 * 8 + col), 100 * g + 12, 0);
        CHECK_NEAR(dl4c_tensor_get(b, col + 1), 100 * g + 21, 0);
    }
    for (int i = 0; i < 12; i++)
        dl4c_tensor_free(w[i]);
    /* CuDNNLSTM: bias [8U] holds input and recurrent biases, summed */
    dl4c_tensor *cw[3] = {tensor2(3, 8, 0), tensor2(2, 8, 0),
                          tensor2(16, 0, 1)};
    CHECK_OK(load_weights(net, "r", 3, cw, 2));
    CHECK_NEAR(dl4c_tensor_get(b, 3), (1 + 3) + (1 + 8 + 3), 0);
    dl4c_tensor_free(cw[2]);
    cw[2] = tensor2(5, 0, 0);
    CHECK_ERR(load_weights(net, "r", 3, cw, 2), DL4C_SHAPE,
              "layer 'k': bias has shape [5], expected 8 values");
    for (int i = 0; i < 3; i++)
        dl4c_tensor_free(cw[i]);
    dl4c_net_free(net);

    /* GRU reset_after: bias [2, 3U]; Keras 1 per-gate arrays need
     * reset_after false */
    net = make_net("{\"name\": \"r\", \"type\": \"GRU\", \"units\": 2}", 2, 3,
                   DL4C_F64);
    REQUIRE(net);
    dl4c_tensor *gw[3] = {tensor2(3, 6, 0), tensor2(2, 6, 0),
                          tensor2(2, 6, 50)};
    CHECK_OK(load_weights(net, "r", 3, gw, 2));
    CHECK_NEAR(dl4c_tensor_get(dl4c_net_param(net, "r", "b"), 7), 57, 0);
    dl4c_tensor_free(gw[2]);
    gw[2] = tensor2(6, 0, 0);
    CHECK_ERR(load_weights(net, "r", 3, gw, 2), DL4C_SHAPE,
              "reset_after: [2, 3*units]");
    for (int i = 0; i < 3; i++)
        dl4c_tensor_free(gw[i]);
    dl4c_net_free(net);
    net = make_net("{\"name\": \"r\", \"type\": \"GRU\", \"units\": 2, "
                   "\"reset_after\": false}",
                   2, 3, DL4C_F64);
    REQUIRE(net);
    dl4c_tensor *kw[9];
    for (int g = 0; g < 3; g++) {
        kw[3 * g] = tensor2(3, 2, 100 * g);
        kw[3 * g + 1] = tensor2(2, 2, 100 * g + 10);
        kw[3 * g + 2] = tensor2(2, 0, 100 * g + 20);
    }
    CHECK_OK(load_weights(net, "r", 9, kw, 1));
    CHECK_NEAR(dl4c_tensor_get(dl4c_net_param(net, "r", "R"), 6 + 5), 213, 0);
    for (int i = 0; i < 9; i++)
        dl4c_tensor_free(kw[i]);
    dl4c_net_free(net);

    /* Bidirectional: the forward layer's arrays, then the backward one's */
    net = make_net("{\"name\": \"bi\", \"type\": \"Bidirectional\", "
                   "\"layer\": {\"type\": \"SimpleRNN\", \"units\": 2}}",
                   2, 3, DL4C_F64);
    REQUIRE(net);
    dl4c_tensor *bw[6] = {tensor2(3, 2, 0),   tensor2(2, 2, 10),
                          tensor2(2, 0, 20),  tensor2(3, 2, 100),
                          tensor2(2, 2, 110), tensor2(2, 0, 120)};
    CHECK_OK(load_weights(net, "bi", 6, bw, 2));
    CHECK_NEAR(dl4c_tensor_get(dl4c_net_param(net, "bi", "backward/R"), 3), 113,
               0);
    CHECK_NEAR(dl4c_tensor_get(dl4c_net_param(net, "bi", "forward/b"), 1), 21,
               0);
    CHECK_ERR(load_weights(net, "bi", 5, bw, 2), DL4C_SHAPE,
              "as many for each direction");
    for (int i = 0; i < 6; i++)
        dl4c_tensor_free(bw[i]);
    dl4c_net_free(net);
}

/* unit_forget_bias adds 1 to the forget gate's bias slice */
static void test_forget_bias(void)
{
    dl4c_net *net = make_net(
        "{\"name\": \"r\", \"type\": \"LSTM\", \"units\": 2}", 2, 3, DL4C_F64);
    REQUIRE(net);
    dl4c_tensor *params[3] = {dl4c_net_param(net, "r", "W"),
                              dl4c_net_param(net, "r", "R"),
                              dl4c_net_param(net, "r", "b")};
    dl4c_tensor *b = params[2];
    dl4c_tensor_fill(b, 0.0);
    dl4c_rnn_init_forget_bias(layer_of(net, "r"), params);
    double want[8] = {0, 0, 1, 1, 0, 0, 0, 0};
    for (int k = 0; k < 8; k++)
        CHECK_NEAR(dl4c_tensor_get(b, k), want[k], 0);
    dl4c_net_free(net);
}

TEST_MAIN(test_known_values, test_masked_steps_carry_state,
          test_stateful_carry_over, test_go_backwards,
          test_bidirectional_concat, test_time_distributed, test_embedding,
          test_conv_lstm_is_lstm_per_position, test_row_blocks,
          test_keras_configs, test_keras_weights, test_forget_bias)
