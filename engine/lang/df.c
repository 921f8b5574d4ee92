/* df.c -- DataFrame and GroupedData methods: PySpark's names and call shapes over plan.h.
 *
 * Transformations build plan nodes (lazy, bound at once, so a wrong column name fails in the
 * statement that wrote it); actions run the plan through lp_sess_execute. Arguments arrive as
 * values (interp.h) and are turned into expressions here: a string is a column name where
 * PySpark takes "cols", a Column is used as it is, and a list stands for its elements
 * (df.select(["a", "b"]) == df.select("a", "b")).
 */
#include "lang/interp.h"
#include "lang/sql.h"
#include "render/render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define METHOD(fn) static lp_status fn(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out)

static lp_status nomem(loupe_session *s) { return lp_diag_nomem(s->d, "interpreter"); }

static lp_status ret_df(loupe_session *s, lp_status st, lp_plan *p, lp_val **out) {
    if (st != LP_OK) return st;
    *out = lp_val_df(p);
    return *out ? LP_OK : nomem(s);
}

static lp_status no_args(loupe_session *s, const lp_args *a) {
    if (!a->npos && !a->nkw) return LP_OK;
    return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() takes no arguments", a->fname);
}

/* ---- expressions from arguments ---- */

/* A list of expressions (with names) imported into one holder arena. */
typedef struct cols {
    lp_colv *h;
    lp_expr **e;
    const char **name;  /* alias or NULL */
    int *dir;           /* sort direction per column (0 none, 1 asc, 2 desc) */
    int *nulls;
    int n, cap;
} cols;

static void cols_free(cols *c) {
    lp_colv_free(c->h);
    lp_free(c->e);
    lp_free(c->name);
    lp_free(c->dir);
    lp_free(c->nulls);
    memset(c, 0, sizeof *c);
}

static bool cols_push(cols *c, lp_expr *e, const char *name, int dir, int nulls) {
    if (c->n == c->cap) {
        int nc = c->cap ? c->cap * 2 : 8;
        lp_expr **ne = lp_realloc(c->e, sizeof *ne * (size_t)nc);
        if (ne) c->e = ne;
        const char **nn = lp_realloc(c->name, sizeof *nn * (size_t)nc);
        if (nn) c->name = nn;
        int *nd = lp_realloc(c->dir, sizeof *nd * (size_t)nc);
        if (nd) c->dir = nd;
        int *nu = lp_realloc(c->nulls, sizeof *nu * (size_t)nc);
        if (nu) c->nulls = nu;
        if (!ne || !nn || !nd || !nu) return false;
        c->cap = nc;
    }
    c->e[c->n] = e;
    c->name[c->n] = name;
    c->dir[c->n] = dir;
    c->nulls[c->n++] = nulls;
    return true;
}

/* Adds the columns that values vals[0..n) stand for (lists flattened, "*" expanded over p). */
static lp_status cols_add(loupe_session *s, cols *c, lp_plan *p, lp_val **vals, lp_ast **asts, int n, bool str_is_name) {
    if (!c->h && !(c->h = lp_colv_new())) return nomem(s);
    lp_val **fv = NULL;
    lp_ast **fa = NULL;
    int fn = 0;
    lp_status st = lp_flatten(s, vals, asts, n, &fv, &fa, &fn);
    for (int i = 0; st == LP_OK && i < fn; i++) {
        if (p && fv[i]->kind == LV_STR && fv[i]->u.s.n > 2 && strcmp(fv[i]->u.s.p + fv[i]->u.s.n - 2, ".*") == 0) {
            /* "window.*": every field of a struct column, each named after its field */
            char nm[256];
            snprintf(nm, sizeof nm, "%.*s", (int)LP_MIN(fv[i]->u.s.n - 2, 250), fv[i]->u.s.p);
            int k = lp_plan_col_index(p, nm);
            const lp_struct_schema *sc = k >= 0 ? lp_struct_schema_of(p->types[k]) : NULL;
            if (sc) {
                int64_t cs = fa[i] ? fa[i]->start : -1, ce = fa[i] ? fa[i]->end : -1;
                for (int f = 0; f < sc->nfields && st == LP_OK; f++) {
                    lp_expr *args[2] = {lp_expr_col_index(&c->h->arena, k, p->names[k], cs, ce),
                                        lp_expr_str(&c->h->arena, sc->names[f], strlen(sc->names[f]))};
                    lp_expr *e = lp_expr_call(&c->h->arena, LP_FN_GET_FIELD, args, 2, cs, ce);
                    const char *fname = lp_arena_strndup(&c->h->arena, sc->names[f], strlen(sc->names[f]));
                    if (!e || !fname || !cols_push(c, e, fname, 0, -1)) st = nomem(s);
                }
                continue;
            }
        }
        lp_val *cv = NULL;
        if ((st = lp_to_col(s, fv[i], fa[i], str_is_name, &cv)) != LP_OK) break;
        lp_colv *col = cv->u.col;
        if (col->star) {
            for (int k = 0; p && k < p->ncols && st == LP_OK; k++) {
                lp_expr *e = lp_expr_col_index(&c->h->arena, k, p->names[k], fa[i] ? fa[i]->start : -1,
                                               fa[i] ? fa[i]->end : -1);
                if (!e || !cols_push(c, e, NULL, 0, -1)) st = nomem(s);
            }
        } else {
            lp_expr *e = lp_colv_import(c->h, col, fa[i] ? fa[i]->start : -1, fa[i] ? fa[i]->end : -1);
            const char *nm = col->alias ? lp_arena_strndup(&c->h->arena, col->alias, strlen(col->alias)) : NULL;
            if (!e || (col->alias && !nm) || !cols_push(c, e, nm, col->dir, col->nulls)) st = nomem(s);
        }
        lp_val_unref(cv);
    }
    return st;
}

/* ---- transformations ---- */

METHOD(m_select) {
    if (a->nkw) return lp_err(s, LP_ETYPE, a->kw_ast[0], "select() takes columns, not keyword arguments");
    cols c = {0};
    lp_status st = cols_add(s, &c, self->u.df, a->pos, a->pos_ast, a->npos, true);
    lp_plan *p = NULL;
    if (st == LP_OK) st = lp_plan_project(self->u.df, c.e, c.name, c.n, &p, s->d);
    cols_free(&c);
    return ret_df(s, st, p, out);
}

LP_WUR lp_status lp_df_sql_expr(loupe_session *s, const char *text, size_t n, const lp_ast *at, bool alias_ok,
                                lp_val **out) {
    lp_colv *c = lp_colv_new();
    if (!c) return nomem(s);
    const char *alias = NULL;
    /* spans come back as offsets into the text, then move into the cell */
    lp_status st = lp_sql_expr(&c->arena, text, n, 0, &c->e, alias_ok ? &alias : NULL, s->d);
    if (st != LP_OK) {
        lp_sql_respan_diag(s->d, at);
        lp_colv_free(c);
        return st;
    }
    lp_sql_respan_expr(c->e, at);
    c->alias = alias;
    *out = lp_val_colv(&c);
    return *out ? LP_OK : nomem(s);
}

void lp_sql_respan_diag(lp_diag *d, const lp_ast *at) {
    if (d->span_start < 0) return;
    lp_str_span(at, d->span_start, d->span_end, &d->span_start, &d->span_end);
}

void lp_sql_respan_expr(lp_expr *e, const lp_ast *at) {
    if (e->start >= 0) lp_str_span(at, e->start, e->end, &e->start, &e->end);
    bool win = e->kind == LP_EXPR_WINDOW;
    for (int i = 0; (e->kind == LP_EXPR_CALL || win) && i < e->nargs; i++) lp_sql_respan_expr(e->args[i], at);
    lp_winspec *w = win ? (lp_winspec *)e->win : NULL;
    if (!w) return;
    for (int i = 0; i < w->npart; i++) lp_sql_respan_expr(w->part[i], at);
    for (int i = 0; i < w->norder; i++) lp_sql_respan_expr(w->order[i], at);
    if (w->fstart >= 0) lp_str_span(at, w->fstart, w->fend, &w->fstart, &w->fend);
}

METHOD(m_selectexpr) {
    lp_val **fv = NULL;
    lp_ast **fa = NULL;
    int fn = 0;
    lp_status st = lp_flatten(s, a->pos, a->pos_ast, a->npos, &fv, &fa, &fn);
    cols c = {0};
    for (int i = 0; st == LP_OK && i < fn; i++) {
        if (fv[i]->kind != LV_STR) {
            st = lp_err(s, LP_ETYPE, fa[i], "selectExpr() takes SQL expression strings, got %s", lp_val_type_name(fv[i]));
            break;
        }
        lp_val *cv = NULL;
        if (strcmp(fv[i]->u.s.p, "*") == 0) st = lp_to_col(s, fv[i], fa[i], true, &cv);  /* selectExpr("*") */
        else st = lp_df_sql_expr(s, fv[i]->u.s.p, fv[i]->u.s.n, fa[i], true, &cv);
        if (st != LP_OK) break;
        st = cols_add(s, &c, self->u.df, &cv, &fa[i], 1, true);
        lp_val_unref(cv);
    }
    lp_plan *p = NULL;
    if (st == LP_OK) st = lp_plan_project(self->u.df, c.e, c.name, c.n, &p, s->d);
    cols_free(&c);
    return ret_df(s, st, p, out);
}

