/* Model store references on the command line: wherever a model file is
 * accepted, NAME, NAME:VERSION or NAME@LABEL names a stored model when no
 * file of that name exists. A missing store is reported, never created,
 * so a mistyped file name does not leave a new dl4c-home behind. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "dl4c/model_store.h"

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

dl4c_status cli_store_resolve(const char *ref, char **path)
{
    struct stat st;
    *path = NULL;
    if (!ref || stat(ref, &st) == 0 || !dl4c_model_ref_valid(ref))
        return DL4C_OK;
    const char *home = getenv("DL4C_HOME");
    if (!home || !*home)
        home = "./dl4c-home";
    char db[4096];
    snprintf(db, sizeof db, "%s/dl4c.db", home);
    if (stat(db, &st) != 0) {
        /* let the file loader say "no such file" */
        return DL4C_OK;
    }
    dl4c_store *s = NULL;
    dl4c_model_entry e = {0};
    dl4c_status rc = dl4c_store_open(home, &s);
    if (rc == DL4C_OK)
        rc = dl4c_model_store_resolve(s, ref, &e);
    if (rc == DL4C_OK && !(*path = strdup(e.path)))
        rc = DL4C_NOMEM;
    dl4c_model_entry_deinit(&e);
    dl4c_store_close(s);
    return rc;
}
