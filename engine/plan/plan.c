/* plan.c -- building logical plans: every node bound to its input's schema when it is made.
 *
 * Each builder clones the caller's expressions into the new node's arena, binds them, works out
 * the output schema, and takes references to its inputs. A failing builder leaves nothing
 * behind. Aggregations and sorts by computed keys are decomposed here into the operators the
 * executor has (project -> aggregate -> project; project -> sort -> project), so that exec/
 * never evaluates an expression inside a grouping or a sort, as Spark's planner does.
 *
 * Execution lives in plan_exec.c, explain in plan_explain.c.
 */
#include "plan/plan.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---- nodes ---- */

lp_plan *lp_plan_ref(lp_plan *p) {
    if (p) p->refs++;
    return p;
}

void lp_plan_unref(lp_plan *p) {
    if (!p || --p->refs > 0) return;
    lp_plan_unref(p->in[0]);
    lp_plan_unref(p->in[1]);
    lp_table_unref(p->cached);
    lp_arena_reset(&p->arena);
    lp_free(p);
}

/* A node of `kind` with room for ncols output columns, inputs referenced. */
static lp_plan *node_new(lp_plan_kind kind, int ncols, lp_plan *in0, lp_plan *in1) {
    lp_plan *p = lp_calloc(1, sizeof *p);
    if (!p) return NULL;
    p->refs = 1;
    p->kind = kind;
    p->limit = -1;
    lp_arena_init(&p->arena);
    p->ncols = ncols;
    p->names = lp_arena_zalloc(&p->arena, sizeof(char *) * (size_t)(ncols ? ncols : 1));
    p->types = lp_arena_zalloc(&p->arena, sizeof(lp_type) * (size_t)(ncols ? ncols : 1));
    if (!p->names || !p->types) {
        lp_arena_reset(&p->arena);
        lp_free(p);
        return NULL;
    }
    p->in[0] = lp_plan_ref(in0);
    p->in[1] = lp_plan_ref(in1);
    return p;
}

static bool set_col(lp_plan *p, int i, const char *name, lp_type t) {
    p->types[i] = t;
    return (p->names[i] = lp_arena_strndup(&p->arena, name, strlen(name))) != NULL;
}

/* Copies in's schema to p's first columns. */
static bool copy_schema(lp_plan *p, const lp_plan *in, int at) {
    for (int i = 0; i < in->ncols; i++)
        if (!set_col(p, at + i, in->names[i], in->types[i])) return false;
    return true;
}

static lp_status fail(lp_plan *p, lp_status st, lp_plan **out) {
    lp_plan_unref(p);
    *out = NULL;
    return st;
}

int lp_plan_col_index(const lp_plan *p, const char *name) {
    for (int i = 0; i < p->ncols; i++)
        if (strcmp(p->names[i], name) == 0) return i;
    int found = -1;
    for (int i = 0; i < p->ncols; i++)
        if (strcasecmp(p->names[i], name) == 0) {
            if (found >= 0) return -2;
            found = i;
        }
    return found;
}

/* Clones e into p's arena and binds it to in's schema. */
static lp_status bind_into(lp_plan *p, const lp_plan *in, const lp_expr *e, lp_expr **out, lp_diag *d) {
    lp_expr *c = lp_expr_clone(&p->arena, e);
    if (!c) return lp_diag_nomem(d, "plan");
    lp_status st = lp_expr_bind(c, in->ncols, (const char *const *)in->names, in->types, d);
    if (st != LP_OK) return st;
    *out = c;
    return LP_OK;
}

/* The first window node of e, or NULL. */
static const lp_expr *find_window(const lp_expr *e) {
    if (e->kind == LP_EXPR_WINDOW) return e;
    for (int i = 0; i < e->nargs; i++) {
        const lp_expr *w = find_window(e->args[i]);
        if (w) return w;
    }
    return NULL;
}

static lp_status no_agg(const lp_expr *e, const char *where, lp_diag *d) {
    const lp_expr *w = find_window(e);
    if (w) {
        lp_diag_set(d, LP_ETYPE, "window functions are not allowed in %s", where);
        lp_diag_hint(d, "compute it into a column first, e.g. df.withColumn('w', ...), then use that column");
        lp_diag_span(d, w->start, w->end);
        return LP_ETYPE;
    }
    if (!lp_expr_has_agg(e)) return LP_OK;
    lp_diag_set(d, LP_ETYPE, "aggregate functions are not allowed in %s", where);
    lp_diag_hint(d, "compute the aggregate with groupBy(...).agg(...) first, then use its column");
    lp_diag_span(d, e->start, e->end);
    return LP_ETYPE;
}

LP_WUR lp_status lp_plan_table(lp_table *t, const char *label, lp_plan **out, lp_diag *d) {
    lp_plan *p = node_new(LP_PLAN_TABLE, t->ncols, NULL, NULL);
    if (!p) return lp_diag_nomem(d, "plan");
    for (int i = 0; i < t->ncols; i++)
        if (!set_col(p, i, t->names[i], t->types[i])) return fail(p, lp_diag_nomem(d, "plan"), out);
    if (label && !(p->label = lp_arena_strndup(&p->arena, label, strlen(label))))
        return fail(p, lp_diag_nomem(d, "plan"), out);
    p->cached = lp_table_ref(t);
    *out = p;
    return LP_OK;
}

LP_WUR lp_status lp_plan_filter(lp_plan *in, const lp_expr *pred, lp_plan **out, lp_diag *d) {
    lp_status st = no_agg(pred, "filter conditions", d);
    if (st != LP_OK) return st;
    lp_plan *p = node_new(LP_PLAN_FILTER, in->ncols, in, NULL);
    if (!p || !copy_schema(p, in, 0)) return fail(p, lp_diag_nomem(d, "plan"), out);
    if ((st = bind_into(p, in, pred, &p->pred, d)) != LP_OK) return fail(p, st, out);
    lp_kind k = p->pred->type.kind;
    if (k != LP_BOOL && k != LP_NULLTYPE) {
        char *s = lp_expr_print(&p->arena, pred);
        lp_diag_set(d, LP_ETYPE, "a filter condition must be a boolean, but %s is %s", s ? s : "it",
                    lp_type_name(p->pred->type));
        lp_diag_hint(d, "compare it with something, e.g. col('x') > 0 or col('x').isNotNull()");
        lp_diag_span(d, pred->start, pred->end);
        return fail(p, LP_ETYPE, out);
    }
    *out = p;
    return LP_OK;
}

/* The output name of an expression: the caller's, else Spark's. */
static const char *expr_name(lp_plan *p, const lp_expr *e, const char *given) {
    if (given) return given;
    return lp_expr_print(&p->arena, e);
}

static lp_status plan_windows(lp_plan *in, lp_expr *const *exprs, const char *const *names, int n, lp_plan **out,
                              lp_diag *d);

/* The generator a call is (explode, ..., window), or -1. */
static int gen_kind(const lp_expr *e) {
    if (e->kind != LP_EXPR_CALL) return -1;
    switch (e->fn) {
    case LP_FN_EXPLODE: return LP_GEN_EXPLODE;
    case LP_FN_EXPLODE_OUTER: return LP_GEN_EXPLODE_OUTER;
    case LP_FN_POSEXPLODE: return LP_GEN_POSEXPLODE;
    case LP_FN_POSEXPLODE_OUTER: return LP_GEN_POSEXPLODE_OUTER;
    case LP_FN_WINDOW: return LP_GEN_WINDOW;
    default: return -1;
    }
}

/* The first generator below the root of e (explode anywhere but at the root is an error; a
 * window() inside an expression is computed row by row when it tumbles). */
static const lp_expr *nested_gen(const lp_expr *e, bool root) {
    if (!root && gen_kind(e) >= 0 && e->fn != LP_FN_WINDOW) return e;
    for (int i = 0; i < e->nargs; i++) {
        const lp_expr *g = nested_gen(e->args[i], false);
        if (g) return g;
    }
    return NULL;
}

static bool has_index_ref(const lp_expr *e) {
    if (e->kind == LP_EXPR_COL && e->by_index) return true;
    for (int i = 0; i < e->nargs; i++)
        if (has_index_ref(e->args[i])) return true;
    return false;
}

/* The columns of in that exprs read (used[k]), how many; -1 when binding fails (the caller's
 * own binding then reports it) or refused. */
static int used_columns(const lp_plan *in, lp_expr *const *exprs, int n, bool *used) {
    lp_arena a;
    lp_arena_init(&a);
    int *cols = lp_arena_alloc(&a, sizeof(int) * (size_t)(in->ncols + 1));
    int count = cols ? 0 : -1;
    for (int i = 0; count >= 0 && i < n; i++) {
        lp_diag probe;
        lp_diag_init(&probe);
        lp_expr *c = lp_expr_clone(&a, exprs[i]);
        if (!c || lp_expr_bind(c, in->ncols, (const char *const *)in->names, in->types, &probe) != LP_OK) {
            count = -1;
            break;
        }
        int k = lp_expr_columns(c, cols, in->ncols);
        for (int j = 0; j < k && j < in->ncols; j++)
            if (!used[cols[j]]) used[cols[j]] = true, count++;
    }
    lp_arena_reset(&a);
    return count;
}

