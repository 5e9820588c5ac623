/* Opening a Keras model in any of its forms and finding its pieces: the
 * model config, the training config, the Keras version and backend, and
 * the weights (an HDF5 file in the legacy or the Keras 3 layout). The
 * format comes from the file's first bytes:
 *   "\x89HDF\r\n\x1a\n" at offset 0 (or 512, 1024, ... after a user
 *   block): legacy HDF5 -- attrs model_config, training_config,
 *   keras_version, backend; weights in group model_weights (a full model)
 *   or at the root (save_weights);
 *   "PK\x03\x04": a .keras zip -- config.json, metadata.json,
 *   model.weights.h5 (layers/<name>/vars/<i>);
 *   '{': an architecture JSON (model.to_json()). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "import/keras_internal.h"

static const unsigned char hdf5_magic[8] = {0x89, 'H',  'D',  'F',
                                            '\r', '\n', 0x1a, '\n'};

const json_t *kx_get(const json_t *kcfg, const char *key)
{
    const json_t *v = json_is_object(kcfg) ? json_object_get(kcfg, key) : NULL;
    return json_is_null(v) ? NULL : v;
}

double kx_num(const json_t *kcfg, const char *key, double def)
{
    const json_t *v = kx_get(kcfg, key);
    return json_is_number(v) ? json_number_value(v) : def;
}

const char *kx_class_of(const json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    return json_string_value(json_object_get(v, "class_name"));
}

static bool is_model_class(const char *cls)
{
    return cls && (!strcmp(cls, "Sequential") || !strcmp(cls, "Model") ||
                   !strcmp(cls, "Functional"));
}

static bool is_hdf5(FILE *f)
{
    unsigned char buf[8];
    /* the superblock sits at 0 or after a user block of 512 * 2^k bytes */
    for (long off = 0; off <= (1L << 20); off = off ? off * 2 : 512) {
        if (fseek(f, off, SEEK_SET) != 0 || fread(buf, 1, 8, f) != 8)
            return false;
        if (!memcmp(buf, hdf5_magic, 8))
            return true;
    }
    return false;
}

dl4c_status dl4c_keras_sniff(const char *path, dl4c_keras_format *out)
{
    if (!path || !out)
        return dl4c_error_set(DL4C_INVALID_ARG, "keras: NULL argument");
    *out = DL4C_KERAS_UNKNOWN;
    FILE *f = fopen(path, "rb");
    if (!f)
        return dl4c_error_set(DL4C_IO, "%s: %s", path, strerror(errno));
    unsigned char head[8] = {0};
    size_t got = fread(head, 1, sizeof head, f);
    if (got >= 4 && !memcmp(head, "PK\x03\x04", 4)) {
        *out = DL4C_KERAS_ARCHIVE;
    } else if (got == 8 && is_hdf5(f)) {
        *out = DL4C_KERAS_HDF5;
    } else {
        size_t i = 0;
        while (i < got && isspace(head[i]))
            i++;
        if (i < got && head[i] == '{') {
            json_error_t err;
            json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
            if (j && is_model_class(kx_class_of(j)))
                *out = DL4C_KERAS_JSON;
            json_decref(j);
        }
    }
    fclose(f);
    return DL4C_OK;
}

/* "2.2.4-tf" -> 2; 0 when unknown. */
static int major_of(const char *version)
{
    if (!version || !isdigit((unsigned char)version[0]))
        return 0;
    return atoi(version);
}

/* Keras 1 configs use their own key names; Keras 3 adds "module". */
static int guess_major(const json_t *model)
{
    if (json_object_get(model, "module"))
        return 3;
    const char *text = NULL;
    char *dump = json_dumps(model, JSON_COMPACT);
    text = dump;
    int major = 2;
    if (text &&
        (strstr(text, "\"output_dim\"") || strstr(text, "\"nb_filter\"") ||
         strstr(text, "\"dim_ordering\"") || strstr(text, "\"border_mode\"")))
        major = 1;
    free(dump);
    return major;
}

static dl4c_status parse_json(const char *name, const char *what,
                              const char *text, json_t **out)
{
    json_error_t err;
    /* Lambda layers keep marshalled Python code: NUL characters */
    *out = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
    if (!*out)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: %s is not valid JSON: line %d, column %d: "
                              "%s",
                              name, what, err.line, err.column, err.text);
    return DL4C_OK;
}

static dl4c_status check_model(const kx_source *src)
{
    if (!json_is_object(src->model) || !is_model_class(kx_class_of(src->model)))
        return dl4c_error_set(
            DL4C_FORMAT,
            "%s: the model config is not a Keras model "
            "(class_name '%s'; Sequential, Model or "
            "Functional expected)",
            src->name, kx_class_of(src->model) ? kx_class_of(src->model) : "?");
    return DL4C_OK;
}

static void set_version(kx_source *src)
{
    src->major = major_of(src->keras_version);
    if (src->major < 1 || src->major > 3)
        src->major = guess_major(src->model);
}

