/* The sequence driver of SimpleRNN, LSTM and GRU: one GEMM projects every
 * step's input before the loop; per step one GEMM adds h_prev R and a
 * backend kernel does the gate math. Everything BPTT needs stays in the
 * workspace, indexed by input time ([batch, time, width], step t a view
 * with ld time*width), so backward runs one GEMM per step and one each for
 * dW, dR and dx. Stateful layers carry states across inference calls. */
#include <string.h>

#include "core/error_internal.h"
#include "nn/layers/rnn_common.h"

#define KEYS_COMMON                                                            \
    "units", "activation", "use_bias", "return_sequences", "return_state",     \
        "go_backwards", "stateful", "dropout", "recurrent_dropout",            \
        "zero_output_for_mask", "recurrent_init"

const char *const dl4c_rnn_simple_keys[] = {KEYS_COMMON, NULL};
const char *const dl4c_rnn_lstm_keys[] = {KEYS_COMMON, "recurrent_activation",
                                          "unit_forget_bias", NULL};
const char *const dl4c_rnn_gru_keys[] = {KEYS_COMMON, "recurrent_activation",
                                         "reset_after", NULL};

static const int gates_of[DL4C_RNN_KIND_COUNT] = {1, 4, 3};
static const int states_of[DL4C_RNN_KIND_COUNT] = {1, 2, 1};

dl4c_status dl4c_rnn_parse_kind(dl4c_layer *l, const json_t *j,
                                dl4c_rnn_kind kind)
{
    dl4c_rnn_cfg *c = l->cfg;
    const char *w = l->where;
    c->kind = kind;
    c->act = dl4c_activation_default(DL4C_ACT_TANH);
    c->rec_act = dl4c_activation_default(DL4C_ACT_SIGMOID);
    c->use_bias = true;
    c->unit_forget_bias = true;
    c->reset_after = true;
    c->rec_init = dl4c_init_default(DL4C_INIT_ORTHOGONAL);
    DL4C_RETURN_IF(dl4c_cfg_int(w, j, "units", true, 1, &c->units));
    DL4C_RETURN_IF(dl4c_cfg_activation(w, j, "activation", &c->act));
    if (kind != DL4C_RNN_SIMPLE)
        DL4C_RETURN_IF(
            dl4c_cfg_activation(w, j, "recurrent_activation", &c->rec_act));
    DL4C_RETURN_IF(dl4c_cfg_bool(w, j, "use_bias", &c->use_bias));
    DL4C_RETURN_IF(
        dl4c_cfg_bool(w, j, "return_sequences", &c->return_sequences));
    DL4C_RETURN_IF(dl4c_cfg_bool(w, j, "return_state", &c->return_state));
    DL4C_RETURN_IF(dl4c_cfg_bool(w, j, "go_backwards", &c->go_backwards));
    DL4C_RETURN_IF(dl4c_cfg_bool(w, j, "stateful", &c->stateful));
    DL4C_RETURN_IF(
        dl4c_cfg_bool(w, j, "zero_output_for_mask", &c->zero_output_for_mask));
    DL4C_RETURN_IF(
        dl4c_cfg_double(w, j, "dropout", false, 0, 0.999999, &c->dropout));
    DL4C_RETURN_IF(dl4c_cfg_double(w, j, "recurrent_dropout", false, 0,
                                   0.999999, &c->recurrent_dropout));
    DL4C_RETURN_IF(dl4c_cfg_init(w, j, "recurrent_init", &c->rec_init));
    if (kind == DL4C_RNN_LSTM)
        DL4C_RETURN_IF(
            dl4c_cfg_bool(w, j, "unit_forget_bias", &c->unit_forget_bias));
    if (kind == DL4C_RNN_GRU)
        DL4C_RETURN_IF(dl4c_cfg_bool(w, j, "reset_after", &c->reset_after));
    return DL4C_OK;
}

