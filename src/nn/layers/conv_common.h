/* What the convolution layer files share: one config struct for every
 * kind (plain, transposed, depthwise, separable, locally connected) and
 * rank (1-3 spatial dims), its JSON keys in Keras' names, the output
 * geometry as Keras computes it, the shared Keras import translation, and
 * the implementations of each kind that the per-type tables point at.
 *
 * Data are NHWC / NWC / NDHWC; kernels keep Keras' layouts, so a Keras
 * import is a copy. */
#ifndef DL4C_CONV_COMMON_H
#define DL4C_CONV_COMMON_H

#include "core/backend_conv.h"
#include "nn/layer_internal.h"

typedef enum dl4c_conv_kind {
    DL4C_CONV_PLAIN = 0, /* Conv1D/2D/3D */
    DL4C_CONV_TRANSPOSE, /* Conv1D/2D/3DTranspose */
    DL4C_CONV_DEPTHWISE, /* DepthwiseConv1D/2D */
    DL4C_CONV_SEPARABLE, /* SeparableConv1D/2D */
    DL4C_CONV_LOCAL,     /* LocallyConnected1D/2D */
    DL4C_CONV_KIND_COUNT
} dl4c_conv_kind;

typedef enum dl4c_conv_padding {
    DL4C_PAD_VALID = 0,
    DL4C_PAD_SAME,
    DL4C_PAD_CAUSAL, /* 1-D: all padding on the left */
    DL4C_PAD_COUNT
} dl4c_conv_padding;

typedef struct dl4c_conv_cfg {
    dl4c_conv_kind kind;
    int rank; /* spatial dims */
    /* keys, per spatial dim where they are lists */
    int64_t filters; /* 0 for depthwise */
    int64_t kernel[3], strides[3], dilation[3];
    int64_t output_padding[3];
    bool has_output_padding;
    dl4c_conv_padding padding;
    int64_t groups;
    int64_t depth_multiplier;
    bool use_bias;
    dl4c_activation act;
    /* set by build */
    dl4c_conv_desc desc;  /* the convolution (adjoint for transposed) */
    int64_t channels;     /* input channels */
    int64_t out_channels; /* channels of the output */
    int64_t in_size;      /* elements of one input example */
    int64_t out_size;     /* elements of one output example */
    int64_t positions;    /* geom.out[0]*geom.out[1]*geom.out[2] */
    int64_t kcols;        /* im2col columns of one group */
} dl4c_conv_cfg;

/* Config keys of each kind, NULL-ended (rank 1 plain convolutions also
 * take padding "causal"). */
extern const char *const dl4c_conv_plain_keys[];
extern const char *const dl4c_conv_transpose_keys[];
extern const char *const dl4c_conv_depthwise_keys[];
extern const char *const dl4c_conv_separable_keys[];
extern const char *const dl4c_conv_local_keys[];

/* Reads the layer's keys for `kind` and `rank`, with Keras' defaults. */
dl4c_status dl4c_conv_parse(dl4c_layer *l, const json_t *j, dl4c_conv_kind kind,
                            int rank);
/* Writes every key of the kind back, defaults spelled out. */
dl4c_status dl4c_conv_write(const dl4c_layer *l, json_t *j);

/* Checks the input (rank, channels) and sets geom, channels, sizes and
 * the output shape of every kind; fails with DL4C_SHAPE naming the layer,
 * the input shape and the kernel. Parameters are left to the kind. */
dl4c_status dl4c_conv_build_geometry(dl4c_layer *l);

/* Whether the activation's derivative can be computed from its output
 * alone, so the pre-activation need not be kept for the backward pass. */
bool dl4c_conv_act_from_output(const dl4c_activation *a);
/* Bytes of the region holding the pre-activation (or, in backward, its
 * gradient) for `batch` examples; 0 for the identity. */
size_t dl4c_conv_z_bytes(const dl4c_layer *l, int64_t batch, dl4c_dtype dt);
/* That region within a workspace laid out as [head bytes | z region]. */
void *dl4c_conv_zbuf(const dl4c_layer_ctx *x, size_t head);
/* n rounded up to 64 (workspace regions start on cache lines). */
size_t dl4c_conv_align(size_t n);

/* The bias + activation epilogue of a forward pass over the whole output
 * (one call, so counter-based random activations match the backward
 * pass): b has bias_len entries repeating along the output (the output
 * channels, or every output value of a locally connected layer). With
 * `z` (the pre-activation kept for backward), z holds the product on
 * entry and out receives act(z + b); without, out is updated in place. */
void dl4c_conv_epilogue(dl4c_layer_ctx *x, const void *b, int64_t bias_len,
                        void *z, void *out);
/* dz = d(loss)/d(pre-activation) for the layer's output; returns dout
 * itself for the identity, else the workspace region `zbuf`. */
const void *dl4c_conv_dz(dl4c_layer_ctx *x, void *zbuf);

/* Keras import: translates the Keras config of a layer of this kind and
 * rank (Keras 1, 2 and 3 keys) into dl4c keys. */
dl4c_status dl4c_conv_from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                                 json_t *out, dl4c_conv_kind kind, int rank);
/* Copies Keras weight arrays into the params after checking their shapes,
 * with messages naming the channel counts. */
dl4c_status dl4c_conv_keras_weights(const dl4c_keras_ctx *k,
                                    const dl4c_layer *l, int n,
                                    const dl4c_tensor *const *w,
                                    dl4c_tensor *const *params);

/* Plain convolution (im2col + GEMM), conv_plain.c */
dl4c_status dl4c_conv_plain_build(dl4c_layer *l);
size_t dl4c_conv_plain_workspace(const dl4c_layer *l, int64_t batch,
                                 dl4c_dtype dt);
void dl4c_conv_plain_forward(dl4c_layer_ctx *x);
void dl4c_conv_plain_backward(dl4c_layer_ctx *x);

/* Transposed convolution (GEMM + col2im), conv_transpose.c */
dl4c_status dl4c_conv_transpose_build(dl4c_layer *l);
size_t dl4c_conv_transpose_workspace(const dl4c_layer *l, int64_t batch,
                                     dl4c_dtype dt);
void dl4c_conv_transpose_forward(dl4c_layer_ctx *x);
void dl4c_conv_transpose_backward(dl4c_layer_ctx *x);

/* Depthwise convolution (direct kernels), conv_depthwise.c */
dl4c_status dl4c_conv_depthwise_build(dl4c_layer *l);
size_t dl4c_conv_depthwise_workspace(const dl4c_layer *l, int64_t batch,
                                     dl4c_dtype dt);
void dl4c_conv_depthwise_forward(dl4c_layer_ctx *x);
void dl4c_conv_depthwise_backward(dl4c_layer_ctx *x);

/* Separable convolution (depthwise, then a pointwise GEMM),
 * conv_separable.c */
dl4c_status dl4c_conv_separable_build(dl4c_layer *l);
size_t dl4c_conv_separable_workspace(const dl4c_layer *l, int64_t batch,
                                     dl4c_dtype dt);
void dl4c_conv_separable_forward(dl4c_layer_ctx *x);
void dl4c_conv_separable_backward(dl4c_layer_ctx *x);

/* Locally connected layers (im2col + one GEMM per position),
 * conv_local.c */
dl4c_status dl4c_conv_local_build(dl4c_layer *l);
size_t dl4c_conv_local_workspace(const dl4c_layer *l, int64_t batch,
                                 dl4c_dtype dt);
void dl4c_conv_local_forward(dl4c_layer_ctx *x);
void dl4c_conv_local_backward(dl4c_layer_ctx *x);

#endif
