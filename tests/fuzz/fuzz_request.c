/* libFuzzer target for the model server's request parser: any body must
 * parse into rows or fail with a status naming the problem, never crash,
 * leak or read out of bounds, whatever the verb and the model's inputs.
 * The first byte picks the verb and the signature; the rest is the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/serve/request_internal.h"
#include "dl4c/dl4c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    dl4c_serve_signature one = {.n_inputs = 1, .n_outputs = 1};
    one.input_names[0] = "x";
    one.input_shapes[0] = (dl4c_shape){1, {4}};
    one.input_sizes[0] = 4;
    one.output_names[0] = "y";
    one.output_shapes[0] = (dl4c_shape){1, {1}};
    one.output_sizes[0] = 1;
    dl4c_serve_signature two = one;
    two.n_inputs = 2;
    two.input_names[1] = "image";
    two.input_shapes[1] = (dl4c_shape){3, {2, 2, 1}};
    two.input_sizes[1] = 4;
    dl4c_serve_limits lim = {.max_depth = 32, .max_rows = 4096};
    dl4c_serve_verb verb = (dl4c_serve_verb)(data[0] % DL4C_VERB_COUNT);
    const dl4c_serve_signature *sig = data[0] & 4 ? &two : &one;
    dl4c_serve_request r;
    if (dl4c_serve_parse((const char *)data + 1, size - 1, verb, sig, &lim,
                         &r) == DL4C_OK) {
        /* every row was written: reading them all must be defined */
        float sum = 0;
        for (int i = 0; i < sig->n_inputs; i++)
            for (int64_t k = 0; k < r.rows * sig->input_sizes[i]; k++)
                sum += r.inputs[i][k];
        (void)sum;
        dl4c_serve_request_deinit(&r);
    }
    return 0;
}
