/* test_sql.c -- the SQL layer: expressions parsed and printed as Spark names their columns,
 * precedence, every literal kind, every syntax error with its exact span (shifted by the caller's
 * base), whole queries over views planned and run, and allocation failures at every point. */
#include "testutil.h"

#include "lang/sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

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
    expect_print("rank() OVER (PARTITION BY g ORDER BY t DESC)",
                 "rank() OVER (PARTITION BY g ORDER BY t DESC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)");
    expect_print("sum(x) over (order by t range between 3 preceding and 2 following) / 2",
                 "(sum(x) OVER (ORDER BY t ASC NULLS FIRST RANGE BETWEEN 3 PRECEDING AND 2 FOLLOWING) / 2)");
    expect_print("avg(x) OVER ()", "avg(x) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)");
    expect_print("lag(x) OVER (ORDER BY t ROWS UNBOUNDED PRECEDING)",
                 "lag(x, 1, NULL) OVER (ORDER BY t ASC NULLS FIRST ROWS BETWEEN -1 FOLLOWING AND -1 FOLLOWING)");
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
    expect_print("CAST(x AS DECIMAL(10,2))", "CAST(x AS DECIMAL(10,2))");
    expect_print("CAST(x AS array<string>)", "CAST(x AS ARRAY<STRING>)");
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
    expect_print("a IS DISTINCT FROM b", "(NOT (a <=> b))");
    expect_print("CURRENT_DATE", "current_date()");
    expect_print("current_date()", "current_date()");
    expect_print("a IS NOT DISTINCT FROM b", "(a <=> b)");
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
    expect_print("'it''s' \"ok\"", "itsok");
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
    expect_error("a AS b", 10, LP_ESYNTAX, "syntax error at 'AS': expected the end of the expression (an alias is not allowed here)", 12, 14);
    expect_error("a b", 0, LP_ESYNTAX, "syntax error at 'b': expected the end of the expression (an alias is not allowed here)", 2, 3);
    expect_error("a + 1)", 0, LP_ESYNTAX, "syntax error at ')': expected the end of the expression", 5, 6);
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
    expect_error("rank() OVER w", 7, LP_EUNSUPPORTED,
                 "named windows (OVER w) are not supported; write the window in parentheses: OVER (PARTITION BY ... "
                 "ORDER BY ...)", 19, 20);
    expect_error("rank()", 0, LP_ETYPE, "rank() is a window function: it needs OVER (...)", 0, 6);
    expect_error("upper(a) OVER (ORDER BY a)", 0, LP_EUNSUPPORTED,
                 "OVER follows a window function (row_number, rank, lag, ...) or an aggregate", 9, 13);
    expect_error("sum(a) OVER (ROWS BETWEEN x PRECEDING AND CURRENT ROW)", 0, LP_ESYNTAX,
                 "syntax error at 'x': expected a frame bound: UNBOUNDED PRECEDING, n PRECEDING, CURRENT ROW, n FOLLOWING",
                 26, 27);
    expect_error("sum(DISTINCT a)", 0, LP_EUNSUPPORTED, "DISTINCT is only supported inside count(...)", 4, 12);
    expect_error("upper(*)", 0, LP_ESYNTAX, "syntax error at '*': '*' is only allowed in count(*)", 6, 7);
    expect_error("a BETWEEN 1 OR 2", 0, LP_ESYNTAX, "syntax error at 'OR': expected AND in BETWEEN low AND high", 12, 14);
    expect_error("a IN 1", 0, LP_ESYNTAX, "syntax error at '1': expected '(' and a list of values after IN", 5, 6);
    expect_error("1abc", 0, LP_ESYNTAX, "invalid number", 0, 4);
    expect_error("", 0, LP_ESYNTAX, "syntax error at end of input: expected an expression", 0, 0);
    expect_error("a /* x", 0, LP_ESYNTAX, "unterminated comment", 2, 4);
    expect_error("a IN (SELECT b FROM t)", 0, LP_EUNSUPPORTED, "IN (subquery) is only supported in spark.sql queries", 5, 12);
    expect_error("a > (SELECT 1)", 0, LP_EUNSUPPORTED, "subqueries are only supported in spark.sql queries", 4, 11);
    expect_error("EXISTS (SELECT 1)", 0, LP_EUNSUPPORTED, "EXISTS is not supported yet; use x IN (SELECT ...) or a join", 0, 6);
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
    assert_string_equal(d.msg, "nested too deeply (more than 500 levels)");
    lp_arena_reset(&a);
    free(src);
    /* subqueries nested in FROM */
    lp_strbuf b;
    lp_strbuf_init(&b);
    for (int i = 0; i < 3000; i++) lp_strbuf_puts(&b, "SELECT * FROM (");
    lp_strbuf_puts(&b, "SELECT 1");
    for (int i = 0; i < 3000; i++) lp_strbuf_puts(&b, ")");
    lp_plan *p = NULL;
    lp_diag_init(&d);
    assert_int_equal(lp_sql_query(b.p, b.len, 0, NULL, &p, &d), LP_ELIMIT);
    assert_null(p);
    lp_strbuf_reset(&b);
}


/* ---- queries ---- */

typedef struct views {
    int n;
    const char *names[8];
    lp_plan *plans[8];
} views;

static lp_plan *views_lookup(void *ctx, const char *name) {
    views *v = ctx;
    for (int i = 0; i < v->n; i++)
        if (strcasecmp(v->names[i], name) == 0) return v->plans[i];
    return NULL;
}

