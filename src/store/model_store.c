/* The model store: versions, content-addressed files, labels, removal.
 * A new version's file is first staged under a unique name in
 * <home>/models/; inside the immediate transaction that takes the version
 * number it is renamed to <sha256>.<ext>, and removal deletes an unused
 * file inside its own transaction, so a concurrent add and remove of the
 * same content never leave a row without its file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/sha256_internal.h"
#include "dl4c/model.h"
#include "io/io_internal.h"
#include "store/model_store_internal.h"

#define SCHEMA_VERSION 1
#define NAME_MAX_LEN 128

static dl4c_status migrate(sqlite3 *db, int from, void *ctx)
{
    (void)ctx;
    if (from < 1)
        DL4C_RETURN_IF(dl4c_store_exec(
            db, "CREATE TABLE model_names ("
                " name TEXT PRIMARY KEY,"
                " next_version INTEGER NOT NULL);"
                "CREATE TABLE models ("
                " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                " name TEXT NOT NULL,"
                " version INTEGER NOT NULL,"
                " sha256 TEXT NOT NULL,"
                " file TEXT NOT NULL,"
                " created INTEGER NOT NULL,"
                " config TEXT, hyperparams TEXT, dataset TEXT, query TEXT,"
                " metrics TEXT,"
                " parent_name TEXT, parent_version INTEGER, parent_sha256 TEXT,"
                " wall_time REAL,"
                " dl4c_version TEXT NOT NULL,"
                " UNIQUE (name, version));"
                "CREATE INDEX models_sha256 ON models (sha256);"
                "CREATE TABLE model_labels ("
                " name TEXT NOT NULL,"
                " label TEXT NOT NULL,"
                " version INTEGER NOT NULL,"
                " PRIMARY KEY (name, label));"
                "CREATE TABLE model_predictions ("
                " id INTEGER PRIMARY KEY,"
                " name TEXT NOT NULL,"
                " version INTEGER NOT NULL,"
                " time INTEGER NOT NULL,"
                " width INTEGER NOT NULL,"
                " input BLOB NOT NULL,"
                " output BLOB);"
                "CREATE INDEX model_predictions_model"
                " ON model_predictions (name, version);"));
    return DL4C_OK;
}

dl4c_status dl4c_model_store_ready(dl4c_store *s)
{
    if (!s)
        return dl4c_error_set(DL4C_INVALID_ARG, "model store: NULL store");
    return dl4c_store_schema(s, "models", SCHEMA_VERSION, migrate, NULL);
}

bool dl4c_model_name_valid(const char *name, bool label)
{
    if (!name || !name[0] || strlen(name) > NAME_MAX_LEN)
        return false;
    char c = name[0];
    bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (label ? !letter : !(letter || (c >= '0' && c <= '9')))
        return false;
    for (const char *p = name; *p; p++) {
        c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

/* ---- references ---------------------------------------------------------- */

typedef struct ref {
    char name[NAME_MAX_LEN + 1];
    int64_t version; /* 0: latest or by label */
    char label[NAME_MAX_LEN + 1];
} ref;

