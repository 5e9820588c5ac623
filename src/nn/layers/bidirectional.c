/* Bidirectional, as Keras: forward and backward copies (go_backwards
 * flipped, or "backward_layer") of any recurrent layer; the backward
 * output is reversed back in time and merged (concat, sum, mul, ave) or
 * returned apart (merge_mode null). Outputs: merged output(s), forward
 * states, backward states; parameters "forward/..." then "backward/...";
 * with return_sequences masked steps output zeros, as Keras forces.
 * "concat_axis" (default -1) picks the axis concat joins along: Keras
 * joins along its last axis, which for a channels_first ConvLSTM2D is the
 * width, held second to last in dl4c's channels-last arrays. */
#include <string.h>

#include "core/error_internal.h"
#include "nn/layers/rnn_common.h"

#define MAX_STATES 3

typedef struct bidi_cfg {
    dl4c_layer *fwd, *bwd;
    bool explicit_backward;
    dl4c_merge_mode merge;
    int concat_axis; /* as given: from the end when negative */
    char names[DL4C_LAYER_MAX_PARAMS][64];
    /* set by build */
    int n_merge, n_st, k_in; /* merged outputs, states per side, inputs */
    bool seq;                /* the inner output has a time axis */
    int64_t steps, inner, cols;
} bidi_cfg;

static const char *const keys[] = {"layer", "merge_mode", "backward_layer",
                                   "concat_axis", NULL};
static const char *const merge_names[DL4C_MERGE_COUNT] = {"concat", "sum",
                                                          "mul", "ave", NULL};

static bool type_has_key(const dl4c_layer_type *t, const char *key)
{
    for (int i = 0; t && t->keys && t->keys[i]; i++)
        if (!strcmp(t->keys[i], key))
            return true;
    return false;
}

/* A copy of an inner config with the keys Bidirectional decides. */
static json_t *inner_json(const json_t *src, int go_backwards)
{
    json_t *j = json_deep_copy(src);
    if (!j)
        return NULL;
    const dl4c_layer_type *t =
        dl4c_layer_type_find(json_string_value(json_object_get(j, "type")));
    if (go_backwards >= 0 &&
        json_object_set_new(j, "go_backwards", json_boolean(go_backwards)))
        goto nomem;
    if (type_has_key(t, "zero_output_for_mask") &&
        json_object_set_new(
            j, "zero_output_for_mask",
            json_boolean(json_is_true(json_object_get(j, "return_sequences")))))
        goto nomem;
    return j;
nomem:
    json_decref(j);
    return NULL;
}

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    dl4c_status status = DL4C_OK;
    bidi_cfg *c = l->cfg;
    json_t *fj = NULL, *bj = NULL;
    json_t *layer = json_object_get(j, "layer");
    json_t *back = json_object_get(j, "backward_layer");
    json_t *mm = json_object_get(j, "merge_mode");
    DL4C_CHECK(layer, DL4C_FORMAT, "%s: missing key 'layer'", l->where);
    DL4C_CHECK(
        json_is_object(layer) && json_is_string(json_object_get(layer, "type")),
        DL4C_FORMAT, "%s: 'layer' must be an object with a \"type\"", l->where);
    const char *tn = json_string_value(json_object_get(layer, "type"));
    DL4C_CHECK(!dl4c_layer_type_find(tn) ||
                   type_has_key(dl4c_layer_type_find(tn), "go_backwards"),
               DL4C_FORMAT,
               "%s: Bidirectional wraps a recurrent layer (one with "
               "go_backwards); %s is not one",
               l->where, tn);
    c->merge = DL4C_MERGE_CONCAT;
    if (mm && json_is_null(mm)) {
        c->merge = DL4C_MERGE_NONE;
    } else if (mm) {
        int m = 0;
        while (m < DL4C_MERGE_NONE &&
               !(json_is_string(mm) &&
                 !strcmp(json_string_value(mm), merge_names[m])))
            m++;
        DL4C_CHECK(m < DL4C_MERGE_NONE, DL4C_FORMAT,
                   "%s: merge_mode must be \"concat\", \"sum\", \"mul\", "
                   "\"ave\" or null",
                   l->where);
        c->merge = (dl4c_merge_mode)m;
    }
    json_t *ax = json_object_get(j, "concat_axis");
    c->concat_axis = -1;
    if (ax) {
        DL4C_CHECK(json_is_integer(ax) &&
                       json_integer_value(ax) >= -DL4C_MAX_DIMS &&
                       json_integer_value(ax) <= DL4C_MAX_DIMS,
                   DL4C_FORMAT,
                   "%s: concat_axis must be an axis of the output (negative "
                   "counts from the end)",
                   l->where);
        DL4C_CHECK(c->merge == DL4C_MERGE_CONCAT, DL4C_FORMAT,
                   "%s: concat_axis needs merge_mode \"concat\"", l->where);
        c->concat_axis = (int)json_integer_value(ax);
    }
    bool gb = json_is_true(json_object_get(layer, "go_backwards"));
    fj = inner_json(layer, -1);
    if (back) {
        DL4C_CHECK(json_is_object(back), DL4C_FORMAT,
                   "%s: 'backward_layer' must be an object", l->where);
        DL4C_CHECK(json_is_true(json_object_get(back, "go_backwards")) != gb,
                   DL4C_FORMAT,
                   "%s: the forward and backward layers must differ in "
                   "go_backwards",
                   l->where);
        bj = inner_json(back, -1);
        c->explicit_backward = true;
    } else {
        bj = inner_json(layer, !gb);
    }
    if (!fj || !bj)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(dl4c_wrap_parse(l, fj, "forward", &c->fwd));
    DL4C_TRY(dl4c_wrap_parse(l, bj, "backward", &c->bwd));
    DL4C_CHECK(c->fwd->type == c->bwd->type, DL4C_FORMAT,
               "%s: the backward layer is a %s, the forward one a %s", l->where,
               c->bwd->type->name, c->fwd->type->name);
