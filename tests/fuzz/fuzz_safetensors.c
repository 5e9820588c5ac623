/* libFuzzer target for the safetensors reader: any byte string must load or
 * fail with a status, never crash, leak or read out of bounds. Tensors that
 * load are also converted, to exercise every dtype path. Built with
 * -DDL4C_FUZZ=ON (clang); see tests/fuzz/README.md. */
#include <stddef.h>
#include <stdint.h>

#include "dl4c/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dl4c_safetensors *f = NULL;
    if (dl4c_safetensors_parse(data, size, "fuzz", &f) != DL4C_OK)
        return 0;
    for (size_t i = 0; i < dl4c_safetensors_count(f); i++) {
        const char *name = dl4c_safetensors_name(f, i);
        dl4c_shape shape;
        dl4c_tensor *t = NULL;
        if (dl4c_safetensors_shape(f, name, &shape) != DL4C_OK)
            continue;
        /* keep each run small: skip tensors over 1M elements */
        if (dl4c_shape_size(&shape) > (1 << 20))
            continue;
        if (dl4c_safetensors_get(f, name, &t) == DL4C_OK)
            dl4c_tensor_free(t);
    }
    for (size_t i = 0; i < dl4c_safetensors_metadata_count(f); i++)
        (void)dl4c_safetensors_metadata(f, dl4c_safetensors_metadata_key(f, i));
    dl4c_safetensors_free(f);
    return 0;
}
