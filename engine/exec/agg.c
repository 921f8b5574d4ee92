/* agg.c -- hash aggregation (groupBy().agg()) and distinct()/dropDuplicates().
 *
 * DESIGN
 * The input is cut into work units: each partition, or slices of at most UNIT_ROWS rows of a
 * large one. Then, on the pool:
 *   1. group (one task per unit), CHUNK_ROWS rows at a time: hash the key columns
 *      (lp_keys_hash), give each row its local group in the unit's own open-addressing table
 *      (linear probing; a slot holds the hash's top 32 bits as a tag and the group id), then
 *      fold every aggregate into arrays indexed by local group id (agg_fn.c), one tight loop per
 *      aggregate. Local groups are numbered in order of first occurrence. Finally sort the
 *      local groups by bucket, the top bits of their hash (a counting sort).
 *   2. merge (one task per bucket): each task owns one range of hash bits and merges every
 *      unit's local groups of that range, units in input order, into its own table and states.
 *      No locks, and partial states combine in input order whatever the thread count, so float
 *      sums and first/last are reproducible. It marks the local group that introduced each
 *      merged group.
 *   3. A serial walk over the units' local groups in input order numbers the merged groups where
 *      they first occur: the output lists groups in order of first occurrence (partition order,
 *      then row order), the same for any thread count and what a student expects to see.
 *      Holistic aggregates (median, percentiles, count distinct, collect_list) then scatter their
 *      values into per-group segments.
 *   4. output (one task per OUT_ROWS groups): gather the key values from each group's first row
 *      and finish the aggregates into one output partition.
 * A group refers to its first row, (partition, row) in 64 bits; single int64 and string keys
 * are also copied into per-table key stores, so that probes and merges compare compact memory
 * instead of chasing rows across partitions. Per row nothing is kept beyond a chunk, except the
 * group ids that holistic aggregates need for their scatter; everything else is per group.
 * distinct() is the same machinery without aggregates, gathering every column of each key's
 * first row.
 *
 * Called from one thread (the statement's); the tasks run on the pool and each writes only its
 * own unit, bucket or output slot.
 */
#include "agg_int.h"

#include <stdlib.h>

#define UNIT_ROWS ((int64_t)1 << 18) /* a multiple of 8: views start on a bitmap byte */
#define OUT_ROWS ((int64_t)65536)
#define MAX_BUCKETS 256
#define TAG_MASK 0xffffffff00000000ULL

enum { KEY_NONE, KEY_I64, KEY_STR, KEY_ANY };

/* One unit of input and its local groups. */
typedef struct unit {
    int part;
    int64_t r0, n;
    int64_t ng;
    uint64_t *ghash;   /* [ng] */
    int64_t *gfirst;   /* [ng] first row, relative to r0 */
    int64_t *gkey;     /* [ng] KEY_I64: the key */
    int64_t *koff;     /* [ng + 1] KEY_STR: the keys, kdata[koff[g]..koff[g+1]) */
    char *kdata;
    int64_t gnull;     /* KEY_I64, KEY_STR: the null key's group, -1 if none */
    uint32_t *gid;     /* [n] row -> local group; kept for holistic aggregates only */
    uint32_t *border;  /* [ng] local groups ordered by bucket */
    int64_t *bstart;   /* [nb + 1] */
    int64_t *lmap;     /* [ng] merged group within the bucket; later the output group */
    uint8_t *intro;    /* [ng] 1 when this local group introduced its merged group */
    lp_aggstate *st;   /* [naggs] */
    lp_status status;
} unit;

/* One range of hash bits and its merged groups. */
typedef struct bucket {
    int64_t ng;
    int64_t *korder;   /* [ng] output group */
    lp_aggstate *st;   /* [naggs] */
    lp_status status;
} bucket;

typedef struct aggctx {
    lp_table *in;
    const int *keys;
    int nkeys, mode;
    lp_column **kc;     /* [nparts * nkeys] the key columns of each partition */
    lp_aggplan *plans;
    int naggs;
    bool hold;          /* some aggregate is holistic */
    bool total;         /* an aggregate without keys: always one row */
    const int *gcols;   /* columns gathered from each group's first row */
    int ngcols;
    int nunits;
    unit *u;
    int nb, bbits;
    bucket *b;
    int64_t K;          /* output groups */
    int32_t *ob;        /* [K] bucket */
    int64_t *om;        /* [K] merged group within the bucket */
    uint64_t *kref;     /* [K] first row */
    int64_t **hoff;     /* [naggs] holistic segments: K + 1 offsets */
    lp_aggval **hvals;  /* [naggs] the values */
    int nout, ocols;
    lp_column **outcols; /* [nout * ocols] */
    int64_t *outrows;
    lp_status *outst;
} aggctx;

/* Byte equality of two strings of length n, inline for the short keys that dominate (IDs):
 * two overlapping 8-byte loads instead of a call to memcmp. */
static inline bool str_eq(const char *a, const char *b, size_t n) {
    if (n >= 8 && n <= 16) {
        uint64_t a0, b0, a1, b1;
        memcpy(&a0, a, 8);
        memcpy(&b0, b, 8);
        memcpy(&a1, a + n - 8, 8);
        memcpy(&b1, b + n - 8, 8);
        return a0 == b0 && a1 == b1;
    }
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i]) return false;
        return true;
    }
    return memcmp(a, b, n) == 0;
}

