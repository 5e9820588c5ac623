/* libFuzzer target for the CSV reader: any bytes, read as a labelled CSV
 * file and as one row to predict, must parse or fail with a status. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dl4c/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f)
        return 0;
    dl4c_csv_options o = dl4c_csv_options_default();
    o.label_from = o.label_to = (int)(data[0] % 4);
    o.num_classes = data[0] & 0x10 ? 3 : 0;
    dl4c_dataset *ds = NULL;
    if (dl4c_csv_read(f, "fuzz.csv", &o, &ds) == DL4C_OK)
        dl4c_dataset_free(ds);
    fclose(f);

    char *line = malloc(size + 1);
    if (!line)
        return 0;
    memcpy(line, data, size);
    line[size] = '\0';
    float values[16];
    int64_t n = 0;
    dl4c_status st = dl4c_csv_parse_row(line, &o, "fuzz", 1, values, 16, &n);
    (void)st;
    free(line);
    return 0;
}
