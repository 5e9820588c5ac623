/* Model files and checkpoints over the safetensors container (layout in
 * include/dl4c/model.h). The net is rebuilt from its stored config, then
 * every parameter array is read by name and shape-checked, so a file
 * whose tensors do not fit its config is refused. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "dl4c/model.h"
#include "dl4c/safetensors.h"
#include "nn/net_internal.h"

#define NAME_CAP 320

/* Views of one parameter array and its updater states, by flat offset. */
static void param_view(const dl4c_net *net, void *base, int64_t offset,
                       const dl4c_shape *shape, dl4c_tensor *t)
{
    dl4c_tensor_init_view(t, net->be, net->dtype,
                          (char *)base +
                              (size_t)offset * dl4c_dtype_size(net->dtype),
                          shape->ndim, shape->dim);
}

/* Calls fn for every parameter array (and each of its updater states
 * when `with_state`). */
typedef dl4c_status (*param_fn)(const char *name, dl4c_tensor *t, void *ctx);

static dl4c_status each_param(const dl4c_net *net, bool with_state, param_fn fn,
                              void *ctx, dl4c_tensor *views, int *n_views)
{
    int count = dl4c_updater_state_count(net->updater.id);
    char name[NAME_CAP];
    for (int i = net->n_inputs; i < net->n_nodes; i++) {
        const dl4c_layer *l = net->nodes[i].layer;
        if (l->shares >= 0)
            continue; /* stored once, under the owner's name */
        for (int p = 0; p < l->n_params; p++) {
            const dl4c_param_spec *s = &l->params[p];
            int64_t n = dl4c_shape_size(&s->shape);
            dl4c_tensor *t = &views[(*n_views)++];
            param_view(net, net->param_data, l->param_offset[p], &s->shape, t);
            snprintf(name, sizeof name, "%s/%s", l->name, s->name);
            DL4C_RETURN_IF(fn(name, t, ctx));
            for (int k = 0; with_state && k < count; k++) {
                t = &views[(*n_views)++];
                param_view(net, net->state_data,
                           l->param_offset[p] * count + k * n, &s->shape, t);
                snprintf(name, sizeof name, "updater/%s/%s/%d", l->name,
                         s->name, k);
                DL4C_RETURN_IF(fn(name, t, ctx));
            }
        }
    }
    return DL4C_OK;
}

static int count_arrays(const dl4c_net *net, bool with_state)
{
    int n = 0;
    for (int i = net->n_inputs; i < net->n_nodes; i++)
        n += net->nodes[i].layer->n_params;
    return n *
           (1 + (with_state ? dl4c_updater_state_count(net->updater.id) : 0));
}

static dl4c_status add_fn(const char *name, dl4c_tensor *t, void *ctx)
{
    return dl4c_safetensors_writer_add(ctx, name, t);
}

/* Stores `value` as compact JSON under `key`; always releases value. */
static dl4c_status set_json(dl4c_safetensors_writer *w, const char *key,
                            json_t *value)
{
    if (!value)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    char *s = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY |
                                    JSON_REAL_PRECISION(17));
    json_decref(value);
    if (!s)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    dl4c_status st = dl4c_safetensors_writer_set_metadata(w, key, s);
    free(s);
    return st;
}

static json_t *training_json(const dl4c_net *net)
{
    char hex[5][17];
    for (int i = 0; i < 4; i++)
        snprintf(hex[i], sizeof hex[i], "%016" PRIx64, net->rng.s[i]);
    snprintf(hex[4], sizeof hex[4], "%016" PRIx64, net->step_seed);
    return json_pack("{s:I, s:I, s:[s,s,s,s], s:s}", "iteration",
                     (json_int_t)net->iteration, "epoch",
                     (json_int_t)net->epoch, "rng", hex[0], hex[1], hex[2],
                     hex[3], "step_seed", hex[4]);
}

