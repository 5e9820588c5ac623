// labels: conformance
/* Keras conformance: every model of ../shared/conformance/keras that has a
 * reference file is imported and run on the reference's inputs, and its
 * outputs are compared with what the reference says Keras predicted
 * (README.md there: DL4J-style HDF5 with inputs/ and predictions/, or
 * input.npy / predictions.npy). A model passes when every output element
 * is within 1e-5 absolutely, or 1e-5 relative to the reference where that
 * is larger. Prints one row per model and the counts; fails when an
 * imported model mismatches or fewer keras-tier models pass than
 * MIN_KERAS_PASS. Models whose layers dl4c cannot import yet are listed
 * with the reason. */
#include <math.h>
#include <string.h>

#include "import/h5_internal.h"
#include "test.h"

/* Keras-made references (reference_tier "keras") that must pass. */
#define MIN_KERAS_PASS 56
#define ATOL 1e-5
#define RTOL 1e-5

typedef struct row {
    char file[512], role[32], version[32], layers[512], ref[512], tier[32];
} row;

static const char *corpus_dir(void)
{
    static char dir[1024];
    snprintf(dir, sizeof dir, "%s/conformance/keras", DL4C_SHARED_DIR);
    return dir;
}

static char *field(char **p)
{
    char *s = *p, *tab = strchr(s, '\t');
    if (tab) {
        *tab = '\0';
        *p = tab + 1;
    } else {
        *p = s + strlen(s);
    }
    return s;
}

static int read_manifest(row **out)
{
    char path[1100];
    size_t len;
    snprintf(path, sizeof path, "%s/MANIFEST.tsv", corpus_dir());
    char *text = test_read_file(path, &len);
    if (!text)
        return -1;
    int n = 0, cap = 0;
    row *rows = NULL;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, "file\t", 5))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            rows = realloc(rows, sizeof *rows * (size_t)cap);
        }
        row *r = &rows[n++];
        char *p = line;
        snprintf(r->file, sizeof r->file, "%s", field(&p));
        snprintf(r->role, sizeof r->role, "%s", field(&p));
        field(&p); /* source repo */
        field(&p); /* source path */
        field(&p); /* commit */
        snprintf(r->version, sizeof r->version, "%s", field(&p));
        field(&p); /* backend */
        field(&p); /* model kind */
        snprintf(r->layers, sizeof r->layers, "%s", field(&p));
        snprintf(r->ref, sizeof r->ref, "%s", field(&p));
        snprintf(r->tier, sizeof r->tier, "%s", field(&p));
    }
    free(text);
    *out = rows;
    return n;
}

static const char *full(const char *rel)
{
    static char buf[4][1700];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", corpus_dir(), rel);
    return buf[k];
}

/* Names listed in a reference's attribute ({"inputs": [...]}). */
static int ref_names(dl4c_h5 *h, const char *attr, char names[][256], int cap)
{
    char *text = NULL;
    int n = 0;
    if (dl4c_h5_attr_string(h, "", attr, &text) != DL4C_OK || !text)
        return -1;
    /* a tiny reader for {"key": ["a", "b"]} */
    const char *p = strchr(text, '[');
    while (p && n < cap) {
        const char *q = strchr(p, '"');
        if (!q)
            break;
        const char *e = strchr(q + 1, '"');
        if (!e)
            break;
        snprintf(names[n++], 256, "%.*s", (int)(e - q - 1), q + 1);
        p = e + 1;
    }
    dl4c_free(text);
    return n;
}

typedef struct result {
    bool imported, ran;
    double diff, rel; /* largest |a-b|, largest |a-b| / |b| where |b| > 1 */
    bool pass;
    char why[256];
} result;

static void set_why(result *r, const char *msg)
{
    const char *nl = strchr(msg, '\n');
    snprintf(r->why, sizeof r->why, "%.*s", nl ? (int)(nl - msg) : 200, msg);
}

