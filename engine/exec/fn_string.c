/* fn_string.c -- the string functions: length, lower, upper, trim, substring, concat,
 * concat_ws, contains, startswith, endswith, LIKE and ILIKE, initcap, instr, lpad, rpad, reverse.
 *
 * Lengths and positions count code points (Spark counts UTF-16 units only for characters
 * outside the BMP, which reviews rarely hold). Case mapping is utf8proc's simple per-code-point
 * mapping, with an ASCII fast path. Every function propagates nulls. Output strings are built
 * in one lp_colbuf reserved up front; a per-call scratch buffer serves rows that need rewriting.
 */
#include "expr_int.h"

#include <utf8proc.h>

/* Appends s, case-mapped, to out. */
static void case_map(lp_strbuf *out, const char *s, int64_t n, bool upper) {
    for (int64_t i = 0; i < n;) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80) {
            char c = (char)ch;
            if (upper && c >= 'a' && c <= 'z') c = (char)(c - 32);
            if (!upper && c >= 'A' && c <= 'Z') c = (char)(c + 32);
            lp_strbuf_putc(out, c);
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, n - i, &cp);
        if (k <= 0) {
            lp_strbuf_putc(out, (char)ch);
            i++;
            continue;
        }
        cp = upper ? utf8proc_toupper(cp) : utf8proc_tolower(cp);
        utf8proc_uint8_t buf[4];
        utf8proc_ssize_t m = utf8proc_encode_char(cp, buf);
        lp_strbuf_append(out, (const char *)buf, (size_t)m);
        i += k;
    }
}

/* The first occurrence of t in s: memchr for the first byte, the last byte as a cheap filter,
 * memcmp to confirm (much cheaper than memmem's setup on the short texts of a column). */
static inline const char *find(const char *s, int64_t sn, const char *t, int64_t tn) {
    if (tn == 0) return s;
    if (tn > sn) return NULL;
    const char *p = s, *last = s + sn - tn;
    char c0 = t[0], cl = t[tn - 1];
    while (p <= last) {
        p = memchr(p, c0, (size_t)(last - p + 1));
        if (!p) return NULL;
        if (p[tn - 1] == cl && memcmp(p, t, (size_t)tn) == 0) return p;
        p++;
    }
    return NULL;
}

static bool ascii(const char *s, int64_t n) {
    int64_t i = 0;
    uint64_t acc = 0;
    for (; i + 8 <= n; i += 8) { /* eight bytes at a time: any high bit means non-ASCII */
        uint64_t w;
        memcpy(&w, s + i, 8);
        acc |= w;
    }
    for (; i < n; i++) acc |= (unsigned char)s[i];
    return (acc & 0x8080808080808080ULL) == 0;
}

/* ---- LIKE ---- */

void lp_like_analyze(lp_expr_pre *pre, const char *p, int64_t n, lp_arena *a) {
    (void)a;
    pre->like_kind = LP_LIKE_GENERAL;
    for (int64_t i = 0; i < n; i++)
        if (p[i] == '_' || p[i] == '\\') return;
    int64_t lo = 0, hi = n;
    while (lo < hi && p[lo] == '%') lo++;
    while (hi > lo && p[hi - 1] == '%') hi--;
    for (int64_t i = lo; i < hi; i++)
        if (p[i] == '%') return;
    bool pre_pct = lo > 0, post_pct = hi < n;
    pre->like_text = p + lo;
    pre->like_len = hi - lo;
    if (lo == hi && n > 0) pre->like_kind = LP_LIKE_ALL;
    else if (!pre_pct && !post_pct) pre->like_kind = LP_LIKE_EXACT;
    else if (!pre_pct) pre->like_kind = LP_LIKE_PREFIX;
    else if (!post_pct) pre->like_kind = LP_LIKE_SUFFIX;
    else pre->like_kind = LP_LIKE_CONTAINS;
}

static inline int64_t cp_len(const char *s, int64_t i, int64_t n) {
    int64_t k = 1;
    while (i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80) k++;
    return k;
}

