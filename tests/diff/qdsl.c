/* qdsl.c -- see qdsl.h: parses the pipeline notation and runs it through the operator API. */
#include "qdsl.h"

#include "exec/expr.h"
#include "exec/ops.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the expression API, as the notation uses it ---- */

static lp_expr *qdsl_col(lp_arena *a, const char *name) { return lp_expr_col(a, name, (size_t)-1, -1, -1); }

static lp_expr *qdsl_col_index(lp_arena *a, const lp_table *t, int col) {
    return lp_expr_col_index(a, col, t->names[col], -1, -1);
}

static lp_expr *qdsl_lit(lp_arena *a, const lp_value *v) { return lp_expr_lit(a, v, -1, -1); }

static lp_expr *qdsl_call(lp_arena *a, const char *name, lp_expr **args, int n) {
    static const struct { const char *name; lp_fn fn; } own[] = {
        {"at", LP_FN_GET}, {"isnull", LP_FN_IS_NULL}, {"case", LP_FN_CASE},
    };
    for (size_t k = 0; k < sizeof own / sizeof own[0]; k++)
        if (strcmp(own[k].name, name) == 0) return lp_expr_call(a, own[k].fn, args, n, -1, -1);
    lp_expr *e = NULL;
    lp_diag d;
    lp_diag_init(&d);
    if (lp_expr_call_named(a, name, strlen(name), args, n, -1, -1, &e, &d) != LP_OK) return NULL;
    return e;
}

static lp_status qdsl_bind(lp_expr *e, const lp_table *t, lp_diag *d) {
    return lp_expr_bind(e, t->ncols, (const char *const *)t->names, t->types, d);
}

typedef struct binding {
    char name[64];
    lp_table *t;
} binding;

typedef struct run {
    const char *p;      /* cursor */
    const char *src;
    lp_arena arena;
    binding vars[16];
    int nvars;
    char *err;
} run;

static void errf(run *r, const char *fmt, ...) {
    if (r->err) return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char full[1400];
    snprintf(full, sizeof full, "%s (at offset %d)", buf, (int)(r->p - r->src));
    r->err = strdup(full);
}

static void ws(run *r) {
    while (isspace((unsigned char)*r->p)) r->p++;
}

static bool eat(run *r, const char *s) {
    ws(r);
    size_t n = strlen(s);
    if (strncmp(r->p, s, n) != 0) return false;
    if (isalpha((unsigned char)s[n - 1]) && (isalnum((unsigned char)r->p[n]) || r->p[n] == '_')) return false;
    r->p += n;
    return true;
}

/* An identifier (letters, digits, _ . and the operator characters used as function names). */
static bool ident(run *r, char *out, size_t cap) {
    ws(r);
    size_t n = 0;
    while (r->p[n] && (isalnum((unsigned char)r->p[n]) || strchr("_.<>=!+-*/%", r->p[n]))) n++;
    if (n == 0 || n >= cap) {
        errf(r, "expected a name");
        return false;
    }
    memcpy(out, r->p, n);
    out[n] = 0;
    r->p += n;
    return true;
}

/* A column name (no operator characters). */
static bool colname(run *r, char *out, size_t cap) {
    ws(r);
    size_t n = 0;
    while (r->p[n] && (isalnum((unsigned char)r->p[n]) || r->p[n] == '_' || r->p[n] == '.')) n++;
    if (n == 0 || n >= cap) {
        errf(r, "expected a column name");
        return false;
    }
    memcpy(out, r->p, n);
    out[n] = 0;
    r->p += n;
    return true;
}

static lp_expr *parse_expr(run *r);

static lp_expr *parse_call(run *r) {
    char fn[64];
    if (!ident(r, fn, sizeof fn)) return NULL;
    lp_expr *args[32];
    int n = 0;
    ws(r);
    while (*r->p && *r->p != ')') {
        if (n == 32) {
            errf(r, "too many arguments");
            return NULL;
        }
        args[n] = parse_expr(r);
        if (!args[n]) return NULL;
        n++;
        ws(r);
    }
    if (!eat(r, ")")) {
        errf(r, "expected ')'");
        return NULL;
    }
    lp_expr *e = qdsl_call(&r->arena, fn, args, n);
    if (!e) errf(r, "unknown function '%s' or wrong arguments", fn);
    return e;
}

