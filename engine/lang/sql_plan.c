/* sql_plan.c -- query trees (sql_select.c) to logical plans (plan/plan.h): the last step of
 * spark.sql("..."). FROM clauses are planned in sql_from.c.
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
#include "lang/sql_plan.h"

#include <stdio.h>
#include <strings.h>

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
    if (e->kind != LP_EXPR_COL || e->by_index || lp_sqlplan_qref(pl, e)) return -1;
    if (columns_first && lp_sqlplan_find_name(sc->names, sc->ncols, e->name) != -1) return -1;
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
    if (!it->ex || !it->name) return lp_sqlplan_nomem(pl);
    for (int i = 0; i < sel->nitems; i++) {
        lp_sql_item *si = &sel->items[i];
        if (!si->star) {
            TRY(lp_sqlplan_resolve(pl, sc, &si->e));
            it->name[it->n] = si->alias;
            it->ex[it->n++] = si->e;
            continue;
        }
        if (!*si->star) {
            for (int c = 0; c < sc->ncols; c++) {
                it->name[it->n] = NULL;
                if (!(it->ex[it->n++] = lp_expr_col_index(pl->a, c, sc->names[c], si->start, si->end)))
                    return lp_sqlplan_nomem(pl);
            }
            continue;
        }
        rel *r = lp_sqlplan_find_rel(sc, si->star);
        if (!r) {
            lp_diag_set(pl->d, LP_ENAME, "table or alias '%s' not found", si->star);
            lp_diag_span(pl->d, si->start, si->start + (int64_t)strlen(si->star));
            return LP_ENAME;
        }
        for (int c = 0; c < r->ncols; c++) {
            if (r->idx[c] < 0) continue;
            it->name[it->n] = NULL;
            if (!(it->ex[it->n++] = lp_expr_col_index(pl->a, r->idx[c], r->names[c], si->start, si->end)))
                return lp_sqlplan_nomem(pl);
        }
    }
    return LP_OK;
}

/* ORDER BY over a plan's output (after DISTINCT or UNION): positions and output names. */
static lp_status sort_output(planner *pl, lp_plan **p, const lp_sql_order *order, int n) {
    lp_expr **keys = lp_arena_alloc(pl->a, (size_t)n * sizeof *keys);
    bool *desc = lp_arena_alloc(pl->a, (size_t)n * sizeof *desc);
    int *nf = lp_arena_alloc(pl->a, (size_t)n * sizeof *nf);
    if (!keys || !desc || !nf) return lp_sqlplan_nomem(pl);
    scope sc = {*p, (*p)->ncols, (const char *const *)(*p)->names, 0, NULL};
    for (int i = 0; i < n; i++) {
        lp_expr *e = order[i].e;
        desc[i] = order[i].desc;
        nf[i] = order[i].nulls_first;
        if (is_position(e)) {
            if (e->lit.u.i < 1 || e->lit.u.i > (*p)->ncols) return bad_position(pl, e, "ORDER BY", (*p)->ncols);
            int c = (int)e->lit.u.i - 1;
            if (!(keys[i] = lp_expr_col_index(pl->a, c, (*p)->names[c], e->start, e->end))) return lp_sqlplan_nomem(pl);
            continue;
        }
        char *printed = lp_expr_print(pl->a, e);
        if (!printed) return lp_sqlplan_nomem(pl);
        int c = lp_sqlplan_find_name(sc.names, sc.ncols, printed);
        if (c >= 0 && e->kind != LP_EXPR_COL) {
            if (!(keys[i] = lp_expr_col_index(pl->a, c, (*p)->names[c], e->start, e->end))) return lp_sqlplan_nomem(pl);
            continue;
        }
        TRY(lp_sqlplan_resolve(pl, &sc, &e));
        keys[i] = e;
    }
    lp_plan *s = NULL;
    TRY(lp_plan_sort(*p, keys, desc, nf, n, &s, pl->d));
    lp_plan_unref(*p);
    *p = s;
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
                              int norder, const int *scols, const char *const *snames, int nscal, lp_plan **p) {
    int nk = sel->ngroup;
    lp_expr **keys = lp_arena_alloc(pl->a, (size_t)(nk + nscal) * sizeof *keys + 1);
    int *outcol = lp_arena_alloc(pl->a, (size_t)it->n * sizeof *outcol + 1);
    if (!keys || !outcol) return lp_sqlplan_nomem(pl);
    for (int i = 0; i < sel->ngroup; i++) {
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
            TRY(lp_sqlplan_resolve(pl, sc, &sel->group[i]));
            g = sel->group[i];
        }
        TRY(no_agg(pl, g, "GROUP BY", "group by columns or expressions over them; aggregates go in the select list"));
        keys[i] = g;
    }
    /* a scalar subquery's value is one constant: a grouping key that splits nothing */
    for (int j = 0; j < nscal; j++) {
        lp_expr *k = lp_expr_col_index(pl->a, scols[j], snames[j], -1, -1);
        if (!k) return lp_sqlplan_nomem(pl);
        bool dup = false;
        for (int i = 0; i < nk && !dup; i++) dup = expr_equal(k, keys[i]);
        if (!dup) keys[nk++] = k;
    }
    aggout ao = {0};
    for (int i = 0; i < it->n; i++) {
        outcol[i] = -1;
        for (int k = 0; k < nk && outcol[i] < 0; k++)
            if (expr_equal(it->ex[i], keys[k])) outcol[i] = k;
        if (outcol[i] >= 0) continue;
        int a = agg_add(pl, &ao, it->ex[i], it->name[i]);
        if (a < 0) return lp_sqlplan_nomem(pl);
        outcol[i] = nk + a;
    }
    int having = -1;
    if (sel->having) {
        lp_expr *h = sel->having;
        subst_aliases(pl, it, sc, true, &h);
        TRY(lp_sqlplan_resolve(pl, sc, &h));
        if ((having = agg_add(pl, &ao, h, "__having")) < 0) return lp_sqlplan_nomem(pl);
        having += nk;
    }
    int *ocol = lp_arena_alloc(pl->a, (size_t)norder * sizeof *ocol + 1);
    if (!ocol) return lp_sqlplan_nomem(pl);
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
        TRY(lp_sqlplan_resolve(pl, sc, &e));
        ocol[i] = -1;
        for (int k = 0; k < nk && ocol[i] < 0; k++)
            if (expr_equal(e, keys[k])) ocol[i] = k;
        for (int k = 0; k < it->n && ocol[i] < 0; k++)
            if (expr_equal(e, it->ex[k])) ocol[i] = outcol[k];
        if (ocol[i] < 0) {
            if ((a = agg_add(pl, &ao, e, NULL)) < 0) return lp_sqlplan_nomem(pl);
            ocol[i] = nk + a;
        }
    }
    lp_plan *next = NULL;
    TRY(lp_sqlplan_step(p, lp_plan_aggregate(*p, keys, NULL, nk, ao.ex, ao.name, ao.n, &next, pl->d), &next));
    lp_plan *agg = *p;
    if (having >= 0) {
        lp_expr *h = lp_expr_col_index(pl->a, having, agg->names[having], sel->having->start, sel->having->end);
        if (!h) return lp_sqlplan_nomem(pl);
        TRY(lp_sqlplan_step(p, lp_plan_filter(*p, h, &next, pl->d), &next));
    }
    if (norder) {
        lp_expr **k = lp_arena_alloc(pl->a, (size_t)norder * sizeof *k);
        bool *desc = lp_arena_alloc(pl->a, (size_t)norder * sizeof *desc);
        int *nf = lp_arena_alloc(pl->a, (size_t)norder * sizeof *nf);
        if (!k || !desc || !nf) return lp_sqlplan_nomem(pl);
        for (int i = 0; i < norder; i++) {
            desc[i] = order[i].desc;
            nf[i] = order[i].nulls_first;
            if (!(k[i] = lp_expr_col_index(pl->a, ocol[i], (*p)->names[ocol[i]], order[i].e->start, order[i].e->end)))
                return lp_sqlplan_nomem(pl);
        }
        TRY(lp_sqlplan_step(p, lp_plan_sort(*p, k, desc, nf, norder, &next, pl->d), &next));
    }
    lp_expr **ex = lp_arena_alloc(pl->a, (size_t)it->n * sizeof *ex + 1);
    const char **nm = lp_arena_alloc(pl->a, (size_t)it->n * sizeof *nm + 1);
    if (!ex || !nm) return lp_sqlplan_nomem(pl);
    for (int i = 0; i < it->n; i++) {
        const char *name = (*p)->names[outcol[i]];
        nm[i] = it->name[i] ? it->name[i] : name;
        if (!(ex[i] = lp_expr_col_index(pl->a, outcol[i], name, it->ex[i]->start, it->ex[i]->end)))
            return lp_sqlplan_nomem(pl);
    }
    return lp_sqlplan_step(p, lp_plan_project(*p, ex, nm, it->n, &next, pl->d), &next);
}