METHOD(m_filter) {
    lp_val *v;
    lp_ast *ast;
    lp_status st = lp_args_one(s, a, "condition", false, &v, &ast);
    if (st != LP_OK) return st;
    if (!v) return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() needs a condition", a->fname);
    lp_val *cv = NULL;
    if (v->kind == LV_STR) st = lp_df_sql_expr(s, v->u.s.p, v->u.s.n, ast, false, &cv);
    else if (v->kind == LV_COL) cv = lp_val_ref(v);
    else if (v->kind == LV_BOOL)
        return lp_err(s, LP_ETYPE, ast, "%s() got a Python bool, not a column condition", a->fname);
    else return lp_err(s, LP_ETYPE, ast, "%s() takes a Column or a SQL string, got %s", a->fname, lp_val_type_name(v));
    if (st != LP_OK) return st;
    cols c = {0};
    lp_plan *p = NULL;
    st = cols_add(s, &c, self->u.df, &cv, &ast, 1, true);
    if (st == LP_OK) st = lp_plan_filter(self->u.df, c.e[0], &p, s->d);
    cols_free(&c);
    lp_val_unref(cv);
    return ret_df(s, st, p, out);
}

/* All of p's columns by index, with column `replace` (or none: -1) swapped for e. */
lp_status lp_df_with_column(loupe_session *s, lp_plan *in, const char *name, lp_expr *e, lp_plan **out) {
    int idx = lp_plan_col_index(in, name);
    if (idx >= 0 && strcmp(in->names[idx], name) != 0) idx = -1;  /* case differs: a new column */
    int n = in->ncols + (idx < 0);
    lp_colv *h = lp_colv_new();
    lp_expr **es = lp_calloc((size_t)n + 1, sizeof *es);
    const char **ns = lp_calloc((size_t)n + 1, sizeof *ns);
    lp_status st = h && es && ns ? LP_OK : nomem(s);
    for (int i = 0; st == LP_OK && i < in->ncols; i++) {
        ns[i] = in->names[i];
        if (i == idx) es[i] = e;
        else if (!(es[i] = lp_expr_col_index(&h->arena, i, in->names[i], -1, -1))) st = nomem(s);
    }
    if (st == LP_OK && idx < 0) {
        es[in->ncols] = e;
        ns[in->ncols] = name;
    }
    if (st == LP_OK) st = lp_plan_project(in, es, ns, n, out, s->d);
    lp_colv_free(h);
    lp_free(es);
    lp_free(ns);
    return st;
}

METHOD(m_withcolumn) {
    static const char *const pn[] = {"colName", "col"};
    lp_val *v[2];
    lp_ast *ast[2];
    lp_status st = lp_args_bind(s, a, pn, 2, v, ast);
    if (st != LP_OK) return st;
    if (!v[0] || !v[1]) return lp_err_span(s, LP_ETYPE, a->start, a->end, "withColumn() takes a name and a Column");
    if (v[0]->kind != LV_STR) return lp_err(s, LP_ETYPE, ast[0], "withColumn()'s first argument is the new column's name");
    if (v[1]->kind != LV_COL) {
        lp_err(s, LP_ETYPE, ast[1], "withColumn()'s second argument must be a Column, got %s", lp_val_type_name(v[1]));
        lp_hint(s, "wrap a constant in F.lit(...) or a name in F.col(...)");
        return LP_ETYPE;
    }
    cols c = {0};
    lp_plan *p = NULL;
    st = cols_add(s, &c, self->u.df, &v[1], &ast[1], 1, false);
    if (st == LP_OK) st = lp_df_with_column(s, self->u.df, v[0]->u.s.p, c.e[0], &p);
    cols_free(&c);
    return ret_df(s, st, p, out);
}

METHOD(m_todf) {
    lp_plan *in = self->u.df;
    lp_val **fv = NULL;
    lp_ast **fa = NULL;
    int fn = 0;
    lp_status st = lp_flatten(s, a->pos, a->pos_ast, a->npos, &fv, &fa, &fn);
    if (st != LP_OK) return st;
    if (fn != in->ncols)
        return lp_err_span(s, LP_EVALUE, a->start, a->end, "toDF() needs one name per column: %d names for %d columns", fn,
                           in->ncols);
    const char **ns = lp_arena_alloc(s->arena, sizeof(char *) * (size_t)(fn + 1));
    if (!ns) return nomem(s);
    for (int i = 0; i < fn; i++) {
        if (fv[i]->kind != LV_STR) return lp_err(s, LP_ETYPE, fa[i], "toDF() takes column names");
        ns[i] = fv[i]->u.s.p;
    }
    lp_plan *p = NULL;
    st = lp_plan_rename(in, ns, &p, s->d);
    return ret_df(s, st, p, out);
}

static lp_status m_withcolumn(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out);
static lp_status m_renamed(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out);

/* withColumns({name: col}) and withColumnsRenamed({old: new}): the one-column method per entry. */
static lp_status per_entry(loupe_session *s, lp_val *self, const lp_args *a, lp_method_fn fn, const char *one,
                           lp_val **out) {
    if (a->npos != 1 || a->nkw || a->pos[0]->kind != LV_DICT)
        return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() takes one dict", a->fname);
    lp_val *d = a->pos[0], *cur = lp_val_ref(self);
    lp_status st = LP_OK;
    for (int i = 0; i < d->u.dict.n && st == LP_OK; i++) {
        lp_val *pv[2] = {d->u.dict.k[i], d->u.dict.v[i]};
        lp_ast *pa[2] = {a->pos_ast[0], a->pos_ast[0]};
        lp_args b = {.pos = pv, .pos_ast = pa, .npos = 2, .start = a->start, .end = a->end, .fname = one};
        lp_val *next = NULL;
        st = fn(s, cur, &b, &next);
        lp_val_unref(cur);
        cur = next;
    }
    if (st != LP_OK) {
        lp_val_unref(cur);
        return st;
    }
    *out = cur;
    return LP_OK;
}

METHOD(m_withcolumns) { return per_entry(s, self, a, m_withcolumn, "withColumn", out); }
METHOD(m_renamed_many) { return per_entry(s, self, a, m_renamed, "withColumnRenamed", out); }

METHOD(m_renamed) {
    static const char *const pn[] = {"existing", "new"};
    lp_val *v[2];
    lp_ast *ast[2];
    lp_status st = lp_args_bind(s, a, pn, 2, v, ast);
    if (st != LP_OK) return st;
    if (!v[0] || !v[1] || v[0]->kind != LV_STR || v[1]->kind != LV_STR)
        return lp_err_span(s, LP_ETYPE, a->start, a->end, "withColumnRenamed() takes the old and the new name as strings");
    lp_plan *in = self->u.df;
    int idx = lp_plan_col_index(in, v[0]->u.s.p);
    if (idx < 0) {
        /* Spark does nothing here; we do the same, but say so */
        lp_sess_warn(s, "withColumnRenamed: there is no column '%s', so nothing was renamed", v[0]->u.s.p);
        *out = lp_val_ref(self);
        return LP_OK;
    }
    const char **ns = lp_calloc((size_t)in->ncols + 1, sizeof *ns);
    if (!ns) return nomem(s);
    for (int i = 0; i < in->ncols; i++) ns[i] = i == idx ? v[1]->u.s.p : in->names[i];
    lp_plan *p = NULL;
    st = lp_plan_rename(in, ns, &p, s->d);
    lp_free(ns);
    return ret_df(s, st, p, out);
}

METHOD(m_drop) {
    lp_plan *in = self->u.df;
    bool *gone = lp_calloc((size_t)in->ncols + 1, sizeof *gone);
    if (!gone) return nomem(s);
    lp_status st = LP_OK;
    lp_val **fv = NULL;
    lp_ast **fa = NULL;
    int fn = 0;
    st = lp_flatten(s, a->pos, a->pos_ast, a->npos, &fv, &fa, &fn);
    for (int i = 0; st == LP_OK && i < fn; i++) {
        const char *name = NULL;
        if (fv[i]->kind == LV_STR) name = fv[i]->u.s.p;
        else if (fv[i]->kind == LV_COL && fv[i]->u.col->e->kind == LP_EXPR_COL) name = fv[i]->u.col->e->name;
        else {
            st = lp_err(s, LP_ETYPE, fa[i], "drop() takes column names or columns, got %s", lp_val_type_name(fv[i]));
            break;
        }
        int idx = lp_plan_col_index(in, name);
        if (idx < 0) lp_sess_warn(s, "drop: there is no column '%s' (Spark ignores it too)", name);
        else gone[idx] = true;
    }
    lp_colv *h = st == LP_OK ? lp_colv_new() : NULL;
    lp_expr **es = lp_calloc((size_t)in->ncols + 1, sizeof *es);
    if (st == LP_OK && (!h || !es)) st = nomem(s);
    int k = 0;
    for (int i = 0; st == LP_OK && i < in->ncols; i++)
        if (!gone[i] && !(es[k++] = lp_expr_col_index(&h->arena, i, in->names[i], -1, -1))) st = nomem(s);
    lp_plan *p = NULL;
    if (st == LP_OK) st = lp_plan_project(in, es, NULL, k, &p, s->d);
    lp_colv_free(h);
    lp_free(es);
    lp_free(gone);
    return ret_df(s, st, p, out);
}

METHOD(m_groupby) {
    if (a->nkw) return lp_err(s, LP_ETYPE, a->kw_ast[0], "groupBy() takes columns, not keyword arguments");
    lp_val **fv = NULL;
    lp_ast **fa = NULL;
    int fn = 0;
    lp_status st = lp_flatten(s, a->pos, a->pos_ast, a->npos, &fv, &fa, &fn);
    if (st != LP_OK) return st;
    lp_val *keys = lp_val_list(LV_LIST, fn);
    if (!keys) return nomem(s);
    for (int i = 0; i < fn && st == LP_OK; i++) {
        st = lp_to_col(s, fv[i], fa[i], true, &keys->u.list.v[i]);
        if (st == LP_OK) {
            /* check the key now, so a misspelt key fails here and not at agg() */
            cols c = {0};
            lp_plan *probe = NULL;
            st = cols_add(s, &c, self->u.df, &keys->u.list.v[i], &fa[i], 1, true);
            if (st == LP_OK) st = lp_plan_project(self->u.df, c.e, c.name, c.n, &probe, s->d);
            lp_plan_unref(probe);
            cols_free(&c);
        }
        if (st != LP_OK) keys->u.list.n = i + (keys->u.list.v[i] != NULL);
    }
    if (st != LP_OK) {
        lp_val_unref(keys);
        return st;
    }
    lp_val *g = lp_val_new(LV_GROUPED);
    if (!g) {
        lp_val_unref(keys);
        return nomem(s);
    }
    g->u.grouped.df = lp_plan_ref(self->u.df);
    g->u.grouped.keys = keys;
    *out = g;
    return LP_OK;
}

