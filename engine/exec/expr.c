/* expr.c -- expression trees: the function registry, constructors, binding (name resolution,
 * type checking and inference, implicit promotion, precompilation) and the printer.
 *
 * Everything here runs on the statement's thread and allocates in the statement's arena; the
 * outside resources a bound tree holds (literal columns, compiled regexes) are released by
 * cleanups registered on that arena. Type errors are written to teach: they name the operation
 * and both operands with their types, and the hint shows the fix in PySpark's spelling.
 */
#include "expr_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- the registry ---- */

#define OP LP_FNF_OPERATOR
#define AL LP_FNF_ALIAS
#define AG LP_FNF_AGG
static const lp_fninfo registry[] = {
    {"+", LP_FN_ADD, 2, 2, OP, -1}, {"-", LP_FN_SUB, 2, 2, OP, -1}, {"*", LP_FN_MUL, 2, 2, OP, -1},
    {"/", LP_FN_DIV, 2, 2, OP, -1}, {"%", LP_FN_MOD, 2, 2, OP, -1}, {"mod", LP_FN_MOD, 2, 2, OP | AL, -1},
    {"negative", LP_FN_NEG, 1, 1, OP, -1},
    {"=", LP_FN_EQ, 2, 2, OP, -1}, {"==", LP_FN_EQ, 2, 2, OP | AL, -1},
    {"!=", LP_FN_NE, 2, 2, OP, -1}, {"<>", LP_FN_NE, 2, 2, OP | AL, -1},
    {"<", LP_FN_LT, 2, 2, OP, -1}, {"<=", LP_FN_LE, 2, 2, OP, -1}, {">", LP_FN_GT, 2, 2, OP, -1},
    {">=", LP_FN_GE, 2, 2, OP, -1}, {"<=>", LP_FN_EQ_NS, 2, 2, OP, -1},
    {"and", LP_FN_AND, 2, 2, OP, -1}, {"or", LP_FN_OR, 2, 2, OP, -1}, {"not", LP_FN_NOT, 1, 1, OP, -1},
    {"isnull", LP_FN_IS_NULL, 1, 1, OP, -1}, {"isnotnull", LP_FN_IS_NOT_NULL, 1, 1, OP, -1},
    {"in", LP_FN_IN, 2, -1, OP, -1}, {"between", LP_FN_BETWEEN, 3, 3, OP, -1},
    {"like", LP_FN_LIKE, 2, 3, OP, -1}, {"ilike", LP_FN_ILIKE, 2, 3, 0, -1},
    {"rlike", LP_FN_RLIKE, 2, 2, OP, -1}, {"regexp", LP_FN_RLIKE, 2, 2, OP | AL, -1},
    {"regexp_like", LP_FN_RLIKE, 2, 2, OP | AL, -1},
    {"case", LP_FN_CASE, 2, -1, OP, -1}, {"if", LP_FN_IF, 3, 3, OP, -1}, {"iff", LP_FN_IF, 3, 3, OP | AL, -1},
    {"cast", LP_FN_CAST, 1, 1, OP, -1}, {"get", LP_FN_GET, 2, 2, OP, -1},
    {"length", LP_FN_LENGTH, 1, 1, 0, -1}, {"char_length", LP_FN_LENGTH, 1, 1, AL, -1},
    {"character_length", LP_FN_LENGTH, 1, 1, AL, -1}, {"len", LP_FN_LENGTH, 1, 1, AL, -1},
    {"lower", LP_FN_LOWER, 1, 1, 0, -1}, {"lcase", LP_FN_LOWER, 1, 1, AL, -1},
    {"upper", LP_FN_UPPER, 1, 1, 0, -1}, {"ucase", LP_FN_UPPER, 1, 1, AL, -1},
    {"trim", LP_FN_TRIM, 1, 2, 0, -1}, {"ltrim", LP_FN_LTRIM, 1, 2, 0, -1}, {"rtrim", LP_FN_RTRIM, 1, 2, 0, -1},
    {"substring", LP_FN_SUBSTRING, 2, 3, 0, -1}, {"substr", LP_FN_SUBSTRING, 2, 3, AL, -1},
    {"concat", LP_FN_CONCAT, 1, -1, 0, -1}, {"concat_ws", LP_FN_CONCAT_WS, 1, -1, 0, -1},
    {"contains", LP_FN_CONTAINS, 2, 2, 0, -1},
    {"startswith", LP_FN_STARTSWITH, 2, 2, 0, -1}, {"starts_with", LP_FN_STARTSWITH, 2, 2, AL, -1},
    {"endswith", LP_FN_ENDSWITH, 2, 2, 0, -1}, {"ends_with", LP_FN_ENDSWITH, 2, 2, AL, -1},
    {"split", LP_FN_SPLIT, 2, 3, 0, -1}, {"regexp_extract", LP_FN_REGEXP_EXTRACT, 2, 3, 0, -1},
    {"regexp_replace", LP_FN_REGEXP_REPLACE, 3, 3, 0, -1},
    {"initcap", LP_FN_INITCAP, 1, 1, 0, -1}, {"instr", LP_FN_INSTR, 2, 2, 0, -1},
    {"lpad", LP_FN_LPAD, 2, 3, 0, -1}, {"rpad", LP_FN_RPAD, 2, 3, 0, -1}, {"reverse", LP_FN_REVERSE, 1, 1, 0, -1},
    {"isnan", LP_FN_ISNAN, 1, 1, 0, -1}, {"signum", LP_FN_SIGNUM, 1, 1, 0, -1}, {"sign", LP_FN_SIGNUM, 1, 1, AL, -1},
    {"quarter", LP_FN_QUARTER, 1, 1, 0, -1}, {"dayofyear", LP_FN_DAYOFYEAR, 1, 1, 0, -1},
    {"weekofyear", LP_FN_WEEKOFYEAR, 1, 1, 0, -1}, {"element_at", LP_FN_ELEMENT_AT, 2, 2, 0, -1},
    {"abs", LP_FN_ABS, 1, 1, 0, -1}, {"round", LP_FN_ROUND, 1, 2, 0, -1}, {"bround", LP_FN_BROUND, 1, 2, 0, -1},
    {"floor", LP_FN_FLOOR, 1, 1, 0, -1}, {"ceil", LP_FN_CEIL, 1, 1, 0, -1},
    {"ceiling", LP_FN_CEIL, 1, 1, AL, -1}, {"sqrt", LP_FN_SQRT, 1, 1, 0, -1},
    {"log", LP_FN_LOG, 1, 2, 0, -1}, {"ln", LP_FN_LOG, 1, 1, AL, -1}, {"log10", LP_FN_LOG10, 1, 1, 0, -1},
    {"log2", LP_FN_LOG2, 1, 1, 0, -1}, {"exp", LP_FN_EXP, 1, 1, 0, -1},
    {"pow", LP_FN_POW, 2, 2, 0, -1}, {"power", LP_FN_POW, 2, 2, AL, -1},
    {"coalesce", LP_FN_COALESCE, 1, -1, 0, -1}, {"greatest", LP_FN_GREATEST, 2, -1, 0, -1},
    {"least", LP_FN_LEAST, 2, -1, 0, -1}, {"nvl", LP_FN_NVL, 2, 2, 0, -1}, {"ifnull", LP_FN_NVL, 2, 2, AL, -1},
    {"to_date", LP_FN_TO_DATE, 1, 2, 0, -1}, {"to_timestamp", LP_FN_TO_TIMESTAMP, 1, 2, 0, -1},
    {"from_unixtime", LP_FN_FROM_UNIXTIME, 1, 2, 0, -1}, {"unix_timestamp", LP_FN_UNIX_TIMESTAMP, 0, 2, 0, -1},
    {"year", LP_FN_YEAR, 1, 1, 0, -1}, {"month", LP_FN_MONTH, 1, 1, 0, -1},
    {"day", LP_FN_DAY, 1, 1, 0, -1}, {"dayofmonth", LP_FN_DAY, 1, 1, AL, -1},
    {"dayofweek", LP_FN_DAYOFWEEK, 1, 1, 0, -1}, {"hour", LP_FN_HOUR, 1, 1, 0, -1},
    {"minute", LP_FN_MINUTE, 1, 1, 0, -1}, {"second", LP_FN_SECOND, 1, 1, 0, -1},
    {"date_trunc", LP_FN_DATE_TRUNC, 2, 2, 0, -1}, {"datediff", LP_FN_DATEDIFF, 2, 2, 0, -1},
    {"date_add", LP_FN_DATE_ADD, 2, 2, 0, -1}, {"date_sub", LP_FN_DATE_SUB, 2, 2, 0, -1},
    {"current_date", LP_FN_CURRENT_DATE, 0, 0, 0, -1},
    {"size", LP_FN_SIZE, 1, 1, 0, -1}, {"cardinality", LP_FN_SIZE, 1, 1, AL, -1},
    {"array_contains", LP_FN_ARRAY_CONTAINS, 2, 2, 0, -1},
    {"struct", LP_FN_STRUCT, 1, -1, 0, -1}, {"named_struct", LP_FN_NAMED_STRUCT, 2, -1, 0, -1},
    {"get_field", LP_FN_GET_FIELD, 2, 2, OP, -1}, {"window", LP_FN_WINDOW, 2, 4, 0, -1},
    {"explode", LP_FN_EXPLODE, 1, 1, 0, -1}, {"explode_outer", LP_FN_EXPLODE_OUTER, 1, 1, 0, -1},
    {"posexplode", LP_FN_POSEXPLODE, 1, 1, 0, -1}, {"posexplode_outer", LP_FN_POSEXPLODE_OUTER, 1, 1, 0, -1},
    {"count", LP_FN_AGG_COUNT, 1, 1, AG, LP_AGG_COUNT},
    {"count_distinct", LP_FN_AGG_COUNT_DISTINCT, 1, 1, AG, LP_AGG_COUNT_DISTINCT},
    {"countdistinct", LP_FN_AGG_COUNT_DISTINCT, 1, 1, AG | AL, LP_AGG_COUNT_DISTINCT},
    {"sum", LP_FN_AGG_SUM, 1, 1, AG, LP_AGG_SUM}, {"avg", LP_FN_AGG_AVG, 1, 1, AG, LP_AGG_MEAN},
    {"mean", LP_FN_AGG_AVG, 1, 1, AG | AL, LP_AGG_MEAN}, {"min", LP_FN_AGG_MIN, 1, 1, AG, LP_AGG_MIN},
    {"max", LP_FN_AGG_MAX, 1, 1, AG, LP_AGG_MAX},
    {"stddev", LP_FN_AGG_STDDEV_SAMP, 1, 1, AG, LP_AGG_STDDEV_SAMP},
    {"stddev_samp", LP_FN_AGG_STDDEV_SAMP, 1, 1, AG | AL, LP_AGG_STDDEV_SAMP},
    {"std", LP_FN_AGG_STDDEV_SAMP, 1, 1, AG | AL, LP_AGG_STDDEV_SAMP},
    {"stddev_pop", LP_FN_AGG_STDDEV_POP, 1, 1, AG, LP_AGG_STDDEV_POP},
    {"variance", LP_FN_AGG_VAR_SAMP, 1, 1, AG, LP_AGG_VAR_SAMP},
    {"var_samp", LP_FN_AGG_VAR_SAMP, 1, 1, AG | AL, LP_AGG_VAR_SAMP},
    {"var_pop", LP_FN_AGG_VAR_POP, 1, 1, AG, LP_AGG_VAR_POP},
    {"first", LP_FN_AGG_FIRST, 1, 2, AG, LP_AGG_FIRST}, {"last", LP_FN_AGG_LAST, 1, 2, AG, LP_AGG_LAST},
    {"median", LP_FN_AGG_MEDIAN, 1, 1, AG, LP_AGG_MEDIAN},
    {"percentile", LP_FN_AGG_PERCENTILE, 2, 2, AG, LP_AGG_PERCENTILE},
    {"percentile_approx", LP_FN_AGG_PERCENTILE_APPROX, 2, 3, AG, LP_AGG_PERCENTILE_APPROX},
    {"approx_percentile", LP_FN_AGG_PERCENTILE_APPROX, 2, 3, AG | AL, LP_AGG_PERCENTILE_APPROX},
    {"collect_list", LP_FN_AGG_COLLECT_LIST, 1, 1, AG, LP_AGG_COLLECT_LIST},
};
#undef OP
#undef AL
#undef AG

