/* test_expr.c -- expressions: the registry, binding and its error messages (text and span),
 * the printer, and every function family with nulls and edge cases.
 *
 * Expressions are written in a small prefix notation parsed here, so that spans are real byte
 * offsets: (> overall 4), (substring s 2 3), (cast s int), 'text', 1.5, null, true, colname.
 */
#include "testutil.h"
#include "exec/expr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- the notation ---- */

typedef struct px {
    const char *src, *p;
    lp_arena *a;
    lp_diag *d;
    bool failed;
} px;

static void ws(px *q) {
    while (*q->p == ' ') q->p++;
}

static lp_expr *parse(px *q) {
    ws(q);
    int64_t start = q->p - q->src;
    if (*q->p == '(') {
        q->p++;
        const char *nm = q->p;
        while (*q->p && *q->p != ' ' && *q->p != ')' && *q->p != '(') q->p++;
        size_t nn = (size_t)(q->p - nm);
        lp_expr *args[64];
        int n = 0;
        lp_type to = {0, 0, 0};
        const char *tname = NULL;
        size_t tn = 0;
        bool cast = nn == 4 && strncmp(nm, "cast", 4) == 0;
        for (;;) {
            ws(q);
            if (*q->p == ')' || !*q->p) break;
            if (cast && n == 1) {
                const char *t = q->p;
                while (*q->p && *q->p != ')' && *q->p != ' ') q->p++;
                assert_true(lp_type_parse(t, (size_t)(q->p - t), &to));
                tname = t;
                tn = (size_t)(q->p - t);
                continue;
            }
            args[n++] = parse(q);
            if (q->failed || !args[n - 1]) {
                q->failed = true;
                return NULL;
            }
        }
        assert_int_equal(*q->p, ')');
        q->p++;
        int64_t end = q->p - q->src;
        if (cast) return lp_expr_cast_as(q->a, args[0], to, tname, tn, start, end);
        lp_expr *e;
        if (lp_expr_call_named(q->a, nm, nn, args, n, start, end, &e, q->d) != LP_OK) {
            q->failed = true;
            return NULL;
        }
        return e;
    }
    lp_value v;
    memset(&v, 0, sizeof v);
    if (*q->p == '\'') {
        const char *s = ++q->p;
        while (*q->p && *q->p != '\'') q->p++;
        v.type = lp_type_of(LP_STRING);
        v.u.s.p = s;
        v.u.s.n = q->p - s;
        q->p++;
        return lp_expr_lit(q->a, &v, start, q->p - q->src);
    }
    const char *s = q->p;
    while (*q->p && *q->p != ' ' && *q->p != ')' && *q->p != '(') q->p++;
    size_t n = (size_t)(q->p - s);
    int64_t end = q->p - q->src;
    if ((s[0] >= '0' && s[0] <= '9') || (s[0] == '-' && n > 1)) {
        if (lp_parse_int64(s, n, &v.u.i)) {
            v.type = lp_type_of(LP_INT64);
        } else {
            assert_true(lp_parse_float64(s, n, &v.u.f));
            v.type = lp_type_of(LP_FLOAT64);
        }
        return lp_expr_lit(q->a, &v, start, end);
    }
    if (n == 4 && !strncmp(s, "null", 4)) {
        v = lp_value_null();
        return lp_expr_lit(q->a, &v, start, end);
    }
    if ((n == 4 && !strncmp(s, "true", 4)) || (n == 5 && !strncmp(s, "false", 5))) {
        v.type = lp_type_of(LP_BOOL);
        v.u.b = n == 4;
        return lp_expr_lit(q->a, &v, start, end);
    }
    return lp_expr_col(q->a, s, n, start, end);
}

/* Parses and binds `src` against t's schema; NULL with d filled on a bind error. */
static lp_expr *bind(lp_arena *a, lp_table *t, const char *src, lp_diag *d) {
    px q = {src, src, a, d, false};
    lp_diag_init(d);
    lp_expr *e = parse(&q);
    if (q.failed) return NULL;
    assert_non_null(e);
    if (lp_expr_bind(e, t->ncols, (const char *const *)t->names, t->types, d) != LP_OK) return NULL;
    return e;
}

/* The values of e over every partition of t, formatted and joined by '|'. */
static char *values(lp_table *t, const lp_expr *e) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_strbuf_puts(&b, "");
    int64_t rows = 0;
    for (int p = 0; p < t->nparts; p++) {
        lp_column *c;
        lp_diag d;
        lp_diag_init(&d);
        assert_int_equal(lp_expr_eval(e, &t->parts[p], &c, &d), LP_OK);
        assert_int_equal(c->len, t->parts[p].nrows);
        assert_true(lp_type_eq(c->type, e->type));
        for (int64_t r = 0; r < c->len; r++) {
            if (rows++) lp_strbuf_putc(&b, '|');
            lp_value v = lp_column_get(c, r);
            lp_value_format(&v, &b);
        }
        lp_column_unref(c);
    }
    return lp_strbuf_take(&b);
}

static lp_table *g_t;

/* Asserts that expression src over g_t gives `want` (values joined by '|'). */
#define EXPECT(src, want) expect_(src, want, __LINE__)
static void expect_(const char *src, const char *want, int line) {
    lp_arena a;
    lp_arena_init(&a);
    lp_diag d;
    lp_expr *e = bind(&a, g_t, src, &d);
    if (!e) fail_msg("line %d: %s: bind failed: %s (%s)", line, src, d.msg, d.hint);
    char *got = values(g_t, e);
    if (strcmp(got, want) != 0) fail_msg("line %d: %s\n  want %s\n  got  %s", line, src, want, got);
    lp_free(got);
    lp_arena_reset(&a);
}