static lp_expr *parse_expr(run *r) {
    ws(r);
    const char *c = r->p;
    if (*c == '(') {
        r->p++;
        return parse_call(r);
    }
    if (*c == '\'') {
        const char *end = strchr(c + 1, '\'');
        if (!end) {
            errf(r, "unterminated string");
            return NULL;
        }
        r->p = end + 1;
        lp_value v = lp_value_null();
        v.null = false;
        v.type = lp_type_of(LP_STRING);
        v.u.s.p = c + 1;
        v.u.s.n = end - c - 1;
        return qdsl_lit(&r->arena, &v);
    }
    if (isdigit((unsigned char)*c) || (*c == '-' && isdigit((unsigned char)c[1]))) {
        size_t n = 1;
        while (isalnum((unsigned char)c[n]) || c[n] == '.') n++;
        lp_value v = lp_value_null();
        v.null = false;
        if (lp_parse_int64(c, n, &v.u.i)) {
            v.type = lp_type_of(LP_INT64);
        } else if (lp_parse_float64(c, n, &v.u.f)) {
            v.type = lp_type_of(LP_FLOAT64);
        } else {
            errf(r, "bad number");
            return NULL;
        }
        r->p += n;
        return qdsl_lit(&r->arena, &v);
    }
    if (eat(r, "null")) {
        lp_value v = lp_value_null();
        return qdsl_lit(&r->arena, &v);
    }
    if (eat(r, "true") || eat(r, "false")) {
        lp_value v = lp_value_null();
        v.null = false;
        v.type = lp_type_of(LP_BOOL);
        v.u.b = r->p[-1] == 'e' && r->p[-2] == 'u';
        return qdsl_lit(&r->arena, &v);
    }
    char name[128];
    if (!colname(r, name, sizeof name)) return NULL;
    return qdsl_col(&r->arena, name);
}

static lp_table *lookup(run *r, const char *name) {
    for (int i = r->nvars - 1; i >= 0; i--)
        if (strcmp(r->vars[i].name, name) == 0) return r->vars[i].t;
    errf(r, "no table called '%s'", name);
    return NULL;
}

static int col_index(run *r, lp_table *t, const char *name) {
    int i = lp_table_col_index(t, name);
    if (i < 0) errf(r, "no column '%s'", name);
    return i;
}

static lp_table *check(run *r, lp_status st, lp_table *out, lp_diag *d, const char *what) {
    if (st != LP_OK) {
        errf(r, "%s: %s%s%s", what, d->msg, d->hint[0] ? " -- " : "", d->hint);
        return NULL;
    }
    return out;
}

/* select/with: a projection. keep_all adds the input's columns first (replaced by name). */
static lp_table *step_project(run *r, lp_table *in, bool keep_all) {
    lp_expr *exprs[128];
    char *names[128];
    int n = 0;
    if (keep_all)
        for (int c = 0; c < in->ncols; c++) {
            exprs[n] = qdsl_col(&r->arena, in->names[c]);
            names[n++] = in->names[c];
        }
    do {
        char name[128];
        if (!colname(r, name, sizeof name)) return NULL;
        lp_expr *e;
        if (eat(r, "=")) {
            e = parse_expr(r);
            if (!e) return NULL;
        } else {
            e = qdsl_col(&r->arena, name);
        }
        int slot = n;
        for (int k = 0; k < n; k++)
            if (strcmp(names[k], name) == 0) slot = k;
        exprs[slot] = e;
        names[slot] = lp_arena_strndup(&r->arena, name, strlen(name));
        if (slot == n) n++;
    } while (eat(r, ","));
    lp_diag d;
    lp_diag_init(&d);
    for (int k = 0; k < n; k++)
        if (qdsl_bind(exprs[k], in, &d) != LP_OK) return check(r, d.status, NULL, &d, "bind");
    lp_table *out = NULL;
    lp_status st = lp_project(in, (const lp_expr *const *)exprs, (const char *const *)names, n, &out, &d);
    return check(r, st, out, &d, "project");
}

static const struct { const char *name; lp_aggfn fn; } aggs[] = {
    {"count_star", LP_AGG_COUNT_STAR}, {"count", LP_AGG_COUNT}, {"count_distinct", LP_AGG_COUNT_DISTINCT},
    {"sum", LP_AGG_SUM}, {"mean", LP_AGG_MEAN}, {"min", LP_AGG_MIN}, {"max", LP_AGG_MAX},
    {"stddev", LP_AGG_STDDEV_SAMP}, {"first", LP_AGG_FIRST}, {"last", LP_AGG_LAST}, {"median", LP_AGG_MEDIAN},
};

