// labels: unit badinput
/* Keras import on the fixtures of tests/fixtures/keras (make_fixtures.py
 * writes them in Keras' own layouts): nested and shared models, Keras 3
 * archives, channels_first, the training configuration with optimizer
 * state, custom and Lambda layers, the layout conversions, and bad input
 * of every kind. */
#include <math.h>

#include "import/h5_internal.h"
#include "nn/net_internal.h"
#include "test.h"

static const char *fx(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/tests/fixtures/keras/%s",
             DL4C_SOURCE_DIR, name);
    return buf[k];
}

/* Reads "{"key": ["a", "b"]}" names from a reference attribute. */
static int names_of(dl4c_h5 *h, const char *attr, char names[][128], int cap)
{
    char *text = NULL;
    int n = 0;
    if (dl4c_h5_attr_string(h, "", attr, &text) != DL4C_OK || !text)
        return 0;
    for (const char *p = strchr(text, '['); p && n < cap;) {
        const char *q = strchr(p, '"'), *e = q ? strchr(q + 1, '"') : NULL;
        if (!e)
            break;
        snprintf(names[n++], 128, "%.*s", (int)(e - q - 1), q + 1);
        p = e + 1;
    }
    dl4c_free(text);
    return n;
}

/* Runs net on a DL4J-style reference's inputs; the largest difference
 * from its predictions (through the Keras layout conversions). */
static double ref_diff(dl4c_net *net, const char *ref)
{
    dl4c_h5 *h = NULL;
    char in[8][128], out[8][128], path[1200];
    dl4c_tensor *x[8] = {0}, *cx[8] = {0};
    double worst = INFINITY;
    if (dl4c_h5_open(ref, &h) != DL4C_OK)
        return worst;
    int n_in = names_of(h, "inputs", in, 8),
        n_out = names_of(h, "outputs", out, 8);
    if (n_in != dl4c_net_num_inputs(net) || n_out != dl4c_net_num_outputs(net))
        goto done;
    for (int i = 0; i < n_in; i++) {
        snprintf(path, sizeof path, "inputs/%s", in[i]);
        if (dl4c_h5_read(h, path, DL4C_F32, &x[i]) != DL4C_OK ||
            dl4c_keras_input_convert(net, i, x[i], &cx[i]) != DL4C_OK)
            goto done;
    }
    if (dl4c_net_forward(net, n_in, (const dl4c_tensor *const *)cx, false) !=
        DL4C_OK)
        goto done;
    worst = 0;
    for (int i = 0; i < n_out; i++) {
        dl4c_tensor *want = NULL, *got = NULL;
        snprintf(path, sizeof path, "predictions/%s", out[i]);
        if (dl4c_h5_read(h, path, DL4C_F32, &want) != DL4C_OK ||
            dl4c_keras_output_convert(net, i, dl4c_net_output(net, i), &got) !=
                DL4C_OK ||
            dl4c_tensor_size(want) != dl4c_tensor_size(got)) {
            worst = INFINITY;
        } else {
            for (int j = 0; j < dl4c_tensor_ndim(want); j++)
                if (dl4c_tensor_dim(want, j) != dl4c_tensor_dim(got, j))
                    worst = INFINITY;
            double d = dl4c_tensor_max_abs_diff(want, got);
            worst = d > worst || isnan(d) ? d : worst;
        }
        dl4c_tensor_free(want);
        dl4c_tensor_free(got);
    }
done:
    for (int i = 0; i < 8; i++) {
        dl4c_tensor_free(x[i]);
        dl4c_tensor_free(cx[i]);
    }
    dl4c_h5_close(h);
    return worst;
}

static void test_sniff(void)
{
    dl4c_keras_format f;
    CHECK_OK(dl4c_keras_sniff(fx("iris_mlp.h5"), &f));
    CHECK(f == DL4C_KERAS_HDF5);
    CHECK_OK(dl4c_keras_sniff(fx("functional.keras"), &f));
    CHECK(f == DL4C_KERAS_ARCHIVE);
    CHECK_OK(dl4c_keras_sniff(test_source_path("data/iris.csv"), &f));
    CHECK(f == DL4C_KERAS_UNKNOWN);
    const char *json = test_write_file(
        "arch.json", "{\"class_name\": \"Sequential\", \"config\": []}");
    CHECK_OK(dl4c_keras_sniff(json, &f));
    CHECK(f == DL4C_KERAS_JSON);
    CHECK_ERR(dl4c_keras_sniff("/nonexistent.h5", &f), DL4C_IO,
              "/nonexistent.h5");
}

