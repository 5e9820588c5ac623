/* ConvLSTM2D, as Keras: an LSTM over [N, time, H, W, C] frames whose
 * products are convolutions (h's always 'same', stride 1); kernels in
 * Keras' layouts W [kh, kw, C, 4F], R [kh, kw, F, 4F]. Internally
 * time-major, so a step is one block of N*H'*W' rows: im2col + GEMM for
 * every frame before the loop, then per step im2col of h, one GEMM and
 * the LSTM gate kernel (rows = positions). No masks. */
#include <string.h>

#include "core/backend_conv.h"
#include "core/error_internal.h"
#include "nn/layers/rnn_common.h"

typedef struct convlstm_cfg {
    dl4c_rnn_cfg rnn; /* units = filters; gate math settings */
    int64_t kernel[2], strides[2], dilation[2];
    bool same;
    /* set by build */
    dl4c_conv_geom gx, gh;         /* input and recurrent convolutions */
    int64_t T, H, W, C, P, K1, K2; /* P = H'*W', K = im2col widths */
} convlstm_cfg;

static const char *const keys[] = {"filters",
                                   "kernel_size",
                                   "strides",
                                   "padding",
                                   "dilation_rate",
                                   "activation",
                                   "recurrent_activation",
                                   "use_bias",
                                   "unit_forget_bias",
                                   "return_sequences",
                                   "return_state",
                                   "go_backwards",
                                   "stateful",
                                   "dropout",
                                   "recurrent_dropout",
                                   "recurrent_init",
                                   NULL};

/* an int or a list of two positive ints */
static dl4c_status pair(const dl4c_layer *l, const json_t *j, const char *key,
                        bool required, int64_t *out)
{
    json_t *v = json_object_get(j, key);
    if (!v) {
        if (required)
            return dl4c_error_set(DL4C_FORMAT, "%s: missing key '%s'", l->where,
                                  key);
        return DL4C_OK;
    }
    if (json_is_integer(v) && json_integer_value(v) >= 1) {
        out[0] = out[1] = json_integer_value(v);
        return DL4C_OK;
    }
    if (json_is_array(v) && json_array_size(v) == 2 &&
        json_is_integer(json_array_get(v, 0)) &&
        json_is_integer(json_array_get(v, 1)) &&
        json_integer_value(json_array_get(v, 0)) >= 1 &&
        json_integer_value(json_array_get(v, 1)) >= 1) {
        out[0] = json_integer_value(json_array_get(v, 0));
        out[1] = json_integer_value(json_array_get(v, 1));
        return DL4C_OK;
    }
    return dl4c_error_set(DL4C_FORMAT,
                          "%s: key '%s' must be a positive integer or a list "
                          "of two",
                          l->where, key);
}

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    convlstm_cfg *c = l->cfg;
    dl4c_rnn_cfg *r = &c->rnn;
    const char *w = l->where, *pad = "valid";
    r->kind = DL4C_RNN_LSTM;
    r->act = dl4c_activation_default(DL4C_ACT_TANH);
    r->rec_act = dl4c_activation_default(DL4C_ACT_SIGMOID);
    r->use_bias = r->unit_forget_bias = true;
    r->rec_init = dl4c_init_default(DL4C_INIT_ORTHOGONAL);
    c->strides[0] = c->strides[1] = c->dilation[0] = c->dilation[1] = 1;
    DL4C_RETURN_IF(dl4c_cfg_int(w, j, "filters", true, 1, &r->units));
    DL4C_RETURN_IF(pair(l, j, "kernel_size", true, c->kernel));
    DL4C_RETURN_IF(pair(l, j, "strides", false, c->strides));
    DL4C_RETURN_IF(pair(l, j, "dilation_rate", false, c->dilation));
    DL4C_RETURN_IF(dl4c_cfg_string(w, j, "padding", false, &pad));
    if (strcmp(pad, "valid") && strcmp(pad, "same"))
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: unknown padding '%s' (valid, same)", w, pad);
    c->same = !strcmp(pad, "same");
    if ((c->strides[0] > 1 || c->strides[1] > 1) &&
        (c->dilation[0] > 1 || c->dilation[1] > 1))
        return dl4c_error_set(DL4C_FORMAT,
                              "%s: strides and dilation_rate cannot both be "
                              "above 1",
                              w);
    DL4C_RETURN_IF(dl4c_cfg_activation(w, j, "activation", &r->act));
    DL4C_RETURN_IF(
        dl4c_cfg_activation(w, j, "recurrent_activation", &r->rec_act));
    DL4C_RETURN_IF(dl4c_cfg_bool(w, j, "use_bias", &r->use_bias));
    DL4C_RETURN_IF(
        dl4c_cfg_bool(w, j, "unit_forget_bias", &r->unit_forget_bias));
    DL4C_RETURN_IF(
        dl4c_cfg_bool(w, j, "return_sequences", &r->return_sequences));
    DL4C_RETURN_IF(dl4c_cfg_bool(w, j, "return_state", &r->return_state));
    DL4C_RETURN_IF(dl4c_cfg_bool(w, j, "go_backwards", &r->go_backwards));
    DL4C_RETURN_IF(dl4c_cfg_bool(w, j, "stateful", &r->stateful));
    DL4C_RETURN_IF(
        dl4c_cfg_double(w, j, "dropout", false, 0, 0.999999, &r->dropout));
    DL4C_RETURN_IF(dl4c_cfg_double(w, j, "recurrent_dropout", false, 0,
                                   0.999999, &r->recurrent_dropout));
    return dl4c_cfg_init(w, j, "recurrent_init", &r->rec_init);
}

