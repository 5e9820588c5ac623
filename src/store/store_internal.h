/* Inside the store: the SQLite handle, transactions with retry, and
 * per-component schemas. Each component (datasets, models, ...) keeps its
 * own tables and calls dl4c_store_schema once before using them; the
 * `dl4c_schema` table records each component's version so upgrades run
 * exactly once, in a transaction, whichever process gets there first. */
#ifndef DL4C_STORE_INTERNAL_H
#define DL4C_STORE_INTERNAL_H

#include <sqlite3.h>

#include "dl4c/store.h"

sqlite3 *dl4c_store_db(const dl4c_store *s);

/* Brings component `name` to `version`: when the recorded version is
 * lower, calls migrate(db, from_version, ctx) inside an immediate
 * transaction and records `version`. DL4C_FORMAT when the database holds a
 * newer version than this dl4c knows. */
typedef dl4c_status (*dl4c_store_migrate_fn)(sqlite3 *db, int from_version,
                                             void *ctx);
dl4c_status dl4c_store_schema(dl4c_store *s, const char *name, int version,
                              dl4c_store_migrate_fn migrate, void *ctx);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; begin waits for other writers up
 * to the busy timeout. */
dl4c_status dl4c_store_begin(dl4c_store *s);
dl4c_status dl4c_store_commit(dl4c_store *s);
void dl4c_store_rollback(dl4c_store *s);

/* Runs SQL without results (several statements allowed). */
dl4c_status dl4c_store_exec(sqlite3 *db, const char *sql);

/* Sets the thread-local error from SQLite's last error on db:
 * "<what>: <sqlite message>" with DL4C_IO. Returns DL4C_IO. */
dl4c_status dl4c_store_error(sqlite3 *db, const char *what);

/* Path of a file inside the home: "<home>/<rel>" (dl4c_free). */
char *dl4c_store_path(const dl4c_store *s, const char *rel);

#endif