static bool parse_ref(const char *text, ref *r)
{
    memset(r, 0, sizeof *r);
    if (!text)
        return false;
    size_t n = strcspn(text, ":@");
    if (n == 0 || n > NAME_MAX_LEN)
        return false;
    memcpy(r->name, text, n);
    if (!dl4c_model_name_valid(r->name, false))
        return false;
    if (text[n] == '\0')
        return true;
    const char *rest = text + n + 1;
    if (text[n] == '@') {
        if (strlen(rest) > NAME_MAX_LEN)
            return false;
        strcpy(r->label, rest);
        return dl4c_model_name_valid(r->label, true);
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(rest, &end, 10);
    if (!rest[0] || *end || errno || v < 1 || rest[0] == '+' || rest[0] == '-')
        return false;
    r->version = v;
    return true;
}

bool dl4c_model_ref_valid(const char *text)
{
    ref r;
    return parse_ref(text, &r);
}

/* ---- entries ------------------------------------------------------------- */

void dl4c_model_entry_deinit(dl4c_model_entry *e)
{
    if (!e)
        return;
    char **strings[] = {&e->name,          &e->sha256,      &e->path,
                        &e->config,        &e->hyperparams, &e->dataset,
                        &e->query,         &e->metrics,     &e->parent_name,
                        &e->parent_sha256, &e->dl4c_version};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        dl4c_free(*strings[i]);
    for (int i = 0; i < e->n_labels; i++)
        dl4c_free(e->labels[i]);
    dl4c_free(e->labels);
    memset(e, 0, sizeof *e);
}

void dl4c_model_entries_free(dl4c_model_entry *entries, int n)
{
    for (int i = 0; entries && i < n; i++)
        dl4c_model_entry_deinit(&entries[i]);
    dl4c_free(entries);
}

#define ENTRY_COLUMNS                                                          \
    "m.name, m.version, m.sha256, m.file, m.created, m.config,"                \
    " m.hyperparams, m.dataset, m.query, m.metrics, m.parent_name,"            \
    " m.parent_version, m.parent_sha256, m.wall_time, m.dl4c_version,"         \
    " (SELECT group_concat(label, ',') FROM (SELECT label FROM model_labels"   \
    "  l WHERE l.name = m.name AND l.version = m.version ORDER BY label))"

static bool column_dup(sqlite3_stmt *q, int col, char **out)
{
    const unsigned char *t = sqlite3_column_text(q, col);
    *out = NULL;
    if (!t)
        return true;
    *out = dl4c_strdup((const char *)t);
    return *out != NULL;
}

static dl4c_status split_labels(const char *list, dl4c_model_entry *e)
{
    if (!list || !list[0])
        return DL4C_OK;
    int n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    e->labels = dl4c_calloc((size_t)n, sizeof *e->labels);
    if (!e->labels)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    const char *p = list;
    for (int i = 0; i < n; i++) {
        size_t len = strcspn(p, ",");
        e->labels[i] = dl4c_strndup(p, len);
        if (!e->labels[i])
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        e->n_labels++;
        p += len + (p[len] == ',');
    }
    return DL4C_OK;
}

/* Reads the row under q (selected with ENTRY_COLUMNS) into *e. */
static dl4c_status read_entry(dl4c_store *s, sqlite3_stmt *q,
                              dl4c_model_entry *e)
{
    dl4c_status status = DL4C_OK;
    char *file = NULL;
    memset(e, 0, sizeof *e);
    e->version = sqlite3_column_int64(q, 1);
    e->created = sqlite3_column_int64(q, 4);
    e->parent_version = sqlite3_column_int64(q, 11);
    e->wall_time = sqlite3_column_double(q, 13);
    if (!column_dup(q, 0, &e->name) || !column_dup(q, 2, &e->sha256) ||
        !column_dup(q, 3, &file) || !column_dup(q, 5, &e->config) ||
        !column_dup(q, 6, &e->hyperparams) || !column_dup(q, 7, &e->dataset) ||
        !column_dup(q, 8, &e->query) || !column_dup(q, 9, &e->metrics) ||
        !column_dup(q, 10, &e->parent_name) ||
        !column_dup(q, 12, &e->parent_sha256) ||
        !column_dup(q, 14, &e->dl4c_version))
        DL4C_NOMEM_FAIL();
    e->path = dl4c_store_path(s, file ? file : "");
    if (!e->path)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(split_labels((const char *)sqlite3_column_text(q, 15), e));
    dl4c_free(file);
    return DL4C_OK;
fail:
    dl4c_free(file);
    dl4c_model_entry_deinit(e);
    return status;
}

/* "1, 2, 5" (at most the first 20) for messages; "none" when empty. */
static void version_list(sqlite3 *db, const char *name, char *buf, size_t cap)
{
    sqlite3_stmt *q = NULL;
    size_t used = 0;
    int n = 0;
    buf[0] = '\0';
    if (sqlite3_prepare_v2(db,
                           "SELECT version FROM models WHERE name = ? "
                           "ORDER BY version",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        while (sqlite3_step(q) == SQLITE_ROW && used + 32 < cap) {
            if (n++ == 20) {
                snprintf(buf + used, cap - used, ", ...");
                break;
            }
            used += (size_t)snprintf(buf + used, cap - used, "%s%lld",
                                     n > 1 ? ", " : "",
                                     (long long)sqlite3_column_int64(q, 0));
        }
    }
    sqlite3_finalize(q);
    if (!buf[0])
        snprintf(buf, cap, "none");
}

static dl4c_status get_entry(dl4c_store *s, const char *name, int64_t version,
                             dl4c_model_entry *out)
{
    sqlite3 *db = dl4c_store_db(s);
    sqlite3_stmt *q = NULL;
    const char *sql =
        version > 0 ? "SELECT " ENTRY_COLUMNS
                      " FROM models m WHERE m.name = ? AND m.version = ?"
                    : "SELECT " ENTRY_COLUMNS " FROM models m WHERE m.name = ?"
                      " ORDER BY m.version DESC LIMIT 1";
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return dl4c_store_error(db, "model store");
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (version > 0)
        sqlite3_bind_int64(q, 2, version);
    int rc = sqlite3_step(q);
    dl4c_status st;
    if (rc == SQLITE_ROW) {
        st = read_entry(s, q, out);
    } else if (rc == SQLITE_DONE) {
        char versions[512];
        version_list(db, name, versions, sizeof versions);
        if (!strcmp(versions, "none"))
            st = dl4c_error_set(DL4C_INVALID_ARG,
                                "no model '%s' in the store at %s", name,
                                dl4c_store_home(s));
        else
            st = dl4c_error_set(DL4C_INVALID_ARG,
                                "model '%s' has no version %lld (versions: "
                                "%s)",
                                name, (long long)version, versions);
    } else {
        st = dl4c_store_error(db, "model store");
    }
    sqlite3_finalize(q);
    return st;
}

dl4c_status dl4c_model_store_get(dl4c_store *s, const char *name,
                                 int64_t version, dl4c_model_entry *out)
{
    if (!out)
        return dl4c_error_set(DL4C_INVALID_ARG, "model store: NULL output");
    memset(out, 0, sizeof *out);
    if (!dl4c_model_name_valid(name, false))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "'%s' is not a model name (letters, digits, "
                              "'_', '.', '-')",
                              name ? name : "(null)");
    DL4C_RETURN_IF(dl4c_model_store_ready(s));
    return get_entry(s, name, version, out);
}

/* The version a label points at; DL4C_INVALID_ARG naming the known labels
 * when it points nowhere. */
static dl4c_status label_version(dl4c_store *s, const char *name,
                                 const char *label, int64_t *version)
{
    sqlite3 *db = dl4c_store_db(s);
    sqlite3_stmt *q = NULL;
    char known[512] = "";
    size_t used = 0;
    *version = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT label, version FROM model_labels WHERE "
                           "name = ? ORDER BY label",
                           -1, &q, NULL) != SQLITE_OK)
        return dl4c_store_error(db, "model store");
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *l = (const char *)sqlite3_column_text(q, 0);
        if (!strcmp(l, label))
            *version = sqlite3_column_int64(q, 1);
        if (used + 140 < sizeof known)
            used += (size_t)snprintf(known + used, sizeof known - used, "%s%s",
                                     used ? ", " : "", l);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return dl4c_store_error(db, "model store");
    if (!*version)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "model '%s' has no label '%s' (labels: %s)", name,
                              label, used ? known : "none");
    return DL4C_OK;
}

