/* sql_parse.c -- SQL tokens to expression trees (see sql.h for the pipeline; sql_select.c
 * parses whole queries with the helpers here).
 *
 * A recursive-descent parser over the token array of sql_lex.c, with Spark SQL's precedence:
 *   OR < AND < NOT < comparison and predicates (= == != <> < <= > >= <=>, IS [NOT] NULL,
 *   [NOT] IN, [NOT] BETWEEN, [NOT] LIKE/ILIKE/RLIKE/REGEXP) < || < + - < * / % < unary - + <
 *   postfix [index] < primary.
 * Expressions are built directly with the constructors of exec/expr.h, every node spanning its
 * text (shifted into the cell by `base`). In a query, `t.col` becomes a column node named
 * "t.col" plus an lp_sql_qref for the planner; in a lone expression it is the column "t.col"
 * (the JSON reader's name for a nested field).
 *
 * Errors name the offending token and what was expected ("syntax error at 'FROM': expected an
 * expression"), with its span; everything lives in the caller's arena.
 */
#include "lang/sql_parse.h"

#include <stdio.h>

#define MAX_DEPTH 500  /* nested parentheses, prefix operators and subqueries: one recursion each */

static const char *const reserved[] = {
    "all", "and", "anti", "as", "asc", "between", "by", "case", "cross", "desc", "distinct", "div",
    "else", "end", "except", "from", "full", "group", "having", "ilike", "in", "inner", "intersect",
    "is", "join", "lateral", "left", "like", "limit", "minus", "natural", "not", "on", "or", "order",
    "outer", "over", "regexp", "right", "rlike", "select", "semi", "then", "union", "using", "when",
    "where", "window", "with",
};

static bool is_reserved(const lp_sql_tok *t) {
    if (t->kind != LP_SQL_T_IDENT) return false;
    for (size_t i = 0; i < LP_ARRAY_LEN(reserved); i++)
        if (strcasecmp(t->text, reserved[i]) == 0) return true;
    return false;
}

lp_status lp_sqlp_deeper(parser *p, const lp_sql_tok *t) {
    if (++p->depth <= MAX_DEPTH) return LP_OK;
    lp_diag_set(p->d, LP_ELIMIT, "nested too deeply (more than %d levels)", MAX_DEPTH);
    lp_diag_hint(p->d, "split the query with WITH name AS (...) or into several statements");
    lp_diag_span(p->d, S(p, t->start), S(p, t->end));
    return LP_ELIMIT;
}

lp_status lp_sqlp_nomem(parser *p) { return lp_diag_nomem(p->d, "SQL parser"); }

/* "syntax error at 'FROM': expected an expression", spanning the token. */
lp_status lp_sqlp_error(parser *p, const lp_sql_tok *t, const char *expected) {
    if (t->kind == LP_SQL_T_EOF)
        lp_diag_set(p->d, LP_ESYNTAX, "syntax error at end of input: %s", expected);
    else
        lp_diag_set(p->d, LP_ESYNTAX, "syntax error at '%.*s': %s", (int)LP_MIN(t->end - t->start, 40),
                    p->s + t->start, expected);
    lp_diag_span(p->d, S(p, t->start), S(p, t->end));
    /* `SELECT id FORM reviews`: FORM was taken for an alias; say what it was likely meant as */
    static const char *const clauses[] = {"FROM", "WHERE", "GROUP", "ORDER", "HAVING",
                                          "LIMIT", "JOIN", "UNION", "SELECT"};
    if (p->implicit_alias >= 0 && p->implicit_alias == (int)(t - p->t) - 1) {
        const lp_sql_tok *al = &p->t[p->implicit_alias];
        const char *best = NULL;
        int bestd = al->len >= 4 ? 2 : 1; /* FORM -> FROM is two edits */
        for (size_t i = 0; al->kind == LP_SQL_T_IDENT && i < LP_ARRAY_LEN(clauses); i++) {
            int dist = lp_expr_distance(al->text, al->len, clauses[i], strlen(clauses[i]), 2);
            if (dist <= bestd && dist > 0) best = clauses[i], bestd = dist - 1;
        }
        if (best)
            lp_diag_hint(p->d, "did you mean %s? '%s' was read as an alias", best, al->text);
        else
            lp_diag_hint(p->d, "missing a comma? '%s' was read as an alias of what comes before it", al->text);
    }
    return LP_ESYNTAX;
}

lp_status lp_sqlp_unsupported(parser *p, int64_t start, int64_t end, const char *msg) {
    lp_diag_set(p->d, LP_EUNSUPPORTED, "%s", msg);
    lp_diag_span(p->d, S(p, start), S(p, end));
    return LP_EUNSUPPORTED;
}

/* The 1-based column of offset `off` within its line of the SQL text, in code points. */
static int64_t column_of(parser *p, int64_t off) {
    int64_t line = off;
    while (line > 0 && p->s[line - 1] != '\n') line--;
    return lp_utf8_length(p->s + line, (size_t)(off - line)) + 1;
}

/* Consumes the ')' that closes `open`, or says which '(' it was expecting to close. */
lp_status lp_sqlp_expect_close(parser *p, const lp_sql_tok *open, const char *close) {
    if (is_op(cur(p), close)) {
        p->pos++;
        return LP_OK;
    }
    char msg[96];
    snprintf(msg, sizeof msg, "expected '%s' to close '%c' opened at column %lld", close, *close == ')' ? '(' : '[',
             (long long)column_of(p, open->start));
    return lp_sqlp_error(p, cur(p), msg);
}

lp_status lp_sqlp_expect_kw(parser *p, const char *kw, const char *expected) {
    if (!is_kw(cur(p), kw)) return lp_sqlp_error(p, cur(p), expected);
    p->pos++;
    return LP_OK;
}

/* A name: an identifier that is not a reserved word, or a `quoted name`. */
bool lp_sqlp_is_name(const lp_sql_tok *t) {
    return t->kind == LP_SQL_T_QIDENT || (t->kind == LP_SQL_T_IDENT && !is_reserved(t));
}

