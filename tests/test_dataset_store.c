// labels: unit badinput
/* The dataset store: ingesting the Fashion-MNIST PNG folders (labels from
 * folders, splits from train/ and test/), idempotent re-ingest, corrupt
 * images skipped with their paths, attributes, conditions (and the ones
 * that try to write or read elsewhere, refused with the store unchanged),
 * loading a selection as a dataset whose pixels are the PNGs', CSV rows,
 * stratified splits that repeat with their seed, descriptions, removal. */
#include <sys/stat.h>

#include "dl4c/dataset_store.h"
#include "test.h"

static char home[1024];

static dl4c_store *open_store(void)
{
    dl4c_store *s = NULL;
    if (!home[0])
        snprintf(home, sizeof home, "%s/home", test_tmpdir());
    if (dl4c_store_open(home, &s) != DL4C_OK)
        fprintf(stderr, "store: %s\n", dl4c_last_error());
    return s;
}

static int skips;
static char last_skip[2048];

static void on_skip(void *ctx, const char *path, const char *why)
{
    (void)ctx;
    skips++;
    snprintf(last_skip, sizeof last_skip, "%s | %s", path, why);
}

static const char *fashion(void)
{
    static char dir[1024];
    const char *d = test_shared_data("fashion-mnist-png/train");
    if (!d)
        return NULL;
    snprintf(dir, sizeof dir, "%s", d);
    dir[strlen(dir) - strlen("/train")] = '\0';
    return dir;
}

static int64_t count(dl4c_store *s, const char *name, const char *where)
{
    dl4c_dataset_query *q = NULL;
    if (dl4c_dataset_store_query(s, name, where, &q) != DL4C_OK) {
        fprintf(stderr, "query '%s': %s\n", where ? where : "",
                dl4c_last_error());
        return -1;
    }
    int64_t n = dl4c_dataset_query_count(q);
    dl4c_dataset_query_free(q);
    return n;
}

static void test_ingest_and_query(void)
{
    const char *dir = fashion();
    if (!dir)
        TEST_SKIP("../shared/data/fashion-mnist-png absent");
    dl4c_store *s = open_store();
    REQUIRE(s);
    dl4c_ingest_options o = dl4c_ingest_options_default();
    const char *attrs[] = {"source=zalando", "batch=3"};
    o.attrs = attrs;
    o.n_attrs = 2;
    dl4c_ingest_report r;
    CHECK_OK(dl4c_dataset_store_ingest(s, "fashion", dir, &o, &r));
    CHECK_MSG(r.added == 350 && r.unchanged == 0 && r.skipped == 0 &&
                  r.total == 350,
              "added %lld unchanged %lld skipped %lld", (long long)r.added,
              (long long)r.unchanged, (long long)r.skipped);
    /* the same files again: nothing changes */
    CHECK_OK(dl4c_dataset_store_ingest(s, "fashion", dir, &o, &r));
    CHECK(r.added == 0 && r.unchanged == 350 && r.total == 350);

    CHECK(count(s, "fashion", NULL) == 350);
    CHECK(count(s, "fashion", "split = 'train'") == 250);
    CHECK(count(s, "fashion", "split = 'test' AND label = 'bag'") == 10);
    CHECK(count(s, "fashion", "label IN ('bag', 'trouser') AND width >= 28") ==
          70);
    CHECK(count(s, "fashion", "width > 28") == 0);
    CHECK(count(s, "fashion", "source = 'zalando' AND batch = 3") == 350);
    CHECK(count(s, "fashion", "channels = 1 AND bytes > 100") == 350);

    dl4c_dataset_query *q = NULL;
    CHECK_OK(dl4c_dataset_store_query(s, "fashion", "label = 'bag'", &q));
    REQUIRE(q);
    const dl4c_dataset_item *it = dl4c_dataset_query_item(q, 0);
    REQUIRE(it);
    CHECK(strstr(it->path, "/bag/") && it->width == 28 && it->height == 28 &&
          it->channels == 1 && strlen(it->sha256) == 64 &&
          strstr(it->file, "datasets/fashion/") && strstr(it->file, ".pgm"));
    CHECK(strstr(it->attrs, "\"source\": \"zalando\"") ||
          strstr(it->attrs, "\"source\":\"zalando\""));
    /* the stored form decodes to the source's pixels */
    char stored[2048];
    snprintf(stored, sizeof stored, "%s/%s", home, it->file);
    dl4c_tensor *a = NULL, *b = NULL;
    CHECK_OK(dl4c_image_load(stored, 0, &a, NULL));
    CHECK_OK(dl4c_image_load(it->path, 0, &b, NULL));
    CHECK(a && b && dl4c_tensor_max_abs_diff(a, b) == 0);
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_dataset_query_free(q);

    char *json = NULL;
    CHECK_OK(dl4c_dataset_store_columns(s, "fashion", &json));
    CHECK(json && strstr(json, "\"source\"") && strstr(json, "\"label\""));
    dl4c_free(json);
    CHECK_OK(dl4c_dataset_store_describe(s, "fashion", &json));
    CHECK(json && strstr(json, "\"train\":250") && strstr(json, "\"bag\":35"));
    dl4c_free(json);
    CHECK_OK(dl4c_dataset_store_describe(s, NULL, &json));
    CHECK(json && strstr(json, "\"fashion\"") && strstr(json, "350"));
    dl4c_free(json);
    dl4c_store_close(s);
}