static lp_table *step_group(run *r, lp_table *in) {
    int keys[32], nkeys = 0;
    ws(r);
    if (*r->p != ':') {
        do {
            char name[128];
            if (!colname(r, name, sizeof name)) return NULL;
            if ((keys[nkeys++] = col_index(r, in, name)) < 0) return NULL;
        } while (eat(r, ","));
    }
    if (!eat(r, ":")) {
        errf(r, "expected ':' after the group keys");
        return NULL;
    }
    lp_aggspec specs[32];
    char names[32][64];
    int n = 0;
    do {
        char fn[64], col[128] = "", out[64];
        if (!colname(r, fn, sizeof fn) || !eat(r, "(")) {
            errf(r, "expected an aggregate call");
            return NULL;
        }
        ws(r);
        if (*r->p != ')' && !colname(r, col, sizeof col)) return NULL;
        if (!eat(r, ")") || !colname(r, out, sizeof out)) {
            errf(r, "expected ') name' after the aggregate");
            return NULL;
        }
        size_t k = 0;
        while (k < sizeof aggs / sizeof aggs[0] && strcmp(aggs[k].name, fn) != 0) k++;
        if (k == sizeof aggs / sizeof aggs[0]) {
            errf(r, "unknown aggregate '%s'", fn);
            return NULL;
        }
        memset(&specs[n], 0, sizeof specs[n]);
        specs[n].fn = aggs[k].fn;
        specs[n].col = col[0] ? col_index(r, in, col) : -1;
        if (col[0] && specs[n].col < 0) return NULL;
        snprintf(names[n], sizeof names[n], "%s", out);
        specs[n].name = names[n];
        n++;
    } while (eat(r, ","));
    lp_diag d;
    lp_diag_init(&d);
    lp_table *out = NULL;
    lp_status st = lp_aggregate(in, keys, nkeys, specs, n, &out, &d);
    return check(r, st, out, &d, "aggregate");
}

static lp_table *step_sort(run *r, lp_table *in, int64_t limit) {
    lp_sortkey keys[32];
    int n = 0;
    do {
        char name[128];
        if (!colname(r, name, sizeof name)) return NULL;
        keys[n].col = col_index(r, in, name);
        if (keys[n].col < 0) return NULL;
        keys[n].desc = eat(r, "desc");
        keys[n].nulls_first = !keys[n].desc;
        if (eat(r, "nf")) keys[n].nulls_first = true;
        if (eat(r, "nl")) keys[n].nulls_first = false;
        n++;
    } while (eat(r, ","));
    lp_diag d;
    lp_diag_init(&d);
    lp_table *out = NULL;
    lp_status st = lp_sort(in, keys, n, limit, &out, &d);
    return check(r, st, out, &d, "sort");
}

static lp_table *step_join(run *r, lp_table *in) {
    char name[64];
    if (!colname(r, name, sizeof name)) return NULL;
    lp_table *right = lookup(r, name);
    if (!right) return NULL;
    int lk[16], rk[16], n = 0;
    do {
        char a[128], b[128];
        if (!colname(r, a, sizeof a) || !eat(r, "=") || !colname(r, b, sizeof b)) return NULL;
        if ((lk[n] = col_index(r, in, a)) < 0 || (rk[n] = col_index(r, right, b)) < 0) return NULL;
        n++;
    } while (eat(r, ","));
    static const struct { const char *name; lp_join_how how; } hows[] = {
        {"inner", LP_JOIN_INNER}, {"left", LP_JOIN_LEFT}, {"right", LP_JOIN_RIGHT},
        {"full", LP_JOIN_FULL},   {"semi", LP_JOIN_SEMI}, {"anti", LP_JOIN_ANTI},
    };
    char how[16];
    if (!colname(r, how, sizeof how)) return NULL;
    size_t k = 0;
    while (k < sizeof hows / sizeof hows[0] && strcmp(hows[k].name, how) != 0) k++;
    if (k == sizeof hows / sizeof hows[0]) {
        errf(r, "unknown join type '%s'", how);
        return NULL;
    }
    lp_diag d;
    lp_diag_init(&d);
    lp_table *out = NULL;
    lp_status st = lp_join(in, right, lk, rk, n, hows[k].how, &out, &d);
    if (st != LP_OK) return check(r, st, out, &d, "join");
    /* drop the right side's copies of equally named keys, as a join on names does */
    if (hows[k].how == LP_JOIN_SEMI || hows[k].how == LP_JOIN_ANTI) return out;
    lp_expr *exprs[256];
    const char *names[256];
    int m = 0;
    for (int c = 0; c < out->ncols && m < 256; c++) {
        bool dup = false;
        if (c >= in->ncols)
            for (int j = 0; j < n; j++)
                dup |= c - in->ncols == rk[j] && strcmp(in->names[lk[j]], right->names[rk[j]]) == 0;
        if (dup) continue;
        lp_expr *e = qdsl_col_index(&r->arena, out, c);
        exprs[m] = e;
        names[m++] = out->names[c];
    }
    /* full/right joins: a key missing on the left comes from the right */
    if (hows[k].how == LP_JOIN_RIGHT || hows[k].how == LP_JOIN_FULL)
        for (int j = 0; j < n; j++) {
            if (strcmp(in->names[lk[j]], right->names[rk[j]]) != 0) continue;
            lp_expr *args[2] = {qdsl_col_index(&r->arena, out, lk[j]),
                                qdsl_col_index(&r->arena, out, in->ncols + rk[j])};
            exprs[lk[j]] = qdsl_call(&r->arena, "coalesce", args, 2);
        }
    for (int k2 = 0; k2 < m; k2++)
        if (qdsl_bind(exprs[k2], out, &d) != LP_OK) {
            lp_table_unref(out);
            return check(r, d.status, NULL, &d, "bind");
        }
    lp_table *proj = NULL;
    st = lp_project(out, (const lp_expr *const *)exprs, names, m, &proj, &d);
    lp_table_unref(out);
    return check(r, st, proj, &d, "project");
}

