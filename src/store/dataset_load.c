/* Training sets from the dataset store: the items a condition selects
 * become an in-memory dataset (stored images decoded on all threads, or
 * the numeric columns of CSV rows), labelled from the label column; and
 * stratified train/validation/test splits written back to the items. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "data/dataset_internal.h"
#include "data/file_walk_internal.h"
#include "data/image_internal.h"
#include "data/json_util_internal.h"
#include "dl4c/rng.h"
#include "store/dataset_store_internal.h"

dl4c_store_load_options dl4c_store_load_options_default(void)
{
    dl4c_store_load_options o;
    memset(&o, 0, sizeof o);
    o.resize = DL4C_RESIZE_AREA;
    return o;
}

/* True when `col` names a built-in column or a recorded attribute. */
static bool known_column(const dl4c_ds_info *info, const char *col)
{
    for (int i = 0; dl4c_ds_builtin_columns[i]; i++)
        if (!strcmp(col, dl4c_ds_builtin_columns[i]))
            return strcmp(col, "dataset_id") != 0;
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(info->options, "attributes"), i,
                       k) if (json_is_string(k) &&
                              !strcmp(json_string_value(k), col)) return true;
    return false;
}

typedef struct selected {
    int64_t n, cap;
    char **path, **file, **label, **attrs;
    int64_t *width, *height, *channels;
} selected;

static void selected_free(selected *s)
{
    for (int64_t i = 0; i < s->n; i++) {
        dl4c_free(s->path[i]);
        dl4c_free(s->file[i]);
        dl4c_free(s->label[i]);
        dl4c_free(s->attrs[i]);
    }
    dl4c_free(s->path);
    dl4c_free(s->file);
    dl4c_free(s->label);
    dl4c_free(s->attrs);
    dl4c_free(s->width);
    dl4c_free(s->height);
    dl4c_free(s->channels);
}

static bool grow(selected *s)
{
    int64_t cap = s->cap ? s->cap * 2 : 256;
    size_t n = (size_t)cap;
#define GROW(field)                                                            \
    do {                                                                       \
        void *p = dl4c_realloc(s->field, n * sizeof *s->field);                \
        if (!p)                                                                \
            return false;                                                      \
        s->field = p;                                                          \
    } while (0)
    GROW(path);
    GROW(file);
    GROW(label);
    GROW(attrs);
    GROW(width);
    GROW(height);
    GROW(channels);
#undef GROW
    s->cap = cap;
    return true;
}

static char *text_or_null(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? dl4c_strdup((const char *)t) : NULL;
}

