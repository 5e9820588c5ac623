// labels: unit badinput
/* The model server in-process (dl4c_server_handle): dynamic batching hands
 * every caller its own rows, a loading model answers 503, a new version
 * folder is swapped in under load without a failed request, errors carry
 * the right status, and the config file is checked strictly. The HTTP
 * layer itself is tested with curl in tests/cli/serve*.sh. */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

static const char *NET =
    "{\"seed\": %d, \"inputs\": [{\"name\": \"x\", \"shape\": [4]}],"
    " \"layers\": [{\"type\": \"Dense\", \"units\": 8, \"activation\": "
    "\"tanh\"}, {\"type\": \"Output\", \"units\": 3, \"activation\": "
    "\"softmax\", \"loss\": \"mcxent\"}]}";

static dl4c_net *make_net(int seed)
{
    char cfg[1024];
    dl4c_net *net = NULL;
    snprintf(cfg, sizeof cfg, NET, seed);
    if (dl4c_net_parse(cfg, DL4C_F32, &net) != DL4C_OK)
        fprintf(stderr, "net: %s\n", dl4c_last_error());
    return net;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void quiet(void *ctx, const char *line)
{
    (void)ctx;
    (void)line;
}

static dl4c_serve_options options(void)
{
    dl4c_serve_options o = dl4c_serve_options_default();
    o.host = "127.0.0.1";
    o.port = 0;
    o.log = quiet;
    return o;
}

static int request(dl4c_server *s, const char *method, const char *path,
                   const char *body, char **out)
{
    int status = 0;
    char *resp = NULL;
    if (dl4c_server_handle(s, method, path, NULL, body, body ? strlen(body) : 0,
                           &status, &resp) != DL4C_OK)
        return -1;
    if (out)
        *out = resp;
    else
        dl4c_free(resp);
    return status;
}

static bool wait_ready(dl4c_server *s)
{
    for (int i = 0; i < 2000 && !dl4c_server_ready(s); i++)
        sleep_ms(5);
    return dl4c_server_ready(s);
}

typedef struct caller {
    dl4c_server *s;
    dl4c_net *ref; /* same weights, used under ref_lock */
    pthread_mutex_t *ref_lock;
    int id, wrong, failed;
} caller;

/* Sends rows of its own and checks each answer against the net. */
static void *call_many(void *arg)
{
    caller *c = arg;
    for (int k = 0; k < 40; k++) {
        int rows = 1 + (c->id + k) % 3;
        float x[12];
        char body[1024];
        size_t used = (size_t)snprintf(body, sizeof body, "{\"instances\": [");
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < 4; j++)
                x[r * 4 + j] = (float)(c->id * 0.37 + k * 0.11 + r - j * 0.5);
            used += (size_t)snprintf(body + used, sizeof body - used,
                                     "%s[%.9g, %.9g, %.9g, %.9g]",
                                     r ? ", " : "", x[r * 4], x[r * 4 + 1],
                                     x[r * 4 + 2], x[r * 4 + 3]);
        }
        snprintf(body + used, sizeof body - used, "]}");
        char *resp = NULL;
        int status = request(c->s, "POST", "/v1/models/m:predict", body, &resp);
        if (status != 200) {
            c->failed++;
            dl4c_free(resp);
            continue;
        }
        int64_t dims[2] = {rows, 4};
        dl4c_tensor *in = NULL, *want = NULL;
        json_t *j = json_loads(resp, 0, NULL);
        json_t *pred = json_object_get(j, "predictions");
        pthread_mutex_lock(c->ref_lock);
        if (dl4c_tensor_create_from(DL4C_F32, 2, dims, x, &in) != DL4C_OK ||
            dl4c_net_predict(c->ref, in, &want) != DL4C_OK)
            c->failed++;
        pthread_mutex_unlock(c->ref_lock);
        if (want && json_array_size(pred) == (size_t)rows) {
            for (int r = 0; r < rows; r++)
                for (int o = 0; o < 3; o++) {
                    double got = json_number_value(json_array_get(
                        json_array_get(pred, (size_t)r), (size_t)o));
                    if (fabs(got - dl4c_tensor_get(want, r * 3 + o)) > 1e-5)
                        c->wrong++;
                }
        } else {
            c->wrong++;
        }
        json_decref(j);
        dl4c_tensor_free(in);
        dl4c_tensor_free(want);
        dl4c_free(resp);
    }
    return NULL;
}