/* Runs the net on the inputs, compares output i with refs[i]. */
static void compare(dl4c_net *net, int n_in, dl4c_tensor **ins, int n_out,
                    dl4c_tensor **refs, result *r)
{
    dl4c_tensor *conv[32] = {0};
    if (n_in != dl4c_net_num_inputs(net) ||
        n_out != dl4c_net_num_outputs(net)) {
        snprintf(r->why, sizeof r->why,
                 "reference has %d inputs / %d outputs, the net %d / %d", n_in,
                 n_out, dl4c_net_num_inputs(net), dl4c_net_num_outputs(net));
        return;
    }
    for (int i = 0; i < n_in; i++)
        if (dl4c_keras_input_convert(net, i, ins[i], &conv[i]) != DL4C_OK) {
            set_why(r, dl4c_last_error());
            goto done;
        }
    if (dl4c_net_forward(net, n_in, (const dl4c_tensor *const *)conv, false) !=
        DL4C_OK) {
        set_why(r, dl4c_last_error());
        goto done;
    }
    r->ran = true;
    r->pass = true;
    for (int i = 0; i < n_out; i++) {
        dl4c_tensor *y = NULL;
        if (dl4c_keras_output_convert(net, i, dl4c_net_output(net, i), &y) !=
            DL4C_OK) {
            set_why(r, dl4c_last_error());
            r->pass = false;
            continue;
        }
        if (dl4c_tensor_size(y) != dl4c_tensor_size(refs[i])) {
            snprintf(r->why, sizeof r->why,
                     "output %d has %lld values, the reference %lld", i,
                     (long long)dl4c_tensor_size(y),
                     (long long)dl4c_tensor_size(refs[i]));
            r->pass = false;
        } else {
            for (int64_t j = 0; j < dl4c_tensor_size(y); j++) {
                double a = dl4c_tensor_get(y, j);
                double b = dl4c_tensor_get(refs[i], j);
                double d = fabs(a - b);
                if (!(d <= r->diff) && !isnan(r->diff))
                    r->diff = isnan(d) ? NAN : d;
                if (fabs(b) > 1 && d / fabs(b) > r->rel)
                    r->rel = d / fabs(b);
                if (!(d <= ATOL || d <= RTOL * fabs(b)))
                    r->pass = false;
            }
        }
        dl4c_tensor_free(y);
    }
done:
    for (int i = 0; i < n_in; i++)
        dl4c_tensor_free(conv[i]);
}

typedef struct reference {
    int n_in, n_out;
    dl4c_tensor *in[32], *out[32];
    dl4c_shape shapes[32]; /* per-example input shapes */
} reference;

static void free_reference(reference *ref)
{
    for (int i = 0; i < 32; i++) {
        dl4c_tensor_free(ref->in[i]);
        dl4c_tensor_free(ref->out[i]);
    }
}

static bool load_h5_reference(const char *path, reference *ref, result *r)
{
    dl4c_h5 *h = NULL;
    char in_names[32][256], out_names[32][256];
    bool ok = false;
    if (dl4c_h5_open(path, &h) != DL4C_OK) {
        set_why(r, dl4c_last_error());
        return false;
    }
    ref->n_in = ref_names(h, "inputs", in_names, 32);
    ref->n_out = ref_names(h, "outputs", out_names, 32);
    if (ref->n_in <= 0 || ref->n_out <= 0) {
        snprintf(r->why, sizeof r->why, "reference lists no inputs/outputs");
        goto done;
    }
    for (int i = 0; i < ref->n_in; i++) {
        char p[300];
        snprintf(p, sizeof p, "inputs/%s", in_names[i]);
        if (dl4c_h5_read(h, p, DL4C_F32, &ref->in[i]) != DL4C_OK) {
            set_why(r, dl4c_last_error());
            goto done;
        }
    }
    for (int i = 0; i < ref->n_out; i++) {
        char p[300];
        snprintf(p, sizeof p, "predictions/%s", out_names[i]);
        if (dl4c_h5_read(h, p, DL4C_F64, &ref->out[i]) != DL4C_OK) {
            set_why(r, dl4c_last_error());
            goto done;
        }
    }
    ok = true;
done:
    dl4c_h5_close(h);
    return ok;
}

