/* test_filter.c -- the simple relational operators: filter, project, limit, union and sample.
 * Each runs with 1 and 4 threads and must agree; pass-through by reference is checked by
 * pointer; allocation failures are injected at every point in turn; cancellation stops them.
 */
#include "testutil.h"
#include "exec/expr.h"
#include "exec/ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* A table of n rows in partitions of `per` rows: id, g (id % 7, null every 10th), score
 * (id / 4.0), word (text cycling through five words, null every 13th), tags (a list). */
static lp_table *make_table(int n, int per) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    static const char *const words[] = {"great", "bad", "Great value", "ok", "héllo"};
    for (int i = 0; i < n; i++) {
        if (i) lp_strbuf_putc(&b, ';');
        lp_strbuf_printf(&b, "%d|", i);
        if (i % 10 == 9) lp_strbuf_puts(&b, "null|");
        else lp_strbuf_printf(&b, "%d|", i % 7);
        lp_strbuf_printf(&b, "%g|", i / 4.0);
        if (i % 13 == 12) lp_strbuf_puts(&b, "null|");
        else lp_strbuf_printf(&b, "%s|", words[i % 5]);
        lp_strbuf_printf(&b, "[%d, %d]", i % 3, i % 5);
    }
    lp_table *t = tu_table("id:bigint,g:bigint,score:double,word:string,tags:array<bigint>", b.p, per);
    lp_strbuf_reset(&b);
    return t;
}

/* Binds a call tree built from the arguments. */
static lp_expr *col(lp_arena *a, const char *name) { return lp_expr_col(a, name, (size_t)-1, -1, -1); }
static lp_expr *call2(lp_arena *a, lp_fn fn, lp_expr *x, lp_expr *y) {
    lp_expr *args[2] = {x, y};
    return lp_expr_call(a, fn, args, 2, -1, -1);
}
static void must_bind(lp_expr *e, lp_table *t) {
    lp_diag d;
    lp_diag_init(&d);
    if (lp_expr_bind(e, t->ncols, (const char *const *)t->names, t->types, &d) != LP_OK) fail_msg("bind: %s", d.msg);
}

/* g > 2 AND word LIKE '%reat%' */
static lp_expr *pred_of(lp_arena *a, lp_table *t) {
    lp_expr *e = call2(a, LP_FN_AND, call2(a, LP_FN_GT, col(a, "g"), lp_expr_int(a, 2)),
                       call2(a, LP_FN_LIKE, col(a, "word"), lp_expr_str(a, "%reat%", (size_t)-1)));
    must_bind(e, t);
    return e;
}

static char *run_filter(void *arg) {
    lp_table *t = arg;
    lp_arena a;
    lp_arena_init(&a);
    lp_table *out;
    lp_diag d;
    assert_int_equal(lp_filter(t, pred_of(&a, t), &out, &d), LP_OK);
    char *s = tu_dump(out);
    lp_table_unref(out);
    lp_arena_reset(&a);
    return s;
}

static void test_filter_rows_and_threads(void **state) {
    (void)state;
    lp_table *t = make_table(500, 37);
    char *s = tu_same_across_threads(run_filter, t);
    /* every kept row satisfies the predicate; count them independently */
    int expect = 0;
    for (int i = 0; i < 500; i++)
        if (i % 10 != 9 && i % 7 > 2 && i % 13 != 12 && (i % 5 == 0 || i % 5 == 2)) expect++;
    int lines = 0;
    for (char *p = s; *p; p++) lines += *p == '\n';
    assert_int_equal(lines - 1, expect);
    assert_non_null(strstr(s, "id:bigint|g:bigint|score:double|word:string|tags:array<bigint>\n"));
    assert_non_null(strstr(s, "\n5|5|1.25|great|[2, 0]\n"));
    lp_free(s);
    lp_table_unref(t);
}