fail:
    json_decref(fj);
    json_decref(bj);
    return status;
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const bidi_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_cfg_set(j, "layer", dl4c_wrap_write(c->fwd)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "merge_mode",
                                c->merge == DL4C_MERGE_NONE
                                    ? json_null()
                                    : json_string(merge_names[c->merge])));
    if (c->explicit_backward)
        DL4C_RETURN_IF(
            dl4c_cfg_set(j, "backward_layer", dl4c_wrap_write(c->bwd)));
    if (c->concat_axis != -1)
        DL4C_RETURN_IF(
            dl4c_cfg_set(j, "concat_axis", json_integer(c->concat_axis)));
    return DL4C_OK;
}

static void free_cfg(void *cfg)
{
    bidi_cfg *c = cfg;
    dl4c_wrap_free(c->fwd);
    dl4c_wrap_free(c->bwd);
}

static dl4c_status build(dl4c_layer *l)
{
    bidi_cfg *c = l->cfg;
    if (l->n_inputs % 2 == 0 || l->n_inputs > 1 + 2 * MAX_STATES)
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "takes the sequence and the forward and "
                                "backward initial states (an odd number of "
                                "inputs), got %d inputs",
                                l->n_inputs);
    c->k_in = (l->n_inputs - 1) / 2;
    dl4c_shape sf[1 + MAX_STATES], sb[1 + MAX_STATES];
    bool mf[1 + MAX_STATES] = {l->in_has_mask[0]};
    sf[0] = sb[0] = l->in_shapes[0];
    for (int k = 0; k < c->k_in; k++) {
        sf[1 + k] = l->in_shapes[1 + k];
        sb[1 + k] = l->in_shapes[1 + c->k_in + k];
    }
    DL4C_RETURN_IF(dl4c_wrap_build(c->fwd, 1 + c->k_in, sf, mf));
    DL4C_RETURN_IF(dl4c_wrap_build(c->bwd, 1 + c->k_in, sb, mf));
    const dl4c_shape *o = &c->fwd->out_shapes[0];
    if (c->bwd->n_outputs != c->fwd->n_outputs ||
        !dl4c_shape_equal(o, &c->bwd->out_shapes[0])) {
        char a[96], b[96];
        return dl4c_layer_error(
            l, DL4C_SHAPE, "the forward layer outputs %s, the backward one %s",
            dl4c_layer_shape_text(o, a, sizeof a),
            dl4c_layer_shape_text(&c->bwd->out_shapes[0], b, sizeof b));
    }
    c->n_merge = c->merge == DL4C_MERGE_NONE ? 2 : 1;
    c->n_st = c->fwd->n_outputs - 1;
    if (c->n_merge + 2 * c->n_st > DL4C_LAYER_MAX_OUTPUTS)
        return dl4c_layer_error(l, DL4C_UNSUPPORTED,
                                "%d outputs (%s with return_state%s); dl4c "
                                "layers have at most %d",
                                c->n_merge + 2 * c->n_st, c->fwd->type->name,
                                c->n_merge == 2 ? " and merge_mode null" : "",
                                DL4C_LAYER_MAX_OUTPUTS);
    c->seq = o->ndim == c->fwd->in_shapes[0].ndim;
    c->steps = c->seq ? o->dim[0] : 1;
    /* [steps, inner, cols]: concat joins blocks of cols values */
    int first = c->seq ? 1 : 0;
    int axis = c->concat_axis < 0 ? o->ndim + c->concat_axis : c->concat_axis;
    if (axis < first || axis >= o->ndim) {
        char a[96];
        return dl4c_layer_error(
            l, DL4C_SHAPE,
            "concat_axis %d is not an axis of the inner output %s%s",
            c->concat_axis, dl4c_layer_shape_text(o, a, sizeof a),
            c->seq ? " other than time" : "");
    }
    c->inner = c->cols = 1;
    for (int d = first; d < o->ndim; d++)
        *(d < axis ? &c->inner : &c->cols) *= o->dim[d];
    l->n_outputs = c->n_merge + 2 * c->n_st;
    l->out_shapes[0] = *o;
    if (c->merge == DL4C_MERGE_CONCAT)
        l->out_shapes[0].dim[axis] *= 2;
    if (c->n_merge == 2)
        l->out_shapes[1] = *o;
    for (int k = 0; k < c->n_st; k++) {
        l->out_shapes[c->n_merge + k] = c->fwd->out_shapes[1 + k];
        l->out_shapes[c->n_merge + c->n_st + k] = c->bwd->out_shapes[1 + k];
    }
    for (int k = 0; k < c->n_merge; k++)
        l->out_has_mask[k] = c->seq && l->in_has_mask[0];
    DL4C_RETURN_IF(dl4c_wrap_add_params(l, c->fwd, "forward/", c->names));
    return dl4c_wrap_add_params(l, c->bwd, "backward/", c->names);
}