static json_t *pair_json(const int64_t *v)
{
    return json_pack("[I, I]", (json_int_t)v[0], (json_int_t)v[1]);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const convlstm_cfg *c = l->cfg;
    const dl4c_rnn_cfg *r = &c->rnn;
    DL4C_RETURN_IF(dl4c_cfg_set(j, "filters", json_integer(r->units)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "kernel_size", pair_json(c->kernel)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "strides", pair_json(c->strides)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "padding", json_string(c->same ? "same" : "valid")));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "dilation_rate", pair_json(c->dilation)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "activation", dl4c_cfg_activation_json(&r->act)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "recurrent_activation",
                                dl4c_cfg_activation_json(&r->rec_act)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "use_bias", json_boolean(r->use_bias)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "unit_forget_bias", json_boolean(r->unit_forget_bias)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "return_sequences", json_boolean(r->return_sequences)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "return_state", json_boolean(r->return_state)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "go_backwards", json_boolean(r->go_backwards)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "stateful", json_boolean(r->stateful)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "dropout", json_real(r->dropout)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "recurrent_dropout", json_real(r->recurrent_dropout)));
    return dl4c_cfg_set(j, "recurrent_init", dl4c_cfg_init_json(&r->rec_init));
}

static dl4c_status build(dl4c_layer *l)
{
    convlstm_cfg *c = l->cfg;
    dl4c_rnn_cfg *r = &c->rnn;
    char a[96];
    r->gates = 4;
    r->n_states = 2;
    const int64_t F = r->units;
    if (l->n_inputs != 1 && l->n_inputs != 3)
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "takes the sequence and optionally the "
                                "initial h and c: 1 or 3 inputs, got %d",
                                l->n_inputs);
    const dl4c_shape *in = &l->in_shapes[0];
    if (in->ndim != 4)
        return dl4c_layer_error(
            l, DL4C_SHAPE,
            "expects input [N, time, height, width, channels], "
            "got %s",
            dl4c_layer_shape_text(in, a, sizeof a));
    if (l->in_has_mask[0])
        return dl4c_layer_error(l, DL4C_UNSUPPORTED,
                                "ConvLSTM2D does not take masks");
    c->T = in->dim[0];
    c->H = in->dim[1];
    c->W = in->dim[2];
    c->C = in->dim[3];
    dl4c_conv_geom *g = &c->gx;
    memset(g, 0, sizeof *g);
    g->in[0] = g->out[0] = g->k[0] = g->stride[0] = g->dil[0] = 1;
    g->channels = c->C;
    for (int d = 0; d < 2; d++) {
        int64_t len = in->dim[1 + d], s = c->strides[d];
        int64_t dk = (c->kernel[d] - 1) * c->dilation[d] + 1;
        g->in[1 + d] = len;
        g->k[1 + d] = c->kernel[d];
        g->stride[1 + d] = s;
        g->dil[1 + d] = c->dilation[d];
        if (c->same) {
            g->out[1 + d] = (len + s - 1) / s;
            int64_t total = (g->out[1 + d] - 1) * s + dk - len;
            g->pad[1 + d] = total > 0 ? total / 2 : 0;
        } else {
            if (len < dk)
                return dl4c_layer_error(
                    l, DL4C_SHAPE,
                    "kernel [%lld, %lld] is larger than the input %s with "
                    "padding 'valid'",
                    (long long)c->kernel[0], (long long)c->kernel[1],
                    dl4c_layer_shape_text(in, a, sizeof a));
            g->out[1 + d] = (len - dk) / s + 1;
        }
    }
    /* h's convolution: 'same', stride 1, no dilation */
    dl4c_conv_geom *h = &c->gh;
    memset(h, 0, sizeof *h);
    h->channels = F;
    for (int d = 0; d < 3; d++) {
        h->in[d] = h->out[d] = g->out[d];
        h->k[d] = g->k[d];
        h->stride[d] = h->dil[d] = 1;
        h->pad[d] = (h->k[d] - 1) / 2;
    }
    c->P = g->out[1] * g->out[2];
    c->K1 = c->kernel[0] * c->kernel[1] * c->C;
    c->K2 = c->kernel[0] * c->kernel[1] * F;
    r->steps = c->T;
    r->features = c->K1;
    dl4c_shape st = {.ndim = 3, .dim = {g->out[1], g->out[2], F}};
    DL4C_RETURN_IF(dl4c_rnn_check_inputs(l, r, &st));
    if (r->return_sequences) {
        l->out_shapes[0] =
            (dl4c_shape){.ndim = 4, .dim = {c->T, g->out[1], g->out[2], F}};
    } else {
        l->out_shapes[0] = st;
    }
    l->n_outputs = 1;
    if (r->return_state) {
        l->out_shapes[l->n_outputs++] = st;
        l->out_shapes[l->n_outputs++] = st;
    }
    r->keep_pre = !dl4c_rnn_act_from_output(&r->act) ||
                  !dl4c_rnn_act_from_output(&r->rec_act);
    int64_t kw[4] = {c->kernel[0], c->kernel[1], c->C, 4 * F};
    int64_t kr[4] = {c->kernel[0], c->kernel[1], F, 4 * F};
    int64_t kb[1] = {4 * F};
    dl4c_layer_add_param(l, "W", 4, kw, c->K1, 4 * F, false);
    dl4c_layer_add_param(l, "R", 4, kr, c->K2, 4 * F, false);
    l->params[1].init = r->rec_init;
    if (r->use_bias)
        dl4c_layer_add_param(l, "b", 1, kb, c->K1, 4 * F, true);
    return DL4C_OK;
}

