/* column.c -- Columns: their methods (alias, cast, isin, like, desc, when/otherwise, ...), their
 * operators, and the functions module (F.col, F.lit, F.when, F.count, F.datediff, ...).
 *
 * A Column value owns an unbound expression tree (exec/expr.h). Combining columns clones the
 * operands into the new Column's arena (lp_colv_import), so values never share nodes.
 *
 * PySpark's functions take column arguments as Columns or as column names, and some arguments
 * as plain values (a pattern, a format, a scale): `fspecs` below says which, per function, so
 * F.regexp_extract("text", "(\\d+) stars", 1) reads column text with a literal pattern, as
 * PySpark does. Every other function of the engine's registry takes columns (names or Columns)
 * and numbers as literals.
 */
#include "lang/interp.h"

#include <stdio.h>
#include <string.h>

static lp_status nomem(loupe_session *s) { return lp_diag_nomem(s->d, "interpreter"); }

/* A new Column value with expression fn(args...) built from Column operands. */
static lp_status build_call(loupe_session *s, lp_fn fn, lp_val *const *cols, int n, const char *fname,
                            int64_t start, int64_t end, lp_val **out) {
    lp_colv *c = lp_colv_new();
    if (!c) return nomem(s);
    lp_expr *args[64];
    for (int i = 0; i < n && i < 64; i++)
        if (!(args[i] = lp_colv_import(c, cols[i]->u.col, start, end))) {
            lp_colv_free(c);
            return nomem(s);
        }
    if (fname) {
        lp_status st = lp_expr_call_named(&c->arena, fname, strlen(fname), args, n, start, end, &c->e, s->d);
        if (st != LP_OK) {
            lp_colv_free(c);
            return st;
        }
    } else {
        c->e = lp_expr_call(&c->arena, fn, args, n, start, end);
    }
    if (!c->e) {
        lp_colv_free(c);
        return nomem(s);
    }
    *out = lp_val_colv(&c);
    return *out ? LP_OK : nomem(s);
}

/* A copy of Column v with its own arena (to change alias or direction). */
static lp_status copy_col(loupe_session *s, lp_val *v, lp_val **out) {
    lp_colv *c = lp_colv_new();
    if (!c) return nomem(s);
    if (!(c->e = lp_colv_import(c, v->u.col, -1, -1))) {
        lp_colv_free(c);
        return nomem(s);
    }
    c->alias = v->u.col->alias ? lp_arena_strndup(&c->arena, v->u.col->alias, strlen(v->u.col->alias)) : NULL;
    c->dir = v->u.col->dir;
    c->nulls = v->u.col->nulls;
    c->when = v->u.col->when;
    c->star = v->u.col->star;
    *out = lp_val_colv(&c);
    return *out ? LP_OK : nomem(s);
}

/* ---- operators ---- */

static const struct { const char *op; lp_fn fn; } binops[] = {
    {"+", LP_FN_ADD}, {"-", LP_FN_SUB}, {"*", LP_FN_MUL}, {"/", LP_FN_DIV}, {"%", LP_FN_MOD},
    {"==", LP_FN_EQ}, {"!=", LP_FN_NE}, {"<", LP_FN_LT}, {"<=", LP_FN_LE}, {">", LP_FN_GT}, {">=", LP_FN_GE},
    {"&", LP_FN_AND}, {"|", LP_FN_OR}, {"**", LP_FN_POW},
};

LP_WUR lp_status lp_col_binop(loupe_session *s, const char *op, lp_val *a, lp_val *b, const lp_ast *n, lp_val **out) {
    int64_t os = n->op_start, oe = n->op_start + (int64_t)strlen(op);
    if (strcmp(op, "in") == 0 || strcmp(op, "not in") == 0) {
        lp_err_span(s, LP_ETYPE, os, oe, "'%s' cannot test a column", op);
        lp_hint(s, "use col('x').isin([...])%s", op[0] == 'n' ? " with ~ in front" : "");
        return LP_ETYPE;
    }
    if (strcmp(op, "is") == 0 || strcmp(op, "is not") == 0) {
        lp_err_span(s, LP_ETYPE, os, oe, "'%s' cannot test a column", op);
        lp_hint(s, "use col('x').%s()", strcmp(op, "is") == 0 ? "isNull" : "isNotNull");
        return LP_ETYPE;
    }
    lp_fn fn = LP_FN_COUNT_;
    for (size_t i = 0; i < LP_ARRAY_LEN(binops); i++)
        if (strcmp(binops[i].op, op) == 0) fn = binops[i].fn;
    if (fn == LP_FN_COUNT_) {
        lp_err_span(s, LP_ETYPE, os, oe, "the operator '%s' does not apply to columns", op);
        if (strcmp(op, "//") == 0) lp_hint(s, "use F.floor(a / b)");
        return LP_ETYPE;
    }
    /* `col('a') > 1 & col('b') < 2` parses as col('a') > (1 & col('b')) < 2, as in Python */
    if ((fn == LP_FN_AND || fn == LP_FN_OR) && (a->kind == LV_INT || a->kind == LV_FLOAT || a->kind == LV_STR ||
                                               b->kind == LV_INT || b->kind == LV_FLOAT || b->kind == LV_STR)) {
        lp_strbuf v;
        lp_strbuf_init(&v);
        lp_val_repr(a->kind == LV_COL ? b : a, &v);
        lp_err_span(s, LP_ETYPE, os, oe, "'%s' combines two conditions, but one side here is the plain value %s", op,
                    v.p ? v.p : "?");
        lp_strbuf_reset(&v);
        lp_hint(s, "'%s' binds tighter than comparisons: write (col('a') > 1) %s (col('b') < 2)", op, op);
        return LP_ETYPE;
    }
    lp_val *x = NULL, *y = NULL;
    lp_status st = lp_to_lit_col(s, a, n->a, &x);
    if (st == LP_OK) st = lp_to_lit_col(s, b, n->b, &y);
    if (st == LP_OK) {
        lp_val *two[2] = {x, y};
        st = build_call(s, fn, two, 2, NULL, n->start, n->end, out);
        /* a comparison's error points at its operator, so keep the node's span; the operator
         * position is what carets show for type errors */
    }
    lp_val_unref(x);
    lp_val_unref(y);
    return st;
}

LP_WUR lp_status lp_col_unop(loupe_session *s, const char *op, lp_val *a, const lp_ast *n, lp_val **out) {
    if (op[0] == '+') {
        *out = lp_val_ref(a);
        return LP_OK;
    }
    return build_call(s, op[0] == '-' ? LP_FN_NEG : LP_FN_NOT, &a, 1, NULL, n->start, n->end, out);
}

/* ---- the functions module ---- */

