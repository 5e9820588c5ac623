/* The built-in training listeners: score log, throughput, a terminal
 * progress bar with ETA, and periodic checkpoints that keep the newest N. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc_internal.h"
#include "core/clock_internal.h"
#include "core/error_internal.h"
#include "dl4c/model.h"
#include "dl4c/train.h"

void dl4c_listener_free(dl4c_listener *l)
{
    if (l && l->destroy)
        l->destroy(l->ctx);
    if (l)
        l->ctx = NULL;
}

/* ---- score ---- */

typedef struct every_ctx {
    FILE *out;
    int64_t every;
    double window_start;
    int64_t window_examples, window_batches;
    double window_wait;
} every_ctx;

static dl4c_status make_every(FILE *out, int64_t every, dl4c_listener *l)
{
    every_ctx *c = dl4c_calloc(1, sizeof *c);
    if (!c)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    c->out = out;
    c->every = every > 0 ? every : 1;
    c->window_start = dl4c_now();
    l->ctx = c;
    l->destroy = dl4c_free;
    return DL4C_OK;
}

static dl4c_status score_iteration(void *ctx, const dl4c_fit_info *info,
                                   bool *stop)
{
    every_ctx *c = ctx;
    (void)stop;
    if (info->iteration % c->every == 0)
        fprintf(c->out, "iteration %lld (epoch %lld): score %.6g\n",
                (long long)info->iteration, (long long)info->epoch + 1,
                info->score);
    return DL4C_OK;
}

dl4c_status dl4c_listener_score(FILE *out, int64_t every, dl4c_listener *l)
{
    *l = (dl4c_listener){.on_iteration = score_iteration};
    return make_every(out, every, l);
}

/* ---- performance ---- */

static dl4c_status perf_iteration(void *ctx, const dl4c_fit_info *info,
                                  bool *stop)
{
    every_ctx *c = ctx;
    (void)stop;
    c->window_examples += info->batch_size;
    c->window_batches++;
    c->window_wait += info->wait_seconds;
    if (info->iteration % c->every == 0) {
        double now = dl4c_now(), dt = now - c->window_start;
        if (dt > 0)
            fprintf(c->out,
                    "iteration %lld: %.0f examples/s, %.1f batches/s, "
                    "waiting for data %.1f%%\n",
                    (long long)info->iteration, (double)c->window_examples / dt,
                    (double)c->window_batches / dt,
                    100.0 * c->window_wait / dt);
        c->window_start = now;
        c->window_examples = c->window_batches = 0;
        c->window_wait = 0;
    }
    return DL4C_OK;
}

static dl4c_status perf_epoch_end(void *ctx, const dl4c_fit_info *info,
                                  bool *stop)
{
    every_ctx *c = ctx;
    (void)stop;
    fprintf(c->out, "epoch %lld done in %.2f s (%.0f examples/s)\n",
            (long long)info->epoch, info->epoch_seconds,
            info->epoch_seconds > 0
                ? (double)info->examples_done / info->epoch_seconds
                : 0.0);
    return DL4C_OK;
}

dl4c_status dl4c_listener_performance(FILE *out, int64_t every,
                                      dl4c_listener *l)
{
    *l = (dl4c_listener){.on_iteration = perf_iteration,
                         .on_epoch_end = perf_epoch_end};
    return make_every(out, every, l);
}

/* ---- epoch summary ---- */

typedef struct epoch_ctx {
    FILE *out;
    int64_t every;
    double score_sum;
    int64_t batches;
} epoch_ctx;

static dl4c_status epoch_iteration(void *ctx, const dl4c_fit_info *info,
                                   bool *stop)
{
    epoch_ctx *c = ctx;
    (void)stop;
    c->score_sum += info->score;
    c->batches++;
    return DL4C_OK;
}

