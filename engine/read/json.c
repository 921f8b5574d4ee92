/* json.c -- the JSON lines parser: one object per line, parsed by hand into staged values.
 *
 * This is the hot path of loading a data set, so it is a hand-written recursive-descent parser
 * over the mapped bytes: no library, no allocation per record (strings point into the input
 * unless they had escapes or invalid UTF-8, in which case they are decoded into the chunk's
 * scratch, sized before the record so nothing moves), and key lookup by prediction (a record's
 * keys usually come in the schema's order) before the hash index. Nested objects flatten into
 * `outer.inner` names; arrays of scalars become list values, arrays of objects or arrays keep
 * each element's JSON text. Nesting is limited to LP_READ_MAX_DEPTH levels, checked before each
 * descent, so a hostile line is a malformed record and never a stack overflow.
 *
 * Grammar (RFC 8259, per line):
 *   record -> ws object ws
 *   object -> '{' ws [ member (ws ',' ws member)* ] ws '}'
 *   member -> string ws ':' ws value
 *   value  -> string | number | 'true' | 'false' | 'null' | object | array
 *   array  -> '[' ws [ value (ws ',' ws value)* ] ws ']'
 * Called by one task per chunk; it writes only that chunk.
 */
#include "read.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct jstate {
    const lp_rpass *p;
    lp_rchunk *c;
    const char *e;       /* end of the line */
    const char *err;     /* message of the first error, NULL if none */
    const char *errpos;
    bool nomem;
    int pred;            /* the column the next key is expected to be */
} jstate;

#define PEEK(q) ((q) < e ? *(q) : '\0')

