/* sql_select.c -- the query grammar of lang/sql: SELECT, FROM and joins, WHERE, GROUP BY,
 * HAVING, ORDER BY, LIMIT, WITH and UNION, into the query tree of sql.h that sql_plan.c plans.
 * Expressions inside come from sql_parse.c; qualified names `t.col` are recorded as lp_sql_qref
 * for the planner. Everything lives in the caller's arena.
 */
#include "lang/sql_parse.h"

static lp_status parse_query(parser *p, lp_sql_tree **out);

/* Makes room for one more element in an arena array of n elements and capacity cap. */
#define GROW(p, arr, n, cap)                                                \
    do {                                                                    \
        if ((n) == (cap)) {                                                 \
            int c_ = (cap) ? 2 * (cap) : 4;                                 \
            void *nv_ = lp_arena_alloc((p)->a, (size_t)c_ * sizeof *(arr)); \
            if (!nv_) return lp_sqlp_nomem(p);                              \
            if (n) memcpy(nv_, (arr), (size_t)(n) * sizeof *(arr));         \
            (arr) = nv_;                                                    \
            (cap) = c_;                                                     \
        }                                                                   \
    } while (0)

/* from_primary -> name [[AS] alias] | '(' query ')' [[AS] alias] */
static lp_status parse_from_primary(parser *p, lp_sql_from **out) {
    lp_sql_from *f = lp_arena_zalloc(p->a, sizeof *f);
    if (!f) return lp_sqlp_nomem(p);
    lp_sql_tok *t = cur(p);
    f->start = S(p, t->start);
    if (is_op(t, "(")) {
        p->pos++;
        if (!is_kw(cur(p), "select") && !is_kw(cur(p), "with"))
            return lp_sqlp_error(p, cur(p), "expected SELECT to start a subquery");
        f->kind = LP_SQL_FROM_SUB;
        TRY(lp_sqlp_deeper(p, t));
        TRY(parse_query(p, &f->sub));
        p->depth--;
        f->end = S(p, cur(p)->end);
        TRY(lp_sqlp_expect_close(p, t, ")"));
    } else if (is_kw(t, "lateral")) {
        return lp_sqlp_unsupported(p, t->start, t->end, "LATERAL is not supported yet");
    } else if (lp_sqlp_is_name(t)) {
        f->kind = LP_SQL_FROM_TABLE;
        f->name = t->text;
        f->end = S(p, t->end);
        p->pos++;
        if (is_op(cur(p), "("))
            return lp_sqlp_unsupported(p, t->start, cur(p)->end, "table-valued functions are not supported yet");
        if (is_op(cur(p), "."))
            return lp_sqlp_unsupported(p, t->start, peek(p, 1)->end,
                               "database-qualified names are not supported: temp views have one-part names");
    } else {
        return lp_sqlp_error(p, t, "expected a table or view name, or '(' and a subquery");
    }
    TRY(lp_sqlp_alias(p, &f->alias));
    *out = f;
    return LP_OK;
}

/* join_type -> [INNER] | CROSS | LEFT [OUTER|SEMI|ANTI] | RIGHT [OUTER] | FULL [OUTER] | SEMI | ANTI;
 * returns false when the tokens do not start a join. */
static bool parse_join_type(parser *p, lp_join_how *how) {
    int k = p->pos;
    lp_sql_tok *t = cur(p);
    if (is_kw(t, "join")) *how = LP_JOIN_INNER;
    else if (is_kw(t, "inner")) *how = LP_JOIN_INNER, k++;
    else if (is_kw(t, "cross")) *how = LP_JOIN_CROSS, k++;
    else if (is_kw(t, "semi")) *how = LP_JOIN_SEMI, k++;
    else if (is_kw(t, "anti")) *how = LP_JOIN_ANTI, k++;
    else if (is_kw(t, "right") || is_kw(t, "full")) {
        *how = is_kw(t, "right") ? LP_JOIN_RIGHT : LP_JOIN_FULL;
        k++;
        if (is_kw(&p->t[k], "outer")) k++;
    } else if (is_kw(t, "left")) {
        *how = LP_JOIN_LEFT;
        k++;
        if (is_kw(&p->t[k], "outer")) k++;
        else if (is_kw(&p->t[k], "semi")) *how = LP_JOIN_SEMI, k++;
        else if (is_kw(&p->t[k], "anti")) *how = LP_JOIN_ANTI, k++;
    } else {
        return false;
    }
    p->pos = k;
    return true;
}