static dl4c_status select_items(dl4c_store *s, const dl4c_ds_info *info,
                                const char *where, const char *label_col,
                                const char *split, selected *out)
{
    dl4c_status status = DL4C_OK;
    dl4c_ds_stmt st = {0};
    char *cols = dl4c_asprintf("path, file, \"%s\", width, height, channels, "
                               "attrs",
                               label_col);
    if (!cols)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(dl4c_ds_prepare(s, info, cols, where, split ? "split IS ?2" : NULL,
                             "ORDER BY id", &st));
    if (split)
        sqlite3_bind_text(st.stmt, 2, split, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW) {
        if (out->n == out->cap && !grow(out))
            DL4C_NOMEM_FAIL();
        int64_t i = out->n++;
        out->path[i] = text_or_null(st.stmt, 0);
        out->file[i] = text_or_null(st.stmt, 1);
        out->label[i] = text_or_null(st.stmt, 2);
        out->attrs[i] = text_or_null(st.stmt, 6);
        out->width[i] = sqlite3_column_int64(st.stmt, 3);
        out->height[i] = sqlite3_column_int64(st.stmt, 4);
        out->channels[i] = sqlite3_column_int64(st.stmt, 5);
        if (!out->path[i] || !out->attrs[i])
            DL4C_NOMEM_FAIL();
    }
    DL4C_CHECK(rc == SQLITE_DONE, DL4C_INVALID_ARG, "query '%s': %s",
               where ? where : "", sqlite3_errmsg(st.db));
fail:
    dl4c_free(cols);
    dl4c_ds_stmt_close(&st);
    return status;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Class index of each item: from the given names, or the sorted distinct
 * labels. */
static dl4c_status classes_of(const selected *sel, const char *name,
                              const dl4c_store_load_options *o,
                              dl4c_strlist *names, int *index)
{
    dl4c_status status = DL4C_OK;
    for (int64_t i = 0; i < sel->n; i++)
        DL4C_CHECK(sel->label[i], DL4C_FORMAT,
                   "dataset '%s': item %s has no label; select labelled "
                   "items (--where \"label IS NOT NULL\") or choose another "
                   "label column",
                   name, sel->path[i]);
    if (o->class_names) {
        DL4C_CHECK(o->num_classes > 0, DL4C_INVALID_ARG,
                   "load: class names need num_classes > 0");
        for (int c = 0; c < o->num_classes; c++)
            DL4C_TRY(dl4c_strlist_push(
                names, o->class_names[c] ? o->class_names[c] : ""));
    } else {
        for (int64_t i = 0; i < sel->n; i++)
            DL4C_TRY(dl4c_strlist_push(names, sel->label[i]));
        dl4c_strlist_sort(names);
        int64_t k = 0; /* unique */
        for (int64_t i = 0; i < names->n; i++) {
            if (k && !strcmp(names->items[k - 1], names->items[i])) {
                dl4c_free(names->items[i]);
                continue;
            }
            names->items[k++] = names->items[i];
        }
        names->n = k;
    }
    for (int64_t i = 0; i < sel->n; i++) {
        const char *key = sel->label[i];
        int64_t c = -1;
        if (o->class_names) { /* given names need not be sorted */
            c = dl4c_strlist_find(names, key);
        } else {
            char **hit = bsearch(&key, names->items, (size_t)names->n,
                                 sizeof *names->items, cmp_str);
            c = hit ? hit - names->items : -1;
        }
        DL4C_CHECK(c >= 0, DL4C_FORMAT,
                   "dataset '%s': item %s has label '%s', which is not one "
                   "of the %lld classes",
                   name, sel->path[i], key, (long long)names->n);
        index[i] = (int)c;
    }
fail:
    return status;
}

static dl4c_status load_images(dl4c_store *s, const selected *sel,
                               const dl4c_store_load_options *o,
                               dl4c_tensor **x)
{
    dl4c_status status = DL4C_OK;
    char **paths = NULL;
    int64_t h = o->height, w = o->width;
    int c = o->channels ? o->channels : (int)sel->channels[0];
    if (!h) {
        h = sel->height[0];
        w = sel->width[0];
        for (int64_t i = 1; i < sel->n; i++)
            DL4C_CHECK(sel->height[i] == h && sel->width[i] == w, DL4C_SHAPE,
                       "the selected images have different sizes (%s is "
                       "%lldx%lld, %s is %lldx%lld); set a size to resize "
                       "them to (dl4c train --resize HxW)",
                       sel->path[0], (long long)h, (long long)w, sel->path[i],
                       (long long)sel->height[i], (long long)sel->width[i]);
    }
    paths = dl4c_calloc((size_t)sel->n, sizeof *paths);
    if (!paths)
        DL4C_NOMEM_FAIL();
    for (int64_t i = 0; i < sel->n; i++) {
        DL4C_CHECK(sel->file[i], DL4C_FORMAT, "item %s has no stored file",
                   sel->path[i]);
        paths[i] = dl4c_store_path(s, sel->file[i]);
        if (!paths[i])
            DL4C_NOMEM_FAIL();
    }
    int64_t shape[4] = {sel->n, h, w, c};
    DL4C_TRY(dl4c_tensor_create(DL4C_F32, 4, shape, x));
    dl4c_image_options io = dl4c_image_options_default();
    io.height = o->height;
    io.width = o->width;
    io.channels = c;
    io.resize = o->resize;
    DL4C_TRY(dl4c_image_load_many((const char *const *)paths, sel->n, &io, h, w,
                                  c, NULL, (float *)(*x)->data, NULL));
fail:
    for (int64_t i = 0; paths && i < sel->n; i++)
        dl4c_free(paths[i]);
    dl4c_free(paths);
    if (status != DL4C_OK) {
        dl4c_tensor_free(*x);
        *x = NULL;
    }
    return status;
}

static dl4c_status load_rows(const dl4c_ds_info *info, const selected *sel,
                             const char *label_col, dl4c_tensor **x)
{
    dl4c_status status = DL4C_OK;
    const json_t *form = json_object_get(info->options, "form");
    const json_t *cols = json_object_get(form, "columns");
    const char *ingest_label =
        json_string_value(json_object_get(form, "label_column"));
    const char *use[4096];
    int64_t nf = 0;
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c)
    {
        const char *name = json_string_value(c);
        if (!name || !strcmp(name, label_col) ||
            (ingest_label && !strcmp(name, ingest_label)))
            continue;
        DL4C_CHECK(nf < 4096, DL4C_UNSUPPORTED,
                   "more than 4096 feature columns");
        use[nf++] = name;
    }
    DL4C_CHECK(nf > 0, DL4C_FORMAT, "the rows have no feature columns");
    int64_t shape[2] = {sel->n, nf};
    DL4C_TRY(dl4c_tensor_create(DL4C_F32, 2, shape, x));
    float *dst = (*x)->data;
    for (int64_t r = 0; r < sel->n; r++) {
        json_t *row = json_loads(sel->attrs[r], 0, NULL);
        DL4C_CHECK(json_is_object(row), DL4C_FORMAT,
                   "item %s: attributes are not a JSON object", sel->path[r]);
        for (int64_t f = 0; f < nf; f++) {
            const json_t *v = json_object_get(row, use[f]);
            if (!json_is_number(v)) {
                const char *what = !v || json_is_null(v) ? "missing" : "text";
                json_decref(row);
                DL4C_FAIL(DL4C_FORMAT,
                          "item %s: column '%s' is %s, not a number; select "
                          "other rows or transform the CSV first",
                          sel->path[r], use[f], what);
            }
            dst[r * nf + f] = (float)json_number_value(v);
        }
        json_decref(row);
    }
fail:
    if (status != DL4C_OK) {
        dl4c_tensor_free(*x);
        *x = NULL;
    }
    return status;
}

