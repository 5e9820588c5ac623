/* dl4c summary: the Keras-like layer table of a model file or a config. */
#include "cli.h"

static cli_opt opts[] = {
    {"model", "FILE", "a saved model", NULL},
    {"config", "FILE", "a net config (JSON)", NULL},
};

#define N_OPTS ((int)(sizeof opts / sizeof opts[0]))

int cmd_summary(int argc, char **argv)
{
    const char *pos[1];
    int n_pos = 0;
    int rc = cli_parse(
        argc, argv, "dl4c summary (MODEL | --model FILE | --config FILE)",
        "Prints each layer with its output shape and parameter count.", opts,
        N_OPTS, pos, 1, &n_pos);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    const char *model = n_pos ? pos[0] : cli_get(opts, N_OPTS, "model");
    const char *config = cli_get(opts, N_OPTS, "config");
    if (!!model + !!config != 1)
        return cli_usage_error("summary", "give one model file or --config");
    dl4c_net *net = NULL;
    dl4c_status st = model ? cli_load_model(model, &net)
                           : dl4c_net_load_config(config, DL4C_F32, &net);
    char *text = NULL;
    if (st == DL4C_OK)
        st = dl4c_net_summary(net, &text);
    if (st != DL4C_OK) {
        dl4c_net_free(net);
        return cli_fail("summary");
    }
    fputs(text, stdout);
    if (dl4c_net_normalizer(net))
        printf("Normalizer: %s\n",
               dl4c_normalizer_kind_name(
                   dl4c_normalizer_get_kind(dl4c_net_normalizer(net))));
    if (dl4c_net_num_class_names(net)) {
        printf("Classes:");
        for (int i = 0; i < dl4c_net_num_class_names(net); i++)
            printf("%s %s", i ? "," : "", dl4c_net_class_name(net, i));
        printf("\n");
    }
    if (dl4c_net_epoch(net) || dl4c_net_iteration(net))
        printf("Trained: %lld epochs, %lld iterations\n",
               (long long)dl4c_net_epoch(net),
               (long long)dl4c_net_iteration(net));
    dl4c_free(text);
    dl4c_net_free(net);
    return CLI_OK;
}
