// labels: unit
/* Known values for the normalization, noise and activation layers:
 * BatchNormalization's moving averages after two training steps and its
 * inference output (hand-computed), a frozen BatchNormalization running in
 * inference mode, masked moments, LayerNormalization over one and two
 * axes, the noise layers' statistics, the ReLU family at chosen points,
 * Softmax over a middle axis, and the Keras config and weight hooks. */
#include <string.h>

#include <jansson.h>

#include "nn/layer_internal.h"
#include "test.h"

static dl4c_tensor *make(dl4c_dtype dt, int ndim, const int64_t *dims,
                         const double *values)
{
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(dt, ndim, dims, &t) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; values && i < dl4c_tensor_size(t); i++)
        dl4c_tensor_set(t, i, values[i]);
    return t;
}

/* forward of a one-input net; the output stays owned by the net */
static const dl4c_tensor *run(dl4c_net *net, const dl4c_tensor *x,
                              bool training)
{
    const dl4c_tensor *in[1] = {x};
    if (dl4c_net_forward(net, 1, in, training) != DL4C_OK) {
        fprintf(stderr, "%s\n", dl4c_last_error());
        return NULL;
    }
    return dl4c_net_output(net, 0);
}

static void test_batchnorm_moving_averages(void)
{
    /* batch 1: feature 0 = 1, 2, 3, 4 (mean 2.5, biased var 1.25),
     *          feature 1 = 0, 0, 2, 2 (mean 1, var 1);
     * batch 2: feature 0 = 2, 2, 2, 6 (mean 3, var 3),
     *          feature 1 = -1, 1, -1, 1 (mean 0, var 1).
     * momentum 0.9, moving stats start at 0 and 1:
     *   after 1: mean 0.25, 0.1;   var 0.9 + 0.125 = 1.025, 1.0
     *   after 2: mean 0.225 + 0.3 = 0.525, 0.09;
     *            var 0.9225 + 0.3 = 1.2225, 1.0 */
    const char *cfg =
        "{\"inputs\": [{\"shape\": [2]}], \"layers\": ["
        " {\"name\": \"bn\", \"type\": \"BatchNormalization\", \"momentum\": "
        "0.9},"
        " {\"type\": \"Loss\"}],"
        " \"training\": {\"updater\": {\"type\": \"sgd\", \"learning_rate\": "
        "0.1}}}";
    static const double b1[8] = {1, 0, 2, 0, 3, 2, 4, 2};
    static const double b2[8] = {2, -1, 2, 1, 2, -1, 6, 1};
    int64_t dims[2] = {4, 2};
    for (int d = 0; d < 2; d++) {
        dl4c_dtype dt = d ? DL4C_F32 : DL4C_F64;
        double tol = d ? 1e-6 : 1e-12;
        dl4c_net *net = NULL;
        REQUIRE_OK(dl4c_net_parse(cfg, dt, &net));
        dl4c_tensor *x1 = make(dt, 2, dims, b1), *x2 = make(dt, 2, dims, b2);
        dl4c_tensor *y = make(dt, 2, dims, NULL);
        const dl4c_tensor *labels[1] = {y};
        dl4c_net_targets t = {1, labels, NULL};
        const dl4c_tensor *in1[1] = {x1}, *in2[1] = {x2};
        double s;
        /* training output: the batch normalized by its own statistics */
        CHECK_OK(dl4c_net_compute_gradients(net, 1, in1, &t, &s));
        const dl4c_tensor *out = dl4c_net_output(net, 0);
        REQUIRE(out != NULL);
        CHECK_NEAR(dl4c_tensor_get(out, 0), (1 - 2.5) / sqrt(1.25 + 1e-3), tol);
        CHECK_NEAR(dl4c_tensor_get(out, 5), (2 - 1) / sqrt(1 + 1e-3), tol);
        CHECK_OK(dl4c_net_apply_update(net));
        dl4c_tensor *mm = dl4c_net_param(net, "bn", "moving_mean");
        dl4c_tensor *mv = dl4c_net_param(net, "bn", "moving_variance");
        REQUIRE(mm && mv);
        CHECK_NEAR(dl4c_tensor_get(mm, 0), 0.25, tol);
        CHECK_NEAR(dl4c_tensor_get(mm, 1), 0.1, tol);
        CHECK_NEAR(dl4c_tensor_get(mv, 0), 1.025, tol);
        CHECK_NEAR(dl4c_tensor_get(mv, 1), 1.0, tol);
        CHECK_OK(dl4c_net_compute_gradients(net, 1, in2, &t, &s));
        CHECK_OK(dl4c_net_apply_update(net));
        CHECK_NEAR(dl4c_tensor_get(mm, 0), 0.525, tol);
        CHECK_NEAR(dl4c_tensor_get(mm, 1), 0.09, tol);
        CHECK_NEAR(dl4c_tensor_get(mv, 0), 1.2225, tol);
        CHECK_NEAR(dl4c_tensor_get(mv, 1), 1.0, tol);

        /* inference uses the moving statistics and leaves them alone */
        dl4c_tensor *gamma = dl4c_net_param(net, "bn", "gamma");
        dl4c_tensor *beta = dl4c_net_param(net, "bn", "beta");
        REQUIRE(gamma && beta);
        dl4c_tensor_set(gamma, 0, 2.0);
        dl4c_tensor_set(gamma, 1, -1.0);
        dl4c_tensor_set(beta, 0, 0.5);
        dl4c_tensor_set(beta, 1, 0.25);
        out = run(net, x1, false);
        REQUIRE(out != NULL);
        for (int r = 0; r < 4; r++) {
            CHECK_NEAR(dl4c_tensor_get(out, 2 * r),
                       2.0 * (b1[2 * r] - 0.525) / sqrt(1.2225 + 1e-3) + 0.5,
                       tol * 10);
            CHECK_NEAR(dl4c_tensor_get(out, 2 * r + 1),
                       -1.0 * (b1[2 * r + 1] - 0.09) / sqrt(1.0 + 1e-3) + 0.25,
                       tol * 10);
        }
        CHECK_NEAR(dl4c_tensor_get(mm, 0), 0.525, tol);

        /* frozen, as Keras' trainable=False: inference statistics in
         * training too, and no update */
        CHECK_OK(dl4c_net_set_frozen(net, "bn", true));
        out = run(net, x2, true);
        REQUIRE(out != NULL);
        CHECK_NEAR(dl4c_tensor_get(out, 6),
                   2.0 * (6 - 0.525) / sqrt(1.2225 + 1e-3) + 0.5, tol * 10);
        CHECK_OK(dl4c_net_compute_gradients(net, 1, in2, &t, &s));
        CHECK_NEAR(dl4c_tensor_get(mm, 0), 0.525, tol);
        CHECK_NEAR(dl4c_tensor_get(mv, 0), 1.2225, tol);
        dl4c_tensor_free(x1);
        dl4c_tensor_free(x2);
        dl4c_tensor_free(y);
        dl4c_net_free(net);
    }
}

