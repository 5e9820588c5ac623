/* The sequence family of the backend table: one time step of a recurrent
 * cell over a batch of rows (SimpleRNN, LSTM, GRU, and ConvLSTM2D's gates
 * with rows = positions), plus the small data movements around sequences
 * (strided row copies, Bidirectional merges, embedding lookups, masks).
 *
 * A step kernel sees one time step: the caller has already added the
 * input projection and the recurrent GEMM into the gate pre-activations
 * (`z`), and keeps every per-step array it needs for the backward pass
 * (BPTT), so the kernels only do the elementwise gate math, threaded over
 * rows. Matrices are row-major with their own leading dimension, so a step
 * of a [batch, time, features] buffer is a view with ld = time * width.
 *
 * Masks follow Keras: a masked row keeps its states (h, c) and its output
 * repeats the previous step's output (zeros before the first unmasked
 * step, or always zeros when `zero_output` is set). */
#ifndef DL4C_BACKEND_RNN_H
#define DL4C_BACKEND_RNN_H

#include "core/backend.h"

/* Row r of a matrix starts at (T *)data + r * ld. data NULL: absent. */
typedef struct dl4c_rnn_mat {
    void *data;
    int64_t ld;
} dl4c_rnn_mat;

/* Everything one step kernel reads and writes. Gate order is Keras':
 * LSTM i, f, c, o; GRU z, r, h. */
typedef struct dl4c_rnn_step {
    dl4c_dtype dt;
    int64_t rows;                   /* batch rows */
    int64_t units;                  /* values per gate */
    const dl4c_activation *act;     /* candidate (and LSTM cell) activation */
    const dl4c_activation *rec_act; /* gate activation (LSTM, GRU) */
    bool reset_after;               /* GRU: reset gate after the matmul */
    bool zero_output;               /* masked rows output zeros */
    const void *mask;               /* mask[r * mask_stride] == 0: masked */
    int64_t mask_stride;

    /* gates [rows, G*units]: forward in = pre-activations, out =
     * activations; backward in = activations, out = gradient of the
     * pre-activations (of the input side, for GRU reset_after) */
    dl4c_rnn_mat z;
    /* copy of the pre-activations, kept when an activation is not one
     * whose derivative follows from its output (dl4c_rnn_act_from_output);
     * data NULL otherwise */
    dl4c_rnn_mat zpre;
    /* GRU reset_after: h_prev R [rows, 3*units] from the caller's GEMM;
     * the kernel adds rbias and keeps the candidate part for backward,
     * which overwrites it with the gradient of the recurrent side */
    dl4c_rnn_mat hr;
    const void *rbias; /* [3*units] or NULL */
    /* GRU reset_before: r * hd_prev [rows, units], the operand of the
     * candidate's recurrent GEMM (forward phase 0 writes it) */
    dl4c_rnn_mat rh;

    dl4c_rnn_mat h_prev, h;     /* state before / after the step */
    dl4c_rnn_mat hd_prev, hd;   /* the same times rmask (recurrent dropout),
                                   the recurrent GEMM's operand; hd optional */
    const void *rmask;          /* [rows, units] keep/scale, or NULL */
    dl4c_rnn_mat c_prev, c, ac; /* LSTM cell before/after, act(c) */
    dl4c_rnn_mat y, y_prev;     /* output; y_prev NULL: zeros; may alias */

    /* backward only: dy (NULL: no gradient at this step's output), and
     * [rows, units] contiguous carries. gh: gradient of h not through
     * rmask, in for h, out for h_prev. ghr: gradient of hd from the
     * caller's GEMM, consumed; GRU reset_before phase 0 writes the part
     * of hd_prev's gradient that goes through r * hd_prev. gc: cell
     * gradient. gy: gradient of the output carried to the previous step
     * by masked rows. tmp: [rows, (G+1)*units] scratch. drh: GRU
     * reset_before, gradient of rh from the caller's GEMM. */
    dl4c_rnn_mat dy;
    void *gh, *ghr, *gc, *gy;
    dl4c_rnn_mat tmp, drh;
} dl4c_rnn_step;

typedef enum dl4c_merge_mode {
    DL4C_MERGE_CONCAT = 0,
    DL4C_MERGE_SUM,
    DL4C_MERGE_MUL,
    DL4C_MERGE_AVE,
    DL4C_MERGE_NONE, /* two outputs */
    DL4C_MERGE_COUNT
} dl4c_merge_mode;

