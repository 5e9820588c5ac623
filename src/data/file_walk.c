/* String lists and sorted recursive directory walks. Sorting makes every
 * listing (and so every dataset built from one) independent of the order
 * the file system returns entries in. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/file_walk_internal.h"

dl4c_status dl4c_strlist_push(dl4c_strlist *l, const char *s)
{
    if (l->n == l->cap) {
        int64_t cap = l->cap ? l->cap * 2 : 64;
        char **p = dl4c_realloc(l->items, (size_t)cap * sizeof *p);
        if (!p)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        l->items = p;
        l->cap = cap;
    }
    char *copy = dl4c_strdup(s);
    if (!copy)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    l->items[l->n++] = copy;
    return DL4C_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void dl4c_strlist_sort(dl4c_strlist *l)
{
    if (l->n > 1)
        qsort(l->items, (size_t)l->n, sizeof *l->items, cmp_str);
}

int64_t dl4c_strlist_find(const dl4c_strlist *l, const char *s)
{
    for (int64_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i], s))
            return i;
    return -1;
}

void dl4c_strlist_free(dl4c_strlist *l)
{
    for (int64_t i = 0; i < l->n; i++)
        dl4c_free(l->items[i]);
    dl4c_free(l->items);
    memset(l, 0, sizeof *l);
}

#define MAX_DEPTH 64

static dl4c_status walk(const char *root, const char *rel, int depth,
                        bool (*keep)(const char *), dl4c_strlist *out)
{
    dl4c_status status = DL4C_OK;
    char *path = rel[0] ? dl4c_asprintf("%s/%s", root, rel) : dl4c_strdup(root);
    DIR *d = NULL;
    if (!path)
        DL4C_NOMEM_FAIL();
    d = opendir(path);
    DL4C_CHECK(d, DL4C_IO, "%s: cannot read the directory: %s", path,
               strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *child_rel = rel[0] ? dl4c_asprintf("%s/%s", rel, e->d_name)
                                 : dl4c_strdup(e->d_name);
        char *child =
            child_rel ? dl4c_asprintf("%s/%s", root, child_rel) : NULL;
        struct stat st;
        if (!child) {
            dl4c_free(child_rel);
            DL4C_NOMEM_FAIL();
        }
        if (stat(child, &st) == 0) {
            if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH)
                status = walk(root, child_rel, depth + 1, keep, out);
            else if (S_ISREG(st.st_mode) && (!keep || keep(child_rel)))
                status = dl4c_strlist_push(out, child_rel);
        }
        dl4c_free(child);
        dl4c_free(child_rel);
        if (status != DL4C_OK)
            goto fail;
    }
fail:
    if (d)
        closedir(d);
    dl4c_free(path);
    return status;
}

dl4c_status dl4c_walk_files(const char *dir, bool (*keep)(const char *path),
                            dl4c_strlist *out)
{
    memset(out, 0, sizeof *out);
    dl4c_status st = walk(dir, "", 0, keep, out);
    if (st != DL4C_OK) {
        dl4c_strlist_free(out);
        return st;
    }
    dl4c_strlist_sort(out);
    return DL4C_OK;
}

void dl4c_parent_name(const char *rel, char *buf, size_t cap)
{
    const char *slash = strrchr(rel, '/');
    buf[0] = '\0';
    if (!slash || cap == 0)
        return;
    const char *start = slash;
    while (start > rel && start[-1] != '/')
        start--;
    size_t n = (size_t)(slash - start);
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, start, n);
    buf[n] = '\0';
}