static void test_refused_queries(void)
{
    dl4c_store *s = open_store();
    REQUIRE(s);
    if (count(s, "fashion", NULL) != 350) {
        dl4c_store_close(s);
        TEST_SKIP("needs the fashion dataset of the previous test");
    }
    dl4c_dataset_query *q = NULL;
    CHECK_ERR(dl4c_dataset_store_query(s, "fashion",
                                       "1; DELETE FROM dataset_items", &q),
              DL4C_INVALID_ARG, "query refused: a second statement");
    CHECK_ERR(dl4c_dataset_store_query(
                  s, "fashion", "1; ATTACH DATABASE '/tmp/x.db' AS x", &q),
              DL4C_INVALID_ARG, "query refused: a second statement");
    CHECK_ERR(dl4c_dataset_store_query(
                  s, "fashion", "label IN (SELECT name FROM datasets)", &q),
              DL4C_INVALID_ARG, "query refused: it reads table 'datasets'");
    CHECK_ERR(
        dl4c_dataset_store_query(
            s, "fashion", "label IN (SELECT component FROM dl4c_schema)", &q),
        DL4C_INVALID_ARG, "query refused: it reads table 'dl4c_schema'");
    CHECK_ERR(dl4c_dataset_store_query(
                  s, "fashion",
                  "label IN (SELECT name FROM pragma_table_info('datasets'))",
                  &q),
              DL4C_INVALID_ARG, "query refused");
    CHECK_ERR(dl4c_dataset_store_query(s, "fashion",
                                       "1) UNION SELECT sql FROM sqlite_master"
                                       " --",
                                       &q),
              DL4C_INVALID_ARG, "bad condition");
    CHECK_ERR(
        dl4c_dataset_store_query(s, "fashion", "DELETE FROM datasets", &q),
        DL4C_INVALID_ARG, "syntax error");
    CHECK_ERR(dl4c_dataset_store_query(s, "fashion", "no_such_column = 1", &q),
              DL4C_INVALID_ARG, "no such column: no_such_column");
    CHECK_ERR(dl4c_dataset_store_query(s, "nope", NULL, &q), DL4C_INVALID_ARG,
              "no dataset 'nope'");
    CHECK_ERR(dl4c_dataset_store_query(s, "../x", NULL, &q), DL4C_INVALID_ARG,
              "bad dataset name");
    CHECK(q == NULL);
    /* nothing was changed */
    CHECK(count(s, "fashion", NULL) == 350);
    char *json = NULL;
    CHECK_OK(dl4c_dataset_store_describe(s, NULL, &json));
    CHECK(json && strstr(json, "fashion"));
    dl4c_free(json);
    dl4c_store_close(s);
}

