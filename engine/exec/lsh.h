/* lsh.h -- locality-sensitive hashing over vector columns: MinHash (Jaccard distance) and
 * bucketed random projections (Euclidean distance), the similarity join and nearest neighbours.
 *
 * The hash family follows Spark MLlib's (MinHashLSH, BucketedRandomProjectionLSH): a table's
 * hash is a vector of `per` hash values (Spark: per == 1), two rows are candidates when their
 * hash vectors are equal in any table (OR-amplification; per > 1 adds AND within a table), and
 * candidates are kept when their exact distance is below the threshold.
 */
#ifndef LP_LSH_H
#define LP_LSH_H
#include "loupe_int.h"

#define LP_LSH_PRIME 2038074743  /* Spark's MinHashLSH.HASH_PRIME */

typedef enum lp_lsh_kind { LP_LSH_MINHASH, LP_LSH_BRP } lp_lsh_kind;

typedef struct lp_lsh {
    lp_lsh_kind kind;
    int ntables, per;       /* hash tables; hash values per table */
    const int64_t *a, *b;   /* MINHASH: ntables * per coefficients: ((1 + i) * a + b) mod prime */
    const double *proj;     /* BRP: ntables * per unit vectors of `dim` doubles */
    int32_t dim;
    double bucket_len;
} lp_lsh;

/* Java's java.util.Random, so that a seed picks Spark's hash functions. */
typedef struct lp_jrandom {
    int64_t seed;
    double next_gaussian;
    bool have_gaussian;
} lp_jrandom;
void lp_jrandom_init(lp_jrandom *r, int64_t seed);
int32_t lp_jrandom_int(lp_jrandom *r, int32_t bound);
double lp_jrandom_gaussian(lp_jrandom *r);

/* The ntables * per hash values of vector v into out. False (nothing written) when MinHash is
 * given a vector without a non-zero entry, which has no hash (Spark's requirement), or BRP a
 * vector of another dimension. */
bool lp_lsh_hash(const lp_lsh *h, const lp_value *v, double *out);
/* The exact distance: Jaccard distance of the non-zero index sets (MinHash), or Euclidean. */
double lp_lsh_distance(const lp_lsh *h, const lp_value *x, const lp_value *y);

/* The approximate similarity join of A's vector column acol with B's bcol: one output row per
 * pair (a, b) of candidate rows whose distance is < threshold (as Spark's filter), each pair once.
 * The output is A's columns named aprefix + name, then B's, then the distance named distname;
 * partitions follow A's rows in order, so the result does not depend on the thread count.
 * Parallel over chunks of A; cancellable; LP_ENOMEM under the memory cap. LP_EVALUE when a
 * vector has no hash (names the row). */
LP_WUR lp_status lp_lsh_join(const lp_lsh *h, const lp_table *A, int acol, const lp_table *B, int bcol,
                             double threshold, const char *aprefix, const char *bprefix, const char *distname,
                             lp_table **out, int64_t *candidates, lp_diag *d);

/* Nearest neighbours of key among t's rows whose hash equals key's in some table (Spark's
 * single probe): the k nearest, t's columns then the distance named distname, by distance
 * (ties by row order). */
LP_WUR lp_status lp_lsh_nearest(const lp_lsh *h, const lp_table *t, int col, const lp_value *key, int64_t k,
                                const char *distname, lp_table **out, lp_diag *d);

#endif /* LP_LSH_H */