static void test_nested_functional(void)
{
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_keras_import(fx("nested_functional.h5"), NULL, &net));
    /* the nested model's second call shares the first's weights */
    CHECK(dl4c_net_num_params(net) == 15 + 15 + 20 + 12 + 6);
    CHECK(dl4c_net_layer_index(net, "inner/a") >= 0);
    CHECK(dl4c_net_layer_index(net, "inner#1/b") >= 0);
    CHECK(dl4c_net_num_outputs(net) == 2);
    CHECK_NEAR(ref_diff(net, fx("nested_functional_ref.h5")), 0, 1e-6);
    dl4c_net_free(net);
}

static void test_nested_sequential(void)
{
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_keras_import(fx("nested_sequential.h5"), NULL, &net));
    CHECK(!strcmp(dl4c_net_input_name(net, 0), "sub_input"));
    CHECK(dl4c_net_layer_index(net, "sub/s1") >= 0);
    CHECK_NEAR(ref_diff(net, fx("nested_sequential_ref.h5")), 0, 1e-6);
    dl4c_net_free(net);
}

static void test_time_distributed(void)
{
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_keras_import(fx("time_distributed.h5"), NULL, &net));
    CHECK_NEAR(ref_diff(net, fx("time_distributed_ref.h5")), 0, 1e-6);
    dl4c_net_free(net);
}

/* Attention's call arguments: value= as the second input, and
 * use_causal_mask=True as the layer's option. */
static void test_attention(void)
{
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_keras_import(fx("attention.h5"), NULL, &net));
    CHECK(dl4c_net_num_inputs(net) == 2 && dl4c_net_num_outputs(net) == 2);
    CHECK_NEAR(ref_diff(net, fx("attention_ref.h5")), 0, 1e-5);
    dl4c_net_free(net);
}

/* The state array k of a parameter, element 0. */
static double state_at(const dl4c_net *net, const char *layer,
                       const char *param, int k)
{
    int li = dl4c_net_layer_index(net, layer);
    const dl4c_layer *l = net->nodes[net->n_inputs + li].layer;
    int count = dl4c_updater_state_count(net->updater.id);
    for (int p = 0; p < l->n_params; p++)
        if (!strcmp(l->params[p].name, param)) {
            int64_t n = dl4c_shape_size(&l->params[p].shape);
            return dl4c_tensor_get(dl4c_net_updater_state(net),
                                   l->param_offset[p] * count + k * n);
        }
    return NAN;
}

static void test_keras3_archive(void)
{
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_keras_import(fx("functional.keras"), NULL, &net));
    CHECK_NEAR(ref_diff(net, fx("functional_keras_ref.h5")), 0, 1e-6);
    CHECK(!strcmp(dl4c_net_get_metadata(net, "keras.version"), "3.2.1"));
    /* compile_config: loss on the head, Adam with its saved state */
    CHECK(!strcmp(dl4c_net_layer_type(net, dl4c_net_layer_index(net, "head")),
                  "Output"));
    dl4c_updater u = dl4c_net_get_updater(net);
    CHECK(u.id == DL4C_UPDATER_ADAM);
    CHECK_NEAR(u.learning_rate, 0.005, 1e-9);
    CHECK(dl4c_net_iteration(net) == 7);
    /* optimizer/vars: 2 + 2i holds m, 3 + 2i v of the i-th variable
     * (dense W, dense b, inner_a W, ...), filled with 0.25 + index and
     * 0.5 + index by the fixture script */
    CHECK_NEAR(state_at(net, "dense", "W", 0), 2.25, 1e-6);
    CHECK_NEAR(state_at(net, "dense", "W", 1), 2.5, 1e-6);
    CHECK_NEAR(state_at(net, "dense", "b", 0), 4.25, 1e-6);
    CHECK_NEAR(state_at(net, "seq/inner_a", "W", 1), 6.5, 1e-6);
    CHECK_NEAR(state_at(net, "head", "b", 0), 24.25, 1e-6);
    dl4c_net_free(net);
}

