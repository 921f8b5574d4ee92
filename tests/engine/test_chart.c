/* test_chart.c -- charts as data (render/chart.c) and as text (render/chart_text.c): histogram
 * counts and edges, log axes, normalisation, hue series, sampling, bar limits, errors with their
 * hints, tick values and labels, golden text pictures, and failing allocations. */
#include "testutil.h"

#include "render/chart.h"
#include "render/render.h"

#include <math.h>
#include <stdio.h>

static lp_chart *build(lp_table *t, const lp_chart_opts *o) {
    lp_chart *c = NULL;
    lp_diag d;
    lp_diag_init(&d);
    lp_status st = lp_chart_build(t, o, &c, &d);
    if (st != LP_OK) fail_msg("chart failed: %s (%s)", d.msg, d.hint);
    assert_non_null(c);
    return c;
}

/* Builds and expects an error; returns the diagnostic. */
static lp_diag build_err(lp_table *t, const lp_chart_opts *o, lp_status want) {
    lp_chart *c = (lp_chart *)1;
    lp_diag d;
    lp_diag_init(&d);
    lp_status st = lp_chart_build(t, o, &c, &d);
    assert_int_equal(st, want);
    assert_int_equal(d.status, want);
    assert_null(c);
    return d;
}

/* A series as "name: (x, y) (x, y) ..." with %g numbers. */
static char *series_text(const lp_chart *c) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    for (int s = 0; s < c->nseries; s++) {
        lp_strbuf_printf(&b, "%s:", c->series[s].name);
        for (int64_t i = 0; i < c->series[s].n; i++)
            lp_strbuf_printf(&b, " (%g, %g)", c->series[s].x[i], c->series[s].y[i]);
        lp_strbuf_putc(&b, '\n');
    }
    return lp_strbuf_take(&b);
}

#define assert_series(c, want)                                                                     \
    do {                                                                                              \
        char *got_ = series_text(c);                                                                  \
        if (strcmp(got_, (want)) != 0) fail_msg("series\n%s\nwanted\n%s", got_, (want));              \
        lp_free(got_);                                                                                \
    } while (0)

static char *render(const lp_chart *c, int w, int h) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_chart_render_text(c, w, h, &b);
    assert_false(b.nomem);
    return lp_strbuf_take(&b);
}

static void test_chart_hist_counts_and_edges(void **state) {
    (void)state;
    lp_table *t = tu_table("x:double,n:bigint", "1|1;2|1;2|1;3|1;3|1;3|1;4|1;null|1", 3);
    lp_chart_opts o;
    lp_chart_opts_init(&o);
    assert_int_equal(o.kind, LP_CHART_LINE);
    assert_int_equal(o.bins, 10);
    assert_int_equal(o.max_points, 10000);
    lp_chart_kind k;
    assert_true(lp_chart_kind_parse("scatter", &k) && k == LP_CHART_SCATTER);
    assert_true(lp_chart_kind_parse("hist", &k) && k == LP_CHART_HIST);
    assert_string_equal(lp_chart_kind_name(LP_CHART_BAR), "bar");
    assert_false(lp_chart_kind_parse("pie", &k));
    o.kind = LP_CHART_HIST;
    o.x = "x";
    o.bins = 3;
    lp_chart *c = build(t, &o);
    assert_int_equal(c->nbins, 3);
    assert_true(c->edges[0] == 1 && c->edges[1] == 2 && c->edges[2] == 3 && c->edges[3] == 4);
    /* The last bin includes its top edge: 3, 3, 3 and 4. */
    assert_series(c, "x: (1.5, 1) (2.5, 2) (3.5, 4)\n");
    assert_int_equal(c->nulls, 1);
    assert_int_equal(c->nonpositive, 0);
    assert_int_equal(c->xaxis, LP_AXIS_NUMERIC);
    assert_string_equal(c->xlabel, "x");
    assert_string_equal(c->ylabel, "Frequency");
    assert_true(c->xlo == 1 && c->xhi == 4 && c->ylo == 0 && c->yhi == 4);
    lp_chart_free(c);
    /* y when x is not given. */
    o.x = NULL;
    o.y = "x";
    c = build(t, &o);
    assert_series(c, "x: (1.5, 1) (2.5, 2) (3.5, 4)\n");
    lp_chart_free(c);
    /* Neither: ambiguous with two numeric columns, the hint lists them. */
    o.y = NULL;
    lp_diag d = build_err(t, &o, LP_EVALUE);
    assert_string_equal(d.hint, "name it with x='...'; numeric columns: x, n");
    lp_table_unref(t);
    /* ...and the only one when there is one. */
    t = tu_table("s:string,x:bigint", "a|1;b|5", 0);
    o.bins = 2;
    c = build(t, &o);
    assert_series(c, "x: (2, 1) (4, 1)\n");
    lp_chart_free(c);
    lp_table_unref(t);
}

