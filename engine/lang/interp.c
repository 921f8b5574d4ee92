/* interp.c -- evaluating the syntax tree: names, literals, operators, attributes and calls.
 *
 * DESIGN
 * Evaluation is a direct walk of lp_ast producing lp_val (interp.h). Names resolve to, in
 * order: the session's variables, the built-in objects (spark, F, col, lit, display, ...), and
 * then any function of pyspark.sql.functions, so that `count("*")` works with or without the
 * `F.` prefix as it does after PySpark's `from pyspark.sql.functions import *`.
 *
 * Attributes: a method name becomes a bound method value (LV_METHOD) that the call then
 * dispatches through the kind's method table (df.c, column.c); a property (a method with no
 * parameter list, such as df.columns) is called on access; on a DataFrame, any other name is
 * one of its columns (df.overall), as in PySpark.
 *
 * Operators: when either side is a Column the result is a Column (column.c builds it); scalars
 * follow Python's rules. Python's `and`/`or`/`not` cannot combine columns (PySpark raises
 * "Cannot convert column into bool"); here the error says to use & | ~ with parentheses.
 */
#include "lang/interp.h"
#include "lang/help.h"
#include "lang/ml.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- errors ---- */

static lp_status verr(loupe_session *s, lp_status st, int64_t start, int64_t end, const char *fmt, va_list ap) {
    char msg[sizeof s->d->msg];
    vsnprintf(msg, sizeof msg, fmt, ap);
    lp_diag_set(s->d, st, "%s", msg);
    if (start >= 0) lp_diag_span(s->d, start, end);
    return st;
}

lp_status lp_err_span(loupe_session *s, lp_status st, int64_t start, int64_t end, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    verr(s, st, start, end, fmt, ap);
    va_end(ap);
    return st;
}

lp_status lp_err(loupe_session *s, lp_status st, const lp_ast *n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    verr(s, st, n ? n->start : -1, n ? n->end : -1, fmt, ap);
    va_end(ap);
    return st;
}

void lp_hint(loupe_session *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char msg[sizeof s->d->hint];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lp_diag_hint(s->d, "%s", msg);
}

static lp_status nomem(loupe_session *s) { return lp_diag_nomem(s->d, "interpreter"); }

/* ---- conversions ---- */

LP_WUR lp_status lp_want_int(loupe_session *s, const lp_val *v, const lp_ast *n, const char *what, int64_t *out) {
    if (v->kind == LV_INT) { *out = v->u.i; return LP_OK; }
    if (v->kind == LV_BOOL) { *out = v->u.b; return LP_OK; }
    if (v->kind == LV_FLOAT && v->u.f == floor(v->u.f) && fabs(v->u.f) < 9e18) { *out = (int64_t)v->u.f; return LP_OK; }
    return lp_err(s, LP_ETYPE, n, "%s must be an int, got %s", what, lp_val_type_name(v));
}

LP_WUR lp_status lp_want_float(loupe_session *s, const lp_val *v, const lp_ast *n, const char *what, double *out) {
    if (v->kind == LV_INT) { *out = (double)v->u.i; return LP_OK; }
    if (v->kind == LV_FLOAT) { *out = v->u.f; return LP_OK; }
    return lp_err(s, LP_ETYPE, n, "%s must be a number, got %s", what, lp_val_type_name(v));
}

LP_WUR lp_status lp_want_bool(loupe_session *s, const lp_val *v, const lp_ast *n, const char *what, bool *out) {
    if (v->kind == LV_BOOL) { *out = v->u.b; return LP_OK; }
    if (v->kind == LV_INT) { *out = v->u.i != 0; return LP_OK; }
    if (v->kind == LV_STR && (strcasecmp(v->u.s.p, "true") == 0 || strcasecmp(v->u.s.p, "false") == 0)) {
        *out = strcasecmp(v->u.s.p, "true") == 0;
        return LP_OK;
    }
    return lp_err(s, LP_ETYPE, n, "%s must be True or False, got %s", what, lp_val_type_name(v));
}

LP_WUR lp_status lp_want_str(loupe_session *s, const lp_val *v, const lp_ast *n, const char *what, const char **out) {
    if (v->kind == LV_STR) { *out = v->u.s.p; return LP_OK; }
    return lp_err(s, LP_ETYPE, n, "%s must be a string, got %s", what, lp_val_type_name(v));
}

/* The cell offset of byte `off` of a literal piece's value: walks its escapes as lex.c decodes
 * them (\n and the like make one byte, an escaped newline none, an unknown escape both its
 * characters). */
static int64_t unescape_offset(const char *code, int64_t body, bool raw, int64_t off) {
    int64_t i = body, v = 0;
    while (v < off) {
        if (!raw && code[i] == '\\' && code[i + 1]) {
            char e = code[i + 1];
            int made = e == '\n' ? 0 : strchr("ntr0\\'\"", e) ? 1 : 2;
            if (v + made > off) return i;
            v += made;
            i += 2;
        } else {
            v++;
            i++;
        }
    }
    return i;
}

int64_t lp_str_offset(const lp_ast *str, size_t off) {
    if (!str || str->kind != LP_AST_STR) return -1;
    int k = str->npieces - 1;
    while (k > 0 && str->poff[k] > (int64_t)off) k--;
    if (k < 0) return str->body;  /* not from the parser (tests): no pieces */
    int64_t rel = (int64_t)off - str->poff[k];
    return str->pverb[k] ? str->pbody[k] + rel : unescape_offset(str->code, str->pbody[k], str->praw[k], rel);
}

void lp_str_span(const lp_ast *at, int64_t a, int64_t b, int64_t *start, int64_t *end) {
    if (!at || at->kind != LP_AST_STR || a < 0) {
        /* a string from a variable: the caret goes under the argument */
        *start = at ? at->start : -1;
        *end = at ? at->end : -1;
        return;
    }
    *start = lp_str_offset(at, (size_t)a);
    int64_t last = lp_str_offset(at, (size_t)(b > a ? b - 1 : a));
    *end = last >= *start ? last + 1 : *start + 1;
}

/* A literal expression for a scalar value. */
static lp_expr *lit_expr(lp_arena *a, const lp_val *v, int64_t start, int64_t end) {
    lp_value x = lp_value_null();
    switch (v->kind) {
    case LV_NONE: x.type = lp_type_of(LP_NULLTYPE); break;
    case LV_BOOL: x.null = false; x.type = lp_type_of(LP_BOOL); x.u.b = v->u.b; break;
    case LV_INT: x.null = false; x.type = lp_type_of(LP_INT64); x.u.i = v->u.i; break;
    case LV_FLOAT: x.null = false; x.type = lp_type_of(LP_FLOAT64); x.u.f = v->u.f; break;
    case LV_STR:
        x.null = false;
        x.type = lp_type_of(LP_STRING);
        x.u.s.p = v->u.s.p;
        x.u.s.n = (int64_t)v->u.s.n;
        break;
    default: return NULL;
    }
    return lp_expr_lit(a, &x, start, end);
}

static bool is_scalar(const lp_val *v) {
    return v->kind == LV_NONE || v->kind == LV_BOOL || v->kind == LV_INT || v->kind == LV_FLOAT || v->kind == LV_STR;
}

LP_WUR lp_status lp_to_col(loupe_session *s, lp_val *v, const lp_ast *n, bool str_is_name, lp_val **out) {
    int64_t st = n ? n->start : -1, en = n ? n->end : -1;
    if (v->kind == LV_COL) {
        *out = lp_val_ref(v);
        return LP_OK;
    }
    lp_colv *c = lp_colv_new();
    if (!c) return nomem(s);
    if (v->kind == LV_STR && str_is_name) {
        if (strcmp(v->u.s.p, "*") == 0) c->star = true;
        /* the span of the name inside the quotes, so the caret sits under the misspelling */
        int64_t b = lp_str_offset(n, 0);
        c->e = lp_expr_col(&c->arena, v->u.s.p, v->u.s.n, b >= 0 ? b : st, b >= 0 ? b + (int64_t)v->u.s.n : en);
    } else if (is_scalar(v)) {
        c->e = lit_expr(&c->arena, v, st, en);
    } else {
        lp_colv_free(c);
        return lp_err(s, LP_ETYPE, n, "expected a column (a Column, a column name or a literal), got %s",
                      lp_val_type_name(v));
    }
    if (!c->e) {
        lp_colv_free(c);
        return nomem(s);
    }
    *out = lp_val_colv(&c);
    return *out ? LP_OK : nomem(s);
}

LP_WUR lp_status lp_to_lit_col(loupe_session *s, lp_val *v, const lp_ast *n, lp_val **out) {
    return lp_to_col(s, v, n, false, out);
}