static void test_channels_first(void)
{
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_keras_import(fx("channels_first.h5"), NULL, &net));
    /* NCHW [2, 5, 5] runs as NHWC [5, 5, 2] */
    dl4c_shape s = dl4c_net_input_shape(net, 0);
    CHECK(s.ndim == 3 && s.dim[0] == 5 && s.dim[2] == 2);
    CHECK(!strcmp(dl4c_net_get_metadata(net, "keras.input_layouts"),
                  "[\"channels_first\"]"));
    CHECK_NEAR(ref_diff(net, fx("channels_first_ref.h5")), 0, 1e-5);
    /* the conversions: a [1, 2, 5, 5] array becomes [1, 5, 5, 2] */
    int64_t dims[4] = {1, 2, 5, 5};
    dl4c_tensor *a = NULL, *b = NULL, *bad = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 4, dims, &a));
    for (int i = 0; i < 50; i++)
        dl4c_tensor_set(a, i, i);
    CHECK_OK(dl4c_keras_input_convert(net, 0, a, &b));
    CHECK(b && dl4c_tensor_dim(b, 3) == 2);
    CHECK(b && dl4c_tensor_get(b, 1) == 25); /* [0,0,0,1] = channel 1 */
    dl4c_tensor_free(b);
    int64_t wrong[4] = {1, 5, 5, 2};
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 4, wrong, &bad));
    CHECK_ERR(dl4c_keras_input_convert(net, 0, bad, &b), DL4C_SHAPE,
              "channels_first: expected [1, 2, 5, 5]");
    CHECK_ERR(dl4c_keras_input_convert(net, 3, a, &b), DL4C_INVALID_ARG,
              "the net has 1 inputs");
    dl4c_tensor_free(a);
    dl4c_tensor_free(bad);
    dl4c_net_free(net);
}

/* Sequences of channels-first frames [N, T, C, H, W] run as
 * [N, T, H, W, C]. */
static void test_frames_first(void)
{
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_keras_import(fx("frames_first.h5"), NULL, &net));
    dl4c_shape s = dl4c_net_input_shape(net, 0);
    CHECK(s.ndim == 4 && s.dim[0] == 2 && s.dim[1] == 2 && s.dim[2] == 4 &&
          s.dim[3] == 3);
    CHECK(!strcmp(dl4c_net_get_metadata(net, "keras.output_layouts"),
                  "[\"channels_first:2\"]"));
    CHECK_NEAR(ref_diff(net, fx("frames_first_ref.h5")), 0, 1e-6);
    dl4c_net_free(net);
}

/* All of data/iris.csv as one batch (ds and it own it). */
static dl4c_status iris_batch(dl4c_dataset **ds, dl4c_iterator **it,
                              dl4c_batch *batch)
{
    dl4c_csv_options o = dl4c_csv_options_default();
    o.label_from = o.label_to = 4;
    o.num_classes = 3;
    DL4C_RETURN_IF(dl4c_csv_load(test_source_path("data/iris.csv"), &o, ds));
    DL4C_RETURN_IF(dl4c_iterator_create(*ds, 150, false, 1, it));
    return dl4c_iterator_next(*it, batch);
}

