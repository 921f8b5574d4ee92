/* strbuf.c -- a growable NUL-terminated byte string with a sticky out-of-memory flag.
 *
 * Used for messages, rendering and row formatting. Appending never fails visibly: after a
 * refused allocation `nomem` is set and later appends do nothing, so a caller checks once.
 */
#include "loupe_int.h"

#include <stdio.h>

void lp_strbuf_init(lp_strbuf *b) { memset(b, 0, sizeof *b); }

void lp_strbuf_reset(lp_strbuf *b) {
    lp_free(b->p);
    memset(b, 0, sizeof *b);
}

void lp_strbuf_clear(lp_strbuf *b) {
    b->len = 0;
    if (b->p) b->p[0] = 0;
}

static bool grow(lp_strbuf *b, size_t extra) {
    if (b->nomem) return false;
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    char *p = lp_realloc(b->p, cap);
    if (!p) {
        b->nomem = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void lp_strbuf_append(lp_strbuf *b, const char *s, size_t n) {
    if (!grow(b, n)) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void lp_strbuf_puts(lp_strbuf *b, const char *s) { lp_strbuf_append(b, s, strlen(s)); }

void lp_strbuf_putc(lp_strbuf *b, char c) {
    if (!grow(b, 1)) return;
    b->p[b->len++] = c;
    b->p[b->len] = 0;
}

void lp_strbuf_vprintf(lp_strbuf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || !grow(b, (size_t)n)) return;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void lp_strbuf_printf(lp_strbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    lp_strbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *lp_strbuf_take(lp_strbuf *b) {
    char *p = b->nomem ? NULL : b->p;
    if (!p && !b->nomem) p = lp_strndup("", 0);
    if (b->nomem) lp_free(b->p);
    memset(b, 0, sizeof *b);
    return p;
}
