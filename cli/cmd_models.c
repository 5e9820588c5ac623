/* dl4c models: the model store from the command line: list, show,
 * compare, label, rm, and add (register an existing model file, e.g. an
 * imported Keras model). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "dl4c/model_store.h"

static const char *USAGE =
    "dl4c models (list [NAME] | show REF | compare REF REF | label "
    "NAME:VERSION LABEL | rm NAME:VERSION | rm NAME --all | add NAME FILE)";
static const char *ABOUT =
    "The model store in $DL4C_HOME (default ./dl4c-home). Every 'dl4c "
    "train' run\nregisters its model as the next version of its name. A "
    "REF is NAME (the\nlatest version), NAME:VERSION or NAME@LABEL; any "
    "command taking a model\nfile takes a REF too.\n\n"
    "  list [NAME]               versions with labels and main metric\n"
    "  show REF                  everything recorded, metrics as a table\n"
    "  compare REF REF           hyperparameters and metrics side by side\n"
    "  label NAME:VERSION LABEL  point a label (stable, canary, ...) at a "
    "version\n"
    "  label NAME LABEL --remove remove a label\n"
    "  rm NAME:VERSION           remove a version (NAME --all: every "
    "version)\n"
    "  add NAME FILE             register an existing model file";

static cli_opt opts[] = {
    {"json", NULL, "list, show: print JSON", NULL},
    {"config", NULL, "show: print the network config JSON too", NULL},
    {"all", NULL, "rm: remove every version of NAME", NULL},
    {"remove", NULL, "label: remove the label instead", NULL},
    {"dataset", "TEXT", "add: the data it was trained on", NULL},
    {"parent", "REF", "add: the model it was derived from", NULL},
};

#define N_OPTS ((int)(sizeof opts / sizeof opts[0]))

static void format_time(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm))
        snprintf(buf, cap, "%lld", (long long)t);
}

static json_t *parse_json(const char *text)
{
    return text ? json_loads(text, 0, NULL) : NULL;
}

static double num(const json_t *obj, const char *a, const char *b)
{
    const json_t *v = json_object_get(obj, a);
    if (b)
        v = json_object_get(v, b);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* "accuracy 0.9667" / "r2 0.9812" / "-" */
static void main_metric(const char *metrics, char *buf, size_t cap)
{
    json_t *m = parse_json(metrics);
    const char *type = json_string_value(json_object_get(m, "type"));
    if (type && !strcmp(type, "classification"))
        snprintf(buf, cap, "accuracy %.4f", num(m, "accuracy", NULL));
    else if (type && !strcmp(type, "regression"))
        snprintf(buf, cap, "mse %.4g", num(m, "average", "mse"));
    else
        snprintf(buf, cap, "-");
    json_decref(m);
}

static void labels_text(const dl4c_model_entry *e, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < e->n_labels && used + 1 < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? "," : "",
                                 e->labels[i]);
    if (!used)
        snprintf(buf, cap, "-");
}

static json_t *entry_json(const dl4c_model_entry *e, bool config)
{
    json_t *j = json_object();
    json_t *labels = json_array();
    for (int i = 0; i < e->n_labels; i++)
        json_array_append_new(labels, json_string(e->labels[i]));
    json_object_set_new(j, "name", json_string(e->name));
    json_object_set_new(j, "version", json_integer(e->version));
    json_object_set_new(j, "labels", labels);
    json_object_set_new(j, "created", json_integer(e->created));
    json_object_set_new(j, "sha256", json_string(e->sha256));
    json_object_set_new(j, "path", json_string(e->path));
    json_object_set_new(j, "dl4c_version", json_string(e->dl4c_version));
    json_object_set_new(j, "dataset",
                        e->dataset ? json_string(e->dataset) : json_null());
    json_object_set_new(j, "query",
                        e->query ? json_string(e->query) : json_null());
    json_object_set_new(j, "wall_time",
                        e->wall_time > 0 ? json_real(e->wall_time)
                                         : json_null());
    if (e->parent_name) {
        json_t *p = json_object();
        json_object_set_new(p, "name", json_string(e->parent_name));
        json_object_set_new(p, "version", json_integer(e->parent_version));
        json_object_set_new(p, "sha256", json_string(e->parent_sha256));
        json_object_set_new(j, "parent", p);
    } else {
        json_object_set_new(j, "parent", json_null());
    }
    json_t *hp = parse_json(e->hyperparams);
    json_object_set_new(j, "hyperparameters", hp ? hp : json_null());
    json_t *m = parse_json(e->metrics);
    json_object_set_new(j, "metrics", m ? m : json_null());
    if (config) {
        json_t *c = parse_json(e->config);
        json_object_set_new(j, "config", c ? c : json_null());
    }
    return j;
}

