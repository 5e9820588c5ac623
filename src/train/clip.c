/* Gradient clipping modes by name. The clipping itself runs in the fit
 * loop through the backend's sum_squares / clip / scale entries, before
 * dl4c_updater_apply. */
#include <stddef.h>

#include "core/error_internal.h"
#include "core/names_internal.h"
#include "dl4c/updater.h"

static const char *const names[] = {"none", "value", "norm_layer", "norm_net"};
_Static_assert(sizeof(names) / sizeof(names[0]) == DL4C_CLIP_COUNT,
               "every clipping mode needs a name");

/* DL4J GradientNormalization names and Keras optimizer argument names.
 * Matching ignores case and underscores. Keras' clipnorm clips each
 * variable on its own, the closest being one layer's arrays at a time. */
static const struct {
    const char *name;
    dl4c_clip_id id;
} aliases[] = {
    {"clip_element_wise_absolute_value", DL4C_CLIP_VALUE},
    {"clipvalue", DL4C_CLIP_VALUE},
    {"clip_l2_per_layer", DL4C_CLIP_NORM_LAYER},
    {"clipnorm", DL4C_CLIP_NORM_LAYER},
    {"global_clipnorm", DL4C_CLIP_NORM_NET},
    {"global_norm", DL4C_CLIP_NORM_NET},
};

static dl4c_clip clip_default(dl4c_clip_id id)
{
    /* DL4J's default gradientNormalizationThreshold */
    dl4c_clip c = {.id = id, .threshold = id == DL4C_CLIP_NONE ? 0.0 : 1.0};
    return c;
}

dl4c_status dl4c_clip_parse(const char *name, dl4c_clip *out)
{
    if (!out)
        return dl4c_error_set(DL4C_INVALID_ARG, "clip: out is NULL");
    if (!name)
        return dl4c_error_set(DL4C_INVALID_ARG, "clipping name is NULL");
    for (int i = 0; i < DL4C_CLIP_COUNT; i++)
        if (dl4c_name_equal(name, names[i])) {
            *out = clip_default((dl4c_clip_id)i);
            return DL4C_OK;
        }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (dl4c_name_equal(name, aliases[i].name)) {
            *out = clip_default(aliases[i].id);
            return DL4C_OK;
        }
    return dl4c_error_set(DL4C_INVALID_ARG, "unknown gradient clipping '%s'",
                          name);
}

const char *dl4c_clip_name(dl4c_clip_id id)
{
    return (unsigned)id < DL4C_CLIP_COUNT ? names[id] : "invalid";
}
