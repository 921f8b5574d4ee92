/* diagfmt.c -- one way to show an error, the same in the REPL, scripts and the kernel:
 *
 *     script.lp:3:17: NameError: column 'ovrall' does not exist
 *         df.filter(col("ovrall") > 4)
 *                       ^~~~~~
 *     hint: did you mean 'overall'? available columns: ...
 *
 * The caret line is measured in display columns (wide characters count two), so it stays under
 * the text in a terminal and in a notebook's monospace traceback. A source line longer than
 * LINE_MAX bytes (a generated query, a pasted blob) is shown as a window around the span, with
 * "..." where it was cut, so that the error stays readable and its size bounded.
 */
#include "loupe_int.h"
#include "render/render.h"

#include <stdlib.h>
#include <string.h>

#define RED "\033[1;31m"
#define GREEN "\033[1;32m"
#define CYAN "\033[36m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

#define LINE_MAX 160 /* longest source line shown whole, in bytes */
#define CONTEXT 40   /* bytes kept on each side of the span in a cut line */

/* Moves i back to the start of the UTF-8 sequence it is in. */
static size_t char_start(const char *code, size_t lo, size_t i) {
    while (i > lo && ((unsigned char)code[i] & 0xC0) == 0x80) i--;
    return i;
}

char *loupe_diag_format(const loupe_diag *d, const char *code, size_t n, bool color) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    const char *file = d->file[0] ? d->file : "<input>";
    bool where = code && d->span_start >= 0 && (size_t)d->span_start <= n && d->line > 0;
    if (color) lp_strbuf_puts(&b, BOLD);
    if (where) lp_strbuf_printf(&b, "%s:%lld:%lld: ", file, (long long)d->line, (long long)d->column);
    else if (d->file[0]) lp_strbuf_printf(&b, "%s: ", file);
    if (color) lp_strbuf_puts(&b, RESET RED);
    lp_strbuf_puts(&b, loupe_status_name(d->status));
    if (color) lp_strbuf_puts(&b, RESET);
    lp_strbuf_printf(&b, ": %s\n", d->msg);
    if (where) {
        size_t s = (size_t)d->span_start, ls = s, le = s;
        while (ls > 0 && code[ls - 1] != '\n') ls--;
        while (le < n && code[le] != '\n') le++;
        size_t e = d->span_end > d->span_start ? (size_t)d->span_end : s + 1;
        if (e > le) e = le > s ? le : s + 1;
        /* a long line: a window from CONTEXT before the span to CONTEXT after it, at most
         * LINE_MAX wide (a longer span's caret is cut with it) */
        bool cut_left = false, cut_right = false;
        if (le - ls > LINE_MAX) {
            size_t ws = s - ls > CONTEXT ? char_start(code, ls, s - CONTEXT) : ls;
            size_t we = e + CONTEXT < le ? e + CONTEXT : le;
            if (we - ws > LINE_MAX) we = ws + LINE_MAX;
            we = char_start(code, ws, we);
            if (e > we) e = we > s ? we : s + 1;
            cut_left = ws > ls;
            cut_right = we < le;
            ls = ws;
            le = we;
        }
        /* the source line, tabs as single spaces so the caret lines up */
        lp_strbuf_puts(&b, cut_left ? "    ..." : "    ");
        for (size_t i = ls; i < le; i++) lp_strbuf_putc(&b, code[i] == '\t' ? ' ' : code[i]);
        lp_strbuf_puts(&b, cut_right ? "...\n    " : "\n    ");
        int64_t pad = lp_text_width(code + ls, s - ls) + (cut_left ? 3 : 0);
        for (int64_t i = 0; i < pad; i++) lp_strbuf_putc(&b, ' ');
        int64_t w = s < le ? lp_text_width(code + s, e - s) : 1;
        if (w < 1) w = 1;
        if (color) lp_strbuf_puts(&b, GREEN);
        lp_strbuf_putc(&b, '^');
        for (int64_t i = 1; i < w; i++) lp_strbuf_putc(&b, '~');
        if (color) lp_strbuf_puts(&b, RESET);
        lp_strbuf_putc(&b, '\n');
    }
    if (d->hint[0]) {
        if (color) lp_strbuf_puts(&b, CYAN);
        lp_strbuf_printf(&b, "hint: %s", d->hint);
        if (color) lp_strbuf_puts(&b, RESET);
        lp_strbuf_putc(&b, '\n');
    }
    if (b.nomem) {
        lp_strbuf_reset(&b);
        return NULL;
    }
    /* the caller frees with free(): copy out of the counted allocator */
    char *out = malloc(b.len + 1);
    if (out) {
        memcpy(out, b.p, b.len);
        out[b.len] = 0;
    }
    lp_strbuf_reset(&b);
    return out;
}