static void print_json(json_t *j)
{
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text)
        puts(text);
    free(text);
    json_decref(j);
}

static int open_store(const char *cmd, dl4c_store **s)
{
    if (dl4c_store_open(NULL, s) != DL4C_OK)
        return cli_fail(cmd);
    return CLI_OK;
}

static int do_list(const char *name)
{
    dl4c_store *s = NULL;
    dl4c_model_entry *e = NULL;
    int n = 0, rc;
    if ((rc = open_store("models list", &s)) != CLI_OK)
        return rc;
    if (dl4c_model_store_list(s, name, &e, &n) != DL4C_OK) {
        dl4c_store_close(s);
        return cli_fail("models list");
    }
    if (cli_flag(opts, N_OPTS, "json")) {
        json_t *all = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(all, entry_json(&e[i], false));
        print_json(all);
    } else if (n == 0) {
        printf(name ? "no versions of '%s' in the store %s\n"
                    : "%sno models in the store %s\n",
               name ? name : "", dl4c_store_home(s));
    } else {
        printf("%-20s %7s  %-19s  %-16s %-18s %s\n", "NAME", "VERSION",
               "CREATED (UTC)", "LABELS", "METRIC", "SHA256");
        for (int i = 0; i < n; i++) {
            char when[32], labels[256], metric[64];
            format_time(e[i].created, when, sizeof when);
            labels_text(&e[i], labels, sizeof labels);
            main_metric(e[i].metrics, metric, sizeof metric);
            printf("%-20s %7lld  %-19s  %-16s %-18s %.12s\n", e[i].name,
                   (long long)e[i].version, when, labels, metric, e[i].sha256);
        }
    }
    dl4c_model_entries_free(e, n);
    dl4c_store_close(s);
    return CLI_OK;
}

static void print_metrics(const char *metrics)
{
    json_t *m = parse_json(metrics);
    const char *type = json_string_value(json_object_get(m, "type"));
    if (!type) {
        printf("Metrics:         none recorded\n");
        json_decref(m);
        return;
    }
    if (!strcmp(type, "classification")) {
        printf("Metrics:         classification, %lld examples\n",
               (long long)num(m, "count", NULL));
        printf("  Accuracy:      %.4f\n", num(m, "accuracy", NULL));
        printf("  Precision:     %.4f (macro)\n", num(m, "precision", "macro"));
        printf("  Recall:        %.4f (macro)\n", num(m, "recall", "macro"));
        printf("  F1 score:      %.4f (macro)\n", num(m, "f1", "macro"));
        const json_t *classes = json_object_get(m, "classes");
        printf("  %-20s %9s %9s %9s %9s\n", "class", "precision", "recall",
               "f1", "support");
        for (size_t i = 0; i < json_array_size(classes); i++) {
            const json_t *c = json_array_get(classes, i);
            printf("  %-20.20s %9.4f %9.4f %9.4f %9lld\n",
                   json_string_value(json_object_get(c, "name")),
                   num(c, "precision", NULL), num(c, "recall", NULL),
                   num(c, "f1", NULL), (long long)num(c, "support", NULL));
        }
    } else {
        static const char *const keys[] = {"mse", "mae", "rmse",
                                           "rse", "pc",  "r2"};
        printf("Metrics:         regression\n  %-20s", "column");
        for (int k = 0; k < 6; k++)
            printf(" %11s", keys[k]);
        printf("\n");
        const json_t *cols = json_object_get(m, "columns");
        for (size_t i = 0; i < json_array_size(cols); i++) {
            const json_t *c = json_array_get(cols, i);
            printf("  %-20.20s", json_string_value(json_object_get(c, "name")));
            for (int k = 0; k < 6; k++)
                printf(" %11.5g", num(c, keys[k], NULL));
            printf("\n");
        }
    }
    json_decref(m);
}

