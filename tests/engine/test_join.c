/* test_join.c -- lp_join: every join type on hand-checked tables (null keys, duplicates on both
 * sides, several keys, int64 against float64 keys, empty sides), random tables against a
 * nested-loop reference (row order included), threads, allocation failures, cancellation and
 * the memory cap. */
#include "testutil.h"

#include "exec/ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static lp_table *joined(lp_table *l, lp_table *r, const int *lk, const int *rk, int nkeys, lp_join_how how) {
    lp_diag d;
    lp_diag_init(&d);
    lp_table *out = NULL;
    if (lp_join(l, r, lk, rk, nkeys, how, &out, &d) != LP_OK) fail_msg("lp_join failed: %s", d.msg);
    assert_non_null(out);
    return out;
}

static void check_join(lp_table *l, lp_table *r, const int *lk, const int *rk, int nkeys, lp_join_how how,
                       const char *expected) {
    lp_table *out = joined(l, r, lk, rk, nkeys, how);
    tu_assert_table(out, expected);
    lp_table_unref(out);
}

#define HDR4 "k:bigint|lv:string|k:bigint|rv:string\n"

static void test_join_each_type_with_nulls_and_duplicates(void **state) {
    (void)state;
    lp_table *l = tu_table("k:bigint,lv:string", "1|a;2|b;null|c;2|d;3|e", 2);
    lp_table *r = tu_table("k:bigint,rv:string", "2|x;1|y;2|z;null|w;4|v", 2);
    int k[] = {0};
    check_join(l, r, k, k, 1, LP_JOIN_INNER, HDR4 "1|a|1|y\n2|b|2|x\n2|b|2|z\n2|d|2|x\n2|d|2|z\n");
    check_join(l, r, k, k, 1, LP_JOIN_LEFT,
               HDR4 "1|a|1|y\n2|b|2|x\n2|b|2|z\nnull|c|null|null\n2|d|2|x\n2|d|2|z\n3|e|null|null\n");
    check_join(l, r, k, k, 1, LP_JOIN_RIGHT,
               HDR4 "1|a|1|y\n2|b|2|x\n2|b|2|z\n2|d|2|x\n2|d|2|z\nnull|null|null|w\nnull|null|4|v\n");
    check_join(l, r, k, k, 1, LP_JOIN_FULL,
               HDR4 "1|a|1|y\n2|b|2|x\n2|b|2|z\nnull|c|null|null\n2|d|2|x\n2|d|2|z\n3|e|null|null\n"
                    "null|null|null|w\nnull|null|4|v\n");
    check_join(l, r, k, k, 1, LP_JOIN_SEMI, "k:bigint|lv:string\n1|a\n2|b\n2|d\n");
    check_join(l, r, k, k, 1, LP_JOIN_ANTI, "k:bigint|lv:string\nnull|c\n3|e\n");
    lp_table *l2 = tu_table("k:bigint,lv:string", "1|a;null|b", 1);
    lp_table *r2 = tu_table("k:bigint,rv:string", "7|x;null|y;8|z", 2);
    check_join(l2, r2, NULL, NULL, 0, LP_JOIN_CROSS,
               HDR4 "1|a|7|x\n1|a|null|y\n1|a|8|z\nnull|b|7|x\nnull|b|null|y\nnull|b|8|z\n");
    /* a null key never matches, not even a null */
    check_join(l2, r2, k, k, 1, LP_JOIN_INNER, HDR4);
    check_join(l2, r2, k, k, 1, LP_JOIN_ANTI, "k:bigint|lv:string\n1|a\nnull|b\n");
    lp_table_unref(l2);
    lp_table_unref(r2);
    lp_table_unref(l);
    lp_table_unref(r);
}

