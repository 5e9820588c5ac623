/* Flattening a Keras model config into one list of layer calls in
 * topological order, the shape the dl4c net config has.
 *  - Sequential: a chain; its input is an InputLayer, or the first layer's
 *    batch_input_shape (the input is then named "<layer>_input", as Keras
 *    names it).
 *  - Functional: each layer's "inbound_nodes" lists its calls; a call is
 *    made once everything it takes exists (Keras' own order of
 *    reconstruction). Node formats: Keras 1/2 [[name, node, tensor,
 *    {kwargs}], ...] (kwargs may name more tensors: an RNN's
 *    initial_state, attention's value), Keras 3 {"args": [...],
 *    "kwargs": {...}} with {"class_name": "__keras_tensor__", "config":
 *    {"keras_history": [name, node, tensor]}} for each tensor.
 *  - A layer called several times becomes one call per node ("name",
 *    "name#1", ...) sharing the first call's weights.
 *  - A nested model (class Sequential, Model or Functional inside the
 *    layers) is flattened in place for each of its calls: its InputLayers
 *    are bound to the call's tensors, its layers named "<model>/<layer>";
 *    a second call of the same model shares the first's weights.
 * Where each call's weights live is recorded on the way: the top-level
 * layer's HDF5 group (legacy files) and the Keras 3 object path. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "import/keras_internal.h"

#define MAX_DEPTH 32

typedef struct scope {
    const char *prefix;   /* of dl4c names: "" or "model_1/" */
    const char *wgroup;   /* legacy weights group of a nested model, or
                             NULL at the top level */
    const char *v3prefix; /* Keras 3 object path: "" or "layers/x/" */
    int first_start;      /* a repeated model instance: where the first
                             instance's calls start, else -1 */
    int this_start;       /* where this instance's calls start */
    int depth;
} scope;

/* A Keras tensor as the config names it. */
typedef struct kref {
    const char *layer;
    int node, tensor;
} kref;

typedef struct kref_list {
    kref *v;
    int n, cap;
} kref_list;

static bool is_model_class(const char *cls)
{
    return cls && (!strcmp(cls, "Sequential") || !strcmp(cls, "Model") ||
                   !strcmp(cls, "Functional"));
}

static dl4c_status push_ref(kref_list *l, kref r)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        kref *grown = dl4c_realloc(l->v, sizeof *grown * (size_t)cap);
        if (!grown)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        l->v = grown;
        l->cap = cap;
    }
    l->v[l->n++] = r;
    return DL4C_OK;
}

/* [name, node, tensor(, kwargs)] */
static bool as_ref(const json_t *v, kref *r)
{
    if (!json_is_array(v) || json_array_size(v) < 3 ||
        !json_is_string(json_array_get(v, 0)) ||
        !json_is_integer(json_array_get(v, 1)) ||
        !json_is_integer(json_array_get(v, 2)))
        return false;
    json_int_t node = json_integer_value(json_array_get(v, 1));
    json_int_t t = json_integer_value(json_array_get(v, 2));
    if (node < 0 || node > 1 << 20 || t < 0 || t >= DL4C_LAYER_MAX_OUTPUTS)
        return false;
    r->layer = json_string_value(json_array_get(v, 0));
    r->node = (int)node;
    r->tensor = (int)t;
    return true;
}

/* Every tensor in a Keras 3 args structure, in order. */
static dl4c_status collect_v3(const json_t *v, kref_list *out)
{
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            DL4C_RETURN_IF(collect_v3(json_array_get(v, i), out));
        return DL4C_OK;
    }
    if (!json_is_object(v))
        return DL4C_OK;
    const char *cls = json_string_value(json_object_get(v, "class_name"));
    if (cls && !strcmp(cls, "__keras_tensor__")) {
        kref r;
        json_t *h =
            json_object_get(json_object_get(v, "config"), "keras_history");
        if (!as_ref(h, &r))
            return dl4c_error_set(DL4C_FORMAT,
                                  "a tensor without a valid keras_history");
        return push_ref(out, r);
    }
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)v, key, val)
    {
        DL4C_RETURN_IF(collect_v3(val, out));
    }
    return DL4C_OK;
}

/* Tensors of tf.keras call kwargs ({"value": [name, 0, 0]}). */
static dl4c_status collect_v2(const json_t *v, kref_list *out)
{
    kref r;
    if (as_ref(v, &r))
        return push_ref(out, r);
    for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++)
        if (as_ref(json_array_get(v, i), &r))
            DL4C_RETURN_IF(push_ref(out, r));
    return DL4C_OK;
}

