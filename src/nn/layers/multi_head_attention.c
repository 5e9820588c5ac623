/* MultiHeadAttention, as Keras': inputs query [N, T, dq], value [N, S,
 * dv], an optional key [N, S, dk] (default: the value) and, with
 * attention_mask_input, an attention mask [N, T, S] (or [N, 1, S], [N, T,
 * 1]; nonzero = attend) as the last input. Per head h:
 *   Q = query Wq[:, h] + bq[h], K = key Wk[:, h] + bk[h], V likewise
 *   P = softmax(Q K^T / sqrt(key_dim)) over S, masked
 *   O[h] = dropout(P) V
 * and out = concat_h O[h] Wo + bo, [N, T, output_shape] (output_shape
 * defaults to dq). Inputs with several middle axes ([N, T1, T2, d]) attend
 * over all of them flattened, as Keras' default attention_axes do.
 *
 * Masking follows Keras: the attention mask is ANDed with the query's mask
 * (rows), the value's and an explicit key's masks (columns) and, with
 * use_causal_mask, j <= i; a row with nothing to attend to gets uniform
 * weights. The output carries the query's mask. With
 * return_attention_scores the second output is P [N, heads, T, S] (before
 * dropout, as Keras returns it).
 *
 * Weights in Keras' layouts and order: query/key/value kernels [d, heads,
 * key_dim or value_dim] with biases [heads, dim], the output kernel
 * [heads, value_dim, output_shape] with bias [output_shape]. Q, K, V, P,
 * the dropped-out P and O are kept in the workspace for the backward
 * pass. */
#include <math.h>

#include "nn/layers/norm_common.h"

typedef struct mha_cfg {
    int64_t num_heads, key_dim, value_dim, output_shape;
    double dropout;
    bool use_bias, use_causal_mask, return_attention_scores;
    bool attention_mask_input;
    int n_attention_axes;
    int64_t attention_axes[DL4C_MAX_DIMS];
    /* resolved by build */
    bool has_key;
    int64_t tq, tv, dq, dk, dv, dout;
    int64_t mst[3]; /* attention mask strides over [N, T, S] */
} mha_cfg;

static const char *const keys[] = {"num_heads",
                                   "key_dim",
                                   "value_dim",
                                   "dropout",
                                   "use_bias",
                                   "output_shape",
                                   "attention_axes",
                                   "use_causal_mask",
                                   "return_attention_scores",
                                   "attention_mask_input",
                                   NULL};

