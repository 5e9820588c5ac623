// labels: unit badinput
/* Classification evaluation: hand-computed confusion matrices and metrics,
 * macro/micro/weighted averages, top-N, masking, batching and merging,
 * the exact stats() / report / JSON text, and bad inputs. */
#include <stdint.h>

#include "dl4c/eval.h"
#include "test.h"

/* A [rows, cols] tensor of `dtype` holding v (row-major). */
static dl4c_tensor *mat(dl4c_dtype dtype, int64_t rows, int64_t cols,
                        const double *v)
{
    int64_t shape[2] = {rows, cols};
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(dtype, 2, shape, &t) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; i < rows * cols; i++)
        dl4c_tensor_set(t, i, v[i]);
    return t;
}

static dl4c_tensor *vec(dl4c_dtype dtype, int64_t n, const double *v)
{
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(dtype, 1, &n, &t) != DL4C_OK)
        return NULL;
    for (int64_t i = 0; i < n; i++)
        dl4c_tensor_set(t, i, v[i]);
    return t;
}

/* One-hot rows for class indices. */
static dl4c_tensor *one_hot(dl4c_dtype dtype, int64_t rows, int classes,
                            const int *cls)
{
    int64_t shape[2] = {rows, classes};
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(dtype, 2, shape, &t) != DL4C_OK)
        return NULL;
    for (int64_t r = 0; r < rows; r++)
        dl4c_tensor_set(t, r * classes + cls[r], 1.0);
    return t;
}

/* Score rows with 0.8 at the given class and 0.1 elsewhere. */
static dl4c_tensor *scores_for(int64_t rows, int classes, const int *cls)
{
    int64_t shape[2] = {rows, classes};
    dl4c_tensor *t = NULL;
    if (dl4c_tensor_create(DL4C_F32, 2, shape, &t) != DL4C_OK)
        return NULL;
    dl4c_tensor_fill(t, 0.1);
    for (int64_t r = 0; r < rows; r++)
        dl4c_tensor_set(t, r * classes + cls[r], 0.8);
    return t;
}

/* Case B, 10 examples of 3 classes. Predicted = argmax of each row:
 *
 *   actual \ predicted   0  1  2   support
 *        0               4  0  0      4
 *        1               2  1  0      3
 *        2               1  1  1      3
 *
 *   class  TP FP FN TN  precision      recall     F1
 *     0     4  3  0  3  4/7 = .571429  4/4 = 1    8/11 = .727273
 *     1     1  1  2  6  1/2 = .5       1/3        (1/3)/(5/6) = .4
 *     2     1  0  2  7  1/1 = 1        1/3        (2/3)/(4/3) = .5
 *   (TN = 10 - TP - FP - FN)
 *
 *   accuracy = 6/10 = .6
 *   macro  P = (4/7 + 1/2 + 1)/3 = .690476   R = (1 + 1/3 + 1/3)/3 = .555556
 *          F1 = (8/11 + .4 + .5)/3 = .542424
 *   micro  P = R = F1 = 6/10 = .6 (single-label: sum FP = sum FN = 4)
 *   weighted (by support 4, 3, 3):
 *          P = (4*4/7 + 3*.5 + 3*1)/10 = .678571   R = .6
 *          F1 = (4*8/11 + 3*.4 + 3*.5)/10 = .560909
 *
 * Top-2: the actual class is last in rows 5 and 8 (0-based) only, so
 * 8/10; row 7 ties classes 1 and 2 at 0.25 below class 0 and still counts
 * for class 2 (fewer than 2 classes score strictly higher). */
static const int b_actual[10] = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
static const double b_scores[30] = {
    0.7, 0.2,  0.1,  /* a0 p0 */
    0.6, 0.3,  0.1,  /* a0 p0 */
    0.5, 0.25, 0.25, /* a0 p0 */
    0.4, 0.35, 0.25, /* a0 p0 */
    0.5, 0.4,  0.1,  /* a1 p0 */
    0.6, 0.1,  0.3,  /* a1 p0, actual last */
    0.2, 0.7,  0.1,  /* a1 p1 */
    0.5, 0.25, 0.25, /* a2 p0, tie with class 1 */
    0.3, 0.6,  0.1,  /* a2 p1, actual last */
    0.1, 0.2,  0.7,  /* a2 p2 */
};

static void check_case_b(const dl4c_eval *e)
{
    static const int64_t cm[3][3] = {{4, 0, 0}, {2, 1, 0}, {1, 1, 1}};
    static const int64_t tp[3] = {4, 1, 1}, fp[3] = {3, 1, 0},
                         fn[3] = {0, 2, 2}, tn[3] = {3, 6, 7},
                         support[3] = {4, 3, 3};
    static const double p[3] = {4.0 / 7, 0.5, 1.0},
                        r[3] = {1.0, 1.0 / 3, 1.0 / 3},
                        f1[3] = {8.0 / 11, 0.4, 0.5};
    CHECK(dl4c_eval_count(e) == 10);
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++)
            CHECK_MSG(dl4c_eval_confusion(e, i, j) == cm[i][j], "[%d][%d]", i,
                      j);
        CHECK(dl4c_eval_true_positives(e, i) == tp[i]);
        CHECK(dl4c_eval_false_positives(e, i) == fp[i]);
        CHECK(dl4c_eval_false_negatives(e, i) == fn[i]);
        CHECK(dl4c_eval_true_negatives(e, i) == tn[i]);
        CHECK(dl4c_eval_support(e, i) == support[i]);
        CHECK_NEAR(dl4c_eval_precision(e, i), p[i], 1e-12);
        CHECK_NEAR(dl4c_eval_recall(e, i), r[i], 1e-12);
        CHECK_NEAR(dl4c_eval_f1(e, i), f1[i], 1e-12);
    }
    CHECK_NEAR(dl4c_eval_accuracy(e), 0.6, 1e-12);
    CHECK_NEAR(dl4c_eval_precision_avg(e, DL4C_EVAL_MACRO),
               (4.0 / 7 + 0.5 + 1.0) / 3, 1e-12);
    CHECK_NEAR(dl4c_eval_recall_avg(e, DL4C_EVAL_MACRO), (5.0 / 3) / 3, 1e-12);
    CHECK_NEAR(dl4c_eval_f1_avg(e, DL4C_EVAL_MACRO), (8.0 / 11 + 0.9) / 3,
               1e-12);
    CHECK_NEAR(dl4c_eval_precision_avg(e, DL4C_EVAL_MICRO), 0.6, 1e-12);
    CHECK_NEAR(dl4c_eval_recall_avg(e, DL4C_EVAL_MICRO), 0.6, 1e-12);
    CHECK_NEAR(dl4c_eval_f1_avg(e, DL4C_EVAL_MICRO), 0.6, 1e-12);
    CHECK_NEAR(dl4c_eval_precision_avg(e, DL4C_EVAL_WEIGHTED),
               (16.0 / 7 + 1.5 + 3.0) / 10, 1e-12);
    CHECK_NEAR(dl4c_eval_recall_avg(e, DL4C_EVAL_WEIGHTED), 0.6, 1e-12);
    CHECK_NEAR(dl4c_eval_f1_avg(e, DL4C_EVAL_WEIGHTED),
               (32.0 / 11 + 1.2 + 1.5) / 10, 1e-12);
    CHECK(dl4c_eval_excluded_count(e, DL4C_EVAL_PRECISION) == 0);
    CHECK(dl4c_eval_excluded_count(e, DL4C_EVAL_RECALL) == 0);
    CHECK(dl4c_eval_excluded_count(e, DL4C_EVAL_F1) == 0);
}

