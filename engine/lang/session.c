/* session.c -- the public session API (loupe.h): variables, temp views, running a cell,
 * displaying values, warnings, spark.sql and help().
 *
 * DESIGN
 * loupe_run parses the whole cell first (a syntax error anywhere runs nothing, as in Python),
 * then runs its statements in order and stops at the first error. A statement changes the
 * session only when it succeeds: an assignment binds its name after the value is computed, so
 * an error never loses or half-changes a variable. Every expression statement whose value is
 * not None is displayed (not only the last, as in IPython: a workshop cell that computes two
 * things shows both, and a script shows what it computes).
 *
 * A cell's text, tree and temporaries live in a statement arena reset when the cell ends;
 * values that outlive it (variables) own their memory (value.c, plan.c).
 */
#include "lang/interp.h"
#include "lang/help.h"
#include "lang/sql.h"
#include "lang/ml.h"
#include "render/chart.h"
#include "render/render.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Atomic int64_t cells;

loupe_session *loupe_session_new(void) {
    loupe_session *s = lp_calloc(1, sizeof *s);
    if (!s) return NULL;
    s->display_rows = 10;
    s->width = 100;
    s->max_cell = 40;
    return s;
}

void loupe_session_free(loupe_session *s) {
    if (!s) return;
    for (int i = 0; i < s->nvars; i++) {
        lp_free(s->vars[i].name);
        lp_val_unref(s->vars[i].v);
    }
    lp_free(s->vars);
    for (int i = 0; i < s->nviews; i++) {
        lp_free(s->views[i].name);
        lp_plan_unref(s->views[i].plan);
    }
    lp_free(s->views);
    lp_free(s);
}

void loupe_session_set_display_rows(loupe_session *s, int64_t rows) { s->display_rows = rows < 0 ? 10 : rows; }
void loupe_session_set_width(loupe_session *s, int width) { s->width = width < 0 ? 0 : width; }
void loupe_session_set_max_cell(loupe_session *s, int chars) { s->max_cell = chars < 4 ? 4 : chars; }

/* ---- variables and views ---- */

lp_val *lp_sess_get(loupe_session *s, const char *name) {
    for (int i = 0; i < s->nvars; i++)
        if (strcmp(s->vars[i].name, name) == 0) return s->vars[i].v;
    return NULL;
}

LP_WUR lp_status lp_sess_set(loupe_session *s, const char *name, lp_val *v) {
    for (int i = 0; i < s->nvars; i++)
        if (strcmp(s->vars[i].name, name) == 0) {
            lp_val *old = s->vars[i].v;
            s->vars[i].v = lp_val_ref(v);
            lp_val_unref(old);
            return LP_OK;
        }
    if (s->nvars == s->capvars) {
        int nc = s->capvars ? s->capvars * 2 : 16;
        lp_var *nv = lp_realloc(s->vars, sizeof *nv * (size_t)nc);
        if (!nv) return lp_diag_nomem(s->d, "session");
        s->vars = nv;
        s->capvars = nc;
    }
    char *n = lp_strdup(name);
    if (!n) return lp_diag_nomem(s->d, "session");
    s->vars[s->nvars].name = n;
    s->vars[s->nvars++].v = lp_val_ref(v);
    return LP_OK;
}

lp_plan *lp_sess_view(loupe_session *s, const char *name) {
    for (int i = 0; i < s->nviews; i++)
        if (strcasecmp(s->views[i].name, name) == 0) return s->views[i].plan;
    return NULL;
}

LP_WUR lp_status lp_sess_set_view(loupe_session *s, const char *name, lp_plan *p) {
    for (int i = 0; i < s->nviews; i++)
        if (strcasecmp(s->views[i].name, name) == 0) {
            lp_plan *old = s->views[i].plan;
            s->views[i].plan = lp_plan_ref(p);
            lp_plan_unref(old);
            return LP_OK;
        }
    if (s->nviews == s->capviews) {
        int nc = s->capviews ? s->capviews * 2 : 8;
        lp_view *nv = lp_realloc(s->views, sizeof *nv * (size_t)nc);
        if (!nv) return lp_diag_nomem(s->d, "session");
        s->views = nv;
        s->capviews = nc;
    }
    char *n = lp_strdup(name);
    if (!n) return lp_diag_nomem(s->d, "session");
    s->views[s->nviews].name = n;
    s->views[s->nviews++].plan = lp_plan_ref(p);
    return LP_OK;
}

static lp_plan *catalog_lookup(void *ctx, const char *name) { return lp_sess_view(ctx, name); }

