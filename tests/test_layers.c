// labels: unit gradcheck badinput
/* The registry-driven layer test: for every registered layer type and
 * every example config it lists, a float64 central finite-difference check
 * of the gradients with respect to every parameter and every input value,
 * a JSON config round trip and a model-file round trip that must rebuild
 * an identical net, and config/shape error cases. A layer is covered the
 * moment it registers.
 *
 * An example is a JSON object:
 *   "input": [shape] or "inputs": [[shape], ...]   per-example input shapes
 *   "layer": {...}                                 the layer's config
 *   "outputs": n        check n outputs of the layer (default 1), each
 *                       through its own MSE loss
 *   "mask_value": v     put a Keras Masking(v) layer before the layer and
 *                       set some time steps of input 0 to v (masked steps)
 *   "int_inputs": [m0, m1, ...]   input k holds integers in [0, m_k)
 *                       (m_k = 0: real values), e.g. Embedding indices;
 *                       no gradient is checked for integer inputs
 *   "batch": n          examples in the batch (default 3)
 *   "error": "text"     the config must be refused with this in the
 *                       message (shape errors, bad options)
 */
#include <string.h>

#include <jansson.h>

#include "core/cpu/cpu_internal.h"
#include "nn/layer_internal.h"
#include "test.h"

#define BATCH 3
#define EPS 1e-6

static dl4c_rng rng;

/* Labels that suit the loss named in the layer config (MSE when the layer
 * has no loss and a Loss layer is appended). */
static dl4c_tensor *make_labels(const char *loss, const dl4c_shape *out,
                                int64_t batch)
{
    int64_t dims[DL4C_MAX_DIMS];
    int nd = out->ndim + 1;
    dims[0] = batch;
    for (int i = 0; i < out->ndim; i++)
        dims[i + 1] = out->dim[i];
    int64_t cols = out->dim[out->ndim - 1];
    bool sparse = !strcmp(loss, "sparse_mcxent");
    if (sparse)
        dims[nd - 1] = 1;
    dl4c_tensor *y = NULL;
    if (dl4c_tensor_create(DL4C_F64, nd, dims, &y) != DL4C_OK)
        return NULL;
    int64_t rows = dl4c_tensor_size(y) / (sparse ? 1 : cols);
    for (int64_t r = 0; r < rows; r++) {
        double sum = 0;
        for (int64_t c = 0; c < (sparse ? 1 : cols); c++) {
            int64_t i = r * (sparse ? 1 : cols) + c;
            double u = dl4c_rng_uniform(&rng);
            double v;
            if (sparse)
                v = (double)dl4c_rng_below(&rng, (uint64_t)cols);
            else if (!strcmp(loss, "mcxent") ||
                     !strcmp(loss, "negativeloglikelihood") ||
                     !strcmp(loss, "kl_divergence"))
                v = 0.1 + u; /* normalized below */
            else if (!strcmp(loss, "xent"))
                v = u;
            else if (!strcmp(loss, "hinge") || !strcmp(loss, "squared_hinge"))
                v = u < 0.5 ? -1 : 1;
            else
                v = 2 * u - 1;
            dl4c_tensor_set(y, i, v);
            sum += v;
        }
        if (!sparse && (!strcmp(loss, "mcxent") ||
                        !strcmp(loss, "negativeloglikelihood") ||
                        !strcmp(loss, "kl_divergence")))
            for (int64_t c = 0; c < cols; c++)
                dl4c_tensor_set(y, r * cols + c,
                                dl4c_tensor_get(y, r * cols + c) / sum);
    }
    return y;
}

/* Wraps an example into a net config: inputs, an optional Masking layer,
 * the layer under test and, when it computes no loss itself, one MSE Loss
 * layer per checked output. */
