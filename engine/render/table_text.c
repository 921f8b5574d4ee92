/* table_text.c -- a DataFrame's first rows as plain text: the REPL's display and the kernel's
 * text/plain form.
 *
 * Unlike show.c (which copies Spark's console table exactly), this layout is ours and aims at a
 * terminal: column names, then their Spark type names, a light rule, the rows, and a footer
 * with the counts. Columns are separated by two spaces; numbers (bigint, double) are
 * right-aligned, everything else left-aligned, headers aligned as their column.
 *
 * Cell text, so that every row stays one line and nothing is ambiguous:
 *   - a null is `null`; a string whose text is exactly "null" is shown quoted, `"null"`
 *     (plain text has no dimming, so the quotes are what tells them apart);
 *   - newline is ⏎, tab is →, other control characters are their Control Pictures (␍, ␀, ...);
 *   - text wider than max_cell display columns is cut and ends in "…".
 * Widths are display columns (lp_text_width: East Asian wide characters count 2).
 * When the table is wider than `width`, columns are dropped from the right, every line ends in
 * a "…" column, and the footer names the hidden columns.
 *
 * Pure function of the table; any thread. A refused allocation sets out->nomem.
 */
#include "render.h"

#include <stdio.h>
#include <utf8proc.h>

#define SEP "  "
#define SEP_W 2
#define MAX_HIDDEN_NAMES 8

/* Appends s[0..n) with control characters made visible. */
static void escape_into(lp_strbuf *b, const char *s, size_t n) {
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != 0x7f) continue;
        lp_strbuf_append(b, s + start, i - start);
        start = i + 1;
        if (c == '\n') {
            lp_strbuf_puts(b, "\xE2\x8F\x8E"); /* ⏎ U+23CE */
        } else if (c == '\t') {
            lp_strbuf_puts(b, "\xE2\x86\x92"); /* → U+2192 */
        } else {
            /* Control Pictures: U+2400 + c, U+2421 for DEL. */
            unsigned cp = c == 0x7f ? 0x2421 : 0x2400 + c;
            char u[4] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3f)), (char)(0x80 | (cp & 0x3f)), 0};
            lp_strbuf_puts(b, u);
        }
    }
    lp_strbuf_append(b, s + start, n - start);
}

/* Cuts b to at most max display columns, the last one "…", when it is wider. */
static void cut_cell(lp_strbuf *b, int max) {
    if (max <= 0 || !b->p || lp_text_width(b->p, b->len) <= max) return;
    /* Keep the longest prefix of width <= max - 1, then the ellipsis. */
    int64_t w = 0;
    size_t i = 0;
    while (i < b->len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)b->p + i, (utf8proc_ssize_t)(b->len - i), &cp);
        if (k <= 0) k = 1;
        int64_t cw = lp_text_width(b->p + i, (size_t)k);
        if (w + cw > max - 1) break;
        w += cw;
        i += (size_t)k;
    }
    b->len = i;
    b->p[i] = 0;
    lp_strbuf_puts(b, "\xE2\x80\xA6"); /* … */
}

/* The cell's display text (lp_malloc'd), or NULL when refused. */
static char *cell_text(const lp_column *c, int64_t row, int max_cell) {
    lp_strbuf raw, b;
    lp_strbuf_init(&raw);
    lp_strbuf_init(&b);
    lp_value v = lp_column_get(c, row);
    if (!v.null && v.type.kind == LP_STRING && v.u.s.n == 4 && memcmp(v.u.s.p, "null", 4) == 0) {
        lp_strbuf_puts(&b, "\"null\"");
    } else {
        lp_value_format(&v, &raw);
        escape_into(&b, raw.p ? raw.p : "", raw.len);
        if (raw.nomem) b.nomem = true;
    }
    lp_strbuf_reset(&raw);
    if (!b.p && !b.nomem) lp_strbuf_puts(&b, "");
    cut_cell(&b, max_cell);
    return lp_strbuf_take(&b);
}

static void pad(lp_strbuf *out, int64_t k) {
    for (int64_t i = 0; i < k; i++) lp_strbuf_putc(out, ' ');
}

/* Appends s padded to width; the last column on a line is not padded on the right. */
static void put_cell(lp_strbuf *out, const char *s, int64_t width, bool right, bool last) {
    int64_t w = lp_text_width(s, strlen(s));
    if (right) pad(out, width - w);
    lp_strbuf_puts(out, s);
    if (!right && !last) pad(out, width - w);
}

/* Appends n with thousands separators: 1,689,188. */
void lp_render_count(lp_strbuf *out, int64_t n) {
    char d[32];
    int len = snprintf(d, sizeof d, "%lld", (long long)n);
    int lead = d[0] == '-' ? 1 : 0;
    for (int i = 0; i < len; i++) {
        int left = len - i;
        if (i > lead && left % 3 == 0) lp_strbuf_putc(out, ',');
        lp_strbuf_putc(out, d[i]);
    }
}