static void test_filter_null_is_false_and_passthrough(void **state) {
    (void)state;
    lp_table *t = tu_table("a:bigint,s:string", "1|x;2|y;null|z;4|w", 2);
    lp_arena a;
    lp_arena_init(&a);
    lp_diag d;
    lp_table *out;
    /* a > 1: null rows are dropped */
    lp_expr *e = call2(&a, LP_FN_GT, col(&a, "a"), lp_expr_int(&a, 1));
    must_bind(e, t);
    assert_int_equal(lp_filter(t, e, &out, &d), LP_OK);
    tu_assert_table(out, "a:bigint|s:string\n2|y\n4|w\n");
    lp_table_unref(out);
    /* a constant true keeps every partition's columns by reference */
    e = lp_expr_bool(&a, true);
    must_bind(e, t);
    assert_int_equal(lp_filter(t, e, &out, &d), LP_OK);
    assert_int_equal(out->nparts, 2);
    assert_ptr_equal(out->parts[0].cols[0], t->parts[0].cols[0]);
    assert_ptr_equal(out->parts[1].cols[1], t->parts[1].cols[1]);
    lp_table_unref(out);
    /* a partition whose rows all pass is passed through; the other is gathered */
    e = call2(&a, LP_FN_LT, col(&a, "a"), lp_expr_int(&a, 3));
    must_bind(e, t);
    assert_int_equal(lp_filter(t, e, &out, &d), LP_OK);
    tu_assert_table(out, "a:bigint|s:string\n1|x\n2|y\n");
    assert_ptr_equal(out->parts[0].cols[1], t->parts[0].cols[1]);
    lp_table_unref(out);
    /* nothing passes: an empty table with the schema */
    e = lp_expr_bool(&a, false);
    must_bind(e, t);
    assert_int_equal(lp_filter(t, e, &out, &d), LP_OK);
    assert_int_equal(out->nrows, 0);
    assert_int_equal(out->ncols, 2);
    lp_table_unref(out);
    /* a non-boolean predicate is a type error */
    e = col(&a, "a");
    must_bind(e, t);
    assert_int_equal(lp_filter(t, e, &out, &d), LP_ETYPE);
    assert_string_equal(d.msg, "filter needs a boolean condition, got bigint column 'a'");
    assert_null(out);
    lp_arena_reset(&a);
    lp_table_unref(t);
}

static char *run_project(void *arg) {
    lp_table *t = arg;
    lp_arena a;
    lp_arena_init(&a);
    lp_expr *ex[4];
    ex[0] = col(&a, "id");
    ex[1] = call2(&a, LP_FN_MUL, col(&a, "score"), lp_expr_int(&a, 2));
    lp_expr *w = col(&a, "word");
    ex[2] = lp_expr_call(&a, LP_FN_UPPER, &w, 1, -1, -1);
    ex[3] = call2(&a, LP_FN_GET, col(&a, "tags"), lp_expr_int(&a, 1));
    for (int i = 0; i < 4; i++) must_bind(ex[i], t);
    const char *names[] = {"id", NULL, "W", NULL};
    lp_table *out;
    lp_diag d;
    assert_int_equal(lp_project(t, (const lp_expr *const *)ex, names, 4, &out, &d), LP_OK);
    assert_ptr_equal(out->parts[0].cols[0], t->parts[0].cols[0]);
    char *s = tu_dump(out);
    lp_table_unref(out);
    lp_arena_reset(&a);
    return s;
}

static void test_filter_project_threads_and_names(void **state) {
    (void)state;
    lp_table *t = make_table(300, 41);
    char *s = tu_same_across_threads(run_project, t);
    assert_memory_equal(s, "id:bigint|(score * 2):double|W:string|tags[1]:bigint\n0|0.0|GREAT|0\n1|0.5|BAD|1\n",
                        strlen("id:bigint|(score * 2):double|W:string|tags[1]:bigint\n0|0.0|GREAT|0\n1|0.5|BAD|1\n"));
    assert_non_null(strstr(s, "\n12|6.0|null|2\n"));
    lp_free(s);
    lp_table_unref(t);
}

typedef struct cast_arg {
    lp_table *t;
    int64_t nulled;
} cast_arg;

static char *run_cast_project(void *arg) {
    cast_arg *c = arg;
    lp_arena a;
    lp_arena_init(&a);
    lp_expr *e = lp_expr_cast(&a, col(&a, "word"), lp_type_of(LP_INT64), -1, -1);
    must_bind(e, c->t);
    lp_table *out;
    lp_diag d;
    assert_int_equal(lp_project(c->t, (const lp_expr *const *)&e, NULL, 1, &out, &d), LP_OK);
    c->nulled = lp_expr_nulled(e);
    char *s = tu_dump(out);
    lp_table_unref(out);
    lp_arena_reset(&a);
    return s;
}