/* from -> from_primary (join_type JOIN from_primary [ON expr | USING '(' names ')'] | ',' from_primary)* */
static lp_status parse_from(parser *p, lp_sql_from **out) {
    TRY(parse_from_primary(p, out));
    for (;;) {
        lp_join_how how;
        lp_sql_tok *t = cur(p);
        bool comma = is_op(t, ",");
        if (is_kw(t, "natural"))
            return lp_sqlp_unsupported(p, t->start, t->end,
                                       "NATURAL JOIN is not supported yet; use JOIN ... USING (columns)");
        if (comma) {
            how = LP_JOIN_CROSS;
            p->pos++;
        } else if (!parse_join_type(p, &how)) {
            return LP_OK;
        } else if (!is_kw(cur(p), "join")) {
            return lp_sqlp_error(p, cur(p), "expected JOIN");
        } else {
            p->pos++;
        }
        lp_sql_from *j = lp_arena_zalloc(p->a, sizeof *j);
        if (!j) return lp_sqlp_nomem(p);
        j->kind = LP_SQL_FROM_JOIN;
        j->how = how;
        j->left = *out;
        j->start = (*out)->start;
        TRY(parse_from_primary(p, &j->right));
        j->end = j->right->end;
        if (!comma && is_kw(cur(p), "on")) {
            if (how == LP_JOIN_CROSS) return lp_sqlp_error(p, cur(p), "a CROSS JOIN takes no ON condition");
            p->pos++;
            TRY(lp_sqlp_expr(p, &j->on));
            j->end = j->on->end;
        } else if (!comma && is_kw(cur(p), "using")) {
            if (how == LP_JOIN_CROSS) return lp_sqlp_error(p, cur(p), "a CROSS JOIN takes no USING columns");
            p->pos++;
            lp_sql_tok *open = cur(p);
            if (!is_op(open, "(")) return lp_sqlp_error(p, open, "expected '(' and column names after USING");
            p->pos++;
            int cap = 0;
            for (;;) {
                if (!lp_sqlp_is_name(cur(p))) return lp_sqlp_error(p, cur(p), "expected a column name");
                GROW(p, j->using, j->nusing, cap);
                j->using[j->nusing++] = cur(p)->text;
                p->pos++;
                if (!is_op(cur(p), ",")) break;
                p->pos++;
            }
            j->ustart = lp_arena_alloc(p->a, (size_t)j->nusing * sizeof *j->ustart);
            j->uend = lp_arena_alloc(p->a, (size_t)j->nusing * sizeof *j->uend);
            if (!j->ustart || !j->uend) return lp_sqlp_nomem(p);
            for (int i = 0, k = p->pos - 1; i < j->nusing; i++, k -= 2) {
                j->ustart[j->nusing - 1 - i] = S(p, p->t[k].start);
                j->uend[j->nusing - 1 - i] = S(p, p->t[k].end);
            }
            j->end = S(p, cur(p)->end);
            TRY(lp_sqlp_expect_close(p, open, ")"));
        } else if (how != LP_JOIN_CROSS && how != LP_JOIN_INNER) {
            return lp_sqlp_error(p, cur(p), "expected ON condition or USING (columns) after the joined table");
        }
        *out = j;
    }
}

/* item -> '*' | name '.' '*' | expr [[AS] alias] */
static lp_status parse_item(parser *p, lp_sql_item *it) {
    memset(it, 0, sizeof *it);
    lp_sql_tok *t = cur(p);
    it->start = S(p, t->start);
    if (is_op(t, "*")) {
        it->star = "";
        it->end = S(p, t->end);
        p->pos++;
        return LP_OK;
    }
    if (lp_sqlp_is_name(t) && is_op(peek(p, 1), ".") && is_op(peek(p, 2), "*")) {
        it->star = t->text;
        it->end = S(p, peek(p, 2)->end);
        p->pos += 3;
        return LP_OK;
    }
    TRY(lp_sqlp_expr(p, &it->e));
    it->end = it->e->end;
    return lp_sqlp_alias(p, &it->alias);
}

