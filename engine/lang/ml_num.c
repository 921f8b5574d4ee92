/* ml_num.c -- MLlib's numeric stages: VectorAssembler, Bucketizer, StandardScaler, MinMaxScaler,
 * KMeans (with KMeansModel and KMeansSummary), over the kernels of exec/kmeans.h.
 *
 * Each class is a descriptor for the framework in lang/ml.h. Transforms are lazy: every output
 * column is an external expression function (an `nx`, below) holding its own copy of what it
 * needs (centres, means, splits), so a later setX() or a new fit never changes a DataFrame
 * already built, and the functions fuse into the plan's projections and run over partitions in
 * parallel. Fits are eager, as Spark's: they run the plan, then the kernels, in parallel.
 *
 * Where Spark has no counterpart: KMeansModel's distanceCol (the Euclidean distance from each
 * row to its cluster centre, the outlier score issue 8 asks for) is a param like LSH's distCol,
 * unset by default so that transform's output is Spark's; initMode also accepts "k-means++".
 */
#include "lang/ml.h"
#include "exec/expr.h"
#include "exec/kmeans.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lp_status nomem(loupe_session *s) { return lp_diag_nomem(s->d, "ml"); }

enum { HI_ERROR, HI_SKIP, HI_KEEP };

static int invalid_mode(const char *s) {
    return s && strcmp(s, "skip") == 0 ? HI_SKIP : s && strcmp(s, "keep") == 0 ? HI_KEEP : HI_ERROR;
}

/* ---- external functions with their own state ---------------------------------------------- */

typedef enum nx_kind { NX_ASSEMBLE, NX_PREDICT, NX_DIST, NX_STDSCALE, NX_MINMAX, NX_BUCKET, NX_SUMMARY } nx_kind;

/* One output column's function: a reference-counted heap object whose first member is the
 * lp_xfn the expression nodes point to. Immutable after creation (read by pool threads). */
typedef struct nx {
    lp_xfn fn;
    atomic_int refs;
    nx_kind kind;
    int mode;          /* handleInvalid */
    int dim, k;        /* vector size; centres */
    double *a, *b;     /* centres | mean, 1/std | originalMin, scale | splits */
    int na;            /* splits */
    bool with_mean, with_std;
    double lo, hi;     /* MinMaxScaler's min, max */
    char **names;      /* VectorAssembler: the input columns' names, for messages */
    int nnames;
    int nmet, met[16]; /* Summarizer: metric ids (summ_metrics); a struct of them when as_struct */
    bool as_struct;
} nx;

/* Summarizer's metrics, in Spark's names; count is a bigint, the rest vectors. */
static const struct { const char *name; int stat; } summ_metrics[] = {
    {"mean", LP_CS_MEAN},   {"sum", LP_CS_SUM},       {"variance", LP_CS_VARIANCE}, {"std", LP_CS_STD},
    {"count", -1},          {"numNonZeros", LP_CS_NNZ}, {"max", LP_CS_MAX},          {"min", LP_CS_MIN},
    {"normL2", LP_CS_NORML2}, {"normL1", LP_CS_NORML1},
};

static lp_type summ_type(int m) { return lp_type_of(summ_metrics[m].stat < 0 ? LP_INT64 : LP_VECTOR); }

static bool summ_struct_type(const nx *x, lp_type *t) {
    const char *names[16];
    lp_type types[16];
    for (int i = 0; i < x->nmet; i++) names[i] = summ_metrics[x->met[i]].name, types[i] = summ_type(x->met[i]);
    return lp_type_struct(x->nmet, names, types, t);
}

static void nx_free(nx *x) {
    lp_free(x->a);
    lp_free(x->b);
    for (int i = 0; x->names && i < x->nnames; i++) lp_free(x->names[i]);
    lp_free(x->names);
    lp_free(x);
}
static void nx_ref(const lp_xfn *f) { atomic_fetch_add(&((nx *)f->ctx)->refs, 1); }
static void nx_unref(const lp_xfn *f) {
    nx *x = f->ctx;
    if (atomic_fetch_sub(&x->refs, 1) == 1) nx_free(x);
}

static lp_status nx_bind(const lp_xfn *f, const lp_type *args, int nargs, lp_type *out, lp_diag *d);
static lp_status nx_eval(const lp_xfn *f, lp_column *const *args, int nargs, int64_t nrows, lp_column **out,
                         lp_diag *d);

static nx *nx_new(nx_kind kind, const char *name, int nargs) {
    nx *x = lp_calloc(1, sizeof *x);
    if (!x) return NULL;
    atomic_init(&x->refs, 1);
    x->kind = kind;
    x->fn.name = name;
    x->fn.bind = nx_bind;
    x->fn.eval = nx_eval;
    x->fn.ref = nx_ref;
    x->fn.unref = nx_unref;
    x->fn.ctx = x;
    x->fn.min_args = x->fn.max_args = nargs;
    return x;
}

static bool numeric_kind(lp_kind k) { return k == LP_INT64 || k == LP_FLOAT64 || k == LP_BOOL; }

static lp_status nx_bind(const lp_xfn *f, const lp_type *args, int nargs, lp_type *out, lp_diag *d) {
    const nx *x = f->ctx;
    switch (x->kind) {
    case NX_ASSEMBLE:
        for (int i = 0; i < nargs; i++)
            if (!numeric_kind(args[i].kind) && args[i].kind != LP_VECTOR) {
                lp_diag_set(d, LP_ETYPE, "VectorAssembler: Data type %s of column %s is not supported.",
                            lp_type_name(args[i]), i < x->nnames ? x->names[i] : "?");
                lp_diag_hint(d, "the inputs must be numeric, boolean or vector columns: cast() or index strings first");
                return LP_ETYPE;
            }
        *out = lp_type_of(LP_VECTOR);
        return LP_OK;
    case NX_PREDICT:
    case NX_DIST:
    case NX_STDSCALE:
    case NX_MINMAX:
        if (args[0].kind != LP_VECTOR)
            return lp_diag_set(d, LP_ETYPE, "%s: requirement failed: Column must be of type vector but was actually of type %s.",
                               f->name, lp_type_name(args[0]));
        *out = x->kind == NX_PREDICT ? lp_type_of(LP_INT64) : x->kind == NX_DIST ? lp_type_of(LP_FLOAT64) : lp_type_of(LP_VECTOR);
        return LP_OK;
    case NX_SUMMARY:
        if (args[0].kind != LP_LIST || args[0].elem != LP_VECTOR)
            return lp_diag_set(d, LP_ETYPE, "Summarizer: the column must be a vector column, got %s",
                               lp_type_name(lp_type_of((lp_kind)args[0].elem)));
        if (!x->as_struct) {
            *out = summ_type(x->met[0]);
            return LP_OK;
        }
        return summ_struct_type(x, out) ? LP_OK : lp_diag_nomem(d, "Summarizer");
    case NX_BUCKET:
        if (!numeric_kind(args[0].kind))
            return lp_diag_set(d, LP_ETYPE, "Bucketizer: the input column must be numeric, got %s", lp_type_name(args[0]));
        *out = lp_type_of(LP_FLOAT64);
        return LP_OK;
    }
    return LP_ETYPE;
}

/* A numeric cell as a double; false when null. */
static inline bool num_at(const lp_column *c, int64_t r, double *v) {
    if (!lp_col_valid(c, r)) return false;
    switch (c->type.kind) {
    case LP_FLOAT64: *v = c->v.f[r]; break;
    case LP_INT64: *v = (double)c->v.i[r]; break;
    case LP_BOOL: *v = c->v.b[r] ? 1.0 : 0.0; break;
    default: return false;
    }
    return true;
}

/* A growable scratch of (index, value) pairs and a dense row, per eval call. */
typedef struct scratch {
    int32_t *idx;
    double *val, *dense;
    int64_t cap, dcap;
} scratch;

static bool scratch_fit(scratch *s, int64_t n, int64_t dn) {
    if (n > s->cap) {
        int64_t cap = LP_MAX(n, 2 * s->cap);
        int32_t *i = lp_realloc(s->idx, sizeof(int32_t) * (size_t)cap);
        if (!i) return false;
        s->idx = i;
        double *v = lp_realloc(s->val, sizeof(double) * (size_t)cap);
        if (!v) return false;
        s->val = v;
        s->cap = cap;
    }
    if (dn > s->dcap) {
        int64_t cap = LP_MAX(dn, 2 * s->dcap);
        double *v = lp_realloc(s->dense, sizeof(double) * (size_t)cap);
        if (!v) return false;
        s->dense = v;
        s->dcap = cap;
    }
    return true;
}

static void scratch_free(scratch *s) {
    lp_free(s->idx);
    lp_free(s->val);
    lp_free(s->dense);
}

/* Appends the vector held as nnz (index, value) pairs of a vector of `size`, as Spark's
 * Vector.compressed stores it: sparse when 1.5 (nnz + 1) < size, else dense. */
static void append_compressed(lp_colbuf *b, scratch *s, int64_t size, int64_t nnz) {
    if (1.5 * ((double)nnz + 1.0) < (double)size) {
        lp_colbuf_append_vec(b, (int32_t)size, (int32_t)nnz, s->idx, s->val);
        return;
    }
    memset(s->dense, 0, sizeof(double) * (size_t)size);
    for (int64_t e = 0; e < nnz; e++) s->dense[s->idx[e]] = s->val[e];
    lp_colbuf_append_vec(b, (int32_t)size, (int32_t)size, NULL, s->dense);
}

