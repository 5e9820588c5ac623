/* The dataset store: images (or CSV rows) ingested into the dl4c home,
 * one row of metadata per item in its SQLite database, training sets
 * chosen by SQL conditions over that metadata, and stratified splits
 * stored so they are the same every time.
 *
 *   dl4c_store *store = NULL;
 *   dl4c_ingest_options o = dl4c_ingest_options_default();
 *   dl4c_ingest_report r;
 *   dl4c_store_open(NULL, &store);                    // $DL4C_HOME
 *   dl4c_dataset_store_ingest(store, "fashion", "fashion-png", &o, &r);
 *   dl4c_dataset *train = NULL;
 *   dl4c_store_load_options lo = dl4c_store_load_options_default();
 *   lo.split = "train";
 *   dl4c_dataset_store_load(store, "fashion",
 *                           "label IN ('bag', 'trouser') AND width >= 28",
 *                           &lo, &train);
 *
 * An item has the columns a condition (a SQL expression, the WHERE
 * clause of a SELECT) can use:
 *   id        INTEGER  the item's number, in ingest order
 *   path      TEXT     where it came from (a file; "file.csv:LINE" for rows)
 *   file      TEXT     its stored image, relative to the home (NULL for rows)
 *   label     TEXT     the label (NULL when unknown)
 *   split     TEXT     'train', 'validation', 'test', ... or NULL
 *   width, height, channels  INTEGER  of the stored image (NULL for rows)
 *   bytes     INTEGER  size of the source file (of the row's text)
 *   sha256    TEXT     of the source file (row); ingest skips known ones
 *   ingested  TEXT     when, ISO 8601 UTC
 * plus one column per attribute (--attr source=camera1) and, for CSV
 * rows, one per CSV column (header names made into identifiers:
 * "sepal length (cm)" -> sepal_length_cm; a name taken by a column above
 * gets a '_': "label" -> label_). Conditions run read-only: on
 * a read-only connection, as one SELECT, with an authorizer that lets it
 * read only the item table; anything else (a second statement, ATTACH,
 * DELETE, PRAGMA, other tables) is refused with DL4C_INVALID_ARG and the
 * store is left unchanged.
 */
#ifndef DL4C_DATASET_STORE_H
#define DL4C_DATASET_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "dl4c/analysis.h"
#include "dl4c/data.h"
#include "dl4c/image.h"
#include "dl4c/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dl4c_ingest_options {
    /* Images: the stored (canonical) form. Every image is decoded and
     * stored as binary PGM/PPM/PAM under <home>/datasets/<name>/; with
     * channels (1 gray, 3 RGB) and/or height x width set it is converted
     * and resized (with `resize`) first. A dataset keeps the form of its
     * first ingest; a later ingest asking for another is an error. */
    int channels;
    int64_t height, width;
    dl4c_resize_mode resize;
    /* Labels of images: NULL takes the parent folder's name; otherwise a
     * CSV file with a header whose first column is the image path
     * (relative to the ingested folder) and second the label. */
    const char *labels_csv;
    /* The split of every item; NULL takes it from a folder named train,
     * test, validation (or val, valid) directly under the ingested one,
     * else leaves it NULL. */
    const char *split;
    /* "key=value" attributes recorded with every item (keys are
     * identifiers that are not column names). */
    const char *const *attrs;
    int n_attrs;
    /* CSV rows: the column holding the label (by header name), or NULL. */
    const char *label_column;
    char delimiter; /* ',' */
    /* Called once per skipped (unreadable) image with its path and the
     * reason; may be NULL. */
    void (*on_skip)(void *ctx, const char *path, const char *why);
    void *ctx;
} dl4c_ingest_options;

DL4C_API dl4c_ingest_options dl4c_ingest_options_default(void);

typedef struct dl4c_ingest_report {
    int64_t added;     /* new items */
    int64_t unchanged; /* already in the dataset (same SHA-256) */
    int64_t skipped;   /* unreadable images (reported through on_skip) */
    int64_t total;     /* items in the dataset afterwards */
} dl4c_ingest_report;

/* Ingests `source` into dataset `name` (created when new; names are 1-64
 * characters of [A-Za-z0-9_.-]): a directory is walked for images (.png,
 * .jpg, .jpeg, .pgm, .ppm, .pbm, .pam, .bmp; other files are ignored),
 * a file ending in .csv (or .csv.gz, .tsv) is read as rows with a header.
 * Items whose SHA-256 is already in the dataset are left as they are, so
 * ingesting the same files again changes nothing. An image that cannot be
 * decoded is skipped and reported; the others go in. All rows are written
 * in one transaction. `report` may be NULL. DL4C_INVALID_ARG for a bad
 * name, attribute or options; DL4C_IO when the source or the home cannot
 * be read or written; DL4C_FORMAT for a bad labels file, a CSV row whose
 * column count differs from the header's (naming the line), images of a
 * dataset that holds rows (or the reverse), or a source without items. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_dataset_store_ingest(
    dl4c_store *s, const char *name, const char *source,
    const dl4c_ingest_options *o, dl4c_ingest_report *report);

/* ---- queries --------------------------------------------------------------
 */