/* A single-row, no-column table: the input of SELECT without FROM. */
static lp_status one_row(planner *pl, lp_plan **out) {
    lp_table *t = lp_table_new(0, NULL, NULL);
    if (!t) return lp_sqlplan_nomem(pl);
    lp_column *none[1] = {NULL};
    lp_status st = lp_table_add_part(t, 1, none);
    if (st == LP_OK) st = lp_plan_table(t, "one row", out, pl->d);
    else st = lp_sqlplan_nomem(pl);
    lp_table_unref(t);
    return st;
}

/* select [ORDER BY] [LIMIT] -> a plan (*out, a new reference). */
/* SELECT items with window functions, ORDER BY keys k (over the input): the items and the keys
 * are computed together (the windows planned once), sorted by the key columns, and the keys
 * dropped. */
static lp_status sort_windowed(planner *pl, lp_plan **p, const items *it, lp_expr *const *k, const bool *desc,
                               const int *nf, int norder) {
    int n = it->n + norder;
    lp_expr **ex = lp_arena_alloc(pl->a, (size_t)(n + 1) * sizeof *ex);
    const char **names = lp_arena_zalloc(pl->a, (size_t)(n + 1) * sizeof *names);
    lp_expr **sk = lp_arena_alloc(pl->a, (size_t)(norder + 1) * sizeof *sk);
    if (!ex || !names || !sk) return lp_sqlplan_nomem(pl);
    for (int i = 0; i < it->n; i++) {
        ex[i] = it->ex[i];
        names[i] = it->name[i];
    }
    for (int i = 0; i < norder; i++) {
        ex[it->n + i] = k[i];
        if (!(names[it->n + i] = lp_arena_printf(pl->a, "__order%d", i))) return lp_sqlplan_nomem(pl);
    }
    lp_plan *next = NULL;
    TRY(lp_sqlplan_step(p, lp_plan_project(*p, ex, names, n, &next, pl->d), &next));
    for (int i = 0; i < norder; i++)
        if (!(sk[i] = lp_expr_col_index(pl->a, it->n + i, (*p)->names[it->n + i], k[i]->start, k[i]->end)))
            return lp_sqlplan_nomem(pl);
    TRY(lp_sqlplan_step(p, lp_plan_sort(*p, sk, desc, nf, norder, &next, pl->d), &next));
    for (int i = 0; i < it->n; i++)
        if (!(ex[i] = lp_expr_col_index(pl->a, i, (*p)->names[i], -1, -1))) return lp_sqlplan_nomem(pl);
    return lp_sqlplan_step(p, lp_plan_project(*p, ex, (const char *const *)(*p)->names, it->n, &next, pl->d), &next);
}

