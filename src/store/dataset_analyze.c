/* A dataset's items as a table for data analysis (analysis.h): the label,
 * the image size and channels, the byte size and every attribute, so the
 * same report (with train against test split) describes a store. */
#include <stdio.h>
#include <string.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "store/dataset_store_internal.h"

dl4c_status dl4c_dataset_store_analyze(dl4c_store *s, const char *name,
                                       const char *where, const char *split,
                                       dl4c_analysis **out)
{
    dl4c_status status = DL4C_OK;
    dl4c_ds_info info = {0};
    dl4c_ds_stmt st = {0};
    dl4c_analysis *a = NULL;
    const char **cols = NULL, **row = NULL;
    char **cells = NULL;
    char *title = NULL;
    int ncols = 0;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "analyze: out is NULL");
    *out = NULL;
    DL4C_CHECK(s, DL4C_INVALID_ARG, "analyze: NULL store");
    DL4C_TRY(dl4c_ds_lookup(s, name, true, &info));
    bool images = !strcmp(info.kind, "images");
    const json_t *keys = json_object_get(info.options, "attributes");
    size_t nkeys = json_array_size(keys);
    cols = dl4c_calloc(5 + nkeys, sizeof *cols);
    row = dl4c_calloc(5 + nkeys, sizeof *row);
    cells = dl4c_calloc(5 + nkeys, sizeof *cells);
    if (!cols || !row || !cells)
        DL4C_NOMEM_FAIL();
    cols[ncols++] = "label";
    if (images) {
        cols[ncols++] = "width";
        cols[ncols++] = "height";
        cols[ncols++] = "channels";
    }
    cols[ncols++] = "bytes";
    int first_attr = ncols;
    for (size_t i = 0; i < nkeys; i++)
        cols[ncols++] = json_string_value(json_array_get(keys, i));
    title = split ? dl4c_asprintf("%s (%s)", name, split) : dl4c_strdup(name);
    if (!title)
        DL4C_NOMEM_FAIL();
    DL4C_TRY(dl4c_analysis_create(title, ncols, cols, &a));
    DL4C_TRY(dl4c_ds_prepare(s, &info,
                             "label, width, height, channels, bytes, "
                             "attrs",
                             where, split ? "split IS ?2" : NULL, "ORDER BY id",
                             &st));
    if (split)
        sqlite3_bind_text(st.stmt, 2, split, -1, SQLITE_STATIC);
    int rc;
    int64_t n = 0;
    while ((rc = sqlite3_step(st.stmt)) == SQLITE_ROW) {
        int k = 0;
        row[k++] = (const char *)sqlite3_column_text(st.stmt, 0);
        for (int c = 1; c <= 4; c++)
            if (images || c == 4)
                row[k++] = (const char *)sqlite3_column_text(st.stmt, c);
        json_t *attrs =
            json_loads((const char *)sqlite3_column_text(st.stmt, 5), 0, NULL);
        for (int c = first_attr; c < ncols; c++) {
            const json_t *v = json_object_get(attrs, cols[c]);
            dl4c_free(cells[c]);
            cells[c] = NULL;
            if (json_is_string(v))
                cells[c] = dl4c_strdup(json_string_value(v));
            else if (json_is_integer(v))
                cells[c] =
                    dl4c_asprintf("%lld", (long long)json_integer_value(v));
            else if (json_is_real(v))
                cells[c] = dl4c_asprintf("%.17g", json_real_value(v));
            row[c] = cells[c];
        }
        json_decref(attrs);
        DL4C_TRY(dl4c_analysis_add_row(a, row));
        n++;
    }
    DL4C_CHECK(rc == SQLITE_DONE, DL4C_INVALID_ARG, "analyze: %s",
               sqlite3_errmsg(st.db));
    DL4C_CHECK(n > 0, DL4C_FORMAT, "dataset '%s': no items to analyze%s%s",
               name, split ? " in split " : "", split ? split : "");
    DL4C_TRY(dl4c_analysis_finish(a));
    *out = a;
    a = NULL;
fail:
    for (int c = 0; cells && c < ncols; c++)
        dl4c_free(cells[c]);
    dl4c_free(cells);
    dl4c_free(cols);
    dl4c_free(row);
    dl4c_free(title);
    dl4c_analysis_free(a);
    dl4c_ds_stmt_close(&st);
    dl4c_ds_info_deinit(&info);
    return status;
}
