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
 * also on failure. DL4C_INVALID_ARG when features is NULL; DL4C_SHAPE
 * when their first dims differ or one has rank 0. The dataset starts with
 * 0 classes (see dl4c_dataset_set_classes). Iterators, normalizers and
 * splits only read a dataset, so several threads may use one at once. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_dataset_create(dl4c_tensor *features,
                                                        dl4c_tensor *labels,
                                                        dl4c_dataset **out);
DL4C_API void dl4c_dataset_free(dl4c_dataset *ds);
/* Borrowed; live as long as ds. */
DL4C_API const dl4c_tensor *dl4c_dataset_features(const dl4c_dataset *ds);
DL4C_API const dl4c_tensor *dl4c_dataset_labels(const dl4c_dataset *ds);
DL4C_API int64_t dl4c_dataset_count(const dl4c_dataset *ds);
/* Masks of sequence data (borrowed; NULL when the dataset has none):
 * [N, T] with 1 for the time steps that exist and 0 for padding. */
DL4C_API const dl4c_tensor *dl4c_dataset_features_mask(const dl4c_dataset *ds);
DL4C_API const dl4c_tensor *dl4c_dataset_labels_mask(const dl4c_dataset *ds);
/* Gives sequence data [N, T, F] its masks (either may be NULL; taken over,
 * also on failure): features_mask [N, T], labels_mask [N, T] for labels
 * [N, T, L]. Iterators, subsets and splits carry them along and batches
 * hand them out. DL4C_SHAPE when the shapes do not fit. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_dataset_set_masks(
    dl4c_dataset *ds, dl4c_tensor *features_mask, dl4c_tensor *labels_mask);
/* Number of classes (0 for regression or unlabeled data). */
DL4C_API int dl4c_dataset_num_classes(const dl4c_dataset *ds);
/* Name of class i, or NULL when the classes are unnamed. */
DL4C_API const char *dl4c_dataset_class_name(const dl4c_dataset *ds, int i);
/* Declares the labels one-hot over `n` classes, optionally named (names may
 * be NULL, or hold NULL entries; the strings are copied). n = 0 marks the
 * labels as regression targets. DL4C_STATE without labels, DL4C_SHAPE
 * unless the labels are [N, n] (or [N, T, n]: one per time step). */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_dataset_set_classes(dl4c_dataset *ds, int n, const char *const *names);
/* Gives each example the shape `example_shape` (ndim dims, same element
 * count), e.g. 28x28x1 images as 784 values. DL4C_SHAPE naming both
 * shapes when the counts differ. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_dataset_reshape_features(
    dl4c_dataset *ds, int ndim, const int64_t *example_shape);
/* New dataset (a deep copy, same classes) with examples [start,
 * start+count). DL4C_INVALID_ARG when count <= 0 or the range does not lie
 * inside the dataset. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_dataset_subset(const dl4c_dataset *ds,
                                                        int64_t start,
                                                        int64_t count,
                                                        dl4c_dataset **out);
/* Shuffled split with `seed`: round(train_fraction*N) examples go to
 * *train, the rest to *test, both deep copies in shuffled order. For
 * classification the split is stratified (each class split in the same
 * proportion, remainders going to the classes with the largest fractional
 * parts). DL4C_INVALID_ARG unless 0 < train_fraction < 1 and both sides
 * get at least one example. The same seed gives the same split. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_dataset_split(const dl4c_dataset *ds,
                                                       double train_fraction,
                                                       uint64_t seed,
                                                       dl4c_dataset **train,
                                                       dl4c_dataset **test);

/* ---- CSV ------------------------------------------------------------ */

typedef struct dl4c_csv_options {
    char delimiter;  /* ',' */
    char quote;      /* '"'; a doubled quote inside quotes is one quote */
    int skip_lines;  /* lines to skip at the top (a header): 0 */
    int label_from;  /* first label column (0-based), -1 for none: -1 */
    int label_to;    /* last label column, inclusive: -1 */
    int num_classes; /* > 0: one label column holding a class, one-hot
                        encoded; 0: label columns are regression targets */
    /* Class names in index order (num_classes entries). When set, a label
     * cell may hold the name or the index. When NULL and no label is a
     * number, names are collected from the file and numbered in sorted
     * (strcmp) order; a column mixing indices and words is an error. */
    const char *const *class_names;
} dl4c_csv_options;

DL4C_API dl4c_csv_options dl4c_csv_options_default(void);