static lp_status plan_select(planner *pl, lp_sql_select *sel, const lp_sql_order *order, int norder, int64_t limit,
                             lp_plan **out) {
    scope sc;
    memset(&sc, 0, sizeof sc);
    lp_status st = LP_OK;
    conjs cj = {0};
    if (sel->where) {
        TRY(no_agg(pl, sel->where, "WHERE", "filter groups with HAVING, after GROUP BY"));
        cj.e = lp_arena_alloc(pl->a, (size_t)lp_sqlplan_count_and(sel->where) * sizeof *cj.e);
        if (!cj.e) return lp_sqlplan_nomem(pl);
        lp_sqlplan_split_and(sel->where, &cj);
    }
    if (sel->from) {
        TRY(lp_sqlplan_from(pl, sel->from, &sc, &cj));
    } else {
        TRY(one_row(pl, &sc.p));
    }
    items it = {0};
    lp_plan *next = NULL;
    for (int i = 0; i < cj.n; i++) {
        lp_expr *e = cj.e[i];
        bool neg = e && e->kind == LP_EXPR_CALL && e->fn == LP_FN_NOT;
        const lp_sql_subq *sq = e ? lp_sqlplan_subq(pl, neg ? e->args[0] : e) : NULL;
        if (!sq || sq->scalar) continue; /* a bare scalar subquery is not an IN: planned as a value */
        if ((st = lp_sqlplan_in_subquery(pl, &sc, sq, neg))) goto fail;
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
                st = lp_sqlplan_nomem(pl);
                goto fail;
            }
        }
        where = e;
    }
    sel->where = where;
    /* scalar subqueries: each one more (hidden) input column */
    int scols[16], nscal = 0;
    const char *snames[16];
