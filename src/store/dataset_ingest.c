/* Ingest: images from a folder (or rows from a CSV file) into a dataset.
 * Work happens in two phases so the database is locked only briefly:
 * first every source item is read, hashed, and (images) decoded and
 * written in its stored form under <home>/datasets/<name>/<sha[0:2]>/
 * <sha>.pgm|ppm|pam (content-addressed, so writing one twice is
 * harmless); then one immediate transaction creates the dataset if
 * needed, checks the stored form and inserts the rows with INSERT OR
 * IGNORE on (dataset, sha256), which is what makes ingesting twice a
 * no-op. Items already present are recognised before decoding. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "data/csv_internal.h"
#include "data/csv_table_internal.h"
#include "data/file_walk_internal.h"
#include "data/image_internal.h"
#include "data/json_util_internal.h"
#include "data/strmap_internal.h"
#include "store/dataset_store_internal.h"

dl4c_ingest_options dl4c_ingest_options_default(void)
{
    dl4c_ingest_options o;
    memset(&o, 0, sizeof o);
    o.resize = DL4C_RESIZE_AREA;
    o.delimiter = 0;
    return o;
}

typedef struct pending {
    char *path, *file, *label, *split, *attrs;
    int64_t width, height, channels, bytes;
    char sha[65];
} pending;

typedef struct job {
    dl4c_store *s;
    const char *name;
    const dl4c_ingest_options *o;
    dl4c_ds_info info; /* info.id 0: a new dataset */
    bool rows;         /* CSV rows rather than images */
    json_t *form;      /* the stored image form, or the CSV layout */
    json_t *attrs;     /* the --attr values */
    pending *items;
    int64_t n, cap;
    int64_t unchanged, skipped;
    sqlite3_stmt *known; /* SELECT 1 ... WHERE dataset_id AND sha256 */
} job;

static void pending_free(pending *p)
{
    dl4c_free(p->path);
    dl4c_free(p->file);
    dl4c_free(p->label);
    dl4c_free(p->split);
    dl4c_free(p->attrs);
}

static pending *push(job *j)
{
    if (j->n == j->cap) {
        int64_t cap = j->cap ? j->cap * 2 : 256;
        pending *p = dl4c_realloc(j->items, (size_t)cap * sizeof *p);
        if (!p)
            return NULL;
        j->items = p;
        j->cap = cap;
    }
    pending *p = &j->items[j->n++];
    memset(p, 0, sizeof *p);
    return p;
}

static void sha_hex(const void *data, size_t n, char hex[65])
{
    struct sha256_ctx ctx;
    uint8_t dig[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, n, data);
    sha256_digest(&ctx, sizeof dig, dig);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", dig[i]);
}

/* A JSON number when the text is one (finite), else a string; null for
 * an empty cell. */
static json_t *json_value(const char *text)
{
    if (!*text)
        return json_null();
    char *end = NULL;
    double v = strtod(text, &end);
    if (end != text && !*end && isfinite(v)) {
        if (v == floor(v) && fabs(v) < 9e15 && !strpbrk(text, ".eE"))
            return json_integer((json_int_t)v);
        return json_real(v);
    }
    return json_string(text);
}

/* "key=value" attributes into an object. */
static dl4c_status parse_attrs(const dl4c_ingest_options *o, json_t **out)
{
    dl4c_status status = DL4C_OK;
    json_t *obj = json_object();
    if (!obj)
        DL4C_NOMEM_FAIL();
    for (int i = 0; i < o->n_attrs; i++) {
        const char *a = o->attrs[i], *eq = a ? strchr(a, '=') : NULL;
        DL4C_CHECK(eq, DL4C_INVALID_ARG, "attribute '%s' is not key=value",
                   a ? a : "(null)");
        char key[80];
        snprintf(key, sizeof key, "%.*s", (int)(eq - a), a);
        DL4C_CHECK(eq - a < 80 && dl4c_ds_attr_key_valid(key), DL4C_INVALID_ARG,
                   "attribute name '%.*s' must be an identifier "
                   "([A-Za-z_][A-Za-z0-9_]*) and not a column name (id, "
                   "path, label, split, width, ...)",
                   (int)(eq - a), a);
        json_t *v = json_value(eq + 1);
        if (!v || json_object_set_new(obj, key, v))
            DL4C_NOMEM_FAIL();
    }
    *out = obj;
    return DL4C_OK;
fail:
    json_decref(obj);
    return status;
}

