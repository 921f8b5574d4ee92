/* join.c -- the hash join (inner, left, right, full, semi, anti) and the cross join.
 *
 * DESIGN
 * The right side is the build side, the left side is probed, so the output follows the left
 * side's order as ops.h promises.
 *   1. Right keys: one task per right partition computes its key columns (an int64 key joined
 *      to a float64 one is converted to float64 first, so both sides hash and compare as
 *      float64) and their hashes (lp_keys_hash). The caller then builds one open-addressing
 *      table (linear probing, at most half full) with one slot per distinct key: the hash, the
 *      key's first row and its row count. The rows of one key are chained through `next` in
 *      right order (inserting from the last row to the first, each at the chain's head). Rows
 *      with a null key are never inserted: a null key never matches.
 *   2. Count: one task per left partition looks every row up once and keeps the chain head
 *      found (or none), and counts its output rows. The caller adds the counts and checks the
 *      output's estimated size (rows times the average row width of the two sides) against the
 *      memory cap, so an exploding or cross join fails before it allocates anything big.
 *   3. Emit: the same tasks walk the chains into two index vectors (left rows, right row
 *      references; -1 for the null side of an outer join), then make their output partition
 *      with lp_column_take (left) and lp_sort_gather (right, across its partitions). Right and
 *      full joins mark matched right rows in a bitmap per task; the caller ORs them and adds
 *      one more partition with the unmatched right rows, in right order.
 * A cross join (or no keys at all) is the same machinery with every right row on one chain.
 * No allocation per row; each task writes only its own slot; the result is the same for any
 * thread count. Threads: the caller's.
 */
#include "sort_int.h"

#define NO_ROW (-1)
#define CANCEL_ROWS 65536

typedef struct jslot {
    uint64_t hash;  /* the key's hash; the key itself when fast_i64 */
    int64_t head;   /* the key's first right row (global index), NO_ROW when the slot is empty */
    int64_t count;  /* right rows with this key */
} jslot;

typedef struct jrow {
    int64_t next;   /* the next right row with the same key, NO_ROW at the end */
    int64_t ref;    /* the row as lp_ref_make(partition, row) */
} jrow;

/* One task's slot: a right partition in step 1, a left partition in steps 2 and 3. */
typedef struct jpart {
    lp_status st;
    lp_column **keys;   /* the partition's key columns, converted where needed */
    int64_t *head;      /* left: each row's chain head, NO_ROW for no match */
    int64_t nout;       /* left: output rows */
    bool identity;      /* left: every row gives exactly one output row, so the left columns
                         * pass through by reference */
    uint8_t *matched;   /* right and full joins: the right rows this task matched */
    lp_column **out;    /* the output partition's columns */
} jpart;

typedef struct jctx {
    lp_table *L, *R;
    const int *lkeys, *rkeys;
    int nkeys;
    lp_join_how how;
    uint8_t *promote;   /* per key: 1 = the left column becomes float64, 2 = the right one */
    bool fast_i64;      /* one int64/timestamp key: hashed with lp_hash_u64 here, and a slot's
                         * `hash` holds the key itself, so a probe touches no key column */
    int ncols;          /* output columns */
    bool right_cols;    /* the output has the right side's columns */
    /* right side */
    int64_t *roff;      /* R->nparts + 1 row offsets: global right row = roff[part] + row */
    int64_t rn;
    uint64_t *rhash;
    jpart *rp;
    lp_column **rk;     /* the right key columns, all partitions concatenated */
    jrow *rows;
    jslot *slots;
    uint64_t mask;
    int64_t nslots;
    lp_column **rsrc;   /* R->ncols * R->nparts: column c of partition p at [c * nparts + p] */
    /* left side */
    jpart *lp;
} jctx;

/* ---- keys ---- */

/* c (int64) as a new float64 column. */
static lp_column *to_f64(const lp_column *c) {
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_of(LP_FLOAT64));
    if (!lp_colbuf_reserve(&b, c->len, 0)) {
        lp_colbuf_reset(&b);
        return NULL;
    }
    for (int64_t r = 0; r < c->len; r++) {
        if (lp_col_valid(c, r)) lp_colbuf_append_f64(&b, (double)c->v.i[r]);
        else lp_colbuf_append_null(&b);
    }
    lp_column *out;
    return lp_colbuf_finish(&b, &out) == LP_OK ? out : NULL;
}

