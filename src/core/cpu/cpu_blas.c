/* Loading OpenBLAS with the right kernels (see cpu_blas.h), and the plain C
 * fallback used when it cannot be loaded. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu/cpu_blas.h"
#include "core/cpu/cpu_internal.h"

#ifndef DL4C_OPENBLAS_PATH
#define DL4C_OPENBLAS_PATH "libopenblas.so.0"
#endif

static dl4c_blas table;
static char info[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* ---- fallback: straightforward loops, row-major, any transpose ---- */

#define FALLBACK_GEMM(name, T)                                                 \
    static void name(                                                          \
        const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE ta,           \
        const enum CBLAS_TRANSPOSE tb, const int m, const int n, const int k,  \
        const T alpha, const T *a, const int lda, const T *b, const int ldb,   \
        const T beta, T *c, const int ldc)                                     \
    {                                                                          \
        (void)order;                                                           \
        for (int i = 0; i < m; i++)                                            \
            for (int j = 0; j < n; j++) {                                      \
                T acc = 0;                                                     \
                for (int p = 0; p < k; p++)                                    \
                    acc += (ta == CblasNoTrans ? a[i * lda + p]                \
                                               : a[p * lda + i]) *             \
                           (tb == CblasNoTrans ? b[p * ldb + j]                \
                                               : b[j * ldb + p]);              \
                c[i * ldc + j] =                                               \
                    alpha * acc + (beta == 0 ? 0 : beta * c[i * ldc + j]);     \
            }                                                                  \
    }

#define FALLBACK_GEMV(name, T)                                                 \
    static void name(const enum CBLAS_ORDER order,                             \
                     const enum CBLAS_TRANSPOSE t, const int m, const int n,   \
                     const T alpha, const T *a, const int lda, const T *x,     \
                     const int incx, const T beta, T *y, const int incy)       \
    {                                                                          \
        (void)order;                                                           \
        int rows = t == CblasNoTrans ? m : n, len = t == CblasNoTrans ? n : m; \
        for (int i = 0; i < rows; i++) {                                       \
            T acc = 0;                                                         \
            for (int p = 0; p < len; p++)                                      \
                acc += (t == CblasNoTrans ? a[i * lda + p] : a[p * lda + i]) * \
                       x[p * incx];                                            \
            y[i * incy] = alpha * acc + (beta == 0 ? 0 : beta * y[i * incy]);  \
        }                                                                      \
    }

FALLBACK_GEMM(fallback_sgemm, float)
FALLBACK_GEMM(fallback_dgemm, double)
FALLBACK_GEMV(fallback_sgemv, float)
FALLBACK_GEMV(fallback_dgemv, double)

/* The OpenBLAS kernel family this CPU can run, from its feature flags. */
static const char *coretype_for_cpu(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return "Haswell";
    return NULL;
}

/* dlsym's object pointer stored into a function pointer slot (POSIX
 * guarantees they have the same representation). */
static void bind(void *h, const char *name, void *slot)
{
    void *p = dlsym(h, name);
    memcpy(slot, &p, sizeof p);
}

static void load(void)
{
    const char *chosen = NULL;
    if (!getenv("OPENBLAS_CORETYPE")) {
        chosen = coretype_for_cpu();
        if (chosen)
            setenv("OPENBLAS_CORETYPE", chosen, 0);
    }
    void *h = dlopen(DL4C_OPENBLAS_PATH, RTLD_NOW | RTLD_GLOBAL);
    if (!h)
        h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_GLOBAL);
    if (h) {
        bind(h, "cblas_sgemm", &table.sgemm);
        bind(h, "cblas_dgemm", &table.dgemm);
        bind(h, "cblas_sgemv", &table.sgemv);
        bind(h, "cblas_dgemv", &table.dgemv);
    }
    if (h && table.sgemm && table.dgemm && table.sgemv && table.dgemv) {
        char *(*config)(void) = NULL, *(*core)(void) = NULL;
        bind(h, "openblas_get_config", &config);
        bind(h, "openblas_get_corename", &core);
        snprintf(info, sizeof info, "%s; kernels: %s%s",
                 config ? config() : "OpenBLAS", core ? core() : "?",
                 chosen ? " (chosen by dl4c from the CPU's features)" : "");
        return;
    }
    snprintf(info, sizeof info,
             "OpenBLAS could not be loaded (%s): using plain C loops",
             h ? "symbols missing" : dlerror());
    table = (dl4c_blas){fallback_sgemm, fallback_dgemm, fallback_sgemv,
                        fallback_dgemv};
}

const dl4c_blas *dl4c_blas_get(void)
{
    pthread_once(&once, load);
    return &table;
}

const char *dl4c_blas_info(void)
{
    dl4c_blas_get();
    return info;
}