#define SCALARS(e) lp_sqlplan_scalars(pl, &sc, (e), scols, snames, &nscal, (int)LP_ARRAY_LEN(scols))
    if (where) st = SCALARS(where);
    for (int i = 0; i < sel->nitems && st == LP_OK; i++)
        if (sel->items[i].e) st = SCALARS(sel->items[i].e);
    for (int i = 0; i < sel->ngroup && st == LP_OK; i++) st = SCALARS(sel->group[i]);
    if (sel->having && st == LP_OK) st = SCALARS(sel->having);
    for (int i = 0; i < norder && st == LP_OK && !sel->distinct; i++) st = SCALARS(order[i].e);
#undef SCALARS
    if (st) goto fail;
    if (sel->where) {
        if ((st = lp_sqlplan_resolve(pl, &sc, &sel->where)) ||
            (st = lp_sqlplan_step(&sc.p, lp_plan_filter(sc.p, sel->where, &next, pl->d), &next)))
            goto fail;
        sc.names = (const char *const *)sc.p->names;  /* the same columns (and maybe hidden ones after) */
    }
    if ((st = expand_items(pl, sel, &sc, &it))) goto fail;
    bool grouped = sel->ngroup > 0 || sel->having;
    for (int i = 0; i < it.n && !grouped; i++) grouped = lp_expr_has_agg(it.ex[i]);
    int pre_order = sel->distinct ? 0 : norder;
    /* window functions reorder the rows: such a select sorts after computing them */
    bool windowed = false;
    for (int i = 0; i < it.n && !grouped; i++) windowed = windowed || lp_expr_has_window(it.ex[i]);
    if (grouped) {
        if ((st = plan_grouped(pl, sel, &sc, &it, order, pre_order, scols, snames, nscal, &sc.p))) goto fail;
    } else {
        if (pre_order) {
            lp_expr **k = lp_arena_alloc(pl->a, (size_t)norder * sizeof *k);
            bool *desc = lp_arena_alloc(pl->a, (size_t)norder * sizeof *desc);
            int *nf = lp_arena_alloc(pl->a, (size_t)norder * sizeof *nf);
            if (!k || !desc || !nf) {
                st = lp_sqlplan_nomem(pl);
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
                    if ((st = lp_sqlplan_resolve(pl, &sc, &e))) goto fail;
                    k[i] = e;
                }
            }
            if (windowed) {
                if ((st = sort_windowed(pl, &sc.p, &it, k, desc, nf, norder))) goto fail;
            } else if ((st = lp_sqlplan_step(&sc.p, lp_plan_sort(sc.p, k, desc, nf, norder, &next, pl->d), &next))) {
                goto fail;
            }
        }
        if ((!pre_order || !windowed) &&
            (st = lp_sqlplan_step(&sc.p, lp_plan_project(sc.p, it.ex, it.name, it.n, &next, pl->d), &next)))
            goto fail;
    }
    if (sel->distinct) {
        if ((st = lp_sqlplan_step(&sc.p, lp_plan_distinct(sc.p, NULL, 0, NULL, NULL, &next, pl->d), &next))) goto fail;
        if (norder && (st = sort_output(pl, &sc.p, order, norder))) goto fail;
    }
    if (limit >= 0 && (st = lp_sqlplan_step(&sc.p, lp_plan_limit(sc.p, limit, &next, pl->d), &next))) goto fail;
    *out = sc.p;
    return LP_OK;
fail:
    lp_sqlplan_scope_reset(&sc);
    return st;
}

/* a INTERSECT b, a EXCEPT b: distinct rows, nulls equal, as Spark's set operations have them.
 * Each side's distinct rows are tagged (1, 2) and unioned, then grouped by every column; a group
 * whose tags are 1 and 2 is in both, one whose tags are all 1 only in a. */