typedef struct dl4c_dataset_item {
    int64_t id;
    const char *path, *file, *label, *split, *sha256, *ingested;
    const char *attrs; /* JSON object of attributes / CSV columns */
    int64_t width, height, channels, bytes; /* -1 when NULL */
} dl4c_dataset_item;

typedef struct dl4c_dataset_query dl4c_dataset_query;

/* The items of dataset `name` for which `where` (a SQL condition, NULL
 * or "" for all) is true, in id order. Refused conditions (see the top of
 * this header) give DL4C_INVALID_ARG "query refused: ..."; a condition
 * SQLite cannot compile gives DL4C_INVALID_ARG with SQLite's message.
 * DL4C_INVALID_ARG for an unknown dataset. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_dataset_store_query(dl4c_store *s, const char *name, const char *where,
                         dl4c_dataset_query **out);
DL4C_API void dl4c_dataset_query_free(dl4c_dataset_query *q);
DL4C_API int64_t dl4c_dataset_query_count(const dl4c_dataset_query *q);
/* Item i (borrowed, lives as long as q); NULL out of range. */
DL4C_API const dl4c_dataset_item *
dl4c_dataset_query_item(const dl4c_dataset_query *q, int64_t i);
/* The column names a condition can use for this dataset, as a JSON list
 * (dl4c_free). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_dataset_store_columns(dl4c_store *s,
                                                               const char *name,
                                                               char **json);

/* ---- training sets ------------------------------------------------------- */

typedef struct dl4c_store_load_options {
    /* Only items of this split (NULL: any). */
    const char *split;
    /* The column (or attribute) holding the label: "label" by default. */
    const char *label_column;
    /* Class names in index order (num_classes of them): labels are looked
     * up there (an unknown label is an error). NULL numbers the distinct
     * labels of the selected items in sorted (strcmp) order. */
    const char *const *class_names;
    int num_classes;
    /* Images: the shape to bring every image to (0: the stored form,
     * which must then be one size for all selected items). */
    int channels;
    int64_t height, width;
    dl4c_resize_mode resize;
} dl4c_store_load_options;

DL4C_API dl4c_store_load_options dl4c_store_load_options_default(void);

/* The selected items as a labelled in-memory dataset: images as
 * [N, H, W, C] (0..255) from their stored files, CSV rows as [N, F] of
 * their numeric columns in header order (the label column left out),
 * labels one-hot over the classes, which get their names. DL4C_FORMAT when
 * nothing is selected, an item has no label, a row value is not a number
 * (naming the item and column) or a stored image is missing or damaged;
 * DL4C_SHAPE for images of different sizes without a shape set; and the
 * query's errors. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_dataset_store_load(dl4c_store *s, const char *name, const char *where,
                        const dl4c_store_load_options *o, dl4c_dataset **out);

/* ---- splits and descriptions ----------------------------------------------
 */

/* Assigns every item of the dataset (or those matching `where`) to
 * 'train', 'validation' or 'test' with the given fractions (each >= 0,
 * summing to 1 within 1e-6), stratified by label: each label's items are
 * shuffled with `seed` and cut in those proportions (rounded, the test
 * side taking the remainder). The assignment and its settings are stored,
 * so later queries and training runs see the same split; the same seed
 * over the same items gives the same split. One transaction. Counts per
 * split go to counts[3] (may be NULL). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_dataset_store_split(
    dl4c_store *s, const char *name, const char *where, double train,
    double validation, double test, uint64_t seed, int64_t counts[3]);

/* A JSON description: with a name, that dataset's kind, item count,
 * stored form, columns, split settings and counts per split and label;
 * with NULL, a list of every dataset's name, kind, items and creation
 * time. The string is freed with dl4c_free. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_dataset_store_describe(dl4c_store *s, const char *name, char **json);

/* The selected items (those of `split` when it is not NULL) as a table
 * for dl4c_analysis: columns label, width, height, channels (images),
 * bytes, and every attribute (CSV columns included). Named "NAME" or
 * "NAME (SPLIT)". DL4C_FORMAT when nothing is selected. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_dataset_store_analyze(dl4c_store *s, const char *name, const char *where,
                           const char *split, dl4c_analysis **out);

/* Removes a dataset: its rows and its stored files. DL4C_INVALID_ARG
 * for an unknown name. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_dataset_store_remove(dl4c_store *s,
                                                              const char *name);

#ifdef __cplusplus
}
#endif
#endif
