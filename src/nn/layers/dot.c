/* Dot, as Keras': the batch dot product of two inputs, summing over
 * axes[0] of input 0 and axes[1] of input 1 (Keras numbering; one integer
 * means the same axis of both). The output has input 0's remaining dims,
 * then input 1's ([N, 1] when none remain). With `normalize` each input
 * is first L2-normalized along its axis, so the result is the cosine
 * similarity. Masks are dropped, as Keras' Dot drops them.
 *
 * Per example, input 0 is seen as [pre0, K, post0] and used as the matrix
 * A [pre0 * post0, K], input 1 as [pre1, K, post1] and B [K, pre1 *
 * post1]; out = A B is one batched GEMM. A and B are read in place when
 * the summed axis is first or last (possibly transposed) and gathered into
 * the workspace otherwise. */
#include "nn/layers/norm_common.h"

#define NORM_EPS 1e-12 /* Keras' l2_normalize epsilon */

typedef struct dot_cfg {
    int64_t axes[2];
    bool normalize;
} dot_cfg;

static const char *const keys[] = {"axes", "normalize", NULL};

typedef struct dot_geom {
    int p0, p1;
    int64_t pre0, post0, pre1, post1, k;
    int64_t m1, m2, e0, e1;
    bool perm0, perm1;
} dot_geom;

/* workspace regions, in elements */
enum { W_XN, W_YN, W_N0, W_N1, W_XP, W_YP, W_DA, W_DB, W_DXN, W_DYN, W_COUNT };

static void geometry(const dl4c_layer *l, const int64_t *axes, dot_geom *g)
{
    const dl4c_shape *s0 = &l->in_shapes[0], *s1 = &l->in_shapes[1];
    int64_t outer;
    g->p0 = (int)(axes[0] < 0 ? s0->ndim + axes[0] : axes[0] - 1);
    g->p1 = (int)(axes[1] < 0 ? s1->ndim + axes[1] : axes[1] - 1);
    dl4c_norm_split(s0, g->p0, g->p0 + 1, 1, &g->pre0, &g->k, &g->post0);
    dl4c_norm_split(s1, g->p1, g->p1 + 1, 1, &g->pre1, &outer, &g->post1);
    g->m1 = g->pre0 * g->post0;
    g->m2 = g->pre1 * g->post1;
    g->e0 = g->m1 * g->k;
    g->e1 = g->m2 * g->k;
    g->perm0 = g->post0 > 1 && g->pre0 > 1;
    g->perm1 = g->post1 > 1 && g->pre1 > 1;
}

/* element offsets of the workspace regions; returns the total */
static int64_t layout(const dot_geom *g, bool normalize, int64_t batch,
                      int64_t *off)
{
    int64_t size[W_COUNT] = {0}, total = 0;
    if (normalize) {
        size[W_XN] = size[W_DXN] = batch * g->e0;
        size[W_YN] = size[W_DYN] = batch * g->e1;
        size[W_N0] = batch * g->m1;
        size[W_N1] = batch * g->m2;
    }
    if (g->perm0)
        size[W_XP] = size[W_DA] = batch * g->e0;
    if (g->perm1)
        size[W_YP] = size[W_DB] = batch * g->e1;
    for (int i = 0; i < W_COUNT; i++) {
        off[i] = total;
        total += size[i];
    }
    return total;
}

dl4c_status dl4c_dot_build(dl4c_layer *l, const int64_t *axes, bool normalize)
{
    int p0, p1;
    (void)normalize;
    DL4C_RETURN_IF(dl4c_layer_expect_inputs(l, 2));
    const dl4c_shape *s0 = &l->in_shapes[0], *s1 = &l->in_shapes[1];
    DL4C_RETURN_IF(dl4c_norm_axis(l, s0, axes[0], &p0));
    DL4C_RETURN_IF(dl4c_norm_axis(l, s1, axes[1], &p1));
    if (s0->dim[p0] != s1->dim[p1]) {
        char a[96], b[96];
        return dl4c_layer_error(
            l, DL4C_SHAPE,
            "cannot take the dot product of inputs of shapes %s and %s over "
            "axes %lld and %lld (%lld != %lld)",
            dl4c_norm_shape_text(s0, a), dl4c_norm_shape_text(s1, b),
            (long long)axes[0], (long long)axes[1], (long long)s0->dim[p0],
            (long long)s1->dim[p1]);
    }
    dl4c_shape out = {0};
    if (s0->ndim + s1->ndim - 2 > DL4C_MAX_DIMS - 1)
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "the output would have %d dims; at most %d "
                                "are supported",
                                s0->ndim + s1->ndim - 1, DL4C_MAX_DIMS);
    for (int d = 0; d < s0->ndim; d++)
        if (d != p0)
            out.dim[out.ndim++] = s0->dim[d];
    for (int d = 0; d < s1->ndim; d++)
        if (d != p1)
            out.dim[out.ndim++] = s1->dim[d];
    if (out.ndim == 0)
        out.dim[out.ndim++] = 1;
    l->out_shapes[0] = out;
    l->out_has_mask[0] = false;
    return DL4C_OK;
}

