// labels: slow heavy
/* An LSTM reading MNIST rows as a sequence (28 steps of 28 pixels):
 * LSTM(128) then a softmax output, Adam, batch 64, two epochs, must reach
 * at least 97 % test accuracy with a fixed seed. Needs
 * ../shared/data/mnist (skipped without it). */
#include <string.h>

#include "test.h"

static const char *CONFIG =
    "{\"seed\": 12345, \"inputs\": [{\"name\": \"rows\", \"shape\": [28, "
    "28]}],"
    " \"layers\": ["
    "  {\"type\": \"LSTM\", \"units\": 128},"
    "  {\"type\": \"Output\", \"units\": 10, \"activation\": \"softmax\","
    "   \"loss\": \"mcxent\"}],"
    " \"training\": {\"updater\": {\"type\": \"adam\", \"learning_rate\": "
    "0.002}}}";

static void test_lstm_mnist_reaches_97_percent(void)
{
    test_accuracy_run run = {.dataset = "mnist",
                             .config = CONFIG,
                             .epochs = 2,
                             .shuffle_seed = 123,
                             .rows_as_steps = true,
                             .min_accuracy = 0.97};
    test_idx_accuracy(&run);
}

TEST_MAIN(test_lstm_mnist_reaches_97_percent)
