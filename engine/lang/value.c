/* value.c -- the interpreter's values: construction, reference counting, repr and str.
 *
 * Values are immutable once built (lists are filled right after lp_val_list), so sharing
 * them between variables is safe. repr follows Python's and PySpark's spelling, so what a
 * student sees matches what PySpark would print: 2.5, 'text', Row(overall=5.0, count=3),
 * Column<'(overall > 4)'>, DataFrame[overall: double, count: bigint].
 */
#include "lang/interp.h"
#include "lang/ml.h"
#include "render/chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

lp_val *lp_val_new(lp_vkind k) {
    lp_val *v = lp_calloc(1, sizeof *v);
    if (!v) return NULL;
    v->refs = 1;
    v->kind = k;
    return v;
}

lp_val *lp_val_ref(lp_val *v) {
    if (v) v->refs++;
    return v;
}

_Thread_local int64_t lp_lang_cell;

lp_colv *lp_colv_new(void) {
    lp_colv *c = lp_calloc(1, sizeof *c);
    if (!c) return NULL;
    lp_arena_init(&c->arena);
    c->nulls = -1;
    c->cell = lp_lang_cell;
    return c;
}

void lp_colv_free(lp_colv *c) {
    if (!c) return;
    for (int i = 0; i < c->norig; i++) lp_plan_unref(c->orig[i].plan);
    lp_free(c->orig);
    lp_arena_reset(&c->arena);
    lp_free(c);
}

LP_WUR bool lp_colv_add_origin(lp_colv *c, const lp_expr *leaf, lp_plan *plan) {
    lp_colorig *n = lp_realloc(c->orig, sizeof *n * (size_t)(c->norig + 1));
    if (!n) return false;
    c->orig = n;
    n[c->norig].leaf = leaf;
    n[c->norig++].plan = lp_plan_ref(plan);
    return true;
}

lp_plan *lp_colv_origin(const lp_colv *c, const lp_expr *leaf) {
    for (int i = 0; i < c->norig; i++)
        if (c->orig[i].leaf == leaf) return c->orig[i].plan;
    return NULL;
}

/* Walks the source tree and its clone together (lp_expr_clone keeps the shape, skipping only
 * implicit casts, which unbound trees do not have), moving origins and spans. */
static bool import_walk(lp_colv *dst, const lp_colv *src, const lp_expr *s, lp_expr *d, bool respan, int64_t start,
                        int64_t end) {
    while (s->implicit) s = s->args[0];
    if (respan) {
        d->start = start;
        d->end = end;
    }
    lp_plan *o = lp_colv_origin(src, s);
    if (o && !lp_colv_add_origin(dst, d, o)) return false;
    for (int i = 0; s->kind == LP_EXPR_CALL && i < s->nargs; i++)
        if (!import_walk(dst, src, s->args[i], d->args[i], respan, start, end)) return false;
    return true;
}

lp_expr *lp_colv_import(lp_colv *dst, const lp_colv *src, int64_t start, int64_t end) {
    lp_expr *e = lp_expr_clone(&dst->arena, src->e);
    if (!e) return NULL;
    bool respan = src->cell != lp_lang_cell;
    if (!import_walk(dst, src, src->e, e, respan, start, end)) return NULL;
    return e;
}

static void reader_free(lp_reader *r) {
    if (!r) return;
    lp_free(r->schema);
    lp_free(r->corrupt);
    lp_free(r->nullv);
    lp_free(r);
}

