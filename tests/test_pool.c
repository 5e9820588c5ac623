// labels: unit
/* Values of the pooling and upsampling layers on small hand-written
 * tensors, in float32 and float64: 'same' padding (the average divides
 * by the cells inside the input, as Keras does), where max pooling sends
 * its gradient, global pooling of masked sequences, and bilinear
 * upsampling against values computed with numpy from TensorFlow's
 * half-pixel and legacy formulas. The registry test (test_layers.c)
 * checks the gradients of every example config. */
#include <stdlib.h>
#include <string.h>

#include "core/backend_pool.h"
#include "nn/layer_internal.h"
#include "test.h"

static const dl4c_dtype dtypes[2] = {DL4C_F32, DL4C_F64};

/* ---- PoolTestMask: passes x through; mask[b, t] = (x[b, t, 0] != 0) */

static const char *const no_keys[] = {NULL};

static dl4c_status no_parse(dl4c_layer *l, const json_t *j)
{
    (void)l;
    (void)j;
    return DL4C_OK;
}

static dl4c_status no_write(const dl4c_layer *l, json_t *j)
{
    (void)l;
    (void)j;
    return DL4C_OK;
}

static dl4c_status mask_build(dl4c_layer *l)
{
    l->out_shapes[0] = l->in_shapes[0];
    l->out_has_mask[0] = true;
    return DL4C_OK;
}

static void mask_forward(dl4c_layer_ctx *c)
{
    int64_t cols = dl4c_tensor_cols(c->out), rows = dl4c_tensor_rows(c->out);
    for (int64_t i = 0; i < c->out->size; i++)
        dl4c_tensor_set(c->out, i, dl4c_tensor_get(c->in[0], i));
    for (int64_t r = 0; r < rows; r++)
        dl4c_tensor_set(c->out_masks[0], r,
                        dl4c_tensor_get(c->in[0], r * cols) != 0);
}

static void mask_backward(dl4c_layer_ctx *c)
{
    if (c->din[0])
        for (int64_t i = 0; i < c->out->size; i++)
            dl4c_tensor_set(c->din[0], i, dl4c_tensor_get(c->dout, i));
}

static const dl4c_layer_type mask_type = {
    .name = "PoolTestMask",
    .keys = no_keys,
    .parse = no_parse,
    .write = no_write,
    .build = mask_build,
    .forward = mask_forward,
    .backward = mask_backward,
    .mask_mode = DL4C_MASK_CUSTOM,
};

/* A net with one input of per-example `shape` (JSON) and `layers`. */
static dl4c_net *net_of(dl4c_dtype dt, const char *shape, const char *layers)
{
    char cfg[2048];
    dl4c_net *net = NULL;
    snprintf(cfg, sizeof cfg,
             "{\"inputs\": [{\"name\": \"x\", \"shape\": %s}], "
             "\"layers\": %s}",
             shape, layers);
    dl4c_status st = dl4c_net_parse(cfg, dt, &net);
    CHECK_MSG(st == DL4C_OK, "%s: %s", cfg, dl4c_last_error());
    return net;
}

/* x of shape dims filled from vals */
static dl4c_tensor *tensor_of(dl4c_dtype dt, int ndim, const int64_t *dims,
                              const double *vals)
{
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(dt, ndim, dims, &t) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; i < dl4c_tensor_size(t); i++)
        dl4c_tensor_set(t, i, vals[i]);
    return t;
}

/* Runs the net on x and compares its output with want[n_want]. */
static void expect_output(dl4c_net *net, const dl4c_tensor *x,
                          const double *want, int64_t n_want, double tol,
                          const char *what)
{
    REQUIRE(net && x);
    REQUIRE_OK(dl4c_net_forward(net, 1, &x, false));
    const dl4c_tensor *y = dl4c_net_output(net, 0);
    CHECK_MSG(dl4c_tensor_size(y) == n_want, "%s: %lld values, want %lld", what,
              (long long)dl4c_tensor_size(y), (long long)n_want);
    for (int64_t i = 0; i < n_want && i < dl4c_tensor_size(y); i++)
        CHECK_MSG(fabs(dl4c_tensor_get(y, i) - want[i]) <= tol,
                  "%s: y[%lld] = %.9g, want %.9g", what, (long long)i,
                  dl4c_tensor_get(y, i), want[i]);
}

