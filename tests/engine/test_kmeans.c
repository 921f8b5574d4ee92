/* test_kmeans.c -- the k-means and column-statistics kernels: planted Gaussian blobs found by
 * each initialisation, bit-identical fits with 1 and 4 threads, the cost never rising with more
 * iterations, fewer distinct rows than k, one row, weights, NaN and empty input refused,
 * cancellation, failed allocation at every point; Summarizer's metrics against a two-pass
 * reference, sparse rows against dense ones, and thread-count independence. */
#include "testutil.h"

#include "exec/kmeans.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static double unif(void) { return (double)(rnd() >> 11) * 0x1.0p-53; }
static double gauss(void) {
    double u = unif(), v = unif();
    if (u < 1e-300) u = 1e-300;
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

enum { NBLOB = 4, DIM = 3 };
static const double blob_centre[NBLOB][DIM] = {{0, 0, 0}, {10, 0, 0}, {0, 10, 5}, {-8, -8, 8}};

/* n rows around the planted centres (sd 0.5), blob i for row r = r % NBLOB; truth gets it. */
static double *blobs(int64_t n, int *truth) {
    double *x = malloc(sizeof(double) * (size_t)n * DIM);
    assert_non_null(x);
    rng = 88172645463325252ULL;
    for (int64_t r = 0; r < n; r++) {
        int b = (int)(r % NBLOB);
        if (truth) truth[r] = b;
        for (int j = 0; j < DIM; j++) x[r * DIM + j] = blob_centre[b][j] + 0.5 * gauss();
    }
    return x;
}

/* Every planted centre has exactly one found centre within 0.1, and every row's cluster is its
 * blob's. */
static void check_blobs(const double *x, const int *truth, int64_t n, const lp_kmeans_result *r) {
    assert_int_equal(r->k, NBLOB);
    int match[NBLOB];
    for (int b = 0; b < NBLOB; b++) {
        double d2;
        match[b] = lp_kmeans_closest(r->centers, r->k, DIM, blob_centre[b], &d2);
        assert_true(sqrt(d2) < 0.1);
        for (int a = 0; a < b; a++) assert_int_not_equal(match[a], match[b]);
    }
    int32_t *pred = malloc(sizeof(int32_t) * (size_t)n);
    double *dist = malloc(sizeof(double) * (size_t)n);
    assert_int_equal(lp_kmeans_assign(x, n, DIM, r->centers, r->k, pred, dist, NULL), LP_OK);
    double cost = 0;
    for (int64_t i = 0; i < n; i++) {
        assert_int_equal(pred[i], match[truth[i]]);
        cost += dist[i] * dist[i];
    }
    assert_true(fabs(cost - r->cost) < 1e-9 * r->cost);
    /* sd 0.5 in 3 dimensions: expected squared distance 0.75 per row */
    assert_true(r->cost / (double)n > 0.6 && r->cost / (double)n < 0.9);
    int64_t total = 0;
    for (int q = 0; q < r->k; q++) total += r->sizes[q];
    assert_int_equal(total, n);
    free(pred);
    free(dist);
}

static void test_kmeans_blobs_each_init(void **state) {
    (void)state;
    int64_t n = 2000;
    int *truth = malloc(sizeof(int) * (size_t)n);
    double *x = blobs(n, truth);
    lp_km_init inits[] = {LP_KM_INIT_PARALLEL, LP_KM_INIT_PLUSPLUS};
    for (size_t i = 0; i < LP_ARRAY_LEN(inits); i++) {
        for (uint64_t seed = 1; seed <= 3; seed++) {
            lp_kmeans_opts o;
            lp_kmeans_opts_init(&o, NBLOB, seed);
            o.init = inits[i];
            lp_kmeans_result *r = NULL;
            lp_diag d;
            lp_diag_init(&d);
            assert_int_equal(lp_kmeans_fit(x, NULL, n, DIM, &o, &r, &d), LP_OK);
            check_blobs(x, truth, n, r);
            assert_true(r->iterations >= 1 && r->iterations <= o.max_iter);
            lp_kmeans_result_free(r);
        }
    }
    /* random init may land two centres in one blob: it must still give k centres and a cost no
     * lower than the planted optimum's */
    lp_kmeans_opts o;
    lp_kmeans_opts_init(&o, NBLOB, 7);
    o.init = LP_KM_INIT_RANDOM;
    lp_kmeans_result *r = NULL;
    assert_int_equal(lp_kmeans_fit(x, NULL, n, DIM, &o, &r, NULL), LP_OK);
    assert_int_equal(r->k, NBLOB);
    assert_true(r->cost / (double)n > 0.6);
    lp_kmeans_result_free(r);
    free(x);
    free(truth);
}

typedef struct fit_arg {
    const double *x;
    int64_t n;
    lp_km_init init;
} fit_arg;

/* The fit as text: centres and cost in hex floats (exact bits), iterations, sizes. */
static char *fit_text(void *varg) {
    fit_arg *a = varg;
    lp_kmeans_opts o;
    lp_kmeans_opts_init(&o, 6, 42);
    o.init = a->init;
    lp_kmeans_result *r = NULL;
    assert_int_equal(lp_kmeans_fit(a->x, NULL, a->n, DIM, &o, &r, NULL), LP_OK);
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_strbuf_printf(&b, "k=%d it=%d cost=%a\n", r->k, r->iterations, r->cost);
    for (int q = 0; q < r->k; q++) {
        lp_strbuf_printf(&b, "%lld:", (long long)r->sizes[q]);
        for (int j = 0; j < DIM; j++) lp_strbuf_printf(&b, " %a", r->centers[q * DIM + j]);
        lp_strbuf_putc(&b, '\n');
    }
    int32_t *pred = lp_malloc(sizeof(int32_t) * (size_t)a->n);
    double *dist = lp_malloc(sizeof(double) * (size_t)a->n);
    assert_int_equal(lp_kmeans_assign(a->x, a->n, DIM, r->centers, r->k, pred, dist, NULL), LP_OK);
    uint64_t h = 0;
    for (int64_t i = 0; i < a->n; i++) h = lp_hash_combine(h, (uint64_t)pred[i] * 1000003u ^ (uint64_t)(dist[i] * 1e9));
    lp_strbuf_printf(&b, "assign %llx\n", (unsigned long long)h);
    lp_free(pred);
    lp_free(dist);
    lp_kmeans_result_free(r);
    return lp_strbuf_take(&b);
}

static void test_kmeans_same_across_threads(void **state) {
    (void)state;
    int64_t n = 20000; /* 5 chunks */
    double *x = blobs(n, NULL);
    lp_km_init inits[] = {LP_KM_INIT_PARALLEL, LP_KM_INIT_PLUSPLUS, LP_KM_INIT_RANDOM};
    for (size_t i = 0; i < LP_ARRAY_LEN(inits); i++) {
        fit_arg a = {x, n, inits[i]};
        char *s = tu_same_across_threads(fit_text, &a);
        lp_free(s);
    }
    free(x);
}

static void test_kmeans_cost_never_rises(void **state) {
    (void)state;
    int64_t n = 3000;
    double *x = malloc(sizeof(double) * (size_t)n * DIM);
    rng = 12345;
    for (int64_t i = 0; i < n * DIM; i++) x[i] = unif() * 10; /* no structure: many iterations */
    double prev = INFINITY;
    int last_it = 0;
    for (int it = 1; it <= 12; it++) {
        lp_kmeans_opts o;
        lp_kmeans_opts_init(&o, 8, 5);
        o.max_iter = it;
        o.tol = 0;
        lp_kmeans_result *r = NULL;
        assert_int_equal(lp_kmeans_fit(x, NULL, n, DIM, &o, &r, NULL), LP_OK);
        assert_true(r->cost <= prev);
        assert_true(r->iterations <= it);
        assert_true(r->iterations >= last_it);
        last_it = r->iterations;
        prev = r->cost;
        lp_kmeans_result_free(r);
    }
    assert_true(last_it > 3);
    free(x);
}

static void test_kmeans_fewer_distinct_than_k(void **state) {
    (void)state;
    /* 5 distinct points, each 7 times */
    double x[35 * 2];
    for (int i = 0; i < 35; i++) x[2 * i] = (double)(i % 5), x[2 * i + 1] = (double)((i % 5) * (i % 5));
    lp_km_init inits[] = {LP_KM_INIT_PARALLEL, LP_KM_INIT_PLUSPLUS};
    for (size_t i = 0; i < LP_ARRAY_LEN(inits); i++) {
        lp_kmeans_opts o;
        lp_kmeans_opts_init(&o, 10, 3);
        o.init = inits[i];
        lp_kmeans_result *r = NULL;
        assert_int_equal(lp_kmeans_fit(x, NULL, 35, 2, &o, &r, NULL), LP_OK);
        assert_int_equal(r->k, 5);
        assert_true(r->cost == 0);
        for (int q = 0; q < r->k; q++) assert_int_equal(r->sizes[q], 7);
        lp_kmeans_result_free(r);
    }
    /* one row */
    double one[2] = {3, 4};
    lp_kmeans_opts o;
    lp_kmeans_opts_init(&o, 3, 1);
    lp_kmeans_result *r = NULL;
    assert_int_equal(lp_kmeans_fit(one, NULL, 1, 2, &o, &r, NULL), LP_OK);
    assert_int_equal(r->k, 1);
    assert_true(r->centers[0] == 3 && r->centers[1] == 4 && r->cost == 0);
    lp_kmeans_result_free(r);
    o.init = LP_KM_INIT_RANDOM;
    assert_int_equal(lp_kmeans_fit(one, NULL, 1, 2, &o, &r, NULL), LP_OK);
    assert_int_equal(r->k, 1);
    lp_kmeans_result_free(r);
}

static void test_kmeans_weights(void **state) {
    (void)state;
    /* two groups; a far outlier with weight 0 takes no part */
    double x[] = {0, 0, 0, 1, 1, 0, 10, 10, 10, 11, 11, 10, 1000, 1000};
    double w[] = {1, 1, 1, 1, 1, 1, 0};
    lp_kmeans_opts o;
    lp_kmeans_opts_init(&o, 2, 9);
    lp_kmeans_result *r = NULL;
    assert_int_equal(lp_kmeans_fit(x, w, 7, 2, &o, &r, NULL), LP_OK);
    assert_int_equal(r->k, 2);
    for (int q = 0; q < 2; q++) {
        double cx = r->centers[2 * q], cy = r->centers[2 * q + 1];
        assert_true(cx < 20 && cy < 20);
        assert_int_equal(r->sizes[q], 3);
    }
    assert_true(fabs(r->cost - 8.0 / 3.0) < 1e-12);
    lp_kmeans_result_free(r);
    /* doubled weights double the cost */
    double w2[] = {2, 2, 2, 2, 2, 2, 0};
    assert_int_equal(lp_kmeans_fit(x, w2, 7, 2, &o, &r, NULL), LP_OK);
    assert_true(fabs(r->cost - 16.0 / 3.0) < 1e-12);
    lp_kmeans_result_free(r);
}

static void test_kmeans_refuses_bad_input(void **state) {
    (void)state;
    double x[] = {0, 1, NAN, 2, 3, 4};
    lp_kmeans_opts o;
    lp_kmeans_opts_init(&o, 2, 1);
    lp_kmeans_result *r = NULL;
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_kmeans_fit(x, NULL, 3, 2, &o, &r, &d), LP_EVALUE);
    assert_null(r);
    assert_non_null(strstr(d.msg, "1 value of the features or weights is NaN"));
    x[2] = INFINITY;
    x[5] = -INFINITY;
    lp_diag_init(&d);
    assert_int_equal(lp_kmeans_fit(x, NULL, 3, 2, &o, &r, &d), LP_EVALUE);
    assert_non_null(strstr(d.msg, "2 values"));
    lp_diag_init(&d);
    assert_int_equal(lp_kmeans_fit(x, NULL, 0, 2, &o, &r, &d), LP_EVALUE);
    assert_non_null(strstr(d.msg, "no rows"));
    double ok[] = {0, 1, 2, 3};
    double w[] = {0, 0};
    assert_int_equal(lp_kmeans_fit(ok, w, 2, 2, &o, &r, NULL), LP_EVALUE);
    assert_null(r);
}

