/* Inside the dataset store: the tables, the lookup of a dataset by name,
 * and the guarded preparation of user conditions shared by queries,
 * loads, splits and reports.
 *
 *   datasets(id, name UNIQUE, kind 'images'|'rows', created, options JSON,
 *            split_settings JSON)
 *   dataset_items(id, dataset_id, path, file, label, split, width, height,
 *                 channels, bytes, sha256, ingested, attrs JSON,
 *                 UNIQUE(dataset_id, sha256))
 *
 * options holds the stored image form {"channels", "height", "width",
 * "resize"} or the CSV layout {"columns": [...], "label_column"}, and
 * "attributes": the attribute keys seen so far, which become columns of
 * the `items` view a condition runs against. */
#ifndef DL4C_DATASET_STORE_INTERNAL_H
#define DL4C_DATASET_STORE_INTERNAL_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "dl4c/dataset_store.h"
#include "store/store_internal.h"

typedef struct dl4c_ds_info {
    int64_t id; /* 0 when the dataset does not exist */
    char kind[8];
    json_t *options; /* owned; an object */
} dl4c_ds_info;

/* Creates or upgrades the dataset tables. */
dl4c_status dl4c_ds_schema(dl4c_store *s);
/* True for 1-64 characters of [A-Za-z0-9_.-] not starting with '.'. */
bool dl4c_ds_name_valid(const char *name);
/* Looks a dataset up; with must_exist, an unknown name is
 * DL4C_INVALID_ARG "no dataset 'x' in <home> (datasets: a, b)". */
dl4c_status dl4c_ds_lookup(dl4c_store *s, const char *name, bool must_exist,
                           dl4c_ds_info *out);
/* dl4c_ds_lookup without the schema check (which opens a transaction):
 * for use inside one; the name must be valid. */
dl4c_status dl4c_ds_find(dl4c_store *s, const char *name, bool must_exist,
                         dl4c_ds_info *out);
void dl4c_ds_info_deinit(dl4c_ds_info *info);
/* True for identifiers usable as attribute names: [A-Za-z_][A-Za-z0-9_]*,
 * at most 64 characters, not one of the built-in columns. */
bool dl4c_ds_attr_key_valid(const char *key);
/* The built-in item columns, NULL-terminated. */
extern const char *const dl4c_ds_builtin_columns[];

/* A prepared, guarded SELECT over one dataset's items on its own
 * read-only connection. */
typedef struct dl4c_ds_stmt {
    sqlite3 *db;
    sqlite3_stmt *stmt;
} dl4c_ds_stmt;

/* Prepares "WITH items AS (...) SELECT <select> FROM items WHERE
 * (<where>) [AND <extra>] <tail>" for dataset `info`; `where` NULL or
 * blank means all items. `extra` and `tail` are dl4c's own SQL (they may
 * use parameters from ?2 on; ?1 is unused). The user's condition is first
 * compiled alone to make sure it is a single expression; the authorizer
 * allows reading dataset_items only. DL4C_INVALID_ARG "query refused:
 * ..." or with SQLite's message. */
dl4c_status dl4c_ds_prepare(dl4c_store *s, const dl4c_ds_info *info,
                            const char *select, const char *where,
                            const char *extra, const char *tail,
                            dl4c_ds_stmt *out);
void dl4c_ds_stmt_close(dl4c_ds_stmt *st);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ". */
void dl4c_ds_now_iso(char buf[32]);

#endif
