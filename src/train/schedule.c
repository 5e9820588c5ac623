/* Learning-rate schedules (formulas in include/dl4c/updater.h). A schedule
 * is a pure function of (base rate, iteration, epoch): nothing is stored
 * between calls, so resuming from a checkpoint needs only the counters.
 * Parameters that would divide by zero (step or max_iter <= 0) leave the
 * rate at its base value instead. */
#include <math.h>
#include <stddef.h>

#include "core/error_internal.h"
#include "core/names_internal.h"
#include "dl4c/updater.h"

static const char *const names[] = {
    "none", "step",    "exponential", "inverse",
    "poly", "sigmoid", "cosine",      "map",
};
_Static_assert(sizeof(names) / sizeof(names[0]) == DL4C_SCHEDULE_COUNT,
               "every schedule needs a name");

/* DL4J class names and Keras LearningRateSchedule names. Matching ignores
 * case and underscores. */
static const struct {
    const char *name;
    dl4c_schedule_id id;
} aliases[] = {
    {"fixed", DL4C_SCHEDULE_NONE},
    {"constant", DL4C_SCHEDULE_NONE},
    {"step_schedule", DL4C_SCHEDULE_STEP},
    {"exponential_schedule", DL4C_SCHEDULE_EXPONENTIAL},
    {"exponential_decay", DL4C_SCHEDULE_EXPONENTIAL},
    {"inverse_schedule", DL4C_SCHEDULE_INVERSE},
    {"poly_schedule", DL4C_SCHEDULE_POLY},
    {"polynomial_decay", DL4C_SCHEDULE_POLY},
    {"sigmoid_schedule", DL4C_SCHEDULE_SIGMOID},
    {"cosine_decay", DL4C_SCHEDULE_COSINE},
    {"map_schedule", DL4C_SCHEDULE_MAP},
    {"piecewise_constant_decay", DL4C_SCHEDULE_MAP},
};

static dl4c_schedule schedule_default(dl4c_schedule_id id)
{
    dl4c_schedule s = {.id = id};
    if (id == DL4C_SCHEDULE_INVERSE || id == DL4C_SCHEDULE_POLY)
        s.power = 1.0;
    return s;
}

dl4c_status dl4c_schedule_parse(const char *name, dl4c_schedule *out)
{
    if (!out)
        return dl4c_error_set(DL4C_INVALID_ARG, "schedule: out is NULL");
    if (!name)
        return dl4c_error_set(DL4C_INVALID_ARG, "schedule name is NULL");
    for (int i = 0; i < DL4C_SCHEDULE_COUNT; i++)
        if (dl4c_name_equal(name, names[i])) {
            *out = schedule_default((dl4c_schedule_id)i);
            return DL4C_OK;
        }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (dl4c_name_equal(name, aliases[i].name)) {
            *out = schedule_default(aliases[i].id);
            return DL4C_OK;
        }
    return dl4c_error_set(DL4C_INVALID_ARG, "unknown schedule '%s'", name);
}

const char *dl4c_schedule_name(dl4c_schedule_id id)
{
    return (unsigned)id < DL4C_SCHEDULE_COUNT ? names[id] : "invalid";
}

/* The schedule proper at (already warm-up-shifted) step i. */
static double scheduled(const dl4c_schedule *s, double lr, int64_t i)
{
    double x = (double)i;
    switch (s->id) {
    case DL4C_SCHEDULE_STEP:
        if (!(s->step > 0))
            return lr;
        return lr * pow(s->gamma, floor(x / s->step));
    case DL4C_SCHEDULE_EXPONENTIAL:
        return lr * pow(s->gamma, x);
    case DL4C_SCHEDULE_INVERSE:
        return lr / pow(1.0 + s->gamma * x, s->power);
    case DL4C_SCHEDULE_POLY: {
        if (!(s->max_iter > 0))
            return lr;
        double frac = 1.0 - x / s->max_iter;
        return lr * pow(frac > 0 ? frac : 0.0, s->power);
    }
    case DL4C_SCHEDULE_SIGMOID:
        return lr / (1.0 + exp(-s->gamma * (x - s->step)));
    case DL4C_SCHEDULE_COSINE: {
        if (!(s->max_iter > 0))
            return lr;
        double frac = x < s->max_iter ? x / s->max_iter : 1.0;
        return s->min_value +
               (lr - s->min_value) * (1.0 + cos(M_PI * frac)) / 2.0;
    }
    case DL4C_SCHEDULE_MAP: {
        double v = lr;
        int n = s->map_count < DL4C_SCHEDULE_MAP_MAX ? s->map_count
                                                     : DL4C_SCHEDULE_MAP_MAX;
        for (int k = 0; k < n && s->map_at[k] <= i; k++)
            v = s->map_value[k];
        return v;
    }
    case DL4C_SCHEDULE_NONE:
    default:
        return lr;
    }
}

double dl4c_schedule_value(const dl4c_schedule *s, double lr, int64_t iteration,
                           int64_t epoch)
{
    if (!s)
        return lr;
    int64_t i = s->per_epoch ? epoch : iteration;
    if (i < 0)
        i = 0;
    if (s->warmup > 0) {
        if (i < s->warmup)
            return lr * (double)(i + 1) / (double)s->warmup;
        i -= s->warmup;
    }
    return scheduled(s, lr, i);
}