/* Row r of a vector column. A sparse row without entries may come back without an index
 * array (idx NULL, nnz 0 != size); it is given an empty one, so idx == NULL means dense. */
static lp_value vec_get(const lp_column *c, int64_t r) {
    static const int32_t no_idx[1];
    lp_value v = lp_column_get(c, r);
    if (!v.null && !v.u.vec.idx && v.u.vec.nnz != v.u.vec.size) v.u.vec.idx = no_idx, v.u.vec.nnz = 0;
    return v;
}

/* v densified into out[0..dim); false when its size is not dim. */
static bool densify(const lp_value *v, int dim, double *out) {
    if (v->u.vec.size != dim) return false;
    if (!v->u.vec.idx) {
        memcpy(out, v->u.vec.val, sizeof(double) * (size_t)dim);
        return true;
    }
    memset(out, 0, sizeof(double) * (size_t)dim);
    for (int32_t e = 0; e < v->u.vec.nnz; e++) out[v->u.vec.idx[e]] = v->u.vec.val[e];
    return true;
}

static lp_status size_mismatch(const nx *x, int32_t got, lp_diag *d) {
    lp_diag_set(d, LP_EVALUE, "%s: requirement failed: the vector has size %d but the model was fit on size %d",
                x->fn.name, (int)got, x->dim);
    lp_diag_hint(d, "transform data assembled the same way as the data the model was fit on");
    return LP_EVALUE;
}

static lp_status eval_assemble(const nx *x, lp_column *const *args, int nargs, int64_t nrows, lp_colbuf *b,
                               scratch *sc, lp_diag *d) {
    for (int64_t r = 0; r < nrows; r++) {
        int64_t size = 0, nnz = 0;
        bool skip = false;
        for (int i = 0; i < nargs && !skip; i++) {
            const lp_column *c = args[i];
            if (c->type.kind == LP_VECTOR) {
                if (!lp_col_valid(c, r)) {
                    if (x->mode == HI_SKIP) {
                        skip = true;
                        break;
                    }
                    lp_diag_set(d, LP_EVALUE,
                                x->mode == HI_KEEP
                                    ? "VectorAssembler: Can not infer column lengths with handleInvalid = \"keep\" "
                                      "for the null vector in column %s."
                                    : "VectorAssembler: Encountered null while assembling a row with handleInvalid = "
                                      "\"error\" (column %s). Consider removing nulls from dataset or using "
                                      "handleInvalid = \"keep\" or \"skip\".",
                                x->names[i]);
                    lp_diag_hint(d, "df.dropna(subset=[...]) drops them; handleInvalid=\"skip\" skips those rows");
                    return LP_EVALUE;
                }
                lp_value v = vec_get(c, r);
                if (!scratch_fit(sc, nnz + v.u.vec.nnz, 0)) return LP_ENOMEM;
                for (int32_t e = 0; e < v.u.vec.nnz; e++) {
                    double val = v.u.vec.val[e];
                    if (val == 0) continue;
                    sc->idx[nnz] = (int32_t)(size + (v.u.vec.idx ? v.u.vec.idx[e] : e));
                    sc->val[nnz++] = val;
                }
                size += v.u.vec.size;
                continue;
            }
            double val;
            bool isnull = !num_at(c, r, &val);
            if (isnull || isnan(val)) {
                if (x->mode == HI_SKIP) {
                    skip = true;
                    break;
                }
                if (x->mode == HI_ERROR) {
                    lp_diag_set(d, LP_EVALUE,
                                "VectorAssembler: Encountered %s while assembling a row with handleInvalid = \"error\" "
                                "(column %s). Consider removing %ss from dataset or using handleInvalid = \"keep\" or "
                                "\"skip\".",
                                isnull ? "null" : "NaN", x->names[i], isnull ? "null" : "NaN");
                    lp_diag_hint(d, "df.dropna(subset=[...]) or df.fillna(...) first, or VectorAssembler(..., "
                                    "handleInvalid=\"skip\") to drop those rows");
                    return LP_EVALUE;
                }
                val = NAN;
            }
            if (!scratch_fit(sc, nnz + 1, 0)) return LP_ENOMEM;
            if (val != 0) sc->idx[nnz] = (int32_t)size, sc->val[nnz++] = val;
            size++;
        }
        if (skip) {
            lp_colbuf_append_null(b);
            continue;
        }
        if (size > INT32_MAX) return lp_diag_set(d, LP_ELIMIT, "VectorAssembler: the vector would have %lld elements", (long long)size);
        if (!scratch_fit(sc, 0, size)) return LP_ENOMEM;
        append_compressed(b, sc, size, nnz);
    }
    return LP_OK;
}

static lp_value vec_get(const lp_column *c, int64_t r);

/* Summarizer over each row's list of vectors (collect_list's groups): the metrics, one vector
 * (or count) each, or a struct of them. An empty or null group gives null. */
static lp_status eval_summary(const nx *x, const lp_column *c, int64_t nrows, lp_colbuf *b, lp_diag *d) {
    const lp_column *ch = c->child;
    double *tmp = NULL;
    int tdim = -1;
    lp_status st = LP_OK;
    for (int64_t r = 0; st == LP_OK && r < nrows; r++) {
        int64_t lo = c->v.off[r], hi = c->v.off[r + 1], first = -1;
        for (int64_t i = lo; i < hi && first < 0; i++)
            if (lp_col_valid(ch, i)) first = i;
        if (!lp_col_valid(c, r) || first < 0) {
            lp_colbuf_append_null(b);
            continue;
        }
        int dim = vec_get(ch, first).u.vec.size;
        lp_colstats cs;
        if (lp_colstats_init(&cs, dim)) {
            st = LP_ENOMEM;
            break;
        }
        for (int64_t i = lo; st == LP_OK && i < hi; i++) {
            if (!lp_col_valid(ch, i)) continue;
            lp_value v = vec_get(ch, i);
            if (v.u.vec.size != dim)
                st = lp_diag_set(d, LP_EVALUE, "Summarizer: the vectors differ in size (%d and %d)", dim, (int)v.u.vec.size);
            else if (v.u.vec.idx) lp_colstats_add_sparse(&cs, v.u.vec.idx, v.u.vec.val, v.u.vec.nnz, 1.0);
            else lp_colstats_add_dense(&cs, v.u.vec.val, 1.0);
        }
        if (st == LP_OK && dim > tdim) {
            lp_free(tmp);
            if (!(tmp = lp_malloc(sizeof(double) * (size_t)(dim + 1)))) st = LP_ENOMEM;
            tdim = dim;
        }
        for (int k = 0; st == LP_OK && k < x->nmet; k++) {
            lp_colbuf *fb = x->as_struct ? lp_colbuf_struct_field(b, k) : b;
            int stat = summ_metrics[x->met[k]].stat;
            if (stat < 0) {
                lp_colbuf_append_i64(fb, cs.count);
                continue;
            }
            lp_colstats_get(&cs, (lp_colstat)stat, tmp);
            lp_colbuf_append_vec(fb, dim, dim, NULL, tmp);
        }
        if (st == LP_OK && x->as_struct) lp_colbuf_struct_end(b);
        lp_colstats_reset(&cs);
    }
    lp_free(tmp);
    return st;
}

static int bucket_of(const double *splits, int n, double v) {
    if (v == splits[n - 1]) return n - 2;
    int lo = 0, hi = n - 1; /* splits[lo] <= v < splits[hi] */
    while (hi - lo > 1) {
        int m = (lo + hi) / 2;
        if (v < splits[m]) hi = m;
        else lo = m;
    }
    return lo;
}

