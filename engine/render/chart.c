/* chart.c -- building a chart from a table: which columns, which points, which ranges; and the
 * axes' tick values and labels that every front end shares.
 *
 * A chart owns copies of everything it shows (names, points, edges), so it outlives the table.
 * Histograms are lp_histogram_compute's; scatter and line plots read their columns once into
 * doubles (dates as days, timestamps as microseconds), group rows by hue value (in Spark's
 * ascending order, nulls first), drop the points an axis cannot show, sort lines by x, and keep
 * an evenly spaced sample when there are more than max_points: point k*N/M for k < M, in series
 * order, so the same table always gives the same picture. Single-threaded; any thread.
 */
#include "chart.h"
#include "render.h"

#include "exec/expr.h"
#include "exec/ops.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* An interrupt is honoured every 64k rows of the loops here (plotting millions of points takes
 * seconds); the caller's error path frees what was built. */
#define CANCEL_EVERY 65536
static bool stop_at(int64_t r) { return (r % CANCEL_EVERY) == 0 && lp_cancelled(); }


void lp_chart_opts_init(lp_chart_opts *o) {
    memset(o, 0, sizeof *o);
    o->kind = LP_CHART_LINE;
    o->bins = 10;
    o->max_points = 10000;
}

void lp_chart_free(lp_chart *c) {
    if (!c) return;
    lp_free(c->title);
    lp_free(c->xlabel);
    lp_free(c->ylabel);
    if (c->series)
        for (int s = 0; s < c->nseries; s++) {
            lp_free(c->series[s].name);
            lp_free(c->series[s].x);
            lp_free(c->series[s].y);
        }
    lp_free(c->series);
    if (c->categories)
        for (int i = 0; i < c->ncategories; i++) lp_free(c->categories[i]);
    lp_free(c->categories);
    lp_free(c->edges);
    lp_free(c);
}

/* ---- columns ---- */

static bool is_number(lp_type t) { return lp_type_numeric(t); }
static bool is_axis(lp_type t) { return is_number(t) || t.kind == LP_DATE || t.kind == LP_TIMESTAMP; }

const char *lp_chart_kind_name(lp_chart_kind k) {
    switch (k) {
    case LP_CHART_HIST: return "hist";
    case LP_CHART_SCATTER: return "scatter";
    case LP_CHART_LINE: return "line";
    case LP_CHART_BAR: return "bar";
    }
    return "?";
}

bool lp_chart_kind_parse(const char *name, lp_chart_kind *out) {
    static const lp_chart_kind kinds[] = {LP_CHART_HIST, LP_CHART_SCATTER, LP_CHART_LINE, LP_CHART_BAR};
    for (size_t i = 0; i < LP_ARRAY_LEN(kinds); i++)
        if (strcmp(name, lp_chart_kind_name(kinds[i])) == 0) {
            *out = kinds[i];
            return true;
        }
    return false;
}

/* The index of column `name` in *idx, or LP_ENAME with the closest and the available names. */
static lp_status find_col(const lp_table *t, const char *name, int *idx, lp_diag *d) {
    *idx = lp_table_col_index(t, name);
    if (*idx >= 0) return LP_OK;
    lp_diag_set(d, LP_ENAME, "column '%s' does not exist", name);
    const char *best = lp_expr_closest(name, (const char *const *)t->names, t->ncols);
    lp_strbuf s;
    lp_strbuf_init(&s);
    if (best) lp_strbuf_printf(&s, "did you mean '%s'? ", best);
    lp_strbuf_puts(&s, "available columns: ");
    for (int i = 0; i < t->ncols && s.len < 400; i++) lp_strbuf_printf(&s, "%s%s", i ? ", " : "", t->names[i]);
    if (s.len >= 400) lp_strbuf_puts(&s, ", ...");
    if (s.p) lp_diag_hint(d, "%s", s.p);
    lp_strbuf_reset(&s);
    return LP_ENAME;
}

/* Column col of every partition as doubles (null -> NaN) in a new array of t->nrows. */
static double *col_doubles(const lp_table *t, int col) {
    double *v = lp_malloc((size_t)LP_MAX(t->nrows, (int64_t)1) * sizeof *v);
    if (!v) return NULL;
    int64_t r = 0;
    for (int p = 0; p < t->nparts; p++) {
        const lp_column *c = t->parts[p].cols[col];
        for (int64_t i = 0; i < t->parts[p].nrows; i++, r++) {
            if (!lp_col_valid(c, i)) {
                v[r] = NAN;
                continue;
            }
            switch ((lp_kind)c->type.kind) {
            case LP_INT64:
            case LP_TIMESTAMP: v[r] = (double)c->v.i[i]; break;
            case LP_FLOAT64: v[r] = c->v.f[i]; break;
            case LP_DATE: v[r] = (double)c->v.d[i]; break;
            case LP_BOOL: v[r] = c->v.b[i]; break;
            default: v[r] = NAN; break;
            }
        }
    }
    return v;
}

static lp_chart_axis axis_of(lp_type t) {
    return t.kind == LP_DATE ? LP_AXIS_DATE : t.kind == LP_TIMESTAMP ? LP_AXIS_TIMESTAMP : LP_AXIS_NUMERIC;
}

