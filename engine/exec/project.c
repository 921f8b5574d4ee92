/* project.c -- lp_project, lp_limit, lp_union and lp_sample.
 *
 * lp_project computes one column per bound expression, per partition, in parallel; a bare
 * column reference passes the input column through by reference. lp_limit keeps whole
 * partitions by reference and slices the last one. lp_union converts columns whose type differs
 * from the unified type, partition by partition. lp_sample keeps each row when a counter-based
 * hash of (seed, partition, row) falls under the fraction, so the rows kept depend on neither the
 * thread count nor the order the partitions run in.
 */
#include "expr_int.h"

#include <stdio.h>

/* ---- project ---- */

typedef struct pctx {
    lp_table *in;
    const lp_expr *const *exprs;
    int n;
    lp_ev_slot *slots;
} pctx;

static void project_task(void *vctx, int i) {
    pctx *x = vctx;
    lp_ev_slot *s = &x->slots[i];
    if (lp_cancelled()) {
        s->st = LP_ECANCELLED;
        return;
    }
    const lp_part *p = &x->in->parts[i];
    lp_column **cols = lp_calloc((size_t)(x->n ? x->n : 1), sizeof *cols);
    if (!cols) {
        s->st = LP_ENOMEM;
        return;
    }
    lp_diag dd;
    lp_diag_init(&dd);
    for (int k = 0; k < x->n; k++) {
        const lp_expr *e = x->exprs[k];
        if (e->kind == LP_EXPR_COL) {
            cols[k] = lp_column_ref(p->cols[e->col]);
            continue;
        }
        if ((s->st = lp_expr_eval(e, p, &cols[k], &dd))) {
            lp_ev_keep_diag(s, &dd);
            lp_ev_cols_free(cols, x->n);
            return;
        }
    }
    s->nrows = p->nrows;
    s->cols = cols;
}

lp_status lp_project(lp_table *in, const lp_expr *const *exprs, const char *const *names, int n, lp_table **out,
                     lp_diag *d) {
    *out = NULL;
    for (int k = 0; k < n; k++) {
        if (lp_expr_has_agg(exprs[k])) {
            lp_diag_set(d, LP_EUNSUPPORTED, "an aggregate cannot be computed row by row in a projection");
            lp_diag_hint(d, "use agg() or groupBy().agg() for aggregates");
            lp_diag_span(d, exprs[k]->start, exprs[k]->end);
            return LP_EUNSUPPORTED;
        }
    }
    if (lp_cancelled()) return lp_diag_set(d, LP_ECANCELLED, "select was cancelled");
    lp_arena a;
    lp_arena_init(&a);
    const char **nm = lp_arena_alloc(&a, sizeof *nm * (size_t)(n ? n : 1));
    lp_type *types = lp_arena_alloc(&a, sizeof *types * (size_t)(n ? n : 1));
    lp_ev_slot *slots = lp_calloc((size_t)(in->nparts ? in->nparts : 1), sizeof *slots);
    bool ok = nm && types && slots;
    for (int k = 0; k < n && ok; k++) {
        types[k] = exprs[k]->type;
        nm[k] = names && names[k] ? names[k] : lp_expr_print(&a, exprs[k]);
        ok = nm[k] != NULL;
    }
    if (!ok) {
        lp_free(slots);
        lp_arena_reset(&a);
        return lp_diag_nomem(d, "select");
    }
    pctx x = {in, exprs, n, slots};
    lp_status st = lp_pool_run(in->nparts, project_task, &x);
    if (st == LP_ECANCELLED && in->nparts) slots[0].st = st;
    st = lp_ev_assemble(in, n, nm, types, slots, in->nparts, out, d, "select");
    lp_free(slots);
    lp_arena_reset(&a);
    return st;
}

/* ---- limit ---- */

lp_status lp_limit(lp_table *in, int64_t n, lp_table **out, lp_diag *d) {
    *out = NULL;
    if (n < 0) {
        lp_diag_set(d, LP_EVALUE, "limit needs a number of rows >= 0, got %lld", (long long)n);
        return LP_EVALUE;
    }
    if (lp_cancelled()) return lp_diag_set(d, LP_ECANCELLED, "limit was cancelled");
    lp_table *t = lp_table_new(in->ncols, (const char *const *)in->names, in->types);
    if (!t) return lp_diag_nomem(d, "limit");
    int64_t left = n;
    for (int i = 0; i < in->nparts && left > 0; i++) {
        const lp_part *p = &in->parts[i];
        int64_t take = LP_MIN(left, p->nrows);
        lp_column **cols = lp_calloc((size_t)(in->ncols ? in->ncols : 1), sizeof *cols);
        bool ok = cols != NULL;
        for (int c = 0; c < in->ncols && ok; c++) {
            cols[c] = take == p->nrows ? lp_column_ref(p->cols[c]) : lp_column_slice(p->cols[c], 0, take);
            ok = cols[c] != NULL;
        }
        if (!ok || lp_table_add_part(t, take, cols) != LP_OK) {
            if (!ok) lp_ev_cols_free(cols, in->ncols);
            else lp_free(cols);
            lp_table_unref(t);
            return lp_diag_nomem(d, "limit");
        }
        lp_free(cols);
        left -= take;
    }
    *out = t;
    return LP_OK;
}

