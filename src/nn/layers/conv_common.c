/* Shared parts of the convolution layers: config keys (Keras' names and
 * defaults), output geometry as Keras and TensorFlow compute it, the bias
 * + activation epilogue and its gradient, and the Keras import
 * translation. See conv_common.h. */
#include <stdio.h>
#include <string.h>

#include "core/names_internal.h"
#include "nn/layers/conv_common.h"

/* larger kernels, strides or dilations than this are typos */
#define CONV_DIM_MAX ((int64_t)1 << 20)

static const char *const pad_names[] = {"valid", "same", "causal"};
_Static_assert(sizeof pad_names / sizeof pad_names[0] == DL4C_PAD_COUNT,
               "one name per padding");

static const char *const kind_names[] = {
    "convolution", "transposed", "depthwise", "separable", "locally connected"};
_Static_assert(sizeof kind_names / sizeof kind_names[0] == DL4C_CONV_KIND_COUNT,
               "one name per kind");

const char *const dl4c_conv_plain_keys[] = {
    "filters", "kernel_size", "strides",    "padding", "dilation_rate",
    "groups",  "use_bias",    "activation", NULL};
const char *const dl4c_conv_transpose_keys[] = {
    "filters",       "kernel_size", "strides",    "padding", "output_padding",
    "dilation_rate", "use_bias",    "activation", NULL};
const char *const dl4c_conv_depthwise_keys[] = {
    "kernel_size",   "strides",  "padding",    "depth_multiplier",
    "dilation_rate", "use_bias", "activation", NULL};
const char *const dl4c_conv_separable_keys[] = {
    "filters",       "kernel_size", "strides",    "padding", "depth_multiplier",
    "dilation_rate", "use_bias",    "activation", NULL};
const char *const dl4c_conv_local_keys[] = {
    "filters",  "kernel_size", "strides", "padding",
    "use_bias", "activation",  NULL};

static bool has_filters(dl4c_conv_kind k)
{
    return k != DL4C_CONV_DEPTHWISE;
}
static bool has_dilation(dl4c_conv_kind k)
{
    return k != DL4C_CONV_LOCAL;
}
static bool has_multiplier(dl4c_conv_kind k)
{
    return k == DL4C_CONV_DEPTHWISE || k == DL4C_CONV_SEPARABLE;
}

/* An integer or a list of `rank` integers in [min, CONV_DIM_MAX]. */
static dl4c_status tuple(const char *where, const json_t *j, const char *key,
                         int rank, bool required, int64_t min, int64_t *out)
{
    json_t *v = json_object_get(j, key);
    if (!v) {
        if (required)
            return dl4c_error_set(DL4C_FORMAT, "%s: missing key '%s'", where,
                                  key);
        return DL4C_OK;
    }
    size_t n = json_is_array(v) ? json_array_size(v) : (size_t)rank;
    if ((!json_is_integer(v) && !json_is_array(v)) || n != (size_t)rank)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: key '%s' must be an integer or a list of "
                              "%d integer%s",
                              where, key, rank, rank == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
        int64_t val = json_is_integer(e) ? json_integer_value(e) : -1;
        if (!json_is_integer(e) || val < min || val > CONV_DIM_MAX)
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: key '%s': entry %zu must be an integer "
                                  "from %lld to %lld",
                                  where, key, i, (long long)min,
                                  (long long)CONV_DIM_MAX);
        out[i] = val;
    }
    return DL4C_OK;
}

