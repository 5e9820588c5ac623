/* The iterator interface. An iterator is a table of functions plus the
 * fields every kind shares; a kind (the in-memory dataset iterator today,
 * streaming or prefetching ones later) embeds `dl4c_iterator` as its first
 * member and provides the table. The generic layer (iterator.c) checks
 * arguments, applies the normalizer to each batch and wraps the kind's
 * state in a versioned JSON object, so kinds only move data. */
#ifndef DL4C_ITERATOR_INTERNAL_H
#define DL4C_ITERATOR_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/tensor_internal.h"
#include "dl4c/data.h"

/* A batch as a kind fills it: tensors in iterator-owned buffers that the
 * generic layer may modify (normalize) before handing them out. */
typedef struct dl4c_batch_buffers {
    int64_t size;
    dl4c_tensor *features;
    dl4c_tensor *labels;        /* or NULL */
    dl4c_tensor *features_mask; /* or NULL */
    dl4c_tensor *labels_mask;   /* or NULL */
} dl4c_batch_buffers;

typedef struct dl4c_iterator_vtable {
    const char *kind; /* written into the state: "dataset" */
    /* The kind applies the iterator's normalizer itself (a prefetching
     * kind does it on its worker thread); the generic layer then does
     * not. */
    bool self_normalizing;
    bool (*has_next)(const dl4c_iterator *it);
    /* Fills the next batch; called only when has_next is true. Must not
     * allocate. */
    dl4c_status (*next)(dl4c_iterator *it, dl4c_batch_buffers *out);
    /* Starts the next epoch. */
    dl4c_status (*reset)(dl4c_iterator *it);
    /* Examples per epoch (-1 unknown) and already returned this epoch. */
    int64_t (*count)(const dl4c_iterator *it);
    int64_t (*position)(const dl4c_iterator *it);
    /* Adds the kind's fields to `state`; reads them back. Load sets a
     * DL4C_FORMAT message on a bad or mismatched state and leaves the
     * iterator unchanged then. */
    dl4c_status (*state_save)(const dl4c_iterator *it, json_t *state);
    dl4c_status (*state_load)(dl4c_iterator *it, const json_t *state);
    /* Frees the kind's resources and the iterator itself. */
    void (*destroy)(dl4c_iterator *it);
} dl4c_iterator_vtable;

struct dl4c_iterator {
    const dl4c_iterator_vtable *vt;
    int64_t batch_size;
    const dl4c_normalizer *normalizer; /* borrowed, or NULL */
};

#endif
