/* wlimit.c -- the window group limit: the rows a `row_number() <= k` filter over a window can
 * keep, found without sorting the input (Spark 3.5's WindowGroupLimit).
 *
 * `df.withColumn("rn", F.row_number().over(w)).filter("rn <= 2")` numbers every row of every
 * window partition and throws nearly all of them away: the window operator sorts and gathers the
 * whole input first. The rows that survive are, in each partition, the first k in the window's
 * order (ties in input order, as the window's stable sort breaks them). This operator keeps just
 * those, in input order, so the window then runs over k rows a partition; its numbers are the
 * same, because a kept row's predecessors in its partition are all kept. The planner inserts it
 * under the window (plan_exec.c); the window and the filter stay as they were.
 *
 * DESIGN
 * 1. One task per input partition hashes the partition keys of its rows (lp_keys_hash) and
 *    counts them per radix bucket (the hash's top bits).
 * 2. Offsets per (bucket, partition) in that order, then one task per partition scatters a
 *    record of each row there (hash, reference, the partition key and the first order key
 *    normalised to 64 bits): each bucket holds its rows in input order, and its scan reads only
 *    its records, in order, unless keys are strings or nulls (then the rows are compared).
 * 3. One task per bucket: an open-addressing table (the hash's low bits) of its groups, each
 *    with its best k rows so far, kept sorted; a row replaces the worst only when it orders
 *    strictly before it, so among equal keys the earlier row wins, as in the stable sort. The
 *    kept rows are marked in a byte per input row (buckets mark disjoint rows).
 * 4. One task per partition gathers its marked rows (by reference when all are kept).
 * Memory: 40 bytes a row (hash, record) plus the per-bucket tables; nothing per row is
 * allocated. Results do not depend on the thread count: every step is in a fixed order.
 */
#include "expr_int.h"
#include "sort_int.h"

#define MAX_K 64  /* above this the window's own sort is as good */

/* A row in its bucket: what the bucket's scan compares, copied next to each other so that the
 * scan reads memory in order instead of chasing every row into its partition. */
typedef struct wlrec {
    uint64_t h;    /* the partition keys' hash */
    uint64_t key;  /* when key_exact: the one partition key, normalised (equal iff equal keys) */
    uint64_t ord;  /* the first order key normalised, its direction applied */
    int64_t ref;   /* the row (lp_ref_make), and the two flags below */
} wlrec;
#define REF_ORD_NULL (INT64_C(1) << 62)  /* the first order key is null: compare the rows */
#define REF_KEY_NULL (INT64_C(1) << 61)  /* a partition key is null: compare the rows */
#define REF_MASK ((INT64_C(1) << 61) - 1)

enum { NORM_NONE, NORM_BOOL, NORM_I64, NORM_DATE, NORM_F64, NORM_STR };

static int norm_kind(lp_type t) {
    switch ((lp_kind)t.kind) {
    case LP_BOOL: return NORM_BOOL;
    case LP_INT64: case LP_TIMESTAMP: return NORM_I64;
    case LP_DATE: return NORM_DATE;
    case LP_FLOAT64: return NORM_F64;
    case LP_STRING: return NORM_STR;
    default: return NORM_NONE;
    }
}

/* Row r of c normalised (c non-null there). */
static uint64_t norm_at(int kind, const lp_column *c, int64_t r) {
    switch (kind) {
    case NORM_BOOL: return c->v.b[r];
    case NORM_I64: return lp_norm_i64(c->v.i[r]);
    case NORM_DATE: return lp_norm_i64(c->v.d[r]);
    case NORM_F64: return lp_norm_f64(c->v.f[r]);
    case NORM_STR: return lp_norm_str(c->data + c->v.off[r], c->v.off[r + 1] - c->v.off[r]);
    default: return 0;
    }
}

typedef struct wlctx {
    lp_table *in;
    const int *pkeys;
    int npkeys;
    const lp_sortkey *okeys;
    int nokeys;
    int64_t k;
    int key_norm;         /* one fixed-width partition key: its NORM_*, compared by value */
    int ord_norm;         /* the first order key's NORM_* (NORM_NONE: no prefix) */
    bool ord_exact;       /* the prefix is the whole order (one fixed-width order key) */
    uint64_t ord_flip;    /* all ones when the first order key descends */
    int shift;            /* bucket = hash >> shift */
    int nb;               /* buckets, a power of two */
    lp_column ***kcols;   /* per partition: its key columns */
    uint64_t **hash;      /* per partition: each row's key hash */
    int64_t *cnt;         /* [part * nb + bucket]: counts, then scatter cursors */
    int64_t *boff;        /* bucket b's rows at recs[boff[b] .. boff[b + 1]) */
    wlrec *recs;
    uint8_t **keep;       /* per partition: 1 for a kept row */
    lp_column ***outcols; /* per partition: the kept rows' columns */
    int64_t *outn;
    lp_status *st;        /* per task of the running step */
} wlctx;

