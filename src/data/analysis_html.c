/* The data report as one self-contained HTML page: inline CSS, one inline
 * SVG chart per column (a histogram over a range shared by both tables,
 * or bars for the most frequent categories; shares rather than counts
 * when two tables are compared), a drift chart, and a few lines of inline
 * script that count the charts the browser actually rendered. Nothing is
 * fetched from the network. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/analysis_internal.h"
#include "io/io_internal.h"

#define W 560
#define H 230
#define LEFT 56
#define RIGHT 12
#define TOP 14
#define BOTTOM 40

static const char *const colors[2] = {"#4e79a7", "#f28e2b"};

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

/* A value for axis labels and tooltips: a date for times. */
static void fmt_value(char *buf, size_t cap, double v, bool time)
{
    if (!isfinite(v)) {
        snprintf(buf, cap, "-");
        return;
    }
    if (time) {
        time_t t = (time_t)floor(v);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(buf, cap, "%Y-%m-%d %H:%M", &tm);
        return;
    }
    snprintf(buf, cap, "%.4g", v);
}

static void svg_open(FILE *f, const char *cls, const char *label)
{
    fprintf(f,
            "<svg class=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" "
            "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-label=\"",
            cls, W, H, W, H);
    esc(f, label);
    fprintf(f, "\">\n");
}

static void axes(FILE *f, double ymax, bool share)
{
    int x0 = LEFT, y0 = H - BOTTOM, y1 = TOP;
    fprintf(f,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>\n"
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>\n",
            x0, y0, W - RIGHT, y0, x0, y0, x0, y1);
    for (int k = 0; k <= 4; k++) {
        double v = ymax * k / 4;
        int y = y0 - (int)((y0 - y1) * k / 4.0);
        char buf[32];
        if (share)
            snprintf(buf, sizeof buf, "%.3g%%", v * 100);
        else
            snprintf(buf, sizeof buf, "%.4g", v);
        fprintf(f,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"grid\"/>"
                "<text x=\"%d\" y=\"%d\" class=\"tick\" "
                "text-anchor=\"end\">%s</text>\n",
                x0, y, W - RIGHT, y, x0 - 4, y + 4, buf);
    }
}

static void legend(FILE *f, const dl4c_analysis *a, const dl4c_analysis *b)
{
    if (!b)
        return;
    const dl4c_analysis *t[2] = {a, b};
    for (int s = 0; s < 2; s++) {
        int x = W - RIGHT - 220 + s * 110;
        fprintf(f,
                "<rect x=\"%d\" y=\"2\" width=\"10\" height=\"10\" "
                "fill=\"%s\"/><text x=\"%d\" y=\"11\" class=\"tick\">",
                x, colors[s], x + 14);
        char name[24];
        snprintf(name, sizeof name, "%s", t[s]->name);
        esc(f, name);
        fprintf(f, "</text>\n");
    }
}

/* Histogram of one numeric column of one or two tables. */
static void histogram(FILE *f, const dl4c_acol *const *cols, int n,
                      const dl4c_analysis *a, const dl4c_analysis *b)
{
    enum { BINS = DL4C_ANALYSIS_BINS };
    bool time = cols[0]->s.type == DL4C_COL_TIME;
    double lo = INFINITY, hi = -INFINITY;
    for (int s = 0; s < n; s++) {
        lo = fmin(lo, cols[s]->s.min);
        hi = fmax(hi, cols[s]->s.max);
    }
    double counts[2][BINS] = {{0}}, ymax = 0;
    for (int s = 0; s < n; s++) {
        int64_t m = 0;
        const double *v = dl4c_acol_values(cols[s], &m);
        for (int64_t i = 0; i < m; i++) {
            int k = hi > lo ? (int)((v[i] - lo) / (hi - lo) * BINS) : 0;
            counts[s][k < 0 ? 0 : k >= BINS ? BINS - 1 : k] += 1;
        }
        for (int k = 0; k < BINS; k++) {
            if (n > 1 && m > 0)
                counts[s][k] /= (double)m;
            ymax = fmax(ymax, counts[s][k]);
        }
    }
    if (ymax <= 0)
        ymax = 1;
    svg_open(f, "chart", cols[0]->name);
    axes(f, ymax, n > 1);
    legend(f, a, b);
    double plot_w = W - LEFT - RIGHT, plot_h = H - BOTTOM - TOP;
    double bw = plot_w / BINS;
    for (int k = 0; k < BINS; k++) {
        double b0 = lo + (hi - lo) * k / BINS,
               b1 = lo + (hi - lo) * (k + 1) / BINS;
        char l0[40], l1[40];
        fmt_value(l0, sizeof l0, b0, time);
        fmt_value(l1, sizeof l1, b1, time);
        for (int s = 0; s < n; s++) {
            double h = counts[s][k] / ymax * plot_h;
            double x = LEFT + k * bw + 1 + s * (bw - 2) / n;
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                    " fill=\"%s\"><title>[%s, %s): ",
                    x, H - BOTTOM - h, (bw - 2) / n, h, colors[s], l0, l1);
            if (n > 1)
                fprintf(f, "%.1f%%", counts[s][k] * 100);
            else
                fprintf(f, "%.0f", counts[s][k]);
            fprintf(f, "</title></rect>\n");
        }
    }
    char l0[40], l1[40], lm[40];
    fmt_value(l0, sizeof l0, lo, time);
    fmt_value(lm, sizeof lm, (lo + hi) / 2, time);
    fmt_value(l1, sizeof l1, hi, time);
    fprintf(f,
            "<text x=\"%d\" y=\"%d\" class=\"tick\">%s</text>"
            "<text x=\"%d\" y=\"%d\" class=\"tick\" "
            "text-anchor=\"middle\">%s</text>"
            "<text x=\"%d\" y=\"%d\" class=\"tick\" "
            "text-anchor=\"end\">%s</text>\n</svg>\n",
            LEFT, H - BOTTOM + 16, l0, LEFT + (W - LEFT - RIGHT) / 2,
            H - BOTTOM + 16, lm, W - RIGHT, H - BOTTOM + 16, l1);
}

