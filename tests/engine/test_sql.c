/* test_sql.c -- the SQL layer: expressions parsed and printed as Spark names their columns,
 * precedence, every literal kind, every syntax error with its exact span (shifted by the caller's
 * base), whole queries over views planned and run, and allocation failures at every point. */
#include "testutil.h"

#include "lang/sql.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- expressions ---- */

/* Parses src (at base 0) and asserts that it prints as `want`. */
static void expect_print(const char *src, const char *want) {
    lp_arena a;
    lp_arena_init(&a);
    lp_diag d;
    lp_diag_init(&d);
    lp_expr *e = NULL;
    lp_status st = lp_sql_expr(&a, src, strlen(src), 0, &e, NULL, &d);
    if (st != LP_OK) fail_msg("%s: %s", src, d.msg);
    char *s = lp_expr_print(&a, e);
    if (strcmp(s, want) != 0) fail_msg("%s: printed %s, want %s", src, s, want);
    lp_arena_reset(&a);
}

/* Parses src at `base` and asserts the error: status, message, span. */
static void expect_error(const char *src, int64_t base, lp_status want, const char *msg, int64_t start, int64_t end) {
    lp_arena a;
    lp_arena_init(&a);
    lp_diag d;
    lp_diag_init(&d);
    lp_expr *e = NULL;
    lp_status st = lp_sql_expr(&a, src, strlen(src), base, &e, NULL, &d);
    if (st != want || strcmp(d.msg, msg) != 0 || d.span_start != start || d.span_end != end)
        fail_msg("%s: got status %d '%s' [%lld, %lld), want %d '%s' [%lld, %lld)", src, (int)st, d.msg,
                 (long long)d.span_start, (long long)d.span_end, (int)want, msg, (long long)start, (long long)end);
    assert_null(e);
    lp_arena_reset(&a);
}

static void test_sql_expr_prints_spark_names(void **state) {
    (void)state;
    expect_print("overall > 4", "(overall > 4)");
    expect_print("count(*)", "count(1)");
    expect_print("COUNT(DISTINCT asin)", "count(DISTINCT asin)");
    expect_print("length(reviewText)", "length(reviewText)");
    expect_print("a <> b", "(NOT (a = b))");
    expect_print("a != b", "(NOT (a = b))");
    expect_print("a == b", "(a = b)");
    expect_print("a <=> b", "(a <=> b)");
    expect_print("a IS NULL", "(a IS NULL)");
    expect_print("a is not null", "(a IS NOT NULL)");
    expect_print("a IN (1, 2, 3)", "(a IN (1, 2, 3))");
    expect_print("a NOT IN (1, 2)", "(NOT (a IN (1, 2)))");
    expect_print("a BETWEEN 1 AND 3", "((a >= 1) AND (a <= 3))");
    expect_print("s LIKE 'a%'", "s LIKE a%");
    expect_print("s NOT LIKE 'a%'", "(NOT s LIKE a%)");
    expect_print("s RLIKE '^a'", "s RLIKE ^a");
    expect_print("s REGEXP '^a'", "s RLIKE ^a");
    expect_print("s ILIKE 'a%'", "ilike(s, a%)");
    expect_print("CAST(overall AS INT)", "CAST(overall AS INT)");
    expect_print("cast(x as string)", "CAST(x AS STRING)");
    expect_print("CASE WHEN a > 1 THEN 'x' ELSE 'y' END", "CASE WHEN (a > 1) THEN x ELSE y END");
    expect_print("CASE a WHEN 1 THEN 'one' WHEN 2 THEN 'two' END",
                 "CASE WHEN (a = 1) THEN one WHEN (a = 2) THEN two END");
    expect_print("helpful[0]", "helpful[0]");
    expect_print("-x", "(- x)");
    expect_print("NOT a", "(NOT a)");
    expect_print("!a", "(NOT a)");
    expect_print("a || b", "concat(a, b)");
    expect_print("substr(s, 1, 2)", "substr(s, 1, 2)");
    expect_print("`review text`", "review text");
    expect_print("style.format", "style.format");
    expect_print("`style.format` = 'x'", "(style.format = x)");
    expect_print("if(a > 1, 'x', 'y')", "(IF((a > 1), x, y))");
}

