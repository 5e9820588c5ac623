/* Option parsing for the subcommands: --name value, --name=value and
 * flags; --help prints the usage and every option from the table. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_help(const char *usage, const char *about,
                       const cli_opt *opts, int n)
{
    printf("usage: %s\n\n%s\n\noptions:\n", usage, about);
    for (int i = 0; i < n; i++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", opts[i].name,
                 opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        printf("  %-26s %s\n", left, opts[i].help);
    }
    printf("  %-26s %s\n", "--help", "show this help");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "dl4c %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'dl4c %s --help')\n", cmd);
    return CLI_USAGE;
}

int cli_fail(const char *cmd)
{
    fprintf(stderr, "dl4c %s: error: %s\n", cmd, dl4c_last_error());
    return CLI_FAIL;
}

static cli_opt *find(cli_opt *opts, int n, const char *name, size_t len)
{
    for (int i = 0; i < n; i++)
        if (strlen(opts[i].name) == len && !strncmp(opts[i].name, name, len))
            return &opts[i];
    return NULL;
}

int cli_parse(int argc, char **argv, const char *usage, const char *about,
              cli_opt *opts, int n_opts, const char **pos, int max_pos,
              int *n_pos)
{
    const char *cmd = argv[0];
    *n_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            print_help(usage, about, opts, n_opts);
            return -1;
        }
        if (strncmp(a, "--", 2) != 0 || !a[2]) {
            if (*n_pos >= max_pos)
                return cli_usage_error(cmd, "unexpected argument '%s'", a);
            pos[(*n_pos)++] = a;
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        cli_opt *o = find(opts, n_opts, name, len);
        if (!o)
            return cli_usage_error(cmd, "unknown option '--%.*s'", (int)len,
                                   name);
        if (!o->arg) {
            if (eq)
                return cli_usage_error(cmd, "option '--%s' takes no value",
                                       o->name);
            o->value = "1";
            continue;
        }
        if (eq) {
            o->value = eq + 1;
        } else {
            if (i + 1 >= argc)
                return cli_usage_error(cmd, "option '--%s' needs a value (%s)",
                                       o->name, o->arg);
            o->value = argv[++i];
        }
    }
    return 0;
}

const char *cli_get(const cli_opt *opts, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(opts[i].name, name))
            return opts[i].value;
    return NULL;
}

bool cli_flag(const cli_opt *opts, int n, const char *name)
{
    return cli_get(opts, n, name) != NULL;
}

bool cli_int(const cli_opt *opts, int n, const char *name, int64_t def,
             int64_t min, int64_t max, int64_t *out)
{
    const char *v = cli_get(opts, n, name);
    char *end = NULL;
    if (!v) {
        *out = def;
        return true;
    }
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end || errno || x < min || x > max) {
        fprintf(stderr,
                "dl4c: --%s: '%s' is not a whole number in %lld..%lld\n", name,
                v, (long long)min, (long long)max);
        return false;
    }
    *out = x;
    return true;
}

bool cli_double(const cli_opt *opts, int n, const char *name, double def,
                double min, double max, double *out)
{
    const char *v = cli_get(opts, n, name);
    char *end = NULL;
    if (!v) {
        *out = def;
        return true;
    }
    double x = strtod(v, &end);
    if (!*v || *end || !isfinite(x) || x < min || x > max) {
        fprintf(stderr, "dl4c: --%s: '%s' is not a number in [%g, %g]\n", name,
                v, min, max);
        return false;
    }
    *out = x;
    return true;
}