/* mkdir -p of the directory part of `path`. */
static dl4c_status make_parent_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf)
        return dl4c_error_set(DL4C_INVALID_ARG, "path too long: %s", path);
    memcpy(buf, path, n + 1);
    char *slash = strrchr(buf, '/');
    if (!slash)
        return DL4C_OK;
    *slash = '\0';
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return dl4c_error_set(DL4C_IO, "%s: cannot create: %s", buf,
                                  strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return dl4c_error_set(DL4C_IO, "%s: cannot create: %s", buf,
                              strerror(errno));
    return DL4C_OK;
}

static bool already_known(job *j, const char *sha)
{
    if (!j->known)
        return false;
    sqlite3_reset(j->known);
    sqlite3_bind_text(j->known, 2, sha, -1, SQLITE_TRANSIENT);
    return sqlite3_step(j->known) == SQLITE_ROW;
}

/* ---- images
 * ------------------------------------------------------------------ */

static const char *split_of_folder(const char *dir)
{
    static const struct {
        const char *folder, *split;
    } names[] = {{"train", "train"},
                 {"test", "test"},
                 {"validation", "validation"},
                 {"valid", "validation"},
                 {"val", "validation"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(dir, names[i].folder))
            return names[i].split;
    return NULL;
}

/* Label and split of "a/b/c.png" relative to the ingested folder. */
static void place(const char *rel, const dl4c_ingest_options *o, char *label,
                  size_t cap, const char **split)
{
    char top[256];
    const char *slash = strchr(rel, '/');
    snprintf(top, sizeof top, "%.*s", slash ? (int)(slash - rel) : 0, rel);
    const char *folder_split = slash ? split_of_folder(top) : NULL;
    *split = o->split ? o->split : folder_split;
    dl4c_parent_name(rel, label, cap);
    /* train/x.png: "train" names the split, not a label */
    if (folder_split && !strchr(slash + 1, '/'))
        label[0] = '\0';
}

typedef struct label_map {
    dl4c_csv_table t;
    dl4c_strmap rows; /* path -> row + 1 */
    bool loaded;
} label_map;

static dl4c_status index_labels(label_map *m)
{
    for (int64_t r = 0; r < m->t.nrows; r++) {
        const char *p = dl4c_csv_table_cell(&m->t, r, 0);
        if (p[0] == '.' && p[1] == '/')
            p += 2;
        if (!dl4c_strmap_get(&m->rows, p))
            DL4C_RETURN_IF(dl4c_strmap_add(&m->rows, p, r + 1));
    }
    return DL4C_OK;
}

static const char *lookup_label(const label_map *m, const char *rel)
{
    int64_t r = dl4c_strmap_get(&m->rows, rel);
    return r ? dl4c_csv_table_cell(&m->t, r - 1, 1) : NULL;
}

/* The requested stored form; for an existing dataset, unset parts come
 * from its recorded form and set parts must agree with it. */
static dl4c_status image_form(job *j)
{
    const dl4c_ingest_options *o = j->o;
    dl4c_status status = DL4C_OK;
    int64_t ch = o->channels, h = o->height, w = o->width;
    DL4C_CHECK((ch == 0 || ch == 1 || ch == 3 || ch == 4) && h >= 0 && w >= 0 &&
                   (h > 0) == (w > 0) && h <= DL4C_IMAGE_MAX_SIDE &&
                   w <= DL4C_IMAGE_MAX_SIDE,
               DL4C_INVALID_ARG,
               "ingest: bad stored form (channels %lld, size %lldx%lld)",
               (long long)ch, (long long)h, (long long)w);
    const json_t *old = json_object_get(j->info.options, "form");
    if (j->info.id && old) {
        int64_t oc = json_integer_value(json_object_get(old, "channels"));
        int64_t oh = json_integer_value(json_object_get(old, "height"));
        int64_t ow = json_integer_value(json_object_get(old, "width"));
        DL4C_CHECK((!ch || ch == oc) && (!h || (h == oh && w == ow)),
                   DL4C_INVALID_ARG,
                   "dataset '%s' stores images with channels %lld and size "
                   "%lldx%lld (0 = as found); ingest with the same settings "
                   "or into a new dataset",
                   j->name, (long long)oc, (long long)oh, (long long)ow);
        ch = oc;
        h = oh;
        w = ow;
    }
    j->form = json_pack("{s:I, s:I, s:I, s:s}", "channels", (json_int_t)ch,
                        "height", (json_int_t)h, "width", (json_int_t)w,
                        "resize", dl4c_resize_mode_name(o->resize));
    if (!j->form)
        DL4C_NOMEM_FAIL();
fail:
    return status;
}

/* Decodes one image, converts it to the stored form and writes it.
 * Returns DL4C_FORMAT/UNSUPPORTED for images to skip. */
static dl4c_status store_image(job *j, const char *full,
                               const unsigned char *data, size_t size,
                               pending *p)
{
    dl4c_status status = DL4C_OK;
    dl4c_raw_image raw = {0};
    dl4c_tensor *img = NULL, *resized = NULL;
    char *rel = NULL, *dest = NULL;
    int ch = (int)json_integer_value(json_object_get(j->form, "channels"));
    int64_t h = json_integer_value(json_object_get(j->form, "height"));
    int64_t w = json_integer_value(json_object_get(j->form, "width"));
    DL4C_TRY(dl4c_image_decode_raw(data, size, full, ch, &raw, NULL));
    int64_t shape[3] = {raw.height, raw.width, raw.channels};
    DL4C_TRY(dl4c_tensor_create(DL4C_F32, 3, shape, &img));
    dl4c_raw_image_to_float(&raw, false, (float *)img->data);
    const dl4c_tensor *out = img;
    if (h && (h != raw.height || w != raw.width)) {
        DL4C_TRY(dl4c_image_resize(img, h, w, j->o->resize, &resized));
        out = resized;
    }
    const char *ext = raw.channels == 1   ? "pgm"
                      : raw.channels == 3 ? "ppm"
                                          : "pam";
    rel = dl4c_asprintf("datasets/%s/%.2s/%s.%s", j->name, p->sha, p->sha, ext);
    dest = rel ? dl4c_store_path(j->s, rel) : NULL;
    if (!dest)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(make_parent_dirs(dest));
    DL4C_TRY(dl4c_image_save_pnm(dest, out, raw.depth));
    p->file = rel;
    rel = NULL;
    p->height = dl4c_tensor_dim(out, 0);
    p->width = dl4c_tensor_dim(out, 1);
    p->channels = dl4c_tensor_dim(out, 2);
fail:
    dl4c_raw_image_free(&raw);
    dl4c_tensor_free(img);
    dl4c_tensor_free(resized);
    dl4c_free(rel);
    dl4c_free(dest);
    return status;
}

static dl4c_status collect_images(job *j, const char *dir)
{
    dl4c_status status = DL4C_OK;
    dl4c_strlist files = {0};
    label_map labels = {0};
    unsigned char *data = NULL;
    char *full = NULL;
    char label[512];
    DL4C_TRY(image_form(j));
    if (j->o->labels_csv) {
        DL4C_TRY(dl4c_csv_table_read(j->o->labels_csv, 0, true, &labels.t));
        labels.loaded = true;
        DL4C_CHECK(labels.t.ncols >= 2, DL4C_FORMAT,
                   "%s: a labels file needs two columns: path, label",
                   j->o->labels_csv);
        DL4C_TRY(index_labels(&labels));
    }
    DL4C_TRY(dl4c_walk_files(dir, dl4c_image_path_supported, &files));
    DL4C_CHECK(files.n > 0, DL4C_FORMAT,
               "%s: no image files (.png, .jpg, .jpeg, .pgm, .ppm, .pam, "
               ".bmp) found",
               dir);
    for (int64_t i = 0; i < files.n; i++) {
        const char *rel = files.items[i];
        size_t size = 0;
        dl4c_free(full);
        dl4c_free(data);
        data = NULL;
        full = dl4c_asprintf("%s/%s", dir, rel);
        if (!full)
            DL4C_NOMEM_FAIL();
        /* unreadable or undecodable: skipped and reported; a home that
         * cannot be written (or no memory): stop */
        pending tmp = {0};
        dl4c_status st =
            dl4c_read_whole_file(full, (size_t)1 << 31, &data, &size);
        if (st == DL4C_OK) {
            sha_hex(data, size, tmp.sha);
            if (already_known(j, tmp.sha)) {
                j->unchanged++;
                continue;
            }
            st = store_image(j, full, data, size, &tmp);
            if (st != DL4C_OK && st != DL4C_FORMAT && st != DL4C_UNSUPPORTED) {
                pending_free(&tmp);
                status = st;
                goto fail;
            }
        } else if (st == DL4C_NOMEM) {
            goto fail_nomem;
        }
        if (st != DL4C_OK) {
            pending_free(&tmp);
            j->skipped++;
            if (j->o->on_skip)
                j->o->on_skip(j->o->ctx, full, dl4c_last_error());
            continue;
        }
        const char *split = NULL;
        place(rel, j->o, label, sizeof label, &split);
        const char *lab = label[0] ? label : NULL;
        if (labels.loaded)
            lab = lookup_label(&labels, rel);
        pending *p = push(j);
        if (!p) {
            pending_free(&tmp);
            goto fail_nomem;
        }
        *p = tmp;
        p->bytes = (int64_t)size;
        p->path = dl4c_strdup(full);
        p->label = lab ? dl4c_strdup(lab) : NULL;
        p->split = split ? dl4c_strdup(split) : NULL;
        p->attrs = dl4c_json_dump(j->attrs);
        if (!p->path || (lab && !p->label) || (split && !p->split) || !p->attrs)
            goto fail_nomem;
    }
    goto fail; /* done */
fail_nomem:
    status = dl4c_error_set(DL4C_NOMEM, "out of memory");
fail:
    dl4c_free(full);
    dl4c_free(data);
    dl4c_strlist_free(&files);
    if (labels.loaded)
        dl4c_csv_table_free(&labels.t);
    dl4c_strmap_free(&labels.rows);
    return status;
}

/* ---- CSV rows
 * ------------------------------------------------------------------ */

/* "sepal length (cm)" -> "sepal_length_cm"; a leading digit gets '_'. */
static void identifier(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    bool gap = false;
    if (isdigit((unsigned char)*in) && n + 1 < cap)
        out[n++] = '_';
    for (; *in && n + 1 < cap; in++) {
        unsigned char c = (unsigned char)*in;
        if (isalnum(c)) {
            if (gap && n > 0 && out[n - 1] != '_')
                out[n++] = '_';
            if (n + 1 < cap)
                out[n++] = (char)c;
            gap = false;
        } else {
            gap = true;
        }
    }
    out[n] = '\0';
}

static dl4c_status collect_rows(job *j, const char *path)
{
    dl4c_status status = DL4C_OK;
    dl4c_csv_table t = {0};
    char **names = NULL;
    json_t *columns = NULL, *row = NULL;
    char *joined = NULL;
    DL4C_TRY(dl4c_csv_table_read(path, j->o->delimiter, true, &t));
    names = dl4c_calloc((size_t)t.ncols, sizeof *names);
    columns = json_array();
    if (!names || !columns)
        DL4C_NOMEM_FAIL();
    int label_col = -1;
    for (int c = 0; c < t.ncols; c++) {
        char id[80];
        identifier(t.header[c], id, sizeof id - 1);
        if (!id[0]) /* no letters or digits at all */
            snprintf(id, sizeof id, "column_%d", c + 1);
        if (!dl4c_ds_attr_key_valid(id)) /* a built-in name: "label_" */
            strcat(id, "_");
        DL4C_CHECK(dl4c_ds_attr_key_valid(id), DL4C_FORMAT,
                   "%s: column '%s' cannot be a column name", path,
                   t.header[c]);
        for (int k = 0; k < c; k++)
            DL4C_CHECK(strcmp(names[k], id), DL4C_FORMAT,
                       "%s: columns %d and %d both become '%s'", path, k + 1,
                       c + 1, id);
        names[c] = dl4c_strdup(id);
        if (!names[c] || json_array_append_new(columns, json_string(id)))
            DL4C_NOMEM_FAIL();
        if (j->o->label_column && (!strcmp(j->o->label_column, t.header[c]) ||
                                   !strcmp(j->o->label_column, id)))
            label_col = c;
    }
    DL4C_CHECK(!j->o->label_column || label_col >= 0, DL4C_INVALID_ARG,
               "%s: no column '%s' for the label", path, j->o->label_column);
    /* the layout must match an existing dataset's */
    const json_t *old = json_object_get(j->info.options, "form");
    DL4C_CHECK(!j->info.id || !old ||
                   json_equal(json_object_get(old, "columns"), columns),
               DL4C_FORMAT, "%s: its columns differ from those of dataset '%s'",
               path, j->name);
    j->form = json_pack("{s:O, s:s?}", "columns", columns, "label_column",
                        label_col >= 0 ? names[label_col] : NULL);
    if (!j->form)
        DL4C_NOMEM_FAIL();
    size_t cap = 0;
    for (int64_t r = 0; r < t.nrows; r++) {
        /* the row's identity: its line and cells */
        size_t need = 32;
        for (int c = 0; c < t.ncols; c++)
            need += strlen(dl4c_csv_table_cell(&t, r, c)) + 1;
        if (need > cap) {
            cap = need * 2;
            char *p = dl4c_realloc(joined, cap);
            if (!p)
                DL4C_NOMEM_FAIL();
            joined = p;
        }
        size_t used =
            (size_t)snprintf(joined, cap, "%lld", (long long)t.lines[r]);
        int64_t bytes = 0;
        for (int c = 0; c < t.ncols; c++) {
            const char *cell = dl4c_csv_table_cell(&t, r, c);
            used += (size_t)snprintf(joined + used, cap - used, "\x1f%s", cell);
            bytes += (int64_t)strlen(cell) + (c > 0);
        }
        pending tmp = {0};
        sha_hex(joined, used, tmp.sha);
        if (already_known(j, tmp.sha)) {
            j->unchanged++;
            continue;
        }
        row = json_deep_copy(j->attrs);
        if (!row)
            DL4C_NOMEM_FAIL();
        for (int c = 0; c < t.ncols; c++) {
            json_t *v = json_value(dl4c_csv_table_cell(&t, r, c));
            if (!v || json_object_set_new(row, names[c], v))
                DL4C_NOMEM_FAIL();
        }
        pending *p = push(j);
        if (!p)
            DL4C_NOMEM_FAIL();
        *p = tmp;
        p->bytes = bytes;
        p->width = p->height = p->channels = -1;
        p->path = dl4c_asprintf("%s:%lld", path, (long long)t.lines[r]);
        const char *lab =
            label_col >= 0 ? dl4c_csv_table_cell(&t, r, label_col) : NULL;
        p->label = lab && *lab ? dl4c_strdup(lab) : NULL;
        p->split = j->o->split ? dl4c_strdup(j->o->split) : NULL;
        p->attrs = dl4c_json_dump(row);
        json_decref(row);
        row = NULL;
        if (!p->path || (lab && *lab && !p->label) ||
            (j->o->split && !p->split) || !p->attrs)
            DL4C_NOMEM_FAIL();
    }
fail:
    json_decref(row);
    json_decref(columns);
    dl4c_free(joined);
    for (int c = 0; names && c < t.ncols; c++)
        dl4c_free(names[c]);
    dl4c_free(names);
    dl4c_csv_table_free(&t);
    return status;
}

/* ---- writing the rows
 * -------------------------------------------------------------- */

/* Adds keys (of the --attr values and CSV columns) to the recorded
 * attribute list. */
static void merge_keys(json_t *options, const json_t *obj, const json_t *cols)
{
    json_t *keys = json_object_get(options, "attributes");
    if (!json_is_array(keys)) {
        keys = json_array();
        json_object_set_new(options, "attributes", keys);
    }
    const char *k;
    json_t *v;
    size_t i;
    json_t *c;
    json_t *add = json_array();
    json_object_foreach((json_t *)obj, k, v)
        json_array_append_new(add, json_string(k));
    json_array_foreach(cols, i, c) json_array_append(add, c);
    json_array_foreach(add, i, c)
    {
        bool have = false;
        size_t m;
        json_t *e;
        json_array_foreach(keys, m, e) have |= json_equal(e, c);
        if (!have)
            json_array_append(keys, c);
    }
    json_decref(add);
}

static dl4c_status write_rows(job *j, dl4c_ingest_report *rep)
{
    dl4c_status status = DL4C_OK;
    sqlite3 *db = dl4c_store_db(j->s);
    sqlite3_stmt *q = NULL;
    char *opts = NULL;
    bool began = false;
    char now[32];
    dl4c_ds_now_iso(now);
    DL4C_TRY(dl4c_store_begin(j->s));
    began = true;
    /* the dataset row (a concurrent ingest may have made it meanwhile) */
    dl4c_ds_info_deinit(&j->info);
    DL4C_TRY(dl4c_ds_find(j->s, j->name, false, &j->info));
    const char *kind = j->rows ? "rows" : "images";
    if (j->info.id) {
        DL4C_CHECK(!strcmp(j->info.kind, kind), DL4C_FORMAT,
                   "dataset '%s' holds %s; cannot add %s to it", j->name,
                   j->info.kind, kind);
    } else {
        json_object_set(j->info.options, "form", j->form);
    }
    merge_keys(j->info.options, j->attrs,
               j->rows ? json_object_get(j->form, "columns") : NULL);
    opts = dl4c_json_dump(j->info.options);
    if (!opts)
        DL4C_NOMEM_FAIL();
    if (!j->info.id) {
        if (sqlite3_prepare_v2(db,
                               "INSERT INTO datasets (name, kind, created, "
                               "options) VALUES (?, ?, ?, ?)",
                               -1, &q, NULL) != SQLITE_OK)
            goto db_fail;
        sqlite3_bind_text(q, 1, j->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, opts, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            goto db_fail;
        j->info.id = sqlite3_last_insert_rowid(db);
    } else {
        if (sqlite3_prepare_v2(db,
                               "UPDATE datasets SET options = ? WHERE id = ?",
                               -1, &q, NULL) != SQLITE_OK)
            goto db_fail;
        sqlite3_bind_text(q, 1, opts, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, j->info.id);
        if (sqlite3_step(q) != SQLITE_DONE)
            goto db_fail;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(db,
                           "INSERT OR IGNORE INTO dataset_items (dataset_id, "
                           "path, file, label, split, width, height, "
                           "channels, bytes, sha256, ingested, attrs) VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           -1, &q, NULL) != SQLITE_OK)
        goto db_fail;
    int64_t added = 0;
    for (int64_t i = 0; i < j->n; i++) {
        const pending *p = &j->items[i];
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, j->info.id);
        sqlite3_bind_text(q, 2, p->path, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, p->file, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, p->label, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, p->split, -1, SQLITE_STATIC);
        if (p->width >= 0) {
            sqlite3_bind_int64(q, 6, p->width);
            sqlite3_bind_int64(q, 7, p->height);
            sqlite3_bind_int64(q, 8, p->channels);
        } else {
            sqlite3_bind_null(q, 6);
            sqlite3_bind_null(q, 7);
            sqlite3_bind_null(q, 8);
        }
        sqlite3_bind_int64(q, 9, p->bytes);
        sqlite3_bind_text(q, 10, p->sha, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 11, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 12, p->attrs, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            goto db_fail;
        if (sqlite3_changes(db))
            added++;
        else
            j->unchanged++; /* the same content twice in this source */
    }
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM dataset_items WHERE "
                           "dataset_id = ?",
                           -1, &q, NULL) != SQLITE_OK)
        goto db_fail;
    sqlite3_bind_int64(q, 1, j->info.id);
    if (sqlite3_step(q) != SQLITE_ROW)
        goto db_fail;
    rep->total = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    q = NULL;
    DL4C_TRY(dl4c_store_commit(j->s));
    began = false;
    rep->added = added;
    goto fail;
db_fail:
    status = dl4c_error_set(DL4C_IO, "dataset '%s': %s", j->name,
                            sqlite3_errmsg(db));
fail:
    sqlite3_finalize(q);
    if (began)
        dl4c_store_rollback(j->s);
    dl4c_free(opts);
    return status;
}

static bool is_csv(const char *path)
{
    static const char *const ext[] = {".csv", ".csv.gz", ".tsv", ".tsv.gz"};
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t m = strlen(ext[i]);
        if (n > m && !strcasecmp(path + n - m, ext[i]))
            return true;
    }
    return false;
}

dl4c_status dl4c_dataset_store_ingest(dl4c_store *s, const char *name,
                                      const char *source,
                                      const dl4c_ingest_options *o,
                                      dl4c_ingest_report *report)
{
    dl4c_status status = DL4C_OK;
    dl4c_ingest_options defaults = dl4c_ingest_options_default();
    dl4c_ingest_report rep = {0};
    job j = {.s = s, .name = name, .o = o ? o : &defaults};
    struct stat st;
    if (report)
        *report = rep;
    DL4C_CHECK(s && source, DL4C_INVALID_ARG, "ingest: NULL argument");
    DL4C_TRY(dl4c_ds_lookup(s, name, false, &j.info));
    DL4C_CHECK(!j.o->split || dl4c_ds_name_valid(j.o->split), DL4C_INVALID_ARG,
               "ingest: bad split name '%s'", j.o->split);
    DL4C_TRY(parse_attrs(j.o, &j.attrs));
    DL4C_CHECK(stat(source, &st) == 0, DL4C_IO, "%s: %s", source,
               strerror(errno));
    j.rows = !S_ISDIR(st.st_mode);
    DL4C_CHECK(!j.rows || is_csv(source), DL4C_INVALID_ARG,
               "%s: ingest takes a folder of images or a .csv/.tsv file",
               source);
    DL4C_CHECK(!j.info.id || !strcmp(j.info.kind, j.rows ? "rows" : "images"),
               DL4C_FORMAT, "dataset '%s' holds %s; cannot add %s to it", name,
               j.info.kind, j.rows ? "CSV rows" : "images");
    if (j.info.id) {
        sqlite3 *db = dl4c_store_db(s);
        if (sqlite3_prepare_v2(db,
                               "SELECT 1 FROM dataset_items WHERE dataset_id "
                               "= ? AND sha256 = ?",
                               -1, &j.known, NULL) != SQLITE_OK)
            DL4C_FAIL(DL4C_IO, "datasets: %s", sqlite3_errmsg(db));
        sqlite3_bind_int64(j.known, 1, j.info.id);
    }
    if (j.rows)
        DL4C_TRY(collect_rows(&j, source));
    else
        DL4C_TRY(collect_images(&j, source));
    sqlite3_finalize(j.known);
    j.known = NULL;
    DL4C_CHECK(j.n > 0 || j.unchanged > 0, DL4C_FORMAT,
               "%s: none of the %lld images could be read", source,
               (long long)j.skipped);
    DL4C_TRY(write_rows(&j, &rep));
    rep.unchanged = j.unchanged;
    rep.skipped = j.skipped;
    if (report)
        *report = rep;
fail:
    sqlite3_finalize(j.known);
    for (int64_t i = 0; i < j.n; i++)
        pending_free(&j.items[i]);
    dl4c_free(j.items);
    json_decref(j.form);
    json_decref(j.attrs);
    dl4c_ds_info_deinit(&j.info);
    return status;
}