/* ---- workspace ---- */

typedef struct cl_ws {
    size_t xt, xcol, z, zpre, hp, cp, ac, y, dy, hcol, hf, cf, dm, rm, tmp;
    size_t gh, ghr, gc, gy, hd, end;
} cl_ws;

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

static void ws_layout(const convlstm_cfg *c, int64_t n, dl4c_dtype dt, cl_ws *w)
{
    const size_t es = dl4c_dtype_size(dt);
    const dl4c_rnn_cfg *r = &c->rnn;
    const int64_t T = c->T, F = r->units, NP = n * c->P;
    size_t seq = align64((size_t)(T * NP * F) * es);
    size_t row = align64((size_t)(NP * F) * es);
    size_t off = 0;
#define PUT(field, bytes)                                                      \
    do {                                                                       \
        w->field = off;                                                        \
        off += (bytes);                                                        \
    } while (0)
    PUT(xt, align64((size_t)(T * n * c->H * c->W * c->C) * es));
    PUT(xcol, align64((size_t)(T * NP * c->K1) * es));
    PUT(z, align64((size_t)(T * NP * 4 * F) * es));
    PUT(zpre, r->keep_pre ? align64((size_t)(T * NP * 4 * F) * es) : 0);
    PUT(hp, seq);
    PUT(hd, r->recurrent_dropout > 0 ? seq : 0);
    PUT(cp, seq);
    PUT(ac, seq);
    PUT(y, r->return_sequences ? seq : 0);
    PUT(dy, r->return_sequences ? seq : 0);
    PUT(hcol, align64((size_t)(NP * c->K2) * es));
    PUT(hf, row);
    PUT(cf, row);
    PUT(dm,
        r->dropout > 0 ? align64((size_t)(n * c->H * c->W * c->C) * es) : 0);
    PUT(rm, r->recurrent_dropout > 0 ? row : 0);
    PUT(tmp, align64((size_t)(NP * 5 * F) * es));
    PUT(gh, row);
    PUT(ghr, row);
    PUT(gc, row);
    PUT(gy, row);
#undef PUT
    w->end = off;
}

