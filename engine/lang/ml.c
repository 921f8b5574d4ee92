/* ml.c -- the MLlib object framework: the class registry, params, the generic methods every
 * stage has (fit, transform, setX/getX, explainParams, ...), Pipeline, and the language's entry
 * points for ML values (attributes, calls, repr).
 *
 * See ml.h for the design. Runs on the session's thread only; the lp_xfn snapshots it hands to
 * plans are read by pool threads, never written after xprep.
 */
#include "lang/ml.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lp_status nomem(loupe_session *s) { return lp_diag_nomem(s->d, "ml"); }

/* ---- the registry ---- */

static const lp_mlclass *const classes[] = {
    &lp_ml_tokenizer, &lp_ml_regex_tokenizer, &lp_ml_stopwords, &lp_ml_ngram, &lp_ml_hashing_tf,
    &lp_ml_count_vectorizer, &lp_ml_count_vectorizer_model, &lp_ml_minhash, &lp_ml_minhash_model, &lp_ml_brp,
    &lp_ml_brp_model, &lp_ml_vectors, &lp_ml_vector_to_array, &lp_ml_array_to_vector, &lp_ml_pipeline,
    &lp_ml_pipeline_model, &lp_ml_vector_assembler, &lp_ml_bucketizer, &lp_ml_standard_scaler,
    &lp_ml_standard_scaler_model, &lp_ml_minmax_scaler, &lp_ml_minmax_scaler_model, &lp_ml_kmeans, &lp_ml_kmeans_model,
    &lp_ml_summarizer,
};

const lp_mlclass *const *lp_ml_classes(int *n) {
    *n = (int)LP_ARRAY_LEN(classes);
    return classes;
}

bool lp_ml_module(const char *m) {
    for (size_t i = 0; i < LP_ARRAY_LEN(classes); i++)
        if (strcmp(classes[i]->module, m) == 0) return true;
    return strcmp(m, "pyspark.ml") == 0;
}

const lp_mlclass *lp_ml_class(const char *module, const char *name) {
    for (size_t i = 0; i < LP_ARRAY_LEN(classes); i++)
        if (strcmp(classes[i]->name, name) == 0 &&
            (!module || strcmp(classes[i]->module, module) == 0 ||
             (strcmp(module, "pyspark.ml") == 0 && strncmp(classes[i]->module, "pyspark.ml", 10) == 0 &&
              (classes[i] == &lp_ml_pipeline || classes[i] == &lp_ml_pipeline_model))))
            return classes[i];
    return NULL;
}

/* ---- objects ---- */

static uint64_t uid_counter;

/* A default's text as a value: True/False, None, ints, floats, 'strings'. */
static lp_val *parse_default(const lp_mlparam *p, const char *uid) {
    const char *d = p->def;
    if (!d) return p->defv ? p->defv() : NULL;
    if (strcmp(d, "$uid__output") == 0) {
        char buf[80];
        snprintf(buf, sizeof buf, "%s__output", uid);
        return lp_val_str(buf, strlen(buf));
    }
    if (strcmp(d, "True") == 0 || strcmp(d, "False") == 0) return lp_val_bool(d[0] == 'T');
    if (strcmp(d, "None") == 0) return lp_val_none();
    if (d[0] == '\'') return lp_val_str(d + 1, strlen(d) - 2);
    if (p->type == LP_MLP_FLOAT) return lp_val_float(strtod(d, NULL));
    return lp_val_int(strtoll(d, NULL, 10));
}

static void obj_free(lp_mlobj *o) {
    for (int i = 0; o->vals && i < o->cls->nparams; i++) lp_val_unref(o->vals[i]);
    lp_free(o->vals);
    lp_free(o->isset);
    if (o->state && o->cls->state_free) o->cls->state_free(o->state);
    if (o->prep && o->cls->prep_free) o->cls->prep_free(o->prep);
    lp_ml_unref(o->owner);
    lp_free(o);
}

lp_mlobj *lp_ml_new(const lp_mlclass *c) {
    lp_mlobj *o = lp_calloc(1, sizeof *o);
    if (!o) return NULL;
    atomic_init(&o->refs, 1);
    o->cls = c;
    uint64_t h = lp_hash_u64(++uid_counter ^ 0x5eedULL);
    snprintf(o->uid, sizeof o->uid, "%s_%012llx", c->name, (unsigned long long)(h & 0xffffffffffffULL));
    o->vals = lp_calloc((size_t)c->nparams + 1, sizeof *o->vals);
    o->isset = lp_calloc((size_t)c->nparams + 1, sizeof *o->isset);
    if (!o->vals || !o->isset) {
        obj_free(o);
        return NULL;
    }
    for (int i = 0; i < c->nparams; i++)
        if ((c->params[i].def || c->params[i].defv) && !(o->vals[i] = parse_default(&c->params[i], o->uid))) {
            obj_free(o);
            return NULL;
        }
    return o;
}

lp_mlobj *lp_ml_ref(lp_mlobj *o) {
    if (o) atomic_fetch_add(&o->refs, 1);
    return o;
}

void lp_ml_unref(lp_mlobj *o) {
    if (o && atomic_fetch_sub(&o->refs, 1) == 1) obj_free(o);
}

lp_val *lp_val_ml(lp_mlobj *o) {
    if (!o) return NULL;
    lp_val *v = lp_val_new(LV_ML);
    if (!v) {
        lp_ml_unref(o);
        return NULL;
    }
    v->u.ml = o;
    return v;
}

