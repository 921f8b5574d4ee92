/* test_sort.c -- lp_sort: keys, directions, nulls, NaN, strings, stability, top-k, partitions,
 * threads, allocation failures and cancellation. Random inputs are checked against a reference
 * sort written here (qsort over plain structs, ties broken by input position). */
#include "testutil.h"

#include "exec/ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static lp_table *sorted(lp_table *in, const lp_sortkey *keys, int nkeys, int64_t limit) {
    lp_diag d;
    lp_diag_init(&d);
    lp_table *out = NULL;
    lp_status st = lp_sort(in, keys, nkeys, limit, &out, &d);
    if (st != LP_OK) fail_msg("lp_sort failed: %s", d.msg);
    assert_non_null(out);
    return out;
}

static void check_sort(const char *schema, const char *rows, int per, const lp_sortkey *keys, int nkeys,
                       int64_t limit, const char *expected) {
    lp_table *in = tu_table(schema, rows, per);
    lp_table *out = sorted(in, keys, nkeys, limit);
    tu_assert_table(out, expected);
    lp_table_unref(out);
    lp_table_unref(in);
}

static void test_sort_multi_key_mixed_types(void **state) {
    (void)state;
    const char *schema = "s:string,i:bigint,f:double,d:date";
    const char *rows = "b|1|0.5|2020-01-02;a|2|1.5|2020-01-01;b|3|0.5|2019-12-31;a|2|-1.0|2021-05-05;"
                       "c|1|2.0|2020-01-02;b|1|0.25|2020-01-01";
    lp_sortkey k1[] = {{0, false, true}, {1, true, false}, {2, false, true}};
    check_sort(schema, rows, 2, k1, 3, -1,
               "s:string|i:bigint|f:double|d:date\n"
               "a|2|-1.0|2021-05-05\na|2|1.5|2020-01-01\n"
               "b|3|0.5|2019-12-31\nb|1|0.25|2020-01-01\nb|1|0.5|2020-01-02\n"
               "c|1|2.0|2020-01-02\n");
    lp_sortkey k2[] = {{3, true, false}, {0, false, true}};
    check_sort(schema, rows, 4, k2, 2, -1,
               "s:string|i:bigint|f:double|d:date\n"
               "a|2|-1.0|2021-05-05\nb|1|0.5|2020-01-02\nc|1|2.0|2020-01-02\n"
               "a|2|1.5|2020-01-01\nb|1|0.25|2020-01-01\nb|3|0.5|2019-12-31\n");
    /* a timestamp and a boolean key */
    lp_sortkey k3[] = {{1, false, true}, {0, true, false}};
    check_sort("t:timestamp,b:boolean", "2020-01-01 00:00:01|true;1969-12-31 23:59:59|false;"
               "2020-01-01 00:00:01|false;null|true", 0, k3, 2, -1,
               "t:timestamp|b:boolean\n2020-01-01 00:00:01|false\n1969-12-31 23:59:59|false\n"
               "2020-01-01 00:00:01|true\nnull|true\n");
}

static void test_sort_nulls_first_and_last(void **state) {
    (void)state;
    const char *rows = "3|x;null|a;1|b;null|c;2|d";
    lp_sortkey asc_first[] = {{0, false, true}};
    check_sort("k:bigint,v:string", rows, 2, asc_first, 1, -1,
               "k:bigint|v:string\nnull|a\nnull|c\n1|b\n2|d\n3|x\n");
    lp_sortkey asc_last[] = {{0, false, false}};
    check_sort("k:bigint,v:string", rows, 2, asc_last, 1, -1,
               "k:bigint|v:string\n1|b\n2|d\n3|x\nnull|a\nnull|c\n");
    lp_sortkey desc_last[] = {{0, true, false}};
    check_sort("k:bigint,v:string", rows, 0, desc_last, 1, -1,
               "k:bigint|v:string\n3|x\n2|d\n1|b\nnull|a\nnull|c\n");
    lp_sortkey desc_first[] = {{0, true, true}};
    check_sort("k:bigint,v:string", rows, 1, desc_first, 1, -1,
               "k:bigint|v:string\nnull|a\nnull|c\n3|x\n2|d\n1|b\n");
    /* nulls of the first key ordered by the second key */
    lp_sortkey two[] = {{0, false, true}, {1, true, true}};
    check_sort("k:bigint,v:string", rows, 0, two, 2, -1,
               "k:bigint|v:string\nnull|c\nnull|a\n1|b\n2|d\n3|x\n");
    /* a string key with nulls, last */
    lp_sortkey s[] = {{1, false, false}};
    check_sort("k:bigint,v:string", "1|b;2|null;3|a;4|null", 0, s, 1, -1,
               "k:bigint|v:string\n3|a\n1|b\n2|null\n4|null\n");
}

