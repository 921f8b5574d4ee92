/* kmeans.c -- k-means over a dense row-major matrix: k-means|| / k-means++ / random
 * initialisation and Lloyd's iterations, in parallel on the process pool.
 *
 * Called by the language's KMeans.fit with a matrix it gathered from a vector column; owns only
 * its scratch buffers and the result. Callable from one thread at a time (the pool serialises
 * runs anyway).
 *
 * DESIGN
 * Every parallel pass splits the n rows into nchunks chunks whose bounds depend on n only
 * (chunks of LP_KM_CHUNK rows, at most MAX_CHUNKS of them, so the per-chunk partial sums stay
 * small: MAX_CHUNKS * k * dim doubles). Each task fills its chunk's slot; the caller adds the
 * slots in chunk order. Random draws are a hash of (seed, step, row), never a shared stream.
 * Together these make the centres, cost and assignments bit-identical for any thread count.
 *
 * Spark's algorithm is followed where it is specified (mllib KMeans.initKMeansParallel,
 * LocalKMeans.kMeansPlusPlus, runAlgorithm): k-means|| keeps each row with probability
 * 2 k cost / total cost per round; its distinct candidates, weighted by the rows nearest to
 * each, are reduced to k by a weighted k-means++ plus up to 30 local Lloyd rounds; fewer
 * distinct candidates than k give fewer centres. Lloyd stops when no centre moved more than tol
 * or after max_iter rounds; an empty cluster keeps its centre. The reported cost is against
 * the final centres (Spark reports the cost of its last assignment step, one update earlier).
 */
#include "exec/kmeans.h"

#include <math.h>

#define MAX_CHUNKS 64
#define LOCAL_ITERS 30

void lp_kmeans_opts_init(lp_kmeans_opts *o, int k, uint64_t seed) {
    o->k = k;
    o->max_iter = 20;
    o->tol = 1e-4;
    o->seed = seed;
    o->init = LP_KM_INIT_PARALLEL;
    o->init_steps = 2;
}

void lp_kmeans_result_free(lp_kmeans_result *r) {
    if (!r) return;
    lp_free(r->centers);
    lp_free(r->sizes);
    lp_free(r);
}

/* ---- randomness keyed on position -------------------------------------------------------- */

static uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* A uniform double in [0, 1) for draw `row` of round `step`. */
static double draw(uint64_t seed, uint64_t step, uint64_t row) {
    uint64_t h = mix(mix(mix(seed) ^ step) ^ row);
    return (double)(h >> 11) * 0x1.0p-53;
}

/* ---- distances ---------------------------------------------------------------------------- */

static inline double sqdist(const double *a, const double *b, int dim) {
    double s = 0;
    for (int j = 0; j < dim; j++) {
        double t = a[j] - b[j];
        s += t * t;
    }
    return s;
}

int lp_kmeans_closest(const double *centers, int k, int dim, const double *p, double *d2) {
    int best = 0;
    double bd = INFINITY;
    for (int c = 0; c < k; c++) {
        double s = sqdist(centers + (size_t)c * (size_t)dim, p, dim);
        if (s < bd) {
            bd = s;
            best = c;
        }
    }
    if (d2) *d2 = bd;
    return best;
}

/* ---- chunked parallel passes -------------------------------------------------------------- */

typedef enum pass_kind {
    PASS_CHECK,    /* finite values; chunk_sum = positive weight */
    PASS_MINDIST,  /* d2[i] = min(d2[i], distance to centres [c0, k)); chunk_sum = sum w * d2 */
    PASS_SAMPLE,   /* k-means||: count rows drawn (chunk_cnt); rows marked in pick[] */
    PASS_NEAREST,  /* per chunk, weight of the rows nearest each centre (wk) */
    PASS_LLOYD,    /* per chunk, per centre weighted sums (sums, wk) and cost */
    PASS_ASSIGN,   /* pred and dist per row */
} pass_kind;

