// labels: unit badinput
/* Training end to end on Iris: accuracy on a held-out split, exact resume
 * from a mid-epoch checkpoint, bit-identical save/load/predict, early
 * stopping, frozen layers and per-layer learning rates, and the errors a
 * user gets for wrong inputs. */
#include <string.h>

#include "test.h"

static const char *MLP =
    "{\"seed\": 123, \"inputs\": [{\"name\": \"features\", \"shape\": [4]}],"
    " \"layers\": ["
    "  {\"name\": \"h1\", \"type\": \"Dense\", \"units\": 16,"
    "   \"activation\": \"relu\"},"
    "  {\"name\": \"h2\", \"type\": \"Dense\", \"units\": 16,"
    "   \"activation\": \"tanh\"},"
    "  {\"name\": \"drop\", \"type\": \"Dropout\", \"rate\": 0.1},"
    "  {\"name\": \"out\", \"type\": \"Output\", \"units\": 3,"
    "   \"activation\": \"softmax\", \"loss\": \"mcxent\"}],"
    " \"training\": {\"updater\": {\"type\": \"adam\", \"learning_rate\": "
    "0.01}, \"l2\": 1e-4}}";

/* Iris standardized, split 80/20 stratified. */
static void load_iris(dl4c_dataset **train, dl4c_dataset **test,
                      dl4c_normalizer **norm)
{
    dl4c_dataset *all = NULL;
    dl4c_csv_options o = dl4c_csv_options_default();
    o.label_from = o.label_to = 4;
    o.num_classes = 3;
    *train = *test = NULL;
    *norm = NULL;
    REQUIRE_OK(dl4c_csv_load(test_source_path("data/iris.csv"), &o, &all));
    REQUIRE(dl4c_dataset_count(all) == 150);
    REQUIRE_OK(dl4c_dataset_split(all, 0.8, 7, train, test));
    dl4c_dataset_free(all);
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_STANDARDIZE, norm));
    REQUIRE_OK(dl4c_normalizer_fit(*norm, *train));
}

static double accuracy(dl4c_net *net, dl4c_iterator *it)
{
    dl4c_eval *e = NULL;
    double acc = -1;
    if (dl4c_eval_create(3, &e) == DL4C_OK &&
        dl4c_net_evaluate(net, it, e) == DL4C_OK)
        acc = dl4c_eval_accuracy(e);
    dl4c_eval_free(e);
    return acc;
}

static void test_iris_reaches_95_percent(void)
{
    dl4c_dataset *train, *test;
    dl4c_normalizer *norm;
    dl4c_net *net = NULL;
    dl4c_iterator *it = NULL, *tit = NULL;
    load_iris(&train, &test, &norm);
    REQUIRE(train && test && norm);
    REQUIRE_OK(dl4c_net_parse(MLP, DL4C_F32, &net));
    REQUIRE_OK(dl4c_iterator_create(train, 16, true, 1, &it));
    REQUIRE_OK(dl4c_iterator_create(test, 32, false, 0, &tit));
    dl4c_iterator_set_normalizer(it, norm);
    dl4c_iterator_set_normalizer(tit, norm);
    double before = 0, after = 0;
    CHECK_OK(dl4c_net_score_iterator(net, it, &before));
    dl4c_fit_options o = {.epochs = 60};
    dl4c_fit_result r;
    CHECK_OK(dl4c_fit(net, it, &o, &r));
    CHECK(dl4c_net_epoch(net) == 60);
    CHECK(r.iterations == 60 * 8); /* 120 examples / 16 per batch, rounded up */
    CHECK_OK(dl4c_net_score_iterator(net, it, &after));
    CHECK_MSG(after < before / 4, "loss %g -> %g", before, after);
    double acc = accuracy(net, tit);
    CHECK_MSG(acc >= 0.95, "held-out accuracy %.4f", acc);
    fprintf(stderr, "iris held-out accuracy %.4f, loss %g -> %g\n", acc, before,
            after);
    dl4c_iterator_free(it);
    dl4c_iterator_free(tit);
    dl4c_net_free(net);
    dl4c_normalizer_free(norm);
    dl4c_dataset_free(train);
    dl4c_dataset_free(test);
}