LP_WUR lp_status lp_flatten(loupe_session *s, lp_val **vals, lp_ast **asts, int n, lp_val ***out, lp_ast ***outast,
                            int *nout) {
    int total = 0;
    for (int i = 0; i < n; i++) total += vals[i]->kind == LV_LIST || vals[i]->kind == LV_TUPLE ? vals[i]->u.list.n : 1;
    lp_val **v = lp_arena_alloc(s->arena, sizeof(lp_val *) * (size_t)(total + 1));
    lp_ast **a = lp_arena_alloc(s->arena, sizeof(lp_ast *) * (size_t)(total + 1));
    if (!v || !a) return nomem(s);
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (vals[i]->kind == LV_LIST || vals[i]->kind == LV_TUPLE) {
            const lp_ast *la = asts ? asts[i] : NULL;
            for (int j = 0; j < vals[i]->u.list.n; j++) {
                v[k] = vals[i]->u.list.v[j];
                a[k++] = la && (la->kind == LP_AST_LIST || la->kind == LP_AST_TUPLE) && j < la->nitems ? la->items[j]
                                                                                                       : (lp_ast *)la;
            }
        } else {
            v[k] = vals[i];
            a[k++] = asts ? asts[i] : NULL;
        }
    }
    *out = v;
    *outast = a;
    *nout = k;
    return LP_OK;
}

/* ---- argument binding ---- */

static int param_len(const char *p) {
    int n = 0;
    while (p[n] && p[n] != '=') n++;
    return n;
}

LP_WUR lp_status lp_args_bind(loupe_session *s, const lp_args *a, const char *const *params, int nparams,
                              lp_val **out, lp_ast **ast) {
    for (int i = 0; i < nparams; i++) {
        out[i] = NULL;
        if (ast) ast[i] = NULL;
    }
    int npos = a->npos;
    if (npos > nparams) {
        return lp_err_span(s, LP_ETYPE, a->pos_ast[nparams]->start, a->pos_ast[npos - 1]->end,
                           "%s() takes at most %d argument%s, got %d", a->fname, nparams, nparams == 1 ? "" : "s", npos);
    }
    for (int i = 0; i < npos; i++) {
        out[i] = a->pos[i];
        if (ast) ast[i] = a->pos_ast[i];
    }
    for (int k = 0; k < a->nkw; k++) {
        int found = -1;
        for (int i = 0; i < nparams; i++) {
            int pl = param_len(params[i]);
            if ((int)strlen(a->kwname[k]) == pl && strncmp(params[i], a->kwname[k], (size_t)pl) == 0) found = i;
        }
        if (found < 0) {
            const char *cands[32];
            char names[32][40];
            int nc = 0;
            for (int i = 0; i < nparams && nc < 32; i++) {
                snprintf(names[nc], sizeof names[nc], "%.*s", param_len(params[i]), params[i]);
                cands[nc] = names[nc];
                nc++;
            }
            lp_err(s, LP_ETYPE, a->kw_ast[k], "%s() got an unexpected keyword argument '%s'", a->fname, a->kwname[k]);
            const char *c = lp_expr_closest(a->kwname[k], cands, nc);
            if (c) lp_hint(s, "did you mean '%s'?", c);
            else if (nc) {
                char list[256] = "";
                for (int i = 0; i < nc; i++) {
                    strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
                    strncat(list, names[i], sizeof list - strlen(list) - 1);
                }
                lp_hint(s, "%s() takes: %s", a->fname, list);
            } else {
                lp_hint(s, "%s() takes no keyword arguments", a->fname);
            }
            return LP_ETYPE;
        }
        if (out[found])
            return lp_err(s, LP_ETYPE, a->kw_ast[k], "%s() got multiple values for argument '%s'", a->fname, a->kwname[k]);
        out[found] = a->kw[k];
        if (ast) ast[found] = a->kw_ast[k];
    }
    return LP_OK;
}

LP_WUR lp_status lp_args_one(loupe_session *s, const lp_args *a, const char *param, bool required, lp_val **v,
                             lp_ast **ast) {
    const char *const ps[] = {param};
    lp_status st = lp_args_bind(s, a, ps, 1, v, ast);
    if (st == LP_OK && required && !*v)
        st = lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() is missing its argument '%s'", a->fname, param);
    return st;
}

/* ---- names ---- */

enum {
    BI_PRINT, BI_DISPLAY, BI_HELP, BI_LEN, BI_STR, BI_INT, BI_FLOAT, BI_COL, BI_LIT, BI_EXPR, BI_WHEN, BI_BOOL,
    BI_ROUND_PY, BI_CLEAR, BI_ROW, BI_TYPE, BI_TYPECLASS, BI_CHECK,
};

static const struct { const char *name; int id; } builtins[] = {
    {"print", BI_PRINT}, {"display", BI_DISPLAY}, {"help", BI_HELP}, {"len", BI_LEN}, {"str", BI_STR},
    {"int", BI_INT}, {"float", BI_FLOAT}, {"bool", BI_BOOL}, {"clear_output", BI_CLEAR}, {"Row", BI_ROW},
    {"type", BI_TYPE},
};

static lp_val *module(const char *name, int id) {
    lp_val *v = lp_val_new(LV_MODULE);
    if (v) {
        v->u.mod.name = name;
        v->u.mod.id = id;
    }
    return v;
}

static lp_val *func(const char *name, int id) {
    lp_val *v = lp_val_new(LV_FUNC);
    if (v) {
        snprintf(v->u.fn.name, sizeof v->u.fn.name, "%s", name);
        v->u.fn.id = id;
    }
    return v;
}

/* pyspark.sql.types classes: IntegerType() is the type's name, which cast() takes. */
static const struct { const char *cls, *type; } type_classes[] = {
    {"IntegerType", "int"}, {"LongType", "bigint"}, {"DoubleType", "double"}, {"FloatType", "float"},
    {"StringType", "string"}, {"BooleanType", "boolean"}, {"DateType", "date"}, {"TimestampType", "timestamp"},
    {"ShortType", "smallint"}, {"ByteType", "tinyint"},
};

/* Whether `name` is a built-in object (without allocating anything). */
static bool is_builtin(const char *name) {
    if (strcmp(name, "spark") == 0 || strcmp(name, "F") == 0) return true;
    for (size_t i = 0; i < LP_ARRAY_LEN(builtins); i++)
        if (strcmp(builtins[i].name, name) == 0) return true;
    for (size_t i = 0; i < LP_ARRAY_LEN(type_classes); i++)
        if (strcmp(type_classes[i].cls, name) == 0) return true;
    return lp_fexists(name) || lp_check_has(name);
}

/* The built-in object called `name`, or NULL when there is none or memory ran out (tell the
 * two apart with is_builtin). */
static lp_val *builtin(const char *name) {
    if (strcmp(name, "spark") == 0) return module("spark", LP_MOD_SPARK);
    if (strcmp(name, "F") == 0) return module("pyspark.sql.functions", LP_MOD_F);
    for (size_t i = 0; i < LP_ARRAY_LEN(builtins); i++)
        if (strcmp(builtins[i].name, name) == 0) return func(builtins[i].name, builtins[i].id);
    for (size_t i = 0; i < LP_ARRAY_LEN(type_classes); i++)
        if (strcmp(type_classes[i].cls, name) == 0) return func(name, BI_TYPECLASS);
    if (lp_fexists(name)) return func(name, -1);
    if (lp_check_has(name)) return func(name, BI_CHECK);
    return NULL;
}

lp_val *lp_builtin_value(const char *name) { return builtin(name); }

static lp_status name_error(loupe_session *s, const lp_ast *n) {
    const char *cands[512];
    int nc = 0;
    for (int i = 0; i < s->nvars && nc < 400; i++) cands[nc++] = s->vars[i].name;
    cands[nc++] = "spark";
    cands[nc++] = "F";
    for (size_t i = 0; i < LP_ARRAY_LEN(builtins) && nc < 512; i++) cands[nc++] = builtins[i].name;
    lp_err(s, LP_ENAME, n, "name '%s' is not defined", n->s);
    const char *c = lp_expr_closest(n->s, cands, nc);
    if (c) lp_hint(s, "did you mean '%s'?", c);
    else if (strcmp(n->s, "df") == 0 || strcmp(n->s, "reviews") == 0)
        lp_hint(s, "read a file first, e.g. %s = spark.read.json(\"data/reviews.json\")", n->s);
    else if (s->nvars) {
        char list[300] = "";
        for (int i = 0; i < s->nvars && strlen(list) < 250; i++) {
            strcat(list, i ? ", " : "");
            strncat(list, s->vars[i].name, 40);
        }
        lp_hint(s, "defined names: %s", list);
    }
    return LP_ENAME;
}

static lp_status eval_name(loupe_session *s, const lp_ast *n, lp_val **out) {
    lp_val *v = lp_sess_get(s, n->s);
    if (v) {
        *out = lp_val_ref(v);
        return LP_OK;
    }
    if ((v = builtin(n->s))) {
        *out = v;
        return LP_OK;
    }
    return is_builtin(n->s) ? nomem(s) : name_error(s, n);
}

/* ---- attributes ---- */

static lp_val *method(lp_val *self, const char *name) {
    lp_val *m = lp_val_new(LV_METHOD);
    if (!m) return NULL;
    m->u.method.self = lp_val_ref(self);
    snprintf(m->u.method.name, sizeof m->u.method.name, "%s", name);
    return m;
}