/* the four projections, in Keras' order */
enum { P_QUERY, P_KEY, P_VALUE, P_OUTPUT };

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    mha_cfg *c = l->cfg;
    c->use_bias = true;
    DL4C_RETURN_IF(
        dl4c_cfg_int(l->where, j, "num_heads", true, 1, &c->num_heads));
    DL4C_RETURN_IF(dl4c_cfg_int(l->where, j, "key_dim", true, 1, &c->key_dim));
    c->value_dim = c->key_dim;
    if (!json_is_null(json_object_get(j, "value_dim")))
        DL4C_RETURN_IF(
            dl4c_cfg_int(l->where, j, "value_dim", false, 1, &c->value_dim));
    DL4C_RETURN_IF(dl4c_cfg_double(l->where, j, "dropout", false, 0, 0.999999,
                                   &c->dropout));
    DL4C_RETURN_IF(dl4c_cfg_bool(l->where, j, "use_bias", &c->use_bias));
    json_t *os = json_object_get(j, "output_shape");
    if (json_is_array(os) && json_array_size(os) == 1)
        os = json_array_get(os, 0);
    if (os && !json_is_null(os)) {
        if (!json_is_integer(os) || json_integer_value(os) < 1)
            return dl4c_layer_error(l, DL4C_FORMAT,
                                    "key 'output_shape' must be a positive "
                                    "integer (one output dim)");
        c->output_shape = json_integer_value(os);
    }
    json_t *ax = json_object_get(j, "attention_axes");
    if (json_is_integer(ax)) {
        c->attention_axes[c->n_attention_axes++] = json_integer_value(ax);
    } else if (json_is_array(ax) && json_array_size(ax) < DL4C_MAX_DIMS) {
        for (size_t i = 0; i < json_array_size(ax); i++) {
            if (!json_is_integer(json_array_get(ax, i)))
                return dl4c_layer_error(l, DL4C_FORMAT,
                                        "key 'attention_axes' must hold "
                                        "integers");
            c->attention_axes[c->n_attention_axes++] =
                json_integer_value(json_array_get(ax, i));
        }
    } else if (ax && !json_is_null(ax)) {
        return dl4c_layer_error(l, DL4C_FORMAT,
                                "key 'attention_axes' must be a list of axes");
    }
    DL4C_RETURN_IF(
        dl4c_cfg_bool(l->where, j, "use_causal_mask", &c->use_causal_mask));
    DL4C_RETURN_IF(dl4c_cfg_bool(l->where, j, "return_attention_scores",
                                 &c->return_attention_scores));
    return dl4c_cfg_bool(l->where, j, "attention_mask_input",
                         &c->attention_mask_input);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const mha_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_cfg_set(j, "num_heads", json_integer(c->num_heads)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "key_dim", json_integer(c->key_dim)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "value_dim", json_integer(c->value_dim)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "dropout", json_real(c->dropout)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "use_bias", json_boolean(c->use_bias)));
    if (c->output_shape)
        DL4C_RETURN_IF(
            dl4c_cfg_set(j, "output_shape", json_integer(c->output_shape)));
    if (c->n_attention_axes) {
        json_t *ax = json_array();
        for (int i = 0; ax && i < c->n_attention_axes; i++)
            if (json_array_append_new(ax, json_integer(c->attention_axes[i]))) {
                json_decref(ax);
                ax = NULL;
            }
        DL4C_RETURN_IF(dl4c_cfg_set(j, "attention_axes", ax));
    }
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "use_causal_mask", json_boolean(c->use_causal_mask)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "return_attention_scores",
                                json_boolean(c->return_attention_scores)));
    return dl4c_cfg_set(j, "attention_mask_input",
                        json_boolean(c->attention_mask_input));
}

/* dl4c attends over every per-example axis but the features (Keras'
 * default attention_axes); an explicit list must name exactly those. */
static dl4c_status check_attention_axes(const dl4c_layer *l, const mha_cfg *c,
                                        int rank)
{
    bool seen[DL4C_MAX_DIMS + 1] = {false};
    bool ok = c->n_attention_axes == rank - 1;
    for (int i = 0; ok && i < c->n_attention_axes; i++) {
        int64_t a = c->attention_axes[i];
        a = a < 0 ? a + rank + 1 : a;
        ok = a >= 1 && a < rank && !seen[a];
        if (ok)
            seen[a] = true;
    }
    if (!c->n_attention_axes || ok)
        return DL4C_OK;
    return dl4c_layer_error(l, DL4C_UNSUPPORTED,
                            "attention_axes other than every axis between the "
                            "batch and the features (1 to %d) are not "
                            "supported",
                            rank - 1);
}

