/* lsh.c -- the LSH similarity join and nearest-neighbour search (MinHash, bucketed random
 * projections), and Java's Random so that seeds pick Spark's hash functions.
 *
 * DESIGN
 * The join runs in three parallel phases over the pool, each task writing only its own slots:
 *   1. keys: every row of A and B gets one 64-bit key per table, XXH3 of the table's hash
 *      values (rows without a hash get none); tasks are partitions.
 *   2. index: per table, B's (key, row) entries sorted by key and an open-addressing index from
 *      key to its run of rows; tasks are tables.
 *   3. probe: chunks of A's rows look their keys up table by table. A pair is a candidate in
 *      the first table where its keys agree; in a later table it is skipped (it agreed before),
 *      so every pair is verified once without a set of seen pairs. Candidates get their exact
 *      distance and are kept below the threshold into the chunk's own buffer.
 * The output is gathered per chunk, in A's row order, so it does not depend on the thread
 * count. Working memory (lp_malloc, counted against the cap): 8 bytes per row and table for
 * the keys, 16 per B row and table for the index, and the pairs found. Nothing is allocated
 * per row; cancellation is checked every 4096 rows of a chunk.
 */
#include "exec/lsh.h"
#include "exec/sort_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Java's Random ---- */

#define JR_MULT INT64_C(0x5DEECE66D)
#define JR_MASK ((INT64_C(1) << 48) - 1)

void lp_jrandom_init(lp_jrandom *r, int64_t seed) {
    r->seed = (seed ^ JR_MULT) & JR_MASK;
    r->have_gaussian = false;
}

static int32_t jr_next(lp_jrandom *r, int bits) {
    r->seed = (int64_t)(((uint64_t)r->seed * (uint64_t)JR_MULT + 0xB) & (uint64_t)JR_MASK);
    return (int32_t)(uint32_t)((uint64_t)r->seed >> (48 - bits));
}

int32_t lp_jrandom_int(lp_jrandom *r, int32_t bound) {
    if ((bound & -bound) == bound) return (int32_t)(((int64_t)bound * (int64_t)jr_next(r, 31)) >> 31);
    int32_t bits, val;
    do {
        bits = jr_next(r, 31);
        val = bits % bound;
    } while ((int32_t)((uint32_t)bits - (uint32_t)val + (uint32_t)(bound - 1)) < 0);  /* Java's int overflow */
    return val;
}

static double jr_double(lp_jrandom *r) {
    return (double)(((int64_t)jr_next(r, 26) << 27) + jr_next(r, 27)) * 0x1.0p-53;
}

double lp_jrandom_gaussian(lp_jrandom *r) {
    if (r->have_gaussian) {
        r->have_gaussian = false;
        return r->next_gaussian;
    }
    double v1, v2, s;
    do {
        v1 = 2 * jr_double(r) - 1;
        v2 = 2 * jr_double(r) - 1;
        s = v1 * v1 + v2 * v2;
    } while (s >= 1 || s == 0);
    double m = sqrt(-2 * log(s) / s);  /* Java's StrictMath.log/sqrt: correctly rounded here too */
    r->next_gaussian = v2 * m;
    r->have_gaussian = true;
    return v1 * m;
}

/* ---- hashing and distances ---- */

bool lp_lsh_hash(const lp_lsh *h, const lp_value *v, double *out) {
    int n = h->ntables * h->per;
    if (h->kind == LP_LSH_MINHASH) {
        /* unsigned arithmetic: the remainder by a constant becomes a multiply and shifts */
        bool any = false;
        uint64_t m[512];
        for (int j = 0; j < n; j++) m[j] = LP_LSH_PRIME;
        for (int32_t k = 0; k < v->u.vec.nnz; k++) {
            if (v->u.vec.val[k] == 0) continue;
            uint64_t i1 = 1 + (uint64_t)(v->u.vec.idx ? v->u.vec.idx[k] : k);
            any = true;
            for (int j = 0; j < n; j++) {
                uint64_t x = (i1 * (uint64_t)h->a[j] + (uint64_t)h->b[j]) % (uint64_t)LP_LSH_PRIME;
                m[j] = x < m[j] ? x : m[j];
            }
        }
        for (int j = 0; j < n; j++) out[j] = (double)m[j];
        return any;
    }
    if (v->u.vec.size != h->dim) return false;
    for (int j = 0; j < n; j++) {
        const double *u = h->proj + (size_t)j * (size_t)h->dim;
        double dot = 0;
        for (int32_t k = 0; k < v->u.vec.nnz; k++) dot += v->u.vec.val[k] * u[v->u.vec.idx ? v->u.vec.idx[k] : k];
        out[j] = floor(dot / h->bucket_len);
    }
    return true;
}

