/* ops.h -- the relational operators: the contracts every operator keeps, and their entry points.
 *
 * Contracts (every operator here):
 *   - Inputs are borrowed (the caller keeps its references); the result is a new table in *out,
 *     owned by the caller. On any failure *out is NULL, nothing leaks, and `d` says why.
 *   - Parallel over partitions on the process pool (lp_pool_run); each task writes only its own
 *     slot, the caller merges in partition order, so results do not depend on the thread count.
 *   - Cancellation is checked between partitions (lp_cancelled()); a cancelled operator returns
 *     LP_ECANCELLED within ~100 ms and frees everything it made.
 *   - A refused allocation returns LP_ENOMEM through lp_diag_nomem(d, "<operator name>").
 *   - Keys and columns are given by index into the input's columns: expressions are computed
 *     into columns first (lp_project), as Spark's planner does, so these operators never
 *     evaluate expressions themselves.
 *   - Null semantics are SQL's: null keys group together, never join; aggregates skip nulls.
 */
#ifndef LP_OPS_H
#define LP_OPS_H

#include "loupe_int.h"

typedef struct lp_expr lp_expr; /* exec/expr.h */

/* ---- filter, project, limit, union, sample (exec/filter.c, exec/project.c) ---- */

/* Rows where `pred` (bound to in's schema, boolean) is true; null counts as false. */
LP_WUR lp_status lp_filter(lp_table *in, const lp_expr *pred, lp_table **out, lp_diag *d);
/* One output column per expression (bound to in's schema), named names[i]. A bare column
 * reference passes the input column through by reference, without copying. */
LP_WUR lp_status lp_project(lp_table *in, const lp_expr *const *exprs, const char *const *names, int n,
                            lp_table **out, lp_diag *d);
/* The first n rows, in partition order. */
LP_WUR lp_status lp_limit(lp_table *in, int64_t n, lp_table **out, lp_diag *d);
/* a's rows then b's, matched by position; types unify (lp_type_unify); names are a's. An
 * LP_ETYPE error when the column counts differ. */
LP_WUR lp_status lp_union(lp_table *a, lp_table *b, lp_table **out, lp_diag *d);
/* Each row independently with probability `fraction`, seeded: the same seed gives the same
 * rows whatever the thread count (the random stream is keyed on partition and row). */
LP_WUR lp_status lp_sample(lp_table *in, double fraction, uint64_t seed, lp_table **out, lp_diag *d);

/* ---- generators (exec/generate.c) ---- */

typedef enum lp_genkind {
    LP_GEN_EXPLODE,         /* one row per element of an array; null and empty arrays give none */
    LP_GEN_EXPLODE_OUTER,   /* ... and one row with a null element for them */
    LP_GEN_POSEXPLODE,      /* pos (0-based), then the element */
    LP_GEN_POSEXPLODE_OUTER,
    LP_GEN_WINDOW,          /* one row per event-time window holding the row's time (window()) */
} lp_genkind;

/* Every input column, repeated once per generated value, then the generated column(s): the
 * element (pos first for posexplode) or the `window` struct. `arg` is bound to in's schema:
 * the array for explode, the window() call for LP_GEN_WINDOW (rows with a null time give no
 * window, as Spark drops them). Output rows keep the input order, each row's values in order
 * (windows by ascending start). names/types: the output schema. */
LP_WUR lp_status lp_generate(lp_table *in, const lp_expr *arg, lp_genkind kind, const char *const *names,
                             const lp_type *types, int ncols, lp_table **out, lp_diag *d);

/* ---- aggregation (exec/agg.c) ---- */

typedef enum lp_aggfn {
    LP_AGG_COUNT_STAR,        /* count(*): rows, col ignored */
    LP_AGG_COUNT,             /* count(col): non-null values */
    LP_AGG_COUNT_DISTINCT,    /* count(DISTINCT col) */
    LP_AGG_SUM,               /* int64 -> int64, float64 -> float64; null when no values */
    LP_AGG_MEAN,              /* float64 */
    LP_AGG_MIN,
    LP_AGG_MAX,
    LP_AGG_STDDEV_SAMP,       /* float64; null with fewer than 2 values */
    LP_AGG_STDDEV_POP,
    LP_AGG_VAR_SAMP,
    LP_AGG_VAR_POP,
    LP_AGG_FIRST,             /* first value in partition order (ignore_nulls as Spark's) */
    LP_AGG_LAST,
    LP_AGG_MEDIAN,            /* exact, linear interpolation (Spark's median / percentile) */
    LP_AGG_PERCENTILE,        /* exact percentile p, linear interpolation (Spark's percentile) */
    LP_AGG_PERCENTILE_APPROX, /* Spark's percentile_approx: an actual value of the column, the
                               * smallest v with rank >= p * n (computed exactly here) */
    LP_AGG_COLLECT_LIST,      /* list of the non-null values in partition order */
} lp_aggfn;