/* Horizontal bars for the most frequent categories (of the first table,
 * then any others of the second). */
static void categories(FILE *f, const dl4c_acol *const *cols, int n,
                       const dl4c_analysis *a, const dl4c_analysis *b)
{
    const char *keys[2 * DL4C_ANALYSIS_TOP];
    int nk = 0;
    for (int s = 0; s < n; s++)
        for (int k = 0; k < cols[s]->ntop && nk < DL4C_ANALYSIS_TOP; k++) {
            bool have = false;
            for (int j = 0; j < nk; j++)
                have |= !strcmp(keys[j], cols[s]->top[k]);
            if (!have)
                keys[nk++] = cols[s]->top[k];
        }
    double share[2][2 * DL4C_ANALYSIS_TOP] = {{0}}, ymax = 0;
    for (int s = 0; s < n; s++)
        for (int j = 0; j < nk; j++) {
            double c = (double)dl4c_strmap_get(&cols[s]->cats, keys[j]);
            share[s][j] =
                n > 1 && cols[s]->present ? c / (double)cols[s]->present : c;
            ymax = fmax(ymax, share[s][j]);
        }
    if (ymax <= 0)
        ymax = 1;
    svg_open(f, "chart", cols[0]->name);
    axes(f, ymax, n > 1);
    legend(f, a, b);
    double plot_w = W - LEFT - RIGHT, plot_h = H - BOTTOM - TOP;
    double bw = nk ? plot_w / nk : plot_w;
    for (int j = 0; j < nk; j++) {
        for (int s = 0; s < n; s++) {
            double h = share[s][j] / ymax * plot_h;
            double x = LEFT + j * bw + 1 + s * (bw - 2) / n;
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                    " fill=\"%s\"><title>",
                    x, H - BOTTOM - h, (bw - 2) / n, h, colors[s]);
            esc(f, keys[j]);
            if (n > 1)
                fprintf(f, ": %.1f%%</title></rect>\n", share[s][j] * 100);
            else
                fprintf(f, ": %.0f</title></rect>\n", share[s][j]);
        }
        char label[16];
        snprintf(label, sizeof label, "%.12s", keys[j]);
        fprintf(f,
                "<text x=\"%.1f\" y=\"%d\" class=\"tick\" "
                "text-anchor=\"end\" transform=\"rotate(-35 %.1f %d)\">",
                LEFT + j * bw + bw / 2, H - BOTTOM + 12, LEFT + j * bw + bw / 2,
                H - BOTTOM + 12);
        esc(f, label);
        fprintf(f, "</text>\n");
    }
    fprintf(f, "</svg>\n");
}

static const char *flag_of(double psi)
{
    return !isfinite(psi) ? "n/a"
           : psi >= 0.25  ? "major"
           : psi >= 0.1   ? "moderate"
                          : "none";
}