/* Asserts that binding src fails with status, message, hint (NULL: not checked) and span. */
#define EXPECT_ERR(src, st, msg, hint, s0, s1) expect_err_(src, st, msg, hint, s0, s1, __LINE__)
static void expect_err_(const char *src, lp_status st, const char *msg, const char *hint, int64_t s0, int64_t s1,
                        int line) {
    lp_arena a;
    lp_arena_init(&a);
    lp_diag d;
    lp_expr *e = bind(&a, g_t, src, &d);
    if (e) fail_msg("line %d: %s bound without error", line, src);
    if (d.status != st || strcmp(d.msg, msg) != 0)
        fail_msg("line %d: %s\n  want [%d] %s\n  got  [%d] %s", line, src, st, msg, d.status, d.msg);
    if (hint && strcmp(d.hint, hint) != 0) fail_msg("line %d: hint\n  want %s\n  got  %s", line, hint, d.hint);
    if (d.span_start != s0 || d.span_end != s1)
        fail_msg("line %d: span want %lld..%lld got %lld..%lld", line, (long long)s0, (long long)s1,
                 (long long)d.span_start, (long long)d.span_end);
    lp_arena_reset(&a);
}

static void with_table(const char *schema, const char *rows) {
    lp_table_unref(g_t);
    g_t = NULL;
    g_t = tu_table(schema, rows, 2);
}

static void drop_table(void) {
    lp_table_unref(g_t);
    g_t = NULL;
}

/* ---- registry and printing ---- */

static void test_expr_registry_names_and_aliases(void **state) {
    (void)state;
    const lp_fninfo *f = lp_fn_lookup("SUBSTR", 6);
    assert_non_null(f);
    assert_int_equal(f->id, LP_FN_SUBSTRING);
    assert_int_equal(f->min_args, 2);
    assert_int_equal(f->max_args, 3);
    assert_string_equal(lp_fn_info(LP_FN_SUBSTRING)->name, "substring");
    struct { const char *a; lp_fn id; } al[] = {
        {"power", LP_FN_POW}, {"pow", LP_FN_POW}, {"ceiling", LP_FN_CEIL}, {"dayofmonth", LP_FN_DAY},
        {"lcase", LP_FN_LOWER}, {"ucase", LP_FN_UPPER}, {"ifnull", LP_FN_NVL}, {"starts_with", LP_FN_STARTSWITH},
        {"ends_with", LP_FN_ENDSWITH}, {"<>", LP_FN_NE}, {"mean", LP_FN_AGG_AVG},
    };
    for (size_t i = 0; i < LP_ARRAY_LEN(al); i++) {
        f = lp_fn_lookup(al[i].a, strlen(al[i].a));
        assert_non_null(f);
        assert_int_equal(f->id, al[i].id);
    }
    assert_null(lp_fn_lookup("lenght", 6));
    bool saw_substr = false, saw_length = false;
    for (int i = 0; i < lp_fn_count(); i++) {
        saw_substr |= strcmp(lp_fn_at(i)->name, "substr") == 0;
        saw_length |= strcmp(lp_fn_at(i)->name, "length") == 0;
    }
    assert_true(saw_substr && saw_length);
    assert_null(lp_fn_at(lp_fn_count()));
    assert_int_equal(lp_fn_lookup("count", 5)->agg, LP_AGG_COUNT);
}

static void test_expr_print_spark_names(void **state) {
    (void)state;
    with_table("overall:double,reviewText:string,helpful:array<bigint>,a:bigint", "1.0|x|[1]|2");
    struct { const char *src, *want; } cases[] = {
        {"(> overall 4)", "(overall > 4)"},
        {"(length reviewText)", "length(reviewText)"},
        {"(count 1)", "count(1)"},
        {"(substr reviewText 1 3)", "substr(reviewText, 1, 3)"},
        {"(and (> a 1) (not (isnull a)))", "((a > 1) AND (NOT (a IS NULL)))"},
        {"(!= a 2)", "(NOT (a = 2))"},
        {"(get helpful 0)", "helpful[0]"},
        {"(cast a string)", "CAST(a AS STRING)"},
        {"(cast overall int)", "CAST(overall AS INT)"},
        {"(cast overall integer)", "CAST(overall AS INT)"},
        {"(cast overall long)", "CAST(overall AS BIGINT)"},
        {"(cast helpful array<string>)", "CAST(helpful AS ARRAY<STRING>)"},
        {"(case (> a 1) 'big' 'small')", "CASE WHEN (a > 1) THEN big ELSE small END"},
        {"(in a 1 2)", "(a IN (1, 2))"},
        {"(between a 1 3)", "((a >= 1) AND (a <= 3))"},
        {"(like reviewText '%x%')", "reviewText LIKE %x%"},
        {"(negative a)", "(- a)"},
        {"(+ a 1.5)", "(a + 1.5)"},
        {"(count_distinct a)", "count(DISTINCT a)"},
        {"(isnotnull null)", "(NULL IS NOT NULL)"},
    };
    for (size_t i = 0; i < LP_ARRAY_LEN(cases); i++) {
        lp_arena a;
        lp_arena_init(&a);
        lp_diag d;
        lp_expr *e = bind(&a, g_t, cases[i].src, &d);
        if (!e) fail_msg("%s: %s", cases[i].src, d.msg);
        char *s = lp_expr_print(&a, e);
        if (strcmp(s, cases[i].want) != 0) fail_msg("%s printed %s, want %s", cases[i].src, s, cases[i].want);
        lp_arena_reset(&a);
    }
    drop_table();
}

