/* agg_fn.c -- the aggregate functions: the types they take, their per-group states, and the
 * three steps every state goes through: update from rows, merge two partial states, finish into
 * an output value.
 *
 * States are arrays indexed by group id (agg_int.h), zero = empty. Each step switches on the
 * specialised op once, outside its loop, so the row loops are plain array code. Semantics follow
 * Spark 3 (non-ANSI): int64 sums wrap; mean and variance accumulate as double; variance is
 * Welford's within a unit and Chan's formula across units; the sample versions are null below
 * two values; min/max order NaN above every number; first/last follow input order.
 *
 * Holistic aggregates (count distinct, median, percentile, percentile_approx, collect_list)
 * keep only a count as partial state. agg.c then scatters their values into one array segmented
 * by output group (input order within a segment), and lp_agg_hold_finish sorts each segment as
 * needed. Any thread: the functions only touch the arrays they are given.
 */
#include "agg_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- planning ---- */

static const char *fn_name(lp_aggfn fn) {
    switch (fn) {
    case LP_AGG_COUNT_STAR: case LP_AGG_COUNT: return "count";
    case LP_AGG_COUNT_DISTINCT: return "count_distinct";
    case LP_AGG_SUM: return "sum";
    case LP_AGG_MEAN: return "mean";
    case LP_AGG_MIN: return "min";
    case LP_AGG_MAX: return "max";
    case LP_AGG_STDDEV_SAMP: return "stddev_samp";
    case LP_AGG_STDDEV_POP: return "stddev_pop";
    case LP_AGG_VAR_SAMP: return "var_samp";
    case LP_AGG_VAR_POP: return "var_pop";
    case LP_AGG_FIRST: return "first";
    case LP_AGG_LAST: return "last";
    case LP_AGG_MEDIAN: return "median";
    case LP_AGG_PERCENTILE: return "percentile";
    case LP_AGG_PERCENTILE_APPROX: return "percentile_approx";
    case LP_AGG_COLLECT_LIST: return "collect_list";
    }
    return "aggregate";
}

/* What the function takes, for the error's hint. */
static const char *fn_takes(lp_aggfn fn) {
    switch (fn) {
    case LP_AGG_PERCENTILE_APPROX: return "bigint, double, date or timestamp columns";
    case LP_AGG_COLLECT_LIST: return "bigint, double, string or vector columns";
    default: return "bigint or double columns";
    }
}

lp_type lp_agg_result_type(lp_aggfn fn, lp_type t) {
    lp_type none = lp_type_of(LP_NULLTYPE);
    bool num = lp_type_numeric(t);
    switch (fn) {
    case LP_AGG_COUNT_STAR: case LP_AGG_COUNT: case LP_AGG_COUNT_DISTINCT: return lp_type_of(LP_INT64);
    case LP_AGG_SUM: return num ? t : none;
    case LP_AGG_MEAN: case LP_AGG_STDDEV_SAMP: case LP_AGG_STDDEV_POP: case LP_AGG_VAR_SAMP:
    case LP_AGG_VAR_POP: case LP_AGG_MEDIAN: case LP_AGG_PERCENTILE:
        return num ? lp_type_of(LP_FLOAT64) : none;
    case LP_AGG_MIN: case LP_AGG_MAX: case LP_AGG_FIRST: case LP_AGG_LAST:
        return t.kind == LP_NULLTYPE || t.kind >= LP_KIND_COUNT ? none : t;
    case LP_AGG_PERCENTILE_APPROX:
        return num || t.kind == LP_DATE || t.kind == LP_TIMESTAMP ? t : none;
    case LP_AGG_COLLECT_LIST:
        return num || t.kind == LP_STRING || t.kind == LP_VECTOR ? lp_type_list((lp_kind)t.kind) : none;
    }
    return none;
}

/* Whether a value of kind k is held as an int64 (bool, int64, date, timestamp). */
static bool int_like(lp_kind k) { return k == LP_BOOL || k == LP_INT64 || k == LP_DATE || k == LP_TIMESTAMP; }

