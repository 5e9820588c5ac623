// labels: unit badinput
/* The convolution layers against direct loops written from the Keras /
 * TensorFlow definitions (output sizes, SAME and causal padding, dilation,
 * groups, transposed output_padding, depthwise channel order, locally
 * connected weight layout), the chunked im2col path against the one that
 * keeps every column, Keras' parameter counts and output shapes in the
 * summary, and the Keras import hooks. Gradients are checked by
 * test_layers through the layers' example configs. */
#include <string.h>

#include <jansson.h>

#include "nn/layer_internal.h"
#include "nn/net_internal.h"
#include "test.h"

static dl4c_rng rng;

typedef struct conv_case {
    const char *type;
    int rank;
    int64_t in[4]; /* spatial dims then channels */
    int64_t filters, kernel[3], strides[3], dilation[3];
    const char *padding;
    int64_t groups, dm;
    int64_t output_padding[3]; /* -1: none */
} conv_case;

enum { PLAIN, TRANSPOSE, DEPTHWISE, SEPARABLE, LOCAL };

static int kind_of(const char *type)
{
    if (strstr(type, "Transpose"))
        return TRANSPOSE;
    if (strstr(type, "Depthwise"))
        return DEPTHWISE;
    if (strstr(type, "Separable"))
        return SEPARABLE;
    if (strstr(type, "Locally"))
        return LOCAL;
    return PLAIN;
}

/* Keras' conv_output_length / deconv_output_length and TensorFlow's
 * padding, per spatial dim, mapped to 3 dims (leading 1s). */
typedef struct ref_geom {
    int64_t in[3], out[3], k[3], s[3], d[3], pad[3];
} ref_geom;

static void ref_geometry(const conv_case *t, ref_geom *g)
{
    int r = t->rank;
    for (int d = 0; d < 3; d++)
        g->in[d] = g->out[d] = g->k[d] = g->s[d] = g->d[d] = 1, g->pad[d] = 0;
    for (int i = 0; i < r; i++) {
        int d = 3 - r + i;
        int64_t L = t->in[i], k = t->kernel[i], s = t->strides[i];
        int64_t dil = t->dilation[i], dk = (k - 1) * dil + 1;
        g->in[d] = L;
        g->k[d] = k;
        g->s[d] = s;
        g->d[d] = dil;
        bool same = !strcmp(t->padding, "same");
        if (kind_of(t->type) == TRANSPOSE) {
            int64_t O;
            if (t->output_padding[i] >= 0)
                O = (L - 1) * s + dk - 2 * (same ? dk / 2 : 0) +
                    t->output_padding[i];
            else
                O = same ? L * s : L * s + (dk - s > 0 ? dk - s : 0);
            g->out[d] = O;
            int64_t total = (L - 1) * s + dk - O;
            g->pad[d] = same && total > 0 ? total / 2 : 0;
        } else if (!strcmp(t->padding, "valid")) {
            g->out[d] = (L - dk) / s + 1;
        } else {
            g->out[d] = (L + s - 1) / s;
            int64_t total = (g->out[d] - 1) * s + dk - L;
            g->pad[d] = !strcmp(t->padding, "causal") ? dk - 1
                        : total > 0                   ? total / 2
                                                      : 0;
        }
    }
}

static char *case_config(const conv_case *t)
{
    json_t *layer =
        json_pack("{s:s, s:s}", "type", t->type, "padding", t->padding);
    json_t *ks = json_array(), *ss = json_array(), *ds = json_array(),
           *shape = json_array();
    for (int i = 0; i < t->rank; i++) {
        json_array_append_new(ks, json_integer(t->kernel[i]));
        json_array_append_new(ss, json_integer(t->strides[i]));
        json_array_append_new(ds, json_integer(t->dilation[i]));
    }
    for (int i = 0; i <= t->rank; i++)
        json_array_append_new(shape, json_integer(t->in[i]));
    json_object_set_new(layer, "name", json_string("conv"));
    json_object_set_new(layer, "kernel_size", ks);
    json_object_set_new(layer, "strides", ss);
    int kind = kind_of(t->type);
    if (kind != LOCAL)
        json_object_set_new(layer, "dilation_rate", ds);
    else
        json_decref(ds);
    if (kind != DEPTHWISE)
        json_object_set_new(layer, "filters", json_integer(t->filters));
    if (kind == PLAIN)
        json_object_set_new(layer, "groups", json_integer(t->groups));
    if (kind == DEPTHWISE || kind == SEPARABLE)
        json_object_set_new(layer, "depth_multiplier", json_integer(t->dm));
    if (kind == TRANSPOSE && t->output_padding[0] >= 0) {
        json_t *op = json_array();
        for (int i = 0; i < t->rank; i++)
            json_array_append_new(op, json_integer(t->output_padding[i]));
        json_object_set_new(layer, "output_padding", op);
    }
    json_t *root =
        json_pack("{s:i, s:[{s:s, s:o}], s:[o]}", "seed", 3, "inputs", "name",
                  "x", "shape", shape, "layers", layer);
    char *text = json_dumps(root, 0);
    json_decref(root);
    return text;
}

/* x[n][z][y][x][c] of an NDHWC array with dims g-like (d0, d1, d2, ch) */
#define AT(p, n, z, y, xx, c, D, H, W, C)                                      \
    (p)[((((n) * (D) + (z)) * (H) + (y)) * (W) + (xx)) * (C) + (c)]

