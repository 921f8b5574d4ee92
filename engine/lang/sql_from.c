/* sql_from.c -- FROM clauses of lang/sql queries into plans and scopes (see sql_plan.c for the
 * rest of a SELECT).
 *
 * A FROM clause becomes a plan and a scope: the relations it names (a view, a WITH query, an
 * aliased subquery, each side of a join) and, for each of their columns, its index in the plan's
 * output. Qualified references `t.col` are resolved through the scope to lp_expr_col_index
 * nodes; unqualified names stay names and are bound by the plan builders, which report
 * misspellings with their did-you-mean hints (a name two relations have is reported here, with
 * the qualified names to use). Joins: ON conditions over left ++ right, USING (Spark's layout:
 * the keys once, first), cross and comma joins that take the WHERE equalities between their
 * sides, and `x [NOT] IN (query)` conjuncts as semi and null-aware anti joins.
 *
 * Memory: everything temporary lives in the planner's arena; every plan reference taken here is
 * released on every path.
 */
#include "lang/sql_plan.h"

#include <stdio.h>
#include <strings.h>

lp_status lp_sqlplan_nomem(planner *pl) { return lp_diag_nomem(pl->d, "SQL planner"); }

void lp_sqlplan_scope_reset(scope *sc) {
    lp_plan_unref(sc->p);
    memset(sc, 0, sizeof *sc);
}

/* Appends "a, b, c" (at most 20 names) to the diagnostic's hint. */
static void hint_list(lp_diag *d, const char *prefix, const char *extra, const char *const *names, int n) {
    char buf[400];
    size_t len = (size_t)snprintf(buf, sizeof buf, "%s%s", extra ? extra : "", prefix);
    for (int i = 0; i < n && i < 20 && len < sizeof buf; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i ? ", " : "", names[i]);
    if (n > 20 && len < sizeof buf) snprintf(buf + len, sizeof buf - len, ", ...");
    lp_diag_hint(d, "%s", buf);
}

/* Index of name among names: exact first, then ASCII case-insensitive if unique; -1 none, -2 ambiguous. */
int lp_sqlplan_find_name(const char *const *names, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return i;
    int found = -1;
    for (int i = 0; i < n; i++)
        if (strcasecmp(names[i], name) == 0) {
            if (found >= 0) return -2;
            found = i;
        }
    return found;
}

const lp_sql_qref *lp_sqlplan_qref(planner *pl, const lp_expr *e) {
    for (const lp_sql_qref *q = pl->qrefs; q; q = q->next)
        if (q->node == e) return q;
    return NULL;
}

const lp_sql_subq *lp_sqlplan_subq(planner *pl, const lp_expr *e) {
    for (const lp_sql_subq *q = pl->subqs; q; q = q->next)
        if (q->node == e) return q;
    return NULL;
}

rel *lp_sqlplan_find_rel(scope *sc, const char *alias) {
    for (int i = 0; i < sc->nrels; i++)
        if (sc->rels[i].alias && strcmp(sc->rels[i].alias, alias) == 0) return &sc->rels[i];
    for (int i = 0; i < sc->nrels; i++)
        if (sc->rels[i].alias && strcasecmp(sc->rels[i].alias, alias) == 0) return &sc->rels[i];
    return NULL;
}

/* An unqualified name two relations of the scope both have (as different columns) is
 * ambiguous: say which ones, and how to qualify it. Otherwise the builder binds the name. */
static lp_status check_ambiguous(planner *pl, scope *sc, const lp_expr *e) {
    int first = -1, at = -1;
    for (int i = 0; i < sc->nrels; i++) {
        int c = lp_sqlplan_find_name(sc->rels[i].names, sc->rels[i].ncols, e->name);
        if (c < 0 || sc->rels[i].idx[c] < 0) continue;
        if (first < 0) {
            first = i;
            at = sc->rels[i].idx[c];
        } else if (sc->rels[i].idx[c] != at) {
            const rel *a = &sc->rels[first], *b = &sc->rels[i];
            lp_diag_set(pl->d, LP_ENAME, "column '%s' is ambiguous: both %s and %s have it", e->name,
                        a->alias ? a->alias : "a subquery", b->alias ? b->alias : "a subquery");
            if (a->alias && b->alias)
                lp_diag_hint(pl->d, "qualify it: %s.%s or %s.%s", a->alias, e->name, b->alias, e->name);
            else
                lp_diag_hint(pl->d, "give the subquery an alias and qualify the column with it");
            lp_diag_span(pl->d, e->start, e->end);
            return LP_ENAME;
        }
    }
    return LP_OK;
}