static json_t *tuple_json(const int64_t *v, int rank)
{
    json_t *a = json_array();
    for (int i = 0; a && i < rank; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

static dl4c_status parse_padding(dl4c_layer *l, const json_t *j,
                                 dl4c_conv_cfg *c)
{
    const char *s = NULL;
    DL4C_RETURN_IF(dl4c_cfg_string(l->where, j, "padding", false, &s));
    if (!s)
        return DL4C_OK;
    for (int p = 0; p < DL4C_PAD_COUNT; p++)
        if (dl4c_name_equal(s, pad_names[p]))
            c->padding = (dl4c_conv_padding)p;
    if (!dl4c_name_equal(s, pad_names[c->padding]))
        return dl4c_layer_error(l, DL4C_FORMAT,
                                "unknown padding '%s' (valid, same%s)", s,
                                c->rank == 1 ? ", causal" : "");
    if (c->padding == DL4C_PAD_CAUSAL &&
        (c->rank != 1 || c->kind == DL4C_CONV_TRANSPOSE ||
         c->kind == DL4C_CONV_LOCAL))
        return dl4c_layer_error(l, DL4C_FORMAT,
                                "padding 'causal' is only for 1-D "
                                "convolutions (Conv1D, DepthwiseConv1D, "
                                "SeparableConv1D)");
    if (c->padding != DL4C_PAD_VALID && c->kind == DL4C_CONV_LOCAL)
        return dl4c_layer_error(l, DL4C_UNSUPPORTED,
                                "padding '%s' is not supported: locally "
                                "connected layers use 'valid' (as Keras' "
                                "implementation 1)",
                                s);
    return DL4C_OK;
}

dl4c_status dl4c_conv_parse(dl4c_layer *l, const json_t *j, dl4c_conv_kind kind,
                            int rank)
{
    dl4c_conv_cfg *c = l->cfg;
    const char *w = l->where;
    c->kind = kind;
    c->rank = rank;
    c->groups = 1;
    c->depth_multiplier = 1;
    c->use_bias = true;
    c->padding = DL4C_PAD_VALID;
    c->act = dl4c_activation_default(DL4C_ACT_IDENTITY);
    for (int i = 0; i < 3; i++)
        c->strides[i] = c->dilation[i] = 1;
    if (has_filters(kind))
        DL4C_RETURN_IF(dl4c_cfg_int(w, j, "filters", true, 1, &c->filters));
    DL4C_RETURN_IF(tuple(w, j, "kernel_size", rank, true, 1, c->kernel));
    DL4C_RETURN_IF(tuple(w, j, "strides", rank, false, 1, c->strides));
    if (has_dilation(kind))
        DL4C_RETURN_IF(
            tuple(w, j, "dilation_rate", rank, false, 1, c->dilation));
    DL4C_RETURN_IF(parse_padding(l, j, c));
    if (kind == DL4C_CONV_PLAIN) {
        DL4C_RETURN_IF(dl4c_cfg_int(w, j, "groups", false, 1, &c->groups));
        if (c->filters % c->groups)
            return dl4c_layer_error(l, DL4C_FORMAT,
                                    "filters %lld is not divisible by "
                                    "groups %lld",
                                    (long long)c->filters,
                                    (long long)c->groups);
    }
    if (has_multiplier(kind))
        DL4C_RETURN_IF(dl4c_cfg_int(w, j, "depth_multiplier", false, 1,
                                    &c->depth_multiplier));
    if (kind == DL4C_CONV_TRANSPOSE) {
        json_t *op = json_object_get(j, "output_padding");
        c->has_output_padding = op && !json_is_null(op);
        if (c->has_output_padding)
            DL4C_RETURN_IF(tuple(w, j, "output_padding", rank, false, 0,
                                 c->output_padding));
        for (int i = 0; c->has_output_padding && i < rank; i++)
            if (c->output_padding[i] >= c->strides[i])
                return dl4c_layer_error(l, DL4C_FORMAT,
                                        "output_padding %lld must be "
                                        "smaller than the stride %lld",
                                        (long long)c->output_padding[i],
                                        (long long)c->strides[i]);
    }
    DL4C_RETURN_IF(dl4c_cfg_bool(w, j, "use_bias", &c->use_bias));
    return dl4c_cfg_activation(w, j, "activation", &c->act);
}

dl4c_status dl4c_conv_write(const dl4c_layer *l, json_t *j)
{
    const dl4c_conv_cfg *c = l->cfg;
    if (has_filters(c->kind))
        DL4C_RETURN_IF(dl4c_cfg_set(j, "filters", json_integer(c->filters)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "kernel_size", tuple_json(c->kernel, c->rank)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "strides", tuple_json(c->strides, c->rank)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "padding", json_string(pad_names[c->padding])));
    if (has_dilation(c->kind))
        DL4C_RETURN_IF(
            dl4c_cfg_set(j, "dilation_rate", tuple_json(c->dilation, c->rank)));
    if (c->kind == DL4C_CONV_PLAIN)
        DL4C_RETURN_IF(dl4c_cfg_set(j, "groups", json_integer(c->groups)));
    if (has_multiplier(c->kind))
        DL4C_RETURN_IF(dl4c_cfg_set(j, "depth_multiplier",
                                    json_integer(c->depth_multiplier)));
    if (c->kind == DL4C_CONV_TRANSPOSE)
        DL4C_RETURN_IF(dl4c_cfg_set(j, "output_padding",
                                    c->has_output_padding
                                        ? tuple_json(c->output_padding, c->rank)
                                        : json_null()));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "use_bias", json_boolean(c->use_bias)));
    return dl4c_cfg_set(j, "activation", dl4c_cfg_activation_json(&c->act));
}