/* Builds case B from one-hot labels (rows lo..hi-1 only). */
static dl4c_status add_case_b(dl4c_eval *e, int lo, int hi, dl4c_dtype dtype)
{
    dl4c_tensor *labels = one_hot(dtype, hi - lo, 3, b_actual + lo);
    dl4c_tensor *pred = mat(dtype, hi - lo, 3, b_scores + 3 * lo);
    dl4c_status st = dl4c_eval_add(e, labels, pred, NULL);
    dl4c_tensor_free(labels);
    dl4c_tensor_free(pred);
    return st;
}

static void test_hand_computed(void)
{
    dl4c_eval *e = NULL;
    REQUIRE_OK(dl4c_eval_create(3, &e));
    CHECK(dl4c_eval_num_classes(e) == 3);
    CHECK(dl4c_eval_top_n(e) == 1);
    CHECK_OK(add_case_b(e, 0, 10, DL4C_F32));
    check_case_b(e);
    /* top-N of 1 is the accuracy */
    CHECK_NEAR(dl4c_eval_top_n_accuracy(e), 0.6, 1e-12);
    /* out-of-range queries */
    CHECK(dl4c_eval_confusion(e, 3, 0) == -1);
    CHECK(dl4c_eval_confusion(e, 0, -1) == -1);
    CHECK(dl4c_eval_true_positives(e, 3) == -1);
    CHECK(dl4c_eval_support(e, -1) == -1);
    CHECK(isnan(dl4c_eval_precision(e, 3)));
    CHECK(isnan(dl4c_eval_f1(e, -1)));
    CHECK(isnan(dl4c_eval_recall_avg(e, DL4C_EVAL_AVERAGING_COUNT)));
    CHECK(dl4c_eval_class_name(e, 3) == NULL);
    CHECK(strcmp(dl4c_eval_class_name(e, 2), "2") == 0);
    dl4c_eval_free(e);
}

static void test_float64_matches_float32(void)
{
    dl4c_eval *e = NULL;
    REQUIRE_OK(dl4c_eval_create(3, &e));
    CHECK_OK(add_case_b(e, 0, 10, DL4C_F64));
    check_case_b(e);
    dl4c_eval_free(e);
}

/* Index labels [N, 1] and [N] give the same counts as one-hot [N, C]. */
static void test_index_labels_equal_one_hot(void)
{
    double idx[10];
    for (int i = 0; i < 10; i++)
        idx[i] = b_actual[i];
    dl4c_tensor *col = mat(DL4C_F64, 10, 1, idx);
    dl4c_tensor *flat = vec(DL4C_F32, 10, idx);
    dl4c_tensor *pred = mat(DL4C_F32, 10, 3, b_scores);
    dl4c_eval *a = NULL, *b = NULL, *ref = NULL;
    REQUIRE(col && flat && pred);
    REQUIRE_OK(dl4c_eval_create(3, &a));
    REQUIRE_OK(dl4c_eval_create(3, &b));
    REQUIRE_OK(dl4c_eval_create(3, &ref));
    CHECK_OK(dl4c_eval_add(a, col, pred, NULL));
    CHECK_OK(dl4c_eval_add(b, flat, pred, NULL));
    CHECK_OK(add_case_b(ref, 0, 10, DL4C_F32));
    check_case_b(a);
    check_case_b(b);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            CHECK(dl4c_eval_confusion(a, i, j) ==
                  dl4c_eval_confusion(ref, i, j));
            CHECK(dl4c_eval_confusion(b, i, j) ==
                  dl4c_eval_confusion(ref, i, j));
        }
    dl4c_tensor_free(col);
    dl4c_tensor_free(flat);
    dl4c_tensor_free(pred);
    dl4c_eval_free(a);
    dl4c_eval_free(b);
    dl4c_eval_free(ref);
}

/* Ties in predictions and in probability labels go to the lowest index. */
static void test_argmax_ties(void)
{
    static const double labels[] = {
        0.2, 0.5, 0.3, /* actual 1 */
        0.4, 0.2, 0.4, /* actual 0 (tie 0/2) */
        0.0, 0.0, 0.0, /* actual 0 (all tied) */
    };
    static const double pred[] = {
        0.1, 0.45, 0.45, /* predicted 1 */
        0.4, 0.4,  0.2,  /* predicted 0 */
        0.3, 0.3,  0.4,  /* predicted 2 */
    };
    dl4c_tensor *l = mat(DL4C_F32, 3, 3, labels);
    dl4c_tensor *p = mat(DL4C_F64, 3, 3, pred);
    dl4c_eval *e = NULL;
    REQUIRE(l && p);
    REQUIRE_OK(dl4c_eval_create(3, &e));
    CHECK_OK(dl4c_eval_add(e, l, p, NULL));
    CHECK(dl4c_eval_confusion(e, 1, 1) == 1);
    CHECK(dl4c_eval_confusion(e, 0, 0) == 1);
    CHECK(dl4c_eval_confusion(e, 0, 2) == 1);
    CHECK(dl4c_eval_count(e) == 3);
    dl4c_tensor_free(l);
    dl4c_tensor_free(p);
    dl4c_eval_free(e);
}

