/* test_help.c -- the help texts: every non-operator function of the registry and every method
 * and builtin the language has is documented with all five fields, lookups are exact, and the
 * layout help(x) prints is checked byte for byte. */
#include "testutil.h"

#include "exec/expr.h"
#include "lang/help.h"
#include "lang/interp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void assert_entry(const char *topic) {
    const lp_help *h = lp_help_lookup(topic);
    if (!h) fail_msg("no help entry for '%s'", topic);
    assert_string_equal(h->topic, topic);
    if (!h->signature || !*h->signature) fail_msg("'%s': empty signature", topic);
    if (!h->summary || strlen(h->summary) < 20) fail_msg("'%s': summary missing or too short", topic);
    if (!h->example || !*h->example) fail_msg("'%s': empty example", topic);
    bool known = h->pyspark && (strncmp(h->pyspark, "pyspark.sql.", 12) == 0 ||
                                strncmp(h->pyspark, "pyspark.testing.", 16) == 0 || strstr(h->pyspark, "(Loupe only)") ||
                                strstr(h->pyspark, "(Python builtin)") || strstr(h->pyspark, "notebooks)"));
    if (!known)
        fail_msg("'%s': pyspark equivalent missing or odd: %s", topic, h->pyspark ? h->pyspark : "(null)");
}

/* Every registry name that is not an operator, aliases included, has its own entry; an alias's
 * entry names its canonical function. */
static void test_help_every_registry_function(void **state) {
    (void)state;
    int checked = 0;
    for (int i = 0; i < lp_fn_count(); i++) {
        const lp_fninfo *fi = lp_fn_at(i);
        if (fi->flags & LP_FNF_OPERATOR) continue;
        assert_entry(fi->name);
        const lp_help *h = lp_help_lookup(fi->name);
        /* the signature is the function's own name followed by its arguments (countdistinct
         * is spelled countDistinct, as PySpark does) */
        size_t n = strlen(fi->name);
        if (strncasecmp(h->signature, fi->name, n) != 0 || h->signature[n] != '(')
            fail_msg("'%s': signature '%s' does not start with the name", fi->name, h->signature);
        if (fi->flags & LP_FNF_ALIAS) {
            const lp_fninfo *canon = lp_fn_info(fi->id);
            assert_non_null(canon);
            char want[128];
            snprintf(want, sizeof want, "An alias of %s", canon->name);
            if (strncmp(h->summary, want, strlen(want)) != 0)
                fail_msg("alias '%s' should say it is an alias of %s: %s", fi->name, canon->name, h->summary);
        }
        checked++;
    }
    assert_true(checked > 80);
}

static void test_help_every_method_and_builtin(void **state) {
    (void)state;
    static const char *const df[] = {
        "show", "count", "collect", "take", "first", "head", "columns", "dtypes", "schema", "printSchema",
        "describe", "summary", "explain", "select", "selectExpr", "filter", "where", "withColumn",
        "withColumnRenamed", "drop", "groupBy", "groupby", "agg", "orderBy", "sort", "limit", "distinct",
        "dropDuplicates", "join", "union", "unionByName", "dropna", "fillna", "sample", "approxQuantile", "corr",
        "cache", "createOrReplaceTempView", "write", "plot", "hist", "alias"};
    static const char *const gd[] = {"agg", "count", "mean", "avg", "sum", "min", "max"};
    static const char *const col[] = {"alias", "cast", "isNull", "isNotNull", "isin", "between", "like", "rlike",
                                      "contains", "startswith", "endswith", "desc", "asc", "when", "otherwise",
                                      "getItem"};
    static const char *const rd[] = {"json", "csv", "option", "options", "format", "load", "schema"};
    static const char *const wr[] = {"csv", "json", "mode", "option", "save"};
    static const char *const ss[] = {"sql", "read", "table"};
    static const char *const builtins[] = {"print", "display", "help", "col", "lit", "expr", "when", "desc", "asc",
                                           "column", "broadcast", "approx_count_distinct", "isnull", "isnotnull",
                                           "asc_nulls_first", "asc_nulls_last", "desc_nulls_first",
                                           "desc_nulls_last", "str", "int", "float", "bool", "type", "Row",
                                           "clear_output", "len", "countDistinct"};
    static const struct {
        const char *prefix;
        const char *const *names;
        size_t n;
    } groups[] = {
        {"DataFrame.", df, LP_ARRAY_LEN(df)},       {"GroupedData.", gd, LP_ARRAY_LEN(gd)},
        {"Column.", col, LP_ARRAY_LEN(col)},        {"DataFrameReader.", rd, LP_ARRAY_LEN(rd)},
        {"DataFrameWriter.", wr, LP_ARRAY_LEN(wr)}, {"SparkSession.", ss, LP_ARRAY_LEN(ss)},
        {"", builtins, LP_ARRAY_LEN(builtins)},
    };
    for (size_t g = 0; g < LP_ARRAY_LEN(groups); g++) {
        for (size_t i = 0; i < groups[g].n; i++) {
            char topic[128];
            snprintf(topic, sizeof topic, "%s%s", groups[g].prefix, groups[g].names[i]);
            assert_entry(topic);
            const lp_help *h = lp_help_lookup(topic);
            /* a method's PySpark name is its class's */
            if (*groups[g].prefix && strcmp(topic, "DataFrame.hist") != 0) {
                char want[160];
                snprintf(want, sizeof want, "pyspark.sql.%s", topic);
                assert_string_equal(h->pyspark, want);
            }
        }
    }
}

