// labels: unit badinput
/* Datasets and the batching iterator: batch contents and sizes, shuffles
 * that visit every example once per epoch and depend only on the seed,
 * exact resume from a saved state (mid-epoch, at an epoch's end, after a
 * reset), normalizers on the batch buffers, no allocation per batch, and
 * bad states. Also dataset subset/split. */
#include <stdint.h>

#include "dl4c/data.h"
#include "test.h"

/* an allocator failing at allocation number `fail_at` */
static long fail_at, n_allocs;

static void *fail_malloc(size_t n, void *ctx)
{
    (void)ctx;
    return n_allocs++ == fail_at ? NULL : malloc(n);
}

static void *fail_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    return n_allocs++ == fail_at ? NULL : realloc(p, n);
}

static void fail_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

static const dl4c_allocator failing = {fail_malloc, fail_realloc, fail_free,
                                       NULL};

/* N examples whose single feature is their index; labels one-hot over 3
 * classes (index % 3) when `labels` */
static dl4c_dataset *index_ds(int64_t n, bool labels)
{
    dl4c_tensor *x = NULL, *y = NULL;
    int64_t sx[2] = {n, 1}, sy[2] = {n, 3};
    dl4c_dataset *ds = NULL;
    if (dl4c_tensor_create(DL4C_F32, 2, sx, &x) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; i < n; i++)
        dl4c_tensor_set(x, i, (double)i);
    if (labels) {
        if (dl4c_tensor_create(DL4C_F32, 2, sy, &y) != DL4C_OK)
            return NULL;
        for (int64_t i = 0; i < n; i++)
            dl4c_tensor_set(y, i * 3 + i % 3, 1.0);
    }
    if (dl4c_dataset_create(x, y, &ds) != DL4C_OK)
        return NULL;
    if (labels && dl4c_dataset_set_classes(ds, 3, NULL) != DL4C_OK)
        return NULL;
    return ds;
}

static dl4c_dataset *load_iris(void)
{
    dl4c_csv_options o = dl4c_csv_options_default();
    o.label_from = o.label_to = 4;
    o.num_classes = 3;
    dl4c_dataset *ds = NULL;
    if (dl4c_csv_load(test_source_path("data/iris.csv"), &o, &ds) != DL4C_OK)
        fprintf(stderr, "iris: %s\n", dl4c_last_error());
    return ds;
}

/* The example indices of one epoch (features hold the index), into
 * order[]; returns how many. */
static int64_t epoch_order(dl4c_iterator *it, int64_t *order, int64_t cap)
{
    int64_t n = 0;
    dl4c_batch b;
    while (dl4c_iterator_has_next(it)) {
        if (dl4c_iterator_next(it, &b) != DL4C_OK)
            return -1;
        for (int64_t i = 0; i < b.size && n < cap; i++)
            order[n++] = (int64_t)dl4c_tensor_get(b.features, i);
    }
    return n;
}

static bool is_permutation(const int64_t *order, int64_t n)
{
    static char seen[10000];
    memset(seen, 0, sizeof seen);
    for (int64_t i = 0; i < n; i++) {
        if (order[i] < 0 || order[i] >= n || seen[order[i]])
            return false;
        seen[order[i]] = 1;
    }
    return true;
}

