/* test_agg.c -- hash aggregation and distinct: every aggregate with and without nulls, null and
 * mixed-type keys, no keys, percentile definitions, variance stability, a randomised cross-check
 * against a naive reference, thread-count independence, fault injection and cancellation. */
#include "testutil.h"

#include "exec/ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define SPEC(f, c, nm) ((lp_aggspec){.fn = (f), .col = (c), .name = (nm)})
#define SPECP(f, c, pp, nm) ((lp_aggspec){.fn = (f), .col = (c), .p = (pp), .name = (nm)})
#define SPECN(f, c, nm) ((lp_aggspec){.fn = (f), .col = (c), .ignore_nulls = true, .name = (nm)})

/* Aggregates and asserts success. */
static lp_table *agg(lp_table *t, const int *keys, int nkeys, const lp_aggspec *a, int naggs) {
    lp_table *out = NULL;
    lp_diag d;
    lp_diag_init(&d);
    lp_status st = lp_aggregate(t, keys, nkeys, a, naggs, &out, &d);
    if (st != LP_OK) fail_msg("lp_aggregate failed: %s", d.msg);
    assert_non_null(out);
    return out;
}

static void check_agg(lp_table *t, const int *keys, int nkeys, const lp_aggspec *a, int naggs, const char *expect) {
    lp_table *out = agg(t, keys, nkeys, a, naggs);
    tu_assert_table(out, expect);
    lp_table_unref(out);
}

static void test_agg_count_sum_mean(void **state) {
    (void)state;
    lp_table *t = tu_table("k:string,v:bigint,f:double",
                           "a|1|1.5;b|null|null;a|3|2.5;c|null|4.0;b|5|null;a|null|3.0", 2);
    int keys[] = {0};
    lp_aggspec a[] = {SPEC(LP_AGG_COUNT_STAR, -1, "n"), SPEC(LP_AGG_COUNT, 1, "cv"), SPEC(LP_AGG_SUM, 1, "sv"),
                      SPEC(LP_AGG_SUM, 2, "sf"), SPEC(LP_AGG_MEAN, 1, "mv"), SPEC(LP_AGG_MEAN, 2, "mf")};
    check_agg(t, keys, 1, a, 6,
              "k:string|n:bigint|cv:bigint|sv:bigint|sf:double|mv:double|mf:double\n"
              "a|3|2|4|7.0|2.0|2.3333333333333335\n"
              "b|2|1|5|null|5.0|null\n"
              "c|1|0|null|4.0|null|4.0\n");
    lp_table_unref(t);
}

static void test_agg_sum_int64_wraps(void **state) {
    (void)state;
    lp_table *t = tu_table("k:bigint,v:bigint", "1|9223372036854775807;1|1;2|-9223372036854775808;2|-1", 1);
    int keys[] = {0};
    lp_aggspec a[] = {SPEC(LP_AGG_SUM, 1, "s")};
    check_agg(t, keys, 1, a, 1, "k:bigint|s:bigint\n1|-9223372036854775808\n2|9223372036854775807\n");
    lp_table_unref(t);
}

static void test_agg_min_max_types(void **state) {
    (void)state;
    lp_table *t = tu_table("k:bigint,s:string,d:date,f:double,b:boolean,ts:timestamp",
                           "1|pear|2013-06-02|2.0|true|2013-06-02 10:00:00;"
                           "2|null|null|NaN|false|null;"
                           "1|apple|2012-01-01|NaN|false|2014-01-01 00:00:00;"
                           "2|fig|2020-02-02|-1.0|null|2000-01-01 00:00:00;"
                           "1|zoo|null|-3.5|true|null;"
                           "3|null|null|null|null|null;"
                           "4|null|null|NaN|null|null",
                           2);
    int keys[] = {0};
    lp_aggspec a[] = {SPEC(LP_AGG_MIN, 1, "smin"), SPEC(LP_AGG_MAX, 1, "smax"), SPEC(LP_AGG_MIN, 2, "dmin"),
                      SPEC(LP_AGG_MAX, 2, "dmax"), SPEC(LP_AGG_MIN, 3, "fmin"), SPEC(LP_AGG_MAX, 3, "fmax"),
                      SPEC(LP_AGG_MIN, 4, "bmin"), SPEC(LP_AGG_MAX, 4, "bmax"), SPEC(LP_AGG_MIN, 5, "tmin"),
                      SPEC(LP_AGG_MAX, 5, "tmax")};
    check_agg(t, keys, 1, a, 10,
              "k:bigint|smin:string|smax:string|dmin:date|dmax:date|fmin:double|fmax:double|bmin:boolean|"
              "bmax:boolean|tmin:timestamp|tmax:timestamp\n"
              "1|apple|zoo|2012-01-01|2013-06-02|-3.5|NaN|false|true|2013-06-02 10:00:00|2014-01-01 00:00:00\n"
              "2|fig|fig|2020-02-02|2020-02-02|-1.0|NaN|false|false|2000-01-01 00:00:00|2000-01-01 00:00:00\n"
              "3|null|null|null|null|null|null|null|null|null|null\n"
              "4|null|null|null|null|NaN|NaN|null|null|null|null\n");
    lp_table_unref(t);
}