/* The layers of a net config, one line each. */
static void print_network(const char *config)
{
    json_t *c = parse_json(config);
    const json_t *inputs = json_object_get(c, "inputs");
    const json_t *layers = json_object_get(c, "layers");
    printf("Network:\n");
    for (size_t i = 0; i < json_array_size(inputs); i++) {
        const json_t *in = json_array_get(inputs, i);
        char *shape = json_dumps(json_object_get(in, "shape"), JSON_COMPACT);
        printf("  input %-14s %s\n",
               json_string_value(json_object_get(in, "name")),
               shape ? shape : "?");
        free(shape);
    }
    for (size_t i = 0; i < json_array_size(layers); i++) {
        const json_t *l = json_array_get(layers, i);
        const json_t *units = json_object_get(l, "units");
        const json_t *act = json_object_get(l, "activation");
        const json_t *loss = json_object_get(l, "loss");
        printf("  %-20s %-10s", json_string_value(json_object_get(l, "name")),
               json_string_value(json_object_get(l, "type")));
        if (json_is_integer(units))
            printf(" units=%lld", (long long)json_integer_value(units));
        if (json_is_string(act))
            printf(" activation=%s", json_string_value(act));
        else if (json_is_object(act))
            printf(" activation=%s",
                   json_string_value(json_object_get(act, "type")));
        if (json_is_string(loss))
            printf(" loss=%s", json_string_value(loss));
        else if (json_is_object(loss))
            printf(" loss=%s",
                   json_string_value(json_object_get(loss, "type")));
        printf("\n");
    }
    if (!json_array_size(layers))
        printf("  (no config recorded)\n");
    json_decref(c);
}

static void value_text(const json_t *v, char *buf, size_t cap)
{
    if (!v) {
        snprintf(buf, cap, "-");
        return;
    }
    if (json_is_real(v)) {
        snprintf(buf, cap, "%.6g", json_real_value(v));
        return;
    }
    char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(buf, cap, "%s", t ? t : "?");
    free(t);
}

static void print_hyperparams(const char *hp)
{
    json_t *h = parse_json(hp);
    const char *key;
    json_t *v;
    printf("Hyperparameters:%s\n", json_object_size(h) ? "" : " none recorded");
    json_object_foreach(h, key, v)
    {
        char text[512];
        value_text(v, text, sizeof text);
        printf("  %-20s %s\n", key, text);
    }
    json_decref(h);
}

static int do_show(const char *ref)
{
    dl4c_store *s = NULL;
    dl4c_model_entry e = {0};
    int rc;
    if ((rc = open_store("models show", &s)) != CLI_OK)
        return rc;
    if (dl4c_model_store_resolve(s, ref, &e) != DL4C_OK) {
        dl4c_store_close(s);
        return cli_fail("models show");
    }
    if (cli_flag(opts, N_OPTS, "json")) {
        print_json(entry_json(&e, cli_flag(opts, N_OPTS, "config")));
    } else {
        char when[32], labels[256];
        format_time(e.created, when, sizeof when);
        labels_text(&e, labels, sizeof labels);
        printf("Model:           %s:%lld\n", e.name, (long long)e.version);
        printf("Labels:          %s\n", labels);
        printf("Created:         %s UTC\n", when);
        printf("File:            %s\n", e.path);
        printf("SHA-256:         %s\n", e.sha256);
        printf("dl4c version:    %s\n", e.dl4c_version);
        if (e.parent_name)
            printf("Parent:          %s:%lld (sha256 %.12s)\n", e.parent_name,
                   (long long)e.parent_version,
                   e.parent_sha256 ? e.parent_sha256 : "?");
        else
            printf("Parent:          -\n");
        if (e.wall_time > 0)
            printf("Wall time:       %.2f s\n", e.wall_time);
        else
            printf("Wall time:       -\n");
        printf("Dataset:         %s\n", e.dataset ? e.dataset : "-");
        printf("Query:           %s\n", e.query ? e.query : "-");
        print_hyperparams(e.hyperparams);
        print_metrics(e.metrics);
        print_network(e.config);
        if (cli_flag(opts, N_OPTS, "config") && e.config)
            printf("%s\n", e.config);
    }
    dl4c_model_entry_deinit(&e);
    dl4c_store_close(s);
    return CLI_OK;
}

/* One row of the comparison; '*' marks values that differ. */
static void row(const char *what, const char *a, const char *b)
{
    printf("%s %-24.24s %-22s %s\n", strcmp(a, b) ? "*" : " ", what, a, b);
}

