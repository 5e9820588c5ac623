/* dl4c data: the dataset store and data tools, one subcommand each:
 * ingest, query, split, list, info, remove (the store), transform
 * (transform processes) and analyze (data reports). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_cli.h"

bool data_open_store(const char *home, const char *cmd, dl4c_store **out)
{
    if (dl4c_store_open(home, out) != DL4C_OK) {
        fprintf(stderr, "dl4c %s: error: %s\n", cmd, dl4c_last_error());
        return false;
    }
    return true;
}

bool data_parse_size(const char *text, int64_t *height, int64_t *width)
{
    long long h = 0, w = 0;
    char tail = 0;
    int n = sscanf(text, "%lldx%lld%c", &h, &w, &tail);
    if (n == 1 && sscanf(text, "%lld%c", &h, &tail) == 1)
        w = h;
    else if (n != 2)
        return false;
    if (h < 1 || w < 1 || h > DL4C_IMAGE_MAX_SIDE || w > DL4C_IMAGE_MAX_SIDE)
        return false;
    *height = h;
    *width = w;
    return true;
}

/* list, info and remove: one positional NAME (none for list). */
static int simple(int argc, char **argv, const char *what)
{
    cli_opt opts[] = {{"home", "DIR",
                       "the dl4c home (default $DL4C_HOME or "
                       "./dl4c-home)",
                       NULL}};
    const char *pos[1];
    int n_pos = 0;
    bool list = !strcmp(what, "list");
    char usage[128];
    snprintf(usage, sizeof usage, "dl4c data %s%s [--home DIR]", what,
             list ? "" : " NAME");
    int rc = cli_parse(argc, argv, usage,
                       list ? "Lists the datasets in the store."
                       : !strcmp(what, "info")
                           ? "Describes a dataset: kind, stored form, "
                             "columns, counts per split and label (JSON)."
                           : "Removes a dataset and its stored files.",
                       opts, 1, pos, list ? 0 : 1, &n_pos);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!list && n_pos != 1)
        return cli_usage_error(argv[0], "give the dataset's NAME");
    dl4c_store *s = NULL;
    if (!data_open_store(cli_get(opts, 1, "home"), argv[0], &s))
        return CLI_FAIL;
    char *json = NULL;
    dl4c_status st = DL4C_OK;
    if (!strcmp(what, "remove")) {
        st = dl4c_dataset_store_remove(s, pos[0]);
        if (st == DL4C_OK)
            printf("removed dataset '%s'\n", pos[0]);
    } else {
        st = dl4c_dataset_store_describe(s, list ? NULL : pos[0], &json);
    }
    if (st == DL4C_OK && json && list) {
        /* a table rather than JSON */
        char *p = json;
        int shown = 0;
        while ((p = strstr(p, "\"name\":\""))) {
            char name[80] = "", kind[16] = "", created[32] = "";
            long long items = 0;
            sscanf(p, "\"name\":\"%79[^\"]", name);
            char *k = strstr(p, "\"kind\":\"");
            char *c = strstr(p, "\"created\":\"");
            char *i = strstr(p, "\"items\":");
            if (k)
                sscanf(k, "\"kind\":\"%15[^\"]", kind);
            if (c)
                sscanf(c, "\"created\":\"%31[^\"]", created);
            if (i)
                sscanf(i, "\"items\":%lld", &items);
            if (!shown++)
                printf("%-24s %-7s %9s  %s\n", "NAME", "KIND", "ITEMS",
                       "CREATED");
            printf("%-24s %-7s %9lld  %s\n", name, kind, items, created);
            p++;
        }
        if (!shown)
            printf("no datasets in %s\n", dl4c_store_home(s));
    } else if (st == DL4C_OK && json) {
        printf("%s\n", json);
    }
    dl4c_free(json);
    dl4c_store_close(s);
    if (st != DL4C_OK) {
        fprintf(stderr, "dl4c %s: error: %s\n", argv[0], dl4c_last_error());
        return CLI_FAIL;
    }
    return CLI_OK;
}

static int data_list(int argc, char **argv)
{
    return simple(argc, argv, "list");
}
static int data_info(int argc, char **argv)
{
    return simple(argc, argv, "info");
}
static int data_remove(int argc, char **argv)
{
    return simple(argc, argv, "remove");
}

static const cli_command subcommands[] = {
    {"ingest", "add a folder of images or a CSV file to a dataset",
     data_ingest},
    {"query", "count or list the items a SQL condition selects", data_query},
    {"split", "assign stratified train/validation/test splits", data_split},
    {"list", "list the datasets in the store", data_list},
    {"info", "describe a dataset (JSON)", data_info},
    {"remove", "remove a dataset and its stored files", data_remove},
    {"transform", "run a transform process over a CSV file", data_transform},
    {"analyze", "write a data report (HTML with charts, or JSON)",
     data_analyze},
};

#define N_SUB ((int)(sizeof subcommands / sizeof subcommands[0]))

static void usage(FILE *out)
{
    fprintf(out, "usage: dl4c data <subcommand> [options]\n\nsubcommands:\n");
    for (int i = 0; i < N_SUB; i++)
        fprintf(out, "  %-10s %s\n", subcommands[i].name,
                subcommands[i].summary);
    fprintf(out, "\nThe store lives in --home DIR, else $DL4C_HOME, else "
                 "./dl4c-home.\n'dl4c data <subcommand> --help' describes "
                 "each.\n");
}

int cmd_data(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
        usage(stdout);
        return CLI_OK;
    }
    for (int i = 0; i < N_SUB; i++)
        if (!strcmp(name, subcommands[i].name)) {
            /* messages say "dl4c data ingest: ..." */
            char label[64];
            snprintf(label, sizeof label, "data %s", name);
            argv[1] = label;
            return subcommands[i].run(argc - 1, argv + 1);
        }
    fprintf(stderr, "dl4c data: unknown subcommand '%s'\n\n", name);
    usage(stderr);
    return CLI_USAGE;
}