static void test_agg_variance_stddev(void **state) {
    (void)state;
    lp_table *t = tu_table("k:string,v:bigint,f:double",
                           "a|1|1.0;b|5|5.0;a|2|2.0;c|null|null;a|3|3.0;a|4|4.0", 2);
    int keys[] = {0};
    lp_aggspec a[] = {SPEC(LP_AGG_VAR_SAMP, 1, "vs"), SPEC(LP_AGG_VAR_POP, 1, "vp"),
                      SPEC(LP_AGG_STDDEV_SAMP, 2, "ss"), SPEC(LP_AGG_STDDEV_POP, 2, "sp")};
    check_agg(t, keys, 1, a, 4,
              "k:string|vs:double|vp:double|ss:double|sp:double\n"
              "a|1.6666666666666667|1.25|1.2909944487358056|1.118033988749895\n"
              "b|null|0.0|null|0.0\n"
              "c|null|null|null|null\n");
    lp_table_unref(t);
}

/* Builds a one-column-per-array table: n rows, split every `per` rows. */
static lp_table *f64_table(const double *v, int64_t n, int per) {
    const char *names[] = {"k", "f"};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_FLOAT64)};
    lp_table *t = lp_table_new(2, names, types);
    for (int64_t s = 0; s < n; s += per) {
        lp_colbuf kb, fb;
        lp_colbuf_init(&kb, types[0]);
        lp_colbuf_init(&fb, types[1]);
        for (int64_t r = s; r < n && r < s + per; r++) {
            lp_colbuf_append_i64(&kb, r % 2);
            lp_colbuf_append_f64(&fb, v[r]);
        }
        lp_column *cols[2];
        assert_int_equal(lp_colbuf_finish(&kb, &cols[0]), LP_OK);
        assert_int_equal(lp_colbuf_finish(&fb, &cols[1]), LP_OK);
        assert_int_equal(lp_table_add_part(t, cols[0]->len, cols), LP_OK);
    }
    return t;
}

static void test_agg_variance_large_offset(void **state) {
    (void)state;
    /* 1e9 + {4, 7, 13, 16}: variance 22.5 (population); a sum-of-squares formula loses it all */
    int64_t n = 40000;
    double *v = malloc(sizeof *v * (size_t)n);
    const double d[] = {4, 7, 13, 16};
    for (int64_t r = 0; r < n; r++) v[r] = 1e9 + d[(r / 2) % 4];
    lp_table *t = f64_table(v, n, 777);
    free(v);
    int keys[] = {0};
    lp_aggspec a[] = {SPEC(LP_AGG_VAR_POP, 1, "vp"), SPEC(LP_AGG_VAR_SAMP, 1, "vs"),
                      SPEC(LP_AGG_STDDEV_POP, 1, "sp"), SPEC(LP_AGG_MEAN, 1, "m")};
    lp_table *out = agg(t, keys, 1, a, 4);
    assert_int_equal(out->nrows, 2);
    for (int64_t r = 0; r < 2; r++) {
        double vp = out->parts[0].cols[1]->v.f[r], vs = out->parts[0].cols[2]->v.f[r];
        double sp = out->parts[0].cols[3]->v.f[r], m = out->parts[0].cols[4]->v.f[r];
        assert_true(fabs(vp - 22.5) < 1e-6);
        assert_true(fabs(vs - 22.5 * 20000.0 / 19999.0) < 1e-6);
        assert_true(fabs(sp - sqrt(22.5)) < 1e-7);
        assert_true(fabs(m - (1e9 + 10)) < 1e-3);
    }
    lp_table_unref(out);
    lp_table_unref(t);
}

static void test_agg_first_last(void **state) {
    (void)state;
    lp_table *t = tu_table("k:string,v:bigint,s:string",
                           "a|null|p;b|2|null;a|1|q;a|3|null;b|null|r;a|null|s", 2);
    int keys[] = {0};
    lp_aggspec a[] = {SPEC(LP_AGG_FIRST, 1, "f"), SPECN(LP_AGG_FIRST, 1, "fi"), SPEC(LP_AGG_LAST, 1, "l"),
                      SPECN(LP_AGG_LAST, 1, "li"), SPEC(LP_AGG_FIRST, 2, "fs"), SPECN(LP_AGG_LAST, 2, "ls")};
    check_agg(t, keys, 1, a, 6,
              "k:string|f:bigint|fi:bigint|l:bigint|li:bigint|fs:string|ls:string\n"
              "a|null|1|null|3|p|s\n"
              "b|2|2|null|2|null|r\n");
    lp_table_unref(t);
}

