/* test_store.c -- types, values, columns, tables, row keys, the allocator and the pool. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void test_store_type_names_and_parse(void **state) {
    (void)state;
    lp_type t;
    assert_true(lp_type_parse("int", 3, &t) && t.kind == LP_INT64);
    assert_true(lp_type_parse("BIGINT", 6, &t) && t.kind == LP_INT64);
    assert_true(lp_type_parse("array<string>", 13, &t) && t.kind == LP_LIST && t.elem == LP_STRING);
    assert_true(lp_type_parse("decimal(10,2)", 13, &t) && t.kind == LP_FLOAT64);
    assert_true(lp_type_parse("struct<a:int>", 13, &t) && t.kind == LP_STRUCT);
    assert_string_equal(lp_type_name(lp_type_list(LP_INT64)), "array<bigint>");
    assert_int_equal(lp_type_unify(lp_type_of(LP_INT64), lp_type_of(LP_FLOAT64)).kind, LP_FLOAT64);
    assert_int_equal(lp_type_unify(lp_type_of(LP_INT64), lp_type_of(LP_STRING)).kind, LP_STRING);
    assert_int_equal(lp_type_unify(lp_type_of(LP_DATE), lp_type_of(LP_TIMESTAMP)).kind, LP_TIMESTAMP);
    assert_int_equal(lp_type_unify(lp_type_of(LP_NULLTYPE), lp_type_of(LP_DATE)).kind, LP_DATE);
}

static void test_store_dates_round_trip(void **state) {
    (void)state;
    char buf[48];
    for (int32_t d = -800000; d < 800000; d += 997) {
        int64_t y;
        unsigned m, dd;
        lp_civil_from_days(d, &y, &m, &dd);
        assert_int_equal(lp_days_from_civil(y, m, dd), d);
    }
    int32_t days;
    assert_true(lp_parse_date("2013-06-02", 10, &days));
    lp_format_date(days, buf);
    assert_string_equal(buf, "2013-06-02");
    assert_false(lp_parse_date("2013-02-29", 10, &days));
    assert_true(lp_parse_date("2012-02-29", 10, &days));
    assert_false(lp_parse_date("2013-6-2", 8, &days));
    int64_t us;
    assert_true(lp_parse_timestamp("2013-06-02T12:34:56.5Z", 22, &us));
    lp_format_timestamp(us, buf);
    assert_string_equal(buf, "2013-06-02 12:34:56.5");
    assert_true(lp_parse_timestamp("2013-06-02 12:34:56+02:00", 25, &us));
    lp_format_timestamp(us, buf);
    assert_string_equal(buf, "2013-06-02 10:34:56");
    assert_true(lp_parse_timestamp("1969-12-31 23:59:59", 19, &us));
    assert_int_equal(us, -1000000);
    lp_format_timestamp(-1, buf);
    assert_string_equal(buf, "1969-12-31 23:59:59.999999");
}

static void test_store_number_parse_and_format(void **state) {
    (void)state;
    int64_t i;
    double f;
    char buf[48];
    assert_true(lp_parse_int64("-9223372036854775808", 20, &i) && i == INT64_MIN);
    assert_false(lp_parse_int64("9223372036854775808", 19, &i));
    assert_false(lp_parse_int64("12a", 3, &i));
    assert_false(lp_parse_int64("", 0, &i));
    assert_true(lp_parse_float64("1.5e3", 5, &f) && f == 1500.0);
    assert_false(lp_parse_float64(" 1.5", 4, &f));
    assert_false(lp_parse_float64("0x10", 4, &f));
    assert_true(lp_parse_float64("NaN", 3, &f) && isnan(f));
    struct { double v; const char *s; } cases[] = {
        {1.0, "1.0"}, {0.1, "0.1"}, {-2.5, "-2.5"}, {1e7, "1.0E7"}, {1234567.0, "1234567.0"},
        {0.001, "0.001"}, {0.0001, "1.0E-4"}, {1.0 / 3, "0.3333333333333333"}, {123.456, "123.456"},
        {1.5e300, "1.5E300"}, {100.0, "100.0"},
    };
    for (size_t k = 0; k < LP_ARRAY_LEN(cases); k++) {
        lp_format_float64(cases[k].v, buf);
        assert_string_equal(buf, cases[k].s);
    }
}

static void test_store_column_builder_and_nulls(void **state) {
    (void)state;
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_of(LP_STRING));
    for (int i = 0; i < 1000; i++) {
        if (i % 7 == 3) {
            lp_colbuf_append_null(&b);
        } else {
            char s[32];
            int n = snprintf(s, sizeof s, "v%d", i);
            lp_colbuf_append_str(&b, s, (size_t)n);
        }
    }
    lp_column *c;
    assert_int_equal(lp_colbuf_finish(&b, &c), LP_OK);
    assert_int_equal(c->len, 1000);
    assert_int_equal(c->null_count, 143);
    assert_false(lp_col_valid(c, 3));
    assert_true(lp_col_valid(c, 4));
    lp_value v = lp_column_get(c, 999);
    assert_int_equal(v.u.s.n, 4);
    assert_memory_equal(v.u.s.p, "v999", 4);
    int64_t idx[] = {4, 3, -1, 999};
    lp_column *t = lp_column_take(c, idx, 4);
    assert_int_equal(t->null_count, 2);
    v = lp_column_get(t, 3);
    assert_memory_equal(v.u.s.p, "v999", 4);
    lp_column *s = lp_column_slice(c, 2, 3);
    assert_int_equal(s->len, 3);
    assert_false(lp_col_valid(s, 1));
    lp_column *parts[] = {s, t};
    lp_column *cat = lp_column_concat(parts, 2);
    assert_int_equal(cat->len, 7);
    assert_int_equal(cat->null_count, 3);
    v = lp_column_get(cat, 6);
    assert_memory_equal(v.u.s.p, "v999", 4);
    lp_column_unref(cat);
    lp_column_unref(s);
    lp_column_unref(t);
    lp_column_unref(c);
}

static void test_store_list_columns(void **state) {
    (void)state;
    lp_table *t = tu_table("id:bigint,helpful:array<bigint>", "1|[2, 3];2|[];3|null;4|[0, 0]", 2);
    assert_int_equal(t->nparts, 2);
    tu_assert_table(t, "id:bigint|helpful:array<bigint>\n1|[2, 3]\n2|[]\n3|null\n4|[0, 0]\n");
    lp_table *one = lp_table_coalesce(t);
    assert_int_equal(one->nparts, 1);
    tu_assert_table(one, "id:bigint|helpful:array<bigint>\n1|[2, 3]\n2|[]\n3|null\n4|[0, 0]\n");
    lp_table_unref(one);
    lp_table_unref(t);
}

static void test_store_keys_hash_and_equal(void **state) {
    (void)state;
    lp_table *t = tu_table("k:string,f:double", "a|0.0;a|-0.0;b|NaN;b|NaN;null|1.0;null|1.0", 0);
    lp_column **cols = t->parts[0].cols;
    uint64_t h[6];
    lp_keys_hash(cols, 2, 6, h);
    assert_true(h[0] == h[1]);
    assert_true(h[2] == h[3]);
    assert_true(h[4] == h[5]);
    assert_true(lp_keys_equal(cols, 0, cols, 1, 2, true));
    assert_true(lp_keys_equal(cols, 2, cols, 3, 2, true));
    assert_true(lp_keys_equal(cols, 4, cols, 5, 2, true));
    assert_false(lp_keys_equal(cols, 4, cols, 5, 2, false));  /* join: null never matches */
    assert_false(lp_keys_equal(cols, 0, cols, 2, 2, true));
    assert_true(lp_value_cmp_rows(cols[0], 0, cols[0], 2) < 0);
    assert_true(lp_value_cmp_rows(cols[1], 2, cols[1], 4) > 0);  /* NaN sorts last */
    lp_table_unref(t);
}