static void test_join_multiple_keys(void **state) {
    (void)state;
    lp_table *l = tu_table("s:string,n:bigint,v:double", "a|1|0.5;a|2|1.5;b|1|2.5;null|1|3.5;b|null|4.5;a|1|5.5", 2);
    lp_table *r = tu_table("n:bigint,s:string,w:boolean", "1|a|true;1|b|false;2|a|true;1|a|false;null|b|true", 3);
    int lk[] = {0, 1}, rk[] = {1, 0};
    const char *hdr = "s:string|n:bigint|v:double|n:bigint|s:string|w:boolean\n";
    char want[1024];
    snprintf(want, sizeof want, "%s%s", hdr,
             "a|1|0.5|1|a|true\na|1|0.5|1|a|false\na|2|1.5|2|a|true\nb|1|2.5|1|b|false\n"
             "a|1|5.5|1|a|true\na|1|5.5|1|a|false\n");
    check_join(l, r, lk, rk, 2, LP_JOIN_INNER, want);
    snprintf(want, sizeof want, "%s%s", hdr,
             "a|1|0.5|1|a|true\na|1|0.5|1|a|false\na|2|1.5|2|a|true\nb|1|2.5|1|b|false\n"
             "null|1|3.5|null|null|null\nb|null|4.5|null|null|null\na|1|5.5|1|a|true\na|1|5.5|1|a|false\n");
    check_join(l, r, lk, rk, 2, LP_JOIN_LEFT, want);
    snprintf(want, sizeof want, "%s%s", hdr,
             "a|1|0.5|1|a|true\na|1|0.5|1|a|false\na|2|1.5|2|a|true\nb|1|2.5|1|b|false\n"
             "a|1|5.5|1|a|true\na|1|5.5|1|a|false\nnull|null|null|null|b|true\n");
    check_join(l, r, lk, rk, 2, LP_JOIN_RIGHT, want);
    lp_table_unref(l);
    lp_table_unref(r);
}

static void test_join_int_against_double_keys(void **state) {
    (void)state;
    lp_table *l = tu_table("i:bigint", "1;2;3;null;-0;4", 2);
    lp_table *r = tu_table("f:double,t:string", "1.0|one;2.5|two-and-a-half;3.0|three;NaN|nan;-0.0|zero;3.0|drei", 0);
    int lk[] = {0}, rk[] = {0};
    check_join(l, r, lk, rk, 1, LP_JOIN_INNER,
               "i:bigint|f:double|t:string\n1|1.0|one\n3|3.0|three\n3|3.0|drei\n0|-0.0|zero\n");
    /* the other way round: the right side is the int64 one */
    check_join(r, l, rk, lk, 1, LP_JOIN_LEFT,
               "f:double|t:string|i:bigint\n1.0|one|1\n2.5|two-and-a-half|null\n3.0|three|3\nNaN|nan|null\n"
               "-0.0|zero|0\n3.0|drei|3\n");
    /* NaN joins NaN, as Spark's join does */
    lp_table *r2 = tu_table("f:double", "NaN;1.0", 0);
    int k[] = {0};
    check_join(r, r2, k, k, 1, LP_JOIN_SEMI, "f:double|t:string\n1.0|one\nNaN|nan\n");
    lp_table_unref(r2);
    lp_table_unref(l);
    lp_table_unref(r);
}

static void test_join_empty_sides(void **state) {
    (void)state;
    lp_table *l = tu_table("k:bigint,lv:string", "1|a;2|b", 0);
    lp_table *e = tu_table("k:bigint,rv:string", "", 0);
    int k[] = {0};
    check_join(l, e, k, k, 1, LP_JOIN_INNER, HDR4);
    check_join(l, e, k, k, 1, LP_JOIN_LEFT, HDR4 "1|a|null|null\n2|b|null|null\n");
    check_join(l, e, k, k, 1, LP_JOIN_FULL, HDR4 "1|a|null|null\n2|b|null|null\n");
    check_join(l, e, k, k, 1, LP_JOIN_RIGHT, HDR4);
    check_join(l, e, k, k, 1, LP_JOIN_SEMI, "k:bigint|lv:string\n");
    check_join(l, e, k, k, 1, LP_JOIN_ANTI, "k:bigint|lv:string\n1|a\n2|b\n");
    check_join(l, e, NULL, NULL, 0, LP_JOIN_CROSS, HDR4);
    check_join(e, l, k, k, 1, LP_JOIN_RIGHT, "k:bigint|rv:string|k:bigint|lv:string\nnull|null|1|a\nnull|null|2|b\n");
    check_join(e, l, k, k, 1, LP_JOIN_LEFT, "k:bigint|rv:string|k:bigint|lv:string\n");
    check_join(e, e, k, k, 1, LP_JOIN_FULL, "k:bigint|rv:string|k:bigint|rv:string\n");
    lp_table_unref(l);
    lp_table_unref(e);
}