dl4c_status dl4c_dataset_store_load(dl4c_store *s, const char *name,
                                    const char *where,
                                    const dl4c_store_load_options *o,
                                    dl4c_dataset **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_store_load_options defaults = dl4c_store_load_options_default();
    dl4c_ds_info info = {0};
    selected sel = {0};
    dl4c_strlist names = {0};
    int *cls = NULL;
    dl4c_tensor *x = NULL, *y = NULL;
    dl4c_dataset *ds = NULL;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "load: out is NULL");
    *out = NULL;
    if (!o)
        o = &defaults;
    DL4C_CHECK(s, DL4C_INVALID_ARG, "load: NULL store");
    DL4C_CHECK(o->channels >= 0 && o->channels <= 4 && o->height >= 0 &&
                   o->width >= 0 && (o->height > 0) == (o->width > 0),
               DL4C_INVALID_ARG, "load: bad image shape options");
    DL4C_TRY(dl4c_ds_lookup(s, name, true, &info));
    const char *label_col = o->label_column ? o->label_column : "label";
    DL4C_CHECK(known_column(&info, label_col), DL4C_INVALID_ARG,
               "dataset '%s' has no column '%s' for labels", name, label_col);
    DL4C_TRY(select_items(s, &info, where, label_col, o->split, &sel));
    DL4C_CHECK(sel.n > 0, DL4C_FORMAT, "dataset '%s': no items match%s%s%s%s%s",
               name, where && *where ? " '" : "", where && *where ? where : "",
               where && *where ? "'" : "", o->split ? " in split " : "",
               o->split ? o->split : "");
    cls = dl4c_malloc((size_t)sel.n * sizeof *cls);
    if (!cls)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(classes_of(&sel, name, o, &names, cls));
    if (!strcmp(info.kind, "images"))
        DL4C_TRY(load_images(s, &sel, o, &x));
    else
        DL4C_TRY(load_rows(&info, &sel, label_col, &x));
    int64_t ys[2] = {sel.n, names.n};
    DL4C_TRY(dl4c_tensor_create(DL4C_F32, 2, ys, &y));
    for (int64_t i = 0; i < sel.n; i++)
        ((float *)y->data)[i * names.n + cls[i]] = 1.0f;
    status = dl4c_dataset_create(x, y, &ds);
    x = y = NULL;
    DL4C_TRY(status);
    DL4C_TRY(dl4c_dataset_set_classes(ds, (int)names.n,
                                      (const char *const *)names.items));
    *out = ds;
    ds = NULL;
fail:
    dl4c_dataset_free(ds);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_free(cls);
    dl4c_strlist_free(&names);
    selected_free(&sel);
    dl4c_ds_info_deinit(&info);
    return status;
}

/* ---- splits ----------------------------------------------------------------
 */

typedef struct labelled {
    int64_t id;
    char *label;
} labelled;

static int cmp_labelled(const void *a, const void *b)
{
    const labelled *x = a, *y = b;
    int c = (x->label == NULL) - (y->label == NULL);
    if (!c && x->label)
        c = strcmp(x->label, y->label);
    if (!c)
        c = (x->id > y->id) - (x->id < y->id);
    return c;
}

static bool same_label(const labelled *a, const labelled *b)
{
    return (!a->label && !b->label) ||
           (a->label && b->label && !strcmp(a->label, b->label));
}

