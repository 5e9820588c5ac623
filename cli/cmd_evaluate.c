/* dl4c evaluate: a saved model on labelled data, printed as DL4J's
 * Evaluation.stats() (classification) or RegressionEvaluation.stats().
 * A model trained with a transform process reads raw CSV rows through
 * it, as dl4c predict does; --dataset evaluates on items of the dataset
 * store chosen by a query (its test split by default). */
#include <string.h>

#include "cli.h"
#include "dl4c/dataset_store.h"

static cli_opt opts[] = {
    {"model", "FILE", "the model to evaluate (required)", NULL},
    {"data", "PATH",
     "CSV file, MNIST directory (its test files), or "
     "IMAGES,LABELS IDX files",
     NULL},
    {"dataset", "NAME", "or: items of this dataset in the store", NULL},
    {"where", "COND", "with --dataset: an SQL condition choosing items", NULL},
    {"split", "NAME",
     "with --dataset: train, validation, test or all (default: test when "
     "the items have stored splits, else all)",
     NULL},
    {"label-column", "NAME", "with --dataset: the label (default label)", NULL},
    {"label-index", "N", "CSV label column (default: the last)", NULL},
    {"labels-to", "N", "regression: last label column", NULL},
    {"num-classes", "K",
     "classes (default: the model's output width; 0 for "
     "regression)",
     NULL},
    {"skip-lines", "N", "CSV header lines to skip", NULL},
    {"delimiter", "C", "CSV delimiter (default ',')", NULL},
    {"top-n", "N", "also report top-N accuracy", NULL},
    {"batch", "N", "examples per forward pass (default 256)", NULL},
    {"json", NULL, "print the evaluation as JSON", NULL},
    {"report", NULL, "also print precision/recall/F1 per class", NULL},
    {"no-transform", NULL,
     "the data is already transformed: skip the model's transform process",
     NULL},
};

#define N_OPTS ((int)(sizeof opts / sizeof opts[0]))
#define OPT(name) cli_get(opts, N_OPTS, name)

/* The selected items of a stored dataset, labelled with the model's class
 * numbering and, for images, brought to its input size and channels. */
static dl4c_status load_store(dl4c_net *net, const char *const *names,
                              int n_names, dl4c_dataset **ds)
{
    const char *name = OPT("dataset"), *where = OPT("where");
    dl4c_store *s = NULL;
    dl4c_dataset_query *q = NULL;
    dl4c_status st = dl4c_store_open(NULL, &s);
    if (st == DL4C_OK)
        st = dl4c_dataset_store_query(s, name, where, &q);
    int64_t in_test = 0;
    for (int64_t i = 0; st == DL4C_OK && i < dl4c_dataset_query_count(q); i++) {
        const char *sp = dl4c_dataset_query_item(q, i)->split;
        in_test += sp && !strcmp(sp, "test");
    }
    dl4c_store_load_options o = dl4c_store_load_options_default();
    o.label_column = OPT("label-column");
    o.split = OPT("split") ? (strcmp(OPT("split"), "all") ? OPT("split") : NULL)
              : in_test    ? "test"
                           : NULL;
    o.class_names = n_names > 0 ? names : NULL;
    o.num_classes = n_names;
    dl4c_shape in = dl4c_net_input_shape(net, 0);
    if (in.ndim == 3 && in.dim[2] >= 1 && in.dim[2] <= 4) {
        o.height = in.dim[0];
        o.width = in.dim[1];
        o.channels = (int)in.dim[2];
    }
    if (st == DL4C_OK)
        st = dl4c_dataset_store_load(s, name, where, &o, ds);
    if (st == DL4C_OK)
        fprintf(stderr, "dataset '%s'%s%s%s: %lld items (%s)\n", name,
                where ? " where \"" : "", where ? where : "", where ? "\"" : "",
                (long long)dl4c_dataset_count(*ds),
                o.split ? o.split : "every split");
    dl4c_dataset_query_free(q);
    dl4c_store_close(s);
    return st;
}

