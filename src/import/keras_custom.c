/* Implementations of Keras classes dl4c does not ship, and of Lambda
 * layers, registered by the application (include/dl4c/keras.h). Each
 * registration becomes a run-time layer type ("Keras:<class>",
 * "Lambda:<layer name>") whose config keeps the Keras config as
 * "keras_config", so a saved model builds again in a process that
 * registered the same implementation. The type table is the first member
 * of its registration, so the layer functions find their implementation
 * from l->type. Translations map a Keras class onto an existing type. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "import/keras_internal.h"

#define MAX_CUSTOM 32
#define NAME_CAP 256

typedef struct custom_type {
    dl4c_layer_type type; /* first: a layer's type pointer is ours */
    char name[NAME_CAP + 8];
    char key[NAME_CAP]; /* Keras class, or Lambda layer name */
    bool lambda;
    dl4c_keras_custom impl;
    const char *classes[2];
} custom_type;

typedef struct translation {
    char key[NAME_CAP];
    dl4c_keras_translate_fn fn;
    void *user;
} translation;

/* Filled before imports run (see keras.h); read-only afterwards. */
static custom_type *customs[MAX_CUSTOM];
static int n_customs;
static translation translations[MAX_CUSTOM];
static int n_translations;

typedef struct custom_cfg {
    char *text; /* the Keras config, compact JSON */
} custom_cfg;

static const char *const custom_keys[] = {"keras_config", NULL};
static const char *const weight_names[DL4C_KERAS_MAX_WEIGHTS] = {
    "w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7"};
_Static_assert(DL4C_KERAS_MAX_WEIGHTS <= DL4C_LAYER_MAX_PARAMS,
               "custom weights must fit a layer's parameters");

static const custom_type *impl_of(const dl4c_layer *l)
{
    return (const custom_type *)l->type;
}

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    custom_cfg *c = l->cfg;
    json_t *k = json_object_get(j, "keras_config");
    if (!json_is_object(k))
        return dl4c_layer_error(l, DL4C_FORMAT,
                                "'keras_config' must be the layer's Keras "
                                "config (an object)");
    char *s = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS);
    c->text = s ? dl4c_strdup(s) : NULL;
    free(s);
    return c->text ? DL4C_OK : dl4c_error_set(DL4C_NOMEM, "out of memory");
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const custom_cfg *c = l->cfg;
    json_t *k = json_loads(c->text, 0, NULL);
    if (!k)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return dl4c_cfg_set(j, "keras_config", k);
}

static dl4c_status build(dl4c_layer *l)
{
    const custom_type *t = impl_of(l);
    const custom_cfg *c = l->cfg;
    dl4c_keras_custom_shape s;
    memset(&s, 0, sizeof s);
    dl4c_status st =
        t->impl.shape(t->impl.user, c->text, l->n_inputs, l->in_shapes, &s);
    if (st != DL4C_OK)
        return dl4c_layer_error(l, st,
                                "the registered implementation of %s "
                                "refuses these inputs",
                                t->key);
    if (s.out.ndim < 1 || s.out.ndim > DL4C_MAX_DIMS || s.n_weights < 0 ||
        s.n_weights > DL4C_KERAS_MAX_WEIGHTS)
        return dl4c_layer_error(l, DL4C_INVALID_ARG,
                                "the registered implementation of %s gives "
                                "an invalid output or weight count",
                                t->key);
    for (int i = 0; i < s.out.ndim; i++)
        if (s.out.dim[i] < 1)
            return dl4c_layer_error(l, DL4C_INVALID_ARG,
                                    "the registered implementation of %s "
                                    "gives output dim %d = %lld",
                                    t->key, i, (long long)s.out.dim[i]);
    l->out_shapes[0] = s.out;
    for (int k = 0; k < s.n_weights; k++) {
        const dl4c_shape *w = &s.weights[k];
        if (w->ndim < 0 || w->ndim > DL4C_MAX_DIMS)
            return dl4c_layer_error(l, DL4C_INVALID_ARG,
                                    "weight %d has %d dims", k, w->ndim);
        for (int i = 0; i < w->ndim; i++)
            if (w->dim[i] < 1)
                return dl4c_layer_error(l, DL4C_INVALID_ARG,
                                        "weight %d: dim %d is %lld", k, i,
                                        (long long)w->dim[i]);
        int64_t fan_in = w->ndim ? w->dim[0] : 1;
        int64_t fan_out = w->ndim ? w->dim[w->ndim - 1] : 1;
        dl4c_layer_add_param(l, weight_names[k], w->ndim, w->dim, fan_in,
                             fan_out, false);
    }
    return DL4C_OK;
}

static void forward(dl4c_layer_ctx *x)
{
    const custom_type *t = impl_of(x->layer);
    const custom_cfg *c = x->layer->cfg;
    t->impl.forward(t->impl.user, c->text, x->layer->n_inputs, x->in,
                    (const dl4c_tensor *const *)x->params, x->out, x->training);
}

static void backward(dl4c_layer_ctx *x)
{
    const custom_type *t = impl_of(x->layer);
    const custom_cfg *c = x->layer->cfg;
    const dl4c_layer *l = x->layer;
    if (t->impl.backward) {
        t->impl.backward(t->impl.user, c->text, l->n_inputs, x->in,
                         (const dl4c_tensor *const *)x->params, x->out, x->dout,
                         x->din, x->grads);
        return;
    }
    for (int i = 0; i < l->n_inputs; i++)
        if (x->din[i])
            x->be->fill(x->dtype, x->din[i]->size, 0, x->din[i]->data);
    for (int p = 0; x->grads && p < l->n_params; p++)
        x->be->fill(x->dtype, x->grads[p]->size, 0, x->grads[p]->data);
}

