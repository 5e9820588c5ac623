/* Where `dl4c train` gets its data besides files: a dataset of the store
 * chosen by a SQL condition (--dataset, --where), or a CSV file through a
 * transform process (--transform), whose fitted form then travels in the
 * model so `dl4c predict` applies it to raw rows; and the wrappers of the
 * training iterator (--augment, --prefetch). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "data_cli.h"

#define OPT(name) cli_get(opts, n, name)

bool cli_train_source_used(const cli_opt *opts, int n)
{
    return OPT("dataset") || OPT("transform");
}

void cli_train_meta_free(cli_train_meta *m)
{
    dl4c_free(m->transform);
    free(m->dataset);
    m->transform = NULL;
    m->dataset = NULL;
}

dl4c_status cli_train_meta_apply(dl4c_net *net, const cli_train_meta *m)
{
    dl4c_status st = DL4C_OK;
    if (m->transform)
        st = dl4c_net_set_metadata(net, "transform", m->transform);
    if (st == DL4C_OK && m->dataset)
        st = dl4c_net_set_metadata(net, "dataset", m->dataset);
    return st;
}

/* Compact JSON text in malloc'd memory (jansson may use other
 * allocators). */
static char *dump(const json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (!text)
        return NULL;
    char *copy = strdup(text);
    json_free_t free_fn = NULL;
    json_get_alloc_funcs(NULL, &free_fn);
    free_fn(text);
    return copy;
}

/* Class names of a dataset, for loading test data with the same classes. */
static int class_names(const dl4c_dataset *ds, const char **names, int cap)
{
    int k = dl4c_dataset_num_classes(ds);
    if (k > cap || !dl4c_dataset_class_name(ds, 0))
        return 0;
    for (int i = 0; i < k; i++)
        names[i] = dl4c_dataset_class_name(ds, i);
    return k;
}

static int split_off(const cli_opt *opts, int n, uint64_t seed,
                     dl4c_dataset **train, dl4c_dataset **test)
{
    double f = 0;
    if (!cli_double(opts, n, "split", 0, 0, 1, &f))
        return CLI_USAGE;
    if (f <= 0)
        return CLI_OK;
    dl4c_dataset *all = *train;
    *train = NULL;
    dl4c_status st = dl4c_dataset_split(all, f, seed, train, test);
    dl4c_dataset_free(all);
    return st == DL4C_OK ? CLI_OK : cli_fail("train");
}

static int from_store(const cli_opt *opts, int n, uint64_t seed,
                      dl4c_dataset **train, dl4c_dataset **test,
                      cli_train_meta *meta)
{
    const char *name = OPT("dataset"), *where = OPT("where");
    dl4c_store *s = NULL;
    dl4c_dataset_query *q = NULL;
    int rc = CLI_OK;
    dl4c_store_load_options o = dl4c_store_load_options_default();
    o.label_column = OPT("label-column");
    if (OPT("resize") && !data_parse_size(OPT("resize"), &o.height, &o.width))
        return cli_usage_error("train", "--resize wants HxW, e.g. 28x28");
    if (OPT("test"))
        return cli_usage_error("train", "with --dataset the test data is the "
                                        "dataset's test split, or --split F");
    if (dl4c_store_open(NULL, &s) != DL4C_OK)
        return cli_fail("train");
    /* which stored splits the selected items have */
    int64_t in_train = 0, in_test = 0, in_val = 0;
    if (dl4c_dataset_store_query(s, name, where, &q) != DL4C_OK) {
        rc = cli_fail("train");
        goto done;
    }
    for (int64_t i = 0; i < dl4c_dataset_query_count(q); i++) {
        const char *sp = dl4c_dataset_query_item(q, i)->split;
        in_train += sp && !strcmp(sp, "train");
        in_test += sp && !strcmp(sp, "test");
        in_val += sp && !strcmp(sp, "validation");
    }
    bool split = OPT("split") != NULL;
    o.split = !split && in_train ? "train" : NULL;
    if (dl4c_dataset_store_load(s, name, where, &o, train) != DL4C_OK) {
        rc = cli_fail("train");
        goto done;
    }
    if (split) {
        rc = split_off(opts, n, seed, train, test);
    } else if (in_test || in_val) {
        const char *names[4096];
        o.num_classes = class_names(*train, names, 4096);
        o.class_names = o.num_classes ? names : NULL;
        o.split = in_test ? "test" : "validation";
        if (dl4c_dataset_store_load(s, name, where, &o, test) != DL4C_OK)
            rc = cli_fail("train");
    }
    if (rc == CLI_OK) {
        json_t *d = json_pack("{s:s, s:s?, s:s?, s:s}", "name", name, "where",
                              where, "label_column", o.label_column, "home",
                              dl4c_store_home(s));
        meta->dataset = dump(d);
        json_decref(d);
        fprintf(stderr, "dataset '%s'%s%s%s: %s\n", name,
                where ? " where \"" : "", where ? where : "", where ? "\"" : "",
                split      ? "split at random (--split)"
                : in_train ? "its train and test splits"
                           : "all selected items (no stored splits)");
    }
done:
    dl4c_dataset_query_free(q);
    dl4c_store_close(s);
    return rc;
}