static inline int bucket_of(const aggctx *x, uint64_t h) { return x->bbits ? (int)(h >> (64 - x->bbits)) : 0; }

/* ---- 1. grouping one unit ---- */

/* A unit's local table. The group arrays and key stores go to the unit; slots are freed after
 * grouping. Single-key int64 and string keys are copied into gkey / kdata+koff as groups are
 * made, so comparisons (here and in the merge) read compact, cache-resident memory rather than
 * the input's rows. */
typedef struct gtab {
    uint64_t *slots;
    uint64_t mask;
    uint64_t *ghash;
    int64_t *gfirst;
    int64_t *gkey;     /* KEY_I64 */
    int64_t *koff;     /* KEY_STR: ng + 1 offsets into kdata */
    char *kdata;
    size_t klen, kcap;
    int64_t ng, gcap;
    int64_t nullg;     /* the null key's group, which has no slot (-1: none) */
} gtab;

static bool gtab_resize(gtab *t, uint64_t nslots) {
    uint64_t *s = lp_calloc(nslots, sizeof *s);
    if (!s) return false;
    uint64_t mask = nslots - 1;
    for (int64_t g = 0; g < t->ng; g++) {
        if (g == t->nullg) continue;
        uint64_t pos = t->ghash[g] & mask;
        while (s[pos]) pos = (pos + 1) & mask;
        s[pos] = (t->ghash[g] & TAG_MASK) | (uint64_t)(g + 1);
    }
    lp_free(t->slots);
    t->slots = s;
    t->mask = mask;
    return true;
}

/* Grows the group arrays to cap groups. */
static bool gtab_reserve(gtab *t, int64_t cap) {
    uint64_t *gh = lp_realloc(t->ghash, sizeof *gh * (size_t)cap);
    if (!gh) return false;
    t->ghash = gh;
    int64_t *gf = lp_realloc(t->gfirst, sizeof *gf * (size_t)cap);
    if (!gf) return false;
    t->gfirst = gf;
    if (t->gkey) {
        int64_t *gk = lp_realloc(t->gkey, sizeof *gk * (size_t)cap);
        if (!gk) return false;
        t->gkey = gk;
    }
    if (t->koff) {
        int64_t *ko = lp_realloc(t->koff, sizeof *ko * (size_t)(cap + 1));
        if (!ko) return false;
        t->koff = ko;
    }
    t->gcap = cap;
    return true;
}

/* Adds group ng with hash h and first row r, in slot pos (UINT64_MAX: no slot). */
static inline bool gtab_add(gtab *t, uint64_t h, int64_t r, uint64_t pos) {
    if (LP_UNLIKELY(t->ng == t->gcap) && !gtab_reserve(t, t->gcap * 2)) return false;
    int64_t g = t->ng++;
    t->ghash[g] = h;
    t->gfirst[g] = r;
    if (pos != UINT64_MAX) t->slots[pos] = (h & TAG_MASK) | (uint64_t)(g + 1);
    if (LP_UNLIKELY((uint64_t)t->ng * 2 > t->mask + 1)) return gtab_resize(t, (t->mask + 1) * 2);
    return true;
}

/* Appends the newest group's string key to the key store. */
static inline bool gtab_push_str(gtab *t, const char *s, size_t n) {
    if (LP_UNLIKELY(t->klen + n > t->kcap)) {
        size_t cap = t->kcap * 2 + n + 256;
        char *k = lp_realloc(t->kdata, cap);
        if (!k) return false;
        t->kdata = k;
        t->kcap = cap;
    }
    if (n) memcpy(t->kdata + t->klen, s, n);
    t->klen += n;
    t->koff[t->ng] = (int64_t)t->klen;
    return true;
}

/* The probe loop over the chunk's rows i in [0, cn) (unit row c0 + i): EQ says whether group g
 * has row i's key; PUSH(isnull) stores the key of a new group (the newest, t.ng - 1) and is
 * false when refused. With NULLABLE, null keys of column k0 go to the one null group without
 * touching the table. */
#define PROBE(NULLABLE, EQ, PUSH)                                             \
    for (int64_t i = 0; i < cn; i++) {                                        \
        uint64_t hr = h[i];                                                   \
        int64_t g;                                                            \
        if (NULLABLE && !lp_col_valid(k0, i)) {                               \
            if (t.nullg < 0) {                                                \
                t.nullg = t.ng;                                               \
                if (!gtab_add(&t, hr, c0 + i, UINT64_MAX) || !(PUSH(true))) goto nomem; \
            }                                                                 \
            gid[i] = (uint32_t)t.nullg;                                       \
            continue;                                                         \
        }                                                                     \
        uint64_t tag = hr & TAG_MASK, pos = hr & t.mask;                      \
        for (;;) {                                                            \
            uint64_t s = t.slots[pos];                                        \
            if (!s) {                                                         \
                g = t.ng;                                                     \
                if (!gtab_add(&t, hr, c0 + i, pos) || !(PUSH(false))) goto nomem; \
                break;                                                        \
            }                                                                 \
            if ((s & TAG_MASK) == tag) {                                      \
                g = (int64_t)(uint32_t)s - 1;                                 \
                if (EQ) break;                                                \
            }                                                                 \
            pos = (pos + 1) & t.mask;                                         \
        }                                                                     \
        gid[i] = (uint32_t)g;                                                 \
    }