static void test_batchnorm_masked_moments(void)
{
    /* [N=2, T=3, C=1] with steps of zeros masked: the unmasked values 1,
     * 2, 3, 4 give mean 2.5 and variance 1.25 (Keras 3 divides by the
     * count plus 1e-7); without masked moments all six values count */
    static const double xv[6] = {1, 2, 0, 3, 0, 4};
    int64_t dims[3] = {2, 3, 1};
    for (int masked = 0; masked < 2; masked++) {
        char cfg[512];
        snprintf(cfg, sizeof cfg,
                 "{\"inputs\": [{\"shape\": [3, 1]}], \"layers\": ["
                 " {\"type\": \"Masking\"},"
                 " {\"name\": \"bn\", \"type\": \"BatchNormalization\","
                 "  \"momentum\": 0, \"masked_moments\": %s}]}",
                 masked ? "true" : "false");
        dl4c_net *net = NULL;
        REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
        dl4c_tensor *x = make(DL4C_F64, 3, dims, xv);
        CHECK(run(net, x, true) != NULL);
        dl4c_tensor *mm = dl4c_net_param(net, "bn", "moving_mean");
        dl4c_tensor *mv = dl4c_net_param(net, "bn", "moving_variance");
        if (masked) {
            CHECK_NEAR(dl4c_tensor_get(mm, 0), 10.0 / (4 + 1e-7), 1e-12);
            double m = 10.0 / (4 + 1e-7), v = 0;
            for (int i = 1; i <= 4; i++)
                v += (i - m) * (i - m);
            CHECK_NEAR(dl4c_tensor_get(mv, 0), v / (4 + 1e-7), 1e-12);
        } else {
            CHECK_NEAR(dl4c_tensor_get(mm, 0), 10.0 / 6, 1e-12);
            double v = 0;
            for (int i = 0; i < 6; i++)
                v += (xv[i] - 10.0 / 6) * (xv[i] - 10.0 / 6);
            CHECK_NEAR(dl4c_tensor_get(mv, 0), v / 6, 1e-12);
        }
        dl4c_tensor_free(x);
        dl4c_net_free(net);
    }
}

