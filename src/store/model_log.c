/* The prediction log of the model store and the training/serving skew
 * check over it. Logged rows are little-endian float32 blobs (inputs as
 * the server received them, before any normalizer; outputs as sent). */
#include <string.h>
#include <time.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/drift_internal.h"
#include "io/io_internal.h"
#include "store/model_store_internal.h"

static void *pack_floats(const float *v, int64_t n)
{
    unsigned char *b = dl4c_malloc((size_t)n * 4);
    for (int64_t i = 0; b && i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], 4);
        dl4c_store_le32(b + 4 * i, bits);
    }
    return b;
}

dl4c_status dl4c_model_store_log_predictions(dl4c_store *s, const char *name,
                                             int64_t version, int64_t rows,
                                             int64_t in_width,
                                             const float *inputs,
                                             int64_t out_width,
                                             const float *outputs)
{
    dl4c_status status = DL4C_OK;
    sqlite3_stmt *q = NULL;
    void *in_blob = NULL, *out_blob = NULL;
    bool in_txn = false;
    DL4C_CHECK(name && rows >= 0 && in_width > 0 && in_width < (1 << 24) &&
                   (!rows || inputs) && out_width >= 0 && out_width < (1 << 24),
               DL4C_INVALID_ARG, "prediction log: bad arguments");
    DL4C_TRY(dl4c_model_store_ready(s));
    sqlite3 *db = dl4c_store_db(s);
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO model_predictions (name, version, "
                           "time, width, input, output) VALUES (?, ?, ?, ?, "
                           "?, ?)",
                           -1, &q, NULL) != SQLITE_OK) {
        status = dl4c_store_error(db, "prediction log");
        goto fail;
    }
    DL4C_TRY(dl4c_store_begin(s));
    in_txn = true;
    int64_t now = (int64_t)time(NULL);
    for (int64_t r = 0; r < rows; r++) {
        in_blob = pack_floats(inputs + r * in_width, in_width);
        out_blob = outputs && out_width
                       ? pack_floats(outputs + r * out_width, out_width)
                       : NULL;
        if (!in_blob || (outputs && out_width && !out_blob))
            DL4C_NOMEM_FAIL();
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, version);
        sqlite3_bind_int64(q, 3, now);
        sqlite3_bind_int64(q, 4, in_width);
        sqlite3_bind_blob(q, 5, in_blob, (int)(in_width * 4), SQLITE_STATIC);
        if (out_blob)
            sqlite3_bind_blob(q, 6, out_blob, (int)(out_width * 4),
                              SQLITE_STATIC);
        else
            sqlite3_bind_null(q, 6);
        if (sqlite3_step(q) != SQLITE_DONE) {
            status = dl4c_store_error(db, "prediction log");
            goto fail;
        }
        dl4c_free(in_blob);
        dl4c_free(out_blob);
        in_blob = out_blob = NULL;
    }
    sqlite3_finalize(q);
    q = NULL;
    DL4C_TRY(dl4c_store_commit(s));
    return DL4C_OK;
fail:
    sqlite3_finalize(q);
    if (in_txn)
        dl4c_store_rollback(s);
    dl4c_free(in_blob);
    dl4c_free(out_blob);
    return status;
}