static void test_batching(void)
{
    char path[700];
    dl4c_net *net = make_net(3);
    REQUIRE(net);
    snprintf(path, sizeof path, "%s/m.dl4c", test_tmpdir());
    REQUIRE_OK(dl4c_model_save(net, path, 0));
    dl4c_serve_options o = options();
    o.max_batch_size = 8;
    o.batch_timeout_micros = 2000;
    o.workers = 2;
    dl4c_server *s = NULL;
    REQUIRE_OK(dl4c_server_create(&o, &s));
    dl4c_serve_model m = {.name = "m",
                          .path = path,
                          .version = 4,
                          .batch_timeout_micros = -1,
                          .log_sample_rate = -1};
    REQUIRE_OK(dl4c_server_add_model(s, &m));
    REQUIRE_OK(dl4c_server_start(s));
    CHECK(dl4c_server_port(s) > 0);
    REQUIRE(wait_ready(s));
    enum { N = 8 };
    pthread_t t[N];
    caller c[N];
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    for (int i = 0; i < N; i++) {
        c[i] = (caller){.s = s, .ref = net, .ref_lock = &lock, .id = i};
        pthread_create(&t[i], NULL, call_many, &c[i]);
    }
    int wrong = 0, failed = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        wrong += c[i].wrong;
        failed += c[i].failed;
    }
    CHECK_MSG(wrong == 0 && failed == 0, "%d wrong values, %d failed", wrong,
              failed);
    char *text = NULL;
    CHECK(request(s, "GET", "/metrics", NULL, &text) == 200);
    CHECK(text && strstr(text, "dl4c_serving_requests_total{model=\"m\","
                               "version=\"4\",method=\"predict\",code=\"200\"}"
                               " 320"));
    CHECK(text && strstr(text, "dl4c_serving_batch_size_count{model=\"m\","
                               "version=\"4\"}"));
    dl4c_free(text);
    dl4c_server_free(s);
    dl4c_net_free(net);
}

/* A loader that waits until the test lets it go. */
static atomic_bool release_load;
static dl4c_status slow_loader(const char *path, dl4c_net **out, void *ctx)
{
    (void)ctx;
    while (!atomic_load(&release_load))
        sleep_ms(2);
    return dl4c_model_load(path, out);
}

static void test_loading(void)
{
    char path[700], *text = NULL;
    dl4c_net *net = make_net(5);
    REQUIRE(net);
    snprintf(path, sizeof path, "%s/slow.dl4c", test_tmpdir());
    REQUIRE_OK(dl4c_model_save(net, path, 0));
    dl4c_serve_options o = options();
    o.loader = slow_loader;
    dl4c_server *s = NULL;
    REQUIRE_OK(dl4c_server_create(&o, &s));
    dl4c_serve_model m = {.name = "slow",
                          .path = path,
                          .batch_timeout_micros = -1,
                          .log_sample_rate = -1};
    REQUIRE_OK(dl4c_server_add_model(s, &m));
    REQUIRE_OK(dl4c_server_start(s));
    for (int i = 0; i < 1000; i++) { /* the reload thread has begun */
        CHECK(request(s, "GET", "/v1/models/slow", NULL, &text) == 200);
        bool loading = text && strstr(text, "LOADING");
        dl4c_free(text);
        text = NULL;
        if (loading)
            break;
        sleep_ms(2);
    }
    CHECK(request(s, "POST", "/v1/models/slow:predict",
                  "{\"instances\": [[1, 2, 3, 4]]}", &text) == 503);
    CHECK(text && strstr(text, "model 'slow' is loading"));
    dl4c_free(text);
    CHECK(request(s, "GET", "/v2/health/ready", NULL, NULL) == 503);
    CHECK(request(s, "GET", "/v2/health/live", NULL, NULL) == 200);
    atomic_store(&release_load, true);
    CHECK(wait_ready(s));
    CHECK(request(s, "GET", "/v2/health/ready", NULL, NULL) == 200);
    CHECK(request(s, "POST", "/v1/models/slow:predict",
                  "{\"instances\": [[1, 2, 3, 4]]}", NULL) == 200);
    dl4c_server_free(s);
    dl4c_net_free(net);
}

typedef struct loader_state {
    dl4c_server *s;
    atomic_bool stop;
    int ok, failed;
} loader_state;

static void *keep_predicting(void *arg)
{
    loader_state *l = arg;
    while (!atomic_load(&l->stop)) {
        int st = request(l->s, "POST", "/v1/models/dir:predict",
                         "{\"inputs\": [[1, 2, 3, 4], [4, 3, 2, 1]]}", NULL);
        if (st == 200)
            l->ok++;
        else
            l->failed++;
    }
    return NULL;
}