dl4c_status dl4c_rnn_write(const dl4c_layer *l, json_t *j)
{
    const dl4c_rnn_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_cfg_set(j, "units", json_integer(c->units)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "activation", dl4c_cfg_activation_json(&c->act)));
    if (c->kind != DL4C_RNN_SIMPLE)
        DL4C_RETURN_IF(dl4c_cfg_set(j, "recurrent_activation",
                                    dl4c_cfg_activation_json(&c->rec_act)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "use_bias", json_boolean(c->use_bias)));
    if (c->kind == DL4C_RNN_LSTM)
        DL4C_RETURN_IF(dl4c_cfg_set(j, "unit_forget_bias",
                                    json_boolean(c->unit_forget_bias)));
    if (c->kind == DL4C_RNN_GRU)
        DL4C_RETURN_IF(
            dl4c_cfg_set(j, "reset_after", json_boolean(c->reset_after)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "return_sequences", json_boolean(c->return_sequences)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "return_state", json_boolean(c->return_state)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "go_backwards", json_boolean(c->go_backwards)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "stateful", json_boolean(c->stateful)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "zero_output_for_mask",
                                json_boolean(c->zero_output_for_mask)));
    DL4C_RETURN_IF(dl4c_cfg_set(j, "dropout", json_real(c->dropout)));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "recurrent_dropout", json_real(c->recurrent_dropout)));
    return dl4c_cfg_set(j, "recurrent_init", dl4c_cfg_init_json(&c->rec_init));
}

dl4c_status dl4c_rnn_check_inputs(const dl4c_layer *l, const dl4c_rnn_cfg *c,
                                  const dl4c_shape *state)
{
    char a[96], b[96];
    for (int k = 1; k < l->n_inputs; k++)
        if (!dl4c_shape_equal(&l->in_shapes[k], state))
            return dl4c_layer_error(
                l, DL4C_SHAPE, "initial state %d must be %s, got %s", k,
                dl4c_layer_shape_text(state, a, sizeof a),
                dl4c_layer_shape_text(&l->in_shapes[k], b, sizeof b));
    if (c->act.id == DL4C_ACT_RRELU || c->rec_act.id == DL4C_ACT_RRELU)
        return dl4c_layer_error(l, DL4C_UNSUPPORTED,
                                "rrelu is not available in recurrent layers");
    return DL4C_OK;
}

dl4c_status dl4c_rnn_build(dl4c_layer *l)
{
    dl4c_rnn_cfg *c = l->cfg;
    char a[96];
    c->gates = gates_of[c->kind];
    c->n_states = states_of[c->kind];
    if (l->n_inputs != 1 && l->n_inputs != 1 + c->n_states)
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "takes the sequence and optionally %d initial "
                                "state%s: 1 or %d inputs, got %d",
                                c->n_states, c->n_states > 1 ? "s" : "",
                                1 + c->n_states, l->n_inputs);
    const dl4c_shape *in = &l->in_shapes[0];
    if (in->ndim != 2)
        return dl4c_layer_error(l, DL4C_SHAPE,
                                "expects input [N, time, features], got %s",
                                dl4c_layer_shape_text(in, a, sizeof a));
    c->steps = in->dim[0];
    c->features = in->dim[1];
    const int64_t U = c->units, GU = c->gates * U;
    dl4c_shape st = {.ndim = 1, .dim = {U}};
    DL4C_RETURN_IF(dl4c_rnn_check_inputs(l, c, &st));
    l->out_shapes[0] = c->return_sequences
                           ? (dl4c_shape){.ndim = 2, .dim = {c->steps, U}}
                           : st;
    l->n_outputs = 1;
    if (c->return_state)
        for (int k = 0; k < c->n_states; k++)
            l->out_shapes[l->n_outputs++] = st;
    l->out_has_mask[0] = c->return_sequences && l->in_has_mask[0];
    c->keep_pre =
        c->kind != DL4C_RNN_SIMPLE && (!dl4c_rnn_act_from_output(&c->act) ||
                                       !dl4c_rnn_act_from_output(&c->rec_act));
    int64_t w[2] = {c->features, GU}, r[2] = {U, GU};
    dl4c_layer_add_param(l, "W", 2, w, c->features, GU, false);
    dl4c_layer_add_param(l, "R", 2, r, U, GU, false);
    l->params[l->n_params - 1].init = c->rec_init;
    if (c->use_bias) {
        if (c->kind == DL4C_RNN_GRU && c->reset_after) {
            int64_t bs[2] = {2, GU};
            dl4c_layer_add_param(l, "b", 2, bs, c->features, GU, true);
        } else {
            int64_t bs[1] = {GU};
            dl4c_layer_add_param(l, "b", 1, bs, c->features, GU, true);
        }
    }
    return DL4C_OK;
}

