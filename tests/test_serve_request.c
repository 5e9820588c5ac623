// labels: unit badinput
/* The TensorFlow Serving request parser and response writers of the model
 * server: both JSON formats, named and unnamed inputs, :classify and
 * :regress examples, and every malformed body a client can send. */
#include "serve/request_internal.h"
#include "serve/response_internal.h"
#include "test.h"

/* One input "x" of [4] and one output "y" of [3]. */
static dl4c_serve_signature one_input(void)
{
    dl4c_serve_signature s = {.n_inputs = 1, .n_outputs = 1};
    s.input_names[0] = "x";
    s.input_shapes[0] = (dl4c_shape){1, {4}};
    s.input_sizes[0] = 4;
    s.output_names[0] = "y";
    s.output_shapes[0] = (dl4c_shape){1, {3}};
    s.output_sizes[0] = 3;
    return s;
}

/* Inputs "a" [2] and "b" [2, 2]; outputs "p" [1] and "q" [2]. */
static dl4c_serve_signature two_inputs(void)
{
    dl4c_serve_signature s = {.n_inputs = 2, .n_outputs = 2};
    s.input_names[0] = "a";
    s.input_shapes[0] = (dl4c_shape){1, {2}};
    s.input_sizes[0] = 2;
    s.input_names[1] = "b";
    s.input_shapes[1] = (dl4c_shape){2, {2, 2}};
    s.input_sizes[1] = 4;
    s.output_names[0] = "p";
    s.output_shapes[0] = (dl4c_shape){1, {1}};
    s.output_sizes[0] = 1;
    s.output_names[1] = "q";
    s.output_shapes[1] = (dl4c_shape){1, {2}};
    s.output_sizes[1] = 2;
    return s;
}

static const dl4c_serve_limits lim = {.max_depth = 32, .max_rows = 1000};

static dl4c_status parse(const char *body, dl4c_serve_verb verb,
                         const dl4c_serve_signature *sig, dl4c_serve_request *r)
{
    return dl4c_serve_parse(body, strlen(body), verb, sig, &lim, r);
}

static void test_row_format(void)
{
    dl4c_serve_signature s = one_input();
    dl4c_serve_request r;
    CHECK_OK(parse("{\"instances\": [[1, 2, 3, 4], [5, 6, 7, 8.5]]}",
                   DL4C_VERB_PREDICT, &s, &r));
    CHECK(r.rows == 2 && !r.columnar && r.n_inputs == 1);
    CHECK(r.inputs[0][0] == 1 && r.inputs[0][7] == 8.5f);
    dl4c_serve_request_deinit(&r);
    /* named input, and a nested value of the same element count */
    CHECK_OK(parse("{\"signature_name\": \"serving_default\", \"instances\": "
                   "[{\"x\": [[1, 2], [3, 4]]}]}",
                   DL4C_VERB_PREDICT, &s, &r));
    CHECK(r.rows == 1 && r.inputs[0][3] == 4);
    dl4c_serve_request_deinit(&r);
}

/* The fast path (plain "instances" bodies) gives the full parser's bits
 * for every number form, and hands everything else back. */