static void test_top_n(void)
{
    dl4c_eval *e2 = NULL, *e3 = NULL;
    REQUIRE_OK(dl4c_eval_create(3, &e2));
    REQUIRE_OK(dl4c_eval_create(3, &e3));
    CHECK_OK(dl4c_eval_set_top_n(e2, 2));
    CHECK_OK(dl4c_eval_set_top_n(e3, 3));
    CHECK_OK(add_case_b(e2, 0, 10, DL4C_F32));
    CHECK_OK(add_case_b(e3, 0, 10, DL4C_F32));
    CHECK(dl4c_eval_top_n(e2) == 2);
    CHECK_NEAR(dl4c_eval_top_n_accuracy(e2), 0.8, 1e-12);
    CHECK_NEAR(dl4c_eval_top_n_accuracy(e3), 1.0, 1e-12);
    CHECK_NEAR(dl4c_eval_accuracy(e2), 0.6, 1e-12);
    /* N may not change once examples are counted; the same N is fine */
    CHECK_ERR(dl4c_eval_set_top_n(e2, 3), DL4C_STATE, "reset");
    CHECK_OK(dl4c_eval_set_top_n(e2, 2));
    dl4c_eval_reset(e2);
    CHECK(dl4c_eval_count(e2) == 0);
    CHECK_OK(dl4c_eval_set_top_n(e2, 3));

    /* a tie for the best score: top-1 follows the argmax (class 0 here),
     * top-2 counts class 1 as it has no strictly higher score */
    static const double one[1] = {1}, tied[3] = {0.5, 0.5, 0.0};
    dl4c_tensor *l = mat(DL4C_F32, 1, 1, one);
    dl4c_tensor *p = mat(DL4C_F32, 1, 3, tied);
    dl4c_eval *t1 = NULL;
    REQUIRE(l && p);
    REQUIRE_OK(dl4c_eval_create(3, &t1));
    CHECK_OK(dl4c_eval_add(t1, l, p, NULL));
    CHECK(dl4c_eval_top_n_accuracy(t1) == 0.0);
    dl4c_eval_reset(t1);
    CHECK_OK(dl4c_eval_set_top_n(t1, 2));
    CHECK_OK(dl4c_eval_add(t1, l, p, NULL));
    CHECK(dl4c_eval_top_n_accuracy(t1) == 1.0);
    CHECK(dl4c_eval_accuracy(t1) == 0.0);
    dl4c_eval_free(t1);
    dl4c_tensor_free(l);
    dl4c_tensor_free(p);

    char *text = NULL;
    CHECK_OK(dl4c_eval_stats(e3, &text));
    CHECK(text && strstr(text, "\n Accuracy:        0.6000\n Top 3 Accuracy:  "
                               "1.0000\n Precision:       0.6905\n"));
    dl4c_free(text);
    dl4c_eval_free(e2);
    dl4c_eval_free(e3);
}

/* Masked rows are skipped without being read: they may hold NaN and
 * out-of-range indices. Unmasked rows 0, 2 and 3:
 *   actual 0 -> 0, actual 2 -> 1, actual 1 -> 1. */
static void test_mask(void)
{
    static const double idx[5] = {0, 7, 2, 1, -3};
    static const double pred[15] = {
        0.9, 0.05, 0.05, NAN, 0, 0, 0.1, 0.8, 0.1, 0.1, 0.8, 0.1, 0, NAN, 0.5,
    };
    static const double keep[5] = {1, 0, 1, 1, 0};
    dl4c_tensor *l = mat(DL4C_F32, 5, 1, idx);
    dl4c_tensor *p = mat(DL4C_F32, 5, 3, pred);
    dl4c_tensor *m1 = vec(DL4C_F32, 5, keep);
    dl4c_tensor *m2 = mat(DL4C_F64, 5, 1, keep);
    dl4c_eval *a = NULL, *b = NULL;
    REQUIRE(l && p && m1 && m2);
    REQUIRE_OK(dl4c_eval_create(3, &a));
    REQUIRE_OK(dl4c_eval_create(3, &b));
    CHECK_OK(dl4c_eval_add(a, l, p, m1));
    CHECK_OK(dl4c_eval_add(b, l, p, m2));
    for (dl4c_eval *e = a; e; e = (e == a ? b : NULL)) {
        CHECK(dl4c_eval_count(e) == 3);
        CHECK(dl4c_eval_confusion(e, 0, 0) == 1);
        CHECK(dl4c_eval_confusion(e, 2, 1) == 1);
        CHECK(dl4c_eval_confusion(e, 1, 1) == 1);
        CHECK_NEAR(dl4c_eval_accuracy(e), 2.0 / 3, 1e-12);
    }
    /* without the mask the same rows are rejected */
    CHECK_ERR(dl4c_eval_add(a, l, p, NULL), DL4C_INVALID_ARG,
              "predictions row 1 column 0 is nan");
    CHECK(dl4c_eval_count(a) == 3);
    dl4c_tensor_free(l);
    dl4c_tensor_free(p);
    dl4c_tensor_free(m1);
    dl4c_tensor_free(m2);
    dl4c_eval_free(a);
    dl4c_eval_free(b);
}

/* Sequences [N, T, C] with an [N, T] mask count every unmasked step, as
 * the same steps flattened to [N*T, C] with an [N*T] mask. Case B's ten
 * rows as 2 sequences of 5 steps, with steps 1 and 8 (flattened) masked:
 * removing (actual 0 -> 0) and (actual 2 -> 1) leaves
 *   actual \ predicted   0  1  2
 *        0               3  0  0
 *        1               2  1  0
 *        2               1  0  1     accuracy 5/8 */