/* Tensors passed by keyword follow the positional ones, in the order of
 * Keras' call signatures (attention's value, key, mask; an RNN's initial
 * state, constants), then any others as written. A mask or the training
 * flag is no input. */
static dl4c_status collect_kwargs(const json_t *kw, bool v3, kref_list *out)
{
    static const char *const order[] = {
        "value", "key", "initial_state", "constants", "attention_mask", NULL};
    const char *key;
    json_t *val;
    if (!json_is_object(kw))
        return DL4C_OK;
    for (int i = 0; order[i]; i++) {
        val = json_object_get(kw, order[i]);
        if (val)
            DL4C_RETURN_IF(v3 ? collect_v3(val, out) : collect_v2(val, out));
    }
    json_object_foreach((json_t *)kw, key, val)
    {
        bool listed = !strcmp(key, "mask") || !strcmp(key, "training");
        for (int i = 0; order[i] && !listed; i++)
            listed = !strcmp(key, order[i]);
        if (!listed)
            DL4C_RETURN_IF(v3 ? collect_v3(val, out) : collect_v2(val, out));
    }
    return DL4C_OK;
}

/* One inbound node in any format: the tensors it takes and its call
 * kwargs (borrowed; NULL when none). */
static dl4c_status parse_node(const json_t *node, kref_list *out,
                              const json_t **kwargs)
{
    out->n = 0;
    *kwargs = NULL;
    if (json_is_object(node)) {
        *kwargs = json_object_get(node, "kwargs");
        DL4C_RETURN_IF(collect_v3(json_object_get(node, "args"), out));
        return collect_kwargs(*kwargs, true, out);
    }
    if (!json_is_array(node))
        return dl4c_error_set(DL4C_FORMAT, "an inbound node is not a list");
    kref r;
    if (as_ref(node, &r)) { /* a single [name, node, tensor, kwargs] */
        DL4C_RETURN_IF(push_ref(out, r));
        *kwargs = json_array_get(node, 3);
        return collect_kwargs(*kwargs, false, out);
    }
    for (size_t i = 0; i < json_array_size(node); i++) {
        json_t *e = json_array_get(node, i);
        if (!as_ref(e, &r))
            return dl4c_error_set(DL4C_FORMAT,
                                  "an inbound node entry is not [layer, "
                                  "node, tensor]");
        DL4C_RETURN_IF(push_ref(out, r));
    }
    /* every entry repeats the call's kwargs */
    *kwargs = json_array_get(json_array_get(node, 0), 3);
    return collect_kwargs(*kwargs, false, out);
}

/* input_layers / output_layers: one ref, a list of refs, or a dict. */
static dl4c_status parse_ref_list(const json_t *v, kref_list *out)
{
    kref r;
    out->n = 0;
    if (as_ref(v, &r))
        return push_ref(out, r);
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (!as_ref(json_array_get(v, i), &r))
                return dl4c_error_set(DL4C_FORMAT,
                                      "input_layers/output_layers entries "
                                      "must be [layer, node, tensor]");
            DL4C_RETURN_IF(push_ref(out, r));
        }
        return DL4C_OK;
    }
    if (json_is_object(v)) {
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)v, key, val)
        {
            if (!as_ref(val, &r))
                return dl4c_error_set(DL4C_FORMAT,
                                      "output '%s' is not [layer, node, "
                                      "tensor]",
                                      key);
            DL4C_RETURN_IF(push_ref(out, r));
        }
        return DL4C_OK;
    }
    return dl4c_error_set(DL4C_FORMAT, "the model lists no input or output "
                                       "layers");
}

/* ---- the call list ---- */

const char *kx_ref_text(const kx_graph *g, kx_ref r, char *buf, size_t cap)
{
    if (r.slot == 0)
        snprintf(buf, cap, "%s", g->calls[r.call].name);
    else
        snprintf(buf, cap, "%s:%d", g->calls[r.call].name, r.slot);
    return buf;
}

static int find_call(const kx_graph *g, const char *name)
{
    for (int i = 0; i < g->n; i++)
        if (!strcmp(g->calls[i].name, name))
            return i;
    return -1;
}