static char *example_config(const json_t *ex, bool *appended_loss)
{
    json_t *layer = json_deep_copy(json_object_get(ex, "layer"));
    json_t *inputs = json_array();
    json_t *single = json_object_get(ex, "input");
    json_t *many = json_object_get(ex, "inputs");
    json_t *mask_value = json_object_get(ex, "mask_value");
    json_t *layers = json_array();
    if (single) {
        json_array_append_new(
            inputs, json_pack("{s:s, s:O}", "name", "in0", "shape", single));
    } else {
        json_t *names = json_array();
        for (size_t i = 0; i < json_array_size(many); i++) {
            char name[32];
            snprintf(name, sizeof name, "in%zu", i);
            json_array_append_new(inputs,
                                  json_pack("{s:s, s:O}", "name", name, "shape",
                                            json_array_get(many, i)));
            json_array_append_new(names, json_string(name));
        }
        json_object_set_new(layer, "inputs", names);
    }
    if (mask_value) {
        json_array_append_new(layers, json_pack("{s:s, s:s, s:O, s:s}", "name",
                                                "masking", "type", "Masking",
                                                "mask_value", mask_value,
                                                "inputs", "in0"));
        if (!many)
            json_object_set_new(layer, "inputs", json_string("masking"));
    }
    json_object_set_new(layer, "name", json_string("under_test"));
    const dl4c_layer_type *type =
        dl4c_layer_type_find(json_string_value(json_object_get(layer, "type")));
    json_array_append_new(layers, layer);
    *appended_loss = type && !type->score;
    json_int_t n_out = json_integer_value(json_object_get(ex, "outputs"));
    if (n_out < 1)
        n_out = 1;
    for (json_int_t k = 0; *appended_loss && k < n_out; k++) {
        char ref[64];
        snprintf(ref, sizeof ref, k ? "under_test:%d" : "under_test", (int)k);
        json_array_append_new(layers,
                              json_pack("{s:s, s:s, s:s}", "type", "Loss",
                                        "loss", "mse", "inputs", ref));
    }
    json_t *root =
        json_pack("{s:i, s:o, s:o, s:{s:s}}", "seed", 7, "inputs", inputs,
                  "layers", layers, "training", "updater", "sgd");
    char *text = json_dumps(root, 0);
    json_decref(root);
    return text;
}

typedef struct checker {
    dl4c_net *net;
    int n_in;
    dl4c_tensor *inputs[8];
    bool int_input[8];
    int64_t masked_steps; /* time steps of input 0 set to the mask value */
    int64_t masked_step[16], masked_batch[16];
    dl4c_net_targets targets;
    const dl4c_tensor *labels[DL4C_LAYER_MAX_OUTPUTS];
} checker;

static double score_of(checker *c)
{
    double s = NAN;
    dl4c_status st =
        dl4c_net_score(c->net, c->n_in, (const dl4c_tensor *const *)c->inputs,
                       &c->targets, true, &s);
    return st == DL4C_OK ? s : NAN;
}

/* Whether element i of input 0 lies in a masked step (perturbing it would
 * unmask the step: its gradient is not compared). */
static bool in_masked_step(const checker *c, const dl4c_tensor *x, int64_t i)
{
    if (x != c->inputs[0] || !c->masked_steps)
        return false;
    int64_t per_step =
        dl4c_tensor_size(x) / dl4c_tensor_dim(x, 0) / dl4c_tensor_dim(x, 1);
    int64_t b = i / (dl4c_tensor_size(x) / dl4c_tensor_dim(x, 0));
    int64_t t = (i / per_step) % dl4c_tensor_dim(x, 1);
    for (int64_t k = 0; k < c->masked_steps; k++)
        if (c->masked_batch[k] == b && c->masked_step[k] == t)
            return true;
    return false;
}

/* Compares analytic and numeric d(score)/d(x[i]) for every i. */
static int check_values(checker *c, dl4c_tensor *x, const dl4c_tensor *grad,
                        const char *what, const char *example)
{
    int bad = 0;
    for (int64_t i = 0; i < dl4c_tensor_size(x); i++) {
        if (in_masked_step(c, x, i))
            continue;
        double orig = dl4c_tensor_get(x, i);
        dl4c_tensor_set(x, i, orig + EPS);
        double up = score_of(c);
        dl4c_tensor_set(x, i, orig - EPS);
        double down = score_of(c);
        dl4c_tensor_set(x, i, orig);
        double num = (up - down) / (2 * EPS);
        double ana = dl4c_tensor_get(grad, i);
        double diff = fabs(num - ana);
        double rel = diff / fmax(fabs(num) + fabs(ana), 1e-300);
        if (!(diff < 1e-7 || rel < 1e-5)) {
            if (bad < 3)
                fprintf(stderr,
                        "  %s[%lld]: analytic %.10g numeric %.10g (%s)\n", what,
                        (long long)i, ana, num, example);
            bad++;
        }
    }
    return bad;
}

