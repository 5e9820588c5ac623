/* Keras import of SimpleRNN, LSTM and GRU: config keys of Keras 1
 * (output_dim, inner_activation, dropout_W/U, forget_bias_init), Keras 2
 * and Keras 3, CuDNNLSTM/CuDNNGRU (fixed tanh/sigmoid, biases for both
 * sides), and the weight layouts: fused kernels as Keras 2/3 store them,
 * and Keras 1's separate per-gate arrays in its file order (LSTM: i, c,
 * f, o; GRU: z, r, h; each W, U, b). */
#include <stdio.h>
#include <string.h>

#include "core/error_internal.h"
#include "nn/layers/rnn_common.h"

dl4c_status dl4c_keras_activation_json(const dl4c_keras_ctx *k, const json_t *v,
                                       json_t **out)
{
    const char *name = NULL;
    *out = NULL;
    if (!v || json_is_null(v))
        name = "linear";
    else if (json_is_string(v))
        name = json_string_value(v);
    else if (json_is_object(v) && json_is_string(json_object_get(v, "config")))
        name = json_string_value(json_object_get(v, "config"));
    if (!name)
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s: unsupported activation (not a name)",
                              k->where);
    dl4c_activation a;
    if (dl4c_activation_parse(name, &a) != DL4C_OK)
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s: unsupported activation '%s'", k->where,
                              name);
    if (a.id == DL4C_ACT_HARDSIGMOID && k->major >= 3) {
        a.alpha = 1.0 / 6.0;
        a.beta = 0.5;
    }
    *out = dl4c_cfg_activation_json(&a);
    return *out ? DL4C_OK : dl4c_error_set(DL4C_NOMEM, "out of memory");
}

dl4c_status dl4c_keras_copy_bool(const dl4c_keras_ctx *k, const json_t *kcfg,
                                 const char *kkey, json_t *out, const char *key)
{
    json_t *v = json_object_get(kcfg, kkey);
    if (!v)
        return DL4C_OK;
    if (!json_is_boolean(v))
        return dl4c_error_set(DL4C_FORMAT, "%s: '%s' must be true or false",
                              k->where, kkey);
    return dl4c_cfg_set(out, key, json_boolean(json_is_true(v)));
}

/* the first of two Keras spellings of a number key */
static dl4c_status copy_number(const dl4c_keras_ctx *k, const json_t *kcfg,
                               const char *k2, const char *k1, json_t *out,
                               const char *key)
{
    json_t *v = json_object_get(kcfg, k2);
    const char *name = k2;
    if (!v && k1) {
        v = json_object_get(kcfg, k1);
        name = k1;
    }
    if (!v)
        return DL4C_OK;
    if (!json_is_number(v))
        return dl4c_error_set(DL4C_FORMAT, "%s: '%s' must be a number",
                              k->where, name);
    return dl4c_cfg_set(out, key, json_real(json_number_value(v)));
}

static dl4c_status copy_activation(const dl4c_keras_ctx *k, const json_t *kcfg,
                                   const char *k2, const char *k1, json_t *out,
                                   const char *key)
{
    json_t *v = json_object_get(kcfg, k2);
    if (!v && k1)
        v = json_object_get(kcfg, k1);
    if (!v)
        return DL4C_OK;
    json_t *a = NULL;
    DL4C_RETURN_IF(dl4c_keras_activation_json(k, v, &a));
    return dl4c_cfg_set(out, key, a);
}