static void test_iris_training(void)
{
    dl4c_net *net = NULL, *again = NULL;
    dl4c_tensor *x = NULL, *want = NULL, *y = NULL;
    REQUIRE_OK(dl4c_keras_import(fx("iris_mlp.h5"), NULL, &net));
    REQUIRE_OK(dl4c_npy_load(fx("iris_features.npy"), DL4C_F32, &x));
    REQUIRE_OK(dl4c_npy_load(fx("iris_expected.npy"), DL4C_F32, &want));
    REQUIRE_OK(dl4c_net_predict(net, x, &y));
    CHECK_NEAR(dl4c_tensor_max_abs_diff(y, want), 0, 1e-5);
    dl4c_tensor_free(y);
    y = NULL;
    /* float64 nets import the same weights */
    dl4c_keras_options o64 = dl4c_keras_options_default();
    o64.dtype = DL4C_F64;
    dl4c_net *n64 = NULL;
    CHECK_OK(dl4c_keras_import(fx("iris_mlp.h5"), &o64, &n64));
    CHECK(n64 && dl4c_net_dtype(n64) == DL4C_F64);
    CHECK(n64 && dl4c_tensor_get(dl4c_net_params(n64), 5) ==
                     (double)(float)dl4c_tensor_get(dl4c_net_params(net), 5));
    CHECK(n64 && dl4c_net_iteration(n64) == 1500);
    dl4c_net_free(n64);
    /* the training configuration came along */
    CHECK(!strcmp(dl4c_net_layer_type(net, 1), "Output"));
    CHECK(dl4c_net_iteration(net) == 1500);
    dl4c_updater u = dl4c_net_get_updater(net);
    CHECK(u.id == DL4C_UPDATER_ADAM && fabs(u.learning_rate - 0.01) < 1e-9);
    /* Adam's m of dense_1's kernel is optimizer slot 1 */
    dl4c_h5 *h = NULL;
    dl4c_tensor *m = NULL;
    REQUIRE_OK(dl4c_h5_open(fx("iris_mlp.h5"), &h));
    REQUIRE_OK(
        dl4c_h5_read(h, "optimizer_weights/Adam/Variable_0:0", DL4C_F64, &m));
    CHECK_NEAR(state_at(net, "dense_1", "W", 0), dl4c_tensor_get(m, 0), 1e-9);
    dl4c_tensor_free(m);
    dl4c_h5_close(h);

    /* saved as a dl4c model and loaded: the same outputs, bit for bit */
    char path[512];
    snprintf(path, sizeof path, "%s/iris.dl4c", test_tmpdir());
    REQUIRE_OK(dl4c_model_save(net, path, DL4C_MODEL_UPDATER));
    REQUIRE_OK(dl4c_model_load(path, &again));
    dl4c_tensor *y2 = NULL;
    REQUIRE_OK(dl4c_net_predict(net, x, &y));
    REQUIRE_OK(dl4c_net_predict(again, x, &y2));
    CHECK(dl4c_tensor_max_abs_diff(y, y2) == 0);
    CHECK(dl4c_net_iteration(again) == 1500);
    dl4c_tensor_free(y2);

    /* training continues and the loss goes down */
    dl4c_dataset *ds = NULL;
    dl4c_iterator *it = NULL;
    dl4c_batch batch;
    REQUIRE_OK(iris_batch(&ds, &it, &batch));
    /* five more full-batch steps give the losses Keras' optimizer, with
     * the state it saved, gives (make_fixtures.py computes them) */
    dl4c_tensor *losses = NULL;
    REQUIRE_OK(
        dl4c_npy_load(fx("iris_continue_losses.npy"), DL4C_F64, &losses));
    for (int i = 0; i < 5; i++) {
        double score = 0;
        REQUIRE_OK(dl4c_net_fit_batch(again, &batch, &score));
        CHECK_NEAR(score, dl4c_tensor_get(losses, i), 2e-6);
    }
    dl4c_tensor_free(losses);
    double before = 0, after = 0;
    const dl4c_tensor *in[1] = {batch.features};
    const dl4c_tensor *lab[1] = {batch.labels};
    dl4c_net_targets t = {1, lab, NULL};
    REQUIRE_OK(dl4c_net_score(net, 1, in, &t, false, &before));
    for (int i = 0; i < 200; i++)
        REQUIRE_OK(dl4c_net_fit_batch(net, &batch, &after));
    REQUIRE_OK(dl4c_net_score(net, 1, in, &t, false, &after));
    CHECK_MSG(after < before, "loss %g -> %g", before, after);
    CHECK(dl4c_net_iteration(net) == 1700);
    dl4c_iterator_free(it);
    dl4c_dataset_free(ds);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_tensor_free(want);
    dl4c_net_free(again);
    dl4c_net_free(net);
}

/* A TF2-style model: the last Dense outputs logits, the loss is
 * SparseCategoricalCrossentropy(from_logits=True). Outputs stay logits
 * (their softmax is the softmax model's output), and five more Adam steps
 * from the saved state give the losses Keras gives; a loss weight scales
 * the loss. */
