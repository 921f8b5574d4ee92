/* test_stats.c -- histograms and describe(): hand-checked values, groups, log bins, edge cases,
 * 1 vs 4 threads, failing allocations and cancellation. */
#include "testutil.h"

#include "exec/ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The histogram as text: edges, then one line per series, then nulls and skipped. */
static char *hist_text(const lp_histogram *h) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    char buf[48];
    lp_strbuf_puts(&b, "edges");
    for (int i = 0; i <= h->nbins; i++) {
        lp_format_float64(h->edges[i], buf);
        lp_strbuf_printf(&b, " %s", buf);
    }
    lp_strbuf_putc(&b, '\n');
    for (int s = 0; s < h->nseries; s++) {
        lp_strbuf_puts(&b, h->series[s]);
        lp_strbuf_putc(&b, ':');
        for (int i = 0; i < h->nbins; i++) {
            lp_format_float64(h->counts[s * h->nbins + i], buf);
            lp_strbuf_printf(&b, " %s", buf);
        }
        lp_strbuf_putc(&b, '\n');
    }
    lp_strbuf_printf(&b, "nulls %lld skipped %lld\n", (long long)h->nulls, (long long)h->skipped);
    return lp_strbuf_take(&b);
}

/* Computes the histogram and asserts its text. */
static void check_hist(lp_table *t, int col, const lp_hist_opts *o, const char *want) {
    lp_histogram *h;
    lp_diag d;
    lp_diag_init(&d);
    lp_status st = lp_histogram_compute(t, col, o, &h, &d);
    if (st != LP_OK) fail_msg("histogram failed: %s", d.msg);
    char *got = hist_text(h);
    if (strcmp(got, want) != 0) fail_msg("histogram\n%s\nwanted\n%s", got, want);
    lp_free(got);
    lp_histogram_free(h);
}

static void test_stats_histogram_linear_bins(void **state) {
    (void)state;
    lp_table *t = tu_table("x:double", "1;2;3;4;5;null;6;7;8;NaN;9;10", 4);
    lp_hist_opts o;
    lp_hist_opts_init(&o);
    assert_int_equal(o.bins, 10);
    assert_int_equal(o.group_col, -1);
    assert_true(isnan(o.lo) && isnan(o.hi));
    o.bins = 3;
    /* Edges 1, 4, 7, 10; the last bin includes 10. */
    check_hist(t, 0, &o, "edges 1.0 4.0 7.0 10.0\nall: 3.0 3.0 4.0\nnulls 2 skipped 0\n");
    /* A given range: values outside it are skipped. */
    o.lo = 2;
    o.hi = 6;
    o.bins = 2;
    check_hist(t, 0, &o, "edges 2.0 4.0 6.0\nall: 2.0 3.0\nnulls 2 skipped 5\n");
    /* Normalised: the series sums to 1. */
    o.normalize = true;
    check_hist(t, 0, &o, "edges 2.0 4.0 6.0\nall: 0.4 0.6\nnulls 2 skipped 5\n");
    lp_table_unref(t);
}

static void test_stats_histogram_width_bins(void **state) {
    (void)state;
    /* Ratings: width 1 over the data gives one bin per star, 5 in its own bin. */
    lp_table *t = tu_table("overall:double", "5;5;4;1;3;5;2;5;4", 2);
    lp_hist_opts o;
    lp_hist_opts_init(&o);
    o.width = 1;
    check_hist(t, 0, &o, "edges 1.0 2.0 3.0 4.0 5.0 6.0\nall: 1.0 1.0 1.0 2.0 4.0\nnulls 0 skipped 0\n");
    /* Edges on multiples of the width. */
    o.width = 2;
    check_hist(t, 0, &o, "edges 0.0 2.0 4.0 6.0\nall: 1.0 2.0 6.0\nnulls 0 skipped 0\n");
    /* With a given range the edges start at lo and the last bin closes at hi. */
    o.lo = 0;
    o.hi = 5;
    o.width = 2.5;
    check_hist(t, 0, &o, "edges 0.0 2.5 5.0\nall: 2.0 7.0\nnulls 0 skipped 0\n");
    lp_table_unref(t);
    /* Integers and a single value: a unit-wide range around it. */
    t = tu_table("n:bigint", "7;7;null", 0);
    lp_hist_opts_init(&o);
    o.bins = 2;
    check_hist(t, 0, &o, "edges 6.5 7.0 7.5\nall: 0.0 2.0\nnulls 1 skipped 0\n");
    lp_table_unref(t);
}