static void test_sequences(void)
{
    static const double keep[10] = {1, 0, 1, 1, 1, 1, 1, 1, 0, 1};
    double idx[10];
    for (int i = 0; i < 10; i++)
        idx[i] = b_actual[i];
    int64_t s3[3] = {2, 5, 3}, s1[3] = {2, 5, 1}, s2[2] = {2, 5};
    dl4c_tensor *l3 = NULL, *li = NULL, *p3 = NULL, *m2 = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, s3, &l3));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F64, 3, s1, &li));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, s3, &p3));
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, s2, &m2));
    for (int i = 0; i < 10; i++) {
        dl4c_tensor_set(l3, 3 * i + b_actual[i], 1.0);
        dl4c_tensor_set(li, i, idx[i]);
        dl4c_tensor_set(m2, i, keep[i]);
    }
    for (int i = 0; i < 30; i++)
        dl4c_tensor_set(p3, i, b_scores[i]);
    dl4c_tensor *lf = one_hot(DL4C_F32, 10, 3, b_actual);
    dl4c_tensor *pf = mat(DL4C_F32, 10, 3, b_scores);
    dl4c_tensor *mf = vec(DL4C_F32, 10, keep);
    REQUIRE(lf && pf && mf);
    dl4c_eval *a = NULL, *b = NULL, *flat = NULL;
    REQUIRE_OK(dl4c_eval_create(3, &a));
    REQUIRE_OK(dl4c_eval_create(3, &b));
    REQUIRE_OK(dl4c_eval_create(3, &flat));
    CHECK_OK(dl4c_eval_add(a, l3, p3, m2));
    CHECK_OK(dl4c_eval_add(b, li, p3, m2));
    CHECK_OK(dl4c_eval_add(flat, lf, pf, mf));
    static const int64_t cm[3][3] = {{3, 0, 0}, {2, 1, 0}, {1, 0, 1}};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            CHECK(dl4c_eval_confusion(a, i, j) == cm[i][j]);
            CHECK(dl4c_eval_confusion(b, i, j) == cm[i][j]);
            CHECK(dl4c_eval_confusion(flat, i, j) == cm[i][j]);
        }
    CHECK_NEAR(dl4c_eval_accuracy(a), 5.0 / 8, 1e-12);
    /* a per-step mask [N, T] does not fit flattened labels, and [N, T]
     * index labels are not [N, T, 1] */
    CHECK_ERR(dl4c_eval_add(a, l3, p3, mf), DL4C_SHAPE,
              "mask [10] does not fit labels [2, 5, 3]: expected [2, 5], "
              "[2, 5, 1]");
    CHECK_ERR(dl4c_eval_add(a, m2, p3, NULL), DL4C_SHAPE,
              "labels [2, 5] and predictions [2, 5, 3]");
    dl4c_tensor_free(l3);
    dl4c_tensor_free(li);
    dl4c_tensor_free(p3);
    dl4c_tensor_free(m2);
    dl4c_tensor_free(lf);
    dl4c_tensor_free(pf);
    dl4c_tensor_free(mf);
    dl4c_eval_free(a);
    dl4c_eval_free(b);
    dl4c_eval_free(flat);
}

/* Adding in pieces equals adding at once; merging workers equals one
 * evaluation of everything. */
static void test_batches_and_merge(void)
{
    dl4c_eval *pieces = NULL, *w1 = NULL, *w2 = NULL, *w3 = NULL;
    REQUIRE_OK(dl4c_eval_create(3, &pieces));
    REQUIRE_OK(dl4c_eval_create(3, &w1));
    REQUIRE_OK(dl4c_eval_create(3, &w2));
    REQUIRE_OK(dl4c_eval_create(3, &w3));
    CHECK_OK(dl4c_eval_set_top_n(pieces, 2));
    CHECK_OK(dl4c_eval_set_top_n(w1, 2));
    CHECK_OK(dl4c_eval_set_top_n(w2, 2));
    CHECK_OK(dl4c_eval_set_top_n(w3, 2));
    CHECK_OK(add_case_b(pieces, 0, 3, DL4C_F32));
    CHECK_OK(add_case_b(pieces, 3, 4, DL4C_F64));
    CHECK_OK(add_case_b(pieces, 4, 10, DL4C_F32));
    check_case_b(pieces);
    CHECK_NEAR(dl4c_eval_top_n_accuracy(pieces), 0.8, 1e-12);

    CHECK_OK(add_case_b(w1, 0, 5, DL4C_F32));
    CHECK_OK(add_case_b(w2, 5, 8, DL4C_F32));
    CHECK_OK(add_case_b(w3, 8, 10, DL4C_F64));
    CHECK_OK(dl4c_eval_merge(w1, w2));
    CHECK_OK(dl4c_eval_merge(w1, w3));
    check_case_b(w1);
    CHECK_NEAR(dl4c_eval_top_n_accuracy(w1), 0.8, 1e-12);
    CHECK(dl4c_eval_count(w2) == 3); /* other is unchanged */

    char *s1 = NULL, *s2 = NULL;
    CHECK_OK(dl4c_eval_to_json(pieces, &s1));
    CHECK_OK(dl4c_eval_to_json(w1, &s2));
    CHECK(s1 && s2 && strcmp(s1, s2) == 0);
    dl4c_free(s1);
    dl4c_free(s2);

    /* mismatches */
    dl4c_eval *four = NULL;
    REQUIRE_OK(dl4c_eval_create(4, &four));
    CHECK_ERR(dl4c_eval_merge(w1, four), DL4C_INVALID_ARG,
              "3 classes and 4 classes");
    CHECK_OK(dl4c_eval_set_top_n(w3, 2));
    dl4c_eval_reset(w3);
    CHECK_OK(dl4c_eval_set_top_n(w3, 1));
    CHECK_ERR(dl4c_eval_merge(w1, w3), DL4C_INVALID_ARG, "top-N 2 and top-N 1");
    CHECK_ERR(dl4c_eval_merge(w1, NULL), DL4C_INVALID_ARG, "other is NULL");
    dl4c_eval_free(four);
    dl4c_eval_free(pieces);
    dl4c_eval_free(w1);
    dl4c_eval_free(w2);
    dl4c_eval_free(w3);
}