const lp_fninfo *lp_fn_lookup(const char *name, size_t n) {
    for (size_t i = 0; i < LP_ARRAY_LEN(registry); i++) {
        const char *r = registry[i].name;
        if (strlen(r) == n && strncasecmp(r, name, n) == 0) return &registry[i];
    }
    return NULL;
}

const lp_fninfo *lp_fn_info(lp_fn id) {
    for (size_t i = 0; i < LP_ARRAY_LEN(registry); i++)
        if (registry[i].id == id && !(registry[i].flags & LP_FNF_ALIAS)) return &registry[i];
    return NULL;
}

int lp_fn_count(void) { return (int)LP_ARRAY_LEN(registry); }
const lp_fninfo *lp_fn_at(int i) { return i >= 0 && i < lp_fn_count() ? &registry[i] : NULL; }

/* ---- constructors ---- */

/* A zeroed node of kind k with its span; NULL when the arena refuses. */
static lp_expr *node(lp_arena *a, lp_expr_kind k, int64_t start, int64_t end) {
    lp_expr *e = lp_arena_zalloc(a, sizeof *e);
    if (!e) return NULL;
    e->kind = (uint8_t)k;
    e->start = start;
    e->end = end;
    e->arena = a;
    e->col = -1;
    return e;
}

lp_expr *lp_expr_col(lp_arena *a, const char *name, size_t n, int64_t start, int64_t end) {
    if (n == (size_t)-1) n = strlen(name);
    lp_expr *e = node(a, LP_EXPR_COL, start, end);
    if (!e || !(e->name = lp_arena_strndup(a, name, n))) return NULL;
    return e;
}

lp_expr *lp_expr_col_index(lp_arena *a, int col, const char *name, int64_t start, int64_t end) {
    lp_expr *e = lp_expr_col(a, name ? name : "", (size_t)-1, start, end);
    if (!e) return NULL;
    e->col = col;
    e->by_index = true;
    return e;
}

lp_expr *lp_expr_lit(lp_arena *a, const lp_value *v, int64_t start, int64_t end) {
    if (v->type.kind == LP_LIST && !v->null) return NULL;
    lp_expr *e = node(a, LP_EXPR_LIT, start, end);
    if (!e) return NULL;
    e->lit = *v;
    if (v->null) e->lit.null = true;
    if (v->type.kind == LP_STRING && !v->null) {
        char *s = lp_arena_strndup(a, v->u.s.p ? v->u.s.p : "", (size_t)v->u.s.n);
        if (!s) return NULL;
        e->lit.u.s.p = s;
    }
    e->type = e->lit.type;
    return e;
}

lp_expr *lp_expr_int(lp_arena *a, int64_t v) {
    lp_value x = {.type = lp_type_of(LP_INT64), .u.i = v};
    return lp_expr_lit(a, &x, -1, -1);
}
lp_expr *lp_expr_float(lp_arena *a, double v) {
    lp_value x = {.type = lp_type_of(LP_FLOAT64), .u.f = v};
    return lp_expr_lit(a, &x, -1, -1);
}
lp_expr *lp_expr_str(lp_arena *a, const char *s, size_t n) {
    lp_value x = {.type = lp_type_of(LP_STRING)};
    x.u.s.p = s;
    x.u.s.n = (int64_t)(n == (size_t)-1 ? strlen(s) : n);
    return lp_expr_lit(a, &x, -1, -1);
}
lp_expr *lp_expr_bool(lp_arena *a, bool v) {
    lp_value x = {.type = lp_type_of(LP_BOOL), .u.b = v};
    return lp_expr_lit(a, &x, -1, -1);
}
lp_expr *lp_expr_null(lp_arena *a) {
    lp_value x = lp_value_null();
    return lp_expr_lit(a, &x, -1, -1);
}

static void xfn_release(void *p) {
    const lp_xfn *f = p;
    f->unref(f);
}

/* Takes a reference on f for as long as arena a lives. */
static bool xfn_hold(lp_arena *a, const lp_xfn *f) {
    if (!f->ref) return true;
    if (lp_arena_on_reset(a, xfn_release, (void *)f) != LP_OK) return false;
    f->ref(f);
    return true;
}

lp_expr *lp_expr_xcall(lp_arena *a, const lp_xfn *f, lp_expr *const *args, int nargs, int64_t start, int64_t end) {
    lp_expr *e = lp_expr_call(a, LP_FN_XCALL, args, nargs, start, end);
    if (!e || !xfn_hold(a, f)) return NULL;
    e->xfn = f;
    e->fname = f->name;
    return e;
}

lp_expr *lp_expr_call(lp_arena *a, lp_fn fn, lp_expr *const *args, int nargs, int64_t start, int64_t end) {
    for (int i = 0; i < nargs; i++)
        if (!args[i]) return NULL; /* a refused argument: propagate, so callers check once */
    lp_expr *e = node(a, LP_EXPR_CALL, start, end);
    if (!e) return NULL;
    e->fn = fn;
    e->nargs = nargs;
    if (nargs > 0) {
        e->args = lp_arena_alloc(a, sizeof *e->args * (size_t)nargs);
        if (!e->args) return NULL;
        memcpy(e->args, args, sizeof *e->args * (size_t)nargs);
    }
    const lp_fninfo *fi = lp_fn_info(fn);
    e->fname = fi ? fi->name : "?";
    return e;
}

lp_status lp_expr_call_named(lp_arena *a, const char *name, size_t n, lp_expr *const *args, int nargs,
                             int64_t start, int64_t end, lp_expr **out, lp_diag *d) {
    *out = NULL;
    const lp_fninfo *fi = lp_fn_lookup(name, n);
    if (!fi) {
        char buf[128];
        snprintf(buf, sizeof buf, "%.*s", (int)LP_MIN(n, 100), name);
        const char *names[LP_ARRAY_LEN(registry)];
        for (size_t i = 0; i < LP_ARRAY_LEN(registry); i++) names[i] = registry[i].name;
        const char *best = lp_expr_closest(buf, names, (int)LP_ARRAY_LEN(registry));
        lp_diag_set(d, LP_ENAME, "function '%s' does not exist", buf);
        if (best) lp_diag_hint(d, "did you mean '%s'?", best);
        lp_diag_span(d, start, end);
        return LP_ENAME;
    }
    lp_expr *e = lp_expr_call(a, fi->id, args, nargs, start, end);
    if (!e) return lp_diag_nomem(d, "expression");
    e->fname = fi->name;
    *out = e;
    return LP_OK;
}

lp_expr *lp_expr_cast(lp_arena *a, lp_expr *x, lp_type to, int64_t start, int64_t end) {
    if (!x) return NULL;
    lp_expr *e = lp_expr_call(a, LP_FN_CAST, &x, 1, start, end);
    if (e) e->cast_to = to;
    return e;
}

lp_expr *lp_expr_cast_as(lp_arena *a, lp_expr *x, lp_type to, const char *text, size_t n, int64_t start,
                         int64_t end) {
    lp_expr *e = lp_expr_cast(a, x, to, start, end);
    if (e && text && !(e->cast_text = lp_arena_strndup(a, text, n))) return NULL;
    return e;
}

lp_expr *lp_expr_clone(lp_arena *a, const lp_expr *e) {
    while (e->implicit) e = e->args[0];
    lp_expr *c = lp_arena_alloc(a, sizeof *c);
    if (!c) return NULL;
    *c = *e;
    c->arena = a;
    c->pre = NULL;
    c->nulled = NULL;
    if (!e->by_index && e->kind == LP_EXPR_COL) c->col = -1;
    if (e->kind == LP_EXPR_COL && !(c->name = lp_arena_strndup(a, e->name, strlen(e->name)))) return NULL;
    if (e->cast_text && !(c->cast_text = lp_arena_strndup(a, e->cast_text, strlen(e->cast_text)))) return NULL;
    if (e->kind == LP_EXPR_LIT && e->lit.type.kind == LP_STRING && !e->lit.null &&
        !(c->lit.u.s.p = lp_arena_strndup(a, e->lit.u.s.p, (size_t)e->lit.u.s.n)))
        return NULL;
    if (e->nargs) {
        c->args = lp_arena_alloc(a, sizeof *c->args * (size_t)e->nargs);
        if (!c->args) return NULL;
        for (int i = 0; i < e->nargs; i++)
            if (!(c->args[i] = lp_expr_clone(a, e->args[i]))) return NULL;
    }
    if (e->kind == LP_EXPR_WINDOW && e->win && !(c->win = lp_winspec_clone(a, e->win))) return NULL;
    if (e->kind == LP_EXPR_CALL && e->fn == LP_FN_XCALL && !xfn_hold(a, e->xfn)) return NULL;
    return c;
}

/* ---- window nodes ---- */

