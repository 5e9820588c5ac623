/* Response bodies in TensorFlow Serving's JSON (response_internal.h). */
#include <stdio.h>

#include "serve/response_internal.h"
#include "serve/text_internal.h"

char *dl4c_serve_write_error(const char *msg, size_t *len)
{
    dl4c_text t = {0};
    dl4c_text_adds(&t, "{\"error\": ");
    dl4c_text_json_string(&t, msg ? msg : "");
    dl4c_text_adds(&t, "}\n");
    return dl4c_text_take(&t, len);
}

/* The value of one example (or a batch when `batch` > 0) of `shape`. */
static void nested(dl4c_text *t, const float *v, const int64_t *dims, int ndim)
{
    if (ndim == 0) {
        dl4c_text_float(t, *v);
        return;
    }
    int64_t inner = 1;
    for (int d = 1; d < ndim; d++)
        inner *= dims[d];
    dl4c_text_add(t, "[", 1);
    for (int64_t i = 0; i < dims[0]; i++) {
        if (i)
            dl4c_text_add(t, ", ", 2);
        nested(t, v + i * inner, dims + 1, ndim - 1);
    }
    dl4c_text_add(t, "]", 1);
}

static void example(dl4c_text *t, const dl4c_serve_signature *sig, int o,
                    const float *v)
{
    nested(t, v, sig->output_shapes[o].dim, sig->output_shapes[o].ndim);
}

static void batch(dl4c_text *t, const dl4c_serve_signature *sig, int o,
                  int64_t rows, const float *v)
{
    int64_t dims[DL4C_MAX_DIMS + 1];
    dims[0] = rows;
    for (int d = 0; d < sig->output_shapes[o].ndim; d++)
        dims[d + 1] = sig->output_shapes[o].dim[d];
    nested(t, v, dims, sig->output_shapes[o].ndim + 1);
}

char *dl4c_serve_write_predict(const dl4c_serve_signature *sig, bool columnar,
                               int64_t rows, float *const *outputs, size_t *len)
{
    dl4c_text t = {0};
    int n = sig->n_outputs;
    if (columnar) {
        dl4c_text_adds(&t, "{\"outputs\": ");
        if (n == 1) {
            batch(&t, sig, 0, rows, outputs[0]);
        } else {
            dl4c_text_add(&t, "{", 1);
            for (int o = 0; o < n; o++) {
                dl4c_text_adds(&t, o ? ", " : "");
                dl4c_text_json_string(&t, sig->output_names[o]);
                dl4c_text_adds(&t, ": ");
                batch(&t, sig, o, rows, outputs[o]);
            }
            dl4c_text_add(&t, "}", 1);
        }
    } else {
        dl4c_text_adds(&t, "{\"predictions\": [");
        for (int64_t r = 0; r < rows; r++) {
            dl4c_text_adds(&t, r ? ", " : "");
            if (n == 1) {
                example(&t, sig, 0, outputs[0] + r * sig->output_sizes[0]);
                continue;
            }
            dl4c_text_add(&t, "{", 1);
            for (int o = 0; o < n; o++) {
                dl4c_text_adds(&t, o ? ", " : "");
                dl4c_text_json_string(&t, sig->output_names[o]);
                dl4c_text_adds(&t, ": ");
                example(&t, sig, o, outputs[o] + r * sig->output_sizes[o]);
            }
            dl4c_text_add(&t, "}", 1);
        }
        dl4c_text_add(&t, "]", 1);
    }
    dl4c_text_adds(&t, "}\n");
    return dl4c_text_take(&t, len);
}

static void label(dl4c_text *t, int64_t c, int n_names,
                  const char *const *names)
{
    if (names && c < n_names && names[c]) {
        dl4c_text_json_string(t, names[c]);
    } else {
        dl4c_text_addf(t, "\"%lld\"", (long long)c);
    }
}

char *dl4c_serve_write_classify(int64_t rows, int64_t classes,
                                const float *scores, int n_names,
                                const char *const *names, size_t *len)
{
    dl4c_text t = {0};
    dl4c_text_adds(&t, "{\"results\": [");
    for (int64_t r = 0; r < rows; r++) {
        dl4c_text_adds(&t, r ? ", [" : "[");
        if (classes == 1) {
            float p = scores[r];
            for (int64_t c = 0; c < 2; c++) {
                dl4c_text_adds(&t, c ? ", [" : "[");
                label(&t, c, n_names, names);
                dl4c_text_adds(&t, ", ");
                dl4c_text_float(&t, c ? p : 1.0f - p);
                dl4c_text_add(&t, "]", 1);
            }
        } else {
            for (int64_t c = 0; c < classes; c++) {
                dl4c_text_adds(&t, c ? ", [" : "[");
                label(&t, c, n_names, names);
                dl4c_text_adds(&t, ", ");
                dl4c_text_float(&t, scores[r * classes + c]);
                dl4c_text_add(&t, "]", 1);
            }
        }
        dl4c_text_add(&t, "]", 1);
    }
    dl4c_text_adds(&t, "]}\n");
    return dl4c_text_take(&t, len);
}

