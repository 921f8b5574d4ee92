/* sql_plan.c -- query trees (sql_parse.c) to logical plans (plan/plan.h): the last step of
 * spark.sql("...").
 *
 * A FROM clause becomes a plan and a scope: the relations it names (a view, an aliased
 * subquery, each side of a join) and, for each of their columns, its index in the plan's
 * output. Qualified references `t.col` are resolved through the scope to lp_expr_col_index
 * nodes; unqualified names stay names and are bound by the plan builders, which report
 * misspellings and ambiguity (a name both sides of a join have) with their did-you-mean hints.
 *
 * A SELECT is planned as Spark's analyzer would: FROM -> WHERE (filter) -> GROUP BY/aggregates
 * (one aggregate node whose outputs are the keys, the select items, the HAVING condition and any
 * ORDER BY aggregates, the last two hidden) -> HAVING (filter) -> ORDER BY (sort) -> projection
 * -> DISTINCT -> LIMIT. Without aggregation ORDER BY sorts before the projection, so it may use
 * input columns the select list drops; aliases and positions are replaced by their select items.
 * UNION plans each branch, then ORDER BY and LIMIT apply to the whole, by output names.
 *
 * Memory: the query tree and every temporary array live in one arena, reset before
 * lp_sql_query returns; plans hold their own copies (the builders clone). Every plan reference
 * taken here is released on every path.
 */
#include "lang/sql.h"

#include <stdio.h>
#include <strings.h>

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

typedef struct planner {
    lp_arena *a;
    const lp_sql_catalog *cat;
    const lp_sql_qref *qrefs;
    const lp_sql_subq *subqs;
    cte *ctes, *owned;
    lp_diag *d;
} planner;

static lp_status nomem(planner *pl) { return lp_diag_nomem(pl->d, "SQL planner"); }

static void scope_reset(scope *sc) {
    lp_plan_unref(sc->p);
    memset(sc, 0, sizeof *sc);
}

