/* Running a net over a whole iterator in inference mode: the mean loss
 * (for validation and early stopping) and classification / regression
 * evaluations. */
#include "core/error_internal.h"
#include "dl4c/train.h"

static dl4c_status check_single(const dl4c_net *net)
{
    if (dl4c_net_num_inputs(net) != 1 || dl4c_net_num_outputs(net) != 1)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "iterator evaluation needs a net with one "
                              "input and one output (this one has %d and %d)",
                              dl4c_net_num_inputs(net),
                              dl4c_net_num_outputs(net));
    return DL4C_OK;
}

dl4c_status dl4c_net_score_iterator(dl4c_net *net, dl4c_iterator *it,
                                    double *score)
{
    double total = 0;
    int64_t count = 0;
    DL4C_RETURN_IF(check_single(net));
    DL4C_RETURN_IF(dl4c_iterator_reset(it));
    /* regularization is a property of the parameters, not the data */
    dl4c_regularization reg = dl4c_net_get_regularization(net), none = {0};
    dl4c_net_set_regularization(net, &none);
    dl4c_status st = DL4C_OK;
    while (st == DL4C_OK && dl4c_iterator_has_next(it)) {
        dl4c_batch b;
        st = dl4c_iterator_next(it, &b);
        if (st != DL4C_OK)
            break;
        const dl4c_tensor *in[1] = {b.features};
        const dl4c_tensor *labels[1] = {b.labels};
        const dl4c_tensor *masks[1] = {b.labels_mask};
        dl4c_net_targets t = {1, labels, masks};
        double s = 0;
        st = dl4c_net_score(net, 1, in, &t, false, &s);
        total += s * (double)b.size;
        count += b.size;
    }
    dl4c_net_set_regularization(net, &reg);
    DL4C_RETURN_IF(st);
    if (count == 0)
        return dl4c_error_set(DL4C_STATE, "the iterator has no examples");
    *score = total / (double)count;
    return DL4C_OK;
}

typedef dl4c_status (*add_fn)(void *eval, const dl4c_tensor *labels,
                              const dl4c_tensor *pred, const dl4c_tensor *mask);

static dl4c_status add_class(void *e, const dl4c_tensor *labels,
                             const dl4c_tensor *pred, const dl4c_tensor *mask)
{
    return dl4c_eval_add(e, labels, pred, mask);
}

static dl4c_status add_regression(void *e, const dl4c_tensor *labels,
                                  const dl4c_tensor *pred,
                                  const dl4c_tensor *mask)
{
    return dl4c_regression_eval_add(e, labels, pred, mask);
}

static dl4c_status evaluate(dl4c_net *net, dl4c_iterator *it, void *eval,
                            add_fn add)
{
    DL4C_RETURN_IF(check_single(net));
    DL4C_RETURN_IF(dl4c_iterator_reset(it));
    while (dl4c_iterator_has_next(it)) {
        dl4c_batch b;
        DL4C_RETURN_IF(dl4c_iterator_next(it, &b));
        if (!b.labels)
            return dl4c_error_set(DL4C_INVALID_ARG,
                                  "evaluation needs labelled data");
        const dl4c_tensor *in[1] = {b.features};
        DL4C_RETURN_IF(dl4c_net_forward(net, 1, in, false));
        DL4C_RETURN_IF(
            add(eval, b.labels, dl4c_net_output(net, 0), b.labels_mask));
    }
    return DL4C_OK;
}

dl4c_status dl4c_net_evaluate(dl4c_net *net, dl4c_iterator *it, dl4c_eval *e)
{
    return evaluate(net, it, e, add_class);
}

dl4c_status dl4c_net_evaluate_regression(dl4c_net *net, dl4c_iterator *it,
                                         dl4c_regression_eval *e)
{
    return evaluate(net, it, e, add_regression);
}
