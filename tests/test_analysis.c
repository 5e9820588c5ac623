// labels: unit badinput
/* Data analysis: inferred types, counts, missing values, quantiles and
 * category counts of a small table with known answers; drift near 0 for
 * the same distribution and large for a shifted one; the HTML report's
 * charts; bad CSV input with the line named. */
#include "dl4c/analysis.h"
#include "test.h"

static void test_statistics(void)
{
    const char *p =
        test_write_file("a.csv", "n,x,colour,when,note\n"
                                 "1,0.5,red,2024-01-01,alpha\n"
                                 "2,1.5,blue,2024-01-02,beta\n"
                                 "3,NA,red,2024-01-03,gamma\n"
                                 "4,3.5,,2024-01-04,delta\n"
                                 "5,4.5,red,2024-01-05T12:00:00Z,epsilon\n");
    dl4c_analysis *a = NULL;
    REQUIRE_OK(dl4c_analysis_csv(p, 0, true, &a));
    CHECK(dl4c_analysis_rows(a) == 5 && dl4c_analysis_num_columns(a) == 5);
    dl4c_column_summary s;
    CHECK_OK(dl4c_analysis_column(a, 0, &s));
    CHECK(s.type == DL4C_COL_INTEGER && s.count == 5 && s.missing == 0);
    CHECK_NEAR(s.mean, 3, 1e-12);
    CHECK_NEAR(s.std, sqrt(2.5), 1e-12); /* sample std */
    CHECK_NEAR(s.median, 3, 1e-12);
    CHECK_NEAR(s.q25, 2, 1e-12);
    CHECK_NEAR(s.q95, 4.8, 1e-12);
    CHECK_OK(dl4c_analysis_column(a, 1, &s));
    CHECK(s.type == DL4C_COL_DOUBLE && s.count == 4 && s.missing == 1);
    CHECK(s.min == 0.5 && s.max == 4.5);
    CHECK_OK(dl4c_analysis_column(a, 2, &s));
    CHECK(s.type == DL4C_COL_CATEGORICAL && s.missing == 1 && s.distinct == 2);
    CHECK(dl4c_analysis_category_count(a, 2, "red") == 3);
    CHECK_OK(dl4c_analysis_column(a, 3, &s));
    CHECK(s.type == DL4C_COL_TIME);
    CHECK_NEAR(s.max - s.min, 4.5 * 86400, 1e-6);
    CHECK_OK(dl4c_analysis_column(a, 4, &s));
    CHECK(s.type == DL4C_COL_CATEGORICAL); /* 5 distinct in 5 rows */
    char *json = NULL;
    CHECK_OK(dl4c_analysis_write_json(a, NULL, &json));
    CHECK(json && strstr(json, "\"type\":\"integer\"") &&
          strstr(json, "\"red\":3"));
    dl4c_free(json);
    CHECK_ERR(dl4c_analysis_column(a, 9, &s), DL4C_INVALID_ARG, "no column 9");
    dl4c_analysis_free(a);
}

/* rows of x (normal-ish via a fixed pattern, shifted by `shift`) and a
 * category whose mix changes with `mix` */
static dl4c_analysis *sample(const char *name, double shift, int mix)
{
    const char *cols[] = {"x", "kind", "same"};
    dl4c_analysis *a = NULL;
    if (dl4c_analysis_create(name, 3, cols, &a) != DL4C_OK)
        return NULL;
    for (int i = 0; i < 2000; i++) {
        char x[32], same[32];
        double u = (double)((i * 7919) % 1000) / 1000.0;
        snprintf(x, sizeof x, "%.6f", u + shift);
        snprintf(same, sizeof same, "%d", i % 10);
        const char *row[] = {x, (i % 10) < mix ? "cat" : "dog", same};
        if (dl4c_analysis_add_row(a, row) != DL4C_OK)
            return a;
    }
    if (dl4c_analysis_finish(a) != DL4C_OK)
        fprintf(stderr, "finish: %s\n", dl4c_last_error());
    return a;
}