LP_WUR lp_status lp_spark_sql(loupe_session *s, const char *q, size_t n, const lp_ast *at, lp_val **out) {
    const char **names = lp_arena_alloc(s->arena, sizeof(char *) * (size_t)(s->nviews + 1));
    if (!names) return lp_diag_nomem(s->d, "session");
    for (int i = 0; i < s->nviews; i++) names[i] = s->views[i].name;
    lp_sql_catalog cat = {.ctx = s, .lookup = catalog_lookup, .nnames = s->nviews, .names = names};
    lp_plan *p = NULL;
    lp_status st = lp_sql_query(q, n, 0, &cat, &p, s->d);
    if (st != LP_OK) {
        lp_sql_respan_diag(s->d, at);
        return st;
    }
    *out = lp_val_df(p);
    return *out ? LP_OK : lp_diag_nomem(s->d, "session");
}

/* ---- output ---- */

void lp_sess_out(loupe_session *s, const char *text, size_t n) {
    if (s->out && s->out->out) s->out->out(s->out->ctx, text, n);
}

void lp_sess_warn(loupe_session *s, const char *fmt, ...) {
    char buf[1200];
    int k = snprintf(buf, sizeof buf, "warning: ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + k, sizeof buf - (size_t)k - 1, fmt, ap);
    va_end(ap);
    strcat(buf, "\n");
    if (s->out && s->out->err) s->out->err(s->out->ctx, buf, strlen(buf));
}

/* Lossy conversions the run made (bad casts, unparsable dates), one warning per expression. */
static void warn_nulled(loupe_session *s, lp_plan *p, int depth) {
    if (!p || depth > 200) return;
    lp_expr *one[1] = {p->pred};
    lp_expr **es = p->kind == LP_PLAN_FILTER ? one : p->kind == LP_PLAN_PROJECT ? p->exprs : NULL;
    int n = p->kind == LP_PLAN_FILTER ? 1 : p->kind == LP_PLAN_PROJECT ? p->ncols : 0;
    for (int i = 0; i < n; i++) {
        int64_t k = lp_expr_nulled(es[i]);
        if (k <= 0) continue;
        lp_expr_nulled_reset(es[i]);
        lp_strbuf b;
        lp_strbuf_init(&b);
        lp_expr_format(es[i], &b);
        lp_sess_warn(s, "%lld value%s could not be converted and became null in %s", (long long)k, k == 1 ? "" : "s",
                     b.p ? b.p : "an expression");
        lp_strbuf_reset(&b);
    }
    warn_nulled(s, p->in[0], depth + 1);
    warn_nulled(s, p->in[1], depth + 1);
}

LP_WUR lp_status lp_sess_execute(loupe_session *s, lp_plan *p, int64_t head, lp_table **out) {
    lp_status st = head >= 0 ? lp_plan_execute_head(p, head, out, s->d) : lp_plan_execute(p, out, s->d);
    if (st == LP_ECANCELLED) lp_diag_set(s->d, LP_ECANCELLED, "interrupted: the query was cancelled");
    warn_nulled(s, p, 0);
    return st;
}

static void emit(loupe_session *s, loupe_display *d) {
    if (s->out && s->out->display) s->out->display(s->out->ctx, d);
}

/* Whether only the first rows of p can be computed without changing what they are: the row
 * count is then unknown unless the plan knows it for free. */
static bool head_is_cheap(const lp_plan *p) {
    if (lp_plan_known_rows(p) >= 0) return true;
    while (p->kind == LP_PLAN_PROJECT && !p->cached) p = p->in[0];
    return p->kind == LP_PLAN_SORT || p->kind == LP_PLAN_LIMIT;
}

LP_WUR lp_status lp_sess_display(loupe_session *s, lp_val *v, int64_t rows) {
    loupe_display d = {0};
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_status st = LP_OK;
    lp_table *t = NULL, *head = NULL;
    switch (v->kind) {
    case LV_NONE: return LP_OK;
    case LV_DF: {
        lp_plan *p = v->u.df;
        int64_t total;
        if (head_is_cheap(p)) {
            if ((st = lp_sess_execute(s, p, rows, &head)) != LP_OK) break;
            total = lp_plan_known_rows(p);
            if (total < 0 && head->nrows < rows) total = head->nrows;
            /* a limit no larger than the display shows all its rows */
            const lp_plan *q = p;
            while (q->kind == LP_PLAN_PROJECT && !q->cached) q = q->in[0];
            if (total < 0 && q->kind == LP_PLAN_LIMIT && q->limit <= rows) total = head->nrows;
        } else {
            if ((st = lp_sess_execute(s, p, -1, &t)) != LP_OK) break;
            total = t->nrows;
            if ((st = lp_limit(t, rows, &head, s->d)) != LP_OK) break;
        }
        lp_render_table_text(head, total, s->width, s->max_cell, &b);
        d.kind = LOUPE_DISPLAY_TABLE;
        d.table = head;
        d.total_rows = total;
        break;
    }
    case LV_CHART:
        lp_chart_render_text(v->u.chart, s->width > 0 && s->width < 100 ? s->width : 80, 20, &b);
        d.kind = LOUPE_DISPLAY_CHART;
        d.chart = v->u.chart;
        break;
    default:
        lp_val_repr(v, &b);
        lp_strbuf_putc(&b, '\n');
        d.kind = LOUPE_DISPLAY_TEXT;
        break;
    }
    if (st == LP_OK && b.nomem) st = lp_diag_nomem(s->d, "display");
    if (st == LP_OK) {
        d.text = b.p ? b.p : "";
        d.text_len = b.len;
        emit(s, &d);
    }
    lp_strbuf_reset(&b);
    lp_table_unref(t);
    lp_table_unref(head);
    return st;
}

void lp_sess_clear(loupe_session *s) {
    loupe_display d = {.kind = LOUPE_DISPLAY_CLEAR, .text = "", .text_len = 0};
    emit(s, &d);
}

/* ---- help ---- */

static const char *kind_topic(lp_vkind k) {
    switch (k) {
    case LV_DF: return "DataFrame";
    case LV_COL: return "Column";
    case LV_GROUPED: return "GroupedData";
    case LV_READER: return "DataFrameReader";
    case LV_WRITER: return "DataFrameWriter";
    case LV_MODULE: return "SparkSession";
    case LV_NA: return "DataFrameNaFunctions";
    default: return NULL;
    }
}

/* The help text for a value into b (empty when there is none). */
void lp_sess_help_text(loupe_session *s, lp_val *v, lp_strbuf *b) {
    (void)s;
    const lp_help *h = NULL;
    char topic[128];
    if (v->kind == LV_FUNC) {
        h = lp_help_lookup(v->u.fn.name);
        if (!h) {
            const lp_fninfo *fi = lp_fn_lookup(v->u.fn.name, strlen(v->u.fn.name));
            if (fi) h = lp_help_lookup(lp_fn_info(fi->id)->name);
        }
    } else if (v->kind == LV_ML || v->kind == LV_MLCLASS) {
        lp_ml_help(v, NULL, b);
        return;
    } else if (v->kind == LV_METHOD && (v->u.method.self->kind == LV_ML || v->u.method.self->kind == LV_MLCLASS)) {
        lp_ml_help(v->u.method.self, v->u.method.name, b);
        return;
    } else if (v->kind == LV_METHOD) {
        const lp_val *self = v->u.method.self;
        bool win = self->kind == LV_WINDOW || (self->kind == LV_MODULE && self->u.mod.id == LP_MOD_WINDOW);
        const char *k = win ? "WindowSpec" : kind_topic(self->kind);
        if (k) {
            snprintf(topic, sizeof topic, "%s.%s", k, v->u.method.name);
            h = lp_help_lookup(topic);
        }
    } else if (v->kind == LV_DF) {
        const lp_plan *p = v->u.df;
        int64_t n = lp_plan_known_rows(p);
        lp_strbuf_printf(b, "DataFrame with %d column%s", p->ncols, p->ncols == 1 ? "" : "s");
        if (n >= 0) lp_strbuf_printf(b, " and %lld row%s", (long long)n, n == 1 ? "" : "s");
        lp_strbuf_puts(b, ":\n");
        for (int i = 0; i < p->ncols; i++) lp_strbuf_printf(b, "    %s: %s\n", p->names[i], lp_type_name(p->types[i]));
        lp_strbuf_puts(b, "\nMethods: select, filter, withColumn, groupBy, agg, orderBy, join, show, count, ...\n"
                          "help(df.filter) documents one of them.\n");
        return;
    } else if (v->kind == LV_MODULE && v->u.mod.id == LP_MOD_F) {
        lp_strbuf_puts(b, "pyspark.sql.functions: the column functions, e.g. F.col, F.lit, F.when, F.count, F.avg,\n"
                          "F.datediff, F.length, F.lower. help(F.datediff) documents one of them.\n");
        return;
    } else if (v->kind == LV_COL) {
        h = lp_help_lookup("col");
    } else if (v->kind == LV_WINDOW || (v->kind == LV_MODULE && v->u.mod.id == LP_MOD_WINDOW)) {
        h = lp_help_lookup("Window");
    }
    if (h) lp_help_format(h, b);
}

LP_WUR lp_status lp_sess_help(loupe_session *s, lp_val *v) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_sess_help_text(s, v, &b);
    if (!b.len && !b.nomem) {
        lp_strbuf b2;
        lp_strbuf_init(&b2);
        lp_val_repr(v, &b2);
        lp_strbuf_printf(&b, "No documentation for %s (a %s).\n", b2.p ? b2.p : "this", lp_val_type_name(v));
        lp_strbuf_reset(&b2);
    }
    if (b.nomem) {
        lp_strbuf_reset(&b);
        return lp_diag_nomem(s->d, "help");
    }
    loupe_display d = {.kind = LOUPE_DISPLAY_HELP, .text = b.p, .text_len = b.len};
    emit(s, &d);
    lp_strbuf_reset(&b);
    return LP_OK;
}