static dl4c_status check_inputs(dl4c_layer *l, mha_cfg *c)
{
    char a[96], b[96];
    const int n = l->n_inputs;
    const int extra = n - 2 - (c->attention_mask_input ? 1 : 0);
    if (extra < 0 || extra > 1)
        return dl4c_layer_error(
            l, DL4C_SHAPE,
            "takes query, value, an optional key%s: %d to %d inputs, got %d",
            c->attention_mask_input ? " and the attention mask" : "",
            2 + c->attention_mask_input, 3 + c->attention_mask_input, n);
    c->has_key = extra == 1;
    const dl4c_shape *q = &l->in_shapes[0], *v = &l->in_shapes[1];
    const dl4c_shape *k = c->has_key ? &l->in_shapes[2] : v;
    if (q->ndim < 2)
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "query must be [N, time, features], got %s",
                                dl4c_norm_shape_text(q, a));
    if (v->ndim != q->ndim)
        return dl4c_layer_error(
            l, DL4C_SHAPE, "query %s and value %s differ in rank",
            dl4c_norm_shape_text(q, a), dl4c_norm_shape_text(v, b));
    bool same = k->ndim == v->ndim;
    for (int d = 0; same && d + 1 < v->ndim; d++)
        same = k->dim[d] == v->dim[d];
    if (!same)
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "key %s and value %s differ outside their "
                                "last axis",
                                dl4c_norm_shape_text(k, a),
                                dl4c_norm_shape_text(v, b));
    DL4C_RETURN_IF(check_attention_axes(l, c, q->ndim));
    c->tq = dl4c_shape_size(q) / q->dim[q->ndim - 1];
    c->tv = dl4c_shape_size(v) / v->dim[v->ndim - 1];
    c->dq = q->dim[q->ndim - 1];
    c->dv = v->dim[v->ndim - 1];
    c->dk = k->dim[k->ndim - 1];
    c->dout = c->output_shape ? c->output_shape : c->dq;
    bool masked = l->in_has_mask[0] || l->in_has_mask[1] ||
                  (c->has_key && l->in_has_mask[2]);
    if (masked && q->ndim != 2)
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "masks need [N, time, features] inputs, got "
                                "query %s",
                                dl4c_norm_shape_text(q, a));
    if (!c->attention_mask_input)
        return DL4C_OK;
    const dl4c_shape *m = &l->in_shapes[n - 1];
    if (m->ndim == 2 && (m->dim[0] == c->tq || m->dim[0] == 1) &&
        (m->dim[1] == c->tv || m->dim[1] == 1)) {
        c->mst[0] = m->dim[0] * m->dim[1];
        c->mst[1] = m->dim[0] == 1 ? 0 : m->dim[1];
        c->mst[2] = m->dim[1] == 1 ? 0 : 1;
        return DL4C_OK;
    }
    /* several attention axes: [T1, T2, .., S1, S2, ..] */
    bool full = q->ndim > 2 && m->ndim == 2 * (q->ndim - 1);
    for (int d = 0; full && d + 1 < q->ndim; d++)
        full = m->dim[d] == q->dim[d] && m->dim[q->ndim - 1 + d] == v->dim[d];
    if (full) {
        c->mst[0] = c->tq * c->tv;
        c->mst[1] = c->tv;
        c->mst[2] = 1;
        return DL4C_OK;
    }
    return dl4c_layer_error(l, DL4C_SHAPE,
                            "the attention mask must be [N, %lld, %lld] (a "
                            "dim may be 1), got %s",
                            (long long)c->tq, (long long)c->tv,
                            dl4c_norm_shape_text(m, a));
}