static int run(dl4c_net *net, dl4c_dataset **ds, dl4c_iterator **it)
{
    cli_data_opts d = {.label_index = -1, .labels_to = -1};
    int64_t top_n, batch;
    dl4c_shape out = dl4c_net_output_shape(net, 0);
    int64_t width = out.ndim ? out.dim[out.ndim - 1] : 0;
    const char *names[4096];
    int n_names = dl4c_net_num_class_names(net);
    if (!cli_int(opts, N_OPTS, "label-index", -1, 0, 1 << 20, &d.label_index) ||
        !cli_int(opts, N_OPTS, "labels-to", -1, 0, 1 << 20, &d.labels_to) ||
        !cli_int(opts, N_OPTS, "num-classes", OPT("labels-to") ? 0 : width, 0,
                 1 << 20, &d.num_classes) ||
        !cli_int(opts, N_OPTS, "skip-lines", 0, 0, 1 << 20, &d.skip_lines) ||
        !cli_int(opts, N_OPTS, "top-n", 1, 1, 1 << 20, &top_n) ||
        !cli_int(opts, N_OPTS, "batch", 256, 1, 1 << 24, &batch))
        return CLI_USAGE;
    if (d.num_classes && d.num_classes != width)
        return cli_usage_error("evaluate",
                               "--num-classes %lld but the model has %lld "
                               "outputs",
                               (long long)d.num_classes, (long long)width);
    for (int i = 0; i < n_names && i < 4096; i++)
        names[i] = dl4c_net_class_name(net, i);
    if (n_names == d.num_classes && n_names > 0) {
        d.class_names = names;
        d.n_class_names = n_names;
    }
    d.delimiter = OPT("delimiter");
    /* raw rows of a model trained with a transform: the same steps, the
     * label column the transform names */
    const char *tj = dl4c_net_get_metadata(net, "transform");
    dl4c_transform *tp = NULL;
    if (OPT("dataset")) {
        if (load_store(net, names, d.class_names ? n_names : 0, ds) != DL4C_OK)
            return cli_fail("evaluate");
    } else if (tj && !cli_flag(opts, N_OPTS, "no-transform")) {
        if (OPT("label-index") || OPT("skip-lines") || OPT("labels-to"))
            return cli_usage_error("evaluate",
                                   "the model reads raw rows through its "
                                   "transform process, which names the "
                                   "label column; drop --label-index, "
                                   "--labels-to and --skip-lines (or give "
                                   "--no-transform for transformed rows)");
        dl4c_status st = dl4c_transform_parse(tj, &tp);
        if (st == DL4C_OK)
            st = dl4c_transform_load_csv(tp, OPT("data"), false,
                                         (int)d.num_classes, ds);
        dl4c_transform_free(tp);
        if (st != DL4C_OK)
            return cli_fail("evaluate");
    } else if (cli_load_data(OPT("data"), false, &d, ds) != DL4C_OK) {
        return cli_fail("evaluate");
    }
    if (cli_fit_to_net(*ds, net) != DL4C_OK ||
        dl4c_iterator_create(*ds, batch, false, 0, it) != DL4C_OK)
        return cli_fail("evaluate");
    dl4c_iterator_set_normalizer(*it, dl4c_net_normalizer(net));
    char *text = NULL;
    dl4c_status st;
    bool json = cli_flag(opts, N_OPTS, "json");
    if (d.num_classes > 0) {
        dl4c_eval *e = NULL;
        st = dl4c_eval_create((int)d.num_classes, &e);
        if (st == DL4C_OK && d.class_names)
            st = dl4c_eval_set_class_names(e, n_names, names);
        if (st == DL4C_OK)
            st = dl4c_eval_set_top_n(e, (int)top_n);
        if (st == DL4C_OK)
            st = dl4c_net_evaluate(net, *it, e);
        if (st == DL4C_OK)
            st = json ? dl4c_eval_to_json(e, &text) : dl4c_eval_stats(e, &text);
        if (st == DL4C_OK && !json && cli_flag(opts, N_OPTS, "report")) {
            char *report = NULL;
            st = dl4c_eval_class_report(e, &report);
            if (st == DL4C_OK)
                printf("%s\n", report);
            dl4c_free(report);
        }
        dl4c_eval_free(e);
    } else {
        dl4c_regression_eval *e = NULL;
        st = dl4c_regression_eval_create((int)width, &e);
        if (st == DL4C_OK)
            st = dl4c_net_evaluate_regression(net, *it, e);
        if (st == DL4C_OK)
            st = json ? dl4c_regression_eval_to_json(e, &text)
                      : dl4c_regression_eval_stats(e, &text);
        dl4c_regression_eval_free(e);
    }
    if (st != DL4C_OK)
        return cli_fail("evaluate");
    printf("%s\n", text);
    dl4c_free(text);
    return CLI_OK;
}

int cmd_evaluate(int argc, char **argv)
{
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(argc, argv,
                       "dl4c evaluate --model FILE (--data PATH | --dataset "
                       "NAME [--where COND]) [options]",
                       "Evaluates a model on labelled data and prints the "
                       "statistics.",
                       opts, N_OPTS, pos, 0, &n_pos);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!OPT("model") || !OPT("data") == !OPT("dataset"))
        return cli_usage_error("evaluate", "--model and one of --data or "
                                           "--dataset are required");
    if (!OPT("dataset") &&
        (OPT("where") || OPT("split") || OPT("label-column")))
        return cli_usage_error("evaluate", "--where, --split and "
                                           "--label-column go with --dataset");
    dl4c_net *net = NULL;
    dl4c_dataset *ds = NULL;
    dl4c_iterator *it = NULL;
    if (cli_load_model(OPT("model"), &net) != DL4C_OK)
        return cli_fail("evaluate");
    rc = run(net, &ds, &it);
    dl4c_iterator_free(it);
    dl4c_dataset_free(ds);
    dl4c_net_free(net);
    return rc;
}