static size_t workspace(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    cl_ws w;
    ws_layout(l->cfg, batch, dt, &w);
    return w.end;
}

#define STATE_HEADER 64
#define STATE_MAGIC 0x646C3463434C5354ll

static size_t state_size(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    const convlstm_cfg *c = l->cfg;
    if (!c->rnn.stateful)
        return 0;
    return STATE_HEADER + 2 * align64((size_t)(batch * c->P * c->rnn.units) *
                                      dl4c_dtype_size(dt));
}

/* ---- run ---- */

typedef struct cl_run {
    const convlstm_cfg *c;
    const dl4c_backend *be;
    dl4c_dtype dt;
    size_t es;
    int64_t n, T, F, NP, FR; /* FR: input frame size H*W*C */
    bool train, drop, rdrop;
    char *XT, *XCOL, *Z, *ZP, *HP, *HD, *CP, *AC, *Y, *DY, *HCOL, *DM, *RM;
    char *TMP, *GH, *GHR, *GC, *GY, *hfin, *cfin, *ylast;
    const char *W, *R, *b;
    bool dy_on; /* backward of a sequence output: DY holds it */
} cl_run;

static char *at(const cl_run *r, const void *base, int64_t elems)
{
    return (char *)base + (size_t)elems * r->es;
}

static void run_init(cl_run *r, dl4c_layer_ctx *x)
{
    const convlstm_cfg *c = x->layer->cfg;
    cl_ws w;
    char *ws = x->ws;
    memset(r, 0, sizeof *r);
    r->c = c;
    r->be = x->be;
    r->dt = x->dtype;
    r->es = dl4c_dtype_size(x->dtype);
    r->n = x->batch;
    r->T = c->T;
    r->F = c->rnn.units;
    r->NP = r->n * c->P;
    r->FR = c->H * c->W * c->C;
    r->train = x->training;
    r->drop = x->training && c->rnn.dropout > 0;
    r->rdrop = x->training && c->rnn.recurrent_dropout > 0;
    ws_layout(c, r->n, r->dt, &w);
    r->XT = ws + w.xt;
    r->XCOL = ws + w.xcol;
    r->Z = ws + w.z;
    r->ZP = c->rnn.keep_pre ? ws + w.zpre : NULL;
    r->HP = ws + w.hp;
    r->HD = ws + w.hd;
    r->CP = ws + w.cp;
    r->AC = ws + w.ac;
    r->Y = ws + w.y;
    r->DY = ws + w.dy;
    r->HCOL = ws + w.hcol;
    r->DM = ws + w.dm;
    r->RM = ws + w.rm;
    r->TMP = ws + w.tmp;
    r->GH = ws + w.gh;
    r->GHR = ws + w.ghr;
    r->GC = ws + w.gc;
    r->GY = ws + w.gy;
    r->hfin = c->rnn.return_state ? x->outs[1]->data : ws + w.hf;
    r->cfin = c->rnn.return_state ? x->outs[2]->data : ws + w.cf;
    r->ylast = c->rnn.return_sequences ? NULL : x->outs[0]->data;
    r->W = x->params[0]->data;
    r->R = x->params[1]->data;
    r->b = c->rnn.use_bias ? x->params[2]->data : NULL;
}

static dl4c_rnn_mat mat(void *data, int64_t ld)
{
    return (dl4c_rnn_mat){data, ld};
}

/* views for processing step k, images [i0, i1): every block is
 * [images * P rows, width] */