/* 3x3 image, channel 0 = 1..9, channel 1 = -(1..9); pool 2, stride 2,
 * 'same': windows rows {0,1},{2} x cols {0,1},{2} (padding after). */
static void test_pool_2d_same(void)
{
    double x[18];
    for (int i = 0; i < 9; i++) {
        x[2 * i] = i + 1;
        x[2 * i + 1] = -(i + 1);
    }
    const int64_t dims[4] = {1, 3, 3, 2};
    const double max_want[8] = {5, -1, 6, -3, 8, -7, 9, -9};
    const double avg_want[8] = {3, -3, 4.5, -4.5, 7.5, -7.5, 9, -9};
    for (int d = 0; d < 2; d++) {
        double tol = dtypes[d] == DL4C_F32 ? 1e-6 : 1e-12;
        dl4c_tensor *t = tensor_of(dtypes[d], 4, dims, x);
        dl4c_net *mp = net_of(dtypes[d], "[3, 3, 2]",
                              "[{\"type\": \"MaxPooling2D\", \"padding\": "
                              "\"same\"}]");
        dl4c_net *ap = net_of(dtypes[d], "[3, 3, 2]",
                              "[{\"type\": \"AveragePooling2D\", "
                              "\"pool_size\": [2, 2], \"padding\": "
                              "\"same\"}]");
        expect_output(mp, t, max_want, 8, tol, "MaxPooling2D same");
        expect_output(ap, t, avg_want, 8, tol, "AveragePooling2D same");
        dl4c_net_free(mp);
        dl4c_net_free(ap);
        dl4c_tensor_free(t);
    }
}

/* pool 3, stride 1, 'same' over 4 steps: one cell of padding before and
 * after, so the edge windows hold 2 cells and divide by 2. */
static void test_pool_1d_same_both_sides(void)
{
    const double x[4] = {1, 2, 4, 8};
    const int64_t dims[3] = {1, 4, 1};
    const double avg_want[4] = {1.5, 7.0 / 3, 14.0 / 3, 6};
    const double max_want[4] = {2, 4, 8, 8};
    for (int d = 0; d < 2; d++) {
        double tol = dtypes[d] == DL4C_F32 ? 1e-6 : 1e-12;
        dl4c_tensor *t = tensor_of(dtypes[d], 3, dims, x);
        dl4c_net *ap = net_of(dtypes[d], "[4, 1]",
                              "[{\"type\": \"AveragePooling1D\", "
                              "\"pool_size\": 3, \"strides\": 1, "
                              "\"padding\": \"same\"}]");
        dl4c_net *mp = net_of(dtypes[d], "[4, 1]",
                              "[{\"type\": \"MaxPooling1D\", \"pool_size\": "
                              "3, \"strides\": 1, \"padding\": \"same\"}]");
        expect_output(ap, t, avg_want, 4, tol, "AveragePooling1D same");
        expect_output(mp, t, max_want, 4, tol, "MaxPooling1D same");
        dl4c_net_free(ap);
        dl4c_net_free(mp);
        dl4c_tensor_free(t);
    }
}

/* 'valid' 3D pooling with a window that does not tile the input: the
 * last depth slice and column are left out. */