static bool load_npy_reference(const char *path, reference *ref, result *r)
{
    char in_path[1200];
    snprintf(in_path, sizeof in_path, "%s", path);
    char *slash = strrchr(in_path, '/');
    snprintf(slash + 1, sizeof in_path - (size_t)(slash + 1 - in_path),
             "input.npy");
    ref->n_in = ref->n_out = 1;
    if (dl4c_npy_load(in_path, DL4C_F32, &ref->in[0]) != DL4C_OK ||
        dl4c_npy_load(path, DL4C_F64, &ref->out[0]) != DL4C_OK) {
        set_why(r, dl4c_last_error());
        return false;
    }
    return true;
}

static bool load_reference(const char *path, reference *ref, result *r)
{
    bool ok = strstr(path, ".npy") ? load_npy_reference(path, ref, r)
                                   : load_h5_reference(path, ref, r);
    for (int i = 0; ok && i < ref->n_in; i++) {
        dl4c_shape s = dl4c_tensor_shape(ref->in[i]);
        ref->shapes[i].ndim = s.ndim - 1;
        memcpy(ref->shapes[i].dim, s.dim + 1,
               sizeof s.dim[0] * (size_t)(s.ndim - 1));
    }
    return ok;
}

static const row *config_of(const row *rows, int n, const row *weights)
{
    const char *slash = strrchr(weights->file, '/');
    size_t dir = slash ? (size_t)(slash - weights->file) : 0;
    for (int i = 0; i < n; i++)
        if (!strcmp(rows[i].role, "config") &&
            !strncmp(rows[i].file, weights->file, dir) &&
            rows[i].file[dir] == '/')
            return &rows[i];
    return NULL;
}

/* Number of weight values stored under `path` of an open file, every
 * dataset below it counted (Keras' "Total params"); optimizer state is
 * kept elsewhere and left out. */
static int64_t count_values(dl4c_h5 *h, const char *path)
{
    if (dl4c_h5_is_dataset(h, path)) {
        dl4c_tensor *t = NULL;
        if (dl4c_h5_read(h, path, DL4C_F64, &t) != DL4C_OK)
            return -1;
        int64_t n = dl4c_tensor_size(t);
        dl4c_tensor_free(t);
        return n;
    }
    char **names = NULL;
    int n = 0;
    if (dl4c_h5_children(h, path, &names, &n) != DL4C_OK)
        return -1;
    int64_t total = 0;
    for (int i = 0; i < n && total >= 0; i++) {
        if (!strcmp(names[i], "optimizer_weights"))
            continue;
        char child[1024];
        snprintf(child, sizeof child, "%s/%s", path, names[i]);
        int64_t c = count_values(h, child);
        total = c < 0 ? -1 : total + c;
    }
    dl4c_h5_free_strings(names, n);
    return total;
}

/* The weight values a legacy HDF5 model or weights file holds, -1 for
 * other files (.keras archives). */
static int64_t stored_params(const char *path)
{
    dl4c_h5 *h = NULL;
    if (dl4c_h5_open(path, &h) != DL4C_OK)
        return -1;
    int64_t n = count_values(
        h, dl4c_h5_is_group(h, "model_weights") ? "model_weights" : "");
    dl4c_h5_close(h);
    return n;
}

