/* window.c -- window functions: ranking, offsets (lag/lead) and framed aggregates computed over
 * partitions of rows, each row keeping its own result (Spark's Window operator).
 *
 * DESIGN
 * 1. The input is sorted by the partition keys (ascending, nulls first) and then the order keys
 *    with lp_sort, which is stable: the output rows are in that order, ties in input order. The
 *    key and argument columns are concatenated once, so every index below is a row of the whole
 *    sorted table.
 * 2. One sequential pass finds where each window partition starts; the partitions are dealt
 *    into tasks of about equal rows (a partition is never split), one pool task each. A task
 *    writes only the result slots of its own rows, and each result is computed in one fixed
 *    order inside its partition, so nothing depends on the thread count.
 * 3. Per partition and call, in O(rows): ranks from the peer groups (runs of equal order keys);
 *    lag/lead as an index; aggregates over a frame [lo, hi) that only moves forward (ROWS:
 *    offsets; RANGE: two pointers over the order key's values), with add/remove state -- counts
 *    and sums (compensated, non-finite values counted apart so that removing one is exact),
 *    Welford's mean and M2 for variances, a monotonic deque for min/max, next/previous non-null
 *    indexes for first/last with ignorenulls. A running frame (unbounded preceding) never
 *    removes, so its sums are the plain left-to-right sums.
 * 4. The result columns are built per output partition (the sorted table's partitions), one
 *    task each; the input's columns pass through by reference.
 * Value results (min, max, first, last, lag, lead) are kept as the source row's index and
 * gathered at the end, so any column type works. Working memory: a few int64/double arrays of
 * the input's length per call, and per task buffers of its longest partition; nothing is
 * allocated per row. Threads: the caller's; tasks write only their own rows and slots.
 */
#include "sort_int.h"

#include <math.h>

#define CANCEL_ROWS 65536  /* rows between cancellation checks inside a long partition */

enum { OUT_I64, OUT_F64, OUT_SRC };  /* how a call's results are held */

typedef struct wout {
    int kind;       /* OUT_* */
    int64_t *i;     /* OUT_I64 values; OUT_SRC source rows (-1 null, -2 the default column) */
    double *f;      /* OUT_F64 values */
    uint8_t *null;  /* OUT_I64 / OUT_F64: 1 when null */
    lp_type type;
} wout;

typedef struct wctx {
    lp_table *sorted;
    int64_t n;
    lp_column **ok;       /* order key columns, concatenated */
    int nok;
    const lp_sortkey *okeys;
    lp_column **arg;      /* per call: the argument column, concatenated (NULL when none) */
    lp_column **dflt;     /* per call: the default column of lag/lead (NULL when none) */
    const lp_wincall *calls;
    int ncalls;
    wout *out;
    int64_t *pstart;      /* window partition starts, npart + 1 entries (last = n) */
    int64_t npart;
    int64_t *tpart;       /* task t handles partitions [tpart[t], tpart[t + 1]) */
    int ntasks;
    int64_t *poff;        /* output partition p starts at row poff[p] */
    lp_column ***pcols;   /* output partition p's new columns (ncalls each) */
    lp_status *st;        /* per task */
} wctx;

lp_winframe lp_window_frame(lp_winfn fn, int64_t n, int norder, lp_winframe given) {
    switch (fn) {
    case LP_WIN_AGG:
        if (given.kind != LP_FRAME_DEFAULT) return given;
        if (norder > 0) return (lp_winframe){LP_FRAME_RANGE, LP_FRAME_UNBOUNDED_LO, 0};
        return (lp_winframe){LP_FRAME_ROWS, LP_FRAME_UNBOUNDED_LO, LP_FRAME_UNBOUNDED_HI};
    case LP_WIN_LAG: return (lp_winframe){LP_FRAME_ROWS, -n, -n};
    case LP_WIN_LEAD: return (lp_winframe){LP_FRAME_ROWS, n, n};
    default: return (lp_winframe){LP_FRAME_ROWS, LP_FRAME_UNBOUNDED_LO, 0};
    }
}

lp_type lp_window_result_type(const lp_wincall *c, lp_type t) {
    switch (c->fn) {
    case LP_WIN_AGG:
        switch (c->agg) {
        case LP_AGG_COUNT_DISTINCT: case LP_AGG_MEDIAN: case LP_AGG_PERCENTILE: case LP_AGG_PERCENTILE_APPROX:
        case LP_AGG_COLLECT_LIST:
            return lp_type_of(LP_NULLTYPE);
        default: return lp_agg_result_type(c->agg, t);
        }
    case LP_WIN_ROW_NUMBER: case LP_WIN_RANK: case LP_WIN_DENSE_RANK: case LP_WIN_NTILE:
        return lp_type_of(LP_INT64);
    case LP_WIN_PERCENT_RANK: case LP_WIN_CUME_DIST: return lp_type_of(LP_FLOAT64);
    case LP_WIN_LAG: case LP_WIN_LEAD: return t;
    }
    return lp_type_of(LP_NULLTYPE);
}