static void test_stats_histogram_log_bins(void **state) {
    (void)state;
    lp_table *t = tu_table("v:bigint", "1;10;100;1000;0;-5;500;null", 3);
    lp_hist_opts o;
    lp_hist_opts_init(&o);
    o.log = true;
    o.bins = 3;
    lp_histogram *h;
    lp_diag d;
    assert_int_equal(lp_histogram_compute(t, 0, &o, &h, &d), LP_OK);
    assert_int_equal(h->nbins, 3);
    assert_true(h->edges[0] == 1 && h->edges[3] == 1000);
    assert_true(fabs(h->edges[1] - 10) < 1e-9 && fabs(h->edges[2] - 100) < 1e-9);
    assert_true(h->counts[0] == 1 && h->counts[1] == 1 && h->counts[2] == 3);
    assert_int_equal(h->skipped, 2);
    assert_int_equal(h->nulls, 1);
    lp_histogram_free(h);
    /* Width in decades. */
    o.width = 1;
    assert_int_equal(lp_histogram_compute(t, 0, &o, &h, &d), LP_OK);
    assert_int_equal(h->nbins, 3);
    assert_true(h->counts[2] == 3);
    lp_histogram_free(h);
    /* A non-positive range cannot be logarithmic. */
    o.lo = 0;
    o.hi = 10;
    assert_int_equal(lp_histogram_compute(t, 0, &o, &h, &d), LP_EVALUE);
    assert_null(h);
    lp_table_unref(t);
}

static void test_stats_histogram_groups(void **state) {
    (void)state;
    lp_table *t = tu_table("x:double,g:string", "1|b;2|a;3|b;4|null;5|a;6|b;7|a;8|b;9|null;10|b", 3);
    lp_hist_opts o;
    lp_hist_opts_init(&o);
    o.bins = 3;
    o.group_col = 1;
    /* Series in sorted order, null first, all on the same bins. */
    check_hist(t, 0, &o,
               "edges 1.0 4.0 7.0 10.0\nnull: 0.0 1.0 1.0\na: 1.0 1.0 1.0\nb: 2.0 1.0 2.0\nnulls 0 skipped 0\n");
    o.normalize = true;
    check_hist(t, 0, &o,
               "edges 1.0 4.0 7.0 10.0\nnull: 0.0 0.5 0.5\na: 0.3333333333333333 0.3333333333333333 "
               "0.3333333333333333\nb: 0.4 0.2 0.4\nnulls 0 skipped 0\n");
    lp_table_unref(t);
    /* Numbers sort as numbers: 2 before 10. */
    t = tu_table("x:double,g:bigint", "1|10;2|2;3|10;4|2", 1);
    lp_hist_opts_init(&o);
    o.bins = 1;
    o.group_col = 1;
    check_hist(t, 0, &o, "edges 1.0 4.0\n2: 2.0\n10: 2.0\nnulls 0 skipped 0\n");
    lp_table_unref(t);
}

static void test_stats_histogram_dates_and_errors(void **state) {
    (void)state;
    lp_table *t = tu_table("d:date,s:string", "2013-06-01|a;2013-06-02|b;2013-06-11|c", 2);
    lp_hist_opts o;
    lp_hist_opts_init(&o);
    o.bins = 2;
    int32_t d0;
    assert_true(lp_parse_date("2013-06-01", 10, &d0));
    char want[256];
    snprintf(want, sizeof want, "edges %d.0 %d.0 %d.0\nall: 2.0 1.0\nnulls 0 skipped 0\n", d0, d0 + 5, d0 + 10);
    check_hist(t, 0, &o, want);
    lp_histogram *h = (lp_histogram *)1;
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_histogram_compute(t, 1, &o, &h, &d), LP_ETYPE);
    assert_null(h);
    assert_non_null(strstr(d.msg, "'s'"));
    assert_int_equal(lp_histogram_compute(t, 5, &o, &h, &d), LP_ENAME);
    o.group_col = 9;
    assert_int_equal(lp_histogram_compute(t, 0, &o, &h, &d), LP_ENAME);
    o.group_col = -1;
    o.lo = 3;
    o.hi = 3;
    assert_int_equal(lp_histogram_compute(t, 0, &o, &h, &d), LP_EVALUE);
    o.lo = 0;
    o.hi = 1e300;
    o.width = 1e-300;
    assert_int_equal(lp_histogram_compute(t, 0, &o, &h, &d), LP_EVALUE);
    lp_histogram_free(NULL);
    lp_table_unref(t);
    /* No values at all: the default range, everything counted as null. */
    t = tu_table("x:double", "null;NaN", 0);
    lp_hist_opts_init(&o);
    o.bins = 2;
    check_hist(t, 0, &o, "edges 0.0 0.5 1.0\nall: 0.0 0.0\nnulls 2 skipped 0\n");
    lp_table_unref(t);
}

