/* check.c -- builtins for exercises: the names lessons use to let students check themselves.
 *
 * The interpreter asks lp_check_has() for a name it does not know as a built-in and calls
 * lp_check_call() for it. Three helpers:
 *   assertDataFrameEqual(actual, expected, checkRowOrder=False, rtol=1e-9, atol=0.0)
 *       PySpark's name (pyspark.testing): same columns (names and types, in any order), same
 *       rows (in any order unless checkRowOrder), floats equal within rtol relative (or atol
 *       absolute). Silent on success; otherwise an error saying in plain words what differs.
 *   check(actual, answer)
 *       The same comparison against an answer embedded in the notebook, printing "✓ correct".
 *   answer(actual, checkRowOrder=False) / answer(sql="SELECT ...", checkRowOrder=False)
 *       For instructors: prints the answer string for check(). From a result, the answer holds
 *       its rows (right for one data set only); from a query, it holds the query, which check()
 *       runs over the temp views of the moment, so the answer is right for any data the lesson
 *       is run on (the workshop's generated reviews, or the real Amazon file).
 * `actual` may be a DataFrame, a scalar (int, float, str, bool: one row of column "value") or a
 * list of scalars (rows of column "value", order checked).
 *
 * THE ANSWER FORMAT
 * An answer is "LA1:" followed by base64 (RFC 4648, with padding) of: the canonical text's
 * length as 4 bytes big-endian, then the canonical text compressed with zlib (compress2). The
 * canonical text is UTF-8 lines ending in '\n':
 *     loupe-answer 1
 *     ordered 0|1
 *     name<TAB>type<TAB>name<TAB>type...      the columns, types as Spark's simple strings
 *     cell<TAB>cell...                         one line per row
 * A cell is \N for null, an integer in decimal (bigint), a float as %.17g (double; inf, -inf,
 * nan), or otherwise the value as show() prints it (strings, dates, timestamps, booleans,
 * arrays); '\\', tab and newline in text are escaped as \\, \t and \n. A query answer's canonical
 * text is instead
 *     loupe-query 1
 *     ordered 0|1
 *     the SQL text (to the end) The compression is
 * there so that the expected rows are not readable as plain text in the student's notebook,
 * not for secrecy: an answer decodes with three lines of Python.
 *
 * Both sides are turned into a `frame` (cells in one arena per call) and compared: schema
 * first (every problem named), then rows, sorted by all columns unless the order is checked,
 * and merged so that a row whose first column matches but another differs is reported as
 * differing, and rows without a partner as missing or unexpected.
 */
#include "lang/interp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define ANSWER_PREFIX "LA1:"
#define ANSWER_MAX_ROWS 10000
#define MSG_CELL_MAX 40  /* characters of a value shown in a message */

/* Cell kinds: C_DATE (days), C_TS (microseconds) and C_BOOL keep their number in i and are
 * only formatted for a message; C_TEXT points into a column or the arena. */
enum { C_NULL, C_INT, C_FLOAT, C_TEXT, C_DATE, C_TS, C_BOOL };

typedef struct cell {
    uint8_t k;
    int64_t i;
    double f;
    const char *s;
    size_t n;
} cell;

typedef struct frame {
    int ncols;
    char **names;
    char **types;
    int64_t nrows;
    cell *cells;  /* nrows * ncols, row-major */
    bool ordered; /* an answer's own request to check the row order */
} frame;

static const char *const HELPERS[] = {"assertDataFrameEqual", "check", "answer"};

bool lp_check_has(const char *name) {
    for (size_t i = 0; i < LP_ARRAY_LEN(HELPERS); i++)
        if (strcmp(HELPERS[i], name) == 0) return true;
    return false;
}

static lp_status nomem(loupe_session *s) { return lp_diag_nomem(s->d, "check"); }

/* ---- frames from values ---- */

static bool frame_alloc(lp_arena *ar, frame *f, int ncols, int64_t nrows) {
    f->ncols = ncols;
    f->nrows = nrows;
    f->names = lp_arena_zalloc(ar, sizeof *f->names * (size_t)(ncols ? ncols : 1));
    f->types = lp_arena_zalloc(ar, sizeof *f->types * (size_t)(ncols ? ncols : 1));
    f->cells = lp_arena_zalloc(ar, sizeof *f->cells * (size_t)(nrows * ncols > 0 ? nrows * ncols : 1));
    return f->names && f->types && f->cells;
}

static bool cell_from_value(lp_arena *ar, const lp_value *v, lp_strbuf *tmp, cell *c) {
    if (v->null) {
        c->k = C_NULL;
        return true;
    }
    switch (v->type.kind) {
    case LP_INT64: c->k = C_INT; c->i = v->u.i; return true;
    case LP_FLOAT64: c->k = C_FLOAT; c->f = v->u.f; return true;
    case LP_DATE: c->k = C_DATE; c->i = v->u.d; return true;
    case LP_TIMESTAMP: c->k = C_TS; c->i = v->u.i; return true;
    case LP_BOOL: c->k = C_BOOL; c->i = v->u.b; return true;
    case LP_STRING:  /* the table is kept alive as long as the frame (frame_from_table) */
        c->k = C_TEXT;
        c->s = v->u.s.p;
        c->n = (size_t)v->u.s.n;
        return true;
    default:
        lp_strbuf_clear(tmp);
        lp_value_format(v, tmp);
        c->k = C_TEXT;
        if (tmp->nomem) return false;
        c->n = tmp->len;
        c->s = lp_arena_strndup(ar, tmp->len ? tmp->p : "", tmp->len);
        return c->s != NULL;
    }
}