static lp_status nx_eval(const lp_xfn *f, lp_column *const *args, int nargs, int64_t nrows, lp_column **out,
                         lp_diag *d) {
    const nx *x = f->ctx;
    lp_colbuf b;
    lp_type t = x->kind == NX_SUMMARY ? (x->as_struct ? lp_type_of(LP_NULLTYPE) : summ_type(x->met[0]))
                : x->kind == NX_PREDICT ? lp_type_of(LP_INT64)
                : x->kind == NX_DIST || x->kind == NX_BUCKET ? lp_type_of(LP_FLOAT64)
                                                               : lp_type_of(LP_VECTOR);
    if (x->kind == NX_SUMMARY && x->as_struct && !summ_struct_type(x, &t)) return lp_diag_nomem(d, f->name);
    lp_colbuf_init(&b, t);
    scratch sc = {0};
    lp_status st = LP_OK;
    if (!lp_colbuf_reserve(&b, nrows, 0) || !scratch_fit(&sc, x->dim + 1, x->dim + 1)) st = LP_ENOMEM;
    const lp_column *c = args[0];
    for (int64_t r = 0; st == LP_OK && x->kind != NX_ASSEMBLE && x->kind != NX_SUMMARY && r < nrows; r++) {
        if (x->kind == NX_BUCKET) {
            double v;
            if (!num_at(c, r, &v)) {
                lp_colbuf_append_null(&b);
                continue;
            }
            if (isnan(v)) {
                if (x->mode == HI_KEEP) lp_colbuf_append_f64(&b, (double)(x->na - 1));
                else if (x->mode == HI_SKIP) lp_colbuf_append_null(&b);
                else {
                    st = lp_diag_set(d, LP_EVALUE, "Bucketizer encountered NaN value. To handle or skip NaNs, try "
                                                   "setting Bucketizer.handleInvalid.");
                    lp_diag_hint(d, "Bucketizer(..., handleInvalid=\"keep\") puts NaN in an extra bucket, \"skip\" drops the row");
                }
                continue;
            }
            if (v < x->a[0] || v > x->a[x->na - 1]) {
                char vb[48], lb[48], hb[48];
                lp_format_float64(v, vb);
                lp_format_float64(x->a[0], lb);
                lp_format_float64(x->a[x->na - 1], hb);
                st = lp_diag_set(d, LP_EVALUE, "Feature value %s out of Bucketizer bounds [%s, %s].  Check your features, "
                                               "or loosen the lower/upper bound constraints.", vb, lb, hb);
                lp_diag_hint(d, "make the first split float('-inf') and the last float('inf') to cover every value");
                continue;
            }
            lp_colbuf_append_f64(&b, (double)bucket_of(x->a, x->na, v));
            continue;
        }
        if (!lp_col_valid(c, r)) {
            lp_colbuf_append_null(&b);
            continue;
        }
        lp_value v = vec_get(c, r);
        if (v.u.vec.size != x->dim) {
            st = size_mismatch(x, v.u.vec.size, d);
            break;
        }
        switch (x->kind) {
        case NX_PREDICT:
        case NX_DIST: {
            densify(&v, x->dim, sc.dense);
            double d2;
            int q = lp_kmeans_closest(x->a, x->k, x->dim, sc.dense, &d2);
            if (x->kind == NX_PREDICT) lp_colbuf_append_i64(&b, q);
            else lp_colbuf_append_f64(&b, sqrt(d2));
            break;
        }
        case NX_STDSCALE:
            if (!x->with_mean && v.u.vec.idx) { /* sparse stays sparse */
                for (int32_t e = 0; e < v.u.vec.nnz; e++)
                    sc.val[e] = x->with_std ? v.u.vec.val[e] * x->b[v.u.vec.idx[e]] : v.u.vec.val[e];
                lp_colbuf_append_vec(&b, v.u.vec.size, v.u.vec.nnz, v.u.vec.idx, sc.val);
                break;
            }
            densify(&v, x->dim, sc.dense);
            for (int j = 0; j < x->dim; j++) {
                double y = sc.dense[j];
                if (x->with_mean) y -= x->a[j];
                if (x->with_std) y *= x->b[j];
                sc.dense[j] = y;
            }
            lp_colbuf_append_vec(&b, x->dim, x->dim, NULL, sc.dense);
            break;
        case NX_MINMAX:
            densify(&v, x->dim, sc.dense);
            for (int j = 0; j < x->dim; j++) {
                double y = sc.dense[j];
                if (isnan(y)) continue;
                sc.dense[j] = x->b[j] != 0 ? (y - x->a[j]) * x->b[j] + x->lo : (x->lo + x->hi) / 2;
            }
            lp_colbuf_append_vec(&b, x->dim, x->dim, NULL, sc.dense);
            break;
        default:
            break;
        }
    }
    if (st == LP_OK && x->kind == NX_ASSEMBLE) st = eval_assemble(x, args, nargs, nrows, &b, &sc, d);
    if (st == LP_OK && x->kind == NX_SUMMARY) st = eval_summary(x, args[0], nrows, &b, d);
    scratch_free(&sc);
    if (st == LP_OK) st = lp_colbuf_finish(&b, out);
    else lp_colbuf_reset(&b);
    if (st == LP_ENOMEM) return lp_diag_nomem(d, f->name);
    return st;
}

/* withColumn(name, fn(col(in[0]), ...)) over df; takes over the caller's reference to x. */
static lp_status with_xcall(loupe_session *s, lp_plan *df, nx *x, const char *const *in, int nin, const char *name,
                            const lp_args *a, lp_plan **out) {
    lp_expr **args = lp_arena_zalloc(s->arena, sizeof *args * (size_t)(nin + 1));
    for (int i = 0; args && i < nin; i++)
        if (!(args[i] = lp_expr_col(s->arena, in[i], (size_t)-1, a->start, a->end))) args = NULL;
    lp_expr *e = args ? lp_expr_xcall(s->arena, &x->fn, args, nin, a->start, a->end) : NULL;
    nx_unref(&x->fn);
    if (!e) return nomem(s);
    lp_status st = lp_df_with_column(s, df, name, e, out);
    if (st != LP_OK && s->d->span_start < 0) lp_diag_span(s->d, a->start, a->end);
    return st;
}

/* Drops the rows where column `name` is null (handleInvalid="skip"); takes over *df. */
static lp_status drop_null_rows(loupe_session *s, lp_plan **df, const char *name, const lp_args *a) {
    lp_expr *c = lp_expr_col(s->arena, name, (size_t)-1, a->start, a->end);
    lp_expr *e = c ? lp_expr_call(s->arena, LP_FN_IS_NOT_NULL, &c, 1, a->start, a->end) : NULL;
    if (!e) return nomem(s);
    lp_plan *p = NULL;
    lp_status st = lp_plan_filter(*df, e, &p, s->d);
    lp_plan_unref(*df);
    *df = p;
    return st;
}

static lp_status col_absent(loupe_session *s, lp_plan *df, const char *name, const lp_args *a) {
    if (lp_plan_col_index(df, name) >= 0)
        return lp_err_span(s, LP_EVALUE, a->start, a->end, "requirement failed: Column %s already exists.", name);
    return LP_OK;
}

/* A DenseVector value holding v[0..n). */
static lp_val *dense_val(const double *v, int n) {
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_of(LP_VECTOR));
    lp_colbuf_append_vec(&b, n, n, NULL, v);
    lp_column *c = NULL;
    if (lp_colbuf_finish(&b, &c) != LP_OK) return NULL;
    lp_val *r = lp_val_vector(c, 0);
    lp_column_unref(c);
    return r;
}

/* ---- shared param checks -------------------------------------------------------------------- */

static const char *check_invalid3(const lp_val *v) {
    const char *s = v->u.s.p;
    if (strcmp(s, "error") == 0 || strcmp(s, "skip") == 0 || strcmp(s, "keep") == 0) return NULL;
    return "handleInvalid must be one of 'error', 'skip' or 'keep'";
}

/* ---- VectorAssembler ------------------------------------------------------------------------ */

static const lp_mlparam assembler_params[] = {
    {"inputCols", LP_MLP_STRS, NULL, "input column names.", NULL, NULL},
    {"outputCol", LP_MLP_STR, "$uid__output", "output column name.", NULL, NULL},
    {"handleInvalid", LP_MLP_STR, "'error'",
     "How to handle invalid data (NULL and NaN values). Options are 'skip' (filter out rows with invalid data), "
     "'error' (throw an error), or 'keep' (return relevant number of NaN in the output).",
     check_invalid3, NULL},
};

static lp_status assembler_transform(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_plan **out) {
    lp_status st = lp_ml_need(s, o, "inputCols", a);
    if (st == LP_OK) st = lp_ml_need(s, o, "outputCol", a);
    const char *outc = lp_ml_str(o, "outputCol");
    if (st == LP_OK) st = col_absent(s, df, outc, a);
    if (st != LP_OK) return st;
    const lp_val *l = lp_ml_get(o, "inputCols");
    int n = l->u.list.n;
    if (n == 0) return lp_err_span(s, LP_EVALUE, a->start, a->end, "VectorAssembler: inputCols is empty");
    nx *x = nx_new(NX_ASSEMBLE, "VectorAssembler", n);
    const char **names = lp_arena_zalloc(s->arena, sizeof *names * (size_t)n);
    if (!x || !names || !(x->names = lp_calloc((size_t)n, sizeof *x->names))) {
        if (x) nx_free(x);
        return nomem(s);
    }
    x->fn.min_args = 1;
    x->mode = invalid_mode(lp_ml_str(o, "handleInvalid"));
    for (int i = 0; i < n; i++) {
        names[i] = l->u.list.v[i]->u.s.p;
        if (!(x->names[i] = lp_strdup(names[i]))) {
            nx_free(x);
            return nomem(s);
        }
        x->nnames = i + 1;
        if (lp_plan_col_index(df, names[i]) < 0) {
            nx_free(x);
            const char *cands[256];
            int nc = 0;
            for (int k = 0; k < df->ncols && nc < 256; k++) cands[nc++] = df->names[k];
            lp_err_span(s, LP_ENAME, a->start, a->end, "VectorAssembler: the input column '%s' does not exist", names[i]);
            const char *c = lp_expr_closest(names[i], cands, nc);
            if (c) lp_hint(s, "did you mean '%s'?", c);
            return LP_ENAME;
        }
    }
    lp_plan *p = NULL;
    if ((st = with_xcall(s, df, x, names, n, outc, a, &p)) != LP_OK) return st;
    if (x->mode == HI_SKIP && (st = drop_null_rows(s, &p, outc, a)) != LP_OK) return st;
    *out = p;
    return LP_OK;
}