static void test_join_rejects_bad_arguments(void **state) {
    (void)state;
    lp_table *l = tu_table("k:bigint", "1", 0);
    lp_table *r = tu_table("k:string", "1", 0);
    int k[] = {0};
    lp_diag d;
    lp_diag_init(&d);
    lp_table *out = (lp_table *)1;
    assert_int_equal(lp_join(l, r, k, k, 1, LP_JOIN_INNER, &out, &d), LP_ETYPE);
    assert_null(out);
    assert_non_null(strstr(d.msg, "string"));
    assert_int_equal(lp_join(l, l, k, k, 1, LP_JOIN_CROSS, &out, &d), LP_EVALUE);
    int bad[] = {5};
    assert_int_equal(lp_join(l, l, bad, k, 1, LP_JOIN_INNER, &out, &d), LP_EVALUE);
    lp_table_unref(l);
    lp_table_unref(r);
}

/* ---- random tables against a nested loop ---- */

static uint64_t rng_next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static const char *STRS[] = {"a", "b", "cc", "", "\xC3\xA9t\xC3\xA9"};
static const char *DBLS[] = {"0.0", "1.0", "1.5", "2.0", "5.0", "NaN", "-0.0"};

/* side 0: "k1:bigint,k2:string,kd:bigint,id:bigint"; side 1: kd is a double. */
static lp_table *random_side(int side, int n, int per, uint64_t *s, int krange) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    for (int i = 0; i < n; i++) {
        if (i) lp_strbuf_putc(&b, ';');
        if (rng_next(s) % 8 == 0) lp_strbuf_puts(&b, "null|");
        else lp_strbuf_printf(&b, "%d|", (int)(rng_next(s) % (uint64_t)krange));
        if (rng_next(s) % 9 == 0) lp_strbuf_puts(&b, "null|");
        else lp_strbuf_printf(&b, "%s|", STRS[rng_next(s) % LP_ARRAY_LEN(STRS)]);
        if (rng_next(s) % 10 == 0) lp_strbuf_puts(&b, "null|");
        else if (side == 0) lp_strbuf_printf(&b, "%d|", (int)(rng_next(s) % 6));
        else lp_strbuf_printf(&b, "%s|", DBLS[rng_next(s) % LP_ARRAY_LEN(DBLS)]);
        lp_strbuf_printf(&b, "%d", side * 100000 + i);
    }
    lp_table *t = tu_table(side == 0 ? "k1:bigint,k2:string,kd:bigint,id:bigint" : "k1:bigint,k2:string,kd:double,id:bigint",
                           b.p ? b.p : "", per);
    lp_strbuf_reset(&b);
    return t;
}

static bool ref_eq(lp_value a, lp_value b) {
    if (a.null || b.null) return false;
    if (lp_type_numeric(a.type) && lp_type_numeric(b.type)) {
        double x = a.type.kind == LP_INT64 ? (double)a.u.i : a.u.f, y = b.type.kind == LP_INT64 ? (double)b.u.i : b.u.f;
        return (isnan(x) && isnan(y)) || x == y;
    }
    return a.u.s.n == b.u.s.n && memcmp(a.u.s.p, b.u.s.p, (size_t)a.u.s.n) == 0;
}

static void ref_row(lp_strbuf *out, lp_table *t, int64_t r, bool null, bool first) {
    for (int c = 0; c < t->ncols; c++) {
        if (c || !first) lp_strbuf_putc(out, '|');
        lp_value v = null ? lp_value_null() : lp_column_get(t->parts[0].cols[c], r);
        lp_value_format(&v, out);
    }
}

