/* Benchmark: a 2-layer LSTM(128) reading MNIST rows as time steps (28
 * steps of 28 features) plus a softmax output of 10, in dl4c.
 *   bench_lstm train BATCH   seconds for one epoch (60,000 examples) of
 *                            Adam training on in-memory data
 *   bench_lstm infer BATCH   microseconds per forward pass of BATCH rows
 * Prints one number. Synthetic data of MNIST's shape: speed does not
 * depend on the values. bench/run.sh runs it alternately with the PyTorch
 * peer (torch_lstm.py). */
#include "bench_net.h"

static const char *CONFIG =
    "{\"seed\": 1, \"inputs\": [{\"shape\": [28, 28]}], \"layers\": ["
    " {\"type\": \"LSTM\", \"units\": 128, \"return_sequences\": true},"
    " {\"type\": \"LSTM\", \"units\": 128},"
    " {\"type\": \"Output\", \"units\": 10, \"activation\": \"softmax\","
    "  \"loss\": \"mcxent\"}],"
    " \"training\": {\"updater\": {\"type\": \"adam\", "
    "\"learning_rate\": 0.001}}}";

int main(int argc, char **argv)
{
    const bench_net b = {.name = "bench_lstm",
                         .config = CONFIG,
                         .ndim = 2,
                         .dims = {28, 28},
                         .reps_one = 5000,
                         .reps_many = 100};
    return bench_net_main(&b, argc, argv);
}