/* A frozen copy of o's params reading o's state: what a lazy plan holds. */
static lp_mlobj *snapshot(const lp_mlobj *o) {
    lp_mlobj *c = lp_calloc(1, sizeof *c);
    if (!c) return NULL;
    atomic_init(&c->refs, 1);
    c->cls = o->cls;
    memcpy(c->uid, o->uid, sizeof c->uid);
    c->vals = lp_calloc((size_t)o->cls->nparams + 1, sizeof *c->vals);
    c->isset = lp_calloc((size_t)o->cls->nparams + 1, sizeof *c->isset);
    if (!c->vals || !c->isset) {
        obj_free(c);
        return NULL;
    }
    for (int i = 0; i < o->cls->nparams; i++) {
        c->vals[i] = lp_val_ref(o->vals[i]);
        c->isset[i] = o->isset[i];
    }
    c->owner = lp_ml_ref(o->owner ? o->owner : (lp_mlobj *)o);
    return c;
}

/* ---- params ---- */

int lp_ml_param_index(const lp_mlclass *c, const char *name) {
    for (int i = 0; i < c->nparams; i++)
        if (strcmp(c->params[i].name, name) == 0) return i;
    return -1;
}

const lp_val *lp_ml_get(const lp_mlobj *o, const char *name) {
    int i = lp_ml_param_index(o->cls, name);
    return i < 0 ? NULL : o->vals[i];
}

const char *lp_ml_str(const lp_mlobj *o, const char *name) {
    const lp_val *v = lp_ml_get(o, name);
    return v && v->kind == LV_STR ? v->u.s.p : NULL;
}

int64_t lp_ml_int(const lp_mlobj *o, const char *name) {
    const lp_val *v = lp_ml_get(o, name);
    return v && v->kind == LV_INT ? v->u.i : v && v->kind == LV_FLOAT ? (int64_t)v->u.f : 0;
}

double lp_ml_float(const lp_mlobj *o, const char *name) {
    const lp_val *v = lp_ml_get(o, name);
    return v && v->kind == LV_FLOAT ? v->u.f : v && v->kind == LV_INT ? (double)v->u.i : 0.0;
}

bool lp_ml_bool(const lp_mlobj *o, const char *name) {
    const lp_val *v = lp_ml_get(o, name);
    return v && v->kind == LV_BOOL && v->u.b;
}

static lp_status bad_value(loupe_session *s, const lp_ast *at, const lp_mlparam *p, const char *why) {
    lp_err(s, LP_ETYPE, at, "Invalid param value given for param \"%s\". %s", p->name, why);
    lp_hint(s, "%s: %s", p->name, p->doc);
    return LP_ETYPE;
}

lp_status lp_ml_set(loupe_session *s, lp_mlobj *o, const char *name, lp_val *v, const lp_ast *at) {
    int i = lp_ml_param_index(o->cls, name);
    if (i < 0) return lp_err(s, LP_ENAME, at, "%s has no param '%s'", o->cls->name, name);
    const lp_mlparam *p = &o->cls->params[i];
    lp_val *nv = NULL;
    char why[200];
    lp_strbuf r;
    lp_strbuf_init(&r);
    lp_val_repr(v, &r);
    const char *shown = r.p ? r.p : "?";
    switch (p->type) {
    case LP_MLP_STR:
        if (v->kind == LV_STR) nv = lp_val_ref(v);
        else snprintf(why, sizeof why, "Could not convert <class '%s'> to string type", lp_val_type_name(v));
        break;
    case LP_MLP_INT:
        if (v->kind == LV_INT) nv = lp_val_ref(v);
        else if (v->kind == LV_FLOAT && v->u.f == (double)(int64_t)v->u.f) nv = lp_val_int((int64_t)v->u.f);
        else snprintf(why, sizeof why, "Could not convert %.120s to int", shown);
        break;
    case LP_MLP_FLOAT:
        if (v->kind == LV_FLOAT) nv = lp_val_ref(v);
        else if (v->kind == LV_INT) nv = lp_val_float((double)v->u.i);
        else snprintf(why, sizeof why, "Could not convert %.120s to float", shown);
        break;
    case LP_MLP_BOOL:
        if (v->kind == LV_BOOL) nv = lp_val_ref(v);
        else snprintf(why, sizeof why, "Boolean Param requires value of type bool. Found <class '%s'>.", lp_val_type_name(v));
        break;
    case LP_MLP_FLOATSS: {  /* a list of lists of numbers: ints become floats */
        bool ok = v->kind == LV_LIST || v->kind == LV_TUPLE;
        for (int k = 0; ok && k < v->u.list.n; k++) {
            const lp_val *l = v->u.list.v[k];
            ok = l->kind == LV_LIST || l->kind == LV_TUPLE;
            for (int j = 0; ok && j < l->u.list.n; j++) ok = l->u.list.v[j]->kind == LV_FLOAT || l->u.list.v[j]->kind == LV_INT;
        }
        if (!ok) {
            snprintf(why, sizeof why, "Could not convert %.120s to list of list of floats", shown);
            break;
        }
        nv = lp_val_list(LV_LIST, v->u.list.n);
        for (int k = 0; nv && k < v->u.list.n; k++) {
            const lp_val *l = v->u.list.v[k];
            lp_val *e = lp_val_list(LV_LIST, l->u.list.n);
            for (int j = 0; e && j < l->u.list.n; j++) {
                const lp_val *x = l->u.list.v[j];
                if (!(e->u.list.v[j] = lp_val_float(x->kind == LV_INT ? (double)x->u.i : x->u.f))) {
                    lp_val_unref(e);
                    e = NULL;
                }
            }
            if (!(nv->u.list.v[k] = e)) {
                lp_val_unref(nv);
                nv = NULL;
            }
        }
        if (!nv) {
            lp_strbuf_reset(&r);
            return nomem(s);
        }
        break;
    }
    case LP_MLP_STRS:
    case LP_MLP_FLOATS:
    case LP_MLP_STAGES: {
        bool ok = v->kind == LV_LIST || v->kind == LV_TUPLE;
        for (int k = 0; ok && k < v->u.list.n; k++) {
            lp_vkind ek = v->u.list.v[k]->kind;
            ok = p->type == LP_MLP_STRS ? ek == LV_STR : p->type == LP_MLP_FLOATS ? ek == LV_FLOAT || ek == LV_INT : ek == LV_ML;
        }
        if (ok && p->type == LP_MLP_FLOATS) {  /* ints become floats */
            nv = lp_val_list(LV_LIST, v->u.list.n);
            for (int k = 0; nv && k < v->u.list.n; k++) {
                lp_val *e = v->u.list.v[k];
                if (!(nv->u.list.v[k] = e->kind == LV_INT ? lp_val_float((double)e->u.i) : lp_val_ref(e))) {
                    lp_val_unref(nv);
                    nv = NULL;
                }
            }
            if (!nv) {
                lp_strbuf_reset(&r);
                return nomem(s);
            }
        } else if (ok) {
            nv = lp_val_ref(v);
        } else {
            snprintf(why, sizeof why, "Could not convert %.120s to %s", shown,
                     p->type == LP_MLP_STRS ? "list of strings" : p->type == LP_MLP_FLOATS ? "list of floats" : "a list of stages");
        }
        break;
    }
    }
    lp_strbuf_reset(&r);
    if (!nv) {
        if (v->kind == LV_NONE) snprintf(why, sizeof why, "None is not a valid value for %s", p->name);
        return bad_value(s, at, p, why);
    }
    const char *bad = p->check ? p->check(nv) : NULL;
    if (bad) {
        lp_val_unref(nv);
        lp_err(s, LP_EVALUE, at, "%s", bad);
        lp_hint(s, "%s: %s", p->name, p->doc);
        return LP_EVALUE;
    }
    lp_val_unref(o->vals[i]);
    o->vals[i] = nv;
    o->isset[i] = true;
    return LP_OK;
}

