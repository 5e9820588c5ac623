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
int cmd_import(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_data(int argc, char **argv);

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

/* Loads a model file (any format dl4c reads), or a model from the store
 * by NAME[:VERSION|@LABEL] when no file of that name exists. */
dl4c_status cli_load_model(const char *path, dl4c_net **out);
/* A model file: a dl4c model, or a Keras model imported on the fly (.h5,
 * .keras, architecture JSON; told by the contents) (cmd_import.c). */
dl4c_status cli_load_model_file(const char *path, dl4c_net **out);

/* ---- dl4c predict on NumPy arrays (predict_npy.c) ---- */

/* True when the arguments ask for .npy prediction (an --input ending in
 * .npy, or --output-dir). */
bool cli_predict_wants_npy(int argc, char **argv);
int cli_predict_npy(int argc, char **argv);

/* ---- model store (cli_store.c, train_register.c) ---- */

/* When `ref` names no existing file but has the form of a store reference,
 * *path gets the stored model's file (free with free()); otherwise *path
 * is NULL and `ref` is a file path. Fails when the store lacks it. */
dl4c_status cli_store_resolve(const char *ref, char **path);

/* Seconds on a monotonic clock. */
double cli_now(void);

/* What `dl4c train` records in the model store. */
typedef struct cli_train_record {
    const dl4c_net *net;
    const char *name;    /* --name, or NULL: from --out or the data */
    const char *out;     /* --out, or NULL */
    const char *dataset; /* the data it was trained on */
    const char *query;   /* the query that selected it, or NULL */
    const char *parent;  /* the model it started from (file or reference) */
    const char *metrics; /* evaluation JSON, or NULL */
    const cli_opt *opts; /* the command's options, as hyperparameters */
    int n_opts;
    double wall_time;
} cli_train_record;

/* Registers a trained model as the next version of its name; prints the
 * version. CLI_OK or CLI_FAIL (with the message printed). */
int cli_train_register(const cli_train_record *rec);

/* ---- training data from the dataset store or a transform
 * (train_source.c) ---- */

/* Metadata a model gets from its data: the fitted transform process and
 * the dataset query it was trained on. */
typedef struct cli_train_meta {
    char *transform; /* JSON (dl4c_free), or NULL */
    char *dataset;   /* JSON {"name", "where", ...} (free), or NULL */
} cli_train_meta;

/* True when --dataset or --transform chooses the training data. */
bool cli_train_source_used(const cli_opt *opts, int n);
/* Loads the training data (and test data: the dataset's test split,
 * --test or --split) of --dataset/--where or --data with --transform.
 * CLI_OK, or an exit code after printing the error. */
int cli_train_source(const cli_opt *opts, int n, uint64_t seed,
                     dl4c_dataset **train, dl4c_dataset **test,
                     cli_train_meta *meta);
dl4c_status cli_train_meta_apply(dl4c_net *net, const cli_train_meta *m);
void cli_train_meta_free(cli_train_meta *m);
/* Wraps the training iterator for --augment and --prefetch. */
int cli_train_wrap_iterator(const cli_opt *opts, int n, uint64_t seed,
                            dl4c_iterator **it);

#endif