dl4c_status dl4c_rnn_from_keras(const dl4c_keras_ctx *k, const json_t *kc,
                                json_t *out, dl4c_rnn_kind kind)
{
    json_t *units = json_object_get(kc, "units");
    if (!units)
        units = json_object_get(kc, "output_dim");
    if (!json_is_integer(units) || json_integer_value(units) < 1)
        return dl4c_error_set(
            DL4C_FORMAT, "%s: 'units' must be a positive integer", k->where);
    if (json_is_true(json_object_get(kc, "time_major")))
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s: time_major inputs are not supported "
                              "(dl4c sequences are [batch, time, features])",
                              k->where);
    DL4C_RETURN_IF(
        dl4c_cfg_set(out, "units", json_integer(json_integer_value(units))));
    /* CuDNNLSTM / CuDNNGRU have no activation keys: tanh and sigmoid */
    bool cudnn = kind != DL4C_RNN_SIMPLE && !json_object_get(kc, "activation");
    if (cudnn) {
        DL4C_RETURN_IF(dl4c_cfg_set(out, "activation", json_string("tanh")));
        DL4C_RETURN_IF(
            dl4c_cfg_set(out, "recurrent_activation", json_string("sigmoid")));
    } else {
        DL4C_RETURN_IF(
            copy_activation(k, kc, "activation", NULL, out, "activation"));
        if (kind != DL4C_RNN_SIMPLE)
            DL4C_RETURN_IF(copy_activation(k, kc, "recurrent_activation",
                                           "inner_activation", out,
                                           "recurrent_activation"));
    }
    static const char *const bools[] = {"use_bias",     "return_sequences",
                                        "return_state", "go_backwards",
                                        "stateful",     "zero_output_for_mask"};
    for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++)
        DL4C_RETURN_IF(dl4c_keras_copy_bool(k, kc, bools[i], out, bools[i]));
    DL4C_RETURN_IF(copy_number(k, kc, "dropout", "dropout_W", out, "dropout"));
    DL4C_RETURN_IF(copy_number(k, kc, "recurrent_dropout", "dropout_U", out,
                               "recurrent_dropout"));
    if (kind == DL4C_RNN_LSTM) {
        json_t *fb = json_object_get(kc, "forget_bias_init");
        if (json_is_string(fb))
            DL4C_RETURN_IF(dl4c_cfg_set(
                out, "unit_forget_bias",
                json_boolean(!strcmp(json_string_value(fb), "one"))));
        DL4C_RETURN_IF(dl4c_keras_copy_bool(k, kc, "unit_forget_bias", out,
                                            "unit_forget_bias"));
    }
    if (kind == DL4C_RNN_GRU) {
        /* absent in Keras 1 and early Keras 2, whose GRU resets before */
        if (!json_object_get(kc, "reset_after"))
            DL4C_RETURN_IF(
                dl4c_cfg_set(out, "reset_after", json_boolean(cudnn)));
        DL4C_RETURN_IF(
            dl4c_keras_copy_bool(k, kc, "reset_after", out, "reset_after"));
    }
    return DL4C_OK;
}

/* ---- weights ---- */

static char *dims_text(const dl4c_tensor *t, char *buf, size_t cap)
{
    dl4c_shape s = dl4c_shape_of(t);
    return dl4c_shape_format(&s, buf, cap);
}

static bool is_2d(const dl4c_tensor *t, int64_t rows, int64_t cols)
{
    return t->ndim == 2 && t->shape[0] == rows && t->shape[1] == cols;
}

static dl4c_status bad_weight(const dl4c_keras_ctx *k, const char *what,
                              const dl4c_tensor *t, const char *want)
{
    char got[96];
    return dl4c_error_set(DL4C_SHAPE, "%s: %s has shape %s, expected %s",
                          k->where, what, dims_text(t, got, sizeof got), want);
}

/* dst[r][col0 + c] = src[r][c] for a [rows, cols] source (a vector is one
 * row) and a destination with dcols columns */
static void put_block(const dl4c_tensor *src, dl4c_tensor *dst, int64_t rows,
                      int64_t cols, int64_t dcols, int64_t col0)
{
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++)
            dl4c_tensor_set(dst, r * dcols + col0 + c,
                            dl4c_tensor_get(src, r * cols + c));
}