/* The method `name` of kind k, or NULL. */
static const lp_method *find_method(lp_vkind k, const char *name) {
    int n;
    const lp_method *m = lp_methods(k, &n);
    for (int i = 0; i < n; i++)
        if (strcmp(m[i].name, name) == 0) return &m[i];
    return NULL;
}

/* PySpark methods Loupe does not have, so that using one says so instead of reading as a typo. */
static const char *const unsupported_methods[] = {
    "subtract", "exceptAll", "intersect", "intersectAll", "replace", "colRegex", "rdd", "foreach",
    "foreachPartition", "mapInPandas", "mapInArrow", "checkpoint", "localCheckpoint", "cube", "rollup", "crosstab",
    "freqItems", "stat", "randomSplit", "sampleBy", "transform", "unpivot", "melt", "observe", "hint",
    "withWatermark", "writeStream", "dropDuplicatesWithinWatermark", "inputFiles", "sameSemantics", "semanticHash",
    "toJSON", "toLocalIterator", "pandas_api", "createGlobalTempView", "createOrReplaceGlobalTempView",
    "sortWithinPartitions", "pivot", "applyInPandas", "cogroup", "dropFields", "withField",
    "bitwiseAND", "bitwiseOR", "bitwiseXOR", "try_cast", "writeTo", "mergeInto", "offset", "toArrow",
    "lateralJoin", "agg_distinct", "cov", "approxCountDistinct", "storageLevel", "isStreaming", "isLocal",
};

static lp_status attr_error(loupe_session *s, lp_val *obj, const char *name, const lp_ast *n) {
    for (size_t i = 0; i < LP_ARRAY_LEN(unsupported_methods); i++)
        if (strcmp(unsupported_methods[i], name) == 0 && obj->kind != LV_MODULE)
            return lp_err_span(s, LP_EUNSUPPORTED, n && n->kind == LP_AST_ATTR ? n->op_start : n ? n->start : -1,
                               n ? n->end : -1, "%s.%s is a PySpark method Loupe does not support yet",
                               lp_val_type_name(obj), name);
    int nm;
    const lp_method *m = lp_methods(obj->kind, &nm);
    const char *cands[600];
    int nc = 0;
    for (int i = 0; i < nm && nc < 300; i++) cands[nc++] = m[i].name;
    if (obj->kind == LV_DF)
        for (int i = 0; i < obj->u.df->ncols && nc < 600; i++) cands[nc++] = obj->u.df->names[i];
    int64_t start = n && n->kind == LP_AST_ATTR ? n->op_start : n ? n->start : -1;
    int64_t end = n ? n->end : -1;
    if (obj->kind == LV_DF)
        lp_err_span(s, LP_ENAME, start, end, "DataFrame has no method or column '%s'", name);
    else
        lp_err_span(s, LP_ENAME, start, end, "'%s' object has no attribute '%s'", lp_val_type_name(obj), name);
    const char *c = lp_expr_closest(name, cands, nc);
    if (c) lp_hint(s, "did you mean '%s'?", c);
    else if (obj->kind == LV_DF) {
        char list[400] = "";
        for (int i = 0; i < obj->u.df->ncols && strlen(list) < 340; i++) {
            strcat(list, i ? ", " : "");
            strncat(list, obj->u.df->names[i], 48);
        }
        lp_hint(s, "its columns are: %s", list);
    }
    return LP_ENAME;
}

static lp_status module_attr(loupe_session *s, lp_val *obj, const char *name, const lp_ast *n, lp_val **out) {
    switch (obj->u.mod.id) {
    case LP_MOD_F:
        if (strcmp(name, "col") == 0 || strcmp(name, "column") == 0 || lp_fexists(name)) {
            *out = func(name, -1);
            return *out ? LP_OK : nomem(s);
        }
        return lp_funknown(s, name, n ? n->op_start : -1, n ? n->end : -1);
    case LP_MOD_SPARK:
        if (strcmp(name, "read") == 0) {
            lp_val *r = lp_val_new(LV_READER);
            if (!r || !(r->u.reader = lp_calloc(1, sizeof(lp_reader)))) {
                lp_val_unref(r);
                return nomem(s);
            }
            loupe_read_options_init(&r->u.reader->o);
            r->u.reader->o.header = false;        /* Spark's defaults */
            r->u.reader->o.infer_schema = false;
            *out = r;
            return LP_OK;
        }
        if (strcmp(name, "conf") == 0) {
            *out = module("spark.conf", LP_MOD_OTHER);
            return *out ? LP_OK : nomem(s);
        }
        if (strcmp(name, "version") == 0) {
            *out = lp_val_str("3.5.0 (Loupe " LOUPE_VERSION ")", strlen("3.5.0 (Loupe " LOUPE_VERSION ")"));
            return *out ? LP_OK : nomem(s);
        }
        if (strcmp(name, "sql") == 0 || strcmp(name, "table") == 0 || strcmp(name, "stop") == 0 ||
            strcmp(name, "createDataFrame") == 0 || strcmp(name, "range") == 0) {
            *out = method(obj, name);
            return *out ? LP_OK : nomem(s);
        }
        break;
    case LP_MOD_PYSPARK:
        if (strcmp(name, "builder") == 0) {
            *out = module("SparkSession.builder", LP_MOD_OTHER);
            return *out ? LP_OK : nomem(s);
        }
        break;
    case LP_MOD_WINDOW: {
        int64_t v;
        if (lp_window_const(name, &v)) {
            *out = lp_val_int(v);
            return *out ? LP_OK : nomem(s);
        }
        int nm;
        const lp_method *m = lp_win_methods(&nm);
        for (int i = 0; i < nm; i++)
            if (strcmp(m[i].name, name) == 0) {
                *out = method(obj, name);
                return *out ? LP_OK : nomem(s);
            }
        break;
    }
    case LP_MOD_OTHER:
        if (strcmp(obj->u.mod.name, "spark.conf") == 0 && (strcmp(name, "set") == 0 || strcmp(name, "get") == 0)) {
            *out = method(obj, name);
            return *out ? LP_OK : nomem(s);
        }
        if (strcmp(obj->u.mod.name, "SparkSession.builder") == 0 &&
            (strcmp(name, "appName") == 0 || strcmp(name, "master") == 0 || strcmp(name, "config") == 0 ||
             strcmp(name, "getOrCreate") == 0 || strcmp(name, "enableHiveSupport") == 0)) {
            *out = method(obj, name);
            return *out ? LP_OK : nomem(s);
        }
        break;
    }
    return lp_err_span(s, LP_ENAME, n ? n->op_start : -1, n ? n->end : -1, "%s has no attribute '%s'%s",
                       obj->u.mod.name, name, obj->u.mod.id == LP_MOD_SPARK ? " in Loupe" : "");
}

LP_WUR lp_status lp_getattr(loupe_session *s, lp_val *obj, const char *name, const lp_ast *n, lp_val **out) {
    if (obj->kind == LV_MODULE) return module_attr(s, obj, name, n, out);
    if (obj->kind == LV_ML || obj->kind == LV_MLCLASS || obj->kind == LV_VECTOR) return lp_ml_getattr(s, obj, name, n, out);
    if (obj->kind == LV_ROW) {
        const lp_val *nm = obj->u.row.names;
        for (int i = 0; i < nm->u.list.n; i++)
            if (strcmp(nm->u.list.v[i]->u.s.p, name) == 0) {
                *out = lp_val_ref(obj->u.row.values->u.list.v[i]);
                return LP_OK;
            }
        if (strcmp(name, "asDict") == 0) {
            *out = method(obj, name);
            return *out ? LP_OK : nomem(s);
        }
        return lp_err_span(s, LP_ENAME, n ? n->op_start : -1, n ? n->end : -1, "this Row has no field '%s'", name);
    }
    const lp_method *m = find_method(obj->kind, name);
    if (m && !m->params) {  /* a property */
        lp_args a = {.fname = name, .start = n ? n->start : -1, .end = n ? n->end : -1};
        return m->fn(s, obj, &a, out);
    }
    if (m) {
        *out = method(obj, name);
        return *out ? LP_OK : nomem(s);
    }
    if (obj->kind == LV_DF && name[0] != '_') {
        int i = lp_plan_col_index(obj->u.df, name);
        if (i >= 0) {
            lp_colv *c = lp_colv_new();
            if (!c) return nomem(s);
            c->e = lp_expr_col(&c->arena, obj->u.df->names[i], (size_t)-1, n ? n->op_start : -1, n ? n->end : -1);
            if (!c->e || !lp_colv_add_origin(c, c->e, obj->u.df)) {
                lp_colv_free(c);
                return nomem(s);
            }
            *out = lp_val_colv(&c);
            return *out ? LP_OK : nomem(s);
        }
    }
    if (obj->kind == LV_COL && name[0] != '_') {
        /* df.window.start: a struct's field, as PySpark's Column.__getattr__ (a near miss of a
         * method name stays an error: col.alais is a typo, not a field) */
        int nm;
        const lp_method *ms = lp_methods(LV_COL, &nm);
        const char *cands[300];
        for (int i = 0; i < nm && i < 300; i++) cands[i] = ms[i].name;
        if (!lp_expr_closest(name, cands, LP_MIN(nm, 300))) {
            lp_colv *c = lp_colv_new();
            if (!c) return nomem(s);
            int64_t st0 = n ? n->op_start : -1, en = n ? n->end : -1;
            lp_expr *args[2] = {lp_colv_import(c, obj->u.col, n ? n->start : -1, en),
                                lp_expr_str(&c->arena, name, strlen(name))};
            c->e = lp_expr_call(&c->arena, LP_FN_GET_FIELD, args, 2, n ? n->start : st0, en);
            if (!c->e) {
                lp_colv_free(c);
                return nomem(s);
            }
            *out = lp_val_colv(&c);
            return *out ? LP_OK : nomem(s);
        }
    }
    return attr_error(s, obj, name, n);
}

