/* test_check.c -- the lessons' exercise helpers (lang/check.c) through the language:
 * assertDataFrameEqual, check and answer, every message they give, the answer format's round
 * trip, and out-of-memory at every allocation of a check. */
#include "testutil.h"

#include "loupe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct capture {
    lp_strbuf out;
} capture;

static void cap_out(void *ctx, const char *s, size_t n) { lp_strbuf_append(&((capture *)ctx)->out, s, n); }

/* The session of a test: frames e (expected), a (one value differs), loaded from CSV. */
typedef struct fixture {
    loupe_session *s;
    capture cap;
    loupe_output o;
    loupe_diag d;
} fixture;

static const char *E_CSV = "reviewerID,overall,n\nA1,5.0,3\nA2,4.0,1\nA3,3.0,2\n";
static const char *A_CSV = "reviewerID,overall,n\nA1,4.0,3\nA2,4.0,1\nA3,3.0,2\n";

static loupe_status run(fixture *f, const char *code) {
    lp_strbuf_clear(&f->cap.out);
    return loupe_run(f->s, code, strlen(code), "<test>", 1, &f->o, &f->d);
}

static void fx_open(fixture *f) {
    memset(f, 0, sizeof *f);
    f->s = loupe_session_new();
    assert_non_null(f->s);
    lp_strbuf_init(&f->cap.out);
    f->o.ctx = &f->cap;
    f->o.out = cap_out;
    char code[1024];
    snprintf(code, sizeof code,
             "e = spark.read.csv('%s', header=True, inferSchema=True)\n"
             "a = spark.read.csv('%s', header=True, inferSchema=True)\n",
             tu_temp_text(E_CSV, ".csv"), tu_temp_text(A_CSV, ".csv"));
    assert_int_equal(run(f, code), LOUPE_OK);
}

static void fx_close(fixture *f) {
    lp_strbuf_reset(&f->cap.out);
    loupe_session_free(f->s);
}

/* Runs code and asserts it fails with LOUPE_EVALUE (or `st`) and exactly message `msg`. */
static void expect_err(fixture *f, const char *code, loupe_status st, const char *msg) {
    loupe_status got = run(f, code);
    if (got != st) fail_msg("%s: expected status %d, got %d (%s)", code, (int)st, (int)got, f->d.msg);
    assert_string_equal(f->d.msg, msg);
}

/* The answer string answer(<expr>) prints, without quotes and newline (static storage). */
static const char *answer_of(fixture *f, const char *expr) {
    static char buf[4096];
    char code[512];
    snprintf(code, sizeof code, "answer(%s)", expr);
    assert_int_equal(run(f, code), LOUPE_OK);
    const char *p = f->cap.out.p;
    assert_non_null(p);
    size_t n = strlen(p);
    assert_true(n > 3 && p[0] == '"' && p[n - 2] == '"' && p[n - 1] == '\n');
    assert_true(n - 3 < sizeof buf);
    memcpy(buf, p + 1, n - 3);
    buf[n - 3] = '\0';
    return buf;
}

static void check_with(fixture *f, const char *actual, const char *answer, loupe_status st, const char *msg) {
    char code[4096];
    int len = snprintf(code, sizeof code, "check(%s, \"%s\")", actual, answer);
    assert_true(len > 0 && (size_t)len < sizeof code);
    if (st == LOUPE_OK) {
        loupe_status got = run(f, code);
        if (got != LOUPE_OK) fail_msg("%s: %s", code, f->d.msg);
        assert_string_equal(f->cap.out.p, "✓ correct\n");
    } else {
        expect_err(f, code, st, msg);
    }
}

