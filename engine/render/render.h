/* render.h -- turning tables into text for people: Spark's show() layout. */
#ifndef LP_RENDER_H
#define LP_RENDER_H

#include "loupe_int.h"

/* Display width of UTF-8 text in terminal columns (wide East Asian characters count 2,
 * combining marks 0), as Spark's show() pads by half-width units. */
int64_t lp_text_width(const char *s, size_t n);

/* Appends the first n rows of t in exactly Spark's df.show(n, truncate) layout:
 * +----+ borders, cells longer than `truncate` characters cut to truncate-3 plus "...",
 * right-aligned when truncate > 0 and left-aligned when it is 0, and the line
 * "only showing top n rows" when t has more rows. `vertical` is not supported. */
void lp_render_show(const lp_table *t, int64_t n, int truncate, lp_strbuf *out);

/* Appends t (exactly the rows to show) as the REPL's and the kernel's text/plain display of a
 * DataFrame (table_text.c): column names, Spark type names, a "─" rule, the rows, and a footer
 * "showing 10 of 1,689,188 rows · 9 columns" (total_rows: the whole frame's rows, -1 when not
 * known: "showing first 10 rows"). Numbers right-aligned, the rest left; null is `null` and the
 * string "null" is shown as `"null"`; newline and tab as ⏎ and →; cells wider than max_cell
 * display columns (0 = no limit) cut with "…". Wider than `width` (0 = no limit): columns are
 * dropped from the right, lines end in "…", and the footer names the hidden ones. */
/* n with thousands separators: 1,689,188. */
void lp_render_count(lp_strbuf *out, int64_t n);
/* "showing 10 of 1,689,188 rows · 9 columns" ("10 rows · 9 columns" when all are shown,
 * "showing first 10 rows · ..." when total_rows is -1): every display's caption. */
void lp_render_rows_caption(int64_t shown, int64_t total_rows, int ncols, lp_strbuf *out);
void lp_render_table_text(const lp_table *t, int64_t total_rows, int width, int max_cell, lp_strbuf *out);

#endif
