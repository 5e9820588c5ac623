/* dl4c import: a Keras model (.h5, .keras, architecture JSON with or
 * without a weights file) to a dl4c model file, with a report of what was
 * imported; and the loader every --model option goes through, which takes
 * Keras files as they are. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static cli_opt opts[] = {
    {"out", "FILE", "write the dl4c model here", NULL},
    {"config", "FILE", "a Keras architecture JSON (model.to_json())", NULL},
    {"weights", "FILE", "its weights (model.save_weights .h5)", NULL},
    {"inference-only", NULL,
     "ignore the training configuration (no loss layers, default updater)",
     NULL},
    {"allow-nonfinite", NULL, "accept NaN or infinite weights", NULL},
    {"input-shape", "DIMS",
     "per-example shapes for inputs with None dims, '64,64,3' "
     "(several inputs: '10,4;12')",
     NULL},
    {"print-config", NULL, "print the dl4c net config of the import", NULL},
    {"quiet", NULL, "print nothing but errors", NULL},
    {"list-classes", NULL, "list the Keras layer classes dl4c imports", NULL},
};

#define N_OPTS ((int)(sizeof opts / sizeof opts[0]))
#define OPT(name) cli_get(opts, N_OPTS, name)

dl4c_status cli_load_model_file(const char *path, dl4c_net **out)
{
    dl4c_keras_format fmt = DL4C_KERAS_UNKNOWN;
    *out = NULL;
    /* an unreadable path is reported by the model loader */
    if (dl4c_keras_sniff(path, &fmt) != DL4C_OK || fmt == DL4C_KERAS_UNKNOWN)
        return dl4c_model_load(path, out);
    return dl4c_keras_import(path, NULL, out);
}

/* "10,4;12" into shapes (at most `cap`); false on a malformed list. */
static bool parse_shapes(const char *text, dl4c_shape *shapes, int cap, int *n)
{
    *n = 0;
    for (const char *p = text; *p && *n < cap;) {
        dl4c_shape *s = &shapes[(*n)++];
        s->ndim = 0;
        for (;;) {
            char *end = NULL;
            long long d = strtoll(p, &end, 10);
            if (end == p || d < 1 || s->ndim == DL4C_MAX_DIMS)
                return false;
            s->dim[s->ndim++] = d;
            p = end;
            if (*p != ',')
                break;
            p++;
        }
        if (*p == ';')
            p++;
        else if (*p)
            return false;
    }
    return *n > 0;
}

static void print_report(const char *source, const dl4c_net *net,
                         const char *out)
{
    const char *version = dl4c_net_get_metadata(net, "keras.version");
    const char *backend = dl4c_net_get_metadata(net, "keras.backend");
    const char *warnings = dl4c_net_get_metadata(net, "keras.warnings");
    dl4c_updater u = dl4c_net_get_updater(net);
    printf("imported %s (Keras %s, %s): %d layers, %d inputs, %d outputs, "
           "%lld parameters\n",
           source, version ? version : "?", backend ? backend : "?",
           dl4c_net_num_layers(net), dl4c_net_num_inputs(net),
           dl4c_net_num_outputs(net), (long long)dl4c_net_num_params(net));
    printf("updater: %s, learning rate %g, iteration %lld\n",
           dl4c_updater_name(u.id), u.learning_rate,
           (long long)dl4c_net_iteration(net));
    const char *in = dl4c_net_get_metadata(net, "keras.input_layouts");
    if (in)
        printf("input layouts (Keras arrays; dl4c holds channels_first "
               "arrays as NHWC): %s\n",
               in);
    if (warnings)
        printf("warnings: %s\n", warnings);
    if (out)
        printf("saved %s\n", out);
}

int cmd_import(int argc, char **argv)
{
    const char *pos[1];
    int n_pos = 0;
    int rc = cli_parse(
        argc, argv,
        "dl4c import (MODEL | --config FILE [--weights FILE]) [--out FILE]",
        "Imports a Keras model: an HDF5 file (Keras 1, 2, tf.keras), a Keras 3 "
        ".keras\narchive, or an architecture JSON with or without its "
        "weights. The format is\ntold by the file's contents. With --out the "
        "net is saved as a dl4c model\n(with the optimizer state); without, "
        "the import is checked and reported.",
        opts, N_OPTS, pos, 1, &n_pos);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (cli_flag(opts, N_OPTS, "list-classes")) {
        for (int i = 0; dl4c_keras_class(i); i++)
            printf("%s\n", dl4c_keras_class(i));
        return CLI_OK;
    }
    const char *model = n_pos ? pos[0] : NULL;
    if (!!model + !!OPT("config") != 1)
        return cli_usage_error("import",
                               "give one Keras model file or --config");
    if (OPT("weights") && !OPT("config"))
        return cli_usage_error("import", "--weights goes with --config");
    dl4c_keras_options o = dl4c_keras_options_default();
    o.inference_only = cli_flag(opts, N_OPTS, "inference-only");
    o.allow_nonfinite = cli_flag(opts, N_OPTS, "allow-nonfinite");
    dl4c_shape shapes[16];
    if (OPT("input-shape")) {
        if (!parse_shapes(OPT("input-shape"), shapes, 16, &o.n_input_shapes))
            return cli_usage_error("import",
                                   "--input-shape '%s' is not like "
                                   "'64,64,3' or '10,4;12'",
                                   OPT("input-shape"));
        o.input_shapes = shapes;
    }
    dl4c_net *net = NULL;
    dl4c_status st = model ? dl4c_keras_import(model, &o, &net)
                           : dl4c_keras_import_files(OPT("config"),
                                                     OPT("weights"), &o, &net);
    if (st != DL4C_OK)
        return cli_fail("import");
    if (cli_flag(opts, N_OPTS, "print-config")) {
        char *json = NULL;
        if (dl4c_net_write_config(net, &json) != DL4C_OK) {
            dl4c_net_free(net);
            return cli_fail("import");
        }
        printf("%s\n", json);
        dl4c_free(json);
    }
    if (OPT("out") &&
        dl4c_model_save(net, OPT("out"), DL4C_MODEL_UPDATER) != DL4C_OK) {
        dl4c_net_free(net);
        return cli_fail("import");
    }
    if (!cli_flag(opts, N_OPTS, "quiet"))
        print_report(model ? model : OPT("config"), net, OPT("out"));
    dl4c_net_free(net);
    return CLI_OK;
}