/* Random inputs: reals in [-1, 1), integers where asked, and masked time
 * steps of input 0 set to the mask value. */
static void fill_inputs(checker *c, const json_t *ex, int64_t batch)
{
    json_t *ints = json_object_get(ex, "int_inputs");
    json_t *mv = json_object_get(ex, "mask_value");
    for (int i = 0; i < c->n_in; i++) {
        dl4c_shape s = dl4c_net_input_shape(c->net, i);
        int64_t dims[DL4C_MAX_DIMS] = {batch};
        for (int d = 0; d < s.ndim; d++)
            dims[d + 1] = s.dim[d];
        REQUIRE_OK(
            dl4c_tensor_create(DL4C_F64, s.ndim + 1, dims, &c->inputs[i]));
        json_int_t m = json_integer_value(json_array_get(ints, (size_t)i));
        c->int_input[i] = m > 0;
        for (int64_t k = 0; k < dl4c_tensor_size(c->inputs[i]); k++)
            dl4c_tensor_set(c->inputs[i], k,
                            m > 0 ? (double)dl4c_rng_below(&rng, (uint64_t)m)
                                  : 2 * dl4c_rng_uniform(&rng) - 1);
    }
    if (mv && c->n_in > 0 && dl4c_tensor_ndim(c->inputs[0]) >= 3) {
        dl4c_tensor *x = c->inputs[0];
        int64_t steps = dl4c_tensor_dim(x, 1);
        int64_t per_step = dl4c_tensor_size(x) / batch / steps;
        /* example b loses step (b + 1) % steps, and the last example also
         * its last step: leading, middle and trailing masks */
        for (int64_t b = 0; b < batch && c->masked_steps < 15; b++) {
            int64_t t = (b + 1) % steps;
            c->masked_batch[c->masked_steps] = b;
            c->masked_step[c->masked_steps++] = t;
        }
        c->masked_batch[c->masked_steps] = batch - 1;
        c->masked_step[c->masked_steps++] = steps - 1;
        for (int64_t k = 0; k < c->masked_steps; k++)
            for (int64_t f = 0; f < per_step; f++)
                dl4c_tensor_set(
                    x,
                    (c->masked_batch[k] * steps + c->masked_step[k]) *
                            per_step +
                        f,
                    json_number_value(mv));
    }
}

