/* Multiply, as Keras': the elementwise product of its inputs. Inputs broadcast
 * as Keras broadcasts them (merge_elementwise.c); the output carries the AND of
 * the inputs' masks. Keras 1's Merge with mode 'mul' is the Merge layer. */
#include "nn/layers/norm_common.h"

static const char *const keys[] = {NULL};

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    (void)l;
    (void)j;
    return DL4C_OK;
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    (void)l;
    (void)j;
    return DL4C_OK;
}

static dl4c_status build(dl4c_layer *l)
{
    return dl4c_merge_build(l, DL4C_MERGE_MUL);
}

static size_t workspace(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    return dl4c_merge_workspace(l, DL4C_MERGE_MUL, batch, dt);
}

static void forward(dl4c_layer_ctx *x)
{
    dl4c_merge_forward(x, DL4C_MERGE_MUL);
}

static void backward(dl4c_layer_ctx *x)
{
    dl4c_merge_backward(x, DL4C_MERGE_MUL);
}

/* nothing to translate */
static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    (void)k;
    (void)kcfg;
    (void)out;
    return DL4C_OK;
}

static const char *const keras_classes[] = {"Multiply", NULL};

static const char *const examples[] = {
    "{\"inputs\": [[3], [3]], \"layer\": {\"type\": \"Multiply\"}}",
    "{\"inputs\": [[2, 3], [3], [2, 1]], \"layer\": {\"type\":"
    " \"Multiply\"}}",
    "{\"inputs\": [[2], [3]], \"layer\": {\"type\": \"Multiply\"},"
    " \"error\": \"cannot broadcast input shapes [N, 2] and [N, 3]"
    " together\"}",
    NULL};

const dl4c_layer_type dl4c_layer_multiply = {
    .name = "Multiply",
    .keras_class = "Multiply",
    .config_size = 0,
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .workspace = workspace,
    .forward = forward,
    .backward = backward,
    .mask_mode = DL4C_MASK_CUSTOM,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .examples = examples,
};