bool lp_window_limit_applies(int64_t k) { return k >= 1 && k <= MAX_K; }

static void hash_task(void *ctx, int p) {
    wlctx *c = ctx;
    const lp_part *pt = &c->in->parts[p];
    if (lp_cancelled()) return;
    uint64_t *h = c->hash[p];
    if (c->npkeys > 0) lp_keys_hash(c->kcols[p], c->npkeys, pt->nrows, h);
    else memset(h, 0, sizeof *h * (size_t)pt->nrows);  /* one window partition: the whole input */
    int64_t *cnt = c->cnt + (size_t)p * (size_t)c->nb;
    for (int64_t r = 0; r < pt->nrows; r++) cnt[c->shift >= 64 ? 0 : h[r] >> c->shift]++;
}

static void scatter_task(void *ctx, int p) {
    wlctx *c = ctx;
    const uint64_t *h = c->hash[p];
    int64_t *cur = c->cnt + (size_t)p * (size_t)c->nb;
    lp_column *const *cols = c->in->parts[p].cols;
    const lp_column *kc = c->key_norm != NORM_NONE ? cols[c->pkeys[0]] : NULL;
    const lp_column *oc = c->ord_norm != NORM_NONE ? cols[c->okeys[0].col] : NULL;
    for (int64_t r = 0, n = c->in->parts[p].nrows; r < n; r++) {
        wlrec *e = &c->recs[cur[c->shift >= 64 ? 0 : h[r] >> c->shift]++];
        e->h = h[r];
        e->ref = lp_ref_make(p, r);
        e->key = e->ord = 0;
        if (kc) {
            if (lp_col_valid(kc, r)) e->key = norm_at(c->key_norm, kc, r);
            else e->ref |= REF_KEY_NULL;
        }
        if (oc) {
            if (lp_col_valid(oc, r)) e->ord = norm_at(c->ord_norm, oc, r) ^ c->ord_flip;
            else e->ref |= REF_ORD_NULL;
        }
    }
}

/* <0 when row a orders before row b on the window's order keys (no tie-break). */
static int cmp_rows(const wlctx *c, int64_t a, int64_t b) {
    lp_column *const *ca = c->in->parts[lp_ref_part(a)].cols, *const *cb = c->in->parts[lp_ref_part(b)].cols;
    int64_t ra = lp_ref_row(a), rb = lp_ref_row(b);
    for (int k = 0; k < c->nokeys; k++) {
        const lp_sortkey *sk = &c->okeys[k];
        const lp_column *x = ca[sk->col], *y = cb[sk->col];
        bool vx = lp_col_valid(x, ra), vy = lp_col_valid(y, rb);
        if (!vx || !vy) {
            if (vx == vy) continue;
            return (vx ? 1 : -1) * (sk->nulls_first ? 1 : -1);
        }
        int r = lp_value_cmp_rows(x, ra, y, rb);
        if (r) return sk->desc ? -r : r;
    }
    return 0;
}

/* <0 when record a orders before record b (no tie-break): by the normalised prefix when both
 * have one, else (and on equal prefixes that are not the whole order) by the rows. */
static int cmp_recs(const wlctx *c, const wlrec *a, const wlrec *b) {
    if (c->ord_norm != NORM_NONE && !((a->ref | b->ref) & REF_ORD_NULL)) {
        if (a->ord != b->ord) return a->ord < b->ord ? -1 : 1;
        if (c->ord_exact) return 0;
    }
    return cmp_rows(c, a->ref & REF_MASK, b->ref & REF_MASK);
}

/* Whether records a and b have equal partition keys (their hashes are equal). */
static bool same_group(const wlctx *c, const wlrec *a, const wlrec *b) {
    if (c->key_norm != NORM_NONE && !((a->ref | b->ref) & REF_KEY_NULL)) return a->key == b->key;
    int64_t ra = a->ref & REF_MASK, rb = b->ref & REF_MASK;
    return lp_keys_equal(c->kcols[lp_ref_part(ra)], lp_ref_row(ra), c->kcols[lp_ref_part(rb)], lp_ref_row(rb), c->npkeys,
                         true);
}

