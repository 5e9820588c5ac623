/* The order an iterator walks its n examples in, shared by the in-memory
 * dataset iterator and the image-file iterator: each epoch's order is a
 * permutation drawn from the generator state at the start of the epoch
 * (identity without shuffling), and that state, the epoch and the cursor
 * are what a checkpoint stores, so a run resumes exactly. */
#ifndef DL4C_EPOCH_ORDER_INTERNAL_H
#define DL4C_EPOCH_ORDER_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "dl4c/rng.h"
#include "dl4c/status.h"

typedef struct dl4c_epoch_order {
    int64_t n;
    bool shuffle;
    uint64_t seed;
    int64_t epoch;
    int64_t cursor;     /* examples returned this epoch */
    dl4c_rng epoch_rng; /* state before this epoch's permutation */
    dl4c_rng rng;       /* state after it: the next epoch starts here */
    int64_t *order;     /* this epoch's permutation; NULL without shuffle */
} dl4c_epoch_order;

/* Epoch 0 of n examples. DL4C_NOMEM. */
dl4c_status dl4c_epoch_order_init(dl4c_epoch_order *o, int64_t n, bool shuffle,
                                  uint64_t seed);
void dl4c_epoch_order_free(dl4c_epoch_order *o);
/* Starts the next epoch (a new permutation when shuffling). */
void dl4c_epoch_order_next_epoch(dl4c_epoch_order *o);
/* The example at position `pos` of this epoch. */
static inline int64_t dl4c_epoch_order_at(const dl4c_epoch_order *o,
                                          int64_t pos)
{
    return o->order ? o->order[pos] : pos;
}
/* Adds "count", "shuffle", "seed", "epoch", "cursor" and "epoch_rng" to
 * `state`; reads them back, checking them against this order (messages
 * name the examples `what`, "examples", and what holds them `holder`,
 * "dataset"). Load leaves the order unchanged on a DL4C_FORMAT error. */
dl4c_status dl4c_epoch_order_save(const dl4c_epoch_order *o, json_t *state);
dl4c_status dl4c_epoch_order_load(dl4c_epoch_order *o, const json_t *state,
                                  const char *what, const char *holder);

#endif
