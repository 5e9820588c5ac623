/* The dataset tables (schema "datasets", version 1), dataset lookup by
 * name, descriptions and removal. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/json_util_internal.h"
#include "store/dataset_store_internal.h"

#define SCHEMA_VERSION 1

const char *const dl4c_ds_builtin_columns[] = {
    "id",       "path",  "file",   "label",    "split", "width",      "height",
    "channels", "bytes", "sha256", "ingested", "attrs", "dataset_id", NULL};

static dl4c_status migrate(sqlite3 *db, int from, void *ctx)
{
    (void)ctx;
    if (from < 1)
        DL4C_RETURN_IF(dl4c_store_exec(
            db, "CREATE TABLE datasets ("
                " id INTEGER PRIMARY KEY,"
                " name TEXT NOT NULL UNIQUE,"
                " kind TEXT NOT NULL CHECK (kind IN ('images', 'rows')),"
                " created TEXT NOT NULL,"
                " options TEXT NOT NULL DEFAULT '{}',"
                " split_settings TEXT);"
                "CREATE TABLE dataset_items ("
                " id INTEGER PRIMARY KEY,"
                " dataset_id INTEGER NOT NULL"
                "  REFERENCES datasets (id) ON DELETE CASCADE,"
                " path TEXT NOT NULL,"
                " file TEXT,"
                " label TEXT,"
                " split TEXT,"
                " width INTEGER, height INTEGER, channels INTEGER,"
                " bytes INTEGER NOT NULL,"
                " sha256 TEXT NOT NULL,"
                " ingested TEXT NOT NULL,"
                " attrs TEXT NOT NULL DEFAULT '{}',"
                " UNIQUE (dataset_id, sha256));"
                "CREATE INDEX dataset_items_label"
                " ON dataset_items (dataset_id, label);"));
    return DL4C_OK;
}

dl4c_status dl4c_ds_schema(dl4c_store *s)
{
    return dl4c_store_schema(s, "datasets", SCHEMA_VERSION, migrate, NULL);
}

bool dl4c_ds_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n < 1 || n > 64 || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
            return false;
    return true;
}

bool dl4c_ds_attr_key_valid(const char *key)
{
    size_t n = key ? strlen(key) : 0;
    if (n < 1 || n > 64 || isdigit((unsigned char)key[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)key[i]) && key[i] != '_')
            return false;
    for (int i = 0; dl4c_ds_builtin_columns[i]; i++)
        if (!strcasecmp(key, dl4c_ds_builtin_columns[i]))
            return false;
    return true;
}

void dl4c_ds_now_iso(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void dl4c_ds_info_deinit(dl4c_ds_info *info)
{
    json_decref(info->options);
    info->options = NULL;
}

/* "a, b, c" of the existing names, for messages. */
static void list_names(sqlite3 *db, char *buf, size_t cap)
{
    sqlite3_stmt *q = NULL;
    size_t used = 0;
    buf[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT name FROM datasets ORDER BY name", -1,
                           &q, NULL) != SQLITE_OK)
        return;
    while (sqlite3_step(q) == SQLITE_ROW && used + 80 < cap)
        used +=
            (size_t)snprintf(buf + used, cap - used, "%s%s", used ? ", " : "",
                             (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
}

dl4c_status dl4c_ds_find(dl4c_store *s, const char *name, bool must_exist,
                         dl4c_ds_info *out)
{
    dl4c_status status = DL4C_OK;
    sqlite3 *db = dl4c_store_db(s);
    sqlite3_stmt *q = NULL;
    memset(out, 0, sizeof *out);
    if (sqlite3_prepare_v2(db,
                           "SELECT id, kind, options FROM datasets WHERE "
                           "name = ?",
                           -1, &q, NULL) != SQLITE_OK)
        DL4C_FAIL(DL4C_IO, "datasets: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(q, 0);
        snprintf(out->kind, sizeof out->kind, "%s",
                 (const char *)sqlite3_column_text(q, 1));
        const char *opt = (const char *)sqlite3_column_text(q, 2);
        out->options = json_loads(opt ? opt : "{}", 0, NULL);
        DL4C_CHECK(json_is_object(out->options), DL4C_FORMAT,
                   "dataset '%s': its options are not a JSON object", name);
    } else if (rc != SQLITE_DONE) {
        DL4C_FAIL(DL4C_IO, "datasets: %s", sqlite3_errmsg(db));
    } else if (must_exist) {
        char names[1024];
        list_names(db, names, sizeof names);
        DL4C_FAIL(DL4C_INVALID_ARG, "no dataset '%s' in %s (%s%s)", name,
                  dl4c_store_home(s), names[0] ? "datasets: " : "none yet",
                  names);
    } else {
        out->options = json_object();
        if (!out->options)
            DL4C_NOMEM_FAIL();
    }
fail:
    sqlite3_finalize(q);
    if (status != DL4C_OK)
        dl4c_ds_info_deinit(out);
    return status;
}

dl4c_status dl4c_ds_lookup(dl4c_store *s, const char *name, bool must_exist,
                           dl4c_ds_info *out)
{
    memset(out, 0, sizeof *out);
    if (!dl4c_ds_name_valid(name))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "bad dataset name '%s' (1-64 characters of "
                              "letters, digits, '_', '.', '-')",
                              name ? name : "(null)");
    DL4C_RETURN_IF(dl4c_ds_schema(s));
    return dl4c_ds_find(s, name, must_exist, out);
}

