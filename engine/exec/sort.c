/* sort.c -- orderBy: a stable multi-key sort, and its top-k form for orderBy(...).limit(k).
 *
 * DESIGN
 * The input is cut into runs of at most RUN_ROWS rows (a partition, or a slice of a large one),
 * so the work is parallel whatever the input's partitioning and each run's sort stays in cache.
 *   1. Each run (one pool task) becomes a sorted vector of entries (key, row). `key` is the
 *      first sort key normalised to a uint64 whose unsigned order is the wanted order: integers
 *      with the sign bit flipped, doubles by the IEEE trick with -0 = 0 and every NaN last, the
 *      first 8 bytes of a string big-endian, all complemented for a descending key. Rows whose
 *      first key is null are set apart (first or last). An LSD radix sort on `key` (stable,
 *      skipping the bytes that are equal everywhere) orders the rest; groups of equal keys
 *      that need more (later keys, or strings longer than their prefix) are finished by a
 *      stable merge sort with the full comparator. Top-k: the run keeps a bounded max-heap of
 *      its best k entries instead and sorts only those.
 *   2. The sorted runs are merged k-way by a loser tree. The order is total -- the keys, then
 *      the run, then the position in the run -- so the merge splits cleanly: splitters drawn
 *      from samples of every run cut the output into segments, and each segment is one task
 *      merging the ranges binary-searched in every run.
 *   3. The merged row references are gathered into output partitions of LP_SORT_PART_ROWS
 *      rows, one task per output partition.
 * Runs are in input order (partition, then row) and every tie is broken by run, then row, so
 * equal rows keep their input order and the result is the same for any thread count.
 * Threads: the caller's; tasks write only their own run, segment or output slot.
 */
#include "sort_int.h"

#include <math.h>
#include <stdlib.h>

#define RUN_ROWS 65536     /* at most this many rows per run: radix counts fit uint32 */
#define SEG_ROWS 262144    /* output rows per merge segment */
#define MAX_SEGS 64
#define KEY_BATCH 1024     /* top-k: keys normalised this many rows at a time */

typedef struct sent {
    uint64_t key;  /* the first key, normalised (meaningless when that key is null) */
    int64_t row;   /* the row in its partition */
} sent;

/* How the first key is normalised; all but NORM_STR and NORM_NONE are exact (order-preserving
 * and injective on the order), so equal `key`s need no second look at that column. */
enum { NORM_NONE, NORM_BOOL, NORM_I64, NORM_DATE, NORM_F64, NORM_STR };

typedef struct srun {
    int part;
    int64_t start, n;  /* the input rows [start, start + n) of partition `part` */
    sent *e;           /* the sorted entries */
    uint64_t *k2;      /* string first key: bytes 8..15 of each entry's string, normalised
                        * like `key`, so the merge seldom needs the strings themselves */
    int64_t ne;
    lp_status st;
} srun;

typedef struct sctx {
    const lp_table *in;
    const lp_sortkey *keys;
    int nkeys;
    int64_t limit;     /* < 0: every row */
    int norm;
    int k0;            /* column of the first key; -1 without keys */
    bool k0desc, k0nf;
    int from;          /* the first key to compare after equal `key`s */
    bool fast_merge;   /* one exact key, never null: the merge compares `key` alone */
    srun *runs;
    int nruns;
    /* merge */
    int nseg;
    int64_t *bounds;   /* (nseg + 1) * nruns: segment s takes run r's entries from
                        * bounds[s * nruns + r] to bounds[(s + 1) * nruns + r] */
    lp_status *seg_st;
    int64_t *refs;     /* the merged order, nout references */
    int64_t nout;
    /* gather */
    lp_column **src;   /* ncols * nparts: column c of partition p at [c * nparts + p] */
    lp_column **outc;  /* nchunks * ncols */
    lp_status *chunk_st;
    int nchunks;
} sctx;

/* ---- comparison ---- */

/* Compares row ra of partition columns ca with row rb of cb on keys[from..nkeys): <0, 0, >0 in
 * output order (direction and null placement applied). */
