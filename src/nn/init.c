/* Weight initialization schemes (definitions in include/dl4c/init.h).
 * Every random scheme draws from the caller's rng in a fixed order (element
 * order of the tensor; ORTHOGONAL: column by column of its tall matrix), so
 * a seed gives the same weights on every build and thread count. */
#include <math.h>
#include <stddef.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "core/names_internal.h"
#include "core/tensor_internal.h"
#include "dl4c/init.h"

static const char *const names[] = {
    "xavier",       "xavier_uniform", "relu",   "relu_uniform",
    "lecun_normal", "lecun_uniform",  "zero",   "ones",
    "constant",     "uniform",        "normal", "truncated_normal",
    "orthogonal",   "identity",
};
_Static_assert(sizeof(names) / sizeof(names[0]) == DL4C_INIT_COUNT,
               "every init scheme needs a name");

/* Keras names map to the scheme with the same variance. Keras'
 * glorot_normal and he_normal draw a truncated normal rescaled by
 * 1/0.87962566103423978 so its variance is the nominal one; they map to
 * the plain normal XAVIER and RELU, which have that variance too. Keras'
 * random_uniform and random_normal carry their default parameters;
 * "truncated_normal" is dl4c's scheme (fan-based unless a and b are set),
 * so an importer passes Keras' mean and stddev explicitly. Matching ignores
 * case and underscores, so class names ("GlorotUniform") work as well. */
static const struct {
    const char *name;
    dl4c_init_id id;
    double a, b;
} aliases[] = {
    {"glorot_normal", DL4C_INIT_XAVIER, 0, 0},
    {"glorot_uniform", DL4C_INIT_XAVIER_UNIFORM, 0, 0},
    {"he_normal", DL4C_INIT_RELU, 0, 0},
    {"he_uniform", DL4C_INIT_RELU_UNIFORM, 0, 0},
    {"zeros", DL4C_INIT_ZERO, 0, 0},
    {"one", DL4C_INIT_ONES, 0, 0},
    {"random_uniform", DL4C_INIT_UNIFORM, -0.05, 0.05},
    {"random_normal", DL4C_INIT_NORMAL, 0.0, 0.05},
};

dl4c_init dl4c_init_default(dl4c_init_id id)
{
    dl4c_init init = {.id = id, .a = 0.0, .b = 0.0};
    if (id == DL4C_INIT_ORTHOGONAL || id == DL4C_INIT_IDENTITY)
        init.a = 1.0; /* gain */
    return init;
}

dl4c_status dl4c_init_parse(const char *name, dl4c_init *out)
{
    if (!out)
        return dl4c_error_set(DL4C_INVALID_ARG, "init: out is NULL");
    if (!name)
        return dl4c_error_set(DL4C_INVALID_ARG, "init name is NULL");
    for (int i = 0; i < DL4C_INIT_COUNT; i++)
        if (dl4c_name_equal(name, names[i])) {
            *out = dl4c_init_default((dl4c_init_id)i);
            return DL4C_OK;
        }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (dl4c_name_equal(name, aliases[i].name)) {
            *out = dl4c_init_default(aliases[i].id);
            if (aliases[i].a != 0 || aliases[i].b != 0) {
                out->a = aliases[i].a;
                out->b = aliases[i].b;
            }
            return DL4C_OK;
        }
    return dl4c_error_set(DL4C_INVALID_ARG, "unknown weight init '%s'", name);
}

const char *dl4c_init_name(dl4c_init_id id)
{
    return (unsigned)id < DL4C_INIT_COUNT ? names[id] : "invalid";
}

/* Copies w->size doubles into w (converted to its dtype) through its
 * backend. */
