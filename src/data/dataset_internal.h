/* The dataset struct and row gathering, shared by the readers, the split
 * and the dataset iterator. A dataset owns its features and labels; the
 * first dim of both is the example count. */
#ifndef DL4C_DATASET_INTERNAL_H
#define DL4C_DATASET_INTERNAL_H

#include "core/tensor_internal.h"
#include "dl4c/data.h"

struct dl4c_dataset {
    dl4c_tensor *features; /* [N, ...] */
    dl4c_tensor *labels;   /* [N, L] or NULL */
    int num_classes;       /* 0: regression or unlabeled */
    char **class_names;    /* num_classes entries (each may be NULL), or NULL */
    dl4c_tensor *features_mask; /* [N, T] for sequences, or NULL */
    dl4c_tensor *labels_mask;   /* [N, T] for per-step labels, or NULL */
};

/* Bytes of one example (one row along the first dim) of t. */
size_t dl4c_tensor_row_bytes(const dl4c_tensor *t);

/* Copies rows of `src` into `dst` (rows of the same layout): row i of dst
 * gets row idx[i] of src, or row start+i when idx is NULL. No checks: the
 * caller has validated the indices. */
void dl4c_gather_rows(const dl4c_tensor *src, const int64_t *idx, int64_t start,
                      int64_t n, void *dst);

/* New dataset of the rows idx[0..n) (or [start, start+n) when idx is NULL)
 * with ds's classes. n must be > 0. */
dl4c_status dl4c_dataset_gather(const dl4c_dataset *ds, const int64_t *idx,
                                int64_t start, int64_t n, dl4c_dataset **out);

/* Class of example i: the index of the largest entry of its (first)
 * one-hot label row (0 when unlabeled); for per-step labels [N, T, C] the
 * first step's. */
int dl4c_dataset_class_of(const dl4c_dataset *ds, int64_t i);

#endif