static void test_sort_stability_with_duplicate_keys(void **state) {
    (void)state;
    const char *rows = "2|a;1|b;2|c;1|d;2|e;1|f;2|g;3|h;1|i";
    lp_sortkey asc[] = {{0, false, true}};
    check_sort("k:bigint,v:string", rows, 2, asc, 1, -1,
               "k:bigint|v:string\n1|b\n1|d\n1|f\n1|i\n2|a\n2|c\n2|e\n2|g\n3|h\n");
    lp_sortkey desc[] = {{0, true, false}};
    check_sort("k:bigint,v:string", rows, 3, desc, 1, -1,
               "k:bigint|v:string\n3|h\n2|a\n2|c\n2|e\n2|g\n1|b\n1|d\n1|f\n1|i\n");
    /* no keys at all: the input order */
    check_sort("k:bigint,v:string", rows, 4, NULL, 0, -1,
               "k:bigint|v:string\n2|a\n1|b\n2|c\n1|d\n2|e\n1|f\n2|g\n3|h\n1|i\n");
    check_sort("k:bigint,v:string", rows, 4, NULL, 0, 3, "k:bigint|v:string\n2|a\n1|b\n2|c\n");
}

static void test_sort_nan_and_signed_zero(void **state) {
    (void)state;
    const char *rows = "NaN|1;1.5|2;null|3;-Infinity|4;-0.0|5;0.0|6;Infinity|7;NaN|8;-2.0|9";
    lp_sortkey asc[] = {{0, false, true}};
    check_sort("f:double,i:bigint", rows, 2, asc, 1, -1,
               "f:double|i:bigint\nnull|3\n-Infinity|4\n-2.0|9\n-0.0|5\n0.0|6\n1.5|2\nInfinity|7\nNaN|1\nNaN|8\n");
    lp_sortkey desc[] = {{0, true, false}};
    check_sort("f:double,i:bigint", rows, 3, desc, 1, -1,
               "f:double|i:bigint\nNaN|1\nNaN|8\nInfinity|7\n1.5|2\n-0.0|5\n0.0|6\n-2.0|9\n-Infinity|4\nnull|3\n");
    /* NaN as a second key */
    lp_sortkey two[] = {{0, false, true}, {1, false, true}};
    check_sort("i:bigint,f:double", "1|NaN;1|3.0;0|NaN;1|-1.0", 0, two, 2, -1,
               "i:bigint|f:double\n0|NaN\n1|-1.0\n1|3.0\n1|NaN\n");
}