static void drift_chart(FILE *f, const dl4c_analysis *a, const dl4c_analysis *b,
                        const double *psi)
{
    double ymax = 0.3;
    for (int i = 0; i < b->ncols; i++)
        if (isfinite(psi[i]))
            ymax = fmax(ymax, psi[i] * 1.1);
    svg_open(f, "chart drift", "drift per column");
    axes(f, ymax, false);
    double plot_w = W - LEFT - RIGHT, plot_h = H - BOTTOM - TOP;
    double bw = plot_w / b->ncols;
    for (int lvl = 0; lvl < 2; lvl++) {
        double v = lvl ? 0.25 : 0.1;
        double y = H - BOTTOM - v / ymax * plot_h;
        fprintf(f,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                "class=\"threshold\"/>\n",
                LEFT, y, W - RIGHT, y);
    }
    for (int i = 0; i < b->ncols; i++) {
        double v = isfinite(psi[i]) ? psi[i] : 0;
        double h = v / ymax * plot_h;
        const char *flag = flag_of(psi[i]);
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                "class=\"psi-%s\"><title>",
                LEFT + i * bw + 2, H - BOTTOM - h, bw - 4, h, flag);
        esc(f, b->cols[i].name);
        fprintf(f, ": PSI %.4g (%s)</title></rect>\n", psi[i], flag);
        char label[16];
        snprintf(label, sizeof label, "%.12s", b->cols[i].name);
        fprintf(f,
                "<text x=\"%.1f\" y=\"%d\" class=\"tick\" "
                "text-anchor=\"end\" transform=\"rotate(-35 %.1f %d)\">",
                LEFT + i * bw + bw / 2, H - BOTTOM + 12, LEFT + i * bw + bw / 2,
                H - BOTTOM + 12);
        esc(f, label);
        fprintf(f, "</text>\n");
    }
    (void)a;
    fprintf(f, "</svg>\n");
}

static void stat_cell(FILE *f, double v, bool time)
{
    char buf[40];
    fmt_value(buf, sizeof buf, v, time);
    fprintf(f, "<td>%s</td>", buf);
}

static void summary_row(FILE *f, const dl4c_acol *c, const char *table,
                        double psi, bool vs)
{
    const dl4c_column_summary *s = &c->s;
    bool time = s->type == DL4C_COL_TIME;
    fprintf(f, "<tr><td>");
    esc(f, c->name);
    fprintf(f, "</td><td>");
    esc(f, table);
    fprintf(f,
            "</td><td>%s</td><td>%lld</td><td>%lld (%.1f%%)</td><td>%lld</td>",
            dl4c_column_type_name(s->type), (long long)s->count,
            (long long)s->missing,
            s->count + s->missing
                ? 100.0 * (double)s->missing / (double)(s->count + s->missing)
                : 0.0,
            (long long)s->distinct);
    double v[] = {s->min, s->q25, s->median, s->q75, s->max, s->mean, s->std};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
        stat_cell(f, v[k], time && k < 6);
    if (vs && isfinite(psi))
        fprintf(f, "<td class=\"psi-%s\">%.3g %s</td>", flag_of(psi), psi,
                flag_of(psi));
    else if (vs)
        fprintf(f, "<td>n/a</td>");
    fprintf(f, "</tr>\n");
}

static const char *STYLE =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "margin:24px;color:#222;background:#fafafa}"
    "h1{font-size:22px}h2{font-size:18px;margin-top:28px}"
    "h3{font-size:15px;margin:0 0 6px}"
    "table{border-collapse:collapse;font-size:12px;background:#fff}"
    "th,td{border:1px solid #ddd;padding:3px 6px;text-align:right}"
    "th:first-child,td:first-child,td:nth-child(2),td:nth-child(3)"
    "{text-align:left}"
    "section.column{background:#fff;border:1px solid #e3e3e3;"
    "border-radius:6px;padding:10px 14px;margin:12px 0}"
    ".type{color:#777;font-weight:normal;font-size:12px;margin-left:6px}"
    ".flag{font-size:11px;padding:1px 6px;border-radius:8px;margin-left:6px}"
    ".flag.major{background:#e15759;color:#fff}"
    ".flag.moderate{background:#f1ce63}"
    ".meta{color:#666;font-size:13px}"
    "svg .axis{stroke:#444;stroke-width:1}"
    "svg .grid{stroke:#eee;stroke-width:1}"
    "svg .tick{font-size:10px;fill:#444}"
    "svg .threshold{stroke:#999;stroke-dasharray:4 3}"
    ".psi-none{fill:#59a14f}.psi-moderate{fill:#f1ce63}"
    ".psi-major{fill:#e15759}.psi-n\\/a{fill:#bbb}"
    "td.psi-major{color:#c03;font-weight:bold}"
    "td.psi-moderate{color:#a60}";

/* Counts the charts that have a size and something drawn in them. */
static const char *SCRIPT =
    "(function(){var s=document.querySelectorAll('svg.chart'),n=0;"
    "for(var i=0;i<s.length;i++){var r=s[i].getBoundingClientRect();"
    "if(r.width>0&&r.height>0&&s[i].querySelector('rect'))n++;}"
    "document.body.setAttribute('data-charts-rendered',String(n));})();";

typedef struct report {
    const dl4c_analysis *a, *b;
    double *psi; /* per column of b */
} report;