/* The next non-zero entry at or after position *k of v: its index, or -1 at the end. */
static inline int64_t next_nz(const lp_value *v, int32_t *k) {
    while (*k < v->u.vec.nnz && v->u.vec.val[*k] == 0) (*k)++;
    if (*k >= v->u.vec.nnz) return -1;
    return v->u.vec.idx ? v->u.vec.idx[*k] : *k;
}

double lp_lsh_distance(const lp_lsh *h, const lp_value *x, const lp_value *y) {
    if (h->kind == LP_LSH_MINHASH) {
        int32_t i = 0, j = 0;
        int64_t inter = 0, uni = 0;
        int64_t a = next_nz(x, &i), b = next_nz(y, &j);
        while (a >= 0 || b >= 0) {
            uni++;
            if (a >= 0 && (b < 0 || a < b)) {
                i++;
                a = next_nz(x, &i);
            } else if (b >= 0 && (a < 0 || b < a)) {
                j++;
                b = next_nz(y, &j);
            } else {
                inter++;
                i++, j++;
                a = next_nz(x, &i);
                b = next_nz(y, &j);
            }
        }
        return uni ? 1.0 - (double)inter / (double)uni : 1.0;
    }
    double s = 0;
    int32_t n = LP_MAX(x->u.vec.size, y->u.vec.size);
    if (!x->u.vec.idx && !y->u.vec.idx) {
        for (int32_t i = 0; i < n; i++) {
            double d = lp_vec_at(x, i) - lp_vec_at(y, i);
            s += d * d;
        }
        return sqrt(s);
    }
    int32_t i = 0, j = 0;
    while (i < x->u.vec.nnz || j < y->u.vec.nnz) {
        int64_t a = i < x->u.vec.nnz ? (x->u.vec.idx ? x->u.vec.idx[i] : i) : INT64_MAX;
        int64_t b = j < y->u.vec.nnz ? (y->u.vec.idx ? y->u.vec.idx[j] : j) : INT64_MAX;
        double d;
        if (a < b) d = x->u.vec.val[i++];
        else if (b < a) d = -y->u.vec.val[j++];
        else d = x->u.vec.val[i++] - y->u.vec.val[j++];
        s += d * d;
    }
    return sqrt(s);
}

/* ---- phase 1: keys ---- */

#define NOKEY UINT64_C(0)  /* a row without a hash; a real key that is 0 becomes 1 */

typedef struct side {
    const lp_table *t;
    int col;
    int64_t *first;  /* nparts + 1: the global index of each partition's first row */
    uint64_t *keys;  /* nrows * ntables */
    int64_t bad;     /* the first row (global) with no hash, or -1 */
} side;

typedef struct keyctx {
    const lp_lsh *h;
    side *s;
    int64_t *bad;    /* per partition: first row without a hash, -1 */
} keyctx;

static void key_task(void *ctx, int part) {
    keyctx *k = ctx;
    const lp_lsh *h = k->h;
    side *s = k->s;
    k->bad[part] = -1;
    if (lp_cancelled()) return;
    const lp_column *c = s->t->parts[part].cols[s->col];
    double hv[512];
    int T = h->ntables, P = h->per;
    for (int64_t r = 0; r < c->len; r++) {
        uint64_t *dst = s->keys + (size_t)(s->first[part] + r) * (size_t)T;
        lp_value v = lp_column_get(c, r);
        if (v.null || !lp_lsh_hash(h, &v, hv)) {
            for (int t = 0; t < T; t++) dst[t] = NOKEY;
            if (!v.null && k->bad[part] < 0) k->bad[part] = s->first[part] + r;
            continue;
        }
        for (int t = 0; t < T; t++) {
            uint64_t key = lp_hash_bytes(hv + (size_t)t * (size_t)P, sizeof(double) * (size_t)P, (uint64_t)t);
            dst[t] = key == NOKEY ? 1 : key;
        }
    }
}