static void table_unref(void *t) { lp_table_unref(t); }

/* The frame of table t; the frame's strings point into t, which the arena keeps a reference to. */
static lp_status frame_from_table(loupe_session *s, lp_arena *ar, lp_table *t, frame *f) {
    if (!frame_alloc(ar, f, t->ncols, t->nrows)) return nomem(s);
    if (lp_arena_on_reset(ar, table_unref, lp_table_ref(t)) != LP_OK) {
        lp_table_unref(t);
        return nomem(s);
    }
    lp_strbuf tmp;
    lp_strbuf_init(&tmp);
    for (int c = 0; c < t->ncols; c++) {
        f->names[c] = lp_arena_strndup(ar, t->names[c], strlen(t->names[c]));
        const char *tn = lp_type_name(t->types[c]);
        f->types[c] = lp_arena_strndup(ar, tn, strlen(tn));
        if (!f->names[c] || !f->types[c]) goto fail;
        int64_t base = 0;
        for (int p = 0; p < t->nparts; p++) {
            const lp_column *col = t->parts[p].cols[c];
            for (int64_t r = 0; r < t->parts[p].nrows; r++) {
                lp_value v = lp_column_get(col, r);
                if (!cell_from_value(ar, &v, &tmp, &f->cells[(base + r) * f->ncols + c])) goto fail;
            }
            base += t->parts[p].nrows;
        }
    }
    lp_strbuf_reset(&tmp);
    return LP_OK;
fail:
    lp_strbuf_reset(&tmp);
    return nomem(s);
}

/* A Python scalar as a cell and its column type; false when v is not a scalar. */
static bool scalar_cell(lp_arena *ar, const lp_val *v, cell *c, const char **type, bool *oom) {
    *oom = false;
    switch (v->kind) {
    case LV_INT: c->k = C_INT; c->i = v->u.i; *type = "bigint"; return true;
    case LV_FLOAT: c->k = C_FLOAT; c->f = v->u.f; *type = "double"; return true;
    case LV_BOOL:
        c->k = C_BOOL;
        c->i = v->u.b;
        *type = "boolean";
        return true;
    case LV_STR:
        c->k = C_TEXT;
        c->n = v->u.s.n;
        c->s = lp_arena_strndup(ar, v->u.s.p, v->u.s.n);
        *oom = c->s == NULL;
        *type = "string";
        return true;
    case LV_NONE: c->k = C_NULL; *type = NULL; return true;
    default: return false;
    }
}

/* The frame of `v` (a DataFrame, a scalar or a list of scalars); `what` names the argument. */
static lp_status frame_from_val(loupe_session *s, lp_arena *ar, lp_val *v, const lp_ast *at, const char *fname,
                                const char *what, frame *f) {
    if (v->kind == LV_DF) {
        lp_table *t = NULL;
        lp_status st = lp_sess_execute(s, v->u.df, -1, &t);
        if (st != LP_OK) return st;
        st = frame_from_table(s, ar, t, f);
        lp_table_unref(t);
        return st;
    }
    bool list = v->kind == LV_LIST || v->kind == LV_TUPLE;
    int n = list ? v->u.list.n : 1;
    if (!frame_alloc(ar, f, 1, n)) return nomem(s);
    f->names[0] = "value";
    f->types[0] = NULL;
    f->ordered = list;
    for (int i = 0; i < n; i++) {
        lp_val *x = list ? v->u.list.v[i] : v;
        const char *type = NULL;
        bool oom;
        if (!scalar_cell(ar, x, &f->cells[i], &type, &oom))
            return lp_err(s, LP_ETYPE, at, "%s() expects a DataFrame, a number, a string or a list of them for %s, got %s",
                          fname, what, lp_val_type_name(x));
        if (oom) return nomem(s);
        if (!type) continue;
        const char *cur = f->types[0];
        bool numbers = (strcmp(cur ? cur : "", "bigint") == 0 || strcmp(cur ? cur : "", "double") == 0) &&
                       (strcmp(type, "bigint") == 0 || strcmp(type, "double") == 0);
        if (!cur || (numbers && strcmp(type, "double") == 0)) f->types[0] = (char *)type;
        else if (strcmp(cur, type) != 0 && !numbers)
            return lp_err(s, LP_ETYPE, at, "%s() takes a list whose values have one type, got %s and %s", fname,
                          f->types[0], type);
    }
    if (!f->types[0]) f->types[0] = "string";
    /* ints in a list of floats compare as floats */
    if (strcmp(f->types[0], "double") == 0)
        for (int i = 0; i < n; i++)
            if (f->cells[i].k == C_INT) {
                f->cells[i].k = C_FLOAT;
                f->cells[i].f = (double)f->cells[i].i;
            }
    return LP_OK;
}