dl4c_status dl4c_model_store_resolve(dl4c_store *s, const char *text,
                                     dl4c_model_entry *out)
{
    ref r;
    if (!out)
        return dl4c_error_set(DL4C_INVALID_ARG, "model store: NULL output");
    memset(out, 0, sizeof *out);
    if (!parse_ref(text, &r))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "'%s' is not a model reference (NAME, "
                              "NAME:VERSION or NAME@LABEL)",
                              text ? text : "(null)");
    DL4C_RETURN_IF(dl4c_model_store_ready(s));
    if (r.label[0])
        DL4C_RETURN_IF(label_version(s, r.name, r.label, &r.version));
    return get_entry(s, r.name, r.version, out);
}

dl4c_status dl4c_model_store_find_sha256(dl4c_store *s, const char *sha256,
                                         dl4c_model_entry *out, bool *found)
{
    dl4c_status status = DL4C_OK;
    sqlite3_stmt *q = NULL;
    memset(out, 0, sizeof *out);
    *found = false;
    DL4C_CHECK(dl4c_sha256_hex_valid(sha256), DL4C_INVALID_ARG,
               "'%s' is not a SHA-256 digest", sha256 ? sha256 : "(null)");
    DL4C_TRY(dl4c_model_store_ready(s));
    sqlite3 *db = dl4c_store_db(s);
    if (sqlite3_prepare_v2(db,
                           "SELECT " ENTRY_COLUMNS " FROM models m WHERE "
                           "m.sha256 = lower(?) ORDER BY m.id DESC LIMIT 1",
                           -1, &q, NULL) != SQLITE_OK) {
        status = dl4c_store_error(db, "model store");
        goto fail;
    }
    sqlite3_bind_text(q, 1, sha256, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        DL4C_TRY(read_entry(s, q, out));
        *found = true;
    } else if (rc != SQLITE_DONE) {
        status = dl4c_store_error(db, "model store");
    }
fail:
    sqlite3_finalize(q);
    return status;
}

