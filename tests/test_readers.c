// labels: unit badinput
/* More readers: libsvm/svmlight (sparse to dense, classes, 0-based,
 * gzip) and CSV sequences (one file per sequence or an id column,
 * variable lengths padded and masked, labels per step or per sequence),
 * masks carried through iterators and splits; bad files with their
 * messages (malformed pairs, indices out of order, absurd indices, NaN,
 * truncated gzip, column counts that change). */
#include <zlib.h>

#include "test.h"

static void test_libsvm(void)
{
    const char *p = test_write_file("a.svm", "# a comment\n"
                                             "+1 1:0.5 3:2 # trailing\n"
                                             "-1 qid:3 2:1.5\n"
                                             "\n"
                                             "1 4:-1e3\n");
    dl4c_dataset *ds = NULL;
    CHECK_OK(dl4c_libsvm_load(p, NULL, &ds));
    REQUIRE(ds);
    const dl4c_tensor *x = dl4c_dataset_features(ds);
    CHECK(dl4c_dataset_count(ds) == 3 && dl4c_tensor_dim(x, 1) == 4);
    CHECK(dl4c_tensor_get(x, 0) == 0.5f && dl4c_tensor_get(x, 2) == 2 &&
          dl4c_tensor_get(x, 1) == 0 && dl4c_tensor_get(x, 5) == 1.5f &&
          dl4c_tensor_get(x, 11) == -1000);
    CHECK(dl4c_dataset_num_classes(ds) == 2);
    CHECK(!strcmp(dl4c_dataset_class_name(ds, 0), "-1") &&
          !strcmp(dl4c_dataset_class_name(ds, 1), "1"));
    const dl4c_tensor *y = dl4c_dataset_labels(ds);
    CHECK(dl4c_tensor_get(y, 1) == 1 && dl4c_tensor_get(y, 2) == 1 &&
          dl4c_tensor_get(y, 5) == 1);
    dl4c_dataset_free(ds);

    dl4c_libsvm_options o = dl4c_libsvm_options_default();
    o.zero_based = true;
    o.classification = false;
    o.num_features = 6;
    CHECK_OK(
        dl4c_libsvm_load(test_write_file("b.svm", "2.5 0:1 5:2\n"), &o, &ds));
    CHECK(ds && dl4c_tensor_dim(dl4c_dataset_features(ds), 1) == 6 &&
          dl4c_tensor_get(dl4c_dataset_labels(ds), 0) == 2.5f &&
          dl4c_dataset_num_classes(ds) == 0);
    dl4c_dataset_free(ds);

    /* gzip'd, and a gzip stream cut short */
    char gz[1024];
    snprintf(gz, sizeof gz, "%s/c.svm.gz", test_tmpdir());
    gzFile g = gzopen(gz, "wb");
    for (int i = 0; i < 500; i++)
        gzprintf(g, "%d 1:%d 2:%d.5\n", i % 3, i, i);
    gzclose(g);
    CHECK_OK(dl4c_libsvm_load(gz, NULL, &ds));
    CHECK(ds && dl4c_dataset_count(ds) == 500 &&
          dl4c_dataset_num_classes(ds) == 3);
    dl4c_dataset_free(ds);
    size_t n = 0;
    char *bytes = test_read_file(gz, &n);
    FILE *f = fopen(gz, "wb");
    fwrite(bytes, 1, n / 2, f);
    fclose(f);
    free(bytes);
    CHECK_ERR(dl4c_libsvm_load(gz, NULL, &ds), DL4C_FORMAT, "c.svm.gz");

    CHECK_ERR(
        dl4c_libsvm_load(test_write_file("d.svm", "1 1:2 3\n"), NULL, &ds),
        DL4C_FORMAT, "d.svm:1: '3' is not INDEX:VALUE");
    CHECK_ERR(dl4c_libsvm_load(test_write_file("e.svm", "1 1:2\n0 3:1 2:1\n"),
                               NULL, &ds),
              DL4C_FORMAT, "e.svm:2: index 2 does not increase");
    CHECK_ERR(dl4c_libsvm_load(test_write_file("f.svm", "1 0:2\n"), NULL, &ds),
              DL4C_FORMAT, "index 0 is below the first index");
    CHECK_ERR(dl4c_libsvm_load(test_write_file("g.svm", "1 999999999:2\n"),
                               NULL, &ds),
              DL4C_FORMAT, "absurd index 999999999");
    CHECK_ERR(
        dl4c_libsvm_load(test_write_file("h.svm", "1 1:nan\n"), NULL, &ds),
        DL4C_FORMAT, "h.svm:1: value 'nan' of index 1 is not a finite");
    CHECK_ERR(dl4c_libsvm_load(test_write_file("i.svm", "x 1:1\n"), NULL, &ds),
              DL4C_FORMAT, "label 'x' is not a number");
    CHECK_ERR(
        dl4c_libsvm_load(test_write_file("j.svm", "# nothing\n"), NULL, &ds),
        DL4C_FORMAT, "no examples");
    o = dl4c_libsvm_options_default();
    o.num_features = 2;
    CHECK_ERR(dl4c_libsvm_load(test_write_file("k.svm", "1 3:1\n"), &o, &ds),
              DL4C_FORMAT, "index 3 beyond the 2 features");
    char missing[1024];
    snprintf(missing, sizeof missing, "%s/nope/x.svm", test_tmpdir());
    CHECK_ERR(dl4c_libsvm_load(missing, NULL, &ds), DL4C_IO, "x.svm");
    CHECK(ds == NULL);

    /* known classes: a test file without class 2 keeps training's
     * numbering (class 3 stays index 2, not 1) */
    const char *known[3] = {"1", "2", "3"};
    o = dl4c_libsvm_options_default();
    o.class_names = known;
    o.num_classes = 3;
    CHECK_OK(
        dl4c_libsvm_load(test_write_file("l.svm", "3 1:1\n1 1:2\n"), &o, &ds));
    REQUIRE(ds);
    CHECK(dl4c_dataset_num_classes(ds) == 3 &&
          !strcmp(dl4c_dataset_class_name(ds, 2), "3"));
    y = dl4c_dataset_labels(ds);
    CHECK(dl4c_tensor_get(y, 2) == 1 && dl4c_tensor_get(y, 1) == 0 &&
          dl4c_tensor_get(y, 3) == 1);
    dl4c_dataset_free(ds);
    CHECK_ERR(
        dl4c_libsvm_load(test_write_file("m.svm", "1 1:1\n7 1:2\n"), &o, &ds),
        DL4C_FORMAT,
        "m.svm: example 2 has label 7, which is not one of "
        "the 3 classes");
    const char *bad[2] = {"cat", "dog"};
    o.class_names = bad;
    o.num_classes = 2;
    CHECK_ERR(dl4c_libsvm_load(test_write_file("n.svm", "1 1:1\n"), &o, &ds),
              DL4C_FORMAT, "class 0 is named 'cat', not a libsvm label value");
    CHECK(ds == NULL);
}