static dl4c_status epoch_end(void *ctx, const dl4c_fit_info *info, bool *stop)
{
    epoch_ctx *c = ctx;
    (void)stop;
    if (info->epoch % c->every == 0 || info->epoch == info->target_epochs) {
        fprintf(c->out, "epoch %lld/%lld: loss %.6g, %.2f s",
                (long long)info->epoch, (long long)info->target_epochs,
                c->batches ? c->score_sum / (double)c->batches : 0.0,
                info->epoch_seconds);
        /* a rate over a few milliseconds says nothing */
        if (info->epoch_seconds >= 0.05)
            fprintf(c->out, ", %.0f examples/s",
                    (double)info->examples_done / info->epoch_seconds);
        fputc('\n', c->out);
    }
    c->score_sum = 0;
    c->batches = 0;
    return DL4C_OK;
}

dl4c_status dl4c_listener_epochs(FILE *out, int64_t every, dl4c_listener *l)
{
    epoch_ctx *c = dl4c_calloc(1, sizeof *c);
    *l = (dl4c_listener){0};
    if (!c)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    c->out = out;
    c->every = every > 0 ? every : 1;
    *l = (dl4c_listener){.on_iteration = epoch_iteration,
                         .on_epoch_end = epoch_end,
                         .destroy = dl4c_free,
                         .ctx = c};
    return DL4C_OK;
}

/* ---- progress bar ---- */

#define BAR 30

static void format_seconds(double s, char *buf, size_t cap)
{
    if (s < 0 || s > 1e7)
        snprintf(buf, cap, "?");
    else if (s < 60)
        snprintf(buf, cap, "%.1fs", s);
    else if (s < 3600)
        snprintf(buf, cap, "%dm%02ds", (int)s / 60, (int)s % 60);
    else
        snprintf(buf, cap, "%dh%02dm", (int)s / 3600, ((int)s % 3600) / 60);
}

static dl4c_status progress_draw(every_ctx *c, const dl4c_fit_info *info,
                                 bool done)
{
    double frac = info->examples_total > 0 ? (double)info->examples_done /
                                                 (double)info->examples_total
                                           : 0.0;
    if (frac > 1)
        frac = 1;
    int fill = (int)(frac * BAR);
    char bar[BAR + 1], el[32], eta[32];
    for (int i = 0; i < BAR; i++)
        bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
    bar[BAR] = '\0';
    format_seconds(info->epoch_seconds, el, sizeof el);
    format_seconds(frac > 0 ? info->epoch_seconds * (1 - frac) / frac : -1, eta,
                   sizeof eta);
    fprintf(c->out,
            "\repoch %lld/%lld [%s] %3.0f%% %lld/%lld  %s  ETA %s  "
            "score %.4g   ",
            (long long)info->epoch + (done ? 0 : 1),
            (long long)info->target_epochs, bar, 100 * frac,
            (long long)info->examples_done, (long long)info->examples_total, el,
            done ? "0.0s" : eta, info->score);
    if (done)
        fputc('\n', c->out);
    fflush(c->out);
    return DL4C_OK;
}

static dl4c_status progress_iteration(void *ctx, const dl4c_fit_info *info,
                                      bool *stop)
{
    every_ctx *c = ctx;
    (void)stop;
    double now = dl4c_now();
    /* redraw at most ten times a second */
    if (now - c->window_start < 0.1)
        return DL4C_OK;
    c->window_start = now;
    return progress_draw(c, info, false);
}

static dl4c_status progress_epoch_end(void *ctx, const dl4c_fit_info *info,
                                      bool *stop)
{
    (void)stop;
    return progress_draw(ctx, info, true);
}

dl4c_status dl4c_listener_progress(FILE *out, dl4c_listener *l)
{
    *l = (dl4c_listener){.on_iteration = progress_iteration,
                         .on_epoch_end = progress_epoch_end};
    return make_every(out, 1, l);
}

/* ---- checkpoints ---- */

typedef struct ckpt_ctx {
    char *dir;
    int64_t every_iterations, every_epochs;
    int keep;
} ckpt_ctx;

static void ckpt_destroy(void *ctx)
{
    ckpt_ctx *c = ctx;
    if (c)
        dl4c_free(c->dir);
    dl4c_free(c);
}

/* iteration number of a "checkpoint-<n>.dl4c" name, or -1 */
static long long checkpoint_number(const char *name)
{
    long long n = -1;
    char tail[8] = "";
    if (sscanf(name, "checkpoint-%lld%7s", &n, tail) == 2 &&
        strcmp(tail, ".dl4c") == 0 && n >= 0)
        return n;
    return -1;
}