static void bucket_task(void *ctx, int b) {
    wlctx *c = ctx;
    int64_t lo = c->boff[b], n = c->boff[b + 1] - lo, k = c->k;
    if (n == 0 || lp_cancelled()) return;
    /* at most n groups: a table of twice that, and k slots a group */
    int64_t cap = 16;
    while (cap < 2 * n) cap <<= 1;
    int32_t *slot = lp_malloc(sizeof *slot * (size_t)cap);
    int64_t *top = lp_malloc(sizeof *top * (size_t)(n * k));
    int32_t *fill = lp_malloc(sizeof *fill * (size_t)n);
    if (!slot || !top || !fill) {
        c->st[b] = LP_ENOMEM;
        goto done;
    }
    memset(slot, 0xff, sizeof *slot * (size_t)cap);
    int32_t ng = 0;
    const wlrec *rec = c->recs + lo;
    for (int64_t i = 0; i < n; i++) {
        if ((i & 65535) == 65535 && lp_cancelled()) break;
        const wlrec *e = &rec[i];
        int64_t s = (int64_t)(e->h & (uint64_t)(cap - 1));
        int32_t g;
        for (;;) {
            g = slot[s];
            if (g < 0) {
                g = slot[s] = ng++;
                fill[g] = 0;
                break;
            }
            const wlrec *first = &rec[top[(int64_t)g * k]];  /* any member stands for the group's keys */
            if (first->h == e->h && same_group(c, first, e)) break;
            s = (s + 1) & (cap - 1);
        }
        int64_t *t = top + (int64_t)g * k;
        int64_t m = fill[g];
        if (m == k) {
            if (cmp_recs(c, e, &rec[t[k - 1]]) >= 0) continue;  /* not strictly before the worst */
            m--;
        } else {
            fill[g]++;
        }
        while (m > 0 && cmp_recs(c, e, &rec[t[m - 1]]) < 0) {
            t[m] = t[m - 1];
            m--;
        }
        t[m] = i;
    }
    for (int32_t g = 0; g < ng; g++)
        for (int32_t j = 0; j < fill[g]; j++) {
            int64_t ref = rec[top[(int64_t)g * k + j]].ref & REF_MASK;
            c->keep[lp_ref_part(ref)][lp_ref_row(ref)] = 1;
        }
done:
    lp_free(slot);
    lp_free(top);
    lp_free(fill);
}

static void gather_task(void *ctx, int p) {
    wlctx *c = ctx;
    const lp_part *pt = &c->in->parts[p];
    int64_t m = 0;
    for (int64_t r = 0; r < pt->nrows; r++) m += c->keep[p][r];
    c->outn[p] = m;
    if (m == 0 || lp_cancelled()) return;
    if (m == pt->nrows) {
        lp_column **cols = lp_calloc((size_t)c->in->ncols + 1, sizeof *cols);
        if (!cols) {
            c->st[p] = LP_ENOMEM;
            return;
        }
        for (int j = 0; j < c->in->ncols; j++) cols[j] = lp_column_ref(pt->cols[j]);
        c->outcols[p] = cols;
        return;
    }
    int64_t *idx = lp_malloc(sizeof *idx * (size_t)m);
    if (!idx) {
        c->st[p] = LP_ENOMEM;
        return;
    }
    for (int64_t r = 0, j = 0; r < pt->nrows; r++)
        if (c->keep[p][r]) idx[j++] = r;
    c->st[p] = lp_ev_take_part(pt, c->in->ncols, idx, m, &c->outcols[p]);
    lp_free(idx);
}

static lp_status run_step(wlctx *c, int ntasks, void (*fn)(void *, int)) {
    for (int t = 0; t < ntasks; t++) c->st[t] = LP_OK;
    lp_status st = lp_pool_run(ntasks, fn, c);
    for (int t = 0; t < ntasks && st == LP_OK; t++) st = c->st[t];
    if (st == LP_OK && lp_cancelled()) st = LP_ECANCELLED;
    return st;
}

static void free_ctx(wlctx *c, int np) {
    for (int p = 0; p < np; p++) {
        if (c->kcols) lp_free(c->kcols[p]);
        if (c->hash) lp_free(c->hash[p]);
        if (c->keep) lp_free(c->keep[p]);
        if (c->outcols && c->outcols[p]) {
            for (int j = 0; j < c->in->ncols; j++) lp_column_unref(c->outcols[p][j]);
            lp_free(c->outcols[p]);
        }
    }
    lp_free(c->kcols);
    lp_free(c->hash);
    lp_free(c->keep);
    lp_free(c->outcols);
    lp_free(c->outn);
    lp_free(c->cnt);
    lp_free(c->boff);
    lp_free(c->recs);
    lp_free(c->st);
}