static dl4c_status build(dl4c_layer *l)
{
    mha_cfg *c = l->cfg;
    DL4C_RETURN_IF(check_inputs(l, c));
    const dl4c_shape *q = &l->in_shapes[0], *v = &l->in_shapes[1];
    const int64_t h = c->num_heads;
    const int64_t in_dim[3] = {c->dq, c->dk, c->dv};
    const int64_t head_dim[3] = {c->key_dim, c->key_dim, c->value_dim};
    static const char *const kernel[3] = {"query_kernel", "key_kernel",
                                          "value_kernel"};
    static const char *const bias[3] = {"query_bias", "key_bias", "value_bias"};
    for (int p = P_QUERY; p <= P_VALUE; p++) {
        int64_t w[3] = {in_dim[p], h, head_dim[p]}, b[2] = {h, head_dim[p]};
        dl4c_layer_add_param(l, kernel[p], 3, w, in_dim[p], h * head_dim[p],
                             false);
        if (c->use_bias)
            dl4c_layer_add_param(l, bias[p], 2, b, in_dim[p], h * head_dim[p],
                                 true);
    }
    int64_t wo[3] = {h, c->value_dim, c->dout}, bo[1] = {c->dout};
    dl4c_layer_add_param(l, "output_kernel", 3, wo, h * c->value_dim, c->dout,
                         false);
    if (c->use_bias)
        dl4c_layer_add_param(l, "output_bias", 1, bo, h * c->value_dim, c->dout,
                             true);
    l->out_shapes[0] = *q;
    l->out_shapes[0].dim[q->ndim - 1] = c->dout;
    l->out_has_mask[0] = l->in_has_mask[0];
    if (c->return_attention_scores) {
        dl4c_shape *s = &l->out_shapes[1];
        if (1 + 2 * (q->ndim - 1) > DL4C_MAX_DIMS - 1)
            return dl4c_layer_error(l, DL4C_SHAPE,
                                    "attention scores over %d axes have too "
                                    "many dims",
                                    q->ndim - 1);
        s->ndim = 0;
        s->dim[s->ndim++] = h;
        for (int d = 0; d + 1 < q->ndim; d++)
            s->dim[s->ndim++] = q->dim[d];
        for (int d = 0; d + 1 < v->ndim; d++)
            s->dim[s->ndim++] = v->dim[d];
        l->n_outputs = 2;
        l->out_has_mask[1] = false;
    }
    return DL4C_OK;
}

/* ---- workspace: regions in elements ---- */

enum {
    W_Q,
    W_K,
    W_V,
    W_P,  /* softmax probabilities */
    W_PD, /* after dropout (only with dropout) */
    W_O,
    W_M, /* combined mask (only when something masks) */
    W_DO,
    W_DP,
    W_DQ,
    W_DK,
    W_DV,
    W_COUNT
};

static bool any_mask(const dl4c_layer *l)
{
    const mha_cfg *c = l->cfg;
    return c->attention_mask_input || c->use_causal_mask || l->in_has_mask[0] ||
           l->in_has_mask[1] || (c->has_key && l->in_has_mask[2]);
}

static int64_t layout(const dl4c_layer *l, int64_t batch, int64_t *off)
{
    const mha_cfg *c = l->cfg;
    const int64_t h = c->num_heads;
    int64_t size[W_COUNT];
    size[W_Q] = size[W_DQ] = batch * c->tq * h * c->key_dim;
    size[W_K] = size[W_DK] = batch * c->tv * h * c->key_dim;
    size[W_V] = size[W_DV] = batch * c->tv * h * c->value_dim;
    size[W_P] = size[W_DP] = batch * h * c->tq * c->tv;
    size[W_PD] = c->dropout > 0 ? size[W_P] : 0;
    size[W_O] = size[W_DO] = batch * c->tq * h * c->value_dim;
    size[W_M] = any_mask(l) ? batch * c->tq * c->tv : 0;
    int64_t total = 0;
    for (int i = 0; i < W_COUNT; i++) {
        off[i] = total;
        total += size[i];
    }
    return total;
}

static size_t workspace(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    int64_t off[W_COUNT];
    return (size_t)layout(l, batch, off) * dl4c_dtype_size(dt);
}

/* everything forward and backward need, resolved once per call */
typedef struct mha_run {
    const mha_cfg *c;
    int64_t h, kd, vd;
    double scale;
    void *w[W_COUNT];
    const dl4c_tensor *in[3]; /* query, key, value */
    bool dropout;             /* dropout is applied in this pass */
} mha_run;

static void setup(const dl4c_layer_ctx *x, mha_run *r)
{
    const mha_cfg *c = x->layer->cfg;
    int64_t off[W_COUNT];
    layout(x->layer, x->batch, off);
    r->c = c;
    r->h = c->num_heads;
    r->kd = c->key_dim;
    r->vd = c->value_dim;
    r->scale = 1.0 / sqrt((double)c->key_dim);
    for (int i = 0; i < W_COUNT; i++)
        r->w[i] = (char *)x->ws + (size_t)off[i] * dl4c_dtype_size(x->dtype);
    r->in[P_QUERY] = x->in[0];
    r->in[P_VALUE] = x->in[1];
    r->in[P_KEY] = c->has_key ? x->in[2] : x->in[1];
    r->dropout = x->training && c->dropout > 0;
}