static void check_example(const char *example)
{
    json_error_t err;
    json_t *ex = json_loads(example, 0, &err);
    REQUIRE(ex != NULL);
    bool appended = false;
    char *cfg = example_config(ex, &appended);
    checker c = {0};
    dl4c_tensor *gin[8] = {0};
    dl4c_net *again = NULL, *loaded = NULL;
    char *written = NULL;
    json_t *want_error = json_object_get(ex, "error");
    int64_t batch = json_integer_value(json_object_get(ex, "batch"));
    if (batch < 1)
        batch = BATCH;
    c.n_in = 0;
    dl4c_status st = dl4c_net_parse(cfg, DL4C_F64, &c.net);
    if (want_error) {
        CHECK_MSG(st != DL4C_OK &&
                      strstr(dl4c_last_error(), json_string_value(want_error)),
                  "%s: got '%s'", example,
                  st == DL4C_OK ? "no error" : dl4c_last_error());
        goto done;
    }
    CHECK_MSG(st == DL4C_OK, "%s: %s", example, dl4c_last_error());
    if (st != DL4C_OK)
        goto done;
    c.n_in = dl4c_net_num_inputs(c.net);
    fill_inputs(&c, ex, batch);
    {
        const char *loss = "mse";
        json_t *l = json_object_get(json_object_get(ex, "layer"), "loss");
        if (!appended && json_is_string(l))
            loss = json_string_value(l);
        c.targets.n = dl4c_net_num_outputs(c.net);
        for (int k = 0; k < c.targets.n; k++) {
            dl4c_shape out = dl4c_net_output_shape(c.net, k);
            c.labels[k] = make_labels(loss, &out, batch);
        }
        c.targets.labels = c.labels;
    }
    dl4c_net_set_input_gradients(c.net, true);
    double score = 0;
    CHECK_OK(dl4c_net_compute_gradients(c.net, c.n_in,
                                        (const dl4c_tensor *const *)c.inputs,
                                        &c.targets, &score));
    CHECK_MSG(isfinite(score), "%s: score %g", example, score);
    dl4c_tensor *params = dl4c_net_params(c.net);
    dl4c_tensor *grads = NULL;
    if (dl4c_net_num_params(c.net) > 0)
        REQUIRE_OK(dl4c_tensor_copy(dl4c_net_gradients(c.net), &grads));
    for (int i = 0; i < c.n_in; i++)
        REQUIRE_OK(
            dl4c_tensor_copy(dl4c_net_input_gradient(c.net, i), &gin[i]));
    if (grads)
        CHECK(check_values(&c, params, grads, "param", example) == 0);
    for (int i = 0; i < c.n_in; i++)
        if (!c.int_input[i])
            CHECK(check_values(&c, c.inputs[i], gin[i], "input", example) == 0);
    dl4c_tensor_free(grads);

    /* config round trip on a fresh net (the check's training passes
     * changed the moving statistics of some layers): same config text,
     * same initial parameters, same outputs */
    double s0 = 0, s1 = 0, s2 = 0;
    dl4c_net *fresh = NULL;
    CHECK_OK(dl4c_net_parse(cfg, DL4C_F64, &fresh));
    if (fresh) {
        CHECK_OK(dl4c_net_score(fresh, c.n_in,
                                (const dl4c_tensor *const *)c.inputs,
                                &c.targets, false, &s0));
        REQUIRE_OK(dl4c_net_write_config(fresh, &written));
    }
    if (written)
        CHECK_OK(dl4c_net_parse(written, DL4C_F64, &again));
    if (again) {
        char *twice = NULL;
        CHECK_OK(dl4c_net_write_config(again, &twice));
        CHECK_MSG(twice && !strcmp(written, twice), "%s: config differs",
                  example);
        dl4c_free(twice);
        CHECK(dl4c_tensor_allclose(dl4c_net_params(fresh),
                                   dl4c_net_params(again), 0, 0));
        CHECK_OK(dl4c_net_score(again, c.n_in,
                                (const dl4c_tensor *const *)c.inputs,
                                &c.targets, false, &s1));
        CHECK_MSG(s0 == s1, "%s: %g vs %g", example, s0, s1);
    }
    dl4c_net_free(fresh);
    /* model-file round trip of the trained net (parameters and
     * non-trainable state) */
    {
        CHECK_OK(dl4c_net_score(c.net, c.n_in,
                                (const dl4c_tensor *const *)c.inputs,
                                &c.targets, false, &s0));
        char path[1024];
        snprintf(path, sizeof path, "%s/layer.dl4c", test_tmpdir());
        CHECK_OK(dl4c_model_save(c.net, path, DL4C_MODEL_UPDATER));
        CHECK_OK(dl4c_model_load_as(path, DL4C_F64, &loaded));
        if (loaded) {
            CHECK_OK(dl4c_net_score(loaded, c.n_in,
                                    (const dl4c_tensor *const *)c.inputs,
                                    &c.targets, false, &s2));
            CHECK_MSG(s0 == s2, "%s: model file gives %g, not %g", example, s2,
                      s0);
        }
    }
done:
    dl4c_net_free(again);
    dl4c_net_free(loaded);
    dl4c_free(written);
    for (int i = 0; i < 8; i++) {
        dl4c_tensor_free(c.inputs[i]);
        dl4c_tensor_free(gin[i]);
    }
    for (int k = 0; k < DL4C_LAYER_MAX_OUTPUTS; k++)
        dl4c_tensor_free((dl4c_tensor *)c.labels[k]);
    dl4c_net_free(c.net);
    free(cfg);
    json_decref(ex);
}

static void test_every_layer_gradients(void)
{
    dl4c_rng_seed(&rng, 2024);
    int checked = 0;
    for (int t = 0; t < dl4c_layer_type_count(); t++) {
        const dl4c_layer_type *type = dl4c_layer_type_at(t);
        CHECK_MSG(type->examples && type->examples[0],
                  "layer type %s lists no example configs", type->name);
        for (int e = 0; type->examples && type->examples[e]; e++) {
            check_example(type->examples[e]);
            checked++;
        }
    }
    CHECK(checked >= dl4c_layer_type_count());
}

/* Every type rejects an unknown key and a wrong input count, naming the
 * layer. */