void lp_ml_copy_params(lp_mlobj *dst, const lp_mlobj *src) {
    for (int i = 0; i < src->cls->nparams; i++) {
        int j = lp_ml_param_index(dst->cls, src->cls->params[i].name);
        if (j < 0 || !src->vals[i]) continue;
        /* Spark's default output column names the estimator; the model keeps it */
        lp_val_unref(dst->vals[j]);
        dst->vals[j] = lp_val_ref(src->vals[i]);
        dst->isset[j] = src->isset[i];
    }
}

lp_status lp_ml_need(loupe_session *s, const lp_mlobj *o, const char *name, const lp_args *a) {
    const lp_val *v = lp_ml_get(o, name);
    if (v && v->kind != LV_NONE) return LP_OK;
    lp_err_span(s, LP_EVALUE, a->start, a->end, "%s: param %s is not set", o->cls->name, name);
    char set[64];
    snprintf(set, sizeof set, "set%c%s", toupper((unsigned char)name[0]), name + 1);
    lp_hint(s, "give it when creating the stage (%s(%s=...)) or call .%s(...)", o->cls->name, name, set);
    return LP_EVALUE;
}

/* ---- hooks' helpers ---- */

lp_status lp_ml_run(loupe_session *s, lp_plan *df, lp_table **out) { return lp_sess_execute(s, df, -1, out); }

lp_status lp_ml_input(loupe_session *s, const lp_mlobj *o, const char *param, lp_plan *df, lp_type want,
                      const lp_args *a, int *col) {
    lp_status st = lp_ml_need(s, o, param, a);
    if (st != LP_OK) return st;
    const char *name = lp_ml_str(o, param);
    int i = lp_plan_col_index(df, name);
    if (i < 0) {
        const char *cands[256];
        int nc = 0;
        for (int k = 0; k < df->ncols && nc < 256; k++) cands[nc++] = df->names[k];
        lp_err_span(s, LP_ENAME, a->start, a->end, "%s: the %s column '%s' does not exist", o->cls->name, param, name);
        const char *c = lp_expr_closest(name, cands, nc);
        if (c) lp_hint(s, "did you mean '%s'?", c);
        return LP_ENAME;
    }
    if (want.kind != LP_NULLTYPE && !lp_type_eq(df->types[i], want)) {
        lp_err_span(s, LP_ETYPE, a->start, a->end,
                    "requirement failed: Column %s must be of type %s but was actually of type %s.", name,
                    lp_type_name(want), lp_type_name(df->types[i]));
        return LP_ETYPE;
    }
    *col = i;
    return LP_OK;
}

static void xfn_ref(const lp_xfn *f) { lp_ml_ref(f->ctx); }
static void xfn_unref(const lp_xfn *f) { lp_ml_unref(f->ctx); }

