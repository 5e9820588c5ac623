// labels: unit badinput
/* The atomic file writer: replacement, cleanup of temporary files on every
 * failure, permissions carried over, and errors that name the path. */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error_internal.h"
#include "io/io_internal.h"
#include "test.h"

/* Entries of a directory other than "." and "..", or -1. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static const char *sub_path(const char *dir, const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void make_dir(const char *dir)
{
    mkdir(dir, 0700);
}

static int file_is(const char *path, const char *text)
{
    size_t len = 0;
    char *got = test_read_file(path, &len);
    int same = got && len == strlen(text) && !memcmp(got, text, len);
    free(got);
    return same;
}

static void test_write_and_replace(void)
{
    char dir[600], path[700];
    snprintf(dir, sizeof dir, "%s/replace", test_tmpdir());
    make_dir(dir);
    snprintf(path, sizeof path, "%s/a.txt", dir);

    CHECK_OK(dl4c_atomic_write_bytes(path, "first", 5));
    CHECK(file_is(path, "first"));
    CHECK_OK(dl4c_atomic_write_bytes(path, "second, longer", 14));
    CHECK(file_is(path, "second, longer"));
    CHECK_OK(dl4c_atomic_write_bytes(path, "", 0));
    CHECK(file_is(path, ""));
    CHECK(count_entries(dir) == 1);
}

static dl4c_status fail_midway(FILE *f, void *ctx)
{
    (void)ctx;
    fputs("partial content", f);
    return dl4c_error_set(DL4C_FORMAT, "writer gave up");
}

static void test_failed_write_leaves_old_file(void)
{
    char dir[600], path[700];
    snprintf(dir, sizeof dir, "%s/fail", test_tmpdir());
    make_dir(dir);
    snprintf(path, sizeof path, "%s/b.txt", dir);

    CHECK_ERR(dl4c_atomic_write(path, fail_midway, NULL), DL4C_FORMAT,
              "writer gave up");
    CHECK(access(path, F_OK) != 0);
    CHECK(count_entries(dir) == 0);

    CHECK_OK(dl4c_atomic_write_bytes(path, "keep me", 7));
    CHECK_ERR(dl4c_atomic_write(path, fail_midway, NULL), DL4C_FORMAT,
              "writer gave up");
    CHECK(file_is(path, "keep me"));
    CHECK(count_entries(dir) == 1);
}

static void test_missing_directory(void)
{
    char path[700];
    snprintf(path, sizeof path, "%s/no-such-dir/c.txt", test_tmpdir());
    int before = count_entries(test_tmpdir());
    CHECK_ERR(dl4c_atomic_write_bytes(path, "x", 1), DL4C_IO, path);
    CHECK_ERR(dl4c_atomic_write_bytes(path, "x", 1), DL4C_IO,
              "No such file or directory");
    CHECK(count_entries(test_tmpdir()) == before);
}

static void test_bad_paths(void)
{
    char path[700];
    snprintf(path, sizeof path, "%s/", test_tmpdir());
    CHECK_ERR(dl4c_atomic_write_bytes(path, "x", 1), DL4C_INVALID_ARG,
              "directory");
    CHECK_ERR(dl4c_atomic_write_bytes("", "x", 1), DL4C_INVALID_ARG, "empty");
    CHECK_ERR(dl4c_atomic_write_bytes(NULL, "x", 1), DL4C_INVALID_ARG, "empty");
    /* an existing directory cannot be replaced by a file */
    char dir[600];
    snprintf(dir, sizeof dir, "%s/isdir", test_tmpdir());
    make_dir(dir);
    int before = count_entries(test_tmpdir());
    CHECK_ERR(dl4c_atomic_write_bytes(dir, "x", 1), DL4C_IO, "cannot replace");
    struct stat st;
    CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(count_entries(test_tmpdir()) == before);
}

static void test_keeps_permissions(void)
{
    char dir[600], path[700];
    snprintf(dir, sizeof dir, "%s/mode", test_tmpdir());
    make_dir(dir);
    snprintf(path, sizeof path, "%s/d.txt", dir);
    CHECK_OK(dl4c_atomic_write_bytes(path, "one", 3));
    REQUIRE(chmod(path, 0640) == 0);
    CHECK_OK(dl4c_atomic_write_bytes(path, "two", 3));
    struct stat st;
    REQUIRE(stat(path, &st) == 0);
    CHECK((st.st_mode & 07777) == 0640);
    CHECK(file_is(path, "two"));
}

/* Writers may seek back to patch a field once the rest is known. */
static dl4c_status write_patched(FILE *f, void *ctx)
{
    (void)ctx;
    fputs("size=?? body", f);
    fseek(f, 5, SEEK_SET);
    fputs("12", f);
    return DL4C_OK;
}

static void test_seek_and_patch(void)
{
    const char *path = sub_path(test_tmpdir(), "patched.txt");
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", path);
    CHECK_OK(dl4c_atomic_write(copy, write_patched, NULL));
    CHECK(file_is(copy, "size=12 body"));
}

static void test_relative_path(void)
{
    char cwd[1024];
    REQUIRE(getcwd(cwd, sizeof cwd));
    char dir[600];
    snprintf(dir, sizeof dir, "%s/relative", test_tmpdir());
    make_dir(dir);
    REQUIRE(chdir(dir) == 0);
    CHECK_OK(dl4c_atomic_write_bytes("plain.txt", "here", 4));
    CHECK(file_is("plain.txt", "here"));
    CHECK(count_entries(".") == 1);
    REQUIRE(chdir(cwd) == 0);
}

TEST_MAIN(test_write_and_replace, test_failed_write_leaves_old_file,
          test_missing_directory, test_bad_paths, test_keeps_permissions,
          test_seek_and_patch, test_relative_path)
