/* Translating the flattened Keras graph into a dl4c net config. Each call
 * becomes one dl4c layer of the type that imports its Keras class; the
 * type's from_keras hook writes its keys. The importer adds what every
 * layer shares: name, inputs, "frozen" (trainable: false), weight and bias
 * initializers, L1/L2 regularization, and "share_weights_with" for the
 * second and later calls of a layer. Channels-first tensors are tracked
 * as described in keras_layout.c, with Permute layers (through the Permute
 * type's own hook) where layouts meet. A layer that cannot be translated
 * is recorded as a problem and the translation goes on, so one import
 * reports every such layer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "import/keras_internal.h"
#include "nn/net_internal.h"

#define SLOTS DL4C_LAYER_MAX_OUTPUTS
#define SLOT(c, s) ((size_t)(c)*SLOTS + (size_t)(s))
#define NAME_CAP 1100

typedef struct tr {
    const kx_source *src;
    const kx_graph *g;
    const dl4c_keras_options *o;
    kx_problems *p;
    json_t *layers;
    kx_layout *layout;              /* [calls * SLOTS] */
    int *rank;                      /* [calls * SLOTS], 0 while unknown */
    bool *decided;                  /* [calls]: inputs whose layout is chosen */
    bool *failed;                   /* [calls]: not translated */
    bool *call_cf;                  /* [calls]: hook told channels_first */
    char **conv[KX_LAYOUT_MAX + 1]; /* [calls * SLOTS]: the Permute'd
                                       form, by layout */
} tr;

dl4c_keras_ctx kx_ctx(const kx_source *src, bool cf, const char *where)
{
    dl4c_keras_ctx k = {
        .major = src->major, .channels_first = cf, .where = where};
    return k;
}

/* ---- initializers and regularizers (keys every layer takes) ---- */

/* A Keras initializer as a dl4c init value, or NULL when dl4c has no
 * equivalent (the layer then keeps dl4c's default). */