static lp_status plan_tree(planner *pl, const lp_sql_tree *q, lp_plan **out);

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
static int find_name(const char *const *names, int n, const char *name) {
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

static const lp_sql_qref *qref_of(planner *pl, const lp_expr *e) {
    for (const lp_sql_qref *q = pl->qrefs; q; q = q->next)
        if (q->node == e) return q;
    return NULL;
}

static const lp_sql_subq *subq_of(planner *pl, const lp_expr *e) {
    for (const lp_sql_subq *q = pl->subqs; q; q = q->next)
        if (q->node == e) return q;
    return NULL;
}

static rel *find_rel(scope *sc, const char *alias) {
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
        int c = find_name(sc->rels[i].names, sc->rels[i].ncols, e->name);
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
static lp_status resolve(planner *pl, scope *sc, lp_expr **pe) {
    lp_expr *e = *pe;
    if (subq_of(pl, e)) {
        lp_diag_set(pl->d, LP_EUNSUPPORTED, "IN (subquery) is only supported as a WHERE condition (combined with AND)");
        lp_diag_hint(pl->d, "join the subquery instead: ... JOIN (subquery) s ON x = s.y");
        lp_diag_span(pl->d, e->start, e->end);
        return LP_EUNSUPPORTED;
    }
    if (e->kind == LP_EXPR_CALL) {
        for (int i = 0; i < e->nargs; i++) TRY(resolve(pl, sc, &e->args[i]));
        return LP_OK;
    }
    if (e->kind != LP_EXPR_COL || e->by_index) return LP_OK;
    const lp_sql_qref *q = qref_of(pl, e);
    if (!q) return check_ambiguous(pl, sc, e);
    rel *r = find_rel(sc, q->qual);
    if (!r) {
        /* a dotted column name (a flattened JSON field): the binder finds it, or suggests one */
        size_t ql = strlen(q->qual);
        for (int i = 0; i < sc->ncols; i++)
            if (strncasecmp(sc->names[i], q->qual, ql) == 0 && sc->names[i][ql] == '.') return LP_OK;
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
    int c = find_name(r->names, r->ncols, q->col);
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
    if (!ix) return nomem(pl);
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
    if (!sc->rels || !idx) return nomem(pl);
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
    if (!lmap) return nomem(pl);
    int *rmap = lmap + nl;
    int k = f->nusing;
    for (int i = 0; i < nl; i++) {
        int u = find_name(f->using, f->nusing, l->names[i]);
        lmap[i] = !right ? i : u >= 0 ? u : k++;
    }
    if (!right) k = nl;
    for (int i = 0; i < r->ncols; i++) {
        int u = find_name(f->using, f->nusing, r->names[i]);
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
    if (!out->rels) return nomem(pl);
    for (int s = 0; s < 2; s++) {
        scope *in = s ? r : l;
        int *map = s ? rmap : lmap;
        if (s && !right) break;
        for (int i = 0; i < in->nrels; i++) {
            rel *dst = &out->rels[s ? l->nrels + i : i];
            *dst = in->rels[i];
            dst->idx = lp_arena_alloc(pl->a, (size_t)dst->ncols * sizeof *dst->idx + 1);
            if (!dst->idx) return nomem(pl);
            for (int c = 0; c < dst->ncols; c++) dst->idx[c] = in->rels[i].idx[c] < 0 ? -1 : map[in->rels[i].idx[c]];
        }
    }
    return LP_OK;
}

/* The conjuncts of a WHERE clause; a cross (or comma) join takes the equalities between its two
 * sides as its condition, as Spark's optimizer would, so `FROM a, b WHERE a.k = b.k` is a hash
 * join rather than every pair filtered. Taken ones become NULL. */
typedef struct conjs {
    int n;
    lp_expr **e;
} conjs;

static int count_and(const lp_expr *e) {
    return e->kind == LP_EXPR_CALL && e->fn == LP_FN_AND ? count_and(e->args[0]) + count_and(e->args[1]) : 1;
}

static void split_and(lp_expr *e, conjs *c) {
    if (e->kind == LP_EXPR_CALL && e->fn == LP_FN_AND) {
        split_and(e->args[0], c);
        split_and(e->args[1], c);
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
    const lp_sql_qref *q = qref_of(pl, e);
    if (e->by_index) {
        at = e->col;
    } else if (q) {
        rel *r = find_rel(both, q->qual);
        int c = r ? find_name(r->names, r->ncols, q->col) : -1;
        if (c < 0 || r->idx[c] < 0) return -1;
        at = r->idx[c];
    } else if ((at = find_name(both->names, both->ncols, e->name)) < 0) {
        return -1;
    }
    return at < nl ? 1 : 2;
}

/* The equalities between the two sides among the conjuncts, resolved over `both`, ANDed. */
static lp_status take_conjs(planner *pl, scope *both, int nl, conjs *cj, lp_expr **cond) {
    for (int i = 0; cj && i < cj->n; i++) {
        lp_expr *e = cj->e[i];
        if (!e || e->kind != LP_EXPR_CALL || e->fn != LP_FN_EQ || sides(pl, both, nl, e) != 3) continue;
        TRY(resolve(pl, both, &e));
        cj->e[i] = NULL;
        if (*cond) {
            lp_expr *two[2] = {*cond, e};
            if (!(e = lp_expr_call(pl->a, LP_FN_AND, two, 2, (*cond)->start, e->end))) return nomem(pl);
        }
        *cond = e;
    }
    return LP_OK;
}

/* from -> a plan and its scope (sc->p a new reference). Cross joins take their condition from
 * the WHERE conjuncts cj (NULL: none). */
static lp_status plan_from(planner *pl, const lp_sql_from *f, scope *sc, conjs *cj) {
    memset(sc, 0, sizeof *sc);
    lp_plan *p = NULL;
    if (f->kind == LP_SQL_FROM_TABLE) {
        TRY(lookup_table(pl, f, &p));
        lp_status st = scope_single(pl, p, f->alias ? f->alias : f->name, sc);
        if (st) scope_reset(sc);
        return st;
    }
    if (f->kind == LP_SQL_FROM_SUB) {
        TRY(plan_tree(pl, f->sub, &p));
        lp_status st = scope_single(pl, p, f->alias, sc);
        if (st) scope_reset(sc);
        return st;
    }
    scope l, r, both;
    TRY(plan_from(pl, f->left, &l, cj));
    lp_status st = plan_from(pl, f->right, &r, cj);
    if (st) {
        scope_reset(&l);
        return st;
    }
    /* left ++ right: the scope an ON condition sees */
    memset(&both, 0, sizeof both);
    both.ncols = l.ncols + r.ncols;
    both.nrels = l.nrels + r.nrels;
    const char **names = lp_arena_alloc(pl->a, (size_t)both.ncols * sizeof *names + 1);
    both.rels = lp_arena_zalloc(pl->a, (size_t)both.nrels * sizeof *both.rels + 1);
    if (!names || !both.rels) {
        st = nomem(pl);
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
            st = nomem(pl);
            goto done;
        }
        for (int c = 0; c < dst->ncols; c++) dst->idx[c] = r.rels[i].idx[c] < 0 ? -1 : r.rels[i].idx[c] + l.ncols;
    }
    if (f->nusing) {
        for (int i = 0; i < f->nusing; i++)
            for (int s = 0; s < 2; s++) {
                scope *side = s ? &r : &l;
                int c = find_name(side->names, side->ncols, f->using[i]);
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
        if (cond && (st = resolve(pl, &both, &cond)) != LP_OK) goto done;
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
    scope_reset(&l);
    scope_reset(&r);
    return st;
}

/* Structural equality of two unbound trees (names case-insensitively, as Spark resolves them). */
static bool expr_equal(const lp_expr *x, const lp_expr *y) {
    if (x->kind != y->kind) return false;
    if (x->kind == LP_EXPR_COL) {
        if (x->by_index != y->by_index) return false;
        return x->by_index ? x->col == y->col : strcasecmp(x->name, y->name) == 0;
    }
    if (x->kind == LP_EXPR_LIT) {
        const lp_value *a = &x->lit, *b = &y->lit;
        if (!lp_type_eq(a->type, b->type) || a->null != b->null) return false;
        if (a->null) return true;
        switch ((lp_kind)a->type.kind) {
        case LP_BOOL: return a->u.b == b->u.b;
        case LP_FLOAT64: return a->u.f == b->u.f;
        case LP_DATE: return a->u.d == b->u.d;
        case LP_STRING: return a->u.s.n == b->u.s.n && memcmp(a->u.s.p, b->u.s.p, (size_t)a->u.s.n) == 0;
        default: return a->u.i == b->u.i;
        }
    }
    if (x->fn != y->fn || x->nargs != y->nargs || !lp_type_eq(x->cast_to, y->cast_to)) return false;
    for (int i = 0; i < x->nargs; i++)
        if (!expr_equal(x->args[i], y->args[i])) return false;
    return true;
}

/* An integer literal standing alone in ORDER BY / GROUP BY: a 1-based select position. */
static bool is_position(const lp_expr *e) {
    return e->kind == LP_EXPR_LIT && !e->lit.null && e->lit.type.kind == LP_INT64;
}

static lp_status bad_position(planner *pl, const lp_expr *e, const char *clause, int nitems) {
    lp_diag_set(pl->d, LP_ENAME, "%s position %lld is not in the select list", clause, (long long)e->lit.u.i);
    lp_diag_hint(pl->d, "positions count the selected columns from 1 to %d", nitems);
    lp_diag_span(pl->d, e->start, e->end);
    return LP_ENAME;
}

/* The select list, stars expanded. */
typedef struct items {
    int n;
    lp_expr **ex;
    const char **name;  /* alias or NULL */
} items;

/* The select item an unqualified name in ORDER BY / GROUP BY / HAVING means, or -1. With
 * `columns_first`, a name that is also an input column means the column (GROUP BY, HAVING). */
static int alias_of(planner *pl, const items *it, const scope *sc, const lp_expr *e, bool columns_first) {
    if (e->kind != LP_EXPR_COL || e->by_index || qref_of(pl, e)) return -1;
    if (columns_first && find_name(sc->names, sc->ncols, e->name) != -1) return -1;
    for (int i = 0; i < it->n; i++)
        if (it->name[i] && strcasecmp(it->name[i], e->name) == 0) return i;
    return -1;
}

/* Replaces unqualified names that are select aliases by their items (HAVING: only names that
 * are not input columns; ORDER BY: aliases first, as Spark resolves them). */
static void subst_aliases(planner *pl, const items *it, const scope *sc, bool columns_first, lp_expr **pe) {
    int i = alias_of(pl, it, sc, *pe, columns_first);
    if (i >= 0) {
        *pe = it->ex[i];
        return;
    }
    if ((*pe)->kind == LP_EXPR_CALL)
        for (int k = 0; k < (*pe)->nargs; k++) subst_aliases(pl, it, sc, columns_first, &(*pe)->args[k]);
}

static lp_status expand_items(planner *pl, const lp_sql_select *sel, scope *sc, items *it) {
    int cap = 0;
    for (int i = 0; i < sel->nitems; i++) {
        const lp_sql_item *si = &sel->items[i];
        if (!si->star) {
            cap++;
            continue;
        }
        if (!sc->p) {
            lp_diag_set(pl->d, LP_ESYNTAX, "SELECT * needs a FROM clause");
            lp_diag_span(pl->d, si->start, si->end);
            return LP_ESYNTAX;
        }
        cap += sc->ncols;
    }
    it->n = 0;
    it->ex = lp_arena_alloc(pl->a, (size_t)cap * sizeof *it->ex + 1);
    it->name = lp_arena_alloc(pl->a, (size_t)cap * sizeof *it->name + 1);
    if (!it->ex || !it->name) return nomem(pl);
    for (int i = 0; i < sel->nitems; i++) {
        lp_sql_item *si = &sel->items[i];
        if (!si->star) {
            TRY(resolve(pl, sc, &si->e));
            it->name[it->n] = si->alias;
            it->ex[it->n++] = si->e;
            continue;
        }
        if (!*si->star) {
            for (int c = 0; c < sc->ncols; c++) {
                it->name[it->n] = NULL;
                if (!(it->ex[it->n++] = lp_expr_col_index(pl->a, c, sc->names[c], si->start, si->end)))
                    return nomem(pl);
            }
            continue;
        }
        rel *r = find_rel(sc, si->star);
        if (!r) {
            lp_diag_set(pl->d, LP_ENAME, "table or alias '%s' not found", si->star);
            lp_diag_span(pl->d, si->start, si->start + (int64_t)strlen(si->star));
            return LP_ENAME;
        }
        for (int c = 0; c < r->ncols; c++) {
            if (r->idx[c] < 0) continue;
            it->name[it->n] = NULL;
            if (!(it->ex[it->n++] = lp_expr_col_index(pl->a, r->idx[c], r->names[c], si->start, si->end)))
                return nomem(pl);
        }
    }
    return LP_OK;
}

/* ORDER BY over a plan's output (after DISTINCT or UNION): positions and output names. */
static lp_status sort_output(planner *pl, lp_plan **p, const lp_sql_order *order, int n) {
    lp_expr **keys = lp_arena_alloc(pl->a, (size_t)n * sizeof *keys);
    bool *desc = lp_arena_alloc(pl->a, (size_t)n * sizeof *desc);
    int *nf = lp_arena_alloc(pl->a, (size_t)n * sizeof *nf);
    if (!keys || !desc || !nf) return nomem(pl);
    scope sc = {*p, (*p)->ncols, (const char *const *)(*p)->names, 0, NULL};
    for (int i = 0; i < n; i++) {
        lp_expr *e = order[i].e;
        desc[i] = order[i].desc;
        nf[i] = order[i].nulls_first;
        if (is_position(e)) {
            if (e->lit.u.i < 1 || e->lit.u.i > (*p)->ncols) return bad_position(pl, e, "ORDER BY", (*p)->ncols);
            int c = (int)e->lit.u.i - 1;
            if (!(keys[i] = lp_expr_col_index(pl->a, c, (*p)->names[c], e->start, e->end))) return nomem(pl);
            continue;
        }
        char *printed = lp_expr_print(pl->a, e);
        if (!printed) return nomem(pl);
        int c = find_name(sc.names, sc.ncols, printed);
        if (c >= 0 && e->kind != LP_EXPR_COL) {
            if (!(keys[i] = lp_expr_col_index(pl->a, c, (*p)->names[c], e->start, e->end))) return nomem(pl);
            continue;
        }
        TRY(resolve(pl, &sc, &e));
        keys[i] = e;
    }
    lp_plan *s = NULL;
    TRY(lp_plan_sort(*p, keys, desc, nf, n, &s, pl->d));
    lp_plan_unref(*p);
    *p = s;
    return LP_OK;
}

/* Replaces *p by *next, the node just built from it with status st (keeps *p on error). */
static lp_status step(lp_plan **p, lp_status st, lp_plan **next) {
    if (st != LP_OK) return st;
    lp_plan_unref(*p);
    *p = *next;
    *next = NULL;
    return LP_OK;
}

/* The outermost aggregate call in e, or NULL. */
static const lp_expr *first_agg(const lp_expr *e) {
    if (e->kind != LP_EXPR_CALL) return NULL;
    const lp_fninfo *fi = lp_fn_info(e->fn);
    if (fi && (fi->flags & LP_FNF_AGG)) return e;
    for (int i = 0; i < e->nargs; i++) {
        const lp_expr *a = first_agg(e->args[i]);
        if (a) return a;
    }
    return NULL;
}

/* An aggregate where none may be (WHERE, GROUP BY): spans the aggregate call. */
static lp_status no_agg(planner *pl, const lp_expr *e, const char *clause, const char *hint) {
    const lp_expr *a = e ? first_agg(e) : NULL;
    if (!a) return LP_OK;
    lp_diag_set(pl->d, LP_ETYPE, "aggregate functions are not allowed in %s", clause);
    lp_diag_hint(pl->d, "%s", hint);
    lp_diag_span(pl->d, a->start, a->end);
    return LP_ETYPE;
}

/* A growable list of aggregate-node outputs. */
typedef struct aggout {
    int n, cap;
    lp_expr **ex;
    const char **name;
} aggout;

static int agg_add(planner *pl, aggout *ao, lp_expr *e, const char *name) {
    if (ao->n == ao->cap) {
        int cap = ao->cap ? 2 * ao->cap : 8;
        lp_expr **ex = lp_arena_alloc(pl->a, (size_t)cap * sizeof *ex);
        const char **nm = lp_arena_alloc(pl->a, (size_t)cap * sizeof *nm);
        if (!ex || !nm) return -1;
        if (ao->n) {
            memcpy(ex, ao->ex, (size_t)ao->n * sizeof *ex);
            memcpy(nm, ao->name, (size_t)ao->n * sizeof *nm);
        }
        ao->ex = ex;
        ao->name = nm;
        ao->cap = cap;
    }
    ao->ex[ao->n] = e;
    ao->name[ao->n] = name;
    return ao->n++;
}

/* The aggregation half of a SELECT: one aggregate node over the FROM/WHERE plan *p whose
 * outputs are the keys, then the select items not equal to a key, the HAVING condition and the
 * ORDER BY expressions the select list lacks; then HAVING, ORDER BY and the projection of the
 * select items (by index, so every name is the aggregate's or the alias). */
static lp_status plan_grouped(planner *pl, const lp_sql_select *sel, scope *sc, items *it, const lp_sql_order *order,
                              int norder, lp_plan **p) {
    int nk = sel->ngroup;
    lp_expr **keys = lp_arena_alloc(pl->a, (size_t)nk * sizeof *keys + 1);
    int *outcol = lp_arena_alloc(pl->a, (size_t)it->n * sizeof *outcol + 1);
    if (!keys || !outcol) return nomem(pl);
    for (int i = 0; i < nk; i++) {
        lp_expr *g = sel->group[i];
        int a;
        if (is_position(g)) {
            if (g->lit.u.i < 1 || g->lit.u.i > it->n) return bad_position(pl, g, "GROUP BY", it->n);
            g = it->ex[g->lit.u.i - 1];
            if (lp_expr_has_agg(g)) {
                lp_diag_set(pl->d, LP_ETYPE, "GROUP BY position %lld refers to an aggregate, %s",
                            (long long)sel->group[i]->lit.u.i, lp_expr_print(pl->a, g) ? lp_expr_print(pl->a, g) : "");
                lp_diag_hint(pl->d, "group by the columns the aggregate is computed over instead");
                lp_diag_span(pl->d, sel->group[i]->start, sel->group[i]->end);
                return LP_ETYPE;
            }
        } else if ((a = alias_of(pl, it, sc, g, true)) >= 0) {
            g = it->ex[a];
        } else {
            TRY(resolve(pl, sc, &sel->group[i]));
            g = sel->group[i];
        }
        TRY(no_agg(pl, g, "GROUP BY", "group by columns or expressions over them; aggregates go in the select list"));
        keys[i] = g;
    }
    aggout ao = {0};
    for (int i = 0; i < it->n; i++) {
        outcol[i] = -1;
        for (int k = 0; k < nk && outcol[i] < 0; k++)
            if (expr_equal(it->ex[i], keys[k])) outcol[i] = k;
        if (outcol[i] >= 0) continue;
        int a = agg_add(pl, &ao, it->ex[i], it->name[i]);
        if (a < 0) return nomem(pl);
        outcol[i] = nk + a;
    }
    int having = -1;
    if (sel->having) {
        lp_expr *h = sel->having;
        subst_aliases(pl, it, sc, true, &h);
        TRY(resolve(pl, sc, &h));
        if ((having = agg_add(pl, &ao, h, "__having")) < 0) return nomem(pl);
        having += nk;
    }
    int *ocol = lp_arena_alloc(pl->a, (size_t)norder * sizeof *ocol + 1);
    if (!ocol) return nomem(pl);
    for (int i = 0; i < norder; i++) {
        lp_expr *e = order[i].e;
        int a;
        if (is_position(e)) {
            if (e->lit.u.i < 1 || e->lit.u.i > it->n) return bad_position(pl, e, "ORDER BY", it->n);
            ocol[i] = outcol[e->lit.u.i - 1];
            continue;
        }
        if ((a = alias_of(pl, it, sc, e, false)) >= 0) {
            ocol[i] = outcol[a];
            continue;
        }
        subst_aliases(pl, it, sc, false, &e);
        TRY(resolve(pl, sc, &e));
        ocol[i] = -1;
        for (int k = 0; k < nk && ocol[i] < 0; k++)
            if (expr_equal(e, keys[k])) ocol[i] = k;
        for (int k = 0; k < it->n && ocol[i] < 0; k++)
            if (expr_equal(e, it->ex[k])) ocol[i] = outcol[k];
        if (ocol[i] < 0) {
            if ((a = agg_add(pl, &ao, e, NULL)) < 0) return nomem(pl);
            ocol[i] = nk + a;
        }
    }
    lp_plan *next = NULL;
    TRY(step(p, lp_plan_aggregate(*p, keys, NULL, nk, ao.ex, ao.name, ao.n, &next, pl->d), &next));
    lp_plan *agg = *p;
    if (having >= 0) {
        lp_expr *h = lp_expr_col_index(pl->a, having, agg->names[having], sel->having->start, sel->having->end);
        if (!h) return nomem(pl);
        TRY(step(p, lp_plan_filter(*p, h, &next, pl->d), &next));
    }
    if (norder) {
        lp_expr **k = lp_arena_alloc(pl->a, (size_t)norder * sizeof *k);
        bool *desc = lp_arena_alloc(pl->a, (size_t)norder * sizeof *desc);
        int *nf = lp_arena_alloc(pl->a, (size_t)norder * sizeof *nf);
        if (!k || !desc || !nf) return nomem(pl);
        for (int i = 0; i < norder; i++) {
            desc[i] = order[i].desc;
            nf[i] = order[i].nulls_first;
            if (!(k[i] = lp_expr_col_index(pl->a, ocol[i], (*p)->names[ocol[i]], order[i].e->start, order[i].e->end)))
                return nomem(pl);
        }
        TRY(step(p, lp_plan_sort(*p, k, desc, nf, norder, &next, pl->d), &next));
    }
    lp_expr **ex = lp_arena_alloc(pl->a, (size_t)it->n * sizeof *ex + 1);
    const char **nm = lp_arena_alloc(pl->a, (size_t)it->n * sizeof *nm + 1);
    if (!ex || !nm) return nomem(pl);
    for (int i = 0; i < it->n; i++) {
        const char *name = (*p)->names[outcol[i]];
        nm[i] = it->name[i] ? it->name[i] : name;
        if (!(ex[i] = lp_expr_col_index(pl->a, outcol[i], name, it->ex[i]->start, it->ex[i]->end))) return nomem(pl);
    }
    return step(p, lp_plan_project(*p, ex, nm, it->n, &next, pl->d), &next);
}

/* Replaces unqualified names in a resolved tree by the indexes they have in sc, so that the tree
 * means the same over sc ++ another input. */
static lp_status pin_names(planner *pl, scope *sc, lp_expr **pe) {
    lp_expr *e = *pe;
    if (e->kind == LP_EXPR_CALL)
        for (int i = 0; i < e->nargs; i++) TRY(pin_names(pl, sc, &e->args[i]));
    if (e->kind != LP_EXPR_COL || e->by_index) return LP_OK;
    int c = find_name(sc->names, sc->ncols, e->name);
    if (c < 0) return LP_OK;  /* the binder explains */
    if (!(*pe = lp_expr_col_index(pl->a, c, sc->names[c], e->start, e->end))) return nomem(pl);
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
static lp_status plan_in_subquery(planner *pl, scope *sc, const lp_sql_subq *sq, bool neg) {
    lp_plan *sub = NULL, *left = NULL, *next = NULL, *stats = NULL;
    lp_expr *x = sq->node->args[0];
    int nl = sc->p->ncols;
    lp_status st = plan_tree(pl, sq->q, &sub);
    if (st == LP_OK && sub->ncols != 1) {
        lp_diag_set(pl->d, LP_ETYPE, "the subquery of IN must return one column, got %d", sub->ncols);
        lp_diag_span(pl->d, sq->node->start, sq->node->end);
        st = LP_ETYPE;
    }
    if (st == LP_OK) st = resolve(pl, sc, &x);
    if (st == LP_OK) st = pin_names(pl, sc, &x);
    lp_expr **cols = lp_arena_alloc(pl->a, (size_t)(nl + 1) * sizeof *cols);
    if (st == LP_OK && !cols) st = nomem(pl);
    for (int i = 0; st == LP_OK && i < nl; i++)
        if (!(cols[i] = lp_expr_col_index(pl->a, i, sc->p->names[i], -1, -1))) st = nomem(pl);
    /* x as a column of the left input (a hidden one when it is an expression) */
    int xcol = x->kind == LP_EXPR_COL ? x->col : nl;
    left = lp_plan_ref(sc->p);
    if (st == LP_OK && xcol == nl) {
        cols[nl] = x;
        st = step(&left, lp_plan_project(left, cols, NULL, nl + 1, &next, pl->d), &next);
    }
    lp_expr *xc = st == LP_OK ? lp_expr_col_index(pl->a, xcol, left->names[xcol], x->start, x->end) : NULL;
    lp_expr *yc = st == LP_OK ? lp_expr_col_index(pl->a, left->ncols, sub->names[0], -1, -1) : NULL;
    lp_expr *cond = st == LP_OK ? call2(pl, LP_FN_EQ, xc, yc) : NULL;
    if (st == LP_OK && !cond) st = nomem(pl);
    if (st == LP_OK) st = step(&left, lp_plan_join_on(left, sub, cond, neg ? LP_JOIN_ANTI : LP_JOIN_SEMI, &next, pl->d), &next);
    if (st == LP_OK && neg) {
        /* one row: how many rows the query returned, and how many were null */
        lp_expr *y = lp_expr_col_index(pl->a, 0, sub->names[0], -1, -1);
        lp_expr *isnull = y ? lp_expr_call(pl->a, LP_FN_IS_NULL, &y, 1, -1, -1) : NULL;
        lp_expr *one = lp_expr_int(pl->a, 1);
        lp_expr *when = call2(pl, LP_FN_CASE, isnull, one);
        lp_expr *aggs[2] = {NULL, NULL};
        if (!when || (st = lp_expr_call_named(pl->a, "count", 5, &one, 1, -1, -1, &aggs[0], pl->d)) ||
            (st = lp_expr_call_named(pl->a, "count", 5, &when, 1, -1, -1, &aggs[1], pl->d)))
            st = st ? st : nomem(pl);
        const char *names[2] = {"__rows", "__nulls"};
        if (st == LP_OK) st = lp_plan_aggregate(sub, NULL, NULL, 0, aggs, names, 2, &stats, pl->d);
        if (st == LP_OK) st = step(&left, lp_plan_join_on(left, stats, NULL, LP_JOIN_CROSS, &next, pl->d), &next);
        int n = left ? left->ncols : 0;
        lp_expr *rows = lp_expr_col_index(pl->a, n - 2, "__rows", -1, -1);
        lp_expr *nulls = lp_expr_col_index(pl->a, n - 1, "__nulls", -1, -1);
        lp_expr *xv = lp_expr_col_index(pl->a, xcol, "x", -1, -1);
        lp_expr *xnn = xv ? lp_expr_call(pl->a, LP_FN_IS_NOT_NULL, &xv, 1, -1, -1) : NULL;
        lp_expr *keep = call2(pl, LP_FN_AND, call2(pl, LP_FN_EQ, nulls, lp_expr_int(pl->a, 0)),
                              call2(pl, LP_FN_OR, xnn, call2(pl, LP_FN_EQ, rows, lp_expr_int(pl->a, 0))));
        if (st == LP_OK && !keep) st = nomem(pl);
        if (st == LP_OK) st = step(&left, lp_plan_filter(left, keep, &next, pl->d), &next);
    }
    if (st == LP_OK && left->ncols != nl)
        st = step(&left, lp_plan_project(left, cols, (const char *const *)sc->p->names, nl, &next, pl->d), &next);
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

/* A single-row, no-column table: the input of SELECT without FROM. */
static lp_status one_row(planner *pl, lp_plan **out) {
    lp_table *t = lp_table_new(0, NULL, NULL);
    if (!t) return nomem(pl);
    lp_column *none[1] = {NULL};
    lp_status st = lp_table_add_part(t, 1, none);
    if (st == LP_OK) st = lp_plan_table(t, "one row", out, pl->d);
    else st = nomem(pl);
    lp_table_unref(t);
    return st;
}

/* select [ORDER BY] [LIMIT] -> a plan (*out, a new reference). */
static lp_status plan_select(planner *pl, lp_sql_select *sel, const lp_sql_order *order, int norder, int64_t limit,
                             lp_plan **out) {
    scope sc;
    memset(&sc, 0, sizeof sc);
    lp_status st;
    conjs cj = {0};
    if (sel->where) {
        TRY(no_agg(pl, sel->where, "WHERE", "filter groups with HAVING, after GROUP BY"));
        if (!(cj.e = lp_arena_alloc(pl->a, (size_t)count_and(sel->where) * sizeof *cj.e))) return nomem(pl);
        split_and(sel->where, &cj);
    }
    if (sel->from) {
        TRY(plan_from(pl, sel->from, &sc, &cj));
    } else {
        TRY(one_row(pl, &sc.p));
    }
    items it = {0};
    lp_plan *next = NULL;
    for (int i = 0; i < cj.n; i++) {
        lp_expr *e = cj.e[i];
        bool neg = e && e->kind == LP_EXPR_CALL && e->fn == LP_FN_NOT;
        const lp_sql_subq *sq = e ? subq_of(pl, neg ? e->args[0] : e) : NULL;
        if (!sq) continue;
        if ((st = plan_in_subquery(pl, &sc, sq, neg))) goto fail;
        cj.e[i] = NULL;
    }
    /* what the joins and semi joins left of WHERE */
    lp_expr *where = NULL;
    for (int i = 0; i < cj.n; i++) {
        lp_expr *e = cj.e[i];
        if (!e) continue;
        if (where) {
            lp_expr *two[2] = {where, e};
            if (!(e = lp_expr_call(pl->a, LP_FN_AND, two, 2, where->start, e->end))) {
                st = nomem(pl);
                goto fail;
            }
        }
        where = e;
    }
    sel->where = where;
    if (sel->where) {
        if ((st = resolve(pl, &sc, &sel->where)) ||
            (st = step(&sc.p, lp_plan_filter(sc.p, sel->where, &next, pl->d), &next)))
            goto fail;
        sc.ncols = sc.p->ncols;
        sc.names = (const char *const *)sc.p->names;
    }
    if ((st = expand_items(pl, sel, &sc, &it))) goto fail;
    bool grouped = sel->ngroup > 0 || sel->having;
    for (int i = 0; i < it.n && !grouped; i++) grouped = lp_expr_has_agg(it.ex[i]);
    int pre_order = sel->distinct ? 0 : norder;
    if (grouped) {
        if ((st = plan_grouped(pl, sel, &sc, &it, order, pre_order, &sc.p))) goto fail;
    } else {
        if (pre_order) {
            lp_expr **k = lp_arena_alloc(pl->a, (size_t)norder * sizeof *k);
            bool *desc = lp_arena_alloc(pl->a, (size_t)norder * sizeof *desc);
            int *nf = lp_arena_alloc(pl->a, (size_t)norder * sizeof *nf);
            if (!k || !desc || !nf) {
                st = nomem(pl);
                goto fail;
            }
            for (int i = 0; i < norder; i++) {
                lp_expr *e = order[i].e;
                int a;
                desc[i] = order[i].desc;
                nf[i] = order[i].nulls_first;
                if (is_position(e)) {
                    if (e->lit.u.i < 1 || e->lit.u.i > it.n) {
                        st = bad_position(pl, e, "ORDER BY", it.n);
                        goto fail;
                    }
                    k[i] = it.ex[e->lit.u.i - 1];
                } else if ((a = alias_of(pl, &it, &sc, e, false)) >= 0) {
                    k[i] = it.ex[a];
                } else {
                    subst_aliases(pl, &it, &sc, false, &e);
                    if ((st = resolve(pl, &sc, &e))) goto fail;
                    k[i] = e;
                }
            }
            if ((st = step(&sc.p, lp_plan_sort(sc.p, k, desc, nf, norder, &next, pl->d), &next))) goto fail;
        }
        if ((st = step(&sc.p, lp_plan_project(sc.p, it.ex, it.name, it.n, &next, pl->d), &next))) goto fail;
    }
    if (sel->distinct) {
        if ((st = step(&sc.p, lp_plan_distinct(sc.p, NULL, 0, NULL, NULL, &next, pl->d), &next))) goto fail;
        if (norder && (st = sort_output(pl, &sc.p, order, norder))) goto fail;
    }
    if (limit >= 0 && (st = step(&sc.p, lp_plan_limit(sc.p, limit, &next, pl->d), &next))) goto fail;
    *out = sc.p;
    return LP_OK;
fail:
    scope_reset(&sc);
    return st;
}

/* [WITH ...] select (UNION [ALL] select)* [ORDER BY] [LIMIT] -> a plan. */
static lp_status plan_tree(planner *pl, const lp_sql_tree *q, lp_plan **out) {
    *out = NULL;
    cte *saved = pl->ctes;
    lp_status st = LP_OK;
    for (int i = 0; i < q->ncte && st == LP_OK; i++) {
        cte *c = lp_arena_zalloc(pl->a, sizeof *c);
        if (!c) {
            st = nomem(pl);
            break;
        }
        c->name = q->ctes[i].name;
        if ((st = plan_tree(pl, q->ctes[i].q, &c->p))) break;
        c->owned = pl->owned;
        pl->owned = c;
        c->next = pl->ctes;
        pl->ctes = c;
    }
    lp_plan *p = NULL, *next = NULL;
    if (st == LP_OK && q->nsel == 1) {
        st = plan_select(pl, &q->sels[0], q->order, q->norder, q->limit, &p);
    } else if (st == LP_OK) {
        st = plan_select(pl, &q->sels[0], NULL, 0, -1, &p);
        for (int i = 1; i < q->nsel && st == LP_OK; i++) {
            lp_plan *b = NULL;
            if ((st = plan_select(pl, &q->sels[i], NULL, 0, -1, &b))) break;
            if (b->ncols != p->ncols) {
                lp_diag_set(pl->d, LP_ETYPE, "UNION needs the same number of columns on both sides: %d and %d",
                            p->ncols, b->ncols);
                lp_diag_span(pl->d, q->sels[i].start, q->sels[i].end);
                lp_plan_unref(b);
                st = LP_ETYPE;
                break;
            }
            st = step(&p, lp_plan_union(p, b, false, &next, pl->d), &next);
            lp_plan_unref(b);
            if (st == LP_OK && !q->union_all[i - 1])
                st = step(&p, lp_plan_distinct(p, NULL, 0, NULL, NULL, &next, pl->d), &next);
        }
        if (st == LP_OK && q->norder) st = sort_output(pl, &p, q->order, q->norder);
        if (st == LP_OK && q->limit >= 0) st = step(&p, lp_plan_limit(p, q->limit, &next, pl->d), &next);
    }
    pl->ctes = saved;
    if (st != LP_OK) {
        lp_plan_unref(p);
        return st;
    }
    *out = p;
    return LP_OK;
}

lp_status lp_sql_query(const char *s, size_t n, int64_t base, const lp_sql_catalog *cat, lp_plan **out, lp_diag *d) {
    *out = NULL;
    lp_arena a;
    lp_arena_init(&a);
    lp_sql_tree *q = NULL;
    lp_sql_qref *qrefs = NULL;
    lp_sql_subq *subqs = NULL;
    lp_status st = lp_sql_parse_query(&a, s, n, base, &q, &qrefs, &subqs, d);
    if (st == LP_OK) {
        planner pl = {&a, cat, qrefs, subqs, NULL, NULL, d};
        st = plan_tree(&pl, q, out);
        for (cte *c = pl.owned; c; c = c->owned) lp_plan_unref(c->p);
    }
    lp_arena_reset(&a);
    return st;
}