static void test_sequence_files(void)
{
    char p1[1024], p2[1024];
    snprintf(p1, sizeof p1, "%s",
             test_write_file("s1.csv", "1,10,0\n2,20,1\n3,30,1\n"));
    snprintf(p2, sizeof p2, "%s", test_write_file("s2.csv", "4,40,2\n"));
    const char *paths[] = {p1, p2};
    dl4c_sequence_options o = dl4c_sequence_options_default();
    o.label_column = 2;
    o.num_classes = 3;
    dl4c_dataset *ds = NULL;
    CHECK_OK(dl4c_sequences_load_files(paths, 2, &o, &ds));
    REQUIRE(ds);
    const dl4c_tensor *x = dl4c_dataset_features(ds);
    CHECK(dl4c_tensor_ndim(x) == 3 && dl4c_tensor_dim(x, 0) == 2 &&
          dl4c_tensor_dim(x, 1) == 3 && dl4c_tensor_dim(x, 2) == 2);
    CHECK(dl4c_tensor_get(x, 4) == 3 && dl4c_tensor_get(x, 6) == 4 &&
          dl4c_tensor_get(x, 8) == 0); /* padding */
    const dl4c_tensor *fm = dl4c_dataset_features_mask(ds);
    const dl4c_tensor *lm = dl4c_dataset_labels_mask(ds);
    REQUIRE(fm && lm);
    CHECK(dl4c_tensor_get(fm, 2) == 1 && dl4c_tensor_get(fm, 3) == 1 &&
          dl4c_tensor_get(fm, 4) == 0 && dl4c_tensor_get(lm, 5) == 0);
    const dl4c_tensor *y = dl4c_dataset_labels(ds);
    CHECK(dl4c_tensor_ndim(y) == 3 && dl4c_tensor_get(y, 0) == 1 &&
          dl4c_tensor_get(y, 4) == 1 && dl4c_tensor_get(y, 9 + 2) == 1);
    /* batches carry the masks; splits keep them */
    dl4c_iterator *it = NULL;
    REQUIRE_OK(dl4c_iterator_create(ds, 2, false, 0, &it));
    dl4c_batch b;
    CHECK_OK(dl4c_iterator_next(it, &b));
    CHECK(b.features_mask && b.labels_mask &&
          dl4c_tensor_max_abs_diff(b.features_mask, fm) == 0);
    dl4c_iterator_free(it);
    dl4c_dataset *sub = NULL;
    CHECK_OK(dl4c_dataset_subset(ds, 1, 1, &sub));
    CHECK(sub && dl4c_dataset_features_mask(sub) &&
          dl4c_tensor_get(dl4c_dataset_features_mask(sub), 1) == 0);
    dl4c_dataset_free(sub);
    dl4c_dataset_free(ds);

    /* one label per sequence: the last step's */
    o.label_last = true;
    CHECK_OK(dl4c_sequences_load_files(paths, 2, &o, &ds));
    CHECK(ds && dl4c_tensor_ndim(dl4c_dataset_labels(ds)) == 2 &&
          dl4c_tensor_get(dl4c_dataset_labels(ds), 1) == 1 &&
          dl4c_tensor_get(dl4c_dataset_labels(ds), 5) == 1 &&
          !dl4c_dataset_labels_mask(ds));
    dl4c_dataset_free(ds);

    /* bad input */
    char p3[1024];
    snprintf(p3, sizeof p3, "%s", test_write_file("s3.csv", "1,2\n"));
    const char *mixed[] = {p1, p3};
    CHECK_ERR(dl4c_sequences_load_files(mixed, 2, &o, &ds), DL4C_FORMAT,
              "s3.csv: 2 columns, the first sequence has 3");
    snprintf(p3, sizeof p3, "%s", test_write_file("s4.csv", "1,2,0\n1,2\n"));
    mixed[1] = p3;
    CHECK_ERR(dl4c_sequences_load_files(mixed, 2, &o, &ds), DL4C_FORMAT,
              "s4.csv:2: expected 3 columns, found 2");
    snprintf(p3, sizeof p3, "%s", test_write_file("s5.csv", "1,nan,0\n"));
    mixed[1] = p3;
    CHECK_ERR(dl4c_sequences_load_files(mixed, 2, &o, &ds), DL4C_FORMAT,
              "s5.csv:1: column 2");
    snprintf(p3, sizeof p3, "%s", test_write_file("s6.csv", "1,2,7\n"));
    mixed[1] = p3;
    CHECK_ERR(dl4c_sequences_load_files(mixed, 2, &o, &ds), DL4C_FORMAT,
              "s6.csv:1: column 3: label 7 outside 0..2");
    CHECK(ds == NULL);

    /* a directory of sequences */
    char dir[1024], cmd[6000];
    snprintf(dir, sizeof dir, "%s/seqdir", test_tmpdir());
    snprintf(cmd, sizeof cmd, "mkdir -p %s && cp %s %s/a.csv && cp %s %s/b.csv",
             dir, p1, dir, p2, dir);
    CHECK(system(cmd) == 0);
    o = dl4c_sequence_options_default();
    CHECK_OK(dl4c_sequences_load_dir(dir, &o, &ds));
    CHECK(ds && dl4c_dataset_count(ds) == 2 &&
          dl4c_tensor_dim(dl4c_dataset_features(ds), 2) == 3 &&
          !dl4c_dataset_labels(ds));
    dl4c_dataset_free(ds);
}