static void test_pool_3d_valid(void)
{
    double x[3 * 2 * 3];
    for (int i = 0; i < 18; i++)
        x[i] = (i * 7) % 11;
    const int64_t dims[5] = {1, 3, 2, 3, 1};
    /* windows d {0,1}, h {0,1}, w {0,1}: one output cell */
    double mx = -1, sum = 0;
    for (int dd = 0; dd < 2; dd++)
        for (int h = 0; h < 2; h++)
            for (int w = 0; w < 2; w++) {
                double v = x[(dd * 2 + h) * 3 + w];
                mx = v > mx ? v : mx;
                sum += v;
            }
    for (int d = 0; d < 2; d++) {
        dl4c_tensor *t = tensor_of(dtypes[d], 5, dims, x);
        dl4c_net *mp =
            net_of(dtypes[d], "[3, 2, 3, 1]", "[{\"type\": \"MaxPooling3D\"}]");
        dl4c_net *ap = net_of(dtypes[d], "[3, 2, 3, 1]",
                              "[{\"type\": \"AveragePooling3D\"}]");
        double avg = sum / 8;
        expect_output(mp, t, &mx, 1, 1e-6, "MaxPooling3D");
        expect_output(ap, t, &avg, 1, 1e-6, "AveragePooling3D");
        dl4c_net_free(mp);
        dl4c_net_free(ap);
        dl4c_tensor_free(t);
    }
}

/* Backend gradients: max sends each window's gradient to its first
 * maximum (ties included), overlapping windows add up, the 'same'
 * average divides by the cells inside. */
static void test_pool_backward_routing(void)
{
    const dl4c_backend *be = dl4c_backend_cpu();
    { /* 2x2 window over [[1, 3], [3, 2]]: a tie, the first 3 wins */
        dl4c_pool_geom g = {.n = 1,
                            .c = 1,
                            .in = {1, 2, 2},
                            .out = {1, 1, 1},
                            .win = {1, 2, 2},
                            .stride = {1, 2, 2}};
        double x[4] = {1, 3, 3, 2}, y[1], dy[1] = {1}, dx[4];
        be->pool->pool_forward(DL4C_POOL_MAX, DL4C_F64, &g, x, y);
        be->pool->pool_backward(DL4C_POOL_MAX, DL4C_F64, &g, x, y, dy, dx);
        CHECK(y[0] == 3);
        CHECK(dx[0] == 0 && dx[1] == 1 && dx[2] == 0 && dx[3] == 0);
    }
    { /* [1, 5, 2], window 2, stride 1: both windows pick the 5 */
        dl4c_pool_geom g = {.n = 1,
                            .c = 1,
                            .in = {1, 1, 3},
                            .out = {1, 1, 2},
                            .win = {1, 1, 2},
                            .stride = {1, 1, 1}};
        float x[3] = {1, 5, 2}, y[2], dy[2] = {1, 2}, dx[3];
        be->pool->pool_forward(DL4C_POOL_MAX, DL4C_F32, &g, x, y);
        be->pool->pool_backward(DL4C_POOL_MAX, DL4C_F32, &g, x, y, dy, dx);
        CHECK(y[0] == 5 && y[1] == 5);
        CHECK(dx[0] == 0 && dx[1] == 3 && dx[2] == 0);
    }
    { /* average, 4 steps, window 3, stride 1, one cell of padding each
         side: windows {0,1} {0,1,2} {1,2,3} {2,3} */
        dl4c_pool_geom g = {.n = 1,
                            .c = 1,
                            .in = {1, 1, 4},
                            .out = {1, 1, 4},
                            .win = {1, 1, 3},
                            .stride = {1, 1, 1},
                            .pad = {0, 0, 1}};
        double x[4] = {0}, y[4] = {0}, dy[4] = {6, 3, 3, 6}, dx[4];
        be->pool->pool_backward(DL4C_POOL_AVG, DL4C_F64, &g, x, y, dy, dx);
        CHECK_NEAR(dx[0], 3 + 1, 1e-12);
        CHECK_NEAR(dx[1], 3 + 1 + 1, 1e-12);
        CHECK_NEAR(dx[2], 1 + 1 + 3, 1e-12);
        CHECK_NEAR(dx[3], 1 + 3, 1e-12);
    }
    { /* many channels (more than one block of flags), exact tiling */
        enum { C = 150 };
        dl4c_pool_geom g = {.n = 2,
                            .c = C,
                            .in = {1, 2, 2},
                            .out = {1, 1, 1},
                            .win = {1, 2, 2},
                            .stride = {1, 2, 2}};
        static double x[2 * 4 * C], y[2 * C], dy[2 * C], dx[2 * 4 * C];
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < C; c++) {
                for (int p = 0; p < 4; p++)
                    x[(n * 4 + p) * C + c] = p == (c + n) % 4 ? 1 : 0;
                dy[n * C + c] = c + 1;
            }
        be->pool->pool_forward(DL4C_POOL_MAX, DL4C_F64, &g, x, y);
        be->pool->pool_backward(DL4C_POOL_MAX, DL4C_F64, &g, x, y, dy, dx);
        int bad = 0;
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < C; c++)
                for (int p = 0; p < 4; p++)
                    bad += dx[(n * 4 + p) * C + c] !=
                           (p == (c + n) % 4 ? c + 1 : 0);
        CHECK(bad == 0);
    }
}