/* Stops training after `at` iterations, once a checkpoint was written. */
typedef struct stopper {
    int64_t at;
} stopper;

static dl4c_status stop_at(void *ctx, const dl4c_fit_info *info, bool *stop)
{
    stopper *s = ctx;
    if (info->iteration == s->at)
        *stop = true;
    return DL4C_OK;
}

static void test_checkpoint_resume_is_exact(void)
{
    dl4c_dataset *train, *test;
    dl4c_normalizer *norm;
    dl4c_net *a = NULL, *b = NULL, *c = NULL;
    dl4c_iterator *ia = NULL, *ib = NULL, *ic = NULL;
    char dir[1024];
    load_iris(&train, &test, &norm);
    REQUIRE(train);
    snprintf(dir, sizeof dir, "%s/ckpt", test_tmpdir());

    /* uninterrupted: 5 epochs */
    REQUIRE_OK(dl4c_net_parse(MLP, DL4C_F32, &a));
    REQUIRE_OK(dl4c_iterator_create(train, 16, true, 99, &ia));
    dl4c_iterator_set_normalizer(ia, norm);
    dl4c_fit_options o = {.epochs = 5};
    CHECK_OK(dl4c_fit(a, ia, &o, NULL));

    /* interrupted mid-epoch 3 (iteration 19 of 8 per epoch), checkpoint
     * every iteration, then resumed from the newest checkpoint */
    REQUIRE_OK(dl4c_net_parse(MLP, DL4C_F32, &b));
    REQUIRE_OK(dl4c_iterator_create(train, 16, true, 99, &ib));
    dl4c_iterator_set_normalizer(ib, norm);
    dl4c_listener ls[2];
    stopper s = {19};
    REQUIRE_OK(dl4c_listener_checkpoint(dir, 1, 0, 2, &ls[0]));
    ls[1] = (dl4c_listener){.on_iteration = stop_at, .ctx = &s};
    dl4c_fit_options ob = {.epochs = 5, .listeners = ls, .n_listeners = 2};
    dl4c_fit_result r;
    CHECK_OK(dl4c_fit(b, ib, &ob, &r));
    CHECK(r.stopped && r.iterations == 19 && dl4c_net_epoch(b) == 2);
    dl4c_listener_free(&ls[0]);

    char *latest = NULL;
    CHECK_OK(dl4c_checkpoint_latest(dir, &latest));
    REQUIRE(latest && strstr(latest, "checkpoint-19.dl4c"));
    {
        /* only the newest two are kept */
        char old[1100];
        snprintf(old, sizeof old, "%s/checkpoint-17.dl4c", dir);
        FILE *f = fopen(old, "rb");
        CHECK(f == NULL);
        if (f)
            fclose(f);
    }
    REQUIRE_OK(dl4c_iterator_create(train, 16, true, 12345, &ic));
    dl4c_iterator_set_normalizer(ic, norm);
    CHECK_OK(dl4c_checkpoint_load(latest, &c, ic));
    REQUIRE(c != NULL);
    CHECK(dl4c_net_iteration(c) == 19 && dl4c_net_epoch(c) == 2);
    CHECK_OK(dl4c_fit(c, ic, &o, NULL));
    CHECK(dl4c_net_iteration(c) == dl4c_net_iteration(a));
    CHECK_MSG(
        dl4c_tensor_allclose(dl4c_net_params(a), dl4c_net_params(c), 0, 0),
        "resumed params differ by %g",
        dl4c_tensor_max_abs_diff(dl4c_net_params(a), dl4c_net_params(c)));
    CHECK(dl4c_tensor_allclose(dl4c_net_updater_state(a),
                               dl4c_net_updater_state(c), 0, 0));
    dl4c_free(latest);
    dl4c_iterator_free(ia);
    dl4c_iterator_free(ib);
    dl4c_iterator_free(ic);
    dl4c_net_free(a);
    dl4c_net_free(b);
    dl4c_net_free(c);
    dl4c_normalizer_free(norm);
    dl4c_dataset_free(train);
    dl4c_dataset_free(test);
}

