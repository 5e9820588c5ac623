/* Updaters (optimizers), learning-rate schedules, regularization and
 * gradient clipping: everything that turns a gradient into a step.
 *
 *   dl4c_updater u = dl4c_updater_default(DL4C_UPDATER_NESTEROVS);
 *   u.learning_rate = 0.0015;
 *   u.momentum = 0.98;
 *   u.schedule.id = DL4C_SCHEDULE_EXPONENTIAL;
 *   u.schedule.gamma = 0.99;
 *
 * Order of one step, per parameter array (as DL4J applies it):
 *   g += l1*sign(w) + l2*w          (regularized params only)
 *   clipping (by value / by norm per layer / by norm over the whole net)
 *   step = updater(g, state, lr_t, t)
 *   w -= step + lr_t*weight_decay*w (weight decay: regularized params only)
 * where lr_t is the scheduled learning rate (times a per-layer multiplier)
 * and t the 1-based iteration.
 *
 * Updater formulas and defaults (state arrays per parameter in brackets):
 *   SGD        w -= lr*g                                             [0]
 *   NESTEROVS  v' = mu*v - lr*g; w += -mu*v + (1+mu)*v'  (mu 0.9)    [1]
 *   ADAM       m,v moments; w -= lr*sqrt(1-b2^t)/(1-b1^t)*m/(sqrt(v)+eps)
 *              (b1 0.9, b2 0.999, eps 1e-8)                          [2]
 *   ADAMW      ADAM, plus w -= lr*weight_decay*w (decoupled, 0.01)   [2]
 *              applied to every array it steps: give arrays that should
 *              not decay (biases) an updater with weight_decay 0
 *   ADAMAX     u = max(b2*u, |g|); w -= lr/(1-b1^t)*m/(u+eps)       [2]
 *   NADAM      Nesterov-accelerated ADAM (Dozat 2016, as Keras and
 *              PyTorch): m,v as ADAM; w -= lr*(b1*m + (1-b1)*g)/(1-b1^t)
 *              / (sqrt(v/(1-b2^t))+eps)                              [2]
 *   AMSGRAD    ADAM with vhat = max(vhat, v) in the denominator      [3]
 *   ADAGRAD    h += g^2; w -= lr*g/(sqrt(h)+eps)   (eps 1e-6)        [1]
 *   ADADELTA   Zeiler 2012 (rho 0.95, eps 1e-6), step times lr (1.0) [2]
 *   RMSPROP    r = rho*r + (1-rho)*g^2; w -= lr*g/(sqrt(r)+eps)
 *              (rho 0.95, eps 1e-8)                                  [1]
 */
#ifndef DL4C_UPDATER_H
#define DL4C_UPDATER_H

#include <stdbool.h>
#include <stdint.h>

#include "dl4c/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dl4c_schedule_id {
    DL4C_SCHEDULE_NONE = 0,
    DL4C_SCHEDULE_STEP,        /* lr * gamma^floor(i/step) */
    DL4C_SCHEDULE_EXPONENTIAL, /* lr * gamma^i */
    DL4C_SCHEDULE_INVERSE,     /* lr / (1 + gamma*i)^power */
    DL4C_SCHEDULE_POLY,        /* lr * (1 - i/max_iter)^power */
    DL4C_SCHEDULE_SIGMOID,     /* lr / (1 + exp(-gamma*(i - step))) */
    DL4C_SCHEDULE_COSINE,      /* min + (lr-min)*(1+cos(pi*i/max_iter))/2 */
    DL4C_SCHEDULE_MAP,         /* value of the largest key <= i */
    DL4C_SCHEDULE_COUNT
} dl4c_schedule_id;

#define DL4C_SCHEDULE_MAP_MAX 32

typedef struct dl4c_schedule {
    dl4c_schedule_id id;
    bool per_epoch;   /* i counts epochs instead of iterations */
    double gamma;     /* STEP, EXPONENTIAL, INVERSE, SIGMOID */
    double power;     /* INVERSE, POLY */
    double step;      /* STEP, SIGMOID */
    double max_iter;  /* POLY, COSINE */
    double min_value; /* COSINE */
    int64_t warmup;   /* linear warm-up lr*(i+1)/warmup over this many
                         iterations (epochs when per_epoch), then the
                         schedule with i counted from the warm-up's end */
    int map_count;
    int64_t map_at[DL4C_SCHEDULE_MAP_MAX]; /* ascending */
    double map_value[DL4C_SCHEDULE_MAP_MAX];
} dl4c_schedule;

/* The learning rate at 0-based `iteration` / `epoch` for base rate `lr`.
 * POLY is 0 and COSINE min_value from max_iter on; MAP gives lr before its
 * first key. A STEP without step, or POLY / COSINE without max_iter, keeps
 * lr. NULL gives lr. */