/* Every method the interpreter has (lp_methods) is documented under its class's topic, so
 * help(df.x) never comes back empty for a method that works. */
static void test_help_every_interpreter_method(void **state) {
    (void)state;
    static const struct {
        lp_vkind kind;
        const char *cls;
    } kinds[] = {
        {LV_DF, "DataFrame"},           {LV_GROUPED, "GroupedData"},        {LV_COL, "Column"},
        {LV_READER, "DataFrameReader"}, {LV_WRITER, "DataFrameWriter"}, {LV_NA, "DataFrameNaFunctions"},
        {LV_WINDOW, "WindowSpec"},
    };
    int checked = 0;
    for (size_t k = 0; k < LP_ARRAY_LEN(kinds); k++) {
        int n = 0;
        const lp_method *m = lp_methods(kinds[k].kind, &n);
        assert_true(n > 0);
        for (int i = 0; i < n; i++, checked++) {
            char topic[128];
            snprintf(topic, sizeof topic, "%s.%s", kinds[k].cls, m[i].name);
            assert_entry(topic);
        }
    }
    assert_true(checked > 90);
}

/* Topics are unique, and every entry (also those not listed above) is complete. */
static void test_help_table_consistent(void **state) {
    (void)state;
    int n = lp_help_count();
    assert_true(n > 150);
    for (int i = 0; i < n; i++) {
        const lp_help *h = lp_help_at(i);
        assert_non_null(h);
        assert_entry(h->topic);
        assert_ptr_equal(lp_help_lookup(h->topic), h); /* so the topic is unique */
    }
    assert_null(lp_help_at(-1));
    assert_null(lp_help_at(n));
}

static void test_help_lookup_exact(void **state) {
    (void)state;
    assert_non_null(lp_help_lookup("datediff"));
    assert_non_null(lp_help_lookup("DataFrame.filter"));
    assert_null(lp_help_lookup("Datediff"));          /* case-sensitive */
    assert_null(lp_help_lookup("dataframe.filter"));
    assert_null(lp_help_lookup("datedif"));
    assert_null(lp_help_lookup("DataFrame."));
    assert_null(lp_help_lookup(""));
    assert_null(lp_help_lookup(NULL));
    assert_null(lp_help_lookup("+"));                 /* operators are not topics */
    /* an alias has its own topic and names its function */
    const lp_help *mean = lp_help_lookup("mean");
    assert_non_null(mean);
    assert_string_equal(mean->signature, "mean(col)");
    assert_non_null(strstr(mean->summary, "alias of avg"));
    assert_non_null(strstr(mean->summary, lp_help_lookup("avg")->summary));
}

/* Every example runs in Loupe. Each runs in a fresh session, in a temporary directory that
 * holds reviews.json and reviews.csv (the reader examples' files), after a prelude that defines
 * the names the examples use. */