/* The key columns of one partition of the left (side 1) or right (side 2) table; a new array
 * of new references, NULL when refused. */
static lp_column **part_keys(const jctx *c, int side, const lp_part *part) {
    lp_column **k = lp_calloc((size_t)c->nkeys + 1, sizeof *k);
    if (!k) return NULL;
    for (int i = 0; i < c->nkeys; i++) {
        lp_column *col = part->cols[side == 1 ? c->lkeys[i] : c->rkeys[i]];
        k[i] = c->promote[i] == side ? to_f64(col) : lp_column_ref(col);
        if (!k[i]) {
            for (int j = 0; j < i; j++) lp_column_unref(k[j]);
            lp_free(k);
            return NULL;
        }
    }
    return k;
}

static void keys_free(lp_column **k, int n) {
    if (!k) return;
    for (int i = 0; i < n; i++) lp_column_unref(k[i]);
    lp_free(k);
}

static inline bool any_null(lp_column *const *k, int n, int64_t r) {
    for (int i = 0; i < n; i++)
        if (!lp_col_valid(k[i], r)) return true;
    return false;
}

/* Whether row a of key columns ka equals right row g (neither has a null key). */
static inline bool key_eq(const jctx *c, lp_column *const *ka, int64_t a, int64_t g) {
    return lp_keys_equal(ka, a, c->rk, g, c->nkeys, false);
}

/* ---- step 1: the right side's table ---- */

static void rkey_task(void *ctx, int p) {
    jctx *c = ctx;
    if (lp_cancelled()) return;
    jpart *jp = &c->rp[p];
    const lp_part *part = &c->R->parts[p];
    int64_t base = c->roff[p];
    for (int64_t r = 0; r < part->nrows; r++) c->rows[base + r].ref = lp_ref_make(p, r);
    if (c->nkeys == 0) return;
    jp->keys = part_keys(c, 2, part);
    if (!jp->keys) {
        jp->st = LP_ENOMEM;
        return;
    }
    if (c->fast_i64)
        for (int64_t r = 0; r < part->nrows; r++) c->rhash[base + r] = lp_hash_u64((uint64_t)jp->keys[0]->v.i[r]);
    else
        lp_keys_hash(jp->keys, c->nkeys, part->nrows, c->rhash + base);
}

/* Doubles the table; false when refused (the old table stays). */
static bool grow(jctx *c) {
    int64_t n = c->nslots * 2;
    jslot *s = lp_malloc(sizeof *s * (size_t)n);
    if (!s) return false;
    for (int64_t i = 0; i < n; i++) s[i].head = NO_ROW;
    uint64_t mask = (uint64_t)n - 1;
    for (int64_t i = 0; i < c->nslots; i++) {
        if (c->slots[i].head == NO_ROW) continue;
        uint64_t j = (c->fast_i64 ? lp_hash_u64(c->slots[i].hash) : c->slots[i].hash) & mask;
        while (s[j].head != NO_ROW) j = (j + 1) & mask;
        s[j] = c->slots[i];
    }
    lp_free(c->slots);
    c->slots = s;
    c->nslots = n;
    c->mask = mask;
    return true;
}