/* ---- binding errors ---- */

static void test_expr_bind_errors_teach(void **state) {
    (void)state;
    with_table("overall:double,reviewText:string,a:bigint,s:string,helpful:array<bigint>", "1.0|x|1|4|[1]");
    EXPECT_ERR("(> ovrall 4)", LP_ENAME, "column 'ovrall' does not exist",
               "did you mean 'overall'? available columns: overall, reviewText, a, s, helpful", 3, 9);
    EXPECT_ERR("(> zzzzzz 4)", LP_ENAME, "column 'zzzzzz' does not exist",
               "available columns: overall, reviewText, a, s, helpful", 3, 9);
    EXPECT_ERR("(> s 5)", LP_ETYPE, "cannot compare string column 's' with bigint 5",
               "did you mean to cast it? col('s').cast('int')", 0, 7);
    EXPECT_ERR("(= overall '4')", LP_ETYPE, "cannot compare double column 'overall' with string '4'",
               "did you mean the number 4, without quotes?", 0, 15);
    EXPECT_ERR("(+ s 1)", LP_ETYPE, "cannot add string column 's' and bigint 1",
               "did you mean to cast it? col('s').cast('int')", 0, 7);
    EXPECT_ERR("(substring s)", LP_ETYPE, "substring takes 2 or 3 arguments, got 1", NULL, 0, 13);
    EXPECT_ERR("(length s s)", LP_ETYPE, "length takes 1 argument, got 2", NULL, 0, 12);
    EXPECT_ERR("(current_date 1)", LP_ETYPE, "current_date takes no arguments, got 1", NULL, 0, 16);
    EXPECT_ERR("(lenght s)", LP_ENAME, "function 'lenght' does not exist", "did you mean 'length'?", 0, 10);
    EXPECT_ERR("(sqrt s)", LP_ETYPE, "sqrt needs a number, got string column 's'",
               "did you mean to cast it? col('s').cast('double')", 0, 8);
    EXPECT_ERR("(and a true)", LP_ETYPE, "and needs a boolean, got bigint column 'a'", NULL, 0, 12);
    EXPECT_ERR("(rlike s '(')", LP_EVALUE,
               "invalid regular expression '(': missing closing parenthesis at offset 1", NULL, 9, 12);
    EXPECT_ERR("(regexp_extract s '(a)' 2)", LP_EVALUE, "the regex has 1 group, but group 2 was asked for",
               "groups count from 1; group 0 is the whole match", 24, 25);
    EXPECT_ERR("(to_date s 'yyyy-qq')", LP_EVALUE, "invalid datetime pattern 'yyyy-qq'", NULL, 11, 20);
    EXPECT_ERR("(get s 0)", LP_ETYPE, "get needs an array, got string column 's'", NULL, 0, 9);
    EXPECT_ERR("(array_contains helpful 'x')", LP_ETYPE, "cannot look for string 'x' in an array<bigint>", NULL, 0, 28);
    EXPECT_ERR("(cast helpful date)", LP_ETYPE, "cannot cast array<bigint> column 'helpful' to date", NULL, 0, 19);
    drop_table();
    /* exact match wins over a case-insensitive one; two case-insensitive matches are ambiguous */
    with_table("Id:bigint,ID:bigint,x:bigint", "1|2|3");
    EXPECT("Id", "1");
    EXPECT("X", "3");
    EXPECT_ERR("id", LP_ENAME, "column 'id' is ambiguous: it could be 'Id', 'ID'", "spell the column with its exact case",
               0, 2);
    drop_table();
    with_table("asin:string,n:bigint,asin:string", "a|1|a");
    EXPECT_ERR("(= asin 'x')", LP_ENAME, "column 'asin' is ambiguous: it could be 'asin', 'asin'",
               "two columns share this name (after a join?): rename one with withColumnRenamed() or drop it", 3, 7);
    EXPECT("n", "1");
    drop_table();
}

