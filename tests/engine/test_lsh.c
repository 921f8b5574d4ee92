/* test_lsh.c -- the LSH join and nearest neighbours against brute force on small sets: every
 * returned pair's distance is exact and below the threshold, with many tables every true pair is
 * found, no pair twice; the same output with 1 and 4 threads; Java's Random reproduced (Spark's
 * seeds); allocation failures and cancellation. */
#include "testutil.h"

#include "exec/lsh.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

#define NROWS 240
#define UNIVERSE 400

/* NROWS sets over [0, UNIVERSE): groups of near-duplicates (a base set with a few elements
 * changed) and random sets; as sparse vectors (id bigint, v vector), 50 rows per partition. */
static lp_table *sets(bool dense_dim8) {
    const char *names[] = {"id", "v"};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_VECTOR)};
    lp_table *t = lp_table_new(2, names, types);
    assert_non_null(t);
    int32_t base[64];
    int nb = 0;
    for (int start = 0; start < NROWS; start += 50) {
        lp_colbuf b[2];
        lp_colbuf_init(&b[0], types[0]);
        lp_colbuf_init(&b[1], types[1]);
        int end = LP_MIN(NROWS, start + 50);
        for (int i = start; i < end; i++) {
            lp_colbuf_append_i64(&b[0], i);
            if (dense_dim8) {
                double x[8];
                for (int k = 0; k < 8; k++) x[k] = (double)(int64_t)(rnd() % 1000) / 100.0;
                lp_colbuf_append_vec(&b[1], 8, 8, NULL, x);
                continue;
            }
            if (i % 6 == 0) {  /* a new base set of 10..40 elements */
                nb = 10 + (int)(rnd() % 31);
                for (int k = 0; k < nb; k++) base[k] = (int32_t)(rnd() % UNIVERSE);
            }
            bool in[UNIVERSE] = {0};
            for (int k = 0; k < nb; k++) in[base[k]] = true;
            int changes = i % 6 == 5 ? 30 : (int)(rnd() % 4);  /* every 6th row: mostly different */
            for (int k = 0; k < changes; k++) in[rnd() % UNIVERSE] = !in[rnd() % UNIVERSE];
            in[rnd() % UNIVERSE] = true;  /* never empty */
            int32_t idx[UNIVERSE];
            double val[UNIVERSE];
            int n = 0;
            for (int k = 0; k < UNIVERSE; k++)
                if (in[k]) {
                    idx[n] = k;
                    val[n++] = 1.0 + (double)(rnd() % 3);  /* weights do not matter for Jaccard */
                }
            lp_colbuf_append_vec(&b[1], UNIVERSE, n, idx, val);
        }
        lp_column *cols[2];
        assert_int_equal(lp_colbuf_finish(&b[0], &cols[0]), LP_OK);
        assert_int_equal(lp_colbuf_finish(&b[1], &cols[1]), LP_OK);
        assert_int_equal(lp_table_add_part(t, end - start, cols), LP_OK);
    }
    return t;
}

static lp_value row_vec(const lp_table *t, int64_t g) {
    int p = 0;
    while (g >= t->parts[p].nrows) g -= t->parts[p++].nrows;
    return lp_column_get(t->parts[p].cols[1], g);
}

/* Brute-force Jaccard distance over index sets, computed here from scratch. */
static double ref_jaccard(const lp_value *x, const lp_value *y) {
    bool a[UNIVERSE] = {0}, b[UNIVERSE] = {0};
    for (int k = 0; k < x->u.vec.nnz; k++) a[x->u.vec.idx[k]] = true;
    for (int k = 0; k < y->u.vec.nnz; k++) b[y->u.vec.idx[k]] = true;
    int in = 0, un = 0;
    for (int k = 0; k < UNIVERSE; k++) {
        in += a[k] && b[k];
        un += a[k] || b[k];
    }
    return 1.0 - (double)in / un;
}

static double ref_euclid(const lp_value *x, const lp_value *y) {
    double s = 0;
    for (int k = 0; k < 8; k++) s += (x->u.vec.val[k] - y->u.vec.val[k]) * (x->u.vec.val[k] - y->u.vec.val[k]);
    return sqrt(s);
}

typedef struct hashes {
    int64_t a[64], b[64];
    double proj[64 * 8];
    lp_lsh h;
} hashes;