static void test_chart_log_axes_skip_nonpositive(void **state) {
    (void)state;
    lp_table *t = tu_table("x:double,y:double", "-1|1;0|2;1|-3;10|4;100|5;1000|0;null|1", 2);
    lp_chart_opts o;
    lp_chart_opts_init(&o);
    o.kind = LP_CHART_HIST;
    o.x = "x";
    o.bins = 3;
    o.logx = true;
    lp_chart *c = build(t, &o);
    assert_true(c->logx);
    assert_int_equal(c->nonpositive, 2);
    assert_int_equal(c->nulls, 1);
    assert_true(fabs(c->edges[1] - 10) < 1e-9 && fabs(c->edges[2] - 100) < 1e-9 && c->edges[3] == 1000);
    /* Centres are geometric: sqrt(10), sqrt(1000), sqrt(100000). */
    assert_true(fabs(c->series[0].x[0] - sqrt(10)) < 1e-9);
    assert_true(c->series[0].y[0] == 1 && c->series[0].y[1] == 1 && c->series[0].y[2] == 2);
    lp_chart_free(c);
    /* Scatter on log-log: rows with x <= 0 or y <= 0 are left out and counted. */
    o.kind = LP_CHART_SCATTER;
    o.y = "y";
    o.logy = true;
    c = build(t, &o);
    assert_series(c, "y: (10, 4) (100, 5)\n");
    assert_int_equal(c->nonpositive, 4);
    assert_int_equal(c->nulls, 1);
    assert_true(c->xlo == 10 && c->xhi == 100 && c->ylo == 4 && c->yhi == 5);
    lp_chart_free(c);
    lp_table_unref(t);
}

static void test_chart_hist_hue_normalised(void **state) {
    (void)state;
    lp_table *t = tu_table("v:bigint,g:string", "1|b;2|a;3|b;4|b;2|null;4|a;1|a;1|a", 3);
    lp_chart_opts o;
    lp_chart_opts_init(&o);
    o.kind = LP_CHART_HIST;
    o.x = "v";
    o.hue = "g";
    o.bins = 3;
    lp_chart *c = build(t, &o);
    /* Series in ascending order, nulls first; bins [1,2) [2,3) [3,4]. */
    assert_series(c, "null: (1.5, 0) (2.5, 1) (3.5, 0)\n"
                     "a: (1.5, 2) (2.5, 1) (3.5, 1)\n"
                     "b: (1.5, 1) (2.5, 0) (3.5, 2)\n");
    lp_chart_free(c);
    o.norm_hist = true;
    c = build(t, &o);
    assert_true(c->normalized);
    assert_string_equal(c->ylabel, "Fraction");
    for (int s = 0; s < c->nseries; s++) {
        double sum = 0;
        for (int64_t i = 0; i < c->series[s].n; i++) sum += c->series[s].y[i];
        assert_true(fabs(sum - 1) < 1e-12);
    }
    assert_true(c->series[1].y[0] == 0.5);
    lp_chart_free(c);
    lp_table_unref(t);
}

static void test_chart_line_sorted_with_hue(void **state) {
    (void)state;
    lp_table *t = tu_table("x:bigint,y:double,g:string", "3|30|a;1|10|a;2|5|b;1|1|b;2|20|a;5|null|a;7|7|null", 2);
    lp_chart_opts o;
    lp_chart_opts_init(&o);
    o.kind = LP_CHART_LINE;
    o.x = "x";
    o.y = "y";
    o.hue = "g";
    lp_chart *c = build(t, &o);
    assert_series(c, "null: (7, 7)\na: (1, 10) (2, 20) (3, 30)\nb: (1, 1) (2, 5)\n");
    assert_int_equal(c->nulls, 1);
    assert_false(c->sampled);
    assert_int_equal(c->points, 6);
    lp_chart_free(c);
    /* Without y: every numeric column but x, one series each; without x: the row number. */
    o.hue = NULL;
    o.y = NULL;
    o.x = NULL;
    c = build(t, &o);
    assert_series(c, "x: (0, 3) (1, 1) (2, 2) (3, 1) (4, 2) (5, 5) (6, 7)\ny: (0, 30) (1, 10) (2, 5) (3, 1) (4, 20) (6, 7)\n");
    assert_null(c->ylabel);
    assert_null(c->xlabel);
    lp_chart_free(c);
    lp_table_unref(t);
}