/* Legacy HDF5: a full model, or a weights file (only with a JSON). */
static dl4c_status open_hdf5(const char *path, kx_source *src, bool weights)
{
    dl4c_status status = DL4C_OK;
    char *text = NULL;
    DL4C_TRY(dl4c_h5_open(path, &src->h5));
    src->layout = KX_WEIGHTS_LEGACY;
    src->wroot =
        dl4c_h5_is_group(src->h5, "model_weights") ? "model_weights" : "";
    if (!src->keras_version)
        DL4C_TRY(dl4c_h5_attr_string(src->h5, "", "keras_version",
                                     &src->keras_version));
    if (!src->keras_version && *src->wroot)
        DL4C_TRY(dl4c_h5_attr_string(src->h5, src->wroot, "keras_version",
                                     &src->keras_version));
    if (!src->backend)
        DL4C_TRY(dl4c_h5_attr_string(src->h5, "", "backend", &src->backend));
    if (weights)
        return DL4C_OK;
    DL4C_TRY(dl4c_h5_attr_string(src->h5, "", "model_config", &text));
    if (!text) {
        DL4C_CHECK(!dl4c_h5_has_attr(src->h5, "", "layer_names"), DL4C_FORMAT,
                   "%s: a weights-only file (model.save_weights): import it "
                   "together with the model's architecture JSON",
                   path);
        DL4C_FAIL(DL4C_FORMAT,
                  "%s: an HDF5 file without a Keras model "
                  "(no model_config attribute)",
                  path);
    }
    DL4C_TRY(parse_json(path, "model_config", text, &src->model));
    dl4c_free(text);
    text = NULL;
    DL4C_TRY(dl4c_h5_attr_string(src->h5, "", "training_config", &text));
    if (text &&
        parse_json(path, "training_config", text, &src->training) != DL4C_OK) {
        /* the model still imports; training settings are optional */
        src->training = NULL;
    }
fail:
    dl4c_free(text);
    return status;
}

static dl4c_status open_archive(const char *path, kx_source *src)
{
    dl4c_status status = DL4C_OK;
    kx_archive a = {0};
    json_t *meta = NULL;
    DL4C_TRY(kx_archive_read(path, &a));
    DL4C_TRY(parse_json(path, "config.json", a.config, &src->model));
    if (a.metadata &&
        parse_json(path, "metadata.json", a.metadata, &meta) == DL4C_OK) {
        const char *v =
            json_string_value(json_object_get(meta, "keras_version"));
        if (v && !(src->keras_version = dl4c_strdup(v)))
            DL4C_NOMEM_FAIL();
    }
    {
        json_t *cc = json_object_get(src->model, "compile_config");
        if (json_is_object(cc))
            src->training = json_incref(cc);
    }
    if (a.weights) {
        char name[1100];
        snprintf(name, sizeof name, "%s:model.weights.h5", path);
        DL4C_TRY(dl4c_h5_open_memory(a.weights, a.weights_len, name, &src->h5));
        src->layout = KX_WEIGHTS_V3;
        src->wroot = "";
    }
fail:
    json_decref(meta);
    kx_archive_deinit(&a);
    return status;
}

static dl4c_status open_json(const char *path, kx_source *src)
{
    json_error_t err;
    src->model =
        json_load_file(path, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
    if (!src->model)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: not valid JSON: line %d, column %d: %s",
                              path, err.line, err.column, err.text);
    const char *v =
        json_string_value(json_object_get(src->model, "keras_version"));
    const char *b = json_string_value(json_object_get(src->model, "backend"));
    if ((v && !(src->keras_version = dl4c_strdup(v))) ||
        (b && !(src->backend = dl4c_strdup(b))))
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return DL4C_OK;
}

static dl4c_status finish(kx_source *src)
{
    DL4C_RETURN_IF(check_model(src));
    set_version(src);
    if (!src->backend && !(src->backend = dl4c_strdup("tensorflow")))
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return DL4C_OK;
}

dl4c_status kx_source_open(const char *path, kx_source *src)
{
    dl4c_status status = DL4C_OK;
    dl4c_keras_format fmt;
    memset(src, 0, sizeof *src);
    src->name = dl4c_strdup(path);
    if (!src->name)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(dl4c_keras_sniff(path, &fmt));
    switch (fmt) {
    case DL4C_KERAS_HDF5:
        DL4C_TRY(open_hdf5(path, src, false));
        break;
    case DL4C_KERAS_ARCHIVE:
        DL4C_TRY(open_archive(path, src));
        break;
    case DL4C_KERAS_JSON:
        DL4C_TRY(open_json(path, src));
        break;
    default:
        DL4C_FAIL(DL4C_FORMAT,
                  "%s: not a Keras model (neither HDF5, a .keras zip nor a "
                  "Keras architecture JSON)",
                  path);
    }
    DL4C_TRY(finish(src));
    return DL4C_OK;
fail:
    kx_source_deinit(src);
    return status;
}

dl4c_status kx_source_open_split(const char *config_path,
                                 const char *weights_path, kx_source *src)
{
    dl4c_status status = DL4C_OK;
    dl4c_keras_format fmt;
    memset(src, 0, sizeof *src);
    src->name = dl4c_strdup(weights_path ? weights_path : config_path);
    if (!src->name)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(open_json(config_path, src));
    if (weights_path) {
        DL4C_TRY(dl4c_keras_sniff(weights_path, &fmt));
        DL4C_CHECK(fmt == DL4C_KERAS_HDF5, DL4C_FORMAT,
                   "%s: not an HDF5 weights file", weights_path);
        DL4C_TRY(open_hdf5(weights_path, src, true));
        DL4C_CHECK(!dl4c_h5_has_attr(src->h5, "", "model_config") ||
                       dl4c_h5_is_group(src->h5, src->wroot),
                   DL4C_FORMAT, "%s: holds no weights", weights_path);
    }
    DL4C_TRY(finish(src));
    return DL4C_OK;
fail:
    kx_source_deinit(src);
    return status;
}

void kx_source_deinit(kx_source *src)
{
    dl4c_free(src->name);
    json_decref(src->model);
    json_decref(src->training);
    dl4c_free(src->keras_version);
    dl4c_free(src->backend);
    dl4c_h5_close(src->h5);
    memset(src, 0, sizeof *src);
}