static lp_status y_type_error(const lp_table *t, int col, lp_diag *d) {
    lp_diag_set(d, LP_ETYPE, "cannot plot %s column '%s' as y; a numeric column is needed",
                lp_type_name(t->types[col]), t->names[col]);
    lp_diag_hint(d, "convert it with cast('double'), or pick a numeric column for y");
    return LP_ETYPE;
}

/* The y columns: the one named, or (without a name) every numeric column except `skip1` and
 * `skip2`, as pandas plots all of them. */
static lp_status y_columns(const lp_table *t, const lp_chart_opts *o, int skip1, int skip2, int *ys, int *ny,
                           lp_diag *d) {
    *ny = 0;
    if (o->y) {
        lp_status st = find_col(t, o->y, &ys[0], d);
        if (st != LP_OK) return st;
        if (!is_number(t->types[ys[0]])) return y_type_error(t, ys[0], d);
        *ny = 1;
        return LP_OK;
    }
    for (int c = 0; c < t->ncols; c++) {
        if (c == skip1 || c == skip2 || !is_number(t->types[c])) continue;
        if (*ny == LP_CHART_MAX_SERIES) {
            lp_diag_set(d, LP_ELIMIT, "more than %d numeric columns to plot", LP_CHART_MAX_SERIES);
            lp_diag_hint(d, "say which column to plot with y='...'");
            return LP_ELIMIT;
        }
        ys[(*ny)++] = c;
    }
    if (*ny == 0) {
        lp_diag_set(d, LP_ETYPE, "no numeric column to plot as y");
        lp_diag_hint(d, "a %s chart needs a numeric y column; convert one with cast('double')", lp_chart_kind_name(o->kind));
        return LP_ETYPE;
    }
    return LP_OK;
}

/* ---- hue groups ---- */

/* Whether rows x and y of c hold the same value (null equals null). */
static bool same_value(const lp_column *c, int64_t x, int64_t y) {
    bool vx = lp_col_valid(c, x), vy = lp_col_valid(c, y);
    return vx == vy && (!vx || lp_value_cmp_rows(c, x, c, y) == 0);
}

/* Orders representative rows by value, nulls first (Spark's ascending order): arg = column. */
static int cmp_rep(const void *a, const void *b, void *arg) {
    const lp_column *c = arg;
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    bool nx = !lp_col_valid(c, x), ny = !lp_col_valid(c, y);
    if (nx || ny) return (int)ny - (int)nx;
    return lp_value_cmp_rows(c, x, c, y);
}

/* One series per distinct value of column hcol, in ascending order: sid[r] is row r's series,
 * (*names)[s] the value as text. LP_ELIMIT past LP_CHART_MAX_SERIES values. There are so few
 * values that each row is matched against the ones seen so far (the last match first). */
static lp_status hue_groups(const lp_table *t, int hcol, int *sid, int *nseries, char ***names, lp_diag *d) {
    *nseries = 0;
    *names = NULL;
    lp_column *c = lp_table_column(t, hcol);
    char **nm = lp_calloc(LP_CHART_MAX_SERIES, sizeof *nm);
    lp_status st = LP_OK;
    if (!c || !nm) {
        st = lp_diag_nomem(d, "plot");
        goto done;
    }
    int64_t rep[LP_CHART_MAX_SERIES];
    int nd = 0, last = -1;
    for (int64_t r = 0; r < t->nrows; r++) {
        if (stop_at(r)) {
            st = lp_diag_set(d, LP_ECANCELLED, "the plot was cancelled");
            goto done;
        }
        int s = last >= 0 && same_value(c, rep[last], r) ? last : -1;
        for (int k = 0; k < nd && s < 0; k++)
            if (same_value(c, rep[k], r)) s = k;
        if (s < 0) {
            if (nd == LP_CHART_MAX_SERIES) {
                lp_diag_set(d, LP_ELIMIT, "more than %d values in hue column '%s'", LP_CHART_MAX_SERIES,
                            t->names[hcol]);
                lp_diag_hint(d, "a chart with more series cannot be read: filter the rows or pick a column "
                                "with fewer values");
                st = LP_ELIMIT;
                goto done;
            }
            rep[nd] = r;
            s = nd++;
        }
        sid[r] = last = s;
    }
    /* Renumber the series in value order. */
    int64_t sorted[LP_CHART_MAX_SERIES];
    int rank[LP_CHART_MAX_SERIES];
    memcpy(sorted, rep, (size_t)nd * sizeof *rep);
    qsort_r(sorted, (size_t)nd, sizeof *sorted, cmp_rep, c);
    for (int i = 0; i < nd; i++)
        for (int k = 0; k < nd; k++)
            if (rep[k] == sorted[i]) rank[k] = i;
    for (int64_t r = 0; r < t->nrows; r++) sid[r] = rank[sid[r]];
    for (int i = 0; i < nd; i++) {
        lp_value v = lp_column_get(c, sorted[i]);
        lp_strbuf b;
        lp_strbuf_init(&b);
        lp_value_format(&v, &b);
        if (!(nm[i] = lp_strbuf_take(&b))) {
            st = lp_diag_nomem(d, "plot");
            goto done;
        }
    }
    *nseries = nd;
done:
    if (st != LP_OK && nm) {
        for (int i = 0; i < LP_CHART_MAX_SERIES; i++) lp_free(nm[i]);
        lp_free(nm);
        nm = NULL;
    }
    *names = nm;
    lp_column_unref(c);
    return st;
}

/* ---- ranges ---- */