lp_expr *lp_expr_window(lp_arena *a, lp_winfn fn, const char *name, lp_expr *const *args, int nargs,
                        int64_t start, int64_t end) {
    for (int i = 0; i < nargs; i++)
        if (!args[i]) return NULL;
    lp_expr *e = node(a, LP_EXPR_WINDOW, start, end);
    if (!e) return NULL;
    e->wfn = (uint8_t)fn;
    e->fname = name;
    e->nargs = nargs;
    if (nargs && !(e->args = lp_arena_alloc(a, sizeof *e->args * (size_t)nargs))) return NULL;
    if (nargs) memcpy(e->args, args, sizeof *e->args * (size_t)nargs);
    return e;
}

bool lp_expr_window_ok(const lp_expr *f) {
    while (f->implicit) f = f->args[0];
    if (f->kind == LP_EXPR_WINDOW) return f->win == NULL;
    if (f->kind != LP_EXPR_CALL) return false;
    const lp_fninfo *fi = lp_fn_info(f->fn);
    return fi && (fi->flags & LP_FNF_AGG);
}

static lp_expr **clone_list(lp_arena *a, lp_expr *const *l, int n) {
    lp_expr **c = lp_arena_alloc(a, sizeof *c * (size_t)(n ? n : 1));
    for (int i = 0; c && i < n; i++)
        if (!(c[i] = lp_expr_clone(a, l[i]))) return NULL;
    return c;
}

lp_winspec *lp_winspec_clone(lp_arena *a, const lp_winspec *w) {
    lp_winspec *c = lp_arena_alloc(a, sizeof *c);
    if (!c) return NULL;
    *c = *w;
    int n = w->norder ? w->norder : 1;
    c->part = clone_list(a, w->part, w->npart);
    c->order = clone_list(a, w->order, w->norder);
    c->desc = lp_arena_zalloc(a, sizeof *c->desc * (size_t)n);
    c->nulls = lp_arena_zalloc(a, sizeof *c->nulls * (size_t)n);
    if (!c->part || !c->order || !c->desc || !c->nulls) return NULL;
    if (w->norder) {
        memcpy(c->desc, w->desc, sizeof *c->desc * (size_t)w->norder);
        memcpy(c->nulls, w->nulls, sizeof *c->nulls * (size_t)w->norder);
    }
    return c;
}

lp_expr *lp_expr_over(lp_arena *a, const lp_expr *f, const lp_winspec *w, int64_t start, int64_t end) {
    if (!lp_expr_window_ok(f)) return NULL;
    while (f->implicit) f = f->args[0];
    lp_expr *e;
    if (f->kind == LP_EXPR_WINDOW) {
        e = lp_expr_clone(a, f);
    } else {
        lp_expr *agg = lp_expr_clone(a, f);
        e = agg ? lp_expr_window(a, LP_WIN_AGG, NULL, &agg, 1, start, end) : NULL;
    }
    if (!e || !(e->win = lp_winspec_clone(a, w))) return NULL;
    e->start = start;
    e->end = end;
    return e;
}

bool lp_expr_has_window(const lp_expr *e) {
    if (e->kind == LP_EXPR_WINDOW) return true;
    for (int i = 0; i < e->nargs; i++)
        if (lp_expr_has_window(e->args[i])) return true;
    return false;
}

/* ---- names and suggestions ---- */

int lp_expr_distance(const char *a, size_t an, const char *b, size_t bn, int cap) {
    if (an > 64 || bn > 64) return (an == bn && strncasecmp(a, b, an) == 0) ? 0 : cap + 1;
    int prev[65], cur[65];
    for (size_t j = 0; j <= bn; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= an; i++) {
        cur[0] = (int)i;
        int best = cur[0];
        for (size_t j = 1; j <= bn; j++) {
            int sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = LP_MIN(sub, LP_MIN(del, ins));
            best = LP_MIN(best, cur[j]);
        }
        if (best > cap) return cap + 1;
        memcpy(prev, cur, sizeof(int) * (bn + 1));
    }
    return LP_MIN(prev[bn], cap + 1);
}

const char *lp_expr_closest(const char *name, const char *const *cands, int ncands) {
    size_t n = strlen(name);
    int limit = (int)LP_MAX(1, LP_MIN(3, n / 3));
    const char *best = NULL;
    int bestd = limit + 1;
    for (int i = 0; i < ncands; i++) {
        int dd = lp_expr_distance(name, n, cands[i], strlen(cands[i]), limit);
        if (dd < bestd) {
            bestd = dd;
            best = cands[i];
        }
    }
    return best;
}

/* ---- printing ---- */

static void print_lit(const lp_value *v, lp_strbuf *out) {
    char buf[48];
    if (v->null) {
        lp_strbuf_puts(out, "NULL");
        return;
    }
    switch ((lp_kind)v->type.kind) {
    case LP_STRING: lp_strbuf_append(out, v->u.s.p, (size_t)v->u.s.n); return;
    case LP_DATE: lp_format_date(v->u.d, buf); lp_strbuf_printf(out, "DATE '%s'", buf); return;
    case LP_TIMESTAMP: lp_format_timestamp(v->u.i, buf); lp_strbuf_printf(out, "TIMESTAMP '%s'", buf); return;
    default: lp_value_format(v, out); return;
    }
}

static void print_args(const lp_expr *e, int from, lp_strbuf *out) {
    for (int i = from; i < e->nargs; i++) {
        if (i > from) lp_strbuf_puts(out, ", ");
        lp_expr_format(e->args[i], out);
    }
}

static const char *infix(lp_fn fn) {
    switch (fn) {
    case LP_FN_ADD: return "+"; case LP_FN_SUB: return "-"; case LP_FN_MUL: return "*";
    case LP_FN_DIV: return "/"; case LP_FN_MOD: return "%"; case LP_FN_EQ: return "=";
    case LP_FN_LT: return "<"; case LP_FN_LE: return "<="; case LP_FN_GT: return ">";
    case LP_FN_GE: return ">="; case LP_FN_EQ_NS: return "<=>"; case LP_FN_AND: return "AND";
    case LP_FN_OR: return "OR";
    default: return NULL;
    }
}

/* A cast's target as Spark prints it: the name as written, in Spark's canonical spelling. */
static void print_type(lp_type t, const char *text, lp_strbuf *out) {
    static const char *const canon[][2] = {{"integer", "INT"}, {"long", "BIGINT"}, {"short", "SMALLINT"},
                                           {"byte", "TINYINT"}, {"bool", "BOOLEAN"}, {"str", "STRING"}};
    const char *s = text ? text : lp_type_name(t);
    for (size_t i = 0; text && i < LP_ARRAY_LEN(canon); i++)
        if (strcasecmp(text, canon[i][0]) == 0) s = canon[i][1];
    for (; *s; s++) lp_strbuf_putc(out, (char)toupper((unsigned char)*s));
}

static void print_bound(int64_t v, bool lo, lp_strbuf *out) {
    if (v == (lo ? LP_FRAME_UNBOUNDED_LO : LP_FRAME_UNBOUNDED_HI))
        lp_strbuf_puts(out, lo ? "UNBOUNDED PRECEDING" : "UNBOUNDED FOLLOWING");
    else if (v == 0) lp_strbuf_puts(out, "CURRENT ROW");
    else if (v < 0) lp_strbuf_printf(out, "%llu PRECEDING", (unsigned long long)-(uint64_t)v);
    else lp_strbuf_printf(out, "%lld FOLLOWING", (long long)v);
}

/* "fn(args) OVER (PARTITION BY g ORDER BY t ASC NULLS FIRST ROWS BETWEEN ...)", as Spark names
 * the column: the frame printed is the one that applies (Spark's defaults resolved). */
static void print_window(const lp_expr *e, lp_strbuf *out) {
    if ((lp_winfn)e->wfn == LP_WIN_AGG) {
        lp_expr_format(e->args[0], out);
    } else {
        lp_strbuf_puts(out, e->fname ? e->fname : "?");
        lp_strbuf_putc(out, '(');
        print_args(e, 0, out);
        lp_strbuf_putc(out, ')');
    }
    const lp_winspec *w = e->win;
    if (!w) return;
    lp_strbuf_puts(out, " OVER (");
    if (w->npart) {
        lp_strbuf_puts(out, "PARTITION BY ");
        for (int i = 0; i < w->npart; i++) {
            if (i) lp_strbuf_puts(out, ", ");
            lp_expr_format(w->part[i], out);
        }
        lp_strbuf_putc(out, ' ');
    }
    if (w->norder) {
        lp_strbuf_puts(out, "ORDER BY ");
        for (int i = 0; i < w->norder; i++) {
            if (i) lp_strbuf_puts(out, ", ");
            lp_expr_format(w->order[i], out);
            bool nf = w->nulls[i] < 0 ? !w->desc[i] : w->nulls[i] == 1;
            lp_strbuf_puts(out, w->desc[i] ? " DESC" : " ASC");
            lp_strbuf_puts(out, nf ? " NULLS FIRST" : " NULLS LAST");
        }
        lp_strbuf_putc(out, ' ');
    }
    int64_t n = 0;
    if (((lp_winfn)e->wfn == LP_WIN_LAG || (lp_winfn)e->wfn == LP_WIN_LEAD) && e->nargs > 1 &&
        e->args[1]->kind == LP_EXPR_LIT && e->args[1]->lit.type.kind == LP_INT64)
        n = e->args[1]->lit.u.i;
    lp_winframe f = lp_window_frame((lp_winfn)e->wfn, n, w->norder, w->frame);
    if ((lp_winfn)e->wfn == LP_WIN_LAG || (lp_winfn)e->wfn == LP_WIN_LEAD) {
        /* Spark prints the offset row as a FOLLOWING bound, negative for lag */
        lp_strbuf_printf(out, "ROWS BETWEEN %lld FOLLOWING AND %lld FOLLOWING)", (long long)f.lo, (long long)f.hi);
        return;
    }
    lp_strbuf_puts(out, f.kind == LP_FRAME_RANGE ? "RANGE BETWEEN " : "ROWS BETWEEN ");
    print_bound(f.lo, true, out);
    lp_strbuf_puts(out, " AND ");
    print_bound(f.hi, false, out);
    lp_strbuf_putc(out, ')');
}