size_t dl4c_dot_workspace(const dl4c_layer *l, const int64_t *axes,
                          bool normalize, int64_t batch, dl4c_dtype dt)
{
    dot_geom g;
    int64_t off[W_COUNT];
    geometry(l, axes, &g);
    return (size_t)layout(&g, normalize, batch, off) * dl4c_dtype_size(dt);
}

/* How a side of the product is stored: pointer, transpose flag, leading
 * dim and per-example stride. */
typedef struct operand {
    const void *data;
    bool trans;
    int64_t ld, stride;
} operand;

static void *at(const dl4c_layer_ctx *x, int64_t elems)
{
    return (char *)x->ws + (size_t)elems * dl4c_dtype_size(x->dtype);
}

/* A [m1, K] from input 0's values `src` (gathered when needed) */
static operand operand_a(const dl4c_layer_ctx *x, const dot_geom *g,
                         const void *src, void *perm, bool fill)
{
    operand o = {src, false, g->k, g->e0};
    if (g->post0 == 1)
        return o;
    if (g->pre0 == 1) {
        o.trans = true;
        o.ld = g->m1;
        return o;
    }
    if (fill) {
        /* perm[b][pre][post][k] = src[b][pre][k][post] */
        const int64_t shape[4] = {x->batch, g->pre0, g->post0, g->k};
        const int64_t st[4] = {g->e0, g->k * g->post0, 1, g->post0};
        x->be->norm->gather(x->dtype, 4, shape, st, src, perm);
    }
    o.data = perm;
    return o;
}

/* B [K, m2] from input 1's values `src` (gathered when needed) */
static operand operand_b(const dl4c_layer_ctx *x, const dot_geom *g,
                         const void *src, void *perm, bool fill)
{
    operand o = {src, false, g->m2, g->e1};
    if (g->pre1 == 1)
        return o;
    if (g->post1 == 1) {
        o.trans = true;
        o.ld = g->k;
        return o;
    }
    if (fill) {
        /* perm[b][k][pre][post] = src[b][pre][k][post] */
        const int64_t shape[4] = {x->batch, g->k, g->pre1, g->post1};
        const int64_t st[4] = {g->e1, g->post1, g->k * g->post1, 1};
        x->be->norm->gather(x->dtype, 4, shape, st, src, perm);
    }
    o.data = perm;
    return o;
}

static void batched(const dl4c_layer_ctx *x, bool ta, bool tb, int64_t m,
                    int64_t n, int64_t k, const void *a, int64_t lda,
                    int64_t sa, const void *b, int64_t ldb, int64_t sb, void *c,
                    int64_t ldc, int64_t sc)
{
    dl4c_gemm_batch bt = {{x->batch, 1}, {sa, 0}, {sb, 0}, {sc, 0}};
    x->be->norm->gemm_batched(x->dtype, ta, tb, m, n, k, 1.0, a, lda, b, ldb,
                              0.0, c, ldc, &bt);
}