/* ---- describe ---- */

static void check_describe(lp_table *t, const int *cols, int ncols, const char *want) {
    lp_table *out;
    lp_diag d;
    lp_diag_init(&d);
    lp_status st = lp_describe(t, cols, ncols, &out, &d);
    if (st != LP_OK) fail_msg("describe failed: %s", d.msg);
    tu_assert_table(out, want);
    lp_table_unref(out);
}

static void test_stats_describe_values(void **state) {
    (void)state;
    lp_table *t = tu_table("a:bigint,b:double,s:string,d:date",
                           "1|2.0|x|2013-06-02;2|0.5|b|null;3|10.25|null|2012-01-31;4|null|a|2014-07-01;"
                           "null|-1.0|xa|null",
                           2);
    check_describe(t, NULL, 0,
                   "summary:string|a:string|b:string|s:string\n"
                   "count|4|4|4\n"
                   "mean|2.5|2.9375|null\n"
                   "stddev|1.2909944487358056|5.026492315720775|null\n"
                   "min|1|-1.0|a\n"
                   "25%|1|-1.0|null\n"
                   "50%|2|0.5|null\n"
                   "75%|3|2.0|null\n"
                   "max|4|10.25|xa\n");
    /* Explicit columns, in the order asked, dates included. */
    int cols[] = {3, 0};
    check_describe(t, cols, 2,
                   "summary:string|d:string|a:string\n"
                   "count|3|4\n"
                   "mean|null|2.5\n"
                   "stddev|null|1.2909944487358056\n"
                   "min|2012-01-31|1\n"
                   "25%|null|1\n"
                   "50%|null|2\n"
                   "75%|null|3\n"
                   "max|2014-07-01|4\n");
    lp_table_unref(t);
}

static void test_stats_describe_edge_cases(void **state) {
    (void)state;
    /* One value: no stddev. An all-null column: count 0 and nulls. Odd counts: ranks round up. */
    lp_table *t = tu_table("a:bigint,b:double,c:bigint", "7|null|5;null|null|1;null|null|3", 0);
    check_describe(t, NULL, 0,
                   "summary:string|a:string|b:string|c:string\n"
                   "count|1|0|3\n"
                   "mean|7.0|null|3.0\n"
                   "stddev|null|null|2.0\n"
                   "min|7|null|1\n"
                   "25%|7|null|1\n"
                   "50%|7|null|3\n"
                   "75%|7|null|5\n"
                   "max|7|null|5\n");
    lp_table_unref(t);
    /* NaN sorts above every number, as in Spark. */
    t = tu_table("x:double", "1.0;NaN;2.0;3.0", 1);
    check_describe(t, NULL, 0,
                   "summary:string|x:string\ncount|4\nmean|NaN\nstddev|NaN\nmin|1.0\n25%|1.0\n50%|2.0\n"
                   "75%|3.0\nmax|NaN\n");
    lp_table_unref(t);
    /* An empty table. */
    t = tu_table("x:double,s:string", "", 0);
    check_describe(t, NULL, 0,
                   "summary:string|x:string|s:string\ncount|0|0\nmean|null|null\nstddev|null|null\n"
                   "min|null|null\n25%|null|null\n50%|null|null\n75%|null|null\nmax|null|null\n");
    int bad = 7;
    lp_table *out = (lp_table *)1;
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_describe(t, &bad, 1, &out, &d), LP_ENAME);
    assert_null(out);
    lp_table_unref(t);
}

/* ---- threads, faults, cancellation ---- */