/* ---- calls ---- */

static lp_status call_builtin(loupe_session *s, int id, const char *name, const lp_args *a, lp_val **out);

/* spark.conf.set/get: Loupe's display settings under Spark's configuration API; other keys are
 * accepted and ignored (Spark settings have no meaning on one machine), so pasted cells run. */
static lp_status conf_call(loupe_session *s, const char *name, const lp_args *a, lp_val **out) {
    static const char *const p[] = {"key", "value"};
    lp_val *v[2];
    lp_ast *ast[2];
    lp_status st = lp_args_bind(s, a, p, 2, v, ast);
    if (st != LP_OK) return st;
    if (!v[0] || v[0]->kind != LV_STR) return lp_err_span(s, LP_ETYPE, a->start, a->end, "spark.conf.%s() takes a key", name);
    const char *k = v[0]->u.s.p;
    int64_t *slot = NULL, rows = s->display_rows, width = s->width, cell = s->max_cell;
    if (strcmp(k, "loupe.display.rows") == 0) slot = &rows;
    else if (strcmp(k, "loupe.display.width") == 0) slot = &width;
    else if (strcmp(k, "loupe.display.maxCell") == 0) slot = &cell;
    bool memory = strcmp(k, "loupe.memory.limit") == 0;
    if (strcmp(name, "get") == 0) {
        if (memory) { /* in the form set takes: whole gigabytes or megabytes when exact */
            char buf[32];
            int64_t c = lp_mem_cap();
            if (c % (INT64_C(1) << 30) == 0) snprintf(buf, sizeof buf, "%lldg", (long long)(c >> 30));
            else if (c % (INT64_C(1) << 20) == 0) snprintf(buf, sizeof buf, "%lldm", (long long)(c >> 20));
            else snprintf(buf, sizeof buf, "%lld", (long long)c);
            *out = lp_val_str(buf, strlen(buf));
        } else {
            *out = slot ? lp_val_int(*slot) : v[1] ? lp_val_ref(v[1]) : lp_val_none();
        }
        return *out ? LP_OK : nomem(s);
    }
    if (!v[1]) return lp_err_span(s, LP_ETYPE, a->start, a->end, "spark.conf.set() takes a key and a value");
    if (memory) { /* the engine's memory cap, for this process: "4g", "512m", or bytes */
        int64_t bytes = v[1]->kind == LV_INT ? v[1]->u.i : v[1]->kind == LV_STR ? lp_mem_parse_size(v[1]->u.s.p) : 0;
        if (bytes < (INT64_C(64) << 20))
            return lp_err(s, LP_EVALUE, ast[1], "loupe.memory.limit takes a size of 64m or more, such as \"4g\" or \"512m\"");
        lp_mem_set_cap(bytes);
    }
    if (slot) {
        if ((st = lp_want_int(s, v[1], ast[1], k, slot)) != LP_OK) return st;
        if (*slot < 0) return lp_err(s, LP_EVALUE, ast[1], "%s must be 0 or more", k);
        loupe_session_set_display_rows(s, rows);
        loupe_session_set_width(s, (int)(width > 100000 ? 100000 : width));
        loupe_session_set_max_cell(s, (int)(cell > 100000 ? 100000 : cell));
    }
    *out = lp_val_none();
    return *out ? LP_OK : nomem(s);
}

static lp_status module_call(loupe_session *s, lp_val *mod, const char *name, const lp_args *a, lp_val **out) {
    if (mod->u.mod.id == LP_MOD_WINDOW) return lp_window_static(s, name, a, out);
    if (mod->u.mod.id == LP_MOD_OTHER && strcmp(mod->u.mod.name, "spark.conf") == 0) return conf_call(s, name, a, out);
    if (mod->u.mod.id == LP_MOD_OTHER) {  /* SparkSession.builder...getOrCreate() */
        *out = strcmp(name, "getOrCreate") == 0 ? module("spark", LP_MOD_SPARK) : lp_val_ref(mod);
        return *out ? LP_OK : nomem(s);
    }
    if (strcmp(name, "stop") == 0) {
        *out = lp_val_none();
        return *out ? LP_OK : nomem(s);
    }
    if (strcmp(name, "sql") == 0) {
        static const char *const p[] = {"sqlQuery"};
        lp_val *v[1];
        lp_ast *ast[1];
        lp_status st = lp_args_bind(s, a, p, 1, v, ast);
        if (st != LP_OK) return st;
        if (!v[0] || v[0]->kind != LV_STR)
            return lp_err_span(s, LP_ETYPE, a->start, a->end, "spark.sql() takes the query as a string");
        return lp_spark_sql(s, v[0]->u.s.p, v[0]->u.s.n, ast[0], out);
    }
    if (strcmp(name, "table") == 0) {
        static const char *const p[] = {"tableName"};
        lp_val *v[1];
        lp_ast *ast[1];
        lp_status st = lp_args_bind(s, a, p, 1, v, ast);
        if (st != LP_OK) return st;
        const char *t = NULL;
        if (!v[0]) return lp_err_span(s, LP_ETYPE, a->start, a->end, "spark.table() needs a view name");
        if ((st = lp_want_str(s, v[0], ast[0], "the view name", &t)) != LP_OK) return st;
        lp_plan *p2 = lp_sess_view(s, t);
        if (!p2) return lp_err(s, LP_ENAME, ast[0], "table or view '%s' not found", t);
        *out = lp_val_df(lp_plan_ref(p2));
        return *out ? LP_OK : nomem(s);
    }
    return lp_err_span(s, LP_EUNSUPPORTED, a->start, a->end, "spark.%s() is a PySpark feature Loupe does not support",
                       name);
}

LP_WUR lp_status lp_call(loupe_session *s, lp_val *fn, const lp_args *a, lp_val **out) {
    *out = NULL;
    if (fn->kind == LV_FUNC) {
        if (fn->u.fn.id >= 0) return call_builtin(s, fn->u.fn.id, fn->u.fn.name, a, out);
        return lp_fcall(s, fn->u.fn.name, a, out);
    }
    if (fn->kind == LV_MLCLASS) return lp_ml_construct(s, fn->u.mlcls, a, out);
    if (fn->kind == LV_METHOD) {
        lp_val *self = fn->u.method.self;
        if (self->kind == LV_MODULE) return module_call(s, self, fn->u.method.name, a, out);
        if (self->kind == LV_ML || self->kind == LV_MLCLASS || self->kind == LV_VECTOR)
            return lp_ml_call(s, self, fn->u.method.name, a, out);
        if (self->kind == LV_ROW) {  /* asDict */
            lp_val *dv = lp_val_new(LV_DICT);
            int n = self->u.row.names->u.list.n;
            if (!dv || !(dv->u.dict.k = lp_calloc((size_t)n + 1, sizeof(lp_val *))) ||
                !(dv->u.dict.v = lp_calloc((size_t)n + 1, sizeof(lp_val *)))) {
                lp_val_unref(dv);
                return nomem(s);
            }
            for (int i = 0; i < n; i++) {
                dv->u.dict.k[i] = lp_val_ref(self->u.row.names->u.list.v[i]);
                dv->u.dict.v[i] = lp_val_ref(self->u.row.values->u.list.v[i]);
            }
            dv->u.dict.n = n;
            *out = dv;
            return LP_OK;
        }
        const lp_method *m = find_method(self->kind, fn->u.method.name);
        if (!m) return lp_err_span(s, LP_ENAME, a->start, a->end, "no method '%s'", fn->u.method.name);
        lp_args b = *a;
        b.fname = m->name;
        return m->fn(s, self, &b, out);
    }
    return lp_err_span(s, LP_ETYPE, a->start, a->end, "'%s' object is not callable", lp_val_type_name(fn));
}

