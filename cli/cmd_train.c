/* dl4c train: build a net (JSON config, preset, saved model or
 * checkpoint), fit a normalizer, train with progress and checkpoints,
 * evaluate on test data and save the model with its normalizer and class
 * names. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static cli_opt opts[] = {
    {"config", "FILE", "net config (JSON, see docs/config.md)", NULL},
    {"preset", "NAME", "built-in net: mlp, mnist-mlp, lenet (images)", NULL},
    {"model", "FILE", "continue training a saved model", NULL},
    {"resume", "PATH", "resume from a checkpoint file or directory", NULL},
    {"data", "PATH",
     "training data: CSV file, MNIST directory, or "
     "IMAGES,LABELS IDX files",
     NULL},
    {"test", "PATH", "test data (same forms as --data)", NULL},
    {"split", "F", "hold out 1-F of --data for testing (e.g. 0.8)", NULL},
    {"label-index", "N", "CSV label column (default: the last)", NULL},
    {"labels-to", "N", "regression: last label column (several targets)", NULL},
    {"num-classes", "K", "number of classes; 0 for regression", NULL},
    {"skip-lines", "N", "CSV header lines to skip", NULL},
    {"delimiter", "C", "CSV delimiter (default ',')", NULL},
    {"normalize", "KIND",
     "standardize, minmax, image or none (default: image for IDX, "
     "standardize for CSV)",
     NULL},
    {"hidden", "LIST", "mlp preset: hidden layer sizes (default 64,64)", NULL},
    {"epochs", "N", "epochs to train (default 10)", NULL},
    {"batch", "N", "minibatch size (default 32)", NULL},
    {"seed", "S",
     "seed for shuffling, splitting and preset weights "
     "(default 42)",
     NULL},
    {"updater", "NAME", "override the updater (adam, nesterovs, sgd, ...)",
     NULL},
    {"lr", "X", "override the learning rate", NULL},
    {"out", "FILE", "save the trained model here", NULL},
    {"checkpoint-dir", "DIR", "write checkpoints here", NULL},
    {"checkpoint-every", "N", "checkpoint every N iterations", NULL},
    {"checkpoint-epochs", "N",
     "checkpoint every N epochs (default 1 with "
     "--checkpoint-dir)",
     NULL},
    {"keep", "N", "checkpoints to keep (default 3, 0 = all)", NULL},
    {"patience", "N",
     "early stopping: epochs without improvement on the "
     "test data",
     NULL},
    {"max-time", "SECONDS", "early stopping: time limit", NULL},
    {"score-every", "N", "print the score every N iterations", NULL},
    {"no-progress", NULL, "no progress bar even on a terminal", NULL},
    {"no-eval", NULL, "skip the evaluation after training", NULL},
    {"name", "NAME",
     "model store name (default: from --out or --data); every run is "
     "registered as the next version",
     NULL},
    {"no-register", NULL, "do not register the model in the model store", NULL},
    {"dataset", "NAME",
     "train on a dataset of the store in $DL4C_HOME (see 'dl4c data')", NULL},
    {"where", "COND", "with --dataset: a SQL condition choosing the items",
     NULL},
    {"label-column", "NAME",
     "with --dataset or --transform: the label column (default label)", NULL},
    {"resize", "HxW", "with --dataset: resize every image to HxW", NULL},
    {"transform", "FILE",
     "a transform process for the raw --data CSV, saved in the model", NULL},
    {"augment", "LIST", "image augmentation: hflip[=P],vflip[=P],rotate=DEG",
     NULL},
    {"prefetch", "N", "prepare N batches ahead on a background thread", NULL},
};

#define N_OPTS ((int)(sizeof opts / sizeof opts[0]))
#define OPT(name) cli_get(opts, N_OPTS, name)

static const char *USAGE =
    "dl4c train (--config FILE | --preset NAME | --model FILE | --resume PATH)"
    " --data PATH [options]";
static const char *ABOUT =
    "Trains a network and saves it. With --test (or --split) it evaluates on\n"
    "held-out data after training and prints the statistics. --epochs is\n"
    "the number of epochs to add, except with --resume, where it is the\n"
    "total the interrupted run was going for.";

/* JSON for a preset, shaped to the data. */
static char *preset_json(const char *name, const dl4c_dataset *ds,
                         const char *hidden, uint64_t seed)
{
    const dl4c_tensor *x = dl4c_dataset_features(ds);
    const dl4c_tensor *y = dl4c_dataset_labels(ds);
    int classes = dl4c_dataset_num_classes(ds);
    int64_t outputs = y ? dl4c_tensor_dim(y, -1) : 1;
    char shape[128] = "", layers[2048] = "";
    size_t used = 0;
    for (int d = 1; d < dl4c_tensor_ndim(x); d++)
        used += (size_t)snprintf(shape + used, sizeof shape - used, "%s%lld",
                                 d > 1 ? ", " : "",
                                 (long long)dl4c_tensor_dim(x, d));
    used = 0;
    if (dl4c_tensor_ndim(x) > 2 && strcmp(name, "lenet"))
        used += (size_t)snprintf(layers, sizeof layers,
                                 "{\"type\": \"Flatten\"}, ");
    const char *training;
    if (!strcmp(name, "mnist-mlp")) {
        used += (size_t)snprintf(
            layers + used, sizeof layers - used,
            "{\"type\": \"Dense\", \"units\": 500, \"activation\": \"relu\"},"
            "{\"type\": \"Dense\", \"units\": 100, \"activation\": \"relu\"},");
        training = "{\"updater\": {\"type\": \"nesterovs\", \"learning_rate\":"
                   " 0.005, \"momentum\": 0.98}, \"l2\": 7.5e-6}";
    } else if (!strcmp(name, "lenet")) {
        if (dl4c_tensor_ndim(x) != 4) /* [N, H, W, C] images */
            return NULL;
        used += (size_t)snprintf(
            layers + used, sizeof layers - used,
            "{\"type\": \"Conv2D\", \"filters\": 20, \"kernel_size\": 5,"
            " \"activation\": \"relu\"},"
            "{\"type\": \"MaxPooling2D\", \"pool_size\": 2},"
            "{\"type\": \"Conv2D\", \"filters\": 50, \"kernel_size\": 5,"
            " \"activation\": \"relu\"},"
            "{\"type\": \"MaxPooling2D\", \"pool_size\": 2},"
            "{\"type\": \"Flatten\"},"
            "{\"type\": \"Dense\", \"units\": 500, \"activation\": \"relu\"},"
            "{\"type\": \"Dropout\", \"rate\": 0.5},");
        training = "{\"updater\": {\"type\": \"adam\", \"learning_rate\": "
                   "0.001, \"schedule\": {\"type\": \"step\", \"gamma\": 0.7, "
                   "\"step\": 1, \"per_epoch\": true}}, \"weight_init\": "
                   "\"relu\"}";
    } else if (!strcmp(name, "mlp")) {
        char list[256];
        snprintf(list, sizeof list, "%s", hidden ? hidden : "64,64");
        for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
            long units = strtol(tok, NULL, 10);
            if (units <= 0)
                return NULL;
            used += (size_t)snprintf(layers + used, sizeof layers - used,
                                     "{\"type\": \"Dense\", \"units\": %ld, "
                                     "\"activation\": \"relu\"},",
                                     units);
        }
        training = "{\"updater\": {\"type\": \"adam\", \"learning_rate\": "
                   "0.001}}";
    } else {
        return NULL;
    }
    snprintf(layers + used, sizeof layers - used,
             "{\"type\": \"Output\", \"units\": %lld, \"activation\": \"%s\","
             " \"loss\": \"%s\"}",
             (long long)outputs, classes ? "softmax" : "identity",
             classes ? "mcxent" : "mse");
    size_t n = strlen(shape) + strlen(layers) + strlen(training) + 256;
    char *json = malloc(n);
    if (json)
        snprintf(json, n,
                 "{\"seed\": %llu, \"inputs\": [{\"name\": \"features\", "
                 "\"shape\": [%s]}], \"layers\": [%s], \"training\": %s}",
                 (unsigned long long)seed, shape, layers, training);
    return json;
}

