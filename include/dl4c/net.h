/* Networks: a DAG of layers with one flat parameter vector, built from a
 * JSON config (or the builder calls, which write one), run forward and
 * backward, updated by the configured updater.
 *
 *   const char *cfg =
 *     "{\"inputs\": [{\"name\": \"in\", \"shape\": [4]}],"
 *     " \"layers\": ["
 *     "  {\"type\": \"Dense\", \"units\": 10, \"activation\": \"relu\"},"
 *     "  {\"type\": \"Output\", \"units\": 3, \"activation\": \"softmax\","
 *     "   \"loss\": \"mcxent\"}],"
 *     " \"training\": {\"updater\": {\"type\": \"adam\"}}}";
 *   dl4c_net *net = NULL;
 *   if (dl4c_net_parse(cfg, DL4C_F32, &net) != DL4C_OK) ...
 *   double score;
 *   dl4c_net_fit_batch(net, &batch, &score);      // one training step
 *   dl4c_tensor *probs = NULL;
 *   dl4c_net_predict(net, features, &probs);      // [N, 3]
 *
 * The config format is documented in docs/config.md. A sequential model
 * is a chain: a layer without "inputs" takes the previous layer's output.
 * Shapes are per example (no batch dim); tensors passed in and out carry
 * the batch as their first dim. Activations and scratch memory live in an
 * arena sized for the largest batch seen, so steady-state training steps
 * allocate nothing. A net is used by one thread at a time.
 */
#ifndef DL4C_NET_H
#define DL4C_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "dl4c/data.h"
#include "dl4c/rng.h"
#include "dl4c/tensor.h"
#include "dl4c/updater.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dl4c_net dl4c_net;

/* ---- building --------------------------------------------------------- */

/* Builds a net from JSON config text with parameters of `dtype` (float64
 * is for gradient checks), initialized from the config's seed. Errors name
 * the layer and key: "layer 'dense_1': unknown activation 'relux'". */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_parse(const char *json,
                                                   dl4c_dtype dtype,
                                                   dl4c_net **out);
/* The same from a file. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_load_config(const char *path,
                                                         dl4c_dtype dtype,
                                                         dl4c_net **out);
/* The config as indented JSON (every default written out); free with
 * dl4c_free. Parsing it gives an identical net. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_write_config(const dl4c_net *net,
                                                          char **json);
DL4C_API void dl4c_net_free(dl4c_net *net);

/* A new net with the same config and a copy of the parameters, updater
 * state, counters and random state, converted to `dtype`. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_copy(const dl4c_net *net,
                                                  dl4c_dtype dtype,
                                                  dl4c_net **out);

/* A net for inference that shares `src`'s parameters (read-only) and has
 * its own activation memory: server workers each run one on the same
 * weights at the same time. It carries src's class names, normalizer and
 * metadata (copies). Training calls on it return DL4C_STATE. `src` must
 * outlive it and must not train while it runs. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_share(const dl4c_net *src,
                                                   dl4c_net **out);

/* ---- the builder: C calls that assemble the same JSON config ----------- */

typedef struct dl4c_net_builder dl4c_net_builder;

DL4C_API DL4C_NODISCARD dl4c_status dl4c_builder_create(dl4c_net_builder **out);
DL4C_API void dl4c_builder_free(dl4c_net_builder *b);
DL4C_API void dl4c_builder_seed(dl4c_net_builder *b, uint64_t seed);
/* Adds a named net input with a per-example shape. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_builder_input(dl4c_net_builder *b,
                                                       const char *name,
                                                       int ndim,
                                                       const int64_t *shape);
/* Adds a layer from its JSON object text (any registered layer type). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_builder_layer(dl4c_net_builder *b,
                                                       const char *json);
/* Shorthands; name may be NULL for a generated one. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_builder_dense(dl4c_net_builder *b,
                                                       const char *name,
                                                       int64_t units,
                                                       const char *activation);
DL4C_API DL4C_NODISCARD dl4c_status dl4c_builder_output(dl4c_net_builder *b,
                                                        const char *name,
                                                        int64_t units,
                                                        const char *activation,
                                                        const char *loss);
DL4C_API DL4C_NODISCARD dl4c_status dl4c_builder_dropout(dl4c_net_builder *b,
                                                         const char *name,
                                                         double rate);
DL4C_API void dl4c_builder_updater(dl4c_net_builder *b, const dl4c_updater *u);
DL4C_API void dl4c_builder_regularization(dl4c_net_builder *b,
                                          const dl4c_regularization *r);
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_builder_weight_init(dl4c_net_builder *b, const char *init);
DL4C_API DL4C_NODISCARD dl4c_status dl4c_builder_build(dl4c_net_builder *b,
                                                       dl4c_dtype dtype,
                                                       dl4c_net **out);

/* ---- introspection ------------------------------------------------------ */

