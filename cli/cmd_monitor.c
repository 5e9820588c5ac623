/* dl4c monitor skew: training/serving skew of a served model: the inputs
 * the server logged (dl4c serve --log-sample-rate) against the training
 * data, feature by feature, as the population stability index. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "dl4c/dataset_store.h"
#include "dl4c/model_store.h"

static cli_opt opts[] = {
    {"dataset", "PATH",
     "the training data: a file, a folder or a dataset of the store "
     "(default: the data recorded when the model was trained)",
     NULL},
    {"where", "COND",
     "with a store dataset: the items (default: the training run's query)",
     NULL},
    {"label-index", "N", "CSV label column to leave out (default: the last)",
     NULL},
    {"labels-to", "N", "last label column when there are several", NULL},
    {"skip-lines", "N", "CSV header lines to skip", NULL},
    {"delimiter", "C", "CSV delimiter (default ',')", NULL},
    {"bins", "N", "quantile bins per feature (default 10)", NULL},
    {"limit", "N", "use the newest N logged rows only", NULL},
    {"threshold", "PSI",
     "exit with status 1 when any feature's PSI is above this", NULL},
};

#define N_OPTS ((int)(sizeof opts / sizeof opts[0]))
#define OPT(name) cli_get(opts, N_OPTS, name)

static const char *USAGE = "dl4c monitor skew REF [--dataset PATH] [options]";
static const char *ABOUT =
    "Compares the inputs a server logged for a model (serve with\n"
    "--log-sample-rate) with its training data: per feature, the population\n"
    "stability index over quantile bins of the training data. Below 0.1 is\n"
    "usually read as no shift, 0.1 to 0.25 as moderate, above 0.25 as\n"
    "significant. REF is NAME (every version's log) or NAME:VERSION.";

static const char *verdict(double psi)
{
    return psi < 0.1 ? "none" : psi < 0.25 ? "moderate" : "significant";
}

/* Reads the training data the way the training run did: its CSV options
 * (label column, classes, header lines, delimiter) come from the recorded
 * hyperparameters unless given here. A name that is not a file is a
 * dataset of the store, selected by the training run's query and loaded
 * with its label column and image size. */
static void recorded_options(const char *hyperparams, cli_data_opts *d,
                             char *delim, size_t cap)
{
    json_t *h = hyperparams ? json_loads(hyperparams, 0, NULL) : NULL;
    const json_t *v;
    if ((v = json_object_get(h, "label-index")) && json_is_integer(v) &&
        !OPT("label-index"))
        d->label_index = json_integer_value(v);
    if ((v = json_object_get(h, "labels-to")) && json_is_integer(v) &&
        !OPT("labels-to"))
        d->labels_to = json_integer_value(v);
    if ((v = json_object_get(h, "skip-lines")) && json_is_integer(v) &&
        !OPT("skip-lines"))
        d->skip_lines = json_integer_value(v);
    if ((v = json_object_get(h, "num-classes")) && json_is_integer(v))
        d->num_classes = json_integer_value(v);
    if ((v = json_object_get(h, "delimiter")) && json_is_string(v) &&
        !OPT("delimiter")) {
        snprintf(delim, cap, "%s", json_string_value(v));
        d->delimiter = delim;
    }
    json_decref(h);
}

static dl4c_status load_store_dataset(dl4c_store *s, const char *name,
                                      const dl4c_model_entry *e,
                                      dl4c_dataset **out)
{
    json_t *h = e->hyperparams ? json_loads(e->hyperparams, 0, NULL) : NULL;
    dl4c_store_load_options lo = dl4c_store_load_options_default();
    const char *label = json_string_value(json_object_get(h, "label-column"));
    const char *resize = json_string_value(json_object_get(h, "resize"));
    long long height = 0, width = 0;
    if (label)
        lo.label_column = label;
    if (resize && sscanf(resize, "%lldx%lld", &height, &width) == 2) {
        lo.height = height;
        lo.width = width;
    }
    const char *where = OPT("where") ? OPT("where") : e->query;
    dl4c_status st = dl4c_dataset_store_load(s, name, where, &lo, out);
    json_decref(h);
    return st;
}