/* Aggregate expressions from agg()'s arguments: Columns, or a dict {"col": "fn"}. */
static lp_status agg_exprs(loupe_session *s, const lp_args *a, cols *c, lp_plan *p) {
    if (a->nkw) return lp_err(s, LP_ETYPE, a->kw_ast[0], "agg() takes aggregate columns, not keyword arguments");
    if (a->npos == 1 && a->pos[0]->kind == LV_DICT) {
        lp_val *d = a->pos[0];
        for (int i = 0; i < d->u.dict.n; i++) {
            lp_val *k = d->u.dict.k[i], *f = d->u.dict.v[i];
            if (k->kind != LV_STR || f->kind != LV_STR)
                return lp_err(s, LP_ETYPE, a->pos_ast[0], "agg({...}) maps column names to function names, both strings");
            const char *fname = strcmp(f->u.s.p, "mean") == 0 ? "avg" : f->u.s.p;
            lp_args fa = {.npos = 1, .start = a->start, .end = a->end, .fname = fname};
            lp_val *pv[1] = {k};
            lp_ast *pa[1] = {a->pos_ast[0]};
            fa.pos = pv;
            fa.pos_ast = pa;
            lp_val *col = NULL;
            lp_status st = lp_fcall(s, fname, &fa, &col);
            if (st == LP_OK) st = cols_add(s, c, p, &col, pa, 1, true);
            lp_val_unref(col);
            if (st != LP_OK) return st;
        }
        return LP_OK;
    }
    for (int i = 0; i < a->npos; i++)
        if (a->pos[i]->kind != LV_COL && a->pos[i]->kind != LV_LIST) {
            lp_err(s, LP_ETYPE, a->pos_ast[i], "agg() takes aggregate columns such as F.count('*'), got %s",
                   lp_val_type_name(a->pos[i]));
            if (a->pos[i]->kind == LV_STR) lp_hint(s, "write F.%s(...) or use a dict: agg({'col': 'max'})", a->pos[i]->u.s.p);
            return LP_ETYPE;
        }
    return cols_add(s, c, p, a->pos, a->pos_ast, a->npos, true);
}

/* keys (a LIST of Columns) and aggregate columns -> the aggregation plan. */
static lp_status grouped_agg(loupe_session *s, lp_plan *in, lp_val *keys, cols *aggs, lp_val **out) {
    cols k = {0};
    lp_status st = LP_OK;
    if (keys && keys->u.list.n) st = cols_add(s, &k, in, keys->u.list.v, NULL, keys->u.list.n, true);
    for (int i = 0; st == LP_OK && i < aggs->n; i++)
        if (!lp_expr_has_agg(aggs->e[i])) {
            char *t = lp_expr_print(s->arena, aggs->e[i]);
            st = lp_err_span(s, LP_ETYPE, aggs->e[i]->start, aggs->e[i]->end, "'%s' is not an aggregate", t ? t : "this");
            lp_hint(s, "agg() takes aggregates such as F.count('*'), F.avg('x'), F.max('x')");
        }
    lp_plan *p = NULL;
    if (st == LP_OK) st = lp_plan_aggregate(in, k.e, k.name, k.n, aggs->e, aggs->name, aggs->n, &p, s->d);
    cols_free(&k);
    return ret_df(s, st, p, out);
}

METHOD(m_df_agg) {
    cols c = {0};
    lp_status st = agg_exprs(s, a, &c, self->u.df);
    if (st == LP_OK) st = grouped_agg(s, self->u.df, NULL, &c, out);
    cols_free(&c);
    return st;
}

METHOD(m_g_agg) {
    cols c = {0};
    lp_status st = agg_exprs(s, a, &c, self->u.grouped.df);
    if (st == LP_OK) {
        if (c.n == 0) st = lp_err_span(s, LP_ETYPE, a->start, a->end, "agg() needs at least one aggregate");
        else st = grouped_agg(s, self->u.grouped.df, self->u.grouped.keys, &c, out);
    }
    cols_free(&c);
    return st;
}

METHOD(m_g_count) {
    lp_status st = no_args(s, a);
    if (st != LP_OK) return st;
    lp_val *col = NULL, *star = lp_val_str("*", 1);
    lp_args fa = {.npos = 1, .start = a->start, .end = a->end, .fname = "count"};
    lp_val *pv[1] = {star};
    lp_ast *pa[1] = {NULL};
    fa.pos = pv;
    fa.pos_ast = pa;
    if (!star) return nomem(s);
    st = lp_fcall(s, "count", &fa, &col);
    lp_val_unref(star);
    if (st != LP_OK) return st;
    cols c = {0};
    st = cols_add(s, &c, self->u.grouped.df, &col, pa, 1, true);
    lp_val_unref(col);
    if (st == LP_OK) c.name[0] = "count";
    if (st == LP_OK) st = grouped_agg(s, self->u.grouped.df, self->u.grouped.keys, &c, out);
    cols_free(&c);
    return st;
}

/* mean/avg/sum/min/max over the named columns, or every numeric column that is not a key. */
static lp_status g_simple(loupe_session *s, lp_val *self, const lp_args *a, const char *fname, lp_val **out) {
    lp_plan *in = self->u.grouped.df;
    lp_status st = LP_OK;
    cols c = {0};
    lp_val **names = a->pos;
    int n = a->npos;
    lp_val **tmp = NULL;
    if (a->nkw) return lp_err(s, LP_ETYPE, a->kw_ast[0], "%s() takes column names", a->fname);
    if (n == 0) {
        tmp = lp_arena_zalloc(s->arena, sizeof(lp_val *) * (size_t)(in->ncols + 1));
        if (!tmp) return nomem(s);
        for (int i = 0; i < in->ncols; i++) {
            if (!lp_type_numeric(in->types[i])) continue;
            bool key = false;
            lp_val *keys = self->u.grouped.keys;
            for (int k = 0; k < keys->u.list.n; k++) {
                const lp_expr *ke = keys->u.list.v[k]->u.col->e;
                key |= ke->kind == LP_EXPR_COL && strcmp(ke->name, in->names[i]) == 0;
            }
            if (!key && !(tmp[n++] = lp_val_str(in->names[i], strlen(in->names[i])))) st = nomem(s);
        }
        names = tmp;
    }
    for (int i = 0; st == LP_OK && i < n; i++) {
        if (names[i]->kind != LV_STR) {
            st = lp_err(s, LP_ETYPE, a->pos_ast[i], "%s() takes column names as strings", a->fname);
            break;
        }
        int idx = lp_plan_col_index(in, names[i]->u.s.p);
        if (idx >= 0 && !lp_type_numeric(in->types[idx]) && strcmp(fname, "min") != 0 && strcmp(fname, "max") != 0) {
            st = lp_err(s, LP_ETYPE, a->npos ? a->pos_ast[i] : NULL, "%s() needs numeric columns; '%s' is %s", a->fname,
                        names[i]->u.s.p, lp_type_name(in->types[idx]));
            break;
        }
        lp_args fa = {.npos = 1, .start = a->start, .end = a->end, .fname = fname};
        lp_ast *pa[1] = {a->npos ? a->pos_ast[i] : NULL};
        fa.pos = &names[i];
        fa.pos_ast = pa;
        lp_val *col = NULL;
        st = lp_fcall(s, fname, &fa, &col);
        if (st == LP_OK) st = cols_add(s, &c, in, &col, pa, 1, true);
        lp_val_unref(col);
    }
    if (tmp)
        for (int i = 0; i < n; i++) lp_val_unref(tmp[i]);
    if (st == LP_OK) st = grouped_agg(s, in, self->u.grouped.keys, &c, out);
    cols_free(&c);
    return st;
}
METHOD(m_g_mean) { return g_simple(s, self, a, "avg", out); }
METHOD(m_g_sum) { return g_simple(s, self, a, "sum", out); }
METHOD(m_g_min) { return g_simple(s, self, a, "min", out); }
METHOD(m_g_max) { return g_simple(s, self, a, "max", out); }

METHOD(m_orderby) {
    lp_val *asc = NULL;
    lp_ast *asc_ast = NULL;
    for (int k = 0; k < a->nkw; k++) {
        if (strcmp(a->kwname[k], "ascending") != 0)
            return lp_err(s, LP_ETYPE, a->kw_ast[k], "%s() got an unexpected keyword argument '%s'", a->fname, a->kwname[k]);
        asc = a->kw[k];
        asc_ast = a->kw_ast[k];
    }
    cols c = {0};
    lp_status st = cols_add(s, &c, self->u.df, a->pos, a->pos_ast, a->npos, true);
    if (st == LP_OK && c.n == 0) st = lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() needs at least one column", a->fname);
    bool *desc = st == LP_OK ? lp_calloc((size_t)c.n, sizeof *desc) : NULL;
    if (st == LP_OK && !desc) st = nomem(s);
    for (int i = 0; st == LP_OK && i < c.n; i++) {
        bool up = true;
        if (asc && (asc->kind == LV_LIST || asc->kind == LV_TUPLE)) {
            if (asc->u.list.n != c.n) {
                st = lp_err(s, LP_EVALUE, asc_ast, "ascending has %d values for %d sort columns", asc->u.list.n, c.n);
                break;
            }
            st = lp_want_bool(s, asc->u.list.v[i], asc_ast, "ascending", &up);
        } else if (asc) {
            st = lp_want_bool(s, asc, asc_ast, "ascending", &up);
        }
        desc[i] = c.dir[i] ? c.dir[i] == 2 : !up;
    }
    lp_plan *p = NULL;
    if (st == LP_OK) st = lp_plan_sort(self->u.df, c.e, desc, c.nulls, c.n, &p, s->d);
    lp_free(desc);
    cols_free(&c);
    return ret_df(s, st, p, out);
}

