/* The model store: every trained model under a name with an
 * auto-incremented version, its file (kept content-addressed by SHA-256
 * under <home>/models/), the network config, hyperparameters, the data it
 * was trained on, its evaluation, its parent model, labels such as
 * "stable" or "canary", and a sampled log of what a server predicted with
 * it. The tables live in the store's SQLite database (store.h), beside
 * the datasets.
 *
 *   dl4c_store *store = NULL;
 *   int64_t version = 0;
 *   dl4c_model_record rec = {.name = "iris", .metrics = eval_json};
 *   if (dl4c_store_open(NULL, &store) != DL4C_OK ||
 *       dl4c_model_store_put(store, net, &rec, &version) != DL4C_OK)
 *       fprintf(stderr, "%s\n", dl4c_last_error());
 *   dl4c_model_entry e;
 *   if (dl4c_model_store_resolve(store, "iris@stable", &e) == DL4C_OK) {
 *       printf("%s version %lld: %s\n", e.name, (long long)e.version, e.path);
 *       dl4c_model_entry_deinit(&e);
 *   }
 *   dl4c_store_close(store);
 *
 * References: "NAME" (the latest version), "NAME:VERSION", "NAME@LABEL".
 * Names and labels are 1 to 128 characters of [A-Za-z0-9_.-] starting
 * with a letter or digit; a label starts with a letter.
 *
 * Several processes may register at once: a version is taken and the row
 * written in one immediate transaction, so versions never collide, and a
 * removed version's number is never given out again. A store handle is
 * used by one thread at a time (give each thread its own).
 */
#ifndef DL4C_MODEL_STORE_H
#define DL4C_MODEL_STORE_H

#include <stdint.h>

#include "dl4c/net.h"
#include "dl4c/store.h"
#include "dl4c/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What is recorded with a new version; every field but name may be NULL
 * or 0. Strings are copied. */
typedef struct dl4c_model_record {
    const char *name;        /* required */
    const char *config;      /* net config JSON (put() writes the net's) */
    const char *hyperparams; /* JSON object: epochs, batch, updater, ... */
    const char *dataset;     /* what it was trained on: a path or a name */
    const char *query;       /* the query that selected the training data */
    const char *metrics;     /* JSON of dl4c_eval_to_json or
                                dl4c_regression_eval_to_json */
    const char *parent;      /* the model it started from: a reference */
    double wall_time;        /* seconds of training */
} dl4c_model_record;

/* One stored version. Every pointer is owned by the entry (NULL when not
 * recorded) and freed by dl4c_model_entry_deinit. */
typedef struct dl4c_model_entry {
    char *name;
    int64_t version;
    char *sha256;    /* of the file, 64 lower-case hex digits */
    char *path;      /* the stored file: <home>/models/<sha256>.<ext> */
    int64_t created; /* Unix time, seconds */
    char *config;
    char *hyperparams;
    char *dataset;
    char *query;
    char *metrics;
    char *parent_name; /* lineage: the parent's name, version and hash */
    int64_t parent_version;
    char *parent_sha256;
    double wall_time;
    char *dl4c_version; /* of the dl4c that registered it */
    int n_labels;
    char **labels; /* labels pointing at this version, sorted */
} dl4c_model_entry;

/* Frees what the entry holds and zeroes it; NULL is a no-op. */
DL4C_API void dl4c_model_entry_deinit(dl4c_model_entry *e);
/* Frees an array from dl4c_model_store_list. */
DL4C_API void dl4c_model_entries_free(dl4c_model_entry *entries, int n);

/* Saves `net` (with its updater state, so training can continue) into the
 * store as the next version of rec->name; *version gets the number.
 * rec->config is ignored: the net's own config is recorded.
 * DL4C_INVALID_ARG for a bad name or reference, DL4C_INVALID_ARG when
 * rec->parent names no stored model, DL4C_IO for a database or file
 * failure (the message says which). */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_model_store_put(dl4c_store *s, const dl4c_net *net,
                     const dl4c_model_record *rec, int64_t *version);

