/* dl4c data ingest / query / split: filling the dataset store, selecting
 * items with a SQL condition, and stratified splits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "data_cli.h"

#define HOME_OPT                                                               \
    {                                                                          \
        "home", "DIR", "the dl4c home (default $DL4C_HOME or ./dl4c-home)",    \
            NULL                                                               \
    }

static void on_skip(void *ctx, const char *path, const char *why)
{
    (void)path; /* the reason starts with the path */
    if (!*(bool *)ctx)
        fprintf(stderr, "skipped: %s\n", why);
}

int data_ingest(int argc, char **argv)
{
    cli_opt opts[] = {
        {"dataset", "NAME", "the dataset to add to (created when new)", NULL},
        HOME_OPT,
        {"attr", "KEY=VALUE",
         "an attribute of every item (repeat for more); a column for "
         "queries",
         NULL},
        {"split", "NAME",
         "the split of every item (default: from a train/, test/ or "
         "validation/ folder)",
         NULL},
        {"labels", "FILE",
         "CSV of path,label for the images (default: the parent folder's "
         "name)",
         NULL},
        {"label-column", "NAME", "CSV rows: the column holding the label",
         NULL},
        {"grayscale", NULL, "store images as 1-channel gray", NULL},
        {"channels", "N", "store images with 1, 3 or 4 channels", NULL},
        {"resize", "HxW", "store images resized to HxW (e.g. 28x28)", NULL},
        {"resize-mode", "MODE", "area (default), bilinear or nearest", NULL},
        {"delimiter", "C", "CSV delimiter (default ',', tab for .tsv)", NULL},
        {"quiet", NULL, "do not list skipped images", NULL},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    const char *pos[1];
    int n_pos = 0;
    int rc = cli_parse(
        argc, argv, "dl4c data ingest SOURCE --dataset NAME [options]",
        "Adds a folder of images (labels from the parent folders) or a CSV\n"
        "file (one item per row) to a dataset in the store. Images are\n"
        "decoded and stored as PGM/PPM under <home>/datasets/NAME/; items\n"
        "already in the dataset (same SHA-256) are left alone, and images\n"
        "that cannot be read are skipped and listed.",
        opts, n, pos, 1, &n_pos);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    const char *name = cli_get(opts, n, "dataset");
    if (n_pos != 1 || !name)
        return cli_usage_error(argv[0], "give a SOURCE and --dataset NAME");
    /* --attr may repeat: collect every occurrence */
    const char **attrs = calloc((size_t)argc, sizeof *attrs);
    int n_attrs = 0;
    for (int i = 1; attrs && i < argc; i++) {
        if (!strcmp(argv[i], "--attr") && i + 1 < argc)
            attrs[n_attrs++] = argv[++i];
        else if (!strncmp(argv[i], "--attr=", 7))
            attrs[n_attrs++] = argv[i] + 7;
    }
    dl4c_ingest_options o = dl4c_ingest_options_default();
    int64_t channels = 0;
    bool quiet = cli_flag(opts, n, "quiet");
    rc = CLI_OK;
    if (!cli_int(opts, n, "channels", 0, 1, 4, &channels))
        rc = CLI_USAGE;
    else if (cli_get(opts, n, "resize") &&
             !data_parse_size(cli_get(opts, n, "resize"), &o.height, &o.width))
        rc = cli_usage_error(argv[0], "--resize wants HxW, e.g. 28x28");
    else if (cli_get(opts, n, "resize-mode") &&
             dl4c_resize_mode_parse(cli_get(opts, n, "resize-mode"),
                                    &o.resize) != DL4C_OK)
        rc = cli_usage_error(argv[0], "%s", dl4c_last_error());
    if (rc != CLI_OK) {
        free(attrs);
        return rc;
    }
    o.channels = cli_flag(opts, n, "grayscale") ? 1 : (int)channels;
    o.split = cli_get(opts, n, "split");
    o.labels_csv = cli_get(opts, n, "labels");
    o.label_column = cli_get(opts, n, "label-column");
    o.attrs = attrs;
    o.n_attrs = n_attrs;
    const char *delim = cli_get(opts, n, "delimiter");
    if (delim)
        o.delimiter =
            !strcmp(delim, "tab") || !strcmp(delim, "\\t") ? '\t' : delim[0];
    o.on_skip = on_skip;
    o.ctx = &quiet;
    dl4c_store *s = NULL;
    if (!data_open_store(cli_get(opts, n, "home"), argv[0], &s)) {
        free(attrs);
        return CLI_FAIL;
    }
    dl4c_ingest_report r;
    dl4c_status st = dl4c_dataset_store_ingest(s, name, pos[0], &o, &r);
    if (st == DL4C_OK)
        printf("dataset '%s': %lld added, %lld already there, %lld skipped "
               "(unreadable); %lld items in all\n",
               name, (long long)r.added, (long long)r.unchanged,
               (long long)r.skipped, (long long)r.total);
    else
        rc = cli_fail(argv[0]);
    dl4c_store_close(s);
    free(attrs);
    return rc;
}

int data_query(int argc, char **argv)
{
    cli_opt opts[] = {
        {"where", "COND", "a SQL condition over the item columns", NULL},
        HOME_OPT,
        {"count", NULL, "print only the number of items", NULL},
        {"list", NULL, "print one line per item (the default)", NULL},
        {"json", NULL, "print one JSON object per item", NULL},
        {"columns", NULL, "print the columns a condition can use", NULL},
        {"limit", "N", "print at most N items", NULL},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    const char *pos[1];
    int n_pos = 0;
    int rc = cli_parse(
        argc, argv, "dl4c data query NAME [--where COND] [--count|--list]",
        "Selects the items of a dataset for which a SQL condition holds:\n"
        "  --where \"label IN ('bag', 'trouser') AND width >= 28\"\n"
        "Columns: id, path, file, label, split, width, height, channels,\n"
        "bytes, sha256, ingested, and the attributes. The condition runs\n"
        "read-only; anything that is not one condition over the items is\n"
        "refused.",
        opts, n, pos, 1, &n_pos);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (n_pos != 1)
        return cli_usage_error(argv[0], "give the dataset's NAME");
    int64_t limit;
    if (!cli_int(opts, n, "limit", INT64_MAX, 0, INT64_MAX, &limit))
        return CLI_USAGE;
    dl4c_store *s = NULL;
    if (!data_open_store(cli_get(opts, n, "home"), argv[0], &s))
        return CLI_FAIL;
    if (cli_flag(opts, n, "columns")) {
        char *json = NULL;
        if (dl4c_dataset_store_columns(s, pos[0], &json) != DL4C_OK) {
            dl4c_store_close(s);
            return cli_fail(argv[0]);
        }
        printf("%s\n", json);
        dl4c_free(json);
        dl4c_store_close(s);
        return CLI_OK;
    }
    dl4c_dataset_query *q = NULL;
    if (dl4c_dataset_store_query(s, pos[0], cli_get(opts, n, "where"), &q) !=
        DL4C_OK) {
        dl4c_store_close(s);
        return cli_fail(argv[0]);
    }
    int64_t total = dl4c_dataset_query_count(q);
    if (cli_flag(opts, n, "count")) {
        printf("%lld\n", (long long)total);
    } else {
        bool json = cli_flag(opts, n, "json");
        for (int64_t i = 0; i < total && i < limit; i++) {
            const dl4c_dataset_item *it = dl4c_dataset_query_item(q, i);
            if (json) {
                json_t *o = json_pack(
                    "{s:I, s:s, s:s?, s:s?, s:s?, s:s, s:I, s:o}", "id",
                    (json_int_t)it->id, "path", it->path, "file", it->file,
                    "label", it->label, "split", it->split, "sha256",
                    it->sha256, "bytes", (json_int_t)it->bytes, "attrs",
                    json_loads(it->attrs, 0, NULL));
                if (o && it->width >= 0)
                    json_object_set_new(o, "shape",
                                        json_pack("[I, I, I]",
                                                  (json_int_t)it->height,
                                                  (json_int_t)it->width,
                                                  (json_int_t)it->channels));
                char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
                if (text)
                    printf("%s\n", text);
                free(text);
                json_decref(o);
                continue;
            }
            char size[48] = "-";
            if (it->width >= 0)
                snprintf(size, sizeof size, "%lldx%lldx%lld",
                         (long long)it->height, (long long)it->width,
                         (long long)it->channels);
            printf("%lld\t%s\t%s\t%s\t%s\n", (long long)it->id,
                   it->label ? it->label : "-", it->split ? it->split : "-",
                   size, it->path);
        }
        if (!json)
            fprintf(stderr, "%lld items\n", (long long)total);
    }
    dl4c_dataset_query_free(q);
    dl4c_store_close(s);
    return CLI_OK;
}

int data_split(int argc, char **argv)
{
    cli_opt opts[] = {
        {"train", "F", "fraction for training (default 0.8)", NULL},
        {"validation", "F", "fraction for validation (default 0)", NULL},
        {"test", "F", "fraction for testing (default: the rest)", NULL},
        {"seed", "S", "seed of the shuffle (default 42)", NULL},
        {"where", "COND", "split only the items this condition selects", NULL},
        HOME_OPT,
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    const char *pos[1];
    int n_pos = 0;
    int rc = cli_parse(
        argc, argv,
        "dl4c data split NAME [--train F] [--validation F] "
        "[--seed S]",
        "Assigns every item to train, validation or test, stratified by\n"
        "label, with a seeded shuffle, and stores the assignment: later\n"
        "queries (split = 'train') and `dl4c train --dataset` use it.",
        opts, n, pos, 1, &n_pos);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (n_pos != 1)
        return cli_usage_error(argv[0], "give the dataset's NAME");
    double tr, va, te;
    int64_t seed;
    if (!cli_double(opts, n, "train", 0.8, 0, 1, &tr) ||
        !cli_double(opts, n, "validation", 0, 0, 1, &va) ||
        !cli_int(opts, n, "seed", 42, 0, INT64_MAX, &seed))
        return CLI_USAGE;
    double rest = 1 - tr - va;
    if (!cli_double(opts, n, "test", rest < 0 ? 0 : rest, 0, 1, &te))
        return CLI_USAGE;
    dl4c_store *s = NULL;
    if (!data_open_store(cli_get(opts, n, "home"), argv[0], &s))
        return CLI_FAIL;
    int64_t counts[3];
    dl4c_status st =
        dl4c_dataset_store_split(s, pos[0], cli_get(opts, n, "where"), tr, va,
                                 te, (uint64_t)seed, counts);
    dl4c_store_close(s);
    if (st != DL4C_OK)
        return cli_fail(argv[0]);
    printf("dataset '%s': %lld train, %lld validation, %lld test (seed "
           "%lld)\n",
           pos[0], (long long)counts[0], (long long)counts[1],
           (long long)counts[2], (long long)seed);
    return CLI_OK;
}