/* Two classes with one probability column: class 1 when p > 0.5. */
static void test_binary_single_column(void)
{
    static const double labels[6] = {1, 0, 1, 0, 1, 0};
    static const double prob[6] = {0.9, 0.2, 0.4, 0.6, 0.51, 0.5};
    dl4c_tensor *l = mat(DL4C_F32, 6, 1, labels);
    dl4c_tensor *p = mat(DL4C_F32, 6, 1, prob);
    dl4c_eval *e = NULL;
    REQUIRE(l && p);
    REQUIRE_OK(dl4c_eval_create(2, &e));
    CHECK_OK(dl4c_eval_add(e, l, p, NULL));
    /* actual 1: 0.9 -> 1, 0.4 -> 0, 0.51 -> 1; actual 0: 0.2 -> 0,
     * 0.6 -> 1, 0.5 -> 0 */
    CHECK(dl4c_eval_confusion(e, 1, 1) == 2);
    CHECK(dl4c_eval_confusion(e, 1, 0) == 1);
    CHECK(dl4c_eval_confusion(e, 0, 0) == 2);
    CHECK(dl4c_eval_confusion(e, 0, 1) == 1);
    CHECK_NEAR(dl4c_eval_precision(e, 1), 2.0 / 3, 1e-12);
    CHECK_NEAR(dl4c_eval_recall(e, 1), 2.0 / 3, 1e-12);
    dl4c_tensor_free(l);
    dl4c_tensor_free(p);
    dl4c_eval_free(e);
}

/* Iris-like result: 30 examples, one versicolor predicted as virginica.
 *   class 0: P = 1, R = 1, F1 = 1
 *   class 1: P = 9/9 = 1, R = 9/10, F1 = 1.8/1.9 = .947368
 *   class 2: P = 10/11, R = 1, F1 = (20/11)/(21/11) = .952381
 *   accuracy 29/30 = .966667; macro P = (2 + 10/11)/3 = .969697,
 *   R = 2.9/3 = .966667, F1 = .966583 */
static dl4c_eval *iris_eval(void)
{
    int actual[30], predicted[30];
    for (int i = 0; i < 30; i++)
        actual[i] = predicted[i] = i / 10;
    predicted[19] = 2;
    dl4c_tensor *l = one_hot(DL4C_F32, 30, 3, actual);
    dl4c_tensor *p = scores_for(30, 3, predicted);
    dl4c_eval *e = NULL;
    const char *names[] = {"setosa", "versicolor", "virginica"};
    if (l && p && dl4c_eval_create(3, &e) == DL4C_OK &&
        (dl4c_eval_set_class_names(e, 3, names) != DL4C_OK ||
         dl4c_eval_add(e, l, p, NULL) != DL4C_OK)) {
        dl4c_eval_free(e);
        e = NULL;
    }
    dl4c_tensor_free(l);
    dl4c_tensor_free(p);
    return e;
}

static void test_stats_text(void)
{
    static const char expected[] =
        "\n"
        "\n========================Evaluation Metrics========================"
        "\n # of classes:    3"
        "\n Accuracy:        0.9667"
        "\n Precision:       0.9697"
        "\n Recall:          0.9667"
        "\n F1 Score:        0.9666"
        "\nPrecision, recall & F1: macro-averaged (equally weighted avg. of 3 "
        "classes)\n"
        "\n"
        "\n=========================Confusion Matrix========================="
        "\n  0  1  2"
        "\n----------"
        "\n 10  0  0 | 0 = setosa"
        "\n  0  9  1 | 1 = versicolor"
        "\n  0  0 10 | 2 = virginica"
        "\n"
        "\nConfusion matrix format: Actual (rowClass) predicted as "
        "(columnClass) N times"
        "\n==================================================================";
    dl4c_eval *e = iris_eval();
    REQUIRE(e);
    CHECK_NEAR(dl4c_eval_f1_avg(e, DL4C_EVAL_MACRO),
               (1.0 + 1.8 / 1.9 + 20.0 / 21) / 3, 1e-12);
    char *text = NULL;
    CHECK_OK(dl4c_eval_stats(e, &text));
    CHECK_MSG(text && strcmp(text, expected) == 0, "got:\n%s", text);
    dl4c_free(text);

    /* the matrix alone, and default names after clearing them */
    CHECK_OK(dl4c_eval_set_class_names(e, 0, NULL));
    CHECK_OK(dl4c_eval_confusion_text(e, &text));
    CHECK_MSG(text && strcmp(text, "  0  1  2\n----------\n"
                                   " 10  0  0 | 0 = 0\n"
                                   "  0  9  1 | 1 = 1\n"
                                   "  0  0 10 | 2 = 2\n\n"
                                   "Confusion matrix format: Actual "
                                   "(rowClass) predicted as (columnClass) N "
                                   "times") == 0,
              "got:\n%s", text);
    dl4c_free(text);
    dl4c_eval_free(e);
}

/* Three classes, every example predicted as class 2 (DL4J prints this
 * very case in its documentation):
 *   actual 0 -> 2 twice, actual 1 -> 2 once, actual 2 -> 2 once
 *   precision: classes 0 and 1 never predicted (undefined, excluded);
 *              class 2 = 1/4 -> macro .25
 *   recall: 0, 0, 1 -> macro .3333
 *   F1: classes 0, 1 excluded; class 2 = 2*.25*1/1.25 = .4 */