static void test_hot_swap(void)
{
    char base[700], dir[800], tmp[800], file[900];
    dl4c_net *v1 = make_net(11), *v2 = make_net(12);
    REQUIRE(v1 && v2);
    snprintf(base, sizeof base, "%s/versions", test_tmpdir());
    snprintf(dir, sizeof dir, "%s/1", base);
    mkdir(base, 0777);
    mkdir(dir, 0777);
    snprintf(file, sizeof file, "%s/model.dl4c", dir);
    REQUIRE_OK(dl4c_model_save(v1, file, 0));
    dl4c_serve_options o = options();
    o.poll_seconds = 0.05;
    dl4c_server *s = NULL;
    REQUIRE_OK(dl4c_server_create(&o, &s));
    dl4c_serve_model m = {.name = "dir",
                          .base_path = base,
                          .batch_timeout_micros = -1,
                          .log_sample_rate = -1};
    REQUIRE_OK(dl4c_server_add_model(s, &m));
    REQUIRE_OK(dl4c_server_start(s));
    REQUIRE(wait_ready(s));
    loader_state l = {.s = s};
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, keep_predicting, &l);
    sleep_ms(100);
    /* a new version appears as a whole folder (written, then renamed) */
    snprintf(tmp, sizeof tmp, "%s/.incoming", base);
    mkdir(tmp, 0777);
    snprintf(file, sizeof file, "%s/model.dl4c", tmp);
    REQUIRE_OK(dl4c_model_save(v2, file, 0));
    snprintf(dir, sizeof dir, "%s/2", base);
    REQUIRE(rename(tmp, dir) == 0);
    char *text = NULL;
    bool swapped = false;
    for (int i = 0; i < 1000 && !swapped; i++) {
        sleep_ms(5);
        if (request(s, "GET", "/v1/models/dir", NULL, &text) == 200)
            swapped = text && strstr(text, "\"version\": \"2\"") &&
                      !strstr(text, "\"version\": \"1\"");
        dl4c_free(text);
        text = NULL;
    }
    sleep_ms(100);
    atomic_store(&l.stop, true);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    CHECK(swapped);
    CHECK_MSG(l.failed == 0 && l.ok > 0, "%d failed, %d ok during the swap",
              l.failed, l.ok);
    CHECK(request(s, "GET", "/v1/models/dir/versions/1", NULL, NULL) == 404);
    CHECK(request(s, "GET", "/metrics", NULL, &text) == 200);
    CHECK(text && strstr(text, "dl4c_serving_model_version{model=\"dir\"} 2"));
    CHECK(text && strstr(text, "dl4c_serving_model_load_seconds{model=\"dir\","
                               "version=\"2\"}"));
    dl4c_free(text);
    dl4c_server_free(s);
    dl4c_net_free(v1);
    dl4c_net_free(v2);
}

/* The versions a server ends up serving, newest first ("3,2"). */
static void served_versions(dl4c_server *s, const char *name, char *out,
                            size_t cap)
{
    char path[256], *text = NULL;
    snprintf(path, sizeof path, "/v1/models/%s", name);
    out[0] = '\0';
    if (request(s, "GET", path, NULL, &text) == 200) {
        size_t used = 0;
        for (const char *p = text; (p = strstr(p, "\"version\": \""));) {
            p += 12;
            used += (size_t)snprintf(out + used, cap - used, "%s%.*s",
                                     used ? "," : "", (int)strcspn(p, "\""), p);
        }
    }
    dl4c_free(text);
}