static void views_add(views *v, const char *name, const char *schema, const char *rows, int rows_per_part) {
    lp_table *t = tu_table(schema, rows, rows_per_part);
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_plan_table(t, name, &v->plans[v->n], &d), LP_OK);
    lp_table_unref(t);
    v->names[v->n++] = name;
}

/* reviews and products, split into several partitions */
static void views_init(views *v) {
    memset(v, 0, sizeof *v);
    views_add(v, "reviews", "id:bigint,asin:string,overall:bigint,name:string",
              "1|A|5|ann;2|A|3|bob;3|B|4|null;4|C|1|dan;5|B|5|eve;6|null|2|fay", 4);
    views_add(v, "products", "asin:string,title:string,price:double", "A|Alpha|1.5;B|Beta|2.0;D|Delta|3.0", 2);
}

static void views_free(views *v) {
    for (int i = 0; i < v->n; i++) lp_plan_unref(v->plans[i]);
}

static lp_sql_catalog catalog_of(views *v) {
    return (lp_sql_catalog){v, views_lookup, v->n, v->names};
}

/* Plans and runs sql; fails the test on an error. */
static lp_table *run(views *v, const char *sql) {
    lp_sql_catalog cat = catalog_of(v);
    lp_diag d;
    lp_diag_init(&d);
    lp_plan *p = NULL;
    lp_status st = lp_sql_query(sql, strlen(sql), 0, &cat, &p, &d);
    if (st != LP_OK) fail_msg("%s\n  -> %s (%s) [%lld, %lld)", sql, d.msg, d.hint, (long long)d.span_start, (long long)d.span_end);
    lp_table *t = NULL;
    st = lp_plan_execute(p, &t, &d);
    if (st != LP_OK) fail_msg("%s\n  -> run: %s", sql, d.msg);
    lp_plan_unref(p);
    return t;
}

static void expect_query(views *v, const char *sql, const char *want) {
    lp_table *t = run(v, sql);
    tu_assert_table(t, want);
    lp_table_unref(t);
}

static void expect_query_sorted(views *v, const char *sql, const char *want) {
    lp_table *t = run(v, sql);
    tu_assert_table_sorted(t, want);
    lp_table_unref(t);
}

/* Asserts a query's error: status, message, span (at `base`), and that the hint contains `hint`. */
static void expect_query_error(views *v, const char *sql, int64_t base, lp_status want, const char *msg, int64_t start,
                               int64_t end, const char *hint) {
    lp_sql_catalog cat = catalog_of(v);
    lp_diag d;
    lp_diag_init(&d);
    lp_plan *p = NULL;
    lp_status st = lp_sql_query(sql, strlen(sql), base, &cat, &p, &d);
    if (st != want || strcmp(d.msg, msg) != 0 || d.span_start != start || d.span_end != end)
        fail_msg("%s: got status %d '%s' [%lld, %lld), want %d '%s' [%lld, %lld)", sql, (int)st, d.msg,
                 (long long)d.span_start, (long long)d.span_end, (int)want, msg, (long long)start, (long long)end);
    if (hint && !strstr(d.hint, hint)) fail_msg("%s: hint '%s' lacks '%s'", sql, d.hint, hint);
    assert_null(p);
}

static void test_sql_query_where(void **state) {
    (void)state;
    views v;
    views_init(&v);
    expect_query(&v, "SELECT id, name FROM reviews WHERE overall >= 4 AND name IS NOT NULL",
                 "id:bigint|name:string\n1|ann\n5|eve\n");
    expect_query(&v, "select r.id from reviews as r where r.asin in ('B', 'C') and not r.overall = 1;",
                 "id:bigint\n3\n5\n");
    expect_query(&v, "SELECT * FROM reviews WHERE name LIKE '%n' ORDER BY id",
                 "id:bigint|asin:string|overall:bigint|name:string\n1|A|5|ann\n4|C|1|dan\n");
    expect_query(&v, "SELECT r.*, 1 AS one FROM reviews r WHERE id BETWEEN 2 AND 3",
                 "id:bigint|asin:string|overall:bigint|name:string|one:bigint\n2|A|3|bob|1\n3|B|4|null|1\n");
    expect_query(&v, "SELECT 1 + 1 AS two, 'x'", "two:bigint|x:string\n2|x\n");
    views_free(&v);
}

static void test_sql_query_group_having_order_limit(void **state) {
    (void)state;
    views v;
    views_init(&v);
    expect_query(&v,
                 "SELECT asin, count(*) AS n, avg(overall) FROM reviews WHERE asin IS NOT NULL GROUP BY asin "
                 "HAVING count(*) > 1 ORDER BY n DESC, asin LIMIT 5",
                 "asin:string|n:bigint|avg(overall):double\nA|2|4.0\nB|2|4.5\n");
    /* HAVING and ORDER BY may use aggregates the select list lacks */
    expect_query(&v, "SELECT asin FROM reviews GROUP BY asin HAVING max(overall) = 5 ORDER BY asin",
                 "asin:string\nA\nB\n");
    expect_query(&v, "SELECT asin FROM reviews WHERE asin IS NOT NULL GROUP BY asin ORDER BY sum(overall) DESC",
                 "asin:string\nB\nA\nC\n");
    /* group by an alias, and by position */
    expect_query(&v, "SELECT overall > 3 AS good, count(*) AS n FROM reviews GROUP BY good ORDER BY good",
                 "good:boolean|n:bigint\nfalse|3\ntrue|3\n");
    expect_query(&v, "SELECT overall > 3 AS good, count(*) AS n FROM reviews GROUP BY 1 ORDER BY 1 DESC",
                 "good:boolean|n:bigint\ntrue|3\nfalse|3\n");
    expect_query(&v, "SELECT count(*), max(overall) FROM reviews", "count(1):bigint|max(overall):bigint\n6|5\n");
    expect_query(&v, "SELECT count(DISTINCT asin) AS k, sum(overall) + 1 FROM reviews",
                 "k:bigint|(sum(overall) + 1):bigint\n3|21\n");
    expect_query(&v, "SELECT asin, max(overall) - min(overall) AS spread FROM reviews GROUP BY asin HAVING spread > 0 ORDER BY asin",
                 "asin:string|spread:bigint\nA|2\nB|1\n");
    views_free(&v);
}