static lp_status print_value(loupe_session *s, const lp_args *a) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    const char *sep = " ", *end = "\n";
    for (int k = 0; k < a->nkw; k++) {
        if (strcmp(a->kwname[k], "sep") == 0 && a->kw[k]->kind == LV_STR) sep = a->kw[k]->u.s.p;
        else if (strcmp(a->kwname[k], "end") == 0 && a->kw[k]->kind == LV_STR) end = a->kw[k]->u.s.p;
        else if (strcmp(a->kwname[k], "flush") != 0) {
            lp_strbuf_reset(&b);
            return lp_err(s, LP_ETYPE, a->kw_ast[k], "print() got an unexpected keyword argument '%s'", a->kwname[k]);
        }
    }
    for (int i = 0; i < a->npos; i++) {
        if (i) lp_strbuf_puts(&b, sep);
        if (a->pos[i]->kind == LV_DF) {
            lp_val_repr(a->pos[i], &b);  /* as PySpark prints a DataFrame: its schema */
        } else {
            lp_val_str_of(a->pos[i], &b);
        }
    }
    lp_strbuf_puts(&b, end);
    if (b.nomem) {
        lp_strbuf_reset(&b);
        return nomem(s);
    }
    lp_sess_out(s, b.p, b.len);
    lp_strbuf_reset(&b);
    return LP_OK;
}

/* Python's float() words: "inf", "-inf", "+infinity", "nan", any case, spaces around. */
static bool py_float_word(const char *t, double *f) {
    while (*t == ' ' || *t == '\t') t++;
    int sign = 1;
    if (*t == '+' || *t == '-') sign = *t++ == '-' ? -1 : 1;
    size_t n = strlen(t);
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\t')) n--;
    if ((n == 3 && strncasecmp(t, "inf", 3) == 0) || (n == 8 && strncasecmp(t, "infinity", 8) == 0)) *f = sign * INFINITY;
    else if (n == 3 && strncasecmp(t, "nan", 3) == 0) *f = NAN;
    else return false;
    return true;
}

static lp_status call_builtin(loupe_session *s, int id, const char *name, const lp_args *a, lp_val **out) {
    lp_status st = LP_OK;
    switch (id) {
    case BI_PRINT:
        if ((st = print_value(s, a)) != LP_OK) return st;
        *out = lp_val_none();
        return *out ? LP_OK : nomem(s);
    case BI_DISPLAY: {
        static const char *const p[] = {"df", "n"};
        lp_val *v[2];
        lp_ast *ast[2];
        if ((st = lp_args_bind(s, a, p, 2, v, ast)) != LP_OK) return st;
        if (!v[0]) return lp_err_span(s, LP_ETYPE, a->start, a->end, "display() needs something to show");
        int64_t n = s->display_rows;
        if (v[1] && (st = lp_want_int(s, v[1], ast[1], "n", &n)) != LP_OK) return st;
        if ((st = lp_sess_display(s, v[0], n)) != LP_OK) return st;
        *out = lp_val_none();
        return *out ? LP_OK : nomem(s);
    }
    case BI_CLEAR: {
        lp_sess_clear(s);
        *out = lp_val_none();
        return *out ? LP_OK : nomem(s);
    }
    case BI_LEN: {
        if (a->npos != 1 || a->nkw) return lp_err_span(s, LP_ETYPE, a->start, a->end, "len() takes exactly one argument");
        lp_val *v = a->pos[0];
        int64_t n;
        if (v->kind == LV_STR) n = lp_utf8_length(v->u.s.p, v->u.s.n);
        else if (v->kind == LV_LIST || v->kind == LV_TUPLE) n = v->u.list.n;
        else if (v->kind == LV_DICT) n = v->u.dict.n;
        else if (v->kind == LV_ROW) n = v->u.row.values->u.list.n;
        else if (v->kind == LV_DF)
            return lp_err(s, LP_ETYPE, a->pos_ast[0], "len() of a DataFrame is not defined; use df.count() for its rows "
                                                       "or len(df.columns) for its columns");
        else return lp_err(s, LP_ETYPE, a->pos_ast[0], "object of type '%s' has no len()", lp_val_type_name(v));
        *out = lp_val_int(n);
        return *out ? LP_OK : nomem(s);
    }
    case BI_STR: {
        if (a->npos != 1) return lp_err_span(s, LP_ETYPE, a->start, a->end, "str() takes exactly one argument");
        lp_strbuf b;
        lp_strbuf_init(&b);
        lp_val_str_of(a->pos[0], &b);
        *out = b.nomem ? NULL : lp_val_str(b.p ? b.p : "", b.len);
        lp_strbuf_reset(&b);
        return *out ? LP_OK : nomem(s);
    }
    case BI_INT:
    case BI_FLOAT:
    case BI_BOOL: {
        if (a->npos != 1) return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() takes exactly one argument", name);
        lp_val *v = a->pos[0];
        double f = 0;
        if (v->kind == LV_STR) {
            if (id == BI_BOOL) f = v->u.s.n > 0;
            else if (!lp_parse_float64(v->u.s.p, v->u.s.n, &f) && !(id == BI_FLOAT && py_float_word(v->u.s.p, &f)))
                return lp_err(s, LP_EVALUE, a->pos_ast[0], "invalid literal for %s(): %s", name, v->u.s.p);
        } else if (v->kind == LV_INT) f = (double)v->u.i;
        else if (v->kind == LV_FLOAT) f = v->u.f;
        else if (v->kind == LV_BOOL) f = v->u.b;
        else if (v->kind == LV_NONE && id == BI_BOOL) f = 0;
        else return lp_err(s, LP_ETYPE, a->pos_ast[0], "%s() cannot convert %s", name, lp_val_type_name(v));
        if (id == BI_INT && v->kind == LV_INT) *out = lp_val_ref(v);
        else if (id == BI_INT) {
            if (!(fabs(f) < 9.2e18)) return lp_err(s, LP_EVALUE, a->pos_ast[0], "cannot convert %g to an int", f);
            *out = lp_val_int((int64_t)f);
        } else if (id == BI_BOOL) *out = lp_val_bool(f != 0);
        else *out = lp_val_float(f);
        return *out ? LP_OK : nomem(s);
    }
    case BI_TYPE: {
        if (a->npos != 1) return lp_err_span(s, LP_ETYPE, a->start, a->end, "type() takes exactly one argument");
        char buf[64];
        snprintf(buf, sizeof buf, "<class '%s'>", lp_val_type_name(a->pos[0]));
        *out = lp_val_str(buf, strlen(buf));
        return *out ? LP_OK : nomem(s);
    }
    case BI_HELP: {
        if (a->npos != 1) {
            lp_strbuf b;
            lp_strbuf_init(&b);
            lp_strbuf_puts(&b, "help(x) documents a function, a method or a DataFrame: help(F.datediff), help(df.filter), help(df)\n");
            lp_sess_out(s, b.p ? b.p : "", b.len);
            lp_strbuf_reset(&b);
            *out = lp_val_none();
            return *out ? LP_OK : nomem(s);
        }
        if ((st = lp_sess_help(s, a->pos[0])) != LP_OK) return st;
        *out = lp_val_none();
        return *out ? LP_OK : nomem(s);
    }
    case BI_CHECK:
        return lp_check_call(s, name, a, out);
    case BI_TYPECLASS:
        for (size_t i = 0; i < LP_ARRAY_LEN(type_classes); i++)
            if (strcmp(type_classes[i].cls, name) == 0) {
                *out = lp_val_str(type_classes[i].type, strlen(type_classes[i].type));
                return *out ? LP_OK : nomem(s);
            }
        break;
    case BI_ROW:
        return lp_err_span(s, LP_EUNSUPPORTED, a->start, a->end, "building Rows by hand is not supported in Loupe");
    }
    return lp_err_span(s, LP_ENAME, a->start, a->end, "unknown built-in %s", name);
}

/* Evaluates a call's arguments into an lp_args in the statement arena. The values are owned by
 * the caller's `vals` list (released by release_args). */