static void test_fast_path_matches(void)
{
    dl4c_serve_signature s = one_input();
    s.input_shapes[0] = (dl4c_shape){2, {2, 2}};
    static const char *const numbers[] = {"0",
                                          "-0",
                                          "1",
                                          "-7",
                                          "0.1",
                                          "3.14159",
                                          "-2.5e-3",
                                          "1E10",
                                          "6.02214076e23",
                                          "1e-45",
                                          "3.4028234e38",
                                          "1.17549435e-38",
                                          "0.000000000000000000000000001",
                                          "2.2250738585072014e-308",
                                          "9007199254740993",
                                          "-9223372036854775808",
                                          "9223372036854775807",
                                          "1.0000000000000002",
                                          "4.9e-324",
                                          "12345.678901234567",
                                          "-0.0e+0",
                                          "1e22",
                                          "1e23"};
    int n = (int)(sizeof numbers / sizeof numbers[0]);
    for (int k = 0; k + 4 <= n + 3; k++) {
        char body[512];
        const char *a = numbers[k % n], *b = numbers[(k + 1) % n],
                   *c = numbers[(k + 2) % n], *d = numbers[(k + 3) % n];
        /* nested and flat examples, odd spacing */
        snprintf(body, sizeof body,
                 " { \"instances\" :[ [[%s,%s],[%s,%s]] ,\n[%s, %s, %s,%s]]} ",
                 a, b, c, d, d, c, b, a);
        dl4c_serve_request fast, full;
        bool took = dl4c_serve_parse_fast(body, strlen(body), &s, &lim, &fast);
        CHECK_MSG(took, "fast path refused %s", body);
        CHECK_OK(dl4c_serve_parse_json(body, strlen(body), DL4C_VERB_PREDICT,
                                       &s, &lim, &full));
        if (took && full.rows == 2) {
            CHECK(fast.rows == 2);
            CHECK_MSG(
                !memcmp(fast.inputs[0], full.inputs[0], 8 * sizeof(float)),
                "%s", body);
            dl4c_serve_request_deinit(&fast);
        }
        dl4c_serve_request_deinit(&full);
    }
    /* handed back: other keys, names, wrong sizes, NaN, too many rows,
     * trailing text; the full parser then answers (here with errors) */
    static const char *const others[] = {
        "{\"signature_name\": \"x\", \"instances\": [[1,2,3,4]]}",
        "{\"instances\": [{\"x\": [1,2,3,4]}]}",
        "{\"instances\": [[1,2,3]]}",
        "{\"instances\": [[1,2,3,NaN]]}",
        "{\"instances\": [[1,2,3,1e39]]}",
        "{\"instances\": [[1,2,3,4]]} x",
        "{\"instances\": []}",
        "{\"instances\": [[1,2,3,04]]}",
        "{\"instances\": [[1,2,3,4.]]}",
        "{\"instances\": [[1,2,3,9223372036854775808]]}",
        "{\"instances\": [[1,2,3,123456789012345678901]]}"};
    for (size_t k = 0; k < sizeof others / sizeof others[0]; k++) {
        dl4c_serve_request r;
        memset(&r, 0x5a, sizeof r);
        CHECK_MSG(
            !dl4c_serve_parse_fast(others[k], strlen(others[k]), &s, &lim, &r),
            "fast path took %s", others[k]);
    }
    dl4c_serve_limits two = {.max_depth = 32, .max_rows = 2};
    const char *three = "{\"instances\": [[1,2,3,4],[1,2,3,4],[1,2,3,4]]}";
    dl4c_serve_request r;
    CHECK(!dl4c_serve_parse_fast(three, strlen(three), &s, &two, &r));
    CHECK_ERR(
        dl4c_serve_parse(three, strlen(three), DL4C_VERB_PREDICT, &s, &two, &r),
        DL4C_FORMAT, "more than the limit");
}

static void test_columnar_format(void)
{
    dl4c_serve_signature s = one_input();
    dl4c_serve_request r;
    CHECK_OK(parse("{\"inputs\": [[1, 2, 3, 4], [5, 6, 7, 8]]}",
                   DL4C_VERB_PREDICT, &s, &r));
    CHECK(r.rows == 2 && r.columnar && r.inputs[0][4] == 5);
    dl4c_serve_request_deinit(&r);
    CHECK_OK(parse("{\"inputs\": {\"x\": [[1, 2, 3, 4]]}}", DL4C_VERB_PREDICT,
                   &s, &r));
    CHECK(r.rows == 1 && r.columnar);
    dl4c_serve_request_deinit(&r);
}

