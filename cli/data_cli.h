/* The subcommands of `dl4c data` (one file per group) and the helpers
 * they share: opening the store, sizes like 28x28. */
#ifndef DL4C_DATA_CLI_H
#define DL4C_DATA_CLI_H

#include "cli.h"

int data_ingest(int argc, char **argv);
int data_query(int argc, char **argv);
int data_split(int argc, char **argv);
int data_transform(int argc, char **argv);
int data_analyze(int argc, char **argv);

/* Opens the home given by --home, else $DL4C_HOME, else ./dl4c-home;
 * prints the error for `cmd` and returns false on failure. */
bool data_open_store(const char *home, const char *cmd, dl4c_store **out);
/* "28x28" (or "28") into height and width; false when malformed. */
bool data_parse_size(const char *text, int64_t *height, int64_t *width);

#endif
