/* dl4c predict: a model's predictions for CSV rows read from a file or
 * stdin, written as CSV to a file or stdout. From a pipe or a terminal each
 * line is answered as soon as it arrives (so dl4c can sit in a stream);
 * from a file rows are batched. Also takes MNIST-layout IDX data. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static cli_opt opts[] = {
    {"model", "FILE", "the model (required)", NULL},
    {"input", "PATH",
     "CSV rows of features ('-' or absent: stdin), an image file or a "
     "folder of images (each line then starts with the image's path), an "
     "MNIST directory or IMAGES,LABELS IDX files; .npy arrays (one "
     "--input per model input) write output_<i>.npy to --output-dir",
     NULL},
    {"output", "FILE", "write here instead of stdout", NULL},
    {"format", "KIND",
     "class, probabilities or both (default both; "
     "regression models print values)",
     NULL},
    {"label-index", "N", "skip this CSV column (rows that carry a label)",
     NULL},
    {"skip-lines", "N", "CSV header lines to skip", NULL},
    {"delimiter", "C", "CSV delimiter (default ',')", NULL},
    {"batch", "N", "rows per forward pass from files (default 256)", NULL},
    {"limit", "N", "predict for the first N rows only", NULL},
    {"header", NULL, "print a header line", NULL},
    {"no-transform", NULL,
     "rows are already transformed: skip the model's transform process", NULL},
    {"resize-mode", "MODE",
     "images of another size: area (default, as the dataset store "
     "resizes), bilinear or nearest",
     NULL},
};

#define N_OPTS ((int)(sizeof opts / sizeof opts[0]))
#define OPT(name) cli_get(opts, N_OPTS, name)

typedef struct predictor {
    dl4c_net *net;
    FILE *out;
    int format; /* 0 class, 1 probabilities, 2 both */
    bool classifier;
    int64_t width, outputs;
    dl4c_tensor *x; /* [batch, features] */
    int64_t rows, cap;
    dl4c_transform *tp; /* the model's transform process, or NULL */
    char **paths;       /* image files, one per row, or NULL */
    int64_t n_paths, done;
} predictor;

static dl4c_status flush_rows(predictor *p)
{
    if (!p->rows)
        return DL4C_OK;
    dl4c_tensor *part = NULL, *y = NULL;
    int64_t dims[DL4C_MAX_DIMS];
    dl4c_shape in = dl4c_net_input_shape(p->net, 0);
    dims[0] = p->rows;
    for (int i = 0; i < in.ndim; i++)
        dims[i + 1] = in.dim[i];
    dl4c_status st = dl4c_tensor_view(p->x, 0, in.ndim + 1, dims, &part);
    if (st == DL4C_OK && dl4c_net_normalizer(p->net))
        st = dl4c_normalizer_transform(dl4c_net_normalizer(p->net), part);
    if (st == DL4C_OK)
        st = dl4c_net_predict(p->net, part, &y);
    if (st == DL4C_OK && dl4c_net_normalizer(p->net) && !p->classifier)
        st = dl4c_normalizer_revert_labels(dl4c_net_normalizer(p->net), y);
    for (int64_t r = 0; st == DL4C_OK && r < p->rows; r++) {
        const float *v = (const float *)dl4c_tensor_data(y) + r * p->outputs;
        if (p->paths)
            fprintf(p->out, "%s,", p->paths[p->done + r]);
        if (p->classifier && p->format != 1) {
            int64_t best = 0;
            for (int64_t c = 1; c < p->outputs; c++)
                if (v[c] > v[best])
                    best = c;
            const char *name = dl4c_net_class_name(p->net, (int)best);
            if (name)
                fprintf(p->out, "%s", name);
            else
                fprintf(p->out, "%lld", (long long)best);
        }
        if (!p->classifier || p->format != 0)
            for (int64_t c = 0; c < p->outputs; c++)
                fprintf(p->out, "%s%.6g",
                        (c || (p->classifier && p->format == 2)) ? "," : "",
                        (double)v[c]);
        fputc('\n', p->out);
    }
    fflush(p->out);
    dl4c_tensor_free(y);
    dl4c_tensor_free(part);
    p->done += p->rows;
    p->rows = 0;
    return st;
}