typedef struct lp_aggspec {
    lp_aggfn fn;
    int col;            /* input column; -1 for count(*) */
    double p;           /* the percentile, for the percentile functions */
    bool ignore_nulls;  /* first/last */
    const char *name;   /* the output column's name */
} lp_aggspec;

/* Groups by keys[0..nkeys) (any types, null keys form their own group) and computes the
 * aggregates. Output: the key columns (input names), then one column per aggregate. With
 * nkeys == 0 the result is one row (count 0, others null, on an empty input).
 * Group order: unspecified but deterministic (the same for any thread count). */
LP_WUR lp_status lp_aggregate(lp_table *in, const int *keys, int nkeys, const lp_aggspec *aggs, int naggs,
                              lp_table **out, lp_diag *d);
/* The result type of an aggregate over a column of type t. */
lp_type lp_agg_result_type(lp_aggfn fn, lp_type t);
/* One row per distinct value of cols[0..ncols) (ncols == 0: all columns), keeping each key's
 * first row in partition order with all of in's columns: distinct() and dropDuplicates(subset). */
LP_WUR lp_status lp_distinct(lp_table *in, const int *cols, int ncols, lp_table **out, lp_diag *d);

/* ---- sort (exec/sort.c) ---- */

typedef struct lp_sortkey {
    int col;
    bool desc;
    bool nulls_first;  /* Spark's default: nulls first ascending, last descending */
} lp_sortkey;

/* A stable multi-key sort; limit >= 0 keeps only the first `limit` rows and takes the top-k
 * path (a bounded heap per partition, then a merge). The result is one partition per at most
 * LP_SORT_PART_ROWS rows. */
#define LP_SORT_PART_ROWS 65536
LP_WUR lp_status lp_sort(lp_table *in, const lp_sortkey *keys, int nkeys, int64_t limit, lp_table **out,
                         lp_diag *d);

/* ---- window functions (exec/window.c) ---- */

typedef enum lp_winfn {
    LP_WIN_AGG,           /* an aggregate (lp_wincall.agg) over the frame */
    LP_WIN_ROW_NUMBER,    /* 1, 2, 3, ... in order */
    LP_WIN_RANK,          /* 1 + rows before the row's peer group (gaps after ties) */
    LP_WIN_DENSE_RANK,    /* 1 + peer groups before the row's (no gaps) */
    LP_WIN_PERCENT_RANK,  /* (rank - 1) / (rows - 1), 0 for a one-row partition */
    LP_WIN_CUME_DIST,     /* rows up to the end of the row's peer group / rows */
    LP_WIN_NTILE,         /* bucket 1..n, the first (rows % n) buckets one row larger */
    LP_WIN_LAG,           /* the value `n` rows before (n < 0: after), else the default */
    LP_WIN_LEAD,          /* the value `n` rows after */
} lp_winfn;

/* A window frame, relative to the current row. ROWS counts rows; RANGE compares the one order
 * key's value (timestamps in seconds, dates in days, numbers as they are), and a bound of 0 is
 * the current row's peer group (rows with an equal order key). Bounds: LP_FRAME_UNBOUNDED_LO
 * (unbounded preceding), LP_FRAME_UNBOUNDED_HI (unbounded following), else an offset, negative
 * before the row. DEFAULT is resolved by lp_window_frame. */
enum { LP_FRAME_DEFAULT, LP_FRAME_ROWS, LP_FRAME_RANGE };
#define LP_FRAME_UNBOUNDED_LO INT64_MIN
#define LP_FRAME_UNBOUNDED_HI INT64_MAX
typedef struct lp_winframe {
    uint8_t kind;
    int64_t lo, hi;
} lp_winframe;

typedef struct lp_wincall {
    lp_winfn fn;
    lp_aggfn agg;       /* LP_WIN_AGG: count(*), count, sum, mean, min, max, stddev, var, first, last */
    bool ignore_nulls;  /* first/last */
    int col;            /* the argument column; -1 for count(*) and the ranking functions */
    int dflt;           /* lag/lead: the column holding the default value (cast to col's type), or -1 */
    int64_t n;          /* ntile: buckets (>= 1); lag/lead: the offset */
    lp_winframe frame;  /* aggregates: the frame (resolved, not DEFAULT) */
    const char *name;   /* the output column's name */
} lp_wincall;

/* Spark's frame for fn when `given` is DEFAULT: with an ORDER BY, RANGE BETWEEN UNBOUNDED
 * PRECEDING AND CURRENT ROW for aggregates; without, the whole partition; ranking functions
 * ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW; lag/lead the one row at the offset. */