struct dl4c_backend_rnn {
    /* one step forward / backward over all rows */
    void (*simple_forward)(const dl4c_rnn_step *s);
    void (*simple_backward)(const dl4c_rnn_step *s);
    void (*lstm_forward)(const dl4c_rnn_step *s);
    void (*lstm_backward)(const dl4c_rnn_step *s);
    /* GRU: reset_after runs phase 0 only. reset_before runs phase 0 (z, r,
     * rh = r * hd_prev), then the caller adds rh R_h to the candidate's
     * pre-activation, then phase 1 (candidate, new state); backward runs
     * phase 1, the caller's GEMM drh = dz_h R_h^T, then phase 0 */
    void (*gru_forward)(const dl4c_rnn_step *s, int phase);
    void (*gru_backward)(const dl4c_rnn_step *s, int phase);

    /* Runs fn(ctx, r0, r1) over row blocks covering [0, rows), each of at
     * least min_rows rows (one block when rows is smaller), in parallel;
     * backend calls made inside fn run on the calling thread. Rows of a
     * recurrent layer are independent, so a whole sequence runs without
     * synchronizing per step. A device backend may call fn once. */
    void (*split_rows)(int64_t rows, int64_t min_rows,
                       void (*fn)(void *ctx, int64_t r0, int64_t r1),
                       void *ctx);

    /* dst[r][c] = src[r][c] (fill: dst = value) over rows x cols with
     * leading dims */
    void (*copy_rows)(dl4c_dtype dt, int64_t rows, int64_t cols,
                      const void *src, int64_t lds, void *dst, int64_t ldd);
    void (*fill_rows)(dl4c_dtype dt, int64_t rows, int64_t cols, double value,
                      void *dst, int64_t ldd);

    /* Bidirectional: a and b are [n, steps, inner, cols]; b is read at step
     * steps-1-t when `reverse`. out = a op b ([n, steps, inner, 2*cols]
     * for CONCAT); backward gives da, db (db reversed back when
     * `reverse`); MUL reads a and b. */
    void (*merge)(dl4c_dtype dt, dl4c_merge_mode mode, int64_t n, int64_t steps,
                  int64_t inner, int64_t cols, bool reverse, const void *a,
                  const void *b, void *out);
    void (*merge_backward)(dl4c_dtype dt, dl4c_merge_mode mode, int64_t n,
                           int64_t steps, int64_t inner, int64_t cols,
                           bool reverse, const void *a, const void *b,
                           const void *dout, void *da, void *db);

    /* out[i] = W[idx[i]] ([n] indices as values of dt, W [rows, cols]);
     * an index outside [0, rows) gives a zero row. backward: dW = sum of
     * dout rows per index (dW zeroed first; out-of-range ones dropped) */
    void (*embedding)(dl4c_dtype dt, int64_t n, const void *idx, int64_t rows,
                      int64_t cols, const void *w, void *out);
    void (*embedding_backward)(dl4c_dtype dt, int64_t n, const void *idx,
                               int64_t rows, int64_t cols, const void *dout,
                               void *dw);

    /* mask[r] = 1 when any x[r][c] != value, else 0 */
    void (*value_mask)(dl4c_dtype dt, int64_t rows, int64_t cols, double value,
                       const void *x, void *mask);
    /* y[r] = mask[r] != 0 ? x[r] : 0 over rows x cols (y may be x) */
    void (*mask_rows)(dl4c_dtype dt, int64_t rows, int64_t cols,
                      const void *mask, const void *x, void *y);
};

/* The CPU implementation (src/core/cpu/cpu_rnn*.c). */
extern const struct dl4c_backend_rnn dl4c_cpu_rnn_ops;

/* True for activations the step kernels differentiate from their output
 * alone (identity, sigmoid, tanh, hard sigmoid, relu); others need the
 * pre-activations kept in `zpre`. */
static inline bool dl4c_rnn_act_from_output(const dl4c_activation *a)
{
    return a->id == DL4C_ACT_IDENTITY || a->id == DL4C_ACT_SIGMOID ||
           a->id == DL4C_ACT_TANH || a->id == DL4C_ACT_HARDSIGMOID ||
           a->id == DL4C_ACT_RELU;
}

#endif
