/* Conditions over dataset items, run read-only. A user's condition is
 * SQL text, so it is held to three rules before anything runs:
 *   1. it runs on its own connection opened read-only;
 *   2. it is compiled alone ("... WHERE <condition>") and must be one
 *      statement: anything after it (a second statement) is refused;
 *   3. an authorizer allows SELECT, functions and reading the item table,
 *      and refuses every other action (DELETE, ATTACH, PRAGMA, reading
 *      other tables, ...), naming it.
 * The items view is a CTE over dataset_items restricted to the dataset,
 * with one column per attribute key (json_extract of attrs). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/json_util_internal.h"
#include "store/dataset_store_internal.h"

#define BUSY_TIMEOUT_MS 30000

typedef struct guard {
    char why[256]; /* the first refused action */
} guard;

static const char *action_name(int action)
{
    switch (action) {
    case SQLITE_DELETE:
        return "DELETE";
    case SQLITE_INSERT:
        return "INSERT";
    case SQLITE_UPDATE:
        return "UPDATE";
    case SQLITE_ATTACH:
        return "ATTACH";
    case SQLITE_DETACH:
        return "DETACH";
    case SQLITE_PRAGMA:
        return "PRAGMA";
    case SQLITE_TRANSACTION:
        return "a transaction";
    case SQLITE_SAVEPOINT:
        return "SAVEPOINT";
    case SQLITE_ALTER_TABLE:
        return "ALTER TABLE";
    case SQLITE_REINDEX:
        return "REINDEX";
    case SQLITE_ANALYZE:
        return "ANALYZE";
    case SQLITE_CREATE_VTABLE:
    case SQLITE_CREATE_TABLE:
    case SQLITE_CREATE_TEMP_TABLE:
    case SQLITE_CREATE_VIEW:
    case SQLITE_CREATE_TEMP_VIEW:
    case SQLITE_CREATE_INDEX:
    case SQLITE_CREATE_TEMP_INDEX:
    case SQLITE_CREATE_TRIGGER:
    case SQLITE_CREATE_TEMP_TRIGGER:
        return "CREATE";
    case SQLITE_DROP_VTABLE:
    case SQLITE_DROP_TABLE:
    case SQLITE_DROP_TEMP_TABLE:
    case SQLITE_DROP_VIEW:
    case SQLITE_DROP_TEMP_VIEW:
    case SQLITE_DROP_INDEX:
    case SQLITE_DROP_TEMP_INDEX:
    case SQLITE_DROP_TRIGGER:
    case SQLITE_DROP_TEMP_TRIGGER:
        return "DROP";
    case SQLITE_RECURSIVE:
        return "a recursive query";
    default:
        return "this statement";
    }
}

static int authorize(void *ctx, int action, const char *a, const char *b,
                     const char *db, const char *trigger)
{
    guard *g = ctx;
    (void)db;
    (void)trigger;
    switch (action) {
    case SQLITE_SELECT:
        return SQLITE_OK;
    case SQLITE_FUNCTION:
        /* b is the function name; extension loading is off anyway */
        if (b && !strcasecmp(b, "load_extension"))
            break;
        return SQLITE_OK;
    case SQLITE_READ:
        if (a && !strcmp(a, "dataset_items"))
            return SQLITE_OK;
        if (!g->why[0])
            snprintf(g->why, sizeof g->why,
                     "it reads table '%s'; a condition may use the columns "
                     "of the dataset's items only",
                     a ? a : "?");
        return SQLITE_DENY;
    default:
        break;
    }
    if (!g->why[0])
        snprintf(g->why, sizeof g->why,
                 "%s is not allowed; a condition may only read the dataset",
                 action == SQLITE_FUNCTION ? "load_extension"
                                           : action_name(action));
    return SQLITE_DENY;
}

/* True when only blanks, semicolons and comments are left. */
static bool blank_sql(const char *s)
{
    while (*s) {
        if (isspace((unsigned char)*s) || *s == ';') {
            s++;
        } else if (s[0] == '-' && s[1] == '-') {
            while (*s && *s != '\n')
                s++;
        } else if (s[0] == '/' && s[1] == '*') {
            const char *end = strstr(s + 2, "*/");
            if (!end)
                return true; /* an unterminated comment runs to the end */
            s = end + 2;
        } else {
            return false;
        }
    }
    return true;
}

/* The CTE "WITH items AS (SELECT ... FROM dataset_items WHERE dataset_id
 * = <id>)" with one column per attribute key. */