static inline const char *ws(const char *q, const char *e) {
    while (q < e && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')) q++;
    return q;
}

static const char *fail(jstate *j, const char *pos, const char *msg) {
    if (!j->err) {
        j->err = msg;
        j->errpos = pos;
    }
    return NULL;
}

static inline int hexval(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static inline bool hex4(const char *q, const char *e, unsigned *out) {
    if (e - q < 4) return false;
    int a = hexval(q[0]), b = hexval(q[1]), c = hexval(q[2]), d = hexval(q[3]);
    if ((a | b | c | d) < 0) return false;
    *out = (unsigned)(a << 12 | b << 8 | c << 4 | d);
    return true;
}

static inline char *put_utf8(char *d, unsigned cp) {
    if (cp < 0x80) {
        *d++ = (char)cp;
    } else if (cp < 0x800) {
        *d++ = (char)(0xC0 | cp >> 6);
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *d++ = (char)(0xE0 | cp >> 12);
        *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *d++ = (char)(0xF0 | cp >> 18);
        *d++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    }
    return d;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* string -> '"' chars '"'. q is at the opening quote; returns the position after the closing
 * one. The text (decoded, valid UTF-8) goes to *s, *n; *bad when invalid UTF-8 or a lone
 * surrogate was replaced. */
static const char *j_string(jstate *j, const char *q, const char **s, size_t *n, bool *bad) {
    const char *e = j->e;
    const char *start = ++q;
    uint64_t hi = 0;
    while (e - q >= 8) {
        uint64_t w;
        memcpy(&w, q, 8);
        uint64_t x = w ^ (ONES * '"'), y = w ^ (ONES * '\\');
        uint64_t t = ((x - ONES) & ~x) | ((y - ONES) & ~y);
        if (t & HIGHS) break;
        hi |= w;
        q += 8;
    }
    while (q < e && *q != '"' && *q != '\\') hi |= (uint8_t)*q++;
    if (q >= e) return fail(j, start - 1, "unterminated string");
    *bad = false;
    lp_rchunk *c = j->c;
    if (*q == '"') {
        size_t len = (size_t)(q - start);
        if ((hi & HIGHS) && lp_utf8_valid_prefix(start, len) != len) {
            *s = lp_rchunk_sanitize(c, start, len, n);
            *bad = true;
            if (!*s) return fail(j, q, "scratch overflow");
        } else {
            *s = start;
            *n = len;
        }
        return q + 1;
    }
    /* escapes: decode into the scratch (never longer than the rest of the line) */
    if (c->scap - c->spos < (size_t)(e - start)) {
        c->overflow = true;
        return fail(j, q, "scratch overflow");
    }
    char *d0 = c->scratch + c->spos, *d = d0;
    memcpy(d, start, (size_t)(q - start));
    d += q - start;
    for (;;) {
        if (q >= e) return fail(j, start - 1, "unterminated string");
        char ch = *q;
        if (ch == '"') break;
        if (ch != '\\') {
            *d++ = ch;
            q++;
            continue;
        }
        if (q + 1 >= e) return fail(j, q, "unterminated string");
        switch (q[1]) {
        case '"': *d++ = '"'; break;
        case '\\': *d++ = '\\'; break;
        case '/': *d++ = '/'; break;
        case 'b': *d++ = '\b'; break;
        case 'f': *d++ = '\f'; break;
        case 'n': *d++ = '\n'; break;
        case 'r': *d++ = '\r'; break;
        case 't': *d++ = '\t'; break;
        case 'u': {
            unsigned cp;
            if (!hex4(q + 2, e, &cp)) return fail(j, q, "invalid \\u escape in a string");
            q += 6;
            if (cp >= 0xD800 && cp < 0xDC00) {
                unsigned lo;
                if (e - q >= 6 && q[0] == '\\' && q[1] == 'u' && hex4(q + 2, e, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    q += 6;
                } else {
                    cp = 0xFFFD; /* a lone high surrogate */
                    *bad = true;
                }
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                cp = 0xFFFD; /* a lone low surrogate */
                *bad = true;
            }
            d = put_utf8(d, cp);
            continue;
        }
        default: return fail(j, q, "invalid escape in a string");
        }
        q += 2;
    }
    size_t len = (size_t)(d - d0);
    c->spos += len;
    if (lp_utf8_valid_prefix(d0, len) != len) {
        *s = lp_rchunk_sanitize(c, d0, len, n);
        *bad = true;
        if (!*s) return fail(j, q, "scratch overflow");
    } else {
        *s = d0;
        *n = len;
    }
    return q + 1;
}

static const double pow10s[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* number -> '-'? int frac? exp?. int64 when integral and in range, else float64: exact by
 * Clinger's fast path when the digits and exponent allow, else strtod. */
static const char *j_number(jstate *j, const char *q, lp_rval *v) {
    const char *e = j->e, *start = q;
    bool neg = false;
    if (*q == '-') {
        neg = true;
        q++;
    }
    if (q >= e || (unsigned)(*q - '0') > 9) return fail(j, start, "invalid number");
    uint64_t m = 0;
    int nd = 0, exp10 = 0;
    bool dropped = false, integral = true;
    if (*q == '0') {
        q++;
        if (q < e && (unsigned)(*q - '0') <= 9) return fail(j, start, "invalid number (leading zero)");
    } else {
        while (q < e && (unsigned)(*q - '0') <= 9) {
            if (nd < 19) {
                m = m * 10 + (uint64_t)(*q - '0');
                nd++;
            } else {
                exp10++;
                dropped = true;
            }
            q++;
        }
    }
    if (q < e && *q == '.') {
        integral = false;
        q++;
        if (q >= e || (unsigned)(*q - '0') > 9) return fail(j, start, "invalid number");
        while (q < e && (unsigned)(*q - '0') <= 9) {
            if (nd < 19) {
                if (m || *q != '0') nd++;
                m = m * 10 + (uint64_t)(*q - '0');
                exp10--;
            } else if (*q != '0') {
                dropped = true;
            }
            q++;
        }
    }
    if (q < e && (*q == 'e' || *q == 'E')) {
        integral = false;
        q++;
        int es = 1, ev = 0;
        if (q < e && (*q == '+' || *q == '-')) es = *q++ == '-' ? -1 : 1;
        if (q >= e || (unsigned)(*q - '0') > 9) return fail(j, start, "invalid number");
        while (q < e && (unsigned)(*q - '0') <= 9) {
            if (ev < 100000) ev = ev * 10 + (*q - '0');
            q++;
        }
        exp10 += es * ev;
    }
    v->s = start;
    v->n = (size_t)(q - start);
    if (integral && !dropped && (nd < 19 || m <= (uint64_t)INT64_MAX + neg)) {
        v->kind = LP_INT64;
        v->i = neg ? (int64_t)(0 - m) : (int64_t)m;
        return q;
    }
    v->kind = LP_FLOAT64;
    if (!dropped && m <= (1ULL << 53) && exp10 >= -22 && exp10 <= 22) {
        double f = (double)m;
        f = exp10 < 0 ? f / pow10s[-exp10] : f * pow10s[exp10];
        v->f = neg ? -f : f;
        return q;
    }
    /* the slow path: strtod needs a terminated copy; the scratch has room for the line */
    if (j->c->scap - j->c->spos < v->n + 1) {
        j->c->overflow = true;
        return fail(j, q, "scratch overflow");
    }
    char *buf = j->c->scratch + j->c->spos;
    memcpy(buf, start, v->n);
    buf[v->n] = '\0';
    v->f = strtod(buf, NULL);
    return q;
}

static const char *j_value(jstate *j, const char *q, int depth, lp_rval *v);

/* Validates and skips any value (array elements that are objects or arrays). */
static const char *j_skip(jstate *j, const char *q, int depth) {
    const char *e = j->e;
    if (depth > LP_READ_MAX_DEPTH) return fail(j, q, "nesting deeper than 64 levels");
    char open = *q, close = open == '{' ? '}' : ']';
    q = ws(q + 1, e);
    if (PEEK(q) == close) return q + 1;
    for (;;) {
        if (open == '{') {
            if (PEEK(q) != '"') return fail(j, q, "expected a string key");
            const char *s;
            size_t n;
            bool bad;
            size_t save = j->c->spos;
            q = j_string(j, q, &s, &n, &bad);
            j->c->spos = save;
            if (!q) return NULL;
            q = ws(q, e);
            if (PEEK(q) != ':') return fail(j, q, "expected ':' after the key");
            q = ws(q + 1, e);
        }
        char ch = PEEK(q);
        if (ch == '{' || ch == '[') {
            q = j_skip(j, q, depth + 1);
        } else {
            lp_rval v;
            size_t save = j->c->spos;
            q = j_value(j, q, depth, &v);
            j->c->spos = save;
        }
        if (!q) return NULL;
        q = ws(q, e);
        ch = PEEK(q);
        if (ch == ',') {
            q = ws(q + 1, e);
            continue;
        }
        if (ch == close) return q + 1;
        return fail(j, q, open == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

/* Text of v as a string element: JSON text kept as is, sanitized if needed. False when the
 * scratch overflowed. */
static bool raw_text(jstate *j, const char *s, size_t n, lp_rval *v) {
    v->kind = LP_STRING;
    if (!lp_utf8_valid(s, n)) {
        v->s = lp_rchunk_sanitize(j->c, s, n, &v->n);
        v->bad_utf8 = true;
        if (!v->s) return fail(j, s, "scratch overflow") != NULL;
    } else {
        v->s = s;
        v->n = n;
    }
    return true;
}

/* array -> '[' ws [ value (ws ',' ws value)* ] ws ']'. Elements go to the chunk's element stage. */
static const char *j_array(jstate *j, const char *q, int depth, lp_rval *v) {
    const char *e = j->e, *start = q;
    if (depth > LP_READ_MAX_DEPTH) return fail(j, q, "nesting deeper than 64 levels");
    lp_rchunk *c = j->c;
    v->kind = LP_LIST;
    v->elem = LP_NULLTYPE;
    v->e0 = c->nelems;
    v->en = 0;
    q = ws(q + 1, e);
    if (PEEK(q) != ']') {
        for (;;) {
            lp_rval el;
            memset(&el, 0, sizeof el);
            char ch = PEEK(q);
            if (ch == '{' || ch == '[') {
                const char *s = q;
                q = j_skip(j, q, depth + 1);
                if (!q || !raw_text(j, s, (size_t)(q - s), &el)) return NULL;
            } else {
                q = j_value(j, q, depth, &el);
                if (!q) return NULL;
                if (el.kind == LP_BOOL) el.kind = LP_STRING; /* its text: "true" / "false" */
            }
            if (!lp_rchunk_push_elem(c, &el)) {
                j->nomem = true;
                return fail(j, q, "out of memory");
            }
            v->en++;
            if (el.kind != LP_NULLTYPE) {
                uint8_t k = v->elem;
                if (k == LP_NULLTYPE || k == el.kind) v->elem = el.kind;
                else if ((k == LP_INT64 || k == LP_FLOAT64) && (el.kind == LP_INT64 || el.kind == LP_FLOAT64))
                    v->elem = LP_FLOAT64;
                else v->elem = LP_STRING;
            }
            q = ws(q, e);
            ch = PEEK(q);
            if (ch == ',') {
                q = ws(q + 1, e);
                continue;
            }
            if (ch == ']') break;
            return fail(j, q, "expected ',' or ']'");
        }
    }
    q++;
    /* the array's own text, for a string column */
    v->s = start;
    v->n = (size_t)(q - start);
    if (!lp_utf8_valid(start, v->n)) {
        v->s = lp_rchunk_sanitize(c, start, v->n, &v->n);
        if (!v->s) return fail(j, q, "scratch overflow");
    }
    return q;
}

/* value -> string | number | true | false | null | array  (objects are flattened by j_object,
 * or kept as text inside arrays) */
static const char *j_value(jstate *j, const char *q, int depth, lp_rval *v) {
    const char *e = j->e;
    v->bad_utf8 = false;
    switch (PEEK(q)) {
    case '"': v->kind = LP_STRING; return j_string(j, q, &v->s, &v->n, &v->bad_utf8);
    case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8':
    case '9': return j_number(j, q, v);
    case 't':
        if (e - q >= 4 && memcmp(q, "true", 4) == 0) {
            v->kind = LP_BOOL;
            v->i = 1;
            v->s = q;
            v->n = 4;
            return q + 4;
        }
        break;
    case 'f':
        if (e - q >= 5 && memcmp(q, "false", 5) == 0) {
            v->kind = LP_BOOL;
            v->i = 0;
            v->s = q;
            v->n = 5;
            return q + 5;
        }
        break;
    case 'n':
        if (e - q >= 4 && memcmp(q, "null", 4) == 0) {
            v->kind = LP_NULLTYPE;
            return q + 4;
        }
        break;
    case '[': return j_array(j, q, depth + 1, v);
    case '{': {
        const char *s = q;
        q = j_skip(j, q, depth + 1);
        return q && raw_text(j, s, (size_t)(q - s), v) ? q : NULL;
    }
    default: break;
    }
    return fail(j, q, "expected a value");
}

/* The schema column of a flattened key, by prediction first. -1 if none. */
static inline int lookup(jstate *j, const char *name, size_t n) {
    const lp_rkeys *k = j->p->keys;
    int pr = j->pred;
    if (pr < k->n && k->lens[pr] == n && memcmp(k->names[pr], name, n) == 0) {
        j->pred = pr + 1;
        return pr;
    }
    int col = lp_rkeys_find(k, name, n);
    if (col >= 0) j->pred = col + 1;
    return col;
}

/* A key the schema lacks (inferred schemas): remember it and the type of its value. */
static bool learn_key(jstate *j, const char *name, size_t n, const lp_rval *v) {
    lp_rkeys *nk = &j->c->newkeys;
    int i = lp_rkeys_find(nk, name, n);
    if (i < 0) i = lp_rkeys_add(nk, name, n, lp_type_of(LP_NULLTYPE));
    if (i < 0) return false;
    nk->types[i] = lp_type_unify(nk->types[i], lp_rval_type(v));
    return true;
}

/* object -> '{' ws [ member (ws ',' ws member)* ] ws '}', flattening nested objects: the key
 * path so far is j->c->path[0..plen). */
static const char *j_object(jstate *j, const char *q, int depth, size_t plen) {
    const char *e = j->e;
    if (depth > LP_READ_MAX_DEPTH) return fail(j, q, "nesting deeper than 64 levels");
    lp_rchunk *c = j->c;
    q = ws(q + 1, e);
    if (PEEK(q) == '}') return q + 1;
    for (;;) {
        if (PEEK(q) != '"') return fail(j, q, "expected a string key");
        const char *k;
        size_t kn;
        bool kbad;
        q = j_string(j, q, &k, &kn, &kbad);
        if (!q) return NULL;
        q = ws(q, e);
        if (PEEK(q) != ':') return fail(j, q, "expected ':' after the key");
        q = ws(q + 1, e);
        if (plen + kn + 1 > c->pcap) { /* a key that grew when sanitised, in a big record */
            c->overflow = true;
            return fail(j, q, "scratch overflow");
        }
        if (PEEK(q) == '{') {
            memcpy(c->path + plen, k, kn);
            c->path[plen + kn] = '.';
            q = j_object(j, q, depth + 1, plen + kn + 1);
            if (!q) return NULL;
        } else {
            const char *name = k;
            size_t nlen = kn;
            if (plen) {
                memcpy(c->path + plen, k, kn);
                name = c->path;
                nlen = plen + kn;
            }
            int col = lookup(j, name, nlen);
            lp_rval v;
            q = j_value(j, q, depth, &v);
            if (!q) return NULL;
            if (col >= 0) {
                lp_rchunk_stage(c, col, &v);
            } else if (!j->p->explicit_schema && !learn_key(j, name, nlen, &v)) {
                j->nomem = true;
                return fail(j, q, "out of memory");
            }
        }
        q = ws(q, e);
        char ch = PEEK(q);
        if (ch == ',') {
            q = ws(q + 1, e);
            continue;
        }
        if (ch == '}') return q + 1;
        return fail(j, q, "expected ',' or '}' after a value");
    }
}

/* Forgets keys learned from a record that turned out malformed. */
static void unlearn(lp_rchunk *c, int keep) {
    lp_rkeys *nk = &c->newkeys;
    if (nk->n == keep) return;
    lp_rkeys fresh;
    lp_rkeys_init(&fresh);
    bool ok = true;
    for (int i = 0; i < keep && ok; i++) ok = lp_rkeys_add(&fresh, nk->names[i], nk->lens[i], nk->types[i]) >= 0;
    if (!ok) {
        lp_rkeys_reset(&fresh);
        c->status = LP_ENOMEM;
        return;
    }
    lp_rkeys_reset(nk);
    *nk = fresh;
}

void lp_json_parse_chunk(const lp_rpass *p, lp_rchunk *c) {
    const char *q = c->begin, *end = c->end;
    int64_t line = 0;
    bool grown = false;
    jstate j = {.p = p, .c = c};
    while (q < end) {
        if (LP_UNLIKELY(c->records == 512) && !grown) {
            lp_rchunk_extrapolate(c, q);
            grown = true;
        }
        if ((c->records & 4095) == 4095 && lp_cancelled()) {
            c->status = LP_ECANCELLED;
            break;
        }
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        const char *le = nl ? nl : end;
        const char *r = ws(q, le);
        if (r == le) { /* a blank line */
            line += nl != NULL;
            q = le + 1;
            continue;
        }
        if (p->max_records && c->records >= p->max_records) break;
        int keys_before = c->newkeys.n;
    again:
        r = ws(q, le); /* again: a failed parse left r NULL */
        if (!lp_rchunk_scratch(c, (size_t)(le - q))) return;
        lp_rchunk_begin_record(c);
        j.e = le;
        j.err = NULL;
        j.nomem = false;
        j.pred = 0;
        if (*r != '{') {
            fail(&j, r, "expected '{' at the start of a record");
        } else {
            r = j_object(&j, r, 1, 0);
            if (r) {
                r = ws(r, le);
                if (r != le) fail(&j, r, "unexpected text after the object");
            }
        }
        if (j.nomem) {
            c->status = LP_ENOMEM;
            return;
        }
        if (c->overflow) { /* rare: invalid UTF-8 grew the text; parse again with more room */
            unlearn(c, keys_before);
            if (c->status != LP_OK) return;
            c->overflow = false;
            c->sfactor *= 2;
            goto again;
        }
        c->records++;
        char why[160];
        if (!j.err && !lp_rchunk_check(c, p, why, sizeof why)) {
            j.err = why;
            j.errpos = q;
        }
        if (j.err) {
            unlearn(c, keys_before);
            if (c->status != LP_OK) return;
            if (!lp_rchunk_bad(c, p, q, (size_t)(le - q), line, j.errpos, j.err)) return;
        } else if (!p->infer_only) {
            if (!c->widened) lp_rchunk_commit(c, p);
            c->rows++;
        }
        line += nl != NULL;
        q = le + 1;
    }
    c->lines = line;
}
