/* The server's model config file (serve.h, docs/serving.md): dl4c's
 * {"models": [...]} or TensorFlow Serving's {"model_config_list":
 * {"config": [...]}} in JSON, with TensorFlow Serving's field names for
 * the version policy and labels. Unknown keys are errors naming them. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "serve/serve_internal.h"

#define MAX_LIST 256

static const char *const model_keys[] = {"name",
                                         "store",
                                         "base_path",
                                         "path",
                                         "version",
                                         "model_platform",
                                         "model_version_policy",
                                         "version_labels",
                                         "auth_token",
                                         "batching",
                                         "log_sample_rate",
                                         "ignore_labels",
                                         NULL};

static dl4c_status check_keys(const json_t *obj, const char *const *known,
                              const char *where)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool ok = false;
        for (int i = 0; known[i] && !ok; i++)
            ok = !strcmp(key, known[i]);
        if (!ok) {
            char list[512];
            size_t used = 0;
            list[0] = '\0';
            for (int i = 0; known[i] && used + 1 < sizeof list; i++)
                used += (size_t)snprintf(list + used, sizeof list - used,
                                         "%s%s", i ? ", " : "", known[i]);
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: unknown key '%s' (known: %s)", where,
                                  key, list);
        }
    }
    return DL4C_OK;
}

/* A whole number, or a string of one (proto3 JSON writes int64 so). */
static bool get_int(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end = NULL;
        long long x = strtoll(s, &end, 10);
        if (*s && !*end) {
            *out = x;
            return true;
        }
    }
    return false;
}

static dl4c_status get_string(const json_t *obj, const char *key,
                              const char *where, const char **out)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v)
        return DL4C_OK;
    if (!json_is_string(v))
        return dl4c_error_set(DL4C_FORMAT, "%s: \"%s\" must be a string", where,
                              key);
    *out = json_string_value(v);
    return DL4C_OK;
}

/* Relative paths are taken from the config file's folder. */
static char *resolve(const char *dir, const char *path)
{
    if (!path)
        return NULL;
    if (path[0] == '/' || !dir)
        return dl4c_strdup(path);
    return dl4c_asprintf("%s/%s", dir, path);
}

typedef struct parsed {
    dl4c_serve_model m;
    int64_t versions[MAX_LIST];
    const char *label_names[MAX_LIST];
    int64_t label_versions[MAX_LIST];
    char *base_path, *path;
} parsed;

static dl4c_status parse_policy(const json_t *p, parsed *out, const char *where)
{
    static const char *const kinds[] = {"latest", "specific", "all", "labels",
                                        NULL};
    DL4C_RETURN_IF(check_keys(p, kinds, where));
    if (json_object_size(p) != 1)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: give one of latest, specific, all or "
                              "labels",
                              where);
    const json_t *v;
    if ((v = json_object_get(p, "latest"))) {
        static const char *const keys[] = {"num_versions", NULL};
        int64_t n = 1;
        DL4C_RETURN_IF(check_keys(v, keys, where));
        const json_t *nv = json_object_get(v, "num_versions");
        if (nv && (!get_int(nv, &n) || n < 1 || n > MAX_LIST))
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: latest.num_versions must be 1..%d",
                                  where, MAX_LIST);
        out->m.policy = DL4C_POLICY_LATEST;
        out->m.latest = (int)n;
    } else if ((v = json_object_get(p, "specific"))) {
        static const char *const keys[] = {"versions", NULL};
        DL4C_RETURN_IF(check_keys(v, keys, where));
        const json_t *list = json_object_get(v, "versions");
        if (!json_is_array(list) || json_array_size(list) == 0 ||
            json_array_size(list) > MAX_LIST)
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: specific.versions must be a list of "
                                  "1 to %d versions",
                                  where, MAX_LIST);
        for (size_t i = 0; i < json_array_size(list); i++)
            if (!get_int(json_array_get(list, i), &out->versions[i]) ||
                out->versions[i] < 1)
                return dl4c_error_set(DL4C_FORMAT,
                                      "%s: specific.versions[%zu] is not a "
                                      "version number",
                                      where, i);
        out->m.policy = DL4C_POLICY_SPECIFIC;
        out->m.versions = out->versions;
        out->m.n_versions = (int)json_array_size(list);
    } else if (json_object_get(p, "labels")) {
        out->m.policy = DL4C_POLICY_LABELS;
    } else {
        out->m.policy = DL4C_POLICY_ALL;
    }
    return DL4C_OK;
}

