/* Runner and file helpers shared by every test executable. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

int test_failures;
int test_checks;
int test_skipped;

static char tmpdir[512];

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char child[1024];
            snprintf(child, sizeof child, "%s/%s", path, e->d_name);
            struct stat st;
            if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(child);
            else
                unlink(child);
        }
        closedir(d);
    }
    rmdir(path);
}

const char *test_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/dl4c-test-XXXXXX",
                 base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(1);
        }
    }
    return tmpdir;
}

const char *test_shared_data(const char *relpath)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/data/%s", DL4C_SHARED_DIR, relpath);
    return access(path, R_OK) == 0 ? path : NULL;
}

const char *test_source_path(const char *relpath)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", DL4C_SOURCE_DIR, relpath);
    return path;
}

const char *test_write_file(const char *name, const char *text)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fwrite(text, 1, strlen(text), f);
    fclose(f);
    return path;
}

char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = (size_t)n;
    }
    return buf;
}

int test_run_all(const char *file, const test_fn *tests, const char **names,
                 int count)
{
    int skipped = 0;
    for (int i = 0; i < count; i++) {
        int before = test_failures;
        test_skipped = 0;
        tests[i]();
        skipped += test_skipped;
        fprintf(stderr, "%-40s %s\n", names[i],
                test_failures > before ? "FAIL"
                : test_skipped         ? "skipped"
                                       : "ok");
    }
    if (tmpdir[0])
        remove_tree(tmpdir);
    fprintf(stderr, "%s: %d checks, %d failed\n", file, test_checks,
            test_failures);
    if (test_failures)
        return 1;
    /* CTest's skip code only when nothing in the file ran */
    return skipped == count ? 77 : 0;
}