/* ---- helpers over the concatenated columns ---- */

static bool okeys_equal(const wctx *c, int64_t a, int64_t b) {
    return lp_keys_equal(c->ok, a, c->ok, b, c->nok, true);
}

/* The order key as a number in ascending frame order (negated for a descending key), in the
 * frame's unit: into *fv for a double key, else into *iv. */
static void range_key(const wctx *c, int64_t r, int64_t *iv, double *fv) {
    const lp_column *k = c->ok[0];
    bool desc = c->okeys[0].desc;
    if (k->type.kind == LP_FLOAT64) {
        *fv = desc ? -k->v.f[r] : k->v.f[r];
        return;
    }
    int64_t v = k->type.kind == LP_DATE ? (int64_t)k->v.d[r] : k->v.i[r];
    *iv = desc ? (v == INT64_MIN ? INT64_MAX : -v) : v;
}

static int64_t sat_add(int64_t a, int64_t b) {
    int64_t r;
    if (!__builtin_add_overflow(a, b, &r)) return r;
    return b > 0 ? INT64_MAX : INT64_MIN;
}

/* Whether row r's key (ord) is >= row cur's key + off: the lower-bound test of a RANGE frame. */
static bool key_ge(const wctx *c, int64_t r, int64_t cur, int64_t off) {
    int64_t ia = 0, ib = 0;
    double fa = 0, fb = 0;
    range_key(c, r, &ia, &fa);
    range_key(c, cur, &ib, &fb);
    if (c->ok[0]->type.kind == LP_FLOAT64) return fa >= fb + (double)off;
    return ia >= sat_add(ib, off);
}

/* Whether row r's key is > row cur's key + off: past the upper bound. */
static bool key_gt(const wctx *c, int64_t r, int64_t cur, int64_t off) {
    int64_t ia = 0, ib = 0;
    double fa = 0, fb = 0;
    range_key(c, r, &ia, &fa);
    range_key(c, cur, &ib, &fb);
    if (c->ok[0]->type.kind == LP_FLOAT64) return fa > fb + (double)off;
    return ia > sat_add(ib, off);
}

/* ---- aggregate state over a moving frame ---- */

/* The summary of a set of values: counts, sums, Welford's mean and M2 (finite values). Two
 * summaries merge exactly for counts and integer sums, and stably for the rest (Chan et al.),
 * so a frame's summary is built by merging, never by subtracting a value that left. */
typedef struct wst {
    int64_t cnt;        /* non-null values (rows for count(*)) */
    int64_t nan, pinf, ninf;
    uint64_t isum;      /* integer sum, wrapping as Spark's */
    double fsum, comp;  /* finite float sum, Neumaier compensation */
    double mean, m2;    /* finite values only */
} wst;

static void two_sum(double *sum, double *comp, double v) {
    double t = *sum + v;
    if (fabs(*sum) >= fabs(v)) *comp += (*sum - t) + v;
    else *comp += (v - t) + *sum;
    *sum = t;
}

static int64_t finite_n(const wst *a) { return a->cnt - a->nan - a->pinf - a->ninf; }

/* *a += row r of x (x NULL: count(*)). */
static void st_add(wst *a, const lp_column *x, int64_t r) {
    if (!x) {
        a->cnt++;
        return;
    }
    if (!lp_col_valid(x, r)) return;
    a->cnt++;
    lp_kind k = (lp_kind)x->type.kind;
    if (k != LP_FLOAT64 && k != LP_INT64) return;
    if (k == LP_INT64) a->isum += (uint64_t)x->v.i[r];
    double v = k == LP_FLOAT64 ? x->v.f[r] : (double)x->v.i[r];
    if (isnan(v)) a->nan++;
    else if (isinf(v)) *(v > 0 ? &a->pinf : &a->ninf) += 1;
    else {
        two_sum(&a->fsum, &a->comp, v);
        double dx = v - a->mean;
        a->mean += dx / (double)finite_n(a);
        a->m2 += dx * (v - a->mean);
    }
}

/* *out = a merged with b (out may alias neither). */
static void st_merge(wst *out, const wst *a, const wst *b) {
    *out = *a;
    out->cnt += b->cnt;
    out->nan += b->nan;
    out->pinf += b->pinf;
    out->ninf += b->ninf;
    out->isum += b->isum;
    two_sum(&out->fsum, &out->comp, b->fsum);
    out->comp += b->comp;
    int64_t na = finite_n(a), nb = finite_n(b);
    if (nb == 0) return;
    if (na == 0) {
        out->mean = b->mean;
        out->m2 = b->m2;
        return;
    }
    double n = (double)(na + nb), delta = b->mean - a->mean;
    out->mean = a->mean + delta * ((double)nb / n);
    out->m2 = a->m2 + b->m2 + delta * delta * ((double)na * (double)nb / n);
}