dl4c_status dl4c_dataset_store_split(dl4c_store *s, const char *name,
                                     const char *where, double train,
                                     double validation, double test,
                                     uint64_t seed, int64_t counts[3])
{
    dl4c_status status = DL4C_OK;
    static const char *const splits[3] = {"train", "validation", "test"};
    dl4c_ds_info info = {0};
    dl4c_ds_stmt st = {0};
    labelled *items = NULL;
    int64_t *order = NULL;
    int *side = NULL;
    sqlite3_stmt *q = NULL;
    char *settings = NULL;
    bool began = false;
    int64_t n = 0, cap = 0, got[3] = {0, 0, 0};
    DL4C_CHECK(s, DL4C_INVALID_ARG, "split: NULL store");
    DL4C_CHECK(train >= 0 && validation >= 0 && test >= 0 &&
                   fabs(train + validation + test - 1) <= 1e-6,
               DL4C_INVALID_ARG,
               "split: fractions %g, %g, %g must be >= 0 and sum to 1", train,
               validation, test);
    DL4C_TRY(dl4c_ds_lookup(s, name, true, &info));
    DL4C_TRY(dl4c_ds_prepare(s, &info, "id, label", where, NULL, "ORDER BY id",
                             &st));
    int rc;
    while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            labelled *p = dl4c_realloc(items, (size_t)cap * sizeof *p);
            if (!p)
                DL4C_NOMEM_FAIL();
            items = p;
        }
        items[n].id = sqlite3_column_int64(st.stmt, 0);
        items[n].label = text_or_null(st.stmt, 1);
        if (sqlite3_column_type(st.stmt, 1) != SQLITE_NULL && !items[n].label)
            DL4C_NOMEM_FAIL();
        n++;
    }
    DL4C_CHECK(rc == SQLITE_DONE, DL4C_INVALID_ARG, "split: %s",
               sqlite3_errmsg(st.db));
    dl4c_ds_stmt_close(&st);
    DL4C_CHECK(n > 0, DL4C_FORMAT, "dataset '%s': no items to split", name);
    qsort(items, (size_t)n, sizeof *items, cmp_labelled);
    order = dl4c_malloc((size_t)n * sizeof *order);
    side = dl4c_malloc((size_t)n * sizeof *side);
    if (!order || !side)
        DL4C_NOMEM_FAIL();
    dl4c_rng rng;
    dl4c_rng_seed(&rng, seed);
    for (int64_t a = 0; a < n;) {
        int64_t b = a + 1;
        while (b < n && same_label(&items[a], &items[b]))
            b++;
        int64_t m = b - a;
        for (int64_t i = 0; i < m; i++)
            order[i] = a + i;
        dl4c_rng_shuffle(&rng, order, m);
        int64_t n_train = llround(train * (double)m);
        int64_t n_val = llround(validation * (double)m);
        if (n_train + n_val > m)
            n_val = m - n_train;
        for (int64_t i = 0; i < m; i++)
            side[order[i]] = i < n_train ? 0 : i < n_train + n_val ? 1 : 2;
        a = b;
    }
    DL4C_TRY(dl4c_store_begin(s));
    began = true;
    sqlite3 *db = dl4c_store_db(s);
    if (sqlite3_prepare_v2(db,
                           "UPDATE dataset_items SET split = ? WHERE id = ?",
                           -1, &q, NULL) != SQLITE_OK)
        goto db_fail;
    for (int64_t i = 0; i < n; i++) {
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, splits[side[i]], -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, items[i].id);
        if (sqlite3_step(q) != SQLITE_DONE)
            goto db_fail;
        got[side[i]]++;
    }
    sqlite3_finalize(q);
    q = NULL;
    json_t *js =
        json_pack("{s:f, s:f, s:f, s:o, s:s?}", "train", train, "validation",
                  validation, "test", test, "seed", dl4c_json_u64(seed),
                  "where", where && *where ? where : NULL);
    settings = js ? dl4c_json_dump(js) : NULL;
    json_decref(js);
    if (!settings)
        DL4C_NOMEM_FAIL();
    if (sqlite3_prepare_v2(
            db, "UPDATE datasets SET split_settings = ? WHERE id = ?", -1, &q,
            NULL) != SQLITE_OK)
        goto db_fail;
    sqlite3_bind_text(q, 1, settings, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, info.id);
    if (sqlite3_step(q) != SQLITE_DONE)
        goto db_fail;
    DL4C_TRY(dl4c_store_commit(s));
    began = false;
    if (counts)
        memcpy(counts, got, sizeof got);
    goto fail;
db_fail:
    status =
        dl4c_error_set(DL4C_IO, "split: %s", sqlite3_errmsg(dl4c_store_db(s)));
fail:
    sqlite3_finalize(q);
    if (began)
        dl4c_store_rollback(s);
    dl4c_ds_stmt_close(&st);
    for (int64_t i = 0; items && i < n; i++)
        dl4c_free(items[i].label);
    dl4c_free(items);
    dl4c_free(order);
    dl4c_free(side);
    dl4c_free(settings);
    dl4c_ds_info_deinit(&info);
    return status;
}