/* Argument conventions of functions whose arguments are not all columns. params names the
 * positional parameters (for keyword arguments); lit has bit i set when parameter i is a plain
 * value (a string there is a literal, not a column name). */
static const struct fspec {
    const char *name;
    const char *params;
    unsigned lit;
} fspecs[] = {
    {"regexp_extract", "str,pattern,idx", 6}, {"regexp_replace", "string,pattern,replacement", 6},
    {"split", "str,pattern,limit", 6}, {"substring", "str,pos,len", 6}, {"substr", "str,pos,len", 6},
    {"concat_ws", "sep,*cols", 1}, {"lpad", "col,len,pad", 6}, {"rpad", "col,len,pad", 6},
    {"instr", "str,substr", 2}, {"to_date", "col,format", 2}, {"to_timestamp", "col,format", 2},
    {"from_unixtime", "timestamp,format", 2}, {"unix_timestamp", "timestamp,format", 2},
    {"date_trunc", "format,timestamp", 1}, {"date_add", "start,days", 2}, {"date_sub", "start,days", 2},
    {"round", "col,scale", 2}, {"bround", "col,scale", 2}, {"percentile_approx", "col,percentage,accuracy", 6},
    {"approx_percentile", "col,percentage,accuracy", 6}, {"percentile", "col,percentage,frequency", 6},
    {"array_contains", "col,value", 2}, {"element_at", "col,extraction", 2}, {"like", "str,pattern,escapeChar", 6},
    {"rlike", "str,regexp", 2}, {"ilike", "str,pattern,escapeChar", 6}, {"first", "col,ignorenulls", 2},
    {"last", "col,ignorenulls", 2}, {"log", "arg1,arg2", 0}, {"datediff", "end,start", 0},
    {"pow", "col1,col2", 0}, {"contains", "left,right", 0}, {"startswith", "str,prefix", 0},
    {"endswith", "str,suffix", 0}, {"window", "timeColumn,windowDuration,slideDuration,startTime", 14},
};

/* PySpark functions Loupe knows by name but does not have, so the error can say so. */
static const char *const unsupported[] = {
    "udf", "pandas_udf", "array", "create_map",
    "to_json", "from_json",
    "date_format", "monotonically_increasing_id", "collect_set", "array_distinct", "sort_array", "flatten",
    "soundex", "levenshtein", "sha2", "md5", "hash", "xxhash64", "format_number", "format_string", "translate",
    "sum_distinct", "sumDistinct", "kurtosis", "skewness", "corr", "covar_pop", "covar_samp", "grouping", "rand",
    "randn", "input_file_name", "spark_partition_id", "nanvl", "array_join", "transform", "filter", "aggregate",
    "months_between", "last_day", "trunc", "add_months", "weekday", "ascii", "repeat", "locate", "overlay",
    "base64", "unbase64", "crc32", "sha1", "bin", "hex", "unhex", "conv", "factorial", "hypot", "cbrt", "degrees",
    "radians", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "log1p", "expm1", "rint",
    "pmod", "shiftleft", "shiftright", "bitwise_not", "array_max", "array_min", "array_position", "array_remove",
    "array_repeat", "array_union", "array_intersect", "array_except", "arrays_zip", "arrays_overlap", "slice",
    "sequence", "shuffle", "map_keys", "map_values", "map_from_arrays", "map_from_entries",
    "get_json_object", "json_tuple", "schema_of_json", "to_csv", "from_csv", "regexp_extract_all", "regexp_like",
    "split_part", "substring_index", "sentences", "encode", "decode", "format_number", "to_utc_timestamp",
    "from_utc_timestamp", "next_day", "make_date", "timestamp_seconds", "date_part", "extract", "window_time",
    "session_window", "collect_set", "first_value", "last_value", "nth_value", "mode", "product", "bool_and",
    "bool_or", "every", "some", "any_value", "count_if", "max_by", "min_by", "approxCountDistinct",
    "array_sort", "array_append", "array_prepend", "array_compact", "array_insert", "exists", "forall", "zip_with",
    "inline", "stack", "typeof", "udtf", "call_udf", "bit_length", "octet_length", "char_length",
    "character_length", "btrim", "left", "right", "mask", "uuid", "e", "pi", "negate", "positive", "try_add",
    "try_divide", "try_multiply", "try_subtract", "try_to_number", "to_number", "to_char", "to_varchar", "width_bucket",
};

static const char *const specials[] = {"col", "column", "lit", "expr", "when", "desc", "asc", "desc_nulls_last",
                                       "desc_nulls_first", "asc_nulls_first", "asc_nulls_last", "countDistinct",
                                       "approx_count_distinct", "broadcast", "isnull", "isnotnull", "count",
                                       "sumDistinct", "mean", "row_number", "rank", "dense_rank", "percent_rank",
                                       "cume_dist", "ntile", "lag", "lead"};

bool lp_fexists(const char *name) {
    for (size_t i = 0; i < LP_ARRAY_LEN(specials); i++)
        if (strcmp(specials[i], name) == 0) return true;
    const lp_fninfo *fi = lp_fn_lookup(name, strlen(name));
    return fi && !(fi->flags & LP_FNF_OPERATOR) && (name[0] < '0' || name[0] > '9');
}

static const struct fspec *find_spec(const char *name) {
    for (size_t i = 0; i < LP_ARRAY_LEN(fspecs); i++)
        if (strcasecmp(fspecs[i].name, name) == 0) return &fspecs[i];
    return NULL;
}

static lp_status unknown_function(loupe_session *s, const char *name, int64_t start, int64_t end) {
    for (size_t i = 0; i < LP_ARRAY_LEN(unsupported); i++)
        if (strcmp(unsupported[i], name) == 0) {
            lp_err_span(s, LP_EUNSUPPORTED, start, end, "F.%s is a PySpark function Loupe does not support yet", name);
            return LP_EUNSUPPORTED;
        }
    const char *cands[600];
    int nc = 0;
    for (int i = 0; i < lp_fn_count() && nc < 560; i++)
        if (!(lp_fn_at(i)->flags & LP_FNF_OPERATOR)) cands[nc++] = lp_fn_at(i)->name;
    for (size_t i = 0; i < LP_ARRAY_LEN(specials); i++) cands[nc++] = specials[i];
    lp_err_span(s, LP_ENAME, start, end, "pyspark.sql.functions has no function '%s'", name);
    const char *c = lp_expr_closest(name, cands, nc);
    if (c) lp_hint(s, "did you mean F.%s?", c);
    return LP_ENAME;
}