/* The float sum, with Spark's non-finite rules. */
static double st_fsum(const wst *a) {
    if (a->nan || (a->pinf && a->ninf)) return NAN;
    if (a->pinf) return INFINITY;
    if (a->ninf) return -INFINITY;
    return a->fsum + a->comp;
}

/* Writes aggregate fn of summary a (over argument x) into row r's slot. */
static void st_emit(lp_aggfn fn, const wst *a, const lp_column *x, wout *o, int64_t r) {
    if (fn == LP_AGG_COUNT_STAR || fn == LP_AGG_COUNT) {
        o->i[r] = a->cnt;
        return;
    }
    o->null[r] = 1;
    if (a->cnt == 0) return;
    switch (fn) {
    case LP_AGG_SUM:
        o->null[r] = 0;
        if (o->kind == OUT_I64) o->i[r] = (int64_t)a->isum;
        else o->f[r] = st_fsum(a);
        return;
    case LP_AGG_MEAN:
        o->null[r] = 0;
        o->f[r] = x->type.kind == LP_INT64 ? (double)(int64_t)a->isum / (double)a->cnt : st_fsum(a) / (double)a->cnt;
        return;
    case LP_AGG_STDDEV_SAMP: case LP_AGG_VAR_SAMP: case LP_AGG_STDDEV_POP: case LP_AGG_VAR_POP: {
        bool samp = fn == LP_AGG_STDDEV_SAMP || fn == LP_AGG_VAR_SAMP;
        if (samp && a->cnt < 2) return;
        o->null[r] = 0;
        double v = a->nan || a->pinf || a->ninf ? NAN : a->m2 / (double)(samp ? a->cnt - 1 : a->cnt);
        o->f[r] = (fn == LP_AGG_STDDEV_SAMP || fn == LP_AGG_STDDEV_POP) ? sqrt(v) : v;
        return;
    }
    default: return;
    }
}

/* A frame [a, z) that only moves forward, as two stacks: rows [mid, z) summarised in `back`
 * (added on the right), rows [a, mid) as suffix summaries suf[i - s] of [i, mid). When the
 * left end passes mid, the suffixes are rebuilt from the rows in the frame: each row is
 * summed into a suffix once, so the whole partition costs O(rows). */
typedef struct wslide {
    const lp_column *x;
    wst *suf;          /* indexed by row - s */
    int64_t s, a, mid, z;
    wst back;
} wslide;

static void slide_move(wslide *w, int64_t lo, int64_t hi) {
    if (lo > w->z) {  /* the frame jumps past every row held */
        memset(&w->back, 0, sizeof w->back);
        w->a = w->mid = w->z = lo;
    }
    while (w->z < hi) st_add(&w->back, w->x, w->z++);
    if (lo <= w->a) return;
    w->a = lo;
    if (w->a < w->mid) return;
    /* the left stack is empty: the rows [a, z) become suffixes */
    wst acc = {0};
    for (int64_t i = w->z - 1; i >= w->a; i--) {
        wst one = {0};
        st_add(&one, w->x, i);
        st_merge(&w->suf[i - w->s], &one, &acc);
        acc = w->suf[i - w->s];
    }
    w->mid = w->z;
    memset(&w->back, 0, sizeof w->back);
}

static void slide_get(const wslide *w, wst *out) {
    if (w->a < w->mid) st_merge(out, &w->suf[w->a - w->s], &w->back);
    else *out = w->back;
}

/* min/max: a monotonic deque of rows whose values only get worse towards the back. */
typedef struct wdeque {
    const lp_column *x;
    bool min;
    int64_t *q, cap, head, len;
} wdeque;

static void dq_push(wdeque *d, int64_t r) {
    if (!lp_col_valid(d->x, r)) return;
    while (d->len > 0) {
        int cmp = lp_value_cmp_rows(d->x, d->q[(d->head + d->len - 1) % d->cap], d->x, r);
        if (d->min ? cmp < 0 : cmp > 0) break;
        d->len--;
    }
    d->q[(d->head + d->len++) % d->cap] = r;
}

static void dq_pop_before(wdeque *d, int64_t lo) {
    while (d->len > 0 && d->q[d->head] < lo) {
        d->head = (d->head + 1) % d->cap;
        d->len--;
    }
}

/* ---- one task: its partitions, every call ---- */

typedef struct wbuf {
    int64_t *dq, *next, *prev;  /* sized to the task's longest partition */
    wst *suf;
} wbuf;

/* The frame [*lo, *hi) of row r in partition [s, e), given its peer group [gs, ge) and the
 * partition's rows with a non-null order key [ns, ne). */
