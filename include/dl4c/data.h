/* Datasets, record readers (CSV, IDX), batching iterators and normalizers.
 *
 *   dl4c_csv_options o = dl4c_csv_options_default();
 *   o.label_from = o.label_to = 4;         // label in column 4
 *   o.num_classes = 3;                     // one-hot over 3 classes
 *   dl4c_dataset *iris = NULL;
 *   if (dl4c_csv_load("data/iris.csv", &o, &iris) != DL4C_OK) ...
 *
 *   dl4c_normalizer *norm = NULL;
 *   dl4c_normalizer_create(DL4C_NORM_STANDARDIZE, &norm);
 *   dl4c_normalizer_fit(norm, iris);
 *
 *   dl4c_iterator *it = NULL;
 *   dl4c_iterator_create(iris, 16, true, 42, &it);
 *   dl4c_iterator_set_normalizer(it, norm);
 *   dl4c_batch b;
 *   while (dl4c_iterator_has_next(it)) {
 *       dl4c_iterator_next(it, &b);     // b.features: [<=16, 4]
 *       ...
 *   }
 *
 * Features are float32 tensors with the example count as the first dim
 * (images NHWC). Classification labels are one-hot [N, num_classes];
 * regression labels are [N, targets].
 */
#ifndef DL4C_DATA_H
#define DL4C_DATA_H

#include <stdbool.h>
#include <stdint.h>

#include "dl4c/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- datasets ----------------------------------------------------- */

typedef struct dl4c_dataset dl4c_dataset;

/* Takes ownership of `features` ([N, ...]) and `labels` ([N, L] or NULL),
 * also on failure. DL4C_SHAPE when their first dims differ. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_dataset_create(dl4c_tensor *features,
                                                       dl4c_tensor *labels,
                                                       dl4c_dataset **out);
DL4C_API void dl4c_dataset_free(dl4c_dataset *ds);
/* Borrowed; live as long as ds. */
DL4C_API const dl4c_tensor *dl4c_dataset_features(const dl4c_dataset *ds);
DL4C_API const dl4c_tensor *dl4c_dataset_labels(const dl4c_dataset *ds);
DL4C_API int64_t dl4c_dataset_count(const dl4c_dataset *ds);
/* Number of classes (0 for regression or unlabeled data). */
DL4C_API int dl4c_dataset_num_classes(const dl4c_dataset *ds);
/* Name of class i, or NULL when the classes are unnamed. */
DL4C_API const char *dl4c_dataset_class_name(const dl4c_dataset *ds, int i);
/* Declares the labels one-hot over `n` classes, optionally named (names may
 * be NULL; the strings are copied). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_dataset_set_classes(
    dl4c_dataset *ds, int n, const char *const *names);
/* New dataset with examples [start, start+count). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_dataset_subset(const dl4c_dataset *ds,
                                                       int64_t start,
                                                       int64_t count,
                                                       dl4c_dataset **out);
/* Shuffled split with `seed`: round(train_fraction*N) examples go to
 * *train, the rest to *test. For classification the split is stratified
 * (each class split in the same proportion). */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_dataset_split(const dl4c_dataset *ds, double train_fraction,
                   uint64_t seed, dl4c_dataset **train, dl4c_dataset **test);

/* ---- CSV ------------------------------------------------------------ */

typedef struct dl4c_csv_options {
    char delimiter;  /* ',' */
    char quote;      /* '"'; a doubled quote inside quotes is one quote */
    int skip_lines;  /* lines to skip at the top (a header): 0 */
    int label_from;  /* first label column (0-based), -1 for none: -1 */
    int label_to;    /* last label column, inclusive: -1 */
    int num_classes; /* > 0: one label column holding a class, one-hot
                        encoded; 0: label columns are regression targets */
    /* Class names in index order. When set, a label cell may hold the name
     * or the index. When NULL and a label is not a number, names are
     * collected from the file and numbered in sorted order. */
    const char *const *class_names;
} dl4c_csv_options;

DL4C_API dl4c_csv_options dl4c_csv_options_default(void);

/* Reads a whole CSV file into a dataset. Every row must have the same
 * number of columns. Errors name file, line and column:
 *   "iris.csv:57: column 3: 'abc' is not a number"
 *   "iris.csv:12: column 5: label 3 outside 0..2 (num_classes 3)"
 * Empty lines are skipped; a final line without a newline counts. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_csv_load(const char *path,
                                                 const dl4c_csv_options *opt,
                                                 dl4c_dataset **out);
/* The same over an open stream (e.g. stdin); `name` is used in messages.
 * The stream is not closed. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_csv_read(void *stream,
                                                 const char *name,
                                                 const dl4c_csv_options *opt,
                                                 dl4c_dataset **out);

/* ---- IDX (MNIST, Fashion-MNIST) -------------------------------------- */

/* Reads an IDX file (gzip-compressed or plain, told by its first bytes) of
 * any rank and element type into a float32 tensor of the file's dims.
 * Rejects a wrong magic, an unknown type, absurd dims and a short file. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_idx_load(const char *path,
                                                 dl4c_tensor **out);

/* MNIST-layout pair: images [N, rows, cols] and labels [N] of 0..9 become
 * features [N, rows, cols, 1] (raw 0..255 values; normalize with
 * DL4C_NORM_IMAGE) and one-hot labels [N, 10]. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_idx_load_mnist(const char *images,
                                                       const char *labels,
                                                       dl4c_dataset **out);

/* Loads "train" or "t10k" from a directory holding the four standard MNIST
 * files (train-images-idx3-ubyte[.gz], ...). When the files match the
 * published ones the check is by SHA-256; other files load without it. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_mnist_load_dir(const char *dir,
                                                       bool train,
                                                       dl4c_dataset **out);

/* ---- downloads ------------------------------------------------------- */