/* workspace: [forward ws | backward ws | yf | yb | dyf | dyb | dx_b] */
typedef struct bidi_ws {
    size_t fws, bws, yf, yb, dyf, dyb, dxb, end;
} bidi_ws;

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

static void ws_layout(const dl4c_layer *l, int64_t batch, dl4c_dtype dt,
                      bidi_ws *w)
{
    const bidi_cfg *c = l->cfg;
    size_t es = dl4c_dtype_size(dt);
    size_t y =
        align64((size_t)(batch * dl4c_shape_size(&c->fwd->out_shapes[0])) * es);
    size_t x =
        align64((size_t)(batch * dl4c_shape_size(&l->in_shapes[0])) * es);
    const dl4c_layer_type *t = c->fwd->type;
    size_t off = 0;
    w->fws = off;
    off += t->workspace ? align64(t->workspace(c->fwd, batch, dt)) : 0;
    w->bws = off;
    off += t->workspace ? align64(t->workspace(c->bwd, batch, dt)) : 0;
    w->yf = off;
    off += y;
    w->yb = off;
    off += y;
    w->dyf = off;
    off += y;
    w->dyb = off;
    off += y;
    w->dxb = off;
    off += x;
    w->end = off;
}

static size_t workspace(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    bidi_ws w;
    ws_layout(l, batch, dt, &w);
    return w.end;
}