static const dl4c_tensor *kernel_of(const dl4c_layer_ctx *x, int p)
{
    const mha_cfg *c = x->layer->cfg;
    return x->params[c->use_bias ? 2 * p : p];
}

static const dl4c_tensor *bias_of(const dl4c_layer_ctx *x, int p)
{
    const mha_cfg *c = x->layer->cfg;
    return c->use_bias ? x->params[2 * p + 1] : NULL;
}

/* y[rows, n] = x[rows, k] W[k, n] (+ b) */
static void project(const dl4c_layer_ctx *x, int64_t rows, int64_t k, int64_t n,
                    const void *in, const dl4c_tensor *w, const dl4c_tensor *b,
                    void *y)
{
    x->be->gemm(x->dtype, false, false, rows, n, k, 1.0, in, k, w->data, n, 0.0,
                y, n);
    if (b)
        x->be->bias_add(x->dtype, rows, n, b->data, y);
}

/* per (example, head) products over the [.., T or S, heads, dim] layouts:
 * strides of one example and of one head in each operand */
static void heads_gemm(const dl4c_layer_ctx *x, const mha_run *r, bool ta,
                       bool tb, int64_t m, int64_t n, int64_t k, double alpha,
                       const void *a, int64_t lda, const int64_t *sa,
                       const void *b, int64_t ldb, const int64_t *sb,
                       double beta, void *c, int64_t ldc, const int64_t *sc)
{
    dl4c_gemm_batch bt = {
        {x->batch, r->h}, {sa[0], sa[1]}, {sb[0], sb[1]}, {sc[0], sc[1]}};
    x->be->norm->gemm_batched(x->dtype, ta, tb, m, n, k, alpha, a, lda, b, ldb,
                              beta, c, ldc, &bt);
}

static void forward(dl4c_layer_ctx *x)
{
    mha_run r;
    setup(x, &r);
    const mha_cfg *c = r.c;
    const int64_t h = r.h, tq = c->tq, tv = c->tv;
    const int64_t hk = h * r.kd, hv = h * r.vd;
    project(x, x->batch * tq, c->dq, hk, r.in[P_QUERY]->data,
            kernel_of(x, P_QUERY), bias_of(x, P_QUERY), r.w[W_Q]);
    project(x, x->batch * tv, c->dk, hk, r.in[P_KEY]->data, kernel_of(x, P_KEY),
            bias_of(x, P_KEY), r.w[W_K]);
    project(x, x->batch * tv, c->dv, hv, r.in[P_VALUE]->data,
            kernel_of(x, P_VALUE), bias_of(x, P_VALUE), r.w[W_V]);
    /* scores [N, heads, T, S] = Q K^T / sqrt(key_dim) */
    const int64_t sq[2] = {tq * hk, r.kd}, sk[2] = {tv * hk, r.kd};
    const int64_t sv[2] = {tv * hv, r.vd}, so[2] = {tq * hv, r.vd};
    const int64_t sp[2] = {h * tq * tv, tq * tv};
    heads_gemm(x, &r, false, true, tq, tv, r.kd, r.scale, r.w[W_Q], hk, sq,
               r.w[W_K], hk, sk, 0.0, r.w[W_P], tv, sp);
    const void *mask = NULL;
    if (any_mask(x->layer)) {
        const dl4c_tensor *am =
            c->attention_mask_input ? x->in[x->layer->n_inputs - 1] : NULL;
        const dl4c_tensor *km = c->has_key ? x->in_masks[2] : NULL;
        x->be->norm->attention_mask(
            x->dtype, x->batch, tq, tv, am ? am->data : NULL, c->mst,
            x->in_masks[0] ? x->in_masks[0]->data : NULL,
            x->in_masks[1] ? x->in_masks[1]->data : NULL, km ? km->data : NULL,
            c->use_causal_mask, r.w[W_M]);
        mask = r.w[W_M];
    }
    x->be->norm->softmax_masked(x->dtype, x->batch, h, tq, tv, r.w[W_P], mask,
                                r.w[W_P]);
    const int64_t np = x->batch * h * tq * tv;
    if (c->return_attention_scores)
        x->be->copy(x->dtype, np, r.w[W_P], x->outs[1]->data);
    const void *pd = r.w[W_P];
    if (r.dropout) {
        x->be->dropout(x->dtype, np, c->dropout, x->seed, r.w[W_P], r.w[W_PD]);
        pd = r.w[W_PD];
    }
    /* O[N, T, heads, value_dim] = P V */
    heads_gemm(x, &r, false, false, tq, r.vd, tv, 1.0, pd, tv, sp, r.w[W_V], hv,
               sv, 0.0, r.w[W_O], hv, so);
    project(x, x->batch * tq, hv, c->dout, r.w[W_O], kernel_of(x, P_OUTPUT),
            bias_of(x, P_OUTPUT), x->out->data);
    if (x->layer->out_has_mask[0])
        x->be->copy(x->dtype, x->batch * x->layer->out_shapes[0].dim[0],
                    x->in_masks[0]->data, x->out_masks[0]->data);
}