bool lp_like_match(const char *s, int64_t sn, const char *p, int64_t pn, char esc) {
    int64_t si = 0, pi = 0, star_p = -1, star_s = 0;
    while (si < sn) {
        if (pi < pn) {
            char c = p[pi];
            if (c == '%') {
                star_p = ++pi;
                star_s = si;
                continue;
            }
            if (c == '_') {
                si += cp_len(s, si, sn);
                pi++;
                continue;
            }
            if (c == esc && pi + 1 < pn) {
                if (s[si] == p[pi + 1]) {
                    si++;
                    pi += 2;
                    continue;
                }
            } else if (s[si] == c) {
                si++;
                pi++;
                continue;
            }
        }
        if (star_p < 0) return false;
        star_s += cp_len(s, star_s, sn);
        si = star_s;
        pi = star_p;
    }
    while (pi < pn && p[pi] == '%') pi++;
    return pi == pn;
}

static bool like_fast(const lp_expr_pre *pre, const char *s, int64_t n) {
    const char *t = pre->like_text;
    int64_t tn = pre->like_len;
    switch (pre->like_kind) {
    case LP_LIKE_ALL: return true;
    case LP_LIKE_EXACT: return n == tn && memcmp(s, t, (size_t)tn) == 0;
    case LP_LIKE_PREFIX: return n >= tn && memcmp(s, t, (size_t)tn) == 0;
    case LP_LIKE_SUFFIX: return n >= tn && memcmp(s + n - tn, t, (size_t)tn) == 0;
    default: return find(s, n, t, tn) != NULL;
    }
}

/* ---- helpers ---- */

static inline const char *str_at(const lp_vec *v, int64_t r, int64_t *n) {
    return lp_col_str(v->col, lp_vec_row(v, r), n);
}
static inline bool valid_at(const lp_vec *v, int64_t r) { return lp_col_valid(v->col, lp_vec_row(v, r)); }

static bool all_valid(const lp_vec *a, int na, int64_t r) {
    for (int i = 0; i < na; i++)
        if (!valid_at(&a[i], r)) return false;
    return true;
}

/* Bytes of text the string arguments hold (a reservation estimate). */
static size_t text_bytes(const lp_vec *a, int na, int64_t n) {
    size_t bytes = 0;
    for (int i = 0; i < na; i++) {
        const lp_column *c = a[i].col;
        if (c->type.kind != LP_STRING) continue;
        bytes += a[i].cnst ? (size_t)(c->v.off[1] * n) : (size_t)c->v.off[c->len];
    }
    return bytes;
}

/* Spark's substringSQL over code points: [start, end) of a string of `len` code points. */
static void sql_substr(int64_t len, int64_t pos, int64_t count, int64_t *from, int64_t *to) {
    int64_t start = pos > 0 ? pos - 1 : pos < 0 ? len + pos : 0;
    int64_t end;
    if (__builtin_add_overflow(start, count, &end)) end = count > 0 ? INT64_MAX : INT64_MIN;
    if (start < 0) start = 0;
    if (end > len) end = len;
    if (start >= end) start = end = 0;
    *from = start;
    *to = end;
}

static bool in_set(utf8proc_int32_t cp, const char *set, int64_t sn) {
    for (int64_t i = 0; i < sn;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)set + i, sn - i, &c);
        if (k <= 0) {
            c = (unsigned char)set[i];
            k = 1;
        }
        if (c == cp) return true;
        i += k;
    }
    return false;
}

/* Trims code points in set (default: the space character) from the chosen ends. */
static void trim_str(const char **s, int64_t *n, const char *set, int64_t sn, bool left, bool right) {
    const char *p = *s;
    int64_t lo = 0, hi = *n;
    if (!set) {
        if (left) while (lo < hi && p[lo] == ' ') lo++;
        if (right) while (hi > lo && p[hi - 1] == ' ') hi--;
    } else {
        if (left) {
            while (lo < hi) {
                utf8proc_int32_t cp;
                utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)p + lo, hi - lo, &cp);
                if (k <= 0) break;
                if (!in_set(cp, set, sn)) break;
                lo += k;
            }
        }
        if (right) {
            while (hi > lo) {
                int64_t st = hi - 1;
                while (st > lo && ((unsigned char)p[st] & 0xC0) == 0x80) st--;
                utf8proc_int32_t cp;
                utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)p + st, hi - st, &cp);
                if (k <= 0 || !in_set(cp, set, sn)) break;
                hi = st;
            }
        }
    }
    *s = p + lo;
    *n = hi - lo;
}

/* ---- the family ---- */

/* Hands o (with the rows' validity) to *out, or frees both when a buffer was refused. */
static lp_status bool_result(lp_column *o, uint8_t *valid, bool failed, lp_column **out) {
    if (failed) {
        lp_free(valid);
        lp_column_unref(o);
        return LP_ENOMEM;
    }
    lp_ev_set_valid(o, valid);
    *out = o;
    return LP_OK;
}