static void describe(const char *what, const dl4c_dataset *ds)
{
    const dl4c_tensor *x = dl4c_dataset_features(ds);
    dl4c_shape s = dl4c_tensor_shape(x);
    char buf[128];
    s.ndim--;
    memmove(s.dim, s.dim + 1, sizeof(int64_t) * (size_t)s.ndim);
    fprintf(stderr, "%s: %lld examples, features %s", what,
            (long long)dl4c_dataset_count(ds),
            dl4c_shape_format(&s, buf, sizeof buf));
    if (dl4c_dataset_num_classes(ds))
        fprintf(stderr, ", %d classes\n", dl4c_dataset_num_classes(ds));
    else
        fprintf(stderr, ", regression\n");
}

typedef struct run {
    dl4c_dataset *train, *test;
    dl4c_net *net;
    dl4c_iterator *it, *test_it;
    dl4c_listener ls[4];
    int n_ls;
    char *metrics;  /* evaluation JSON, recorded in the model store */
    double started; /* cli_now() when the command began */
    cli_train_meta meta;
} run;

static void run_free(run *r)
{
    for (int i = 0; i < r->n_ls; i++)
        dl4c_listener_free(&r->ls[i]);
    dl4c_iterator_free(r->it);
    dl4c_iterator_free(r->test_it);
    dl4c_net_free(r->net);
    dl4c_dataset_free(r->train);
    dl4c_dataset_free(r->test);
    dl4c_free(r->metrics);
    cli_train_meta_free(&r->meta);
}