static lp_status intersect_except(planner *pl, lp_plan *a, lp_plan *b, bool intersect, lp_plan **out) {
    int n = a->ncols;
    lp_expr **cols = lp_arena_alloc(pl->a, (size_t)(n + 1) * sizeof *cols);
    lp_plan *side[2] = {NULL, NULL}, *p = NULL, *next = NULL;
    lp_status st = cols ? LP_OK : lp_sqlplan_nomem(pl);
    for (int s = 0; s < 2 && st == LP_OK; s++) {
        lp_plan *in = s ? b : a;
        for (int i = 0; i < n && st == LP_OK; i++)
            if (!(cols[i] = lp_expr_col_index(pl->a, i, in->names[i], -1, -1))) st = lp_sqlplan_nomem(pl);
        if (st == LP_OK && !(cols[n] = lp_expr_int(pl->a, s + 1))) st = lp_sqlplan_nomem(pl);
        const char **names = lp_arena_zalloc(pl->a, (size_t)(n + 1) * sizeof *names);
        if (st == LP_OK && !names) st = lp_sqlplan_nomem(pl);
        if (st == LP_OK) {
            memcpy(names, a->names, (size_t)n * sizeof *names);
            names[n] = "__side";
            st = lp_plan_project(in, cols, names, n + 1, &side[s], pl->d);
        }
        if (st == LP_OK)
            st = lp_sqlplan_step(&side[s], lp_plan_distinct(side[s], NULL, 0, NULL, NULL, &next, pl->d), &next);
    }
    if (st == LP_OK) st = lp_plan_union(side[0], side[1], false, &p, pl->d);
    lp_expr *tag = NULL, *aggs[2] = {NULL, NULL};
    const char *aggnames[2] = {"__min", "__max"};
    for (int i = 0; i < n && st == LP_OK; i++)
        if (!(cols[i] = lp_expr_col_index(pl->a, i, p->names[i], -1, -1))) st = lp_sqlplan_nomem(pl);
    if (st == LP_OK && !(tag = lp_expr_col_index(pl->a, n, "__side", -1, -1))) st = lp_sqlplan_nomem(pl);
    if (st == LP_OK) st = lp_expr_call_named(pl->a, "min", 3, &tag, 1, -1, -1, &aggs[0], pl->d);
    if (st == LP_OK) st = lp_expr_call_named(pl->a, "max", 3, &tag, 1, -1, -1, &aggs[1], pl->d);
    if (st == LP_OK)
        st = lp_sqlplan_step(&p, lp_plan_aggregate(p, cols, NULL, n, aggs, aggnames, 2, &next, pl->d), &next);
    if (st == LP_OK) {
        lp_expr *lo = lp_expr_col_index(pl->a, n, "__min", -1, -1);
        lp_expr *hi = lp_expr_col_index(pl->a, n + 1, "__max", -1, -1);
        lp_expr *one = lp_expr_int(pl->a, 1), *two = lp_expr_int(pl->a, 2);
        lp_expr *e1[2] = {lo, one}, *e2[2] = {hi, intersect ? two : one};
        lp_expr *c1 = lo && one ? lp_expr_call(pl->a, LP_FN_EQ, e1, 2, -1, -1) : NULL;
        lp_expr *c2 = hi && two && one ? lp_expr_call(pl->a, LP_FN_EQ, e2, 2, -1, -1) : NULL;
        lp_expr *both[2] = {c1, c2};
        lp_expr *keep = c1 && c2 ? (intersect ? lp_expr_call(pl->a, LP_FN_AND, both, 2, -1, -1) : c2) : NULL;
        st = keep ? lp_sqlplan_step(&p, lp_plan_filter(p, keep, &next, pl->d), &next) : lp_sqlplan_nomem(pl);
    }
    if (st == LP_OK)
        st = lp_sqlplan_step(&p, lp_plan_project(p, cols, (const char *const *)a->names, n, &next, pl->d), &next);
    lp_plan_unref(side[0]);
    lp_plan_unref(side[1]);
    if (st != LP_OK) {
        lp_plan_unref(p);
        return st;
    }
    *out = p;
    return LP_OK;
}