/* "5x5" */
static void dims_text(const int64_t *v, int rank, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < rank && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%lld", i ? "x" : "",
                                 (long long)v[i]);
}

static const char *const spatial_names[3][3] = {
    {"steps", "", ""},
    {"height", "width", ""},
    {"depth", "height", "width"},
};

dl4c_status dl4c_conv_build_geometry(dl4c_layer *l)
{
    dl4c_conv_cfg *c = l->cfg;
    char got[160], kern[64], dil[64];
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 1));
    const dl4c_shape *in = &l->in_shapes[0];
    int r = c->rank;
    dl4c_layer_shape_text(in, got, sizeof got);
    if (in->ndim != r + 1) {
        char want[96] = "[N";
        for (int i = 0; i < r; i++) {
            strcat(want, ", ");
            strcat(want, spatial_names[r - 1][i]);
        }
        strcat(want, ", channels]");
        return dl4c_layer_error(l, DL4C_SHAPE, "%s needs input %s, got %s",
                                l->type->name, want, got);
    }
    int64_t C = in->dim[r];
    if (c->groups > 1 && C % c->groups)
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "input has %lld channels, not divisible by "
                                "groups %lld",
                                (long long)C, (long long)c->groups);
    dl4c_conv_geom *g = &c->desc.g;
    int64_t spatial_out[3];
    for (int d = 0; d < 3; d++) {
        g->in[d] = g->out[d] = g->k[d] = g->stride[d] = g->dil[d] = 1;
        g->pad[d] = 0;
    }
    for (int i = 0; i < r; i++) {
        int d = 3 - r + i;
        int64_t len = in->dim[i], k = c->kernel[i], s = c->strides[i];
        int64_t dk = (k - 1) * c->dilation[i] + 1;
        g->k[d] = k;
        g->stride[d] = s;
        g->dil[d] = c->dilation[i];
        if (c->kind == DL4C_CONV_TRANSPOSE) {
            /* Keras' deconv_output_length, then the padding TensorFlow
             * gives the convolution from that length back to len */
            int64_t o;
            if (c->has_output_padding)
                o = (len - 1) * s + dk -
                    2 * (c->padding == DL4C_PAD_SAME ? dk / 2 : 0) +
                    c->output_padding[i];
            else
                o = c->padding == DL4C_PAD_SAME
                        ? len * s
                        : len * s + (dk > s ? dk - s : 0);
            if (o < 1) {
                dims_text(c->kernel, r, kern, sizeof kern);
                return dl4c_layer_error(l, DL4C_SHAPE,
                                        "input %s with kernel %s gives an "
                                        "empty output",
                                        got, kern);
            }
            int64_t total = (len - 1) * s + dk - o;
            g->in[d] = o;
            g->out[d] = len;
            g->pad[d] =
                c->padding == DL4C_PAD_SAME && total > 0 ? total / 2 : 0;
            spatial_out[i] = o;
            continue;
        }
        g->in[d] = len;
        if (c->padding == DL4C_PAD_VALID) {
            if (len < dk) {
                dims_text(c->kernel, r, kern, sizeof kern);
                int64_t dks[3];
                for (int q = 0; q < r; q++)
                    dks[q] = (c->kernel[q] - 1) * c->dilation[q] + 1;
                dims_text(dks, r, dil, sizeof dil);
                return dl4c_layer_error(l, DL4C_SHAPE,
                                        "kernel %s (%s dilated) is larger "
                                        "than the input %s with padding "
                                        "'valid'",
                                        kern, dil, got);
            }
            g->out[d] = (len - dk) / s + 1;
        } else {
            g->out[d] = (len + s - 1) / s;
            int64_t total = (g->out[d] - 1) * s + dk - len;
            g->pad[d] = c->padding == DL4C_PAD_CAUSAL ? dk - 1
                        : total > 0                   ? total / 2
                                                      : 0;
        }
        spatial_out[i] = g->out[d];
    }
    /* a transposed convolution runs the convolution from its output
     * (filters channels) back to its input (C channels) */
    bool adjoint = c->kind == DL4C_CONV_TRANSPOSE;
    g->channels = adjoint ? c->filters : C;
    c->desc.groups = c->groups;
    c->desc.filters = adjoint ? C : c->filters;
    c->channels = C;
    c->out_channels =
        c->kind == DL4C_CONV_DEPTHWISE ? C * c->depth_multiplier : c->filters;
    c->positions = g->out[0] * g->out[1] * g->out[2];
    int64_t taps = g->k[0] * g->k[1] * g->k[2];
    c->kcols = adjoint ? taps * c->filters : taps * (C / c->groups);
    dl4c_shape *os = &l->out_shapes[0];
    os->ndim = r + 1;
    for (int i = 0; i < r; i++)
        os->dim[i] = spatial_out[i];
    os->dim[r] = c->out_channels;
    c->in_size = dl4c_shape_size(in);
    c->out_size = dl4c_shape_size(os);
    return DL4C_OK;
}