static int load_data(run *r, int64_t seed, cli_data_opts *d)
{
    const char *data = OPT("data"), *test = OPT("test");
    double split = 0;
    if (cli_train_source_used(opts, N_OPTS)) { /* --dataset, --transform */
        int rc = cli_train_source(opts, N_OPTS, (uint64_t)seed, &r->train,
                                  &r->test, &r->meta);
        if (rc == CLI_OK)
            describe("training data", r->train);
        if (rc == CLI_OK && r->test)
            describe("test data", r->test);
        return rc;
    }
    if (!cli_double(opts, N_OPTS, "split", 0, 0, 1, &split))
        return CLI_USAGE;
    if (cli_load_data(data, true, d, &r->train) != DL4C_OK)
        return cli_fail("train");
    if (test && split > 0)
        return cli_usage_error("train", "use --test or --split, not both");
    if (test) {
        /* test labels use the training data's class names and order */
        const char *names[4096];
        int n = dl4c_dataset_num_classes(r->train);
        if (n <= 4096 && dl4c_dataset_class_name(r->train, 0)) {
            for (int i = 0; i < n; i++)
                names[i] = dl4c_dataset_class_name(r->train, i);
            d->class_names = names;
            d->n_class_names = n;
        }
        dl4c_status st = cli_load_data(test, false, d, &r->test);
        d->class_names = NULL;
        d->n_class_names = 0;
        if (st != DL4C_OK)
            return cli_fail("train");
    } else if (split > 0) {
        dl4c_dataset *all = r->train;
        r->train = NULL;
        dl4c_status st =
            dl4c_dataset_split(all, split, (uint64_t)seed, &r->train, &r->test);
        dl4c_dataset_free(all);
        if (st != DL4C_OK)
            return cli_fail("train");
    }
    describe("training data", r->train);
    if (r->test)
        describe("test data", r->test);
    return CLI_OK;
}

static int make_net(run *r, int64_t seed)
{
    const char *config = OPT("config"), *preset = OPT("preset");
    const char *model = OPT("model");
    dl4c_status st = DL4C_OK;
    if (config) {
        st = dl4c_net_load_config(config, DL4C_F32, &r->net);
    } else if (preset) {
        char *json =
            preset_json(preset, r->train, OPT("hidden"), (uint64_t)seed);
        if (!json)
            return cli_usage_error("train",
                                   "unknown preset '%s', bad --hidden, or "
                                   "data it does not take (presets: mlp, "
                                   "mnist-mlp, lenet for images)",
                                   preset);
        st = dl4c_net_parse(json, DL4C_F32, &r->net);
        free(json);
    } else if (model) {
        st = cli_load_model(model, &r->net);
    }
    if (st != DL4C_OK)
        return cli_fail("train");
    return CLI_OK;
}