/* n rows x = i, y = i % 7, in partitions of `per` rows. */
static lp_table *ramp(int64_t n, int64_t per) {
    const char *names[] = {"x", "y"};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_FLOAT64)};
    lp_table *t = lp_table_new(2, names, types);
    for (int64_t start = 0; start < n; start += per) {
        lp_colbuf bx, by;
        lp_colbuf_init(&bx, types[0]);
        lp_colbuf_init(&by, types[1]);
        for (int64_t i = start; i < n && i < start + per; i++) {
            lp_colbuf_append_i64(&bx, i);
            lp_colbuf_append_f64(&by, (double)(i % 7));
        }
        lp_column *cols[2];
        assert_int_equal(lp_colbuf_finish(&bx, &cols[0]), LP_OK);
        assert_int_equal(lp_colbuf_finish(&by, &cols[1]), LP_OK);
        assert_int_equal(lp_table_add_part(t, LP_MIN(per, n - start), cols), LP_OK);
    }
    return t;
}

/* A line plot sorts its points by x in chunks and merges them (sort_points), checking for an
 * interrupt between steps: with more points than a chunk, the order must be qsort's exactly,
 * and a cancelled build must free everything. */
static void test_chart_line_sort_of_many_points(void **state) {
    (void)state;
    int64_t n = 300007; /* prime: i * 7919 mod n is a permutation */
    const char *names[] = {"x", "y"};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_FLOAT64)};
    lp_table *t = lp_table_new(2, names, types);
    for (int64_t start = 0; start < n; start += 70000) {
        lp_colbuf bx, by;
        lp_colbuf_init(&bx, types[0]);
        lp_colbuf_init(&by, types[1]);
        for (int64_t i = start; i < n && i < start + 70000; i++) {
            lp_colbuf_append_i64(&bx, (i * 7919) % n / 2); /* pairs of equal x: ties by row */
            lp_colbuf_append_f64(&by, (double)i);
        }
        lp_column *cols[2];
        assert_int_equal(lp_colbuf_finish(&bx, &cols[0]), LP_OK);
        assert_int_equal(lp_colbuf_finish(&by, &cols[1]), LP_OK);
        assert_int_equal(lp_table_add_part(t, LP_MIN(70000, n - start), cols), LP_OK);
    }
    lp_chart_opts o;
    lp_chart_opts_init(&o);
    o.kind = LP_CHART_LINE;
    o.x = "x";
    o.y = "y";
    o.max_points = 0;
    lp_chart *c = build(t, &o);
    assert_int_equal(c->series[0].n, n);
    for (int64_t i = 1; i < n; i++) {
        const double *x = c->series[0].x, *y = c->series[0].y;
        if (x[i] < x[i - 1] || (x[i] == x[i - 1] && y[i] <= y[i - 1]))
            fail_msg("point %lld out of order: (%g, %g) after (%g, %g)", (long long)i, x[i], y[i], x[i - 1], y[i - 1]);
    }
    lp_chart_free(c);
    for (int rep = 0; rep < 3; rep++) {
        tu_canceller th;
        tu_cancel_after(&th, 1000 + 4000 * rep);
        lp_diag d;
        lp_diag_init(&d);
        lp_chart *cc = NULL;
        lp_status st = lp_chart_build(t, &o, &cc, &d);
        tu_cancel_join(&th);
        if (st == LP_OK) {
            lp_chart_free(cc);
        } else {
            assert_int_equal(st, LP_ECANCELLED);
            assert_null(cc);
        }
    }
    lp_table_unref(t);
}

static void test_chart_scatter_sampling_deterministic(void **state) {
    (void)state;
    lp_table *a = ramp(25000, 25000), *b = ramp(25000, 999);
    lp_chart_opts o;
    lp_chart_opts_init(&o);
    o.kind = LP_CHART_SCATTER;
    o.x = "x";
    o.y = "y";
    o.max_points = 1000;
    lp_chart *ca = build(a, &o), *cb = build(b, &o);
    assert_true(ca->sampled);
    assert_int_equal(ca->points, 25000);
    assert_int_equal(ca->series[0].n, 1000);
    /* Evenly spaced: every 25th point, the same whatever the partitioning. */
    for (int64_t i = 0; i < 1000; i++) {
        assert_true(ca->series[0].x[i] == (double)(25 * i));
        assert_true(ca->series[0].y[i] == (double)((25 * i) % 7));
    }
    assert_int_equal(cb->series[0].n, 1000);
    assert_memory_equal(ca->series[0].x, cb->series[0].x, 1000 * sizeof(double));
    assert_memory_equal(ca->series[0].y, cb->series[0].y, 1000 * sizeof(double));
    lp_chart_free(ca);
    lp_chart_free(cb);
    /* With hue (seven series): the sample is spread over them and still exactly max_points. */
    o.hue = "y";
    ca = build(a, &o);
    cb = build(b, &o);
    assert_int_equal(ca->nseries, 7);
    int64_t sum = 0;
    for (int s = 0; s < ca->nseries; s++) {
        sum += ca->series[s].n;
        assert_int_equal(ca->series[s].n, cb->series[s].n);
        assert_memory_equal(ca->series[s].x, cb->series[s].x, (size_t)ca->series[s].n * sizeof(double));
        assert_true(ca->series[s].n >= 142 && ca->series[s].n <= 143);
    }
    assert_int_equal(sum, 1000);
    lp_chart_free(ca);
    lp_chart_free(cb);
    o.hue = NULL;
    /* Under the limit: everything, not marked sampled. */
    o.max_points = 0;
    ca = build(a, &o);
    assert_false(ca->sampled);
    assert_int_equal(ca->series[0].n, 25000);
    lp_chart_free(ca);
    lp_table_unref(a);
    lp_table_unref(b);
}