static dl4c_status save(const dl4c_net *net, const dl4c_iterator *it,
                        const char *path, unsigned flags)
{
    dl4c_status status = DL4C_OK;
    dl4c_safetensors_writer *w = NULL;
    json_t *cfg = NULL;
    char *text = NULL;
    bool with_state = (flags & DL4C_MODEL_UPDATER) && net->state_size > 0;
    int n_views = 0;
    dl4c_tensor *views =
        dl4c_calloc((size_t)count_arrays(net, with_state) + 1, sizeof *views);
    if (!views)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(dl4c_safetensors_writer_create(&w));
    DL4C_TRY(each_param(net, with_state, add_fn, w, views, &n_views));
    DL4C_TRY(
        dl4c_safetensors_writer_set_metadata(w, "dl4c.format", "dl4c.model"));
    DL4C_TRY(dl4c_safetensors_writer_set_metadata(w, "dl4c.version",
                                                  dl4c_version()));
    DL4C_TRY(dl4c_net_config_json(net, &cfg));
    status = set_json(w, "dl4c.config", cfg); /* takes the reference */
    cfg = NULL;
    if (status != DL4C_OK)
        goto fail;
    DL4C_TRY(set_json(w, "dl4c.training", training_json(net)));
    if (with_state)
        DL4C_TRY(
            dl4c_safetensors_writer_set_metadata(w, "dl4c.updater_state", "1"));
    if (net->n_classes) {
        json_t *names = json_array();
        for (int i = 0; names && i < net->n_classes; i++)
            json_array_append_new(names, json_string(net->class_names[i]));
        DL4C_TRY(set_json(w, "dl4c.classes", names));
    }
    if (net->normalizer) {
        DL4C_TRY(dl4c_normalizer_write(net->normalizer, &text));
        DL4C_TRY(
            dl4c_safetensors_writer_set_metadata(w, "dl4c.normalizer", text));
    }
    for (int i = 0; i < net->n_meta; i++) {
        char key[300];
        snprintf(key, sizeof key, "dl4c.meta.%s", net->meta_keys[i]);
        DL4C_TRY(
            dl4c_safetensors_writer_set_metadata(w, key, net->meta_values[i]));
    }
    if (it) {
        dl4c_free(text);
        text = NULL;
        DL4C_TRY(dl4c_iterator_state_save(it, &text));
        DL4C_TRY(
            dl4c_safetensors_writer_set_metadata(w, "dl4c.iterator", text));
    }
    DL4C_TRY(dl4c_safetensors_writer_save(w, path));
fail:
    json_decref(cfg);
    dl4c_free(text);
    dl4c_safetensors_writer_free(w);
    dl4c_free(views);
    return status;
}

dl4c_status dl4c_model_save(const dl4c_net *net, const char *path,
                            unsigned flags)
{
    return save(net, NULL, path, flags);
}

dl4c_status dl4c_checkpoint_save(const dl4c_net *net, const dl4c_iterator *it,
                                 const char *path)
{
    return save(net, it, path, DL4C_MODEL_UPDATER);
}

static dl4c_status read_fn(const char *name, dl4c_tensor *t, void *ctx)
{
    const dl4c_safetensors *f = ctx;
    if (!dl4c_safetensors_has(f, name))
        return dl4c_error_set(DL4C_FORMAT, "tensor '%s' is missing", name);
    return dl4c_safetensors_read_into(f, name, t);
}

static dl4c_status parse_hex64(const json_t *v, uint64_t *out)
{
    const char *s = json_string_value(v);
    char *end = NULL;
    if (!s || strlen(s) != 16)
        return dl4c_error_set(DL4C_FORMAT, "bad random state");
    *out = strtoull(s, &end, 16);
    if (*end)
        return dl4c_error_set(DL4C_FORMAT, "bad random state");
    return DL4C_OK;
}

static dl4c_status read_training(dl4c_net *net, const char *text)
{
    dl4c_status status = DL4C_OK;
    json_t *j = json_loads(text, 0, NULL);
    json_t *rng = json_object_get(j, "rng");
    DL4C_CHECK(json_is_object(j) &&
                   json_is_integer(json_object_get(j, "iteration")) &&
                   json_is_integer(json_object_get(j, "epoch")) &&
                   json_array_size(rng) == 4,
               DL4C_FORMAT, "metadata dl4c.training is damaged");
    net->iteration = json_integer_value(json_object_get(j, "iteration"));
    net->epoch = json_integer_value(json_object_get(j, "epoch"));
    for (int i = 0; i < 4; i++)
        DL4C_TRY(parse_hex64(json_array_get(rng, (size_t)i), &net->rng.s[i]));
    DL4C_TRY(parse_hex64(json_object_get(j, "step_seed"), &net->step_seed));
fail:
    json_decref(j);
    return status;
}