static void test_sequential_batches(void)
{
    dl4c_dataset *ds = load_iris();
    REQUIRE(ds);
    dl4c_iterator *it = NULL;
    REQUIRE_OK(dl4c_iterator_create(ds, 16, false, 0, &it));
    CHECK(dl4c_iterator_batch_size(it) == 16);
    CHECK(dl4c_iterator_count(it) == 150);
    CHECK(dl4c_iterator_position(it) == 0);
    dl4c_batch b;
    int batches = 0;
    int64_t seen = 0;
    while (dl4c_iterator_has_next(it)) {
        REQUIRE_OK(dl4c_iterator_next(it, &b));
        CHECK(b.size == (batches < 9 ? 16 : 6));
        CHECK(dl4c_tensor_dim(b.features, 0) == b.size);
        CHECK(dl4c_tensor_dim(b.features, 1) == 4);
        CHECK(dl4c_tensor_dim(b.labels, 0) == b.size);
        CHECK(dl4c_tensor_dim(b.labels, 1) == 3);
        CHECK(b.features_mask == NULL && b.labels_mask == NULL);
        /* rows in file order */
        const float *src = dl4c_tensor_data(dl4c_dataset_features(ds));
        CHECK(!memcmp(dl4c_tensor_data(b.features), src + seen * 4,
                      (size_t)b.size * 4 * sizeof(float)));
        seen += b.size;
        batches++;
        CHECK(dl4c_iterator_position(it) == seen);
    }
    CHECK(batches == 10 && seen == 150);
    CHECK_ERR(dl4c_iterator_next(it, &b), DL4C_STATE,
              "the epoch is over after 150 examples");
    CHECK_OK(dl4c_iterator_reset(it));
    CHECK(dl4c_iterator_position(it) == 0);
    /* first batch again: row 0 is 5.1,3.5,1.4,0.2 class 0 */
    REQUIRE_OK(dl4c_iterator_next(it, &b));
    CHECK(dl4c_tensor_get(b.features, 0) == 5.1f);
    CHECK(dl4c_tensor_get(b.labels, 0) == 1.0f);
    dl4c_iterator_free(it);

    /* a batch larger than the dataset: one batch of everything */
    REQUIRE_OK(dl4c_iterator_create(ds, 1000, true, 3, &it));
    REQUIRE_OK(dl4c_iterator_next(it, &b));
    CHECK(b.size == 150 && !dl4c_iterator_has_next(it));
    dl4c_iterator_free(it);
    dl4c_dataset_free(ds);
}

static void test_shuffle_orders(void)
{
    enum { N = 103 };
    dl4c_dataset *ds = index_ds(N, true);
    REQUIRE(ds);
    dl4c_iterator *a = NULL, *b = NULL, *c = NULL;
    REQUIRE_OK(dl4c_iterator_create(ds, 10, true, 42, &a));
    REQUIRE_OK(dl4c_iterator_create(ds, 10, true, 42, &b));
    REQUIRE_OK(dl4c_iterator_create(ds, 10, true, 43, &c));
    int64_t oa[3][N], ob[N], oc[N];
    for (int e = 0; e < 3; e++) {
        CHECK(epoch_order(a, oa[e], N) == N);
        CHECK(is_permutation(oa[e], N));
        CHECK(epoch_order(b, ob, N) == N);
        CHECK(!memcmp(oa[e], ob, sizeof ob)); /* same seed, same order */
        CHECK(epoch_order(c, oc, N) == N);
        CHECK(is_permutation(oc, N));
        CHECK(memcmp(oa[e], oc, sizeof oc) != 0); /* another seed */
        CHECK_OK(dl4c_iterator_reset(a));
        CHECK_OK(dl4c_iterator_reset(b));
        CHECK_OK(dl4c_iterator_reset(c));
    }
    /* each epoch is a new order, and not the identity */
    CHECK(memcmp(oa[0], oa[1], sizeof oa[0]) != 0);
    CHECK(memcmp(oa[1], oa[2], sizeof oa[0]) != 0);
    int64_t same = 0;
    for (int64_t i = 0; i < N; i++)
        same += oa[0][i] == i;
    CHECK(same < N / 2);
    /* labels travel with their features */
    dl4c_iterator_free(a);
    REQUIRE_OK(dl4c_iterator_create(ds, 7, true, 5, &a));
    dl4c_batch bt;
    while (dl4c_iterator_has_next(a)) {
        REQUIRE_OK(dl4c_iterator_next(a, &bt));
        for (int64_t i = 0; i < bt.size; i++) {
            int64_t idx = (int64_t)dl4c_tensor_get(bt.features, i);
            CHECK(dl4c_tensor_get(bt.labels, i * 3 + idx % 3) == 1.0f);
        }
    }
    dl4c_iterator_free(a);
    dl4c_iterator_free(b);
    dl4c_iterator_free(c);
    dl4c_dataset_free(ds);
}