static void test_sort_strings_prefixes_and_utf8(void **state) {
    (void)state;
    const char *rows = "abcdefgh|1;abcdefghb|2;abcdefgha|3;abcdefg|4;\xC3\xA9t\xC3\xA9|5;zebra|6;"
                       "abcdefghab|7;|8;\xE2\x82\xAC|9;Zed|10;abcdefgh|11;\xC3\xA9|12";
    lp_sortkey asc[] = {{0, false, true}};
    check_sort("s:string,i:bigint", rows, 5, asc, 1, -1,
               "s:string|i:bigint\n|8\nZed|10\nabcdefg|4\nabcdefgh|1\nabcdefgh|11\nabcdefgha|3\n"
               "abcdefghab|7\nabcdefghb|2\nzebra|6\n\xC3\xA9|12\n\xC3\xA9t\xC3\xA9|5\n\xE2\x82\xAC|9\n");
    lp_sortkey desc[] = {{0, true, true}, {1, true, true}};
    check_sort("s:string,i:bigint", rows, 0, desc, 2, -1,
               "s:string|i:bigint\n\xE2\x82\xAC|9\n\xC3\xA9t\xC3\xA9|5\n\xC3\xA9|12\nzebra|6\nabcdefghb|2\n"
               "abcdefghab|7\nabcdefgha|3\nabcdefgh|11\nabcdefgh|1\nabcdefg|4\nZed|10\n|8\n");
}

static void test_sort_empty_input(void **state) {
    (void)state;
    lp_sortkey k[] = {{0, false, true}};
    check_sort("k:bigint,v:string", "", 0, k, 1, -1, "k:bigint|v:string\n");
    check_sort("k:bigint,v:string", "", 0, k, 1, 5, "k:bigint|v:string\n");
    check_sort("k:bigint,v:string", "1|a;2|b", 0, k, 1, 0, "k:bigint|v:string\n");
    lp_table *in = tu_table("k:bigint", "", 0);
    lp_table *out = sorted(in, k, 1, -1);
    assert_int_equal(out->nparts, 0);
    assert_int_equal(out->nrows, 0);
    lp_table_unref(out);
    lp_table_unref(in);
}

static void test_sort_rejects_bad_keys(void **state) {
    (void)state;
    lp_table *in = tu_table("k:bigint", "1;2", 0);
    lp_sortkey k[] = {{3, false, true}};
    lp_diag d;
    lp_diag_init(&d);
    lp_table *out = (lp_table *)1;
    assert_int_equal(lp_sort(in, k, 1, -1, &out, &d), LP_EVALUE);
    assert_null(out);
    assert_non_null(strstr(d.msg, "out of range"));
    lp_table_unref(in);
}

/* ---- random inputs against a reference ---- */

typedef struct rrow {
    int64_t a;
    double b;
    const char *c;
    bool na, nb, nc;
    int64_t id;
} rrow;

static const char *STRS[] = {"prefix_long_A", "prefix_long_B", "prefix_lo", "", "\xC3\xA9", "zz", "prefix_long_A2",
                             "prefix_l"};
static const double DBLS[] = {-1.5, -0.0, 0.0, 2.25, NAN, INFINITY, -INFINITY, 7.0};

static uint64_t rng_next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* n random rows (a:bigint in [0, arange), b:double, c:string, id:bigint = position), in
 * partitions of `per` rows; rows[] receives the same data. */
static lp_table *random_table(int64_t n, int64_t per, uint64_t seed, int64_t arange, rrow *rows) {
    const char *names[] = {"a", "b", "c", "id"};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_FLOAT64), lp_type_of(LP_STRING), lp_type_of(LP_INT64)};
    lp_table *t = lp_table_new(4, names, types);
    assert_non_null(t);
    uint64_t s = seed * 2654435761u + 1;
    for (int64_t start = 0; start < n; start += per) {
        int64_t m = LP_MIN(per, n - start);
        lp_colbuf b[4];
        for (int c = 0; c < 4; c++) lp_colbuf_init(&b[c], types[c]);
        for (int64_t i = 0; i < m; i++) {
            rrow *r = &rows[start + i];
            r->id = start + i;
            r->na = rng_next(&s) % 10 == 0;
            r->a = (int64_t)(rng_next(&s) % (uint64_t)arange) - arange / 3;
            r->nb = rng_next(&s) % 12 == 0;
            r->b = DBLS[rng_next(&s) % LP_ARRAY_LEN(DBLS)];
            r->nc = rng_next(&s) % 15 == 0;
            r->c = STRS[rng_next(&s) % LP_ARRAY_LEN(STRS)];
            if (r->na) lp_colbuf_append_null(&b[0]);
            else lp_colbuf_append_i64(&b[0], r->a);
            if (r->nb) lp_colbuf_append_null(&b[1]);
            else lp_colbuf_append_f64(&b[1], r->b);
            if (r->nc) lp_colbuf_append_null(&b[2]);
            else lp_colbuf_append_str(&b[2], r->c, strlen(r->c));
            lp_colbuf_append_i64(&b[3], r->id);
        }
        lp_column *cols[4];
        for (int c = 0; c < 4; c++) assert_int_equal(lp_colbuf_finish(&b[c], &cols[c]), LP_OK);
        assert_int_equal(lp_table_add_part(t, m, cols), LP_OK);
    }
    return t;
}