/* Resolves the qualified references in *pe through the scope (replacing those nodes with
 * column-index nodes); unqualified names are left for the builders to bind. */
lp_status lp_sqlplan_resolve(planner *pl, scope *sc, lp_expr **pe) {
    lp_expr *e = *pe;
    const lp_sql_subq *sq = lp_sqlplan_subq(pl, e);
    if (sq && sq->scalar) {
        for (const scalar_col *s = pl->scalars; s; s = s->next)
            if (s->node == e) {
                *pe = lp_expr_col_index(pl->a, s->col, s->name, e->start, e->end);
                return *pe ? LP_OK : lp_sqlplan_nomem(pl);
            }
        lp_diag_set(pl->d, LP_EUNSUPPORTED,
                    "a subquery is not supported here (only in SELECT, WHERE, HAVING, ORDER BY)");
        lp_diag_span(pl->d, e->start, e->end);
        return LP_EUNSUPPORTED;
    }
    if (sq) {
        lp_diag_set(pl->d, LP_EUNSUPPORTED, "IN (subquery) is only supported as a WHERE condition (combined with AND)");
        lp_diag_hint(pl->d, "join the subquery instead: ... JOIN (subquery) s ON x = s.y");
        lp_diag_span(pl->d, e->start, e->end);
        return LP_EUNSUPPORTED;
    }
    if (e->kind == LP_EXPR_CALL || e->kind == LP_EXPR_WINDOW) {
        for (int i = 0; i < e->nargs; i++) TRY(lp_sqlplan_resolve(pl, sc, &e->args[i]));
        lp_winspec *w = e->kind == LP_EXPR_WINDOW ? (lp_winspec *)e->win : NULL;
        for (int i = 0; w && i < w->npart; i++) TRY(lp_sqlplan_resolve(pl, sc, &w->part[i]));
        for (int i = 0; w && i < w->norder; i++) TRY(lp_sqlplan_resolve(pl, sc, &w->order[i]));
        return LP_OK;
    }
    if (e->kind != LP_EXPR_COL || e->by_index) return LP_OK;
    const lp_sql_qref *q = lp_sqlplan_qref(pl, e);
    if (!q) return check_ambiguous(pl, sc, e);
    rel *r = lp_sqlplan_find_rel(sc, q->qual);
    if (!r) {
        /* a dotted column name (a flattened JSON field): the binder finds it, or suggests one */
        size_t ql = strlen(q->qual);
        for (int i = 0; i < sc->ncols; i++)
            if (strncasecmp(sc->names[i], q->qual, ql) == 0 && sc->names[i][ql] == '.') return LP_OK;
        /* a struct column's field (window.start): the binder resolves it */
        for (int i = 0; i < sc->ncols; i++)
            if (strcasecmp(sc->names[i], q->qual) == 0) return LP_OK;
        const char *aliases[64];
        int na = 0;
        for (int i = 0; i < sc->nrels && na < 64; i++)
            if (sc->rels[i].alias) aliases[na++] = sc->rels[i].alias;
        lp_diag_set(pl->d, LP_ENAME, "table or alias '%s' not found", q->qual);
        const char *best = lp_expr_closest(q->qual, aliases, na);
        char extra[128] = "";
        if (best) snprintf(extra, sizeof extra, "did you mean '%s'? ", best);
        if (na) hint_list(pl->d, "tables in this query: ", extra, aliases, na);
        lp_diag_span(pl->d, q->qstart, q->qend);
        return LP_ENAME;
    }
    int c = lp_sqlplan_find_name(r->names, r->ncols, q->col);
    if (c < 0 || r->idx[c] < 0) {
        lp_diag_set(pl->d, LP_ENAME,
                    c == -2 ? "column '%s' of '%s' is ambiguous" : "column '%s' does not exist in '%s'", q->col,
                    r->alias);
        const char *best = c == -1 ? lp_expr_closest(q->col, r->names, r->ncols) : NULL;
        char extra[160] = "";
        if (best) snprintf(extra, sizeof extra, "did you mean '%s.%s'? ", r->alias, best);
        hint_list(pl->d, "available columns: ", extra, r->names, r->ncols);
        lp_diag_span(pl->d, e->start, e->end);
        return LP_ENAME;
    }
    lp_expr *ix = lp_expr_col_index(pl->a, r->idx[c], r->names[c], e->start, e->end);
    if (!ix) return lp_sqlplan_nomem(pl);
    *pe = ix;
    return LP_OK;
}

