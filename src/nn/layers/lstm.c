/* LSTM, as Keras: i, f, o = rec_act(.), g = act(.) from x_t W + h_{t-1} R
 * + b (gates i, f, c, o), c_t = f c_{t-1} + i g, h_t = o act(c_t). Outputs
 * the sequence or the last h, then h and c with return_state; initial h
 * and c may come as inputs 1 and 2. The sequence driver is shared with
 * SimpleRNN and GRU (rnn_core.c). */
#include "nn/layers/rnn_common.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_rnn_parse_kind(l, j, DL4C_RNN_LSTM);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_rnn_from_keras(k, kcfg, out, DL4C_RNN_LSTM);
}

static const char *const keras_classes[] = {"LSTM", "CuDNNLSTM", NULL};

static const char *const examples[] = {
    "{\"input\": [4, 3], \"layer\": {\"type\": \"LSTM\", \"units\": 3}}",
    "{\"input\": [3, 2], \"outputs\": 3, \"layer\": {\"type\": \"LSTM\", "
    "\"units\": 2, \"return_sequences\": true, \"return_state\": true, "
    "\"go_backwards\": true}}",
    "{\"input\": [4, 3], \"mask_value\": 0.0, \"layer\": {\"type\": \"LSTM\", "
    "\"units\": 3, \"return_sequences\": true}}",
    "{\"input\": [4, 2], \"mask_value\": 0.0, \"outputs\": 3, \"layer\": "
    "{\"type\": \"LSTM\", \"units\": 2, \"return_state\": true}}",
    "{\"input\": [4, 2], \"mask_value\": 0.0, \"layer\": {\"type\": \"LSTM\", "
    "\"units\": 2, \"return_sequences\": true, \"go_backwards\": true, "
    "\"zero_output_for_mask\": true}}",
    "{\"inputs\": [[3, 2], [3], [3]], \"layer\": {\"type\": \"LSTM\", "
    "\"units\": 3, \"return_sequences\": true}}",
    "{\"input\": [3, 3], \"outputs\": 2, \"layer\": {\"type\": \"LSTM\", "
    "\"units\": 2, \"dropout\": 0.3, \"recurrent_dropout\": 0.4, "
    "\"return_state\": true}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"LSTM\", \"units\": 2, "
    "\"activation\": \"softsign\", \"recurrent_activation\": "
    "\"softplus\", \"use_bias\": false, \"return_sequences\": true}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"LSTM\", \"units\": 2, "
    "\"recurrent_activation\": \"hard_sigmoid\"}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"LSTM\", \"units\": 2, "
    "\"stateful\": true}}",
    "{\"input\": [3, 2, 2], \"layer\": {\"type\": \"LSTM\", \"units\": 2}, "
    "\"error\": \"layer 'under_test': expects input [N, time, features], got "
    "[N, 3, 2, 2]\"}",
    "{\"inputs\": [[3, 2], [2]], \"layer\": {\"type\": \"LSTM\", \"units\": "
    "2}, \"error\": \"1 or 3 inputs, got 2\"}",
    "{\"inputs\": [[3, 2], [2], [3]], \"layer\": {\"type\": \"LSTM\", "
    "\"units\": 2}, \"error\": \"initial state 2 must be [N, 2], got [N, "
    "3]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_lstm = {
    .name = "LSTM",
    .keras_class = "LSTM",
    .config_size = sizeof(dl4c_rnn_cfg),
    .keys = dl4c_rnn_lstm_keys,
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