/* Plain loops over the window definition of backend_pool.h. */
static void reference_pool(dl4c_pool_op op, const dl4c_pool_geom *g,
                           const double *x, const double *dy, double *y,
                           double *dx)
{
    const int64_t C = g->c;
    const int64_t in_size = g->in[0] * g->in[1] * g->in[2] * C;
    const int64_t out_size = g->out[0] * g->out[1] * g->out[2] * C;
    memset(dx, 0, sizeof(double) * (size_t)(g->n * in_size));
    for (int64_t n = 0; n < g->n; n++)
        for (int64_t o = 0; o < out_size / C; o++)
            for (int64_t c = 0; c < C; c++) {
                int64_t od[3] = {o / (g->out[1] * g->out[2]),
                                 (o / g->out[2]) % g->out[1], o % g->out[2]};
                int64_t lo[3], hi[3];
                for (int a = 0; a < 3; a++) {
                    lo[a] = od[a] * g->stride[a] - g->pad[a];
                    hi[a] = lo[a] + g->win[a];
                    lo[a] = lo[a] < 0 ? 0 : lo[a];
                    hi[a] = hi[a] > g->in[a] ? g->in[a] : hi[a];
                }
                double acc = 0;
                int64_t best = -1, count = 0;
                for (int64_t d = lo[0]; d < hi[0]; d++)
                    for (int64_t h = lo[1]; h < hi[1]; h++)
                        for (int64_t w = lo[2]; w < hi[2]; w++) {
                            int64_t i =
                                n * in_size +
                                ((d * g->in[1] + h) * g->in[2] + w) * C + c;
                            count++;
                            if (op == DL4C_POOL_AVG)
                                acc += x[i];
                            else if (best < 0 || x[i] > x[best])
                                best = i;
                        }
                int64_t oi = n * out_size + o * C + c;
                if (op == DL4C_POOL_MAX) {
                    y[oi] = x[best];
                    dx[best] += dy[oi];
                    continue;
                }
                y[oi] = acc / (double)count;
                for (int64_t d = lo[0]; d < hi[0]; d++)
                    for (int64_t h = lo[1]; h < hi[1]; h++)
                        for (int64_t w = lo[2]; w < hi[2]; w++)
                            dx[n * in_size +
                               ((d * g->in[1] + h) * g->in[2] + w) * C + c] +=
                                dy[oi] / (double)count;
            }
}

/* The backend against the reference on window shapes that take each of
 * its paths (2x2 fast path, tiling, overlapping, 'same' padding, more
 * channels than one block), inputs with many ties, float and double. */