/* A snapshot of o with its xfn prepared; the caller unrefs it. */
static lp_status prepared(loupe_session *s, lp_mlobj *o, lp_mlobj **out) {
    *out = NULL;
    if (!o->cls->xprep)
        return lp_err_span(s, LP_EUNSUPPORTED, -1, -1, "%s cannot be used as an expression", o->cls->name);
    lp_mlobj *snap = snapshot(o);
    if (!snap) return nomem(s);
    lp_status st = o->cls->xprep(s, snap);
    if (st != LP_OK) {
        lp_ml_unref(snap);
        return st;
    }
    snap->xfn.ctx = snap;
    snap->xfn.ref = xfn_ref;
    snap->xfn.unref = xfn_unref;
    *out = snap;
    return LP_OK;
}

static lp_status output_free(loupe_session *s, const lp_mlobj *o, lp_plan *df, const lp_args *a) {
    const char *outc = lp_ml_str(o, "outputCol");
    if (outc && lp_plan_col_index(df, outc) >= 0)
        return lp_err_span(s, LP_EVALUE, a->start, a->end, "requirement failed: Column %s already exists.", outc);
    return LP_OK;
}

static lp_status transform_cols(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, const char *const *in,
                                int nin, lp_plan **out) {
    lp_status st = lp_ml_need(s, o, "outputCol", a);
    if (st == LP_OK) st = output_free(s, o, df, a);
    if (st != LP_OK) return st;
    lp_mlobj *snap;
    if ((st = prepared(s, o, &snap)) != LP_OK) return st;
    lp_expr **args = lp_arena_zalloc(s->arena, sizeof *args * (size_t)(nin + 1));
    for (int i = 0; args && i < nin; i++)
        if (!(args[i] = lp_expr_col(s->arena, in[i], (size_t)-1, a->start, a->end))) args = NULL;
    lp_expr *x = args ? lp_expr_xcall(s->arena, &snap->xfn, args, nin, a->start, a->end) : NULL;
    lp_ml_unref(snap);  /* the node holds it now */
    if (!x) return nomem(s);
    return lp_df_with_column(s, df, lp_ml_str(o, "outputCol"), x, out);
}

lp_status lp_ml_transform_unary(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_plan **out) {
    int col;
    lp_status st = lp_ml_input(s, o, "inputCol", df, lp_type_of(LP_NULLTYPE), a, &col);
    if (st != LP_OK) return st;
    const char *name = df->names[col];
    return transform_cols(s, o, df, a, &name, 1, out);
}

lp_status lp_ml_transform_multi(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_plan **out) {
    lp_status st = lp_ml_need(s, o, "inputCols", a);
    if (st != LP_OK) return st;
    const lp_val *l = lp_ml_get(o, "inputCols");
    const char **names = lp_arena_zalloc(s->arena, sizeof *names * (size_t)(l->u.list.n + 1));
    if (!names) return nomem(s);
    for (int i = 0; i < l->u.list.n; i++) names[i] = l->u.list.v[i]->u.s.p;
    return transform_cols(s, o, df, a, names, l->u.list.n, out);
}

/* ---- Pipeline ---- */

static lp_val *no_stages(void) { return lp_val_list(LV_LIST, 0); }

static const lp_mlparam pipeline_params[] = {
    {"stages", LP_MLP_STAGES, NULL, "a list of pipeline stages.", NULL, no_stages},
};

static void stages_free(void *p) { lp_val_unref(p); }

/* Runs the stages over df: fitting estimators when `models` is not NULL (their models go into
 * models, transformers as they are). */
static lp_status run_stages(loupe_session *s, const lp_val *stages, lp_plan *df, const lp_args *a, lp_val *models,
                            lp_plan **out) {
    lp_plan *cur = lp_plan_ref(df);
    lp_status st = LP_OK;
    int n = stages->u.list.n;
    for (int i = 0; st == LP_OK && i < n; i++) {
        lp_mlobj *o = lp_ml_obj(stages->u.list.v[i]);
        lp_mlobj *use = lp_ml_ref(o);
        if (o->cls->role == LP_ML_ESTIMATOR) {
            if (!models) {
                st = lp_err_span(s, LP_ETYPE, a->start, a->end, "a PipelineModel holds no estimators");
                lp_ml_unref(use);
                break;
            }
            lp_ml_unref(use);
            use = NULL;
            st = o->cls->fit(s, o, cur, a, &use);
            if (st != LP_OK) break;
        } else if (!o->cls->transform) {
            lp_ml_unref(use);
            st = lp_err_span(s, LP_ETYPE, a->start, a->end, "stage %d (%s) is neither a Transformer nor an Estimator", i,
                             o->cls->name);
            break;
        }
        if (models && !(models->u.list.v[i] = lp_val_ml(lp_ml_ref(use)))) st = nomem(s);
        /* the last estimator's model need not transform during fit, but Spark's does: keep it
         * (transform is lazy anyway) */
        lp_plan *next = NULL;
        if (st == LP_OK) st = use->cls->transform(s, use, cur, a, &next);
        lp_ml_unref(use);
        if (st == LP_OK) {
            lp_plan_unref(cur);
            cur = next;
        }
    }
    if (st != LP_OK) {
        lp_plan_unref(cur);
        return st;
    }
    *out = cur;
    return LP_OK;
}

