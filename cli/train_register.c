/* Registration of every `dl4c train` run in the model store: the model
 * (saved into the store whether or not --out was given), its options as
 * hyperparameters, the data, the evaluation, the parent model (the one
 * --model continued from, found by reference or by the file's hash) and
 * the training wall time. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "dl4c/model_store.h"

/* Options that say where things go rather than how the model was made. */
static bool recorded(const char *name)
{
    static const char *const skip[] = {
        "out",  "checkpoint-dir", "no-progress", "score-every",
        "name", "no-register",    NULL};
    for (int i = 0; skip[i]; i++)
        if (!strcmp(name, skip[i]))
            return false;
    return true;
}

static char *hyperparams(const cli_train_record *rec)
{
    json_t *h = json_object();
    for (int i = 0; h && i < rec->n_opts; i++) {
        const cli_opt *o = &rec->opts[i];
        if (!o->value || !recorded(o->name))
            continue;
        char *end = NULL;
        double x = strtod(o->value, &end);
        json_t *v = !o->arg                ? json_true()
                    : (*o->value && !*end) ? json_real(x)
                                           : json_string(o->value);
        if (v && json_is_real(v) && x == (double)(long long)x && x > -9e15 &&
            x < 9e15) {
            json_decref(v);
            v = json_integer((json_int_t)x);
        }
        json_object_set_new(h, o->name, v);
    }
    dl4c_updater u = dl4c_net_get_updater(rec->net);
    dl4c_regularization reg = dl4c_net_get_regularization(rec->net);
    json_object_set_new(h, "updater", json_string(dl4c_updater_name(u.id)));
    json_object_set_new(h, "learning_rate", json_real(u.learning_rate));
    if (reg.l1)
        json_object_set_new(h, "l1", json_real(reg.l1));
    if (reg.l2)
        json_object_set_new(h, "l2", json_real(reg.l2));
    if (reg.weight_decay)
        json_object_set_new(h, "weight_decay", json_real(reg.weight_decay));
    json_object_set_new(h, "epochs_trained",
                        json_integer(dl4c_net_epoch(rec->net)));
    json_object_set_new(h, "iterations",
                        json_integer(dl4c_net_iteration(rec->net)));
    json_object_set_new(h, "parameters",
                        json_integer(dl4c_net_num_params(rec->net)));
    char *text = h ? json_dumps(h, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
    json_decref(h);
    return text;
}

/* The store name: --name, else the file name of --out or of the data
 * without its extension, with characters a name cannot hold replaced. */
static void default_name(const cli_train_record *rec, char *name, size_t cap)
{
    const char *src = rec->name  ? rec->name
                      : rec->out ? rec->out
                                 : rec->dataset;
    if (rec->name) {
        snprintf(name, cap, "%s", rec->name);
        return;
    }
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", src ? src : "model");
    size_t n = strlen(buf);
    while (n > 1 && buf[n - 1] == '/')
        buf[--n] = '\0';
    char *base = strrchr(buf, '/');
    base = base ? base + 1 : buf;
    char *comma = strchr(base, ',');
    if (comma)
        *comma = '\0';
    char *dot = strchr(base + 1, '.');
    if (dot)
        *dot = '\0';
    size_t k = 0;
    for (const char *p = base; *p && k + 1 < cap && k < 128; p++) {
        char c = *p;
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                  (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        name[k++] = ok ? c : '_';
    }
    name[k] = '\0';
    if (!k || !((name[0] >= 'A' && name[0] <= 'Z') ||
                (name[0] >= 'a' && name[0] <= 'z') ||
                (name[0] >= '0' && name[0] <= '9')))
        snprintf(name, cap, "model");
}

/* "name:version" of the model training started from, or "" when it is
 * not in the store. */
static dl4c_status parent_ref(dl4c_store *s, const char *from, char *out,
                              size_t cap)
{
    struct stat st;
    dl4c_model_entry e = {0};
    bool found = false;
    dl4c_status rc = DL4C_OK;
    out[0] = '\0';
    if (!from)
        return DL4C_OK;
    if (stat(from, &st) != 0 && dl4c_model_ref_valid(from)) {
        rc = dl4c_model_store_resolve(s, from, &e);
        found = rc == DL4C_OK;
    } else {
        char hex[65];
        rc = dl4c_sha256_file(from, hex);
        if (rc == DL4C_OK)
            rc = dl4c_model_store_find_sha256(s, hex, &e, &found);
    }
    if (found)
        snprintf(out, cap, "%s:%lld", e.name, (long long)e.version);
    dl4c_model_entry_deinit(&e);
    return rc;
}

int cli_train_register(const cli_train_record *rec)
{
    char name[160], parent[200], dataset[4096];
    dl4c_store *s = NULL;
    int64_t version = 0;
    char *hp = hyperparams(rec);
    default_name(rec, name, sizeof name);
    snprintf(dataset, sizeof dataset, "%s", rec->dataset ? rec->dataset : "");
    if (rec->dataset && !strchr(rec->dataset, ',')) {
        char *abs = realpath(rec->dataset, NULL);
        if (abs)
            snprintf(dataset, sizeof dataset, "%s", abs);
        free(abs);
    }
    dl4c_status st = dl4c_store_open(NULL, &s);
    if (st == DL4C_OK)
        st = parent_ref(s, rec->parent, parent, sizeof parent);
    if (st == DL4C_OK) {
        dl4c_model_record r = {
            .name = name,
            .hyperparams = hp,
            .dataset = dataset[0] ? dataset : NULL,
            .query = rec->query,
            .metrics = rec->metrics,
            .parent = parent[0] ? parent : NULL,
            .wall_time = rec->wall_time,
        };
        st = dl4c_model_store_put(s, rec->net, &r, &version);
    }
    free(hp);
    if (st != DL4C_OK) {
        fprintf(stderr,
                "dl4c train: error: registering the model in the store: %s\n"
                "(the trained model is %s; --no-register skips the store)\n",
                dl4c_last_error(), rec->out ? "saved" : "not saved");
        dl4c_store_close(s);
        return CLI_FAIL;
    }
    fprintf(stderr, "registered %s:%lld in the model store %s", name,
            (long long)version, dl4c_store_home(s));
    if (parent[0])
        fprintf(stderr, " (parent %s)", parent);
    fputc('\n', stderr);
    dl4c_store_close(s);
    return CLI_OK;
}