void lp_expr_format(const lp_expr *e, lp_strbuf *out) {
    while (e->implicit) e = e->args[0];
    if (e->kind == LP_EXPR_WINDOW) {
        print_window(e, out);
        return;
    }
    if (e->kind == LP_EXPR_COL) {
        lp_strbuf_puts(out, e->name);
        return;
    }
    if (e->kind == LP_EXPR_LIT) {
        print_lit(&e->lit, out);
        return;
    }
    const char *op = infix(e->fn);
    if (op && e->nargs == 2) {
        lp_strbuf_putc(out, '(');
        lp_expr_format(e->args[0], out);
        lp_strbuf_printf(out, " %s ", op);
        lp_expr_format(e->args[1], out);
        lp_strbuf_putc(out, ')');
        return;
    }
    switch (e->fn) {
    case LP_FN_NE:
        lp_strbuf_puts(out, "(NOT (");
        lp_expr_format(e->args[0], out);
        lp_strbuf_puts(out, " = ");
        lp_expr_format(e->args[1], out);
        lp_strbuf_puts(out, "))");
        return;
    case LP_FN_NEG:
        lp_strbuf_puts(out, "(- ");
        lp_expr_format(e->args[0], out);
        lp_strbuf_putc(out, ')');
        return;
    case LP_FN_NOT:
        lp_strbuf_puts(out, "(NOT ");
        lp_expr_format(e->args[0], out);
        lp_strbuf_putc(out, ')');
        return;
    case LP_FN_IS_NULL:
    case LP_FN_IS_NOT_NULL:
        lp_strbuf_putc(out, '(');
        lp_expr_format(e->args[0], out);
        lp_strbuf_puts(out, e->fn == LP_FN_IS_NULL ? " IS NULL)" : " IS NOT NULL)");
        return;
    case LP_FN_IN:
        lp_strbuf_putc(out, '(');
        lp_expr_format(e->args[0], out);
        lp_strbuf_puts(out, " IN (");
        print_args(e, 1, out);
        lp_strbuf_puts(out, "))");
        return;
    case LP_FN_BETWEEN:
        lp_strbuf_puts(out, "((");
        lp_expr_format(e->args[0], out);
        lp_strbuf_puts(out, " >= ");
        lp_expr_format(e->args[1], out);
        lp_strbuf_puts(out, ") AND (");
        lp_expr_format(e->args[0], out);
        lp_strbuf_puts(out, " <= ");
        lp_expr_format(e->args[2], out);
        lp_strbuf_puts(out, "))");
        return;
    case LP_FN_LIKE:
    case LP_FN_RLIKE:
        if (e->nargs == 2) {
            lp_expr_format(e->args[0], out);
            lp_strbuf_puts(out, e->fn == LP_FN_LIKE ? " LIKE " : " RLIKE ");
            lp_expr_format(e->args[1], out);
            return;
        }
        break;
    case LP_FN_CASE:
        lp_strbuf_puts(out, "CASE");
        for (int i = 0; i + 1 < e->nargs; i += 2) {
            lp_strbuf_puts(out, " WHEN ");
            lp_expr_format(e->args[i], out);
            lp_strbuf_puts(out, " THEN ");
            lp_expr_format(e->args[i + 1], out);
        }
        if (e->nargs % 2) {
            lp_strbuf_puts(out, " ELSE ");
            lp_expr_format(e->args[e->nargs - 1], out);
        }
        lp_strbuf_puts(out, " END");
        return;
    case LP_FN_IF:
        lp_strbuf_puts(out, "(IF(");
        print_args(e, 0, out);
        lp_strbuf_puts(out, "))");
        return;
    case LP_FN_CAST:
        lp_strbuf_puts(out, "CAST(");
        lp_expr_format(e->args[0], out);
        lp_strbuf_puts(out, " AS ");
        print_type(e->cast_to, e->cast_text, out);
        lp_strbuf_putc(out, ')');
        return;
    case LP_FN_GET_FIELD:
        lp_expr_format(e->args[0], out);
        lp_strbuf_putc(out, '.');
        if (e->args[1]->kind == LP_EXPR_LIT && e->args[1]->lit.type.kind == LP_STRING)
            lp_strbuf_append(out, e->args[1]->lit.u.s.p, (size_t)e->args[1]->lit.u.s.n);
        return;
    case LP_FN_NAMED_STRUCT:
        if (e->fname && strcmp(e->fname, "struct") == 0) {
            lp_strbuf_puts(out, "struct(");
            for (int i = 1; i < e->nargs; i += 2) {
                if (i > 1) lp_strbuf_puts(out, ", ");
                lp_expr_format(e->args[i], out);
            }
            lp_strbuf_putc(out, ')');
            return;
        }
        break;
    case LP_FN_GET:
        lp_expr_format(e->args[0], out);
        lp_strbuf_putc(out, '[');
        lp_expr_format(e->args[1], out);
        lp_strbuf_putc(out, ']');
        return;
    case LP_FN_AGG_COUNT_DISTINCT:
        lp_strbuf_puts(out, "count(DISTINCT ");
        print_args(e, 0, out);
        lp_strbuf_putc(out, ')');
        return;
    default: break;
    }
    lp_strbuf_puts(out, e->fname ? e->fname : "?");
    lp_strbuf_putc(out, '(');
    print_args(e, 0, out);
    lp_strbuf_putc(out, ')');
}

char *lp_expr_print(lp_arena *a, const lp_expr *e) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_expr_format(e, &b);
    char *s = b.nomem ? NULL : lp_arena_strndup(a, b.p ? b.p : "", b.len);
    lp_strbuf_reset(&b);
    return s;
}

/* ---- binding ---- */

typedef struct binder {
    int ncols;
    const char *const *names;
    const lp_type *types;
    lp_diag *d;
    int depth;  /* nesting of the node being bound: the evaluator recurses as deep */
} binder;

/* Deeper trees are refused: binding and evaluation recurse once per level. */
#define LP_EXPR_MAX_DEPTH 2000

static lp_status nomem(binder *b) { return lp_diag_nomem(b->d, "bind"); }

static lp_status err_at(binder *b, const lp_expr *e, lp_status st) {
    lp_diag_span(b->d, e->start, e->end);
    return st;
}

/* "string column 'overall'", "bigint 5", "string 'abc'", "bigint expression 'length(x)'" */
static void describe(const lp_expr *e, char *buf, size_t cap) {
    while (e->implicit) e = e->args[0];
    const char *tn = e->type.kind == LP_NULLTYPE ? "null" : lp_type_name(e->type);
    lp_strbuf s;
    lp_strbuf_init(&s);
    lp_expr_format(e, &s);
    const char *txt = s.p ? s.p : "";
    if (e->kind == LP_EXPR_COL)
        snprintf(buf, cap, "%s column '%s'", tn, txt);
    else if (e->kind == LP_EXPR_LIT && e->lit.null)
        snprintf(buf, cap, "null");
    else if (e->kind == LP_EXPR_LIT && e->type.kind == LP_STRING)
        snprintf(buf, cap, "string '%s'", txt);
    else if (e->kind == LP_EXPR_LIT)
        snprintf(buf, cap, "%s %s", tn, txt);
    else
        snprintf(buf, cap, "%s expression '%s'", tn, txt);
    lp_strbuf_reset(&s);
}

/* The PySpark cast name for a type in a hint. */
static const char *cast_name(lp_type t) {
    switch ((lp_kind)t.kind) {
    case LP_INT64: return "int";
    case LP_FLOAT64: return "double";
    case LP_BOOL: return "boolean";
    case LP_DATE: return "date";
    case LP_TIMESTAMP: return "timestamp";
    default: return "string";
    }
}

/* Hint for a string operand `s` used where a `want` was needed. */
static void cast_hint(binder *b, const lp_expr *s, lp_type want) {
    while (s->implicit) s = s->args[0];
    if (s->kind == LP_EXPR_COL) {
        lp_diag_hint(b->d, "did you mean to cast it? col('%s').cast('%s')", s->name, cast_name(want));
    } else if (s->kind == LP_EXPR_LIT && s->type.kind == LP_STRING) {
        double f;
        if (lp_parse_float64(s->lit.u.s.p, (size_t)s->lit.u.s.n, &f))
            lp_diag_hint(b->d, "did you mean the number %.*s, without quotes?", (int)s->lit.u.s.n, s->lit.u.s.p);
        else
            lp_diag_hint(b->d, "did you mean to cast it? .cast('%s')", cast_name(want));
    } else {
        lp_diag_hint(b->d, "did you mean to cast it? .cast('%s')", cast_name(want));
    }
}

/* The node's precompiled state, created (with its arena cleanup) on first use. */
static lp_expr_pre *pre_of(binder *b, lp_expr *e) {
    if (e->pre) return e->pre;
    lp_expr_pre *p = lp_arena_zalloc(e->arena, sizeof *p);
    if (!p) return NULL;
    if (lp_pre_on_reset(e->arena, p) != LP_OK) return NULL;
    (void)b;
    e->pre = p;
    return p;
}

/* (Re)builds a literal's one-row column for its current type. */
static lp_status lit_column(binder *b, lp_expr *e) {
    lp_expr_pre *p = pre_of(b, e);
    if (!p) return nomem(b);
    lp_value v = e->lit;
    v.type = e->type;
    if (p->lit && lp_type_eq(p->lit->type, v.type.kind == LP_NULLTYPE ? lp_type_of(LP_STRING) : v.type))
        return LP_OK;
    lp_column_unref(p->lit);
    p->lit = lp_column_new_const(&v, 1);
    return p->lit ? LP_OK : nomem(b);
}

/* The node's lossy-conversion counter, zeroed (allocated on first use). */
static _Atomic int64_t *counter(binder *b, lp_expr *e) {
    (void)b;
    if (!e->nulled) e->nulled = lp_arena_zalloc(e->arena, sizeof *e->nulled);
    else atomic_store(e->nulled, 0);
    return e->nulled;
}

/* Makes *slot have type `to`: a null literal is retyped, anything else gets an implicit cast. */
static lp_status coerce(binder *b, lp_expr **slot, lp_type to) {
    lp_expr *x = *slot;
    if (lp_type_eq(x->type, to)) return LP_OK;
    if (x->kind == LP_EXPR_LIT && x->lit.null) {
        x->type = to;
        return lit_column(b, x);
    }
    lp_expr *c = lp_expr_cast(x->arena, x, to, x->start, x->end);
    if (!c) return nomem(b);
    c->implicit = true;
    c->type = to;
    if ((x->type.kind == LP_STRING || x->type.kind == LP_NULLTYPE) && !counter(b, c)) return nomem(b);
    *slot = c;
    return LP_OK;
}

static bool is_temporal(lp_type t) { return t.kind == LP_DATE || t.kind == LP_TIMESTAMP; }

/* The type two operands are compared as, or false when they cannot be compared. */
static bool common_cmp(lp_type a, lp_type b, lp_type *out) {
    if (a.kind == LP_NULLTYPE) { *out = b; return true; }
    if (b.kind == LP_NULLTYPE) { *out = a; return true; }
    if (lp_type_eq(a, b)) { *out = a; return !lp_type_nested(a); }
    if (lp_type_numeric(a) && lp_type_numeric(b)) { *out = lp_type_of(LP_FLOAT64); return true; }
    if (is_temporal(a) && is_temporal(b)) { *out = lp_type_of(LP_TIMESTAMP); return true; }
    if (is_temporal(a) && b.kind == LP_STRING) { *out = a; return true; }
    if (is_temporal(b) && a.kind == LP_STRING) { *out = b; return true; }
    return false;
}

