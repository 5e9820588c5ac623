/* The fit loop: epochs of minibatch updates with listeners. An iterator
 * that is mid-epoch (restored from a checkpoint) continues where it was;
 * otherwise each epoch after the first resets it for a new order. */
#include <math.h>

#include "core/clock_internal.h"
#include "core/error_internal.h"
#include "dl4c/train.h"

static dl4c_status notify_iteration(const dl4c_fit_options *opt,
                                    const dl4c_fit_info *info, bool *stop)
{
    for (int i = 0; i < opt->n_listeners; i++)
        if (opt->listeners[i].on_iteration)
            DL4C_RETURN_IF(opt->listeners[i].on_iteration(opt->listeners[i].ctx,
                                                          info, stop));
    return DL4C_OK;
}

static dl4c_status notify_epoch(const dl4c_fit_options *opt,
                                const dl4c_fit_info *info, bool end, bool *stop)
{
    for (int i = 0; i < opt->n_listeners; i++) {
        const dl4c_listener *l = &opt->listeners[i];
        if (end && l->on_epoch_end)
            DL4C_RETURN_IF(l->on_epoch_end(l->ctx, info, stop));
        if (!end && l->on_epoch_start)
            DL4C_RETURN_IF(l->on_epoch_start(l->ctx, info));
    }
    return DL4C_OK;
}

dl4c_status dl4c_fit(dl4c_net *net, dl4c_iterator *it,
                     const dl4c_fit_options *opt, dl4c_fit_result *result)
{
    dl4c_fit_result res = {0};
    bool stop = false;
    if (!opt || opt->epochs < 0 || (opt->n_listeners && !opt->listeners))
        return dl4c_error_set(DL4C_INVALID_ARG, "bad fit options");
    dl4c_fit_info info = {.net = net,
                          .iterator = it,
                          .target_epochs = opt->epochs,
                          .examples_total = dl4c_iterator_count(it)};
    while (!stop && dl4c_net_epoch(net) < opt->epochs) {
        if (!dl4c_iterator_has_next(it))
            DL4C_RETURN_IF(dl4c_iterator_reset(it));
        double epoch_start = dl4c_now();
        info.epoch = dl4c_net_epoch(net);
        info.examples_done = dl4c_iterator_position(it);
        info.epoch_seconds = 0;
        DL4C_RETURN_IF(notify_epoch(opt, &info, false, &stop));
        while (!stop && dl4c_iterator_has_next(it)) {
            dl4c_batch batch;
            double t0 = dl4c_now();
            DL4C_RETURN_IF(dl4c_iterator_next(it, &batch));
            double t1 = dl4c_now();
            double score = 0;
            DL4C_RETURN_IF(dl4c_net_fit_batch(net, &batch, &score));
            if (!isfinite(score))
                return dl4c_error_set(DL4C_STATE,
                                      "score is %g at iteration %lld: "
                                      "training diverged (lower the learning "
                                      "rate or check the data)",
                                      score,
                                      (long long)dl4c_net_iteration(net));
            double t2 = dl4c_now();
            res.iterations++;
            res.final_score = score;
            info.iteration = dl4c_net_iteration(net);
            info.examples_done = dl4c_iterator_position(it);
            info.batch_size = batch.size;
            info.score = score;
            info.step_seconds = t2 - t0;
            info.wait_seconds = t1 - t0;
            info.epoch_seconds = t2 - epoch_start;
            DL4C_RETURN_IF(notify_iteration(opt, &info, &stop));
        }
        if (stop && dl4c_iterator_has_next(it))
            break; /* stopped mid-epoch: the epoch is not complete */
        dl4c_net_set_epoch(net, dl4c_net_epoch(net) + 1);
        info.epoch = dl4c_net_epoch(net);
        info.epoch_seconds = dl4c_now() - epoch_start;
        DL4C_RETURN_IF(notify_epoch(opt, &info, true, &stop));
    }
    res.stopped = stop;
    if (result)
        *result = res;
    return DL4C_OK;
}