/* ---- the canonical text and the answer string ---- */

static void put_escaped(lp_strbuf *b, const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\') lp_strbuf_puts(b, "\\\\");
        else if (p[i] == '\t') lp_strbuf_puts(b, "\\t");
        else if (p[i] == '\n') lp_strbuf_puts(b, "\\n");
        else lp_strbuf_putc(b, p[i]);
    }
}

static void put_float(lp_strbuf *b, double f) {
    if (isnan(f)) lp_strbuf_puts(b, "nan");
    else if (isinf(f)) lp_strbuf_puts(b, f > 0 ? "inf" : "-inf");
    else lp_strbuf_printf(b, "%.17g", f);
}

/* Dates, timestamps and booleans as show() prints them. */
static void put_typed(lp_strbuf *b, const cell *x) {
    char buf[48];
    if (x->k == C_DATE) lp_format_date((int32_t)x->i, buf);
    else if (x->k == C_TS) lp_format_timestamp(x->i, buf);
    else snprintf(buf, sizeof buf, "%s", x->i ? "true" : "false");
    lp_strbuf_puts(b, buf);
}

static void canonical_text(const frame *f, bool ordered, lp_strbuf *b) {
    lp_strbuf_printf(b, "loupe-answer 1\nordered %d\n", ordered ? 1 : 0);
    for (int c = 0; c < f->ncols; c++) {
        if (c) lp_strbuf_putc(b, '\t');
        put_escaped(b, f->names[c], strlen(f->names[c]));
        lp_strbuf_putc(b, '\t');
        lp_strbuf_puts(b, f->types[c]);
    }
    lp_strbuf_putc(b, '\n');
    for (int64_t r = 0; r < f->nrows; r++) {
        for (int c = 0; c < f->ncols; c++) {
            const cell *x = &f->cells[r * f->ncols + c];
            if (c) lp_strbuf_putc(b, '\t');
            switch (x->k) {
            case C_NULL: lp_strbuf_puts(b, "\\N"); break;
            case C_INT: lp_strbuf_printf(b, "%lld", (long long)x->i); break;
            case C_FLOAT: put_float(b, x->f); break;
            case C_TEXT: put_escaped(b, x->s, x->n); break;
            default: put_typed(b, x); break;
            }
        }
        lp_strbuf_putc(b, '\n');
    }
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_encode(const unsigned char *p, size_t n, lp_strbuf *b) {
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        lp_strbuf_putc(b, B64[(v >> 18) & 63]);
        lp_strbuf_putc(b, B64[(v >> 12) & 63]);
        lp_strbuf_putc(b, i + 1 < n ? B64[(v >> 6) & 63] : '=');
        lp_strbuf_putc(b, i + 2 < n ? B64[v & 63] : '=');
    }
}

/* Decodes base64 into out (at least 3*n/4 bytes); -1 on a malformed text. */
static int64_t b64_decode(const char *s, size_t n, unsigned char *out) {
    if (n % 4) return -1;
    int64_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            char ch = s[i + k];
            const char *q = ch ? strchr(B64, ch) : NULL;
            int d;
            if (ch == '=' && i + 4 == n && k >= 2) {
                d = 0;
                pad++;
            } else if (q && !pad) d = (int)(q - B64);
            else return -1;
            v = v << 6 | (uint32_t)d;
        }
        out[o++] = (unsigned char)(v >> 16);
        if (pad < 2) out[o++] = (unsigned char)(v >> 8);
        if (pad < 1) out[o++] = (unsigned char)v;
    }
    return o;
}

/* The answer string for text[0, n) into b. */
static lp_status encode_answer(loupe_session *s, const char *text, size_t n, lp_strbuf *b) {
    uLongf cap = compressBound((uLong)n);
    unsigned char *z = lp_malloc(4 + cap);
    if (!z) return nomem(s);
    z[0] = (unsigned char)(n >> 24);
    z[1] = (unsigned char)(n >> 16);
    z[2] = (unsigned char)(n >> 8);
    z[3] = (unsigned char)n;
    if (compress2(z + 4, &cap, (const Bytef *)text, (uLong)n, 9) != Z_OK) {
        lp_free(z);
        return nomem(s);
    }
    lp_strbuf_puts(b, ANSWER_PREFIX);
    b64_encode(z, 4 + cap, b);
    lp_free(z);
    return LP_OK;
}

/* The canonical text of an answer string, in the arena; NULL when it is not one. */
static char *decode_answer(lp_arena *ar, const char *a, size_t n, size_t *len, bool *oom) {
    *oom = false;
    size_t pl = strlen(ANSWER_PREFIX);
    while (n && (a[n - 1] == ' ' || a[n - 1] == '\n')) n--;
    if (n < pl + 8 || memcmp(a, ANSWER_PREFIX, pl) != 0) return NULL;
    unsigned char *z = lp_malloc(n);
    if (!z) {
        *oom = true;
        return NULL;
    }
    int64_t zn = b64_decode(a + pl, n - pl, z);
    char *text = NULL;
    if (zn > 4) {
        uLongf tl = (uLongf)z[0] << 24 | (uLongf)z[1] << 16 | (uLongf)z[2] << 8 | z[3];
        if (tl < (uLongf)64 << 20) {
            text = lp_arena_alloc(ar, tl + 1);
            if (!text) *oom = true;
            else if (uncompress((Bytef *)text, &tl, z + 4, (uLong)(zn - 4)) != Z_OK) text = NULL;
            else {
                text[tl] = '\0';
                *len = tl;
            }
        }
    }
    lp_free(z);
    return text;
}

