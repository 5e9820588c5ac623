/* Monotonic wall-clock seconds, for timing listeners and limits. */
#ifndef DL4C_CLOCK_INTERNAL_H
#define DL4C_CLOCK_INTERNAL_H

#include <time.h>

static inline double dl4c_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