static lp_status eval_args(loupe_session *s, const lp_ast *call, lp_args *a) {
    memset(a, 0, sizeof *a);
    a->start = call->start;
    a->end = call->end;
    int n = call->nitems;
    int total = 0;
    lp_val **tmp = lp_arena_zalloc(s->arena, sizeof(lp_val *) * (size_t)(n + 1));
    if (!tmp) return nomem(s);
    lp_status st = LP_OK;
    for (int i = 0; i < n && st == LP_OK; i++) {
        const lp_ast *x = call->items[i];
        if (x->kind == LP_AST_STAR) {
            if (strcmp(x->op, "**") == 0) {
                st = lp_err(s, LP_EUNSUPPORTED, x, "**kwargs in calls is not supported; write the keyword arguments out");
                break;
            }
            st = lp_eval(s, x->a, &tmp[i]);
            if (st == LP_OK && tmp[i]->kind != LV_LIST && tmp[i]->kind != LV_TUPLE)
                st = lp_err(s, LP_ETYPE, x, "only a list or a tuple can be unpacked with *, got %s", lp_val_type_name(tmp[i]));
            if (st == LP_OK) total += tmp[i]->u.list.n;
        } else {
            st = lp_eval(s, x, &tmp[i]);
            total++;
        }
    }
    if (st == LP_OK) {
        a->pos = lp_arena_zalloc(s->arena, sizeof(lp_val *) * (size_t)(total + 1));
        a->pos_ast = lp_arena_zalloc(s->arena, sizeof(lp_ast *) * (size_t)(total + 1));
        a->kw = lp_arena_zalloc(s->arena, sizeof(lp_val *) * (size_t)(n + 1));
        a->kwname = lp_arena_zalloc(s->arena, sizeof(char *) * (size_t)(n + 1));
        a->kw_ast = lp_arena_zalloc(s->arena, sizeof(lp_ast *) * (size_t)(n + 1));
        if (!a->pos || !a->pos_ast || !a->kw || !a->kwname || !a->kw_ast) st = nomem(s);
    }
    for (int i = 0; i < n && st == LP_OK; i++) {
        const lp_ast *x = call->items[i];
        if (call->kwnames[i]) {
            a->kw[a->nkw] = lp_val_ref(tmp[i]);
            a->kwname[a->nkw] = call->kwnames[i];
            a->kw_ast[a->nkw++] = (lp_ast *)x;
        } else if (x->kind == LP_AST_STAR) {
            for (int j = 0; j < tmp[i]->u.list.n; j++) {
                a->pos[a->npos] = lp_val_ref(tmp[i]->u.list.v[j]);
                a->pos_ast[a->npos++] = (lp_ast *)x;
            }
        } else {
            a->pos[a->npos] = lp_val_ref(tmp[i]);
            a->pos_ast[a->npos++] = (lp_ast *)x;
        }
    }
    for (int i = 0; i < n; i++) lp_val_unref(tmp[i]);
    return st;
}

static void release_args(lp_args *a) {
    for (int i = 0; i < a->npos; i++) lp_val_unref(a->pos[i]);
    for (int i = 0; i < a->nkw; i++) lp_val_unref(a->kw[i]);
    a->npos = a->nkw = 0;
}

static lp_status eval_call(loupe_session *s, const lp_ast *n, lp_val **out) {
    lp_val *fn = NULL;
    lp_status st = lp_eval(s, n->a, &fn);
    if (st != LP_OK) return st;
    lp_args a;
    if ((st = eval_args(s, n, &a)) == LP_OK) {
        a.fname = fn->kind == LV_FUNC ? fn->u.fn.name : fn->kind == LV_METHOD ? fn->u.method.name : "call";
        st = lp_call(s, fn, &a, out);
        /* a call error without a span points at the whole call */
        if (st != LP_OK && s->d->span_start < 0) lp_diag_span(s->d, n->start, n->end);
    }
    release_args(&a);
    lp_val_unref(fn);
    return st;
}

/* ---- indexing ---- */

/* obj[lo:hi] of a list, tuple or string, with Python's clamping and negative indexes. */
static lp_status slice(loupe_session *s, lp_val *obj, const lp_ast *sl, lp_val **out) {
    int64_t len = obj->kind == LV_STR ? (int64_t)obj->u.s.n : obj->u.list.n, b[2] = {0, len};
    const lp_ast *ends[2] = {sl->a, sl->b};
    for (int k = 0; k < 2; k++) {
        if (!ends[k]) continue;
        lp_val *v = NULL;
        lp_status st = lp_eval(s, ends[k], &v);
        if (st == LP_OK && v->kind != LV_NONE) st = lp_want_int(s, v, ends[k], "a slice index", &b[k]);
        lp_val_unref(v);
        if (st != LP_OK) return st;
        if (b[k] < 0) b[k] += len;
        b[k] = b[k] < 0 ? 0 : b[k] > len ? len : b[k];
    }
    int64_t m = b[1] > b[0] ? b[1] - b[0] : 0;
    if (obj->kind == LV_STR) {
        *out = lp_val_str(obj->u.s.p + b[0], (size_t)m);
    } else {
        lp_val *l = lp_val_list(obj->kind, (int)m);
        for (int64_t i = 0; l && i < m; i++) l->u.list.v[i] = lp_val_ref(obj->u.list.v[b[0] + i]);
        *out = l;
    }
    return *out ? LP_OK : nomem(s);
}

static lp_status eval_index(loupe_session *s, const lp_ast *n, lp_val **out) {
    lp_val *obj = NULL, *ix = NULL;
    lp_status st = lp_eval(s, n->a, &obj);
    if (st == LP_OK && n->b->kind == LP_AST_SLICE) {
        if (obj->kind == LV_LIST || obj->kind == LV_TUPLE || obj->kind == LV_STR) st = slice(s, obj, n->b, out);
        else st = lp_err(s, LP_ETYPE, n->b, "a slice a:b only applies to a list, a tuple or a string, not %s",
                         lp_val_type_name(obj));
        lp_val_unref(obj);
        return st;
    }
    if (st == LP_OK) st = lp_eval(s, n->b, &ix);
    if (st != LP_OK) goto done;
    switch (obj->kind) {
    case LV_DF:
        if (ix->kind == LV_STR) {
            lp_val *c = NULL;
            int i = lp_plan_col_index(obj->u.df, ix->u.s.p);
            if (i < 0 && strcmp(ix->u.s.p, "*") != 0) {
                const char *cands[1024];
                int nc = 0;
                for (int k = 0; k < obj->u.df->ncols && nc < 1024; k++) cands[nc++] = obj->u.df->names[k];
                int64_t b = lp_str_offset(n->b, 0);
                lp_err_span(s, LP_ENAME, b >= 0 ? b : n->b->start, b >= 0 ? b + (int64_t)ix->u.s.n : n->b->end,
                            i == -2 ? "column name '%s' is ambiguous" : "column '%s' does not exist", ix->u.s.p);
                const char *cl = lp_expr_closest(ix->u.s.p, cands, nc);
                if (cl) lp_hint(s, "did you mean '%s'?", cl);
                st = i == -2 ? LP_ENAME : LP_ENAME;
                break;
            }
            if ((st = lp_to_col(s, ix, n->b, true, &c)) != LP_OK) break;
            if (!lp_colv_add_origin(c->u.col, c->u.col->e, obj->u.df)) {
                lp_val_unref(c);
                st = nomem(s);
                break;
            }
            *out = c;
        } else if (ix->kind == LV_LIST || ix->kind == LV_TUPLE || ix->kind == LV_COL) {
            /* df[["a", "b"]] selects; df[cond] filters, as in PySpark */
            const lp_method *m = find_method(LV_DF, ix->kind == LV_COL ? "filter" : "select");
            lp_args a = {.start = n->start, .end = n->end, .fname = m->name, .npos = 1};
            lp_val *pv[1] = {ix};
            lp_ast *pa[1] = {n->b};
            a.pos = pv;
            a.pos_ast = pa;
            st = m->fn(s, obj, &a, out);
        } else if (ix->kind == LV_INT) {
            if (ix->u.i < 0 || ix->u.i >= obj->u.df->ncols) {
                st = lp_err(s, LP_EVALUE, n->b, "column index %lld is out of range: the frame has %d columns",
                            (long long)ix->u.i, obj->u.df->ncols);
                break;
            }
            lp_colv *c = lp_colv_new();
            if (!c) { st = nomem(s); break; }
            c->e = lp_expr_col(&c->arena, obj->u.df->names[ix->u.i], (size_t)-1, n->start, n->end);
            if (!c->e || !lp_colv_add_origin(c, c->e, obj->u.df)) {
                lp_colv_free(c);
                st = nomem(s);
                break;
            }
            *out = lp_val_colv(&c);
            if (!*out) st = nomem(s);
        } else {
            st = lp_err(s, LP_ETYPE, n->b, "a DataFrame is indexed by a column name, a list of names or a condition, not %s",
                        lp_val_type_name(ix));
        }
        break;
    case LV_COL: {
        lp_val *lit = NULL;
        if ((st = lp_to_lit_col(s, ix, n->b, &lit)) != LP_OK) break;
        lp_colv *c = lp_colv_new();
        if (!c) { lp_val_unref(lit); st = nomem(s); break; }
        lp_expr *args[2] = {lp_colv_import(c, obj->u.col, n->a->start, n->a->end),
                            lp_colv_import(c, lit->u.col, n->b->start, n->b->end)};
        lp_val_unref(lit);
        if (ix->kind == LV_STR) {  /* col["field"]: a flattened nested field */
            lp_strbuf b;
            lp_strbuf_init(&b);
            lp_expr_format(obj->u.col->e, &b);
            lp_strbuf_printf(&b, ".%s", ix->u.s.p);
            c->e = b.nomem ? NULL : lp_expr_col(&c->arena, b.p, b.len, n->start, n->end);
            lp_strbuf_reset(&b);
        } else {
            c->e = lp_expr_call(&c->arena, LP_FN_GET, args, 2, n->start, n->end);
        }
        *out = lp_val_colv(&c);
        if (!*out || !(*out)->u.col->e) st = nomem(s);
        break;
    }
    case LV_LIST:
    case LV_TUPLE:
    case LV_STR: {
        int64_t i;
        if ((st = lp_want_int(s, ix, n->b, "an index", &i)) != LP_OK) break;
        int64_t len = obj->kind == LV_STR ? (int64_t)obj->u.s.n : obj->u.list.n;
        if (i < 0) i += len;
        if (i < 0 || i >= len) {
            st = lp_err(s, LP_EVALUE, n->b, "index %lld is out of range (length %lld)", (long long)ix->u.i, (long long)len);
            break;
        }
        *out = obj->kind == LV_STR ? lp_val_str(obj->u.s.p + i, 1) : lp_val_ref(obj->u.list.v[i]);
        if (!*out) st = nomem(s);
        break;
    }
    case LV_ROW: {
        const lp_val *vals = obj->u.row.values, *names = obj->u.row.names;
        if (ix->kind == LV_STR) {
            for (int i = 0; i < names->u.list.n; i++)
                if (strcmp(names->u.list.v[i]->u.s.p, ix->u.s.p) == 0) {
                    *out = lp_val_ref(vals->u.list.v[i]);
                    goto done;
                }
            st = lp_err(s, LP_ENAME, n->b, "this Row has no field '%s'", ix->u.s.p);
            break;
        }
        int64_t i;
        if ((st = lp_want_int(s, ix, n->b, "a Row index", &i)) != LP_OK) break;
        if (i < 0) i += vals->u.list.n;
        if (i < 0 || i >= vals->u.list.n) {
            st = lp_err(s, LP_EVALUE, n->b, "index %lld is out of range: the Row has %d fields", (long long)ix->u.i,
                        vals->u.list.n);
            break;
        }
        *out = lp_val_ref(vals->u.list.v[i]);
        break;
    }
    case LV_DICT:
        for (int i = 0; i < obj->u.dict.n; i++) {
            const lp_val *k = obj->u.dict.k[i];
            if (k->kind == ix->kind && ((k->kind == LV_STR && strcmp(k->u.s.p, ix->u.s.p) == 0) ||
                                        (k->kind == LV_INT && k->u.i == ix->u.i))) {
                *out = lp_val_ref(obj->u.dict.v[i]);
                goto done;
            }
        }
        st = lp_err(s, LP_ENAME, n->b, "key not found in the dict");
        break;
    default:
        st = lp_err(s, LP_ETYPE, n->a, "'%s' object is not subscriptable", lp_val_type_name(obj));
    }
done:
    lp_val_unref(obj);
    lp_val_unref(ix);
    return st;
}