static void test_drift_and_report(void)
{
    dl4c_analysis *train = sample("train", 0, 5), *same = sample("same", 0, 5);
    dl4c_analysis *shifted = sample("test", 0.5, 8);
    REQUIRE(train && same && shifted);
    double psi = -1;
    CHECK_OK(dl4c_analysis_drift(train, same, 0, &psi));
    CHECK_NEAR(psi, 0, 1e-9);
    CHECK_OK(dl4c_analysis_drift(train, shifted, 0, &psi));
    CHECK_MSG(psi > 0.25, "shifted x: PSI %g", psi);
    CHECK_OK(dl4c_analysis_drift(train, shifted, 1, &psi));
    /* cat 0.5 -> 0.8: (0.3) ln(1.6) + (-0.3) ln(0.4) */
    CHECK_NEAR(psi, 0.3 * log(1.6) - 0.3 * log(0.4), 1e-9);
    CHECK_OK(dl4c_analysis_drift(train, shifted, 2, &psi));
    CHECK_NEAR(psi, 0, 1e-9);

    char path[1024];
    snprintf(path, sizeof path, "%s/report.html", test_tmpdir());
    CHECK_OK(dl4c_analysis_write_html(train, shifted, path));
    char *html = test_read_file(path, NULL);
    REQUIRE(html);
    int charts = 0;
    for (const char *p = html; (p = strstr(p, "<svg class=\"chart")); p++)
        charts++;
    CHECK_MSG(charts == 4, "%d charts (3 columns + drift)", charts);
    CHECK(strstr(html, "flag major") && strstr(html, "data-charts-rendered"));
    CHECK(!strstr(html, "http://") ||
          strstr(html, "xmlns=\"http://www.w3.org"));
    free(html);
    char *json = NULL;
    CHECK_OK(dl4c_analysis_write_json(train, shifted, &json));
    CHECK(json && strstr(json, "\"flag\":\"major\"") &&
          strstr(json, "\"flag\":\"none\""));
    dl4c_free(json);
    dl4c_analysis_free(train);
    dl4c_analysis_free(same);
    dl4c_analysis_free(shifted);
}

static void test_bad_input(void)
{
    dl4c_analysis *a = NULL;
    const char *p = test_write_file("bad.csv", "a,b\n1,2\n3,4,5\n");
    CHECK_ERR(dl4c_analysis_csv(p, 0, true, &a), DL4C_FORMAT,
              "bad.csv:3: expected 2 columns, found 3");
    p = test_write_file("empty.csv", "a,b\n");
    CHECK_ERR(dl4c_analysis_csv(p, 0, true, &a), DL4C_FORMAT, "no data rows");
    CHECK_ERR(
        dl4c_analysis_csv(test_write_file("q.csv", "a\n\"open\n"), 0, true, &a),
        DL4C_FORMAT, "quoted field never closed");
    CHECK(a == NULL);
    const char *cols[] = {"a"};
    REQUIRE_OK(dl4c_analysis_create("t", 1, cols, &a));
    CHECK_ERR(dl4c_analysis_finish(a), DL4C_STATE, "has no rows");
    const char *row[] = {"1"};
    CHECK_OK(dl4c_analysis_add_row(a, row));
    CHECK_OK(dl4c_analysis_finish(a));
    CHECK_ERR(dl4c_analysis_add_row(a, row), DL4C_STATE, "already finished");
    /* a numeric column against a categorical one */
    dl4c_analysis *b = NULL;
    REQUIRE_OK(dl4c_analysis_create("u", 1, cols, &b));
    const char *word[] = {"x"};
    CHECK_OK(dl4c_analysis_add_row(b, word));
    CHECK_OK(dl4c_analysis_finish(b));
    double psi;
    CHECK_ERR(dl4c_analysis_drift(a, b, 0, &psi), DL4C_FORMAT,
              "column 'a' is integer in t and categorical in u");
    dl4c_analysis_free(a);
    dl4c_analysis_free(b);
}

TEST_MAIN(test_statistics, test_drift_and_report, test_bad_input)