/* A scope of one relation over all of p's columns (p: a new reference, taken over). */
static lp_status scope_single(planner *pl, lp_plan *p, const char *alias, scope *sc) {
    memset(sc, 0, sizeof *sc);
    sc->p = p;
    sc->ncols = p->ncols;
    sc->names = (const char *const *)p->names;
    sc->nrels = 1;
    sc->rels = lp_arena_zalloc(pl->a, sizeof *sc->rels);
    int *idx = lp_arena_alloc(pl->a, (size_t)p->ncols * sizeof *idx + 1);
    if (!sc->rels || !idx) return lp_sqlplan_nomem(pl);
    for (int i = 0; i < p->ncols; i++) idx[i] = i;
    sc->rels[0] = (rel){alias, p->ncols, (const char *const *)p->names, idx};
    return LP_OK;
}

/* The plan a FROM name refers to: a WITH query, then a view. */
static lp_status lookup_table(planner *pl, const lp_sql_from *f, lp_plan **out) {
    for (cte *c = pl->ctes; c; c = c->next)
        if (strcasecmp(c->name, f->name) == 0) {
            *out = lp_plan_ref(c->p);
            return LP_OK;
        }
    lp_plan *p = pl->cat && pl->cat->lookup ? pl->cat->lookup(pl->cat->ctx, f->name) : NULL;
    if (p) {
        *out = lp_plan_ref(p);
        return LP_OK;
    }
    const char *cands[128];
    int nc = 0;
    for (cte *c = pl->ctes; c && nc < 64; c = c->next) cands[nc++] = c->name;
    for (int i = 0; pl->cat && i < pl->cat->nnames && nc < 128; i++) cands[nc++] = pl->cat->names[i];
    lp_diag_set(pl->d, LP_ENAME, "table or view '%s' not found", f->name);
    const char *best = lp_expr_closest(f->name, cands, nc);
    char extra[160] = "";
    if (best) snprintf(extra, sizeof extra, "did you mean '%s'? ", best);
    if (nc)
        hint_list(pl->d, "available views: ", extra, cands, nc);
    else
        lp_diag_hint(pl->d, "no views yet: register a DataFrame with df.createOrReplaceTempView('%s')", f->name);
    lp_diag_span(pl->d, f->start, f->end);
    return LP_ENAME;
}

/* After `left JOIN right USING (keys)`: where each relation's columns went. The output is the
 * keys, then left's other columns, then right's others, as Spark lays it out (semi and anti
 * joins: left's columns as they are); should the plan's names say otherwise, columns are found
 * by unique name. */