static void test_sequence_id_column(void)
{
    const char *p = test_write_file("ids.csv", "id,a,label\n"
                                               "u7,1,0\n"
                                               "u3,5,1\n"
                                               "u7,2,1\n"
                                               "u7,3,0\n");
    dl4c_sequence_options o = dl4c_sequence_options_default();
    o.skip_lines = 1;
    o.id_column = 0;
    o.label_column = 2;
    dl4c_dataset *ds = NULL;
    CHECK_OK(dl4c_sequences_load_csv(p, &o, &ds));
    REQUIRE(ds);
    const dl4c_tensor *x = dl4c_dataset_features(ds);
    /* u7 first (3 steps), then u3 (1 step); the id is not a feature */
    CHECK(dl4c_tensor_dim(x, 0) == 2 && dl4c_tensor_dim(x, 1) == 3 &&
          dl4c_tensor_dim(x, 2) == 1);
    CHECK(dl4c_tensor_get(x, 0) == 1 && dl4c_tensor_get(x, 2) == 3 &&
          dl4c_tensor_get(x, 3) == 5);
    CHECK(dl4c_tensor_get(dl4c_dataset_labels(ds), 1) == 1); /* regression */
    dl4c_dataset_free(ds);
    o.id_column = 2;
    CHECK_ERR(dl4c_sequences_load_csv(p, &o, &ds), DL4C_INVALID_ARG,
              "bad label, id or class options");
}

TEST_MAIN(test_libsvm, test_sequence_files, test_sequence_id_column)
