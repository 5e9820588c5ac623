/* Keras' training configuration in dl4c terms, so an imported model keeps
 * training the way Keras would.
 * Losses: Keras puts a model's loss on its outputs. Each output with a
 * loss becomes a dl4c loss layer: a final Dense turns into an Output layer
 * (the same weights and activation, plus the loss), a final Activation into
 * a Loss layer; anything else (or a layer other layers also take) gets a
 * Loss layer "<name>_loss" with the identity activation appended. Forward
 * values do not change. A cross-entropy given from logits (from_logits:
 * the output is logits, the loss applies softmax or sigmoid itself) gets
 * an appended Loss layer with dl4c's from_logits. loss_weights between
 * outputs become each loss layer's loss_scale.
 * Optimizer: the Keras optimizer and its hyperparameters become the
 * updater (Keras 2 "decay" an inverse-time schedule, Keras 3 schedules
 * their dl4c counterparts, clipping the gradient clipping); what has no
 * exact equivalent is approximated with a warning.
 * State: the optimizer's saved slots (legacy "optimizer_weights", Keras 3
 * "optimizer/vars") are matched to the trainable weights, by name where
 * the names say it (tf.keras) and else by position, checked by shape,
 * then mapped into dl4c's layout through each layer's own weight hook. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "import/keras_internal.h"
#include "nn/net_internal.h"

#define NAME_CAP 1100

static void warn(json_t *warnings, const char *fmt, ...) DL4C_PRINTF(2, 3);
static void warn(json_t *warnings, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_array_append_new(warnings, json_string(buf));
}

/* ---- losses ---- */

/* The loss of output i (Keras name kname) as a dl4c loss name, or NULL. */
static const char *loss_of(const json_t *loss, int i, int n, const char *kname,
                           bool *from_logits)
{
    *from_logits = false;
    if (!loss || json_is_null(loss))
        return NULL;
    if (json_is_string(loss))
        return json_string_value(loss);
    if (json_is_array(loss))
        return json_array_size(loss) == (size_t)n
                   ? loss_of(json_array_get(loss, (size_t)i), 0, 1, kname,
                             from_logits)
                   : NULL;
    if (!json_is_object(loss))
        return NULL;
    const char *cls = json_string_value(json_object_get(loss, "class_name"));
    const json_t *cfg = json_object_get(loss, "config");
    if (!cls) /* {"output_name": loss} */
        return loss_of(json_object_get(loss, kname), 0, 1, kname, from_logits);
    if (!strcmp(cls, "function")) /* Keras 3: a plain loss function */
        return json_string_value(cfg);
    *from_logits = json_is_true(kx_get(cfg, "from_logits"));
    return cls;
}

static json_t *find_layer(json_t *layers, const char *name)
{
    for (size_t i = 0; i < json_array_size(layers); i++) {
        json_t *l = json_array_get(layers, i);
        if (!strcmp(json_string_value(json_object_get(l, "name")), name))
            return l;
    }
    return NULL;
}

/* Whether another layer takes `name`'s outputs or shares its weights. */
static bool used_elsewhere(json_t *layers, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < json_array_size(layers); i++) {
        json_t *l = json_array_get(layers, i);
        const char *sw =
            json_string_value(json_object_get(l, "share_weights_with"));
        if (sw && !strcmp(sw, name))
            return true;
        json_t *ins = json_object_get(l, "inputs");
        for (size_t k = 0; k < json_array_size(ins); k++) {
            const char *r = json_string_value(json_array_get(ins, k));
            if (r && !strncmp(r, name, len) && (!r[len] || r[len] == ':'))
                return true;
        }
    }
    return false;
}