dl4c_status dl4c_model_store_list(dl4c_store *s, const char *name,
                                  dl4c_model_entry **entries, int *n)
{
    dl4c_status status = DL4C_OK;
    sqlite3_stmt *q = NULL;
    dl4c_model_entry *list = NULL;
    int count = 0, cap = 0;
    *entries = NULL;
    *n = 0;
    DL4C_TRY(dl4c_model_store_ready(s));
    sqlite3 *db = dl4c_store_db(s);
    if (sqlite3_prepare_v2(db,
                           name ? "SELECT " ENTRY_COLUMNS " FROM models m "
                                  "WHERE m.name = ? ORDER BY m.version"
                                : "SELECT " ENTRY_COLUMNS " FROM models m "
                                  "ORDER BY m.name, m.version",
                           -1, &q, NULL) != SQLITE_OK) {
        status = dl4c_store_error(db, "model store");
        goto fail;
    }
    if (name)
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (count == cap) {
            int grown = cap ? 2 * cap : 16;
            dl4c_model_entry *more =
                dl4c_realloc(list, sizeof *list * (size_t)grown);
            if (!more)
                DL4C_NOMEM_FAIL();
            list = more;
            cap = grown;
        }
        DL4C_TRY(read_entry(s, q, &list[count]));
        count++;
    }
    if (rc != SQLITE_DONE) {
        status = dl4c_store_error(db, "model store");
        goto fail;
    }
    sqlite3_finalize(q);
    if (count == 0) {
        dl4c_free(list);
        list = NULL;
    }
    *entries = list;
    *n = count;
    return DL4C_OK;
fail:
    sqlite3_finalize(q);
    dl4c_model_entries_free(list, count);
    return status;
}

/* ---- adding versions ----------------------------------------------------- */