static void test_chart_bar_categories_and_limit(void **state) {
    (void)state;
    lp_table *t = tu_table("overall:double,count:bigint", "5.0|1009;4.0|447;null|3;1.0|null", 2);
    lp_chart_opts o;
    lp_chart_opts_init(&o);
    o.kind = LP_CHART_BAR;
    o.x = "overall";
    o.y = "count";
    lp_chart *c = build(t, &o);
    assert_int_equal(c->xaxis, LP_AXIS_CATEGORY);
    assert_int_equal(c->ncategories, 4);
    assert_string_equal(c->categories[0], "5.0");
    assert_string_equal(c->categories[2], "null");
    assert_series(c, "count: (0, 1009) (1, 447) (2, 3) (3, nan)\n");
    assert_int_equal(c->nulls, 1);
    assert_true(c->ylo == 0 && c->yhi == 1009);
    lp_chart_free(c);
    lp_table_unref(t);

    lp_table *big = ramp(51, 10);
    o.x = "x";
    o.y = "y";
    lp_diag d = build_err(big, &o, LP_ELIMIT);
    assert_string_equal(d.msg, "a bar chart draws one bar per row, and this DataFrame has 51 rows (at most 50)");
    assert_string_equal(d.hint, "aggregate first, e.g. df.groupBy('x').count(), or keep the first rows with limit(50)");
    lp_table_unref(big);
    big = ramp(50, 10);
    c = build(big, &o);
    assert_int_equal(c->ncategories, 50);
    lp_chart_free(c);
    o.hue = "y";
    build_err(big, &o, LP_EUNSUPPORTED);
    /* At most 20 hue values: x has 50. */
    o.kind = LP_CHART_SCATTER;
    o.hue = "x";
    d = build_err(big, &o, LP_ELIMIT);
    assert_string_equal(d.msg, "more than 20 values in hue column 'x'");
    lp_table_unref(big);
}

static void test_chart_errors_with_hints(void **state) {
    (void)state;
    lp_table *t = tu_table("overall:double,summary:string,day:date", "5.0|Great|2013-06-02", 0);
    lp_chart_opts o;
    lp_chart_opts_init(&o);
    o.kind = LP_CHART_HIST;
    o.x = "ovrall";
    lp_diag d = build_err(t, &o, LP_ENAME);
    assert_string_equal(d.msg, "column 'ovrall' does not exist");
    assert_string_equal(d.hint, "did you mean 'overall'? available columns: overall, summary, day");
    o.x = "summary";
    d = build_err(t, &o, LP_ETYPE);
    assert_string_equal(d.msg, "cannot plot a histogram of string column 'summary'; a numeric, date or timestamp column is needed");
    o.kind = LP_CHART_LINE;
    o.x = "overall";
    o.y = "summary";
    d = build_err(t, &o, LP_ETYPE);
    assert_string_equal(d.msg, "cannot plot string column 'summary' as y; a numeric column is needed");
    o.x = "summary";
    o.y = "overall";
    d = build_err(t, &o, LP_ETYPE);
    assert_non_null(strstr(d.hint, "kind='bar'"));
    o.x = "overall";
    o.hue = "nope";
    d = build_err(t, &o, LP_ENAME);
    assert_string_equal(d.hint, "available columns: overall, summary, day");
    o.hue = NULL;
    o.kind = LP_CHART_SCATTER;
    o.y = NULL;
    build_err(t, &o, LP_EVALUE);
    o.kind = LP_CHART_HIST;
    o.bins = 0;
    build_err(t, &o, LP_EVALUE);
    /* A date x gives a date axis. */
    o.bins = 10;
    o.kind = LP_CHART_SCATTER;
    o.x = "day";
    o.y = "overall";
    lp_chart *c = build(t, &o);
    assert_int_equal(c->xaxis, LP_AXIS_DATE);
    assert_true(c->xlo == c->series[0].x[0] - 1 && c->xhi == c->series[0].x[0] + 1);
    lp_chart_free(c);
    lp_table_unref(t);
}