/* Numbers of the checkpoints in dir, ascending (caller frees). */
static dl4c_status list_checkpoints(const char *dir, long long **nums,
                                    int *count)
{
    DIR *d = opendir(dir);
    *nums = NULL;
    *count = 0;
    if (!d)
        return dl4c_error_set(DL4C_IO, "%s: %s", dir, strerror(errno));
    struct dirent *e;
    int cap = 0;
    while ((e = readdir(d))) {
        long long n = checkpoint_number(e->d_name);
        if (n < 0)
            continue;
        if (*count == cap) {
            cap = cap ? cap * 2 : 16;
            long long *g = dl4c_realloc(*nums, sizeof **nums * (size_t)cap);
            if (!g) {
                closedir(d);
                dl4c_free(*nums);
                *nums = NULL;
                return dl4c_error_set(DL4C_NOMEM, "out of memory");
            }
            *nums = g;
        }
        int i = (*count)++;
        while (i > 0 && (*nums)[i - 1] > n) {
            (*nums)[i] = (*nums)[i - 1];
            i--;
        }
        (*nums)[i] = n;
    }
    closedir(d);
    return DL4C_OK;
}

static dl4c_status ckpt_write(ckpt_ctx *c, const dl4c_fit_info *info)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/checkpoint-%lld.dl4c", c->dir,
             (long long)info->iteration);
    DL4C_RETURN_IF(dl4c_checkpoint_save(info->net, info->iterator, path));
    if (c->keep <= 0)
        return DL4C_OK;
    long long *nums = NULL;
    int count = 0;
    DL4C_RETURN_IF(list_checkpoints(c->dir, &nums, &count));
    for (int i = 0; i + c->keep < count; i++) {
        snprintf(path, sizeof path, "%s/checkpoint-%lld.dl4c", c->dir, nums[i]);
        unlink(path);
    }
    dl4c_free(nums);
    return DL4C_OK;
}

static dl4c_status ckpt_iteration(void *ctx, const dl4c_fit_info *info,
                                  bool *stop)
{
    ckpt_ctx *c = ctx;
    (void)stop;
    if (c->every_iterations > 0 && info->iteration % c->every_iterations == 0)
        return ckpt_write(c, info);
    return DL4C_OK;
}

static dl4c_status ckpt_epoch_end(void *ctx, const dl4c_fit_info *info,
                                  bool *stop)
{
    ckpt_ctx *c = ctx;
    (void)stop;
    if (c->every_epochs > 0 && info->epoch % c->every_epochs == 0 &&
        !(c->every_iterations > 0 &&
          info->iteration % c->every_iterations == 0))
        return ckpt_write(c, info);
    return DL4C_OK;
}

dl4c_status dl4c_listener_checkpoint(const char *dir, int64_t every_iterations,
                                     int64_t every_epochs, int keep,
                                     dl4c_listener *l)
{
    struct stat st;
    *l = (dl4c_listener){0};
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return dl4c_error_set(DL4C_IO, "%s: cannot create: %s", dir,
                              strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return dl4c_error_set(DL4C_IO, "%s: not a directory", dir);
    ckpt_ctx *c = dl4c_calloc(1, sizeof *c);
    if (!c || !(c->dir = dl4c_strdup(dir))) {
        dl4c_free(c);
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    c->every_iterations = every_iterations;
    c->every_epochs = every_epochs;
    c->keep = keep;
    *l = (dl4c_listener){.on_iteration = ckpt_iteration,
                         .on_epoch_end = ckpt_epoch_end,
                         .destroy = ckpt_destroy,
                         .ctx = c};
    return DL4C_OK;
}

dl4c_status dl4c_checkpoint_latest(const char *dir, char **path)
{
    long long *nums = NULL;
    int count = 0;
    *path = NULL;
    DL4C_RETURN_IF(list_checkpoints(dir, &nums, &count));
    if (count > 0) {
        *path = dl4c_asprintf("%s/checkpoint-%lld.dl4c", dir, nums[count - 1]);
        if (!*path) {
            dl4c_free(nums);
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        }
    }
    dl4c_free(nums);
    return DL4C_OK;
}