static void metric_row(const char *label, const json_t *a, const json_t *b,
                       const char *k1, const char *k2)
{
    char x[64] = "-", y[64] = "-";
    double va = num(a, k1, k2), vb = num(b, k1, k2);
    if (!isnan(va))
        snprintf(x, sizeof x, "%.4f", va);
    if (!isnan(vb))
        snprintf(y, sizeof y, "%.4f", vb);
    row(label, x, y);
}

static int do_compare(const char *r1, const char *r2)
{
    dl4c_store *s = NULL;
    dl4c_model_entry e[2] = {{0}};
    int rc;
    if ((rc = open_store("models compare", &s)) != CLI_OK)
        return rc;
    if (dl4c_model_store_resolve(s, r1, &e[0]) != DL4C_OK ||
        dl4c_model_store_resolve(s, r2, &e[1]) != DL4C_OK) {
        rc = cli_fail("models compare");
        goto done;
    }
    char a[128], b[128];
    snprintf(a, sizeof a, "%s:%lld", e[0].name, (long long)e[0].version);
    snprintf(b, sizeof b, "%s:%lld", e[1].name, (long long)e[1].version);
    printf("  %-24s %-22s %s\n", "", a, b);
    format_time(e[0].created, a, sizeof a);
    format_time(e[1].created, b, sizeof b);
    row("created (UTC)", a, b);
    snprintf(a, sizeof a, "%s", e[0].dataset ? e[0].dataset : "-");
    snprintf(b, sizeof b, "%s", e[1].dataset ? e[1].dataset : "-");
    row("dataset", a, b);
    for (int i = 0; i < 2; i++)
        snprintf(i ? b : a, sizeof a, e[i].parent_name ? "%s:%lld" : "-",
                 e[i].parent_name, (long long)e[i].parent_version);
    row("parent", a, b);
    snprintf(a, sizeof a, "%.2f s", e[0].wall_time);
    snprintf(b, sizeof b, "%.2f s", e[1].wall_time);
    row("wall time", a, b);
    json_t *h[2] = {parse_json(e[0].hyperparams), parse_json(e[1].hyperparams)};
    json_t *keys = json_object();
    const char *key;
    json_t *v;
    for (int i = 0; i < 2; i++)
        json_object_foreach(h[i], key, v)
            json_object_set_new(keys, key, json_true());
    printf("hyperparameters:\n");
    json_object_foreach(keys, key, v)
    {
        value_text(json_object_get(h[0], key), a, sizeof a);
        value_text(json_object_get(h[1], key), b, sizeof b);
        row(key, a, b);
    }
    json_decref(keys);
    json_decref(h[0]);
    json_decref(h[1]);
    json_t *m[2] = {parse_json(e[0].metrics), parse_json(e[1].metrics)};
    printf("metrics:\n");
    const char *type = json_string_value(json_object_get(m[0], "type"));
    if (!type)
        type = json_string_value(json_object_get(m[1], "type"));
    if (type && !strcmp(type, "regression")) {
        static const char *const k[] = {"mse", "mae", "rmse",
                                        "rse", "pc",  "r2"};
        for (int i = 0; i < 6; i++)
            metric_row(k[i], m[0], m[1], "average", k[i]);
    } else {
        metric_row("accuracy", m[0], m[1], "accuracy", NULL);
        metric_row("precision (macro)", m[0], m[1], "precision", "macro");
        metric_row("recall (macro)", m[0], m[1], "recall", "macro");
        metric_row("f1 (macro)", m[0], m[1], "f1", "macro");
    }
    json_decref(m[0]);
    json_decref(m[1]);
    rc = CLI_OK;
done:
    dl4c_model_entry_deinit(&e[0]);
    dl4c_model_entry_deinit(&e[1]);
    dl4c_store_close(s);
    return rc;
}

/* Splits "NAME:VERSION" (version required when need_version). */
static bool split_ref(const char *ref, char *name, size_t cap, int64_t *version,
                      bool need_version)
{
    const char *colon = strchr(ref, ':');
    *version = 0;
    if (!colon) {
        if (need_version || strlen(ref) >= cap)
            return false;
        snprintf(name, cap, "%s", ref);
        return true;
    }
    char *end = NULL;
    long long v = strtoll(colon + 1, &end, 10);
    if ((size_t)(colon - ref) >= cap || !colon[1] || *end || v < 1)
        return false;
    snprintf(name, cap, "%.*s", (int)(colon - ref), ref);
    *version = v;
    return true;
}

