/* sql.h -- the SQL layer of the language: expressions as filter("..."), F.expr("...") and
 * selectExpr("...") take them, and whole queries as spark.sql("SELECT ...") runs them.
 *
 * Spark SQL is the reference, with its non-ANSI defaults. The pipeline is
 *   sql_lex.c    text -> tokens (spans, decoded literals), comments skipped;
 *   sql_parse.c  tokens -> expression trees (exec/expr.h);
 *   sql_select.c tokens -> a query tree (below), expressions through sql_parse.c;
 *   sql_from.c   FROM clauses -> plans and scopes: qualified names, joins, IN (query);
 *   sql_plan.c   the rest of a query tree -> a logical plan (plan/plan.h): grouping, ordering,
 *                DISTINCT, UNION, WITH.
 * Every span is a byte offset into the user's cell: the caller passes `base`, the offset of the
 * SQL text's first byte in the cell, and every token's span is shifted by it.
 *
 * Memory: tokens, trees and messages live in an arena (the caller's for lp_sql_expr, a private
 * one for lp_sql_query, reset before it returns). Plans are reference counted (plan.h).
 * Threads: the session's thread only.
 */
#ifndef LP_SQL_H
#define LP_SQL_H

#include "loupe_int.h"
#include "exec/expr.h"
#include "plan/plan.h"

/* A SQL expression as used by filter("..."), F.expr("..."), selectExpr("... AS y"). s[0,n) is the
 * string's text; every span is shifted by `base` so that it points into the user's cell (the
 * caller passes the byte offset of the string's first character in the cell). If alias != NULL,
 * a trailing `AS name` or `name` alias is allowed and returned (arena string, NULL if none);
 * otherwise an alias is a syntax error. */
LP_WUR lp_status lp_sql_expr(lp_arena *a, const char *s, size_t n, int64_t base, lp_expr **out,
                             const char **alias, lp_diag *d);

/* The temp views a query can read: lookup returns a borrowed plan or NULL; names lists all
 * views (for "did you mean"). */
typedef struct lp_sql_catalog {
    void *ctx;
    lp_plan *(*lookup)(void *ctx, const char *name);
    int nnames;
    const char *const *names;
} lp_sql_catalog;

/* spark.sql("SELECT ..."): a whole query planned into *out (a new reference). */
LP_WUR lp_status lp_sql_query(const char *s, size_t n, int64_t base, const lp_sql_catalog *cat,
                              lp_plan **out, lp_diag *d);

/* ---- private to engine/lang/sql_*.c ------------------------------------------------------ */

/* Tokens. Keywords are identifiers (LP_SQL_T_IDENT) compared case-insensitively by the parser;
 * a `backticked` name is LP_SQL_T_QIDENT and is never a keyword. */
typedef enum lp_sql_tokkind {
    LP_SQL_T_EOF,
    LP_SQL_T_IDENT,
    LP_SQL_T_QIDENT,
    LP_SQL_T_INT,
    LP_SQL_T_FLOAT,
    LP_SQL_T_STRING,
    LP_SQL_T_OP,  /* punctuation and operators: text is the operator (static) */
} lp_sql_tokkind;

typedef struct lp_sql_tok {
    lp_sql_tokkind kind;
    int64_t start, end;  /* offsets into the SQL text (not shifted) */
    const char *text;    /* IDENT, QIDENT (unquoted), STRING (escapes decoded): arena, NUL-ended */
    size_t len;          /* bytes of text */
    int64_t i;           /* INT */
    double f;            /* FLOAT */
} lp_sql_tok;

/* Splits s[0,n) into tokens, the last one LP_SQL_T_EOF, in the arena. LP_ESYNTAX with the span
 * of the offending text (shifted by base) for an unterminated string, backtick or comment, or a
 * character SQL has no use for. */
LP_WUR lp_status lp_sql_lex(lp_arena *a, const char *s, size_t n, int64_t base, lp_sql_tok **toks,
                            int *ntoks, lp_diag *d);

/* A qualified column reference `t.col` in a query, found by the parser: `node` is the column
 * node (named "t.col", so that a flattened JSON column of that name still resolves), resolved by
 * the planner through the FROM scope. */
