/* The store: the home directory and its SQLite database, opened in WAL
 * mode with a busy timeout so several processes can read and write at
 * once, and the per-component schema versions (see store_internal.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "store/store_internal.h"

#define BUSY_TIMEOUT_MS 30000

struct dl4c_store {
    char *home;
    sqlite3 *db;
};

sqlite3 *dl4c_store_db(const dl4c_store *s) { return s->db; }
const char *dl4c_store_home(const dl4c_store *s) { return s->home; }

dl4c_status dl4c_store_error(sqlite3 *db, const char *what)
{
    return dl4c_error_set(DL4C_IO, "%s: %s", what, sqlite3_errmsg(db));
}

dl4c_status dl4c_store_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        dl4c_status st = dl4c_error_set(DL4C_IO, "database: %s",
                                        msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return st;
    }
    return DL4C_OK;
}

char *dl4c_store_path(const dl4c_store *s, const char *rel)
{
    return dl4c_asprintf("%s/%s", s->home, rel);
}

/* mkdir -p */
static dl4c_status make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return dl4c_error_set(DL4C_INVALID_ARG, "bad home path '%s'", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return dl4c_error_set(DL4C_IO, "%s: cannot create: %s", buf,
                                  strerror(errno));
        buf[i] = c;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return dl4c_error_set(DL4C_IO, "%s: not a directory", path);
    return DL4C_OK;
}

dl4c_status dl4c_store_open(const char *home, dl4c_store **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_store *s = NULL;
    char *path = NULL;
    *out = NULL;
    if (!home)
        home = getenv("DL4C_HOME");
    if (!home || !*home)
        home = "./dl4c-home";
    DL4C_TRY(make_dirs(home));
    s = dl4c_calloc(1, sizeof *s);
    if (!s || !(s->home = dl4c_strdup(home)))
        DL4C_NOMEM_FAIL();
    path = dl4c_store_path(s, "dl4c.db");
    if (!path)
        DL4C_NOMEM_FAIL();
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        status = dl4c_error_set(DL4C_IO, "%s: %s", path,
                                s->db ? sqlite3_errmsg(s->db)
                                      : "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    /* journal_mode=WAL needs a moment without other writers: retried by
     * the busy timeout; a file that is not SQLite fails here */
    status = dl4c_store_exec(s->db, "PRAGMA journal_mode=WAL;"
                                    "PRAGMA synchronous=NORMAL;"
                                    "PRAGMA foreign_keys=ON;");
    if (status != DL4C_OK) {
        status = dl4c_error_prefix(DL4C_FORMAT, "%s", path);
        goto fail;
    }
    DL4C_TRY(dl4c_store_exec(s->db, "CREATE TABLE IF NOT EXISTS dl4c_schema ("
                                    " component TEXT PRIMARY KEY,"
                                    " version INTEGER NOT NULL)"));
    dl4c_free(path);
    *out = s;
    return DL4C_OK;
fail:
    dl4c_free(path);
    dl4c_store_close(s);
    return status;
}

void dl4c_store_close(dl4c_store *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    dl4c_free(s->home);
    dl4c_free(s);
}

dl4c_status dl4c_store_begin(dl4c_store *s)
{
    return dl4c_store_exec(s->db, "BEGIN IMMEDIATE");
}

dl4c_status dl4c_store_commit(dl4c_store *s)
{
    return dl4c_store_exec(s->db, "COMMIT");
}

void dl4c_store_rollback(dl4c_store *s)
{
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

dl4c_status dl4c_store_schema(dl4c_store *s, const char *name, int version,
                              dl4c_store_migrate_fn migrate, void *ctx)
{
    dl4c_status status = DL4C_OK;
    sqlite3_stmt *q = NULL;
    int have = 0;
    DL4C_TRY(dl4c_store_begin(s));
    if (sqlite3_prepare_v2(s->db,
                           "SELECT version FROM dl4c_schema WHERE component=?",
                           -1, &q, NULL) != SQLITE_OK)
        goto db_fail;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
        have = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    q = NULL;
    DL4C_CHECK(have <= version, DL4C_FORMAT,
               "the %s tables were written by a newer dl4c (schema %d, this "
               "dl4c knows %d)",
               name, have, version);
    if (have < version) {
        DL4C_TRY(migrate(s->db, have, ctx));
        if (sqlite3_prepare_v2(s->db,
                               "INSERT OR REPLACE INTO dl4c_schema "
                               "(component, version) VALUES (?, ?)",
                               -1, &q, NULL) != SQLITE_OK)
            goto db_fail;
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 2, version);
        if (sqlite3_step(q) != SQLITE_DONE)
            goto db_fail;
        sqlite3_finalize(q);
        q = NULL;
    }
    DL4C_TRY(dl4c_store_commit(s));
    return DL4C_OK;
db_fail:
    status = dl4c_store_error(s->db, "schema");
fail:
    sqlite3_finalize(q);
    dl4c_store_rollback(s);
    return status;
}
