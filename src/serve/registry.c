/* The model registry (serve_internal.h): finding the servable a request
 * names, counting its users, loading a version into a servable, and the
 * status and gauges of every version. Slots are kept newest first, so the
 * first available slot is the latest version. */
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/clock_internal.h"
#include "core/error_internal.h"
#include "dl4c/model.h"
#include "serve/response_internal.h"
#include "serve/serve_internal.h"

static const char *const state_names[] = {"LOADING", "AVAILABLE", "END"};
_Static_assert(sizeof state_names / sizeof state_names[0] == DL4C_VS_COUNT,
               "one name per version state");

dl4c_served_model *dl4c_registry_find(dl4c_server *s, const char *name)
{
    for (int i = 0; i < s->n_models; i++)
        if (!strcmp(s->models[i].name, name))
            return &s->models[i];
    return NULL;
}

static void model_names(dl4c_server *s, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < s->n_models && used + 1 < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? ", " : "",
                                 s->models[i].name);
}

static dl4c_status unknown_model(dl4c_server *s, const char *name, int *http)
{
    char names[512];
    model_names(s, names, sizeof names);
    *http = 404;
    return dl4c_error_set(DL4C_INVALID_ARG,
                          "Servable not found for request: no model '%.128s' "
                          "is served here (models: %s)",
                          name, names);
}

/* Under the lock: the version a label points at (the config's labels
 * first, then the store's), or 0. */
static int64_t label_version(const dl4c_served_model *m, const char *label)
{
    for (int i = 0; i < m->n_config_labels; i++)
        if (!strcmp(m->config_labels[i].name, label))
            return m->config_labels[i].version;
    for (int i = 0; i < m->n_store_labels; i++)
        if (!strcmp(m->store_labels[i].name, label))
            return m->store_labels[i].version;
    return 0;
}

static void label_names(const dl4c_served_model *m, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < m->n_config_labels + m->n_store_labels; i++) {
        const dl4c_label *l = i < m->n_config_labels
                                  ? &m->config_labels[i]
                                  : &m->store_labels[i - m->n_config_labels];
        if (used + 1 < cap)
            used += (size_t)snprintf(buf + used, cap - used, "%s%s",
                                     used ? ", " : "", l->name);
    }
    if (!used)
        snprintf(buf, cap, "none");
}

static void version_names(const dl4c_served_model *m, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < m->n_slots && used + 1 < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%lld",
                                 i ? ", " : "", (long long)m->slots[i].version);
    if (!used)
        snprintf(buf, cap, "none");
}

static dl4c_version_slot *find_slot(dl4c_served_model *m, int64_t version)
{
    for (int i = 0; i < m->n_slots; i++)
        if (m->slots[i].version == version)
            return &m->slots[i];
    return NULL;
}

/* Under the lock: the slot a request names, or a failure with *http. */
static dl4c_status pick(dl4c_served_model *m, int64_t version,
                        const char *label, dl4c_version_slot **out, int *http)
{
    char list[512];
    *out = NULL;
    *http = 404;
    if (label) {
        version = label_version(m, label);
        if (!version) {
            label_names(m, list, sizeof list);
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "model '%s' has no label '%.128s' (labels: "
                                  "%s)",
                                  m->name, label, list);
        }
    }
    if (version == 0) {
        bool loading = false;
        const char *failure = NULL;
        for (int i = 0; i < m->n_slots; i++) {
            if (m->slots[i].state == DL4C_VS_AVAILABLE) {
                *out = &m->slots[i];
                return DL4C_OK;
            }
            loading |= m->slots[i].state == DL4C_VS_LOADING;
            if (m->slots[i].state == DL4C_VS_FAILED && !failure)
                failure = m->slots[i].error;
        }
        *http = 503;
        if (loading)
            return dl4c_error_set(DL4C_STATE, "model '%s' is loading", m->name);
        if (failure)
            return dl4c_error_set(DL4C_STATE,
                                  "model '%s' has no version available: %s",
                                  m->name, failure);
        *http = 404;
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "Servable not found for request: model '%s' "
                              "has no versions yet",
                              m->name);
    }
    dl4c_version_slot *slot = find_slot(m, version);
    if (!slot) {
        version_names(m, list, sizeof list);
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "Servable not found for request: model '%s' "
                              "has no version %lld being served (versions: "
                              "%s)",
                              m->name, (long long)version, list);
    }
    if (slot->state == DL4C_VS_LOADING) {
        *http = 503;
        return dl4c_error_set(DL4C_STATE,
                              "version %lld of model '%s' is loading",
                              (long long)version, m->name);
    }
    if (slot->state == DL4C_VS_FAILED)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "version %lld of model '%s' failed to load: %s",
                              (long long)version, m->name, slot->error);
    *out = slot;
    return DL4C_OK;
}