static lp_status cmp_error(binder *b, lp_expr *e, const lp_expr *x, const lp_expr *y, const char *verb) {
    char dx[300], dy[300];
    describe(x, dx, sizeof dx);
    describe(y, dy, sizeof dy);
    lp_diag_set(b->d, LP_ETYPE, "cannot %s %s with %s", verb, dx, dy);
    if (x->type.kind == LP_STRING && lp_type_numeric(y->type)) cast_hint(b, x, y->type);
    else if (y->type.kind == LP_STRING && lp_type_numeric(x->type)) cast_hint(b, y, x->type);
    return err_at(b, e, LP_ETYPE);
}

/* LP_ETYPE "<fn> needs <what>, got <argument i described>", with a cast hint for strings. */
static lp_status need(binder *b, lp_expr *e, int i, const char *what) {
    char dx[300];
    describe(e->args[i], dx, sizeof dx);
    const char *fname = e->fname ? e->fname : "?";
    lp_diag_set(b->d, LP_ETYPE, "%s needs %s, got %s", fname, what, dx);
    if (e->args[i]->type.kind == LP_STRING && strstr(what, "number")) cast_hint(b, e->args[i], lp_type_of(LP_FLOAT64));
    return err_at(b, e, LP_ETYPE);
}

/* Argument i must be numeric (or null). */
static lp_status want_num(binder *b, lp_expr *e, int i) {
    lp_kind k = e->args[i]->type.kind;
    if (k == LP_INT64 || k == LP_FLOAT64) return LP_OK;
    if (k == LP_NULLTYPE) return coerce(b, &e->args[i], lp_type_of(LP_FLOAT64));
    return need(b, e, i, "a number");
}

static lp_status want_type(binder *b, lp_expr *e, int i, lp_kind k) {
    return coerce(b, &e->args[i], lp_type_of(k));
}

/* Argument i as a string: scalars cast implicitly (as Spark does), lists are an error. */
static lp_status want_str(binder *b, lp_expr *e, int i) {
    lp_kind k = e->args[i]->type.kind;
    if (k == LP_LIST || k == LP_VECTOR || k == LP_STRUCT) return need(b, e, i, "a string");
    return want_type(b, e, i, LP_STRING);
}

static lp_status want_int(binder *b, lp_expr *e, int i) {
    lp_kind k = e->args[i]->type.kind;
    if (k == LP_INT64) return LP_OK;
    if (k == LP_NULLTYPE) return want_type(b, e, i, LP_INT64);
    return need(b, e, i, "an integer");
}

static lp_status want_bool(binder *b, lp_expr *e, int i) {
    lp_kind k = e->args[i]->type.kind;
    if (k == LP_BOOL) return LP_OK;
    if (k == LP_NULLTYPE) return want_type(b, e, i, LP_BOOL);
    return need(b, e, i, "a boolean");
}

/* A date (or something that converts to one: timestamp, string). */
static lp_status want_temporal(binder *b, lp_expr *e, int i, lp_kind k) {
    lp_kind have = e->args[i]->type.kind;
    if (have == LP_DATE || have == LP_TIMESTAMP || have == LP_STRING || have == LP_NULLTYPE)
        return want_type(b, e, i, k);
    return need(b, e, i, k == LP_DATE ? "a date" : "a timestamp");
}

static bool is_str_lit(const lp_expr *e) {
    return e->kind == LP_EXPR_LIT && e->type.kind == LP_STRING && !e->lit.null;
}

/* Compiles a literal regex argument. */
static lp_status pre_regex(binder *b, lp_expr *e, int i) {
    lp_expr *p = e->args[i];
    if (!is_str_lit(p)) return LP_OK;
    lp_expr_pre *pre = pre_of(b, e);
    if (!pre) return nomem(b);
    if (pre->re) return LP_OK;
    char msg[256];
    int64_t off = 0;
    bool nm = false;
    pre->re = lp_regex_compile(p->lit.u.s.p, p->lit.u.s.n, msg, sizeof msg, &off, &nm);
    if (pre->re) return LP_OK;
    if (nm) return nomem(b);
    lp_diag_set(b->d, LP_EVALUE, "invalid regular expression '%.*s': %s at offset %lld", (int)LP_MIN(p->lit.u.s.n, 200),
                p->lit.u.s.p, msg, (long long)off);
    return err_at(b, p, LP_EVALUE);
}

/* Compiles a literal datetime pattern in argument i (LP_EVALUE when invalid). */
static lp_status pre_format(binder *b, lp_expr *e, int i) {
    if (i >= e->nargs || !is_str_lit(e->args[i])) return LP_OK;
    lp_expr *p = e->args[i];
    lp_expr_pre *pre = pre_of(b, e);
    if (!pre) return nomem(b);
    if (!pre->fmt && !(pre->fmt = lp_arena_alloc(e->arena, sizeof *pre->fmt))) return nomem(b);
    if (lp_dtfmt_compile(p->lit.u.s.p, p->lit.u.s.n, pre->fmt)) return LP_OK;
    lp_diag_set(b->d, LP_EVALUE, "invalid datetime pattern '%.*s'", (int)LP_MIN(p->lit.u.s.n, 200), p->lit.u.s.p);
    lp_diag_hint(b->d, "patterns use Spark's letters: yyyy MM dd HH mm ss, text in 'quotes'");
    return err_at(b, p, LP_EVALUE);
}

/* Checks the argument count against the registry: LP_ETYPE naming the function and the
 * count it takes. */
static lp_status arity(binder *b, lp_expr *e) {
    const lp_fninfo *fi = lp_fn_info(e->fn);
    if (!fi) {
        lp_diag_set(b->d, LP_ENAME, "unknown function id %d", (int)e->fn);
        return err_at(b, e, LP_ENAME);
    }
    int lo = fi->min_args, hi = fi->max_args, n = e->nargs;
    bool ok = n >= lo && (hi < 0 || n <= hi);
    if (e->fn == LP_FN_CASE && n < 2) ok = false;
    if (ok) return LP_OK;
    const char *fname = e->fname ? e->fname : fi->name;
    if (hi == 0)
        lp_diag_set(b->d, LP_ETYPE, "%s takes no arguments, got %d", fname, n);
    else if (hi < 0)
        lp_diag_set(b->d, LP_ETYPE, "%s takes at least %d argument%s, got %d", fname, lo, lo == 1 ? "" : "s", n);
    else if (lo == hi)
        lp_diag_set(b->d, LP_ETYPE, "%s takes %d argument%s, got %d", fname, lo, lo == 1 ? "" : "s", n);
    else if (hi == lo + 1)
        lp_diag_set(b->d, LP_ETYPE, "%s takes %d or %d arguments, got %d", fname, lo, hi, n);
    else
        lp_diag_set(b->d, LP_ETYPE, "%s takes %d to %d arguments, got %d", fname, lo, hi, n);
    return err_at(b, e, LP_ETYPE);
}

static lp_status bind_node(binder *b, lp_expr *e);

/* Resolves a column: exact name first, then ASCII case-insensitive (ambiguous when several
 * match); an unknown name suggests the closest column and lists them all. */
static lp_status bind_col(binder *b, lp_expr *e) {
    if (e->by_index) {
        if (e->col < 0 || e->col >= b->ncols) {
            lp_diag_set(b->d, LP_ENAME, "column index %d is out of range (%d columns)", e->col, b->ncols);
            return err_at(b, e, LP_ENAME);
        }
        e->type = b->types[e->col];
        return LP_OK;
    }
    int found = -1, nexact = 0, ci = -1, nci = 0;
    for (int i = 0; i < b->ncols; i++) {
        if (strcmp(b->names[i], e->name) == 0) {
            if (found < 0) found = i;
            nexact++;
        } else if (strcasecmp(b->names[i], e->name) == 0) {
            if (ci < 0) ci = i;
            nci++;
        }
    }
    if (nexact > 1 || (nexact == 0 && nci > 1)) {
        lp_strbuf s;
        lp_strbuf_init(&s);
        for (int i = 0; i < b->ncols; i++)
            if (nexact > 1 ? strcmp(b->names[i], e->name) == 0 : strcasecmp(b->names[i], e->name) == 0)
                lp_strbuf_printf(&s, "%s'%s'", s.len ? ", " : "", b->names[i]);
        lp_diag_set(b->d, LP_ENAME, "column '%s' is ambiguous: it could be %s", e->name, s.p ? s.p : "");
        if (nexact > 1)
            lp_diag_hint(b->d, "two columns share this name (after a join?): rename one with withColumnRenamed() or drop it");
        else
            lp_diag_hint(b->d, "spell the column with its exact case");
        lp_strbuf_reset(&s);
        return err_at(b, e, LP_ENAME);
    }
    if (found < 0) found = ci;
    if (found < 0 && strchr(e->name, '.')) {
        /* `window.start`: a struct column's field, when the part before the last dot names one */
        const char *dot = strrchr(e->name, '.');
        lp_expr *base = lp_expr_col(e->arena, e->name, (size_t)(dot - e->name), e->start, e->end);
        lp_expr *fld = lp_expr_str(e->arena, dot + 1, strlen(dot + 1));
        if (!base || !fld) return nomem(b);
        lp_diag probe;
        lp_diag_init(&probe);
        binder pb = *b;
        pb.d = &probe;
        if (bind_node(&pb, base) == LP_OK && base->type.kind == LP_STRUCT) {
            lp_expr **args = lp_arena_alloc(e->arena, sizeof *args * 2);
            if (!args) return nomem(b);
            args[0] = base;
            args[1] = fld;
            e->kind = LP_EXPR_CALL;
            e->fn = LP_FN_GET_FIELD;
            e->fname = "get_field";
            e->args = args;
            e->nargs = 2;
            return bind_node(b, e);
        }
    }
    if (found < 0) {
        lp_diag_set(b->d, LP_ENAME, "column '%s' does not exist", e->name);
        const char *best = lp_expr_closest(e->name, b->names, b->ncols);
        lp_strbuf s;
        lp_strbuf_init(&s);
        if (best) lp_strbuf_printf(&s, "did you mean '%s'? ", best);
        lp_strbuf_puts(&s, "available columns: ");
        for (int i = 0; i < b->ncols && s.len < 400; i++) lp_strbuf_printf(&s, "%s%s", i ? ", " : "", b->names[i]);
        if (s.len >= 400) lp_strbuf_puts(&s, ", ...");
        if (s.p) lp_diag_hint(b->d, "%s", s.p);
        lp_strbuf_reset(&s);
        return err_at(b, e, LP_ENAME);
    }
    e->col = found;
    e->type = b->types[found];
    return LP_OK;
}

