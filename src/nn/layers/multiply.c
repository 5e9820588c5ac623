/* Multiply, as Keras': the elementwise product of its inputs. Inputs broadcast
 * as Keras broadcasts them (merge_elementwise.c); the output carries the AND of
 * the inputs' masks. Keras 1's Merge with mode 'mul' is the Merge layer. */
#include "nn/layers/norm_common.h"

static const char *const examples[] = {
    "{\"inputs\": [[3], [3]], \"layer\": {\"type\": \"Multiply\"}}",
    "{\"inputs\": [[2, 3], [3], [2, 1]], \"layer\": {\"type\":"
    " \"Multiply\"}}",
    "{\"inputs\": [[2], [3]], \"layer\": {\"type\": \"Multiply\"},"
    " \"error\": \"cannot broadcast input shapes [N, 2] and [N, 3]"
    " together\"}",
    NULL};

DL4C_MERGE_LAYER(dl4c_layer_multiply, "Multiply", DL4C_MERGE_MUL, examples);
