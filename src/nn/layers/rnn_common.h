/* What the recurrent layer files share: one config struct for SimpleRNN,
 * LSTM and GRU, the sequence driver that runs any of them over
 * [batch, time, features] (forward, BPTT backward, masks, initial and
 * persistent states, dropout), the Keras import translation, and the
 * helpers the wrappers (Bidirectional, TimeDistributed) use to hold an
 * inner layer of any type.
 *
 * Weights keep Keras' layouts: kernel W [features, G*units], recurrent
 * kernel R [units, G*units], bias b [G*units] ([2, 3*units] for GRU with
 * reset_after), gates in Keras' order (LSTM i, f, c, o; GRU z, r, h). */
#ifndef DL4C_RNN_COMMON_H
#define DL4C_RNN_COMMON_H

#include "core/backend_rnn.h"
#include "nn/layer_internal.h"

typedef enum dl4c_rnn_kind {
    DL4C_RNN_SIMPLE = 0,
    DL4C_RNN_LSTM,
    DL4C_RNN_GRU,
    DL4C_RNN_KIND_COUNT
} dl4c_rnn_kind;

typedef struct dl4c_rnn_cfg {
    dl4c_rnn_kind kind;
    int64_t units;
    dl4c_activation act;     /* candidate / output activation (tanh) */
    dl4c_activation rec_act; /* gate activation (sigmoid); LSTM, GRU */
    bool use_bias;
    bool return_sequences, return_state, go_backwards, stateful;
    bool zero_output_for_mask;
    bool unit_forget_bias; /* LSTM */
    bool reset_after;      /* GRU */
    double dropout, recurrent_dropout;
    dl4c_init rec_init;
    /* set by build */
    int64_t steps, features;
    int gates, n_states;
    bool keep_pre; /* an activation needs its pre-activations kept */
} dl4c_rnn_cfg;

/* Config keys of each kind, NULL-ended. */
extern const char *const dl4c_rnn_simple_keys[];
extern const char *const dl4c_rnn_lstm_keys[];
extern const char *const dl4c_rnn_gru_keys[];

/* The layer-type functions shared by SimpleRNN, LSTM and GRU; parse takes
 * the kind from the type's table (dl4c_rnn_parse_kind). */
dl4c_status dl4c_rnn_parse_kind(dl4c_layer *l, const json_t *j,
                                dl4c_rnn_kind kind);
dl4c_status dl4c_rnn_write(const dl4c_layer *l, json_t *j);
dl4c_status dl4c_rnn_build(dl4c_layer *l);
size_t dl4c_rnn_workspace(const dl4c_layer *l, int64_t batch, dl4c_dtype dt);
size_t dl4c_rnn_state_size(const dl4c_layer *l, int64_t batch, dl4c_dtype dt);
/* Moves a step's views, set up for row 0, to row r0, the first of a row
 * block: the matrices by r0 rows of their leading dimension, the
 * [rows, units] state gradients and recurrent dropout mask by r0 * units
 * (es bytes per element). Views that are NULL stay NULL. */
void dl4c_rnn_step_shift(dl4c_rnn_step *s, int64_t r0, size_t es);
/* Initial-state inputs (inputs 1...) must have the shape `state`; RReLU
 * has no recurrent form. Errors name the layer and both shapes. */
dl4c_status dl4c_rnn_check_inputs(const dl4c_layer *l, const dl4c_rnn_cfg *c,
                                  const dl4c_shape *state);
void dl4c_rnn_forward(dl4c_layer_ctx *x);
void dl4c_rnn_backward(dl4c_layer_ctx *x);

/* Adds 1 to the forget gate's slice of an LSTM's bias (unit_forget_bias),
 * for the layer's parameters right after their initialization. */
void dl4c_rnn_init_forget_bias(const dl4c_layer *l, dl4c_tensor *const *params);

/* ---- Keras import (rnn_keras.c) ---- */

/* The dl4c config keys for a Keras 1/2/3 SimpleRNN, LSTM or GRU config
 * (and CuDNNLSTM / CuDNNGRU, recognized by their missing activation). */
dl4c_status dl4c_rnn_from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                                json_t *out, dl4c_rnn_kind kind);
/* Keras weights in file order into the params: kernel, recurrent kernel,
 * bias as Keras 2/3 store them, Keras 1's per-gate arrays (W_i, U_i, b_i,
 * W_c, ... for LSTM; W_z, U_z, b_z, ... for GRU), and CuDNN's doubled
 * biases. */
dl4c_status dl4c_rnn_keras_weights(const dl4c_keras_ctx *k, const dl4c_layer *l,
                                   int n, const dl4c_tensor *const *w,
                                   dl4c_tensor *const *params);
/* A Keras activation (a name, null, or a serialized function) as a dl4c
 * activation JSON value; Keras 3's hard_sigmoid keeps its slope 1/6. */
dl4c_status dl4c_keras_activation_json(const dl4c_keras_ctx *k, const json_t *v,
                                       json_t **out);
/* Copies a Keras bool key when present. */
dl4c_status dl4c_keras_copy_bool(const dl4c_keras_ctx *k, const json_t *kcfg,
                                 const char *kkey, json_t *out,
                                 const char *key);

/* ---- inner layers of wrappers (layer_wrap.c) ---- */

/* Parses an inner layer config {"type": ..., type keys} for the wrapper
 * `outer`; `role` names it in messages ("layer 'bi' (forward)"). The
 * inner layer takes the wrapper's training options and inits. */
dl4c_status dl4c_wrap_parse(const dl4c_layer *outer, const json_t *j,
                            const char *role, dl4c_layer **out);
/* Builds it for inputs of these shapes. Masks are the wrapper's business:
 * the inner layer's out_has_mask flags are cleared afterwards. */
dl4c_status dl4c_wrap_build(dl4c_layer *inner, int n_inputs,
                            const dl4c_shape *shapes, const bool *has_mask);
/* {"type": ..., keys} of an inner layer (new reference, NULL: no memory). */
json_t *dl4c_wrap_write(const dl4c_layer *inner);
void dl4c_wrap_free(dl4c_layer *inner);
/* Adds the inner layer's parameter specs to the wrapper's; names get
 * `prefix` ("forward/") from the wrapper's name buffer `names`
 * (DL4C_LAYER_MAX_PARAMS x 64 bytes it owns) unless prefix is NULL. */
dl4c_status dl4c_wrap_add_params(dl4c_layer *outer, const dl4c_layer *inner,
                                 const char *prefix, char (*names)[64]);
/* The type whose keras_classes (or keras_class) lists `cls`, or NULL. */
const dl4c_layer_type *dl4c_layer_type_find_keras(const char *cls);
/* The dl4c config of a Keras inner layer {"class_name", "config"}: the
 * type's from_keras, or its same-named keys when it has none. */
dl4c_status dl4c_wrap_from_keras(const dl4c_keras_ctx *k, const json_t *klayer,
                                 json_t **out);
/* Weights of an inner layer: its keras_weights, or a copy when the count
 * and shapes match. */
dl4c_status dl4c_wrap_keras_weights(const dl4c_keras_ctx *k,
                                    const dl4c_layer *inner, int n,
                                    const dl4c_tensor *const *w,
                                    dl4c_tensor *const *params);

#endif
