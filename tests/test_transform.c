// labels: unit badinput
/* Transform processes: every op on a small CSV with known results, the
 * JSON round trip (a re-parsed fitted process gives the same features),
 * raw rows through dl4c_transform_row matching the rows of the file, and
 * bad processes and bad data with their messages. */
#include "dl4c/transform.h"
#include "test.h"

static const char *PROCESS =
    "{\"format\": \"dl4c.transform\", \"version\": 1, \"label\": \"kind\","
    " \"schema\": ["
    "  {\"name\": \"age\", \"type\": \"integer\"},"
    "  {\"name\": \"income\", \"type\": \"double\"},"
    "  {\"name\": \"city\", \"type\": \"string\"},"
    "  {\"name\": \"seen\", \"type\": \"time\"},"
    "  {\"name\": \"note\", \"type\": \"string\"},"
    "  {\"name\": \"kind\", \"type\": \"categorical\","
    "   \"values\": [\"a\", \"b\"]}],"
    " \"steps\": ["
    "  {\"op\": \"remove_columns\", \"columns\": [\"note\"]},"
    "  {\"op\": \"filter\", \"keep\": \"age >= 18 or missing(age)\"},"
    "  {\"op\": \"replace_missing\", \"column\": \"age\", \"with\": "
    "\"median\"},"
    "  {\"op\": \"replace_invalid\", \"column\": \"income\", \"value\": 0},"
    "  {\"op\": \"replace_missing\", \"column\": \"income\", \"with\": "
    "\"mean\"},"
    "  {\"op\": \"derive\", \"name\": \"ratio\", \"expression\": "
    "\"income / (age * 1000)\"},"
    "  {\"op\": \"string_to_categorical\", \"column\": \"city\"},"
    "  {\"op\": \"categorical_to_onehot\", \"column\": \"city\"},"
    "  {\"op\": \"datetime_fields\", \"column\": \"seen\", \"fields\": "
    "[\"hour\", \"day_of_week\"]},"
    "  {\"op\": \"minmax\", \"column\": \"age\"},"
    "  {\"op\": \"standardize\", \"column\": \"income\"},"
    "  {\"op\": \"rename_column\", \"column\": \"ratio\", \"to\": \"r\"}"
    " ]}";

static const char *DATA = "age,income,city,seen,note,kind\n"
                          "30,3000,paris,2024-03-05 14:30:00,x,a\n"
                          "12,100,rome,2024-03-05T01:00:00Z,child,b\n"
                          ",5000,rome,2024-03-09 23:59,y,b\n"
                          "50,oops,paris,2024-03-10,z,a\n"
                          "40,,oslo,1700000000,w,b\n";

static char path_a[1024], path_b[1024];

