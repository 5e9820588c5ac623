// labels: unit badinput
/* The replaceable allocator and the error reporting behind it: a counting
 * allocator proves tensors free everything they allocate; a failing
 * allocator walks every out-of-memory path of tensor creation, views,
 * copies and casts; status names and the thread-local message. */
#include <pthread.h>
#include <stdint.h>

#include "core/error_internal.h"
#include "test.h"

/* Counts calls and live blocks; fails the fail_at-th allocation (1-based,
 * counted since the last arm()) when fail_at > 0. */
typedef struct counter {
    int64_t allocs, frees, live;
    int64_t calls, fail_at, failed;
} counter;

static void *count_malloc(size_t size, void *ctx)
{
    counter *c = ctx;
    c->calls++;
    if (c->fail_at > 0 && c->calls == c->fail_at) {
        c->failed++;
        return NULL;
    }
    void *p = malloc(size);
    if (p) {
        c->allocs++;
        c->live++;
    }
    return p;
}

static void *count_realloc(void *ptr, size_t size, void *ctx)
{
    counter *c = ctx;
    if (!ptr)
        return count_malloc(size, ctx);
    c->calls++;
    if (c->fail_at > 0 && c->calls == c->fail_at) {
        c->failed++;
        return NULL;
    }
    return realloc(ptr, size);
}

static void count_free(void *ptr, void *ctx)
{
    counter *c = ctx;
    if (ptr) {
        c->frees++;
        c->live--;
    }
    free(ptr);
}

static counter counts;

static void install(void)
{
    memset(&counts, 0, sizeof counts);
    dl4c_allocator a = {count_malloc, count_realloc, count_free, &counts};
    dl4c_set_allocator(&a);
}

/* Fail the k-th allocation from now on (0: never). */
static void arm(int64_t k)
{
    counts.calls = 0;
    counts.failed = 0;
    counts.fail_at = k;
}

static void test_counting_balance(void)
{
    install();
    int64_t shape[3] = {4, 5, 6};
    dl4c_tensor *t = NULL, *v = NULL, *c = NULL, *d = NULL, *f = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 3, shape, &t));
    /* the struct and the data block come from the installed allocator */
    CHECK(counts.allocs == 2);
    CHECK(counts.live == 2);
    CHECK((uintptr_t)dl4c_tensor_data(t) % 64 == 0);

    int64_t vs[2] = {5, 6};
    REQUIRE_OK(dl4c_tensor_view(t, 30, 2, vs, &v));
    CHECK(counts.live == 3); /* a view allocates only its struct */
    REQUIRE_OK(dl4c_tensor_copy(v, &c));
    REQUIRE_OK(dl4c_tensor_cast(t, DL4C_F64, &d));
    float data[2] = {1, 2};
    int64_t two = 2;
    REQUIRE_OK(dl4c_tensor_create_from(DL4C_F32, 1, &two, data, &f));
    CHECK(counts.live == 9);

    /* reshape, fill and element access never allocate */
    int64_t flat = -1;
    int64_t before = counts.allocs;
    CHECK_OK(dl4c_tensor_reshape(t, 1, &flat));
    dl4c_tensor_fill(t, 1.0);
    dl4c_tensor_set(t, 3, 2.0);
    CHECK(dl4c_tensor_get(t, 3) == 2.0);
    CHECK_OK(dl4c_tensor_copy_into(v, c));
    CHECK(counts.allocs == before);

    dl4c_tensor_free(v);
    CHECK(counts.live == 8);
    dl4c_tensor_free(c);
    dl4c_tensor_free(d);
    dl4c_tensor_free(f);
    dl4c_tensor_free(t);
    CHECK(counts.live == 0);
    CHECK(counts.allocs == counts.frees);
    CHECK(counts.allocs == 9);

    /* failures before any allocation allocate nothing */
    int64_t bad = 0;
    CHECK_ERR(dl4c_tensor_create(DL4C_F32, 1, &bad, &t), DL4C_INVALID_ARG,
              "must be > 0");
    CHECK(counts.allocs == 9);

    /* dl4c_free goes to the installed allocator; NULL is a no-op */
    dl4c_free(NULL);
    CHECK(counts.frees == 9);
    dl4c_set_allocator(NULL);
}

/* Runs `op` with the k-th allocation failing for k = 1, 2, ... until it
 * succeeds; every failure must be DL4C_NOMEM with "out of memory", leave
 * *out NULL and leak nothing. Returns the number of allocations op makes. */