/* Builds the table over the right rows (caller's thread). */
static lp_status build(jctx *c) {
    if (c->rn == 0) return LP_OK;
    if (c->nkeys == 0) { /* every right row matches every left row: one chain of them all */
        c->slots = lp_malloc(sizeof *c->slots);
        if (!c->slots) return LP_ENOMEM;
        c->nslots = 1;
        c->slots[0] = (jslot){0, 0, c->rn};
        for (int64_t g = 0; g < c->rn; g++) c->rows[g].next = g + 1 < c->rn ? g + 1 : NO_ROW;
        return LP_OK;
    }
    int64_t n = 64;
    while (n < c->rn / 2) n *= 2;
    c->slots = lp_malloc(sizeof *c->slots * (size_t)n);
    if (!c->slots) return LP_ENOMEM;
    for (int64_t i = 0; i < n; i++) c->slots[i].head = NO_ROW;
    c->nslots = n;
    c->mask = (uint64_t)n - 1;
    int64_t distinct = 0;
    for (int64_t g = c->rn - 1; g >= 0; g--) {
        c->rows[g].next = NO_ROW;
        if (any_null(c->rk, c->nkeys, g)) continue;
        uint64_t h = c->rhash[g], i = h & c->mask;
        if (c->fast_i64) h = (uint64_t)c->rk[0]->v.i[g];
        for (;; i = (i + 1) & c->mask) {
            jslot *s = &c->slots[i];
            if (s->head == NO_ROW) {
                *s = (jslot){h, g, 1};
                distinct++;
                break;
            }
            if (s->hash == h && (c->fast_i64 || key_eq(c, c->rk, g, s->head))) {
                c->rows[g].next = s->head;
                s->head = g;
                s->count++;
                break;
            }
        }
        if (distinct * 2 > c->nslots && !grow(c)) return LP_ENOMEM;
        if ((g & (CANCEL_ROWS - 1)) == 0 && lp_cancelled()) return LP_ECANCELLED;
    }
    return LP_OK;
}

/* ---- step 2: count ---- */

static inline int64_t sat_add(int64_t a, int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }

/* Output rows for a left row whose key has cnt matches. */
static inline int64_t out_rows(lp_join_how how, int64_t cnt) {
    switch (how) {
    case LP_JOIN_LEFT: case LP_JOIN_FULL: return cnt ? cnt : 1;
    case LP_JOIN_SEMI: return cnt > 0;
    case LP_JOIN_ANTI: return cnt == 0;
    default: return cnt;
    }
}

/* Looks up every row of left partition p: its chain head and the partition's output rows. */
static void count_task(void *ctx, int p) {
    jctx *c = ctx;
    if (lp_cancelled()) return;
    jpart *jp = &c->lp[p];
    const lp_part *part = &c->L->parts[p];
    int64_t n = part->nrows, nout = 0, ones = 0;
    uint64_t *hash = NULL;
    jp->head = lp_malloc(sizeof *jp->head * (size_t)n);
    if (!jp->head) goto nomem;
    if (c->nkeys == 0 || c->nslots == 0) {
        int64_t h = c->nslots ? 0 : NO_ROW, k = out_rows(c->how, c->nslots ? c->rn : 0);
        for (int64_t r = 0; r < n; r++) jp->head[r] = h;
        nout = k > 0 && n > INT64_MAX / k ? INT64_MAX : n * k;
        ones = k == 1 ? n : 0;
    } else if (c->fast_i64) { /* the same loop without a hash array or key column lookups */
        jp->keys = part_keys(c, 1, part);
        if (!jp->keys) goto nomem;
        const lp_column *k = jp->keys[0];
        for (int64_t r = 0; r < n; r++) {
            int64_t head = NO_ROW, cnt = 0;
            if (lp_col_valid(k, r)) {
                uint64_t v = (uint64_t)k->v.i[r];
                for (uint64_t i = lp_hash_u64(v) & c->mask;; i = (i + 1) & c->mask) {
                    const jslot *s = &c->slots[i];
                    if (s->head == NO_ROW) break;
                    if (s->hash == v) {
                        head = s->head;
                        cnt = s->count;
                        break;
                    }
                }
            }
            jp->head[r] = head;
            int64_t kk = out_rows(c->how, cnt);
            nout = sat_add(nout, kk);
            ones += kk == 1;
        }
        keys_free(jp->keys, c->nkeys);
        jp->keys = NULL;
    } else {
        jp->keys = part_keys(c, 1, part);
        hash = lp_malloc(sizeof *hash * (size_t)n);
        if (!jp->keys || !hash) goto nomem;
        lp_keys_hash(jp->keys, c->nkeys, n, hash);
        for (int64_t r = 0; r < n; r++) {
            int64_t head = NO_ROW, cnt = 0;
            if (!any_null(jp->keys, c->nkeys, r)) {
                uint64_t h = hash[r];
                for (uint64_t i = h & c->mask;; i = (i + 1) & c->mask) {
                    const jslot *s = &c->slots[i];
                    if (s->head == NO_ROW) break;
                    if (s->hash == h && key_eq(c, jp->keys, r, s->head)) {
                        head = s->head;
                        cnt = s->count;
                        break;
                    }
                }
            }
            jp->head[r] = head;
            int64_t k = out_rows(c->how, cnt);
            nout = sat_add(nout, k);
            ones += k == 1;
        }
        lp_free(hash);
        keys_free(jp->keys, c->nkeys);
        jp->keys = NULL;
    }
    jp->nout = nout;
    jp->identity = ones == n;
    return;
nomem:
    lp_free(hash);
    jp->st = LP_ENOMEM;
}