static dl4c_status store(dl4c_tensor *w, const double *v)
{
    dl4c_status status = DL4C_OK;
    float *f = NULL;
    const void *src = v;
    if (w->dtype == DL4C_F32) {
        f = dl4c_malloc((size_t)w->size * sizeof *f);
        if (!f)
            DL4C_NOMEM_FAIL();
        for (int64_t i = 0; i < w->size; i++)
            f[i] = (float)v[i];
        src = f;
    }
    w->backend->from_host(w->data, src,
                          (size_t)w->size * dl4c_dtype_size(w->dtype));
fail:
    dl4c_free(f);
    return status;
}

/* gain on the diagonal of a square matrix, zero elsewhere */
static void fill_identity(dl4c_tensor *w, double gain)
{
    size_t es = dl4c_dtype_size(w->dtype);
    float f = (float)gain;
    const void *v =
        w->dtype == DL4C_F32 ? (const void *)&f : (const void *)&gain;
    w->backend->fill(w->dtype, w->size, 0.0, w->data);
    for (int64_t i = 0; i < w->shape[0]; i++)
        w->backend->from_host(
            (char *)w->data + (size_t)(i * w->shape[0] + i) * es, v, es);
}

/* Gain times a matrix with orthonormal columns (rows >= cols) or rows
 * (rows < cols). The tall matrix is drawn N(0, 1) column by column and
 * orthonormalized by modified Gram-Schmidt, run twice per column so the
 * result stays orthogonal to rounding level; its R has a positive
 * diagonal, which makes the result uniformly (Haar) distributed as
 * NumPy's QR with the sign fix that Keras applies does. */
static dl4c_status fill_orthogonal(dl4c_tensor *w, double gain, dl4c_rng *rng)
{
    dl4c_status status = DL4C_OK;
    int64_t rows = dl4c_tensor_rows(w), cols = dl4c_tensor_cols(w);
    bool wide = rows < cols;
    int64_t m = wide ? cols : rows; /* tall matrix: m x k, m >= k */
    int64_t k = wide ? rows : cols;
    double *q = dl4c_malloc((size_t)(m * k) * sizeof *q); /* column-major */
    double *out = dl4c_malloc((size_t)(m * k) * sizeof *out);
    if (!q || !out)
        DL4C_NOMEM_FAIL();
    for (int64_t i = 0; i < m * k; i++)
        q[i] = dl4c_rng_normal(rng);
    for (int64_t j = 0; j < k; j++) {
        double *qj = q + j * m;
        for (int pass = 0; pass < 2; pass++)
            for (int64_t p = 0; p < j; p++) {
                const double *qp = q + p * m;
                double r = 0;
                for (int64_t i = 0; i < m; i++)
                    r += qp[i] * qj[i];
                for (int64_t i = 0; i < m; i++)
                    qj[i] -= r * qp[i];
            }
        double norm = 0;
        for (int64_t i = 0; i < m; i++)
            norm += qj[i] * qj[i];
        norm = sqrt(norm);
        /* a Gaussian matrix has full rank with probability one */
        DL4C_CHECK(norm > 1e-12, DL4C_INTERNAL,
                   "orthogonal init: random matrix is rank deficient");
        for (int64_t i = 0; i < m; i++)
            qj[i] /= norm;
    }
    /* tall: W[i][j] = Q[i][j]; wide: W = Q^T, W[j][i] = Q[i][j] */
    for (int64_t j = 0; j < k; j++)
        for (int64_t i = 0; i < m; i++) {
            double v = gain * q[j * m + i];
            if (wide)
                out[j * m + i] = v;
            else
                out[i * k + j] = v;
        }
    DL4C_TRY(store(w, out));
fail:
    dl4c_free(q);
    dl4c_free(out);
    return status;
}