static void test_agg_percentiles(void **state) {
    (void)state;
    lp_table *t = tu_table("k:string,v:bigint,d:date",
                           "a|4|2020-01-04;b|1|null;a|1|2020-01-01;b|2|null;b|3|null;a|3|2020-01-03;b|4|null;"
                           "b|5|null;b|6|null;a|2|2020-01-02;b|7|null;b|8|null;b|9|null;b|10|null;c|null|null",
                           3);
    int keys[] = {0};
    lp_aggspec a[] = {SPEC(LP_AGG_MEDIAN, 1, "med"), SPECP(LP_AGG_PERCENTILE, 1, 0.5, "p50"),
                      SPECP(LP_AGG_PERCENTILE, 1, 0.25, "p25"), SPECP(LP_AGG_PERCENTILE_APPROX, 1, 0.5, "a50"),
                      SPECP(LP_AGG_PERCENTILE_APPROX, 1, 0.25, "a25"), SPECP(LP_AGG_PERCENTILE_APPROX, 1, 0.7, "a70"),
                      SPECP(LP_AGG_PERCENTILE_APPROX, 1, 0.0, "a0"), SPECP(LP_AGG_PERCENTILE_APPROX, 1, 1.0, "a100"),
                      SPECP(LP_AGG_PERCENTILE_APPROX, 2, 0.5, "ad")};
    check_agg(t, keys, 1, a, 9,
              "k:string|med:double|p50:double|p25:double|a50:bigint|a25:bigint|a70:bigint|a0:bigint|a100:bigint|"
              "ad:date\n"
              "a|2.5|2.5|1.75|2|1|3|1|4|2020-01-02\n"
              "b|5.5|5.5|3.25|5|3|7|1|10|null\n"
              "c|null|null|null|null|null|null|null|null|null\n");
    lp_table_unref(t);
}

static void test_agg_count_distinct(void **state) {
    (void)state;
    lp_table *t = tu_table("k:bigint,v:bigint,s:string,f:double,l:array<bigint>",
                           "1|1|x|0.0|[1];1|1|y|-0.0|[1];1|2|x|NaN|[1,2];1|null|null|NaN|null;2|null|null|null|null;"
                           "1|3|X|1.0|[]",
                           2);
    int keys[] = {0};
    lp_aggspec a[] = {SPEC(LP_AGG_COUNT_DISTINCT, 1, "v"), SPEC(LP_AGG_COUNT_DISTINCT, 2, "s"),
                      SPEC(LP_AGG_COUNT_DISTINCT, 3, "f"), SPEC(LP_AGG_COUNT_DISTINCT, 4, "l")};
    check_agg(t, keys, 1, a, 4, "k:bigint|v:bigint|s:bigint|f:bigint|l:bigint\n1|3|3|3|3\n2|0|0|0|0\n");
    lp_table_unref(t);
}

static void test_agg_collect_list(void **state) {
    (void)state;
    lp_table *t = tu_table("k:string,v:bigint,s:string,f:double",
                           "a|1|x|1.5;b|null|null|null;a|null|y|2.5;a|3|null|null;c|4|z|0.5;a|5|w|null", 2);
    int keys[] = {0};
    lp_aggspec a[] = {SPEC(LP_AGG_COLLECT_LIST, 1, "v"), SPEC(LP_AGG_COLLECT_LIST, 2, "s"),
                      SPEC(LP_AGG_COLLECT_LIST, 3, "f")};
    check_agg(t, keys, 1, a, 3,
              "k:string|v:array<bigint>|s:array<string>|f:array<double>\n"
              "a|[1, 3, 5]|[x, y, w]|[1.5, 2.5]\n"
              "b|[]|[]|[]\n"
              "c|[4]|[z]|[0.5]\n");
    lp_table_unref(t);
}

static void test_agg_null_keys(void **state) {
    (void)state;
    lp_table *t = tu_table("k:bigint,s:string,v:bigint", "null|a|1;1|null|2;null|a|3;1|b|4;2|null|5;null|null|6", 2);
    lp_aggspec a[] = {SPEC(LP_AGG_COUNT_STAR, -1, "n"), SPEC(LP_AGG_SUM, 2, "s")};
    int k0[] = {0}, k1[] = {1}, k01[] = {0, 1};
    check_agg(t, k0, 1, a, 2, "k:bigint|n:bigint|s:bigint\nnull|3|10\n1|2|6\n2|1|5\n");
    check_agg(t, k1, 1, a, 2, "s:string|n:bigint|s:bigint\na|2|4\nnull|3|13\nb|1|4\n");
    check_agg(t, k01, 2, a, 2,
              "k:bigint|s:string|n:bigint|s:bigint\nnull|a|2|4\n1|null|1|2\n1|b|1|4\n2|null|1|5\nnull|null|1|6\n");
    lp_table_unref(t);
    /* empty strings are not null; partitions with and without nulls meet in one null group */
    t = tu_table("s:string,v:bigint,k:bigint", "|1|7;null|2|null;|3|7;x|4|8;null|5|null;|6|7", 2);
    int ks[] = {0}, kk[] = {2};
    lp_aggspec b[] = {SPEC(LP_AGG_COUNT_STAR, -1, "n"), SPEC(LP_AGG_SUM, 1, "s")};
    check_agg(t, ks, 1, b, 2, "s:string|n:bigint|s:bigint\n|3|10\nnull|2|7\nx|1|4\n");
    check_agg(t, kk, 1, b, 2, "k:bigint|n:bigint|s:bigint\n7|3|10\nnull|2|7\n8|1|4\n");
    lp_table_unref(t);
}

