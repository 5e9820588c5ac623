/* dl4c data analyze: the data report of a CSV file (optionally against a
 * second one, with drift per column) or of a dataset in the store (its
 * train split against its test split), as HTML with charts or JSON. */
#include <stdio.h>
#include <string.h>

#include "data_cli.h"

int data_analyze(int argc, char **argv)
{
    cli_opt opts[] = {
        {"vs", "FILE", "compare with this CSV file (e.g. the test data)", NULL},
        {"out", "FILE", "write the HTML report here", NULL},
        {"json", "FILE", "write the statistics as JSON here ('-': stdout)",
         NULL},
        {"dataset", "NAME", "analyze a dataset of the store instead", NULL},
        {"where", "COND", "with --dataset: only the items selected", NULL},
        {"home", "DIR", "the dl4c home (default $DL4C_HOME or ./dl4c-home)",
         NULL},
        {"no-header", NULL, "the CSV files have no header line", NULL},
        {"delimiter", "C", "CSV delimiter (default ',', tab for .tsv)", NULL},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    const char *pos[1];
    int n_pos = 0;
    int rc = cli_parse(
        argc, argv,
        "dl4c data analyze (DATA.csv [--vs TEST.csv] | --dataset NAME) "
        "--out report.html",
        "Per column: type, count, missing values, min/max/mean/std,\n"
        "quantiles, a histogram or the category counts. With --vs, both\n"
        "distributions side by side and a drift score per column (the\n"
        "population stability index; >= 0.1 moderate, >= 0.25 major).\n"
        "With --dataset, the train split against the test split when the\n"
        "dataset has both (label counts, image sizes, attributes). The\n"
        "HTML page is self-contained: no network is needed to view it.",
        opts, n, pos, 1, &n_pos);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    const char *dataset = cli_get(opts, n, "dataset");
    const char *out = cli_get(opts, n, "out");
    const char *jpath = cli_get(opts, n, "json");
    if ((n_pos == 1) == (dataset != NULL) || (!out && !jpath))
        return cli_usage_error(argv[0],
                               "give DATA.csv or --dataset NAME, and --out "
                               "and/or --json");
    const char *delim = cli_get(opts, n, "delimiter");
    char d = delim ? (!strcmp(delim, "tab") || !strcmp(delim, "\\t") ? '\t'
                                                                     : delim[0])
                   : 0;
    bool header = !cli_flag(opts, n, "no-header");
    dl4c_analysis *a = NULL, *b = NULL;
    dl4c_status st = DL4C_OK;
    if (dataset) {
        dl4c_store *s = NULL;
        if (!data_open_store(cli_get(opts, n, "home"), argv[0], &s))
            return CLI_FAIL;
        const char *where = cli_get(opts, n, "where");
        st = dl4c_dataset_store_analyze(s, dataset, where, "train", &a);
        if (st == DL4C_OK)
            st = dl4c_dataset_store_analyze(s, dataset, where, "test", &b);
        if (st != DL4C_OK) { /* no train/test splits: all items */
            dl4c_analysis_free(a);
            dl4c_analysis_free(b);
            a = b = NULL;
            st = dl4c_dataset_store_analyze(s, dataset, where, NULL, &a);
        }
        dl4c_store_close(s);
    } else {
        st = dl4c_analysis_csv(pos[0], d, header, &a);
        if (st == DL4C_OK && cli_get(opts, n, "vs"))
            st = dl4c_analysis_csv(cli_get(opts, n, "vs"), d, header, &b);
    }
    if (st == DL4C_OK && out)
        st = dl4c_analysis_write_html(a, b, out);
    if (st == DL4C_OK && jpath) {
        char *json = NULL;
        st = dl4c_analysis_write_json(a, b, &json);
        if (st == DL4C_OK) {
            FILE *f = strcmp(jpath, "-") ? fopen(jpath, "w") : stdout;
            if (!f || fprintf(f, "%s\n", json) < 0 ||
                (f != stdout && fclose(f) != 0)) {
                fprintf(stderr, "dl4c %s: error: %s: cannot write\n", argv[0],
                        jpath);
                rc = CLI_FAIL;
            }
        }
        dl4c_free(json);
    }
    if (st != DL4C_OK) {
        rc = cli_fail(argv[0]);
    } else if (rc == CLI_OK && out) {
        fprintf(stderr, "wrote %s: %d columns%s\n", out,
                dl4c_analysis_num_columns(a), b ? " compared" : "");
        for (int i = 0; b && i < dl4c_analysis_num_columns(b); i++) {
            double psi = 0;
            dl4c_column_summary cs;
            if (dl4c_analysis_drift(a, b, i, &psi) == DL4C_OK && psi >= 0.1 &&
                dl4c_analysis_column(b, i, &cs) == DL4C_OK)
                fprintf(stderr, "  drift in '%s': PSI %.3g (%s)\n", cs.name,
                        psi, psi >= 0.25 ? "major" : "moderate");
        }
    }
    dl4c_analysis_free(a);
    dl4c_analysis_free(b);
    return rc;
}