static lp_status pipeline_fit(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_mlobj **model) {
    const lp_val *stages = lp_ml_get(o, "stages");
    lp_val *models = lp_val_list(LV_LIST, stages->u.list.n);
    if (!models) return nomem(s);
    lp_plan *p = NULL;
    lp_status st = run_stages(s, stages, df, a, models, &p);
    lp_plan_unref(p);
    lp_mlobj *m = st == LP_OK ? lp_ml_new(&lp_ml_pipeline_model) : NULL;
    if (st == LP_OK && !m) st = nomem(s);
    if (st != LP_OK) {
        lp_val_unref(models);
        return st;
    }
    m->state = models;
    *model = m;
    return LP_OK;
}

static lp_status pipeline_model_transform(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_plan **out) {
    return run_stages(s, lp_ml_state(o), df, a, NULL, out);
}

static lp_status pm_stages(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)a;
    *out = lp_val_ref(lp_ml_state(lp_ml_obj(self)));
    return *out ? LP_OK : nomem(s);
}

static const lp_method pipeline_model_methods[] = {{"stages", pm_stages, NULL}};

const lp_mlclass lp_ml_pipeline = {
    .name = "Pipeline", .module = "pyspark.ml.pipeline", .role = LP_ML_ESTIMATOR,
    .params = pipeline_params, .nparams = 1, .model = &lp_ml_pipeline_model, .fit = pipeline_fit,
    .doc = "A simple pipeline: a sequence of stages, each a Transformer or an Estimator. fit(df) runs them in order: "
           "a transformer transforms the data for the next stage, an estimator is fit on it and its model "
           "transforms it. Returns a PipelineModel of the transformers and fitted models.",
};

const lp_mlclass lp_ml_pipeline_model = {
    .name = "PipelineModel", .module = "pyspark.ml.pipeline", .role = LP_ML_MODEL,
    .transform = pipeline_model_transform, .state_free = stages_free,
    .methods = pipeline_model_methods, .nmethods = 1,
    .doc = "The fitted pipeline: transform(df) applies every stage in order. .stages lists them.",
};

/* ---- generic methods ---- */

static void str_of(const lp_val *v, lp_strbuf *b) {
    if (v->kind == LV_STR) lp_strbuf_puts(b, v->u.s.p);
    else lp_val_repr(v, b);
}

static void explain_one(const lp_mlobj *o, int i, lp_strbuf *b) {
    const lp_mlparam *p = &o->cls->params[i];
    lp_strbuf_printf(b, "%s: %s (", p->name, p->doc);
    bool def = p->def || p->defv;
    if (def) {
        lp_strbuf_puts(b, "default: ");
        lp_val *d = parse_default(p, o->uid);
        if (d) str_of(d, b);
        lp_val_unref(d);
    }
    if (o->isset[i]) {
        lp_strbuf_puts(b, def ? ", current: " : "current: ");
        str_of(o->vals[i], b);
    } else if (!def) {
        lp_strbuf_puts(b, "undefined");
    }
    lp_strbuf_putc(b, ')');
}

static int param_cmp(const void *x, const void *y) {
    return strcmp((*(const lp_mlparam *const *)x)->name, (*(const lp_mlparam *const *)y)->name);
}

static lp_status text_out(loupe_session *s, lp_strbuf *b, lp_val **out) {
    if (b->nomem) {
        lp_strbuf_reset(b);
        return nomem(s);
    }
    *out = lp_val_str(b->p ? b->p : "", b->len);
    lp_strbuf_reset(b);
    return *out ? LP_OK : nomem(s);
}

/* The param named by a string argument (or a Param's name): its index, or an error. */
static lp_status param_arg(loupe_session *s, lp_mlobj *o, const lp_args *a, int *idx) {
    lp_val *v;
    lp_ast *at;
    lp_status st = lp_args_one(s, a, "param", true, &v, &at);
    if (st != LP_OK) return st;
    if (v->kind != LV_STR) return lp_err(s, LP_ETYPE, at, "%s() takes the param's name as a str", a->fname);
    *idx = lp_ml_param_index(o->cls, v->u.s.p);
    if (*idx < 0) {
        const char *cands[64];
        int nc = 0;
        for (int i = 0; i < o->cls->nparams && nc < 64; i++) cands[nc++] = o->cls->params[i].name;
        lp_err(s, LP_ENAME, at, "Param %s does not exist.", v->u.s.p);
        const char *c = lp_expr_closest(v->u.s.p, cands, nc);
        if (c) lp_hint(s, "did you mean '%s'?", c);
        return LP_ENAME;
    }
    return LP_OK;
}

static lp_status want_df(loupe_session *s, const lp_args *a, lp_plan **df) {
    lp_val *v;
    lp_ast *at;
    lp_status st = lp_args_one(s, a, "dataset", true, &v, &at);
    if (st != LP_OK) return st;
    if (v->kind != LV_DF) return lp_err(s, LP_ETYPE, at, "%s() takes a DataFrame, got %s", a->fname, lp_val_type_name(v));
    *df = v->u.df;
    return LP_OK;
}

static lp_status set_kwargs(loupe_session *s, lp_mlobj *o, const lp_args *a, const char *what) {
    if (a->npos > 0)
        return lp_err(s, LP_ETYPE, a->pos_ast[0], "Method %s forces keyword arguments.", what);
    for (int k = 0; k < a->nkw; k++) {
        if (lp_ml_param_index(o->cls, a->kwname[k]) < 0) {
            const char *cands[64];
            int nc = 0;
            for (int i = 0; i < o->cls->nparams && nc < 64; i++) cands[nc++] = o->cls->params[i].name;
            lp_err(s, LP_ETYPE, a->kw_ast[k], "%s() got an unexpected keyword argument '%s'", what, a->kwname[k]);
            const char *c = lp_expr_closest(a->kwname[k], cands, nc);
            if (c) lp_hint(s, "did you mean '%s'?", c);
            else if (nc) {
                char list[300] = "";
                for (int i = 0; i < nc && strlen(list) < 240; i++) {
                    strcat(list, i ? ", " : "");
                    strncat(list, cands[i], 40);
                }
                lp_hint(s, "%s takes: %s", o->cls->name, list);
            }
            return LP_ETYPE;
        }
        lp_status st = lp_ml_set(s, o, a->kwname[k], a->kw[k], a->kw_ast[k]);
        if (st != LP_OK) return st;
    }
    return LP_OK;
}