static lp_status plan_generate_at(lp_plan *in, lp_expr *const *exprs, const char *const *names, int n, int gi,
                                  lp_plan **out, lp_diag *d);

/* project(exprs) where exprs[gi] is a generator: first keep only the columns the expressions
 * read (a generator repeats every column it is given: three copies of every review text for a
 * 3-day window sliding by a day would be most of the work), then plan_generate_at. */
static lp_status plan_generate(lp_plan *in, lp_expr *const *exprs, const char *const *names, int n, int gi,
                               lp_plan **out, lp_diag *d) {
    bool idx = false;
    for (int i = 0; i < n; i++) idx |= has_index_ref(exprs[i]);
    bool *used = idx ? NULL : lp_calloc((size_t)in->ncols + 1, 1);
    int m = used ? used_columns(in, exprs, n, used) : -1;
    if (m < 0 || m == in->ncols) {
        lp_free(used);
        return plan_generate_at(in, exprs, names, n, gi, out, d);
    }
    lp_arena a;
    lp_arena_init(&a);
    lp_expr **cols = lp_arena_zalloc(&a, sizeof(lp_expr *) * (size_t)(m + 1));
    const char **cn = lp_arena_zalloc(&a, sizeof(char *) * (size_t)(m + 1));
    lp_status st = cols && cn ? LP_OK : lp_diag_nomem(d, "plan");
    int k = 0;
    for (int c = 0; st == LP_OK && c < in->ncols; c++) {
        if (!used[c]) continue;
        cn[k] = in->names[c];
        if (!(cols[k++] = lp_expr_col_index(&a, c, in->names[c], -1, -1))) st = lp_diag_nomem(d, "plan");
    }
    lp_free(used);
    lp_plan *narrow = NULL;
    if (st == LP_OK) st = lp_plan_project(in, cols, cn, m, &narrow, d);
    if (st == LP_OK) st = plan_generate_at(narrow, exprs, names, n, gi, out, d);
    lp_plan_unref(narrow);
    lp_arena_reset(&a);
    return st;
}

/* GENERATE over in (in's columns, then the generated ones under hidden names), then the
 * projection reading them by index. */
static lp_status plan_generate_at(lp_plan *in, lp_expr *const *exprs, const char *const *names, int n, int gi,
                                  lp_plan **out, lp_diag *d) {
    const lp_expr *ge = exprs[gi];
    lp_genkind kind = (lp_genkind)gen_kind(ge);
    bool pos = kind == LP_GEN_POSEXPLODE || kind == LP_GEN_POSEXPLODE_OUTER;
    int ngen = pos ? 2 : 1;
    lp_plan *g = node_new(LP_PLAN_GENERATE, in->ncols + ngen, in, NULL);
    if (!g) return lp_diag_nomem(d, "plan");
    g->genkind = kind;
    lp_status st = bind_into(g, in, kind == LP_GEN_WINDOW ? ge : ge->args[0], &g->gen, d);
    if (st != LP_OK) return fail(g, st, out);
    if (kind != LP_GEN_WINDOW && g->gen->type.kind != LP_LIST) {
        char *t = lp_expr_print(&g->arena, ge->args[0]);
        lp_diag_set(d, LP_ETYPE, "%s needs an array column, got %s '%s'", ge->fname ? ge->fname : "explode",
                    lp_type_name(g->gen->type), t ? t : "?");
        lp_diag_hint(d, "split a string into an array first: F.explode(F.split('text', ' '))");
        lp_diag_span(d, ge->start, ge->end);
        return fail(g, LP_ETYPE, out);
    }
    if (!copy_schema(g, in, 0)) return fail(g, lp_diag_nomem(d, "plan"), out);
    lp_type et = kind == LP_GEN_WINDOW ? g->gen->type : lp_type_of((lp_kind)g->gen->type.elem);
    if (pos && !set_col(g, in->ncols, "\x01pos", lp_type_of(LP_INT64))) return fail(g, lp_diag_nomem(d, "plan"), out);
    if (!set_col(g, in->ncols + ngen - 1, "\x01gen", et)) return fail(g, lp_diag_nomem(d, "plan"), out);
    /* the projection over it: the generator's place takes its column(s) */
    lp_arena a;
    lp_arena_init(&a);
    lp_expr **pe = lp_arena_zalloc(&a, sizeof(lp_expr *) * (size_t)(n + 2));
    const char **pn = lp_arena_zalloc(&a, sizeof(char *) * (size_t)(n + 2));
    st = pe && pn ? LP_OK : lp_diag_nomem(d, "plan");
    int k = 0;
    for (int i = 0; st == LP_OK && i < n; i++) {
        if (i != gi) {
            pe[k] = exprs[i];
            pn[k++] = names ? names[i] : NULL;
            continue;
        }
        if (pos) {
            pn[k] = "pos";
            if (!(pe[k++] = lp_expr_col_index(&a, in->ncols, "pos", ge->start, ge->end))) st = lp_diag_nomem(d, "plan");
        }
        const char *nm = names && names[i] ? names[i] : kind == LP_GEN_WINDOW ? "window" : "col";
        pn[k] = nm;
        if (!(pe[k++] = lp_expr_col_index(&a, in->ncols + ngen - 1, nm, ge->start, ge->end))) st = lp_diag_nomem(d, "plan");
    }
    if (st == LP_OK) st = lp_plan_project(g, pe, pn, k, out, d);
    lp_arena_reset(&a);
    lp_plan_unref(g);
    return st;
}

LP_WUR lp_status lp_plan_project(lp_plan *in, lp_expr *const *exprs, const char *const *names, int n,
                                 lp_plan **out, lp_diag *d) {
    int gi = -1;
    for (int i = 0; i < n; i++) {
        const lp_expr *ng = nested_gen(exprs[i], true);
        if (ng) {
            lp_diag_set(d, LP_EUNSUPPORTED, "%s must be a column of its own in select, not inside an expression",
                        ng->fname ? ng->fname : "explode");
            lp_diag_hint(d, "explode into a column first, e.g. df.select('*', F.explode('tags').alias('tag')), then "
                            "compute with that column");
            lp_diag_span(d, ng->start, ng->end);
            return LP_EUNSUPPORTED;
        }
        if (gen_kind(exprs[i]) < 0) continue;
        if (gi >= 0) {
            lp_diag_set(d, LP_EUNSUPPORTED, "only one generator (explode or window) is allowed per select, got %s and %s",
                        exprs[gi]->fname ? exprs[gi]->fname : "?", exprs[i]->fname ? exprs[i]->fname : "?");
            lp_diag_hint(d, "explode in two steps: one select per generator");
            lp_diag_span(d, exprs[i]->start, exprs[i]->end);
            return LP_EUNSUPPORTED;
        }
        gi = i;
    }
    if (gi >= 0) return plan_generate(in, exprs, names, n, gi, out, d);
    for (int i = 0; i < n; i++)
        if (lp_expr_has_window(exprs[i])) return plan_windows(in, exprs, names, n, out, d);
    for (int i = 0; i < n; i++)
        if (lp_expr_has_agg(exprs[i])) return lp_plan_aggregate(in, NULL, NULL, 0, exprs, names, n, out, d);
    lp_plan *p = node_new(LP_PLAN_PROJECT, n, in, NULL);
    if (!p) return lp_diag_nomem(d, "plan");
    p->exprs = lp_arena_zalloc(&p->arena, sizeof(lp_expr *) * (size_t)(n ? n : 1));
    if (!p->exprs) return fail(p, lp_diag_nomem(d, "plan"), out);
    for (int i = 0; i < n; i++) {
        lp_status st = bind_into(p, in, exprs[i], &p->exprs[i], d);
        if (st != LP_OK) return fail(p, st, out);
        const char *nm = expr_name(p, exprs[i], names ? names[i] : NULL);
        if ((!names || !names[i]) && exprs[i]->kind == LP_EXPR_COL && p->exprs[i]->kind == LP_EXPR_CALL &&
            p->exprs[i]->fn == LP_FN_GET_FIELD)
            nm = p->exprs[i]->args[1]->lit.u.s.p; /* col("window.start") is named start, as in Spark */
        if (!nm || !set_col(p, i, nm, p->exprs[i]->type.kind == LP_NULLTYPE ? lp_type_of(LP_STRING)
                                                                            : p->exprs[i]->type))
            return fail(p, lp_diag_nomem(d, "plan"), out);
    }
    *out = p;
    return LP_OK;
}