const lp_mlclass lp_ml_vector_assembler = {
    .name = "VectorAssembler", .module = "pyspark.ml.feature", .role = LP_ML_TRANSFORMER,
    .params = assembler_params, .nparams = (int)LP_ARRAY_LEN(assembler_params), .transform = assembler_transform,
    .doc = "A feature transformer that merges multiple columns into a vector column: numeric and boolean columns "
           "give one element each, vector columns all of theirs, in inputCols order. Rows with many zeros are "
           "stored sparse, as Spark's compressed vectors. handleInvalid says what a null or NaN input does: "
           "'error' (the default) stops, 'skip' drops the row, 'keep' puts NaN in the vector.",
};

/* ---- Bucketizer ----------------------------------------------------------------------------- */

static const char *check_splits(const lp_val *v) {
    int n = v->u.list.n;
    if (n < 3) return "Bucketizer: splits must hold at least 3 values (2 buckets)";
    for (int i = 1; i < n; i++) {
        double a = v->u.list.v[i - 1]->u.f, b = v->u.list.v[i]->u.f;
        if (!(a < b)) return "Bucketizer: splits must be strictly increasing";
    }
    return NULL;
}

static const lp_mlparam bucketizer_params[] = {
    {"splits", LP_MLP_FLOATS, NULL,
     "Split points for mapping continuous features into buckets. With n+1 splits, there are n buckets. A bucket "
     "defined by splits x,y holds values in the range [x,y) except the last bucket, which also includes y. The "
     "splits should be of length >= 3 and strictly increasing. Values at -inf, inf must be explicitly provided to "
     "cover all Double values; otherwise, values outside the splits specified will be treated as errors.",
     check_splits, NULL},
    {"inputCol", LP_MLP_STR, NULL, "input column name.", NULL, NULL},
    {"outputCol", LP_MLP_STR, "$uid__output", "output column name.", NULL, NULL},
    {"handleInvalid", LP_MLP_STR, "'error'",
     "how to handle invalid entries containing NaN values. Values outside the splits will always be treated as "
     "errors. Options are 'skip' (filter out rows with invalid values), 'error' (throw an error), or 'keep' (keep "
     "invalid values in a special additional bucket).",
     check_invalid3, NULL},
    {"inputCols", LP_MLP_STRS, NULL, "input column names.", NULL, NULL},
    {"outputCols", LP_MLP_STRS, NULL, "output column names.", NULL, NULL},
    {"splitsArray", LP_MLP_FLOATSS, NULL,
     "The array of split points for mapping continuous features into buckets for multiple columns. For each input "
     "column, with n+1 splits, there are n buckets. The splits of each column should be of length >= 3 and "
     "strictly increasing.",
     NULL, NULL},
};

static nx *bucket_fn(const lp_val *splits, int mode) {
    nx *x = nx_new(NX_BUCKET, "Bucketizer", 1);
    if (!x) return NULL;
    x->mode = mode;
    x->na = splits->u.list.n;
    if (!(x->a = lp_malloc(sizeof(double) * (size_t)x->na))) {
        nx_free(x);
        return NULL;
    }
    for (int i = 0; i < x->na; i++) {
        const lp_val *e = splits->u.list.v[i];
        x->a[i] = e->kind == LV_INT ? (double)e->u.i : e->u.f;
    }
    return x;
}

static lp_status bucketizer_transform(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_plan **out) {
    int mode = invalid_mode(lp_ml_str(o, "handleInvalid"));
    const lp_val *ins = lp_ml_get(o, "inputCols");
    bool multi = ins && ins->kind == LV_LIST && o->isset[lp_ml_param_index(o->cls, "inputCols")];
    bool single = o->isset[lp_ml_param_index(o->cls, "inputCol")];
    if (multi && single)
        return lp_err_span(s, LP_EVALUE, a->start, a->end,
                           "Bucketizer: requirement failed: Both inputCol and inputCols are set, only one of them can be set.");
    lp_status st;
    const char *one_in = NULL, *one_out = NULL;
    int n = 1;
    const lp_val *outs = NULL, *arr = NULL;
    if (multi) {
        outs = lp_ml_get(o, "outputCols");
        arr = lp_ml_get(o, "splitsArray");
        if ((st = lp_ml_need(s, o, "outputCols", a)) != LP_OK || (st = lp_ml_need(s, o, "splitsArray", a)) != LP_OK)
            return st;
        n = ins->u.list.n;
        if (outs->u.list.n != n || arr->u.list.n != n)
            return lp_err_span(s, LP_EVALUE, a->start, a->end,
                               "Bucketizer: requirement failed: inputCols (%d), outputCols (%d) and splitsArray (%d) "
                               "must have the same length", n, outs->u.list.n, arr->u.list.n);
        for (int i = 0; i < n; i++) {
            const char *bad = check_splits(arr->u.list.v[i]);
            if (bad) return lp_err_span(s, LP_EVALUE, a->start, a->end, "%s (splitsArray[%d])", bad, i);
        }
    } else {
        if ((st = lp_ml_need(s, o, "inputCol", a)) != LP_OK || (st = lp_ml_need(s, o, "splits", a)) != LP_OK ||
            (st = lp_ml_need(s, o, "outputCol", a)) != LP_OK)
            return st;
        one_in = lp_ml_str(o, "inputCol");
        one_out = lp_ml_str(o, "outputCol");
    }
    lp_plan *cur = lp_plan_ref(df);
    for (int i = 0; i < n; i++) {
        const char *in = multi ? ins->u.list.v[i]->u.s.p : one_in;
        const char *oc = multi ? outs->u.list.v[i]->u.s.p : one_out;
        int col = lp_plan_col_index(cur, in);
        if (col < 0) st = lp_err_span(s, LP_ENAME, a->start, a->end, "Bucketizer: the input column '%s' does not exist", in);
        else if (!numeric_kind((lp_kind)cur->types[col].kind))
            st = lp_err_span(s, LP_ETYPE, a->start, a->end, "Bucketizer: the input column %s must be numeric, got %s", in,
                             lp_type_name(cur->types[col]));
        if (st == LP_OK) st = col_absent(s, cur, oc, a);
        nx *x = NULL;
        if (st == LP_OK && !(x = bucket_fn(multi ? arr->u.list.v[i] : lp_ml_get(o, "splits"), mode))) st = nomem(s);
        lp_plan *next = NULL;
        if (st == LP_OK) st = with_xcall(s, cur, x, &in, 1, oc, a, &next);
        lp_plan_unref(cur);
        cur = next;
        if (st == LP_OK && mode == HI_SKIP) st = drop_null_rows(s, &cur, oc, a);
        if (st != LP_OK) {
            lp_plan_unref(cur);
            return st;
        }
    }
    *out = cur;
    return LP_OK;
}

const lp_mlclass lp_ml_bucketizer = {
    .name = "Bucketizer", .module = "pyspark.ml.feature", .role = LP_ML_TRANSFORMER,
    .params = bucketizer_params, .nparams = (int)LP_ARRAY_LEN(bucketizer_params), .transform = bucketizer_transform,
    .doc = "Maps a column of continuous features to a column of bucket indices (doubles 0.0, 1.0, ...) given by "
           "splits: bucket i holds [splits[i], splits[i+1]), the last also its upper end. Values outside the "
           "splits are errors (use float('-inf') and float('inf') as the outer splits); NaN follows "
           "handleInvalid ('error', 'skip' or 'keep': an extra bucket); null stays null. inputCols, outputCols "
           "and splitsArray bucket several columns at once.",
};

/* ---- fitting helpers: the vector column's rows ------------------------------------------------ */

/* Runs df projected to `col` (and `wcol` when not NULL) and returns the table: column 0 the
 * vectors, column 1 the weights. */
static lp_status fit_input(loupe_session *s, lp_plan *df, const char *col, const char *wcol, const lp_args *a,
                           lp_table **out) {
    *out = NULL;
    lp_expr *es[2];
    const char *names[2] = {col, wcol};
    int n = wcol ? 2 : 1;
    for (int i = 0; i < n; i++)
        if (!(es[i] = lp_expr_col(s->arena, names[i], (size_t)-1, a->start, a->end))) return nomem(s);
    lp_plan *p = NULL;
    lp_status st = lp_plan_project(df, es, names, n, &p, s->d);
    if (st == LP_OK) st = lp_ml_run(s, p, out);
    lp_plan_unref(p);
    return st;
}

/* Statistics of a vector column, one accumulator per partition merged in order. */
typedef struct stats_ctx {
    lp_table *t;
    lp_colstats *parts;
    int dim;
    int64_t *bad;  /* per partition: first row whose size differs, or -1 */
    int32_t *badsize;
} stats_ctx;

static void stats_task(void *vctx, int p) {
    stats_ctx *c = vctx;
    const lp_part *part = &c->t->parts[p];
    const lp_column *col = part->cols[0];
    c->bad[p] = -1;
    for (int64_t r = 0; r < part->nrows; r++) {
        if (!lp_col_valid(col, r)) continue;
        lp_value v = vec_get(col, r);
        if (v.u.vec.size != c->dim) {
            c->bad[p] = r;
            c->badsize[p] = v.u.vec.size;
            return;
        }
        if (v.u.vec.idx) lp_colstats_add_sparse(&c->parts[p], v.u.vec.idx, v.u.vec.val, v.u.vec.nnz, 1.0);
        else lp_colstats_add_dense(&c->parts[p], v.u.vec.val, 1.0);
    }
}