/* Reads a whole CSV file (plain or gzip-compressed) into a dataset:
 * features float32 [N, F] from every non-label column in order, labels
 * one-hot [N, num_classes] or regression targets [N, label_to-label_from+1].
 * `opt` NULL means the defaults; label_to -1 means label_from. Every row
 * must have the same number of columns. Lines end in LF, CRLF or CR;
 * blanks around unquoted cells are ignored; numbers are read in the C
 * locale whatever the process locale, and NaN, infinity and values outside
 * the float32 range are rejected. Errors name file, line and column
 * (counted from 1):
 *   "iris.csv:57: column 3: 'abc' is not a number"
 *   "iris.csv:12: column 5: label 3 outside 0..2 (num_classes 3)"
 *   "iris.csv:3: expected 5 columns, found 4"
 * Empty lines are skipped; a final line without a newline counts.
 * DL4C_IO when the file cannot be read, DL4C_FORMAT for bad content
 * (including a file with no data rows), DL4C_INVALID_ARG for options that
 * do not fit together or label columns outside the file's columns. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_csv_load(const char *path,
                                                  const dl4c_csv_options *opt,
                                                  dl4c_dataset **out);
/* The same over an open stream (a FILE *, e.g. stdin); `name` is used in
 * messages ("<stream>" when NULL). The stream is read to its end and not
 * closed. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_csv_read(void *stream,
                                                  const char *name,
                                                  const dl4c_csv_options *opt,
                                                  dl4c_dataset **out);

/* Parses one CSV line (no line break inside quotes) into float values,
 * skipping the label columns label_from..label_to when they are set: the
 * features of a row to predict. *count gets the number of values in the
 * line; only the first `cap` are stored. Errors name `name`,
 * `line_no` and the column, as dl4c_csv_load does. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_csv_parse_row(
    const char *line, const dl4c_csv_options *opt, const char *name,
    int64_t line_no, float *values, int64_t cap, int64_t *count);

/* ---- libsvm / svmlight ---------------------------------------------- */

typedef struct dl4c_libsvm_options {
    int64_t num_features; /* 0: the largest index in the file */
    bool zero_based;      /* indices start at 0 (default: at 1) */
    bool classification;  /* labels are classes (the distinct values,
                             sorted by value, named by their text: "-1",
                             "1"); else regression targets */
    /* Classification with known classes (a model's, or a training file's:
     * "-1", "1"): label values map to these names' values, so a test file
     * missing a class numbers the others as training did; a label not
     * among them is an error. NULL: the file's own distinct values. */
    const char *const *class_names;
    int num_classes;
} dl4c_libsvm_options;

DL4C_API dl4c_libsvm_options dl4c_libsvm_options_default(void);

/* Reads a libsvm/svmlight file (plain or gzip): one example per line,
 * "LABEL INDEX:VALUE INDEX:VALUE ... [# comment]" with increasing indices
 * ("qid:N" is skipped), into dense features [N, F] (absent indices are
 * 0) and one-hot labels (classification) or targets [N, 1]. Errors name
 * file and line: a malformed pair, an index that does not increase, is
 * below the first index or beyond num_features, a NaN or infinite value,
 * more than 2^24 features or a dense matrix over 2^31 values (DL4C_FORMAT);
 * DL4C_IO when the file cannot be read. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_libsvm_load(
    const char *path, const dl4c_libsvm_options *opt, dl4c_dataset **out);

/* ---- CSV sequences (recurrent nets) ---------------------------------- */

typedef struct dl4c_sequence_options {
    char delimiter;   /* ',' */
    int skip_lines;   /* header lines of each file: 0 */
    int label_column; /* the label of each step, -1 for none: -1 */
    int id_column;    /* dl4c_sequences_load_csv: the sequence id: 0 */
    int num_classes;  /* > 0: one-hot classes; 0: regression targets */
    bool label_last;  /* one label per sequence (its last step's):
                         labels [N, C] instead of [N, T, C] */
} dl4c_sequence_options;

DL4C_API dl4c_sequence_options dl4c_sequence_options_default(void);

/* Sequences from CSV files, one file per sequence (a time step per line),
 * of any lengths: features [N, T, F] with T the longest length, padded
 * with zeros, a features mask [N, T] (1 where a step exists), and labels
 * [N, T, C] per step with a labels mask, or [N, C] with label_last. Every
 * line of every file must have the same number of columns; numbers follow
 * dl4c_csv_load's rules and errors name the file, line and column. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_sequences_load_files(const char *const *paths, int64_t n,
                          const dl4c_sequence_options *opt, dl4c_dataset **out);
/* The same for every .csv file under `dir`, in sorted path order. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_sequences_load_dir(
    const char *dir, const dl4c_sequence_options *opt, dl4c_dataset **out);
/* Sequences from one CSV file whose `id_column` says which sequence a
 * line belongs to (sequences in order of first appearance, steps in file
 * order); the id column is not a feature. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_sequences_load_csv(
    const char *path, const dl4c_sequence_options *opt, dl4c_dataset **out);

/* ---- IDX (MNIST, Fashion-MNIST) -------------------------------------- */