static int apply_overrides(dl4c_net *net)
{
    const char *name = OPT("updater");
    dl4c_updater u = dl4c_net_get_updater(net);
    double lr;
    if (!name && !OPT("lr"))
        return CLI_OK;
    if (name) {
        dl4c_updater fresh;
        if (dl4c_updater_parse(name, &fresh) != DL4C_OK)
            return cli_usage_error("train", "%s", dl4c_last_error());
        fresh.schedule = u.schedule;
        u = fresh;
    }
    if (!cli_double(opts, N_OPTS, "lr", u.learning_rate, 0, 1e6, &lr))
        return CLI_USAGE;
    u.learning_rate = lr;
    if (name) {
        if (dl4c_net_set_updater(net, &u) != DL4C_OK)
            return cli_fail("train");
    } else {
        /* keep the state: only the rate changes */
        dl4c_updater cur = dl4c_net_get_updater(net);
        cur.learning_rate = lr;
        dl4c_tensor *state = dl4c_net_updater_state(net);
        dl4c_tensor *saved = NULL;
        if (state && dl4c_tensor_copy(state, &saved) != DL4C_OK)
            return cli_fail("train");
        if (dl4c_net_set_updater(net, &cur) != DL4C_OK) {
            dl4c_tensor_free(saved);
            return cli_fail("train");
        }
        if (saved && dl4c_tensor_copy_into(
                         saved, dl4c_net_updater_state(net)) != DL4C_OK) {
            dl4c_tensor_free(saved);
            return cli_fail("train");
        }
        dl4c_tensor_free(saved);
    }
    return CLI_OK;
}

static int setup_normalizer(run *r, bool idx_data)
{
    const char *kind = OPT("normalize");
    dl4c_normalizer_kind k;
    if (dl4c_net_normalizer(r->net))
        return CLI_OK; /* a saved model keeps the normalizer it was fit with */
    if (kind && !strcmp(kind, "none"))
        return CLI_OK;
    /* a saved or imported model saw its inputs as they are: fitting a
     * normalizer now would change what it sees, so only on request */
    if (!kind && OPT("model"))
        return CLI_OK;
    if (!kind)
        k = idx_data ? DL4C_NORM_IMAGE : DL4C_NORM_STANDARDIZE;
    else if (dl4c_normalizer_kind_parse(kind, &k) != DL4C_OK)
        return cli_usage_error("train",
                               "--normalize must be standardize, minmax, "
                               "image or none, not '%s'",
                               kind);
    dl4c_normalizer *n = NULL;
    if (dl4c_normalizer_create(k, &n) != DL4C_OK ||
        dl4c_normalizer_fit(n, r->train) != DL4C_OK) {
        dl4c_normalizer_free(n);
        return cli_fail("train");
    }
    dl4c_net_set_normalizer(r->net, n);
    return CLI_OK;
}

static int setup_listeners(run *r, int64_t epochs)
{
    int64_t every = 0, ckpt_it = 0, ckpt_ep = 0, keep = 3;
    const char *dir = OPT("checkpoint-dir");
    if (!cli_int(opts, N_OPTS, "score-every", 0, 0, INT64_MAX, &every) ||
        !cli_int(opts, N_OPTS, "checkpoint-every", 0, 0, INT64_MAX, &ckpt_it) ||
        !cli_int(opts, N_OPTS, "checkpoint-epochs",
                 dir && !OPT("checkpoint-every") ? 1 : 0, 0, INT64_MAX,
                 &ckpt_ep) ||
        !cli_int(opts, N_OPTS, "keep", 3, 0, 1000000, &keep))
        return CLI_USAGE;
    if ((ckpt_it || ckpt_ep) && !dir)
        return cli_usage_error("train", "checkpoints need --checkpoint-dir");
    dl4c_status st = DL4C_OK;
    if (isatty(STDERR_FILENO) && !cli_flag(opts, N_OPTS, "no-progress"))
        st = dl4c_listener_progress(stderr, &r->ls[r->n_ls++]);
    else /* about 20 lines for the whole run */
        st = dl4c_listener_epochs(stderr, epochs > 20 ? epochs / 20 : 1,
                                  &r->ls[r->n_ls++]);
    if (st == DL4C_OK && every)
        st = dl4c_listener_score(stderr, every, &r->ls[r->n_ls++]);
    if (st == DL4C_OK && dir)
        st = dl4c_listener_checkpoint(dir, ckpt_it, ckpt_ep, (int)keep,
                                      &r->ls[r->n_ls++]);
    if (st != DL4C_OK)
        return cli_fail("train");
    return CLI_OK;
}