static void test_sql_query_joins(void **state) {
    (void)state;
    views v;
    views_init(&v);
    expect_query(&v, "SELECT r.id, p.title FROM reviews r JOIN products p ON r.asin = p.asin ORDER BY r.id",
                 "id:bigint|title:string\n1|Alpha\n2|Alpha\n3|Beta\n5|Beta\n");
    expect_query(&v, "SELECT r.id, p.title FROM reviews r INNER JOIN products p ON p.asin = r.asin ORDER BY r.id DESC LIMIT 1",
                 "id:bigint|title:string\n5|Beta\n");
    expect_query(&v, "SELECT r.id, p.title FROM reviews r LEFT OUTER JOIN products p ON r.asin = p.asin ORDER BY r.id",
                 "id:bigint|title:string\n1|Alpha\n2|Alpha\n3|Beta\n4|null\n5|Beta\n6|null\n");
    expect_query_sorted(&v, "SELECT p.asin, r.id FROM reviews r RIGHT JOIN products p ON r.asin = p.asin",
                        "asin:string|id:bigint\nA|1\nA|2\nB|3\nB|5\nD|null\n");
    expect_query_sorted(&v, "SELECT r.id, p.asin FROM reviews r FULL OUTER JOIN products p ON r.asin = p.asin",
                        "id:bigint|asin:string\n1|A\n2|A\n3|B\n4|null\n5|B\n6|null\nnull|D\n");
    expect_query(&v, "SELECT * FROM products p LEFT SEMI JOIN reviews r ON p.asin = r.asin ORDER BY asin",
                 "asin:string|title:string|price:double\nA|Alpha|1.5\nB|Beta|2.0\n");
    expect_query(&v, "SELECT p.title FROM products p ANTI JOIN reviews r ON p.asin = r.asin", "title:string\nDelta\n");
    expect_query(&v, "SELECT count(*) FROM reviews CROSS JOIN products", "count(1):bigint\n18\n");
    expect_query(&v, "SELECT count(*) AS n FROM reviews, products WHERE reviews.asin = products.asin", "n:bigint\n4\n");
    expect_query(&v, "SELECT r.id, p.title FROM reviews r, products p WHERE r.asin = p.asin AND r.overall > 4 ORDER BY r.id",
                 "id:bigint|title:string\n1|Alpha\n5|Beta\n");
    expect_query(&v, "SELECT count(*) AS n FROM reviews CROSS JOIN products p WHERE p.asin = reviews.asin OR p.price > 2.5",
                 "n:bigint\n10\n");
    /* a condition that is not all equalities: the rest filters the pairs */
    expect_query(&v, "SELECT r.id FROM reviews r JOIN products p ON r.asin = p.asin AND p.price > 1.6 ORDER BY r.id",
                 "id:bigint\n3\n5\n");
    /* USING: the key once, first */
    expect_query(&v, "SELECT * FROM reviews JOIN products USING (asin) ORDER BY id",
                 "asin:string|id:bigint|overall:bigint|name:string|title:string|price:double\n"
                 "A|1|5|ann|Alpha|1.5\nA|2|3|bob|Alpha|1.5\nB|3|4|null|Beta|2.0\nB|5|5|eve|Beta|2.0\n");
    expect_query(&v, "SELECT p.title, r.asin, p.asin FROM reviews r JOIN products p USING (asin) WHERE r.id < 3",
                 "title:string|asin:string|asin:string\nAlpha|A|A\nAlpha|A|A\n");
    expect_query_sorted(&v, "SELECT asin, id FROM reviews FULL JOIN products USING (asin)",
                        "asin:string|id:bigint\nA|1\nA|2\nB|3\nB|5\nC|4\nD|null\nnull|6\n");
    expect_query_sorted(&v, "SELECT asin, title FROM products LEFT ANTI JOIN reviews USING (asin)",
                        "asin:string|title:string\nD|Delta\n");
    expect_query(&v, "SELECT p.asin, count(*) AS n FROM reviews r JOIN products p ON r.asin = p.asin GROUP BY p.asin ORDER BY n DESC, p.asin",
                 "asin:string|n:bigint\nA|2\nB|2\n");
    views_free(&v);
}