/* Reads an IDX file (gzip-compressed or plain, told by its first bytes) of
 * any rank (1..8) and element type (u8, i8, i16, i32, f32, f64; stored
 * big-endian) into a float32 tensor of the file's dims. DL4C_IO when the
 * file cannot be opened; DL4C_FORMAT for a wrong magic, an unknown type,
 * dims whose data cannot fit in the file (checked before allocating), a
 * short file, trailing bytes, broken gzip data, or a NaN / infinite float
 * element. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_idx_load(const char *path,
                                                  dl4c_tensor **out);

/* MNIST-layout pair: images [N, rows, cols] and labels [N] of 0..9 become
 * features [N, rows, cols, 1] (raw 0..255 values; normalize with
 * DL4C_NORM_IMAGE) and one-hot labels [N, 10] (10 unnamed classes).
 * DL4C_FORMAT when the ranks or counts do not match or a label is outside
 * 0..9, besides dl4c_idx_load's errors. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_idx_load_mnist(const char *images,
                                                        const char *labels,
                                                        dl4c_dataset **out);

/* Loads "train" (train = true) or "t10k" from a directory holding the
 * standard MNIST-layout files (MNIST or Fashion-MNIST), each found as
 * <prefix>-images-idx3-ubyte.gz, <prefix>-images-idx3-ubyte or
 * <prefix>-images.idx3-ubyte (labels likewise). A file with the name and
 * size of a published one is checked by SHA-256 and a difference fails
 * with DL4C_FORMAT ("checksum mismatch"); other files (subsets, plain
 * copies) load without the check. DL4C_IO when a file is missing. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_mnist_load_dir(const char *dir,
                                                        bool train,
                                                        dl4c_dataset **out);

/* ---- downloads ------------------------------------------------------- */

/* Copies `source` (a local path, or an http/https/file URL) to `dest`
 * (written to a temporary name next to it, synced and renamed, so `dest`
 * is never half-written and an existing one is replaced only by a
 * complete, verified file), verifying `sha256` (64 hex digits in either
 * case, or NULL to skip). A mismatch removes the download and fails with
 * DL4C_FORMAT ("checksum mismatch"). DL4C_INVALID_ARG for a malformed
 * sha256, DL4C_UNSUPPORTED for other URL schemes, DL4C_IO when the source
 * cannot be read or the destination written (the message carries
 * libcurl's reason, e.g. an HTTP error status). Redirects are followed;
 * a transfer stalled for a minute is abandoned. Thread-safe for different
 * destinations. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_fetch(const char *source,
                                               const char *dest,
                                               const char *sha256);

/* SHA-256 of a file as 64 lower-case hex digits into hex[65]. DL4C_IO
 * when the file cannot be read. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_sha256_file(const char *path,
                                                     char hex[65]);

/* Downloads the four files of a dataset known by name, "mnist" or
 * "fashion-mnist", into `dir` (created when missing), each verified
 * against its published SHA-256. `base_url` (http, https or file URL, or
 * a local directory; NULL for the dataset's usual location) is joined with
 * the published file names. Files already in `dir` with the published
 * hash are not fetched again. DL4C_INVALID_ARG for an unknown name,
 * DL4C_IO when a download fails, DL4C_FORMAT ("checksum mismatch") when a
 * file differs from the published one; files fetched before the failure
 * stay. Load the result with dl4c_mnist_load_dir. Not thread-safe for the
 * same directory. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_dataset_download(const char *name,
                                                          const char *base_url,
                                                          const char *dir);

/* ---- normalizers ------------------------------------------------------ */

typedef enum dl4c_normalizer_kind {
    DL4C_NORM_STANDARDIZE = 0, /* (x - mean) / std per feature */
    DL4C_NORM_MINMAX,          /* (x - min) / (max - min) into [lo, hi] */
    DL4C_NORM_IMAGE,           /* x / max_pixel into [lo, hi] (0..1) */
    DL4C_NORM_COUNT
} dl4c_normalizer_kind;

typedef struct dl4c_normalizer dl4c_normalizer;

DL4C_API DL4C_NODISCARD dl4c_status
dl4c_normalizer_create(dl4c_normalizer_kind kind, dl4c_normalizer **out);
DL4C_API void dl4c_normalizer_free(dl4c_normalizer *n);
DL4C_API dl4c_normalizer_kind
dl4c_normalizer_get_kind(const dl4c_normalizer *n);
/* "standardize", "minmax", "image" to a kind; DL4C_INVALID_ARG for any
 * other name. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_normalizer_kind_parse(const char *name, dl4c_normalizer_kind *out);
/* The name of a kind ("standardize", ...); "invalid" when out of range.
 * A static string. */
