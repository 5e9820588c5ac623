/* The Keras importer's internal pieces, one job per file:
 *   keras_source.c    open a model: .h5 (full or weights-only), .keras zip,
 *                     architecture JSON; version, backend, configs
 *   keras_archive.c   read the members of a .keras zip
 *   keras_graph.c     flatten the model config into one list of layer
 *                     calls: Sequential and functional (Keras 1/2/3 node
 *                     formats), nested models, shared layers
 *   keras_layout.c    channels_first tensors: which layout each tensor
 *                     has in dl4c (NHWC) and the Permute layers between
 *   keras_translate.c layer calls -> dl4c net config through the layer
 *                     types' Keras hooks, with every failure collected
 *   keras_training.c  training_config -> loss layers and updater, and the
 *                     saved optimizer state
 *   keras_weights.c   weight arrays from the file -> the net's parameters
 *   keras_custom.c    user-registered implementations of Keras classes
 *                     and Lambda layers
 *   keras_import.c    the public entry points (include/dl4c/keras.h)
 */
#ifndef DL4C_KERAS_INTERNAL_H
#define DL4C_KERAS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "dl4c/keras.h"
#include "import/h5_internal.h"
#include "nn/layer_internal.h"

/* ---- problems: every failure of one import, reported together ---- */

typedef struct kx_problems {
    char **msgs;
    int n, cap;
    bool nomem;
} kx_problems;

/* Adds "layer 'name' (Class): <reason>" (or any text). */
void kx_problem(kx_problems *p, const char *fmt, ...) DL4C_PRINTF(2, 3);
/* The current dl4c_last_error() as one problem about a layer. */
void kx_problem_last(kx_problems *p, const char *name, const char *cls);
/* DL4C_OK when there is none; otherwise sets one message listing all
 * (headed by `what`) and returns `status`. */
dl4c_status kx_problems_report(const kx_problems *p, dl4c_status status,
                               const char *what);
void kx_problems_deinit(kx_problems *p);

/* ---- the source: where a model's config, weights and state live ---- */

typedef enum kx_weights_layout {
    KX_WEIGHTS_NONE = 0, /* architecture only */
    KX_WEIGHTS_LEGACY,   /* HDF5 groups per top-level layer + weight_names */
    KX_WEIGHTS_V3        /* Keras 3 "layers/<name>/vars/<i>" */
} kx_weights_layout;

typedef struct kx_source {
    char *name;          /* for messages: the file given */
    json_t *model;       /* {"class_name": ..., "config": ...} */
    json_t *training;    /* training_config / compile_config, or NULL */
    char *keras_version; /* "2.3.1", "3.2.1", ... (NULL: unknown) */
    char *backend;       /* "tensorflow", "theano", ... */
    int major;           /* 1, 2 or 3 */
    dl4c_h5 *h5;         /* the weights, or NULL */
    kx_weights_layout layout;
    const char *wroot;   /* legacy: "model_weights" or "" */
    void *archive_bytes; /* .keras: the weights file image */
} kx_source;

dl4c_status kx_source_open(const char *path, kx_source *src);
/* An architecture JSON plus (optionally, may be NULL) a weights file. */
dl4c_status kx_source_open_split(const char *config_path,
                                 const char *weights_path, kx_source *src);
void kx_source_deinit(kx_source *src);

/* ---- .keras archives ---- */

typedef struct kx_archive {
    char *config;   /* config.json */
    char *metadata; /* metadata.json, or NULL */
    void *weights;  /* model.weights.h5, or NULL */
    size_t weights_len;
} kx_archive;

dl4c_status kx_archive_read(const char *path, kx_archive *out);
void kx_archive_deinit(kx_archive *a);

/* ---- the flattened graph ---- */

typedef struct kx_ref {
    int call;
    int slot;
} kx_ref;

typedef struct kx_call {
    char *name;           /* dl4c node name (unique) */
    char *kname;          /* Keras layer name */
    const char *cls;      /* Keras class name */
    const json_t *kcfg;   /* the Keras layer's "config" (borrowed) */
    const json_t *kwargs; /* the call's keyword arguments, or NULL */
    bool is_input;        /* a net input */
    dl4c_shape shape;     /* inputs: per-example shape */
    int n_in;
    kx_ref *in;
    int owner;    /* call whose weights this one uses, or -1 */
    char *wgroup; /* legacy weights: top-level layer's group */
    bool wnested; /* legacy: the group holds a nested model's
                     weights; this layer's are those named kname */
    char *v3path; /* Keras 3 weights: "layers/dense_1" */
    int n_slots;  /* outputs other calls take (at least 1) */
} kx_call;

typedef struct kx_graph {
    kx_call *calls;
    int n, cap;
    int *inputs; /* calls that are net inputs, in the model's order */
    int n_inputs;
    kx_ref *outputs;
    int n_outputs;
} kx_graph;