void lp_val_unref(lp_val *v) {
    if (!v || --v->refs > 0) return;
    switch (v->kind) {
    case LV_STR: lp_free(v->u.s.p); break;
    case LV_LIST:
    case LV_TUPLE:
        for (int i = 0; i < v->u.list.n; i++) lp_val_unref(v->u.list.v[i]);
        lp_free(v->u.list.v);
        break;
    case LV_DICT:
        for (int i = 0; i < v->u.dict.n; i++) {
            lp_val_unref(v->u.dict.k[i]);
            lp_val_unref(v->u.dict.v[i]);
        }
        lp_free(v->u.dict.k);
        lp_free(v->u.dict.v);
        break;
    case LV_ROW:
        lp_val_unref(v->u.row.names);
        lp_val_unref(v->u.row.values);
        break;
    case LV_DF:
    case LV_SCHEMA:
    case LV_NA: lp_plan_unref(v->u.df); break;
    case LV_COL:
    case LV_WINDOW: lp_colv_free(v->u.col); break;
    case LV_GROUPED:
        lp_plan_unref(v->u.grouped.df);
        lp_val_unref(v->u.grouped.keys);
        break;
    case LV_READER: reader_free(v->u.reader); break;
    case LV_WRITER:
        if (v->u.writer) lp_plan_unref(v->u.writer->df);
        lp_free(v->u.writer);
        break;
    case LV_METHOD: lp_val_unref(v->u.method.self); break;
    case LV_CHART: lp_chart_free(v->u.chart); break;
    case LV_ML: lp_ml_unref(v->u.ml); break;
    case LV_VECTOR: lp_column_unref(v->u.vec.col); break;
    default: break;
    }
    lp_free(v);
}

lp_val *lp_val_none(void) { return lp_val_new(LV_NONE); }

lp_val *lp_val_bool(bool b) {
    lp_val *v = lp_val_new(LV_BOOL);
    if (v) v->u.b = b;
    return v;
}

lp_val *lp_val_int(int64_t i) {
    lp_val *v = lp_val_new(LV_INT);
    if (v) v->u.i = i;
    return v;
}

lp_val *lp_val_float(double f) {
    lp_val *v = lp_val_new(LV_FLOAT);
    if (v) v->u.f = f;
    return v;
}

lp_val *lp_val_str(const char *s, size_t n) {
    lp_val *v = lp_val_new(LV_STR);
    if (!v) return NULL;
    if (!(v->u.s.p = lp_strndup(s, n))) {
        lp_free(v);
        return NULL;
    }
    v->u.s.n = n;
    return v;
}

lp_val *lp_val_list(lp_vkind k, int n) {
    lp_val *v = lp_val_new(k);
    if (!v) return NULL;
    if (!(v->u.list.v = lp_calloc((size_t)(n ? n : 1), sizeof(lp_val *)))) {
        lp_free(v);
        return NULL;
    }
    v->u.list.n = n;
    return v;
}

lp_val *lp_val_df(lp_plan *p) {
    lp_val *v = lp_val_new(LV_DF);
    if (!v) {
        lp_plan_unref(p);
        return NULL;
    }
    v->u.df = p;
    return v;
}

lp_val *lp_val_colv(lp_colv **c) {
    lp_val *v = lp_val_new(LV_COL);
    if (!v) {
        lp_colv_free(*c);
        *c = NULL;
        return NULL;
    }
    v->u.col = *c;
    *c = NULL;
    return v;
}

const char *lp_val_type_name(const lp_val *v) {
    switch (v->kind) {
    case LV_NONE: return "NoneType";
    case LV_BOOL: return "bool";
    case LV_INT: return "int";
    case LV_FLOAT: return "float";
    case LV_STR: return "str";
    case LV_LIST: return "list";
    case LV_TUPLE: return "tuple";
    case LV_DICT: return "dict";
    case LV_ROW: return "Row";
    case LV_DF: return "DataFrame";
    case LV_COL: return "Column";
    case LV_GROUPED: return "GroupedData";
    case LV_READER: return "DataFrameReader";
    case LV_WRITER: return "DataFrameWriter";
    case LV_MODULE: return "module";
    case LV_FUNC: return "function";
    case LV_METHOD: return "method";
    case LV_CHART: return "Chart";
    case LV_SCHEMA: return "StructType";
    case LV_NA: return "DataFrameNaFunctions";
    case LV_WINDOW: return "WindowSpec";
    case LV_ML: return v->u.ml->cls->name;
    case LV_MLCLASS: return v->u.mlcls->role == LP_ML_FUNCTION ? "function" : "type";
    case LV_VECTOR: return v->u.vec.col->vsize[v->u.vec.row] < 0 ? "DenseVector" : "SparseVector";
    }
    return "?";
}