static dl4c_status copy_stream(FILE *out, void *ctx)
{
    FILE *in = ctx;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            return dl4c_error_set(DL4C_IO, "write failed: %s", strerror(errno));
    if (ferror(in))
        return dl4c_error_set(DL4C_IO, "read failed: %s", strerror(errno));
    return DL4C_OK;
}

/* The extension of path's file name ("dl4c" when it has none or an odd
 * one), lower-case, in ext[16]. */
static void file_ext(const char *path, char ext[16])
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? strlen(dot + 1) : 0;
    bool ok = n > 0 && n < 16;
    for (size_t i = 0; ok && i < n; i++) {
        char c = dot[1 + i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9');
    }
    if (!ok) {
        strcpy(ext, "dl4c");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char c = dot[1 + i];
        ext[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    ext[n] = '\0';
}

/* A unique staging path in <home>/models/ (dl4c_free). */
static char *staging_path(dl4c_store *s, const char *ext)
{
    struct timespec ts;
    int local = 0;
    clock_gettime(CLOCK_REALTIME, &ts);
    char rel[128];
    snprintf(rel, sizeof rel, "models/.stage-%ld-%lx-%lx.%s", (long)getpid(),
             (unsigned long)ts.tv_nsec ^ (unsigned long)ts.tv_sec,
             (unsigned long)(uintptr_t)&local, ext);
    return dl4c_store_path(s, rel);
}

static dl4c_status models_dir(dl4c_store *s)
{
    char *dir = dl4c_store_path(s, "models");
    if (!dir)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    int rc = mkdir(dir, 0777);
    dl4c_status st = DL4C_OK;
    if (rc != 0 && errno != EEXIST)
        st = dl4c_error_set(DL4C_IO, "%s: cannot create: %s", dir,
                            strerror(errno));
    dl4c_free(dir);
    return st;
}

static dl4c_status bind_text(sqlite3_stmt *q, int i, const char *v)
{
    int rc = v ? sqlite3_bind_text(q, i, v, -1, SQLITE_TRANSIENT)
               : sqlite3_bind_null(q, i);
    return rc == SQLITE_OK ? DL4C_OK
                           : dl4c_error_set(DL4C_NOMEM, "out of memory");
}

/* Inside the transaction: the next version number of `name`. */
static dl4c_status take_version(sqlite3 *db, const char *name, int64_t *version)
{
    sqlite3_stmt *q = NULL;
    dl4c_status st = DL4C_OK;
    const char *steps[] = {
        "INSERT OR IGNORE INTO model_names (name, next_version) VALUES (?, 1)",
        "SELECT next_version FROM model_names WHERE name = ?",
        "UPDATE model_names SET next_version = next_version + 1 WHERE name=?"};
    for (int i = 0; i < 3 && st == DL4C_OK; i++) {
        if (sqlite3_prepare_v2(db, steps[i], -1, &q, NULL) != SQLITE_OK)
            return dl4c_store_error(db, "model store");
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        if (i == 1 && rc == SQLITE_ROW)
            *version = sqlite3_column_int64(q, 0);
        else if (rc != SQLITE_DONE)
            st = dl4c_store_error(db, "model store: taking a version");
        sqlite3_finalize(q);
        q = NULL;
    }
    return st;
}

typedef struct staged {
    char *path; /* the staging file, removed unless moved */
    char sha256[65];
    char ext[16];
} staged;

/* Registers the staged file: moves it to its content address and writes
 * the row, in one immediate transaction. */
static dl4c_status commit_staged(dl4c_store *s, staged *f,
                                 const dl4c_model_record *rec,
                                 const char *config, int64_t *version)
{
    dl4c_status status = DL4C_OK;
    sqlite3 *db = dl4c_store_db(s);
    sqlite3_stmt *q = NULL;
    dl4c_model_entry parent = {0};
    char rel[128];
    char *final = NULL;
    bool in_txn = false;
    snprintf(rel, sizeof rel, "models/%s.%s", f->sha256, f->ext);
    final = dl4c_store_path(s, rel);
    if (!final)
        DL4C_NOMEM_FAIL();
    if (rec->parent) {
        status = dl4c_model_store_resolve(s, rec->parent, &parent);
        if (status != DL4C_OK) {
            status = dl4c_error_prefix(status, "parent model");
            goto fail;
        }
    }
    DL4C_TRY(dl4c_store_begin(s));
    in_txn = true;
    if (rename(f->path, final) != 0)
        DL4C_FAIL(DL4C_IO, "%s: cannot move into the store: %s", final,
                  strerror(errno));
    dl4c_free(f->path);
    f->path = NULL;
    DL4C_TRY(take_version(db, rec->name, version));
    if (sqlite3_prepare_v2(
            db,
            "INSERT INTO models (name, version, sha256, file, created, config,"
            " hyperparams, dataset, query, metrics, parent_name,"
            " parent_version, parent_sha256, wall_time, dl4c_version)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            -1, &q, NULL) != SQLITE_OK) {
        status = dl4c_store_error(db, "model store");
        goto fail;
    }
    sqlite3_bind_int64(q, 2, *version);
    sqlite3_bind_int64(q, 5, (int64_t)time(NULL));
    if (parent.name)
        sqlite3_bind_int64(q, 12, parent.version);
    else
        sqlite3_bind_null(q, 12);
    if (rec->wall_time > 0)
        sqlite3_bind_double(q, 14, rec->wall_time);
    else
        sqlite3_bind_null(q, 14);
    DL4C_TRY(bind_text(q, 1, rec->name));
    DL4C_TRY(bind_text(q, 3, f->sha256));
    DL4C_TRY(bind_text(q, 4, rel));
    DL4C_TRY(bind_text(q, 6, config));
    DL4C_TRY(bind_text(q, 7, rec->hyperparams));
    DL4C_TRY(bind_text(q, 8, rec->dataset));
    DL4C_TRY(bind_text(q, 9, rec->query));
    DL4C_TRY(bind_text(q, 10, rec->metrics));
    DL4C_TRY(bind_text(q, 11, parent.name));
    DL4C_TRY(bind_text(q, 13, parent.sha256));
    DL4C_TRY(bind_text(q, 15, dl4c_version()));
    if (sqlite3_step(q) != SQLITE_DONE) {
        status = dl4c_store_error(db, "model store: adding a version");
        goto fail;
    }
    sqlite3_finalize(q);
    q = NULL;
    DL4C_TRY(dl4c_store_commit(s));
    dl4c_free(final);
    dl4c_model_entry_deinit(&parent);
    return DL4C_OK;
fail:
    sqlite3_finalize(q);
    if (in_txn)
        dl4c_store_rollback(s);
    /* the content file stays: another version may use it, and an unused
     * one is harmless (the next add of that content reuses it) */
    dl4c_free(final);
    dl4c_model_entry_deinit(&parent);
    *version = 0;
    return status;
}

static dl4c_status check_record(const dl4c_model_record *rec, int64_t *version)
{
    if (!version)
        return dl4c_error_set(DL4C_INVALID_ARG, "model store: NULL version");
    *version = 0;
    if (!rec || !dl4c_model_name_valid(rec->name, false))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "'%s' is not a model name: 1 to 128 letters, "
                              "digits, '_', '.' or '-', starting with a "
                              "letter or digit",
                              rec && rec->name ? rec->name : "(null)");
    if (rec->parent && !dl4c_model_ref_valid(rec->parent))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "parent '%s' is not a model reference",
                              rec->parent);
    return DL4C_OK;
}

dl4c_status dl4c_model_store_add(dl4c_store *s, const char *path,
                                 const dl4c_model_record *rec, int64_t *version)
{
    dl4c_status status = DL4C_OK;
    staged f = {0};
    FILE *in = NULL;
    DL4C_TRY(check_record(rec, version));
    DL4C_CHECK(path, DL4C_INVALID_ARG, "model store: NULL path");
    DL4C_TRY(dl4c_model_store_ready(s));
    DL4C_TRY(models_dir(s));
    in = fopen(path, "rb");
    DL4C_CHECK(in, DL4C_IO, "%s: cannot open: %s", path, strerror(errno));
    file_ext(path, f.ext);
    f.path = staging_path(s, f.ext);
    if (!f.path)
        DL4C_NOMEM_FAIL();
    status = dl4c_atomic_write(f.path, copy_stream, in);
    if (status != DL4C_OK) {
        status = dl4c_error_prefix(status, "%s", path);
        goto fail;
    }
    DL4C_TRY(dl4c_sha256_file(f.path, f.sha256));
    DL4C_TRY(commit_staged(s, &f, rec, rec->config, version));
fail:
    if (in)
        fclose(in);
    if (f.path)
        unlink(f.path);
    dl4c_free(f.path);
    return status;
}

dl4c_status dl4c_model_store_put(dl4c_store *s, const dl4c_net *net,
                                 const dl4c_model_record *rec, int64_t *version)
{
    dl4c_status status = DL4C_OK;
    staged f = {.ext = "dl4c"};
    char *config = NULL;
    DL4C_TRY(check_record(rec, version));
    DL4C_CHECK(net, DL4C_INVALID_ARG, "model store: NULL net");
    DL4C_TRY(dl4c_model_store_ready(s));
    DL4C_TRY(models_dir(s));
    DL4C_TRY(dl4c_net_write_config(net, &config));
    f.path = staging_path(s, f.ext);
    if (!f.path)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(dl4c_model_save(net, f.path, DL4C_MODEL_UPDATER));
    DL4C_TRY(dl4c_sha256_file(f.path, f.sha256));
    DL4C_TRY(commit_staged(s, &f, rec, config, version));
fail:
    if (f.path)
        unlink(f.path);
    dl4c_free(f.path);
    dl4c_free(config);
    return status;
}

/* ---- labels and removal -------------------------------------------------- */

/* Runs one statement binding :name, :label and :version where the SQL
 * has them. */
static dl4c_status run_sql(sqlite3 *db, const char *sql, const char *name,
                           const char *label, int64_t version)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return dl4c_store_error(db, "model store");
    int i;
    if ((i = sqlite3_bind_parameter_index(q, ":name")) > 0)
        sqlite3_bind_text(q, i, name, -1, SQLITE_STATIC);
    if ((i = sqlite3_bind_parameter_index(q, ":label")) > 0)
        sqlite3_bind_text(q, i, label, -1, SQLITE_STATIC);
    if ((i = sqlite3_bind_parameter_index(q, ":version")) > 0)
        sqlite3_bind_int64(q, i, version);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return dl4c_store_error(db, "model store");
    return DL4C_OK;
}