static char *items_cte(const dl4c_ds_info *info)
{
    size_t cap = 1024, used = 0;
    char *sql = dl4c_malloc(cap);
    if (!sql)
        return NULL;
    used = (size_t)snprintf(sql, cap,
                            "WITH items AS (SELECT id, path, file, label, "
                            "split, width, height, channels, bytes, sha256, "
                            "ingested, attrs");
    const json_t *keys = json_object_get(info->options, "attributes");
    size_t i;
    const json_t *k;
    json_array_foreach(keys, i, k)
    {
        const char *key = json_string_value(k);
        if (!key || !dl4c_ds_attr_key_valid(key))
            continue; /* never quoted into SQL unless it is an identifier */
        size_t need = used + 2 * strlen(key) + 64;
        if (need > cap) {
            cap = need * 2;
            char *p = dl4c_realloc(sql, cap);
            if (!p) {
                dl4c_free(sql);
                return NULL;
            }
            sql = p;
        }
        used += (size_t)snprintf(sql + used, cap - used,
                                 ", json_extract(attrs, '$.%s') AS \"%s\"", key,
                                 key);
    }
    char *full = dl4c_asprintf("%s FROM dataset_items WHERE dataset_id = "
                               "%lld)",
                               sql, (long long)info->id);
    dl4c_free(sql);
    return full;
}

static dl4c_status prepare_guarded(sqlite3 *db, guard *g, const char *sql,
                                   const char *where, bool check_tail,
                                   sqlite3_stmt **out)
{
    const char *tail = NULL;
    g->why[0] = '\0';
    int rc = sqlite3_prepare_v2(db, sql, -1, out, &tail);
    if (rc != SQLITE_OK) {
        dl4c_status st;
        if (g->why[0])
            st = dl4c_error_set(DL4C_INVALID_ARG, "query refused: %s", g->why);
        else
            st = dl4c_error_set(DL4C_INVALID_ARG, "bad condition '%s': %s",
                                where, sqlite3_errmsg(db));
        sqlite3_finalize(*out);
        *out = NULL;
        return st;
    }
    if (check_tail && tail && !blank_sql(tail)) {
        sqlite3_finalize(*out);
        *out = NULL;
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "query refused: a second statement follows the "
                              "condition ('%.60s'); --where takes one SQL "
                              "condition",
                              tail);
    }
    return DL4C_OK;
}

