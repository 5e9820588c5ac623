/* Weights from a Keras file into the net's parameters. Where they are:
 *  - legacy HDF5 (Keras 1, 2, tf.keras): group <root>/<layer> holds the
 *    attribute weight_names (split into weight_names0, 1, ... when large)
 *    and one dataset per name, read in that order -- never in HDF5's
 *    listing order. A nested model's group holds all its layers' weights;
 *    each weight's name ("dense_2/kernel:0", Keras 1 "dense_2_W") says
 *    whose it is.
 *  - Keras 3 (.keras): layers/<object>/vars/0..n-1, then the object's
 *    sub-objects (an RNN's cell, a wrapper's forward_layer before its
 *    backward_layer, others by name), Keras' layer.weights order.
 *    Archives written on Windows name groups with backslashes.
 * Files written by the Theano backend hold convolution kernels flipped
 * (Theano convolves, TensorFlow correlates): they are flipped back here, as
 * Keras' own loader does, before the layer's hook sees them. Every array
 * must be finite unless the options allow otherwise. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "import/keras_internal.h"
#include "nn/net_internal.h"

#define PATH_CAP 2048

typedef struct wlist {
    dl4c_tensor **w;
    char **names;
    int n, cap;
} wlist;

static dl4c_status wpush(wlist *l, dl4c_tensor *t, const char *name)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        dl4c_tensor **w = dl4c_realloc(l->w, sizeof *w * (size_t)cap);
        if (w)
            l->w = w;
        char **n = dl4c_realloc(l->names, sizeof *n * (size_t)cap);
        if (n)
            l->names = n;
        if (!w || !n) {
            dl4c_tensor_free(t);
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        }
        l->cap = cap;
    }
    l->w[l->n] = t;
    l->names[l->n] = dl4c_strdup(name);
    l->n++;
    if (!l->names[l->n - 1])
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return DL4C_OK;
}

void kx_weights_free(dl4c_tensor **w, char **names, int n)
{
    for (int i = 0; i < n; i++) {
        if (w)
            dl4c_tensor_free(w[i]);
        if (names)
            dl4c_free(names[i]);
    }
    dl4c_free(w);
    dl4c_free(names);
}

/* weight_names, or its chunks weight_names0, weight_names1, ... */
static dl4c_status weight_names(dl4c_h5 *h5, const char *group, char ***out,
                                int *n)
{
    DL4C_RETURN_IF(dl4c_h5_attr_strings(h5, group, "weight_names", out, n));
    if (*n >= 0)
        return DL4C_OK;
    char **all = NULL;
    int total = 0;
    for (int chunk = 0;; chunk++) {
        char attr[32], **part = NULL;
        int k = 0;
        snprintf(attr, sizeof attr, "weight_names%d", chunk);
        dl4c_status st = dl4c_h5_attr_strings(h5, group, attr, &part, &k);
        if (st != DL4C_OK) {
            dl4c_h5_free_strings(all, total);
            return st;
        }
        if (k < 0)
            break;
        char **grown =
            dl4c_realloc(all, sizeof *grown * (size_t)(total + k + 1));
        if (!grown) {
            dl4c_h5_free_strings(part, k);
            dl4c_h5_free_strings(all, total);
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        }
        all = grown;
        memcpy(all + total, part, sizeof *part * (size_t)k);
        total += k;
        dl4c_free(part);
    }
    *out = all;
    *n = all ? total : -1;
    return DL4C_OK;
}

/* Whose weight a name in a nested model's group is: the first path
 * component naming one of the model's layers, or (Keras 1,
 * "dense_2_W") the longest layer name it starts with. */
static bool belongs(const kx_source *src, const kx_call *c,
                    const kx_call *calls, int n_calls, const char *wname)
{
    (void)src;
    const char *p = wname;
    for (;;) {
        const char *slash = strchr(p, '/');
        if (!slash)
            break;
        size_t len = (size_t)(slash - p);
        for (int i = 0; i < n_calls; i++)
            if (calls[i].wnested && !strcmp(calls[i].wgroup, c->wgroup) &&
                strlen(calls[i].kname) == len &&
                !strncmp(calls[i].kname, p, len))
                return !strcmp(calls[i].kname, c->kname);
        p = slash + 1;
    }
    const char *best = NULL;
    for (int i = 0; i < n_calls; i++) {
        const char *k = calls[i].kname;
        size_t len = strlen(k);
        if (calls[i].wnested && !strcmp(calls[i].wgroup, c->wgroup) &&
            !strncmp(wname, k, len) && wname[len] == '_' &&
            (!best || len > strlen(best)))
            best = k;
    }
    return best && !strcmp(best, c->kname);
}

