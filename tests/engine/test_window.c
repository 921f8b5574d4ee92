/* test_window.c -- window functions: every function and frame kind against a brute-force
 * reference computed here from the definitions (random data with null partition keys, null and
 * tied order keys, null values, one-row and empty partitions), ascending and descending order,
 * nulls first and last, RANGE over bigint, double and timestamp keys, output order, thread-count
 * independence, refused calls, fault injection at every allocation, and cancellation. */
#include "testutil.h"

#include "exec/ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* columns of the random input */
enum { C_ID, C_G, C_T, C_X, C_S, C_NCOLS };

#define UNB_LO LP_FRAME_UNBOUNDED_LO
#define UNB_HI LP_FRAME_UNBOUNDED_HI

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* n rows: id 0..n-1 in input order; g in [0, ng) or null; t in [0, nt) or null; x a double or
 * null; s a short string or null; per_part rows per partition. */
static lp_table *random_table(int n, int ng, int nt, int per_part) {
    const char *names[] = {"id", "g", "t", "x", "s"};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_INT64), lp_type_of(LP_INT64), lp_type_of(LP_FLOAT64),
                       lp_type_of(LP_STRING)};
    lp_table *t = lp_table_new(C_NCOLS, names, types);
    assert_non_null(t);
    if (per_part <= 0) per_part = n;
    for (int start = 0; start < n; start += per_part) {
        int end = LP_MIN(n, start + per_part);
        lp_colbuf b[C_NCOLS];
        for (int c = 0; c < C_NCOLS; c++) lp_colbuf_init(&b[c], types[c]);
        for (int i = start; i < end; i++) {
            lp_colbuf_append_i64(&b[C_ID], i);
            if (rnd() % 17 == 0) lp_colbuf_append_null(&b[C_G]);
            else lp_colbuf_append_i64(&b[C_G], (int64_t)(rnd() % (uint64_t)ng));
            if (rnd() % 9 == 0) lp_colbuf_append_null(&b[C_T]);
            else lp_colbuf_append_i64(&b[C_T], (int64_t)(rnd() % (uint64_t)nt));
            if (rnd() % 6 == 0) lp_colbuf_append_null(&b[C_X]);
            else lp_colbuf_append_f64(&b[C_X], (double)(int64_t)(rnd() % 20001) / 100.0 - 100.0);
            char str[16];
            int k = snprintf(str, sizeof str, "s%d", (int)(rnd() % 50));
            if (rnd() % 7 == 0) lp_colbuf_append_null(&b[C_S]);
            else lp_colbuf_append_str(&b[C_S], str, (size_t)k);
        }
        lp_column *cols[C_NCOLS];
        for (int c = 0; c < C_NCOLS; c++) assert_int_equal(lp_colbuf_finish(&b[c], &cols[c]), LP_OK);
        assert_int_equal(lp_table_add_part(t, end - start, cols), LP_OK);
    }
    return t;
}

/* A table t:bigint (1, 2, ...), x:double holding xs, in partitions of 3 rows. */
static lp_table *double_table(const double *xs, int n) {
    const char *names[] = {"t", "x"};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_FLOAT64)};
    lp_table *t = lp_table_new(2, names, types);
    assert_non_null(t);
    for (int start = 0; start < n; start += 3) {
        lp_colbuf b[2];
        lp_colbuf_init(&b[0], types[0]);
        lp_colbuf_init(&b[1], types[1]);
        for (int i = start; i < LP_MIN(n, start + 3); i++) {
            lp_colbuf_append_i64(&b[0], i + 1);
            lp_colbuf_append_f64(&b[1], xs[i]);
        }
        lp_column *cols[2];
        assert_int_equal(lp_colbuf_finish(&b[0], &cols[0]), LP_OK);
        assert_int_equal(lp_colbuf_finish(&b[1], &cols[1]), LP_OK);
        assert_int_equal(lp_table_add_part(t, LP_MIN(n, start + 3) - start, cols), LP_OK);
    }
    return t;
}

static lp_table *run(lp_table *in, const int *pk, int npk, const lp_sortkey *ok, int nok, const lp_wincall *c,
                     int nc) {
    lp_table *out = NULL;
    lp_diag d;
    lp_diag_init(&d);
    lp_status st = lp_window(in, pk, npk, ok, nok, c, nc, &out, &d);
    if (st != LP_OK) fail_msg("lp_window failed: %s", d.msg);
    assert_non_null(out);
    return out;
}

/* ---- the reference ---- */