static void test_help_examples_run(void **state) {
    (void)state;
    static const char json[] =
        "{\"reviewerID\": \"A1\", \"asin\": \"B001\", \"reviewerName\": \"Ann\", \"helpful\": [1, 2], "
        "\"reviewText\": \"great battery, would buy again\", \"overall\": 5.0, \"summary\": \"Great!\", "
        "\"unixReviewTime\": 1364342400, \"reviewTime\": \"03 27, 2013\"}\n"
        "{\"reviewerID\": \"A2\", \"asin\": \"B002\", \"reviewerName\": null, \"helpful\": [0, 0], "
        "\"reviewText\": \"it broke, I want a refund\", \"overall\": 1.0, \"summary\": \"Broke\", "
        "\"unixReviewTime\": 1400000000, \"reviewTime\": \"05 13, 2014\"}\n"
        "{\"reviewerID\": \"A1\", \"asin\": \"B002\", \"reviewerName\": \"Ann\", \"helpful\": [3, 4], "
        "\"reviewText\": \"fine\", \"overall\": 4.0, \"summary\": \"ok battery\", "
        "\"unixReviewTime\": 1300000000, \"reviewTime\": \"03 13, 2011\"}\n";
    static const char csv[] = "asin,overall\nB001,5.0\nB002,1.0\n";
    static const char prelude[] =
        "reviews = spark.read.json(\"reviews.json\")\n"
        "products = reviews.select(\"asin\").distinct()\n"
        "top = reviews.limit(2)\n"
        "old = reviews.limit(1)\n"
        "new = reviews.limit(2)\n"
        "good = reviews.filter(F.col(\"overall\") >= 4)\n"
        "ratings = reviews.select(\"overall\").distinct()\n"
        "months = reviews.select(F.month(F.from_unixtime(\"unixReviewTime\")).alias(\"m\")).distinct()\n"
        "reviews.createOrReplaceTempView(\"reviews\")\n";
    char dir[] = "/tmp/loupe-help-XXXXXX", cwd[4096];
    assert_non_null(mkdtemp(dir));
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    FILE *f = fopen("reviews.json", "w");
    assert_non_null(f);
    fputs(json, f);
    fclose(f);
    f = fopen("reviews.csv", "w");
    assert_non_null(f);
    fputs(csv, f);
    fclose(f);
    loupe_output quiet = {0};
    int failed = 0;
    for (int i = 0; i < lp_help_count(); i++) {
        const lp_help *h = lp_help_at(i);
        unlink("top.csv"); /* the writer examples write these; save() refuses an existing path */
        unlink("top.json");
        unlink("top.tsv");
        size_t n = strlen(prelude) + strlen(h->example) + 2;
        char *code = malloc(n);
        assert_non_null(code);
        snprintf(code, n, "%s%s\n", prelude, h->example);
        loupe_session *s = loupe_session_new();
        assert_non_null(s);
        loupe_diag d;
        memset(&d, 0, sizeof d);
        if (loupe_run(s, code, strlen(code), h->topic, 1, &quiet, &d) != LOUPE_OK) {
            char *msg = loupe_diag_format(&d, code, strlen(code), false);
            fprintf(stderr, "example of '%s' fails:\n%s\n", h->topic, msg ? msg : d.msg);
            free(msg);
            failed++;
        }
        loupe_session_free(s);
        free(code);
    }
    unlink("top.csv");
    unlink("top.json");
    unlink("top.tsv");
    unlink("reviews.json");
    unlink("reviews.csv");
    assert_int_equal(chdir(cwd), 0);
    rmdir(dir);
    assert_int_equal(failed, 0);
}

static void test_help_format_exact(void **state) {
    (void)state;
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_help_format(lp_help_lookup("datediff"), &b);
    assert_false(b.nomem);
    assert_string_equal(b.p,
                        "datediff(end, start)\n"
                        "\n"
                        "The number of days from start to end (end - start; negative when end is\n"
                        "earlier), as a bigint. Timestamps count by their date; strings are cast to\n"
                        "dates. Null when either is null.\n"
                        "\n"
                        "Example:\n"
                        "    reviews.select(F.datediff(F.current_date(), F.to_date(\"reviewTime\", \"MM dd, yyyy\")))\n"
                        "\n"
                        "PySpark: pyspark.sql.functions.datediff\n");
    /* a multi-line example: every line indented */
    lp_strbuf_clear(&b);
    lp_help_format(lp_help_lookup("SparkSession.sql"), &b);
    assert_non_null(strstr(b.p, "\nExample:\n    reviews.createOrReplaceTempView(\"reviews\")\n    spark.sql("));
    assert_non_null(strstr(b.p, "\nPySpark: pyspark.sql.SparkSession.sql\n"));
    lp_strbuf_reset(&b);
}

/* No line of any formatted entry's summary is wider than 78 columns (examples may be). */
static void test_help_format_wraps(void **state) {
    (void)state;
    lp_strbuf b;
    lp_strbuf_init(&b);
    for (int i = 0; i < lp_help_count(); i++) {
        lp_strbuf_clear(&b);
        lp_help_format(lp_help_at(i), &b);
        const char *ex = strstr(b.p, "\n\nExample:\n");
        assert_non_null(ex);
        for (const char *line = b.p; line < ex;) {
            size_t n = strcspn(line, "\n");
            if (n > 78) fail_msg("'%s': a line of %zu columns", lp_help_at(i)->topic, n);
            line += n + 1;
        }
    }
    lp_strbuf_reset(&b);
}

/* A refused allocation is sticky in the buffer, never a crash. */
static void test_help_format_nomem(void **state) {
    (void)state;
    for (int64_t k = 1; k < 20; k++) {
        lp_strbuf b;
        lp_strbuf_init(&b);
        lp_mem_fail_at(k, false);
        lp_help_format(lp_help_lookup("percentile_approx"), &b);
        int64_t failed = lp_mem_fail_at(0, false);
        if (failed) assert_true(b.nomem);
        else assert_false(b.nomem);
        lp_strbuf_reset(&b);
        if (!failed) break;
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_help_every_registry_function), TU_TEST(test_help_every_method_and_builtin),
        TU_TEST(test_help_every_interpreter_method), TU_TEST(test_help_table_consistent),
        TU_TEST(test_help_lookup_exact),
        TU_TEST(test_help_examples_run),            TU_TEST(test_help_format_exact),
        TU_TEST(test_help_format_wraps),
        TU_TEST(test_help_format_nomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
