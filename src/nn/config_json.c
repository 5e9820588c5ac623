/* JSON pieces of the net config (see config_json.h). Parsers accept a
 * name or an object with "type"; writers emit the shortest form that
 * parses back to the same value. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error_internal.h"
#include "nn/config_json.h"

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "a list";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

dl4c_status dl4c_cfg_set(json_t *obj, const char *key, json_t *value)
{
    if (!value || json_object_set_new(obj, key, value) != 0)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return DL4C_OK;
}

dl4c_status dl4c_cfg_check_keys(const char *where, const json_t *obj,
                                const char *const *const *lists, int n)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value)
    {
        bool known = false;
        for (int l = 0; l < n && !known; l++)
            for (int i = 0; lists[l] && lists[l][i] && !known; i++)
                known = strcmp(lists[l][i], key) == 0;
        if (!known) {
            char names[512] = "";
            size_t used = 0;
            for (int l = 0; l < n; l++)
                for (int i = 0; lists[l] && lists[l][i]; i++)
                    used += (size_t)snprintf(
                        names + used,
                        used < sizeof names ? sizeof names - used : 0, "%s%s",
                        used ? ", " : "", lists[l][i]);
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: unknown key '%s' (known keys: %s)",
                                  where, key, names);
        }
    }
    return DL4C_OK;
}

dl4c_status dl4c_cfg_int(const char *where, const json_t *obj, const char *key,
                         bool required, int64_t min, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            return dl4c_error_set(DL4C_FORMAT, "%s: missing key '%s'", where,
                                  key);
        return DL4C_OK;
    }
    double d = json_is_integer(v) ? (double)json_integer_value(v)
               : json_is_real(v)  ? json_real_value(v)
                                  : NAN;
    if (isnan(d) || d != floor(d))
        return dl4c_error_set(
            DL4C_FORMAT, "%s: key '%s' must be an integer, got %s", where, key,
            json_is_real(v) ? "a fraction" : json_kind(v));
    if (d < (double)min)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: key '%s' is %.0f, must be >= %lld", where,
                              key, d, (long long)min);
    *out = (int64_t)d;
    return DL4C_OK;
}

dl4c_status dl4c_cfg_double(const char *where, const json_t *obj,
                            const char *key, bool required, double min,
                            double max, double *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            return dl4c_error_set(DL4C_FORMAT, "%s: missing key '%s'", where,
                                  key);
        return DL4C_OK;
    }
    if (!json_is_number(v))
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: key '%s' must be a number, got %s", where,
                              key, json_kind(v));
    double d = json_number_value(v);
    if (!(d >= min && d <= max))
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: key '%s' is %g, must be in [%g, %g]", where,
                              key, d, min, max);
    *out = d;
    return DL4C_OK;
}

dl4c_status dl4c_cfg_bool(const char *where, const json_t *obj, const char *key,
                          bool *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return DL4C_OK;
    if (!json_is_boolean(v))
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: key '%s' must be true or false, got %s",
                              where, key, json_kind(v));
    *out = json_is_true(v);
    return DL4C_OK;
}

dl4c_status dl4c_cfg_string(const char *where, const json_t *obj,
                            const char *key, bool required, const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            return dl4c_error_set(DL4C_FORMAT, "%s: missing key '%s'", where,
                                  key);
        return DL4C_OK;
    }
    if (!json_is_string(v))
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: key '%s' must be a string, got %s", where,
                              key, json_kind(v));
    *out = json_string_value(v);
    return DL4C_OK;
}

dl4c_status dl4c_cfg_shape(const char *where, const json_t *obj,
                           const char *key, dl4c_shape *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return dl4c_error_set(DL4C_FORMAT, "%s: missing key '%s'", where, key);
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    if (n < 1 || n > DL4C_MAX_DIMS - 1)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: key '%s' must be a list of 1 to %d "
                              "positive integers",
                              where, key, DL4C_MAX_DIMS - 1);
    out->ndim = (int)n;
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_array_get(v, i);
        if (!json_is_integer(d) || json_integer_value(d) <= 0 ||
            json_integer_value(d) > ((int64_t)1 << 40))
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: key '%s': dim %zu must be a positive "
                                  "integer",
                                  where, key, i);
        out->dim[i] = json_integer_value(d);
    }
    return DL4C_OK;
}

json_t *dl4c_cfg_shape_json(const dl4c_shape *s)
{
    json_t *a = json_array();
    for (int i = 0; a && i < s->ndim; i++)
        json_array_append_new(a, json_integer(s->dim[i]));
    return a;
}

/* "type" of an object value, or the string value itself */
static dl4c_status type_name(const char *where, const char *key,
                             const json_t *v, const char **name)
{
    if (json_is_string(v)) {
        *name = json_string_value(v);
        return DL4C_OK;
    }
    if (json_is_object(v) && json_is_string(json_object_get(v, "type"))) {
        *name = json_string_value(json_object_get(v, "type"));
        return DL4C_OK;
    }
    return dl4c_error_set(DL4C_FORMAT,
                          "%s: key '%s' must be a name or an object with "
                          "\"type\", got %s",
                          where, key, json_kind(v));
}

