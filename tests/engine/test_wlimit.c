/* test_wlimit.c -- the window group limit (exec/wlimit.c) against its definition: the rows whose
 * row_number() over the same window is at most k, computed by lp_window and a scan here. Random
 * data with null and string partition keys, tied and null order keys in both directions, many
 * and few partitions, k from 1 to the bound, no partition keys at all; input order kept, the
 * same rows with 1 and 4 threads, and refused arguments. */
#include "testutil.h"

#include "exec/ops.h"

#include <stdio.h>
#include <stdlib.h>

enum { C_ID, C_G, C_S, C_T, C_X, C_NCOLS };

static uint64_t seed = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void) {  /* splitmix64 */
    uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* id = input position; g an int key (ng values, some null); s a string key (3 values, some
 * null); t an int order key with many ties (some null); x a double order key (some null). */
static lp_table *make(int n, int ng, int per_part) {
    const char *names[] = {"id", "g", "s", "t", "x"};
    lp_type ty[] = {lp_type_of(LP_INT64), lp_type_of(LP_INT64), lp_type_of(LP_STRING), lp_type_of(LP_INT64),
                    lp_type_of(LP_FLOAT64)};
    lp_table *t = lp_table_new(C_NCOLS, names, ty);
    assert_non_null(t);
    for (int start = 0; start < n; start += per_part) {
        int end = LP_MIN(n, start + per_part);
        lp_colbuf b[C_NCOLS];
        for (int c = 0; c < C_NCOLS; c++) lp_colbuf_init(&b[c], ty[c]);
        for (int i = start; i < end; i++) {
            uint64_t r = next();
            lp_colbuf_append_i64(&b[C_ID], i);
            if (r % 23 == 0) lp_colbuf_append_null(&b[C_G]);
            else lp_colbuf_append_i64(&b[C_G], (int64_t)((r >> 8) % (uint64_t)ng));
            static const char *const sv[] = {"a", "bb", "ccc"};
            if ((r >> 20) % 11 == 0) lp_colbuf_append_null(&b[C_S]);
            else lp_colbuf_append_str(&b[C_S], sv[(r >> 24) % 3], strlen(sv[(r >> 24) % 3]));
            if ((r >> 28) % 13 == 0) lp_colbuf_append_null(&b[C_T]);
            else lp_colbuf_append_i64(&b[C_T], (int64_t)((r >> 32) % 5));
            if ((r >> 40) % 9 == 0) lp_colbuf_append_null(&b[C_X]);
            else lp_colbuf_append_f64(&b[C_X], (double)((r >> 44) % 1000) / 8.0);
        }
        lp_column *cols[C_NCOLS];
        for (int c = 0; c < C_NCOLS; c++) assert_int_equal(lp_colbuf_finish(&b[c], &cols[c]), LP_OK);
        assert_int_equal(lp_table_add_part(t, end - start, cols), LP_OK);
    }
    return t;
}

typedef struct wcase {
    lp_table *in;
    int pkeys[2];
    int npkeys;
    lp_sortkey okeys[2];
    int nokeys;
    int64_t k;
} wcase;

/* The kept ids, one per line, in output order. */
static char *limited_ids(void *arg) {
    wcase *w = arg;
    lp_diag d = {0};
    lp_table *out = NULL;
    assert_int_equal(lp_window_limit(w->in, w->pkeys, w->npkeys, w->okeys, w->nokeys, w->k, &out, &d), LP_OK);
    assert_int_equal(out->ncols, C_NCOLS);
    lp_strbuf b;
    lp_strbuf_init(&b);
    for (int p = 0; p < out->nparts; p++)
        for (int64_t r = 0; r < out->parts[p].nrows; r++) lp_strbuf_printf(&b, "%lld\n", (long long)out->parts[p].cols[C_ID]->v.i[r]);
    lp_table_unref(out);
    return lp_strbuf_take(&b);
}

/* The definition: row_number() over the window, rows with a number <= k, in input order. */
static char *reference_ids(const wcase *w) {
    lp_diag d = {0};
    lp_wincall call = {.fn = LP_WIN_ROW_NUMBER, .col = -1, .dflt = -1, .name = "rn"};
    call.frame = lp_window_frame(LP_WIN_ROW_NUMBER, 0, w->nokeys, (lp_winframe){0});
    lp_table *win = NULL;
    assert_int_equal(lp_window(w->in, w->pkeys, w->npkeys, w->okeys, w->nokeys, &call, 1, &win, &d), LP_OK);
    int64_t n = w->in->nrows;
    uint8_t *keep = calloc((size_t)n, 1);
    for (int p = 0; p < win->nparts; p++)
        for (int64_t r = 0; r < win->parts[p].nrows; r++)
            if (win->parts[p].cols[C_NCOLS]->v.i[r] <= w->k) keep[win->parts[p].cols[C_ID]->v.i[r]] = 1;
    lp_table_unref(win);
    lp_strbuf b;
    lp_strbuf_init(&b);
    for (int64_t i = 0; i < n; i++)
        if (keep[i]) lp_strbuf_printf(&b, "%lld\n", (long long)i);
    free(keep);
    return lp_strbuf_take(&b);
}

static void check(wcase *w) {
    char *want = reference_ids(w);
    char *got = tu_same_across_threads(limited_ids, w);
    assert_string_equal(got, want);
    lp_free(got);
    lp_free(want);
}

static void test_matches_row_number(void **state) {
    (void)state;
    loupe_cancel_reset();
    static const int64_t ks[] = {1, 2, 3, 64};
    static const int layouts[][3] = {{700, 40, 7}, {3000, 200, 256}, {5000, 3, 5000}, {2000, 1000, 64}};
    for (size_t l = 0; l < sizeof layouts / sizeof *layouts; l++) {
        lp_table *in = make(layouts[l][0], layouts[l][1], layouts[l][2]);
        for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++) {
            wcase shapes[] = {
                {in, {C_G}, 1, {{C_T, false, true}}, 1, ks[ki]},
                {in, {C_G}, 1, {{C_X, true, false}}, 1, ks[ki]},
                {in, {C_S, C_G}, 2, {{C_T, true, true}, {C_X, false, false}}, 2, ks[ki]},
                {in, {C_S}, 1, {{C_X, false, true}}, 1, ks[ki]},
                {in, {0}, 0, {{C_T, true, false}}, 1, ks[ki]},  /* no PARTITION BY: one partition */
            };
            for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) check(&shapes[s]);
        }
        lp_table_unref(in);
    }
}