/* The size of the first non-null vector of column 0, or -1 when there is none. */
static int first_size(const lp_table *t) {
    for (int p = 0; p < t->nparts; p++) {
        const lp_column *c = t->parts[p].cols[0];
        for (int64_t r = 0; r < t->parts[p].nrows; r++)
            if (lp_col_valid(c, r)) return vec_get(c, r).u.vec.size;
    }
    return -1;
}

static lp_status vector_stats(loupe_session *s, const char *who, lp_table *t, const char *col, const lp_args *a,
                              lp_colstats *out) {
    int dim = first_size(t);
    if (dim < 0)
        return lp_err_span(s, LP_EVALUE, a->start, a->end, "%s: the column %s has no non-null vectors to fit on", who, col);
    stats_ctx c = {.t = t, .dim = dim};
    c.parts = lp_calloc((size_t)t->nparts + 1, sizeof *c.parts);
    c.bad = lp_calloc((size_t)t->nparts + 1, sizeof *c.bad);
    c.badsize = lp_calloc((size_t)t->nparts + 1, sizeof *c.badsize);
    lp_status st = c.parts && c.bad && c.badsize ? LP_OK : LP_ENOMEM;
    for (int p = 0; st == LP_OK && p < t->nparts; p++) st = lp_colstats_init(&c.parts[p], dim);
    if (st == LP_OK) st = lp_colstats_init(out, dim);
    if (st == LP_OK) st = lp_pool_run(t->nparts, stats_task, &c);
    int64_t row0 = 0;
    for (int p = 0; st == LP_OK && p < t->nparts; p++) {
        if (c.bad[p] >= 0) {
            st = lp_err_span(s, LP_EVALUE, a->start, a->end,
                             "%s: the vectors of column %s differ in size: row %lld has %d elements, the first %d", who, col,
                             (long long)(row0 + c.bad[p]), (int)c.badsize[p], dim);
            break;
        }
        lp_colstats_merge(out, &c.parts[p]);
        row0 += t->parts[p].nrows;
    }
    for (int p = 0; c.parts && p < t->nparts; p++) lp_colstats_reset(&c.parts[p]);
    lp_free(c.parts);
    lp_free(c.bad);
    lp_free(c.badsize);
    if (st != LP_OK) lp_colstats_reset(out);
    if (st == LP_ENOMEM) return nomem(s);
    if (st == LP_ECANCELLED) return lp_diag_set(s->d, st, "%s: cancelled", who);
    return st;
}

/* ---- StandardScaler / MinMaxScaler ------------------------------------------------------------ */

typedef struct scale_state {
    int dim;
    double *a, *b;  /* mean, std | originalMin, originalMax */
} scale_state;

static void scale_state_free(void *p) {
    scale_state *st = p;
    if (!st) return;
    lp_free(st->a);
    lp_free(st->b);
    lp_free(st);
}

static scale_state *scale_state_new(int dim) {
    scale_state *st = lp_calloc(1, sizeof *st);
    if (!st) return NULL;
    st->dim = dim;
    st->a = lp_malloc(sizeof(double) * (size_t)(dim + 1));
    st->b = lp_malloc(sizeof(double) * (size_t)(dim + 1));
    if (!st->a || !st->b) {
        scale_state_free(st);
        return NULL;
    }
    return st;
}

static lp_status scaler_fit(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_mlobj **model,
                            bool minmax) {
    const char *who = o->cls->name;
    int col;
    lp_status st = lp_ml_input(s, o, "inputCol", df, lp_type_of(LP_VECTOR), a, &col);
    if (st != LP_OK) return st;
    if (minmax && !(lp_ml_float(o, "min") < lp_ml_float(o, "max"))) {
        char lb[48], hb[48];
        lp_format_float64(lp_ml_float(o, "min"), lb);
        lp_format_float64(lp_ml_float(o, "max"), hb);
        return lp_err_span(s, LP_EVALUE, a->start, a->end, "requirement failed: min (%s) should be less than max (%s)", lb, hb);
    }
    const char *name = df->names[col];
    lp_table *t = NULL;
    if ((st = fit_input(s, df, name, NULL, a, &t)) != LP_OK) return st;
    lp_colstats cs;
    st = vector_stats(s, who, t, name, a, &cs);
    lp_table_unref(t);
    if (st != LP_OK) return st;
    scale_state *ss = scale_state_new(cs.dim);
    lp_mlobj *m = ss ? lp_ml_new(o->cls->model) : NULL;
    if (!m) {
        scale_state_free(ss);
        lp_colstats_reset(&cs);
        return nomem(s);
    }
    lp_colstats_get(&cs, minmax ? LP_CS_MIN : LP_CS_MEAN, ss->a);
    lp_colstats_get(&cs, minmax ? LP_CS_MAX : LP_CS_STD, ss->b);
    lp_colstats_reset(&cs);
    lp_ml_copy_params(m, o);
    m->state = ss;
    *model = m;
    return LP_OK;
}

static lp_status standard_fit(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_mlobj **model) {
    return scaler_fit(s, o, df, a, model, false);
}
static lp_status minmax_fit(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_mlobj **model) {
    return scaler_fit(s, o, df, a, model, true);
}

static lp_status scaler_transform(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_plan **out) {
    bool minmax = o->cls == &lp_ml_minmax_scaler_model;
    const scale_state *ss = lp_ml_state(o);
    int col;
    lp_status st = lp_ml_input(s, o, "inputCol", df, lp_type_of(LP_VECTOR), a, &col);
    if (st == LP_OK) st = lp_ml_need(s, o, "outputCol", a);
    const char *outc = lp_ml_str(o, "outputCol");
    if (st == LP_OK) st = col_absent(s, df, outc, a);
    if (st != LP_OK) return st;
    nx *x = nx_new(minmax ? NX_MINMAX : NX_STDSCALE, o->cls->name, 1);
    if (!x) return nomem(s);
    x->dim = ss->dim;
    x->a = lp_malloc(sizeof(double) * (size_t)(ss->dim + 1));
    x->b = lp_malloc(sizeof(double) * (size_t)(ss->dim + 1));
    if (!x->a || !x->b) {
        nx_free(x);
        return nomem(s);
    }
    if (minmax) {
        x->lo = lp_ml_float(o, "min");
        x->hi = lp_ml_float(o, "max");
        for (int j = 0; j < ss->dim; j++) {
            double range = ss->b[j] - ss->a[j];
            x->a[j] = ss->a[j];
            x->b[j] = range != 0 ? (x->hi - x->lo) / range : 0.0;
        }
    } else {
        x->with_mean = lp_ml_bool(o, "withMean");
        x->with_std = lp_ml_bool(o, "withStd");
        for (int j = 0; j < ss->dim; j++) {
            x->a[j] = ss->a[j];
            x->b[j] = ss->b[j] != 0 ? 1.0 / ss->b[j] : 0.0;
        }
    }
    const char *in = df->names[col];
    return with_xcall(s, df, x, &in, 1, outc, a, out);
}

static lp_status scale_vec(loupe_session *s, lp_val *self, bool first, lp_val **out) {
    const scale_state *ss = lp_ml_state(lp_ml_obj(self));
    *out = dense_val(first ? ss->a : ss->b, ss->dim);
    return *out ? LP_OK : nomem(s);
}
static lp_status m_mean(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)a;
    return scale_vec(s, self, true, out);
}
static lp_status m_std(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)a;
    return scale_vec(s, self, false, out);
}

static const lp_mlparam standard_params[] = {
    {"withMean", LP_MLP_BOOL, "False", "Whether to center data with mean", NULL, NULL},
    {"withStd", LP_MLP_BOOL, "True", "Whether to scale the data to unit standard deviation", NULL, NULL},
    {"inputCol", LP_MLP_STR, NULL, "input column name.", NULL, NULL},
    {"outputCol", LP_MLP_STR, "$uid__output", "output column name.", NULL, NULL},
};

static const lp_mlparam minmax_params[] = {
    {"min", LP_MLP_FLOAT, "0.0", "Lower bound of the output feature range", NULL, NULL},
    {"max", LP_MLP_FLOAT, "1.0", "Upper bound of the output feature range", NULL, NULL},
    {"inputCol", LP_MLP_STR, NULL, "input column name.", NULL, NULL},
    {"outputCol", LP_MLP_STR, "$uid__output", "output column name.", NULL, NULL},
};

static const lp_method standard_model_methods[] = {{"mean", m_mean, NULL}, {"std", m_std, NULL}};
static const lp_method minmax_model_methods[] = {{"originalMin", m_mean, NULL}, {"originalMax", m_std, NULL}};

const lp_mlclass lp_ml_standard_scaler = {
    .name = "StandardScaler", .module = "pyspark.ml.feature", .role = LP_ML_ESTIMATOR,
    .params = standard_params, .nparams = (int)LP_ARRAY_LEN(standard_params), .model = &lp_ml_standard_scaler_model,
    .fit = standard_fit,
    .doc = "Standardizes features by removing the mean and scaling to unit variance, using column summary "
           "statistics on the samples in the training set (the corrected sample standard deviation). withMean "
           "(default False) centres, withStd (default True) scales; a dimension whose standard deviation is 0 "
           "becomes 0.0. fit(df) returns a StandardScalerModel with .mean and .std.",
};