/* first present key of `keys` into *out (range-checked) */
static dl4c_status param_alias(const char *where, const json_t *obj,
                               const char *const *keys, double min, double max,
                               double *out)
{
    for (int i = 0; keys[i]; i++)
        if (json_object_get(obj, keys[i]))
            return dl4c_cfg_double(where, obj, keys[i], false, min, max, out);
    return DL4C_OK;
}

dl4c_status dl4c_cfg_activation(const char *where, const json_t *obj,
                                const char *key, dl4c_activation *out)
{
    static const char *const keys[] = {"type",  "alpha",       "beta",
                                       "lower", "upper",       "min",
                                       "max",   "approximate", NULL};
    static const char *const alpha[] = {"alpha", "lower", "min", NULL};
    static const char *const beta[] = {"beta", "upper", "max", NULL};
    const char *const *lists[] = {keys};
    json_t *v = json_object_get(obj, key);
    const char *name = NULL;
    if (!v)
        return DL4C_OK;
    DL4C_RETURN_IF(type_name(where, key, v, &name));
    if (dl4c_activation_parse(name, out) != DL4C_OK)
        return dl4c_error_prefix(DL4C_FORMAT, "%s: key '%s'", where, key);
    if (json_is_object(v)) {
        DL4C_RETURN_IF(dl4c_cfg_check_keys(where, v, lists, 1));
        DL4C_RETURN_IF(param_alias(where, v, alpha, -1e9, 1e9, &out->alpha));
        DL4C_RETURN_IF(param_alias(where, v, beta, -1e9, 1e9, &out->beta));
        bool approx = out->alpha != 0;
        DL4C_RETURN_IF(dl4c_cfg_bool(where, v, "approximate", &approx));
        if (out->id == DL4C_ACT_GELU)
            out->alpha = approx ? 1.0 : 0.0;
    }
    return DL4C_OK;
}

json_t *dl4c_cfg_activation_json(const dl4c_activation *a)
{
    dl4c_activation d = dl4c_activation_default(a->id);
    const char *name = dl4c_activation_name(a->id);
    if (d.alpha == a->alpha && d.beta == a->beta)
        return json_string(name);
    return json_pack("{s:s, s:f, s:f}", "type", name, "alpha", a->alpha, "beta",
                     a->beta);
}

dl4c_status dl4c_cfg_loss(const char *where, const json_t *obj, const char *key,
                          dl4c_loss *out)
{
    static const char *const keys[] = {"type", "delta", NULL};
    const char *const *lists[] = {keys};
    json_t *v = json_object_get(obj, key);
    const char *name = NULL;
    if (!v)
        return DL4C_OK;
    DL4C_RETURN_IF(type_name(where, key, v, &name));
    if (dl4c_loss_parse(name, out) != DL4C_OK)
        return dl4c_error_prefix(DL4C_FORMAT, "%s: key '%s'", where, key);
    if (json_is_object(v)) {
        DL4C_RETURN_IF(dl4c_cfg_check_keys(where, v, lists, 1));
        DL4C_RETURN_IF(dl4c_cfg_double(where, v, "delta", false, 1e-12, 1e12,
                                       &out->delta));
    }
    return DL4C_OK;
}