static void test_save_load_predict_bit_identical(void)
{
    dl4c_dataset *train, *test;
    dl4c_normalizer *norm;
    dl4c_net *net = NULL, *back = NULL;
    dl4c_iterator *it = NULL;
    dl4c_tensor *x = NULL, *p1 = NULL, *p2 = NULL;
    char path[1024];
    load_iris(&train, &test, &norm);
    REQUIRE(train);
    REQUIRE_OK(dl4c_net_parse(MLP, DL4C_F32, &net));
    REQUIRE_OK(dl4c_iterator_create(train, 16, true, 5, &it));
    dl4c_iterator_set_normalizer(it, norm);
    dl4c_fit_options o = {.epochs = 3};
    CHECK_OK(dl4c_fit(net, it, &o, NULL));
    const char *names[3] = {"setosa", "versicolor", "virginica"};
    CHECK_OK(dl4c_net_set_class_names(net, 3, names));
    REQUIRE_OK(dl4c_tensor_copy(dl4c_dataset_features(test), &x));
    CHECK_OK(dl4c_normalizer_transform(norm, x));
    dl4c_net_set_normalizer(net, norm);
    norm = NULL;
    CHECK_OK(dl4c_net_set_metadata(net, "source", "first"));
    CHECK_OK(dl4c_net_set_metadata(net, "source", "iris \"v2\""));
    CHECK_OK(dl4c_net_set_metadata(net, "notes.x", "{}"));
    CHECK_OK(dl4c_net_set_metadata(net, "gone", "1"));
    CHECK_OK(dl4c_net_set_metadata(net, "gone", NULL));
    CHECK_ERR(dl4c_net_set_metadata(net, "bad key", "1"), DL4C_INVALID_ARG,
              "metadata key 'bad key'");
    CHECK_OK(dl4c_net_predict(net, x, &p1));

    snprintf(path, sizeof path, "%s/iris.dl4c", test_tmpdir());
    CHECK_OK(dl4c_model_save(net, path, DL4C_MODEL_UPDATER));
    CHECK_OK(dl4c_model_load(path, &back));
    REQUIRE(back != NULL);
    CHECK_OK(dl4c_net_predict(back, x, &p2));
    CHECK(p1 && p2 && dl4c_tensor_allclose(p1, p2, 0, 0));
    CHECK(dl4c_tensor_allclose(dl4c_net_params(net), dl4c_net_params(back), 0,
                               0));
    CHECK(dl4c_tensor_allclose(dl4c_net_updater_state(net),
                               dl4c_net_updater_state(back), 0, 0));
    CHECK(dl4c_net_num_class_names(back) == 3 &&
          !strcmp(dl4c_net_class_name(back, 2), "virginica"));
    CHECK(dl4c_net_metadata_count(back) == 2);
    CHECK(!strcmp(dl4c_net_get_metadata(back, "source"), "iris \"v2\""));
    CHECK(!strcmp(dl4c_net_metadata_key(back, 0), "notes.x"));
    CHECK(!strcmp(dl4c_net_metadata_key(back, 1), "source"));
    CHECK(dl4c_net_get_metadata(back, "gone") == NULL);
    CHECK(dl4c_net_normalizer(back) != NULL);
    CHECK(dl4c_net_iteration(back) == dl4c_net_iteration(net) &&
          dl4c_net_epoch(back) == 3);

    /* a damaged file is refused, and so is one cut short */
    size_t len = 0;
    char *bytes = test_read_file(path, &len);
    REQUIRE(bytes && len > 100);
    dl4c_net *bad = NULL;
    bytes[len - 5] ^= 0x40;
    {
        char p3[1100];
        snprintf(p3, sizeof p3, "%s/altered.dl4c", test_tmpdir());
        FILE *f = fopen(p3, "wb");
        fwrite(bytes, 1, len, f);
        fclose(f);
        CHECK_ERR(dl4c_model_load(p3, &bad), DL4C_FORMAT, "altered");
        f = fopen(p3, "wb");
        fwrite(bytes, 1, len / 2, f);
        fclose(f);
        CHECK_ERR(dl4c_model_load(p3, &bad), DL4C_FORMAT, "altered.dl4c");
        CHECK_ERR(dl4c_model_load("/nonexistent/m.dl4c", &bad), DL4C_IO,
                  "/nonexistent/m.dl4c");
    }
    CHECK(bad == NULL);
    free(bytes);
    dl4c_tensor_free(x);
    dl4c_tensor_free(p1);
    dl4c_tensor_free(p2);
    dl4c_iterator_free(it);
    dl4c_net_free(net);
    dl4c_net_free(back);
    dl4c_dataset_free(train);
    dl4c_dataset_free(test);
}