/* The layer's output computed from the definitions with plain loops. */
static void reference(const conv_case *t, const ref_geom *g, int64_t N,
                      const double *x, const double *w, const double *w2,
                      const double *b, double *y)
{
    int kind = kind_of(t->type);
    int64_t C = t->in[t->rank];
    int64_t ID = g->in[0], IH = g->in[1], IW = g->in[2];
    int64_t OD = g->out[0], OH = g->out[1], OW = g->out[2];
    int64_t KD = g->k[0], KH = g->k[1], KW = g->k[2], taps = KD * KH * KW;
    int64_t F = kind == DEPTHWISE ? C * t->dm : t->filters;
    int64_t P = OD * OH * OW;
    if (kind == TRANSPOSE) {
        for (int64_t i = 0; i < N * P * F; i++)
            y[i] = b ? b[i % F] : 0;
        /* y[o] += x[i] w[k] where o = i*s - pad + k*d */
        for (int64_t n = 0; n < N; n++)
            for (int64_t iz = 0; iz < ID; iz++)
                for (int64_t iy = 0; iy < IH; iy++)
                    for (int64_t ix = 0; ix < IW; ix++)
                        for (int64_t kk = 0; kk < taps; kk++) {
                            int64_t kz = kk / (KH * KW), ky = kk / KW % KH,
                                    kx = kk % KW;
                            int64_t oz =
                                iz * g->s[0] - g->pad[0] + kz * g->d[0];
                            int64_t oy =
                                iy * g->s[1] - g->pad[1] + ky * g->d[1];
                            int64_t ox =
                                ix * g->s[2] - g->pad[2] + kx * g->d[2];
                            if (oz < 0 || oz >= OD || oy < 0 || oy >= OH ||
                                ox < 0 || ox >= OW)
                                continue;
                            for (int64_t f = 0; f < F; f++)
                                for (int64_t c = 0; c < C; c++)
                                    AT(y, n, oz, oy, ox, f, OD, OH, OW, F) +=
                                        AT(x, n, iz, iy, ix, c, ID, IH, IW, C) *
                                        w[(kk * F + f) * C + c];
                        }
        return;
    }
    int64_t mid_ch = kind == SEPARABLE ? C * t->dm : F;
    double *mid = kind == SEPARABLE
                      ? calloc((size_t)(N * P * mid_ch), sizeof(double))
                      : y;
    for (int64_t n = 0; n < N; n++)
        for (int64_t p = 0; p < P; p++) {
            int64_t oz = p / (OH * OW), oy = p / OW % OH, ox = p % OW;
            for (int64_t f = 0; f < mid_ch; f++) {
                double acc = 0;
                if (kind == PLAIN && b)
                    acc = b[f];
                if (kind == DEPTHWISE && b)
                    acc = b[f];
                if (kind == LOCAL && b)
                    acc = b[p * F + f];
                int64_t Cg = C / (kind == PLAIN ? t->groups : 1);
                int64_t Fg = F / (kind == PLAIN ? t->groups : 1);
                for (int64_t kk = 0; kk < taps; kk++) {
                    int64_t kz = kk / (KH * KW), ky = kk / KW % KH,
                            kx = kk % KW;
                    int64_t iz = oz * g->s[0] - g->pad[0] + kz * g->d[0];
                    int64_t iy = oy * g->s[1] - g->pad[1] + ky * g->d[1];
                    int64_t ix = ox * g->s[2] - g->pad[2] + kx * g->d[2];
                    if (iz < 0 || iz >= ID || iy < 0 || iy >= IH || ix < 0 ||
                        ix >= IW)
                        continue;
                    if (kind == PLAIN || kind == LOCAL) {
                        int64_t grp = f / Fg;
                        for (int64_t c = 0; c < Cg; c++) {
                            double xv = AT(x, n, iz, iy, ix, grp * Cg + c, ID,
                                           IH, IW, C);
                            acc += xv *
                                   (kind == PLAIN
                                        ? w[(kk * Cg + c) * F + f]
                                        : w[((p * taps + kk) * C + c) * F + f]);
                        }
                    } else { /* depthwise: channel f / dm */
                        int64_t c = f / t->dm;
                        acc += AT(x, n, iz, iy, ix, c, ID, IH, IW, C) *
                               w[kk * C * t->dm + f];
                    }
                }
                mid[(n * P + p) * mid_ch + f] = acc;
            }
        }
    if (kind == SEPARABLE) {
        for (int64_t r = 0; r < N * P; r++)
            for (int64_t f = 0; f < F; f++) {
                double acc = b ? b[f] : 0;
                for (int64_t j = 0; j < mid_ch; j++)
                    acc += mid[r * mid_ch + j] * w2[j * F + f];
                y[r * F + f] = acc;
            }
        free(mid);
    }
}

static void fill_random(dl4c_tensor *t)
{
    for (int64_t i = 0; t && i < dl4c_tensor_size(t); i++)
        dl4c_tensor_set(t, i, 2 * dl4c_rng_uniform(&rng) - 1);
}