static dl4c_status legacy_weights(const kx_source *src, const kx_graph *g,
                                  const kx_call *c, dl4c_dtype dtype,
                                  wlist *out, bool *found)
{
    dl4c_status status = DL4C_OK;
    char group[PATH_CAP], path[PATH_CAP * 2];
    char **names = NULL;
    int n = 0;
    if (*src->wroot)
        snprintf(group, sizeof group, "%s/%s", src->wroot, c->wgroup);
    else
        snprintf(group, sizeof group, "%s", c->wgroup);
    *found = dl4c_h5_is_group(src->h5, group);
    if (!*found)
        return DL4C_OK;
    DL4C_TRY(weight_names(src->h5, group, &names, &n));
    for (int i = 0; i < n; i++) {
        dl4c_tensor *t = NULL;
        if (c->wnested && !belongs(src, c, g->calls, g->n, names[i]))
            continue;
        snprintf(path, sizeof path, "%s/%s", group, names[i]);
        DL4C_TRY(dl4c_h5_read(src->h5, path, dtype, &t));
        DL4C_TRY(wpush(out, t, names[i]));
    }
fail:
    dl4c_h5_free_strings(names, n);
    return status;
}

static bool numeric_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* Sub-objects in Keras' layer.weights order. */
static int child_rank(const char *name)
{
    static const char *const first[] = {
        "cell",        "forward_layer", "backward_layer",
        "layer",       "_query_dense",  "query_dense",
        "_key_dense",  "key_dense",     "_value_dense",
        "value_dense", "_output_dense", "output_dense",
        NULL};
    for (int i = 0; first[i]; i++)
        if (!strcmp(first[i], name))
            return i;
    return 1000;
}

static int by_rank(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int rx = child_rank(x), ry = child_rank(y);
    return rx != ry ? rx - ry : strcmp(x, y);
}

static dl4c_status v3_collect(const kx_source *src, const char *path,
                              dl4c_dtype dtype, int depth, wlist *out)
{
    dl4c_status status = DL4C_OK;
    char vars[PATH_CAP], child[PATH_CAP * 2];
    char **names = NULL;
    int n = 0;
    DL4C_CHECK(depth < 16, DL4C_FORMAT, "%s: objects nested too deeply at %s",
               src->name, path);
    snprintf(vars, sizeof vars, "%s/vars", path);
    if (dl4c_h5_is_group(src->h5, vars)) {
        int count = 0;
        DL4C_TRY(dl4c_h5_children(src->h5, vars, &names, &n));
        for (int i = 0; i < n; i++)
            count += numeric_name(names[i]);
        for (int k = 0; k < count; k++) {
            dl4c_tensor *t = NULL;
            char name[32];
            snprintf(name, sizeof name, "%d", k);
            snprintf(child, sizeof child, "%s/%d", vars, k);
            DL4C_TRY(dl4c_h5_read(src->h5, child, dtype, &t));
            DL4C_TRY(wpush(out, t, name));
        }
        dl4c_h5_free_strings(names, n);
        names = NULL;
        n = 0;
    }
    DL4C_TRY(dl4c_h5_children(src->h5, path, &names, &n));
    qsort(names, (size_t)n, sizeof *names, by_rank);
    for (int i = 0; i < n; i++) {
        snprintf(child, sizeof child, "%s/%s", path, names[i]);
        if (!strcmp(names[i], "vars") || !dl4c_h5_is_group(src->h5, child))
            continue;
        DL4C_TRY(v3_collect(src, child, dtype, depth + 1, out));
    }
fail:
    dl4c_h5_free_strings(names, n);
    return status;
}

