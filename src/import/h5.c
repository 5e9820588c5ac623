/* The HDF5 reading wrapper (see h5_internal.h). Every libhdf5 call runs
 * inside H5E_BEGIN_TRY/H5E_END_TRY so a damaged file produces a dl4c
 * status, not an HDF5 error stack on stderr. Sizes read from the file are
 * checked before anything is allocated for them. */
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "import/h5_internal.h"

/* Largest dataset read (elements): far beyond any Keras layer, small
 * enough that a lying header cannot ask for absurd memory. */
#define MAX_ELEMS ((hsize_t)1 << 32)
#define MAX_STRINGS (1 << 22)

struct dl4c_h5 {
    hid_t file;
    char *name;
};

const char *dl4c_h5_name(const dl4c_h5 *f)
{
    return f->name;
}

static dl4c_status finish_open(hid_t file, const char *name, dl4c_h5 **out)
{
    dl4c_h5 *f = dl4c_calloc(1, sizeof *f);
    char *copy = dl4c_strdup(name);
    if (!f || !copy) {
        dl4c_free(f);
        dl4c_free(copy);
        H5E_BEGIN_TRY
        {
            H5Fclose(file);
        }
        H5E_END_TRY;
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    f->file = file;
    f->name = copy;
    *out = f;
    return DL4C_OK;
}

dl4c_status dl4c_h5_open(const char *path, dl4c_h5 **out)
{
    hid_t file = -1;
    *out = NULL;
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return dl4c_error_set(DL4C_IO, "%s: cannot open", path);
    fclose(probe);
    H5E_BEGIN_TRY
    {
        file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    }
    H5E_END_TRY;
    if (file < 0)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: not a readable HDF5 file (damaged or "
                              "truncated)",
                              path);
    return finish_open(file, path, out);
}

dl4c_status dl4c_h5_open_memory(const void *bytes, size_t len, const char *name,
                                dl4c_h5 **out)
{
    hid_t file = -1, fapl = -1;
    *out = NULL;
    H5E_BEGIN_TRY
    {
        fapl = H5Pcreate(H5P_FILE_ACCESS);
        if (fapl >= 0 && H5Pset_fapl_core(fapl, 1 << 16, 0) >= 0 &&
            H5Pset_file_image(fapl, (void *)bytes, len) >= 0)
            file = H5Fopen(name, H5F_ACC_RDONLY, fapl);
        if (fapl >= 0)
            H5Pclose(fapl);
    }
    H5E_END_TRY;
    if (file < 0)
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: not a readable HDF5 file (damaged or "
                              "truncated)",
                              name);
    return finish_open(file, name, out);
}

void dl4c_h5_close(dl4c_h5 *f)
{
    if (!f)
        return;
    H5E_BEGIN_TRY
    {
        H5Fclose(f->file);
    }
    H5E_END_TRY;
    dl4c_free(f->name);
    dl4c_free(f);
}

/* Walks the path one link at a time (H5Lexists fails rather than answers
 * when an intermediate group is missing). */
static bool link_exists(dl4c_h5 *f, const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || !strcmp(path, "/"))
        return true;
    if (n >= sizeof buf)
        return false;
    memcpy(buf, path, n + 1);
    bool ok = true;
    H5E_BEGIN_TRY
    {
        for (size_t i = 1; i <= n && ok; i++) {
            if (buf[i] != '/' && buf[i] != '\0')
                continue;
            char saved = buf[i];
            buf[i] = '\0';
            ok = H5Lexists(f->file, buf, H5P_DEFAULT) > 0 &&
                 H5Oexists_by_name(f->file, buf, H5P_DEFAULT) > 0;
            buf[i] = saved;
        }
    }
    H5E_END_TRY;
    return ok;
}

bool dl4c_h5_exists(dl4c_h5 *f, const char *path)
{
    return link_exists(f, path);
}