/* Backward of a projection y = x W + b: dW, db (when not frozen) and dx
 * (beta = 1 adds to what dx holds). */
static void project_backward(const dl4c_layer_ctx *x, int p, int64_t rows,
                             int64_t k, int64_t n, const void *in,
                             const void *dy, void *dx, double beta)
{
    const mha_cfg *c = x->layer->cfg;
    if (x->grads) {
        int wi = c->use_bias ? 2 * p : p;
        x->be->gemm(x->dtype, true, false, k, n, rows, 1.0, in, k, dy, n, 0.0,
                    x->grads[wi]->data, n);
        if (c->use_bias)
            x->be->bias_grad(x->dtype, rows, n, dy, x->grads[wi + 1]->data);
    }
    if (dx)
        x->be->gemm(x->dtype, false, true, rows, k, n, 1.0, dy, n,
                    kernel_of(x, p)->data, n, beta, dx, k);
}

static void backward(dl4c_layer_ctx *x)
{
    mha_run r;
    setup(x, &r);
    const mha_cfg *c = r.c;
    const int64_t h = r.h, tq = c->tq, tv = c->tv;
    const int64_t hk = h * r.kd, hv = h * r.vd;
    const int64_t np = x->batch * h * tq * tv;
    const int64_t sq[2] = {tq * hk, r.kd}, sk[2] = {tv * hk, r.kd};
    const int64_t sv[2] = {tv * hv, r.vd}, so[2] = {tq * hv, r.vd};
    const int64_t sp[2] = {h * tq * tv, tq * tv};
    const void *pd = r.dropout ? r.w[W_PD] : r.w[W_P];
    /* output projection */
    project_backward(x, P_OUTPUT, x->batch * tq, hv, c->dout, r.w[W_O],
                     x->dout->data, r.w[W_DO], 0.0);
    /* dP = dO V^T, dV = P^T dO */
    heads_gemm(x, &r, false, true, tq, tv, r.vd, 1.0, r.w[W_DO], hv, so,
               r.w[W_V], hv, sv, 0.0, r.w[W_DP], tv, sp);
    heads_gemm(x, &r, true, false, tv, r.vd, tq, 1.0, pd, tv, sp, r.w[W_DO], hv,
               so, 0.0, r.w[W_DV], hv, sv);
    if (r.dropout)
        x->be->dropout(x->dtype, np, c->dropout, x->seed, r.w[W_DP], r.w[W_DP]);
    if (c->return_attention_scores)
        x->be->axpby(x->dtype, np, 1.0, x->douts[1]->data, 1.0, r.w[W_DP]);
    /* dS (in place of dP) through the masked softmax */
    x->be->norm->softmax_masked_backward(
        x->dtype, x->batch, h, tq, tv, r.w[W_P],
        any_mask(x->layer) ? r.w[W_M] : NULL, r.w[W_DP], r.w[W_DP]);
    /* dQ = dS K / sqrt(kd), dK = dS^T Q / sqrt(kd) */
    heads_gemm(x, &r, false, false, tq, r.kd, tv, r.scale, r.w[W_DP], tv, sp,
               r.w[W_K], hk, sk, 0.0, r.w[W_DQ], hk, sq);
    heads_gemm(x, &r, true, false, tv, r.kd, tq, r.scale, r.w[W_DP], tv, sp,
               r.w[W_Q], hk, sq, 0.0, r.w[W_DK], hk, sk);
    /* input projections; without a key input the value gets both */
    dl4c_tensor *dq = x->din[0], *dv = x->din[1];
    dl4c_tensor *dk = c->has_key ? x->din[2] : dv;
    project_backward(x, P_QUERY, x->batch * tq, c->dq, hk, r.in[P_QUERY]->data,
                     r.w[W_DQ], dq ? dq->data : NULL, 0.0);
    project_backward(x, P_VALUE, x->batch * tv, c->dv, hv, r.in[P_VALUE]->data,
                     r.w[W_DV], dv ? dv->data : NULL, 0.0);
    project_backward(x, P_KEY, x->batch * tv, c->dk, hk, r.in[P_KEY]->data,
                     r.w[W_DK], dk ? dk->data : NULL, c->has_key ? 0.0 : 1.0);
    if (c->attention_mask_input && x->din[x->layer->n_inputs - 1]) {
        dl4c_tensor *dm = x->din[x->layer->n_inputs - 1];
        x->be->fill(x->dtype, dm->size, 0.0, dm->data);
    }
}

