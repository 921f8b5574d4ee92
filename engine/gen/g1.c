/* g1.c -- the db-benchmark tables (G1 group-by, J1 join) for the benchmark (tests/bench).
 *
 * Place: a generator beside gen.c, used only by `loupe-gen --table g1|j1`. The semantics are
 * db-benchmark's groupby-datagen.R and join-datagen.R (see g1.h); the random streams are ours,
 * so the files are not byte-identical to R's, only drawn from the same distributions.
 *
 * Invariant: the bytes depend only on (rows, groups, seed). Rows are formatted in blocks of
 * BLOCK_ROWS, each with its own stream seeded from (seed, table, block); a wave of WAVE_BLOCKS
 * blocks is formatted on the pool (each task writes only its own buffer), then the caller
 * writes the wave in block order. J1's key columns are permutations and samples drawn by one
 * serial stream before any formatting, since every key must appear (sample_all). Called from
 * one thread; uses the pool.
 */
#include "gen/g1.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define BLOCK_ROWS 65536
#define WAVE_BLOCKS 16

/* ---- random numbers (splitmix64, as gen.c) ------------------------------------------------ */

static inline uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

typedef struct rng {
    uint64_t s;
} rng;

static inline uint64_t rng_next(rng *r) { return mix64(r->s += 0x9e3779b97f4a7c15ULL); }

/* Uniform in [0, n), n < 2^32. */
static inline uint32_t rng_below(rng *r, uint64_t n) {
    return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

static rng rng_for(uint64_t seed, uint64_t table, uint64_t block) {
    rng r = {mix64(mix64(mix64(seed + 0x9e3779b97f4a7c15ULL) ^ table) + block)};
    return r;
}

/* ---- formatting --------------------------------------------------------------------------- */

/* v in decimal, at least `width` digits (zero-padded); returns the bytes written. */
static size_t put_uint(char *p, uint64_t v, int width) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width) tmp[n++] = '0';
    for (int i = 0; i < n; i++) p[i] = tmp[n - 1 - i];
    return (size_t)n;
}

/* A value in millionths as the shortest decimal (R's fwrite of round(x, 6)): 23.5749, 12. */
static size_t put_micro(char *p, uint32_t m) {
    size_t n = put_uint(p, m / 1000000, 1);
    uint32_t frac = m % 1000000;
    if (!frac) return n;
    int width = 6;
    while (frac % 10 == 0) {
        frac /= 10;
        width--;
    }
    p[n++] = '.';
    return n + put_uint(p + n, frac, width);
}

/* runif(max = 100) rounded to 6 decimals, in millionths. */
static inline uint32_t draw_v(rng *r) { return rng_below(r, 100000001); }

/* ---- the parallel block writer ------------------------------------------------------------ */

typedef struct table_out {
    int64_t rows;
    uint64_t seed, table;
    size_t max_row;                                         /* bytes a row can take */
    size_t (*row)(void *ctx, rng *r, int64_t i, char *p);   /* formats row i */
    void *ctx;
    int64_t first_block;                                    /* of the current wave */
    char *buf[WAVE_BLOCKS];
    size_t len[WAVE_BLOCKS];
} table_out;

static void block_task(void *ctx, int task) {
    table_out *t = ctx;
    int64_t b = t->first_block + task;
    int64_t lo = b * BLOCK_ROWS, hi = lo + BLOCK_ROWS < t->rows ? lo + BLOCK_ROWS : t->rows;
    rng r = rng_for(t->seed, t->table, (uint64_t)b);
    char *p = t->buf[task];
    for (int64_t i = lo; i < hi; i++) p += t->row(t->ctx, &r, i, p);
    t->len[task] = (size_t)(p - t->buf[task]);
}

/* Writes `header` and t->rows rows to path. */
static lp_status write_table(table_out *t, const char *header, const char *path, int64_t *bytes, lp_diag *d) {
    FILE *f = fopen(path, "wb");
    if (!f) return lp_diag_set(d, LP_EIO, "loupe-gen: cannot open '%s' for writing: %s", path, strerror(errno));
    lp_status st = LP_OK;
    /* buffers for one wave, no more blocks and rows than the table has */
    int64_t nblocks = (t->rows + BLOCK_ROWS - 1) / BLOCK_ROWS, written = (int64_t)strlen(header);
    int nbuf = nblocks < WAVE_BLOCKS ? (int)nblocks : WAVE_BLOCKS;
    size_t buf_rows = t->rows < BLOCK_ROWS ? (size_t)t->rows : BLOCK_ROWS;
    for (int k = 0; k < WAVE_BLOCKS; k++) t->buf[k] = NULL;
    for (int k = 0; k < nbuf && st == LP_OK; k++)
        if (!(t->buf[k] = lp_malloc(t->max_row * buf_rows))) st = lp_diag_nomem(d, "loupe-gen");
    if (st == LP_OK && fputs(header, f) == EOF) st = LP_EIO;
    for (t->first_block = 0; st == LP_OK && t->first_block < nblocks; t->first_block += WAVE_BLOCKS) {
        int n = (int)(nblocks - t->first_block < WAVE_BLOCKS ? nblocks - t->first_block : WAVE_BLOCKS);
        if ((st = lp_pool_run(n, block_task, t)) != LP_OK) break;
        for (int k = 0; k < n && st == LP_OK; k++) {
            if (fwrite(t->buf[k], 1, t->len[k], f) != t->len[k]) st = LP_EIO;
            written += (int64_t)t->len[k];
        }
    }
    if (fclose(f) != 0 && st == LP_OK) st = LP_EIO;
    if (st == LP_EIO) lp_diag_set(d, LP_EIO, "loupe-gen: cannot write '%s': %s", path, strerror(errno));
    else if (st == LP_ECANCELLED) lp_diag_set(d, LP_ECANCELLED, "loupe-gen: cancelled");
    for (int k = 0; k < WAVE_BLOCKS; k++) lp_free(t->buf[k]);
    if (bytes) *bytes += written;
    return st;
}

