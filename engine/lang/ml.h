/* ml.h -- MLlib's objects in the language: classes, params, Transformers, Estimators, Models.
 *
 * DESIGN
 * A class is one table-driven descriptor (lp_mlclass) plus its hooks; adding a class is writing
 * that descriptor and listing it in lp_ml_classes (ml.c). Everything PySpark gives every stage
 * comes from the descriptor's param table: keyword construction with type checks worded as
 * PySpark words them, setX()/getX() for each param, explainParams()/explainParam(), isSet(),
 * getOrDefault(), setParams(), the uid and the repr (Tokenizer_4a1b2c3d4e5f), help and
 * completion.
 *
 *   role           TRANSFORMER (transform), ESTIMATOR (fit -> a MODEL), MODEL (transform; the
 *                  model class lists its own params, usually the estimator's), FUNCTION
 *                  (vector_to_array: `call`), NAMESPACE (Vectors: only static `methods`).
 *   transform      df -> a new lazy DataFrame. Feature transformers use lp_ml_transform_unary:
 *                  the class's `xprep` hook fills a snapshot's lp_xfn (exec/expr.h), which
 *                  becomes a node of a projection, so it fuses with the plan and runs over
 *                  partitions in parallel.
 *   xprep          (optional) fills snap->xfn (and snap->prep, freed by prep_free) from the
 *                  params of `snap`, a frozen copy of the object made at transform time: a later
 *                  setX() does not change a DataFrame already built, as in Spark.
 *   fit            (estimators) runs the plan (eager, as Spark's fit) and returns a new model
 *                  object (lp_ml_new of cls->model) with its learned state in `state`.
 *   methods        extra methods and properties (params NULL) of the objects, or for a
 *                  NAMESPACE class its static functions; `self` is the LV_ML (or LV_MLCLASS)
 *                  value. Read state with lp_ml_obj(self)->state.
 *
 * Objects are reference counted (a lazy plan holding a transformer's node keeps its snapshot
 * alive). State is immutable once fit returns, so many threads read it at once.
 */
#ifndef LP_ML_H
#define LP_ML_H
#include "lang/interp.h"

typedef enum lp_mlrole { LP_ML_TRANSFORMER, LP_ML_ESTIMATOR, LP_ML_MODEL, LP_ML_FUNCTION, LP_ML_NAMESPACE } lp_mlrole;

typedef enum lp_mlptype {
    LP_MLP_STR,     /* a str (column names, patterns) */
    LP_MLP_INT,     /* an int (bools refused, as PySpark's toInt) */
    LP_MLP_FLOAT,   /* a float; ints are converted */
    LP_MLP_BOOL,
    LP_MLP_STRS,    /* a list of str (inputCols, stopWords) */
    LP_MLP_FLOATS,  /* a list of float (splits) */
    LP_MLP_STAGES,  /* a list of ML objects (Pipeline.stages) */
    LP_MLP_FLOATSS, /* a list of lists of float (Bucketizer.splitsArray) */
} lp_mlptype;

typedef struct lp_mlobj lp_mlobj;
typedef struct lp_mlclass lp_mlclass;

typedef struct lp_mlparam {
    const char *name;  /* "numFeatures" */
    lp_mlptype type;
    /* the default as Python literal text ("262144", "True", "'\\s+'", "1.0"); NULL = none;
     * "$uid__output" is Spark's default output column: the object's uid + "__output" */
    const char *def;
    const char *doc;   /* as explainParams prints it: "Number of features. Should be greater than 0." */
    /* Extra validation of a value of the right type: NULL when fine, else the reason
     * (PySpark/Spark's words), e.g. "numFeatures must be > 0". May be NULL. */
    const char *(*check)(const lp_val *v);
    /* A default too long for `def` (StopWordsRemover's English list); may be NULL. */
    lp_val *(*defv)(void);
} lp_mlparam;

