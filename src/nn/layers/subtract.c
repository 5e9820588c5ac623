/* Subtract, as Keras': input 0 minus input 1 (exactly two inputs). Inputs
 * broadcast as Keras broadcasts them (merge_elementwise.c); the output carries
 * the AND of the inputs' masks. */
#include "nn/layers/norm_common.h"

static const char *const examples[] = {
    "{\"inputs\": [[3], [3]], \"layer\": {\"type\": \"Subtract\"}}",
    "{\"inputs\": [[2, 3], [1, 3]], \"layer\": {\"type\":"
    " \"Subtract\"}}",
    "{\"inputs\": [[3], [3], [3]], \"layer\": {\"type\":"
    " \"Subtract\"}, \"error\": \"takes 2 inputs, got 3\"}",
    "{\"inputs\": [[2, 3], [3, 3]], \"layer\": {\"type\":"
    " \"Subtract\"}, \"error\": \"cannot broadcast input shapes [N, 2,"
    " 3] and [N, 3, 3] together\"}",
    NULL};

DL4C_MERGE_LAYER(dl4c_layer_subtract, "Subtract", DL4C_MERGE_SUB, examples);