/* contains, startswith, endswith, LIKE, ILIKE: bool results, nulls propagate. */
static lp_status bool_fn(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out) {
    bool nm;
    uint8_t *valid = lp_ev_valid_and(a, e->nargs >= 2 ? 2 : 1, n, &nm);
    lp_column *o = nm ? NULL : lp_ev_bool_col(n);
    if (!o) {
        lp_free(valid);
        return LP_ENOMEM;
    }
    lp_strbuf ls, lpat;
    lp_strbuf_init(&ls);
    lp_strbuf_init(&lpat);
    const lp_expr_pre *pre = e->pre;
    char esc = '\\';
    if (e->nargs == 3) {
        int64_t en;
        esc = *str_at(&a[2], 0, &en);
    }
    for (int64_t r = 0; r < n; r++) {
        int64_t sn, tn;
        const char *s = str_at(&a[0], r, &sn), *t = str_at(&a[1], r, &tn);
        bool v;
        switch (e->fn) {
        case LP_FN_CONTAINS: v = find(s, sn, t, tn) != NULL; break;
        case LP_FN_STARTSWITH: v = sn >= tn && memcmp(s, t, (size_t)tn) == 0; break;
        case LP_FN_ENDSWITH: v = sn >= tn && memcmp(s + sn - tn, t, (size_t)tn) == 0; break;
        case LP_FN_LIKE:
            v = pre && pre->like_kind != LP_LIKE_GENERAL ? like_fast(pre, s, sn) : lp_like_match(s, sn, t, tn, esc);
            break;
        default: /* ILIKE: both sides lowered */
            lp_strbuf_clear(&ls);
            lp_strbuf_clear(&lpat);
            case_map(&ls, s, sn, false);
            case_map(&lpat, t, tn, false);
            v = !ls.nomem && !lpat.nomem && lp_like_match(ls.p ? ls.p : "", (int64_t)ls.len, lpat.p ? lpat.p : "",
                                                          (int64_t)lpat.len, esc);
            break;
        }
        o->v.b[r] = v;
    }
    bool failed = ls.nomem || lpat.nomem;
    lp_strbuf_reset(&ls);
    lp_strbuf_reset(&lpat);
    return bool_result(o, valid, failed, out);
}

/* ---- contains(lower(x), 'needle'): without lowering x ----
 *
 * The workshop's search, F.lower(col).contains("honest review"), lowered every text into a new
 * column before looking in it: most of the step's time was that copy. With a constant needle
 * that lower() leaves as it is (ASCII, no capitals), an ASCII text contains it after lowering
 * exactly when it contains it ignoring ASCII case, so such rows are searched in place; a text
 * with other bytes is lowered first as before (Unicode lowering can make ASCII out of it). */

static inline unsigned char low(unsigned char c) { return (unsigned char)((unsigned)(c - 'A') < 26u ? c + 32 : c); }

/* Bytes of w equal to the byte in every lane of pat get their high bit set (the lowest match is
 * exact; lanes above one may be false positives, which the caller's compare rejects). */