static void test_check_assert_equal_passes_in_any_order(void **state) {
    (void)state;
    fixture f;
    fx_open(&f);
    assert_int_equal(run(&f, "assertDataFrameEqual(e, e)"), LOUPE_OK);
    assert_int_equal(run(&f, "assertDataFrameEqual(e.orderBy(F.desc('n')), e)"), LOUPE_OK);
    /* column order does not matter */
    assert_int_equal(run(&f, "assertDataFrameEqual(e.select('n', 'overall', 'reviewerID'), e)"), LOUPE_OK);
    /* floats within 1e-9 relative */
    assert_int_equal(run(&f, "assertDataFrameEqual(e.withColumn('overall', F.col('overall') * (1 + 1e-12)), e)"),
                     LOUPE_OK);
    assert_int_equal(run(&f, "assertDataFrameEqual(e.withColumn('overall', F.col('overall') * 1.001), e, rtol=0.01)"),
                     LOUPE_OK);
    assert_null(f.cap.out.p && *f.cap.out.p ? f.cap.out.p : NULL);  /* silent on success */
    fx_close(&f);
}

static void test_check_assert_equal_messages(void **state) {
    (void)state;
    fixture f;
    fx_open(&f);
    expect_err(&f, "assertDataFrameEqual(a, e)", LOUPE_EVALUE,
               "1 row differs, first at reviewerID=A1, overall: expected 5.0, got 4.0");
    expect_err(&f, "assertDataFrameEqual(e.withColumn('overall', F.col('overall') * (1 + 1e-6)), e)", LOUPE_EVALUE,
               "3 rows differ, first at reviewerID=A1, overall: expected 5.0, got 5.000005");
    expect_err(&f, "assertDataFrameEqual(e.drop('n').withColumnRenamed('overall', 'stars'), e)", LOUPE_EVALUE,
               "missing column 'overall'; missing column 'n'; unexpected column 'stars'");
    assert_string_equal(f.d.hint, "expected the columns reviewerID string, overall double, n bigint");
    expect_err(&f, "assertDataFrameEqual(e.withColumn('n', F.col('n').cast('double')), e)", LOUPE_EVALUE,
               "column 'n': expected bigint, got double");
    expect_err(&f, "assertDataFrameEqual(e.filter('n > 1'), e)", LOUPE_EVALUE,
               "expected 3 rows, got 2: 1 expected row missing, first: reviewerID=A2, overall=4.0, n=1");
    assert_string_equal(f.d.hint,
                        "rows are compared in any order; a row counts as differing when its first column "
                        "'reviewerID' matches");
    expect_err(&f, "assertDataFrameEqual(e.union(a), e)", LOUPE_EVALUE,
               "expected 3 rows, got 6: 3 unexpected rows, first: reviewerID=A1, overall=4.0, n=3");
    expect_err(&f, "assertDataFrameEqual(e.orderBy(F.desc('n')), e, checkRowOrder=True)", LOUPE_EVALUE,
               "2 rows differ, first at row 2, reviewerID: expected A2, got A3");
    expect_err(&f, "assertDataFrameEqual(a, e, checkRowOrder=True)", LOUPE_EVALUE,
               "1 row differs, first at row 1 (reviewerID=A1), overall: expected 5.0, got 4.0");
    expect_err(&f, "assertDataFrameEqual(e.filter('n = 3'), a.filter('n = 3'))", LOUPE_EVALUE,
               "the row differs, overall: expected 4.0, got 5.0");
    /* argument errors */
    expect_err(&f, "assertDataFrameEqual(e)", LOUPE_ETYPE, "assertDataFrameEqual() needs two arguments: actual, expected");
    expect_err(&f, "assertDataFrameEqual(e, e, rtol=-1)", LOUPE_EVALUE, "rtol must be a number >= 0");
    expect_err(&f, "assertDataFrameEqual(e, F.col('n'))", LOUPE_ETYPE,
               "assertDataFrameEqual() expects a DataFrame, a number, a string or a list of them for expected, got Column");
    fx_close(&f);
}

