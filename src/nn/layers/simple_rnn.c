/* SimpleRNN, as Keras: h_t = act(x_t W + h_{t-1} R + b) over [N, time,
 * features]. The sequence driver, masks, states and dropout are shared
 * with LSTM and GRU (rnn_core.c). */
#include "nn/layers/rnn_common.h"

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    return dl4c_rnn_parse_kind(l, j, DL4C_RNN_SIMPLE);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    return dl4c_rnn_from_keras(k, kcfg, out, DL4C_RNN_SIMPLE);
}

static const char *const keras_classes[] = {"SimpleRNN", NULL};

static const char *const examples[] = {
    "{\"input\": [4, 3], \"layer\": {\"type\": \"SimpleRNN\", \"units\": 3}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"SimpleRNN\", \"units\": 2, "
    "\"activation\": \"softsign\", \"return_sequences\": true}}",
    "{\"input\": [4, 3], \"mask_value\": 0.0, \"outputs\": 2, \"layer\": "
    "{\"type\": \"SimpleRNN\", \"units\": 3, \"return_sequences\": true, "
    "\"return_state\": true, \"go_backwards\": true}}",
    "{\"input\": [4, 2], \"mask_value\": 0.0, \"layer\": {\"type\": "
    "\"SimpleRNN\", \"units\": 2}}",
    "{\"inputs\": [[3, 2], [3]], \"layer\": {\"type\": \"SimpleRNN\", "
    "\"units\": 3, \"use_bias\": false}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"SimpleRNN\", \"units\": 3, "
    "\"dropout\": 0.3, \"recurrent_dropout\": 0.4, \"return_sequences\": "
    "true}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"SimpleRNN\", \"units\": 2, "
    "\"stateful\": true}}",
    "{\"input\": [5], \"layer\": {\"type\": \"SimpleRNN\", \"units\": 2}, "
    "\"error\": \"layer 'under_test': expects input [N, time, features], got "
    "[N, 5]\"}",
    "{\"inputs\": [[3, 2], [4]], \"layer\": {\"type\": \"SimpleRNN\", "
    "\"units\": 3}, \"error\": \"initial state 1 must be [N, 3], got [N, "
    "4]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_simple_rnn = {
    .name = "SimpleRNN",
    .keras_class = "SimpleRNN",
    .config_size = sizeof(dl4c_rnn_cfg),
    .keys = dl4c_rnn_simple_keys,
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