static void repr_str(const char *p, size_t n, lp_strbuf *out) {
    /* Python picks the quote that needs no escaping */
    char q = memchr(p, '\'', n) && !memchr(p, '"', n) ? '"' : '\'';
    lp_strbuf_putc(out, q);
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == q || c == '\\') {
            lp_strbuf_putc(out, '\\');
            lp_strbuf_putc(out, c);
        } else if (c == '\n') lp_strbuf_puts(out, "\\n");
        else if (c == '\t') lp_strbuf_puts(out, "\\t");
        else if (c == '\r') lp_strbuf_puts(out, "\\r");
        else if ((unsigned char)c < 0x20) lp_strbuf_printf(out, "\\x%02x", (unsigned char)c);
        else lp_strbuf_putc(out, c);
    }
    lp_strbuf_putc(out, q);
}

/* Python's float repr: the shortest text that reads back to the same double. */
static void repr_float(double f, lp_strbuf *out) {
    if (isnan(f)) { lp_strbuf_puts(out, "nan"); return; }
    if (isinf(f)) { lp_strbuf_puts(out, f > 0 ? "inf" : "-inf"); return; }
    /* the shortest digits that read back to f, then Python's layout: positional when
     * 1e-4 <= |f| < 1e16 (with ".0" for whole numbers), else d.ddde+XX */
    char buf[48], digits[24];
    int prec = 1;
    for (; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, f);
        if (strtod(buf, NULL) == f) break;
    }
    char *e = strchr(buf, 'e');
    int exp10 = atoi(e + 1);
    int nd = 0;
    for (char *p = buf; p < e; p++)
        if (*p >= '0' && *p <= '9') digits[nd++] = *p;
    digits[nd] = 0;
    while (nd > 1 && digits[nd - 1] == '0') digits[--nd] = 0;
    if (f < 0) lp_strbuf_putc(out, '-');
    if (exp10 >= -4 && exp10 < 16) {
        if (exp10 < 0) {
            lp_strbuf_puts(out, "0.");
            for (int i = -1; i > exp10; i--) lp_strbuf_putc(out, '0');
            lp_strbuf_puts(out, digits);
        } else {
            for (int i = 0; i <= exp10; i++) lp_strbuf_putc(out, i < nd ? digits[i] : '0');
            lp_strbuf_putc(out, '.');
            if (nd > exp10 + 1) lp_strbuf_puts(out, digits + exp10 + 1);
            else lp_strbuf_putc(out, '0');
        }
    } else {
        lp_strbuf_putc(out, digits[0]);
        if (nd > 1) {
            lp_strbuf_putc(out, '.');
            lp_strbuf_puts(out, digits + 1);
        }
        lp_strbuf_printf(out, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    }
}

/* Spark's DataType names, for a schema's repr. */
static const char *spark_type(lp_type t) {
    switch ((lp_kind)t.kind) {
    case LP_BOOL: return "BooleanType()";
    case LP_INT64: return "LongType()";
    case LP_FLOAT64: return "DoubleType()";
    case LP_STRING: return "StringType()";
    case LP_DATE: return "DateType()";
    case LP_TIMESTAMP: return "TimestampType()";
    case LP_LIST:
        return t.elem == LP_INT64 ? "ArrayType(LongType(), True)" : t.elem == LP_FLOAT64 ? "ArrayType(DoubleType(), True)"
                                                                                          : "ArrayType(StringType(), True)";
    case LP_VECTOR: return "VectorUDT()";
    case LP_STRUCT: return NULL; /* nested: struct_repr */
    default: return "NullType()";
    }
}