static dl4c_status add_call(kx_graph *g, const char *name, const char *kname,
                            const char *cls, const json_t *kcfg, int n_in,
                            const kx_ref *in, int *idx)
{
    if (find_call(g, name) >= 0)
        return dl4c_error_set(DL4C_FORMAT, "layer name '%s' is used twice",
                              name);
    if (g->n == g->cap) {
        int cap = g->cap ? g->cap * 2 : 32;
        kx_call *grown = dl4c_realloc(g->calls, sizeof *grown * (size_t)cap);
        if (!grown)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        g->calls = grown;
        g->cap = cap;
    }
    kx_call *c = &g->calls[g->n];
    memset(c, 0, sizeof *c);
    c->owner = -1;
    c->n_slots = 1;
    c->cls = cls;
    c->kcfg = kcfg;
    c->name = dl4c_strdup(name);
    c->kname = dl4c_strdup(kname);
    if (n_in)
        c->in = dl4c_malloc(sizeof *c->in * (size_t)n_in);
    g->n++; /* owned from here: kx_graph_deinit frees it */
    if (!c->name || !c->kname || (n_in && !c->in))
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    if (n_in)
        memcpy(c->in, in, sizeof *in * (size_t)n_in);
    c->n_in = n_in;
    for (int i = 0; i < n_in; i++) {
        kx_call *src = &g->calls[in[i].call];
        if (in[i].slot + 1 > src->n_slots)
            src->n_slots = in[i].slot + 1;
    }
    *idx = g->n - 1;
    return DL4C_OK;
}

/* A per-example shape from the layer config (batch dim dropped). */
static dl4c_status input_shape(const json_t *kcfg, const char *name,
                               dl4c_shape *out)
{
    const json_t *v = kx_get(kcfg, "batch_input_shape");
    int skip = 1;
    if (!v)
        v = kx_get(kcfg, "batch_shape");
    if (!v) {
        v = kx_get(kcfg, "input_shape");
        skip = 0;
    }
    memset(out, 0, sizeof *out);
    if (!v && json_is_integer(kx_get(kcfg, "input_dim"))) {
        out->ndim = 1;
        out->dim[0] = json_integer_value(kx_get(kcfg, "input_dim"));
        return out->dim[0] > 0
                   ? DL4C_OK
                   : dl4c_error_set(DL4C_FORMAT, "input '%s': bad input_dim",
                                    name);
    }
    if (!json_is_array(v))
        return dl4c_error_set(DL4C_FORMAT,
                              "input '%s': the model does not say its input "
                              "shape (no batch_input_shape)",
                              name);
    size_t n = json_array_size(v);
    if (n < (size_t)skip + 1 || n - (size_t)skip > DL4C_MAX_DIMS)
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "input '%s': %zu dims (1 to %d per example are "
                              "supported)",
                              name, n - (size_t)skip, DL4C_MAX_DIMS);
    for (size_t i = (size_t)skip; i < n; i++) {
        json_t *d = json_array_get(v, i);
        if (json_is_null(d)) { /* resolved by kx_graph_build */
            out->dim[out->ndim++] = 0;
            continue;
        }
        if (!json_is_integer(d) || json_integer_value(d) < 1)
            return dl4c_error_set(DL4C_FORMAT,
                                  "input '%s': dim %zu is not a positive "
                                  "integer",
                                  name, i);
        if (json_integer_value(d) > ((json_int_t)1 << 31))
            return dl4c_error_set(DL4C_FORMAT,
                                  "input '%s': dim %zu = %lld is absurdly "
                                  "large",
                                  name, i, (long long)json_integer_value(d));
        out->dim[out->ndim++] = json_integer_value(d);
    }
    return DL4C_OK;
}

static dl4c_status add_input(kx_graph *g, const char *name, const char *kname,
                             const json_t *kcfg, kx_ref *ref)
{
    int idx = 0;
    dl4c_shape shape;
    DL4C_RETURN_IF(input_shape(kcfg, kname, &shape));
    DL4C_RETURN_IF(add_call(g, name, kname, "InputLayer", kcfg, 0, NULL, &idx));
    g->calls[idx].is_input = true;
    g->calls[idx].shape = shape;
    int *grown =
        dl4c_realloc(g->inputs, sizeof *grown * (size_t)(g->n_inputs + 1));
    if (!grown)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    g->inputs = grown;
    g->inputs[g->n_inputs++] = idx;
    ref->call = idx;
    ref->slot = 0;
    return DL4C_OK;
}

