/* generate.c -- lp_generate: explode, explode_outer, posexplode(_outer) and event-time windows,
 * the operators that make several output rows from one input row (Spark's Generate and the
 * Expand its TimeWindowing rule plans).
 *
 * Parallel over partitions (lp_pool_run): each task evaluates the generator's argument over its
 * partition, counts the rows each input row makes, gathers every input column once through one
 * index vector (a row repeated k times appears k times in it) and builds the generated columns:
 * an element is a take of the array's child column, a window two timestamp columns under one
 * struct. A partition where every row makes exactly one row keeps its input columns by
 * reference. Tasks write only their own slot; the slots are assembled in partition order, so
 * the result is the same for any thread count. Cancellation is checked before each partition.
 */
#include "expr_int.h"

typedef struct gctx {
    lp_table *in;
    const lp_expr *arg;
    lp_genkind kind;
    lp_window_def win;
    lp_type wtype;  /* the window struct's type */
    int ncols;      /* output columns */
    lp_ev_slot *slots;
} gctx;

/* The windows [s, s + dur) of w holding ts: first start and count (starts go up by slide). */
static int64_t windows_of(const lp_window_def *w, int64_t ts, int64_t *first) {
    int64_t last = lp_window_last_start(w, ts), s = last, k = 1;
    while (s - w->slide + w->dur > ts) s -= w->slide, k++;
    *first = s;
    return k;
}

static void gen_task(void *vctx, int i) {
    gctx *x = vctx;
    lp_ev_slot *sl = &x->slots[i];
    if (lp_cancelled()) {
        sl->st = LP_ECANCELLED;
        return;
    }
    const lp_part *p = &x->in->parts[i];
    int64_t n = p->nrows;
    bool win = x->kind == LP_GEN_WINDOW;
    bool outer = x->kind == LP_GEN_EXPLODE_OUTER || x->kind == LP_GEN_POSEXPLODE_OUTER;
    bool pos = x->kind == LP_GEN_POSEXPLODE || x->kind == LP_GEN_POSEXPLODE_OUTER;
    lp_diag dd;
    lp_diag_init(&dd);
    lp_column *g = NULL;
    if ((sl->st = lp_expr_eval(win ? x->arg->args[0] : x->arg, p, &g, &dd))) return;
    /* 1. how many rows each input row makes */
    int64_t m = 0;
    for (int64_t r = 0; r < n; r++) {
        int64_t k;
        if (!lp_col_valid(g, r)) k = outer ? 1 : 0;
        else if (win) {
            int64_t first;
            k = windows_of(&x->win, g->v.i[r], &first);
        } else {
            k = g->v.off[r + 1] - g->v.off[r];
            if (k == 0 && outer) k = 1;
        }
        m += k;
    }
    int64_t *idx = lp_malloc(sizeof *idx * (size_t)(m + 1));
    int64_t *el = lp_malloc(sizeof *el * (size_t)(m + 1)); /* element index, window start, or -1 */
    int64_t *ps = pos ? lp_malloc(sizeof *ps * (size_t)(m + 1)) : NULL;
    lp_column **cols = lp_calloc((size_t)x->ncols + 1, sizeof *cols);
    if (!idx || !el || (pos && !ps) || !cols) goto nomem;
    /* 2. the index vectors */
    int64_t j = 0;
    bool identity = m == n;
    for (int64_t r = 0; r < n; r++) {
        if (!lp_col_valid(g, r)) {
            if (outer) {
                idx[j] = r;
                el[j] = -1;
                if (ps) ps[j] = -1;
                j++;
            }
            continue;
        }
        if (win) {
            int64_t first, k = windows_of(&x->win, g->v.i[r], &first);
            for (int64_t q = 0; q < k; q++, j++) {
                idx[j] = r;
                el[j] = first + q * x->win.slide;
            }
            continue;
        }
        int64_t a = g->v.off[r], b = g->v.off[r + 1];
        if (a == b && outer) {
            idx[j] = r;
            el[j] = -1;
            if (ps) ps[j] = -1;
            j++;
        }
        for (int64_t e = a; e < b; e++, j++) {
            idx[j] = r;
            el[j] = e;
            if (ps) ps[j] = e - a;
        }
    }
    for (int64_t r = 0; identity && r < m; r++) identity = idx[r] == r;
    /* 3. the input columns, then the generated ones */
    int nin = x->in->ncols;
    for (int c = 0; c < nin; c++)
        if (!(cols[c] = identity ? lp_column_ref(p->cols[c]) : lp_ev_take(p->cols[c], idx, m))) goto nomem;
    int at = nin;
    if (pos) {
        lp_column *pc = lp_ev_col_new(lp_type_of(LP_INT64), m);
        uint8_t *valid = outer ? lp_ev_bitmap_new(m) : NULL;
        if (!pc || (outer && !valid)) {
            lp_column_unref(pc);
            lp_free(valid);
            goto nomem;
        }
        for (int64_t q = 0; q < m; q++) {
            pc->v.i[q] = ps[q] < 0 ? 0 : ps[q];
            if (ps[q] < 0) lp_bit_clear(valid, q);
        }
        lp_ev_set_valid(pc, valid);
        cols[at++] = pc;
    }
    if (win) {
        lp_column *s = lp_ev_col_new(lp_type_of(LP_TIMESTAMP), m), *e = lp_ev_col_new(lp_type_of(LP_TIMESTAMP), m);
        if (!s || !e) {
            lp_column_unref(s);
            lp_column_unref(e);
            goto nomem;
        }
        for (int64_t q = 0; q < m; q++) {
            s->v.i[q] = el[q];
            e->v.i[q] = el[q] + x->win.dur;
        }
        lp_column *f[2] = {s, e};
        if (!(cols[at++] = lp_column_struct(x->wtype, m, f, NULL))) goto nomem;
    } else if (!(cols[at++] = lp_column_take(g->child, el, m))) {
        goto nomem;
    }
    lp_column_unref(g);
    lp_free(idx);
    lp_free(el);
    lp_free(ps);
    sl->nrows = m;
    sl->cols = cols;
    return;
nomem:
    lp_column_unref(g);
    lp_free(idx);
    lp_free(el);
    lp_free(ps);
    lp_ev_cols_free(cols, x->ncols);
    sl->st = lp_cancelled() ? LP_ECANCELLED : LP_ENOMEM;
}