static void minhash(hashes *x, int tables, int per, int64_t seed) {
    lp_jrandom r;
    lp_jrandom_init(&r, seed);
    for (int j = 0; j < tables * per; j++) {
        x->a[j] = 1 + lp_jrandom_int(&r, LP_LSH_PRIME - 1);
        x->b[j] = lp_jrandom_int(&r, LP_LSH_PRIME - 1);
    }
    x->h = (lp_lsh){.kind = LP_LSH_MINHASH, .ntables = tables, .per = per, .a = x->a, .b = x->b};
}

/* Checks the join of t with itself against brute force: exact distances, below threshold, no
 * duplicates; returns how many true pairs it found, and the true count in *truth. */
static int64_t check_join(const lp_lsh *h, const lp_table *t, double thr, int64_t *truth, bool euclid) {
    lp_table *out = NULL;
    lp_diag d;
    lp_diag_init(&d);
    int64_t cand = 0;
    assert_int_equal(lp_lsh_join(h, t, 1, t, 1, thr, "a.", "b.", "dist", &out, &cand, &d), LP_OK);
    assert_int_equal(out->ncols, 5);
    assert_string_equal(out->names[0], "a.id");
    assert_string_equal(out->names[4], "dist");
    static bool seen[NROWS][NROWS];
    memset(seen, 0, sizeof seen);
    int64_t found = 0;
    for (int p = 0; p < out->nparts; p++) {
        lp_column **c = out->parts[p].cols;
        for (int64_t r = 0; r < out->parts[p].nrows; r++) {
            int64_t ia = c[0]->v.i[r], ib = c[2]->v.i[r];
            assert_false(seen[ia][ib]);
            seen[ia][ib] = true;
            lp_value x = row_vec(t, ia), y = row_vec(t, ib);
            double want = euclid ? ref_euclid(&x, &y) : ref_jaccard(&x, &y);
            assert_true(fabs(c[4]->v.f[r] - want) < 1e-12);
            assert_true(c[4]->v.f[r] < thr);
            found++;
        }
    }
    assert_true(cand >= found);
    *truth = 0;
    for (int i = 0; i < NROWS; i++)
        for (int j = 0; j < NROWS; j++) {
            lp_value x = row_vec(t, i), y = row_vec(t, j);
            if ((euclid ? ref_euclid(&x, &y) : ref_jaccard(&x, &y)) < thr) (*truth)++;
        }
    lp_table_unref(out);
    return found;
}

static void test_lsh_join_exact_against_brute_force(void **state) {
    (void)state;
    lp_table *t = sets(false);
    hashes x;
    int64_t truth;
    /* many tables: every true pair (distance < 0.5, similarity > 0.5) is found */
    minhash(&x, 40, 1, 7);
    int64_t found = check_join(&x.h, t, 0.5, &truth, false);
    assert_true(truth > NROWS);  /* the self pairs and the near-duplicates */
    assert_int_equal(found, truth);
    /* one table: still exact, just fewer pairs */
    minhash(&x, 1, 1, 7);
    found = check_join(&x.h, t, 0.5, &truth, false);
    assert_true(found >= NROWS && found <= truth);
    /* AND within tables: 16 tables of 3 */
    minhash(&x, 16, 3, 99);
    found = check_join(&x.h, t, 0.3, &truth, false);
    assert_true(found >= NROWS && found <= truth);
    lp_table_unref(t);
}

static void test_lsh_brp_exact(void **state) {
    (void)state;
    lp_table *t = sets(true);
    hashes x;
    lp_jrandom r;
    lp_jrandom_init(&r, 3);
    for (int j = 0; j < 30; j++) {
        double n = 0;
        for (int k = 0; k < 8; k++) {
            double g = lp_jrandom_gaussian(&r);
            x.proj[j * 8 + k] = g;
            n += g * g;
        }
        for (int k = 0; k < 8; k++) x.proj[j * 8 + k] /= sqrt(n);
    }
    x.h = (lp_lsh){.kind = LP_LSH_BRP, .ntables = 30, .per = 1, .proj = x.proj, .dim = 8, .bucket_len = 4.0};
    int64_t truth;
    int64_t found = check_join(&x.h, t, 3.0, &truth, true);
    assert_true(found >= NROWS && found <= truth);
    assert_true((double)found >= 0.9 * (double)truth);
    lp_table_unref(t);
}