bool dl4c_conv_act_from_output(const dl4c_activation *a)
{
    switch (a->id) {
    case DL4C_ACT_IDENTITY:
    case DL4C_ACT_RELU:  /* x > 0 exactly where y > 0 */
    case DL4C_ACT_RELU6: /* 0 < x < 6 exactly where 0 < y < 6 */
    case DL4C_ACT_SIGMOID:
    case DL4C_ACT_TANH:
    case DL4C_ACT_SOFTMAX:
        return true;
    default:
        return false;
    }
}

void dl4c_conv_epilogue(dl4c_layer_ctx *x, const void *b, int64_t bias_len,
                        void *z, void *out)
{
    const dl4c_conv_cfg *c = x->layer->cfg;
    const struct dl4c_backend_conv *cv = x->be->conv;
    int64_t total = x->batch * c->out_size, cols = c->out_channels;
    if (!z && bias_len == cols) {
        cv->bias_act(&c->act, x->dtype, total / cols, cols, b, out, x->training,
                     x->seed);
        return;
    }
    static const dl4c_activation identity = {DL4C_ACT_IDENTITY, 0, 0};
    void *target = z ? z : out;
    if (b)
        cv->bias_act(&identity, x->dtype, total / bias_len, bias_len, b, target,
                     x->training, x->seed);
    if (z)
        x->be->act_forward(&c->act, x->dtype, total / cols, cols, z, out,
                           x->training, x->seed);
    else
        cv->bias_act(&c->act, x->dtype, total / cols, cols, NULL, out,
                     x->training, x->seed);
}