typedef struct lp_sql_qref {
    const lp_expr *node;
    const char *qual, *col;
    int64_t qstart, qend;  /* the qualifier's span (shifted) */
    struct lp_sql_qref *next;
} lp_sql_qref;

typedef struct lp_sql_tree lp_sql_tree;

/* A subquery inside an expression of a query. `x [NOT] IN (query)`: `node` is a one-argument IN
 * call (x), which the planner turns into a semi join (anti join, null-aware, for NOT IN) when it
 * is a WHERE conjunct. A scalar `(query)`: `node` is a placeholder column "scalarsubquery()"
 * that the planner points at a column holding the query's one value. */
typedef struct lp_sql_subq {
    const lp_expr *node;
    lp_sql_tree *q;
    bool scalar;
    struct lp_sql_subq *next;
} lp_sql_subq;

/* One item of a select list: an expression with its alias, or a star (`*` or `t.*`). */
typedef struct lp_sql_item {
    lp_expr *e;          /* NULL for a star */
    const char *alias;   /* NULL when none */
    const char *star;    /* star: "" for `*`, the qualifier for `t.*`; NULL otherwise */
    int64_t start, end;  /* shifted */
} lp_sql_item;

typedef enum lp_sql_fromkind { LP_SQL_FROM_TABLE, LP_SQL_FROM_SUB, LP_SQL_FROM_JOIN } lp_sql_fromkind;

/* A FROM clause: a named view, a parenthesised subquery, or a join of two of them. */
typedef struct lp_sql_from {
    lp_sql_fromkind kind;
    const char *name;           /* TABLE: the view's name */
    const char *alias;          /* TABLE, SUB: the alias, or NULL */
    lp_sql_tree *sub;          /* SUB */
    struct lp_sql_from *left, *right;  /* JOIN */
    lp_join_how how;
    lp_expr *on;                /* JOIN ... ON cond, or NULL */
    int nusing;                 /* JOIN ... USING (a, b): the names and their spans */
    const char **using;
    int64_t *ustart, *uend;
    int64_t start, end;         /* shifted: the name (TABLE), the whole clause otherwise */
} lp_sql_from;

typedef struct lp_sql_order {
    lp_expr *e;
    bool desc;
    int nulls_first;  /* 1 first, 0 last, -1 Spark's default */
} lp_sql_order;

/* SELECT [DISTINCT] items [FROM from] [WHERE] [GROUP BY] [HAVING] */
typedef struct lp_sql_select {
    bool distinct;
    int nitems;
    lp_sql_item *items;
    lp_sql_from *from;   /* NULL: SELECT without FROM */
    lp_expr *where;
    int ngroup;
    lp_expr **group;
    lp_expr *having;
    int64_t start, end;  /* shifted: the SELECT keyword */
} lp_sql_select;

typedef struct lp_sql_cte {
    const char *name;
    lp_sql_tree *q;
} lp_sql_cte;

/* Set operations between the selects of a query. */
typedef enum lp_sql_setop { LP_SQL_UNION_ALL, LP_SQL_UNION, LP_SQL_INTERSECT, LP_SQL_EXCEPT } lp_sql_setop;

/* [WITH ctes] select ((UNION [ALL] | INTERSECT | EXCEPT) select)* [ORDER BY ...] [LIMIT n] */
struct lp_sql_tree {
    int ncte;
    lp_sql_cte *ctes;
    int nsel;
    lp_sql_select *sels;
    lp_sql_setop *setop; /* setop[i]: between sels[i] and sels[i + 1] */
    int norder;
    lp_sql_order *order;
    int64_t limit;       /* -1: none */
};

/* Parses a whole query into the arena; *qrefs lists its qualified column references, *subqs its
 * IN (query) predicates. */
LP_WUR lp_status lp_sql_parse_query(lp_arena *a, const char *s, size_t n, int64_t base, lp_sql_tree **out,
                                    lp_sql_qref **qrefs, lp_sql_subq **subqs, lp_diag *d);

#endif /* LP_SQL_H */
