/* plan_exec.c -- running a plan: each node runs its inputs, then its operator (exec/ops.h).
 *
 * Actions call lp_plan_execute for every row, or lp_plan_execute_head when only the first rows
 * are shown (display, show, take, first): the row budget flows down through projections and
 * limits, becomes a top-k in a sort, and stops a filter over a table early, so that looking at
 * a large frame costs what the visible rows cost.
 *
 * A node with `cache` set keeps its result after the first run (df.cache()); the language sets
 * it. Results are immutable tables, shared by reference.
 */
#include "plan/plan.h"

static lp_status run(lp_plan *p, int64_t head, lp_table **out, lp_diag *d);

/* The first n rows of t (t itself when it has no more). */
static lp_status cut(lp_table *t, int64_t n, lp_table **out, lp_diag *d) {
    if (n < 0 || t->nrows <= n) {
        *out = t;
        return LP_OK;
    }
    lp_status st = lp_limit(t, n, out, d);
    lp_table_unref(t);
    return st;
}

/* A filter over rows that only needs `head` matches: filter a growing prefix of the input, so
 * a display of a selective filter over a large table reads a fraction of it. */
static lp_status filter_head(lp_plan *p, int64_t head, lp_table **out, lp_diag *d) {
    lp_table *in = NULL;
    lp_status st = run(p->in[0], -1, &in, d);
    if (st != LP_OK) return st;
    int64_t want = head * 4 + 1024;
    while (want < in->nrows) {
        lp_table *pre = NULL, *f = NULL;
        if ((st = lp_limit(in, want, &pre, d)) != LP_OK) break;
        st = lp_filter(pre, p->pred, &f, d);
        lp_table_unref(pre);
        if (st != LP_OK) break;
        if (f->nrows >= head) {
            lp_table_unref(in);
            return cut(f, head, out, d);
        }
        lp_table_unref(f);
        want *= 8;
    }
    if (st != LP_OK) {
        lp_table_unref(in);
        return st;
    }
    lp_table *f = NULL;
    st = lp_filter(in, p->pred, &f, d);
    lp_table_unref(in);
    return st != LP_OK ? st : cut(f, head, out, d);
}

/* ---- the window group limit ---- */

/* Whether pred (or one of its AND-ed conjuncts) is `c <= k`, `c < k`, `c = k` or the same
 * mirrored, c a column and k an integer literal: *col and *k (c <= k's k) when so. */
static bool rank_bound(const lp_expr *pred, int *col, int64_t *k) {
    if (pred->kind != LP_EXPR_CALL) return false;
    if (pred->fn == LP_FN_AND) return rank_bound(pred->args[0], col, k) || rank_bound(pred->args[1], col, k);
    if (pred->nargs != 2) return false;
    const lp_expr *a = pred->args[0], *b = pred->args[1];
    lp_fn fn = pred->fn;
    if (a->kind == LP_EXPR_LIT) {  /* k >= c is c <= k */
        const lp_expr *t = a;
        a = b;
        b = t;
        fn = fn == LP_FN_GE ? LP_FN_LE : fn == LP_FN_GT ? LP_FN_LT : fn == LP_FN_EQ ? LP_FN_EQ : LP_FN_COUNT_;
    }
    if (a->kind != LP_EXPR_COL || b->kind != LP_EXPR_LIT || b->lit.null || b->lit.type.kind != LP_INT64) return false;
    int64_t v = b->lit.u.i;
    if (fn == LP_FN_LT) v--;
    else if (fn != LP_FN_LE && fn != LP_FN_EQ) return false;
    *col = a->col;
    *k = v;
    return true;
}

/* Spark's WindowGroupLimit: a filter keeping `rn <= k` where rn is a row_number() column of a
 * window below it (through projections that pass the column on) needs only the first k rows of
 * each window partition. Returns that window node when the filter f has this shape and the
 * window's calls all rank (row_number, rank, dense_rank: their values on a kept row depend only
 * on rows before it, which are kept too); nothing in between may be cached. */