/* Splits off the next tab- or newline-ended field of p[*i, n), unescaped into the arena.
 * *end is the terminator ('\t', '\n' or 0 at the end). NULL when out of memory. */
static char *next_field(lp_arena *ar, const char *p, size_t n, size_t *i, char *end, size_t *flen, bool *isnull) {
    size_t j = *i;
    while (j < n && p[j] != '\t' && p[j] != '\n') j++;
    *isnull = j - *i == 2 && p[*i] == '\\' && p[*i + 1] == 'N';
    char *o = lp_arena_alloc(ar, j - *i + 1);
    if (!o) return NULL;
    size_t k = 0;
    for (size_t x = *i; x < j; x++) {
        if (p[x] == '\\' && x + 1 < j) {
            x++;
            o[k++] = p[x] == 't' ? '\t' : p[x] == 'n' ? '\n' : p[x];
        } else o[k++] = p[x];
    }
    o[k] = '\0';
    *flen = k;
    *end = j < n ? p[j] : 0;
    *i = j < n ? j + 1 : j;
    return o;
}

/* Parses the canonical text into f; false (not out of memory: *oom false) when malformed. */
static bool frame_from_text(lp_arena *ar, const char *p, size_t n, frame *f, bool *oom) {
    *oom = false;
    const char *h = "loupe-answer 1\nordered ";
    size_t hl = strlen(h), i;
    if (n < hl + 2 || memcmp(p, h, hl) != 0 || (p[hl] != '0' && p[hl] != '1') || p[hl + 1] != '\n') return false;
    bool ordered = p[hl] == '1';
    i = hl + 2;
    /* columns */
    int ncols = 0;
    for (size_t j = i; j < n && p[j] != '\n'; j++) ncols += p[j] == '\t';
    ncols = (ncols + 1) / 2;
    int64_t nrows = 0;
    for (size_t j = i; j < n; j++) nrows += p[j] == '\n';
    nrows--;
    if (nrows < 0 || ncols < 1 || !frame_alloc(ar, f, ncols, nrows)) {
        *oom = nrows >= 0 && ncols >= 1;
        return false;
    }
    f->ordered = ordered;
    char end;
    size_t fl;
    bool isnull;
    for (int c = 0; c < ncols; c++) {
        f->names[c] = next_field(ar, p, n, &i, &end, &fl, &isnull);
        if (!f->names[c]) return !(*oom = true);
        if (end != '\t') return false;
        f->types[c] = next_field(ar, p, n, &i, &end, &fl, &isnull);
        if (!f->types[c]) return !(*oom = true);
        if (end != (c + 1 < ncols ? '\t' : '\n')) return false;
    }
    for (int64_t r = 0; r < nrows; r++)
        for (int c = 0; c < ncols; c++) {
            cell *x = &f->cells[r * ncols + c];
            char *v = next_field(ar, p, n, &i, &end, &fl, &isnull);
            if (!v) return !(*oom = true);
            if (end != (c + 1 < ncols ? '\t' : '\n')) return false;
            if (isnull) x->k = C_NULL;
            else if (strcmp(f->types[c], "bigint") == 0) {
                x->k = C_INT;
                if (!lp_parse_int64(v, fl, &x->i)) return false;
            } else if (strcmp(f->types[c], "double") == 0) {
                char *e;
                x->k = C_FLOAT;
                x->f = strtod(v, &e);
                if (e == v || *e) return false;
            } else if (strcmp(f->types[c], "date") == 0) {
                int32_t d;
                x->k = C_DATE;
                if (!lp_parse_date(v, fl, &d)) return false;
                x->i = d;
            } else if (strcmp(f->types[c], "timestamp") == 0) {
                x->k = C_TS;
                if (!lp_parse_timestamp(v, fl, &x->i)) return false;
            } else if (strcmp(f->types[c], "boolean") == 0) {
                x->k = C_BOOL;
                if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) return false;
                x->i = v[0] == 't';
            } else {
                x->k = C_TEXT;
                x->s = v;
                x->n = fl;
            }
        }
    return i == n;
}

/* ---- comparison ---- */

typedef struct cmpctx {
    double rtol, atol;
} cmpctx;