static H5O_type_t object_type(dl4c_h5 *f, const char *path)
{
    H5O_info_t info;
    H5O_type_t type = H5O_TYPE_UNKNOWN;
    if (!link_exists(f, path))
        return type;
    H5E_BEGIN_TRY
    {
        if (H5Oget_info_by_name(f->file, *path ? path : "/", &info,
                                H5P_DEFAULT) >= 0)
            type = info.type;
    }
    H5E_END_TRY;
    return type;
}

bool dl4c_h5_is_group(dl4c_h5 *f, const char *path)
{
    return object_type(f, path) == H5O_TYPE_GROUP;
}

bool dl4c_h5_is_dataset(dl4c_h5 *f, const char *path)
{
    return object_type(f, path) == H5O_TYPE_DATASET;
}

bool dl4c_h5_has_attr(dl4c_h5 *f, const char *path, const char *attr)
{
    htri_t r = -1;
    if (!link_exists(f, path))
        return false;
    H5E_BEGIN_TRY
    {
        r = H5Aexists_by_name(f->file, *path ? path : "/", attr, H5P_DEFAULT);
    }
    H5E_END_TRY;
    return r > 0;
}

void dl4c_h5_free_strings(char **s, int n)
{
    for (int i = 0; s && i < n; i++)
        dl4c_free(s[i]);
    dl4c_free(s);
}

/* Reads every string of a string attribute (fixed or variable length,
 * scalar or 1-d). */
static dl4c_status read_strings(dl4c_h5 *f, const char *path, const char *attr,
                                char ***out, int *count)
{
    dl4c_status status = DL4C_OK;
    hid_t a = -1, type = -1, space = -1, mem = -1;
    char **strs = NULL, **vl = NULL, *raw = NULL;
    hssize_t n = 0;
    int got = 0;
    *out = NULL;
    *count = 0;
    H5E_BEGIN_TRY
    {
        a = H5Aopen_by_name(f->file, *path ? path : "/", attr, H5P_DEFAULT,
                            H5P_DEFAULT);
        if (a >= 0) {
            type = H5Aget_type(a);
            space = H5Aget_space(a);
        }
    }
    H5E_END_TRY;
    DL4C_CHECK(a >= 0 && type >= 0 && space >= 0, DL4C_FORMAT,
               "%s: attribute '%s' of '%s' cannot be read", f->name, attr,
               path);
    n = H5Sget_simple_extent_npoints(space);
    /* an empty list is often saved as an empty float array */
    DL4C_CHECK(H5Tget_class(type) == H5T_STRING || n == 0, DL4C_FORMAT,
               "%s: attribute '%s' of '%s' is not text", f->name, attr, path);
    DL4C_CHECK(n >= 0 && n <= MAX_STRINGS &&
                   H5Sget_simple_extent_ndims(space) <= 1,
               DL4C_FORMAT, "%s: attribute '%s' of '%s' has an absurd shape",
               f->name, attr, path);
    strs = dl4c_calloc((size_t)(n ? n : 1), sizeof *strs);
    if (!strs)
        DL4C_NOMEM_FAIL();
    if (n == 0)
        goto done;
    if (H5Tis_variable_str(type) > 0) {
        vl = dl4c_calloc((size_t)n, sizeof *vl);
        mem = H5Tcopy(H5T_C_S1);
        if (!vl || mem < 0 || H5Tset_size(mem, H5T_VARIABLE) < 0 ||
            H5Tset_cset(mem, H5Tget_cset(type)) < 0)
            DL4C_NOMEM_FAIL();
        herr_t r = -1;
        H5E_BEGIN_TRY
        {
            r = H5Aread(a, mem, vl);
        }
        H5E_END_TRY;
        DL4C_CHECK(r >= 0, DL4C_FORMAT,
                   "%s: attribute '%s' of '%s' cannot be read", f->name, attr,
                   path);
        for (hssize_t i = 0; i < n; i++) {
            strs[i] = dl4c_strdup(vl[i] ? vl[i] : "");
            if (!strs[i]) {
                H5Dvlen_reclaim(mem, space, H5P_DEFAULT, vl);
                DL4C_NOMEM_FAIL();
            }
            got++;
        }
        H5Dvlen_reclaim(mem, space, H5P_DEFAULT, vl);
    } else {
        size_t size = H5Tget_size(type);
        DL4C_CHECK(size > 0 && size < ((size_t)1 << 26), DL4C_FORMAT,
                   "%s: attribute '%s' of '%s' has an absurd size", f->name,
                   attr, path);
        raw = dl4c_malloc(size * (size_t)n);
        if (!raw)
            DL4C_NOMEM_FAIL();
        herr_t r = -1;
        H5E_BEGIN_TRY
        {
            r = H5Aread(a, type, raw);
        }
        H5E_END_TRY;
        DL4C_CHECK(r >= 0, DL4C_FORMAT,
                   "%s: attribute '%s' of '%s' cannot be read", f->name, attr,
                   path);
        for (hssize_t i = 0; i < n; i++) {
            const char *s = raw + (size_t)i * size;
            strs[i] = dl4c_strndup(s, strnlen(s, size));
            if (!strs[i])
                DL4C_NOMEM_FAIL();
            got++;
        }
    }
done:
    *out = strs;
    *count = (int)n;
    strs = NULL;
fail:
    dl4c_h5_free_strings(strs, got);
    dl4c_free(vl);
    dl4c_free(raw);
    H5E_BEGIN_TRY
    {
        if (mem >= 0)
            H5Tclose(mem);
        if (type >= 0)
            H5Tclose(type);
        if (space >= 0)
            H5Sclose(space);
        if (a >= 0)
            H5Aclose(a);
    }
    H5E_END_TRY;
    return status;
}

