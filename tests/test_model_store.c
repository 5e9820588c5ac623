// labels: unit badinput
/* The model store: versions, content-addressed files, references, labels,
 * lineage, removal, the prediction log, parallel writers in separate
 * processes, and the population stability index behind the skew check. */
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

static const char *NET =
    "{\"seed\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [3]}],"
    " \"layers\": [{\"type\": \"Output\", \"units\": 2, \"activation\": "
    "\"softmax\", \"loss\": \"mcxent\"}]}";

static char home[600];

static dl4c_store *open_home(const char *sub)
{
    dl4c_store *s = NULL;
    snprintf(home, sizeof home, "%s/%s", test_tmpdir(), sub);
    if (dl4c_store_open(home, &s) != DL4C_OK)
        fprintf(stderr, "store: %s\n", dl4c_last_error());
    return s;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void test_versions_and_refs(void)
{
    dl4c_store *s = open_home("refs");
    dl4c_net *net = NULL;
    REQUIRE(s);
    REQUIRE_OK(dl4c_net_parse(NET, DL4C_F32, &net));
    int64_t v = 0;
    dl4c_model_record rec = {.name = "iris",
                             .hyperparams = "{\"epochs\": 3}",
                             .dataset = "data/iris.csv",
                             .metrics = "{\"type\": \"classification\"}",
                             .wall_time = 1.5};
    CHECK_OK(dl4c_model_store_put(s, net, &rec, &v));
    CHECK(v == 1);
    CHECK_OK(dl4c_model_store_put(s, net, &rec, &v));
    CHECK(v == 2);
    dl4c_model_entry e;
    CHECK_OK(dl4c_model_store_resolve(s, "iris", &e));
    CHECK(e.version == 2 && !strcmp(e.name, "iris"));
    CHECK(e.hyperparams && strstr(e.hyperparams, "epochs"));
    CHECK(e.dataset && !strcmp(e.dataset, "data/iris.csv"));
    CHECK(e.config && strstr(e.config, "Output"));
    CHECK(e.wall_time == 1.5 && e.created > 0);
    CHECK(e.dl4c_version && !strcmp(e.dl4c_version, dl4c_version()));
    CHECK(e.sha256 && strlen(e.sha256) == 64 && strstr(e.path, e.sha256));
    /* the stored file loads, and both versions share it (same bytes) */
    dl4c_net *back = NULL;
    CHECK_OK(dl4c_model_load(e.path, &back));
    dl4c_net_free(back);
    char path2[1024];
    snprintf(path2, sizeof path2, "%s", e.path);
    dl4c_model_entry_deinit(&e);
    CHECK_OK(dl4c_model_store_resolve(s, "iris:1", &e));
    CHECK(e.version == 1 && !strcmp(e.path, path2));
    dl4c_model_entry_deinit(&e);

    /* labels */
    CHECK_OK(dl4c_model_store_label(s, "iris", 1, "stable"));
    CHECK_OK(dl4c_model_store_label(s, "iris", 2, "canary"));
    CHECK_OK(dl4c_model_store_resolve(s, "iris@stable", &e));
    CHECK(e.version == 1 && e.n_labels == 1 && !strcmp(e.labels[0], "stable"));
    dl4c_model_entry_deinit(&e);
    CHECK_OK(dl4c_model_store_label(s, "iris", 2, "stable")); /* moves */
    CHECK_OK(dl4c_model_store_get(s, "iris", 2, &e));
    CHECK(e.n_labels == 2 && !strcmp(e.labels[0], "canary") &&
          !strcmp(e.labels[1], "stable"));
    dl4c_model_entry_deinit(&e);
    CHECK_OK(dl4c_model_store_unlabel(s, "iris", "canary"));
    CHECK_ERR(dl4c_model_store_resolve(s, "iris@canary", &e), DL4C_INVALID_ARG,
              "model 'iris' has no label 'canary' (labels: "
              "stable)");

    /* lineage */
    dl4c_model_record child = {.name = "iris-ft", .parent = "iris:1"};
    CHECK_OK(dl4c_model_store_put(s, net, &child, &v));
    CHECK_OK(dl4c_model_store_get(s, "iris-ft", 0, &e));
    CHECK(e.parent_name && !strcmp(e.parent_name, "iris") &&
          e.parent_version == 1 && e.parent_sha256 &&
          strlen(e.parent_sha256) == 64);
    dl4c_model_entry_deinit(&e);
    bool found = false;
    char hex[65];
    CHECK_OK(dl4c_sha256_file(path2, hex));
    CHECK_OK(dl4c_model_store_find_sha256(s, hex, &e, &found));
    CHECK(found);
    dl4c_model_entry_deinit(&e);

    dl4c_model_entry *all = NULL;
    int n = 0;
    CHECK_OK(dl4c_model_store_list(s, NULL, &all, &n));
    CHECK(n == 3 && !strcmp(all[2].name, "iris-ft"));
    dl4c_model_entries_free(all, n);
    CHECK_OK(dl4c_model_store_list(s, "nothing", &all, &n));
    CHECK(n == 0 && all == NULL);

    /* removal keeps a file other versions use; numbers are not reused */
    CHECK_OK(dl4c_model_store_remove(s, "iris", 2));
    CHECK(exists(path2));
    CHECK_OK(dl4c_model_store_put(s, net, &rec, &v));
    CHECK(v == 3);
    CHECK_OK(dl4c_model_store_remove(s, "iris", 0));
    CHECK(exists(path2)); /* iris-ft still has these bytes */
    CHECK_OK(dl4c_model_store_remove(s, "iris-ft", 1));
    CHECK(!exists(path2));
    dl4c_net_free(net);
    dl4c_store_close(s);
}

static void test_bad_input(void)
{
    dl4c_store *s = open_home("bad");
    dl4c_net *net = NULL;
    dl4c_model_entry e;
    int64_t v = 0;
    REQUIRE(s);
    REQUIRE_OK(dl4c_net_parse(NET, DL4C_F32, &net));
    dl4c_model_record bad = {.name = "has space"};
    CHECK_ERR(dl4c_model_store_put(s, net, &bad, &v), DL4C_INVALID_ARG,
              "'has space' is not a model name");
    bad.name = "-dash";
    CHECK_ERR(dl4c_model_store_put(s, net, &bad, &v), DL4C_INVALID_ARG,
              "not a model name");
    bad.name = "ok";
    bad.parent = "nothing:1";
    CHECK_ERR(dl4c_model_store_put(s, net, &bad, &v), DL4C_INVALID_ARG,
              "parent model: no model 'nothing' in the store");
    bad.parent = "bad ref";
    CHECK_ERR(dl4c_model_store_put(s, net, &bad, &v), DL4C_INVALID_ARG,
              "parent 'bad ref' is not a model reference");
    dl4c_model_record ok = {.name = "m"};
    CHECK_OK(dl4c_model_store_put(s, net, &ok, &v));
    CHECK_ERR(dl4c_model_store_resolve(s, "m:7", &e), DL4C_INVALID_ARG,
              "model 'm' has no version 7 (versions: 1)");
    CHECK_ERR(dl4c_model_store_resolve(s, "zz", &e), DL4C_INVALID_ARG,
              "no model 'zz' in the store");
    const char *refs[] = {"",       "m:",    "m:0", "m:-1", "m:1x", "m@",
                          "m@1abc", "m@a b", ":1",  "@x",   "a/b"};
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        CHECK(!dl4c_model_ref_valid(refs[i]));
        CHECK_ERR(dl4c_model_store_resolve(s, refs[i], &e), DL4C_INVALID_ARG,
                  "is not a model reference");
    }
    CHECK(dl4c_model_ref_valid("m") && dl4c_model_ref_valid("m:12") &&
          dl4c_model_ref_valid("m@stable") && dl4c_model_ref_valid("a.b-c_d"));
    CHECK_ERR(dl4c_model_store_label(s, "m", 1, "1st"), DL4C_INVALID_ARG,
              "'1st' is not a label");
    CHECK_ERR(dl4c_model_store_label(s, "m", 9, "stable"), DL4C_INVALID_ARG,
              "model 'm' has no version 9");
    CHECK_ERR(dl4c_model_store_remove(s, "m", 9), DL4C_INVALID_ARG,
              "no version 9");
    CHECK_ERR(dl4c_model_store_add(s, "/no/such/file.dl4c", &ok, &v), DL4C_IO,
              "cannot open");
    /* a file that is not a dl4c database is refused */
    char path[700];
    snprintf(path, sizeof path, "%s/notdb", test_tmpdir());
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/notdb/dl4c.db", test_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("this is not sqlite, just text that is long enough to matter.....",
          f);
    fclose(f);
    dl4c_store *other = NULL;
    snprintf(path, sizeof path, "%s/notdb", test_tmpdir());
    CHECK(dl4c_store_open(path, &other) != DL4C_OK && other == NULL);
    dl4c_net_free(net);
    dl4c_store_close(s);
}