static dl4c_status v3_weights(const kx_source *src, const kx_call *c,
                              dl4c_dtype dtype, wlist *out, bool *found)
{
    char path[PATH_CAP];
    snprintf(path, sizeof path, "%s", c->v3path);
    *found = dl4c_h5_is_group(src->h5, path);
    if (!*found) { /* written on Windows: "layers\dense" at the root */
        for (char *p = path; *p; p++)
            if (*p == '/')
                *p = '\\';
        *found = dl4c_h5_is_group(src->h5, path);
    }
    if (!*found)
        return DL4C_OK;
    return v3_collect(src, path, dtype, 0, out);
}

dl4c_status kx_weights_of(const kx_source *src, const kx_graph *g,
                          const kx_call *c, dl4c_dtype dtype, dl4c_tensor ***w,
                          char ***names, int *n)
{
    wlist l = {0};
    bool found = false;
    dl4c_status st = DL4C_OK;
    *w = NULL;
    *n = -1;
    if (names)
        *names = NULL;
    if (src->layout == KX_WEIGHTS_LEGACY)
        st = legacy_weights(src, g, c, dtype, &l, &found);
    else if (src->layout == KX_WEIGHTS_V3)
        st = v3_weights(src, c, dtype, &l, &found);
    if (st != DL4C_OK) {
        kx_weights_free(l.w, l.names, l.n);
        return st;
    }
    *w = l.w;
    *n = found ? l.n : -1;
    if (names)
        *names = l.names;
    else
        kx_weights_free(NULL, l.names, l.n);
    return DL4C_OK;
}

/* ---- Theano kernels ---- */

static bool theano_flipped(const kx_source *src, const kx_call *c)
{
    static const char *const conv[] = {"Conv1D",
                                       "Conv2D",
                                       "Conv3D",
                                       "Conv2DTranspose",
                                       "Convolution1D",
                                       "Convolution2D",
                                       "Convolution3D",
                                       "Deconvolution2D",
                                       "AtrousConvolution1D",
                                       "AtrousConvolution2D",
                                       NULL};
    if (!src->backend || strcmp(src->backend, "theano"))
        return false;
    for (int i = 0; conv[i]; i++)
        if (!strcmp(conv[i], c->cls))
            return true;
    return false;
}

/* Reverses axes [from, to) of t in place. */
static dl4c_status flip_axes(dl4c_tensor *t, int from, int to)
{
    dl4c_shape s = dl4c_tensor_shape(t);
    int64_t n = dl4c_tensor_size(t);
    dl4c_tensor *copy = NULL;
    DL4C_RETURN_IF(dl4c_tensor_copy(t, &copy));
    for (int64_t i = 0; i < n; i++) {
        int64_t rest = i, j = 0, stride = 1;
        for (int d = s.ndim - 1; d >= 0; d--) {
            int64_t x = rest % s.dim[d];
            rest /= s.dim[d];
            if (d >= from && d < to)
                x = s.dim[d] - 1 - x;
            j += x * stride;
            stride *= s.dim[d];
        }
        dl4c_tensor_set(t, j, dl4c_tensor_get(copy, i));
    }
    dl4c_tensor_free(copy);
    return DL4C_OK;
}

static dl4c_status unflip(const kx_call *c, wlist *l)
{
    if (l->n == 0)
        return DL4C_OK;
    dl4c_tensor *k = l->w[0];
    int nd = dl4c_tensor_ndim(k);
    const json_t *dim = kx_get(c->kcfg, "dim_ordering");
    bool th = json_is_string(dim) && !strcmp(json_string_value(dim), "th");
    if (nd < 3)
        return DL4C_OK;
    /* Keras 1 "th" kernels are (out, in, spatial...); others
     * (spatial..., in, out) */
    return th ? flip_axes(k, 2, nd) : flip_axes(k, 0, nd - 2);
}

/* ---- into the net ---- */

static dl4c_status check_finite(const kx_call *c, const wlist *l)
{
    for (int i = 0; i < l->n; i++) {
        const dl4c_tensor *t = l->w[i];
        for (int64_t j = 0; j < dl4c_tensor_size(t); j++)
            if (!isfinite(dl4c_tensor_get(t, j)))
                return dl4c_error_set(DL4C_FORMAT,
                                      "weight '%s' holds %g at element %lld "
                                      "(a diverged model predicts nothing; "
                                      "allow_nonfinite imports it anyway)",
                                      l->names[i], dl4c_tensor_get(t, j),
                                      (long long)j);
    }
    (void)c;
    return DL4C_OK;
}