static int do_label(const char *ref, const char *label)
{
    char name[256];
    int64_t version = 0;
    bool remove = cli_flag(opts, N_OPTS, "remove");
    if (!split_ref(ref, name, sizeof name, &version, !remove))
        return cli_usage_error("models label",
                               "'%s' is not NAME:VERSION (labels point at "
                               "one version)",
                               ref);
    dl4c_store *s = NULL;
    int rc;
    if ((rc = open_store("models label", &s)) != CLI_OK)
        return rc;
    dl4c_status st = remove ? dl4c_model_store_unlabel(s, name, label)
                            : dl4c_model_store_label(s, name, version, label);
    dl4c_store_close(s);
    if (st != DL4C_OK)
        return cli_fail("models label");
    if (remove)
        printf("removed label %s of %s\n", label, name);
    else
        printf("%s@%s -> %s:%lld\n", name, label, name, (long long)version);
    return CLI_OK;
}

static int do_rm(const char *ref)
{
    char name[256];
    int64_t version = 0;
    bool all = cli_flag(opts, N_OPTS, "all");
    if (!split_ref(ref, name, sizeof name, &version, false) ||
        (!version && !all) || (version && all))
        return cli_usage_error("models rm",
                               "give NAME:VERSION, or NAME --all to remove "
                               "every version");
    dl4c_store *s = NULL;
    int rc;
    if ((rc = open_store("models rm", &s)) != CLI_OK)
        return rc;
    dl4c_status st = dl4c_model_store_remove(s, name, version);
    dl4c_store_close(s);
    if (st != DL4C_OK)
        return cli_fail("models rm");
    if (version)
        printf("removed %s:%lld\n", name, (long long)version);
    else
        printf("removed every version of %s\n", name);
    return CLI_OK;
}

static int do_add(const char *name, const char *file)
{
    dl4c_net *net = NULL;
    char *config = NULL;
    /* the file must load, and its config is recorded when it has one */
    if (cli_load_model(file, &net) != DL4C_OK)
        return cli_fail("models add");
    if (dl4c_net_write_config(net, &config) != DL4C_OK) {
        dl4c_net_free(net);
        return cli_fail("models add");
    }
    dl4c_net_free(net);
    dl4c_store *s = NULL;
    int64_t version = 0;
    int rc = open_store("models add", &s);
    if (rc == CLI_OK) {
        dl4c_model_record r = {.name = name,
                               .config = config,
                               .dataset = cli_get(opts, N_OPTS, "dataset"),
                               .parent = cli_get(opts, N_OPTS, "parent")};
        if (dl4c_model_store_add(s, file, &r, &version) != DL4C_OK)
            rc = cli_fail("models add");
        else
            printf("registered %s:%lld\n", name, (long long)version);
    }
    dl4c_free(config);
    dl4c_store_close(s);
    return rc;
}

int cmd_models(int argc, char **argv)
{
    const char *pos[3];
    int n_pos = 0;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        char *help[] = {"models", "--help"};
        cli_parse(2, help, USAGE, ABOUT, opts, N_OPTS, pos, 0, &n_pos);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *sub = argv[1];
    char cmd[64];
    snprintf(cmd, sizeof cmd, "models %s", sub);
    char **args = malloc(sizeof *args * (size_t)argc);
    if (!args)
        return CLI_FAIL;
    memcpy(args, argv + 1, sizeof *args * (size_t)(argc - 1));
    args[0] = cmd;
    int rc =
        cli_parse(argc - 1, args, USAGE, ABOUT, opts, N_OPTS, pos, 3, &n_pos);
    free(args);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!strcmp(sub, "list") && n_pos <= 1)
        return do_list(n_pos ? pos[0] : NULL);
    if (!strcmp(sub, "show") && n_pos == 1)
        return do_show(pos[0]);
    if (!strcmp(sub, "compare") && n_pos == 2)
        return do_compare(pos[0], pos[1]);
    if (!strcmp(sub, "label") && n_pos == 2)
        return do_label(pos[0], pos[1]);
    if (!strcmp(sub, "rm") && n_pos == 1)
        return do_rm(pos[0]);
    if (!strcmp(sub, "add") && n_pos == 2)
        return do_add(pos[0], pos[1]);
    return cli_usage_error("models", "usage: %s", USAGE);
}