void dl4c_dot_forward(dl4c_layer_ctx *x, const int64_t *axes, bool normalize)
{
    dot_geom g;
    int64_t off[W_COUNT];
    geometry(x->layer, axes, &g);
    layout(&g, normalize, x->batch, off);
    const void *src0 = x->in[0]->data, *src1 = x->in[1]->data;
    if (normalize) {
        x->be->norm->l2norm_forward(x->dtype, x->batch * g.pre0, g.k, g.post0,
                                    NORM_EPS, src0, at(x, off[W_XN]),
                                    at(x, off[W_N0]));
        x->be->norm->l2norm_forward(x->dtype, x->batch * g.pre1, g.k, g.post1,
                                    NORM_EPS, src1, at(x, off[W_YN]),
                                    at(x, off[W_N1]));
        src0 = at(x, off[W_XN]);
        src1 = at(x, off[W_YN]);
    }
    operand a = operand_a(x, &g, src0, at(x, off[W_XP]), true);
    operand b = operand_b(x, &g, src1, at(x, off[W_YP]), true);
    batched(x, a.trans, b.trans, g.m1, g.m2, g.k, a.data, a.ld, a.stride,
            b.data, b.ld, b.stride, x->out->data, g.m2, g.m1 * g.m2);
}

void dl4c_dot_backward(dl4c_layer_ctx *x, const int64_t *axes, bool normalize)
{
    dot_geom g;
    int64_t off[W_COUNT];
    geometry(x->layer, axes, &g);
    layout(&g, normalize, x->batch, off);
    const void *src0 = normalize ? at(x, off[W_XN]) : x->in[0]->data;
    const void *src1 = normalize ? at(x, off[W_YN]) : x->in[1]->data;
    const void *dy = x->dout->data;
    const int64_t sdy = g.m1 * g.m2;
    operand a = operand_a(x, &g, src0, at(x, off[W_XP]), false);
    operand b = operand_b(x, &g, src1, at(x, off[W_YP]), false);
    if (x->din[0]) {
        void *t = normalize ? at(x, off[W_DXN]) : x->din[0]->data;
        if (g.post0 == 1) { /* dA = dy B^T, in input 0's layout */
            batched(x, false, !b.trans, g.m1, g.k, g.m2, dy, g.m2, sdy, b.data,
                    b.ld, b.stride, t, g.k, g.e0);
        } else if (g.pre0 == 1) { /* dA^T = B dy^T */
            batched(x, b.trans, true, g.k, g.m1, g.m2, b.data, b.ld, b.stride,
                    dy, g.m2, sdy, t, g.m1, g.e0);
        } else {
            void *da = at(x, off[W_DA]);
            batched(x, false, !b.trans, g.m1, g.k, g.m2, dy, g.m2, sdy, b.data,
                    b.ld, b.stride, da, g.k, g.e0);
            /* t[b][pre][k][post] = da[b][pre][post][k] */
            const int64_t shape[4] = {x->batch, g.pre0, g.k, g.post0};
            const int64_t st[4] = {g.e0, g.post0 * g.k, 1, g.k};
            x->be->norm->gather(x->dtype, 4, shape, st, da, t);
        }
        if (normalize)
            x->be->norm->l2norm_backward(x->dtype, x->batch * g.pre0, g.k,
                                         g.post0, NORM_EPS, x->in[0]->data,
                                         at(x, off[W_N0]), t, x->din[0]->data);
    }
    if (x->din[1]) {
        void *t = normalize ? at(x, off[W_DYN]) : x->din[1]->data;
        if (g.pre1 == 1) { /* dB = A^T dy, in input 1's layout */
            batched(x, !a.trans, false, g.k, g.m2, g.m1, a.data, a.ld, a.stride,
                    dy, g.m2, sdy, t, g.m2, g.e1);
        } else if (g.post1 == 1) { /* dB^T = dy^T A */
            batched(x, true, a.trans, g.m2, g.k, g.m1, dy, g.m2, sdy, a.data,
                    a.ld, a.stride, t, g.k, g.e1);
        } else {
            void *db = at(x, off[W_DB]);
            batched(x, !a.trans, false, g.k, g.m2, g.m1, a.data, a.ld, a.stride,
                    dy, g.m2, sdy, db, g.m2, g.e1);
            /* t[b][pre][k][post] = db[b][k][pre][post] */
            const int64_t shape[4] = {x->batch, g.pre1, g.k, g.post1};
            const int64_t st[4] = {g.e1, g.post1, g.m2, 1};
            x->be->norm->gather(x->dtype, 4, shape, st, db, t);
        }
        if (normalize)
            x->be->norm->l2norm_backward(x->dtype, x->batch * g.pre1, g.k,
                                         g.post1, NORM_EPS, x->in[1]->data,
                                         at(x, off[W_N1]), t, x->din[1]->data);
    }
}

