/* Channels-first models in an NHWC library. dl4c holds every tensor that
 * Keras computes channels-first (NCHW, NCW, NCDHW) as its channels-last
 * transpose, so convolutions and pooling run on their NHWC kernels. Each
 * tensor of the imported graph therefore has a layout: KX_LAYOUT_KERAS
 * (the array Keras has) or KX_LAYOUT_CF (the NHWC form of Keras'
 * channels-first array). A layer's role says what it does with them:
 *  - KX_ROLE_CF: its config says channels_first (data_format, or Keras 1
 *    dim_ordering "th"): it takes and gives KX_LAYOUT_CF tensors, and its
 *    hook is told so (dl4c_keras_ctx.channels_first);
 *  - KX_ROLE_ANY: layers that work on whatever layout comes in once their
 *    hook is told (elementwise layers; layers with an axis, which their
 *    hooks move with the channels: normalization, softmax, concatenation,
 *    PReLU's slopes; the shape layers Flatten, Reshape and Permute, which
 *    give a Keras-layout result);
 *  - KX_ROLE_KERAS: every other layer needs Keras' own array.
 * Where a tensor's layout differs from what its consumer needs, the
 * translation inserts a Permute layer. Tensors of rank 2 or less look the
 * same in both layouts. */
#include <string.h>

#include "import/keras_internal.h"

/* Layers whose hooks accept channels-first input and keep the layout
 * (ctx.channels_first tells them the input is channels-first). */
static const char *const keep_layout[] = {"Activation",
                                          "Dropout",
                                          "AlphaDropout",
                                          "GaussianNoise",
                                          "GaussianDropout",
                                          "ActivityRegularization",
                                          "ReLU",
                                          "LeakyReLU",
                                          "ELU",
                                          "ThresholdedReLU",
                                          "PReLU",
                                          "Softmax",
                                          "BatchNormalization",
                                          "SyncBatchNormalization",
                                          "LayerNormalization",
                                          "Add",
                                          "Subtract",
                                          "Multiply",
                                          "Average",
                                          "Maximum",
                                          "Minimum",
                                          "Concatenate",
                                          NULL};

/* Layers whose hooks read a channels-first input in Keras' element order
 * and give Keras' array. */
static const char *const to_keras_layout[] = {"Flatten", "Reshape", "Permute",
                                              NULL};

static bool listed(const char *const *list, const char *cls)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(list[i], cls))
            return true;
    return false;
}

kx_role kx_layout_role(const kx_call *c)
{
    const json_t *df = kx_get(c->kcfg, "data_format");
    const json_t *dim = kx_get(c->kcfg, "dim_ordering");
    bool cf =
        json_is_string(df) && !strcmp(json_string_value(df), "channels_first");
    /* Flatten's data_format says whether Keras moves the channels last
     * first: with channels_first it flattens a channels-first tensor as
     * dl4c holds it; otherwise its hook reads any layout in Keras' order */
    if (listed(to_keras_layout, c->cls))
        return cf ? KX_ROLE_CF : KX_ROLE_ANY;
    if (json_is_string(df))
        return strcmp(json_string_value(df), "channels_first") ? KX_ROLE_KERAS
                                                               : KX_ROLE_CF;
    if (json_is_string(dim) && !strcmp(json_string_value(dim), "th"))
        return KX_ROLE_CF;
    if (json_is_string(dim) && !strcmp(json_string_value(dim), "tf"))
        return KX_ROLE_KERAS;
    if (listed(keep_layout, c->cls) || listed(to_keras_layout, c->cls))
        return KX_ROLE_ANY;
    return KX_ROLE_KERAS;
}

bool kx_layout_keeps(const kx_call *c)
{
    return !listed(to_keras_layout, c->cls);
}

void kx_layout_dims(int rank, bool to_cf, int *dims)
{
    int k = rank - 1; /* per-example axes */
    for (int i = 0; i < k; i++) {
        if (to_cf) /* [C, d1..dm] -> [d1..dm, C] */
            dims[i] = i + 1 < k ? i + 2 : 1;
        else /* [d1..dm, C] -> [C, d1..dm] */
            dims[i] = i == 0 ? k : i;
    }
}
