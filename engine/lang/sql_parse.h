/* sql_parse.h -- the SQL parser's state and helpers, shared by sql_parse.c (expressions) and
 * sql_select.c (queries). Private to those two files.
 */
#ifndef LP_SQL_PARSE_H
#define LP_SQL_PARSE_H

#include "lang/sql.h"

#include <string.h>
#include <strings.h>

typedef struct parser {
    lp_arena *a;
    const char *s;
    size_t n;
    int64_t base;
    lp_diag *d;
    lp_sql_tok *t;
    int nt, pos;
    bool query;          /* dotted names are qualified references */
    lp_sql_qref *qrefs;
    lp_sql_subq *subqs;
    int depth;
    int implicit_alias;  /* index of the last name read as an alias without AS, or -1 */
} parser;

#define TRY(x) do { lp_status st_ = (x); if (st_ != LP_OK) return st_; } while (0)

static inline lp_sql_tok *cur(parser *p) { return &p->t[p->pos]; }
static inline lp_sql_tok *peek(parser *p, int k) { return &p->t[LP_MIN(p->pos + k, p->nt - 1)]; }
/* An offset into the SQL text as an offset into the cell. */
static inline int64_t S(parser *p, int64_t off) { return p->base + off; }
static inline bool is_kw(const lp_sql_tok *t, const char *kw) {
    return t->kind == LP_SQL_T_IDENT && strcasecmp(t->text, kw) == 0;
}
static inline bool is_op(const lp_sql_tok *t, const char *op) {
    return t->kind == LP_SQL_T_OP && strcmp(t->text, op) == 0;
}

/* Lexes s[0,n) into p. */
LP_WUR lp_status lp_sqlp_init(parser *p, lp_arena *a, const char *s, size_t n, int64_t base, lp_diag *d);
/* expr -> and (OR and)*: the whole expression grammar (sql_parse.c). */
LP_WUR lp_status lp_sqlp_expr(parser *p, lp_expr **out);
/* alias -> [AS] name; *alias NULL when there is none. */
LP_WUR lp_status lp_sqlp_alias(parser *p, const char **alias);
/* query -> [WITH ...] select (UNION select)* [ORDER BY ...] [LIMIT n] (sql_select.c). */
LP_WUR lp_status lp_sqlp_subquery(parser *p, lp_sql_tree **out);
/* A name: an identifier that is not a reserved word, or a `quoted name`. */
bool lp_sqlp_is_name(const lp_sql_tok *t);
/* "syntax error at 'FROM': expected ...", spanning t (LP_ESYNTAX). */
lp_status lp_sqlp_error(parser *p, const lp_sql_tok *t, const char *expected);
lp_status lp_sqlp_unsupported(parser *p, int64_t start, int64_t end, const char *msg);
lp_status lp_sqlp_nomem(parser *p);
/* Enters one more level of recursion at t (p->depth--, on the way out); LP_ELIMIT past the limit,
 * so that no input can exhaust the stack. */
LP_WUR lp_status lp_sqlp_deeper(parser *p, const lp_sql_tok *t);
/* Consumes `close` (")" or "]") or says which bracket, opened where, it was expecting to close. */
LP_WUR lp_status lp_sqlp_expect_close(parser *p, const lp_sql_tok *open, const char *close);
LP_WUR lp_status lp_sqlp_expect_kw(parser *p, const char *kw, const char *expected);

#endif /* LP_SQL_PARSE_H */