METHOD(m_limit) {
    lp_val *v;
    lp_ast *ast;
    int64_t n;
    lp_status st = lp_args_one(s, a, "num", false, &v, &ast);
    if (st == LP_OK && !v) st = lp_err_span(s, LP_ETYPE, a->start, a->end, "limit() needs the number of rows");
    if (st == LP_OK) st = lp_want_int(s, v, ast, "limit's num", &n);
    if (st == LP_OK && n < 0) st = lp_err(s, LP_EVALUE, ast, "limit must be 0 or more, got %lld", (long long)n);
    lp_plan *p = NULL;
    if (st == LP_OK) st = lp_plan_limit(self->u.df, n, &p, s->d);
    return ret_df(s, st, p, out);
}

METHOD(m_distinct) {
    lp_status st = no_args(s, a);
    lp_plan *p = NULL;
    if (st == LP_OK) st = lp_plan_distinct(self->u.df, NULL, 0, NULL, NULL, &p, s->d);
    return ret_df(s, st, p, out);
}

METHOD(m_dropdup) {
    lp_val *v;
    lp_ast *ast;
    lp_status st = lp_args_one(s, a, "subset", false, &v, &ast);
    if (st != LP_OK) return st;
    const char *names[256];
    int64_t starts[256], ends[256];
    int n = 0;
    if (v && v->kind != LV_NONE) {
        if (v->kind == LV_STR) return lp_err(s, LP_ETYPE, ast, "dropDuplicates() takes a list of names: ['%s']", v->u.s.p);
        if (v->kind != LV_LIST && v->kind != LV_TUPLE) return lp_err(s, LP_ETYPE, ast, "subset must be a list of column names");
        for (int i = 0; i < v->u.list.n && n < 256; i++) {
            if (v->u.list.v[i]->kind != LV_STR) return lp_err(s, LP_ETYPE, ast, "subset must hold column names");
            const lp_ast *ia = ast && ast->kind == LP_AST_LIST && i < ast->nitems ? ast->items[i] : ast;
            int64_t b = lp_str_offset(ia, 0);
            names[n] = v->u.list.v[i]->u.s.p;
            starts[n] = b >= 0 ? b : ia ? ia->start : -1;
            ends[n++] = b >= 0 ? b + (int64_t)v->u.list.v[i]->u.s.n : ia ? ia->end : -1;
        }
    }
    lp_plan *p = NULL;
    st = lp_plan_distinct(self->u.df, names, n, starts, ends, &p, s->d);
    return ret_df(s, st, p, out);
}

static bool how_parse(const char *h, lp_join_how *how) {
    static const struct { const char *n; lp_join_how h; } t[] = {
        {"inner", LP_JOIN_INNER}, {"cross", LP_JOIN_CROSS}, {"outer", LP_JOIN_FULL}, {"full", LP_JOIN_FULL},
        {"fullouter", LP_JOIN_FULL}, {"full_outer", LP_JOIN_FULL}, {"left", LP_JOIN_LEFT}, {"leftouter", LP_JOIN_LEFT},
        {"left_outer", LP_JOIN_LEFT}, {"right", LP_JOIN_RIGHT}, {"rightouter", LP_JOIN_RIGHT},
        {"right_outer", LP_JOIN_RIGHT}, {"semi", LP_JOIN_SEMI}, {"leftsemi", LP_JOIN_SEMI}, {"left_semi", LP_JOIN_SEMI},
        {"anti", LP_JOIN_ANTI}, {"leftanti", LP_JOIN_ANTI}, {"left_anti", LP_JOIN_ANTI},
    };
    for (size_t i = 0; i < LP_ARRAY_LEN(t); i++)
        if (strcasecmp(t[i].n, h) == 0) {
            *how = t[i].h;
            return true;
        }
    return false;
}

/* Pins the column references of a join condition to left ++ right by where each came from. */
static void pin_join_cols(lp_colv *h, lp_expr *e, lp_plan *left, lp_plan *right) {
    if (e->kind == LP_EXPR_COL && !e->by_index) {
        lp_plan *o = lp_colv_origin(h, e);
        int i;
        if (o == left && o != right && (i = lp_plan_col_index(left, e->name)) >= 0) {
            e->col = i;
            e->by_index = true;
        } else if (o == right && o != left && (i = lp_plan_col_index(right, e->name)) >= 0) {
            e->col = left->ncols + i;
            e->by_index = true;
        }
    }
    for (int i = 0; e->kind == LP_EXPR_CALL && i < e->nargs; i++) pin_join_cols(h, e->args[i], left, right);
}

METHOD(m_join) {
    static const char *const pn[] = {"other", "on", "how"};
    lp_val *v[3];
    lp_ast *ast[3];
    lp_status st = lp_args_bind(s, a, pn, 3, v, ast);
    if (st != LP_OK) return st;
    if (!v[0] || v[0]->kind != LV_DF) return lp_err_span(s, LP_ETYPE, a->start, a->end, "join() needs another DataFrame");
    lp_join_how how = LP_JOIN_INNER;
    if (v[2] && v[2]->kind != LV_NONE) {
        if (v[2]->kind != LV_STR || !how_parse(v[2]->u.s.p, &how)) {
            lp_err(s, LP_EVALUE, ast[2], "unknown join type %s", v[2]->kind == LV_STR ? v[2]->u.s.p : "");
            lp_hint(s, "how is one of: inner, left, right, full (outer), left_semi, left_anti, cross");
            return LP_EVALUE;
        }
    }
    lp_plan *left = self->u.df, *right = v[0]->u.df, *p = NULL;
    lp_val *on = v[1];
    if (!on || on->kind == LV_NONE) {
        st = lp_plan_join_on(left, right, NULL, how == LP_JOIN_INNER ? LP_JOIN_CROSS : how, &p, s->d);
    } else if (on->kind == LV_STR || ((on->kind == LV_LIST || on->kind == LV_TUPLE) && on->u.list.n &&
                                      on->u.list.v[0]->kind == LV_STR)) {
        const char *names[64];
        int n = 0;
        if (on->kind == LV_STR) names[n++] = on->u.s.p;
        else
            for (int i = 0; i < on->u.list.n && n < 64; i++) {
                if (on->u.list.v[i]->kind != LV_STR) return lp_err(s, LP_ETYPE, ast[1], "on: a list of column names");
                names[n++] = on->u.list.v[i]->u.s.p;
            }
        st = lp_plan_join_using(left, right, names, n, how, &p, s->d);
        if (st != LP_OK && s->d->span_start < 0) lp_diag_span(s->d, ast[1]->start, ast[1]->end);
    } else if (on->kind == LV_COL || on->kind == LV_LIST) {
        /* a condition, or a list of conditions joined by and */
        lp_colv *h = lp_colv_new();
        if (!h) return nomem(s);
        lp_expr *cond = NULL;
        int n = on->kind == LV_COL ? 1 : on->u.list.n;
        for (int i = 0; i < n && st == LP_OK; i++) {
            lp_val *c = on->kind == LV_COL ? on : on->u.list.v[i];
            if (c->kind != LV_COL) {
                st = lp_err(s, LP_ETYPE, ast[1], "on: a name, a list of names or Column conditions");
                break;
            }
            lp_expr *e = lp_colv_import(h, c->u.col, ast[1]->start, ast[1]->end);
            if (!e) { st = nomem(s); break; }
            if (!cond) cond = e;
            else {
                lp_expr *two[2] = {cond, e};
                if (!(cond = lp_expr_call(&h->arena, LP_FN_AND, two, 2, ast[1]->start, ast[1]->end))) st = nomem(s);
            }
        }
        if (st == LP_OK) {
            pin_join_cols(h, cond, left, right);
            st = lp_plan_join_on(left, right, cond, how, &p, s->d);
        }
        lp_colv_free(h);
    } else {
        st = lp_err(s, LP_ETYPE, ast[1], "on must be a column name, a list of names or a Column condition, got %s",
                    lp_val_type_name(on));
    }
    return ret_df(s, st, p, out);
}

METHOD(m_crossjoin) {
    lp_val *v;
    lp_ast *ast;
    lp_status st = lp_args_one(s, a, "other", false, &v, &ast);
    if (st != LP_OK) return st;
    if (!v || v->kind != LV_DF) return lp_err_span(s, LP_ETYPE, a->start, a->end, "crossJoin() needs another DataFrame");
    lp_plan *p = NULL;
    st = lp_plan_join_on(self->u.df, v->u.df, NULL, LP_JOIN_CROSS, &p, s->d);
    return ret_df(s, st, p, out);
}

static lp_status union_impl(loupe_session *s, lp_val *self, const lp_args *a, bool by_name, lp_val **out) {
    static const char *const pn[] = {"other", "allowMissingColumns"};
    lp_val *v[2];
    lp_ast *ast[2];
    lp_status st = lp_args_bind(s, a, pn, by_name ? 2 : 1, v, ast);
    if (st != LP_OK) return st;
    if (!v[0] || v[0]->kind != LV_DF) return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() needs another DataFrame", a->fname);
    lp_plan *p = NULL;
    st = lp_plan_union(self->u.df, v[0]->u.df, by_name, &p, s->d);
    if (st != LP_OK && s->d->span_start < 0) lp_diag_span(s->d, a->start, a->end);
    return ret_df(s, st, p, out);
}
METHOD(m_union) { return union_impl(s, self, a, false, out); }
METHOD(m_unionbyname) { return union_impl(s, self, a, true, out); }