/* StructType([StructField('start', TimestampType(), True), ...]) */
static void struct_repr(lp_type t, lp_strbuf *out) {
    const char *simple = spark_type(t);
    if (simple) {
        lp_strbuf_puts(out, simple);
        return;
    }
    const lp_struct_schema *st = lp_struct_schema_of(t);
    lp_strbuf_puts(out, "StructType([");
    for (int i = 0; st && i < st->nfields; i++) {
        lp_strbuf_printf(out, "%sStructField('%s', ", i ? ", " : "", st->names[i]);
        struct_repr(st->types[i], out);
        lp_strbuf_puts(out, ", True)");
    }
    lp_strbuf_puts(out, "])");
}

static void schema_repr(const lp_plan *p, lp_strbuf *out) {
    lp_strbuf_puts(out, "DataFrame[");
    for (int i = 0; i < p->ncols; i++)
        lp_strbuf_printf(out, "%s%s: %s", i ? ", " : "", p->names[i], lp_type_name(p->types[i]));
    lp_strbuf_puts(out, "]");
}

void lp_val_repr(const lp_val *v, lp_strbuf *out) {
    switch (v->kind) {
    case LV_NONE: lp_strbuf_puts(out, "None"); break;
    case LV_BOOL: lp_strbuf_puts(out, v->u.b ? "True" : "False"); break;
    case LV_INT: lp_strbuf_printf(out, "%lld", (long long)v->u.i); break;
    case LV_FLOAT: repr_float(v->u.f, out); break;
    case LV_STR: repr_str(v->u.s.p, v->u.s.n, out); break;
    case LV_LIST:
    case LV_TUPLE:
        lp_strbuf_putc(out, v->kind == LV_LIST ? '[' : '(');
        for (int i = 0; i < v->u.list.n; i++) {
            if (i) lp_strbuf_puts(out, ", ");
            lp_val_repr(v->u.list.v[i], out);
        }
        if (v->kind == LV_TUPLE && v->u.list.n == 1) lp_strbuf_putc(out, ',');
        lp_strbuf_putc(out, v->kind == LV_LIST ? ']' : ')');
        break;
    case LV_DICT:
        lp_strbuf_putc(out, '{');
        for (int i = 0; i < v->u.dict.n; i++) {
            if (i) lp_strbuf_puts(out, ", ");
            lp_val_repr(v->u.dict.k[i], out);
            lp_strbuf_puts(out, ": ");
            lp_val_repr(v->u.dict.v[i], out);
        }
        lp_strbuf_putc(out, '}');
        break;
    case LV_ROW: {
        const lp_val *nm = v->u.row.names, *vs = v->u.row.values;
        lp_strbuf_puts(out, "Row(");
        for (int i = 0; i < vs->u.list.n; i++) {
            if (i) lp_strbuf_puts(out, ", ");
            lp_strbuf_printf(out, "%s=", nm->u.list.v[i]->u.s.p);
            lp_val_repr(vs->u.list.v[i], out);
        }
        lp_strbuf_putc(out, ')');
        break;
    }
    case LV_DF: schema_repr(v->u.df, out); break;
    case LV_COL:
        lp_strbuf_puts(out, "Column<'");
        lp_expr_format(v->u.col->e, out);
        if (v->u.col->alias) lp_strbuf_printf(out, " AS %s", v->u.col->alias);
        if (v->u.col->dir) lp_strbuf_puts(out, v->u.col->dir == 2 ? " DESC" : " ASC");
        lp_strbuf_puts(out, "'>");
        break;
    case LV_GROUPED:
        lp_strbuf_puts(out, "GroupedData[grouping columns: ");
        for (int i = 0; i < v->u.grouped.keys->u.list.n; i++) {
            if (i) lp_strbuf_puts(out, ", ");
            lp_expr_format(v->u.grouped.keys->u.list.v[i]->u.col->e, out);
        }
        lp_strbuf_puts(out, "]");
        break;
    case LV_READER: lp_strbuf_puts(out, "<DataFrameReader: spark.read>"); break;
    case LV_WRITER: lp_strbuf_puts(out, "<DataFrameWriter>"); break;
    case LV_MODULE: lp_strbuf_printf(out, "<module '%s'>", v->u.mod.name); break;
    case LV_FUNC: lp_strbuf_printf(out, "<function %s>", v->u.fn.name); break;
    case LV_METHOD:
        lp_strbuf_printf(out, "<bound method %s.%s>", lp_val_type_name(v->u.method.self), v->u.method.name);
        break;
    case LV_CHART: lp_strbuf_puts(out, "<Chart>"); break;
    case LV_NA: lp_strbuf_puts(out, "<DataFrameNaFunctions>"); break;
    case LV_WINDOW: lp_strbuf_puts(out, "<WindowSpec>"); break;
    case LV_ML: case LV_MLCLASS: lp_ml_repr(v, out); break;
    case LV_VECTOR: lp_mlvec_repr(v, out); break;
    case LV_SCHEMA:
        lp_strbuf_puts(out, "StructType([");
        for (int i = 0; i < v->u.df->ncols; i++) {
            lp_strbuf_printf(out, "%sStructField('%s', ", i ? ", " : "", v->u.df->names[i]);
            struct_repr(v->u.df->types[i], out);
            lp_strbuf_puts(out, ", True)");
        }
        lp_strbuf_puts(out, "])");
        break;
    }
}