static void check_case(const conv_case *t)
{
    char *cfg = case_config(t);
    dl4c_net *net = NULL;
    dl4c_tensor *x = NULL;
    dl4c_status st = dl4c_net_parse(cfg, DL4C_F64, &net);
    CHECK_MSG(st == DL4C_OK, "%s: %s", cfg, dl4c_last_error());
    if (st != DL4C_OK) {
        free(cfg);
        return;
    }
    ref_geom g;
    ref_geometry(t, &g);
    int kind = kind_of(t->type);
    int64_t N = 2, C = t->in[t->rank];
    int64_t F = kind == DEPTHWISE ? C * t->dm : t->filters;
    dl4c_shape os = dl4c_net_output_shape(net, 0);
    CHECK_MSG(os.ndim == t->rank + 1 && os.dim[t->rank] == F, "%s", cfg);
    for (int i = 0; i < t->rank; i++)
        CHECK_MSG(os.dim[i] == g.out[3 - t->rank + i],
                  "%s: output dim %d is %lld, Keras gives %lld", cfg, i,
                  (long long)os.dim[i], (long long)g.out[3 - t->rank + i]);
    int64_t dims[5] = {N};
    for (int i = 0; i <= t->rank; i++)
        dims[i + 1] = t->in[i];
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, t->rank + 2, dims, &x));
    fill_random(x);
    const char *wname = kind == SEPARABLE ? "depthwise_W" : "W";
    dl4c_tensor *w = dl4c_net_param(net, "conv", wname);
    dl4c_tensor *w2 =
        kind == SEPARABLE ? dl4c_net_param(net, "conv", "pointwise_W") : NULL;
    dl4c_tensor *b = dl4c_net_param(net, "conv", "b");
    REQUIRE(w != NULL);
    fill_random(w);
    fill_random(w2);
    fill_random(b);
    const dl4c_tensor *ins[1] = {x};
    CHECK_OK(dl4c_net_forward(net, 1, ins, false));
    const dl4c_tensor *y = dl4c_net_output(net, 0);
    int64_t n_out = N * g.out[0] * g.out[1] * g.out[2] * F;
    REQUIRE(dl4c_tensor_size(y) == n_out);
    double *want = calloc((size_t)n_out, sizeof(double));
    reference(t, &g, N, dl4c_tensor_data(x), dl4c_tensor_data(w),
              w2 ? dl4c_tensor_data(w2) : NULL, b ? dl4c_tensor_data(b) : NULL,
              want);
    double worst = 0;
    for (int64_t i = 0; i < n_out; i++)
        worst = fmax(worst, fabs(dl4c_tensor_get(y, i) - want[i]));
    CHECK_MSG(worst < 1e-10, "%s: max difference %g", cfg, worst);
    free(want);
    dl4c_tensor_free(x);
    dl4c_net_free(net);
    free(cfg);
}

#define NOOP                                                                   \
    {                                                                          \
        -1, -1, -1                                                             \
    }