/* Average bytes per row of t's columns (all of them). */
static double row_width(const lp_table *t) {
    double w = 0;
    for (int col = 0; col < t->ncols; col++) {
        if (!t->nrows) {
            w += 8;
            continue;
        }
        double b = 0;
        for (int p = 0; p < t->nparts; p++) b += (double)lp_column_bytes(t->parts[p].cols[col]);
        w += b / (double)t->nrows;
    }
    return w;
}

/* Refuses an output that cannot fit under the memory cap before any of it is made. The refusal
 * goes through the allocator (a request of the whole estimate, which it refuses), so that
 * lp_diag_nomem reports the size the join wanted. */
static lp_status check_size(const jctx *c) {
    int64_t total = 0;
    for (int p = 0; p < c->L->nparts; p++) total = sat_add(total, c->lp[p].nout);
    if (c->how == LP_JOIN_RIGHT || c->how == LP_JOIN_FULL) total = sat_add(total, c->rn); /* unmatched, at most */
    double width = row_width(c->L) + (c->right_cols ? row_width(c->R) : 0) + 2 * sizeof(int64_t);
    double need = (double)total * width, avail = (double)(lp_mem_cap() - lp_mem_used());
    if (need <= avail) return LP_OK;
    size_t want = need >= (double)SIZE_MAX ? SIZE_MAX : (size_t)need;
    void *p = lp_malloc(want);
    if (!p) return LP_ENOMEM;
    lp_free(p); /* memory was freed meanwhile: go on, and let the real allocations decide */
    return LP_OK;
}

/* ---- step 3: emit ---- */

static void emit_task(void *ctx, int p) {
    jctx *c = ctx;
    if (lp_cancelled()) return;
    jpart *jp = &c->lp[p];
    const lp_part *part = &c->L->parts[p];
    int64_t n = part->nrows, nout = jp->nout;
    lp_join_how how = c->how;
    bool outer_l = how == LP_JOIN_LEFT || how == LP_JOIN_FULL;
    int64_t *lidx = NULL, *rout = NULL;
    jp->out = lp_calloc((size_t)c->ncols + 1, sizeof *jp->out);
    if (!jp->out) goto nomem;
    if (!jp->identity && !(lidx = lp_malloc(sizeof *lidx * (size_t)(nout ? nout : 1)))) goto nomem;
    if (c->right_cols && !(rout = lp_malloc(sizeof *rout * (size_t)(nout ? nout : 1)))) goto nomem;
    if ((how == LP_JOIN_RIGHT || how == LP_JOIN_FULL) &&
        !(jp->matched = lp_calloc((size_t)(c->rn + 7) / 8 + 1, 1)))
        goto nomem;
    uint8_t *mb = jp->matched;
    int64_t k = 0, next_check = CANCEL_ROWS;
    for (int64_t r = 0; r < n; r++) {
        int64_t g = jp->head[r];
        if (how == LP_JOIN_SEMI || how == LP_JOIN_ANTI) {
            if ((g != NO_ROW) == (how == LP_JOIN_SEMI) && lidx) lidx[k++] = r;
            continue;
        }
        if (g == NO_ROW) {
            if (outer_l) {
                if (lidx) lidx[k] = r;
                rout[k++] = -1;
            }
            continue;
        }
        for (; g != NO_ROW; g = c->rows[g].next) {
            if (lidx) lidx[k] = r;
            rout[k++] = c->rows[g].ref;
            if (mb) mb[g >> 3] |= (uint8_t)(1u << (g & 7));
        }
        /* by rows emitted, not rows read: one left row of a cross join emits a whole side */
        if (k >= next_check) {
            if (lp_cancelled()) goto done;
            next_check = k + CANCEL_ROWS;
        }
    }
    lp_free(jp->head);
    jp->head = NULL;
    for (int col = 0; col < c->L->ncols; col++) {
        lp_column *src = part->cols[col];
        jp->out[col] = jp->identity ? lp_column_ref(src) : lp_column_take(src, lidx, nout);
        if (!jp->out[col]) goto nomem;
        if (lp_cancelled()) goto done;
    }
    if (c->right_cols) {
        int rp = c->R->nparts;
        for (int col = 0; col < c->R->ncols; col++) {
            if (lp_cancelled()) goto done;
            lp_column *o = lp_sort_gather(c->rsrc + (size_t)col * (size_t)rp, rp, c->R->types[col], rout, nout);
            if (!o) goto nomem;
            jp->out[c->L->ncols + col] = o;
        }
    }
    goto done;
nomem:
    if (!lp_cancelled()) jp->st = LP_ENOMEM;
done:
    lp_free(lidx);
    lp_free(rout);
}