json_t *dl4c_cfg_loss_json(const dl4c_loss *l)
{
    dl4c_loss d = dl4c_loss_default(l->id);
    const char *name = dl4c_loss_name(l->id);
    if (d.delta == l->delta)
        return json_string(name);
    return json_pack("{s:s, s:f}", "type", name, "delta", l->delta);
}

/* Named parameters per init scheme: a, b */
static void init_param_names(dl4c_init_id id, const char **a, const char **b)
{
    *a = *b = NULL;
    switch (id) {
    case DL4C_INIT_CONSTANT:
        *a = "value";
        break;
    case DL4C_INIT_UNIFORM:
        *a = "low";
        *b = "high";
        break;
    case DL4C_INIT_NORMAL:
    case DL4C_INIT_TRUNCATED_NORMAL:
        *a = "mean";
        *b = "std";
        break;
    case DL4C_INIT_ORTHOGONAL:
    case DL4C_INIT_IDENTITY:
        *a = "gain";
        break;
    default:
        break;
    }
}

dl4c_status dl4c_cfg_init(const char *where, const json_t *obj, const char *key,
                          dl4c_init *out)
{
    static const char *const keys[] = {"type", "value", "low", "high", "mean",
                                       "std",  "gain",  "a",   "b",    NULL};
    const char *const *lists[] = {keys};
    json_t *v = json_object_get(obj, key);
    const char *name = NULL;
    if (!v)
        return DL4C_OK;
    if (json_is_number(v)) { /* a bare number is a constant */
        *out = dl4c_init_default(DL4C_INIT_CONSTANT);
        out->a = json_number_value(v);
        return DL4C_OK;
    }
    DL4C_RETURN_IF(type_name(where, key, v, &name));
    if (dl4c_init_parse(name, out) != DL4C_OK)
        return dl4c_error_prefix(DL4C_FORMAT, "%s: key '%s'", where, key);
    if (json_is_object(v)) {
        const char *an, *bn;
        init_param_names(out->id, &an, &bn);
        DL4C_RETURN_IF(dl4c_cfg_check_keys(where, v, lists, 1));
        const char *const alist[] = {"a", an, NULL};
        const char *const blist[] = {"b", bn, NULL};
        DL4C_RETURN_IF(param_alias(where, v, alist, -1e9, 1e9, &out->a));
        DL4C_RETURN_IF(param_alias(where, v, blist, -1e9, 1e9, &out->b));
    }
    return DL4C_OK;
}

json_t *dl4c_cfg_init_json(const dl4c_init *i)
{
    dl4c_init d = dl4c_init_default(i->id);
    const char *name = dl4c_init_name(i->id);
    if (d.a == i->a && d.b == i->b)
        return json_string(name);
    const char *an, *bn;
    init_param_names(i->id, &an, &bn);
    json_t *o = json_pack("{s:s}", "type", name);
    if (o)
        json_object_set_new(o, an ? an : "a", json_real(i->a));
    if (o)
        json_object_set_new(o, bn ? bn : "b", json_real(i->b));
    return o;
}

