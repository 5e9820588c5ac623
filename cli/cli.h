/* Shared pieces of the dl4c command: the subcommand table, option
 * parsing with generated --help, and helpers that turn library errors into
 * messages and exit codes (0 ok, 1 failure, 2 usage). */
#ifndef DL4C_CLI_H
#define DL4C_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dl4c/dl4c.h"

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

typedef struct cli_opt {
    const char *name; /* long name without "--" */
    const char *arg;  /* metavar ("N", "FILE"), or NULL for a flag */
    const char *help;
    const char *value; /* after parsing: the value, "1" for a set flag */
} cli_opt;

typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} cli_command;

/* The subcommands, one file each. */
int cmd_train(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_summary(int argc, char **argv);

/* Parses argv[1..] (argv[0] is the subcommand) into opts and positional
 * arguments. Prints a message and returns CLI_USAGE on an unknown option
 * or a missing value; returns -1 when --help was printed. */
int cli_parse(int argc, char **argv, const char *usage, const char *about,
              cli_opt *opts, int n_opts, const char **pos, int max_pos,
              int *n_pos);

const char *cli_get(const cli_opt *opts, int n, const char *name);
bool cli_flag(const cli_opt *opts, int n, const char *name);
/* Numbers with range checks; print the usage error and return false. */
bool cli_int(const cli_opt *opts, int n, const char *name, int64_t def,
             int64_t min, int64_t max, int64_t *out);
bool cli_double(const cli_opt *opts, int n, const char *name, double def,
                double min, double max, double *out);

/* Prints "dl4c <cmd>: error: <last error>" and returns CLI_FAIL. */
int cli_fail(const char *cmd);
/* Prints a usage error and returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- data (cli_data.c) ---- */

typedef struct cli_data_opts {
    int64_t label_index; /* -1: last column */
    int64_t labels_to;   /* regression: last label column, -1 = label */
    int64_t num_classes; /* 0: regression */
    int64_t skip_lines;
    const char *delimiter;
    const char *const *class_names; /* from a model, or NULL */
    int n_class_names;
} cli_data_opts;

/* Loads labelled data: a CSV file, an IDX directory in MNIST layout
 * (train or t10k files by `train`), or "IMAGES,LABELS" IDX files. */
dl4c_status cli_load_data(const char *path, bool train, const cli_data_opts *o,
                          dl4c_dataset **out);
/* Reshapes the features so they fit the net's input when the element
 * counts agree (28x28x1 images into a [784] input, or back). */
dl4c_status cli_fit_to_net(dl4c_dataset *ds, const dl4c_net *net);

/* Loads a model file (any format dl4c reads). */
dl4c_status cli_load_model(const char *path, dl4c_net **out);

#endif