/* The partition of right rows no task matched (right and full joins), in right order: null
 * left columns. Appended to t. */
static lp_status add_unmatched(jctx *c, lp_table *t) {
    size_t nb = (size_t)(c->rn + 7) / 8 + 1;
    uint8_t *all = lp_calloc(nb, 1);
    if (!all) return LP_ENOMEM;
    for (int p = 0; p < c->L->nparts; p++) {
        const uint8_t *m = c->lp[p].matched;
        for (size_t i = 0; i < nb; i++) all[i] |= m[i];
        lp_free(c->lp[p].matched);
        c->lp[p].matched = NULL;
    }
    int64_t cnt = 0;
    for (int64_t g = 0; g < c->rn; g++) cnt += !((all[g >> 3] >> (g & 7)) & 1);
    int64_t *refs = lp_malloc(sizeof *refs * (size_t)(cnt ? cnt : 1));
    lp_column **cols = lp_calloc((size_t)c->ncols + 1, sizeof *cols);
    lp_status st = LP_ENOMEM;
    if (!refs || !cols) goto out;
    int64_t k = 0;
    for (int64_t g = 0; g < c->rn; g++)
        if (!((all[g >> 3] >> (g & 7)) & 1)) refs[k++] = c->rows[g].ref;
    for (int col = 0; col < c->L->ncols; col++)
        if (!(cols[col] = lp_column_new_null(c->L->types[col], cnt))) goto out;
    int rp = c->R->nparts;
    for (int col = 0; col < c->R->ncols; col++) {
        cols[c->L->ncols + col] = lp_sort_gather(c->rsrc + (size_t)col * (size_t)rp, rp, c->R->types[col], refs, cnt);
        if (!cols[c->L->ncols + col]) goto out;
    }
    st = lp_table_add_part(t, cnt, cols); /* takes the references, also on failure */
    memset(cols, 0, sizeof *cols * (size_t)c->ncols);
out:
    if (cols)
        for (int col = 0; col < c->ncols; col++) lp_column_unref(cols[col]);
    lp_free(cols);
    lp_free(refs);
    lp_free(all);
    return st;
}

/* ---- the operator ---- */

static void jctx_free(jctx *c) {
    if (c->rp)
        for (int p = 0; p < c->R->nparts; p++) keys_free(c->rp[p].keys, c->nkeys);
    if (c->lp) {
        for (int p = 0; p < c->L->nparts; p++) {
            jpart *jp = &c->lp[p];
            keys_free(jp->keys, c->nkeys);
            lp_free(jp->head);
            lp_free(jp->matched);
            if (jp->out)
                for (int col = 0; col < c->ncols; col++) lp_column_unref(jp->out[col]);
            lp_free(jp->out);
        }
    }
    keys_free(c->rk, c->nkeys);
    lp_free(c->promote);
    lp_free(c->roff);
    lp_free(c->rhash);
    lp_free(c->rp);
    lp_free(c->rows);
    lp_free(c->slots);
    lp_free(c->rsrc);
    lp_free(c->lp);
}