dl4c_status dl4c_dot_cfg_axes(const dl4c_layer *l, const json_t *j,
                              const char *key, int64_t *axes)
{
    json_t *v = json_object_get(j, key);
    if (!v)
        return DL4C_OK;
    if (json_is_integer(v)) {
        axes[0] = axes[1] = json_integer_value(v);
        return DL4C_OK;
    }
    if (json_is_array(v) && json_array_size(v) == 2 &&
        json_is_integer(json_array_get(v, 0)) &&
        json_is_integer(json_array_get(v, 1))) {
        axes[0] = json_integer_value(json_array_get(v, 0));
        axes[1] = json_integer_value(json_array_get(v, 1));
        return DL4C_OK;
    }
    return dl4c_layer_error(
        l, DL4C_FORMAT, "key '%s' must be an axis or a list of two axes", key);
}

json_t *dl4c_dot_axes_json(const int64_t *axes)
{
    if (axes[0] == axes[1])
        return json_integer(axes[0]);
    return json_pack("[I, I]", (json_int_t)axes[0], (json_int_t)axes[1]);
}

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    dot_cfg *c = l->cfg;
    if (!json_object_get(j, "axes"))
        return dl4c_layer_error(l, DL4C_FORMAT, "missing key 'axes'");
    DL4C_RETURN_IF(dl4c_dot_cfg_axes(l, j, "axes", c->axes));
    return dl4c_cfg_bool(l->where, j, "normalize", &c->normalize);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const dot_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_cfg_set(j, "axes", dl4c_dot_axes_json(c->axes)));
    return dl4c_cfg_set(j, "normalize", json_boolean(c->normalize));
}

static dl4c_status build(dl4c_layer *l)
{
    const dot_cfg *c = l->cfg;
    return dl4c_dot_build(l, c->axes, c->normalize);
}

static size_t workspace(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    const dot_cfg *c = l->cfg;
    return dl4c_dot_workspace(l, c->axes, c->normalize, batch, dt);
}

static void forward(dl4c_layer_ctx *x)
{
    const dot_cfg *c = x->layer->cfg;
    dl4c_dot_forward(x, c->axes, c->normalize);
}

static void backward(dl4c_layer_ctx *x)
{
    const dot_cfg *c = x->layer->cfg;
    dl4c_dot_backward(x, c->axes, c->normalize);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    const json_t *axes = dl4c_norm_keras_get(kcfg, "axes", NULL);
    if (!axes)
        return dl4c_error_set(DL4C_FORMAT, "%s: Dot needs 'axes'", k->where);
    DL4C_RETURN_IF(dl4c_cfg_set(out, "axes", json_deep_copy(axes)));
    return dl4c_norm_keras_bool(k, kcfg, "normalize", "normalize", out);
}

static const char *const keras_classes[] = {"Dot", NULL};

static const char *const examples[] = {
    "{\"inputs\": [[4], [4]], \"layer\": {\"type\": \"Dot\", \"axes\": 1}}",
    "{\"inputs\": [[3, 4], [2, 4]], \"layer\": {\"type\": \"Dot\", "
    "\"axes\": -1}}",
    "{\"inputs\": [[3, 2], [3, 4]], \"layer\": {\"type\": \"Dot\", "
    "\"axes\": [1, 1], \"normalize\": true}}",
    "{\"inputs\": [[3, 2], [2, 3]], \"layer\": {\"type\": \"Dot\", "
    "\"axes\": [2, 1]}}",
    "{\"inputs\": [[2, 3, 2], [2, 3, 2]], \"layer\": {\"type\": \"Dot\", "
    "\"axes\": [2, 2], \"normalize\": true}}",
    "{\"inputs\": [[3], [4]], \"layer\": {\"type\": \"Dot\", \"axes\": 1}, "
    "\"error\": \"cannot take the dot product of inputs of shapes [N, 3] "
    "and [N, 4] over axes 1 and 1 (3 != 4)\"}",
    "{\"inputs\": [[3], [3]], \"layer\": {\"type\": \"Dot\"}, \"error\": "
    "\"missing key 'axes'\"}",
    NULL};

const dl4c_layer_type dl4c_layer_dot = {
    .name = "Dot",
    .keras_class = "Dot",
    .config_size = sizeof(dot_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .workspace = workspace,
    .forward = forward,
    .backward = backward,
    .mask_mode = DL4C_MASK_DROP,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .examples = examples,
};