static void test_sql_query_subquery_with_distinct_union(void **state) {
    (void)state;
    views v;
    views_init(&v);
    expect_query(&v,
                 "SELECT s.asin, s.n FROM (SELECT asin, count(*) AS n FROM reviews GROUP BY asin) s "
                 "WHERE s.n > 1 ORDER BY s.asin",
                 "asin:string|n:bigint\nA|2\nB|2\n");
    expect_query(&v,
                 "WITH good AS (SELECT * FROM reviews WHERE overall >= 4), "
                 "c AS (SELECT asin, count(*) AS n FROM good GROUP BY asin) SELECT * FROM c ORDER BY asin",
                 "asin:string|n:bigint\nA|1\nB|2\n");
    expect_query(&v, "SELECT DISTINCT asin FROM reviews ORDER BY asin", "asin:string\nnull\nA\nB\nC\n");
    expect_query(&v, "SELECT DISTINCT asin FROM reviews ORDER BY asin NULLS LAST", "asin:string\nA\nB\nC\nnull\n");
    expect_query(&v, "SELECT asin FROM products UNION ALL SELECT asin FROM reviews WHERE id < 3 ORDER BY 1",
                 "asin:string\nA\nA\nA\nB\nD\n");
    expect_query(&v, "SELECT asin FROM products UNION SELECT asin FROM reviews WHERE asin IS NOT NULL ORDER BY asin",
                 "asin:string\nA\nB\nC\nD\n");
    expect_query(&v, "SELECT asin FROM reviews INTERSECT SELECT asin FROM products ORDER BY asin", "asin:string\nA\nB\n");
    expect_query(&v, "SELECT asin FROM reviews EXCEPT SELECT asin FROM products ORDER BY asin", "asin:string\nnull\nC\n");
    expect_query(&v, "SELECT asin AS a FROM reviews MINUS SELECT asin FROM products WHERE price > 1.8 ORDER BY 1 NULLS LAST",
                 "a:string\nA\nC\nnull\n");
    /* set operations treat nulls as equal */
    expect_query(&v, "SELECT name, 1 FROM reviews WHERE id = 3 INTERSECT SELECT name, 1 FROM reviews WHERE id >= 3",
                 "name:string|1:bigint\nnull|1\n");
    /* parenthesised terms keep their own ORDER BY and LIMIT */
    expect_query(&v, "(SELECT id FROM reviews ORDER BY id DESC LIMIT 2) UNION ALL (SELECT id FROM reviews LIMIT 1)",
                 "id:bigint\n6\n5\n1\n");
    expect_query(&v, "(SELECT asin FROM products)", "asin:string\nA\nB\nD\n");
    /* INTERSECT first, then UNION */
    expect_query(&v, "SELECT asin FROM products UNION SELECT 'Z' INTERSECT SELECT 'Q' ORDER BY 1", "asin:string\nA\nB\nD\n");
    views_free(&v);
}

static void test_sql_query_case_and_order_aliases(void **state) {
    (void)state;
    views v;
    views_init(&v);
    expect_query(&v,
                 "SELECT id, CASE WHEN overall >= 4 THEN 'good' WHEN overall >= 3 THEN 'ok' ELSE 'bad' END AS verdict "
                 "FROM reviews ORDER BY id",
                 "id:bigint|verdict:string\n1|good\n2|ok\n3|good\n4|bad\n5|good\n6|bad\n");
    expect_query(&v, "SELECT CASE WHEN overall >= 4 THEN 'good' ELSE 'bad' END FROM reviews WHERE id = 1",
                 "CASE WHEN (overall >= 4) THEN good ELSE bad END:string\ngood\n");
    expect_query(&v, "SELECT id, overall * 2 AS twice FROM reviews ORDER BY twice DESC, id LIMIT 3",
                 "id:bigint|twice:bigint\n1|10\n5|10\n3|8\n");
    /* ORDER BY a column the select list drops, and by position */
    expect_query(&v, "SELECT name FROM reviews ORDER BY overall DESC, id", "name:string\nann\neve\nnull\nbob\nfay\ndan\n");
    expect_query(&v, "SELECT name, id FROM reviews ORDER BY 2 DESC LIMIT 2", "name:string|id:bigint\nfay|6\neve|5\n");
    /* an alias inside an ORDER BY expression */
    expect_query(&v, "SELECT id, overall % 3 AS m FROM reviews ORDER BY m * -1, id LIMIT 3",
                 "id:bigint|m:bigint\n1|2\n5|2\n6|2\n");
    views_free(&v);
}

