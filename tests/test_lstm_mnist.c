// labels: slow heavy
/* An LSTM reading MNIST rows as a sequence (28 steps of 28 pixels):
 * LSTM(128) then a softmax output, Adam, batch 64, two epochs, must reach
 * at least 97 % test accuracy with a fixed seed. Needs
 * ../shared/data/mnist (skipped without it). */
#include <string.h>

#include "test.h"

static const char *CONFIG =
    "{\"seed\": 12345, \"inputs\": [{\"name\": \"rows\", \"shape\": [28, "
    "28]}],"
    " \"layers\": ["
    "  {\"type\": \"LSTM\", \"units\": 128},"
    "  {\"type\": \"Output\", \"units\": 10, \"activation\": \"softmax\","
    "   \"loss\": \"mcxent\"}],"
    " \"training\": {\"updater\": {\"type\": \"adam\", \"learning_rate\": "
    "0.002}}}";

static void test_lstm_mnist_reaches_97_percent(void)
{
    const char *probe = test_shared_data("mnist/train-images-idx3-ubyte.gz");
    if (!probe)
        TEST_SKIP("../shared/data/mnist is not present");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/data/mnist", DL4C_SHARED_DIR);
    dl4c_dataset *train = NULL, *test = NULL;
    dl4c_normalizer *norm = NULL;
    dl4c_net *net = NULL;
    dl4c_iterator *it = NULL, *tit = NULL;
    dl4c_eval *e = NULL;
    const int64_t rows[2] = {28, 28};
    REQUIRE_OK(dl4c_mnist_load_dir(dir, true, &train));
    REQUIRE_OK(dl4c_mnist_load_dir(dir, false, &test));
    REQUIRE_OK(dl4c_dataset_reshape_features(train, 2, rows));
    REQUIRE_OK(dl4c_dataset_reshape_features(test, 2, rows));
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_IMAGE, &norm));
    REQUIRE_OK(dl4c_net_parse(CONFIG, DL4C_F32, &net));
    REQUIRE_OK(dl4c_iterator_create(train, 64, true, 123, &it));
    REQUIRE_OK(dl4c_iterator_create(test, 1000, false, 0, &tit));
    dl4c_iterator_set_normalizer(it, norm);
    dl4c_iterator_set_normalizer(tit, norm);
    dl4c_listener perf;
    REQUIRE_OK(dl4c_listener_performance(stderr, 100000, &perf));
    dl4c_fit_options o = {.epochs = 2, .listeners = &perf, .n_listeners = 1};
    CHECK_OK(dl4c_fit(net, it, &o, NULL));
    dl4c_listener_free(&perf);
    REQUIRE_OK(dl4c_eval_create(10, &e));
    CHECK_OK(dl4c_net_evaluate(net, tit, e));
    char *stats = NULL;
    CHECK_OK(dl4c_eval_stats(e, &stats));
    if (stats)
        fprintf(stderr, "%s\n", stats);
    dl4c_free(stats);
    CHECK(dl4c_eval_count(e) == 10000);
    CHECK_MSG(dl4c_eval_accuracy(e) >= 0.97, "test accuracy %.4f",
              dl4c_eval_accuracy(e));
    dl4c_eval_free(e);
    dl4c_iterator_free(it);
    dl4c_iterator_free(tit);
    dl4c_normalizer_free(norm);
    dl4c_net_free(net);
    dl4c_dataset_free(train);
    dl4c_dataset_free(test);
}

TEST_MAIN(test_lstm_mnist_reaches_97_percent)