static size_t state_size(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    const bidi_cfg *c = l->cfg;
    const dl4c_layer_type *t = c->fwd->type;
    if (!t->state_size)
        return 0;
    return align64(t->state_size(c->fwd, batch, dt)) +
           t->state_size(c->bwd, batch, dt);
}

/* One direction's context and the tensors it points at. */
typedef struct side {
    dl4c_layer_ctx ic;
    dl4c_tensor y, dy, dx, no_mask;
    const dl4c_tensor *ins[1 + MAX_STATES], *in_masks[1 + MAX_STATES];
    dl4c_tensor *outs[DL4C_LAYER_MAX_OUTPUTS],
        *out_masks[DL4C_LAYER_MAX_OUTPUTS];
    const dl4c_tensor *douts[DL4C_LAYER_MAX_OUTPUTS];
    dl4c_tensor *dins[1 + MAX_STATES];
} side;

static void setup_side(dl4c_layer_ctx *x, side *s, bool back, bool backward)
{
    const bidi_cfg *c = x->layer->cfg;
    const dl4c_layer *in = back ? c->bwd : c->fwd;
    bidi_ws w;
    ws_layout(x->layer, x->batch, x->dtype, &w);
    char *ws = x->ws;
    const dl4c_shape *os = &in->out_shapes[0];
    int st0 = c->n_merge + (back ? c->n_st : 0); /* its first state output */
    int in0 = 1 + (back ? c->k_in : 0);          /* its first state input */

    void *y = !back && c->merge == DL4C_MERGE_NONE ? x->outs[0]->data
                                                   : ws + (back ? w.yb : w.yf);
    dl4c_tensor_init_batch_view(&s->y, x->be, x->dtype, y, x->batch, os);
    s->no_mask = (dl4c_tensor){0};
    s->ins[0] = x->in[0];
    s->in_masks[0] = x->in_masks[0];
    for (int k = 0; k < c->k_in; k++) {
        s->ins[1 + k] = x->in[in0 + k];
        s->in_masks[1 + k] = NULL;
    }
    s->outs[0] = &s->y;
    s->out_masks[0] = &s->no_mask;
    for (int k = 0; k < c->n_st; k++) {
        s->outs[1 + k] = x->outs[st0 + k];
        s->out_masks[1 + k] = &s->no_mask;
    }
    dl4c_layer_ctx *ic = &s->ic;
    *ic = *x;
    ic->layer = in;
    ic->in = s->ins;
    ic->in_masks = s->in_masks;
    ic->out = &s->y;
    ic->outs = s->outs;
    ic->out_masks = s->out_masks;
    ic->packed = NULL;
    ic->ws = ws + (back ? w.bws : w.fws);
    if (x->state)
        ic->state =
            (char *)x->state +
            (back ? align64(in->type->state_size(c->fwd, x->batch, x->dtype))
                  : 0);
    if (back) {
        ic->params = x->params + c->fwd->n_params;
        ic->grads = x->grads ? x->grads + c->fwd->n_params : NULL;
        ic->seed = x->seed ^ 0xD1B54A32D192ED03ull;
    }
    if (!backward)
        return;
    const void *dy = !back && c->merge == DL4C_MERGE_NONE
                         ? x->douts[0]->data
                         : ws + (back ? w.dyb : w.dyf);
    dl4c_tensor_init_batch_view(&s->dy, x->be, x->dtype, (void *)dy, x->batch,
                                os);
    s->douts[0] = &s->dy;
    for (int k = 0; k < c->n_st; k++)
        s->douts[1 + k] = x->douts[st0 + k];
    s->dins[0] = NULL;
    if (x->din[0]) {
        void *dx = back ? ws + w.dxb : x->din[0]->data;
        dl4c_tensor_init_batch_view(&s->dx, x->be, x->dtype, dx, x->batch,
                                    &x->layer->in_shapes[0]);
        s->dins[0] = &s->dx;
    }
    for (int k = 0; k < c->k_in; k++)
        s->dins[1 + k] = x->din[in0 + k];
    ic->dout = &s->dy;
    ic->douts = s->douts;
    ic->din = s->dins;
}