/* The next `k` batches (crossing epoch ends with a reset) as indices. */
static void run_batches(dl4c_iterator *it, int k, int64_t *out, int64_t *n)
{
    dl4c_batch b;
    *n = 0;
    for (int i = 0; i < k; i++) {
        if (!dl4c_iterator_has_next(it) && dl4c_iterator_reset(it) != DL4C_OK)
            return;
        if (dl4c_iterator_next(it, &b) != DL4C_OK)
            return;
        for (int64_t j = 0; j < b.size; j++)
            out[(*n)++] = (int64_t)dl4c_tensor_get(b.features, j);
        out[(*n)++] = -1; /* batch boundary */
    }
}

static void check_resume(dl4c_dataset *ds, int skip_batches, bool shuffle)
{
    enum { K = 25 };
    static int64_t want[4096], got[4096];
    int64_t nw = 0, ng = 0;
    dl4c_iterator *a = NULL, *b = NULL;
    REQUIRE_OK(dl4c_iterator_create(ds, 8, shuffle, 1234, &a));
    int64_t dummy[4096], nd;
    run_batches(a, skip_batches, dummy, &nd);
    int64_t pos = dl4c_iterator_position(a);
    char *state = NULL;
    REQUIRE_OK(dl4c_iterator_state_save(a, &state));
    run_batches(a, K, want, &nw);
    /* a differently seeded iterator continues exactly like a */
    REQUIRE_OK(dl4c_iterator_create(ds, 8, shuffle, 999, &b));
    run_batches(b, 3, dummy, &nd); /* wherever it was */
    REQUIRE_OK(dl4c_iterator_state_load(b, state));
    CHECK(dl4c_iterator_position(b) == pos);
    run_batches(b, K, got, &ng);
    CHECK(nw == ng && nw > K);
    CHECK_MSG(!memcmp(want, got, (size_t)nw * sizeof want[0]),
              "resume after %d batches differs", skip_batches);
    /* saving again from the loaded iterator gives the same state */
    dl4c_iterator *c = NULL;
    REQUIRE_OK(dl4c_iterator_create(ds, 8, shuffle, 7, &c));
    REQUIRE_OK(dl4c_iterator_state_load(c, state));
    char *again = NULL;
    REQUIRE_OK(dl4c_iterator_state_save(c, &again));
    CHECK(strstr(again, "\"cursor\"") != NULL);
    dl4c_free(again);
    dl4c_free(state);
    dl4c_iterator_free(a);
    dl4c_iterator_free(b);
    dl4c_iterator_free(c);
}

static void test_state_resume(void)
{
    dl4c_dataset *ds = index_ds(50, true); /* 7 batches of 8 per epoch */
    REQUIRE(ds);
    check_resume(ds, 0, true);  /* fresh */
    check_resume(ds, 3, true);  /* mid-epoch */
    check_resume(ds, 7, true);  /* epoch done, before the reset */
    check_resume(ds, 8, true);  /* first batch after a reset */
    check_resume(ds, 17, true); /* third epoch */
    check_resume(ds, 3, false); /* without shuffling */

    /* position survives the round trip */
    dl4c_iterator *a = NULL, *b = NULL;
    REQUIRE_OK(dl4c_iterator_create(ds, 8, true, 1, &a));
    REQUIRE_OK(dl4c_iterator_create(ds, 8, true, 1, &b));
    dl4c_batch bt;
    REQUIRE_OK(dl4c_iterator_next(a, &bt));
    REQUIRE_OK(dl4c_iterator_next(a, &bt));
    char *state = NULL;
    REQUIRE_OK(dl4c_iterator_state_save(a, &state));
    REQUIRE_OK(dl4c_iterator_state_load(b, state));
    CHECK(dl4c_iterator_position(b) == 16);
    dl4c_free(state);
    dl4c_iterator_free(a);
    dl4c_iterator_free(b);
    dl4c_dataset_free(ds);
}