void dl4c_rnn_init_forget_bias(const dl4c_layer *l, dl4c_tensor *const *params)
{
    const dl4c_rnn_cfg *c = l->cfg;
    if (c->kind != DL4C_RNN_LSTM || !c->use_bias || !c->unit_forget_bias)
        return;
    dl4c_tensor *b = params[2];
    for (int64_t j = c->units; j < 2 * c->units; j++)
        dl4c_tensor_set(b, j, dl4c_tensor_get(b, j) + 1.0);
}

/* ---- workspace layout ---- */

typedef struct rnn_ws {
    size_t z, zpre, hr, rh, hp, hd, cp, ac, hf, cf, xd, dmask, rmask, tmp;
    size_t gh, ghr, gc, gy, end;
} rnn_ws;

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

static void ws_layout(const dl4c_rnn_cfg *c, int64_t n, dl4c_dtype dt,
                      rnn_ws *w)
{
    const size_t es = dl4c_dtype_size(dt);
    const int64_t T = c->steps, U = c->units, G = c->gates;
    const bool lstm = c->kind == DL4C_RNN_LSTM;
    const bool gru = c->kind == DL4C_RNN_GRU;
    size_t off = 0, seq = align64((size_t)(n * T * U) * es);
    size_t row = align64((size_t)(n * U) * es);
#define PUT(field, bytes)                                                      \
    do {                                                                       \
        w->field = off;                                                        \
        off += (bytes);                                                        \
    } while (0)
    PUT(z, align64((size_t)(n * T * G * U) * es));
    PUT(zpre, c->keep_pre ? align64((size_t)(n * T * G * U) * es) : 0);
    PUT(hr, gru && c->reset_after ? align64((size_t)(n * T * 3 * U) * es) : 0);
    PUT(rh, gru && !c->reset_after ? seq : 0);
    PUT(hp, seq);
    PUT(hd, c->recurrent_dropout > 0 ? seq : 0);
    PUT(cp, lstm ? seq : 0);
    PUT(ac, lstm ? seq : 0);
    PUT(hf, row);
    PUT(cf, lstm ? row : 0);
    PUT(xd, c->dropout > 0 ? align64((size_t)(n * T * c->features) * es) : 0);
    PUT(dmask, c->dropout > 0 ? align64((size_t)(n * c->features) * es) : 0);
    PUT(rmask, c->recurrent_dropout > 0 ? row : 0);
    PUT(tmp, align64((size_t)(n * (G + 1) * U) * es));
    PUT(gh, row);
    PUT(ghr, row);
    PUT(gc, lstm ? row : 0);
    PUT(gy, row);
#undef PUT
    w->end = off;
}

size_t dl4c_rnn_workspace(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    rnn_ws w;
    ws_layout(l->cfg, batch, dt, &w);
    return w.end;
}

/* state: [magic, batch it belongs to (int64 each) | h | c]; the magic
 * tells a saved state from zeros or from bytes a different batch size
 * laid out differently */
#define STATE_HEADER 64
#define STATE_MAGIC 0x646C3463524E4E53ll

size_t dl4c_rnn_state_size(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    const dl4c_rnn_cfg *c = l->cfg;
    if (!c->stateful)
        return 0;
    return STATE_HEADER +
           (size_t)c->n_states *
               align64((size_t)(batch * c->units) * dl4c_dtype_size(dt));
}

/* ---- the step loop ---- */

/* Fewest rows a thread takes: below this a row block's GEMMs are too thin
 * to beat running all rows on one thread. */