dl4c_status dl4c_model_store_label(dl4c_store *s, const char *name,
                                   int64_t version, const char *label)
{
    dl4c_status status = DL4C_OK;
    dl4c_model_entry e = {0};
    DL4C_CHECK(dl4c_model_name_valid(label, true), DL4C_INVALID_ARG,
               "'%s' is not a label: 1 to 128 letters, digits, '_', '.' or "
               "'-', starting with a letter",
               label ? label : "(null)");
    DL4C_CHECK(version > 0, DL4C_INVALID_ARG,
               "a label needs a version number, not %lld", (long long)version);
    DL4C_TRY(dl4c_model_store_get(s, name, version, &e));
    DL4C_TRY(run_sql(dl4c_store_db(s),
                     "INSERT OR REPLACE INTO model_labels (name, label, "
                     "version) VALUES (:name, :label, :version)",
                     name, label, version));
fail:
    dl4c_model_entry_deinit(&e);
    return status;
}

dl4c_status dl4c_model_store_unlabel(dl4c_store *s, const char *name,
                                     const char *label)
{
    int64_t v = 0;
    DL4C_RETURN_IF(dl4c_model_store_ready(s));
    if (!dl4c_model_name_valid(name, false) ||
        !dl4c_model_name_valid(label, true))
        return dl4c_error_set(DL4C_INVALID_ARG, "bad model name or label");
    DL4C_RETURN_IF(label_version(s, name, label, &v));
    return run_sql(dl4c_store_db(s),
                   "DELETE FROM model_labels WHERE name = :name AND "
                   "label = :label",
                   name, label, 0);
}

