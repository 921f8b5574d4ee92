/* html.c -- a DataFrame's first rows as text/html for Jupyter Notebook and JupyterLab.
 *
 * The kernel sends this next to lp_render_table_text's text/plain, so both show the same values
 * (lp_value_format) and the same footer. The fragment is one <div class="loupe-df"> holding a
 * <style> block whose every rule starts with `.loupe-df table.lp-t` (so nothing leaks into the
 * page, and the rules outrank Notebook 6's `.rendered_html` and JupyterLab's
 * `.jp-RenderedHTMLCommon` table rules), the <table>, and the footer.
 *
 * Colours come from JupyterLab's theme variables (Notebook 7 has them too) with grey fallbacks
 * for Notebook 6; backgrounds are transparent or a translucent grey, so light and dark themes
 * both read. No scripts, no external resources.
 *
 * Escaping: every piece of text from the data or the schema goes through one escaper that
 * writes & < > " ' as entities (text and attribute values alike), replaces invalid UTF-8 with
 * U+FFFD and control characters with visible symbols, so a review's "<script>" or a column
 * called `a"b` is shown as written.
 *
 * Pure function of the table; any thread. A refused allocation sets out->nomem.
 */
#include "web.h"
#include "render.h"

#include <stdio.h>

/* How the escaper writes newline and tab. */
typedef enum esc_mode {
    ESC_RAW,   /* keep them (lp_render_text_escape_html) */
    ESC_CELL,  /* a muted ⏎ and → in a table cell, so every row stays one line */
    ESC_ATTR,  /* &#10; and &#9; inside an attribute value (the tooltip keeps its lines) */
} esc_mode;

/* Appends the Control Picture of control character c (U+2400 + c, U+2421 for DEL). */
static void put_control_picture(lp_strbuf *out, unsigned char c) {
    unsigned cp = c == 0x7f ? 0x2421 : 0x2400 + c;
    char u[3] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3f)), (char)(0x80 | (cp & 0x3f))};
    lp_strbuf_append(out, u, 3);
}

static void escape(const char *s, size_t n, esc_mode mode, lp_strbuf *out) {
    size_t i = 0;
    while (i < n) {
        size_t ok = lp_utf8_valid_prefix(s + i, n - i);
        size_t end = i + ok, start = i;
        for (; i < end; i++) {
            unsigned char c = (unsigned char)s[i];
            const char *rep = NULL;
            switch (c) {
            case '&': rep = "&amp;"; break;
            case '<': rep = "&lt;"; break;
            case '>': rep = "&gt;"; break;
            case '"': rep = "&quot;"; break;
            case '\'': rep = "&#39;"; break;
            case '\n':
                rep = mode == ESC_CELL ? "<span class=\"lp-ctl\">\xE2\x8F\x8E</span>" : mode == ESC_ATTR ? "&#10;" : NULL;
                break;
            case '\t':
                rep = mode == ESC_CELL ? "<span class=\"lp-ctl\">\xE2\x86\x92</span>" : mode == ESC_ATTR ? "&#9;" : NULL;
                break;
            case '\r':
                rep = mode == ESC_ATTR ? "&#13;" : NULL;
                if (mode == ESC_CELL) {
                    lp_strbuf_append(out, s + start, i - start);
                    start = i + 1;
                    put_control_picture(out, c);
                    continue;
                }
                break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    lp_strbuf_append(out, s + start, i - start);
                    start = i + 1;
                    put_control_picture(out, c);
                }
                continue;
            }
            if (!rep) continue;
            lp_strbuf_append(out, s + start, i - start);
            lp_strbuf_puts(out, rep);
            start = i + 1;
        }
        lp_strbuf_append(out, s + start, end - start);
        if (i < n) {
            lp_strbuf_puts(out, "\xEF\xBF\xBD"); /* U+FFFD for one invalid byte */
            i++;
        }
    }
}

void lp_render_text_escape_html(const char *s, size_t n, lp_strbuf *out) { escape(s, n, ESC_RAW, out); }

/* Code points in s[0..n), counting every byte that does not continue a sequence (so invalid
 * bytes count one each, as the escaper replaces them). */
static int64_t code_points(const char *s, size_t n) {
    int64_t k = 0;
    for (size_t i = 0; i < n; i++) k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* Byte offset where code point `cp` starts (n when past the end). */
static size_t cp_offset(const char *s, size_t n, int64_t cp) {
    int64_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && k++ == cp) return i;
    return n;
}

/* Appends the text s[0..n) as the content of a cell whose opening tag is `<tag class="cls"`
 * (not yet closed): longer than max_cell code points, it is cut to max_cell - 1 plus "…" and
 * the whole text goes into title="". */
static void put_cell(lp_strbuf *out, const char *tag, const char *cls, const char *s, size_t n, int max_cell) {
    bool cut = max_cell > 0 && code_points(s, n) > max_cell;
    lp_strbuf_printf(out, "<%s", tag);
    if (cls[0] || cut) lp_strbuf_printf(out, " class=\"%s%s%s\"", cls, cls[0] && cut ? " " : "", cut ? "lp-cut" : "");
    if (cut) {
        lp_strbuf_puts(out, " title=\"");
        escape(s, n, ESC_ATTR, out);
        lp_strbuf_puts(out, "\">");
        escape(s, cp_offset(s, n, max_cell - 1), ESC_CELL, out);
        lp_strbuf_puts(out, "\xE2\x80\xA6"); /* … */
    } else {
        lp_strbuf_putc(out, '>');
        escape(s, n, ESC_CELL, out);
    }
}