#define ROWS_PER_BLOCK 8

/* Views of the workspace and the layer's arrays for one call. */
typedef struct rnn_run {
    const dl4c_rnn_cfg *c;
    const dl4c_backend *be;
    dl4c_dtype dt;
    size_t es;
    int64_t n, T, U, G, GU, F;
    bool train, drop, rdrop;
    char *Z, *ZP, *HR, *RH, *HP, *HD, *CP, *AC, *XD, *DM, *RM, *TMP;
    char *GH, *GHR, *GC, *GY;
    char *hfin, *cfin; /* where the final states go */
    const char *W, *R, *b;
    char *out0;
    const char *dout0; /* backward */
    const void *mask;
} rnn_run;

static void run_init(rnn_run *r, dl4c_layer_ctx *x)
{
    const dl4c_layer *l = x->layer;
    const dl4c_rnn_cfg *c = l->cfg;
    rnn_ws w;
    char *ws = x->ws;
    memset(r, 0, sizeof *r);
    r->c = c;
    r->be = x->be;
    r->dt = x->dtype;
    r->es = dl4c_dtype_size(x->dtype);
    r->n = x->batch;
    r->T = c->steps;
    r->U = c->units;
    r->G = c->gates;
    r->GU = r->G * r->U;
    r->F = c->features;
    r->train = x->training;
    r->drop = x->training && c->dropout > 0;
    r->rdrop = x->training && c->recurrent_dropout > 0;
    ws_layout(c, r->n, r->dt, &w);
    r->Z = ws + w.z;
    r->ZP = c->keep_pre ? ws + w.zpre : NULL;
    r->HR = ws + w.hr;
    r->RH = ws + w.rh;
    r->HP = ws + w.hp;
    r->HD = ws + w.hd;
    r->CP = ws + w.cp;
    r->AC = ws + w.ac;
    r->XD = ws + w.xd;
    r->DM = ws + w.dmask;
    r->RM = ws + w.rmask;
    r->TMP = ws + w.tmp;
    r->GH = ws + w.gh;
    r->GHR = ws + w.ghr;
    r->GC = ws + w.gc;
    r->GY = ws + w.gy;
    int st = 1;
    r->hfin = c->return_state ? x->outs[st++]->data : ws + w.hf;
    r->cfin = c->return_state && c->kind == DL4C_RNN_LSTM ? x->outs[st]->data
                                                          : ws + w.cf;
    r->W = x->params[0]->data;
    r->R = x->params[1]->data;
    r->b = c->use_bias ? x->params[2]->data : NULL;
    r->out0 = x->outs[0]->data;
    r->mask = x->in_masks[0] ? x->in_masks[0]->data : NULL;
}

/* element offset helpers */
static char *at(const rnn_run *r, const void *base, int64_t elems)
{
    return (char *)base + (size_t)elems * r->es;
}

static dl4c_rnn_mat mat(void *data, int64_t ld)
{
    return (dl4c_rnn_mat){data, ld};
}

void dl4c_rnn_step_shift(dl4c_rnn_step *s, int64_t r0, size_t es)
{
    dl4c_rnn_mat *rowed[] = {&s->z,      &s->zpre, &s->hr,      &s->rh,
                             &s->h_prev, &s->h,    &s->hd_prev, &s->hd,
                             &s->c_prev, &s->c,    &s->ac,      &s->y,
                             &s->y_prev, &s->dy,   &s->tmp};
    for (size_t i = 0; i < sizeof rowed / sizeof rowed[0]; i++)
        if (rowed[i]->data)
            rowed[i]->data =
                (char *)rowed[i]->data + (size_t)(r0 * rowed[i]->ld) * es;
    size_t row = (size_t)(r0 * s->units) * es;
    void **per_row[] = {&s->gh, &s->ghr, &s->gc, &s->gy};
    for (size_t i = 0; i < sizeof per_row / sizeof per_row[0]; i++)
        if (*per_row[i])
            *per_row[i] = (char *)*per_row[i] + row;
    if (s->rmask)
        s->rmask = (const char *)s->rmask + row;
}