static void test_stats_never_predicted(void)
{
    static const char expected[] =
        "\n"
        "\n========================Evaluation Metrics========================"
        "\n # of classes:    3"
        "\n Accuracy:        0.2500"
        "\n Precision:       0.2500\t(2 classes excluded from average)"
        "\n Recall:          0.3333"
        "\n F1 Score:        0.4000\t(2 classes excluded from average)"
        "\nPrecision, recall & F1: macro-averaged (equally weighted avg. of 3 "
        "classes)\n"
        "\n"
        "Warning: 2 classes were never predicted by the model and were "
        "excluded from average precision\n"
        "Classes excluded from average precision: [0, 1]\n"
        "\n=========================Confusion Matrix========================="
        "\n 0 1 2"
        "\n-------"
        "\n 0 0 2 | 0 = 0"
        "\n 0 0 1 | 1 = 1"
        "\n 0 0 1 | 2 = 2"
        "\n"
        "\nConfusion matrix format: Actual (rowClass) predicted as "
        "(columnClass) N times"
        "\n==================================================================";
    static const int actual[4] = {0, 0, 1, 2}, predicted[4] = {2, 2, 2, 2};
    dl4c_tensor *l = one_hot(DL4C_F32, 4, 3, actual);
    dl4c_tensor *p = scores_for(4, 3, predicted);
    dl4c_eval *e = NULL;
    REQUIRE(l && p);
    REQUIRE_OK(dl4c_eval_create(3, &e));
    CHECK_OK(dl4c_eval_add(e, l, p, NULL));
    CHECK_NEAR(dl4c_eval_precision_avg(e, DL4C_EVAL_MACRO), 0.25, 1e-12);
    CHECK_NEAR(dl4c_eval_recall_avg(e, DL4C_EVAL_MACRO), 1.0 / 3, 1e-12);
    CHECK_NEAR(dl4c_eval_f1_avg(e, DL4C_EVAL_MACRO), 0.4, 1e-12);
    /* sklearn-style weighted average counts undefined values as 0 */
    CHECK_NEAR(dl4c_eval_precision_avg(e, DL4C_EVAL_WEIGHTED), 0.25 / 4, 1e-12);
    CHECK(dl4c_eval_precision(e, 0) == 0.0);
    CHECK(dl4c_eval_f1(e, 1) == 0.0);
    CHECK(dl4c_eval_is_excluded(e, DL4C_EVAL_PRECISION, 0));
    CHECK(dl4c_eval_is_excluded(e, DL4C_EVAL_PRECISION, 1));
    CHECK(!dl4c_eval_is_excluded(e, DL4C_EVAL_PRECISION, 2));
    CHECK(!dl4c_eval_is_excluded(e, DL4C_EVAL_RECALL, 0));
    CHECK(dl4c_eval_excluded_count(e, DL4C_EVAL_PRECISION) == 2);
    CHECK(dl4c_eval_excluded_count(e, DL4C_EVAL_RECALL) == 0);
    CHECK(dl4c_eval_excluded_count(e, DL4C_EVAL_F1) == 2);
    char *text = NULL;
    CHECK_OK(dl4c_eval_stats(e, &text));
    CHECK_MSG(text && strcmp(text, expected) == 0, "got:\n%s", text);
    dl4c_free(text);

    static const char json[] =
        "{\"type\": \"classification\", \"num_classes\": 3, \"count\": 4, "
        "\"top_n\": 1, \"top_n_correct\": 1, \"accuracy\": 0.25, "
        "\"top_n_accuracy\": 0.25, "
        "\"precision\": {\"macro\": 0.25, \"micro\": 0.25, \"weighted\": "
        "0.0625}, "
        "\"recall\": {\"macro\": 0.33333333333333331, \"micro\": 0.25, "
        "\"weighted\": 0.25}, "
        "\"f1\": {\"macro\": 0.4, \"micro\": 0.25, \"weighted\": 0.1}, "
        "\"excluded\": {\"precision\": [0, 1], \"recall\": [], \"f1\": [0, "
        "1]}, "
        "\"class_names\": [\"0\", \"1\", \"2\"], "
        "\"confusion_matrix\": [[0, 0, 2], [0, 0, 1], [0, 0, 1]], "
        "\"classes\": ["
        "{\"name\": \"0\", \"precision\": 0, \"recall\": 0, \"f1\": 0, "
        "\"support\": 2, \"tp\": 0, \"fp\": 0, \"fn\": 2, \"tn\": 2}, "
        "{\"name\": \"1\", \"precision\": 0, \"recall\": 0, \"f1\": 0, "
        "\"support\": 1, \"tp\": 0, \"fp\": 0, \"fn\": 1, \"tn\": 3}, "
        "{\"name\": \"2\", \"precision\": 0.25, \"recall\": 1, \"f1\": 0.4, "
        "\"support\": 1, \"tp\": 1, \"fp\": 3, \"fn\": 0, \"tn\": 0}]}";
    CHECK_OK(dl4c_eval_to_json(e, &text));
    CHECK_MSG(text && strcmp(text, json) == 0, "got:\n%s", text);
    dl4c_free(text);
    dl4c_tensor_free(l);
    dl4c_tensor_free(p);
    dl4c_eval_free(e);
}

/* A class absent from the labels is left out of the average recall. */
static void test_stats_never_in_labels(void)
{
    static const int actual[3] = {0, 0, 1}, predicted[3] = {0, 2, 1};
    dl4c_tensor *l = one_hot(DL4C_F64, 3, 3, actual);
    dl4c_tensor *p = scores_for(3, 3, predicted);
    dl4c_eval *e = NULL;
    REQUIRE(l && p);
    REQUIRE_OK(dl4c_eval_create(3, &e));
    CHECK_OK(dl4c_eval_add(e, l, p, NULL));
    /* recall: 1/2, 1/1, class 2 undefined -> macro .75 */
    CHECK_NEAR(dl4c_eval_recall_avg(e, DL4C_EVAL_MACRO), 0.75, 1e-12);
    CHECK(dl4c_eval_is_excluded(e, DL4C_EVAL_RECALL, 2));
    char *text = NULL;
    CHECK_OK(dl4c_eval_stats(e, &text));
    CHECK(text && strstr(text, "\n Recall:          0.7500\t(1 class excluded "
                               "from average)\n"));
    CHECK(text && strstr(text, "\n\nWarning: 1 class was never present in the "
                               "labels and was excluded from average recall"
                               "\nClasses excluded from average recall: [2]"
                               "\n\n===="));
    dl4c_free(text);
    dl4c_tensor_free(l);
    dl4c_tensor_free(p);
    dl4c_eval_free(e);
}

/* Column width follows the largest count: 120 needs 3 digits. */
static void test_confusion_width(void)
{
    int actual[125], predicted[125];
    for (int i = 0; i < 125; i++) {
        actual[i] = i < 120 ? 0 : 1;
        predicted[i] = i < 120 ? 0 : (i < 123 ? 1 : 0);
    }
    dl4c_tensor *l = one_hot(DL4C_F32, 125, 2, actual);
    dl4c_tensor *p = scores_for(125, 2, predicted);
    dl4c_eval *e = NULL;
    REQUIRE(l && p);
    REQUIRE_OK(dl4c_eval_create(2, &e));
    CHECK_OK(dl4c_eval_add(e, l, p, NULL));
    char *text = NULL;
    CHECK_OK(dl4c_eval_confusion_text(e, &text));
    CHECK_MSG(text && strncmp(text,
                              "   0   1\n---------\n"
                              " 120   0 | 0 = 0\n"
                              "   2   3 | 1 = 1\n",
                              strlen("   0   1\n---------\n"
                                     " 120   0 | 0 = 0\n"
                                     "   2   3 | 1 = 1\n")) == 0,
              "got:\n%s", text);
    dl4c_free(text);
    dl4c_tensor_free(l);
    dl4c_tensor_free(p);
    dl4c_eval_free(e);
}