/* Keras 3's snake_case of a class name (its object paths in weight
 * files): "Conv2DTranspose" -> "conv2d_transpose". */
static void snake_case(const char *cls, char *out, size_t cap)
{
    char tmp[256];
    size_t n = 0;
    /* (.)([A-Z][a-z]+) -> \1_\2 */
    for (size_t i = 0; cls[i] && n + 2 < sizeof tmp; i++) {
        if (i > 0 && isupper((unsigned char)cls[i]) &&
            islower((unsigned char)cls[i + 1]))
            tmp[n++] = '_';
        tmp[n++] = cls[i];
    }
    tmp[n] = '\0';
    /* ([a-z])([A-Z]) -> \1_\2, then lower case */
    size_t m = 0;
    for (size_t i = 0; tmp[i] && m + 2 < cap; i++) {
        if (i > 0 && islower((unsigned char)tmp[i - 1]) &&
            isupper((unsigned char)tmp[i]))
            out[m++] = '_';
        out[m++] = (char)tolower((unsigned char)tmp[i]);
    }
    out[m] = '\0';
}

/* Per model: class name counters of Keras 3's object paths. */
typedef struct v3_names {
    char **cls;
    int *count;
    int n;
} v3_names;

static dl4c_status v3_name(v3_names *v, const char *cls, char *out, size_t cap)
{
    char base[256];
    snake_case(cls, base, sizeof base);
    for (int i = 0; i < v->n; i++)
        if (!strcmp(v->cls[i], base)) {
            snprintf(out, cap, "%s_%d", base, ++v->count[i]);
            return DL4C_OK;
        }
    char **c = dl4c_realloc(v->cls, sizeof *c * (size_t)(v->n + 1));
    if (c)
        v->cls = c;
    int *k = dl4c_realloc(v->count, sizeof *k * (size_t)(v->n + 1));
    if (k)
        v->count = k;
    if (!c || !k || !(v->cls[v->n] = dl4c_strdup(base)))
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    v->count[v->n++] = 0;
    snprintf(out, cap, "%s", base);
    return DL4C_OK;
}

static void v3_names_deinit(v3_names *v)
{
    for (int i = 0; i < v->n; i++)
        dl4c_free(v->cls[i]);
    dl4c_free(v->cls);
    dl4c_free(v->count);
}

static dl4c_status flat_model(kx_graph *g, const json_t *model,
                              const char *mname, const scope *s,
                              const kx_ref *bind, int n_bind, kx_ref **outs,
                              int *n_outs);

/* A layer call (not a model) inside scope s; records where its weights
 * are and which call's weights it shares. */
static dl4c_status add_layer_call(kx_graph *g, const scope *s,
                                  const json_t *layer, const char *kname,
                                  int node, int owner_node0, const char *v3,
                                  int n_in, const kx_ref *in, int *idx)
{
    char name[1024];
    const char *cls = json_string_value(json_object_get(layer, "class_name"));
    const json_t *kcfg = json_object_get(layer, "config");
    if (node)
        snprintf(name, sizeof name, "%s%s#%d", s->prefix, kname, node);
    else
        snprintf(name, sizeof name, "%s%s", s->prefix, kname);
    DL4C_RETURN_IF(
        add_call(g, name, kname, cls ? cls : "?", kcfg, n_in, in, idx));
    kx_call *c = &g->calls[*idx];
    if (node > 0)
        c->owner = owner_node0;
    else if (s->first_start >= 0)
        c->owner = s->first_start + (*idx - s->this_start);
    while (c->owner >= 0 && g->calls[c->owner].owner >= 0)
        c->owner = g->calls[c->owner].owner;
    c->wgroup = dl4c_strdup(s->wgroup ? s->wgroup : kname);
    c->wnested = s->wgroup != NULL;
    c->v3path = dl4c_strdup(v3);
    if (!c->wgroup || !c->v3path)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return DL4C_OK;
}

/* The scope of a nested model's call. */
static void nested_scope(const scope *s, const char *mname, int node,
                         const char *v3, int first_start, int this_start,
                         char *prefix, size_t pcap, char *v3prefix, size_t vcap,
                         scope *inner)
{
    if (node)
        snprintf(prefix, pcap, "%s%s#%d/", s->prefix, mname, node);
    else
        snprintf(prefix, pcap, "%s%s/", s->prefix, mname);
    snprintf(v3prefix, vcap, "%s/", v3);
    inner->prefix = prefix;
    inner->wgroup = s->wgroup ? s->wgroup : mname;
    inner->v3prefix = v3prefix;
    inner->first_start = first_start;
    inner->this_start = this_start;
    inner->depth = s->depth + 1;
}

