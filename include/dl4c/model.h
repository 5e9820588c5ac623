/* Model files: a net's parameters, config, class names and normalizer in
 * one safetensors file (see safetensors.h), optionally with the updater
 * state so training continues where it stopped.
 *
 *   if (dl4c_model_save(net, "mnist.dl4c", DL4C_MODEL_UPDATER) != DL4C_OK)
 *       fprintf(stderr, "%s\n", dl4c_last_error());
 *   dl4c_net *again = NULL;
 *   if (dl4c_model_load("mnist.dl4c", &again) != DL4C_OK) ...
 *
 * Layout: one tensor per parameter array named "<layer>/<param>"
 * ("dense_1/W", Keras' kernel layout), updater state as
 * "updater/<layer>/<param>/<k>", and metadata strings:
 *   dl4c.format      "dl4c.model"
 *   dl4c.version     the writing library's version
 *   dl4c.config      the net config JSON (docs/config.md)
 *   dl4c.classes     JSON list of class names (when set)
 *   dl4c.normalizer  the normalizer JSON (when set)
 *   dl4c.training    {"iteration": i, "epoch": e, "rng": [...], ...}
 *   dl4c.iterator    iterator position (checkpoints)
 *   dl4c.meta.<key>  the net's free-form metadata (dl4c_net_set_metadata)
 *   dl4c.crc32       checksum of the file; a changed file is refused
 * Files are written to a temporary name, synced and renamed.
 */
#ifndef DL4C_MODEL_H
#define DL4C_MODEL_H

#include "dl4c/data.h"
#include "dl4c/net.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    DL4C_MODEL_UPDATER = 1, /* also store the updater state */
};

/* Saves net (and whatever it carries: class names, normalizer, training
 * counters and random state). `flags` is 0 or DL4C_MODEL_UPDATER. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_model_save(const dl4c_net *net,
                                                    const char *path,
                                                    unsigned flags);

/* Loads a model file as a float32 net (or `dtype` with _as). The updater
 * state is restored when the file has it. DL4C_FORMAT for a file that is
 * not a dl4c model, damaged or altered; DL4C_IO when it cannot be read. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_model_load(const char *path,
                                                    dl4c_net **out);
DL4C_API DL4C_NODISCARD dl4c_status dl4c_model_load_as(const char *path,
                                                       dl4c_dtype dtype,
                                                       dl4c_net **out);

/* A checkpoint: the model with updater state plus the iterator's position
 * (it may be NULL), so training resumes exactly. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_checkpoint_save(
    const dl4c_net *net, const dl4c_iterator *it, const char *path);
/* Loads a checkpoint; when `it` is not NULL its position is restored from
 * the file (it must iterate the same data). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_checkpoint_load(const char *path,
                                                         dl4c_net **out,
                                                         dl4c_iterator *it);

#ifdef __cplusplus
}
#endif
#endif