static lp_status side_keys(const lp_lsh *h, side *s, lp_diag *d) {
    const lp_table *t = s->t;
    s->bad = -1;
    s->first = lp_calloc((size_t)t->nparts + 1, sizeof *s->first);
    int64_t *bad = lp_calloc((size_t)t->nparts + 1, sizeof *bad);
    s->keys = lp_malloc(sizeof *s->keys * (size_t)(t->nrows + 1) * (size_t)h->ntables);
    if (!s->first || !bad || !s->keys) {
        lp_free(bad);
        return lp_diag_nomem(d, "LSH");
    }
    for (int p = 0; p < t->nparts; p++) s->first[p + 1] = s->first[p] + t->parts[p].nrows;
    keyctx k = {.h = h, .s = s, .bad = bad};
    lp_status st = lp_pool_run(t->nparts, key_task, &k);
    for (int p = 0; p < t->nparts && s->bad < 0; p++) s->bad = bad[p];
    lp_free(bad);
    if (st != LP_OK) return lp_diag_set(d, st, "LSH cancelled");
    return LP_OK;
}

static void side_free(side *s) {
    lp_free(s->first);
    lp_free(s->keys);
}

static lp_status no_hash(const lp_lsh *h, const side *s, const char *which, lp_diag *d) {
    if (h->kind == LP_LSH_MINHASH)
        return lp_diag_set(d, LP_EVALUE, "requirement failed: Must have at least 1 non zero entry. (row %lld of %s)",
                           (long long)s->bad + 1, which);
    return lp_diag_set(d, LP_EVALUE, "requirement failed: the vector in row %lld of %s does not have %d elements",
                       (long long)s->bad + 1, which, (int)h->dim);
}

/* ---- phase 2: per-table index of B ---- */

typedef struct entry {
    uint64_t key;
    int64_t row;
} entry;

typedef struct tindex {
    entry *e;       /* B's rows with a key, sorted by (key, row) */
    int64_t n;
    int64_t *slot;  /* open addressing on key & mask: index into e of a run's start + 1; 0 empty */
    uint64_t mask;
} tindex;

typedef struct idxctx {
    const side *b;
    int ntables;
    tindex *ix;
    bool nomem;
} idxctx;

static int cmp_entry(const void *x, const void *y) {
    const entry *p = x, *q = y;
    if (p->key != q->key) return p->key < q->key ? -1 : 1;
    return (p->row > q->row) - (p->row < q->row);
}

static void index_task(void *ctx, int t) {
    idxctx *c = ctx;
    if (lp_cancelled()) return;
    const side *b = c->b;
    int64_t n = b->t->nrows;
    tindex *ix = &c->ix[t];
    ix->e = lp_malloc(sizeof *ix->e * (size_t)(n + 1));
    uint64_t cap = 16;
    while (cap < (uint64_t)n * 2) cap *= 2;
    ix->slot = lp_calloc(cap, sizeof *ix->slot);
    if (!ix->e || !ix->slot) {
        c->nomem = true;
        return;
    }
    ix->mask = cap - 1;
    int64_t m = 0;
    for (int64_t r = 0; r < n; r++) {
        uint64_t k = b->keys[(size_t)r * (size_t)c->ntables + (size_t)t];
        if (k != NOKEY) ix->e[m++] = (entry){k, r};
    }
    ix->n = m;
    qsort(ix->e, (size_t)m, sizeof *ix->e, cmp_entry);
    for (int64_t i = 0; i < m; i++) {
        if (i && ix->e[i].key == ix->e[i - 1].key) continue;
        uint64_t s = ix->e[i].key & ix->mask;
        while (ix->slot[s]) s = (s + 1) & ix->mask;
        ix->slot[s] = i + 1;
    }
}

/* The run of entries with key k: [*lo, *hi). */
static inline void lookup(const tindex *ix, uint64_t k, int64_t *lo, int64_t *hi) {
    uint64_t s = k & ix->mask;
    while (ix->slot[s]) {
        int64_t i = ix->slot[s] - 1;
        if (ix->e[i].key == k) {
            int64_t j = i;
            while (j < ix->n && ix->e[j].key == k) j++;
            *lo = i;
            *hi = j;
            return;
        }
        s = (s + 1) & ix->mask;
    }
    *lo = *hi = 0;
}

