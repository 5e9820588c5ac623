/* Benchmark: a LeNet-style CNN on MNIST-shaped data in dl4c:
 * conv 5x5x20 relu -> maxpool 2 -> conv 5x5x50 relu -> maxpool 2 ->
 * dense 500 relu -> dense 10 softmax (negative log-likelihood).
 *   bench_cnn train BATCH   seconds for one epoch (60,000 examples) of
 *                           Nesterov-momentum training on in-memory data
 *   bench_cnn infer BATCH   microseconds per forward pass of BATCH images
 * Prints one number. Synthetic data of MNIST's shape: speed does not
 * depend on the values. bench/run.sh runs it alternately with the PyTorch
 * peer (bench/torch_cnn.py). */
#include "bench_net.h"

static const char *CONFIG =
    "{\"seed\": 1, \"inputs\": [{\"shape\": [28, 28, 1]}], \"layers\": ["
    " {\"type\": \"Conv2D\", \"filters\": 20, \"kernel_size\": 5,"
    "  \"activation\": \"relu\"},"
    " {\"type\": \"MaxPooling2D\", \"pool_size\": 2},"
    " {\"type\": \"Conv2D\", \"filters\": 50, \"kernel_size\": 5,"
    "  \"activation\": \"relu\"},"
    " {\"type\": \"MaxPooling2D\", \"pool_size\": 2},"
    " {\"type\": \"Flatten\"},"
    " {\"type\": \"Dense\", \"units\": 500, \"activation\": \"relu\"},"
    " {\"type\": \"Output\", \"units\": 10, \"activation\": \"softmax\","
    "  \"loss\": \"negativeloglikelihood\"}],"
    " \"training\": {\"updater\": {\"type\": \"nesterovs\", "
    "\"learning_rate\": 0.01, \"momentum\": 0.9}, \"l2\": 5e-4}}";

int main(int argc, char **argv)
{
    const bench_net b = {.name = "bench_cnn",
                         .config = CONFIG,
                         .ndim = 3,
                         .dims = {28, 28, 1},
                         .reps_one = 5000,
                         .reps_many = 50};
    return bench_net_main(&b, argc, argv);
}