static void test_state_bad(void)
{
    dl4c_dataset *ds = index_ds(50, false), *other = index_ds(40, false);
    REQUIRE(ds && other);
    dl4c_iterator *it = NULL, *it2 = NULL, *seq = NULL;
    REQUIRE_OK(dl4c_iterator_create(ds, 8, true, 1, &it));
    REQUIRE_OK(dl4c_iterator_create(other, 8, true, 1, &it2));
    REQUIRE_OK(dl4c_iterator_create(ds, 8, false, 1, &seq));
    char *state = NULL;
    REQUIRE_OK(dl4c_iterator_state_save(it, &state));
    CHECK_ERR(dl4c_iterator_state_load(it2, state), DL4C_FORMAT,
              "saved over 50 examples, this dataset has 40");
    CHECK_ERR(dl4c_iterator_state_load(seq, state), DL4C_FORMAT,
              "\"shuffle\" missing or different");
    CHECK_ERR(dl4c_iterator_state_load(it, "not json"), DL4C_FORMAT,
              "iterator state: line 1");
    CHECK_ERR(dl4c_iterator_state_load(it, "[]"), DL4C_FORMAT,
              "not a JSON object");
    CHECK_ERR(dl4c_iterator_state_load(
                  it, "{\"kind\": \"prefetch\", \"version\": 1}"),
              DL4C_FORMAT, "saved from a 'prefetch' iterator");
    CHECK_ERR(
        dl4c_iterator_state_load(it, "{\"kind\": \"dataset\", \"version\": 2}"),
        DL4C_FORMAT, "unsupported \"version\"");
    CHECK_ERR(
        dl4c_iterator_state_load(it, "{\"kind\": \"dataset\", \"version\": 1}"),
        DL4C_FORMAT, "missing or not a number");
    /* the cursor edited past the end */
    char *p = strstr(state, "\"cursor\":0");
    REQUIRE(p);
    char edited[2048];
    snprintf(edited, sizeof edited, "%.*s\"cursor\":51%s", (int)(p - state),
             state, p + strlen("\"cursor\":0"));
    CHECK_ERR(dl4c_iterator_state_load(it, edited), DL4C_FORMAT,
              "cursor 51 out of range");
    /* a broken rng word */
    p = strstr(state, "\"epoch_rng\":[\"");
    REQUIRE(p);
    snprintf(edited, sizeof edited, "%.*s\"epoch_rng\":[\"xyz\"%s",
             (int)(p - state), state, p + strlen("\"epoch_rng\":[\"") + 17);
    CHECK_ERR(dl4c_iterator_state_load(it, edited), DL4C_FORMAT,
              "\"epoch_rng\"[0] is not a hex string");
    /* a failed load leaves the iterator usable where it was */
    CHECK(dl4c_iterator_position(it) == 0 && dl4c_iterator_has_next(it));
    dl4c_free(state);
    dl4c_iterator_free(it);
    dl4c_iterator_free(it2);
    dl4c_iterator_free(seq);
    dl4c_dataset_free(ds);
    dl4c_dataset_free(other);
}