static void test_sql_expr_precedence(void **state) {
    (void)state;
    expect_print("a OR b AND c", "(a OR (b AND c))");
    expect_print("(a OR b) AND c", "((a OR b) AND c)");
    expect_print("NOT a = 1 AND b", "((NOT (a = 1)) AND b)");
    expect_print("NOT a OR b", "((NOT a) OR b)");
    expect_print("a + b * c", "(a + (b * c))");
    expect_print("a - b - c", "((a - b) - c)");
    expect_print("a * b % c / d", "(((a * b) % c) / d)");
    expect_print("a + 1 > b * 2", "((a + 1) > (b * 2))");
    expect_print("a || b + 1", "concat(a, (b + 1))");
    expect_print("-a * b", "((- a) * b)");
    expect_print("-a[0]", "(- a[0])");
    expect_print("a + 1 BETWEEN 2 AND b * 3", "(((a + 1) >= 2) AND ((a + 1) <= (b * 3)))");
    expect_print("a = 1 OR b IS NULL AND c LIKE 'x'", "((a = 1) OR ((b IS NULL) AND c LIKE x))");
    expect_print("upper(a) = 'X' AND length(b) > 2", "((upper(a) = X) AND (length(b) > 2))");
}

/* Parses src and returns its literal value (the tree must be one literal). */
static lp_value lit_of(lp_arena *a, const char *src) {
    lp_diag d;
    lp_diag_init(&d);
    lp_expr *e = NULL;
    lp_status st = lp_sql_expr(a, src, strlen(src), 0, &e, NULL, &d);
    if (st != LP_OK) fail_msg("%s: %s", src, d.msg);
    assert_int_equal(e->kind, LP_EXPR_LIT);
    return e->lit;
}

static void test_sql_expr_literals(void **state) {
    (void)state;
    lp_arena a;
    lp_arena_init(&a);
    lp_value v = lit_of(&a, "42");
    assert_int_equal(v.type.kind, LP_INT64);
    assert_int_equal(v.u.i, 42);
    v = lit_of(&a, "-7");
    assert_int_equal(v.u.i, -7);
    v = lit_of(&a, "9000000000L");
    assert_int_equal(v.u.i, 9000000000LL);
    v = lit_of(&a, "99999999999999999999");
    assert_int_equal(v.type.kind, LP_FLOAT64);
    v = lit_of(&a, "1.5");
    assert_int_equal(v.type.kind, LP_FLOAT64);
    assert_true(v.u.f == 1.5);
    v = lit_of(&a, ".25");
    assert_true(v.u.f == 0.25);
    v = lit_of(&a, "1e3");
    assert_true(v.u.f == 1000.0);
    v = lit_of(&a, "-2.5E-1");
    assert_true(v.u.f == -0.25);
    v = lit_of(&a, "3D");
    assert_int_equal(v.type.kind, LP_FLOAT64);
    v = lit_of(&a, "'it\\'s'");
    assert_int_equal(v.type.kind, LP_STRING);
    assert_int_equal(v.u.s.n, 4);
    assert_memory_equal(v.u.s.p, "it's", 4);
    v = lit_of(&a, "\"tab\\there\\n\"");
    assert_int_equal(v.u.s.n, 9);
    assert_memory_equal(v.u.s.p, "tab\there\n", 9);
    v = lit_of(&a, "'100\\%'");
    assert_int_equal(v.u.s.n, 5);
    assert_memory_equal(v.u.s.p, "100\\%", 5);
    v = lit_of(&a, "TRUE");
    assert_int_equal(v.type.kind, LP_BOOL);
    assert_true(v.u.b);
    v = lit_of(&a, "false");
    assert_false(v.u.b);
    v = lit_of(&a, "NULL");
    assert_true(v.null);
    v = lit_of(&a, "DATE '2013-06-02'");
    assert_int_equal(v.type.kind, LP_DATE);
    assert_int_equal(v.u.d, lp_days_from_civil(2013, 6, 2));
    v = lit_of(&a, "TIMESTAMP '2013-06-02 12:00:00'");
    assert_int_equal(v.type.kind, LP_TIMESTAMP);
    assert_int_equal(v.u.i, (int64_t)lp_days_from_civil(2013, 6, 2) * 86400000000LL + 12LL * 3600000000LL);
    lp_arena_reset(&a);
    expect_print("DATE '2013-06-02'", "DATE '2013-06-02'");
    expect_print("1.5 + 2", "(1.5 + 2)");
    expect_print("'a' -- comment\n", "a");
    expect_print("/* c */ 1", "1");
}

static void test_sql_expr_alias_and_spans(void **state) {
    (void)state;
    lp_arena a;
    lp_arena_init(&a);
    lp_diag d;
    lp_diag_init(&d);
    lp_expr *e = NULL;
    const char *alias = NULL;
    const char *src = "length(x) AS n";
    assert_int_equal(lp_sql_expr(&a, src, strlen(src), 100, &e, &alias, &d), LP_OK);
    assert_string_equal(alias, "n");
    assert_int_equal(e->start, 100);
    assert_int_equal(e->end, 109);
    assert_int_equal(e->args[0]->start, 107);
    src = "a + 1 total";
    assert_int_equal(lp_sql_expr(&a, src, strlen(src), 0, &e, &alias, &d), LP_OK);
    assert_string_equal(alias, "total");
    src = "a `my col`";
    assert_int_equal(lp_sql_expr(&a, src, strlen(src), 0, &e, &alias, &d), LP_OK);
    assert_string_equal(alias, "my col");
    src = "a";
    assert_int_equal(lp_sql_expr(&a, src, strlen(src), 0, &e, &alias, &d), LP_OK);
    assert_null(alias);
    lp_arena_reset(&a);
    /* without an alias slot, an alias is an error */
    expect_error("a AS b", 10, LP_ESYNTAX, "syntax error at 'AS': expected the end of the expression", 12, 14);
}

