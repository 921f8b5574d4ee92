/* plan.h -- logical plans: a DataFrame is a tree of operators, bound when it is built and run
 * when an action needs its rows.
 *
 * Both front ends of the language build plans here: the PySpark-style methods (lang/df.c) and
 * SQL (lang/sql.c). Building is eager about everything that can be checked without data: every
 * expression is bound to its input's schema when its node is made, so a misspelt column or a
 * type error is reported by the statement that wrote it, with its span, and never later by an
 * action. Running (lp_plan_execute) is lazy, as Spark's is: nothing reads rows until an action.
 *
 * Nodes are reference counted and immutable once built (except the cache slot), so variables
 * share subtrees freely: `b = a.filter(...)` keeps a reference to a's tree. Each node owns an
 * arena holding its expressions (cloned in from the caller's, then bound).
 *
 * Expressions passed to the builders are unbound lp_expr trees (exec/expr.h) that the builder
 * clones; the caller keeps its own. Column references may be by name (bound to the input's
 * schema) or by index (lp_expr_col_index, for callers that resolved qualified names
 * themselves, such as SQL's `r.reviewerID` or a join condition over left ++ right).
 *
 * Threads: plans are built and run by the session's thread; execution fans out on the pool.
 */
#ifndef LP_PLAN_H
#define LP_PLAN_H
#include "loupe_int.h"
#include "exec/expr.h"
#include "exec/ops.h"

typedef enum lp_plan_kind {
    LP_PLAN_TABLE,     /* a materialised table: a read, a literal frame */
    LP_PLAN_FILTER,
    LP_PLAN_PROJECT,
    LP_PLAN_AGG,       /* group by key columns, aggregates over input columns */
    LP_PLAN_SORT,
    LP_PLAN_LIMIT,
    LP_PLAN_DISTINCT,
    LP_PLAN_JOIN,
    LP_PLAN_UNION,
    LP_PLAN_SAMPLE,
    LP_PLAN_WINDOW,    /* window functions: input columns, then one column per call */
    LP_PLAN_GENERATE,  /* explode / event-time windows: input columns, then the generated ones */
} lp_plan_kind;

typedef struct lp_plan lp_plan;
struct lp_plan {
    int refs;
    lp_plan_kind kind;
    /* the output schema */
    int ncols;
    char **names;
    lp_type *types;
    lp_plan *in[2];      /* inputs (in[1] for join and union) */
    lp_arena arena;      /* this node's expressions and arrays */
    lp_table *cached;    /* TABLE: the table; others: the result once run, when `cache` is set */
    bool cache;          /* df.cache(): keep the result after the first run */
    const char *label;   /* TABLE: what it is, for explain ("json reviews.json") */
    /* FILTER */
    lp_expr *pred;
    /* PROJECT: one bound expression per output column */
    lp_expr **exprs;
    /* AGG: keys are input column indexes; the output is keys then aggregates */
    int *keys;
    int nkeys;
    lp_aggspec *aggs;
    int naggs;
    /* SORT (limit -1 = all rows) and LIMIT */
    lp_sortkey *sort;
    int nsort;
    int64_t limit;
    /* DISTINCT: column indexes (0 = all columns) */
    int *cols;
    int ndistinct;
    /* JOIN: keys into in[0] and in[1]; a residual predicate over left ++ right (inner only) */
    lp_join_how how;
    int *lkeys, *rkeys;
    int njoinkeys;
    /* SAMPLE */
    double fraction;
    uint64_t seed;
    /* WINDOW: partition keys in keys/nkeys, order keys in sort/nsort, the calls */
    lp_wincall *wins;
    int nwins;
    /* GENERATE: the generator's argument (bound to in[0]; the window() call for windows) */
    lp_expr *gen;
    lp_genkind genkind;
};

lp_plan *lp_plan_ref(lp_plan *p);
void lp_plan_unref(lp_plan *p);  /* NULL is a no-op */

/* ---- builders: each returns a new node in *out (a new reference), inputs borrowed ---------- */

/* A materialised table (a new reference is taken). label may be NULL. */
LP_WUR lp_status lp_plan_table(lp_table *t, const char *label, lp_plan **out, lp_diag *d);

/* Rows where pred is true. LP_ETYPE when pred is not boolean ("filter condition must be a
 * boolean, got bigint ..."); an aggregate in pred is an error that says to use groupBy/agg. */
LP_WUR lp_status lp_plan_filter(lp_plan *in, const lp_expr *pred, lp_plan **out, lp_diag *d);