static int cmp_keys(const sctx *c, lp_column *const *ca, int64_t ra, lp_column *const *cb, int64_t rb, int from) {
    for (int k = from; k < c->nkeys; k++) {
        const lp_sortkey *sk = &c->keys[k];
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

/* Compares two entries (of the partitions whose columns are ca and cb) in output order, without
 * the tie-break by position. */
static inline int cmp_ent(const sctx *c, lp_column *const *ca, const sent *a, lp_column *const *cb, const sent *b) {
    if (c->k0 >= 0) {
        const lp_column *x = ca[c->k0], *y = cb[c->k0];
        if (x->valid || y->valid) {
            bool vx = lp_col_valid(x, a->row), vy = lp_col_valid(y, b->row);
            if (!vx || !vy) {
                if (vx != vy) return (vx ? 1 : -1) * (c->k0nf ? 1 : -1);
                return cmp_keys(c, ca, a->row, cb, b->row, 1);
            }
        }
    }
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return c->from < c->nkeys ? cmp_keys(c, ca, a->row, cb, b->row, c->from) : 0;
}

/* Entries of one partition. from >= 0: keys[from..) only (the entries are already in row order
 * among ties, and the sort is stable); from < 0: the whole order, the row breaking ties. */
static inline int cmp_in_run(const sctx *c, lp_column *const *cols, const sent *a, const sent *b, int from) {
    if (from >= 0) return cmp_keys(c, cols, a->row, cols, b->row, from);
    int r = cmp_ent(c, cols, a, cols, b);
    return r ? r : (a->row > b->row) - (a->row < b->row);
}

/* Whether entry ia of run ra comes before entry ib of run rb: keys, then run, then position. */
static bool before(const sctx *c, int ra, int64_t ia, int rb, int64_t ib) {
    const srun *x = &c->runs[ra], *y = &c->runs[rb];
    lp_column *const *cx = c->in->parts[x->part].cols, *const *cy = c->in->parts[y->part].cols;
    const sent *a = &x->e[ia], *b = &y->e[ib];
    if (x->k2 && a->key == b->key && x->k2[ia] != y->k2[ib] && lp_col_valid(cx[c->k0], a->row) &&
        lp_col_valid(cy[c->k0], b->row))
        return x->k2[ia] < y->k2[ib];
    int v = cmp_ent(c, cx, a, cy, b);
    if (v) return v < 0;
    return ra != rb ? ra < rb : ia < ib;
}

/* ---- sorting one run ---- */

/* e[i] = (normalised first key, row) for the rows [start, start + n) of partition columns cols. */
static void make_keys(const sctx *c, lp_column *const *cols, int64_t start, int64_t n, sent *e) {
    uint64_t flip = c->k0desc ? UINT64_MAX : 0;
    const lp_column *k = c->k0 >= 0 ? cols[c->k0] : NULL;
    for (int64_t i = 0; i < n; i++) e[i].row = start + i;
    switch (c->norm) {
    case NORM_BOOL:
        for (int64_t i = 0; i < n; i++) e[i].key = (uint64_t)k->v.b[start + i] ^ flip;
        break;
    case NORM_I64:
        for (int64_t i = 0; i < n; i++) e[i].key = lp_norm_i64(k->v.i[start + i]) ^ flip;
        break;
    case NORM_DATE:
        for (int64_t i = 0; i < n; i++) e[i].key = lp_norm_i64(k->v.d[start + i]) ^ flip;
        break;
    case NORM_F64:
        for (int64_t i = 0; i < n; i++) e[i].key = lp_norm_f64(k->v.f[start + i]) ^ flip;
        break;
    case NORM_STR:
        for (int64_t i = 0; i < n; i++) {
            int64_t r = start + i, o = k->v.off[r];
            e[i].key = lp_norm_str(k->data + o, k->v.off[r + 1] - o) ^ flip;
        }
        break;
    default:
        for (int64_t i = 0; i < n; i++) e[i].key = 0;
        break;
    }
}

/* Stable LSD radix sort of a[0..n) on `key` (n <= RUN_ROWS), bytes equal everywhere skipped;
 * returns the buffer holding the result (a or tmp). */
static sent *radix_sort(sent *a, sent *tmp, int64_t n) {
    if (n <= 32) {
        for (int64_t i = 1; i < n; i++) {
            sent x = a[i];
            int64_t j = i;
            for (; j > 0 && a[j - 1].key > x.key; j--) a[j] = a[j - 1];
            a[j] = x;
        }
        return a;
    }
    uint32_t hist[8][256];
    memset(hist, 0, sizeof hist);
    for (int64_t i = 0; i < n; i++) {
        uint64_t k = a[i].key;
        for (int b = 0; b < 8; b++) hist[b][(k >> (8 * b)) & 255]++;
    }
    for (int b = 0; b < 8; b++) {
        unsigned sh = 8u * (unsigned)b;
        if (hist[b][(a[0].key >> sh) & 255] == (uint32_t)n) continue;
        uint32_t pos[256], sum = 0;
        for (int d = 0; d < 256; d++) {
            pos[d] = sum;
            sum += hist[b][d];
        }
        for (int64_t i = 0; i < n; i++) tmp[pos[(a[i].key >> sh) & 255]++] = a[i];
        sent *t = a;
        a = tmp;
        tmp = t;
    }
    return a;
}

/* Stable merge sort of a[0..n) (entries of partition columns cols) by cmp_in_run(from); tmp
 * holds at least n / 2 + 1 entries. */
static void merge_sort(const sctx *c, lp_column *const *cols, sent *a, sent *tmp, int64_t n, int from) {
    if (n <= 16) {
        for (int64_t i = 1; i < n; i++) {
            sent x = a[i];
            int64_t j = i;
            for (; j > 0 && cmp_in_run(c, cols, &a[j - 1], &x, from) > 0; j--) a[j] = a[j - 1];
            a[j] = x;
        }
        return;
    }
    int64_t h = n / 2;
    merge_sort(c, cols, a, tmp, h, from);
    merge_sort(c, cols, a + h, tmp, n - h, from);
    if (cmp_in_run(c, cols, &a[h - 1], &a[h], from) <= 0) return;
    memcpy(tmp, a, sizeof *a * (size_t)h);
    int64_t i = 0, j = h, k = 0;
    while (i < h && j < n) a[k++] = cmp_in_run(c, cols, &a[j], &tmp[i], from) < 0 ? a[j++] : tmp[i++];
    while (i < h) a[k++] = tmp[i++];
}

/* Orders a[0..m), a group of entries whose string first key agrees on its first 8 * depth
 * bytes (zero-padded): MSD refinement by the next 8 bytes, radix sorted, recursing into groups
 * that still agree; a group whose strings have all ended goes to the comparator (later keys,
 * and lengths for strings that differ only by trailing NUL bytes). The entries' keys are given
 * back as they were, since the merge compares them. */
static void refine_str(const sctx *c, lp_column *const *cols, sent *a, sent *tmp, int64_t m, int64_t depth) {
    if (m <= 16) {
        merge_sort(c, cols, a, tmp, m, 0);
        return;
    }
    const lp_column *k = cols[c->k0];
    uint64_t flip = c->k0desc ? UINT64_MAX : 0, saved = a[0].key;
    int64_t at = 8 * depth;
    bool longer = false;
    for (int64_t i = 0; i < m; i++) {
        int64_t o = k->v.off[a[i].row], n = k->v.off[a[i].row + 1] - o;
        a[i].key = (n > at ? lp_norm_str(k->data + o + at, n - at) : 0) ^ flip;
        longer |= n > at;
    }
    if (!longer) {
        merge_sort(c, cols, a, tmp, m, 0);
    } else {
        sent *sorted = radix_sort(a, tmp, m);
        if (sorted != a) memcpy(a, sorted, sizeof *a * (size_t)m);
        for (int64_t i = 0; i < m;) {
            int64_t j = i + 1;
            while (j < m && a[j].key == a[i].key) j++;
            if (j - i > 1) refine_str(c, cols, a + i, tmp, j - i, depth + 1);
            i = j;
        }
    }
    for (int64_t i = 0; i < m; i++) a[i].key = saved;
}

/* Sorts every row of run r. */
static lp_status sort_run_full(const sctx *c, srun *r) {
    lp_column *const *cols = c->in->parts[r->part].cols;
    int64_t n = r->n;
    sent *e = lp_malloc(sizeof *e * (size_t)n), *tmp = lp_malloc(sizeof *tmp * (size_t)n);
    if (!e || !tmp) {
        lp_free(e);
        lp_free(tmp);
        return LP_ENOMEM;
    }
    make_keys(c, cols, r->start, n, tmp);
    const lp_column *k = c->k0 >= 0 ? cols[c->k0] : NULL;
    int64_t nnull = 0;
    if (k && k->valid)
        for (int64_t i = 0; i < n; i++) nnull += !lp_col_valid(k, r->start + i);
    int64_t nn = n - nnull;
    sent *vals = e + (c->k0nf ? nnull : 0), *nulls = e + (c->k0nf ? 0 : nn);
    if (nnull) {
        int64_t a = 0, b = 0;
        for (int64_t i = 0; i < n; i++) {
            if (lp_col_valid(k, tmp[i].row)) vals[a++] = tmp[i];
            else nulls[b++] = tmp[i];
        }
    } else {
        memcpy(vals, tmp, sizeof *tmp * (size_t)n);
    }
    sent *sorted = radix_sort(vals, tmp, nn);
    if (sorted != vals) memcpy(vals, sorted, sizeof *vals * (size_t)nn);
    if (c->from < c->nkeys) {
        for (int64_t i = 0; i < nn;) {
            int64_t j = i + 1;
            while (j < nn && vals[j].key == vals[i].key) j++;
            if (j - i > 1) {
                if (c->norm == NORM_STR) refine_str(c, cols, vals + i, tmp, j - i, 1);
                else merge_sort(c, cols, vals + i, tmp, j - i, c->from);
            }
            i = j;
        }
    }
    if (nnull > 1 && c->nkeys > 1) merge_sort(c, cols, nulls, tmp, nnull, 1);
    lp_free(tmp);
    r->e = e;
    r->ne = n;
    return LP_OK;
}

/* Keeps the best c->limit rows of run r (fewer than its rows), sorted: a bounded max-heap whose
 * top is the worst row kept. Rows come in row order, so a row equal to the top is worse. */
static lp_status sort_run_topk(const sctx *c, srun *r) {
    lp_column *const *cols = c->in->parts[r->part].cols;
    int64_t k = c->limit;
    r->ne = 0;
    if (k == 0) return LP_OK;
    sent *h = lp_malloc(sizeof *h * (size_t)k), *tmp = lp_malloc(sizeof *tmp * (size_t)(k / 2 + 1));
    if (!h || !tmp) {
        lp_free(h);
        lp_free(tmp);
        return LP_ENOMEM;
    }
    sent batch[KEY_BATCH];
    int64_t hn = 0;
    for (int64_t s = 0; s < r->n; s += KEY_BATCH) {
        int64_t m = LP_MIN(KEY_BATCH, r->n - s);
        make_keys(c, cols, r->start + s, m, batch);
        for (int64_t i = 0; i < m; i++) {
            int64_t at;
            if (hn < k) { /* push, sift up */
                at = hn++;
                while (at > 0 && cmp_in_run(c, cols, &batch[i], &h[(at - 1) / 2], -1) > 0) {
                    h[at] = h[(at - 1) / 2];
                    at = (at - 1) / 2;
                }
            } else if (cmp_in_run(c, cols, &batch[i], &h[0], -1) < 0) { /* replace top, sift down */
                at = 0;
                for (;;) {
                    int64_t ch = 2 * at + 1;
                    if (ch >= hn) break;
                    if (ch + 1 < hn && cmp_in_run(c, cols, &h[ch + 1], &h[ch], -1) > 0) ch++;
                    if (cmp_in_run(c, cols, &h[ch], &batch[i], -1) <= 0) break;
                    h[at] = h[ch];
                    at = ch;
                }
            } else {
                continue;
            }
            h[at] = batch[i];
        }
    }
    merge_sort(c, cols, h, tmp, hn, -1);
    lp_free(tmp);
    r->e = h;
    r->ne = hn;
    return LP_OK;
}

/* Fills r->k2 (string first keys, a run of more than one entry to merge). */
static lp_status second_prefixes(const sctx *c, srun *r) {
    const lp_column *k = c->in->parts[r->part].cols[c->k0];
    uint64_t flip = c->k0desc ? UINT64_MAX : 0;
    r->k2 = lp_malloc(sizeof *r->k2 * (size_t)(r->ne + 1));
    if (!r->k2) return LP_ENOMEM;
    for (int64_t i = 0; i < r->ne; i++) {
        int64_t o = k->v.off[r->e[i].row], n = k->v.off[r->e[i].row + 1] - o;
        r->k2[i] = (n > 8 ? lp_norm_str(k->data + o + 8, n - 8) : 0) ^ flip;
    }
    return LP_OK;
}

static void run_task(void *ctx, int t) {
    sctx *c = ctx;
    srun *r = &c->runs[t];
    if (lp_cancelled()) return;
    r->st = c->limit >= 0 && c->limit < r->n ? sort_run_topk(c, r) : sort_run_full(c, r);
    if (r->st == LP_OK && c->norm == NORM_STR && c->nruns > 1) r->st = second_prefixes(c, r);
}

/* ---- merging the runs ---- */

typedef struct spos {
    int run;
    int64_t pos;
} spos;

static int cmp_sample(const void *a, const void *b, void *ctx) {
    const spos *x = a, *y = b;
    if (x->run == y->run && x->pos == y->pos) return 0;
    return before(ctx, x->run, x->pos, y->run, y->pos) ? -1 : 1;
}

/* Chooses the segments: c->nseg and c->bounds. Serial, a few comparisons per run and segment. */
static lp_status plan_merge(sctx *c) {
    int nseg = (int)LP_MIN((int64_t)MAX_SEGS, (c->nout + SEG_ROWS - 1) / SEG_ROWS);
    if (nseg < 1) nseg = 1;
    int R = c->nruns;
    c->bounds = lp_malloc(sizeof *c->bounds * (size_t)(nseg + 1) * (size_t)R);
    c->seg_st = lp_calloc((size_t)nseg, sizeof *c->seg_st);
    spos *samp = nseg > 1 ? lp_malloc(sizeof *samp * (size_t)nseg * (size_t)R) : NULL;
    if (!c->bounds || !c->seg_st || (nseg > 1 && !samp)) {
        lp_free(samp);
        return LP_ENOMEM;
    }
    c->nseg = nseg;
    for (int r = 0; r < R; r++) {
        c->bounds[r] = 0;
        c->bounds[(size_t)nseg * (size_t)R + (size_t)r] = c->runs[r].ne;
    }
    if (nseg > 1) {
        int64_t ns = 0;
        for (int r = 0; r < R; r++) {
            int64_t ne = c->runs[r].ne;
            for (int s = 0; s < nseg && ne > 0; s++) samp[ns++] = (spos){r, (int64_t)s * ne / nseg + ne / (2 * nseg)};
        }
        qsort_r(samp, (size_t)ns, sizeof *samp, cmp_sample, c);
        for (int s = 1; s < nseg; s++) {
            spos sp = samp[(int64_t)s * ns / nseg];
            for (int r = 0; r < R; r++) { /* entries of run r before the splitter */
                int64_t lo = 0, hi = c->runs[r].ne;
                while (lo < hi) {
                    int64_t mid = lo + (hi - lo) / 2;
                    if (before(c, r, mid, sp.run, sp.pos)) lo = mid + 1;
                    else hi = mid;
                }
                c->bounds[(size_t)s * (size_t)R + (size_t)r] = lo;
            }
        }
    }
    lp_free(samp);
    return LP_OK;
}

/* Merges segment s into c->refs with a loser tree over the runs that have entries in it. */
static void merge_task(void *ctx, int s) {
    sctx *c = ctx;
    if (lp_cancelled()) return;
    int R = c->nruns;
    const int64_t *lo = c->bounds + (size_t)s * (size_t)R, *hi = lo + R;
    int64_t off = 0, end = 0;
    int K = 0;
    for (int r = 0; r < R; r++) {
        off += lo[r];
        end += hi[r];
        K += hi[r] > lo[r];
    }
    if (end > c->nout) end = c->nout;
    if (off >= end) return;
    int *ids = lp_malloc(sizeof *ids * (size_t)K), *tree = lp_malloc(sizeof *tree * 2 * (size_t)K);
    int64_t *cur = lp_malloc(sizeof *cur * 2 * (size_t)K);
    if (!ids || !tree || !cur) {
        c->seg_st[s] = LP_ENOMEM;
        goto done;
    }
    int64_t *stop = cur + K;
    K = 0;
    for (int r = 0; r < R; r++) {
        if (hi[r] > lo[r]) {
            ids[K] = r;
            cur[K] = lo[r];
            stop[K] = hi[r];
            K++;
        }
    }
    /* Exact single key without nulls: `key` decides, then the run (leaves are in run order). */
    bool fast = c->fast_merge;
#define LT_LESS(i, j)                                                                                          \
    (cur[i] >= stop[i] ? false                                                                                 \
     : cur[j] >= stop[j] ? true                                                                                \
     : fast ? (c->runs[ids[i]].e[cur[i]].key != c->runs[ids[j]].e[cur[j]].key                                   \
                   ? c->runs[ids[i]].e[cur[i]].key < c->runs[ids[j]].e[cur[j]].key                              \
                   : (i) < (j))                                                                                \
            : before(c, ids[i], cur[i], ids[j], cur[j]))
    /* tree[1..K) hold the losers, tree[0] the winner; win[] is scratch for the build (leaves
     * are the nodes K..2K-1 of a complete binary tree). */
    int *win = tree + K;
    if (K == 1) {
        tree[0] = 0;
    } else {
        for (int n = K - 1; n >= 1; n--) {
            int a = 2 * n >= K ? 2 * n - K : win[2 * n];
            int b = 2 * n + 1 >= K ? 2 * n + 1 - K : win[2 * n + 1];
            if (LT_LESS(a, b)) {
                win[n] = a;
                tree[n] = b;
            } else {
                win[n] = b;
                tree[n] = a;
            }
        }
        tree[0] = win[1];
    }
    for (int64_t pos = off; pos < end; pos++) {
        int w = tree[0];
        const srun *r = &c->runs[ids[w]];
        c->refs[pos] = lp_ref_make(r->part, r->e[cur[w]].row);
        cur[w]++;
        for (int n = (K + w) >> 1; n >= 1; n >>= 1) {
            if (LT_LESS(tree[n], w)) {
                int t = tree[n];
                tree[n] = w;
                w = t;
            }
        }
        tree[0] = w;
        if ((pos & 65535) == 0 && lp_cancelled()) break;
    }
#undef LT_LESS
done:
    lp_free(ids);
    lp_free(tree);
    lp_free(cur);
}

/* ---- gathering the output ---- */

static void gather_task(void *ctx, int j) {
    sctx *c = ctx;
    if (lp_cancelled()) return;
    int ncols = c->in->ncols, nparts = c->in->nparts;
    int64_t start = (int64_t)j * LP_SORT_PART_ROWS, m = LP_MIN((int64_t)LP_SORT_PART_ROWS, c->nout - start);
    for (int col = 0; col < ncols; col++) {
        lp_column *o = lp_sort_gather(c->src + (size_t)col * (size_t)nparts, nparts, c->in->types[col],
                                      c->refs + start, m);
        if (!o) {
            c->chunk_st[j] = LP_ENOMEM;
            return;
        }
        c->outc[(size_t)j * (size_t)ncols + (size_t)col] = o;
    }
}

/* ---- the operator ---- */

static void sctx_free(sctx *c) {
    if (c->runs)
        for (int r = 0; r < c->nruns; r++) {
            lp_free(c->runs[r].e);
            lp_free(c->runs[r].k2);
        }
    lp_free(c->runs);
    lp_free(c->bounds);
    lp_free(c->seg_st);
    lp_free(c->refs);
    lp_free(c->src);
    if (c->outc)
        for (size_t i = 0; i < (size_t)c->nchunks * (size_t)c->in->ncols; i++) lp_column_unref(c->outc[i]);
    lp_free(c->outc);
    lp_free(c->chunk_st);
}

static lp_status first_failure(const lp_status *st, size_t stride, int n) {
    for (int i = 0; i < n; i++) {
        lp_status s = *(const lp_status *)((const char *)st + stride * (size_t)i);
        if (s != LP_OK) return s;
    }
    return LP_OK;
}

/* Sorts runs, merges and gathers; the result table in *out. */
static lp_status sort_run(sctx *c, lp_table **out) {
    const lp_table *in = c->in;
    lp_status st;
    /* runs */
    int64_t nruns = 0;
    for (int p = 0; p < in->nparts; p++) nruns += (in->parts[p].nrows + RUN_ROWS - 1) / RUN_ROWS;
    if (nruns > INT32_MAX / 4) return LP_ELIMIT;
    c->runs = lp_calloc((size_t)nruns + 1, sizeof *c->runs);
    if (!c->runs) return LP_ENOMEM;
    for (int p = 0; p < in->nparts; p++) {
        for (int64_t s = 0; s < in->parts[p].nrows; s += RUN_ROWS) {
            srun *r = &c->runs[c->nruns++];
            r->part = p;
            r->start = s;
            r->n = LP_MIN((int64_t)RUN_ROWS, in->parts[p].nrows - s);
        }
    }
    if ((st = lp_pool_run(c->nruns, run_task, c)) != LP_OK) return st;
    if ((st = first_failure(&c->runs[0].st, sizeof(srun), c->nruns)) != LP_OK) return st;
    /* merge */
    int64_t total = 0;
    for (int r = 0; r < c->nruns; r++) total += c->runs[r].ne;
    c->nout = c->limit >= 0 ? LP_MIN(c->limit, total) : total;
    c->refs = lp_malloc(sizeof *c->refs * (size_t)(c->nout ? c->nout : 1));
    if (!c->refs) return LP_ENOMEM;
    if (c->nruns == 1) {
        const srun *r = &c->runs[0];
        for (int64_t i = 0; i < c->nout; i++) c->refs[i] = lp_ref_make(r->part, r->e[i].row);
    } else if (c->nout > 0) {
        if ((st = plan_merge(c)) != LP_OK) return st;
        if ((st = lp_pool_run(c->nseg, merge_task, c)) != LP_OK) return st;
        if ((st = first_failure(c->seg_st, sizeof(lp_status), c->nseg)) != LP_OK) return st;
    }
    for (int r = 0; r < c->nruns; r++) {
        lp_free(c->runs[r].e);
        lp_free(c->runs[r].k2);
        c->runs[r].e = NULL;
        c->runs[r].k2 = NULL;
    }
    /* gather */
    int ncols = in->ncols, nparts = in->nparts;
    c->nchunks = (int)((c->nout + LP_SORT_PART_ROWS - 1) / LP_SORT_PART_ROWS);
    c->src = lp_malloc(sizeof *c->src * ((size_t)ncols * (size_t)nparts + 1));
    c->outc = lp_calloc((size_t)c->nchunks * (size_t)ncols + 1, sizeof *c->outc);
    c->chunk_st = lp_calloc((size_t)c->nchunks + 1, sizeof *c->chunk_st);
    if (!c->src || !c->outc || !c->chunk_st) return LP_ENOMEM;
    for (int col = 0; col < ncols; col++)
        for (int p = 0; p < nparts; p++) c->src[(size_t)col * (size_t)nparts + (size_t)p] = in->parts[p].cols[col];
    if ((st = lp_pool_run(c->nchunks, gather_task, c)) != LP_OK) return st;
    if ((st = first_failure(c->chunk_st, sizeof(lp_status), c->nchunks)) != LP_OK) return st;
    lp_table *t = lp_table_new(ncols, (const char *const *)in->names, in->types);
    if (!t) return LP_ENOMEM;
    for (int j = 0; j < c->nchunks; j++) {
        lp_column **cols = c->outc + (size_t)j * (size_t)ncols;
        int64_t m = LP_MIN((int64_t)LP_SORT_PART_ROWS, c->nout - (int64_t)j * LP_SORT_PART_ROWS);
        st = lp_table_add_part(t, m, cols); /* takes the references, also on failure */
        memset(cols, 0, sizeof *cols * (size_t)ncols);
        if (st != LP_OK) {
            lp_table_unref(t);
            return st;
        }
    }
    *out = t;
    return LP_OK;
}

lp_status lp_sort(lp_table *in, const lp_sortkey *keys, int nkeys, int64_t limit, lp_table **out, lp_diag *d) {
    *out = NULL;
    if (nkeys < 0 || (nkeys > 0 && !keys)) return lp_diag_set(d, LP_EVALUE, "sort: bad key list");
    for (int k = 0; k < nkeys; k++)
        if (keys[k].col < 0 || keys[k].col >= in->ncols)
            return lp_diag_set(d, LP_EVALUE, "sort: key column %d out of range", keys[k].col);
    if (lp_cancelled()) return lp_diag_set(d, LP_ECANCELLED, "sort was cancelled");
    sctx c;
    memset(&c, 0, sizeof c);
    c.in = in;
    c.keys = keys;
    c.nkeys = nkeys;
    c.limit = limit < 0 ? -1 : limit;
    c.k0 = nkeys > 0 ? keys[0].col : -1;
    if (nkeys > 0) {
        c.k0desc = keys[0].desc;
        c.k0nf = keys[0].nulls_first;
        switch ((lp_kind)in->types[c.k0].kind) {
        case LP_BOOL: c.norm = NORM_BOOL; break;
        case LP_INT64: case LP_TIMESTAMP: c.norm = NORM_I64; break;
        case LP_DATE: c.norm = NORM_DATE; break;
        case LP_FLOAT64: c.norm = NORM_F64; break;
        case LP_STRING: c.norm = NORM_STR; break;
        default: c.norm = NORM_NONE; break;
        }
    }
    c.from = c.norm == NORM_STR || c.norm == NORM_NONE ? 0 : 1;
    if (nkeys == 0) c.from = 0;
    c.fast_merge = c.from >= nkeys;
    for (int p = 0; p < in->nparts && c.fast_merge && c.k0 >= 0; p++) c.fast_merge = !in->parts[p].cols[c.k0]->valid;
    lp_status st = sort_run(&c, out);
    sctx_free(&c);
    /* an interrupted gather returns NULL like a refused allocation: the flag tells them apart */
    if ((st == LP_OK || st == LP_ENOMEM) && lp_cancelled()) {
        lp_table_unref(*out);
        *out = NULL;
        st = LP_ECANCELLED;
    }
    switch (st) {
    case LP_OK: return LP_OK;
    case LP_ENOMEM: return lp_diag_nomem(d, "sort");
    case LP_ECANCELLED: return lp_diag_set(d, LP_ECANCELLED, "sort was cancelled");
    default: return lp_diag_set(d, st, "sort: too many partitions");
    }
}
