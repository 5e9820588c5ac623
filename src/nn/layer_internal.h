/* The layer interface. A layer type is one const table in
 * src/nn/layers/<name>.c plus one line in src/nn/layers/layers.def; generic
 * code never switches on the type. Contract:
 *  - parse fills the type's config struct from the layer's JSON object
 *    (common keys such as name, inputs and frozen are handled by the net);
 *    write adds the same keys back;
 *  - build sees the per-example input shapes and sets the output shape and
 *    parameter specs, failing with DL4C_SHAPE naming the layer and shapes;
 *  - forward/backward never allocate and never fail: inputs were checked
 *    at build time and memory comes from the net's arena (workspace);
 *  - backward overwrites din[i] (skipping NULL entries) and the parameter
 *    gradients (skipping them when grads is NULL: frozen layer);
 *  - loss layers (score != NULL) compute their gradient from the labels
 *    instead of dout;
 *  - a layer may have several outputs (an LSTM's sequence and its states);
 *    build sets n_outputs and out_shapes, forward fills outs[k], backward
 *    gets douts[k] (zeros for an output nothing consumes);
 *  - masks ([batch, time] of 0/1, as Keras propagates them from Embedding
 *    mask_zero or Masking) flow along the graph: mask_mode says whether a
 *    type drops them, passes input 0's mask to its outputs, or makes its
 *    own (produces_mask / out_masks); in_masks[k] is NULL when input k has
 *    none;
 *  - non-trainable parameters (BatchNormalization's moving statistics) are
 *    saved with the model but get no gradient and no update: a layer
 *    changes them itself in training-mode forward passes;
 *  - a type with state_size gets that many bytes of `state` that persist
 *    across forward calls (stateful RNNs); dl4c_net_reset_states zeroes
 *    them. */
#ifndef DL4C_LAYER_INTERNAL_H
#define DL4C_LAYER_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "core/backend.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "dl4c/init.h"
#include "nn/config_json.h"

#define DL4C_LAYER_MAX_PARAMS 8
#define DL4C_LAYER_MAX_OUTPUTS 4

typedef struct dl4c_layer_type dl4c_layer_type;

typedef struct dl4c_param_spec {
    const char *name; /* "W", "b": static strings */
    dl4c_shape shape;
    dl4c_init init;
    int64_t fan_in, fan_out;
    bool regularize; /* L1/L2/weight decay apply (weights, not biases) */
    bool trainable;  /* false: saved state the layer updates itself */
} dl4c_param_spec;

/* Per-layer training settings; negative numbers mean "the net's". */
typedef struct dl4c_layer_opts {
    bool frozen;
    double learning_rate;
    double l1, l2, weight_decay;
    bool has_weight_init, has_bias_init;
    dl4c_init weight_init, bias_init;
} dl4c_layer_opts;

typedef struct dl4c_layer {
    const dl4c_layer_type *type;
    char *name;
    char *where; /* "layer 'name'", the prefix of its error messages */
    void *cfg;   /* type->config_size bytes */
    int n_inputs;
    int *inputs;           /* node indices */
    int *input_slots;      /* which output of that node */
    dl4c_shape *in_shapes; /* per example */
    bool *in_has_mask;     /* input k carries a mask */
    int n_outputs;         /* 1 unless build says otherwise */
    dl4c_shape out_shapes[DL4C_LAYER_MAX_OUTPUTS];
    bool out_has_mask[DL4C_LAYER_MAX_OUTPUTS];
    int n_params;
    dl4c_param_spec params[DL4C_LAYER_MAX_PARAMS];
    int64_t param_offset[DL4C_LAYER_MAX_PARAMS]; /* into the flat vector */
    int64_t grad_offset[DL4C_LAYER_MAX_PARAMS];  /* into the gradients */
    int64_t n_param_elems;
    int shares; /* node whose parameters this layer uses, or -1 */
    dl4c_layer_opts opts;
    /* net-level defaults the layer's build uses for its specs */
    dl4c_init default_weight_init, default_bias_init;
} dl4c_layer;

typedef struct dl4c_layer_ctx {
    const dl4c_layer *layer;
    const dl4c_backend *be;
    dl4c_dtype dtype;
    int64_t batch;
    bool training;
    uint64_t seed; /* per step and layer, for stochastic layers */
    const dl4c_tensor *const *in;
    const dl4c_tensor *const *in_masks; /* entries NULL: no mask */
    dl4c_tensor *out;                   /* outs[0] */
    dl4c_tensor *const *outs;
    dl4c_tensor *const *out_masks; /* MASK_CUSTOM: fill where out_has_mask */
    dl4c_tensor *const *params;
    dl4c_tensor *const *grads; /* NULL: frozen, skip parameter grads */
    const dl4c_tensor *dout;   /* douts[0]; NULL for loss layers */
    const dl4c_tensor *const *douts;
    dl4c_tensor *const *din; /* entries NULL when not needed */
    void *ws;                /* workspace bytes as requested */
    void *state;             /* state_size bytes kept across calls */
    const dl4c_tensor *labels; /* loss layers */
    const dl4c_tensor *mask;   /* loss layers, may be NULL */
    double *row_scores;        /* loss layers: batch doubles of scratch */
    const void *packed;        /* packs_weight layers in inference: W
                                  packed for single-row products, or NULL */
} dl4c_layer_ctx;