static void test_forward_matches_definitions(void)
{
    dl4c_rng_seed(&rng, 11);
    static const conv_case cases[] = {
        {"Conv2D",
         2,
         {7, 6, 3},
         4,
         {3, 3},
         {1, 1},
         {1, 1},
         "valid",
         1,
         1,
         NOOP},
        {"Conv2D", 2, {7, 6, 3}, 4, {3, 2}, {2, 2}, {1, 1}, "same", 1, 1, NOOP},
        {"Conv2D", 2, {8, 7, 2}, 3, {4, 4}, {3, 2}, {1, 1}, "same", 1, 1, NOOP},
        {"Conv2D", 2, {9, 8, 2}, 3, {3, 2}, {1, 2}, {2, 3}, "same", 1, 1, NOOP},
        {"Conv2D",
         2,
         {9, 8, 2},
         3,
         {3, 3},
         {2, 1},
         {2, 2},
         "valid",
         1,
         1,
         NOOP},
        {"Conv2D", 2, {6, 6, 6}, 4, {3, 3}, {1, 1}, {1, 1}, "same", 2, 1, NOOP},
        {"Conv2D",
         2,
         {5, 5, 6},
         6,
         {2, 2},
         {2, 2},
         {1, 1},
         "valid",
         3,
         1,
         NOOP},
        {"Conv2D",
         2,
         {5, 4, 3},
         4,
         {1, 1},
         {1, 1},
         {1, 1},
         "valid",
         1,
         1,
         NOOP},
        {"Conv2D", 2, {5, 4, 3}, 4, {1, 1}, {2, 3}, {1, 1}, "same", 1, 1, NOOP},
        /* several blocks of output rows per image */
        {"Conv2D",
         2,
         {40, 40, 8},
         6,
         {3, 3},
         {1, 1},
         {1, 1},
         "same",
         2,
         1,
         NOOP},
        {"Conv2DTranspose",
         2,
         {20, 20, 8},
         6,
         {3, 3},
         {2, 2},
         {1, 1},
         "same",
         1,
         1,
         NOOP},
        {"Conv1D", 1, {9, 3}, 4, {3}, {1}, {2}, "causal", 1, 1, NOOP},
        {"Conv1D", 1, {9, 3}, 4, {4}, {2}, {1}, "causal", 1, 1, NOOP},
        {"Conv1D", 1, {9, 4}, 4, {3}, {2}, {1}, "same", 2, 1, NOOP},
        {"Conv3D",
         3,
         {4, 5, 4, 2},
         3,
         {2, 3, 2},
         {1, 2, 1},
         {1, 1, 2},
         "same",
         1,
         1,
         NOOP},
        {"Conv3D",
         3,
         {4, 5, 4, 2},
         2,
         {3, 2, 2},
         {1, 1, 1},
         {1, 1, 1},
         "valid",
         1,
         1,
         NOOP},
        {"Conv2DTranspose",
         2,
         {3, 4, 3},
         2,
         {3, 3},
         {2, 2},
         {1, 1},
         "same",
         1,
         1,
         NOOP},
        {"Conv2DTranspose",
         2,
         {3, 4, 3},
         2,
         {3, 2},
         {2, 3},
         {1, 1},
         "valid",
         1,
         1,
         NOOP},
        {"Conv2DTranspose",
         2,
         {3, 3, 2},
         2,
         {1, 1},
         {3, 2},
         {1, 1},
         "valid",
         1,
         1,
         NOOP},
        {"Conv2DTranspose",
         2,
         {3, 4, 2},
         3,
         {3, 3},
         {2, 2},
         {1, 1},
         "same",
         1,
         1,
         {1, 0}},
        {"Conv2DTranspose",
         2,
         {3, 4, 2},
         3,
         {3, 4},
         {2, 3},
         {1, 1},
         "valid",
         1,
         1,
         {1, 2}},
        {"Conv2DTranspose",
         2,
         {4, 4, 2},
         2,
         {3, 2},
         {1, 1},
         {2, 2},
         "same",
         1,
         1,
         NOOP},
        {"Conv1DTranspose", 1, {5, 3}, 2, {4}, {2}, {1}, "same", 1, 1, NOOP},
        {"Conv3DTranspose",
         3,
         {2, 3, 2, 2},
         2,
         {2, 2, 3},
         {2, 1, 2},
         {1, 1, 1},
         "same",
         1,
         1,
         NOOP},
        {"DepthwiseConv2D",
         2,
         {6, 5, 3},
         0,
         {3, 3},
         {1, 1},
         {1, 1},
         "same",
         1,
         2,
         NOOP},
        {"DepthwiseConv2D",
         2,
         {7, 6, 2},
         0,
         {2, 3},
         {2, 2},
         {2, 1},
         "valid",
         1,
         3,
         NOOP},
        {"DepthwiseConv2D",
         2,
         {5, 5, 4},
         0,
         {3, 3},
         {2, 2},
         {1, 1},
         "same",
         1,
         1,
         NOOP},
        {"DepthwiseConv1D", 1, {8, 3}, 0, {3}, {1}, {2}, "causal", 1, 2, NOOP},
        {"SeparableConv2D",
         2,
         {6, 5, 3},
         4,
         {3, 3},
         {1, 1},
         {1, 1},
         "same",
         1,
         2,
         NOOP},
        {"SeparableConv2D",
         2,
         {7, 6, 2},
         3,
         {2, 2},
         {2, 2},
         {1, 1},
         "valid",
         1,
         1,
         NOOP},
        {"SeparableConv1D", 1, {8, 3}, 2, {3}, {2}, {1}, "same", 1, 2, NOOP},
        {"LocallyConnected2D",
         2,
         {5, 6, 2},
         3,
         {3, 2},
         {1, 2},
         {1, 1},
         "valid",
         1,
         1,
         NOOP},
        {"LocallyConnected1D",
         1,
         {7, 3},
         2,
         {3},
         {2},
         {1},
         "valid",
         1,
         1,
         NOOP},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i]);
}

/* Gradients of a batch, run in blocks of output rows spread over threads
 * (kernel gradients summed per slot, then added), equal the mean of
 * single-image gradients. */