/* Inside the transaction: the content files of `name` (version 0: of
 * every version) that no other version uses, to delete with the rows. */
static dl4c_status collect_files(dl4c_store *s, const char *name,
                                 int64_t version, char ***files, int *n)
{
    sqlite3 *db = dl4c_store_db(s);
    sqlite3_stmt *q = NULL;
    *files = NULL;
    *n = 0;
    const char *sql =
        version > 0
            ? "SELECT DISTINCT file FROM models m WHERE name = ?1 AND "
              "version = ?2 AND NOT EXISTS (SELECT 1 FROM models o WHERE "
              "o.sha256 = m.sha256 AND NOT (o.name = ?1 AND o.version = ?2))"
            : "SELECT DISTINCT file FROM models m WHERE name = ?1 AND NOT "
              "EXISTS (SELECT 1 FROM models o WHERE o.sha256 = m.sha256 AND "
              "o.name <> ?1)";
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return dl4c_store_error(db, "model store");
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (version > 0)
        sqlite3_bind_int64(q, 2, version);
    dl4c_status st = DL4C_OK;
    while (st == DL4C_OK && sqlite3_step(q) == SQLITE_ROW) {
        char **more = dl4c_realloc(*files, sizeof(char *) * (size_t)(*n + 1));
        char *p = dl4c_store_path(s, (const char *)sqlite3_column_text(q, 0));
        if (!more || !p) {
            dl4c_free(p);
            if (more)
                *files = more;
            st = dl4c_error_set(DL4C_NOMEM, "out of memory");
            break;
        }
        *files = more;
        (*files)[(*n)++] = p;
    }
    sqlite3_finalize(q);
    return st;
}

