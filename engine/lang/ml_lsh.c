/* ml_lsh.c -- MinHashLSH and BucketedRandomProjectionLSH in the language: fit picks the hash
 * functions from the seed as Spark does (java.util.Random), transform adds the hash values
 * (array<vector>, one vector per table), approxSimilarityJoin and approxNearestNeighbors run the
 * engine's operator (exec/lsh.c) over the materialised inputs.
 *
 * Loupe extension: numHashesPerTable (default 1, Spark's only choice) puts several hash values
 * in each table's vector, so that a pair must agree on all of them in some table (AND within a
 * table, OR across tables): far fewer candidates for a high-similarity join.
 *
 * Until the struct type lands, the join's datasetA / datasetB are flattened: columns named
 * "datasetA.<column>", which col("datasetA.id") reads as Spark's struct field would.
 */
#include "lang/ml.h"
#include "exec/lsh.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static lp_status nomem(loupe_session *s) { return lp_diag_nomem(s->d, "LSH"); }

typedef struct lsh_state {
    lp_lsh h;
    int64_t *a, *b;
    double *proj;
} lsh_state;

static void state_free(void *p) {
    lsh_state *x = p;
    if (!x) return;
    lp_free(x->a);
    lp_free(x->b);
    lp_free(x->proj);
    lp_free(x);
}

static const char *positive_int(const lp_val *v) { return v->u.i > 0 ? NULL : "requirement failed: the value must be > 0"; }
static const char *positive_f(const lp_val *v) { return v->u.f > 0 ? NULL : "requirement failed: bucketLength must be > 0"; }
static const char *per_ok(const lp_val *v) {
    return v->u.i >= 1 && v->u.i <= 64 ? NULL : "requirement failed: numHashesPerTable must be between 1 and 64";
}

static const lp_mlparam mh_params[] = {
    {"inputCol", LP_MLP_STR, NULL, "input column name.", NULL, NULL},
    {"outputCol", LP_MLP_STR, "$uid__output", "output column name.", NULL, NULL},
    {"numHashTables", LP_MLP_INT, "1", "number of hash tables, where increasing number of hash tables lowers the false "
     "negative rate, and decreasing it improves the running performance.", positive_int, NULL},
    {"seed", LP_MLP_INT, "328749633", "random seed.", NULL, NULL},
    {"numHashesPerTable", LP_MLP_INT, "1", "(Loupe) hash values per table: a pair must agree on all of them in some "
     "table; 1 is Spark's MinHashLSH.", per_ok, NULL},
};

static const lp_mlparam brp_params[] = {
    {"inputCol", LP_MLP_STR, NULL, "input column name.", NULL, NULL},
    {"outputCol", LP_MLP_STR, "$uid__output", "output column name.", NULL, NULL},
    {"numHashTables", LP_MLP_INT, "1", "number of hash tables, where increasing number of hash tables lowers the false "
     "negative rate, and decreasing it improves the running performance.", positive_int, NULL},
    {"seed", LP_MLP_INT, "772209414", "random seed.", NULL, NULL},
    {"bucketLength", LP_MLP_FLOAT, NULL, "the length of each hash bucket, a larger bucket lowers the false negative "
     "rate.", positive_f, NULL},
    {"numHashesPerTable", LP_MLP_INT, "1", "(Loupe) hash values per table: a pair must agree on all of them in some "
     "table; 1 is Spark's.", per_ok, NULL},
};

/* ---- fit ---- */

