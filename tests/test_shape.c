// labels: unit badinput
/* The shape layers' element order (Permute, Reshape and Flatten with
 * either order, RepeatVector, ZeroPadding, Cropping), the summary table
 * of a net built from them, and the Keras hooks of the pooling and shape
 * layers: Keras 1, 2 and 3 config spellings, channels_first, and the
 * options dl4c refuses. The registry test (test_layers.c) checks their
 * gradients and config round trips. */
#include <string.h>

#include "nn/layer_internal.h"
#include "test.h"

static dl4c_net *net_of(const char *shape, const char *layers)
{
    char cfg[2048];
    dl4c_net *net = NULL;
    snprintf(cfg, sizeof cfg,
             "{\"inputs\": [{\"name\": \"x\", \"shape\": %s}], "
             "\"layers\": %s}",
             shape, layers);
    dl4c_status st = dl4c_net_parse(cfg, DL4C_F32, &net);
    CHECK_MSG(st == DL4C_OK, "%s: %s", cfg, dl4c_last_error());
    return net;
}

/* One example of per-example dims `dims` holding 0, 1, 2, ... */
static dl4c_tensor *iota(int ndim, const int64_t *dims)
{
    int64_t full[DL4C_MAX_DIMS] = {1};
    dl4c_tensor *t = NULL;
    memcpy(full + 1, dims, sizeof(int64_t) * (size_t)ndim);
    if (dl4c_tensor_create(DL4C_F32, ndim + 1, full, &t) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; i < dl4c_tensor_size(t); i++)
        dl4c_tensor_set(t, i, (double)i);
    return t;
}

/* Runs `layers` on iota(dims) and compares the output with want[n]. */
static void expect(const char *shape, int ndim, const int64_t *dims,
                   const char *layers, const double *want, int64_t n)
{
    dl4c_net *net = net_of(shape, layers);
    dl4c_tensor *x = iota(ndim, dims);
    const dl4c_tensor *xs[1] = {x};
    REQUIRE(net && x);
    CHECK_OK(dl4c_net_forward(net, 1, xs, false));
    const dl4c_tensor *y = dl4c_net_output(net, 0);
    CHECK_MSG(y && dl4c_tensor_size(y) == n, "%s: %lld values", layers,
              y ? (long long)dl4c_tensor_size(y) : -1LL);
    for (int64_t i = 0; y && i < n && i < dl4c_tensor_size(y); i++)
        CHECK_MSG(dl4c_tensor_get(y, i) == want[i], "%s: y[%lld] = %g, not %g",
                  layers, (long long)i, dl4c_tensor_get(y, i), want[i]);
    dl4c_net_free(net);
    dl4c_tensor_free(x);
}

static void test_permute_order(void)
{
    /* [2, 3, 4] by dims [3, 1, 2] -> [4, 2, 3]: y[k][i][j] = x[i][j][k] */
    const int64_t dims[3] = {2, 3, 4};
    double want[24];
    for (int k = 0; k < 4; k++)
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                want[(k * 2 + i) * 3 + j] = i * 12 + j * 4 + k;
    expect("[2, 3, 4]", 3, dims,
           "[{\"type\": \"Permute\", \"dims\": [3, 1, 2]}]", want, 24);
    /* [2, 3] by [2, 1]: the transpose */
    const int64_t d2[2] = {2, 3};
    const double t2[6] = {0, 3, 1, 4, 2, 5};
    expect("[2, 3]", 2, d2, "[{\"type\": \"Permute\", \"dims\": [2, 1]}]", t2,
           6);
}