/* The names in `subset` (NULL: all columns), as indexes. */
static lp_status subset_cols(loupe_session *s, lp_plan *in, lp_val *subset, lp_ast *ast, int *idx, int *n) {
    *n = 0;
    if (!subset || subset->kind == LV_NONE) {
        for (int i = 0; i < in->ncols; i++) idx[(*n)++] = i;
        return LP_OK;
    }
    lp_val *one[1] = {subset};
    lp_val **list = subset->kind == LV_STR ? one : subset->u.list.v;
    int m = subset->kind == LV_STR ? 1 : (subset->kind == LV_LIST || subset->kind == LV_TUPLE) ? subset->u.list.n : -1;
    if (m < 0) return lp_err(s, LP_ETYPE, ast, "subset must be a column name or a list of names");
    for (int i = 0; i < m; i++) {
        if (list[i]->kind != LV_STR) return lp_err(s, LP_ETYPE, ast, "subset must hold column names");
        int k = lp_plan_col_index(in, list[i]->u.s.p);
        if (k < 0) return lp_err(s, LP_ENAME, ast, "column '%s' does not exist", list[i]->u.s.p);
        idx[(*n)++] = k;
    }
    return LP_OK;
}

METHOD(m_dropna) {
    static const char *const pn[] = {"how", "thresh", "subset"};
    lp_val *v[3];
    lp_ast *ast[3];
    lp_status st = lp_args_bind(s, a, pn, 3, v, ast);
    if (st != LP_OK) return st;
    lp_plan *in = self->u.df;
    bool all = false;
    if (v[0] && v[0]->kind == LV_STR) {
        if (strcmp(v[0]->u.s.p, "all") == 0) all = true;
        else if (strcmp(v[0]->u.s.p, "any") != 0) return lp_err(s, LP_EVALUE, ast[0], "how must be 'any' or 'all'");
    }
    int64_t thresh = -1;
    if (v[1] && v[1]->kind != LV_NONE && (st = lp_want_int(s, v[1], ast[1], "thresh", &thresh)) != LP_OK) return st;
    int *idx = lp_arena_alloc(s->arena, sizeof(int) * (size_t)(in->ncols + 1));
    int n;
    if (!idx) return nomem(s);
    if ((st = subset_cols(s, in, v[2], ast[2], idx, &n)) != LP_OK) return st;
    lp_colv *h = lp_colv_new();
    if (!h) return nomem(s);
    /* "present" = not null (and not NaN for doubles, as Spark's na functions count NaN as missing) */
    lp_expr *pred = NULL, *count = NULL;
    for (int i = 0; i < n && st == LP_OK; i++) {
        lp_expr *c = lp_expr_col_index(&h->arena, idx[i], in->names[idx[i]], -1, -1);
        lp_expr *p = lp_expr_call(&h->arena, LP_FN_IS_NOT_NULL, &c, 1, -1, -1);
        if (in->types[idx[i]].kind == LP_FLOAT64) {
            lp_expr *c2 = lp_expr_col_index(&h->arena, idx[i], in->names[idx[i]], -1, -1);
            lp_expr *nan = lp_expr_call(&h->arena, LP_FN_ISNAN, &c2, 1, -1, -1);
            lp_expr *notnan = lp_expr_call(&h->arena, LP_FN_NOT, &nan, 1, -1, -1);
            lp_expr *two[2] = {p, notnan};
            p = lp_expr_call(&h->arena, LP_FN_AND, two, 2, -1, -1);
        }
        if (thresh >= 0) {
            lp_expr *args[3] = {p, lp_expr_int(&h->arena, 1), lp_expr_int(&h->arena, 0)};
            lp_expr *one = lp_expr_call(&h->arena, LP_FN_IF, args, 3, -1, -1);
            lp_expr *two[2] = {count, one};
            count = count ? lp_expr_call(&h->arena, LP_FN_ADD, two, 2, -1, -1) : one;
        } else {
            lp_expr *two[2] = {pred, p};
            pred = pred ? lp_expr_call(&h->arena, all ? LP_FN_OR : LP_FN_AND, two, 2, -1, -1) : p;
        }
        if (!p || (thresh >= 0 ? !count : !pred)) st = nomem(s);
    }
    if (st == LP_OK && thresh >= 0) {
        lp_expr *two[2] = {count ? count : lp_expr_int(&h->arena, 0), lp_expr_int(&h->arena, thresh)};
        if (!(pred = lp_expr_call(&h->arena, LP_FN_GE, two, 2, -1, -1))) st = nomem(s);
    }
    lp_plan *p = NULL;
    if (st == LP_OK && pred) st = lp_plan_filter(in, pred, &p, s->d);
    else if (st == LP_OK) p = lp_plan_ref(in);
    lp_colv_free(h);
    return ret_df(s, st, p, out);
}

METHOD(m_fillna) {
    static const char *const pn[] = {"value", "subset"};
    lp_val *v[2];
    lp_ast *ast[2];
    lp_status st = lp_args_bind(s, a, pn, 2, v, ast);
    if (st != LP_OK) return st;
    if (!v[0]) return lp_err_span(s, LP_ETYPE, a->start, a->end, "fillna() needs a value");
    lp_plan *in = self->u.df;
    lp_colv *h = lp_colv_new();
    lp_expr **es = lp_calloc((size_t)in->ncols + 1, sizeof *es);
    lp_val **fill = lp_calloc((size_t)in->ncols + 1, sizeof *fill);  /* borrowed */
    if (!h || !es || !fill) st = nomem(s);
    if (st == LP_OK && v[0]->kind == LV_DICT) {
        for (int i = 0; i < v[0]->u.dict.n && st == LP_OK; i++) {
            lp_val *k = v[0]->u.dict.k[i];
            int idx = k->kind == LV_STR ? lp_plan_col_index(in, k->u.s.p) : -1;
            if (idx < 0) st = lp_err(s, LP_ENAME, ast[0], "fillna: no column '%s'", k->kind == LV_STR ? k->u.s.p : "?");
            else fill[idx] = v[0]->u.dict.v[i];
        }
    } else if (st == LP_OK) {
        int *idx = lp_arena_alloc(s->arena, sizeof(int) * (size_t)(in->ncols + 1));
        int n = 0;
        if (!idx) st = nomem(s);
        if (st == LP_OK) st = subset_cols(s, in, v[1], ast[1], idx, &n);
        for (int i = 0; st == LP_OK && i < n; i++) fill[idx[i]] = v[0];
    }
    for (int i = 0; st == LP_OK && i < in->ncols; i++) {
        lp_expr *c = lp_expr_col_index(&h->arena, i, in->names[i], -1, -1);
        es[i] = c;
        lp_val *f = fill[i];
        if (!c) { st = nomem(s); break; }
        if (!f) continue;
        /* Spark fills only columns whose type the value fits: numbers fill numeric columns,
         * strings fill string columns, booleans boolean ones */
        lp_kind k = (lp_kind)in->types[i].kind;
        bool fits = ((f->kind == LV_INT || f->kind == LV_FLOAT) && (k == LP_INT64 || k == LP_FLOAT64)) ||
                    (f->kind == LV_STR && k == LP_STRING) || (f->kind == LV_BOOL && k == LP_BOOL);
        if (!fits) continue;
        lp_value x = lp_value_null();
        x.null = false;
        if (f->kind == LV_STR) {
            x.type = lp_type_of(LP_STRING);
            x.u.s.p = f->u.s.p;
            x.u.s.n = (int64_t)f->u.s.n;
        } else if (f->kind == LV_BOOL) {
            x.type = lp_type_of(LP_BOOL);
            x.u.b = f->u.b;
        } else if (k == LP_INT64) {
            x.type = lp_type_of(LP_INT64);
            x.u.i = f->kind == LV_INT ? f->u.i : (int64_t)f->u.f;  /* Spark casts the value to the column's type */
        } else {
            x.type = lp_type_of(LP_FLOAT64);
            x.u.f = f->kind == LV_INT ? (double)f->u.i : f->u.f;
        }
        lp_expr *two[2] = {c, lp_expr_lit(&h->arena, &x, -1, -1)};
        if (!(es[i] = lp_expr_call(&h->arena, LP_FN_COALESCE, two, 2, -1, -1))) st = nomem(s);
    }
    lp_plan *p = NULL;
    if (st == LP_OK) st = lp_plan_project(in, es, (const char *const *)in->names, in->ncols, &p, s->d);
    lp_colv_free(h);
    lp_free(es);
    lp_free(fill);
    return ret_df(s, st, p, out);
}

METHOD(m_sample) {
    static const char *const pn[] = {"withReplacement", "fraction", "seed"};
    lp_val *v[3];
    lp_ast *ast[3];
    lp_status st = lp_args_bind(s, a, pn, 3, v, ast);
    if (st != LP_OK) return st;
    /* PySpark also takes sample(fraction[, seed]) */
    if (v[0] && (v[0]->kind == LV_FLOAT || v[0]->kind == LV_INT) && v[0]->kind != LV_BOOL) {
        if (v[1] && !v[2]) {
            v[2] = v[1];
            ast[2] = ast[1];
        }
        v[1] = v[0];
        ast[1] = ast[0];
        v[0] = NULL;
    }
    if (v[0] && v[0]->kind == LV_BOOL && v[0]->u.b)
        return lp_err(s, LP_EUNSUPPORTED, ast[0], "sampling with replacement is not supported");
    double f;
    if (!v[1]) return lp_err_span(s, LP_ETYPE, a->start, a->end, "sample() needs a fraction between 0 and 1");
    if ((st = lp_want_float(s, v[1], ast[1], "fraction", &f)) != LP_OK) return st;
    int64_t seed = 0;
    if (v[2] && v[2]->kind != LV_NONE && (st = lp_want_int(s, v[2], ast[2], "seed", &seed)) != LP_OK) return st;
    lp_plan *p = NULL;
    st = lp_plan_sample(self->u.df, f, (uint64_t)seed, &p, s->d);
    if (st != LP_OK && s->d->span_start < 0) lp_diag_span(s->d, ast[1]->start, ast[1]->end);
    return ret_df(s, st, p, out);
}