static void test_load_selection(void)
{
    dl4c_store *s = open_store();
    REQUIRE(s);
    if (count(s, "fashion", NULL) != 350) {
        dl4c_store_close(s);
        TEST_SKIP("needs the fashion dataset of the first test");
    }
    dl4c_store_load_options o = dl4c_store_load_options_default();
    o.split = "train";
    dl4c_dataset *ds = NULL;
    CHECK_OK(dl4c_dataset_store_load(s, "fashion",
                                     "label IN ('bag', 'trouser')", &o, &ds));
    REQUIRE(ds);
    CHECK(dl4c_dataset_count(ds) == 50 && dl4c_dataset_num_classes(ds) == 2);
    CHECK(!strcmp(dl4c_dataset_class_name(ds, 0), "bag") &&
          !strcmp(dl4c_dataset_class_name(ds, 1), "trouser"));
    const dl4c_tensor *x = dl4c_dataset_features(ds);
    CHECK(dl4c_tensor_ndim(x) == 4 && dl4c_tensor_dim(x, 1) == 28);
    /* item order is ingest order (sorted paths): the first is a bag */
    dl4c_dataset_query *q = NULL;
    REQUIRE_OK(dl4c_dataset_store_query(
        s, "fashion", "label IN ('bag', 'trouser') AND split = 'train'", &q));
    dl4c_tensor *img = NULL;
    CHECK_OK(
        dl4c_image_load(dl4c_dataset_query_item(q, 0)->path, 0, &img, NULL));
    CHECK(img && memcmp(dl4c_tensor_data(img), dl4c_tensor_data(x),
                        784 * sizeof(float)) == 0);
    dl4c_tensor_free(img);
    dl4c_dataset_query_free(q);
    dl4c_dataset_free(ds);

    /* the test side with the training side's classes, resized */
    const char *names[] = {"bag", "trouser"};
    o.split = "test";
    o.class_names = names;
    o.num_classes = 2;
    o.height = o.width = 14;
    CHECK_OK(dl4c_dataset_store_load(s, "fashion",
                                     "label IN ('trouser', 'bag')", &o, &ds));
    CHECK(ds && dl4c_dataset_count(ds) == 20 &&
          dl4c_tensor_dim(dl4c_dataset_features(ds), 1) == 14);
    dl4c_dataset_free(ds);
    CHECK_ERR(dl4c_dataset_store_load(s, "fashion", "label = 'coat'", &o, &ds),
              DL4C_FORMAT, "label 'coat', which is not one of the 2 classes");
    o = dl4c_store_load_options_default();
    CHECK_ERR(
        dl4c_dataset_store_load(s, "fashion", "label = 'unicorn'", &o, &ds),
        DL4C_FORMAT, "no items match 'label = 'unicorn''");
    o.label_column = "colour";
    CHECK_ERR(dl4c_dataset_store_load(s, "fashion", NULL, &o, &ds),
              DL4C_INVALID_ARG, "no column 'colour'");
    CHECK(ds == NULL);
    dl4c_store_close(s);
}

static void copy_file(const char *from, const char *to)
{
    size_t n = 0;
    char *data = test_read_file(from, &n);
    FILE *f = fopen(to, "wb");
    if (f && data)
        fwrite(data, 1, n, f);
    if (f)
        fclose(f);
    free(data);
}

