/* The sampled prediction log: request threads hand over copies of the
 * rows they served; one thread writes them to the store in the
 * background, so a request never waits for the disk. When more than
 * 100,000 rows are waiting, new ones are dropped (and counted). */
#ifndef DL4C_PREDLOG_INTERNAL_H
#define DL4C_PREDLOG_INTERNAL_H

#include <stdint.h>

#include "serve/metrics_internal.h"

typedef struct dl4c_predlog dl4c_predlog;

/* Opens the store at `home` (NULL: $DL4C_HOME) and starts the writer. */
dl4c_status dl4c_predlog_create(const char *home, dl4c_metrics *metrics,
                                dl4c_predlog **out);
/* Queues rows [rows, in_width] inputs and [rows, out_width] outputs
 * (copied). Thread-safe; never blocks on the disk. */
void dl4c_predlog_push(dl4c_predlog *l, const char *name, int64_t version,
                       int64_t rows, int64_t in_width, const float *in,
                       int64_t out_width, const float *out);
/* Writes what is queued, stops the writer, closes the store. */
void dl4c_predlog_free(dl4c_predlog *l);

#endif