static void test_kmeans_cancelled(void **state) {
    (void)state;
    int64_t n = 5000;
    double *x = blobs(n, NULL);
    lp_kmeans_opts o;
    lp_kmeans_opts_init(&o, 4, 1);
    lp_kmeans_result *r = NULL;
    lp_diag d;
    lp_diag_init(&d);
    lp_cancel_request();
    assert_int_equal(lp_kmeans_fit(x, NULL, n, DIM, &o, &r, &d), LP_ECANCELLED);
    lp_cancel_clear();
    assert_null(r);
    free(x);
}

static void test_kmeans_nomem_everywhere(void **state) {
    (void)state;
    int64_t n = 9000; /* 3 chunks */
    double *x = blobs(n, NULL);
    lp_km_init inits[] = {LP_KM_INIT_PARALLEL, LP_KM_INIT_PLUSPLUS, LP_KM_INIT_RANDOM};
    for (size_t i = 0; i < LP_ARRAY_LEN(inits); i++) {
        bool passed = false;
        for (int64_t at = 1; at < 200 && !passed; at++) {
            lp_kmeans_opts o;
            lp_kmeans_opts_init(&o, 4, 1);
            o.init = inits[i];
            lp_kmeans_result *r = NULL;
            lp_diag d;
            lp_diag_init(&d);
            lp_mem_fail_at(at, false);
            lp_status st = lp_kmeans_fit(x, NULL, n, DIM, &o, &r, &d);
            int64_t failed = lp_mem_fail_at(0, false);
            if (failed == 0) {
                assert_int_equal(st, LP_OK);
                passed = true;
            } else {
                assert_int_equal(st, LP_ENOMEM);
                assert_null(r);
                assert_int_equal(d.status, LP_ENOMEM);
            }
            lp_kmeans_result_free(r);
        }
        assert_true(passed);
    }
    free(x);
}

