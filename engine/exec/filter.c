/* filter.c -- lp_filter: the rows where a bound boolean predicate is true (null counts as
 * false), and the row gather it shares with lp_sample.
 *
 * Parallel over partitions (lp_pool_run): each task evaluates the predicate over its partition,
 * turns the mask into a selection vector and gathers every column; a partition whose rows all
 * pass keeps its columns by reference, one where none pass is dropped. Tasks write only their
 * own slot; the caller assembles the slots in partition order, so the result is the same for any
 * thread count. Cancellation is checked before each partition.
 */
#include "expr_int.h"

/* The rows idx[0..m) of c, for fixed-width and string columns by direct copies (lists through
 * lp_column_take). NULL when refused. */
lp_column *lp_ev_take(const lp_column *c, const int64_t *idx, int64_t m) {
    lp_kind k = c->type.kind;
    if (lp_type_nested(c->type) || k == LP_NULLTYPE) return lp_column_take(c, idx, m);
    lp_column *o = lp_ev_col_new(c->type, m);
    if (!o) return NULL;
    uint8_t *valid = NULL;
    if (c->valid) {
        if (!(valid = lp_ev_bitmap_new(m))) {
            lp_column_unref(o);
            return NULL;
        }
        for (int64_t j = 0; j < m; j++)
            if (!lp_bit_get(c->valid, idx[j])) lp_bit_clear(valid, j);
    }
    switch (k) {
    case LP_BOOL: for (int64_t j = 0; j < m; j++) o->v.b[j] = c->v.b[idx[j]]; break;
    case LP_DATE: for (int64_t j = 0; j < m; j++) o->v.d[j] = c->v.d[idx[j]]; break;
    case LP_STRING: {
        int64_t bytes = 0;
        for (int64_t j = 0; j < m; j++) bytes += c->v.off[idx[j] + 1] - c->v.off[idx[j]];
        /* 16 bytes of slack let short strings move as one fixed-size copy */
        if (!(o->data = lp_malloc((size_t)bytes + 16))) {
            lp_free(valid);
            lp_column_unref(o);
            return NULL;
        }
        int64_t pos = 0, srcend = c->v.off[c->len];
        o->v.off[0] = 0;
        for (int64_t j = 0; j < m; j++) {
            int64_t s = c->v.off[idx[j]], len = c->v.off[idx[j] + 1] - s;
            if (len <= 16 && s + 16 <= srcend) memcpy(o->data + pos, c->data + s, 16);
            else memcpy(o->data + pos, c->data + s, (size_t)len);
            pos += len;
            o->v.off[j + 1] = pos;
        }
        break;
    }
    default: for (int64_t j = 0; j < m; j++) o->v.i[j] = c->v.i[idx[j]]; break;
    }
    lp_ev_set_valid(o, valid);
    return o;
}

lp_status lp_ev_take_part(const lp_part *p, int ncols, const int64_t *idx, int64_t m, lp_column ***out) {
    *out = NULL;
    lp_column **cols = lp_calloc((size_t)(ncols ? ncols : 1), sizeof *cols);
    if (!cols) return LP_ENOMEM;
    for (int c = 0; c < ncols; c++) {
        if (m == p->nrows) cols[c] = lp_column_ref(p->cols[c]);
        else cols[c] = lp_ev_take(p->cols[c], idx, m);
        if (!cols[c]) {
            lp_ev_cols_free(cols, ncols);
            return LP_ENOMEM;
        }
    }
    *out = cols;
    return LP_OK;
}

void lp_ev_cols_free(lp_column **cols, int ncols) {
    if (!cols) return;
    for (int c = 0; c < ncols; c++) lp_column_unref(cols[c]);
    lp_free(cols);
}

lp_status lp_ev_assemble(lp_table *schema_from, int ncols, const char *const *names, const lp_type *types,
                         lp_ev_slot *slots, int nslots, lp_table **out, lp_diag *d, const char *op) {
    *out = NULL;
    lp_status st = LP_OK;
    for (int i = 0; i < nslots && !st; i++) st = slots[i].st;
    if (st == LP_OK && lp_cancelled()) st = LP_ECANCELLED;
    lp_table *t = NULL;
    if (!st) {
        t = lp_table_new(ncols, names ? names : (const char *const *)schema_from->names,
                         types ? types : schema_from->types);
        if (!t) st = LP_ENOMEM;
    }
    for (int i = 0; i < nslots; i++) {
        if (st || !slots[i].cols) {
            lp_ev_cols_free(slots[i].cols, ncols);
        } else {
            st = lp_table_add_part(t, slots[i].nrows, slots[i].cols);
            lp_free(slots[i].cols);
        }
        slots[i].cols = NULL;
    }
    if (st) {
        lp_table_unref(t);
        if (st == LP_ECANCELLED) return lp_diag_set(d, LP_ECANCELLED, "%s was cancelled", op);
        if (st == LP_ENOMEM) return lp_diag_nomem(d, op);
        for (int i = 0; i < nslots; i++)
            if (slots[i].st == st && slots[i].diag) {
                if (d) *d = *slots[i].diag;
                break;
            }
    }
    for (int i = 0; i < nslots; i++) {
        lp_free(slots[i].diag);
        slots[i].diag = NULL;
    }
    if (st) return st;
    *out = t;
    return LP_OK;
}