static dl4c_status parse_schedule(const char *where, const json_t *v,
                                  dl4c_schedule *s)
{
    static const char *const keys[] = {
        "type",     "per_epoch", "gamma",  "power",  "step",
        "max_iter", "min_value", "warmup", "values", NULL};
    const char *const *lists[] = {keys};
    const char *name = NULL;
    DL4C_RETURN_IF(type_name(where, "schedule", v, &name));
    if (dl4c_schedule_parse(name, s) != DL4C_OK)
        return dl4c_error_prefix(DL4C_FORMAT, "%s: key 'schedule'", where);
    if (!json_is_object(v))
        return DL4C_OK;
    DL4C_RETURN_IF(dl4c_cfg_check_keys(where, v, lists, 1));
    DL4C_RETURN_IF(dl4c_cfg_bool(where, v, "per_epoch", &s->per_epoch));
    DL4C_RETURN_IF(
        dl4c_cfg_double(where, v, "gamma", false, -1e9, 1e9, &s->gamma));
    DL4C_RETURN_IF(
        dl4c_cfg_double(where, v, "power", false, -1e9, 1e9, &s->power));
    DL4C_RETURN_IF(dl4c_cfg_double(where, v, "step", false, 0, 1e15, &s->step));
    DL4C_RETURN_IF(
        dl4c_cfg_double(where, v, "max_iter", false, 0, 1e15, &s->max_iter));
    DL4C_RETURN_IF(
        dl4c_cfg_double(where, v, "min_value", false, 0, 1e9, &s->min_value));
    DL4C_RETURN_IF(dl4c_cfg_int(where, v, "warmup", false, 0, &s->warmup));
    json_t *values = json_object_get(v, "values");
    if (values) {
        const char *k;
        json_t *val;
        if (!json_is_object(values) ||
            json_object_size(values) > DL4C_SCHEDULE_MAP_MAX)
            return dl4c_error_set(DL4C_FORMAT,
                                  "%s: schedule 'values' must be an object "
                                  "of up to %d \"iteration\": rate pairs",
                                  where, DL4C_SCHEDULE_MAP_MAX);
        s->map_count = 0;
        json_object_foreach(values, k, val)
        {
            char *end = NULL;
            long long at = strtoll(k, &end, 10);
            if (!*k || *end || at < 0 || !json_is_number(val))
                return dl4c_error_set(DL4C_FORMAT,
                                      "%s: schedule value '%s' must map an "
                                      "iteration number to a rate",
                                      where, k);
            /* insertion keeps map_at ascending */
            int i = s->map_count++;
            while (i > 0 && s->map_at[i - 1] > at) {
                s->map_at[i] = s->map_at[i - 1];
                s->map_value[i] = s->map_value[i - 1];
                i--;
            }
            s->map_at[i] = at;
            s->map_value[i] = json_number_value(val);
        }
    }
    return DL4C_OK;
}

static json_t *schedule_json(const dl4c_schedule *s)
{
    json_t *o = json_pack("{s:s}", "type", dl4c_schedule_name(s->id));
    if (!o)
        return NULL;
    if (s->per_epoch)
        json_object_set_new(o, "per_epoch", json_true());
    switch (s->id) {
    case DL4C_SCHEDULE_STEP:
        json_object_set_new(o, "gamma", json_real(s->gamma));
        json_object_set_new(o, "step", json_real(s->step));
        break;
    case DL4C_SCHEDULE_EXPONENTIAL:
        json_object_set_new(o, "gamma", json_real(s->gamma));
        break;
    case DL4C_SCHEDULE_INVERSE:
        json_object_set_new(o, "gamma", json_real(s->gamma));
        json_object_set_new(o, "power", json_real(s->power));
        break;
    case DL4C_SCHEDULE_POLY:
        json_object_set_new(o, "power", json_real(s->power));
        json_object_set_new(o, "max_iter", json_real(s->max_iter));
        break;
    case DL4C_SCHEDULE_SIGMOID:
        json_object_set_new(o, "gamma", json_real(s->gamma));
        json_object_set_new(o, "step", json_real(s->step));
        break;
    case DL4C_SCHEDULE_COSINE:
        json_object_set_new(o, "max_iter", json_real(s->max_iter));
        json_object_set_new(o, "min_value", json_real(s->min_value));
        break;
    case DL4C_SCHEDULE_MAP: {
        json_t *values = json_object();
        for (int i = 0; values && i < s->map_count; i++) {
            char k[32];
            snprintf(k, sizeof k, "%lld", (long long)s->map_at[i]);
            json_object_set_new(values, k, json_real(s->map_value[i]));
        }
        json_object_set_new(o, "values", values);
        break;
    }
    default:
        break;
    }
    if (s->warmup)
        json_object_set_new(o, "warmup", json_integer(s->warmup));
    return o;
}