static void step_views(const cl_run *r, int64_t k, int64_t i0, int64_t i1,
                       dl4c_rnn_step *s)
{
    const dl4c_rnn_cfg *c = &r->c->rnn;
    const int64_t T = r->T, F = r->F, NP = r->NP, P = r->c->P;
    const int64_t t = c->go_backwards ? T - 1 - k : k;
    const int64_t nt = c->go_backwards ? t - 1 : t + 1;
    const int64_t r0 = i0 * P;
    const bool last = k == T - 1;
    memset(s, 0, sizeof *s);
    s->dt = r->dt;
    s->rows = (i1 - i0) * P;
    s->units = F;
    s->act = &c->act;
    s->rec_act = &c->rec_act;
    s->z = mat(at(r, r->Z, t * NP * 4 * F), 4 * F);
    if (r->ZP)
        s->zpre = mat(at(r, r->ZP, t * NP * 4 * F), 4 * F);
    s->h_prev = mat(at(r, r->HP, t * NP * F), F);
    s->h = last ? mat(r->hfin, F) : mat(at(r, r->HP, nt * NP * F), F);
    if (r->rdrop) {
        s->hd_prev = mat(at(r, r->HD, t * NP * F), F);
        if (!last)
            s->hd = mat(at(r, r->HD, nt * NP * F), F);
        s->rmask = r->RM;
    }
    s->c_prev = mat(at(r, r->CP, t * NP * F), F);
    s->c = last ? mat(r->cfin, F) : mat(at(r, r->CP, nt * NP * F), F);
    s->ac = mat(at(r, r->AC, t * NP * F), F);
    if (c->return_sequences) {
        s->y = mat(at(r, r->Y, k * NP * F), F);
        if (r->dy_on)
            s->dy = mat(at(r, r->DY, k * NP * F), F);
    } else if (last) {
        s->y = mat(r->ylast, F);
    }
    s->tmp = mat(r->TMP, 5 * F);
    s->gh = r->GH;
    s->ghr = r->GHR;
    s->gc = r->GC;
    s->gy = r->GY;
    dl4c_rnn_step_shift(s, r0, r->es);
}

/* [N, T, X] <-> [T, N, X] one step at a time */
static void to_time_major(const cl_run *r, const void *src, void *dst,
                          int64_t width)
{
    for (int64_t t = 0; t < r->T; t++)
        r->be->rnn->copy_rows(r->dt, r->n, width, at(r, src, t * width),
                              r->T * width, at(r, dst, t * r->n * width),
                              width);
}

static void to_batch_major(const cl_run *r, const void *src, void *dst,
                           int64_t width)
{
    for (int64_t t = 0; t < r->T; t++)
        r->be->rnn->copy_rows(r->dt, r->n, width, at(r, src, t * r->n * width),
                              width, at(r, dst, t * width), r->T * width);
}

static void initial_states(const cl_run *r, dl4c_layer_ctx *x)
{
    const dl4c_rnn_cfg *c = &r->c->rnn;
    const int64_t NP = r->NP, F = r->F;
    const int64_t first = c->go_backwards ? r->T - 1 : 0;
    char *dst[2] = {at(r, r->HP, first * NP * F), at(r, r->CP, first * NP * F)};
    const char *state = x->state;
    bool from_state = c->stateful && !r->train && state &&
                      ((const int64_t *)state)[0] == STATE_MAGIC &&
                      ((const int64_t *)state)[1] == r->n;
    size_t row = align64((size_t)(NP * F) * r->es);
    for (int s = 0; s < 2; s++) {
        if (x->layer->n_inputs > 1)
            r->be->copy(r->dt, NP * F, x->in[1 + s]->data, dst[s]);
        else if (from_state)
            r->be->copy(r->dt, NP * F, state + STATE_HEADER + s * row, dst[s]);
        else
            r->be->fill(r->dt, NP * F, 0.0, dst[s]);
    }
    if (r->rdrop) {
        int64_t shape[1] = {NP * F}, s1[1] = {1};
        r->be->binary(DL4C_BIN_MUL, r->dt, 1, shape, s1, s1, dst[0], r->RM,
                      at(r, r->HD, first * NP * F));
    }
}

/* The forward steps for images [i0, i1); each block has its own rows of
 * the h columns buffer. */