lp_status lp_ml_construct(loupe_session *s, const lp_mlclass *c, const lp_args *a, lp_val **out) {
    if (c->role == LP_ML_FUNCTION) return c->call(s, c, a, out);
    if (c->role == LP_ML_NAMESPACE)
        return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s is a namespace: call its functions, e.g. %s.%s(...)", c->name,
                           c->name, c->nmethods ? c->methods[0].name : "?");
    if (c->role == LP_ML_MODEL && c != &lp_ml_pipeline_model) {
        lp_err_span(s, LP_ETYPE, a->start, a->end, "%s is made by fit(), not called directly", c->name);
        return LP_ETYPE;
    }
    lp_mlobj *o = lp_ml_new(c);
    if (!o) return nomem(s);
    lp_status st = set_kwargs(s, o, a, "__init__");
    if (st != LP_OK) {
        lp_ml_unref(o);
        return st;
    }
    *out = lp_val_ml(o);
    return *out ? LP_OK : nomem(s);
}

/* The generic methods, by role: 1 every stage, 2 transform (transformers, models), 4 fit. */
static const struct { const char *name; int roles; const char *params; } generic[] = {
    {"transform", 2, "dataset"}, {"fit", 4, "dataset"}, {"explainParams", 1, ""}, {"explainParam", 1, "param"},
    {"getOrDefault", 1, "param"}, {"isSet", 1, "param"}, {"isDefined", 1, "param"}, {"hasParam", 1, "paramName"},
    {"setParams", 1, "**kwargs"}, {"copy", 1, ""}, {"uid", 1, NULL},
};

static int role_bits(const lp_mlclass *c) {
    return 1 | (c->role == LP_ML_TRANSFORMER || c->role == LP_ML_MODEL ? 2 : 0) | (c->role == LP_ML_ESTIMATOR ? 4 : 0);
}

static const lp_method *class_method(const lp_mlclass *c, const char *name) {
    for (int i = 0; i < c->nmethods; i++)
        if (strcmp(c->methods[i].name, name) == 0) return &c->methods[i];
    return NULL;
}

/* setX / getX: the param index, or -1. */
static int accessor(const lp_mlclass *c, const char *name, bool *set) {
    if ((strncmp(name, "set", 3) != 0 && strncmp(name, "get", 3) != 0) || !name[3]) return -1;
    *set = name[0] == 's';
    for (int i = 0; i < c->nparams; i++) {
        const char *p = c->params[i].name;
        if (tolower((unsigned char)name[3]) == p[0] && strcmp(name + 4, p + 1) == 0 && isupper((unsigned char)name[3]))
            return i;
    }
    return -1;
}

static lp_val *method_val(lp_val *self, const char *name) {
    lp_val *m = lp_val_new(LV_METHOD);
    if (!m) return NULL;
    m->u.method.self = lp_val_ref(self);
    snprintf(m->u.method.name, sizeof m->u.method.name, "%s", name);
    return m;
}

int lp_ml_method_names(const lp_val *v, const char **names, int cap) {
    const lp_mlclass *c = v->kind == LV_ML ? v->u.ml->cls : v->u.mlcls;
    int n = 0;
    if (v->kind == LV_ML) {
        int bits = role_bits(c);
        for (size_t i = 0; i < LP_ARRAY_LEN(generic) && n < cap; i++)
            if (generic[i].roles & bits) names[n++] = generic[i].name;
        static _Thread_local char acc[64][56];
        for (int i = 0; i < c->nparams && n + 1 < cap && 2 * i + 1 < 64; i++) {
            snprintf(acc[2 * i], 56, "get%c%s", toupper((unsigned char)c->params[i].name[0]), c->params[i].name + 1);
            snprintf(acc[2 * i + 1], 56, "set%c%s", toupper((unsigned char)c->params[i].name[0]), c->params[i].name + 1);
            names[n++] = acc[2 * i];
            names[n++] = acc[2 * i + 1];
        }
    }
    for (int i = 0; i < c->nmethods && n < cap; i++) names[n++] = c->methods[i].name;
    return n;
}

