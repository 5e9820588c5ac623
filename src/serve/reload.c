/* The reload thread: every poll it lists each model's versions (from the
 * store, a folder of numbered version folders, or one file), picks the
 * ones the version policy and labels want, loads and warms up the missing
 * ones beside those being served, then retires the unwanted ones. A
 * version is only retired once some wanted version is available, so a
 * bad new file never takes a model offline. Retired servables are freed
 * here once the last request using them has finished. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/alloc_internal.h"
#include "core/clock_internal.h"
#include "core/error_internal.h"
#include "dl4c/model_store.h"
#include "serve/serve_internal.h"

typedef struct candidate {
    int64_t version;
    char *path;
    int64_t stamp;
} candidate;

typedef struct candidates {
    candidate *c;
    int n, cap;
    dl4c_label *labels; /* from the store */
    int n_labels;
} candidates;

static void candidates_deinit(candidates *cs)
{
    for (int i = 0; i < cs->n; i++)
        dl4c_free(cs->c[i].path);
    dl4c_free(cs->c);
    for (int i = 0; i < cs->n_labels; i++)
        dl4c_free(cs->labels[i].name);
    dl4c_free(cs->labels);
    memset(cs, 0, sizeof *cs);
}

static dl4c_status add_candidate(candidates *cs, int64_t version,
                                 const char *path, int64_t stamp)
{
    if (cs->n == cs->cap) {
        int cap = cs->cap ? 2 * cs->cap : 8;
        candidate *more = dl4c_realloc(cs->c, sizeof *more * (size_t)cap);
        if (!more)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
        cs->c = more;
        cs->cap = cap;
    }
    char *p = dl4c_strdup(path);
    if (!p)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    cs->c[cs->n++] = (candidate){version, p, stamp};
    return DL4C_OK;
}

static int64_t file_stamp(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    return (int64_t)st.st_mtim.tv_sec * 1000000007LL ^
           (int64_t)st.st_mtim.tv_nsec ^ (int64_t)st.st_size << 20;
}

static dl4c_status list_store(dl4c_server *s, dl4c_served_model *m,
                              candidates *cs)
{
    dl4c_model_entry *e = NULL;
    int n = 0;
    DL4C_RETURN_IF(dl4c_model_store_list(s->poll_store, m->source, &e, &n));
    dl4c_status st = DL4C_OK;
    int n_labels = 0;
    for (int i = 0; i < n; i++)
        n_labels += e[i].n_labels;
    if (n_labels &&
        !(cs->labels = dl4c_calloc((size_t)n_labels, sizeof *cs->labels)))
        st = dl4c_error_set(DL4C_NOMEM, "out of memory");
    for (int i = 0; st == DL4C_OK && i < n; i++) {
        st = add_candidate(cs, e[i].version, e[i].path, 0);
        for (int k = 0; st == DL4C_OK && k < e[i].n_labels; k++) {
            dl4c_label *l = &cs->labels[cs->n_labels];
            if (!(l->name = dl4c_strdup(e[i].labels[k])))
                st = dl4c_error_set(DL4C_NOMEM, "out of memory");
            l->version = e[i].version;
            cs->n_labels++;
        }
    }
    dl4c_model_entries_free(e, n);
    return st;
}

/* The model file of a version folder: model.dl4c when present, else the
 * first regular file by name that is not hidden (temporary files of
 * atomic writes start with '.'). */
static char *version_file(const char *dir)
{
    char *best = NULL;
    bool best_is_model = false;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = dl4c_asprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (!p || stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
            dl4c_free(p);
            continue;
        }
        bool is_model = !strcmp(e->d_name, "model.dl4c");
        const char *best_name = best ? strrchr(best, '/') + 1 : NULL;
        if (!best || (is_model && !best_is_model) ||
            (!best_is_model && strcmp(e->d_name, best_name) < 0)) {
            dl4c_free(best);
            best = p;
            best_is_model = is_model;
        } else {
            dl4c_free(p);
        }
    }
    closedir(d);
    return best;
}

static dl4c_status list_dir(dl4c_served_model *m, candidates *cs)
{
    DIR *d = opendir(m->source);
    if (!d)
        return dl4c_error_set(DL4C_IO, "%s: cannot list: %s", m->source,
                              strerror(errno));
    dl4c_status st = DL4C_OK;
    struct dirent *e;
    while (st == DL4C_OK && (e = readdir(d))) {
        const char *name = e->d_name;
        if (!name[0] || strspn(name, "0123456789") != strlen(name) ||
            strlen(name) > 18)
            continue;
        int64_t v = strtoll(name, NULL, 10);
        char *dir = dl4c_asprintf("%s/%s", m->source, name);
        char *file = dir ? version_file(dir) : NULL;
        if (v > 0 && file)
            st = add_candidate(cs, v, file, file_stamp(file));
        dl4c_free(dir);
        dl4c_free(file);
    }
    closedir(d);
    return st;
}

static int by_version_desc(const void *a, const void *b)
{
    int64_t x = ((const candidate *)a)->version;
    int64_t y = ((const candidate *)b)->version;
    return (x < y) - (x > y);
}

