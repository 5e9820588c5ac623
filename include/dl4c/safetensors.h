/* safetensors files: named tensors plus string metadata, the container of
 * dl4c model files and checkpoints, readable by other tools.
 *
 *   // write
 *   dl4c_safetensors_writer *w = NULL;
 *   if (dl4c_safetensors_writer_create(&w) != DL4C_OK ||
 *       dl4c_safetensors_writer_add(w, "dense/kernel", kernel) != DL4C_OK ||
 *       dl4c_safetensors_writer_add(w, "dense/bias", bias) != DL4C_OK ||
 *       dl4c_safetensors_writer_set_metadata(w, "dl4c.config", json) !=
 *           DL4C_OK ||
 *       dl4c_safetensors_writer_save(w, "model.dl4c") != DL4C_OK)
 *       fprintf(stderr, "%s\n", dl4c_last_error());
 *   dl4c_safetensors_writer_free(w);
 *
 *   // read
 *   dl4c_safetensors *f = NULL;
 *   dl4c_tensor *kernel = NULL;
 *   if (dl4c_safetensors_load("model.dl4c", &f) != DL4C_OK ||
 *       dl4c_safetensors_get(f, "dense/kernel", &kernel) != DL4C_OK)
 *       fprintf(stderr, "%s\n", dl4c_last_error());
 *   const char *config = dl4c_safetensors_metadata(f, "dl4c.config");
 *   ...
 *   dl4c_tensor_free(kernel);
 *   dl4c_safetensors_free(f);
 *
 * The layout is the public safetensors format: an 8-byte little-endian
 * header length N, N bytes of UTF-8 JSON
 *   {"__metadata__": {"key": "value", ...},
 *    "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
 *    ...}
 * (padded with spaces to a multiple of 8 bytes), then the tensors' bytes:
 * contiguous, row-major, little-endian, offsets relative to the end of the
 * header. Files written by dl4c carry the metadata key "dl4c.crc32": the
 * CRC-32 (zlib) of the whole file computed with those 8 hex digits set to
 * "00000000"; loading checks it, so a changed or damaged file is refused.
 */
#ifndef DL4C_SAFETENSORS_H
#define DL4C_SAFETENSORS_H

#include <stddef.h>

#include "dl4c/status.h"
#include "dl4c/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The metadata key that holds the checksum of files dl4c writes. */
#define DL4C_SAFETENSORS_CRC_KEY "dl4c.crc32"

/* Headers longer than this are refused as damaged (bytes). */
#define DL4C_SAFETENSORS_MAX_HEADER 100000000

/* ---- writing ---------------------------------------------------------- */

typedef struct dl4c_safetensors_writer dl4c_safetensors_writer;

/* Creates an empty writer. *out is the new writer (free it with
 * dl4c_safetensors_writer_free), NULL on failure. Returns DL4C_OK,
 * DL4C_INVALID_ARG when out is NULL, DL4C_NOMEM. A writer is used by one
 * thread at a time. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_safetensors_writer_create(dl4c_safetensors_writer **out);

/* Adds tensor `t` under `name` (copied). The tensor is borrowed: it must
 * stay alive and unchanged until the last dl4c_safetensors_writer_save;
 * its shape and data are read at save time. It is stored as F32 or F64
 * according to its dtype. Tensors are written in name order (strcmp),
 * whatever the order of the calls.
 * Returns DL4C_OK; DL4C_INVALID_ARG for a NULL argument, a name that is
 * not valid UTF-8, the reserved name "__metadata__", or a name already
 * added; DL4C_NOMEM. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_safetensors_writer_add(
    dl4c_safetensors_writer *w, const char *name, const dl4c_tensor *t);

/* Sets the metadata entry `key` to `value` (both copied), replacing an
 * earlier value of the same key. Both must be valid UTF-8.
 * Returns DL4C_OK; DL4C_INVALID_ARG for a NULL argument, text that is not
 * UTF-8, or the reserved key DL4C_SAFETENSORS_CRC_KEY (the writer sets it);
 * DL4C_NOMEM. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_safetensors_writer_set_metadata(
    dl4c_safetensors_writer *w, const char *key, const char *value);

/* Writes every added tensor and the metadata (plus the checksum entry
 * DL4C_SAFETENSORS_CRC_KEY) to `path`. The file is replaced atomically: it
 * is written to a temporary file in the same directory, flushed, fsynced
 * and renamed over `path`, so `path` holds either its old contents or the
 * complete new file, and no temporary file is left behind. The same
 * writer and tensors always give the same bytes. The writer stays valid
 * and can save again.
 * Returns DL4C_OK; DL4C_INVALID_ARG for a NULL argument or when the
 * header would exceed DL4C_SAFETENSORS_MAX_HEADER (readers refuse such
 * files); DL4C_IO ("<path>: cannot write: <strerror>") when the file
 * cannot be created, written or renamed (e.g. its directory does not
 * exist); DL4C_NOMEM. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_safetensors_writer_save(
    const dl4c_safetensors_writer *w, const char *path);

/* Frees the writer (not the tensors added to it). NULL is a no-op. */
DL4C_API void dl4c_safetensors_writer_free(dl4c_safetensors_writer *w);

/* ---- reading ---------------------------------------------------------- */