lp_status lp_agg_plan(const lp_table *in, const lp_aggspec *s, lp_aggplan *pl, lp_diag *d) {
    memset(pl, 0, sizeof *pl);
    pl->fn = s->fn;
    pl->col = s->fn == LP_AGG_COUNT_STAR ? -1 : s->col;
    pl->ignore_nulls = s->ignore_nulls;
    pl->p = s->fn == LP_AGG_MEDIAN ? 0.5 : s->p;
    if (s->fn == LP_AGG_COUNT_STAR) {
        pl->op = LP_AGGOP_COUNT_STAR;
        pl->out = lp_type_of(LP_INT64);
        return LP_OK;
    }
    if ((unsigned)s->fn > LP_AGG_COLLECT_LIST)
        return lp_diag_set(d, LP_EVALUE, "unknown aggregate function %d", (int)s->fn);
    if (s->col < 0 || s->col >= in->ncols)
        return lp_diag_set(d, LP_EVALUE, "%s(): column index %d is out of range (the table has %d columns)",
                           fn_name(s->fn), s->col, in->ncols);
    if ((s->fn == LP_AGG_PERCENTILE || s->fn == LP_AGG_PERCENTILE_APPROX) && !(s->p >= 0 && s->p <= 1))
        return lp_diag_set(d, LP_EVALUE, "%s(): the percentage must be between 0.0 and 1.0, not %g",
                           fn_name(s->fn), s->p);
    lp_type t = in->types[s->col];
    pl->in = t;
    pl->out = lp_agg_result_type(s->fn, t);
    if (pl->out.kind == LP_NULLTYPE) {
        lp_diag_set(d, LP_ETYPE, "%s() does not apply to column `%s` of type %s", fn_name(s->fn),
                    in->names[s->col], lp_type_name(t));
        lp_diag_hint(d, "%s() takes %s", fn_name(s->fn), fn_takes(s->fn));
        return LP_ETYPE;
    }
    lp_kind k = (lp_kind)t.kind;
    bool f = k == LP_FLOAT64;
    switch (s->fn) {
    case LP_AGG_COUNT: pl->op = LP_AGGOP_COUNT; break;
    case LP_AGG_SUM: pl->op = f ? LP_AGGOP_SUM_F : LP_AGGOP_SUM_I; break;
    case LP_AGG_MEAN: pl->op = f ? LP_AGGOP_MEAN_F : LP_AGGOP_MEAN_I; break;
    case LP_AGG_MIN: pl->op = f ? LP_AGGOP_MIN_F : int_like(k) ? LP_AGGOP_MIN_I : LP_AGGOP_MIN_REF; break;
    case LP_AGG_MAX: pl->op = f ? LP_AGGOP_MAX_F : int_like(k) ? LP_AGGOP_MAX_I : LP_AGGOP_MAX_REF; break;
    case LP_AGG_STDDEV_SAMP: case LP_AGG_STDDEV_POP: case LP_AGG_VAR_SAMP: case LP_AGG_VAR_POP:
        pl->op = f ? LP_AGGOP_VAR_F : LP_AGGOP_VAR_I;
        break;
    case LP_AGG_FIRST: pl->op = LP_AGGOP_FIRST; break;
    case LP_AGG_LAST: pl->op = LP_AGGOP_LAST; break;
    case LP_AGG_MEDIAN: case LP_AGG_PERCENTILE:
        pl->op = LP_AGGOP_HOLD;
        pl->vk = LP_AGGVK_F; /* Spark computes these on doubles */
        break;
    case LP_AGG_COUNT_DISTINCT: case LP_AGG_PERCENTILE_APPROX: case LP_AGG_COLLECT_LIST:
        pl->op = LP_AGGOP_HOLD;
        pl->vk = f ? LP_AGGVK_F : int_like(k) ? LP_AGGVK_I : LP_AGGVK_REF;
        break;
    default: break;
    }
    return LP_OK;
}

void lp_agg_default_name(const lp_table *in, const lp_aggplan *pl, char *buf, size_t n) {
    const char *c = pl->col >= 0 ? in->names[pl->col] : "";
    switch (pl->fn) {
    case LP_AGG_COUNT_STAR: snprintf(buf, n, "count(1)"); break;
    case LP_AGG_COUNT_DISTINCT: snprintf(buf, n, "count(DISTINCT %s)", c); break;
    case LP_AGG_MEAN: snprintf(buf, n, "avg(%s)", c); break;
    case LP_AGG_PERCENTILE: snprintf(buf, n, "percentile(%s, %g)", c, pl->p); break;
    case LP_AGG_PERCENTILE_APPROX: snprintf(buf, n, "percentile_approx(%s, %g, 10000)", c, pl->p); break;
    default: snprintf(buf, n, "%s(%s)", fn_name(pl->fn), c); break;
    }
}

/* ---- states ---- */

bool lp_agg_state_alloc(const lp_aggplan *pl, int64_t ng, lp_aggstate *st) {
    memset(st, 0, sizeof *st);
    size_t n = (size_t)(ng ? ng : 1);
    bool need_n = pl->op != LP_AGGOP_MIN_REF && pl->op != LP_AGGOP_MAX_REF && pl->op != LP_AGGOP_FIRST &&
                  pl->op != LP_AGGOP_LAST;
    bool need_a = pl->op != LP_AGGOP_COUNT_STAR && pl->op != LP_AGGOP_COUNT && pl->op != LP_AGGOP_HOLD;
    bool need_m2 = pl->op == LP_AGGOP_VAR_I || pl->op == LP_AGGOP_VAR_F;
    if (need_n && !(st->n = lp_calloc(n, sizeof *st->n))) return false;
    if (need_a && !(st->a = lp_calloc(n, 8))) return false;
    if (need_m2 && !(st->m2 = lp_calloc(n, sizeof *st->m2))) return false;
    return true;
}

