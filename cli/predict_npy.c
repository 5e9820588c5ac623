/* dl4c predict with NumPy arrays: one .npy file per model input (in the
 * model's input order, batch first, in the layout Keras used: a
 * channels_first model takes channels_first arrays), and one .npy file per
 * output written as output_0.npy, output_1.npy, ... in the model's output
 * order, as Keras' model.predict returns them. Rows run in batches so
 * large arrays need no more memory than the arrays themselves. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#define MAX_INPUTS 32

typedef struct npy_args {
    const char *model, *out_dir;
    const char *inputs[MAX_INPUTS];
    int n_inputs;
    int64_t batch;
} npy_args;

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && !strcmp(s + n - t, tail);
}

/* The value of --name at argv[*i] ("--name v" or "--name=v"), or NULL. */
static const char *value_of(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, "--", 2) || strncmp(a + 2, name, n))
        return NULL;
    if (a[2 + n] == '=')
        return a + 3 + n;
    if (a[2 + n] || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

bool cli_predict_wants_npy(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *v = value_of(argc, argv, &i, "input");
        if (v && ends_with(v, ".npy"))
            return true;
        if (!strncmp(argv[i], "--output-dir", 12))
            return true;
    }
    return false;
}

static int parse(int argc, char **argv, npy_args *a)
{
    a->out_dir = ".";
    a->batch = 256;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: dl4c predict --model FILE --input A.npy "
                   "[--input B.npy ...] [--output-dir DIR] [--batch N]\n\n"
                   "Predicts for NumPy arrays: one .npy per model input, in "
                   "the model's input\norder, batch first, in the layout "
                   "the Keras model used. Writes\noutput_0.npy, "
                   "output_1.npy, ... (one per output, in order) to DIR "
                   "(default .).\n");
            return -1;
        }
        if ((v = value_of(argc, argv, &i, "model"))) {
            a->model = v;
        } else if ((v = value_of(argc, argv, &i, "input"))) {
            if (a->n_inputs == MAX_INPUTS)
                return cli_usage_error("predict", "more than %d --input",
                                       MAX_INPUTS);
            a->inputs[a->n_inputs++] = v;
        } else if ((v = value_of(argc, argv, &i, "output-dir"))) {
            a->out_dir = v;
        } else if ((v = value_of(argc, argv, &i, "batch"))) {
            char *end = NULL;
            a->batch = strtoll(v, &end, 10);
            if (!*v || *end || a->batch < 1 || a->batch > (1 << 24))
                return cli_usage_error("predict",
                                       "--batch: '%s' is not a whole number "
                                       "in 1..16777216",
                                       v);
        } else {
            return cli_usage_error("predict",
                                   "'%s' is not an option of .npy prediction "
                                   "(--model, --input, --output-dir, --batch)",
                                   argv[i]);
        }
    }
    if (!a->model || a->n_inputs == 0)
        return cli_usage_error("predict", "--model and --input are required");
    return 0;
}

/* Rows [from, from + n) of t as a view. */
static dl4c_status rows_of(const dl4c_tensor *t, int64_t from, int64_t n,
                           dl4c_tensor **out)
{
    dl4c_shape s = dl4c_tensor_shape(t);
    int64_t per = dl4c_tensor_size(t) / s.dim[0];
    s.dim[0] = n;
    return dl4c_tensor_view(t, from * per, s.ndim, s.dim, out);
}

