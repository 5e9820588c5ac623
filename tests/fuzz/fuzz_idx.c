/* libFuzzer target for the IDX reader (plain and gzip'd): any bytes must
 * load or fail with a status, and a lying header must not make it
 * allocate what the data cannot fill. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "dl4c/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/dl4c-fuzz-idx-%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    dl4c_tensor *t = NULL;
    if (dl4c_idx_load(path, &t) == DL4C_OK)
        dl4c_tensor_free(t);
    unlink(path);
    return 0;
}