static void test_pool_against_reference(void)
{
    const struct {
        int64_t in[3], win[3], stride[3], c;
        bool same;
    } cases[] = {
        {{1, 4, 6}, {1, 2, 2}, {1, 2, 2}, 3, false},
        {{1, 5, 7}, {1, 2, 2}, {1, 2, 2}, 70, false},
        {{1, 5, 7}, {1, 2, 2}, {1, 2, 2}, 2, true},
        {{1, 6, 6}, {1, 3, 3}, {1, 3, 3}, 5, false},
        {{1, 5, 6}, {1, 3, 2}, {1, 1, 2}, 130, true},
        {{3, 4, 5}, {2, 2, 3}, {1, 2, 2}, 4, true},
        {{2, 3, 4}, {2, 3, 3}, {2, 1, 2}, 66, false},
        {{1, 1, 9}, {1, 1, 4}, {1, 1, 3}, 7, true},
    };
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 11);
    const dl4c_backend *be = dl4c_backend_cpu();
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        dl4c_pool_geom g = {.n = 2, .c = cases[k].c};
        for (int a = 0; a < 3; a++) {
            int64_t in = cases[k].in[a], w = cases[k].win[a];
            int64_t s = cases[k].stride[a];
            g.in[a] = in;
            g.win[a] = w;
            g.stride[a] = s;
            g.out[a] = cases[k].same ? (in + s - 1) / s : (in - w) / s + 1;
            int64_t total = (g.out[a] - 1) * s + w - in;
            g.pad[a] = cases[k].same && total > 0 ? total / 2 : 0;
        }
        int64_t ni = g.n * g.in[0] * g.in[1] * g.in[2] * g.c;
        int64_t no = g.n * g.out[0] * g.out[1] * g.out[2] * g.c;
        double *x = calloc((size_t)ni, sizeof *x), *dx = calloc((size_t)ni, 8);
        double *rdx = calloc((size_t)ni, 8), *y = calloc((size_t)no, 8);
        double *dy = calloc((size_t)no, 8), *ry = calloc((size_t)no, 8);
        float *xf = calloc((size_t)ni, 4), *dxf = calloc((size_t)ni, 4);
        float *yf = calloc((size_t)no, 4), *dyf = calloc((size_t)no, 4);
        REQUIRE(x && dx && rdx && y && dy && ry && xf && dxf && yf && dyf);
        for (int64_t i = 0; i < ni; i++) /* quarters: many ties */
            xf[i] = (float)(x[i] = floor(dl4c_rng_uniform(&rng) * 4) / 4);
        for (int64_t i = 0; i < no; i++)
            dyf[i] = (float)(dy[i] = floor(dl4c_rng_uniform(&rng) * 8) - 4);
        for (int op = 0; op < DL4C_POOL_COUNT; op++) {
            reference_pool((dl4c_pool_op)op, &g, x, dy, ry, rdx);
            be->pool->pool_forward((dl4c_pool_op)op, DL4C_F64, &g, x, y);
            be->pool->pool_backward((dl4c_pool_op)op, DL4C_F64, &g, x, y, dy,
                                    dx);
            be->pool->pool_forward((dl4c_pool_op)op, DL4C_F32, &g, xf, yf);
            be->pool->pool_backward((dl4c_pool_op)op, DL4C_F32, &g, xf, yf, dyf,
                                    dxf);
            int bad = 0;
            for (int64_t i = 0; i < no; i++)
                bad += fabs(y[i] - ry[i]) > 1e-12 || fabs(yf[i] - ry[i]) > 1e-5;
            for (int64_t i = 0; i < ni; i++)
                bad += fabs(dx[i] - rdx[i]) > 1e-12 ||
                       fabs(dxf[i] - rdx[i]) > 1e-5;
            CHECK_MSG(bad == 0, "case %zu, %s: %d values differ", k,
                      op == DL4C_POOL_MAX ? "max" : "average", bad);
        }
        free(x);
        free(dx);
        free(rdx);
        free(y);
        free(dy);
        free(ry);
        free(xf);
        free(dxf);
        free(yf);
        free(dyf);
    }
}