/* a comma-separated list of expressions (GROUP BY) */
static lp_status parse_exprs(parser *p, lp_expr ***out, int *n) {
    int cap = 0;
    for (;;) {
        lp_expr *e;
        TRY(lp_sqlp_expr(p, &e));
        GROW(p, *out, *n, cap);
        (*out)[(*n)++] = e;
        if (!is_op(cur(p), ",")) return LP_OK;
        p->pos++;
    }
}

/* select -> SELECT [DISTINCT | ALL] item (',' item)* [FROM from] [WHERE expr]
 *           [GROUP BY exprs] [HAVING expr] */
static lp_status parse_select(parser *p, lp_sql_select *sel) {
    memset(sel, 0, sizeof *sel);
    lp_sql_tok *t = cur(p);
    if (!is_kw(t, "select"))
        return lp_sqlp_error(p, t, "expected SELECT");
    sel->start = S(p, t->start);
    sel->end = S(p, t->end);
    p->pos++;
    if (is_kw(cur(p), "distinct")) sel->distinct = true, p->pos++;
    else if (is_kw(cur(p), "all")) p->pos++;
    int cap = 0;
    for (;;) {
        GROW(p, sel->items, sel->nitems, cap);
        TRY(parse_item(p, &sel->items[sel->nitems]));
        sel->nitems++;
        if (!is_op(cur(p), ",")) break;
        p->pos++;
    }
    if (is_kw(cur(p), "from")) {
        p->pos++;
        TRY(parse_from(p, &sel->from));
    }
    if (is_kw(cur(p), "where")) {
        p->pos++;
        TRY(lp_sqlp_expr(p, &sel->where));
    }
    if (is_kw(cur(p), "group")) {
        p->pos++;
        TRY(lp_sqlp_expect_kw(p, "by", "expected BY after GROUP"));
        TRY(parse_exprs(p, &sel->group, &sel->ngroup));
    }
    if (is_kw(cur(p), "having")) {
        p->pos++;
        TRY(lp_sqlp_expr(p, &sel->having));
    }
    if (is_kw(cur(p), "window"))
        return lp_sqlp_unsupported(p, cur(p)->start, cur(p)->end, "window functions (OVER) are not supported yet");
    return LP_OK;
}

/* '(' query ')' as a term of a set operation: SELECT * FROM (query), so that the inner ORDER BY
 * and LIMIT apply inside. */
static lp_status parse_paren_select(parser *p, lp_sql_select *sel) {
    memset(sel, 0, sizeof *sel);
    lp_sql_tok *open = cur(p);
    sel->start = S(p, open->start);
    sel->items = lp_arena_zalloc(p->a, sizeof *sel->items);
    sel->from = lp_arena_zalloc(p->a, sizeof *sel->from);
    if (!sel->items || !sel->from) return lp_sqlp_nomem(p);
    sel->nitems = 1;
    sel->items[0].star = "";
    sel->items[0].start = sel->start;
    sel->from->kind = LP_SQL_FROM_SUB;
    sel->from->start = sel->start;
    TRY(lp_sqlp_deeper(p, open));
    p->pos++;
    if (!is_kw(cur(p), "select") && !is_kw(cur(p), "with") && !is_op(cur(p), "("))
        return lp_sqlp_error(p, cur(p), "expected SELECT");
    TRY(parse_query(p, &sel->from->sub));
    p->depth--;
    sel->end = sel->items[0].end = sel->from->end = S(p, cur(p)->end);
    return lp_sqlp_expect_close(p, open, ")");
}

/* query -> [WITH name AS '(' query ')' (',' ...)*]
 *          select ((UNION [ALL | DISTINCT] | INTERSECT [DISTINCT] | EXCEPT [DISTINCT]) select)*
 *          [ORDER BY expr [ASC | DESC] [NULLS FIRST | LAST] (',' ...)*] [LIMIT n] */