static inline uint64_t lanes_equal(uint64_t w, uint64_t pat) {
    uint64_t x = w ^ pat;
    return (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
}

/* Whether ASCII text s contains the lowercase needle t, ignoring ASCII case: eight bytes at a time
 * for the needle's first byte in either case, then a compare of the rest. */
static bool find_nocase(const char *s, int64_t sn, const char *t, int64_t tn) {
    if (tn == 0) return true;
    if (tn > sn) return false;
    unsigned char c0 = (unsigned char)t[0], c1 = c0 >= 'a' && c0 <= 'z' ? (unsigned char)(c0 - 32) : c0;
    uint64_t p0 = 0x0101010101010101ULL * c0, p1 = 0x0101010101010101ULL * c1;
    int64_t last = sn - tn, i = 0;
    for (; i + 8 <= last + 1; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t m = lanes_equal(w, p0) | lanes_equal(w, p1);
        while (m) {
            int64_t at = i + (__builtin_ctzll(m) >> 3);
            m &= m - 1;
            int64_t k = 1;
            while (k < tn && low((unsigned char)s[at + k]) == (unsigned char)t[k]) k++;
            if (k == tn && low((unsigned char)s[at]) == c0) return true;
        }
    }
    for (; i <= last; i++) {
        int64_t k = 0;
        while (k < tn && low((unsigned char)s[i + k]) == (unsigned char)t[k]) k++;
        if (k == tn) return true;
    }
    return false;
}

bool lp_fn_lower_unchanged(const char *t, int64_t tn) {
    for (int64_t i = 0; i < tn; i++)
        if ((unsigned char)t[i] >= 0x80 || (t[i] >= 'A' && t[i] <= 'Z')) return false;
    return true;
}

lp_status lp_fn_contains_lower(const lp_vec *a, int64_t n, lp_column **out) {
    bool nm;
    uint8_t *valid = lp_ev_valid_and(a, 2, n, &nm);
    lp_column *o = nm ? NULL : lp_ev_bool_col(n);
    if (!o) {
        lp_free(valid);
        return LP_ENOMEM;
    }
    lp_strbuf ls;
    lp_strbuf_init(&ls);
    for (int64_t r = 0; r < n; r++) {
        int64_t sn, tn;
        const char *s = str_at(&a[0], r, &sn), *t = str_at(&a[1], r, &tn);
        if (ascii(s, sn)) {
            o->v.b[r] = find_nocase(s, sn, t, tn);
        } else {
            lp_strbuf_clear(&ls);
            case_map(&ls, s, sn, false);
            o->v.b[r] = !ls.nomem && find(ls.p ? ls.p : "", (int64_t)ls.len, t, tn) != NULL;
        }
    }
    bool failed = ls.nomem;
    lp_strbuf_reset(&ls);
    return bool_result(o, valid, failed, out);
}

/* length: code points. */
static lp_status length_fn(const lp_vec *a, int64_t n, lp_column **out) {
    bool nm;
    uint8_t *valid = lp_ev_valid_and(a, 1, n, &nm);
    lp_column *o = nm ? NULL : lp_ev_col_new(lp_type_of(LP_INT64), n);
    if (!o) {
        lp_free(valid);
        return LP_ENOMEM;
    }
    const lp_column *c = a[0].col;
    if (ascii(c->data + c->v.off[0], c->v.off[n] - c->v.off[0])) { /* bytes are code points */
        for (int64_t r = 0; r < n; r++) o->v.i[r] = c->v.off[r + 1] - c->v.off[r];
    } else {
        for (int64_t r = 0; r < n; r++) {
            int64_t sn;
            const char *s = lp_col_str(c, r, &sn);
            o->v.i[r] = lp_utf8_length(s, (size_t)sn);
        }
    }
    lp_ev_set_valid(o, valid);
    *out = o;
    return LP_OK;
}

/* instr(str, substr): the 1-based code-point position of the first occurrence, 0 if none. */
static lp_status instr_fn(const lp_vec *a, int64_t n, lp_column **out) {
    bool nm;
    uint8_t *valid = lp_ev_valid_and(a, 2, n, &nm);
    lp_column *o = nm ? NULL : lp_ev_col_new(lp_type_of(LP_INT64), n);
    if (!o) {
        lp_free(valid);
        return LP_ENOMEM;
    }
    for (int64_t r = 0; r < n; r++) {
        int64_t sn, tn;
        const char *s = str_at(&a[0], r, &sn), *t = str_at(&a[1], r, &tn);
        const char *hit = find(s, sn, t, tn);
        o->v.i[r] = hit ? lp_utf8_length(s, (size_t)(hit - s)) + 1 : 0;
    }
    lp_ev_set_valid(o, valid);
    *out = o;
    return LP_OK;
}

/* lower/upper of a column whose text is all ASCII: one pass over the bytes, offsets and
 * validity copied, no per-row work. */
static lp_status case_ascii_column(const lp_column *c, int64_t n, bool upper, lp_column **out) {
    int64_t base = c->v.off[0], bytes = c->v.off[n] - base;
    lp_column *o = lp_ev_col_new(lp_type_of(LP_STRING), n);
    char *data = o ? lp_malloc((size_t)bytes) : NULL;
    uint8_t *valid = data && c->valid ? lp_malloc((size_t)(n + 7) / 8) : NULL;
    if (!data || (c->valid && !valid)) {
        lp_free(data);
        lp_column_unref(o);
        return LP_ENOMEM;
    }
    o->data = data;
    for (int64_t r = 0; r <= n; r++) o->v.off[r] = c->v.off[r] - base;
    const char *s = c->data + base;
    char lo = upper ? 'a' : 'A', hi = upper ? 'z' : 'Z';
    for (int64_t i = 0; i < bytes; i++) {
        char ch = s[i];
        data[i] = (char)(ch ^ ((ch >= lo && ch <= hi) ? 0x20 : 0));
    }
    if (valid) memcpy(valid, c->valid, (size_t)(n + 7) / 8);
    lp_ev_set_valid(o, valid);
    *out = o;
    return LP_OK;
}

/* Appends `count` code points of pad, repeated from its start. */
static void pad_cp(lp_strbuf *sb, const char *pad, int64_t pn, int64_t count) {
    int64_t plen = lp_utf8_length(pad, (size_t)pn);
    for (int64_t k = 0; k < count && plen > 0 && !sb->nomem;) {
        int64_t take = LP_MIN(plen, count - k);
        lp_strbuf_append(sb, pad, lp_utf8_offset(pad, (size_t)pn, take));
        k += take;
    }
}

lp_status lp_fn_string(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out) {
    switch (e->fn) {
    case LP_FN_LENGTH: return length_fn(a, n, out);
    case LP_FN_INSTR: return instr_fn(a, n, out);
    case LP_FN_LOWER: case LP_FN_UPPER:
        if (ascii(a[0].col->data + a[0].col->v.off[0], a[0].col->v.off[n] - a[0].col->v.off[0]))
            return case_ascii_column(a[0].col, n, e->fn == LP_FN_UPPER, out);
        break;
    case LP_FN_CONTAINS: case LP_FN_STARTSWITH: case LP_FN_ENDSWITH: case LP_FN_LIKE: case LP_FN_ILIKE:
        return bool_fn(e, a, n, out);
    default: break;
    }
    lp_colbuf b;
    lp_colbuf_init(&b, lp_type_of(LP_STRING));
    lp_colbuf_reserve(&b, n, text_bytes(a, e->nargs, n) + 16);
    lp_strbuf sb;
    lp_strbuf_init(&sb);
    for (int64_t r = 0; r < n; r++) {
        if (e->fn == LP_FN_CONCAT_WS) {
            if (!valid_at(&a[0], r)) {
                lp_colbuf_append_null(&b);
                continue;
            }
            int64_t sepn;
            const char *sep = str_at(&a[0], r, &sepn);
            lp_strbuf_clear(&sb);
            bool first = true;
            for (int i = 1; i < e->nargs; i++) {
                if (!valid_at(&a[i], r)) continue;
                const lp_column *c = a[i].col;
                int64_t ri = lp_vec_row(&a[i], r);
                if (c->type.kind == LP_LIST) {
                    for (int64_t k = c->v.off[ri]; k < c->v.off[ri + 1]; k++) {
                        if (!lp_col_valid(c->child, k)) continue;
                        int64_t xn;
                        const char *x = lp_col_str(c->child, k, &xn);
                        if (!first) lp_strbuf_append(&sb, sep, (size_t)sepn);
                        lp_strbuf_append(&sb, x, (size_t)xn);
                        first = false;
                    }
                } else {
                    int64_t xn;
                    const char *x = lp_col_str(c, ri, &xn);
                    if (!first) lp_strbuf_append(&sb, sep, (size_t)sepn);
                    lp_strbuf_append(&sb, x, (size_t)xn);
                    first = false;
                }
            }
            lp_colbuf_append_str(&b, sb.p ? sb.p : "", sb.len);
            continue;
        }
        if (!all_valid(a, e->nargs, r)) {
            lp_colbuf_append_null(&b);
            continue;
        }
        int64_t sn;
        const char *s = str_at(&a[0], r, &sn);
        switch (e->fn) {
        case LP_FN_LOWER:
        case LP_FN_UPPER:
            if (ascii(s, sn)) {
                size_t at = b.dlen;
                lp_colbuf_append_str(&b, s, (size_t)sn);
                if (!b.nomem) {
                    char *d = b.data + at;
                    if (e->fn == LP_FN_UPPER) {
                        for (int64_t i = 0; i < sn; i++)
                            if (d[i] >= 'a' && d[i] <= 'z') d[i] = (char)(d[i] - 32);
                    } else {
                        for (int64_t i = 0; i < sn; i++)
                            if (d[i] >= 'A' && d[i] <= 'Z') d[i] = (char)(d[i] + 32);
                    }
                }
            } else {
                lp_strbuf_clear(&sb);
                case_map(&sb, s, sn, e->fn == LP_FN_UPPER);
                lp_colbuf_append_str(&b, sb.p ? sb.p : "", sb.len);
            }
            break;
        case LP_FN_TRIM: case LP_FN_LTRIM: case LP_FN_RTRIM: {
            const char *set = NULL;
            int64_t setn = 0;
            if (e->nargs == 2) set = str_at(&a[1], r, &setn);
            trim_str(&s, &sn, set, setn, e->fn != LP_FN_RTRIM, e->fn != LP_FN_LTRIM);
            lp_colbuf_append_str(&b, s, (size_t)sn);
            break;
        }
        case LP_FN_SUBSTRING: {
            int64_t pos = a[1].col->v.i[lp_vec_row(&a[1], r)];
            int64_t cnt = e->nargs == 3 ? a[2].col->v.i[lp_vec_row(&a[2], r)] : INT64_MAX;
            bool asc = ascii(s, sn);
            int64_t len = asc ? sn : lp_utf8_length(s, (size_t)sn), from, to;
            sql_substr(len, pos, cnt, &from, &to);
            int64_t bf = asc ? from : (int64_t)lp_utf8_offset(s, (size_t)sn, from);
            int64_t bt = asc ? to : (int64_t)lp_utf8_offset(s, (size_t)sn, to);
            lp_colbuf_append_str(&b, s + bf, (size_t)(bt - bf));
            break;
        }
        case LP_FN_INITCAP: { /* lower case, then upper case after every space */
            lp_strbuf_clear(&sb);
            case_map(&sb, s, sn, false);
            for (size_t i = 0; i < sb.len && sb.p; i++) {
                if ((i == 0 || sb.p[i - 1] == ' ') && sb.p[i] >= 'a' && sb.p[i] <= 'z') sb.p[i] = (char)(sb.p[i] - 32);
                else if ((i == 0 || sb.p[i - 1] == ' ') && (unsigned char)sb.p[i] >= 0x80) {
                    size_t k = (size_t)cp_len(sb.p, (int64_t)i, (int64_t)sb.len);
                    lp_strbuf tmp;
                    lp_strbuf_init(&tmp);
                    case_map(&tmp, sb.p + i, (int64_t)k, true);
                    if (tmp.len == k) memcpy(sb.p + i, tmp.p, k);
                    lp_strbuf_reset(&tmp);
                }
            }
            lp_colbuf_append_str(&b, sb.p ? sb.p : "", sb.len);
            break;
        }
        case LP_FN_REVERSE: {
            lp_strbuf_clear(&sb);
            for (int64_t i = sn; i > 0;) {
                int64_t st = i - 1;
                while (st > 0 && ((unsigned char)s[st] & 0xC0) == 0x80) st--;
                lp_strbuf_append(&sb, s + st, (size_t)(i - st));
                i = st;
            }
            lp_colbuf_append_str(&b, sb.p ? sb.p : "", sb.len);
            break;
        }
        case LP_FN_LPAD: case LP_FN_RPAD: { /* Spark: longer text is cut to len; an empty pad adds nothing */
            int64_t len = a[1].col->v.i[lp_vec_row(&a[1], r)], pn = 1;
            const char *pad = " ";
            if (e->nargs == 3) pad = str_at(&a[2], r, &pn);
            int64_t have = lp_utf8_length(s, (size_t)sn);
            lp_strbuf_clear(&sb);
            if (len <= 0) {
            } else if (have >= len) {
                lp_strbuf_append(&sb, s, lp_utf8_offset(s, (size_t)sn, len));
            } else {
                if (e->fn == LP_FN_RPAD) lp_strbuf_append(&sb, s, (size_t)sn);
                pad_cp(&sb, pad, pn, len - have);
                if (e->fn == LP_FN_LPAD) lp_strbuf_append(&sb, s, (size_t)sn);
            }
            lp_colbuf_append_str(&b, sb.p ? sb.p : "", sb.len);
            break;
        }
        case LP_FN_CONCAT:
        default: {
            lp_strbuf_clear(&sb);
            for (int i = 0; i < e->nargs; i++) {
                int64_t xn;
                const char *x = str_at(&a[i], r, &xn);
                lp_strbuf_append(&sb, x, (size_t)xn);
            }
            lp_colbuf_append_str(&b, sb.p ? sb.p : "", sb.len);
            break;
        }
        }
    }
    if (sb.nomem) b.nomem = true;
    lp_strbuf_reset(&sb);
    return lp_colbuf_finish(&b, out);
}