/* ---- column statistics ---- */

static void test_colstats_against_two_pass(void **state) {
    (void)state;
    enum { N = 3000, D = 4 };
    double *x = malloc(sizeof(double) * N * D), *w = malloc(sizeof(double) * N);
    rng = 777;
    for (int i = 0; i < N; i++) {
        w[i] = (i % 10 == 0) ? 2.5 : 1.0;
        x[i * D + 0] = unif() * 100 - 50;
        x[i * D + 1] = (rnd() % 4 == 0) ? unif() * 3 + 1 : 0; /* mostly zero, positive */
        x[i * D + 2] = 0;                                   /* all zero */
        x[i * D + 3] = -(double)(rnd() % 7);                /* non-positive */
    }
    for (int weighted = 0; weighted < 2; weighted++) {
        const double *ww = weighted ? w : NULL;
        lp_colstats s;
        assert_int_equal(lp_colstats_matrix(x, ww, N, D, &s, NULL), LP_OK);
        assert_int_equal(s.count, N);
        double got[D];
        for (int j = 0; j < D; j++) {
            double sw = 0, sw2 = 0, sum = 0, l1 = 0, l2 = 0, mn = INFINITY, mx = -INFINITY, nnz = 0;
            for (int i = 0; i < N; i++) {
                double wi = ww ? ww[i] : 1, v = x[i * D + j];
                sw += wi, sw2 += wi * wi, sum += wi * v, l1 += wi * fabs(v), l2 += wi * v * v;
                if (v < mn) mn = v;
                if (v > mx) mx = v;
                if (v != 0) nnz++;
            }
            double mean = sum / sw, m2 = 0;
            for (int i = 0; i < N; i++) m2 += (ww ? ww[i] : 1) * (x[i * D + j] - mean) * (x[i * D + j] - mean);
            double var = m2 / (sw - sw2 / sw);
            double want[] = {mean, sum, var, sqrt(var), mn, mx, l1, sqrt(l2), nnz};
            for (lp_colstat m = LP_CS_MEAN; m <= LP_CS_NNZ; m++) {
                lp_colstats_get(&s, m, got);
                double tolv = 1e-9 * (fabs(want[m]) + 1);
                if (fabs(got[j] - want[m]) > tolv)
                    fail_msg("dim %d metric %d: got %.17g want %.17g", j, (int)m, got[j], want[m]);
            }
        }
        lp_colstats_reset(&s);
    }
    free(x);
    free(w);
}