/* Makes [lo, hi] a usable axis range: a default without data, a unit around a single value. */
static void widen(double *lo, double *hi, bool log, lp_chart_axis axis) {
    if (!(*lo <= *hi)) {
        *lo = log ? 1 : 0;
        *hi = log ? 10 : 1;
        if (axis == LP_AXIS_TIMESTAMP && !log) *hi = 86400e6;
        return;
    }
    if (*lo < *hi) return;
    double v = *lo;
    if (log) {
        *lo = v / sqrt(10.0);
        *hi = v * sqrt(10.0);
    } else if (axis == LP_AXIS_DATE) {
        *lo = v - 1;
        *hi = v + 1;
    } else if (axis == LP_AXIS_TIMESTAMP) {
        *lo = v - 1e6;
        *hi = v + 1e6;
    } else {
        *lo = v - 0.5;
        *hi = v + 0.5;
    }
}

/* The y range of bars and histograms: from 0 on a linear axis; positive values on a log one. */
static void bar_range(const lp_chart *c, double *lo, double *hi) {
    double a = INFINITY, b = -INFINITY;
    for (int s = 0; s < c->nseries; s++)
        for (int64_t i = 0; i < c->series[s].n; i++) {
            double v = c->series[s].y[i];
            if (isnan(v) || (c->logy && v <= 0)) continue;
            a = LP_MIN(a, v);
            b = LP_MAX(b, v);
        }
    if (!c->logy && a <= b) {
        a = LP_MIN(a, 0.0);
        b = LP_MAX(b, 0.0);
    }
    /* on a log axis bars grow from the power of ten below the smallest, so the smallest bar
     * still shows */
    if (c->logy && a <= b && a > 0) a = pow(10, floor(log10(a)) - (log10(a) == floor(log10(a)) ? 1 : 0));
    *lo = a;
    *hi = b;
    widen(lo, hi, c->logy, LP_AXIS_NUMERIC);
    if (!c->logy && *lo == 0 && *hi == 0) *hi = 1;
}

/* ---- hist ---- */

static lp_status build_hist(lp_table *t, const lp_chart_opts *o, lp_chart *c, lp_diag *d) {
    int col = -1, hcol = -1;
    lp_status st;
    const char *name = o->x ? o->x : o->y;
    if (name) {
        if ((st = find_col(t, name, &col, d)) != LP_OK) return st;
    } else {
        int n = 0;
        for (int i = 0; i < t->ncols; i++)
            if (is_axis(t->types[i]) && n++ == 0) col = i;
        if (n != 1) {
            lp_diag_set(d, LP_EVALUE, "which column? a histogram shows one column");
            lp_strbuf s;
            lp_strbuf_init(&s);
            lp_strbuf_puts(&s, n ? "name it with x='...'; numeric columns: " : "this DataFrame has no numeric column");
            for (int i = 0, k = 0; i < t->ncols && s.len < 400; i++)
                if (is_axis(t->types[i])) lp_strbuf_printf(&s, "%s%s", k++ ? ", " : "", t->names[i]);
            if (s.p) lp_diag_hint(d, "%s", s.p);
            lp_strbuf_reset(&s);
            return LP_EVALUE;
        }
    }
    if (!is_axis(t->types[col])) {
        lp_diag_set(d, LP_ETYPE, "cannot plot a histogram of %s column '%s'; a numeric, date or timestamp column is needed",
                    lp_type_name(t->types[col]), t->names[col]);
        lp_diag_hint(d, "for counts of each value use groupBy('%s').count() and a bar chart", t->names[col]);
        return LP_ETYPE;
    }
    if (o->hue && (st = find_col(t, o->hue, &hcol, d)) != LP_OK) return st;
    if (o->bins < 1) return lp_diag_set(d, LP_EVALUE, "bins must be at least 1, not %d", o->bins);
    lp_hist_opts ho;
    lp_hist_opts_init(&ho);
    ho.bins = o->bins;
    ho.log = o->logx;
    ho.normalize = o->norm_hist;
    ho.group_col = hcol;
    lp_histogram *h;
    if ((st = lp_histogram_compute(t, col, &ho, &h, d)) != LP_OK) return st;
    c->xaxis = axis_of(t->types[col]);
    c->normalized = o->norm_hist;
    c->nbins = h->nbins;
    c->nulls = h->nulls;
    c->nonpositive = h->skipped;
    c->edges = h->edges;
    h->edges = NULL;
    c->series = lp_calloc((size_t)h->nseries + 1, sizeof *c->series);
    c->xlabel = lp_strdup(t->names[col]);
    c->ylabel = lp_strdup(o->norm_hist ? "Fraction" : "Frequency");
    if (!c->series || !c->xlabel || !c->ylabel) goto nomem;
    c->nseries = h->nseries;
    for (int s = 0; s < h->nseries; s++) {
        lp_chart_series *cs = &c->series[s];
        cs->name = hcol >= 0 ? h->series[s] : lp_strdup(t->names[col]);
        if (hcol >= 0) h->series[s] = NULL;
        cs->x = lp_malloc((size_t)h->nbins * sizeof(double));
        cs->y = lp_malloc((size_t)h->nbins * sizeof(double));
        if (!cs->name || !cs->x || !cs->y) goto nomem;
        cs->n = h->nbins;
        for (int b = 0; b < h->nbins; b++) {
            double e0 = c->edges[b], e1 = c->edges[b + 1];
            cs->x[b] = o->logx ? sqrt(e0 * e1) : (e0 + e1) / 2;
            cs->y[b] = h->counts[(size_t)s * (size_t)h->nbins + (size_t)b];
        }
    }
    lp_histogram_free(h);
    c->xlo = c->edges[0];
    c->xhi = c->edges[c->nbins];
    bar_range(c, &c->ylo, &c->yhi);
    return LP_OK;
nomem:
    lp_histogram_free(h);
    return lp_diag_nomem(d, "plot");
}