static void test_bad_images_and_forms(void)
{
    const char *dir = fashion();
    if (!dir)
        TEST_SKIP("../shared/data/fashion-mnist-png absent");
    char src[1024], root[1100], sub[1200], p[1400];
    snprintf(src, sizeof src, "%s", dir);
    snprintf(root, sizeof root, "%s/mixed", test_tmpdir());
    snprintf(sub, sizeof sub, "%s/bag", root);
    mkdir(root, 0777);
    mkdir(sub, 0777);
    const char *good[] = {"t10k_00018.png", "t10k_00030.png"};
    for (int i = 0; i < 2; i++) {
        char from[1400];
        snprintf(from, sizeof from, "%s/test/bag/%s", src, good[i]);
        snprintf(p, sizeof p, "%s/%s", sub, good[i]);
        copy_file(from, p);
    }
    /* a truncated PNG and a JPEG that is not one */
    snprintf(p, sizeof p, "%s/test/bag/t10k_00031.png", src);
    size_t n = 0;
    char *png = test_read_file(p, &n);
    snprintf(p, sizeof p, "%s/broken.png", sub);
    FILE *f = fopen(p, "wb");
    fwrite(png, 1, n / 2, f);
    fclose(f);
    free(png);
    snprintf(p, sizeof p, "%s/fake.jpg", sub);
    f = fopen(p, "wb");
    fputs("\xff\xd8\xff\xe0 not really a jpeg", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/notes.txt", sub); /* ignored */
    f = fopen(p, "wb");
    fputs("hello", f);
    fclose(f);

    dl4c_store *s = open_store();
    REQUIRE(s);
    dl4c_ingest_options o = dl4c_ingest_options_default();
    o.on_skip = on_skip;
    o.channels = 3;
    o.height = o.width = 32;
    dl4c_ingest_report r;
    skips = 0;
    CHECK_OK(dl4c_dataset_store_ingest(s, "mixed", root, &o, &r));
    CHECK(r.added == 2 && r.skipped == 2 && skips == 2);
    CHECK_MSG(strstr(last_skip, "fake.jpg") && strstr(last_skip, "JPEG"),
              "last skip: %s", last_skip);
    CHECK(count(s, "mixed", "width = 32 AND channels = 3 AND label = 'bag'") ==
          2);
    /* labels from a CSV file instead of the folders */
    char labels[1400];
    snprintf(labels, sizeof labels, "%s/labels.csv", test_tmpdir());
    FILE *lf = fopen(labels, "w");
    fputs("path,label\nbag/t10k_00018.png,alpha\n./bag/t10k_00030.png,beta\n",
          lf);
    fclose(lf);
    dl4c_ingest_options lo = dl4c_ingest_options_default();
    lo.labels_csv = labels;
    CHECK_OK(dl4c_dataset_store_ingest(s, "relabeled", root, &lo, &r));
    CHECK(count(s, "relabeled", "label = 'alpha'") == 1 &&
          count(s, "relabeled", "label = 'beta'") == 1);
    /* another form for the same dataset is refused */
    o.height = o.width = 28;
    CHECK_ERR(dl4c_dataset_store_ingest(s, "mixed", root, &o, &r),
              DL4C_INVALID_ARG, "stores images with channels 3 and size 32x32");
    /* leaving the form out keeps the dataset's */
    o = dl4c_ingest_options_default();
    CHECK_OK(dl4c_dataset_store_ingest(s, "mixed", root, &o, &r));
    CHECK(r.added == 0 && r.unchanged == 2 && r.skipped == 2);
    /* bad attributes and names */
    const char *bad_attr[] = {"label=x"};
    o.attrs = bad_attr;
    o.n_attrs = 1;
    CHECK_ERR(dl4c_dataset_store_ingest(s, "mixed", root, &o, &r),
              DL4C_INVALID_ARG, "attribute name 'label'");
    o = dl4c_ingest_options_default();
    CHECK_ERR(dl4c_dataset_store_ingest(s, "bad name", root, &o, &r),
              DL4C_INVALID_ARG, "bad dataset name 'bad name'");
    CHECK_ERR(dl4c_dataset_store_ingest(s, "x", p, &o, &r), DL4C_INVALID_ARG,
              "a folder of images or a .csv");
    /* a folder with nothing readable */
    snprintf(p, sizeof p, "%s/only-bad", test_tmpdir());
    mkdir(p, 0777);
    char q[1500];
    snprintf(q, sizeof q, "%s/x.png", p);
    f = fopen(q, "wb");
    fputs("\x89PNG\r\n\x1a\n", f);
    fclose(f);
    CHECK_ERR(dl4c_dataset_store_ingest(s, "onlybad", p, &o, &r), DL4C_FORMAT,
              "none of the 1 images could be read");
    CHECK_ERR(dl4c_dataset_store_query(s, "onlybad", NULL, NULL),
              DL4C_INVALID_ARG, "out is NULL");
    CHECK_OK(dl4c_dataset_store_remove(s, "mixed"));
    dl4c_dataset_query *qq = NULL;
    CHECK_ERR(dl4c_dataset_store_query(s, "mixed", NULL, &qq), DL4C_INVALID_ARG,
              "no dataset 'mixed'");
    char stored[1400];
    snprintf(stored, sizeof stored, "%s/datasets/mixed", home);
    struct stat st;
    CHECK(stat(stored, &st) != 0);
    dl4c_store_close(s);
}

static void test_rows_and_splits(void)
{
    /* iris with a header and class names */
    static const char *species[] = {"setosa", "versicolor", "virginica"};
    size_t n = 0;
    char *iris = test_read_file(test_source_path("data/iris.csv"), &n);
    REQUIRE(iris);
    char path[1024];
    snprintf(path, sizeof path, "%s/iris.csv", test_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("sepal length (cm),sepal width (cm),petal length (cm),"
          "petal width (cm),species\n",
          f);
    for (char *line = strtok(iris, "\n"); line; line = strtok(NULL, "\n")) {
        char *last = strrchr(line, ',');
        *last = '\0';
        fprintf(f, "%s,%s\n", line, species[atoi(last + 1)]);
    }
    fclose(f);
    free(iris);

    dl4c_store *s = open_store();
    REQUIRE(s);
    dl4c_ingest_options o = dl4c_ingest_options_default();
    o.label_column = "species";
    dl4c_ingest_report r;
    CHECK_OK(dl4c_dataset_store_ingest(s, "iris", path, &o, &r));
    CHECK(r.added == 150 && r.total == 150);
    CHECK_OK(dl4c_dataset_store_ingest(s, "iris", path, &o, &r));
    CHECK(r.added == 0 && r.unchanged == 150);
    CHECK(count(s, "iris", "petal_length_cm > 5 AND species = 'virginica'") ==
          41);
    CHECK(count(s, "iris", "label = 'setosa'") == 50);

    int64_t c1[3], c2[3];
    CHECK_OK(dl4c_dataset_store_split(s, "iris", NULL, 0.6, 0.2, 0.2, 7, c1));
    CHECK(c1[0] == 90 && c1[1] == 30 && c1[2] == 30);
    CHECK(count(s, "iris", "split = 'validation' AND label = 'setosa'") == 10);
    dl4c_dataset_query *a = NULL, *b = NULL;
    REQUIRE_OK(dl4c_dataset_store_query(s, "iris", "split = 'test'", &a));
    CHECK_OK(dl4c_dataset_store_split(s, "iris", NULL, 0.5, 0.0, 0.5, 8, c2));
    CHECK(c2[0] == 75 && c2[1] == 0);
    CHECK_OK(dl4c_dataset_store_split(s, "iris", NULL, 0.6, 0.2, 0.2, 7, c2));
    REQUIRE_OK(dl4c_dataset_store_query(s, "iris", "split = 'test'", &b));
    int same = dl4c_dataset_query_count(a) == dl4c_dataset_query_count(b);
    for (int64_t i = 0; same && i < dl4c_dataset_query_count(a); i++)
        same = dl4c_dataset_query_item(a, i)->id ==
               dl4c_dataset_query_item(b, i)->id;
    CHECK_MSG(same, "the same seed gives the same split");
    dl4c_dataset_query_free(a);
    dl4c_dataset_query_free(b);
    CHECK_ERR(dl4c_dataset_store_split(s, "iris", NULL, 0.6, 0.6, 0.2, 7, c2),
              DL4C_INVALID_ARG, "sum to 1");

    /* loaded as features: the four measurements, classes by name */
    dl4c_store_load_options lo = dl4c_store_load_options_default();
    lo.split = "train";
    dl4c_dataset *ds = NULL;
    CHECK_OK(dl4c_dataset_store_load(s, "iris", NULL, &lo, &ds));
    REQUIRE(ds);
    CHECK(dl4c_dataset_count(ds) == 90 && dl4c_dataset_num_classes(ds) == 3 &&
          dl4c_tensor_dim(dl4c_dataset_features(ds), 1) == 4);
    CHECK_NEAR(dl4c_tensor_get(dl4c_dataset_features(ds), 0), 5.1, 1e-6);
    dl4c_dataset_free(ds);

    /* a CSV whose column count changes on line 4 */
    f = fopen(path, "w");
    fputs("a,b,c\n1,2,3\n4,5,6\n7,8\n", f);
    fclose(f);
    CHECK_ERR(dl4c_dataset_store_ingest(s, "short", path, &o, &r), DL4C_FORMAT,
              "iris.csv:4: expected 3 columns, found 2");
    /* rows into an image dataset (a one-image folder made here) */
    {
        char dir[1100], img[1200];
        snprintf(dir, sizeof dir, "%s/pics", test_tmpdir());
        mkdir(dir, 0777);
        snprintf(dir, sizeof dir, "%s/pics/cat", test_tmpdir());
        mkdir(dir, 0777);
        snprintf(img, sizeof img, "%s/one.pgm", dir);
        FILE *pf = fopen(img, "wb");
        REQUIRE(pf != NULL);
        fputs("P5\n2 2\n255\n", pf);
        fputc(0, pf), fputc(64, pf), fputc(128, pf), fputc(255, pf);
        fclose(pf);
        snprintf(dir, sizeof dir, "%s/pics", test_tmpdir());
        o = dl4c_ingest_options_default();
        CHECK_OK(dl4c_dataset_store_ingest(s, "pics", dir, &o, &r));
    }
    f = fopen(path, "w");
    fputs("a,b\n1,2\n", f);
    fclose(f);
    o = dl4c_ingest_options_default();
    CHECK_ERR(dl4c_dataset_store_ingest(s, "pics", path, &o, &r), DL4C_FORMAT,
              "dataset 'pics' holds images");
    /* text in a feature column */
    f = fopen(path, "w");
    fputs("x,y,kind\n1,2,a\n3,oops,b\n", f);
    fclose(f);
    o.label_column = "kind";
    CHECK_OK(dl4c_dataset_store_ingest(s, "texty", path, &o, &r));
    lo = dl4c_store_load_options_default();
    CHECK_ERR(dl4c_dataset_store_load(s, "texty", NULL, &lo, &ds), DL4C_FORMAT,
              "column 'y' is text, not a number");
    dl4c_store_close(s);
}

TEST_MAIN(test_ingest_and_query, test_refused_queries, test_load_selection,
          test_bad_images_and_forms, test_rows_and_splits)
