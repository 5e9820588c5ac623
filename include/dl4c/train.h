/* Training: the fit loop over an iterator, listeners (score, throughput,
 * progress bar, checkpoints), early stopping, and evaluating a net on an
 * iterator.
 *
 *   dl4c_listener ls[2];
 *   dl4c_listener_score(stderr, 100, &ls[0]);        // every 100 steps
 *   dl4c_listener_checkpoint("ckpt", 0, 1, 3, &ls[1]); // each epoch, keep 3
 *   dl4c_fit_options o = {.epochs = 15, .listeners = ls, .n_listeners = 2};
 *   if (dl4c_fit(net, train_it, &o, NULL) != DL4C_OK) ...
 *   dl4c_listener_free(&ls[0]);
 *   dl4c_listener_free(&ls[1]);
 *
 * `epochs` is the epoch count the net should reach: a net loaded from a
 * checkpoint after 4 of 15 epochs trains 11 more, continuing mid-epoch
 * when the checkpoint was taken mid-epoch, and ends with the same
 * parameters as an uninterrupted run.
 */
#ifndef DL4C_TRAIN_H
#define DL4C_TRAIN_H

#include <stdbool.h>
#include <stdio.h>

#include "dl4c/data.h"
#include "dl4c/eval.h"
#include "dl4c/net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What listeners see after each step / at each epoch boundary. */
typedef struct dl4c_fit_info {
    dl4c_net *net;
    dl4c_iterator *iterator;
    int64_t epoch;          /* epochs completed before the current one */
    int64_t target_epochs;  /* the fit's `epochs` */
    int64_t iteration;      /* net updates so far */
    int64_t examples_done;  /* examples seen in the current epoch */
    int64_t examples_total; /* examples per epoch, -1 when unknown */
    int64_t batch_size;     /* examples in the last batch */
    double score;           /* score of the last batch */
    double epoch_seconds;   /* since the current epoch started */
    double step_seconds;    /* duration of the last step */
    double wait_seconds;    /* part of it spent waiting for data */
} dl4c_fit_info;

/* Callbacks may be NULL. A callback returning a status other than DL4C_OK
 * aborts training with it; setting *stop ends training cleanly after the
 * current step (dl4c_fit then returns DL4C_OK with stopped set). */
typedef struct dl4c_listener {
    dl4c_status (*on_iteration)(void *ctx, const dl4c_fit_info *info,
                                bool *stop);
    dl4c_status (*on_epoch_start)(void *ctx, const dl4c_fit_info *info);
    dl4c_status (*on_epoch_end)(void *ctx, const dl4c_fit_info *info,
                                bool *stop);
    void (*destroy)(void *ctx);
    void *ctx;
} dl4c_listener;

/* Releases a built-in listener's state. */
DL4C_API void dl4c_listener_free(dl4c_listener *l);

/* "iteration 200 (epoch 1): score 0.08213" every `every` iterations. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_listener_score(FILE *out,
                                                        int64_t every,
                                                        dl4c_listener *l);
/* Examples/s, batches/s and time waiting for data, every `every`
 * iterations, plus a line per epoch. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_listener_performance(FILE *out,
                                                              int64_t every,
                                                              dl4c_listener *l);
/* "epoch 3/15: loss 0.0612, 1.28 s, 46857 examples/s" after every
 * `every` epochs (and the last), the loss being the mean batch score of
 * the epoch. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_listener_epochs(FILE *out,
                                                         int64_t every,
                                                         dl4c_listener *l);
/* A one-line progress bar with ETA redrawn in place (for terminals). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_listener_progress(FILE *out,
                                                           dl4c_listener *l);
/* Writes a checkpoint to `dir` every `every_iterations` iterations and/or
 * every `every_epochs` epochs (0 = never), keeping the newest `keep`
 * (0 = all). Files are "checkpoint-<iteration>.dl4c". */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_listener_checkpoint(const char *dir, int64_t every_iterations,
                         int64_t every_epochs, int keep, dl4c_listener *l);
/* The newest checkpoint in `dir` as a new string (dl4c_free), or NULL in
 * *path when there is none. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_checkpoint_latest(const char *dir,
                                                           char **path);

typedef struct dl4c_fit_options {
    int64_t epochs; /* epoch count to reach */
    const dl4c_listener *listeners;
    int n_listeners;
} dl4c_fit_options;

typedef struct dl4c_fit_result {
    bool stopped;       /* a listener ended training early */
    int64_t iterations; /* updates made by this call */
    double final_score; /* score of the last batch */
} dl4c_fit_result;

/* Trains until the net has completed opt->epochs epochs. Each epoch
 * resets the iterator (a new shuffle) unless it is mid-epoch, as after a
 * checkpoint load. `result` may be NULL. A NaN or infinite score stops
 * training with DL4C_STATE naming the iteration. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_fit(dl4c_net *net, dl4c_iterator *it,
                                             const dl4c_fit_options *opt,
                                             dl4c_fit_result *result);

/* Mean loss (the net's score without regularization) over every example
 * of the iterator, which is reset first, in inference mode. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_score_iterator(dl4c_net *net,
                                                            dl4c_iterator *it,
                                                            double *score);

/* Adds the net's predictions for every example of the iterator (reset
 * first) to a classification / regression evaluation. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_evaluate(dl4c_net *net,
                                                      dl4c_iterator *it,
                                                      dl4c_eval *e);
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_evaluate_regression(
    dl4c_net *net, dl4c_iterator *it, dl4c_regression_eval *e);

/* ---- early stopping ---------------------------------------------------- */

typedef enum dl4c_stop_reason {
    DL4C_STOP_MAX_EPOCHS = 0,
    DL4C_STOP_MAX_TIME,
    DL4C_STOP_NO_IMPROVEMENT,
    DL4C_STOP_LISTENER,
    DL4C_STOP_REASON_COUNT
} dl4c_stop_reason;

typedef struct dl4c_early_stopping {
    int64_t max_epochs;     /* required, > 0 */
    double max_seconds;     /* 0: no time limit */
    int64_t patience;       /* epochs without improvement before stopping
                               (0: never) */
    double min_improvement; /* smaller gains do not count as improvement */
    const char *best_path;  /* when set, the best model is saved there */
} dl4c_early_stopping;

typedef struct dl4c_early_stopping_result {
    dl4c_stop_reason reason;
    int64_t best_epoch; /* 1-based epoch of the best validation score */
    double best_score;  /* validation loss of that epoch */
    int64_t epochs;     /* epochs trained */
} dl4c_early_stopping_result;

DL4C_API const char *dl4c_stop_reason_name(dl4c_stop_reason r);

/* Trains epoch by epoch, scoring the validation iterator after each; the
 * net ends with the parameters of its best epoch. `opt` supplies listeners
 * (its epochs field is ignored) and may be NULL. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_fit_early_stopping(
    dl4c_net *net, dl4c_iterator *train, dl4c_iterator *validation,
    const dl4c_early_stopping *cfg, const dl4c_fit_options *opt,
    dl4c_early_stopping_result *result);

#ifdef __cplusplus
}
#endif
#endif