static void check_chunked(const char *layer_json, const int64_t *in_dims)
{
    char cfg[1024];
    snprintf(cfg, sizeof cfg,
             "{\"seed\": 5, \"inputs\": [{\"shape\": [%lld, %lld, %lld]}],"
             " \"layers\": [%s, {\"type\": \"Loss\", \"loss\": \"mse\"}]}",
             (long long)in_dims[0], (long long)in_dims[1],
             (long long)in_dims[2], layer_json);
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    dl4c_net_set_input_gradients(net, true);
    enum { N = 5 };
    int64_t dims[4] = {N, in_dims[0], in_dims[1], in_dims[2]};
    dl4c_shape os = dl4c_net_output_shape(net, 0);
    int64_t ydims[4] = {N, os.dim[0], os.dim[1], os.dim[2]};
    dl4c_tensor *x = NULL, *y = NULL, *g_all = NULL, *gx_all = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 4, dims, &x));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 4, ydims, &y));
    fill_random(x);
    fill_random(y);
    double score = 0;
    const dl4c_tensor *ins[1] = {x}, *labels[1] = {y};
    dl4c_net_targets tg = {.n = 1, .labels = labels};
    REQUIRE_OK(dl4c_net_compute_gradients(net, 1, ins, &tg, &score));
    REQUIRE_OK(dl4c_tensor_copy(dl4c_net_gradients(net), &g_all));
    REQUIRE_OK(dl4c_tensor_copy(dl4c_net_input_gradient(net, 0), &gx_all));
    int64_t per_x = dl4c_tensor_size(x) / N, per_y = dl4c_tensor_size(y) / N;
    int64_t np = dl4c_net_num_params(net);
    double *mean = calloc((size_t)np, sizeof(double));
    double worst_x = 0;
    for (int n = 0; n < N; n++) {
        dl4c_tensor *x1 = NULL, *y1 = NULL;
        dims[0] = ydims[0] = 1;
        REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 4, dims, &x1));
        REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 4, ydims, &y1));
        for (int64_t i = 0; i < per_x; i++)
            dl4c_tensor_set(x1, i, dl4c_tensor_get(x, n * per_x + i));
        for (int64_t i = 0; i < per_y; i++)
            dl4c_tensor_set(y1, i, dl4c_tensor_get(y, n * per_y + i));
        const dl4c_tensor *in1[1] = {x1}, *lab1[1] = {y1};
        dl4c_net_targets t1 = {.n = 1, .labels = lab1};
        CHECK_OK(dl4c_net_compute_gradients(net, 1, in1, &t1, &score));
        const dl4c_tensor *g = dl4c_net_gradients(net);
        for (int64_t i = 0; i < np; i++)
            mean[i] += dl4c_tensor_get(g, i) / N;
        /* the input gradient of a mean loss scales with 1/batch */
        const dl4c_tensor *gx = dl4c_net_input_gradient(net, 0);
        for (int64_t i = 0; i < per_x; i++)
            worst_x =
                fmax(worst_x, fabs(dl4c_tensor_get(gx, i) / N -
                                   dl4c_tensor_get(gx_all, n * per_x + i)));
        dl4c_tensor_free(x1);
        dl4c_tensor_free(y1);
        dims[0] = ydims[0] = N;
    }
    double worst = 0;
    for (int64_t i = 0; i < np; i++)
        worst = fmax(worst, fabs(mean[i] - dl4c_tensor_get(g_all, i)));
    CHECK_MSG(worst < 1e-12 && worst_x < 1e-12, "%s: %g / %g", layer_json,
              worst, worst_x);
    free(mean);
    dl4c_tensor_free(g_all);
    dl4c_tensor_free(gx_all);
    dl4c_tensor_free(x);
    dl4c_tensor_free(y);
    dl4c_net_free(net);
}

static void test_blocked_matches_single_images(void)
{
    /* float64 columns of one output row: 64 x 3*3*16 values, 73 KB, so
     * seven rows per 512 KB block and 47 blocks for 5 images */
    const int64_t big[3] = {64, 64, 16};
    check_chunked("{\"type\": \"Conv2D\", \"filters\": 4, \"kernel_size\": 3,"
                  " \"padding\": \"same\", \"activation\": \"tanh\"}",
                  big);
    check_chunked("{\"type\": \"Conv2D\", \"filters\": 4, \"kernel_size\": 3,"
                  " \"groups\": 2, \"padding\": \"same\", \"strides\": 2}",
                  big);
    const int64_t small[3] = {64, 64, 4};
    check_chunked("{\"type\": \"Conv2DTranspose\", \"filters\": 16, "
                  "\"kernel_size\": 3, \"padding\": \"same\"}",
                  small);
    /* a 2.4 MB kernel: one partial sum, blocks run one after another */
    const int64_t wide[3] = {6, 6, 64};
    check_chunked("{\"type\": \"Conv2D\", \"filters\": 512, "
                  "\"kernel_size\": 3, \"padding\": \"same\", "
                  "\"activation\": \"relu\"}",
                  wide);
    /* 1x1: one GEMM over the input itself */
    check_chunked("{\"type\": \"Conv2D\", \"filters\": 8, "
                  "\"kernel_size\": 1}",
                  small);
}

static void expect_summary(const char *layers, const char *input,
                           const char *const *want)
{
    char cfg[2048];
    snprintf(cfg, sizeof cfg,
             "{\"inputs\": [{\"shape\": %s}], \"layers\": [%s]}", input,
             layers);
    dl4c_net *net = NULL;
    char *text = NULL;
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F32, &net));
    REQUIRE_OK(dl4c_net_summary(net, &text));
    for (int i = 0; want[i]; i++)
        CHECK_MSG(strstr(text, want[i]) != NULL, "'%s' not in\n%s", want[i],
                  text);
    dl4c_free(text);
    dl4c_net_free(net);
}

/* Output shapes and parameter counts as Keras' model.summary() prints
 * them for the same layers. */