static dl4c_status parse_batching(const json_t *b, parsed *out,
                                  const char *where)
{
    static const char *const keys[] = {"max_batch_size", "batch_timeout_micros",
                                       "workers", NULL};
    int64_t v;
    DL4C_RETURN_IF(check_keys(b, keys, where));
    const json_t *x;
    if ((x = json_object_get(b, "max_batch_size"))) {
        if (!get_int(x, &v) || v < 1 || v > 65536)
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: max_batch_size must be 1..65536", where);
        out->m.max_batch_size = (int)v;
    }
    if ((x = json_object_get(b, "batch_timeout_micros"))) {
        if (!get_int(x, &v) || v < 0 || v > 10000000)
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: batch_timeout_micros must be "
                                  "0..10000000",
                                  where);
        out->m.batch_timeout_micros = v;
    }
    if ((x = json_object_get(b, "workers"))) {
        if (!get_int(x, &v) || v < 1 || v > 256)
            return dl4c_error_set(DL4C_FORMAT, "%s: workers must be 1..256",
                                  where);
        out->m.workers = (int)v;
    }
    return DL4C_OK;
}

static dl4c_status parse_model(const json_t *j, const char *dir, parsed *out,
                               const char *where)
{
    const char *base = NULL, *path = NULL;
    const json_t *v;
    memset(out, 0, sizeof *out);
    out->m.batch_timeout_micros = -1;
    out->m.log_sample_rate = -1;
    if (!json_is_object(j))
        return dl4c_error_set(DL4C_FORMAT, "%s: expected an object", where);
    DL4C_RETURN_IF(check_keys(j, model_keys, where));
    DL4C_RETURN_IF(get_string(j, "name", where, &out->m.name));
    DL4C_RETURN_IF(get_string(j, "store", where, &out->m.store_name));
    DL4C_RETURN_IF(get_string(j, "base_path", where, &base));
    DL4C_RETURN_IF(get_string(j, "path", where, &path));
    DL4C_RETURN_IF(get_string(j, "auth_token", where, &out->m.auth_token));
    if ((v = json_object_get(j, "version")) &&
        (!get_int(v, &out->m.version) || out->m.version < 1))
        return dl4c_error_set(DL4C_FORMAT, "%s: \"version\" must be >= 1",
                              where);
    if ((v = json_object_get(j, "model_version_policy"))) {
        if (!json_is_object(v))
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: \"model_version_policy\" must be an "
                                  "object",
                                  where);
        DL4C_RETURN_IF(parse_policy(v, out, where));
    }
    if ((v = json_object_get(j, "version_labels"))) {
        const char *key;
        json_t *ver;
        if (!json_is_object(v) || json_object_size(v) > MAX_LIST)
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: \"version_labels\" must be an object "
                                  "of label: version",
                                  where);
        json_object_foreach((json_t *)v, key, ver)
        {
            int n = out->m.n_labels;
            if (!get_int(ver, &out->label_versions[n]) ||
                out->label_versions[n] < 1)
                return dl4c_error_set(DL4C_FORMAT,
                                      "%s: label '%s' must map to a version "
                                      "number",
                                      where, key);
            out->label_names[n] = key;
            out->m.n_labels++;
        }
        out->m.label_names = out->label_names;
        out->m.label_versions = out->label_versions;
    }
    if ((v = json_object_get(j, "batching"))) {
        if (!json_is_object(v))
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: \"batching\" must be an object", where);
        DL4C_RETURN_IF(parse_batching(v, out, where));
    }
    if ((v = json_object_get(j, "log_sample_rate"))) {
        if (!json_is_number(v) || json_number_value(v) < 0 ||
            json_number_value(v) > 1)
            return dl4c_error_set(
                DL4C_FORMAT, "%s: \"log_sample_rate\" must be 0..1", where);
        out->m.log_sample_rate = json_number_value(v);
    }
    if ((v = json_object_get(j, "ignore_labels")))
        out->m.ignore_labels = json_is_true(v);
    out->base_path = resolve(dir, base);
    out->path = resolve(dir, path);
    if ((base && !out->base_path) || (path && !out->path))
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    out->m.base_path = out->base_path;
    out->m.path = out->path;
    return DL4C_OK;
}