/* Grows one array from oldn to newn elements of 8 bytes, zeroing the new part. */
static bool grow8(void **p, int64_t oldn, int64_t newn) {
    if (!*p) return true;
    char *q = lp_realloc(*p, (size_t)newn * 8);
    if (!q) return false;
    memset(q + (size_t)oldn * 8, 0, (size_t)(newn - oldn) * 8);
    *p = q;
    return true;
}

bool lp_agg_state_grow(const lp_aggplan *pl, lp_aggstate *st, int64_t oldn, int64_t newn) {
    if (oldn == 0) return lp_agg_state_alloc(pl, newn, st);
    void *n = st->n, *a = st->a, *m2 = st->m2;
    bool ok = grow8(&n, oldn, newn);
    st->n = n;
    ok = ok && grow8(&a, oldn, newn);
    st->a = a;
    ok = ok && grow8(&m2, oldn, newn);
    st->m2 = m2;
    return ok;
}

void lp_agg_state_free(lp_aggstate *st) {
    lp_free(st->n);
    lp_free(st->a);
    lp_free(st->m2);
    memset(st, 0, sizeof *st);
}

void lp_agg_view(const lp_column *c, int64_t r0, int64_t n, lp_column *out) {
    memcpy(out, c, sizeof *out);
    out->len = n;
    if (c->valid) out->valid = c->valid + (r0 >> 3);
    switch ((lp_kind)c->type.kind) {
    case LP_BOOL: out->v.b = c->v.b + r0; break;
    case LP_DATE: out->v.d = c->v.d + r0; break;
    case LP_INT64: case LP_TIMESTAMP: out->v.i = c->v.i + r0; break;
    case LP_FLOAT64: out->v.f = c->v.f + r0; break;
    case LP_STRING: case LP_LIST: out->v.off = c->v.off + r0; break;
    case LP_VECTOR: out->v.off = c->v.off + r0; out->vsize = c->vsize + r0; break;
    default: break;
    }
}

/* ---- update ---- */

/* Runs BODY for each non-null row r of column C (rows [0, n)), with g its group. */
#define ROWS(C, ...)                                                       \
    do {                                                                    \
        if (!(C)->valid) {                                                  \
            for (int64_t r = 0; r < n; r++) {                               \
                uint32_t g = gid[r];                                        \
                __VA_ARGS__;                                                \
            }                                                               \
        } else {                                                            \
            for (int64_t r = 0; r < n; r++) {                               \
                if (!lp_col_valid((C), r)) continue;                        \
                uint32_t g = gid[r];                                        \
                __VA_ARGS__;                                                \
            }                                                               \
        }                                                                   \
    } while (0)

/* The same for the int-like layouts: X is the row's value as int64. */
#define ROWS_INT(C, ...)                                                                       \
    do {                                                                                        \
        switch ((lp_kind)(C)->type.kind) {                                                      \
        case LP_BOOL: { const uint8_t *src_ = (C)->v.b; ROWS(C, int64_t X = src_[r]; __VA_ARGS__); break; } \
        case LP_DATE: { const int32_t *src_ = (C)->v.d; ROWS(C, int64_t X = src_[r]; __VA_ARGS__); break; } \
        default: { const int64_t *src_ = (C)->v.i; ROWS(C, int64_t X = src_[r]; __VA_ARGS__); break; }  \
        }                                                                                       \
    } while (0)

/* Orders two rows of a string or list column (same column): <0, 0, >0. */
static inline int cmp_rows_same(const lp_column *c, int64_t a, int64_t b) {
    if (c->type.kind == LP_STRING) {
        int64_t na, nb;
        const char *sa = lp_col_str(c, a, &na), *sb = lp_col_str(c, b, &nb);
        int r = memcmp(sa, sb, (size_t)(na < nb ? na : nb));
        return r ? r : (na > nb) - (na < nb);
    }
    return lp_value_cmp_rows(c, a, c, b);
}