static const char *layer_name(const json_t *layer)
{
    const char *n = json_string_value(json_object_get(layer, "name"));
    if (!n)
        n = json_string_value(
            json_object_get(json_object_get(layer, "config"), "name"));
    return n;
}

/* The config that says a Sequential's input shape when its first layer
 * is `layer`: the layer's own, or for a nested model its first layer's or
 * InputLayer's. */
static const json_t *input_cfg(const json_t *layer, int depth)
{
    const json_t *cfg = json_object_get(layer, "config");
    if (!is_model_class(kx_class_of(layer)) || depth > MAX_DEPTH)
        return cfg;
    const json_t *layers = json_is_array(cfg) ? cfg : kx_get(cfg, "layers");
    for (size_t i = 0; i < json_array_size(layers); i++) {
        const json_t *l = json_array_get(layers, i);
        const char *cls = kx_class_of(l);
        if (cls && !strcmp(cls, "InputLayer"))
            return json_object_get(l, "config");
        if (!strcmp(kx_class_of(layer), "Sequential"))
            return input_cfg(l, depth + 1);
    }
    return cfg;
}

static dl4c_status flat_sequential(kx_graph *g, const json_t *cfg,
                                   const scope *s, const kx_ref *bind,
                                   int n_bind, kx_ref **outs, int *n_outs)
{
    dl4c_status status = DL4C_OK;
    const json_t *layers = json_is_array(cfg) ? cfg : kx_get(cfg, "layers");
    kx_ref cur = {-1, 0};
    v3_names names = {0};
    kx_ref *inner = NULL;
    int n_inner = 0;
    DL4C_CHECK(json_is_array(layers) && json_array_size(layers) > 0,
               DL4C_FORMAT, "a Sequential model without layers");
    if (n_bind > 0)
        cur = bind[0];
    for (size_t i = 0; i < json_array_size(layers); i++) {
        const json_t *layer = json_array_get(layers, i);
        const char *cls = kx_class_of(layer);
        const char *kname = layer_name(layer);
        const json_t *kcfg = json_object_get(layer, "config");
        char name[1024], v3[1024], obj[300];
        DL4C_CHECK(cls && kname, DL4C_FORMAT,
                   "Sequential layer %zu has no class_name or name", i);
        DL4C_TRY(v3_name(&names, cls, obj, sizeof obj));
        snprintf(v3, sizeof v3, "%slayers/%s", s->v3prefix, obj);
        if (!strcmp(cls, "InputLayer")) {
            if (cur.call < 0) {
                snprintf(name, sizeof name, "%s%s", s->prefix, kname);
                DL4C_TRY(add_input(g, name, kname, kcfg, &cur));
            }
            continue;
        }
        if (cur.call < 0) {
            char iname[300];
            snprintf(iname, sizeof iname, "%s_input", kname);
            snprintf(name, sizeof name, "%s%s", s->prefix, iname);
            DL4C_TRY(add_input(g, name, iname, input_cfg(layer, 0), &cur));
        }
        if (is_model_class(cls)) {
            scope in_s;
            char prefix[1024], v3p[1100];
            nested_scope(s, kname, 0, v3,
                         s->first_start >= 0
                             ? s->first_start + (g->n - s->this_start)
                             : -1,
                         g->n, prefix, sizeof prefix, v3p, sizeof v3p, &in_s);
            DL4C_TRY(
                flat_model(g, layer, kname, &in_s, &cur, 1, &inner, &n_inner));
            DL4C_CHECK(n_inner == 1, DL4C_UNSUPPORTED,
                       "nested model '%s' in a Sequential model has %d "
                       "outputs",
                       kname, n_inner);
            cur = inner[0];
            dl4c_free(inner);
            inner = NULL;
            continue;
        }
        int idx = 0;
        DL4C_TRY(add_layer_call(g, s, layer, kname, 0, -1, v3, 1, &cur, &idx));
        cur.call = idx;
        cur.slot = 0;
    }
    *outs = dl4c_malloc(sizeof **outs);
    if (!*outs)
        DL4C_NOMEM_FAIL();
    (*outs)[0] = cur;
    *n_outs = 1;
fail:
    dl4c_free(inner);
    v3_names_deinit(&names);
    return status;
}

