/* ml_linalg.c -- pyspark.ml.linalg (Vectors, DenseVector, SparseVector values) and
 * pyspark.ml.functions (vector_to_array, array_to_vector).
 *
 * A vector value is a row of a vector column (u.vec): collect() hands out views of the result's
 * column, and Vectors.dense/sparse build a one-row column. The two functions are external
 * expression functions (lp_xfn) with static state, so they fuse into projections.
 */
#include "lang/ml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lp_status nomem(loupe_session *s) { return lp_diag_nomem(s->d, "vectors"); }

lp_val *lp_val_vector(lp_column *c, int64_t row) {
    lp_val *v = lp_val_new(LV_VECTOR);
    if (!v) return NULL;
    v->u.vec.col = lp_column_ref(c);
    v->u.vec.row = row;
    return v;
}

static lp_value vec_of(const lp_val *v) { return lp_column_get(v->u.vec.col, v->u.vec.row); }

/* DenseVector([1.0, 2.0]) / SparseVector(4, {1: 1.0, 3: 5.5}), as PySpark's repr. */
void lp_mlvec_repr(const lp_val *v, lp_strbuf *out) {
    lp_value x = vec_of(v);
    char buf[48];
    if (x.u.vec.idx) lp_strbuf_printf(out, "SparseVector(%d, {", (int)x.u.vec.size);
    else lp_strbuf_puts(out, "DenseVector([");
    for (int32_t k = 0; k < x.u.vec.nnz; k++) {
        if (k) lp_strbuf_puts(out, ", ");
        if (x.u.vec.idx) lp_strbuf_printf(out, "%d: ", (int)x.u.vec.idx[k]);
        lp_strbuf_append(out, buf, (size_t)lp_format_float64(x.u.vec.val[k], buf));
    }
    lp_strbuf_puts(out, x.u.vec.idx ? "})" : "])");
}

static lp_val *floats(const double *v, int64_t n) {
    lp_val *l = lp_val_list(LV_LIST, (int)n);
    for (int64_t i = 0; l && i < n; i++)
        if (!(l->u.list.v[i] = lp_val_float(v[i]))) {
            lp_val_unref(l);
            return NULL;
        }
    return l;
}

lp_status lp_mlvec_getattr(loupe_session *s, lp_val *v, const char *name, const lp_ast *n, lp_val **out) {
    lp_value x = vec_of(v);
    if (strcmp(name, "size") == 0) *out = lp_val_int(x.u.vec.size);
    else if (strcmp(name, "values") == 0) *out = floats(x.u.vec.val, x.u.vec.nnz);
    else if (strcmp(name, "indices") == 0 && x.u.vec.idx) {
        lp_val *l = lp_val_list(LV_LIST, x.u.vec.nnz);
        for (int32_t i = 0; l && i < x.u.vec.nnz; i++)
            if (!(l->u.list.v[i] = lp_val_int(x.u.vec.idx[i]))) {
                lp_val_unref(l);
                l = NULL;
            }
        *out = l;
    } else if (strcmp(name, "toArray") == 0 || strcmp(name, "norm") == 0 || strcmp(name, "numNonzeros") == 0 ||
               strcmp(name, "dot") == 0 || strcmp(name, "squared_distance") == 0) {
        lp_val *m = lp_val_new(LV_METHOD);
        if (m) {
            m->u.method.self = lp_val_ref(v);
            snprintf(m->u.method.name, sizeof m->u.method.name, "%s", name);
        }
        *out = m;
    } else {
        lp_err_span(s, LP_ENAME, n ? n->op_start : -1, n ? n->end : -1, "'%s' object has no attribute '%s'",
                    lp_val_type_name(v), name);
        lp_hint(s, "vectors have size, %svalues, toArray(), norm(p), numNonzeros(), dot(v), squared_distance(v)",
                x.u.vec.idx ? "indices, " : "");
        return LP_ENAME;
    }
    return *out ? LP_OK : nomem(s);
}