/* ---- G1 ------------------------------------------------------------------------------------ */

typedef struct g1_ctx {
    uint64_t k, nk;  /* groups, and rows / groups */
} g1_ctx;

/* id1,id2,id3,id4,id5,id6,v1,v2,v3 -- the draws in column order. */
static size_t g1_row(void *ctx, rng *r, int64_t i, char *p) {
    (void)i;
    const g1_ctx *g = ctx;
    char *s = p;
    for (int c = 0; c < 2; c++) {
        memcpy(p, "id", 2);
        p += 2 + put_uint(p + 2, rng_below(r, g->k) + 1, 3);
        *p++ = ',';
    }
    memcpy(p, "id", 2);
    p += 2 + put_uint(p + 2, rng_below(r, g->nk) + 1, 10);
    *p++ = ',';
    p += put_uint(p, rng_below(r, g->k) + 1, 1);
    *p++ = ',';
    p += put_uint(p, rng_below(r, g->k) + 1, 1);
    *p++ = ',';
    p += put_uint(p, rng_below(r, g->nk) + 1, 1);
    *p++ = ',';
    p += put_uint(p, rng_below(r, 5) + 1, 1);
    *p++ = ',';
    p += put_uint(p, rng_below(r, 15) + 1, 1);
    *p++ = ',';
    p += put_micro(p, draw_v(r));
    *p++ = '\n';
    return (size_t)(p - s);
}

lp_status lp_gen_g1_write(int64_t rows, int64_t groups, uint64_t seed, const char *path, int64_t *bytes,
                          lp_diag *d) {
    if (groups < 1 || rows < groups || rows / groups >= ((int64_t)1 << 32))
        return lp_diag_set(d, LP_EVALUE, "loupe-gen: g1 needs groups >= 1, rows >= groups and rows/groups < 2^32");
    g1_ctx g = {(uint64_t)groups, (uint64_t)(rows / groups)};
    table_out t = {.rows = rows, .seed = seed, .table = 0x6731, .max_row = 256, .row = g1_row, .ctx = &g};
    if (bytes) *bytes = 0;
    return write_table(&t, "id1,id2,id3,id4,id5,id6,v1,v2,v3\n", path, bytes, d);
}

/* ---- J1 ------------------------------------------------------------------------------------ */

typedef struct keyset {
    int32_t *key;      /* a permutation of 1..n*1.1 */
    int64_t n, nx;     /* x = key[0, nx), l = key[nx, n), r = key[n, total) */
    int64_t total;
} keyset;

/* split_xlr(n): common 90%, left-only 10%, right-only 10% of a shuffled 1..1.1n. */
static lp_status split_xlr(int64_t n, rng *r, keyset *k, lp_diag *d) {
    k->n = n;
    k->nx = n - n / 10;
    k->total = n + n / 10;
    if (!(k->key = lp_malloc(sizeof *k->key * (size_t)k->total))) return lp_diag_nomem(d, "loupe-gen");
    for (int64_t i = 0; i < k->total; i++) k->key[i] = (int32_t)(i + 1);
    for (int64_t i = k->total - 1; i > 0; i--) {
        int64_t j = rng_below(r, (uint64_t)i + 1);
        int32_t tmp = k->key[i];
        k->key[i] = k->key[j];
        k->key[j] = tmp;
    }
    return LP_OK;
}

/* sample_all: every key of the left (x + l) or right (x + r) side once, the rest drawn with
 * replacement, shuffled; `size` values into a new array. */
static lp_status sample_all(const keyset *k, bool right, int64_t size, rng *r, int32_t **out, lp_diag *d) {
    int64_t npool = k->n;
    int32_t *v = lp_malloc(sizeof *v * (size_t)size);
    if (!v) return lp_diag_nomem(d, "loupe-gen");
    #define POOL(i) ((i) < k->nx || !right ? k->key[(i)] : k->key[(i) - k->nx + k->n])
    for (int64_t i = 0; i < size; i++) v[i] = i < npool ? POOL(i) : POOL((int64_t)rng_below(r, (uint64_t)npool));
    #undef POOL
    for (int64_t i = size - 1; i > 0; i--) {
        int64_t j = rng_below(r, (uint64_t)i + 1);
        int32_t tmp = v[i];
        v[i] = v[j];
        v[j] = tmp;
    }
    *out = v;
    return LP_OK;
}

