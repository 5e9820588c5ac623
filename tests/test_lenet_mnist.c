// labels: slow heavy
/* LeNet on real MNIST: conv 5x5x20 relu, max-pool 2, conv 5x5x50 relu,
 * max-pool 2, dense 500 relu, dropout 0.5, softmax output (the `lenet`
 * preset of dl4c train); Adam with the rate decaying by 0.7 per epoch,
 * batch 64, 5 epochs, fixed seed, must reach at least 99.0 % test
 * accuracy (it reaches about 99.3 % whatever the seed). Needs
 * ../shared/data/mnist (skipped without it). */
#include <string.h>

#include "test.h"

static const char *CONFIG =
    "{\"seed\": 123, \"inputs\": [{\"name\": \"image\", \"shape\": [28, 28, "
    "1]}],"
    " \"layers\": ["
    "  {\"type\": \"Conv2D\", \"filters\": 20, \"kernel_size\": 5,"
    "   \"activation\": \"relu\"},"
    "  {\"type\": \"MaxPooling2D\", \"pool_size\": 2},"
    "  {\"type\": \"Conv2D\", \"filters\": 50, \"kernel_size\": 5,"
    "   \"activation\": \"relu\"},"
    "  {\"type\": \"MaxPooling2D\", \"pool_size\": 2},"
    "  {\"type\": \"Flatten\"},"
    "  {\"type\": \"Dense\", \"units\": 500, \"activation\": \"relu\"},"
    "  {\"type\": \"Dropout\", \"rate\": 0.5},"
    "  {\"type\": \"Output\", \"units\": 10, \"activation\": \"softmax\","
    "   \"loss\": \"mcxent\"}],"
    " \"training\": {\"updater\": {\"type\": \"adam\", \"learning_rate\": "
    "0.001, \"schedule\": {\"type\": \"step\", \"gamma\": 0.7, \"step\": 1, "
    "\"per_epoch\": true}}, \"weight_init\": \"relu\"}}";

static void test_lenet_reaches_99_percent(void)
{
    test_accuracy_run run = {.dataset = "mnist",
                             .config = CONFIG,
                             .epochs = 5,
                             .shuffle_seed = 123,
                             .rows_as_steps = false,
                             .min_accuracy = 0.99};
    test_idx_accuracy(&run);
}

TEST_MAIN(test_lenet_reaches_99_percent)