/* Positional view of a call to a function with parameter list `params` (keywords mapped). */
static lp_status positional(loupe_session *s, const lp_args *a, const char *params, lp_val ***vals, lp_ast ***asts,
                            int *n) {
    if (!a->nkw) {
        *vals = a->pos;
        *asts = a->pos_ast;
        *n = a->npos;
        return LP_OK;
    }
    if (!params) return lp_err(s, LP_ETYPE, a->kw_ast[0], "F.%s() takes no keyword arguments", a->fname);
    const char *names[8];
    char buf[8][32];
    int np = 0;
    for (const char *p = params; *p && np < 8;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        snprintf(buf[np], sizeof buf[np], "%.*s", (int)l, p);
        names[np] = buf[np];
        np++;
        p += l + (e ? 1 : 0);
    }
    lp_val *v[8];
    lp_ast *as[8];
    lp_status st = lp_args_bind(s, a, names, np, v, as);
    if (st != LP_OK) return st;
    int last = -1;
    for (int i = 0; i < np; i++)
        if (v[i]) last = i;
    for (int i = 0; i < last; i++)
        if (!v[i]) return lp_err_span(s, LP_ETYPE, a->start, a->end, "F.%s() is missing argument '%s'", a->fname, names[i]);
    *vals = lp_arena_alloc(s->arena, sizeof(lp_val *) * 8);
    *asts = lp_arena_alloc(s->arena, sizeof(lp_ast *) * 8);
    if (!*vals || !*asts) return nomem(s);
    memcpy(*vals, v, sizeof v);
    memcpy(*asts, as, sizeof as);
    *n = last + 1;
    return LP_OK;
}

static lp_status one_arg(loupe_session *s, const lp_args *a, const char *what) {
    if (a->npos == 1 && a->nkw == 0) return LP_OK;
    return lp_err_span(s, LP_ETYPE, a->start, a->end, "F.%s() takes exactly one argument (%s), got %d", a->fname, what,
                       a->npos + a->nkw);
}

static lp_status sort_col(loupe_session *s, lp_val *v, const lp_ast *n, int dir, int nulls, lp_val **out) {
    lp_val *c = NULL, *r = NULL;
    lp_status st = lp_to_col(s, v, n, true, &c);
    if (st == LP_OK) st = copy_col(s, c, &r);
    lp_val_unref(c);
    if (st != LP_OK) return st;
    r->u.col->dir = dir;
    r->u.col->nulls = nulls;
    *out = r;
    return LP_OK;
}

/* ---- window functions: F.row_number() ... and Window / WindowSpec ---- */

static const struct {
    const char *name;
    lp_winfn fn;
} winfns[] = {
    {"row_number", LP_WIN_ROW_NUMBER}, {"rank", LP_WIN_RANK}, {"dense_rank", LP_WIN_DENSE_RANK},
    {"percent_rank", LP_WIN_PERCENT_RANK}, {"cume_dist", LP_WIN_CUME_DIST}, {"ntile", LP_WIN_NTILE},
    {"lag", LP_WIN_LAG}, {"lead", LP_WIN_LEAD},
};

/* A Column holding window function fn(args) (not yet over a window). */
static lp_status window_col(loupe_session *s, lp_winfn fn, const char *name, lp_val *const *cols, int n,
                            const lp_args *a, lp_val **out) {
    lp_colv *c = lp_colv_new();
    if (!c) return nomem(s);
    lp_expr *args[3];
    bool ok = true;
    for (int i = 0; i < n && ok; i++) ok = (args[i] = lp_colv_import(c, cols[i]->u.col, a->start, a->end)) != NULL;
    if (!ok || !(c->e = lp_expr_window(&c->arena, fn, name, args, n, a->start, a->end))) {
        lp_colv_free(c);
        return nomem(s);
    }
    *out = lp_val_colv(&c);
    return *out ? LP_OK : nomem(s);
}

/* F.<name>(...) when name is a window function; LP_ENAME (nothing set) when it is not one. */
static lp_status window_fn(loupe_session *s, const char *name, const lp_args *a, lp_val **out) {
    int k = -1;
    for (size_t i = 0; i < LP_ARRAY_LEN(winfns); i++)
        if (strcmp(winfns[i].name, name) == 0) k = (int)i;
    if (k < 0) return LP_ENAME;
    lp_winfn fn = winfns[k].fn;
    const char *fname = winfns[k].name;
    if (fn != LP_WIN_NTILE && fn != LP_WIN_LAG && fn != LP_WIN_LEAD) {
        if (a->npos || a->nkw) return lp_err_span(s, LP_ETYPE, a->start, a->end, "F.%s() takes no arguments", fname);
        return window_col(s, fn, fname, NULL, 0, a, out);
    }
    static const char *const pn[] = {"n"};
    static const char *const pl[] = {"col", "offset", "default"};
    lp_val *v[3] = {NULL, NULL, NULL};
    lp_ast *ast[3] = {NULL, NULL, NULL};
    bool ntile = fn == LP_WIN_NTILE;
    lp_status st = lp_args_bind(s, a, ntile ? pn : pl, ntile ? 1 : 3, v, ast);
    if (st != LP_OK) return st;
    if (!v[0])
        return lp_err_span(s, LP_ETYPE, a->start, a->end, "F.%s() needs %s", fname,
                           ntile ? "the number of buckets, e.g. F.ntile(4)" : "a column, e.g. F.lag('overall')");
    lp_val *cols[3] = {NULL, NULL, NULL};
    int n = 0;
    if (ntile) {
        if (v[0]->kind != LV_INT) return lp_err(s, LP_ETYPE, ast[0], "F.ntile() takes the number of buckets as an int");
        if (v[0]->u.i < 1) return lp_err(s, LP_EVALUE, ast[0], "F.ntile() needs at least 1 bucket, got %lld",
                                          (long long)v[0]->u.i);
        st = lp_to_lit_col(s, v[0], ast[0], &cols[n]);
        n += st == LP_OK;
    } else {
        st = lp_to_col(s, v[0], ast[0], true, &cols[n]);
        n += st == LP_OK;
        lp_val *off = v[1] ? v[1] : NULL, *one = NULL;
        if (st == LP_OK && off && off->kind != LV_INT)
            st = lp_err(s, LP_ETYPE, ast[1], "F.%s() takes the offset as an int, got %s", fname, lp_val_type_name(off));
        if (st == LP_OK && !off && !(off = one = lp_val_int(1))) st = nomem(s);
        if (st == LP_OK) st = lp_to_lit_col(s, off, ast[1], &cols[n]);
        n += st == LP_OK;
        lp_val_unref(one);
        lp_val *none = NULL;
        if (st == LP_OK && !v[2] && !(none = lp_val_none())) st = nomem(s);
        if (st == LP_OK) st = lp_to_lit_col(s, v[2] ? v[2] : none, ast[2], &cols[n]);
        n += st == LP_OK;
        lp_val_unref(none);
    }
    if (st == LP_OK) st = window_col(s, fn, fname, cols, n, a, out);
    for (int i = 0; i < n; i++) lp_val_unref(cols[i]);
    return st;
}

