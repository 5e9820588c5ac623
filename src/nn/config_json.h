/* Reading and writing the pieces of a JSON net config: numbers with range
 * checks, activations, losses, weight inits, updaters with schedules,
 * clipping. Every error names where it happened (`where`, e.g.
 * "layer 'dense_1'" or "training") and the key. */
#ifndef DL4C_CONFIG_JSON_H
#define DL4C_CONFIG_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "dl4c/activation.h"
#include "dl4c/init.h"
#include "dl4c/loss.h"
#include "dl4c/updater.h"

/* Fails on a key of `obj` that is in none of the NULL-ended lists. */
dl4c_status dl4c_cfg_check_keys(const char *where, const json_t *obj,
                                const char *const *const *lists, int n);

/* Absent keys leave *out unchanged unless `required`. */
dl4c_status dl4c_cfg_int(const char *where, const json_t *obj, const char *key,
                         bool required, int64_t min, int64_t *out);
dl4c_status dl4c_cfg_double(const char *where, const json_t *obj,
                            const char *key, bool required, double min,
                            double max, double *out);
dl4c_status dl4c_cfg_bool(const char *where, const json_t *obj, const char *key,
                          bool *out);
/* Borrowed string of the JSON value. */
dl4c_status dl4c_cfg_string(const char *where, const json_t *obj,
                            const char *key, bool required, const char **out);
/* A list of positive integers into shape (1..8 entries). */
dl4c_status dl4c_cfg_shape(const char *where, const json_t *obj,
                           const char *key, dl4c_shape *out);

/* A value that is a name ("relu") or an object with "type" and
 * parameters ({"type": "leakyrelu", "alpha": 0.2}). */
dl4c_status dl4c_cfg_activation(const char *where, const json_t *obj,
                                const char *key, dl4c_activation *out);
dl4c_status dl4c_cfg_loss(const char *where, const json_t *obj, const char *key,
                          dl4c_loss *out);
dl4c_status dl4c_cfg_init(const char *where, const json_t *obj, const char *key,
                          dl4c_init *out);
dl4c_status dl4c_cfg_updater(const char *where, const json_t *obj,
                             const char *key, dl4c_updater *out);
dl4c_status dl4c_cfg_clip(const char *where, const json_t *obj, const char *key,
                          dl4c_clip *out);

/* Writers (new references; NULL on allocation failure). */
json_t *dl4c_cfg_activation_json(const dl4c_activation *a);
json_t *dl4c_cfg_loss_json(const dl4c_loss *l);
json_t *dl4c_cfg_init_json(const dl4c_init *i);
json_t *dl4c_cfg_updater_json(const dl4c_updater *u);
json_t *dl4c_cfg_clip_json(const dl4c_clip *c);
json_t *dl4c_cfg_shape_json(const dl4c_shape *s);

/* json_object_set_new that reports failure as DL4C_NOMEM. */
dl4c_status dl4c_cfg_set(json_t *obj, const char *key, json_t *value);

#endif