void lp_agg_update(const lp_aggplan *pl, lp_aggstate *st, const lp_column *c, int64_t n, const uint32_t *gid,
                   int part, int64_t r0) {
    int64_t *cnt = st->n;
    switch (pl->op) {
    case LP_AGGOP_COUNT_STAR:
        for (int64_t r = 0; r < n; r++) cnt[gid[r]]++;
        return;
    case LP_AGGOP_COUNT: case LP_AGGOP_HOLD:
        ROWS(c, cnt[g]++);
        return;
    case LP_AGGOP_SUM_I: {
        uint64_t *a = st->a;
        const int64_t *v = c->v.i;
        ROWS(c, a[g] += (uint64_t)v[r]; cnt[g]++);
        return;
    }
    case LP_AGGOP_SUM_F: case LP_AGGOP_MEAN_F: {
        double *a = st->a;
        const double *v = c->v.f;
        ROWS(c, a[g] += v[r]; cnt[g]++);
        return;
    }
    case LP_AGGOP_MEAN_I: {
        double *a = st->a;
        const int64_t *v = c->v.i;
        ROWS(c, a[g] += (double)v[r]; cnt[g]++);
        return;
    }
    case LP_AGGOP_MIN_I: {
        int64_t *a = st->a;
        ROWS_INT(c, if (!cnt[g] || X < a[g]) a[g] = X; cnt[g]++);
        return;
    }
    case LP_AGGOP_MAX_I: {
        int64_t *a = st->a;
        ROWS_INT(c, if (!cnt[g] || X > a[g]) a[g] = X; cnt[g]++);
        return;
    }
    case LP_AGGOP_MIN_F: {
        double *a = st->a;
        const double *v = c->v.f;
        /* NaN is the largest: it is the minimum only when every value is NaN */
        ROWS(c, double x = v[r]; if (!cnt[g] || x < a[g] || (isnan(a[g]) && !isnan(x))) a[g] = x; cnt[g]++);
        return;
    }
    case LP_AGGOP_MAX_F: {
        double *a = st->a;
        const double *v = c->v.f;
        ROWS(c, double x = v[r]; if (!cnt[g] || x > a[g] || isnan(x)) a[g] = x; cnt[g]++);
        return;
    }
    case LP_AGGOP_MIN_REF: case LP_AGGOP_MAX_REF: {
        uint64_t *a = st->a;
        int sign = pl->op == LP_AGGOP_MIN_REF ? -1 : 1;
        ROWS(c, {
            uint64_t cur = a[g];
            if (!cur || sign * cmp_rows_same(c, r, lp_agg_ref_row(cur) - r0) > 0) a[g] = lp_agg_ref(part, r0 + r);
        });
        return;
    }
    case LP_AGGOP_VAR_I: case LP_AGGOP_VAR_F: {
        double *mean = st->a, *m2 = st->m2;
        if (pl->op == LP_AGGOP_VAR_I) {
            const int64_t *v = c->v.i;
            ROWS(c, double x = (double)v[r]; double k = (double)++cnt[g]; double dx = x - mean[g];
                 mean[g] += dx / k; m2[g] += dx * (x - mean[g]));
        } else {
            const double *v = c->v.f;
            ROWS(c, double x = v[r]; double k = (double)++cnt[g]; double dx = x - mean[g];
                 mean[g] += dx / k; m2[g] += dx * (x - mean[g]));
        }
        return;
    }
    case LP_AGGOP_FIRST: {
        uint64_t *a = st->a;
        if (pl->ignore_nulls) {
            ROWS(c, if (!a[g]) a[g] = lp_agg_ref(part, r0 + r));
        } else {
            for (int64_t r = 0; r < n; r++)
                if (!a[gid[r]]) a[gid[r]] = lp_agg_ref(part, r0 + r);
        }
        return;
    }
    case LP_AGGOP_LAST: {
        uint64_t *a = st->a;
        if (pl->ignore_nulls) {
            ROWS(c, a[g] = lp_agg_ref(part, r0 + r));
        } else {
            for (int64_t r = 0; r < n; r++) a[gid[r]] = lp_agg_ref(part, r0 + r);
        }
        return;
    }
    }
}

/* ---- merge ---- */

/* Orders the values at two row references of column col (non-null, any partitions). */
static int cmp_refs(const lp_table *in, int col, uint64_t a, uint64_t b) {
    const lp_column *ca = in->parts[lp_agg_ref_part(a)].cols[col], *cb = in->parts[lp_agg_ref_part(b)].cols[col];
    return lp_value_cmp_rows(ca, lp_agg_ref_row(a), cb, lp_agg_ref_row(b));
}