static void forward_images(void *ctx, int64_t i0, int64_t i1)
{
    const cl_run *r = ctx;
    const convlstm_cfg *c = r->c;
    const int64_t F4 = 4 * r->F, rows = (i1 - i0) * c->P;
    char *hcol = at(r, r->HCOL, i0 * c->P * c->K2);
    for (int64_t k = 0; k < r->T; k++) {
        dl4c_rnn_step s;
        step_views(r, k, i0, i1, &s);
        const void *hs = r->rdrop ? s.hd_prev.data : s.h_prev.data;
        r->be->conv->im2col(r->dt, &c->gh, i1 - i0, 0, r->F, hs, hcol);
        r->be->gemm(r->dt, false, false, rows, F4, c->K2, 1.0, hcol, c->K2,
                    r->R, F4, 1.0, s.z.data, F4);
        r->be->rnn->lstm_forward(&s);
    }
}

/* The backward steps for images [i0, i1): gate gradients, and h_prev's
 * gradient through R as col2im(dz R^T) */
static void backward_images(void *ctx, int64_t i0, int64_t i1)
{
    const cl_run *r = ctx;
    const convlstm_cfg *c = r->c;
    const int64_t F4 = 4 * r->F, rows = (i1 - i0) * c->P;
    char *hcol = at(r, r->HCOL, i0 * c->P * c->K2);
    for (int64_t k = r->T - 1; k >= 0; k--) {
        dl4c_rnn_step s;
        step_views(r, k, i0, i1, &s);
        r->be->rnn->lstm_backward(&s);
        r->be->gemm(r->dt, false, true, rows, c->K2, F4, 1.0, s.z.data, F4,
                    r->R, F4, 0.0, hcol, c->K2);
        r->be->conv->col2im(r->dt, &c->gh, i1 - i0, 0, r->F, hcol, s.ghr);
    }
}

static void forward(dl4c_layer_ctx *x)
{
    cl_run r;
    run_init(&r, x);
    const convlstm_cfg *c = r.c;
    const dl4c_backend *be = r.be;
    const int64_t n = r.n, T = r.T, F = r.F, NP = r.NP, F4 = 4 * F;
    /* frames time-major, with the input dropout mask (shared by steps) */
    if (r.drop) {
        be->fill(r.dt, n * r.FR, 1.0, r.DM);
        be->dropout(r.dt, n * r.FR, c->rnn.dropout,
                    x->seed ^ 0x5851F42D4C957F2Dull, r.DM, r.DM);
        int64_t shape[3] = {T, n, r.FR};
        int64_t sa[3] = {r.FR, T * r.FR, 1}, sb[3] = {0, r.FR, 1};
        be->binary(DL4C_BIN_MUL, r.dt, 3, shape, sa, sb, x->in[0]->data, r.DM,
                   r.XT);
    } else {
        to_time_major(&r, x->in[0]->data, r.XT, r.FR);
    }
    if (r.rdrop) {
        be->fill(r.dt, NP * F, 1.0, r.RM);
        be->dropout(r.dt, NP * F, c->rnn.recurrent_dropout,
                    x->seed ^ 0x14057B7EF767814Full, r.RM, r.RM);
    }
    /* the input convolution of every frame */
    be->conv->im2col(r.dt, &c->gx, T * n, 0, c->C, r.XT, r.XCOL);
    be->gemm(r.dt, false, false, T * NP, F4, c->K1, 1.0, r.XCOL, c->K1, r.W, F4,
             0.0, r.Z, F4);
    if (r.b)
        be->bias_add(r.dt, T * NP, F4, r.b, r.Z);
    initial_states(&r, x);
    /* images are independent: each thread runs the sequence for its own */
    be->rnn->split_rows(n, 1, forward_images, &r);
    if (c->rnn.return_sequences)
        to_batch_major(&r, r.Y, x->outs[0]->data, c->P * F);
    if (c->rnn.stateful && !r.train && x->state) {
        char *state = x->state;
        size_t row = align64((size_t)(NP * F) * r.es);
        ((int64_t *)state)[0] = STATE_MAGIC;
        ((int64_t *)state)[1] = n;
        be->copy(r.dt, NP * F, r.hfin, state + STATE_HEADER);
        be->copy(r.dt, NP * F, r.cfin, state + STATE_HEADER + row);
    }
}