bool lp_window_const(const char *name, int64_t *v) {
    if (strcmp(name, "unboundedPreceding") == 0) *v = LP_FRAME_UNBOUNDED_LO;
    else if (strcmp(name, "unboundedFollowing") == 0) *v = LP_FRAME_UNBOUNDED_HI;
    else if (strcmp(name, "currentRow") == 0) *v = 0;
    else return false;
    return true;
}

/* A new WindowSpec value: a copy of `from` (NULL: the empty spec), to be changed by the caller
 * through *spec. */
static lp_status spec_new(loupe_session *s, const lp_val *from, lp_val **out, lp_winspec **spec) {
    lp_colv *c = lp_colv_new();
    if (!c) return nomem(s);
    lp_winspec empty = {.frame = {LP_FRAME_DEFAULT, 0, 0}, .fstart = -1, .fend = -1};
    const lp_winspec *src = from ? from->u.col->e->win : &empty;
    lp_winspec *w = lp_winspec_clone(&c->arena, src);
    c->e = w ? lp_expr_window(&c->arena, LP_WIN_ROW_NUMBER, "window", NULL, 0, -1, -1) : NULL;
    if (!c->e) {
        lp_colv_free(c);
        return nomem(s);
    }
    c->e->win = w;
    if (from) c->cell = from->u.col->cell;
    lp_val *v = lp_val_new(LV_WINDOW);
    if (!v) {
        lp_colv_free(c);
        return nomem(s);
    }
    v->u.col = c;
    *out = v;
    *spec = w;
    return LP_OK;
}

/* partitionBy(*cols) / orderBy(*cols): the columns into the spec's arena. */
static lp_status spec_cols(loupe_session *s, lp_val *self, const lp_args *a, bool order, lp_val **out) {
    if (a->nkw) return lp_err(s, LP_ETYPE, a->kw_ast[0], "%s() takes columns, not keyword arguments", a->fname);
    lp_val **vals = NULL;
    lp_ast **asts = NULL;
    int n = 0;
    lp_status st = lp_flatten(s, a->pos, a->pos_ast, a->npos, &vals, &asts, &n);
    if (st != LP_OK) return st;
    lp_winspec *w = NULL;
    lp_val *r = NULL;
    if ((st = spec_new(s, self, &r, &w)) != LP_OK) return st;
    lp_colv *c = r->u.col;
    lp_expr **l = lp_arena_zalloc(&c->arena, sizeof(lp_expr *) * (size_t)(n + 1));
    bool *desc = lp_arena_zalloc(&c->arena, sizeof(bool) * (size_t)(n + 1));
    int8_t *nulls = lp_arena_zalloc(&c->arena, sizeof(int8_t) * (size_t)(n + 1));
    if (!l || !desc || !nulls) st = nomem(s);
    for (int i = 0; st == LP_OK && i < n; i++) {
        lp_val *col = NULL;
        if ((st = lp_to_col(s, vals[i], asts[i], true, &col)) != LP_OK) break;
        if (col->u.col->star) st = lp_err(s, LP_ETYPE, asts[i], "'*' is not a column to %s", order ? "order by" : "partition by");
        else if (!order && col->u.col->dir)
            st = lp_err(s, LP_ETYPE, asts[i], "partitionBy() takes columns without a direction");
        else if (!(l[i] = lp_colv_import(c, col->u.col, asts[i] ? asts[i]->start : a->start, asts[i] ? asts[i]->end : a->end)))
            st = nomem(s);
        if (st == LP_OK && order) {
            desc[i] = col->u.col->dir == 2;
            nulls[i] = (int8_t)col->u.col->nulls;
        }
        lp_val_unref(col);
    }
    if (st != LP_OK) {
        lp_val_unref(r);
        return st;
    }
    c->cell = lp_lang_cell;
    if (order) {
        w->order = l;
        w->norder = n;
        w->desc = desc;
        w->nulls = nulls;
    } else {
        w->part = l;
        w->npart = n;
    }
    *out = r;
    return LP_OK;
}

/* rowsBetween(start, end) / rangeBetween(start, end). */
static lp_status spec_frame(loupe_session *s, lp_val *self, const lp_args *a, bool range, lp_val **out) {
    static const char *const p[] = {"start", "end"};
    lp_val *v[2];
    lp_ast *ast[2];
    lp_status st = lp_args_bind(s, a, p, 2, v, ast);
    if (st != LP_OK) return st;
    int64_t b[2];
    for (int i = 0; i < 2; i++) {
        if (!v[i])
            return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() takes a start and an end, e.g. %s(-3, 0)", a->fname,
                               a->fname);
        if (v[i]->kind != LV_INT) {
            lp_err(s, LP_ETYPE, ast[i], "%s() takes whole numbers, got %s", a->fname, lp_val_type_name(v[i]));
            lp_hint(s, "use Window.unboundedPreceding, Window.currentRow, Window.unboundedFollowing or an int");
            return LP_ETYPE;
        }
        b[i] = v[i]->u.i;
    }
    /* PySpark's thresholds: anything at or past +-sys.maxsize is unbounded */
    if (b[0] <= -INT64_MAX) b[0] = LP_FRAME_UNBOUNDED_LO;
    if (b[1] >= INT64_MAX) b[1] = LP_FRAME_UNBOUNDED_HI;
    if (b[0] == LP_FRAME_UNBOUNDED_HI || b[1] == LP_FRAME_UNBOUNDED_LO)
        return lp_err_span(s, LP_EVALUE, a->start, a->end, "%s(): the start cannot be unbounded following, nor the "
                           "end unbounded preceding", a->fname);
    lp_winspec *w = NULL;
    lp_val *r = NULL;
    if ((st = spec_new(s, self, &r, &w)) != LP_OK) return st;
    w->frame = (lp_winframe){range ? LP_FRAME_RANGE : LP_FRAME_ROWS, b[0], b[1]};
    w->fstart = a->start;
    w->fend = a->end;
    r->u.col->cell = lp_lang_cell;
    *out = r;
    return LP_OK;
}

#define WMETHOD(fn) static lp_status fn(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out)
WMETHOD(w_partition) { return spec_cols(s, self && self->kind == LV_WINDOW ? self : NULL, a, false, out); }
WMETHOD(w_order) { return spec_cols(s, self && self->kind == LV_WINDOW ? self : NULL, a, true, out); }
WMETHOD(w_rows) { return spec_frame(s, self && self->kind == LV_WINDOW ? self : NULL, a, false, out); }
WMETHOD(w_range) { return spec_frame(s, self && self->kind == LV_WINDOW ? self : NULL, a, true, out); }

