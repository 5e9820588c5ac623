/* The activation + loss end of a net, shared by the Output and Loss
 * layers: the score of a batch and d(score)/d(pre-activation). The pairs
 * softmax with MCXENT / NLL / SPARSE_MCXENT and sigmoid with XENT take a
 * fused, numerically stable gradient (p - y, with weights and masks);
 * every other pair goes through the loss gradient and the activation's
 * backward pass. Labels may be given as class indices ([rows, 1]) for the
 * softmax cross-entropies, or one-hot for SPARSE_MCXENT. With
 * "from_logits" (Keras' flag) the layer outputs the logits themselves
 * (activation identity) and the loss applies softmax (the cross-entropies)
 * or sigmoid (XENT) inside, with the same fused gradient. */
#ifndef DL4C_LOSS_HEAD_H
#define DL4C_LOSS_HEAD_H

#include "nn/layer_internal.h"

typedef struct dl4c_loss_head {
    dl4c_activation act;
    dl4c_loss loss;
    int n_weights;   /* 0, or the output width */
    double *weights; /* per-output loss weights (owned) */
    bool from_logits;
    double scale; /* "loss_scale": the loss and its gradient times this
                     (Keras' loss_weights between a model's outputs) */
} dl4c_loss_head;

/* Config keys "activation", "loss", "loss_weights", "from_logits" and
 * "loss_scale". */
dl4c_status dl4c_loss_head_parse(dl4c_loss_head *h, const dl4c_layer *l,
                                 const json_t *j);
dl4c_status dl4c_loss_head_write(const dl4c_loss_head *h, json_t *j);
/* Checks the weights' width against the output width. */
dl4c_status dl4c_loss_head_build(const dl4c_loss_head *h, const dl4c_layer *l,
                                 int64_t cols);
void dl4c_loss_head_deinit(dl4c_loss_head *h);
/* Labels of `rows` examples fit this head: full width, or [rows, 1] class
 * indices for the softmax cross-entropies. */
dl4c_status dl4c_loss_head_check_labels(const dl4c_loss_head *h,
                                        const dl4c_layer *l,
                                        const dl4c_tensor *labels, int64_t rows,
                                        int64_t cols);
/* Workspace bytes the head needs for `elems` output values (typed loss
 * weights, and the probabilities of logits). */
size_t dl4c_loss_head_workspace(const dl4c_loss_head *h, dl4c_dtype dt,
                                int64_t elems);

/* Mean loss over rows of the activations in c->out. */
double dl4c_loss_head_score(const dl4c_loss_head *h, dl4c_layer_ctx *c,
                            void *ws);
/* dz = d(score)/dz where c->out = act(z); dz may alias z. */
void dl4c_loss_head_backward(const dl4c_loss_head *h, dl4c_layer_ctx *c,
                             const void *z, void *dz, void *ws);

#endif
