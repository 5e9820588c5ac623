/* Benchmark: the 784-500-100-10 MLP of DL4J's MNIST example in dl4c.
 *   bench_mlp train BATCH   seconds for one epoch (60,000 examples) of
 *                           Nesterov-momentum training on in-memory data
 *   bench_mlp infer BATCH   microseconds per forward pass of BATCH rows
 * Prints one number. Synthetic data of MNIST's shape: speed does not
 * depend on the values. bench/run.sh runs it alternately with the PyTorch
 * peer. */
#include "bench_net.h"

static const char *CONFIG =
    "{\"seed\": 1, \"inputs\": [{\"shape\": [784]}], \"layers\": ["
    " {\"type\": \"Dense\", \"units\": 500, \"activation\": \"relu\"},"
    " {\"type\": \"Dense\", \"units\": 100, \"activation\": \"relu\"},"
    " {\"type\": \"Output\", \"units\": 10, \"activation\": \"softmax\","
    "  \"loss\": \"negativeloglikelihood\"}],"
    " \"training\": {\"updater\": {\"type\": \"nesterovs\", "
    "\"learning_rate\": 0.0015, \"momentum\": 0.98}, \"l2\": 7.5e-6}}";

int main(int argc, char **argv)
{
    const bench_net b = {.name = "bench_mlp",
                         .config = CONFIG,
                         .ndim = 1,
                         .dims = {784},
                         .reps_one = 20000,
                         .reps_many = 200};
    return bench_net_main(&b, argc, argv);
}