/* A table of n rows in nparts partitions: x double (with nulls and some NaN), k bigint, g string. */
static lp_table *big_table(int64_t n, int nparts) {
    const char *names[] = {"x", "k", "g"};
    lp_type types[] = {lp_type_of(LP_FLOAT64), lp_type_of(LP_INT64), lp_type_of(LP_STRING)};
    lp_table *t = lp_table_new(3, names, types);
    uint64_t s = 12345;
    int64_t per = (n + nparts - 1) / nparts;
    for (int64_t start = 0; start < n; start += per) {
        int64_t end = LP_MIN(n, start + per);
        lp_colbuf b[3];
        for (int c = 0; c < 3; c++) lp_colbuf_init(&b[c], types[c]);
        for (int64_t r = start; r < end; r++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double u = (double)(s >> 11) * 0x1.0p-53;
            if (r % 97 == 0) lp_colbuf_append_null(&b[0]);
            else if (r % 1001 == 0) lp_colbuf_append_f64(&b[0], NAN);
            else lp_colbuf_append_f64(&b[0], exp(4 * u) * 1.37);
            lp_colbuf_append_i64(&b[1], (int64_t)(s >> 40) % 1000 - 300);
            char g[8];
            int gl = snprintf(g, sizeof g, "g%d", (int)((s >> 20) % 7));
            lp_colbuf_append_str(&b[2], g, (size_t)gl);
        }
        lp_column *cols[3];
        for (int c = 0; c < 3; c++) assert_int_equal(lp_colbuf_finish(&b[c], &cols[c]), LP_OK);
        assert_int_equal(lp_table_add_part(t, end - start, cols), LP_OK);
    }
    return t;
}

static char *hist_run(void *arg) {
    lp_table *t = arg;
    lp_hist_opts o;
    lp_hist_opts_init(&o);
    o.bins = 17;
    o.group_col = 2;
    o.normalize = true;
    lp_histogram *h;
    lp_diag d;
    assert_int_equal(lp_histogram_compute(t, 0, &o, &h, &d), LP_OK);
    char *s = hist_text(h);
    lp_histogram_free(h);
    o.log = true;
    o.group_col = -1;
    o.normalize = false;
    assert_int_equal(lp_histogram_compute(t, 1, &o, &h, &d), LP_OK);
    char *s2 = hist_text(h);
    lp_histogram_free(h);
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_strbuf_puts(&b, s);
    lp_strbuf_puts(&b, s2);
    lp_free(s);
    lp_free(s2);
    return lp_strbuf_take(&b);
}

static char *describe_run(void *arg) {
    lp_table *t = arg, *out;
    lp_diag d;
    assert_int_equal(lp_describe(t, NULL, 0, &out, &d), LP_OK);
    char *s = tu_dump(out);
    lp_table_unref(out);
    return s;
}