/* ---- operators on scalars ---- */

static bool num(const lp_val *v, double *f) {
    if (v->kind == LV_INT) *f = (double)v->u.i;
    else if (v->kind == LV_FLOAT) *f = v->u.f;
    else if (v->kind == LV_BOOL) *f = v->u.b;
    else return false;
    return true;
}

static bool truthy(const lp_val *v) {
    switch (v->kind) {
    case LV_NONE: return false;
    case LV_BOOL: return v->u.b;
    case LV_INT: return v->u.i != 0;
    case LV_FLOAT: return v->u.f != 0;
    case LV_STR: return v->u.s.n != 0;
    case LV_LIST: case LV_TUPLE: return v->u.list.n != 0;
    case LV_DICT: return v->u.dict.n != 0;
    default: return true;
    }
}

static bool equal(const lp_val *a, const lp_val *b) {
    double x, y;
    if (num(a, &x) && num(b, &y)) return x == y;
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case LV_NONE: return true;
    case LV_STR: return a->u.s.n == b->u.s.n && memcmp(a->u.s.p, b->u.s.p, a->u.s.n) == 0;
    case LV_LIST:
    case LV_TUPLE:
        if (a->u.list.n != b->u.list.n) return false;
        for (int i = 0; i < a->u.list.n; i++)
            if (!equal(a->u.list.v[i], b->u.list.v[i])) return false;
        return true;
    case LV_ROW: return equal(a->u.row.values, b->u.row.values) && equal(a->u.row.names, b->u.row.names);
    default: return a == b;
    }
}

static lp_status scalar_binop(loupe_session *s, const lp_ast *n, lp_val *a, lp_val *b, lp_val **out) {
    const char *op = n->op;
    double x = 0, y = 0;
    bool isnum = num(a, &x) && num(b, &y);
    bool ints = (a->kind == LV_INT || a->kind == LV_BOOL) && (b->kind == LV_INT || b->kind == LV_BOOL);
    int64_t i = a->kind == LV_BOOL ? a->u.b : a->u.i, j = b->kind == LV_BOOL ? b->u.b : b->u.i;
    if (strcmp(op, "==") == 0 || strcmp(op, "!=") == 0 || strcmp(op, "is") == 0 || strcmp(op, "is not") == 0) {
        bool e = equal(a, b);
        *out = lp_val_bool(op[0] == '=' || strcmp(op, "is") == 0 ? e : !e);
        return *out ? LP_OK : nomem(s);
    }
    if (strcmp(op, "in") == 0 || strcmp(op, "not in") == 0) {
        bool found = false;
        if (b->kind == LV_LIST || b->kind == LV_TUPLE) {
            for (int k = 0; k < b->u.list.n && !found; k++) found = equal(a, b->u.list.v[k]);
        } else if (b->kind == LV_STR && a->kind == LV_STR) {
            found = memmem(b->u.s.p, b->u.s.n, a->u.s.p, a->u.s.n) != NULL;
        } else if (b->kind == LV_DICT) {
            for (int k = 0; k < b->u.dict.n && !found; k++) found = equal(a, b->u.dict.k[k]);
        } else {
            return lp_err(s, LP_ETYPE, n->b, "'in' needs a list, a tuple, a dict or a string on its right, got %s",
                          lp_val_type_name(b));
        }
        *out = lp_val_bool(op[0] == 'i' ? found : !found);
        return *out ? LP_OK : nomem(s);
    }
    bool cmp = strcmp(op, "<") == 0 || strcmp(op, "<=") == 0 || strcmp(op, ">") == 0 || strcmp(op, ">=") == 0;
    if (cmp) {
        int c;
        if (isnum) c = x < y ? -1 : x > y;
        else if (a->kind == LV_STR && b->kind == LV_STR) c = strcmp(a->u.s.p, b->u.s.p);
        else
            return lp_err_span(s, LP_ETYPE, n->op_start, n->op_start + (int64_t)strlen(op),
                               "'%s' is not supported between %s and %s", op, lp_val_type_name(a), lp_val_type_name(b));
        bool r = op[0] == '<' ? (op[1] ? c <= 0 : c < 0) : (op[1] ? c >= 0 : c > 0);
        *out = lp_val_bool(r);
        return *out ? LP_OK : nomem(s);
    }
    if (strcmp(op, "+") == 0 && a->kind == LV_STR && b->kind == LV_STR) {
        char *p = lp_malloc(a->u.s.n + b->u.s.n + 1);
        if (!p) return nomem(s);
        memcpy(p, a->u.s.p, a->u.s.n);
        memcpy(p + a->u.s.n, b->u.s.p, b->u.s.n + 1);
        *out = lp_val_str(p, a->u.s.n + b->u.s.n);
        lp_free(p);
        return *out ? LP_OK : nomem(s);
    }
    if (strcmp(op, "+") == 0 && (a->kind == LV_LIST || a->kind == LV_TUPLE) && a->kind == b->kind) {
        lp_val *l = lp_val_list(a->kind, a->u.list.n + b->u.list.n);
        if (!l) return nomem(s);
        for (int k = 0; k < a->u.list.n; k++) l->u.list.v[k] = lp_val_ref(a->u.list.v[k]);
        for (int k = 0; k < b->u.list.n; k++) l->u.list.v[a->u.list.n + k] = lp_val_ref(b->u.list.v[k]);
        *out = l;
        return LP_OK;
    }
    if (strcmp(op, "and") == 0 || strcmp(op, "or") == 0) {
        bool ta = truthy(a);
        *out = lp_val_ref(op[0] == 'a' ? (ta ? b : a) : (ta ? a : b));
        return LP_OK;
    }
    if (!isnum)
        return lp_err_span(s, LP_ETYPE, n->op_start, n->op_start + (int64_t)strlen(op),
                           "unsupported operand types for %s: %s and %s", op, lp_val_type_name(a), lp_val_type_name(b));
    if ((strcmp(op, "/") == 0 || strcmp(op, "//") == 0 || strcmp(op, "%") == 0) && y == 0)
        return lp_err(s, LP_EVALUE, n->b, "division by zero");
    switch (op[0]) {
    case '+': *out = ints ? lp_val_int((int64_t)((uint64_t)i + (uint64_t)j)) : lp_val_float(x + y); break;
    case '-': *out = ints ? lp_val_int((int64_t)((uint64_t)i - (uint64_t)j)) : lp_val_float(x - y); break;
    case '*':
        if (op[1] == '*') *out = ints && j >= 0 && pow(x, y) < 9e18 ? lp_val_int((int64_t)pow(x, y)) : lp_val_float(pow(x, y));
        else *out = ints ? lp_val_int((int64_t)((uint64_t)i * (uint64_t)j)) : lp_val_float(x * y);
        break;
    case '/':
        if (op[1] == '/') *out = ints ? lp_val_int((int64_t)floor((double)i / (double)j)) : lp_val_float(floor(x / y));
        else *out = lp_val_float(x / y);
        break;
    case '%': {
        if (ints) {
            int64_t r = j == -1 ? 0 : i % j;
            if (r != 0 && ((r < 0) != (j < 0))) r += j;
            *out = lp_val_int(r);
        } else {
            double r = fmod(x, y);
            if (r != 0 && ((r < 0) != (y < 0))) r += y;
            *out = lp_val_float(r);
        }
        break;
    }
    case '&': case '|': case '^':
        if (!ints) return lp_err_span(s, LP_ETYPE, n->op_start, n->op_start + 1, "'%s' needs ints or columns", op);
        *out = op[0] == '&' ? lp_val_int(i & j) : op[0] == '|' ? lp_val_int(i | j) : lp_val_int(i ^ j);
        if (*out && a->kind == LV_BOOL && b->kind == LV_BOOL) {
            bool r = (*out)->u.i != 0;
            lp_val_unref(*out);
            *out = lp_val_bool(r);
        }
        break;
    default:
        return lp_err_span(s, LP_ESYNTAX, n->op_start, n->op_start + 1, "unknown operator %s", op);
    }
    return *out ? LP_OK : nomem(s);
}