static void test_layernorm_values(void)
{
    /* one axis: row (1, 2, 3) has mean 2, variance 2/3 */
    const char *cfg1 =
        "{\"inputs\": [{\"shape\": [3]}], \"layers\": ["
        " {\"name\": \"ln\", \"type\": \"LayerNormalization\"}]}";
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_net_parse(cfg1, DL4C_F64, &net));
    static const double xv[6] = {1, 2, 3, -1, 5, 2};
    int64_t d2[2] = {2, 3};
    dl4c_tensor *x = make(DL4C_F64, 2, d2, xv);
    dl4c_tensor *gamma = dl4c_net_param(net, "ln", "gamma");
    dl4c_tensor *beta = dl4c_net_param(net, "ln", "beta");
    REQUIRE(gamma && beta);
    for (int i = 0; i < 3; i++) {
        dl4c_tensor_set(gamma, i, 1.0 + i);
        dl4c_tensor_set(beta, i, 0.1 * i);
    }
    const dl4c_tensor *out = run(net, x, false);
    REQUIRE(out != NULL);
    double r = 1 / sqrt(2.0 / 3 + 1e-3);
    CHECK_NEAR(dl4c_tensor_get(out, 0), -1 * r * 1 + 0, 1e-12);
    CHECK_NEAR(dl4c_tensor_get(out, 1), 0 * r * 2 + 0.1, 1e-12);
    CHECK_NEAR(dl4c_tensor_get(out, 2), 1 * r * 3 + 0.2, 1e-12);
    /* row (-1, 5, 2): mean 2, variance 6 */
    r = 1 / sqrt(6 + 1e-3);
    CHECK_NEAR(dl4c_tensor_get(out, 3), -3 * r * 1, 1e-12);
    CHECK_NEAR(dl4c_tensor_get(out, 4), 3 * r * 2 + 0.1, 1e-12);
    dl4c_tensor_free(x);
    dl4c_net_free(net);

    /* two axes of [2, 2] per example, no gamma/beta: (0, 2, 4, 6) has mean
     * 3, variance 5 */
    const char *cfg2 = "{\"inputs\": [{\"shape\": [2, 2]}], \"layers\": ["
                       " {\"type\": \"LayerNormalization\", \"axis\": [1, 2],"
                       "  \"center\": false, \"scale\": false, \"epsilon\": "
                       "0}]}";
    REQUIRE_OK(dl4c_net_parse(cfg2, DL4C_F64, &net));
    CHECK(dl4c_net_num_params(net) == 0);
    static const double x2v[4] = {0, 2, 4, 6};
    int64_t d3[3] = {1, 2, 2};
    x = make(DL4C_F64, 3, d3, x2v);
    out = run(net, x, true);
    REQUIRE(out != NULL);
    for (int i = 0; i < 4; i++)
        CHECK_NEAR(dl4c_tensor_get(out, i), (x2v[i] - 3) / sqrt(5.0), 1e-12);
    dl4c_tensor_free(x);
    dl4c_net_free(net);
}