/* What a processed node of a functional model's layer gives. */
typedef struct node_out {
    int call;     /* a plain layer's call, or -1 */
    kx_ref *refs; /* a nested model's outputs */
    int n_refs;
} node_out;

typedef struct layer_state {
    const json_t *layer;
    const char *name, *cls;
    const json_t *nodes; /* inbound_nodes */
    int done;            /* nodes processed */
    node_out *outs;      /* [json_array_size(nodes)] (1 for inputs) */
    char v3[1024];
    int first_start; /* nested models: where the first call's layers are */
} layer_state;

static int find_layer(layer_state *ls, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(ls[i].name, name))
            return i;
    return -1;
}

/* The graph tensor of a config ref, or false when not made yet. */
static bool resolve(kx_graph *g, layer_state *ls, int n, kref r, kx_ref *out,
                    dl4c_status *st)
{
    int i = find_layer(ls, n, r.layer);
    *st = DL4C_OK;
    if (i < 0) {
        *st = dl4c_error_set(DL4C_FORMAT,
                             "a layer takes '%s', which is not "
                             "in the model",
                             r.layer);
        return false;
    }
    if (r.node >= ls[i].done)
        return false;
    node_out *o = &ls[i].outs[r.node];
    if (o->call >= 0) {
        out->call = o->call;
        out->slot = r.tensor;
        (void)g;
        return true;
    }
    if (r.tensor >= o->n_refs) {
        *st = dl4c_error_set(DL4C_FORMAT, "model '%s' has no output %d",
                             r.layer, r.tensor);
        return false;
    }
    *out = o->refs[r.tensor];
    return true;
}