static int predict_csv(predictor *p, FILE *in, const char *name, bool stream)
{
    dl4c_csv_options o = dl4c_csv_options_default();
    int64_t label = -1, skip = 0, limit, done = 0;
    if (!cli_int(opts, N_OPTS, "label-index", -1, 0, 1 << 20, &label) ||
        !cli_int(opts, N_OPTS, "skip-lines", 0, 0, 1 << 20, &skip) ||
        !cli_int(opts, N_OPTS, "limit", INT64_MAX, 1, INT64_MAX, &limit))
        return CLI_USAGE;
    o.label_from = o.label_to = (int)label;
    if (OPT("delimiter"))
        o.delimiter =
            strcmp(OPT("delimiter"), "tab") ? OPT("delimiter")[0] : '\t';
    char *line = NULL;
    size_t len = 0;
    int64_t line_no = 0;
    int rc = CLI_OK;
    while (done < limit && getline(&line, &len, in) >= 0) {
        line_no++;
        if (line_no <= skip || strspn(line, " \t\r\n") == strlen(line))
            continue;
        float *row = (float *)dl4c_tensor_data(p->x) + p->rows * p->width;
        int64_t n = 0;
        bool kept = true;
        dl4c_status st =
            p->tp ? dl4c_transform_line(p->tp, line, o.delimiter, name, line_no,
                                        row, p->width, &n, &kept)
                  : dl4c_csv_parse_row(line, &o, name, line_no, row, p->width,
                                       &n);
        if (st != DL4C_OK) {
            rc = cli_fail("predict");
            break;
        }
        if (!kept) { /* a filter step removed the row: an empty line keeps
                        the output aligned with the input */
            if (flush_rows(p) != DL4C_OK) {
                rc = cli_fail("predict");
                break;
            }
            fputc('\n', p->out);
            fflush(p->out);
            done++;
            continue;
        }
        if (n != p->width) {
            fprintf(stderr,
                    "dl4c predict: error: %s:%lld: %lld values, the model "
                    "takes %lld\n",
                    name, (long long)line_no, (long long)n,
                    (long long)p->width);
            rc = CLI_FAIL;
            break;
        }
        p->rows++;
        done++;
        if ((stream || p->rows == p->cap) && flush_rows(p) != DL4C_OK) {
            rc = cli_fail("predict");
            break;
        }
    }
    if (rc == CLI_OK && flush_rows(p) != DL4C_OK)
        rc = cli_fail("predict");
    free(line);
    return rc;
}

static int predict_dataset(predictor *p, const char *path)
{
    cli_data_opts d = {.label_index = -1, .labels_to = -1, .num_classes = 10};
    dl4c_dataset *ds = NULL;
    if (cli_load_data(path, false, &d, &ds) != DL4C_OK ||
        cli_fit_to_net(ds, p->net) != DL4C_OK) {
        dl4c_dataset_free(ds);
        return cli_fail("predict");
    }
    const dl4c_tensor *x = dl4c_dataset_features(ds);
    int64_t n = dl4c_dataset_count(ds), limit;
    int rc = CLI_OK;
    if (!cli_int(opts, N_OPTS, "limit", n, 1, INT64_MAX, &limit)) {
        dl4c_dataset_free(ds);
        return CLI_USAGE;
    }
    n = limit < n ? limit : n;
    for (int64_t r = 0; r < n && rc == CLI_OK; r++) {
        memcpy((float *)dl4c_tensor_data(p->x) + p->rows * p->width,
               (const float *)dl4c_tensor_data(x) + r * p->width,
               sizeof(float) * (size_t)p->width);
        if (++p->rows == p->cap && flush_rows(p) != DL4C_OK)
            rc = cli_fail("predict");
    }
    if (rc == CLI_OK && flush_rows(p) != DL4C_OK)
        rc = cli_fail("predict");
    dl4c_dataset_free(ds);
    return rc;
}

