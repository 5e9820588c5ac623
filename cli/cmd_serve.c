/* dl4c serve: the model server (include/dl4c/serve.h) from the command
 * line. SIGTERM or SIGINT stops it gracefully: no new connections, the
 * requests in flight finish, exit 0. Models load through cli_load_model,
 * so every model format the command reads can be served. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "dl4c/model_store.h"
#include "dl4c/serve.h"

static cli_opt opts[] = {
    {"port", "N", "port to listen on (default 8501; 0: any free port)", NULL},
    {"host", "ADDR", "address to bind (default 0.0.0.0)", NULL},
    {"model", "REF",
     "a model file, or a store model NAME (its versions, hot-reloaded) or "
     "NAME:VERSION",
     NULL},
    {"model-dir", "DIR",
     "a folder of numbered version folders (TensorFlow Serving's layout)",
     NULL},
    {"config", "FILE", "a models.json listing several models", NULL},
    {"name", "NAME", "the model's name in URLs (default: from --model)", NULL},
    {"latest", "N", "serve the newest N versions (default 1)", NULL},
    {"versions", "LIST", "serve these versions only (e.g. 1,3)", NULL},
    {"all-versions", NULL, "serve every version", NULL},
    {"labels-only", NULL, "serve only the versions labels point at", NULL},
    {"no-labels", NULL, "do not also serve labelled versions", NULL},
    {"max-batch-size", "N", "rows per batch (default 32)", NULL},
    {"batch-timeout-micros", "N",
     "wait this long for a fuller batch (default 0: run what is queued)", NULL},
    {"no-batching", NULL, "run each request on its own", NULL},
    {"workers", "N", "worker threads per model version (default 1)", NULL},
    {"threads-per-worker", "N", "OpenMP threads of each worker", NULL},
    {"max-body-bytes", "N", "larger bodies get 413 (default 16777216)", NULL},
    {"max-json-depth", "N", "deeper JSON gets 400 (default 32)", NULL},
    {"max-rows", "N", "examples per request (default 65536)", NULL},
    {"max-connections", "N", "open connections at once (default 256)", NULL},
    {"connection-timeout", "S", "close idle connections after S seconds", NULL},
    {"tls-cert", "FILE", "serve HTTPS with this certificate (PEM)", NULL},
    {"tls-key", "FILE", "the certificate's private key (PEM)", NULL},
    {"tls-client-ca", "FILE",
     "require client certificates signed by this CA (PEM)", NULL},
    {"auth-token", "TOKEN", "require 'Authorization: Bearer TOKEN'", NULL},
    {"auth-token-file", "FILE", "the same, the token read from a file", NULL},
    {"poll-seconds", "S",
     "check for new versions every S seconds (default 1; 0: never)", NULL},
    {"log-sample-rate", "F",
     "log this fraction of predictions to the store (default 0)", NULL},
    {"drain-seconds", "S",
     "on SIGTERM, wait up to S seconds for requests in flight (default 30)",
     NULL},
};

#define N_OPTS ((int)(sizeof opts / sizeof opts[0]))
#define OPT(name) cli_get(opts, N_OPTS, name)

static const char *USAGE =
    "dl4c serve [--port N] (--model REF | --model-dir DIR | --config FILE) "
    "[options]";
static const char *ABOUT =
    "Serves models over HTTP with the TensorFlow Serving REST API:\n"
    "  GET  /v1/models/NAME[/versions/V|/labels/L][/metadata]\n"
    "  POST /v1/models/NAME[/versions/V|/labels/L]:predict (:classify, "
    ":regress)\n"
    "  GET  /v2/health/live, /v2/health/ready, /metrics (Prometheus)\n"
    "New versions (in the store, or new numbered folders) are loaded, warmed\n"
    "up and swapped in while serving. docs/serving.md has the details.";

static dl4c_status load(const char *path, dl4c_net **out, void *ctx)
{
    (void)ctx;
    return cli_load_model(path, out);
}

static bool parse_versions(const char *list, int64_t *v, int *n, int cap)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    *n = 0;
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
        char *end = NULL;
        long long x = strtoll(t, &end, 10);
        if (*n == cap || !*t || *end || x < 1)
            return false;
        v[(*n)++] = x;
    }
    return *n > 0;
}

/* The model name from a file or folder path: its base name without the
 * extension. */