/* Lossy casts are counted exactly, whatever the thread count. */
static void test_filter_project_counts_lossy_casts(void **state) {
    (void)state;
    lp_table *t = tu_table("word:string", "1;x;2.5;null; 7 ;y;3;z;4;w;5;v", 3);
    cast_arg c = {t, 0};
    char *s = tu_same_across_threads(run_cast_project, &c);
    assert_string_equal(s, "CAST(word AS BIGINT):bigint\n1\nnull\n2\nnull\n7\nnull\n3\nnull\n4\nnull\n5\nnull\n");
    assert_int_equal(c.nulled, 5);
    lp_free(s);
    lp_table_unref(t);
}

/* A table without partitions goes through every operator. */
static void test_filter_empty_table(void **state) {
    (void)state;
    lp_table *t = tu_table("a:bigint,s:string", "", 0);
    assert_int_equal(t->nparts, 0);
    lp_arena a;
    lp_arena_init(&a);
    lp_expr *p = call2(&a, LP_FN_GT, col(&a, "a"), lp_expr_int(&a, 1));
    must_bind(p, t);
    lp_table *out;
    lp_diag d;
    assert_int_equal(lp_filter(t, p, &out, &d), LP_OK);
    tu_assert_table(out, "a:bigint|s:string\n");
    lp_table_unref(out);
    assert_int_equal(lp_project(t, (const lp_expr *const *)&p, NULL, 1, &out, &d), LP_OK);
    tu_assert_table(out, "(a > 1):boolean\n");
    lp_table_unref(out);
    assert_int_equal(lp_sample(t, 0.5, 1, &out, &d), LP_OK);
    assert_int_equal(out->nrows, 0);
    lp_table_unref(out);
    assert_int_equal(lp_union(t, t, &out, &d), LP_OK);
    assert_int_equal(out->nrows, 0);
    lp_table_unref(out);
    assert_int_equal(lp_limit(t, 3, &out, &d), LP_OK);
    assert_int_equal(out->nrows, 0);
    lp_table_unref(out);
    lp_arena_reset(&a);
    lp_table_unref(t);
}

static void test_filter_limit(void **state) {
    (void)state;
    lp_table *t = tu_table("a:bigint", "1;2;3;4;5", 2);
    lp_table *out;
    lp_diag d;
    assert_int_equal(lp_limit(t, 3, &out, &d), LP_OK);
    tu_assert_table(out, "a:bigint\n1\n2\n3\n");
    assert_ptr_equal(out->parts[0].cols[0], t->parts[0].cols[0]);
    lp_table_unref(out);
    assert_int_equal(lp_limit(t, 0, &out, &d), LP_OK);
    assert_int_equal(out->nrows, 0);
    lp_table_unref(out);
    assert_int_equal(lp_limit(t, 100, &out, &d), LP_OK);
    assert_int_equal(out->nrows, 5);
    lp_table_unref(out);
    assert_int_equal(lp_limit(t, -1, &out, &d), LP_EVALUE);
    assert_null(out);
    lp_table_unref(t);
}

static void test_filter_union_unifies_types(void **state) {
    (void)state;
    lp_table *a = tu_table("x:bigint,y:string,d:date", "1|a|2013-06-02;2|null|null", 1);
    lp_table *b = tu_table("p:double,q:bigint,r:timestamp", "2.5|7|2013-06-02 10:00:00", 0);
    lp_table *out;
    lp_diag d;
    assert_int_equal(lp_union(a, b, &out, &d), LP_OK);
    tu_assert_table(out, "x:double|y:string|d:timestamp\n1.0|a|2013-06-02 00:00:00\n2.0|null|null\n"
                         "2.5|7|2013-06-02 10:00:00\n");
    lp_table_unref(out);
    /* same types: columns are shared */
    assert_int_equal(lp_union(a, a, &out, &d), LP_OK);
    assert_int_equal(out->nrows, 4);
    assert_ptr_equal(out->parts[2].cols[1], a->parts[0].cols[1]);
    lp_table_unref(out);
    lp_table *c = tu_table("x:bigint", "1", 0);
    assert_int_equal(lp_union(a, c, &out, &d), LP_ETYPE);
    assert_string_equal(d.msg, "union needs the same number of columns on both sides, but the first has 3 and the second 1");
    assert_null(out);
    lp_table_unref(a);
    lp_table_unref(b);
    lp_table_unref(c);
}

