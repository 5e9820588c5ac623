/* The public iterator calls: argument checks, the normalizer applied on
 * the batch buffers, and the state envelope {"kind", "version", ...}.
 * Everything else is the kind's table (iterator_internal.h). */
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/iterator_internal.h"
#include "data/json_util_internal.h"

#define STATE_VERSION 1

void dl4c_iterator_free(dl4c_iterator *it)
{
    if (it)
        it->vt->destroy(it);
}

bool dl4c_iterator_has_next(const dl4c_iterator *it)
{
    return it && it->vt->has_next(it);
}

dl4c_status dl4c_iterator_next(dl4c_iterator *it, dl4c_batch *batch)
{
    dl4c_status status = DL4C_OK;
    dl4c_batch_buffers b = {0};
    DL4C_CHECK(it && batch, DL4C_INVALID_ARG, "iterator next: NULL argument");
    memset(batch, 0, sizeof *batch);
    DL4C_CHECK(it->vt->has_next(it), DL4C_STATE,
               "iterator: the epoch is over after %lld examples; call "
               "dl4c_iterator_reset to start the next one",
               (long long)it->vt->position(it));
    DL4C_TRY(it->vt->next(it, &b));
    if (it->normalizer && !it->vt->self_normalizing) {
        status = dl4c_normalizer_transform(it->normalizer, b.features);
        if (status == DL4C_OK && b.labels)
            status = dl4c_normalizer_transform_labels(it->normalizer, b.labels);
        if (status != DL4C_OK) {
            dl4c_error_prefix(status, "iterator");
            goto fail;
        }
    }
    batch->size = b.size;
    batch->features = b.features;
    batch->labels = b.labels;
    batch->features_mask = b.features_mask;
    batch->labels_mask = b.labels_mask;
fail:
    return status;
}

dl4c_status dl4c_iterator_reset(dl4c_iterator *it)
{
    if (!it)
        return dl4c_error_set(DL4C_INVALID_ARG, "iterator reset: NULL");
    return it->vt->reset(it);
}

int64_t dl4c_iterator_batch_size(const dl4c_iterator *it)
{
    return it ? it->batch_size : 0;
}

int64_t dl4c_iterator_count(const dl4c_iterator *it)
{
    return it ? it->vt->count(it) : 0;
}

int64_t dl4c_iterator_position(const dl4c_iterator *it)
{
    return it ? it->vt->position(it) : 0;
}

void dl4c_iterator_set_normalizer(dl4c_iterator *it, const dl4c_normalizer *n)
{
    if (it)
        it->normalizer = n;
}

dl4c_status dl4c_iterator_state_save(const dl4c_iterator *it, char **json)
{
    dl4c_status status = DL4C_OK;
    json_t *root = NULL;
    DL4C_CHECK(json, DL4C_INVALID_ARG, "iterator state: out is NULL");
    *json = NULL;
    DL4C_CHECK(it, DL4C_INVALID_ARG, "iterator state: NULL iterator");
    root = json_object();
    if (!root || json_object_set_new(root, "kind", json_string(it->vt->kind)) ||
        json_object_set_new(root, "version", json_integer(STATE_VERSION)))
        DL4C_NOMEM_FAIL();
    DL4C_TRY(it->vt->state_save(it, root));
    *json = dl4c_json_dump(root);
    if (!*json)
        DL4C_NOMEM_FAIL();
fail:
    json_decref(root);
    return status;
}

dl4c_status dl4c_iterator_state_load(dl4c_iterator *it, const char *json)
{
    dl4c_status status = DL4C_OK;
    json_t *root = NULL;
    json_error_t err;
    DL4C_CHECK(it && json, DL4C_INVALID_ARG, "iterator state: NULL argument");
    root = json_loads(json, JSON_REJECT_DUPLICATES, &err);
    DL4C_CHECK(root, DL4C_FORMAT, "iterator state: line %d column %d: %s",
               err.line, err.column, err.text);
    DL4C_CHECK(json_is_object(root), DL4C_FORMAT,
               "iterator state: not a JSON object");
    const json_t *kind = json_object_get(root, "kind");
    DL4C_CHECK(json_is_string(kind), DL4C_FORMAT,
               "iterator state: missing \"kind\"");
    DL4C_CHECK(!strcmp(json_string_value(kind), it->vt->kind), DL4C_FORMAT,
               "iterator state: saved from a '%s' iterator, this is a '%s' "
               "iterator",
               json_string_value(kind), it->vt->kind);
    const json_t *version = json_object_get(root, "version");
    DL4C_CHECK(json_is_integer(version) &&
                   json_integer_value(version) == STATE_VERSION,
               DL4C_FORMAT,
               "iterator state: missing or unsupported \"version\" (this "
               "dl4c reads %d)",
               STATE_VERSION);
    DL4C_TRY(it->vt->state_load(it, root));
fail:
    json_decref(root);
    return status;
}