/* Marks each candidate the version policy or a label wants. */
static void choose(const dl4c_served_model *m, const candidates *cs, bool *want)
{
    for (int i = 0; i < cs->n; i++) {
        int64_t v = cs->c[i].version;
        switch (m->policy) {
        case DL4C_POLICY_LATEST:
            want[i] = i < (m->latest > 0 ? m->latest : 1);
            break;
        case DL4C_POLICY_LABELS:
            want[i] = false; /* the labels below pick them */
            break;
        case DL4C_POLICY_SPECIFIC:
            want[i] = false;
            for (int k = 0; k < m->n_versions; k++)
                want[i] |= m->versions[k] == v;
            break;
        default:
            want[i] = true;
        }
        if (m->ignore_labels)
            continue;
        for (int k = 0; k < m->n_config_labels; k++)
            want[i] |= m->config_labels[k].version == v;
        for (int k = 0; k < cs->n_labels; k++)
            want[i] |= cs->labels[k].version == v;
    }
}

static dl4c_version_slot *find_slot(dl4c_served_model *m, int64_t version)
{
    for (int i = 0; i < m->n_slots; i++)
        if (m->slots[i].version == version)
            return &m->slots[i];
    return NULL;
}

/* Under the lock: a new slot, kept newest first. */
static dl4c_version_slot *add_slot(dl4c_served_model *m, int64_t version)
{
    dl4c_version_slot *more =
        dl4c_realloc(m->slots, sizeof *more * (size_t)(m->n_slots + 1));
    if (!more)
        return NULL;
    m->slots = more;
    int at = 0;
    while (at < m->n_slots && m->slots[at].version > version)
        at++;
    memmove(&m->slots[at + 1], &m->slots[at],
            sizeof *more * (size_t)(m->n_slots - at));
    m->n_slots++;
    memset(&m->slots[at], 0, sizeof m->slots[at]);
    m->slots[at].version = version;
    return &m->slots[at];
}

/* Under the lock: removes a slot (its servable, if any, was retired). */
static void remove_slot(dl4c_served_model *m, dl4c_version_slot *slot)
{
    int at = (int)(slot - m->slots);
    dl4c_free(slot->error);
    dl4c_free(slot->path);
    memmove(&m->slots[at], &m->slots[at + 1],
            sizeof *slot * (size_t)(m->n_slots - at - 1));
    m->n_slots--;
}

static void load_version(dl4c_server *s, dl4c_served_model *m,
                         const candidate *c)
{
    pthread_mutex_lock(&s->lock);
    dl4c_version_slot *slot = find_slot(m, c->version);
    if (slot && (slot->state != DL4C_VS_FAILED || slot->stamp == c->stamp)) {
        pthread_mutex_unlock(&s->lock);
        return; /* available, or failed on this very file */
    }
    if (!slot)
        slot = add_slot(m, c->version);
    if (!slot) {
        pthread_mutex_unlock(&s->lock);
        return;
    }
    dl4c_free(slot->error);
    slot->error = NULL;
    slot->state = DL4C_VS_LOADING;
    pthread_mutex_unlock(&s->lock);

    double t0 = dl4c_now();
    dl4c_servable *sv = NULL;
    dl4c_status st = dl4c_servable_create(s, m, c->version, c->path, &sv);
    double secs = dl4c_now() - t0;
    char *error = st != DL4C_OK ? dl4c_strdup(dl4c_last_error()) : NULL;
    char *path = dl4c_strdup(c->path);

    pthread_mutex_lock(&s->lock);
    slot = find_slot(m, c->version);
    slot->servable = sv;
    slot->state = sv ? DL4C_VS_AVAILABLE : DL4C_VS_FAILED;
    slot->error = error;
    slot->stamp = c->stamp;
    dl4c_free(slot->path);
    slot->path = path;
    pthread_mutex_unlock(&s->lock);
    if (sv) {
        dl4c_metrics_load(s->metrics, m->name, c->version, secs);
        dl4c_server_log(s,
                        "model %s: version %lld available (%s, loaded "
                        "and warmed up in %.3f s)",
                        m->name, (long long)c->version, c->path, secs);
    } else {
        dl4c_server_log(s, "model %s: version %lld failed to load: %s", m->name,
                        (long long)c->version, error ? error : "out of memory");
    }
}