static void test_colstats_sparse_equals_dense(void **state) {
    (void)state;
    enum { D = 6 };
    double rows[3][D] = {{0, 1.5, 0, 0, -2, 0}, {0, 0, 0, 0, 0, 0}, {3, 0, 0, 4, 0, 0.25}};
    lp_colstats a, b;
    assert_int_equal(lp_colstats_init(&a, D), LP_OK);
    assert_int_equal(lp_colstats_init(&b, D), LP_OK);
    for (int r = 0; r < 3; r++) {
        lp_colstats_add_dense(&a, rows[r], 1);
        int32_t idx[D];
        double val[D];
        int64_t nnz = 0;
        for (int j = 0; j < D; j++)
            if (rows[r][j] != 0) idx[nnz] = j, val[nnz++] = rows[r][j];
        lp_colstats_add_sparse(&b, idx, val, nnz, 1);
    }
    for (lp_colstat m = LP_CS_MEAN; m <= LP_CS_NNZ; m++) {
        double ga[D], gb[D];
        lp_colstats_get(&a, m, ga);
        lp_colstats_get(&b, m, gb);
        assert_memory_equal(ga, gb, sizeof ga);
    }
    double mn[D], mx[D], nnz[D];
    lp_colstats_get(&a, LP_CS_MIN, mn);
    lp_colstats_get(&a, LP_CS_MAX, mx);
    lp_colstats_get(&a, LP_CS_NNZ, nnz);
    double want_mn[D] = {0, 0, 0, 0, -2, 0}, want_mx[D] = {3, 1.5, 0, 4, 0, 0.25}, want_nnz[D] = {1, 1, 0, 1, 1, 1};
    assert_memory_equal(mn, want_mn, sizeof mn);
    assert_memory_equal(mx, want_mx, sizeof mx);
    assert_memory_equal(nnz, want_nnz, sizeof nnz);
    /* one row: variance 0 (undefined), as Spark reports it */
    lp_colstats one;
    assert_int_equal(lp_colstats_init(&one, D), LP_OK);
    lp_colstats_add_dense(&one, rows[2], 1);
    double v[D];
    lp_colstats_get(&one, LP_CS_VARIANCE, v);
    for (int j = 0; j < D; j++) assert_true(v[j] == 0);
    lp_colstats_reset(&one);
    lp_colstats_reset(&a);
    lp_colstats_reset(&b);
}