static void test_sql_query_errors(void **state) {
    (void)state;
    views v;
    views_init(&v);
    expect_query_error(&v, "SELECT id FROM reviews WHERE", 5, LP_ESYNTAX,
                       "syntax error at end of input: expected an expression", 33, 33, NULL);
    expect_query_error(&v, "SELECT id, FROM reviews", 0, LP_ESYNTAX, "syntax error at 'FROM': expected an expression", 11, 15,
                       "is there an extra ',' before FROM?");
    expect_query_error(&v, "SELECT order FROM reviews", 0, LP_ESYNTAX, "syntax error at 'order': expected an expression", 7, 12,
                       "order is a keyword; a column with that name is written `order`");
    expect_query_error(&v, "SELECT id FROM reviews ORDER BY 3", 0, LP_ENAME, "ORDER BY position 3 is not in the select list",
                       32, 33, "from 1 to 1");
    expect_query_error(&v, "SELECT id, count(*) FROM reviews GROUP BY 0", 0, LP_ENAME, "GROUP BY position 0 is not in the select list",
                       42, 43, NULL);
    expect_query_error(&v, "SELECT rank() OVER win FROM reviews", 0, LP_EUNSUPPORTED,
                       "named windows (OVER w) are not supported; write the window in parentheses: OVER (PARTITION BY "
                       "... ORDER BY ...)", 19, 22, NULL);
    expect_query_error(&v, "SELECT * FROM (SELECT id FROM reviews s", 0, LP_ESYNTAX,
                       "syntax error at end of input: expected ')' to close '(' opened at column 15", 39, 39, NULL);
    expect_query_error(&v, "SELECT id FROM reviews WHERE count(*) > 1", 0, LP_ETYPE,
                       "aggregate functions are not allowed in WHERE", 29, 37, "HAVING");
    expect_query_error(&v, "SELECT name, count(*) FROM reviews GROUP BY asin", 0, LP_ETYPE,
                       "column 'name' is neither grouped nor aggregated", 7, 11, NULL);
    expect_query_error(&v, "SELECT * FROM reviews JOIN products USING (asn)", 0, LP_ENAME,
                       "USING column 'asn' does not exist in the left side of the join", 43, 46, "did you mean 'asin'?");
    expect_query_error(&v, "SELECT r.id FROM reviews r JOIN products p ON r.asin = p.asn", 0, LP_ENAME,
                       "column 'asn' does not exist in 'p'", 55, 60, "did you mean 'p.asin'?");
    expect_query_error(&v, "SELECT * FROM reviews r JOIN products p ON r.asin = titl", 0, LP_ENAME,
                       "column 'titl' does not exist", 52, 56, "did you mean 'title'?");
    expect_query_error(&v, "SELECT r.id FROM reviews r JOIN products p ON r.asin = p.price", 0, LP_ETYPE,
                       "cannot compare string column 'asin' with double column 'price'", 46, 62, NULL);
    expect_query_error(&v, "SELECT id FROM reviews UNION SELECT asin, title FROM products", 0, LP_ETYPE,
                       "UNION needs the same number of columns on both sides: 1 and 2", 29, 35, NULL);
    expect_query_error(&v, "SELECT id FROM reviews LIMIT x", 0, LP_ESYNTAX,
                       "syntax error at 'x': expected a whole number of rows after LIMIT", 29, 30, NULL);
    expect_query_error(&v, "SELECT id FROM reviews r LEFT JOIN products p", 0, LP_ESYNTAX,
                       "syntax error at end of input: expected ON condition or USING (columns) after the joined table", 45, 45, NULL);
    expect_query_error(&v, "SELECT id FORM reviews", 0, LP_ESYNTAX, "syntax error at 'reviews': expected the end of the query",
                       15, 22, "did you mean FROM? 'FORM' was read as an alias");
    expect_query_error(&v, "SELECT id FROM reviews WERE id = 1", 0, LP_ESYNTAX, "syntax error at 'id': expected the end of the query",
                       28, 30, "did you mean WHERE?");
    expect_query_error(&v, "SELECT id name overall FROM reviews", 0, LP_ESYNTAX,
                       "syntax error at 'overall': expected the end of the query", 15, 22,
                       "missing a comma? 'name' was read as an alias of what comes before it");
    expect_query_error(&v, "SELECT id FROM reviews extra tokens", 0, LP_ESYNTAX,
                       "syntax error at 'tokens': expected the end of the query", 29, 35, NULL);
    expect_query_error(&v, "SELECT id FROM reviews WHERE name = 'x", 0, LP_ESYNTAX, "unterminated string literal", 36, 38, NULL);
    expect_query_error(&v, "SELECT * FROM t", 0, LP_ENAME, "table or view 't' not found", 14, 15, "available views: reviews, products");
    expect_query_error(&v, "WITH a AS (SELECT 1) SELECT * FROM b", 0, LP_ENAME, "table or view 'b' not found", 35, 36, "did you mean 'a'?");
    expect_query_error(&v, "SELECT id FROM reviews EXCEPT ALL SELECT id FROM reviews", 0, LP_EUNSUPPORTED,
                       "INTERSECT ALL and EXCEPT ALL are not supported yet; without ALL they keep distinct rows", 23, 33,
                       NULL);
    expect_query_error(&v, "SELECT id FROM reviews INTERSECT SELECT id, name FROM reviews", 0, LP_ETYPE,
                       "INTERSECT needs the same number of columns on both sides: 1 and 2", 33, 39, NULL);
    expect_query_error(&v, "SELECT * FROM revews", 10, LP_ENAME, "table or view 'revews' not found", 24, 30,
                       "did you mean 'reviews'? available views: reviews, products");
    expect_query_error(&v, "SELECT ovrall FROM reviews", 0, LP_ENAME, "column 'ovrall' does not exist", 7, 13,
                       "did you mean 'overall'?");
    expect_query_error(&v, "SELECT r.ovrall FROM reviews r", 3, LP_ENAME, "column 'ovrall' does not exist in 'r'", 10, 18,
                       "did you mean 'r.overall'?");
    expect_query_error(&v, "SELECT x.id FROM reviews r", 0, LP_ENAME, "table or alias 'x' not found", 7, 8,
                       "tables in this query: r");
    expect_query_error(&v, "SELECT asin FROM reviews r JOIN products p ON r.asin = p.asin", 0, LP_ENAME,
                       "column 'asin' is ambiguous: both r and p have it", 7, 11, "qualify it: r.asin or p.asin");
    expect_query(&v, "SELECT asin, title FROM reviews JOIN products USING (asin) WHERE id = 1", "asin:string|title:string\nA|Alpha\n");
    views_free(&v);
}