lp_status lp_ml_getattr(loupe_session *s, lp_val *obj, const char *name, const lp_ast *n, lp_val **out) {
    if (obj->kind == LV_VECTOR) return lp_mlvec_getattr(s, obj, name, n, out);
    const lp_mlclass *c = obj->kind == LV_ML ? obj->u.ml->cls : obj->u.mlcls;
    const lp_method *m = class_method(c, name);
    lp_args a = {.fname = name, .start = n ? n->start : -1, .end = n ? n->end : -1};
    if (m && !m->params) return m->fn(s, obj, &a, out);
    if (m) {
        *out = method_val(obj, name);
        return *out ? LP_OK : nomem(s);
    }
    if (obj->kind == LV_ML) {
        int bits = role_bits(c);
        for (size_t i = 0; i < LP_ARRAY_LEN(generic); i++)
            if (strcmp(generic[i].name, name) == 0 && (generic[i].roles & bits)) {
                if (!generic[i].params) {
                    *out = lp_val_str(obj->u.ml->uid, strlen(obj->u.ml->uid));
                    return *out ? LP_OK : nomem(s);
                }
                *out = method_val(obj, name);
                return *out ? LP_OK : nomem(s);
            }
        bool set;
        if (accessor(c, name, &set) >= 0) {
            *out = method_val(obj, name);
            return *out ? LP_OK : nomem(s);
        }
        /* a param read as an attribute (tok.inputCol) is a Param object in PySpark: its name here */
        int pi = lp_ml_param_index(c, name);
        if (pi >= 0) {
            *out = lp_val_str(name, strlen(name));
            return *out ? LP_OK : nomem(s);
        }
    }
    const char *cands[160];
    int nc = lp_ml_method_names(obj, cands, 150);
    lp_err_span(s, LP_ENAME, n ? n->op_start : -1, n ? n->end : -1, "'%s' object has no attribute '%s'", c->name, name);
    const char *best = lp_expr_closest(name, cands, nc);
    if (best) lp_hint(s, "did you mean '%s'?", best);
    else if (strcmp(name, "fit") == 0) lp_hint(s, "%s is a Transformer: call transform(df) directly", c->name);
    else if (strcmp(name, "transform") == 0) lp_hint(s, "%s is an Estimator: fit(df) first, then transform with the model", c->name);
    return LP_ENAME;
}

lp_status lp_ml_call(loupe_session *s, lp_val *self, const char *name, const lp_args *a0, lp_val **out) {
    if (self->kind == LV_VECTOR) return lp_mlvec_call(s, self, name, a0, out);
    lp_args args = *a0;
    args.fname = name;
    const lp_args *a = &args;
    const lp_mlclass *c = self->kind == LV_ML ? self->u.ml->cls : self->u.mlcls;
    const lp_method *m = class_method(c, name);
    if (m) return m->fn(s, self, a, out);
    lp_mlobj *o = self->u.ml;
    lp_status st;
    bool set;
    int pi = accessor(c, name, &set);
    if (pi >= 0) {
        const lp_mlparam *p = &c->params[pi];
        if (set) {
            lp_val *v;
            lp_ast *at;
            if ((st = lp_args_one(s, a, "value", true, &v, &at)) != LP_OK) return st;
            if ((st = lp_ml_set(s, o, p->name, v, at)) != LP_OK) return st;
            *out = lp_val_ref(self);
            return LP_OK;
        }
        if (a->npos || a->nkw) return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() takes no arguments", name);
        if (!o->vals[pi]) {
            lp_err_span(s, LP_ENAME, a->start, a->end, "Failed to find a default value for %s", p->name);
            char sn[64];
            snprintf(sn, sizeof sn, "set%c%s", toupper((unsigned char)p->name[0]), p->name + 1);
            lp_hint(s, "set it first: .%s(...)", sn);
            return LP_ENAME;
        }
        *out = lp_val_ref(o->vals[pi]);
        return LP_OK;
    }
    if (strcmp(name, "transform") == 0 || strcmp(name, "fit") == 0) {
        lp_plan *df = NULL, *p = NULL;
        if ((st = want_df(s, a, &df)) != LP_OK) return st;
        if (name[0] == 't') {
            st = c->transform(s, o, df, a, &p);
            if (st != LP_OK) return st;
            *out = lp_val_df(p);
            return *out ? LP_OK : nomem(s);
        }
        lp_mlobj *model = NULL;
        if ((st = c->fit(s, o, df, a, &model)) != LP_OK) return st;
        *out = lp_val_ml(model);
        return *out ? LP_OK : nomem(s);
    }
    if (strcmp(name, "explainParams") == 0) {
        if (a->npos || a->nkw) return lp_err_span(s, LP_ETYPE, a->start, a->end, "explainParams() takes no arguments");
        const lp_mlparam *ps[64];
        int np = LP_MIN(c->nparams, 64);
        for (int i = 0; i < np; i++) ps[i] = &c->params[i];
        qsort(ps, (size_t)np, sizeof *ps, param_cmp);
        lp_strbuf b;
        lp_strbuf_init(&b);
        for (int i = 0; i < np; i++) {
            if (i) lp_strbuf_putc(&b, '\n');
            explain_one(o, (int)(ps[i] - c->params), &b);
        }
        return text_out(s, &b, out);
    }
    if (strcmp(name, "setParams") == 0) {
        if ((st = set_kwargs(s, o, a, "setParams")) != LP_OK) return st;
        *out = lp_val_ref(self);
        return LP_OK;
    }
    if (strcmp(name, "copy") == 0) {
        lp_mlobj *cp = snapshot(o);
        if (!cp) return nomem(s);
        lp_ml_unref(cp->owner);
        cp->owner = NULL;
        if (o->owner || o->state) cp->owner = lp_ml_ref(o->owner ? o->owner : o);
        *out = lp_val_ml(cp);
        return *out ? LP_OK : nomem(s);
    }
    if (strcmp(name, "hasParam") == 0) {
        lp_val *v;
        lp_ast *at;
        if ((st = lp_args_one(s, a, "paramName", true, &v, &at)) != LP_OK) return st;
        *out = lp_val_bool(v->kind == LV_STR && lp_ml_param_index(c, v->u.s.p) >= 0);
        return *out ? LP_OK : nomem(s);
    }
    int idx = 0;
    if ((st = param_arg(s, o, a, &idx)) != LP_OK) return st;
    if (strcmp(name, "explainParam") == 0) {
        lp_strbuf b;
        lp_strbuf_init(&b);
        explain_one(o, idx, &b);
        return text_out(s, &b, out);
    }
    if (strcmp(name, "isSet") == 0) *out = lp_val_bool(o->isset[idx]);
    else if (strcmp(name, "isDefined") == 0) *out = lp_val_bool(o->vals[idx] != NULL);
    else if (!o->vals[idx]) return lp_err_span(s, LP_ENAME, a->start, a->end, "Failed to find a default value for %s", c->params[idx].name);
    else *out = lp_val_ref(o->vals[idx]);
    return *out ? LP_OK : nomem(s);
}