static dl4c_status copy_int(const dl4c_keras_ctx *k, const json_t *kcfg,
                            const char *key, bool required, json_t *out)
{
    const json_t *v = dl4c_norm_keras_get(kcfg, key, NULL);
    if (!v && !required)
        return DL4C_OK;
    if (!json_is_integer(v))
        return dl4c_error_set(DL4C_FORMAT, "%s: '%s' must be an integer",
                              k->where, key);
    return dl4c_cfg_set(out, key, json_integer(json_integer_value(v)));
}

/* The call's arguments are not in the layer config: the importer sets
 * attention_mask_input, use_causal_mask and return_attention_scores from
 * the call and lists the inputs as query, value, key (if given), attention
 * mask (if given). */
static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    DL4C_RETURN_IF(copy_int(k, kcfg, "num_heads", true, out));
    DL4C_RETURN_IF(copy_int(k, kcfg, "key_dim", true, out));
    DL4C_RETURN_IF(copy_int(k, kcfg, "value_dim", false, out));
    DL4C_RETURN_IF(
        dl4c_norm_keras_number(k, kcfg, "dropout", NULL, "dropout", out));
    DL4C_RETURN_IF(dl4c_norm_keras_bool(k, kcfg, "use_bias", "use_bias", out));
    const json_t *os = dl4c_norm_keras_get(kcfg, "output_shape", NULL);
    if (json_is_array(os) && json_array_size(os) == 1)
        os = json_array_get(os, 0);
    if (os && !json_is_integer(os))
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s: an output_shape of several dims is not "
                              "supported",
                              k->where);
    if (os)
        DL4C_RETURN_IF(dl4c_cfg_set(out, "output_shape",
                                    json_integer(json_integer_value(os))));
    const json_t *ax = dl4c_norm_keras_get(kcfg, "attention_axes", NULL);
    if (ax)
        DL4C_RETURN_IF(dl4c_cfg_set(out, "attention_axes", json_deep_copy(ax)));
    return DL4C_OK;
}

static const char *const keras_classes[] = {"MultiHeadAttention", NULL};