/* mean and variance of y over n values */
static void moments(const dl4c_tensor *y, double *mean, double *var)
{
    int64_t n = dl4c_tensor_size(y);
    double s = 0, q = 0;
    for (int64_t i = 0; i < n; i++)
        s += dl4c_tensor_get(y, i);
    *mean = s / (double)n;
    for (int64_t i = 0; i < n; i++) {
        double d = dl4c_tensor_get(y, i) - *mean;
        q += d * d;
    }
    *var = q / (double)n;
}

static dl4c_net *one_layer(const char *layer, int64_t width)
{
    char cfg[512];
    dl4c_net *net = NULL;
    snprintf(cfg, sizeof cfg,
             "{\"seed\": 5, \"inputs\": [{\"shape\": [%lld]}], \"layers\": "
             "[%s]}",
             (long long)width, layer);
    if (dl4c_net_parse(cfg, DL4C_F64, &net) != DL4C_OK)
        fprintf(stderr, "%s\n", dl4c_last_error());
    return net;
}

static void test_noise_statistics(void)
{
    const int64_t n = 40000;
    int64_t dims[2] = {1, n};
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 8);
    dl4c_tensor *ones = make(DL4C_F64, 2, dims, NULL);
    dl4c_tensor *normal = make(DL4C_F64, 2, dims, NULL);
    REQUIRE(ones && normal);
    dl4c_tensor_fill(ones, 1.0);
    dl4c_rng_fill_normal(&rng, normal, 0, 1);
    double m, v;

    dl4c_net *net =
        one_layer("{\"type\": \"GaussianNoise\", \"stddev\": 0.5}", n);
    REQUIRE(net != NULL);
    const dl4c_tensor *y = run(net, ones, true);
    REQUIRE(y != NULL);
    moments(y, &m, &v);
    CHECK_NEAR(m, 1.0, 0.01);
    CHECK_NEAR(sqrt(v), 0.5, 0.01);
    y = run(net, ones, false);
    CHECK(y && dl4c_tensor_max_abs_diff(y, ones) == 0);
    dl4c_net_free(net);

    /* multiplicative noise of variance rate / (1 - rate) = 1/3 */
    net = one_layer("{\"type\": \"GaussianDropout\", \"rate\": 0.25}", n);
    REQUIRE(net != NULL);
    y = run(net, ones, true);
    REQUIRE(y != NULL);
    moments(y, &m, &v);
    CHECK_NEAR(m, 1.0, 0.01);
    CHECK_NEAR(v, 1.0 / 3, 0.01);
    dl4c_net_free(net);

    /* alpha dropout keeps zero mean and unit variance */
    net = one_layer("{\"type\": \"AlphaDropout\", \"rate\": 0.2}", n);
    REQUIRE(net != NULL);
    y = run(net, normal, true);
    REQUIRE(y != NULL);
    moments(y, &m, &v);
    CHECK_NEAR(m, 0.0, 0.02);
    CHECK_NEAR(v, 1.0, 0.03);
    /* about a fifth of the values sit at the common dropped value */
    double dropped = 0, a = 0;
    for (int64_t i = 0; i < n; i++)
        if (fabs(dl4c_tensor_get(y, i) - dl4c_tensor_get(y, 0)) < 1e-12)
            a++;
    dropped = a / (double)n;
    CHECK(dropped < 0.01 || fabs(dropped - 0.2) < 0.01);
    y = run(net, normal, false);
    CHECK(y && dl4c_tensor_max_abs_diff(y, normal) == 0);
    dl4c_net_free(net);
    dl4c_tensor_free(ones);
    dl4c_tensor_free(normal);
}

