/* The dl4c command: one subcommand per file (cmd_*.c), dispatched here.
 * Exit codes: 0 success, 1 failure (bad data, unreadable model, ...),
 * 2 usage error. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_command commands[] = {
    {"train", "train a network on CSV or IDX data and save it", cmd_train},
    {"evaluate", "evaluate a model on labelled data", cmd_evaluate},
    {"predict", "predict for CSV rows (files or stdin to stdout)", cmd_predict},
    {"summary", "print a model's layers, shapes and parameter counts",
     cmd_summary},
    {"import", "import a Keras model (.h5, .keras, JSON) as a dl4c model",
     cmd_import},
    {"models", "list, show, compare, label and remove stored models",
     cmd_models},
    {"serve", "serve models over HTTP (TensorFlow Serving REST API)",
     cmd_serve},
    {"monitor", "compare what a server saw with the training data",
     cmd_monitor},
    {"data", "ingest, query, split, transform and analyze data", cmd_data},
};

#define N_COMMANDS ((int)(sizeof commands / sizeof commands[0]))

static void usage(FILE *out)
{
    fprintf(out, "usage: dl4c <command> [options]\n\ncommands:\n");
    for (int i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-10s %s\n", "version", "print the version");
    fprintf(out, "\n'dl4c <command> --help' describes each command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") ||
        !strcmp(name, "help")) {
        if (argc > 2)
            for (int i = 0; i < N_COMMANDS; i++)
                if (!strcmp(argv[2], commands[i].name)) {
                    char *help_argv[] = {argv[2], "--help", NULL};
                    commands[i].run(2, help_argv);
                    return CLI_OK;
                }
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(name, "version") || !strcmp(name, "--version")) {
        printf("dl4c %s\nBLAS: %s\n", dl4c_version(), dl4c_blas_info());
        return CLI_OK;
    }
    for (int i = 0; i < N_COMMANDS; i++)
        if (!strcmp(name, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "dl4c: unknown command '%s'\n\n", name);
    usage(stderr);
    return CLI_USAGE;
}