lp_status lp_mlvec_call(loupe_session *s, lp_val *v, const char *name, const lp_args *a, lp_val **out) {
    lp_value x = vec_of(v);
    lp_status st;
    if (strcmp(name, "toArray") == 0 || strcmp(name, "numNonzeros") == 0) {
        if (a->npos || a->nkw) return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() takes no arguments", name);
        if (name[0] == 'n') {
            int64_t nz = 0;
            for (int32_t k = 0; k < x.u.vec.nnz; k++) nz += x.u.vec.val[k] != 0;
            *out = lp_val_int(nz);
            return *out ? LP_OK : nomem(s);
        }
        lp_val *l = lp_val_list(LV_LIST, x.u.vec.size);
        for (int32_t i = 0; l && i < x.u.vec.size; i++)
            if (!(l->u.list.v[i] = lp_val_float(lp_vec_at(&x, i)))) {
                lp_val_unref(l);
                l = NULL;
            }
        *out = l;
        return *out ? LP_OK : nomem(s);
    }
    if (strcmp(name, "norm") == 0) {
        lp_val *p;
        lp_ast *at;
        double pv;
        if ((st = lp_args_one(s, a, "p", true, &p, &at)) != LP_OK) return st;
        if ((st = lp_want_float(s, p, at, "p", &pv)) != LP_OK) return st;
        double r = 0;
        for (int32_t k = 0; k < x.u.vec.nnz; k++) {
            double e = fabs(x.u.vec.val[k]);
            if (isinf(pv)) r = e > r ? e : r;
            else r += pow(e, pv);
        }
        *out = lp_val_float(isinf(pv) ? r : pow(r, 1.0 / pv));
        return *out ? LP_OK : nomem(s);
    }
    /* dot / squared_distance with another vector */
    lp_val *o;
    lp_ast *at;
    if ((st = lp_args_one(s, a, "other", true, &o, &at)) != LP_OK) return st;
    if (o->kind != LV_VECTOR) return lp_err(s, LP_ETYPE, at, "%s() takes a vector, got %s", name, lp_val_type_name(o));
    lp_value y = vec_of(o);
    if (y.u.vec.size != x.u.vec.size)
        return lp_err(s, LP_EVALUE, at, "dimension mismatch: %d and %d", (int)x.u.vec.size, (int)y.u.vec.size);
    double r = 0;
    for (int32_t i = 0; i < x.u.vec.size; i++) {
        double p = lp_vec_at(&x, i), q = lp_vec_at(&y, i);
        r += name[0] == 'd' ? p * q : (p - q) * (p - q);
    }
    *out = lp_val_float(r);
    return *out ? LP_OK : nomem(s);
}

/* ---- Vectors.dense / Vectors.sparse ---- */

static lp_status num_list(loupe_session *s, lp_val *l, const lp_ast *at, const char *what, double **out, int *n) {
    *out = lp_malloc(sizeof(double) * (size_t)(l->u.list.n + 1));
    if (!*out) return nomem(s);
    for (int i = 0; i < l->u.list.n; i++) {
        lp_val *e = l->u.list.v[i];
        if (e->kind == LV_INT) (*out)[i] = (double)e->u.i;
        else if (e->kind == LV_FLOAT) (*out)[i] = e->u.f;
        else {
            lp_free(*out);
            *out = NULL;
            return lp_err(s, LP_ETYPE, at, "%s needs numbers, got %s", what, lp_val_type_name(e));
        }
    }
    *n = l->u.list.n;
    return LP_OK;
}

static lp_status one_row(loupe_session *s, int32_t size, int32_t nnz, const int32_t *idx, const double *val, lp_val **out) {
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_of(LP_VECTOR));
    lp_colbuf_append_vec(&b, size, nnz, idx, val);
    lp_column *c;
    if (lp_colbuf_finish(&b, &c) != LP_OK) return nomem(s);
    *out = lp_val_vector(c, 0);
    lp_column_unref(c);
    return *out ? LP_OK : nomem(s);
}

static lp_status v_dense(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)self;
    lp_val *l = NULL;
    const lp_ast *at = a->npos ? a->pos_ast[0] : NULL;
    lp_val *tmp = NULL;
    if (a->nkw) return lp_err_span(s, LP_ETYPE, a->start, a->end, "dense() takes the values, positionally");
    if (a->npos == 1 && (a->pos[0]->kind == LV_LIST || a->pos[0]->kind == LV_TUPLE)) {
        l = a->pos[0];
    } else {  /* Vectors.dense(1.0, 2.0) */
        if (!(tmp = lp_val_list(LV_LIST, a->npos))) return nomem(s);
        for (int i = 0; i < a->npos; i++) tmp->u.list.v[i] = lp_val_ref(a->pos[i]);
        l = tmp;
    }
    double *v;
    int n;
    lp_status st = num_list(s, l, at, "Vectors.dense()", &v, &n);
    lp_val_unref(tmp);
    if (st != LP_OK) return st;
    st = one_row(s, n, n, NULL, v, out);
    lp_free(v);
    return st;
}