static const lp_method win_methods[] = {
    {"partitionBy", w_partition, "*cols"}, {"orderBy", w_order, "*cols"},
    {"rowsBetween", w_rows, "start, end"}, {"rangeBetween", w_range, "start, end"},
};

const lp_method *lp_win_methods(int *n) {
    *n = (int)LP_ARRAY_LEN(win_methods);
    return win_methods;
}

LP_WUR lp_status lp_window_static(loupe_session *s, const char *name, const lp_args *a, lp_val **out) {
    for (size_t i = 0; i < LP_ARRAY_LEN(win_methods); i++)
        if (strcmp(win_methods[i].name, name) == 0) {
            lp_args b = *a;
            b.fname = win_methods[i].name;
            return win_methods[i].fn(s, NULL, &b, out);
        }
    return lp_err_span(s, LP_ENAME, a->start, a->end, "Window has no method '%s'", name);
}

LP_WUR lp_status lp_funknown(loupe_session *s, const char *name, int64_t start, int64_t end) {
    return unknown_function(s, name, start, end);
}

/* F.struct(*cols): named_struct with each field named as Spark names it (the alias, the column
 * name, the field name of s.field, else col1, col2, ...), printed as struct(a, b). */
static lp_status struct_fn(loupe_session *s, const lp_args *a, lp_val **out) {
    if (a->nkw) return lp_err(s, LP_ETYPE, a->kw_ast[0], "F.struct() takes columns, not keyword arguments");
    lp_val **vals = NULL;
    lp_ast **asts = NULL;
    int n = 0;
    lp_status st = lp_flatten(s, a->pos, a->pos_ast, a->npos, &vals, &asts, &n);
    if (st != LP_OK) return st;
    if (n == 0) return lp_err_span(s, LP_ETYPE, a->start, a->end, "F.struct() needs at least one column");
    if (n > 128) return lp_err_span(s, LP_ELIMIT, a->start, a->end, "F.struct() takes at most 128 columns, got %d", n);
    lp_colv *c = lp_colv_new();
    lp_expr **args = c ? lp_arena_zalloc(&c->arena, sizeof(lp_expr *) * (size_t)(2 * n)) : NULL;
    if (!args) {
        lp_colv_free(c);
        return nomem(s);
    }
    for (int i = 0; i < n && st == LP_OK; i++) {
        lp_val *col = NULL;
        if ((st = lp_to_col(s, vals[i], asts[i], true, &col)) != LP_OK) break;
        if (col->u.col->star) {
            st = lp_err(s, LP_ETYPE, asts[i], "'*' is not a column to put in a struct");
        } else {
            const lp_expr *e = col->u.col->e;
            char gen[16];
            const char *nm = col->u.col->alias;
            if (!nm && e->kind == LP_EXPR_COL) nm = e->name;
            if (!nm && e->kind == LP_EXPR_CALL && e->fn == LP_FN_GET_FIELD && e->args[1]->kind == LP_EXPR_LIT)
                nm = e->args[1]->lit.u.s.p;
            if (!nm) {
                snprintf(gen, sizeof gen, "col%d", i + 1);
                nm = gen;
            }
            int64_t cs = asts[i] ? asts[i]->start : a->start, ce = asts[i] ? asts[i]->end : a->end;
            args[2 * i] = lp_expr_str(&c->arena, nm, strlen(nm));
            args[2 * i + 1] = lp_colv_import(c, col->u.col, cs, ce);
            if (!args[2 * i] || !args[2 * i + 1]) st = nomem(s);
        }
        lp_val_unref(col);
    }
    if (st == LP_OK) {
        c->e = lp_expr_call(&c->arena, LP_FN_NAMED_STRUCT, args, 2 * n, a->start, a->end);
        if (c->e) c->e->fname = "struct";
        else st = nomem(s);
    }
    if (st != LP_OK) {
        lp_colv_free(c);
        return st;
    }
    *out = lp_val_colv(&c);
    return *out ? LP_OK : nomem(s);
}