static void test_add_file(void)
{
    dl4c_store *s = open_home("add");
    dl4c_net *net = NULL;
    REQUIRE(s);
    REQUIRE_OK(dl4c_net_parse(NET, DL4C_F32, &net));
    char path[700];
    snprintf(path, sizeof path, "%s/ext.h5", test_tmpdir());
    REQUIRE_OK(dl4c_model_save(net, path, 0));
    int64_t v = 0;
    dl4c_model_record rec = {.name = "imported", .config = "{}"};
    CHECK_OK(dl4c_model_store_add(s, path, &rec, &v));
    dl4c_model_entry e;
    CHECK_OK(dl4c_model_store_get(s, "imported", v, &e));
    /* the extension is kept, so format detection still works */
    CHECK(strlen(e.path) > 3 && !strcmp(e.path + strlen(e.path) - 3, ".h5"));
    CHECK(e.config && !strcmp(e.config, "{}"));
    dl4c_model_entry_deinit(&e);
    dl4c_net_free(net);
    dl4c_store_close(s);
}

static void test_prediction_log(void)
{
    dl4c_store *s = open_home("log");
    REQUIRE(s);
    float in[6] = {1, 2, 3, 4, 5, 6}, out[2] = {0.5f, 0.25f};
    CHECK_OK(dl4c_model_store_log_predictions(s, "m", 1, 2, 3, in, 1, out));
    CHECK_OK(
        dl4c_model_store_log_predictions(s, "m", 2, 1, 3, in + 3, 0, NULL));
    CHECK_OK(dl4c_model_store_log_predictions(s, "m", 2, 1, 2, in, 0, NULL));
    dl4c_tensor *t = NULL;
    CHECK_OK(dl4c_model_store_logged_inputs(s, "m", 0, 0, &t));
    REQUIRE(t);
    CHECK(dl4c_tensor_dim(t, 0) == 3 && dl4c_tensor_dim(t, 1) == 3);
    /* newest first */
    CHECK(dl4c_tensor_get(t, 0) == 4 && dl4c_tensor_get(t, 8) == 3);
    dl4c_tensor_free(t);
    CHECK_OK(dl4c_model_store_logged_inputs(s, "m", 1, 1, &t));
    CHECK(t && dl4c_tensor_dim(t, 0) == 1);
    dl4c_tensor_free(t);
    CHECK_OK(dl4c_model_store_logged_inputs(s, "none", 0, 0, &t));
    CHECK(t == NULL);
    CHECK_ERR(dl4c_model_store_log_predictions(s, "m", 1, 1, 0, in, 0, NULL),
              DL4C_INVALID_ARG, "bad arguments");
    dl4c_store_close(s);
}