static void name_from_path(const char *path, char *name, size_t cap)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    size_t n = strlen(buf);
    while (n > 1 && buf[n - 1] == '/')
        buf[--n] = '\0';
    const char *base = strrchr(buf, '/');
    base = base ? base + 1 : buf;
    snprintf(name, cap, "%s", base);
    char *dot = strchr(name + 1, '.');
    if (dot)
        *dot = '\0';
}

static int read_token(char *buf, size_t cap)
{
    const char *file = OPT("auth-token-file");
    if (!file)
        return CLI_OK;
    FILE *f = fopen(file, "r");
    if (!f || !fgets(buf, (int)cap, f)) {
        if (f)
            fclose(f);
        fprintf(stderr, "dl4c serve: error: %s: cannot read the token\n", file);
        return CLI_FAIL;
    }
    fclose(f);
    buf[strcspn(buf, "\r\n")] = '\0';
    return CLI_OK;
}

/* The model of --model or --model-dir. */
static int add_model(dl4c_server *srv)
{
    const char *model = OPT("model"), *dir = OPT("model-dir");
    char name[256], token[1024] = "", ref_name[256];
    int64_t latest = 1, versions[256];
    int n_versions = 0, rc;
    struct stat st;
    dl4c_serve_model m = {.batch_timeout_micros = -1, .log_sample_rate = -1};
    if ((rc = read_token(token, sizeof token)) != CLI_OK)
        return rc;
    if (!cli_int(opts, N_OPTS, "latest", 1, 1, 1000, &latest))
        return CLI_USAGE;
    m.latest = (int)latest;
    m.ignore_labels = cli_flag(opts, N_OPTS, "no-labels");
    m.auth_token = token[0] ? token : OPT("auth-token");
    if (OPT("versions")) {
        if (!parse_versions(OPT("versions"), versions, &n_versions, 256))
            return cli_usage_error("serve",
                                   "--versions takes version numbers like "
                                   "1,3");
        m.policy = DL4C_POLICY_SPECIFIC;
        m.versions = versions;
        m.n_versions = n_versions;
    } else if (cli_flag(opts, N_OPTS, "all-versions")) {
        m.policy = DL4C_POLICY_ALL;
    } else if (cli_flag(opts, N_OPTS, "labels-only")) {
        m.policy = DL4C_POLICY_LABELS;
    }
    if (dir) {
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "dl4c serve: error: %s: not a folder\n", dir);
            return CLI_FAIL;
        }
        m.base_path = dir;
        name_from_path(dir, name, sizeof name);
    } else if (stat(model, &st) == 0) {
        m.path = model;
        name_from_path(model, name, sizeof name);
    } else if (dl4c_model_ref_valid(model)) {
        if (strchr(model, '@'))
            return cli_usage_error("serve",
                                   "serve NAME: its labelled versions are "
                                   "served too, at "
                                   "/v1/models/NAME/labels/LABEL");
        /* a store model must exist (a typo should not wait forever) */
        dl4c_store *store = NULL;
        dl4c_model_entry e = {0};
        dl4c_status found = dl4c_store_open(NULL, &store);
        if (found == DL4C_OK)
            found = dl4c_model_store_resolve(store, model, &e);
        dl4c_model_entry_deinit(&e);
        dl4c_store_close(store);
        if (found != DL4C_OK)
            return cli_fail("serve");
        snprintf(ref_name, sizeof ref_name, "%.*s", (int)strcspn(model, ":"),
                 model);
        snprintf(name, sizeof name, "%s", ref_name);
        m.store_name = ref_name;
        const char *colon = strchr(model, ':');
        if (colon) {
            versions[0] = strtoll(colon + 1, NULL, 10);
            m.policy = DL4C_POLICY_SPECIFIC;
            m.versions = versions;
            m.n_versions = 1;
            m.ignore_labels = true;
        }
    } else {
        fprintf(stderr,
                "dl4c serve: error: '%s' is neither a file nor a model store "
                "name\n",
                model);
        return CLI_FAIL;
    }
    m.name = OPT("name") ? OPT("name") : name;
    if (dl4c_server_add_model(srv, &m) != DL4C_OK)
        return cli_fail("serve");
    return CLI_OK;
}