lp_status lp_window_limit(lp_table *in, const int *pkeys, int npkeys, const lp_sortkey *okeys, int nokeys, int64_t k,
                          lp_table **out, lp_diag *d) {
    *out = NULL;
    if (!lp_window_limit_applies(k)) return lp_diag_set(d, LP_EVALUE, "window limit: k = %lld is out of range", (long long)k);
    for (int i = 0; i < npkeys; i++)
        if (pkeys[i] < 0 || pkeys[i] >= in->ncols) return lp_diag_set(d, LP_EVALUE, "window limit: no key column %d", pkeys[i]);
    for (int i = 0; i < nokeys; i++)
        if (okeys[i].col < 0 || okeys[i].col >= in->ncols)
            return lp_diag_set(d, LP_EVALUE, "window limit: no order column %d", okeys[i].col);
    int np = in->nparts;
    wlctx c = {.in = in, .pkeys = pkeys, .npkeys = npkeys, .okeys = okeys, .nokeys = nokeys, .k = k};
    /* about 64k rows a bucket, at least two buckets a thread, at most 64 (a wider scatter
     * writes to more pages at once than the TLB holds, and costs more than it saves) */
    int bits = 0;
    while (bits < 6 && ((int64_t)1 << bits) * 65536 < in->nrows) bits++;
    while (bits < 6 && (1 << bits) < 2 * lp_pool_threads()) bits++;
    c.nb = 1 << bits;
    c.shift = 64 - bits;
    int ntask = LP_MAX(np, c.nb);
    if (npkeys == 1 && norm_kind(in->types[pkeys[0]]) != NORM_STR) c.key_norm = norm_kind(in->types[pkeys[0]]);
    if (nokeys > 0) {
        c.ord_norm = norm_kind(in->types[okeys[0].col]);
        c.ord_exact = nokeys == 1 && c.ord_norm != NORM_STR;
        c.ord_flip = okeys[0].desc ? UINT64_MAX : 0;
    }
    lp_status st = LP_OK;
    bool ok = (c.kcols = lp_calloc((size_t)np + 1, sizeof *c.kcols)) && (c.hash = lp_calloc((size_t)np + 1, sizeof *c.hash)) &&
              (c.keep = lp_calloc((size_t)np + 1, sizeof *c.keep)) &&
              (c.outcols = lp_calloc((size_t)np + 1, sizeof *c.outcols)) &&
              (c.outn = lp_calloc((size_t)np + 1, sizeof *c.outn)) &&
              (c.cnt = lp_calloc((size_t)np * (size_t)c.nb + 1, sizeof *c.cnt)) &&
              (c.boff = lp_calloc((size_t)c.nb + 1, sizeof *c.boff)) &&
              (c.recs = lp_malloc(sizeof *c.recs * (size_t)(in->nrows + 1))) &&
              (c.st = lp_calloc((size_t)ntask, sizeof *c.st));
    for (int p = 0; ok && p < np; p++) {
        int64_t n = in->parts[p].nrows;
        ok = (c.kcols[p] = lp_calloc((size_t)npkeys + 1, sizeof **c.kcols)) &&
             (c.hash[p] = lp_malloc(sizeof **c.hash * (size_t)(n + 1))) && (c.keep[p] = lp_calloc((size_t)n + 1, 1));
        for (int i = 0; ok && i < npkeys; i++) c.kcols[p][i] = in->parts[p].cols[pkeys[i]];
    }
    if (!ok) st = LP_ENOMEM;
    if (st == LP_OK) st = run_step(&c, np, hash_task);
    if (st == LP_OK) {
        /* bucket b's rows start after every earlier bucket's, partition by partition */
        int64_t pos = 0;
        for (int b = 0; b < c.nb; b++) {
            c.boff[b] = pos;
            for (int p = 0; p < np; p++) {
                int64_t *x = &c.cnt[(size_t)p * (size_t)c.nb + (size_t)b], n = *x;
                *x = pos;
                pos += n;
            }
        }
        c.boff[c.nb] = pos;
        st = run_step(&c, np, scatter_task);
    }
    if (st == LP_OK) st = run_step(&c, c.nb, bucket_task);
    if (st == LP_OK) st = run_step(&c, np, gather_task);
    lp_table *t = NULL;
    if (st == LP_OK && !(t = lp_table_new(in->ncols, (const char *const *)in->names, in->types))) st = LP_ENOMEM;
    for (int p = 0; st == LP_OK && p < np; p++) {
        if (!c.outcols[p]) continue;
        st = lp_table_add_part(t, c.outn[p], c.outcols[p]);
        lp_free(c.outcols[p]);
        c.outcols[p] = NULL;
    }
    free_ctx(&c, np);
    if (st != LP_OK) {
        lp_table_unref(t);
        if (st == LP_ECANCELLED) return lp_diag_set(d, LP_ECANCELLED, "cancelled");
        return lp_diag_nomem(d, "window");
    }
    *out = t;
    return LP_OK;
}