static void test_sql_query_names_and_scopes(void **state) {
    (void)state;
    views v;
    views_init(&v);
    /* a flattened JSON field: `style.format` is one column, and style.format finds it too */
    views_add(&v, "items", "id:bigint,style.format:string", "1|cd;2|vinyl", 0);
    expect_query(&v, "SELECT style.format FROM items WHERE id = 2", "style.format:string\nvinyl\n");
    expect_query(&v, "SELECT i.`style.format` AS f FROM items i ORDER BY f", "f:string\ncd\nvinyl\n");
    expect_query_error(&v, "SELECT style.fromat FROM items", 0, LP_ENAME, "column 'style.fromat' does not exist", 7, 19,
                       "did you mean 'style.format'?");
    /* keywords in any case, a CTE joined with itself, t.* after a join */
    expect_query(&v,
                 "with g as (select id, overall from reviews where overall > 3) "
                 "SeLeCt a.id, b.overall FrOm g a jOiN g b On a.id = b.id order BY a.id",
                 "id:bigint|overall:bigint\n1|5\n3|4\n5|5\n");
    expect_query(&v, "SELECT p.*, r.id FROM reviews r JOIN products p ON r.asin = p.asin WHERE r.id = 3",
                 "asin:string|title:string|price:double|id:bigint\nB|Beta|2.0|3\n");
    expect_query(&v, "SELECT DISTINCT asin AS a FROM reviews WHERE asin IS NOT NULL ORDER BY a DESC", "a:string\nC\nB\nA\n");
    expect_query(&v, "SELECT id FROM reviews LIMIT 0", "id:bigint\n");
    expect_query(&v, "SELECT `id` + 0 AS `my id` FROM (SELECT id FROM reviews WHERE id < 2)", "my id:bigint\n1\n");
    /* the binder's errors point into the cell too */
    expect_query_error(&v, "SELECT id FROM reviews WHERE nme = 'x'", 100, LP_ENAME, "column 'nme' does not exist", 129, 132,
                       "did you mean 'name'?");
    expect_query_error(&v, "SELECT id FROM reviews WHERE name > 3", 0, LP_ETYPE,
                       "cannot compare string column 'name' with bigint 3", 29, 37, NULL);
    views_free(&v);
}

static void test_sql_query_more_shapes(void **state) {
    (void)state;
    views v;
    views_init(&v);
    expect_query(&v, "SELECT DISTINCT asin, count(*) AS n FROM reviews GROUP BY asin ORDER BY 2 DESC, 1",
                 "asin:string|n:bigint\nA|2\nB|2\nnull|1\nC|1\n");
    expect_query(&v, "SELECT upper(name) AS u, count(*) AS n FROM reviews GROUP BY upper(name) ORDER BY u LIMIT 2",
                 "u:string|n:bigint\nnull|1\nANN|1\n");
    expect_query(&v, "SELECT asin, count(*) FROM reviews GROUP BY asin ORDER BY count(*) DESC, asin",
                 "asin:string|count(1):bigint\nA|2\nB|2\nnull|1\nC|1\n");
    expect_query(&v,
                 "SELECT a.asin, b.title FROM (SELECT * FROM reviews WHERE id = 1) a JOIN (SELECT * FROM products) b "
                 "USING (asin)",
                 "asin:string|title:string\nA|Alpha\n");
    expect_query(&v, "WITH x AS (SELECT 1 AS a) SELECT a + 1 AS b FROM x", "b:bigint\n2\n");
    expect_query(&v, "SELECT asin FROM products UNION ALL SELECT asin FROM products UNION SELECT 'Z' ORDER BY asin DESC",
                 "asin:string\nZ\nD\nB\nA\n");
    expect_query(&v, "SELECT * FROM products GROUP BY asin, title, price ORDER BY asin LIMIT 1",
                 "asin:string|title:string|price:double\nA|Alpha|1.5\n");
    expect_query(&v, "SELECT sum(price) FROM products WHERE title <> 'Beta'", "sum(price):double\n4.5\n");
    expect_query(&v, "SELECT overall, count(*) FROM reviews GROUP BY overall HAVING overall > 3 ORDER BY overall",
                 "overall:bigint|count(1):bigint\n4|1\n5|2\n");
    views_free(&v);
}

static void test_sql_query_in_subquery(void **state) {
    (void)state;
    views v;
    views_init(&v);
    expect_query(&v, "SELECT title FROM products WHERE asin IN (SELECT asin FROM reviews WHERE overall = 5) ORDER BY title",
                 "title:string\nAlpha\nBeta\n");
    expect_query(&v, "SELECT title FROM products WHERE asin NOT IN (SELECT asin FROM reviews WHERE asin IS NOT NULL)",
                 "title:string\nDelta\n");
    /* NOT IN a list holding a null is never true */
    expect_query(&v, "SELECT title FROM products WHERE asin NOT IN (SELECT asin FROM reviews)", "title:string\n");
    /* NOT IN an empty list is always true, null or not */
    expect_query(&v, "SELECT id FROM reviews WHERE asin NOT IN (SELECT asin FROM products WHERE price > 100) ORDER BY id",
                 "id:bigint\n1\n2\n3\n4\n5\n6\n");
    expect_query(&v, "SELECT id, name FROM reviews WHERE asin NOT IN (SELECT asin FROM products) ORDER BY id",
                 "id:bigint|name:string\n4|dan\n");
    expect_query(&v,
                 "SELECT r.id FROM reviews r WHERE lower(r.asin) IN (SELECT lower(asin) FROM products WHERE price < 2) "
                 "AND r.id > 0 ORDER BY r.id",
                 "id:bigint\n1\n2\n");
    expect_query_error(&v, "SELECT id FROM reviews WHERE id IN (SELECT id, asin FROM reviews)", 0, LP_ETYPE,
                       "the subquery of IN must return one column, got 2", 29, 65, NULL);
    expect_query_error(&v, "SELECT id IN (SELECT id FROM reviews) FROM reviews", 0, LP_EUNSUPPORTED,
                       "IN (subquery) is only supported as a WHERE condition (combined with AND)", 7, 37, "JOIN");
    expect_query_error(&v, "SELECT id FROM reviews WHERE id = 1 OR id IN (SELECT id FROM reviews)", 0, LP_EUNSUPPORTED,
                       "IN (subquery) is only supported as a WHERE condition (combined with AND)", 39, 69, NULL);
    views_free(&v);
}