void lp_ml_repr(const lp_val *v, lp_strbuf *out) {
    if (v->kind == LV_ML) lp_strbuf_puts(out, v->u.ml->uid);
    else if (v->u.mlcls->role == LP_ML_FUNCTION) lp_strbuf_printf(out, "<function %s>", v->u.mlcls->name);
    else lp_strbuf_printf(out, "<class '%s.%s'>", v->u.mlcls->module, v->u.mlcls->name);
}

/* ---- help ---- */

static const struct { const char *name, *sig, *doc; } generic_doc[] = {
    {"transform", "transform(dataset)", "A new DataFrame: the input's columns plus this stage's output column. Lazy: "
     "the work runs with the next action, fused with the plan."},
    {"fit", "fit(dataset)", "Fits the estimator on the DataFrame (runs it now, as Spark does) and returns the model."},
    {"explainParams", "explainParams()", "Every param with its doc, default and current value, one per line."},
    {"explainParam", "explainParam(param)", "One param's doc, default and current value."},
    {"getOrDefault", "getOrDefault(param)", "The param's value: set, or else its default."},
    {"isSet", "isSet(param)", "Whether the param was set explicitly."},
    {"isDefined", "isDefined(param)", "Whether the param has a value (set or default)."},
    {"hasParam", "hasParam(paramName)", "Whether this stage has a param of that name."},
    {"setParams", "setParams(**kwargs)", "Sets several params by keyword; returns the stage."},
    {"copy", "copy()", "A copy of the stage with the same params (and a model's fitted state)."},
};

void lp_ml_help(const lp_val *v, const char *method, lp_strbuf *b) {
    const lp_mlclass *c = v->kind == LV_ML ? v->u.ml->cls : v->u.mlcls;
    if (method) {
        const lp_method *m = class_method(c, method);
        if (m) {
            lp_strbuf_printf(b, "%s.%s(%s)\n\n", c->name, method, m->params ? m->params : "");
            lp_strbuf_printf(b, "%s\n\nPySpark: %s.%s.%s\n", c->doc ? c->doc : "", c->module, c->name, method);
            return;
        }
        for (size_t i = 0; i < LP_ARRAY_LEN(generic_doc); i++)
            if (strcmp(generic_doc[i].name, method) == 0) {
                lp_strbuf_printf(b, "%s.%s\n\n%s\n\nPySpark: %s.%s.%s\n", c->name, generic_doc[i].sig, generic_doc[i].doc,
                                 c->module, c->name, method);
                return;
            }
        bool set;
        int pi = accessor(c, method, &set);
        if (pi >= 0) {
            const lp_mlparam *p = &c->params[pi];
            lp_strbuf_printf(b, "%s.%s(%s)\n\n%s the param %s: %s\n", c->name, method, set ? "value" : "",
                             set ? "Sets" : "Gets", p->name, p->doc);
            return;
        }
    }
    if (c->role == LP_ML_FUNCTION) {
        lp_strbuf_printf(b, "%s\n\nPySpark: %s.%s\n", c->doc, c->module, c->name);
        return;
    }
    lp_strbuf_printf(b, "%s(", c->name);
    for (int i = 0; i < c->nparams; i++)
        lp_strbuf_printf(b, "%s%s=%s", i ? ", " : "", c->params[i].name,
                         c->params[i].def && c->params[i].def[0] != '$' ? c->params[i].def : "None");
    static const char *const roles[] = {"Transformer", "Estimator", "Model", "function", "namespace"};
    lp_strbuf_printf(b, ")  [%s]\n\n%s\n", roles[c->role], c->doc ? c->doc : "");
    if (c->nparams) lp_strbuf_puts(b, "\nParams:\n");
    for (int i = 0; i < c->nparams; i++) lp_strbuf_printf(b, "    %s: %s\n", c->params[i].name, c->params[i].doc);
    if (c->nmethods) lp_strbuf_puts(b, "\nMethods:\n");
    for (int i = 0; i < c->nmethods; i++)
        lp_strbuf_printf(b, "    %s%s%s%s\n", c->methods[i].name, c->methods[i].params ? "(" : "",
                         c->methods[i].params ? c->methods[i].params : "", c->methods[i].params ? ")" : "");
    if (c->role != LP_ML_NAMESPACE)
        lp_strbuf_printf(b, "\nEvery stage also has %sexplainParams(), getX()/setX(value) for each param, uid.\n",
                         c->role == LP_ML_ESTIMATOR ? "fit(df), " : "transform(df), ");
    lp_strbuf_printf(b, "\nPySpark: %s.%s\n", c->module, c->name);
}