static int run(const npy_args *a, dl4c_net *net, dl4c_tensor **in,
               dl4c_tensor **out)
{
    int n_in = dl4c_net_num_inputs(net), n_out = dl4c_net_num_outputs(net);
    int64_t rows = 0;
    dl4c_status st = DL4C_OK;
    for (int i = 0; i < n_in; i++) {
        dl4c_tensor *raw = NULL;
        st = dl4c_npy_load(a->inputs[i], DL4C_F32, &raw);
        if (st == DL4C_OK) {
            st = dl4c_keras_input_convert(net, i, raw, &in[i]);
            if (st != DL4C_OK)
                fprintf(stderr, "dl4c predict: error: %s: %s\n", a->inputs[i],
                        dl4c_last_error());
        } else {
            cli_fail("predict");
        }
        dl4c_tensor_free(raw);
        if (st != DL4C_OK)
            return CLI_FAIL;
        if (i == 0)
            rows = dl4c_tensor_dim(in[0], 0);
        if (dl4c_tensor_dim(in[i], 0) != rows) {
            fprintf(stderr,
                    "dl4c predict: error: %s has %lld rows, %s has %lld\n",
                    a->inputs[i], (long long)dl4c_tensor_dim(in[i], 0),
                    a->inputs[0], (long long)rows);
            return CLI_FAIL;
        }
    }
    if (n_in == 1 && dl4c_net_normalizer(net))
        st = dl4c_normalizer_transform(dl4c_net_normalizer(net), in[0]);
    for (int64_t r = 0; r < rows && st == DL4C_OK; r += a->batch) {
        int64_t n = rows - r < a->batch ? rows - r : a->batch;
        dl4c_tensor *part[MAX_INPUTS] = {0};
        for (int i = 0; i < n_in && st == DL4C_OK; i++)
            st = rows_of(in[i], r, n, &part[i]);
        if (st == DL4C_OK)
            st = dl4c_net_forward(net, n_in, (const dl4c_tensor *const *)part,
                                  false);
        for (int o = 0; o < n_out && st == DL4C_OK; o++) {
            const dl4c_tensor *y = dl4c_net_output(net, o);
            dl4c_tensor *dst = NULL;
            if (!out[o]) {
                dl4c_shape s = dl4c_tensor_shape(y);
                s.dim[0] = rows;
                st = dl4c_tensor_create(DL4C_F32, s.ndim, s.dim, &out[o]);
            }
            if (st == DL4C_OK)
                st = rows_of(out[o], r, n, &dst);
            if (st == DL4C_OK)
                st = dl4c_tensor_copy_into(y, dst);
            dl4c_tensor_free(dst);
        }
        for (int i = 0; i < n_in; i++)
            dl4c_tensor_free(part[i]);
    }
    for (int o = 0; o < n_out && st == DL4C_OK; o++) {
        char path[4096];
        dl4c_tensor *k = NULL;
        snprintf(path, sizeof path, "%s/output_%d.npy", a->out_dir, o);
        st = dl4c_keras_output_convert(net, o, out[o], &k);
        if (st == DL4C_OK)
            st = dl4c_npy_save(k, path);
        dl4c_tensor_free(k);
    }
    return st == DL4C_OK ? CLI_OK : cli_fail("predict");
}

int cli_predict_npy(int argc, char **argv)
{
    npy_args a = {0};
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    struct stat st;
    if (stat(a.out_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr,
                "dl4c predict: error: --output-dir %s is not a "
                "directory\n",
                a.out_dir);
        return CLI_FAIL;
    }
    dl4c_net *net = NULL;
    if (cli_load_model(a.model, &net) != DL4C_OK)
        return cli_fail("predict");
    int n_in = dl4c_net_num_inputs(net), n_out = dl4c_net_num_outputs(net);
    if (a.n_inputs != n_in) {
        fprintf(stderr, "dl4c predict: error: the model has %d inputs (", n_in);
        for (int i = 0; i < n_in; i++)
            fprintf(stderr, "%s%s", i ? ", " : "", dl4c_net_input_name(net, i));
        fprintf(stderr, "), got %d --input files\n", a.n_inputs);
        dl4c_net_free(net);
        return CLI_FAIL;
    }
    dl4c_tensor **in = calloc((size_t)n_in, sizeof *in);
    dl4c_tensor **out = calloc((size_t)n_out, sizeof *out);
    rc = in && out ? run(&a, net, in, out) : CLI_FAIL;
    for (int i = 0; in && i < n_in; i++)
        dl4c_tensor_free(in[i]);
    for (int o = 0; out && o < n_out; o++)
        dl4c_tensor_free(out[o]);
    free(in);
    free(out);
    dl4c_net_free(net);
    return rc;
}