static int cell_cmp(const cell *a, const cell *b) {
    if (a->k != b->k) {
        if (a->k == C_NULL || b->k == C_NULL) return a->k == C_NULL ? -1 : 1;
        if ((a->k == C_INT || a->k == C_FLOAT) && (b->k == C_INT || b->k == C_FLOAT)) {
            double x = a->k == C_INT ? (double)a->i : a->f, y = b->k == C_INT ? (double)b->i : b->f;
            return x < y ? -1 : x > y;
        }
        return a->k < b->k ? -1 : 1;
    }
    switch (a->k) {
    case C_INT: case C_DATE: case C_TS: case C_BOOL: return a->i < b->i ? -1 : a->i > b->i;
    case C_FLOAT:
        if (isnan(a->f) || isnan(b->f)) return isnan(a->f) - isnan(b->f);
        return a->f < b->f ? -1 : a->f > b->f;
    case C_TEXT: {
        int c = memcmp(a->s, b->s, a->n < b->n ? a->n : b->n);
        return c ? c : a->n < b->n ? -1 : a->n > b->n;
    }
    default: return 0;
    }
}

static bool cell_eq(const cmpctx *x, const cell *a, const cell *b) {
    if (a->k == C_FLOAT && b->k == C_FLOAT) {
        if (isnan(a->f) || isnan(b->f)) return isnan(a->f) && isnan(b->f);
        if (a->f == b->f) return true;
        double d = fabs(a->f - b->f), m = fmax(fabs(a->f), fabs(b->f));
        return d <= x->atol || d <= x->rtol * m;
    }
    return cell_cmp(a, b) == 0;
}

/* Rows are compared through a column map: column c of the expected frame is column map[c] of
 * the actual one. */
typedef struct side {
    const frame *f;
    const int *map;  /* NULL: identity */
} side;

static const cell *at(const side *sd, int64_t r, int c) {
    return &sd->f->cells[r * sd->f->ncols + (sd->map ? sd->map[c] : c)];
}

static _Thread_local const side *sort_side;
static _Thread_local int sort_ncols;

static int row_cmp(const side *sa, int64_t ra, const side *sb, int64_t rb, int ncols) {
    for (int c = 0; c < ncols; c++) {
        int k = cell_cmp(at(sa, ra, c), at(sb, rb, c));
        if (k) return k;
    }
    return 0;
}

static bool rows_eq(const cmpctx *x, const side *sa, int64_t ra, const side *sb, int64_t rb, int ncols) {
    for (int c = 0; c < ncols; c++)
        if (!cell_eq(x, at(sa, ra, c), at(sb, rb, c))) return false;
    return true;
}

static int sort_cb(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    int k = row_cmp(sort_side, x, sort_side, y, sort_ncols);
    return k ? k : x < y ? -1 : x > y;
}

static int64_t *row_order(lp_arena *ar, const side *sd, int ncols, bool sort) {
    int64_t n = sd->f->nrows;
    int64_t *o = lp_arena_alloc(ar, sizeof *o * (size_t)(n ? n : 1));
    if (!o) return NULL;
    for (int64_t i = 0; i < n; i++) o[i] = i;
    if (sort && n > 1) {
        sort_side = sd;
        sort_ncols = ncols;
        qsort(o, (size_t)n, sizeof *o, sort_cb);
    }
    return o;
}

static void put_cell(lp_strbuf *b, const cell *c) {
    char buf[48];
    switch (c->k) {
    case C_NULL: lp_strbuf_puts(b, "null"); break;
    case C_INT: lp_strbuf_printf(b, "%lld", (long long)c->i); break;
    case C_FLOAT: lp_format_float64(c->f, buf); lp_strbuf_puts(b, buf); break;
    case C_DATE: case C_TS: case C_BOOL: put_typed(b, c); break;
    default: {
        int64_t cps = lp_utf8_length(c->s, c->n);
        if (cps <= MSG_CELL_MAX) lp_strbuf_append(b, c->s, c->n);
        else {
            lp_strbuf_append(b, c->s, lp_utf8_offset(c->s, c->n, MSG_CELL_MAX - 1));
            lp_strbuf_puts(b, "…");
        }
    }
    }
}

static void put_row(lp_strbuf *b, const frame *names, const side *sd, int64_t r, int ncols) {
    for (int c = 0; c < ncols; c++) {
        if (c) lp_strbuf_puts(b, ", ");
        lp_strbuf_printf(b, "%s=", names->names[c]);
        put_cell(b, at(sd, r, c));
    }
}

static const char *rows_word(int64_t n) { return n == 1 ? "row" : "rows"; }

