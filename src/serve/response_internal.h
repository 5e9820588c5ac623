/* TensorFlow Serving response bodies: predictions in row or columnar
 * form, classify and regress results, model status and metadata, and
 * errors. Each returns a new string (dl4c_free) and its length, or NULL
 * when out of memory. Floats are written as the shortest text that reads
 * back as the same float32. */
#ifndef DL4C_RESPONSE_INTERNAL_H
#define DL4C_RESPONSE_INTERNAL_H

#include "serve/request_internal.h"

/* {"error": "<msg>"} */
char *dl4c_serve_write_error(const char *msg, size_t *len);

/* Row format: {"predictions": [per example: the value of the single
 * output, or an object of named outputs]}; columnar: {"outputs": the
 * batched single output, or an object of named batched outputs}.
 * outputs[i] is [rows, sig->output_sizes[i]]. */
char *dl4c_serve_write_predict(const dl4c_serve_signature *sig, bool columnar,
                               int64_t rows, float *const *outputs,
                               size_t *len);

/* {"results": [[[label, score], ...] per example]} from [rows, classes]
 * scores; one score per example (a sigmoid) means classes "0" and "1"
 * with scores 1 - p and p. Labels are the class names when given, else
 * the class indices as strings. */
char *dl4c_serve_write_classify(int64_t rows, int64_t classes,
                                const float *scores, int n_names,
                                const char *const *names, size_t *len);

/* {"results": [value per example]} from [rows] values. */
char *dl4c_serve_write_regress(int64_t rows, const float *values, size_t *len);

typedef struct dl4c_serve_version_status {
    int64_t version;
    const char *state;         /* START, LOADING, AVAILABLE, UNLOADING, END */
    const char *error_message; /* NULL or "" when OK */
} dl4c_serve_version_status;

/* {"model_version_status": [{"version": "2", "state": "AVAILABLE",
 *   "status": {"error_code": "OK", "error_message": ""}}, ...]} */
char *dl4c_serve_write_status(const dl4c_serve_version_status *v, int n,
                              size_t *len);

/* GetModelMetadataResponse: model_spec, then the signature_def map with
 * serving_default (and tensorflow/serving/classify or .../regress) whose
 * inputs and outputs carry dtype DT_FLOAT and the shape with a -1 batch
 * dim; class names under "dl4c". */
char *dl4c_serve_write_metadata(const char *name, int64_t version,
                                const dl4c_serve_signature *sig,
                                bool classifier, int n_names,
                                const char *const *names, size_t *len);

#endif