typedef struct ref {
    lp_column **col;   /* the output's columns, concatenated */
    int64_t n;
    const lp_sortkey *ok;
    int nok;
    int ncols_in;
} ref;

/* Order of rows a and b by the order keys (nulls per key, desc flips values): <0, 0, >0. */
static int cmpo(const ref *r, int64_t a, int64_t b) {
    for (int k = 0; k < r->nok; k++) {
        const lp_column *c = r->col[r->ok[k].col];
        bool va = lp_col_valid(c, a), vb = lp_col_valid(c, b);
        int v;
        if (!va || !vb) v = va == vb ? 0 : (!va ? -1 : 1) * (r->ok[k].nulls_first ? 1 : -1);
        else v = lp_value_cmp_rows(c, a, c, b) * (r->ok[k].desc ? -1 : 1);
        if (v) return v;
    }
    return 0;
}

/* The first order key as a number in frame order (seconds for a timestamp). */
static double ordv(const ref *r, int64_t i) {
    const lp_column *c = r->col[r->ok[0].col];
    double v = c->type.kind == LP_FLOAT64 ? c->v.f[i] : c->type.kind == LP_TIMESTAMP ? (double)c->v.i[i] / 1e6
                                                                                        : (double)c->v.i[i];
    return r->ok[0].desc ? -v : v;
}

/* Whether row j is in row i's frame, from the definitions (Spark's bound orderings). */
static bool in_frame(const ref *r, const lp_winframe *f, int64_t i, int64_t j, int64_t pos_i, int64_t pos_j) {
    if (f->kind == LP_FRAME_ROWS) {
        if (f->lo != UNB_LO && pos_j < pos_i + f->lo) return false;
        if (f->hi != UNB_HI && pos_j > pos_i + f->hi) return false;
        return true;
    }
    bool inull = r->nok > 0 && !lp_col_valid(r->col[r->ok[0].col], i);
    bool jnull = r->nok > 0 && !lp_col_valid(r->col[r->ok[0].col], j);
    bool nf = r->nok > 0 && r->ok[0].nulls_first;
    if (f->lo != UNB_LO) {
        if (f->lo == 0 || inull) {
            if (r->nok > 0 && cmpo(r, j, i) < 0) return false;
        } else if (jnull) {
            if (nf) return false;
        } else if (ordv(r, j) < ordv(r, i) + (double)f->lo) {
            return false;
        }
    }
    if (f->hi != UNB_HI) {
        if (f->hi == 0 || inull) {
            if (r->nok > 0 && cmpo(r, j, i) > 0) return false;
        } else if (jnull) {
            if (!nf) return false;
        } else if (ordv(r, j) > ordv(r, i) + (double)f->hi) {
            return false;
        }
    }
    return true;
}

static bool near(double a, double b) {
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return fabs(a - b) <= 1e-9 * LP_MAX(1.0, LP_MAX(fabs(a), fabs(b)));
}