static void test_agg_multi_key_mixed_types(void **state) {
    (void)state;
    lp_table *t = tu_table("d:date,b:boolean,f:double,l:array<bigint>,v:bigint",
                           "2020-01-01|true|0.0|[1,2]|1;2020-01-01|true|-0.0|[1,2]|2;2020-01-01|false|0.0|[1,2]|3;"
                           "2020-01-02|true|0.0|[1,2]|4;2020-01-01|true|0.0|[1,3]|5;2020-01-01|true|NaN|[1,2]|6;"
                           "2020-01-01|true|NaN|[1,2]|7;null|null|null|null|8;null|null|null|null|9",
                           2);
    int keys[] = {0, 1, 2, 3};
    lp_aggspec a[] = {SPEC(LP_AGG_SUM, 4, "s")};
    check_agg(t, keys, 4, a, 1,
              "d:date|b:boolean|f:double|l:array<bigint>|s:bigint\n"
              "2020-01-01|true|0.0|[1, 2]|3\n"
              "2020-01-01|false|0.0|[1, 2]|3\n"
              "2020-01-02|true|0.0|[1, 2]|4\n"
              "2020-01-01|true|0.0|[1, 3]|5\n"
              "2020-01-01|true|NaN|[1, 2]|13\n"
              "null|null|null|null|17\n");
    lp_table_unref(t);
}

static void test_agg_no_keys(void **state) {
    (void)state;
    lp_aggspec a[] = {SPEC(LP_AGG_COUNT_STAR, -1, "n"), SPEC(LP_AGG_COUNT, 0, "c"), SPEC(LP_AGG_SUM, 0, "s"),
                      SPEC(LP_AGG_MEAN, 0, "m"), SPEC(LP_AGG_MIN, 1, "mn"), SPEC(LP_AGG_FIRST, 1, "f"),
                      SPEC(LP_AGG_COLLECT_LIST, 0, "l"), SPEC(LP_AGG_COUNT_DISTINCT, 0, "cd"),
                      SPEC(LP_AGG_MEDIAN, 0, "med"), SPEC(LP_AGG_STDDEV_SAMP, 0, "sd")};
    const char *hdr = "n:bigint|c:bigint|s:bigint|m:double|mn:string|f:string|l:array<bigint>|cd:bigint|med:double|"
                      "sd:double\n";
    char want[512];
    lp_table *e = tu_table("v:bigint,s:string", "", 0);
    snprintf(want, sizeof want, "%s0|0|null|null|null|null|[]|0|null|null\n", hdr);
    check_agg(e, NULL, 0, a, 10, want);
    lp_table_unref(e);
    lp_table *t = tu_table("v:bigint,s:string", "1|b;2|a;null|c", 2);
    snprintf(want, sizeof want, "%s3|2|3|1.5|a|b|[1, 2]|2|1.5|0.7071067811865476\n", hdr);
    check_agg(t, NULL, 0, a, 10, want);
    lp_table_unref(t);
}

static void test_agg_empty_input_with_keys(void **state) {
    (void)state;
    lp_table *e = tu_table("k:string,v:bigint", "", 0);
    int keys[] = {0};
    lp_aggspec a[] = {SPEC(LP_AGG_COUNT_STAR, -1, "n")};
    check_agg(e, keys, 1, a, 1, "k:string|n:bigint\n");
    lp_table_unref(e);
}

static void test_agg_default_names(void **state) {
    (void)state;
    lp_table *t = tu_table("k:string,v:bigint", "a|1", 0);
    int keys[] = {0};
    lp_aggspec a[] = {SPEC(LP_AGG_COUNT_STAR, -1, NULL), SPEC(LP_AGG_MEAN, 1, NULL), SPEC(LP_AGG_SUM, 1, NULL),
                      SPEC(LP_AGG_COUNT_DISTINCT, 1, NULL)};
    check_agg(t, keys, 1, a, 4, "k:string|count(1):bigint|avg(v):double|sum(v):bigint|count(DISTINCT v):bigint\n"
                                "a|1|1.0|1|1\n");
    lp_table_unref(t);
}

static void test_agg_type_errors(void **state) {
    (void)state;
    lp_table *t = tu_table("s:string,d:date,b:boolean,v:bigint", "x|2020-01-01|true|1", 0);
    struct { lp_aggspec a; lp_status st; const char *fn, *type; } cases[] = {
        {SPEC(LP_AGG_SUM, 0, "x"), LP_ETYPE, "sum", "string"},
        {SPEC(LP_AGG_MEAN, 1, "x"), LP_ETYPE, "mean", "date"},
        {SPEC(LP_AGG_STDDEV_SAMP, 2, "x"), LP_ETYPE, "stddev_samp", "boolean"},
        {SPEC(LP_AGG_COLLECT_LIST, 1, "x"), LP_ETYPE, "collect_list", "date"},
        {SPEC(LP_AGG_MEDIAN, 0, "x"), LP_ETYPE, "median", "string"},
        {SPECP(LP_AGG_PERCENTILE_APPROX, 0, 0.5, "x"), LP_ETYPE, "percentile_approx", "string"},
        {SPECP(LP_AGG_PERCENTILE, 3, 1.5, "x"), LP_EVALUE, "percentile", "1.5"},
        {SPEC(LP_AGG_SUM, 9, "x"), LP_EVALUE, "sum", "9"},
    };
    for (size_t i = 0; i < LP_ARRAY_LEN(cases); i++) {
        lp_table *out = (lp_table *)t;
        lp_diag d;
        lp_diag_init(&d);
        assert_int_equal(lp_aggregate(t, NULL, 0, &cases[i].a, 1, &out, &d), cases[i].st);
        assert_null(out);
        assert_int_equal(d.status, cases[i].st);
        assert_non_null(strstr(d.msg, cases[i].fn));
        assert_non_null(strstr(d.msg, cases[i].type));
    }
    lp_table_unref(t);
}

