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

/* "channels_first" for arrays dl4c holds with the channels of Keras axis 1
 * moved last, "channels_first:k" for Keras axis k (sequences of frames),
 * "channels_last" for Keras' own arrays (also for arrays whose channel
 * axis is the last one anyway). */
static dl4c_status set_layouts(dl4c_net *net, const char *key,
                               const kx_layout *layouts, int n, bool outputs)
{
    json_t *a = json_array();
    bool any = false;
    for (int i = 0; a && i < n; i++) {
        dl4c_shape s = outputs ? dl4c_net_output_shape(net, i)
                               : dl4c_net_input_shape(net, i);
        int axis = layouts[i];
        char text[32] = "channels_last";
        if (axis > 0 && axis < s.ndim) {
            snprintf(text, sizeof text,
                     axis == 1 ? "channels_first" : "channels_first:%d", axis);
            any = true;
        }
        json_array_append_new(a, json_string(text));
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

/* The Keras channel axis of input or output i held channels-last, or 0. */
static int cf_axis(const dl4c_net *net, const char *key, int i)
{
    const char *text = dl4c_net_get_metadata(net, key);
    json_t *a = text ? json_loads(text, 0, NULL) : NULL;
    const char *v = json_string_value(json_array_get(a, (size_t)i));
    int axis = 0;
    if (v && !strncmp(v, "channels_first", 14))
        axis = v[14] == ':' ? atoi(v + 15) : 1;
    json_decref(a);
    return axis;
}

/* [O, C, S] <-> [O, S, C]: the channel axis between the dims before it
 * (O, batch included) and after it (S). */
static void transpose(const dl4c_tensor *in, dl4c_tensor *out, int64_t o,
                      int64_t c, int64_t s, bool to_last)
{
    size_t dts = dl4c_dtype_size(dl4c_tensor_dtype(in));
    const char *src = dl4c_tensor_data(in);
    char *dst = dl4c_tensor_data(out);
    for (int64_t b = 0; b < o; b++)
        for (int64_t ch = 0; ch < c; ch++)
            for (int64_t x = 0; x < s; x++) {
                int64_t cf = (b * c + ch) * s + x, cl = (b * s + x) * c + ch;
                memcpy(dst + (size_t)(to_last ? cl : cf) * dts,
                       src + (size_t)(to_last ? cf : cl) * dts, dts);
            }
}

/* Keras' shape of the per-example dl4c shape `s` held with the channels
 * of Keras axis `axis` last. */
static dl4c_shape keras_shape(const dl4c_shape *s, int axis)
{
    dl4c_shape k = *s;
    if (axis < 1 || axis >= s->ndim)
        return k;
    int64_t ch = s->dim[s->ndim - 1];
    memmove(k.dim + axis, s->dim + axis - 1,
            sizeof s->dim[0] * (size_t)(s->ndim - axis));
    k.dim[axis - 1] = ch;
    return k;
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
    int axis =
        cf_axis(net, input ? "keras.input_layouts" : "keras.output_layouts", i);
    if (axis >= net_shape.ndim)
        axis = 0;
    /* the array Keras has: [N, shape] with the channels at `axis` */
    dl4c_shape ks = keras_shape(&net_shape, axis);
    dl4c_shape full = {.ndim = ks.ndim + 1};
    full.dim[0] = rows;
    memcpy(full.dim + 1, ks.dim, sizeof ks.dim[0] * (size_t)ks.ndim);
    if (input && dl4c_tensor_size(a) != rows * dl4c_shape_size(&net_shape))
        return dl4c_error_set(DL4C_SHAPE,
                              "input %d ('%s'): expected %s, got %s", i,
                              dl4c_net_input_name(net, i),
                              dl4c_shape_format(&full, want, sizeof want),
                              dl4c_shape_format(&s, got, sizeof got));
    if (input && axis) {
        bool same = s.ndim == full.ndim;
        for (int d = 0; same && d < s.ndim; d++)
            same = s.dim[d] == full.dim[d];
        if (!same)
            return dl4c_error_set(
                DL4C_SHAPE,
                "input %d ('%s') is channels_first: expected %s, got %s", i,
                dl4c_net_input_name(net, i),
                dl4c_shape_format(&full, want, sizeof want),
                dl4c_shape_format(&s, got, sizeof got));
    }
    DL4C_RETURN_IF(dl4c_tensor_copy(a, out));
    if (!axis)
        return input ? dl4c_tensor_reshape(*out, full.ndim, full.dim) : DL4C_OK;
    /* dims before the channels (batch included), the channels, after */
    int64_t o = rows, c = net_shape.dim[net_shape.ndim - 1], sp = 1;
    for (int d = 0; d < axis - 1; d++)
        o *= net_shape.dim[d];
    for (int d = axis - 1; d < net_shape.ndim - 1; d++)
        sp *= net_shape.dim[d];
    transpose(a, *out, o, c, sp, input);
    if (input) {
        dl4c_shape res = {.ndim = net_shape.ndim + 1};
        res.dim[0] = rows;
        memcpy(res.dim + 1, net_shape.dim,
               sizeof net_shape.dim[0] * (size_t)net_shape.ndim);
        return dl4c_tensor_reshape(*out, res.ndim, res.dim);
    }
    return dl4c_tensor_reshape(*out, full.ndim, full.dim);
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