typedef struct km_ctx {
    pass_kind kind;
    const double *x, *w;
    int64_t n;
    int dim;
    int64_t chunk;  /* rows per chunk */
    int nchunks;
    const double *centers;
    int k, c0;
    double *d2;          /* n, running min squared distance */
    uint8_t *pick;       /* n, rows drawn by k-means|| */
    double total;        /* k-means||: the cost to draw against */
    double factor;       /* k-means||: 2 k */
    uint64_t seed, step;
    double *chunk_sum;   /* nchunks */
    int64_t *chunk_cnt;  /* nchunks */
    double *sums;        /* nchunks * k * dim */
    double *wk;          /* nchunks * k */
    int64_t *nk;         /* nchunks * k */
    int32_t *pred;
    double *dist;
} km_ctx;

static inline double weight(const km_ctx *c, int64_t i) { return c->w ? c->w[i] : 1.0; }

static void pass_task(void *vctx, int t) {
    km_ctx *c = vctx;
    int64_t lo = (int64_t)t * c->chunk, hi = LP_MIN(c->n, lo + c->chunk);
    int dim = c->dim;
    double acc = 0;
    int64_t cnt = 0;
    switch (c->kind) {
    case PASS_CHECK:
        for (int64_t i = lo; i < hi; i++) {
            const double *p = c->x + (size_t)i * (size_t)dim;
            for (int j = 0; j < dim; j++)
                if (!isfinite(p[j])) cnt++;
            double wi = weight(c, i);
            if (!isfinite(wi) || wi < 0) cnt++;
            else acc += wi;
        }
        break;
    case PASS_MINDIST:
        for (int64_t i = lo; i < hi; i++) {
            const double *p = c->x + (size_t)i * (size_t)dim;
            double m = c->d2[i];
            for (int q = c->c0; q < c->k; q++) {
                double s = sqdist(c->centers + (size_t)q * (size_t)dim, p, dim);
                if (s < m) m = s;
            }
            c->d2[i] = m;
            acc += weight(c, i) * m;
        }
        break;
    case PASS_SAMPLE:
        for (int64_t i = lo; i < hi; i++) {
            double cost = weight(c, i) * c->d2[i];
            bool take = cost > 0 && draw(c->seed, c->step, (uint64_t)i) < c->factor * cost / c->total;
            c->pick[i] = take;
            cnt += take;
        }
        break;
    case PASS_NEAREST: {
        double *wk = c->wk + (size_t)t * (size_t)c->k;
        memset(wk, 0, sizeof *wk * (size_t)c->k);
        for (int64_t i = lo; i < hi; i++) {
            int q = lp_kmeans_closest(c->centers, c->k, dim, c->x + (size_t)i * (size_t)dim, NULL);
            wk[q] += weight(c, i);
        }
        break;
    }
    case PASS_LLOYD: {
        double *wk = c->wk + (size_t)t * (size_t)c->k;
        int64_t *nk = c->nk + (size_t)t * (size_t)c->k;
        double *sums = c->sums + (size_t)t * (size_t)c->k * (size_t)dim;
        memset(wk, 0, sizeof *wk * (size_t)c->k);
        memset(nk, 0, sizeof *nk * (size_t)c->k);
        memset(sums, 0, sizeof *sums * (size_t)c->k * (size_t)dim);
        for (int64_t i = lo; i < hi; i++) {
            double wi = weight(c, i);
            if (!(wi > 0)) continue;
            const double *p = c->x + (size_t)i * (size_t)dim;
            double s;
            int q = lp_kmeans_closest(c->centers, c->k, dim, p, &s);
            double *sq = sums + (size_t)q * (size_t)dim;
            for (int j = 0; j < dim; j++) sq[j] += wi * p[j];
            wk[q] += wi;
            nk[q]++;
            acc += wi * s;
        }
        break;
    }
    case PASS_ASSIGN:
        for (int64_t i = lo; i < hi; i++) {
            double s;
            int q = lp_kmeans_closest(c->centers, c->k, dim, c->x + (size_t)i * (size_t)dim, &s);
            if (c->pred) c->pred[i] = q;
            if (c->dist) c->dist[i] = sqrt(s);
        }
        break;
    }
    if (c->chunk_sum) c->chunk_sum[t] = acc;
    if (c->chunk_cnt) c->chunk_cnt[t] = cnt;
}