static void test_store_memory_cap_refuses(void **state) {
    (void)state;
    int64_t cap = lp_mem_cap();
    lp_mem_set_cap(lp_mem_used() + (1 << 20));
    void *a = lp_malloc(512 << 10);
    assert_non_null(a);
    void *b = lp_malloc(1 << 20);
    assert_null(b);
    assert_int_equal(lp_mem_last_refused(), 1 << 20);
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_diag_nomem(&d, "hash join"), LP_ENOMEM);
    assert_non_null(strstr(d.msg, "hash join"));
    assert_non_null(strstr(d.msg, "1.0 MB"));
    assert_non_null(strstr(d.hint, "LOUPE_MEMORY_LIMIT"));
    lp_free(a);
    lp_mem_set_cap(cap);
}

static void test_store_builder_reports_injected_failure(void **state) {
    (void)state;
    /* Fail each allocation in turn: the builder must report LP_ENOMEM and leak nothing. */
    for (int64_t at = 1; at < 40; at++) {
        lp_colbuf b;
        lp_colbuf_init(&b, lp_type_list(LP_STRING));
        lp_mem_fail_at(at, false);
        for (int i = 0; i < 200; i++) {
            lp_colbuf *ch = lp_colbuf_list_child(&b);
            lp_colbuf_append_str(ch, "word", 4);
            if (i % 5 == 0) lp_colbuf_append_null(ch);
            lp_colbuf_list_end(&b);
        }
        lp_column *c = NULL;
        lp_status st = lp_colbuf_finish(&b, &c);
        int64_t failed = lp_mem_fail_at(0, false);
        if (failed) {
            assert_int_equal(st, LP_ENOMEM);
            assert_null(c);
        } else {
            assert_int_equal(st, LP_OK);
            assert_int_equal(c->len, 200);
            lp_column_unref(c);
        }
    }
}