dl4c_status dl4c_model_store_remove(dl4c_store *s, const char *name,
                                    int64_t version)
{
    dl4c_status status = DL4C_OK;
    dl4c_model_entry e = {0};
    char **files = NULL;
    int n_files = 0;
    bool in_txn = false;
    DL4C_TRY(dl4c_model_store_get(s, name, version, &e));
    if (version <= 0) /* every version: check the name exists, then all */
        version = 0;
    sqlite3 *db = dl4c_store_db(s);
    DL4C_TRY(dl4c_store_begin(s));
    in_txn = true;
    DL4C_TRY(collect_files(s, name, version, &files, &n_files));
    static const char *const tables[] = {"models", "model_labels",
                                         "model_predictions"};
    for (int t = 0; t < 3; t++) {
        char sql[160];
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE name = :name%s",
                 tables[t], version > 0 ? " AND version = :version" : "");
        DL4C_TRY(run_sql(db, sql, name, NULL, version));
    }
    for (int i = 0; i < n_files; i++)
        if (unlink(files[i]) != 0 && errno != ENOENT)
            DL4C_FAIL(DL4C_IO, "%s: cannot delete: %s", files[i],
                      strerror(errno));
    DL4C_TRY(dl4c_store_commit(s));
    in_txn = false;
fail:
    if (in_txn)
        dl4c_store_rollback(s);
    for (int i = 0; i < n_files; i++)
        dl4c_free(files[i]);
    dl4c_free(files);
    dl4c_model_entry_deinit(&e);
    return status;
}