static void test_config_errors_name_the_layer(void)
{
    for (int t = 0; t < dl4c_layer_type_count(); t++) {
        const dl4c_layer_type *type = dl4c_layer_type_at(t);
        json_t *ex = json_loads(type->examples[0], 0, NULL);
        json_t *layer = json_object_get(ex, "layer");
        json_object_set_new(layer, "no_such_key", json_integer(1));
        bool appended;
        char *cfg = example_config(ex, &appended);
        dl4c_net *net = NULL;
        CHECK_ERR(dl4c_net_parse(cfg, DL4C_F32, &net), DL4C_FORMAT,
                  "layer 'under_test': unknown key 'no_such_key'");
        CHECK(net == NULL);
        free(cfg);
        json_decref(ex);
    }
}

static void test_structural_errors(void)
{
    dl4c_net *net = NULL;
    CHECK_ERR(dl4c_net_parse("{\"inputs\": [{\"shape\": [3]}], \"layers\": "
                             "[{\"type\": \"Dence\", \"units\": 2}]}",
                             DL4C_F32, &net),
              DL4C_FORMAT, "unknown layer type 'Dence'");
    CHECK_ERR(dl4c_net_parse("{\"inputs\": [{\"shape\": [3]}], \"layers\": "
                             "[{\"type\": \"Dense\", \"units\": 2, "
                             "\"activation\": \"relux\"}]}",
                             DL4C_F32, &net),
              DL4C_FORMAT, "unknown activation 'relux'");
    CHECK_ERR(dl4c_net_parse("{\"inputs\": [{\"shape\": [3]}], \"layers\": "
                             "[{\"type\": \"Dense\", \"units\": 0}]}",
                             DL4C_F32, &net),
              DL4C_FORMAT, "key 'units' is 0, must be >= 1");
    CHECK_ERR(dl4c_net_parse("{\"inputs\": [{\"shape\": [3]}], \"layers\": "
                             "[{\"type\": \"Dense\", \"units\": 2, "
                             "\"inputs\": [\"nowhere\"]}]}",
                             DL4C_F32, &net),
              DL4C_FORMAT, "input 'nowhere' is not a net input");
    CHECK_ERR(dl4c_net_parse("{\"inputs\": [{\"shape\": [3]}], \"layers\": "
                             "[{\"type\": \"Dense\", \"units\": 2, \"name\": "
                             "\"input\"}]}",
                             DL4C_F32, &net),
              DL4C_FORMAT, "name 'input' is used twice");
    CHECK_ERR(dl4c_net_parse("{\"inputs\": [{\"shape\": [3]}], \"layers\": "
                             "[{\"type\": \"Output\", \"units\": 2, "
                             "\"loss_weights\": [1, 2, 3]}]}",
                             DL4C_F32, &net),
              DL4C_SHAPE, "3 loss weights for 2 outputs");
    CHECK_ERR(dl4c_net_parse("{\"inputs\": [{\"shape\": [3]}], \"layers\": "
                             "[{\"type\": \"Dropout\", \"rate\": 1.5}]}",
                             DL4C_F32, &net),
              DL4C_FORMAT, "key 'rate' is 1.5");
    CHECK_ERR(dl4c_net_parse("{\"inputs\": [{\"shape\": [3]}], \"layers\": [",
                             DL4C_F32, &net),
              DL4C_FORMAT, "not valid JSON");
    CHECK_ERR(dl4c_net_parse("{\"inputs\": [{\"shape\": [3]}], \"layers\": "
                             "[{\"type\": \"Output\", \"units\": 2}, "
                             "{\"type\": \"Dense\", \"units\": 2}], "
                             "\"outputs\": [\"dense\"]}",
                             DL4C_F32, &net),
              DL4C_FORMAT, "computes a loss but is not a net output");
    CHECK(net == NULL);
}

/* Run after the others: no layer called a threaded GEMM from inside an
 * inactive (one-thread) parallel region, where each call would start a
 * nested thread team (a 30x slowdown of batch-1 convolutions once). */
static void test_no_gemm_in_inactive_regions(void)
{
    CHECK_MSG(dl4c_cpu_gemm_inactive_calls() == 0,
              "%ld GEMMs ran inside an inactive parallel region",
              dl4c_cpu_gemm_inactive_calls());
}

TEST_MAIN(test_every_layer_gradients, test_config_errors_name_the_layer,
          test_structural_errors, test_no_gemm_in_inactive_regions)