static void test_agg_result_types(void **state) {
    (void)state;
    lp_type i = lp_type_of(LP_INT64), f = lp_type_of(LP_FLOAT64), s = lp_type_of(LP_STRING), dt = lp_type_of(LP_DATE);
    assert_int_equal(lp_agg_result_type(LP_AGG_COUNT, s).kind, LP_INT64);
    assert_int_equal(lp_agg_result_type(LP_AGG_SUM, i).kind, LP_INT64);
    assert_int_equal(lp_agg_result_type(LP_AGG_SUM, f).kind, LP_FLOAT64);
    assert_int_equal(lp_agg_result_type(LP_AGG_SUM, s).kind, LP_NULLTYPE);
    assert_int_equal(lp_agg_result_type(LP_AGG_MEAN, i).kind, LP_FLOAT64);
    assert_int_equal(lp_agg_result_type(LP_AGG_MIN, dt).kind, LP_DATE);
    assert_int_equal(lp_agg_result_type(LP_AGG_MEDIAN, i).kind, LP_FLOAT64);
    assert_int_equal(lp_agg_result_type(LP_AGG_PERCENTILE_APPROX, dt).kind, LP_DATE);
    assert_int_equal(lp_agg_result_type(LP_AGG_PERCENTILE_APPROX, i).kind, LP_INT64);
    lp_type l = lp_agg_result_type(LP_AGG_COLLECT_LIST, s);
    assert_true(l.kind == LP_LIST && l.elem == LP_STRING);
    assert_int_equal(lp_agg_result_type(LP_AGG_COLLECT_LIST, dt).kind, LP_NULLTYPE);
}

/* ---- distinct ---- */

static void test_agg_distinct_keeps_first(void **state) {
    (void)state;
    lp_table *t = tu_table("a:bigint,b:string", "1|x;2|y;1|z;2|y;3|null;1|x;3|null", 2);
    lp_table *out;
    lp_diag d;
    assert_int_equal(lp_distinct(t, NULL, 0, &out, &d), LP_OK);
    tu_assert_table(out, "a:bigint|b:string\n1|x\n2|y\n1|z\n3|null\n");
    lp_table_unref(out);
    int ca[] = {0}, cb[] = {1};
    assert_int_equal(lp_distinct(t, ca, 1, &out, &d), LP_OK);
    tu_assert_table(out, "a:bigint|b:string\n1|x\n2|y\n3|null\n");
    lp_table_unref(out);
    assert_int_equal(lp_distinct(t, cb, 1, &out, &d), LP_OK);
    tu_assert_table(out, "a:bigint|b:string\n1|x\n2|y\n1|z\n3|null\n");
    lp_table_unref(out);
    lp_table *e = tu_table("a:bigint,b:string", "", 0);
    assert_int_equal(lp_distinct(e, NULL, 0, &out, &d), LP_OK);
    tu_assert_table(out, "a:bigint|b:string\n");
    lp_table_unref(out);
    lp_table_unref(e);
    lp_table_unref(t);
}

/* ---- randomised cross-check against a naive reference ---- */

static uint64_t rng_state;
static uint64_t rnd(void) {
    rng_state += 0x9e3779b97f4a7c15ULL;
    uint64_t z = rng_state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

typedef struct rrow {
    bool k1null, k2null, vnull, fnull;
    int64_t k1, v;
    int k2;
    double f;
} rrow;

static const char *k2name[] = {"alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa",
                               "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon"};

/* Random rows (k1 bigint, k2 string, v bigint, f double), split into parts of `per` rows. */
static lp_table *random_table(rrow *rows, int n, int per, uint64_t seed) {
    rng_state = seed;
    for (int r = 0; r < n; r++) {
        rows[r].k1null = rnd() % 20 == 0;
        rows[r].k1 = (int64_t)(rnd() % 30);
        rows[r].k2null = rnd() % 20 == 0;
        rows[r].k2 = (int)(rnd() % 20);
        rows[r].vnull = rnd() % 10 == 0;
        rows[r].v = (int64_t)(rnd() % 2001) - 1000;
        rows[r].fnull = rnd() % 10 == 0;
        rows[r].f = (double)(rnd() % 100000) / 64.0 - 500.0;
    }
    const char *names[] = {"k1", "k2", "v", "f"};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_STRING), lp_type_of(LP_INT64), lp_type_of(LP_FLOAT64)};
    lp_table *t = lp_table_new(4, names, types);
    for (int s = 0; s < n; s += per) {
        lp_colbuf b[4];
        for (int c = 0; c < 4; c++) lp_colbuf_init(&b[c], types[c]);
        for (int r = s; r < n && r < s + per; r++) {
            if (rows[r].k1null) lp_colbuf_append_null(&b[0]); else lp_colbuf_append_i64(&b[0], rows[r].k1);
            if (rows[r].k2null) lp_colbuf_append_null(&b[1]);
            else lp_colbuf_append_str(&b[1], k2name[rows[r].k2], strlen(k2name[rows[r].k2]));
            if (rows[r].vnull) lp_colbuf_append_null(&b[2]); else lp_colbuf_append_i64(&b[2], rows[r].v);
            if (rows[r].fnull) lp_colbuf_append_null(&b[3]); else lp_colbuf_append_f64(&b[3], rows[r].f);
        }
        lp_column *cols[4];
        for (int c = 0; c < 4; c++) assert_int_equal(lp_colbuf_finish(&b[c], &cols[c]), LP_OK);
        assert_int_equal(lp_table_add_part(t, cols[0]->len, cols), LP_OK);
    }
    return t;
}