static void test_wrong_input_errors(void)
{
    dl4c_net *net = NULL;
    dl4c_tensor *x = NULL, *y = NULL, *out = NULL;
    REQUIRE_OK(dl4c_net_parse(MLP, DL4C_F32, &net));
    int64_t wide[2] = {10, 5}, ok[2] = {10, 4}, labels[2] = {10, 2};
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, wide, &x));
    CHECK_ERR(dl4c_net_predict(net, x, &out), DL4C_SHAPE,
              "input 'features': expected [N, 4], got [10, 5]");
    CHECK(out == NULL);
    dl4c_tensor_free(x);
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 2, ok, &x));
    CHECK_ERR(dl4c_net_predict(net, x, &out), DL4C_INVALID_ARG,
              "input 'features' is float64, the net is float32");
    dl4c_tensor_free(x);
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, ok, &x));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, labels, &y));
    const dl4c_tensor *in[1] = {x}, *lab[1] = {y};
    dl4c_net_targets t = {1, lab, NULL};
    double s;
    CHECK_ERR(dl4c_net_compute_gradients(net, 1, in, &t, &s), DL4C_SHAPE,
              "layer 'out': loss mcxent needs labels with 3 values per row");
    dl4c_tensor_free(y);
    /* class indices work for a softmax cross-entropy; out of range fails */
    int64_t idx[2] = {10, 1};
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, idx, &y));
    lab[0] = y;
    CHECK_OK(dl4c_net_compute_gradients(net, 1, in, &t, &s));
    dl4c_tensor_set(y, 3, 7);
    CHECK_ERR(dl4c_net_compute_gradients(net, 1, in, &t, &s), DL4C_INVALID_ARG,
              "label 7 of row 3 is not a class index");
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_net_free(net);
}

/* Frozen layers keep their weights; others move. A layer learning rate of
 * 0 freezes it in effect too. */
static void test_frozen_and_layer_rates(void)
{
    dl4c_dataset *train, *test;
    dl4c_normalizer *norm;
    dl4c_net *net = NULL;
    dl4c_iterator *it = NULL;
    dl4c_tensor *h1 = NULL, *h2 = NULL, *o = NULL;
    load_iris(&train, &test, &norm);
    REQUIRE(train);
    REQUIRE_OK(dl4c_net_parse(MLP, DL4C_F32, &net));
    CHECK_OK(dl4c_net_set_frozen(net, "h1", true));
    CHECK_OK(dl4c_net_set_layer_learning_rate(net, "h2", 0.0));
    CHECK_ERR(dl4c_net_set_frozen(net, "nope", true), DL4C_INVALID_ARG,
              "no layer named 'nope'");
    REQUIRE_OK(dl4c_tensor_copy(dl4c_net_param(net, "h1", "W"), &h1));
    REQUIRE_OK(dl4c_tensor_copy(dl4c_net_param(net, "h2", "W"), &h2));
    REQUIRE_OK(dl4c_tensor_copy(dl4c_net_param(net, "out", "W"), &o));
    REQUIRE_OK(dl4c_iterator_create(train, 16, true, 5, &it));
    dl4c_iterator_set_normalizer(it, norm);
    dl4c_fit_options opt = {.epochs = 2};
    CHECK_OK(dl4c_fit(net, it, &opt, NULL));
    CHECK(dl4c_tensor_allclose(h1, dl4c_net_param(net, "h1", "W"), 0, 0));
    CHECK(dl4c_tensor_allclose(h2, dl4c_net_param(net, "h2", "W"), 0, 0));
    CHECK(!dl4c_tensor_allclose(o, dl4c_net_param(net, "out", "W"), 0, 0));
    char *summary = NULL;
    CHECK_OK(dl4c_net_summary(net, &summary));
    CHECK(summary && strstr(summary, "Trainable params: ") &&
          strstr(summary, "Non-trainable params: 80"));
    dl4c_free(summary);
    dl4c_tensor_free(h1);
    dl4c_tensor_free(h2);
    dl4c_tensor_free(o);
    dl4c_iterator_free(it);
    dl4c_net_free(net);
    dl4c_normalizer_free(norm);
    dl4c_dataset_free(train);
    dl4c_dataset_free(test);
}

