/* The dl4c home: one directory holding the SQLite database (dl4c.db) of
 * datasets, models and experiments, and the files they refer to.
 *
 *   dl4c_store *store = NULL;
 *   if (dl4c_store_open(NULL, &store) != DL4C_OK)   // $DL4C_HOME or ./dl4c-home
 *       fprintf(stderr, "%s\n", dl4c_last_error());
 *   ...
 *   dl4c_store_close(store);
 *
 * Several processes may use one home at once: the database runs in WAL
 * mode with a busy timeout, and every change is one transaction. A store
 * handle is used by one thread at a time.
 */
#ifndef DL4C_STORE_H
#define DL4C_STORE_H

#include "dl4c/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dl4c_store dl4c_store;

/* Opens (creating when missing) the home directory `home`, or $DL4C_HOME,
 * or ./dl4c-home when home is NULL, and its database. DL4C_IO when the
 * directory or database cannot be created or opened, DL4C_FORMAT when the
 * file is not a dl4c database or was written by a newer dl4c. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_store_open(const char *home,
                                                   dl4c_store **out);
DL4C_API void dl4c_store_close(dl4c_store *s);

/* The home directory (borrowed, lives as long as the store). */
DL4C_API const char *dl4c_store_home(const dl4c_store *s);

#ifdef __cplusplus
}
#endif
#endif
