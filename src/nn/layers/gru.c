/* GRU, as Keras (gates z, r, h): z, r = rec_act(.), h_t = z h_{t-1} +
 * (1 - z) n. With reset_after (tf.keras 2, Keras 3, CuDNN) the candidate
 * is n = act(x W_h + b_h + r (h R_h + b'_h)) and the bias is [2, 3*units]
 * (input, recurrent); without it (Keras 1 and 2) n = act(x W_h + (r h)
 * R_h + b_h) and the bias is [3*units]. The sequence driver is shared
 * with SimpleRNN and LSTM (rnn_core.c). */
#include "nn/layers/rnn_common.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_rnn_parse_kind(l, j, DL4C_RNN_GRU);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_rnn_from_keras(k, kcfg, out, DL4C_RNN_GRU);
}

static const char *const keras_classes[] = {"GRU", "CuDNNGRU", NULL};

static const char *const examples[] = {
    "{\"input\": [4, 3], \"layer\": {\"type\": \"GRU\", \"units\": 3}}",
    "{\"input\": [4, 3], \"layer\": {\"type\": \"GRU\", \"units\": 3, "
    "\"reset_after\": false}}",
    "{\"input\": [3, 2], \"outputs\": 2, \"layer\": {\"type\": \"GRU\", "
    "\"units\": 2, \"return_sequences\": true, \"return_state\": true, "
    "\"go_backwards\": true}}",
    "{\"input\": [3, 2], \"outputs\": 2, \"layer\": {\"type\": \"GRU\", "
    "\"units\": 2, \"reset_after\": false, \"return_sequences\": true, "
    "\"return_state\": true, \"go_backwards\": true}}",
    "{\"input\": [4, 3], \"mask_value\": 0.0, \"layer\": {\"type\": \"GRU\", "
    "\"units\": 3, \"return_sequences\": true}}",
    "{\"input\": [4, 2], \"mask_value\": 0.0, \"outputs\": 2, \"layer\": "
    "{\"type\": \"GRU\", \"units\": 2, \"reset_after\": false, "
    "\"return_state\": true}}",
    "{\"inputs\": [[3, 2], [3]], \"layer\": {\"type\": \"GRU\", \"units\": "
    "3, \"reset_after\": false, \"return_sequences\": true}}",
    "{\"inputs\": [[3, 2], [2]], \"layer\": {\"type\": \"GRU\", \"units\": "
    "2, \"use_bias\": false}}",
    "{\"input\": [3, 3], \"layer\": {\"type\": \"GRU\", \"units\": 2, "
    "\"dropout\": 0.3, \"recurrent_dropout\": 0.4, \"return_sequences\": "
    "true}}",
    "{\"input\": [3, 3], \"layer\": {\"type\": \"GRU\", \"units\": 2, "
    "\"reset_after\": false, \"dropout\": 0.3, \"recurrent_dropout\": 0.4, "
    "\"return_sequences\": true}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"GRU\", \"units\": 2, "
    "\"activation\": \"softsign\", \"recurrent_activation\": \"softplus\"}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"GRU\", \"units\": 2, "
    "\"reset_after\": false, \"activation\": \"elu\", "
    "\"recurrent_activation\": \"softplus\", \"return_sequences\": true}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"GRU\", \"units\": 2, "
    "\"stateful\": true}}",
    "{\"input\": [6], \"layer\": {\"type\": \"GRU\", \"units\": 2}, "
    "\"error\": \"layer 'under_test': expects input [N, time, features], got "
    "[N, 6]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_gru = {
    .name = "GRU",
    .keras_class = "GRU",
    .config_size = sizeof(dl4c_rnn_cfg),
    .keys = dl4c_rnn_gru_keys,
    .parse = parse,
    .write = dl4c_rnn_write,
    .build = dl4c_rnn_build,
    .workspace = dl4c_rnn_workspace,
    .forward = dl4c_rnn_forward,
    .backward = dl4c_rnn_backward,
    .state_size = dl4c_rnn_state_size,
    .mask_mode = DL4C_MASK_CUSTOM,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .keras_weights = dl4c_rnn_keras_weights,
    .examples = examples,
};