static void test_normalized_batches(void)
{
    dl4c_dataset *ds = NULL;
    REQUIRE_OK(
        dl4c_mnist_load_dir(test_source_path("data/mnist-small"), false, &ds));
    dl4c_normalizer *n = NULL;
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_IMAGE, &n));
    dl4c_iterator *it = NULL;
    REQUIRE_OK(dl4c_iterator_create(ds, 32, false, 0, &it));
    dl4c_iterator_set_normalizer(it, n);
    dl4c_batch b;
    REQUIRE_OK(dl4c_iterator_next(it, &b));
    CHECK(dl4c_tensor_ndim(b.features) == 4);
    CHECK(dl4c_tensor_dim(b.features, 0) == 32);
    CHECK(dl4c_tensor_dim(b.features, 3) == 1);
    /* test record 0, row 13, col 18 is 254 */
    CHECK_NEAR(dl4c_tensor_get(b.features, 13 * 28 + 18), 254.0 / 255.0, 1e-7);
    CHECK(dl4c_tensor_get(dl4c_dataset_features(ds), 13 * 28 + 18) == 254.0f);
    /* labels are not touched by a feature normalizer */
    CHECK(dl4c_tensor_get(b.labels, 7) == 1.0f); /* record 0 is a 7 */
    /* removing it gives raw pixels again */
    dl4c_iterator_set_normalizer(it, NULL);
    REQUIRE_OK(dl4c_iterator_next(it, &b));
    CHECK(dl4c_tensor_get(dl4c_dataset_features(ds), 32 * 784 + 300) ==
          dl4c_tensor_get(b.features, 300));
    dl4c_iterator_free(it);
    dl4c_normalizer_free(n);
    dl4c_dataset_free(ds);

    /* standardize: each batch equals the transform of its rows */
    ds = load_iris();
    REQUIRE(ds);
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_STANDARDIZE, &n));
    REQUIRE_OK(dl4c_normalizer_fit(n, ds));
    dl4c_tensor *all = NULL;
    REQUIRE_OK(dl4c_tensor_copy(dl4c_dataset_features(ds), &all));
    REQUIRE_OK(dl4c_normalizer_transform(n, all));
    REQUIRE_OK(dl4c_iterator_create(ds, 50, false, 0, &it));
    dl4c_iterator_set_normalizer(it, n);
    int64_t row = 0;
    while (dl4c_iterator_has_next(it)) {
        REQUIRE_OK(dl4c_iterator_next(it, &b));
        CHECK(!memcmp(dl4c_tensor_data(b.features),
                      (const float *)dl4c_tensor_data(all) + row * 4,
                      (size_t)b.size * 4 * sizeof(float)));
        row += b.size;
    }
    dl4c_iterator_free(it);

    /* a normalizer fitted on another width fails the batch */
    dl4c_dataset *one = index_ds(10, false);
    REQUIRE(one);
    REQUIRE_OK(dl4c_iterator_create(one, 4, false, 0, &it));
    dl4c_iterator_set_normalizer(it, n);
    CHECK_ERR(dl4c_iterator_next(it, &b), DL4C_SHAPE,
              "iterator: normalizer: features have 1 columns");
    dl4c_iterator_free(it);
    dl4c_dataset_free(one);
    dl4c_tensor_free(all);
    dl4c_normalizer_free(n);
    dl4c_dataset_free(ds);
}

static long alloc_count;

static void *count_malloc(size_t n, void *ctx)
{
    (void)ctx;
    alloc_count++;
    return malloc(n);
}

static void *count_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    alloc_count++;
    return realloc(p, n);
}

static void count_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

static void test_no_alloc_per_batch(void)
{
    dl4c_dataset *ds = load_iris();
    REQUIRE(ds);
    dl4c_normalizer *n = NULL;
    REQUIRE_OK(dl4c_normalizer_create(DL4C_NORM_MINMAX, &n));
    REQUIRE_OK(dl4c_normalizer_fit(n, ds));
    dl4c_iterator *it = NULL;
    REQUIRE_OK(dl4c_iterator_create(ds, 16, true, 11, &it));
    dl4c_iterator_set_normalizer(it, n);
    /* plain malloc underneath, so memory crosses the switch safely */
    dl4c_allocator counting = {count_malloc, count_realloc, count_free, NULL};
    dl4c_set_allocator(&counting);
    alloc_count = 0;
    int batches = 0;
    dl4c_status st = DL4C_OK;
    for (int e = 0; e < 3 && st == DL4C_OK; e++) {
        dl4c_batch b;
        while (st == DL4C_OK && dl4c_iterator_has_next(it)) {
            st = dl4c_iterator_next(it, &b);
            batches++;
        }
        if (st == DL4C_OK)
            st = dl4c_iterator_reset(it);
    }
    long during = alloc_count;
    dl4c_set_allocator(NULL);
    CHECK_OK(st);
    CHECK(batches == 30);
    CHECK_MSG(during == 0, "%ld allocations in 30 batches", during);
    dl4c_iterator_free(it);
    dl4c_normalizer_free(n);
    dl4c_dataset_free(ds);
}