/* Several processes register versions of one name at once: every one
 * gets its own number and nothing is lost. */
static void test_parallel_writers(void)
{
    enum { PROCS = 4, EACH = 6 };
    dl4c_store *s = open_home("parallel");
    dl4c_net *net = NULL;
    REQUIRE(s);
    REQUIRE_OK(dl4c_net_parse(NET, DL4C_F32, &net));
    char file[700];
    snprintf(file, sizeof file, "%s/p.dl4c", test_tmpdir());
    REQUIRE_OK(dl4c_model_save(net, file, 0));
    dl4c_store_close(s);
    pid_t kids[PROCS];
    for (int p = 0; p < PROCS; p++) {
        kids[p] = fork();
        if (kids[p] == 0) {
            dl4c_store *mine = NULL;
            int bad = dl4c_store_open(home, &mine) != DL4C_OK;
            for (int i = 0; i < EACH && !bad; i++) {
                int64_t v = 0;
                dl4c_model_record rec = {.name = "shared"};
                float row[3] = {(float)p, (float)i, 1};
                bad |= (p % 2 ? dl4c_model_store_put(mine, net, &rec, &v)
                              : dl4c_model_store_add(mine, file, &rec, &v)) !=
                       DL4C_OK;
                bad |= dl4c_model_store_log_predictions(
                           mine, "shared", v, 1, 3, row, 0, NULL) != DL4C_OK;
            }
            if (bad)
                fprintf(stderr, "writer %d: %s\n", p, dl4c_last_error());
            dl4c_store_close(mine);
            _exit(bad);
        }
    }
    for (int p = 0; p < PROCS; p++) {
        int status = 0;
        waitpid(kids[p], &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    REQUIRE_OK(dl4c_store_open(home, &s));
    dl4c_model_entry *e = NULL;
    int n = 0;
    CHECK_OK(dl4c_model_store_list(s, "shared", &e, &n));
    CHECK(n == PROCS * EACH);
    for (int i = 0; i < n; i++)
        CHECK(e[i].version == i + 1);
    dl4c_model_entries_free(e, n);
    dl4c_tensor *t = NULL;
    CHECK_OK(dl4c_model_store_logged_inputs(s, "shared", 0, 0, &t));
    CHECK(t && dl4c_tensor_dim(t, 0) == PROCS * EACH);
    dl4c_tensor_free(t);
    dl4c_store_close(s);
    dl4c_net_free(net);
}

static void test_psi(void)
{
    int64_t d1[2] = {1000, 2}, d2[2] = {500, 2}, d3[2] = {10, 3};
    dl4c_tensor *a = NULL, *b = NULL, *c = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, d1, &a));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 2, d2, &b));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, d3, &c));
    for (int64_t i = 0; i < 1000; i++) {
        dl4c_tensor_set(a, 2 * i, (double)(i % 100));   /* uniform 0..99 */
        dl4c_tensor_set(a, 2 * i + 1, (double)(i % 2)); /* 0/1 */
    }
    for (int64_t i = 0; i < 500; i++) {
        dl4c_tensor_set(b, 2 * i, (double)((i * 7) % 100)); /* same spread */
        dl4c_tensor_set(b, 2 * i + 1, i < 450 ? 1.0 : 0.0); /* mostly 1 */
    }
    double psi[2] = {-1, -1};
    CHECK_OK(dl4c_psi(a, b, 10, psi));
    CHECK(psi[0] >= 0 && psi[0] < 0.05);
    /* 50/50 -> 90/10: (0.9-0.5)ln(1.8) + (0.1-0.5)ln(0.2) = 0.879 */
    CHECK_NEAR(psi[1], 0.8789, 1e-3);
    CHECK_OK(dl4c_psi(a, a, 10, psi));
    CHECK(psi[0] == 0 && psi[1] == 0);
    CHECK_ERR(dl4c_psi(a, c, 10, psi), DL4C_SHAPE, "2 and 3 features");
    CHECK_ERR(dl4c_psi(a, b, 1, psi), DL4C_INVALID_ARG, "bins must be");
    dl4c_tensor_set(b, 3, NAN);
    CHECK_ERR(dl4c_psi(a, b, 10, psi), DL4C_FORMAT, "feature 1: actual value");
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_tensor_free(c);
}

TEST_MAIN(test_versions_and_refs, test_bad_input, test_add_file,
          test_prediction_log, test_parallel_writers, test_psi)