typedef struct sample_arg {
    lp_table *t;
    double f;
    uint64_t seed;
} sample_arg;

static char *run_sample(void *arg) {
    sample_arg *s = arg;
    lp_table *out;
    lp_diag d;
    assert_int_equal(lp_sample(s->t, s->f, s->seed, &out, &d), LP_OK);
    char *txt = tu_dump(out);
    lp_table_unref(out);
    return txt;
}

static int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n - 1;
}

static void test_filter_sample_deterministic(void **state) {
    (void)state;
    lp_table *t = make_table(4000, 97);
    sample_arg a = {t, 0.25, 42};
    char *s1 = tu_same_across_threads(run_sample, &a);
    char *s2 = run_sample(&a);
    assert_string_equal(s1, s2);
    int n = count_lines(s1);
    assert_true(n > 850 && n < 1150);
    a.seed = 43;
    char *s3 = run_sample(&a);
    assert_string_not_equal(s1, s3);
    a.f = 0;
    char *s4 = run_sample(&a);
    assert_int_equal(count_lines(s4), 0);
    a.f = 1;
    char *s5 = run_sample(&a);
    assert_int_equal(count_lines(s5), 4000);
    lp_free(s1);
    lp_free(s2);
    lp_free(s3);
    lp_free(s4);
    lp_free(s5);
    lp_table *out;
    lp_diag d;
    assert_int_equal(lp_sample(t, 1.5, 1, &out, &d), LP_EVALUE);
    assert_null(out);
    lp_table_unref(t);
}

static void test_filter_cancellation(void **state) {
    (void)state;
    lp_table *t = make_table(200, 10);
    lp_arena a;
    lp_arena_init(&a);
    lp_expr *p = pred_of(&a, t);
    lp_expr *ex[1] = {p};
    lp_table *out;
    lp_diag d;
    lp_cancel_request();
    assert_int_equal(lp_filter(t, p, &out, &d), LP_ECANCELLED);
    assert_null(out);
    assert_int_equal(lp_project(t, (const lp_expr *const *)ex, NULL, 1, &out, &d), LP_ECANCELLED);
    assert_null(out);
    assert_int_equal(lp_sample(t, 0.5, 1, &out, &d), LP_ECANCELLED);
    assert_int_equal(lp_union(t, t, &out, &d), LP_ECANCELLED);
    assert_int_equal(lp_limit(t, 5, &out, &d), LP_ECANCELLED);
    assert_null(out);
    lp_cancel_clear();
    assert_int_equal(lp_filter(t, p, &out, &d), LP_OK);
    lp_table_unref(out);
    lp_arena_reset(&a);
    lp_table_unref(t);
}

/* Cancellation while the operator runs: it stops with LP_ECANCELLED and frees what it made, or
 * finished first; either way nothing leaks. */
static void test_filter_cancel_while_running(void **state) {
    (void)state;
    lp_table *t = make_table(4000, 20);
    lp_arena a;
    lp_arena_init(&a);
    lp_expr *p = pred_of(&a, t);
    int cancelled = 0;
    for (int i = 0; i < 20; i++) {
        lp_cancel_clear();
        tu_canceller th;
        tu_cancel_after(&th, (long)i * 50);
        lp_table *out;
        lp_diag d;
        lp_status st = i % 2 ? lp_filter(t, p, &out, &d) : lp_sample(t, 0.5, 3, &out, &d);
        tu_cancel_join(&th);
        assert_true(st == LP_OK || st == LP_ECANCELLED);
        if (st == LP_ECANCELLED) {
            assert_null(out);
            cancelled++;
        }
        lp_table_unref(out);
    }
    lp_cancel_clear();
    assert_true(cancelled > 0);
    lp_arena_reset(&a);
    lp_table_unref(t);
}

/* Runs op with the k-th allocation failing, for every k until one run needs no failure. */
typedef lp_status (*op_fn)(lp_table *t, lp_arena *a, lp_table **out, lp_diag *d);