static void frame_of(const wctx *c, const lp_winframe *f, int64_t r, int64_t s, int64_t e, int64_t gs,
                     int64_t ge, int64_t ns, int64_t ne, int64_t *lo, int64_t *hi, int64_t *plo,
                     int64_t *phi) {
    if (f->kind == LP_FRAME_ROWS) {
        *lo = f->lo == LP_FRAME_UNBOUNDED_LO ? s : LP_MIN(LP_MAX(sat_add(r, f->lo), s), e);
        *hi = f->hi == LP_FRAME_UNBOUNDED_HI ? e : LP_MIN(LP_MAX(sat_add(sat_add(r, f->hi), 1), s), e);
        return;
    }
    bool null_row = r < ns || r >= ne;
    if (f->lo == LP_FRAME_UNBOUNDED_LO) *lo = s;
    else if (f->lo == 0 || null_row) *lo = gs;
    else {
        /* *plo: the first row of [ns, ne) whose key >= key(r) + lo, moving forward only */
        if (*plo < ns) *plo = ns;
        while (*plo < ne && !key_ge(c, *plo, r, f->lo)) (*plo)++;
        *lo = *plo;
    }
    if (f->hi == LP_FRAME_UNBOUNDED_HI) *hi = e;
    else if (f->hi == 0 || null_row) *hi = ge;
    else {
        if (*phi < ns) *phi = ns;
        while (*phi < ne && !key_gt(c, *phi, r, f->hi)) (*phi)++;
        *hi = *phi;
    }
}

/* Runs one aggregate call over partition [s, e). */
static lp_status run_agg(wctx *c, int k, int64_t s, int64_t e, wbuf *b) {
    const lp_wincall *call = &c->calls[k];
    wout *o = &c->out[k];
    const lp_winframe *f = &call->frame;
    bool nullsfirst = c->nok > 0 && c->okeys[0].nulls_first;
    /* the non-null run of the first order key (the RANGE frames' values) */
    int64_t ns = s, ne = e;
    if (f->kind == LP_FRAME_RANGE && c->nok > 0) {
        const lp_column *k0 = c->ok[0];
        if (nullsfirst) while (ns < e && !lp_col_valid(k0, ns)) ns++;
        else while (ne > s && !lp_col_valid(k0, ne - 1)) ne--;
    }
    if (call->agg == LP_AGG_FIRST || call->agg == LP_AGG_LAST) {
        /* next[i]: the first non-null at or after s+i (e when none); prev[i]: the last at or before */
        const lp_column *x = c->arg[k];
        int64_t nx = e;
        for (int64_t r = e - 1; r >= s; r--) {
            if (lp_col_valid(x, r)) nx = r;
            b->next[r - s] = nx;
        }
        int64_t pv = -1;
        for (int64_t r = s; r < e; r++) {
            if (lp_col_valid(x, r)) pv = r;
            b->prev[r - s] = pv;
        }
    }
    wslide sl = {.x = c->arg[k], .suf = b->suf, .s = s, .a = s, .mid = s, .z = s};
    wdeque dq = {.x = c->arg[k], .min = call->agg == LP_AGG_MIN, .q = b->dq, .cap = LP_MAX(e - s, 1)};
    bool minmax = call->agg == LP_AGG_MIN || call->agg == LP_AGG_MAX;
    int64_t z = s;             /* min/max: rows before z were pushed */
    int64_t plo = s, phi = s;  /* RANGE two pointers */
    int64_t gs = s, ge = s;    /* the current peer group */
    for (int64_t r = s; r < e; r++) {
        if (((r - s) & (CANCEL_ROWS - 1)) == CANCEL_ROWS - 1 && lp_cancelled()) return LP_ECANCELLED;
        if (r >= ge) {
            gs = r;
            ge = r + 1;
            if (c->nok > 0)
                while (ge < e && okeys_equal(c, gs, ge)) ge++;
            else
                ge = e;
        }
        int64_t lo, hi;
        frame_of(c, f, r, s, e, gs, ge, ns, ne, &lo, &hi, &plo, &phi);
        if (call->agg == LP_AGG_FIRST || call->agg == LP_AGG_LAST) {
            int64_t src = -1;
            if (lo < hi) {
                if (!call->ignore_nulls) src = call->agg == LP_AGG_FIRST ? lo : hi - 1;
                else if (call->agg == LP_AGG_FIRST) src = b->next[lo - s] < hi ? b->next[lo - s] : -1;
                else src = b->prev[hi - 1 - s] >= lo ? b->prev[hi - 1 - s] : -1;
                if (src >= 0 && !lp_col_valid(c->arg[k], src)) src = -1;
            }
            o->i[r] = src;
            continue;
        }
        /* the frame [lo, max(lo, hi)): both ends only move forward */
        int64_t nhi = LP_MAX(hi, lo);
        if (minmax) {
            for (z = LP_MAX(z, lo); z < nhi; z++) dq_push(&dq, z);
            dq_pop_before(&dq, lo);
            o->i[r] = dq.len ? dq.q[dq.head] : -1;
            continue;
        }
        slide_move(&sl, lo, nhi);
        wst cur;
        slide_get(&sl, &cur);
        st_emit(call->agg, &cur, c->arg[k], o, r);
    }
    return LP_OK;
}

