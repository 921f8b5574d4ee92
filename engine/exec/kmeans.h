/* kmeans.h -- numeric kernels behind MLlib's KMeans and the feature scalers: k-means over a
 * dense row-major matrix, and per-dimension column statistics (Summarizer's metrics).
 *
 * The kernels see numbers only: the language glue gathers a vector column into a matrix (or
 * feeds rows to a statistics accumulator) and turns the results back into columns and models.
 *
 * Determinism: the parallel passes split the rows into fixed chunks of LP_KM_CHUNK rows (not
 * into one piece per thread), each chunk writes its own slot and the caller merges the slots in
 * chunk order, and every random draw is keyed on (seed, step, row). So a fit gives bit-identical
 * centres, cost and assignments for any thread count and any partitioning of the input.
 */
#ifndef LP_KMEANS_H
#define LP_KMEANS_H

#include "loupe_int.h"

#define LP_KM_CHUNK 4096

typedef enum lp_km_init {
    LP_KM_INIT_PARALLEL,  /* "k-means||" (Spark's default): Bahmani et al., initSteps rounds */
    LP_KM_INIT_PLUSPLUS,  /* "k-means++": Arthur and Vassilvitskii, one centre per pass */
    LP_KM_INIT_RANDOM,    /* "random": k distinct rows drawn uniformly */
} lp_km_init;

typedef struct lp_kmeans_opts {
    int k;            /* wanted clusters, >= 1 (Spark: > 1; the glue checks) */
    int max_iter;     /* Lloyd iterations at most (Spark's default 20) */
    double tol;       /* converged when no centre moves more than tol (Euclidean); 1e-4 */
    uint64_t seed;
    lp_km_init init;
    int init_steps;   /* k-means|| rounds (Spark's default 2) */
} lp_kmeans_opts;

/* Spark's defaults: k 2, maxIter 20, tol 1e-4, k-means|| with 2 steps, the given seed. */
void lp_kmeans_opts_init(lp_kmeans_opts *o, int k, uint64_t seed);

typedef struct lp_kmeans_result {
    int k;            /* centres found: opts.k, or fewer when the data has fewer distinct rows */
    int dim;
    double *centers;  /* k * dim, row-major */
    int64_t *sizes;   /* points (rows with weight > 0) assigned to each centre at the end */
    int iterations;   /* Lloyd iterations run */
    double cost;      /* sum of w * squared distance to the nearest final centre */
} lp_kmeans_result;

void lp_kmeans_result_free(lp_kmeans_result *r);  /* NULL is a no-op */

/* Fits k-means to x[0 .. n*dim) (n rows of dim values, row-major; every value finite) with
 * optional weights w[0..n) (NULL: all 1; rows of weight 0 take no part). Returns LP_EVALUE when
 * n == 0 or a value is not finite, LP_ECANCELLED, or LP_ENOMEM; *out is the caller's. Empty
 * clusters keep their previous centre, as Spark's do. */
LP_WUR lp_status lp_kmeans_fit(const double *x, const double *w, int64_t n, int dim, const lp_kmeans_opts *o,
                               lp_kmeans_result **out, lp_diag *d);

/* The nearest of centres[0..k) to p (the first on ties, as Spark's findClosest); *d2 gets the
 * squared Euclidean distance. */
int lp_kmeans_closest(const double *centers, int k, int dim, const double *p, double *d2);

/* For every row of x: pred[i] = its nearest centre, dist[i] = the Euclidean distance to it
 * (either may be NULL). Parallel over chunks. */
LP_WUR lp_status lp_kmeans_assign(const double *x, int64_t n, int dim, const double *centers, int k, int32_t *pred,
                                  double *dist, lp_diag *d);

/* The cost of centres over x (weights w or NULL): the sum of w * squared distance to the
 * nearest centre, summed as lp_kmeans_fit sums its cost (so the two agree to the bit). */
LP_WUR lp_status lp_kmeans_cost(const double *x, const double *w, int64_t n, int dim, const double *centers, int k,
                                double *cost, lp_diag *d);

/* ---- column statistics (exec/colstats.c) ----
 *
 * Spark's Summarizer (SummarizerBuffer) over vectors of one size: per dimension the weighted
 * mean, unbiased variance, min, max, L1 and L2 norms and the count of non-zeros, accumulated
 * over the non-zero entries only (so sparse rows cost their non-zeros) with the zeros folded in
 * at the end, exactly as Spark's buffer does. One accumulator per partition (or chunk), merged
 * in order with Chan's formula, keeps results independent of the thread count. */
typedef struct lp_colstats {
    int dim;
    int64_t count;        /* rows added (weight > 0) */
    double wsum, wsq;     /* total weight, total squared weight */
    double *mean, *m2n, *m2, *l1, *wnz, *max, *min;  /* dim each, over the non-zero entries */
    int64_t *nnz;
} lp_colstats;

/* dim >= 0; LP_ENOMEM when refused. */
LP_WUR lp_status lp_colstats_init(lp_colstats *s, int dim);
void lp_colstats_reset(lp_colstats *s);  /* frees */
/* Adds a dense row v[0..dim) with weight w (w <= 0: ignored, as Spark ignores zero weights). */
void lp_colstats_add_dense(lp_colstats *s, const double *v, double w);
/* Adds a sparse row: idx[0..nnz) ascending, each < dim, with their values. */
void lp_colstats_add_sparse(lp_colstats *s, const int32_t *idx, const double *val, int64_t nnz, double w);
/* a += b (same dim). */
void lp_colstats_merge(lp_colstats *a, const lp_colstats *b);

typedef enum lp_colstat {
    LP_CS_MEAN,
    LP_CS_SUM,
    LP_CS_VARIANCE,  /* unbiased (weighted: wsum - wsq/wsum as the denominator); 0 when undefined */
    LP_CS_STD,
    LP_CS_MIN,
    LP_CS_MAX,
    LP_CS_NORML1,
    LP_CS_NORML2,
    LP_CS_NNZ,
} lp_colstat;

/* One metric into out[0..dim); zeros when no row was added (Spark's metrics are then
 * undefined; the glue decides what to show). */
void lp_colstats_get(const lp_colstats *s, lp_colstat m, double *out);

/* The statistics of a dense matrix x (n x dim, row-major, weights w or NULL), in parallel over
 * chunks; s is initialised here (lp_colstats_reset it after). */
LP_WUR lp_status lp_colstats_matrix(const double *x, const double *w, int64_t n, int dim, lp_colstats *s,
                                    lp_diag *d);

#endif /* LP_KMEANS_H */