static void test_loss_from_logits(void)
{
    dl4c_net *net = NULL;
    dl4c_tensor *x = NULL, *want = NULL, *y = NULL, *losses = NULL;
    REQUIRE_OK(dl4c_keras_import(fx("iris_logits.h5"), NULL, &net));
    REQUIRE_OK(dl4c_npy_load(fx("iris_features.npy"), DL4C_F32, &x));
    REQUIRE_OK(dl4c_npy_load(fx("iris_expected.npy"), DL4C_F32, &want));
    REQUIRE_OK(dl4c_net_predict(net, x, &y));
    double worst = 0;
    for (int64_t r = 0; r < 150; r++) {
        double z[3], mx = -1e30, sum = 0;
        for (int c = 0; c < 3; c++) {
            z[c] = dl4c_tensor_get(y, r * 3 + c);
            mx = fmax(mx, z[c]);
        }
        for (int c = 0; c < 3; c++)
            sum += exp(z[c] - mx);
        for (int c = 0; c < 3; c++)
            worst = fmax(worst, fabs(exp(z[c] - mx) / sum -
                                     dl4c_tensor_get(want, r * 3 + c)));
    }
    CHECK_MSG(worst < 1e-5, "softmax of the outputs is off by %g", worst);
    CHECK(dl4c_tensor_get(y, 0) > 1.0); /* logits, not probabilities */
    dl4c_dataset *ds = NULL;
    dl4c_iterator *it = NULL;
    dl4c_batch batch;
    REQUIRE_OK(iris_batch(&ds, &it, &batch));
    REQUIRE_OK(
        dl4c_npy_load(fx("iris_continue_losses.npy"), DL4C_F64, &losses));
    for (int i = 0; i < 5; i++) {
        double score = 0;
        REQUIRE_OK(dl4c_net_fit_batch(net, &batch, &score));
        CHECK_NEAR(score, dl4c_tensor_get(losses, i), 2e-6);
    }
    dl4c_net_free(net);
    /* loss_weights {"dense_2": 0.25}: the loss counts a quarter */
    net = NULL;
    REQUIRE_OK(dl4c_keras_import(fx("iris_weighted.h5"), NULL, &net));
    double score = 0;
    REQUIRE_OK(dl4c_net_fit_batch(net, &batch, &score));
    CHECK_NEAR(score, 0.25 * dl4c_tensor_get(losses, 0), 1e-6);
    dl4c_tensor_free(losses);
    dl4c_iterator_free(it);
    dl4c_dataset_free(ds);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_tensor_free(want);
    dl4c_net_free(net);
}

/* ---- custom and Lambda layers ---- */

static dl4c_status same_shape(void *user, const char *cfg, int n,
                              const dl4c_shape *in,
                              dl4c_keras_custom_shape *out)
{
    (void)user;
    (void)cfg;
    if (n != 1)
        return DL4C_SHAPE;
    out->out = in[0];
    return DL4C_OK;
}

static void twice(void *user, const char *cfg, int n,
                  const dl4c_tensor *const *in, const dl4c_tensor *const *w,
                  dl4c_tensor *out, bool training)
{
    (void)user, (void)cfg, (void)n, (void)w, (void)training;
    for (int64_t i = 0; i < dl4c_tensor_size(out); i++)
        dl4c_tensor_set(out, i, 2 * dl4c_tensor_get(in[0], i));
}

static dl4c_status scale_shape(void *user, const char *cfg, int n,
                               const dl4c_shape *in,
                               dl4c_keras_custom_shape *out)
{
    DL4C_RETURN_IF(same_shape(user, cfg, n, in, out));
    out->n_weights = 1;
    out->weights[0].ndim = 1;
    out->weights[0].dim[0] = in[0].dim[in[0].ndim - 1];
    return DL4C_OK;
}

/* FancyScale: x * scale + offset, offset from the Keras config */
static void scale(void *user, const char *cfg, int n,
                  const dl4c_tensor *const *in, const dl4c_tensor *const *w,
                  dl4c_tensor *out, bool training)
{
    (void)user, (void)n, (void)training;
    double offset = strstr(cfg, "\"offset\":0.5") ? 0.5 : 0;
    int64_t c = dl4c_tensor_size(w[0]);
    for (int64_t i = 0; i < dl4c_tensor_size(out); i++)
        dl4c_tensor_set(
            out, i,
            dl4c_tensor_get(in[0], i) * dl4c_tensor_get(w[0], i % c) + offset);
}