typedef enum dl4c_mask_mode {
    DL4C_MASK_DROP = 0, /* outputs carry no mask */
    DL4C_MASK_PASS,     /* every output carries input 0's mask */
    DL4C_MASK_CUSTOM    /* build sets out_has_mask; forward fills out_masks */
} dl4c_mask_mode;

/* What a layer type's Keras hooks know about the layer being imported. */
typedef struct dl4c_keras_ctx {
    int major;           /* Keras major version: 1, 2 or 3 */
    bool channels_first; /* data_format channels_first (imported as NHWC) */
    const char *where;   /* "layer 'name' (Conv2D)", for messages */
} dl4c_keras_ctx;

struct dl4c_layer_type {
    const char *name;        /* "Dense": the config's "type" */
    const char *keras_class; /* Keras class name, or NULL */
    size_t config_size;
    const char *const *keys; /* type-specific config keys, NULL-ended */
    dl4c_status (*parse)(dl4c_layer *l, const json_t *j);
    dl4c_status (*write)(const dl4c_layer *l, json_t *j);
    dl4c_status (*build)(dl4c_layer *l);
    /* workspace bytes for a batch (NULL: none) */
    size_t (*workspace)(const dl4c_layer *l, int64_t batch, dl4c_dtype dt);
    void (*forward)(dl4c_layer_ctx *c);
    void (*backward)(dl4c_layer_ctx *c);
    /* loss layers only: mean loss over the batch of the last forward, and
     * a check that labels for `rows` rows fit (errors name the layer) */
    double (*score)(dl4c_layer_ctx *c);
    dl4c_status (*check_labels)(const dl4c_layer *l, const dl4c_tensor *labels,
                                int64_t rows);
    /* loss layers only: the loss they compute */
    const dl4c_loss *(*loss_of)(const dl4c_layer *l);
    /* param 0 is a [k, n] matrix applied as x W: a net prepared for
     * inference gives single-row forwards a packed copy (ctx->packed) */
    bool packs_weight;
    void (*free_cfg)(void *cfg); /* NULL when cfg owns no memory */
    dl4c_mask_mode mask_mode;
    /* bytes of state kept across forward calls for `batch` (NULL: none) */
    size_t (*state_size)(const dl4c_layer *l, int64_t batch, dl4c_dtype dt);

    /* Keras import. keras_classes: the Keras class names this type
     * imports (NULL-ended; keras_class is the first). from_keras adds this
     * type's config keys for the Keras layer config `kcfg` (the "config"
     * object) to `out` (the importer adds type, name and inputs), failing
     * with DL4C_UNSUPPORTED and a reason for options dl4c lacks.
     * keras_weights copies the layer's weight arrays, in the file's order
     * and Keras' layouts, into the params (NULL: same count, order and
     * shapes). */
    const char *const *keras_classes;
    dl4c_status (*from_keras)(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out);
    dl4c_status (*keras_weights)(const dl4c_keras_ctx *k,
                                 const dl4c_layer *l, int n,
                                 const dl4c_tensor *const *w,
                                 dl4c_tensor *const *params);
    /* example configs for the registry-driven tests: JSON objects
     * {"input": [shape...] (or "inputs": [[...], ...]), "layer": {...}} */
    const char *const *examples;
};

/* ---- registry (src/nn/layer_registry.c) ---- */

/* The type named `name` (case-insensitive), or NULL. */
const dl4c_layer_type *dl4c_layer_type_find(const char *name);
int dl4c_layer_type_count(void);
const dl4c_layer_type *dl4c_layer_type_at(int i);
/* Adds a type after the built-in ones (custom layers). DL4C_INVALID_ARG
 * for a missing function or a name already taken. */
dl4c_status dl4c_layer_type_register(const dl4c_layer_type *type);

/* ---- helpers for layer files (src/nn/layer_util.c) ---- */

/* Shape error naming the layer: "layer 'x': <message>". */
dl4c_status dl4c_layer_error(const dl4c_layer *l, dl4c_status st,
                             const char *fmt, ...) DL4C_PRINTF(3, 4);
/* Requires exactly `n` inputs. */
dl4c_status dl4c_layer_expect_inputs(const dl4c_layer *l, int n);
/* Adds a parameter spec (weights get the layer's/net's weight init, biases
 * the bias init). */
void dl4c_layer_add_param(dl4c_layer *l, const char *name, int ndim,
                          const int64_t *shape, int64_t fan_in, int64_t fan_out,
                          bool is_bias);
/* Adds a non-trainable parameter (saved state such as moving averages),
 * initialized by `init`. */
void dl4c_layer_add_state_param(dl4c_layer *l, const char *name, int ndim,
                                const int64_t *shape, dl4c_init init);
/* "[N, 28, 28, 1]"-style text of a per-example shape with the batch dim,
 * into buf; returns buf. */
char *dl4c_layer_shape_text(const dl4c_shape *s, char *buf, size_t cap);

#endif
