/* fn_regex.c -- the regular-expression functions: rlike, split, regexp_extract and
 * regexp_replace, on PCRE2 (UTF mode, JIT when available).
 *
 * A literal pattern is compiled once by the binder and shared read-only by every thread; a
 * pattern that comes from a column is compiled per row, reusing the previous row's code when
 * the text repeats. Match data is created per call, never shared between threads. PCRE2
 * allocates through lp_malloc (a general context per compile), so patterns count against the
 * memory cap and the fault-injection tests reach them. Java's regex dialect and PCRE2 agree on
 * everything reviews analysis uses (classes, quantifiers, groups, anchors, lookaround).
 */
#include "expr_int.h"

static void *re_malloc(PCRE2_SIZE n, void *ud) {
    (void)ud;
    return lp_malloc(n);
}
static void re_free(void *p, void *ud) {
    (void)ud;
    lp_free(p);
}

pcre2_code *lp_regex_compile(const char *p, int64_t n, char *err, size_t errcap, int64_t *erroff, bool *nomem) {
    *nomem = false;
    pcre2_general_context *g = pcre2_general_context_create(re_malloc, re_free, NULL);
    pcre2_compile_context *cc = g ? pcre2_compile_context_create(g) : NULL;
    if (!cc) {
        if (g) pcre2_general_context_free(g);
        *nomem = true;
        return NULL;
    }
    int code = 0;
    PCRE2_SIZE off = 0;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)p, (PCRE2_SIZE)n, PCRE2_UTF, &code, &off, cc);
    pcre2_compile_context_free(cc);
    pcre2_general_context_free(g);
    if (!re) {
        if (code == PCRE2_ERROR_HEAP_FAILED) {
            *nomem = true;
        } else if (err) {
            pcre2_get_error_message(code, (PCRE2_UCHAR *)err, errcap);
        }
        *erroff = (int64_t)off;
        return NULL;
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

/* The code for row r: the binder's, or the row's pattern compiled (cached by text). */
typedef struct rx {
    const lp_expr_pre *pre;
    pcre2_code *own;
    const char *text;
    int64_t tn;
    bool bad;
    int gen;  /* bumped per compile: match data made for older code is remade */
} rx;

static pcre2_code *rx_get(rx *x, const char *p, int64_t pn, bool *nomem) {
    if (x->pre && x->pre->re) return x->pre->re;
    if (x->text && x->tn == pn && memcmp(x->text, p, (size_t)pn) == 0) return x->bad ? NULL : x->own;
    if (x->own) pcre2_code_free(x->own);
    int64_t off;
    x->own = lp_regex_compile(p, pn, NULL, 0, &off, nomem);
    x->gen++;
    x->text = p;
    x->tn = pn;
    x->bad = !x->own;
    return x->own;
}

static void rx_done(rx *x) {
    if (x->own) pcre2_code_free(x->own);
}

/* Match at `start`; returns the rc (>0 match, PCRE2_ERROR_NOMATCH, other errors < 0). */
static int rx_match(pcre2_code *re, const char *s, int64_t n, int64_t start, pcre2_match_data **md, bool *nomem) {
    if (!*md) {
        *md = pcre2_match_data_create_from_pattern(re, NULL);
        if (!*md) {
            *nomem = true;
            return PCRE2_ERROR_NOMEMORY;
        }
    }
    int rc = pcre2_match(re, (PCRE2_SPTR)s, (PCRE2_SIZE)n, (PCRE2_SIZE)start, PCRE2_NO_UTF_CHECK, *md, NULL);
    if (rc == PCRE2_ERROR_NOMEMORY || rc == PCRE2_ERROR_HEAPLIMIT) *nomem = true;
    if (rc == 0) rc = 1; /* ovector too small: cannot happen with from_pattern data */
    return rc;
}

static inline int64_t next_cp(const char *s, int64_t i, int64_t n) {
    i++;
    while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
    return i;
}

/* Appends rep with Java's replacement syntax: $n group references, backslash escapes. */
static void append_rep(lp_strbuf *out, const char *rep, int64_t rn, const char *s, const PCRE2_SIZE *ov, int groups) {
    for (int64_t i = 0; i < rn; i++) {
        char c = rep[i];
        if (c == '\\' && i + 1 < rn) {
            lp_strbuf_putc(out, rep[++i]);
        } else if (c == '$' && i + 1 < rn && rep[i + 1] >= '0' && rep[i + 1] <= '9') {
            int g = rep[++i] - '0';
            while (i + 1 < rn && rep[i + 1] >= '0' && rep[i + 1] <= '9' && g * 10 + (rep[i + 1] - '0') <= groups)
                g = g * 10 + (rep[++i] - '0');
            if (g <= groups && ov[2 * g] != PCRE2_UNSET)
                lp_strbuf_append(out, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
        } else {
            lp_strbuf_putc(out, c);
        }
    }
}

lp_status lp_fn_regex(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out) {
    *out = NULL;
    rx x = {e->pre, NULL, NULL, 0, false, 0};
    int md_gen = 0;
    pcre2_match_data *md = NULL;
    pcre2_code *md_for = NULL;
    bool nomem = false;
    lp_type t = e->type;
    lp_colbuf b;
    lp_colbuf_init(&b, t);
    lp_colbuf_reserve(&b, n, t.kind == LP_STRING ? (size_t)(a[0].cnst ? a[0].col->v.off[1] : a[0].col->v.off[a[0].col->len]) : 0);
    lp_colbuf *child = t.kind == LP_LIST ? lp_colbuf_list_child(&b) : NULL;
    lp_strbuf sb;
    lp_strbuf_init(&sb);
    for (int64_t r = 0; r < n && !nomem; r++) {
        bool ok = true;
        for (int i = 0; i < e->nargs; i++) ok &= lp_col_valid(a[i].col, lp_vec_row(&a[i], r));
        int64_t sn, pn;
        const char *s = ok ? lp_col_str(a[0].col, lp_vec_row(&a[0], r), &sn) : NULL;
        const char *p = ok ? lp_col_str(a[1].col, lp_vec_row(&a[1], r), &pn) : NULL;
        pcre2_code *re = NULL;
        if (ok && !(e->fn == LP_FN_SPLIT && pn == 0)) {
            re = rx_get(&x, p, pn, &nomem);
            ok = re && lp_utf8_valid(s, (size_t)sn);
        }
        if (!ok) {
            lp_colbuf_append_null(&b);
            continue;
        }
        if (re && (md_for != re || md_gen != x.gen)) {
            md_gen = x.gen;
            if (md) pcre2_match_data_free(md);
            md = NULL;
            md_for = re;
        }
        switch (e->fn) {
        case LP_FN_RLIKE: {
            int rc = rx_match(re, s, sn, 0, &md, &nomem);
            lp_colbuf_append_bool(&b, rc > 0);
            break;
        }
        case LP_FN_REGEXP_EXTRACT: {
            int64_t g = e->nargs == 3 ? a[2].col->v.i[lp_vec_row(&a[2], r)] : 1;
            uint32_t groups = 0;
            pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups);
            if (g < 0 || g > (int64_t)groups) {
                lp_colbuf_append_null(&b);
                break;
            }
            int rc = rx_match(re, s, sn, 0, &md, &nomem);
            if (rc > 0) {
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
                if (ov[2 * g] == PCRE2_UNSET) lp_colbuf_append_str(&b, "", 0);
                else lp_colbuf_append_str(&b, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
            } else {
                lp_colbuf_append_str(&b, "", 0);
            }
            break;
        }
        case LP_FN_REGEXP_REPLACE: {
            int64_t rn;
            const char *rep = lp_col_str(a[2].col, lp_vec_row(&a[2], r), &rn);
            uint32_t groups = 0;
            pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups);
            lp_strbuf_clear(&sb);
            int64_t pos = 0, last = 0;
            while (pos <= sn) {
                int rc = rx_match(re, s, sn, pos, &md, &nomem);
                if (rc <= 0) break;
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
                int64_t ms = (int64_t)ov[0], me = (int64_t)ov[1];
                lp_strbuf_append(&sb, s + last, (size_t)(ms - last));
                append_rep(&sb, rep, rn, s, ov, (int)groups);
                last = me;
                if (me == ms) {
                    if (me >= sn) break;
                    int64_t nx = next_cp(s, me, sn);
                    lp_strbuf_append(&sb, s + me, (size_t)(nx - me));
                    last = pos = nx;
                } else {
                    pos = me;
                }
            }
            if (last < sn) lp_strbuf_append(&sb, s + last, (size_t)(sn - last));
            lp_colbuf_append_str(&b, sb.p ? sb.p : "", sb.len);
            break;
        }
        default: { /* split */
            int64_t limit = e->nargs == 3 ? a[2].col->v.i[lp_vec_row(&a[2], r)] : -1;
            int64_t pieces = 0, last = 0, pos = 0;
            if (!re) { /* the empty pattern: one piece per code point */
                for (int64_t i = 0; i < sn;) {
                    int64_t nx = next_cp(s, i, sn);
                    if (limit > 0 && pieces == limit - 1) nx = sn;
                    lp_colbuf_append_str(child, s + i, (size_t)(nx - i));
                    pieces++;
                    i = nx;
                }
                if (sn == 0) lp_colbuf_append_str(child, "", 0);
                lp_colbuf_list_end(&b);
                break;
            }
            while (pos <= sn && !(limit > 0 && pieces == limit - 1)) {
                int rc = rx_match(re, s, sn, pos, &md, &nomem);
                if (rc <= 0) break;
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
                int64_t ms = (int64_t)ov[0], me = (int64_t)ov[1];
                if (me == ms) {
                    /* an empty match splits between code points, never at the start or end */
                    if (ms >= sn) break;
                    if (ms == 0) {
                        pos = next_cp(s, 0, sn);
                        continue;
                    }
                }
                lp_colbuf_append_str(child, s + last, (size_t)(ms - last));
                pieces++;
                last = me;
                pos = me > ms ? me : next_cp(s, me, sn);
            }
            lp_colbuf_append_str(child, s + last, (size_t)(sn - last));
            lp_colbuf_list_end(&b);
            break;
        }
        }
    }
    if (md) pcre2_match_data_free(md);
    rx_done(&x);
    if (sb.nomem) nomem = true;
    lp_strbuf_reset(&sb);
    if (nomem) {
        lp_colbuf_reset(&b);
        return LP_ENOMEM;
    }
    return lp_colbuf_finish(&b, out);
}