#define CHUNK_ROWS 4096 /* rows hashed, probed and folded at a time: buffers stay in cache */

/* Estimates the groups among the unit's n rows from the hashes of up to 512 evenly spaced
 * rows, to size the table once instead of growing it through many rehashes when nearly every
 * row is a new key. kv are the unit's key views. */
static int64_t estimate_groups(lp_column *const *kv, int nk, int64_t n) {
    enum { S = 512, SLOTS = 2048 };
    if (n <= 8 * S) return 1024;
    uint64_t set[SLOTS];
    memset(set, 0, sizeof set);
    lp_column one[4];
    lp_column *ov[4];
    int nv = nk < 4 ? nk : 4; /* the first keys are enough for an estimate */
    int64_t d = 0, step = (n / S) & ~(int64_t)7;
    for (int64_t s = 0; s < S; s++) {
        for (int k = 0; k < nv; k++) {
            lp_agg_view(kv[k], s * step, 1, &one[k]);
            ov[k] = &one[k];
        }
        uint64_t v;
        lp_keys_hash(ov, nv, 1, &v);
        v |= 1;
        uint64_t pos = v & (SLOTS - 1);
        while (set[pos] && set[pos] != v) pos = (pos + 1) & (SLOTS - 1);
        if (!set[pos]) {
            set[pos] = v;
            d++;
        }
    }
    if (d < S / 4) return 1024;
    return n * d / S;
}

/* Groups the rows of unit u and folds the aggregates, a chunk at a time; LP_ENOMEM when
 * refused. What it leaves in u is freed by ctx_free either way. */
static lp_status group_unit(aggctx *x, unit *u) {
    const lp_part *pt = &x->in->parts[u->part];
    int64_t n = u->n, scap = 0;
    int nk = x->nkeys, na = x->naggs;
    lp_status st = LP_ENOMEM;
    gtab t = {.nullg = -1};
    uint32_t *gidbuf = NULL;
    /* views: the unit's keys [0, nk), the chunk's keys [nk, 2nk), the chunk's aggregates */
    lp_column *views = lp_malloc(sizeof *views * (size_t)(2 * nk + na + 1));
    lp_column **kv = lp_malloc(sizeof *kv * (size_t)(2 * nk + 1));
    uint64_t *h = lp_malloc(sizeof *h * CHUNK_ROWS);
    if (x->hold) u->gid = lp_malloc(sizeof *u->gid * (size_t)(n ? n : 1));
    else gidbuf = lp_malloc(sizeof *gidbuf * CHUNK_ROWS);
    u->st = lp_calloc((size_t)na + 1, sizeof *u->st);
    if (!views || !kv || !h || !(u->gid || gidbuf) || !u->st) goto done;
    for (int k = 0; k < nk; k++) {
        lp_agg_view(pt->cols[x->keys[k]], u->r0, n, &views[k]);
        kv[k] = &views[k];
        kv[nk + k] = &views[nk + k];
    }
    int64_t expect = x->mode == KEY_NONE ? 1 : estimate_groups(kv, nk, n);
    if (x->mode == KEY_I64 && !(t.gkey = lp_malloc(sizeof *t.gkey))) goto done;
    if (x->mode == KEY_STR) {
        if (!(t.koff = lp_malloc(sizeof *t.koff))) goto done;
        t.koff[0] = 0;
        const lp_column *c = kv[0];
        size_t avg = n ? (size_t)((c->v.off[n] - c->v.off[0]) / n) : 0;
        t.kcap = (size_t)expect * avg + 256;
        if (!(t.kdata = lp_malloc(t.kcap))) goto done;
    }
    if (!gtab_reserve(&t, expect + 1)) goto done;
    if (x->mode != KEY_NONE) {
        uint64_t nslots = 2048;
        while (nslots < (uint64_t)expect * 2) nslots *= 2;
        if (!gtab_resize(&t, nslots)) goto done;
    }

    for (int64_t c0 = 0; c0 < n; c0 += CHUNK_ROWS) {
        int64_t cn = LP_MIN(CHUNK_ROWS, n - c0);
        uint32_t *gid = x->hold ? u->gid + c0 : gidbuf;
        if (x->mode == KEY_NONE) {
            for (int64_t i = 0; i < cn; i++) gid[i] = 0;
            if (!t.ng) {
                t.ghash[0] = 0;
                t.gfirst[0] = 0;
                t.ng = 1;
            }
        } else {
            for (int k = 0; k < nk; k++) lp_agg_view(pt->cols[x->keys[k]], u->r0 + c0, cn, kv[nk + k]);
            lp_column *const *kc = kv + nk;
            const lp_column *k0 = kc[0];
            lp_keys_hash(kc, nk, cn, h);
            if (x->mode == KEY_I64) {
                const int64_t *v = k0->v.i;
#define PUSH_I(isnull) (t.gkey[t.ng - 1] = (isnull) ? 0 : v[i], true)
                if (k0->valid) {
                    PROBE(true, t.gkey[g] == v[i], PUSH_I)
                } else {
                    PROBE(false, t.gkey[g] == v[i], PUSH_I)
                }
#undef PUSH_I
            } else if (x->mode == KEY_STR) {
                const int64_t *off = k0->v.off;
                const char *data = k0->data;
#define PUSH_S(isnull) gtab_push_str(&t, data + off[i], (size_t)(off[i + 1] - off[i]))
#define EQ_S (off[i + 1] - off[i] == t.koff[g + 1] - t.koff[g] && \
              str_eq(data + off[i], t.kdata + t.koff[g], (size_t)(off[i + 1] - off[i])))
                if (k0->valid) {
                    PROBE(true, EQ_S, PUSH_S)
                } else {
                    PROBE(false, EQ_S, PUSH_S)
                }
#undef PUSH_S
#undef EQ_S
            } else {
#define PUSH_NONE(isnull) ((void)(isnull), true)
                PROBE(false, lp_keys_equal(kc, i, kv, t.gfirst[g], nk, true), PUSH_NONE)
#undef PUSH_NONE
            }
        }
        /* fold the chunk into the states, grown with the table */
        if (t.gcap > scap) {
            for (int a = 0; a < na; a++)
                if (!lp_agg_state_grow(&x->plans[a], &u->st[a], scap, t.gcap)) goto done;
            scap = t.gcap;
        }
        for (int a = 0; a < na; a++) {
            const lp_aggplan *pl = &x->plans[a];
            lp_column *c = NULL;
            if (pl->col >= 0) {
                c = &views[2 * nk + a];
                lp_agg_view(pt->cols[pl->col], u->r0 + c0, cn, c);
            }
            lp_agg_update(pl, &u->st[a], c, cn, gid, u->part, u->r0 + c0);
        }
    }
    u->ng = t.ng;

    /* order the local groups by bucket, and make room for the merge's answers */
    u->border = lp_malloc(sizeof *u->border * (size_t)(u->ng + 1));
    u->bstart = lp_calloc((size_t)x->nb + 1, sizeof *u->bstart);
    u->lmap = lp_malloc(sizeof *u->lmap * (size_t)(u->ng + 1));
    u->intro = lp_calloc((size_t)u->ng + 1, 1);
    if (!u->border || !u->bstart || !u->lmap || !u->intro) goto done;
    for (int64_t g = 0; g < u->ng; g++) u->bstart[bucket_of(x, t.ghash[g]) + 1]++;
    for (int b = 0; b < x->nb; b++) u->bstart[b + 1] += u->bstart[b];
    int64_t fill[MAX_BUCKETS];
    memcpy(fill, u->bstart, sizeof *fill * (size_t)x->nb);
    for (int64_t g = 0; g < u->ng; g++) u->border[fill[bucket_of(x, t.ghash[g])]++] = (uint32_t)g;
    st = LP_OK;
    goto done;