DL4C_API double dl4c_schedule_value(const dl4c_schedule *s, double lr,
                                    int64_t iteration, int64_t epoch);
/* "none", "step", "exponential", ... by name, ignoring case and
 * underscores; also DL4J's class names ("ExponentialSchedule") and Keras'
 * ("ExponentialDecay", "PolynomialDecay", "CosineDecay",
 * "PiecewiseConstantDecay": the id only, an importer converts Keras'
 * parameters). *out gets that id, zero parameters and power 1. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_schedule_parse(const char *name,
                                                        dl4c_schedule *out);
DL4C_API const char *dl4c_schedule_name(dl4c_schedule_id id);

typedef enum dl4c_updater_id {
    DL4C_UPDATER_SGD = 0,
    DL4C_UPDATER_NESTEROVS,
    DL4C_UPDATER_ADAM,
    DL4C_UPDATER_ADAMW,
    DL4C_UPDATER_ADAMAX,
    DL4C_UPDATER_NADAM,
    DL4C_UPDATER_AMSGRAD,
    DL4C_UPDATER_ADAGRAD,
    DL4C_UPDATER_ADADELTA,
    DL4C_UPDATER_RMSPROP,
    DL4C_UPDATER_COUNT
} dl4c_updater_id;

typedef struct dl4c_updater {
    dl4c_updater_id id;
    double learning_rate;
    double momentum;     /* NESTEROVS */
    double beta1, beta2; /* ADAM family */
    double epsilon;
    double rho;          /* ADADELTA, RMSPROP */
    double weight_decay; /* ADAMW (decoupled) */
    dl4c_schedule schedule;
} dl4c_updater;

DL4C_API dl4c_updater dl4c_updater_default(dl4c_updater_id id);
/* "sgd", "nesterovs" ("momentum"), "adam", "adamw", "adamax", "nadam",
 * "amsgrad", "adagrad", "adadelta", "rmsprop", ignoring case and
 * underscores, with DL4J's defaults: SGD lr 1e-3; NESTEROVS 0.1, mu 0.9;
 * ADAM family 1e-3; ADAGRAD 0.1; ADADELTA 1 (a multiplier); RMSPROP 0.1. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_updater_parse(const char *name,
                                                       dl4c_updater *out);
DL4C_API const char *dl4c_updater_name(dl4c_updater_id id);
/* Number of state arrays (each the size of the parameter) it keeps. */
DL4C_API int dl4c_updater_state_count(dl4c_updater_id id);

typedef struct dl4c_regularization {
    double l1;
    double l2;
    double weight_decay; /* w -= lr*weight_decay*w after the step */
} dl4c_regularization;

/* One full step for one parameter array: regularization, updater and
 * weight decay as listed above (clipping is done by the caller before).
 * `state` holds dl4c_updater_state_count(u->id) arrays of the param's size
 * back to back (may be NULL when that count is 0), zero at the start.
 * `lr` is the already-scheduled rate, `t` the 1-based iteration. `grad` is
 * not changed. reg may be NULL (none). Same size for all (DL4C_SHAPE
 * otherwise) and same dtype and backend (DL4C_INVALID_ARG otherwise);
 * DL4C_INVALID_ARG also for t < 1, a non-finite lr, a missing state, or
 * hyperparameters that would divide by zero (beta1, beta2, rho or momentum
 * outside [0, 1), epsilon <= 0 for an adaptive rule). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_updater_apply(
    const dl4c_updater *u, const dl4c_regularization *reg, double lr, int64_t t,
    dl4c_tensor *param, dl4c_tensor *grad, dl4c_tensor *state);

typedef enum dl4c_clip_id {
    DL4C_CLIP_NONE = 0,
    DL4C_CLIP_VALUE,      /* each element into [-t, t] */
    DL4C_CLIP_NORM_LAYER, /* scale a layer's gradient to L2 norm <= t */
    DL4C_CLIP_NORM_NET,   /* scale the whole gradient to L2 norm <= t */
    DL4C_CLIP_COUNT
} dl4c_clip_id;

typedef struct dl4c_clip {
    dl4c_clip_id id;
    double threshold;
} dl4c_clip;

/* "none", "value", "norm_layer", "norm_net", DL4J's
 * "ClipElementWiseAbsoluteValue" / "ClipL2PerLayer" and Keras' "clipvalue",
 * "clipnorm", "global_clipnorm", ignoring case and underscores. The
 * threshold defaults to 1 (DL4J's). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_clip_parse(const char *name,
                                                    dl4c_clip *out);
DL4C_API const char *dl4c_clip_name(dl4c_clip_id id);

#ifdef __cplusplus
}
#endif
#endif
