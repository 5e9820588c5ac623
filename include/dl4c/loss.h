/* Loss functions: the catalogue, by name, with score and gradient.
 *
 *   dl4c_loss loss;
 *   if (dl4c_loss_parse("mcxent", &loss) != DL4C_OK) ...
 *   double score;
 *   dl4c_loss_score(&loss, pred, labels, NULL, NULL, NULL, &score);
 *
 * `pred` is the output layer's activation, shape [N, C] (rows = examples;
 * any leading dims are folded into rows). Per example, a loss is reduced
 * over the C outputs the way Keras reduces it (mean for MSE, L1, MSLE,
 * MAPE, HINGE, SQUARED_HINGE, XENT, POISSON, HUBER; sum for MCXENT,
 * NEGATIVELOGLIKELIHOOD, SPARSE_MCXENT, KL_DIVERGENCE, COSINE_PROXIMITY);
 * the score is the mean over the N examples.
 *
 * Labels have pred's shape ([N] also fits a [N, 1] pred): one-hot or
 * probabilities for MCXENT/NLL/KL; 0/1 for XENT;
 * -1/+1 for HINGE and SQUARED_HINGE (0 is taken as -1, as Keras does);
 * SPARSE_MCXENT takes labels of shape [N, 1] (or [N]) holding class
 * indices, whole numbers in 0..C-1.
 *
 * weights: optional [C] tensor multiplying each output's loss.
 * mask: optional [N] / [N, 1] (per example) or [N, C] (per output) of 0/1;
 * masked entries add nothing to score or gradient (they are skipped, so
 * padding may hold any value; COSINE_PROXIMITY leaves them out of both
 * vectors' norms). The mean still divides by N, as DL4J and Keras do.
 * Predictions with more dims [N, T, C] fold into N*T rows; their masks are
 * then [N, T], [N, T, 1] or [N, T, C].
 */
#ifndef DL4C_LOSS_H
#define DL4C_LOSS_H

#include "dl4c/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dl4c_loss_id {
    DL4C_LOSS_MSE = 0,
    DL4C_LOSS_L1,
    DL4C_LOSS_MSLE,
    DL4C_LOSS_MAPE,
    DL4C_LOSS_HINGE,
    DL4C_LOSS_SQUARED_HINGE,
    DL4C_LOSS_XENT,
    DL4C_LOSS_MCXENT,
    DL4C_LOSS_NEGATIVELOGLIKELIHOOD,
    DL4C_LOSS_SPARSE_MCXENT,
    DL4C_LOSS_KL_DIVERGENCE,
    DL4C_LOSS_POISSON,
    DL4C_LOSS_COSINE_PROXIMITY,
    DL4C_LOSS_HUBER,
    DL4C_LOSS_COUNT
} dl4c_loss_id;

typedef struct dl4c_loss {
    dl4c_loss_id id;
    double delta; /* HUBER: the switch point (1.0) */
} dl4c_loss;

DL4C_API dl4c_loss dl4c_loss_default(dl4c_loss_id id);

/* DL4J names ("mse", "mcxent", "negativeloglikelihood", "xent", "l1",
 * ...) and Keras names and classes ("mean_squared_error",
 * "categorical_crossentropy", "sparse_categorical_crossentropy",
 * "binary_crossentropy", "mae", "kld", "cosine_similarity", "huber",
 * "MeanSquaredError", ...), ignoring case and underscores.
 * DL4C_INVALID_ARG naming the unknown loss otherwise. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_loss_parse(const char *name,
                                                    dl4c_loss *out);

/* Canonical lower-case name ("mcxent"). */
DL4C_API const char *dl4c_loss_name(dl4c_loss_id id);

/* The mean loss over the batch in *score (NaN on failure); per-example
 * losses in `per_example` (N elements, same dtype) when not NULL.
 * DL4C_SHAPE when labels, weights, mask or per_example do not fit `pred`;
 * DL4C_INVALID_ARG for a dtype that differs from pred's, a sparse label
 * that is not a class index (the message names the row and value), or a
 * HUBER delta <= 0. Allocates nothing. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_loss_score(
    const dl4c_loss *loss, const dl4c_tensor *pred, const dl4c_tensor *labels,
    const dl4c_tensor *weights, const dl4c_tensor *mask,
    dl4c_tensor *per_example, double *score);

/* grad = d(score)/d(pred), shape and dtype of pred; the same checks as
 * dl4c_loss_score. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_loss_gradient(
    const dl4c_loss *loss, const dl4c_tensor *pred, const dl4c_tensor *labels,
    const dl4c_tensor *weights, const dl4c_tensor *mask, dl4c_tensor *grad);

#ifdef __cplusplus
}
#endif
#endif