static void test_fit_and_values(void)
{
    dl4c_transform *tp = NULL;
    REQUIRE_OK(dl4c_transform_parse(PROCESS, &tp));
    CHECK(!dl4c_transform_fitted(tp));
    CHECK(dl4c_transform_num_inputs(tp) == 6);
    snprintf(path_a, sizeof path_a, "%s", test_write_file("raw.csv", DATA));
    dl4c_dataset *ds = NULL;
    CHECK_OK(dl4c_transform_load_csv(tp, path_a, true, 0, &ds));
    REQUIRE(ds);
    CHECK(dl4c_transform_fitted(tp));
    /* columns: age, income, city[oslo], city[paris], city[rome],
     * seen_hour, seen_day_of_week, r (the label left out) */
    int n = dl4c_transform_num_outputs(tp);
    CHECK_MSG(n == 8, "%d outputs", n);
    const char *want[] = {
        "age",        "income",    "city[oslo]",       "city[paris]",
        "city[rome]", "seen_hour", "seen_day_of_week", "r"};
    for (int i = 0; i < n && i < 8; i++)
        CHECK_MSG(!strcmp(dl4c_transform_output_name(tp, i), want[i]),
                  "output %d is %s", i, dl4c_transform_output_name(tp, i));
    /* the 12-year-old was filtered out: 4 rows */
    CHECK(dl4c_dataset_count(ds) == 4 && dl4c_dataset_num_classes(ds) == 2);
    CHECK(!strcmp(dl4c_dataset_class_name(ds, 1), "b"));
    const float *x = dl4c_tensor_data(dl4c_dataset_features(ds));
    /* ages 30, 40 (median of 30, 50, 40 fills the blank), 50, 40 ->
     * min-max over [30, 50] */
    CHECK_NEAR(x[0 * 8 + 0], 0.0, 1e-6);
    CHECK_NEAR(x[1 * 8 + 0], 0.5, 1e-6);
    CHECK_NEAR(x[2 * 8 + 0], 1.0, 1e-6);
    /* incomes 3000, 5000, 0 ('oops' replaced), then the blank gets the
     * mean 2666.67; standardized */
    double inc[4] = {3000, 5000, 0, 8000.0 / 3};
    double mean = 0, var = 0;
    for (int i = 0; i < 4; i++)
        mean += inc[i] / 4;
    for (int i = 0; i < 4; i++)
        var += (inc[i] - mean) * (inc[i] - mean) / 4;
    for (int i = 0; i < 4; i++)
        CHECK_NEAR(x[i * 8 + 1], (inc[i] - mean) / sqrt(var), 1e-5);
    /* one-hot: paris, rome, paris, oslo */
    CHECK(x[0 * 8 + 3] == 1 && x[0 * 8 + 2] == 0 && x[1 * 8 + 4] == 1 &&
          x[3 * 8 + 2] == 1);
    /* hours 14, 23, 0, 22 (1700000000 = 2023-11-14 22:13:20 UTC);
     * days: Tuesday 1, Saturday 5, Sunday 6, Tuesday 1 */
    CHECK(x[0 * 8 + 5] == 14 && x[1 * 8 + 5] == 23 && x[2 * 8 + 5] == 0 &&
          x[3 * 8 + 5] == 22);
    CHECK(x[0 * 8 + 6] == 1 && x[1 * 8 + 6] == 5 && x[2 * 8 + 6] == 6 &&
          x[3 * 8 + 6] == 1);
    /* ratio before scaling: 3000 / 30000 */
    CHECK_NEAR(x[0 * 8 + 7], 0.1, 1e-6);
    const float *y = dl4c_tensor_data(dl4c_dataset_labels(ds));
    CHECK(y[0] == 1 && y[3] == 1 && y[4] == 1 && y[7] == 1);

    /* round trip: the written process, parsed again, gives the same */
    char *json = NULL, *json2 = NULL;
    CHECK_OK(dl4c_transform_write(tp, &json));
    dl4c_transform *again = NULL;
    CHECK_OK(dl4c_transform_parse(json, &again));
    REQUIRE(again);
    CHECK(dl4c_transform_fitted(again));
    CHECK_OK(dl4c_transform_write(again, &json2));
    CHECK(json && json2 && !strcmp(json, json2));
    dl4c_dataset *ds2 = NULL;
    CHECK_OK(dl4c_transform_load_csv(again, path_a, false, 0, &ds2));
    CHECK(ds2 && dl4c_tensor_max_abs_diff(dl4c_dataset_features(ds),
                                          dl4c_dataset_features(ds2)) == 0);

    /* raw rows, with and without the label, give the file's features */
    const char *row[] = {"30", "3000", "paris", "2024-03-05 14:30:00",
                         "x",  "a"};
    float f[16];
    int64_t got = 0;
    bool kept = false;
    CHECK_OK(dl4c_transform_row(again, row, 6, f, 16, &got, &kept));
    CHECK(kept && got == 8);
    for (int i = 0; i < 8; i++)
        CHECK_NEAR(f[i], x[i], 0);
    CHECK_OK(dl4c_transform_row(again, row, 5, f, 16, &got, &kept));
    CHECK(kept && got == 8 && f[7] == x[7]);
    const char *child[] = {"12", "100", "rome", "2024-03-05", "", "b"};
    CHECK_OK(dl4c_transform_row(again, child, 6, f, 16, &got, &kept));
    CHECK(!kept && got == 0);
    const char *bad[] = {"30", "3000", "paris", "yesterday", "x"};
    CHECK_ERR(dl4c_transform_row(again, bad, 5, f, 16, &got, &kept),
              DL4C_FORMAT,
              "column 'seen_hour': 'yesterday' is not a date-time");
    CHECK_ERR(dl4c_transform_row(again, bad, 3, f, 16, &got, &kept),
              DL4C_FORMAT, "3 values in the row; the transform reads 6");
    const char *unseen[] = {"30", "3000", "lima", "2024-03-05", "x"};
    CHECK_ERR(dl4c_transform_row(again, unseen, 5, f, 16, &got, &kept),
              DL4C_FORMAT, "'lima' is not a known category");
    dl4c_dataset_free(ds2);
    dl4c_transform_free(again);

    /* written out as CSV, with the label */
    snprintf(path_b, sizeof path_b, "%s/clean.csv", test_tmpdir());
    CHECK_OK(dl4c_transform_csv(tp, path_a, path_b, false));
    char *text = test_read_file(path_b, NULL);
    CHECK(text && !strncmp(text, "age,income,city[oslo],city[paris]", 33));
    CHECK(text && strstr(text, ",a,") && strstr(text, ",b,"));
    free(text);
    dl4c_free(json);
    dl4c_free(json2);
    dl4c_dataset_free(ds);
    dl4c_transform_free(tp);
}

