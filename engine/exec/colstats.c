/* colstats.c -- per-dimension statistics of vectors, as Spark's Summarizer computes them: the
 * metrics behind Summarizer, StandardScaler and MinMaxScaler.
 *
 * An accumulator (lp_colstats) belongs to one thread; callers keep one per partition or chunk
 * and merge them in order, so the results do not depend on the thread count. The arithmetic is
 * SummarizerBuffer's (Spark 3): running mean and M2n over the non-zero entries of each dimension
 * (weighted), the zeros folded in at the end, Chan et al.'s formula to merge two buffers. So the
 * figures agree with Spark's to the last bits for the same row order.
 */
#include "exec/kmeans.h"

#include <math.h>

enum { NARR = 7 };

lp_status lp_colstats_init(lp_colstats *s, int dim) {
    memset(s, 0, sizeof *s);
    s->dim = dim;
    size_t n = (size_t)(dim > 0 ? dim : 1);
    double *block = lp_calloc(n * NARR, sizeof(double));
    s->nnz = lp_calloc(n, sizeof(int64_t));
    if (!block || !s->nnz) {
        lp_free(block);
        lp_free(s->nnz);
        s->nnz = NULL;
        return LP_ENOMEM;
    }
    s->mean = block;
    s->m2n = block + n;
    s->m2 = block + 2 * n;
    s->l1 = block + 3 * n;
    s->wnz = block + 4 * n;
    s->max = block + 5 * n;
    s->min = block + 6 * n;
    for (size_t j = 0; j < n; j++) s->max[j] = -INFINITY, s->min[j] = INFINITY;
    return LP_OK;
}

void lp_colstats_reset(lp_colstats *s) {
    lp_free(s->mean);
    lp_free(s->nnz);
    memset(s, 0, sizeof *s);
}

static inline void add_one(lp_colstats *s, int j, double v, double w) {
    double prev = s->mean[j], diff = v - prev;
    s->mean[j] = prev + w * diff / (s->wnz[j] + w);
    s->m2n[j] += w * (v - s->mean[j]) * diff;
    s->m2[j] += w * v * v;
    s->l1[j] += w * fabs(v);
    s->wnz[j] += w;
    s->nnz[j]++;
    if (v > s->max[j]) s->max[j] = v;
    if (v < s->min[j]) s->min[j] = v;
}

void lp_colstats_add_dense(lp_colstats *s, const double *v, double w) {
    if (!(w > 0)) return;
    for (int j = 0; j < s->dim; j++)
        if (v[j] != 0) add_one(s, j, v[j], w);
    s->count++;
    s->wsum += w;
    s->wsq += w * w;
}

void lp_colstats_add_sparse(lp_colstats *s, const int32_t *idx, const double *val, int64_t nnz, double w) {
    if (!(w > 0)) return;
    for (int64_t e = 0; e < nnz; e++)
        if (val[e] != 0 && idx[e] >= 0 && idx[e] < s->dim) add_one(s, idx[e], val[e], w);
    s->count++;
    s->wsum += w;
    s->wsq += w * w;
}

void lp_colstats_merge(lp_colstats *a, const lp_colstats *b) {
    if (b->count == 0) return;
    for (int j = 0; j < a->dim; j++) {
        double wa = a->wnz[j], wb = b->wnz[j];
        if (wb == 0) continue;
        double delta = b->mean[j] - a->mean[j], tw = wa + wb;
        a->mean[j] += delta * wb / tw;
        a->m2n[j] += b->m2n[j] + delta * delta * wa * wb / tw;
        a->m2[j] += b->m2[j];
        a->l1[j] += b->l1[j];
        a->wnz[j] = wa + wb;
        a->nnz[j] += b->nnz[j];
        if (b->max[j] > a->max[j]) a->max[j] = b->max[j];
        if (b->min[j] < a->min[j]) a->min[j] = b->min[j];
    }
    a->count += b->count;
    a->wsum += b->wsum;
    a->wsq += b->wsq;
}

void lp_colstats_get(const lp_colstats *s, lp_colstat m, double *out) {
    int dim = s->dim;
    if (s->count == 0) {
        for (int j = 0; j < dim; j++) out[j] = 0;
        return;
    }
    double tw = s->wsum;
    for (int j = 0; j < dim; j++) {
        double mean = s->mean[j] * (s->wnz[j] / tw);
        switch (m) {
        case LP_CS_MEAN: out[j] = mean; break;
        case LP_CS_SUM: out[j] = mean * tw; break;
        case LP_CS_VARIANCE:
        case LP_CS_STD: {
            double den = tw - s->wsq / tw, v = 0;
            if (den > 0) {
                double t = s->mean[j];
                v = (s->m2n[j] + t * t * s->wnz[j] * (tw - s->wnz[j]) / tw) / den;
                if (v < 0) v = 0;
            }
            out[j] = m == LP_CS_STD ? sqrt(v) : v;
            break;
        }
        case LP_CS_MIN: out[j] = s->nnz[j] < s->count && s->min[j] > 0 ? 0 : s->min[j]; break;
        case LP_CS_MAX: out[j] = s->nnz[j] < s->count && s->max[j] < 0 ? 0 : s->max[j]; break;
        case LP_CS_NORML1: out[j] = s->l1[j]; break;
        case LP_CS_NORML2: out[j] = sqrt(s->m2[j]); break;
        case LP_CS_NNZ: out[j] = (double)s->nnz[j]; break;
        }
    }
}

/* ---- a dense matrix, in parallel ---- */

typedef struct cs_ctx {
    const double *x, *w;
    int64_t n, chunk;
    int dim;
    lp_colstats *parts;
} cs_ctx;

static void cs_task(void *vctx, int t) {
    cs_ctx *c = vctx;
    int64_t lo = (int64_t)t * c->chunk, hi = LP_MIN(c->n, lo + c->chunk);
    for (int64_t i = lo; i < hi; i++)
        lp_colstats_add_dense(&c->parts[t], c->x + (size_t)i * (size_t)c->dim, c->w ? c->w[i] : 1.0);
}

lp_status lp_colstats_matrix(const double *x, const double *w, int64_t n, int dim, lp_colstats *s, lp_diag *d) {
    if (lp_colstats_init(s, dim)) return lp_diag_nomem(d, "Summarizer");
    if (n <= 0) return LP_OK;
    int64_t nch = (n + LP_KM_CHUNK - 1) / LP_KM_CHUNK;
    if (nch > 64) nch = 64;
    cs_ctx c = {.x = x, .w = w, .n = n, .chunk = (n + nch - 1) / nch, .dim = dim};
    nch = (n + c.chunk - 1) / c.chunk;
    c.parts = lp_calloc((size_t)nch, sizeof *c.parts);
    lp_status st = c.parts ? LP_OK : LP_ENOMEM;
    for (int t = 0; st == LP_OK && t < nch; t++) st = lp_colstats_init(&c.parts[t], dim);
    if (st == LP_OK) st = lp_pool_run((int)nch, cs_task, &c);
    for (int t = 0; st == LP_OK && t < nch; t++) lp_colstats_merge(s, &c.parts[t]);
    for (int t = 0; c.parts && t < nch; t++) lp_colstats_reset(&c.parts[t]);
    lp_free(c.parts);
    if (st) {
        lp_colstats_reset(s);
        if (st == LP_ENOMEM) return lp_diag_nomem(d, "Summarizer");
        return lp_diag_set(d, st, "Summarizer: cancelled");
    }
    return LP_OK;
}