nomem:
    st = LP_ENOMEM;
done:
    u->ghash = t.ghash;
    u->gfirst = t.gfirst;
    u->gkey = t.gkey;
    u->koff = t.koff;
    u->kdata = t.kdata;
    u->gnull = t.nullg;
    u->ng = t.ng;
    lp_free(t.slots);
    lp_free(h);
    lp_free(views);
    lp_free(kv);
    lp_free(gidbuf);
    return st;
}

static void group_task(void *ctx, int i) {
    aggctx *x = ctx;
    if (lp_cancelled()) return;
    x->u[i].status = group_unit(x, &x->u[i]);
}

/* ---- 2. merging one bucket ---- */

/* Whether the rows at refs a and b have the same key (nulls equal): the general case. */
static bool keys_eq(const aggctx *x, uint64_t ra, uint64_t rb) {
    int nk = x->nkeys;
    lp_column *const *ka = x->kc + (size_t)lp_agg_ref_part(ra) * (size_t)nk;
    lp_column *const *kb = x->kc + (size_t)lp_agg_ref_part(rb) * (size_t)nk;
    return nk == 0 || lp_keys_equal(ka, lp_agg_ref_row(ra), kb, lp_agg_ref_row(rb), nk, true);
}

/* The merge's probe loop over every unit's local groups of bucket bi, units in input order.
 * EQ says whether merged group m has local group g's key; PUSH stores a new merged group's key
 * (false when refused). Null groups (u->gnull) meet in the one merged null group. */
#define MERGE_PROBE(EQ, PUSH)                                                     \
    for (int i = 0; i < x->nunits; i++) {                                         \
        unit *u = &x->u[i];                                                       \
        for (int64_t j = u->bstart[bi]; j < u->bstart[bi + 1]; j++) {             \
            uint32_t g = u->border[j];                                            \
            if ((int64_t)g == u->gnull) {                                         \
                if (mnull < 0) {                                                  \
                    mnull = ng++;                                                 \
                    if (!(PUSH)) goto nomem;                                      \
                    u->intro[g] = 1;                                              \
                }                                                                 \
                u->lmap[g] = mnull;                                               \
                continue;                                                         \
            }                                                                     \
            uint64_t h = u->ghash[g], tag = h & TAG_MASK, pos = h & mask;         \
            for (;;) {                                                            \
                uint64_t s = slots[pos];                                          \
                if (!s) {                                                         \
                    slots[pos] = tag | (uint64_t)(ng + 1);                        \
                    u->lmap[g] = ng++;                                            \
                    if (!(PUSH)) goto nomem;                                      \
                    u->intro[g] = 1;                                              \
                    break;                                                        \
                }                                                                 \
                if ((s & TAG_MASK) == tag) {                                      \
                    int64_t m = (int64_t)(uint32_t)s - 1;                         \
                    if (EQ) {                                                     \
                        u->lmap[g] = m;                                           \
                        break;                                                    \
                    }                                                             \
                }                                                                 \
                pos = (pos + 1) & mask;                                           \
            }                                                                     \
        }                                                                         \
    }