size_t dl4c_conv_align(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

size_t dl4c_conv_z_bytes(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    const dl4c_conv_cfg *c = l->cfg;
    if (c->act.id == DL4C_ACT_IDENTITY)
        return 0;
    return (size_t)(batch * c->out_size) * dl4c_dtype_size(dt);
}

void *dl4c_conv_zbuf(const dl4c_layer_ctx *x, size_t head)
{
    const dl4c_conv_cfg *c = x->layer->cfg;
    if (c->act.id == DL4C_ACT_IDENTITY)
        return NULL;
    return (char *)x->ws + dl4c_conv_align(head);
}

const void *dl4c_conv_dz(dl4c_layer_ctx *x, void *zbuf)
{
    const dl4c_conv_cfg *c = x->layer->cfg;
    if (c->act.id == DL4C_ACT_IDENTITY)
        return x->dout->data;
    int64_t cols = c->out_channels, rows = x->batch * c->out_size / cols;
    const void *pre = dl4c_conv_act_from_output(&c->act) ? x->out->data : zbuf;
    x->be->act_backward(&c->act, x->dtype, rows, cols, pre, x->out->data,
                        x->dout->data, zbuf, x->training, x->seed);
    return zbuf;
}

/* ---- Keras import ---- */

/* Copies the first of `names` present in kcfg to `key` of out. */
static dl4c_status copy_key(const json_t *kcfg, json_t *out, const char *key,
                            const char *const *names)
{
    for (int i = 0; names[i]; i++) {
        json_t *v = json_object_get(kcfg, names[i]);
        if (v && !json_is_null(v))
            return dl4c_cfg_set(out, key, json_deep_copy(v));
    }
    return DL4C_OK;
}

/* Keras 1 keys holding one entry of a tuple each (nb_row, nb_col), as one
 * list. */
static dl4c_status gather_keys(const json_t *kcfg, json_t *out, const char *key,
                               const char *const *names, int rank)
{
    json_t *a = json_array();
    for (int i = 0; i < rank; i++) {
        json_t *v = json_object_get(kcfg, names[i]);
        if (!v) {
            json_decref(a);
            return DL4C_OK;
        }
        json_array_append(a, v);
    }
    return dl4c_cfg_set(out, key, a);
}

static dl4c_status keras_activation(const dl4c_keras_ctx *k, const json_t *v,
                                    json_t *out)
{
    if (!v || json_is_null(v))
        return DL4C_OK;
    if (!json_is_string(v))
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s: activation is not a built-in Keras "
                              "activation name",
                              k->where);
    const char *name = json_string_value(v);
    dl4c_activation a;
    if (dl4c_activation_parse(name, &a) != DL4C_OK)
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s: unsupported activation '%s'", k->where,
                              name);
    if (k->major >= 3 && a.id == DL4C_ACT_HARDSIGMOID) {
        /* Keras 3: relu6(x + 3) / 6 */
        a.alpha = 1.0 / 6.0;
        a.beta = 0.5;
    }
    return dl4c_cfg_set(out, "activation", dl4c_cfg_activation_json(&a));
}

dl4c_status dl4c_conv_from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                                 json_t *out, dl4c_conv_kind kind, int rank)
{
    const char *df = NULL;
    json_t *v = json_object_get(kcfg, "data_format");
    if (json_is_string(v))
        df = json_string_value(v);
    v = json_object_get(kcfg, "dim_ordering"); /* Keras 1: "th" / "tf" */
    if (json_is_string(v) && !strcmp(json_string_value(v), "th"))
        df = "channels_first";
    if (df && !strcmp(df, "channels_first") && !k->channels_first)
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s: data_format 'channels_first' is only "
                              "imported with the whole model converted to "
                              "channels-last",
                              k->where);
    if (kind == DL4C_CONV_LOCAL) {
        v = json_object_get(kcfg, "implementation");
        if (json_is_integer(v) && json_integer_value(v) != 1)
            return dl4c_error_set(DL4C_UNSUPPORTED,
                                  "%s: implementation %lld is not "
                                  "supported (its kernel layout differs; "
                                  "implementation 1 is)",
                                  k->where, (long long)json_integer_value(v));
    }
    if (has_filters(kind))
        DL4C_RETURN_IF(
            copy_key(kcfg, out, "filters",
                     (const char *const[]){"filters", "nb_filter", NULL}));
    static const char *const k1_kernel[3][3] = {
        {"filter_length"},
        {"nb_row", "nb_col"},
        {"kernel_dim1", "kernel_dim2", "kernel_dim3"}};
    if (json_object_get(kcfg, "kernel_size"))
        DL4C_RETURN_IF(copy_key(kcfg, out, "kernel_size",
                                (const char *const[]){"kernel_size", NULL}));
    else
        DL4C_RETURN_IF(
            gather_keys(kcfg, out, "kernel_size", k1_kernel[rank - 1], rank));
    DL4C_RETURN_IF(copy_key(kcfg, out, "strides",
                            (const char *const[]){"strides", "subsample",
                                                  "subsample_length", NULL}));
    v = json_object_get(kcfg, "padding");
    if (!v)
        v = json_object_get(kcfg, "border_mode");
    if (json_is_string(v)) {
        const char *p = json_string_value(v);
        if (dl4c_name_equal(p, "full"))
            return dl4c_error_set(DL4C_UNSUPPORTED,
                                  "%s: padding 'full' is not supported",
                                  k->where);
        DL4C_RETURN_IF(dl4c_cfg_set(out, "padding", json_string(p)));
    }
    if (has_dilation(kind))
        DL4C_RETURN_IF(copy_key(
            kcfg, out, "dilation_rate",
            (const char *const[]){"dilation_rate", "atrous_rate", NULL}));
    if (kind == DL4C_CONV_PLAIN)
        DL4C_RETURN_IF(copy_key(kcfg, out, "groups",
                                (const char *const[]){"groups", NULL}));
    if (has_multiplier(kind))
        DL4C_RETURN_IF(
            copy_key(kcfg, out, "depth_multiplier",
                     (const char *const[]){"depth_multiplier", NULL}));
    if (kind == DL4C_CONV_TRANSPOSE)
        DL4C_RETURN_IF(copy_key(kcfg, out, "output_padding",
                                (const char *const[]){"output_padding", NULL}));
    DL4C_RETURN_IF(copy_key(kcfg, out, "use_bias",
                            (const char *const[]){"use_bias", "bias", NULL}));
    return keras_activation(k, json_object_get(kcfg, "activation"), out);
}