DL4C_API const char *dl4c_normalizer_kind_name(dl4c_normalizer_kind kind);
/* Output range for MINMAX and IMAGE (default 0, 1). Needs finite values
 * with hi > lo; other values are ignored. */
DL4C_API void dl4c_normalizer_set_range(dl4c_normalizer *n, double lo,
                                        double hi);
/* Largest raw pixel value for IMAGE (default 255); values <= 0 or not
 * finite are ignored. */
DL4C_API void dl4c_normalizer_set_max_pixel(dl4c_normalizer *n, double max);
/* Also normalize regression labels (STANDARDIZE / MINMAX), from the next
 * fit on. One-hot labels (datasets with classes) are never normalized. */
DL4C_API void dl4c_normalizer_set_fit_labels(dl4c_normalizer *n, bool on);

/* Computes the statistics from training data. Features are normalized per
 * feature along the last axis (a CSV column, an image channel). STANDARDIZE
 * uses the population standard deviation, so the fitted data comes out with
 * mean 0 and std 1. A feature with zero spread is left centered (MINMAX:
 * at lo), not divided by zero. IMAGE needs no fit (calling it is
 * harmless). DL4C_FORMAT when the data holds a NaN or an infinity. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_normalizer_fit(dl4c_normalizer *n,
                                                        const dl4c_dataset *ds);
/* In place, features [N, ..., F] (float32 or float64) with F matching the
 * fitted features (IMAGE: any shape); DL4C_STATE before fit, DL4C_SHAPE
 * on a width mismatch. Never allocates. revert undoes transform. A fitted
 * normalizer may be used by several threads at once. */
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
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_normalizer_parse(const char *json, dl4c_normalizer **out);

/* ---- iterators -------------------------------------------------------- */

/* One minibatch: views into iterator-owned buffers, valid until the next
 * call on the iterator (and overwritten by it). */
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
 * every epoch visits every example exactly once, in a new order drawn from
 * the iterator's own generator seeded with `seed` (the same seed gives the
 * same orders); without it, in dataset order. Takes no memory per batch:
 * the batch buffers are allocated here. DL4C_INVALID_ARG for a NULL
 * dataset or batch_size <= 0. An iterator is used by one thread at a
 * time. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_iterator_create(const dl4c_dataset *ds,
                                                         int64_t batch_size,
                                                         bool shuffle,
                                                         uint64_t seed,
                                                         dl4c_iterator **out);
DL4C_API void dl4c_iterator_free(dl4c_iterator *it);
/* True while the current epoch has examples left (false for NULL). */
DL4C_API bool dl4c_iterator_has_next(const dl4c_iterator *it);
/* The next batch of the epoch; never allocates. DL4C_STATE when the epoch
 * is over (call dl4c_iterator_reset). When the normalizer does not fit the
 * batch its error (e.g. DL4C_SHAPE) is returned and the batch is skipped. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_iterator_next(dl4c_iterator *it,
                                                       dl4c_batch *batch);
/* Starts the next epoch (a new order when shuffling), also from the middle
 * of one. */
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
/* An iterator that fills up to `depth` (1..64) batches ahead from `inner`
 * on a background thread, so a training step finds its next batch ready
 * instead of waiting for reading, decoding or gathering. It takes over
 * `inner` (also on failure) and frees it with itself; memory is bounded
 * by depth + 1 batches. The normalizer set on the returned iterator is
 * applied on the worker thread; it is read when the worker starts (the
 * first next of an epoch), so set it before. The worker runs one epoch at
 * a time and stops at its end, on reset and on free. Batches, counts and
 * the saved state are those of `inner` (a saved state counts only the
 * batches handed out, not those prefetched), so a checkpoint taken with
 * prefetching resumes exactly. DL4C_INVALID_ARG for a NULL inner or a
 * depth out of range; an error of `inner` surfaces from the next call to
 * dl4c_iterator_next with its message. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_iterator_prefetch(dl4c_iterator *inner,
                                                           int depth,
                                                           dl4c_iterator **out);

/* The iterator's position and random state as JSON (freed with dl4c_free),
 * and back: after state_load the iterator continues exactly where the
 * saved one was, mid-epoch included, whatever seed it was created with.
 * The state holds the epoch number, the cursor and the generator state at
 * the start of the epoch (from which the epoch's order is regenerated), not
 * the data or the normalizer. It loads into an iterator of the same kind
 * over the same number of examples with the same shuffle setting; the
 * batch size may differ. DL4C_FORMAT on a malformed or mismatched state,
 * which leaves the iterator unchanged. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_iterator_state_save(const dl4c_iterator *it, char **json);
DL4C_API DL4C_NODISCARD dl4c_status dl4c_iterator_state_load(dl4c_iterator *it,
                                                             const char *json);

#ifdef __cplusplus
}
#endif
#endif