static void ctx_chunks(km_ctx *c, int64_t n) {
    c->n = n;
    int64_t nch = (n + LP_KM_CHUNK - 1) / LP_KM_CHUNK;
    if (nch > MAX_CHUNKS) nch = MAX_CHUNKS;
    if (nch < 1) nch = 1;
    c->chunk = (n + nch - 1) / nch;
    if (c->chunk < 1) c->chunk = 1;
    c->nchunks = (int)((n + c->chunk - 1) / c->chunk);
    if (c->nchunks < 1) c->nchunks = 1;
}

static lp_status run_pass(km_ctx *c, pass_kind kind) {
    c->kind = kind;
    if (lp_cancelled()) return LP_ECANCELLED;
    return lp_pool_run(c->nchunks, pass_task, c);
}

static double sum_chunks(const km_ctx *c) {
    double s = 0;
    for (int t = 0; t < c->nchunks; t++) s += c->chunk_sum[t];
    return s;
}

/* The row where the running sum of w * d2 (in row order) first reaches r; rows with zero cost
 * are never chosen; -1 when every row's cost is 0. Whole chunks are skipped by their sums. */
static int64_t pick_by_cost(const km_ctx *c, double r) {
    double cum = 0;
    int t = 0;
    while (t + 1 < c->nchunks && cum + c->chunk_sum[t] < r) cum += c->chunk_sum[t++];
    int64_t last = -1;
    for (; t < c->nchunks; t++) {
        int64_t lo = (int64_t)t * c->chunk, hi = LP_MIN(c->n, lo + c->chunk);
        for (int64_t i = lo; i < hi; i++) {
            double v = weight(c, i) * c->d2[i];
            if (!(v > 0)) continue;
            cum += v;
            last = i;
            if (cum >= r) return i;
        }
    }
    if (last >= 0) return last; /* rounding left r just above the total */
    for (int64_t i = c->n - 1; i >= 0; i--)
        if (weight(c, i) * c->d2[i] > 0) return i;
    return -1;
}

/* ---- initialisation ----------------------------------------------------------------------- */

/* A row drawn with probability proportional to its weight. */
static int64_t pick_weighted_row(const km_ctx *c, double total) {
    double r = draw(c->seed, 0x1717, 0) * total, cum = 0;
    int64_t last = 0;
    for (int64_t i = 0; i < c->n; i++) {
        double wi = weight(c, i);
        if (!(wi > 0)) continue;
        last = i;
        cum += wi;
        if (cum > r) return i;
    }
    return last;
}

static void copy_row(double *dst, const double *x, int64_t i, int dim) {
    memcpy(dst, x + (size_t)i * (size_t)dim, sizeof(double) * (size_t)dim);
}

/* k-means++ over the whole data: one pass per centre. Writes up to `want` centres into cent,
 * fewer when every row already sits on a centre; *found says how many. */
static lp_status init_plusplus(km_ctx *c, int want, double wtotal, double *cent, int *found) {
    int dim = c->dim;
    for (int64_t i = 0; i < c->n; i++) c->d2[i] = INFINITY;
    copy_row(cent, c->x, pick_weighted_row(c, wtotal), dim);
    int m = 1;
    c->centers = cent;
    while (m < want) {
        c->c0 = m - 1; /* fold in the newest centre only */
        c->k = m;
        lp_status st = run_pass(c, PASS_MINDIST);
        if (st) return st;
        double total = sum_chunks(c);
        if (!(total > 0)) break;
        int64_t i = pick_by_cost(c, draw(c->seed, 0x2000 + (uint64_t)m, 0) * total);
        if (i < 0) break;
        copy_row(cent + (size_t)m * (size_t)dim, c->x, i, dim);
        m++;
    }
    *found = m;
    return LP_OK;
}

/* Spark's LocalKMeans.kMeansPlusPlus: k centres from m weighted candidate points (m > k):
 * weighted k-means++ then up to LOCAL_ITERS Lloyd rounds; an emptied centre moves to a random
 * candidate. */