static lp_status lsh_fit(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_mlobj **model) {
    bool brp = o->cls == &lp_ml_brp;
    int col;
    lp_status st = lp_ml_input(s, o, "inputCol", df, lp_type_of(LP_VECTOR), a, &col);
    if (st == LP_OK && brp) st = lp_ml_need(s, o, "bucketLength", a);
    if (st != LP_OK) return st;
    int T = (int)lp_ml_int(o, "numHashTables"), P = (int)lp_ml_int(o, "numHashesPerTable");
    if (T * P > 512)
        return lp_err_span(s, LP_EVALUE, a->start, a->end, "numHashTables x numHashesPerTable is %d; Loupe takes at most 512",
                           T * P);
    lsh_state *x = lp_calloc(1, sizeof *x);
    if (!x) return nomem(s);
    x->h = (lp_lsh){.kind = brp ? LP_LSH_BRP : LP_LSH_MINHASH, .ntables = T, .per = P};
    lp_jrandom r;
    lp_jrandom_init(&r, lp_ml_int(o, "seed"));
    if (!brp) {
        x->a = lp_malloc(sizeof *x->a * (size_t)(T * P));
        x->b = lp_malloc(sizeof *x->b * (size_t)(T * P));
        if (!x->a || !x->b) {
            state_free(x);
            return nomem(s);
        }
        for (int j = 0; j < T * P; j++) {  /* Spark: (1 + nextInt(prime - 1), nextInt(prime - 1)) */
            x->a[j] = 1 + lp_jrandom_int(&r, LP_LSH_PRIME - 1);
            x->b[j] = lp_jrandom_int(&r, LP_LSH_PRIME - 1);
        }
        x->h.a = x->a;
        x->h.b = x->b;
    } else {
        /* the dimension: the first vector's size (Spark reads it from the column's metadata) */
        lp_table *t = NULL;
        if ((st = lp_ml_run(s, df, &t)) != LP_OK) {
            state_free(x);
            return st;
        }
        int32_t dim = -1;
        for (int p = 0; p < t->nparts && dim < 0; p++) {
            const lp_column *c = t->parts[p].cols[col];
            for (int64_t i = 0; i < c->len && dim < 0; i++)
                if (lp_col_valid(c, i)) dim = lp_column_get(c, i).u.vec.size;
        }
        lp_table_unref(t);
        if (dim < 0) {
            state_free(x);
            return lp_err_span(s, LP_EVALUE, a->start, a->end, "BucketedRandomProjectionLSH.fit: no vectors to fit on");
        }
        x->proj = lp_malloc(sizeof *x->proj * (size_t)(T * P) * (size_t)(dim ? dim : 1));
        if (!x->proj) {
            state_free(x);
            return nomem(s);
        }
        for (int j = 0; j < T * P; j++) {  /* Spark: Array.fill(dim)(nextGaussian), normalised */
            double *u = x->proj + (size_t)j * (size_t)dim, norm = 0;
            for (int32_t k = 0; k < dim; k++) {
                u[k] = lp_jrandom_gaussian(&r);
                norm += u[k] * u[k];
            }
            norm = sqrt(norm);
            for (int32_t k = 0; k < dim && norm > 0; k++) u[k] /= norm;
        }
        x->h.proj = x->proj;
        x->h.dim = dim;
        x->h.bucket_len = lp_ml_float(o, "bucketLength");
    }
    lp_mlobj *m = lp_ml_new(brp ? &lp_ml_brp_model : &lp_ml_minhash_model);
    if (!m) {
        state_free(x);
        return nomem(s);
    }
    lp_ml_copy_params(m, o);
    m->state = x;
    *model = m;
    return LP_OK;
}

/* ---- transform: the hash values ---- */

static lp_status hash_bind(const lp_xfn *f, const lp_type *t, int n, lp_type *out, lp_diag *d) {
    (void)n;
    if (t[0].kind != LP_VECTOR)
        return lp_diag_set(d, LP_ETYPE, "requirement failed: %s: the input column must be a vector, got %s", f->name,
                           lp_type_name(t[0]));
    *out = lp_type_list(LP_VECTOR);
    return LP_OK;
}

static lp_status hash_eval(const lp_xfn *f, lp_column *const *args, int n, int64_t nrows, lp_column **out, lp_diag *d) {
    (void)n;
    const lsh_state *x = lp_ml_state(f->ctx);
    const lp_column *c = args[0];
    int T = x->h.ntables, P = x->h.per;
    double hv[512];
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_list(LP_VECTOR));
    lp_colbuf_reserve(&b, nrows, 0);
    lp_colbuf *ch = lp_colbuf_list_child(&b);
    lp_status st = LP_OK;
    for (int64_t r = 0; r < nrows; r++) {
        if (!lp_col_valid(c, r)) {
            lp_colbuf_append_null(&b);
            continue;
        }
        lp_value v = lp_column_get(c, r);
        if (!lp_lsh_hash(&x->h, &v, hv)) {
            st = lp_diag_set(d, LP_EVALUE, x->h.kind == LP_LSH_MINHASH ? "requirement failed: Must have at least 1 non zero entry."
                                                                       : "requirement failed: vector sizes differ");
            break;
        }
        for (int t = 0; t < T; t++) lp_colbuf_append_vec(ch, P, P, NULL, hv + (size_t)t * (size_t)P);
        lp_colbuf_list_end(&b);
    }
    if (st != LP_OK) {
        lp_colbuf_reset(&b);
        return st;
    }
    return lp_colbuf_finish(&b, out);
}