/* The input-channel count a kernel of `shape` expects, for messages. */
static int64_t kernel_channels(const dl4c_conv_cfg *c, const dl4c_shape *s)
{
    if (c->kind == DL4C_CONV_LOCAL) {
        int64_t taps = c->desc.g.k[0] * c->desc.g.k[1] * c->desc.g.k[2];
        return s->ndim == 3 ? s->dim[1] / taps : -1;
    }
    int idx = c->kind == DL4C_CONV_TRANSPOSE ? c->rank + 1 : c->rank;
    int64_t ch = s->ndim == c->rank + 2 ? s->dim[idx] : -1;
    return c->kind == DL4C_CONV_PLAIN && ch > 0 ? ch * c->groups : ch;
}

/* How a Keras 1 kernel maps onto Keras 2's layout, as Keras 2's own
 * loader converts it: out[i] = in[perm[i]] (perm NULL: no change), then
 * drop axis `drop` (size 1) when >= 0. */
typedef struct k1_layout {
    int perm[5];
    bool permute;
    int drop;
} k1_layout;

static k1_layout keras1_layout(const dl4c_keras_ctx *k, const dl4c_conv_cfg *c,
                               int i, const dl4c_shape *s)
{
    k1_layout m = {{0}, false, -1};
    bool kernel = i == 0 || (c->kind == DL4C_CONV_SEPARABLE && i == 1);
    if (k->major != 1 || !kernel)
        return m;
    int nd = s->ndim;
    if (c->kind == DL4C_CONV_PLAIN && c->rank == 1 && nd == 4) {
        /* (k, 1, in, filters), or Keras 1.1's (filters, in, k, 1) */
        m.drop = 1;
        if (s->dim[0] != c->kernel[0] || s->dim[1] != 1 ||
            s->dim[3] != c->filters) {
            int p[4] = {2, 3, 1, 0};
            memcpy(m.perm, p, sizeof p);
            m.permute = true;
        }
        return m;
    }
    if (c->kind == DL4C_CONV_TRANSPOSE && c->rank == 2 && nd == 4) {
        /* tf (kh, kw, in, filters), th (filters, in, kh, kw) */
        int tf[4] = {0, 1, 3, 2}, th[4] = {2, 3, 0, 1};
        memcpy(m.perm, k->channels_first ? th : tf, sizeof tf);
        m.permute = true;
        return m;
    }
    if (k->channels_first && c->kind != DL4C_CONV_LOCAL && nd >= 3) {
        /* th (out, in, spatial...) -> (spatial..., in, out) */
        for (int d = 0; d < nd - 2; d++)
            m.perm[d] = d + 2;
        m.perm[nd - 2] = 1;
        m.perm[nd - 1] = 0;
        m.permute = true;
    }
    return m;
}

