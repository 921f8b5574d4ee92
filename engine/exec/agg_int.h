/* agg_int.h -- what agg.c (grouping, merging, output order) and agg_fn.c (the aggregate
 * functions' states) share. Private to engine/exec/agg*.c.
 *
 * A group's state for one aggregate is a slot in a few arrays indexed by group id
 * (lp_aggstate); all-zero memory is the empty state, so creating a group costs nothing beyond
 * the calloc of the arrays, never an allocation per row or per group.
 * Rows are referred to by lp_agg_ref: the partition and the row packed into 64 bits, plus one,
 * so that 0 means "no row".
 */
#ifndef LP_AGG_INT_H
#define LP_AGG_INT_H

#include "ops.h"

static inline uint64_t lp_agg_ref(int part, int64_t row) { return (((uint64_t)part << 40) | (uint64_t)row) + 1; }
static inline int lp_agg_ref_part(uint64_t ref) { return (int)((ref - 1) >> 40); }
static inline int64_t lp_agg_ref_row(uint64_t ref) { return (int64_t)((ref - 1) & ((1ULL << 40) - 1)); }

/* The aggregate specialised to its input type: one update/merge/finish loop each. */
typedef enum lp_aggop {
    LP_AGGOP_COUNT_STAR,
    LP_AGGOP_COUNT,
    LP_AGGOP_SUM_I,    /* int64, wrapping */
    LP_AGGOP_SUM_F,
    LP_AGGOP_MEAN_I,   /* int64 accumulated as double */
    LP_AGGOP_MEAN_F,
    LP_AGGOP_MIN_I,    /* bool, int64, date, timestamp: value held as int64 */
    LP_AGGOP_MAX_I,
    LP_AGGOP_MIN_F,
    LP_AGGOP_MAX_F,
    LP_AGGOP_MIN_REF,  /* string, list: the row holding the current extreme */
    LP_AGGOP_MAX_REF,
    LP_AGGOP_VAR_I,    /* Welford: n, mean, m2 (all four variance/stddev functions) */
    LP_AGGOP_VAR_F,
    LP_AGGOP_FIRST,    /* the row holding the value */
    LP_AGGOP_LAST,
    LP_AGGOP_HOLD,     /* holistic (count distinct, median, percentiles, collect_list): the
                        * partial state is the count of non-null values; the values themselves
                        * are scattered per group after the merge */
} lp_aggop;

/* How a holistic aggregate keeps its values. */
typedef enum lp_aggvk { LP_AGGVK_I, LP_AGGVK_F, LP_AGGVK_REF } lp_aggvk;

typedef union lp_aggval {
    int64_t i;
    double f;
    uint64_t ref;
} lp_aggval;

typedef struct lp_aggplan {
    lp_aggfn fn;
    lp_aggop op;
    lp_aggvk vk;
    int col;          /* -1 for count(*) */
    lp_type in, out;
    double p;         /* percentile (0.5 for the median) */
    bool ignore_nulls;
} lp_aggplan;

/* One aggregate's states for a set of groups. n: counts; a: sums, means, extremes or row
 * references (int64_t, double or uint64_t by op); m2: Welford's sum of squared deviations. */
typedef struct lp_aggstate {
    int64_t *n;
    void *a;
    double *m2;
} lp_aggstate;

/* Checks spec against in's schema and fills *out; LP_ETYPE naming the function and the type
 * when the aggregate does not take the column, LP_EVALUE for a bad column index or p. */
LP_WUR lp_status lp_agg_plan(const lp_table *in, const lp_aggspec *spec, lp_aggplan *out, lp_diag *d);
/* Default output name in Spark's style ("sum(x)", "count(1)") into buf. */
void lp_agg_default_name(const lp_table *in, const lp_aggplan *pl, char *buf, size_t n);

/* Allocates empty states for ng groups; false when refused (st then holds what was allocated,
 * for lp_agg_state_free). */
LP_WUR bool lp_agg_state_alloc(const lp_aggplan *pl, int64_t ng, lp_aggstate *st);
/* Grows states for oldn groups to newn (oldn == 0: allocates); false when refused, with st
 * still valid for lp_agg_state_free. */
LP_WUR bool lp_agg_state_grow(const lp_aggplan *pl, lp_aggstate *st, int64_t oldn, int64_t newn);
void lp_agg_state_free(lp_aggstate *st);

/* A view of rows [r0, r0+n) of c as a column of its own (r0 a multiple of 8), sharing buffers:
 * no reference is taken, the view lives as long as c. */
void lp_agg_view(const lp_column *c, int64_t r0, int64_t n, lp_column *out);

/* Folds rows [0, n) of c (a view starting at row r0 of partition `part`) into st, row r going
 * to group gid[r]. c is NULL for count(*). */
void lp_agg_update(const lp_aggplan *pl, lp_aggstate *st, const lp_column *c, int64_t n, const uint32_t *gid,
                   int part, int64_t r0);
/* Merges src's groups groups[0..ng) into dst's groups lmap[g]; callers merge partial states in
 * input order, so first/last and float sums do not depend on scheduling. */
void lp_agg_merge(const lp_aggplan *pl, const lp_table *in, lp_aggstate *dst, const lp_aggstate *src,
                  const uint32_t *groups, int64_t ng, const int64_t *lmap);
/* Appends the results of groups (bucket ob[k], index om[k]), k in [0, n), to out; bst[b] is the
 * aggregate's state in bucket b. Not for LP_AGGOP_HOLD. Refusals go to out->nomem. */
void lp_agg_finish(const lp_aggplan *pl, const lp_table *in, lp_aggstate *const *bst, const int32_t *ob,
                   const int64_t *om, int64_t n, lp_colbuf *out);

/* Holistic aggregates: writes the non-null values of rows [0, n) of c (a view at r0 of `part`)
 * to vals[cursor[k]++], k = lmap[gid[r]] the row's output group. */
void lp_agg_hold_scatter(const lp_aggplan *pl, const lp_column *c, int64_t n, const uint32_t *gid,
                         const int64_t *lmap, int64_t *cursor, lp_aggval *vals, int part, int64_t r0);
/* Appends the results of output groups [k0, k1), whose values are vals[off[k]..off[k+1]);
 * sorts those segments in place. */
void lp_agg_hold_finish(const lp_aggplan *pl, const lp_table *in, const int64_t *off, lp_aggval *vals,
                        int64_t k0, int64_t k1, lp_colbuf *out);

/* Appends column col's value at each row refs[0..n) (0 = a null) to b. */
void lp_agg_gather(lp_colbuf *b, const lp_table *in, int col, const uint64_t *refs, int64_t n);

#endif /* LP_AGG_INT_H */