static void test_lsh_java_random(void **state) {
    (void)state;
    lp_jrandom r;
    lp_jrandom_init(&r, 42);
    /* new Random(42).nextInt() == -1170105035: next(31) is its top 31 bits */
    assert_int_equal(lp_jrandom_int(&r, 1 << 30), (int32_t)(((int64_t)(1 << 30) * (int64_t)(((uint32_t)-1170105035) >> 1)) >> 31));
    lp_jrandom_init(&r, 42);
    assert_true(fabs(lp_jrandom_gaussian(&r) - 1.1419053154730547) < 1e-15);
    lp_jrandom_init(&r, 42);
    assert_int_equal(lp_jrandom_int(&r, 10), 0);  /* new Random(42).nextInt(10) */
    assert_int_equal(lp_jrandom_int(&r, 10), 3);
}

static lp_table *shared_sets;

static char *join_dump(void *arg) {
    (void)arg;
    hashes x;
    minhash(&x, 8, 2, 5);
    lp_table *out = NULL;
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_lsh_join(&x.h, shared_sets, 1, shared_sets, 1, 0.6, "a.", "b.", "dist", &out, NULL, &d), LP_OK);
    char *s = tu_dump(out);
    lp_table_unref(out);
    return s;
}

static void test_lsh_same_across_threads(void **state) {
    (void)state;
    shared_sets = sets(false);
    lp_free(tu_same_across_threads(join_dump, NULL));
    lp_table_unref(shared_sets);
}

static void test_lsh_nearest(void **state) {
    (void)state;
    lp_table *t = sets(false);
    hashes x;
    minhash(&x, 40, 1, 11);
    lp_value key = row_vec(t, 12);
    lp_table *out = NULL;
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_lsh_nearest(&x.h, t, 1, &key, 3, "distCol", &out, &d), LP_OK);
    assert_int_equal(out->nrows, 3);
    lp_column **c = out->parts[0].cols;
    assert_int_equal(c[0]->v.i[0], 12);  /* itself first, at distance 0 */
    assert_true(c[2]->v.f[0] == 0.0);
    for (int r = 1; r < 3; r++) {
        assert_true(c[2]->v.f[r] >= c[2]->v.f[r - 1]);
        lp_value y = row_vec(t, c[0]->v.i[r]);
        assert_true(fabs(c[2]->v.f[r] - ref_jaccard(&key, &y)) < 1e-12);
    }
    lp_table_unref(out);
    lp_table_unref(t);
}

static void test_lsh_failures(void **state) {
    (void)state;
    lp_table *t = sets(false);
    hashes x;
    minhash(&x, 4, 1, 5);
    for (int64_t n = 1; n < 80; n += 3) {
        lp_mem_fail_at(n, false);
        lp_table *out = NULL;
        lp_diag d;
        lp_diag_init(&d);
        lp_status st = lp_lsh_join(&x.h, t, 1, t, 1, 0.5, "a.", "b.", "dist", &out, NULL, &d);
        int64_t failed = lp_mem_fail_at(0, false);
        if (failed) {
            assert_int_equal(st, LP_ENOMEM);
            assert_null(out);
        } else {
            assert_int_equal(st, LP_OK);
        }
        lp_table_unref(out);
    }
    lp_cancel_request();
    lp_table *out = NULL;
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_lsh_join(&x.h, t, 1, t, 1, 0.5, "a.", "b.", "dist", &out, NULL, &d), LP_ECANCELLED);
    assert_null(out);
    lp_cancel_clear();
    /* an empty set has no MinHash */
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_of(LP_VECTOR));
    lp_colbuf_append_vec(&b, 10, 0, (int32_t[]){0}, (double[]){0});
    lp_column *c;
    assert_int_equal(lp_colbuf_finish(&b, &c), LP_OK);
    lp_value v = lp_column_get(c, 0);
    double hv[8];
    assert_false(lp_lsh_hash(&x.h, &v, hv));
    lp_column_unref(c);
    lp_table_unref(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_lsh_join_exact_against_brute_force),
        TU_TEST(test_lsh_brp_exact),
        TU_TEST(test_lsh_java_random),
        TU_TEST(test_lsh_same_across_threads),
        TU_TEST(test_lsh_nearest),
        TU_TEST(test_lsh_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