lp_status lp_generate(lp_table *in, const lp_expr *arg, lp_genkind kind, const char *const *names,
                      const lp_type *types, int ncols, lp_table **out, lp_diag *d) {
    *out = NULL;
    gctx x = {.in = in, .arg = arg, .kind = kind, .ncols = ncols};
    if (kind == LP_GEN_WINDOW) {
        lp_status st = lp_window_def_of(arg, &x.win, d);
        if (st) return st;
        x.wtype = arg->type;
    } else if (arg->type.kind != LP_LIST) {
        lp_diag_set(d, LP_ETYPE, "explode needs an array, got %s", lp_type_name(arg->type));
        lp_diag_span(d, arg->start, arg->end);
        return LP_ETYPE;
    }
    if (lp_cancelled()) return lp_diag_set(d, LP_ECANCELLED, "generate was cancelled");
    lp_ev_slot *slots = lp_calloc((size_t)(in->nparts ? in->nparts : 1), sizeof *slots);
    if (!slots) return lp_diag_nomem(d, "generate");
    x.slots = slots;
    lp_status st = lp_pool_run(in->nparts, gen_task, &x);
    if (st && st != LP_ECANCELLED) st = LP_OK;
    if (st == LP_ECANCELLED && in->nparts) slots[0].st = st;
    st = lp_ev_assemble(in, ncols, names, types, slots, in->nparts, out, d, kind == LP_GEN_WINDOW ? "window" : "explode");
    lp_free(slots);
    return st;
}