LP_WUR lp_status lp_plan_rename(lp_plan *in, const char *const *names, lp_plan **out, lp_diag *d) {
    lp_arena a;
    lp_arena_init(&a);
    lp_expr **cols = lp_arena_alloc(&a, sizeof(lp_expr *) * (size_t)(in->ncols ? in->ncols : 1));
    lp_status st = cols ? LP_OK : lp_diag_nomem(d, "plan");
    for (int i = 0; st == LP_OK && i < in->ncols; i++)
        if (!(cols[i] = lp_expr_col_index(&a, i, in->names[i], -1, -1))) st = lp_diag_nomem(d, "plan");
    if (st == LP_OK) st = lp_plan_project(in, cols, names, in->ncols, out, d);
    lp_arena_reset(&a);
    return st;
}

/* ---- aggregation ---- */

/* The decomposition of one aggregation: the pre-projection's expressions (grouping keys, then
 * the distinct aggregate arguments), the aggregate specs over it, and the rewritten outputs. */
/* Expressions told apart by their printed form (as Spark's column names), in order. */
typedef struct exprset {
    lp_expr **e;
    char **text;
    int n, cap;
} exprset;

/* Index of e's printed form in set (added when new; *added says which); -1 when refused. */
static int exprset_add(lp_arena *a, exprset *set, lp_expr *e, bool *added) {
    *added = false;
    char *t = lp_expr_print(a, e);
    if (!t) return -1;
    for (int i = 0; i < set->n; i++)
        if (strcmp(set->text[i], t) == 0) return i;
    if (set->n == set->cap) {
        int nc = set->cap ? set->cap * 2 : 8;
        lp_expr **ne = lp_arena_alloc(a, sizeof(lp_expr *) * (size_t)nc);
        char **nt = lp_arena_alloc(a, sizeof(char *) * (size_t)nc);
        if (!ne || !nt) return -1;
        if (set->n) {
            memcpy(ne, set->e, sizeof(lp_expr *) * (size_t)set->n);
            memcpy(nt, set->text, sizeof(char *) * (size_t)set->n);
        }
        set->e = ne;
        set->text = nt;
        set->cap = nc;
    }
    set->e[set->n] = e;
    set->text[set->n] = t;
    *added = true;
    return set->n++;
}

/* The decomposition of one aggregation: the pre-projection's expressions (grouping keys first,
 * one column each, then the distinct aggregate arguments) and the distinct aggregate calls. */
typedef struct aggplan {
    lp_arena *a;
    int nkeys;     /* pre.text[0..nkeys) are the keys' printed forms */
    exprset pre;
    exprset calls;
} aggplan;

/* Collects the aggregate calls of e (outermost only: an aggregate inside an aggregate is an
 * error Spark makes too). */
static lp_status collect_calls(aggplan *ap, lp_expr *e, bool inside, lp_diag *d) {
    if (e->kind != LP_EXPR_CALL) return LP_OK;
    const lp_fninfo *fi = lp_fn_info(e->fn);
    if (fi && (fi->flags & LP_FNF_AGG)) {
        if (inside) {
            lp_diag_set(d, LP_ETYPE, "an aggregate function cannot be nested inside another aggregate");
            lp_diag_hint(d, "aggregate in two steps: groupBy(...).agg(...) and then agg(...) over its result");
            lp_diag_span(d, e->start, e->end);
            return LP_ETYPE;
        }
        bool added;
        if (exprset_add(ap->a, &ap->calls, e, &added) < 0) return lp_diag_nomem(d, "plan");
        if (!added) return collect_calls(ap, e->args[0], true, d);
        for (int i = 0; i < e->nargs; i++) {
            lp_status st = collect_calls(ap, e->args[i], true, d);
            if (st != LP_OK) return st;
        }
        return LP_OK;
    }
    for (int i = 0; i < e->nargs; i++) {
        lp_status st = collect_calls(ap, e->args[i], inside, d);
        if (st != LP_OK) return st;
    }
    return LP_OK;
}

/* e rewritten over the aggregate's output (keys, then one column per call): aggregate calls and
 * grouping keys become column references; any other column is an error. */
static lp_status rewrite(aggplan *ap, const lp_expr *e, char *const *outnames, lp_expr **out, lp_diag *d) {
    char *t = lp_expr_print(ap->a, e);
    if (!t) return lp_diag_nomem(d, "plan");
    for (int i = 0; i < ap->nkeys; i++)
        if (strcmp(ap->pre.text[i], t) == 0) {
            *out = lp_expr_col_index(ap->a, i, outnames[i], e->start, e->end);
            return *out ? LP_OK : lp_diag_nomem(d, "plan");
        }
    for (int i = 0; i < ap->calls.n; i++)
        if (strcmp(ap->calls.text[i], t) == 0) {
            *out = lp_expr_col_index(ap->a, ap->nkeys + i, outnames[ap->nkeys + i], e->start, e->end);
            return *out ? LP_OK : lp_diag_nomem(d, "plan");
        }
    if (e->kind == LP_EXPR_COL) {
        lp_diag_set(d, LP_ETYPE, "column '%s' is neither grouped nor aggregated", e->name);
        lp_diag_hint(d, "add it to groupBy(...), or aggregate it, e.g. F.first('%s') or F.max('%s')", e->name,
                     e->name);
        lp_diag_span(d, e->start, e->end);
        return LP_ETYPE;
    }
    lp_expr *c = lp_expr_clone(ap->a, e);
    if (!c) return lp_diag_nomem(d, "plan");
    if (c->kind == LP_EXPR_CALL) {
        for (int i = 0; i < c->nargs; i++) {
            lp_status st = rewrite(ap, e->args[i], outnames, &c->args[i], d);
            if (st != LP_OK) return st;
        }
    }
    *out = c;
    return LP_OK;
}

/* The spec of aggregate call e whose argument is pre-projection column `col`. */
static lp_status make_spec(const lp_expr *e, int col, lp_aggspec *s, lp_diag *d) {
    const lp_fninfo *fi = lp_fn_info(e->fn);
    memset(s, 0, sizeof *s);
    s->fn = (lp_aggfn)fi->agg;
    s->col = col;
    if (s->fn == LP_AGG_COUNT && e->args[0]->kind == LP_EXPR_LIT && !e->args[0]->lit.null) {
        s->fn = LP_AGG_COUNT_STAR;
        s->col = -1;
    }
    if (s->fn == LP_AGG_PERCENTILE || s->fn == LP_AGG_PERCENTILE_APPROX) {
        const lp_expr *pe = e->nargs > 1 ? e->args[1] : NULL;
        if (!pe || pe->kind != LP_EXPR_LIT || pe->lit.null ||
            (pe->lit.type.kind != LP_FLOAT64 && pe->lit.type.kind != LP_INT64)) {
            lp_diag_set(d, LP_ETYPE, "%s needs a literal percentage between 0 and 1", fi->name);
            lp_diag_hint(d, "e.g. F.%s('x', 0.5); for several percentages use one call each", fi->name);
            lp_diag_span(d, pe ? pe->start : e->start, pe ? pe->end : e->end);
            return LP_ETYPE;
        }
        s->p = pe->lit.type.kind == LP_FLOAT64 ? pe->lit.u.f : (double)pe->lit.u.i;
        if (!(s->p >= 0 && s->p <= 1)) {
            lp_diag_set(d, LP_EVALUE, "the percentage of %s must be between 0 and 1, got %g", fi->name, s->p);
            lp_diag_span(d, pe->start, pe->end);
            return LP_EVALUE;
        }
    }
    if ((s->fn == LP_AGG_FIRST || s->fn == LP_AGG_LAST) && e->nargs > 1) {
        const lp_expr *ie = e->args[1];
        if (ie->kind != LP_EXPR_LIT || ie->lit.type.kind != LP_BOOL || ie->lit.null) {
            lp_diag_set(d, LP_ETYPE, "the second argument of %s (ignorenulls) must be True or False", fi->name);
            lp_diag_span(d, ie->start, ie->end);
            return LP_ETYPE;
        }
        s->ignore_nulls = ie->lit.u.b;
    }
    return LP_OK;
}

