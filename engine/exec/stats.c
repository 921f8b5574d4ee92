/* stats.c -- statistics for rendering: histograms (one or several series on shared bins) and
 * describe()/summary().
 *
 * Both run fork-join over partitions on the pool: every task reads one partition and writes
 * only its own slot (its counts, its partial moments, its slice of a value array), and the
 * caller merges the slots in partition order, so the results are the same for any thread count
 * (float sums included: the partition is the unit of summation, never the thread).
 *
 * Histogram: a first pass finds the data's range (when not given) and, with a group column,
 * each partition's distinct group values, which the caller merges and sorts into the series;
 * the second pass bins every value into per-task count arrays. Values are read in chunks of
 * CHUNK rows converted to doubles (null -> NaN) with the type switch outside the row loop.
 * Values outside a given range are counted with `skipped`, like values <= 0 on log bins.
 *
 * Describe: per column, one pass gathers count, sum, the partition's variance terms (merged
 * with Chan's formula), min and max, and copies the non-null values as order-preserving 64-bit
 * keys into one array, in which the caller selects the percentiles (quickselect): the smallest
 * value with rank >= p * n, an actual value of the column as Spark's approximate percentile
 * returns it.
 *
 * Called from one thread (the statement's); only the tasks run on the pool.
 */
#include "exec/ops.h"

#include <math.h>
#include <stdlib.h>

#define CHUNK 1024
#define MAX_SERIES 1024
#define MAX_BINS 1000000

void lp_hist_opts_init(lp_hist_opts *o) {
    memset(o, 0, sizeof *o);
    o->bins = 10;
    o->group_col = -1;
    o->lo = NAN;
    o->hi = NAN;
}

void lp_histogram_free(lp_histogram *h) {
    if (!h) return;
    if (h->series)
        for (int i = 0; i < h->nseries; i++) lp_free(h->series[i]);
    lp_free(h->series);
    lp_free(h->edges);
    lp_free(h->counts);
    lp_free(h);
}

/* Rows [r0, r0 + n) of a numeric, date or timestamp column as doubles; null -> NaN. */
static void to_doubles(const lp_column *c, int64_t r0, int n, double *out) {
    switch ((lp_kind)c->type.kind) {
    case LP_INT64:
    case LP_TIMESTAMP:
        for (int i = 0; i < n; i++) out[i] = (double)c->v.i[r0 + i];
        break;
    case LP_FLOAT64: memcpy(out, c->v.f + r0, (size_t)n * sizeof *out); break;
    case LP_DATE:
        for (int i = 0; i < n; i++) out[i] = (double)c->v.d[r0 + i];
        break;
    default:
        for (int i = 0; i < n; i++) out[i] = NAN;
        break;
    }
    if (c->valid)
        for (int i = 0; i < n; i++)
            if (!lp_col_valid(c, r0 + i)) out[i] = NAN;
}

/* ---- distinct group values: an open-addressing set of (partition, row) references ---- */

typedef struct gent {
    uint64_t h;
    int32_t part;    /* -1: empty slot */
    int32_t series;
    int64_t row;
} gent;

typedef struct gset {
    gent *e;
    int64_t cap, n;
} gset;

static bool gset_init(gset *s, int64_t cap) {
    s->cap = cap;
    s->n = 0;
    s->e = lp_malloc((size_t)cap * sizeof *s->e);
    if (!s->e) return false;
    for (int64_t i = 0; i < cap; i++) s->e[i].part = -1;
    return true;
}

/* The slot holding the value at (part, row) with hash h, or the empty slot where it belongs. */
static int64_t gset_slot(const gset *s, const lp_table *t, int g, uint64_t h, int part, int64_t row) {
    int64_t i = (int64_t)(h & (uint64_t)(s->cap - 1));
    for (;; i = (i + 1) & (s->cap - 1)) {
        const gent *e = &s->e[i];
        if (e->part < 0) return i;
        if (e->h == h && lp_keys_equal(&t->parts[e->part].cols[g], e->row, &t->parts[part].cols[g], row, 1, true))
            return i;
    }
}