dl4c_status dl4c_h5_attr_strings(dl4c_h5 *f, const char *path, const char *attr,
                                 char ***out, int *n)
{
    *out = NULL;
    *n = -1;
    if (!dl4c_h5_has_attr(f, path, attr))
        return DL4C_OK;
    return read_strings(f, path, attr, out, n);
}

dl4c_status dl4c_h5_attr_string(dl4c_h5 *f, const char *path, const char *attr,
                                char **out)
{
    char **strs = NULL;
    int n = 0;
    *out = NULL;
    if (!dl4c_h5_has_attr(f, path, attr))
        return DL4C_OK;
    DL4C_RETURN_IF(read_strings(f, path, attr, &strs, &n));
    if (n != 1) {
        dl4c_h5_free_strings(strs, n);
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: attribute '%s' of '%s' holds %d strings, "
                              "expected one",
                              f->name, attr, path, n);
    }
    *out = strs[0];
    dl4c_free(strs);
    return DL4C_OK;
}

typedef struct name_list {
    char **names;
    int n, cap;
    bool nomem;
} name_list;

static herr_t add_name(hid_t group, const char *name, const H5L_info_t *info,
                       void *data)
{
    (void)group;
    (void)info;
    name_list *l = data;
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        char **grown = cap <= MAX_STRINGS
                           ? dl4c_realloc(l->names, sizeof *grown * (size_t)cap)
                           : NULL;
        if (!grown) {
            l->nomem = true;
            return -1;
        }
        l->names = grown;
        l->cap = cap;
    }
    l->names[l->n] = dl4c_strdup(name);
    if (!l->names[l->n]) {
        l->nomem = true;
        return -1;
    }
    l->n++;
    return 0;
}

dl4c_status dl4c_h5_children(dl4c_h5 *f, const char *path, char ***out, int *n)
{
    name_list l = {0};
    herr_t r = -1;
    *out = NULL;
    *n = 0;
    if (!dl4c_h5_is_group(f, path))
        return dl4c_error_set(DL4C_FORMAT, "%s: group '%s' is missing", f->name,
                              path);
    H5E_BEGIN_TRY
    {
        r = H5Literate_by_name(f->file, *path ? path : "/", H5_INDEX_NAME,
                               H5_ITER_INC, NULL, add_name, &l, H5P_DEFAULT);
    }
    H5E_END_TRY;
    if (r < 0) {
        dl4c_h5_free_strings(l.names, l.n);
        return l.nomem ? dl4c_error_set(DL4C_NOMEM, "out of memory")
                       : dl4c_error_set(DL4C_FORMAT,
                                        "%s: group '%s' cannot be listed",
                                        f->name, path);
    }
    *out = l.names;
    *n = l.n;
    return DL4C_OK;
}

