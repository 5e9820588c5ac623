/* Merge, Keras 1's single merge layer: `mode` picks what it does with its
 * inputs. sum, mul, ave and max are the elementwise merges of Add,
 * Multiply, Average and Maximum; concat is Concatenate along
 * `concat_axis`; dot is Dot over `dot_axes` and cos the same with both
 * inputs L2-normalized (Keras 1 divided by the larger of the norms'
 * product and 1e-7; here each norm is at least 1e-6, which differs only
 * for near-zero inputs). Masks follow Keras 1: ANDed for the elementwise
 * modes, concatenated for concat, dropped for dot and cos. Modes given as
 * Python functions cannot be imported. */
#include <string.h>

#include "nn/layers/norm_common.h"

typedef enum merge_mode {
    MODE_SUM = 0,
    MODE_MUL,
    MODE_AVE,
    MODE_MAX,
    MODE_CONCAT,
    MODE_DOT,
    MODE_COS,
    MODE_COUNT
} merge_mode;

static const char *const mode_names[] = {"sum",    "mul", "ave", "max",
                                         "concat", "dot", "cos"};
_Static_assert(sizeof mode_names / sizeof mode_names[0] == MODE_COUNT,
               "one name per merge mode");

static const dl4c_merge_op elementwise_op[] = {DL4C_MERGE_ADD, DL4C_MERGE_MUL,
                                               DL4C_MERGE_AVG, DL4C_MERGE_MAX};

typedef struct merge_cfg {
    merge_mode mode;
    int64_t concat_axis;
    int64_t dot_axes[2];
} merge_cfg;

static const char *const keys[] = {"mode", "concat_axis", "dot_axes", NULL};

static bool mode_of(const char *name, merge_mode *out)
{
    for (int m = 0; m < MODE_COUNT; m++)
        if (!strcmp(name, mode_names[m])) {
            *out = (merge_mode)m;
            return true;
        }
    return false;
}

static dl4c_status parse(dl4c_layer *l, const json_t *j)
{
    merge_cfg *c = l->cfg;
    const char *mode = NULL;
    c->concat_axis = -1;
    c->dot_axes[0] = c->dot_axes[1] = -1;
    DL4C_RETURN_IF(dl4c_cfg_string(l->where, j, "mode", true, &mode));
    if (!mode_of(mode, &c->mode))
        return dl4c_layer_error(l, DL4C_FORMAT,
                                "mode '%s' is not sum, mul, ave, max, "
                                "concat, dot or cos",
                                mode);
    DL4C_RETURN_IF(dl4c_norm_cfg_axis(l, j, "concat_axis", &c->concat_axis));
    return dl4c_dot_cfg_axes(l, j, "dot_axes", c->dot_axes);
}

static dl4c_status write(const dl4c_layer *l, json_t *j)
{
    const merge_cfg *c = l->cfg;
    DL4C_RETURN_IF(dl4c_cfg_set(j, "mode", json_string(mode_names[c->mode])));
    DL4C_RETURN_IF(
        dl4c_cfg_set(j, "concat_axis", json_integer(c->concat_axis)));
    return dl4c_cfg_set(j, "dot_axes", dl4c_dot_axes_json(c->dot_axes));
}

static bool is_dot(const merge_cfg *c)
{
    return c->mode == MODE_DOT || c->mode == MODE_COS;
}

static dl4c_status build(dl4c_layer *l)
{
    const merge_cfg *c = l->cfg;
    if (c->mode == MODE_CONCAT)
        return dl4c_concat_build(l, c->concat_axis);
    if (is_dot(c))
        return dl4c_dot_build(l, c->dot_axes, c->mode == MODE_COS);
    return dl4c_merge_build(l, elementwise_op[c->mode]);
}

static size_t workspace(const dl4c_layer *l, int64_t batch, dl4c_dtype dt)
{
    const merge_cfg *c = l->cfg;
    if (c->mode == MODE_CONCAT)
        return 0;
    if (is_dot(c))
        return dl4c_dot_workspace(l, c->dot_axes, c->mode == MODE_COS, batch,
                                  dt);
    return dl4c_merge_workspace(l, elementwise_op[c->mode], batch, dt);
}