/* Both args to a common comparison type; result boolean. */
static lp_status bind_cmp(binder *b, lp_expr *e, int i, int j) {
    lp_type t;
    if (!common_cmp(e->args[i]->type, e->args[j]->type, &t)) return cmp_error(b, e, e->args[i], e->args[j], "compare");
    if (t.kind == LP_NULLTYPE) t = lp_type_of(LP_STRING);
    lp_status st;
    if ((st = coerce(b, &e->args[i], t)) || (st = coerce(b, &e->args[j], t))) return st;
    return LP_OK;
}

/* + - * / %: numbers (int op int stays int, except `/`), date +/- days, date - date. */
static lp_status bind_arith(binder *b, lp_expr *e) {
    lp_type x = e->args[0]->type, y = e->args[1]->type;
    static const char *const verbs[] = {"add", "subtract", "multiply", "divide", "take the remainder of"};
    lp_status st;
    /* date arithmetic: date +/- days, date - date */
    if ((e->fn == LP_FN_ADD || e->fn == LP_FN_SUB) && x.kind == LP_DATE && (y.kind == LP_INT64 || y.kind == LP_NULLTYPE)) {
        e->type = lp_type_of(LP_DATE);
        return want_type(b, e, 1, LP_INT64);
    }
    if (e->fn == LP_FN_ADD && y.kind == LP_DATE && (x.kind == LP_INT64 || x.kind == LP_NULLTYPE)) {
        e->type = lp_type_of(LP_DATE);
        return want_type(b, e, 0, LP_INT64);
    }
    if (e->fn == LP_FN_SUB && x.kind == LP_DATE && y.kind == LP_DATE) {
        e->type = lp_type_of(LP_INT64);
        return LP_OK;
    }
    bool okx = lp_type_numeric(x) || x.kind == LP_NULLTYPE, oky = lp_type_numeric(y) || y.kind == LP_NULLTYPE;
    if (!okx || !oky) {
        char dx[300], dy[300];
        describe(e->args[0], dx, sizeof dx);
        describe(e->args[1], dy, sizeof dy);
        const char *verb = verbs[e->fn - LP_FN_ADD];
        lp_diag_set(b->d, LP_ETYPE, "cannot %s %s and %s", verb, dx, dy);
        if (x.kind == LP_STRING && oky) cast_hint(b, e->args[0], y.kind == LP_NULLTYPE ? lp_type_of(LP_FLOAT64) : y);
        else if (y.kind == LP_STRING && okx) cast_hint(b, e->args[1], x.kind == LP_NULLTYPE ? lp_type_of(LP_FLOAT64) : x);
        return err_at(b, e, LP_ETYPE);
    }
    lp_type t = (x.kind == LP_INT64 || x.kind == LP_NULLTYPE) && (y.kind == LP_INT64 || y.kind == LP_NULLTYPE) &&
                        !(x.kind == LP_NULLTYPE && y.kind == LP_NULLTYPE)
                    ? lp_type_of(LP_INT64)
                    : lp_type_of(LP_FLOAT64);
    if (e->fn == LP_FN_DIV) t = lp_type_of(LP_FLOAT64);
    if ((st = coerce(b, &e->args[0], t)) || (st = coerce(b, &e->args[1], t))) return st;
    e->type = t;
    return LP_OK;
}

/* Unifies the types of args[from, from+step, ...] (Spark's coercion for CASE, COALESCE). */
static lp_status bind_unify(binder *b, lp_expr *e, int from, int step, bool comparable) {
    lp_type t = lp_type_of(LP_NULLTYPE);
    for (int i = from; i < e->nargs; i += step) {
        lp_type u = e->args[i]->type;
        if (comparable) {
            lp_type c;
            if (!common_cmp(t, u, &c)) {
                int k = from;
                while (k < i && !common_cmp(e->args[k]->type, u, &c)) k += step;
                return cmp_error(b, e, e->args[k < i ? k : from], e->args[i], "compare");
            }
            t = c;
        } else {
            t = lp_type_unify(t, u);
        }
    }
    if (t.kind == LP_NULLTYPE) {
        e->type = t;
        return LP_OK;
    }
    for (int i = from; i < e->nargs; i += step) {
        lp_status st = coerce(b, &e->args[i], t);
        if (st) return st;
    }
    e->type = t;
    return LP_OK;
}

/* Whether CAST(from AS to) is allowed (Spark's Cast.canCast, for the types Loupe has). */
static bool castable(lp_type from, lp_type to) {
    if (from.kind == LP_NULLTYPE || lp_type_eq(from, to)) return true;
    if (to.kind == LP_VECTOR || from.kind == LP_VECTOR) return false;
    if (to.kind == LP_LIST) return from.kind == LP_LIST;
    if (to.kind == LP_STRUCT) return false;
    if (from.kind == LP_LIST || from.kind == LP_STRUCT) return to.kind == LP_STRING;
    if (from.kind == LP_DATE && (to.kind == LP_INT64 || to.kind == LP_FLOAT64 || to.kind == LP_BOOL)) return false;
    if ((from.kind == LP_BOOL) && is_temporal(to)) return false;
    return to.kind != LP_NULLTYPE;
}

/* Whether e is a non-null string literal; its text in *s, *n. */
static bool str_lit(const lp_expr *e, const char **s, size_t *n) {
    if (e->kind != LP_EXPR_LIT || e->lit.null || e->lit.type.kind != LP_STRING) return false;
    *s = e->lit.u.s.p ? e->lit.u.s.p : "";
    *n = (size_t)e->lit.u.s.n;
    return true;
}

/* window(ts, 'dur'[, 'slide'[, 'start']]): the durations parsed (with a caret on a bad one). */
static lp_status bind_window(binder *b, lp_expr *e) {
    lp_status st;
    lp_expr **a = e->args;
    if (a[0]->type.kind == LP_DATE && (st = coerce(b, &e->args[0], lp_type_of(LP_TIMESTAMP)))) return st;
    if (a[0]->type.kind == LP_NULLTYPE && (st = coerce(b, &e->args[0], lp_type_of(LP_TIMESTAMP)))) return st;
    if (a[0]->type.kind != LP_TIMESTAMP) return need(b, e, 0, "a timestamp (or date) column");
    int64_t us[3] = {0, 0, 0};
    for (int i = 1; i < e->nargs; i++) {
        const char *s;
        size_t n;
        if (!str_lit(a[i], &s, &n)) {
            lp_diag_set(b->d, LP_ETYPE, "window's %s must be a duration string such as '10 minutes'",
                        i == 1 ? "windowDuration" : i == 2 ? "slideDuration" : "startTime");
            return err_at(b, a[i], LP_ETYPE);
        }
        if ((st = lp_duration_parse(s, n, &us[i - 1], b->d))) return err_at(b, a[i], st);
    }
    lp_window_def w;
    if ((st = lp_window_def_of(e, &w, b->d))) return st;
    static const char *const names[] = {"start", "end"};
    lp_type tt[2] = {lp_type_of(LP_TIMESTAMP), lp_type_of(LP_TIMESTAMP)};
    if (!lp_type_struct(2, names, tt, &e->type)) return nomem(b);
    return LP_OK;
}

/* struct, named_struct, get_field and window. */
static lp_status bind_struct(binder *b, lp_expr *e) {
    lp_expr **a = e->args;
    lp_status st;
    if (e->fn == LP_FN_WINDOW) return bind_window(b, e);
    if (e->fn == LP_FN_GET_FIELD) {
        const char *s;
        size_t n;
        if (!str_lit(a[1], &s, &n)) {
            lp_diag_set(b->d, LP_ETYPE, "getField needs a field name (a string)");
            return err_at(b, a[1], LP_ETYPE);
        }
        if (a[0]->type.kind != LP_STRUCT) {
            char dx[300];
            describe(a[0], dx, sizeof dx);
            lp_diag_set(b->d, LP_ETYPE, "cannot take field '%.*s' of %s: it is not a struct", (int)LP_MIN(n, 100), s, dx);
            lp_diag_hint(b->d, "fields belong to struct columns, such as the window column of groupBy(F.window(...))");
            return err_at(b, e, LP_ETYPE);
        }
        int k = lp_struct_field(a[0]->type, s, n);
        const lp_struct_schema *sc = lp_struct_schema_of(a[0]->type);
        if (k < 0) {
            char buf[128];
            snprintf(buf, sizeof buf, "%.*s", (int)LP_MIN(n, 100), s);
            lp_diag_set(b->d, LP_ENAME, "no field '%s' in %s", buf, sc->name);
            const char *best = lp_expr_closest(buf, (const char *const *)sc->names, sc->nfields);
            if (best) lp_diag_hint(b->d, "did you mean '%s'?", best);
            return err_at(b, e, LP_ENAME);
        }
        e->type = sc->types[k];
        return LP_OK;
    }
    enum { MAXF = 256 };
    const char *names[MAXF];
    char gen[MAXF][16];
    lp_type types[MAXF];
    bool named = e->fn == LP_FN_NAMED_STRUCT;
    if (named && e->nargs % 2) {
        lp_diag_set(b->d, LP_ETYPE, "named_struct takes pairs of a name and a value, got %d arguments", e->nargs);
        return err_at(b, e, LP_ETYPE);
    }
    int nf = named ? e->nargs / 2 : e->nargs;
    if (nf > MAXF) {
        lp_diag_set(b->d, LP_ELIMIT, "a struct may have at most %d fields, got %d", MAXF, nf);
        return err_at(b, e, LP_ELIMIT);
    }
    for (int i = 0; i < nf; i++) {
        int vi = named ? 2 * i + 1 : i;
        if (named) {
            size_t n;
            const char *s;
            if (!str_lit(a[2 * i], &s, &n)) {
                lp_diag_set(b->d, LP_ETYPE, "named_struct's field names must be strings");
                return err_at(b, a[2 * i], LP_ETYPE);
            }
            char *nm = lp_arena_strndup(e->arena, s, n);
            if (!nm) return nomem(b);
            names[i] = nm;
        } else {
            const lp_expr *x = a[i];
            while (x->implicit) x = x->args[0];
            if (x->kind == LP_EXPR_COL) names[i] = b->names[x->col];
            else if (x->kind == LP_EXPR_CALL && x->fn == LP_FN_GET_FIELD) names[i] = x->args[1]->lit.u.s.p;
            else {
                snprintf(gen[i], sizeof gen[i], "col%d", i + 1);
                names[i] = gen[i];
            }
        }
        if (a[vi]->type.kind == LP_NULLTYPE && (st = coerce(b, &e->args[vi], lp_type_of(LP_STRING)))) return st;
        types[i] = a[vi]->type;
    }
    if (!lp_type_struct(nf, names, types, &e->type)) return nomem(b);
    return LP_OK;
}