static lp_plan *window_limit_match(const lp_plan *f, int64_t *k) {
    int col;
    if (!rank_bound(f->pred, &col, k) || !lp_window_limit_applies(*k)) return NULL;
    lp_plan *q = f->in[0];
    while (q->kind == LP_PLAN_PROJECT && !q->cache && !q->cached) {
        const lp_expr *e = q->exprs[col];
        if (e->kind != LP_EXPR_COL) return NULL;
        col = e->col;
        q = q->in[0];
    }
    if (q->kind != LP_PLAN_WINDOW || q->cache || q->cached || col < q->in[0]->ncols) return NULL;
    if (q->wins[col - q->in[0]->ncols].fn != LP_WIN_ROW_NUMBER) return NULL;
    for (int i = 0; i < q->nwins; i++)
        if (q->wins[i].fn != LP_WIN_ROW_NUMBER && q->wins[i].fn != LP_WIN_RANK && q->wins[i].fn != LP_WIN_DENSE_RANK)
            return NULL;
    return q;
}

static void stage(const lp_plan *p);

/* Runs q (the filter's input) with window w's input cut to the first k rows of each window
 * partition (lp_window_limit), then the window and the projections above it as they are. */
static lp_status run_limited(lp_plan *q, lp_plan *w, int64_t k, lp_table **out, lp_diag *d) {
    lp_table *a = NULL, *b = NULL;
    lp_status st;
    if (q == w) {
        if ((st = run(w->in[0], -1, &a, d)) != LP_OK) return st;
        stage(w);
        st = lp_window_limit(a, w->keys, w->nkeys, w->sort, w->nsort, k, &b, d);
        if (st == LP_OK) st = lp_window(b, w->keys, w->nkeys, w->sort, w->nsort, w->wins, w->nwins, out, d);
    } else if ((st = run_limited(q->in[0], w, k, &a, d)) == LP_OK) {
        stage(q);
        st = lp_project(a, (const lp_expr *const *)q->exprs, (const char *const *)q->names, q->ncols, out, d);
    }
    lp_table_unref(a);
    lp_table_unref(b);
    return st;
}

static const char *const stage_names[] = {"scan", "filter", "project", "aggregate", "sort", "limit",
                                          "distinct", "join", "union", "sample", "window", "generate"};

/* Names the stage for loupe_progress: called once a node's inputs are there, just before its
 * operator runs. */
static void stage(const lp_plan *p) { lp_progress_stage(stage_names[p->kind]); }

