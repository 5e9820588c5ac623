/* libFuzzer target for transform processes: any JSON text must parse or
 * fail with a status; a process that parses is written back, parsed again
 * and run on one row (unfitted steps fail with DL4C_STATE). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dl4c/alloc.h"
#include "dl4c/transform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    dl4c_transform *tp = NULL, *again = NULL;
    if (dl4c_transform_parse(text, &tp) == DL4C_OK) {
        char *json = NULL;
        if (dl4c_transform_write(tp, &json) == DL4C_OK &&
            dl4c_transform_parse(json, &again) == DL4C_OK) {
            const char *cells[] = {"1", "2.5", "x", "2024-01-01", "", "y"};
            float out[64];
            int64_t n = 0;
            bool kept = false;
            int k = dl4c_transform_num_inputs(again);
            dl4c_status st = dl4c_transform_row(again, cells, k < 6 ? k : 6,
                                                out, 64, &n, &kept);
            (void)st; /* any status will do; only crashes matter */
        }
        dl4c_free(json);
    }
    dl4c_transform_free(again);
    dl4c_transform_free(tp);
    free(text);
    return 0;
}