static lp_status first_failure(const jpart *jp, int n) {
    for (int i = 0; i < n; i++)
        if (jp[i].st != LP_OK) return jp[i].st;
    return LP_OK;
}

/* The output table's empty shell: left's columns, then right's unless semi or anti. */
static lp_table *new_output(const jctx *c) {
    const char **names = lp_calloc((size_t)c->ncols + 1, sizeof *names);
    lp_type *types = lp_calloc((size_t)c->ncols + 1, sizeof *types);
    lp_table *t = NULL;
    if (names && types) {
        for (int i = 0; i < c->L->ncols; i++) {
            names[i] = c->L->names[i];
            types[i] = c->L->types[i];
        }
        for (int i = 0; c->right_cols && i < c->R->ncols; i++) {
            names[c->L->ncols + i] = c->R->names[i];
            types[c->L->ncols + i] = c->R->types[i];
        }
        t = lp_table_new(c->ncols, names, types);
    }
    lp_free(names);
    lp_free(types);
    return t;
}

static lp_status join_run(jctx *c, lp_table **out) {
    lp_table *L = c->L, *R = c->R;
    lp_status st;
    /* step 1 */
    c->roff = lp_malloc(sizeof *c->roff * ((size_t)R->nparts + 1));
    c->rp = lp_calloc((size_t)R->nparts + 1, sizeof *c->rp);
    c->rsrc = lp_malloc(sizeof *c->rsrc * ((size_t)R->ncols * (size_t)R->nparts + 1));
    c->lp = lp_calloc((size_t)L->nparts + 1, sizeof *c->lp);
    if (!c->roff || !c->rp || !c->rsrc || !c->lp) return LP_ENOMEM;
    c->roff[0] = 0;
    for (int p = 0; p < R->nparts; p++) c->roff[p + 1] = c->roff[p] + R->parts[p].nrows;
    c->rn = c->roff[R->nparts];
    for (int col = 0; col < R->ncols; col++)
        for (int p = 0; p < R->nparts; p++) c->rsrc[(size_t)col * (size_t)R->nparts + (size_t)p] = R->parts[p].cols[col];
    c->rows = lp_malloc(sizeof *c->rows * (size_t)(c->rn + 1));
    c->rhash = c->nkeys ? lp_malloc(sizeof *c->rhash * (size_t)(c->rn + 1)) : NULL;
    if (!c->rows || (c->nkeys && !c->rhash)) return LP_ENOMEM;
    if ((st = lp_pool_run(R->nparts, rkey_task, c)) != LP_OK) return st;
    if ((st = first_failure(c->rp, R->nparts)) != LP_OK) return st;
    if (c->nkeys && c->rn) {
        c->rk = lp_calloc((size_t)c->nkeys + 1, sizeof *c->rk);
        lp_column **parts = lp_malloc(sizeof *parts * (size_t)R->nparts);
        if (!c->rk || !parts) {
            lp_free(parts);
            return LP_ENOMEM;
        }
        for (int k = 0; k < c->nkeys; k++) {
            for (int p = 0; p < R->nparts; p++) parts[p] = c->rp[p].keys[k];
            c->rk[k] = lp_column_concat(parts, R->nparts);
            if (!c->rk[k]) {
                lp_free(parts);
                return LP_ENOMEM;
            }
        }
        lp_free(parts);
        for (int p = 0; p < R->nparts; p++) {
            keys_free(c->rp[p].keys, c->nkeys);
            c->rp[p].keys = NULL;
        }
    }
    if ((st = build(c)) != LP_OK) return st;
    /* step 2 */
    if ((st = lp_pool_run(L->nparts, count_task, c)) != LP_OK) return st;
    if ((st = first_failure(c->lp, L->nparts)) != LP_OK) return st;
    if ((st = check_size(c)) != LP_OK) return st;
    /* step 3 */
    if ((st = lp_pool_run(L->nparts, emit_task, c)) != LP_OK) return st;
    if ((st = first_failure(c->lp, L->nparts)) != LP_OK) return st;
    lp_free(c->rhash);
    c->rhash = NULL;
    lp_table *t = new_output(c);
    if (!t) return LP_ENOMEM;
    for (int p = 0; p < L->nparts; p++) {
        jpart *jp = &c->lp[p];
        st = lp_table_add_part(t, jp->nout, jp->out); /* takes the references, also on failure */
        memset(jp->out, 0, sizeof *jp->out * (size_t)c->ncols);
        if (st != LP_OK) goto fail;
    }
    if ((c->how == LP_JOIN_RIGHT || c->how == LP_JOIN_FULL) && (st = add_unmatched(c, t)) != LP_OK) goto fail;
    *out = t;
    return LP_OK;
fail:
    lp_table_unref(t);
    return st;
}