/* One column per expression. names[i] NULL (or names NULL) = Spark's name for the expression
 * (lp_expr_print). A generator at the root of one expression (explode, explode_outer,
 * posexplode(_outer) of an array, or window(ts, ...)) is planned as a GENERATE node below the
 * projection, which then reads its column(s); at most one generator per projection, as Spark. An expression that contains an aggregate makes the whole projection an
 * aggregation over all rows, as Spark's select(F.count("*")) is. Window functions (lp_expr_over)
 * anywhere in the expressions are planned as project (input columns, window keys and arguments)
 * -> one WINDOW node per distinct PARTITION BY / ORDER BY -> project (the expressions, each
 * window call a column); the rows then come out ordered by the last window's keys. */
LP_WUR lp_status lp_plan_project(lp_plan *in, lp_expr *const *exprs, const char *const *names, int n,
                                 lp_plan **out, lp_diag *d);

/* GROUP BY keys, then the outputs: keys first (named keynames[i] or Spark's name), then one
 * column per agg expression. Agg expressions may nest aggregates inside scalar expressions
 * (`datediff(max(date), min(date))`, `count(1) / 2`); any column outside an aggregate must be a
 * grouping key, else LP_ETYPE naming it ("column 'x' is neither grouped nor aggregated").
 * Planned as project (keys and aggregate arguments) -> aggregate -> project (the outer scalar
 * parts), the steps collapsed where they are identities. */
LP_WUR lp_status lp_plan_aggregate(lp_plan *in, lp_expr *const *keys, const char *const *keynames, int nkeys,
                                   lp_expr *const *aggs, const char *const *aggnames, int naggs, lp_plan **out,
                                   lp_diag *d);

/* Sort by expressions (computed into hidden columns when they are not bare columns).
 * nulls_first[i]: 1 first, 0 last, -1 Spark's default (first ascending, last descending). */
LP_WUR lp_status lp_plan_sort(lp_plan *in, lp_expr *const *keys, const bool *desc, const int *nulls_first,
                              int n, lp_plan **out, lp_diag *d);

LP_WUR lp_status lp_plan_limit(lp_plan *in, int64_t n, lp_plan **out, lp_diag *d);

/* distinct() (ncols == 0) or dropDuplicates(names). */
LP_WUR lp_status lp_plan_distinct(lp_plan *in, const char *const *names, int n, const int64_t *starts,
                                  const int64_t *ends, lp_plan **out, lp_diag *d);

/* Equi-join on pairs of column names (USING: the key appears once, from the left for
 * inner/left/semi/anti, coalesced for full and right) when `using` is set; otherwise on the
 * condition `cond` over left ++ right (column references by index or by an unambiguous name):
 * its conjuncts `l = r` become hash keys, the rest a filter (inner joins only; an outer join
 * with a condition that is not all equalities is LP_EUNSUPPORTED). cond NULL and no names =
 * cross join. */
LP_WUR lp_status lp_plan_join_using(lp_plan *left, lp_plan *right, const char *const *names, int n,
                                    lp_join_how how, lp_plan **out, lp_diag *d);
LP_WUR lp_status lp_plan_join_on(lp_plan *left, lp_plan *right, const lp_expr *cond, lp_join_how how,
                                 lp_plan **out, lp_diag *d);

/* union (by position) or unionByName. */
LP_WUR lp_status lp_plan_union(lp_plan *a, lp_plan *b, bool by_name, lp_plan **out, lp_diag *d);

LP_WUR lp_status lp_plan_sample(lp_plan *in, double fraction, uint64_t seed, lp_plan **out, lp_diag *d);

/* Renames (withColumnRenamed, alias of a whole frame's columns): a projection of bare columns. */
LP_WUR lp_status lp_plan_rename(lp_plan *in, const char *const *names, lp_plan **out, lp_diag *d);

/* ---- running -------------------------------------------------------------------------------- */

/* Runs the plan: *out is a new reference to the result. A cached node returns its table. */
LP_WUR lp_status lp_plan_execute(lp_plan *p, lp_table **out, lp_diag *d);

/* The first n rows only, for displays and take(): the limit is pushed through projections and
 * into sorts (top-k), and a filter over a table stops once it has n rows. */
LP_WUR lp_status lp_plan_execute_head(lp_plan *p, int64_t n, lp_table **out, lp_diag *d);

/* The row count when it is known without running anything (a table, a cached node, and
 * row-preserving projections of those); -1 otherwise. */
int64_t lp_plan_known_rows(const lp_plan *p);

/* Index of a column by name: exact first, then ASCII case-insensitive (unique); -1 none,
 * -2 ambiguous. */
int lp_plan_col_index(const lp_plan *p, const char *name);

/* Appends Spark-style `explain()` text: one operator per line, children indented. */
void lp_plan_explain(const lp_plan *p, lp_strbuf *out);

#endif /* LP_PLAN_H */