/* ---- scatter and line ---- */

/* Sampling `keep` of `total` points evenly: the j-th kept point is floor(j * total / keep). */
static int64_t sample_at(int64_t j, int64_t total, int64_t keep) {
    return keep ? (int64_t)((__int128)j * total / keep) : 0;
}

/* How many kept points come before point x: the j with j * total / keep < x, ceil(x * keep / total). */
static int64_t kept_before(int64_t x, int64_t total, int64_t keep) {
    if (keep >= total) return x;
    return (int64_t)(((__int128)x * keep + total - 1) / total);
}

typedef struct pt {
    double x, y;
    int64_t row;
} pt;

static int cmp_pt(const void *a, const void *b) {
    const pt *p = a, *q = b;
    if (p->x != q->x) return p->x < q->x ? -1 : 1;
    return p->row < q->row ? -1 : p->row > q->row;
}

/* Sorts p[0..n) by cmp_pt as qsort would, but in chunks and merge passes that each check for an
 * interrupt, so that a line plot of millions of points stays interruptible. tmp holds n points.
 * false when cancelled. (cmp_pt is a total order, so the result does not depend on chunking.) */
static bool sort_points(pt *p, pt *tmp, int64_t n) {
    for (int64_t i = 0; i < n; i += CANCEL_EVERY) {
        if (lp_cancelled()) return false;
        qsort(p + i, (size_t)LP_MIN(CANCEL_EVERY, n - i), sizeof *p, cmp_pt);
    }
    pt *src = p, *dst = tmp;
    for (int64_t w = CANCEL_EVERY; w < n; w *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * w) {
            if (lp_cancelled()) return false;
            int64_t mid = LP_MIN(lo + w, n), hi = LP_MIN(lo + 2 * w, n), a = lo, b = mid, k = lo;
            while (a < mid && b < hi) dst[k++] = cmp_pt(&src[b], &src[a]) < 0 ? src[b++] : src[a++];
            while (a < mid) dst[k++] = src[a++];
            while (b < hi) dst[k++] = src[b++];
        }
        pt *x = src;
        src = dst;
        dst = x;
    }
    if (src != p) memcpy(p, src, (size_t)n * sizeof *p);
    return true;
}