static void test_conformance(void)
{
    row *rows = NULL;
    int n = read_manifest(&rows);
    if (n < 0)
        TEST_SKIP("no Keras conformance corpus at %s", corpus_dir());
    int present = 0, with_ref = 0, imported = 0, passed = 0, failed = 0;
    int keras_present = 0, keras_pass = 0, not_imported = 0;
    int counted = 0, count_differs = 0;
    printf("%-70s %-9s %-40s %18s  %s\n", "file", "keras", "layers", "max diff",
           "result");
    for (int i = 0; i < n; i++) {
        const row *rw = &rows[i];
        if (strcmp(rw->role, "model") && strcmp(rw->role, "weights"))
            continue;
        present++;
        result r = {.diff = 0};
        reference ref = {0};
        dl4c_net *net = NULL;
        dl4c_status st = DL4C_FORMAT;
        bool keras = !strcmp(rw->tier, "keras");
        bool have_ref = rw->ref[0] && load_reference(full(rw->ref), &ref, &r);
        /* inputs with None dims take the reference's shapes */
        dl4c_keras_options o = dl4c_keras_options_default();
        o.n_input_shapes = have_ref ? ref.n_in : 0;
        o.input_shapes = ref.shapes;
        if (!strcmp(rw->role, "weights")) {
            const row *cfg = config_of(rows, n, rw);
            if (cfg)
                st = dl4c_keras_import_files(full(cfg->file), full(rw->file),
                                             &o, &net);
        } else {
            st = dl4c_keras_import(full(rw->file), &o, &net);
        }
        r.imported = st == DL4C_OK;
        if (!r.imported)
            set_why(&r, dl4c_last_error());
        imported += r.imported;
        /* the net holds exactly the weights Keras saved: Keras' summary
         * total equals dl4c's */
        int64_t stored = r.imported ? stored_params(full(rw->file)) : -1;
        if (stored >= 0) {
            counted++;
            if (stored != dl4c_net_num_params(net)) {
                count_differs++;
                char why[200];
                snprintf(why, sizeof why, "%lld parameters, Keras saved %lld",
                         (long long)dl4c_net_num_params(net),
                         (long long)stored);
                set_why(&r, why);
            }
        }
        if (rw->ref[0]) {
            with_ref++;
            keras_present += keras;
            if (r.imported && have_ref)
                compare(net, ref.n_in, ref.in, ref.n_out, ref.out, &r);
        }
        free_reference(&ref);
        const char *res;
        if (!r.imported) {
            res = "NOT IMPORTED";
            not_imported += rw->ref[0] != 0;
        } else if (!rw->ref[0]) {
            res = "imported (no reference)";
        } else if (r.pass) {
            res = keras ? "pass (keras)" : "pass (runner)";
            passed++;
            keras_pass += keras;
        } else {
            res = keras ? "FAIL (keras)" : "FAIL (runner)";
            failed++;
        }
        char diff[48] = "-";
        if (r.ran && r.diff > ATOL)
            snprintf(diff, sizeof diff, "%.2e (rel %.1e)", r.diff, r.rel);
        else if (r.ran)
            snprintf(diff, sizeof diff, "%.2e", r.diff);
        printf("%-70s %-9s %-40.40s %18s  %s%s%s\n", rw->file, rw->version,
               rw->layers, diff, res, r.why[0] ? ": " : "", r.why);
        dl4c_net_free(net);
    }
    printf("\n%d model files present, %d imported; %d have a reference: %d "
           "pass, %d fail, %d not imported yet\n",
           present, imported, with_ref, passed, failed, not_imported);
    printf("keras-tier references: %d of %d pass (minimum %d)\n", keras_pass,
           keras_present, MIN_KERAS_PASS);
    printf("parameter counts: %d of %d HDF5 models match the weights Keras "
           "saved\n",
           counted - count_differs, counted);
    fflush(stdout);
    CHECK_MSG(failed == 0, "%d imported models disagree with their reference",
              failed);
    CHECK(keras_pass >= MIN_KERAS_PASS);
    CHECK_MSG(count_differs == 0 && counted > 100,
              "%d of %d models hold other parameter counts than Keras saved",
              count_differs, counted);
    free(rows);
}

TEST_MAIN(test_conformance)