static dl4c_status add_loss(json_t *layers, json_t *outputs, size_t i,
                            const char *loss, bool from_logits, double scale)
{
    const char *ref = json_string_value(json_array_get(outputs, i));
    json_t *layer =
        strchr(ref, ':') || from_logits ? NULL : find_layer(layers, ref);
    const char *type =
        layer ? json_string_value(json_object_get(layer, "type")) : NULL;
    if (layer && !used_elsewhere(layers, ref) &&
        !json_object_get(layer, "share_weights_with") && type &&
        (!strcmp(type, "Dense") || !strcmp(type, "Activation"))) {
        bool dense = !strcmp(type, "Dense");
        if (!json_object_get(layer, "activation"))
            DL4C_RETURN_IF(
                dl4c_cfg_set(layer, "activation", json_string("identity")));
        DL4C_RETURN_IF(dl4c_cfg_set(layer, "type",
                                    json_string(dense ? "Output" : "Loss")));
        if (scale != 1.0)
            DL4C_RETURN_IF(dl4c_cfg_set(layer, "loss_scale", json_real(scale)));
        return dl4c_cfg_set(layer, "loss", json_string(loss));
    }
    char name[NAME_CAP];
    snprintf(name, sizeof name, "%s_loss", ref);
    for (char *p = name; *p; p++)
        if (*p == ':')
            *p = '_';
    json_t *l =
        json_pack("{s:s, s:s, s:[s], s:s, s:s, s:b, s:f}", "type", "Loss",
                  "name", name, "inputs", ref, "activation", "identity", "loss",
                  loss, "from_logits", from_logits, "loss_scale", scale);
    if (!l || json_array_append_new(layers, l) != 0 ||
        json_array_set_new(outputs, i, json_string(name)) != 0)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return DL4C_OK;
}

static dl4c_status losses(const kx_source *src, const kx_graph *g,
                          json_t *config, json_t *warnings)
{
    const json_t *loss = json_object_get(src->training, "loss");
    json_t *layers = json_object_get(config, "layers");
    json_t *outputs = json_object_get(config, "outputs");
    const json_t *lw = kx_get(src->training, "loss_weights");
    if (lw && !(json_is_array(lw) || json_is_object(lw)))
        lw = NULL;
    for (size_t i = 0; i < json_array_size(outputs); i++) {
        bool logits;
        const kx_call *c = &g->calls[g->outputs[i].call];
        const char *name =
            loss_of(loss, (int)i, g->n_outputs, c->kname, &logits);
        dl4c_loss parsed;
        if (!name)
            continue;
        if (dl4c_loss_parse(name, &parsed) == DL4C_OK && logits &&
            parsed.id != DL4C_LOSS_MCXENT && parsed.id != DL4C_LOSS_XENT &&
            parsed.id != DL4C_LOSS_SPARSE_MCXENT) {
            warn(warnings,
                 "output '%s': loss %s from logits has no dl4c form; the "
                 "output gets no loss",
                 c->name, name);
            continue;
        }
        if (dl4c_loss_parse(name, &parsed) != DL4C_OK) {
            warn(warnings,
                 "output '%s': loss '%s' has no dl4c equivalent; the output "
                 "gets no loss",
                 c->name, name);
            continue;
        }
        /* Keras' loss_weights: a weight per output, by position or name */
        const json_t *w =
            json_is_array(lw) ? json_array_get(lw, i) : kx_get(lw, c->kname);
        double scale = json_is_number(w) ? json_number_value(w) : 1.0;
        if (!(scale >= 0 && scale < 1e30)) {
            warn(warnings, "output '%s': loss weight %g ignored", c->name,
                 scale);
            scale = 1.0;
        }
        DL4C_RETURN_IF(add_loss(layers, outputs, i, dl4c_loss_name(parsed.id),
                                logits, scale));
    }
    return DL4C_OK;
}

/* ---- the optimizer ---- */

/* A Keras learning-rate schedule as a dl4c schedule; *lr gets its
 * initial rate. NULL (with a warning) when dl4c has none like it. */