lp_status lp_join(lp_table *left, lp_table *right, const int *lkeys, const int *rkeys, int nkeys, lp_join_how how,
                  lp_table **out, lp_diag *d) {
    *out = NULL;
    if (how < LP_JOIN_INNER || how > LP_JOIN_CROSS) return lp_diag_set(d, LP_EVALUE, "join: unknown join type");
    if (nkeys < 0 || (nkeys > 0 && (!lkeys || !rkeys))) return lp_diag_set(d, LP_EVALUE, "join: bad key list");
    if (how == LP_JOIN_CROSS && nkeys > 0) return lp_diag_set(d, LP_EVALUE, "a cross join takes no join keys");
    for (int i = 0; i < nkeys; i++) {
        if (lkeys[i] < 0 || lkeys[i] >= left->ncols || rkeys[i] < 0 || rkeys[i] >= right->ncols)
            return lp_diag_set(d, LP_EVALUE, "join: key column out of range");
        lp_type lt = left->types[lkeys[i]], rt = right->types[rkeys[i]];
        if (!lp_type_eq(lt, rt) && !(lp_type_numeric(lt) && lp_type_numeric(rt)))
            return lp_diag_set(d, LP_ETYPE, "cannot join %s on %s: the join key `%s` is %s but `%s` is %s",
                               lp_type_name(lt), lp_type_name(rt), left->names[lkeys[i]], lp_type_name(lt),
                               right->names[rkeys[i]], lp_type_name(rt));
    }
    if (lp_cancelled()) return lp_diag_set(d, LP_ECANCELLED, "join was cancelled");
    jctx c;
    memset(&c, 0, sizeof c);
    c.L = left;
    c.R = right;
    c.lkeys = lkeys;
    c.rkeys = rkeys;
    c.nkeys = nkeys;
    c.how = how;
    c.right_cols = how != LP_JOIN_SEMI && how != LP_JOIN_ANTI;
    c.ncols = left->ncols + (c.right_cols ? right->ncols : 0);
    if (nkeys == 1) {
        lp_type lt = left->types[lkeys[0]];
        c.fast_i64 = lp_type_eq(lt, right->types[rkeys[0]]) && (lt.kind == LP_INT64 || lt.kind == LP_TIMESTAMP);
    }
    lp_status st = LP_ENOMEM;
    c.promote = lp_calloc((size_t)nkeys + 1, 1);
    if (c.promote) {
        for (int i = 0; i < nkeys; i++) {
            lp_kind lk = left->types[lkeys[i]].kind, rk = right->types[rkeys[i]].kind;
            c.promote[i] = lk == LP_INT64 && rk == LP_FLOAT64 ? 1 : lk == LP_FLOAT64 && rk == LP_INT64 ? 2 : 0;
        }
        st = join_run(&c, out);
    }
    jctx_free(&c);
    /* an interrupted gather returns NULL like a refused allocation: the flag tells them apart */
    if ((st == LP_OK || st == LP_ENOMEM) && lp_cancelled()) {
        lp_table_unref(*out);
        *out = NULL;
        st = LP_ECANCELLED;
    }
    switch (st) {
    case LP_OK: return LP_OK;
    case LP_ENOMEM: return lp_diag_nomem(d, "join");
    case LP_ECANCELLED: return lp_diag_set(d, LP_ECANCELLED, "join was cancelled");
    default: return lp_diag_set(d, st, "join failed");
    }
}