LP_WUR lp_status lp_plan_aggregate(lp_plan *in, lp_expr *const *keys, const char *const *keynames, int nkeys,
                                   lp_expr *const *aggs, const char *const *aggnames, int naggs, lp_plan **out,
                                   lp_diag *d) {
    lp_arena a;
    lp_arena_init(&a);
    aggplan ap = {.a = &a, .nkeys = nkeys};
    lp_plan *pre = NULL, *agg = NULL, *post = NULL;
    lp_status st = LP_OK;
    *out = NULL;
    /* the keys are the first pre columns, one each */
    for (int i = 0; st == LP_OK && i < nkeys; i++) {
        bool added;
        if ((st = no_agg(keys[i], "groupBy keys", d)) != LP_OK) break;
        if (exprset_add(&a, &ap.pre, keys[i], &added) < 0) {
            st = lp_diag_nomem(d, "plan");
        } else if (!added) {
            lp_diag_set(d, LP_EVALUE, "the same grouping key is given twice");
            lp_diag_span(d, keys[i]->start, keys[i]->end);
            st = LP_EVALUE;
        }
    }
    for (int i = 0; st == LP_OK && i < naggs; i++) st = collect_calls(&ap, aggs[i], false, d);
    lp_aggspec *specs = st == LP_OK ? lp_arena_zalloc(&a, sizeof(lp_aggspec) * (size_t)(ap.calls.n + 1)) : NULL;
    if (st == LP_OK && !specs) st = lp_diag_nomem(d, "plan");
    int *argcol = st == LP_OK ? lp_arena_zalloc(&a, sizeof(int) * (size_t)(ap.calls.n + 1)) : NULL;
    if (st == LP_OK && !argcol) st = lp_diag_nomem(d, "plan");
    for (int i = 0; st == LP_OK && i < ap.calls.n; i++) {
        lp_expr *arg = ap.calls.e[i]->args[0];
        /* count(1) counts rows: no column to compute */
        if (ap.calls.e[i]->fn == LP_FN_AGG_COUNT && arg->kind == LP_EXPR_LIT && !arg->lit.null) {
            argcol[i] = -1;
            continue;
        }
        bool added;
        argcol[i] = exprset_add(&a, &ap.pre, arg, &added);
        if (argcol[i] < 0) st = lp_diag_nomem(d, "plan");
    }
    /* 1. the pre-projection: keys and aggregate arguments */
    const char **prenames = st == LP_OK ? lp_arena_zalloc(&a, sizeof(char *) * (size_t)(ap.pre.n + 1)) : NULL;
    if (st == LP_OK && !prenames) st = lp_diag_nomem(d, "plan");
    for (int i = 0; st == LP_OK && keynames && i < nkeys; i++) prenames[i] = keynames[i];
    if (st == LP_OK) st = lp_plan_project(in, ap.pre.e, prenames, ap.pre.n, &pre, d);
    for (int i = 0; st == LP_OK && i < nkeys; i++)
        if (pre->types[i].kind == LP_VECTOR) {
            lp_diag_set(d, LP_ETYPE, "cannot group by a vector column (%s)", pre->names[i]);
            lp_diag_hint(d, "vectors have no equality to group on; group by vector_to_array(...) instead");
            lp_diag_span(d, keys[i]->start, keys[i]->end);
            st = LP_ETYPE;
        }
    for (int i = 0; st == LP_OK && i < ap.calls.n; i++) st = make_spec(ap.calls.e[i], argcol[i], &specs[i], d);
    /* 2. the aggregate */
    if (st == LP_OK && !(agg = node_new(LP_PLAN_AGG, nkeys + ap.calls.n, pre, NULL))) st = lp_diag_nomem(d, "plan");
    if (st == LP_OK) {
        agg->nkeys = nkeys;
        agg->naggs = ap.calls.n;
        agg->keys = lp_arena_zalloc(&agg->arena, sizeof(int) * (size_t)(nkeys + 1));
        agg->aggs = lp_arena_zalloc(&agg->arena, sizeof(lp_aggspec) * (size_t)(ap.calls.n + 1));
        if (!agg->keys || !agg->aggs) st = lp_diag_nomem(d, "plan");
    }
    for (int i = 0; st == LP_OK && i < nkeys; i++) {
        agg->keys[i] = i;
        const char *nm = keynames && keynames[i] ? keynames[i] : pre->names[i];
        if (!set_col(agg, i, nm, pre->types[i])) st = lp_diag_nomem(d, "plan");
    }
    for (int i = 0; st == LP_OK && i < ap.calls.n; i++) {
        const lp_aggspec *s = &specs[i];
        lp_type t = lp_agg_result_type(s->fn, s->col >= 0 ? pre->types[s->col] : lp_type_of(LP_INT64));
        agg->aggs[i] = *s;
        if (!set_col(agg, nkeys + i, ap.calls.text[i], t)) st = lp_diag_nomem(d, "plan");
        else agg->aggs[i].name = agg->names[nkeys + i];
    }
    /* 3. the outputs over the aggregate: keys, then each agg expression rewritten */
    bool identity = st == LP_OK && naggs == ap.calls.n;
    for (int i = 0; identity && i < naggs; i++) {
        const char *t = lp_expr_print(&a, aggs[i]);
        identity = t && strcmp(ap.calls.text[i], t) == 0 && (!aggnames || !aggnames[i]);
    }
    if (st == LP_OK && identity) {
        *out = agg;
        agg = NULL;
    } else if (st == LP_OK) {
        lp_expr **outs = lp_arena_zalloc(&a, sizeof(lp_expr *) * (size_t)(nkeys + naggs + 1));
        const char **names = lp_arena_zalloc(&a, sizeof(char *) * (size_t)(nkeys + naggs + 1));
        if (!outs || !names) st = lp_diag_nomem(d, "plan");
        for (int i = 0; st == LP_OK && i < nkeys; i++) {
            names[i] = agg->names[i];
            if (!(outs[i] = lp_expr_col_index(&a, i, agg->names[i], -1, -1))) st = lp_diag_nomem(d, "plan");
        }
        for (int i = 0; st == LP_OK && i < naggs; i++) {
            st = rewrite(&ap, aggs[i], agg->names, &outs[nkeys + i], d);
            if (st == LP_OK && !(names[nkeys + i] = aggnames && aggnames[i] ? aggnames[i] : lp_expr_print(&a, aggs[i])))
                st = lp_diag_nomem(d, "plan");
        }
        if (st == LP_OK) st = lp_plan_project(agg, outs, names, nkeys + naggs, &post, d);
        if (st == LP_OK) *out = post;
    }
    lp_plan_unref(pre);
    lp_plan_unref(agg);
    lp_arena_reset(&a);
    return st;
}

/* ---- window functions ---- */

/* The decomposition of a projection with window calls: the pre-projection (the input's columns
 * first, then computed partition keys, order keys and arguments) and the distinct calls. */
typedef struct winplan {
    lp_arena *a;
    exprset pre;
    exprset calls;
} winplan;

static lp_status win_err(lp_diag *d, lp_status st, int64_t start, int64_t end, const char *hint, const char *fmt,
                         const char *arg) {
    lp_diag_set(d, st, fmt, arg);
    if (hint) lp_diag_hint(d, "%s", hint);
    lp_diag_span(d, start, end);
    return st;
}

/* Collects the window calls of e; a window inside a window call, or an aggregate outside one,
 * is an error. */
static lp_status collect_windows(winplan *wp, lp_expr *e, bool inside, lp_diag *d) {
    if (e->kind == LP_EXPR_WINDOW) {
        if (inside)
            return win_err(d, LP_ETYPE, e->start, e->end, "compute the inner one into a column with withColumn first",
                           "a window function cannot be used inside another window function%s", "");
        if (!e->win) {
            const char *f = e->fname ? e->fname : "?";
            lp_diag_set(d, LP_ETYPE, "%s() is a window function: it needs a window, as %s().over(w)", f, f);
            lp_diag_hint(d, "w = Window.partitionBy('g').orderBy('t'), then F.%s().over(w) in select or withColumn", f);
            lp_diag_span(d, e->start, e->end);
            return LP_ETYPE;
        }
        bool added;
        if (exprset_add(wp->a, &wp->calls, e, &added) < 0) return lp_diag_nomem(d, "plan");
        for (int i = 0; i < e->nargs; i++) {
            lp_status st = collect_windows(wp, e->args[i], true, d);
            if (st != LP_OK) return st;
        }
        return LP_OK;
    }
    if (!inside && e->kind == LP_EXPR_CALL) {
        const lp_fninfo *fi = lp_fn_info(e->fn);
        if (fi && (fi->flags & LP_FNF_AGG))
            return win_err(d, LP_EUNSUPPORTED, e->start, e->end,
                           "aggregate with groupBy(...).agg(...) in one step, then add window columns to its result",
                           "an aggregate and window functions in one select are not supported%s", "");
    }
    for (int i = 0; i < e->nargs; i++) {
        lp_status st = collect_windows(wp, e->args[i], inside, d);
        if (st != LP_OK) return st;
    }
    return LP_OK;
}

/* Adds e to the pre-projection; its index in *col. */
static lp_status win_pre(winplan *wp, lp_expr *e, int *col, lp_diag *d) {
    bool added;
    if (lp_expr_has_agg(e))
        return win_err(d, LP_EUNSUPPORTED, e->start, e->end,
                       "aggregate with groupBy(...).agg(...) first, then use its column in the window",
                       "an aggregate inside a window function is not supported%s", "");
    *col = exprset_add(wp->a, &wp->pre, e, &added);
    return *col < 0 ? lp_diag_nomem(d, "plan") : LP_OK;
}

