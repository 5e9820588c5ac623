/* The BLAS the CPU backend calls, loaded on first use. Debian's OpenBLAS
 * picks its kernels when it is loaded, from the CPU model; on CPUs newer
 * than its tables (common on cloud VMs) it falls back to SSE3 kernels that
 * run several times slower than the machine allows. Loading it ourselves
 * lets dl4c first set OPENBLAS_CORETYPE from the CPU's own feature flags
 * (AVX-512 -> SkylakeX kernels, AVX2+FMA -> Haswell), unless the user set
 * it. If OpenBLAS cannot be loaded, plain C loops stand in, so results stay
 * correct (only slow) and dl4c_blas_info says why. */
#ifndef DL4C_CPU_BLAS_H
#define DL4C_CPU_BLAS_H

#include <cblas.h>

typedef struct dl4c_blas {
    __typeof__(cblas_sgemm) *sgemm;
    __typeof__(cblas_dgemm) *dgemm;
    __typeof__(cblas_sgemv) *sgemv;
    __typeof__(cblas_dgemv) *dgemv;
} dl4c_blas;

/* The loaded table (thread-safe; loads once). Never NULL. */
const dl4c_blas *dl4c_blas_get(void);

#endif