/* Above 20 classes stats() leaves the matrix out and says so. */
static void test_stats_many_classes(void)
{
    int actual[1] = {20};
    dl4c_tensor *l = one_hot(DL4C_F32, 1, 21, actual);
    dl4c_tensor *p = scores_for(1, 21, actual);
    dl4c_eval *e = NULL;
    REQUIRE(l && p);
    REQUIRE_OK(dl4c_eval_create(21, &e));
    CHECK_OK(dl4c_eval_add(e, l, p, NULL));
    char *text = NULL;
    CHECK_OK(dl4c_eval_stats(e, &text));
    CHECK(text && !strstr(text, "Confusion Matrix"));
    CHECK(text && strstr(text, "Note: Confusion matrix not generated due to "
                               "space requirements for 21 classes."));
    CHECK(text && strstr(text, "Warning: 20 classes were never predicted"));
    dl4c_free(text);
    dl4c_tensor_free(l);
    dl4c_tensor_free(p);
    dl4c_eval_free(e);
}

static void test_class_report(void)
{
    static const char expected[] =
        "              precision    recall  f1-score   support\n"
        "\n"
        "         cat     0.5714    1.0000    0.7273         4\n"
        "         dog     0.5000    0.3333    0.4000         3\n"
        "        bird     1.0000    0.3333    0.5000         3\n"
        "\n"
        "    accuracy                         0.6000        10\n"
        "   macro avg     0.6905    0.5556    0.5424        10\n"
        "weighted avg     0.6786    0.6000    0.5609        10\n";
    const char *names[] = {"cat", "dog", "bird"};
    dl4c_eval *e = NULL;
    REQUIRE_OK(dl4c_eval_create(3, &e));
    CHECK_OK(dl4c_eval_set_class_names(e, 3, names));
    CHECK_OK(add_case_b(e, 0, 10, DL4C_F32));
    char *text = NULL;
    CHECK_OK(dl4c_eval_class_report(e, &text));
    CHECK_MSG(text && strcmp(text, expected) == 0, "got:\n%s", text);
    dl4c_free(text);
    dl4c_eval_free(e);
}

static void test_names_and_json_escaping(void)
{
    const char *names[] = {"a \"quoted\"\\name", "tab\there"};
    dl4c_eval *e = NULL;
    REQUIRE_OK(dl4c_eval_create(2, &e));
    CHECK_OK(dl4c_eval_set_class_names(e, 2, names));
    CHECK(strcmp(dl4c_eval_class_name(e, 0), names[0]) == 0);
    char *text = NULL;
    CHECK_OK(dl4c_eval_to_json(e, &text));
    CHECK(text &&
          strstr(text, "\"class_names\": [\"a \\\"quoted\\\"\\\\name\", "
                       "\"tab\\there\"]"));
    /* with no examples every rate is 0 */
    CHECK(text && strstr(text, "\"accuracy\": 0, "));
    dl4c_free(text);
    CHECK(dl4c_eval_accuracy(e) == 0.0);
    CHECK(dl4c_eval_f1_avg(e, DL4C_EVAL_MACRO) == 0.0);
    CHECK(dl4c_eval_precision_avg(e, DL4C_EVAL_MICRO) == 0.0);
    CHECK(dl4c_eval_top_n_accuracy(e) == 0.0);
    CHECK_OK(dl4c_eval_stats(e, &text));
    CHECK(text && strstr(text, " Accuracy:        0.0000"));
    dl4c_free(text);
    dl4c_eval_free(e);
}

