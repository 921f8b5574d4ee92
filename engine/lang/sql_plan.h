/* sql_plan.h -- the SQL planner's state, shared by sql_from.c (FROM clauses: scopes, names,
 * joins) and sql_plan.c (SELECT, grouping, ordering, UNION, WITH). Private to those two files.
 */
#ifndef LP_SQL_PLAN_H
#define LP_SQL_PLAN_H

#include "lang/sql.h"

#define TRY(x) do { lp_status st_ = (x); if (st_ != LP_OK) return st_; } while (0)

/* A relation visible in a FROM scope. */
typedef struct rel {
    const char *alias;   /* the alias or view name; NULL for an unaliased subquery */
    int ncols;
    const char *const *names;
    int *idx;            /* each column's index in the scope's plan */
} rel;

typedef struct scope {
    lp_plan *p;          /* a reference, released by scope_reset */
    int ncols;           /* the columns names resolve against (left ++ right inside ON) */
    const char *const *names;
    int nrels;
    rel *rels;
} scope;

/* A WITH query's plan, visible to the rest of its query. */
typedef struct cte {
    const char *name;
    lp_plan *p;
    struct cte *next;    /* the next visible one */
    struct cte *owned;   /* every cte made, for the release at the end */
} cte;

/* Where a scalar subquery's value is: a column of the current SELECT's input. */
typedef struct scalar_col {
    const lp_expr *node;
    int col;
    const char *name;  /* "scalarsubquery()" as Spark names it; the second one in a SELECT gets _2 */
    struct scalar_col *next;
} scalar_col;

typedef struct planner {
    lp_arena *a;
    const lp_sql_catalog *cat;
    const lp_sql_qref *qrefs;
    const lp_sql_subq *subqs;
    cte *ctes, *owned;
    scalar_col *scalars;
    lp_diag *d;
} planner;

/* The conjuncts of a WHERE clause; a cross (or comma) join takes the equalities between its two
 * sides as its condition, as Spark's optimizer would, so `FROM a, b WHERE a.k = b.k` is a hash
 * join rather than every pair filtered. Taken ones become NULL. */
typedef struct conjs {
    int n;
    lp_expr **e;
} conjs;

lp_status lp_sqlplan_nomem(planner *pl);
void lp_sqlplan_scope_reset(scope *sc);
/* Index of name among names: exact first, then ASCII case-insensitive if unique; -1 none, -2
 * ambiguous. */
int lp_sqlplan_find_name(const char *const *names, int n, const char *name);
rel *lp_sqlplan_find_rel(scope *sc, const char *alias);
/* The qualified reference (`t.col`) or the IN (query) whose node e is, or NULL. */
const lp_sql_qref *lp_sqlplan_qref(planner *pl, const lp_expr *e);
const lp_sql_subq *lp_sqlplan_subq(planner *pl, const lp_expr *e);
/* Resolves the qualified references in *pe through the scope (replacing those nodes with
 * column-index nodes); unqualified names are left for the builders to bind. */
LP_WUR lp_status lp_sqlplan_resolve(planner *pl, scope *sc, lp_expr **pe);
/* from -> a plan and its scope (sc->p a new reference); cross joins take their condition from
 * the WHERE conjuncts cj (NULL: none). */
LP_WUR lp_status lp_sqlplan_from(planner *pl, const lp_sql_from *f, scope *sc, conjs *cj);
/* `x [NOT] IN (query)` as a WHERE conjunct, applied to sc's plan. */
LP_WUR lp_status lp_sqlplan_in_subquery(planner *pl, scope *sc, const lp_sql_subq *sq, bool neg);
int lp_sqlplan_count_and(const lp_expr *e);
void lp_sqlplan_split_and(lp_expr *e, conjs *c);
/* Plans the scalar subqueries e refers to, each crossed into sc's plan as one more column (not
 * in the scope's names, so `*` does not see it); their column indexes and names are appended to
 * cols and names. */
LP_WUR lp_status lp_sqlplan_scalars(planner *pl, scope *sc, lp_expr *e, int *cols, const char **names, int *n,
                                    int cap);
/* Replaces *p by *next, the node just built from it with status st (keeps *p on error). */
LP_WUR lp_status lp_sqlplan_step(lp_plan **p, lp_status st, lp_plan **next);
/* A whole query tree -> a plan (sql_plan.c). */
LP_WUR lp_status lp_sqlplan_tree(planner *pl, const lp_sql_tree *q, lp_plan **out);

#endif /* LP_SQL_PLAN_H */