void lp_ev_keep_diag(lp_ev_slot *s, const lp_diag *dd) {
    if (s->st == LP_ENOMEM || s->st == LP_ECANCELLED || s->diag) return;
    if ((s->diag = lp_malloc(sizeof *s->diag))) *s->diag = *dd;
}

typedef struct fctx {
    lp_table *in;
    const lp_expr *pred;
    lp_ev_slot *slots;
} fctx;

static void filter_task(void *vctx, int i) {
    fctx *x = vctx;
    lp_ev_slot *s = &x->slots[i];
    if (lp_cancelled()) {
        s->st = LP_ECANCELLED;
        return;
    }
    const lp_part *p = &x->in->parts[i];
    lp_vec v;
    lp_diag dd;
    lp_diag_init(&dd);
    if ((s->st = lp_expr_eval_vec(x->pred, p, &v, &dd))) {
        lp_ev_keep_diag(s, &dd);
        return;
    }
    const lp_column *m = v.col;
    int64_t n = p->nrows, keep = 0;
    if (v.cnst) {
        keep = lp_col_valid(m, 0) && m->v.b[0] ? n : 0;
    } else if (!m->valid) {
        for (int64_t r = 0; r < n; r++) keep += m->v.b[r];
    } else {
        for (int64_t r = 0; r < n; r++) keep += m->v.b[r] & lp_bit_get(m->valid, r);
    }
    s->nrows = keep;
    if (keep == 0) {
        lp_column_unref(v.col);
        return;
    }
    int64_t *idx = NULL;
    if (keep < n) {
        if (!(idx = lp_malloc(sizeof *idx * (size_t)(keep + 1)))) { /* +1: the branch-free loop writes one past */
            lp_column_unref(v.col);
            s->st = LP_ENOMEM;
            return;
        }
        int64_t j = 0;
        for (int64_t r = 0; r < n; r++) {
            idx[j] = r;
            j += m->v.b[r] & (m->valid ? lp_bit_get(m->valid, r) : 1);
        }
    }
    lp_column_unref(v.col);
    s->st = lp_ev_take_part(p, x->in->ncols, idx, keep, &s->cols);
    lp_free(idx);
}

lp_status lp_filter(lp_table *in, const lp_expr *pred, lp_table **out, lp_diag *d) {
    *out = NULL;
    if (pred->type.kind != LP_BOOL) {
        lp_strbuf b;
        lp_strbuf_init(&b);
        lp_expr_format(pred, &b);
        lp_diag_set(d, LP_ETYPE, "filter needs a boolean condition, got %s %s '%s'", lp_type_name(pred->type),
                    pred->kind == LP_EXPR_COL ? "column" : "expression", b.p ? b.p : "");
        lp_strbuf_reset(&b);
        lp_diag_hint(d, "compare it with something, e.g. col('x') > 0");
        lp_diag_span(d, pred->start, pred->end);
        return LP_ETYPE;
    }
    if (lp_expr_has_agg(pred)) {
        lp_diag_set(d, LP_EUNSUPPORTED, "an aggregate cannot be used in a row filter");
        lp_diag_hint(d, "aggregate first (groupBy().agg()), then filter the result");
        lp_diag_span(d, pred->start, pred->end);
        return LP_EUNSUPPORTED;
    }
    if (lp_cancelled()) return lp_diag_set(d, LP_ECANCELLED, "filter was cancelled");
    lp_ev_slot *slots = lp_calloc((size_t)(in->nparts ? in->nparts : 1), sizeof *slots);
    if (!slots) return lp_diag_nomem(d, "filter");
    fctx x = {in, pred, slots};
    lp_status st = lp_pool_run(in->nparts, filter_task, &x);
    if (st && st != LP_ECANCELLED) st = LP_OK;
    if (st == LP_ECANCELLED && in->nparts) slots[0].st = st;
    st = lp_ev_assemble(in, in->ncols, NULL, NULL, slots, in->nparts, out, d, "filter");
    lp_free(slots);
    return st;
}