/* Checks call c's output column (out index oc) at every row against the reference. */
static void check_call(const ref *r, const lp_column *pk, const lp_wincall *c, int oc) {
    const lp_column *o = r->col[oc];
    int64_t s = 0;
    while (s < r->n) {
        int64_t e = s + 1;
        while (e < r->n && lp_keys_equal((lp_column *const *)&pk, s, (lp_column *const *)&pk, e, 1, true)) e++;
        int64_t n = e - s;
        /* firstpeer[j]: no earlier row of the partition has j's order keys */
        bool *firstpeer = calloc((size_t)n, 1);
        for (int64_t j = s; j < e && c->fn != LP_WIN_AGG; j++) {
            firstpeer[j - s] = true;
            for (int64_t k = s; k < j && firstpeer[j - s]; k++)
                if (cmpo(r, k, j) == 0) firstpeer[j - s] = false;
        }
        for (int64_t i = s; i < e; i++) {
            int64_t pos = i - s;
            char what[128];
            snprintf(what, sizeof what, "%s at row %lld (partition row %lld of %lld)", c->name, (long long)i,
                     (long long)pos, (long long)n);
            if (c->fn != LP_WIN_AGG) {
                int64_t before = 0, upto = 0, distinct = 0;
                for (int64_t j = s; j < e; j++) {
                    int v = cmpo(r, j, i);
                    if (v < 0) {
                        before++;
                        if (firstpeer[j - s]) distinct++;
                    }
                    if (v <= 0) upto++;
                }
                switch (c->fn) {
                case LP_WIN_ROW_NUMBER: assert_int_equal(o->v.i[i], pos + 1); break;
                case LP_WIN_RANK: assert_int_equal(o->v.i[i], before + 1); break;
                case LP_WIN_DENSE_RANK: assert_int_equal(o->v.i[i], distinct + 1); break;
                case LP_WIN_PERCENT_RANK:
                    if (!near(o->v.f[i], n > 1 ? (double)before / (double)(n - 1) : 0)) fail_msg("%s", what);
                    break;
                case LP_WIN_CUME_DIST:
                    if (!near(o->v.f[i], (double)upto / (double)n)) fail_msg("%s", what);
                    break;
                case LP_WIN_NTILE: {
                    /* bucket sizes: n / k each, the first n % k one larger */
                    int64_t k = c->n, b = 0, acc = 0;
                    while (b < k) {
                        acc += n / k + (b < n % k ? 1 : 0);
                        b++;
                        if (pos < acc) break;
                    }
                    assert_int_equal(o->v.i[i], b);
                    break;
                }
                case LP_WIN_LAG: case LP_WIN_LEAD: {
                    int64_t t = pos + (c->fn == LP_WIN_LAG ? -c->n : c->n);
                    const lp_column *src = r->col[c->col];
                    if (t >= 0 && t < n) {
                        assert_int_equal(lp_col_valid(o, i), lp_col_valid(src, s + t));
                        if (lp_col_valid(o, i)) assert_int_equal(lp_value_cmp_rows(o, i, src, s + t), 0);
                    } else if (c->dflt >= 0) {
                        const lp_column *dc = r->col[c->dflt];
                        assert_int_equal(lp_col_valid(o, i), lp_col_valid(dc, i));
                        if (lp_col_valid(o, i)) assert_int_equal(lp_value_cmp_rows(o, i, dc, i), 0);
                    } else {
                        if (lp_col_valid(o, i)) fail_msg("%s: expected null", what);
                    }
                    break;
                }
                default: fail_msg("unexpected function");
                }
                continue;
            }
            /* aggregates over the frame */
            const lp_column *x = c->col >= 0 ? r->col[c->col] : NULL;
            int64_t cnt = 0, rows = 0, first = -1, last = -1, firstnn = -1, lastnn = -1, best = -1;
            double sum = 0;
            int64_t isum = 0;
            for (int64_t j = s; j < e; j++) {
                if (!in_frame(r, &c->frame, i, j, pos, j - s)) continue;
                rows++;
                if (first < 0) first = j;
                last = j;
                if (!x || !lp_col_valid(x, j)) continue;
                cnt++;
                if (firstnn < 0) firstnn = j;
                lastnn = j;
                if (x->type.kind == LP_FLOAT64) sum += x->v.f[j];
                else if (x->type.kind == LP_INT64) isum += x->v.i[j];
                if (best < 0) best = j;
                else {
                    int v = lp_value_cmp_rows(x, j, x, best);
                    if (c->agg == LP_AGG_MIN ? v < 0 : v > 0) best = j;
                }
            }
            bool isf = x && x->type.kind == LP_FLOAT64;
            double mean = cnt ? (isf ? sum : (double)isum) / (double)cnt : 0, m2 = 0;
            for (int64_t j = s; j < e && cnt; j++) {
                if (!in_frame(r, &c->frame, i, j, pos, j - s) || !lp_col_valid(x, j)) continue;
                double v = isf ? x->v.f[j] : (double)x->v.i[j];
                m2 += (v - mean) * (v - mean);
            }
            int64_t want_src = -3;
            switch (c->agg) {
            case LP_AGG_COUNT_STAR: assert_int_equal(o->v.i[i], rows); break;
            case LP_AGG_COUNT: assert_int_equal(o->v.i[i], cnt); break;
            case LP_AGG_SUM:
                if (!cnt) {
                    if (lp_col_valid(o, i)) fail_msg("%s: expected null", what);
                } else if (isf) {
                    if (!lp_col_valid(o, i) || !near(o->v.f[i], sum)) fail_msg("%s: %g != %g", what, o->v.f[i], sum);
                } else {
                    assert_int_equal(o->v.i[i], isum);
                }
                break;
            case LP_AGG_MEAN:
                if (!cnt) assert_false(lp_col_valid(o, i));
                else if (!lp_col_valid(o, i) || !near(o->v.f[i], mean)) fail_msg("%s: %g != %g", what, o->v.f[i], mean);
                break;
            case LP_AGG_STDDEV_SAMP: case LP_AGG_VAR_SAMP: case LP_AGG_STDDEV_POP: case LP_AGG_VAR_POP: {
                bool samp = c->agg == LP_AGG_STDDEV_SAMP || c->agg == LP_AGG_VAR_SAMP;
                if (cnt == 0 || (samp && cnt < 2)) {
                    assert_false(lp_col_valid(o, i));
                    break;
                }
                double v = m2 / (double)(samp ? cnt - 1 : cnt);
                if (c->agg == LP_AGG_STDDEV_SAMP || c->agg == LP_AGG_STDDEV_POP) v = sqrt(v);
                /* the sliding form removes values: allow for rounding against the two-pass sum */
                if (!lp_col_valid(o, i) || fabs(o->v.f[i] - v) > 1e-6 * LP_MAX(1.0, fabs(v)))
                    fail_msg("%s: %.17g != %.17g", what, o->v.f[i], v);
                break;
            }
            case LP_AGG_MIN: case LP_AGG_MAX: want_src = best; break;
            case LP_AGG_FIRST: want_src = c->ignore_nulls ? firstnn : first; break;
            case LP_AGG_LAST: want_src = c->ignore_nulls ? lastnn : last; break;
            default: fail_msg("unexpected aggregate");
            }
            if (want_src != -3) {
                bool valid = want_src >= 0 && lp_col_valid(x, want_src);
                if (lp_col_valid(o, i) != valid) fail_msg("%s: validity", what);
                if (valid && lp_value_cmp_rows(o, i, x, want_src) != 0) fail_msg("%s: value", what);
            }
        }
        free(firstpeer);
        s = e;
    }
}

