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

int dl4c_layer_type_count(void)
{
    return REGISTRY_COUNT;
}

const dl4c_layer_type *dl4c_layer_type_at(int i)
{
    return i >= 0 && i < REGISTRY_COUNT ? registry[i] : NULL;
}

const dl4c_layer_type *dl4c_layer_type_find(const char *name)
{
    for (int i = 0; i < REGISTRY_COUNT; i++)
        if (dl4c_name_equal(registry[i]->name, name))
            return registry[i];
    return NULL;
}