/* The literal int argument i of window call w (ntile's buckets, lag's offset). */
static lp_status win_int_arg(const lp_expr *w, int i, int64_t *v, lp_diag *d) {
    const lp_expr *x = w->args[i];
    if (x->kind != LP_EXPR_LIT || x->lit.null || x->lit.type.kind != LP_INT64)
        return win_err(d, LP_ETYPE, x->start, x->end, NULL, "%s needs a literal integer here", w->fname);
    *v = x->lit.u.i;
    return LP_OK;
}

/* The pieces of window call w: its lp_wincall (columns into the pre-projection), and its
 * partition keys, order keys and directions. */
typedef struct wincall_plan {
    lp_wincall c;
    int *pk, npk, *ok, nok;
    bool *desc, *nf;
    const lp_expr *call;
} wincall_plan;

static lp_status plan_call(winplan *wp, const lp_plan *in, lp_expr *w, wincall_plan *cp, lp_diag *d) {
    const lp_winspec *ws = w->win;
    lp_wincall *c = &cp->c;
    lp_status st = LP_OK;
    memset(cp, 0, sizeof *cp);
    cp->call = w;
    c->fn = (lp_winfn)w->wfn;
    c->col = c->dflt = -1;
    const char *fname = w->fname ? w->fname : "?";
    if (c->fn != LP_WIN_AGG) {
        if (ws->norder == 0)
            return win_err(d, LP_ETYPE, w->start, w->end,
                           "order the window, e.g. Window.partitionBy('g').orderBy('t')",
                           "%s() needs an ordered window: the window has no orderBy", fname);
        if (ws->frame.kind != LP_FRAME_DEFAULT)
            return win_err(d, LP_ETYPE, ws->fstart >= 0 ? ws->fstart : w->start, ws->fstart >= 0 ? ws->fend : w->end,
                           "leave rowsBetween/rangeBetween out of this window",
                           "%s() does not take a frame: it always works on the rows in order", fname);
    }
    switch (c->fn) {
    case LP_WIN_AGG: {
        const lp_expr *agg = w->args[0];
        const lp_fninfo *fi = lp_fn_info(agg->fn);
        c->agg = (lp_aggfn)fi->agg;
        switch (c->agg) {
        case LP_AGG_COUNT_DISTINCT: case LP_AGG_MEDIAN: case LP_AGG_PERCENTILE: case LP_AGG_PERCENTILE_APPROX:
        case LP_AGG_COLLECT_LIST:
            return win_err(d, LP_EUNSUPPORTED, agg->start, agg->end,
                           "over a window: count, sum, avg, min, max, stddev, variance, first, last",
                           "%s is not supported over a window", fi->name);
        default: break;
        }
        lp_expr *arg = agg->args[0];
        if (c->agg == LP_AGG_COUNT && arg->kind == LP_EXPR_LIT && !arg->lit.null) c->agg = LP_AGG_COUNT_STAR;
        else if ((st = win_pre(wp, arg, &c->col, d)) != LP_OK) return st;
        if ((c->agg == LP_AGG_FIRST || c->agg == LP_AGG_LAST) && agg->nargs > 1) {
            const lp_expr *ie = agg->args[1];
            if (ie->kind != LP_EXPR_LIT || ie->lit.type.kind != LP_BOOL || ie->lit.null)
                return win_err(d, LP_ETYPE, ie->start, ie->end, NULL,
                               "the second argument of %s (ignorenulls) must be True or False", fi->name);
            c->ignore_nulls = ie->lit.u.b;
        }
        break;
    }
    case LP_WIN_NTILE:
        if ((st = win_int_arg(w, 0, &c->n, d)) != LP_OK) return st;
        if (c->n < 1)
            return win_err(d, LP_EVALUE, w->args[0]->start, w->args[0]->end, NULL,
                           "ntile needs a positive number of buckets%s", "");
        break;
    case LP_WIN_LAG: case LP_WIN_LEAD: {
        if ((st = win_pre(wp, w->args[0], &c->col, d)) != LP_OK) return st;
        if ((st = win_int_arg(w, 1, &c->n, d)) != LP_OK) return st;
        lp_expr *dv = w->nargs > 2 ? w->args[2] : NULL;
        if (dv && !(dv->kind == LP_EXPR_LIT && dv->lit.null)) {
            /* the default takes the value's type */
            lp_expr *v = lp_expr_clone(wp->a, w->args[0]);
            if (!v) return lp_diag_nomem(d, "plan");
            if ((st = lp_expr_bind(v, in->ncols, (const char *const *)in->names, in->types, d)) != LP_OK) return st;
            lp_expr *cd = lp_expr_cast(wp->a, dv, v->type, dv->start, dv->end);
            if (!cd) return lp_diag_nomem(d, "plan");
            cd->implicit = true;
            if ((st = win_pre(wp, cd, &c->dflt, d)) != LP_OK) return st;
        }
        break;
    }
    default: break;
    }
    cp->npk = ws->npart;
    cp->nok = ws->norder;
    cp->pk = lp_arena_zalloc(wp->a, sizeof(int) * (size_t)(ws->npart + 1));
    cp->ok = lp_arena_zalloc(wp->a, sizeof(int) * (size_t)(ws->norder + 1));
    cp->desc = lp_arena_zalloc(wp->a, sizeof(bool) * (size_t)(ws->norder + 1));
    cp->nf = lp_arena_zalloc(wp->a, sizeof(bool) * (size_t)(ws->norder + 1));
    if (!cp->pk || !cp->ok || !cp->desc || !cp->nf) return lp_diag_nomem(d, "plan");
    for (int i = 0; i < ws->npart; i++)
        if ((st = win_pre(wp, ws->part[i], &cp->pk[i], d)) != LP_OK) return st;
    for (int i = 0; i < ws->norder; i++) {
        if ((st = win_pre(wp, ws->order[i], &cp->ok[i], d)) != LP_OK) return st;
        cp->desc[i] = ws->desc[i];
        cp->nf[i] = ws->nulls[i] < 0 ? !ws->desc[i] : ws->nulls[i] == 1;
    }
    c->frame = lp_window_frame(c->fn, c->n, ws->norder, ws->frame);
    return LP_OK;
}

/* Checks a planned call against the pre-projection's types. */
static lp_status check_call(const lp_plan *pre, const wincall_plan *cp, lp_diag *d) {
    const lp_wincall *c = &cp->c;
    const lp_winspec *ws = cp->call->win;
    lp_type t = c->col >= 0 ? pre->types[c->col] : lp_type_of(LP_INT64);
    if (lp_window_result_type(c, t).kind == LP_NULLTYPE) {
        const lp_expr *at = c->fn == LP_WIN_AGG ? cp->call->args[0] : cp->call;
        lp_diag_set(d, LP_ETYPE, "%s does not apply to %s values", at->fname ? at->fname : "this function",
                    lp_type_name(t));
        lp_diag_hint(d, "sum, avg, stddev and variance take numbers; count, min, max, first and last any column");
        lp_diag_span(d, at->start, at->end);
        return LP_ETYPE;
    }
    for (int i = 0; i < cp->npk; i++)
        if (pre->types[cp->pk[i]].kind == LP_LIST)
            return win_err(d, LP_ETYPE, ws->part[i]->start, ws->part[i]->end, NULL,
                           "cannot partition a window by a list column (%s)", lp_type_name(pre->types[cp->pk[i]]));
    for (int i = 0; i < cp->nok; i++)
        if (pre->types[cp->ok[i]].kind == LP_LIST)
            return win_err(d, LP_ETYPE, ws->order[i]->start, ws->order[i]->end, NULL,
                           "cannot order a window by a list column (%s)", lp_type_name(pre->types[cp->ok[i]]));
    bool offsets = c->fn == LP_WIN_AGG && c->frame.kind == LP_FRAME_RANGE &&
                   ((c->frame.lo != LP_FRAME_UNBOUNDED_LO && c->frame.lo != 0) ||
                    (c->frame.hi != LP_FRAME_UNBOUNDED_HI && c->frame.hi != 0));
    if (!offsets) return LP_OK;
    int64_t fs = ws->fstart >= 0 ? ws->fstart : cp->call->start, fe = ws->fstart >= 0 ? ws->fend : cp->call->end;
    if (cp->nok != 1) {
        lp_diag_set(d, LP_ETYPE, "a RANGE frame with offsets needs exactly one order column, the window has %d",
                    cp->nok);
        lp_diag_hint(d, "order by the one value the range is measured on, or use rowsBetween");
        lp_diag_span(d, fs, fe);
        return LP_ETYPE;
    }
    lp_kind k = (lp_kind)pre->types[cp->ok[0]].kind;
    if (k != LP_INT64 && k != LP_FLOAT64 && k != LP_DATE && k != LP_TIMESTAMP) {
        lp_diag_set(d, LP_ETYPE, "a RANGE frame with offsets needs a numeric, date or timestamp order column, "
                    "got %s", lp_type_name(pre->types[cp->ok[0]]));
        lp_diag_hint(d, "order by a number (e.g. unixReviewTime) or cast the column, or use rowsBetween");
        lp_diag_span(d, fs, fe);
        return LP_ETYPE;
    }
    return LP_OK;
}