dl4c_status dl4c_init_fill(const dl4c_init *init, dl4c_tensor *w,
                           int64_t fan_in, int64_t fan_out, dl4c_rng *rng)
{
    if (!init || !w)
        return dl4c_error_set(DL4C_INVALID_ARG, "init: %s is NULL",
                              init ? "tensor" : "scheme");
    if ((unsigned)init->id >= DL4C_INIT_COUNT)
        return dl4c_error_set(DL4C_INVALID_ARG, "unknown init id %d",
                              (int)init->id);
    const char *name = dl4c_init_name(init->id);
    if (fan_in < 1 || fan_out < 0)
        return dl4c_error_set(DL4C_INVALID_ARG,
                              "init %s: fan_in %lld / fan_out %lld, need "
                              "fan_in >= 1 and fan_out >= 0",
                              name, (long long)fan_in, (long long)fan_out);
    bool random =
        !(init->id == DL4C_INIT_ZERO || init->id == DL4C_INIT_ONES ||
          init->id == DL4C_INIT_CONSTANT || init->id == DL4C_INIT_IDENTITY);
    if (random && !rng)
        return dl4c_error_set(DL4C_INVALID_ARG, "init %s: rng is NULL", name);
    double fi = (double)fan_in, fsum = (double)(fan_in + fan_out);
    double s;
    switch (init->id) {
    case DL4C_INIT_XAVIER:
        dl4c_rng_fill_normal(rng, w, 0.0, sqrt(2.0 / fsum));
        break;
    case DL4C_INIT_XAVIER_UNIFORM:
        s = sqrt(6.0 / fsum);
        dl4c_rng_fill_uniform(rng, w, -s, s);
        break;
    case DL4C_INIT_RELU:
        dl4c_rng_fill_normal(rng, w, 0.0, sqrt(2.0 / fi));
        break;
    case DL4C_INIT_RELU_UNIFORM:
        s = sqrt(6.0 / fi);
        dl4c_rng_fill_uniform(rng, w, -s, s);
        break;
    case DL4C_INIT_LECUN_NORMAL:
        dl4c_rng_fill_normal(rng, w, 0.0, sqrt(1.0 / fi));
        break;
    case DL4C_INIT_LECUN_UNIFORM:
        s = sqrt(3.0 / fi);
        dl4c_rng_fill_uniform(rng, w, -s, s);
        break;
    case DL4C_INIT_ZERO:
        w->backend->fill(w->dtype, w->size, 0.0, w->data);
        break;
    case DL4C_INIT_ONES:
        w->backend->fill(w->dtype, w->size, 1.0, w->data);
        break;
    case DL4C_INIT_CONSTANT:
        w->backend->fill(w->dtype, w->size, init->a, w->data);
        break;
    case DL4C_INIT_UNIFORM:
        if (init->a < init->b) {
            dl4c_rng_fill_uniform(rng, w, init->a, init->b);
        } else {
            s = 1.0 / sqrt(fi);
            dl4c_rng_fill_uniform(rng, w, -s, s);
        }
        break;
    case DL4C_INIT_NORMAL:
        if (init->b > 0)
            dl4c_rng_fill_normal(rng, w, init->a, init->b);
        else
            dl4c_rng_fill_normal(rng, w, 0.0, 1.0 / sqrt(fi));
        break;
    case DL4C_INIT_TRUNCATED_NORMAL:
        if (init->b > 0)
            dl4c_rng_fill_truncated_normal(rng, w, init->a, init->b);
        else
            dl4c_rng_fill_truncated_normal(rng, w, 0.0, 1.0 / sqrt(fi));
        break;
    case DL4C_INIT_ORTHOGONAL:
        return fill_orthogonal(w, init->a, rng);
    case DL4C_INIT_IDENTITY:
        if (w->ndim != 2 || w->shape[0] != w->shape[1]) {
            char buf[128];
            dl4c_shape sh = dl4c_shape_of(w);
            return dl4c_error_set(DL4C_SHAPE,
                                  "init identity: tensor %s is not a square "
                                  "matrix",
                                  dl4c_shape_format(&sh, buf, sizeof buf));
        }
        fill_identity(w, init->a);
        break;
    default:
        break;
    }
    return DL4C_OK;
}