static void test_unlabeled_and_args(void)
{
    dl4c_dataset *ds = index_ds(5, false);
    REQUIRE(ds);
    dl4c_iterator *it = NULL;
    CHECK_ERR(dl4c_iterator_create(ds, 0, false, 0, &it), DL4C_INVALID_ARG,
              "batch size 0 must be > 0");
    CHECK_ERR(dl4c_iterator_create(NULL, 4, false, 0, &it), DL4C_INVALID_ARG,
              "NULL dataset");
    CHECK(it == NULL);
    REQUIRE_OK(dl4c_iterator_create(ds, 4, false, 0, &it));
    dl4c_batch b;
    REQUIRE_OK(dl4c_iterator_next(it, &b));
    CHECK(b.labels == NULL && b.size == 4);
    REQUIRE_OK(dl4c_iterator_next(it, &b));
    CHECK(b.size == 1 && dl4c_tensor_get(b.features, 0) == 4.0f);
    dl4c_iterator_free(it);
    dl4c_iterator_free(NULL);
    CHECK(!dl4c_iterator_has_next(NULL));
    dl4c_dataset_free(ds);
}

static void test_dataset_basics(void)
{
    dl4c_tensor *x = NULL, *y = NULL;
    int64_t sx[2] = {4, 2}, sy[2] = {3, 1};
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, sx, &x));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, sy, &y));
    dl4c_dataset *ds = NULL;
    /* ownership passes even on failure: nothing leaks here */
    CHECK_ERR(dl4c_dataset_create(x, y, &ds), DL4C_SHAPE,
              "4 feature rows but 3 label rows");
    CHECK(ds == NULL);
    CHECK_ERR(dl4c_dataset_create(NULL, NULL, &ds), DL4C_INVALID_ARG,
              "features are NULL");

    ds = index_ds(9, true);
    REQUIRE(ds);
    static const char *const names[] = {"a", "b", "c"};
    CHECK_OK(dl4c_dataset_set_classes(ds, 3, names));
    CHECK(!strcmp(dl4c_dataset_class_name(ds, 2), "c"));
    CHECK(dl4c_dataset_class_name(ds, 3) == NULL);
    CHECK_ERR(dl4c_dataset_set_classes(ds, 4, NULL), DL4C_SHAPE,
              "4 classes need one-hot labels [N, 4]");
    dl4c_dataset *sub = NULL;
    REQUIRE_OK(dl4c_dataset_subset(ds, 2, 5, &sub));
    CHECK(dl4c_dataset_count(sub) == 5);
    CHECK(dl4c_tensor_get(dl4c_dataset_features(sub), 0) == 2.0f);
    CHECK(dl4c_tensor_get(dl4c_dataset_features(sub), 4) == 6.0f);
    CHECK(dl4c_dataset_num_classes(sub) == 3);
    CHECK(!strcmp(dl4c_dataset_class_name(sub, 0), "a"));
    dl4c_dataset_free(sub);
    CHECK_ERR(dl4c_dataset_subset(ds, 5, 5, &sub), DL4C_INVALID_ARG,
              "start 5, count 5 outside the 9 examples");
    CHECK(sub == NULL);
    dl4c_dataset *unl = index_ds(3, false);
    REQUIRE(unl);
    CHECK_ERR(dl4c_dataset_set_classes(unl, 2, NULL), DL4C_STATE, "no labels");
    dl4c_dataset_free(unl);
    dl4c_dataset_free(ds);
}

static void count_classes(const dl4c_dataset *ds, int *counts)
{
    const dl4c_tensor *y = dl4c_dataset_labels(ds);
    for (int k = 0; k < 3; k++)
        counts[k] = 0;
    for (int64_t i = 0; i < dl4c_dataset_count(ds); i++)
        for (int k = 0; k < 3; k++)
            counts[k] += dl4c_tensor_get(y, i * 3 + k) == 1.0;
}