static lp_status hash_prep(loupe_session *s, lp_mlobj *o) {
    (void)s;
    o->xfn = (lp_xfn){.name = o->cls->name, .bind = hash_bind, .eval = hash_eval, .min_args = 1, .max_args = 1};
    return LP_OK;
}

/* ---- approxSimilarityJoin / approxNearestNeighbors ---- */

/* df with the hash column added when it lacks it (as Spark's join does), run to a table; *col
 * is the input column's index. */
static lp_status prepared_table(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_table **t, int *col) {
    lp_plan *p = NULL;
    lp_status st;
    const char *outc = lp_ml_str(o, "outputCol");
    if (outc && lp_plan_col_index(df, outc) < 0) st = lp_ml_transform_unary(s, o, df, a, &p);
    else st = (p = lp_plan_ref(df)) ? LP_OK : LP_OK;
    if (st != LP_OK) return st;
    st = lp_ml_input(s, o, "inputCol", p, lp_type_of(LP_VECTOR), a, col);
    if (st == LP_OK) st = lp_ml_run(s, p, t);
    lp_plan_unref(p);
    return st;
}

static lp_status engine_err(loupe_session *s, lp_status st, const lp_args *a) {
    if (s->d->span_start < 0) lp_diag_span(s->d, a->start, a->end);
    return st;
}

static lp_status m_join(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    static const char *const pn[] = {"datasetA", "datasetB", "threshold", "distCol"};
    lp_val *v[4];
    lp_ast *ast[4];
    lp_status st = lp_args_bind(s, a, pn, 4, v, ast);
    if (st != LP_OK) return st;
    for (int i = 0; i < 3; i++)
        if (!v[i]) return lp_err_span(s, LP_ETYPE, a->start, a->end, "approxSimilarityJoin() missing required argument '%s'", pn[i]);
    for (int i = 0; i < 2; i++)
        if (v[i]->kind != LV_DF) return lp_err(s, LP_ETYPE, ast[i], "%s must be a DataFrame, got %s", pn[i], lp_val_type_name(v[i]));
    double thr;
    if ((st = lp_want_float(s, v[2], ast[2], "threshold", &thr)) != LP_OK) return st;
    const char *dist = "distCol";
    if (v[3] && (st = lp_want_str(s, v[3], ast[3], "distCol", &dist)) != LP_OK) return st;
    lp_mlobj *o = lp_ml_obj(self);
    lp_table *ta = NULL, *tb = NULL, *res = NULL;
    int ca, cb;
    st = prepared_table(s, o, v[0]->u.df, a, &ta, &ca);
    if (st == LP_OK) st = prepared_table(s, o, v[1]->u.df, a, &tb, &cb);
    const lsh_state *x = lp_ml_state(o);
    if (st == LP_OK) {
        st = lp_lsh_join(&x->h, ta, ca, tb, cb, thr, "datasetA.", "datasetB.", dist, &res, NULL, s->d);
        if (st != LP_OK) engine_err(s, st, a);
    }
    lp_table_unref(ta);
    lp_table_unref(tb);
    if (st != LP_OK) return st;
    lp_plan *p = NULL;
    st = lp_plan_table(res, "approxSimilarityJoin", &p, s->d);
    lp_table_unref(res);
    if (st != LP_OK) return st;
    *out = lp_val_df(p);
    return *out ? LP_OK : nomem(s);
}

