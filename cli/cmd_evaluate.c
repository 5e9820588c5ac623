/* dl4c evaluate: a saved model on labelled data, printed as DL4J's
 * Evaluation.stats() (classification) or RegressionEvaluation.stats().
 * A model trained with a transform process reads raw CSV rows through
 * it, as dl4c predict does. */
#include <string.h>

#include "cli.h"

static cli_opt opts[] = {
    {"model", "FILE", "the model to evaluate (required)", NULL},
    {"data", "PATH",
     "CSV file, MNIST directory (its test files), or "
     "IMAGES,LABELS IDX files (required)",
     NULL},
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
    if (tj && !cli_flag(opts, N_OPTS, "no-transform")) {
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
                       "dl4c evaluate --model FILE --data PATH [options]",
                       "Evaluates a model on labelled data and prints the "
                       "statistics.",
                       opts, N_OPTS, pos, 0, &n_pos);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!OPT("model") || !OPT("data"))
        return cli_usage_error("evaluate", "--model and --data are required");
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