static int evaluate(run *r)
{
    dl4c_dataset *ds = r->test ? r->test : r->train;
    int classes = dl4c_dataset_num_classes(ds);
    char *text = NULL;
    dl4c_status st;
    if (dl4c_iterator_create(ds, 256, false, 0, &r->test_it) != DL4C_OK)
        return cli_fail("train");
    dl4c_iterator_set_normalizer(r->test_it, dl4c_net_normalizer(r->net));
    if (classes > 0) {
        dl4c_eval *e = NULL;
        st = dl4c_eval_create(classes, &e);
        if (st == DL4C_OK && dl4c_dataset_class_name(ds, 0)) {
            const char *names[4096];
            for (int i = 0; i < classes && i < 4096; i++)
                names[i] = dl4c_dataset_class_name(ds, i);
            st = dl4c_eval_set_class_names(e, classes, names);
        }
        if (st == DL4C_OK)
            st = dl4c_net_evaluate(r->net, r->test_it, e);
        if (st == DL4C_OK)
            st = dl4c_eval_stats(e, &text);
        if (st == DL4C_OK)
            st = dl4c_eval_to_json(e, &r->metrics);
        dl4c_eval_free(e);
    } else {
        dl4c_regression_eval *e = NULL;
        const dl4c_tensor *y = dl4c_dataset_labels(ds);
        st = dl4c_regression_eval_create((int)dl4c_tensor_dim(y, -1), &e);
        if (st == DL4C_OK)
            st = dl4c_net_evaluate_regression(r->net, r->test_it, e);
        if (st == DL4C_OK)
            st = dl4c_regression_eval_stats(e, &text);
        if (st == DL4C_OK)
            st = dl4c_regression_eval_to_json(e, &r->metrics);
        dl4c_regression_eval_free(e);
    }
    if (st != DL4C_OK)
        return cli_fail("train");
    printf("\nEvaluation on %s (%lld examples):%s\n",
           r->test ? "test data" : "the training data",
           (long long)dl4c_dataset_count(ds), text);
    dl4c_free(text);
    return CLI_OK;
}

