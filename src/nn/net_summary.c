/* The Keras-like summary table of a net: each layer with its type, output
 * shape (batch as None) and parameter count, plus "Connected to" for
 * graphs that are not a plain chain, and the totals. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "nn/net_internal.h"

typedef struct text {
    char *buf;
    size_t len, cap;
    bool failed;
} text;

static void put(text *t, const char *fmt, ...) DL4C_PRINTF(2, 3);
static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    if (t->failed)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = (t->cap ? t->cap * 2 : 1024) + (size_t)n;
        char *b = dl4c_realloc(t->buf, cap);
        if (!b) {
            t->failed = true;
            return;
        }
        t->buf = b;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static void shape_text(const dl4c_shape *s, char *buf, size_t cap)
{
    size_t used = (size_t)snprintf(buf, cap, "(None");
    for (int i = 0; i < s->ndim && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, ", %lld",
                                 (long long)s->dim[i]);
    if (used < cap)
        snprintf(buf + used, cap - used, ")");
}

static void thousands(int64_t v, char *buf, size_t cap)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)v);
    size_t o = 0;
    for (int i = 0; i < n && o + 1 < cap; i++) {
        if (i && (n - i) % 3 == 0 && o + 2 < cap)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

static bool is_chain(const dl4c_net *net)
{
    if (net->n_inputs != 1 || net->n_outputs != 1)
        return false;
    for (int i = net->n_inputs; i < net->n_nodes; i++) {
        const dl4c_layer *l = net->nodes[i].layer;
        if (l->n_inputs != 1 || l->inputs[0] != i - 1 ||
            l->input_slots[0] != 0 || net->nodes[i - 1].n_uses[0] != 1 ||
            net->nodes[i].n_out != 1 || l->shares >= 0)
            return false;
    }
    return true;
}

static void rule(text *t, char c, int width)
{
    for (int i = 0; i < width; i++)
        put(t, "%c", c);
    put(t, "\n");
}

dl4c_status dl4c_net_summary(const dl4c_net *net, char **out)
{
    text t = {0};
    bool graph = !is_chain(net);
    int width = graph ? 104 : 71;
    int64_t trainable = 0, frozen = 0;
    char shape[512], count[32];
    *out = NULL;
    put(&t, "Model: \"dl4c\"\n");
    rule(&t, '_', width);
    put(&t, " %-34s %-25s %-10s%s\n", "Layer (type)", "Output Shape", "Param #",
        graph ? "  Connected to" : "");
    rule(&t, '=', width);
    for (int i = 0; i < net->n_nodes; i++) {
        const dl4c_node *n = &net->nodes[i];
        char label[256];
        /* a layer sharing another's weights adds none of its own */
        int64_t params =
            n->layer && n->layer->shares < 0 ? n->layer->n_param_elems : 0;
        if (!n->layer && !graph)
            continue; /* Keras omits the input of a sequential model */
        snprintf(label, sizeof label, "%s (%s)", n->name,
                 n->layer ? n->layer->type->name : "InputLayer");
        if (n->n_out == 1) {
            shape_text(&n->shapes[0], shape, sizeof shape);
        } else { /* Keras lists several outputs as [(...), (...)] */
            size_t used = (size_t)snprintf(shape, sizeof shape, "[");
            for (int k = 0; k < n->n_out && used < sizeof shape; k++) {
                char one[128];
                shape_text(&n->shapes[k], one, sizeof one);
                used += (size_t)snprintf(shape + used, sizeof shape - used,
                                         "%s%s", k ? ", " : "", one);
            }
            if (used < sizeof shape)
                snprintf(shape + used, sizeof shape - used, "]");
        }
        put(&t, " %-34s %-25s %-10lld", label, shape, (long long)params);
        if (graph && n->layer) {
            put(&t, "  ");
            for (int k = 0; k < n->layer->n_inputs; k++) {
                put(&t, "%s%s", k ? ", " : "",
                    net->nodes[n->layer->inputs[k]].name);
                if (n->layer->input_slots[k])
                    put(&t, ":%d", n->layer->input_slots[k]);
            }
        }
        put(&t, "\n");
        for (int p = 0; params && p < n->layer->n_params; p++) {
            int64_t c = dl4c_shape_size(&n->layer->params[p].shape);
            if (n->layer->opts.frozen || !n->layer->params[p].trainable)
                frozen += c;
            else
                trainable += c;
        }
    }
    rule(&t, '=', width);
    thousands(trainable + frozen, count, sizeof count);
    put(&t, "Total params: %s\n", count);
    thousands(trainable, count, sizeof count);
    put(&t, "Trainable params: %s\n", count);
    thousands(frozen, count, sizeof count);
    put(&t, "Non-trainable params: %s\n", count);
    rule(&t, '_', width);
    if (t.failed) {
        dl4c_free(t.buf);
        return dl4c_error_set(DL4C_NOMEM, "out of memory");
    }
    *out = t.buf;
    return DL4C_OK;
}