/* Compares actual with expected; on a difference sets the error (LP_EVALUE) naming it. */
static lp_status compare_in(loupe_session *s, lp_arena *ar, const frame *act, const frame *exp, bool ordered,
                            const cmpctx *x, const lp_ast *at_actual, lp_strbuf *bp) {
    int *map = lp_arena_alloc(ar, sizeof *map * (size_t)exp->ncols);
    if (!map) return nomem(s);
    int problems = 0;
    for (int c = 0; c < exp->ncols; c++) {
        map[c] = -1;
        for (int k = 0; k < act->ncols; k++)
            if (strcmp(act->names[k], exp->names[c]) == 0) map[c] = k;
        if (map[c] < 0) {
            lp_strbuf_printf(bp, "%smissing column '%s'", problems++ ? "; " : "", exp->names[c]);
        } else if (strcmp(act->types[map[c]], exp->types[c]) != 0) {
            lp_strbuf_printf(bp, "%scolumn '%s': expected %s, got %s", problems++ ? "; " : "", exp->names[c],
                             exp->types[c], act->types[map[c]]);
        }
    }
    for (int k = 0; k < act->ncols; k++) {
        bool found = false;
        for (int c = 0; c < exp->ncols; c++) found |= map[c] == k;
        if (!found) lp_strbuf_printf(bp, "%sunexpected column '%s'", problems++ ? "; " : "", act->names[k]);
    }
    if (problems) {
        lp_err(s, LP_EVALUE, at_actual, "%s", bp->p);
        lp_strbuf_clear(bp);
        lp_strbuf_puts(bp, "expected the columns ");
        for (int c = 0; c < exp->ncols; c++)
            lp_strbuf_printf(bp, "%s%s %s", c ? ", " : "", exp->names[c], exp->types[c]);
        lp_hint(s, "%s", bp->p);
        return LP_EVALUE;
    }
    int nc = exp->ncols;
    side se = {exp, NULL}, sa = {act, map};
    int64_t *oe = row_order(ar, &se, nc, !ordered), *oa = row_order(ar, &sa, nc, !ordered);
    if (!oe || !oa) return nomem(s);
    int64_t i = 0, j = 0, ndiff = 0, nmiss = 0, nextra = 0, fd_e = -1, fd_a = -1, fmiss = -1, fextra = -1;
    int fd_col = -1;
    while (i < exp->nrows && j < act->nrows) {
        int64_t re = oe[i], ra = oa[j];
        int diffcol = -1;
        for (int c = 0; c < nc && diffcol < 0; c++)
            if (!cell_eq(x, at(&se, re, c), at(&sa, ra, c))) diffcol = c;
        if (diffcol < 0) {
            i++, j++;
            continue;
        }
        /* the first columns match: a row missing or added next to it, or one that differs */
        if (!ordered && diffcol > 0 && j + 1 < act->nrows && rows_eq(x, &se, re, &sa, oa[j + 1], nc)) {
            if (!nextra++) fextra = ra;
            j++;
        } else if (!ordered && diffcol > 0 && i + 1 < exp->nrows && rows_eq(x, &se, oe[i + 1], &sa, ra, nc)) {
            if (!nmiss++) fmiss = re;
            i++;
        } else if (ordered || diffcol > 0) {
            if (!ndiff++) fd_e = re, fd_a = ra, fd_col = diffcol;
            i++, j++;
        } else if (row_cmp(&se, re, &sa, ra, nc) < 0) {
            if (!nmiss++) fmiss = re;
            i++;
        } else {
            if (!nextra++) fextra = ra;
            j++;
        }
    }
    for (; i < exp->nrows; i++)
        if (!nmiss++) fmiss = oe[i];
    for (; j < act->nrows; j++)
        if (!nextra++) fextra = oa[j];
    if (!ndiff && !nmiss && !nextra) return LP_OK;
    if (exp->nrows == 1 && act->nrows == 1) {
        /* one row on each side (a scalar, an aggregate): say what differs in it */
        int c = 0;
        while (c < nc - 1 && cell_eq(x, at(&se, 0, c), at(&sa, 0, c))) c++;
        if (nc > 1) lp_strbuf_printf(bp, "the row differs, %s: ", exp->names[c]);
        lp_strbuf_puts(bp, "expected ");
        put_cell(bp, at(&se, 0, c));
        lp_strbuf_puts(bp, ", got ");
        put_cell(bp, at(&sa, 0, c));
        if (bp->nomem) return nomem(s);
        lp_err(s, LP_EVALUE, at_actual, "%s", bp->p);
        return LP_EVALUE;
    }

    if (exp->nrows != act->nrows)
        lp_strbuf_printf(bp, "expected %lld %s, got %lld: ", (long long)exp->nrows, rows_word(exp->nrows),
                         (long long)act->nrows);
    const char *sep = "";
    if (bp->nomem) return nomem(s);
    if (ndiff) {
        lp_strbuf_printf(bp, "%lld %s, first at ", (long long)ndiff, ndiff == 1 ? "row differs" : "rows differ");
        if (ordered) lp_strbuf_printf(bp, "row %lld%s", (long long)fd_e + 1, nc > 1 && fd_col > 0 ? " (" : "");
        if (!ordered || (nc > 1 && fd_col > 0)) {
            lp_strbuf_printf(bp, "%s=", exp->names[0]);
            put_cell(bp, at(&se, fd_e, 0));
            if (ordered) lp_strbuf_putc(bp, ')');
        }
        lp_strbuf_printf(bp, ", %s: expected ", exp->names[fd_col]);
        put_cell(bp, at(&se, fd_e, fd_col));
        lp_strbuf_puts(bp, ", got ");
        put_cell(bp, at(&sa, fd_a, fd_col));
        sep = "; ";
    }
    if (nmiss) {
        lp_strbuf_printf(bp, "%s%lld expected %s missing, first: ", sep, (long long)nmiss, rows_word(nmiss));
        put_row(bp, exp, &se, fmiss, nc);
        sep = "; ";
    }
    if (nextra) {
        lp_strbuf_printf(bp, "%s%lld unexpected %s, first: ", sep, (long long)nextra, rows_word(nextra));
        put_row(bp, exp, &sa, fextra, nc);
    }
    if (bp->nomem) return nomem(s);
    lp_err(s, LP_EVALUE, at_actual, "%s", bp->p);
    if (!ordered && (nmiss || nextra))
        lp_hint(s, "rows are compared in any order; a row counts as differing when its first column '%s' matches",
                exp->names[0]);
    return LP_EVALUE;
}