static lp_status using_scope(planner *pl, scope *l, scope *r, const lp_sql_from *f, lp_plan *j, scope *out) {
    bool right = f->how != LP_JOIN_SEMI && f->how != LP_JOIN_ANTI;
    int nl = l->ncols, nr = right ? r->ncols : 0;
    int *lmap = lp_arena_alloc(pl->a, (size_t)(nl + r->ncols) * sizeof *lmap + 1);
    if (!lmap) return lp_sqlplan_nomem(pl);
    int *rmap = lmap + nl;
    int k = f->nusing;
    for (int i = 0; i < nl; i++) {
        int u = lp_sqlplan_find_name(f->using, f->nusing, l->names[i]);
        lmap[i] = !right ? i : u >= 0 ? u : k++;
    }
    if (!right) k = nl;
    for (int i = 0; i < r->ncols; i++) {
        int u = lp_sqlplan_find_name(f->using, f->nusing, r->names[i]);
        rmap[i] = u >= 0 ? u : right ? k++ : -1;
    }
    bool ok = k == j->ncols;
    for (int i = 0; ok && i < nl; i++) ok = strcasecmp(j->names[lmap[i]], l->names[i]) == 0;
    for (int i = 0; ok && i < nr; i++) ok = strcasecmp(j->names[rmap[i]], r->names[i]) == 0;
    if (!ok) {
        for (int i = 0; i < nl; i++) lmap[i] = LP_MAX(lp_plan_col_index(j, l->names[i]), -1);
        for (int i = 0; i < r->ncols; i++) rmap[i] = right ? LP_MAX(lp_plan_col_index(j, r->names[i]), -1) : -1;
    }
    memset(out, 0, sizeof *out);
    out->nrels = l->nrels + (right ? r->nrels : 0);
    out->rels = lp_arena_zalloc(pl->a, (size_t)(out->nrels + 1) * sizeof *out->rels);
    if (!out->rels) return lp_sqlplan_nomem(pl);
    for (int s = 0; s < 2; s++) {
        scope *in = s ? r : l;
        int *map = s ? rmap : lmap;
        if (s && !right) break;
        for (int i = 0; i < in->nrels; i++) {
            rel *dst = &out->rels[s ? l->nrels + i : i];
            *dst = in->rels[i];
            dst->idx = lp_arena_alloc(pl->a, (size_t)dst->ncols * sizeof *dst->idx + 1);
            if (!dst->idx) return lp_sqlplan_nomem(pl);
            for (int c = 0; c < dst->ncols; c++) dst->idx[c] = in->rels[i].idx[c] < 0 ? -1 : map[in->rels[i].idx[c]];
        }
    }
    return LP_OK;
}

int lp_sqlplan_count_and(const lp_expr *e) {
    if (e->kind != LP_EXPR_CALL || e->fn != LP_FN_AND) return 1;
    return lp_sqlplan_count_and(e->args[0]) + lp_sqlplan_count_and(e->args[1]);
}

void lp_sqlplan_split_and(lp_expr *e, conjs *c) {
    if (e->kind == LP_EXPR_CALL && e->fn == LP_FN_AND) {
        lp_sqlplan_split_and(e->args[0], c);
        lp_sqlplan_split_and(e->args[1], c);
    } else {
        c->e[c->n++] = e;
    }
}

/* Which sides of a join (left: columns < nl of `both`) e reads: bit 1 left, bit 2 right; -1 when
 * some column is not (unambiguously) in this scope. */
static int sides(planner *pl, scope *both, int nl, const lp_expr *e) {
    if (e->kind == LP_EXPR_LIT) return 0;
    if (e->kind == LP_EXPR_CALL) {
        int s = 0;
        for (int i = 0; i < e->nargs; i++) {
            int a = sides(pl, both, nl, e->args[i]);
            if (a < 0) return -1;
            s |= a;
        }
        return s;
    }
    int at;
    const lp_sql_qref *q = lp_sqlplan_qref(pl, e);
    if (e->by_index) {
        at = e->col;
    } else if (q) {
        rel *r = lp_sqlplan_find_rel(both, q->qual);
        int c = r ? lp_sqlplan_find_name(r->names, r->ncols, q->col) : -1;
        if (c < 0 || r->idx[c] < 0) return -1;
        at = r->idx[c];
    } else if ((at = lp_sqlplan_find_name(both->names, both->ncols, e->name)) < 0) {
        return -1;
    }
    return at < nl ? 1 : 2;
}