dl4c_status dl4c_h5_read(dl4c_h5 *f, const char *path, dl4c_dtype dtype,
                         dl4c_tensor **out)
{
    dl4c_status status = DL4C_OK;
    hid_t d = -1, space = -1, type = -1, plist = -1;
    dl4c_tensor *t = NULL;
    hsize_t dims[H5S_MAX_RANK];
    int64_t shape[DL4C_MAX_DIMS];
    *out = NULL;
    DL4C_CHECK(dl4c_h5_is_dataset(f, path), DL4C_FORMAT,
               "%s: dataset '%s' is missing", f->name, path);
    H5E_BEGIN_TRY
    {
        d = H5Dopen2(f->file, path, H5P_DEFAULT);
        if (d >= 0) {
            space = H5Dget_space(d);
            type = H5Dget_type(d);
            plist = H5Dget_create_plist(d);
        }
    }
    H5E_END_TRY;
    DL4C_CHECK(d >= 0 && space >= 0 && type >= 0 && plist >= 0, DL4C_FORMAT,
               "%s: dataset '%s' cannot be opened", f->name, path);
    H5T_class_t cls = H5Tget_class(type);
    DL4C_CHECK(cls == H5T_FLOAT || cls == H5T_INTEGER, DL4C_UNSUPPORTED,
               "%s: dataset '%s' is not numeric", f->name, path);
    int ndim = H5Sget_simple_extent_ndims(space);
    DL4C_CHECK(ndim >= 0 && ndim <= DL4C_MAX_DIMS, DL4C_FORMAT,
               "%s: dataset '%s' has %d dims (at most %d are supported)",
               f->name, path, ndim, DL4C_MAX_DIMS);
    H5Sget_simple_extent_dims(space, dims, NULL);
    hsize_t count = 1;
    for (int i = 0; i < ndim; i++) {
        DL4C_CHECK(
            dims[i] > 0 && dims[i] <= MAX_ELEMS && count <= MAX_ELEMS / dims[i],
            DL4C_FORMAT, "%s: dataset '%s' has an absurd shape", f->name, path);
        count *= dims[i];
        shape[i] = (int64_t)dims[i];
    }
    /* A contiguous or compact dataset stores its bytes plainly: it must
     * hold them all (a truncated file often does not). */
    if (H5Pget_layout(plist) != H5D_CHUNKED) {
        hsize_t stored = H5Dget_storage_size(d);
        size_t item = H5Tget_size(type);
        DL4C_CHECK(item > 0 && stored >= count * item, DL4C_FORMAT,
                   "%s: dataset '%s' holds %llu bytes, its shape needs %llu",
                   f->name, path, (unsigned long long)stored,
                   (unsigned long long)(count * item));
    }
    DL4C_TRY(dl4c_tensor_create(dtype, ndim, shape, &t));
    {
        herr_t r = -1;
        H5E_BEGIN_TRY
        {
            r = H5Dread(
                d, dtype == DL4C_F64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT,
                H5S_ALL, H5S_ALL, H5P_DEFAULT, dl4c_tensor_data(t));
        }
        H5E_END_TRY;
        DL4C_CHECK(r >= 0, DL4C_FORMAT, "%s: dataset '%s' cannot be read",
                   f->name, path);
    }
    *out = t;
    t = NULL;
fail:
    dl4c_tensor_free(t);
    H5E_BEGIN_TRY
    {
        if (plist >= 0)
            H5Pclose(plist);
        if (type >= 0)
            H5Tclose(type);
        if (space >= 0)
            H5Sclose(space);
        if (d >= 0)
            H5Dclose(d);
    }
    H5E_END_TRY;
    return status;
}