DL4C_API dl4c_dtype dl4c_net_dtype(const dl4c_net *net);
DL4C_API int dl4c_net_num_inputs(const dl4c_net *net);
DL4C_API int dl4c_net_num_outputs(const dl4c_net *net);
DL4C_API const char *dl4c_net_input_name(const dl4c_net *net, int i);
DL4C_API const char *dl4c_net_output_name(const dl4c_net *net, int i);
/* Per-example shapes (no batch dim). */
DL4C_API dl4c_shape dl4c_net_input_shape(const dl4c_net *net, int i);
DL4C_API dl4c_shape dl4c_net_output_shape(const dl4c_net *net, int i);
DL4C_API int dl4c_net_num_layers(const dl4c_net *net);
DL4C_API const char *dl4c_net_layer_name(const dl4c_net *net, int i);
DL4C_API const char *dl4c_net_layer_type(const dl4c_net *net, int i);
/* Index of the named layer, or -1. */
DL4C_API int dl4c_net_layer_index(const dl4c_net *net, const char *name);
DL4C_API int64_t dl4c_net_num_params(const dl4c_net *net);
/* The flat parameter / gradient vectors, [num_params] views (borrowed,
 * writable, live as long as the net). */
DL4C_API dl4c_tensor *dl4c_net_params(const dl4c_net *net);
DL4C_API dl4c_tensor *dl4c_net_gradients(const dl4c_net *net);
/* One parameter array as a view, by layer and parameter name ("W", "b");
 * NULL when absent. */
DL4C_API dl4c_tensor *dl4c_net_param(const dl4c_net *net, const char *layer,
                                     const char *param);
/* A Keras-like table: layer (type), output shape, parameter count, inputs,
 * and the totals; free with dl4c_free. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_summary(const dl4c_net *net,
                                                     char **text);

/* Training counters: completed updates and completed epochs. */
DL4C_API int64_t dl4c_net_iteration(const dl4c_net *net);
DL4C_API int64_t dl4c_net_epoch(const dl4c_net *net);
DL4C_API void dl4c_net_set_epoch(dl4c_net *net, int64_t epoch);

/* Zeroes the state that stateful layers (stateful RNNs) keep from one
 * forward call to the next. */
DL4C_API void dl4c_net_reset_states(dl4c_net *net);

/* Class names of a classifier (copied), stored with the model. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_net_set_class_names(dl4c_net *net, int n, const char *const *names);
DL4C_API int dl4c_net_num_class_names(const dl4c_net *net);
DL4C_API const char *dl4c_net_class_name(const dl4c_net *net, int i);

/* Free-form metadata carried with the net and stored in its model file
 * (as "dl4c.meta.<key>"): transform steps, lineage, notes. Keys are
 * [A-Za-z0-9_.-]+; values are copied. Setting NULL removes a key. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_set_metadata(dl4c_net *net,
                                                          const char *key,
                                                          const char *value);
/* The value of `key` (borrowed, valid until it is set again), or NULL. */
DL4C_API const char *dl4c_net_get_metadata(const dl4c_net *net,
                                           const char *key);
DL4C_API int dl4c_net_metadata_count(const dl4c_net *net);
/* Key i in sorted (strcmp) order; NULL when out of range. */
DL4C_API const char *dl4c_net_metadata_key(const dl4c_net *net, int i);

/* True when output i ends in a classification loss (cross-entropies,
 * hinge, KL divergence) or the net has class names. */
DL4C_API bool dl4c_net_is_classifier(const dl4c_net *net, int i);

/* The normalizer applied to raw inputs (owned by the net after this call,
 * also on failure; NULL removes it). Stored with the model. */
DL4C_API void dl4c_net_set_normalizer(dl4c_net *net, dl4c_normalizer *norm);
DL4C_API const dl4c_normalizer *dl4c_net_normalizer(const dl4c_net *net);

/* ---- training configuration ------------------------------------------ */