static void test_check_answer_round_trip(void **state) {
    (void)state;
    fixture f;
    fx_open(&f);
    const char *ans = answer_of(&f, "e");
    assert_true(strncmp(ans, "LA1:", 4) == 0);
    assert_null(strstr(ans, "reviewerID"));  /* not readable as plain text */
    char ae[4096];
    snprintf(ae, sizeof ae, "%s", ans);
    check_with(&f, "e", ae, LOUPE_OK, NULL);
    check_with(&f, "e.orderBy('overall')", ae, LOUPE_OK, NULL);
    check_with(&f, "a", ae, LOUPE_EVALUE, "1 row differs, first at reviewerID=A1, overall: expected 5.0, got 4.0");
    check_with(&f, "e.drop('n')", ae, LOUPE_EVALUE, "missing column 'n'");
    check_with(&f, "e.withColumn('text_length', F.lit(1))", ae, LOUPE_EVALUE, "unexpected column 'text_length'");
    check_with(&f, "e.withColumn('n', F.col('n').cast('string'))", ae, LOUPE_EVALUE,
               "column 'n': expected bigint, got string");
    /* text with tabs, newlines, backslashes and nulls survives the format */
    snprintf(ae, sizeof ae, "%s",
             answer_of(&f, "e.withColumn('t', F.when(F.col('n') > 1, F.lit('a\\tb\\\\c\\nd')))"));
    check_with(&f, "e.withColumn('t', F.when(F.col('n') > 1, F.lit('a\\tb\\\\c\\nd')))", ae, LOUPE_OK, NULL);
    check_with(&f, "e.withColumn('t', F.when(F.col('n') > 2, F.lit('a\\tb\\\\c\\nd')))", ae, LOUPE_EVALUE,
               "1 row differs, first at reviewerID=A3, t: expected a\tb\\c\nd, got null");
    /* booleans and timestamps */
    snprintf(ae, sizeof ae, "%s", answer_of(&f, "e.select('reviewerID', (F.col('n') > 1).alias('b'), F.to_timestamp(F.lit('2014-01-09 10:00:00')).alias('ts'))"));
    check_with(&f, "e.select('reviewerID', (F.col('n') > 1).alias('b'), F.to_timestamp(F.lit('2014-01-09 10:00:00')).alias('ts'))", ae, LOUPE_OK, NULL);
    check_with(&f, "e.select('reviewerID', (F.col('n') > 2).alias('b'), F.to_timestamp(F.lit('2014-01-09 10:00:00')).alias('ts'))", ae,
               LOUPE_EVALUE, "1 row differs, first at reviewerID=A3, b: expected true, got false");
    /* aggregates and dates */
    snprintf(ae, sizeof ae, "%s", answer_of(&f, "e.agg(F.avg('overall').alias('m'), F.min(F.to_date(F.lit('2014-01-09'))).alias('d'))"));
    check_with(&f, "e.agg(F.avg('overall').alias('m'), F.min(F.to_date(F.lit('2014-01-09'))).alias('d'))", ae, LOUPE_OK, NULL);
    check_with(&f, "a.agg(F.avg('overall').alias('m'), F.min(F.to_date(F.lit('2014-01-09'))).alias('d'))", ae, LOUPE_EVALUE,
               "the row differs, m: expected 4.0, got 3.6666666666666665");
    fx_close(&f);
}