static void test_early_stopping(void)
{
    dl4c_dataset *train, *test;
    dl4c_normalizer *norm;
    dl4c_net *net = NULL;
    dl4c_iterator *it = NULL, *val = NULL;
    char best[1024];
    load_iris(&train, &test, &norm);
    REQUIRE(train);
    REQUIRE_OK(dl4c_net_parse(MLP, DL4C_F32, &net));
    REQUIRE_OK(dl4c_iterator_create(train, 16, true, 3, &it));
    REQUIRE_OK(dl4c_iterator_create(test, 64, false, 0, &val));
    dl4c_iterator_set_normalizer(it, norm);
    dl4c_iterator_set_normalizer(val, norm);
    snprintf(best, sizeof best, "%s/best.dl4c", test_tmpdir());

    /* epoch limit */
    dl4c_early_stopping cfg = {.max_epochs = 4, .best_path = best};
    dl4c_early_stopping_result r;
    CHECK_OK(dl4c_fit_early_stopping(net, it, val, &cfg, NULL, &r));
    CHECK(r.reason == DL4C_STOP_MAX_EPOCHS && r.epochs == 4);
    CHECK(r.best_epoch >= 1 && r.best_epoch <= 4);
    /* the net holds its best parameters, as does the saved file */
    double s = 0;
    CHECK_OK(dl4c_net_score_iterator(net, val, &s));
    CHECK_NEAR(s, r.best_score, 1e-6);
    dl4c_net *saved = NULL;
    CHECK_OK(dl4c_model_load(best, &saved));
    CHECK(saved && dl4c_tensor_allclose(dl4c_net_params(saved),
                                        dl4c_net_params(net), 0, 0));
    dl4c_net_free(saved);

    /* patience: a learning rate of zero never improves after epoch 1 */
    dl4c_updater u = dl4c_net_get_updater(net);
    u.learning_rate = 0;
    CHECK_OK(dl4c_net_set_updater(net, &u));
    dl4c_early_stopping p = {.max_epochs = 50, .patience = 3};
    CHECK_OK(dl4c_fit_early_stopping(net, it, val, &p, NULL, &r));
    CHECK(r.reason == DL4C_STOP_NO_IMPROVEMENT);
    CHECK(r.epochs == 4 && r.best_epoch == 1);

    /* time limit */
    dl4c_early_stopping t = {.max_epochs = 1000000, .max_seconds = 0.2};
    CHECK_OK(dl4c_fit_early_stopping(net, it, val, &t, NULL, &r));
    CHECK(r.reason == DL4C_STOP_MAX_TIME);
    CHECK_ERR(dl4c_fit_early_stopping(net, it, val, &(dl4c_early_stopping){0},
                                      NULL, &r),
              DL4C_INVALID_ARG, "max_epochs");
    dl4c_iterator_free(it);
    dl4c_iterator_free(val);
    dl4c_net_free(net);
    dl4c_normalizer_free(norm);
    dl4c_dataset_free(train);
    dl4c_dataset_free(test);
}

TEST_MAIN(test_iris_reaches_95_percent, test_checkpoint_resume_is_exact,
          test_save_load_predict_bit_identical, test_wrong_input_errors,
          test_frozen_and_layer_rates, test_early_stopping)