/* The equalities between the two sides among the conjuncts, resolved over `both`, ANDed. */
static lp_status take_conjs(planner *pl, scope *both, int nl, conjs *cj, lp_expr **cond) {
    for (int i = 0; cj && i < cj->n; i++) {
        lp_expr *e = cj->e[i];
        if (!e || e->kind != LP_EXPR_CALL || e->fn != LP_FN_EQ || sides(pl, both, nl, e) != 3) continue;
        TRY(lp_sqlplan_resolve(pl, both, &e));
        cj->e[i] = NULL;
        if (*cond) {
            lp_expr *two[2] = {*cond, e};
            if (!(e = lp_expr_call(pl->a, LP_FN_AND, two, 2, (*cond)->start, e->end))) return lp_sqlplan_nomem(pl);
        }
        *cond = e;
    }
    return LP_OK;
}

/* from -> a plan and its scope (sc->p a new reference). Cross joins take their condition from
 * the WHERE conjuncts cj (NULL: none). */
lp_status lp_sqlplan_from(planner *pl, const lp_sql_from *f, scope *sc, conjs *cj) {
    memset(sc, 0, sizeof *sc);
    lp_plan *p = NULL;
    if (f->kind == LP_SQL_FROM_TABLE) {
        TRY(lookup_table(pl, f, &p));
        lp_status st = scope_single(pl, p, f->alias ? f->alias : f->name, sc);
        if (st) lp_sqlplan_scope_reset(sc);
        return st;
    }
    if (f->kind == LP_SQL_FROM_SUB) {
        TRY(lp_sqlplan_tree(pl, f->sub, &p));
        lp_status st = scope_single(pl, p, f->alias, sc);
        if (st) lp_sqlplan_scope_reset(sc);
        return st;
    }
    scope l, r, both;
    TRY(lp_sqlplan_from(pl, f->left, &l, cj));
    lp_status st = lp_sqlplan_from(pl, f->right, &r, cj);
    if (st) {
        lp_sqlplan_scope_reset(&l);
        return st;
    }
    /* left ++ right: the scope an ON condition sees */
    memset(&both, 0, sizeof both);
    both.ncols = l.ncols + r.ncols;
    both.nrels = l.nrels + r.nrels;
    const char **names = lp_arena_alloc(pl->a, (size_t)both.ncols * sizeof *names + 1);
    both.rels = lp_arena_zalloc(pl->a, (size_t)both.nrels * sizeof *both.rels + 1);
    if (!names || !both.rels) {
        st = lp_sqlplan_nomem(pl);
        goto done;
    }
    memcpy(names, l.names, (size_t)l.ncols * sizeof *names);
    memcpy(names + l.ncols, r.names, (size_t)r.ncols * sizeof *names);
    both.names = names;
    memcpy(both.rels, l.rels, (size_t)l.nrels * sizeof *both.rels);
    for (int i = 0; i < r.nrels; i++) {
        rel *dst = &both.rels[l.nrels + i];
        *dst = r.rels[i];
        if (!(dst->idx = lp_arena_alloc(pl->a, (size_t)dst->ncols * sizeof *dst->idx + 1))) {
            st = lp_sqlplan_nomem(pl);
            goto done;
        }
        for (int c = 0; c < dst->ncols; c++) dst->idx[c] = r.rels[i].idx[c] < 0 ? -1 : r.rels[i].idx[c] + l.ncols;
    }
    if (f->nusing) {
        for (int i = 0; i < f->nusing; i++)
            for (int s = 0; s < 2; s++) {
                scope *side = s ? &r : &l;
                int c = lp_sqlplan_find_name(side->names, side->ncols, f->using[i]);
                if (c >= 0) continue;
                lp_diag_set(pl->d, LP_ENAME, c == -2 ? "USING column '%s' is ambiguous in the %s side of the join"
                                                     : "USING column '%s' does not exist in the %s side of the join",
                            f->using[i], s ? "right" : "left");
                const char *best = c == -1 ? lp_expr_closest(f->using[i], side->names, side->ncols) : NULL;
                char extra[160] = "";
                if (best) snprintf(extra, sizeof extra, "did you mean '%s'? ", best);
                hint_list(pl->d, "available columns: ", extra, side->names, side->ncols);
                lp_diag_span(pl->d, f->ustart[i], f->uend[i]);
                st = LP_ENAME;
                goto done;
            }
        st = lp_plan_join_using(l.p, r.p, f->using, f->nusing, f->how, &p, pl->d);
        if (st == LP_OK) st = using_scope(pl, &l, &r, f, p, sc);
    } else {
        lp_expr *cond = f->on;
        if (cond && (st = lp_sqlplan_resolve(pl, &both, &cond)) != LP_OK) goto done;
        lp_join_how how = !cond && f->how == LP_JOIN_INNER ? LP_JOIN_CROSS : f->how;
        if (how == LP_JOIN_CROSS) {
            if ((st = take_conjs(pl, &both, l.ncols, cj, &cond))) goto done;
            if (cond) how = LP_JOIN_INNER;
        }
        st = lp_plan_join_on(l.p, r.p, cond, how, &p, pl->d);
        if (st == LP_OK) {
            *sc = both;
            if (how == LP_JOIN_SEMI || how == LP_JOIN_ANTI) sc->nrels = l.nrels;
        }
    }
    if (st == LP_OK) {
        sc->p = p;
        sc->ncols = p->ncols;
        sc->names = (const char *const *)p->names;
    } else {
        lp_plan_unref(p);
        memset(sc, 0, sizeof *sc);
    }
done:
    lp_sqlplan_scope_reset(&l);
    lp_sqlplan_scope_reset(&r);
    return st;
}