/* Inputs whose shapes have None dims take them from o->input_shapes. */
dl4c_status kx_graph_build(const kx_source *src, const dl4c_keras_options *o,
                           kx_graph *g);
void kx_graph_deinit(kx_graph *g);
/* "name" or "name:k" of a reference, into buf. */
const char *kx_ref_text(const kx_graph *g, kx_ref r, char *buf, size_t cap);

/* ---- translation to a dl4c config ---- */

/* A tensor's layout in dl4c: 0 for Keras' own array, else k > 0: Keras'
 * channels-first array (channels at Keras axis k: 1 for images, 2 for
 * sequences of frames) with the channel axis moved last. */
typedef int kx_layout;
#define KX_LAYOUT_KERAS 0
#define KX_LAYOUT_MAX 3 /* largest channel axis tracked */

typedef struct kx_net_info {
    kx_layout *input_layouts;  /* per net input */
    kx_layout *output_layouts; /* per net output */
    int n_inputs, n_outputs;
    bool *call_cf; /* per call: its hook was told channels_first */
} kx_net_info;

/* The dl4c config (new reference) for the graph; the hooks' problems are
 * collected in `p` (the config is then incomplete). */
dl4c_status kx_translate(const kx_source *src, const kx_graph *g,
                         const dl4c_keras_options *o, kx_problems *p,
                         json_t **config, kx_net_info *info);
void kx_net_info_deinit(kx_net_info *info);

/* The Keras hook context for a call. */
dl4c_keras_ctx kx_ctx(const kx_source *src, bool cf, const char *where);
/* The dl4c layer type importing Keras class `cls` (custom registrations
 * and Lambda layers first), or NULL. */
const dl4c_layer_type *kx_find_type(const char *cls, const char *kname);
/* A registered translation of Keras class `cls` (keras_custom.c). */
bool kx_translation_find(const char *cls, dl4c_keras_translate_fn *fn,
                         void **user);

/* Layout role of a Keras layer (keras_layout.c). The Keras channel axis
 * of a KX_ROLE_CF layer's inputs and of its output `slot`. */
int kx_layout_axis_in(const kx_call *c);
int kx_layout_axis_out(const kx_call *c, int slot);
typedef enum kx_role {
    KX_ROLE_KERAS = 0, /* needs its inputs as Keras has them */
    KX_ROLE_CF,        /* channels_first: takes and gives NHWC arrays */
    KX_ROLE_ANY        /* elementwise: any layout, passed through */
} kx_role;
kx_role kx_layout_role(const kx_call *c);
/* False for layers that give a Keras-layout result whatever comes in
 * (Flatten, Reshape, Permute). */
bool kx_layout_keeps(const kx_call *c);
/* Keras "dims" (1-based, batch excluded) of the Permute that turns a
 * rank-`rank` tensor (batch included) from Keras' array into layout
 * `axis` (to_cf) or back. */
void kx_layout_dims(int rank, int axis, bool to_cf, int *dims);

/* ---- training configuration ---- */

/* Turns the net's outputs into loss layers for the training config's
 * loss(es) and adds the updater to `config` ("training"). Problems that
 * only stop training are warnings. */
dl4c_status kx_training_config(const kx_source *src, const kx_graph *g,
                               json_t *config, json_t *warnings);
/* After the weights: the optimizer's saved state and iteration count. */
dl4c_status kx_optimizer_state(const kx_source *src, const kx_graph *g,
                               const kx_net_info *info, dl4c_net *net,
                               json_t *warnings);

/* ---- weights ---- */

/* The Keras weight arrays of a call, in the file's order (legacy:
 * weight_names; Keras 3: vars/0..n then sub-objects). *names (may be
 * NULL) gets their names. */
dl4c_status kx_weights_of(const kx_source *src, const kx_graph *g,
                          const kx_call *c, dl4c_dtype dtype, dl4c_tensor ***w,
                          char ***names, int *n);
void kx_weights_free(dl4c_tensor **w, char **names, int n);
/* Copies every call's weights into the net through the hooks. */
dl4c_status kx_load_weights(const kx_source *src, const kx_graph *g,
                            const kx_net_info *info,
                            const dl4c_keras_options *o, dl4c_net *net);
/* Imports Keras arrays w (the file's order and layouts) into params
 * through the layer type's keras_weights hook, or as a plain copy when it
 * has none; cf: the hook is told the layer works channels-first. */
dl4c_status kx_apply_hook(const kx_source *src, const kx_call *c, bool cf,
                          const dl4c_layer *l, int n,
                          const dl4c_tensor *const *w,
                          dl4c_tensor *const *params);

/* ---- small JSON helpers (keras_source.c) ---- */

/* The Keras layer's config value of `key`, or NULL. */
const json_t *kx_get(const json_t *kcfg, const char *key);
/* Keras 3 wraps some values as {"class_name": ..., "config": ...}. */
const char *kx_class_of(const json_t *v);
/* kcfg[key] as a number, or def. */
double kx_num(const json_t *kcfg, const char *key, double def);

#endif