static void test_spatial_dropout_drops_channels(void)
{
    const char *cfg = "{\"seed\": 9, \"inputs\": [{\"shape\": [5, 6, 40]}],"
                      " \"layers\": [{\"type\": \"SpatialDropout2D\", "
                      "\"rate\": 0.5}]}";
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    int64_t dims[4] = {2, 5, 6, 40};
    dl4c_tensor *x = make(DL4C_F64, 4, dims, NULL);
    dl4c_tensor_fill(x, 1.0);
    const dl4c_tensor *y = run(net, x, true);
    REQUIRE(y != NULL);
    int kept = 0;
    for (int b = 0; b < 2; b++)
        for (int c = 0; c < 40; c++) {
            double first = dl4c_tensor_get(y, b * 1200 + c);
            CHECK(first == 0 || first == 2);
            kept += first == 2;
            for (int p = 1; p < 30; p++)
                CHECK(dl4c_tensor_get(y, b * 1200 + p * 40 + c) == first);
        }
    CHECK(kept > 20 && kept < 60);
    y = run(net, x, false);
    CHECK(y && dl4c_tensor_max_abs_diff(y, x) == 0);
    dl4c_tensor_free(x);
    dl4c_net_free(net);
}

/* y of a one-layer net at the given points */
static void check_points(const char *layer, int n, const double *x,
                         const double *want)
{
    dl4c_net *net = one_layer(layer, n);
    REQUIRE(net != NULL);
    int64_t dims[2] = {1, n};
    dl4c_tensor *t = make(DL4C_F64, 2, dims, x);
    const dl4c_tensor *y = run(net, t, false);
    REQUIRE(y != NULL);
    for (int i = 0; i < n; i++)
        CHECK_MSG(fabs(dl4c_tensor_get(y, i) - want[i]) < 1e-12,
                  "%s at %g: %g, want %g", layer, x[i], dl4c_tensor_get(y, i),
                  want[i]);
    dl4c_tensor_free(t);
    dl4c_net_free(net);
}

static void test_relu_family(void)
{
    static const double x[7] = {-2, -0.5, 0, 0.5, 1, 1.5, 8};
    /* Keras' relu with all three options */
    static const double relu_all[7] = {
        -0.1 * 3, -0.1 * 1.5, -0.1 * 1, -0.1 * 0.5, 0, 1.2, 1.2};
    check_points("{\"type\": \"ReLU\", \"max_value\": 1.2, "
                 "\"negative_slope\": 0.1, \"threshold\": 1}",
                 7, x, relu_all);
    static const double relu6[7] = {0, 0, 0, 0.5, 1, 1.5, 6};
    check_points("{\"type\": \"ReLU\", \"max_value\": 6}", 7, x, relu6);
    /* a negative threshold with a ceiling: Keras clips (threshold, 0) to
     * 0 */
    static const double relu_neg[7] = {0, 0, 0, 0.5, 1, 1.5, 2};
    check_points("{\"type\": \"ReLU\", \"threshold\": -1, \"max_value\": 2}", 7,
                 x, relu_neg);
    static const double leaky[7] = {-0.6, -0.15, 0, 0.5, 1, 1.5, 8};
    check_points("{\"type\": \"LeakyReLU\"}", 7, x, leaky);
    /* ThresholdedReLU keeps only values above theta: theta itself is 0 */
    static const double thr[7] = {0, 0, 0, 0, 0, 1.5, 8};
    check_points("{\"type\": \"ThresholdedReLU\", \"theta\": 1}", 7, x, thr);
    double elu[7];
    for (int i = 0; i < 7; i++)
        elu[i] = x[i] > 0 ? x[i] : 0.5 * expm1(x[i]);
    check_points("{\"type\": \"ELU\", \"alpha\": 0.5}", 7, x, elu);
    double sm[7], sum = 0;
    for (int i = 0; i < 7; i++)
        sum += exp(x[i]);
    for (int i = 0; i < 7; i++)
        sm[i] = exp(x[i]) / sum;
    check_points("{\"type\": \"Softmax\"}", 7, x, sm);
}