/* ---- phase 3: probe ---- */

typedef struct chunk {
    int64_t start, end;  /* A's global rows */
    int64_t n, cap;
    int64_t *a, *b;      /* refs (lp_ref_make) into A and B */
    double *dist;
    int64_t candidates;
    bool nomem;
} chunk;

typedef struct probectx {
    const lp_lsh *h;
    const side *A, *B;
    const tindex *ix;
    chunk *ch;
    double threshold;
} probectx;

/* The partition of global row g (first[] ascending). */
static int part_of(const int64_t *first, int nparts, int64_t g) {
    int lo = 0, hi = nparts;
    while (hi - lo > 1) {
        int m = (lo + hi) / 2;
        if (first[m] <= g) lo = m;
        else hi = m;
    }
    return lo;
}

static bool push(chunk *c, int64_t a, int64_t b, double d) {
    if (c->n == c->cap) {
        int64_t cap = c->cap ? c->cap * 2 : 256;
        int64_t *na = lp_realloc(c->a, sizeof *na * (size_t)cap);
        if (na) c->a = na;
        int64_t *nb = lp_realloc(c->b, sizeof *nb * (size_t)cap);
        if (nb) c->b = nb;
        double *nd = lp_realloc(c->dist, sizeof *nd * (size_t)cap);
        if (nd) c->dist = nd;
        if (!na || !nb || !nd) return false;
        c->cap = cap;
    }
    c->a[c->n] = a;
    c->b[c->n] = b;
    c->dist[c->n++] = d;
    return true;
}

static void probe_task(void *ctx, int k) {
    probectx *p = ctx;
    chunk *c = &p->ch[k];
    const side *A = p->A, *B = p->B;
    int T = p->h->ntables;
    int pa = part_of(A->first, A->t->nparts, c->start);
    for (int64_t g = c->start; g < c->end && !c->nomem; g++) {
        if (((g - c->start) & 4095) == 4095 && lp_cancelled()) return;
        while (g >= A->first[pa + 1]) pa++;
        const uint64_t *ka = A->keys + (size_t)g * (size_t)T;
        if (ka[0] == NOKEY) continue;
        lp_value va = lp_column_get(A->t->parts[pa].cols[A->col], g - A->first[pa]);
        for (int t = 0; t < T; t++) {
            int64_t lo, hi;
            lookup(&p->ix[t], ka[t], &lo, &hi);
            for (int64_t i = lo; i < hi; i++) {
                int64_t gb = p->ix[t].e[i].row;
                const uint64_t *kb = B->keys + (size_t)gb * (size_t)T;
                bool earlier = false;
                for (int u = 0; u < t && !earlier; u++) earlier = ka[u] == kb[u];
                if (earlier) continue;
                c->candidates++;
                int pb = part_of(B->first, B->t->nparts, gb);
                lp_value vb = lp_column_get(B->t->parts[pb].cols[B->col], gb - B->first[pb]);
                double dist = lp_lsh_distance(p->h, &va, &vb);
                if (dist < p->threshold &&
                    !push(c, lp_ref_make(pa, g - A->first[pa]), lp_ref_make(pb, gb - B->first[pb]), dist)) {
                    c->nomem = true;
                    return;
                }
            }
        }
    }
}

/* ---- output ---- */

typedef struct outctx {
    const lp_table *A, *B;
    chunk *ch;
    lp_column ***cols;  /* per chunk: the output columns */
    int ncols;
    bool nomem;
} outctx;

static lp_column *gather(const lp_table *t, int col, const int64_t *refs, int64_t n) {
    lp_column **src = lp_malloc(sizeof *src * (size_t)(t->nparts + 1));
    if (!src) return NULL;
    for (int p = 0; p < t->nparts; p++) src[p] = t->parts[p].cols[col];
    lp_column *c = lp_sort_gather(src, t->nparts, t->types[col], refs, n);
    lp_free(src);
    return c;
}