/* Appends a key to a merge bucket's key store; *end receives the new end offset. */
static bool push_key(char **data, size_t *len, size_t *cap, int64_t *end, const char *s, size_t n) {
    if (*len + n > *cap) {
        size_t c = *cap * 2 + n + 256;
        char *d = lp_realloc(*data, c);
        if (!d) return false;
        *data = d;
        *cap = c;
    }
    if (n) memcpy(*data + *len, s, n);
    *len += n;
    *end = (int64_t)*len;
    return true;
}

static lp_status merge_bucket(aggctx *x, int bi) {
    bucket *bk = &x->b[bi];
    int64_t bound = 0;
    for (int i = 0; i < x->nunits; i++) bound += x->u[i].bstart[bi + 1] - x->u[i].bstart[bi];
    if (!bound) return LP_OK;
    uint64_t nslots = 16;
    while (nslots < (uint64_t)bound * 2) nslots *= 2;
    uint64_t mask = nslots - 1;
    uint64_t *slots = lp_calloc(nslots, sizeof *slots);
    int64_t *mkey = NULL, *moff = NULL;
    uint64_t *rep = NULL;
    char *mdata = NULL;
    size_t mlen = 0, mcap = 0;
    int64_t ng = 0, mnull = -1;
    if (!slots) goto nomem;
    if (x->mode == KEY_I64) {
        if (!(mkey = lp_malloc(sizeof *mkey * (size_t)bound))) goto nomem;
        MERGE_PROBE(mkey[m] == u->gkey[g], (mkey[ng - 1] = u->gkey[g], true))
    } else if (x->mode == KEY_STR) {
        if (!(moff = lp_malloc(sizeof *moff * (size_t)(bound + 1)))) goto nomem;
        moff[0] = 0;
#define LKEY(u, g) ((u)->kdata + (u)->koff[g])
#define LLEN(u, g) ((u)->koff[(g) + 1] - (u)->koff[g])
#define EQ_S (LLEN(u, g) == moff[m + 1] - moff[m] && str_eq(LKEY(u, g), mdata + moff[m], (size_t)LLEN(u, g)))
#define PUSH_S push_key(&mdata, &mlen, &mcap, moff + ng, LLEN(u, g) ? LKEY(u, g) : "", (size_t)LLEN(u, g))
        MERGE_PROBE(EQ_S, PUSH_S)
#undef EQ_S
#undef PUSH_S
#undef LKEY
#undef LLEN
    } else {
        if (!(rep = lp_malloc(sizeof *rep * (size_t)bound))) goto nomem;
#define REF(u, g) lp_agg_ref((u)->part, (u)->r0 + (u)->gfirst[g])
        MERGE_PROBE(keys_eq(x, REF(u, g), rep[m]), (rep[ng - 1] = REF(u, g), true))
#undef REF
    }
    lp_free(slots);
    lp_free(mkey);
    lp_free(moff);
    lp_free(mdata);
    lp_free(rep);
    slots = NULL;
    mkey = moff = NULL;
    mdata = NULL;
    rep = NULL;
    bk->ng = ng;
    bk->korder = lp_malloc(sizeof *bk->korder * (size_t)ng);
    bk->st = lp_calloc((size_t)x->naggs + 1, sizeof *bk->st);
    if (!bk->korder || !bk->st) goto nomem;
    for (int a = 0; a < x->naggs; a++) {
        if (!lp_agg_state_alloc(&x->plans[a], ng, &bk->st[a])) goto nomem;
        for (int i = 0; i < x->nunits; i++) {
            unit *u = &x->u[i];
            lp_agg_merge(&x->plans[a], x->in, &bk->st[a], &u->st[a], u->border + u->bstart[bi],
                         u->bstart[bi + 1] - u->bstart[bi], u->lmap);
        }
    }
    return LP_OK;
nomem:
    lp_free(slots);
    lp_free(mkey);
    lp_free(moff);
    lp_free(mdata);
    lp_free(rep);
    return LP_ENOMEM;
}

static void merge_task(void *ctx, int bi) {
    aggctx *x = ctx;
    if (lp_cancelled()) return;
    x->b[bi].status = merge_bucket(x, bi);
}

/* ---- 3. output order and holistic values ---- */