/* A model with many layers dl4c cannot import: the one message lists
 * every one of them, the last as well as the first. */
static void test_many_unsupported_layers(void)
{
    char *json = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&json, &len);
    REQUIRE(f);
    fprintf(f, "{\"class_name\": \"Sequential\", \"config\": {\"name\": "
               "\"s\", \"layers\": [");
    for (int i = 0; i < 30; i++)
        fprintf(f,
                "%s{\"class_name\": \"Lambda\", \"config\": {\"name\": "
                "\"lambda_number_%02d\"%s}}",
                i ? ", " : "", i,
                i ? "" : ", \"batch_input_shape\": [null, 4]");
    fprintf(f, "]}, \"keras_version\": \"2.3.1\", \"backend\": "
               "\"tensorflow\"}");
    fclose(f);
    const char *path = test_write_file("lambdas.json", json);
    free(json);
    dl4c_net *net = NULL;
    CHECK_ERR(dl4c_keras_import(path, NULL, &net), DL4C_UNSUPPORTED,
              "30 layers cannot be imported");
    CHECK(strstr(dl4c_last_error(), "'lambda_number_00' (Lambda)"));
    CHECK_MSG(strstr(dl4c_last_error(), "'lambda_number_29' (Lambda)"),
              "the last layer is missing from: %s", dl4c_last_error());
    CHECK(net == NULL);
}

static void test_custom_layers(void)
{
    dl4c_net *net = NULL, *again = NULL;
    /* every layer dl4c cannot import is named in one message */
    CHECK_ERR(dl4c_keras_import(fx("custom_layers.h5"), NULL, &net),
              DL4C_UNSUPPORTED, "2 layers cannot be imported");
    CHECK(strstr(dl4c_last_error(), "'lambda_1' (Lambda)"));
    CHECK(strstr(dl4c_last_error(), "'fancy_1' (FancyScale)"));
    CHECK(net == NULL);

    dl4c_keras_custom lam = {.shape = same_shape, .forward = twice};
    dl4c_keras_custom fancy = {.shape = scale_shape, .forward = scale};
    CHECK_OK(dl4c_keras_register_lambda("lambda_1", &lam));
    CHECK_OK(dl4c_keras_register_custom("FancyScale", &fancy));
    CHECK_ERR(dl4c_keras_register_custom("FancyScale", &fancy),
              DL4C_INVALID_ARG, "already registered");
    dl4c_keras_custom none = {0};
    CHECK_ERR(dl4c_keras_register_custom("Other", &none), DL4C_INVALID_ARG,
              "shape and forward");
    REQUIRE_OK(dl4c_keras_import(fx("custom_layers.h5"), NULL, &net));
    CHECK_NEAR(ref_diff(net, fx("custom_layers_ref.h5")), 0, 1e-5);
    /* a saved model builds again where the same classes are registered */
    char path[512];
    snprintf(path, sizeof path, "%s/custom.dl4c", test_tmpdir());
    CHECK_OK(dl4c_model_save(net, path, 0));
    CHECK_OK(dl4c_model_load(path, &again));
    CHECK(again && ref_diff(again, fx("custom_layers_ref.h5")) < 1e-5);
    dl4c_net_free(again);
    dl4c_net_free(net);
}

/* MyDense (a subclass of Dense in Python) mapped onto dl4c's Dense. */
static dl4c_status my_dense(void *user, const char *cfg, char *buf, size_t cap)
{
    (void)user;
    if (!strstr(cfg, "\"units\":"))
        return DL4C_FORMAT;
    const char *u = strstr(cfg, "\"units\":") + 8;
    snprintf(buf, cap, "{\"type\": \"Dense\", \"units\": %d}", atoi(u));
    return DL4C_OK;
}

