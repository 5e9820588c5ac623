/* Keras model import: legacy HDF5 files (Keras 1, Keras 2, tf.keras), Keras
 * 3 .keras archives, and architecture JSON with or without a weights file,
 * turned into a dl4c net whose outputs match Keras' own.
 *
 *   dl4c_keras_options o = dl4c_keras_options_default();
 *   dl4c_net *net = NULL;
 *   if (dl4c_keras_import("model.h5", &o, &net) != DL4C_OK) {
 *       fprintf(stderr, "%s\n", dl4c_last_error());
 *       return 1;
 *   }
 *   dl4c_model_save(net, "model.dl4c", DL4C_MODEL_UPDATER);
 *
 * The format is told by the file's first bytes, not its name. Sequential
 * and functional models import, with several inputs and outputs, shared
 * layers (one set of weights used by several dl4c layers), nested models
 * (flattened into the outer net, their layers named "<model>/<layer>") and
 * InputLayer. Each Keras layer becomes the dl4c layer type that imports its
 * class; layers with data_format channels_first run on NHWC arrays in dl4c,
 * with Permute layers inserted where a channels_first tensor meets a layer
 * that needs Keras' own layout (docs/keras.md has every rule).
 *
 * When the file carries a training configuration, its loss becomes a loss
 * layer on each output (a final Dense becomes an Output layer, a final
 * Activation a Loss layer, anything else gets a Loss layer appended), the
 * optimizer becomes the updater, and the optimizer's saved state and
 * iteration count are restored where the file has them, so training
 * continues where Keras stopped.
 *
 * Import metadata is stored on the net (dl4c_net_get_metadata):
 *   keras.version, keras.backend   what wrote the file
 *   keras.input_layouts, keras.output_layouts
 *       JSON lists, present when some input or output is channels_first:
 *       "channels_first" entries hold NHWC arrays in dl4c,
 *       "channels_first:2" sequences of frames [N, T, C, ...] as
 *       [N, T, ..., C] (see dl4c_keras_input_convert)
 *   keras.warnings   JSON list of what imported only approximately (an
 *                    optimizer setting dl4c lacks, state not restored)
 *
 * Layers dl4c does not implement fail the import with one message naming
 * every such layer, its class and why. Lambda layers and custom classes
 * import once an implementation is registered (dl4c_keras_register_custom)
 * or the class is mapped onto a dl4c layer type
 * (dl4c_keras_register_translation).
 *
 * Thread-safety: imports may run in parallel; registrations must happen
 * before any import or net build and are not thread-safe.
 */
#ifndef DL4C_KERAS_H
#define DL4C_KERAS_H

#include <stdbool.h>
#include <stddef.h>

#include "dl4c/net.h"
#include "dl4c/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dl4c_keras_format {
    DL4C_KERAS_UNKNOWN = 0, /* none of the below */
    DL4C_KERAS_HDF5,        /* legacy .h5/.hdf5 (full model or weights) */
    DL4C_KERAS_ARCHIVE,     /* Keras 3 .keras zip */
    DL4C_KERAS_JSON,        /* architecture JSON (model.to_json()) */
    DL4C_KERAS_FORMAT_COUNT
} dl4c_keras_format;

/* Tells the format from the file's first bytes. DL4C_IO when the file
 * cannot be read. A JSON file counts as DL4C_KERAS_JSON only when it is an
 * object whose "class_name" is a Keras model class. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_keras_sniff(const char *path,
                                                     dl4c_keras_format *out);

typedef struct dl4c_keras_options {
    dl4c_dtype dtype;        /* of the net's parameters (DL4C_F32) */
    bool inference_only;     /* ignore the training configuration: no loss
                                layers, default updater */
    bool allow_nonfinite;    /* accept NaN/infinite weights (refused by
                                default: such a model predicts nothing) */
    unsigned long long seed; /* seeds weight init and dropout (42) */
    /* Per-example shapes for inputs whose Keras shape has dims of unknown
     * size (None: a fully convolutional net, a variable-length sequence),
     * in the model's input order. Only the None dims are taken from here;
     * an entry with ndim 0 (or n_input_shapes 0) leaves that input as the
     * model has it. */
    int n_input_shapes;
    const dl4c_shape *input_shapes;
} dl4c_keras_options;

DL4C_API dl4c_keras_options dl4c_keras_options_default(void);

