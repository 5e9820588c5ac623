/* The net struct and the internal functions shared by the net's files
 * (build, arena, run, update, config, summary). Nodes are kept in
 * topological order: net inputs first, then layers in config order (a
 * layer may only consume earlier nodes). */
#ifndef DL4C_NET_INTERNAL_H
#define DL4C_NET_INTERNAL_H

#include <jansson.h>

#include "dl4c/data.h"
#include "dl4c/net.h"
#include "nn/layer_internal.h"

/* One consumer edge whose gradient goes to a private buffer because its
 * producer feeds several consumers; the producer sums them. */
typedef struct dl4c_edge_grad {
    dl4c_tensor buf;
} dl4c_edge_grad;

typedef struct dl4c_node {
    char *name;
    dl4c_layer *layer; /* NULL for a net input */
    int n_out;         /* outputs of the node (1 for a net input) */
    dl4c_shape shapes[DL4C_LAYER_MAX_OUTPUTS]; /* per-example shapes */
    bool has_mask[DL4C_LAYER_MAX_OUTPUTS];
    int n_uses[DL4C_LAYER_MAX_OUTPUTS];       /* consumer input slots fed */
    int output_index[DL4C_LAYER_MAX_OUTPUTS]; /* in net outputs, or -1 */

    /* runtime views into the arena (see net_arena.c) */
    dl4c_tensor out[DL4C_LAYER_MAX_OUTPUTS];
    dl4c_tensor grad[DL4C_LAYER_MAX_OUTPUTS];
    dl4c_tensor own_mask[DL4C_LAYER_MAX_OUTPUTS]; /* MASK_CUSTOM buffers */
    const dl4c_tensor *mask[DL4C_LAYER_MAX_OUTPUTS]; /* carried, or NULL */
    dl4c_tensor *out_ptrs[DL4C_LAYER_MAX_OUTPUTS];
    dl4c_tensor *own_mask_ptrs[DL4C_LAYER_MAX_OUTPUTS];
    const dl4c_tensor *dout_ptrs[DL4C_LAYER_MAX_OUTPUTS];
    void *ws;
    size_t ws_bytes;
    void *state;
    size_t state_bytes;
    double *row_scores;
    const dl4c_tensor **in_ptrs;      /* [n_inputs] producers' outputs */
    const dl4c_tensor **in_mask_ptrs; /* [n_inputs] their masks or NULL */
    dl4c_tensor **din_ptrs;           /* [n_inputs] where d(input) goes */
    dl4c_edge_grad *edge_grads; /* [n_inputs], for shared producer outputs */
    dl4c_tensor param_views[DL4C_LAYER_MAX_PARAMS];
    dl4c_tensor grad_views[DL4C_LAYER_MAX_PARAMS];
    void *packed; /* packed copy of param 0 (see packs_weight), or NULL */
    dl4c_tensor *param_ptrs[DL4C_LAYER_MAX_PARAMS];
    dl4c_tensor *grad_ptrs[DL4C_LAYER_MAX_PARAMS];
} dl4c_node;

struct dl4c_net {
    dl4c_dtype dtype;
    const dl4c_backend *be;
    uint64_t seed;

    int n_nodes;
    dl4c_node *nodes;
    int n_inputs; /* nodes[0 .. n_inputs) are the net inputs */
    int n_outputs;
    int *outputs;      /* node indices */
    int *output_slots; /* which output of that node */

    int64_t n_params; /* parameters stored (a shared layer's once) */
    int64_t n_grads;  /* gradient values: n_params plus a private region
                         per layer that shares another's parameters */
    bool shared_params; /* param_data belongs to another net */
    void *param_data;
    void *grad_data;
    dl4c_tensor params_view, grads_view;
    void *state_data;
    int64_t state_size;
    dl4c_tensor state_view;

    dl4c_updater updater;
    dl4c_regularization reg;
    dl4c_clip clip;
    dl4c_init weight_init, bias_init;

    int64_t iteration, epoch;
    dl4c_rng rng;
    uint64_t step_seed;

    /* arena: capacity is the largest batch planned for */
    void *arena;
    size_t arena_bytes;
    int64_t capacity;
    bool planned_training;
    int64_t batch;
    bool input_grads;

    /* inference packing: packed weights are current while pack_version ==
     * param_version; anything that may change parameters bumps the latter */
    void *pack_data;
    bool packing;
    uint64_t param_version, pack_version;

    int n_meta;
    char **meta_keys, **meta_values;

    int n_classes;
    char **class_names;
    dl4c_normalizer *normalizer;
};

/* net_build.c: a net from a parsed config (takes no ownership of root). */
dl4c_status dl4c_net_build(const json_t *root, dl4c_dtype dtype,
                           dl4c_net **out);
/* net_config.c: the config of a net as JSON (new reference). */
dl4c_status dl4c_net_config_json(const dl4c_net *net, json_t **out);
/* net_arena.c: makes the arena fit `batch` (allocating only when it grows
 * or when training needs gradient buffers it lacks) and sets every view's
 * batch dim. */
dl4c_status dl4c_net_plan(dl4c_net *net, int64_t batch, bool training);
void dl4c_net_arena_free(dl4c_net *net);
/* net_pack.c: re-packs the packed weights when parameters changed. */
void dl4c_net_refresh_packs(dl4c_net *net);
/* net_update.c: updater state sized for the current updater. */
dl4c_status dl4c_net_alloc_updater_state(dl4c_net *net);
/* True when the node's layer computes a loss. */
static inline bool dl4c_node_is_loss(const dl4c_node *n)
{
    return n->layer && n->layer->type->score;
}

/* Zeroes every layer's persistent state (net_arena.c). */
void dl4c_net_zero_states(dl4c_net *net);

#endif