static dl4c_status flat_functional(kx_graph *g, const json_t *cfg,
                                   const scope *s, const kx_ref *bind,
                                   int n_bind, kx_ref **outs, int *n_outs)
{
    dl4c_status status = DL4C_OK;
    const json_t *layers = kx_get(cfg, "layers");
    layer_state *ls = NULL;
    kref_list refs = {0}, ins = {0}, outl = {0};
    kx_ref *tensors = NULL, *inner = NULL;
    v3_names names = {0};
    int n = 0, n_inner = 0;
    DL4C_CHECK(json_is_array(layers) && json_array_size(layers) > 0,
               DL4C_FORMAT, "a functional model without layers");
    n = (int)json_array_size(layers);
    ls = dl4c_calloc((size_t)n, sizeof *ls);
    if (!ls)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(parse_ref_list(kx_get(cfg, "input_layers"), &ins));
    DL4C_TRY(parse_ref_list(kx_get(cfg, "output_layers"), &outl));
    for (int i = 0; i < n; i++) {
        layer_state *l = &ls[i];
        char obj[300];
        l->layer = json_array_get(layers, (size_t)i);
        l->name = layer_name(l->layer);
        l->cls = kx_class_of(l->layer);
        l->nodes = json_object_get(l->layer, "inbound_nodes");
        l->first_start = -1;
        DL4C_CHECK(l->name && l->cls, DL4C_FORMAT,
                   "layer %d has no name or class_name", i);
        DL4C_CHECK(find_layer(ls, i, l->name) < 0, DL4C_FORMAT,
                   "layer name '%s' is used twice", l->name);
        if (!json_is_array(l->nodes))
            l->nodes = NULL;
        size_t k = l->nodes ? json_array_size(l->nodes) : 0;
        l->outs = dl4c_calloc(k ? k : 1, sizeof *l->outs);
        if (!l->outs)
            DL4C_NOMEM_FAIL();
        DL4C_TRY(v3_name(&names, l->cls, obj, sizeof obj));
        snprintf(l->v3, sizeof l->v3, "%slayers/%s", s->v3prefix, obj);
        if (strcmp(l->cls, "InputLayer"))
            continue;
        /* an input: bound to the caller's tensor, or a net input */
        kx_ref r = {-1, 0};
        if (n_bind > 0) {
            for (int j = 0; j < ins.n; j++)
                if (!strcmp(ins.v[j].layer, l->name)) {
                    DL4C_CHECK(j < n_bind, DL4C_FORMAT,
                               "nested model input '%s' gets no tensor",
                               l->name);
                    r = bind[j];
                }
            if (r.call < 0) /* an unused input of a nested model */
                continue;
        } else {
            char name[1024];
            snprintf(name, sizeof name, "%s%s", s->prefix, l->name);
            DL4C_TRY(add_input(g, name, l->name,
                               json_object_get(l->layer, "config"), &r));
        }
        l->outs[0].call = -1;
        l->outs[0].refs = dl4c_malloc(sizeof r);
        if (!l->outs[0].refs)
            DL4C_NOMEM_FAIL();
        l->outs[0].refs[0] = r;
        l->outs[0].n_refs = 1;
        l->done = 1;
    }
    /* Net inputs come in input_layers order, not layer order. */
    if (n_bind == 0) {
        DL4C_CHECK(ins.n <= g->n_inputs, DL4C_FORMAT,
                   "input_layers names %d inputs, the model has %d", ins.n,
                   g->n_inputs);
        for (int j = 0; j < ins.n; j++) {
            int li = find_layer(ls, n, ins.v[j].layer);
            DL4C_CHECK(li >= 0 && ls[li].done, DL4C_FORMAT,
                       "input '%s' is not an InputLayer", ins.v[j].layer);
            g->inputs[j] = ls[li].outs[0].refs[0].call;
        }
        g->n_inputs = ins.n;
    }
    for (bool progress = true; progress;) {
        progress = false;
        for (int i = 0; i < n; i++) {
            layer_state *l = &ls[i];
            if (!strcmp(l->cls, "InputLayer") || !l->nodes)
                continue;
            while (l->done < (int)json_array_size(l->nodes)) {
                int k = l->done;
                const json_t *kwargs = NULL;
                DL4C_TRY(parse_node(json_array_get(l->nodes, (size_t)k), &refs,
                                    &kwargs));
                DL4C_CHECK(refs.n > 0, DL4C_FORMAT,
                           "layer '%s': call %d takes no tensor", l->name, k);
                kx_ref *t = dl4c_realloc(tensors, sizeof *t * (size_t)refs.n);
                if (!t)
                    DL4C_NOMEM_FAIL();
                tensors = t;
                bool ready = true;
                for (int j = 0; j < refs.n && ready; j++) {
                    dl4c_status st;
                    ready = resolve(g, ls, n, refs.v[j], &tensors[j], &st);
                    DL4C_TRY(st);
                }
                if (!ready)
                    break;
                node_out *o = &l->outs[k];
                if (is_model_class(l->cls)) {
                    scope in_s;
                    char prefix[1024], v3p[1100];
                    int first =
                        k ? l->first_start
                          : (s->first_start >= 0
                                 ? s->first_start + (g->n - s->this_start)
                                 : -1);
                    if (k == 0)
                        l->first_start = g->n;
                    nested_scope(s, l->name, k, l->v3, first, g->n, prefix,
                                 sizeof prefix, v3p, sizeof v3p, &in_s);
                    DL4C_CHECK(in_s.depth < MAX_DEPTH, DL4C_UNSUPPORTED,
                               "models nested deeper than %d", MAX_DEPTH);
                    DL4C_TRY(flat_model(g, l->layer, l->name, &in_s, tensors,
                                        refs.n, &inner, &n_inner));
                    o->call = -1;
                    o->refs = inner;
                    o->n_refs = n_inner;
                    inner = NULL;
                } else {
                    int owner = k ? ls[i].outs[0].call : -1;
                    DL4C_TRY(add_layer_call(g, s, l->layer, l->name, k, owner,
                                            l->v3, refs.n, tensors, &o->call));
                    g->calls[o->call].kwargs =
                        json_is_object(kwargs) ? kwargs : NULL;
                }
                l->done++;
                progress = true;
            }
        }
    }
    for (int i = 0; i < n; i++) {
        const layer_state *l = &ls[i];
        if (l->nodes && l->done < (int)json_array_size(l->nodes) &&
            strcmp(l->cls, "InputLayer"))
            DL4C_FAIL(DL4C_FORMAT,
                      "layer '%s': call %d takes a tensor that no layer of "
                      "the model produces",
                      l->name, l->done);
    }
    *outs = dl4c_malloc(sizeof **outs * (size_t)(outl.n ? outl.n : 1));
    if (!*outs)
        DL4C_NOMEM_FAIL();
    for (int j = 0; j < outl.n; j++) {
        dl4c_status st;
        if (!resolve(g, ls, n, outl.v[j], &(*outs)[j], &st)) {
            dl4c_free(*outs);
            *outs = NULL;
            DL4C_TRY(st);
            DL4C_FAIL(DL4C_FORMAT, "output '%s' is never computed",
                      outl.v[j].layer);
        }
    }
    *n_outs = outl.n;
fail:
    for (int i = 0; ls && i < n; i++) {
        size_t k = ls[i].nodes ? json_array_size(ls[i].nodes) : 0;
        for (size_t j = 0; j < (k ? k : 1); j++)
            if (ls[i].outs)
                dl4c_free(ls[i].outs[j].refs);
        dl4c_free(ls[i].outs);
    }
    dl4c_free(ls);
    dl4c_free(refs.v);
    dl4c_free(ins.v);
    dl4c_free(outl.v);
    dl4c_free(tensors);
    dl4c_free(inner);
    v3_names_deinit(&names);
    return status;
}