void lp_agg_merge(const lp_aggplan *pl, const lp_table *in, lp_aggstate *dst, const lp_aggstate *src,
                  const uint32_t *groups, int64_t ng, const int64_t *lmap) {
    int64_t *dn = dst->n;
    const int64_t *sn = src->n;
#define EACH(...)                            \
    for (int64_t i = 0; i < ng; i++) {        \
        uint32_t g = groups[i];               \
        int64_t m = lmap[g];                  \
        __VA_ARGS__;                          \
    }
    switch (pl->op) {
    case LP_AGGOP_COUNT_STAR: case LP_AGGOP_COUNT: case LP_AGGOP_HOLD:
        EACH(dn[m] += sn[g]);
        return;
    case LP_AGGOP_SUM_I: {
        uint64_t *da = dst->a;
        const uint64_t *sa = src->a;
        EACH(da[m] += sa[g]; dn[m] += sn[g]);
        return;
    }
    case LP_AGGOP_SUM_F: case LP_AGGOP_MEAN_F: case LP_AGGOP_MEAN_I: {
        double *da = dst->a;
        const double *sa = src->a;
        EACH(da[m] += sa[g]; dn[m] += sn[g]);
        return;
    }
    case LP_AGGOP_MIN_I: case LP_AGGOP_MAX_I: {
        int64_t *da = dst->a;
        const int64_t *sa = src->a;
        bool mn = pl->op == LP_AGGOP_MIN_I;
        EACH(if (sn[g] && (!dn[m] || (mn ? sa[g] < da[m] : sa[g] > da[m]))) da[m] = sa[g]; dn[m] += sn[g]);
        return;
    }
    case LP_AGGOP_MIN_F: {
        double *da = dst->a;
        const double *sa = src->a;
        EACH(double x = sa[g]; if (sn[g] && (!dn[m] || x < da[m] || (isnan(da[m]) && !isnan(x)))) da[m] = x;
             dn[m] += sn[g]);
        return;
    }
    case LP_AGGOP_MAX_F: {
        double *da = dst->a;
        const double *sa = src->a;
        EACH(double x = sa[g]; if (sn[g] && (!dn[m] || x > da[m] || isnan(x))) da[m] = x; dn[m] += sn[g]);
        return;
    }
    case LP_AGGOP_MIN_REF: case LP_AGGOP_MAX_REF: {
        uint64_t *da = dst->a;
        const uint64_t *sa = src->a;
        int sign = pl->op == LP_AGGOP_MIN_REF ? -1 : 1;
        EACH(if (sa[g] && (!da[m] || sign * cmp_refs(in, pl->col, sa[g], da[m]) > 0)) da[m] = sa[g]);
        return;
    }
    case LP_AGGOP_VAR_I: case LP_AGGOP_VAR_F: {
        /* Chan, Golub and LeVeque's pairwise combination */
        double *dm = dst->a, *d2 = dst->m2;
        const double *sm = src->a, *s2 = src->m2;
        EACH({
            if (!sn[g]) continue;
            if (!dn[m]) {
                dn[m] = sn[g];
                dm[m] = sm[g];
                d2[m] = s2[g];
                continue;
            }
            double na = (double)dn[m], nb = (double)sn[g], nt = na + nb, delta = sm[g] - dm[m];
            dm[m] += delta * (nb / nt);
            d2[m] += s2[g] + delta * delta * (na * nb / nt);
            dn[m] += sn[g];
        });
        return;
    }
    case LP_AGGOP_FIRST: {
        uint64_t *da = dst->a;
        const uint64_t *sa = src->a;
        EACH(if (!da[m]) da[m] = sa[g]);
        return;
    }
    case LP_AGGOP_LAST: {
        uint64_t *da = dst->a;
        const uint64_t *sa = src->a;
        EACH(if (sa[g]) da[m] = sa[g]);
        return;
    }
    }
#undef EACH
}

/* ---- finish ---- */

/* Appends an int-held value as the output kind. */
static inline void append_int_as(lp_colbuf *b, lp_kind k, int64_t v) {
    switch (k) {
    case LP_BOOL: lp_colbuf_append_bool(b, v != 0); break;
    case LP_DATE: lp_colbuf_append_date(b, (int32_t)v); break;
    default: lp_colbuf_append_i64(b, v); break;
    }
}