/* The step views for processing step k (input time t), rows [r0, r1). */
static void step_views(const rnn_run *r, int64_t k, int64_t r0, int64_t r1,
                       dl4c_rnn_step *s)
{
    const dl4c_rnn_cfg *c = r->c;
    const int64_t T = r->T, U = r->U, GU = r->GU;
    const int64_t t = c->go_backwards ? T - 1 - k : k;
    const int64_t nt = c->go_backwards ? t - 1 : t + 1;
    const bool last = k == T - 1;
    memset(s, 0, sizeof *s);
    s->dt = r->dt;
    s->rows = r1 - r0;
    s->units = U;
    s->act = &c->act;
    s->rec_act = &c->rec_act;
    s->reset_after = c->reset_after;
    s->zero_output = c->zero_output_for_mask;
    if (r->mask) {
        s->mask = at(r, r->mask, r0 * T + t);
        s->mask_stride = T;
    }
    s->z = mat(at(r, r->Z, t * GU), T * GU);
    if (r->ZP)
        s->zpre = mat(at(r, r->ZP, t * GU), T * GU);
    s->h_prev = mat(at(r, r->HP, t * U), T * U);
    s->h = last ? mat(r->hfin, U) : mat(at(r, r->HP, nt * U), T * U);
    if (r->rdrop) {
        s->hd_prev = mat(at(r, r->HD, t * U), T * U);
        if (!last)
            s->hd = mat(at(r, r->HD, nt * U), T * U);
        s->rmask = r->RM;
    }
    if (c->kind == DL4C_RNN_LSTM) {
        s->c_prev = mat(at(r, r->CP, t * U), T * U);
        s->c = last ? mat(r->cfin, U) : mat(at(r, r->CP, nt * U), T * U);
        s->ac = mat(at(r, r->AC, t * U), T * U);
    }
    if (c->kind == DL4C_RNN_GRU && c->reset_after) {
        s->hr = mat(at(r, r->HR, t * 3 * U), T * 3 * U);
        s->rbias = r->b ? r->b + (size_t)GU * r->es : NULL;
    }
    if (c->kind == DL4C_RNN_GRU && !c->reset_after)
        s->rh = mat(at(r, r->RH, t * U), T * U);
    if (c->return_sequences) {
        s->y = mat(at(r, r->out0, k * U), T * U);
        if (k > 0)
            s->y_prev = mat(at(r, r->out0, (k - 1) * U), T * U);
        if (r->dout0)
            s->dy = mat(at(r, r->dout0, k * U), T * U);
    } else {
        s->y = s->y_prev = mat(r->out0, U);
    }
    s->tmp = mat(r->TMP, (r->G + 1) * U);
    s->gh = r->GH;
    s->ghr = r->GHR;
    s->gc = r->GC;
    s->gy = r->GY;
    dl4c_rnn_step_shift(s, r0, r->es);
}

/* c += a[rows, k] * b[k, cols] (beta 1) or c = (beta 0) */
static void gemm(const rnn_run *r, int64_t rows, int64_t cols, int64_t k,
                 const void *a, int64_t lda, const void *b, int64_t ldb,
                 double beta, void *cm, int64_t ldc)
{
    r->be->gemm(r->dt, false, false, rows, cols, k, 1.0, a, lda, b, ldb, beta,
                cm, ldc);
}

/* c = a[rows, k] * b[cols, k]^T (+ c when beta is 1) */
static void gemm_bt(const rnn_run *r, int64_t rows, int64_t cols, int64_t k,
                    const void *a, int64_t lda, const void *b, int64_t ldb,
                    double beta, void *cm, int64_t ldc)
{
    r->be->gemm(r->dt, false, true, rows, cols, k, 1.0, a, lda, b, ldb, beta,
                cm, ldc);
}

/* Dropout masks (values 0 or 1/(1-rate)): one per example and feature for
 * the inputs, one per example and unit for h, shared by every time step
 * and gate; drawn from the step's seed, so backward reuses them. */