static json_t *schedule_of(const json_t *s, double *lr, json_t *warnings)
{
    const char *cls = kx_class_of(s);
    const json_t *c = json_object_get(s, "config");
    *lr = kx_num(c, "initial_learning_rate", 0.001);
    if (!cls)
        return NULL;
    double steps = kx_num(c, "decay_steps", 1),
           rate = kx_num(c, "decay_rate", 1);
    bool stair = json_is_true(kx_get(c, "staircase"));
    if (!strcmp(cls, "ExponentialDecay") && steps > 0) {
        if (stair)
            return json_pack("{s:s, s:f, s:f}", "type", "step", "gamma", rate,
                             "step", steps);
        return json_pack("{s:s, s:f}", "type", "exponential", "gamma",
                         pow(rate, 1 / steps));
    }
    if (!strcmp(cls, "InverseTimeDecay") && steps > 0) {
        if (stair)
            warn(warnings, "InverseTimeDecay(staircase=True) is imported "
                           "without the staircase");
        return json_pack("{s:s, s:f, s:f}", "type", "inverse", "gamma",
                         rate / steps, "power", 1.0);
    }
    if (!strcmp(cls, "CosineDecay") && steps > 0) {
        if (kx_get(c, "warmup_steps") && kx_num(c, "warmup_steps", 0) > 0)
            warn(warnings, "CosineDecay's warm-up is not imported");
        return json_pack("{s:s, s:f, s:f}", "type", "cosine", "max_iter", steps,
                         "min_value", kx_num(c, "alpha", 0) * *lr);
    }
    if (!strcmp(cls, "PolynomialDecay") && steps > 0) {
        if (kx_num(c, "end_learning_rate", 0.0001) != 0 ||
            json_is_true(kx_get(c, "cycle")))
            warn(warnings, "PolynomialDecay is imported decaying to 0 "
                           "without cycles");
        return json_pack("{s:s, s:f, s:f}", "type", "poly", "power",
                         kx_num(c, "power", 1), "max_iter", steps);
    }
    if (!strcmp(cls, "PiecewiseConstantDecay")) {
        const json_t *b = kx_get(c, "boundaries"), *v = kx_get(c, "values");
        if (json_is_array(b) && json_is_array(v) &&
            json_array_size(v) == json_array_size(b) + 1 &&
            json_array_size(v) <= DL4C_SCHEDULE_MAP_MAX) {
            json_t *map = json_object();
            char key[32];
            *lr = json_number_value(json_array_get(v, 0));
            for (size_t i = 0; map && i < json_array_size(v); i++) {
                long long at =
                    i ? (long long)json_number_value(json_array_get(b, i - 1)) +
                            1
                      : 0;
                snprintf(key, sizeof key, "%lld", at);
                json_object_set_new(
                    map, key,
                    json_real(json_number_value(json_array_get(v, i))));
            }
            return json_pack("{s:s, s:o}", "type", "map", "values", map);
        }
    }
    warn(warnings,
         "learning-rate schedule %s is not imported: training "
         "continues at its initial rate",
         cls);
    return NULL;
}

