// labels: unit badinput
/* SHA-256 of files, dl4c_fetch (local paths, file:// URLs, failures that
 * leave nothing behind) and dl4c_dataset_download from a local mirror,
 * with a corrupted copy. No network is needed. */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dl4c/data.h"
#include "test.h"

static const char *tmp(const char *name)
{
    static char bufs[4][2048];
    static int next;
    char *p = bufs[next++ % 4];
    snprintf(p, sizeof bufs[0], "%s/%s", test_tmpdir(), name);
    return p;
}

static bool exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* true when `dir` holds a leftover temporary ".part-" file */
static bool has_part_file(const char *dir)
{
    DIR *d = opendir(dir);
    bool found = false;
    if (!d)
        return false;
    struct dirent *e;
    while ((e = readdir(d)))
        found |= strstr(e->d_name, ".part-") != NULL;
    closedir(d);
    return found;
}

static bool copy_file(const char *from, const char *to)
{
    size_t n = 0;
    char *data = test_read_file(from, &n);
    if (!data)
        return false;
    FILE *f = fopen(to, "wb");
    bool ok = f && fwrite(data, 1, n, f) == n;
    if (f)
        fclose(f);
    free(data);
    return ok;
}

static void test_sha256(void)
{
    char hex[65];
    CHECK_OK(dl4c_sha256_file(test_write_file("empty", ""), hex));
    CHECK(!strcmp(
        hex,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    CHECK_OK(dl4c_sha256_file(test_write_file("abc", "abc"), hex));
    CHECK(!strcmp(
        hex,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    CHECK_OK(dl4c_sha256_file(test_source_path("data/iris.csv"), hex));
    CHECK(!strcmp(
        hex,
        "111f8932a62b6c883fdc21a018d7459e603d6468fd8bdb4d1e0f0b125f2c9f39"));
    CHECK_ERR(dl4c_sha256_file("/nonexistent/file", hex), DL4C_IO,
              "/nonexistent/file: cannot open");
}

static const char *iris_sha =
    "111f8932a62b6c883fdc21a018d7459e603d6468fd8bdb4d1e0f0b125f2c9f39";

static void test_fetch_local(void)
{
    const char *src = test_source_path("data/iris.csv");
    char dest[2048];
    snprintf(dest, sizeof dest, "%s", tmp("iris-copy.csv"));
    CHECK_OK(dl4c_fetch(src, dest, iris_sha));
    char hex[65];
    CHECK_OK(dl4c_sha256_file(dest, hex));
    CHECK(!strcmp(hex, iris_sha));
    /* upper-case digits are fine too, and NULL skips the check */
    CHECK_OK(dl4c_fetch(src, dest,
                        "111F8932A62B6C883FDC21A018D7459E603D6468FD8BDB4D1E0F0B"
                        "125F2C9F39"));
    CHECK_OK(dl4c_fetch(src, tmp("nocheck.csv"), NULL));
    CHECK(exists(tmp("nocheck.csv")));
    CHECK(!has_part_file(test_tmpdir()));
}

static void test_fetch_file_url(void)
{
    char url[2100];
    snprintf(url, sizeof url, "file://%s", test_source_path("data/iris.csv"));
    const char *dest = tmp("iris-url.csv");
    CHECK_OK(dl4c_fetch(url, dest, iris_sha));
    char hex[65];
    CHECK_OK(dl4c_sha256_file(dest, hex));
    CHECK(!strcmp(hex, iris_sha));
    snprintf(url, sizeof url, "file://%s/missing.csv", test_tmpdir());
    CHECK_ERR(dl4c_fetch(url, tmp("never.csv"), NULL), DL4C_IO,
              "missing.csv: download failed");
    CHECK(!exists(tmp("never.csv")));
    CHECK(!has_part_file(test_tmpdir()));
}

static void test_fetch_mismatch(void)
{
    const char *src = test_source_path("data/iris.csv");
    const char *wrong =
        "0000000000000000000000000000000000000000000000000000000000000000";
    CHECK_ERR(dl4c_fetch(src, tmp("bad.csv"), wrong), DL4C_FORMAT,
              "checksum mismatch: SHA-256 is 111f8932");
    CHECK(!exists(tmp("bad.csv")));
    /* an existing destination is left as it was */
    char keep[2048];
    snprintf(keep, sizeof keep, "%s", test_write_file("keep.csv", "old\n"));
    CHECK_ERR(dl4c_fetch(src, keep, wrong), DL4C_FORMAT, "not kept");
    size_t n = 0;
    char *text = test_read_file(keep, &n);
    CHECK(text && !strcmp(text, "old\n"));
    free(text);
    CHECK(!has_part_file(test_tmpdir()));
}

static void test_fetch_errors(void)
{
    CHECK_ERR(dl4c_fetch("/nonexistent/src.csv", tmp("x.csv"), NULL), DL4C_IO,
              "/nonexistent/src.csv: cannot open");
    CHECK_ERR(dl4c_fetch("ftp://example.com/x", tmp("x.csv"), NULL),
              DL4C_UNSUPPORTED, "unsupported URL scheme");
    CHECK_ERR(
        dl4c_fetch(test_source_path("data/iris.csv"), tmp("x.csv"), "abc"),
        DL4C_INVALID_ARG, "'abc' is not 64 hex digits");
    CHECK_ERR(dl4c_fetch(test_source_path("data/iris.csv"),
                         "/nonexistent/dir/x.csv", NULL),
              DL4C_IO, "cannot create a temporary file");
    /* nothing listens on port 1 */
    CHECK_ERR(dl4c_fetch("http://127.0.0.1:1/x.gz", tmp("x.gz"), NULL), DL4C_IO,
              "http://127.0.0.1:1/x.gz: download failed");
    CHECK_ERR(dl4c_fetch(NULL, tmp("x.csv"), NULL), DL4C_INVALID_ARG, "NULL");
    CHECK(!exists(tmp("x.csv")) && !exists(tmp("x.gz")));
    CHECK(!has_part_file(test_tmpdir()));
}

static const char *const mnist_files[4] = {
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

static void test_download_unknown(void)
{
    CHECK_ERR(dl4c_dataset_download("cifar-10", NULL, tmp("cifar")),
              DL4C_INVALID_ARG, "unknown dataset 'cifar-10'");
    CHECK(!exists(tmp("cifar")));
}

/* a mirror of junk files with the published names: the first file fails
 * its check and is not kept */
static void test_download_corrupt_mirror(void)
{
    char mirror[2048], url[2100];
    snprintf(mirror, sizeof mirror, "%s", tmp("junk-mirror"));
    REQUIRE(mkdir(mirror, 0777) == 0);
    for (int i = 0; i < 4; i++) {
        char p[2200];
        snprintf(p, sizeof p, "%s/%s", mirror, mnist_files[i]);
        FILE *f = fopen(p, "wb");
        REQUIRE(f);
        fputs("not the real file\n", f);
        fclose(f);
    }
    snprintf(url, sizeof url, "file://%s", mirror); /* no trailing slash */
    const char *dest = tmp("junk-dest/mnist");
    CHECK_ERR(dl4c_dataset_download("mnist", url, dest), DL4C_FORMAT,
              "download MNIST: file://");
    CHECK_ERR(dl4c_dataset_download("mnist", url, dest), DL4C_FORMAT,
              "train-images-idx3-ubyte.gz: checksum mismatch");
    /* the directory was made (parents too), the bad file not kept */
    char p[2200];
    snprintf(p, sizeof p, "%s/train-images-idx3-ubyte.gz", dest);
    CHECK(!exists(p));
    struct stat st;
    CHECK(stat(dest, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(!has_part_file(dest));
    /* an empty mirror: the download itself fails */
    char empty[2048];
    snprintf(empty, sizeof empty, "%s", tmp("empty-mirror"));
    REQUIRE(mkdir(empty, 0777) == 0);
    snprintf(url, sizeof url, "file://%s/", empty);
    CHECK_ERR(dl4c_dataset_download("fashion-mnist", url, dest), DL4C_IO,
              "download Fashion-MNIST");
}

/* the real files through a file:// mirror, then one corrupted copy */
static void test_download_mirror(void)
{
    const char *lab = test_shared_data("mnist/t10k-labels-idx1-ubyte.gz");
    if (!lab)
        TEST_SKIP("../shared MNIST not present");
    char shared[2048], mirror[2048], url[2100], dest[2048];
    snprintf(shared, sizeof shared, "%s", lab);
    *strrchr(shared, '/') = '\0';
    snprintf(mirror, sizeof mirror, "%s", tmp("mirror"));
    REQUIRE(mkdir(mirror, 0777) == 0);
    for (int i = 0; i < 4; i++) {
        char from[2200], to[2200];
        snprintf(from, sizeof from, "%s/%s", shared, mnist_files[i]);
        snprintf(to, sizeof to, "%s/%s", mirror, mnist_files[i]);
        REQUIRE(copy_file(from, to));
    }
    snprintf(url, sizeof url, "file://%s/", mirror);
    snprintf(dest, sizeof dest, "%s", tmp("mnist-dl"));
    REQUIRE_OK(dl4c_dataset_download("mnist", url, dest));
    dl4c_dataset *ds = NULL;
    REQUIRE_OK(dl4c_mnist_load_dir(dest, false, &ds));
    CHECK(dl4c_dataset_count(ds) == 10000);
    dl4c_dataset_free(ds);
    /* files already there are verified, not fetched again: the mirror can
     * go away */
    char p[2200];
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", mirror, mnist_files[i]);
        unlink(p);
    }
    CHECK_OK(dl4c_dataset_download("mnist", url, dest));

    /* a mirror whose label file has one byte changed */
    for (int i = 0; i < 4; i++) {
        char from[2200], to[2200];
        snprintf(from, sizeof from, "%s/%s", shared, mnist_files[i]);
        snprintf(to, sizeof to, "%s/%s", mirror, mnist_files[i]);
        REQUIRE(copy_file(from, to));
    }
    snprintf(p, sizeof p, "%s/t10k-labels-idx1-ubyte.gz", mirror);
    FILE *f = fopen(p, "r+b");
    REQUIRE(f);
    fseek(f, 2000, SEEK_SET);
    int c = fgetc(f);
    fseek(f, 2000, SEEK_SET);
    fputc(c ^ 0xFF, f);
    fclose(f);
    char dest2[2048];
    snprintf(dest2, sizeof dest2, "%s", tmp("mnist-dl2"));
    CHECK_ERR(dl4c_dataset_download("mnist", url, dest2), DL4C_FORMAT,
              "t10k-labels-idx1-ubyte.gz: checksum mismatch");
    snprintf(p, sizeof p, "%s/t10k-labels-idx1-ubyte.gz", dest2);
    CHECK(!exists(p));
    /* the files before it arrived and are fine */
    snprintf(p, sizeof p, "%s/train-labels-idx1-ubyte.gz", dest2);
    CHECK(exists(p));
    /* the corrupted copy placed by hand is caught when loading */
    snprintf(p, sizeof p, "%s/t10k-labels-idx1-ubyte.gz", mirror);
    char bad[2200];
    snprintf(bad, sizeof bad, "%s/t10k-labels-idx1-ubyte.gz", dest2);
    REQUIRE(copy_file(p, bad));
    CHECK_ERR(dl4c_mnist_load_dir(dest2, false, &ds), DL4C_FORMAT,
              "checksum mismatch");
    CHECK(ds == NULL);
}

TEST_MAIN(test_sha256, test_fetch_local, test_fetch_file_url,
          test_fetch_mismatch, test_fetch_errors, test_download_unknown,
          test_download_corrupt_mirror, test_download_mirror)