static int cmp_pair(const void *x, const void *y) {
    const double *p = x, *q = y;
    return (p[0] > q[0]) - (p[0] < q[0]);
}

/* Vectors.sparse(size, {i: v, ...}) or (size, [indices], [values]) or (size, [(i, v), ...]) */
static lp_status v_sparse(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)self;
    if (a->nkw || a->npos < 2 || a->npos > 3)
        return lp_err_span(s, LP_ETYPE, a->start, a->end,
                           "sparse() takes (size, {index: value}), (size, [(index, value)]) or (size, indices, values)");
    int64_t size;
    lp_status st = lp_want_int(s, a->pos[0], a->pos_ast[0], "size", &size);
    if (st != LP_OK) return st;
    if (size < 0 || size > INT32_MAX) return lp_err(s, LP_EVALUE, a->pos_ast[0], "size must be between 0 and 2147483647");
    int n = 0;
    double *pairs = NULL;  /* index, value */
    lp_val *x = a->pos[1];
    if (a->npos == 3) {
        double *ix, *vv;
        int ni, nv;
        if (!(x->kind == LV_LIST || x->kind == LV_TUPLE) || !(a->pos[2]->kind == LV_LIST || a->pos[2]->kind == LV_TUPLE))
            return lp_err_span(s, LP_ETYPE, a->start, a->end, "sparse(size, indices, values) takes two lists");
        if ((st = num_list(s, x, a->pos_ast[1], "indices", &ix, &ni)) != LP_OK) return st;
        if ((st = num_list(s, a->pos[2], a->pos_ast[2], "values", &vv, &nv)) != LP_OK) {
            lp_free(ix);
            return st;
        }
        if (ni != nv) {
            lp_free(ix);
            lp_free(vv);
            return lp_err_span(s, LP_EVALUE, a->start, a->end, "Index and value arrays must have the same length: %d and %d", ni, nv);
        }
        n = ni;
        pairs = lp_malloc(sizeof(double) * 2 * (size_t)(n + 1));
        for (int i = 0; pairs && i < n; i++) {
            pairs[2 * i] = ix[i];
            pairs[2 * i + 1] = vv[i];
        }
        lp_free(ix);
        lp_free(vv);
    } else if (x->kind == LV_DICT) {
        n = x->u.dict.n;
        pairs = lp_malloc(sizeof(double) * 2 * (size_t)(n + 1));
        for (int i = 0; pairs && i < n; i++) {
            lp_val *k = x->u.dict.k[i], *v = x->u.dict.v[i];
            if (k->kind != LV_INT || (v->kind != LV_INT && v->kind != LV_FLOAT)) {
                lp_free(pairs);
                return lp_err(s, LP_ETYPE, a->pos_ast[1], "sparse() needs {int index: number}");
            }
            pairs[2 * i] = (double)k->u.i;
            pairs[2 * i + 1] = v->kind == LV_INT ? (double)v->u.i : v->u.f;
        }
    } else if (x->kind == LV_LIST || x->kind == LV_TUPLE) {
        n = x->u.list.n;
        pairs = lp_malloc(sizeof(double) * 2 * (size_t)(n + 1));
        for (int i = 0; pairs && i < n; i++) {
            lp_val *p = x->u.list.v[i];
            if ((p->kind != LV_TUPLE && p->kind != LV_LIST) || p->u.list.n != 2 || p->u.list.v[0]->kind != LV_INT ||
                (p->u.list.v[1]->kind != LV_INT && p->u.list.v[1]->kind != LV_FLOAT)) {
                lp_free(pairs);
                return lp_err(s, LP_ETYPE, a->pos_ast[1], "sparse() needs (index, value) pairs");
            }
            pairs[2 * i] = (double)p->u.list.v[0]->u.i;
            lp_val *v = p->u.list.v[1];
            pairs[2 * i + 1] = v->kind == LV_INT ? (double)v->u.i : v->u.f;
        }
    } else {
        return lp_err(s, LP_ETYPE, a->pos_ast[1], "sparse() takes a dict, a list of pairs, or indices and values");
    }
    if (!pairs) return nomem(s);
    qsort(pairs, (size_t)n, 2 * sizeof(double), cmp_pair);
    int32_t *idx = lp_malloc(sizeof(int32_t) * (size_t)(n + 1));
    double *val = lp_malloc(sizeof(double) * (size_t)(n + 1));
    if (!idx || !val) st = nomem(s);
    for (int i = 0; st == LP_OK && i < n; i++) {
        double ix = pairs[2 * i];
        if (ix < 0 || ix >= (double)size || ix != (double)(int32_t)ix)
            st = lp_err_span(s, LP_EVALUE, a->start, a->end, "Index %g out of bounds for vector of size %lld", ix, (long long)size);
        else if (i && ix == pairs[2 * i - 2])
            st = lp_err_span(s, LP_EVALUE, a->start, a->end, "Indices must be unique: %d is given twice", (int)ix);
        else {
            idx[i] = (int32_t)ix;
            val[i] = pairs[2 * i + 1];
        }
    }
    if (st == LP_OK) st = one_row(s, (int32_t)size, n, idx, val, out);
    lp_free(pairs);
    lp_free(idx);
    lp_free(val);
    return st;
}