/* Numbers the merged groups in order of first occurrence. */
static lp_status order_groups(aggctx *x) {
    int64_t K = 0;
    for (int b = 0; b < x->nb; b++) K += x->b[b].ng;
    bool empty_total = x->total && K == 0;
    if (empty_total) {
        /* no keys and no rows: one group of empty states (count 0, others null) */
        bucket *bk = &x->b[0];
        bk->ng = 1;
        bk->korder = lp_malloc(sizeof *bk->korder);
        bk->st = lp_calloc((size_t)x->naggs + 1, sizeof *bk->st);
        if (!bk->korder || !bk->st) return LP_ENOMEM;
        for (int a = 0; a < x->naggs; a++)
            if (!lp_agg_state_alloc(&x->plans[a], 1, &bk->st[a])) return LP_ENOMEM;
        K = 1;
    }
    x->K = K;
    x->ob = lp_malloc(sizeof *x->ob * (size_t)(K + 1));
    x->om = lp_malloc(sizeof *x->om * (size_t)(K + 1));
    x->kref = lp_malloc(sizeof *x->kref * (size_t)(K + 1));
    if (!x->ob || !x->om || !x->kref) return LP_ENOMEM;
    if (empty_total) {
        x->ob[0] = 0;
        x->om[0] = 0;
        x->kref[0] = 0;
        x->b[0].korder[0] = 0;
        return LP_OK;
    }
    int64_t k = 0;
    for (int i = 0; i < x->nunits; i++) {
        const unit *u = &x->u[i];
        for (int64_t g = 0; g < u->ng; g++) {
            if (!u->intro[g]) continue;
            int b = bucket_of(x, u->ghash[g]);
            int64_t m = u->lmap[g];
            x->b[b].korder[m] = k;
            x->ob[k] = b;
            x->om[k] = m;
            x->kref[k] = lp_agg_ref(u->part, u->r0 + u->gfirst[g]);
            k++;
        }
    }
    return LP_OK;
}

/* Scatters each holistic aggregate's values into segments by output group. */
static lp_status scatter_holistic(aggctx *x) {
    for (int i = 0; i < x->nunits; i++) {
        unit *u = &x->u[i];
        for (int64_t g = 0; g < u->ng; g++) u->lmap[g] = x->b[bucket_of(x, u->ghash[g])].korder[u->lmap[g]];
    }
    x->hoff = lp_calloc((size_t)x->naggs, sizeof *x->hoff);
    x->hvals = lp_calloc((size_t)x->naggs, sizeof *x->hvals);
    if (!x->hoff || !x->hvals) return LP_ENOMEM;
    int64_t *cursor = lp_malloc(sizeof *cursor * (size_t)(x->K + 1));
    if (!cursor) return LP_ENOMEM;
    for (int a = 0; a < x->naggs; a++) {
        const lp_aggplan *pl = &x->plans[a];
        if (pl->op != LP_AGGOP_HOLD) continue;
        int64_t *off = x->hoff[a] = lp_malloc(sizeof *off * (size_t)(x->K + 1));
        if (!off) goto nomem;
        off[0] = 0;
        for (int64_t k = 0; k < x->K; k++) off[k + 1] = off[k] + x->b[x->ob[k]].st[a].n[x->om[k]];
        x->hvals[a] = lp_malloc(sizeof *x->hvals[a] * (size_t)(off[x->K] + 1));
        if (!x->hvals[a]) goto nomem;
        memcpy(cursor, off, sizeof *cursor * (size_t)x->K);
        for (int i = 0; i < x->nunits; i++) {
            if (lp_cancelled()) break;
            const unit *u = &x->u[i];
            lp_column view;
            lp_agg_view(x->in->parts[u->part].cols[pl->col], u->r0, u->n, &view);
            lp_agg_hold_scatter(pl, &view, u->n, u->gid, u->lmap, cursor, x->hvals[a], u->part, u->r0);
        }
    }
    lp_free(cursor);
    return LP_OK;
nomem:
    lp_free(cursor);
    return LP_ENOMEM;
}

/* ---- 4. output ---- */

/* Builds output partition oi: the key (or, for distinct, every) column gathered from each
 * group's first row, then each aggregate's results. The columns go to x->outcols. */
static lp_status build_output(aggctx *x, int oi) {
    int64_t k0 = (int64_t)oi * OUT_ROWS, k1 = LP_MIN(x->K, k0 + OUT_ROWS);
    lp_column **cols = x->outcols + (size_t)oi * (size_t)x->ocols;
    x->outrows[oi] = k1 - k0;
    for (int i = 0; i < x->ngcols; i++) {
        lp_colbuf b;
        lp_colbuf_init(&b, x->in->types[x->gcols[i]]);
        lp_agg_gather(&b, x->in, x->gcols[i], x->kref + k0, k1 - k0);
        if (lp_colbuf_finish(&b, &cols[i]) != LP_OK) return LP_ENOMEM;
    }
    lp_aggstate *bst[MAX_BUCKETS];
    for (int a = 0; a < x->naggs; a++) {
        const lp_aggplan *pl = &x->plans[a];
        lp_colbuf b;
        lp_colbuf_init(&b, pl->out);
        if (pl->op == LP_AGGOP_HOLD) {
            lp_agg_hold_finish(pl, x->in, x->hoff[a], x->hvals[a], k0, k1, &b);
        } else {
            for (int bi = 0; bi < x->nb; bi++) bst[bi] = x->b[bi].st ? &x->b[bi].st[a] : NULL;
            lp_agg_finish(pl, x->in, bst, x->ob + k0, x->om + k0, k1 - k0, &b);
        }
        if (lp_colbuf_finish(&b, &cols[x->ngcols + a]) != LP_OK) return LP_ENOMEM;
    }
    return LP_OK;
}