static dl4c_status optimizer(const kx_source *src, json_t *config,
                             json_t *warnings)
{
    const json_t *opt = json_object_get(src->training, "optimizer_config");
    if (!opt)
        opt = json_object_get(src->training, "optimizer");
    const char *cls = kx_class_of(opt);
    const json_t *c = json_object_get(opt, "config");
    if (!cls)
        return DL4C_OK;
    if (!strncmp(cls, "Custom>", 7)) /* tf.keras 2.11+ */
        cls = cls + 7;
    json_t *training = json_object();
    json_t *u = json_object();
    if (!training || !u) {
        json_decref(training);
        json_decref(u);
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    const char *type = NULL;
    const json_t *lrv = kx_get(c, "learning_rate");
    if (!lrv)
        lrv = kx_get(c, "lr");
    double lr = json_is_number(lrv) ? json_number_value(lrv) : 0.001;
    json_t *sched =
        json_is_object(lrv) ? schedule_of(lrv, &lr, warnings) : NULL;
    double eps = kx_num(c, "epsilon", 1e-7);
    if (!strcmp(cls, "SGD")) {
        double mom = kx_num(c, "momentum", 0);
        type = mom > 0 ? "nesterovs" : "sgd";
        if (mom > 0) {
            json_object_set_new(u, "momentum", json_real(mom));
            if (!json_is_true(kx_get(c, "nesterov")))
                warn(warnings, "SGD momentum without Nesterov is imported as "
                               "Nesterov momentum (dl4c has no plain "
                               "momentum updater)");
        }
    } else if (!strcmp(cls, "Adam") || !strcmp(cls, "AdamW") ||
               !strcmp(cls, "Adamax") || !strcmp(cls, "Nadam")) {
        type = !strcmp(cls, "Adam")
                   ? (json_is_true(kx_get(c, "amsgrad")) ? "amsgrad" : "adam")
               : !strcmp(cls, "AdamW")  ? "adamw"
               : !strcmp(cls, "Adamax") ? "adamax"
                                        : "nadam";
        json_object_set_new(u, "beta1", json_real(kx_num(c, "beta_1", 0.9)));
        json_object_set_new(u, "beta2", json_real(kx_num(c, "beta_2", 0.999)));
        json_object_set_new(u, "epsilon", json_real(eps));
        if (!strcmp(cls, "AdamW"))
            json_object_set_new(u, "weight_decay",
                                json_real(kx_num(c, "weight_decay", 0.004)));
    } else if (!strcmp(cls, "RMSprop")) {
        type = "rmsprop";
        json_object_set_new(u, "rho", json_real(kx_num(c, "rho", 0.9)));
        json_object_set_new(u, "epsilon", json_real(eps));
        if (json_is_true(kx_get(c, "centered")) || kx_num(c, "momentum", 0) > 0)
            warn(warnings, "RMSprop's centered/momentum options are not "
                           "imported");
    } else if (!strcmp(cls, "Adagrad")) {
        type = "adagrad";
        json_object_set_new(u, "epsilon", json_real(eps));
    } else if (!strcmp(cls, "Adadelta")) {
        type = "adadelta";
        json_object_set_new(u, "rho", json_real(kx_num(c, "rho", 0.95)));
        json_object_set_new(u, "epsilon", json_real(eps));
    } else {
        warn(warnings,
             "optimizer %s has no dl4c updater: training uses Adam "
             "at learning rate %g",
             cls, lr);
        type = "adam";
    }
    json_object_set_new(u, "type", json_string(type));
    json_object_set_new(u, "learning_rate", json_real(lr));
    if (sched)
        json_object_set_new(u, "schedule", sched);
    double decay = kx_num(c, "decay", 0);
    if (decay > 0 && !sched)
        json_object_set_new(u, "schedule",
                            json_pack("{s:s, s:f, s:f}", "type", "inverse",
                                      "gamma", decay, "power", 1.0));
    json_object_set_new(training, "updater", u);
    double wd = strcmp(cls, "AdamW") ? kx_num(c, "weight_decay", 0) : 0;
    if (wd > 0)
        json_object_set_new(training, "weight_decay", json_real(wd));
    if (kx_num(c, "clipvalue", 0) > 0)
        json_object_set_new(training, "gradient_clipping",
                            json_pack("{s:s, s:f}", "type", "value",
                                      "threshold", kx_num(c, "clipvalue", 0)));
    else if (kx_num(c, "global_clipnorm", 0) > 0)
        json_object_set_new(training, "gradient_clipping",
                            json_pack("{s:s, s:f}", "type", "norm_net",
                                      "threshold",
                                      kx_num(c, "global_clipnorm", 0)));
    else if (kx_num(c, "clipnorm", 0) > 0) {
        json_object_set_new(training, "gradient_clipping",
                            json_pack("{s:s, s:f}", "type", "norm_layer",
                                      "threshold", kx_num(c, "clipnorm", 0)));
        warn(warnings, "clipnorm (per weight array in Keras) is imported as "
                       "per-layer norm clipping");
    }
    return dl4c_cfg_set(config, "training", training);
}

dl4c_status kx_training_config(const kx_source *src, const kx_graph *g,
                               json_t *config, json_t *warnings)
{
    if (!json_is_object(src->training))
        return DL4C_OK;
    DL4C_RETURN_IF(losses(src, g, config, warnings));
    return optimizer(src, config, warnings);
}

/* ---- the optimizer's saved state ---- */

typedef struct slots {
    dl4c_tensor **w;
    char **names;
    int n;
} slots;

/* A trainable Keras weight: which call, and its index among the call's
 * arrays. */
typedef struct tw {
    int call, index;
    const dl4c_tensor *value;
    const char *name;
} tw;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const tw *)a)->name, ((const tw *)b)->name);
}