static lp_expr *call2(parser *p, lp_fn fn, lp_expr *l, lp_expr *r) {
    lp_expr *args[2] = {l, r};
    return lp_expr_call(p->a, fn, args, 2, l->start, r->end);
}

static lp_expr *call1(parser *p, lp_fn fn, lp_expr *x, int64_t start, int64_t end) {
    return lp_expr_call(p->a, fn, &x, 1, start, end);
}

/* A growable array of expression pointers in the arena. */
typedef struct exprvec {
    lp_expr **v;
    int n, cap;
} exprvec;

static bool vec_push(parser *p, exprvec *v, lp_expr *e) {
    if (v->n == v->cap) {
        int cap = v->cap ? 2 * v->cap : 8;
        lp_expr **nv = lp_arena_alloc(p->a, (size_t)cap * sizeof *nv);
        if (!nv) return false;
        if (v->n) memcpy(nv, v->v, (size_t)v->n * sizeof *nv);
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = e;
    return true;
}

/* A literal from a typed string: DATE 'yyyy-mm-dd', TIMESTAMP 'yyyy-mm-dd hh:mm:ss'. */
static lp_status typed_literal(parser *p, lp_sql_tok *kw, lp_expr **out) {
    lp_sql_tok *str = peek(p, 1);
    bool date = is_kw(kw, "date");
    lp_value v = lp_value_null();
    v.null = false;
    if (date) {
        v.type = lp_type_of(LP_DATE);
        if (!lp_parse_date(str->text, str->len, &v.u.d)) {
            lp_diag_set(p->d, LP_ESYNTAX, "invalid DATE literal '%s'", str->text);
            lp_diag_hint(p->d, "write dates as DATE 'yyyy-mm-dd', e.g. DATE '2013-06-02'");
            lp_diag_span(p->d, S(p, str->start), S(p, str->end));
            return LP_ESYNTAX;
        }
    } else {
        v.type = lp_type_of(LP_TIMESTAMP);
        if (!lp_parse_timestamp(str->text, str->len, &v.u.i)) {
            int32_t days;
            if (!lp_parse_date(str->text, str->len, &days)) {
                lp_diag_set(p->d, LP_ESYNTAX, "invalid TIMESTAMP literal '%s'", str->text);
                lp_diag_hint(p->d, "write timestamps as TIMESTAMP 'yyyy-mm-dd hh:mm:ss'");
                lp_diag_span(p->d, S(p, str->start), S(p, str->end));
                return LP_ESYNTAX;
            }
            v.u.i = (int64_t)days * 86400000000LL;
        }
    }
    p->pos += 2;
    *out = lp_expr_lit(p->a, &v, S(p, kw->start), S(p, str->end));
    return *out ? LP_OK : lp_sqlp_nomem(p);
}

/* case -> CASE [x] (WHEN c THEN v)+ [ELSE e] END; `CASE x WHEN a` compares (x = a). */
static lp_status parse_case(parser *p, lp_expr **out) {
    lp_sql_tok *kw = cur(p);
    p->pos++;
    lp_expr *subject = NULL;
    if (!is_kw(cur(p), "when")) TRY(lp_sqlp_expr(p, &subject));
    exprvec args = {0};
    if (!is_kw(cur(p), "when")) return lp_sqlp_error(p, cur(p), "expected WHEN");
    while (is_kw(cur(p), "when")) {
        p->pos++;
        lp_expr *c, *v;
        TRY(lp_sqlp_expr(p, &c));
        if (subject) {
            lp_expr *x = lp_expr_clone(p->a, subject);
            if (!x || !(c = call2(p, LP_FN_EQ, x, c))) return lp_sqlp_nomem(p);
        }
        TRY(lp_sqlp_expect_kw(p, "then", "expected THEN after the WHEN condition"));
        TRY(lp_sqlp_expr(p, &v));
        if (!vec_push(p, &args, c) || !vec_push(p, &args, v)) return lp_sqlp_nomem(p);
    }
    if (is_kw(cur(p), "else")) {
        p->pos++;
        lp_expr *e;
        TRY(lp_sqlp_expr(p, &e));
        if (!vec_push(p, &args, e)) return lp_sqlp_nomem(p);
    }
    if (!is_kw(cur(p), "end")) {
        char msg[96];
        snprintf(msg, sizeof msg, "expected END to close the CASE at column %lld", (long long)column_of(p, kw->start));
        return lp_sqlp_error(p, cur(p), msg);
    }
    int64_t end = cur(p)->end;
    p->pos++;
    *out = lp_expr_call(p->a, LP_FN_CASE, args.v, args.n, S(p, kw->start), S(p, end));
    return *out ? LP_OK : lp_sqlp_nomem(p);
}

/* cast -> CAST '(' expr AS type ')'; the type may be array<...>. */
static lp_status parse_cast(parser *p, lp_expr **out) {
    lp_sql_tok *kw = cur(p);
    lp_sql_tok *open = peek(p, 1);
    p->pos += 2;
    lp_expr *x;
    TRY(lp_sqlp_expr(p, &x));
    TRY(lp_sqlp_expect_kw(p, "as", "expected AS and a type, as in CAST(x AS INT)"));
    lp_sql_tok *t0 = cur(p);
    if (t0->kind != LP_SQL_T_IDENT) return lp_sqlp_error(p, t0, "expected a type name, as in CAST(x AS INT)");
    int64_t tend = t0->end;
    p->pos++;
    if (is_op(cur(p), "(")) { /* decimal(10, 2), varchar(20): parameters the type ignores */
        lp_sql_tok *open = cur(p);
        while (!is_op(cur(p), ")") && cur(p)->kind != LP_SQL_T_EOF) p->pos++;
        tend = cur(p)->end;
        TRY(lp_sqlp_expect_close(p, open, ")"));
    } else if (is_op(cur(p), "<")) { /* array<...>: up to the matching '>' */
        int depth = 0;
        do {
            if (is_op(cur(p), "<")) depth++;
            else if (is_op(cur(p), ">")) depth--;
            else if (cur(p)->kind == LP_SQL_T_EOF) break;
            tend = cur(p)->end;
            p->pos++;
        } while (depth > 0);
    }
    lp_type to;
    size_t tn = (size_t)(tend - t0->start);
    if (!lp_type_parse(p->s + t0->start, tn, &to)) {
        lp_diag_set(p->d, LP_ETYPE, "unknown type '%.*s'", (int)LP_MIN(tn, 60), p->s + t0->start);
        lp_diag_hint(p->d, "types are int, bigint, double, string, boolean, date, timestamp, array<...>");
        lp_diag_span(p->d, S(p, t0->start), S(p, tend));
        return LP_ETYPE;
    }
    int64_t end = cur(p)->end;
    TRY(lp_sqlp_expect_close(p, open, ")"));
    *out = lp_expr_cast_as(p->a, x, to, p->s + t0->start, tn, S(p, kw->start), S(p, end));
    return *out ? LP_OK : lp_sqlp_nomem(p);
}

/* bound -> UNBOUNDED (PRECEDING | FOLLOWING) | CURRENT ROW | [-]n (PRECEDING | FOLLOWING) */
static lp_status parse_bound(parser *p, int64_t *v) {
    lp_sql_tok *t = cur(p);
    if (is_kw(t, "current")) {
        p->pos++;
        TRY(lp_sqlp_expect_kw(p, "row", "expected ROW after CURRENT"));
        *v = 0;
        return LP_OK;
    }
    bool unb = is_kw(t, "unbounded"), neg = false;
    int64_t n = 0;
    if (is_kw(t, "interval")) {
        /* INTERVAL 24 HOURS / INTERVAL '1 day': a RANGE offset over a timestamp, in seconds */
        lp_sql_tok *first = peek(p, 1);
        lp_strbuf b;
        lp_strbuf_init(&b);
        p->pos++;
        if (cur(p)->kind == LP_SQL_T_STRING) {
            lp_strbuf_append(&b, cur(p)->text, cur(p)->len);
            p->pos++;
        } else {
            while (cur(p)->kind == LP_SQL_T_INT && peek(p, 1)->kind == LP_SQL_T_IDENT &&
                   !is_kw(peek(p, 1), "preceding") && !is_kw(peek(p, 1), "following")) {
                lp_strbuf_printf(&b, "%s%lld %.*s", b.len ? " " : "", (long long)cur(p)->i, (int)peek(p, 1)->len,
                                 peek(p, 1)->text);
                p->pos += 2;
            }
        }
        int64_t us = 0;
        lp_sql_tok *last = &p->t[p->pos - 1];
        lp_status st = b.nomem ? lp_sqlp_nomem(p) : lp_duration_parse(b.p ? b.p : "", b.len, &us, p->d);
        lp_strbuf_reset(&b);
        if (st == LP_OK && us % 1000000 != 0) {
            lp_diag_set(p->d, LP_EVALUE, "a RANGE interval must be whole seconds");
            st = LP_EVALUE;
        }
        if (st != LP_OK) {
            lp_diag_span(p->d, S(p, t->start), S(p, last->end > first->start ? last->end : first->end));
            return st;
        }
        n = us / 1000000;
        if (is_kw(cur(p), "preceding")) *v = -n;
        else if (is_kw(cur(p), "following")) *v = n;
        else return lp_sqlp_error(p, cur(p), "expected PRECEDING or FOLLOWING");
        p->pos++;
        return LP_OK;
    }
    if (!unb) {
        if (is_op(t, "-")) {
            neg = true;
            p->pos++;
            t = cur(p);
        }
        if (t->kind != LP_SQL_T_INT)
            return lp_sqlp_error(p, t, "expected a frame bound: UNBOUNDED PRECEDING, n PRECEDING, CURRENT ROW, n FOLLOWING");
        n = neg ? -t->i : t->i;
    }
    p->pos++;
    if (is_kw(cur(p), "preceding")) *v = unb ? LP_FRAME_UNBOUNDED_LO : -n;
    else if (is_kw(cur(p), "following")) *v = unb ? LP_FRAME_UNBOUNDED_HI : n;
    else return lp_sqlp_error(p, cur(p), "expected PRECEDING or FOLLOWING");
    p->pos++;
    return LP_OK;
}

/* over -> OVER '(' [PARTITION BY expr, ...] [ORDER BY expr [ASC|DESC] [NULLS FIRST|LAST], ...]
 *         [(ROWS | RANGE) (BETWEEN bound AND bound | bound)] ')' */
static lp_status parse_over(parser *p, lp_winspec *w) {
    lp_sql_tok *over = cur(p);
    p->pos++;
    lp_sql_tok *open = cur(p);
    if (!is_op(open, "("))
        return lp_sqlp_is_name(open) ? lp_sqlp_unsupported(p, open->start, open->end,
                                                           "named windows (OVER w) are not supported; write the window "
                                                           "in parentheses: OVER (PARTITION BY ... ORDER BY ...)")
                                     : lp_sqlp_error(p, open, "expected '(' after OVER");
    p->pos++;
    memset(w, 0, sizeof *w);
    w->fstart = w->fend = -1;
    exprvec part = {0}, order = {0};
    if (is_kw(cur(p), "partition") || is_kw(cur(p), "distribute")) {
        p->pos++;
        TRY(lp_sqlp_expect_kw(p, "by", "expected BY after PARTITION"));
        for (;;) {
            lp_expr *e;
            TRY(lp_sqlp_expr(p, &e));
            if (!vec_push(p, &part, e)) return lp_sqlp_nomem(p);
            if (!is_op(cur(p), ",")) break;
            p->pos++;
        }
    }
    bool desc[64];
    int8_t nulls[64];
    if (is_kw(cur(p), "order") || is_kw(cur(p), "sort")) {
        p->pos++;
        TRY(lp_sqlp_expect_kw(p, "by", "expected BY after ORDER"));
        for (;;) {
            lp_expr *e;
            TRY(lp_sqlp_expr(p, &e));
            if (order.n >= 64) return lp_sqlp_unsupported(p, e->start - p->base, e->end - p->base, "too many ORDER BY keys");
            bool dsc = false;
            int8_t nf = -1;
            if (is_kw(cur(p), "asc") || is_kw(cur(p), "desc")) {
                dsc = is_kw(cur(p), "desc");
                p->pos++;
            }
            if (is_kw(cur(p), "nulls")) {
                p->pos++;
                if (!is_kw(cur(p), "first") && !is_kw(cur(p), "last")) return lp_sqlp_error(p, cur(p), "expected FIRST or LAST after NULLS");
                nf = is_kw(cur(p), "first") ? 1 : 0;
                p->pos++;
            }
            desc[order.n] = dsc;
            nulls[order.n] = nf;
            if (!vec_push(p, &order, e)) return lp_sqlp_nomem(p);
            if (!is_op(cur(p), ",")) break;
            p->pos++;
        }
    }
    if (is_kw(cur(p), "rows") || is_kw(cur(p), "range")) {
        lp_sql_tok *kind = cur(p);
        p->pos++;
        w->frame.kind = is_kw(kind, "rows") ? LP_FRAME_ROWS : LP_FRAME_RANGE;
        if (is_kw(cur(p), "between")) {
            p->pos++;
            TRY(parse_bound(p, &w->frame.lo));
            TRY(lp_sqlp_expect_kw(p, "and", "expected AND between the frame's bounds"));
            TRY(parse_bound(p, &w->frame.hi));
        } else {
            TRY(parse_bound(p, &w->frame.lo));
            w->frame.hi = 0;
        }
        if (w->frame.lo == LP_FRAME_UNBOUNDED_HI || w->frame.hi == LP_FRAME_UNBOUNDED_LO)
            return lp_sqlp_unsupported(p, kind->start, p->t[p->pos - 1].end,
                                       "a frame cannot start at UNBOUNDED FOLLOWING or end at UNBOUNDED PRECEDING");
        w->fstart = S(p, kind->start);
        w->fend = S(p, p->t[p->pos - 1].end);
    }
    TRY(lp_sqlp_expect_close(p, open, ")"));
    (void)over;
    w->part = part.v;
    w->npart = part.n;
    w->order = order.v;
    w->norder = order.n;
    int no = order.n ? order.n : 1;
    w->desc = lp_arena_alloc(p->a, sizeof(bool) * (size_t)no);
    w->nulls = lp_arena_alloc(p->a, sizeof(int8_t) * (size_t)no);
    if (!w->desc || !w->nulls) return lp_sqlp_nomem(p);
    if (order.n) {
        memcpy(w->desc, desc, sizeof(bool) * (size_t)order.n);
        memcpy(w->nulls, nulls, sizeof(int8_t) * (size_t)order.n);
    }
    return LP_OK;
}

/* A window function's node: row_number() ... lag(x, 1, NULL); *out NULL when name is none. */
static lp_status window_call(parser *p, const lp_sql_tok *name, exprvec *args, int64_t end, lp_expr **out) {
    static const struct { const char *name; lp_winfn fn; int lo, hi; } fns[] = {
        {"row_number", LP_WIN_ROW_NUMBER, 0, 0}, {"rank", LP_WIN_RANK, 0, 0}, {"dense_rank", LP_WIN_DENSE_RANK, 0, 0},
        {"percent_rank", LP_WIN_PERCENT_RANK, 0, 0}, {"cume_dist", LP_WIN_CUME_DIST, 0, 0},
        {"ntile", LP_WIN_NTILE, 1, 1}, {"lag", LP_WIN_LAG, 1, 3}, {"lead", LP_WIN_LEAD, 1, 3},
    };
    *out = NULL;
    int k = -1;
    for (size_t i = 0; i < LP_ARRAY_LEN(fns); i++)
        if (strcasecmp(fns[i].name, name->text) == 0) k = (int)i;
    if (k < 0) return LP_OK;
    if (args->n < fns[k].lo || args->n > fns[k].hi) {
        lp_diag_set(p->d, LP_ETYPE, "%s takes %s, got %d", fns[k].name,
                    fns[k].hi == 0 ? "no arguments" : fns[k].hi == 1 ? "1 argument" : "1 to 3 arguments", args->n);
        lp_diag_span(p->d, S(p, name->start), S(p, end));
        return LP_ETYPE;
    }
    if (fns[k].fn == LP_WIN_LAG || fns[k].fn == LP_WIN_LEAD) {
        if (args->n < 2 && !vec_push(p, args, lp_expr_int(p->a, 1))) return lp_sqlp_nomem(p);
        if (args->n < 3 && !vec_push(p, args, lp_expr_null(p->a))) return lp_sqlp_nomem(p);
    }
    *out = lp_expr_window(p->a, fns[k].fn, fns[k].name, args->v, args->n, S(p, name->start), S(p, end));
    return *out ? LP_OK : lp_sqlp_nomem(p);
}

/* call -> name '(' [DISTINCT] [args | '*'] ')' [OVER over] */
static lp_status parse_call(parser *p, lp_expr **out) {
    lp_sql_tok *name = cur(p), *open = peek(p, 1);
    p->pos += 2;
    bool count = strcasecmp(name->text, "count") == 0;
    bool distinct = false;
    exprvec args = {0};
    if (is_kw(cur(p), "distinct")) {
        if (!count)
            return lp_sqlp_unsupported(p, cur(p)->start, cur(p)->end, "DISTINCT is only supported inside count(...)");
        distinct = true;
        p->pos++;
    } else if (is_kw(cur(p), "all")) {
        p->pos++;
    }
    if (is_op(cur(p), "*") && is_op(peek(p, 1), ")")) {
        if (!count || distinct) return lp_sqlp_error(p, cur(p), "'*' is only allowed in count(*)");
        lp_value v = lp_value_null();
        v.null = false;
        v.type = lp_type_of(LP_INT64);
        v.u.i = 1;
        lp_expr *one = lp_expr_lit(p->a, &v, S(p, cur(p)->start), S(p, cur(p)->end));
        if (!one || !vec_push(p, &args, one)) return lp_sqlp_nomem(p);
        p->pos++;
    } else if (!is_op(cur(p), ")")) {
        for (;;) {
            lp_expr *e;
            TRY(lp_sqlp_expr(p, &e));
            if (!vec_push(p, &args, e)) return lp_sqlp_nomem(p);
            if (!is_op(cur(p), ",")) break;
            p->pos++;
        }
    }
    int64_t end = cur(p)->end;
    TRY(lp_sqlp_expect_close(p, open, ")"));
    if (is_kw(cur(p), "filter"))
        return lp_sqlp_unsupported(p, cur(p)->start, cur(p)->end, "aggregate FILTER clauses are not supported yet");
    if (distinct && args.n != 1)
        return lp_sqlp_unsupported(p, name->start, end, "count(DISTINCT ...) takes one column here");
    lp_expr *f = NULL;
    TRY(window_call(p, name, &args, end, &f));
    if (!f) {
        const char *fname = distinct ? "count_distinct" : name->text;
        TRY(lp_expr_call_named(p->a, fname, strlen(fname), args.v, args.n, S(p, name->start), S(p, end), &f, p->d));
    }
    if (!is_kw(cur(p), "over")) {
        if (f->kind == LP_EXPR_WINDOW) {
            lp_diag_set(p->d, LP_ETYPE, "%s() is a window function: it needs OVER (...)", f->fname);
            lp_diag_hint(p->d, "e.g. %s() OVER (PARTITION BY g ORDER BY t)", f->fname);
            lp_diag_span(p->d, f->start, f->end);
            return LP_ETYPE;
        }
        *out = f;
        return LP_OK;
    }
    if (!lp_expr_window_ok(f))
        return lp_sqlp_unsupported(p, cur(p)->start, cur(p)->end,
                                   "OVER follows a window function (row_number, rank, lag, ...) or an aggregate");
    lp_winspec w;
    TRY(parse_over(p, &w));
    *out = lp_expr_over(p->a, f, &w, f->start, S(p, p->t[p->pos - 1].end));
    return *out ? LP_OK : lp_sqlp_nomem(p);
}

/* column -> name ('.' name)*: a qualified reference in a query, a dotted name otherwise. */
static lp_status parse_column(parser *p, lp_expr **out) {
    lp_sql_tok *first = cur(p);
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_strbuf_append(&b, first->text, first->len);
    int64_t end = first->end;
    int parts = 1;
    p->pos++;
    while (is_op(cur(p), ".") && (peek(p, 1)->kind == LP_SQL_T_IDENT || peek(p, 1)->kind == LP_SQL_T_QIDENT)) {
        lp_strbuf_putc(&b, '.');
        lp_strbuf_append(&b, peek(p, 1)->text, peek(p, 1)->len);
        end = peek(p, 1)->end;
        p->pos += 2;
        parts++;
    }
    if (b.nomem) {
        lp_strbuf_reset(&b);
        return lp_sqlp_nomem(p);
    }
    lp_expr *e = lp_expr_col(p->a, b.p, b.len, S(p, first->start), S(p, end));
    lp_strbuf_reset(&b);
    if (!e) return lp_sqlp_nomem(p);
    if (p->query && parts > 1) {
        lp_sql_qref *q = lp_arena_zalloc(p->a, sizeof *q);
        if (!q) return lp_sqlp_nomem(p);
        q->node = e;
        q->qual = first->text;
        q->col = e->name + first->len + 1;
        q->qstart = S(p, first->start);
        q->qend = S(p, first->end);
        q->next = p->qrefs;
        p->qrefs = q;
    }
    *out = e;
    return LP_OK;
}

/* scalar -> '(' query ')': a placeholder column named as Spark names the value, which the
 * planner replaces by the column that holds the query's one value. */
static lp_status parse_scalar_subquery(parser *p, lp_expr **out) {
    lp_sql_tok *open = cur(p);
    if (!p->query)
        return lp_sqlp_unsupported(p, open->start, peek(p, 1)->end,
                                   "subqueries are only supported in spark.sql queries");
    lp_sql_subq *sq = lp_arena_zalloc(p->a, sizeof *sq);
    if (!sq) return lp_sqlp_nomem(p);
    TRY(lp_sqlp_deeper(p, open));
    p->pos++;
    TRY(lp_sqlp_subquery(p, &sq->q));
    p->depth--;
    int64_t end = cur(p)->end;
    TRY(lp_sqlp_expect_close(p, open, ")"));
    if (!(*out = lp_expr_col(p->a, "scalarsubquery()", (size_t)-1, S(p, open->start), S(p, end))))
        return lp_sqlp_nomem(p);
    sq->node = *out;
    sq->scalar = true;
    sq->next = p->subqs;
    p->subqs = sq;
    return LP_OK;
}

/* primary -> literal | '(' expr ')' | CASE ... | CAST(...) | DATE 'x' | TIMESTAMP 'x'
 *          | name '(' args ')' | column */
static lp_status parse_primary(parser *p, lp_expr **out) {
    lp_sql_tok *t = cur(p);
    lp_arena *a = p->a;
    int64_t s = S(p, t->start), e = S(p, t->end);
    lp_value v = lp_value_null();
    switch (t->kind) {
    case LP_SQL_T_INT:
        v.null = false;
        v.type = lp_type_of(LP_INT64);
        v.u.i = t->i;
        p->pos++;
        return (*out = lp_expr_lit(a, &v, s, e)) ? LP_OK : lp_sqlp_nomem(p);
    case LP_SQL_T_FLOAT:
        v.null = false;
        v.type = lp_type_of(LP_FLOAT64);
        v.u.f = t->f;
        p->pos++;
        return (*out = lp_expr_lit(a, &v, s, e)) ? LP_OK : lp_sqlp_nomem(p);
    case LP_SQL_T_STRING:
        v.null = false;
        v.type = lp_type_of(LP_STRING);
        v.u.s.p = t->text;
        v.u.s.n = (int64_t)t->len;
        p->pos++;
        if (cur(p)->kind == LP_SQL_T_STRING) { /* 'a' 'b' is 'ab', as in Spark */
            lp_strbuf b;
            lp_strbuf_init(&b);
            lp_strbuf_append(&b, t->text, t->len);
            for (; cur(p)->kind == LP_SQL_T_STRING; p->pos++) {
                lp_strbuf_append(&b, cur(p)->text, cur(p)->len);
                e = S(p, cur(p)->end);
            }
            v.u.s.p = b.p ? b.p : "";
            v.u.s.n = (int64_t)b.len;
            *out = b.nomem ? NULL : lp_expr_lit(a, &v, s, e);
            lp_strbuf_reset(&b);
            return *out ? LP_OK : lp_sqlp_nomem(p);
        }
        return (*out = lp_expr_lit(a, &v, s, e)) ? LP_OK : lp_sqlp_nomem(p);
    case LP_SQL_T_QIDENT:
        return parse_column(p, out);
    case LP_SQL_T_OP:
        if (is_op(t, "(")) {
            if (is_kw(peek(p, 1), "select") || is_kw(peek(p, 1), "with")) return parse_scalar_subquery(p, out);
            p->pos++;
            TRY(lp_sqlp_expr(p, out));
            int64_t end = cur(p)->end;
            TRY(lp_sqlp_expect_close(p, t, ")"));
            (void)end;
            return LP_OK;
        }
        return lp_sqlp_error(p, t, "expected an expression");
    case LP_SQL_T_EOF:
        return lp_sqlp_error(p, t, "expected an expression");
    case LP_SQL_T_IDENT:
        break;
    }
    if (is_kw(t, "null") || is_kw(t, "true") || is_kw(t, "false")) {
        p->pos++;
        if (is_kw(t, "null")) return (*out = lp_expr_lit(a, &v, s, e)) ? LP_OK : lp_sqlp_nomem(p);
        v.null = false;
        v.type = lp_type_of(LP_BOOL);
        v.u.b = is_kw(t, "true");
        return (*out = lp_expr_lit(a, &v, s, e)) ? LP_OK : lp_sqlp_nomem(p);
    }
    if (is_kw(t, "case")) return parse_case(p, out);
    if (is_kw(t, "cast") && is_op(peek(p, 1), "(")) return parse_cast(p, out);
    if ((is_kw(t, "date") || is_kw(t, "timestamp")) && peek(p, 1)->kind == LP_SQL_T_STRING)
        return typed_literal(p, t, out);
    if (is_kw(t, "interval") && peek(p, 1)->kind != LP_SQL_T_OP)
        return lp_sqlp_unsupported(p, t->start, t->end, "INTERVAL literals are not supported yet");
    if (is_kw(t, "exists") && is_op(peek(p, 1), "("))
        return lp_sqlp_unsupported(p, t->start, t->end, "EXISTS is not supported yet; use x IN (SELECT ...) or a join");
    if (is_op(peek(p, 1), "(")) return parse_call(p, out);
    if (is_kw(t, "current_date")) { /* Spark's CURRENT_DATE takes no parentheses */
        p->pos++;
        return lp_expr_call_named(a, "current_date", 12, NULL, 0, s, e, out, p->d);
    }
    if (is_kw(t, "window") && is_op(peek(p, 1), ".")) return parse_column(p, out); /* window.start */
    if (is_reserved(t)) {
        lp_status st = lp_sqlp_error(p, t, "expected an expression");
        if (p->pos > 0 && is_op(&p->t[p->pos - 1], ","))
            lp_diag_hint(p->d, "is there an extra ',' before %s?", t->text);
        else
            lp_diag_hint(p->d, "%s is a keyword; a column with that name is written `%s`", t->text, t->text);
        return st;
    }
    return parse_column(p, out);
}

/* postfix -> primary ('[' expr ']')* */
static lp_status parse_postfix(parser *p, lp_expr **out) {
    TRY(parse_primary(p, out));
    while (is_op(cur(p), "[")) {
        lp_sql_tok *open = cur(p);
        p->pos++;
        lp_expr *idx;
        TRY(lp_sqlp_expr(p, &idx));
        int64_t end = cur(p)->end;
        TRY(lp_sqlp_expect_close(p, open, "]"));
        lp_expr *args[2] = {*out, idx};
        if (!(*out = lp_expr_call(p->a, LP_FN_GET, args, 2, args[0]->start, S(p, end)))) return lp_sqlp_nomem(p);
    }
    return LP_OK;
}

/* unary -> ('-' | '+') unary | postfix; a minus before a number literal folds into it. */
static lp_status parse_unary(parser *p, lp_expr **out) {
    lp_sql_tok *t = cur(p);
    if (!is_op(t, "-") && !is_op(t, "+")) return parse_postfix(p, out);
    TRY(lp_sqlp_deeper(p, t));
    p->pos++;
    lp_sql_tok *num = cur(p);
    lp_expr *x;
    TRY(parse_unary(p, &x));
    p->depth--;
    if (is_op(t, "+")) {
        *out = x;
        return LP_OK;
    }
    if (x->kind == LP_EXPR_LIT && (num->kind == LP_SQL_T_INT || num->kind == LP_SQL_T_FLOAT) &&
        x->start == S(p, num->start) && x->end == S(p, num->end)) {
        if (x->lit.type.kind == LP_INT64)
            x->lit.u.i = (int64_t)(0 - (uint64_t)x->lit.u.i);
        else
            x->lit.u.f = -x->lit.u.f;
        x->start = S(p, t->start);
        *out = x;
        return LP_OK;
    }
    *out = call1(p, LP_FN_NEG, x, S(p, t->start), x->end);
    return *out ? LP_OK : lp_sqlp_nomem(p);
}

/* mul -> unary (('*' | '/' | '%') unary)* */
static lp_status parse_mul(parser *p, lp_expr **out) {
    TRY(parse_unary(p, out));
    for (;;) {
        lp_sql_tok *t = cur(p);
        lp_fn fn;
        if (is_op(t, "*")) fn = LP_FN_MUL;
        else if (is_op(t, "/")) fn = LP_FN_DIV;
        else if (is_op(t, "%")) fn = LP_FN_MOD;
        else if (is_kw(t, "div"))
            return lp_sqlp_unsupported(p, t->start, t->end,
                                       "integer division (DIV) is not supported yet; use floor(a / b)");
        else return LP_OK;
        p->pos++;
        lp_expr *r;
        TRY(parse_unary(p, &r));
        if (!(*out = call2(p, fn, *out, r))) return lp_sqlp_nomem(p);
    }
}

/* add -> mul (('+' | '-') mul)* */
static lp_status parse_add(parser *p, lp_expr **out) {
    TRY(parse_mul(p, out));
    while (is_op(cur(p), "+") || is_op(cur(p), "-")) {
        lp_fn fn = is_op(cur(p), "+") ? LP_FN_ADD : LP_FN_SUB;
        p->pos++;
        lp_expr *r;
        TRY(parse_mul(p, &r));
        if (!(*out = call2(p, fn, *out, r))) return lp_sqlp_nomem(p);
    }
    return LP_OK;
}

/* concat -> add ('||' add)*: concat(a, b) as Spark names it */
static lp_status parse_concat(parser *p, lp_expr **out) {
    TRY(parse_add(p, out));
    while (is_op(cur(p), "||")) {
        p->pos++;
        lp_expr *r;
        TRY(parse_add(p, &r));
        lp_expr *args[2] = {*out, r};
        TRY(lp_expr_call_named(p->a, "concat", 6, args, 2, args[0]->start, r->end, out, p->d));
    }
    return LP_OK;
}

static lp_fn comparison(const lp_sql_tok *t) {
    static const struct { const char *op; lp_fn fn; } cmp[] = {
        {"=", LP_FN_EQ}, {"==", LP_FN_EQ}, {"!=", LP_FN_NE}, {"<>", LP_FN_NE}, {"<", LP_FN_LT},
        {"<=", LP_FN_LE}, {">", LP_FN_GT}, {">=", LP_FN_GE}, {"<=>", LP_FN_EQ_NS}};
    for (size_t i = 0; i < LP_ARRAY_LEN(cmp); i++)
        if (is_op(t, cmp[i].op)) return cmp[i].fn;
    return LP_FN_COUNT_;
}

/* predicate -> concat ( cmp concat | IS [NOT] NULL | IS [NOT] DISTINCT FROM concat
 *                     | [NOT] IN '(' exprs ')' | [NOT] IN '(' query ')' | [NOT] BETWEEN concat AND concat
 *                     | [NOT] (LIKE|ILIKE|RLIKE|REGEXP) concat )* */
static lp_status parse_predicate(parser *p, lp_expr **out) {
    TRY(parse_concat(p, out));
    for (;;) {
        lp_sql_tok *t = cur(p);
        lp_fn fn = comparison(t);
        lp_expr *x = *out, *r;
        if (fn != LP_FN_COUNT_) {
            p->pos++;
            TRY(parse_concat(p, &r));
            if (!(*out = call2(p, fn, x, r))) return lp_sqlp_nomem(p);
            continue;
        }
        if (is_kw(t, "is")) {
            p->pos++;
            bool neg = is_kw(cur(p), "not");
            if (neg) p->pos++;
            if (is_kw(cur(p), "distinct")) { /* IS [NOT] DISTINCT FROM: null-safe (in)equality */
                p->pos++;
                TRY(lp_sqlp_expect_kw(p, "from", "expected FROM in IS DISTINCT FROM"));
                TRY(parse_concat(p, &r));
                if (!(*out = call2(p, LP_FN_EQ_NS, x, r))) return lp_sqlp_nomem(p);
                if (!neg && !(*out = call1(p, LP_FN_NOT, *out, x->start, r->end))) return lp_sqlp_nomem(p);
                continue;
            }
            if (!is_kw(cur(p), "null"))
                return lp_sqlp_error(p, cur(p),
                                    neg ? "expected NULL after IS NOT" : "expected NULL or NOT NULL after IS");
            int64_t end = S(p, cur(p)->end);
            p->pos++;
            if (!(*out = call1(p, neg ? LP_FN_IS_NOT_NULL : LP_FN_IS_NULL, x, x->start, end))) return lp_sqlp_nomem(p);
            continue;
        }
        bool neg = is_kw(t, "not");
        lp_sql_tok *op = neg ? peek(p, 1) : t;
        if (!(is_kw(op, "in") || is_kw(op, "between") || is_kw(op, "like") || is_kw(op, "ilike") ||
              is_kw(op, "rlike") || is_kw(op, "regexp")))
            return LP_OK;
        p->pos += neg ? 2 : 1;
        int64_t end;
        if (is_kw(op, "in")) {
            lp_sql_tok *open = cur(p);
            if (!is_op(open, "(")) return lp_sqlp_error(p, open, "expected '(' and a list of values after IN");
            bool sub = is_kw(peek(p, 1), "select") || is_kw(peek(p, 1), "with");
            if (sub && !p->query)
                return lp_sqlp_unsupported(p, open->start, peek(p, 1)->end,
                                           "IN (subquery) is only supported in spark.sql queries");
            p->pos++;
            if (sub) { /* x IN (query): a one-argument IN that the planner makes a semi join */
                lp_sql_subq *sq = lp_arena_zalloc(p->a, sizeof *sq);
                if (!sq) return lp_sqlp_nomem(p);
                TRY(lp_sqlp_deeper(p, open));
                TRY(lp_sqlp_subquery(p, &sq->q));
                p->depth--;
                end = S(p, cur(p)->end);
                TRY(lp_sqlp_expect_close(p, open, ")"));
                if (!(*out = lp_expr_call(p->a, LP_FN_IN, &x, 1, x->start, end))) return lp_sqlp_nomem(p);
                sq->node = *out;
                sq->next = p->subqs;
                p->subqs = sq;
                if (neg && !(*out = call1(p, LP_FN_NOT, *out, x->start, end))) return lp_sqlp_nomem(p);
                continue;
            }
            exprvec args = {0};
            if (!vec_push(p, &args, x)) return lp_sqlp_nomem(p);
            for (;;) {
                TRY(lp_sqlp_expr(p, &r));
                if (!vec_push(p, &args, r)) return lp_sqlp_nomem(p);
                if (!is_op(cur(p), ",")) break;
                p->pos++;
            }
            end = S(p, cur(p)->end);
            TRY(lp_sqlp_expect_close(p, open, ")"));
            *out = lp_expr_call(p->a, LP_FN_IN, args.v, args.n, x->start, end);
        } else if (is_kw(op, "between")) {
            lp_expr *lo, *hi;
            TRY(parse_concat(p, &lo));
            TRY(lp_sqlp_expect_kw(p, "and", "expected AND in BETWEEN low AND high"));
            TRY(parse_concat(p, &hi));
            lp_expr *args[3] = {x, lo, hi};
            end = hi->end;
            *out = lp_expr_call(p->a, LP_FN_BETWEEN, args, 3, x->start, end);
        } else {
            TRY(parse_concat(p, &r));
            end = r->end;
            lp_expr *args[2] = {x, r};
            if (is_kw(op, "ilike"))
                TRY(lp_expr_call_named(p->a, "ilike", 5, args, 2, x->start, end, out, p->d));
            else
                *out = lp_expr_call(p->a, is_kw(op, "like") ? LP_FN_LIKE : LP_FN_RLIKE, args, 2, x->start, end);
        }
        if (!*out) return lp_sqlp_nomem(p);
        if (neg && !(*out = call1(p, LP_FN_NOT, *out, x->start, end))) return lp_sqlp_nomem(p);
    }
}

/* not -> NOT not | predicate */
static lp_status parse_not(parser *p, lp_expr **out) {
    lp_sql_tok *t = cur(p);
    if (!is_kw(t, "not") && !is_op(t, "!")) return parse_predicate(p, out);
    TRY(lp_sqlp_deeper(p, t));
    p->pos++;
    lp_expr *x;
    TRY(parse_not(p, &x));
    p->depth--;
    *out = call1(p, LP_FN_NOT, x, S(p, t->start), x->end);
    return *out ? LP_OK : lp_sqlp_nomem(p);
}

/* and -> not (AND not)* */
static lp_status parse_and(parser *p, lp_expr **out) {
    TRY(parse_not(p, out));
    while (is_kw(cur(p), "and")) {
        p->pos++;
        lp_expr *r;
        TRY(parse_not(p, &r));
        if (!(*out = call2(p, LP_FN_AND, *out, r))) return lp_sqlp_nomem(p);
    }
    return LP_OK;
}

/* expr -> and (OR and)* */
lp_status lp_sqlp_expr(parser *p, lp_expr **out) {
    lp_sql_tok *t = cur(p);
    TRY(lp_sqlp_deeper(p, t));
    TRY(parse_and(p, out));
    while (is_kw(cur(p), "or")) {
        p->pos++;
        lp_expr *r;
        TRY(parse_and(p, &r));
        if (!(*out = call2(p, LP_FN_OR, *out, r))) return lp_sqlp_nomem(p);
    }
    p->depth--;
    return LP_OK;
}

/* alias -> [AS] name; returns NULL in *alias when there is none. */
lp_status lp_sqlp_alias(parser *p, const char **alias) {
    *alias = NULL;
    if (is_kw(cur(p), "as")) {
        p->pos++;
        if (!lp_sqlp_is_name(cur(p))) return lp_sqlp_error(p, cur(p), "expected a name after AS");
    } else if (!lp_sqlp_is_name(cur(p))) {
        return LP_OK;
    } else {
        p->implicit_alias = p->pos;
    }
    *alias = cur(p)->text;
    p->pos++;
    return LP_OK;
}

lp_status lp_sqlp_init(parser *p, lp_arena *a, const char *s, size_t n, int64_t base, lp_diag *d) {
    memset(p, 0, sizeof *p);
    p->a = a;
    p->s = s;
    p->n = n;
    p->base = base;
    p->d = d;
    p->implicit_alias = -1;
    return lp_sql_lex(a, s, n, base, &p->t, &p->nt, d);
}

lp_status lp_sql_expr(lp_arena *a, const char *s, size_t n, int64_t base, lp_expr **out, const char **alias,
                      lp_diag *d) {
    *out = NULL;
    if (alias) *alias = NULL;
    parser p;
    TRY(lp_sqlp_init(&p, a, s, n, base, d));
    lp_expr *e;
    TRY(lp_sqlp_expr(&p, &e));
    if (alias) TRY(lp_sqlp_alias(&p, alias));
    if (cur(&p)->kind != LP_SQL_T_EOF)
        return lp_sqlp_error(&p, cur(&p), !alias && (lp_sqlp_is_name(cur(&p)) || is_kw(cur(&p), "as"))
                                             ? "expected the end of the expression (an alias is not allowed here)"
                                             : "expected the end of the expression");
    *out = e;
    return LP_OK;
}