/* Ranking and offset calls over partition [s, e). */
static void run_rank(wctx *c, int k, int64_t s, int64_t e) {
    const lp_wincall *call = &c->calls[k];
    wout *o = &c->out[k];
    int64_t n = e - s;
    if (call->fn == LP_WIN_LAG || call->fn == LP_WIN_LEAD) {
        int64_t off = call->fn == LP_WIN_LAG ? -call->n : call->n;
        for (int64_t r = s; r < e; r++) {
            int64_t t = sat_add(r, off);
            o->i[r] = t >= s && t < e ? (lp_col_valid(c->arg[k], t) ? t : -1) : (c->dflt[k] ? -2 : -1);
        }
        return;
    }
    if (call->fn == LP_WIN_ROW_NUMBER) {
        for (int64_t r = s; r < e; r++) o->i[r] = r - s + 1;
        return;
    }
    if (call->fn == LP_WIN_NTILE) {
        int64_t buckets = call->n, base = n / buckets, extra = n % buckets;
        for (int64_t i = 0; i < n; i++)
            o->i[s + i] = i < extra * (base + 1) ? i / (base + 1) + 1 : (i - extra * (base + 1)) / base + extra + 1;
        return;
    }
    int64_t dense = 0;
    for (int64_t gs = s; gs < e;) {
        int64_t ge = gs + 1;
        while (ge < e && okeys_equal(c, gs, ge)) ge++;
        dense++;
        for (int64_t r = gs; r < ge; r++) {
            switch (call->fn) {
            case LP_WIN_RANK: o->i[r] = gs - s + 1; break;
            case LP_WIN_DENSE_RANK: o->i[r] = dense; break;
            case LP_WIN_PERCENT_RANK: o->f[r] = n > 1 ? (double)(gs - s) / (double)(n - 1) : 0.0; break;
            case LP_WIN_CUME_DIST: o->f[r] = (double)(ge - s) / (double)n; break;
            default: break;
            }
        }
        gs = ge;
    }
}

/* Pool task t: every call over its partitions; per-task buffers sized to its longest one. */
static void task_run(void *ctx, int t) {
    wctx *c = ctx;
    int64_t p0 = c->tpart[t], p1 = c->tpart[t + 1], maxlen = 1;
    for (int64_t p = p0; p < p1; p++) maxlen = LP_MAX(maxlen, c->pstart[p + 1] - c->pstart[p]);
    wbuf b = {lp_malloc(sizeof(int64_t) * (size_t)maxlen), lp_malloc(sizeof(int64_t) * (size_t)maxlen),
              lp_malloc(sizeof(int64_t) * (size_t)maxlen), lp_malloc(sizeof(wst) * (size_t)maxlen)};
    lp_status st = b.dq && b.next && b.prev && b.suf ? LP_OK : LP_ENOMEM;
    for (int64_t p = p0; st == LP_OK && p < p1; p++) {
        if (lp_cancelled()) {
            st = LP_ECANCELLED;
            break;
        }
        int64_t s = c->pstart[p], e = c->pstart[p + 1];
        for (int k = 0; st == LP_OK && k < c->ncalls; k++) {
            if (c->calls[k].fn == LP_WIN_AGG) st = run_agg(c, k, s, e, &b);
            else run_rank(c, k, s, e);
        }
    }
    lp_free(b.dq);
    lp_free(b.next);
    lp_free(b.prev);
    lp_free(b.suf);
    c->st[t] = st;
}

/* ---- output columns, one task per output partition ---- */

/* Call k's results for output rows [off, off + nrows) as a column (value results gathered from
 * the argument or default column). */
static lp_status build_col(const wctx *c, int k, int64_t off, int64_t nrows, lp_column **out) {
    const wout *o = &c->out[k];
    lp_colbuf b;
    lp_colbuf_init(&b, o->type);
    if (!lp_colbuf_reserve(&b, nrows, 0)) {
        lp_colbuf_reset(&b);
        return LP_ENOMEM;
    }
    for (int64_t r = off; r < off + nrows; r++) {
        switch (o->kind) {
        case OUT_I64:
            if (o->null && o->null[r]) lp_colbuf_append_null(&b);
            else lp_colbuf_append_i64(&b, o->i[r]);
            break;
        case OUT_F64:
            if (o->null && o->null[r]) lp_colbuf_append_null(&b);
            else lp_colbuf_append_f64(&b, o->f[r]);
            break;
        default:
            if (o->i[r] >= 0) lp_colbuf_append_rows(&b, c->arg[k], o->i[r], 1);
            else if (o->i[r] == -2) lp_colbuf_append_rows(&b, c->dflt[k], r, 1);
            else lp_colbuf_append_null(&b);
            break;
        }
    }
    return lp_colbuf_finish(&b, out);
}

