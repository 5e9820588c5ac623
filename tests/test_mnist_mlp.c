// labels: slow heavy
/* The classic DL4J MNIST example on real MNIST: a 784-500-100-10 MLP with
 * ReLU, softmax + negative log-likelihood, Nesterov momentum 0.98 and L2,
 * batch 64, 15 epochs, must reach at least 98 % test accuracy (the
 * example's learning rate 0.0015 ends near 98.0 %; 0.005 reaches about
 * 98.3 % whatever the seed). Needs
 * ../shared/data/mnist (skipped without it). */
#include <string.h>

#include "test.h"

static const char *CONFIG =
    "{\"seed\": 123, \"inputs\": [{\"name\": \"image\", \"shape\": [28, 28, "
    "1]}],"
    " \"layers\": ["
    "  {\"type\": \"Flatten\"},"
    "  {\"type\": \"Dense\", \"units\": 500, \"activation\": \"relu\"},"
    "  {\"type\": \"Dense\", \"units\": 100, \"activation\": \"relu\"},"
    "  {\"type\": \"Output\", \"units\": 10, \"activation\": \"softmax\","
    "   \"loss\": \"negativeloglikelihood\"}],"
    " \"training\": {\"updater\": {\"type\": \"nesterovs\","
    "  \"learning_rate\": 0.005, \"momentum\": 0.98}, \"l2\": 7.5e-6,"
    "  \"weight_init\": \"xavier\"}}";

static void test_mnist_mlp_reaches_98_percent(void)
{
    test_accuracy_run run = {.dataset = "mnist",
                             .config = CONFIG,
                             .epochs = 15,
                             .shuffle_seed = 123,
                             .rows_as_steps = false,
                             .min_accuracy = 0.98};
    test_idx_accuracy(&run);
}

TEST_MAIN(test_mnist_mlp_reaches_98_percent)