const lp_mlclass lp_ml_standard_scaler_model = {
    .name = "StandardScalerModel", .module = "pyspark.ml.feature", .role = LP_ML_MODEL,
    .params = standard_params, .nparams = (int)LP_ARRAY_LEN(standard_params), .transform = scaler_transform,
    .state_free = scale_state_free, .methods = standard_model_methods, .nmethods = 2,
    .doc = "A fitted StandardScaler: transform(df) scales inputCol into outputCol; .mean and .std are the training "
           "data's per-dimension mean and standard deviation (DenseVectors).",
};

const lp_mlclass lp_ml_minmax_scaler = {
    .name = "MinMaxScaler", .module = "pyspark.ml.feature", .role = LP_ML_ESTIMATOR,
    .params = minmax_params, .nparams = (int)LP_ARRAY_LEN(minmax_params), .model = &lp_ml_minmax_scaler_model,
    .fit = minmax_fit,
    .doc = "Rescales each feature individually to a common range [min, max] linearly using column summary "
           "statistics (min-max normalization): (x - E_min) / (E_max - E_min) * (max - min) + min; a constant "
           "feature becomes (min + max) / 2. fit(df) returns a MinMaxScalerModel with .originalMin and "
           ".originalMax.",
};

const lp_mlclass lp_ml_minmax_scaler_model = {
    .name = "MinMaxScalerModel", .module = "pyspark.ml.feature", .role = LP_ML_MODEL,
    .params = minmax_params, .nparams = (int)LP_ARRAY_LEN(minmax_params), .transform = scaler_transform,
    .state_free = scale_state_free, .methods = minmax_model_methods, .nmethods = 2,
    .doc = "A fitted MinMaxScaler: transform(df) rescales inputCol into outputCol; .originalMin and .originalMax "
           "are the training data's per-dimension minimum and maximum (DenseVectors).",
};

/* ---- KMeans ------------------------------------------------------------------------------------ */

typedef struct km_state {
    lp_kmeans_result *r;
    lp_plan *train;  /* the training data, for summary.predictions */
} km_state;

static void km_state_free(void *p) {
    km_state *k = p;
    if (!k) return;
    lp_kmeans_result_free(k->r);
    lp_plan_unref(k->train);
    lp_free(k);
}

static const char *check_k(const lp_val *v) { return v->u.i > 1 ? NULL : "KMeans: k must be > 1"; }
static const char *check_ge0(const lp_val *v) {
    return (v->kind == LV_INT ? v->u.i >= 0 : v->u.f >= 0) ? NULL : "the value must be >= 0";
}
static const char *check_gt0(const lp_val *v) { return v->u.i > 0 ? NULL : "initSteps must be > 0"; }
static const char *check_init(const lp_val *v) {
    const char *s = v->u.s.p;
    if (strcmp(s, "k-means||") == 0 || strcmp(s, "random") == 0 || strcmp(s, "k-means++") == 0) return NULL;
    return "initMode must be 'k-means||' (Spark's default), 'random' or 'k-means++'";
}
static const char *check_measure(const lp_val *v) {
    if (strcmp(v->u.s.p, "euclidean") == 0) return NULL;
    if (strcmp(v->u.s.p, "cosine") == 0) return "distanceMeasure 'cosine' is not supported by Loupe yet: use 'euclidean'";
    return "distanceMeasure must be 'euclidean' or 'cosine'";
}

static const lp_mlparam kmeans_params[] = {
    {"featuresCol", LP_MLP_STR, "'features'", "features column name.", NULL, NULL},
    {"predictionCol", LP_MLP_STR, "'prediction'", "prediction column name.", NULL, NULL},
    {"k", LP_MLP_INT, "2", "The number of clusters to create. Must be > 1.", check_k, NULL},
    {"initMode", LP_MLP_STR, "'k-means||'",
     "The initialization algorithm. This can be either \"random\" to choose random points as initial cluster "
     "centers, or \"k-means||\" to use a parallel variant of k-means++ (Loupe also accepts \"k-means++\").",
     check_init, NULL},
    {"initSteps", LP_MLP_INT, "2", "The number of steps for k-means|| initialization mode. Must be > 0.", check_gt0, NULL},
    {"tol", LP_MLP_FLOAT, "0.0001", "the convergence tolerance for iterative algorithms (>= 0).", check_ge0, NULL},
    {"maxIter", LP_MLP_INT, "20", "max number of iterations (>= 0).", check_ge0, NULL},
    {"seed", LP_MLP_INT, "-1689246527", "random seed.", NULL, NULL},
    {"distanceMeasure", LP_MLP_STR, "'euclidean'", "the distance measure. Supported options: 'euclidean' and 'cosine'.",
     check_measure, NULL},
    {"weightCol", LP_MLP_STR, NULL,
     "weight column name. If this is not set or empty, we treat all instance weights as 1.0.", NULL, NULL},
    {"distanceCol", LP_MLP_STR, NULL,
     "(Loupe) output column for the Euclidean distance from each row to its cluster centre; not set: no column.",
     NULL, NULL},
};

/* Gathers column 0 (vectors) of t into a dense row-major matrix, and column 1 (weights) when
 * present. Null vectors and sizes that differ are errors. */
static lp_status gather(loupe_session *s, lp_table *t, const char *col, const lp_args *a, double **xo, double **wo,
                        int *dimo) {
    *xo = *wo = NULL;
    int dim = first_size(t);
    if (t->nrows == 0 || dim < 0)
        return lp_err_span(s, LP_EVALUE, a->start, a->end, "KMeans: the training data has no rows");
    double *x = lp_malloc(sizeof(double) * (size_t)t->nrows * (size_t)(dim ? dim : 1));
    double *w = t->ncols > 1 ? lp_malloc(sizeof(double) * (size_t)t->nrows) : NULL;
    if (!x || (t->ncols > 1 && !w)) {
        lp_free(x);
        lp_free(w);
        return nomem(s);
    }
    int64_t i = 0;
    for (int p = 0; p < t->nparts; p++) {
        const lp_column *c = t->parts[p].cols[0];
        for (int64_t r = 0; r < t->parts[p].nrows; r++, i++) {
            lp_value v = vec_get(c, r);
            if (v.null || !densify(&v, dim, x + (size_t)i * (size_t)dim)) {
                if (v.null) {
                    lp_err_span(s, LP_EVALUE, a->start, a->end, "KMeans: row %lld of column %s is null", (long long)i, col);
                    lp_hint(s, "drop those rows first: df.dropna(subset=['%s'])", col);
                } else {
                    lp_err_span(s, LP_EVALUE, a->start, a->end,
                                "KMeans: the vectors of column %s differ in size: row %lld has %d elements, the first %d",
                                col, (long long)i, (int)v.u.vec.size, dim);
                }
                lp_free(x);
                lp_free(w);
                return LP_EVALUE;
            }
            if (w) {
                double wv;
                if (!num_at(t->parts[p].cols[1], r, &wv)) wv = NAN;
                w[i] = wv;
            }
        }
    }
    *xo = x;
    *wo = w;
    *dimo = dim;
    return LP_OK;
}

static lp_status kmeans_fit(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_mlobj **model) {
    int col, wcol = -1;
    lp_status st = lp_ml_input(s, o, "featuresCol", df, lp_type_of(LP_VECTOR), a, &col);
    if (st != LP_OK) {
        if (!s->d->hint[0])
            lp_hint(s, "KMeans clusters a vector column: build it with VectorAssembler(inputCols=[...], outputCol=\"%s\")",
                    lp_ml_str(o, "featuresCol") ? lp_ml_str(o, "featuresCol") : "features");
        return st;
    }
    const char *wname = lp_ml_str(o, "weightCol");
    if (wname && *wname) {
        if ((st = lp_ml_input(s, o, "weightCol", df, lp_type_of(LP_NULLTYPE), a, &wcol)) != LP_OK) return st;
        if (!numeric_kind((lp_kind)df->types[wcol].kind))
            return lp_err_span(s, LP_ETYPE, a->start, a->end, "KMeans: the weight column %s must be numeric, got %s", wname,
                               lp_type_name(df->types[wcol]));
    }
    const char *fname = df->names[col];
    lp_table *t = NULL;
    if ((st = fit_input(s, df, fname, wcol >= 0 ? df->names[wcol] : NULL, a, &t)) != LP_OK) return st;
    double *x = NULL, *w = NULL;
    int dim = 0;
    st = gather(s, t, fname, a, &x, &w, &dim);
    int64_t n = t->nrows;
    lp_table_unref(t);
    if (st != LP_OK) return st;
    lp_kmeans_opts ko;
    lp_kmeans_opts_init(&ko, (int)lp_ml_int(o, "k"), (uint64_t)lp_ml_int(o, "seed"));
    ko.max_iter = (int)lp_ml_int(o, "maxIter");
    ko.tol = lp_ml_float(o, "tol");
    ko.init_steps = (int)lp_ml_int(o, "initSteps");
    const char *im = lp_ml_str(o, "initMode");
    ko.init = im && strcmp(im, "random") == 0 ? LP_KM_INIT_RANDOM
              : im && strcmp(im, "k-means++") == 0 ? LP_KM_INIT_PLUSPLUS
                                                   : LP_KM_INIT_PARALLEL;
    lp_kmeans_result *r = NULL;
    st = lp_kmeans_fit(x, w, n, dim, &ko, &r, s->d);
    lp_free(x);
    lp_free(w);
    if (st != LP_OK) {
        if (s->d->span_start < 0) lp_diag_span(s->d, a->start, a->end);
        return st;
    }
    if (r->k < ko.k)
        lp_sess_warn(s, "KMeans: the data has only %d distinct point%s, so the model has %d cluster%s instead of k=%d", r->k,
                     r->k == 1 ? "" : "s", r->k, r->k == 1 ? "" : "s", ko.k);
    km_state *ks = lp_calloc(1, sizeof *ks);
    lp_mlobj *m = ks ? lp_ml_new(&lp_ml_kmeans_model) : NULL;
    if (!m) {
        lp_free(ks);
        lp_kmeans_result_free(r);
        return nomem(s);
    }
    ks->r = r;
    ks->train = lp_plan_ref(df);
    lp_ml_copy_params(m, o);
    m->state = ks;
    *model = m;
    return LP_OK;
}