/* Replaces *p by *next, the node just built from it with status st (keeps *p on error). */
lp_status lp_sqlplan_step(lp_plan **p, lp_status st, lp_plan **next) {
    if (st != LP_OK) return st;
    lp_plan_unref(*p);
    *p = *next;
    *next = NULL;
    return LP_OK;
}

/* Whether a query returns at most one row whatever its input: a LIMIT 0 or 1, or one SELECT that
 * aggregates without GROUP BY (or has no FROM). */
static bool one_row_query(const lp_sql_tree *q) {
    if (q->limit == 0 || q->limit == 1) return true;
    if (q->nsel != 1) return false;
    const lp_sql_select *s = &q->sels[0];
    if (s->ngroup) return false;
    if (!s->from || s->having) return true;
    for (int i = 0; i < s->nitems; i++)
        if (s->items[i].e && lp_expr_has_agg(s->items[i].e)) return true;
    return false;
}

lp_status lp_sqlplan_scalars(planner *pl, scope *sc, lp_expr *e, int *cols, const char **names, int *n, int cap) {
    if (e->kind == LP_EXPR_CALL) {
        for (int i = 0; i < e->nargs; i++) TRY(lp_sqlplan_scalars(pl, sc, e->args[i], cols, names, n, cap));
        return LP_OK;
    }
    const lp_sql_subq *sq = lp_sqlplan_subq(pl, e);
    if (!sq || !sq->scalar) return LP_OK;
    for (const scalar_col *s = pl->scalars; s; s = s->next)
        if (s->node == e) return LP_OK;
    if (*n == cap) {
        lp_diag_set(pl->d, LP_ELIMIT, "too many subqueries in one SELECT (at most %d)", cap);
        lp_diag_span(pl->d, e->start, e->end);
        return LP_ELIMIT;
    }
    if (!one_row_query(sq->q)) {
        lp_diag_set(pl->d, LP_ETYPE, "a subquery used as a value must return one row");
        lp_diag_hint(pl->d, "aggregate it, as in (SELECT max(x) FROM t), or add LIMIT 1");
        lp_diag_span(pl->d, e->start, e->end);
        return LP_ETYPE;
    }
    lp_plan *sub = NULL, *one = NULL, *next = NULL;
    TRY(lp_sqlplan_tree(pl, sq->q, &sub));
    lp_status st = LP_OK;
    if (sub->ncols != 1) {
        lp_diag_set(pl->d, LP_ETYPE, "a subquery used as a value must return one column, got %d", sub->ncols);
        lp_diag_span(pl->d, e->start, e->end);
        st = LP_ETYPE;
    }
    /* first() of its rows: one row always, null when the query returns none (as Spark) */
    lp_expr *c0 = st == LP_OK ? lp_expr_col_index(pl->a, 0, sub->names[0], -1, -1) : NULL, *first = NULL;
    if (st == LP_OK && !c0) st = lp_sqlplan_nomem(pl);
    if (st == LP_OK) st = lp_expr_call_named(pl->a, "first", 5, &c0, 1, -1, -1, &first, pl->d);
    const char *name = *n ? lp_arena_printf(pl->a, "scalarsubquery()_%d", *n + 1) : "scalarsubquery()";
    if (st == LP_OK && !name) st = lp_sqlplan_nomem(pl);
    if (st == LP_OK) st = lp_plan_aggregate(sub, NULL, NULL, 0, &first, &name, 1, &one, pl->d);
    int col = sc->p->ncols;
    if (st == LP_OK)
        st = lp_sqlplan_step(&sc->p, lp_plan_join_on(sc->p, one, NULL, LP_JOIN_CROSS, &next, pl->d), &next);
    if (st == LP_OK) sc->names = (const char *const *)sc->p->names;
    lp_plan_unref(sub);
    lp_plan_unref(one);
    if (st != LP_OK) return st;
    scalar_col *s = lp_arena_zalloc(pl->a, sizeof *s);
    if (!s) return lp_sqlplan_nomem(pl);
    *s = (scalar_col){e, col, name, pl->scalars};
    pl->scalars = s;
    names[*n] = name;
    cols[(*n)++] = col;
    return LP_OK;
}