/* ---- describe
 * ---------------------------------------------------------------- */

/* Runs a two-column "key, count" query into an object. */
static dl4c_status counts(sqlite3 *db, const char *sql, int64_t id,
                          json_t *into)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return dl4c_store_error(db, "datasets");
    sqlite3_bind_int64(q, 1, id);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(q, 0);
        json_object_set_new(into, k ? k : "(none)",
                            json_integer(sqlite3_column_int64(q, 1)));
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? DL4C_OK : dl4c_store_error(db, "datasets");
}

dl4c_status dl4c_dataset_store_describe(dl4c_store *s, const char *name,
                                        char **json)
{
    dl4c_status status = DL4C_OK;
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    json_t *root = NULL;
    dl4c_ds_info info = {0};
    DL4C_CHECK(s && json, DL4C_INVALID_ARG, "describe: NULL argument");
    *json = NULL;
    db = dl4c_store_db(s);
    DL4C_TRY(dl4c_ds_schema(s));
    if (!name) {
        root = json_array();
        if (!root)
            DL4C_NOMEM_FAIL();
        if (sqlite3_prepare_v2(db,
                               "SELECT d.name, d.kind, d.created, (SELECT "
                               "count(*) FROM dataset_items i WHERE "
                               "i.dataset_id = d.id) FROM datasets d ORDER BY "
                               "d.name",
                               -1, &q, NULL) != SQLITE_OK)
            DL4C_FAIL(DL4C_IO, "datasets: %s", sqlite3_errmsg(db));
        while (sqlite3_step(q) == SQLITE_ROW)
            json_array_append_new(
                root,
                json_pack("{s:s, s:s, s:s, s:I}", "name",
                          (const char *)sqlite3_column_text(q, 0), "kind",
                          (const char *)sqlite3_column_text(q, 1), "created",
                          (const char *)sqlite3_column_text(q, 2), "items",
                          (json_int_t)sqlite3_column_int64(q, 3)));
    } else {
        DL4C_TRY(dl4c_ds_lookup(s, name, true, &info));
        json_t *splits = json_object(), *labels = json_object();
        root = json_pack("{s:s, s:s, s:O, s:o, s:o}", "name", name, "kind",
                         info.kind, "options", info.options, "splits",
                         splits ? splits : json_null(), "labels",
                         labels ? labels : json_null());
        if (!root || !splits || !labels)
            DL4C_NOMEM_FAIL();
        if (sqlite3_prepare_v2(db,
                               "SELECT count(*), (SELECT created FROM datasets "
                               "WHERE id = ?1), (SELECT split_settings FROM "
                               "datasets WHERE id = ?1) FROM dataset_items "
                               "WHERE dataset_id = ?1",
                               -1, &q, NULL) != SQLITE_OK)
            DL4C_FAIL(DL4C_IO, "datasets: %s", sqlite3_errmsg(db));
        sqlite3_bind_int64(q, 1, info.id);
        if (sqlite3_step(q) == SQLITE_ROW) {
            json_object_set_new(root, "items",
                                json_integer(sqlite3_column_int64(q, 0)));
            json_object_set_new(
                root, "created",
                json_string((const char *)sqlite3_column_text(q, 1)));
            const char *ss = (const char *)sqlite3_column_text(q, 2);
            json_t *settings = ss ? json_loads(ss, 0, NULL) : NULL;
            json_object_set_new(root, "split_settings",
                                settings ? settings : json_null());
        }
        DL4C_TRY(counts(db,
                        "SELECT split, count(*) FROM dataset_items WHERE "
                        "dataset_id = ? GROUP BY split ORDER BY split",
                        info.id, splits));
        DL4C_TRY(counts(db,
                        "SELECT label, count(*) FROM dataset_items WHERE "
                        "dataset_id = ? GROUP BY label ORDER BY label",
                        info.id, labels));
    }
    *json = dl4c_json_dump(root);
    if (!*json)
        DL4C_NOMEM_FAIL();
fail:
    sqlite3_finalize(q);
    json_decref(root);
    dl4c_ds_info_deinit(&info);
    return status;
}