static void make_masks(const rnn_run *r, uint64_t seed, const void *x)
{
    if (r->drop) {
        int64_t nf = r->n * r->F;
        r->be->fill(r->dt, nf, 1.0, r->DM);
        r->be->dropout(r->dt, nf, r->c->dropout, seed ^ 0x5851F42D4C957F2Dull,
                       r->DM, r->DM);
        int64_t shape[3] = {r->n, r->T, r->F};
        int64_t sa[3] = {r->T * r->F, r->F, 1}, sb[3] = {r->F, 0, 1};
        r->be->binary(DL4C_BIN_MUL, r->dt, 3, shape, sa, sb, x, r->DM, r->XD);
    }
    if (r->rdrop) {
        int64_t nu = r->n * r->U;
        r->be->fill(r->dt, nu, 1.0, r->RM);
        r->be->dropout(r->dt, nu, r->c->recurrent_dropout,
                       seed ^ 0x14057B7EF767814Full, r->RM, r->RM);
    }
}

/* Initial states into the first step's slots: inputs 1.. when given, the
 * persistent state of a stateful layer in inference, else zeros. */
static void initial_states(const rnn_run *r, dl4c_layer_ctx *x)
{
    const dl4c_rnn_cfg *c = r->c;
    const struct dl4c_backend_rnn *k = r->be->rnn;
    const int64_t T = r->T, U = r->U, n = r->n;
    const int64_t first = c->go_backwards ? T - 1 : 0;
    char *dst[2] = {at(r, r->HP, first * U), at(r, r->CP, first * U)};
    const char *state = x->state;
    bool from_state = c->stateful && !r->train && state &&
                      ((const int64_t *)state)[0] == STATE_MAGIC &&
                      ((const int64_t *)state)[1] == n;
    size_t row = align64((size_t)(n * U) * r->es);
    for (int s = 0; s < c->n_states; s++) {
        if (x->layer->n_inputs > 1)
            k->copy_rows(r->dt, n, U, x->in[1 + s]->data, U, dst[s], T * U);
        else if (from_state)
            k->copy_rows(r->dt, n, U, state + STATE_HEADER + s * row, U, dst[s],
                         T * U);
        else
            k->fill_rows(r->dt, n, U, 0.0, dst[s], T * U);
    }
    if (r->rdrop) {
        /* hd of the first step, through GH as a contiguous scratch */
        k->copy_rows(r->dt, n, U, dst[0], T * U, r->GH, U);
        int64_t shape[1] = {n * U}, s1[1] = {1};
        r->be->binary(DL4C_BIN_MUL, r->dt, 1, shape, s1, s1, r->GH, r->RM,
                      r->GH);
        k->copy_rows(r->dt, n, U, r->GH, U, at(r, r->HD, first * U), T * U);
    }
}

/* The forward steps for rows [r0, r1). */
static void forward_rows(void *ctx, int64_t r0, int64_t r1)
{
    const rnn_run *r = ctx;
    const dl4c_rnn_cfg *c = r->c;
    const struct dl4c_backend_rnn *k = r->be->rnn;
    const int64_t T = r->T, U = r->U, GU = r->GU, n = r1 - r0;
    for (int64_t step = 0; step < T; step++) {
        dl4c_rnn_step s;
        step_views(r, step, r0, r1, &s);
        const dl4c_rnn_mat hs = r->rdrop ? s.hd_prev : s.h_prev;
        switch (c->kind) {
        case DL4C_RNN_SIMPLE:
            gemm(r, n, U, U, hs.data, hs.ld, r->R, U, 1.0, s.z.data, s.z.ld);
            k->simple_forward(&s);
            break;
        case DL4C_RNN_LSTM:
            gemm(r, n, GU, U, hs.data, hs.ld, r->R, GU, 1.0, s.z.data, s.z.ld);
            k->lstm_forward(&s);
            break;
        default:
            if (c->reset_after) {
                gemm(r, n, GU, U, hs.data, hs.ld, r->R, GU, 0.0, s.hr.data,
                     s.hr.ld);
                k->gru_forward(&s, 0);
            } else {
                gemm(r, n, 2 * U, U, hs.data, hs.ld, r->R, GU, 1.0, s.z.data,
                     s.z.ld);
                k->gru_forward(&s, 0);
                gemm(r, n, U, U, s.rh.data, s.rh.ld, at(r, r->R, 2 * U), GU,
                     1.0, at(r, s.z.data, 2 * U), s.z.ld);
                k->gru_forward(&s, 1);
            }
            break;
        }
    }
}