static lp_status m_nearest(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    static const char *const pn[] = {"dataset", "key", "numNearestNeighbors", "distCol"};
    lp_val *v[4];
    lp_ast *ast[4];
    lp_status st = lp_args_bind(s, a, pn, 4, v, ast);
    if (st != LP_OK) return st;
    for (int i = 0; i < 3; i++)
        if (!v[i]) return lp_err_span(s, LP_ETYPE, a->start, a->end, "approxNearestNeighbors() missing required argument '%s'", pn[i]);
    if (v[0]->kind != LV_DF) return lp_err(s, LP_ETYPE, ast[0], "dataset must be a DataFrame, got %s", lp_val_type_name(v[0]));
    if (v[1]->kind != LV_VECTOR)
        return lp_err(s, LP_ETYPE, ast[1], "key must be a vector (Vectors.sparse/dense), got %s", lp_val_type_name(v[1]));
    int64_t k;
    if ((st = lp_want_int(s, v[2], ast[2], "numNearestNeighbors", &k)) != LP_OK) return st;
    if (k <= 0) return lp_err(s, LP_EVALUE, ast[2], "numNearestNeighbors must be > 0");
    const char *dist = "distCol";
    if (v[3] && (st = lp_want_str(s, v[3], ast[3], "distCol", &dist)) != LP_OK) return st;
    lp_mlobj *o = lp_ml_obj(self);
    lp_table *t = NULL, *res = NULL;
    int c;
    if ((st = prepared_table(s, o, v[0]->u.df, a, &t, &c)) != LP_OK) return st;
    const lsh_state *x = lp_ml_state(o);
    lp_value key = lp_column_get(v[1]->u.vec.col, v[1]->u.vec.row);
    st = lp_lsh_nearest(&x->h, t, c, &key, k, dist, &res, s->d);
    lp_table_unref(t);
    if (st != LP_OK) return engine_err(s, st, a);
    lp_plan *p = NULL;
    st = lp_plan_table(res, "approxNearestNeighbors", &p, s->d);
    lp_table_unref(res);
    if (st != LP_OK) return st;
    *out = lp_val_df(p);
    return *out ? LP_OK : nomem(s);
}

static const lp_method model_methods[] = {
    {"approxSimilarityJoin", m_join, "datasetA, datasetB, threshold, distCol='distCol'"},
    {"approxNearestNeighbors", m_nearest, "dataset, key, numNearestNeighbors, distCol='distCol'"},
};

const lp_mlclass lp_ml_minhash = {
    .name = "MinHashLSH", .module = "pyspark.ml.feature", .role = LP_ML_ESTIMATOR,
    .params = mh_params, .nparams = 5, .model = &lp_ml_minhash_model, .fit = lsh_fit,
    .doc = "LSH for Jaccard distance over sparse vectors (each row a set: its non-zero indices). fit picks "
           "numHashTables hash functions h(i) = ((1 + i) * a + b) mod 2038074743 from the seed, as Spark does; the "
           "model's transform adds the min-hash values, approxSimilarityJoin(dfA, dfB, threshold) finds the pairs "
           "under a Jaccard distance, approxNearestNeighbors(df, key, k) the nearest rows to a key.",
};

const lp_mlclass lp_ml_minhash_model = {
    .name = "MinHashLSHModel", .module = "pyspark.ml.feature", .role = LP_ML_MODEL,
    .params = mh_params, .nparams = 5, .transform = lp_ml_transform_unary, .xprep = hash_prep,
    .state_free = state_free, .methods = model_methods, .nmethods = 2,
    .doc = "A fitted MinHashLSH: transform(df) adds the hash values (array<vector>, one per table); "
           "approxSimilarityJoin(datasetA, datasetB, threshold, distCol='distCol') returns the pairs whose Jaccard "
           "distance is below threshold among those sharing a hash in some table (a self-join returns each pair both "
           "ways, and each row with itself); approxNearestNeighbors(dataset, key, numNearestNeighbors).",
};

const lp_mlclass lp_ml_brp = {
    .name = "BucketedRandomProjectionLSH", .module = "pyspark.ml.feature", .role = LP_ML_ESTIMATOR,
    .params = brp_params, .nparams = 6, .model = &lp_ml_brp_model, .fit = lsh_fit,
    .doc = "LSH for Euclidean distance: each table projects the vector on a random unit vector and buckets the "
           "result by bucketLength (floor(x . u / bucketLength)).",
};

const lp_mlclass lp_ml_brp_model = {
    .name = "BucketedRandomProjectionLSHModel", .module = "pyspark.ml.feature", .role = LP_ML_MODEL,
    .params = brp_params, .nparams = 6, .transform = lp_ml_transform_unary, .xprep = hash_prep,
    .state_free = state_free, .methods = model_methods, .nmethods = 2,
    .doc = "A fitted BucketedRandomProjectionLSH: transform, approxSimilarityJoin and approxNearestNeighbors on "
           "Euclidean distance.",
};