static void backward(dl4c_layer_ctx *x)
{
    cl_run r;
    run_init(&r, x);
    const convlstm_cfg *c = r.c;
    const dl4c_backend *be = r.be;
    const int64_t n = r.n, T = r.T, F = r.F, NP = r.NP, F4 = 4 * F;
    const int64_t nf = NP * F;
    be->fill(r.dt, nf, 0.0, r.GHR);
    be->fill(r.dt, nf, 0.0, r.GY);
    if (c->rnn.return_state) {
        be->copy(r.dt, nf, x->douts[1]->data, r.GH);
        be->copy(r.dt, nf, x->douts[2]->data, r.GC);
    } else {
        be->fill(r.dt, nf, 0.0, r.GH);
        be->fill(r.dt, nf, 0.0, r.GC);
    }
    if (c->rnn.return_sequences)
        to_time_major(&r, x->douts[0]->data, r.DY, c->P * F);
    else
        be->copy(r.dt, nf, x->douts[0]->data, r.GY);
    r.dy_on = c->rnn.return_sequences;
    be->rnn->split_rows(n, 1, backward_images, &r);
    /* dR = sum over steps of cols(h_prev)^T dz, columns made again */
    if (x->grads) {
        for (int64_t t = 0; t < T; t++) {
            const void *hs = at(&r, r.rdrop ? r.HD : r.HP, t * NP * F);
            be->conv->im2col(r.dt, &c->gh, n, 0, F, hs, r.HCOL);
            be->gemm(r.dt, true, false, c->K2, F4, NP, 1.0, r.HCOL, c->K2,
                     at(&r, r.Z, t * NP * F4), F4, t ? 1.0 : 0.0,
                     x->grads[1]->data, F4);
        }
    }
    if (x->layer->n_inputs > 1) {
        if (r.rdrop) {
            int64_t shape[1] = {nf}, s1[1] = {1};
            be->binary(DL4C_BIN_MUL, r.dt, 1, shape, s1, s1, r.GHR, r.RM,
                       r.GHR);
        }
        if (x->din[1]) {
            be->copy(r.dt, nf, r.GH, x->din[1]->data);
            be->axpby(r.dt, nf, 1.0, r.GHR, 1.0, x->din[1]->data);
        }
        if (x->din[2])
            be->copy(r.dt, nf, r.GC, x->din[2]->data);
    }
    if (x->grads) {
        be->gemm(r.dt, true, false, c->K1, F4, T * NP, 1.0, r.XCOL, c->K1, r.Z,
                 F4, 0.0, x->grads[0]->data, F4);
        if (r.b)
            be->bias_grad(r.dt, T * NP, F4, r.Z, x->grads[2]->data);
    }
    if (x->din[0]) {
        /* input columns' gradient, then frames, then batch-major */
        be->gemm(r.dt, false, true, T * NP, c->K1, F4, 1.0, r.Z, F4, r.W, F4,
                 0.0, r.XCOL, c->K1);
        be->conv->col2im(r.dt, &c->gx, T * n, 0, c->C, r.XCOL, r.XT);
        to_batch_major(&r, r.XT, x->din[0]->data, r.FR);
        if (r.drop) {
            int64_t shape[3] = {n, T, r.FR};
            int64_t sa[3] = {T * r.FR, r.FR, 1}, sb[3] = {r.FR, 0, 1};
            be->binary(DL4C_BIN_MUL, r.dt, 3, shape, sa, sb, x->din[0]->data,
                       r.DM, x->din[0]->data);
        }
    }
}