/* The join as a nested loop, formatted as tu_dump formats it. */
static char *ref_join(lp_table *l0, lp_table *r0, const int *lk, const int *rk, int nkeys, lp_join_how how) {
    lp_table *l = lp_table_coalesce(l0), *r = lp_table_coalesce(r0);
    lp_strbuf out;
    lp_strbuf_init(&out);
    bool rcols = how != LP_JOIN_SEMI && how != LP_JOIN_ANTI;
    for (int c = 0; c < l->ncols; c++) lp_strbuf_printf(&out, "%s%s:%s", c ? "|" : "", l->names[c], lp_type_name(l->types[c]));
    for (int c = 0; rcols && c < r->ncols; c++) lp_strbuf_printf(&out, "|%s:%s", r->names[c], lp_type_name(r->types[c]));
    lp_strbuf_putc(&out, '\n');
    bool *rmatched = calloc((size_t)r->nrows + 1, 1);
    for (int64_t i = 0; i < l->nrows; i++) {
        bool any = false;
        for (int64_t j = 0; j < r->nrows; j++) {
            bool m = true;
            for (int k = 0; k < nkeys && m; k++)
                m = ref_eq(lp_column_get(l->parts[0].cols[lk[k]], i), lp_column_get(r->parts[0].cols[rk[k]], j));
            if (!m) continue;
            any = true;
            rmatched[j] = true;
            if (!rcols) break;
            ref_row(&out, l, i, false, true);
            ref_row(&out, r, j, false, false);
            lp_strbuf_putc(&out, '\n');
        }
        if ((how == LP_JOIN_SEMI && any) || (how == LP_JOIN_ANTI && !any)) {
            ref_row(&out, l, i, false, true);
            lp_strbuf_putc(&out, '\n');
        }
        if (!any && (how == LP_JOIN_LEFT || how == LP_JOIN_FULL)) {
            ref_row(&out, l, i, false, true);
            ref_row(&out, r, 0, true, false);
            lp_strbuf_putc(&out, '\n');
        }
    }
    if (how == LP_JOIN_RIGHT || how == LP_JOIN_FULL) {
        for (int64_t j = 0; j < r->nrows; j++) {
            if (rmatched[j]) continue;
            ref_row(&out, l, 0, true, true);
            ref_row(&out, r, j, false, false);
            lp_strbuf_putc(&out, '\n');
        }
    }
    free(rmatched);
    lp_table_unref(l);
    lp_table_unref(r);
    return lp_strbuf_take(&out);
}

static const struct {
    int n;
    int lk[3], rk[3];
} KEYSETS[] = {{1, {0}, {0}}, {2, {0, 1}, {0, 1}}, {1, {2}, {2}}, {1, {1}, {1}}, {3, {1, 2, 0}, {1, 2, 0}}, {0, {0}, {0}}};

static void test_join_random_against_nested_loop(void **state) {
    (void)state;
    uint64_t s = 12345;
    lp_join_how hows[] = {LP_JOIN_INNER, LP_JOIN_LEFT, LP_JOIN_RIGHT, LP_JOIN_FULL, LP_JOIN_SEMI, LP_JOIN_ANTI};
    for (int rep = 0; rep < 30; rep++) {
        int ln = (int)(rng_next(&s) % 120), rn = (int)(rng_next(&s) % 90);
        int lper = 1 + (int)(rng_next(&s) % 40), rper = 1 + (int)(rng_next(&s) % 40);
        int krange = 2 + (int)(rng_next(&s) % 10);
        lp_table *l = random_side(0, ln, lper, &s, krange), *r = random_side(1, rn, rper, &s, krange);
        for (size_t ks = 0; ks < LP_ARRAY_LEN(KEYSETS); ks++) {
            for (size_t h = 0; h < LP_ARRAY_LEN(hows); h++) {
                int nk = KEYSETS[ks].n;
                lp_join_how how = nk == 0 && hows[h] == LP_JOIN_INNER ? LP_JOIN_CROSS : hows[h];
                char *want = ref_join(l, r, KEYSETS[ks].lk, KEYSETS[ks].rk, nk, how);
                lp_table *out = joined(l, r, KEYSETS[ks].lk, KEYSETS[ks].rk, nk, how);
                tu_assert_table(out, want);
                lp_table_unref(out);
                lp_free(want);
            }
        }
        lp_table_unref(l);
        lp_table_unref(r);
    }
}