static void test_two_inputs(void)
{
    dl4c_serve_signature s = two_inputs();
    dl4c_serve_request r;
    CHECK_OK(parse("{\"instances\": [{\"a\": [1, 2], \"b\": [[1, 2], [3, 4]]},"
                   " {\"b\": [[5, 6], [7, 8]], \"a\": [3, 4]}]}",
                   DL4C_VERB_PREDICT, &s, &r));
    CHECK(r.rows == 2 && r.inputs[0][2] == 3 && r.inputs[1][7] == 8);
    dl4c_serve_request_deinit(&r);
    CHECK_OK(parse("{\"inputs\": {\"a\": [[1, 2]], \"b\": [[[1, 2], [3, 4]]]}}",
                   DL4C_VERB_PREDICT, &s, &r));
    CHECK(r.rows == 1 && r.inputs[1][3] == 4);
    dl4c_serve_request_deinit(&r);
    CHECK_ERR(parse("{\"instances\": [[1, 2]]}", DL4C_VERB_PREDICT, &s, &r),
              DL4C_FORMAT, "give each instance as an object of named inputs");
    CHECK_ERR(
        parse("{\"instances\": [{\"a\": [1, 2]}]}", DL4C_VERB_PREDICT, &s, &r),
        DL4C_FORMAT, "instances[0]: missing input 'b'");
    CHECK_ERR(parse("{\"instances\": [{\"a\": [1, 2], \"b\": [[1, 2], [3, 4]],"
                    " \"c\": 1}]}",
                    DL4C_VERB_PREDICT, &s, &r),
              DL4C_FORMAT, "unknown input 'c' (the model's inputs: a, b)");
    CHECK_ERR(parse("{\"inputs\": {\"a\": [[1, 2], [3, 4]], \"b\": "
                    "[[[1, 2], [3, 4]]]}}",
                    DL4C_VERB_PREDICT, &s, &r),
              DL4C_SHAPE, "'a' has 2 examples and 'b' has 1");
}

static void test_examples(void)
{
    dl4c_serve_signature s = one_input();
    dl4c_serve_request r;
    CHECK_OK(parse("{\"examples\": [{\"x\": [1, 2, 3, 4]}, {\"x\": [5, 6, 7, "
                   "8]}]}",
                   DL4C_VERB_CLASSIFY, &s, &r));
    CHECK(r.rows == 2 && r.inputs[0][5] == 6);
    dl4c_serve_request_deinit(&r);
    dl4c_serve_signature t = two_inputs();
    CHECK_OK(parse("{\"signature_name\": \"tensorflow/serving/regress\","
                   " \"context\": {\"b\": [1, 2, 3, 4]},"
                   " \"examples\": [{\"a\": [1, 2]}, {\"a\": [3, 4]}]}",
                   DL4C_VERB_REGRESS, &t, &r));
    CHECK(r.rows == 2 && r.inputs[1][4] == 1 && r.inputs[0][3] == 4);
    dl4c_serve_request_deinit(&r);
    CHECK_ERR(parse("{\"context\": {\"a\": [1, 2]}, \"examples\": [{\"a\": "
                    "[1, 2], \"b\": [1, 2, 3, 4]}]}",
                    DL4C_VERB_REGRESS, &t, &r),
              DL4C_FORMAT, "feature 'a' is also in \"context\"");
    CHECK_ERR(parse("{\"examples\": [{\"x\": [1, 2, 3, 4]}, 7]}",
                    DL4C_VERB_CLASSIFY, &s, &r),
              DL4C_FORMAT, "examples[1]: expected an object of features");
    CHECK_ERR(
        parse("{\"instances\": [[1, 2, 3, 4]]}", DL4C_VERB_CLASSIFY, &s, &r),
        DL4C_FORMAT, ":classify takes \"examples\"");
    CHECK_ERR(parse("{\"examples\": [{\"x\": [1, 2, 3, 4]}]}",
                    DL4C_VERB_PREDICT, &s, &r),
              DL4C_FORMAT, "\"examples\" belong to :classify and :regress");
}