static lp_status run_node(lp_plan *p, int64_t head, lp_table **out, lp_diag *d) {
    lp_table *a = NULL, *b = NULL;
    lp_status st = LP_OK;
    switch ((lp_plan_kind)p->kind) {
    case LP_PLAN_TABLE:
        return cut(lp_table_ref(p->cached), head, out, d);
    case LP_PLAN_FILTER: {
        int64_t k;
        lp_plan *w = window_limit_match(p, &k);
        if (w) {
            if ((st = run_limited(p->in[0], w, k, &a, d)) == LP_OK) {
                lp_table *r = NULL;
                stage(p);
                st = lp_filter(a, p->pred, &r, d);
                if (st == LP_OK) st = cut(r, head, out, d);
            }
            break;
        }
        if (head >= 0) return filter_head(p, head, out, d);
        if ((st = run(p->in[0], -1, &a, d)) == LP_OK) {
            stage(p);
            st = lp_filter(a, p->pred, out, d);
        }
        break;
    }
    case LP_PLAN_PROJECT:
        if ((st = run(p->in[0], head, &a, d)) == LP_OK) {
            stage(p);
            st = lp_project(a, (const lp_expr *const *)p->exprs, (const char *const *)p->names, p->ncols, out, d);
        }
        break;
    case LP_PLAN_AGG:
        if ((st = run(p->in[0], -1, &a, d)) == LP_OK) {
            lp_table *r = NULL;
            stage(p);
            st = lp_aggregate(a, p->keys, p->nkeys, p->aggs, p->naggs, &r, d);
            if (st == LP_OK) st = cut(r, head, out, d);
        }
        break;
    case LP_PLAN_SORT: {
        int64_t lim = p->limit;
        if (head >= 0 && (lim < 0 || head < lim)) lim = head;
        if ((st = run(p->in[0], -1, &a, d)) == LP_OK) {
            stage(p);
            st = lp_sort(a, p->sort, p->nsort, lim, out, d);
        }
        break;
    }
    case LP_PLAN_LIMIT: {
        int64_t n = head >= 0 && head < p->limit ? head : p->limit;
        if ((st = run(p->in[0], n, &a, d)) == LP_OK) {
            *out = NULL;
            st = cut(a, n, out, d);
            a = NULL;
        }
        break;
    }
    case LP_PLAN_DISTINCT:
        if ((st = run(p->in[0], -1, &a, d)) == LP_OK) {
            lp_table *r = NULL;
            stage(p);
            st = lp_distinct(a, p->cols, p->ndistinct, &r, d);
            if (st == LP_OK) st = cut(r, head, out, d);
        }
        break;
    case LP_PLAN_JOIN:
        if ((st = run(p->in[0], -1, &a, d)) == LP_OK && (st = run(p->in[1], -1, &b, d)) == LP_OK) {
            lp_table *r = NULL;
            stage(p);
            st = lp_join(a, b, p->lkeys, p->rkeys, p->njoinkeys, p->how, &r, d);
            if (st == LP_OK) st = cut(r, head, out, d);
        }
        break;
    case LP_PLAN_UNION:
        if ((st = run(p->in[0], head, &a, d)) == LP_OK) {
            int64_t rest = head >= 0 ? head - a->nrows : -1;
            if (rest == 0) {
                *out = a;
                return LP_OK;
            }
            if ((st = run(p->in[1], rest, &b, d)) == LP_OK) st = lp_union(a, b, out, d);
        }
        break;
    case LP_PLAN_SAMPLE:
        if ((st = run(p->in[0], -1, &a, d)) == LP_OK) {
            lp_table *r = NULL;
            stage(p);
            st = lp_sample(a, p->fraction, p->seed, &r, d);
            if (st == LP_OK) st = cut(r, head, out, d);
        }
        break;
    case LP_PLAN_GENERATE:
        if ((st = run(p->in[0], -1, &a, d)) == LP_OK) {
            lp_table *r = NULL;
            stage(p);
            st = lp_generate(a, p->gen, p->genkind, (const char *const *)p->names, p->types, p->ncols, &r, d);
            if (st == LP_OK) st = cut(r, head, out, d);
        }
        break;
    case LP_PLAN_WINDOW:
        if ((st = run(p->in[0], -1, &a, d)) == LP_OK) {
            lp_table *r = NULL;
            stage(p);
            st = lp_window(a, p->keys, p->nkeys, p->sort, p->nsort, p->wins, p->nwins, &r, d);
            if (st == LP_OK) st = cut(r, head, out, d);
        }
        break;
    }
    lp_table_unref(a);
    lp_table_unref(b);
    return st;
}

static lp_status run(lp_plan *p, int64_t head, lp_table **out, lp_diag *d) {
    *out = NULL;
    if (p->cached) return cut(lp_table_ref(p->cached), head, out, d);
    if (lp_cancelled()) return lp_diag_set(d, LP_ECANCELLED, "cancelled");
    /* a cached node computes everything once, whatever the caller wants to see */
    lp_table *t = NULL;
    lp_status st = run_node(p, p->cache ? -1 : head, &t, d);
    if (st != LP_OK) return st;
    /* the operators name columns after their input; the plan's names are the truth (renames) */
    if (p->cache) p->cached = lp_table_ref(t);
    return p->cache ? cut(t, head, out, d) : (*out = t, LP_OK);
}

LP_WUR lp_status lp_plan_execute(lp_plan *p, lp_table **out, lp_diag *d) { return run(p, -1, out, d); }

LP_WUR lp_status lp_plan_execute_head(lp_plan *p, int64_t n, lp_table **out, lp_diag *d) {
    return run(p, n < 0 ? 0 : n, out, d);
}

int64_t lp_plan_known_rows(const lp_plan *p) {
    if (p->cached) return p->cached->nrows;
    switch ((lp_plan_kind)p->kind) {
    case LP_PLAN_PROJECT:
    case LP_PLAN_SORT:
    case LP_PLAN_WINDOW:
        return lp_plan_known_rows(p->in[0]);
    case LP_PLAN_LIMIT: {
        int64_t n = lp_plan_known_rows(p->in[0]);
        return n < 0 ? -1 : n < p->limit ? n : p->limit;
    }
    case LP_PLAN_UNION: {
        int64_t a = lp_plan_known_rows(p->in[0]), b = lp_plan_known_rows(p->in[1]);
        return a < 0 || b < 0 ? -1 : a + b;
    }
    default:
        return -1;
    }
}