static void out_task(void *ctx, int k) {
    outctx *o = ctx;
    chunk *c = &o->ch[k];
    if (!c->n || lp_cancelled()) return;
    lp_column **cols = lp_calloc((size_t)o->ncols + 1, sizeof *cols);
    o->cols[k] = cols;
    if (!cols) {
        o->nomem = true;
        return;
    }
    int i = 0;
    for (int j = 0; j < o->A->ncols; j++, i++)
        if (!(cols[i] = gather(o->A, j, c->a, c->n))) o->nomem = true;
    for (int j = 0; j < o->B->ncols; j++, i++)
        if (!(cols[i] = gather(o->B, j, c->b, c->n))) o->nomem = true;
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_of(LP_FLOAT64));
    lp_colbuf_reserve(&b, c->n, 0);
    for (int64_t r = 0; r < c->n; r++) lp_colbuf_append_f64(&b, c->dist[r]);
    if (lp_colbuf_finish(&b, &cols[i]) != LP_OK) o->nomem = true;
}

static lp_table *out_schema(const lp_table *A, const lp_table *B, const char *ap, const char *bp, const char *distname) {
    int n = A->ncols + B->ncols + 1;
    char **names = lp_calloc((size_t)n + 1, sizeof *names);
    lp_type *types = lp_calloc((size_t)n + 1, sizeof *types);
    lp_table *t = NULL;
    bool ok = names && types;
    int i = 0;
    for (int j = 0; ok && j < A->ncols; j++, i++) {
        size_t l = strlen(ap) + strlen(A->names[j]) + 1;
        if ((names[i] = lp_malloc(l))) snprintf(names[i], l, "%s%s", ap, A->names[j]);
        types[i] = A->types[j];
        ok = names[i] != NULL;
    }
    for (int j = 0; ok && j < B->ncols; j++, i++) {
        size_t l = strlen(bp) + strlen(B->names[j]) + 1;
        if ((names[i] = lp_malloc(l))) snprintf(names[i], l, "%s%s", bp, B->names[j]);
        types[i] = B->types[j];
        ok = names[i] != NULL;
    }
    if (ok) {
        names[i] = (char *)distname;
        types[i] = lp_type_of(LP_FLOAT64);
        t = lp_table_new(n, (const char *const *)names, types);
    }
    for (int j = 0; names && j < n - 1; j++) lp_free(names[j]);
    lp_free(names);
    lp_free(types);
    return t;
}