/* The ticks as text: "0 2 4 6" (%.12g). */
static char *ticks_text(lp_chart_axis axis, double lo, double hi, bool log, int max) {
    double t[64];
    int n = lp_chart_axis_ticks(axis, lo, hi, log, t, max);
    assert_true(n <= max);
    lp_strbuf b;
    lp_strbuf_init(&b);
    for (int i = 0; i < n; i++) {
        char lab[48];
        lp_chart_tick_label(axis, log, t[i], n > 1 ? t[1] - t[0] : 0, lab);
        lp_strbuf_printf(&b, "%s%s", i ? " " : "", lab);
    }
    return lp_strbuf_take(&b);
}

#define assert_ticks(axis, lo, hi, log, max, want)                                                 \
    do {                                                                                              \
        char *got_ = ticks_text(axis, lo, hi, log, max);                                             \
        if (strcmp(got_, (want)) != 0) fail_msg("ticks '%s', wanted '%s'", got_, (want));             \
        lp_free(got_);                                                                                \
    } while (0)

static void test_chart_ticks(void **state) {
    (void)state;
    double t[16];
    /* Exact decimal values, not 0.30000000000000004. */
    assert_int_equal(lp_chart_ticks(0, 1, false, t, 6), 6);
    assert_true(t[0] == 0 && t[1] == 0.2 && t[3] == 0.6 && t[5] == 1);
    assert_int_equal(lp_chart_ticks(0.1, 0.35, false, t, 6), 6);
    assert_true(t[0] == 0.1 && t[2] == 0.2 && t[4] == 0.3);
    assert_ticks(LP_AXIS_NUMERIC, 0, 10, false, 6, "0 2 4 6 8 10");
    assert_ticks(LP_AXIS_NUMERIC, -3.7, 12.1, false, 5, "0 5 10");
    assert_ticks(LP_AXIS_NUMERIC, -1, 1, false, 5, "-1.0 -0.5 0.0 0.5 1.0");
    assert_ticks(LP_AXIS_NUMERIC, 0, 1009, false, 6, "0 200 400 600 800 1000");
    assert_ticks(LP_AXIS_NUMERIC, 0, 95000, false, 6, "0 20k 40k 60k 80k");
    assert_ticks(LP_AXIS_NUMERIC, 0, 2.6e6, false, 6, "0 0.5M 1.0M 1.5M 2.0M 2.5M");
    assert_ticks(LP_AXIS_NUMERIC, 0.00001, 0.00005, false, 5, "1e-05 2e-05 3e-05 4e-05 5e-05");
    assert_ticks(LP_AXIS_NUMERIC, 7, 7, false, 5, "7");
    assert_int_equal(lp_chart_ticks(-1e308, 1e308, false, t, 5), 2);
    /* A range of one ulp: at least one tick, inside it, and no runaway loop. */
    int nt = lp_chart_ticks(1, 1 + 2.3e-16, false, t, 5);
    assert_true(nt >= 1 && nt <= 5 && t[0] >= 1 && t[nt - 1] <= 1 + 2.3e-16);
    assert_int_equal(lp_chart_ticks(0, NAN, false, t, 5), 0);
    /* Log: powers of ten, every k-th when too many, 1-2-5 within a short range. */
    assert_ticks(LP_AXIS_NUMERIC, 1, 1e6, true, 10, "1 10 100 1000 10000 100000 1e6");
    assert_ticks(LP_AXIS_NUMERIC, 1, 1e9, true, 4, "1 1000 1e6 1e9");
    assert_ticks(LP_AXIS_NUMERIC, 0.001, 0.5, true, 6, "0.001 0.01 0.1");
    assert_ticks(LP_AXIS_NUMERIC, 2, 30, true, 6, "2 5 10 20");
    assert_ticks(LP_AXIS_NUMERIC, 1e-7, 1e-5, true, 6, "1e-7 1e-6 1e-5");
    /* Within a factor of two: linear ticks, labelled as such. */
    assert_ticks(LP_AXIS_NUMERIC, 2.5, 3.5, true, 3, "2.5 3.0 3.5");
    /* Dates: days, weeks on Mondays, months, years. */
    int32_t d0 = lp_days_from_civil(2013, 6, 1), d1 = lp_days_from_civil(2013, 6, 5);
    assert_ticks(LP_AXIS_DATE, d0, d1, false, 6, "2013-06-01 2013-06-02 2013-06-03 2013-06-04 2013-06-05");
    d1 = lp_days_from_civil(2013, 7, 10);
    assert_ticks(LP_AXIS_DATE, d0, d1, false, 6, "2013-06-03 2013-06-10 2013-06-17 2013-06-24 2013-07-01 2013-07-08");
    assert_ticks(LP_AXIS_DATE, d0, d1, false, 3, "2013-06-10 2013-06-24 2013-07-08");
    d0 = lp_days_from_civil(2013, 1, 1);
    d1 = lp_days_from_civil(2013, 12, 31);
    assert_ticks(LP_AXIS_DATE, d0, d1, false, 6, "2013-01 2013-03 2013-05 2013-07 2013-09 2013-11");
    d0 = lp_days_from_civil(1999, 7, 1);
    d1 = lp_days_from_civil(2020, 3, 1);
    assert_ticks(LP_AXIS_DATE, d0, d1, false, 6, "2000 2005 2010 2015 2020");
    /* Timestamps: hours within a day, dates beyond. */
    double us0 = lp_days_from_civil(2013, 6, 2) * 86400e6;
    assert_ticks(LP_AXIS_TIMESTAMP, us0 + 3600e6, us0 + 5 * 3600e6, false, 6, "01:00 02:00 03:00 04:00 05:00");
    assert_ticks(LP_AXIS_TIMESTAMP, us0 - 3 * 3600e6, us0 + 9 * 3600e6, false, 6,
                 "22:00 2013-06-02 02:00 04:00 06:00 08:00");
    assert_ticks(LP_AXIS_TIMESTAMP, us0, us0 + 40 * 86400e6, false, 3, "2013-06-10 2013-06-24 2013-07-08");
    char buf[48];
    assert_int_equal(lp_chart_tick_label(LP_AXIS_NUMERIC, false, -0.0, 0.5, buf), 3);
    assert_string_equal(buf, "0.0");
}