static bool non_trainable(const kx_source *src, const kx_call *c, int i, int n,
                          const char *name)
{
    if (strstr(name, "moving_mean") || strstr(name, "moving_variance") ||
        strstr(name, "running_mean") || strstr(name, "running_std"))
        return true;
    /* Keras 3 names arrays by number: BatchNormalization's last two */
    return src->layout == KX_WEIGHTS_V3 &&
           !strcmp(c->cls, "BatchNormalization") && i >= n - 2;
}

static dl4c_status read_slots(const kx_source *src, slots *s)
{
    dl4c_status status = DL4C_OK;
    memset(s, 0, sizeof *s);
    if (src->layout == KX_WEIGHTS_LEGACY) {
        if (!dl4c_h5_is_group(src->h5, "optimizer_weights"))
            return DL4C_OK;
        DL4C_TRY(dl4c_h5_attr_strings(src->h5, "optimizer_weights",
                                      "weight_names", &s->names, &s->n));
        if (s->n < 0) {
            s->n = 0;
            return DL4C_OK;
        }
        s->w = dl4c_calloc((size_t)(s->n ? s->n : 1), sizeof *s->w);
        if (!s->w)
            DL4C_NOMEM_FAIL();
        for (int i = 0; i < s->n; i++) {
            char path[NAME_CAP];
            snprintf(path, sizeof path, "optimizer_weights/%s", s->names[i]);
            DL4C_TRY(dl4c_h5_read(src->h5, path, DL4C_F64, &s->w[i]));
        }
    } else if (src->layout == KX_WEIGHTS_V3) {
        char **names = NULL;
        int n = 0;
        if (!dl4c_h5_is_group(src->h5, "optimizer/vars"))
            return DL4C_OK;
        DL4C_TRY(dl4c_h5_children(src->h5, "optimizer/vars", &names, &n));
        dl4c_h5_free_strings(names, n);
        s->w = dl4c_calloc((size_t)(n ? n : 1), sizeof *s->w);
        s->names = dl4c_calloc((size_t)(n ? n : 1), sizeof *s->names);
        if (!s->w || !s->names)
            DL4C_NOMEM_FAIL();
        for (int i = 0; i < n; i++) {
            char path[64];
            snprintf(path, sizeof path, "optimizer/vars/%d", i);
            if (!dl4c_h5_is_dataset(src->h5, path))
                break;
            s->names[i] = dl4c_asprintf("%d", i);
            if (!s->names[i])
                DL4C_NOMEM_FAIL();
            DL4C_TRY(dl4c_h5_read(src->h5, path, DL4C_F64, &s->w[i]));
            s->n = i + 1;
        }
    }
    return DL4C_OK;
fail:
    return status;
}

static void free_slots(slots *s)
{
    kx_weights_free(s->w, s->names, s->n);
    memset(s, 0, sizeof *s);
}

static bool same_shape(const dl4c_tensor *a, const dl4c_tensor *b)
{
    dl4c_shape x = dl4c_tensor_shape(a), y = dl4c_tensor_shape(b);
    if (x.ndim != y.ndim)
        return false;
    for (int i = 0; i < x.ndim; i++)
        if (x.dim[i] != y.dim[i])
            return false;
    return true;
}

/* "dense_1/kernel:0" -> "dense_1/kernel" */
static void base_name(const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s", name);
    char *colon = strrchr(out, ':');
    if (colon)
        *colon = '\0';
}

/* Slot names of tf.keras: ".../<var>/m:0" (optimizer v2) or
 * ".../m/<var>:0" (Keras 2.11+). */