static void test_sql_query_scalar_subquery(void **state) {
    (void)state;
    views v;
    views_init(&v);
    expect_query(&v, "SELECT id, overall FROM reviews WHERE overall > (SELECT avg(overall) FROM reviews) ORDER BY id",
                 "id:bigint|overall:bigint\n1|5\n3|4\n5|5\n");
    expect_query(&v, "SELECT * FROM products WHERE price = (SELECT max(price) FROM products)",
                 "asin:string|title:string|price:double\nD|Delta|3.0\n");
    expect_query(&v, "SELECT id, overall - (SELECT min(overall) FROM reviews) FROM reviews WHERE id < 3",
                 "id:bigint|(overall - scalarsubquery()):bigint\n1|4\n2|2\n");
    /* in a grouped SELECT, and in HAVING */
    expect_query(&v,
                 "SELECT asin, count(*) * 100 / (SELECT count(*) FROM reviews) AS pct FROM reviews GROUP BY asin "
                 "HAVING count(*) >= (SELECT count(*) FROM products WHERE price > 1.8) ORDER BY asin",
                 "asin:string|pct:double\nA|33.333333333333336\nB|33.333333333333336\n");
    /* no rows: null */
    expect_query(&v, "SELECT (SELECT title FROM products WHERE price > 9 LIMIT 1) AS t, (SELECT 1) AS one",
                 "t:string|one:bigint\nnull|1\n");
    expect_query(&v, "SELECT id FROM reviews ORDER BY abs(overall - (SELECT avg(overall) FROM reviews)), id LIMIT 2",
                 "id:bigint\n2\n3\n");
    expect_query_error(&v, "SELECT DISTINCT id FROM reviews ORDER BY (SELECT 1)", 0, LP_EUNSUPPORTED,
                       "a subquery is not supported here (only in SELECT, WHERE, HAVING, ORDER BY)", 41, 51, NULL);
    expect_query_error(&v, "SELECT id FROM reviews WHERE overall > (SELECT overall FROM reviews)", 0, LP_ETYPE,
                       "a subquery used as a value must return one row", 39, 68, "LIMIT 1");
    expect_query_error(&v, "SELECT id FROM reviews WHERE overall > (SELECT max(overall), min(id) FROM reviews)", 0,
                       LP_ETYPE, "a subquery used as a value must return one column, got 2", 39, 82, NULL);
    expect_query_error(&v, "SELECT r.id FROM reviews r JOIN products p ON r.asin = (SELECT max(asin) FROM products)", 0,
                       LP_EUNSUPPORTED, "a subquery is not supported here (only in SELECT, WHERE, HAVING, ORDER BY)", 55, 87,
                       NULL);
    views_free(&v);
}

/* A join, a grouping and a sort over many partitions give the same answer with 1 and 4 threads,
 * and the answer a direct count gives. */
static char *run_big_query(void *arg) {
    views *v = arg;
    lp_table *t = run(v, "SELECT p.asin, count(*) AS n, sum(r.overall) AS s FROM reviews r JOIN products p "
                         "ON r.asin = p.asin WHERE r.overall > 1 GROUP BY p.asin ORDER BY s DESC, p.asin LIMIT 3");
    char *s = tu_dump(t);
    lp_table_unref(t);
    return s;
}

static void test_sql_query_same_across_threads(void **state) {
    (void)state;
    views v;
    memset(&v, 0, sizeof v);
    lp_strbuf rows, prods;
    lp_strbuf_init(&rows);
    lp_strbuf_init(&prods);
    int64_t n[37] = {0}, sum[37] = {0};
    for (int i = 0; i < 3000; i++) {
        int overall = (i * 7) % 5 + 1;
        lp_strbuf_printf(&rows, "%s%d|A%d|%d", i ? ";" : "", i, i % 37, overall);
        if (overall > 1) n[i % 37]++, sum[i % 37] += overall;
    }
    for (int k = 0; k < 37; k++) lp_strbuf_printf(&prods, "%sA%d|%d.5", k ? ";" : "", k, k);
    views_add(&v, "reviews", "id:bigint,asin:string,overall:bigint", rows.p, 97);
    views_add(&v, "products", "asin:string,price:double", prods.p, 5);
    lp_strbuf_reset(&rows);
    lp_strbuf_reset(&prods);
    int best = 0;
    for (int k = 1; k < 37; k++)
        if (sum[k] > sum[best]) best = k;
    char *s = tu_same_across_threads(run_big_query, &v);
    /* the first row: an asin with the largest sum, and its count */
    const char *row = strchr(s, '\n') + 1;
    int k = atoi(row + 1);
    assert_true(row[0] == 'A' && k >= 0 && k < 37);
    assert_int_equal(sum[k], sum[best]);
    char want[64];
    snprintf(want, sizeof want, "A%d|%lld|%lld\n", k, (long long)n[k], (long long)sum[k]);
    assert_int_equal(strncmp(row, want, strlen(want)), 0);
    lp_free(s);
    views_free(&v);
}