LP_WUR lp_status lp_fcall(loupe_session *s, const char *name, const lp_args *a, lp_val **out) {
    *out = NULL;
    if (!a) return unknown_function(s, name, -1, -1);
    lp_status st;
    if (strcmp(name, "col") == 0 || strcmp(name, "column") == 0) {
        if ((st = one_arg(s, a, "a column name")) != LP_OK) return st;
        if (a->pos[0]->kind != LV_STR)
            return lp_err(s, LP_ETYPE, a->pos_ast[0], "col() takes a column name as a string, got %s",
                          lp_val_type_name(a->pos[0]));
        return lp_to_col(s, a->pos[0], a->pos_ast[0], true, out);
    }
    if (strcmp(name, "lit") == 0) {
        if ((st = one_arg(s, a, "a value")) != LP_OK) return st;
        return lp_to_lit_col(s, a->pos[0], a->pos_ast[0], out);
    }
    if (strcmp(name, "expr") == 0) {
        if ((st = one_arg(s, a, "a SQL expression string")) != LP_OK) return st;
        if (a->pos[0]->kind != LV_STR) return lp_err(s, LP_ETYPE, a->pos_ast[0], "F.expr() takes a SQL expression string");
        return lp_df_sql_expr(s, a->pos[0]->u.s.p, a->pos[0]->u.s.n, a->pos_ast[0], true, out);
    }
    if (strcmp(name, "when") == 0) {
        if (a->npos != 2 || a->nkw)
            return lp_err_span(s, LP_ETYPE, a->start, a->end, "F.when() takes a condition and a value");
        lp_val *c = NULL, *v = NULL;
        st = lp_to_col(s, a->pos[0], a->pos_ast[0], false, &c);
        if (st == LP_OK) st = lp_to_lit_col(s, a->pos[1], a->pos_ast[1], &v);
        if (st == LP_OK) {
            lp_val *two[2] = {c, v};
            st = build_call(s, LP_FN_CASE, two, 2, NULL, a->start, a->end, out);
            if (st == LP_OK) (*out)->u.col->when = true;
        }
        lp_val_unref(c);
        lp_val_unref(v);
        return st;
    }
    if (strcmp(name, "desc") == 0 || strcmp(name, "asc") == 0 || strncmp(name, "desc_nulls", 10) == 0 ||
        strncmp(name, "asc_nulls", 9) == 0) {
        if ((st = one_arg(s, a, "a column")) != LP_OK) return st;
        int dir = name[0] == 'd' ? 2 : 1;
        int nulls = strstr(name, "nulls_first") ? 1 : strstr(name, "nulls_last") ? 0 : -1;
        return sort_col(s, a->pos[0], a->pos_ast[0], dir, nulls, out);
    }
    if (strcmp(name, "broadcast") == 0) {
        if ((st = one_arg(s, a, "a DataFrame")) != LP_OK) return st;
        *out = lp_val_ref(a->pos[0]);  /* a hint for Spark's planner; one machine needs none */
        return LP_OK;
    }
    if ((st = window_fn(s, name, a, out)) != LP_ENAME) return st;
    if (strcmp(name, "struct") == 0) return struct_fn(s, a, out);
    const char *fname = strcmp(name, "mean") == 0 ? "avg" : name;  /* PySpark's F.mean is avg */
    if (strcmp(name, "countDistinct") == 0 || strcmp(name, "approx_count_distinct") == 0) {
        if (a->npos > 1)
            return lp_err_span(s, LP_EUNSUPPORTED, a->pos_ast[1]->start, a->pos_ast[a->npos - 1]->end,
                               "count_distinct over several columns is not supported yet; count distinct rows with "
                               "df.select(...).distinct().count()");
        fname = "count_distinct";
    }
    if (strcmp(name, "isnull") == 0 || strcmp(name, "isnotnull") == 0) {
        if ((st = one_arg(s, a, "a column")) != LP_OK) return st;
        lp_val *c = NULL;
        if ((st = lp_to_col(s, a->pos[0], a->pos_ast[0], true, &c)) != LP_OK) return st;
        st = build_call(s, strcmp(name, "isnull") == 0 ? LP_FN_IS_NULL : LP_FN_IS_NOT_NULL, &c, 1, NULL, a->start, a->end, out);
        lp_val_unref(c);
        return st;
    }
    const lp_fninfo *fi = lp_fn_lookup(fname, strlen(fname));
    if (!fi || (fi->flags & LP_FNF_OPERATOR)) return unknown_function(s, name, a->start, a->end);
    const struct fspec *sp = find_spec(fname);
    lp_val **vals = NULL;
    lp_ast **asts = NULL;
    int n = 0;
    if ((st = positional(s, a, sp ? sp->params : NULL, &vals, &asts, &n)) != LP_OK) return st;
    if (n > 64) return lp_err_span(s, LP_ELIMIT, a->start, a->end, "too many arguments (%d)", n);
    lp_val *cols[64];
    int k = 0;
    st = LP_OK;
    for (int i = 0; i < n && st == LP_OK; i++) {
        bool lit = sp && i < 32 && (sp->lit >> i & 1);
        /* count("*") is count(1), as PySpark's */
        if (fi->id == LP_FN_AGG_COUNT && vals[i]->kind == LV_STR && strcmp(vals[i]->u.s.p, "*") == 0) {
            lp_val *one = lp_val_int(1);
            if (!one) { st = nomem(s); break; }
            st = lp_to_lit_col(s, one, asts[i], &cols[k]);
            lp_val_unref(one);
        } else if (lit) {
            st = lp_to_lit_col(s, vals[i], asts[i], &cols[k]);
        } else {
            st = lp_to_col(s, vals[i], asts[i], true, &cols[k]);
            if (st == LP_OK && cols[k]->u.col->star) {
                lp_val_unref(cols[k]);
                st = lp_err(s, LP_ETYPE, asts[i], "'*' is only allowed in count(\"*\") and select(\"*\")");
            }
        }
        if (st == LP_OK) k++;
    }
    if (st == LP_OK) st = build_call(s, fi->id, cols, k, fname, a->start, a->end, out);
    if (st == LP_OK && fi->id == LP_FN_WINDOW) {
        /* Spark names the column `window` */
        lp_colv *c = (*out)->u.col;
        if (!(c->alias = lp_arena_strndup(&c->arena, "window", 6))) st = nomem(s);
    }
    for (int i = 0; i < k; i++) lp_val_unref(cols[i]);
    return st;
}

/* ---- Column methods ---- */

#define METHOD(fn) static lp_status fn(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out)

METHOD(m_alias) {
    if (a->npos < 1 || a->nkw || a->pos[0]->kind != LV_STR)
        return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() takes the new name as a string", a->fname);
    lp_status st = copy_col(s, self, out);
    if (st != LP_OK) return st;
    lp_colv *c = (*out)->u.col;
    if (!(c->alias = lp_arena_strndup(&c->arena, a->pos[0]->u.s.p, a->pos[0]->u.s.n))) return nomem(s);
    return LP_OK;
}

METHOD(m_cast) {
    lp_val *v;
    lp_ast *ast;
    lp_status st = lp_args_one(s, a, "dataType", true, &v, &ast);
    if (st != LP_OK) return st;
    if (v->kind != LV_STR)
        return lp_err(s, LP_ETYPE, ast, "cast() takes the type as a string such as 'int', 'double', 'string' or 'date'");
    lp_type t;
    if (!lp_type_parse(v->u.s.p, v->u.s.n, &t)) {
        int64_t b = lp_str_offset(ast, 0);
        lp_err_span(s, LP_EVALUE, b >= 0 ? b : ast->start, b >= 0 ? b + (int64_t)v->u.s.n : ast->end,
                    "unknown type '%s'", v->u.s.p);
        lp_hint(s, "types: int, bigint, double, float, string, boolean, date, timestamp, array<string>");
        return LP_EVALUE;
    }
    lp_colv *c = lp_colv_new();
    if (!c) return nomem(s);
    lp_expr *x = lp_colv_import(c, self->u.col, a->start, a->end);
    c->e = x ? lp_expr_cast_as(&c->arena, x, t, v->u.s.p, v->u.s.n, a->start, a->end) : NULL;
    if (!c->e) {
        lp_colv_free(c);
        return nomem(s);
    }
    *out = lp_val_colv(&c);
    return *out ? LP_OK : nomem(s);
}

static lp_status unary_fn(loupe_session *s, lp_val *self, const lp_args *a, lp_fn fn, lp_val **out) {
    if (a->npos || a->nkw) return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() takes no arguments", a->fname);
    return build_call(s, fn, &self, 1, NULL, a->start, a->end, out);
}
METHOD(m_isnull) { return unary_fn(s, self, a, LP_FN_IS_NULL, out); }
METHOD(m_isnotnull) { return unary_fn(s, self, a, LP_FN_IS_NOT_NULL, out); }
METHOD(m_isnan) { return unary_fn(s, self, a, LP_FN_ISNAN, out); }