/* ---- union ---- */

typedef struct uctx {
    lp_table *a, *b;
    const lp_type *types;
    lp_ev_slot *slots;
} uctx;

static void union_task(void *vctx, int i) {
    uctx *x = vctx;
    lp_ev_slot *s = &x->slots[i];
    if (lp_cancelled()) {
        s->st = LP_ECANCELLED;
        return;
    }
    const lp_table *t = i < x->a->nparts ? x->a : x->b;
    const lp_part *p = &t->parts[i < x->a->nparts ? i : i - x->a->nparts];
    lp_column **cols = lp_calloc((size_t)(t->ncols ? t->ncols : 1), sizeof *cols);
    if (!cols) {
        s->st = LP_ENOMEM;
        return;
    }
    for (int c = 0; c < t->ncols; c++) {
        if ((s->st = lp_ev_cast(p->cols[c], x->types[c], &cols[c], NULL))) {
            lp_ev_cols_free(cols, t->ncols);
            return;
        }
    }
    s->nrows = p->nrows;
    s->cols = cols;
}

lp_status lp_union(lp_table *a, lp_table *b, lp_table **out, lp_diag *d) {
    *out = NULL;
    if (a->ncols != b->ncols) {
        lp_diag_set(d, LP_ETYPE, "union needs the same number of columns on both sides, but the first has %d and the second %d",
                    a->ncols, b->ncols);
        lp_diag_hint(d, "select the same columns on both sides first");
        return LP_ETYPE;
    }
    if (lp_cancelled()) return lp_diag_set(d, LP_ECANCELLED, "union was cancelled");
    int np = a->nparts + b->nparts;
    lp_type *types = lp_malloc(sizeof *types * (size_t)(a->ncols ? a->ncols : 1));
    lp_ev_slot *slots = lp_calloc((size_t)(np ? np : 1), sizeof *slots);
    if (!types || !slots) {
        lp_free(types);
        lp_free(slots);
        return lp_diag_nomem(d, "union");
    }
    for (int c = 0; c < a->ncols; c++) types[c] = lp_type_unify(a->types[c], b->types[c]);
    uctx x = {a, b, types, slots};
    lp_status st = lp_pool_run(np, union_task, &x);
    if (st == LP_ECANCELLED && np) slots[0].st = st;
    st = lp_ev_assemble(a, a->ncols, (const char *const *)a->names, types, slots, np, out, d, "union");
    lp_free(slots);
    lp_free(types);
    return st;
}

/* ---- sample ---- */

typedef struct sctx {
    lp_table *in;
    double fraction;
    uint64_t seed;
    lp_ev_slot *slots;
} sctx;

static void sample_task(void *vctx, int i) {
    sctx *x = vctx;
    lp_ev_slot *s = &x->slots[i];
    if (lp_cancelled()) {
        s->st = LP_ECANCELLED;
        return;
    }
    const lp_part *p = &x->in->parts[i];
    int64_t n = p->nrows;
    int64_t *idx = lp_malloc(sizeof *idx * (size_t)(n ? n : 1));
    if (!idx) {
        s->st = LP_ENOMEM;
        return;
    }
    /* keep when the row's uniform draw in [0, 1) is below the fraction: compare the top 53 bits */
    uint64_t key = lp_hash_combine(lp_hash_u64(x->seed), (uint64_t)i);
    double f = x->fraction;
    int64_t m = 0;
    for (int64_t r = 0; r < n; r++) {
        uint64_t h = lp_hash_combine(key, (uint64_t)r);
        idx[m] = r;
        m += (double)(h >> 11) * 0x1.0p-53 < f;
    }
    s->nrows = m;
    if (m > 0) s->st = lp_ev_take_part(p, x->in->ncols, idx, m, &s->cols);
    lp_free(idx);
}

lp_status lp_sample(lp_table *in, double fraction, uint64_t seed, lp_table **out, lp_diag *d) {
    *out = NULL;
    if (!(fraction >= 0 && fraction <= 1)) {
        lp_diag_set(d, LP_EVALUE, "sample needs a fraction between 0 and 1, got %g", fraction);
        lp_diag_hint(d, "sample(0.1) keeps about 10%% of the rows");
        return LP_EVALUE;
    }
    if (lp_cancelled()) return lp_diag_set(d, LP_ECANCELLED, "sample was cancelled");
    lp_ev_slot *slots = lp_calloc((size_t)(in->nparts ? in->nparts : 1), sizeof *slots);
    if (!slots) return lp_diag_nomem(d, "sample");
    sctx x = {in, fraction, seed, slots};
    lp_status st = lp_pool_run(in->nparts, sample_task, &x);
    if (st == LP_ECANCELLED && in->nparts) slots[0].st = st;
    st = lp_ev_assemble(in, in->ncols, NULL, NULL, slots, in->nparts, out, d, "sample");
    lp_free(slots);
    return st;
}