dl4c_status dl4c_registry_acquire(dl4c_server *s, const char *name,
                                  int64_t version, const char *label,
                                  dl4c_served_model **model,
                                  dl4c_servable **out, int *http)
{
    dl4c_version_slot *slot = NULL;
    *out = NULL;
    *model = dl4c_registry_find(s, name);
    if (!*model)
        return unknown_model(s, name, http);
    pthread_mutex_lock(&s->lock);
    dl4c_status st = pick(*model, version, label, &slot, http);
    if (st == DL4C_OK) {
        slot->servable->refs++;
        *out = slot->servable;
        *http = 200;
    }
    pthread_mutex_unlock(&s->lock);
    return st;
}

void dl4c_registry_release(dl4c_server *s, dl4c_servable *sv)
{
    if (!sv)
        return;
    pthread_mutex_lock(&s->lock);
    sv->refs--;
    pthread_mutex_unlock(&s->lock);
}

char *dl4c_registry_status(dl4c_server *s, const char *name, int64_t version,
                           const char *label, int *http, size_t *len)
{
    dl4c_served_model *m = dl4c_registry_find(s, name);
    dl4c_serve_version_status *v = NULL;
    char *out = NULL;
    int n = 0;
    if (!m) {
        unknown_model(s, name, http);
        return dl4c_serve_write_error(dl4c_last_error(), len);
    }
    pthread_mutex_lock(&s->lock);
    if (label || version) {
        if (label)
            version = label_version(m, label);
        dl4c_version_slot *slot = version ? find_slot(m, version) : NULL;
        if (slot) {
            dl4c_serve_version_status one = {
                slot->version, state_names[slot->state],
                slot->state == DL4C_VS_FAILED ? slot->error : NULL};
            *http = 200;
            out = dl4c_serve_write_status(&one, 1, len);
        } else {
            /* sets the message and *http */
            (void)pick(m, version, version ? NULL : label, &slot, http);
        }
        pthread_mutex_unlock(&s->lock);
        return out ? out : dl4c_serve_write_error(dl4c_last_error(), len);
    }
    v = dl4c_calloc((size_t)m->n_slots + 1, sizeof *v);
    for (int i = 0; v && i < m->n_slots; i++) {
        v[n].version = m->slots[i].version;
        v[n].state = state_names[m->slots[i].state];
        v[n].error_message =
            m->slots[i].state == DL4C_VS_FAILED ? m->slots[i].error : NULL;
        n++;
    }
    *http = 200;
    out = v ? dl4c_serve_write_status(v, n, len) : NULL;
    pthread_mutex_unlock(&s->lock);
    dl4c_free(v);
    return out;
}

static void on_batch(void *ctx, int64_t rows)
{
    dl4c_servable *sv = ctx;
    dl4c_metrics_batch(sv->metrics, sv->model_name, sv->version, rows);
}

static dl4c_status make_signature(dl4c_servable *sv)
{
    dl4c_net *net = sv->net;
    dl4c_serve_signature *sig = &sv->sig;
    sig->n_inputs = dl4c_net_num_inputs(net);
    sig->n_outputs = dl4c_net_num_outputs(net);
    if (sig->n_inputs < 1 || sig->n_inputs > DL4C_SERVE_MAX_IO ||
        sig->n_outputs < 1 || sig->n_outputs > DL4C_SERVE_MAX_IO)
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "the net has %d inputs and %d outputs; a served "
                              "net has 1 to %d of each",
                              sig->n_inputs, sig->n_outputs, DL4C_SERVE_MAX_IO);
    for (int i = 0; i < sig->n_inputs; i++) {
        sig->input_names[i] = dl4c_net_input_name(net, i);
        sig->input_shapes[i] = dl4c_net_input_shape(net, i);
        sig->input_sizes[i] = dl4c_shape_size(&sig->input_shapes[i]);
    }
    for (int o = 0; o < sig->n_outputs; o++) {
        sig->output_names[o] = dl4c_net_output_name(net, o);
        sig->output_shapes[o] = dl4c_net_output_shape(net, o);
        sig->output_sizes[o] = dl4c_shape_size(&sig->output_shapes[o]);
    }
    sv->classifier = sig->n_outputs == 1 && dl4c_net_is_classifier(net, 0);
    return DL4C_OK;
}