/* self fn literal-args...: like, rlike, contains, startswith, endswith, eqNullSafe. */
static lp_status binary_fn(loupe_session *s, lp_val *self, const lp_args *a, lp_fn fn, const char *p, bool lit,
                           lp_val **out) {
    lp_val *v;
    lp_ast *ast;
    lp_status st = lp_args_one(s, a, p, true, &v, &ast);
    if (st != LP_OK) return st;
    lp_val *c = NULL;
    if ((st = lit ? lp_to_lit_col(s, v, ast, &c) : lp_to_col(s, v, ast, false, &c)) != LP_OK) return st;
    lp_val *two[2] = {self, c};
    st = build_call(s, fn, two, 2, NULL, a->start, a->end, out);
    lp_val_unref(c);
    return st;
}
METHOD(m_like) { return binary_fn(s, self, a, LP_FN_LIKE, "other", true, out); }
METHOD(m_ilike) { return binary_fn(s, self, a, LP_FN_ILIKE, "other", true, out); }
METHOD(m_rlike) { return binary_fn(s, self, a, LP_FN_RLIKE, "other", true, out); }
METHOD(m_contains) { return binary_fn(s, self, a, LP_FN_CONTAINS, "other", true, out); }
METHOD(m_startswith) { return binary_fn(s, self, a, LP_FN_STARTSWITH, "other", true, out); }
METHOD(m_endswith) { return binary_fn(s, self, a, LP_FN_ENDSWITH, "other", true, out); }
METHOD(m_eqnullsafe) { return binary_fn(s, self, a, LP_FN_EQ_NS, "other", true, out); }
METHOD(m_getitem) { return binary_fn(s, self, a, LP_FN_GET, "key", true, out); }
METHOD(m_getfield) {
    lp_val *v;
    lp_ast *ast;
    lp_status st = lp_args_one(s, a, "name", true, &v, &ast);
    if (st != LP_OK) return st;
    if (v->kind != LV_STR) return lp_err(s, LP_ETYPE, ast, "getField() takes a field name as a string, got %s", lp_val_type_name(v));
    return binary_fn(s, self, a, LP_FN_GET_FIELD, "name", true, out);
}

METHOD(m_isin) {
    if (a->nkw) return lp_err(s, LP_ETYPE, a->kw_ast[0], "isin() takes values, not keyword arguments");
    lp_val **vals = NULL;
    lp_ast **asts = NULL;
    int n = 0;
    lp_status st = lp_flatten(s, a->pos, a->pos_ast, a->npos, &vals, &asts, &n);
    if (st != LP_OK) return st;
    if (n == 0) return lp_err_span(s, LP_ETYPE, a->start, a->end, "isin() needs at least one value");
    lp_val **cols = lp_arena_zalloc(s->arena, sizeof(lp_val *) * (size_t)(n + 1));
    if (!cols) return nomem(s);
    cols[0] = lp_val_ref(self);
    int k = 1;
    for (int i = 0; i < n && st == LP_OK; i++)
        if ((st = lp_to_lit_col(s, vals[i], asts[i], &cols[k])) == LP_OK) k++;
    if (st == LP_OK) {
        lp_colv *c = lp_colv_new();
        lp_expr **args = c ? lp_arena_alloc(&c->arena, sizeof(lp_expr *) * (size_t)k) : NULL;
        for (int i = 0; args && i < k; i++)
            if (!(args[i] = lp_colv_import(c, cols[i]->u.col, a->start, a->end))) args = NULL;
        if (args) c->e = lp_expr_call(&c->arena, LP_FN_IN, args, k, a->start, a->end);
        if (!c || !c->e) {
            lp_colv_free(c);
            st = nomem(s);
        } else if (!(*out = lp_val_colv(&c))) {
            st = nomem(s);
        }
    }
    for (int i = 0; i < k; i++) lp_val_unref(cols[i]);
    return st;
}

METHOD(m_between) {
    static const char *const p[] = {"lowerBound", "upperBound"};
    lp_val *v[2];
    lp_ast *ast[2];
    lp_status st = lp_args_bind(s, a, p, 2, v, ast);
    if (st != LP_OK) return st;
    if (!v[0] || !v[1]) return lp_err_span(s, LP_ETYPE, a->start, a->end, "between() takes a lower and an upper bound");
    lp_val *lo = NULL, *hi = NULL;
    st = lp_to_lit_col(s, v[0], ast[0], &lo);
    if (st == LP_OK) st = lp_to_lit_col(s, v[1], ast[1], &hi);
    if (st == LP_OK) {
        lp_val *three[3] = {self, lo, hi};
        st = build_call(s, LP_FN_BETWEEN, three, 3, NULL, a->start, a->end, out);
    }
    lp_val_unref(lo);
    lp_val_unref(hi);
    return st;
}

METHOD(m_substr) {
    static const char *const p[] = {"startPos", "length"};
    lp_val *v[2];
    lp_ast *ast[2];
    lp_status st = lp_args_bind(s, a, p, 2, v, ast);
    if (st != LP_OK) return st;
    if (!v[0] || !v[1]) return lp_err_span(s, LP_ETYPE, a->start, a->end, "substr() takes a start position and a length");
    lp_val *x = NULL, *y = NULL;
    st = lp_to_lit_col(s, v[0], ast[0], &x);
    if (st == LP_OK) st = lp_to_lit_col(s, v[1], ast[1], &y);
    if (st == LP_OK) {
        lp_val *three[3] = {self, x, y};
        st = build_call(s, LP_FN_SUBSTRING, three, 3, "substring", a->start, a->end, out);
    }
    lp_val_unref(x);
    lp_val_unref(y);
    return st;
}

static lp_status dir_method(loupe_session *s, lp_val *self, const lp_args *a, int dir, int nulls, lp_val **out) {
    if (a->npos || a->nkw) return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() takes no arguments", a->fname);
    lp_status st = copy_col(s, self, out);
    if (st != LP_OK) return st;
    (*out)->u.col->dir = dir;
    (*out)->u.col->nulls = nulls;
    return LP_OK;
}
METHOD(m_desc) { return dir_method(s, self, a, 2, -1, out); }
METHOD(m_asc) { return dir_method(s, self, a, 1, -1, out); }
METHOD(m_desc_nl) { return dir_method(s, self, a, 2, 0, out); }
METHOD(m_desc_nf) { return dir_method(s, self, a, 2, 1, out); }
METHOD(m_asc_nl) { return dir_method(s, self, a, 1, 0, out); }
METHOD(m_asc_nf) { return dir_method(s, self, a, 1, 1, out); }