static void test_unfitted_and_labels(void)
{
    dl4c_transform *tp = NULL;
    REQUIRE_OK(dl4c_transform_parse(PROCESS, &tp));
    dl4c_dataset *ds = NULL;
    CHECK_ERR(dl4c_transform_load_csv(tp, path_a, false, 0, &ds), DL4C_STATE,
              "not fitted");
    float f[8];
    int64_t n;
    bool kept;
    const char *row[] = {"1", "2", "a", "2024-01-01", "", "a"};
    CHECK_ERR(dl4c_transform_row(tp, row, 6, f, 8, &n, &kept), DL4C_STATE,
              "not fitted");
    CHECK_ERR(dl4c_transform_set_label(tp, "nope"), DL4C_INVALID_ARG,
              "the label 'nope' is not a schema column");
    dl4c_transform_free(tp);

    /* a numeric label: class indices or regression */
    const char *num = "{\"schema\": [{\"name\": \"x\", \"type\": \"double\"},"
                      " {\"name\": \"y\", \"type\": \"integer\"}],"
                      " \"label\": \"y\"}";
    REQUIRE_OK(dl4c_transform_parse(num, &tp));
    const char *p = test_write_file("num.csv", "x,y\n1.5,0\n2.5,2\n");
    CHECK_OK(dl4c_transform_load_csv(tp, p, true, 3, &ds));
    CHECK(ds && dl4c_dataset_num_classes(ds) == 3 &&
          dl4c_tensor_get(dl4c_dataset_labels(ds), 5) == 1);
    dl4c_dataset_free(ds);
    CHECK_OK(dl4c_transform_load_csv(tp, p, true, 0, &ds));
    CHECK(ds && dl4c_dataset_num_classes(ds) == 0 &&
          dl4c_tensor_get(dl4c_dataset_labels(ds), 1) == 2);
    dl4c_dataset_free(ds);
    CHECK_ERR(dl4c_transform_load_csv(tp, p, true, 2, &ds), DL4C_FORMAT,
              "num.csv:3: label 2 outside 0..1");
    /* the label column may be absent from the data */
    p = test_write_file("nolabel.csv", "x\n1\n2\n");
    CHECK_OK(dl4c_transform_load_csv(tp, p, true, 0, &ds));
    CHECK(ds && dl4c_dataset_labels(ds) == NULL);
    dl4c_dataset_free(ds);
    dl4c_transform_free(tp);
}

