/* Downloads a dataset known by name (see known_files.c) into a directory,
 * verifying every file. Files already there with the published hash are
 * kept, so a repeated call only fetches what is missing or damaged. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/known_files_internal.h"
#include "data/sha256_internal.h"
#include "dl4c/data.h"

/* mkdir -p */
static dl4c_status make_dirs(const char *dir)
{
    dl4c_status status = DL4C_OK;
    char *path = dl4c_strdup(dir);
    if (!path)
        DL4C_NOMEM_FAIL();
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        struct stat st;
        if (stat(path, &st) != 0)
            DL4C_CHECK(mkdir(path, 0777) == 0 || errno == EEXIST, DL4C_IO,
                       "cannot create directory %s: %s", path, strerror(errno));
        else
            DL4C_CHECK(S_ISDIR(st.st_mode), DL4C_IO,
                       "%s exists and is not a directory", path);
        *p = saved;
        if (!saved)
            break;
    }
fail:
    dl4c_free(path);
    return status;
}

static bool already_there(const char *path, const dl4c_known_file *k)
{
    struct stat st;
    char hex[65];
    if (stat(path, &st) != 0 || st.st_size != k->size)
        return false;
    return dl4c_sha256_file(path, hex) == DL4C_OK &&
           dl4c_sha256_hex_equal(hex, k->sha256);
}

dl4c_status dl4c_dataset_download(const char *name, const char *base_url,
                                  const char *dir)
{
    dl4c_status status = DL4C_OK;
    char *url = NULL, *dest = NULL;
    DL4C_CHECK(name && dir && dir[0], DL4C_INVALID_ARG,
               "download: NULL name or directory");
    const dl4c_known_dataset *ds = dl4c_known_dataset_find(name);
    DL4C_CHECK(ds, DL4C_INVALID_ARG,
               "download: unknown dataset '%s' (known: mnist, fashion-mnist)",
               name);
    if (!base_url || !base_url[0])
        base_url = ds->base_url;
    size_t blen = strlen(base_url);
    const char *sep = base_url[blen - 1] == '/' ? "" : "/";
    DL4C_TRY(make_dirs(dir));
    for (int i = 0; dl4c_known_file_at(i); i++) {
        const dl4c_known_file *k = dl4c_known_file_at(i);
        if (strcmp(k->dataset, name))
            continue;
        url = dl4c_asprintf("%s%s%s", base_url, sep, k->name);
        dest = dl4c_asprintf("%s/%s", dir, k->name);
        if (!url || !dest)
            DL4C_NOMEM_FAIL();
        if (!already_there(dest, k)) {
            status = dl4c_fetch(url, dest, k->sha256);
            if (status != DL4C_OK) {
                dl4c_error_prefix(status, "download %s", ds->title);
                goto fail;
            }
        }
        dl4c_free(url);
        dl4c_free(dest);
        url = dest = NULL;
    }
fail:
    dl4c_free(url);
    dl4c_free(dest);
    return status;
}