DL4C_API dl4c_updater dl4c_net_get_updater(const dl4c_net *net);
/* Replaces the updater; its state is reset to zero. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_set_updater(dl4c_net *net,
                                                         const dl4c_updater *u);
DL4C_API dl4c_regularization dl4c_net_get_regularization(const dl4c_net *net);
DL4C_API void dl4c_net_set_regularization(dl4c_net *net,
                                          const dl4c_regularization *r);
DL4C_API dl4c_clip dl4c_net_get_clip(const dl4c_net *net);
DL4C_API void dl4c_net_set_clip(dl4c_net *net, const dl4c_clip *clip);
/* Frozen layers keep their parameters; gradients still flow through. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_set_frozen(dl4c_net *net,
                                                        const char *layer,
                                                        bool frozen);
/* Per-layer learning rate (the schedule scales it); < 0 restores the
 * net's rate. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_net_set_layer_learning_rate(dl4c_net *net, const char *layer, double lr);

/* The updater state as a flat vector (dl4c_updater_state_count *
 * num_params values; NULL for SGD). Borrowed, writable. */
DL4C_API dl4c_tensor *dl4c_net_updater_state(const dl4c_net *net);
/* The random state behind dropout masks and other training draws. */
DL4C_API void dl4c_net_get_rng(const dl4c_net *net, dl4c_rng *rng,
                               uint64_t *step_seed);
DL4C_API void dl4c_net_set_rng(dl4c_net *net, const dl4c_rng *rng,
                               uint64_t step_seed);
DL4C_API void dl4c_net_set_iteration(dl4c_net *net, int64_t iteration);

/* ---- computing -------------------------------------------------------- */

/* Runs the net on one batch per input (in input order, [N, shape...]).
 * `training` turns on dropout and other training-time behaviour. Outputs
 * are read with dl4c_net_output. DL4C_SHAPE names the input and both
 * shapes: "input 'in': expected [N, 4], got [10, 5]". */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_net_forward(dl4c_net *net, int n_inputs, const dl4c_tensor *const *inputs,
                 bool training);
/* Output i of the last forward pass: borrowed, valid until the next call
 * that runs the net. */
DL4C_API const dl4c_tensor *dl4c_net_output(const dl4c_net *net, int i);

/* Makes single-example inference faster: packs the weights of dense
 * layers into the layout the single-row kernel streams best (an extra copy
 * of those weights). Training steps and the parameter accessors
 * (dl4c_net_params, dl4c_net_param) mark the packed copy stale, and it is
 * rebuilt at the next inference pass; after writing through a pointer
 * obtained before the last inference pass, call this again. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_prepare_inference(dl4c_net *net);

/* Single-input, single-output inference on any number of rows (run in
 * chunks), as a new tensor. Applies no normalizer (see the CLI/model
 * layer for that). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_predict(dl4c_net *net,
                                                     const dl4c_tensor *input,
                                                     dl4c_tensor **out);

/* Labels for one loss output each, in output order; masks may be NULL or
 * hold NULL entries. */
typedef struct dl4c_net_targets {
    int n;
    const dl4c_tensor *const *labels;
    const dl4c_tensor *const *masks;
} dl4c_net_targets;

/* Loss of the batch (sum over loss outputs of the mean loss per example)
 * plus the regularization terms (l1*|w| + l2/2*w^2), as DL4J scores. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_net_score(dl4c_net *net, int n_inputs, const dl4c_tensor *const *inputs,
               const dl4c_net_targets *targets, bool training, double *score);

/* Forward (training mode) and backward: fills dl4c_net_gradients with
 * d(score)/d(params) (regularization not included: the updater adds it).
 * *score gets the batch score. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_compute_gradients(
    dl4c_net *net, int n_inputs, const dl4c_tensor *const *inputs,
    const dl4c_net_targets *targets, double *score);

/* After compute_gradients: d(score)/d(input i), a borrowed view; only
 * available after dl4c_net_set_input_gradients(net, true). */
DL4C_API void dl4c_net_set_input_gradients(dl4c_net *net, bool on);
DL4C_API const dl4c_tensor *dl4c_net_input_gradient(const dl4c_net *net, int i);

/* One update from the current gradients: clipping, schedule, updater,
 * regularization, frozen layers; then advances the iteration counter and
 * the per-step random seed. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_apply_update(dl4c_net *net);

/* compute_gradients + apply_update for a single-input, single-output
 * batch from an iterator. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_net_fit_batch(dl4c_net *net,
                                                       const dl4c_batch *batch,
                                                       double *score);

#ifdef __cplusplus
}
#endif
#endif