static lp_status build_xy(lp_table *t, const lp_chart_opts *o, lp_chart *c, lp_diag *d) {
    const char *what = o->kind == LP_CHART_SCATTER ? "a scatter plot" : "a line plot";
    if (o->kind == LP_CHART_SCATTER && (!o->x || !o->y)) {
        lp_diag_set(d, LP_EVALUE, "a scatter plot needs both x and y");
        lp_diag_hint(d, "plot(kind='scatter', x='...', y='...')");
        return LP_EVALUE;
    }
    lp_status st;
    int xcol = -1, hcol = -1, ys[LP_CHART_MAX_SERIES], ny = 0;
    if (o->x) {
        if ((st = find_col(t, o->x, &xcol, d)) != LP_OK) return st;
        if (!is_axis(t->types[xcol])) {
            lp_diag_set(d, LP_ETYPE, "cannot plot %s column '%s' as x of %s; a numeric, date or timestamp column is needed",
                        lp_type_name(t->types[xcol]), t->names[xcol], what);
            lp_diag_hint(d, "for one bar per category use kind='bar'");
            return LP_ETYPE;
        }
    }
    if (o->hue && (st = find_col(t, o->hue, &hcol, d)) != LP_OK) return st;
    if ((st = y_columns(t, o, xcol, hcol, ys, &ny, d)) != LP_OK) return st;
    if (hcol >= 0 && ny > 1) {
        lp_diag_set(d, LP_EVALUE, "with hue, say which column is y");
        lp_diag_hint(d, "plot(x='...', y='...', hue='%s')", t->names[hcol]);
        return LP_EVALUE;
    }
    c->xaxis = xcol >= 0 ? axis_of(t->types[xcol]) : LP_AXIS_NUMERIC;
    if (xcol >= 0 && !(c->xlabel = lp_strdup(t->names[xcol]))) return lp_diag_nomem(d, "plot");
    if ((ny == 1 || o->kind == LP_CHART_SCATTER) && !(c->ylabel = lp_strdup(t->names[ys[0]])))
        return lp_diag_nomem(d, "plot");

    int64_t n = t->nrows;
    double *xs = NULL, *yv[LP_CHART_MAX_SERIES] = {0};
    int *sid = NULL;
    char **hnames = NULL;
    pt **pts = NULL;
    int64_t *npts = NULL;
    int nseries = ny;
    st = LP_OK;
    if (hcol >= 0) {
        if (!(sid = lp_malloc((size_t)LP_MAX(n, (int64_t)1) * sizeof *sid))) goto nomem;
        if ((st = hue_groups(t, hcol, sid, &nseries, &hnames, d)) != LP_OK) goto done;
    }
    if (xcol >= 0 && !(xs = col_doubles(t, xcol))) goto nomem;
    for (int k = 0; k < ny; k++)
        if (!(yv[k] = col_doubles(t, ys[k]))) goto nomem;
    pts = lp_calloc((size_t)nseries + 1, sizeof *pts);
    npts = lp_calloc((size_t)nseries + 1, sizeof *npts);
    c->series = lp_calloc((size_t)nseries + 1, sizeof *c->series);
    if (!pts || !npts || !c->series) goto nomem;
    c->nseries = nseries;
    /* Count each series' rows, then collect the points that can be drawn. */
    for (int64_t r = 0; r < n; r++)
        for (int k = 0; k < ny; k++) npts[hcol >= 0 ? sid[r] : k]++;
    if (lp_cancelled()) goto cancelled;
    for (int s = 0; s < nseries; s++) {
        if (!(pts[s] = lp_malloc((size_t)(npts[s] + 1) * sizeof(pt)))) goto nomem;
        npts[s] = 0;
    }
    for (int64_t r = 0; r < n; r++) {
        if (stop_at(r)) goto cancelled;
        for (int k = 0; k < ny; k++) {
            int s = hcol >= 0 ? sid[r] : k;
            double x = xs ? xs[r] : (double)r, y = yv[k][r];
            if (isnan(x) || isnan(y)) {
                c->nulls++;
                continue;
            }
            if ((o->logx && x <= 0) || (o->logy && y <= 0)) {
                c->nonpositive++;
                continue;
            }
            pts[s][npts[s]++] = (pt){x, y, r};
        }
    }
    int64_t total = 0;
    for (int s = 0; s < nseries; s++) {
        if (o->kind == LP_CHART_LINE && npts[s] > 1) {
            pt *tmp = lp_malloc((size_t)npts[s] * sizeof *tmp);
            if (!tmp) goto nomem;
            bool done = sort_points(pts[s], tmp, npts[s]);
            lp_free(tmp);
            if (!done) goto cancelled;
        }
        total += npts[s];
    }
    c->points = total;
    int64_t keep = o->max_points > 0 && total > o->max_points ? o->max_points : total;
    c->sampled = keep < total;
    /* Point g (counting through the series in order) is kept when g == floor(j * total / keep)
     * for some j < keep. */
    int64_t g = 0;
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (int s = 0; s < nseries; s++) {
        lp_chart_series *cs = &c->series[s];
        int64_t j = kept_before(g, total, keep), m = kept_before(g + npts[s], total, keep) - j;
        cs->x = lp_malloc((size_t)(m + 1) * sizeof(double));
        cs->y = lp_malloc((size_t)(m + 1) * sizeof(double));
        cs->name = hcol >= 0 ? hnames[s] : lp_strdup(t->names[ys[s]]);
        if (hcol >= 0) hnames[s] = NULL;
        if (!cs->x || !cs->y || !cs->name) goto nomem;
        for (int64_t i = 0; i < npts[s]; i++, g++) {
            if (j >= keep || g != sample_at(j, total, keep)) continue;
            j++;
            const pt *p = &pts[s][i];
            cs->x[cs->n] = p->x;
            cs->y[cs->n] = p->y;
            cs->n++;
            xlo = LP_MIN(xlo, p->x);
            xhi = LP_MAX(xhi, p->x);
            ylo = LP_MIN(ylo, p->y);
            yhi = LP_MAX(yhi, p->y);
        }
        assert(cs->n == m);
    }
    widen(&xlo, &xhi, o->logx, c->xaxis);
    widen(&ylo, &yhi, o->logy, LP_AXIS_NUMERIC);
    c->xlo = xlo;
    c->xhi = xhi;
    c->ylo = ylo;
    c->yhi = yhi;
    goto done;
cancelled:
    st = lp_diag_set(d, LP_ECANCELLED, "the plot was cancelled");
    goto done;
nomem:
    st = lp_diag_nomem(d, "plot");
done:
    if (hnames)
        for (int s = 0; s < nseries; s++) lp_free(hnames[s]);
    lp_free(hnames);
    if (pts)
        for (int s = 0; s < nseries; s++) lp_free(pts[s]);
    lp_free(pts);
    lp_free(npts);
    lp_free(sid);
    lp_free(xs);
    for (int k = 0; k < ny; k++) lp_free(yv[k]);
    return st;
}

/* ---- bar ---- */