typedef struct thread_arg {
    lp_table *l, *r;
    const int *lk, *rk;
    int nkeys;
    lp_join_how how;
} thread_arg;

static char *join_text(void *arg) {
    thread_arg *a = arg;
    lp_table *out = joined(a->l, a->r, a->lk, a->rk, a->nkeys, a->how);
    char *s = tu_dump(out);
    lp_table_unref(out);
    return s;
}

static void test_join_same_across_threads(void **state) {
    (void)state;
    uint64_t s = 777;
    lp_table *l = random_side(0, 3000, 100, &s, 300), *r = random_side(1, 2000, 150, &s, 300);
    lp_join_how hows[] = {LP_JOIN_INNER, LP_JOIN_LEFT, LP_JOIN_RIGHT, LP_JOIN_FULL, LP_JOIN_SEMI, LP_JOIN_ANTI};
    int lk[] = {0, 1}, rk[] = {0, 1};
    for (size_t h = 0; h < LP_ARRAY_LEN(hows); h++) {
        thread_arg a = {l, r, lk, rk, 2, hows[h]};
        lp_free(tu_same_across_threads(join_text, &a));
    }
    lp_table *l2 = random_side(0, 200, 7, &s, 5), *r2 = random_side(1, 100, 9, &s, 5);
    thread_arg a = {l2, r2, NULL, NULL, 0, LP_JOIN_CROSS};
    lp_free(tu_same_across_threads(join_text, &a));
    lp_table_unref(l2);
    lp_table_unref(r2);
    lp_table_unref(l);
    lp_table_unref(r);
}

static void test_join_allocation_failures(void **state) {
    (void)state;
    uint64_t s = 4242;
    lp_table *l = random_side(0, 300, 40, &s, 20), *r = random_side(1, 200, 60, &s, 20);
    lp_join_how hows[] = {LP_JOIN_INNER, LP_JOIN_FULL, LP_JOIN_ANTI};
    int lk[] = {2, 1}, rk[] = {2, 1};
    for (size_t h = 0; h < LP_ARRAY_LEN(hows); h++) {
        char *want = ref_join(l, r, lk, rk, 2, hows[h]);
        for (int threads = 1; threads <= 2; threads++) {
            lp_pool_set_threads(threads);
            bool done = false;
            for (int64_t at = 1; !done && at < 3000; at++) {
                lp_diag d;
                lp_diag_init(&d);
                lp_table *out = (lp_table *)1;
                lp_mem_fail_at(at, false);
                lp_status st = lp_join(l, r, lk, rk, 2, hows[h], &out, &d);
                int64_t failed = lp_mem_fail_at(0, false);
                if (failed) {
                    assert_int_equal(st, LP_ENOMEM);
                    assert_null(out);
                    assert_non_null(strstr(d.msg, "join"));
                } else {
                    assert_int_equal(st, LP_OK);
                    tu_assert_table(out, want);
                    lp_table_unref(out);
                    done = true;
                }
            }
            assert_true(done);
        }
        lp_free(want);
    }
    lp_pool_set_threads(0);
    lp_table_unref(l);
    lp_table_unref(r);
}

/* n rows in partitions of per: k = i % mod, v = i. */
static lp_table *int_table(int64_t n, int64_t per, int64_t mod) {
    const char *names[] = {"k", "v"};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_INT64)};
    lp_table *t = lp_table_new(2, names, types);
    for (int64_t s = 0; s < n; s += per) {
        int64_t m = LP_MIN(per, n - s);
        lp_colbuf b[2];
        lp_colbuf_init(&b[0], types[0]);
        lp_colbuf_init(&b[1], types[1]);
        for (int64_t i = s; i < s + m; i++) {
            lp_colbuf_append_i64(&b[0], i % mod);
            lp_colbuf_append_i64(&b[1], i);
        }
        lp_column *cols[2];
        assert_int_equal(lp_colbuf_finish(&b[0], &cols[0]), LP_OK);
        assert_int_equal(lp_colbuf_finish(&b[1], &cols[1]), LP_OK);
        assert_int_equal(lp_table_add_part(t, m, cols), LP_OK);
    }
    return t;
}