/* ---- statements ---- */

static lp_status run_import(loupe_session *s, const lp_stmt *st) {
    const char *m = st->module;
    bool known = strcmp(m, "pyspark") == 0 || strcmp(m, "pyspark.sql") == 0 || strcmp(m, "pyspark.sql.functions") == 0 ||
                 strcmp(m, "pyspark.sql.window") == 0 ||
                 strcmp(m, "pyspark.sql.types") == 0 || strcmp(m, "pyspark.testing") == 0 ||
                 strcmp(m, "pyspark.testing.utils") == 0 || lp_ml_module(m);
    if (!known) {
        if (strncmp(m, "pyspark", 7) == 0)
            return lp_err_span(s, LP_EUNSUPPORTED, st->start, st->end, "the module %s is a part of PySpark Loupe does not have", m);
        lp_err_span(s, LP_EUNSUPPORTED, st->start, st->end, "Loupe has no module '%s'", m);
        lp_hint(s, "only the PySpark imports are accepted: import pyspark.sql.functions as F");
        return LP_EUNSUPPORTED;
    }
    lp_val *v = NULL;
    lp_status rc = LP_OK;
    if (st->kind == LP_STMT_IMPORT) {
        const char *name = st->target ? st->target : "pyspark";
        bool isf = strcmp(m, "pyspark.sql.functions") == 0;
        v = lp_val_new(LV_MODULE);
        if (!v) return lp_diag_nomem(s->d, "session");
        v->u.mod.name = isf ? "pyspark.sql.functions" : "pyspark";
        v->u.mod.id = isf ? LP_MOD_F : LP_MOD_PYSPARK;
        rc = lp_sess_set(s, name, v);
        lp_val_unref(v);
        return rc;
    }
    for (int i = 0; i < st->nnames && rc == LP_OK; i++) {
        const char *n = st->names[i];
        if (!n) continue;  /* import *: every function is reachable already */
        const char *as = st->aliases[i] ? st->aliases[i] : n;
        v = NULL;
        if (lp_ml_module(m)) {
            const lp_mlclass *c = lp_ml_class(m, n);
            if (!c) {
                const lp_mlclass *other = lp_ml_class(NULL, n);
                if (other) {
                    rc = lp_err_span(s, LP_ENAME, st->start, st->end, "cannot import name '%s' from '%s'", n, m);
                    lp_hint(s, "it is in %s: from %s import %s", other->module, other->module, n);
                } else {
                    rc = lp_err_span(s, LP_EUNSUPPORTED, st->start, st->end, "%s.%s is not available in Loupe", m, n);
                }
                break;
            }
            if ((v = lp_val_new(LV_MLCLASS))) v->u.mlcls = c;
        } else if (strcmp(n, "Window") == 0 && (strcmp(m, "pyspark.sql") == 0 || strcmp(m, "pyspark.sql.window") == 0)) {
            v = lp_val_new(LV_MODULE);
            if (v) {
                v->u.mod.name = "Window";
                v->u.mod.id = LP_MOD_WINDOW;
            }
        } else if (strcmp(m, "pyspark.sql.window") == 0) {
            rc = lp_err_span(s, LP_EUNSUPPORTED, st->start, st->end, "pyspark.sql.window.%s is not available in Loupe", n);
            break;
        } else if (strcmp(m, "pyspark.sql.functions") == 0) {
            if (!lp_fexists(n)) {
                lp_val *dummy = NULL;
                lp_args a = {.start = st->start, .end = st->end, .fname = n};
                rc = lp_fcall(s, n, &a, &dummy);  /* the unknown-function error, with its hint */
                lp_val_unref(dummy);
                if (rc == LP_OK) rc = lp_err_span(s, LP_ENAME, st->start, st->end, "cannot import %s", n);
                break;
            }
            v = lp_builtin_value(n);
        } else if (strcmp(m, "pyspark.sql") == 0) {
            if (strcmp(n, "functions") == 0) {
                v = lp_val_new(LV_MODULE);
                if (v) {
                    v->u.mod.name = "pyspark.sql.functions";
                    v->u.mod.id = LP_MOD_F;
                }
            } else if (strcmp(n, "SparkSession") == 0 || strcmp(n, "DataFrame") == 0 || strcmp(n, "Column") == 0 ||
                       strcmp(n, "Row") == 0) {
                v = lp_val_new(LV_MODULE);
                if (v) {
                    v->u.mod.name = "SparkSession";
                    v->u.mod.id = LP_MOD_PYSPARK;
                }
            } else {
                rc = lp_err_span(s, LP_EUNSUPPORTED, st->start, st->end, "pyspark.sql.%s is not available in Loupe", n);
                break;
            }
        } else {
            v = lp_builtin_value(n);  /* pyspark.sql.types: IntegerType() etc. */
            if (!v) {
                rc = lp_err_span(s, LP_EUNSUPPORTED, st->start, st->end, "%s.%s is not available in Loupe", m, n);
                break;
            }
        }
        if (!v) return lp_diag_nomem(s->d, "session");
        rc = lp_sess_set(s, as, v);
        lp_val_unref(v);
    }
    return rc;
}