static lp_status build_bar(lp_table *t, const lp_chart_opts *o, lp_chart *c, lp_diag *d) {
    if (o->hue) {
        lp_diag_set(d, LP_EUNSUPPORTED, "hue is not supported for bar charts");
        lp_diag_hint(d, "a bar chart draws one bar per row: pivot the groups into columns first, "
                        "groupBy(x).pivot('%s').agg(...), and plot them without hue", o->hue);
        return LP_EUNSUPPORTED;
    }
    lp_status st;
    int xcol = -1, ys[LP_CHART_MAX_SERIES], ny = 0;
    if (o->x && (st = find_col(t, o->x, &xcol, d)) != LP_OK) return st;
    if ((st = y_columns(t, o, xcol, -1, ys, &ny, d)) != LP_OK) return st;
    if (t->nrows > LP_CHART_MAX_BARS) {
        lp_strbuf s;
        lp_strbuf_init(&s);
        lp_diag_set(d, LP_ELIMIT, "a bar chart draws one bar per row, and this DataFrame has %lld rows (at most %d)",
                    (long long)t->nrows, LP_CHART_MAX_BARS);
        lp_diag_hint(d, "aggregate first, e.g. df.groupBy('%s').count(), or keep the first rows with limit(%d)",
                     xcol >= 0 ? t->names[xcol] : "...", LP_CHART_MAX_BARS);
        return LP_ELIMIT;
    }
    int n = (int)t->nrows;
    c->xaxis = LP_AXIS_CATEGORY;
    c->categories = lp_calloc((size_t)n + 1, sizeof *c->categories);
    c->series = lp_calloc((size_t)ny, sizeof *c->series);
    if (!c->categories || !c->series) return lp_diag_nomem(d, "plot");
    c->ncategories = n;
    c->nseries = ny;
    if (xcol >= 0 && !(c->xlabel = lp_strdup(t->names[xcol]))) return lp_diag_nomem(d, "plot");
    if (ny == 1 && !(c->ylabel = lp_strdup(t->names[ys[0]]))) return lp_diag_nomem(d, "plot");
    int64_t r = 0;
    for (int p = 0; p < t->nparts; p++)
        for (int64_t i = 0; i < t->parts[p].nrows; i++, r++) {
            lp_strbuf b;
            lp_strbuf_init(&b);
            if (xcol >= 0) {
                lp_value v = lp_column_get(t->parts[p].cols[xcol], i);
                lp_value_format(&v, &b);
            } else {
                lp_strbuf_printf(&b, "%lld", (long long)r);
            }
            if (!(c->categories[r] = lp_strbuf_take(&b))) return lp_diag_nomem(d, "plot");
        }
    for (int k = 0; k < ny; k++) {
        lp_chart_series *cs = &c->series[k];
        cs->name = lp_strdup(t->names[ys[k]]);
        cs->x = lp_malloc((size_t)(n + 1) * sizeof(double));
        if (!cs->name || !cs->x || !(cs->y = col_doubles(t, ys[k]))) return lp_diag_nomem(d, "plot");
        cs->n = n;
        for (int i = 0; i < n; i++) {
            cs->x[i] = i;
            if (isnan(cs->y[i])) {
                c->nulls++;
            } else if (o->logy && cs->y[i] <= 0) {
                c->nonpositive++;
                cs->y[i] = NAN;
            }
        }
    }
    c->xlo = -0.5;
    c->xhi = LP_MAX(n, 1) - 0.5;
    bar_range(c, &c->ylo, &c->yhi);
    return LP_OK;
}

lp_status lp_chart_build(lp_table *t, const lp_chart_opts *o, lp_chart **out, lp_diag *d) {
    *out = NULL;
    lp_chart *c = lp_calloc(1, sizeof *c);
    if (!c) return lp_diag_nomem(d, "plot");
    c->kind = o->kind;
    c->logx = o->logx && o->kind != LP_CHART_BAR;
    c->logy = o->logy;
    c->rows = t->nrows;
    lp_progress_stage("plot");
    lp_status st = LP_OK;
    if (o->title && !(c->title = lp_strdup(o->title))) {
        st = lp_diag_nomem(d, "plot");
    } else {
        switch (o->kind) {
        case LP_CHART_HIST: st = build_hist(t, o, c, d); break;
        case LP_CHART_SCATTER:
        case LP_CHART_LINE: st = build_xy(t, o, c, d); break;
        case LP_CHART_BAR: st = build_bar(t, o, c, d); break;
        default: st = lp_diag_set(d, LP_EVALUE, "unknown chart kind %d", (int)o->kind); break;
        }
    }
    if (st != LP_OK) {
        lp_chart_free(c);
        return st;
    }
    *out = c;
    return LP_OK;
}

/* ---- ticks ---- */

static double pow10i(int k) { return k < 0 ? 1 / pow(10.0, -k) : pow(10.0, k); }

/* The smallest 1, 2 or 5 x 10^k at least raw, as m * 10^e. */
static void nice_step(double raw, int *m, int *e) {
    int k = (int)floor(log10(raw));
    double f = raw / pow(10.0, k);
    if (f <= 1 + 1e-9) *m = 1;
    else if (f <= 2 + 1e-9) *m = 2;
    else if (f <= 5 + 1e-9) *m = 5;
    else {
        *m = 1;
        k++;
    }
    *e = k;
}

/* i * m * 10^e, computed so that decimal steps come out as the nearest double (0.3, not
 * 0.30000000000000004). */
static double scaled(int64_t i, int m, int e) {
    double v = e < 0 ? (double)(i * m) / pow(10.0, -e) : (double)(i * m) * pow(10.0, e);
    return v == 0 ? 0 : v;
}

static int linear_ticks(double lo, double hi, double *ticks, int max) {
    if (lo == hi || max < 2) {
        ticks[0] = lo;
        return 1;
    }
    if (!isfinite(hi - lo)) { /* a range wider than a double holds: just its ends */
        ticks[0] = lo;
        ticks[1] = hi;
        return 2;
    }
    /* From a step that gives about twice too many ticks upwards (1, 2, 5, 10, ...), the first
     * whose multiples inside [lo, hi] are at most max: as many ticks as fit. */
    int m, e;
    nice_step((hi - lo) / (2.0 * max), &m, &e);
    for (;;) {
        double step = m * pow10i(e);
        /* Tick indexes stay far below 2^53: a range is at least an ulp of its ends. */
        double a = ceil(lo / step - 1e-9), b = floor(hi / step + 1e-9);
        if (step > 0 && fabs(a) < 1e15 && fabs(b) < 1e15 && b - a + 1 <= max) {
            int n = 0;
            for (int64_t i = (int64_t)a; i <= (int64_t)b; i++) ticks[n++] = scaled(i, m, e);
            return n;
        }
        if (m == 1) m = 2;
        else if (m == 2) m = 5;
        else {
            m = 1;
            e++;
        }
    }
}