/* *p = *p op b (b borrowed); `right` is b's select, for the error span. */
static lp_status set_combine(planner *pl, lp_plan **p, lp_plan *b, lp_sql_setop op, const lp_sql_select *right) {
    static const char *const opname[] = {"UNION", "UNION", "INTERSECT", "EXCEPT"};
    lp_plan *next = NULL;
    if (b->ncols != (*p)->ncols) {
        lp_diag_set(pl->d, LP_ETYPE, "%s needs the same number of columns on both sides: %d and %d", opname[op],
                    (*p)->ncols, b->ncols);
        lp_diag_span(pl->d, right->start, right->end);
        return LP_ETYPE;
    }
    if (op == LP_SQL_INTERSECT || op == LP_SQL_EXCEPT)
        return lp_sqlplan_step(p, intersect_except(pl, *p, b, op == LP_SQL_INTERSECT, &next), &next);
    TRY(lp_sqlplan_step(p, lp_plan_union(*p, b, false, &next, pl->d), &next));
    if (op == LP_SQL_UNION) TRY(lp_sqlplan_step(p, lp_plan_distinct(*p, NULL, 0, NULL, NULL, &next, pl->d), &next));
    return LP_OK;
}

/* select (op select)*: INTERSECT binds tighter than UNION and EXCEPT, which go left to right. */
static lp_status plan_setops(planner *pl, const lp_sql_tree *q, lp_plan **out) {
    lp_plan **ps = lp_arena_zalloc(pl->a, (size_t)q->nsel * sizeof *ps);
    if (!ps) return lp_sqlplan_nomem(pl);
    lp_status st = LP_OK;
    for (int i = 0; i < q->nsel && st == LP_OK; i++) st = plan_select(pl, &q->sels[i], NULL, 0, -1, &ps[i]);
    /* every non-NULL ps[i] is a reference; a term starts at the last non-NULL slot */
    for (int i = 1, k = 0; i < q->nsel && st == LP_OK; i++) {
        if (q->setop[i - 1] != LP_SQL_INTERSECT) {
            k = i;
            continue;
        }
        st = set_combine(pl, &ps[k], ps[i], LP_SQL_INTERSECT, &q->sels[i]);
        lp_plan_unref(ps[i]);
        ps[i] = NULL;
    }
    for (int i = 1; i < q->nsel && st == LP_OK; i++) {
        if (!ps[i]) continue;
        st = set_combine(pl, &ps[0], ps[i], q->setop[i - 1], &q->sels[i]);
        lp_plan_unref(ps[i]);
        ps[i] = NULL;
    }
    if (st == LP_OK) {
        *out = ps[0];
        ps[0] = NULL;
    }
    for (int i = 0; i < q->nsel; i++) lp_plan_unref(ps[i]);
    return st;
}

/* [WITH ...] select (set-op select)* [ORDER BY] [LIMIT] -> a plan. */
lp_status lp_sqlplan_tree(planner *pl, const lp_sql_tree *q, lp_plan **out) {
    *out = NULL;
    cte *saved = pl->ctes;
    lp_status st = LP_OK;
    for (int i = 0; i < q->ncte && st == LP_OK; i++) {
        cte *c = lp_arena_zalloc(pl->a, sizeof *c);
        if (!c) {
            st = lp_sqlplan_nomem(pl);
            break;
        }
        c->name = q->ctes[i].name;
        if ((st = lp_sqlplan_tree(pl, q->ctes[i].q, &c->p))) break;
        c->owned = pl->owned;
        pl->owned = c;
        c->next = pl->ctes;
        pl->ctes = c;
    }
    lp_plan *p = NULL, *next = NULL;
    if (st == LP_OK && q->nsel == 1) {
        st = plan_select(pl, &q->sels[0], q->order, q->norder, q->limit, &p);
    } else if (st == LP_OK) {
        st = plan_setops(pl, q, &p);
        if (st == LP_OK && q->norder) st = sort_output(pl, &p, q->order, q->norder);
        if (st == LP_OK && q->limit >= 0) st = lp_sqlplan_step(&p, lp_plan_limit(p, q->limit, &next, pl->d), &next);
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
        planner pl = {.a = &a, .cat = cat, .qrefs = qrefs, .subqs = subqs, .d = d};
        st = lp_sqlplan_tree(&pl, q, out);
        for (cte *c = pl.owned; c; c = c->owned) lp_plan_unref(c->p);
    }
    lp_arena_reset(&a);
    return st;
}