static void test_reshape_and_flatten_order(void)
{
    const int64_t dims[3] = {2, 3, 2}; /* H, W, C */
    double same[12], cmajor[12];
    for (int i = 0; i < 12; i++)
        same[i] = i;
    for (int c = 0; c < 2; c++)
        for (int h = 0; h < 2; h++)
            for (int w = 0; w < 3; w++)
                cmajor[c * 6 + h * 3 + w] = (h * 3 + w) * 2 + c;
    expect("[2, 3, 2]", 3, dims,
           "[{\"type\": \"Reshape\", \"target_shape\": [-1, 4]}]", same, 12);
    expect("[2, 3, 2]", 3, dims, "[{\"type\": \"Flatten\"}]", same, 12);
    expect("[2, 3, 2]", 3, dims,
           "[{\"type\": \"Flatten\", \"order\": \"channels_first\"}]", cmajor,
           12);
    expect("[2, 3, 2]", 3, dims,
           "[{\"type\": \"Reshape\", \"target_shape\": [2, 6], \"order\": "
           "\"channels_first\"}]",
           cmajor, 12);
    /* Reshape then Flatten back: the identity */
    expect("[2, 3, 2]", 3, dims,
           "[{\"type\": \"Reshape\", \"target_shape\": [3, 4]}, {\"type\": "
           "\"Flatten\"}]",
           same, 12);
}

static void test_repeat_pad_crop_values(void)
{
    const int64_t v3[1] = {3};
    const double rep[6] = {0, 1, 2, 0, 1, 2};
    expect("[3]", 1, v3, "[{\"type\": \"RepeatVector\", \"n\": 2}]", rep, 6);

    /* [2, 2, 1] holding 0..3, padded top 0 / bottom 1, left 2 / right 0 */
    const int64_t p2[3] = {2, 2, 1};
    const double pad[12] = {0, 0, 0, 1, 0, 0, 2, 3, 0, 0, 0, 0};
    expect("[2, 2, 1]", 3, p2,
           "[{\"type\": \"ZeroPadding2D\", \"padding\": [[0, 1], [2, 0]]}]",
           pad, 12);

    /* [3, 4, 1] holding 0..11, cropped top 1, right 2 */
    const int64_t c2[3] = {3, 4, 1};
    const double crop[4] = {4, 5, 8, 9};
    expect("[3, 4, 1]", 3, c2,
           "[{\"type\": \"Cropping2D\", \"cropping\": [[1, 0], [0, 2]]}]", crop,
           4);

    /* 5 steps x 2 features, cropped 1 before and 2 after */
    const int64_t c1[2] = {5, 2};
    const double crop1[4] = {2, 3, 4, 5};
    expect("[5, 2]", 2, c1,
           "[{\"type\": \"Cropping1D\", \"cropping\": [1, 2]}]", crop1, 4);

    /* padding then the same cropping: the identity */
    const int64_t d3[4] = {2, 1, 2, 2};
    double id[8];
    for (int i = 0; i < 8; i++)
        id[i] = i;
    expect("[2, 1, 2, 2]", 4, d3,
           "[{\"type\": \"ZeroPadding3D\", \"padding\": [[1, 0], [0, 2], [1, "
           "1]]}, {\"type\": \"Cropping3D\", \"cropping\": [[1, 0], [0, 2], "
           "[1, 1]]}]",
           id, 8);
}

