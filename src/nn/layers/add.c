/* Add, as Keras': the elementwise sum of its inputs. Inputs broadcast as Keras
 * broadcasts them (merge_elementwise.c); the output carries the AND of the
 * inputs' masks. Keras 1's Merge with mode 'sum' is the Merge layer. */
#include "nn/layers/norm_common.h"

static const char *const examples[] = {
    "{\"inputs\": [[3], [3]], \"layer\": {\"type\": \"Add\"}}",
    "{\"inputs\": [[2, 3], [3], [2, 1]], \"layer\": {\"type\":"
    " \"Add\"}}",
    "{\"inputs\": [[3], [4]], \"layer\": {\"type\": \"Add\"},"
    " \"error\": \"cannot broadcast input shapes [N, 3] and [N, 4]"
    " together\"}",
    NULL};

DL4C_MERGE_LAYER(dl4c_layer_add, "Add", DL4C_MERGE_ADD, examples);