/* The plain import of a layer type without a keras_weights hook: the
 * arrays are its parameters, in order and shape. */
static dl4c_status plain_copy(const dl4c_layer *l, int n,
                              const dl4c_tensor *const *w,
                              dl4c_tensor *const *params)
{
    char got[160], want[160];
    if (n != l->n_params)
        return dl4c_error_set(DL4C_FORMAT,
                              "%d weight arrays in the file, the layer has "
                              "%d parameters",
                              n, l->n_params);
    for (int i = 0; i < n; i++) {
        dl4c_shape a = dl4c_shape_of(w[i]);
        if (!dl4c_shape_equal(&a, &l->params[i].shape))
            return dl4c_error_set(
                DL4C_SHAPE,
                "weight %d has shape %s, the layer's '%s' "
                "is %s",
                i, dl4c_shape_format(&a, got, sizeof got), l->params[i].name,
                dl4c_shape_format(&l->params[i].shape, want, sizeof want));
    }
    for (int i = 0; i < n; i++)
        DL4C_RETURN_IF(dl4c_tensor_copy_into(w[i], params[i]));
    return DL4C_OK;
}

dl4c_status kx_apply_hook(const kx_source *src, const kx_call *c, bool cf,
                          const dl4c_layer *l, int n,
                          const dl4c_tensor *const *w,
                          dl4c_tensor *const *params)
{
    char where[1200];
    snprintf(where, sizeof where, "layer '%s' (%s)", c->name, c->cls);
    dl4c_keras_ctx k = kx_ctx(src, cf, where);
    if (l->type->keras_weights)
        return l->type->keras_weights(&k, l, n, w, params);
    return plain_copy(l, n, w, params);
}

static dl4c_status load_call(const kx_source *src, const kx_graph *g,
                             const kx_call *c, const kx_net_info *info,
                             const dl4c_keras_options *o, dl4c_net *net)
{
    dl4c_status status = DL4C_OK;
    wlist l = {0};
    bool found = false;
    int li = dl4c_net_layer_index(net, c->name);
    dl4c_tensor *params[DL4C_LAYER_MAX_PARAMS];
    DL4C_CHECK(li >= 0, DL4C_INTERNAL, "layer '%s' is not in the net", c->name);
    const dl4c_layer *layer = net->nodes[net->n_inputs + li].layer;
    {
        int n = -1;
        DL4C_TRY(kx_weights_of(src, g, c, net->dtype, &l.w, &l.names, &n));
        found = n >= 0;
        l.n = found ? n : 0;
    }
    if (!found && layer->n_params == 0)
        goto done;
    DL4C_CHECK(found, DL4C_FORMAT, "the file has no weights for it");
    if (!o->allow_nonfinite)
        DL4C_TRY(check_finite(c, &l));
    if (theano_flipped(src, c))
        DL4C_TRY(unflip(c, &l));
    for (int p = 0; p < layer->n_params; p++)
        params[p] = dl4c_net_param(net, c->name, layer->params[p].name);
    DL4C_TRY(kx_apply_hook(src, c, info->call_cf[c - g->calls], layer, l.n,
                           (const dl4c_tensor *const *)l.w, params));
done:
fail:
    kx_weights_free(l.w, l.names, l.n);
    return status;
}

dl4c_status kx_load_weights(const kx_source *src, const kx_graph *g,
                            const kx_net_info *info,
                            const dl4c_keras_options *o, dl4c_net *net)
{
    kx_problems p = {0};
    dl4c_status first = DL4C_OK;
    if (src->layout == KX_WEIGHTS_NONE)
        return DL4C_OK;
    for (int i = 0; i < g->n; i++) {
        const kx_call *c = &g->calls[i];
        if (c->is_input || c->owner >= 0)
            continue;
        dl4c_status st = load_call(src, g, c, info, o, net);
        if (st == DL4C_NOMEM) {
            kx_problems_deinit(&p);
            return st;
        }
        if (st != DL4C_OK) {
            kx_problem_last(&p, c->name, c->cls);
            first = first ? first : st;
        }
    }
    dl4c_status st =
        kx_problems_report(&p, first, "layers' weights do not fit");
    kx_problems_deinit(&p);
    if (st != DL4C_OK)
        return dl4c_error_prefix(st, "%s", src->name);
    return DL4C_OK;
}
