/* csv.c -- the CSV parser (RFC 4180 plus Spark's options): records, fields, values.
 *
 * A record ends at a newline outside quotes; the quote state is the parity of the quote
 * characters since the record began (with escape == quote, a doubled quote is two toggles), the
 * same rule split.c uses to cut chunks, so every chunk starts and ends on record boundaries. A
 * record is found first, then tokenized inside its known end: a quoted field may hold
 * separators, doubled quotes and newlines; CRLF ends a record like LF; a quoted field must be
 * followed by a separator or the record's end. Blank lines are skipped, as Spark does.
 *
 * Values: an unquoted empty field is null, a quoted empty field "" is the empty string, and a
 * field whose text equals the null_value option is null. Each field is converted to its
 * column's type; one that does not parse widens the column (inferred schemas: the pass is
 * redone) or makes the record malformed (explicit schemas). A record with a different number of
 * fields than the header is malformed. One task per chunk; it writes only that chunk.
 */
#include "read.h"

#include <stdio.h>

/* The end of the record starting at r: the newline ending it, or end. *nls counts the newlines
 * inside quoted fields. */
static const char *record_end(const char *r, const char *end, char q, char esc, int64_t *nls) {
    const char *nl = memchr(r, '\n', (size_t)(end - r));
    if (!nl) nl = end;
    *nls = 0;
    if (!q || !memchr(r, q, (size_t)(nl - r))) return nl;
    bool inq = false;
    int64_t n = 0;
    for (const char *p = r; p < end; p++) {
        char ch = *p;
        if (inq) {
            if (esc != q && ch == esc && p + 1 < end && (p[1] == q || p[1] == esc)) p++;
            else if (ch == q) inq = false;
            else if (ch == '\n') n++;
        } else if (ch == q) {
            inq = true;
        } else if (ch == '\n') {
            *nls = n;
            return p;
        }
    }
    *nls = n;
    return end;
}

static bool push_field(lp_rchunk *c, const char *s, size_t n, bool quoted) {
    if (c->nfields == c->cfields) {
        int cap = c->cfields ? c->cfields * 2 : 16;
        lp_rfield *f = lp_realloc(c->fields, sizeof *f * (size_t)cap);
        if (!f) {
            c->status = LP_ENOMEM;
            return false;
        }
        c->fields = f;
        c->cfields = cap;
    }
    c->fields[c->nfields++] = (lp_rfield){s, n, quoted};
    return true;
}

/* Tokenizes the record [r, te) into c->fields. False with *err, *errpos on a malformed record,
 * or with c->status set when out of memory. */
static bool tokenize(lp_rchunk *c, const loupe_read_options *o, const char *r, const char *te, const char **err,
                     const char **errpos) {
    char sep = o->sep, q = o->quote, esc = o->escape;
    const char *p = r;
    c->nfields = 0;
    for (;;) {
        if (q && p < te && *p == q) {
            const char *open = p, *seg = p + 1, *x = p + 1;
            char *d0 = NULL, *d = NULL;
            for (;;) {
                while (x < te && *x != q && *x != esc) x++;
                if (x >= te) {
                    *err = "unterminated quoted field";
                    *errpos = open;
                    return false;
                }
                bool doubled = *x == q && x + 1 < te && x[1] == q;
                bool escaped = esc != q && *x == esc && x + 1 < te && (x[1] == q || x[1] == esc);
                if (*x == q && !doubled) break; /* the closing quote */
                if (!doubled && !escaped) { /* a lone escape character is itself */
                    x++;
                    continue;
                }
                if (!d0) d = d0 = c->scratch + c->spos;
                memcpy(d, seg, (size_t)(x - seg));
                d += x - seg;
                *d++ = x[1];
                x += 2;
                seg = x;
            }
            const char *s;
            size_t n;
            if (d0) {
                memcpy(d, seg, (size_t)(x - seg));
                d += x - seg;
                s = d0;
                n = (size_t)(d - d0);
                c->spos += n;
            } else {
                s = seg;
                n = (size_t)(x - seg);
            }
            if (!push_field(c, s, n, true)) return false;
            p = x + 1;
            if (p == te) return true;
            if (*p != sep) {
                *err = "unexpected character after a closing quote";
                *errpos = p;
                return false;
            }
            p++;
        } else {
            const char *x = memchr(p, sep, (size_t)(te - p));
            if (!x) return push_field(c, p, (size_t)(te - p), false);
            if (!push_field(c, p, (size_t)(x - p), false)) return false;
            p = x + 1;
        }
        if (p == te) return push_field(c, p, 0, false); /* a trailing separator: one more field */
    }
}

