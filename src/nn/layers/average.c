/* Average, as Keras': the elementwise mean of its inputs. Inputs broadcast as
 * Keras broadcasts them (merge_elementwise.c); the output carries the AND of
 * the inputs' masks. Keras 1's Merge with mode 'ave' is the Merge layer. */
#include "nn/layers/norm_common.h"

static const char *const examples[] = {
    "{\"inputs\": [[3], [3]], \"layer\": {\"type\": \"Average\"}}",
    "{\"inputs\": [[2, 3], [3], [2, 3]], \"layer\": {\"type\":"
    " \"Average\"}}",
    "{\"inputs\": [[3, 2], [2, 3]], \"layer\": {\"type\":"
    " \"Average\"}, \"error\": \"cannot broadcast input shapes [N, 3,"
    " 2] and [N, 2, 3] together\"}",
    NULL};

DL4C_MERGE_LAYER(dl4c_layer_average, "Average", DL4C_MERGE_AVG, examples);