/* Copies `source` (a local path, or an http/https/file URL) to `dest`
 * (written to a temporary name and renamed), verifying `sha256` (64 hex
 * digits, or NULL to skip). A mismatch removes the file and says so. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_fetch(const char *source,
                                              const char *dest,
                                              const char *sha256);

/* SHA-256 of a file as 64 lower-case hex digits into hex[65]. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_sha256_file(const char *path,
                                                    char hex[65]);

/* ---- normalizers ------------------------------------------------------ */

typedef enum dl4c_normalizer_kind {
    DL4C_NORM_STANDARDIZE = 0, /* (x - mean) / std per feature */
    DL4C_NORM_MINMAX,          /* (x - min) / (max - min) into [lo, hi] */
    DL4C_NORM_IMAGE,           /* x / max_pixel into [lo, hi] (0..1) */
    DL4C_NORM_COUNT
} dl4c_normalizer_kind;

typedef struct dl4c_normalizer dl4c_normalizer;

DL4C_API DL4C_NODISCARD dl4c_status dl4c_normalizer_create(
    dl4c_normalizer_kind kind, dl4c_normalizer **out);
DL4C_API void dl4c_normalizer_free(dl4c_normalizer *n);
DL4C_API dl4c_normalizer_kind dl4c_normalizer_get_kind(
    const dl4c_normalizer *n);
/* "standardize", "minmax", "image". */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_normalizer_kind_parse(
    const char *name, dl4c_normalizer_kind *out);
/* Output range for MINMAX and IMAGE (default 0, 1). */
DL4C_API void dl4c_normalizer_set_range(dl4c_normalizer *n, double lo,
                                        double hi);
/* Largest raw pixel value for IMAGE (default 255). */
DL4C_API void dl4c_normalizer_set_max_pixel(dl4c_normalizer *n, double max);
/* Also normalize regression labels (STANDARDIZE / MINMAX). */
DL4C_API void dl4c_normalizer_set_fit_labels(dl4c_normalizer *n, bool on);

/* Computes the statistics from training data. Features are normalized per
 * feature along the last axis (a CSV column, an image channel). A feature
 * with zero spread is left centered, not divided by zero. IMAGE needs no
 * fit (calling it is harmless). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_normalizer_fit(dl4c_normalizer *n,
                                                       const dl4c_dataset *ds);
/* In place, features [N, ..., F] with F matching the fitted features;
 * DL4C_STATE before fit, DL4C_SHAPE on a width mismatch. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_normalizer_transform(const dl4c_normalizer *n, dl4c_tensor *features);
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_normalizer_revert(const dl4c_normalizer *n, dl4c_tensor *features);
/* Label transforms (identity unless fit_labels was set). */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_normalizer_transform_labels(const dl4c_normalizer *n, dl4c_tensor *y);
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_normalizer_revert_labels(const dl4c_normalizer *n, dl4c_tensor *y);
/* JSON round trip (stored in model files). The string is freed with
 * dl4c_free. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_normalizer_write(const dl4c_normalizer *n, char **json);
DL4C_API DL4C_NODISCARD dl4c_status dl4c_normalizer_parse(const char *json,
                                                         dl4c_normalizer **out);

/* ---- iterators -------------------------------------------------------- */

/* One minibatch: views into iterator-owned buffers, valid until the next
 * call on the iterator. */
typedef struct dl4c_batch {
    int64_t size;                     /* examples in this batch */
    const dl4c_tensor *features;      /* [size, ...] */
    const dl4c_tensor *labels;        /* [size, L] or NULL */
    const dl4c_tensor *features_mask; /* NULL unless sequences */
    const dl4c_tensor *labels_mask;   /* NULL unless masked */
} dl4c_batch;

typedef struct dl4c_iterator dl4c_iterator;

/* Minibatches over an in-memory dataset (borrowed: it must outlive the
 * iterator). The last batch of an epoch may be smaller. With `shuffle`
 * every epoch visits the examples in a new order drawn from `seed`. Takes
 * no memory per batch: the batch buffers are allocated here. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_iterator_create(const dl4c_dataset *ds, int64_t batch_size, bool shuffle,
                     uint64_t seed, dl4c_iterator **out);
DL4C_API void dl4c_iterator_free(dl4c_iterator *it);
DL4C_API bool dl4c_iterator_has_next(const dl4c_iterator *it);
DL4C_API DL4C_NODISCARD dl4c_status dl4c_iterator_next(dl4c_iterator *it,
                                                      dl4c_batch *batch);
/* Starts the next epoch (a new order when shuffling). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_iterator_reset(dl4c_iterator *it);
DL4C_API int64_t dl4c_iterator_batch_size(const dl4c_iterator *it);
/* Examples per epoch, or -1 when unknown (streams). */
DL4C_API int64_t dl4c_iterator_count(const dl4c_iterator *it);
/* Examples already returned in the current epoch. */
DL4C_API int64_t dl4c_iterator_position(const dl4c_iterator *it);
/* Features (and labels, when it fits labels) of every batch are
 * normalized on the copy in the batch buffer; the dataset is unchanged.
 * Borrowed; NULL removes it. */
DL4C_API void dl4c_iterator_set_normalizer(dl4c_iterator *it,
                                           const dl4c_normalizer *n);
/* The iterator's position and random state as JSON (freed with dl4c_free),
 * and back: after state_load the iterator continues exactly where the
 * saved one was, mid-epoch included. DL4C_FORMAT on a bad state. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_iterator_state_save(const dl4c_iterator *it, char **json);
DL4C_API DL4C_NODISCARD dl4c_status dl4c_iterator_state_load(dl4c_iterator *it,
                                                            const char *json);

#ifdef __cplusplus
}
#endif
#endif