static void forward(dl4c_layer_ctx *x)
{
    const bidi_cfg *c = x->layer->cfg;
    side f, b;
    setup_side(x, &f, false, false);
    setup_side(x, &b, true, false);
    c->fwd->type->forward(&f.ic);
    c->bwd->type->forward(&b.ic);
    dl4c_tensor *dst = x->outs[c->merge == DL4C_MERGE_NONE ? 1 : 0];
    x->be->rnn->merge(x->dtype, c->merge, x->batch, c->steps, c->inner, c->cols,
                      c->seq, f.y.data, b.y.data, dst->data);
    for (int k = 0; k < c->n_merge; k++)
        if (x->layer->out_has_mask[k])
            x->be->copy(x->dtype, x->batch * c->steps, x->in_masks[0]->data,
                        x->out_masks[k]->data);
}

static void backward(dl4c_layer_ctx *x)
{
    const bidi_cfg *c = x->layer->cfg;
    side f, b;
    setup_side(x, &f, false, true);
    setup_side(x, &b, true, true);
    const dl4c_tensor *d = x->douts[c->merge == DL4C_MERGE_NONE ? 1 : 0];
    x->be->rnn->merge_backward(x->dtype, c->merge, x->batch, c->steps, c->inner,
                               c->cols, c->seq, f.y.data, b.y.data, d->data,
                               f.dy.data, b.dy.data);
    c->fwd->type->backward(&f.ic);
    c->bwd->type->backward(&b.ic);
    if (x->din[0])
        x->be->axpby(x->dtype, x->din[0]->size, 1.0, b.dx.data, 1.0,
                     x->din[0]->data);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    json_t *layer = NULL, *back = NULL;
    DL4C_RETURN_IF(
        dl4c_wrap_from_keras(k, json_object_get(kcfg, "layer"), &layer));
    DL4C_RETURN_IF(dl4c_cfg_set(out, "layer", layer));
    json_t *mm = json_object_get(kcfg, "merge_mode");
    if (mm)
        DL4C_RETURN_IF(dl4c_cfg_set(out, "merge_mode", json_deep_copy(mm)));
    json_t *kb = json_object_get(kcfg, "backward_layer");
    if (kb && !json_is_null(kb)) {
        DL4C_RETURN_IF(dl4c_wrap_from_keras(k, kb, &back));
        DL4C_RETURN_IF(dl4c_cfg_set(out, "backward_layer", back));
    }
    /* Keras concatenates along its last axis whatever the data format:
     * the width of a channels-first ConvLSTM2D output, which dl4c holds
     * before the channels */
    bool concat =
        !mm || (json_is_string(mm) && !strcmp(json_string_value(mm), "concat"));
    if (k->channels_first && concat)
        DL4C_RETURN_IF(dl4c_cfg_set(out, "concat_axis", json_integer(-2)));
    return DL4C_OK;
}

/* Keras stores the forward layer's weights, then the backward one's */
static dl4c_status keras_weights(const dl4c_keras_ctx *k, const dl4c_layer *l,
                                 int n, const dl4c_tensor *const *w,
                                 dl4c_tensor *const *params)
{
    const bidi_cfg *c = l->cfg;
    if (n % 2)
        return dl4c_error_set(DL4C_SHAPE,
                              "%s: %d weight arrays; a Bidirectional layer "
                              "has as many for each direction",
                              k->where, n);
    DL4C_RETURN_IF(dl4c_wrap_keras_weights(k, c->fwd, n / 2, w, params));
    return dl4c_wrap_keras_weights(k, c->bwd, n / 2, w + n / 2,
                                   params + c->fwd->n_params);
}

static const char *const keras_classes[] = {"Bidirectional", NULL};