char *dl4c_serve_write_regress(int64_t rows, const float *values, size_t *len)
{
    dl4c_text t = {0};
    dl4c_text_adds(&t, "{\"results\": [");
    for (int64_t r = 0; r < rows; r++) {
        dl4c_text_adds(&t, r ? ", " : "");
        dl4c_text_float(&t, values[r]);
    }
    dl4c_text_adds(&t, "]}\n");
    return dl4c_text_take(&t, len);
}

char *dl4c_serve_write_status(const dl4c_serve_version_status *v, int n,
                              size_t *len)
{
    dl4c_text t = {0};
    dl4c_text_adds(&t, "{\"model_version_status\": [");
    for (int i = 0; i < n; i++) {
        bool failed = v[i].error_message && v[i].error_message[0];
        dl4c_text_addf(&t,
                       "%s\n  {\"version\": \"%lld\", \"state\": \"%s\", "
                       "\"status\": {\"error_code\": \"%s\", "
                       "\"error_message\": ",
                       i ? "," : "", (long long)v[i].version, v[i].state,
                       failed ? "UNKNOWN" : "OK");
        dl4c_text_json_string(&t, failed ? v[i].error_message : "");
        dl4c_text_adds(&t, "}}");
    }
    dl4c_text_adds(&t, "\n]}\n");
    return dl4c_text_take(&t, len);
}

static void tensor_infos(dl4c_text *t, int n, const char *const *names,
                         const dl4c_shape *shapes)
{
    dl4c_text_add(t, "{", 1);
    for (int i = 0; i < n; i++) {
        dl4c_text_adds(t, i ? ",\n" : "\n");
        dl4c_text_adds(t, "      ");
        dl4c_text_json_string(t, names[i]);
        dl4c_text_adds(t, ": {\"dtype\": \"DT_FLOAT\", \"tensor_shape\": "
                          "{\"dim\": [{\"size\": \"-1\", \"name\": \"\"}");
        for (int d = 0; d < shapes[i].ndim; d++)
            dl4c_text_addf(t, ", {\"size\": \"%lld\", \"name\": \"\"}",
                           (long long)shapes[i].dim[d]);
        dl4c_text_adds(t, "], \"unknown_rank\": false}, \"name\": ");
        dl4c_text_json_string(t, names[i]);
        dl4c_text_add(t, "}", 1);
    }
    dl4c_text_adds(t, "}");
}

static void signature(dl4c_text *t, const char *key, const char *method,
                      const dl4c_serve_signature *sig)
{
    dl4c_text_adds(t, "    ");
    dl4c_text_json_string(t, key);
    dl4c_text_adds(t, ": {\"inputs\": ");
    tensor_infos(t, sig->n_inputs, sig->input_names, sig->input_shapes);
    dl4c_text_adds(t, ",\n     \"outputs\": ");
    tensor_infos(t, sig->n_outputs, sig->output_names, sig->output_shapes);
    dl4c_text_addf(t, ",\n     \"method_name\": \"%s\"}", method);
}

char *dl4c_serve_write_metadata(const char *name, int64_t version,
                                const dl4c_serve_signature *sig,
                                bool classifier, int n_names,
                                const char *const *names, size_t *len)
{
    dl4c_text t = {0};
    dl4c_text_adds(&t, "{\"model_spec\": {\"name\": ");
    dl4c_text_json_string(&t, name);
    dl4c_text_addf(&t,
                   ", \"signature_name\": \"\", \"version\": \"%lld\"},\n"
                   " \"metadata\": {\"signature_def\": {\"signature_def\": "
                   "{\n",
                   (long long)version);
    signature(&t, "serving_default", "tensorflow/serving/predict", sig);
    bool one_value = sig->n_outputs == 1 && sig->output_sizes[0] == 1;
    if (classifier && sig->n_outputs == 1) {
        dl4c_text_adds(&t, ",\n");
        signature(&t, "tensorflow/serving/classify",
                  "tensorflow/serving/classify", sig);
    } else if (!classifier && one_value) {
        dl4c_text_adds(&t, ",\n");
        signature(&t, "tensorflow/serving/regress",
                  "tensorflow/serving/regress", sig);
    }
    dl4c_text_adds(&t, "}},\n  \"dl4c\": {\"class_names\": [");
    for (int i = 0; i < n_names; i++) {
        dl4c_text_adds(&t, i ? ", " : "");
        dl4c_text_json_string(&t, names[i]);
    }
    dl4c_text_adds(&t, "]}}}\n");
    return dl4c_text_take(&t, len);
}