static const lp_sortkey *ref_keys;
static int ref_nkeys;

static int ref_cmp_f(double x, double y) {
    if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

static int ref_cmp(const void *pa, const void *pb) {
    const rrow *a = pa, *b = pb;
    for (int k = 0; k < ref_nkeys; k++) {
        const lp_sortkey *sk = &ref_keys[k];
        bool na = sk->col == 0 ? a->na : sk->col == 1 ? a->nb : a->nc;
        bool nb = sk->col == 0 ? b->na : sk->col == 1 ? b->nb : b->nc;
        if (na || nb) {
            if (na == nb) continue;
            return (na ? -1 : 1) * (sk->nulls_first ? 1 : -1);
        }
        int c = sk->col == 0 ? (a->a > b->a) - (a->a < b->a)
              : sk->col == 1 ? ref_cmp_f(a->b, b->b)
                             : strcmp(a->c, b->c);
        c = (c > 0) - (c < 0);
        if (c) return sk->desc ? -c : c;
    }
    return (a->id > b->id) - (a->id < b->id);
}

/* Asserts that out's id column is the reference order of rows (first `expect` of them). */
static void assert_ids(const lp_table *out, rrow *rows, int64_t n, const lp_sortkey *keys, int nkeys,
                       int64_t expect) {
    ref_keys = keys;
    ref_nkeys = nkeys;
    rrow *copy = malloc(sizeof *copy * (size_t)(n ? n : 1));
    memcpy(copy, rows, sizeof *copy * (size_t)n);
    qsort(copy, (size_t)n, sizeof *copy, ref_cmp);
    assert_int_equal(out->nrows, expect);
    int64_t k = 0;
    for (int p = 0; p < out->nparts; p++) {
        assert_true(out->parts[p].nrows <= LP_SORT_PART_ROWS);
        if (p + 1 < out->nparts) assert_int_equal(out->parts[p].nrows, LP_SORT_PART_ROWS);
        for (int64_t r = 0; r < out->parts[p].nrows; r++, k++) {
            int64_t got = out->parts[p].cols[3]->v.i[r];
            if (got != copy[k].id) fail_msg("row %lld: id %lld, the reference says %lld", (long long)k,
                                            (long long)got, (long long)copy[k].id);
        }
    }
    free(copy);
}

static void random_keys(uint64_t *s, lp_sortkey *keys, int *nkeys) {
    *nkeys = 1 + (int)(rng_next(s) % 3);
    for (int k = 0; k < *nkeys; k++) {
        keys[k].col = (int)(rng_next(s) % 3);
        keys[k].desc = rng_next(s) % 2;
        keys[k].nulls_first = rng_next(s) % 2;
    }
}

static void test_sort_random_against_reference(void **state) {
    (void)state;
    uint64_t s = 99;
    int64_t sizes[][2] = {{1, 1}, {7, 3}, {100, 7}, {1000, 1000}, {1000, 37}, {5000, 400}, {3000, 1}};
    for (size_t z = 0; z < LP_ARRAY_LEN(sizes); z++) {
        for (int rep = 0; rep < 6; rep++) {
            int64_t n = sizes[z][0], per = sizes[z][1];
            rrow *rows = malloc(sizeof *rows * (size_t)n);
            lp_table *in = random_table(n, per, rng_next(&s), rep % 2 ? 5 : 1000, rows);
            lp_sortkey keys[3];
            int nkeys;
            random_keys(&s, keys, &nkeys);
            lp_table *out = sorted(in, keys, nkeys, -1);
            assert_ids(out, rows, n, keys, nkeys, n);
            lp_table_unref(out);
            lp_table_unref(in);
            free(rows);
        }
    }
}

static void test_sort_large_partitions_and_many_runs(void **state) {
    (void)state;
    /* one partition larger than a run, and enough rows for several merge segments */
    int64_t n = 300000;
    rrow *rows = malloc(sizeof *rows * (size_t)n);
    lp_table *in = random_table(n, 200000, 5, 1000000, rows);
    lp_sortkey k1[] = {{0, false, false}};
    lp_table *out = sorted(in, k1, 1, -1);
    assert_ids(out, rows, n, k1, 1, n);
    assert_int_equal(out->nparts, (n + LP_SORT_PART_ROWS - 1) / LP_SORT_PART_ROWS);
    lp_table_unref(out);
    lp_sortkey k2[] = {{2, true, true}, {1, false, false}};
    out = sorted(in, k2, 2, -1);
    assert_ids(out, rows, n, k2, 2, n);
    lp_table_unref(out);
    out = sorted(in, k2, 2, 70000);
    assert_ids(out, rows, n, k2, 2, 70000);
    lp_table_unref(out);
    lp_table_unref(in);
    free(rows);
}

static void test_sort_topk_equals_full_sort(void **state) {
    (void)state;
    uint64_t s = 7;
    for (int rep = 0; rep < 40; rep++) {
        int64_t n = 1 + (int64_t)(rng_next(&s) % 3000), per = 1 + (int64_t)(rng_next(&s) % 700);
        rrow *rows = malloc(sizeof *rows * (size_t)n);
        lp_table *in = random_table(n, per, rng_next(&s), rep % 3 ? 4 : 100000, rows);
        lp_sortkey keys[3];
        int nkeys;
        random_keys(&s, keys, &nkeys);
        int64_t limits[] = {0, 1, 2, per - 1, per, per + 1, 2 * per, n / 2, n - 1, n, n + 5, 10 * n};
        lp_table *full = sorted(in, keys, nkeys, -1);
        char *fulltext = tu_dump(full);
        for (size_t l = 0; l < LP_ARRAY_LEN(limits); l++) {
            int64_t lim = limits[l] < 0 ? 0 : limits[l];
            lp_table *top = sorted(in, keys, nkeys, lim);
            assert_ids(top, rows, n, keys, nkeys, LP_MIN(lim, n));
            /* the same text as the first lim rows of the full sort */
            char *t = tu_dump(top);
            const char *p = fulltext;
            for (int64_t line = 0; line <= LP_MIN(lim, n); line++) p = strchr(p, '\n') + 1;
            assert_int_equal(strlen(t), (size_t)(p - fulltext));
            assert_memory_equal(t, fulltext, strlen(t));
            lp_free(t);
            lp_table_unref(top);
        }
        lp_free(fulltext);
        lp_table_unref(full);
        lp_table_unref(in);
        free(rows);
    }
}

typedef struct thread_arg {
    lp_table *in;
    const lp_sortkey *keys;
    int nkeys;
    int64_t limit;
} thread_arg;

static char *sort_text(void *arg) {
    thread_arg *a = arg;
    lp_table *out = sorted(a->in, a->keys, a->nkeys, a->limit);
    char *s = tu_dump(out);
    lp_table_unref(out);
    return s;
}

static void test_sort_same_across_threads(void **state) {
    (void)state;
    int64_t n = 70000;
    rrow *rows = malloc(sizeof *rows * (size_t)n);
    lp_table *in = random_table(n, 3000, 11, 50, rows);
    lp_sortkey keys[] = {{0, true, false}, {2, false, true}};
    int64_t limits[] = {-1, 10, 5000};
    for (size_t l = 0; l < LP_ARRAY_LEN(limits); l++) {
        thread_arg a = {in, keys, 2, limits[l]};
        char *s = tu_same_across_threads(sort_text, &a);
        lp_free(s);
    }
    lp_table_unref(in);
    free(rows);
}

static void test_sort_allocation_failures(void **state) {
    (void)state;
    rrow rows[2500];
    lp_table *in = random_table(2500, 300, 3, 20, rows);
    lp_sortkey keys[] = {{2, false, true}, {0, true, false}};
    int64_t limits[] = {-1, 40};
    for (size_t l = 0; l < LP_ARRAY_LEN(limits); l++) {
        for (int threads = 1; threads <= 2; threads++) {
            lp_pool_set_threads(threads);
            bool done = false;
            for (int64_t at = 1; !done && at < 2000; at++) {
                lp_diag d;
                lp_diag_init(&d);
                lp_table *out = (lp_table *)1;
                lp_mem_fail_at(at, false);
                lp_status st = lp_sort(in, keys, 2, limits[l], &out, &d);
                int64_t failed = lp_mem_fail_at(0, false);
                if (failed) {
                    assert_int_equal(st, LP_ENOMEM);
                    assert_null(out);
                    assert_non_null(strstr(d.msg, "sort"));
                } else {
                    assert_int_equal(st, LP_OK);
                    assert_ids(out, rows, 2500, keys, 2, limits[l] < 0 ? 2500 : limits[l]);
                    lp_table_unref(out);
                    done = true;
                }
            }
            assert_true(done);
        }
    }
    lp_pool_set_threads(0);
    lp_table_unref(in);
}

static void test_sort_cancellation(void **state) {
    (void)state;
    int64_t n = 200000;
    rrow *rows = malloc(sizeof *rows * (size_t)n);
    lp_table *in = random_table(n, 20000, 17, 1000, rows);
    lp_sortkey keys[] = {{2, false, true}, {1, true, false}};
    lp_diag d;
    lp_diag_init(&d);
    lp_table *out = (lp_table *)1;
    lp_cancel_request();
    assert_int_equal(lp_sort(in, keys, 2, -1, &out, &d), LP_ECANCELLED);
    assert_null(out);
    lp_cancel_clear();
    /* cancelled while it runs: either finished first or cancelled, nothing leaked */
    lp_pool_set_threads(2);
    for (int rep = 0; rep < 3; rep++) {
        tu_canceller th;
        tu_cancel_after(&th, 2000);
        lp_status st = lp_sort(in, keys, 2, rep == 1 ? 100 : -1, &out, &d);
        tu_cancel_join(&th);
        if (st == LP_OK) {
            lp_table_unref(out);
        } else {
            assert_int_equal(st, LP_ECANCELLED);
            assert_null(out);
        }
        lp_cancel_clear();
    }
    lp_pool_set_threads(0);
    lp_table_unref(in);
    free(rows);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_sort_multi_key_mixed_types),
        TU_TEST(test_sort_nulls_first_and_last),
        TU_TEST(test_sort_stability_with_duplicate_keys),
        TU_TEST(test_sort_nan_and_signed_zero),
        TU_TEST(test_sort_strings_prefixes_and_utf8),
        TU_TEST(test_sort_empty_input),
        TU_TEST(test_sort_rejects_bad_keys),
        TU_TEST(test_sort_random_against_reference),
        TU_TEST(test_sort_large_partitions_and_many_runs),
        TU_TEST(test_sort_topk_equals_full_sort),
        TU_TEST(test_sort_same_across_threads),
        TU_TEST(test_sort_allocation_failures),
        TU_TEST(test_sort_cancellation),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lp_pool_shutdown();
    return rc;
}