static void test_chart_text_histogram_golden(void **state) {
    (void)state;
    lp_table *t = tu_table("overall:double", "1;2;2;3;3;3;4;4;4;4;4;5;5;5;5;5;5;5;5;null", 3);
    lp_chart_opts o;
    lp_chart_opts_init(&o);
    o.kind = LP_CHART_HIST;
    o.x = "overall";
    o.bins = 4;
    o.title = "Ratings";
    lp_chart *c = build(t, &o);
    char *s = render(c, 40, 14);
    const char *want =
                       "                Ratings\n"
                       "Frequency\n"
                       "   │                        ████████\n"
                       "10 ┤                        ████████\n"
                       "   │                        ████████\n"
                       "   │                        ████████\n"
                       " 5 ┤                        ████████\n"
                       "   │                        ████████\n"
                       "   │        ▂▂▂▂▂▂▂▂▇▇▇▇▇▇▇▇████████\n"
                       "   │▅▅▅▅▅▅▅▅████████████████████████\n"
                       " 0 └────────┬───────────────┬──────────\n"
                       "            2               4\n"
                       "                  overall\n"
                       "(1 null value left out)\n";
    if (strcmp(s, want) != 0) fail_msg("got\n%s\nwanted\n%s", s, want);
    lp_free(s);
    lp_chart_free(c);
    lp_table_unref(t);
}

static void test_chart_text_scatter_golden(void **state) {
    (void)state;
    lp_table *t = tu_table("x:double,y:double,g:string", "0|0|a;1|1|a;2|4|a;3|9|a;4|16|b;5|25|b;null|1|b", 0);
    lp_chart_opts o;
    lp_chart_opts_init(&o);
    o.kind = LP_CHART_SCATTER;
    o.x = "x";
    o.y = "y";
    lp_chart *c = build(t, &o);
    char *s = render(c, 40, 12);
    const char *want =
                       "y\n"
                       "   │                                  ⠈\n"
                       "20 ┤\n"
                       "   │                           ⠠\n"
                       "   │\n"
                       "10 ┤                    ⠐\n"
                       "   │              ⡀\n"
                       " 0 ┤⡀      ⠄\n"
                       "   └┬─────────────┬────────────┬───────\n"
                       "    0             2            4\n"
                       "                     x\n"
                       "(1 null value left out)\n";
    if (strcmp(s, want) != 0) fail_msg("got\n%s\nwanted\n%s", s, want);
    lp_free(s);
    lp_chart_free(c);
    o.hue = "g";
    c = build(t, &o);
    s = render(c, 40, 12);
    want =
                       "y\n"
                       "   │                                  +\n"
                       "20 ┤\n"
                       "   │                           +\n"
                       "10 ┤                    *\n"
                       "   │              *\n"
                       " 0 ┤*      *\n"
                       "   └┬─────────────┬────────────┬───────\n"
                       "    0             2            4\n"
                       "                     x\n"
                       "* a   + b\n"
                       "(1 null value left out)\n";
    if (strcmp(s, want) != 0) fail_msg("got\n%s\nwanted\n%s", s, want);
    lp_free(s);
    lp_chart_free(c);
    lp_table_unref(t);
}