/* Imports the model at `path`: a full HDF5 model, a .keras archive, or an
 * architecture JSON (weights then come from the config's initializers, for
 * training from scratch). `opts` may be NULL (the defaults).
 * Returns DL4C_IO when the file cannot be read; DL4C_FORMAT for a file that
 * is not a Keras model or is damaged (the message names the file and what
 * is wrong: "m.h5: layer 'dense_2': weight 'kernel:0' has shape [4, 3],
 * the layer needs [4, 2]"); DL4C_UNSUPPORTED listing every layer dl4c
 * cannot import; DL4C_SHAPE when the layers do not fit together;
 * DL4C_NOMEM. *out is NULL on failure. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_keras_import(
    const char *path, const dl4c_keras_options *opts, dl4c_net **out);

/* Imports an architecture JSON file together with a weights-only HDF5
 * file (model.save_weights), matching weights to layers by name.
 * weights_path may be NULL (config only). Statuses as above. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_keras_import_files(const char *config_path, const char *weights_path,
                        const dl4c_keras_options *opts, dl4c_net **out);

/* Net input i from an array in the layout Keras used for that input
 * (batch first): a copy, transposed from channels_first to NHWC when the
 * model keeps that input channels_first (keras.input_layouts), else an
 * unchanged copy. DL4C_SHAPE when the array does not fit the input. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_keras_input_convert(
    const dl4c_net *net, int i, const dl4c_tensor *array, dl4c_tensor **out);
/* Net output i as Keras returns it: NHWC back to channels_first where
 * keras.output_layouts says so; else an unchanged copy. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_keras_output_convert(
    const dl4c_net *net, int i, const dl4c_tensor *output, dl4c_tensor **out);

/* The i-th Keras class name dl4c imports (its layer types' and the
 * registered ones; Lambda layers are not listed), in registry order; NULL
 * past the last. Borrowed, static. */
DL4C_API const char *dl4c_keras_class(int i);

/* ---- Lambda and custom layers ---------------------------------------- */

#define DL4C_KERAS_MAX_WEIGHTS 8

/* What a custom layer computes its output shape and weights to be, per
 * example (no batch dim). */
typedef struct dl4c_keras_custom_shape {
    dl4c_shape out;
    int n_weights; /* weight arrays, in the order Keras saves them */
    dl4c_shape weights[DL4C_KERAS_MAX_WEIGHTS];
} dl4c_keras_custom_shape;

/* An implementation of a Keras layer class, or of one Lambda layer.
 * keras_config is the layer's Keras config as compact JSON text (stable
 * for the layer's lifetime: a pointer may key a cache). Tensors carry the
 * batch as their first dim; they are float32 (float64 in gradient
 * checks). */
typedef struct dl4c_keras_custom {
    void *user; /* passed to every callback */
    /* Required: the output shape and weight shapes for these inputs. */
    dl4c_status (*shape)(void *user, const char *keras_config, int n_inputs,
                         const dl4c_shape *inputs,
                         dl4c_keras_custom_shape *out);
    /* Required: out = f(inputs, weights). Must not fail. */
    void (*forward)(void *user, const char *keras_config, int n_inputs,
                    const dl4c_tensor *const *inputs,
                    const dl4c_tensor *const *weights, dl4c_tensor *out,
                    bool training);
    /* Optional: given d(loss)/d(out), write d(loss)/d(input i) into
     * d_inputs[i] and d(loss)/d(weight k) into d_weights[k] (entries or the
     * array may be NULL: not needed). NULL: gradients through this layer
     * are zero (fine for inference and for layers in front of nothing
     * trainable). */
    void (*backward)(void *user, const char *keras_config, int n_inputs,
                     const dl4c_tensor *const *inputs,
                     const dl4c_tensor *const *weights, const dl4c_tensor *out,
                     const dl4c_tensor *d_out, dl4c_tensor *const *d_inputs,
                     dl4c_tensor *const *d_weights);
} dl4c_keras_custom;

/* Registers `impl` (copied) for Keras class `keras_class` (as its
 * "class_name" reads, e.g. "MyScale"): every layer of that class then
 * imports as dl4c layer type "Keras:<class>", with the Keras config kept
 * in the net config so saved models load again (in a process that
 * registered the same class). Weights load in the file's order and shapes.
 * DL4C_INVALID_ARG for a NULL or empty name, a missing shape or forward,
 * or a class registered twice; DL4C_UNSUPPORTED past 32 registrations. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_keras_register_custom(
    const char *keras_class, const dl4c_keras_custom *impl);

/* The same for the Lambda layer named `layer_name` ("lambda_1"): Lambda
 * code is Python and cannot be imported, so each Lambda layer needs its
 * implementation. The dl4c type is "Lambda:<layer_name>". */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_keras_register_lambda(
    const char *layer_name, const dl4c_keras_custom *impl);

/* Maps Keras class `keras_class` onto an existing dl4c layer type: `fn`
 * gets the Keras config (JSON text) and writes the dl4c layer object
 * (JSON text with "type" and that type's keys, without "name" or
 * "inputs") into buf (cap bytes, NUL-terminated). Weights then go through
 * the target type's import of its own Keras weights. On failure `fn`
 * returns a status other than DL4C_OK and may write the reason into buf;
 * the import reports it for the layer. Registration statuses as for
 * dl4c_keras_register_custom. */
typedef dl4c_status (*dl4c_keras_translate_fn)(void *user,
                                               const char *keras_config,
                                               char *buf, size_t cap);
DL4C_API DL4C_NODISCARD dl4c_status dl4c_keras_register_translation(
    const char *keras_class, dl4c_keras_translate_fn fn, void *user);

#ifdef __cplusplus
}
#endif
#endif