static void test_check_scalars_and_lists(void **state) {
    (void)state;
    fixture f;
    fx_open(&f);
    char ae[1024];
    snprintf(ae, sizeof ae, "%s", answer_of(&f, "e.count()"));
    check_with(&f, "e.count()", ae, LOUPE_OK, NULL);
    check_with(&f, "a.filter('n > 1').count()", ae, LOUPE_EVALUE, "expected 3, got 2");
    check_with(&f, "3.0", ae, LOUPE_EVALUE, "column 'value': expected bigint, got double");
    snprintf(ae, sizeof ae, "%s", answer_of(&f, "[0.5, 2, 7.25]"));
    check_with(&f, "[0.5, 2.0, 7.25]", ae, LOUPE_OK, NULL);
    /* lists keep their order */
    check_with(&f, "[2.0, 0.5, 7.25]", ae, LOUPE_EVALUE, "2 rows differ, first at row 1, value: expected 0.5, got 2.0");
    check_with(&f, "[0.5, 2.0]", ae, LOUPE_EVALUE, "expected 3 rows, got 2: 1 expected row missing, first: value=7.25");
    snprintf(ae, sizeof ae, "%s", answer_of(&f, "'honest review'"));
    check_with(&f, "'honest review'", ae, LOUPE_OK, NULL);
    check_with(&f, "'great'", ae, LOUPE_EVALUE, "expected honest review, got great");
    fx_close(&f);
}

/* A query answer is worked out when check() runs, over the temp views of the moment, so it
 * holds for whatever data the lesson reads. */
static void test_check_query_answers(void **state) {
    (void)state;
    fixture f;
    fx_open(&f);
    assert_int_equal(run(&f, "e.createOrReplaceTempView('t')"), LOUPE_OK);
    char ae[1024], ac[1024], ao[1024];
    snprintf(ae, sizeof ae, "%s", answer_of(&f, "sql='SELECT reviewerID, n FROM t WHERE n > 1'"));
    snprintf(ac, sizeof ac, "%s", answer_of(&f, "sql='SELECT count(*) AS n FROM t'"));
    snprintf(ao, sizeof ao, "%s", answer_of(&f, "sql='SELECT n FROM t ORDER BY n', checkRowOrder=True"));
    assert_null(strstr(ae, "SELECT"));
    check_with(&f, "e.filter(F.col('n') > 1).select('reviewerID', 'n')", ae, LOUPE_OK, NULL);
    check_with(&f, "e.select('reviewerID', 'n')", ae, LOUPE_EVALUE,
               "expected 2 rows, got 3: 1 unexpected row, first: reviewerID=A2, n=1");
    check_with(&f, "e.count()", ac, LOUPE_OK, NULL);  /* a number against a one-column answer */
    check_with(&f, "e.filter('n > 1').count()", ac, LOUPE_EVALUE, "expected 3, got 2");
    check_with(&f, "[1, 2, 3]", ao, LOUPE_OK, NULL);
    check_with(&f, "[3, 2, 1]", ao, LOUPE_EVALUE, "2 rows differ, first at row 1, value: expected 1, got 3");
    /* the same answer over other data: the view now holds a */
    assert_int_equal(run(&f, "a.filter('n < 3').createOrReplaceTempView('t')"), LOUPE_OK);
    check_with(&f, "a.count() - 1", ac, LOUPE_OK, NULL);
    /* the data the answer reads is not there */
    assert_int_equal(run(&f, "e.createOrReplaceTempView('u')"), LOUPE_OK);
    snprintf(ae, sizeof ae, "%s", answer_of(&f, "sql='SELECT count(*) FROM u'"));
    fx_close(&f);
    fx_open(&f);
    check_with(&f, "e.count()", ae, LOUPE_ENAME,
               "check() could not work out the expected answer: table or view 'u' not found");
    assert_string_equal(f.d.hint, "run the lesson's cells above this one first (they make the data this answer reads)");
    /* answer() runs the query at once */
    expect_err(&f, "answer(sql='SELECT nope FROM u')", LOUPE_ENAME, "table or view 'u' not found");
    expect_err(&f, "answer(e, sql='SELECT 1')", LOUPE_ETYPE, "answer() takes a result or sql=, not both");
    expect_err(&f, "answer(sql=1)", LOUPE_ETYPE, "answer() expects sql as a string, got int");
    fx_close(&f);
}