static void test_prelu_shared_axes(void)
{
    /* [2, 2, 2] per example, one slope per channel */
    const char *cfg = "{\"inputs\": [{\"shape\": [2, 2, 2]}], \"layers\": ["
                      " {\"name\": \"p\", \"type\": \"PReLU\", "
                      "\"shared_axes\": [1, 2]}]}";
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    dl4c_tensor *alpha = dl4c_net_param(net, "p", "alpha");
    REQUIRE(alpha && dl4c_tensor_size(alpha) == 2);
    CHECK(dl4c_tensor_get(alpha, 0) == 0); /* Keras starts at zero */
    dl4c_tensor_set(alpha, 0, 0.1);
    dl4c_tensor_set(alpha, 1, 0.3);
    static const double xv[8] = {-1, -1, 2, -2, -3, 3, 4, -4};
    int64_t dims[4] = {1, 2, 2, 2};
    dl4c_tensor *x = make(DL4C_F64, 4, dims, xv);
    const dl4c_tensor *y = run(net, x, false);
    REQUIRE(y != NULL);
    static const double want[8] = {-0.1, -0.3, 2, -0.6, -0.3, 3, 4, -1.2};
    for (int i = 0; i < 8; i++)
        CHECK_NEAR(dl4c_tensor_get(y, i), want[i], 1e-12);
    dl4c_tensor_free(x);
    dl4c_net_free(net);
}

static void test_softmax_middle_axis(void)
{
    const char *cfg = "{\"inputs\": [{\"shape\": [3, 2]}], \"layers\": ["
                      " {\"type\": \"Softmax\", \"axis\": 1}]}";
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    static const double xv[6] = {0, 1, 1, 1, 2, 1};
    int64_t dims[3] = {1, 3, 2};
    dl4c_tensor *x = make(DL4C_F64, 3, dims, xv);
    const dl4c_tensor *y = run(net, x, false);
    REQUIRE(y != NULL);
    double s0 = 1 + exp(1) + exp(2);
    CHECK_NEAR(dl4c_tensor_get(y, 0), 1 / s0, 1e-12);
    CHECK_NEAR(dl4c_tensor_get(y, 4), exp(2) / s0, 1e-12);
    for (int i = 1; i < 6; i += 2)
        CHECK_NEAR(dl4c_tensor_get(y, i), 1.0 / 3, 1e-12);
    dl4c_tensor_free(x);
    dl4c_net_free(net);
}

/* ---- Keras hooks ---- */

static json_t *from_keras(const char *type, const char *kcfg, int major,
                          bool channels_first, dl4c_status *st)
{
    const dl4c_layer_type *lt = dl4c_layer_type_find(type);
    dl4c_keras_ctx k = {major, channels_first, "layer 'k'"};
    json_t *in = json_loads(kcfg, 0, NULL);
    json_t *out = json_object();
    dl4c_clear_error();
    *st = lt && lt->from_keras ? lt->from_keras(&k, in, out) : DL4C_INTERNAL;
    json_decref(in);
    return out;
}

