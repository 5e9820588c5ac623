/* Channels-first models in an NHWC library. dl4c holds every tensor that
 * Keras computes channels-first (NCHW, NCW, NCDHW; sequences of frames
 * [N, T, C, H, W]) with its channel axis moved last, so convolutions and
 * pooling run on their NHWC kernels. Each tensor of the imported graph
 * therefore has a layout: KX_LAYOUT_KERAS (the array Keras has) or the
 * Keras axis k of its channels (1 for images, 2 for sequences of frames),
 * which dl4c holds last. A layer's role says what it does with them:
 *  - KX_ROLE_CF: its config (or a wrapper's wrapped layer's) says
 *    channels_first (data_format, or Keras 1 dim_ordering "th"): it takes
 *    and gives channels-last tensors, and its hook is told so
 *    (dl4c_keras_ctx.channels_first);
 *  - KX_ROLE_ANY: layers that work on whatever layout comes in once their
 *    hook is told (elementwise layers; layers with an axis, which their
 *    hooks move with the channels of axis 1: normalization, softmax,
 *    concatenation, PReLU's slopes; the shape layers Flatten, Reshape and
 *    Permute, which give a Keras-layout result);
 *  - KX_ROLE_KERAS: every other layer needs Keras' own array.
 * Where a tensor's layout differs from what its consumer needs, the
 * translation inserts a Permute layer. A tensor whose channel axis is its
 * last one anyway looks the same in both layouts. */
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

/* The layer whose data_format counts: a wrapper's (TimeDistributed,
 * Bidirectional) wrapped layer. */
static const json_t *format_cfg(const kx_call *c, const char **cls,
                                bool *wrapped)
{
    const json_t *inner = kx_get(c->kcfg, "layer");
    *cls = c->cls;
    *wrapped = json_is_object(inner) && kx_class_of(inner);
    if (!*wrapped)
        return c->kcfg;
    *cls = kx_class_of(inner);
    return json_object_get(inner, "config");
}

/* Recurrent convolutions take sequences of frames: [N, T, C, ...]. */
static bool frames(const char *cls)
{
    return !strncmp(cls, "ConvLSTM", 8);
}

kx_role kx_layout_role(const kx_call *c)
{
    const char *cls;
    bool wrapped;
    const json_t *cfg = format_cfg(c, &cls, &wrapped);
    const json_t *df = kx_get(cfg, "data_format");
    const json_t *dim = kx_get(cfg, "dim_ordering");
    bool cf =
        json_is_string(df) && !strcmp(json_string_value(df), "channels_first");
    /* Flatten's data_format says whether Keras moves the channels last
     * first: with channels_first it flattens a channels-first tensor as
     * dl4c holds it; otherwise its hook reads any layout in Keras' order */
    if (!wrapped && listed(to_keras_layout, c->cls))
        return cf ? KX_ROLE_CF : KX_ROLE_ANY;
    if (json_is_string(df))
        return cf ? KX_ROLE_CF : KX_ROLE_KERAS;
    if (json_is_string(dim) && !strcmp(json_string_value(dim), "th"))
        return KX_ROLE_CF;
    if (!wrapped && listed(keep_layout, c->cls))
        return KX_ROLE_ANY;
    return KX_ROLE_KERAS;
}

int kx_layout_axis_in(const kx_call *c)
{
    const char *cls;
    bool wrapped;
    format_cfg(c, &cls, &wrapped);
    /* TimeDistributed adds a time axis; Bidirectional wraps an RNN, whose
     * input already has it */
    int time = wrapped && !strcmp(c->cls, "TimeDistributed") ? 1 : 0;
    return 1 + time + (frames(cls) ? 1 : 0);
}

int kx_layout_axis_out(const kx_call *c, int slot)
{
    const char *cls;
    bool wrapped;
    const json_t *cfg = format_cfg(c, &cls, &wrapped);
    if (frames(cls)) /* the sequence, or the last frame and the states */
        return slot == 0 && json_is_true(kx_get(cfg, "return_sequences")) ? 2
                                                                          : 1;
    return kx_layout_axis_in(c);
}

bool kx_layout_keeps(const kx_call *c)
{
    return !listed(to_keras_layout, c->cls);
}

/* Per-example axes 1..k of Keras' array; layout `axis` holds them as
 * 1..axis-1, axis+1..k, axis. */
void kx_layout_dims(int rank, int axis, bool to_cf, int *dims)
{
    int k = rank - 1;
    for (int i = 1; i <= k; i++) {
        if (to_cf) /* output axis i reads Keras axis ... */
            dims[i - 1] = i < axis ? i : (i < k ? i + 1 : axis);
        else /* output axis i (Keras') sits in the input at ... */
            dims[i - 1] = i < axis ? i : (i == axis ? k : i - 1);
    }
}
