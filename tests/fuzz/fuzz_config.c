/* libFuzzer target for the net config parser: any text must build a net
 * or fail with a status naming the problem; a net that builds must also
 * write its config back and run one forward pass. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dl4c/dl4c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    dl4c_net *net = NULL;
    if (dl4c_net_parse(text, DL4C_F32, &net) == DL4C_OK) {
        char *back = NULL;
        if (dl4c_net_write_config(net, &back) == DL4C_OK)
            dl4c_free(back);
        /* a small forward pass when the input is small */
        dl4c_shape s = dl4c_net_input_shape(net, 0);
        int64_t dims[DL4C_MAX_DIMS] = {2};
        for (int i = 0; i < s.ndim; i++)
            dims[i + 1] = s.dim[i];
        dl4c_tensor *x = NULL;
        if (dl4c_net_num_inputs(net) == 1 && dl4c_shape_size(&s) < 4096 &&
            dl4c_net_num_params(net) < (1 << 20) &&
            dl4c_tensor_create(DL4C_F32, s.ndim + 1, dims, &x) == DL4C_OK) {
            const dl4c_tensor *in[1] = {x};
            dl4c_status st = dl4c_net_forward(net, 1, in, false);
            (void)st;
        }
        dl4c_tensor_free(x);
        dl4c_net_free(net);
    }
    free(text);
    return 0;
}