static void forward(dl4c_layer_ctx *x)
{
    const merge_cfg *c = x->layer->cfg;
    if (c->mode == MODE_CONCAT)
        dl4c_concat_forward(x, c->concat_axis);
    else if (is_dot(c))
        dl4c_dot_forward(x, c->dot_axes, c->mode == MODE_COS);
    else
        dl4c_merge_forward(x, elementwise_op[c->mode]);
}

static void backward(dl4c_layer_ctx *x)
{
    const merge_cfg *c = x->layer->cfg;
    if (c->mode == MODE_CONCAT)
        dl4c_concat_backward(x, c->concat_axis);
    else if (is_dot(c))
        dl4c_dot_backward(x, c->dot_axes, c->mode == MODE_COS);
    else
        dl4c_merge_backward(x, elementwise_op[c->mode]);
}

static dl4c_status from_keras(const dl4c_keras_ctx *k, const json_t *kcfg,
                              json_t *out)
{
    const json_t *mode = dl4c_norm_keras_get(kcfg, "mode", NULL);
    merge_mode m;
    bool has;
    int64_t axis;
    if (!json_is_string(mode) || !mode_of(json_string_value(mode), &m))
        return dl4c_error_set(DL4C_UNSUPPORTED,
                              "%s: Merge mode %s is not supported (sum, mul, "
                              "ave, max, concat, dot, cos)",
                              k->where,
                              json_is_string(mode) ? json_string_value(mode)
                                                   : "given as a function");
    DL4C_RETURN_IF(dl4c_cfg_set(out, "mode", json_string(mode_names[m])));
    DL4C_RETURN_IF(dl4c_norm_keras_axis(k, kcfg, "concat_axis", &has, &axis));
    if (has)
        DL4C_RETURN_IF(
            dl4c_cfg_set(out, "concat_axis",
                         json_integer(dl4c_norm_channels_last_axis(k, axis))));
    const json_t *axes = dl4c_norm_keras_get(kcfg, "dot_axes", NULL);
    if (axes)
        DL4C_RETURN_IF(dl4c_cfg_set(out, "dot_axes", json_deep_copy(axes)));
    return DL4C_OK;
}

static const char *const keras_classes[] = {"Merge", NULL};

static const char *const examples[] = {
    "{\"inputs\": [[3], [3], [3]], \"layer\": {\"type\": \"Merge\", "
    "\"mode\": \"sum\"}}",
    "{\"inputs\": [[3], [3]], \"layer\": {\"type\": \"Merge\", \"mode\": "
    "\"mul\"}}",
    "{\"inputs\": [[2, 3], [2, 3]], \"layer\": {\"type\": \"Merge\", "
    "\"mode\": \"ave\"}}",
    "{\"inputs\": [[4], [4]], \"layer\": {\"type\": \"Merge\", \"mode\": "
    "\"max\"}}",
    "{\"inputs\": [[2, 3], [1, 3]], \"layer\": {\"type\": \"Merge\", "
    "\"mode\": \"concat\", \"concat_axis\": 1}}",
    "{\"inputs\": [[3], [3]], \"layer\": {\"type\": \"Merge\", \"mode\": "
    "\"dot\", \"dot_axes\": 1}}",
    "{\"inputs\": [[4], [4]], \"layer\": {\"type\": \"Merge\", \"mode\": "
    "\"cos\", \"dot_axes\": [1, 1]}}",
    "{\"inputs\": [[3], [3]], \"layer\": {\"type\": \"Merge\", \"mode\": "
    "\"concatenate\"}, \"error\": \"mode 'concatenate' is not sum\"}",
    "{\"inputs\": [[3], [4]], \"layer\": {\"type\": \"Merge\", \"mode\": "
    "\"sum\"}, \"error\": \"cannot broadcast input shapes [N, 3] and [N, 4] "
    "together\"}",
    NULL};

const dl4c_layer_type dl4c_layer_merge = {
    .name = "Merge",
    .keras_class = "Merge",
    .config_size = sizeof(merge_cfg),
    .keys = keys,
    .parse = parse,
    .write = write,
    .build = build,
    .workspace = workspace,
    .forward = forward,
    .backward = backward,
    .mask_mode = DL4C_MASK_CUSTOM,
    .keras_classes = keras_classes,
    .from_keras = from_keras,
    .examples = examples,
};