/* Image files decoded batch by batch and brought to the model's input
 * [H, W, C]: channels converted, resized when the size differs (by area
 * averaging, bilinear when enlarging: what the dataset store does when it
 * resizes for training); the model's normalizer then applies as to any
 * row. */
static int predict_images(predictor *p)
{
    dl4c_shape in = dl4c_net_input_shape(p->net, 0);
    if (in.ndim != 3 || in.dim[2] < 1 || in.dim[2] > 4) {
        char text[128];
        size_t used = (size_t)snprintf(text, sizeof text, "[");
        for (int i = 0; i < in.ndim && used < sizeof text; i++)
            used += (size_t)snprintf(text + used, sizeof text - used, "%s%lld",
                                     i ? ", " : "", (long long)in.dim[i]);
        fprintf(stderr,
                "dl4c predict: error: the model takes %s%s, not images "
                "[height, width, channels 1-4]\n",
                text, used < sizeof text ? "]" : "");
        return CLI_FAIL;
    }
    int64_t limit;
    if (!cli_int(opts, N_OPTS, "limit", p->n_paths, 1, INT64_MAX, &limit))
        return CLI_USAGE;
    int64_t n = limit < p->n_paths ? limit : p->n_paths;
    dl4c_image_options o = dl4c_image_options_default();
    o.height = in.dim[0];
    o.width = in.dim[1];
    o.channels = (int)in.dim[2];
    o.resize = DL4C_RESIZE_AREA;
    if (OPT("resize-mode") &&
        dl4c_resize_mode_parse(OPT("resize-mode"), &o.resize) != DL4C_OK)
        return cli_usage_error("predict", "--resize-mode must be area, "
                                          "bilinear or nearest");
    dl4c_iterator *it = NULL;
    if (dl4c_image_iterator_create((const char *const *)p->paths, NULL, n, 0,
                                   &o, p->cap, false, 0, &it) != DL4C_OK)
        return cli_fail("predict");
    int rc = CLI_OK;
    while (rc == CLI_OK && dl4c_iterator_has_next(it)) {
        dl4c_batch b;
        if (dl4c_iterator_next(it, &b) != DL4C_OK) {
            rc = cli_fail("predict");
            break;
        }
        memcpy(dl4c_tensor_data(p->x), dl4c_tensor_data(b.features),
               sizeof(float) * (size_t)(b.size * p->width));
        p->rows = b.size;
        if (flush_rows(p) != DL4C_OK)
            rc = cli_fail("predict");
    }
    dl4c_iterator_free(it);
    return rc;
}

