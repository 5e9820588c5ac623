/* Score and gradient of an activation + loss pair (see loss_head.h). */
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "nn/loss_head.h"

static bool is_softmax_xent(const dl4c_loss_head *h)
{
    dl4c_loss_id id = h->loss.id;
    return id == DL4C_LOSS_MCXENT || id == DL4C_LOSS_NEGATIVELOGLIKELIHOOD ||
           id == DL4C_LOSS_SPARSE_MCXENT;
}

dl4c_status dl4c_loss_head_parse(dl4c_loss_head *h, const dl4c_layer *l,
                                 const json_t *j)
{
    json_t *w = json_object_get(j, "loss_weights");
    DL4C_RETURN_IF(dl4c_cfg_activation(l->where, j, "activation", &h->act));
    DL4C_RETURN_IF(dl4c_cfg_loss(l->where, j, "loss", &h->loss));
    DL4C_RETURN_IF(dl4c_cfg_bool(l->where, j, "from_logits", &h->from_logits));
    h->scale = 1.0;
    DL4C_RETURN_IF(
        dl4c_cfg_double(l->where, j, "loss_scale", false, 0, 1e30, &h->scale));
    if (h->from_logits &&
        (h->act.id != DL4C_ACT_IDENTITY ||
         !(is_softmax_xent(h) || h->loss.id == DL4C_LOSS_XENT)))
        return dl4c_layer_error(l, DL4C_FORMAT,
                                "from_logits needs activation identity and "
                                "loss mcxent, negativeloglikelihood, "
                                "sparse_mcxent or xent, not %s with %s",
                                dl4c_activation_name(h->act.id),
                                dl4c_loss_name(h->loss.id));
    if (!w)
        return DL4C_OK;
    if (!json_is_array(w) || json_array_size(w) == 0)
        return dl4c_layer_error(l, DL4C_FORMAT,
                                "'loss_weights' must be a list of numbers, "
                                "one per output");
    h->n_weights = (int)json_array_size(w);
    h->weights = dl4c_calloc((size_t)h->n_weights, sizeof(double));
    if (!h->weights)
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    for (int i = 0; i < h->n_weights; i++) {
        json_t *v = json_array_get(w, (size_t)i);
        if (!json_is_number(v) || json_number_value(v) < 0)
            return dl4c_layer_error(l, DL4C_FORMAT,
                                    "loss weight %d must be a number >= 0", i);
        h->weights[i] = json_number_value(v);
    }
    return DL4C_OK;
}

dl4c_status dl4c_loss_head_write(const dl4c_loss_head *h, json_t *j)
{
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "activation", dl4c_cfg_activation_json(&h->act)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "loss", dl4c_cfg_loss_json(&h->loss)));
    if (h->from_logits)
        DL4C_RETURN_IF(dl4c_cfg_set(j, "from_logits", json_true()));
    if (h->scale != 1.0)
        DL4C_RETURN_IF(dl4c_cfg_set(j, "loss_scale", json_real(h->scale)));
    if (h->n_weights) {
        json_t *w = json_array();
        DL4C_RETURN_IF(dl4c_cfg_set(j, "loss_weights", w));
        for (int i = 0; i < h->n_weights; i++)
            if (json_array_append_new(w, json_real(h->weights[i])))
                return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    return DL4C_OK;
}

dl4c_status dl4c_loss_head_build(const dl4c_loss_head *h, const dl4c_layer *l,
                                 int64_t cols)
{
    if (h->n_weights && h->n_weights != cols)
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "%d loss weights for %lld outputs",
                                h->n_weights, (long long)cols);
    return DL4C_OK;
}

void dl4c_loss_head_deinit(dl4c_loss_head *h)
{
    dl4c_free(h->weights);
    h->weights = NULL;
    h->n_weights = 0;
}

dl4c_status dl4c_loss_head_check_labels(const dl4c_loss_head *h,
                                        const dl4c_layer *l,
                                        const dl4c_tensor *labels, int64_t rows,
                                        int64_t cols)
{
    if (labels->size == rows * cols &&
        (cols > 1 || h->loss.id != DL4C_LOSS_SPARSE_MCXENT))
        return DL4C_OK;
    if (labels->size == rows && is_softmax_xent(h)) {
        /* class indices: every one must name an output */
        for (int64_t r = 0; r < rows; r++) {
            double v = dl4c_tensor_get(labels, r);
            if (!(v >= 0 && v < (double)cols) || v != (double)(int64_t)v)
                return dl4c_layer_error(l, DL4C_INVALID_ARG,
                                        "label %g of row %lld is not a class "
                                        "index in 0..%lld",
                                        v, (long long)r, (long long)cols - 1);
        }
        return DL4C_OK;
    }
    return dl4c_layer_error(
        l, DL4C_SHAPE, "loss %s needs labels with %lld value%s per row%s",
        dl4c_loss_name(h->loss.id), (long long)cols, cols == 1 ? "" : "s",
        is_softmax_xent(h) ? " (or one class index)" : "");
}