static void test_split(void)
{
    dl4c_dataset *ds = load_iris();
    REQUIRE(ds);
    dl4c_dataset *tr = NULL, *te = NULL, *tr2 = NULL, *te2 = NULL;
    REQUIRE_OK(dl4c_dataset_split(ds, 0.8, 7, &tr, &te));
    CHECK(dl4c_dataset_count(tr) == 120 && dl4c_dataset_count(te) == 30);
    int c[3];
    count_classes(tr, c);
    CHECK(c[0] == 40 && c[1] == 40 && c[2] == 40);
    count_classes(te, c);
    CHECK(c[0] == 10 && c[1] == 10 && c[2] == 10);
    /* the same seed gives the same split, another seed another */
    REQUIRE_OK(dl4c_dataset_split(ds, 0.8, 7, &tr2, &te2));
    CHECK(dl4c_tensor_max_abs_diff(dl4c_dataset_features(tr),
                                   dl4c_dataset_features(tr2)) == 0.0);
    dl4c_dataset_free(tr2);
    dl4c_dataset_free(te2);
    REQUIRE_OK(dl4c_dataset_split(ds, 0.8, 8, &tr2, &te2));
    CHECK(dl4c_tensor_max_abs_diff(dl4c_dataset_features(tr),
                                   dl4c_dataset_features(tr2)) > 0.0);
    dl4c_dataset_free(tr2);
    dl4c_dataset_free(te2);
    dl4c_dataset_free(tr);
    dl4c_dataset_free(te);

    /* unlabeled: round(0.55 * 10) = 6 to train */
    dl4c_dataset *small = index_ds(10, false);
    REQUIRE(small);
    REQUIRE_OK(dl4c_dataset_split(small, 0.55, 1, &tr, &te));
    CHECK(dl4c_dataset_count(tr) == 6 && dl4c_dataset_count(te) == 4);
    dl4c_dataset_free(tr);
    dl4c_dataset_free(te);
    /* uneven classes 4/3/3 at 0.5: quotas 2/1/1 plus the one left over to
     * the first class with the largest remainder, so 2/2/1 */
    dl4c_dataset *uneven = index_ds(10, true);
    REQUIRE(uneven);
    REQUIRE_OK(dl4c_dataset_split(uneven, 0.5, 1, &tr, &te));
    CHECK(dl4c_dataset_count(tr) == 5 && dl4c_dataset_count(te) == 5);
    count_classes(tr, c);
    CHECK(c[0] == 2 && c[1] == 2 && c[2] == 1);
    count_classes(te, c);
    CHECK(c[0] == 2 && c[1] == 1 && c[2] == 2);
    dl4c_dataset_free(tr);
    dl4c_dataset_free(te);
    dl4c_dataset_free(uneven);
    CHECK_ERR(dl4c_dataset_split(small, 1.0, 1, &tr, &te), DL4C_INVALID_ARG,
              "train fraction 1 outside (0, 1)");
    CHECK_ERR(dl4c_dataset_split(small, 0.01, 1, &tr, &te), DL4C_INVALID_ARG,
              "leaves one side empty");
    CHECK(tr == NULL && te == NULL);
    dl4c_dataset_free(small);
    dl4c_dataset_free(ds);
}

static void test_out_of_memory(void)
{
    dl4c_dataset *ds = index_ds(20, true);
    REQUIRE(ds);
    dl4c_status st = DL4C_NOMEM;
    for (fail_at = 0; fail_at < 200 && st != DL4C_OK; fail_at++) {
        dl4c_iterator *it = NULL;
        dl4c_dataset *tr = NULL, *te = NULL, *sub = NULL;
        char *state = NULL;
        n_allocs = 0;
        dl4c_set_allocator(&failing);
        st = dl4c_iterator_create(ds, 6, true, 1, &it);
        if (st == DL4C_OK)
            st = dl4c_iterator_state_save(it, &state);
        if (st == DL4C_OK)
            st = dl4c_dataset_split(ds, 0.5, 2, &tr, &te);
        if (st == DL4C_OK)
            st = dl4c_dataset_subset(ds, 3, 4, &sub);
        dl4c_set_allocator(NULL);
        CHECK_MSG(st == DL4C_NOMEM || st == DL4C_OK, "%s", dl4c_last_error());
        CHECK(st != DL4C_OK || (it && tr && te && sub && state));
        dl4c_free(state);
        dl4c_iterator_free(it);
        dl4c_dataset_free(tr);
        dl4c_dataset_free(te);
        dl4c_dataset_free(sub);
    }
    CHECK(st == DL4C_OK);
    dl4c_dataset_free(ds);
}

TEST_MAIN(test_sequential_batches, test_shuffle_orders, test_state_resume,
          test_state_bad, test_normalized_batches, test_no_alloc_per_batch,
          test_unlabeled_and_args, test_dataset_basics, test_split,
          test_out_of_memory)