struct lp_mlclass {
    const char *name;    /* "Tokenizer" */
    const char *module;  /* "pyspark.ml.feature" */
    lp_mlrole role;
    const lp_mlparam *params;
    int nparams;
    const char *doc;     /* one paragraph for help() */
    const lp_mlclass *model;  /* ESTIMATOR: the class fit returns */
    LP_WUR lp_status (*transform)(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_plan **out);
    LP_WUR lp_status (*fit)(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_mlobj **model);
    LP_WUR lp_status (*xprep)(loupe_session *s, lp_mlobj *snap);
    void (*prep_free)(void *prep);
    void (*state_free)(void *state);
    LP_WUR lp_status (*call)(loupe_session *s, const lp_mlclass *c, const lp_args *a, lp_val **out);  /* FUNCTION */
    const lp_method *methods;
    int nmethods;
};

struct lp_mlobj {
    atomic_int refs;
    const lp_mlclass *cls;
    char uid[48];
    lp_val **vals;   /* per param: its value (set, or the default), or NULL when neither */
    bool *isset;
    void *state;     /* a model's learned state (cls->state_free), or NULL */
    lp_mlobj *owner; /* a snapshot: the object whose state it reads (a reference), else NULL */
    lp_xfn xfn;      /* a snapshot's expression function (xprep) */
    void *prep;      /* xprep's compiled form of the params (cls->prep_free) */
};

/* ---- objects ---- */
/* A new object of class c with every param at its default (NULL when refused). */
lp_mlobj *lp_ml_new(const lp_mlclass *c);
lp_mlobj *lp_ml_ref(lp_mlobj *o);
void lp_ml_unref(lp_mlobj *o);  /* NULL is a no-op */
/* The object behind an LV_ML value. */
static inline lp_mlobj *lp_ml_obj(lp_val *v) { return v->u.ml; }
/* The state of o (a snapshot reads its owner's). */
static inline void *lp_ml_state(const lp_mlobj *o) { return o->owner ? o->owner->state : o->state; }
/* An LV_ML value for o (takes over the caller's reference; NULL when refused). */
lp_val *lp_val_ml(lp_mlobj *o);

/* ---- params ---- */
int lp_ml_param_index(const lp_mlclass *c, const char *name);
/* The value of param `name` (set or default), borrowed; NULL when it has neither. */
const lp_val *lp_ml_get(const lp_mlobj *o, const char *name);
const char *lp_ml_str(const lp_mlobj *o, const char *name);   /* NULL when unset/None */
int64_t lp_ml_int(const lp_mlobj *o, const char *name);        /* 0 when unset */
double lp_ml_float(const lp_mlobj *o, const char *name);
bool lp_ml_bool(const lp_mlobj *o, const char *name);
/* Sets param `name` from a language value, checking its type as PySpark does; the error
 * (LP_ETYPE/LP_EVALUE with the span of `at`) names the param. */
LP_WUR lp_status lp_ml_set(loupe_session *s, lp_mlobj *o, const char *name, lp_val *v, const lp_ast *at);
/* Copies every param that both classes have (an estimator's into its model). */
void lp_ml_copy_params(lp_mlobj *dst, const lp_mlobj *src);
/* A required param: LP_EVALUE "<Class>: param inputCol is not set" unless it has a value. */
LP_WUR lp_status lp_ml_need(loupe_session *s, const lp_mlobj *o, const char *name, const lp_args *a);

/* ---- hooks' helpers ---- */
/* transform for one-input feature transformers: withColumn(outputCol, xfn(col(inputCol)))
 * with xfn from cls->xprep over a snapshot. */
LP_WUR lp_status lp_ml_transform_unary(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_plan **out);
/* The same for several inputs (inputCols): xfn(col(c1), col(c2), ...). */
LP_WUR lp_status lp_ml_transform_multi(loupe_session *s, lp_mlobj *o, lp_plan *df, const lp_args *a, lp_plan **out);
/* The input column `param` names in df: its index, or LP_ENAME (did-you-mean) / LP_ETYPE when
 * its type is not `want` (want.kind == LP_NULLTYPE: any). */