static lp_status run_stmt(loupe_session *s, const lp_stmt *st) {
    if (st->kind == LP_STMT_IMPORT || st->kind == LP_STMT_FROM) return run_import(s, st);
    lp_val *v = NULL;
    lp_status rc = lp_eval(s, st->expr, &v);
    if (rc != LP_OK) return rc;
    if (st->kind == LP_STMT_ASSIGN) {
        if (strcmp(st->target, "spark") == 0 && !(v->kind == LV_MODULE && v->u.mod.id == LP_MOD_SPARK)) {
            lp_val_unref(v);
            return lp_err_span(s, LP_EVALUE, st->target_start, st->target_end,
                               "'spark' is the session; assigning something else to it would lose it");
        }
        rc = lp_sess_set(s, st->target, v);
    } else {
        rc = lp_sess_display(s, v, s->display_rows);
    }
    lp_val_unref(v);
    return rc;
}

/* Fills d's line and column from its span. */
static void locate(lp_diag *d, const char *code, size_t n, const char *name, int64_t first_line) {
    snprintf(d->file, sizeof d->file, "%s", name ? name : "<input>");
    if (d->span_start < 0 || (size_t)d->span_start > n) return;
    int64_t line = first_line, col = 1;
    for (int64_t i = 0; i < d->span_start; i++) {
        if (code[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)code[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    d->line = line;
    d->column = col;
}

LOUPE_WUR loupe_status loupe_run(loupe_session *s, const char *code, size_t n, const char *name, int64_t first_line,
                                 const loupe_output *out, loupe_diag *diag) {
    lp_diag_init(diag);
    lp_arena arena;
    lp_arena_init(&arena);
    s->code = code;
    s->ncode = n;
    s->out = out;
    s->d = diag;
    s->arena = &arena;
    s->depth = 0;
    lp_lang_cell = ++cells;
    lp_cancel_clear();  /* an interrupt that came while nothing ran does not cancel this cell */
    lp_progress_stage(NULL);
    lp_stmt *stmts = NULL;
    int nst = 0;
    lp_status st = lp_parse(&arena, code, n, &stmts, &nst, diag);
    for (int i = 0; st == LP_OK && i < nst; i++) {
        if (lp_cancelled()) {
            st = lp_diag_set(diag, LP_ECANCELLED, "interrupted");
            break;
        }
        st = run_stmt(s, &stmts[i]);
        /* an error without a span points at its statement */
        if (st != LP_OK && diag->span_start < 0 && st != LP_ECANCELLED && st != LP_ENOMEM)
            lp_diag_span(diag, stmts[i].start, stmts[i].end);
    }
    if (st != LP_OK) locate(diag, code, n, name, first_line);
    lp_progress_stage(NULL);
    lp_arena_reset(&arena);
    s->arena = NULL;
    s->d = NULL;
    s->out = NULL;
    return st;
}