static const lp_method vectors_methods[] = {
    {"dense", v_dense, "*elements"},
    {"sparse", v_sparse, "size, *args"},
};

const lp_mlclass lp_ml_vectors = {
    .name = "Vectors", .module = "pyspark.ml.linalg", .role = LP_ML_NAMESPACE,
    .methods = vectors_methods, .nmethods = 2,
    .doc = "Factory for vectors: Vectors.dense([1.0, 2.0]) and Vectors.sparse(4, {1: 1.0, 3: 5.5}) (or "
           "Vectors.sparse(4, [1, 3], [1.0, 5.5])).",
};

/* ---- vector_to_array / array_to_vector ---- */

static lp_status v2a_bind(const lp_xfn *f, const lp_type *t, int n, lp_type *out, lp_diag *d) {
    (void)f;
    (void)n;
    if (t[0].kind != LP_VECTOR)
        return lp_diag_set(d, LP_ETYPE, "vector_to_array needs a vector column, got %s", lp_type_name(t[0]));
    *out = lp_type_list(LP_FLOAT64);
    return LP_OK;
}

static lp_status v2a_eval(const lp_xfn *f, lp_column *const *args, int n, int64_t nrows, lp_column **out, lp_diag *d) {
    (void)f;
    (void)n;
    (void)d;
    const lp_column *c = args[0];
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_list(LP_FLOAT64));
    lp_colbuf_reserve(&b, nrows, 0);
    for (int64_t r = 0; r < nrows; r++) {
        if (!lp_col_valid(c, r)) {
            lp_colbuf_append_null(&b);
            continue;
        }
        lp_value v = lp_column_get(c, r);
        lp_colbuf *ch = lp_colbuf_list_child(&b);
        if (!lp_colbuf_reserve(ch, v.u.vec.size, 0)) break;
        double *dst = (double *)ch->vals + ch->len;
        if (!v.u.vec.idx) {
            memcpy(dst, v.u.vec.val, sizeof(double) * (size_t)v.u.vec.nnz);
        } else {
            memset(dst, 0, sizeof(double) * (size_t)v.u.vec.size);
            for (int32_t k = 0; k < v.u.vec.nnz; k++) dst[v.u.vec.idx[k]] = v.u.vec.val[k];
        }
        ch->len += v.u.vec.size;
        lp_colbuf_list_end(&b);
    }
    return lp_colbuf_finish(&b, out);
}

static lp_status a2v_bind(const lp_xfn *f, const lp_type *t, int n, lp_type *out, lp_diag *d) {
    (void)f;
    (void)n;
    if (t[0].kind != LP_LIST || (t[0].elem != LP_FLOAT64 && t[0].elem != LP_INT64))
        return lp_diag_set(d, LP_ETYPE, "array_to_vector needs an array of numbers, got %s", lp_type_name(t[0]));
    *out = lp_type_of(LP_VECTOR);
    return LP_OK;
}