static json_t *init_json(const json_t *v)
{
    const char *cls = kx_class_of(v);
    const json_t *cfg = json_is_object(v) ? json_object_get(v, "config") : NULL;
    if (!cls)
        return NULL;
    static const struct {
        const char *keras, *dl4c;
    } plain[] = {
        {"GlorotUniform", "xavier_uniform"},
        {"glorot_uniform", "xavier_uniform"},
        {"GlorotNormal", "xavier"},
        {"glorot_normal", "xavier"},
        {"HeNormal", "relu"},
        {"he_normal", "relu"},
        {"HeUniform", "relu_uniform"},
        {"he_uniform", "relu_uniform"},
        {"LecunNormal", "lecun_normal"},
        {"lecun_normal", "lecun_normal"},
        {"LecunUniform", "lecun_uniform"},
        {"lecun_uniform", "lecun_uniform"},
        {"Zeros", "zero"},
        {"zeros", "zero"},
        {"zero", "zero"},
        {"Ones", "ones"},
        {"ones", "ones"},
        {"one", "ones"},
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (!strcmp(cls, plain[i].keras))
            return json_string(plain[i].dl4c);
    if (!strcmp(cls, "Constant") || !strcmp(cls, "constant"))
        return json_real(kx_num(cfg, "value", 0));
    if (!strcmp(cls, "RandomNormal") || !strcmp(cls, "TruncatedNormal") ||
        !strcmp(cls, "normal"))
        return json_pack(
            "{s:s, s:f, s:f}", "type",
            strcmp(cls, "TruncatedNormal") ? "normal" : "truncated_normal",
            "mean", kx_num(cfg, "mean", 0), "std", kx_num(cfg, "stddev", 0.05));
    if (!strcmp(cls, "RandomUniform") || !strcmp(cls, "uniform"))
        return json_pack("{s:s, s:f, s:f}", "type", "uniform", "low",
                         kx_num(cfg, "minval", -0.05), "high",
                         kx_num(cfg, "maxval", 0.05));
    if (!strcmp(cls, "Orthogonal") || !strcmp(cls, "orthogonal"))
        return json_pack("{s:s, s:f}", "type", "orthogonal", "gain",
                         kx_num(cfg, "gain", 1));
    if (!strcmp(cls, "Identity") || !strcmp(cls, "identity"))
        return json_string("identity");
    if (!strcmp(cls, "VarianceScaling")) {
        double scale = kx_num(cfg, "scale", 1);
        const char *mode = json_string_value(kx_get(cfg, "mode"));
        const char *dist = json_string_value(kx_get(cfg, "distribution"));
        bool uniform = dist && !strcmp(dist, "uniform");
        if (!mode)
            mode = "fan_in";
        if (scale == 1 && !strcmp(mode, "fan_avg"))
            return json_string(uniform ? "xavier_uniform" : "xavier");
        if (scale == 2 && !strcmp(mode, "fan_in"))
            return json_string(uniform ? "relu_uniform" : "relu");
        if (scale == 1 && !strcmp(mode, "fan_in"))
            return json_string(uniform ? "lecun_uniform" : "lecun_normal");
    }
    return NULL;
}

/* Keras adds l1*sum|w| + l2*sum w^2; dl4c's score has l2/2 * w^2. */
static dl4c_status add_regularizer(const json_t *reg, json_t *out)
{
    const json_t *cfg = json_object_get(reg, "config");
    if (!json_is_object(cfg))
        cfg = reg; /* Keras 1: {"l1": .., "l2": .., "name": ...} */
    double l1 = kx_num(cfg, "l1", 0), l2 = kx_num(cfg, "l2", 0);
    if (l1 > 0)
        DL4C_RETURN_IF(dl4c_cfg_set(out, "l1", json_real(l1)));
    if (l2 > 0)
        DL4C_RETURN_IF(dl4c_cfg_set(out, "l2", json_real(2 * l2)));
    return DL4C_OK;
}

static dl4c_status common_keys(const kx_call *c, json_t *out)
{
    const json_t *k = c->kcfg;
    if (json_is_false(kx_get(k, "trainable")))
        DL4C_RETURN_IF(dl4c_cfg_set(out, "frozen", json_true()));
    /* layers with one kind of weight: a recurrent or depthwise layer's
     * several initializers do not fit one weight_init */
    if (!kx_get(k, "recurrent_initializer") &&
        !kx_get(k, "depthwise_initializer") &&
        !kx_get(k, "pointwise_initializer")) {
        const json_t *wi = kx_get(k, "kernel_initializer");
        json_t *v = init_json(wi ? wi : kx_get(k, "init"));
        if (v)
            DL4C_RETURN_IF(dl4c_cfg_set(out, "weight_init", v));
        v = init_json(kx_get(k, "bias_initializer"));
        if (v)
            DL4C_RETURN_IF(dl4c_cfg_set(out, "bias_init", v));
    }
    const json_t *reg = kx_get(k, "kernel_regularizer");
    if (!reg)
        reg = kx_get(k, "W_regularizer");
    if (json_is_object(reg))
        DL4C_RETURN_IF(add_regularizer(reg, out));
    return DL4C_OK;
}

/* The call's keyword arguments that configure the layer: a boolean option
 * of the same name in the dl4c type (attention's use_causal_mask,
 * return_attention_scores), and a tensor given for an optional input the
 * type counts ("attention_mask" -> "attention_mask_input": true). */
static bool type_has(const dl4c_layer_type *t, const char *key)
{
    for (int i = 0; t && t->keys && t->keys[i]; i++)
        if (!strcmp(t->keys[i], key))
            return true;
    return false;
}

static bool is_tensor(const json_t *v)
{
    const char *cls = json_string_value(json_object_get(v, "class_name"));
    return (cls && !strcmp(cls, "__keras_tensor__")) ||
           (json_is_array(v) && json_array_size(v) >= 3 &&
            json_is_string(json_array_get(v, 0)));
}

static dl4c_status call_kwargs(const kx_call *c, json_t *out)
{
    const dl4c_layer_type *t =
        dl4c_layer_type_find(json_string_value(json_object_get(out, "type")));
    const char *key;
    json_t *v;
    if (!c->kwargs)
        return DL4C_OK;
    json_object_foreach((json_t *)c->kwargs, key, v)
    {
        char input[128];
        snprintf(input, sizeof input, "%s_input", key);
        if (json_is_boolean(v) && type_has(t, key))
            DL4C_RETURN_IF(
                dl4c_cfg_set(out, key, json_boolean(json_is_true(v))));
        else if (is_tensor(v) && type_has(t, input))
            DL4C_RETURN_IF(dl4c_cfg_set(out, input, json_true()));
    }
    return DL4C_OK;
}

/* ---- tensors and their layouts ---- */

static json_t *inputs_json(const tr *t)
{
    json_t *a = json_array();
    for (int i = 0; a && i < t->g->n_inputs; i++) {
        const kx_call *c = &t->g->calls[t->g->inputs[i]];
        dl4c_shape s = c->shape;
        int axis = t->layout[SLOT(t->g->inputs[i], 0)];
        if (axis > 0 && axis < s.ndim) { /* Keras axis `axis` moves last */
            int64_t ch = s.dim[axis - 1];
            memmove(s.dim + axis - 1, s.dim + axis,
                    sizeof s.dim[0] * (size_t)(s.ndim - axis));
            s.dim[s.ndim - 1] = ch;
        }
        if (json_array_append_new(a, json_pack("{s:s, s:o}", "name", c->name,
                                               "shape",
                                               dl4c_cfg_shape_json(&s))) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* Rank (batch included) of a tensor, building the net up to it when
 * needed; -1 when unknown (earlier layers failed). */
static int rank_of(tr *t, kx_ref r)
{
    int *cached = &t->rank[SLOT(r.call, r.slot)];
    const kx_call *c = &t->g->calls[r.call];
    if (*cached)
        return *cached;
    if (c->is_input)
        return *cached = c->shape.ndim + 1;
    if (t->p->n > 0 || t->failed[r.call])
        return -1;
    char ref[NAME_CAP];
    json_t *root = json_pack("{s:s, s:o, s:O, s:[s]}", "format", "dl4c.net",
                             "inputs", inputs_json(t), "layers", t->layers,
                             "outputs", kx_ref_text(t->g, r, ref, sizeof ref));
    dl4c_net *net = NULL;
    int rank = -1;
    if (root && dl4c_net_build(root, DL4C_F32, &net) == DL4C_OK)
        rank = dl4c_net_output_shape(net, 0).ndim + 1;
    dl4c_net_free(net);
    json_decref(root);
    return *cached = rank;
}

static dl4c_status append_layer(tr *t, json_t *layer)
{
    if (json_array_append_new(t->layers, layer) != 0)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return DL4C_OK;
}

/* A Permute layer named `name` taking `from` between Keras' array and
 * layout `axis` (of a rank-`rank` tensor), through the Permute type's
 * hook. */
static dl4c_status add_permute(tr *t, const char *from, const char *name,
                               int rank, int axis, bool to_cf)
{
    const dl4c_layer_type *type = kx_find_type("Permute", NULL);
    char where[NAME_CAP + 40];
    if (!type || !type->from_keras) {
        kx_problem(t->p,
                   "tensor '%s' is channels_first and its consumer needs it "
                   "transposed, but no layer type imports Keras' Permute",
                   from);
        return DL4C_OK;
    }
    int dims[DL4C_MAX_DIMS];
    kx_layout_dims(rank, axis, to_cf, dims);
    json_t *kdims = json_array();
    for (int i = 0; kdims && i < rank - 1; i++)
        json_array_append_new(kdims, json_integer(dims[i]));
    json_t *kcfg = json_pack("{s:o}", "dims", kdims);
    json_t *out = json_pack("{s:s, s:s, s:[s]}", "type", type->name, "name",
                            name, "inputs", from);
    if (!kcfg || !out) {
        json_decref(kcfg);
        json_decref(out);
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    snprintf(where, sizeof where, "layer '%s' (Permute)", name);
    dl4c_keras_ctx k = {
        .major = t->src->major, .channels_first = false, .where = where};
    dl4c_status st = type->from_keras(&k, kcfg, out);
    json_decref(kcfg);
    if (st != DL4C_OK) {
        json_decref(out);
        kx_problem_last(t->p, name, "Permute");
        return DL4C_OK;
    }
    return append_layer(t, out);
}

/* The name of tensor r in layout `want`, adding Permute layers when its
 * layout differs (between two channels-first layouts through Keras'
 * own). */
static dl4c_status convert(tr *t, kx_ref r, kx_layout want, char *buf,
                           size_t cap)
{
    const kx_graph *g = t->g;
    kx_layout have = t->layout[SLOT(r.call, r.slot)];
    kx_ref_text(g, r, buf, cap);
    if (have == want)
        return DL4C_OK;
    char **cached = &t->conv[want][SLOT(r.call, r.slot)];
    if (*cached) {
        snprintf(buf, cap, "%s", *cached);
        return DL4C_OK;
    }
    int rank = rank_of(t, r);
    if (rank < 0)
        return DL4C_OK; /* earlier layers failed: reported already */
    if (have != KX_LAYOUT_KERAS && want != KX_LAYOUT_KERAS)
        DL4C_RETURN_IF(convert(t, r, KX_LAYOUT_KERAS, buf, cap));
    /* a layout whose channel axis is the last is Keras' own array */
    int axis = want != KX_LAYOUT_KERAS ? want : have;
    if (axis >= rank - 1)
        return DL4C_OK;
    char name[NAME_CAP];
    snprintf(name, sizeof name, "%s.%s", g->calls[r.call].name,
             want == KX_LAYOUT_KERAS ? "nchw" : "nhwc");
    if (r.slot)
        snprintf(name + strlen(name), sizeof name - strlen(name), ".%d",
                 r.slot);
    DL4C_RETURN_IF(
        add_permute(t, buf, name, rank, axis, want != KX_LAYOUT_KERAS));
    *cached = dl4c_strdup(name);
    if (!*cached)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    snprintf(buf, cap, "%s", name);
    return DL4C_OK;
}

/* ---- one layer ---- */

static const char *why_missing(const char *cls)
{
    if (!strcmp(cls, "Lambda"))
        return "a Lambda layer holds Python code; register an "
               "implementation for it by name with "
               "dl4c_keras_register_lambda";
    if (!strcmp(cls, "TensorFlowOpLayer") || !strcmp(cls, "TFOpLambda") ||
        !strcmp(cls, "SlicingOpLambda"))
        return "a TensorFlow op layer holds TensorFlow graph code; register "
               "an implementation with dl4c_keras_register_custom";
    return "no dl4c layer type imports this Keras class; register an "
           "implementation with dl4c_keras_register_custom";
}

/* Keys of `type` that the Keras config has under the same name: the
 * translation of a type that has no from_keras hook. */
static dl4c_status same_keys(const dl4c_layer_type *type, const json_t *kcfg,
                             json_t *out)
{
    for (int i = 0; type->keys && type->keys[i]; i++) {
        const json_t *v = kx_get(kcfg, type->keys[i]);
        if (v)
            DL4C_RETURN_IF(dl4c_cfg_set(out, type->keys[i], json_deep_copy(v)));
    }
    return DL4C_OK;
}

/* A registered translation: the layer object the application gives. */
static dl4c_status translated(tr *t, const kx_call *c, json_t **out)
{
    dl4c_keras_translate_fn fn;
    void *user;
    *out = NULL;
    if (!kx_translation_find(c->cls, &fn, &user))
        return DL4C_OK;
    char *kc = json_dumps(c->kcfg ? c->kcfg : json_object(), JSON_COMPACT);
    char *buf = dl4c_malloc(1 << 16);
    if (!kc || !buf) {
        free(kc);
        dl4c_free(buf);
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    buf[0] = '\0';
    dl4c_status st = fn(user, kc, buf, 1 << 16);
    buf[(1 << 16) - 1] = '\0';
    free(kc);
    if (st != DL4C_OK) {
        kx_problem(t->p,
                   "layer '%s' (%s): the registered translation "
                   "failed: %s",
                   c->name, c->cls, buf[0] ? buf : dl4c_status_name(st));
        dl4c_free(buf);
        *out = json_null();
        return DL4C_OK;
    }
    json_error_t err;
    *out = json_loads(buf, 0, &err);
    dl4c_free(buf);
    if (!json_is_object(*out) ||
        !json_is_string(json_object_get(*out, "type"))) {
        json_decref(*out);
        kx_problem(t->p,
                   "layer '%s' (%s): the registered translation gave "
                   "no layer object with a \"type\"",
                   c->name, c->cls);
        *out = json_null();
    }
    return DL4C_OK;
}

static dl4c_status translate_call(tr *t, int ci)
{
    const kx_graph *g = t->g;
    const kx_call *c = &g->calls[ci];
    kx_role role = kx_layout_role(c);
    char where[NAME_CAP + 80];
    json_t *out = NULL, *ins = NULL;
    dl4c_status status = DL4C_OK;

    /* the layout the inputs must have: a channels_first layer's; an
     * adaptable layer's when they agree (its hook knows channels at axis 1
     * only); else Keras' own. A net input takes its first consumer's. */
    kx_layout want =
        role == KX_ROLE_CF ? kx_layout_axis_in(c) : KX_LAYOUT_KERAS;
    if (want > KX_LAYOUT_MAX) {
        kx_problem(t->p,
                   "layer '%s' (%s): channels at axis %d are not "
                   "supported",
                   c->name, c->cls, want);
        want = KX_LAYOUT_KERAS;
    }
    for (int i = 0; i < c->n_in; i++) {
        int src = c->in[i].call;
        if (g->calls[src].is_input && !t->decided[src]) {
            t->layout[SLOT(src, 0)] = want;
            t->decided[src] = true;
        }
    }
    if (role == KX_ROLE_ANY) {
        want = t->layout[SLOT(c->in[0].call, c->in[0].slot)];
        for (int i = 1; i < c->n_in; i++)
            if (t->layout[SLOT(c->in[i].call, c->in[i].slot)] != want)
                want = KX_LAYOUT_KERAS;
        if (want > 1)
            want = KX_LAYOUT_KERAS;
    }
    t->call_cf[ci] = want != KX_LAYOUT_KERAS;
    for (int s = 0; s < c->n_slots && s < SLOTS; s++)
        t->layout[SLOT(ci, s)] = role == KX_ROLE_KERAS || !kx_layout_keeps(c)
                                     ? KX_LAYOUT_KERAS
                                 : role == KX_ROLE_CF ? kx_layout_axis_out(c, s)
                                                      : want;

    snprintf(where, sizeof where, "layer '%s' (%s)", c->name, c->cls);
    DL4C_TRY(translated(t, c, &out));
    if (json_is_null(out)) {
        t->failed[ci] = true;
        json_decref(out);
        return DL4C_OK;
    }
    if (!out) {
        const dl4c_layer_type *type = kx_find_type(c->cls, c->kname);
        if (!type) {
            kx_problem(t->p, "%s: %s", where, why_missing(c->cls));
            t->failed[ci] = true;
            return DL4C_OK;
        }
        out = json_pack("{s:s}", "type", type->name);
        if (!out)
            DL4C_NOMEM_FAIL();
        dl4c_keras_ctx k = kx_ctx(t->src, want != KX_LAYOUT_KERAS, where);
        dl4c_clear_error();
        dl4c_status st = type->from_keras ? type->from_keras(&k, c->kcfg, out)
                                          : same_keys(type, c->kcfg, out);
        if (st == DL4C_NOMEM)
            DL4C_FAIL(DL4C_NOMEM, "out of memory");
        if (st != DL4C_OK) {
            kx_problem_last(t->p, c->name, c->cls);
            t->failed[ci] = true;
            json_decref(out);
            return DL4C_OK;
        }
    }
    DL4C_TRY(dl4c_cfg_set(out, "name", json_string(c->name)));
    ins = json_array();
    if (!ins)
        DL4C_NOMEM_FAIL();
    for (int i = 0; i < c->n_in; i++) {
        char ref[NAME_CAP];
        DL4C_TRY(convert(t, c->in[i], want, ref, sizeof ref));
        if (json_array_append_new(ins, json_string(ref)) != 0)
            DL4C_NOMEM_FAIL();
    }
    DL4C_TRY(dl4c_cfg_set(out, "inputs", ins));
    ins = NULL;
    DL4C_TRY(common_keys(c, out));
    DL4C_TRY(call_kwargs(c, out));
    if (c->owner >= 0)
        DL4C_TRY(dl4c_cfg_set(out, "share_weights_with",
                              json_string(g->calls[c->owner].name)));
    DL4C_TRY(append_layer(t, out));
    return DL4C_OK;
fail:
    json_decref(ins);
    json_decref(out);
    return status;
}

void kx_net_info_deinit(kx_net_info *info)
{
    dl4c_free(info->input_layouts);
    dl4c_free(info->output_layouts);
    dl4c_free(info->call_cf);
    memset(info, 0, sizeof *info);
}

dl4c_status kx_translate(const kx_source *src, const kx_graph *g,
                         const dl4c_keras_options *o, kx_problems *p,
                         json_t **config, kx_net_info *info)
{
    dl4c_status status = DL4C_OK;
    size_t slots = (size_t)g->n * SLOTS;
    tr t = {.src = src, .g = g, .o = o, .p = p};
    json_t *root = NULL, *outs = NULL;
    *config = NULL;
    memset(info, 0, sizeof *info);
    t.layers = json_array();
    t.layout = dl4c_calloc(slots, sizeof *t.layout);
    t.rank = dl4c_calloc(slots, sizeof *t.rank);
    t.decided = dl4c_calloc((size_t)g->n, sizeof *t.decided);
    t.failed = dl4c_calloc((size_t)g->n, sizeof *t.failed);
    t.call_cf = info->call_cf =
        dl4c_calloc((size_t)g->n ? (size_t)g->n : 1, sizeof *t.call_cf);
    for (int k = 0; k <= KX_LAYOUT_MAX; k++)
        if (!(t.conv[k] = dl4c_calloc(slots, sizeof *t.conv[k])))
            DL4C_NOMEM_FAIL();
    if (!t.layers || !t.layout || !t.rank || !t.decided || !t.failed ||
        !t.call_cf)
        DL4C_NOMEM_FAIL();
    for (int i = 0; i < g->n; i++)
        if (!g->calls[i].is_input)
            DL4C_TRY(translate_call(&t, i));
    outs = json_array();
    info->n_inputs = g->n_inputs;
    info->n_outputs = g->n_outputs;
    info->input_layouts =
        dl4c_calloc((size_t)g->n_inputs, sizeof *info->input_layouts);
    info->output_layouts =
        dl4c_calloc((size_t)g->n_outputs, sizeof *info->output_layouts);
    if (!outs || !info->input_layouts || !info->output_layouts)
        DL4C_NOMEM_FAIL();
    for (int i = 0; i < g->n_inputs; i++)
        info->input_layouts[i] = t.layout[SLOT(g->inputs[i], 0)];
    for (int i = 0; i < g->n_outputs; i++) {
        char ref[NAME_CAP];
        kx_ref r = g->outputs[i];
        info->output_layouts[i] = t.layout[SLOT(r.call, r.slot)];
        if (json_array_append_new(
                outs, json_string(kx_ref_text(g, r, ref, sizeof ref))) != 0)
            DL4C_NOMEM_FAIL();
    }
    root = json_pack("{s:s, s:i, s:I, s:o, s:O, s:O}", "format", "dl4c.net",
                     "version", 1, "seed", (json_int_t)(o->seed & INT64_MAX),
                     "inputs", inputs_json(&t), "layers", t.layers, "outputs",
                     outs);
    if (!root)
        DL4C_NOMEM_FAIL();
    *config = root;
    root = NULL;
fail:
    json_decref(root);
    json_decref(outs);
    json_decref(t.layers);
    for (int k = 0; k <= KX_LAYOUT_MAX; k++) {
        for (size_t i = 0; t.conv[k] && i < slots; i++)
            dl4c_free(t.conv[k][i]);
        dl4c_free(t.conv[k]);
    }
    dl4c_free(t.layout);
    dl4c_free(t.rank);
    dl4c_free(t.decided);
    dl4c_free(t.failed);
    if (status != DL4C_OK)
        kx_net_info_deinit(info);
    return status;
}