static void test_expr_bind_types_and_promotion(void **state) {
    (void)state;
    with_table("a:bigint,f:double,s:string,d:date,t:timestamp", "1|1.5|x|2013-06-02|2013-06-02 10:00:00");
    struct { const char *src; lp_kind k; } cases[] = {
        {"(+ a a)", LP_INT64}, {"(+ a f)", LP_FLOAT64}, {"(/ a a)", LP_FLOAT64}, {"(% a a)", LP_INT64},
        {"(> a f)", LP_BOOL}, {"(< d t)", LP_BOOL}, {"(floor f)", LP_INT64}, {"(round f 1)", LP_FLOAT64},
        {"(round a)", LP_INT64}, {"(coalesce null a)", LP_INT64}, {"(coalesce a f)", LP_FLOAT64},
        {"(+ d 1)", LP_DATE}, {"(- d d)", LP_INT64}, {"(length a)", LP_INT64}, {"(split s ',')", LP_LIST},
        {"(year s)", LP_INT64}, {"null", LP_STRING}, {"(sum a)", LP_INT64}, {"(avg a)", LP_FLOAT64},
    };
    for (size_t i = 0; i < LP_ARRAY_LEN(cases); i++) {
        lp_arena ar;
        lp_arena_init(&ar);
        lp_diag d;
        lp_expr *e = bind(&ar, g_t, cases[i].src, &d);
        if (!e) fail_msg("%s: %s", cases[i].src, d.msg);
        if (lp_expr_type(e).kind != cases[i].k) fail_msg("%s: type %s", cases[i].src, lp_type_name(lp_expr_type(e)));
        lp_arena_reset(&ar);
    }
    /* the implicit promotion is a hidden cast node */
    lp_arena ar;
    lp_arena_init(&ar);
    lp_diag d;
    lp_expr *e = bind(&ar, g_t, "(> a f)", &d);
    assert_true(e->args[0]->implicit);
    assert_int_equal(e->args[0]->type.kind, LP_FLOAT64);
    int cols[4];
    assert_int_equal(lp_expr_columns(e, cols, 4), 2);
    assert_int_equal(cols[0], 0);
    assert_int_equal(cols[1], 1);
    /* rebinding to another schema unwraps the old promotion */
    const char *names[] = {"a", "f"};
    lp_type types[] = {lp_type_of(LP_FLOAT64), lp_type_of(LP_FLOAT64)};
    assert_int_equal(lp_expr_bind(e, 2, names, types, &d), LP_OK);
    assert_false(e->args[0]->implicit);
    lp_expr *c = lp_expr_clone(&ar, e);
    assert_non_null(c);
    assert_string_equal(lp_expr_print(&ar, c), "(a > f)");
    assert_false(lp_expr_has_agg(c));
    lp_arena_reset(&ar);
    drop_table();
}

/* ---- operators ---- */

static void test_expr_arithmetic(void **state) {
    (void)state;
    with_table("a:bigint,b:bigint,f:double", "7|2|1.5;-7|0|0.0;9223372036854775807|1|-2.5;null|3|null");
    EXPECT("(+ a b)", "9|-7|-9223372036854775808|null");
    EXPECT("(- a b)", "5|-7|9223372036854775806|null");
    EXPECT("(* a b)", "14|0|9223372036854775807|null");
    EXPECT("(/ a b)", "3.5|null|9.223372036854776E18|null");
    EXPECT("(% a b)", "1|null|0|null");
    EXPECT("(% a 3)", "1|-1|1|null");
    EXPECT("(% f 1)", "0.5|0.0|-0.5|null");
    EXPECT("(/ f 0)", "null|null|null|null");
    EXPECT("(+ a f)", "8.5|-7.0|9.223372036854776E18|null");
    EXPECT("(negative b)", "-2|0|-1|-3");
    EXPECT("(abs f)", "1.5|0.0|2.5|null");
    EXPECT("(+ 1 2)", "3|3|3|3");
    EXPECT("(+ null 2)", "null|null|null|null");
    EXPECT("(* 2 b)", "4|0|2|6");
    drop_table();
}

static void test_expr_comparisons(void **state) {
    (void)state;
    with_table("a:bigint,f:double,s:string,d:date", "1|1.0|b|2013-06-02;2|NaN|a|1969-12-31;null|3.5|null|null");
    EXPECT("(= a f)", "true|false|null");
    EXPECT("(< a f)", "false|true|null");
    EXPECT("(= f f)", "true|true|true");
    EXPECT("(> f 100)", "false|true|false");
    EXPECT("(>= s 'b')", "true|false|null");
    EXPECT("(!= s 'a')", "true|false|null");
    EXPECT("(<=> a null)", "false|false|true");
    EXPECT("(<=> a 1)", "true|false|false");
    EXPECT("(<=> s 'b')", "true|false|false");
    EXPECT("(<=> s null)", "false|false|true");
    EXPECT("(= s '')", "false|false|null");
    EXPECT("(< d '2000-01-01')", "false|true|null");
    EXPECT("(in a 1 3)", "true|false|null");
    EXPECT("(in a 3 null)", "null|null|null");
    EXPECT("(in a 1 null)", "true|null|null");
    EXPECT("(in a f 2)", "true|true|null");
    EXPECT("(in a f null)", "true|null|null");
    EXPECT("(in s 'a' 'z')", "false|true|null");
    EXPECT("(in 2 a)", "false|true|null");
    EXPECT("(between a 1 1)", "true|false|null");
    EXPECT("(between f 1 3.5)", "true|false|true");
    EXPECT("(isnull a)", "false|false|true");
    EXPECT("(isnotnull s)", "true|true|false");
    EXPECT("(greatest a f 1.5)", "1.5|NaN|3.5");
    EXPECT("(least a f)", "1.0|2.0|3.5");
    EXPECT("(greatest null a)", "1|2|null");
    drop_table();
}

static void test_expr_three_valued_logic(void **state) {
    (void)state;
    with_table("x:boolean,y:boolean",
               "true|true;true|false;true|null;false|true;false|false;false|null;null|true;null|false;null|null");
    EXPECT("(and x y)", "true|false|null|false|false|false|null|false|null");
    EXPECT("(or x y)", "true|true|true|true|false|null|true|null|null");
    EXPECT("(not x)", "false|false|false|true|true|true|null|null|null");
    EXPECT("(and x true)", "true|true|true|false|false|false|null|null|null");
    EXPECT("(or null y)", "true|null|null|true|null|null|true|null|null");
    EXPECT("(and false y)", "false|false|false|false|false|false|false|false|false");
    drop_table();
}