static void test_translation_and_json(void)
{
    const char *json = test_write_file(
        "my.json",
        "{\"class_name\": \"Sequential\", \"keras_version\": \"2.3.1\", "
        "\"config\": {\"name\": \"s\", \"layers\": ["
        "{\"class_name\": \"MyDense\", \"config\": {\"name\": \"md\", "
        "\"units\": 5, \"batch_input_shape\": [null, 3]}},"
        "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", "
        "\"units\": 2, \"activation\": \"softmax\", \"kernel_initializer\": "
        "{\"class_name\": \"HeNormal\", \"config\": {}}, "
        "\"kernel_regularizer\": {\"class_name\": \"L1L2\", \"config\": "
        "{\"l1\": 0.0, \"l2\": 0.01}}, \"trainable\": false}}]}}");
    dl4c_net *net = NULL;
    CHECK_ERR(dl4c_keras_import(json, NULL, &net), DL4C_UNSUPPORTED,
              "layer 'md' (MyDense)");
    CHECK_OK(dl4c_keras_register_translation("MyDense", my_dense, NULL));
    /* architecture only: weights come from the initializers */
    REQUIRE_OK(dl4c_keras_import(json, NULL, &net));
    CHECK(dl4c_net_num_params(net) == 3 * 5 + 5 + 5 * 2 + 2);
    char *cfg = NULL;
    REQUIRE_OK(dl4c_net_write_config(net, &cfg));
    /* Keras initializers, regularizers (L2 doubled: dl4c's is l2/2 w^2)
     * and trainable: false become dl4c keys */
    CHECK(strstr(cfg, "\"frozen\": true"));
    CHECK(strstr(cfg, "\"l2\": 0.02"));
    CHECK(strstr(cfg, "\"relu\""));
    dl4c_free(cfg);
    dl4c_net_free(net);
}

static void test_weights_file_with_json(void)
{
    const char *cfg =
        test_shared_data("../conformance/keras/dl4j/mnist_mlp_tf_keras_2/"
                         "mnist_mlp_tf_keras_2_config.json");
    if (!cfg)
        TEST_SKIP("no conformance corpus");
    char config[1024], weights[1024];
    snprintf(config, sizeof config, "%s", cfg);
    snprintf(weights, sizeof weights, "%s", cfg);
    strcpy(strstr(weights, "_config.json"), "_weights.h5");
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_keras_import_files(config, weights, NULL, &net));
    CHECK(dl4c_net_num_params(net) ==
          784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10);
    dl4c_net_free(net);
    /* a weights file alone says what it lacks */
    CHECK_ERR(dl4c_keras_import(weights, NULL, &net), DL4C_FORMAT,
              "weights-only file");
}

/* Keras 2.0.5 handed Adam the trainable weights sorted by name; the
 * slots of conv2d_1's kernel are optimizer_weights Variable_28 (m) and
 * Variable_80 (v). */
static void test_sorted_optimizer_state(void)
{
    const char *f = test_shared_data("../conformance/keras/face_classification/"
                                     "gender_mini_XCEPTION.21-0.95.hdf5");
    if (!f)
        TEST_SKIP("no conformance corpus");
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_keras_import(f, NULL, &net));
    CHECK(dl4c_net_iteration(net) == 51436);
    CHECK(dl4c_net_get_metadata(net, "keras.warnings") == NULL);
    CHECK_NEAR(state_at(net, "conv2d_1", "W", 0), 0.04389327, 1e-7);
    CHECK_NEAR(state_at(net, "conv2d_1", "W", 1), 0.07956294, 1e-7);
    dl4c_net_free(net);
}

/* ---- bad input ---- */

static const char *write_bytes(const char *name, const char *src, size_t n)
{
    size_t len = 0;
    char *bytes = test_read_file(src, &len);
    static char path[600];
    snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (f && bytes)
        fwrite(bytes, 1, n < len ? n : len, f);
    if (f)
        fclose(f);
    free(bytes);
    return path;
}