static dl4c_status read_classes(dl4c_net *net, const char *text)
{
    dl4c_status status = DL4C_OK;
    json_t *j = json_loads(text, 0, NULL);
    const char **names = NULL;
    size_t n = json_array_size(j);
    DL4C_CHECK(json_is_array(j), DL4C_FORMAT,
               "metadata dl4c.classes is not a list");
    names = dl4c_calloc(n + 1, sizeof *names);
    if (!names)
        DL4C_NOMEM_FAIL();
    for (size_t i = 0; i < n; i++) {
        names[i] = json_string_value(json_array_get(j, i));
        DL4C_CHECK(names[i], DL4C_FORMAT,
                   "metadata dl4c.classes holds a non-string");
    }
    DL4C_TRY(dl4c_net_set_class_names(net, (int)n, names));
fail:
    dl4c_free(names);
    json_decref(j);
    return status;
}

static dl4c_status load(const char *path, dl4c_dtype dtype, dl4c_net **out,
                        dl4c_iterator *it)
{
    dl4c_status status = DL4C_OK;
    dl4c_safetensors *f = NULL;
    dl4c_net *net = NULL;
    dl4c_tensor *views = NULL;
    const char *meta;
    *out = NULL;
    DL4C_TRY(dl4c_safetensors_load(path, &f));
    meta = dl4c_safetensors_metadata(f, "dl4c.format");
    DL4C_CHECK(meta && !strcmp(meta, "dl4c.model"), DL4C_FORMAT,
               "%s: not a dl4c model file (no dl4c.format metadata)", path);
    meta = dl4c_safetensors_metadata(f, "dl4c.config");
    DL4C_CHECK(meta, DL4C_FORMAT, "%s: the model has no config", path);
    DL4C_TRY(dl4c_net_parse(meta, dtype, &net));
    {
        bool with_state = dl4c_safetensors_metadata(f, "dl4c.updater_state") &&
                          net->state_size > 0;
        int n_views = 0;
        views = dl4c_calloc((size_t)count_arrays(net, with_state) + 1,
                            sizeof *views);
        if (!views)
            DL4C_NOMEM_FAIL();
        DL4C_TRY(each_param(net, with_state, read_fn, f, views, &n_views));
    }
    meta = dl4c_safetensors_metadata(f, "dl4c.training");
    if (meta)
        DL4C_TRY(read_training(net, meta));
    meta = dl4c_safetensors_metadata(f, "dl4c.classes");
    if (meta)
        DL4C_TRY(read_classes(net, meta));
    meta = dl4c_safetensors_metadata(f, "dl4c.normalizer");
    if (meta) {
        dl4c_normalizer *norm = NULL;
        DL4C_TRY(dl4c_normalizer_parse(meta, &norm));
        dl4c_net_set_normalizer(net, norm);
    }
    for (size_t i = 0; i < dl4c_safetensors_metadata_count(f); i++) {
        const char *key = dl4c_safetensors_metadata_key(f, i);
        if (strncmp(key, "dl4c.meta.", 10) == 0)
            DL4C_TRY(dl4c_net_set_metadata(net, key + 10,
                                           dl4c_safetensors_metadata(f, key)));
    }
    if (it) {
        meta = dl4c_safetensors_metadata(f, "dl4c.iterator");
        DL4C_CHECK(meta, DL4C_FORMAT,
                   "%s: not a checkpoint (no iterator position)", path);
        DL4C_TRY(dl4c_iterator_state_load(it, meta));
    }
    dl4c_free(views);
    dl4c_safetensors_free(f);
    *out = net;
    return DL4C_OK;
fail:
    if (status != DL4C_OK && !strstr(dl4c_last_error(), path))
        dl4c_error_prefix(status, "%s", path);
    dl4c_free(views);
    dl4c_safetensors_free(f);
    dl4c_net_free(net);
    return status;
}

dl4c_status dl4c_model_load(const char *path, dl4c_net **out)
{
    return load(path, DL4C_F32, out, NULL);
}

dl4c_status dl4c_model_load_as(const char *path, dl4c_dtype dtype,
                               dl4c_net **out)
{
    return load(path, dtype, out, NULL);
}

dl4c_status dl4c_checkpoint_load(const char *path, dl4c_net **out,
                                 dl4c_iterator *it)
{
    return load(path, DL4C_F32, out, it);
}