static void test_refused(void **state) {
    (void)state;
    lp_table *in = make(10, 2, 10);
    lp_diag d = {0};
    lp_table *out = NULL;
    int pk = C_G;
    lp_sortkey ok = {C_T, false, true};
    assert_int_equal(lp_window_limit(in, &pk, 1, &ok, 1, 0, &out, &d), LP_EVALUE);
    assert_int_equal(lp_window_limit(in, &pk, 1, &ok, 1, 65, &out, &d), LP_EVALUE);
    pk = C_NCOLS;
    assert_int_equal(lp_window_limit(in, &pk, 1, &ok, 1, 2, &out, &d), LP_EVALUE);
    pk = C_G;
    ok.col = -1;
    assert_int_equal(lp_window_limit(in, &pk, 1, &ok, 1, 2, &out, &d), LP_EVALUE);
    assert_null(out);
    lp_table_unref(in);
}

static void test_empty_input(void **state) {
    (void)state;
    lp_table *in = make(0, 2, 10);
    lp_diag d = {0};
    lp_table *out = NULL;
    int pk = C_G;
    lp_sortkey ok = {C_T, false, true};
    assert_int_equal(lp_window_limit(in, &pk, 1, &ok, 1, 2, &out, &d), LP_OK);
    assert_int_equal(out->nrows, 0);
    assert_int_equal(out->ncols, C_NCOLS);
    lp_table_unref(out);
    lp_table_unref(in);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_matches_row_number),
        TU_TEST(test_refused),
        TU_TEST(test_empty_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