/* Pool task p: the new columns of output partition p. */
static void part_run(void *ctx, int p) {
    wctx *c = ctx;
    lp_status st = LP_OK;
    for (int k = 0; st == LP_OK && k < c->ncalls; k++) {
        if (lp_cancelled()) st = LP_ECANCELLED;
        else st = build_col(c, k, c->poff[p], c->sorted->parts[p].nrows, &c->pcols[p][k]);
    }
    c->st[p] = st;
}

/* ---- the operator ---- */

static void ctx_free(wctx *c) {
    for (int i = 0; c->ok && i < c->nok; i++) lp_column_unref(c->ok[i]);
    for (int k = 0; k < c->ncalls; k++) {
        if (c->arg) lp_column_unref(c->arg[k]);
        if (c->dflt) lp_column_unref(c->dflt[k]);
        if (c->out) {
            lp_free(c->out[k].i);
            lp_free(c->out[k].f);
            lp_free(c->out[k].null);
        }
    }
    for (int p = 0; c->pcols && p < c->sorted->nparts; p++) {
        for (int k = 0; c->pcols[p] && k < c->ncalls; k++) lp_column_unref(c->pcols[p][k]);
        lp_free(c->pcols[p]);
    }
    lp_free(c->pcols);
    lp_free(c->ok);
    lp_free(c->arg);
    lp_free(c->dflt);
    lp_free(c->out);
    lp_free(c->pstart);
    lp_free(c->tpart);
    lp_free(c->poff);
    lp_free(c->st);
    lp_table_unref(c->sorted);
}

/* Checks the calls against the input: argument types, frames. */
static lp_status check_calls(const lp_table *in, const lp_sortkey *okeys, int nokeys, const lp_wincall *calls,
                             int ncalls, lp_diag *d) {
    for (int k = 0; k < ncalls; k++) {
        const lp_wincall *w = &calls[k];
        lp_type t = w->col >= 0 ? in->types[w->col] : lp_type_of(LP_INT64);
        if (lp_window_result_type(w, t).kind == LP_NULLTYPE)
            return lp_diag_set(d, LP_ETYPE, "%s does not apply to a column of type %s over a window", w->name,
                               lp_type_name(t));
        if (w->fn == LP_WIN_NTILE && w->n < 1)
            return lp_diag_set(d, LP_EVALUE, "ntile needs a positive number of buckets, got %lld", (long long)w->n);
        if (w->fn != LP_WIN_AGG || w->frame.kind != LP_FRAME_RANGE) continue;
        bool offsets = (w->frame.lo != LP_FRAME_UNBOUNDED_LO && w->frame.lo != 0) ||
                       (w->frame.hi != LP_FRAME_UNBOUNDED_HI && w->frame.hi != 0);
        if (!offsets) continue;
        if (nokeys != 1)
            return lp_diag_set(d, LP_ETYPE, "a RANGE frame with offsets needs exactly one order key, got %d", nokeys);
        lp_kind kk = (lp_kind)in->types[okeys[0].col].kind;
        if (kk != LP_INT64 && kk != LP_FLOAT64 && kk != LP_DATE && kk != LP_TIMESTAMP)
            return lp_diag_set(d, LP_ETYPE, "a RANGE frame with offsets needs a numeric, date or timestamp order "
                               "key, got %s", lp_type_name(in->types[okeys[0].col]));
    }
    return LP_OK;
}

/* Whether every key and argument names one of in's columns. */
static bool indexes_ok(const lp_table *in, const int *pkeys, int npkeys, const lp_sortkey *okeys, int nokeys,
                       const lp_wincall *calls, int ncalls) {
    for (int i = 0; i < npkeys; i++)
        if (pkeys[i] < 0 || pkeys[i] >= in->ncols) return false;
    for (int i = 0; i < nokeys; i++)
        if (okeys[i].col < 0 || okeys[i].col >= in->ncols) return false;
    for (int k = 0; k < ncalls; k++) {
        if (calls[k].col >= in->ncols || calls[k].dflt >= in->ncols) return false;
        bool needs = calls[k].fn == LP_WIN_LAG || calls[k].fn == LP_WIN_LEAD ||
                     (calls[k].fn == LP_WIN_AGG && calls[k].agg != LP_AGG_COUNT_STAR);
        if (needs && calls[k].col < 0) return false;
    }
    return true;
}