/* Steps whose first feature is 0 are masked by PoolTestMask. */
static void test_global_pool_masked(void)
{
    /* two examples of 4 steps x 2 features; example 0 masks steps 1 and
     * 3, example 1 masks every step */
    const double x[16] = {1, 4, 0, 9, 3, -2, 0, 7, /* example 0 */
                          0, 1, 0, 2, 0, 3,  0, 4};
    const int64_t dims[3] = {2, 4, 2};
    const double avg_want[4] = {2, 1, 0, 0};
    const double max_want[4] = {3, 4, 0, 0};
    /* unmasked: every step counts; example 1's max is 0 (from x) */
    const double max_all[4] = {3, 9, 0, 4};
    for (int d = 0; d < 2; d++) {
        dl4c_tensor *t = tensor_of(dtypes[d], 3, dims, x);
        dl4c_net *ga = net_of(dtypes[d], "[4, 2]",
                              "[{\"type\": \"PoolTestMask\"}, {\"type\": "
                              "\"GlobalAveragePooling1D\"}]");
        dl4c_net *gm = net_of(dtypes[d], "[4, 2]",
                              "[{\"type\": \"PoolTestMask\"}, {\"type\": "
                              "\"GlobalMaxPooling1D\", \"keepdims\": true}]");
        dl4c_net *gu = net_of(dtypes[d], "[4, 2]",
                              "[{\"type\": \"PoolTestMask\"}, {\"type\": "
                              "\"GlobalMaxPooling1D\", \"masked\": false}]");
        expect_output(ga, t, avg_want, 4, 1e-6, "GlobalAveragePooling1D");
        expect_output(gm, t, max_want, 4, 1e-6, "GlobalMaxPooling1D");
        expect_output(gu, t, max_all, 4, 1e-6, "GlobalMaxPooling1D unmasked");
        if (gm) {
            dl4c_shape s = dl4c_net_output_shape(gm, 0);
            CHECK(s.ndim == 2 && s.dim[0] == 1 && s.dim[1] == 2);
        }
        dl4c_net_free(ga);
        dl4c_net_free(gm);
        dl4c_net_free(gu);
        dl4c_tensor_free(t);
    }
}

/* Gradients of masked global pooling: masked steps get none; the
 * average spreads dy over the unmasked steps, the max sends it to the
 * unmasked maximum. */
static void test_global_pool_masked_gradients(void)
{
    const double x[8] = {1, 4, 0, 9, 3, -2, 0, 7};
    const int64_t dims[3] = {1, 4, 2}, ldims[2] = {1, 2};
    const double labels[2] = {0, 0};
    const char *types[2] = {"GlobalAveragePooling1D", "GlobalMaxPooling1D"};
    for (int k = 0; k < 2; k++) {
        char layers[512];
        snprintf(layers, sizeof layers,
                 "[{\"type\": \"PoolTestMask\"}, {\"type\": \"%s\"}, "
                 "{\"type\": \"Loss\", \"loss\": \"mse\"}]",
                 types[k]);
        dl4c_net *net = net_of(DL4C_F64, "[4, 2]", layers);
        dl4c_tensor *t = tensor_of(DL4C_F64, 3, dims, x);
        dl4c_tensor *y = tensor_of(DL4C_F64, 2, ldims, labels);
        const dl4c_tensor *ys[1] = {y};
        dl4c_net_targets tg = {1, ys, NULL};
        REQUIRE(net && t && y);
        dl4c_net_set_input_gradients(net, true);
        CHECK_OK(dl4c_net_compute_gradients(
            net, 1, (const dl4c_tensor *const *)&t, &tg, NULL));
        const dl4c_tensor *g = dl4c_net_input_gradient(net, 0);
        REQUIRE(g);
        /* mse over 2 outputs: d/dy = y; averages y = (2, 1), maxima (3, 4) */
        double want[8];
        if (k == 0) {
            const double w[8] = {1, 0.5, 0, 0, 1, 0.5, 0, 0};
            memcpy(want, w, sizeof w);
        } else {
            const double w[8] = {0, 4, 0, 0, 3, 0, 0, 0};
            memcpy(want, w, sizeof w);
        }
        for (int i = 0; i < 8; i++)
            CHECK_MSG(fabs(dl4c_tensor_get(g, i) - want[i]) < 1e-12,
                      "%s: dx[%d] = %g, want %g", types[k], i,
                      dl4c_tensor_get(g, i), want[i]);
        dl4c_net_free(net);
        dl4c_tensor_free(t);
        dl4c_tensor_free(y);
    }
}