static int from_transform(const cli_opt *opts, int n, uint64_t seed,
                          dl4c_dataset **train, dl4c_dataset **test,
                          cli_train_meta *meta)
{
    dl4c_transform *tp = NULL;
    int64_t classes = 0;
    int rc = CLI_OK;
    if (!OPT("data"))
        return cli_usage_error("train", "--transform needs --data RAW.csv");
    if (!cli_int(opts, n, "num-classes", 0, 0, 1 << 20, &classes))
        return CLI_USAGE;
    if (dl4c_transform_load(OPT("transform"), &tp) != DL4C_OK)
        return cli_fail("train");
    if (OPT("label-column") &&
        dl4c_transform_set_label(tp, OPT("label-column")) != DL4C_OK) {
        dl4c_transform_free(tp);
        return cli_fail("train");
    }
    if (!dl4c_transform_label(tp)) {
        dl4c_transform_free(tp);
        return cli_usage_error("train",
                               "say which column is the label: "
                               "--label-column NAME or \"label\" in the "
                               "transform");
    }
    /* statistics are fitted on the training file only when missing */
    bool fit = !dl4c_transform_fitted(tp);
    if (dl4c_transform_load_csv(tp, OPT("data"), fit, (int)classes, train) !=
            DL4C_OK ||
        (OPT("test") &&
         dl4c_transform_load_csv(tp, OPT("test"), false, (int)classes, test) !=
             DL4C_OK) ||
        dl4c_transform_write(tp, &meta->transform) != DL4C_OK)
        rc = cli_fail("train");
    if (rc == CLI_OK && OPT("test") && OPT("split"))
        rc = cli_usage_error("train", "use --test or --split, not both");
    if (rc == CLI_OK && !OPT("test"))
        rc = split_off(opts, n, seed, train, test);
    if (rc == CLI_OK)
        fprintf(stderr, "transform %s: %d raw columns -> %d features%s\n",
                OPT("transform"), dl4c_transform_num_inputs(tp),
                dl4c_transform_num_outputs(tp),
                fit ? " (statistics fitted on the training data)" : "");
    dl4c_transform_free(tp);
    return rc;
}

int cli_train_source(const cli_opt *opts, int n, uint64_t seed,
                     dl4c_dataset **train, dl4c_dataset **test,
                     cli_train_meta *meta)
{
    if (OPT("dataset") && OPT("transform"))
        return cli_usage_error("train", "use --dataset or --transform, not "
                                        "both");
    if (OPT("dataset") && OPT("data"))
        return cli_usage_error("train", "use --dataset or --data, not both");
    if (OPT("dataset"))
        return from_store(opts, n, seed, train, test, meta);
    return from_transform(opts, n, seed, train, test, meta);
}

int cli_train_wrap_iterator(const cli_opt *opts, int n, uint64_t seed,
                            dl4c_iterator **it)
{
    int64_t depth = 0;
    if (!cli_int(opts, n, "prefetch", 0, 0, 64, &depth))
        return CLI_USAGE;
    if (OPT("augment")) {
        dl4c_augment a;
        if (dl4c_augment_parse(OPT("augment"), &a) != DL4C_OK)
            return cli_usage_error("train", "%s", dl4c_last_error());
        if (a.crop_height)
            return cli_usage_error("train",
                                   "--augment: crop changes the image size, "
                                   "which the evaluation's whole images "
                                   "would not match; use hflip, vflip and "
                                   "rotate here");
        dl4c_iterator *aug = NULL;
        dl4c_status st = dl4c_iterator_augment(*it, &a, seed, &aug);
        *it = aug; /* the inner one was taken over, also on failure */
        if (st != DL4C_OK)
            return cli_fail("train");
    }
    if (depth > 0) {
        dl4c_iterator *pf = NULL;
        dl4c_status st = dl4c_iterator_prefetch(*it, (int)depth, &pf);
        *it = pf;
        if (st != DL4C_OK)
            return cli_fail("train");
    }
    return CLI_OK;
}