static lp_status a2v_eval(const lp_xfn *f, lp_column *const *args, int n, int64_t nrows, lp_column **out, lp_diag *d) {
    (void)f;
    (void)n;
    (void)d;
    const lp_column *c = args[0];
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_of(LP_VECTOR));
    lp_colbuf_reserve(&b, nrows, 0);
    double *tmp = NULL;
    int64_t tcap = 0;
    for (int64_t r = 0; r < nrows; r++) {
        if (!lp_col_valid(c, r)) {
            lp_colbuf_append_null(&b);
            continue;
        }
        int64_t o = c->v.off[r], m = c->v.off[r + 1] - o;
        const double *vals;
        if (c->child->type.kind == LP_FLOAT64 && !c->child->valid) {
            vals = c->child->v.f + o;
        } else {  /* ints, or null elements (NaN, as Spark's cast would fail instead) */
            if (m > tcap) {
                double *t2 = lp_realloc(tmp, sizeof(double) * (size_t)m);
                if (!t2) {
                    lp_free(tmp);
                    lp_colbuf_reset(&b);
                    return LP_ENOMEM;
                }
                tmp = t2;
                tcap = m;
            }
            for (int64_t k = 0; k < m; k++)
                tmp[k] = !lp_col_valid(c->child, o + k) ? NAN
                         : c->child->type.kind == LP_INT64 ? (double)c->child->v.i[o + k] : c->child->v.f[o + k];
            vals = tmp;
        }
        lp_colbuf_append_vec(&b, (int32_t)m, (int32_t)m, NULL, vals);
    }
    lp_free(tmp);
    return lp_colbuf_finish(&b, out);
}

static const lp_xfn v2a_fn = {.name = "vector_to_array", .bind = v2a_bind, .eval = v2a_eval, .min_args = 1, .max_args = 1};
static const lp_xfn a2v_fn = {.name = "array_to_vector", .bind = a2v_bind, .eval = a2v_eval, .min_args = 1, .max_args = 1};

static lp_status fn_call(loupe_session *s, const lp_mlclass *c, const lp_args *a, lp_val **out) {
    bool v2a = c == &lp_ml_vector_to_array;
    static const char *const p2[] = {"col", "dtype"};
    lp_val *v[2] = {0};
    lp_ast *ast[2] = {0};
    lp_status st = lp_args_bind(s, a, p2, v2a ? 2 : 1, v, ast);
    if (st != LP_OK) return st;
    if (!v[0]) return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() missing 1 required positional argument: 'col'", c->name);
    if (v[1] && (v[1]->kind != LV_STR || (strcmp(v[1]->u.s.p, "float64") != 0 && strcmp(v[1]->u.s.p, "float32") != 0)))
        return lp_err(s, LP_EVALUE, ast[1], "Unsupported dtype: %s. Valid values: float64, float32.",
                      v[1]->kind == LV_STR ? v[1]->u.s.p : lp_val_type_name(v[1]));
    lp_val *cv;
    if ((st = lp_to_col(s, v[0], ast[0], true, &cv)) != LP_OK) return st;
    lp_colv *nc = lp_colv_new();
    lp_expr *arg = nc ? lp_colv_import(nc, cv->u.col, a->start, a->end) : NULL;
    lp_val_unref(cv);
    if (arg) nc->e = lp_expr_xcall(&nc->arena, v2a ? &v2a_fn : &a2v_fn, &arg, 1, a->start, a->end);
    if (!nc || !nc->e) {
        lp_colv_free(nc);
        return nomem(s);
    }
    *out = lp_val_colv(&nc);
    return *out ? LP_OK : nomem(s);
}

const lp_mlclass lp_ml_vector_to_array = {
    .name = "vector_to_array", .module = "pyspark.ml.functions", .role = LP_ML_FUNCTION, .call = fn_call,
    .doc = "vector_to_array(col, dtype='float64'): a vector column as an array<double> column (sparse vectors "
           "filled with zeros).",
};

const lp_mlclass lp_ml_array_to_vector = {
    .name = "array_to_vector", .module = "pyspark.ml.functions", .role = LP_ML_FUNCTION, .call = fn_call,
    .doc = "array_to_vector(col): an array of numbers column as a dense vector column.",
};