static void test_expr_conditionals_and_cast(void **state) {
    (void)state;
    with_table("a:bigint,s:string,f:double", "1|4.7|1.5;5|abc|null;null| 12 |-0.5");
    EXPECT("(case (> a 3) 'big' (= a 1) 'one' 'other')", "one|big|other");
    EXPECT("(case (> a 3) 'big')", "null|big|null");
    EXPECT("(case (> a 3) a f)", "1.5|5.0|-0.5");
    EXPECT("(if (isnull a) 0 a)", "1|5|0");
    EXPECT("(coalesce a f 9)", "1.0|5.0|-0.5");
    EXPECT("(nvl f 0)", "1.5|0.0|-0.5");
    EXPECT("(cast s int)", "4|null|12");
    EXPECT("(cast s double)", "4.7|null|12.0");
    EXPECT("(cast f bigint)", "1|null|0");
    EXPECT("(cast a string)", "1|5|null");
    EXPECT("(cast f string)", "1.5|null|-0.5");
    EXPECT("(cast a boolean)", "true|true|null");
    EXPECT("(cast 'yes' boolean)", "true|true|true");
    EXPECT("(cast '2013-6-2' date)", "2013-06-02|2013-06-02|2013-06-02");
    EXPECT("(cast '2013-02-29' date)", "null|null|null");
    EXPECT("(cast '1970-01-01 00:00:01' timestamp)", "1970-01-01 00:00:01|1970-01-01 00:00:01|1970-01-01 00:00:01");
    /* lossy casts are counted */
    lp_arena ar;
    lp_arena_init(&ar);
    lp_diag d;
    lp_expr *e = bind(&ar, g_t, "(+ (cast s int) 1)", &d);
    assert_non_null(e);
    char *v = values(g_t, e);
    assert_string_equal(v, "5|null|13");
    lp_free(v);
    assert_int_equal(lp_expr_nulled(e), 1);
    lp_expr_nulled_reset(e);
    assert_int_equal(lp_expr_nulled(e), 0);
    lp_arena_reset(&ar);
    drop_table();
}

/* ---- strings ---- */

static void test_expr_string_functions(void **state) {
    (void)state;
    with_table("s:string,t:string", "hello|l;héllo wörld|ö;null|x;  pad  |");
    EXPECT("(length s)", "5|11|null|7");
    EXPECT("(upper s)", "HELLO|HÉLLO WÖRLD|null|  PAD  ");
    EXPECT("(lower 'ÉCOLE')", "école|école|école|école");
    EXPECT("(trim s)", "hello|héllo wörld|null|pad");
    EXPECT("(ltrim s)", "hello|héllo wörld|null|pad  ");
    EXPECT("(rtrim s)", "hello|héllo wörld|null|  pad");
    EXPECT("(trim 'xxhixx' 'x')", "hi|hi|hi|hi");
    EXPECT("(substring s 2 3)", "ell|éll|null| pa");
    EXPECT("(substring s 0 2)", "he|hé|null|  ");
    EXPECT("(substring s -3 2)", "ll|rl|null|d ");
    EXPECT("(substring s -10 3)", "|éll|null|");
    EXPECT("(substring s 10 5)", "|ld|null|");
    EXPECT("(substring s 3)", "llo|llo wörld|null|pad  ");
    EXPECT("(concat s '-' t)", "hello-l|héllo wörld-ö|null|  pad  -");
    EXPECT("(concat_ws ',' s t null)", "hello,l|héllo wörld,ö|x|  pad  ,");
    EXPECT("(concat_ws '+' (split 'a b' ' ') s)", "a+b+hello|a+b+héllo wörld|a+b|a+b+  pad  ");
    EXPECT("(contains s t)", "true|true|null|true");
    /* contains(lower(x), 'lowercase'): ASCII rows searched in place, others lowered first */
    EXPECT("(contains (lower s) 'llo')", "true|true|null|false");
    EXPECT("(contains (lower (concat 'An HONEST Review, ' s)) 'honest review')", "true|true|null|true");
    EXPECT("(contains (lower (concat s 'xHeLLo')) 'xhello')", "true|true|null|true");
    EXPECT("(contains (lower 'HÉLLO') 'héllo')", "true|true|true|true");
    EXPECT("(contains (lower 'ab') 'abc')", "false|false|false|false");
    EXPECT("(contains (lower 'ABC') 'B')", "false|false|false|false");
    EXPECT("(contains (lower s) '')", "true|true|null|true");
    EXPECT("(startswith s 'he')", "true|false|null|false");
    EXPECT("(endswith s 'ld')", "false|true|null|false");
    EXPECT("(length 12345)", "5|5|5|5");
    EXPECT("(initcap 'hELLO wörld  x')", "Hello Wörld  X|Hello Wörld  X|Hello Wörld  X|Hello Wörld  X");
    EXPECT("(initcap s)", "Hello|Héllo Wörld|null|  Pad  ");
    EXPECT("(instr s t)", "3|8|null|1");
    EXPECT("(instr s 'zz')", "0|0|null|0");
    EXPECT("(reverse s)", "olleh|dlröw olléh|null|  dap  ");
    EXPECT("(lpad s 7 'ab')", "abhello|héllo w|null|  pad  ");
    EXPECT("(rpad s 8 'é')", "helloééé|héllo wö|null|  pad  é");
    EXPECT("(lpad s 0 'x')", "||null|");
    EXPECT("(lpad s 3)", "hel|hél|null|  p");
    drop_table();
}

