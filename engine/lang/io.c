/* io.c -- the language's doors to files and pictures: spark.read (DataFrameReader), df.write
 * (DataFrameWriter), df.plot and df.hist.
 *
 * Reading is eager, unlike Spark's: the file is parsed when the statement runs, so that its
 * schema is known for binding every later transformation, and loading time shows where it is
 * spent. What a lenient read passed over (malformed records, invalid UTF-8) is reported on
 * stderr, never silently. Options follow Spark's names and defaults (CSV: header=False,
 * inferSchema=False, sep=",", mode PERMISSIVE).
 */
#include "lang/interp.h"
#include "render/chart.h"
#include "write/write.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define METHOD(fn) static lp_status fn(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out)

static lp_status nomem(loupe_session *s) { return lp_diag_nomem(s->d, "interpreter"); }

/* ---- reader ---- */

static lp_status copy_reader(loupe_session *s, lp_val *self, lp_val **out) {
    lp_val *v = lp_val_new(LV_READER);
    lp_reader *r = v ? lp_calloc(1, sizeof *r) : NULL;
    if (!r) {
        lp_val_unref(v);
        return nomem(s);
    }
    const lp_reader *o = self->u.reader;
    *r = *o;
    r->schema = o->schema ? lp_strdup(o->schema) : NULL;
    r->corrupt = o->corrupt ? lp_strdup(o->corrupt) : NULL;
    r->nullv = o->nullv ? lp_strdup(o->nullv) : NULL;
    r->o.schema = r->schema;
    r->o.corrupt_column = r->corrupt;
    r->o.null_value = r->nullv;
    v->u.reader = r;
    if ((o->schema && !r->schema) || (o->corrupt && !r->corrupt) || (o->nullv && !r->nullv)) {
        lp_val_unref(v);
        return nomem(s);
    }
    *out = v;
    return LP_OK;
}

static lp_status set_str(loupe_session *s, char **slot, const char **opt, const char *v) {
    char *c = lp_strdup(v);
    if (!c) return nomem(s);
    lp_free(*slot);
    *slot = c;
    *opt = c;
    return LP_OK;
}

/* One reader option, by Spark's name (case-insensitive). */
static lp_status set_option(loupe_session *s, lp_reader *r, const char *key, lp_val *v, const lp_ast *at) {
    lp_status st = LP_OK;
    bool b;
    const char *str = NULL;
    char buf[64];
    if (v->kind == LV_STR) str = v->u.s.p;
    else if (v->kind == LV_BOOL) str = v->u.b ? "true" : "false";
    else if (v->kind == LV_INT) {
        snprintf(buf, sizeof buf, "%lld", (long long)v->u.i);
        str = buf;
    } else if (v->kind == LV_NONE) return LP_OK;
    else return lp_err(s, LP_ETYPE, at, "option '%s' takes a string, a bool or a number", key);
    if (strcasecmp(key, "header") == 0) {
        if ((st = lp_want_bool(s, v, at, "header", &b)) == LP_OK) r->o.header = b;
    } else if (strcasecmp(key, "inferSchema") == 0) {
        if ((st = lp_want_bool(s, v, at, "inferSchema", &b)) == LP_OK) r->o.infer_schema = b;
    } else if (strcasecmp(key, "sep") == 0 || strcasecmp(key, "delimiter") == 0) {
        if (strlen(str) != 1 && strcmp(str, "\\t") != 0) return lp_err(s, LP_EVALUE, at, "sep must be one character, got '%s'", str);
        r->o.sep = strcmp(str, "\\t") == 0 ? '\t' : str[0];
    } else if (strcasecmp(key, "quote") == 0) {
        r->o.quote = str[0];
    } else if (strcasecmp(key, "escape") == 0) {
        r->o.escape = str[0];
    } else if (strcasecmp(key, "mode") == 0) {
        if (strcasecmp(str, "PERMISSIVE") == 0) r->o.mode = LOUPE_PERMISSIVE;
        else if (strcasecmp(str, "DROPMALFORMED") == 0) r->o.mode = LOUPE_DROPMALFORMED;
        else if (strcasecmp(str, "FAILFAST") == 0) r->o.mode = LOUPE_FAILFAST;
        else return lp_err(s, LP_EVALUE, at, "mode must be PERMISSIVE, DROPMALFORMED or FAILFAST, got '%s'", str);
    } else if (strcasecmp(key, "nullValue") == 0) {
        st = set_str(s, &r->nullv, &r->o.null_value, str);
    } else if (strcasecmp(key, "columnNameOfCorruptRecord") == 0) {
        st = set_str(s, &r->corrupt, &r->o.corrupt_column, str);
    } else if (strcasecmp(key, "schema") == 0) {
        st = set_str(s, &r->schema, &r->o.schema, str);
    } else if (strcasecmp(key, "format") == 0) {
        if (strcasecmp(str, "json") != 0 && strcasecmp(str, "csv") != 0) {
            lp_err(s, LP_EUNSUPPORTED, at, "the format '%s' is not supported", str);
            lp_hint(s, "Loupe reads 'json' (JSON lines) and 'csv', gzip-compressed or not");
            return LP_EUNSUPPORTED;
        }
        snprintf(r->format, sizeof r->format, "%.15s", str);
    } else if (strcasecmp(key, "samplingRatio") == 0 || strcasecmp(key, "encoding") == 0 ||
               strcasecmp(key, "multiLine") == 0 || strcasecmp(key, "compression") == 0) {
        if (strcasecmp(key, "multiLine") == 0 && strcasecmp(str, "true") == 0)
            return lp_err(s, LP_EUNSUPPORTED, at, "multiLine JSON is not supported: Loupe reads JSON lines (one object per line)");
    } else {
        lp_err(s, LP_ENAME, at, "unknown read option '%s'", key);
        lp_hint(s, "options: header, inferSchema, sep, quote, escape, mode, nullValue, columnNameOfCorruptRecord, schema");
        return LP_ENAME;
    }
    return st;
}

