/* The table of published dataset files. A file is recognised by its name
 * and exact size; only then is its SHA-256 compared, so subsets and
 * re-compressed copies under the same names load without a check. The
 * hashes are of the files as their authors publish them. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error_internal.h"
#include "data/known_files_internal.h"
#include "data/sha256_internal.h"
#include "dl4c/data.h"

static const dl4c_known_dataset datasets[] = {
    {"mnist", "MNIST", "https://storage.googleapis.com/cvdf-datasets/mnist/"},
    {"fashion-mnist", "Fashion-MNIST",
     "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"},
};

static const dl4c_known_file files[] = {
    {"mnist", "train-images-idx3-ubyte.gz", 9912422,
     "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"},
    {"mnist", "train-labels-idx1-ubyte.gz", 28881,
     "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"},
    {"mnist", "t10k-images-idx3-ubyte.gz", 1648877,
     "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"},
    {"mnist", "t10k-labels-idx1-ubyte.gz", 4542,
     "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
    {"fashion-mnist", "train-images-idx3-ubyte.gz", 26421880,
     "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"},
    {"fashion-mnist", "train-labels-idx1-ubyte.gz", 29515,
     "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"},
    {"fashion-mnist", "t10k-images-idx3-ubyte.gz", 4422102,
     "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"},
    {"fashion-mnist", "t10k-labels-idx1-ubyte.gz", 5148,
     "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"},
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

const dl4c_known_dataset *dl4c_known_dataset_find(const char *name)
{
    for (int i = 0; name && i < COUNT(datasets); i++)
        if (!strcmp(datasets[i].name, name))
            return &datasets[i];
    return NULL;
}

const dl4c_known_file *dl4c_known_file_at(int i)
{
    return i >= 0 && i < COUNT(files) ? &files[i] : NULL;
}

dl4c_status dl4c_known_file_verify(const char *path, bool *checked)
{
    struct stat st;
    if (checked)
        *checked = false;
    if (stat(path, &st) != 0)
        return dl4c_error_set(DL4C_IO, "%s: %s", path, strerror(errno));
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (int i = 0; i < COUNT(files); i++) {
        const dl4c_known_file *k = &files[i];
        if (strcmp(k->name, base) || k->size != (int64_t)st.st_size)
            continue;
        char hex[65];
        DL4C_RETURN_IF(dl4c_sha256_file(path, hex));
        if (checked)
            *checked = true;
        if (dl4c_sha256_hex_equal(hex, k->sha256))
            return DL4C_OK;
        return dl4c_error_set(
            DL4C_FORMAT,
            "%s: checksum mismatch: it has the size of the published %s "
            "file but SHA-256 %s, expected %s (corrupt download? delete it "
            "and fetch it again)",
            path, dl4c_known_dataset_find(k->dataset)->title, hex, k->sha256);
    }
    return DL4C_OK;
}