static void test_summary_matches_keras(void)
{
    expect_summary(
        "{\"type\": \"Conv2D\", \"filters\": 32, \"kernel_size\": 3}",
        "[28, 28, 1]",
        (const char *const[]){"(None, 26, 26, 32)", " 320 ",
                              "Total params: 320", NULL});
    expect_summary(
        "{\"type\": \"Conv2D\", \"filters\": 20, \"kernel_size\": 5},"
        "{\"type\": \"Conv2D\", \"filters\": 50, \"kernel_size\": 5, "
        "\"strides\": 2}",
        "[28, 28, 1]",
        (const char *const[]){"(None, 24, 24, 20)", " 520 ",
                              "(None, 10, 10, 50)", " 25050 ", NULL});
    expect_summary("{\"type\": \"Conv2DTranspose\", \"filters\": 16, "
                   "\"kernel_size\": 3, \"strides\": 2, \"padding\": "
                   "\"same\"}, {\"type\": \"Conv2DTranspose\", \"filters\": "
                   "8, \"kernel_size\": 3, \"strides\": 2}",
                   "[7, 7, 32]",
                   (const char *const[]){"(None, 14, 14, 16)", " 4624 ",
                                         "(None, 29, 29, 8)", " 1160 ", NULL});
    expect_summary("{\"type\": \"DepthwiseConv2D\", \"kernel_size\": 3, "
                   "\"depth_multiplier\": 2}, {\"type\": \"SeparableConv2D\", "
                   "\"filters\": 64, \"kernel_size\": 3}",
                   "[32, 32, 3]",
                   (const char *const[]){"(None, 30, 30, 6)", " 60 ",
                                         "(None, 28, 28, 64)", " 502 ", NULL});
    expect_summary(
        "{\"type\": \"LocallyConnected2D\", \"filters\": 64, "
        "\"kernel_size\": 3}",
        "[32, 32, 3]",
        (const char *const[]){"(None, 30, 30, 64)", " 1612800 ", NULL});
    expect_summary("{\"type\": \"Conv1D\", \"filters\": 64, \"kernel_size\": "
                   "3, \"padding\": \"causal\", \"dilation_rate\": 2}, "
                   "{\"type\": \"LocallyConnected1D\", \"filters\": 8, "
                   "\"kernel_size\": 3, \"strides\": 2}",
                   "[100, 16]",
                   (const char *const[]){"(None, 100, 64)", " 3136 ",
                                         "(None, 49, 8)", " 75656 ", NULL});
    expect_summary(
        "{\"type\": \"Conv3D\", \"filters\": 8, \"kernel_size\": 3}",
        "[16, 16, 16, 1]",
        (const char *const[]){"(None, 14, 14, 14, 8)", " 224 ", NULL});
}

/* ---- Keras hooks ---- */

static json_t *translate(const char *type, int major, bool channels_first,
                         const char *kcfg_text, dl4c_status want)
{
    const dl4c_layer_type *t = dl4c_layer_type_find(type);
    json_t *kcfg = json_loads(kcfg_text, 0, NULL);
    json_t *out = json_object();
    dl4c_keras_ctx k = {major, channels_first, "layer 'c' (test)"};
    dl4c_status st =
        t && t->from_keras ? t->from_keras(&k, kcfg, out) : DL4C_INTERNAL;
    CHECK_MSG(st == want, "%s %s: %s", type, kcfg_text, dl4c_last_error());
    json_decref(kcfg);
    if (st != DL4C_OK) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static void expect_json(json_t *got, const char *want)
{
    json_t *w = json_loads(want, 0, NULL);
    char *g = got ? json_dumps(got, JSON_SORT_KEYS) : NULL;
    CHECK_MSG(got && json_equal(got, w), "got %s, want %s", g ? g : "NULL",
              want);
    free(g);
    json_decref(w);
    json_decref(got);
}

static void test_keras_config_translation(void)
{
    /* every conv type names its Keras classes */
    static const char *const classes[][2] = {
        {"Conv2D", "Convolution2D"},
        {"Conv1D", "Convolution1D"},
        {"Conv3D", "Convolution3D"},
        {"Conv2DTranspose", "Deconvolution2D"},
        {"Conv1DTranspose", "Conv1DTranspose"},
        {"DepthwiseConv2D", "DepthwiseConv2D"},
        {"SeparableConv2D", "SeparableConvolution2D"},
        {"LocallyConnected2D", "LocallyConnected2D"},
    };
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        const dl4c_layer_type *t = dl4c_layer_type_find(classes[i][0]);
        REQUIRE(t && t->keras_classes);
        bool found = false;
        for (int k = 0; t->keras_classes[k]; k++)
            found |= !strcmp(t->keras_classes[k], classes[i][1]);
        CHECK_MSG(found, "%s lacks Keras class %s", classes[i][0],
                  classes[i][1]);
    }
    expect_json(
        translate("Conv2D", 2, false,
                  "{\"name\": \"conv2d\", \"trainable\": true, \"filters\": "
                  "32, \"kernel_size\": [3, 3], \"strides\": [1, 1], "
                  "\"padding\": \"same\", \"data_format\": \"channels_last\", "
                  "\"dilation_rate\": [1, 1], \"groups\": 1, \"activation\": "
                  "\"relu\", \"use_bias\": true, \"kernel_initializer\": "
                  "{\"class_name\": \"GlorotUniform\", \"config\": {}}}",
                  DL4C_OK),
        "{\"filters\": 32, \"kernel_size\": [3, 3], \"strides\": [1, 1], "
        "\"padding\": \"same\", \"dilation_rate\": [1, 1], \"groups\": 1, "
        "\"activation\": \"relu\", \"use_bias\": true}");
    /* Keras 1 */
    expect_json(translate("Conv2D", 1, false,
                          "{\"nb_filter\": 8, \"nb_row\": 3, \"nb_col\": 5, "
                          "\"subsample\": [2, 2], \"border_mode\": \"valid\", "
                          "\"dim_ordering\": \"tf\", \"bias\": false, "
                          "\"activation\": \"linear\"}",
                          DL4C_OK),
                "{\"filters\": 8, \"kernel_size\": [3, 5], \"strides\": [2, "
                "2], \"padding\": \"valid\", \"use_bias\": false, "
                "\"activation\": \"identity\"}");
    expect_json(translate("Conv1D", 1, false,
                          "{\"nb_filter\": 4, \"filter_length\": 3, "
                          "\"subsample_length\": 2, \"border_mode\": "
                          "\"same\", \"activation\": \"tanh\"}",
                          DL4C_OK),
                "{\"filters\": 4, \"kernel_size\": [3], \"strides\": 2, "
                "\"padding\": \"same\", \"activation\": \"tanh\"}");
    expect_json(translate("Conv2DTranspose", 3, false,
                          "{\"filters\": 3, \"kernel_size\": [3, 3], "
                          "\"strides\": [2, 2], \"padding\": \"same\", "
                          "\"output_padding\": [1, 1], \"activation\": "
                          "\"hard_sigmoid\", \"use_bias\": true}",
                          DL4C_OK),
                "{\"filters\": 3, \"kernel_size\": [3, 3], \"strides\": [2, "
                "2], \"padding\": \"same\", \"output_padding\": [1, 1], "
                "\"activation\": {\"type\": \"hardsigmoid\", \"alpha\": "
                "0.16666666666666666, \"beta\": 0.5}, \"use_bias\": true}");
    expect_json(translate("DepthwiseConv2D", 2, true,
                          "{\"kernel_size\": [3, 3], \"depth_multiplier\": 2, "
                          "\"data_format\": \"channels_first\", "
                          "\"padding\": \"valid\"}",
                          DL4C_OK),
                "{\"kernel_size\": [3, 3], \"depth_multiplier\": 2, "
                "\"padding\": \"valid\"}");
    translate("Conv2D", 2, false,
              "{\"filters\": 2, \"kernel_size\": 3, \"data_format\": "
              "\"channels_first\"}",
              DL4C_UNSUPPORTED);
    CHECK(strstr(dl4c_last_error(), "layer 'c' (test): data_format "
                                    "'channels_first'") != NULL);
    translate("Conv2D", 1, false,
              "{\"nb_filter\": 2, \"nb_row\": 3, \"nb_col\": 3, "
              "\"border_mode\": \"full\"}",
              DL4C_UNSUPPORTED);
    CHECK(strstr(dl4c_last_error(), "padding 'full' is not supported"));
    translate("LocallyConnected2D", 2, false,
              "{\"filters\": 2, \"kernel_size\": 3, \"implementation\": 2}",
              DL4C_UNSUPPORTED);
    CHECK(strstr(dl4c_last_error(), "implementation 2 is not supported"));
    translate("Conv2D", 2, false,
              "{\"filters\": 2, \"kernel_size\": 3, \"activation\": "
              "\"exponential\"}",
              DL4C_UNSUPPORTED);
    CHECK(strstr(dl4c_last_error(), "unsupported activation 'exponential'"));
}