/* Whether two calls share PARTITION BY and ORDER BY (one window node computes both). */
static bool same_window(const wincall_plan *a, const wincall_plan *b) {
    if (a->npk != b->npk || a->nok != b->nok) return false;
    for (int i = 0; i < a->npk; i++)
        if (a->pk[i] != b->pk[i]) return false;
    for (int i = 0; i < a->nok; i++)
        if (a->ok[i] != b->ok[i] || a->desc[i] != b->desc[i] || a->nf[i] != b->nf[i]) return false;
    return true;
}

/* e with every window call replaced by its output column (outcol[k] for call k). */
static lp_status win_rewrite(winplan *wp, lp_expr *e, const int *outcol, char *const *outnames, lp_diag *d) {
    for (int i = 0; i < e->nargs; i++) {
        lp_expr *x = e->args[i];
        if (x->kind != LP_EXPR_WINDOW) {
            lp_status st = win_rewrite(wp, x, outcol, outnames, d);
            if (st != LP_OK) return st;
            continue;
        }
        char *t = lp_expr_print(wp->a, x);
        if (!t) return lp_diag_nomem(d, "plan");
        for (int k = 0; k < wp->calls.n; k++)
            if (strcmp(wp->calls.text[k], t) == 0) {
                e->args[i] = lp_expr_col_index(wp->a, outcol[k], outnames[outcol[k]], x->start, x->end);
                if (!e->args[i]) return lp_diag_nomem(d, "plan");
            }
    }
    return LP_OK;
}

static lp_status plan_windows(lp_plan *in, lp_expr *const *exprs, const char *const *names, int n, lp_plan **out,
                              lp_diag *d) {
    lp_arena a;
    lp_arena_init(&a);
    winplan wp = {.a = &a};
    lp_plan *cur = NULL;
    lp_status st = LP_OK;
    *out = NULL;
    for (int i = 0; st == LP_OK && i < in->ncols; i++) {
        bool added;
        lp_expr *c = lp_expr_col_index(&a, i, in->names[i], -1, -1);
        if (!c || exprset_add(&a, &wp.pre, c, &added) < 0) st = lp_diag_nomem(d, "plan");
    }
    for (int i = 0; st == LP_OK && i < n; i++) st = collect_windows(&wp, exprs[i], false, d);
    wincall_plan *cps = st == LP_OK ? lp_arena_zalloc(&a, sizeof *cps * (size_t)(wp.calls.n + 1)) : NULL;
    int *outcol = st == LP_OK ? lp_arena_zalloc(&a, sizeof(int) * (size_t)(wp.calls.n + 1)) : NULL;
    bool *done = st == LP_OK ? lp_arena_zalloc(&a, sizeof(bool) * (size_t)(wp.calls.n + 1)) : NULL;
    if (st == LP_OK && (!cps || !outcol || !done)) st = lp_diag_nomem(d, "plan");
    for (int k = 0; st == LP_OK && k < wp.calls.n; k++) st = plan_call(&wp, in, wp.calls.e[k], &cps[k], d);
    /* 1. the pre-projection (none when every key and argument is an input column) */
    if (st == LP_OK && wp.pre.n == in->ncols) cur = lp_plan_ref(in);
    else if (st == LP_OK) st = lp_plan_project(in, wp.pre.e, NULL, wp.pre.n, &cur, d);
    for (int k = 0; st == LP_OK && k < wp.calls.n; k++) st = check_call(cur, &cps[k], d);
    /* 2. one window node per distinct PARTITION BY / ORDER BY, in order of first use */
    for (int k = 0; st == LP_OK && k < wp.calls.n; k++) {
        if (done[k]) continue;
        int m = 0;
        for (int j = k; j < wp.calls.n; j++) m += !done[j] && same_window(&cps[k], &cps[j]);
        lp_plan *w = node_new(LP_PLAN_WINDOW, cur->ncols + m, cur, NULL);
        if (!w || !copy_schema(w, cur, 0)) {
            lp_plan_unref(w);
            st = lp_diag_nomem(d, "plan");
            break;
        }
        w->nkeys = cps[k].npk;
        w->nsort = cps[k].nok;
        w->nwins = m;
        w->keys = lp_arena_zalloc(&w->arena, sizeof(int) * (size_t)(w->nkeys + 1));
        w->sort = lp_arena_zalloc(&w->arena, sizeof(lp_sortkey) * (size_t)(w->nsort + 1));
        w->wins = lp_arena_zalloc(&w->arena, sizeof(lp_wincall) * (size_t)(m + 1));
        if (!w->keys || !w->sort || !w->wins) st = lp_diag_nomem(d, "plan");
        for (int i = 0; st == LP_OK && i < w->nkeys; i++) w->keys[i] = cps[k].pk[i];
        for (int i = 0; st == LP_OK && i < w->nsort; i++)
            w->sort[i] = (lp_sortkey){cps[k].ok[i], cps[k].desc[i], cps[k].nf[i]};
        int at = 0;
        for (int j = k; st == LP_OK && j < wp.calls.n; j++) {
            if (done[j] || !same_window(&cps[k], &cps[j])) continue;
            done[j] = true;
            lp_wincall *c = &w->wins[at];
            *c = cps[j].c;
            lp_type t = c->col >= 0 ? cur->types[c->col] : lp_type_of(LP_INT64);
            outcol[j] = cur->ncols + at;
            if (!set_col(w, cur->ncols + at, wp.calls.text[j], lp_window_result_type(c, t)))
                st = lp_diag_nomem(d, "plan");
            else c->name = w->names[cur->ncols + at];
            at++;
        }
        lp_plan_unref(cur);
        cur = w;
    }
    /* 3. the expressions over the window columns */
    lp_expr **outs = st == LP_OK ? lp_arena_zalloc(&a, sizeof(lp_expr *) * (size_t)(n + 1)) : NULL;
    const char **onames = st == LP_OK ? lp_arena_zalloc(&a, sizeof(char *) * (size_t)(n + 1)) : NULL;
    if (st == LP_OK && (!outs || !onames)) st = lp_diag_nomem(d, "plan");
    for (int i = 0; st == LP_OK && i < n; i++) {
        if (!(onames[i] = names && names[i] ? names[i] : lp_expr_print(&a, exprs[i]))) {
            st = lp_diag_nomem(d, "plan");
            break;
        }
        /* a root holder, so the root itself can be replaced too */
        lp_expr *root = lp_expr_clone(&a, exprs[i]);
        lp_expr *holder = root ? lp_expr_call(&a, LP_FN_NEG, &root, 1, -1, -1) : NULL;
        if (!holder) {
            st = lp_diag_nomem(d, "plan");
            break;
        }
        st = win_rewrite(&wp, holder, outcol, cur->names, d);
        outs[i] = holder->args[0];
    }
    if (st == LP_OK) st = lp_plan_project(cur, outs, onames, n, out, d);
    lp_plan_unref(cur);
    lp_arena_reset(&a);
    return st;
}

/* ---- sort, limit, distinct, sample ---- */