static void poll_model(dl4c_server *s, dl4c_served_model *m)
{
    candidates cs = {0};
    bool *want = NULL;
    dl4c_status st = DL4C_OK;
    if (m->kind == DL4C_SOURCE_STORE)
        st = list_store(s, m, &cs);
    else if (m->kind == DL4C_SOURCE_DIR)
        st = list_dir(m, &cs);
    else
        st = add_candidate(&cs, m->file_version, m->source,
                           file_stamp(m->source));
    if (st != DL4C_OK) {
        if (!m->list_error || strcmp(m->list_error, dl4c_last_error())) {
            dl4c_server_log(s, "model %s: cannot list versions: %s", m->name,
                            dl4c_last_error());
            dl4c_free(m->list_error);
            m->list_error = dl4c_strdup(dl4c_last_error());
        }
        candidates_deinit(&cs);
        return; /* keep serving what is loaded */
    }
    dl4c_free(m->list_error);
    m->list_error = NULL;
    qsort(cs.c, (size_t)cs.n, sizeof *cs.c, by_version_desc);
    want = dl4c_calloc((size_t)cs.n + 1, sizeof *want);
    if (!want) {
        candidates_deinit(&cs);
        return;
    }
    choose(m, &cs, want);

    /* store labels are swapped in whole */
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < m->n_store_labels; i++)
        dl4c_free(m->store_labels[i].name);
    dl4c_free(m->store_labels);
    m->store_labels = cs.labels;
    m->n_store_labels = cs.n_labels;
    cs.labels = NULL;
    cs.n_labels = 0;
    pthread_mutex_unlock(&s->lock);

    for (int i = 0; i < cs.n; i++)
        if (want[i])
            load_version(s, m, &cs.c[i]);

    pthread_mutex_lock(&s->lock);
    bool wanted_available = false;
    for (int i = 0; i < cs.n; i++) {
        dl4c_version_slot *slot = find_slot(m, cs.c[i].version);
        wanted_available |= want[i] && slot && slot->state == DL4C_VS_AVAILABLE;
    }
    for (int k = m->n_slots - 1; k >= 0; k--) {
        dl4c_version_slot *slot = &m->slots[k];
        bool wanted = false;
        for (int i = 0; i < cs.n; i++)
            wanted |= want[i] && cs.c[i].version == slot->version;
        if (wanted || slot->state == DL4C_VS_LOADING)
            continue;
        if (slot->state == DL4C_VS_AVAILABLE) {
            if (!wanted_available)
                continue;
            dl4c_servable **more = dl4c_realloc(
                s->retired, sizeof *more * (size_t)(s->n_retired + 1));
            if (!more)
                continue;
            s->retired = more;
            slot->servable->retired = true;
            s->retired[s->n_retired++] = slot->servable;
            dl4c_server_log(s, "model %s: version %lld unloading", m->name,
                            (long long)slot->version);
        }
        remove_slot(m, slot);
    }
    pthread_mutex_unlock(&s->lock);
    dl4c_free(want);
    candidates_deinit(&cs);
}

/* Frees retired servables nobody uses any more. */
static void free_retired(dl4c_server *s)
{
    for (;;) {
        dl4c_servable *done = NULL;
        pthread_mutex_lock(&s->lock);
        for (int i = 0; i < s->n_retired && !done; i++) {
            if (s->retired[i]->refs > 0)
                continue;
            done = s->retired[i];
            s->retired[i] = s->retired[--s->n_retired];
        }
        pthread_mutex_unlock(&s->lock);
        if (!done)
            return;
        dl4c_server_log(s, "model %s: version %lld unloaded", done->model_name,
                        (long long)done->version);
        dl4c_servable_free(done);
    }
}

static void *poll_main(void *arg)
{
    dl4c_server *s = arg;
    bool once = s->o.poll_seconds <= 0;
    for (;;) {
        for (int i = 0; i < s->n_models; i++) {
            pthread_mutex_lock(&s->poll_lock);
            bool stop = s->stopping;
            pthread_mutex_unlock(&s->poll_lock);
            if (stop)
                return NULL;
            poll_model(s, &s->models[i]);
        }
        free_retired(s);
        pthread_mutex_lock(&s->poll_lock);
        if (once) {
            while (!s->stopping)
                pthread_cond_wait(&s->poll_wake, &s->poll_lock);
        } else if (!s->stopping) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            double secs = s->o.poll_seconds;
            until.tv_sec += (time_t)secs;
            until.tv_nsec += (long)((secs - (double)(time_t)secs) * 1e9);
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&s->poll_wake, &s->poll_lock, &until);
        }
        bool stop = s->stopping;
        pthread_mutex_unlock(&s->poll_lock);
        if (stop)
            return NULL;
    }
}

dl4c_status dl4c_reload_start(dl4c_server *s)
{
    for (int i = 0; i < s->n_models && !s->poll_store; i++)
        if (s->models[i].kind == DL4C_SOURCE_STORE)
            DL4C_RETURN_IF(dl4c_store_open(s->store_home, &s->poll_store));
    if (pthread_create(&s->poller, NULL, poll_main, s) != 0)
        return dl4c_error_set(DL4C_INTERNAL, "cannot start the reload thread");
    s->poller_started = true;
    return DL4C_OK;
}

void dl4c_reload_stop(dl4c_server *s)
{
    if (!s->poller_started)
        return;
    pthread_mutex_lock(&s->poll_lock);
    s->stopping = true;
    pthread_cond_broadcast(&s->poll_wake);
    pthread_mutex_unlock(&s->poll_lock);
    pthread_join(s->poller, NULL);
    s->poller_started = false;
    free_retired(s);
}