typedef dl4c_status (*tensor_op)(const dl4c_tensor *base, dl4c_tensor **out);

static int walk_nomem(const char *name, tensor_op op, const dl4c_tensor *base)
{
    for (int k = 1; k <= 16; k++) {
        int64_t live = counts.live;
        dl4c_tensor *out = (dl4c_tensor *)&counts; /* must be reset */
        arm(k);
        dl4c_clear_error();
        dl4c_status st = op(base, &out);
        int64_t failed = counts.failed;
        arm(0);
        if (!failed) {
            CHECK_MSG(st == DL4C_OK, "%s: %s", name, dl4c_last_error());
            CHECK_MSG(out != NULL && out != (dl4c_tensor *)&counts, "%s", name);
            if (st == DL4C_OK)
                dl4c_tensor_free(out);
            CHECK_MSG(counts.live == live, "%s leaks after success", name);
            return k - 1;
        }
        CHECK_MSG(st == DL4C_NOMEM, "%s with allocation %d failing: %s", name,
                  k, dl4c_status_name(st));
        CHECK_MSG(strstr(dl4c_last_error(), "out of memory") != NULL,
                  "%s: message '%s'", name, dl4c_last_error());
        CHECK_MSG(out == NULL, "%s: *out not NULL after failure", name);
        CHECK_MSG(counts.live == live, "%s leaks %lld blocks at k=%d", name,
                  (long long)(counts.live - live), k);
    }
    CHECK_MSG(0, "%s never succeeded", name);
    return -1;
}

static dl4c_status op_create(const dl4c_tensor *base, dl4c_tensor **out)
{
    (void)base;
    int64_t shape[2] = {3, 7};
    return dl4c_tensor_create(DL4C_F64, 2, shape, out);
}

static dl4c_status op_create_from(const dl4c_tensor *base, dl4c_tensor **out)
{
    return dl4c_tensor_create_from(DL4C_F32, 1, (int64_t[]){4},
                                   dl4c_tensor_data(base), out);
}

static dl4c_status op_view(const dl4c_tensor *base, dl4c_tensor **out)
{
    int64_t shape[2] = {2, 2};
    return dl4c_tensor_view(base, 4, 2, shape, out);
}

static dl4c_status op_copy(const dl4c_tensor *base, dl4c_tensor **out)
{
    return dl4c_tensor_copy(base, out);
}

static dl4c_status op_cast(const dl4c_tensor *base, dl4c_tensor **out)
{
    return dl4c_tensor_cast(base, DL4C_F64, out);
}

static void test_out_of_memory_paths(void)
{
    install();
    int64_t shape[2] = {3, 4};
    dl4c_tensor *base = NULL;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 2, shape, &base));
    for (int i = 0; i < 12; i++)
        dl4c_tensor_set(base, i, i);
    int64_t live = counts.live;

    CHECK(walk_nomem("create", op_create, base) == 2);
    CHECK(walk_nomem("create_from", op_create_from, base) == 2);
    CHECK(walk_nomem("view", op_view, base) == 1);
    CHECK(walk_nomem("copy", op_copy, base) == 2);
    CHECK(walk_nomem("cast", op_cast, base) == 2);
    CHECK(counts.live == live);

    /* the base is untouched by the failed attempts */
    CHECK(dl4c_tensor_get(base, 11) == 11.0);
    dl4c_tensor_free(base);
    CHECK(counts.live == 0);
    CHECK(counts.allocs == counts.frees);
    dl4c_set_allocator(NULL);
}

static void test_restore_default_allocator(void)
{
    install();
    dl4c_set_allocator(NULL);
    dl4c_tensor *t = NULL;
    int64_t n = 5;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 1, &n, &t));
    CHECK(counts.allocs == 0); /* the C library served it */
    dl4c_tensor_free(t);
    CHECK(counts.frees == 0);
}

static void test_status_names(void)
{
    static const char *const want[DL4C_STATUS_COUNT] = {
        "ok",          "invalid argument", "shape mismatch", "out of memory",
        "I/O error",   "format error",     "unsupported",    "backend error",
        "wrong state", "internal error",
    };
    for (int s = 0; s < DL4C_STATUS_COUNT; s++) {
        const char *name = dl4c_status_name((dl4c_status)s);
        CHECK_MSG(name != NULL && name[0] != '\0', "status %d", s);
        CHECK_MSG(name && strcmp(name, want[s]) == 0, "status %d is '%s'", s,
                  name ? name : "(null)");
        for (int t = 0; t < s; t++)
            CHECK(strcmp(name, dl4c_status_name((dl4c_status)t)) != 0);
    }
    CHECK(strcmp(dl4c_status_name(DL4C_STATUS_COUNT), "unknown status") == 0);
    CHECK(strcmp(dl4c_status_name((dl4c_status)-1), "unknown status") == 0);
    CHECK(strcmp(dl4c_status_name((dl4c_status)1000), "unknown status") == 0);
}