static const char *const examples[] = {
    "{\"inputs\": [[3, 4], [2, 4]], \"layer\": {\"type\": "
    "\"MultiHeadAttention\", \"num_heads\": 2, \"key_dim\": 2}}",
    "{\"inputs\": [[3, 4], [2, 3], [2, 2]], \"layer\": {\"type\": "
    "\"MultiHeadAttention\", \"num_heads\": 2, \"key_dim\": 3, "
    "\"value_dim\": 2, \"output_shape\": 5, \"use_bias\": false}}",
    "{\"inputs\": [[3, 4], [3, 4]], \"layer\": {\"type\": "
    "\"MultiHeadAttention\", \"num_heads\": 1, \"key_dim\": 3, \"dropout\": "
    "0.3, \"use_causal_mask\": true}}",
    "{\"inputs\": [[3, 4], [2, 4], [3, 2]], \"int_inputs\": [0, 0, 2], "
    "\"layer\": {\"type\": \"MultiHeadAttention\", \"num_heads\": 2, "
    "\"key_dim\": 2, \"attention_mask_input\": true}}",
    "{\"inputs\": [[2, 3], [3, 3], [1, 3]], \"int_inputs\": [0, 0, 2], "
    "\"layer\": {\"type\": \"MultiHeadAttention\", \"num_heads\": 2, "
    "\"key_dim\": 2, \"attention_mask_input\": true, \"attention_axes\": "
    "[1]}}",
    "{\"inputs\": [[3, 4], [2, 4]], \"outputs\": 2, \"layer\": {\"type\": "
    "\"MultiHeadAttention\", \"num_heads\": 2, \"key_dim\": 2, "
    "\"return_attention_scores\": true}}",
    "{\"inputs\": [[2, 2, 3], [3, 1, 3]], \"layer\": {\"type\": "
    "\"MultiHeadAttention\", \"num_heads\": 2, \"key_dim\": 2, "
    "\"value_dim\": 1}}",
    "{\"inputs\": [[2, 2, 3], [3, 1, 3], [2, 2, 3, 1]], \"int_inputs\": [0, "
    "0, 2], \"outputs\": 2, \"layer\": {\"type\": \"MultiHeadAttention\", "
    "\"num_heads\": 1, \"key_dim\": 2, \"attention_mask_input\": true, "
    "\"return_attention_scores\": true}}",
    "{\"inputs\": [[3, 4], [2, 4], [3, 4]], \"layer\": {\"type\": "
    "\"MultiHeadAttention\", \"num_heads\": 2, \"key_dim\": 2}, \"error\": "
    "\"key [N, 3, 4] and value [N, 2, 4] differ outside their last axis\"}",
    "{\"inputs\": [[3, 4], [2, 4]], \"layer\": {\"type\": "
    "\"MultiHeadAttention\", \"num_heads\": 2, \"key_dim\": 2, "
    "\"attention_axes\": [2]}, \"error\": \"attention_axes other than every "
    "axis between the batch and the features (1 to 1) are not supported\"}",
    "{\"inputs\": [[3, 4], [2, 4], [2, 3]], \"layer\": {\"type\": "
    "\"MultiHeadAttention\", \"num_heads\": 2, \"key_dim\": 2, "
    "\"attention_mask_input\": true}, \"error\": \"the attention mask must "
    "be [N, 3, 2] (a dim may be 1), got [N, 2, 3]\"}",
    "{\"inputs\": [[3, 4], [2, 4]], \"layer\": {\"type\": "
    "\"MultiHeadAttention\", \"key_dim\": 2}, \"error\": \"missing key "
    "'num_heads'\"}",
    NULL};

const dl4c_layer_type dl4c_layer_multi_head_attention = {
    .name = "MultiHeadAttention",
    .keras_class = "MultiHeadAttention",
    .config_size = sizeof(mha_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .workspace = workspace,
    .forward = forward,
    .backward = backward,
    .mask_mode = DL4C_MASK_CUSTOM,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .examples = examples,
};