static void test_policies(void)
{
    char base[700], dir[800], file[900];
    snprintf(base, sizeof base, "%s/policies", test_tmpdir());
    mkdir(base, 0777);
    for (int v = 1; v <= 3; v++) {
        dl4c_net *net = make_net(20 + v);
        REQUIRE(net);
        snprintf(dir, sizeof dir, "%s/%d", base, v);
        mkdir(dir, 0777);
        snprintf(file, sizeof file, "%s/model.dl4c", dir);
        REQUIRE_OK(dl4c_model_save(net, file, 0));
        dl4c_net_free(net);
    }
    int64_t two[] = {1, 3}, stable[] = {2};
    const char *names[] = {"stable"};
    struct {
        dl4c_version_policy policy;
        int latest;
        bool labels, ignore;
        const char *want;
    } cases[] = {
        {DL4C_POLICY_LATEST, 0, false, false, "3"},
        {DL4C_POLICY_LATEST, 2, false, false, "3,2"},
        {DL4C_POLICY_SPECIFIC, 0, false, false, "3,1"},
        {DL4C_POLICY_ALL, 0, false, false, "3,2,1"},
        {DL4C_POLICY_LATEST, 0, true, false, "3,2"},
        {DL4C_POLICY_LATEST, 0, true, true, "3"},
        {DL4C_POLICY_LABELS, 0, true, false, "2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dl4c_serve_options o = options();
        o.poll_seconds = 0;
        dl4c_server *s = NULL;
        REQUIRE_OK(dl4c_server_create(&o, &s));
        dl4c_serve_model m = {.name = "p",
                              .base_path = base,
                              .policy = cases[i].policy,
                              .latest = cases[i].latest,
                              .versions = two,
                              .n_versions = 2,
                              .ignore_labels = cases[i].ignore,
                              .n_labels = cases[i].labels,
                              .label_names = names,
                              .label_versions = stable,
                              .batch_timeout_micros = -1,
                              .log_sample_rate = -1};
        REQUIRE_OK(dl4c_server_add_model(s, &m));
        REQUIRE_OK(dl4c_server_start(s));
        CHECK(wait_ready(s));
        /* Ready means one version serves; the others may still be loading
         * (slower under sanitizers), so wait for the full set a while. */
        char got[64];
        served_versions(s, "p", got, sizeof got);
        for (int t = 0; t < 2000 && strcmp(got, cases[i].want); t++) {
            sleep_ms(5);
            served_versions(s, "p", got, sizeof got);
        }
        CHECK_MSG(!strcmp(got, cases[i].want), "case %zu: served %s, want %s",
                  i, got, cases[i].want);
        dl4c_server_free(s);
    }
    dl4c_server *s = NULL;
    REQUIRE_OK(dl4c_server_create(NULL, &s));
    dl4c_serve_model bad = {.name = "b",
                            .base_path = base,
                            .policy = DL4C_POLICY_LABELS,
                            .ignore_labels = true};
    CHECK_ERR(dl4c_server_add_model(s, &bad), DL4C_INVALID_ARG,
              "cannot ignore labels");
    dl4c_server_free(s);
}

static void test_errors(void)
{
    char path[700], *text = NULL;
    dl4c_net *net = make_net(7);
    REQUIRE(net);
    snprintf(path, sizeof path, "%s/e.dl4c", test_tmpdir());
    REQUIRE_OK(dl4c_model_save(net, path, 0));
    dl4c_serve_options o = options();
    o.max_body_bytes = 1000;
    dl4c_server *s = NULL;
    REQUIRE_OK(dl4c_server_create(&o, &s));
    const char *labels[] = {"stable"};
    int64_t lv[] = {1};
    dl4c_serve_model m = {.name = "e",
                          .path = path,
                          .auth_token = "s3cret",
                          .n_labels = 1,
                          .label_names = labels,
                          .label_versions = lv,
                          .batch_timeout_micros = -1,
                          .log_sample_rate = -1};
    REQUIRE_OK(dl4c_server_add_model(s, &m));
    dl4c_serve_model dup = m;
    CHECK_ERR(dl4c_server_add_model(s, &dup), DL4C_INVALID_ARG,
              "configured twice");
    dup.name = "x";
    dup.base_path = "/tmp";
    CHECK_ERR(dl4c_server_add_model(s, &dup), DL4C_INVALID_ARG,
              "give exactly one of");
    REQUIRE_OK(dl4c_server_start(s));
    REQUIRE(wait_ready(s));
    int status = 0;
    const char *body = "{\"instances\": [[1, 2, 3, 4]]}";
    CHECK_OK(dl4c_server_handle(s, "POST", "/v1/models/e:predict", NULL, body,
                                strlen(body), &status, &text));
    CHECK(status == 401 && strstr(text, "Authorization: Bearer"));
    dl4c_free(text);
    CHECK_OK(dl4c_server_handle(s, "POST", "/v1/models/e:predict",
                                "Bearer wrong", body, strlen(body), &status,
                                &text));
    CHECK(status == 401 && strstr(text, "not valid"));
    dl4c_free(text);
    struct {
        const char *method, *path, *body;
        int status;
        const char *msg;
    } cases[] = {
        {"POST", "/v1/models/e:predict", "{\"instances\": [[1, 2]]}", 400,
         "takes shape [4] per example, got [2]"},
        {"POST", "/v1/models/e/labels/stable:predict", body, 200,
         "predictions"},
        {"POST", "/v1/models/e/versions/1:classify",
         "{\"examples\": [{\"x\": [1, 2, 3, 4]}]}", 200, "results"},
        {"POST", "/v1/models/e:regress",
         "{\"examples\": [{\"x\": [1, 2, 3, 4]}]}", 400,
         "one output value per example"},
        {"POST", "/v1/models/nope:predict", body, 404, "no model 'nope'"},
        {"POST", "/v1/models/e/versions/9:predict", body, 404,
         "no version 9 being served (versions: 1)"},
        {"POST", "/v1/models/e/labels/canary:predict", body, 404,
         "no label 'canary' (labels: stable)"},
        {"GET", "/v1/models/e/versions/abc", NULL, 400, "positive whole"},
        {"GET", "/v1/models/e:predict", NULL, 405, "use POST"},
        {"POST", "/v1/models/e", body, 405, "use GET"},
        {"GET", "/v1/other", NULL, 404, "no such endpoint"},
        {"GET", "/v1/models/e/frobnicate", NULL, 404, "no such endpoint"},
        {"GET", "/v1/models/e/metadata", NULL, 200, "DT_FLOAT"},
        {"GET", "/v1/models/e/labels/stable", NULL, 200, "AVAILABLE"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        text = NULL;
        CHECK_OK(dl4c_server_handle(
            s, cases[i].method, cases[i].path, "Bearer s3cret", cases[i].body,
            cases[i].body ? strlen(cases[i].body) : 0, &status, &text));
        CHECK_MSG(status == cases[i].status && text &&
                      strstr(text, cases[i].msg),
                  "%s %s: %d %s", cases[i].method, cases[i].path, status,
                  text ? text : "(null)");
        dl4c_free(text);
    }
    char big[1200];
    memset(big, ' ', sizeof big);
    CHECK_OK(dl4c_server_handle(s, "POST", "/v1/models/e:predict",
                                "Bearer s3cret", big, sizeof big, &status,
                                &text));
    CHECK(status == 413 && strstr(text, "over the limit of 1000"));
    dl4c_free(text);
    dl4c_server_free(s);
    dl4c_net_free(net);
}

static void test_config_file(void)
{
    dl4c_server *s = NULL;
    REQUIRE_OK(dl4c_server_create(NULL, &s));
    const char *good = test_write_file(
        "models.json",
        "{\"model_config_list\": {\"config\": [{\"name\": \"a\", "
        "\"base_path\": \"a\", \"model_platform\": \"tensorflow\", "
        "\"model_version_policy\": {\"specific\": {\"versions\": [\"1\", 3]}},"
        " \"version_labels\": {\"stable\": \"1\"}}]}}");
    CHECK_OK(dl4c_server_load_config(s, good));
    const char *unknown = test_write_file(
        "bad1.json", "{\"models\": [{\"name\": \"b\", \"path\": \"x\", "
                     "\"max_batch\": 3}]}");
    CHECK_ERR(dl4c_server_load_config(s, unknown), DL4C_FORMAT,
              "models[0]: unknown key 'max_batch'");
    const char *two = test_write_file(
        "bad2.json", "{\"models\": [{\"name\": \"c\", \"path\": \"x\", "
                     "\"store\": \"y\"}]}");
    CHECK_ERR(dl4c_server_load_config(s, two), DL4C_INVALID_ARG,
              "give exactly one of");
    const char *policy = test_write_file(
        "bad3.json", "{\"models\": [{\"name\": \"d\", \"path\": \"x\", "
                     "\"model_version_policy\": {\"newest\": {}}}]}");
    CHECK_ERR(dl4c_server_load_config(s, policy), DL4C_FORMAT,
              "unknown key 'newest'");
    const char *syntax = test_write_file("bad4.json", "{\"models\": [");
    CHECK_ERR(dl4c_server_load_config(s, syntax), DL4C_FORMAT, "bad4.json:1");
    CHECK_ERR(dl4c_server_load_config(s, "/no/such.json"), DL4C_IO,
              "cannot open");
    dl4c_server_free(s);
    dl4c_serve_options o = dl4c_serve_options_default();
    o.tls_key = "k.pem";
    CHECK_ERR(dl4c_server_create(&o, &s), DL4C_INVALID_ARG,
              "both a certificate and its key");
    o = dl4c_serve_options_default();
    o.max_batch_size = 0;
    CHECK_ERR(dl4c_server_create(&o, &s), DL4C_INVALID_ARG, "max_batch_size");
}

TEST_MAIN(test_batching, test_loading, test_hot_swap, test_policies,
          test_errors, test_config_file)