static int options(dl4c_serve_options *o)
{
    int64_t port, batch, timeout_us, workers, tpw, body, depth, rows, conns,
        ctimeout;
    double poll, rate;
    if (!cli_int(opts, N_OPTS, "port", 8501, 0, 65535, &port) ||
        !cli_int(opts, N_OPTS, "max-batch-size", 32, 1, 65536, &batch) ||
        !cli_int(opts, N_OPTS, "batch-timeout-micros", 0, 0, 10000000,
                 &timeout_us) ||
        !cli_int(opts, N_OPTS, "workers", 1, 1, 256, &workers) ||
        !cli_int(opts, N_OPTS, "threads-per-worker", 0, 0, 1024, &tpw) ||
        !cli_int(opts, N_OPTS, "max-body-bytes", 16 << 20, 64, INT64_MAX,
                 &body) ||
        !cli_int(opts, N_OPTS, "max-json-depth", 32, 2, 1000, &depth) ||
        !cli_int(opts, N_OPTS, "max-rows", 65536, 1, INT64_MAX, &rows) ||
        !cli_int(opts, N_OPTS, "max-connections", 256, 1, 100000, &conns) ||
        !cli_int(opts, N_OPTS, "connection-timeout", 60, 0, 86400, &ctimeout) ||
        !cli_double(opts, N_OPTS, "poll-seconds", 1, 0, 86400, &poll) ||
        !cli_double(opts, N_OPTS, "log-sample-rate", 0, 0, 1, &rate))
        return CLI_USAGE;
    o->port = (int)port;
    if (OPT("host"))
        o->host = OPT("host");
    o->max_batch_size = cli_flag(opts, N_OPTS, "no-batching") ? 1 : (int)batch;
    o->batch_timeout_micros = timeout_us;
    o->workers = (int)workers;
    o->threads_per_worker = (int)tpw;
    o->max_body_bytes = (size_t)body;
    o->max_json_depth = (int)depth;
    o->max_rows = rows;
    o->max_connections = (int)conns;
    o->connection_timeout = (int)ctimeout;
    o->poll_seconds = poll;
    o->log_sample_rate = rate;
    o->tls_cert = OPT("tls-cert");
    o->tls_key = OPT("tls-key");
    o->tls_client_ca = OPT("tls-client-ca");
    o->loader = load;
    return CLI_OK;
}

static int serve(dl4c_server **srv, sigset_t *stop)
{
    dl4c_serve_options o = dl4c_serve_options_default();
    double drain;
    int rc;
    int sources = !!OPT("model") + !!OPT("model-dir") + !!OPT("config");
    if (sources != 1)
        return cli_usage_error("serve",
                               "give exactly one of --model, --model-dir and "
                               "--config");
    if (OPT("config") && (OPT("name") || OPT("latest") || OPT("versions") ||
                          OPT("all-versions") || OPT("labels-only") ||
                          OPT("auth-token") || OPT("auth-token-file")))
        return cli_usage_error("serve",
                               "with --config, names, versions and tokens "
                               "are set in the config file");
    if ((rc = options(&o)) != CLI_OK)
        return rc;
    if (!cli_double(opts, N_OPTS, "drain-seconds", 30, 0, 3600, &drain))
        return CLI_USAGE;
    if (dl4c_server_create(&o, srv) != DL4C_OK)
        return cli_fail("serve");
    if (OPT("config")) {
        if (dl4c_server_load_config(*srv, OPT("config")) != DL4C_OK)
            return cli_fail("serve");
    } else if ((rc = add_model(*srv)) != CLI_OK) {
        return rc;
    }
    if (dl4c_server_start(*srv) != DL4C_OK)
        return cli_fail("serve");
    fprintf(stderr, "dl4c serve: listening on %s://%s:%d\n",
            o.tls_cert ? "https" : "http", o.host, dl4c_server_port(*srv));
    fflush(stderr);
    int sig = 0;
    sigwait(stop, &sig);
    fprintf(stderr, "dl4c serve: %s: finishing the requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    dl4c_server_shutdown(*srv, drain);
    fprintf(stderr, "dl4c serve: stopped\n");
    return CLI_OK;
}

int cmd_serve(int argc, char **argv)
{
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(argc, argv, USAGE, ABOUT, opts, N_OPTS, pos, 0, &n_pos);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    /* every thread the server starts inherits this mask, so the signals
     * reach only sigwait below */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    dl4c_server *srv = NULL;
    rc = serve(&srv, &stop);
    dl4c_server_free(srv);
    return rc;
}