/* ---- Keras ---- */

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kc,
                              json_t *out)
{
    json_t *f = json_object_get(kc, "filters");
    if (!f)
        f = json_object_get(kc, "nb_filter");
    if (!json_is_integer(f))
        return dl4c_error_set(DL4C_FORMAT, "%s: 'filters' must be an integer",
                              k->where);
    DL4C_RETURN_IF(
        dl4c_cfg_set(out, "filters", json_integer(json_integer_value(f))));
    json_t *ks = json_object_get(kc, "kernel_size");
    if (ks)
        DL4C_RETURN_IF(dl4c_cfg_set(out, "kernel_size", json_deep_copy(ks)));
    else if (json_object_get(kc, "nb_row"))
        DL4C_RETURN_IF(
            dl4c_cfg_set(out, "kernel_size",
                         json_pack("[O, O]", json_object_get(kc, "nb_row"),
                                   json_object_get(kc, "nb_col"))));
    static const char *const lists[][2] = {{"strides", "subsample"},
                                           {"dilation_rate", NULL},
                                           {"padding", "border_mode"}};
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(kc, lists[i][0]);
        if (!v && lists[i][1])
            v = json_object_get(kc, lists[i][1]);
        if (v)
            DL4C_RETURN_IF(dl4c_cfg_set(out, lists[i][0], json_deep_copy(v)));
    }
    json_t *a = NULL;
    if (json_object_get(kc, "activation")) {
        DL4C_RETURN_IF(dl4c_keras_activation_json(
            k, json_object_get(kc, "activation"), &a));
        DL4C_RETURN_IF(dl4c_cfg_set(out, "activation", a));
    }
    json_t *ra = json_object_get(kc, "recurrent_activation");
    if (!ra)
        ra = json_object_get(kc, "inner_activation");
    if (ra) {
        DL4C_RETURN_IF(dl4c_keras_activation_json(k, ra, &a));
        DL4C_RETURN_IF(dl4c_cfg_set(out, "recurrent_activation", a));
    }
    static const char *const bools[] = {"use_bias",         "unit_forget_bias",
                                        "return_sequences", "return_state",
                                        "go_backwards",     "stateful"};
    for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++)
        DL4C_RETURN_IF(dl4c_keras_copy_bool(k, kc, bools[i], out, bools[i]));
    static const char *const nums[][2] = {{"dropout", "dropout_W"},
                                          {"recurrent_dropout", "dropout_U"}};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(kc, nums[i][0]);
        if (!v)
            v = json_object_get(kc, nums[i][1]);
        if (json_is_number(v))
            DL4C_RETURN_IF(
                dl4c_cfg_set(out, nums[i][0], json_real(json_number_value(v))));
    }
    return DL4C_OK;
}

static const char *const keras_classes[] = {"ConvLSTM2D", NULL};

static const char *const examples[] = {
    "{\"input\": [3, 4, 4, 2], \"layer\": {\"type\": \"ConvLSTM2D\", "
    "\"filters\": 2, \"kernel_size\": 3, \"padding\": \"same\"}}",
    "{\"input\": [2, 5, 4, 1], \"outputs\": 3, \"layer\": {\"type\": "
    "\"ConvLSTM2D\", \"filters\": 2, \"kernel_size\": [3, 2], "
    "\"strides\": [2, 1], \"return_sequences\": true, \"return_state\": "
    "true, \"go_backwards\": true}}",
    "{\"inputs\": [[2, 3, 3, 1], [3, 3, 2], [3, 3, 2]], \"layer\": {\"type\": "
    "\"ConvLSTM2D\", \"filters\": 2, \"kernel_size\": 2, \"padding\": "
    "\"same\", \"return_sequences\": true}}",
    "{\"input\": [2, 5, 5, 1], \"layer\": {\"type\": \"ConvLSTM2D\", "
    "\"filters\": 1, \"kernel_size\": 2, \"dilation_rate\": 2, \"dropout\": "
    "0.3, \"recurrent_dropout\": 0.2, \"activation\": \"softsign\"}}",
    "{\"input\": [2, 3, 3, 1], \"layer\": {\"type\": \"ConvLSTM2D\", "
    "\"filters\": 2, \"kernel_size\": 2, \"stateful\": true}}",
    "{\"input\": [3, 4, 4], \"layer\": {\"type\": \"ConvLSTM2D\", "
    "\"filters\": 2, \"kernel_size\": 3}, \"error\": \"layer 'under_test': "
    "expects input [N, time, height, width, channels], got [N, 3, 4, 4]\"}",
    "{\"input\": [3, 2, 2, 1], \"layer\": {\"type\": \"ConvLSTM2D\", "
    "\"filters\": 2, \"kernel_size\": 3}, \"error\": \"kernel [3, 3] is "
    "larger than the input [N, 3, 2, 2, 1]\"}",
    NULL};

const dl4c_layer_type dl4c_layer_conv_lstm2d = {
    .name = "ConvLSTM2D",
    .keras_class = "ConvLSTM2D",
    .config_size = sizeof(convlstm_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .workspace = workspace,
    .forward = forward,
    .backward = backward,
    .state_size = state_size,
    .mask_mode = DL4C_MASK_DROP,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .examples = examples,
};