static lp_status local_kmeans(const double *pts, const double *wts, int m, int dim, int k, uint64_t seed,
                              double *cent) {
    double *cost = lp_malloc(sizeof(double) * (size_t)m);
    double *sums = lp_malloc(sizeof(double) * (size_t)k * (size_t)dim);
    double *cnt = lp_malloc(sizeof(double) * (size_t)k);
    int *old = lp_malloc(sizeof(int) * (size_t)m);
    lp_status st = LP_OK;
    if (!cost || !sums || !cnt || !old) {
        st = LP_ENOMEM;
        goto done;
    }
    uint64_t draws = 0;
    double tw = 0;
    for (int i = 0; i < m; i++) tw += wts[i];
    double r = draw(seed, 0x3000, draws++) * tw, cum = 0;
    int first = m - 1;
    for (int i = 0; i < m; i++) {
        cum += wts[i];
        if (cum >= r && wts[i] > 0) {
            first = i;
            break;
        }
    }
    memcpy(cent, pts + (size_t)first * (size_t)dim, sizeof(double) * (size_t)dim);
    for (int i = 0; i < m; i++) cost[i] = sqdist(pts + (size_t)i * (size_t)dim, cent, dim);
    for (int q = 1; q < k; q++) {
        double sum = 0;
        for (int i = 0; i < m; i++) sum += cost[i] * wts[i];
        r = draw(seed, 0x3000, draws++) * sum;
        cum = 0;
        int j = 0;
        while (j < m && cum < r) cum += wts[j] * cost[j], j++;
        const double *pc = pts + (size_t)(j == 0 ? 0 : j - 1) * (size_t)dim;
        memcpy(cent + (size_t)q * (size_t)dim, pc, sizeof(double) * (size_t)dim);
        for (int i = 0; i < m; i++) {
            double s = sqdist(pts + (size_t)i * (size_t)dim, pc, dim);
            if (s < cost[i]) cost[i] = s;
        }
    }
    for (int i = 0; i < m; i++) old[i] = -1;
    bool moved = true;
    for (int it = 0; moved && it < LOCAL_ITERS; it++) {
        moved = false;
        memset(sums, 0, sizeof(double) * (size_t)k * (size_t)dim);
        memset(cnt, 0, sizeof(double) * (size_t)k);
        for (int i = 0; i < m; i++) {
            const double *p = pts + (size_t)i * (size_t)dim;
            int q = lp_kmeans_closest(cent, k, dim, p, NULL);
            for (int j = 0; j < dim; j++) sums[(size_t)q * (size_t)dim + (size_t)j] += wts[i] * p[j];
            cnt[q] += wts[i];
            if (q != old[i]) moved = true, old[i] = q;
        }
        for (int q = 0; q < k; q++) {
            double *cq = cent + (size_t)q * (size_t)dim;
            if (cnt[q] == 0) {
                int i = (int)(draw(seed, 0x4000 + (uint64_t)it, (uint64_t)q) * m);
                memcpy(cq, pts + (size_t)i * (size_t)dim, sizeof(double) * (size_t)dim);
            } else {
                for (int j = 0; j < dim; j++) cq[j] = sums[(size_t)q * (size_t)dim + (size_t)j] / cnt[q];
            }
        }
    }
done:
    lp_free(cost);
    lp_free(sums);
    lp_free(cnt);
    lp_free(old);
    return st;
}

