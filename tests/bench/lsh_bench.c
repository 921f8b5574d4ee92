/* lsh_bench.c -- loupe-bench-lsh: the MinHash LSH similarity join against the exact answer.
 *
 *   loupe-bench-lsh REVIEWS.json [ROWS [TABLES [PER_TABLE [THRESHOLD]]]]
 *
 * The first ROWS (200000) reviews are tokenized (Tokenizer on reviewText) and hashed (HashingTF,
 * 2^20 features, binary) through the session API; each row is then the set of its non-zero
 * indices. Three answers of "pairs at Jaccard distance < THRESHOLD (0.2)" over those sets:
 *   lsh     lp_lsh_join with TABLES (20) tables of PER_TABLE (10) MinHash values, the seed
 *           picking the hash functions as MinHashLSH.fit does (hashing included in the time);
 *   exact   an exact parallel join with prefix filtering (sets ordered by token frequency, a
 *           set's first |x| - ceil(t|x|) + 1 tokens indexed; every candidate verified);
 *   brute   all pairs, exact, on a random 20000-row sample, its time scaled by (ROWS/20000)^2.
 * Prints the pairs, LSH recall of the exact pairs, and the times and speed-ups. Not a test.
 */
#include "loupe.h"
#include "loupe_int.h"
#include "exec/lsh.h"
#include "lang/interp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const loupe_diag *d) {
    fprintf(stderr, "loupe-bench-lsh: %s: %s\n", what, d ? d->msg : "");
    exit(1);
}

/* ---- the sets ---- */
static int64_t N;
static int32_t **set, *len;  /* tokens of each row, as ranks (ascending frequency), sorted */

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* |x ∩ y| of two sorted sets */
static int inter(const int32_t *x, int nx, const int32_t *y, int ny) {
    int i = 0, j = 0, c = 0;
    while (i < nx && j < ny) {
        if (x[i] < y[j]) i++;
        else if (y[j] < x[i]) j++;
        else c++, i++, j++;
    }
    return c;
}

static bool similar(int64_t a, int64_t b, double t) {
    int c = inter(set[a], len[a], set[b], len[b]);
    return (double)c / (double)(len[a] + len[b] - c) > t;
}

/* ---- exact: prefix filtering ---- */
static double T_SIM;
static int64_t *order;     /* rows by (size, row) */
static int64_t **plist;    /* per token rank: rows (by position) whose prefix holds it */
static int64_t *plen, *pcap;

typedef struct pairbuf {
    uint64_t *p;
    int64_t n, cap;
    int32_t *stamp;
} pairbuf;

static void pb_push(pairbuf *b, int64_t x, int64_t y) {
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 1024;
        b->p = realloc(b->p, sizeof *b->p * (size_t)b->cap);
    }
    b->p[b->n++] = x < y ? (uint64_t)x << 32 | (uint64_t)y : (uint64_t)y << 32 | (uint64_t)x;
}

static int prefix_len(int n) { return n - (int)ceil(T_SIM * n) + 1; }

#define CHUNKS 64
static pairbuf exact_buf[CHUNKS];

static void exact_task(void *ctx, int k) {
    (void)ctx;
    pairbuf *b = &exact_buf[k];
    b->stamp = calloc((size_t)N, sizeof *b->stamp);
    for (int64_t i = N * k / CHUNKS; i < N * (k + 1) / CHUNKS; i++) {
        int64_t x = order[i];
        int px = LP_MIN(prefix_len(len[x]), len[x]);
        for (int q = 0; q < px; q++) {
            int32_t tok = set[x][q];
            for (int64_t m = 0; m < plen[tok]; m++) {
                int64_t j = plist[tok][m];
                if (j >= i) break;  /* lists are in position order: only earlier (smaller) sets */
                int64_t y = order[j];
                if (b->stamp[y] == (int32_t)(i + 1)) continue;
                b->stamp[y] = (int32_t)(i + 1);
                if ((double)len[y] < T_SIM * len[x]) continue;  /* length filter */
                if (similar(x, y, T_SIM)) pb_push(b, x, y);
            }
        }
    }
    free(b->stamp);
}