LP_WUR lp_status lp_plan_sort(lp_plan *in, lp_expr *const *keys, const bool *desc, const int *nulls_first, int n,
                              lp_plan **out, lp_diag *d) {
    lp_arena a;
    lp_arena_init(&a);
    lp_plan *pre = NULL, *srt = NULL;
    lp_status st = LP_OK;
    *out = NULL;
    /* bare columns sort in place; anything else is computed into hidden columns first */
    int *idx = lp_arena_zalloc(&a, sizeof(int) * (size_t)(n + 1));
    lp_expr **pe = lp_arena_zalloc(&a, sizeof(lp_expr *) * (size_t)(in->ncols + n + 1));
    if (!idx || !pe) st = lp_diag_nomem(d, "plan");
    int extra = 0;
    for (int i = 0; st == LP_OK && i < n; i++) {
        if ((st = no_agg(keys[i], "orderBy keys", d)) != LP_OK) break;
        lp_expr *b = lp_expr_clone(&a, keys[i]);
        if (!b) { st = lp_diag_nomem(d, "plan"); break; }
        if ((st = lp_expr_bind(b, in->ncols, (const char *const *)in->names, in->types, d)) != LP_OK) break;
        if (b->type.kind == LP_LIST || b->type.kind == LP_VECTOR) {
            lp_diag_set(d, LP_ETYPE, "cannot sort by a %s column (%s)", b->type.kind == LP_VECTOR ? "vector" : "list",
                        lp_type_name(b->type));
            lp_diag_span(d, keys[i]->start, keys[i]->end);
            st = LP_ETYPE;
            break;
        }
        if (lp_expr_is_col(b)) idx[i] = b->col;
        else {
            idx[i] = in->ncols + extra;
            pe[in->ncols + extra++] = keys[i];
        }
    }
    lp_plan *src = in;
    if (st == LP_OK && extra) {
        for (int i = 0; i < in->ncols && st == LP_OK; i++)
            if (!(pe[i] = lp_expr_col_index(&a, i, in->names[i], -1, -1))) st = lp_diag_nomem(d, "plan");
        if (st == LP_OK) st = lp_plan_project(in, pe, NULL, in->ncols + extra, &pre, d);
        src = pre;
    }
    if (st == LP_OK && !(srt = node_new(LP_PLAN_SORT, src->ncols, src, NULL))) st = lp_diag_nomem(d, "plan");
    if (st == LP_OK && !copy_schema(srt, src, 0)) st = lp_diag_nomem(d, "plan");
    if (st == LP_OK && !(srt->sort = lp_arena_zalloc(&srt->arena, sizeof(lp_sortkey) * (size_t)(n + 1))))
        st = lp_diag_nomem(d, "plan");
    for (int i = 0; st == LP_OK && i < n; i++) {
        srt->sort[i].col = idx[i];
        srt->sort[i].desc = desc && desc[i];
        int nf = nulls_first ? nulls_first[i] : -1;
        srt->sort[i].nulls_first = nf < 0 ? !srt->sort[i].desc : nf == 1;
    }
    if (st == LP_OK) {
        srt->nsort = n;
        if (!extra) {
            *out = srt;
            srt = NULL;
        } else {
            for (int i = 0; i < in->ncols && st == LP_OK; i++)
                if (!(pe[i] = lp_expr_col_index(&a, i, in->names[i], -1, -1))) st = lp_diag_nomem(d, "plan");
            if (st == LP_OK) st = lp_plan_project(srt, pe, NULL, in->ncols, out, d);
        }
    }
    lp_plan_unref(pre);
    lp_plan_unref(srt);
    lp_arena_reset(&a);
    return st;
}

LP_WUR lp_status lp_plan_limit(lp_plan *in, int64_t n, lp_plan **out, lp_diag *d) {
    if (n < 0) {
        lp_diag_set(d, LP_EVALUE, "limit must be 0 or more, got %lld", (long long)n);
        return LP_EVALUE;
    }
    lp_plan *p = node_new(LP_PLAN_LIMIT, in->ncols, in, NULL);
    if (!p || !copy_schema(p, in, 0)) return fail(p, lp_diag_nomem(d, "plan"), out);
    p->limit = n;
    *out = p;
    return LP_OK;
}

/* Resolves a column name of p for a method that takes names, with Spark's lookup rules and a
 * teaching error. */
static lp_status name_index(const lp_plan *p, const char *name, int64_t start, int64_t end, int *out, lp_diag *d) {
    int i = lp_plan_col_index(p, name);
    if (i >= 0) {
        *out = i;
        return LP_OK;
    }
    lp_arena a;
    lp_arena_init(&a);
    lp_expr *e = lp_expr_col(&a, name, (size_t)-1, start, end);
    lp_status st = e ? lp_expr_bind(e, p->ncols, (const char *const *)p->names, p->types, d)
                     : lp_diag_nomem(d, "plan");
    lp_arena_reset(&a);
    if (st == LP_OK) {  /* cannot happen: lp_plan_col_index said no */
        lp_diag_set(d, LP_ENAME, "column '%s' does not exist", name);
        st = LP_ENAME;
    }
    return st;
}

LP_WUR lp_status lp_plan_distinct(lp_plan *in, const char *const *names, int n, const int64_t *starts,
                                  const int64_t *ends, lp_plan **out, lp_diag *d) {
    lp_plan *p = node_new(LP_PLAN_DISTINCT, in->ncols, in, NULL);
    if (!p || !copy_schema(p, in, 0)) return fail(p, lp_diag_nomem(d, "plan"), out);
    if (!(p->cols = lp_arena_zalloc(&p->arena, sizeof(int) * (size_t)(n + 1)))) return fail(p, lp_diag_nomem(d, "plan"), out);
    for (int i = 0; i < n; i++) {
        lp_status st = name_index(in, names[i], starts ? starts[i] : -1, ends ? ends[i] : -1, &p->cols[i], d);
        if (st != LP_OK) return fail(p, st, out);
    }
    p->ndistinct = n;
    *out = p;
    return LP_OK;
}

LP_WUR lp_status lp_plan_sample(lp_plan *in, double fraction, uint64_t seed, lp_plan **out, lp_diag *d) {
    if (!(fraction >= 0 && fraction <= 1)) {
        lp_diag_set(d, LP_EVALUE, "the sample fraction must be between 0 and 1, got %g", fraction);
        return LP_EVALUE;
    }
    lp_plan *p = node_new(LP_PLAN_SAMPLE, in->ncols, in, NULL);
    if (!p || !copy_schema(p, in, 0)) return fail(p, lp_diag_nomem(d, "plan"), out);
    p->fraction = fraction;
    p->seed = seed;
    *out = p;
    return LP_OK;
}

/* ---- union ---- */

LP_WUR lp_status lp_plan_union(lp_plan *a, lp_plan *b, bool by_name, lp_plan **out, lp_diag *d) {
    if (a->ncols != b->ncols) {
        lp_diag_set(d, LP_ETYPE, "union needs the same number of columns, got %d and %d", a->ncols, b->ncols);
        lp_diag_hint(d, "select the same columns on both sides first");
        return LP_ETYPE;
    }
    lp_plan *bb = NULL;
    if (by_name) {
        lp_arena ar;
        lp_arena_init(&ar);
        lp_expr **cols = lp_arena_zalloc(&ar, sizeof(lp_expr *) * (size_t)(a->ncols + 1));
        lp_status st = cols ? LP_OK : lp_diag_nomem(d, "plan");
        for (int i = 0; st == LP_OK && i < a->ncols; i++) {
            int j = lp_plan_col_index(b, a->names[i]);
            if (j < 0) {
                lp_diag_set(d, LP_ENAME, "unionByName: column '%s' is missing on the right side", a->names[i]);
                st = LP_ENAME;
            } else if (!(cols[i] = lp_expr_col_index(&ar, j, b->names[j], -1, -1))) {
                st = lp_diag_nomem(d, "plan");
            }
        }
        if (st == LP_OK) st = lp_plan_project(b, cols, (const char *const *)a->names, a->ncols, &bb, d);
        lp_arena_reset(&ar);
        if (st != LP_OK) return st;
        b = bb;
    }
    lp_plan *p = node_new(LP_PLAN_UNION, a->ncols, a, b);
    lp_plan_unref(bb);
    if (!p || !copy_schema(p, a, 0)) return fail(p, lp_diag_nomem(d, "plan"), out);
    for (int i = 0; i < a->ncols; i++) {
        lp_type ta = a->types[i], tb = p->in[1]->types[i];
        lp_type u = lp_type_unify(ta, tb);
        if (u.kind == LP_NULLTYPE && !(ta.kind == LP_NULLTYPE && tb.kind == LP_NULLTYPE)) {
            lp_diag_set(d, LP_ETYPE, "union: column %d ('%s') is %s on one side and %s on the other", i + 1,
                        a->names[i], lp_type_name(ta), lp_type_name(tb));
            lp_diag_hint(d, "cast one side so both have the same type");
            return fail(p, LP_ETYPE, out);
        }
        p->types[i] = u;
    }
    *out = p;
    return LP_OK;
}

/* ---- joins ---- */

static bool joinable(lp_type a, lp_type b) {
    return lp_type_eq(a, b) || (lp_type_numeric(a) && lp_type_numeric(b));
}

/* The join node proper: left ++ right (or left only for semi/anti). */
static lp_status join_node(lp_plan *left, lp_plan *right, const int *lk, const int *rk, int nk, lp_join_how how,
                           lp_plan **out, lp_diag *d) {
    bool leftonly = how == LP_JOIN_SEMI || how == LP_JOIN_ANTI;
    lp_plan *p = node_new(LP_PLAN_JOIN, left->ncols + (leftonly ? 0 : right->ncols), left, right);
    if (!p || !copy_schema(p, left, 0) || (!leftonly && !copy_schema(p, right, left->ncols)))
        return fail(p, lp_diag_nomem(d, "plan"), out);
    p->how = how;
    p->njoinkeys = nk;
    p->lkeys = lp_arena_zalloc(&p->arena, sizeof(int) * (size_t)(nk + 1));
    p->rkeys = lp_arena_zalloc(&p->arena, sizeof(int) * (size_t)(nk + 1));
    if (!p->lkeys || !p->rkeys) return fail(p, lp_diag_nomem(d, "plan"), out);
    for (int i = 0; i < nk; i++) {
        p->lkeys[i] = lk[i];
        p->rkeys[i] = rk[i];
        if (!joinable(left->types[lk[i]], right->types[rk[i]])) {
            lp_diag_set(d, LP_ETYPE, "cannot join %s column '%s' with %s column '%s'", lp_type_name(left->types[lk[i]]),
                        left->names[lk[i]], lp_type_name(right->types[rk[i]]), right->names[rk[i]]);
            lp_diag_hint(d, "cast one of them so both keys have the same type");
            return fail(p, LP_ETYPE, out);
        }
    }
    /* outer joins make the other side's columns nullable; types are unchanged */
    *out = p;
    return LP_OK;
}