lp_winframe lp_window_frame(lp_winfn fn, int64_t n, int norder, lp_winframe given);
/* The output type of call c over an argument of type t; LP_NULLTYPE when it does not apply. */
lp_type lp_window_result_type(const lp_wincall *c, lp_type t);
/* Window functions: sorts `in` by the partition keys (ascending, nulls first) then the order
 * keys (lp_sort, stable), and appends one column per call, computed over each run of equal
 * partition keys. Output: in's columns then the calls' columns, rows in that sorted order (so
 * the output is ordered by partition, then order keys, ties in input order), partitions of at
 * most LP_SORT_PART_ROWS rows. A RANGE frame with offsets needs exactly one order key of a
 * numeric, date or timestamp type (LP_ETYPE otherwise). Each partition is computed in O(rows)
 * (min/max by a monotonic deque), partitions in parallel; the result does not depend on the
 * thread count. */
LP_WUR lp_status lp_window(lp_table *in, const int *pkeys, int npkeys, const lp_sortkey *okeys, int nokeys,
                           const lp_wincall *calls, int ncalls, lp_table **out, lp_diag *d);

/* The window group limit (exec/wlimit.c): the rows of `in` that are among the first k of their
 * window partition (partition keys pkeys, equal as grouping compares them) in the order okeys,
 * ties in input order -- exactly the rows a filter `row_number() <= k` over that window keeps.
 * Output: those rows in input order. For 1 <= k <= lp_window_limit_applies' bound (LP_EVALUE
 * otherwise). The result does not depend on the thread count. */
bool lp_window_limit_applies(int64_t k);
LP_WUR lp_status lp_window_limit(lp_table *in, const int *pkeys, int npkeys, const lp_sortkey *okeys, int nokeys,
                                 int64_t k, lp_table **out, lp_diag *d);

/* ---- join (exec/join.c) ---- */

typedef enum lp_join_how {
    LP_JOIN_INNER,
    LP_JOIN_LEFT,
    LP_JOIN_RIGHT,
    LP_JOIN_FULL,
    LP_JOIN_SEMI,   /* left rows with a match, left columns only */
    LP_JOIN_ANTI,   /* left rows without a match, left columns only */
    LP_JOIN_CROSS,  /* every pair; nkeys must be 0 */
} lp_join_how;

/* Hash join on lkeys[i] == rkeys[i] (pairwise same type, or both numeric: compared as float64).
 * Output: left's columns then right's (names as they are; the caller renames or drops the
 * duplicated keys of a USING join), or left's only for semi and anti. Row order: for inner and
 * left joins, left rows in order, each followed by its matches in right's order; then (right,
 * full) the unmatched right rows in order. A null key never matches. */
LP_WUR lp_status lp_join(lp_table *left, lp_table *right, const int *lkeys, const int *rkeys, int nkeys,
                         lp_join_how how, lp_table **out, lp_diag *d);

/* ---- statistics for rendering (exec/stats.c) ---- */

typedef struct lp_hist_opts {
    int bins;          /* number of bins (default 10 when 0) */
    double width;      /* bin width; when > 0 it wins over bins */
    bool log;          /* logarithmic bins (values <= 0 are skipped and counted) */
    bool normalize;    /* each series sums to 1 */
    int group_col;     /* -1: one series; else one series per distinct value of this column */
    double lo, hi;     /* range; NAN = the data's min and max */
} lp_hist_opts;

void lp_hist_opts_init(lp_hist_opts *o);

typedef struct lp_histogram {
    int nbins;
    double *edges;       /* nbins + 1 edges, ascending */
    int nseries;
    char **series;       /* nseries names (the group values as text; "all" without groups) */
    double *counts;      /* nseries * nbins, series-major: counts[s * nbins + b] */
    int64_t nulls;       /* values that were null or NaN and not counted */
    int64_t skipped;     /* values <= 0 on log bins, not counted */
} lp_histogram;

/* The histogram of numeric (or date/timestamp, as days/micros) column `col`. All series share
 * the same bins. The last bin includes its upper edge. */
LP_WUR lp_status lp_histogram_compute(lp_table *in, int col, const lp_hist_opts *o, lp_histogram **out,
                                      lp_diag *d);
void lp_histogram_free(lp_histogram *h);

/* describe()/summary(): a table with a `summary` string column (count, mean, stddev, min, 25%,
 * 50%, 75%, max) and one string column per input column in cols (ncols == 0: every numeric
 * and string column), formatted as Spark's describe() formats them. */
LP_WUR lp_status lp_describe(lp_table *in, const int *cols, int ncols, lp_table **out, lp_diag *d);

#endif /* LP_OPS_H */