static int run(predictor *p)
{
    const char *input = OPT("input"), *format = OPT("format");
    int64_t batch;
    if (!cli_int(opts, N_OPTS, "batch", 256, 1, 1 << 20, &batch))
        return CLI_USAGE;
    p->format = 2;
    if (format && !strcmp(format, "class"))
        p->format = 0;
    else if (format && !strcmp(format, "probabilities"))
        p->format = 1;
    else if (format && strcmp(format, "both"))
        return cli_usage_error("predict",
                               "--format must be class, probabilities or "
                               "both");
    /* rows from a pipe are answered one at a time: pack for that */
    if (cli_load_model(OPT("model"), &p->net) != DL4C_OK ||
        dl4c_net_prepare_inference(p->net) != DL4C_OK)
        return cli_fail("predict");
    /* raw rows go through the transform the model was trained with */
    const char *tj = dl4c_net_get_metadata(p->net, "transform");
    if (tj && !cli_flag(opts, N_OPTS, "no-transform") &&
        dl4c_transform_parse(tj, &p->tp) != DL4C_OK)
        return cli_fail("predict");
    if (dl4c_net_num_inputs(p->net) != 1 || dl4c_net_num_outputs(p->net) != 1)
        return cli_usage_error("predict",
                               "the model has %d inputs and %d outputs; CSV "
                               "prediction needs one of each",
                               dl4c_net_num_inputs(p->net),
                               dl4c_net_num_outputs(p->net));
    dl4c_shape in = dl4c_net_input_shape(p->net, 0);
    dl4c_shape out = dl4c_net_output_shape(p->net, 0);
    p->width = dl4c_shape_size(&in);
    p->outputs = dl4c_shape_size(&out);
    p->classifier = dl4c_net_is_classifier(p->net, 0);
    p->cap = batch;
    int64_t dims[2] = {batch, p->width};
    if (dl4c_tensor_create(DL4C_F32, 2, dims, &p->x) != DL4C_OK)
        return cli_fail("predict");
    struct stat st;
    if (input && strcmp(input, "-") && stat(input, &st) == 0 &&
        dl4c_image_list(input, &p->paths, &p->n_paths) != DL4C_OK)
        return cli_fail("predict");
    if (cli_flag(opts, N_OPTS, "header")) {
        if (p->paths)
            fprintf(p->out, "path,");
        if (p->classifier && p->format != 1)
            fprintf(p->out, "class");
        for (int64_t c = 0; c < p->outputs && (!p->classifier || p->format);
             c++) {
            const char *nm = dl4c_net_class_name(p->net, (int)c);
            fprintf(p->out, "%s",
                    (c || (p->classifier && p->format == 2)) ? "," : "");
            if (p->classifier && nm)
                fprintf(p->out, "p_%s", nm);
            else
                fprintf(p->out, "%s%lld", p->classifier ? "p_" : "y_",
                        (long long)c);
        }
        fputc('\n', p->out);
    }
    if (p->n_paths)
        return predict_images(p);
    if (input && strcmp(input, "-") &&
        (strchr(input, ',') || (stat(input, &st) == 0 && S_ISDIR(st.st_mode))))
        return predict_dataset(p, input);
    FILE *f = stdin;
    const char *name = "stdin";
    if (input && strcmp(input, "-")) {
        f = fopen(input, "r");
        name = input;
        if (!f) {
            fprintf(stderr, "dl4c predict: error: %s: %s\n", input,
                    strerror(errno));
            return CLI_FAIL;
        }
    }
    bool stream = fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode);
    int rc = predict_csv(p, f, name, stream);
    if (f != stdin)
        fclose(f);
    return rc;
}

int cmd_predict(int argc, char **argv)
{
    const char *pos[1];
    int n_pos;
    if (cli_predict_wants_npy(argc, argv))
        return cli_predict_npy(argc, argv);
    int rc = cli_parse(
        argc, argv, "dl4c predict --model FILE [--input PATH] [--output FILE]",
        "Writes one line of predictions per input row or image: the "
        "class (its name when\nthe model has class names) and the "
        "probabilities, or the predicted values.",
        opts, N_OPTS, pos, 0, &n_pos);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!OPT("model"))
        return cli_usage_error("predict", "--model is required");
    predictor p = {.out = stdout};
    if (OPT("output") && !(p.out = fopen(OPT("output"), "w"))) {
        fprintf(stderr, "dl4c predict: error: %s: %s\n", OPT("output"),
                strerror(errno));
        return CLI_FAIL;
    }
    rc = run(&p);
    if (p.out != stdout && fclose(p.out) != 0 && rc == CLI_OK)
        rc = CLI_FAIL;
    dl4c_tensor_free(p.x);
    dl4c_net_free(p.net);
    dl4c_transform_free(p.tp);
    dl4c_image_list_free(p.paths, p.n_paths);
    return rc;
}