static dl4c_shape converted_shape(const k1_layout *m, const dl4c_shape *s)
{
    dl4c_shape o = *s;
    for (int d = 0; m->permute && d < s->ndim; d++)
        o.dim[d] = s->dim[m->perm[d]];
    if (m->drop >= 0 && o.dim[m->drop] == 1) {
        for (int d = m->drop; d + 1 < o.ndim; d++)
            o.dim[d] = o.dim[d + 1];
        o.ndim--;
    }
    return o;
}

/* dst = src with axes permuted (dst dim d is src dim perm[d]); dst has
 * the converted shape, possibly without a size-1 axis. */
static void copy_permuted(const dl4c_tensor *src, const int *perm,
                          dl4c_tensor *dst)
{
    int nd = src->ndim;
    int64_t stride[8], pd[8];
    stride[nd - 1] = 1;
    for (int d = nd - 2; d >= 0; d--)
        stride[d] = stride[d + 1] * src->shape[d + 1];
    for (int d = 0; d < nd; d++)
        pd[d] = src->shape[perm[d]];
    for (int64_t i = 0; i < dst->size; i++) {
        int64_t rest = i, from = 0;
        for (int d = nd - 1; d >= 0; d--) {
            from += rest % pd[d] * stride[perm[d]];
            rest /= pd[d];
        }
        dl4c_tensor_set(dst, i, dl4c_tensor_get(src, from));
    }
}

dl4c_status dl4c_conv_keras_weights(const dl4c_keras_ctx *k,
                                    const dl4c_layer *l, int n,
                                    const dl4c_tensor *const *w,
                                    dl4c_tensor *const *params)
{
    const dl4c_conv_cfg *c = l->cfg;
    char got[128], want[128];
    if (n != l->n_params)
        return dl4c_layer_error(
            l, DL4C_FORMAT, "%d weight arrays, expected %d (%s%s)", n,
            l->n_params, kind_names[c->kind],
            c->use_bias ? " kernel(s) and bias" : " kernel(s), no bias");
    for (int i = 0; i < n; i++) {
        dl4c_shape raw = dl4c_shape_of(w[i]);
        k1_layout m = keras1_layout(k, c, i, &raw);
        dl4c_shape ws = converted_shape(&m, &raw);
        const dl4c_shape *ps = &l->params[i].shape;
        if (dl4c_shape_equal(&ws, ps))
            continue;
        int64_t have = i == 0 ? kernel_channels(c, &ws) : -1;
        if (have > 0 && have != c->channels)
            return dl4c_layer_error(l, DL4C_SHAPE,
                                    "input has %lld channels, kernel "
                                    "expects %lld",
                                    (long long)c->channels, (long long)have);
        return dl4c_layer_error(
            l, DL4C_SHAPE, "weight '%s' has shape %s, expected %s",
            l->params[i].name, dl4c_shape_format(&raw, got, sizeof got),
            dl4c_shape_format(ps, want, sizeof want));
    }
    for (int i = 0; i < n; i++) {
        dl4c_tensor *p = params[i];
        dl4c_shape raw = dl4c_shape_of(w[i]);
        k1_layout m = keras1_layout(k, c, i, &raw);
        if (m.permute) {
            copy_permuted(w[i], m.perm, p);
            continue;
        }
        if (c->kind == DL4C_CONV_LOCAL && i == 0 && k->channels_first) {
            /* Keras orders a channels-first patch (c, taps), a
             * channels-last one (taps, c) */
            int64_t P = p->shape[0], K = p->shape[1], F = p->shape[2];
            int64_t C = c->channels, taps = K / C;
            for (int64_t q = 0; q < P; q++)
                for (int64_t t = 0; t < taps; t++)
                    for (int64_t ch = 0; ch < C; ch++)
                        for (int64_t f = 0; f < F; f++)
                            dl4c_tensor_set(
                                p, (q * K + t * C + ch) * F + f,
                                dl4c_tensor_get(
                                    w[i], (q * K + ch * taps + t) * F + f));
            continue;
        }
        if (w[i]->dtype == p->dtype)
            DL4C_RETURN_IF(dl4c_tensor_copy_into(w[i], p));
        else
            p->backend->cast(w[i]->dtype, w[i]->data, p->dtype, p->data,
                             p->size);
    }
    return DL4C_OK;
}