static void test_bad_bodies(void)
{
    dl4c_serve_signature s = one_input();
    dl4c_serve_request r;
    struct {
        const char *body;
        dl4c_status code;
        const char *msg;
    } cases[] = {
        {"", DL4C_FORMAT, "malformed JSON"},
        {"{\"instances\": [[1, 2, 3, 4]", DL4C_FORMAT, "malformed JSON"},
        {"[1, 2]", DL4C_FORMAT, "must be a JSON object, got a list"},
        {"{}", DL4C_FORMAT, "missing \"instances\""},
        {"{\"instances\": [], \"inputs\": []}", DL4C_FORMAT, "not both"},
        {"{\"instances\": []}", DL4C_FORMAT, "\"instances\" is empty"},
        {"{\"instances\": 5}", DL4C_FORMAT, "\"instances\" must be a list"},
        {"{\"instances\": [[1, 2, 3]]}", DL4C_SHAPE,
         "instances[0]: input 'x' takes shape [4] per example, got [3]"},
        {"{\"instances\": [[1, 2, 3, 4], [1, 2]]}", DL4C_SHAPE,
         "instances[1]: input 'x' takes shape [4] per example, got [2]"},
        {"{\"instances\": [[[1, 2], [3]]]}", DL4C_SHAPE,
         "instances[0][1]: expected a list of 2 values, got 1"},
        {"{\"instances\": [[1, 2, 3, \"4\"]]}", DL4C_FORMAT,
         "instances[0][3]: expected a number, got a string"},
        {"{\"instances\": [[1, 2, 3, true]]}", DL4C_FORMAT,
         "expected a number, got true"},
        {"{\"instances\": [[1, 2, 3, null]]}", DL4C_FORMAT,
         "expected a number, got null"},
        {"{\"instances\": [1, 2, 3, 4]}", DL4C_SHAPE, "got a single number"},
        {"{\"instances\": [[1, 2, 3, NaN]]}", DL4C_FORMAT, "malformed JSON"},
        {"{\"instances\": [[1, 2, 3, Infinity]]}", DL4C_FORMAT,
         "malformed JSON"},
        {"{\"instances\": [[1, 2, 3, 1e400]]}", DL4C_FORMAT, "malformed JSON"},
        {"{\"instances\": [[1, 2, 3, 1e39]]}", DL4C_FORMAT,
         "outside the float32 range"},
        {"{\"instances\": [[1, 2, 3, 123456789012345678901234567890]]}",
         DL4C_FORMAT, "malformed JSON"},
        {"{\"instances\": [{\"b64\": \"aGVsbG8=\"}]}", DL4C_UNSUPPORTED,
         "binary values"},
        {"{\"instances\": [[1, 2, 3, 4]], \"signature_name\": \"other\"}",
         DL4C_FORMAT, "serving signature name 'other' not found"},
        {"{\"instances\": [[1, 2, 3, 4]], \"signature_name\": 7}", DL4C_FORMAT,
         "\"signature_name\" must be a string"},
        {"{\"instances\": [[1, 2, 3, 4]], \"instances\": [[1, 2, 3, 4]]}",
         DL4C_FORMAT, "duplicate"},
        {"{\"instances\": [\"\xff\xfe\"]}", DL4C_FORMAT, "malformed JSON"},
        {"{\"inputs\": {\"z\": [[1, 2, 3, 4]]}}", DL4C_FORMAT,
         "unknown input 'z'"},
        {"{\"inputs\": 3}", DL4C_FORMAT, "expected a list with one entry"},
        {"{\"inputs\": [[[[[[[[[[1]]]]]]]]]]}", DL4C_FORMAT,
         "nested more than 8 deep"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_ERR(parse(cases[i].body, DL4C_VERB_PREDICT, &s, &r),
                  cases[i].code, cases[i].msg);
        CHECK(r.rows == 0 && r.inputs[0] == NULL);
    }
    /* a body cut anywhere is malformed, never a crash */
    const char *full = "{\"instances\": [{\"x\": [1.5, -2, 3e2, 4]}]}";
    for (size_t n = 0; n < strlen(full); n++) {
        dl4c_status st =
            dl4c_serve_parse(full, n, DL4C_VERB_PREDICT, &s, &lim, &r);
        CHECK(st == DL4C_FORMAT);
    }
}

static void test_limits(void)
{
    dl4c_serve_signature s = one_input();
    dl4c_serve_request r;
    char deep[200] = "{\"instances\": ";
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    CHECK_ERR(parse(deep, DL4C_VERB_PREDICT, &s, &r), DL4C_FORMAT,
              "nested more than 32 levels deep");
    /* brackets inside strings do not count */
    CHECK_ERR(parse("{\"instances\": [[1, 2, 3, 4]], \"signature_name\": "
                    "\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}",
                    DL4C_VERB_PREDICT, &s, &r),
              DL4C_FORMAT, "signature name");
    /* more rows than allowed */
    dl4c_serve_limits small = {.max_depth = 32, .max_rows = 2};
    const char *three = "{\"instances\": [[1,2,3,4],[1,2,3,4],[1,2,3,4]]}";
    CHECK_ERR(dl4c_serve_parse(three, strlen(three), DL4C_VERB_PREDICT, &s,
                               &small, &r),
              DL4C_FORMAT, "more than the limit of 2");
    /* many empty rows never take memory for the rows they claim */
    size_t n = 200000;
    char *body = malloc(32 + 3 * n);
    strcpy(body, "{\"instances\": [");
    char *p = body + strlen(body);
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        *p++ = '[';
        *p++ = ']';
    }
    strcpy(p, "]}");
    dl4c_serve_limits big = {.max_depth = 32, .max_rows = 1 << 20};
    CHECK_ERR(
        dl4c_serve_parse(body, strlen(body), DL4C_VERB_PREDICT, &s, &big, &r),
        DL4C_SHAPE, "instances[0]: input 'x' takes shape [4]");
    free(body);
}

