/* Matching the names users write for catalogue entries (activations,
 * losses, initializers, updaters, schedules, clipping): case and
 * underscores are ignored, so DL4J's "leakyrelu", Keras' "leaky_relu" and
 * the class name "LeakyReLU" are one name. */
#ifndef DL4C_NAMES_INTERNAL_H
#define DL4C_NAMES_INTERNAL_H

#include <stdbool.h>

bool dl4c_name_equal(const char *a, const char *b);

#endif