static const char *const examples[] = {
    "{\"input\": [4, 3], \"layer\": {\"type\": \"Bidirectional\", \"layer\": "
    "{\"type\": \"LSTM\", \"units\": 2, \"return_sequences\": true}, "
    "\"merge_mode\": \"concat\"}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"Bidirectional\", \"layer\": "
    "{\"type\": \"GRU\", \"units\": 2}, \"merge_mode\": \"sum\"}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"Bidirectional\", \"layer\": "
    "{\"type\": \"SimpleRNN\", \"units\": 2, \"return_sequences\": true}, "
    "\"merge_mode\": \"mul\"}}",
    "{\"input\": [4, 2], \"mask_value\": 0.0, \"layer\": {\"type\": "
    "\"Bidirectional\", \"layer\": {\"type\": \"GRU\", \"units\": 2, "
    "\"reset_after\": false, \"return_sequences\": true}, \"merge_mode\": "
    "\"ave\"}}",
    "{\"input\": [3, 2], \"outputs\": 2, \"layer\": {\"type\": "
    "\"Bidirectional\", \"layer\": {\"type\": \"LSTM\", \"units\": 2, "
    "\"return_sequences\": true}, \"merge_mode\": null}}",
    "{\"input\": [4, 2], \"mask_value\": 0.0, \"outputs\": 3, \"layer\": "
    "{\"type\": \"Bidirectional\", \"layer\": {\"type\": \"GRU\", \"units\": "
    "2, \"return_state\": true}}}",
    "{\"inputs\": [[3, 2], [2], [2]], \"layer\": {\"type\": "
    "\"Bidirectional\", \"layer\": {\"type\": \"SimpleRNN\", \"units\": 2, "
    "\"return_sequences\": true}}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"Bidirectional\", \"layer\": "
    "{\"type\": \"LSTM\", \"units\": 2}, \"backward_layer\": {\"type\": "
    "\"LSTM\", \"units\": 2, \"activation\": \"softsign\", "
    "\"go_backwards\": true}}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"Bidirectional\", \"layer\": "
    "{\"type\": \"LSTM\", \"units\": 2, \"stateful\": true, "
    "\"return_sequences\": true}}}",
    "{\"input\": [2, 3, 3, 1], \"layer\": {\"type\": \"Bidirectional\", "
    "\"layer\": {\"type\": \"ConvLSTM2D\", \"filters\": 1, \"kernel_size\": "
    "2, \"return_sequences\": true}, \"merge_mode\": \"concat\"}}",
    "{\"input\": [2, 3, 3, 1], \"layer\": {\"type\": \"Bidirectional\", "
    "\"layer\": {\"type\": \"ConvLSTM2D\", \"filters\": 2, \"kernel_size\": "
    "2, \"padding\": \"same\", \"return_sequences\": true}, "
    "\"concat_axis\": -2}}",
    "{\"input\": [2, 3, 3, 1], \"layer\": {\"type\": \"Bidirectional\", "
    "\"layer\": {\"type\": \"ConvLSTM2D\", \"filters\": 1, \"kernel_size\": "
    "2}, \"concat_axis\": 1}}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"Bidirectional\", \"layer\": "
    "{\"type\": \"LSTM\", \"units\": 2, \"return_sequences\": true}, "
    "\"concat_axis\": 0}, \"error\": \"concat_axis 0 is not an axis of the "
    "inner output [N, 3, 2] other than time\"}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"Bidirectional\", \"layer\": "
    "{\"type\": \"Dense\", \"units\": 2}}, \"error\": \"layer 'under_test': "
    "Bidirectional wraps a recurrent layer\"}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"Bidirectional\", \"layer\": "
    "{\"type\": \"LSTM\", \"units\": 2}, \"merge_mode\": \"max\"}, "
    "\"error\": \"merge_mode must be\"}",
    "{\"input\": [3, 2], \"layer\": {\"type\": \"Bidirectional\", \"layer\": "
    "{\"type\": \"LSTM\", \"units\": 2}, \"backward_layer\": {\"type\": "
    "\"LSTM\", \"units\": 3, \"go_backwards\": true}}, \"error\": \"the "
    "forward layer outputs [N, 2], the backward one [N, 3]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_bidirectional = {
    .name = "Bidirectional",
    .keras_class = "Bidirectional",
    .config_size = sizeof(bidi_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .workspace = workspace,
    .forward = forward,
    .backward = backward,
    .free_cfg = free_cfg,
    .state_size = state_size,
    .mask_mode = DL4C_MASK_CUSTOM,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .keras_weights = keras_weights,
    .examples = examples,
};