static lp_status parse_query(parser *p, lp_sql_tree **out) {
    lp_sql_tree *q = lp_arena_zalloc(p->a, sizeof *q);
    if (!q) return lp_sqlp_nomem(p);
    q->limit = -1;
    int cap = 0;
    if (is_kw(cur(p), "with")) {
        p->pos++;
        for (;;) {
            if (!lp_sqlp_is_name(cur(p))) return lp_sqlp_error(p, cur(p), "expected a name for the WITH query");
            GROW(p, q->ctes, q->ncte, cap);
            lp_sql_cte *c = &q->ctes[q->ncte++];
            c->name = cur(p)->text;
            p->pos++;
            TRY(lp_sqlp_expect_kw(p, "as", "expected AS, as in WITH name AS (SELECT ...)"));
            lp_sql_tok *open = cur(p);
            if (!is_op(open, "(")) return lp_sqlp_error(p, open, "expected '(' and a query");
            TRY(lp_sqlp_deeper(p, open));
            p->pos++;
            TRY(parse_query(p, &c->q));
            p->depth--;
            TRY(lp_sqlp_expect_close(p, open, ")"));
            if (!is_op(cur(p), ",")) break;
            p->pos++;
        }
    }
    cap = 0;
    int ucap = 0;
    for (;;) {
        GROW(p, q->sels, q->nsel, cap);
        if (is_op(cur(p), "(")) {
            TRY(parse_paren_select(p, &q->sels[q->nsel]));
        } else {
            TRY(parse_select(p, &q->sels[q->nsel]));
        }
        q->nsel++;
        lp_sql_tok *t = cur(p);
        lp_sql_setop op;
        if (is_kw(t, "union")) op = LP_SQL_UNION;
        else if (is_kw(t, "intersect")) op = LP_SQL_INTERSECT;
        else if (is_kw(t, "except") || is_kw(t, "minus")) op = LP_SQL_EXCEPT;
        else break;
        p->pos++;
        if (is_kw(cur(p), "all")) {
            if (op != LP_SQL_UNION)
                return lp_sqlp_unsupported(p, t->start, cur(p)->end,
                                           "INTERSECT ALL and EXCEPT ALL are not supported yet; without ALL they "
                                           "keep distinct rows");
            op = LP_SQL_UNION_ALL;
        }
        if (is_kw(cur(p), "all") || is_kw(cur(p), "distinct")) p->pos++;
        GROW(p, q->setop, q->nsel - 1, ucap);
        q->setop[q->nsel - 1] = op;
    }
    if (is_kw(cur(p), "order")) {
        p->pos++;
        TRY(lp_sqlp_expect_kw(p, "by", "expected BY after ORDER"));
        cap = 0;
        for (;;) {
            GROW(p, q->order, q->norder, cap);
            lp_sql_order *o = &q->order[q->norder++];
            memset(o, 0, sizeof *o);
            o->nulls_first = -1;
            TRY(lp_sqlp_expr(p, &o->e));
            if (is_kw(cur(p), "asc") || is_kw(cur(p), "desc")) o->desc = is_kw(cur(p), "desc"), p->pos++;
            if (is_kw(cur(p), "nulls")) {
                p->pos++;
                if (!is_kw(cur(p), "first") && !is_kw(cur(p), "last"))
                    return lp_sqlp_error(p, cur(p), "expected FIRST or LAST after NULLS");
                o->nulls_first = is_kw(cur(p), "first");
                p->pos++;
            }
            if (!is_op(cur(p), ",")) break;
            p->pos++;
        }
    }
    if (is_kw(cur(p), "limit")) {
        p->pos++;
        if (is_kw(cur(p), "all")) {
            p->pos++;
        } else {
            if (cur(p)->kind != LP_SQL_T_INT)
                return lp_sqlp_error(p, cur(p), "expected a whole number of rows after LIMIT");
            q->limit = cur(p)->i;
            p->pos++;
        }
    }
    *out = q;
    return LP_OK;
}

lp_status lp_sqlp_subquery(parser *p, lp_sql_tree **out) { return parse_query(p, out); }

lp_status lp_sql_parse_query(lp_arena *a, const char *s, size_t n, int64_t base, lp_sql_tree **out,
                             lp_sql_qref **qrefs, lp_sql_subq **subqs, lp_diag *d) {
    *out = NULL;
    *qrefs = NULL;
    *subqs = NULL;
    parser p;
    TRY(lp_sqlp_init(&p, a, s, n, base, d));
    p.query = true;
    lp_sql_tree *q;
    TRY(parse_query(&p, &q));
    if (is_op(cur(&p), ";")) p.pos++;
    if (cur(&p)->kind != LP_SQL_T_EOF) {
        if (is_op(cur(&p), ")")) return lp_sqlp_error(&p, cur(&p), "this ')' closes no '('");
        return lp_sqlp_error(&p, cur(&p), "expected the end of the query");
    }
    *out = q;
    *qrefs = p.qrefs;
    *subqs = p.subqs;
    return LP_OK;
}