static void test_check_bad_arguments(void **state) {
    (void)state;
    fixture f;
    fx_open(&f);
    expect_err(&f, "check(e, 5)", LOUPE_ETYPE, "check() expects the answer as a string, got int");
    expect_err(&f, "check(e, 'the answer is 42')", LOUPE_EVALUE,
               "this is not an answer string: it should be what answer() printed");
    assert_string_equal(f.d.hint, "answers start with \"LA1:\"; copy the whole string from the notebook");
    /* a damaged answer: valid base64, but not zlib */
    expect_err(&f, "check(e, 'LA1:AAAAKEhlbGxvIHdvcmxk')", LOUPE_EVALUE,
               "this is not an answer string: it should be what answer() printed");
    expect_err(&f, "check(e)", LOUPE_ETYPE, "check() needs two arguments: your result and the answer");
    expect_err(&f, "check(F.col('n'), 'LA1:')", LOUPE_EVALUE,
               "this is not an answer string: it should be what answer() printed");
    expect_err(&f, "answer()", LOUPE_ETYPE, "answer() needs the solution's result, or sql=\"SELECT ...\"");
    expect_err(&f, "answer([1, 'x'])", LOUPE_ETYPE, "answer() takes a list whose values have one type, got bigint and string");
    fx_close(&f);
}

/* A result too large to embed is refused with a hint. */
static void test_check_answer_too_large(void **state) {
    (void)state;
    fixture f;
    fx_open(&f);
    lp_strbuf csv;
    lp_strbuf_init(&csv);
    lp_strbuf_puts(&csv, "k\n");
    for (int i = 0; i < 10001; i++) lp_strbuf_printf(&csv, "%d\n", i);
    char code[512];
    snprintf(code, sizeof code, "answer(spark.read.csv('%s', header=True, inferSchema=True))",
             tu_temp_text(csv.p, ".csv"));
    lp_strbuf_reset(&csv);
    expect_err(&f, code, LOUPE_ELIMIT, "answer() takes at most 10000 rows, this result has 10001");
    fx_close(&f);
}

/* Every allocation of a check and of answer() may fail: the call says so, nothing leaks, and
 * the session still works. */
static void test_check_out_of_memory(void **state) {
    (void)state;
    fixture f;
    fx_open(&f);
    char code[4096];
    /* the helpers are looked up before, so that a failure is theirs, not the name lookup's */
    assert_int_equal(run(&f, "chk = check\nans = answer\nade = assertDataFrameEqual"), LOUPE_OK);
    assert_int_equal(run(&f, "e.createOrReplaceTempView('t')"), LOUPE_OK);
    char q[1024];
    snprintf(q, sizeof q, "%s", answer_of(&f, "sql='SELECT n, reviewerID FROM t'"));
    snprintf(code, sizeof code, "chk(e, \"%s\")\nans(e)\nchk(e.select('reviewerID', 'n'), \"%s\")\nade(e.union(a), e)",
             answer_of(&f, "e"), q);
    int failures = 0;
    for (int64_t k = 1; k < 100000; k++) {
        lp_mem_fail_at(k, false);
        loupe_status st = run(&f, code);
        int64_t failed = lp_mem_fail_at(0, false);
        if (!failed) {  /* past the last allocation: the real error */
            assert_int_equal(st, LOUPE_EVALUE);
            break;
        }
        if (st != LOUPE_ENOMEM) fail_msg("allocation %lld: status %d: %s", (long long)k, (int)st, f.d.msg);
        failures++;
    }
    assert_true(failures > 10);
    expect_err(&f, "assertDataFrameEqual(a, e)", LOUPE_EVALUE,
               "1 row differs, first at reviewerID=A1, overall: expected 5.0, got 4.0");
    fx_close(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_check_assert_equal_passes_in_any_order),
        TU_TEST(test_check_assert_equal_messages),
        TU_TEST(test_check_answer_round_trip),
        TU_TEST(test_check_scalars_and_lists),
        TU_TEST(test_check_query_answers),
        TU_TEST(test_check_bad_arguments),
        TU_TEST(test_check_answer_too_large),
        TU_TEST(test_check_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