METHOD(r_option) {
    static const char *const pn[] = {"key", "value"};
    lp_val *v[2];
    lp_ast *ast[2];
    lp_status st = lp_args_bind(s, a, pn, 2, v, ast);
    if (st != LP_OK) return st;
    if (!v[0] || !v[1] || v[0]->kind != LV_STR) return lp_err_span(s, LP_ETYPE, a->start, a->end, "option() takes a key and a value");
    if ((st = copy_reader(s, self, out)) != LP_OK) return st;
    return set_option(s, (*out)->u.reader, v[0]->u.s.p, v[1], ast[1]);
}

METHOD(r_options) {
    if (a->npos) return lp_err_span(s, LP_ETYPE, a->start, a->end, "options() takes keyword arguments: options(header=True)");
    lp_status st = copy_reader(s, self, out);
    for (int k = 0; st == LP_OK && k < a->nkw; k++) st = set_option(s, (*out)->u.reader, a->kwname[k], a->kw[k], a->kw_ast[k]);
    return st;
}

METHOD(r_format) {
    lp_val *v;
    lp_ast *ast;
    lp_status st = lp_args_one(s, a, "source", false, &v, &ast);
    if (st != LP_OK) return st;
    if (!v || v->kind != LV_STR) return lp_err_span(s, LP_ETYPE, a->start, a->end, "format() takes 'json' or 'csv'");
    if ((st = copy_reader(s, self, out)) != LP_OK) return st;
    return set_option(s, (*out)->u.reader, "format", v, ast);
}

METHOD(r_schema) {
    lp_val *v;
    lp_ast *ast;
    lp_status st = lp_args_one(s, a, "schema", false, &v, &ast);
    if (st != LP_OK) return st;
    if (!v || v->kind != LV_STR)
        return lp_err_span(s, LP_ETYPE, a->start, a->end, "schema() takes a DDL string such as 'overall DOUBLE, asin STRING'");
    if ((st = copy_reader(s, self, out)) != LP_OK) return st;
    return set_str(s, &(*out)->u.reader->schema, &(*out)->u.reader->o.schema, v->u.s.p);
}