dl4c_status dl4c_cfg_updater(const char *where, const json_t *obj,
                             const char *key, dl4c_updater *out)
{
    static const char *const keys[] = {
        "type",    "learning_rate", "momentum",     "beta1",    "beta2",
        "epsilon", "rho",           "weight_decay", "schedule", NULL};
    const char *const *lists[] = {keys};
    json_t *v = json_object_get(obj, key);
    const char *name = NULL;
    if (!v)
        return DL4C_OK;
    DL4C_RETURN_IF(type_name(where, key, v, &name));
    if (dl4c_updater_parse(name, out) != DL4C_OK)
        return dl4c_error_prefix(DL4C_FORMAT, "%s: key '%s'", where, key);
    if (!json_is_object(v))
        return DL4C_OK;
    DL4C_RETURN_IF(dl4c_cfg_check_keys(where, v, lists, 1));
    DL4C_RETURN_IF(dl4c_cfg_double(where, v, "learning_rate", false, 0, 1e6,
                                   &out->learning_rate));
    DL4C_RETURN_IF(
        dl4c_cfg_double(where, v, "momentum", false, 0, 1, &out->momentum));
    DL4C_RETURN_IF(
        dl4c_cfg_double(where, v, "beta1", false, 0, 1, &out->beta1));
    DL4C_RETURN_IF(
        dl4c_cfg_double(where, v, "beta2", false, 0, 1, &out->beta2));
    DL4C_RETURN_IF(
        dl4c_cfg_double(where, v, "epsilon", false, 0, 1, &out->epsilon));
    DL4C_RETURN_IF(dl4c_cfg_double(where, v, "rho", false, 0, 1, &out->rho));
    DL4C_RETURN_IF(dl4c_cfg_double(where, v, "weight_decay", false, 0, 1e3,
                                   &out->weight_decay));
    json_t *sched = json_object_get(v, "schedule");
    if (sched)
        DL4C_RETURN_IF(parse_schedule(where, sched, &out->schedule));
    return DL4C_OK;
}

json_t *dl4c_cfg_updater_json(const dl4c_updater *u)
{
    json_t *o = json_pack("{s:s, s:f}", "type", dl4c_updater_name(u->id),
                          "learning_rate", u->learning_rate);
    if (!o)
        return NULL;
    switch (u->id) {
    case DL4C_UPDATER_NESTEROVS:
        json_object_set_new(o, "momentum", json_real(u->momentum));
        break;
    case DL4C_UPDATER_ADAMW:
        json_object_set_new(o, "weight_decay", json_real(u->weight_decay));
        /* fall through */
    case DL4C_UPDATER_ADAM:
    case DL4C_UPDATER_ADAMAX:
    case DL4C_UPDATER_NADAM:
    case DL4C_UPDATER_AMSGRAD:
        json_object_set_new(o, "beta1", json_real(u->beta1));
        json_object_set_new(o, "beta2", json_real(u->beta2));
        json_object_set_new(o, "epsilon", json_real(u->epsilon));
        break;
    case DL4C_UPDATER_ADAGRAD:
        json_object_set_new(o, "epsilon", json_real(u->epsilon));
        break;
    case DL4C_UPDATER_ADADELTA:
    case DL4C_UPDATER_RMSPROP:
        json_object_set_new(o, "rho", json_real(u->rho));
        json_object_set_new(o, "epsilon", json_real(u->epsilon));
        break;
    default:
        break;
    }
    if (u->schedule.id != DL4C_SCHEDULE_NONE || u->schedule.warmup)
        json_object_set_new(o, "schedule", schedule_json(&u->schedule));
    return o;
}

dl4c_status dl4c_cfg_clip(const char *where, const json_t *obj, const char *key,
                          dl4c_clip *out)
{
    static const char *const keys[] = {"type", "threshold", NULL};
    const char *const *lists[] = {keys};
    json_t *v = json_object_get(obj, key);
    const char *name = NULL;
    if (!v)
        return DL4C_OK;
    DL4C_RETURN_IF(type_name(where, key, v, &name));
    if (dl4c_clip_parse(name, out) != DL4C_OK)
        return dl4c_error_prefix(DL4C_FORMAT, "%s: key '%s'", where, key);
    if (json_is_object(v)) {
        DL4C_RETURN_IF(dl4c_cfg_check_keys(where, v, lists, 1));
        DL4C_RETURN_IF(dl4c_cfg_double(where, v, "threshold",
                                       out->id != DL4C_CLIP_NONE, 1e-12, 1e12,
                                       &out->threshold));
    } else if (out->id != DL4C_CLIP_NONE) {
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: key '%s': clipping '%s' needs a "
                              "\"threshold\"",
                              where, key, name);
    }
    return DL4C_OK;
}

json_t *dl4c_cfg_clip_json(const dl4c_clip *c)
{
    if (c->id == DL4C_CLIP_NONE)
        return json_string(dl4c_clip_name(c->id));
    return json_pack("{s:s, s:f}", "type", dl4c_clip_name(c->id), "threshold",
                     c->threshold);
}