METHOD(m_cache) {
    lp_status st = no_args(s, a);
    if (st != LP_OK) return st;
    self->u.df->cache = true;
    *out = lp_val_ref(self);
    return LP_OK;
}

METHOD(m_unpersist) {
    (void)s;
    (void)a;
    self->u.df->cache = false;
    if (self->u.df->kind != LP_PLAN_TABLE) {
        lp_table_unref(self->u.df->cached);
        self->u.df->cached = NULL;
    }
    *out = lp_val_ref(self);
    return LP_OK;
}

METHOD(m_tempview) {
    lp_val *v;
    lp_ast *ast;
    lp_status st = lp_args_one(s, a, "name", false, &v, &ast);
    if (st != LP_OK) return st;
    if (!v || v->kind != LV_STR) return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() takes the view's name", a->fname);
    if ((st = lp_sess_set_view(s, v->u.s.p, self->u.df)) != LP_OK) return st;
    *out = lp_val_none();
    return *out ? LP_OK : nomem(s);
}

METHOD(p_na) {
    (void)a;
    lp_val *v = lp_val_new(LV_NA);
    if (!v) return nomem(s);
    v->u.df = lp_plan_ref(self->u.df);
    *out = v;
    return LP_OK;
}

/* df.na.drop(...) / df.na.fill(...): the same as dropna / fillna on the frame. */
static lp_status na_call(loupe_session *s, lp_val *self, const lp_args *a, lp_method_fn fn, lp_val **out) {
    lp_val *df = lp_val_new(LV_DF);
    if (!df) return nomem(s);
    df->u.df = lp_plan_ref(self->u.df);
    lp_status st = fn(s, df, a, out);
    lp_val_unref(df);
    return st;
}
static lp_status m_dropna(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out);
static lp_status m_fillna(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out);
METHOD(m_na_drop) { return na_call(s, self, a, m_dropna, out); }
METHOD(m_na_fill) { return na_call(s, self, a, m_fillna, out); }

METHOD(m_self) {
    (void)s;
    (void)a;
    *out = lp_val_ref(self);  /* toPandas(), alias(), hint(), repartition(): one machine needs nothing */
    return LP_OK;
}

/* ---- actions ---- */

METHOD(m_count) {
    lp_status st = no_args(s, a);
    if (st != LP_OK) return st;
    int64_t n = lp_plan_known_rows(self->u.df);
    if (n < 0) {
        lp_table *t = NULL;
        if ((st = lp_sess_execute(s, self->u.df, -1, &t)) != LP_OK) return st;
        n = t->nrows;
        lp_table_unref(t);
    }
    *out = lp_val_int(n);
    return *out ? LP_OK : nomem(s);
}

/* Rows [0, n) of t as a list of Row values. */
static lp_status rows_of(loupe_session *s, lp_table *t, int64_t n, lp_val **out) {
    if (n > t->nrows) n = t->nrows;
    if (n > 1000000) return lp_err_span(s, LP_ELIMIT, -1, -1, "collect() of %lld rows is too many to hold as Python values", (long long)n);
    lp_val *names = lp_val_list(LV_TUPLE, t->ncols);
    lp_val *list = lp_val_list(LV_LIST, (int)n);
    if (!names || !list) {
        lp_val_unref(names);
        lp_val_unref(list);
        return nomem(s);
    }
    lp_status st = LP_OK;
    for (int c = 0; c < t->ncols && st == LP_OK; c++)
        if (!(names->u.list.v[c] = lp_val_str(t->names[c], strlen(t->names[c])))) st = nomem(s);
    int64_t r = 0;
    for (int pi = 0; pi < t->nparts && r < n && st == LP_OK; pi++) {
        const lp_part *p = &t->parts[pi];
        for (int64_t i = 0; i < p->nrows && r < n && st == LP_OK; i++, r++) {
            lp_val *row = lp_val_new(LV_ROW), *vals = lp_val_list(LV_TUPLE, t->ncols);
            if (!row || !vals) {
                lp_val_unref(row);
                lp_val_unref(vals);
                st = nomem(s);
                break;
            }
            row->u.row.names = lp_val_ref(names);
            row->u.row.values = vals;
            for (int c = 0; c < t->ncols && st == LP_OK; c++)
                if (!(vals->u.list.v[c] = lp_val_from_cell(p->cols[c], i))) st = nomem(s);
            list->u.list.v[r] = row;
        }
    }
    lp_val_unref(names);
    if (st != LP_OK) {
        list->u.list.n = (int)r;
        lp_val_unref(list);
        return st;
    }
    *out = list;
    return LP_OK;
}

static lp_status collect_n(loupe_session *s, lp_val *self, int64_t n, lp_val **out) {
    lp_table *t = NULL;
    lp_status st = lp_sess_execute(s, self->u.df, n, &t);
    if (st != LP_OK) return st;
    st = rows_of(s, t, n < 0 ? t->nrows : n, out);
    lp_table_unref(t);
    return st;
}

METHOD(m_collect) {
    lp_status st = no_args(s, a);
    return st != LP_OK ? st : collect_n(s, self, -1, out);
}

static lp_status int_arg(loupe_session *s, const lp_args *a, const char *p, int64_t def, bool required, int64_t *n) {
    lp_val *v;
    lp_ast *ast;
    lp_status st = lp_args_one(s, a, p, false, &v, &ast);
    if (st != LP_OK) return st;
    *n = def;
    if (!v || v->kind == LV_NONE) {
        if (required) return lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() needs %s", a->fname, p);
        return LP_OK;
    }
    if ((st = lp_want_int(s, v, ast, p, n)) != LP_OK) return st;
    if (*n < 0) return lp_err(s, LP_EVALUE, ast, "%s must be 0 or more", p);
    return LP_OK;
}

METHOD(m_isempty) {
    lp_status st = no_args(s, a);
    if (st != LP_OK) return st;
    lp_table *t = NULL;
    if ((st = lp_sess_execute(s, self->u.df, 1, &t)) != LP_OK) return st;
    *out = lp_val_bool(t->nrows == 0);
    lp_table_unref(t);
    return *out ? LP_OK : nomem(s);
}

METHOD(m_tail) {
    lp_val *v;
    lp_ast *ast;
    int64_t n;
    lp_status st = lp_args_one(s, a, "num", false, &v, &ast);
    if (st == LP_OK && !v) st = lp_err_span(s, LP_ETYPE, a->start, a->end, "tail() needs the number of rows");
    if (st == LP_OK) st = lp_want_int(s, v, ast, "num", &n);
    if (st == LP_OK && n < 0) st = lp_err(s, LP_EVALUE, ast, "num must be 0 or more");
    if (st != LP_OK) return st;
    lp_table *t = NULL, *last = NULL;
    if ((st = lp_sess_execute(s, self->u.df, -1, &t)) != LP_OK) return st;
    int64_t from = t->nrows > n ? t->nrows - n : 0;
    /* the last rows: a slice of each partition past `from` */
    lp_table *r = lp_table_new(t->ncols, (const char *const *)t->names, t->types);
    int64_t at = 0;
    for (int pi = 0; r && st == LP_OK && pi < t->nparts; pi++) {
        const lp_part *p = &t->parts[pi];
        int64_t lo = from > at ? from - at : 0;
        at += p->nrows;
        if (lo >= p->nrows) continue;
        lp_column **cols = lp_calloc((size_t)t->ncols + 1, sizeof *cols);
        if (!cols) { st = nomem(s); break; }
        for (int c = 0; c < t->ncols; c++)
            if (!(cols[c] = lp_column_slice(p->cols[c], lo, p->nrows - lo))) st = nomem(s);
        if (st == LP_OK) st = lp_table_add_part(r, p->nrows - lo, cols);
        else
            for (int c = 0; c < t->ncols; c++) lp_column_unref(cols[c]);
        lp_free(cols);
    }
    if (!r && st == LP_OK) st = nomem(s);
    last = r;
    lp_table_unref(t);
    if (st == LP_OK) st = rows_of(s, last, n, out);
    lp_table_unref(last);
    return st;
}

METHOD(m_take) {
    int64_t n;
    lp_status st = int_arg(s, a, "num", 0, true, &n);
    return st != LP_OK ? st : collect_n(s, self, n, out);
}

METHOD(m_head) {
    int64_t n;
    lp_status st = int_arg(s, a, "n", -1, false, &n);
    if (st != LP_OK) return st;
    if (n >= 0) return collect_n(s, self, n, out);
    lp_val *l = NULL;
    if ((st = collect_n(s, self, 1, &l)) != LP_OK) return st;
    *out = l->u.list.n ? lp_val_ref(l->u.list.v[0]) : lp_val_none();
    lp_val_unref(l);
    return *out ? LP_OK : nomem(s);
}

METHOD(m_first) {
    lp_status st = no_args(s, a);
    if (st != LP_OK) return st;
    lp_val *l = NULL;
    if ((st = collect_n(s, self, 1, &l)) != LP_OK) return st;
    *out = l->u.list.n ? lp_val_ref(l->u.list.v[0]) : lp_val_none();
    lp_val_unref(l);
    return *out ? LP_OK : nomem(s);
}

METHOD(m_show) {
    static const char *const pn[] = {"n", "truncate", "vertical"};
    lp_val *v[3];
    lp_ast *ast[3];
    lp_status st = lp_args_bind(s, a, pn, 3, v, ast);
    if (st != LP_OK) return st;
    int64_t n = 20, trunc = 20;
    if (v[0] && (st = lp_want_int(s, v[0], ast[0], "n", &n)) != LP_OK) return st;
    if (v[1] && v[1]->kind == LV_BOOL) trunc = v[1]->u.b ? 20 : 0;
    else if (v[1] && (st = lp_want_int(s, v[1], ast[1], "truncate", &trunc)) != LP_OK) return st;
    if (v[2] && v[2]->kind == LV_BOOL && v[2]->u.b)
        return lp_err(s, LP_EUNSUPPORTED, ast[2], "show(vertical=True) is not supported");
    lp_table *t = NULL;
    if ((st = lp_sess_execute(s, self->u.df, n + 1, &t)) != LP_OK) return st;
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_render_show(t, n, (int)trunc, &b);
    lp_strbuf_putc(&b, '\n');  /* PySpark prints showString's text, which ends in a newline, with print() */
    lp_table_unref(t);
    if (b.nomem) {
        lp_strbuf_reset(&b);
        return nomem(s);
    }
    lp_sess_out(s, b.p ? b.p : "", b.len);
    lp_strbuf_reset(&b);
    *out = lp_val_none();
    return *out ? LP_OK : nomem(s);
}