static void test_bad_input(void)
{
    dl4c_net *net = NULL;
    dl4c_keras_options o = dl4c_keras_options_default();
    /* truncated HDF5 and .keras files */
    CHECK_ERR(dl4c_keras_import(write_bytes("cut.h5", fx("iris_mlp.h5"), 6000),
                                NULL, &net),
              DL4C_FORMAT, "cut.h5");
    CHECK_ERR(dl4c_keras_import(write_bytes("cut.h5", fx("iris_mlp.h5"), 8),
                                NULL, &net),
              DL4C_FORMAT, "");
    CHECK_ERR(dl4c_keras_import(
                  write_bytes("cut.keras", fx("functional.keras"), 20000), NULL,
                  &net),
              DL4C_FORMAT, "cut.keras");
    /* wrong magic, missing file */
    CHECK_ERR(dl4c_keras_import(test_source_path("data/iris.csv"), NULL, &net),
              DL4C_FORMAT, "not a Keras model");
    CHECK_ERR(dl4c_keras_import("/nonexistent/m.h5", NULL, &net), DL4C_IO,
              "/nonexistent/m.h5");
    /* an absurd input dimension; weights that do not fit */
    CHECK_ERR(dl4c_keras_import(fx("absurd_dim.h5"), NULL, &net), DL4C_FORMAT,
              "30000000000 is absurdly large");
    CHECK_ERR(dl4c_keras_import(fx("wrong_shape.h5"), NULL, &net), DL4C_SHAPE,
              "layer 'dense_1' (Dense): weight 0 has shape [3, 4]");
    /* NaN weights, refused unless allowed */
    CHECK_ERR(dl4c_keras_import(fx("nan_weights.h5"), NULL, &net), DL4C_FORMAT,
              "'dense_1/kernel:0' holds nan at element 3");
    o.allow_nonfinite = true;
    CHECK_OK(dl4c_keras_import(fx("nan_weights.h5"), &o, &net));
    dl4c_net_free(net);
    net = NULL;
    /* JSON that is not a model; a model without inputs' shapes */
    const char *j1 = test_write_file("x.json", "{\"class_name\": \"Dense\"}");
    CHECK_ERR(dl4c_keras_import(j1, NULL, &net), DL4C_FORMAT,
              "not a Keras model");
    const char *j2 = test_write_file(
        "y.json", "{\"class_name\": \"Sequential\", \"config\": [{"
                  "\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", "
                  "\"units\": 2}}]}");
    CHECK_ERR(dl4c_keras_import(j2, NULL, &net), DL4C_FORMAT,
              "does not say its input shape");
    const char *j3 = test_write_file(
        "z.json",
        "{\"class_name\": \"Sequential\", \"config\": [{"
        "\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": "
        "2, \"batch_input_shape\": [null, null]}}]}");
    CHECK_ERR(dl4c_keras_import(j3, NULL, &net), DL4C_UNSUPPORTED,
              "no fixed size (None)");
    dl4c_shape given = {.ndim = 1, .dim = {7}};
    o.n_input_shapes = 1;
    o.input_shapes = &given;
    CHECK_OK(dl4c_keras_import(j3, &o, &net));
    CHECK(net && dl4c_net_input_shape(net, 0).dim[0] == 7);
    dl4c_net_free(net);
    net = NULL;
    /* a graph that refers to a layer it lacks */
    const char *j4 = test_write_file(
        "w.json",
        "{\"class_name\": \"Model\", \"config\": {\"layers\": ["
        "{\"name\": \"i\", \"class_name\": \"InputLayer\", \"config\": "
        "{\"batch_input_shape\": [null, 2]}, \"inbound_nodes\": []},"
        "{\"name\": \"d\", \"class_name\": \"Dense\", \"config\": {\"units\": "
        "2}, \"inbound_nodes\": [[[\"ghost\", 0, 0, {}]]]}],"
        "\"input_layers\": [[\"i\", 0, 0]], \"output_layers\": [[\"d\", 0, "
        "0]]}}");
    CHECK_ERR(dl4c_keras_import(j4, NULL, &net), DL4C_FORMAT,
              "takes 'ghost', which is not in the model");
    CHECK_ERR(dl4c_keras_import(NULL, NULL, &net), DL4C_INVALID_ARG, "NULL");
    CHECK(net == NULL);
}

TEST_MAIN(test_sniff, test_nested_functional, test_nested_sequential,
          test_time_distributed, test_attention, test_keras3_archive,
          test_channels_first, test_frames_first, test_iris_training,
          test_loss_from_logits, test_many_unsupported_layers,
          test_custom_layers, test_translation_and_json,
          test_weights_file_with_json, test_sorted_optimizer_state,
          test_bad_input)