lp_status lp_lsh_join(const lp_lsh *h, const lp_table *A, int acol, const lp_table *B, int bcol, double threshold,
                      const char *aprefix, const char *bprefix, const char *distname, lp_table **out,
                      int64_t *candidates, lp_diag *d) {
    *out = NULL;
    if (candidates) *candidates = 0;
    if (h->ntables * h->per > 512) return lp_diag_set(d, LP_ELIMIT, "at most 512 hash values per row (tables x per table)");
    lp_progress_stage("LSH join");
    side sa = {.t = A, .col = acol}, sb = {.t = B, .col = bcol};
    tindex *ix = lp_calloc((size_t)h->ntables + 1, sizeof *ix);
    int nch = (int)LP_MIN(LP_MAX(A->nrows / 2048, 1), 256);
    chunk *ch = lp_calloc((size_t)nch + 1, sizeof *ch);
    lp_column ***cols = lp_calloc((size_t)nch + 1, sizeof *cols);
    lp_status st = ix && ch && cols ? LP_OK : lp_diag_nomem(d, "LSH");
    if (st == LP_OK) st = side_keys(h, &sa, d);
    if (st == LP_OK && sa.bad >= 0) st = no_hash(h, &sa, "datasetA", d);
    if (st == LP_OK) st = side_keys(h, &sb, d);
    if (st == LP_OK && sb.bad >= 0) st = no_hash(h, &sb, "datasetB", d);
    if (st == LP_OK) {
        idxctx ic = {.b = &sb, .ntables = h->ntables, .ix = ix};
        st = lp_pool_run(h->ntables, index_task, &ic);
        if (st != LP_OK) st = lp_diag_set(d, st, "LSH join cancelled");
        else if (ic.nomem) st = lp_diag_nomem(d, "LSH join");
    }
    if (st == LP_OK) {
        for (int k = 0; k < nch; k++) {
            ch[k].start = A->nrows * k / nch;
            ch[k].end = A->nrows * (k + 1) / nch;
        }
        probectx pc = {.h = h, .A = &sa, .B = &sb, .ix = ix, .ch = ch, .threshold = threshold};
        st = lp_pool_run(nch, probe_task, &pc);
        if (st == LP_OK && lp_cancelled()) st = LP_ECANCELLED;
        if (st != LP_OK) st = lp_diag_set(d, st, "LSH join cancelled");
        for (int k = 0; st == LP_OK && k < nch; k++)
            if (ch[k].nomem) st = lp_diag_nomem(d, "LSH join");
        for (int k = 0; candidates && k < nch; k++) *candidates += ch[k].candidates;
    }
    for (int t = 0; ix && t < h->ntables; t++) {
        lp_free(ix[t].e);
        lp_free(ix[t].slot);
    }
    lp_free(ix);
    side_free(&sa);
    side_free(&sb);
    lp_table *res = NULL;
    if (st == LP_OK && !(res = out_schema(A, B, aprefix, bprefix, distname))) st = lp_diag_nomem(d, "LSH join");
    if (st == LP_OK) {
        outctx oc = {.A = A, .B = B, .ch = ch, .cols = cols, .ncols = res->ncols};
        st = lp_pool_run(nch, out_task, &oc);
        if (st != LP_OK) st = lp_diag_set(d, st, "LSH join cancelled");
        else if (oc.nomem) st = lp_diag_nomem(d, "LSH join");
        for (int k = 0; k < nch; k++) {
            if (!cols[k]) continue;
            if (st == LP_OK) {
                st = lp_table_add_part(res, ch[k].n, cols[k]);  /* takes the references */
                if (st != LP_OK) st = lp_diag_nomem(d, "LSH join");
            } else {
                for (int j = 0; j < res->ncols; j++) lp_column_unref(cols[k][j]);
            }
            lp_free(cols[k]);
        }
    }
    for (int k = 0; ch && k < nch; k++) {
        lp_free(ch[k].a);
        lp_free(ch[k].b);
        lp_free(ch[k].dist);
    }
    lp_free(ch);
    lp_free(cols);
    if (st != LP_OK) {
        lp_table_unref(res);
        return st;
    }
    *out = res;
    return LP_OK;
}

/* ---- nearest neighbours ---- */

typedef struct nnctx {
    const lp_lsh *h;
    const lp_table *t;
    int col;
    const uint64_t *key;  /* the key's per-table keys */
    const lp_value *kv;
    int64_t *first;
    chunk *ch;            /* per partition: candidate refs and distances (b unused) */
    bool nomem;
} nnctx;

static void nn_task(void *ctx, int part) {
    nnctx *x = ctx;
    if (lp_cancelled()) return;
    const lp_column *c = x->t->parts[part].cols[x->col];
    chunk *ch = &x->ch[part];
    double hv[512];
    int T = x->h->ntables, P = x->h->per;
    for (int64_t r = 0; r < c->len; r++) {
        lp_value v = lp_column_get(c, r);
        if (v.null || !lp_lsh_hash(x->h, &v, hv)) continue;
        bool same = false;
        for (int t = 0; t < T && !same; t++) {
            uint64_t k = lp_hash_bytes(hv + (size_t)t * (size_t)P, sizeof(double) * (size_t)P, (uint64_t)t);
            same = (k == NOKEY ? 1 : k) == x->key[t];
        }
        if (same && !push(ch, lp_ref_make(part, r), 0, lp_lsh_distance(x->h, x->kv, &v))) {
            ch->nomem = true;
            return;
        }
    }
}

typedef struct cand {
    double d;
    int64_t ref;
} cand;

static int cmp_cand(const void *x, const void *y) {
    const cand *p = x, *q = y;
    if (p->d != q->d) return p->d < q->d ? -1 : 1;
    return (p->ref > q->ref) - (p->ref < q->ref);
}