static lp_status op_filter(lp_table *t, lp_arena *a, lp_table **out, lp_diag *d) {
    lp_expr *e = call2(a, LP_FN_AND, call2(a, LP_FN_GT, col(a, "g"), lp_expr_int(a, 2)),
                       call2(a, LP_FN_LIKE, col(a, "word"), lp_expr_str(a, "%reat%", (size_t)-1)));
    if (!e) return lp_diag_nomem(d, "test");
    lp_status st = lp_expr_bind(e, t->ncols, (const char *const *)t->names, t->types, d);
    return st ? st : lp_filter(t, e, out, d);
}
static lp_status op_project(lp_table *t, lp_arena *a, lp_table **out, lp_diag *d) {
    lp_expr *w = col(a, "word");
    lp_expr *ex[3] = {col(a, "id"), w ? lp_expr_call(a, LP_FN_LENGTH, &w, 1, -1, -1) : NULL,
                      call2(a, LP_FN_DIV, col(a, "score"), col(a, "g"))};
    for (int i = 0; i < 3; i++) {
        if (!ex[i]) return lp_diag_nomem(d, "test");
        lp_status st = lp_expr_bind(ex[i], t->ncols, (const char *const *)t->names, t->types, d);
        if (st) return st;
    }
    return lp_project(t, (const lp_expr *const *)ex, NULL, 3, out, d);
}
static lp_status op_sample(lp_table *t, lp_arena *a, lp_table **out, lp_diag *d) {
    (void)a;
    return lp_sample(t, 0.5, 7, out, d);
}
static lp_status op_union(lp_table *t, lp_arena *a, lp_table **out, lp_diag *d) {
    (void)a;
    lp_table *b = tu_table("id:double,g:bigint,score:double,word:string,tags:array<bigint>", "1.5|1|1.0|x|[1]", 0);
    lp_mem_fail_at(0, false);
    lp_status st = lp_union(t, b, out, d);
    lp_table_unref(b);
    return st;
}
static lp_status op_limit(lp_table *t, lp_arena *a, lp_table **out, lp_diag *d) {
    (void)a;
    return lp_limit(t, 25, out, d);
}

static void test_filter_fault_injection(void **state) {
    (void)state;
    lp_table *t = make_table(60, 20);
    op_fn ops[] = {op_filter, op_project, op_sample, op_limit};
    for (size_t i = 0; i < LP_ARRAY_LEN(ops); i++) {
        for (int round = 0; round < 4; round++) {
            lp_pool_set_threads(round % 2 ? 4 : 1);
            bool sticky = round >= 2;
            for (int64_t k = 1; k < 2000; k++) {
                lp_arena a;
                lp_arena_init(&a);
                lp_table *out = NULL;
                lp_diag d;
                lp_diag_init(&d);
                lp_mem_fail_at(k, sticky);
                lp_status st = ops[i](t, &a, &out, &d);
                int64_t failed = lp_mem_fail_at(0, false);
                if (st != LP_OK && st != LP_ENOMEM) fail_msg("op %zu k %lld: status %d %s", i, (long long)k, st, d.msg);
                if (st == LP_ENOMEM) {
                    assert_null(out);
                    assert_non_null(strstr(d.msg, "out of memory"));
                }
                lp_table_unref(out);
                lp_arena_reset(&a);
                if (failed == 0) {
                    assert_int_equal(st, LP_OK);
                    break;
                }
            }
        }
    }
    /* union: the second table is built outside the injection */
    lp_pool_set_threads(1);
    for (int64_t k = 1; k < 200; k++) {
        lp_table *b = tu_table("id:double,g:bigint,score:double,word:string,tags:array<bigint>", "1.5|1|1.0|x|[1]", 0);
        lp_table *out = NULL;
        lp_diag d;
        lp_mem_fail_at(k, false);
        lp_status st = lp_union(t, b, &out, &d);
        int64_t failed = lp_mem_fail_at(0, false);
        assert_true(st == LP_OK || st == LP_ENOMEM);
        lp_table_unref(out);
        lp_table_unref(b);
        if (!failed) break;
    }
    lp_pool_set_threads(0);
    (void)op_union;
    lp_table_unref(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_filter_rows_and_threads),
        TU_TEST(test_filter_null_is_false_and_passthrough),
        TU_TEST(test_filter_project_threads_and_names),
        TU_TEST(test_filter_project_counts_lossy_casts),
        TU_TEST(test_filter_empty_table),
        TU_TEST(test_filter_limit),
        TU_TEST(test_filter_union_unifies_types),
        TU_TEST(test_filter_sample_deterministic),
        TU_TEST(test_filter_cancellation),
        TU_TEST(test_filter_cancel_while_running),
        TU_TEST(test_filter_fault_injection),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lp_pool_shutdown();
    return rc;
}
