/* dl4c data transform: a CSV file through a transform process, written
 * as CSV; --fit fits the steps' statistics first and --save keeps the
 * fitted process for training and prediction. */
#include <stdio.h>
#include <stdlib.h>

#include "data_cli.h"

int data_transform(int argc, char **argv)
{
    cli_opt opts[] = {
        {"transform", "FILE", "the transform process (JSON, docs/data.md)",
         NULL},
        {"out", "FILE", "write the transformed rows here (CSV)", NULL},
        {"fit", NULL,
         "fit the steps' statistics on this file (else the process must be "
         "fitted)",
         NULL},
        {"save", "FILE", "save the (fitted) process here", NULL},
    };
    int n = (int)(sizeof opts / sizeof opts[0]);
    const char *pos[1];
    int n_pos = 0;
    int rc = cli_parse(
        argc, argv,
        "dl4c data transform IN.csv --transform FILE --out OUT.csv [--fit] "
        "[--save FITTED.json]",
        "Runs a transform process (schema + steps: remove/keep/rename\n"
        "columns, categories to one-hot or integers, filters, replacing\n"
        "missing or invalid values, min-max, standardize, derived columns,\n"
        "date-time fields) over a CSV file with a header.",
        opts, n, pos, 1, &n_pos);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    const char *tpath = cli_get(opts, n, "transform");
    const char *out = cli_get(opts, n, "out");
    const char *save = cli_get(opts, n, "save");
    if (n_pos != 1 || !tpath || (!out && !save))
        return cli_usage_error(argv[0],
                               "give IN.csv, --transform FILE and --out "
                               "and/or --save");
    bool fit = cli_flag(opts, n, "fit");
    dl4c_transform *tp = NULL;
    char *json = NULL;
    dl4c_status st = dl4c_transform_load(tpath, &tp);
    if (st == DL4C_OK && out)
        st = dl4c_transform_csv(tp, pos[0], out, fit);
    if (st == DL4C_OK && save && !out) {
        /* fit without writing rows: read the file into a dataset */
        dl4c_dataset *ds = NULL;
        st = dl4c_transform_load_csv(tp, pos[0], fit, 0, &ds);
        dl4c_dataset_free(ds);
    }
    if (st == DL4C_OK && save)
        st = dl4c_transform_write(tp, &json);
    if (st == DL4C_OK && save) {
        FILE *f = fopen(save, "w");
        if (!f || fputs(json, f) < 0 || fputc('\n', f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "dl4c %s: error: %s: cannot write\n", argv[0],
                    save);
            dl4c_free(json);
            dl4c_transform_free(tp);
            return CLI_FAIL;
        }
    }
    if (st == DL4C_OK) {
        fprintf(stderr, "%d output columns", dl4c_transform_num_outputs(tp));
        if (out)
            fprintf(stderr, "; wrote %s", out);
        if (save)
            fprintf(stderr, "; saved the process to %s", save);
        fprintf(stderr, "\n");
    } else {
        rc = cli_fail(argv[0]);
    }
    dl4c_free(json);
    dl4c_transform_free(tp);
    return rc;
}