static lp_status compare(loupe_session *s, lp_arena *ar, const frame *act, const frame *exp, bool ordered,
                         const cmpctx *x, const lp_ast *at_actual) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_status st = compare_in(s, ar, act, exp, ordered, x, at_actual, &b);
    lp_strbuf_reset(&b);
    return st;
}

/* ---- the helpers ---- */

static lp_status opt_float(loupe_session *s, lp_val *v, lp_ast *n, const char *what, double *out) {
    if (!v) return LP_OK;
    lp_status st = lp_want_float(s, v, n, what, out);
    if (st == LP_OK && (*out < 0 || isnan(*out))) return lp_err(s, LP_EVALUE, n, "%s must be a number >= 0", what);
    return st;
}

static lp_status do_assert(loupe_session *s, lp_arena *ar, const lp_args *a) {
    static const char *const pn[] = {"actual", "expected", "checkRowOrder", "rtol", "atol"};
    lp_val *v[5];
    lp_ast *ast[5];
    lp_status st = lp_args_bind(s, a, pn, 5, v, ast);
    if (st != LP_OK) return st;
    if (!v[0] || !v[1])
        return lp_err_span(s, LP_ETYPE, a->start, a->end, "assertDataFrameEqual() needs two arguments: actual, expected");
    bool ordered = false;
    cmpctx x = {1e-9, 0.0};
    if (v[2] && (st = lp_want_bool(s, v[2], ast[2], "checkRowOrder", &ordered)) != LP_OK) return st;
    if ((st = opt_float(s, v[3], ast[3], "rtol", &x.rtol)) != LP_OK) return st;
    if ((st = opt_float(s, v[4], ast[4], "atol", &x.atol)) != LP_OK) return st;
    frame fa, fe;
    memset(&fa, 0, sizeof fa);
    memset(&fe, 0, sizeof fe);
    if ((st = frame_from_val(s, ar, v[0], ast[0], a->fname, "actual", &fa)) != LP_OK) return st;
    if ((st = frame_from_val(s, ar, v[1], ast[1], a->fname, "expected", &fe)) != LP_OK) return st;
    return compare(s, ar, &fa, &fe, ordered || fa.ordered || fe.ordered, &x, ast[0]);
}

static lp_status do_check(loupe_session *s, lp_arena *ar, const lp_args *a) {
    static const char *const pn[] = {"actual", "answer"};
    lp_val *v[2];
    lp_ast *ast[2];
    lp_status st = lp_args_bind(s, a, pn, 2, v, ast);
    if (st != LP_OK) return st;
    if (!v[0] || !v[1])
        return lp_err_span(s, LP_ETYPE, a->start, a->end, "check() needs two arguments: your result and the answer");
    if (v[1]->kind != LV_STR)
        return lp_err(s, LP_ETYPE, ast[1], "check() expects the answer as a string, got %s", lp_val_type_name(v[1]));
    frame fa, fe;
    memset(&fa, 0, sizeof fa);
    memset(&fe, 0, sizeof fe);
    bool oom;
    size_t tl = 0;
    char *text = decode_answer(ar, v[1]->u.s.p, v[1]->u.s.n, &tl, &oom);
    if (!text && oom) return nomem(s);
    static const char qhead[] = "loupe-query 1\nordered ";
    bool query = text && tl >= sizeof qhead + 1 && memcmp(text, qhead, sizeof qhead - 1) == 0 &&
                 (text[sizeof qhead - 1] == '0' || text[sizeof qhead - 1] == '1') && text[sizeof qhead] == '\n';
    if (query) {
        /* the expected rows: the query, run now over the session's temp views */
        const char *sql = text + sizeof qhead + 1;
        lp_val *df = NULL;
        st = lp_spark_sql(s, sql, tl - (size_t)(sql - text), ast[1], &df);
        if (st == LP_OK) {
            st = frame_from_val(s, ar, df, ast[1], a->fname, "answer", &fe);
            lp_val_unref(df);
        }
        if (st == LP_ENOMEM || st == LP_ECANCELLED) return st;
        if (st != LP_OK) {
            char msg[sizeof s->d->msg];
            snprintf(msg, sizeof msg, "%s", s->d->msg);
            lp_diag_init(s->d);
            lp_err(s, st, ast[1], "check() could not work out the expected answer: %s", msg);
            lp_hint(s, "run the lesson's cells above this one first (they make the data this answer reads)");
            return st;
        }
        fe.ordered = text[sizeof qhead - 1] == '1';
    } else if (!text || !frame_from_text(ar, text, tl, &fe, &oom)) {
        if (oom) return nomem(s);
        lp_err(s, LP_EVALUE, ast[1], "this is not an answer string: it should be what answer() printed");
        lp_hint(s, "answers start with \"%s\"; copy the whole string from the notebook", ANSWER_PREFIX);
        return LP_EVALUE;
    }
    if ((st = frame_from_val(s, ar, v[0], ast[0], a->fname, "actual", &fa)) != LP_OK) return st;
    /* a number or a list checked against a query's one column: the column's name is not asked */
    if (query && v[0]->kind != LV_DF && fe.ncols == 1) fe.names[0] = "value";
    cmpctx x = {1e-9, 0.0};
    if ((st = compare(s, ar, &fa, &fe, fe.ordered, &x, ast[0])) != LP_OK) return st;
    static const char ok[] = "✓ correct\n";
    lp_sess_out(s, ok, sizeof ok - 1);
    return LP_OK;
}