static lp_table *step(run *r, lp_table *in) {
    lp_diag d;
    lp_diag_init(&d);
    lp_table *out = NULL;
    if (eat(r, "where")) {
        lp_expr *e = parse_expr(r);
        if (!e) return NULL;
        if (qdsl_bind(e, in, &d) != LP_OK) return check(r, d.status, NULL, &d, "bind");
        lp_status st = lp_filter(in, e, &out, &d);
        return check(r, st, out, &d, "filter");
    }
    if (eat(r, "select")) return step_project(r, in, false);
    if (eat(r, "with")) return step_project(r, in, true);
    if (eat(r, "group")) return step_group(r, in);
    if (eat(r, "sort")) {
        /* "sort ... | limit N" takes the top-k path, as the planner will */
        const char *save = r->p;
        const char *bar = strchr(r->p, '|');
        const char *semi = strchr(r->p, ';');
        int64_t limit = -1;
        if (bar && (!semi || bar < semi)) {
            const char *q = bar + 1;
            while (isspace((unsigned char)*q)) q++;
            if (strncmp(q, "limit", 5) == 0) limit = atoll(q + 5);
        }
        r->p = save;
        return step_sort(r, in, limit);
    }
    if (eat(r, "limit")) {
        ws(r);
        int64_t n = atoll(r->p);
        while (isdigit((unsigned char)*r->p)) r->p++;
        lp_status st = lp_limit(in, n, &out, &d);
        return check(r, st, out, &d, "limit");
    }
    if (eat(r, "distinct")) {
        int cols[32], n = 0;
        ws(r);
        while (*r->p && *r->p != '|' && *r->p != ';') {
            char name[128];
            if (!colname(r, name, sizeof name)) return NULL;
            if ((cols[n++] = col_index(r, in, name)) < 0) return NULL;
            eat(r, ",");
            ws(r);
        }
        lp_status st = lp_distinct(in, cols, n, &out, &d);
        return check(r, st, out, &d, "distinct");
    }
    if (eat(r, "union")) {
        char name[64];
        if (!colname(r, name, sizeof name)) return NULL;
        lp_table *b = lookup(r, name);
        if (!b) return NULL;
        lp_status st = lp_union(in, b, &out, &d);
        return check(r, st, out, &d, "union");
    }
    if (eat(r, "join")) return step_join(r, in);
    errf(r, "unknown step");
    return NULL;
}

static lp_table *pipeline(run *r) {
    char src[64];
    if (!colname(r, src, sizeof src)) return NULL;
    lp_table *t = lookup(r, src);
    if (!t) return NULL;
    t = lp_table_ref(t);
    while (eat(r, "|")) {
        lp_table *next = step(r, t);
        lp_table_unref(t);
        if (!next) return NULL;
        t = next;
    }
    return t;
}

lp_table *qdsl_run(const char *program, lp_table *base, char **err) {
    run r;
    memset(&r, 0, sizeof r);
    r.p = r.src = program;
    lp_arena_init(&r.arena);
    snprintf(r.vars[0].name, sizeof r.vars[0].name, "r");
    r.vars[0].t = lp_table_ref(base);
    r.nvars = 1;
    lp_table *result = NULL;
    for (;;) {
        /* name '=' pipeline ';' or the final pipeline */
        const char *save = r.p;
        char name[64];
        if (colname(&r, name, sizeof name) && eat(&r, "=") && r.nvars < 16) {
            lp_table *t = pipeline(&r);
            if (!t) break;
            snprintf(r.vars[r.nvars].name, sizeof r.vars[r.nvars].name, "%s", name);
            r.vars[r.nvars++].t = t;
            if (!eat(&r, ";")) {
                errf(&r, "expected ';'");
                break;
            }
            continue;
        }
        free(r.err);
        r.err = NULL;
        r.p = save;
        result = pipeline(&r);
        ws(&r);
        if (result && *r.p) {
            errf(&r, "unexpected text after the pipeline");
            lp_table_unref(result);
            result = NULL;
        }
        break;
    }
    for (int i = 0; i < r.nvars; i++) lp_table_unref(r.vars[i].t);
    lp_arena_reset(&r.arena);
    if (!result) *err = r.err ? r.err : strdup("failed");
    else free(r.err);
    return result;
}