static void output_task(void *ctx, int oi) {
    aggctx *x = ctx;
    if (lp_cancelled()) return;
    x->outst[oi] = build_output(x, oi);
}

/* ---- driver ---- */

/* Frees everything the phases made, whether they finished or not (NULL-safe throughout). */
static void ctx_free(aggctx *x) {
    for (int i = 0; x->u && i < x->nunits; i++) {
        unit *u = &x->u[i];
        lp_free(u->ghash);
        lp_free(u->gfirst);
        lp_free(u->gkey);
        lp_free(u->koff);
        lp_free(u->kdata);
        lp_free(u->gid);
        lp_free(u->border);
        lp_free(u->bstart);
        lp_free(u->lmap);
        lp_free(u->intro);
        if (u->st)
            for (int a = 0; a < x->naggs; a++) lp_agg_state_free(&u->st[a]);
        lp_free(u->st);
    }
    lp_free(x->u);
    for (int b = 0; x->b && b < x->nb; b++) {
        lp_free(x->b[b].korder);
        if (x->b[b].st)
            for (int a = 0; a < x->naggs; a++) lp_agg_state_free(&x->b[b].st[a]);
        lp_free(x->b[b].st);
    }
    lp_free(x->b);
    for (int a = 0; a < x->naggs; a++) {
        if (x->hoff) lp_free(x->hoff[a]);
        if (x->hvals) lp_free(x->hvals[a]);
    }
    lp_free(x->hoff);
    lp_free(x->hvals);
    lp_free(x->ob);
    lp_free(x->om);
    lp_free(x->kref);
    if (x->outcols)
        for (size_t i = 0; i < (size_t)x->nout * (size_t)x->ocols; i++) lp_column_unref(x->outcols[i]);
    lp_free(x->outcols);
    lp_free(x->outrows);
    lp_free(x->outst);
    lp_free(x->kc);
}

/* The first failure among n task statuses (LP_OK if none). */
static lp_status first_failure(const lp_status *st, size_t stride, int n) {
    for (int i = 0; i < n; i++) {
        lp_status s = *(const lp_status *)((const char *)st + stride * (size_t)i);
        if (s != LP_OK) return s;
    }
    return LP_OK;
}

/* Runs the phases; on success *out is the result table with `names` and `types`. */
static lp_status run(aggctx *x, const char *const *names, const lp_type *types, lp_table **out) {
    lp_table *in = x->in;
    lp_status st;
    /* key columns by partition, and the units */
    x->kc = lp_malloc(sizeof *x->kc * ((size_t)in->nparts * (size_t)x->nkeys + 1));
    if (!x->kc) return LP_ENOMEM;
    for (int p = 0; p < in->nparts; p++)
        for (int k = 0; k < x->nkeys; k++) x->kc[(size_t)p * (size_t)x->nkeys + (size_t)k] = in->parts[p].cols[x->keys[k]];
    int64_t nunits = 0;
    for (int p = 0; p < in->nparts; p++) nunits += (in->parts[p].nrows + UNIT_ROWS - 1) / UNIT_ROWS;
    if (nunits > INT32_MAX) return LP_ELIMIT;
    x->nunits = (int)nunits;
    x->u = lp_calloc((size_t)nunits + 1, sizeof *x->u);
    if (!x->u) return LP_ENOMEM;
    for (int p = 0, i = 0; p < in->nparts; p++)
        for (int64_t r0 = 0; r0 < in->parts[p].nrows; r0 += UNIT_ROWS, i++) {
            x->u[i].part = p;
            x->u[i].r0 = r0;
            x->u[i].n = LP_MIN(UNIT_ROWS, in->parts[p].nrows - r0);
        }
    /* buckets: about 16k rows each, so a bucket's merge table stays in cache */
    x->nb = 1;
    x->bbits = 0;
    while (x->nb < MAX_BUCKETS && (int64_t)x->nb * 2 * 16384 <= in->nrows) {
        x->nb *= 2;
        x->bbits++;
    }
    x->b = lp_calloc((size_t)x->nb, sizeof *x->b);
    if (!x->b) return LP_ENOMEM;

    if ((st = lp_pool_run(x->nunits, group_task, x)) != LP_OK) return st;
    if ((st = first_failure(&x->u[0].status, sizeof(unit), x->nunits)) != LP_OK) return st;
    if ((st = lp_pool_run(x->nb, merge_task, x)) != LP_OK) return st;
    if ((st = first_failure(&x->b[0].status, sizeof(bucket), x->nb)) != LP_OK) return st;
    if (lp_cancelled()) return LP_ECANCELLED;
    if ((st = order_groups(x)) != LP_OK) return st;
    if (x->hold && (st = scatter_holistic(x)) != LP_OK) return st;
    if (lp_cancelled()) return LP_ECANCELLED;

    x->ocols = x->ngcols + x->naggs;
    int64_t nout = (x->K + OUT_ROWS - 1) / OUT_ROWS;
    if (nout > INT32_MAX) return LP_ELIMIT;
    x->nout = (int)nout;
    x->outcols = lp_calloc((size_t)x->nout * (size_t)x->ocols + 1, sizeof *x->outcols);
    x->outrows = lp_calloc((size_t)x->nout + 1, sizeof *x->outrows);
    x->outst = lp_calloc((size_t)x->nout + 1, sizeof *x->outst);
    if (!x->outcols || !x->outrows || !x->outst) return LP_ENOMEM;
    if ((st = lp_pool_run(x->nout, output_task, x)) != LP_OK) return st;
    if ((st = first_failure(x->outst, sizeof *x->outst, x->nout)) != LP_OK) return st;

    lp_table *t = lp_table_new(x->ocols, names, types);
    if (!t) return LP_ENOMEM;
    for (int oi = 0; oi < x->nout; oi++) {
        lp_column **cols = x->outcols + (size_t)oi * (size_t)x->ocols;
        st = lp_table_add_part(t, x->outrows[oi], cols);
        memset(cols, 0, sizeof *cols * (size_t)x->ocols); /* taken over, also on failure */
        if (st != LP_OK) {
            lp_table_unref(t);
            return st;
        }
    }
    *out = t;
    return LP_OK;
}