/* Replaces unqualified names in a resolved tree by the indexes they have in sc, so that the tree
 * means the same over sc ++ another input. */
static lp_status pin_names(planner *pl, scope *sc, lp_expr **pe) {
    lp_expr *e = *pe;
    if (e->kind == LP_EXPR_CALL)
        for (int i = 0; i < e->nargs; i++) TRY(pin_names(pl, sc, &e->args[i]));
    if (e->kind != LP_EXPR_COL || e->by_index) return LP_OK;
    int c = lp_sqlplan_find_name(sc->names, sc->ncols, e->name);
    if (c < 0) return LP_OK;  /* the binder explains */
    if (!(*pe = lp_expr_col_index(pl->a, c, sc->names[c], e->start, e->end))) return lp_sqlplan_nomem(pl);
    return LP_OK;
}

static lp_expr *call2(planner *pl, lp_fn fn, lp_expr *x, lp_expr *y) {
    lp_expr *two[2] = {x, y};
    return x && y ? lp_expr_call(pl->a, fn, two, 2, -1, -1) : NULL;
}

/* `x IN (query)` as a WHERE conjunct: a left semi join of sc's plan with the query on x = its
 * column. `x NOT IN (query)` keeps SQL's null semantics: an anti join, then no rows at all when
 * the query returns a null, and a null x only when the query returns no rows. The scope's
 * columns are unchanged. */
