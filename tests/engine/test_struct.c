/* test_struct.c -- struct columns: the schema registry, the builder, take/slice/concat, values
 * and their text, row keys (hash, equality, order), and refused allocations on every path. */
#include "testutil.h"
#include "exec/expr.h"

#include <stdio.h>
#include <stdlib.h>

/* struct<a:bigint,b:string> */
static lp_type ab_type(void) {
    static const char *const names[] = {"a", "b"};
    lp_type types[2] = {lp_type_of(LP_INT64), lp_type_of(LP_STRING)};
    lp_type t;
    assert_true(lp_type_struct(2, names, types, &t));
    return t;
}

/* Rows {1, x}, null, {null, y}, {1, x}, {0, z}. NULL when an allocation was refused. */
static lp_column *ab_column(void) {
    lp_colbuf b;
    lp_colbuf_init(&b, ab_type());
    static const int64_t as[] = {1, -1, -2, 1, 0};
    static const char *const bs[] = {"x", NULL, "y", "x", "z"};
    for (int r = 0; r < 5; r++) {
        if (as[r] == -1) {
            lp_colbuf_append_null(&b);
            continue;
        }
        if (as[r] == -2) lp_colbuf_append_null(lp_colbuf_struct_field(&b, 0));
        else lp_colbuf_append_i64(lp_colbuf_struct_field(&b, 0), as[r]);
        lp_colbuf_append_str(lp_colbuf_struct_field(&b, 1), bs[r], strlen(bs[r]));
        lp_colbuf_struct_end(&b);
    }
    lp_column *c;
    return lp_colbuf_finish(&b, &c) == LP_OK ? c : NULL;
}

/* The column's rows as show() prints them, joined by '|'. Caller frees. */
static char *text(const lp_column *c) {
    lp_strbuf s;
    lp_strbuf_init(&s);
    for (int64_t r = 0; r < c->len; r++) {
        if (r) lp_strbuf_putc(&s, '|');
        lp_value v = lp_column_get(c, r);
        lp_value_format(&v, &s);
    }
    return lp_strbuf_take(&s);
}

#define ASSERT_TEXT(c, want)              \
    do {                                  \
        char *got_ = text(c);             \
        assert_string_equal(got_, want);  \
        lp_free(got_);                    \
    } while (0)

static void test_struct_registry_interns(void **state) {
    (void)state;
    lp_type t = ab_type(), u = ab_type(), p;
    assert_int_equal(t.kind, LP_STRUCT);
    assert_true(lp_type_eq(t, u));
    assert_string_equal(lp_type_name(t), "struct<a:bigint,b:string>");
    assert_true(lp_type_parse(" struct<a: bigint, b:string> ", 29, &p));
    assert_true(lp_type_eq(p, t));
    /* another order is another type; nesting names recursively */
    assert_true(lp_type_parse("struct<b:string,a:bigint>", 25, &p));
    assert_false(lp_type_eq(p, t));
    assert_true(lp_type_parse("struct<w:struct<start:timestamp,end:timestamp>,n:array<string>>", 63, &p));
    assert_string_equal(lp_type_name(p), "struct<w:struct<start:timestamp,end:timestamp>,n:array<string>>");
    assert_false(lp_type_parse("struct<a>", 9, &p));
    assert_false(lp_type_parse("struct<a:nosuch>", 16, &p));
    assert_int_equal(lp_struct_field(t, "b", 1), 1);
    assert_int_equal(lp_struct_field(t, "B", 1), 1);
    assert_int_equal(lp_struct_field(t, "c", 1), -1);
    assert_null(lp_struct_schema_of(lp_type_of(LP_INT64)));
    /* a struct unified with anything else is text, as for other mismatches */
    assert_int_equal(lp_type_unify(t, lp_type_of(LP_INT64)).kind, LP_STRING);
    assert_true(lp_type_eq(lp_type_unify(t, lp_type_of(LP_NULLTYPE)), t));
}

static void test_struct_build_take_slice_concat(void **state) {
    (void)state;
    lp_column *c = ab_column();
    assert_non_null(c);
    assert_int_equal(c->len, 5);
    assert_int_equal(c->null_count, 1);
    ASSERT_TEXT(c, "{1, x}|null|{null, y}|{1, x}|{0, z}");
    /* a null struct holds nulls in its fields */
    assert_false(lp_col_valid(c->fields[0], 1));
    assert_false(lp_col_valid(c->fields[1], 1));
    assert_true(lp_column_bytes(c) > 0);
    int64_t idx[] = {4, -1, 1, 0};
    lp_column *t = lp_column_take(c, idx, 4);
    ASSERT_TEXT(t, "{0, z}|null|null|{1, x}");
    lp_column *s = lp_column_slice(c, 1, 3);
    ASSERT_TEXT(s, "null|{null, y}|{1, x}");
    lp_column *parts[] = {t, s};
    lp_column *cc = lp_column_concat(parts, 2);
    ASSERT_TEXT(cc, "{0, z}|null|null|{1, x}|null|{null, y}|{1, x}");
    assert_int_equal(cc->null_count, 3);
    /* a value appended to another builder copies its fields; a null makes a null */
    lp_value v = lp_column_get(c, 2), nul = lp_column_get(c, 1);
    lp_column *k = lp_column_new_const(&v, 2), *n = lp_column_new_null(c->type, 2);
    ASSERT_TEXT(k, "{null, y}|{null, y}");
    ASSERT_TEXT(n, "null|null");
    assert_true(nul.null);
    lp_column_unref(k);
    lp_column_unref(n);
    lp_column_unref(cc);
    lp_column_unref(s);
    lp_column_unref(t);
    lp_column_unref(c);
}