static void test_bad_processes(void)
{
    dl4c_transform *tp = NULL;
    CHECK_ERR(dl4c_transform_parse("{\"schema\": [", &tp), DL4C_FORMAT,
              "transform: line 1");
    CHECK_ERR(dl4c_transform_parse("{\"schema\": []}", &tp), DL4C_FORMAT,
              "non-empty list");
    CHECK_ERR(dl4c_transform_parse("{\"schema\": [{\"name\": \"a\", \"type\":"
                                   " \"float\"}]}",
                                   &tp),
              DL4C_FORMAT, "\"type\" must be integer, double");
    CHECK_ERR(dl4c_transform_parse("{\"schema\": [{\"name\": \"a\", \"type\":"
                                   " \"double\"}], \"steps\": [{\"op\": "
                                   "\"explode\"}]}",
                                   &tp),
              DL4C_FORMAT, "step 1: unknown \"op\" 'explode'");
    CHECK_ERR(dl4c_transform_parse("{\"schema\": [{\"name\": \"a\", \"type\":"
                                   " \"double\"}], \"steps\": [{\"op\": "
                                   "\"minmax\", \"column\": \"b\"}]}",
                                   &tp),
              DL4C_FORMAT, "step 1 (minmax): no column 'b' (columns: a)");
    CHECK_ERR(dl4c_transform_parse("{\"schema\": [{\"name\": \"a\", \"type\":"
                                   " \"double\"}], \"steps\": [{\"op\": "
                                   "\"minmax\", \"column\": \"a\", \"colour\":"
                                   " 1}]}",
                                   &tp),
              DL4C_FORMAT, "unknown key 'colour'");
    CHECK_ERR(dl4c_transform_parse("{\"schema\": [{\"name\": \"a\", \"type\":"
                                   " \"double\"}], \"steps\": [{\"op\": "
                                   "\"derive\", \"name\": \"b\", "
                                   "\"expression\": \"a * (2 +\"}]}",
                                   &tp),
              DL4C_FORMAT, "step 1 (derive): expression 'a * (2 +'");
    CHECK_ERR(dl4c_transform_parse("{\"schema\": [{\"name\": \"a\", \"type\":"
                                   " \"double\"}], \"steps\": [{\"op\": "
                                   "\"filter\", \"keep\": \"'x' < a\"}]}",
                                   &tp),
              DL4C_FORMAT, "can only be compared with == or !=");
    CHECK_ERR(dl4c_transform_parse("{\"schema\": [{\"name\": \"a\", \"type\":"
                                   " \"double\"}], \"steps\": [{\"op\": "
                                   "\"categorical_to_onehot\", \"column\": "
                                   "\"a\"}]}",
                                   &tp),
              DL4C_FORMAT,
              "column 'a' is double; this step needs a "
              "categorical column");
    CHECK_ERR(dl4c_transform_parse("{\"schema\": [{\"name\": \"a\", \"type\":"
                                   " \"double\"}], \"steps\": [{\"op\": "
                                   "\"minmax\", \"column\": \"a\", "
                                   "\"data_min\": 1}]}",
                                   &tp),
              DL4C_FORMAT, "both fitted statistics or neither");
    CHECK(tp == NULL);
}

static void test_bad_data(void)
{
    dl4c_transform *tp = NULL;
    const char *json = "{\"schema\": [{\"name\": \"a\", \"type\": \"integer\"},"
                       " {\"name\": \"b\", \"type\": \"string\"}],"
                       " \"steps\": [{\"op\": \"string_to_categorical\","
                       " \"column\": \"b\"}, {\"op\": "
                       "\"categorical_to_integer\", \"column\": \"b\"}]}";
    REQUIRE_OK(dl4c_transform_parse(json, &tp));
    dl4c_dataset *ds = NULL;
    const char *p = test_write_file("short.csv", "a,b\n1,x\n2,y\n3\n");
    CHECK_ERR(dl4c_transform_load_csv(tp, p, true, 0, &ds), DL4C_FORMAT,
              "short.csv:4: expected 2 columns, found 1");
    p = test_write_file("text.csv", "a,b\n1,x\n2.5,y\n");
    CHECK_ERR(dl4c_transform_load_csv(tp, p, true, 0, &ds), DL4C_FORMAT,
              "text.csv:3: column 'a': '2.5' is not an integer");
    p = test_write_file("blank.csv", "a,b\n1,x\n,y\n");
    CHECK_ERR(dl4c_transform_load_csv(tp, p, true, 0, &ds), DL4C_FORMAT,
              "blank.csv:3: column 'a': missing value");
    dl4c_transform *strs = NULL;
    REQUIRE_OK(dl4c_transform_parse(
        "{\"schema\": [{\"name\": \"a\", \"type\": \"integer\"},"
        " {\"name\": \"b\", \"type\": \"string\"}]}",
        &strs));
    p = test_write_file("str.csv", "a,b\n1,x\n");
    CHECK_ERR(dl4c_transform_load_csv(strs, p, true, 0, &ds), DL4C_FORMAT,
              "column 'b' is still string");
    dl4c_transform_free(strs);
    p = test_write_file("extra.csv", "a,b,c\n1,x,3\n");
    CHECK_ERR(dl4c_transform_load_csv(tp, p, true, 0, &ds), DL4C_FORMAT,
              "column 'c' is not in the transform's schema");
    p = test_write_file("lack.csv", "a\n1\n");
    CHECK_ERR(dl4c_transform_load_csv(tp, p, true, 0, &ds), DL4C_FORMAT,
              "no column 'b'");
    CHECK(ds == NULL);
    dl4c_transform_free(tp);
    CHECK_ERR(dl4c_transform_load("/nonexistent/tp.json", &tp), DL4C_IO,
              "cannot open");
}

TEST_MAIN(test_fit_and_values, test_unfitted_and_labels, test_bad_processes,
          test_bad_data)