lp_status lp_sqlplan_in_subquery(planner *pl, scope *sc, const lp_sql_subq *sq, bool neg) {
    lp_plan *sub = NULL, *left = NULL, *next = NULL, *stats = NULL;
    lp_expr *x = sq->node->args[0];
    int nl = sc->p->ncols;
    lp_status st = lp_sqlplan_tree(pl, sq->q, &sub);
    if (st == LP_OK && sub->ncols != 1) {
        lp_diag_set(pl->d, LP_ETYPE, "the subquery of IN must return one column, got %d", sub->ncols);
        lp_diag_span(pl->d, sq->node->start, sq->node->end);
        st = LP_ETYPE;
    }
    if (st == LP_OK) st = lp_sqlplan_resolve(pl, sc, &x);
    if (st == LP_OK) st = pin_names(pl, sc, &x);
    lp_expr **cols = lp_arena_alloc(pl->a, (size_t)(nl + 1) * sizeof *cols);
    if (st == LP_OK && !cols) st = lp_sqlplan_nomem(pl);
    for (int i = 0; st == LP_OK && i < nl; i++)
        if (!(cols[i] = lp_expr_col_index(pl->a, i, sc->p->names[i], -1, -1))) st = lp_sqlplan_nomem(pl);
    /* x as a column of the left input (a hidden one when it is an expression) */
    int xcol = x->kind == LP_EXPR_COL ? x->col : nl;
    left = lp_plan_ref(sc->p);
    if (st == LP_OK && xcol == nl) {
        cols[nl] = x;
        st = lp_sqlplan_step(&left, lp_plan_project(left, cols, NULL, nl + 1, &next, pl->d), &next);
    }
    lp_expr *xc = st == LP_OK ? lp_expr_col_index(pl->a, xcol, left->names[xcol], x->start, x->end) : NULL;
    lp_expr *yc = st == LP_OK ? lp_expr_col_index(pl->a, left->ncols, sub->names[0], -1, -1) : NULL;
    lp_expr *cond = st == LP_OK ? call2(pl, LP_FN_EQ, xc, yc) : NULL;
    if (st == LP_OK && !cond) st = lp_sqlplan_nomem(pl);
    if (st == LP_OK)
        st = lp_sqlplan_step(&left, lp_plan_join_on(left, sub, cond, neg ? LP_JOIN_ANTI : LP_JOIN_SEMI, &next, pl->d),
                             &next);
    if (st == LP_OK && neg) {
        /* one row: how many rows the query returned, and how many were null */
        lp_expr *y = lp_expr_col_index(pl->a, 0, sub->names[0], -1, -1);
        lp_expr *isnull = y ? lp_expr_call(pl->a, LP_FN_IS_NULL, &y, 1, -1, -1) : NULL;
        lp_expr *one = lp_expr_int(pl->a, 1);
        lp_expr *when = call2(pl, LP_FN_CASE, isnull, one);
        lp_expr *aggs[2] = {NULL, NULL};
        if (!when || (st = lp_expr_call_named(pl->a, "count", 5, &one, 1, -1, -1, &aggs[0], pl->d)) ||
            (st = lp_expr_call_named(pl->a, "count", 5, &when, 1, -1, -1, &aggs[1], pl->d)))
            st = st ? st : lp_sqlplan_nomem(pl);
        const char *names[2] = {"__rows", "__nulls"};
        if (st == LP_OK) st = lp_plan_aggregate(sub, NULL, NULL, 0, aggs, names, 2, &stats, pl->d);
        if (st == LP_OK)
            st = lp_sqlplan_step(&left, lp_plan_join_on(left, stats, NULL, LP_JOIN_CROSS, &next, pl->d), &next);
        int n = left ? left->ncols : 0;
        lp_expr *rows = lp_expr_col_index(pl->a, n - 2, "__rows", -1, -1);
        lp_expr *nulls = lp_expr_col_index(pl->a, n - 1, "__nulls", -1, -1);
        lp_expr *xv = lp_expr_col_index(pl->a, xcol, "x", -1, -1);
        lp_expr *xnn = xv ? lp_expr_call(pl->a, LP_FN_IS_NOT_NULL, &xv, 1, -1, -1) : NULL;
        lp_expr *keep = call2(pl, LP_FN_AND, call2(pl, LP_FN_EQ, nulls, lp_expr_int(pl->a, 0)),
                              call2(pl, LP_FN_OR, xnn, call2(pl, LP_FN_EQ, rows, lp_expr_int(pl->a, 0))));
        if (st == LP_OK && !keep) st = lp_sqlplan_nomem(pl);
        if (st == LP_OK) st = lp_sqlplan_step(&left, lp_plan_filter(left, keep, &next, pl->d), &next);
    }
    if (st == LP_OK && left->ncols != nl)
        st = lp_sqlplan_step(&left, lp_plan_project(left, cols, (const char *const *)sc->p->names, nl, &next, pl->d),
                             &next);
    lp_plan_unref(sub);
    lp_plan_unref(stats);
    if (st != LP_OK) {
        lp_plan_unref(left);
        return st;
    }
    lp_plan_unref(sc->p);
    sc->p = left;
    sc->names = (const char *const *)left->names;
    return LP_OK;
}