static void test_chart_text_bar_golden(void **state) {
    (void)state;
    lp_table *t = tu_table("category:string,n:bigint,m:bigint",
                           "Electronics|90|40;Books|45|50;Toys|-20|10;Kitchen & Dining|70|null", 0);
    lp_chart_opts o;
    lp_chart_opts_init(&o);
    o.kind = LP_CHART_BAR;
    o.x = "category";
    o.y = "n";
    lp_chart *c = build(t, &o);
    char *s = render(c, 40, 12);
    const char *want =
                       "n\n"
                       "   │███████\n"
                       "   │███████                 ▄▄▄▄▄▄▄\n"
                       "50 ┤███████                 ███████\n"
                       "   │███████ ▆▆▆▆▆▆▆         ███████\n"
                       "   │███████ ███████         ███████\n"
                       "   │███████ ███████         ███████\n"
                       " 0 ┤███████ ███████ ▄▄▄▄▄▄▄ ███████\n"
                       "   │                ███████\n"
                       "   └───────────────────────────────────\n"
                       "    Electr…  Books    Toys  Kitche…\n"
                       "                 category\n";
    if (strcmp(s, want) != 0) fail_msg("got\n%s\nwanted\n%s", s, want);
    lp_free(s);
    lp_chart_free(c);
    /* Both numeric columns: two series side by side, a legend, the missing value noted. */
    o.y = NULL;
    c = build(t, &o);
    s = render(c, 40, 12);
    want =
                       "   │███\n"
                       "   │███                     ███\n"
                       "50 ┤███        ▓▓▓          ███\n"
                       "   │███▓▓▓  ███▓▓▓          ███\n"
                       "   │███▓▓▓  ███▓▓▓          ███\n"
                       " 0 ┤███▓▓▓  ███▓▓▓     ▓▓▓  ███\n"
                       "   │                ███\n"
                       "   └───────────────────────────────────\n"
                       "    Electr…  Books    Toys  Kitche…\n"
                       "                 category\n"
                       "█ n   ▓ m\n"
                       "(1 null value left out)\n";
    if (strcmp(s, want) != 0) fail_msg("got\n%s\nwanted\n%s", s, want);
    lp_free(s);
    lp_chart_free(c);
    lp_table_unref(t);
}

static void test_chart_text_readable_sizes(void **state) {
    (void)state;
    /* Every kind at 80x20 and at a tiny size: no line wider than asked, at most `height` lines. */
    lp_table *t = tu_table("x:bigint,y:double,g:string,d:date",
                           "1|2.5|a|2013-01-01;2|3.5|b|2013-02-01;3|-1|a|2013-03-01;4|10|b|2013-04-01;"
                           "null|null|c|null", 0);
    lp_chart_kind kinds[] = {LP_CHART_HIST, LP_CHART_SCATTER, LP_CHART_LINE, LP_CHART_BAR};
    for (size_t k = 0; k < LP_ARRAY_LEN(kinds); k++)
        for (int hue = 0; hue < 2; hue++)
            for (int size = 0; size < 2; size++) {
                lp_chart_opts o;
                lp_chart_opts_init(&o);
                o.kind = kinds[k];
                o.x = kinds[k] == LP_CHART_LINE ? "d" : "x";
                o.y = "y";
                o.hue = hue && kinds[k] != LP_CHART_BAR ? "g" : NULL;
                o.title = "A title longer than the narrowest chart";
                o.logy = hue;  /* and a note of all that was left out or sampled */
                o.max_points = 2;
                lp_chart *c = build(t, &o);
                int w = size ? 24 : 80, h = size ? 10 : 20;
                char *s = render(c, w, h);
                int lines = 0;
                for (char *p = s; *p;) {
                    char *nl = strchr(p, '\n');
                    assert_non_null(nl);
                    if (lp_text_width(p, (size_t)(nl - p)) > w)
                        fail_msg("kind %d hue %d: line wider than %d:\n%s", (int)kinds[k], hue, w, s);
                    lines++;
                    p = nl + 1;
                }
                if (lines > h) fail_msg("kind %d: %d lines for height %d:\n%s", (int)kinds[k], lines, h, s);
                lp_free(s);
                lp_chart_free(c);
            }
    lp_table_unref(t);
}

