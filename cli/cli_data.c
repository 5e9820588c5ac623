/* Data and model loading shared by the subcommands: CSV files, MNIST-layout
 * IDX directories or explicit IDX pairs, libsvm files, and model files. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* libsvm/svmlight files by their name: .svm, .libsvm, .svmlight (.gz) */
static bool is_libsvm(const char *path)
{
    static const char *const ext[] = {".svm", ".libsvm", ".svmlight"};
    char name[4096];
    snprintf(name, sizeof name, "%s", path);
    size_t n = strlen(name);
    if (n > 3 && !strcmp(name + n - 3, ".gz"))
        name[n -= 3] = '\0';
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t m = strlen(ext[i]);
        if (n > m && !strcmp(name + n - m, ext[i]))
            return true;
    }
    return false;
}

dl4c_status cli_load_data(const char *path, bool train, const cli_data_opts *o,
                          dl4c_dataset **out)
{
    const char *comma = strchr(path, ',');
    *out = NULL;
    if (is_dir(path))
        return dl4c_mnist_load_dir(path, train, out);
    if (is_libsvm(path)) {
        dl4c_libsvm_options l = dl4c_libsvm_options_default();
        l.classification = o->num_classes > 0;
        /* classes numbered as the model's or the training file's */
        if (l.classification && o->class_names && o->n_class_names > 0) {
            l.class_names = o->class_names;
            l.num_classes = o->n_class_names;
        }
        return dl4c_libsvm_load(path, &l, out);
    }
    if (comma) {
        char images[4096];
        snprintf(images, sizeof images, "%.*s", (int)(comma - path), path);
        return dl4c_idx_load_mnist(images, comma + 1, out);
    }
    dl4c_csv_options c = dl4c_csv_options_default();
    if (o->delimiter) {
        if (!strcmp(o->delimiter, "\\t") || !strcmp(o->delimiter, "tab"))
            c.delimiter = '\t';
        else
            c.delimiter = o->delimiter[0];
    }
    c.skip_lines = (int)o->skip_lines;
    c.num_classes = (int)o->num_classes;
    c.class_names = o->class_names;
    if (o->label_index >= 0) {
        c.label_from = (int)o->label_index;
        c.label_to = o->labels_to >= 0 ? (int)o->labels_to : c.label_from;
    } else {
        /* the last column: count the columns of the first data row */
        FILE *f = fopen(path, "r");
        char line[65536];
        int cols = 0;
        for (int64_t skip = 0; f && skip <= o->skip_lines; skip++)
            if (!fgets(line, sizeof line, f))
                line[0] = '\0';
        if (f) {
            fclose(f);
            cols = 1;
            for (char *p = line; *p; p++)
                cols += *p == c.delimiter;
        }
        c.label_from = c.label_to = cols > 0 ? cols - 1 : 0;
    }
    return dl4c_csv_load(path, &c, out);
}

dl4c_status cli_fit_to_net(dl4c_dataset *ds, const dl4c_net *net)
{
    dl4c_shape want = dl4c_net_input_shape(net, 0);
    const dl4c_tensor *x = dl4c_dataset_features(ds);
    int64_t per = dl4c_tensor_size(x) / dl4c_tensor_dim(x, 0);
    if (per != dl4c_shape_size(&want))
        return DL4C_OK; /* the net reports the mismatch with both shapes */
    return dl4c_dataset_reshape_features(ds, want.ndim, want.dim);
}

dl4c_status cli_load_model(const char *path, dl4c_net **out)
{
    char *stored = NULL; /* NAME[:VERSION|@LABEL] from the model store */
    dl4c_status st = cli_store_resolve(path, &stored);
    if (st == DL4C_OK && stored)
        st = cli_load_model(stored, out);
    else if (st == DL4C_OK)
        st = cli_load_model_file(path, out); /* dl4c or Keras */
    free(stored);
    return st;
}