/* ---- remove
 * ---------------------------------------------------------------------- */

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char *child = dl4c_asprintf("%s/%s", path, e->d_name);
            struct stat st;
            if (child && lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(child);
            else if (child)
                unlink(child);
            dl4c_free(child);
        }
        closedir(d);
    }
    rmdir(path);
}

dl4c_status dl4c_dataset_store_remove(dl4c_store *s, const char *name)
{
    dl4c_status status = DL4C_OK;
    dl4c_ds_info info = {0};
    sqlite3_stmt *q = NULL;
    char *dir = NULL, *rel = NULL;
    bool began = false;
    DL4C_CHECK(s, DL4C_INVALID_ARG, "remove: NULL store");
    DL4C_TRY(dl4c_ds_lookup(s, name, true, &info));
    sqlite3 *db = dl4c_store_db(s);
    DL4C_TRY(dl4c_store_begin(s));
    began = true;
    if (sqlite3_prepare_v2(db,
                           "DELETE FROM dataset_items WHERE dataset_id = ?1;",
                           -1, &q, NULL) != SQLITE_OK)
        DL4C_FAIL(DL4C_IO, "datasets: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(q, 1, info.id);
    DL4C_CHECK(sqlite3_step(q) == SQLITE_DONE, DL4C_IO, "datasets: %s",
               sqlite3_errmsg(db));
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(db, "DELETE FROM datasets WHERE id = ?1", -1, &q,
                           NULL) != SQLITE_OK)
        DL4C_FAIL(DL4C_IO, "datasets: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(q, 1, info.id);
    DL4C_CHECK(sqlite3_step(q) == SQLITE_DONE, DL4C_IO, "datasets: %s",
               sqlite3_errmsg(db));
    DL4C_TRY(dl4c_store_commit(s));
    began = false;
    /* the files go after the rows: a crash in between leaves only
     * unreferenced files */
    rel = dl4c_asprintf("datasets/%s", name);
    dir = rel ? dl4c_store_path(s, rel) : NULL;
    if (!dir)
        DL4C_NOMEM_FAIL();
    remove_tree(dir);
fail:
    sqlite3_finalize(q);
    if (began)
        dl4c_store_rollback(s);
    dl4c_free(rel);
    dl4c_free(dir);
    dl4c_ds_info_deinit(&info);
    return status;
}