static int skew(const char *ref)
{
    char delim[16];
    dl4c_store *s = NULL;
    dl4c_model_entry e = {0};
    dl4c_dataset *ds = NULL;
    dl4c_tensor *logged = NULL;
    double *psi = NULL;
    int64_t bins, limit;
    double threshold;
    int rc = CLI_FAIL;
    cli_data_opts d = {.label_index = -1, .labels_to = -1};
    if (!cli_int(opts, N_OPTS, "bins", 10, 2, 1000, &bins) ||
        !cli_int(opts, N_OPTS, "limit", 0, 0, INT64_MAX, &limit) ||
        !cli_int(opts, N_OPTS, "label-index", -1, 0, 1 << 20, &d.label_index) ||
        !cli_int(opts, N_OPTS, "labels-to", -1, 0, 1 << 20, &d.labels_to) ||
        !cli_int(opts, N_OPTS, "skip-lines", 0, 0, 1 << 20, &d.skip_lines) ||
        !cli_double(opts, N_OPTS, "threshold", -1, 0, 1e9, &threshold))
        return CLI_USAGE;
    d.delimiter = OPT("delimiter");
    if (dl4c_store_open(NULL, &s) != DL4C_OK ||
        dl4c_model_store_resolve(s, ref, &e) != DL4C_OK) {
        rc = cli_fail("monitor skew");
        goto done;
    }
    recorded_options(e.hyperparams, &d, delim, sizeof delim);
    bool pinned = strchr(ref, ':') != NULL;
    const char *data = OPT("dataset") ? OPT("dataset") : e.dataset;
    if (!data) {
        rc = cli_usage_error("monitor skew",
                             "%s:%lld has no training data recorded; give "
                             "--dataset",
                             e.name, (long long)e.version);
        goto done;
    }
    struct stat info;
    dl4c_status loaded = stat(data, &info) == 0 || strchr(data, ',')
                             ? cli_load_data(data, true, &d, &ds)
                             : load_store_dataset(s, data, &e, &ds);
    if (loaded != DL4C_OK ||
        dl4c_model_store_logged_inputs(s, e.name, pinned ? e.version : 0, limit,
                                       &logged) != DL4C_OK) {
        rc = cli_fail("monitor skew");
        goto done;
    }
    if (!logged) {
        fprintf(stderr,
                "dl4c monitor skew: error: no predictions logged for %s%s "
                "(serve it with --log-sample-rate)\n",
                e.name, pinned ? strchr(ref, ':') : "");
        goto done;
    }
    const dl4c_tensor *x = dl4c_dataset_features(ds);
    int64_t n = dl4c_tensor_dim(x, 0), width = dl4c_tensor_size(x) / n;
    int64_t got = dl4c_tensor_dim(logged, 1);
    if (width != got) {
        fprintf(stderr,
                "dl4c monitor skew: error: %s has %lld features per example; "
                "the server logged %lld (--label-index picks the label "
                "column)\n",
                data, (long long)width, (long long)got);
        goto done;
    }
    int64_t dims[2] = {n, width};
    dl4c_tensor *flat = NULL;
    psi = calloc((size_t)width, sizeof *psi);
    if (!psi || dl4c_tensor_view(x, 0, 2, dims, &flat) != DL4C_OK ||
        dl4c_psi(flat, logged, (int)bins, psi) != DL4C_OK) {
        dl4c_tensor_free(flat);
        rc = cli_fail("monitor skew");
        goto done;
    }
    dl4c_tensor_free(flat);
    printf("Training/serving skew of %s%s: %lld training examples (%s), "
           "%lld logged\n",
           e.name, pinned ? strchr(ref, ':') : " (every version)", (long long)n,
           data, (long long)dl4c_tensor_dim(logged, 0));
    printf("%-10s %10s  %s\n", "feature", "PSI", "shift");
    int64_t worst = 0;
    for (int64_t f = 0; f < width; f++) {
        if (psi[f] > psi[worst])
            worst = f;
        if (width <= 64 || psi[f] >= 0.1)
            printf("%-10lld %10.4f  %s\n", (long long)f, psi[f],
                   verdict(psi[f]));
    }
    if (width > 64)
        printf("(features with PSI below 0.1 not listed)\n");
    printf("max PSI %.4f (feature %lld): %s shift\n", psi[worst],
           (long long)worst, verdict(psi[worst]));
    rc = CLI_OK;
    if (threshold >= 0 && psi[worst] > threshold) {
        fprintf(stderr,
                "dl4c monitor skew: PSI %.4f of feature %lld is above the "
                "threshold %g\n",
                psi[worst], (long long)worst, threshold);
        rc = CLI_FAIL;
    }
done:
    free(psi);
    dl4c_tensor_free(logged);
    dl4c_dataset_free(ds);
    dl4c_model_entry_deinit(&e);
    dl4c_store_close(s);
    return rc;
}

int cmd_monitor(int argc, char **argv)
{
    const char *pos[2];
    int n_pos = 0;
    int rc = cli_parse(argc, argv, USAGE, ABOUT, opts, N_OPTS, pos, 2, &n_pos);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (n_pos != 2 || strcmp(pos[0], "skew") != 0)
        return cli_usage_error("monitor", "usage: %s", USAGE);
    return skew(pos[1]);
}