static dl4c_status write_report(FILE *f, void *ctx)
{
    const report *r = ctx;
    const dl4c_analysis *a = r->a, *b = r->b;
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
               "charset=\"utf-8\">\n<title>dl4c data report: ");
    esc(f, a->name);
    fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n<h1>Data report: ",
            STYLE);
    esc(f, a->name);
    if (b) {
        fprintf(f, " vs ");
        esc(f, b->name);
    }
    fprintf(f, "</h1>\n<p class=\"meta\">");
    esc(f, a->name);
    fprintf(f, ": %lld rows, %d columns", (long long)a->rows, a->ncols);
    if (b) {
        fprintf(f, "; ");
        esc(f, b->name);
        fprintf(f, ": %lld rows, %d columns", (long long)b->rows, b->ncols);
    }
    fprintf(f, ". Written by dl4c %s on %s.</p>\n", dl4c_version(), when);
    if (b) {
        int major = 0, moderate = 0;
        for (int i = 0; i < b->ncols; i++) {
            major += r->psi[i] >= 0.25;
            moderate += r->psi[i] >= 0.1 && r->psi[i] < 0.25;
        }
        fprintf(f,
                "<h2>Drift</h2>\n<p class=\"meta\">Population stability "
                "index of each column of the second table against the "
                "first: below 0.1 the distributions agree, 0.1 to 0.25 "
                "is a moderate shift, above 0.25 a major one. %d column%s "
                "with a major shift, %d moderate.</p>\n",
                major, major == 1 ? "" : "s", moderate);
        drift_chart(f, a, b, r->psi);
    }
    fprintf(f,
            "<h2>Summary</h2>\n<table class=\"summary\"><tr><th>column</th>"
            "<th>table</th><th>type</th><th>count</th><th>missing</th>"
            "<th>distinct</th><th>min</th><th>25%%</th><th>median</th>"
            "<th>75%%</th><th>max</th><th>mean</th><th>std</th>%s</tr>\n",
            b ? "<th>drift (PSI)</th>" : "");
    for (int i = 0; i < a->ncols; i++) {
        int j = b ? dl4c_analysis_find(b, a->cols[i].name) : -1;
        summary_row(f, &a->cols[i], a->name, j >= 0 ? r->psi[j] : NAN, b);
        if (j >= 0)
            summary_row(f, &b->cols[j], b->name, r->psi[j], true);
    }
    fprintf(f, "</table>\n<h2>Columns</h2>\n");
    for (int i = 0; i < a->ncols; i++) {
        const dl4c_acol *c = &a->cols[i];
        int j = b ? dl4c_analysis_find(b, c->name) : -1;
        const dl4c_acol *cols[2] = {c, j >= 0 ? &b->cols[j] : NULL};
        int n = j >= 0 && dl4c_acol_numeric(c) == dl4c_acol_numeric(cols[1])
                    ? 2
                    : 1;
        fprintf(f, "<section class=\"column\"><h3>");
        esc(f, c->name);
        fprintf(f, "<span class=\"type\">%s</span>",
                dl4c_column_type_name(c->s.type));
        if (j >= 0 && r->psi[j] >= 0.1)
            fprintf(f, "<span class=\"flag %s\">drift %.3g</span>",
                    flag_of(r->psi[j]), r->psi[j]);
        fprintf(f, "</h3>\n");
        if (dl4c_acol_numeric(c) && c->s.count > 0)
            histogram(f, cols, n, a, n > 1 ? b : NULL);
        else
            categories(f, cols, n, a, n > 1 ? b : NULL);
        fprintf(f, "</section>\n");
    }
    fprintf(f, "<script>%s</script>\n</body></html>\n", SCRIPT);
    return DL4C_OK;
}

dl4c_status dl4c_analysis_write_html(const dl4c_analysis *a,
                                     const dl4c_analysis *vs, const char *path)
{
    dl4c_status status = DL4C_OK;
    report r = {a, vs, NULL};
    DL4C_CHECK(a && path, DL4C_INVALID_ARG, "report: NULL argument");
    DL4C_CHECK(a->finished && (!vs || vs->finished), DL4C_STATE,
               "report: the analysis is not finished");
    if (vs) {
        r.psi = dl4c_malloc((size_t)vs->ncols * sizeof *r.psi);
        if (!r.psi)
            DL4C_NOMEM_FAIL();
        for (int i = 0; i < vs->ncols; i++)
            if (dl4c_analysis_drift(a, vs, i, &r.psi[i]) != DL4C_OK)
                r.psi[i] = NAN; /* not comparable: shown as n/a */
    }
    DL4C_TRY(dl4c_atomic_write(path, write_report, &r));
fail:
    dl4c_free(r.psi);
    return status;
}