/* Runs the calls and checks: the output is in's rows sorted by (partition, order keys, input
 * order), in's columns unchanged, every call against the reference. */
static void check_window(lp_table *in, const int *pk, int npk, const lp_sortkey *ok, int nok, const lp_wincall *c,
                         int nc) {
    lp_table *out = run(in, pk, npk, ok, nok, c, nc);
    assert_int_equal(out->ncols, in->ncols + nc);
    assert_int_equal(out->nrows, in->nrows);
    ref r = {.n = out->nrows, .ok = ok, .nok = nok, .ncols_in = in->ncols};
    r.col = calloc((size_t)out->ncols, sizeof *r.col);
    for (int i = 0; i < out->ncols; i++) r.col[i] = lp_table_column(out, i);
    /* a partition key column: rows of one partition are adjacent, so a key of all of them
     * (npk 0: one constant) tells them apart */
    lp_column *pkc = npk ? r.col[pk[0]] : NULL;
    lp_value zero = {.type = lp_type_of(LP_INT64)};
    if (!npk) pkc = lp_column_new_const(&zero, r.n);
    /* sorted by partition keys then order keys, ties by id (the input order); ids a permutation */
    char *seen = calloc((size_t)r.n + 1, 1);
    for (int64_t i = 0; i < r.n; i++) {
        int64_t id = r.col[C_ID]->v.i[i];
        assert_true(id >= 0 && id < r.n && !seen[id]);
        seen[id] = 1;
        if (i == 0) continue;
        int v = 0;
        for (int k = 0; k < npk && !v; k++) {
            const lp_column *kc = r.col[pk[k]];
            bool va = lp_col_valid(kc, i - 1), vb = lp_col_valid(kc, i);
            v = !va || !vb ? (va == vb ? 0 : va ? 1 : -1) : lp_value_cmp_rows(kc, i - 1, kc, i);
        }
        if (!v) v = cmpo(&r, i - 1, i);
        if (!v) v = r.col[C_ID]->v.i[i - 1] < id ? -1 : 1;
        if (v > 0) fail_msg("row %lld is out of order", (long long)i);
    }
    free(seen);
    if (npk > 1) fail_msg("the reference takes one partition key");
    for (int k = 0; k < nc; k++) check_call(&r, pkc, &c[k], in->ncols + k);
    if (!npk) lp_column_unref(pkc);
    for (int i = 0; i < out->ncols; i++) lp_column_unref(r.col[i]);
    free(r.col);
    lp_table_unref(out);
}

