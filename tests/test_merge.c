// labels: unit
/* Known values for the merge layers: broadcasting elementwise merges,
 * Maximum's gradient on ties, Dot with normalize and over a middle axis
 * (against plain loops), Concatenate on a middle axis, masks combined
 * and concatenated as Keras does, and the Keras config hooks (Keras 1's
 * Merge, channels_first axes). */
#include <string.h>

#include <jansson.h>

#include "nn/layer_internal.h"
#include "test.h"

static dl4c_tensor *make(int ndim, const int64_t *dims, const double *values)
{
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(DL4C_F64, ndim, dims, &t) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; values && i < dl4c_tensor_size(t); i++)
        dl4c_tensor_set(t, i, values[i]);
    return t;
}

static dl4c_tensor *random_tensor(dl4c_rng *rng, int ndim, const int64_t *dims)
{
    dl4c_tensor *t = make(ndim, dims, NULL);
    if (t)
        dl4c_rng_fill_uniform(rng, t, -1, 1);
    return t;
}

static const dl4c_tensor *run2(dl4c_net *net, dl4c_tensor *a, dl4c_tensor *b)
{
    const dl4c_tensor *in[2] = {a, b};
    if (dl4c_net_forward(net, 2, in, false) != DL4C_OK) {
        fprintf(stderr, "%s\n", dl4c_last_error());
        return NULL;
    }
    return dl4c_net_output(net, 0);
}

/* a net of one merge layer over inputs a and b */
static dl4c_net *merge_net(const char *layer, const char *shape_a,
                           const char *shape_b)
{
    char cfg[1024];
    dl4c_net *net = NULL;
    snprintf(cfg, sizeof cfg,
             "{\"inputs\": [{\"name\": \"a\", \"shape\": %s}, {\"name\": "
             "\"b\", \"shape\": %s}], \"layers\": [%s]}",
             shape_a, shape_b, layer);
    if (dl4c_net_parse(cfg, DL4C_F64, &net) != DL4C_OK)
        fprintf(stderr, "%s\n", dl4c_last_error());
    return net;
}

static void test_elementwise_broadcast(void)
{
    static const double av[6] = {1, 2, 3, 4, 5, 6}, bv[3] = {10, 20, 30};
    int64_t ad[3] = {1, 2, 3}, bd[2] = {1, 3};
    dl4c_tensor *a = make(3, ad, av), *b = make(2, bd, bv);
    struct {
        const char *type;
        double want[6];
    } cases[] = {
        {"Add", {11, 22, 33, 14, 25, 36}},
        {"Subtract", {-9, -18, -27, -6, -15, -24}},
        {"Multiply", {10, 40, 90, 40, 100, 180}},
        {"Average", {5.5, 11, 16.5, 7, 12.5, 18}},
        {"Maximum", {10, 20, 30, 10, 20, 30}},
        {"Minimum", {1, 2, 3, 4, 5, 6}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char layer[128];
        snprintf(layer, sizeof layer,
                 "{\"type\": \"%s\", \"inputs\": [\"a\", \"b\"]}",
                 cases[c].type);
        dl4c_net *net = merge_net(layer, "[2, 3]", "[3]");
        REQUIRE(net != NULL);
        const dl4c_tensor *y = run2(net, a, b);
        REQUIRE(y != NULL && dl4c_tensor_size(y) == 6);
        for (int i = 0; i < 6; i++)
            CHECK_MSG(dl4c_tensor_get(y, i) == cases[c].want[i], "%s[%d] = %g",
                      cases[c].type, i, dl4c_tensor_get(y, i));
        dl4c_net_free(net);
    }
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
}

static void test_maximum_ties(void)
{
    /* equal inputs: the gradient goes to the first, as chained Keras
     * maximum() calls send it */
    const char *cfg =
        "{\"inputs\": [{\"name\": \"a\", \"shape\": [3]}, {\"name\": \"b\", "
        "\"shape\": [3]}], \"layers\": [{\"type\": \"Maximum\", \"inputs\": "
        "[\"a\", \"b\"]}, {\"type\": \"Loss\", \"loss\": \"mse\"}]}";
    dl4c_net *net = NULL;
    REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
    static const double av[3] = {1, 2, 3}, bv[3] = {1, 5, 3}, yv[3] = {0};
    int64_t d[2] = {1, 3};
    dl4c_tensor *a = make(2, d, av), *b = make(2, d, bv), *y = make(2, d, yv);
    const dl4c_tensor *in[2] = {a, b}, *labels[1] = {y};
    dl4c_net_targets t = {1, labels, NULL};
    double s;
    dl4c_net_set_input_gradients(net, true);
    CHECK_OK(dl4c_net_compute_gradients(net, 2, in, &t, &s));
    const dl4c_tensor *ga = dl4c_net_input_gradient(net, 0);
    const dl4c_tensor *gb = dl4c_net_input_gradient(net, 1);
    REQUIRE(ga && gb);
    /* mse over 3 values: d/dy = 2 y / 3 */
    CHECK_NEAR(dl4c_tensor_get(ga, 0), 2.0 / 3, 1e-12);
    CHECK(dl4c_tensor_get(gb, 0) == 0);
    CHECK(dl4c_tensor_get(ga, 1) == 0);
    CHECK_NEAR(dl4c_tensor_get(gb, 1), 10.0 / 3, 1e-12);
    CHECK_NEAR(dl4c_tensor_get(ga, 2), 2.0, 1e-12);
    CHECK(dl4c_tensor_get(gb, 2) == 0);
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_tensor_free(y);
    dl4c_net_free(net);
}

static void test_dot_values(void)
{
    /* cosine similarity of (3, 4) and (4, 3) */
    dl4c_net *net = merge_net("{\"type\": \"Dot\", \"axes\": 1, \"normalize\": "
                              "true, \"inputs\": [\"a\", \"b\"]}",
                              "[2]", "[2]");
    REQUIRE(net != NULL);
    static const double av[2] = {3, 4}, bv[2] = {4, 3};
    int64_t d[2] = {1, 2};
    dl4c_tensor *a = make(2, d, av), *b = make(2, d, bv);
    const dl4c_tensor *y = run2(net, a, b);
    REQUIRE(y != NULL);
    CHECK(dl4c_tensor_ndim(y) == 2 && dl4c_tensor_dim(y, 1) == 1);
    CHECK_NEAR(dl4c_tensor_get(y, 0), 0.96, 1e-12);
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_net_free(net);

    /* [2, 3, 2] . [2, 3, 4] over their middle axes: out[b, i, k, j, l] =
     * sum_t a[b, i, t, k] c[b, j, t, l] */
    net = merge_net("{\"type\": \"Dot\", \"axes\": [2, 2], \"inputs\": "
                    "[\"a\", \"b\"]}",
                    "[2, 3, 2]", "[2, 3, 4]");
    REQUIRE(net != NULL);
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 6);
    int64_t ad[4] = {2, 2, 3, 2}, bd[4] = {2, 2, 3, 4};
    a = random_tensor(&rng, 4, ad);
    b = random_tensor(&rng, 4, bd);
    y = run2(net, a, b);
    REQUIRE(y != NULL && dl4c_tensor_size(y) == 2 * 2 * 2 * 2 * 4);
    int bad = 0;
    for (int n = 0; n < 2; n++)
        for (int i = 0; i < 2; i++)
            for (int k = 0; k < 2; k++)
                for (int j = 0; j < 2; j++)
                    for (int l = 0; l < 4; l++) {
                        double s = 0;
                        for (int t = 0; t < 3; t++)
                            s += dl4c_tensor_get(a, ((n * 2 + i) * 3 + t) * 2 +
                                                        k) *
                                 dl4c_tensor_get(b,
                                                 ((n * 2 + j) * 3 + t) * 4 + l);
                        int64_t o = (((n * 2 + i) * 2 + k) * 2 + j) * 4 + l;
                        bad += fabs(dl4c_tensor_get(y, o) - s) > 1e-12;
                    }
    CHECK(bad == 0);
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_net_free(net);
}