static const dl4c_layer *net_layer(const dl4c_net *net, const char *name)
{
    for (int k = 0; k < net->n_nodes; k++)
        if (net->nodes[k].layer && !strcmp(net->nodes[k].name, name))
            return net->nodes[k].layer;
    return NULL;
}

static void test_keras_weights(void)
{
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_net_parse(
        "{\"inputs\": [{\"shape\": [5, 5, 3]}], \"layers\": ["
        "{\"name\": \"conv2d_3\", \"type\": \"Conv2D\", \"filters\": 2, "
        "\"kernel_size\": 3},"
        "{\"name\": \"local\", \"type\": \"LocallyConnected2D\", \"filters\": "
        "2, \"kernel_size\": 2}]}",
        DL4C_F64, &net));
    const dl4c_layer *conv = net_layer(net, "conv2d_3");
    const dl4c_layer *local = net_layer(net, "local");
    REQUIRE(conv && local);
    dl4c_keras_ctx k = {2, false, "layer 'conv2d_3' (Conv2D)"};
    /* a kernel for 1 input channel */
    dl4c_tensor *w = NULL, *b = NULL;
    int64_t wd[4] = {3, 3, 1, 2}, bd[1] = {2};
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 4, wd, &w));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 1, bd, &b));
    dl4c_tensor *cp[2] = {dl4c_net_param(net, "conv2d_3", "W"),
                          dl4c_net_param(net, "conv2d_3", "b")};
    dl4c_tensor *lp[2] = {dl4c_net_param(net, "local", "W"),
                          dl4c_net_param(net, "local", "b")};
    REQUIRE(cp[0] && cp[1] && lp[0] && lp[1]);
    const dl4c_tensor *ws[2] = {w, b};
    CHECK_ERR(conv->type->keras_weights(&k, conv, 2, ws, cp), DL4C_SHAPE,
              "layer 'conv2d_3': input has 3 channels, kernel "
              "expects 1");
    CHECK_ERR(conv->type->keras_weights(&k, conv, 1, ws, cp), DL4C_FORMAT,
              "1 weight arrays, expected 2");
    dl4c_tensor_free(w);
    /* the right shape: a float32 file into a float64 net */
    wd[2] = 3;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 4, wd, &w));
    for (int64_t e = 0; e < dl4c_tensor_size(w); e++)
        dl4c_tensor_set(w, e, (double)e / 8);
    ws[0] = w;
    CHECK_OK(conv->type->keras_weights(&k, conv, 2, ws, cp));
    bool same = true;
    for (int64_t e = 0; e < dl4c_tensor_size(w); e++)
        same &= dl4c_tensor_get(w, e) == dl4c_tensor_get(cp[0], e);
    CHECK(same);
    dl4c_tensor_free(w);
    dl4c_tensor_free(b);

    /* locally connected, channels_first: patches ordered (c, ky, kx) in the
     * file, (ky, kx, c) in dl4c; 2x2 positions, 2*2*2 patch values */
    int64_t lw[3] = {4, 8, 2}, lb[3] = {2, 2, 2};
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 3, lw, &w));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 3, lb, &b));
    for (int64_t e = 0; e < dl4c_tensor_size(w); e++)
        dl4c_tensor_set(w, e, (double)e);
    dl4c_keras_ctx kf = {2, true, "layer 'local' (LocallyConnected2D)"};
    ws[0] = w;
    ws[1] = b;
    CHECK_OK(local->type->keras_weights(&kf, local, 2, ws, lp));
    /* position 1, tap (ky=1, kx=0) = 2, channel 1, filter 1 */
    int64_t mine = ((1 * 8) + 2 * 2 + 1) * 2 + 1;
    int64_t theirs = ((1 * 8) + 1 * 4 + 2) * 2 + 1;
    CHECK(dl4c_tensor_get(lp[0], mine) == (double)theirs);
    dl4c_tensor_free(w);
    dl4c_tensor_free(b);
    dl4c_net_free(net);
}