/* Picks the specialised key mode. */
static int key_mode(const lp_table *in, const int *keys, int nkeys) {
    if (nkeys == 0) return KEY_NONE;
    if (nkeys > 1) return KEY_ANY;
    lp_kind k = (lp_kind)in->types[keys[0]].kind;
    if (k == LP_INT64 || k == LP_TIMESTAMP) return KEY_I64;
    if (k == LP_STRING) return KEY_STR;
    return KEY_ANY;
}

/* Reports a failed run in d. */
static lp_status fail(lp_status st, const char *op, lp_diag *d) {
    switch (st) {
    case LP_ENOMEM: return lp_diag_nomem(d, op);
    case LP_ECANCELLED: return lp_diag_set(d, LP_ECANCELLED, "%s was cancelled", op);
    default: return lp_diag_set(d, st, "%s: too many partitions or groups", op);
    }
}

lp_status lp_aggregate(lp_table *in, const int *keys, int nkeys, const lp_aggspec *aggs, int naggs,
                       lp_table **out, lp_diag *d) {
    *out = NULL;
    for (int k = 0; k < nkeys; k++)
        if (keys[k] < 0 || keys[k] >= in->ncols)
            return lp_diag_set(d, LP_EVALUE, "groupBy: key column index %d is out of range (the table has %d columns)",
                               keys[k], in->ncols);
    int ncols = nkeys + naggs;
    aggctx x = {.in = in, .keys = keys, .nkeys = nkeys, .naggs = naggs, .gcols = keys, .ngcols = nkeys,
                .total = nkeys == 0};
    x.mode = key_mode(in, keys, nkeys);
    x.plans = lp_calloc((size_t)naggs + 1, sizeof *x.plans);
    const char **names = lp_calloc((size_t)ncols + 1, sizeof *names);
    lp_type *types = lp_calloc((size_t)ncols + 1, sizeof *types);
    char (*defnames)[160] = lp_calloc((size_t)naggs + 1, sizeof *defnames);
    lp_status st = LP_ENOMEM;
    if (!x.plans || !names || !types || !defnames) {
        st = lp_diag_nomem(d, "hash aggregate");
        goto done;
    }
    for (int a = 0; a < naggs; a++) {
        if ((st = lp_agg_plan(in, &aggs[a], &x.plans[a], d)) != LP_OK) goto done;
        x.hold |= x.plans[a].op == LP_AGGOP_HOLD;
    }
    for (int k = 0; k < nkeys; k++) {
        names[k] = in->names[keys[k]];
        types[k] = in->types[keys[k]];
    }
    for (int a = 0; a < naggs; a++) {
        if (aggs[a].name) {
            names[nkeys + a] = aggs[a].name;
        } else {
            lp_agg_default_name(in, &x.plans[a], defnames[a], sizeof defnames[a]);
            names[nkeys + a] = defnames[a];
        }
        types[nkeys + a] = x.plans[a].out;
    }
    st = run(&x, names, types, out);
    if (st != LP_OK) fail(st, "hash aggregate", d);
    ctx_free(&x);
done:
    lp_free(x.plans);
    lp_free(names);
    lp_free(types);
    lp_free(defnames);
    return st;
}

lp_status lp_distinct(lp_table *in, const int *cols, int ncols, lp_table **out, lp_diag *d) {
    *out = NULL;
    for (int k = 0; k < ncols; k++)
        if (cols[k] < 0 || cols[k] >= in->ncols)
            return lp_diag_set(d, LP_EVALUE, "dropDuplicates: column index %d is out of range (the table has %d columns)",
                               cols[k], in->ncols);
    int *all = lp_malloc(sizeof *all * (size_t)(in->ncols + 1));
    if (!all) return lp_diag_nomem(d, "distinct");
    for (int c = 0; c < in->ncols; c++) all[c] = c;
    if (ncols == 0) {
        cols = all;
        ncols = in->ncols;
    }
    aggctx x = {.in = in, .keys = cols, .nkeys = ncols, .gcols = all, .ngcols = in->ncols};
    x.mode = key_mode(in, cols, ncols);
    lp_status st = run(&x, (const char *const *)in->names, in->types, out);
    if (st != LP_OK) fail(st, "distinct", d);
    ctx_free(&x);
    lp_free(all);
    return st;
}