lp_status lp_lsh_nearest(const lp_lsh *h, const lp_table *t, int col, const lp_value *key, int64_t k,
                         const char *distname, lp_table **out, lp_diag *d) {
    *out = NULL;
    double hv[512];
    uint64_t kk[512];
    if (h->ntables * h->per > 512) return lp_diag_set(d, LP_ELIMIT, "at most 512 hash values per row (tables x per table)");
    if (!lp_lsh_hash(h, key, hv))
        return lp_diag_set(d, LP_EVALUE, h->kind == LP_LSH_MINHASH ? "requirement failed: Must have at least 1 non zero entry."
                                                                   : "requirement failed: the key's dimension differs");
    for (int i = 0; i < h->ntables; i++) {
        uint64_t x = lp_hash_bytes(hv + (size_t)i * (size_t)h->per, sizeof(double) * (size_t)h->per, (uint64_t)i);
        kk[i] = x == NOKEY ? 1 : x;
    }
    lp_progress_stage("LSH nearest");
    chunk *ch = lp_calloc((size_t)t->nparts + 1, sizeof *ch);
    if (!ch) return lp_diag_nomem(d, "LSH");
    nnctx x = {.h = h, .t = t, .col = col, .key = kk, .kv = key, .ch = ch};
    lp_status st = lp_pool_run(t->nparts, nn_task, &x);
    if (st != LP_OK) st = lp_diag_set(d, st, "LSH cancelled");
    int64_t n = 0;
    for (int p = 0; p < t->nparts; p++) {
        if (ch[p].nomem && st == LP_OK) st = lp_diag_nomem(d, "LSH");
        n += ch[p].n;
    }
    cand *all = st == LP_OK ? lp_malloc(sizeof *all * (size_t)(n + 1)) : NULL;
    if (st == LP_OK && !all) st = lp_diag_nomem(d, "LSH");
    int64_t m = 0;
    for (int p = 0; all && p < t->nparts; p++)
        for (int64_t i = 0; i < ch[p].n; i++) all[m++] = (cand){ch[p].dist[i], ch[p].a[i]};
    for (int p = 0; p < t->nparts; p++) {
        lp_free(ch[p].a);
        lp_free(ch[p].b);
        lp_free(ch[p].dist);
    }
    lp_free(ch);
    if (st != LP_OK) {
        lp_free(all);
        return st;
    }
    qsort(all, (size_t)m, sizeof *all, cmp_cand);
    if (m > k) m = k;
    int64_t *refs = lp_malloc(sizeof *refs * (size_t)(m + 1));
    char **names = lp_calloc((size_t)t->ncols + 2, sizeof *names);
    lp_type *types = lp_calloc((size_t)t->ncols + 2, sizeof *types);
    lp_column **cols = lp_calloc((size_t)t->ncols + 2, sizeof *cols);
    lp_table *res = NULL;
    if (!refs || !names || !types || !cols) st = lp_diag_nomem(d, "LSH");
    for (int j = 0; st == LP_OK && j < t->ncols; j++) {
        names[j] = t->names[j];
        types[j] = t->types[j];
    }
    if (st == LP_OK) {
        names[t->ncols] = (char *)distname;
        types[t->ncols] = lp_type_of(LP_FLOAT64);
        for (int64_t i = 0; i < m; i++) refs[i] = all[i].ref;
        if (!(res = lp_table_new(t->ncols + 1, (const char *const *)names, types))) st = lp_diag_nomem(d, "LSH");
    }
    for (int j = 0; st == LP_OK && j < t->ncols; j++)
        if (!(cols[j] = gather(t, j, refs, m))) st = lp_diag_nomem(d, "LSH");
    if (st == LP_OK) {
        lp_colbuf b;
        lp_colbuf_init(&b, lp_type_of(LP_FLOAT64));
        for (int64_t i = 0; i < m; i++) lp_colbuf_append_f64(&b, all[i].d);
        if (lp_colbuf_finish(&b, &cols[t->ncols]) != LP_OK) st = lp_diag_nomem(d, "LSH");
    }
    if (st == LP_OK) {
        st = lp_table_add_part(res, m, cols);
        if (st != LP_OK) st = lp_diag_nomem(d, "LSH");
    } else {
        for (int j = 0; cols && j <= t->ncols; j++) lp_column_unref(cols[j]);
    }
    lp_free(all);
    lp_free(refs);
    lp_free(names);
    lp_free(types);
    lp_free(cols);
    if (st != LP_OK) {
        lp_table_unref(res);
        return st;
    }
    *out = res;
    return LP_OK;
}