/* The first node of kind k in p's tree (depth first), or NULL. */
static const lp_plan *find_kind(const lp_plan *p, lp_plan_kind k) {
    if (!p) return NULL;
    if (p->kind == k) return p;
    const lp_plan *x = find_kind(p->in[0], k);
    return x ? x : find_kind(p->in[1], k);
}

static void test_sql_query_comma_join_takes_where_equalities(void **state) {
    (void)state;
    views v;
    views_init(&v);
    lp_sql_catalog cat = catalog_of(&v);
    const char *sql = "SELECT r.id FROM reviews r, products p WHERE p.asin = r.asin AND r.id > 1 AND p.price < 3";
    lp_diag d;
    lp_diag_init(&d);
    lp_plan *p = NULL;
    assert_int_equal(lp_sql_query(sql, strlen(sql), 0, &cat, &p, &d), LP_OK);
    const lp_plan *j = find_kind(p, LP_PLAN_JOIN);
    assert_non_null(j);
    assert_int_equal(j->how, LP_JOIN_INNER);
    assert_int_equal(j->njoinkeys, 1);
    assert_int_equal(j->lkeys[0], 1); /* reviews.asin */
    assert_int_equal(j->rkeys[0], 0); /* products.asin */
    lp_table *t = NULL;
    assert_int_equal(lp_plan_execute(p, &t, &d), LP_OK);
    tu_assert_table_sorted(t, "id:bigint\n2\n3\n5\n");
    lp_table_unref(t);
    lp_plan_unref(p);
    views_free(&v);
}

/* Every allocation of parsing, planning and running a query fails in turn (once, then from
 * that point on): each run ends in success or LP_ENOMEM, and nothing leaks. */
static void test_sql_query_allocation_failures(void **state) {
    (void)state;
    views v;
    views_init(&v);
    lp_sql_catalog cat = catalog_of(&v);
    static const char *const cases[][2] = {
        {"WITH g AS (SELECT * FROM reviews WHERE overall >= 2) "
         "SELECT p.title, count(*) AS n, max(g.overall) FROM g JOIN products p USING (asin) "
         "GROUP BY p.title HAVING n > 0 ORDER BY n DESC, 1 LIMIT 5",
         "title:string|n:bigint|max(overall):bigint\nAlpha|2|5\nBeta|2|5\n"},
        {"SELECT DISTINCT r.name FROM reviews r, products p WHERE r.asin = p.asin AND r.asin IN "
         "(SELECT asin FROM products WHERE price > 1.8) UNION ALL SELECT 'z' ORDER BY name",
         "name:string\nnull\neve\nz\n"},
    };
    const char *expr = "CASE WHEN a > 1 THEN upper(b) ELSE 'x' || c END AS y";
    int64_t before = lp_mem_used();
    for (int run = 0; run < 4; run++) {
        bool sticky = run & 1;
        const char *sql = cases[run / 2][0], *want = cases[run / 2][1];
        int oks = 0;
        int64_t k;
        for (k = 1; k < 10000; k++) {
            lp_diag d;
            lp_diag_init(&d);
            lp_mem_fail_at(k, sticky);
            lp_plan *p = NULL;
            lp_table *t = NULL;
            lp_status st = lp_sql_query(sql, strlen(sql), 0, &cat, &p, &d);
            if (st == LP_OK) st = lp_plan_execute(p, &t, &d);
            lp_arena a;
            lp_arena_init(&a);
            lp_expr *e = NULL;
            const char *alias = NULL;
            lp_status st2 = lp_sql_expr(&a, expr, strlen(expr), 0, &e, &alias, &d);
            int64_t failed = lp_mem_fail_at(0, false);
            if (st != LP_OK && st != LP_ENOMEM) fail_msg("%s: %s", sql, d.msg);
            assert_true(st2 == LP_OK || st2 == LP_ENOMEM);
            if (st == LP_OK) {
                tu_assert_table(t, want);
                oks++;
            }
            if (st2 != LP_OK) assert_null(e);
            lp_table_unref(t);
            lp_plan_unref(p);
            lp_arena_reset(&a);
            assert_int_equal(lp_mem_used(), before);
            if (failed == 0) break;
        }
        assert_true(k > 20);
        assert_true(oks >= 1);
    }
    views_free(&v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_sql_expr_prints_spark_names),
        TU_TEST(test_sql_expr_precedence),
        TU_TEST(test_sql_expr_literals),
        TU_TEST(test_sql_expr_alias_and_spans),
        TU_TEST(test_sql_expr_errors),
        TU_TEST(test_sql_expr_deep_nesting_is_refused),
        TU_TEST(test_sql_query_where),
        TU_TEST(test_sql_query_group_having_order_limit),
        TU_TEST(test_sql_query_joins),
        TU_TEST(test_sql_query_subquery_with_distinct_union),
        TU_TEST(test_sql_query_case_and_order_aliases),
        TU_TEST(test_sql_query_errors),
        TU_TEST(test_sql_query_names_and_scopes),
        TU_TEST(test_sql_query_more_shapes),
        TU_TEST(test_sql_query_in_subquery),
        TU_TEST(test_sql_query_scalar_subquery),
        TU_TEST(test_sql_query_same_across_threads),
        TU_TEST(test_sql_query_comma_join_takes_where_equalities),
        TU_TEST(test_sql_query_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
