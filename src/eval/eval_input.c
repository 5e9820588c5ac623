/* Input checks shared by the classification and regression evaluations:
 * host access to 1-D/2-D CPU tensors ([N] reads as [N, 1]), mask shape and
 * value checks, and the name lists both evaluations keep. */
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/tensor_internal.h"
#include "eval/eval_internal.h"

const char *dl4c_eval_shape_str(const dl4c_tensor *t, char *buf, size_t cap)
{
    dl4c_shape s = dl4c_shape_of(t);
    return dl4c_shape_format(&s, buf, cap);
}

dl4c_status dl4c_eval_input_open(const dl4c_tensor *t, const char *what,
                                 dl4c_eval_input *in)
{
    if (!t)
        return dl4c_error_set(DL4C_INVALID_ARG, "%s is NULL", what);
    if (t->ndim < 1)
        return dl4c_error_set(DL4C_SHAPE, "%s is a scalar: expected [N, ...]",
                              what);
    if (t->dtype != DL4C_F32 && t->dtype != DL4C_F64)
        return dl4c_error_set(DL4C_UNSUPPORTED, "%s: dtype %s not supported",
                              what, dl4c_dtype_name(t->dtype));
    if (t->backend && t->backend != dl4c_backend_cpu())
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s is on backend '%s'; evaluation reads CPU "
                              "tensors",
                              what, t->backend->name);
    in->data = t->data;
    in->dtype = t->dtype;
    in->cols = t->ndim > 1 ? t->shape[t->ndim - 1] : 1;
    in->rows = t->size / in->cols;
    return DL4C_OK;
}

/* The dims before the last one; a 1-D shape is its own. */
static dl4c_shape lead_shape(const dl4c_tensor *t)
{
    dl4c_shape s = dl4c_shape_of(t);
    if (s.ndim > 1)
        s.ndim--;
    return s;
}

bool dl4c_eval_same_rows(const dl4c_tensor *a, const dl4c_tensor *b)
{
    dl4c_shape la = lead_shape(a), lb = lead_shape(b);
    return dl4c_shape_equal(&la, &lb);
}

/* How a mask of shape ms fits labels: 1 per row, 2 per value, 0 not. */
static int mask_fit(const dl4c_shape *ms, const dl4c_tensor *labels,
                    bool per_value)
{
    dl4c_shape lead = lead_shape(labels), full = dl4c_shape_of(labels);
    if (dl4c_shape_equal(ms, &lead))
        return 1;
    if (ms->ndim == lead.ndim + 1 && ms->dim[ms->ndim - 1] == 1) {
        dl4c_shape head = *ms;
        head.ndim--;
        if (dl4c_shape_equal(&head, &lead))
            return 1;
    }
    return per_value && dl4c_shape_equal(ms, &full) ? 2 : 0;
}

dl4c_status dl4c_eval_mask_open(const dl4c_tensor *mask,
                                const dl4c_tensor *labels, bool per_value,
                                dl4c_eval_input *m)
{
    char ms[96], ls[96], lead_s[96], one_s[96], full_s[96];
    DL4C_RETURN_IF(dl4c_eval_input_open(mask, "mask", m));
    dl4c_shape shape = dl4c_shape_of(mask);
    int fit = mask_fit(&shape, labels, per_value);
    if (!fit) {
        dl4c_shape lead = lead_shape(labels), one = lead,
                   full = dl4c_shape_of(labels);
        one.dim[one.ndim++] = 1;
        bool alt = per_value && labels->ndim > 1 &&
                   labels->shape[labels->ndim - 1] > 1;
        return dl4c_error_set(
            DL4C_SHAPE, "mask %s does not fit labels %s: expected %s, %s%s%s",
            dl4c_eval_shape_str(mask, ms, sizeof ms),
            dl4c_eval_shape_str(labels, ls, sizeof ls),
            dl4c_shape_format(&lead, lead_s, sizeof lead_s),
            dl4c_shape_format(&one, one_s, sizeof one_s), alt ? " or " : "",
            alt ? dl4c_shape_format(&full, full_s, sizeof full_s) : "");
    }
    if (fit == 1) {
        m->cols = 1;
        m->rows = mask->size;
    }
    for (int64_t r = 0; r < m->rows; r++)
        for (int64_t c = 0; c < m->cols; c++) {
            double v = dl4c_eval_input_at(m, r, c);
            if (v != 0.0 && v != 1.0)
                return dl4c_error_set(DL4C_INVALID_ARG,
                                      "mask row %lld column %lld is %g, must "
                                      "be 0 or 1",
                                      (long long)r, (long long)c, v);
        }
    return DL4C_OK;
}

void dl4c_eval_names_free(char **names, int count)
{
    if (!names)
        return;
    for (int i = 0; i < count; i++)
        dl4c_free(names[i]);
    dl4c_free(names);
}

char **dl4c_eval_names_create(int count, const char *prefix,
                              const char *const *names)
{
    char **out = dl4c_calloc((size_t)count, sizeof *out);
    if (!out)
        return NULL;
    for (int i = 0; i < count; i++) {
        out[i] =
            names ? dl4c_strdup(names[i]) : dl4c_asprintf("%s%d", prefix, i);
        if (!out[i]) {
            dl4c_eval_names_free(out, i);
            return NULL;
        }
    }
    return out;
}