static char *stats_text(void *varg) {
    const double *x = varg;
    lp_colstats s;
    assert_int_equal(lp_colstats_matrix(x, NULL, 20000, DIM, &s, NULL), LP_OK);
    lp_strbuf b;
    lp_strbuf_init(&b);
    double got[DIM];
    for (lp_colstat m = LP_CS_MEAN; m <= LP_CS_NNZ; m++) {
        lp_colstats_get(&s, m, got);
        for (int j = 0; j < DIM; j++) lp_strbuf_printf(&b, "%a ", got[j]);
        lp_strbuf_putc(&b, '\n');
    }
    lp_colstats_reset(&s);
    return lp_strbuf_take(&b);
}

static void test_colstats_same_across_threads(void **state) {
    (void)state;
    double *x = blobs(20000, NULL);
    lp_free(tu_same_across_threads(stats_text, x));
    free(x);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_kmeans_blobs_each_init),
        TU_TEST(test_kmeans_same_across_threads),
        TU_TEST(test_kmeans_cost_never_rises),
        TU_TEST(test_kmeans_fewer_distinct_than_k),
        TU_TEST(test_kmeans_weights),
        TU_TEST(test_kmeans_refuses_bad_input),
        TU_TEST(test_kmeans_cancelled),
        TU_TEST(test_kmeans_nomem_everywhere),
        TU_TEST(test_colstats_against_two_pass),
        TU_TEST(test_colstats_sparse_equals_dense),
        TU_TEST(test_colstats_same_across_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