static void test_expr_like_and_regex(void **state) {
    (void)state;
    with_table("s:string", "Great product;not great;50% off;a_b;null;x");
    EXPECT("(like s 'Great%')", "true|false|false|false|null|false");
    EXPECT("(like s '%great')", "false|true|false|false|null|false");
    EXPECT("(like s '%reat%')", "true|true|false|false|null|false");
    EXPECT("(like s 'not great')", "false|true|false|false|null|false");
    EXPECT("(like s '%')", "true|true|true|true|null|true");
    EXPECT("(like s '_ot%')", "false|true|false|false|null|false");
    EXPECT("(like s '%\\%%')", "false|false|true|false|null|false");
    EXPECT("(like s 'a\\_b')", "false|false|false|true|null|false");
    EXPECT("(like s 'a_b')", "false|false|false|true|null|false");
    EXPECT("(ilike s 'great%')", "true|false|false|false|null|false");
    EXPECT("(rlike s '^[Gg]reat')", "true|false|false|false|null|false");
    EXPECT("(rlike s 'o')", "true|true|true|false|null|false");
    EXPECT("(split s ' ')", "[Great, product]|[not, great]|[50%, off]|[a_b]|null|[x]");
    EXPECT("(split 'a,b,,c,' ',')", "[a, b, , c, ]|[a, b, , c, ]|[a, b, , c, ]|[a, b, , c, ]|[a, b, , c, ]|[a, b, , c, ]");
    EXPECT("(split 'abc' '')", "[a, b, c]|[a, b, c]|[a, b, c]|[a, b, c]|[a, b, c]|[a, b, c]");
    EXPECT("(split 'a1b2c' '[0-9]' 2)", "[a, b2c]|[a, b2c]|[a, b2c]|[a, b2c]|[a, b2c]|[a, b2c]");
    EXPECT("(regexp_extract '100-200' '(\\d+)-(\\d+)' 2)", "200|200|200|200|200|200");
    EXPECT("(regexp_extract s '(\\d+)%' 1)", "||50||null|");
    EXPECT("(regexp_extract s '(x)?o' 1)", "||||null|");
    EXPECT("(regexp_replace s '[aeiou]' '')", "Grt prdct|nt grt|50% ff|_b|null|x");
    EXPECT("(regexp_replace s '(\\w+) (\\w+)' '$2 $1')", "product Great|great not|50% off|a_b|null|x");
    EXPECT("(regexp_replace 'abc' 'x*' '-')", "-a-b-c-|-a-b-c-|-a-b-c-|-a-b-c-|-a-b-c-|-a-b-c-");
    drop_table();
    /* a regex that comes from a column is compiled per row */
    with_table("s:string,p:string", "abc|b;abc|^b;abc|(");
    EXPECT("(rlike s p)", "true|false|null");
    drop_table();
}

/* ---- math ---- */

static void test_expr_math_functions(void **state) {
    (void)state;
    with_table("f:double,a:bigint", "2.5|1250;-2.5|-1250;2.675|15;1.005|-15;0.5|null;null|7");
    EXPECT("(round f)", "3.0|-3.0|3.0|1.0|1.0|null");
    EXPECT("(round f 2)", "2.5|-2.5|2.68|1.01|0.5|null");
    EXPECT("(bround f)", "2.0|-2.0|3.0|1.0|0.0|null");
    EXPECT("(round a -2)", "1300|-1300|0|0|null|0");
    EXPECT("(bround a -2)", "1200|-1200|0|0|null|0");
    EXPECT("(round a -1)", "1250|-1250|20|-20|null|10");
    EXPECT("(bround a -1)", "1250|-1250|20|-20|null|10");
    EXPECT("(round 1234.5678 -2)", "1200.0|1200.0|1200.0|1200.0|1200.0|1200.0");
    EXPECT("(floor f)", "2|-3|2|1|0|null");
    EXPECT("(ceil f)", "3|-2|3|2|1|null");
    EXPECT("(sqrt 4)", "2.0|2.0|2.0|2.0|2.0|2.0");
    EXPECT("(log f)", "0.9162907318741551|null|0.9839493803479697|0.004987541511038968|-0.6931471805599453|null");
    EXPECT("(log 10 100)", "2.0|2.0|2.0|2.0|2.0|2.0");
    EXPECT("(log10 a)", "3.0969100130080562|null|1.1760912590556813|null|null|0.8450980400142568");
    EXPECT("(log2 8)", "3.0|3.0|3.0|3.0|3.0|3.0");
    EXPECT("(exp 0)", "1.0|1.0|1.0|1.0|1.0|1.0");
    EXPECT("(pow 2 10)", "1024.0|1024.0|1024.0|1024.0|1024.0|1024.0");
    EXPECT("(power a 0)", "1.0|1.0|1.0|1.0|null|1.0");
    EXPECT("(isnan (/ f 0))", "false|false|false|false|false|false");
    EXPECT("(isnan (sqrt f))", "false|true|false|false|false|false");
    EXPECT("(signum f)", "1.0|-1.0|1.0|1.0|1.0|null");
    EXPECT("(sign a)", "1.0|-1.0|1.0|-1.0|null|1.0");
    drop_table();
}

/* ---- dates ---- */