#define AGG(f, c, fr) ((lp_wincall){.fn = LP_WIN_AGG, .agg = (f), .col = (c), .dflt = -1, .frame = fr, .name = #f})
#define AGGN(f, c, fr) \
    ((lp_wincall){.fn = LP_WIN_AGG, .agg = (f), .col = (c), .dflt = -1, .ignore_nulls = true, .frame = fr, .name = #f "_nn"})
#define RANKF(f, nn) ((lp_wincall){.fn = (f), .col = -1, .dflt = -1, .n = (nn), .name = #f})
#define OFFS(f, c, nn, df) ((lp_wincall){.fn = (f), .col = (c), .dflt = (df), .n = (nn), .name = #f})

/* Every aggregate over frame fr. */
static int aggs_over(lp_wincall *c, lp_winframe fr) {
    int n = 0;
    c[n++] = AGG(LP_AGG_COUNT_STAR, -1, fr);
    c[n++] = AGG(LP_AGG_COUNT, C_X, fr);
    c[n++] = AGG(LP_AGG_SUM, C_X, fr);
    c[n++] = AGG(LP_AGG_SUM, C_T, fr);
    c[n++] = AGG(LP_AGG_MEAN, C_X, fr);
    c[n++] = AGG(LP_AGG_MEAN, C_T, fr);
    c[n++] = AGG(LP_AGG_STDDEV_SAMP, C_X, fr);
    c[n++] = AGG(LP_AGG_STDDEV_POP, C_X, fr);
    c[n++] = AGG(LP_AGG_VAR_SAMP, C_T, fr);
    c[n++] = AGG(LP_AGG_VAR_POP, C_X, fr);
    c[n++] = AGG(LP_AGG_MIN, C_X, fr);
    c[n++] = AGG(LP_AGG_MAX, C_X, fr);
    c[n++] = AGG(LP_AGG_MIN, C_S, fr);
    c[n++] = AGG(LP_AGG_MAX, C_S, fr);
    c[n++] = AGG(LP_AGG_FIRST, C_X, fr);
    c[n++] = AGG(LP_AGG_LAST, C_S, fr);
    c[n++] = AGGN(LP_AGG_FIRST, C_S, fr);
    c[n++] = AGGN(LP_AGG_LAST, C_X, fr);
    return n;
}

static const lp_winframe frames[] = {
    {LP_FRAME_RANGE, UNB_LO, 0},      /* the default with an ORDER BY */
    {LP_FRAME_ROWS, UNB_LO, UNB_HI},  /* the whole partition */
    {LP_FRAME_ROWS, UNB_LO, 0},
    {LP_FRAME_ROWS, -2, 1},
    {LP_FRAME_ROWS, 1, 3},
    {LP_FRAME_ROWS, -3, -1},
    {LP_FRAME_ROWS, 2, 1},            /* empty */
    {LP_FRAME_ROWS, 0, UNB_HI},
    {LP_FRAME_RANGE, -5, 0},
    {LP_FRAME_RANGE, -3, 4},
    {LP_FRAME_RANGE, 0, UNB_HI},
    {LP_FRAME_RANGE, 2, 5},
    {LP_FRAME_RANGE, UNB_LO, -2},
    {LP_FRAME_RANGE, 3, UNB_HI},
    {LP_FRAME_RANGE, 0, 0},
};

static void test_window_ranking_and_offsets(void **state) {
    (void)state;
    lp_wincall c[] = {RANKF(LP_WIN_ROW_NUMBER, 0), RANKF(LP_WIN_RANK, 0),     RANKF(LP_WIN_DENSE_RANK, 0),
                      RANKF(LP_WIN_PERCENT_RANK, 0), RANKF(LP_WIN_CUME_DIST, 0), RANKF(LP_WIN_NTILE, 3),
                      RANKF(LP_WIN_NTILE, 1),        RANKF(LP_WIN_NTILE, 50),   OFFS(LP_WIN_LAG, C_X, 1, -1),
                      OFFS(LP_WIN_LEAD, C_S, 2, -1), OFFS(LP_WIN_LAG, C_T, 3, C_ID), OFFS(LP_WIN_LEAD, C_T, -1, C_ID),
                      OFFS(LP_WIN_LAG, C_X, 0, -1)};
    int pk[] = {C_G};
    lp_sortkey orders[][2] = {{{C_T, false, true}, {C_X, false, true}},
                              {{C_T, true, false}, {C_S, false, true}},
                              {{C_T, false, false}, {C_X, true, true}}};
    for (int rep = 0; rep < 6; rep++) {
        lp_table *in = random_table(rep == 5 ? 1 : 400 + rep * 150, rep == 4 ? 1 : 4 + rep * 7, 12, 64);
        for (size_t o = 0; o < LP_ARRAY_LEN(orders); o++)
            for (int nok = 1; nok <= 2; nok++) check_window(in, pk, rep % 2 ? 1 : 0, orders[o], nok, c, (int)LP_ARRAY_LEN(c));
        lp_table_unref(in);
    }
}

static void test_window_aggregate_frames(void **state) {
    (void)state;
    int pk[] = {C_G};
    lp_sortkey orders[][1] = {{{C_T, false, true}}, {{C_T, true, false}}, {{C_T, false, false}}, {{C_T, true, true}}};
    for (int rep = 0; rep < 3; rep++) {
        lp_table *in = random_table(300 + rep * 200, 3 + rep * 11, 10 + rep * 7, 50);
        for (size_t f = 0; f < LP_ARRAY_LEN(frames); f++)
            for (size_t o = 0; o < LP_ARRAY_LEN(orders); o++) {
                lp_wincall c[32];
                int n = aggs_over(c, frames[f]);
                check_window(in, pk, 1, orders[o], 1, c, n);
            }
        lp_table_unref(in);
    }
}

static void test_window_without_order_or_partition(void **state) {
    (void)state;
    lp_table *in = random_table(500, 6, 30, 70);
    lp_wincall c[32];
    int pk[] = {C_G};
    lp_winframe whole = lp_window_frame(LP_WIN_AGG, 0, 0, (lp_winframe){LP_FRAME_DEFAULT, 0, 0});
    assert_int_equal(whole.kind, LP_FRAME_ROWS);
    assert_true(whole.lo == UNB_LO && whole.hi == UNB_HI);
    int n = aggs_over(c, whole);
    check_window(in, pk, 1, NULL, 0, c, n); /* partition only: the whole partition */
    check_window(in, NULL, 0, NULL, 0, c, n); /* neither: the whole table */
    lp_sortkey ok[] = {{C_T, false, true}};
    n = aggs_over(c, (lp_winframe){LP_FRAME_ROWS, -4, 2});
    check_window(in, NULL, 0, ok, 1, c, n);
    lp_table_unref(in);
}

static void test_window_float_and_timestamp_range(void **state) {
    (void)state;
    /* double order key with fractional values */
    lp_table *in = random_table(600, 5, 10, 80);
    int pk[] = {C_G};
    lp_sortkey okx[] = {{C_X, false, true}};
    lp_wincall c[32];
    int n = aggs_over(c, (lp_winframe){LP_FRAME_RANGE, -20, 10});
    check_window(in, pk, 1, okx, 1, c, n);
    lp_sortkey okxd[] = {{C_X, true, false}};
    check_window(in, pk, 1, okxd, 1, c, n);
    lp_table_unref(in);
    /* a timestamp key: offsets are seconds; the reviews in the 24 hours up to each one */
    lp_table *ts = tu_table("id:bigint,g:string,t:timestamp,x:double",
                            "0|a|2013-01-01 00:00:00|1;1|a|2013-01-01 12:00:00|2;2|a|2013-01-02 00:00:00|4;"
                            "3|a|2013-01-02 00:00:01|8;4|b|2013-01-05 00:00:00|16;5|a|null|32;6|b|2013-01-05 23:59:59|64",
                            3);
    lp_wincall tc[] = {AGG(LP_AGG_COUNT_STAR, -1, ((lp_winframe){LP_FRAME_RANGE, -86400, 0})),
                       AGG(LP_AGG_SUM, 3, ((lp_winframe){LP_FRAME_RANGE, -86400, 0}))};
    int tpk[] = {1};
    lp_sortkey tok[] = {{2, false, true}};
    lp_table *out = run(ts, tpk, 1, tok, 1, tc, 2);
    tu_assert_table(out, "id:bigint|g:string|t:timestamp|x:double|LP_AGG_COUNT_STAR:bigint|LP_AGG_SUM:double\n"
                         "5|a|null|32.0|1|32.0\n"
                         "0|a|2013-01-01 00:00:00|1.0|1|1.0\n"
                         "1|a|2013-01-01 12:00:00|2.0|2|3.0\n"
                         "2|a|2013-01-02 00:00:00|4.0|3|7.0\n"
                         "3|a|2013-01-02 00:00:01|8.0|3|14.0\n"
                         "4|b|2013-01-05 00:00:00|16.0|1|16.0\n"
                         "6|b|2013-01-05 23:59:59|64.0|2|80.0\n");
    lp_table_unref(out);
    lp_table_unref(ts);
}

static void test_window_empty_and_non_finite(void **state) {
    (void)state;
    lp_table *empty = tu_table("id:bigint,g:bigint,t:bigint,x:double,s:string", "", 0);
    int pk[] = {C_G};
    lp_sortkey ok[] = {{C_T, false, true}};
    lp_wincall c[] = {RANKF(LP_WIN_ROW_NUMBER, 0), AGG(LP_AGG_SUM, C_X, ((lp_winframe){LP_FRAME_ROWS, -1, 1}))};
    lp_table *out = run(empty, pk, 1, ok, 1, c, 2);
    assert_int_equal(out->nrows, 0);
    assert_int_equal(out->ncols, 7);
    lp_table_unref(out);
    lp_table_unref(empty);
    /* an infinity leaving a sliding frame leaves an exact sum behind */
    const double xs[] = {1.0, INFINITY, 2.0, -INFINITY, 4.0, NAN, 8.0, 16.0};
    lp_table *inf = double_table(xs, 8);
    lp_sortkey ok2[] = {{0, false, true}};
    lp_wincall c2[] = {AGG(LP_AGG_SUM, 1, ((lp_winframe){LP_FRAME_ROWS, -1, 0})),
                       AGG(LP_AGG_STDDEV_POP, 1, ((lp_winframe){LP_FRAME_ROWS, -1, 0}))};
    out = run(inf, NULL, 0, ok2, 1, c2, 2);
    tu_assert_table(out, "t:bigint|x:double|LP_AGG_SUM:double|LP_AGG_STDDEV_POP:double\n"
                         "1|1.0|1.0|0.0\n2|Infinity|Infinity|NaN\n3|2.0|Infinity|NaN\n4|-Infinity|-Infinity|NaN\n"
                         "5|4.0|-Infinity|NaN\n6|NaN|NaN|NaN\n7|8.0|NaN|NaN\n8|16.0|24.0|4.0\n");
    lp_table_unref(out);
    lp_table_unref(inf);
}

static void test_window_refuses_bad_calls(void **state) {
    (void)state;
    lp_table *in = random_table(50, 3, 5, 0);
    int pk[] = {C_G};
    lp_sortkey ok2[] = {{C_T, false, true}, {C_X, false, true}};
    lp_sortkey oks[] = {{C_S, false, true}};
    struct {
        const lp_sortkey *ok;
        int nok;
        lp_wincall c;
        lp_status st;
        const char *msg;
    } cases[] = {
        {ok2, 2, AGG(LP_AGG_SUM, C_X, ((lp_winframe){LP_FRAME_RANGE, -1, 0})), LP_ETYPE, "exactly one order key"},
        {oks, 1, AGG(LP_AGG_SUM, C_X, ((lp_winframe){LP_FRAME_RANGE, -1, 1})), LP_ETYPE, "got string"},
        {ok2, 1, AGG(LP_AGG_SUM, C_S, ((lp_winframe){LP_FRAME_ROWS, -1, 1})), LP_ETYPE, "type string"},
        {ok2, 1, AGG(LP_AGG_MEDIAN, C_X, ((lp_winframe){LP_FRAME_ROWS, -1, 1})), LP_ETYPE, "over a window"},
        {ok2, 1, RANKF(LP_WIN_NTILE, 0), LP_EVALUE, "positive"},
    };
    for (size_t i = 0; i < LP_ARRAY_LEN(cases); i++) {
        lp_table *out = (lp_table *)1;
        lp_diag d;
        lp_diag_init(&d);
        assert_int_equal(lp_window(in, pk, 1, cases[i].ok, cases[i].nok, &cases[i].c, 1, &out, &d), cases[i].st);
        assert_null(out);
        if (!strstr(d.msg, cases[i].msg)) fail_msg("case %zu: '%s'", i, d.msg);
    }
    /* column indexes out of range */
    int badpk[] = {C_NCOLS};
    lp_sortkey badok[] = {{-1, false, true}};
    lp_wincall sum = AGG(LP_AGG_SUM, C_X, ((lp_winframe){LP_FRAME_ROWS, -1, 1}));
    lp_wincall nocol = AGG(LP_AGG_SUM, -1, ((lp_winframe){LP_FRAME_ROWS, -1, 1}));
    lp_table *out = (lp_table *)1;
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_window(in, badpk, 1, NULL, 0, &sum, 1, &out, &d), LP_EVALUE);
    assert_null(out);
    assert_int_equal(lp_window(in, pk, 1, badok, 1, &sum, 1, &out, &d), LP_EVALUE);
    assert_int_equal(lp_window(in, pk, 1, NULL, 0, &nocol, 1, &out, &d), LP_EVALUE);
    assert_non_null(strstr(d.msg, "out of range"));
    /* RANGE with only CURRENT ROW / UNBOUNDED bounds works with any keys */
    check_window(in, pk, 1, oks, 1, (lp_wincall[]){AGG(LP_AGG_COUNT_STAR, -1, ((lp_winframe){LP_FRAME_RANGE, UNB_LO, 0}))}, 1);
    lp_table_unref(in);
}

static lp_table *threads_in;
static char *dump_run(void *arg) {
    (void)arg;
    lp_wincall c[40];
    int n = aggs_over(c, (lp_winframe){LP_FRAME_ROWS, -7, 3});
    n += aggs_over(c + n, (lp_winframe){LP_FRAME_RANGE, UNB_LO, 0});
    c[n++] = RANKF(LP_WIN_RANK, 0);
    c[n++] = OFFS(LP_WIN_LEAD, C_X, 1, -1);
    int pk[] = {C_G};
    lp_sortkey ok[] = {{C_T, false, true}};
    lp_table *out = run(threads_in, pk, 1, ok, 1, c, n);
    char *s = tu_dump(out);
    lp_table_unref(out);
    return s;
}

static void test_window_same_across_threads(void **state) {
    (void)state;
    threads_in = random_table(30000, 900, 200, 4000);
    lp_free(tu_same_across_threads(dump_run, NULL));
    lp_table_unref(threads_in);
    /* one big partition and many tiny ones */
    threads_in = random_table(20000, 1, 5000, 3000);
    lp_free(tu_same_across_threads(dump_run, NULL));
    lp_table_unref(threads_in);
}

static void test_window_allocation_failures(void **state) {
    (void)state;
    lp_table *in = random_table(700, 9, 20, 100);
    int pk[] = {C_G};
    lp_sortkey ok[] = {{C_T, false, true}};
    lp_wincall c[40];
    int n = aggs_over(c, (lp_winframe){LP_FRAME_ROWS, -2, 2});
    c[n++] = RANKF(LP_WIN_DENSE_RANK, 0);
    c[n++] = OFFS(LP_WIN_LAG, C_T, 1, C_ID);
    lp_table *want = run(in, pk, 1, ok, 1, c, n);
    char *wants = tu_dump(want);
    lp_table_unref(want);
    for (int threads = 1; threads <= 2; threads++) {
        lp_pool_set_threads(threads);
        bool done = false;
        for (int64_t at = 1; !done && at < 5000; at++) {
            lp_diag d;
            lp_diag_init(&d);
            lp_table *out = (lp_table *)1;
            lp_mem_fail_at(at, false);
            lp_status st = lp_window(in, pk, 1, ok, 1, c, n, &out, &d);
            int64_t failed = lp_mem_fail_at(0, false);
            if (failed) {
                if (st != LP_ENOMEM) fail_msg("allocation %lld failed, yet status %d", (long long)at, (int)st);
                assert_null(out);
                if (!strstr(d.msg, "window") && !strstr(d.msg, "sort")) fail_msg("at %lld: %s", (long long)at, d.msg);
            } else {
                assert_int_equal(st, LP_OK);
                char *got = tu_dump(out);
                assert_string_equal(got, wants);
                lp_free(got);
                lp_table_unref(out);
                done = true;
            }
        }
        assert_true(done);
    }
    lp_pool_set_threads(0);
    lp_free(wants);
    lp_table_unref(in);
}

static void test_window_cancellation(void **state) {
    (void)state;
    lp_table *in = random_table(200000, 3, 100000, 20000);
    int pk[] = {C_G};
    lp_sortkey ok[] = {{C_T, false, true}};
    lp_wincall c[] = {AGG(LP_AGG_MAX, C_X, ((lp_winframe){LP_FRAME_ROWS, -100, 100})), RANKF(LP_WIN_RANK, 0)};
    lp_diag d;
    lp_diag_init(&d);
    lp_table *out = (lp_table *)1;
    lp_cancel_request();
    assert_int_equal(lp_window(in, pk, 1, ok, 1, c, 2, &out, &d), LP_ECANCELLED);
    assert_null(out);
    lp_cancel_clear();
    lp_pool_set_threads(2);
    for (int rep = 0; rep < 3; rep++) {
        tu_canceller th;
        tu_cancel_after(&th, 1000 + rep * 3000);
        lp_status st = lp_window(in, pk, 1, ok, 1, c, 2, &out, &d);
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
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_window_ranking_and_offsets),
        TU_TEST(test_window_aggregate_frames),
        TU_TEST(test_window_without_order_or_partition),
        TU_TEST(test_window_float_and_timestamp_range),
        TU_TEST(test_window_empty_and_non_finite),
        TU_TEST(test_window_refuses_bad_calls),
        TU_TEST(test_window_same_across_threads),
        TU_TEST(test_window_allocation_failures),
        TU_TEST(test_window_cancellation),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lp_pool_shutdown();
    return rc;
}