static void test_chart_empty_tables(void **state) {
    (void)state;
    /* No rows (and only nulls): every kind builds and draws, with default ranges. */
    const char *const data[] = {NULL, "null|null|null"};
    for (int k = 0; k < 2; k++) {
        lp_table *t;
        if (data[k]) {
            t = tu_table("x:bigint,y:double,g:string", data[k], 0);
        } else {
            const char *names[] = {"x", "y", "g"};
            lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_FLOAT64), lp_type_of(LP_STRING)};
            t = lp_table_new(3, names, types);
        }
        lp_chart_kind kinds[] = {LP_CHART_HIST, LP_CHART_SCATTER, LP_CHART_LINE, LP_CHART_BAR};
        for (size_t i = 0; i < LP_ARRAY_LEN(kinds); i++)
            for (int hue = 0; hue < 2; hue++) {
                lp_chart_opts o;
                lp_chart_opts_init(&o);
                o.kind = kinds[i];
                o.x = "x";
                o.y = "y";
                o.hue = hue && kinds[i] != LP_CHART_BAR ? "g" : NULL;
                o.logy = hue;
                lp_chart *c = build(t, &o);
                assert_true(c->xlo < c->xhi && c->ylo < c->yhi);
                char *s = render(c, 40, 12);
                assert_non_null(strstr(s, "\xE2\x94\x94")); /* the axes' corner */
                lp_free(s);
                lp_chart_free(c);
            }
        lp_table_unref(t);
    }
}

static void test_chart_out_of_memory(void **state) {
    (void)state;
    lp_table *t = tu_table("x:bigint,y:double,g:string", "1|2.5|a;2|3.5|b;3|-1|a;4|10|b;5|1|c;6|2|a", 2);
    lp_chart_kind kinds[] = {LP_CHART_HIST, LP_CHART_SCATTER, LP_CHART_LINE, LP_CHART_BAR};
    for (size_t k = 0; k < 2 * LP_ARRAY_LEN(kinds); k++) {
        bool sticky = k >= LP_ARRAY_LEN(kinds); /* every allocation after the nth fails too */
        lp_chart_opts o;
        lp_chart_opts_init(&o);
        o.kind = kinds[k % LP_ARRAY_LEN(kinds)];
        o.x = "x";
        o.y = o.kind == LP_CHART_HIST ? NULL : "y";
        o.hue = o.kind == LP_CHART_BAR ? NULL : "g";
        o.title = "t";
        o.max_points = 3;
        int64_t before = lp_mem_used();
        bool ok = false;
        for (int64_t n = 1; n < 500 && !ok; n++) {
            lp_chart *c = (lp_chart *)1;
            lp_diag d;
            lp_diag_init(&d);
            lp_mem_fail_at(n, sticky);
            lp_status st = lp_chart_build(t, &o, &c, &d);
            lp_mem_fail_at(0, false);
            if (st == LP_OK) {
                ok = true;
                /* Rendering under failure sets nomem and leaks nothing. */
                for (int64_t m = 1; m < 50; m++) {
                    lp_strbuf b;
                    lp_strbuf_init(&b);
                    lp_mem_fail_at(m, sticky);
                    lp_chart_render_text(c, 40, 12, &b);
                    lp_mem_fail_at(0, false);
                    lp_strbuf_reset(&b);
                }
                lp_chart_free(c);
            } else {
                assert_int_equal(st, LP_ENOMEM);
                assert_null(c);
            }
            assert_int_equal(lp_mem_used(), before);
        }
        assert_true(ok);
    }
    lp_table_unref(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_chart_hist_counts_and_edges),
        TU_TEST(test_chart_log_axes_skip_nonpositive),
        TU_TEST(test_chart_hist_hue_normalised),
        TU_TEST(test_chart_line_sorted_with_hue),
        TU_TEST(test_chart_scatter_sampling_deterministic),
        TU_TEST(test_chart_line_sort_of_many_points),
        TU_TEST(test_chart_bar_categories_and_limit),
        TU_TEST(test_chart_errors_with_hints),
        TU_TEST(test_chart_ticks),
        TU_TEST(test_chart_text_histogram_golden),
        TU_TEST(test_chart_text_scatter_golden),
        TU_TEST(test_chart_text_bar_golden),
        TU_TEST(test_chart_text_readable_sizes),
        TU_TEST(test_chart_empty_tables),
        TU_TEST(test_chart_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