/* Keras 1 kernels in the layouts Keras 2's loader converts from. */
static void test_keras1_kernel_layouts(void)
{
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_net_parse(
        "{\"inputs\": [{\"name\": \"img\", \"shape\": [5, 5, 3]}, "
        "{\"name\": \"seq\", \"shape\": [6, 3]}], \"layers\": ["
        "{\"name\": \"conv\", \"type\": \"Conv2D\", \"filters\": 2, "
        "\"kernel_size\": [3, 2], \"inputs\": \"img\"},"
        "{\"name\": \"deconv\", \"type\": \"Conv2DTranspose\", \"filters\": "
        "4, \"kernel_size\": [3, 2], \"inputs\": \"img\"},"
        "{\"name\": \"conv1d\", \"type\": \"Conv1D\", \"filters\": 2, "
        "\"kernel_size\": 3, \"inputs\": \"seq\"}],"
        " \"outputs\": [\"conv\", \"deconv\", \"conv1d\"]}",
        DL4C_F64, &net));
    struct {
        const char *layer;
        bool th;
        int64_t dims[4];
        /* a file index and the dl4c index holding the same value */
        int64_t file_idx[4], mine_idx[4];
    } cases[] = {
        /* Conv2D th: (F=2, C=3, kh=3, kw=2) -> (kh, kw, C, F) */
        {"conv", true, {2, 3, 3, 2}, {1, 2, 0, 1}, {0, 1, 2, 1}},
        /* Deconvolution2D tf: (kh, kw, C=3, F=4) -> (kh, kw, F, C) */
        {"deconv", false, {3, 2, 3, 4}, {2, 1, 0, 3}, {2, 1, 3, 0}},
        /* Deconvolution2D th: (F=4, C=3, kh, kw) -> (kh, kw, F, C) */
        {"deconv", true, {4, 3, 3, 2}, {3, 1, 2, 0}, {2, 0, 3, 1}},
        /* Convolution1D: (k=3, 1, C=3, F=2) -> (k, C, F) */
        {"conv1d", false, {3, 1, 3, 2}, {2, 0, 1, 1}, {2, 1, 1, -1}},
        /* Keras 1.1 Convolution1D: (F=2, C=3, k=3, 1) -> (k, C, F) */
        {"conv1d", false, {2, 3, 3, 1}, {1, 2, 0, 0}, {0, 2, 1, -1}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const dl4c_layer *l = net_layer(net, cases[c].layer);
        REQUIRE(l);
        dl4c_tensor *w = NULL,
                    *p[2] = {dl4c_net_param(net, cases[c].layer, "W"),
                             dl4c_net_param(net, cases[c].layer, "b")};
        REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 4, cases[c].dims, &w));
        for (int64_t e = 0; e < dl4c_tensor_size(w); e++)
            dl4c_tensor_set(w, e, (double)e);
        const dl4c_tensor *ws[2] = {w, p[1]};
        dl4c_keras_ctx k = {1, cases[c].th, "layer (Keras 1)"};
        CHECK_OK(l->type->keras_weights(&k, l, 2, ws, p));
        int64_t fi = 0, mi = 0;
        for (int d = 0; d < 4; d++)
            fi = fi * cases[c].dims[d] + cases[c].file_idx[d];
        dl4c_shape ps = dl4c_tensor_shape(p[0]);
        for (int d = 0; d < ps.ndim; d++)
            mi = mi * ps.dim[d] + cases[c].mine_idx[d];
        CHECK_MSG(dl4c_tensor_get(p[0], mi) == (double)fi,
                  "case %zu: dl4c[%lld] = %g, file[%lld]", c, (long long)mi,
                  dl4c_tensor_get(p[0], mi), (long long)fi);
        dl4c_tensor_free(w);
    }
    dl4c_net_free(net);
}

TEST_MAIN(test_forward_matches_definitions, test_blocked_matches_single_images,
          test_summary_matches_keras, test_keras_config_translation,
          test_keras_weights, test_keras1_kernel_layouts)