static void test_keras_hooks(void)
{
    dl4c_status st;
    /* tf.keras writes a built layer's axis as a list */
    json_t *o = from_keras("BatchNormalization",
                           "{\"axis\": [3], \"momentum\": 0.9, \"epsilon\": "
                           "0.001, \"center\": true, \"scale\": false, "
                           "\"renorm\": false, \"virtual_batch_size\": null}",
                           2, false, &st);
    CHECK(st == DL4C_OK);
    CHECK(json_integer_value(json_object_get(o, "axis")) == 3);
    CHECK(json_is_false(json_object_get(o, "scale")));
    CHECK(json_is_false(json_object_get(o, "masked_moments")));
    json_decref(o);
    /* channels_first: the channel axis 1 is the last one in NHWC */
    o = from_keras("BatchNormalization", "{\"axis\": 1}", 3, true, &st);
    CHECK(st == DL4C_OK &&
          json_integer_value(json_object_get(o, "axis")) == -1);
    CHECK(json_is_true(json_object_get(o, "masked_moments")));
    json_decref(o);
    o = from_keras("BatchNormalization", "{\"mode\": 2, \"axis\": -1}", 1,
                   false, &st);
    CHECK(st == DL4C_UNSUPPORTED && strstr(dl4c_last_error(), "mode"));
    json_decref(o);
    o = from_keras("BatchNormalization", "{\"renorm\": true}", 2, false, &st);
    CHECK(st == DL4C_UNSUPPORTED && strstr(dl4c_last_error(), "renorm"));
    json_decref(o);
    o = from_keras("LayerNormalization",
                   "{\"axis\": [2], \"epsilon\": 1e-6, \"rms_scaling\": true}",
                   3, false, &st);
    CHECK(st == DL4C_UNSUPPORTED && strstr(dl4c_last_error(), "rms_scaling"));
    json_decref(o);
    o = from_keras("LeakyReLU", "{\"negative_slope\": 0.2}", 3, false, &st);
    CHECK(st == DL4C_OK);
    CHECK_NEAR(json_number_value(json_object_get(o, "alpha")), 0.2, 0);
    json_decref(o);
    o = from_keras("GaussianNoise", "{\"sigma\": 0.3}", 1, false, &st);
    CHECK(st == DL4C_OK);
    CHECK_NEAR(json_number_value(json_object_get(o, "stddev")), 0.3, 0);
    json_decref(o);
    o = from_keras("SpatialDropout2D", "{\"p\": 0.4, \"dim_ordering\": \"th\"}",
                   1, true, &st);
    CHECK(st == DL4C_OK);
    CHECK_NEAR(json_number_value(json_object_get(o, "rate")), 0.4, 0);
    json_decref(o);
    o = from_keras("PReLU", "{\"shared_axes\": [2, 3]}", 2, true, &st);
    CHECK(st == DL4C_OK);
    CHECK(json_integer_value(
              json_array_get(json_object_get(o, "shared_axes"), 1)) == 2);
    json_decref(o);

    /* PReLU weights of a channels_first model: [C, H, W] -> [H, W, C] */
    const char *cfg = "{\"inputs\": [{\"shape\": [2, 3, 2]}], \"layers\": ["
                      " {\"name\": \"p\", \"type\": \"PReLU\"}]}";
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    int64_t kd[3] = {2, 2, 3}; /* Keras' [C, H, W] */
    dl4c_tensor *w = make(DL4C_F32, 3, kd, NULL);
    for (int i = 0; i < 12; i++)
        dl4c_tensor_set(w, i, i);
    const dl4c_layer_type *lt = dl4c_layer_type_find("PReLU");
    dl4c_keras_ctx k = {2, true, "layer 'p'"};
    dl4c_tensor *alpha = dl4c_net_param(net, "p", "alpha");
    const dl4c_tensor *ws[1] = {w};
    dl4c_tensor *ps[1] = {alpha};
    /* the hook needs the built layer: a stand-in with alpha's spec */
    dl4c_layer fake = {0};
    fake.n_params = 1;
    fake.params[0].shape = dl4c_tensor_shape(alpha);
    CHECK_OK(lt->keras_weights(&k, &fake, 1, ws, ps));
    /* dl4c (h, w, c) = Keras (c, h, w) = c * 6 + h * 3 + w */
    for (int h = 0; h < 2; h++)
        for (int x = 0; x < 3; x++)
            for (int c = 0; c < 2; c++)
                CHECK(dl4c_tensor_get(alpha, (h * 3 + x) * 2 + c) ==
                      c * 6 + h * 3 + x);
    dl4c_tensor_free(w);
    dl4c_net_free(net);
}

TEST_MAIN(test_batchnorm_moving_averages, test_batchnorm_masked_moments,
          test_layernorm_values, test_noise_statistics,
          test_spatial_dropout_drops_channels, test_relu_family,
          test_prelu_shared_axes, test_softmax_middle_axis, test_keras_hooks)