static void test_concat_middle_axis(void)
{
    dl4c_net *net = merge_net("{\"type\": \"Concatenate\", \"axis\": 2, "
                              "\"inputs\": [\"a\", \"b\"]}",
                              "[2, 1, 2]", "[2, 2, 2]");
    REQUIRE(net != NULL);
    CHECK(dl4c_net_output_shape(net, 0).dim[1] == 3);
    static const double av[4] = {1, 2, 3, 4};
    static const double bv[8] = {10, 11, 12, 13, 14, 15, 16, 17};
    int64_t ad[4] = {1, 2, 1, 2}, bd[4] = {1, 2, 2, 2};
    dl4c_tensor *a = make(4, ad, av), *b = make(4, bd, bv);
    const dl4c_tensor *y = run2(net, a, b);
    REQUIRE(y != NULL);
    static const double want[12] = {1, 2, 10, 11, 12, 13, 3, 4, 14, 15, 16, 17};
    for (int i = 0; i < 12; i++)
        CHECK(dl4c_tensor_get(y, i) == want[i]);
    dl4c_tensor_free(a);
    dl4c_tensor_free(b);
    dl4c_net_free(net);
}

/* Score of `cfg` (inputs a [steps_a, 2] masked by Masking, b unmasked)
 * with labels y; the merge feeds an MSE loss. */
static double masked_score(dl4c_net *net, dl4c_tensor *a, dl4c_tensor *b,
                           dl4c_tensor *y)
{
    const dl4c_tensor *in[2] = {a, b}, *labels[1] = {y};
    dl4c_net_targets t = {1, labels, NULL};
    double s = NAN;
    if (dl4c_net_score(net, 2, in, &t, false, &s) != DL4C_OK)
        fprintf(stderr, "%s\n", dl4c_last_error());
    return s;
}