static int find_named(const slots *s, const char *var, const char *kind)
{
    char a[NAME_CAP + 160], b[NAME_CAP + 160];
    snprintf(a, sizeof a, "%s/%s:", var, kind);
    snprintf(b, sizeof b, "/%s/%s:", kind, var);
    for (int i = 0; i < s->n; i++) {
        const char *p = strstr(s->names[i], a);
        if ((p && (p == s->names[i] || p[-1] == '/')) || strstr(s->names[i], b))
            return i;
    }
    return -1;
}

/* Keras' slot names for each dl4c state array of an updater ("|"
 * separates the names of different Keras versions: tf.keras' optimizer v2
 * "m", Keras 2.11+ "momentum"). */
static const char *const *kinds_of(dl4c_updater_id id)
{
    static const char *const adam[] = {"m|momentum", "v|velocity", NULL};
    static const char *const ams[] = {"m|momentum", "v|velocity",
                                      "vhat|velocity_hat", NULL};
    static const char *const adamax[] = {"m|momentum", "v|u|norm", NULL};
    static const char *const one_m[] = {"momentum", NULL};
    static const char *const rms[] = {"rms|velocity", NULL};
    static const char *const ada[] = {"accumulator", NULL};
    static const char *const delta[] = {
        "accum_grad|accumulated_grad", "accum_var|accumulated_delta_var", NULL};
    switch (id) {
    case DL4C_UPDATER_ADAM:
    case DL4C_UPDATER_ADAMW:
    case DL4C_UPDATER_NADAM:
        return adam;
    case DL4C_UPDATER_ADAMAX:
        return adamax;
    case DL4C_UPDATER_AMSGRAD:
        return ams;
    case DL4C_UPDATER_NESTEROVS:
        return one_m;
    case DL4C_UPDATER_RMSPROP:
        return rms;
    case DL4C_UPDATER_ADAGRAD:
        return ada;
    case DL4C_UPDATER_ADADELTA:
        return delta;
    default:
        return NULL;
    }
}

/* The slot of `var` for any of the "|"-separated kind names, or -1. */
static int find_kind(const slots *s, const char *var, const char *kinds)
{
    char kind[64];
    for (const char *p = kinds; *p;) {
        size_t n = strcspn(p, "|");
        snprintf(kind, sizeof kind, "%.*s", (int)n, p);
        int at = find_named(s, var, kind);
        if (at >= 0)
            return at;
        p += n + (p[n] == '|');
    }
    return -1;
}

/* The iteration count: a scalar integer-valued slot named like one, or
 * Keras 3's vars/0. */
static int64_t iterations(const kx_source *src, const slots *s, int *used)
{
    *used = 0;
    for (int i = 0; i < s->n && i < 3; i++) {
        const char *n = s->names[i];
        bool named = strstr(n, "iter") != NULL;
        if ((named || (src->layout == KX_WEIGHTS_V3 && i == 0)) &&
            dl4c_tensor_size(s->w[i]) == 1) {
            *used = i + 1;
            double v = dl4c_tensor_get(s->w[i], 0);
            return v >= 0 && v < 1e15 ? (int64_t)v : 0;
        }
    }
    return 0;
}

/* Whether the file holds slot arrays beyond the scalars (an optimizer
 * that never stepped saves its iteration count alone). */
static bool slot_arrays(const slots *s, int first)
{
    for (int i = first; i < s->n; i++)
        if (dl4c_tensor_ndim(s->w[i]) > 0)
            return true;
    return false;
}

/* Matches every trainable weight's k-th state array: map[w * k + j] is a
 * slot index. False when the file's layout is not recognized. */