static void test_stats_same_across_threads(void **state) {
    (void)state;
    lp_table *t = big_table(200000, 13);
    char *h = tu_same_across_threads(hist_run, t);
    assert_non_null(strstr(h, "g6:"));
    /* All counted: 200000 - nulls/NaN, in 7 normalised series; the log histogram skips k <= 0. */
    int64_t nulls = 0, nans = 0;
    for (int64_t r = 0; r < 200000; r++) {
        nulls += r % 97 == 0;
        nans += r % 97 != 0 && r % 1001 == 0;
    }
    char want[128];
    snprintf(want, sizeof want, "nulls %lld skipped 0\n", (long long)(nulls + nans));
    assert_non_null(strstr(h, want));
    lp_free(h);
    char *s = tu_same_across_threads(describe_run, t);
    /* x: nulls are not counted, NaN is (and is the maximum) */
    snprintf(want, sizeof want, "count|%lld|200000|200000\n", (long long)(200000 - nulls));
    assert_non_null(strstr(s, want));
    assert_non_null(strstr(s, "\nmin|1.37"));  /* exp(4u) * 1.37 with u near 0 */
    assert_non_null(strstr(s, "|-300|g0\n"));
    assert_non_null(strstr(s, "max|NaN|699|g6\n"));
    lp_free(s);
    lp_table_unref(t);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void test_stats_percentiles_match_sorting(void **state) {
    (void)state;
    /* Against a plain sort on many partitions with duplicates. */
    lp_table *t = big_table(30001, 5);
    lp_column *k = lp_table_column(t, 1);
    int64_t n = k->len;
    int64_t *v = malloc((size_t)n * sizeof *v);
    memcpy(v, k->v.i, (size_t)n * sizeof *v);
    lp_column_unref(k);
    qsort(v, (size_t)n, sizeof *v, cmp_i64);
    lp_table *out;
    lp_diag d;
    int col = 1;
    assert_int_equal(lp_describe(t, &col, 1, &out, &d), LP_OK);
    lp_column *c = out->parts[0].cols[1];
    for (int q = 1; q <= 3; q++) {
        int64_t rank = (q * n + 3) / 4;  /* ceil(q/4 * n) */
        char want[32];
        snprintf(want, sizeof want, "%lld", (long long)v[rank - 1]);
        lp_value got = lp_column_get(c, 3 + q);
        assert_int_equal(got.u.s.n, strlen(want));
        assert_memory_equal(got.u.s.p, want, strlen(want));
    }
    free(v);
    lp_table_unref(out);
    lp_table_unref(t);
}

static void test_stats_fault_injection(void **state) {
    (void)state;
    lp_table *t = big_table(5000, 4);
    int64_t before = lp_mem_used();
    bool ok_h = false, ok_d = false;
    for (int64_t k = 1; k < 400 && !(ok_h && ok_d); k++) {
        lp_diag d;
        if (!ok_h) {
            lp_hist_opts o;
            lp_hist_opts_init(&o);
            o.group_col = 2;
            lp_histogram *h;
            lp_mem_fail_at(k, false);
            lp_status st = lp_histogram_compute(t, 0, &o, &h, &d);
            lp_mem_fail_at(0, false);
            if (st == LP_OK) {
                ok_h = true;
                lp_histogram_free(h);
            } else {
                assert_int_equal(st, LP_ENOMEM);
                assert_null(h);
            }
        }
        if (!ok_d) {
            lp_table *out;
            lp_mem_fail_at(k, false);
            lp_status st = lp_describe(t, NULL, 0, &out, &d);
            lp_mem_fail_at(0, false);
            if (st == LP_OK) {
                ok_d = true;
                lp_table_unref(out);
            } else {
                assert_int_equal(st, LP_ENOMEM);
                assert_null(out);
            }
        }
        assert_int_equal(lp_mem_used(), before);
    }
    assert_true(ok_h && ok_d);
    lp_table_unref(t);
}

static void test_stats_cancellation(void **state) {
    (void)state;
    lp_table *t = big_table(20000, 8);
    lp_hist_opts o;
    lp_hist_opts_init(&o);
    lp_histogram *h;
    lp_table *out;
    lp_diag d;
    lp_cancel_request();
    assert_int_equal(lp_histogram_compute(t, 0, &o, &h, &d), LP_ECANCELLED);
    assert_null(h);
    assert_int_equal(lp_describe(t, NULL, 0, &out, &d), LP_ECANCELLED);
    assert_null(out);
    lp_cancel_clear();
    lp_table_unref(t);
    /* Cancelled while running, at growing delays: each run is cancelled or complete, and never
     * leaks; some runs must be cancelled midway. */
    t = big_table(400000, 64);
    o.group_col = 2;
    lp_pool_set_threads(4);
    int64_t before = lp_mem_used();
    int cancelled = 0;
    for (int i = 0; i < 24; i++) {
        lp_cancel_clear();
        tu_canceller th;
        tu_cancel_after(&th, (long)i * 1500);
        lp_status st = i % 2 ? lp_describe(t, NULL, 0, &out, &d) : lp_histogram_compute(t, 0, &o, &h, &d);
        tu_cancel_join(&th);
        if (st == LP_OK) {
            if (i % 2) lp_table_unref(out);
            else lp_histogram_free(h);
        } else {
            assert_int_equal(st, LP_ECANCELLED);
            cancelled++;
        }
        assert_int_equal(lp_mem_used(), before);
    }
    assert_true(cancelled > 0);
    lp_pool_set_threads(0);
    lp_cancel_clear();
    lp_table_unref(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_stats_histogram_linear_bins),
        TU_TEST(test_stats_histogram_width_bins),
        TU_TEST(test_stats_histogram_log_bins),
        TU_TEST(test_stats_histogram_groups),
        TU_TEST(test_stats_histogram_dates_and_errors),
        TU_TEST(test_stats_describe_values),
        TU_TEST(test_stats_describe_edge_cases),
        TU_TEST(test_stats_same_across_threads),
        TU_TEST(test_stats_percentiles_match_sorting),
        TU_TEST(test_stats_fault_injection),
        TU_TEST(test_stats_cancellation),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lp_pool_shutdown();
    return rc;
}