int lp_chart_ticks(double lo, double hi, bool log, double *ticks, int max) {
    if (max < 1 || !isfinite(lo) || !isfinite(hi)) return 0;
    if (lo > hi) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    if (log && lo > 0) {
        int a = (int)ceil(log10(lo) - 1e-9), b = (int)floor(log10(hi) + 1e-9);
        int ndec = b - a + 1;
        if (ndec >= 3 || (ndec == 2 && max < 4)) {
            int every = (ndec + max - 1) / max;
            int n = 0;
            for (int k = a; k <= b && n < max; k += every) ticks[n++] = pow10i(k);
            return n;
        }
        /* Under about two decades: 1, 2 and 5 times the powers of ten. */
        double cand[64];
        int n = 0;
        static const int mult[] = {1, 2, 5};
        for (int k = (int)floor(log10(lo)) - 1; k <= b + 1; k++)
            for (int i = 0; i < 3; i++) {
                double v = mult[i] * pow10i(k);
                if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) && n < 64) cand[n++] = v;
            }
        if (n >= 2 && n <= max) {
            memcpy(ticks, cand, (size_t)n * sizeof *ticks);
            return n;
        }
    }
    return linear_ticks(lo, hi, ticks, max);
}

#define DAY_US 86400e6

/* Calendar ticks on days: days, weeks (Mondays), months (the first), years (January 1st). */
static int date_ticks(double lo, double hi, double *ticks, int max) {
    static const int day_steps[] = {1, 2, 7, 14};
    for (size_t k = 0; k < LP_ARRAY_LEN(day_steps); k++) {
        int st = day_steps[k];
        double off = st >= 7 ? 4 : 0; /* 1970-01-05 was a Monday */
        double a = ceil((lo - off) / st - 1e-9), b = floor((hi - off) / st + 1e-9);
        if (b - a + 1 <= max) {
            int n = 0;
            for (double i = a; i <= b; i++) ticks[n++] = i * st + off;
            return n;
        }
    }
    int64_t y0, y1;
    unsigned m0, m1, dd;
    lp_civil_from_days((int64_t)floor(lo), &y0, &m0, &dd);
    lp_civil_from_days((int64_t)floor(hi), &y1, &m1, &dd);
    int64_t lo_m = y0 * 12 + (m0 - 1), hi_m = y1 * 12 + (m1 - 1);
    static const int month_steps[] = {1, 2, 3, 6};
    for (size_t k = 0; k < LP_ARRAY_LEN(month_steps); k++) {
        int st = month_steps[k];
        int n = 0;
        bool fits = true;
        for (int64_t mi = lo_m - lo_m % st; mi <= hi_m; mi += st) {
            double v = lp_days_from_civil(mi / 12, (unsigned)(mi % 12) + 1, 1);
            if (v < lo || v > hi) continue;
            if (n == max) {
                fits = false;
                break;
            }
            ticks[n++] = v;
        }
        if (fits) return n;
    }
    for (int64_t st = 1;; st *= 10) {
        static const int mult[] = {1, 2, 5};
        for (int i = 0; i < 3; i++) {
            int64_t ys = st * mult[i];
            int n = 0;
            bool fits = true;
            for (int64_t y = (y0 / ys) * ys; y <= y1; y += ys) {
                double v = lp_days_from_civil(y, 1, 1);
                if (v < lo || v > hi) continue;
                if (n == max) {
                    fits = false;
                    break;
                }
                ticks[n++] = v;
            }
            if (fits) return n;
        }
    }
}

int lp_chart_axis_ticks(lp_chart_axis axis, double lo, double hi, bool log, double *ticks, int max) {
    if (max < 1 || !isfinite(lo) || !isfinite(hi)) return 0;
    if (lo > hi) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    if (axis == LP_AXIS_DATE && !log && hi - lo >= 1) return date_ticks(lo, hi, ticks, max);
    if (axis == LP_AXIS_TIMESTAMP && !log && hi - lo >= 1e6) {
        if (hi - lo >= 2 * DAY_US) {
            int n = date_ticks(lo / DAY_US, hi / DAY_US, ticks, max);
            for (int i = 0; i < n; i++) ticks[i] *= DAY_US;
            return n;
        }
        static const double steps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
        for (size_t k = 0; k < LP_ARRAY_LEN(steps); k++) {
            double st = steps[k] * 1e6;
            double a = ceil(lo / st - 1e-9), b = floor(hi / st + 1e-9);
            if (b - a + 1 <= max) {
                int n = 0;
                for (double i = a; i <= b; i++) ticks[n++] = i * st;
                return n;
            }
        }
    }
    return lp_chart_ticks(lo, hi, log, ticks, max);
}

