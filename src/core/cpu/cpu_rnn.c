/* CPU recurrent step kernels (SimpleRNN, LSTM, GRU), instantiated for float
 * and double from cpu_rnn_impl.inc, and the family's table. Sigmoid and
 * tanh dominate the gate math, so the float kernels use an exp that the
 * compiler vectorizes (Cephes' polynomial, within 2 ulp over the clamped
 * range) instead of libm's scalar call; double keeps libm for gradient
 * checks. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include "core/cpu/cpu_rnn_decls.inc"

/* e^x for x clamped to [-87, 88]: x = n ln2 + r, e^r by a degree-6
 * polynomial, 2^n through the exponent bits. */
static inline float fast_expf(float x)
{
    x = x > 88.0f ? 88.0f : x;
    x = x < -87.0f ? -87.0f : x;
    /* round x*log2(e) to the nearest integer with the 1.5*2^23 trick */
    float fn = x * 1.44269504088896341f + 12582912.0f;
    fn -= 12582912.0f;
    float r = x - fn * 0.693359375f;
    r = r + fn * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * r * r + r + 1.0f;
    int32_t bits = ((int32_t)fn + 127) * (1 << 23);
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

/* tanh: an odd polynomial near zero (Cephes), 1 - 2/(e^2|x| + 1) beyond;
 * both are computed so the loop stays branch-free. */
static inline float fast_tanhf(float x)
{
    float a = x < 0 ? -x : x;
    float z = x * x;
    float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z -
                     5.37397155531e-2f) *
                        z +
                    1.33314422036e-1f) *
                       z -
                   3.33332819422e-1f) *
                      z * x +
                  x;
    float e = fast_expf(a > 44.0f ? 88.0f : 2.0f * a);
    float big = 1.0f - 2.0f / (e + 1.0f);
    big = x < 0 ? -big : big;
    return a < 0.625f ? small : big;
}

#define T float
#define FN(name) name##_f32
#define DT DL4C_F32
#define EXP fast_expf
#define TANH fast_tanhf
#include "core/cpu/cpu_rnn_impl.inc"
#undef T
#undef FN
#undef DT
#undef EXP
#undef TANH

#define T double
#define FN(name) name##_f64
#define DT DL4C_F64
#define EXP exp
#define TANH tanh
#include "core/cpu/cpu_rnn_impl.inc"
#undef T
#undef FN
#undef DT
#undef EXP
#undef TANH

static void simple_forward(const dl4c_rnn_step *s)
{
    if (s->dt == DL4C_F32)
        simple_fwd_f32(s);
    else
        simple_fwd_f64(s);
}

static void simple_backward(const dl4c_rnn_step *s)
{
    if (s->dt == DL4C_F32)
        simple_bwd_f32(s);
    else
        simple_bwd_f64(s);
}

static void lstm_forward(const dl4c_rnn_step *s)
{
    if (s->dt == DL4C_F32)
        lstm_fwd_f32(s);
    else
        lstm_fwd_f64(s);
}

static void lstm_backward(const dl4c_rnn_step *s)
{
    if (s->dt == DL4C_F32)
        lstm_bwd_f32(s);
    else
        lstm_bwd_f64(s);
}

static void gru_forward(const dl4c_rnn_step *s, int phase)
{
    if (s->dt == DL4C_F32)
        gru_fwd_f32(s, phase);
    else
        gru_fwd_f64(s, phase);
}

static void gru_backward(const dl4c_rnn_step *s, int phase)
{
    if (s->dt == DL4C_F32)
        gru_bwd_f32(s, phase);
    else
        gru_bwd_f64(s, phase);
}

/* One block per thread. The team always has every thread, even when
 * there is one block, so that the GEMMs and kernels inside run on their
 * block's thread (OpenBLAS and dl4c's nested loops go single-threaded
 * inside a parallel region): a sequence then costs no synchronization
 * per step, which matters most when other processes share the cores. */
static void split_rows(int64_t rows, int64_t min_rows,
                       void (*fn)(void *ctx, int64_t r0, int64_t r1), void *ctx)
{
    int threads = omp_get_max_threads();
    int64_t blocks = min_rows > 0 ? rows / min_rows : rows;
    blocks = blocks < 1 ? 1 : (blocks > threads ? threads : blocks);
    if (threads == 1 || omp_in_parallel()) {
        fn(ctx, 0, rows);
        return;
    }
#pragma omp parallel num_threads(threads)
    {
        int64_t b = omp_get_thread_num();
        if (b < blocks)
            fn(ctx, rows * b / blocks, rows * (b + 1) / blocks);
    }
}

const struct dl4c_backend_rnn dl4c_cpu_rnn_ops = {
    .split_rows = split_rows,
    .simple_forward = simple_forward,
    .simple_backward = simple_backward,
    .lstm_forward = lstm_forward,
    .lstm_backward = lstm_backward,
    .gru_forward = gru_forward,
    .gru_backward = gru_backward,
    .copy_rows = dl4c_cpu_rnn_copy_rows,
    .fill_rows = dl4c_cpu_rnn_fill_rows,
    .merge = dl4c_cpu_rnn_merge,
    .merge_backward = dl4c_cpu_rnn_merge_backward,
    .embedding = dl4c_cpu_rnn_embedding,
    .embedding_backward = dl4c_cpu_rnn_embedding_backward,
    .value_mask = dl4c_cpu_rnn_value_mask,
    .mask_rows = dl4c_cpu_rnn_mask_rows,
};
