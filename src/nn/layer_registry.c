/* The layer registry: the X-macro list in layers/layers.def turned into a
 * table. Lookup is by the config's type name, ignoring case and
 * underscores. */
#include "core/names_internal.h"
#include "nn/layer_internal.h"

#define DL4C_LAYER(id) extern const dl4c_layer_type dl4c_layer_##id;
#include "nn/layers/layers.def"
#undef DL4C_LAYER

static const dl4c_layer_type *const registry[] = {
#define DL4C_LAYER(id) &dl4c_layer_##id,
#include "nn/layers/layers.def"
#undef DL4C_LAYER
};

#define REGISTRY_COUNT ((int)(sizeof registry / sizeof registry[0]))
#define EXTRA_MAX 64

/* Types registered at run time (custom layers); set up before nets are
 * built, not thread-safe. */
static const dl4c_layer_type *extra[EXTRA_MAX];
static int n_extra;

int dl4c_layer_type_count(void) { return REGISTRY_COUNT + n_extra; }

const dl4c_layer_type *dl4c_layer_type_at(int i)
{
    if (i >= 0 && i < REGISTRY_COUNT)
        return registry[i];
    i -= REGISTRY_COUNT;
    return i >= 0 && i < n_extra ? extra[i] : NULL;
}

const dl4c_layer_type *dl4c_layer_type_find(const char *name)
{
    for (int i = 0; i < dl4c_layer_type_count(); i++)
        if (dl4c_name_equal(dl4c_layer_type_at(i)->name, name))
            return dl4c_layer_type_at(i);
    return NULL;
}

dl4c_status dl4c_layer_type_register(const dl4c_layer_type *type)
{
    if (!type || !type->name || !type->parse || !type->write ||
        !type->build || !type->forward || !type->backward)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "a layer type needs a name and parse, write, "
                              "build, forward and backward functions");
    if (dl4c_layer_type_find(type->name))
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "layer type '%s' is already registered",
                              type->name);
    if (n_extra == EXTRA_MAX)
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "more than %d registered layer types",
                              EXTRA_MAX);
    extra[n_extra++] = type;
    return DL4C_OK;
}