/* Registers an existing model file of any format dl4c loads: the file is
 * copied into the store (its extension kept) and recorded with rec as the
 * next version of rec->name. Statuses as put(), and DL4C_IO when the file
 * cannot be read. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_model_store_add(dl4c_store *s, const char *path,
                     const dl4c_model_record *rec, int64_t *version);

/* Version `version` of `name` (0: the latest) into *out.
 * DL4C_INVALID_ARG ("no model 'x' in the store", "model 'x' has no version
 * 7; versions: 1, 2, 5") when absent. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_model_store_get(dl4c_store *s,
                                                         const char *name,
                                                         int64_t version,
                                                         dl4c_model_entry *out);

/* A reference "NAME", "NAME:VERSION" or "NAME@LABEL" into *out. Statuses
 * as get(); DL4C_INVALID_ARG for a malformed reference or an unknown
 * label. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_model_store_resolve(dl4c_store *s, const char *ref, dl4c_model_entry *out);

/* True when `ref` has the form of a store reference (it may still name
 * nothing in the store). */
DL4C_API bool dl4c_model_ref_valid(const char *ref);

/* The stored version whose file has this SHA-256, latest first; *found is
 * false (and *out zeroed) when none has. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_model_store_find_sha256(
    dl4c_store *s, const char *sha256, dl4c_model_entry *out, bool *found);

/* Every version of `name` (NULL: of every model), by name then version.
 * *entries is a new array (free with dl4c_model_entries_free), NULL when
 * *n is 0. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_model_store_list(
    dl4c_store *s, const char *name, dl4c_model_entry **entries, int *n);

/* Points `label` of model `name` at `version` (moving it when it pointed
 * elsewhere). DL4C_INVALID_ARG for a bad label or an absent version. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_model_store_label(dl4c_store *s,
                                                           const char *name,
                                                           int64_t version,
                                                           const char *label);
/* Removes a label; DL4C_INVALID_ARG when the model has no such label. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_model_store_unlabel(dl4c_store *s,
                                                             const char *name,
                                                             const char *label);

/* Removes version `version` of `name` (0: every version) with its labels
 * and logged predictions; a stored file no other version uses is deleted.
 * Version numbers are never reused. DL4C_INVALID_ARG when absent. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_model_store_remove(dl4c_store *s,
                                                            const char *name,
                                                            int64_t version);

/* ---- prediction log ------------------------------------------------------ */

/* Appends `rows` logged predictions of version `version` of `name` in one
 * transaction: inputs [rows, in_width] and outputs [rows, out_width]
 * (float32, row-major; outputs may be NULL). Nothing checks that the model
 * exists, so a server can log for a file it serves under any name. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_model_store_log_predictions(
    dl4c_store *s, const char *name, int64_t version, int64_t rows,
    int64_t in_width, const float *inputs, int64_t out_width,
    const float *outputs);

/* The logged inputs of `name` (version 0: of every version with the most
 * common width), the newest `limit` rows (0: all), as a new [N, width]
 * float32 tensor; *out is NULL when nothing was logged. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_model_store_logged_inputs(dl4c_store *s, const char *name, int64_t version,
                               int64_t limit, dl4c_tensor **out);

/* ---- training/serving skew ----------------------------------------------- */

/* Per-feature population stability index of `actual` against `expected`
 * (both [N, F] float32 or float64 with the same F, e.g. the training
 * features and the logged serving inputs): `bins` (2..1000) bins at the
 * expected data's quantiles; each bin's share is floored at 1e-4;
 *   PSI = sum over bins (a - e) * ln(a / e).
 * Below 0.1 is usually read as no shift, 0.1 to 0.25 as moderate, above
 * 0.25 as a significant shift. `psi` receives F values (caller's array).
 * DL4C_SHAPE when the widths differ, DL4C_INVALID_ARG for an empty input
 * or bad bins, DL4C_FORMAT for a NaN or infinity. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_psi(const dl4c_tensor *expected,
                                             const dl4c_tensor *actual,
                                             int bins, double *psi);

#ifdef __cplusplus
}
#endif
#endif