static void test_expr_date_functions(void **state) {
    (void)state;
    with_table("s:string,d:date,t:timestamp,u:bigint",
               "06 2, 2013|2013-06-02|2013-06-02 13:45:30|0;"
               "12 31, 1969|1969-12-31|1969-12-31 23:59:59|-1;"
               "02 29, 2012|2012-02-29|2012-02-29 00:00:00|1330473600;"
               "02 29, 2013|1970-01-01|1970-01-01 00:00:00|86400;"
               "null|null|null|null");
    EXPECT("(to_date s 'MM d, yyyy')", "2013-06-02|1969-12-31|2012-02-29|null|null");
    EXPECT("(to_timestamp s 'MM d, yyyy')", "2013-06-02 00:00:00|1969-12-31 00:00:00|2012-02-29 00:00:00|null|null");
    EXPECT("(to_date '2013-06-02')", "2013-06-02|2013-06-02|2013-06-02|2013-06-02|2013-06-02");
    EXPECT("(to_date t)", "2013-06-02|1969-12-31|2012-02-29|1970-01-01|null");
    EXPECT("(to_timestamp '2013/06/02 07:08' 'yyyy/MM/dd HH:mm')",
           "2013-06-02 07:08:00|2013-06-02 07:08:00|2013-06-02 07:08:00|2013-06-02 07:08:00|2013-06-02 07:08:00");
    EXPECT("(year d)", "2013|1969|2012|1970|null");
    EXPECT("(month d)", "6|12|2|1|null");
    EXPECT("(day d)", "2|31|29|1|null");
    EXPECT("(dayofweek d)", "1|4|4|5|null");
    EXPECT("(hour t)", "13|23|0|0|null");
    EXPECT("(minute t)", "45|59|0|0|null");
    EXPECT("(second t)", "30|59|0|0|null");
    EXPECT("(year '2013-06-02')", "2013|2013|2013|2013|2013");
    EXPECT("(from_unixtime u)", "1970-01-01 00:00:00|1969-12-31 23:59:59|2012-02-29 00:00:00|1970-01-02 00:00:00|null");
    EXPECT("(from_unixtime u 'dd/MM/yy')", "01/01/70|31/12/69|29/02/12|02/01/70|null");
    EXPECT("(unix_timestamp t)", "1370180730|-1|1330473600|0|null");
    EXPECT("(unix_timestamp '1970-01-02 00:00:00')", "86400|86400|86400|86400|86400");
    EXPECT("(unix_timestamp s 'MM d, yyyy')", "1370131200|-86400|1330473600|null|null");
    EXPECT("(date_trunc 'month' t)", "2013-06-01 00:00:00|1969-12-01 00:00:00|2012-02-01 00:00:00|1970-01-01 00:00:00|null");
    EXPECT("(date_trunc 'hour' t)", "2013-06-02 13:00:00|1969-12-31 23:00:00|2012-02-29 00:00:00|1970-01-01 00:00:00|null");
    EXPECT("(date_trunc 'week' d)", "2013-05-27 00:00:00|1969-12-29 00:00:00|2012-02-27 00:00:00|1969-12-29 00:00:00|null");
    EXPECT("(datediff d '1970-01-01')", "15858|-1|15399|0|null");
    EXPECT("(date_add d 1)", "2013-06-03|1970-01-01|2012-03-01|1970-01-02|null");
    EXPECT("(date_sub d 1)", "2013-06-01|1969-12-30|2012-02-28|1969-12-31|null");
    EXPECT("(+ d 1)", "2013-06-03|1970-01-01|2012-03-01|1970-01-02|null");
    EXPECT("(isnotnull (current_date))", "true|true|true|true|true");
    EXPECT("(quarter d)", "2|4|1|1|null");
    EXPECT("(dayofyear d)", "153|365|60|1|null");
    EXPECT("(weekofyear d)", "22|1|9|1|null");
    EXPECT("(weekofyear '2010-01-03')", "53|53|53|53|53");
    /* text that does not match its pattern is counted */
    lp_arena ar;
    lp_arena_init(&ar);
    lp_diag d;
    lp_expr *e = bind(&ar, g_t, "(to_date s 'MM d, yyyy')", &d);
    char *v = values(g_t, e);
    lp_free(v);
    assert_int_equal(lp_expr_nulled(e), 1);
    lp_arena_reset(&ar);
    drop_table();
}

/* ---- lists ---- */

static void test_expr_list_functions(void **state) {
    (void)state;
    with_table("h:array<bigint>,w:array<string>", "[2, 3]|[a, b];[]|[];null|null;[0, null]|[x]");
    EXPECT("(get h 0)", "2|null|null|0");
    EXPECT("(get h 1)", "3|null|null|null");
    EXPECT("(get h 5)", "null|null|null|null");
    EXPECT("(get h -1)", "null|null|null|null");
    EXPECT("(get w 0)", "a|null|null|x");
    EXPECT("(size h)", "2|0|-1|2");
    EXPECT("(element_at h 1)", "2|null|null|0");
    EXPECT("(element_at h -1)", "3|null|null|null");
    EXPECT("(element_at h 0)", "null|null|null|null");
    EXPECT("(cast h array<string>)", "[2, 3]|[]|null|[0, null]");
    EXPECT("(cast h string)", "[2, 3]|[]|null|[0, null]");
    EXPECT("(get (cast h array<double>) 0)", "2.0|null|null|0.0");
    EXPECT("(array_contains h 3)", "true|false|null|null");
    EXPECT("(array_contains h 0)", "false|false|null|true");
    EXPECT("(array_contains w 'x')", "false|false|null|true");
    EXPECT("(/ (get h 0) (+ (get h 0) (get h 1)))", "0.4|null|null|null");
    drop_table();
}

/* ---- evaluation plumbing ---- */