/* Prints the answer string of canonical text b. */
static lp_status print_answer(loupe_session *s, const lp_strbuf *text) {
    lp_strbuf out;
    lp_strbuf_init(&out);
    lp_strbuf_putc(&out, '"');
    lp_status st = text->nomem ? nomem(s) : encode_answer(s, text->p ? text->p : "", text->len, &out);
    lp_strbuf_puts(&out, "\"\n");
    if (st == LP_OK && out.nomem) st = nomem(s);
    if (st == LP_OK) lp_sess_out(s, out.p, out.len);
    lp_strbuf_reset(&out);
    return st;
}

/* answer(sql=...): the query is run once here, so that a mistake shows now, not in class. */
static lp_status answer_sql(loupe_session *s, lp_arena *ar, lp_val *q, lp_ast *at, bool ordered) {
    if (q->kind != LV_STR) return lp_err(s, LP_ETYPE, at, "answer() expects sql as a string, got %s", lp_val_type_name(q));
    lp_val *df = NULL;
    lp_status st = lp_spark_sql(s, q->u.s.p, q->u.s.n, at, &df);
    if (st != LP_OK) return st;
    frame f;
    memset(&f, 0, sizeof f);
    st = frame_from_val(s, ar, df, at, "answer", "sql", &f);
    lp_val_unref(df);
    if (st != LP_OK) return st;
    lp_strbuf text;
    lp_strbuf_init(&text);
    lp_strbuf_printf(&text, "loupe-query 1\nordered %d\n", ordered ? 1 : 0);
    lp_strbuf_append(&text, q->u.s.p, q->u.s.n);
    st = print_answer(s, &text);
    lp_strbuf_reset(&text);
    return st;
}

static lp_status do_answer(loupe_session *s, lp_arena *ar, const lp_args *a) {
    static const char *const pn[] = {"actual", "checkRowOrder", "sql"};
    lp_val *v[3];
    lp_ast *ast[3];
    lp_status st = lp_args_bind(s, a, pn, 3, v, ast);
    if (st != LP_OK) return st;
    if (!v[0] && !v[2])
        return lp_err_span(s, LP_ETYPE, a->start, a->end, "answer() needs the solution's result, or sql=\"SELECT ...\"");
    if (v[0] && v[2]) return lp_err(s, LP_ETYPE, ast[2], "answer() takes a result or sql=, not both");
    bool ordered = false;
    if (v[1] && (st = lp_want_bool(s, v[1], ast[1], "checkRowOrder", &ordered)) != LP_OK) return st;
    if (v[2]) return answer_sql(s, ar, v[2], ast[2], ordered);
    frame f;
    memset(&f, 0, sizeof f);
    if ((st = frame_from_val(s, ar, v[0], ast[0], a->fname, "actual", &f)) != LP_OK) return st;
    if (f.nrows > ANSWER_MAX_ROWS) {
        lp_err(s, LP_ELIMIT, ast[0], "answer() takes at most %d rows, this result has %lld", ANSWER_MAX_ROWS,
               (long long)f.nrows);
        lp_hint(s, "ask for a smaller result: a count, an aggregate, or the top rows with orderBy().limit()");
        return LP_ELIMIT;
    }
    lp_strbuf text;
    lp_strbuf_init(&text);
    canonical_text(&f, ordered || f.ordered, &text);
    st = print_answer(s, &text);
    lp_strbuf_reset(&text);
    return st;
}

LP_WUR lp_status lp_check_call(loupe_session *s, const char *name, const lp_args *a, lp_val **out) {
    lp_arena ar;
    lp_arena_init(&ar);
    lp_status st;
    if (strcmp(name, "assertDataFrameEqual") == 0) st = do_assert(s, &ar, a);
    else if (strcmp(name, "check") == 0) st = do_check(s, &ar, a);
    else if (strcmp(name, "answer") == 0) st = do_answer(s, &ar, a);
    else st = lp_err_span(s, LP_ENAME, a->start, a->end, "no exercise helper '%s'", name);
    lp_arena_reset(&ar);
    if (st != LP_OK) return st;
    *out = lp_val_none();
    return *out ? LP_OK : nomem(s);
}