static int cmp_size(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    if (len[x] != len[y]) return len[x] - len[y];
    return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* ---- brute force on a sample ---- */
static int64_t *sample;
static int64_t nsample;
static int64_t brute_count[CHUNKS];

static void brute_task(void *ctx, int k) {
    (void)ctx;
    for (int64_t i = nsample * k / CHUNKS; i < nsample * (k + 1) / CHUNKS; i++)
        for (int64_t j = 0; j < i; j++)
            if (similar(sample[i], sample[j], T_SIM)) brute_count[k]++;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: loupe-bench-lsh REVIEWS.json [ROWS [TABLES [PER_TABLE [THRESHOLD]]]]\n");
        return 2;
    }
    int64_t rows = argc > 2 ? atoll(argv[2]) : 200000;
    int tables = argc > 3 ? atoi(argv[3]) : 20, per = argc > 4 ? atoi(argv[4]) : 10;
    double thr = argc > 5 ? atof(argv[5]) : 0.2;
    T_SIM = 1.0 - thr;
    loupe_session *s = loupe_session_new();
    loupe_diag d;
    char code[2048];
    snprintf(code, sizeof code,
             "from pyspark.ml.feature import Tokenizer, HashingTF\n"
             "r = spark.read.json(\"%s\").limit(%lld)\n"
             "w = Tokenizer(inputCol=\"reviewText\", outputCol=\"words\").transform(r.select(\"reviewText\"))\n"
             "feats = HashingTF(inputCol=\"words\", outputCol=\"tf\", numFeatures=1048576, binary=True)"
             ".transform(w).select(\"tf\")\n",
             argv[1], (long long)rows);
    double t0 = now();
    if (loupe_run(s, code, strlen(code), "lsh", 1, NULL, &d) != LOUPE_OK) die("script", &d);
    lp_val *fv = lp_sess_get(s, "feats");
    lp_table *ft = NULL;
    lp_diag ld;
    lp_diag_init(&ld);
    if (lp_plan_execute(fv->u.df, &ft, &ld) != LP_OK) die("features", &ld);
    double t_feat = now() - t0;
    N = ft->nrows;
    /* a table of (id, tf) with the global row as id */
    const char *names[] = {"id", "tf"};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_VECTOR)};
    lp_table *t = lp_table_new(2, names, types);
    int64_t g = 0;
    set = calloc((size_t)N, sizeof *set);
    len = calloc((size_t)N, sizeof *len);
    for (int p = 0; p < ft->nparts; p++) {
        lp_colbuf b;
        lp_colbuf_init(&b, types[0]);
        lp_column *c = ft->parts[p].cols[0];
        for (int64_t r = 0; r < c->len; r++, g++) {
            lp_colbuf_append_i64(&b, g);
            lp_value v = lp_column_get(c, r);
            len[g] = v.null ? 0 : v.u.vec.nnz;
            set[g] = malloc(sizeof(int32_t) * (size_t)(len[g] + 1));
            if (len[g]) memcpy(set[g], v.u.vec.idx, sizeof(int32_t) * (size_t)len[g]);
        }
        lp_column *cols[2];
        if (lp_colbuf_finish(&b, &cols[0]) != LP_OK) die("ids", NULL);
        cols[1] = lp_column_ref(c);
        if (lp_table_add_part(t, c->len, cols) != LP_OK) die("table", NULL);
    }
    /* rows without a token cannot be hashed: the data has none (min length 1), checked here */
    for (int64_t i = 0; i < N; i++)
        if (!len[i]) die("a review without tokens", NULL);

    /* ---- LSH ---- */
    int64_t *a = malloc(sizeof *a * (size_t)(tables * per)), *bb = malloc(sizeof *bb * (size_t)(tables * per));
    lp_jrandom jr;
    lp_jrandom_init(&jr, 1);
    for (int j = 0; j < tables * per; j++) {
        a[j] = 1 + lp_jrandom_int(&jr, LP_LSH_PRIME - 1);
        bb[j] = lp_jrandom_int(&jr, LP_LSH_PRIME - 1);
    }
    lp_lsh h = {.kind = LP_LSH_MINHASH, .ntables = tables, .per = per, .a = a, .b = bb};
    lp_table *out = NULL;
    int64_t cand = 0;
    t0 = now();
    if (lp_lsh_join(&h, t, 1, t, 1, thr, "a.", "b.", "dist", &out, &cand, &ld) != LP_OK) die("lsh join", &ld);
    double t_lsh = now() - t0;
    int64_t nl = 0;
    uint64_t *lp = malloc(sizeof *lp * (size_t)(out->nrows + 1));
    for (int p = 0; p < out->nparts; p++) {
        lp_column *x = out->parts[p].cols[0], *y = out->parts[p].cols[2];
        for (int64_t r = 0; r < x->len; r++)
            if (x->v.i[r] < y->v.i[r]) lp[nl++] = (uint64_t)x->v.i[r] << 32 | (uint64_t)y->v.i[r];
    }
    qsort(lp, (size_t)nl, sizeof *lp, cmp_u64);

    /* ---- exact, prefix filtering ---- */
    t0 = now();
    int64_t *freq = calloc(1u << 20, sizeof *freq);
    for (int64_t i = 0; i < N; i++)
        for (int k = 0; k < len[i]; k++) freq[set[i][k]]++;
    /* rank tokens by ascending frequency (ties by token) */
    int64_t *tok = malloc(sizeof *tok * (1u << 20));
    for (int64_t i = 0; i < (1 << 20); i++) tok[i] = (freq[i] << 20) | i;
    qsort(tok, 1u << 20, sizeof *tok, cmp_u64);
    int32_t *rank = malloc(sizeof *rank * (1u << 20));
    for (int64_t i = 0; i < (1 << 20); i++) rank[tok[i] & ((1 << 20) - 1)] = (int32_t)i;
    int32_t **rs = malloc(sizeof *rs * (size_t)N);
    for (int64_t i = 0; i < N; i++) {
        rs[i] = malloc(sizeof(int32_t) * (size_t)len[i]);
        for (int k = 0; k < len[i]; k++) rs[i][k] = rank[set[i][k]];
        qsort(rs[i], (size_t)len[i], sizeof(int32_t), cmp_i32);
    }
    int32_t **orig = set;
    set = rs;
    order = malloc(sizeof *order * (size_t)N);
    for (int64_t i = 0; i < N; i++) order[i] = i;
    qsort(order, (size_t)N, sizeof *order, cmp_size);
    plist = calloc(1u << 20, sizeof *plist);
    plen = calloc(1u << 20, sizeof *plen);
    pcap = calloc(1u << 20, sizeof *pcap);
    for (int64_t i = 0; i < N; i++) {
        int64_t x = order[i];
        int px = LP_MIN(prefix_len(len[x]), len[x]);
        for (int q = 0; q < px; q++) {
            int32_t tk = set[x][q];
            if (plen[tk] == pcap[tk]) {
                pcap[tk] = pcap[tk] ? 2 * pcap[tk] : 4;
                plist[tk] = realloc(plist[tk], sizeof(int64_t) * (size_t)pcap[tk]);
            }
            plist[tk][plen[tk]++] = i;
        }
    }
    if (lp_pool_run(CHUNKS, exact_task, NULL) != LP_OK) die("exact", NULL);
    int64_t ne = 0;
    for (int k = 0; k < CHUNKS; k++) ne += exact_buf[k].n;
    uint64_t *ep = malloc(sizeof *ep * (size_t)(ne + 1));
    ne = 0;
    for (int k = 0; k < CHUNKS; k++)
        for (int64_t i = 0; i < exact_buf[k].n; i++) ep[ne++] = exact_buf[k].p[i];
    double t_exact = now() - t0;
    qsort(ep, (size_t)ne, sizeof *ep, cmp_u64);
    /* recall; and every LSH pair must be an exact pair */
    int64_t hit = 0, i = 0, j = 0;
    while (i < nl && j < ne) {
        if (lp[i] < ep[j]) i++;
        else if (ep[j] < lp[i]) j++;
        else hit++, i++, j++;
    }
    if (hit != nl) fprintf(stderr, "loupe-bench-lsh: %lld LSH pairs are not exact pairs\n", (long long)(nl - hit));

    /* ---- brute force on a sample ---- */
    set = orig;
    nsample = LP_MIN(N, 20000);
    sample = malloc(sizeof *sample * (size_t)nsample);
    uint64_t st = 12345;
    for (int64_t k = 0; k < nsample; k++) {
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        sample[k] = (int64_t)((st >> 33) % (uint64_t)N);
    }
    t0 = now();
    if (lp_pool_run(CHUNKS, brute_task, NULL) != LP_OK) die("brute", NULL);
    double t_brute_s = now() - t0, scale = ((double)N / (double)nsample) * ((double)N / (double)nsample);
    double t_brute = t_brute_s * scale;

    printf("rows                 %lld (features in %.2f s, %d threads)\n", (long long)N, t_feat, lp_pool_threads());
    printf("threshold            Jaccard distance < %.2f\n", thr);
    printf("LSH                  %d tables x %d MinHash values: %.2f s, %lld candidates, %lld pairs\n", tables, per,
           t_lsh, (long long)cand, (long long)nl);
    printf("exact prefix filter  %.2f s, %lld pairs\n", t_exact, (long long)ne);
    printf("recall               %.4f (%lld of %lld exact pairs; LSH pairs all exact: %s)\n",
           ne ? (double)hit / (double)ne : 1.0, (long long)hit, (long long)ne, hit == nl ? "yes" : "NO");
    printf("brute force          %.2f s on %lld rows, x%.0f = %.0f s estimated for all pairs\n", t_brute_s,
           (long long)nsample, scale, t_brute);
    printf("speed-up             %.1fx over brute force, %.2fx over the exact prefix-filter join\n", t_brute / t_lsh,
           t_exact / t_lsh);
    lp_table_unref(out);
    lp_table_unref(t);
    lp_table_unref(ft);
    loupe_session_free(s);
    return hit == nl ? 0 : 1;
}