bool lp_csv_first_record(const lp_rpass *p, lp_rchunk *c, const char *buf, size_t len, size_t *pos,
                         int64_t *lines) {
    const loupe_read_options *o = p->opts;
    const char *r = buf + *pos, *end = buf + len;
    while (r < end) {
        int64_t nls;
        const char *re = record_end(r, end, o->quote, o->escape, &nls);
        const char *te = re > r && re[-1] == '\r' ? re - 1 : re;
        const char *next = re < end ? re + 1 : end;
        *lines += nls + (re < end);
        if (te == r) {
            r = next;
            continue;
        }
        *pos = (size_t)(next - buf);
        if (!lp_rchunk_scratch(c, (size_t)(te - r))) return false;
        lp_rchunk_begin_record(c);
        const char *err, *errpos;
        return tokenize(c, o, r, te, &err, &errpos);
    }
    *pos = len;
    return false;
}

/* Converts and stages every field of the tokenized record. False with *why on a value an
 * explicit schema rejects; a value an inferred schema cannot hold widens the column. */
static bool stage_fields(lp_rchunk *c, const lp_rpass *p, const char **errpos, char *why, size_t whylen) {
    const loupe_read_options *o = p->opts;
    const char *nv = o->null_value;
    size_t nvlen = nv ? strlen(nv) : 0;
    const lp_type *types = p->keys->types;
    for (int i = 0; i < c->nfields; i++) {
        const lp_rfield *f = &c->fields[i];
        lp_rval v;
        v.kind = LP_NULLTYPE;
        v.bad_utf8 = false;
        bool isnull = (!f->quoted && f->n == 0) || (nvlen && f->n == nvlen && memcmp(f->s, nv, nvlen) == 0);
        if (!isnull) {
            lp_type t = types[i];
            if (t.kind != LP_NULLTYPE && lp_read_convert_text(t, f->s, f->n, &v)) {
                if (t.kind == LP_STRING && lp_utf8_valid_prefix(f->s, f->n) != f->n) {
                    v.s = lp_rchunk_sanitize(c, f->s, f->n, &v.n);
                    if (!v.s) return false; /* overflow: the caller retries */
                    v.bad_utf8 = true;
                }
            } else if (p->explicit_schema) {
                int shown = f->n > 40 ? 40 : (int)f->n;
                snprintf(why, whylen, "cannot read '%.*s%s' as %s for column '%s'", shown, f->s,
                         f->n > 40 ? "..." : "", lp_type_name(t), p->keys->names[i]);
                *errpos = f->s;
                return false;
            } else {
                c->want[i] = lp_type_unify(c->want[i], lp_read_infer_text(f->s, f->n));
                c->widened = true;
                v.kind = LP_NULLTYPE;
            }
        }
        lp_rchunk_stage(c, i, &v);
    }
    return true;
}

void lp_csv_parse_chunk(const lp_rpass *p, lp_rchunk *c) {
    const loupe_read_options *o = p->opts;
    const char *r = c->begin, *end = c->end;
    int64_t line = 0;
    bool grown = false;
    int ncols = p->keys->n;
    while (r < end) {
        if (LP_UNLIKELY(c->records == 512) && !grown) {
            lp_rchunk_extrapolate(c, r);
            grown = true;
        }
        if ((c->records & 4095) == 4095 && lp_cancelled()) {
            c->status = LP_ECANCELLED;
            break;
        }
        int64_t nls;
        const char *re = record_end(r, end, o->quote, o->escape, &nls);
        const char *te = re > r && re[-1] == '\r' ? re - 1 : re;
        const char *next = re < end ? re + 1 : end;
        if (te == r) { /* a blank line */
            line += nls + (re < end);
            r = next;
            continue;
        }
        if (p->max_records && c->records >= p->max_records) break;
        const char *err = NULL, *errpos = NULL;
        char why[200];
    again:
        if (!lp_rchunk_scratch(c, (size_t)(te - r))) return;
        lp_rchunk_begin_record(c);
        err = NULL;
        if (!tokenize(c, o, r, te, &err, &errpos)) {
            if (c->status != LP_OK) return;
        } else if (c->nfields != ncols) {
            snprintf(why, sizeof why, "expected %d field%s, found %d", ncols, ncols == 1 ? "" : "s", c->nfields);
            err = why;
            errpos = r;
        } else if (!stage_fields(c, p, &errpos, why, sizeof why)) {
            if (c->overflow) {
                c->overflow = false;
                c->sfactor *= 2;
                goto again;
            }
            err = why;
        }
        c->records++;
        if (err) {
            if (!lp_rchunk_bad(c, p, r, (size_t)(te - r), line, errpos, err)) return;
        } else if (!p->infer_only) {
            if (!c->widened) lp_rchunk_commit(c, p);
            c->rows++;
        }
        line += nls + (re < end);
        r = next;
    }
    c->lines = line;
}
