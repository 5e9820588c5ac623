/* The server's Prometheus metrics: request counts by model, version,
 * method and HTTP status; request latency and batch size histograms;
 * model load times. Gauges that are read live (queue depth, current
 * version, requests in flight) are written by the server next to these.
 * Every call is thread-safe. */
#ifndef DL4C_METRICS_INTERNAL_H
#define DL4C_METRICS_INTERNAL_H

#include <stdint.h>

#include "serve/text_internal.h"

typedef struct dl4c_metrics dl4c_metrics;

dl4c_status dl4c_metrics_create(dl4c_metrics **out);
void dl4c_metrics_free(dl4c_metrics *m);

/* One finished request: model "" and version 0 when it named no served
 * model; method is the route ("predict", "status", "health", ...). */
void dl4c_metrics_request(dl4c_metrics *m, const char *model, int64_t version,
                          const char *method, int code, double seconds);
/* One batch run by a worker. */
void dl4c_metrics_batch(dl4c_metrics *m, const char *model, int64_t version,
                        int64_t rows);
/* A version finished loading (and warming up) in `seconds`. */
void dl4c_metrics_load(dl4c_metrics *m, const char *model, int64_t version,
                       double seconds);
/* Predictions logged to the store, or dropped when the log fell behind. */
void dl4c_metrics_logged(dl4c_metrics *m, int64_t rows, bool dropped);

/* Appends the text exposition of everything above. */
void dl4c_metrics_write(dl4c_metrics *m, dl4c_text *t);

/* A "# HELP" and "# TYPE" pair. */
void dl4c_metrics_header(dl4c_text *t, const char *name, const char *type,
                         const char *help);
/* A label value with Prometheus escapes, quoted. */
void dl4c_metrics_label(dl4c_text *t, const char *value);

#endif