METHOD(p_columns) {
    (void)a;
    lp_plan *p = self->u.df;
    lp_val *l = lp_val_list(LV_LIST, p->ncols);
    if (!l) return nomem(s);
    for (int i = 0; i < p->ncols; i++)
        if (!(l->u.list.v[i] = lp_val_str(p->names[i], strlen(p->names[i])))) {
            lp_val_unref(l);
            return nomem(s);
        }
    *out = l;
    return LP_OK;
}

METHOD(p_dtypes) {
    (void)a;
    lp_plan *p = self->u.df;
    lp_val *l = lp_val_list(LV_LIST, p->ncols);
    if (!l) return nomem(s);
    for (int i = 0; i < p->ncols; i++) {
        lp_val *t = lp_val_list(LV_TUPLE, 2);
        const char *tn = lp_type_name(p->types[i]);
        if (!t || !(t->u.list.v[0] = lp_val_str(p->names[i], strlen(p->names[i]))) ||
            !(t->u.list.v[1] = lp_val_str(tn, strlen(tn)))) {
            lp_val_unref(t);
            lp_val_unref(l);
            return nomem(s);
        }
        l->u.list.v[i] = t;
    }
    *out = l;
    return LP_OK;
}

METHOD(p_schema) {
    (void)a;
    lp_val *v = lp_val_new(LV_SCHEMA);
    if (!v) return nomem(s);
    v->u.df = lp_plan_ref(self->u.df);
    *out = v;
    return LP_OK;
}

/* Spark's DataType.typeName, which printSchema shows ("long" where dtypes says "bigint"). */
static const char *type_name(lp_type t) {
    switch ((lp_kind)t.kind) {
    case LP_INT64: return "long";
    case LP_BOOL: return "boolean";
    default: return lp_type_name(t);
    }
}

/* One printSchema line and, for arrays and structs, the nested lines under it. */
static void schema_line(lp_strbuf *b, const char *name, lp_type t, int depth) {
    for (int i = 0; i < depth; i++) lp_strbuf_puts(b, " |   ");
    const char *tn = t.kind == LP_LIST ? "array" : t.kind == LP_STRUCT ? "struct" : type_name(t);
    lp_strbuf_printf(b, " |-- %s: %s (nullable = true)\n", name, tn);
    if (t.kind == LP_LIST) {
        for (int i = 0; i <= depth; i++) lp_strbuf_puts(b, " |   ");
        lp_strbuf_printf(b, " |-- element: %s (containsNull = true)\n", type_name(lp_type_of((lp_kind)t.elem)));
    }
    const lp_struct_schema *st = lp_struct_schema_of(t);
    for (int k = 0; st && k < st->nfields; k++) schema_line(b, st->names[k], st->types[k], depth + 1);
}

METHOD(m_printschema) {
    lp_status st = no_args(s, a);
    if (st != LP_OK) return st;
    lp_plan *p = self->u.df;
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_strbuf_puts(&b, "root\n");
    for (int i = 0; i < p->ncols; i++) {
        schema_line(&b, p->names[i], p->types[i], 0);
    }
    lp_strbuf_putc(&b, '\n');
    if (b.nomem) {
        lp_strbuf_reset(&b);
        return nomem(s);
    }
    lp_sess_out(s, b.p, b.len);
    lp_strbuf_reset(&b);
    *out = lp_val_none();
    return *out ? LP_OK : nomem(s);
}

METHOD(m_explain) {
    (void)a;
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_plan_explain(self->u.df, &b);
    lp_strbuf_putc(&b, '\n');
    if (b.nomem) {
        lp_strbuf_reset(&b);
        return nomem(s);
    }
    lp_sess_out(s, b.p, b.len);
    lp_strbuf_reset(&b);
    *out = lp_val_none();
    return *out ? LP_OK : nomem(s);
}

/* describe(*cols) and summary(): lp_describe over the whole frame; describe keeps Spark's five
 * statistics (count, mean, stddev, min, max), summary all eight. */
static lp_status describe_impl(loupe_session *s, lp_val *self, const lp_args *a, bool summary, lp_val **out) {
    lp_plan *in = self->u.df;
    int *cols = lp_arena_alloc(s->arena, sizeof(int) * (size_t)(in->ncols + 1));
    int n = 0;
    if (!cols) return nomem(s);
    lp_val **fv = NULL;
    lp_ast **fa = NULL;
    int fn = 0;
    lp_status st = lp_flatten(s, a->pos, a->pos_ast, a->npos, &fv, &fa, &fn);
    static const char *const stats[] = {"count", "mean", "stddev", "min", "25%", "50%", "75%", "max"};
    for (int i = 0; summary && st == LP_OK && i < fn; i++) {
        bool ok = false;
        for (size_t k = 0; fv[i]->kind == LV_STR && k < LP_ARRAY_LEN(stats); k++) ok |= strcmp(stats[k], fv[i]->u.s.p) == 0;
        if (!ok) {
            st = lp_err(s, LP_EVALUE, fa[i], "summary() takes statistics: count, mean, stddev, min, 25%%, 50%%, 75%%, max");
            break;
        }
    }
    int nstats = summary ? fn : 0;
    if (summary) fn = 0;
    for (int i = 0; st == LP_OK && i < fn; i++) {
        if (fv[i]->kind != LV_STR) {
            st = lp_err(s, LP_ETYPE, fa[i], "describe() takes column names");
            break;
        }
        int k = lp_plan_col_index(in, fv[i]->u.s.p);
        if (k < 0) {
            st = lp_err(s, LP_ENAME, fa[i], "column '%s' does not exist", fv[i]->u.s.p);
            break;
        }
        cols[n++] = k;
    }
    if (st != LP_OK) return st;
    lp_table *t = NULL, *d = NULL;
    if ((st = lp_sess_execute(s, in, -1, &t)) != LP_OK) return st;
    st = lp_describe(t, cols, n, &d, s->d);
    lp_table_unref(t);
    if (st != LP_OK) return st;
    lp_plan *p = NULL, *f = NULL;
    st = lp_plan_table(d, summary ? "summary" : "describe", &p, s->d);
    lp_table_unref(d);
    if (st == LP_OK && (!summary || nstats)) {
        /* describe keeps count, mean, stddev, min, max; summary(...) the statistics asked for */
        lp_arena ar;
        lp_arena_init(&ar);
        lp_expr *args[10] = {lp_expr_col_index(&ar, 0, "summary", -1, -1)};
        int na = 1;
        static const char *const five[] = {"count", "mean", "stddev", "min", "max"};
        for (int i = 0; i < (summary ? nstats : 5) && na < 10; i++) {
            const char *w = summary ? fv[i]->u.s.p : five[i];
            args[na++] = lp_expr_str(&ar, w, strlen(w));
        }
        lp_expr *in_ = lp_expr_call(&ar, LP_FN_IN, args, na, -1, -1);
        st = in_ ? lp_plan_filter(p, in_, &f, s->d) : nomem(s);
        lp_arena_reset(&ar);
        lp_plan_unref(p);
        p = f;
    }
    return ret_df(s, st, p, out);
}
METHOD(m_describe) { return describe_impl(s, self, a, false, out); }
METHOD(m_summary) { return describe_impl(s, self, a, true, out); }

/* The values of two numeric columns as doubles, rows where both are present (corr). */
METHOD(m_corr) {
    static const char *const pn[] = {"col1", "col2", "method"};
    lp_val *v[3];
    lp_ast *ast[3];
    lp_status st = lp_args_bind(s, a, pn, 3, v, ast);
    if (st != LP_OK) return st;
    if (!v[0] || !v[1] || v[0]->kind != LV_STR || v[1]->kind != LV_STR)
        return lp_err_span(s, LP_ETYPE, a->start, a->end, "corr() takes two column names");
    if (v[2] && v[2]->kind == LV_STR && strcmp(v[2]->u.s.p, "pearson") != 0)
        return lp_err(s, LP_EUNSUPPORTED, ast[2], "only the pearson correlation is supported");
    lp_plan *in = self->u.df;
    lp_colv *h = lp_colv_new();
    if (!h) return nomem(s);
    lp_expr *es[2];
    for (int i = 0; i < 2; i++) {
        int64_t b = lp_str_offset(ast[i], 0);
        lp_expr *c = lp_expr_col(&h->arena, v[i]->u.s.p, v[i]->u.s.n, b >= 0 ? b : ast[i]->start,
                                 b >= 0 ? b + (int64_t)v[i]->u.s.n : ast[i]->end);
        es[i] = c ? lp_expr_cast(&h->arena, c, lp_type_of(LP_FLOAT64), -1, -1) : NULL;
        if (!es[i]) {
            lp_colv_free(h);
            return nomem(s);
        }
    }
    lp_plan *p = NULL;
    lp_table *t = NULL;
    st = lp_plan_project(in, es, NULL, 2, &p, s->d);
    for (int i = 0; st == LP_OK && i < 2; i++) {
        int k = lp_plan_col_index(in, v[i]->u.s.p);
        if (!lp_type_numeric(in->types[k]))
            st = lp_err(s, LP_ETYPE, ast[i], "corr() needs numeric columns; '%s' is %s", v[i]->u.s.p, lp_type_name(in->types[k]));
    }
    if (st == LP_OK) st = lp_sess_execute(s, p, -1, &t);
    lp_plan_unref(p);
    lp_colv_free(h);
    if (st != LP_OK) return st;
    /* two passes: means, then co-moments (stable) */
    double sx = 0, sy = 0;
    int64_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        double mx = n ? sx / (double)n : 0, my = n ? sy / (double)n : 0, cxy = 0, cxx = 0, cyy = 0;
        for (int pi = 0; pi < t->nparts; pi++) {
            const lp_part *pp = &t->parts[pi];
            const double *x = pp->cols[0]->v.f, *y = pp->cols[1]->v.f;
            for (int64_t i = 0; i < pp->nrows; i++) {
                if (!lp_col_valid(pp->cols[0], i) || !lp_col_valid(pp->cols[1], i)) continue;
                if (pass == 0) {
                    sx += x[i];
                    sy += y[i];
                    n++;
                } else {
                    cxy += (x[i] - mx) * (y[i] - my);
                    cxx += (x[i] - mx) * (x[i] - mx);
                    cyy += (y[i] - my) * (y[i] - my);
                }
            }
        }
        if (pass == 1) {
            lp_table_unref(t);
            *out = n < 2 || cxx == 0 || cyy == 0 ? lp_val_none() : lp_val_float(cxy / sqrt(cxx * cyy));
            return *out ? LP_OK : nomem(s);
        }
    }
    return LP_OK;
}

