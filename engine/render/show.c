/* show.c -- df.show(): Spark's console table, character for character.
 *
 * Students compare what they see here with Spark's console, so the layout follows Spark's
 * Dataset.showString: every column at least 3 wide, header and cells right-aligned (left when
 * truncate is 0), long cells cut to truncate - 3 characters plus "...", and a footer line when
 * rows were left out. Pure function of the table; any thread.
 */
#include "render.h"

#include <utf8proc.h>

int64_t lp_text_width(const char *s, size_t n) {
    int64_t w = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) { /* ASCII: one column, control characters too (Spark counts them) */
            w++;
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) {
            w++;
            i++;
            continue;
        }
        int cw = utf8proc_charwidth(cp);
        w += cw < 0 ? 0 : cw;
        i += (size_t)k;
    }
    return w;
}

/* The cell's text as show() prints it, cut to `truncate` characters when truncate > 0. */
static char *cell_text(const lp_column *c, int64_t row, int truncate) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_value v = lp_column_get(c, row);
    lp_value_format(&v, &b);
    if (truncate > 0 && b.p && lp_utf8_length(b.p, b.len) > truncate) {
        size_t cut = truncate < 4 ? lp_utf8_offset(b.p, b.len, truncate) : lp_utf8_offset(b.p, b.len, truncate - 3);
        b.len = cut;
        b.p[cut] = 0;
        if (truncate >= 4) lp_strbuf_puts(&b, "...");
    }
    return lp_strbuf_take(&b);
}

static void pad(lp_strbuf *out, int64_t k) {
    for (int64_t i = 0; i < k; i++) lp_strbuf_putc(out, ' ');
}

static void cell(lp_strbuf *out, const char *s, int64_t width, bool right) {
    int64_t w = lp_text_width(s, strlen(s));
    if (right) pad(out, width - w);
    lp_strbuf_puts(out, s);
    if (!right) pad(out, width - w);
}

static void rule(lp_strbuf *out, const int64_t *width, int ncols) {
    lp_strbuf_putc(out, '+');
    for (int c = 0; c < ncols; c++) {
        for (int64_t k = 0; k < width[c]; k++) lp_strbuf_putc(out, '-');
        lp_strbuf_putc(out, '+');
    }
    lp_strbuf_putc(out, '\n');
}

void lp_render_show(const lp_table *t, int64_t n, int truncate, lp_strbuf *out) {
    if (n < 0) n = 0;
    int64_t rows = LP_MIN(n, t->nrows);
    int ncols = t->ncols;
    char **cells = lp_calloc((size_t)(rows * ncols) + 1, sizeof *cells);
    int64_t *width = lp_calloc((size_t)ncols + 1, sizeof *width);
    if (!cells || !width) {
        out->nomem = true;
        goto done;
    }
    for (int c = 0; c < ncols; c++) width[c] = LP_MAX(3, lp_text_width(t->names[c], strlen(t->names[c])));
    int64_t r = 0;
    for (int p = 0; p < t->nparts && r < rows; p++)
        for (int64_t i = 0; i < t->parts[p].nrows && r < rows; i++, r++)
            for (int c = 0; c < ncols; c++) {
                char *s = cell_text(t->parts[p].cols[c], i, truncate);
                if (!s) {
                    out->nomem = true;
                    goto done;
                }
                cells[r * ncols + c] = s;
                width[c] = LP_MAX(width[c], lp_text_width(s, strlen(s)));
            }
    bool right = truncate > 0;
    rule(out, width, ncols);
    lp_strbuf_putc(out, '|');
    for (int c = 0; c < ncols; c++) {
        cell(out, t->names[c], width[c], right);
        lp_strbuf_putc(out, '|');
    }
    lp_strbuf_putc(out, '\n');
    rule(out, width, ncols);
    for (r = 0; r < rows; r++) {
        lp_strbuf_putc(out, '|');
        for (int c = 0; c < ncols; c++) {
            cell(out, cells[r * ncols + c], width[c], right);
            lp_strbuf_putc(out, '|');
        }
        lp_strbuf_putc(out, '\n');
    }
    rule(out, width, ncols);
    if (t->nrows > n) lp_strbuf_printf(out, "only showing top %lld row%s\n", (long long)n, n == 1 ? "" : "s");
done:
    if (cells)
        for (int64_t k = 0; k < rows * ncols; k++) lp_free(cells[k]);
    lp_free(cells);
    lp_free(width);
}