/* The backward steps for rows [r0, r1), last step first. */
static void backward_rows(void *ctx, int64_t r0, int64_t r1)
{
    const rnn_run *r = ctx;
    const dl4c_rnn_cfg *c = r->c;
    const struct dl4c_backend_rnn *k = r->be->rnn;
    const int64_t T = r->T, U = r->U, GU = r->GU, n = r1 - r0;
    for (int64_t step = T - 1; step >= 0; step--) {
        dl4c_rnn_step s;
        step_views(r, step, r0, r1, &s);
        switch (c->kind) {
        case DL4C_RNN_SIMPLE:
            k->simple_backward(&s);
            gemm_bt(r, n, U, U, s.z.data, s.z.ld, r->R, U, 0.0, s.ghr, U);
            break;
        case DL4C_RNN_LSTM:
            k->lstm_backward(&s);
            gemm_bt(r, n, U, GU, s.z.data, s.z.ld, r->R, GU, 0.0, s.ghr, U);
            break;
        default:
            if (c->reset_after) {
                k->gru_backward(&s, 0);
                gemm_bt(r, n, U, GU, s.hr.data, s.hr.ld, r->R, GU, 0.0, s.ghr,
                        U);
            } else {
                k->gru_backward(&s, 1);
                s.drh = mat(at(r, s.tmp.data, 3 * U), s.tmp.ld);
                gemm_bt(r, n, U, U, at(r, s.z.data, 2 * U), s.z.ld,
                        at(r, r->R, 2 * U), GU, 0.0, s.drh.data, s.drh.ld);
                k->gru_backward(&s, 0);
                gemm_bt(r, n, U, 2 * U, s.z.data, s.z.ld, r->R, GU, 1.0, s.ghr,
                        U);
            }
            break;
        }
    }
}

void dl4c_rnn_forward(dl4c_layer_ctx *x)
{
    rnn_run r;
    run_init(&r, x);
    const dl4c_rnn_cfg *c = r.c;
    const struct dl4c_backend_rnn *k = r.be->rnn;
    const int64_t n = r.n, T = r.T, U = r.U, GU = r.GU;
    const void *X = x->in[0]->data;
    make_masks(&r, x->seed, X);
    if (r.drop)
        X = r.XD;
    /* the input projection of every step, plus the (input) bias */
    gemm(&r, n * T, GU, r.F, X, r.F, r.W, GU, 0.0, r.Z, GU);
    if (r.b)
        r.be->bias_add(r.dt, n * T, GU, r.b, r.Z);
    initial_states(&r, x);
    if (!c->return_sequences)
        r.be->fill(r.dt, n * U, 0.0, r.out0);
    /* rows are independent: each thread runs the whole sequence for its
     * block of rows, with no synchronization between steps */
    k->split_rows(n, ROWS_PER_BLOCK, forward_rows, &r);
    if (c->stateful && !r.train && x->state) {
        char *state = x->state;
        size_t row = align64((size_t)(n * U) * r.es);
        ((int64_t *)state)[0] = STATE_MAGIC;
        ((int64_t *)state)[1] = n;
        r.be->copy(r.dt, n * U, r.hfin, state + STATE_HEADER);
        if (c->kind == DL4C_RNN_LSTM)
            r.be->copy(r.dt, n * U, r.cfin, state + STATE_HEADER + row);
    }
    if (x->layer->out_has_mask[0] && r.mask)
        r.be->copy(r.dt, n * T, r.mask, x->out_masks[0]->data);
}