/* A number with `dec` decimals, no "-0". */
static int fixed(double v, int dec, char *buf) {
    int n = snprintf(buf, 40, "%.*f", dec, v);
    if (strspn(buf, "-0.") == (size_t)n && buf[0] == '-') {
        memmove(buf, buf + 1, (size_t)n);
        n--;
    }
    return n;
}

int lp_chart_tick_label(lp_chart_axis axis, bool log, double v, double step, char *buf) {
    step = fabs(step);
    if (!isfinite(v)) return snprintf(buf, 40, "%s", isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
    if (axis == LP_AXIS_DATE || (axis == LP_AXIS_TIMESTAMP && step >= DAY_US)) {
        double days = axis == LP_AXIS_DATE ? v : floor(v / DAY_US);
        double sd = axis == LP_AXIS_DATE ? step : step / DAY_US;
        int n = lp_format_date((int32_t)floor(days), buf);
        if (sd >= 365 && n >= 10) n -= 6;      /* 2013 */
        else if (sd >= 28 && n >= 10) n -= 3;  /* 2013-06 */
        buf[n] = 0;
        return n;
    }
    if (axis == LP_AXIS_TIMESTAMP && step >= 1e6) {
        char tmp[48];
        lp_format_timestamp((int64_t)v, tmp);  /* 2013-06-02 12:34:56[.ffffff] */
        double in_day = fmod(v, DAY_US);
        if (in_day < 0) in_day += DAY_US;
        if (in_day == 0) return snprintf(buf, 40, "%.10s", tmp);
        return snprintf(buf, 40, "%.*s", step < 60e6 ? 8 : 5, tmp + 11);
    }
    double a = fabs(v);
    /* A log axis over a short range gets linear ticks (lp_chart_ticks): a nice step with v a
     * multiple of it. Those are labelled as linear ones. */
    if (log && step > 0) {
        int m, e;
        nice_step(step, &m, &e);
        double q = v / step;
        if (fabs(m * pow10i(e) - step) <= 1e-9 * step && fabs(q - round(q)) < 1e-6) log = false;
    }
    if (log && a > 0) {
        if (a >= 1e-4 && a < 1e6) {
            int dec = a >= 1 ? 0 : (int)ceil(-log10(a) - 1e-9);
            return fixed(v, dec, buf);
        }
        int ex = (int)floor(log10(a) + 1e-9);
        double mant = a / pow10i(ex);
        if (fabs(mant - 1) < 1e-9) return snprintf(buf, 40, "%s1e%d", v < 0 ? "-" : "", ex);
        return snprintf(buf, 40, "%.0fe%d", v / pow10i(ex), ex);
    }
    if (step == 0) step = a > 0 ? a : 1;
    /* Large steps with a suffix, chosen by the step so that one axis uses one suffix. */
    double scale = step >= 1e11 ? 1e12 : step >= 1e8 ? 1e9 : step >= 1e5 ? 1e6 : step >= 1e4 ? 1e3 : 0;
    if (scale > 0) {
        const char *suffix = scale == 1e12 ? "T" : scale == 1e9 ? "G" : scale == 1e6 ? "M" : "k";
        double s = step / scale;
        int dec = s >= 1 - 1e-9 ? 0 : (int)ceil(-log10(s) - 1e-9);
        int n = fixed(v / scale, dec, buf);
        if (v == 0) return fixed(0, 0, buf);
        return n + snprintf(buf + n, 40 - (size_t)n, "%s", suffix);
    }
    if (step < 1e-4) return snprintf(buf, 40, "%.3g", v == 0 ? 0.0 : v);
    int dec = step >= 1 - 1e-9 ? 0 : (int)ceil(-log10(step) - 1e-9);
    return fixed(v, dec, buf);
}

int lp_chart_y_ticks(const lp_chart *c, double *ticks, int max) {
    int n = lp_chart_ticks(c->ylo, c->yhi, c->logy, ticks, max);
    if (c->kind == LP_CHART_HIST && !c->normalized && !c->logy) {
        /* counts are whole numbers: no tick at 0.5 */
        int k = 0;
        for (int i = 0; i < n; i++)
            if (ticks[i] == floor(ticks[i])) ticks[k++] = ticks[i];
        n = k;
    }
    return n;
}

int lp_chart_note_parts(const lp_chart *c, lp_strbuf parts[3]) {
    int n = 0;
    if (c->nulls > 0) {
        lp_strbuf_init(&parts[n]);
        lp_render_count(&parts[n], c->nulls);
        lp_strbuf_puts(&parts[n], c->nulls == 1 ? " null value left out" : " null values left out");
        n++;
    }
    if (c->nonpositive > 0) {
        lp_strbuf_init(&parts[n]);
        lp_render_count(&parts[n], c->nonpositive);
        lp_strbuf_puts(&parts[n], c->nonpositive == 1 ? " value" : " values");
        lp_strbuf_puts(&parts[n], " \xE2\x89\xA4 0 left out on a log axis");
        n++;
    }
    if (c->sampled) {
        int64_t shown = 0;
        for (int s = 0; s < c->nseries; s++) shown += c->series[s].n;
        lp_strbuf_init(&parts[n]);
        lp_strbuf_puts(&parts[n], "showing ");
        lp_render_count(&parts[n], shown);
        lp_strbuf_puts(&parts[n], " of ");
        lp_render_count(&parts[n], c->points);
        lp_strbuf_puts(&parts[n], " points, evenly spaced");
        n++;
    }
    return n;
}