static lp_status eval_binary(loupe_session *s, const lp_ast *n, lp_val **out) {
    lp_val *a = NULL, *b = NULL;
    lp_status st = lp_eval(s, n->a, &a);
    if (st != LP_OK) return st;
    bool logical = strcmp(n->op, "and") == 0 || strcmp(n->op, "or") == 0;
    /* Python short-circuits and/or on scalars */
    if (logical && a->kind != LV_COL && (truthy(a) == (n->op[0] == 'o'))) {
        *out = a;
        return LP_OK;
    }
    if ((st = lp_eval(s, n->b, &b)) != LP_OK) {
        lp_val_unref(a);
        return st;
    }
    if (a->kind == LV_COL || b->kind == LV_COL) {
        if (logical) {
            st = lp_err_span(s, LP_ETYPE, n->op_start, n->op_start + (int64_t)strlen(n->op),
                             "'%s' cannot combine columns (PySpark says: Cannot convert column into bool)", n->op);
            lp_hint(s, "use %s instead of '%s', with parentheses around each comparison: (col('a') > 1) %s (col('b') < 2)",
                    n->op[0] == 'a' ? "&" : "|", n->op, n->op[0] == 'a' ? "&" : "|");
        } else {
            st = lp_col_binop(s, n->op, a, b, n, out);
        }
    } else if ((a->kind == LV_DF || b->kind == LV_DF) && strcmp(n->op, "==") != 0 && strcmp(n->op, "!=") != 0 &&
               strcmp(n->op, "is") != 0 && strcmp(n->op, "is not") != 0) {
        st = lp_err_span(s, LP_ETYPE, n->op_start, n->op_start + (int64_t)strlen(n->op),
                         "'%s' does not apply to a DataFrame; apply it to its columns, e.g. df.select(col('x') %s 1)", n->op,
                         n->op);
    } else {
        st = scalar_binop(s, n, a, b, out);
    }
    lp_val_unref(a);
    lp_val_unref(b);
    return st;
}

static lp_status eval_unary(loupe_session *s, const lp_ast *n, lp_val **out) {
    lp_val *a = NULL;
    lp_status st = lp_eval(s, n->a, &a);
    if (st != LP_OK) return st;
    if (a->kind == LV_COL) {
        if (strcmp(n->op, "not") == 0) {
            st = lp_err_span(s, LP_ETYPE, n->op_start, n->op_start + 3,
                             "'not' cannot negate a column (PySpark says: Cannot convert column into bool)");
            lp_hint(s, "use ~ instead: ~(col('a') > 1)");
        } else {
            st = lp_col_unop(s, n->op, a, n, out);
        }
    } else if (strcmp(n->op, "not") == 0) {
        *out = lp_val_bool(!truthy(a));
        if (!*out) st = nomem(s);
    } else if (a->kind == LV_INT || a->kind == LV_FLOAT || a->kind == LV_BOOL) {
        int64_t i = a->kind == LV_BOOL ? a->u.b : a->u.i;
        if (strcmp(n->op, "-") == 0) *out = a->kind == LV_FLOAT ? lp_val_float(-a->u.f) : lp_val_int((int64_t)(0 - (uint64_t)i));
        else if (strcmp(n->op, "+") == 0) *out = a->kind == LV_BOOL ? lp_val_int(i) : lp_val_ref(a);
        else if (a->kind != LV_FLOAT) *out = lp_val_int(~i);
        else st = lp_err(s, LP_ETYPE, n, "bad operand type for unary ~: float");
        if (st == LP_OK && !*out) st = nomem(s);
    } else {
        st = lp_err(s, LP_ETYPE, n, "bad operand type for unary %s: %s", n->op, lp_val_type_name(a));
    }
    lp_val_unref(a);
    return st;
}

/* ---- the walk ---- */

static lp_status eval_seq(loupe_session *s, const lp_ast *n, lp_vkind k, lp_val **out) {
    lp_val *l = lp_val_list(k, n->nitems);
    if (!l) return nomem(s);
    for (int i = 0; i < n->nitems; i++) {
        lp_status st = lp_eval(s, n->items[i], &l->u.list.v[i]);
        if (st != LP_OK) {
            l->u.list.n = i;
            lp_val_unref(l);
            return st;
        }
    }
    *out = l;
    return LP_OK;
}

static lp_status eval_dict(loupe_session *s, const lp_ast *n, lp_val **out) {
    int m = n->nitems / 2;
    lp_val *dv = lp_val_new(LV_DICT);
    if (!dv || !(dv->u.dict.k = lp_calloc((size_t)m + 1, sizeof(lp_val *))) ||
        !(dv->u.dict.v = lp_calloc((size_t)m + 1, sizeof(lp_val *)))) {
        lp_val_unref(dv);
        return nomem(s);
    }
    for (int i = 0; i < m; i++) {
        lp_status st = lp_eval(s, n->items[2 * i], &dv->u.dict.k[i]);
        if (st == LP_OK) st = lp_eval(s, n->items[2 * i + 1], &dv->u.dict.v[i]);
        dv->u.dict.n = i + 1;
        if (st != LP_OK) {
            lp_val_unref(dv);
            return st;
        }
    }
    *out = dv;
    return LP_OK;
}

LP_WUR lp_status lp_eval(loupe_session *s, const lp_ast *n, lp_val **out) {
    *out = NULL;
    if (lp_cancelled()) return lp_diag_set(s->d, LP_ECANCELLED, "interrupted");
    if (++s->depth > 400) {
        s->depth--;
        return lp_err(s, LP_ELIMIT, n, "the expression is nested too deeply (over 400 levels)");
    }
    lp_status st = LP_OK;
    switch (n->kind) {
    case LP_AST_NAME: st = eval_name(s, n, out); break;
    case LP_AST_INT: *out = lp_val_int(n->i); break;
    case LP_AST_FLOAT: *out = lp_val_float(n->f); break;
    case LP_AST_STR: *out = lp_val_str(n->s, n->n); break;
    case LP_AST_TRUE: *out = lp_val_bool(true); break;
    case LP_AST_FALSE: *out = lp_val_bool(false); break;
    case LP_AST_NONE: *out = lp_val_none(); break;
    case LP_AST_LIST: st = eval_seq(s, n, LV_LIST, out); break;
    case LP_AST_TUPLE: st = eval_seq(s, n, LV_TUPLE, out); break;
    case LP_AST_DICT: st = eval_dict(s, n, out); break;
    case LP_AST_ATTR: {
        lp_val *obj = NULL;
        if ((st = lp_eval(s, n->a, &obj)) == LP_OK) st = lp_getattr(s, obj, n->s, n, out);
        lp_val_unref(obj);
        break;
    }
    case LP_AST_CALL: st = eval_call(s, n, out); break;
    case LP_AST_INDEX: st = eval_index(s, n, out); break;
    case LP_AST_UNARY: st = eval_unary(s, n, out); break;
    case LP_AST_BINARY: st = eval_binary(s, n, out); break;
    case LP_AST_STAR: st = lp_err(s, LP_ESYNTAX, n, "*unpacking is only allowed in a call's arguments"); break;
    case LP_AST_SLICE: st = lp_err(s, LP_ETYPE, n, "a slice a:b only applies to a list, a tuple or a string"); break;
    }
    s->depth--;
    if (st == LP_OK && !*out) st = nomem(s);
    if (st != LP_OK) {
        lp_val_unref(*out);
        *out = NULL;
    }
    return st;
}
