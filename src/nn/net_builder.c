/* The C builder: each call appends to a JSON config, and build parses it
 * through the same path as a config file, so both describe nets the same
 * way and the builder's net can be written back as a file. */
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "nn/net_internal.h"

struct dl4c_net_builder {
    json_t *root;
    json_t *inputs;
    json_t *layers;
    json_t *training;
};

dl4c_status dl4c_builder_create(dl4c_net_builder **out)
{
    dl4c_net_builder *b = dl4c_calloc(1, sizeof *b);
    *out = NULL;
    if (!b)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    b->root = json_object();
    b->inputs = json_array();
    b->layers = json_array();
    b->training = json_object();
    if (!b->root || !b->inputs || !b->layers || !b->training ||
        json_object_set(b->root, "inputs", b->inputs) ||
        json_object_set(b->root, "layers", b->layers) ||
        json_object_set(b->root, "training", b->training)) {
        dl4c_builder_free(b);
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    *out = b;
    return DL4C_OK;
}

void dl4c_builder_free(dl4c_net_builder *b)
{
    if (!b)
        return;
    json_decref(b->inputs);
    json_decref(b->layers);
    json_decref(b->training);
    json_decref(b->root);
    dl4c_free(b);
}

void dl4c_builder_seed(dl4c_net_builder *b, uint64_t seed)
{
    json_object_set_new(b->root, "seed", json_integer((json_int_t)seed));
}

dl4c_status dl4c_builder_input(dl4c_net_builder *b, const char *name, int ndim,
                               const int64_t *shape)
{
    dl4c_shape s = {.ndim = ndim};
    if (ndim < 1 || ndim >= DL4C_MAX_DIMS)
        return dl4c_error_set(DL4C_INVALID_ARG, "input rank %d outside 1..%d",
                              ndim, DL4C_MAX_DIMS - 1);
    memcpy(s.dim, shape, sizeof(int64_t) * (size_t)ndim);
    json_t *in = json_pack("{s:s, s:o}", "name", name ? name : "input", "shape",
                           dl4c_cfg_shape_json(&s));
    if (!in || json_array_append_new(b->inputs, in))
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return DL4C_OK;
}

static dl4c_status append_layer(dl4c_net_builder *b, json_t *layer)
{
    if (!layer || json_array_append_new(b->layers, layer))
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return DL4C_OK;
}

dl4c_status dl4c_builder_layer(dl4c_net_builder *b, const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (!j)
        return dl4c_error_set(DL4C_FORMAT,
                              "layer config is not valid JSON: column %d: %s",
                              err.column, err.text);
    if (!json_is_object(j)) {
        json_decref(j);
        return dl4c_error_set(DL4C_FORMAT, "a layer config must be an object");
    }
    return append_layer(b, j);
}

static json_t *named(const char *type, const char *name)
{
    json_t *j = json_pack("{s:s}", "type", type);
    if (j && name)
        json_object_set_new(j, "name", json_string(name));
    return j;
}

dl4c_status dl4c_builder_dense(dl4c_net_builder *b, const char *name,
                               int64_t units, const char *activation)
{
    json_t *j = named("Dense", name);
    if (j) {
        json_object_set_new(j, "units", json_integer(units));
        if (activation)
            json_object_set_new(j, "activation", json_string(activation));
    }
    return append_layer(b, j);
}

dl4c_status dl4c_builder_output(dl4c_net_builder *b, const char *name,
                                int64_t units, const char *activation,
                                const char *loss)
{
    json_t *j = named("Output", name);
    if (j) {
        json_object_set_new(j, "units", json_integer(units));
        if (activation)
            json_object_set_new(j, "activation", json_string(activation));
        if (loss)
            json_object_set_new(j, "loss", json_string(loss));
    }
    return append_layer(b, j);
}

dl4c_status dl4c_builder_dropout(dl4c_net_builder *b, const char *name,
                                 double rate)
{
    json_t *j = named("Dropout", name);
    if (j)
        json_object_set_new(j, "rate", json_real(rate));
    return append_layer(b, j);
}

void dl4c_builder_updater(dl4c_net_builder *b, const dl4c_updater *u)
{
    json_object_set_new(b->training, "updater", dl4c_cfg_updater_json(u));
}

void dl4c_builder_regularization(dl4c_net_builder *b,
                                 const dl4c_regularization *r)
{
    json_object_set_new(b->training, "l1", json_real(r->l1));
    json_object_set_new(b->training, "l2", json_real(r->l2));
    json_object_set_new(b->training, "weight_decay",
                        json_real(r->weight_decay));
}

dl4c_status dl4c_builder_weight_init(dl4c_net_builder *b, const char *init)
{
    dl4c_init check;
    DL4C_RETURN_IF(dl4c_init_parse(init, &check));
    if (json_object_set_new(b->training, "weight_init", json_string(init)))
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    return DL4C_OK;
}

dl4c_status dl4c_builder_build(dl4c_net_builder *b, dl4c_dtype dtype,
                               dl4c_net **out)
{
    return dl4c_net_build(b->root, dtype, out);
}