static lp_status kmeans_transform(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_plan **out) {
    const km_state *ks = lp_ml_state(o);
    int col;
    lp_status st = lp_ml_input(s, o, "featuresCol", df, lp_type_of(LP_VECTOR), a, &col);
    const char *pc = lp_ml_str(o, "predictionCol"), *dc = lp_ml_str(o, "distanceCol");
    if (dc && !*dc) dc = NULL;
    if (st == LP_OK && pc && *pc) st = col_absent(s, df, pc, a);
    if (st == LP_OK && dc) st = col_absent(s, df, dc, a);
    if (st != LP_OK) return st;
    const char *in = df->names[col];
    lp_plan *cur = lp_plan_ref(df);
    for (int pass = 0; pass < 2; pass++) {
        const char *name = pass == 0 ? pc : dc;
        if (!name || !*name) continue;
        nx *x = nx_new(pass == 0 ? NX_PREDICT : NX_DIST, pass == 0 ? "KMeansModel" : "KMeansDistance", 1);
        if (x) {
            x->dim = ks->r->dim;
            x->k = ks->r->k;
            size_t bytes = sizeof(double) * (size_t)x->k * (size_t)(x->dim ? x->dim : 1);
            if ((x->a = lp_malloc(bytes))) memcpy(x->a, ks->r->centers, sizeof(double) * (size_t)x->k * (size_t)x->dim);
            else nx_free(x), x = NULL;
        }
        lp_plan *next = NULL;
        st = x ? with_xcall(s, cur, x, &in, 1, name, a, &next) : nomem(s);
        lp_plan_unref(cur);
        cur = next;
        if (st != LP_OK) {
            lp_plan_unref(cur);
            return st;
        }
    }
    *out = cur;
    return LP_OK;
}

static lp_status m_cluster_centers(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    if (a->npos || a->nkw) return lp_err_span(s, LP_ETYPE, a->start, a->end, "clusterCenters() takes no arguments");
    const km_state *ks = lp_ml_state(lp_ml_obj(self));
    lp_val *l = lp_val_list(LV_LIST, ks->r->k);
    for (int q = 0; l && q < ks->r->k; q++)
        if (!(l->u.list.v[q] = dense_val(ks->r->centers + (size_t)q * (size_t)ks->r->dim, ks->r->dim))) {
            lp_val_unref(l);
            l = NULL;
        }
    *out = l;
    return l ? LP_OK : nomem(s);
}

static lp_status m_predict(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    const km_state *ks = lp_ml_state(lp_ml_obj(self));
    lp_val *v;
    lp_ast *at;
    lp_status st = lp_args_one(s, a, "value", true, &v, &at);
    if (st != LP_OK) return st;
    if (v->kind != LV_VECTOR)
        return lp_err(s, LP_ETYPE, at, "predict() takes a vector (Vectors.dense(...)), got %s", lp_val_type_name(v));
    lp_value x = vec_get(v->u.vec.col, v->u.vec.row);
    double *buf = lp_malloc(sizeof(double) * (size_t)(ks->r->dim + 1));
    if (!buf) return nomem(s);
    if (!densify(&x, ks->r->dim, buf)) {
        lp_free(buf);
        return lp_err(s, LP_EVALUE, at, "predict(): the vector has size %d but the model was fit on size %d",
                      (int)x.u.vec.size, ks->r->dim);
    }
    int q = lp_kmeans_closest(ks->r->centers, ks->r->k, ks->r->dim, buf, NULL);
    lp_free(buf);
    *out = lp_val_int(q);
    return *out ? LP_OK : nomem(s);
}

/* computeCost(df): the sum of squared distances to the nearest centre (Spark 2's KMeansModel
 * method, removed in Spark 3 in favour of summary.trainingCost and ClusteringEvaluator). */
static lp_status m_compute_cost(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    lp_mlobj *o = lp_ml_obj(self);
    const km_state *ks = lp_ml_state(o);
    lp_val *v;
    lp_ast *at;
    lp_status st = lp_args_one(s, a, "dataset", true, &v, &at);
    if (st != LP_OK) return st;
    if (v->kind != LV_DF) return lp_err(s, LP_ETYPE, at, "computeCost() takes a DataFrame, got %s", lp_val_type_name(v));
    int col;
    if ((st = lp_ml_input(s, o, "featuresCol", v->u.df, lp_type_of(LP_VECTOR), a, &col)) != LP_OK) return st;
    const char *fname = v->u.df->names[col];
    lp_table *t = NULL;
    if ((st = fit_input(s, v->u.df, fname, NULL, a, &t)) != LP_OK) return st;
    double *x = NULL, *w = NULL, cost = 0;
    int dim = 0;
    st = gather(s, t, fname, a, &x, &w, &dim);
    int64_t n = t->nrows;
    lp_table_unref(t);
    if (st == LP_OK && dim != ks->r->dim)
        st = lp_err_span(s, LP_EVALUE, a->start, a->end, "computeCost(): the vectors have size %d but the model was fit on size %d",
                         dim, ks->r->dim);
    if (st == LP_OK) st = lp_kmeans_cost(x, NULL, n, dim, ks->r->centers, ks->r->k, &cost, s->d);
    lp_free(x);
    if (st != LP_OK) return st;
    *out = lp_val_float(cost);
    return *out ? LP_OK : nomem(s);
}

static lp_status m_summary(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)a;
    lp_mlobj *sm = lp_ml_new(&lp_ml_kmeans_summary);
    if (!sm) return nomem(s);
    sm->state = lp_ml_ref(lp_ml_obj(self));
    *out = lp_val_ml(sm);
    return *out ? LP_OK : nomem(s);
}

static lp_status m_has_summary(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)a;
    (void)self;
    *out = lp_val_bool(true);
    return *out ? LP_OK : nomem(s);
}

static const lp_method kmeans_model_methods[] = {
    {"clusterCenters", m_cluster_centers, ""},
    {"predict", m_predict, "value"},
    {"computeCost", m_compute_cost, "dataset"},
    {"summary", m_summary, NULL},
    {"hasSummary", m_has_summary, NULL},
};

const lp_mlclass lp_ml_kmeans = {
    .name = "KMeans", .module = "pyspark.ml.clustering", .role = LP_ML_ESTIMATOR,
    .params = kmeans_params, .nparams = (int)LP_ARRAY_LEN(kmeans_params), .model = &lp_ml_kmeans_model,
    .fit = kmeans_fit,
    .doc = "K-means clustering with a k-means++ like initialization mode (the k-means|| algorithm by Bahmani et "
           "al.), then Lloyd's iterations, in parallel; the same seed gives the same model on any number of "
           "threads. fit(df) takes a vector column (featuresCol, build it with VectorAssembler) and returns a "
           "KMeansModel: transform(df) adds predictionCol (the cluster) and, when distanceCol is set (a Loupe "
           "addition), the Euclidean distance from each row to its cluster centre: an outlier score. "
           "clusterCenters(), summary.trainingCost, summary.clusterSizes.",
};

const lp_mlclass lp_ml_kmeans_model = {
    .name = "KMeansModel", .module = "pyspark.ml.clustering", .role = LP_ML_MODEL,
    .params = kmeans_params, .nparams = (int)LP_ARRAY_LEN(kmeans_params), .transform = kmeans_transform,
    .state_free = km_state_free, .methods = kmeans_model_methods, .nmethods = (int)LP_ARRAY_LEN(kmeans_model_methods),
    .doc = "A fitted KMeans: transform(df) adds predictionCol (the nearest centre's index) and, when distanceCol is "
           "set (model.setDistanceCol('dist')), the Euclidean distance to that centre. clusterCenters() lists "
           "the centres, predict(vector) clusters one vector, summary holds trainingCost (the sum of squared "
           "distances), clusterSizes, k, numIter and predictions.",
};

/* ---- KMeansSummary ---- */

static const km_state *summary_state(lp_val *self) {
    const lp_mlobj *m = lp_ml_obj(self)->state;
    return lp_ml_state(m);
}