LP_WUR lp_status lp_read(loupe_session *s, lp_reader *r, const char *path, const lp_ast *at, lp_val **out) {
    loupe_read_report rep;
    lp_table *t = NULL;
    lp_diag *d = s->d;
    lp_status st = loupe_read_file(path, &r->o, &t, &rep, d);
    if (st != LP_OK) {
        /* the reader's message names the file; the caret goes under the path */
        int64_t b = lp_str_offset(at, 0);
        if (at && d->span_start < 0) lp_diag_span(d, b >= 0 ? b : at->start, b >= 0 ? b + (int64_t)strlen(path) : at->end);
        if (st == LP_ENAME && !d->hint[0]) {
            char cwd[512];
            if (getcwd(cwd, sizeof cwd)) lp_diag_hint(d, "paths are relative to %s; ./run.sh prepares data/reviews.json in lessons/", cwd);
        }
        return st;
    }
    if (rep.malformed) {
        if (rep.dropped)
            lp_sess_warn(s, "dropped %lld malformed record%s of '%s' (the first at line %lld)", (long long)rep.dropped,
                         rep.dropped == 1 ? "" : "s", path, (long long)rep.first_bad_line);
        if (rep.malformed > rep.dropped)
            lp_sess_warn(s, "%lld malformed record%s of '%s' became nulls (the first at line %lld); mode='FAILFAST' stops at the first",
                         (long long)(rep.malformed - rep.dropped), rep.malformed - rep.dropped == 1 ? "" : "s", path,
                         (long long)rep.first_bad_line);
    }
    if (rep.invalid_utf8)
        lp_sess_warn(s, "%lld field%s of '%s' held invalid UTF-8, replaced with U+FFFD", (long long)rep.invalid_utf8,
                     rep.invalid_utf8 == 1 ? "" : "s", path);
    char label[600];
    snprintf(label, sizeof label, "%s %s", r->o.format == LOUPE_FORMAT_CSV ? "csv" : "json", path);
    lp_plan *p = NULL;
    st = lp_plan_table(t, label, &p, d);
    lp_table_unref(t);
    if (st != LP_OK) return st;
    *out = lp_val_df(p);
    return *out ? LP_OK : nomem(s);
}

