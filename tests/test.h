/* The in-house test harness: CHECK macros that report file:line and keep
 * going, and a main() that runs the listed tests.
 *
 *   static void test_add(void) { CHECK(1 + 1 == 2); }
 *   TEST_MAIN(test_add)
 *
 * A test binary exits 0 when every check passed, 1 otherwise, and 77
 * (CTest's skip code) when TEST_SKIP was called and nothing failed. */
#ifndef DL4C_TEST_H
#define DL4C_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dl4c/dl4c.h"

extern int test_failures;
extern int test_checks;
extern int test_skipped;

#define CHECK(cond)                                                            \
    do {                                                                       \
        test_checks++;                                                         \
        if (!(cond)) {                                                         \
            test_failures++;                                                   \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
        }                                                                      \
    } while (0)

#define CHECK_MSG(cond, ...)                                                   \
    do {                                                                       \
        test_checks++;                                                         \
        if (!(cond)) {                                                         \
            test_failures++;                                                   \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__,   \
                    #cond);                                                    \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
        }                                                                      \
    } while (0)

#define CHECK_OK(expr)                                                         \
    do {                                                                       \
        test_checks++;                                                         \
        dl4c_status st_ = (expr);                                              \
        if (st_ != DL4C_OK) {                                                  \
            test_failures++;                                                   \
            fprintf(stderr, "%s:%d: %s failed: %s: %s\n", __FILE__, __LINE__,  \
                    #expr, dl4c_status_name(st_), dl4c_last_error());          \
        }                                                                      \
    } while (0)

/* Stops the current test function when expr fails (for setup steps). */
#define REQUIRE_OK(expr)                                                       \
    do {                                                                       \
        test_checks++;                                                         \
        dl4c_status st_ = (expr);                                              \
        if (st_ != DL4C_OK) {                                                  \
            test_failures++;                                                   \
            fprintf(stderr, "%s:%d: %s failed: %s: %s\n", __FILE__, __LINE__,  \
                    #expr, dl4c_status_name(st_), dl4c_last_error());          \
            return;                                                            \
        }                                                                      \
    } while (0)

#define REQUIRE(cond)                                                          \
    do {                                                                       \
        test_checks++;                                                         \
        if (!(cond)) {                                                         \
            test_failures++;                                                   \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                    \
            return;                                                            \
        }                                                                      \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                  \
    do {                                                                       \
        test_checks++;                                                         \
        double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol);         \
        if (!(fabs(a_ - b_) <= t_)) {                                          \
            test_failures++;                                                   \
            fprintf(stderr,                                                    \
                    "%s:%d: CHECK_NEAR failed: %s = %.10g, %s = %.10g"         \
                    " (tol %g)\n",                                             \
                    __FILE__, __LINE__, #a, a_, #b, b_, t_);                   \
        }                                                                      \
    } while (0)

/* expr must fail with status `code` and a message containing `substr`. */
#define CHECK_ERR(expr, code, substr)                                          \
    do {                                                                       \
        test_checks++;                                                         \
        dl4c_clear_error();                                                    \
        dl4c_status st_ = (expr);                                              \
        if (st_ != (code)) {                                                   \
            test_failures++;                                                   \
            fprintf(stderr, "%s:%d: %s returned '%s', expected '%s' (%s)\n",   \
                    __FILE__, __LINE__, #expr, dl4c_status_name(st_),          \
                    dl4c_status_name(code), dl4c_last_error());                \
        } else if (!strstr(dl4c_last_error(), (substr))) {                     \
            test_failures++;                                                   \
            fprintf(stderr, "%s:%d: message '%s' lacks '%s'\n", __FILE__,      \
                    __LINE__, dl4c_last_error(), (substr));                    \
        }                                                                      \
    } while (0)

#define TEST_SKIP(...)                                                         \
    do {                                                                       \
        fprintf(stderr, "SKIP: ");                                             \
        fprintf(stderr, __VA_ARGS__);                                          \
        fputc('\n', stderr);                                                   \
        test_skipped = 1;                                                      \
        return;                                                                \
    } while (0)

typedef void (*test_fn)(void);
int test_run_all(const char *file, const test_fn *tests, const char **names,
                 int count);

#define TEST_NAMES_(...) #__VA_ARGS__
#define TEST_MAIN(...)                                                         \
    int main(void)                                                             \
    {                                                                          \
        static const test_fn tests_[] = {__VA_ARGS__};                         \
        static char names_buf_[] = TEST_NAMES_(__VA_ARGS__);                   \
        const char *names_[sizeof tests_ / sizeof tests_[0]];                  \
        int n_ = (int)(sizeof tests_ / sizeof tests_[0]);                      \
        char *p_ = names_buf_;                                                 \
        for (int i_ = 0; i_ < n_; i_++) {                                      \
            while (*p_ == ' ' || *p_ == ',')                                   \
                p_++;                                                          \
            names_[i_] = p_;                                                   \
            while (*p_ && *p_ != ',')                                          \
                p_++;                                                          \
            if (*p_)                                                           \
                *p_++ = '\0';                                                  \
        }                                                                      \
        return test_run_all(__FILE__, tests_, names_, n_);                     \
    }

/* Helpers (tests/support/test_support.c) */

/* Path of a file under ../shared/data (e.g. "mnist/t10k-labels-idx1-ubyte.gz")
 * in a static buffer, or NULL when that file is not present. */
const char *test_shared_data(const char *relpath);
/* Path of a file under the source tree (e.g. "data/iris.csv"). */
const char *test_source_path(const char *relpath);
/* A fresh empty temporary directory (removed by test_run_all at exit). */
const char *test_tmpdir(void);
/* Writes `text` to a file in the temporary directory; returns its path
 * (static buffer per call site is NOT kept: copy it if needed). */
const char *test_write_file(const char *name, const char *text);
/* Reads a whole file into a malloc'd buffer (NUL-terminated); *len gets its
 * size. NULL on failure. */
char *test_read_file(const char *path, size_t *len);

/* An accuracy run (tests/support/accuracy.c): the net of `config`
 * (float32) trained on the IDX folder ../shared/data/`dataset` (60,000
 * training images, image normalizer, batch 64, shuffled with
 * `shuffle_seed`) for `epochs`, must reach `min_accuracy` on the 10,000
 * test images; `rows_as_steps` gives it the images as 28 steps of 28
 * features. Skips the test when the folder is absent. */
typedef struct test_accuracy_run {
    const char *dataset, *config;
    int epochs;
    uint64_t shuffle_seed;
    bool rows_as_steps;
    double min_accuracy;
} test_accuracy_run;
void test_idx_accuracy(const test_accuracy_run *run);

#endif
