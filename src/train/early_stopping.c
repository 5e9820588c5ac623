/* Early stopping, as DL4J's EarlyStoppingTrainer: train an epoch, score
 * the validation set, keep the best parameters, stop on the epoch limit,
 * the time limit (checked after every step) or when the score has not
 * improved for `patience` epochs. The net ends with its best parameters. */
#include <math.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/clock_internal.h"
#include "core/error_internal.h"
#include "dl4c/model.h"
#include "dl4c/train.h"

const char *dl4c_stop_reason_name(dl4c_stop_reason r)
{
    static const char *const names[] = {"max epochs", "max time",
                                        "no improvement", "listener"};
    _Static_assert(sizeof names / sizeof names[0] == DL4C_STOP_REASON_COUNT,
                   "stop reason names");
    return (unsigned)r < DL4C_STOP_REASON_COUNT ? names[r] : "unknown";
}

typedef struct time_limit {
    double deadline;
    bool hit;
} time_limit;

static dl4c_status time_check(void *ctx, const dl4c_fit_info *info, bool *stop)
{
    time_limit *t = ctx;
    (void)info;
    if (dl4c_now() >= t->deadline) {
        t->hit = true;
        *stop = true;
    }
    return DL4C_OK;
}

dl4c_status dl4c_fit_early_stopping(dl4c_net *net, dl4c_iterator *train,
                                    dl4c_iterator *validation,
                                    const dl4c_early_stopping *cfg,
                                    const dl4c_fit_options *opt,
                                    dl4c_early_stopping_result *result)
{
    dl4c_status status = DL4C_OK;
    dl4c_tensor *best = NULL;
    dl4c_listener *ls = NULL;
    dl4c_early_stopping_result res = {.best_score = INFINITY};
    time_limit limit = {0};
    int n = opt ? opt->n_listeners : 0;
    int64_t since_best = 0;
    DL4C_CHECK(cfg && cfg->max_epochs > 0, DL4C_INVALID_ARG,
               "early stopping needs max_epochs > 0");
    DL4C_CHECK(cfg->max_seconds >= 0 && cfg->patience >= 0, DL4C_INVALID_ARG,
               "early stopping limits must not be negative");
    ls = dl4c_calloc((size_t)n + 1, sizeof *ls);
    if (!ls)
        DL4C_NOMEM_FAIL();
    if (n)
        memcpy(ls, opt->listeners, sizeof *ls * (size_t)n);
    if (cfg->max_seconds > 0) {
        limit.deadline = dl4c_now() + cfg->max_seconds;
        ls[n++] = (dl4c_listener){.on_iteration = time_check, .ctx = &limit};
    }
    DL4C_TRY(dl4c_tensor_copy(dl4c_net_params(net), &best));
    res.reason = DL4C_STOP_MAX_EPOCHS;
    for (int64_t e = 0; e < cfg->max_epochs; e++) {
        dl4c_fit_options o = {.epochs = dl4c_net_epoch(net) + 1,
                              .listeners = ls,
                              .n_listeners = n};
        dl4c_fit_result fr;
        DL4C_TRY(dl4c_fit(net, train, &o, &fr));
        res.epochs++;
        if (fr.stopped && !limit.hit) {
            res.reason = DL4C_STOP_LISTENER;
            break;
        }
        double score = 0;
        DL4C_TRY(dl4c_net_score_iterator(net, validation, &score));
        if (score < res.best_score - cfg->min_improvement) {
            res.best_score = score;
            res.best_epoch = res.epochs;
            since_best = 0;
            DL4C_TRY(dl4c_tensor_copy_into(dl4c_net_params(net), best));
            if (cfg->best_path)
                DL4C_TRY(dl4c_model_save(net, cfg->best_path, 0));
        } else {
            since_best++;
        }
        if (limit.hit) {
            res.reason = DL4C_STOP_MAX_TIME;
            break;
        }
        if (cfg->patience > 0 && since_best >= cfg->patience) {
            res.reason = DL4C_STOP_NO_IMPROVEMENT;
            break;
        }
    }
    if (res.best_epoch > 0)
        DL4C_TRY(dl4c_tensor_copy_into(best, dl4c_net_params(net)));
    if (result)
        *result = res;
fail:
    dl4c_tensor_free(best);
    dl4c_free(ls);
    return status;
}