static bool match(const kx_source *src, const slots *s, const tw *ws, int n,
                  const char *const *kinds, int k, int first, int *map)
{
    /* by name (tf.keras) */
    bool named = true;
    for (int i = 0; i < n && named; i++) {
        char var[NAME_CAP];
        base_name(ws[i].name, var, sizeof var);
        for (int j = 0; j < k && named; j++) {
            int at = find_kind(s, var, kinds[j]);
            named = at >= 0 && same_shape(s->w[at], ws[i].value);
            map[i * k + j] = at;
        }
    }
    if (named && n > 0)
        return true;
    /* by position after the scalars (Keras 3's learning rate, Nadam's
     * momentum schedule): Keras 3 interleaves each weight's slots (AMSGrad
     * adds its v-hats after them all), Keras 2 groups them by kind */
    int start = first;
    while (start < s->n && dl4c_tensor_ndim(s->w[start]) == 0)
        start++;
    if (s->n - start < n * k)
        return false;
    int inter = src->layout == KX_WEIGHTS_V3 ? (k == 3 ? 2 : k) : 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < k; j++) {
            int at =
                j < inter
                    ? start + i * inter + j
                    : start + (inter ? n * inter + (j - inter) * n : j * n) + i;
            if (!same_shape(s->w[at], ws[i].value))
                return false;
            map[i * k + j] = at;
        }
    return true;
}

/* Copies state array j of call c (Keras layout, via the layer's hook)
 * into the net's updater state. */
static dl4c_status put_state(const kx_source *src, const kx_graph *g,
                             const kx_net_info *info, dl4c_net *net,
                             const kx_call *c, dl4c_tensor **kw, int n_kw,
                             int j, int count)
{
    dl4c_status status = DL4C_OK;
    int li = dl4c_net_layer_index(net, c->name);
    const dl4c_layer *l = net->nodes[net->n_inputs + li].layer;
    dl4c_tensor *tmp[DL4C_LAYER_MAX_PARAMS] = {0};
    dl4c_tensor *cast[DL4C_LAYER_MAX_PARAMS * 2] = {0};
    size_t dts = dl4c_dtype_size(net->dtype);
    for (int p = 0; p < l->n_params; p++)
        DL4C_TRY(dl4c_tensor_create(net->dtype, l->params[p].shape.ndim,
                                    l->params[p].shape.dim, &tmp[p]));
    for (int i = 0; i < n_kw; i++)
        DL4C_TRY(dl4c_tensor_cast(kw[i], net->dtype, &cast[i]));
    DL4C_TRY(kx_apply_hook(src, c, info->call_cf[c - g->calls], l, n_kw,
                           (const dl4c_tensor *const *)cast, tmp));
    for (int p = 0; p < l->n_params; p++) {
        if (!l->params[p].trainable)
            continue;
        int64_t n = dl4c_tensor_size(tmp[p]);
        char *dst = (char *)net->state_data +
                    ((size_t)l->param_offset[p] * (size_t)count +
                     (size_t)j * (size_t)n) *
                        dts;
        memcpy(dst, dl4c_tensor_data(tmp[p]), (size_t)n * dts);
    }
fail:
    for (int p = 0; p < DL4C_LAYER_MAX_PARAMS; p++)
        dl4c_tensor_free(tmp[p]);
    for (int i = 0; i < n_kw; i++)
        dl4c_tensor_free(cast[i]);
    return status;
}