void lp_agg_finish(const lp_aggplan *pl, const lp_table *in, lp_aggstate *const *bst, const int32_t *ob,
                   const int64_t *om, int64_t n, lp_colbuf *out) {
    lp_colbuf_reserve(out, n, 0);
#define EACH(...)                                  \
    for (int64_t k = 0; k < n; k++) {               \
        const lp_aggstate *s = bst[ob[k]];          \
        int64_t m = om[k];                          \
        __VA_ARGS__;                                \
    }
    switch (pl->op) {
    case LP_AGGOP_COUNT_STAR: case LP_AGGOP_COUNT: case LP_AGGOP_HOLD:
        EACH(lp_colbuf_append_i64(out, s->n[m]));
        return;
    case LP_AGGOP_SUM_I:
        EACH(if (s->n[m]) lp_colbuf_append_i64(out, ((const int64_t *)s->a)[m]); else lp_colbuf_append_null(out));
        return;
    case LP_AGGOP_SUM_F:
        EACH(if (s->n[m]) lp_colbuf_append_f64(out, ((const double *)s->a)[m]); else lp_colbuf_append_null(out));
        return;
    case LP_AGGOP_MEAN_I: case LP_AGGOP_MEAN_F:
        EACH(if (s->n[m]) lp_colbuf_append_f64(out, ((const double *)s->a)[m] / (double)s->n[m]);
             else lp_colbuf_append_null(out));
        return;
    case LP_AGGOP_MIN_I: case LP_AGGOP_MAX_I: {
        lp_kind kind = (lp_kind)pl->out.kind;
        EACH(if (s->n[m]) append_int_as(out, kind, ((const int64_t *)s->a)[m]); else lp_colbuf_append_null(out));
        return;
    }
    case LP_AGGOP_MIN_F: case LP_AGGOP_MAX_F:
        EACH(if (s->n[m]) lp_colbuf_append_f64(out, ((const double *)s->a)[m]); else lp_colbuf_append_null(out));
        return;
    case LP_AGGOP_VAR_I: case LP_AGGOP_VAR_F: {
        bool samp = pl->fn == LP_AGG_VAR_SAMP || pl->fn == LP_AGG_STDDEV_SAMP;
        bool root = pl->fn == LP_AGG_STDDEV_SAMP || pl->fn == LP_AGG_STDDEV_POP;
        EACH({
            int64_t cnt = s->n[m];
            if (cnt < (samp ? 2 : 1)) {
                lp_colbuf_append_null(out);
                continue;
            }
            double v = s->m2[m] / (double)(samp ? cnt - 1 : cnt);
            if (v < 0) v = 0; /* rounding can leave -0.0 or a hair below */
            lp_colbuf_append_f64(out, root ? sqrt(v) : v);
        });
        return;
    }
    case LP_AGGOP_MIN_REF: case LP_AGGOP_MAX_REF: case LP_AGGOP_FIRST: case LP_AGGOP_LAST: {
        /* gather in blocks through a small stack buffer: no allocation */
        uint64_t refs[512];
        for (int64_t k0 = 0; k0 < n; k0 += 512) {
            int64_t k1 = LP_MIN(n, k0 + 512);
            for (int64_t k = k0; k < k1; k++) refs[k - k0] = ((const uint64_t *)bst[ob[k]]->a)[om[k]];
            lp_agg_gather(out, in, pl->col, refs, k1 - k0);
        }
        return;
    }
    }
#undef EACH
}

/* ---- holistic aggregates ---- */

void lp_agg_hold_scatter(const lp_aggplan *pl, const lp_column *c, int64_t n, const uint32_t *gid,
                         const int64_t *lmap, int64_t *cursor, lp_aggval *vals, int part, int64_t r0) {
    switch (pl->vk) {
    case LP_AGGVK_I:
        ROWS_INT(c, vals[cursor[lmap[g]]++].i = X);
        return;
    case LP_AGGVK_F:
        if (c->type.kind == LP_FLOAT64) {
            const double *v = c->v.f;
            ROWS(c, vals[cursor[lmap[g]]++].f = v[r]);
        } else {
            ROWS_INT(c, vals[cursor[lmap[g]]++].f = (double)X);
        }
        return;
    case LP_AGGVK_REF:
        ROWS(c, vals[cursor[lmap[g]]++].ref = lp_agg_ref(part, r0 + r));
        return;
    }
}

/* In-place quicksort (median of three, Hoare partition, insertion sort below 16), recursing on
 * the smaller side so the stack stays logarithmic. */
#define DEFINE_SORT(NAME, T, LESS)                                                    \
    static void NAME(T *a, int64_t n) {                                               \
        while (n > 16) {                                                              \
            int64_t mid = n / 2;                                                      \
            T t_;                                                                     \
            if (LESS(a[mid], a[0])) { t_ = a[mid]; a[mid] = a[0]; a[0] = t_; }        \
            if (LESS(a[n - 1], a[mid])) {                                             \
                t_ = a[n - 1]; a[n - 1] = a[mid]; a[mid] = t_;                        \
                if (LESS(a[mid], a[0])) { t_ = a[mid]; a[mid] = a[0]; a[0] = t_; }    \
            }                                                                         \
            T piv = a[mid];                                                           \
            int64_t i = -1, j = n;                                                    \
            for (;;) {                                                                \
                do i++; while (LESS(a[i], piv));                                      \
                do j--; while (LESS(piv, a[j]));                                      \
                if (i >= j) break;                                                    \
                t_ = a[i]; a[i] = a[j]; a[j] = t_;                                    \
            }                                                                         \
            int64_t left = j + 1;                                                     \
            if (left < n - left) {                                                    \
                NAME(a, left);                                                        \
                a += left;                                                            \
                n -= left;                                                            \
            } else {                                                                  \
                NAME(a + left, n - left);                                             \
                n = left;                                                             \
            }                                                                         \
        }                                                                             \
        for (int64_t i = 1; i < n; i++) {                                             \
            T v_ = a[i];                                                              \
            int64_t j = i;                                                            \
            while (j > 0 && LESS(v_, a[j - 1])) { a[j] = a[j - 1]; j--; }             \
            a[j] = v_;                                                                \
        }                                                                             \
    }

