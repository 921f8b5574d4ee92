/* diagfmt.c -- one way to show an error, the same in the REPL, scripts and the kernel:
 *
 *     script.lp:3:17: NameError: column 'ovrall' does not exist
 *         df.filter(col("ovrall") > 4)
 *                       ^~~~~~
 *     hint: did you mean 'overall'? available columns: ...
 *
 * The caret line is measured in display columns (wide characters count two), so it stays under
 * the text in a terminal and in a notebook's monospace traceback.
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
        /* the source line, tabs as single spaces so the caret lines up */
        lp_strbuf_puts(&b, "    ");
        for (size_t i = ls; i < le; i++) lp_strbuf_putc(&b, code[i] == '\t' ? ' ' : code[i]);
        lp_strbuf_puts(&b, "\n    ");
        int64_t pad = lp_text_width(code + ls, s - ls);
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
