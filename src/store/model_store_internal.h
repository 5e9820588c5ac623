/* Inside the model store: the schema shared by model_store.c (versions,
 * files, labels) and model_log.c (prediction log). */
#ifndef DL4C_MODEL_STORE_INTERNAL_H
#define DL4C_MODEL_STORE_INTERNAL_H

#include "dl4c/model_store.h"
#include "store/store_internal.h"

/* Creates or upgrades the model tables; call before any other use. */
dl4c_status dl4c_model_store_ready(dl4c_store *s);

/* True for 1..128 characters of [A-Za-z0-9_.-] starting with a letter or
 * digit (a label: with a letter). */
bool dl4c_model_name_valid(const char *name, bool label);

#endif