static dl4c_status flat_model(kx_graph *g, const json_t *model,
                              const char *mname, const scope *s,
                              const kx_ref *bind, int n_bind, kx_ref **outs,
                              int *n_outs)
{
    const char *cls = kx_class_of(model);
    const json_t *cfg = json_object_get(model, "config");
    dl4c_status st;
    *outs = NULL;
    *n_outs = 0;
    if (cls && !strcmp(cls, "Sequential"))
        st = flat_sequential(g, cfg, s, bind, n_bind, outs, n_outs);
    else
        st = flat_functional(g, cfg, s, bind, n_bind, outs, n_outs);
    if (st != DL4C_OK && mname)
        return dl4c_error_prefix(st, "nested model '%s'", mname);
    return st;
}

/* None dims of the inputs from the options. */
static dl4c_status resolve_inputs(kx_graph *g, const dl4c_keras_options *o)
{
    for (int i = 0; i < g->n_inputs; i++) {
        kx_call *c = &g->calls[g->inputs[i]];
        const dl4c_shape *given = i < o->n_input_shapes && o->input_shapes
                                      ? &o->input_shapes[i]
                                      : NULL;
        for (int d = 0; d < c->shape.ndim; d++) {
            if (c->shape.dim[d] > 0)
                continue;
            if (!given || given->ndim != c->shape.ndim || given->dim[d] < 1)
                return dl4c_error_set(
                    DL4C_UNSUPPORTED,
                    "input '%s' (input %d): dim %d has no fixed size (None); "
                    "give the input's shape (dl4c nets have fixed input "
                    "shapes)",
                    c->kname, i, d + 1);
            c->shape.dim[d] = given->dim[d];
        }
    }
    return DL4C_OK;
}

dl4c_status kx_graph_build(const kx_source *src, const dl4c_keras_options *o,
                           kx_graph *g)
{
    dl4c_status status = DL4C_OK;
    scope top = {"", NULL, "", -1, 0, 0};
    kx_ref *outs = NULL;
    int n_outs = 0;
    memset(g, 0, sizeof *g);
    DL4C_TRY(flat_model(g, src->model, NULL, &top, NULL, 0, &outs, &n_outs));
    DL4C_CHECK(n_outs > 0, DL4C_FORMAT, "the model has no outputs");
    DL4C_CHECK(g->n_inputs > 0, DL4C_FORMAT, "the model has no inputs");
    DL4C_TRY(resolve_inputs(g, o));
    for (int i = 0; i < n_outs; i++)
        DL4C_CHECK(!g->calls[outs[i].call].is_input, DL4C_UNSUPPORTED,
                   "output %d is the model input '%s' itself", i,
                   g->calls[outs[i].call].name);
    g->outputs = outs;
    g->n_outputs = n_outs;
    return DL4C_OK;
fail:
    dl4c_free(outs);
    kx_graph_deinit(g);
    return dl4c_error_prefix(status, "%s", src->name);
}

void kx_graph_deinit(kx_graph *g)
{
    for (int i = 0; i < g->n; i++) {
        kx_call *c = &g->calls[i];
        dl4c_free(c->name);
        dl4c_free(c->kname);
        dl4c_free(c->in);
        dl4c_free(c->wgroup);
        dl4c_free(c->v3path);
    }
    dl4c_free(g->calls);
    dl4c_free(g->inputs);
    dl4c_free(g->outputs);
    memset(g, 0, sizeof *g);
}