LP_WUR lp_status lp_ml_input(loupe_session *s, const lp_mlobj *o, const char *param, lp_plan *df, lp_type want,
                             const lp_args *a, int *col);
/* Runs df (the fit's data) to a table. */
LP_WUR lp_status lp_ml_run(loupe_session *s, lp_plan *df, lp_table **out);

/* ---- the registry (ml.c) ---- */
/* Every class, function and namespace, with its module. */
const lp_mlclass *const *lp_ml_classes(int *n);
const lp_mlclass *lp_ml_class(const char *module, const char *name);
/* Whether `module` is a pyspark.ml module Loupe knows. */
bool lp_ml_module(const char *module);

/* The language's entry points (interp.c, value.c call these). */
LP_WUR lp_status lp_ml_getattr(loupe_session *s, lp_val *obj, const char *name, const lp_ast *n, lp_val **out);
LP_WUR lp_status lp_ml_call(loupe_session *s, lp_val *self, const char *name, const lp_args *a, lp_val **out);
LP_WUR lp_status lp_ml_construct(loupe_session *s, const lp_mlclass *c, const lp_args *a, lp_val **out);
void lp_ml_repr(const lp_val *v, lp_strbuf *out);
/* help() of an ML class, object, or one of its methods (method != NULL), from the descriptor. */
void lp_ml_help(const lp_val *v, const char *method, lp_strbuf *b);
/* Method names of an object or class (completion), into names[0..cap); returns the count. */
int lp_ml_method_names(const lp_val *v, const char **names, int cap);
/* The vector value of row `row` of a vector column (a reference is taken). */
lp_val *lp_val_vector(lp_column *c, int64_t row);
/* Vector values' attributes and methods (ml_linalg.c): size, indices, values, toArray(), ... */
LP_WUR lp_status lp_mlvec_getattr(loupe_session *s, lp_val *v, const char *name, const lp_ast *n, lp_val **out);
LP_WUR lp_status lp_mlvec_call(loupe_session *s, lp_val *v, const char *name, const lp_args *a, lp_val **out);
void lp_mlvec_repr(const lp_val *v, lp_strbuf *out);

/* MurmurHash3_x86_32 of key[0, len) with seed; and HashingTF's index of a term as Spark 3
 * computes it: nonNegativeMod(murmur3(utf8, 42), numFeatures) (ml_feature.c). */
uint32_t lp_ml_murmur3(const void *key, size_t len, uint32_t seed);
int32_t lp_ml_term_index(const char *s, size_t n, int32_t num_features);

/* The classes, by file (ml_feature.c, ml_lsh.c, ml_linalg.c; mlnum adds its own). */
extern const lp_mlclass lp_ml_tokenizer, lp_ml_regex_tokenizer, lp_ml_stopwords, lp_ml_ngram, lp_ml_hashing_tf,
    lp_ml_count_vectorizer, lp_ml_count_vectorizer_model;
extern const lp_mlclass lp_ml_minhash, lp_ml_minhash_model, lp_ml_brp, lp_ml_brp_model;
extern const lp_mlclass lp_ml_vectors, lp_ml_vector_to_array, lp_ml_array_to_vector;
extern const lp_mlclass lp_ml_pipeline, lp_ml_pipeline_model;
/* ml_num.c */
extern const lp_mlclass lp_ml_vector_assembler, lp_ml_bucketizer, lp_ml_standard_scaler, lp_ml_standard_scaler_model,
    lp_ml_minmax_scaler, lp_ml_minmax_scaler_model, lp_ml_kmeans, lp_ml_kmeans_model, lp_ml_kmeans_summary, lp_ml_summarizer,
    lp_ml_summary_builder;

#endif /* LP_ML_H */