void lp_val_str_of(const lp_val *v, lp_strbuf *out) {
    if (v->kind == LV_STR) lp_strbuf_append(out, v->u.s.p, v->u.s.n);
    else lp_val_repr(v, out);
}

static int64_t row_of(const lp_value *x) { return x->u.st.row; }

lp_val *lp_val_from_cell(const lp_column *c, int64_t row) {
    if (!lp_col_valid(c, row)) return lp_val_none();
    lp_value x = lp_column_get(c, row);
    switch ((lp_kind)x.type.kind) {
    case LP_BOOL: return lp_val_bool(x.u.b);
    case LP_INT64: return lp_val_int(x.u.i);
    case LP_FLOAT64: return lp_val_float(x.u.f);
    case LP_STRING: return lp_val_str(x.u.s.p, (size_t)x.u.s.n);
    case LP_LIST: {
        lp_val *l = lp_val_list(LV_LIST, (int)x.u.list.n);
        for (int64_t i = 0; l && i < x.u.list.n; i++)
            if (!(l->u.list.v[i] = lp_val_from_cell(x.u.list.child, x.u.list.start + i))) {
                lp_val_unref(l);
                return NULL;
            }
        return l;
    }
    case LP_VECTOR: return lp_val_vector((lp_column *)c, row);
    case LP_STRUCT: {
        /* Row(start=..., end=...), as collect() gives a struct */
        const lp_struct_schema *st = lp_struct_schema_of(x.type);
        lp_val *row = lp_val_new(LV_ROW), *names = lp_val_list(LV_TUPLE, st->nfields),
               *vals = lp_val_list(LV_TUPLE, st->nfields);
        bool ok = row && names && vals;
        for (int k = 0; ok && k < st->nfields; k++)
            ok = (names->u.list.v[k] = lp_val_str(st->names[k], strlen(st->names[k]))) &&
                 (vals->u.list.v[k] = lp_val_from_cell(c->fields[k], row_of(&x)));
        if (!ok) {
            lp_val_unref(row);
            lp_val_unref(names);
            lp_val_unref(vals);
            return NULL;
        }
        row->u.row.names = names;
        row->u.row.values = vals;
        return row;
    }
    default: {
        /* dates and timestamps: their text, as a string (Python would show datetime.date) */
        lp_strbuf b;
        lp_strbuf_init(&b);
        lp_value_format(&x, &b);
        lp_val *s = b.nomem ? NULL : lp_val_str(b.p ? b.p : "", b.len);
        lp_strbuf_reset(&b);
        return s;
    }
    }
}