dl4c_status dl4c_server_load_config(dl4c_server *s, const char *path)
{
    dl4c_status status = DL4C_OK;
    json_t *root = NULL;
    json_error_t err;
    char *dir = NULL;
    parsed *p = NULL;
    DL4C_CHECK(s && path, DL4C_INVALID_ARG, "server config: NULL argument");
    FILE *f = fopen(path, "rb");
    DL4C_CHECK(f, DL4C_IO, "%s: cannot open", path);
    root = json_loadf(f, JSON_REJECT_DUPLICATES, &err);
    fclose(f);
    DL4C_CHECK(root, DL4C_FORMAT, "%s:%d:%d: %s", path, err.line, err.column,
               err.text);
    DL4C_CHECK(json_is_object(root), DL4C_FORMAT, "%s: expected a JSON object",
               path);
    static const char *const top[] = {"models", "model_config_list", NULL};
    DL4C_TRY(check_keys(root, top, path));
    const json_t *list = json_object_get(root, "models");
    const json_t *tf = json_object_get(root, "model_config_list");
    if (tf) {
        static const char *const tf_keys[] = {"config", NULL};
        DL4C_TRY(check_keys(tf, tf_keys, path));
        list = json_object_get(tf, "config");
    }
    DL4C_CHECK(json_is_array(list) && json_array_size(list) > 0, DL4C_FORMAT,
               "%s: needs a non-empty list \"models\" (or "
               "\"model_config_list\": {\"config\": [...]})",
               path);
    const char *slash = strrchr(path, '/');
    if (slash && !(dir = dl4c_strndup(path, (size_t)(slash - path + 1))))
        DL4C_NOMEM_FAIL();
    if (dir)
        dir[strlen(dir) - 1] = '\0';
    p = dl4c_malloc(sizeof *p);
    if (!p)
        DL4C_NOMEM_FAIL();
    for (size_t i = 0; i < json_array_size(list); i++) {
        char where[512];
        snprintf(where, sizeof where, "%s: models[%zu]", path, i);
        status = parse_model(json_array_get(list, i), dir, p, where);
        if (status == DL4C_OK) {
            status = dl4c_server_add_model(s, &p->m);
            if (status != DL4C_OK)
                status = dl4c_error_prefix(status, "%s", where);
        }
        dl4c_free(p->base_path);
        dl4c_free(p->path);
        if (status != DL4C_OK)
            goto fail;
    }
fail:
    dl4c_free(p);
    dl4c_free(dir);
    json_decref(root);
    return status;
}

void dl4c_served_model_deinit(dl4c_served_model *m)
{
    dl4c_free(m->name);
    dl4c_free(m->source);
    dl4c_free(m->versions);
    for (int i = 0; i < m->n_config_labels; i++)
        dl4c_free(m->config_labels[i].name);
    dl4c_free(m->config_labels);
    for (int i = 0; i < m->n_store_labels; i++)
        dl4c_free(m->store_labels[i].name);
    dl4c_free(m->store_labels);
    dl4c_free(m->token);
    dl4c_free(m->list_error);
    for (int i = 0; i < m->n_slots; i++) {
        dl4c_servable_free(m->slots[i].servable);
        dl4c_free(m->slots[i].error);
        dl4c_free(m->slots[i].path);
    }
    dl4c_free(m->slots);
    memset(m, 0, sizeof *m);
}