/* k-means|| with `steps` rounds: writes up to `want` centres into cent; *found says how many. */
static lp_status init_parallel(km_ctx *c, int want, int steps, double wtotal, double *cent, int *found) {
    int dim = c->dim;
    lp_status st = LP_OK;
    int cap = 16, m = 1;
    double *cand = lp_malloc(sizeof(double) * (size_t)cap * (size_t)dim);
    double *cw = NULL;
    if (!cand) return LP_ENOMEM;
    copy_row(cand, c->x, pick_weighted_row(c, wtotal), dim);
    for (int64_t i = 0; i < c->n; i++) c->d2[i] = INFINITY;
    int done_upto = 0; /* candidates already folded into d2 */
    c->factor = 2.0 * want;
    for (int step = 0; step < steps; step++) {
        c->centers = cand;
        c->c0 = done_upto;
        c->k = m;
        if ((st = run_pass(c, PASS_MINDIST))) goto done;
        done_upto = m;
        double total = sum_chunks(c);
        if (!(total > 0)) break;
        /* draw rows with probability 2 k cost / total, keyed on (seed, step, row) */
        c->total = total;
        c->step = (uint64_t)step + 1;
        if ((st = run_pass(c, PASS_SAMPLE))) goto done;
        int64_t add = 0;
        for (int t = 0; t < c->nchunks; t++) add += c->chunk_cnt[t];
        if (add > INT32_MAX / 4 - m) add = INT32_MAX / 4 - m;
        if (m + add > cap) {
            while (m + add > cap) cap *= 2;
            double *nc = lp_realloc(cand, sizeof(double) * (size_t)cap * (size_t)dim);
            if (!nc) {
                st = LP_ENOMEM;
                goto done;
            }
            cand = nc;
        }
        for (int64_t i = 0; i < c->n && add > 0; i++)
            if (c->pick[i]) copy_row(cand + (size_t)m++ * (size_t)dim, c->x, i, dim), add--;
    }
    /* distinct candidates, first occurrence kept */
    int u = 0;
    for (int i = 0; i < m; i++) {
        const double *p = cand + (size_t)i * (size_t)dim;
        bool dup = false;
        for (int j = 0; j < u && !dup; j++) dup = memcmp(cand + (size_t)j * (size_t)dim, p, sizeof(double) * (size_t)dim) == 0;
        if (!dup) {
            if (u != i) memmove(cand + (size_t)u * (size_t)dim, p, sizeof(double) * (size_t)dim);
            u++;
        }
    }
    if (u <= want) {
        memcpy(cent, cand, sizeof(double) * (size_t)u * (size_t)dim);
        *found = u;
        goto done;
    }
    /* weight each candidate by the rows nearest it, then reduce to `want` locally */
    c->wk = lp_malloc(sizeof(double) * (size_t)c->nchunks * (size_t)u);
    cw = lp_calloc((size_t)u, sizeof(double));
    if (!c->wk || !cw) {
        st = LP_ENOMEM;
        goto done;
    }
    c->centers = cand;
    c->k = u;
    if ((st = run_pass(c, PASS_NEAREST))) goto done;
    for (int t = 0; t < c->nchunks; t++)
        for (int q = 0; q < u; q++) cw[q] += c->wk[(size_t)t * (size_t)u + (size_t)q];
    if ((st = local_kmeans(cand, cw, u, dim, want, c->seed, cent))) goto done;
    *found = want;
done:
    lp_free(c->wk);
    c->wk = NULL;
    lp_free(cw);
    lp_free(cand);
    return st;
}

/* "random": the `want` rows of positive weight with the smallest keyed draws (a uniform sample
 * without replacement), in row order. */
static int init_random(const km_ctx *c, int want, double *cent, int64_t *rows, double *keys) {
    int m = 0;
    for (int64_t i = 0; i < c->n; i++) {
        if (!(weight(c, i) > 0)) continue;
        double key = draw(c->seed, 0x5000, (uint64_t)i);
        if (m < want) {
            int j = m++;
            while (j > 0 && keys[j - 1] > key) keys[j] = keys[j - 1], rows[j] = rows[j - 1], j--;
            keys[j] = key, rows[j] = i;
        } else if (key < keys[m - 1]) {
            int j = m - 1;
            while (j > 0 && keys[j - 1] > key) keys[j] = keys[j - 1], rows[j] = rows[j - 1], j--;
            keys[j] = key, rows[j] = i;
        }
    }
    /* row order, so the centres' order does not depend on the draws' order */
    for (int a = 1; a < m; a++)
        for (int b = a; b > 0 && rows[b - 1] > rows[b]; b--) {
            int64_t t = rows[b];
            rows[b] = rows[b - 1], rows[b - 1] = t;
        }
    for (int q = 0; q < m; q++) copy_row(cent + (size_t)q * (size_t)c->dim, c->x, rows[q], c->dim);
    return m;
}

/* ---- fit ---------------------------------------------------------------------------------- */