typedef struct {
    atomic_llong sum;
    int64_t slots[64];
} pool_ctx;

static void pool_task(void *ctx, int task) {
    pool_ctx *p = ctx;
    atomic_fetch_add(&p->sum, task);
    p->slots[task] = (int64_t)task * task;
}

static void test_store_pool_runs_every_task(void **state) {
    (void)state;
    for (int threads = 1; threads <= 4; threads++) {
        lp_pool_set_threads(threads);
        for (int rep = 0; rep < 50; rep++) {
            pool_ctx p;
            memset(&p, 0, sizeof p);
            assert_int_equal(lp_pool_run(64, pool_task, &p), LP_OK);
            assert_int_equal(atomic_load(&p.sum), 64 * 63 / 2);
            for (int t = 0; t < 64; t++) assert_int_equal(p.slots[t], (int64_t)t * t);
        }
    }
    lp_pool_set_threads(0);
}

static void cancel_task(void *ctx, int task) {
    (void)ctx;
    if (task == 2) lp_cancel_request();
}

static void test_store_pool_cancellation(void **state) {
    (void)state;
    lp_pool_set_threads(2);
    assert_int_equal(lp_pool_run(1000, cancel_task, NULL), LP_ECANCELLED);
    lp_cancel_clear();
    pool_ctx p;
    memset(&p, 0, sizeof p);
    assert_int_equal(lp_pool_run(8, pool_task, &p), LP_OK);
    lp_pool_set_threads(0);
}

static void test_store_arena_and_strbuf(void **state) {
    (void)state;
    lp_arena a;
    lp_arena_init(&a);
    for (int i = 0; i < 10000; i++) {
        char *s = lp_arena_printf(&a, "token %d", i);
        assert_non_null(s);
        assert_int_equal(((uintptr_t)s) % 16, 0);
    }
    void *big = lp_arena_alloc(&a, 1 << 20);
    assert_non_null(big);
    lp_arena_reset(&a);
    lp_strbuf b;
    lp_strbuf_init(&b);
    for (int i = 0; i < 100; i++) lp_strbuf_printf(&b, "%d,", i);
    assert_int_equal(strncmp(b.p, "0,1,2,", 6), 0);
    char *s = lp_strbuf_take(&b);
    assert_non_null(s);
    lp_free(s);
}

static void test_store_utf8(void **state) {
    (void)state;
    const char *ok = "caf\xC3\xA9 \xE2\x82\xAC";
    assert_true(lp_utf8_valid(ok, strlen(ok)));
    assert_int_equal(lp_utf8_length(ok, strlen(ok)), 6);
    assert_int_equal(lp_utf8_offset(ok, strlen(ok), 4), 5);
    const char *bad = "ab\xC3(\xED\xA0\x80z\xF5";
    assert_false(lp_utf8_valid(bad, strlen(bad)));
    lp_strbuf b;
    lp_strbuf_init(&b);
    int64_t n = lp_utf8_sanitize(&b, bad, strlen(bad));
    assert_int_equal(n, 3);
    assert_true(lp_utf8_valid(b.p, b.len));
    assert_string_equal(b.p, "ab\xEF\xBF\xBD(\xEF\xBF\xBDz\xEF\xBF\xBD");
    lp_strbuf_reset(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_store_type_names_and_parse),
        TU_TEST(test_store_dates_round_trip),
        TU_TEST(test_store_number_parse_and_format),
        TU_TEST(test_store_column_builder_and_nulls),
        TU_TEST(test_store_list_columns),
        TU_TEST(test_store_keys_hash_and_equal),
        TU_TEST(test_store_memory_cap_refuses),
        TU_TEST(test_store_builder_reports_injected_failure),
        TU_TEST(test_store_pool_runs_every_task),
        TU_TEST(test_store_pool_cancellation),
        TU_TEST(test_store_arena_and_strbuf),
        TU_TEST(test_store_utf8),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lp_pool_shutdown();
    return rc;
}