static int train(run *r)
{
    int64_t epochs, batch, seed, patience;
    double max_time;
    cli_data_opts d = {.label_index = -1, .labels_to = -1};
    int rc;
    const char *resume = OPT("resume");
    int sources = !!OPT("config") + !!OPT("preset") + !!OPT("model") + !!resume;
    if (sources != 1)
        return cli_usage_error("train",
                               "give exactly one of --config, --preset, "
                               "--model and --resume");
    if (!OPT("data") && !OPT("dataset"))
        return cli_usage_error("train", "--data is required (or --dataset)");
    if (!cli_int(opts, N_OPTS, "epochs", 10, 0, 1000000, &epochs) ||
        !cli_int(opts, N_OPTS, "batch", 32, 1, 1 << 24, &batch) ||
        !cli_int(opts, N_OPTS, "seed", 42, 0, INT64_MAX, &seed) ||
        !cli_int(opts, N_OPTS, "label-index", -1, 0, 1 << 20, &d.label_index) ||
        !cli_int(opts, N_OPTS, "labels-to", -1, 0, 1 << 20, &d.labels_to) ||
        !cli_int(opts, N_OPTS, "num-classes", 0, 0, 1 << 20, &d.num_classes) ||
        !cli_int(opts, N_OPTS, "skip-lines", 0, 0, 1 << 20, &d.skip_lines) ||
        !cli_int(opts, N_OPTS, "patience", 0, 0, 1 << 20, &patience) ||
        !cli_double(opts, N_OPTS, "max-time", 0, 0, 1e9, &max_time))
        return CLI_USAGE;
    if (!OPT("num-classes") && OPT("labels-to"))
        d.num_classes = 0;
    else if (!OPT("num-classes") && !cli_train_source_used(opts, N_OPTS))
        return cli_usage_error("train",
                               "--num-classes is required (0 for "
                               "regression); MNIST directories need 10");
    d.delimiter = OPT("delimiter");
    if ((rc = load_data(r, seed, &d)) != CLI_OK)
        return rc;
    if (!resume && (rc = make_net(r, seed)) != CLI_OK)
        return rc;
    if (dl4c_iterator_create(r->train, batch, true, (uint64_t)seed, &r->it) !=
        DL4C_OK)
        return cli_fail("train");
    if ((rc = cli_train_wrap_iterator(opts, N_OPTS, (uint64_t)seed, &r->it)) !=
        CLI_OK)
        return rc;
    if (resume) {
        char *path = NULL;
        if (dl4c_checkpoint_latest(resume, &path) == DL4C_OK && !path)
            return cli_usage_error("train", "no checkpoint in '%s'", resume);
        dl4c_status st =
            dl4c_checkpoint_load(path ? path : resume, &r->net, r->it);
        if (st == DL4C_OK)
            fprintf(stderr, "resuming %s at epoch %lld, iteration %lld\n",
                    path ? path : resume, (long long)dl4c_net_epoch(r->net),
                    (long long)dl4c_net_iteration(r->net));
        dl4c_free(path);
        if (st != DL4C_OK)
            return cli_fail("train");
    } else {
        epochs += dl4c_net_epoch(r->net);
    }
    if ((rc = apply_overrides(r->net)) != CLI_OK)
        return rc;
    if (cli_fit_to_net(r->train, r->net) != DL4C_OK ||
        (r->test && cli_fit_to_net(r->test, r->net) != DL4C_OK))
        return cli_fail("train");
    bool idx = dl4c_tensor_ndim(dl4c_dataset_features(r->train)) > 2 ||
               (OPT("data") && strchr(OPT("data"), ',') != NULL);
    if ((rc = setup_normalizer(r, idx)) != CLI_OK)
        return rc;
    dl4c_iterator_set_normalizer(r->it, dl4c_net_normalizer(r->net));
    if (dl4c_dataset_class_name(r->train, 0)) {
        const char *names[4096];
        int n = dl4c_dataset_num_classes(r->train);
        for (int i = 0; i < n && i < 4096; i++)
            names[i] = dl4c_dataset_class_name(r->train, i);
        if (dl4c_net_set_class_names(r->net, n, names) != DL4C_OK)
            return cli_fail("train");
    }
    if (cli_train_meta_apply(r->net, &r->meta) != DL4C_OK)
        return cli_fail("train");
    if ((rc = setup_listeners(r, epochs - dl4c_net_epoch(r->net))) != CLI_OK)
        return rc;

    dl4c_status st;
    if ((patience || max_time > 0) && r->test) {
        dl4c_iterator *val = NULL;
        dl4c_early_stopping es = {.max_epochs = epochs - dl4c_net_epoch(r->net),
                                  .patience = patience,
                                  .max_seconds = max_time};
        dl4c_early_stopping_result res;
        dl4c_fit_options o = {.listeners = r->ls, .n_listeners = r->n_ls};
        st = dl4c_iterator_create(r->test, 256, false, 0, &val);
        if (st == DL4C_OK) {
            dl4c_iterator_set_normalizer(val, dl4c_net_normalizer(r->net));
            if (es.max_epochs < 1)
                es.max_epochs = 1;
            st = dl4c_fit_early_stopping(r->net, r->it, val, &es, &o, &res);
        }
        dl4c_iterator_free(val);
        if (st == DL4C_OK)
            fprintf(stderr,
                    "early stopping: %s after %lld epochs; best epoch %lld "
                    "(test loss %.6g)\n",
                    dl4c_stop_reason_name(res.reason), (long long)res.epochs,
                    (long long)res.best_epoch, res.best_score);
    } else {
        if (patience || max_time > 0)
            return cli_usage_error("train",
                                   "early stopping needs --test or --split");
        dl4c_fit_options o = {
            .epochs = epochs, .listeners = r->ls, .n_listeners = r->n_ls};
        st = dl4c_fit(r->net, r->it, &o, NULL);
    }
    if (st != DL4C_OK)
        return cli_fail("train");
    if (!cli_flag(opts, N_OPTS, "no-eval") && (rc = evaluate(r)) != CLI_OK)
        return rc;
    if (OPT("out")) {
        if (dl4c_model_save(r->net, OPT("out"), DL4C_MODEL_UPDATER) != DL4C_OK)
            return cli_fail("train");
        fprintf(stderr, "saved %s (%lld parameters)\n", OPT("out"),
                (long long)dl4c_net_num_params(r->net));
    }
    if (!cli_flag(opts, N_OPTS, "no-register")) {
        cli_train_record rec = {.net = r->net,
                                .name = OPT("name"),
                                .out = OPT("out"),
                                .dataset =
                                    OPT("data") ? OPT("data") : OPT("dataset"),
                                .query = OPT("where"),
                                .parent = OPT("model"),
                                .metrics = r->metrics,
                                .opts = opts,
                                .n_opts = N_OPTS,
                                .wall_time = cli_now() - r->started};
        if ((rc = cli_train_register(&rec)) != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

int cmd_train(int argc, char **argv)
{
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(argc, argv, USAGE, ABOUT, opts, N_OPTS, pos, 0, &n_pos);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    run r = {.started = cli_now()};
    rc = train(&r);
    run_free(&r);
    return rc;
}