/* json(path, schema=None, mode=None, ...) / csv(path, schema=None, sep=None, header=None, ...) / load(path, format) */
static lp_status read_as(loupe_session *s, lp_val *self, const lp_args *a, const char *format, lp_val **out) {
    lp_val *r = NULL;
    lp_status st = copy_reader(s, self, &r);
    if (st != LP_OK) return st;
    lp_reader *rd = r->u.reader;
    lp_val *path = a->npos ? a->pos[0] : NULL;
    lp_ast *path_ast = a->npos ? a->pos_ast[0] : NULL;
    if (a->npos > 1) st = lp_err(s, LP_ETYPE, a->pos_ast[1], "%s() takes the path, then options as keyword arguments", a->fname);
    for (int k = 0; st == LP_OK && k < a->nkw; k++) {
        if (strcmp(a->kwname[k], "path") == 0) {
            path = a->kw[k];
            path_ast = a->kw_ast[k];
        } else {
            st = set_option(s, rd, a->kwname[k], a->kw[k], a->kw_ast[k]);
        }
    }
    if (st == LP_OK && format) snprintf(rd->format, sizeof rd->format, "%.15s", format);
    if (st == LP_OK && (!path || path->kind != LV_STR)) {
        if (path && (path->kind == LV_LIST || path->kind == LV_TUPLE))
            st = lp_err(s, LP_EUNSUPPORTED, path_ast, "reading several paths at once is not supported; read each and union them");
        else
            st = lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() needs the file's path as a string", a->fname);
    }
    if (st == LP_OK) {
        rd->o.format = strcasecmp(rd->format, "csv") == 0 ? LOUPE_FORMAT_CSV
                       : strcasecmp(rd->format, "json") == 0 ? LOUPE_FORMAT_JSON
                                                              : LOUPE_FORMAT_AUTO;
        if (rd->o.format == LOUPE_FORMAT_JSON) rd->o.infer_schema = true;  /* JSON is always typed */
        struct stat sb;
        if (stat(path->u.s.p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            int64_t b = lp_str_offset(path_ast, 0);
            st = lp_err_span(s, LP_EUNSUPPORTED, b >= 0 ? b : path_ast->start, b >= 0 ? b + (int64_t)path->u.s.n : path_ast->end,
                             "'%s' is a directory; Loupe reads one file at a time", path->u.s.p);
        } else {
            st = lp_read(s, rd, path->u.s.p, path_ast, out);
        }
    }
    lp_val_unref(r);
    return st;
}

METHOD(r_json) { return read_as(s, self, a, "json", out); }
METHOD(r_csv) { return read_as(s, self, a, "csv", out); }
/* load(path, format=..., **options): format is one of the options set_option knows. */
METHOD(r_load) { return read_as(s, self, a, NULL, out); }

static const lp_method reader_methods[] = {
    {"json", r_json, "path, schema=None, mode=None, ..."}, {"csv", r_csv, "path, schema=None, sep=None, header=None, inferSchema=None, ..."},
    {"load", r_load, "path=None, format=None, ..."}, {"format", r_format, "source"}, {"option", r_option, "key, value"},
    {"options", r_options, "**options"}, {"schema", r_schema, "schema"},
};

const lp_method *lp_reader_methods(int *n) {
    *n = (int)LP_ARRAY_LEN(reader_methods);
    return reader_methods;
}

/* ---- writer ---- */

lp_status lp_df_write(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    (void)a;
    lp_val *v = lp_val_new(LV_WRITER);
    lp_writer *w = v ? lp_calloc(1, sizeof *w) : NULL;
    if (!w) {
        lp_val_unref(v);
        return nomem(s);
    }
    w->df = lp_plan_ref(self->u.df);
    snprintf(w->mode, sizeof w->mode, "errorifexists");
    w->sep = ',';
    w->quote = '"';
    v->u.writer = w;
    *out = v;
    return LP_OK;
}

static lp_status copy_writer(loupe_session *s, lp_val *self, lp_val **out) {
    lp_val *v = lp_val_new(LV_WRITER);
    lp_writer *w = v ? lp_calloc(1, sizeof *w) : NULL;
    if (!w) {
        lp_val_unref(v);
        return nomem(s);
    }
    *w = *self->u.writer;
    lp_plan_ref(w->df);
    v->u.writer = w;
    *out = v;
    return LP_OK;
}

static lp_status writer_option(loupe_session *s, lp_writer *w, const char *key, lp_val *v, const lp_ast *at) {
    bool b;
    lp_status st = LP_OK;
    if (strcasecmp(key, "mode") == 0) {
        if (v->kind != LV_STR) return lp_err(s, LP_ETYPE, at, "mode takes a string");
        const char *m = v->u.s.p;
        if (strcasecmp(m, "overwrite") && strcasecmp(m, "append") && strcasecmp(m, "ignore") && strcasecmp(m, "error") &&
            strcasecmp(m, "errorifexists"))
            return lp_err(s, LP_EVALUE, at, "mode must be 'overwrite', 'append', 'ignore' or 'errorifexists', got '%s'", m);
        snprintf(w->mode, sizeof w->mode, "%.15s", m);
    } else if (strcasecmp(key, "header") == 0) {
        if ((st = lp_want_bool(s, v, at, "header", &b)) == LP_OK) w->header = b;
    } else if (strcasecmp(key, "sep") == 0 || strcasecmp(key, "delimiter") == 0) {
        if (v->kind != LV_STR || v->u.s.n != 1) return lp_err(s, LP_EVALUE, at, "sep must be one character");
        w->sep = v->u.s.p[0];
    } else if (strcasecmp(key, "format") == 0 && v->kind == LV_STR) {
        snprintf(w->format, sizeof w->format, "%.15s", v->u.s.p);
    } else if (strcasecmp(key, "quote") == 0 && v->kind == LV_STR && v->u.s.n <= 1) {
        w->quote = v->u.s.n ? v->u.s.p[0] : 0;
    } else if (strcasecmp(key, "nullValue") == 0 && v->kind == LV_STR) {
        snprintf(w->nullv, sizeof w->nullv, "%s", v->u.s.p);
    } else if (strcasecmp(key, "compression") != 0 && v->kind != LV_NONE) {
        lp_err(s, LP_ENAME, at, "unknown write option '%s'", key);
        lp_hint(s, "options: mode, header, sep, quote, nullValue");
        return LP_ENAME;
    }
    return st;
}

METHOD(w_mode) {
    if (a->npos != 1 || a->nkw) return lp_err_span(s, LP_ETYPE, a->start, a->end, "mode() takes one string");
    lp_status st = copy_writer(s, self, out);
    return st != LP_OK ? st : writer_option(s, (*out)->u.writer, "mode", a->pos[0], a->pos_ast[0]);
}

METHOD(w_format) {
    if (a->npos != 1 || a->nkw || a->pos[0]->kind != LV_STR)
        return lp_err_span(s, LP_ETYPE, a->start, a->end, "format() takes 'csv' or 'json'");
    if (strcasecmp(a->pos[0]->u.s.p, "csv") != 0 && strcasecmp(a->pos[0]->u.s.p, "json") != 0) {
        lp_err(s, LP_EUNSUPPORTED, a->pos_ast[0], "the format '%s' is not supported", a->pos[0]->u.s.p);
        lp_hint(s, "Loupe writes 'json' (JSON lines) and 'csv'");
        return LP_EUNSUPPORTED;
    }
    lp_status st = copy_writer(s, self, out);
    return st != LP_OK ? st : writer_option(s, (*out)->u.writer, "format", a->pos[0], a->pos_ast[0]);
}

METHOD(w_option) {
    if (a->npos != 2 || a->pos[0]->kind != LV_STR) return lp_err_span(s, LP_ETYPE, a->start, a->end, "option() takes a key and a value");
    lp_status st = copy_writer(s, self, out);
    return st != LP_OK ? st : writer_option(s, (*out)->u.writer, a->pos[0]->u.s.p, a->pos[1], a->pos_ast[1]);
}

static lp_status write_as(loupe_session *s, lp_val *self, const lp_args *a, const char *format, lp_val **out) {
    lp_val *wv = NULL;
    lp_status st = copy_writer(s, self, &wv);
    if (st != LP_OK) return st;
    lp_writer *w = wv->u.writer;
    lp_val *path = a->npos ? a->pos[0] : NULL;
    lp_ast *path_ast = a->npos ? a->pos_ast[0] : NULL;
    for (int k = 0; st == LP_OK && k < a->nkw; k++) {
        if (strcmp(a->kwname[k], "path") == 0) {
            path = a->kw[k];
            path_ast = a->kw_ast[k];
        } else {
            st = writer_option(s, w, a->kwname[k], a->kw[k], a->kw_ast[k]);
        }
    }
    if (st == LP_OK && (!path || path->kind != LV_STR))
        st = lp_err_span(s, LP_ETYPE, a->start, a->end, "%s() needs the file's path as a string", a->fname);
    lp_table *t = NULL;
    if (st == LP_OK) st = lp_sess_execute(s, w->df, -1, &t);
    if (st == LP_OK) {
        lp_write_opts o;
        lp_write_opts_init(&o);
        const char *f = format ? format : w->format;
        o.format = strcasecmp(f, "json") == 0 ? LOUPE_FORMAT_JSON : strcasecmp(f, "csv") == 0 ? LOUPE_FORMAT_CSV : LOUPE_FORMAT_AUTO;
        o.mode = strcasecmp(w->mode, "overwrite") == 0 ? LP_WRITE_OVERWRITE
                 : strcasecmp(w->mode, "append") == 0  ? LP_WRITE_APPEND
                 : strcasecmp(w->mode, "ignore") == 0  ? LP_WRITE_IGNORE
                                                       : LP_WRITE_ERROR;
        o.header = w->header;
        o.sep = w->sep;
        o.quote = w->quote;
        o.null_value = w->nullv[0] ? w->nullv : NULL;
        int64_t written = 0;
        st = lp_write_file(t, path->u.s.p, &o, &written, s->d);
        if (st != LP_OK && s->d->span_start < 0) {
            int64_t b = lp_str_offset(path_ast, 0);
            lp_diag_span(s->d, b >= 0 ? b : path_ast->start, b >= 0 ? b + (int64_t)path->u.s.n : path_ast->end);
        }
    }
    lp_table_unref(t);
    lp_val_unref(wv);
    if (st != LP_OK) return st;
    *out = lp_val_none();
    return *out ? LP_OK : nomem(s);
}

METHOD(w_csv) { return write_as(s, self, a, "csv", out); }
METHOD(w_json) { return write_as(s, self, a, "json", out); }
METHOD(w_save) { return write_as(s, self, a, NULL, out); }

static const lp_method writer_methods[] = {
    {"csv", w_csv, "path, mode=None, header=None, sep=None"}, {"json", w_json, "path, mode=None"},
    {"save", w_save, "path, format=None, mode=None"}, {"mode", w_mode, "saveMode"}, {"format", w_format, "source"},
    {"option", w_option, "key, value"},
};

const lp_method *lp_writer_methods(int *n) {
    *n = (int)LP_ARRAY_LEN(writer_methods);
    return writer_methods;
}

/* ---- plots ---- */

/* Builds and displays a chart of the frame; the chart is also the statement's value (None
 * here, as pandas returns an Axes we have no use for). */
static lp_status chart(loupe_session *s, lp_val *self, lp_chart_opts *o, const lp_args *a, lp_ast *const *col_asts,
                       lp_val **out) {
    lp_table *t = NULL;
    lp_status st = lp_sess_execute(s, self->u.df, -1, &t);
    if (st != LP_OK) return st;
    /* a title says what the chart shows, as a notebook reader needs it */
    char title[256];
    if (!o->title) {
        const char *x = o->x ? o->x : "", *y = o->y ? o->y : "";
        if (o->kind == LP_CHART_HIST) snprintf(title, sizeof title, "Distribution of %s", o->x ? x : y);
        else if (o->y && o->x) snprintf(title, sizeof title, "%s by %s", y, x);
        else snprintf(title, sizeof title, "%s", o->y ? y : x);
        if (title[0]) o->title = title;
    }
    lp_chart *c = NULL;
    st = lp_chart_build(t, o, &c, s->d);
    lp_table_unref(t);
    if (st != LP_OK) {
        /* a column error points at the argument that named it */
        const char *cols[3] = {o->x, o->y, o->hue};
        for (int i = 0; i < 3 && s->d->span_start < 0; i++) {
            char q[300];
            snprintf(q, sizeof q, "'%s'", cols[i] ? cols[i] : "");
            if (cols[i] && col_asts[i] && strstr(s->d->msg, q)) {
                int64_t b = lp_str_offset(col_asts[i], 0);
                lp_diag_span(s->d, b >= 0 ? b : col_asts[i]->start, b >= 0 ? b + (int64_t)strlen(cols[i]) : col_asts[i]->end);
            }
        }
        if (s->d->span_start < 0) lp_diag_span(s->d, a->start, a->end);
        return st;
    }
    lp_val *v = lp_val_new(LV_CHART);
    if (!v) {
        lp_chart_free(c);
        return nomem(s);
    }
    v->u.chart = c;
    st = lp_sess_display(s, v, 0);
    lp_val_unref(v);
    if (st != LP_OK) return st;
    *out = lp_val_none();
    return *out ? LP_OK : nomem(s);
}

static lp_status opt_str(loupe_session *s, lp_val *v, lp_ast *at, const char *what, const char **out) {
    if (!v || v->kind == LV_NONE) return LP_OK;
    if (v->kind == LV_COL && v->u.col->e->kind == LP_EXPR_COL) {
        *out = v->u.col->e->name;
        return LP_OK;
    }
    return lp_want_str(s, v, at, what, out);
}

lp_status lp_df_plot(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    static const char *const pn[] = {"x", "y", "kind", "bins", "logx", "logy", "norm_hist", "hue", "title", "by"};
    lp_val *v[10];
    lp_ast *ast[10];
    lp_status st = lp_args_bind(s, a, pn, 10, v, ast);
    if (st != LP_OK) return st;
    lp_chart_opts o;
    lp_chart_opts_init(&o);
    const char *kind = "line";
    int64_t bins = 10;
    if ((st = opt_str(s, v[0], ast[0], "x", &o.x)) != LP_OK || (st = opt_str(s, v[1], ast[1], "y", &o.y)) != LP_OK ||
        (st = opt_str(s, v[2], ast[2], "kind", &kind)) != LP_OK || (st = opt_str(s, v[7], ast[7], "hue", &o.hue)) != LP_OK ||
        (st = opt_str(s, v[9], ast[9], "by", &o.hue)) != LP_OK || (st = opt_str(s, v[8], ast[8], "title", &o.title)) != LP_OK)
        return st;
    if (v[3] && (st = lp_want_int(s, v[3], ast[3], "bins", &bins)) != LP_OK) return st;
    if (bins < 1 || bins > 1000) return lp_err(s, LP_EVALUE, ast[3], "bins must be between 1 and 1000");
    o.bins = (int)bins;
    if (v[4] && (st = lp_want_bool(s, v[4], ast[4], "logx", &o.logx)) != LP_OK) return st;
    if (v[5] && (st = lp_want_bool(s, v[5], ast[5], "logy", &o.logy)) != LP_OK) return st;
    if (v[6] && (st = lp_want_bool(s, v[6], ast[6], "norm_hist", &o.norm_hist)) != LP_OK) return st;
    if (strcmp(kind, "hist") == 0) o.kind = LP_CHART_HIST;
    else if (strcmp(kind, "scatter") == 0) o.kind = LP_CHART_SCATTER;
    else if (strcmp(kind, "line") == 0) o.kind = LP_CHART_LINE;
    else if (strcmp(kind, "bar") == 0) o.kind = LP_CHART_BAR;
    else {
        lp_err(s, LP_EVALUE, ast[2], "unknown plot kind '%s'", kind);
        lp_hint(s, "kind is one of 'hist', 'scatter', 'line', 'bar'");
        return LP_EVALUE;
    }
    lp_ast *col_asts[3] = {ast[0], ast[1], ast[7] ? ast[7] : ast[9]};
    return chart(s, self, &o, a, col_asts, out);
}

lp_status lp_df_hist(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out) {
    static const char *const pn[] = {"column", "bins", "by", "logx", "logy", "norm_hist", "title"};
    lp_val *v[7];
    lp_ast *ast[7];
    lp_status st = lp_args_bind(s, a, pn, 7, v, ast);
    if (st != LP_OK) return st;
    lp_chart_opts o;
    lp_chart_opts_init(&o);
    o.kind = LP_CHART_HIST;
    int64_t bins = 10;
    if ((st = opt_str(s, v[0], ast[0], "column", &o.x)) != LP_OK || (st = opt_str(s, v[2], ast[2], "by", &o.hue)) != LP_OK ||
        (st = opt_str(s, v[6], ast[6], "title", &o.title)) != LP_OK)
        return st;
    if (!o.x && self->u.df->ncols == 1) o.x = self->u.df->names[0];
    if (!o.x) return lp_err_span(s, LP_ETYPE, a->start, a->end, "hist() needs the column to plot: df.hist('x')");
    if (v[1] && (st = lp_want_int(s, v[1], ast[1], "bins", &bins)) != LP_OK) return st;
    if (bins < 1 || bins > 1000) return lp_err(s, LP_EVALUE, ast[1], "bins must be between 1 and 1000");
    o.bins = (int)bins;
    if (v[3] && (st = lp_want_bool(s, v[3], ast[3], "logx", &o.logx)) != LP_OK) return st;
    if (v[4] && (st = lp_want_bool(s, v[4], ast[4], "logy", &o.logy)) != LP_OK) return st;
    if (v[5] && (st = lp_want_bool(s, v[5], ast[5], "norm_hist", &o.norm_hist)) != LP_OK) return st;
    lp_ast *col_asts[3] = {ast[0], NULL, ast[2]};
    return chart(s, self, &o, a, col_asts, out);
}