static void free_cfg(void *cfg)
{
    custom_cfg *c = cfg;
    dl4c_free(c->text);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    (void)k;
    json_t *copy = json_is_object(kcfg) ? json_deep_copy(kcfg) : json_object();
    return dl4c_cfg_set(out, "keras_config", copy);
}

static dl4c_status check_name(const char *name, const char *what)
{
    if (!name || !*name || strlen(name) >= NAME_CAP)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "keras: a %s must be a non-empty name of less "
                              "than %d characters",
                              what, NAME_CAP);
    return DL4C_OK;
}

static dl4c_status add_custom(const char *key, bool lambda,
                              const dl4c_keras_custom *impl)
{
    DL4C_RETURN_IF(
        check_name(key, lambda ? "Lambda layer name" : "Keras class name"));
    if (!impl || !impl->shape || !impl->forward)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "keras: a custom layer needs shape and forward "
                              "functions");
    for (int i = 0; i < n_customs; i++)
        if (customs[i]->lambda == lambda && !strcmp(customs[i]->key, key))
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "keras: %s '%s' is already registered",
                                  lambda ? "Lambda layer" : "class", key);
    if (n_customs == MAX_CUSTOM)
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "keras: more than %d custom layers", MAX_CUSTOM);
    custom_type *t = dl4c_calloc(1, sizeof *t);
    if (!t)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    snprintf(t->key, sizeof t->key, "%s", key);
    snprintf(t->name, sizeof t->name, "%s:%s", lambda ? "Lambda" : "Keras",
             key);
    t->lambda = lambda;
    t->impl = *impl;
    t->classes[0] = lambda ? NULL : t->key;
    t->type = (dl4c_layer_type){
        .name = t->name,
        .keras_class = NULL, /* found by kx_find_type, not the registry */
        .config_size = sizeof(custom_cfg),
        .keys = custom_keys,
        .parse = parse,
        .write = write,
        .build = build,
        .forward = forward,
        .backward = backward,
        .free_cfg = free_cfg,
        .mask_mode = DL4C_MASK_DROP,
        .keras_classes = t->classes,
        .from_keras = from_keras,
    };
    dl4c_status st = dl4c_layer_type_register(&t->type);
    if (st != DL4C_OK) {
        dl4c_free(t);
        return st;
    }
    customs[n_customs++] = t; /* lives as long as the process */
    return DL4C_OK;
}

dl4c_status dl4c_keras_register_custom(const char *keras_class,
                                       const dl4c_keras_custom *impl)
{
    return add_custom(keras_class, false, impl);
}

dl4c_status dl4c_keras_register_lambda(const char *layer_name,
                                       const dl4c_keras_custom *impl)
{
    return add_custom(layer_name, true, impl);
}

dl4c_status dl4c_keras_register_translation(const char *keras_class,
                                            dl4c_keras_translate_fn fn,
                                            void *user)
{
    DL4C_RETURN_IF(check_name(keras_class, "Keras class name"));
    if (!fn)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "keras: a translation needs a function");
    for (int i = 0; i < n_translations; i++)
        if (!strcmp(translations[i].key, keras_class))
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "keras: class '%s' is already registered",
                                  keras_class);
    if (n_translations == MAX_CUSTOM)
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "keras: more than %d translations", MAX_CUSTOM);
    translation *t = &translations[n_translations++];
    snprintf(t->key, sizeof t->key, "%s", keras_class);
    t->fn = fn;
    t->user = user;
    return DL4C_OK;
}

bool kx_translation_find(const char *cls, dl4c_keras_translate_fn *fn,
                         void **user)
{
    for (int i = 0; i < n_translations; i++)
        if (!strcmp(translations[i].key, cls)) {
            *fn = translations[i].fn;
            *user = translations[i].user;
            return true;
        }
    return false;
}

static bool has_class(const dl4c_layer_type *t, const char *cls)
{
    if (t->keras_classes) {
        for (int i = 0; t->keras_classes[i]; i++)
            if (!strcmp(t->keras_classes[i], cls))
                return true;
        return false;
    }
    return t->keras_class && !strcmp(t->keras_class, cls);
}

const char *dl4c_keras_class(int i)
{
    for (int t = 0; t < dl4c_layer_type_count() && i >= 0; t++) {
        const dl4c_layer_type *type = dl4c_layer_type_at(t);
        if (type->keras_classes) {
            for (int k = 0; type->keras_classes[k]; k++)
                if (i-- == 0)
                    return type->keras_classes[k];
        } else if (type->keras_class && i-- == 0) {
            return type->keras_class;
        }
    }
    return NULL;
}

const dl4c_layer_type *kx_find_type(const char *cls, const char *kname)
{
    for (int i = 0; i < n_customs; i++) {
        const custom_type *t = customs[i];
        if (t->lambda
                ? (!strcmp(cls, "Lambda") && kname && !strcmp(t->key, kname))
                : !strcmp(t->key, cls))
            return &t->type;
    }
    for (int i = 0; i < dl4c_layer_type_count(); i++) {
        const dl4c_layer_type *t = dl4c_layer_type_at(i);
        if (has_class(t, cls))
            return t;
    }
    return NULL;
}