static void test_sql_expr_errors(void **state) {
    (void)state;
    expect_error("a > ", 5, LP_ESYNTAX, "syntax error at end of input: expected an expression", 9, 9);
    expect_error("a = FROM", 0, LP_ESYNTAX, "syntax error at 'FROM': expected an expression", 4, 8);
    expect_error("'abc", 3, LP_ESYNTAX, "unterminated string literal", 3, 7);
    expect_error("x = \"ab", 0, LP_ESYNTAX, "unterminated string literal", 4, 7);
    expect_error("`abc", 0, LP_ESYNTAX, "unterminated `quoted name`", 0, 4);
    expect_error("length(a", 0, LP_ESYNTAX, "syntax error at end of input: expected ')' to close '(' opened at column 7", 8, 8);
    expect_error("(a + 1 b", 2, LP_ESYNTAX, "syntax error at 'b': expected ')' to close '(' opened at column 1", 9, 10);
    expect_error("a[0", 0, LP_ESYNTAX, "syntax error at end of input: expected ']' to close '[' opened at column 2", 3, 3);
    expect_error("a # b", 0, LP_ESYNTAX, "unexpected character '#'", 2, 3);
    expect_error("lenght(a)", 4, LP_ENAME, "function 'lenght' does not exist", 4, 13);
    expect_error("a IS 5", 0, LP_ESYNTAX, "syntax error at '5': expected NULL or NOT NULL after IS", 5, 6);
    expect_error("CASE WHEN a THEN 1", 0, LP_ESYNTAX, "syntax error at end of input: expected END to close the CASE at column 1", 18, 18);
    expect_error("CASE a END", 0, LP_ESYNTAX, "syntax error at 'END': expected WHEN", 7, 10);
    expect_error("CAST(a AS wat)", 0, LP_ETYPE, "unknown type 'wat'", 10, 13);
    expect_error("CAST(a, int)", 0, LP_ESYNTAX, "syntax error at ',': expected AS and a type, as in CAST(x AS INT)", 6, 7);
    expect_error("DATE '2013-13-01'", 0, LP_ESYNTAX, "invalid DATE literal '2013-13-01'", 5, 17);
    expect_error("rank() OVER (ORDER BY a)", 7, LP_EUNSUPPORTED, "window functions (OVER) are not supported yet", 14, 18);
    expect_error("sum(DISTINCT a)", 0, LP_EUNSUPPORTED, "DISTINCT is only supported inside count(...)", 4, 12);
    expect_error("upper(*)", 0, LP_ESYNTAX, "syntax error at '*': '*' is only allowed in count(*)", 6, 7);
    expect_error("a BETWEEN 1 OR 2", 0, LP_ESYNTAX, "syntax error at 'OR': expected AND in BETWEEN low AND high", 12, 14);
    expect_error("a IN 1", 0, LP_ESYNTAX, "syntax error at '1': expected '(' and a list of values after IN", 5, 6);
    expect_error("1abc", 0, LP_ESYNTAX, "invalid number", 0, 4);
    expect_error("", 0, LP_ESYNTAX, "syntax error at end of input: expected an expression", 0, 0);
    expect_error("a /* x", 0, LP_ESYNTAX, "unterminated comment", 2, 4);
    expect_error("a IN (SELECT b FROM t)", 0, LP_EUNSUPPORTED, "IN (subquery) is not supported yet", 5, 12);
}

static void test_sql_expr_deep_nesting_is_refused(void **state) {
    (void)state;
    size_t n = 5000;
    char *src = malloc(2 * n + 2);
    memset(src, '(', n);
    src[n] = '1';
    memset(src + n + 1, ')', n);
    src[2 * n + 1] = 0;
    lp_arena a;
    lp_arena_init(&a);
    lp_diag d;
    lp_diag_init(&d);
    lp_expr *e = NULL;
    assert_int_equal(lp_sql_expr(&a, src, strlen(src), 0, &e, NULL, &d), LP_ELIMIT);
    lp_arena_reset(&a);
    free(src);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_sql_expr_prints_spark_names),
        TU_TEST(test_sql_expr_precedence),
        TU_TEST(test_sql_expr_literals),
        TU_TEST(test_sql_expr_alias_and_spans),
        TU_TEST(test_sql_expr_errors),
        TU_TEST(test_sql_expr_deep_nesting_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
