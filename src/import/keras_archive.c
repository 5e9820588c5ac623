/* Reading a Keras 3 .keras archive: a zip holding config.json (the model
 * and compile config), metadata.json (keras_version, date_saved) and
 * model.weights.h5 (the weights, Keras 3 layout). Member names are matched
 * exactly, then ignoring any folder part (archives written by hand or on
 * Windows). Every size comes from the zip directory and is checked before
 * memory is taken for it. */
#include <string.h>
#include <zip.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "import/keras_internal.h"

#define MAX_JSON ((zip_uint64_t)64 << 20)
#define MAX_WEIGHTS ((zip_uint64_t)16 << 30)

/* Reads member `name` (NUL-terminated when `text`); *out NULL when the
 * archive has no such member. */
static dl4c_status read_member(zip_t *z, const char *path, const char *name,
                               bool text, zip_uint64_t max, void **out,
                               size_t *len)
{
    zip_stat_t st;
    zip_int64_t idx = zip_name_locate(z, name, 0);
    *out = NULL;
    *len = 0;
    if (idx < 0)
        idx = zip_name_locate(z, name, ZIP_FL_NODIR);
    if (idx < 0)
        return DL4C_OK;
    zip_stat_init(&st);
    if (zip_stat_index(z, (zip_uint64_t)idx, 0, &st) != 0 ||
        !(st.valid & ZIP_STAT_SIZE))
        return dl4c_error_set(DL4C_FORMAT, "%s: member %s is unreadable", path,
                              name);
    if (st.size > max)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: member %s is %llu bytes, "
                              "more than a model holds",
                              path, name, (unsigned long long)st.size);
    unsigned char *buf = dl4c_malloc((size_t)st.size + 1);
    if (!buf)
        return dl4c_error_set(DL4C_NOMEM, "out of memory for %s", name);
    zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)idx, 0);
    zip_uint64_t got = 0;
    while (f && got < st.size) {
        zip_int64_t r = zip_fread(f, buf + got, st.size - got);
        if (r <= 0)
            break;
        got += (zip_uint64_t)r;
    }
    if (f)
        zip_fclose(f);
    if (!f || got != st.size) {
        dl4c_free(buf);
        return dl4c_error_set(
            DL4C_FORMAT, "%s: member %s is damaged or truncated", path, name);
    }
    buf[st.size] = '\0';
    if (text && memchr(buf, '\0', (size_t)st.size)) {
        dl4c_free(buf);
        return dl4c_error_set(DL4C_FORMAT, "%s: member %s is not text", path,
                              name);
    }
    *out = buf;
    *len = (size_t)st.size;
    return DL4C_OK;
}

dl4c_status kx_archive_read(const char *path, kx_archive *out)
{
    dl4c_status status = DL4C_OK;
    int err = 0;
    size_t len;
    void *p = NULL;
    memset(out, 0, sizeof *out);
    zip_t *z = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (!z) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, err);
        status = dl4c_error_set(
            err == ZIP_ER_OPEN || err == ZIP_ER_READ ? DL4C_IO : DL4C_FORMAT,
            "%s: not a readable .keras archive: %s", path,
            zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return status;
    }
    DL4C_TRY(read_member(z, path, "config.json", true, MAX_JSON, &p, &len));
    DL4C_CHECK(p, DL4C_FORMAT,
               "%s: a zip without config.json is not a "
               ".keras model",
               path);
    out->config = p;
    DL4C_TRY(read_member(z, path, "metadata.json", true, MAX_JSON, &p, &len));
    out->metadata = p;
    DL4C_TRY(
        read_member(z, path, "model.weights.h5", false, MAX_WEIGHTS, &p, &len));
    out->weights = p;
    out->weights_len = len;
    zip_discard(z);
    return DL4C_OK;
fail:
    zip_discard(z);
    kx_archive_deinit(out);
    return status;
}

void kx_archive_deinit(kx_archive *a)
{
    dl4c_free(a->config);
    dl4c_free(a->metadata);
    dl4c_free(a->weights);
    memset(a, 0, sizeof *a);
}