dl4c_status dl4c_servable_create(dl4c_server *s, dl4c_served_model *m,
                                 int64_t version, const char *path,
                                 dl4c_servable **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_servable *sv = NULL;
    *out = NULL;
    sv = dl4c_calloc(1, sizeof *sv);
    if (!sv)
        DL4C_NOMEM_FAIL();
    sv->model_name = m->name;
    sv->version = version;
    sv->metrics = s->metrics;
    if (s->o.loader)
        status = s->o.loader(path, &sv->net, s->o.loader_ctx);
    else
        status = dl4c_model_load(path, &sv->net);
    if (status != DL4C_OK)
        goto fail;
    DL4C_TRY(make_signature(sv));
    dl4c_batcher_options bo = m->batching;
    bo.on_batch = on_batch;
    bo.ctx = sv;
    DL4C_TRY(dl4c_batcher_create(sv->net, &sv->sig, &bo, &sv->batcher));
    *out = sv;
    return DL4C_OK;
fail:
    dl4c_servable_free(sv);
    return status;
}

void dl4c_servable_free(dl4c_servable *sv)
{
    if (!sv)
        return;
    dl4c_batcher_free(sv->batcher);
    dl4c_net_free(sv->net);
    dl4c_free(sv);
}

void dl4c_registry_write_gauges(dl4c_server *s, dl4c_text *t)
{
    pthread_mutex_lock(&s->lock);
    dl4c_metrics_header(t, "dl4c_serving_queue_depth", "gauge",
                        "Requests waiting for a batch worker.");
    for (int i = 0; i < s->n_models; i++) {
        dl4c_served_model *m = &s->models[i];
        for (int k = 0; k < m->n_slots; k++) {
            if (m->slots[k].state != DL4C_VS_AVAILABLE)
                continue;
            dl4c_text_adds(t, "dl4c_serving_queue_depth{model=");
            dl4c_metrics_label(t, m->name);
            dl4c_text_addf(t, ",version=\"%lld\"} %lld\n",
                           (long long)m->slots[k].version,
                           (long long)dl4c_batcher_queue_depth(
                               m->slots[k].servable->batcher));
        }
    }
    dl4c_metrics_header(t, "dl4c_serving_model_version", "gauge",
                        "The latest available version of each model (0: "
                        "none).");
    for (int i = 0; i < s->n_models; i++) {
        dl4c_served_model *m = &s->models[i];
        int64_t latest = 0;
        for (int k = 0; k < m->n_slots && !latest; k++)
            if (m->slots[k].state == DL4C_VS_AVAILABLE)
                latest = m->slots[k].version;
        dl4c_text_adds(t, "dl4c_serving_model_version{model=");
        dl4c_metrics_label(t, m->name);
        dl4c_text_addf(t, "} %lld\n", (long long)latest);
    }
    dl4c_metrics_header(t, "dl4c_serving_model_versions", "gauge",
                        "Versions of each model by state.");
    for (int i = 0; i < s->n_models; i++) {
        dl4c_served_model *m = &s->models[i];
        for (int st = 0; st < DL4C_VS_COUNT; st++) {
            int n = 0;
            for (int k = 0; k < m->n_slots; k++)
                n += (int)m->slots[k].state == st;
            dl4c_text_adds(t, "dl4c_serving_model_versions{model=");
            dl4c_metrics_label(t, m->name);
            dl4c_text_addf(t, ",state=\"%s\"} %d\n", state_names[st], n);
        }
    }
    pthread_mutex_unlock(&s->lock);
}

bool dl4c_registry_ready(dl4c_server *s)
{
    bool ready = s->n_models > 0;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->n_models && ready; i++) {
        bool any = false;
        for (int k = 0; k < s->models[i].n_slots && !any; k++)
            any = s->models[i].slots[k].state == DL4C_VS_AVAILABLE;
        ready = any;
    }
    pthread_mutex_unlock(&s->lock);
    return ready;
}