/* Adds the value if absent; false when refused. */
static bool gset_add(gset *s, const lp_table *t, int g, uint64_t h, int part, int64_t row) {
    if ((s->n + 1) * 2 > s->cap) {
        gset bigger;
        if (!gset_init(&bigger, s->cap * 2)) return false;
        for (int64_t i = 0; i < s->cap; i++) {
            if (s->e[i].part < 0) continue;
            int64_t j = (int64_t)(s->e[i].h & (uint64_t)(bigger.cap - 1));
            while (bigger.e[j].part >= 0) j = (j + 1) & (bigger.cap - 1);
            bigger.e[j] = s->e[i];
        }
        bigger.n = s->n;
        lp_free(s->e);
        *s = bigger;
    }
    int64_t i = gset_slot(s, t, g, h, part, row);
    if (s->e[i].part >= 0) return true;
    s->e[i] = (gent){h, (int32_t)part, -1, row};
    s->n++;
    return true;
}

/* ---- histogram ---- */

typedef struct hist_ctx {
    lp_table *in;
    int col, gcol;
    bool log;
    /* pass 1 */
    bool want_range;
    double *pmin, *pmax;  /* per partition; NaN when it has no usable value */
    gset *local;          /* per partition distinct groups */
    /* pass 2 */
    const gset *groups;
    int nseries, nbins;
    const double *edges;
    double base, scale;   /* bin = (x - base) * scale, x = v or log(v) */
    int64_t *counts;      /* nparts * nseries * nbins */
    int64_t *nulls, *skipped;
    atomic_bool nomem, toomany;
} hist_ctx;

