/* Epoch orders of iterators and their saved state (epoch_order_internal.h). */
#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/epoch_order_internal.h"
#include "data/json_util_internal.h"

static void draw(dl4c_epoch_order *o)
{
    o->rng = o->epoch_rng;
    if (!o->shuffle)
        return;
    for (int64_t i = 0; i < o->n; i++)
        o->order[i] = i;
    dl4c_rng_shuffle(&o->rng, o->order, o->n);
}

dl4c_status dl4c_epoch_order_init(dl4c_epoch_order *o, int64_t n, bool shuffle,
                                  uint64_t seed)
{
    *o = (dl4c_epoch_order){.n = n, .shuffle = shuffle, .seed = seed};
    if (shuffle) {
        o->order = dl4c_malloc((size_t)(n > 0 ? n : 1) * sizeof *o->order);
        if (!o->order)
            return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    dl4c_rng_seed(&o->epoch_rng, seed);
    draw(o);
    return DL4C_OK;
}

void dl4c_epoch_order_free(dl4c_epoch_order *o)
{
    dl4c_free(o->order);
    o->order = NULL;
}

void dl4c_epoch_order_next_epoch(dl4c_epoch_order *o)
{
    o->epoch++;
    o->cursor = 0;
    o->epoch_rng = o->rng;
    draw(o);
}

dl4c_status dl4c_epoch_order_save(const dl4c_epoch_order *o, json_t *state)
{
    json_t *rng = json_array();
    int bad = !rng;
    for (int i = 0; i < 4 && rng; i++)
        bad |= json_array_append_new(rng, dl4c_json_u64(o->epoch_rng.s[i]));
    bad |= json_object_set_new(state, "count", json_integer(o->n));
    bad |= json_object_set_new(state, "shuffle", json_boolean(o->shuffle));
    bad |= json_object_set_new(state, "seed", dl4c_json_u64(o->seed));
    bad |= json_object_set_new(state, "epoch", json_integer(o->epoch));
    bad |= json_object_set_new(state, "cursor", json_integer(o->cursor));
    bad |= json_object_set_new(state, "epoch_rng", rng);
    return bad ? dl4c_error_set(DL4C_NOMEM, "out of memory") : DL4C_OK;
}

static bool get_int(const json_t *state, const char *key, int64_t *out)
{
    const json_t *v = json_object_get(state, key);
    if (!json_is_integer(v))
        return false;
    *out = (int64_t)json_integer_value(v);
    return true;
}

dl4c_status dl4c_epoch_order_load(dl4c_epoch_order *o, const json_t *state,
                                  const char *what, const char *holder)
{
    dl4c_status status = DL4C_OK;
    int64_t count = 0, epoch = 0, cursor = 0;
    uint64_t seed = 0;
    dl4c_rng rng;
    DL4C_CHECK(get_int(state, "count", &count) &&
                   get_int(state, "epoch", &epoch) &&
                   get_int(state, "cursor", &cursor) &&
                   dl4c_json_get_u64(json_object_get(state, "seed"), &seed),
               DL4C_FORMAT,
               "iterator state: \"count\", \"epoch\", \"cursor\" or "
               "\"seed\" missing or not a number");
    DL4C_CHECK(count == o->n, DL4C_FORMAT,
               "iterator state: saved over %lld %s, this %s has %lld",
               (long long)count, what, holder, (long long)o->n);
    DL4C_CHECK(epoch >= 0 && cursor >= 0 && cursor <= o->n, DL4C_FORMAT,
               "iterator state: epoch %lld / cursor %lld out of range",
               (long long)epoch, (long long)cursor);
    const json_t *shuffle = json_object_get(state, "shuffle");
    DL4C_CHECK(json_is_boolean(shuffle) && json_is_true(shuffle) == o->shuffle,
               DL4C_FORMAT,
               "iterator state: \"shuffle\" missing or different from this "
               "iterator's (%s)",
               o->shuffle ? "true" : "false");
    const json_t *arr = json_object_get(state, "epoch_rng");
    DL4C_CHECK(json_is_array(arr) && json_array_size(arr) == 4, DL4C_FORMAT,
               "iterator state: \"epoch_rng\" is not 4 hex strings");
    for (int i = 0; i < 4; i++)
        DL4C_CHECK(dl4c_json_get_u64(json_array_get(arr, (size_t)i), &rng.s[i]),
                   DL4C_FORMAT,
                   "iterator state: \"epoch_rng\"[%d] is not a hex string", i);
    DL4C_CHECK(rng.s[0] | rng.s[1] | rng.s[2] | rng.s[3], DL4C_FORMAT,
               "iterator state: \"epoch_rng\" is all zeros");
    o->seed = seed;
    o->epoch = epoch;
    o->cursor = cursor;
    o->epoch_rng = rng;
    draw(o);
fail:
    return status;
}