static void test_struct_keys_hash_equal_order(void **state) {
    (void)state;
    lp_column *c = ab_column();
    uint64_t h[5];
    lp_column *cols[] = {c};
    lp_keys_hash(cols, 1, 5, h);
    assert_true(h[0] == h[3]);
    assert_true(h[0] != h[4]);
    assert_true(lp_keys_equal(cols, 0, cols, 3, 1, false));
    assert_false(lp_keys_equal(cols, 0, cols, 4, 1, false));
    assert_false(lp_keys_equal(cols, 1, cols, 1, 1, false));
    assert_true(lp_keys_equal(cols, 1, cols, 1, 1, true));
    /* field by field: {0, z} < {1, x}; a null field sorts first */
    assert_true(lp_value_cmp_rows(c, 4, c, 0) < 0);
    assert_true(lp_value_cmp_rows(c, 0, c, 4) > 0);
    assert_int_equal(lp_value_cmp_rows(c, 0, c, 3), 0);
    assert_true(lp_value_cmp_rows(c, 2, c, 4) < 0);
    lp_column_unref(c);
}

/* A table with a struct column through the operators that copy rows generically. */
static void test_struct_in_a_table(void **state) {
    (void)state;
    lp_column *c = ab_column();
    lp_type t = c->type;
    const char *names[] = {"s"};
    lp_table *tb = lp_table_new(1, names, &t);
    lp_column *cols[] = {c};
    assert_int_equal(lp_table_add_part(tb, 5, cols), LP_OK);
    lp_column *c2 = ab_column();
    lp_column *cols2[] = {c2};
    assert_int_equal(lp_table_add_part(tb, 5, cols2), LP_OK);
    lp_table *one = lp_table_coalesce(tb);
    assert_int_equal(one->nparts, 1);
    ASSERT_TEXT(one->parts[0].cols[0], "{1, x}|null|{null, y}|{1, x}|{0, z}|{1, x}|null|{null, y}|{1, x}|{0, z}");
    char *dump = tu_dump(one);
    assert_non_null(strstr(dump, "s:struct<a:bigint,b:string>"));
    lp_free(dump);
    lp_table_unref(one);
    lp_table_unref(tb);
}

/* Every allocation refused in turn: an error, never a crash, and nothing leaked. */
static void test_struct_refused_allocations(void **state) {
    (void)state;
    (void)ab_type(); /* interned before counting: the registry lives outside the session's memory */
    for (int sticky = 0; sticky < 2; sticky++) {
        for (int64_t k = 1; k < 1000; k++) {
            int64_t before = lp_mem_used();
            lp_mem_fail_at(k, sticky);
            lp_column *c = ab_column(), *t = NULL, *s = NULL;
            if (c) {
                int64_t idx[] = {4, -1, 1};
                t = lp_column_take(c, idx, 3);
                s = lp_column_slice(c, 1, 3);
            }
            int64_t failed = lp_mem_fail_at(0, false);
            if (c && t && s) {
                ASSERT_TEXT(t, "{0, z}|null|null");
                ASSERT_TEXT(s, "null|{null, y}|{1, x}");
            }
            lp_column_unref(s);
            lp_column_unref(t);
            lp_column_unref(c);
            assert_int_equal(lp_mem_used(), before);
            if (failed == 0) break;
        }
    }
}

static void test_struct_durations_and_windows(void **state) {
    (void)state;
    int64_t us;
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_duration_parse("10 minutes", 10, &us, &d), LP_OK);
    assert_int_equal(us, 600000000LL);
    assert_int_equal(lp_duration_parse("interval 1 day 12 hours", 23, &us, &d), LP_OK);
    assert_int_equal(us, 129600000000LL);
    assert_int_equal(lp_duration_parse("1 WEEK", 6, &us, &d), LP_OK);
    assert_int_equal(us, 604800000000LL);
    assert_int_equal(lp_duration_parse("10 minuets", 10, &us, &d), LP_EVALUE);
    assert_string_equal(d.msg, "'10 minuets' is not a duration: 'minuets' is not a unit");
    lp_diag_init(&d);
    assert_int_equal(lp_duration_parse("1 month", 7, &us, &d), LP_EVALUE);
    assert_int_equal(lp_duration_parse("minutes", 7, &us, &d), LP_EVALUE);
    assert_int_equal(lp_duration_parse("", 0, &us, &d), LP_EVALUE);
    /* windows align to the epoch plus the offset, also before 1970 */
    lp_window_def w = {600000000LL, 300000000LL, 0};
    assert_int_equal(lp_window_last_start(&w, 0), 0);
    assert_int_equal(lp_window_last_start(&w, 299999999LL), 0);
    assert_int_equal(lp_window_last_start(&w, 300000000LL), 300000000LL);
    assert_int_equal(lp_window_last_start(&w, -1), -300000000LL);
    lp_window_def o = {600000000LL, 600000000LL, 60000000LL};
    assert_int_equal(lp_window_last_start(&o, 0), -540000000LL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_struct_registry_interns),
        TU_TEST(test_struct_build_take_slice_concat),
        TU_TEST(test_struct_keys_hash_equal_order),
        TU_TEST(test_struct_in_a_table),
        TU_TEST(test_struct_refused_allocations),
        TU_TEST(test_struct_durations_and_windows),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lp_pool_shutdown();
    return rc;
}
