/* Maximum, as Keras': the elementwise maximum of its inputs; the gradient of
 * each value goes to the first input holding the maximum. Inputs broadcast as
 * Keras broadcasts them (merge_elementwise.c); the output carries the AND of
 * the inputs' masks. Keras 1's Merge with mode 'max' is the Merge layer. */
#include "nn/layers/norm_common.h"

static const char *const examples[] = {
    "{\"inputs\": [[4], [4]], \"layer\": {\"type\": \"Maximum\"}}",
    "{\"inputs\": [[2, 3], [3], [2, 1]], \"layer\": {\"type\":"
    " \"Maximum\"}}",
    "{\"inputs\": [[3], [4]], \"layer\": {\"type\": \"Maximum\"},"
    " \"error\": \"cannot broadcast input shapes [N, 3] and [N, 4]"
    " together\"}",
    NULL};

DL4C_MERGE_LAYER(dl4c_layer_maximum, "Maximum", DL4C_MERGE_MAX, examples);