static void hist_pass1(void *vctx, int p) {
    hist_ctx *c = vctx;
    if (lp_cancelled()) return;
    const lp_part *part = &c->in->parts[p];
    const lp_column *col = part->cols[c->col];
    if (c->want_range) {
        double lo = INFINITY, hi = -INFINITY, buf[CHUNK];
        for (int64_t r0 = 0; r0 < part->nrows; r0 += CHUNK) {
            int n = (int)LP_MIN((int64_t)CHUNK, part->nrows - r0);
            to_doubles(col, r0, n, buf);
            for (int i = 0; i < n; i++) {
                double v = buf[i];
                if (v != v || (c->log && v <= 0)) continue;
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
        }
        c->pmin[p] = lo <= hi ? lo : NAN;
        c->pmax[p] = lo <= hi ? hi : NAN;
    }
    if (c->gcol >= 0) {
        lp_column *g = part->cols[c->gcol];
        uint64_t *h = lp_malloc((size_t)LP_MAX(part->nrows, (int64_t)1) * sizeof *h);
        if (!h || !gset_init(&c->local[p], 16)) {
            lp_free(h);
            atomic_store(&c->nomem, true);
            return;
        }
        lp_keys_hash(&g, 1, part->nrows, h);
        for (int64_t r = 0; r < part->nrows; r++) {
            if (!gset_add(&c->local[p], c->in, c->gcol, h[r], p, r)) {
                atomic_store(&c->nomem, true);
                break;
            }
            if (c->local[p].n > MAX_SERIES) {
                atomic_store(&c->toomany, true);
                break;
            }
        }
        lp_free(h);
    }
}

static void hist_pass2(void *vctx, int p) {
    hist_ctx *c = vctx;
    if (lp_cancelled()) return;
    const lp_part *part = &c->in->parts[p];
    const lp_column *col = part->cols[c->col];
    uint64_t *h = NULL;
    if (c->gcol >= 0) {
        h = lp_malloc((size_t)LP_MAX(part->nrows, (int64_t)1) * sizeof *h);
        if (!h) {
            atomic_store(&c->nomem, true);
            return;
        }
        lp_column *g = part->cols[c->gcol];
        lp_keys_hash(&g, 1, part->nrows, h);
    }
    int64_t *counts = c->counts + (int64_t)p * c->nseries * c->nbins;
    int64_t nulls = 0, skipped = 0;
    const int nb = c->nbins;
    const double *e = c->edges, lo = e[0], hi = e[nb];
    double buf[CHUNK];
    for (int64_t r0 = 0; r0 < part->nrows; r0 += CHUNK) {
        int n = (int)LP_MIN((int64_t)CHUNK, part->nrows - r0);
        to_doubles(col, r0, n, buf);
        for (int i = 0; i < n; i++) {
            double v = buf[i];
            if (v != v) { nulls++; continue; }
            if ((c->log && v <= 0) || v < lo || v > hi) { skipped++; continue; }
            double x = c->log ? log(v) : v;
            double fb = (x - c->base) * c->scale;
            int b = fb <= 0 ? 0 : fb >= nb ? nb - 1 : (int)fb;
            /* The edges are the truth; the formula may be off by one in the last bit. */
            while (b > 0 && v < e[b]) b--;
            while (b < nb - 1 && v >= e[b + 1]) b++;
            int s = 0;
            if (h) {
                int64_t slot = gset_slot(c->groups, c->in, c->gcol, h[r0 + i], p, r0 + i);
                s = c->groups->e[slot].series;
            }
            counts[(int64_t)s * nb + b]++;
        }
    }
    lp_free(h);
    c->nulls[p] = nulls;
    c->skipped[p] = skipped;
}

/* Orders group references by value, nulls first (Spark's ascending order); arg = hist_ctx. */
static int cmp_group(const void *a, const void *b, void *arg) {
    const hist_ctx *c = arg;
    const gent *x = *(gent *const *)a, *y = *(gent *const *)b;
    const lp_column *cx = c->in->parts[x->part].cols[c->gcol], *cy = c->in->parts[y->part].cols[c->gcol];
    bool nx = !lp_col_valid(cx, x->row), ny = !lp_col_valid(cy, y->row);
    if (nx || ny) return ny - nx;
    return lp_value_cmp_rows(cx, x->row, cy, y->row);
}

/* The bin edges for range [lo, hi] (or the data's min and max when `fitted`): fills h. */
static lp_status make_edges(const lp_hist_opts *o, double lo, double hi, bool fitted, lp_histogram *h,
                            double *base, double *scale, lp_diag *d) {
    int n = o->bins > 0 ? o->bins : 10;
    if (o->log) {
        double llo = log(lo), lhi = log(hi);
        if (o->width > 0) {
            /* width in decades */
            double w = o->width * log(10.0);
            double nb = ceil((lhi - llo) / w);
            if (nb > MAX_BINS) return lp_diag_set(d, LP_EVALUE, "histogram: a width of %g gives too many bins", o->width);
            n = nb < 1 ? 1 : (int)nb;
            lhi = llo + n * w;
        }
        if (!(h->edges = lp_malloc((size_t)(n + 1) * sizeof(double)))) return lp_diag_nomem(d, "histogram");
        if (o->width > 0) {
            for (int i = 0; i <= n; i++) h->edges[i] = lo * pow(10.0, o->width * i);
            h->edges[n] = LP_MAX(h->edges[n], hi);
        } else {
            for (int i = 0; i <= n; i++) h->edges[i] = exp(llo + (lhi - llo) * i / n);
            h->edges[0] = lo;
            h->edges[n] = hi;
        }
        *base = llo;
        *scale = n / (lhi - llo);
    } else if (o->width > 0) {
        double w = o->width, start = lo;
        double nb;
        if (fitted) {
            /* Edges on multiples of the width, the maximum inside the last bin. */
            start = floor(lo / w) * w;
            nb = floor((hi - start) / w) + 1;
        } else {
            nb = ceil((hi - lo) / w);
        }
        if (!(nb <= MAX_BINS)) return lp_diag_set(d, LP_EVALUE, "histogram: a width of %g gives too many bins", w);
        n = nb < 1 ? 1 : (int)nb;
        if (!(h->edges = lp_malloc((size_t)(n + 1) * sizeof(double)))) return lp_diag_nomem(d, "histogram");
        for (int i = 0; i <= n; i++) h->edges[i] = start + w * i;
        *base = start;
        *scale = 1.0 / w;
    } else {
        if (!(h->edges = lp_malloc((size_t)(n + 1) * sizeof(double)))) return lp_diag_nomem(d, "histogram");
        for (int i = 0; i <= n; i++) h->edges[i] = lo + (hi - lo) * i / n;
        h->edges[n] = hi;
        *base = lo;
        *scale = n / (hi - lo);
    }
    h->nbins = n;
    return LP_OK;
}

lp_status lp_histogram_compute(lp_table *in, int col, const lp_hist_opts *o, lp_histogram **out, lp_diag *d) {
    *out = NULL;
    if (col < 0 || col >= in->ncols) return lp_diag_set(d, LP_ENAME, "histogram: no column %d", col);
    lp_kind k = (lp_kind)in->types[col].kind;
    if (k != LP_INT64 && k != LP_FLOAT64 && k != LP_DATE && k != LP_TIMESTAMP)
        return lp_diag_set(d, LP_ETYPE, "histogram: column '%s' is %s; a histogram needs numbers, dates or timestamps",
                           in->names[col], lp_type_name(in->types[col]));
    if (o->group_col >= in->ncols || o->group_col < -1)
        return lp_diag_set(d, LP_ENAME, "histogram: no group column %d", o->group_col);
    if (o->bins < 0 || o->bins > MAX_BINS) return lp_diag_set(d, LP_EVALUE, "histogram: %d bins is out of range", o->bins);
    if (!isnan(o->lo) && !isnan(o->hi) && !(o->lo < o->hi))
        return lp_diag_set(d, LP_EVALUE, "histogram: the range [%g, %g] is empty", o->lo, o->hi);
    if (o->log && ((!isnan(o->lo) && o->lo <= 0) || (!isnan(o->hi) && o->hi <= 0)))
        return lp_diag_set(d, LP_EVALUE, "histogram: log bins need a positive range");
    if (!(o->width >= 0) || isinf(o->width)) return lp_diag_set(d, LP_EVALUE, "histogram: bad bin width %g", o->width);
    if (lp_cancelled()) return lp_diag_set(d, LP_ECANCELLED, "histogram: cancelled");

    int np = in->nparts;
    hist_ctx c = {.in = in, .col = col, .gcol = o->group_col, .log = o->log};
    c.want_range = isnan(o->lo) || isnan(o->hi);
    lp_histogram *h = lp_calloc(1, sizeof *h);
    gset groups = {0};
    gent **order = NULL;
    lp_status st = LP_OK;
    c.pmin = lp_malloc((size_t)(np + 1) * sizeof(double));
    c.pmax = lp_malloc((size_t)(np + 1) * sizeof(double));
    c.local = lp_calloc((size_t)np + 1, sizeof(gset));
    c.nulls = lp_calloc((size_t)np + 1, sizeof(int64_t));
    c.skipped = lp_calloc((size_t)np + 1, sizeof(int64_t));
    if (!h || !c.pmin || !c.pmax || !c.local || !c.nulls || !c.skipped) {
        st = lp_diag_nomem(d, "histogram");
        goto done;
    }
    if (c.want_range || c.gcol >= 0) {
        st = lp_pool_run(np, hist_pass1, &c);
        if (st != LP_OK) { st = lp_diag_set(d, st, "histogram: cancelled"); goto done; }
        if (atomic_load(&c.nomem)) { st = lp_diag_nomem(d, "histogram"); goto done; }
        if (atomic_load(&c.toomany)) {
            st = lp_diag_set(d, LP_ELIMIT, "histogram: more than %d groups in '%s'", MAX_SERIES, in->names[c.gcol]);
            goto done;
        }
    }
    /* The range. */
    double lo = o->lo, hi = o->hi;
    if (c.want_range) {
        double dlo = INFINITY, dhi = -INFINITY;
        for (int p = 0; p < np; p++) {
            if (isnan(c.pmin[p])) continue;
            dlo = LP_MIN(dlo, c.pmin[p]);
            dhi = LP_MAX(dhi, c.pmax[p]);
        }
        bool none = dlo > dhi;  /* no usable value */
        if (isnan(lo)) lo = !none ? dlo : !isnan(hi) ? (o->log ? hi / 10 : hi - 1) : (o->log ? 1 : 0);
        if (isnan(hi)) hi = !none ? dhi : (o->log ? lo * 10 : lo + 1);
        if (!(lo < hi)) {
            if (!isnan(o->lo) || !isnan(o->hi)) {
                st = lp_diag_set(d, LP_EVALUE, "histogram: the range [%g, %g] holds no data", lo, hi);
                goto done;
            }
            /* A single value: a range around it, one unit (one decade on log bins) wide. */
            double v = lo;
            lo = o->log ? v / sqrt(10.0) : v - 0.5;
            hi = o->log ? v * sqrt(10.0) : v + 0.5;
        }
    }
    double base = 0, scale = 1;
    st = make_edges(o, lo, hi, c.want_range, h, &base, &scale, d);
    if (st != LP_OK) goto done;
    /* The series. */
    if (c.gcol >= 0) {
        if (!gset_init(&groups, 16)) { st = lp_diag_nomem(d, "histogram"); goto done; }
        for (int p = 0; p < np && st == LP_OK; p++) {
            const gset *l = &c.local[p];
            for (int64_t i = 0; i < l->cap; i++)
                if (l->e[i].part >= 0 && !gset_add(&groups, in, c.gcol, l->e[i].h, l->e[i].part, l->e[i].row)) {
                    st = lp_diag_nomem(d, "histogram");
                    break;
                }
        }
        if (st != LP_OK) goto done;
        if (groups.n > MAX_SERIES) {
            st = lp_diag_set(d, LP_ELIMIT, "histogram: more than %d groups in '%s'", MAX_SERIES, in->names[c.gcol]);
            goto done;
        }
        order = lp_malloc((size_t)(groups.n + 1) * sizeof *order);
        if (!order) { st = lp_diag_nomem(d, "histogram"); goto done; }
        int64_t n = 0;
        for (int64_t i = 0; i < groups.cap; i++)
            if (groups.e[i].part >= 0) order[n++] = &groups.e[i];
        qsort_r(order, (size_t)n, sizeof *order, cmp_group, &c);
        h->nseries = (int)n;
    } else {
        h->nseries = 1;
    }
    h->series = lp_calloc((size_t)h->nseries + 1, sizeof(char *));
    if (!h->series) { st = lp_diag_nomem(d, "histogram"); goto done; }
    for (int s = 0; s < h->nseries; s++) {
        if (c.gcol < 0) {
            h->series[s] = lp_strdup("all");
        } else {
            order[s]->series = s;
            lp_value v = lp_column_get(in->parts[order[s]->part].cols[c.gcol], order[s]->row);
            lp_strbuf b;
            lp_strbuf_init(&b);
            lp_value_format(&v, &b);
            h->series[s] = lp_strbuf_take(&b);
        }
        if (!h->series[s]) { st = lp_diag_nomem(d, "histogram"); goto done; }
    }
    /* Counting. */
    c.groups = &groups;
    c.nseries = h->nseries;
    c.nbins = h->nbins;
    c.edges = h->edges;
    c.base = base;
    c.scale = scale;
    size_t cells = (size_t)h->nseries * (size_t)h->nbins;
    c.counts = lp_calloc((size_t)np * cells + 1, sizeof(int64_t));
    h->counts = lp_calloc(cells, sizeof(double));
    if (!c.counts || !h->counts) { st = lp_diag_nomem(d, "histogram"); goto done; }
    st = lp_pool_run(np, hist_pass2, &c);
    if (st != LP_OK) { st = lp_diag_set(d, st, "histogram: cancelled"); goto done; }
    if (atomic_load(&c.nomem)) { st = lp_diag_nomem(d, "histogram"); goto done; }
    for (int p = 0; p < np; p++) {
        const int64_t *pc = c.counts + (size_t)p * cells;
        for (size_t i = 0; i < cells; i++) h->counts[i] += (double)pc[i];
        h->nulls += c.nulls[p];
        h->skipped += c.skipped[p];
    }
    if (o->normalize) {
        for (int s = 0; s < h->nseries; s++) {
            double *row = h->counts + (size_t)s * h->nbins, sum = 0;
            for (int b = 0; b < h->nbins; b++) sum += row[b];
            if (sum > 0)
                for (int b = 0; b < h->nbins; b++) row[b] /= sum;
        }
    }
done:
    if (c.local)
        for (int p = 0; p < np; p++) lp_free(c.local[p].e);
    lp_free(c.local);
    lp_free(c.pmin);
    lp_free(c.pmax);
    lp_free(c.nulls);
    lp_free(c.skipped);
    lp_free(c.counts);
    lp_free(groups.e);
    lp_free(order);
    if (st != LP_OK) {
        lp_histogram_free(h);
        return st;
    }
    *out = h;
    return LP_OK;
}

/* ---- describe ---- */

/* Order-preserving 64-bit keys: unsigned comparison of keys = the values' order (NaN last). */
static inline uint64_t key_i64(int64_t v) { return (uint64_t)v ^ 0x8000000000000000ULL; }
static inline int64_t unkey_i64(uint64_t k) { return (int64_t)(k ^ 0x8000000000000000ULL); }
static inline uint64_t key_f64(double v) {
    uint64_t b;
    if (v != v) v = NAN;  /* one NaN, above +inf */
    memcpy(&b, &v, 8);
    return (b >> 63) ? ~b : b | 0x8000000000000000ULL;
}
static inline double unkey_f64(uint64_t k) {
    uint64_t b = (k >> 63) ? k & 0x7fffffffffffffffULL : ~k;
    double v;
    memcpy(&v, &b, 8);
    return v;
}

/* Partial statistics of one partition's column. */
typedef struct dpart {
    int64_t n;
    double sum, mean, m2;   /* numeric: sum, and the partition's mean and sum of squared deviations */
    uint64_t kmin, kmax;    /* keyed min and max (numeric, date, timestamp, bool) */
    int64_t smin, smax;     /* string: rows of the min and max, -1 if none */
} dpart;

typedef struct desc_ctx {
    lp_table *in;
    int col;
    lp_kind kind;
    dpart *parts;
    int64_t *offset;   /* where each partition's keys start */
    uint64_t *keys;    /* numeric: every non-null value as a key, NULL otherwise */
} desc_ctx;

/* The key of row r of a non-string column. */
static inline uint64_t row_key(const lp_column *c, lp_kind k, int64_t r) {
    switch (k) {
    case LP_FLOAT64: return key_f64(c->v.f[r]);
    case LP_INT64: case LP_TIMESTAMP: return key_i64(c->v.i[r]);
    case LP_DATE: return key_i64(c->v.d[r]);
    case LP_BOOL: return c->v.b[r];
    default: return 0;
    }
}

static void desc_task(void *vctx, int p) {
    desc_ctx *c = vctx;
    if (lp_cancelled()) return;
    const lp_part *part = &c->in->parts[p];
    const lp_column *col = part->cols[c->col];
    dpart *o = &c->parts[p];
    memset(o, 0, sizeof *o);
    o->smin = o->smax = -1;
    o->kmin = UINT64_MAX;
    const int64_t nr = part->nrows;
    if (c->kind == LP_STRING) {
        for (int64_t r = 0; r < nr; r++) {
            if (!lp_col_valid(col, r)) continue;
            o->n++;
            if (o->smin < 0 || lp_value_cmp_rows(col, r, col, o->smin) < 0) o->smin = r;
            if (o->smax < 0 || lp_value_cmp_rows(col, r, col, o->smax) > 0) o->smax = r;
        }
        return;
    }
    if (c->kind == LP_LIST) {
        o->n = nr - col->null_count;
        return;
    }
    uint64_t *keys = c->keys ? c->keys + c->offset[p] : NULL;
    int64_t n = 0;
    for (int64_t r = 0; r < nr; r++) {
        if (col->valid && !lp_col_valid(col, r)) continue;
        uint64_t k = row_key(col, c->kind, r);
        o->kmin = k < o->kmin ? k : o->kmin;
        o->kmax = k > o->kmax ? k : o->kmax;
        if (keys) keys[n] = k;
        n++;
    }
    o->n = n;
    if (c->kind != LP_INT64 && c->kind != LP_FLOAT64) return;
    /* The partition's sum, then its squared deviations from its own mean (two passes, exact
     * enough and vectorisable). */
    double sum = 0;
    if (c->kind == LP_FLOAT64) {
        for (int64_t r = 0; r < nr; r++)
            if (!col->valid || lp_col_valid(col, r)) sum += col->v.f[r];
    } else {
        for (int64_t r = 0; r < nr; r++)
            if (!col->valid || lp_col_valid(col, r)) sum += (double)col->v.i[r];
    }
    double mean = n ? sum / (double)n : 0, m2 = 0;
    for (int64_t r = 0; r < nr; r++) {
        if (col->valid && !lp_col_valid(col, r)) continue;
        double x = (c->kind == LP_FLOAT64 ? col->v.f[r] : (double)col->v.i[r]) - mean;
        m2 += x * x;
    }
    o->sum = sum;
    o->mean = mean;
    o->m2 = m2;
}

static void swap_u64(uint64_t *a, uint64_t *b) {
    uint64_t t = *a;
    *a = *b;
    *b = t;
}

/* Rearranges a[0..n) so that a[k] is the k-th smallest, smaller ones before, larger after. */
static void select_k(uint64_t *a, int64_t n, int64_t k) {
    int64_t lo = 0, hi = n - 1;
    while (hi > lo) {
        /* median of three as the pivot */
        int64_t mid = lo + (hi - lo) / 2;
        if (a[mid] < a[lo]) swap_u64(&a[mid], &a[lo]);
        if (a[hi] < a[lo]) swap_u64(&a[hi], &a[lo]);
        if (a[hi] < a[mid]) swap_u64(&a[hi], &a[mid]);
        uint64_t pivot = a[mid];
        int64_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                swap_u64(&a[i], &a[j]);
                i++;
                j--;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return;
    }
}

/* Appends a keyed value of kind k as text to b. */
static void format_key(lp_strbuf *b, lp_kind k, uint64_t key) {
    char buf[48];
    switch (k) {
    case LP_FLOAT64: lp_strbuf_append(b, buf, (size_t)lp_format_float64(unkey_f64(key), buf)); break;
    case LP_INT64: lp_strbuf_printf(b, "%lld", (long long)unkey_i64(key)); break;
    case LP_DATE: lp_strbuf_append(b, buf, (size_t)lp_format_date((int32_t)unkey_i64(key), buf)); break;
    case LP_TIMESTAMP: lp_strbuf_append(b, buf, (size_t)lp_format_timestamp(unkey_i64(key), buf)); break;
    case LP_BOOL: lp_strbuf_puts(b, key ? "true" : "false"); break;
    default: break;
    }
}

enum { D_COUNT, D_MEAN, D_STDDEV, D_MIN, D_P25, D_P50, D_P75, D_MAX, D_ROWS };
static const char *const D_NAMES[D_ROWS] = {"count", "mean", "stddev", "min", "25%", "50%", "75%", "max"};

/* The eight summary cells of column `col` into out (strings, nulls where Spark has null). */
static lp_status describe_column(lp_table *in, int col, lp_colbuf *out, lp_diag *d) {
    int np = in->nparts;
    desc_ctx c = {.in = in, .col = col, .kind = (lp_kind)in->types[col].kind};
    bool numeric = c.kind == LP_INT64 || c.kind == LP_FLOAT64;
    c.parts = lp_malloc((size_t)(np + 1) * sizeof *c.parts);
    c.offset = lp_malloc((size_t)(np + 1) * sizeof *c.offset);
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_status st = LP_OK;
    if (!c.parts || !c.offset) { st = lp_diag_nomem(d, "describe"); goto done; }
    c.offset[0] = 0;
    for (int p = 0; p < np; p++) {
        const lp_column *pc = in->parts[p].cols[col];
        c.offset[p + 1] = c.offset[p] + pc->len - pc->null_count;
    }
    if (numeric && !(c.keys = lp_malloc((size_t)(c.offset[np] + 1) * sizeof *c.keys))) {
        st = lp_diag_nomem(d, "describe");
        goto done;
    }
    st = lp_pool_run(np, desc_task, &c);
    if (st != LP_OK) { st = lp_diag_set(d, st, "describe: cancelled"); goto done; }
    /* Merge in partition order. */
    int64_t n = 0;
    double sum = 0, mean = 0, m2 = 0;
    uint64_t kmin = UINT64_MAX, kmax = 0;
    int smin_p = -1, smax_p = -1;
    int64_t smin = -1, smax = -1;
    for (int p = 0; p < np; p++) {
        const dpart *q = &c.parts[p];
        if (q->n == 0) continue;
        if (numeric) {
            double delta = q->mean - mean, nt = (double)(n + q->n);
            m2 += q->m2 + delta * delta * (double)n * (double)q->n / nt;
            mean += delta * (double)q->n / nt;
            sum += q->sum;
        }
        n += q->n;
        kmin = q->kmin < kmin ? q->kmin : kmin;
        kmax = q->kmax > kmax ? q->kmax : kmax;
        if (c.kind == LP_STRING) {
            const lp_column *pc = in->parts[p].cols[col];
            if (smin_p < 0 || lp_value_cmp_rows(pc, q->smin, in->parts[smin_p].cols[col], smin) < 0) {
                smin_p = p;
                smin = q->smin;
            }
            if (smax_p < 0 || lp_value_cmp_rows(pc, q->smax, in->parts[smax_p].cols[col], smax) > 0) {
                smax_p = p;
                smax = q->smax;
            }
        }
    }
    uint64_t pk[3] = {0, 0, 0};
    if (numeric && n > 0) {
        /* rank r = ceil(p * n) for p = 1/4, 2/4, 3/4, in integers; each selection leaves the
         * larger values to its right, so the next one searches only there. */
        int64_t prev = 0;
        for (int q = 1; q <= 3; q++) {
            int64_t k = (q * n + 3) / 4 - 1;
            select_k(c.keys + prev, n - prev, k - prev);
            pk[q - 1] = c.keys[k];
            prev = k;
        }
    }
    for (int row = 0; row < D_ROWS; row++) {
        lp_strbuf_clear(&b);
        bool null = false;
        char buf[48];
        switch (row) {
        case D_COUNT: lp_strbuf_printf(&b, "%lld", (long long)n); break;
        case D_MEAN:
            if (!numeric || n == 0) null = true;
            else lp_strbuf_append(&b, buf, (size_t)lp_format_float64(sum / (double)n, buf));
            break;
        case D_STDDEV:
            if (!numeric || n < 2) null = true;
            else lp_strbuf_append(&b, buf, (size_t)lp_format_float64(sqrt(m2 / (double)(n - 1)), buf));
            break;
        case D_MIN:
        case D_MAX:
            if (n == 0 || c.kind == LP_LIST) {
                null = true;
            } else if (c.kind == LP_STRING) {
                lp_value v = row == D_MIN ? lp_column_get(in->parts[smin_p].cols[col], smin)
                                          : lp_column_get(in->parts[smax_p].cols[col], smax);
                lp_value_format(&v, &b);
            } else {
                format_key(&b, c.kind, row == D_MIN ? kmin : kmax);
            }
            break;
        default:
            if (!numeric || n == 0) null = true;
            else format_key(&b, c.kind, pk[row - D_P25]);
            break;
        }
        if (null) lp_colbuf_append_null(out);
        else lp_colbuf_append_str(out, b.p ? b.p : "", b.len);
    }
    if (b.nomem) st = lp_diag_nomem(d, "describe");
done:
    lp_strbuf_reset(&b);
    lp_free(c.parts);
    lp_free(c.offset);
    lp_free(c.keys);
    return st;
}

lp_status lp_describe(lp_table *in, const int *cols, int ncols, lp_table **out, lp_diag *d) {
    *out = NULL;
    int *pick = lp_malloc((size_t)(in->ncols + ncols + 1) * sizeof *pick);
    if (!pick) return lp_diag_nomem(d, "describe");
    int n = 0;
    if (ncols == 0) {
        for (int i = 0; i < in->ncols; i++) {
            lp_kind k = (lp_kind)in->types[i].kind;
            if (k == LP_INT64 || k == LP_FLOAT64 || k == LP_STRING) pick[n++] = i;
        }
    } else {
        for (int i = 0; i < ncols; i++) {
            if (cols[i] < 0 || cols[i] >= in->ncols) {
                lp_free(pick);
                return lp_diag_set(d, LP_ENAME, "describe: no column %d", cols[i]);
            }
            pick[n++] = cols[i];
        }
    }
    if (lp_cancelled()) {
        lp_free(pick);
        return lp_diag_set(d, LP_ECANCELLED, "describe: cancelled");
    }
    const char **names = lp_malloc((size_t)(n + 1) * sizeof *names);
    lp_type *types = lp_malloc((size_t)(n + 1) * sizeof *types);
    lp_column **outc = lp_calloc((size_t)n + 1, sizeof *outc);
    lp_table *t = NULL;
    lp_status st = LP_OK;
    if (!names || !types || !outc) { st = lp_diag_nomem(d, "describe"); goto done; }
    names[0] = "summary";
    for (int i = 0; i <= n; i++) types[i] = lp_type_of(LP_STRING);
    for (int i = 0; i < n; i++) names[i + 1] = in->names[pick[i]];
    lp_colbuf cb;
    lp_colbuf_init(&cb, lp_type_of(LP_STRING));
    for (int r = 0; r < D_ROWS; r++) lp_colbuf_append_str(&cb, D_NAMES[r], strlen(D_NAMES[r]));
    st = lp_colbuf_finish(&cb, &outc[0]);
    if (st != LP_OK) { st = lp_diag_nomem(d, "describe"); goto done; }
    for (int i = 0; i < n && st == LP_OK; i++) {
        lp_colbuf_init(&cb, lp_type_of(LP_STRING));
        st = describe_column(in, pick[i], &cb, d);
        if (st != LP_OK) {
            lp_colbuf_reset(&cb);
        } else if (lp_colbuf_finish(&cb, &outc[i + 1]) != LP_OK) {
            st = lp_diag_nomem(d, "describe");
        }
    }
    if (st != LP_OK) goto done;
    t = lp_table_new(n + 1, names, types);
    if (!t) { st = lp_diag_nomem(d, "describe"); goto done; }
    st = lp_table_add_part(t, D_ROWS, outc);
    for (int i = 0; i <= n; i++) outc[i] = NULL;  /* taken over, also on failure */
    if (st != LP_OK) {
        st = lp_diag_nomem(d, "describe");
        lp_table_unref(t);
        t = NULL;
    }
done:
    if (outc)
        for (int i = 0; i <= n; i++) lp_column_unref(outc[i]);
    lp_free(outc);
    lp_free(names);
    lp_free(types);
    lp_free(pick);
    if (st == LP_OK) *out = t;
    return st;
}
