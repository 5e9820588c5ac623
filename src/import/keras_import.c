/* The public Keras import (include/dl4c/keras.h): open the source, flatten
 * its graph, translate it (every untranslatable layer is reported at
 * once), add the training configuration, build the net, load the weights
 * and the optimizer state, and record what the import did in the net's
 * metadata. Also the layout conversions between Keras' arrays and the
 * net's for channels_first models. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "import/keras_internal.h"
#include "nn/net_internal.h"

dl4c_keras_options dl4c_keras_options_default(void)
{
    dl4c_keras_options o = {.dtype = DL4C_F32, .seed = 42};
    return o;
}

static dl4c_status set_json_meta(dl4c_net *net, const char *key, json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    if (!s)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    dl4c_status st = dl4c_net_set_metadata(net, key, s);
    free(s);
    return st;
}

/* "channels_first" for NHWC-held channels-first arrays of rank 3 or more
 * (smaller arrays are the same in both layouts). */
static dl4c_status set_layouts(dl4c_net *net, const char *key,
                               const kx_layout *layouts, int n, bool outputs)
{
    json_t *a = json_array();
    bool any = false;
    for (int i = 0; a && i < n; i++) {
        dl4c_shape s = outputs ? dl4c_net_output_shape(net, i)
                               : dl4c_net_input_shape(net, i);
        bool cf = layouts[i] == KX_LAYOUT_CF && s.ndim >= 2;
        any |= cf;
        json_array_append_new(
            a, json_string(cf ? "channels_first" : "channels_last"));
    }
    if (!a)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    dl4c_status st = any ? set_json_meta(net, key, a) : DL4C_OK;
    json_decref(a);
    return st;
}

static dl4c_status record(const kx_source *src, const kx_net_info *info,
                          const json_t *warnings, dl4c_net *net)
{
    if (src->keras_version)
        DL4C_RETURN_IF(
            dl4c_net_set_metadata(net, "keras.version", src->keras_version));
    DL4C_RETURN_IF(dl4c_net_set_metadata(net, "keras.backend", src->backend));
    DL4C_RETURN_IF(set_layouts(net, "keras.input_layouts", info->input_layouts,
                               info->n_inputs, false));
    DL4C_RETURN_IF(set_layouts(net, "keras.output_layouts",
                               info->output_layouts, info->n_outputs, true));
    if (json_array_size(warnings))
        DL4C_RETURN_IF(
            set_json_meta(net, "keras.warnings", (json_t *)warnings));
    return DL4C_OK;
}

static dl4c_status import_source(const kx_source *src,
                                 const dl4c_keras_options *o, dl4c_net **out)
{
    dl4c_status status = DL4C_OK;
    kx_graph g = {0};
    kx_problems p = {0};
    kx_net_info info = {0};
    json_t *config = NULL, *warnings = json_array();
    dl4c_net *net = NULL;
    if (!warnings)
        DL4C_NOMEM_FAIL();
    DL4C_CHECK(o->dtype == DL4C_F32 || o->dtype == DL4C_F64, DL4C_INVALID_ARG,
               "keras: invalid dtype %d", (int)o->dtype);
    DL4C_TRY(kx_graph_build(src, o, &g));
    DL4C_TRY(kx_translate(src, &g, o, &p, &config, &info));
    status =
        kx_problems_report(&p, DL4C_UNSUPPORTED, "layers cannot be imported");
    if (status != DL4C_OK) {
        dl4c_error_prefix(status, "%s", src->name);
        goto fail;
    }
    if (!o->inference_only)
        DL4C_TRY(kx_training_config(src, &g, config, warnings));
    status = dl4c_net_build(config, o->dtype, &net);
    if (status != DL4C_OK) {
        dl4c_error_prefix(status, "%s", src->name);
        goto fail;
    }
    DL4C_TRY(kx_load_weights(src, &g, &info, o, net));
    if (!o->inference_only)
        DL4C_TRY(kx_optimizer_state(src, &g, &info, net, warnings));
    DL4C_TRY(record(src, &info, warnings, net));
    *out = net;
    net = NULL;
fail:
    dl4c_net_free(net);
    json_decref(config);
    json_decref(warnings);
    kx_net_info_deinit(&info);
    kx_problems_deinit(&p);
    kx_graph_deinit(&g);
    return status;
}

dl4c_status dl4c_keras_import(const char *path, const dl4c_keras_options *opts,
                              dl4c_net **out)
{
    kx_source src;
    dl4c_keras_options o = opts ? *opts : dl4c_keras_options_default();
    if (out)
        *out = NULL;
    if (!path || !out)
        return dl4c_error_set(DL4C_INVALID_ARG, "keras: NULL argument");
    DL4C_RETURN_IF(kx_source_open(path, &src));
    dl4c_status st = import_source(&src, &o, out);
    kx_source_deinit(&src);
    return st;
}

dl4c_status dl4c_keras_import_files(const char *config_path,
                                    const char *weights_path,
                                    const dl4c_keras_options *opts,
                                    dl4c_net **out)
{
    kx_source src;
    dl4c_keras_options o = opts ? *opts : dl4c_keras_options_default();
    if (out)
        *out = NULL;
    if (!config_path || !out)
        return dl4c_error_set(DL4C_INVALID_ARG, "keras: NULL argument");
    DL4C_RETURN_IF(kx_source_open_split(config_path, weights_path, &src));
    dl4c_status st = import_source(&src, &o, out);
    kx_source_deinit(&src);
    return st;
}