dl4c_status dl4c_model_store_logged_inputs(dl4c_store *s, const char *name,
                                           int64_t version, int64_t limit,
                                           dl4c_tensor **out)
{
    dl4c_status status = DL4C_OK;
    sqlite3_stmt *q = NULL;
    dl4c_tensor *t = NULL;
    int64_t width = 0, count = 0;
    DL4C_CHECK(out, DL4C_INVALID_ARG, "prediction log: NULL output");
    *out = NULL;
    DL4C_CHECK(name, DL4C_INVALID_ARG, "prediction log: NULL name");
    DL4C_TRY(dl4c_model_store_ready(s));
    sqlite3 *db = dl4c_store_db(s);
    const char *by_version = version > 0 ? " AND version = :version" : "";
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT width, count(*) FROM model_predictions WHERE name = "
             ":name%s GROUP BY width ORDER BY count(*) DESC, width LIMIT 1",
             by_version);
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        goto db_fail;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (version > 0)
        sqlite3_bind_int64(q, 2, version);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) {
        sqlite3_finalize(q);
        return DL4C_OK; /* nothing logged */
    }
    if (rc != SQLITE_ROW)
        goto db_fail;
    width = sqlite3_column_int64(q, 0);
    count = sqlite3_column_int64(q, 1);
    sqlite3_finalize(q);
    q = NULL;
    if (limit > 0 && count > limit)
        count = limit;
    int64_t dims[2] = {count, width};
    DL4C_TRY(dl4c_tensor_create(DL4C_F32, 2, dims, &t));
    snprintf(sql, sizeof sql,
             "SELECT input FROM model_predictions WHERE name = :name%s AND "
             "width = :width ORDER BY id DESC LIMIT :limit",
             by_version);
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        goto db_fail;
    sqlite3_bind_text(q, sqlite3_bind_parameter_index(q, ":name"), name, -1,
                      SQLITE_STATIC);
    if (version > 0)
        sqlite3_bind_int64(q, sqlite3_bind_parameter_index(q, ":version"),
                           version);
    sqlite3_bind_int64(q, sqlite3_bind_parameter_index(q, ":width"), width);
    sqlite3_bind_int64(q, sqlite3_bind_parameter_index(q, ":limit"), count);
    float *dst = dl4c_tensor_data(t);
    int64_t r = 0;
    while (r < count && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const unsigned char *b = sqlite3_column_blob(q, 0);
        int bytes = sqlite3_column_bytes(q, 0);
        DL4C_CHECK(b && bytes == width * 4, DL4C_FORMAT,
                   "prediction log: a row of %d bytes, expected %lld", bytes,
                   (long long)(width * 4));
        for (int64_t i = 0; i < width; i++) {
            uint32_t bits = dl4c_load_le32(b + 4 * i);
            memcpy(&dst[r * width + i], &bits, 4);
        }
        r++;
    }
    DL4C_CHECK(r == count, DL4C_IO, "prediction log: %lld of %lld rows read",
               (long long)r, (long long)count);
    sqlite3_finalize(q);
    *out = t;
    return DL4C_OK;
db_fail:
    status = dl4c_store_error(dl4c_store_db(s), "prediction log");
fail:
    sqlite3_finalize(q);
    dl4c_tensor_free(t);
    return status;
}

dl4c_status dl4c_psi(const dl4c_tensor *expected, const dl4c_tensor *actual,
                     int bins, double *psi)
{
    dl4c_status status = DL4C_OK;
    double *e = NULL, *a = NULL;
    DL4C_CHECK(expected && actual && psi, DL4C_INVALID_ARG,
               "psi: NULL argument");
    DL4C_CHECK(dl4c_tensor_ndim(expected) >= 1 && dl4c_tensor_ndim(actual) >= 1,
               DL4C_SHAPE, "psi: samples must be [N, F]");
    int64_t ne = dl4c_tensor_dim(expected, 0), na = dl4c_tensor_dim(actual, 0);
    int64_t fe = ne ? dl4c_tensor_size(expected) / ne : 0;
    int64_t fa = na ? dl4c_tensor_size(actual) / na : 0;
    DL4C_CHECK(ne > 0 && na > 0, DL4C_INVALID_ARG,
               "psi: both samples need rows (%lld expected, %lld actual)",
               (long long)ne, (long long)na);
    DL4C_CHECK(fe == fa, DL4C_SHAPE,
               "psi: the samples have %lld and %lld features", (long long)fe,
               (long long)fa);
    e = dl4c_malloc(sizeof *e * (size_t)ne);
    a = dl4c_malloc(sizeof *a * (size_t)na);
    if (!e || !a)
        DL4C_NOMEM_FAIL();
    for (int64_t f = 0; f < fe; f++) {
        for (int64_t i = 0; i < ne; i++)
            e[i] = dl4c_tensor_get(expected, i * fe + f);
        for (int64_t i = 0; i < na; i++)
            a[i] = dl4c_tensor_get(actual, i * fa + f);
        status = dl4c_drift_psi(e, ne, a, na, bins, &psi[f]);
        if (status != DL4C_OK) {
            status = dl4c_error_prefix(status, "feature %lld", (long long)f);
            goto fail;
        }
    }
fail:
    dl4c_free(e);
    dl4c_free(a);
    return status;
}
