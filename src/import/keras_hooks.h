/* Helpers for the Keras hooks of layer types (the files in src/nn/layers): the
 * translations several layer types need the same way. */
#ifndef DL4C_KERAS_HOOKS_H
#define DL4C_KERAS_HOOKS_H

#include <jansson.h>

#include "nn/layer_internal.h"

/* The first of `keys` (NULL-ended; Keras 1, 2 and 3 spell some keys
 * differently) present in kcfg with a non-null value, or NULL. */
const json_t *dl4c_keras_first(const json_t *kcfg, const char *const *keys);

/* Writes Keras activation `v` as out[key]: a built-in Keras name ("relu",
 * "linear", "hard_sigmoid" with Keras 3's slope 1/6, "leaky_relu" with
 * Keras' slope 0.2, ...) or Keras 3's {"class_name": "function",
 * "config": name}. Absent or null is the identity. DL4C_UNSUPPORTED names
 * an activation dl4c lacks. */
dl4c_status dl4c_keras_activation(const dl4c_keras_ctx *k, const json_t *v,
                                  const char *key, json_t *out);

#endif