typedef struct dl4c_safetensors dl4c_safetensors;

/* Reads the whole file at `path` into memory and validates it: the header
 * JSON, every tensor's dtype, shape and data_offsets, that the tensors
 * cover the data exactly (no overlap, gap, trailing or missing bytes) and,
 * when the file has the DL4C_SAFETENSORS_CRC_KEY metadata entry, the
 * checksum. Files without that entry (written by other tools) load
 * without a checksum test.
 * Dtypes: F64, F32, F16, BF16, F8_E5M2, F8_E4M3, I64, I32, I16, I8, U64,
 * U32, U16, U8 and BOOL. Dims of 0 are allowed (empty tensors) but such a
 * tensor cannot be read into a dl4c tensor.
 * *out is the loaded file (free it with dl4c_safetensors_free), NULL on
 * failure. Returns DL4C_OK; DL4C_INVALID_ARG for a NULL argument; DL4C_IO
 * ("<path>: cannot open: <strerror>") when the file cannot be opened or
 * read; DL4C_FORMAT with a message naming the file and the problem
 * (truncated, checksum mismatch, bad header, unknown dtype, ...);
 * DL4C_UNSUPPORTED for a tensor of rank above DL4C_MAX_DIMS; DL4C_NOMEM.
 * A loaded file is read-only: any number of threads may read from it at
 * once. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_safetensors_load(const char *path, dl4c_safetensors **out);

/* Like dl4c_safetensors_load for `len` bytes in memory (copied; the caller
 * keeps `bytes`). `name` is used in messages in place of a path; NULL
 * gives "<memory>". Same statuses, without DL4C_IO. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_safetensors_parse(
    const void *bytes, size_t len, const char *name, dl4c_safetensors **out);

/* Frees a loaded file and its memory. Tensors made from it stay valid.
 * NULL is a no-op. */
DL4C_API void dl4c_safetensors_free(dl4c_safetensors *f);

/* The number of tensors in the file. */
DL4C_API size_t dl4c_safetensors_count(const dl4c_safetensors *f);

/* The name of tensor i, 0 <= i < count, in name order (strcmp); NULL when
 * i is out of range. Borrowed: lives as long as f. */
DL4C_API const char *dl4c_safetensors_name(const dl4c_safetensors *f, size_t i);

/* 1 when the file has a tensor called `name`, else 0. */
DL4C_API int dl4c_safetensors_has(const dl4c_safetensors *f, const char *name);

/* The dtype the tensor is stored as, as the format spells it ("F16",
 * "I32", ...); NULL when there is no such tensor. Static string. */
DL4C_API const char *dl4c_safetensors_stored_dtype(const dl4c_safetensors *f,
                                                   const char *name);

/* The shape of tensor `name` into *shape. Returns DL4C_OK;
 * DL4C_INVALID_ARG for a NULL argument; DL4C_FORMAT ("<file>: no tensor
 * '<name>'") when the file has no such tensor. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_safetensors_shape(
    const dl4c_safetensors *f, const char *name, dl4c_shape *shape);

/* The tensor `name` as a new float32 CPU tensor (values converted from the
 * stored dtype; BOOL gives 0 and 1; wide integers and F64 are rounded to
 * the nearest float). *out is the new tensor, NULL on failure. Returns
 * DL4C_OK; DL4C_INVALID_ARG for a NULL argument; DL4C_FORMAT when there is
 * no such tensor; DL4C_UNSUPPORTED for an empty tensor (a dim of 0);
 * DL4C_NOMEM. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_safetensors_get(
    const dl4c_safetensors *f, const char *name, dl4c_tensor **out);

/* dl4c_safetensors_get converting to `dtype` (DL4C_F32 or DL4C_F64;
 * DL4C_INVALID_ARG otherwise). */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_safetensors_get_as(const dl4c_safetensors *f, const char *name,
                        dl4c_dtype dtype, dl4c_tensor **out);

/* Converts tensor `name` into the existing tensor `dst` (its dtype, on its
 * backend), e.g. a weight view into a network's parameter vector. The
 * shapes must be equal. Returns DL4C_OK; DL4C_INVALID_ARG for a NULL
 * argument; DL4C_FORMAT when there is no such tensor; DL4C_SHAPE
 * ("<file>: tensor '<name>' has shape [2, 3], expected [3, 2]") when the
 * shapes differ; DL4C_NOMEM. dst is unchanged on failure. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_safetensors_read_into(
    const dl4c_safetensors *f, const char *name, dl4c_tensor *dst);

/* The metadata value of `key`, or NULL when the file has no such entry.
 * Borrowed: lives as long as f. */
DL4C_API const char *dl4c_safetensors_metadata(const dl4c_safetensors *f,
                                               const char *key);

/* The number of metadata entries (including DL4C_SAFETENSORS_CRC_KEY when
 * present). */
DL4C_API size_t dl4c_safetensors_metadata_count(const dl4c_safetensors *f);

/* The key of metadata entry i, 0 <= i < count, in key order (strcmp);
 * NULL when i is out of range. Borrowed: lives as long as f. */
DL4C_API const char *dl4c_safetensors_metadata_key(const dl4c_safetensors *f,
                                                   size_t i);

#ifdef __cplusplus
}
#endif
#endif
