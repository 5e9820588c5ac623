/* libFuzzer target for the .npy reader: any bytes must parse or fail with
 * a status, and a lying header must neither overflow a size nor make it
 * read past the end of the buffer. */
#include <stdint.h>

#include "dl4c/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dl4c_tensor *t = NULL;
    if (dl4c_npy_parse(data, size, DL4C_F32, &t) == DL4C_OK)
        dl4c_tensor_free(t);
    return 0;
}
