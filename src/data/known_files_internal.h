/* The published files of the datasets dl4c knows by name (MNIST,
 * Fashion-MNIST): size and SHA-256 of each, and where to download them. */
#ifndef DL4C_KNOWN_FILES_INTERNAL_H
#define DL4C_KNOWN_FILES_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "dl4c/status.h"

typedef struct dl4c_known_file {
    const char *dataset; /* "mnist", "fashion-mnist" */
    const char *name;    /* file name as published */
    int64_t size;        /* bytes */
    const char *sha256;  /* 64 lower-case hex digits */
} dl4c_known_file;

typedef struct dl4c_known_dataset {
    const char *name;     /* "mnist" */
    const char *title;    /* "MNIST" */
    const char *base_url; /* default download location, ends in '/' */
} dl4c_known_dataset;

/* The dataset called `name`, or NULL. */
const dl4c_known_dataset *dl4c_known_dataset_find(const char *name);
/* The i-th known file (all datasets), or NULL past the end. */
const dl4c_known_file *dl4c_known_file_at(int i);

/* When `path`'s file name and size match a published file, checks its
 * SHA-256: DL4C_FORMAT ("checksum mismatch") when it differs. Files that
 * match no published one pass unchecked. *checked (may be NULL) tells
 * whether a hash was compared. */
dl4c_status dl4c_known_file_verify(const char *path, bool *checked);

#endif
