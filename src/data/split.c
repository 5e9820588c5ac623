/* Seeded train/test split. The examples are shuffled once; walking that
 * order, an example goes to the training side while its class (one class
 * for unlabeled or regression data) still has training quota. The quotas
 * are floor(f * n_c) plus the remaining examples to the classes with the
 * largest fractional parts, so the total is exactly round(f * N). */
#include <math.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/dataset_internal.h"
#include "dl4c/rng.h"

/* quota[c] for each class so that sum(quota) == target */
static void class_quotas(const int64_t *count, int k, double f, int64_t target,
                         int64_t *quota)
{
    int64_t given = 0;
    for (int c = 0; c < k; c++) {
        quota[c] = (int64_t)floor(f * (double)count[c]);
        given += quota[c];
    }
    while (given < target) {
        int best = -1;
        double best_frac = -1.0;
        for (int c = 0; c < k; c++) {
            if (quota[c] >= count[c])
                continue;
            double frac = f * (double)count[c] - (double)quota[c];
            if (frac > best_frac) {
                best_frac = frac;
                best = c;
            }
        }
        if (best < 0)
            break;
        quota[best]++;
        given++;
    }
}

dl4c_status dl4c_dataset_split(const dl4c_dataset *ds, double train_fraction,
                               uint64_t seed, dl4c_dataset **train,
                               dl4c_dataset **test)
{
    dl4c_status status = DL4C_OK;
    int64_t *order = NULL, *tr = NULL, *te = NULL, *count = NULL, *quota = NULL;
    dl4c_dataset *a = NULL, *b = NULL;
    DL4C_CHECK(train && test, DL4C_INVALID_ARG, "dataset split: out is NULL");
    *train = *test = NULL;
    DL4C_CHECK(ds, DL4C_INVALID_ARG, "dataset split: NULL dataset");
    DL4C_CHECK(train_fraction > 0.0 && train_fraction < 1.0, DL4C_INVALID_ARG,
               "dataset split: train fraction %g outside (0, 1)",
               train_fraction);
    int64_t n = dl4c_dataset_count(ds);
    int64_t n_train = (int64_t)llround(train_fraction * (double)n);
    DL4C_CHECK(n_train > 0 && n_train < n, DL4C_INVALID_ARG,
               "dataset split: fraction %g of %lld examples leaves one side "
               "empty",
               train_fraction, (long long)n);

    int k = ds->num_classes > 0 ? ds->num_classes : 1;
    order = dl4c_malloc((size_t)n * sizeof *order);
    tr = dl4c_malloc((size_t)n_train * sizeof *tr);
    te = dl4c_malloc((size_t)(n - n_train) * sizeof *te);
    count = dl4c_calloc((size_t)k, sizeof *count);
    quota = dl4c_calloc((size_t)k, sizeof *quota);
    if (!order || !tr || !te || !count || !quota)
        DL4C_NOMEM_FAIL();
    for (int64_t i = 0; i < n; i++) {
        order[i] = i;
        count[dl4c_dataset_class_of(ds, i)]++;
    }
    class_quotas(count, k, train_fraction, n_train, quota);

    dl4c_rng rng;
    dl4c_rng_seed(&rng, seed);
    dl4c_rng_shuffle(&rng, order, n);
    int64_t ntr = 0, nte = 0;
    for (int64_t i = 0; i < n; i++) {
        int c = dl4c_dataset_class_of(ds, order[i]);
        if (quota[c] > 0 && ntr < n_train) {
            quota[c]--;
            tr[ntr++] = order[i];
        } else {
            te[nte++] = order[i];
        }
    }
    DL4C_CHECK(ntr == n_train && nte == n - n_train, DL4C_INTERNAL,
               "dataset split: quotas gave %lld/%lld, expected %lld/%lld",
               (long long)ntr, (long long)nte, (long long)n_train,
               (long long)(n - n_train));
    DL4C_TRY(dl4c_dataset_gather(ds, tr, 0, ntr, &a));
    DL4C_TRY(dl4c_dataset_gather(ds, te, 0, nte, &b));
    *train = a;
    *test = b;
    a = b = NULL;
fail:
    dl4c_dataset_free(a);
    dl4c_dataset_free(b);
    dl4c_free(order);
    dl4c_free(tr);
    dl4c_free(te);
    dl4c_free(count);
    dl4c_free(quota);
    return status;
}