/* 2x3 image upsampled by 2 to 4x6. Expected values: numpy, from TF's
 * ResizeBilinear formulas (the half-pixel one also equals PyTorch's
 * interpolate with align_corners=False). */
static void test_upsample_bilinear_values(void)
{
    const double x[6] = {1, 2, 4, -3, 0.5, 8};
    const int64_t dims[4] = {1, 2, 3, 1};
    const double half[24] = {1.0,  1.25,     1.75,    2.5,     3.5,     4.0,
                             0.0,  0.40625,  1.21875, 2.46875, 4.15625, 5.0,
                             -2.0, -1.28125, 0.15625, 2.40625, 5.46875, 7.0,
                             -3.0, -2.125,   -0.375,  2.375,   6.125,   8.0};
    const double legacy[24] = {
        1.0,  1.5,   2.0, 3.0,  4.0, 4.0, -1.0, 0.125, 1.25, 3.625, 6.0, 6.0,
        -3.0, -1.25, 0.5, 4.25, 8.0, 8.0, -3.0, -1.25, 0.5,  4.25,  8.0, 8.0};
    for (int d = 0; d < 2; d++) {
        double tol = dtypes[d] == DL4C_F32 ? 1e-5 : 1e-12;
        dl4c_tensor *t = tensor_of(dtypes[d], 4, dims, x);
        dl4c_net *a = net_of(dtypes[d], "[2, 3, 1]",
                             "[{\"type\": \"UpSampling2D\", \"interpolation\": "
                             "\"bilinear\"}]");
        dl4c_net *b = net_of(dtypes[d], "[2, 3, 1]",
                             "[{\"type\": \"UpSampling2D\", \"size\": [2, 2], "
                             "\"interpolation\": \"bilinear\", "
                             "\"half_pixel_centers\": false}]");
        expect_output(a, t, half, 24, tol, "bilinear half-pixel");
        expect_output(b, t, legacy, 24, tol, "bilinear legacy");
        dl4c_net_free(a);
        dl4c_net_free(b);
        dl4c_tensor_free(t);
    }
}

static void test_upsample_nearest_values(void)
{
    const double x[4] = {1, 2, 3, 4}; /* [1, 2, 1, 2]: 2 rows, 2 channels */
    const int64_t dims[4] = {1, 2, 1, 2};
    /* size [2, 3]: each row twice, each column three times */
    double want[4 * 3 * 2];
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 3; c++)
            for (int ch = 0; ch < 2; ch++)
                want[(r * 3 + c) * 2 + ch] = x[(r / 2) * 2 + ch];
    const double seq[3] = {1, 2, 3};
    const int64_t sdims[3] = {1, 3, 1};
    const double seq_want[6] = {1, 1, 2, 2, 3, 3};
    for (int d = 0; d < 2; d++) {
        dl4c_tensor *t = tensor_of(dtypes[d], 4, dims, x);
        dl4c_tensor *s = tensor_of(dtypes[d], 3, sdims, seq);
        dl4c_net *a = net_of(dtypes[d], "[2, 1, 2]",
                             "[{\"type\": \"UpSampling2D\", \"size\": [2, "
                             "3]}]");
        dl4c_net *b =
            net_of(dtypes[d], "[3, 1]", "[{\"type\": \"UpSampling1D\"}]");
        expect_output(a, t, want, 24, 0, "UpSampling2D nearest");
        expect_output(b, s, seq_want, 6, 0, "UpSampling1D");
        dl4c_net_free(a);
        dl4c_net_free(b);
        dl4c_tensor_free(t);
        dl4c_tensor_free(s);
    }
}

static void setup(void)
{
    CHECK_OK(dl4c_layer_type_register(&mask_type));
}

TEST_MAIN(setup, test_pool_2d_same, test_pool_1d_same_both_sides,
          test_pool_3d_valid, test_pool_backward_routing,
          test_pool_against_reference, test_global_pool_masked,
          test_global_pool_masked_gradients, test_upsample_bilinear_values,
          test_upsample_nearest_values)