void lp_render_rows_caption(int64_t shown, int64_t total_rows, int ncols, lp_strbuf *out) {
    if (total_rows < 0) {
        lp_strbuf_puts(out, "showing first ");
        lp_render_count(out, shown);
        lp_strbuf_puts(out, shown == 1 ? " row" : " rows");
    } else if (total_rows > shown) {
        lp_strbuf_puts(out, "showing ");
        lp_render_count(out, shown);
        lp_strbuf_puts(out, " of ");
        lp_render_count(out, total_rows);
        lp_strbuf_puts(out, " rows");
    } else {
        lp_render_count(out, shown);
        lp_strbuf_puts(out, shown == 1 ? " row" : " rows");
    }
    lp_strbuf_puts(out, " \xC2\xB7 "); /* · */
    lp_render_count(out, ncols);
    lp_strbuf_puts(out, ncols == 1 ? " column" : " columns");
}

static void footer(const lp_table *t, int64_t shown, int64_t total_rows, int nshown, lp_strbuf *out) {
    lp_render_rows_caption(shown, total_rows, t->ncols, out);
    int hidden = t->ncols - nshown;
    if (hidden > 0) {
        lp_strbuf_printf(out, " (%d hidden: ", hidden);
        for (int c = nshown, k = 0; c < t->ncols; c++, k++) {
            if (k == MAX_HIDDEN_NAMES) {
                lp_strbuf_printf(out, ", and %d more", t->ncols - c);
                break;
            }
            if (k) lp_strbuf_puts(out, ", ");
            lp_strbuf_puts(out, t->names[c]);
        }
        lp_strbuf_putc(out, ')');
    }
    lp_strbuf_putc(out, '\n');
}

void lp_render_table_text(const lp_table *t, int64_t total_rows, int width, int max_cell, lp_strbuf *out) {
    int64_t rows = t->nrows;
    int ncols = t->ncols;
    if (ncols == 0) {
        footer(t, rows, total_rows, 0, out);
        return;
    }
    char **cells = lp_calloc((size_t)(rows * ncols) + 1, sizeof *cells);
    char **names = lp_calloc((size_t)ncols, sizeof *names);
    int64_t *w = lp_calloc((size_t)ncols, sizeof *w);
    bool *right = lp_calloc((size_t)ncols, sizeof *right);
    if (!cells || !names || !w || !right) goto nomem;
    for (int c = 0; c < ncols; c++) {
        lp_strbuf b;
        lp_strbuf_init(&b);
        escape_into(&b, t->names[c], strlen(t->names[c]));
        if (!b.p && !b.nomem) lp_strbuf_puts(&b, "");
        cut_cell(&b, max_cell);
        if (!(names[c] = lp_strbuf_take(&b))) goto nomem;
        const char *ty = lp_type_name(t->types[c]);
        w[c] = LP_MAX(lp_text_width(names[c], strlen(names[c])), lp_text_width(ty, strlen(ty)));
        right[c] = lp_type_numeric(t->types[c]);
    }
    int64_t r = 0;
    for (int p = 0; p < t->nparts; p++)
        for (int64_t i = 0; i < t->parts[p].nrows && r < rows; i++, r++)
            for (int c = 0; c < ncols; c++) {
                char *s = cell_text(t->parts[p].cols[c], i, max_cell);
                if (!s) goto nomem;
                cells[r * ncols + c] = s;
                w[c] = LP_MAX(w[c], lp_text_width(s, strlen(s)));
            }

    /* How many columns fit: with hidden columns the line also holds SEP and "…". */
    int shown = ncols;
    if (width > 0) {
        int64_t total = 0;
        for (int c = 0; c < ncols; c++) total += w[c] + (c ? SEP_W : 0);
        if (total > width) {
            shown = 0;
            int64_t used = 0;
            for (int c = 0; c < ncols; c++) {
                int64_t need = used + (c ? SEP_W : 0) + w[c];
                if (need + SEP_W + 1 > width) break;
                used = need;
                shown = c + 1;
            }
            if (shown == 0) shown = 1; /* always show something */
        }
    }
    bool more = shown < ncols;

    for (int line = 0; line < 3; line++) {
        for (int c = 0; c < shown; c++) {
            if (c) lp_strbuf_puts(out, SEP);
            bool last = c == shown - 1 && !more;
            if (line == 0) {
                put_cell(out, names[c], w[c], right[c], last);
            } else if (line == 1) {
                put_cell(out, lp_type_name(t->types[c]), w[c], right[c], last);
            } else {
                for (int64_t k = 0; k < w[c]; k++) lp_strbuf_puts(out, "\xE2\x94\x80"); /* ─ */
            }
        }
        if (more) lp_strbuf_puts(out, line == 2 ? SEP "\xE2\x94\x80" : SEP "\xE2\x80\xA6");
        lp_strbuf_putc(out, '\n');
    }
    for (r = 0; r < rows; r++) {
        for (int c = 0; c < shown; c++) {
            if (c) lp_strbuf_puts(out, SEP);
            put_cell(out, cells[r * ncols + c], w[c], right[c], c == shown - 1 && !more);
        }
        if (more) lp_strbuf_puts(out, SEP "\xE2\x80\xA6");
        lp_strbuf_putc(out, '\n');
    }
    footer(t, rows, total_rows, shown, out);
    goto done;
nomem:
    out->nomem = true;
done:
    if (cells)
        for (int64_t k = 0; k < rows * ncols; k++) lp_free(cells[k]);
    if (names)
        for (int c = 0; c < ncols; c++) lp_free(names[c]);
    lp_free(cells);
    lp_free(names);
    lp_free(w);
    lp_free(right);
}