static void test_join_cancellation(void **state) {
    (void)state;
    lp_table *l = int_table(200000, 10000, 5000), *r = int_table(20000, 7000, 5000);
    int k[] = {0};
    lp_diag d;
    lp_diag_init(&d);
    lp_table *out = (lp_table *)1;
    lp_cancel_request();
    assert_int_equal(lp_join(l, r, k, k, 1, LP_JOIN_INNER, &out, &d), LP_ECANCELLED);
    assert_null(out);
    assert_non_null(strstr(d.msg, "cancelled"));
    lp_cancel_clear();
    lp_pool_set_threads(2);
    for (int rep = 0; rep < 3; rep++) {
        tu_canceller th;
        tu_cancel_after(&th, 2000);
        lp_status st = lp_join(l, r, k, k, 1, rep == 1 ? LP_JOIN_FULL : LP_JOIN_INNER, &out, &d);
        tu_cancel_join(&th);
        if (st == LP_OK) {
            assert_int_equal(out->nrows, 200000 * 4);
            lp_table_unref(out);
        } else {
            assert_int_equal(st, LP_ECANCELLED);
            assert_null(out);
        }
        lp_cancel_clear();
    }
    lp_pool_set_threads(0);
    lp_table_unref(l);
    lp_table_unref(r);
}

static void test_join_memory_cap_refuses_big_cross_join(void **state) {
    (void)state;
    lp_table *l = int_table(20000, 4000, 100), *r = int_table(20000, 5000, 100);
    int64_t cap = lp_mem_cap(), before = lp_mem_used();
    lp_mem_set_cap(before + (64 << 20));
    lp_mem_reset_peak();
    lp_diag d;
    lp_diag_init(&d);
    lp_table *out = (lp_table *)1;
    /* 400M rows: gigabytes, refused before any of it is made */
    lp_status st = lp_join(l, r, NULL, NULL, 0, LP_JOIN_CROSS, &out, &d);
    int64_t peak = lp_mem_peak();
    lp_mem_set_cap(cap);
    assert_int_equal(st, LP_ENOMEM);
    assert_null(out);
    assert_non_null(strstr(d.msg, "join"));
    assert_non_null(strstr(d.msg, "GB"));  /* the size it wanted */
    assert_true(peak - before < (4 << 20));
    /* an exploding keyed join the same way: 20000 * 200 rows per key */
    lp_mem_set_cap(before + (16 << 20));
    int k[] = {0};
    st = lp_join(l, r, k, k, 1, LP_JOIN_INNER, &out, &d);
    lp_mem_set_cap(cap);
    assert_int_equal(st, LP_ENOMEM);
    assert_null(out);
    /* with the cap back, a small cross join works */
    lp_table *l2 = int_table(30, 7, 3), *r2 = int_table(20, 6, 2);
    out = joined(l2, r2, NULL, NULL, 0, LP_JOIN_CROSS);
    assert_int_equal(out->nrows, 600);
    lp_table_unref(out);
    lp_table_unref(l2);
    lp_table_unref(r2);
    lp_table_unref(l);
    lp_table_unref(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_join_each_type_with_nulls_and_duplicates),
        TU_TEST(test_join_multiple_keys),
        TU_TEST(test_join_int_against_double_keys),
        TU_TEST(test_join_empty_sides),
        TU_TEST(test_join_rejects_bad_arguments),
        TU_TEST(test_join_random_against_nested_loop),
        TU_TEST(test_join_same_across_threads),
        TU_TEST(test_join_allocation_failures),
        TU_TEST(test_join_cancellation),
        TU_TEST(test_join_memory_cap_refuses_big_cross_join),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lp_pool_shutdown();
    return rc;
}