LP_WUR lp_status lp_plan_join_using(lp_plan *left, lp_plan *right, const char *const *names, int n,
                                    lp_join_how how, lp_plan **out, lp_diag *d) {
    int lk[64] = {0}, rk[64] = {0};
    *out = NULL;
    if (n > 64) {
        lp_diag_set(d, LP_ELIMIT, "a join takes at most 64 key columns, got %d", n);
        return LP_ELIMIT;
    }
    for (int i = 0; i < n; i++) {
        lp_status st = name_index(left, names[i], -1, -1, &lk[i], d);
        if (st == LP_OK) st = name_index(right, names[i], -1, -1, &rk[i], d);
        if (st != LP_OK) {
            if (st == LP_ENAME) {
                char msg[sizeof d->msg];
                snprintf(msg, sizeof msg, "join key '%s' is not a column of the %s side", names[i],
                         lp_plan_col_index(left, names[i]) < 0 ? "left" : "right");
                snprintf(d->msg, sizeof d->msg, "%s", msg);
            }
            return st;
        }
    }
    lp_plan *j = NULL;
    lp_status st = join_node(left, right, lk, rk, n, how, &j, d);
    if (st != LP_OK || how == LP_JOIN_SEMI || how == LP_JOIN_ANTI || n == 0) {
        *out = j;
        return st;
    }
    /* USING: the keys once, first (coalesced for full joins, the right's for right joins), then
     * the left's other columns, then the right's */
    lp_arena a;
    lp_arena_init(&a);
    int ncols = n + (left->ncols - n) + (right->ncols - n);
    lp_expr **cols = lp_arena_zalloc(&a, sizeof(lp_expr *) * (size_t)(ncols + 1));
    const char **nm = lp_arena_zalloc(&a, sizeof(char *) * (size_t)(ncols + 1));
    int k = 0;
    if (!cols || !nm) st = lp_diag_nomem(d, "plan");
    for (int i = 0; st == LP_OK && i < n; i++, k++) {
        lp_expr *l = lp_expr_col_index(&a, lk[i], left->names[lk[i]], -1, -1);
        lp_expr *r = lp_expr_col_index(&a, left->ncols + rk[i], right->names[rk[i]], -1, -1);
        lp_expr *two[2] = {l, r};
        cols[k] = how == LP_JOIN_FULL ? lp_expr_call(&a, LP_FN_COALESCE, two, 2, -1, -1) : how == LP_JOIN_RIGHT ? r : l;
        nm[k] = left->names[lk[i]];
        if (!cols[k]) st = lp_diag_nomem(d, "plan");
    }
    for (int side = 0; side < 2 && st == LP_OK; side++) {
        lp_plan *sp = side ? right : left;
        const int *keys = side ? rk : lk;
        for (int c = 0; c < sp->ncols && st == LP_OK; c++) {
            bool iskey = false;
            for (int i = 0; i < n; i++) iskey |= keys[i] == c;
            if (iskey) continue;
            nm[k] = sp->names[c];
            if (!(cols[k++] = lp_expr_col_index(&a, (side ? left->ncols : 0) + c, sp->names[c], -1, -1)))
                st = lp_diag_nomem(d, "plan");
        }
    }
    if (st == LP_OK) st = lp_plan_project(j, cols, nm, k, out, d);
    lp_arena_reset(&a);
    lp_plan_unref(j);
    return st;
}

/* Pins every column reference of a bound tree to its index, so that rebinding it elsewhere
 * (the residual filter over a join's output, whose names may repeat) cannot re-resolve it. */
static void pin_cols(lp_expr *e) {
    if (e->kind == LP_EXPR_COL) e->by_index = true;
    for (int i = 0; e->kind == LP_EXPR_CALL && i < e->nargs; i++) pin_cols(e->args[i]);
}

/* Splits a bound condition over left ++ right into equi-key pairs and a residual. */
static lp_status split_cond(lp_arena *a, lp_expr *e, int nleft, int *lk, int *rk, int *nk, lp_expr **resid) {
    if (e->kind == LP_EXPR_CALL && e->fn == LP_FN_AND) {
        lp_status st = split_cond(a, e->args[0], nleft, lk, rk, nk, resid);
        return st != LP_OK ? st : split_cond(a, e->args[1], nleft, lk, rk, nk, resid);
    }
    if (e->kind == LP_EXPR_CALL && e->fn == LP_FN_EQ && *nk < 64) {
        lp_expr *x = e->args[0], *y = e->args[1];
        while (x->implicit) x = x->args[0];
        while (y->implicit) y = y->args[0];
        if (x->kind == LP_EXPR_COL && y->kind == LP_EXPR_COL && (x->col < nleft) != (y->col < nleft)) {
            if (x->col >= nleft) {
                lp_expr *t = x;
                x = y;
                y = t;
            }
            lk[*nk] = x->col;
            rk[*nk] = y->col - nleft;
            (*nk)++;
            return LP_OK;
        }
    }
    if (!*resid) {
        *resid = e;
        return LP_OK;
    }
    lp_expr *two[2] = {*resid, e};
    *resid = lp_expr_call(a, LP_FN_AND, two, 2, -1, -1);
    return *resid ? LP_OK : LP_ENOMEM;
}

LP_WUR lp_status lp_plan_join_on(lp_plan *left, lp_plan *right, const lp_expr *cond, lp_join_how how,
                                 lp_plan **out, lp_diag *d) {
    *out = NULL;
    if (!cond) return join_node(left, right, NULL, NULL, 0, how == LP_JOIN_INNER ? LP_JOIN_CROSS : how, out, d);
    lp_arena a;
    lp_arena_init(&a);
    int n = left->ncols + right->ncols;
    const char **names = lp_arena_zalloc(&a, sizeof(char *) * (size_t)(n + 1));
    lp_type *types = lp_arena_zalloc(&a, sizeof(lp_type) * (size_t)(n + 1));
    lp_expr *c = lp_expr_clone(&a, cond);
    lp_status st = names && types && c ? LP_OK : lp_diag_nomem(d, "plan");
    for (int i = 0; st == LP_OK && i < n; i++) {
        names[i] = i < left->ncols ? left->names[i] : right->names[i - left->ncols];
        types[i] = i < left->ncols ? left->types[i] : right->types[i - left->ncols];
    }
    if (st == LP_OK) st = no_agg(cond, "join conditions", d);
    if (st == LP_OK) st = lp_expr_bind(c, n, names, types, d);
    if (st == LP_OK) pin_cols(c);
    if (st == LP_OK && c->type.kind != LP_BOOL) {
        lp_diag_set(d, LP_ETYPE, "a join condition must be a boolean, got %s", lp_type_name(c->type));
        lp_diag_span(d, cond->start, cond->end);
        st = LP_ETYPE;
    }
    int lk[64], rk[64], nk = 0;
    lp_expr *resid = NULL;
    if (st == LP_OK && split_cond(&a, c, left->ncols, lk, rk, &nk, &resid) != LP_OK) st = lp_diag_nomem(d, "plan");
    if (st == LP_OK && resid && how != LP_JOIN_INNER) {
        lp_diag_set(d, LP_EUNSUPPORTED, "a %s join condition must be equalities between the two sides, combined with and",
                     how == LP_JOIN_LEFT ? "left" : how == LP_JOIN_RIGHT ? "right" : how == LP_JOIN_FULL ? "full" : "semi/anti");
        lp_diag_hint(d, "join on the equal keys, then filter the result");
        lp_diag_span(d, cond->start, cond->end);
        st = LP_EUNSUPPORTED;
    }
    lp_plan *j = NULL;
    if (st == LP_OK) st = join_node(left, right, lk, rk, nk, nk == 0 && how == LP_JOIN_INNER ? LP_JOIN_CROSS : how, &j, d);
    if (st == LP_OK && resid) {
        /* the residual was bound over left ++ right, which is the join's output */
        st = lp_plan_filter(j, resid, out, d);
        lp_plan_unref(j);
    } else if (st == LP_OK) {
        *out = j;
    }
    lp_arena_reset(&a);
    return st;
}