dl4c_status kx_optimizer_state(const kx_source *src, const kx_graph *g,
                               const kx_net_info *info, dl4c_net *net,
                               json_t *warnings)
{
    dl4c_status status = DL4C_OK;
    slots s = {0};
    tw *ws = NULL, *sorted = NULL;
    int n_ws = 0, *map = NULL;
    dl4c_tensor ***arrays = NULL; /* per call: its Keras arrays */
    char ***names = NULL;
    int *counts = NULL;
    const char *const *kinds = kinds_of(net->updater.id);
    int k = dl4c_updater_state_count(net->updater.id);
    if (!json_is_object(src->training) || src->layout == KX_WEIGHTS_NONE)
        return DL4C_OK;
    DL4C_TRY(read_slots(src, &s));
    if (s.n == 0)
        goto done;
    int used = 0;
    dl4c_net_set_iteration(net, iterations(src, &s, &used));
    if (!kinds || k == 0)
        goto done;
    arrays = dl4c_calloc((size_t)g->n, sizeof *arrays);
    names = dl4c_calloc((size_t)g->n, sizeof *names);
    counts = dl4c_calloc((size_t)g->n, sizeof *counts);
    if (!arrays || !names || !counts)
        DL4C_NOMEM_FAIL();
    for (int i = 0; i < g->n; i++) {
        const kx_call *c = &g->calls[i];
        if (c->is_input || c->owner >= 0)
            continue;
        DL4C_TRY(kx_weights_of(src, g, c, DL4C_F64, &arrays[i], &names[i],
                               &counts[i]));
        if (json_is_false(kx_get(c->kcfg, "trainable")))
            continue;
        for (int w = 0; w < counts[i]; w++) {
            if (non_trainable(src, c, w, counts[i], names[i][w]))
                continue;
            tw *grown = dl4c_realloc(ws, sizeof *ws * (size_t)(n_ws + 1));
            if (!grown)
                DL4C_NOMEM_FAIL();
            ws = grown;
            ws[n_ws++] = (tw){i, w, arrays[i][w], names[i][w]};
        }
    }
    map = dl4c_calloc((size_t)(n_ws * k + 1), sizeof *map);
    sorted = dl4c_malloc(sizeof *sorted * (size_t)(n_ws + 1));
    if (!map || !sorted)
        DL4C_NOMEM_FAIL();
    if (n_ws > 0)
        memcpy(sorted, ws, sizeof *ws * (size_t)n_ws);
    qsort(sorted, (size_t)n_ws, sizeof *sorted, by_name);
    /* Keras 1 and early 2.0 hand the optimizer the trainable weights
     * sorted by name, later versions in the model's order: the likely
     * order first, the other when its shapes do not fit */
    bool old = src->major == 1 ||
               (src->keras_version && !strncmp(src->keras_version, "2.0.", 4));
    if (match(src, &s, old ? sorted : ws, n_ws, kinds, k, used, map)) {
        if (old)
            memcpy(ws, sorted, sizeof *ws * (size_t)n_ws);
    } else if (match(src, &s, old ? ws : sorted, n_ws, kinds, k, used, map)) {
        if (!old)
            memcpy(ws, sorted, sizeof *ws * (size_t)n_ws);
    } else {
        if (slot_arrays(&s, used))
            warn(warnings, "the optimizer's saved state does not match the "
                           "model's trainable weights; training continues "
                           "with fresh optimizer state");
        goto done;
    }
    for (int j = 0; j < k; j++) {
        for (int i = 0; i < g->n; i++) {
            const kx_call *c = &g->calls[i];
            if (!arrays[i] || counts[i] <= 0)
                continue;
            /* the call's arrays with state j in place of trainable ones */
            dl4c_tensor *kw[DL4C_LAYER_MAX_PARAMS * 2];
            int n_kw = counts[i] < (int)(sizeof kw / sizeof kw[0])
                           ? counts[i]
                           : (int)(sizeof kw / sizeof kw[0]);
            bool any = false;
            for (int w = 0; w < n_kw; w++) {
                kw[w] = arrays[i][w];
                for (int t = 0; t < n_ws; t++)
                    if (ws[t].call == i && ws[t].index == w) {
                        kw[w] = s.w[map[t * k + j]];
                        any = true;
                    }
            }
            if (any) {
                dl4c_status st =
                    put_state(src, g, info, net, c, kw, n_kw, j, k);
                if (st == DL4C_NOMEM)
                    DL4C_FAIL(DL4C_NOMEM, "out of memory");
                if (st != DL4C_OK) {
                    warn(warnings,
                         "layer '%s': optimizer state not restored: %s",
                         c->name, dl4c_last_error());
                }
            }
        }
    }
done:
fail:
    for (int i = 0; arrays && i < g->n; i++)
        kx_weights_free(arrays[i], names[i], counts[i] > 0 ? counts[i] : 0);
    dl4c_free(arrays);
    dl4c_free(names);
    dl4c_free(counts);
    dl4c_free(ws);
    dl4c_free(sorted);
    dl4c_free(map);
    free_slots(&s);
    return status;
}