lp_status lp_kmeans_fit(const double *x, const double *w, int64_t n, int dim, const lp_kmeans_opts *o,
                        lp_kmeans_result **out, lp_diag *d) {
    *out = NULL;
    if (n <= 0) return lp_diag_set(d, LP_EVALUE, "KMeans: the training data has no rows");
    if (o->k < 1) return lp_diag_set(d, LP_EVALUE, "KMeans: k must be at least 1, got %d", o->k);
    if (dim < 0) return lp_diag_set(d, LP_EVALUE, "KMeans: bad dimension %d", dim);
    int want = o->k;
    km_ctx c;
    memset(&c, 0, sizeof c);
    c.x = x;
    c.w = w;
    c.dim = dim;
    c.seed = o->seed;
    ctx_chunks(&c, n);
    lp_status st = LP_OK;
    lp_kmeans_result *r = lp_calloc(1, sizeof *r);
    double *cent = lp_malloc(sizeof(double) * (size_t)want * (size_t)(dim ? dim : 1));
    double *prev = lp_malloc(sizeof(double) * (size_t)want * (size_t)(dim ? dim : 1));
    c.chunk_sum = lp_malloc(sizeof(double) * (size_t)c.nchunks);
    c.chunk_cnt = lp_malloc(sizeof(int64_t) * (size_t)c.nchunks);
    c.d2 = lp_malloc(sizeof(double) * (size_t)n);
    if (!r || !cent || !prev || !c.chunk_sum || !c.chunk_cnt || !c.d2) goto nomem;

    if ((st = run_pass(&c, PASS_CHECK))) goto fail;
    int64_t bad = 0;
    for (int t = 0; t < c.nchunks; t++) bad += c.chunk_cnt[t];
    double wtotal = sum_chunks(&c);
    if (bad) {
        st = lp_diag_set(d, LP_EVALUE, "KMeans: %lld value%s of the features or weights %s NaN, infinite or negative",
                         (long long)bad, bad == 1 ? "" : "s", bad == 1 ? "is" : "are");
        lp_diag_hint(d, "drop or fill those rows first (dropna / fillna), or VectorAssembler(handleInvalid=\"skip\")");
        goto fail;
    }
    if (!(wtotal > 0)) {
        st = lp_diag_set(d, LP_EVALUE, "KMeans: every row has weight 0");
        goto fail;
    }

    int found = want;
    switch (o->init) {
    case LP_KM_INIT_RANDOM: {
        int64_t *rows = lp_malloc(sizeof(int64_t) * (size_t)want);
        double *keys = lp_malloc(sizeof(double) * (size_t)want);
        if (rows && keys) found = init_random(&c, want, cent, rows, keys);
        lp_free(rows);
        lp_free(keys);
        if (!rows || !keys) goto nomem;
        break;
    }
    case LP_KM_INIT_PLUSPLUS:
        st = init_plusplus(&c, want, wtotal, cent, &found);
        break;
    case LP_KM_INIT_PARALLEL:
        c.pick = lp_malloc((size_t)n);
        if (!c.pick) goto nomem;
        st = init_parallel(&c, want, o->init_steps > 0 ? o->init_steps : 1, wtotal, cent, &found);
        break;
    }
    if (st == LP_ENOMEM) goto nomem;
    if (st) goto fail;

    /* Lloyd */
    int k = found;
    c.k = k;
    c.centers = cent;
    c.wk = lp_malloc(sizeof(double) * (size_t)c.nchunks * (size_t)k);
    c.nk = lp_malloc(sizeof(int64_t) * (size_t)c.nchunks * (size_t)k);
    c.sums = lp_malloc(sizeof(double) * (size_t)c.nchunks * (size_t)k * (size_t)(dim ? dim : 1));
    r->sizes = lp_calloc((size_t)k, sizeof(int64_t));
    if (!c.wk || !c.nk || !c.sums || !r->sizes) goto nomem;
    double *tw = c.d2; /* d2 is free now: reuse it for the per-centre weights (n >= k) */
    double *ts = prev;
    int it = 0;
    bool converged = false;
    while (it < o->max_iter && !converged) {
        if ((st = run_pass(&c, PASS_LLOYD))) goto fail;
        it++;
        memset(tw, 0, sizeof(double) * (size_t)k);
        memset(ts, 0, sizeof(double) * (size_t)k * (size_t)dim);
        for (int t = 0; t < c.nchunks; t++) {
            const double *wk = c.wk + (size_t)t * (size_t)k, *sums = c.sums + (size_t)t * (size_t)k * (size_t)dim;
            for (int q = 0; q < k; q++) tw[q] += wk[q];
            for (size_t j = 0; j < (size_t)k * (size_t)dim; j++) ts[j] += sums[j];
        }
        converged = true;
        for (int q = 0; q < k; q++) {
            if (tw[q] == 0) continue;
            double *cq = cent + (size_t)q * (size_t)dim, moved = 0;
            for (int j = 0; j < dim; j++) {
                double v = ts[(size_t)q * (size_t)dim + (size_t)j] / tw[q], t = v - cq[j];
                moved += t * t;
                cq[j] = v;
            }
            if (moved > o->tol * o->tol) converged = false;
        }
    }
    /* the final cost and sizes, against the final centres */
    if ((st = run_pass(&c, PASS_LLOYD))) goto fail;
    r->cost = sum_chunks(&c);
    for (int t = 0; t < c.nchunks; t++)
        for (int q = 0; q < k; q++) r->sizes[q] += c.nk[(size_t)t * (size_t)k + (size_t)q];
    r->k = k;
    r->dim = dim;
    r->iterations = it;
    r->centers = cent;
    cent = NULL;
    *out = r;
    r = NULL;
    goto cleanup;
nomem:
    st = lp_diag_nomem(d, "KMeans");
    goto cleanup;
fail:
    if (st == LP_ECANCELLED) lp_diag_set(d, LP_ECANCELLED, "KMeans: cancelled");
cleanup:
    lp_kmeans_result_free(r);
    lp_free(cent);
    lp_free(prev);
    lp_free(c.chunk_sum);
    lp_free(c.chunk_cnt);
    lp_free(c.d2);
    lp_free(c.pick);
    lp_free(c.wk);
    lp_free(c.nk);
    lp_free(c.sums);
    return st;
}

