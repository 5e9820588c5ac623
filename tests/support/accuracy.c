/* The accuracy runs of the slow tests: train a net on a real IDX dataset
 * of ../shared/data and check its test accuracy. */
#include <string.h>

#include "test.h"

void test_idx_accuracy(const test_accuracy_run *run)
{
    char probe[256], dir[1024];
    snprintf(probe, sizeof probe, "%s/train-images-idx3-ubyte.gz",
             run->dataset);
    if (!test_shared_data(probe))
        TEST_SKIP("../shared/data/%s is not present", run->dataset);
    snprintf(dir, sizeof dir, "%s/data/%s", DL4C_SHARED_DIR, run->dataset);
    dl4c_dataset *train = NULL, *test = NULL;
    dl4c_normalizer *norm = NULL;
    dl4c_net *net = NULL;
    dl4c_iterator *it = NULL, *tit = NULL;
    dl4c_eval *e = NULL;
    REQUIRE_OK(dl4c_mnist_load_dir(dir, true, &train));
    REQUIRE_OK(dl4c_mnist_load_dir(dir, false, &test));
    CHECK(dl4c_dataset_count(train) == 60000 &&
          dl4c_dataset_count(test) == 10000);
    if (run->rows_as_steps) {
        const int64_t rows[2] = {28, 28};
        REQUIRE_OK(dl4c_dataset_reshape_features(train, 2, rows));
        REQUIRE_OK(dl4c_dataset_reshape_features(test, 2, rows));
    }
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_IMAGE, &norm));
    REQUIRE_OK(dl4c_net_parse(run->config, DL4C_F32, &net));
    REQUIRE_OK(dl4c_iterator_create(train, 64, true, run->shuffle_seed, &it));
    REQUIRE_OK(dl4c_iterator_create(test, 1000, false, 0, &tit));
    dl4c_iterator_set_normalizer(it, norm);
    dl4c_iterator_set_normalizer(tit, norm);
    dl4c_listener perf;
    REQUIRE_OK(dl4c_listener_performance(stderr, 100000, &perf));
    dl4c_fit_options o = {
        .epochs = run->epochs, .listeners = &perf, .n_listeners = 1};
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
    fprintf(stderr, "%s: test accuracy %.4f\n", run->dataset,
            dl4c_eval_accuracy(e));
    CHECK_MSG(dl4c_eval_accuracy(e) >= run->min_accuracy,
              "test accuracy %.4f, below %.4f", dl4c_eval_accuracy(e),
              run->min_accuracy);
    dl4c_eval_free(e);
    dl4c_iterator_free(it);
    dl4c_iterator_free(tit);
    dl4c_normalizer_free(norm);
    dl4c_net_free(net);
    dl4c_dataset_free(train);
    dl4c_dataset_free(test);
}
