/* Internals shared by the evaluation files: the two evaluation structs,
 * host access to input tensors, input-shape helpers and a growable text
 * buffer for the stats and JSON writers. */
#ifndef DL4C_EVAL_INTERNAL_H
#define DL4C_EVAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dl4c/eval.h"

/* Classification counts. Everything per class is derived from the
 * confusion matrix; top-N needs its own counter. */
struct dl4c_eval {
    int num_classes;
    int top_n;
    char **names;        /* num_classes strings, always set */
    int64_t *confusion;  /* [actual * num_classes + predicted] */
    int64_t count;       /* examples counted */
    int64_t top_n_count; /* examples whose class was among the top N */
};

/* Running per-column regression statistics (Welford): counts, means,
 * sums of squared deviations and the label/prediction co-moment, plus the
 * plain error sums. */
typedef struct dl4c_regression_column {
    int64_t n;
    double mean_y, mean_p; /* label / prediction means */
    double m2_y, m2_p;     /* sum((y - mean_y)^2), sum((p - mean_p)^2) */
    double c_yp;           /* sum((y - mean_y) * (p - mean_p)) */
    double sse, sae;       /* sum(e^2), sum(|e|) with e = p - y */
} dl4c_regression_column;

struct dl4c_regression_eval {
    int num_columns;
    char **names;
    dl4c_regression_column *cols;
};

/* Host-readable elements of an input tensor seen as rows x cols: cols is
 * the last dim and rows the product of the others, so [N, C] and [N, T, C]
 * (sequences) both read row by row; [N] reads as [N, 1]. */
typedef struct dl4c_eval_input {
    const void *data;
    dl4c_dtype dtype;
    int64_t rows, cols;
} dl4c_eval_input;

/* Sets `in` up over `t`, a CPU tensor of at least 1 dim; `what`
 * ("labels", "mask") names it in the messages. DL4C_INVALID_ARG for NULL,
 * DL4C_SHAPE for 0 dims, DL4C_UNSUPPORTED for other backends or dtypes. */
dl4c_status dl4c_eval_input_open(const dl4c_tensor *t, const char *what,
                                 dl4c_eval_input *in);

static inline double dl4c_eval_input_at(const dl4c_eval_input *in, int64_t row,
                                        int64_t col)
{
    int64_t i = row * in->cols + col;
    return in->dtype == DL4C_F32 ? (double)((const float *)in->data)[i]
                                 : ((const double *)in->data)[i];
}

/* True when a and b have the same dims before their last one (a 1-D
 * tensor's only dim counts as such a dim): the same examples. */
bool dl4c_eval_same_rows(const dl4c_tensor *a, const dl4c_tensor *b);

/* Opens an optional mask for `labels`. It must have the labels' dims
 * before the last ([N], [N, T]), optionally followed by 1 (one value per
 * row), or, when per_value, the labels' own shape; and hold only 0 and 1.
 * DL4C_SHAPE names the mask and label shapes; DL4C_INVALID_ARG a bad
 * value. A per-row mask has m->cols == 1. */
dl4c_status dl4c_eval_mask_open(const dl4c_tensor *mask,
                                const dl4c_tensor *labels, bool per_value,
                                dl4c_eval_input *m);

/* Formats a tensor's shape as "[2, 3]" into buf. */
const char *dl4c_eval_shape_str(const dl4c_tensor *t, char *buf, size_t cap);

/* A list of `count` strings, each "<prefix><index>", or copies of
 * `names` when not NULL. NULL on allocation failure. */
char **dl4c_eval_names_create(int count, const char *prefix,
                              const char *const *names);
void dl4c_eval_names_free(char **names, int count);

/* A growing NUL-terminated string. Appends after a failed allocation do
 * nothing; dl4c_eval_buf_finish then reports DL4C_NOMEM. */
typedef struct dl4c_eval_buf {
    char *data;
    size_t len, cap;
    bool failed;
} dl4c_eval_buf;

void dl4c_eval_buf_printf(dl4c_eval_buf *b, const char *fmt, ...)
    DL4C_PRINTF(2, 3);
/* Appends `s` as a quoted JSON string. */
void dl4c_eval_buf_json_string(dl4c_eval_buf *b, const char *s);
/* Appends a JSON number that reads back to the same double; null for NaN
 * and infinities. */
void dl4c_eval_buf_json_number(dl4c_eval_buf *b, double v);
/* Appends a number as Java's String.valueOf prints NaN and infinities,
 * and through printf `fmt` (one double conversion) otherwise, left-aligned
 * in `width` characters (0: no padding). */
void dl4c_eval_buf_number(dl4c_eval_buf *b, const char *fmt, int width,
                          double v);
/* Hands the text to *out (or frees it and returns DL4C_NOMEM). */
dl4c_status dl4c_eval_buf_finish(dl4c_eval_buf *b, char **out);

#endif