dl4c_status dl4c_ds_prepare(dl4c_store *s, const dl4c_ds_info *info,
                            const char *select, const char *where,
                            const char *extra, const char *tail,
                            dl4c_ds_stmt *out)
{
    dl4c_status status = DL4C_OK;
    char *path = NULL, *cte = NULL, *check = NULL, *sql = NULL;
    sqlite3_stmt *probe = NULL;
    guard g = {""};
    memset(out, 0, sizeof *out);
    bool all = !where || blank_sql(where);
    path = dl4c_store_path(s, "dl4c.db");
    cte = items_cte(info);
    if (!path || !cte)
        DL4C_NOMEM_FAIL();
    if (sqlite3_open_v2(path, &out->db,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        DL4C_FAIL(DL4C_IO, "%s: %s", path,
                  out->db ? sqlite3_errmsg(out->db) : "cannot open");
    sqlite3_busy_timeout(out->db, BUSY_TIMEOUT_MS);
    sqlite3_set_authorizer(out->db, authorize, &g);
    if (!all) {
        /* the condition alone: one expression, nothing after it */
        check = dl4c_asprintf("%s SELECT 1 FROM items WHERE %s", cte, where);
        if (!check)
            DL4C_NOMEM_FAIL();
        DL4C_TRY(prepare_guarded(out->db, &g, check, where, true, &probe));
    }
    sql = dl4c_asprintf("%s SELECT %s FROM items WHERE (%s)%s%s %s", cte,
                        select, all ? "1" : where, extra ? " AND " : "",
                        extra ? extra : "", tail ? tail : "");
    if (!sql)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(
        prepare_guarded(out->db, &g, sql, all ? "" : where, false, &out->stmt));
    /* what runs now was authorized while compiling; keep the guard on */
fail:
    sqlite3_finalize(probe);
    dl4c_free(path);
    dl4c_free(cte);
    dl4c_free(check);
    dl4c_free(sql);
    if (status != DL4C_OK)
        dl4c_ds_stmt_close(out);
    return status;
}

void dl4c_ds_stmt_close(dl4c_ds_stmt *st)
{
    sqlite3_finalize(st->stmt);
    if (st->db) {
        sqlite3_set_authorizer(st->db, NULL, NULL);
        sqlite3_close(st->db);
    }
    st->stmt = NULL;
    st->db = NULL;
}

/* ---- query results --------------------------------------------------------
 */

struct dl4c_dataset_query {
    dl4c_dataset_item *items;
    int64_t n, cap;
};

static char *col_text(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? dl4c_strdup((const char *)t) : NULL;
}

static int64_t col_int(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL
               ? -1
               : sqlite3_column_int64(q, i);
}

static void item_free(dl4c_dataset_item *it)
{
    dl4c_free((char *)it->path);
    dl4c_free((char *)it->file);
    dl4c_free((char *)it->label);
    dl4c_free((char *)it->split);
    dl4c_free((char *)it->sha256);
    dl4c_free((char *)it->ingested);
    dl4c_free((char *)it->attrs);
}

void dl4c_dataset_query_free(dl4c_dataset_query *q)
{
    if (!q)
        return;
    for (int64_t i = 0; i < q->n; i++)
        item_free(&q->items[i]);
    dl4c_free(q->items);
    dl4c_free(q);
}

int64_t dl4c_dataset_query_count(const dl4c_dataset_query *q)
{
    return q ? q->n : 0;
}

const dl4c_dataset_item *dl4c_dataset_query_item(const dl4c_dataset_query *q,
                                                 int64_t i)
{
    return q && i >= 0 && i < q->n ? &q->items[i] : NULL;
}

dl4c_status dl4c_dataset_store_query(dl4c_store *s, const char *name,
                                     const char *where,
                                     dl4c_dataset_query **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_ds_info info = {0};
    dl4c_ds_stmt st = {0};
    dl4c_dataset_query *q = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "query: out is NULL");
    *out = NULL;
    DL4C_CHECK(s, DL4C_INVALID_ARG, "query: NULL store");
    DL4C_TRY(dl4c_ds_lookup(s, name, true, &info));
    DL4C_TRY(dl4c_ds_prepare(s, &info,
                             "id, path, file, label, split, width, height, "
                             "channels, bytes, sha256, ingested, attrs",
                             where, NULL, "ORDER BY id", &st));
    q = dl4c_calloc(1, sizeof *q);
    if (!q)
        DL4C_NOMEM_FAIL();
    int rc;
    while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW) {
        if (q->n == q->cap) {
            int64_t cap = q->cap ? q->cap * 2 : 256;
            dl4c_dataset_item *p =
                dl4c_realloc(q->items, (size_t)cap * sizeof *p);
            if (!p)
                DL4C_NOMEM_FAIL();
            q->items = p;
            q->cap = cap;
        }
        dl4c_dataset_item *it = &q->items[q->n++];
        memset(it, 0, sizeof *it);
        it->id = sqlite3_column_int64(st.stmt, 0);
        it->path = col_text(st.stmt, 1);
        it->file = col_text(st.stmt, 2);
        it->label = col_text(st.stmt, 3);
        it->split = col_text(st.stmt, 4);
        it->width = col_int(st.stmt, 5);
        it->height = col_int(st.stmt, 6);
        it->channels = col_int(st.stmt, 7);
        it->bytes = col_int(st.stmt, 8);
        it->sha256 = col_text(st.stmt, 9);
        it->ingested = col_text(st.stmt, 10);
        it->attrs = col_text(st.stmt, 11);
        if (!it->path || !it->sha256 || !it->ingested || !it->attrs)
            DL4C_NOMEM_FAIL();
    }
    DL4C_CHECK(rc == SQLITE_DONE, DL4C_INVALID_ARG, "query '%s': %s",
               where ? where : "", sqlite3_errmsg(st.db));
    *out = q;
    q = NULL;
fail:
    dl4c_dataset_query_free(q);
    dl4c_ds_stmt_close(&st);
    dl4c_ds_info_deinit(&info);
    return status;
}

dl4c_status dl4c_dataset_store_columns(dl4c_store *s, const char *name,
                                       char **json)
{
    dl4c_status status = DL4C_OK;
    dl4c_ds_info info = {0};
    json_t *list = NULL;
    DL4C_CHECK(json, DL4C_INVALID_ARG, "columns: out is NULL");
    *json = NULL;
    DL4C_TRY(dl4c_ds_lookup(s, name, true, &info));
    list = json_array();
    if (!list)
        DL4C_NOMEM_FAIL();
    for (int i = 0; dl4c_ds_builtin_columns[i]; i++)
        if (strcmp(dl4c_ds_builtin_columns[i], "dataset_id"))
            json_array_append_new(list,
                                  json_string(dl4c_ds_builtin_columns[i]));
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(info.options, "attributes"), i, k)
        json_array_append(list, k);
    *json = dl4c_json_dump(list);
    if (!*json)
        DL4C_NOMEM_FAIL();
fail:
    json_decref(list);
    dl4c_ds_info_deinit(&info);
    return status;
}
