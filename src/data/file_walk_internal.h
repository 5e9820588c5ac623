/* Growable lists of strings and a sorted recursive directory listing,
 * shared by the image folder loader, the dataset store's ingest and the
 * sequence reader. */
#ifndef DL4C_FILE_WALK_INTERNAL_H
#define DL4C_FILE_WALK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "dl4c/status.h"

typedef struct dl4c_strlist {
    char **items;
    int64_t n, cap;
} dl4c_strlist;

/* Appends a copy of s. DL4C_NOMEM. */
dl4c_status dl4c_strlist_push(dl4c_strlist *l, const char *s);
/* Sorts in strcmp order. */
void dl4c_strlist_sort(dl4c_strlist *l);
/* Index of s, or -1 (linear; for short lists). */
int64_t dl4c_strlist_find(const dl4c_strlist *l, const char *s);
void dl4c_strlist_free(dl4c_strlist *l);

/* Every regular file below `dir` for which keep(path) is true (NULL keeps
 * all), as paths relative to dir ("cat/1.png"), sorted; hidden entries
 * (starting with '.') are skipped, symbolic links followed, and the walk
 * stops 64 levels down. DL4C_IO naming the directory that cannot be
 * read. */
dl4c_status dl4c_walk_files(const char *dir, bool (*keep)(const char *path),
                            dl4c_strlist *out);

/* "a/b/c.png" -> "b" (the parent folder's name) into buf; "" when the
 * path has no folder. */
void dl4c_parent_name(const char *rel, char *buf, size_t cap);

#endif