static lp_status sm_cost(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)a;
    *out = lp_val_float(summary_state(self)->r->cost);
    return *out ? LP_OK : nomem(s);
}
static lp_status sm_k(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)a;
    *out = lp_val_int(summary_state(self)->r->k);
    return *out ? LP_OK : nomem(s);
}
static lp_status sm_iter(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)a;
    *out = lp_val_int(summary_state(self)->r->iterations);
    return *out ? LP_OK : nomem(s);
}
static lp_status sm_sizes(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)a;
    const lp_kmeans_result *r = summary_state(self)->r;
    lp_val *l = lp_val_list(LV_LIST, r->k);
    for (int q = 0; l && q < r->k; q++)
        if (!(l->u.list.v[q] = lp_val_int(r->sizes[q]))) {
            lp_val_unref(l);
            l = NULL;
        }
    *out = l;
    return l ? LP_OK : nomem(s);
}
static lp_status sm_predictions(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    lp_mlobj *m = lp_ml_obj(self)->state;
    lp_plan *p = NULL;
    lp_status st = kmeans_transform(s, m, summary_state(self)->train, a, &p);
    if (st != LP_OK) return st;
    *out = lp_val_df(p);
    return *out ? LP_OK : nomem(s);
}
static lp_status sm_col(loupe_session *s, lp_val *self, const char *name, lp_val **out) {
    const char *v = lp_ml_str(lp_ml_obj(self)->state, name);
    *out = v ? lp_val_str(v, strlen(v)) : lp_val_none();
    return *out ? LP_OK : nomem(s);
}
static lp_status sm_features(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)a;
    return sm_col(s, self, "featuresCol", out);
}
static lp_status sm_prediction(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)a;
    return sm_col(s, self, "predictionCol", out);
}

static void summary_free(void *p) { lp_ml_unref(p); }

static const lp_method kmeans_summary_methods[] = {
    {"trainingCost", sm_cost, NULL}, {"clusterSizes", sm_sizes, NULL},     {"k", sm_k, NULL},
    {"numIter", sm_iter, NULL},      {"predictions", sm_predictions, NULL}, {"featuresCol", sm_features, NULL},
    {"predictionCol", sm_prediction, NULL},
};

const lp_mlclass lp_ml_kmeans_summary = {
    .name = "KMeansSummary", .module = "pyspark.ml.clustering", .role = LP_ML_NAMESPACE,
    .state_free = summary_free, .methods = kmeans_summary_methods, .nmethods = (int)LP_ARRAY_LEN(kmeans_summary_methods),
    .doc = "The training summary of a KMeansModel (model.summary): trainingCost (the sum of squared distances of "
           "the training rows to their nearest centre), clusterSizes, k, numIter, and predictions (the training "
           "data transformed by the model).",
};

/* ---- Summarizer (pyspark.ml.stat) -------------------------------------------------------------
 *
 * Summarizer.mean(col) and Summarizer.metrics(...).summary(col) are Columns usable in select()
 * and agg() (grouped too): the aggregate is collect_list(col) and the metrics are an external
 * function over each group's list, so they plan as any aggregate expression does. */

typedef struct summ_state {
    int nmet, met[16];
} summ_state;

static int summ_metric(const char *name) {
    for (size_t i = 0; i < LP_ARRAY_LEN(summ_metrics); i++)
        if (strcmp(summ_metrics[i].name, name) == 0) return (int)i;
    return -1;
}

/* The Column fn(collect_list(col)) named `name`; met[0..nmet) are the metrics. */
static lp_status summ_column(loupe_session *s, const lp_args *a, const int *met, int nmet, bool as_struct, lp_val **out) {
    const char *const params[] = {as_struct ? "featuresCol" : "col", "weightCol"};
    lp_val *v[2] = {NULL, NULL};
    lp_ast *at[2] = {NULL, NULL};
    lp_status st = lp_args_bind(s, a, params, 2, v, at);
    if (st != LP_OK) return st;
    if (!v[0])
        return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() missing 1 required positional argument: '%s'", a->fname,
                           params[0]);
    if (v[1] && v[1]->kind != LV_NONE)
        return lp_err(s, LP_EUNSUPPORTED, at[1], "Summarizer: weightCol is not supported by Loupe yet");
    lp_val *cv = NULL;
    if ((st = lp_to_col(s, v[0], at[0], true, &cv)) != LP_OK) return st;
    lp_colv *c = lp_colv_new();
    nx *x = c ? nx_new(NX_SUMMARY, "Summarizer", 1) : NULL;
    lp_expr *arg = x ? lp_colv_import(c, cv->u.col, a->start, a->end) : NULL;
    lp_expr *agg = arg ? lp_expr_call(&c->arena, LP_FN_AGG_COLLECT_LIST, &arg, 1, a->start, a->end) : NULL;
    lp_expr *e = agg ? lp_expr_xcall(&c->arena, &x->fn, &agg, 1, a->start, a->end) : NULL;
    char *argname = e ? lp_expr_print(&c->arena, arg) : NULL;
    if (x) {
        x->nmet = nmet;
        memcpy(x->met, met, sizeof(int) * (size_t)nmet);
        x->as_struct = as_struct;
        nx_unref(&x->fn); /* the node holds it */
    }
    lp_val_unref(cv);
    if (!argname) {
        lp_colv_free(c);
        return nomem(s);
    }
    c->e = e;
    c->alias = as_struct ? lp_arena_printf(&c->arena, "aggregate_metrics(%s, 1.0)", argname)
                         : lp_arena_printf(&c->arena, "%s(%s)", summ_metrics[met[0]].name, argname);
    if (!c->alias || !(*out = lp_val_colv(&c))) {
        lp_colv_free(c);
        return nomem(s);
    }
    return LP_OK;
}

#define SUMM_ONE(fn, metric)                                                                  \
    static lp_status fn(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {    \
        (void)self;                                                                           \
        int m = summ_metric(metric);                                                          \
        return summ_column(s, a, &m, 1, false, out);                                          \
    }
SUMM_ONE(sz_mean, "mean")
SUMM_ONE(sz_sum, "sum")
SUMM_ONE(sz_variance, "variance")
SUMM_ONE(sz_std, "std")
SUMM_ONE(sz_count, "count")
SUMM_ONE(sz_nnz, "numNonZeros")
SUMM_ONE(sz_max, "max")
SUMM_ONE(sz_min, "min")
SUMM_ONE(sz_norml1, "normL1")
SUMM_ONE(sz_norml2, "normL2")

static lp_status sz_metrics(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)self;
    if (a->nkw) return lp_err(s, LP_ETYPE, a->kw_ast[0], "metrics() takes the metric names as positional arguments");
    if (a->npos == 0 || a->npos > 16)
        return lp_err_span(s, LP_EVALUE, a->start, a->end, "metrics() takes 1 to 16 metric names, got %d", a->npos);
    summ_state *ss = lp_calloc(1, sizeof *ss);
    if (!ss) return nomem(s);
    for (int i = 0; i < a->npos; i++) {
        const lp_val *v = a->pos[i];
        int m = v->kind == LV_STR ? summ_metric(v->u.s.p) : -1;
        if (m < 0) {
            lp_free(ss);
            lp_err(s, LP_EVALUE, a->pos_ast[i], "Summarizer: unknown metric %s", v->kind == LV_STR ? v->u.s.p : "(not a str)");
            lp_hint(s, "the metrics are mean, sum, variance, std, count, numNonZeros, max, min, normL2, normL1");
            return LP_EVALUE;
        }
        ss->met[ss->nmet++] = m;
    }
    lp_mlobj *o = lp_ml_new(&lp_ml_summary_builder);
    if (!o) {
        lp_free(ss);
        return nomem(s);
    }
    o->state = ss;
    *out = lp_val_ml(o);
    return *out ? LP_OK : nomem(s);
}

static lp_status sb_summary(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    const summ_state *ss = lp_ml_obj(self)->state;
    return summ_column(s, a, ss->met, ss->nmet, true, out);
}

static const lp_method summarizer_methods[] = {
    {"metrics", sz_metrics, "*metrics"},
    {"mean", sz_mean, "col, weightCol=None"},
    {"sum", sz_sum, "col, weightCol=None"},
    {"variance", sz_variance, "col, weightCol=None"},
    {"std", sz_std, "col, weightCol=None"},
    {"count", sz_count, "col, weightCol=None"},
    {"numNonZeros", sz_nnz, "col, weightCol=None"},
    {"max", sz_max, "col, weightCol=None"},
    {"min", sz_min, "col, weightCol=None"},
    {"normL1", sz_norml1, "col, weightCol=None"},
    {"normL2", sz_norml2, "col, weightCol=None"},
};

static const lp_method summary_builder_methods[] = {{"summary", sb_summary, "featuresCol, weightCol=None"}};

const lp_mlclass lp_ml_summarizer = {
    .name = "Summarizer", .module = "pyspark.ml.stat", .role = LP_ML_NAMESPACE,
    .methods = summarizer_methods, .nmethods = (int)LP_ARRAY_LEN(summarizer_methods),
    .doc = "Vector column statistics for select() and agg(), per dimension: Summarizer.mean(col), sum, "
           "variance (unbiased), std, count, numNonZeros, max, min, normL1, normL2 are Columns of vectors "
           "(count a bigint); Summarizer.metrics('mean', 'count', ...).summary(col) is one struct column "
           "holding the chosen metrics. Null vectors are skipped; weightCol is not supported yet.",
};

const lp_mlclass lp_ml_summary_builder = {
    .name = "SummaryBuilder", .module = "pyspark.ml.stat", .role = LP_ML_NAMESPACE, .state_free = lp_free,
    .methods = summary_builder_methods, .nmethods = 1,
    .doc = "Summarizer.metrics(...): summary(col) is the struct column of those metrics over col, for "
           "select() or agg().",
};