static void test_masks(void)
{
    /* a: 3 steps, step 1 of zeros (masked); b: no mask */
    static const char *const layers[] = {
        /* elementwise: the output carries a's mask */
        "{\"type\": \"Add\", \"inputs\": [\"m\", \"b\"]}",
        /* concatenated along time: a's mask, then ones for b's steps */
        "{\"type\": \"Concatenate\", \"axis\": 1, \"inputs\": [\"m\", "
        "\"b\"]}",
        /* along features: a's mask */
        "{\"type\": \"Concatenate\", \"inputs\": [\"m\", \"b\"]}",
        "{\"type\": \"Merge\", \"mode\": \"concat\", \"concat_axis\": 1, "
        "\"inputs\": [\"m\", \"b\"]}",
    };
    static const char *const b_shapes[] = {"[3, 2]", "[2, 2]", "[3, 2]",
                                           "[2, 2]"};
    dl4c_rng rng;
    dl4c_rng_seed(&rng, 12);
    for (int c = 0; c < 4; c++) {
        char cfg[1024];
        snprintf(cfg, sizeof cfg,
                 "{\"inputs\": [{\"name\": \"a\", \"shape\": [3, 2]}, "
                 "{\"name\": \"b\", \"shape\": %s}], \"layers\": ["
                 "{\"name\": \"m\", \"type\": \"Masking\", \"inputs\": "
                 "\"a\"}, %s, {\"type\": \"Loss\"}]}",
                 b_shapes[c], layers[c]);
        dl4c_net *net = NULL;
        REQUIRE_OK(dl4c_net_parse(cfg, DL4C_F64, &net));
        dl4c_shape os = dl4c_net_output_shape(net, 0);
        int64_t ad[3] = {2, 3, 2}, bd[3] = {2, c % 2 ? 2 : 3, 2};
        int64_t yd[3] = {2, os.dim[0], os.dim[1]};
        dl4c_tensor *a = random_tensor(&rng, 3, ad);
        dl4c_tensor *b = random_tensor(&rng, 3, bd);
        dl4c_tensor *y = random_tensor(&rng, 3, yd);
        dl4c_tensor_set(a, 2, 0);
        dl4c_tensor_set(a, 3, 0);
        double before = masked_score(net, a, b, y);
        /* labels at example 0, step 1 do not count */
        dl4c_tensor_set(y, os.dim[1], 40.0);
        CHECK_MSG(fabs(masked_score(net, a, b, y) - before) < 1e-12, "case %d",
                  c);
        /* the last step counts (b's steps when concatenated in time) */
        dl4c_tensor_set(y, (os.dim[0] - 1) * os.dim[1], 40.0);
        CHECK_MSG(fabs(masked_score(net, a, b, y) - before) > 1, "case %d", c);
        dl4c_tensor_free(a);
        dl4c_tensor_free(b);
        dl4c_tensor_free(y);
        dl4c_net_free(net);
    }
}

/* ---- Keras hooks ---- */

static json_t *from_keras(const char *type, const char *kcfg, int major,
                          bool channels_first, dl4c_status *st)
{
    const dl4c_layer_type *lt = dl4c_layer_type_find(type);
    dl4c_keras_ctx k = {major, channels_first, "layer 'k'"};
    json_t *in = json_loads(kcfg, 0, NULL);
    json_t *out = json_object();
    dl4c_clear_error();
    *st = lt && lt->from_keras ? lt->from_keras(&k, in, out) : DL4C_INTERNAL;
    json_decref(in);
    return out;
}

static void test_keras_hooks(void)
{
    dl4c_status st;
    json_t *o = from_keras("Merge",
                           "{\"mode\": \"concat\", \"concat_axis\": 1, "
                           "\"dot_axes\": -1, \"output_shape\": null}",
                           1, true, &st);
    CHECK(st == DL4C_OK);
    CHECK(!strcmp(json_string_value(json_object_get(o, "mode")), "concat"));
    CHECK(json_integer_value(json_object_get(o, "concat_axis")) == -1);
    json_decref(o);
    o = from_keras("Merge",
                   "{\"mode\": [\"lambda\", \"...\"], \"mode_type\": "
                   "\"lambda\"}",
                   1, false, &st);
    CHECK(st == DL4C_UNSUPPORTED &&
          strstr(dl4c_last_error(), "given as a function"));
    json_decref(o);
    o = from_keras("Concatenate", "{\"axis\": 1}", 2, true, &st);
    CHECK(st == DL4C_OK &&
          json_integer_value(json_object_get(o, "axis")) == -1);
    json_decref(o);
    o = from_keras("Concatenate", "{\"axis\": -1}", 2, true, &st);
    CHECK(st == DL4C_OK &&
          json_integer_value(json_object_get(o, "axis")) == -2);
    json_decref(o);
    o = from_keras("Dot", "{\"axes\": [1, 2], \"normalize\": true}", 2, false,
                   &st);
    CHECK(st == DL4C_OK);
    CHECK(json_array_size(json_object_get(o, "axes")) == 2);
    CHECK(json_is_true(json_object_get(o, "normalize")));
    json_decref(o);
    o = from_keras("Add", "{\"name\": \"add_1\", \"trainable\": true}", 2,
                   false, &st);
    CHECK(st == DL4C_OK && json_object_size(o) == 0);
    json_decref(o);
}

TEST_MAIN(test_elementwise_broadcast, test_maximum_ties, test_dot_values,
          test_concat_middle_axis, test_masks, test_keras_hooks)