/* Binds the arguments, then checks and infers the call's type, coercing arguments as the
 * function requires and precompiling literal patterns. */
static lp_status bind_xcall(binder *b, lp_expr *e) {
    const lp_xfn *f = e->xfn;
    if (e->nargs < f->min_args || (f->max_args >= 0 && e->nargs > f->max_args)) {
        lp_diag_set(b->d, LP_ETYPE, "%s takes %d argument%s, got %d", f->name, f->min_args, f->min_args == 1 ? "" : "s",
                    e->nargs);
        return err_at(b, e, LP_ETYPE);
    }
    lp_type small[8];
    lp_type *t = e->nargs <= 8 ? small : lp_arena_alloc(e->arena, sizeof *t * (size_t)e->nargs);
    if (!t) return lp_diag_nomem(b->d, "bind");
    for (int i = 0; i < e->nargs; i++) {
        lp_status st;
        while (e->args[i]->implicit) e->args[i] = e->args[i]->args[0];
        if ((st = bind_node(b, e->args[i]))) return st;
        t[i] = e->args[i]->type;
    }
    lp_status st = f->bind(f, t, e->nargs, &e->type, b->d);
    return st ? err_at(b, e, st) : LP_OK;
}

static lp_status bind_call(binder *b, lp_expr *e) {
    if (e->fn == LP_FN_XCALL) return bind_xcall(b, e);
    lp_status st = arity(b, e);
    if (st) return st;
    for (int i = 0; i < e->nargs; i++) {
        while (e->args[i]->implicit) e->args[i] = e->args[i]->args[0];
        if ((st = bind_node(b, e->args[i]))) return st;
    }
    lp_type B = lp_type_of(LP_BOOL), I = lp_type_of(LP_INT64), F = lp_type_of(LP_FLOAT64),
            S = lp_type_of(LP_STRING), D = lp_type_of(LP_DATE), T = lp_type_of(LP_TIMESTAMP);
    lp_expr **a = e->args;
    switch (e->fn) {
    case LP_FN_ADD: case LP_FN_SUB: case LP_FN_MUL: case LP_FN_DIV: case LP_FN_MOD:
        return bind_arith(b, e);
    case LP_FN_NEG:
    case LP_FN_ABS:
        if ((st = want_num(b, e, 0))) return st;
        e->type = a[0]->type;
        return LP_OK;
    case LP_FN_EQ: case LP_FN_NE: case LP_FN_LT: case LP_FN_LE: case LP_FN_GT: case LP_FN_GE: case LP_FN_EQ_NS:
        e->type = B;
        return bind_cmp(b, e, 0, 1);
    case LP_FN_AND: case LP_FN_OR: case LP_FN_NOT:
        e->type = B;
        for (int i = 0; i < e->nargs; i++)
            if ((st = want_bool(b, e, i))) return st;
        return LP_OK;
    case LP_FN_IS_NULL: case LP_FN_IS_NOT_NULL:
        e->type = B;
        return LP_OK;
    case LP_FN_IN: case LP_FN_BETWEEN:
        if ((st = bind_unify(b, e, 0, 1, true))) return st;
        if (e->type.kind == LP_NULLTYPE && (st = bind_unify(b, e, 0, 1, false))) return st;
        for (int i = 0; i < e->nargs; i++)
            if (e->args[i]->type.kind == LP_NULLTYPE && (st = coerce(b, &e->args[i], S))) return st;
        e->type = B;
        return LP_OK;
    case LP_FN_LIKE: case LP_FN_ILIKE:
        e->type = B;
        for (int i = 0; i < e->nargs; i++)
            if ((st = want_str(b, e, i))) return st;
        if (e->nargs == 3 && !(is_str_lit(a[2]) && a[2]->lit.u.s.n == 1)) {
            lp_diag_set(b->d, LP_EVALUE, "the escape of %s must be a single character", e->fname);
            return err_at(b, a[2], LP_EVALUE);
        }
        if (e->fn == LP_FN_LIKE && e->nargs == 2 && is_str_lit(a[1])) {
            lp_expr_pre *pre = pre_of(b, e);
            if (!pre) return nomem(b);
            lp_like_analyze(pre, a[1]->lit.u.s.p, a[1]->lit.u.s.n, e->arena);
        }
        return LP_OK;
    case LP_FN_RLIKE:
        e->type = B;
        if ((st = want_str(b, e, 0)) || (st = want_str(b, e, 1))) return st;
        return pre_regex(b, e, 1);
    case LP_FN_CASE:
        for (int i = 0; i + 1 < e->nargs; i += 2)
            if ((st = want_bool(b, e, i))) return st;
        if ((st = bind_unify(b, e, 1, 2, false))) return st;
        if (e->nargs % 2 == 1) {
            /* the else value (the last argument) joins the THEN values' type */
            lp_type t = lp_type_unify(e->type, a[e->nargs - 1]->type);
            for (int i = 1; i < e->nargs; i += 2)
                if ((st = coerce(b, &e->args[i], t))) return st;
            if (t.kind != LP_NULLTYPE && (st = coerce(b, &e->args[e->nargs - 1], t))) return st;
            e->type = t;
        }
        return LP_OK;
    case LP_FN_IF:
        if ((st = want_bool(b, e, 0))) return st;
        return bind_unify(b, e, 1, 1, false);
    case LP_FN_CAST:
        if (!castable(a[0]->type, e->cast_to)) {
            char dx[300];
            describe(a[0], dx, sizeof dx);
            lp_diag_set(b->d, LP_ETYPE, "cannot cast %s to %s", dx, lp_type_name(e->cast_to));
            return err_at(b, e, LP_ETYPE);
        }
        e->type = e->cast_to;
        if ((a[0]->type.kind == LP_STRING || a[0]->type.kind == LP_FLOAT64) && !counter(b, e)) return nomem(b);
        return LP_OK;
    case LP_FN_STRUCT: case LP_FN_NAMED_STRUCT: case LP_FN_GET_FIELD: case LP_FN_WINDOW:
        return bind_struct(b, e);
    case LP_FN_EXPLODE: case LP_FN_EXPLODE_OUTER: case LP_FN_POSEXPLODE: case LP_FN_POSEXPLODE_OUTER:
        /* typed as the element; only the planner computes it (lp_plan_project) */
        if (a[0]->type.kind != LP_LIST) return need(b, e, 0, "an array");
        e->type = lp_type_of((lp_kind)a[0]->type.elem);
        return LP_OK;
    case LP_FN_GET:
        if (a[0]->type.kind != LP_LIST) return need(b, e, 0, "an array");
        if ((st = want_int(b, e, 1))) return st;
        e->type = lp_type_of((lp_kind)a[0]->type.elem);
        return LP_OK;
    case LP_FN_LENGTH:
        e->type = I;
        return want_str(b, e, 0);
    case LP_FN_INITCAP: case LP_FN_REVERSE:
        e->type = S;
        return want_str(b, e, 0);
    case LP_FN_INSTR:
        e->type = I;
        if ((st = want_str(b, e, 0))) return st;
        return want_str(b, e, 1);
    case LP_FN_LPAD: case LP_FN_RPAD:
        e->type = S;
        if ((st = want_str(b, e, 0)) || (st = want_int(b, e, 1))) return st;
        return e->nargs == 3 ? want_str(b, e, 2) : LP_OK;
    case LP_FN_ISNAN: case LP_FN_SIGNUM:
        e->type = e->fn == LP_FN_ISNAN ? B : F;
        if ((st = want_num(b, e, 0))) return st;
        return coerce(b, &e->args[0], F);
    case LP_FN_QUARTER: case LP_FN_DAYOFYEAR: case LP_FN_WEEKOFYEAR:
        e->type = I;
        return want_temporal(b, e, 0, LP_DATE);
    case LP_FN_ELEMENT_AT:
        if (a[0]->type.kind != LP_LIST) return need(b, e, 0, "an array");
        if ((st = want_int(b, e, 1))) return st;
        e->type = lp_type_of((lp_kind)a[0]->type.elem);
        return LP_OK;
    case LP_FN_LOWER: case LP_FN_UPPER: case LP_FN_TRIM: case LP_FN_LTRIM: case LP_FN_RTRIM:
    case LP_FN_CONCAT: case LP_FN_REGEXP_REPLACE:
        e->type = S;
        for (int i = 0; i < e->nargs; i++)
            if ((st = want_str(b, e, i))) return st;
        return e->fn == LP_FN_REGEXP_REPLACE ? pre_regex(b, e, 1) : LP_OK;
    case LP_FN_CONCAT_WS:
        e->type = S;
        for (int i = 0; i < e->nargs; i++) {
            if (i > 0 && a[i]->type.kind == LP_LIST) {
                if (a[i]->type.elem != LP_STRING && (st = coerce(b, &e->args[i], lp_type_list(LP_STRING)))) return st;
                continue;
            }
            if ((st = want_str(b, e, i))) return st;
        }
        return LP_OK;
    case LP_FN_SUBSTRING:
        e->type = S;
        if ((st = want_str(b, e, 0)) || (st = want_int(b, e, 1))) return st;
        return e->nargs == 3 ? want_int(b, e, 2) : LP_OK;
    case LP_FN_CONTAINS: case LP_FN_STARTSWITH: case LP_FN_ENDSWITH:
        e->type = B;
        if ((st = want_str(b, e, 0)) || (st = want_str(b, e, 1))) return st;
        return LP_OK;
    case LP_FN_SPLIT:
        e->type = lp_type_list(LP_STRING);
        if ((st = want_str(b, e, 0)) || (st = want_str(b, e, 1))) return st;
        if (e->nargs == 3 && (st = want_int(b, e, 2))) return st;
        return pre_regex(b, e, 1);
    case LP_FN_REGEXP_EXTRACT:
        e->type = S;
        if ((st = want_str(b, e, 0)) || (st = want_str(b, e, 1))) return st;
        if (e->nargs == 3 && (st = want_int(b, e, 2))) return st;
        if ((st = pre_regex(b, e, 1))) return st;
        if (e->pre && e->pre->re && e->nargs == 3 && a[2]->kind == LP_EXPR_LIT && !a[2]->lit.null) {
            uint32_t groups = 0;
            pcre2_pattern_info(e->pre->re, PCRE2_INFO_CAPTURECOUNT, &groups);
            if (a[2]->lit.u.i < 0 || a[2]->lit.u.i > (int64_t)groups) {
                lp_diag_set(b->d, LP_EVALUE, "the regex has %u group%s, but group %lld was asked for", groups,
                            groups == 1 ? "" : "s", (long long)a[2]->lit.u.i);
                lp_diag_hint(b->d, "groups count from 1; group 0 is the whole match");
                return err_at(b, a[2], LP_EVALUE);
            }
        }
        return LP_OK;
    case LP_FN_ROUND: case LP_FN_BROUND:
        if ((st = want_num(b, e, 0))) return st;
        if (e->nargs == 2 && (st = want_int(b, e, 1))) return st;
        e->type = a[0]->type;
        return LP_OK;
    case LP_FN_FLOOR: case LP_FN_CEIL:
        e->type = I;
        return want_num(b, e, 0);
    case LP_FN_SQRT: case LP_FN_LOG: case LP_FN_LOG10: case LP_FN_LOG2: case LP_FN_EXP: case LP_FN_POW:
        e->type = F;
        for (int i = 0; i < e->nargs; i++)
            if ((st = want_num(b, e, i)) || (st = coerce(b, &e->args[i], F))) return st;
        return LP_OK;
    case LP_FN_COALESCE: case LP_FN_NVL:
        return bind_unify(b, e, 0, 1, false);
    case LP_FN_GREATEST: case LP_FN_LEAST:
        for (int i = 0; i < e->nargs; i++)
            if (lp_type_nested(a[i]->type)) return need(b, e, i, "a comparable value");
        return bind_unify(b, e, 0, 1, true);
    case LP_FN_TO_DATE: case LP_FN_TO_TIMESTAMP:
        e->type = e->fn == LP_FN_TO_DATE ? D : T;
        if (a[0]->type.kind != LP_DATE && a[0]->type.kind != LP_TIMESTAMP && (st = want_str(b, e, 0))) return st;
        if (e->nargs == 2 && (st = want_str(b, e, 1))) return st;
        if (!counter(b, e)) return nomem(b);
        return pre_format(b, e, 1);
    case LP_FN_FROM_UNIXTIME:
        e->type = S;
        if ((st = want_num(b, e, 0)) || (st = coerce(b, &e->args[0], I))) return st;
        if (e->nargs == 2 && (st = want_str(b, e, 1))) return st;
        return pre_format(b, e, 1);
    case LP_FN_UNIX_TIMESTAMP:
        e->type = I;
        if (e->nargs == 0) return LP_OK;
        if (a[0]->type.kind != LP_DATE && a[0]->type.kind != LP_TIMESTAMP && (st = want_str(b, e, 0))) return st;
        if (e->nargs == 2 && (st = want_str(b, e, 1))) return st;
        if (!counter(b, e)) return nomem(b);
        return pre_format(b, e, 1);
    case LP_FN_YEAR: case LP_FN_MONTH: case LP_FN_DAY: case LP_FN_DAYOFWEEK:
        e->type = I;
        return want_temporal(b, e, 0, LP_DATE);
    case LP_FN_HOUR: case LP_FN_MINUTE: case LP_FN_SECOND:
        e->type = I;
        return want_temporal(b, e, 0, LP_TIMESTAMP);
    case LP_FN_DATE_TRUNC:
        e->type = T;
        if ((st = want_str(b, e, 0))) return st;
        return want_temporal(b, e, 1, LP_TIMESTAMP);
    case LP_FN_DATEDIFF:
        e->type = I;
        if ((st = want_temporal(b, e, 0, LP_DATE))) return st;
        return want_temporal(b, e, 1, LP_DATE);
    case LP_FN_DATE_ADD: case LP_FN_DATE_SUB:
        e->type = D;
        if ((st = want_temporal(b, e, 0, LP_DATE))) return st;
        return want_int(b, e, 1);
    case LP_FN_CURRENT_DATE:
        e->type = D;
        return LP_OK;
    case LP_FN_SIZE:
        e->type = I;
        if (a[0]->type.kind != LP_LIST && a[0]->type.kind != LP_NULLTYPE) return need(b, e, 0, "an array");
        if (a[0]->type.kind == LP_NULLTYPE) return coerce(b, &e->args[0], lp_type_list(LP_STRING));
        return LP_OK;
    case LP_FN_ARRAY_CONTAINS: {
        e->type = B;
        if (a[0]->type.kind != LP_LIST) return need(b, e, 0, "an array");
        lp_type el = lp_type_of((lp_kind)a[0]->type.elem), v = a[1]->type;
        bool ok = v.kind == LP_NULLTYPE || lp_type_eq(v, el) || (el.kind == LP_FLOAT64 && v.kind == LP_INT64);
        if (!ok) {
            char dx[300];
            describe(a[1], dx, sizeof dx);
            lp_diag_set(b->d, LP_ETYPE, "cannot look for %s in an %s", dx, lp_type_name(a[0]->type));
            return err_at(b, e, LP_ETYPE);
        }
        return coerce(b, &e->args[1], el);
    }
    default:
        break;
    }
    /* aggregates */
    const lp_fninfo *fi = lp_fn_info(e->fn);
    if (fi && (fi->flags & LP_FNF_AGG)) {
        lp_type t = a[0]->type;
        if (t.kind == LP_NULLTYPE && (st = coerce(b, &e->args[0], I))) return st;
        t = a[0]->type;
        if (t.kind == LP_STRUCT && e->fn != LP_FN_AGG_COUNT && e->fn != LP_FN_AGG_COUNT_DISTINCT)
            return need(b, e, 0, "a column that is not a struct (aggregate one of its fields: s.field)");
        switch (e->fn) {
        case LP_FN_AGG_SUM: case LP_FN_AGG_AVG: case LP_FN_AGG_STDDEV_SAMP: case LP_FN_AGG_STDDEV_POP:
        case LP_FN_AGG_VAR_SAMP: case LP_FN_AGG_VAR_POP: case LP_FN_AGG_MEDIAN: case LP_FN_AGG_PERCENTILE:
        case LP_FN_AGG_PERCENTILE_APPROX:
            if (!lp_type_numeric(t)) return need(b, e, 0, "a number");
            for (int i = 1; i < e->nargs; i++)
                if ((st = want_num(b, e, i))) return st;
            break;
        case LP_FN_AGG_MIN: case LP_FN_AGG_MAX:
            if (lp_type_nested(t)) return need(b, e, 0, "a comparable value");
            break;
        case LP_FN_AGG_FIRST: case LP_FN_AGG_LAST:
            if (e->nargs == 2 && (st = want_bool(b, e, 1))) return st;
            break;
        default: break;
        }
        e->type = lp_agg_result_type((lp_aggfn)fi->agg, t);
        return LP_OK;
    }
    lp_diag_set(b->d, LP_EUNSUPPORTED, "function %s cannot be bound", e->fname ? e->fname : "?");
    return err_at(b, e, LP_EUNSUPPORTED);
}