LP_WUR lp_status lp_window(lp_table *in, const int *pkeys, int npkeys, const lp_sortkey *okeys, int nokeys,
                           const lp_wincall *calls, int ncalls, lp_table **out, lp_diag *d) {
    *out = NULL;
    if (!indexes_ok(in, pkeys, npkeys, okeys, nokeys, calls, ncalls))
        return lp_diag_set(d, LP_EVALUE, "window: a key or argument column is out of range");
    lp_status st = check_calls(in, okeys, nokeys, calls, ncalls, d);
    if (st != LP_OK) return st;
    wctx c = {.calls = calls, .ncalls = ncalls, .nok = nokeys};
    lp_wincall *rc = NULL;  /* calls with timestamp RANGE bounds in micros */
    /* 1. sort */
    int nk = npkeys + nokeys;
    lp_sortkey *keys = lp_calloc((size_t)nk + 1, sizeof *keys);
    if (!keys) return lp_diag_nomem(d, "window");
    for (int i = 0; i < npkeys; i++) keys[i] = (lp_sortkey){pkeys[i], false, true};
    for (int i = 0; i < nokeys; i++) keys[npkeys + i] = okeys[i];
    if (nk > 0) st = lp_sort(in, keys, nk, -1, &c.sorted, d);
    else c.sorted = lp_table_ref(in);
    lp_free(keys);
    if (st != LP_OK) return st;
    c.n = c.sorted->nrows;
    /* sorted order keys are the same columns, renumbered nowhere: lp_sort keeps the schema */
    lp_sortkey *ok2 = lp_calloc((size_t)nokeys + 1, sizeof *ok2);
    rc = lp_calloc((size_t)ncalls + 1, sizeof *rc);
    c.ok = lp_calloc((size_t)nokeys + 1, sizeof *c.ok);
    lp_column **pk = lp_calloc((size_t)npkeys + 1, sizeof *pk);
    c.arg = lp_calloc((size_t)ncalls + 1, sizeof *c.arg);
    c.dflt = lp_calloc((size_t)ncalls + 1, sizeof *c.dflt);
    c.out = lp_calloc((size_t)ncalls + 1, sizeof *c.out);
    bool ok = ok2 && rc && c.ok && pk && c.arg && c.dflt && c.out;
    if (ok) {
        if (nokeys) memcpy(ok2, okeys, sizeof *ok2 * (size_t)nokeys);
        if (ncalls) memcpy(rc, calls, sizeof *rc * (size_t)ncalls);
        c.okeys = ok2;
        c.calls = rc;
    }
    for (int i = 0; ok && i < nokeys; i++) ok = (c.ok[i] = lp_table_column(c.sorted, okeys[i].col)) != NULL;
    for (int i = 0; ok && i < npkeys; i++) ok = (pk[i] = lp_table_column(c.sorted, pkeys[i])) != NULL;
    for (int k = 0; ok && k < ncalls; k++) {
        lp_wincall *w = &rc[k];
        if (w->col >= 0 && !(c.arg[k] = lp_table_column(c.sorted, w->col))) ok = false;
        if (ok && w->dflt >= 0 && (w->fn == LP_WIN_LAG || w->fn == LP_WIN_LEAD) &&
            !(c.dflt[k] = lp_table_column(c.sorted, w->dflt)))
            ok = false;
        if (!ok) break;
        if (w->fn == LP_WIN_AGG && w->frame.kind == LP_FRAME_RANGE && nokeys > 0 &&
            c.sorted->types[okeys[0].col].kind == LP_TIMESTAMP) {
            /* RANGE offsets over a timestamp are seconds; the values are micros */
            if (w->frame.lo != LP_FRAME_UNBOUNDED_LO && w->frame.lo != 0)
                w->frame.lo = w->frame.lo < -INT64_MAX / 1000000 ? INT64_MIN + 1 : w->frame.lo * 1000000;
            if (w->frame.hi != LP_FRAME_UNBOUNDED_HI && w->frame.hi != 0)
                w->frame.hi = w->frame.hi > INT64_MAX / 1000000 ? INT64_MAX - 1 : w->frame.hi * 1000000;
        }
        wout *o = &c.out[k];
        lp_type t = w->col >= 0 ? c.sorted->types[w->col] : lp_type_of(LP_INT64);
        o->type = lp_window_result_type(w, t);
        bool src = w->fn == LP_WIN_LAG || w->fn == LP_WIN_LEAD ||
                   (w->fn == LP_WIN_AGG && (w->agg == LP_AGG_MIN || w->agg == LP_AGG_MAX ||
                                            w->agg == LP_AGG_FIRST || w->agg == LP_AGG_LAST));
        o->kind = src ? OUT_SRC : o->type.kind == LP_FLOAT64 ? OUT_F64 : OUT_I64;
        size_t n = (size_t)(c.n ? c.n : 1);
        if (o->kind == OUT_F64) ok = (o->f = lp_malloc(sizeof(double) * n)) != NULL;
        else ok = (o->i = lp_malloc(sizeof(int64_t) * n)) != NULL;
        if (ok && o->kind != OUT_SRC) ok = (o->null = lp_calloc(n, 1)) != NULL;
    }
    /* 2. window partitions: runs of equal partition keys */
    if (ok) ok = (c.pstart = lp_malloc(sizeof(int64_t) * (size_t)(c.n + 1))) != NULL;
    for (int64_t r = 0; ok && r < c.n; r++) {
        if ((r & (CANCEL_ROWS - 1)) == 0 && lp_cancelled()) {
            st = LP_ECANCELLED;
            break;
        }
        if (r == 0 || (npkeys > 0 && !lp_keys_equal(pk, r - 1, pk, r, npkeys, true))) c.pstart[c.npart++] = r;
    }
    if (ok && st == LP_OK) c.pstart[c.npart] = c.n;
    for (int i = 0; pk && i < npkeys; i++) lp_column_unref(pk[i]);
    lp_free(pk);
    /* tasks of about equal rows, cut at partition boundaries */
    int ntasks = (int)LP_MIN(c.npart, (int64_t)lp_pool_threads() * 4);
    if (ok && st == LP_OK) ok = (c.tpart = lp_malloc(sizeof(int64_t) * (size_t)(ntasks + 2))) != NULL;
    if (ok && st == LP_OK) {
        int t = 0;
        c.tpart[0] = 0;
        for (int64_t p = 0; p < c.npart && t < ntasks - 1; p++)
            if (c.pstart[p + 1] >= (c.n / ntasks) * (t + 1)) c.tpart[++t] = p + 1;
        ntasks = t + 1;
        c.tpart[ntasks] = c.npart;
        if (c.npart == 0) ntasks = 0;
        c.ntasks = ntasks;
        int nst = LP_MAX(ntasks, c.sorted->nparts);
        ok = (c.st = lp_calloc((size_t)nst + 1, sizeof *c.st)) != NULL;
    }
    /* 3. compute */
    if (ok && st == LP_OK && ntasks > 0) {
        st = lp_pool_run(ntasks, task_run, &c);
        for (int t = 0; st == LP_OK && t < ntasks; t++) st = c.st[t];
    }
    /* 4. output partitions */
    int np = c.sorted->nparts;
    if (ok && st == LP_OK) {
        ok = (c.poff = lp_malloc(sizeof(int64_t) * (size_t)(np + 1))) != NULL &&
             (c.pcols = lp_calloc((size_t)np + 1, sizeof *c.pcols)) != NULL;
        int64_t off = 0;
        for (int p = 0; ok && p < np; p++) {
            c.poff[p] = off;
            off += c.sorted->parts[p].nrows;
            ok = (c.pcols[p] = lp_calloc((size_t)ncalls + 1, sizeof(lp_column *))) != NULL;
        }
    }
    if (ok && st == LP_OK && np > 0) {
        memset(c.st, 0, sizeof *c.st * (size_t)np);
        st = lp_pool_run(np, part_run, &c);
        for (int p = 0; st == LP_OK && p < np; p++) st = c.st[p];
    }
    lp_table *res = NULL;
    if (ok && st == LP_OK) {
        int nc = in->ncols + ncalls;
        const char **names = lp_calloc((size_t)nc + 1, sizeof *names);
        lp_type *types = lp_calloc((size_t)nc + 1, sizeof *types);
        ok = names && types;
        for (int i = 0; ok && i < in->ncols; i++) {
            names[i] = in->names[i];
            types[i] = in->types[i];
        }
        for (int k = 0; ok && k < ncalls; k++) {
            names[in->ncols + k] = calls[k].name ? calls[k].name : "window";
            types[in->ncols + k] = c.out[k].type;
        }
        if (ok) ok = (res = lp_table_new(nc, names, types)) != NULL;
        lp_free(names);
        lp_free(types);
        for (int p = 0; ok && st == LP_OK && p < np; p++) {
            lp_column **cols = lp_calloc((size_t)nc, sizeof *cols);
            if (!cols) {
                ok = false;
                break;
            }
            for (int i = 0; i < in->ncols; i++) cols[i] = lp_column_ref(c.sorted->parts[p].cols[i]);
            for (int k = 0; k < ncalls; k++) {
                cols[in->ncols + k] = c.pcols[p][k];
                c.pcols[p][k] = NULL;
            }
            st = lp_table_add_part(res, c.sorted->parts[p].nrows, cols);
            lp_free(cols);
        }
    }
    if (!ok && st == LP_OK) st = LP_ENOMEM;
    c.calls = calls;
    ctx_free(&c);
    lp_free(ok2);
    lp_free(rc);
    if (st != LP_OK) {
        lp_table_unref(res);
        if (st == LP_ENOMEM) return lp_diag_nomem(d, "window");
        if (st == LP_ECANCELLED) return lp_diag_set(d, LP_ECANCELLED, "window was cancelled");
        return st;
    }
    *out = res;
    return LP_OK;
}