/* the fused layout: kernel, recurrent kernel, bias */
static dl4c_status fused_weights(const dl4c_keras_ctx *k, const dl4c_layer *l,
                                 int n, const dl4c_tensor *const *w,
                                 dl4c_tensor *const *params)
{
    const dl4c_rnn_cfg *c = l->cfg;
    const int64_t F = c->features, U = c->units, GU = c->gates * U;
    char want[96];
    if (!is_2d(w[0], F, GU)) {
        snprintf(want, sizeof want, "[%lld, %lld]", (long long)F,
                 (long long)GU);
        return bad_weight(k, "kernel", w[0], want);
    }
    if (!is_2d(w[1], U, GU)) {
        snprintf(want, sizeof want, "[%lld, %lld]", (long long)U,
                 (long long)GU);
        return bad_weight(k, "recurrent kernel", w[1], want);
    }
    put_block(w[0], params[0], F, GU, GU, 0);
    put_block(w[1], params[1], U, GU, GU, 0);
    if (n < 3)
        return DL4C_OK;
    const dl4c_tensor *b = w[2];
    int64_t want_size = params[2]->size;
    if (b->size == want_size) {
        put_block(b, params[2], 1, want_size, want_size, 0);
    } else if (c->kind == DL4C_RNN_LSTM && b->size == 2 * GU) {
        /* CuDNNLSTM: input and recurrent biases, which only add up */
        for (int64_t j = 0; j < GU; j++)
            dl4c_tensor_set(params[2], j,
                            dl4c_tensor_get(b, j) + dl4c_tensor_get(b, GU + j));
    } else {
        snprintf(want, sizeof want, "%lld values%s", (long long)want_size,
                 c->kind == DL4C_RNN_GRU
                     ? (c->reset_after ? " (reset_after: [2, 3*units])"
                                       : " (reset_after false: [3*units])")
                     : "");
        return bad_weight(k, "bias", b, want);
    }
    return DL4C_OK;
}

/* Keras 1's per-gate arrays: for each gate in file order W [F, U],
 * U [U, U], b [U]; `block[g]` is the file gate's place in Keras 2's
 * fused order */
static dl4c_status per_gate_weights(const dl4c_keras_ctx *k,
                                    const dl4c_layer *l,
                                    const dl4c_tensor *const *w,
                                    dl4c_tensor *const *params,
                                    const int *block)
{
    const dl4c_rnn_cfg *c = l->cfg;
    const int64_t F = c->features, U = c->units, GU = c->gates * U;
    char want[96];
    for (int g = 0; g < c->gates; g++) {
        const dl4c_tensor *wg = w[3 * g], *ug = w[3 * g + 1],
                          *bg = w[3 * g + 2];
        int64_t col = block[g] * U;
        if (!is_2d(wg, F, U)) {
            snprintf(want, sizeof want, "[%lld, %lld]", (long long)F,
                     (long long)U);
            return bad_weight(k, "a gate's W", wg, want);
        }
        if (!is_2d(ug, U, U)) {
            snprintf(want, sizeof want, "[%lld, %lld]", (long long)U,
                     (long long)U);
            return bad_weight(k, "a gate's U", ug, want);
        }
        if (bg->size != U) {
            snprintf(want, sizeof want, "[%lld]", (long long)U);
            return bad_weight(k, "a gate's b", bg, want);
        }
        put_block(wg, params[0], F, U, GU, col);
        put_block(ug, params[1], U, U, GU, col);
        put_block(bg, params[2], 1, U, GU, col);
    }
    return DL4C_OK;
}

dl4c_status dl4c_rnn_keras_weights(const dl4c_keras_ctx *k, const dl4c_layer *l,
                                   int n, const dl4c_tensor *const *w,
                                   dl4c_tensor *const *params)
{
    const dl4c_rnn_cfg *c = l->cfg;
    static const int lstm_k1[4] = {0, 2, 1, 3}; /* file i, c, f, o */
    static const int gru_k1[3] = {0, 1, 2};     /* file z, r, h */
    if (n == l->n_params)
        return fused_weights(k, l, n, w, params);
    if (c->use_bias && n == 3 * c->gates && c->kind != DL4C_RNN_SIMPLE) {
        if (c->kind == DL4C_RNN_GRU && c->reset_after)
            return dl4c_error_set(DL4C_SHAPE,
                                  "%s: per-gate GRU weights (Keras 1) need "
                                  "reset_after false",
                                  k->where);
        return per_gate_weights(k, l, w, params,
                                c->kind == DL4C_RNN_LSTM ? lstm_k1 : gru_k1);
    }
    return dl4c_error_set(DL4C_SHAPE,
                          "%s: expected %d weight arrays (kernel, recurrent "
                          "kernel%s), got %d",
                          k->where, l->n_params, c->use_bias ? ", bias" : "",
                          n);
}