METHOD(m_approxquantile) {
    static const char *const pn[] = {"col", "probabilities", "relativeError"};
    lp_val *v[3];
    lp_ast *ast[3];
    lp_status st = lp_args_bind(s, a, pn, 3, v, ast);
    if (st != LP_OK) return st;
    if (!v[0] || !v[1]) return lp_err_span(s, LP_ETYPE, a->start, a->end, "approxQuantile() takes col, probabilities, relativeError");
    bool many = v[0]->kind == LV_LIST || v[0]->kind == LV_TUPLE;
    int nc = many ? v[0]->u.list.n : 1;
    if (v[1]->kind != LV_LIST && v[1]->kind != LV_TUPLE) return lp_err(s, LP_ETYPE, ast[1], "probabilities must be a list of numbers");
    int np = v[1]->u.list.n;
    double probs[64];
    if (np > 64) return lp_err(s, LP_ELIMIT, ast[1], "at most 64 probabilities");
    for (int i = 0; i < np; i++) {
        if ((st = lp_want_float(s, v[1]->u.list.v[i], ast[1], "a probability", &probs[i])) != LP_OK) return st;
        if (probs[i] < 0 || probs[i] > 1) return lp_err(s, LP_EVALUE, ast[1], "probabilities must be between 0 and 1");
    }
    /* exact answers (relativeError 0 in Spark's terms): the engine's percentile_approx is exact */
    lp_colv *h = lp_colv_new();
    lp_expr **es = lp_calloc((size_t)(nc * np) + 1, sizeof *es);
    const char **ns = lp_calloc((size_t)(nc * np) + 1, sizeof *ns);
    if (!h || !es || !ns) st = nomem(s);
    for (int c = 0; st == LP_OK && c < nc; c++) {
        lp_val *cn = many ? v[0]->u.list.v[c] : v[0];
        if (cn->kind != LV_STR) {
            st = lp_err(s, LP_ETYPE, ast[0], "col must be a column name or a list of names");
            break;
        }
        for (int i = 0; st == LP_OK && i < np; i++) {
            lp_expr *col = lp_expr_col(&h->arena, cn->u.s.p, cn->u.s.n, ast[0]->start, ast[0]->end);
            lp_expr *dcol = col ? lp_expr_cast(&h->arena, col, lp_type_of(LP_FLOAT64), -1, -1) : NULL;
            lp_expr *args[2] = {dcol, lp_expr_float(&h->arena, probs[i])};
            es[c * np + i] = lp_expr_call(&h->arena, LP_FN_AGG_PERCENTILE_APPROX, args, 2, ast[0]->start, ast[0]->end);
            ns[c * np + i] = lp_arena_printf(&h->arena, "q%d_%d", c, i);
            if (!es[c * np + i] || !ns[c * np + i]) st = nomem(s);
        }
    }
    lp_plan *p = NULL;
    lp_table *t = NULL;
    if (st == LP_OK) st = lp_plan_aggregate(self->u.df, NULL, NULL, 0, es, ns, nc * np, &p, s->d);
    if (st == LP_OK) st = lp_sess_execute(s, p, -1, &t);
    lp_plan_unref(p);
    lp_colv_free(h);
    lp_free(es);
    lp_free(ns);
    if (st != LP_OK) return st;
    lp_val *res = lp_val_list(LV_LIST, nc);
    for (int c = 0; res && c < nc; c++) {
        lp_val *l = lp_val_list(LV_LIST, np);
        res->u.list.v[c] = l;
        for (int i = 0; l && i < np; i++) {
            lp_column *col = lp_table_column(t, c * np + i);
            lp_val *x = col && t->nrows ? lp_val_from_cell(col, 0) : lp_val_none();
            lp_column_unref(col);
            if (!x) {
                lp_val_unref(res);
                res = NULL;
                break;
            }
            l->u.list.v[i] = x;
        }
        if (!l) {
            lp_val_unref(res);
            res = NULL;
        }
    }
    lp_table_unref(t);
    if (!res) return nomem(s);
    if (!many) {
        *out = lp_val_ref(res->u.list.v[0]);
        lp_val_unref(res);
    } else {
        *out = res;
    }
    return LP_OK;
}

extern lp_status lp_df_plot(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out);
extern lp_status lp_df_hist(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out);
extern lp_status lp_df_write(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out);
extern const lp_method *lp_reader_methods(int *n);
extern const lp_method *lp_writer_methods(int *n);

static const lp_method df_methods[] = {
    {"show", m_show, "n=20, truncate=True, vertical=False"}, {"count", m_count, ""}, {"collect", m_collect, ""},
    {"take", m_take, "num"}, {"head", m_head, "n=None"}, {"first", m_first, ""}, {"columns", p_columns, NULL},
    {"dtypes", p_dtypes, NULL}, {"schema", p_schema, NULL}, {"printSchema", m_printschema, ""},
    {"describe", m_describe, "*cols"}, {"summary", m_summary, "*statistics"}, {"explain", m_explain, "extended=False"},
    {"select", m_select, "*cols"}, {"selectExpr", m_selectexpr, "*expr"}, {"filter", m_filter, "condition"},
    {"where", m_filter, "condition"}, {"withColumn", m_withcolumn, "colName, col"},
    {"withColumnRenamed", m_renamed, "existing, new"}, {"drop", m_drop, "*cols"}, {"groupBy", m_groupby, "*cols"},
    {"groupby", m_groupby, "*cols"}, {"agg", m_df_agg, "*exprs"}, {"orderBy", m_orderby, "*cols, ascending=True"},
    {"sort", m_orderby, "*cols, ascending=True"}, {"limit", m_limit, "num"}, {"distinct", m_distinct, ""},
    {"dropDuplicates", m_dropdup, "subset=None"}, {"drop_duplicates", m_dropdup, "subset=None"},
    {"join", m_join, "other, on=None, how=None"}, {"crossJoin", m_crossjoin, "other"}, {"union", m_union, "other"},
    {"unionAll", m_union, "other"}, {"unionByName", m_unionbyname, "other, allowMissingColumns=False"},
    {"dropna", m_dropna, "how='any', thresh=None, subset=None"}, {"fillna", m_fillna, "value, subset=None"},
    {"sample", m_sample, "withReplacement=None, fraction=None, seed=None"},
    {"approxQuantile", m_approxquantile, "col, probabilities, relativeError"},
    {"corr", m_corr, "col1, col2, method=None"}, {"cache", m_cache, ""}, {"persist", m_cache, ""},
    {"unpersist", m_unpersist, ""}, {"createOrReplaceTempView", m_tempview, "name"},
    {"createTempView", m_tempview, "name"}, {"registerTempTable", m_tempview, "name"},
    {"toPandas", m_self, ""}, {"toDF", m_todf, "*cols"}, {"isEmpty", m_isempty, ""}, {"tail", m_tail, "num"},
    {"withColumns", m_withcolumns, "colsMap"}, {"withColumnsRenamed", m_renamed_many, "colsMap"}, {"alias", m_self, "alias"}, {"repartition", m_self, "numPartitions"},
    {"coalesce", m_self, "numPartitions"}, {"plot", lp_df_plot, "x=None, y=None, kind='line', bins=10, ..."},
    {"hist", lp_df_hist, "column=None, bins=10, by=None"}, {"write", lp_df_write, NULL}, {"na", p_na, NULL},
};

static const lp_method na_methods[] = {
    {"drop", m_na_drop, "how='any', thresh=None, subset=None"}, {"fill", m_na_fill, "value, subset=None"},
};

static const lp_method grouped_methods[] = {
    {"agg", m_g_agg, "*exprs"}, {"count", m_g_count, ""}, {"mean", m_g_mean, "*cols"}, {"avg", m_g_mean, "*cols"},
    {"sum", m_g_sum, "*cols"}, {"min", m_g_min, "*cols"}, {"max", m_g_max, "*cols"},
};

const lp_method *lp_methods(lp_vkind k, int *n) {
    switch (k) {
    case LV_DF:
        *n = (int)LP_ARRAY_LEN(df_methods);
        return df_methods;
    case LV_GROUPED:
        *n = (int)LP_ARRAY_LEN(grouped_methods);
        return grouped_methods;
    case LV_COL: return lp_col_methods(n);
    case LV_WINDOW: return lp_win_methods(n);
    case LV_NA:
        *n = (int)LP_ARRAY_LEN(na_methods);
        return na_methods;
    case LV_READER: return lp_reader_methods(n);
    case LV_WRITER: return lp_writer_methods(n);
    default:
        *n = 0;
        return NULL;
    }
}