/* when(...).when(c, v) and .otherwise(v): extend the CASE's argument list. */
static lp_status extend_case(loupe_session *s, lp_val *self, const lp_args *a, lp_val *const *add, int nadd, bool close,
                             lp_val **out) {
    const lp_expr *e = self->u.col->e;
    if (!self->u.col->when || e->kind != LP_EXPR_CALL || e->fn != LP_FN_CASE) {
        lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() can only follow F.when(...)", a->fname);
        lp_hint(s, "start the chain with F.when(condition, value)");
        return LP_ETYPE;
    }
    lp_colv *c = lp_colv_new();
    if (!c) return nomem(s);
    lp_expr *base = lp_colv_import(c, self->u.col, a->start, a->end);
    lp_expr **args = base ? lp_arena_alloc(&c->arena, sizeof(lp_expr *) * (size_t)(base->nargs + nadd)) : NULL;
    if (!args) {
        lp_colv_free(c);
        return nomem(s);
    }
    memcpy(args, base->args, sizeof(lp_expr *) * (size_t)base->nargs);
    for (int i = 0; i < nadd; i++)
        if (!(args[base->nargs + i] = lp_colv_import(c, add[i]->u.col, a->start, a->end))) {
            lp_colv_free(c);
            return nomem(s);
        }
    c->e = lp_expr_call(&c->arena, LP_FN_CASE, args, base->nargs + nadd, base->start, a->end);
    c->when = !close;
    if (!c->e) {
        lp_colv_free(c);
        return nomem(s);
    }
    *out = lp_val_colv(&c);
    return *out ? LP_OK : nomem(s);
}

METHOD(m_when) {
    static const char *const p[] = {"condition", "value"};
    lp_val *v[2];
    lp_ast *ast[2];
    lp_status st = lp_args_bind(s, a, p, 2, v, ast);
    if (st != LP_OK) return st;
    if (!v[0] || !v[1]) return lp_err_span(s, LP_ETYPE, a->start, a->end, "when() takes a condition and a value");
    lp_val *c = NULL, *x = NULL;
    st = lp_to_col(s, v[0], ast[0], false, &c);
    if (st == LP_OK) st = lp_to_lit_col(s, v[1], ast[1], &x);
    if (st == LP_OK) {
        lp_val *two[2] = {c, x};
        st = extend_case(s, self, a, two, 2, false, out);
    }
    lp_val_unref(c);
    lp_val_unref(x);
    return st;
}

METHOD(m_otherwise) {
    lp_val *v;
    lp_ast *ast;
    lp_status st = lp_args_one(s, a, "value", true, &v, &ast);
    if (st != LP_OK) return st;
    lp_val *x = NULL;
    if ((st = lp_to_lit_col(s, v, ast, &x)) != LP_OK) return st;
    st = extend_case(s, self, a, &x, 1, true, out);
    lp_val_unref(x);
    return st;
}

/* Sets every span of the tree to [start, end) (a spec built in an earlier cell). */
static void respan(lp_expr *e, int64_t start, int64_t end) {
    e->start = start;
    e->end = end;
    for (int i = 0; i < e->nargs; i++) respan(e->args[i], start, end);
}

METHOD(m_over) {
    lp_val *w;
    lp_ast *ast;
    lp_status st = lp_args_one(s, a, "window", false, &w, &ast);
    if (st != LP_OK) return st;
    if (w && w->kind != LV_WINDOW) {
        lp_err(s, LP_ETYPE, ast, "over() takes a window, got %s", lp_val_type_name(w));
        lp_hint(s, "from pyspark.sql.window import Window; w = Window.partitionBy('g').orderBy('t')");
        return LP_ETYPE;
    }
    const lp_expr *f = self->u.col->e;
    if (!lp_expr_window_ok(f)) {
        char *t = lp_expr_print(s->arena, f);
        bool twice = f->kind == LP_EXPR_WINDOW;
        lp_err_span(s, LP_ETYPE, a->start, a->end, twice ? "%s already has a window" : "over() needs a window function "
                    "or an aggregate, and %s is neither", t ? t : "this column");
        if (!twice) lp_hint(s, "e.g. F.avg('overall').over(w), F.row_number().over(w), F.lag('overall').over(w)");
        return LP_ETYPE;
    }
    lp_colv *c = lp_colv_new();
    if (!c) return nomem(s);
    lp_expr *x = lp_colv_import(c, self->u.col, a->start, a->end);
    lp_winspec empty = {.frame = {LP_FRAME_DEFAULT, 0, 0}, .fstart = -1, .fend = -1};
    const lp_winspec *spec = w ? w->u.col->e->win : &empty;
    c->e = x ? lp_expr_over(&c->arena, x, spec, x->start >= 0 ? x->start : a->start, a->end) : NULL;
    if (!c->e) {
        lp_colv_free(c);
        return nomem(s);
    }
    if (w && w->u.col->cell != lp_lang_cell) {
        /* a window defined in an earlier cell: its spans point into that cell's text */
        lp_winspec *ws = (lp_winspec *)c->e->win;
        for (int i = 0; i < ws->npart; i++) respan(ws->part[i], a->start, a->end);
        for (int i = 0; i < ws->norder; i++) respan(ws->order[i], a->start, a->end);
        if (ws->fstart >= 0) {
            ws->fstart = a->start;
            ws->fend = a->end;
        }
    }
    c->alias = self->u.col->alias ? lp_arena_strndup(&c->arena, self->u.col->alias, strlen(self->u.col->alias)) : NULL;
    *out = lp_val_colv(&c);
    return *out ? LP_OK : nomem(s);
}

static const lp_method col_methods[] = {
    {"alias", m_alias, "*alias"}, {"name", m_alias, "*alias"}, {"cast", m_cast, "dataType"},
    {"astype", m_cast, "dataType"}, {"isNull", m_isnull, ""}, {"isNotNull", m_isnotnull, ""},
    {"isNaN", m_isnan, ""}, {"isin", m_isin, "*cols"}, {"between", m_between, "lowerBound, upperBound"},
    {"like", m_like, "other"}, {"ilike", m_ilike, "other"}, {"rlike", m_rlike, "other"},
    {"contains", m_contains, "other"}, {"startswith", m_startswith, "other"}, {"endswith", m_endswith, "other"},
    {"eqNullSafe", m_eqnullsafe, "other"}, {"getItem", m_getitem, "key"}, {"getField", m_getfield, "name"}, {"substr", m_substr, "startPos, length"},
    {"desc", m_desc, ""}, {"asc", m_asc, ""}, {"desc_nulls_last", m_desc_nl, ""}, {"desc_nulls_first", m_desc_nf, ""},
    {"asc_nulls_last", m_asc_nl, ""}, {"asc_nulls_first", m_asc_nf, ""}, {"when", m_when, "condition, value"},
    {"otherwise", m_otherwise, "value"}, {"over", m_over, "window"},
};

const lp_method *lp_col_methods(int *n) {
    *n = (int)LP_ARRAY_LEN(col_methods);
    return col_methods;
}