/* ---- layouts of arrays going in and out ---- */

static bool is_cf(const dl4c_net *net, const char *key, int i)
{
    const char *text = dl4c_net_get_metadata(net, key);
    json_t *a = text ? json_loads(text, 0, NULL) : NULL;
    const char *v = json_string_value(json_array_get(a, (size_t)i));
    bool cf = v && !strcmp(v, "channels_first");
    json_decref(a);
    return cf;
}

/* [N, C, S] <-> [N, S, C] over the flattened spatial dims S. */
static void transpose(const dl4c_tensor *in, dl4c_tensor *out, int64_t n,
                      int64_t c, int64_t s, bool to_last)
{
    size_t dts = dl4c_dtype_size(dl4c_tensor_dtype(in));
    const char *src = dl4c_tensor_data(in);
    char *dst = dl4c_tensor_data(out);
    for (int64_t b = 0; b < n; b++)
        for (int64_t ch = 0; ch < c; ch++)
            for (int64_t x = 0; x < s; x++) {
                int64_t cf = (b * c + ch) * s + x, cl = (b * s + x) * c + ch;
                memcpy(dst + (size_t)(to_last ? cl : cf) * dts,
                       src + (size_t)(to_last ? cf : cl) * dts, dts);
            }
}

static dl4c_status convert(const dl4c_net *net, int i, bool input,
                           const dl4c_tensor *a, dl4c_tensor **out)
{
    char got[160], want[160];
    if (out)
        *out = NULL;
    if (!net || !a || !out)
        return dl4c_error_set(DL4C_INVALID_ARG, "keras: NULL argument");
    int n_io = input ? dl4c_net_num_inputs(net) : dl4c_net_num_outputs(net);
    if (i < 0 || i >= n_io)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "keras: the net has %d %s, not %d", n_io,
                              input ? "inputs" : "outputs", i + 1);
    dl4c_shape net_shape =
        input ? dl4c_net_input_shape(net, i) : dl4c_net_output_shape(net, i);
    dl4c_shape s = dl4c_tensor_shape(a);
    int64_t rows = s.ndim ? s.dim[0] : 1;
    bool cf =
        is_cf(net, input ? "keras.input_layouts" : "keras.output_layouts", i);
    dl4c_shape full = {.ndim = net_shape.ndim + 1};
    full.dim[0] = rows;
    memcpy(full.dim + 1, net_shape.dim,
           sizeof net_shape.dim[0] * (size_t)net_shape.ndim);
    if (cf && input) { /* the Keras array is [N, C, d...] */
        full.dim[1] = net_shape.dim[net_shape.ndim - 1];
        memcpy(full.dim + 2, net_shape.dim,
               sizeof net_shape.dim[0] * (size_t)(net_shape.ndim - 1));
    }
    if (input && dl4c_tensor_size(a) != rows * dl4c_shape_size(&net_shape))
        return dl4c_error_set(DL4C_SHAPE,
                              "input %d ('%s'): expected %s, got %s", i,
                              dl4c_net_input_name(net, i),
                              dl4c_shape_format(&full, want, sizeof want),
                              dl4c_shape_format(&s, got, sizeof got));
    if (input && cf) {
        for (int d = 0; d < s.ndim && d < full.ndim; d++)
            if (s.ndim != full.ndim || s.dim[d] != full.dim[d])
                return dl4c_error_set(
                    DL4C_SHAPE,
                    "input %d ('%s') is channels_first: expected %s, got %s", i,
                    dl4c_net_input_name(net, i),
                    dl4c_shape_format(&full, want, sizeof want),
                    dl4c_shape_format(&s, got, sizeof got));
    }
    DL4C_RETURN_IF(dl4c_tensor_copy(a, out));
    if (!cf || net_shape.ndim < 2)
        return input ? dl4c_tensor_reshape(*out, full.ndim, full.dim) : DL4C_OK;
    int64_t c = net_shape.dim[net_shape.ndim - 1];
    int64_t sp = dl4c_shape_size(&net_shape) / c;
    transpose(a, *out, rows, c, sp, input);
    dl4c_shape res = {.ndim = net_shape.ndim + 1};
    res.dim[0] = rows;
    if (input) {
        memcpy(res.dim + 1, net_shape.dim,
               sizeof net_shape.dim[0] * (size_t)net_shape.ndim);
    } else { /* [N, d..., C] back to [N, C, d...] */
        res.dim[1] = c;
        memcpy(res.dim + 2, net_shape.dim,
               sizeof net_shape.dim[0] * (size_t)(net_shape.ndim - 1));
    }
    return dl4c_tensor_reshape(*out, res.ndim, res.dim);
}

dl4c_status dl4c_keras_input_convert(const dl4c_net *net, int i,
                                     const dl4c_tensor *array,
                                     dl4c_tensor **out)
{
    return convert(net, i, true, array, out);
}

dl4c_status dl4c_keras_output_convert(const dl4c_net *net, int i,
                                      const dl4c_tensor *output,
                                      dl4c_tensor **out)
{
    return convert(net, i, false, output, out);
}