static void test_bad_inputs(void)
{
    dl4c_eval *e = (dl4c_eval *)&e;
    CHECK_ERR(dl4c_eval_create(0, &e), DL4C_INVALID_ARG,
              "num_classes is 0, must be at least 2");
    CHECK(e == NULL);
    CHECK_ERR(dl4c_eval_create(1, &e), DL4C_INVALID_ARG, "num_classes is 1");
    CHECK_ERR(dl4c_eval_create(3, NULL), DL4C_INVALID_ARG, "out is NULL");
    REQUIRE_OK(dl4c_eval_create(3, &e));

    static const double idx_bad[3] = {0, 3, 1};
    static const double idx_frac[3] = {0, 1.5, 1};
    static const double idx_neg[3] = {0, 1, -1};
    static const double p3[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    static const double p3nan[9] = {1, 0, 0, 0, 1, 0, 0, INFINITY, 1};
    static const double mask_half[3] = {1, 0.5, 1};
    dl4c_tensor *pred = mat(DL4C_F32, 3, 3, p3);
    dl4c_tensor *pred_inf = mat(DL4C_F32, 3, 3, p3nan);
    dl4c_tensor *pred4 = mat(DL4C_F32, 2, 3, p3);
    dl4c_tensor *pred_w = mat(DL4C_F32, 3, 2, p3);
    dl4c_tensor *lab_bad = mat(DL4C_F32, 3, 1, idx_bad);
    dl4c_tensor *lab_frac = mat(DL4C_F32, 3, 1, idx_frac);
    dl4c_tensor *lab_neg = mat(DL4C_F64, 3, 1, idx_neg);
    dl4c_tensor *lab_ok = mat(DL4C_F32, 3, 3, p3);
    dl4c_tensor *lab_w = mat(DL4C_F32, 3, 2, p3);
    dl4c_tensor *mask_w = mat(DL4C_F32, 3, 3, p3);
    dl4c_tensor *mask_n = vec(DL4C_F32, 2, p3);
    dl4c_tensor *mask_v = vec(DL4C_F32, 3, mask_half);
    int64_t shape3[3] = {3, 3, 1};
    dl4c_tensor *rank3 = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, shape3, &rank3));
    REQUIRE(pred && pred_inf && pred4 && pred_w && lab_bad && lab_frac &&
            lab_neg && lab_ok && lab_w && mask_w && mask_n && mask_v);

    CHECK_ERR(dl4c_eval_add(e, lab_ok, pred4, NULL), DL4C_SHAPE,
              "labels [3, 3] and predictions [2, 3]");
    CHECK_ERR(dl4c_eval_add(e, lab_ok, pred_w, NULL), DL4C_SHAPE,
              "labels [3, 3] and predictions [3, 2] do not fit 3 classes");
    CHECK_ERR(dl4c_eval_add(e, lab_w, pred, NULL), DL4C_SHAPE,
              "labels [3, 2] and predictions [3, 3]");
    CHECK_ERR(dl4c_eval_add(e, rank3, pred, NULL), DL4C_SHAPE,
              "labels [3, 3, 1] and predictions [3, 3] do not fit 3 classes: "
              "their dims before the class dim differ");
    CHECK_ERR(dl4c_eval_add(e, lab_bad, pred, NULL), DL4C_INVALID_ARG,
              "labels row 1: class index 3 outside 0..2");
    CHECK_ERR(dl4c_eval_add(e, lab_neg, pred, NULL), DL4C_INVALID_ARG,
              "labels row 2: class index -1 outside 0..2");
    CHECK_ERR(dl4c_eval_add(e, lab_frac, pred, NULL), DL4C_INVALID_ARG,
              "labels row 1: 1.5 is not a class index");
    CHECK_ERR(dl4c_eval_add(e, lab_ok, pred_inf, NULL), DL4C_INVALID_ARG,
              "predictions row 2 column 1 is inf");
    CHECK_ERR(dl4c_eval_add(e, lab_ok, pred, mask_w), DL4C_SHAPE,
              "mask [3, 3] does not fit labels [3, 3]: expected [3], [3, 1]");
    CHECK_ERR(dl4c_eval_add(e, lab_ok, pred, mask_n), DL4C_SHAPE,
              "mask [2] does not fit labels [3, 3]");
    CHECK_ERR(dl4c_eval_add(e, lab_ok, pred, mask_v), DL4C_INVALID_ARG,
              "mask row 1 column 0 is 0.5, must be 0 or 1");
    CHECK_ERR(dl4c_eval_add(e, NULL, pred, NULL), DL4C_INVALID_ARG,
              "labels is NULL");
    CHECK_ERR(dl4c_eval_add(NULL, lab_ok, pred, NULL), DL4C_INVALID_ARG,
              "e is NULL");
    /* nothing was counted by the failed calls */
    CHECK(dl4c_eval_count(e) == 0);
    CHECK_OK(dl4c_eval_add(e, lab_ok, pred, NULL));
    CHECK(dl4c_eval_count(e) == 3);

    const char *two[] = {"a", "b"};
    const char *with_null[] = {"a", NULL, "c"};
    CHECK_ERR(dl4c_eval_set_class_names(e, 2, two), DL4C_INVALID_ARG,
              "2 names for 3 classes");
    CHECK_ERR(dl4c_eval_set_class_names(e, 3, with_null), DL4C_INVALID_ARG,
              "name 1 is NULL");
    CHECK_ERR(dl4c_eval_set_top_n(e, 0), DL4C_INVALID_ARG,
              "n is 0, must be at least 1");
    char *text = (char *)"x";
    CHECK_ERR(dl4c_eval_stats(NULL, &text), DL4C_INVALID_ARG, "e is NULL");
    CHECK(text == NULL);
    CHECK_ERR(dl4c_eval_to_json(e, NULL), DL4C_INVALID_ARG, "out is NULL");

    dl4c_tensor_free(pred);
    dl4c_tensor_free(pred_inf);
    dl4c_tensor_free(pred4);
    dl4c_tensor_free(pred_w);
    dl4c_tensor_free(lab_bad);
    dl4c_tensor_free(lab_frac);
    dl4c_tensor_free(lab_neg);
    dl4c_tensor_free(lab_ok);
    dl4c_tensor_free(lab_w);
    dl4c_tensor_free(mask_w);
    dl4c_tensor_free(mask_n);
    dl4c_tensor_free(mask_v);
    dl4c_tensor_free(rank3);
    dl4c_eval_free(e);
    dl4c_eval_free(NULL);
}

/* An allocator that fails after `budget` successful allocations. */
static int budget;

static void *fail_malloc(size_t n, void *ctx)
{
    (void)ctx;
    return budget-- > 0 ? malloc(n) : NULL;
}

static void *fail_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    return budget-- > 0 ? realloc(p, n) : NULL;
}

static void fail_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

/* Every allocation failure gives DL4C_NOMEM and leaks nothing (the
 * sanitizer build checks the leaks). */
static void test_out_of_memory(void)
{
    const dl4c_allocator failing = {fail_malloc, fail_realloc, fail_free, NULL};
    const char *names[] = {"x", "y", "z"};
    int done = 0;
    for (int limit = 0; limit < 200 && !done; limit++) {
        budget = limit;
        dl4c_set_allocator(&failing);
        dl4c_eval *e = NULL;
        char *s1 = NULL, *s2 = NULL, *s3 = NULL;
        dl4c_status st = dl4c_eval_create(3, &e);
        if (st == DL4C_OK)
            st = dl4c_eval_set_class_names(e, 3, names);
        if (st == DL4C_OK)
            st = dl4c_eval_stats(e, &s1);
        if (st == DL4C_OK)
            st = dl4c_eval_to_json(e, &s2);
        if (st == DL4C_OK)
            st = dl4c_eval_class_report(e, &s3);
        CHECK(st == DL4C_OK || st == DL4C_NOMEM);
        if (st == DL4C_NOMEM)
            CHECK(strstr(dl4c_last_error(), "out of memory"));
        done = st == DL4C_OK;
        dl4c_free(s1);
        dl4c_free(s2);
        dl4c_free(s3);
        dl4c_eval_free(e);
        dl4c_set_allocator(NULL);
    }
    CHECK(done);
}

TEST_MAIN(test_hand_computed, test_float64_matches_float32,
          test_index_labels_equal_one_hot, test_argmax_ties, test_top_n,
          test_mask, test_sequences, test_batches_and_merge,
          test_binary_single_column, test_stats_text,
          test_stats_never_predicted, test_stats_never_in_labels,
          test_confusion_width, test_stats_many_classes, test_class_report,
          test_names_and_json_escaping, test_bad_inputs, test_out_of_memory)