/* [typed loss weights | probabilities of the logits] */
static size_t weight_bytes(const dl4c_loss_head *h, dl4c_dtype dt)
{
    return ((size_t)h->n_weights * dl4c_dtype_size(dt) + 63) & ~(size_t)63;
}

size_t dl4c_loss_head_workspace(const dl4c_loss_head *h, dl4c_dtype dt,
                                int64_t elems)
{
    return weight_bytes(h, dt) +
           (h->from_logits ? (size_t)elems * dl4c_dtype_size(dt) : 0);
}

/* Loss arguments for the batch in c; index labels select SPARSE_MCXENT
 * and one-hot labels MCXENT, which are the same loss. */
static void make_args(const dl4c_loss_head *h, dl4c_layer_ctx *c, void *ws,
                      dl4c_loss *eff, dl4c_loss_args *a)
{
    const dl4c_tensor *p = c->out;
    int64_t cols = dl4c_tensor_cols(p), rows = dl4c_tensor_rows(p);
    *eff = h->loss;
    if (is_softmax_xent(h))
        eff->id = (c->labels->size == rows && cols > 1)
                      ? DL4C_LOSS_SPARSE_MCXENT
                      : DL4C_LOSS_MCXENT;
    memset(a, 0, sizeof *a);
    a->loss = eff;
    a->rows = rows;
    a->cols = cols;
    a->pred = p->data;
    if (h->from_logits) { /* the loss sees probabilities */
        dl4c_activation act = dl4c_activation_default(
            is_softmax_xent(h) ? DL4C_ACT_SOFTMAX : DL4C_ACT_SIGMOID);
        void *probs = (char *)ws + weight_bytes(h, c->dtype);
        c->be->act_forward(&act, c->dtype, rows, cols, p->data, probs, false,
                           0);
        a->pred = probs;
    }
    a->labels = c->labels->data;
    if (h->n_weights) {
        for (int i = 0; i < h->n_weights; i++) {
            if (c->dtype == DL4C_F32)
                ((float *)ws)[i] = (float)h->weights[i];
            else
                ((double *)ws)[i] = h->weights[i];
        }
        a->weights = ws;
    }
    if (c->mask) {
        a->mask = c->mask->data;
        a->mask_cols = c->mask->size == rows ? 1 : cols;
    }
}

double dl4c_loss_head_score(const dl4c_loss_head *h, dl4c_layer_ctx *c,
                            void *ws)
{
    dl4c_loss eff;
    dl4c_loss_args a;
    make_args(h, c, ws, &eff, &a);
    c->be->loss(&a, c->dtype, c->row_scores, NULL, 0.0);
    double sum = 0;
    for (int64_t r = 0; r < a.rows; r++) {
        c->row_scores[r] *= h->scale;
        sum += c->row_scores[r];
    }
    return sum / (double)a.rows;
}

void dl4c_loss_head_backward(const dl4c_loss_head *h, dl4c_layer_ctx *c,
                             const void *z, void *dz, void *ws)
{
    dl4c_loss eff;
    dl4c_loss_args a;
    make_args(h, c, ws, &eff, &a);
    double scale = h->scale / (double)a.rows;
    bool fused =
        h->from_logits ||
        (h->act.id == DL4C_ACT_SOFTMAX && is_softmax_xent(h)) ||
        (h->act.id == DL4C_ACT_SIGMOID && h->loss.id == DL4C_LOSS_XENT);
    if (fused) {
        c->be->loss_fused_grad(&a, c->dtype, dz, scale);
        return;
    }
    /* dL/dp into dz, then through the activation in place */
    c->be->loss(&a, c->dtype, c->row_scores, dz, scale);
    c->be->act_backward(&h->act, c->dtype, a.rows, a.cols, z, c->out->data, dz,
                        dz, c->training, c->seed);
}