static void test_responses(void)
{
    dl4c_serve_signature s = one_input();
    float y[6] = {0.5f, 0.25f, 0.25f, 1, 0, NAN};
    float *outs[1] = {y};
    size_t len = 0;
    char *t = dl4c_serve_write_predict(&s, false, 2, outs, &len);
    CHECK(t && !strcmp(t, "{\"predictions\": [[0.5, 0.25, 0.25], [1, 0, "
                          "NaN]]}\n"));
    CHECK(len == strlen(t));
    dl4c_free(t);
    t = dl4c_serve_write_predict(&s, true, 2, outs, &len);
    CHECK(t && !strcmp(t, "{\"outputs\": [[0.5, 0.25, 0.25], [1, 0, NaN]]}\n"));
    dl4c_free(t);
    dl4c_serve_signature m = two_inputs();
    float p[2] = {1, 2}, q[4] = {3, 4, 5, 6};
    float *two[2] = {p, q};
    t = dl4c_serve_write_predict(&m, false, 2, two, &len);
    CHECK(t && !strcmp(t, "{\"predictions\": [{\"p\": [1], \"q\": [3, 4]}, "
                          "{\"p\": [2], \"q\": [5, 6]}]}\n"));
    dl4c_free(t);
    t = dl4c_serve_write_predict(&m, true, 2, two, &len);
    CHECK(t && !strcmp(t, "{\"outputs\": {\"p\": [[1], [2]], \"q\": [[3, 4], "
                          "[5, 6]]}}\n"));
    dl4c_free(t);
    const char *names[3] = {"setosa", "versicolor", "virginica"};
    t = dl4c_serve_write_classify(1, 3, y, 3, names, &len);
    CHECK(t &&
          !strcmp(t, "{\"results\": [[[\"setosa\", 0.5], "
                     "[\"versicolor\", 0.25], [\"virginica\", 0.25]]]}\n"));
    dl4c_free(t);
    float sig[1] = {0.75f};
    t = dl4c_serve_write_classify(1, 1, sig, 0, NULL, &len);
    CHECK(t && !strcmp(t, "{\"results\": [[[\"0\", 0.25], [\"1\", 0.75]]]}\n"));
    dl4c_free(t);
    float reg[2] = {3.5f, 4};
    t = dl4c_serve_write_regress(2, reg, &len);
    CHECK(t && !strcmp(t, "{\"results\": [3.5, 4]}\n"));
    dl4c_free(t);
    t = dl4c_serve_write_error("bad \"x\"\n", &len);
    CHECK(t && !strcmp(t, "{\"error\": \"bad \\\"x\\\"\\n\"}\n"));
    dl4c_free(t);
    /* floats round-trip with the fewest digits */
    float third = 1.0f / 3.0f;
    float *o3[1] = {&third};
    dl4c_serve_signature one = one_input();
    one.output_shapes[0] = (dl4c_shape){0, {0}};
    one.output_sizes[0] = 1;
    t = dl4c_serve_write_predict(&one, false, 1, o3, &len);
    CHECK(t && strtof(strchr(t, '[') + 1, NULL) == third);
    dl4c_free(t);
    dl4c_serve_version_status v[2] = {{2, "AVAILABLE", NULL},
                                      {1, "END", "bad file"}};
    t = dl4c_serve_write_status(v, 2, &len);
    CHECK(t && strstr(t, "\"version\": \"2\", \"state\": \"AVAILABLE\"") &&
          strstr(t, "\"error_code\": \"UNKNOWN\", \"error_message\": \"bad "
                    "file\""));
    dl4c_free(t);
}

TEST_MAIN(test_row_format, test_fast_path_matches, test_columnar_format,
          test_two_inputs, test_examples, test_bad_bodies, test_limits,
          test_responses)
