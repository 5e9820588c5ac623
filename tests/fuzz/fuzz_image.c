/* libFuzzer target for the image decoders (PNG, JPEG, PNM, BMP, told by
 * the first bytes): any bytes must decode or fail with a status, and a
 * lying header must not make them allocate what the data cannot fill. */
#include <stdint.h>

#include "dl4c/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dl4c_tensor *t = NULL;
    dl4c_image_info info;
    if (dl4c_image_decode(data, size, "fuzz", 0, &t, &info) == DL4C_OK)
        dl4c_tensor_free(t);
    if (dl4c_image_decode(data, size, "fuzz", 1, &t, &info) == DL4C_OK)
        dl4c_tensor_free(t);
    return 0;
}