#define LESS_I(x, y) ((x).i < (y).i)
#define LESS_F(x, y) ((x).f < (y).f)
DEFINE_SORT(sort_i, lp_aggval, LESS_I)
DEFINE_SORT(sort_f_nonan, lp_aggval, LESS_F)

/* Sorts doubles with NaN after every number, as Spark orders them. Returns the count of
 * non-NaN values (they come first). */
static int64_t sort_f(lp_aggval *a, int64_t n) {
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++)
        if (!isnan(a[i].f)) {
            lp_aggval t = a[k];
            a[k++] = a[i];
            a[i] = t;
        }
    sort_f_nonan(a, k);
    return k;
}

typedef struct refcmp_ctx {
    const lp_table *in;
    int col;
} refcmp_ctx;

static int refcmp(const void *x, const void *y, void *arg) {
    const refcmp_ctx *c = arg;
    return cmp_refs(c->in, c->col, ((const lp_aggval *)x)->ref, ((const lp_aggval *)y)->ref);
}

/* Number of distinct values in a segment (sorted here). */
static int64_t count_distinct(const lp_aggplan *pl, const lp_table *in, lp_aggval *v, int64_t n) {
    if (n == 0) return 0;
    int64_t d = 1;
    switch (pl->vk) {
    case LP_AGGVK_I:
        sort_i(v, n);
        for (int64_t i = 1; i < n; i++) d += v[i].i != v[i - 1].i;
        return d;
    case LP_AGGVK_F: {
        int64_t k = sort_f(v, n);
        for (int64_t i = 1; i < k; i++) d += v[i].f != v[i - 1].f; /* -0.0 == 0.0, as keys.c */
        if (k == 0) return 1;  /* all NaN */
        return d + (k < n);    /* NaNs are one value */
    }
    case LP_AGGVK_REF: {
        refcmp_ctx c = {in, pl->col};
        qsort_r(v, (size_t)n, sizeof *v, refcmp, &c);
        for (int64_t i = 1; i < n; i++) d += refcmp(&v[i], &v[i - 1], &c) != 0;
        return d;
    }
    }
    return d;
}

/* Spark's percentile(): linear interpolation between the closest ranks of the sorted values. */
static double percentile_exact(const lp_aggval *v, int64_t n, double p) {
    double pos = p * (double)(n - 1);
    int64_t lo = (int64_t)floor(pos), hi = (int64_t)ceil(pos);
    if (hi >= n) hi = n - 1;
    if (lo == hi) return v[lo].f;
    return (hi - pos) * v[lo].f + (pos - lo) * v[hi].f;
}

/* Index of the smallest value with at least p * n values at or below it: rank ceil(p * n),
 * computed exactly (fma) so that 0.7 * 10 is rank 7, not 8. */
static int64_t approx_index(int64_t n, double p) {
    double want = p * (double)n;
    double rank = ceil(want);
    if (rank >= 1 && fma(p, (double)n, -(rank - 1)) <= 0) rank -= 1;
    int64_t i = (int64_t)rank - 1;
    return i < 0 ? 0 : i >= n ? n - 1 : i;
}