/* Output shapes and parameter counts as Keras prints them. */
static void test_summary(void)
{
    dl4c_net *net = net_of(
        "[28, 28, 1]",
        "[{\"type\": \"ZeroPadding2D\", \"padding\": 2},"
        " {\"type\": \"MaxPooling2D\"},"
        " {\"type\": \"AveragePooling2D\", \"pool_size\": 3, \"strides\": 2, "
        "\"padding\": \"same\"},"
        " {\"type\": \"UpSampling2D\", \"size\": [1, 2]},"
        " {\"type\": \"Cropping2D\", \"cropping\": [[1, 0], [2, 2]]},"
        " {\"type\": \"GlobalMaxPooling2D\", \"keepdims\": true},"
        " {\"type\": \"Reshape\", \"target_shape\": [1, -1]},"
        " {\"type\": \"Permute\", \"dims\": [2, 1]},"
        " {\"type\": \"Flatten\"},"
        " {\"type\": \"RepeatVector\", \"n\": 3},"
        " {\"type\": \"GlobalAveragePooling1D\"},"
        " {\"type\": \"Dense\", \"units\": 4}]");
    char *text = NULL;
    REQUIRE(net);
    REQUIRE_OK(dl4c_net_summary(net, &text));
    const char *want[] = {
        "(ZeroPadding2D)",   "(None, 32, 32, 1)",    "(MaxPooling2D)",
        "(None, 16, 16, 1)", "(None, 8, 8, 1)",      "(None, 8, 16, 1)",
        "(None, 7, 12, 1)",  "(GlobalMaxPooling2D)", "(None, 1, 1, 1)",
        "(None, 1, 1)",      "(None, 3, 1)",         "(GlobalAveragePooling1D)",
        "(None, 4)",         "Total params: 8",      "Trainable params: 8"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CHECK_MSG(strstr(text, want[i]), "summary lacks '%s':\n%s", want[i],
                  text);
    dl4c_free(text);
    dl4c_net_free(net);
}

/* ---- Keras hooks */

static const dl4c_layer_type *by_keras_class(const char *cls)
{
    for (int t = 0; t < dl4c_layer_type_count(); t++) {
        const dl4c_layer_type *type = dl4c_layer_type_at(t);
        for (int k = 0; type->keras_classes && type->keras_classes[k]; k++)
            if (!strcmp(type->keras_classes[k], cls))
                return type;
    }
    return NULL;
}

/* from_keras of the type importing `cls` on `kcfg` must give `want`
 * (JSON), and that config must build on an input of `shape`. */
static void keras_ok(const char *cls, int major, bool channels_first,
                     const char *kcfg, const char *want, const char *shape)
{
    const dl4c_layer_type *type = by_keras_class(cls);
    dl4c_keras_ctx k = {major, channels_first, "layer 'k' (test)"};
    json_t *in = json_loads(kcfg, 0, NULL), *out = json_object();
    json_t *expected = json_loads(want, 0, NULL);
    CHECK_MSG(type && type->from_keras, "no type imports %s", cls);
    REQUIRE(type && type->from_keras && in && expected);
    CHECK_OK(type->from_keras(&k, in, out));
    char *got = json_dumps(out, JSON_SORT_KEYS | JSON_COMPACT);
    CHECK_MSG(json_equal(out, expected), "%s %s: got %s, want %s", cls, kcfg,
              got, want);
    free(got);
    json_object_set_new(out, "type", json_string(type->name));
    json_t *layers = json_pack("[O]", out);
    char *ltext = json_dumps(layers, JSON_COMPACT);
    dl4c_net *net = net_of(shape, ltext);
    CHECK(net != NULL);
    dl4c_net_free(net);
    free(ltext);
    json_decref(layers);
    json_decref(in);
    json_decref(out);
    json_decref(expected);
}

static void keras_fails(const char *cls, const char *kcfg, dl4c_status code,
                        const char *msg)
{
    const dl4c_layer_type *type = by_keras_class(cls);
    dl4c_keras_ctx k = {2, false, "layer 'k' (test)"};
    json_t *in = json_loads(kcfg, 0, NULL), *out = json_object();
    REQUIRE(type && type->from_keras && in);
    CHECK_ERR(type->from_keras(&k, in, out), code, msg);
    json_decref(in);
    json_decref(out);
}

static void test_keras_pooling(void)
{
    keras_ok("MaxPooling1D", 1, false,
             "{\"name\": \"p\", \"pool_length\": 3, \"stride\": null, "
             "\"border_mode\": \"same\"}",
             "{\"pool_size\": [3], \"padding\": \"same\"}", "[5, 2]");
    keras_ok("AveragePooling1D", 2, false,
             "{\"pool_size\": [2], \"strides\": [1], \"padding\": \"valid\", "
             "\"data_format\": \"channels_last\"}",
             "{\"pool_size\": [2], \"strides\": [1], \"padding\": \"valid\"}",
             "[5, 2]");
    keras_ok("MaxPool2D", 2, true,
             "{\"pool_size\": [2, 2], \"strides\": [1, 1], \"padding\": "
             "\"valid\", \"data_format\": \"channels_first\"}",
             "{\"pool_size\": [2, 2], \"strides\": [1, 1], \"padding\": "
             "\"valid\"}",
             "[4, 4, 3]");
    keras_ok("MaxPooling2D", 1, false,
             "{\"pool_size\": [2, 2], \"strides\": null, \"border_mode\": "
             "\"valid\", \"dim_ordering\": \"th\"}",
             "{\"pool_size\": [2, 2], \"padding\": \"valid\"}", "[4, 4, 3]");
    keras_ok("AveragePooling3D", 3, false,
             "{\"pool_size\": [1, 2, 2], \"strides\": [1, 2, 2], \"padding\": "
             "\"SAME\"}",
             "{\"pool_size\": [1, 2, 2], \"strides\": [1, 2, 2], \"padding\": "
             "\"same\"}",
             "[2, 3, 3, 1]");
    keras_ok("GlobalMaxPooling1D", 3, false,
             "{\"data_format\": \"channels_last\", \"keepdims\": false}",
             "{\"keepdims\": false, \"masked\": false}", "[4, 2]");
    keras_ok("GlobalAveragePooling1D", 2, false, "{\"keepdims\": true}",
             "{\"keepdims\": true}", "[4, 2]");
    keras_ok("GlobalAvgPool2D", 1, false, "{\"dim_ordering\": \"tf\"}", "{}",
             "[3, 3, 2]");
    keras_ok("GlobalMaxPooling3D", 3, true,
             "{\"data_format\": \"channels_first\", \"keepdims\": true}",
             "{\"keepdims\": true}", "[2, 2, 2, 1]");
    keras_fails(
        "MaxPooling2D", "{\"pool_size\": [2, 2], \"padding\": \"full\"}",
        DL4C_UNSUPPORTED, "layer 'k' (test): padding 'full' is not supported");
    keras_fails("AveragePooling2D", "{\"pool_size\": [2, 2, 2]}", DL4C_FORMAT,
                "key 'pool_size' must be an integer or a list of 2 integers");
}

static void test_keras_shape_layers(void)
{
    keras_ok("ZeroPadding1D", 1, false, "{\"padding\": 2}",
             "{\"padding\": [2, 2]}", "[3, 2]");
    keras_ok("ZeroPadding1D", 1, false,
             "{\"padding\": {\"left_pad\": 1, \"right_pad\": 3}}",
             "{\"padding\": [1, 3]}", "[3, 2]");
    keras_ok("ZeroPadding2D", 1, false, "{\"padding\": [1, 2, 3, 4]}",
             "{\"padding\": [[1, 2], [3, 4]]}", "[3, 3, 1]");
    keras_ok("ZeroPadding2D", 1, false,
             "{\"padding\": {\"top_pad\": 1, \"left_pad\": 2, \"right_pad\": "
             "3}}",
             "{\"padding\": [[1, 0], [2, 3]]}", "[3, 3, 1]");
    keras_ok("ZeroPadding2D", 2, true,
             "{\"padding\": [[1, 1], [2, 2]], \"data_format\": "
             "\"channels_first\"}",
             "{\"padding\": [[1, 1], [2, 2]]}", "[3, 3, 1]");
    keras_ok("ZeroPadding3D", 1, false, "{\"padding\": [1, 0, 2]}",
             "{\"padding\": [[1, 1], [0, 0], [2, 2]]}", "[2, 2, 2, 1]");
    keras_ok("Cropping1D", 2, false, "{\"cropping\": [1, 0]}",
             "{\"cropping\": [1, 0]}", "[3, 2]");
    keras_ok("Cropping2D", 3, true,
             "{\"cropping\": [[0, 1], [2, 0]], \"data_format\": "
             "\"channels_first\"}",
             "{\"cropping\": [[0, 1], [2, 0]]}", "[3, 4, 1]");
    keras_ok("Cropping3D", 2, false, "{\"cropping\": 1}",
             "{\"cropping\": [[1, 1], [1, 1], [1, 1]]}", "[3, 3, 3, 1]");
    keras_ok("UpSampling1D", 1, false, "{\"length\": 3}", "{\"size\": [3]}",
             "[3, 2]");
    keras_ok("UpSampling1D", 3, false, "{\"size\": 2}", "{\"size\": [2]}",
             "[3, 2]");
    keras_ok("UpSampling2D", 3, false,
             "{\"size\": [2, 3], \"interpolation\": \"bilinear\", "
             "\"data_format\": \"channels_last\"}",
             "{\"size\": [2, 3], \"interpolation\": \"bilinear\"}",
             "[2, 2, 1]");
    keras_ok("UpSampling2D", 1, false,
             "{\"size\": [2, 2], \"dim_ordering\": \"tf\"}",
             "{\"size\": [2, 2]}", "[2, 2, 1]");
    keras_ok("UpSampling3D", 2, false, "{\"size\": [1, 2, 2]}",
             "{\"size\": [1, 2, 2]}", "[2, 2, 2, 1]");
    keras_ok("RepeatVector", 2, false, "{\"n\": 4}", "{\"n\": 4}", "[3]");
    keras_ok("Reshape", 2, false, "{\"target_shape\": [-1, 2]}",
             "{\"target_shape\": [-1, 2]}", "[6]");
    keras_ok("Reshape", 1, true, "{\"target_shape\": [6]}",
             "{\"target_shape\": [6], \"order\": \"channels_first\"}",
             "[3, 2]");
    keras_ok("Permute", 2, false, "{\"dims\": [2, 1]}", "{\"dims\": [2, 1]}",
             "[3, 2]");
    /* channels-first Keras [C, H, W] -> [H, W, C]: dl4c holds [H, W, C]
     * already */
    keras_ok("Permute", 2, true, "{\"dims\": [2, 3, 1]}",
             "{\"dims\": [1, 2, 3]}", "[3, 4, 2]");
    keras_ok("Permute", 2, true, "{\"dims\": [1, 3, 2]}",
             "{\"dims\": [3, 2, 1]}", "[3, 4, 2]");
    keras_ok("Flatten", 2, false, "{\"data_format\": \"channels_last\"}", "{}",
             "[2, 2, 3]");
    keras_ok("Flatten", 1, true, "{}", "{\"order\": \"channels_first\"}",
             "[2, 2, 3]");
    keras_ok("Flatten", 2, true, "{\"data_format\": \"channels_first\"}", "{}",
             "[2, 2, 3]");
    keras_fails("UpSampling2D",
                "{\"size\": [2, 2], \"interpolation\": \"bicubic\"}",
                DL4C_UNSUPPORTED,
                "interpolation 'bicubic' is not supported (nearest, bilinear)");
    keras_fails("UpSampling1D", "{\"size\": 2, \"interpolation\": \"area\"}",
                DL4C_UNSUPPORTED, "interpolation 'area' is not supported");
    keras_fails("Permute", "{\"dims\": [2, 2]}", DL4C_FORMAT,
                "dims [2,2] is not a permutation of 1..2");
    keras_fails("ZeroPadding2D", "{\"padding\": [1, 2, 3]}", DL4C_FORMAT,
                "key 'padding' must be an integer, a list of 2 integers");
    keras_fails("RepeatVector", "{}", DL4C_FORMAT, "n must be an integer");
    keras_fails("Reshape", "{\"target_shape\": [-1, -1]}", DL4C_FORMAT,
                "one of which may be -1");
}

/* Every type of this family names its Keras classes. */
static void test_keras_classes_listed(void)
{
    const char *classes[] = {"MaxPooling1D",
                             "MaxPooling2D",
                             "MaxPooling3D",
                             "AveragePooling1D",
                             "AveragePooling2D",
                             "AveragePooling3D",
                             "AvgPool2D",
                             "GlobalMaxPooling1D",
                             "GlobalMaxPooling2D",
                             "GlobalMaxPooling3D",
                             "GlobalAveragePooling1D",
                             "GlobalAveragePooling2D",
                             "GlobalAveragePooling3D",
                             "Reshape",
                             "Permute",
                             "RepeatVector",
                             "ZeroPadding1D",
                             "ZeroPadding2D",
                             "ZeroPadding3D",
                             "Cropping1D",
                             "Cropping2D",
                             "Cropping3D",
                             "UpSampling1D",
                             "UpSampling2D",
                             "UpSampling3D",
                             "Flatten"};
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        const dl4c_layer_type *t = by_keras_class(classes[i]);
        CHECK_MSG(t && t->from_keras &&
                      !strcmp(t->keras_classes[0], t->keras_class),
                  "%s", classes[i]);
    }
}

TEST_MAIN(test_permute_order, test_reshape_and_flatten_order,
          test_repeat_pad_crop_values, test_summary, test_keras_pooling,
          test_keras_shape_layers, test_keras_classes_listed)
