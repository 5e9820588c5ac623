/* Minimum, as Keras': the elementwise minimum of its inputs; the gradient of
 * each value goes to the first input holding the minimum. Inputs broadcast as
 * Keras broadcasts them (merge_elementwise.c); the output carries the AND of
 * the inputs' masks. */
#include "nn/layers/norm_common.h"

static const char *const examples[] = {
    "{\"inputs\": [[4], [4]], \"layer\": {\"type\": \"Minimum\"}}",
    "{\"inputs\": [[2, 3], [3], [2, 1]], \"layer\": {\"type\":"
    " \"Minimum\"}}",
    "{\"inputs\": [[3], [4]], \"layer\": {\"type\": \"Minimum\"},"
    " \"error\": \"cannot broadcast input shapes [N, 3] and [N, 4]"
    " together\"}",
    NULL};

DL4C_MERGE_LAYER(dl4c_layer_minimum, "Minimum", DL4C_MERGE_MIN, examples);