static bool same_key(const rrow *a, const rrow *b) {
    if (a->k1null != b->k1null || (!a->k1null && a->k1 != b->k1)) return false;
    if (a->k2null != b->k2null || (!a->k2null && a->k2 != b->k2)) return false;
    return true;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static lp_value cell(const lp_table *t, int col, int64_t row) {
    for (int p = 0; p < t->nparts; p++) {
        if (row < t->parts[p].nrows) return lp_column_get(t->parts[p].cols[col], row);
        row -= t->parts[p].nrows;
    }
    fail_msg("row out of range");
    return lp_value_null();
}

#define assert_close(got, want) assert_close_((got), (want), __LINE__)
static void assert_close_(double got, double want, int line) {
    if (!(fabs(got - want) <= 1e-9 * (1 + fabs(want)))) fail_msg("line %d: got %.17g, want %.17g", line, got, want);
}

static void test_agg_random_cross_check(void **state) {
    (void)state;
    enum { N = 9000 };
    rrow *rows = malloc(sizeof *rows * N);
    int pers[] = {37, 1000, N};
    for (size_t pi = 0; pi < LP_ARRAY_LEN(pers); pi++) {
        lp_table *t = random_table(rows, N, pers[pi], 1234 + pi);
        int keys[] = {0, 1};
        lp_aggspec a[] = {SPEC(LP_AGG_COUNT_STAR, -1, "n"), SPEC(LP_AGG_COUNT, 2, "c"), SPEC(LP_AGG_SUM, 2, "s"),
                          SPEC(LP_AGG_MIN, 2, "mn"), SPEC(LP_AGG_MAX, 2, "mx"), SPEC(LP_AGG_MEAN, 3, "m"),
                          SPEC(LP_AGG_VAR_SAMP, 3, "vs"), SPEC(LP_AGG_COUNT_DISTINCT, 2, "cd"),
                          SPEC(LP_AGG_MEDIAN, 2, "med"), SPEC(LP_AGG_FIRST, 2, "fv"), SPECN(LP_AGG_LAST, 3, "lf"),
                          SPECP(LP_AGG_PERCENTILE_APPROX, 2, 0.3, "a30")};
        lp_table *out = agg(t, keys, 2, a, 12);
        /* the reference: groups in order of first occurrence, by linear search */
        int *gfirst = malloc(sizeof(int) * N), *gof = malloc(sizeof(int) * N), ng = 0;
        for (int r = 0; r < N; r++) {
            int g = 0;
            while (g < ng && !same_key(&rows[gfirst[g]], &rows[r])) g++;
            if (g == ng) gfirst[ng++] = r;
            gof[r] = g;
        }
        assert_int_equal(out->nrows, ng);
        int64_t *vals = malloc(sizeof *vals * N);
        for (int g = 0; g < ng; g++) {
            const rrow *key = &rows[gfirst[g]];
            lp_value k1 = cell(out, 0, g), k2 = cell(out, 1, g);
            assert_int_equal(k1.null, key->k1null);
            if (!key->k1null) assert_int_equal(k1.u.i, key->k1);
            assert_int_equal(k2.null, key->k2null);
            if (!key->k2null) assert_true(k2.u.s.n == (int64_t)strlen(k2name[key->k2]) &&
                                          memcmp(k2.u.s.p, k2name[key->k2], (size_t)k2.u.s.n) == 0);
            int64_t n = 0, c = 0, s = 0, nv = 0, nf = 0;
            double fs = 0;
            int first = -1, lastf = -1;
            for (int r = 0; r < N; r++) {
                if (gof[r] != g) continue;
                n++;
                if (first < 0) first = r;
                if (!rows[r].vnull) {
                    c++;
                    s += rows[r].v;
                    vals[nv++] = rows[r].v;
                }
                if (!rows[r].fnull) {
                    nf++;
                    fs += rows[r].f;
                    lastf = r;
                }
            }
            double fmean = nf ? fs / (double)nf : 0, m2 = 0;
            for (int r = 0; r < N; r++)
                if (gof[r] == g && !rows[r].fnull) m2 += (rows[r].f - fmean) * (rows[r].f - fmean);
            qsort(vals, (size_t)nv, sizeof *vals, cmp_i64);
            int64_t distinct = nv ? 1 : 0;
            for (int64_t i = 1; i < nv; i++) distinct += vals[i] != vals[i - 1];
            assert_int_equal(cell(out, 2, g).u.i, n);
            assert_int_equal(cell(out, 3, g).u.i, c);
            lp_value v;
            v = cell(out, 4, g);
            assert_int_equal(v.null, c == 0);
            if (c) assert_int_equal(v.u.i, s);
            v = cell(out, 5, g);
            if (nv) assert_int_equal(v.u.i, vals[0]);
            v = cell(out, 6, g);
            if (nv) assert_int_equal(v.u.i, vals[nv - 1]);
            v = cell(out, 7, g);
            assert_int_equal(v.null, nf == 0);
            if (nf) assert_close(v.u.f, fmean);
            v = cell(out, 8, g);
            assert_int_equal(v.null, nf < 2);
            if (nf >= 2) assert_close(v.u.f, m2 / (double)(nf - 1));
            assert_int_equal(cell(out, 9, g).u.i, distinct);
            v = cell(out, 10, g);
            assert_int_equal(v.null, nv == 0);
            if (nv) {
                double pos = 0.5 * (double)(nv - 1);
                int64_t lo = (int64_t)floor(pos), hi = (int64_t)ceil(pos);
                double want = lo == hi ? (double)vals[lo]
                                       : (double)(hi - pos) * (double)vals[lo] + (pos - (double)lo) * (double)vals[hi];
                assert_close(v.u.f, want);
            }
            v = cell(out, 11, g);
            assert_int_equal(v.null, rows[first].vnull);
            if (!rows[first].vnull) assert_int_equal(v.u.i, rows[first].v);
            v = cell(out, 12, g);
            assert_int_equal(v.null, lastf < 0);
            if (lastf >= 0) assert_true(v.u.f == rows[lastf].f);
            v = cell(out, 13, g);
            if (nv) {
                int64_t idx = 0; /* smallest value with at least 30% of the values at or below it */
                while ((double)(idx + 1) < 0.3 * (double)nv - 1e-9) idx++;
                assert_int_equal(v.u.i, vals[idx]);
            }
        }
        free(vals);
        free(gfirst);
        free(gof);
        lp_table_unref(out);
        lp_table_unref(t);
    }
    free(rows);
}

/* ---- thread-count independence ---- */

typedef struct threads_arg {
    lp_table *t;
    const int *keys;
    int nkeys;
    const lp_aggspec *a;
    int naggs;
    bool distinct;
} threads_arg;

static char *run_dump(void *p) {
    threads_arg *x = p;
    lp_table *out;
    lp_diag d;
    lp_status st = x->distinct ? lp_distinct(x->t, x->keys, x->nkeys, &out, &d)
                               : lp_aggregate(x->t, x->keys, x->nkeys, x->a, x->naggs, &out, &d);
    if (st != LP_OK) fail_msg("%s", d.msg);
    char *s = tu_dump(out);
    lp_table_unref(out);
    return s;
}

/* n rows with string keys of ~ngroups values and float values, parts of `per` rows. */
static lp_table *string_key_table(int64_t n, int64_t ngroups, int64_t per, uint64_t seed) {
    const char *names[] = {"id", "x", "i"};
    lp_type types[] = {lp_type_of(LP_STRING), lp_type_of(LP_FLOAT64), lp_type_of(LP_INT64)};
    lp_table *t = lp_table_new(3, names, types);
    rng_state = seed;
    for (int64_t s = 0; s < n; s += per) {
        lp_colbuf b[3];
        for (int c = 0; c < 3; c++) lp_colbuf_init(&b[c], types[c]);
        for (int64_t r = s; r < n && r < s + per; r++) {
            char key[32];
            int len = snprintf(key, sizeof key, "A%llX", (unsigned long long)(rnd() % (uint64_t)ngroups) * 2654435761ULL);
            lp_colbuf_append_str(&b[0], key, (size_t)len);
            lp_colbuf_append_f64(&b[1], (double)(rnd() % 1000) / 7.0);
            if (rnd() % 16 == 0) lp_colbuf_append_null(&b[2]); else lp_colbuf_append_i64(&b[2], (int64_t)(rnd() % 5));
        }
        lp_column *cols[3];
        for (int c = 0; c < 3; c++) assert_int_equal(lp_colbuf_finish(&b[c], &cols[c]), LP_OK);
        assert_int_equal(lp_table_add_part(t, cols[0]->len, cols), LP_OK);
    }
    return t;
}

static void test_agg_same_across_threads(void **state) {
    (void)state;
    /* one partition larger than a work unit, then smaller ones: many units and buckets */
    lp_table *t = string_key_table(300000, 40000, 280000, 7);
    int k0[] = {0}, k2[] = {2}, k02[] = {0, 2};
    lp_aggspec a[] = {SPEC(LP_AGG_COUNT_STAR, -1, "n"), SPEC(LP_AGG_SUM, 1, "s"), SPEC(LP_AGG_MEAN, 1, "m"),
                      SPEC(LP_AGG_STDDEV_SAMP, 1, "sd"), SPEC(LP_AGG_MEDIAN, 1, "med"), SPEC(LP_AGG_LAST, 1, "l"),
                      SPEC(LP_AGG_MAX, 0, "mx")};
    threads_arg args[] = {{t, k0, 1, a, 7, false}, {t, k2, 1, a, 7, false}, {t, k02, 2, a, 3, false},
                          {t, NULL, 0, a, 7, false}, {t, k2, 1, NULL, 0, true}, {t, k0, 1, NULL, 0, true}};
    for (size_t i = 0; i < LP_ARRAY_LEN(args); i++) {
        char *s = tu_same_across_threads(run_dump, &args[i]);
        assert_true(strlen(s) > 10);
        lp_free(s);
    }
    /* the k2 grouping: null, then 0..4 in first-occurrence order, counts summing to n */
    lp_table *out = agg(t, k2, 1, a, 1);
    int64_t total = 0;
    for (int64_t r = 0; r < out->nrows; r++) total += cell(out, 1, r).u.i;
    assert_int_equal(out->nrows, 6);
    assert_int_equal(total, 300000);
    lp_table_unref(out);
    lp_table_unref(t);
}

/* ---- faults and cancellation ---- */

static void test_agg_fault_injection(void **state) {
    (void)state;
    lp_table *t = tu_table("k:string,v:bigint,f:double,s:string",
                           "a|1|1.5|x;b|null|2.0|y;a|3|null|z;c|4|4.0|null;b|5|0.5|w;a|null|3.0|v;d|7|7.0|u", 2);
    int keys[] = {0};
    lp_aggspec a[] = {SPEC(LP_AGG_COUNT_STAR, -1, "n"), SPEC(LP_AGG_SUM, 1, "s"), SPEC(LP_AGG_MEDIAN, 2, "m"),
                      SPEC(LP_AGG_MIN, 3, "mn"), SPEC(LP_AGG_COLLECT_LIST, 3, "l"), SPEC(LP_AGG_VAR_POP, 2, "v"),
                      SPEC(LP_AGG_COUNT_DISTINCT, 3, "cd")};
    for (int mode = 0; mode < 3; mode++) {
        int64_t k, oks = 0;
        for (k = 1; k < 10000; k++) {
            int64_t before = lp_mem_used();
            lp_table *out = (lp_table *)t;
            lp_diag d;
            lp_diag_init(&d);
            lp_mem_fail_at(k, mode == 1);
            lp_status st = mode == 2 ? lp_distinct(t, keys, 1, &out, &d) : lp_aggregate(t, keys, 1, a, 7, &out, &d);
            int64_t failed = lp_mem_fail_at(0, false);
            if (st == LP_OK) {
                assert_non_null(out);
                oks++;
                lp_table_unref(out);
            } else {
                assert_int_equal(st, LP_ENOMEM);
                assert_int_equal(d.status, LP_ENOMEM);
                assert_null(out);
                assert_non_null(strstr(d.msg, mode == 2 ? "distinct" : "hash aggregate"));
            }
            assert_int_equal(lp_mem_used(), before);
            if (failed == 0) break;
        }
        assert_true(k > 5);
        assert_true(oks >= 1);
    }
    lp_table_unref(t);
}

static void test_agg_cancel_before(void **state) {
    (void)state;
    lp_table *t = string_key_table(20000, 1000, 3000, 3);
    int keys[] = {0};
    lp_aggspec a[] = {SPEC(LP_AGG_COUNT_STAR, -1, "n"), SPEC(LP_AGG_MEDIAN, 1, "m")};
    lp_cancel_request();
    lp_table *out = (lp_table *)t;
    lp_diag d;
    assert_int_equal(lp_aggregate(t, keys, 1, a, 2, &out, &d), LP_ECANCELLED);
    assert_null(out);
    assert_int_equal(d.status, LP_ECANCELLED);
    out = (lp_table *)t;
    assert_int_equal(lp_distinct(t, keys, 1, &out, &d), LP_ECANCELLED);
    assert_null(out);
    lp_cancel_clear();
    lp_table_unref(t);
}

static void test_agg_cancel_during(void **state) {
    (void)state;
    lp_table *t = string_key_table(600000, 100000, 50000, 5);
    int keys[] = {0};
    lp_aggspec a[] = {SPEC(LP_AGG_COUNT_STAR, -1, "n"), SPEC(LP_AGG_MEDIAN, 1, "m")};
    lp_pool_set_threads(4);
    tu_canceller th;
    tu_cancel_after(&th, 2000);
    lp_table *out = NULL;
    lp_diag d;
    lp_status st = lp_aggregate(t, keys, 1, a, 2, &out, &d);
    tu_cancel_join(&th);
    lp_pool_set_threads(0);
    /* a slow machine may finish first; either way nothing leaks */
    assert_true(st == LP_ECANCELLED || st == LP_OK);
    if (st == LP_OK) lp_table_unref(out); else assert_null(out);
    lp_cancel_clear();
    lp_table_unref(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_agg_count_sum_mean),
        TU_TEST(test_agg_sum_int64_wraps),
        TU_TEST(test_agg_min_max_types),
        TU_TEST(test_agg_variance_stddev),
        TU_TEST(test_agg_variance_large_offset),
        TU_TEST(test_agg_first_last),
        TU_TEST(test_agg_percentiles),
        TU_TEST(test_agg_count_distinct),
        TU_TEST(test_agg_collect_list),
        TU_TEST(test_agg_null_keys),
        TU_TEST(test_agg_multi_key_mixed_types),
        TU_TEST(test_agg_no_keys),
        TU_TEST(test_agg_empty_input_with_keys),
        TU_TEST(test_agg_default_names),
        TU_TEST(test_agg_type_errors),
        TU_TEST(test_agg_result_types),
        TU_TEST(test_agg_distinct_keeps_first),
        TU_TEST(test_agg_random_cross_check),
        TU_TEST(test_agg_same_across_threads),
        TU_TEST(test_agg_fault_injection),
        TU_TEST(test_agg_cancel_before),
        TU_TEST(test_agg_cancel_during),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lp_pool_shutdown();
    return rc;
}