/* Appends n with thousands separators: 1,689,188. */
/* The footer: the same words as the text display's. */
static void footer(int64_t shown, int64_t total_rows, int ncols, lp_strbuf *out) {
    lp_strbuf_puts(out, "<div class=\"lp-foot\">");
    lp_render_rows_caption(shown, total_rows, ncols, out);
    lp_strbuf_puts(out, "</div>");
}

/* Scoped rules; `.loupe-df table.lp-t` outranks the notebooks' own table rules. */
static const char STYLE[] =
    "<style>"
    ".loupe-df{max-width:100%;overflow-x:auto;margin:2px 0;"
    "font-family:var(--jp-ui-font-family,inherit);font-size:var(--jp-ui-font-size1,13px);"
    "color:var(--jp-content-font-color1,inherit)}"
    ".loupe-df table.lp-t{border-collapse:collapse;border-spacing:0;border:none;margin:0;"
    "width:auto;table-layout:auto;font-size:inherit;color:inherit;background:transparent}"
    ".loupe-df table.lp-t th,.loupe-df table.lp-t td{padding:3px 10px;text-align:left;"
    "vertical-align:top;white-space:nowrap;max-width:none;line-height:1.4;border:none;"
    "border-bottom:1px solid var(--jp-border-color2,rgba(127,127,127,.25));background:transparent;color:inherit}"
    ".loupe-df table.lp-t thead th{vertical-align:bottom;font-weight:600;"
    "border-bottom:1px solid var(--jp-border-color1,rgba(127,127,127,.5))}"
    ".loupe-df table.lp-t .lp-num{text-align:right;font-variant-numeric:tabular-nums}"
    ".loupe-df table.lp-t .lp-type{display:block;font-size:85%;font-weight:normal;"
    "color:var(--jp-ui-font-color2,#757575)}"
    ".loupe-df table.lp-t tbody tr:nth-child(odd){background:transparent}"
    ".loupe-df table.lp-t tbody tr:nth-child(even){background:rgba(127,127,127,.07)}"
    ".loupe-df table.lp-t tbody tr:hover{"
    "background:var(--jp-rendermime-table-row-hover-background,rgba(66,165,245,.14))}"
    ".loupe-df table.lp-t td.lp-null{font-style:italic;color:var(--jp-ui-font-color3,#9e9e9e)}"
    ".loupe-df table.lp-t .lp-ctl{color:var(--jp-ui-font-color3,#9e9e9e)}"
    ".loupe-df table.lp-t .lp-cut{cursor:help}"
    ".loupe-df .lp-foot{margin-top:4px;font-size:85%;color:var(--jp-ui-font-color2,#757575)}"
    "</style>";

void lp_render_table_html(const lp_table *t, int64_t total_rows, int max_cell, lp_strbuf *out) {
    lp_strbuf_puts(out, "<div class=\"loupe-df\">");
    lp_strbuf_puts(out, STYLE);
    int ncols = t->ncols;
    if (ncols > 0) {
        lp_strbuf_puts(out, "<table class=\"lp-t\"><thead><tr>");
        for (int c = 0; c < ncols; c++) {
            const char *name = t->names[c];
            put_cell(out, "th", lp_type_numeric(t->types[c]) ? "lp-num" : "", name, strlen(name), max_cell);
            lp_strbuf_puts(out, "<span class=\"lp-type\">");
            const char *ty = lp_type_name(t->types[c]); /* "array<bigint>" needs escaping */
            escape(ty, strlen(ty), ESC_CELL, out);
            lp_strbuf_puts(out, "</span></th>");
        }
        lp_strbuf_puts(out, "</tr></thead><tbody>");
        lp_strbuf v;
        lp_strbuf_init(&v);
        for (int p = 0; p < t->nparts; p++)
            for (int64_t r = 0; r < t->parts[p].nrows; r++) {
                lp_strbuf_puts(out, "<tr>");
                for (int c = 0; c < ncols; c++) {
                    lp_value val = lp_column_get(t->parts[p].cols[c], r);
                    if (val.null) {
                        lp_strbuf_printf(out, "<td class=\"lp-null%s\">null</td>",
                                         lp_type_numeric(t->types[c]) ? " lp-num" : "");
                        continue;
                    }
                    lp_strbuf_clear(&v);
                    if (val.type.kind == LP_STRING && val.u.s.n == 4 && memcmp(val.u.s.p, "null", 4) == 0)
                        lp_strbuf_puts(&v, "\"null\""); /* as table_text.c: never read as a null */
                    else
                        lp_value_format(&val, &v);
                    if (v.nomem) out->nomem = true;
                    put_cell(out, "td", lp_type_numeric(t->types[c]) ? "lp-num" : "", v.p ? v.p : "", v.len, max_cell);
                    lp_strbuf_puts(out, "</td>");
                }
                lp_strbuf_puts(out, "</tr>");
            }
        lp_strbuf_reset(&v);
        lp_strbuf_puts(out, "</tbody></table>");
    }
    footer(t->nrows, total_rows, ncols, out);
    lp_strbuf_puts(out, "</div>\n");
}