void dl4c_rnn_backward(dl4c_layer_ctx *x)
{
    rnn_run r;
    run_init(&r, x);
    const dl4c_rnn_cfg *c = r.c;
    const struct dl4c_backend_rnn *k = r.be->rnn;
    const int64_t n = r.n, T = r.T, U = r.U, GU = r.GU, nu = n * U;
    r.be->fill(r.dt, nu, 0.0, r.GHR);
    if (c->return_state)
        r.be->copy(r.dt, nu, x->douts[1]->data, r.GH);
    else
        r.be->fill(r.dt, nu, 0.0, r.GH);
    if (c->kind == DL4C_RNN_LSTM) {
        if (c->return_state)
            r.be->copy(r.dt, nu, x->douts[2]->data, r.GC);
        else
            r.be->fill(r.dt, nu, 0.0, r.GC);
    }
    if (c->return_sequences)
        r.be->fill(r.dt, nu, 0.0, r.GY);
    else
        r.be->copy(r.dt, nu, x->douts[0]->data, r.GY);
    r.dout0 = x->douts[0]->data;
    k->split_rows(n, ROWS_PER_BLOCK, backward_rows, &r);
    /* gradients of the initial state inputs */
    if (x->layer->n_inputs > 1) {
        if (r.rdrop) {
            int64_t shape[1] = {nu}, s1[1] = {1};
            r.be->binary(DL4C_BIN_MUL, r.dt, 1, shape, s1, s1, r.GHR, r.RM,
                         r.GHR);
        }
        if (x->din[1]) {
            r.be->copy(r.dt, nu, r.GH, x->din[1]->data);
            r.be->axpby(r.dt, nu, 1.0, r.GHR, 1.0, x->din[1]->data);
        }
        if (c->kind == DL4C_RNN_LSTM && x->din[2])
            r.be->copy(r.dt, nu, r.GC, x->din[2]->data);
    }
    /* parameters and input, over all steps at once */
    const void *X = r.drop ? (const void *)r.XD : x->in[0]->data;
    const void *HS = r.rdrop ? r.HD : r.HP;
    const int64_t rows = n * T;
    if (x->grads) {
        void *dW = x->grads[0]->data, *dR = x->grads[1]->data;
        r.be->gemm(r.dt, true, false, r.F, GU, rows, 1.0, X, r.F, r.Z, GU, 0.0,
                   dW, GU);
        if (c->kind == DL4C_RNN_GRU && c->reset_after)
            r.be->gemm(r.dt, true, false, U, GU, rows, 1.0, HS, U, r.HR, GU,
                       0.0, dR, GU);
        else if (c->kind == DL4C_RNN_GRU) {
            r.be->gemm(r.dt, true, false, U, 2 * U, rows, 1.0, HS, U, r.Z, GU,
                       0.0, dR, GU);
            r.be->gemm(r.dt, true, false, U, U, rows, 1.0, r.RH, U,
                       at(&r, r.Z, 2 * U), GU, 0.0, at(&r, dR, 2 * U), GU);
        } else
            r.be->gemm(r.dt, true, false, U, GU, rows, 1.0, HS, U, r.Z, GU, 0.0,
                       dR, GU);
        if (r.b) {
            char *db = x->grads[2]->data;
            r.be->bias_grad(r.dt, rows, GU, r.Z, db);
            if (c->kind == DL4C_RNN_GRU && c->reset_after)
                r.be->bias_grad(r.dt, rows, GU, r.HR, at(&r, db, GU));
        }
    }
    if (x->din[0]) {
        void *dx = x->din[0]->data;
        r.be->gemm(r.dt, false, true, rows, r.F, GU, 1.0, r.Z, GU, r.W, GU, 0.0,
                   dx, r.F);
        if (r.drop) {
            int64_t shape[3] = {n, T, r.F};
            int64_t sa[3] = {T * r.F, r.F, 1}, sb[3] = {r.F, 0, 1};
            r.be->binary(DL4C_BIN_MUL, r.dt, 3, shape, sa, sb, dx, r.DM, dx);
        }
    }
}