static void test_version(void)
{
    const char *v = dl4c_version();
    REQUIRE(v != NULL);
    int major = -1, minor = -1, patch = -1;
    char rest = 0;
    CHECK(sscanf(v, "%d.%d.%d%c", &major, &minor, &patch, &rest) == 3);
    CHECK(major >= 0 && minor >= 0 && patch >= 0);
}

static void test_last_error(void)
{
    dl4c_clear_error();
    CHECK(strcmp(dl4c_last_error(), "") == 0);
    dl4c_tensor *t = NULL;
    CHECK(dl4c_tensor_create(DL4C_F32, 9, (int64_t[9]){0}, &t) ==
          DL4C_INVALID_ARG);
    CHECK(strstr(dl4c_last_error(), "rank 9") != NULL);
    /* the message stays until the next failure or clear */
    int64_t n = 2;
    REQUIRE_OK(dl4c_tensor_create(DL4C_F32, 1, &n, &t));
    CHECK(strstr(dl4c_last_error(), "rank 9") != NULL);
    dl4c_tensor_free(t);
    dl4c_clear_error();
    CHECK(dl4c_last_error()[0] == '\0');

    /* context is prepended as the error travels up */
    CHECK(dl4c_error_set(DL4C_FORMAT, "column %d: '%s' is not a number", 3,
                         "abc") == DL4C_FORMAT);
    CHECK(dl4c_error_prefix(DL4C_FORMAT, "iris.csv:%d", 57) == DL4C_FORMAT);
    CHECK(strcmp(dl4c_last_error(),
                 "iris.csv:57: column 3: 'abc' is not a number") == 0);

    /* a message may quote the current one */
    CHECK(dl4c_error_set(DL4C_IO, "while loading: %s", dl4c_last_error()) ==
          DL4C_IO);
    CHECK(strcmp(dl4c_last_error(), "while loading: iris.csv:57: column 3: "
                                    "'abc' is not a number") == 0);

    /* long messages (the cap is 16 KiB: enough to list many layers) are
     * truncated, never overrun */
    static char big[20000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    dl4c_error_set(DL4C_INTERNAL, "%s", big);
    size_t len = strlen(dl4c_last_error());
    CHECK(len > 10000 && len < sizeof big - 1);
    dl4c_error_prefix(DL4C_INTERNAL, "%s", big);
    CHECK(strlen(dl4c_last_error()) == len);
    dl4c_error_set(DL4C_INTERNAL, "short");
    dl4c_error_prefix(DL4C_INTERNAL, "%s", big);
    CHECK(strlen(dl4c_last_error()) <= len);
    CHECK(strncmp(dl4c_last_error(), "xxxx", 4) == 0);
    dl4c_clear_error();
}

static void *other_thread(void *arg)
{
    const char **seen = arg;
    /* a fresh thread starts with an empty message */
    seen[0] = dl4c_last_error()[0] == '\0' ? "empty" : "not empty";
    dl4c_error_set(DL4C_IO, "thread message");
    seen[1] =
        strcmp(dl4c_last_error(), "thread message") == 0 ? "own" : "other";
    return NULL;
}

static void test_last_error_is_per_thread(void)
{
    dl4c_error_set(DL4C_STATE, "main message");
    const char *seen[2] = {NULL, NULL};
    pthread_t th;
    REQUIRE(pthread_create(&th, NULL, other_thread, seen) == 0);
    REQUIRE(pthread_join(th, NULL) == 0);
    CHECK(seen[0] && strcmp(seen[0], "empty") == 0);
    CHECK(seen[1] && strcmp(seen[1], "own") == 0);
    CHECK(strcmp(dl4c_last_error(), "main message") == 0);
    dl4c_clear_error();
}

TEST_MAIN(test_counting_balance, test_out_of_memory_paths,
          test_restore_default_allocator, test_status_names, test_version,
          test_last_error, test_last_error_is_per_thread)