static void test_expr_eval_passthrough_and_constants(void **state) {
    (void)state;
    with_table("a:bigint", "1;2;3");
    lp_arena ar;
    lp_arena_init(&ar);
    lp_diag d;
    lp_expr *e = bind(&ar, g_t, "a", &d);
    lp_column *c;
    assert_int_equal(lp_expr_eval(e, &g_t->parts[0], &c, &d), LP_OK);
    assert_ptr_equal(c, g_t->parts[0].cols[0]);
    lp_column_unref(c);
    e = bind(&ar, g_t, "(+ 1 2)", &d);
    assert_int_equal(lp_expr_eval(e, &g_t->parts[0], &c, &d), LP_OK);
    assert_int_equal(c->len, 2);
    assert_int_equal(c->v.i[1], 3);
    lp_column_unref(c);
    e = bind(&ar, g_t, "(count a)", &d);
    assert_non_null(e);
    assert_true(lp_expr_has_agg(e));
    assert_int_equal(lp_expr_eval(e, &g_t->parts[0], &c, &d), LP_EUNSUPPORTED);
    assert_null(c);
    lp_arena_reset(&ar);
    drop_table();
}

static void test_expr_depth_limit(void **state) {
    (void)state;
    lp_table *t = tu_table("a:bigint", "1", 0);
    lp_arena ar;
    lp_arena_init(&ar);
    lp_expr *e = lp_expr_col(&ar, "a", 1, 0, 1);
    for (int i = 0; i < 1999; i++) e = lp_expr_call(&ar, LP_FN_NEG, &e, 1, 0, 1);
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_expr_bind(e, t->ncols, (const char *const *)t->names, t->types, &d), LP_OK);
    lp_column *c;
    assert_int_equal(lp_expr_eval(e, &t->parts[0], &c, &d), LP_OK);
    assert_int_equal(c->v.i[0], -1);
    lp_column_unref(c);
    e = lp_expr_call(&ar, LP_FN_NEG, &e, 1, 0, 1);
    e = lp_expr_call(&ar, LP_FN_NEG, &e, 1, 0, 1);
    assert_int_equal(lp_expr_bind(e, t->ncols, (const char *const *)t->names, t->types, &d), LP_ELIMIT);
    assert_string_equal(d.msg, "the expression is nested more than 2000 levels deep");
    lp_arena_reset(&ar);
    lp_table_unref(t);
}

static void test_expr_closest_names(void **state) {
    (void)state;
    const char *c[] = {"overall", "reviewText", "summary"};
    assert_string_equal(lp_expr_closest("ovrall", c, 3), "overall");
    assert_string_equal(lp_expr_closest("reviewtext", c, 3), "reviewText");
    assert_null(lp_expr_closest("xyz", c, 3));
    assert_int_equal(lp_expr_distance("kitten", 6, "sitting", 7, 10), 3);
}

/* ---- fault injection ---- */

static void test_expr_fault_injection_bind_and_eval(void **state) {
    (void)state;
    lp_table *t = tu_table("s:string,a:bigint,f:double,h:array<bigint>",
                           "Great product|1|1.5|[1, 2];50% off|null|2.5|null;x y z|3|null|[]", 0);
    const char *srcs[] = {
        "(and (> a 1) (like s '%off%'))",
        "(concat (upper s) (cast a string) (regexp_replace s '[a-z]+' '#'))",
        "(case (rlike s '^G') (split s ' ') (split 'q' ','))",
        "(round (+ (coalesce f 0) (get h 0)) 1)",
        "(to_date (concat '2013-0' (cast a string) '-01') 'yyyy-MM-dd')",
        "(in (substring s 1 2) 'Gr' '50' null)",
    };
    for (size_t i = 0; i < 2 * LP_ARRAY_LEN(srcs); i++) {
        bool sticky = i >= LP_ARRAY_LEN(srcs); /* second round: every allocation after k fails too */
        for (int64_t k = 1; k < 400; k++) {
            lp_arena ar;
            lp_arena_init(&ar);
            lp_mem_fail_at(k, sticky);
            lp_diag d;
            lp_diag_init(&d);
            const char *src = srcs[i % LP_ARRAY_LEN(srcs)];
            px q = {src, src, &ar, &d, false};
            lp_expr *e = parse(&q);
            lp_status st = LP_ENOMEM;
            lp_column *c = NULL;
            if (e && !q.failed) {
                st = lp_expr_bind(e, t->ncols, (const char *const *)t->names, t->types, &d);
                if (st == LP_OK) st = lp_expr_eval(e, &t->parts[0], &c, &d);
            }
            int64_t failed = lp_mem_fail_at(0, false);
            assert_true(st == LP_OK || st == LP_ENOMEM);
            if (st == LP_ENOMEM) assert_null(c);
            lp_column_unref(c);
            lp_arena_reset(&ar);
            if (failed == 0) break;
        }
    }
    lp_table_unref(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_expr_registry_names_and_aliases),
        TU_TEST(test_expr_print_spark_names),
        TU_TEST(test_expr_bind_errors_teach),
        TU_TEST(test_expr_bind_types_and_promotion),
        TU_TEST(test_expr_arithmetic),
        TU_TEST(test_expr_comparisons),
        TU_TEST(test_expr_three_valued_logic),
        TU_TEST(test_expr_conditionals_and_cast),
        TU_TEST(test_expr_string_functions),
        TU_TEST(test_expr_like_and_regex),
        TU_TEST(test_expr_math_functions),
        TU_TEST(test_expr_date_functions),
        TU_TEST(test_expr_list_functions),
        TU_TEST(test_expr_eval_passthrough_and_constants),
        TU_TEST(test_expr_depth_limit),
        TU_TEST(test_expr_closest_names),
        TU_TEST(test_expr_fault_injection_bind_and_eval),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lp_pool_shutdown();
    return rc;
}