typedef struct j1_ctx {
    const int32_t *id[3];  /* id1..id3, NULL when the table has no such column */
} j1_ctx;

/* The present ids as ints, then as "id<n>" strings, then the measure. */
static size_t j1_row(void *ctx, rng *r, int64_t i, char *p) {
    const j1_ctx *j = ctx;
    char *s = p;
    for (int c = 0; c < 3; c++)
        if (j->id[c]) {
            p += put_uint(p, (uint64_t)j->id[c][i], 1);
            *p++ = ',';
        }
    for (int c = 0; c < 3; c++)
        if (j->id[c]) {
            memcpy(p, "id", 2);
            p += 2 + put_uint(p + 2, (uint64_t)j->id[c][i], 1);
            *p++ = ',';
        }
    p += put_micro(p, draw_v(r));
    *p++ = '\n';
    return (size_t)(p - s);
}

/* One J1 table: columns for the non-NULL ids, measure named `v`. */
static lp_status j1_table(const char *prefix, const char *name, int64_t rows, const int32_t *id1,
                          const int32_t *id2, const int32_t *id3, const char *v, uint64_t seed, uint64_t tag,
                          int64_t *bytes, lp_diag *d) {
    char path[4096], header[128] = "";
    if (snprintf(path, sizeof path, "%s_%s.csv", prefix, name) >= (int)sizeof path)
        return lp_diag_set(d, LP_EVALUE, "loupe-gen: output prefix too long");
    const int32_t *ids[3] = {id1, id2, id3};
    for (int c = 0; c < 3; c++)
        if (ids[c]) snprintf(header + strlen(header), sizeof header - strlen(header), "id%d,", c + 1);
    for (int c = 0; c < 3; c++)
        if (ids[c]) snprintf(header + strlen(header), sizeof header - strlen(header), "id%d,", c + 4);
    snprintf(header + strlen(header), sizeof header - strlen(header), "%s\n", v);
    j1_ctx j = {{id1, id2, id3}};
    table_out t = {.rows = rows, .seed = seed, .table = tag, .max_row = 128, .row = j1_row, .ctx = &j};
    return write_table(&t, header, path, bytes, d);
}

lp_status lp_gen_j1_write(int64_t rows, uint64_t seed, const char *prefix, int64_t *bytes, lp_diag *d) {
    if (rows < 100 || rows > 1000000000) return lp_diag_set(d, LP_EVALUE, "loupe-gen: j1 needs 100 to 1e9 rows");
    int64_t n_small = rows / 1000000 < 10 ? 10 : rows / 1000000;
    int64_t n_medium = rows / 1000 < 100 ? 100 : rows / 1000;
    rng r = rng_for(seed, 0x6a31, 0);
    keyset k1 = {0}, k2 = {0}, k3 = {0};
    int32_t *a = NULL, *b = NULL, *c = NULL;
    if (bytes) *bytes = 0;
    lp_status st = split_xlr(n_small, &r, &k1, d);
    if (st == LP_OK) st = split_xlr(n_medium, &r, &k2, d);
    if (st == LP_OK) st = split_xlr(rows, &r, &k3, d);
    /* x: the left side of every key set, N rows */
    if (st == LP_OK) st = sample_all(&k1, false, rows, &r, &a, d);
    if (st == LP_OK) st = sample_all(&k2, false, rows, &r, &b, d);
    if (st == LP_OK) st = sample_all(&k3, false, rows, &r, &c, d);
    if (st == LP_OK) st = j1_table(prefix, "x", rows, a, b, c, "v1", seed, 1, bytes, d);
    lp_free(a), lp_free(b), lp_free(c);
    a = b = c = NULL;
    if (st == LP_OK) st = sample_all(&k1, true, n_small, &r, &a, d);
    if (st == LP_OK) st = j1_table(prefix, "small", n_small, a, NULL, NULL, "v2", seed, 2, bytes, d);
    lp_free(a);
    a = NULL;
    if (st == LP_OK) st = sample_all(&k1, true, n_medium, &r, &a, d);
    if (st == LP_OK) st = sample_all(&k2, true, n_medium, &r, &b, d);
    if (st == LP_OK) st = j1_table(prefix, "medium", n_medium, a, b, NULL, "v2", seed, 3, bytes, d);
    lp_free(a), lp_free(b);
    a = b = NULL;
    if (st == LP_OK) st = sample_all(&k1, true, rows, &r, &a, d);
    if (st == LP_OK) st = sample_all(&k2, true, rows, &r, &b, d);
    if (st == LP_OK) st = sample_all(&k3, true, rows, &r, &c, d);
    if (st == LP_OK) st = j1_table(prefix, "big", rows, a, b, c, "v2", seed, 4, bytes, d);
    lp_free(a), lp_free(b), lp_free(c);
    lp_free(k1.key), lp_free(k2.key), lp_free(k3.key);
    return st;
}
