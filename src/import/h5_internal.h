/* A small read-only wrapper over libhdf5 for the Keras importer: open a
 * file (or an in-memory image), test paths, read string attributes and
 * numeric datasets into tensors. Every call checks what it reads and
 * reports failures through dl4c statuses naming the path; HDF5's own error
 * printing is switched off while a file is open. Paths are '/'-separated
 * from the root; a component may hold any other character (Keras 3 files
 * written on Windows name groups "layers\dense"). */
#ifndef DL4C_H5_INTERNAL_H
#define DL4C_H5_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "dl4c/tensor.h"

typedef struct dl4c_h5 dl4c_h5;

/* Opens an HDF5 file read-only. DL4C_IO when it cannot be read,
 * DL4C_FORMAT when it is not a (readable) HDF5 file. `name` (for
 * messages) is copied. */
dl4c_status dl4c_h5_open(const char *path, dl4c_h5 **out);
/* The same from an image of the whole file in memory (copied). */
dl4c_status dl4c_h5_open_memory(const void *bytes, size_t len, const char *name,
                                dl4c_h5 **out);
void dl4c_h5_close(dl4c_h5 *f);
/* The name given when opening (for messages). */
const char *dl4c_h5_name(const dl4c_h5 *f);

/* True when the group or dataset exists ("" and "/" are the root). */
bool dl4c_h5_exists(dl4c_h5 *f, const char *path);
bool dl4c_h5_is_group(dl4c_h5 *f, const char *path);
bool dl4c_h5_is_dataset(dl4c_h5 *f, const char *path);
bool dl4c_h5_has_attr(dl4c_h5 *f, const char *path, const char *attr);

/* A string attribute (scalar, or the strings of a 1-element array),
 * fixed- or variable-length, as a new string (dl4c_free). *out is NULL
 * and the status DL4C_OK when the attribute is absent. */
dl4c_status dl4c_h5_attr_string(dl4c_h5 *f, const char *path, const char *attr,
                                char **out);
/* A string-array attribute as *n new strings in a new array (free with
 * dl4c_h5_free_strings). *n is -1 when the attribute is absent. */
dl4c_status dl4c_h5_attr_strings(dl4c_h5 *f, const char *path, const char *attr,
                                 char ***out, int *n);
void dl4c_h5_free_strings(char **s, int n);

/* The names of a group's members, sorted as HDF5 lists them (by name). */
dl4c_status dl4c_h5_children(dl4c_h5 *f, const char *path, char ***out, int *n);

/* A float or integer dataset as a new tensor of `dtype` with the
 * dataset's shape (a scalar gives a 0-d tensor). DL4C_FORMAT for a
 * missing, empty, oversized or unreadable dataset, DL4C_UNSUPPORTED for a
 * non-numeric one. */
dl4c_status dl4c_h5_read(dl4c_h5 *f, const char *path, dl4c_dtype dtype,
                         dl4c_tensor **out);

#endif