static lp_status bind_node(binder *b, lp_expr *e) {
    switch ((lp_expr_kind)e->kind) {
    case LP_EXPR_COL: return bind_col(b, e);
    case LP_EXPR_LIT:
        if (!e->lit.null) e->type = e->lit.type;
        return lit_column(b, e);
    case LP_EXPR_WINDOW:
        if (!e->win) {
            lp_diag_set(b->d, LP_ETYPE, "%s() is a window function: it needs a window, as %s().over(w)",
                        e->fname ? e->fname : "?", e->fname ? e->fname : "?");
            lp_diag_hint(b->d, "w = Window.partitionBy('g').orderBy('t'), then F.%s().over(w) in select or "
                         "withColumn", e->fname ? e->fname : "?");
        } else {
            lp_diag_set(b->d, LP_ETYPE, "a window function is not allowed here");
            lp_diag_hint(b->d, "compute it into a column with withColumn(...) first, then use that column");
        }
        return err_at(b, e, LP_ETYPE);
    case LP_EXPR_CALL:
        if (b->depth >= LP_EXPR_MAX_DEPTH) {
            lp_diag_set(b->d, LP_ELIMIT, "the expression is nested more than %d levels deep", LP_EXPR_MAX_DEPTH);
            lp_diag_hint(b->d, "split it into steps with withColumn(), or use isin() instead of a chain of ORs");
            return err_at(b, e, LP_ELIMIT);
        }
        b->depth++;
        lp_status st = bind_call(b, e);
        b->depth--;
        return st;
    }
    return LP_OK;
}

lp_status lp_expr_bind(lp_expr *e, int ncols, const char *const *names, const lp_type *types, lp_diag *d) {
    binder b = {ncols, names, types, d, 0};
    lp_status st = bind_node(&b, e);
    if (st) return st;
    if (e->type.kind == LP_NULLTYPE) {
        /* a value that is null whatever the row: stored as a string column */
        e->type = lp_type_of(LP_STRING);
        if (e->kind == LP_EXPR_LIT) return lit_column(&b, e);
    }
    return LP_OK;
}

bool lp_expr_has_agg(const lp_expr *e) {
    if (e->kind != LP_EXPR_CALL) return false;
    const lp_fninfo *fi = lp_fn_info(e->fn);
    if (fi && (fi->flags & LP_FNF_AGG)) return true;
    for (int i = 0; i < e->nargs; i++)
        if (lp_expr_has_agg(e->args[i])) return true;
    return false;
}

/* Adds e's columns to the sorted set cols[0..min(*n, cap)), counting all in *n. */
static void collect(const lp_expr *e, int *cols, int cap, int *n) {
    if (e->kind == LP_EXPR_COL) {
        for (int i = 0; i < LP_MIN(*n, cap); i++)
            if (cols[i] == e->col) return;
        if (*n < cap) {
            int k = *n;
            while (k > 0 && cols[k - 1] > e->col) {
                cols[k] = cols[k - 1];
                k--;
            }
            cols[k] = e->col;
        }
        (*n)++;
        return;
    }
    for (int i = 0; i < e->nargs; i++) collect(e->args[i], cols, cap, n);
}

int lp_expr_columns(const lp_expr *e, int *cols, int cap) {
    int n = 0;
    collect(e, cols, cap, &n);
    return n;
}

int64_t lp_expr_nulled(const lp_expr *e) {
    int64_t n = e->nulled ? atomic_load(e->nulled) : 0;
    for (int i = 0; i < e->nargs; i++) n += lp_expr_nulled(e->args[i]);
    return n;
}

void lp_expr_nulled_reset(const lp_expr *e) {
    if (e->nulled) atomic_store(e->nulled, 0);
    for (int i = 0; i < e->nargs; i++) lp_expr_nulled_reset(e->args[i]);
}

/* ---- precompiled state's cleanup ---- */

/* Arena cleanup: releases a node's literal column and compiled regex. */
static void pre_cleanup(void *p) {
    lp_expr_pre *pre = p;
    lp_column_unref(pre->lit);
    pre->lit = NULL;
    if (pre->re) pcre2_code_free(pre->re);
    pre->re = NULL;
}

lp_status lp_pre_on_reset(lp_arena *a, lp_expr_pre *pre) { return lp_arena_on_reset(a, pre_cleanup, pre); }