void lp_agg_hold_finish(const lp_aggplan *pl, const lp_table *in, const int64_t *off, lp_aggval *vals,
                        int64_t k0, int64_t k1, lp_colbuf *out) {
    lp_colbuf_reserve(out, k1 - k0, 0);
    for (int64_t k = k0; k < k1; k++) {
        lp_aggval *v = vals + off[k];
        int64_t n = off[k + 1] - off[k];
        switch (pl->fn) {
        case LP_AGG_COUNT_DISTINCT: lp_colbuf_append_i64(out, count_distinct(pl, in, v, n)); break;
        case LP_AGG_MEDIAN: case LP_AGG_PERCENTILE:
            if (!n) {
                lp_colbuf_append_null(out);
                break;
            }
            sort_f(v, n);
            lp_colbuf_append_f64(out, percentile_exact(v, n, pl->p));
            break;
        case LP_AGG_PERCENTILE_APPROX:
            if (!n) {
                lp_colbuf_append_null(out);
                break;
            }
            if (pl->vk == LP_AGGVK_F) {
                sort_f(v, n);
                lp_colbuf_append_f64(out, v[approx_index(n, pl->p)].f);
            } else {
                sort_i(v, n);
                append_int_as(out, (lp_kind)pl->out.kind, v[approx_index(n, pl->p)].i);
            }
            break;
        case LP_AGG_COLLECT_LIST: {
            lp_colbuf *ch = lp_colbuf_list_child(out);
            if (pl->vk == LP_AGGVK_REF && pl->in.kind == LP_VECTOR) { /* Summarizer's input */
                lp_colbuf_reserve(ch, n, 0);
                for (int64_t i = 0; i < n; i++) {
                    lp_value x = lp_column_get(in->parts[lp_agg_ref_part(v[i].ref)].cols[pl->col], lp_agg_ref_row(v[i].ref));
                    lp_colbuf_append_value(ch, &x);
                }
            } else if (pl->vk == LP_AGGVK_REF) {
                size_t bytes = 0;
                for (int64_t i = 0; i < n; i++) {
                    const lp_column *c = in->parts[lp_agg_ref_part(v[i].ref)].cols[pl->col];
                    int64_t r = lp_agg_ref_row(v[i].ref);
                    bytes += (size_t)(c->v.off[r + 1] - c->v.off[r]);
                }
                lp_colbuf_reserve(ch, n, bytes);
                for (int64_t i = 0; i < n; i++) {
                    const lp_column *c = in->parts[lp_agg_ref_part(v[i].ref)].cols[pl->col];
                    int64_t len;
                    const char *s = lp_col_str(c, lp_agg_ref_row(v[i].ref), &len);
                    lp_colbuf_append_str(ch, s, (size_t)len);
                }
            } else if (pl->vk == LP_AGGVK_F) {
                lp_colbuf_reserve(ch, n, 0);
                for (int64_t i = 0; i < n; i++) lp_colbuf_append_f64(ch, v[i].f);
            } else {
                lp_colbuf_reserve(ch, n, 0);
                for (int64_t i = 0; i < n; i++) lp_colbuf_append_i64(ch, v[i].i);
            }
            lp_colbuf_list_end(out);
            break;
        }
        default: lp_colbuf_append_null(out); break;
        }
    }
}

/* ---- gathering rows ---- */

void lp_agg_gather(lp_colbuf *b, const lp_table *in, int col, const uint64_t *refs, int64_t n) {
    lp_kind kind = (lp_kind)in->types[col].kind;
#define GATHER(...)                                                             \
    for (int64_t k = 0; k < n; k++) {                                              \
        uint64_t ref = refs[k];                                                    \
        const lp_column *c = ref ? in->parts[lp_agg_ref_part(ref)].cols[col] : NULL; \
        int64_t r = ref ? lp_agg_ref_row(ref) : 0;                                 \
        if (!c || !lp_col_valid(c, r)) lp_colbuf_append_null(b);                   \
        else { __VA_ARGS__; }                                                      \
    }
    switch (kind) {
    case LP_BOOL: lp_colbuf_reserve(b, n, 0); GATHER(lp_colbuf_append_bool(b, c->v.b[r])); return;
    case LP_DATE: lp_colbuf_reserve(b, n, 0); GATHER(lp_colbuf_append_date(b, c->v.d[r])); return;
    case LP_INT64: case LP_TIMESTAMP: lp_colbuf_reserve(b, n, 0); GATHER(lp_colbuf_append_i64(b, c->v.i[r])); return;
    case LP_FLOAT64: lp_colbuf_reserve(b, n, 0); GATHER(lp_colbuf_append_f64(b, c->v.f[r])); return;
    case LP_STRING: {
        size_t bytes = 0;
        for (int64_t k = 0; k < n; k++) {
            if (!refs[k]) continue;
            const lp_column *c = in->parts[lp_agg_ref_part(refs[k])].cols[col];
            int64_t r = lp_agg_ref_row(refs[k]);
            bytes += (size_t)(c->v.off[r + 1] - c->v.off[r]);
        }
        lp_colbuf_reserve(b, n, bytes);
        GATHER(lp_colbuf_append_str(b, c->data + c->v.off[r], (size_t)(c->v.off[r + 1] - c->v.off[r])));
        return;
    }
    default: {
        GATHER({
            lp_value v = lp_column_get(c, r);
            lp_colbuf_append_value(b, &v);
        });
        return;
    }
    }
#undef GATHER
}