lp_status lp_kmeans_assign(const double *x, int64_t n, int dim, const double *centers, int k, int32_t *pred,
                           double *dist, lp_diag *d) {
    if (n <= 0) return LP_OK;
    km_ctx c;
    memset(&c, 0, sizeof c);
    c.x = x;
    c.dim = dim;
    c.centers = centers;
    c.k = k;
    c.pred = pred;
    c.dist = dist;
    ctx_chunks(&c, n);
    lp_status st = run_pass(&c, PASS_ASSIGN);
    if (st == LP_ECANCELLED) return lp_diag_set(d, LP_ECANCELLED, "KMeans: cancelled");
    return st;
}

lp_status lp_kmeans_cost(const double *x, const double *w, int64_t n, int dim, const double *centers, int k,
                         double *cost, lp_diag *d) {
    *cost = 0;
    if (n <= 0) return LP_OK;
    km_ctx c;
    memset(&c, 0, sizeof c);
    c.x = x;
    c.w = w;
    c.dim = dim;
    c.centers = centers;
    c.k = k;
    ctx_chunks(&c, n);
    c.d2 = lp_malloc(sizeof(double) * (size_t)n);
    c.chunk_sum = lp_malloc(sizeof(double) * (size_t)c.nchunks);
    lp_status st = c.d2 && c.chunk_sum ? LP_OK : LP_ENOMEM;
    for (int64_t i = 0; st == LP_OK && i < n; i++) c.d2[i] = INFINITY;
    if (st == LP_OK) st = run_pass(&c, PASS_MINDIST);
    if (st == LP_OK) *cost = sum_chunks(&c);
    lp_free(c.d2);
    lp_free(c.chunk_sum);
    if (st == LP_ENOMEM) return lp_diag_nomem(d, "KMeans");
    if (st == LP_ECANCELLED) return lp_diag_set(d, LP_ECANCELLED, "KMeans: cancelled");
    return st;
}
