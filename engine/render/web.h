/* web.h -- the notebook's rich displays: a DataFrame as text/html (html.c) and a chart as
 * image/svg+xml (svg.c). Pure C, no I/O: the kernel puts the text into a MIME bundle next to the
 * text/plain forms of render.h and chart.h, which show the same values and the same ticks.
 *
 * Every function appends to `out`; a refused allocation sets out->nomem (sticky), never aborts.
 * Pure functions of their input; any thread.
 */
#ifndef LP_WEB_H
#define LP_WEB_H

#include "loupe_int.h"
#include "chart.h"

/* Appends s[0..n) escaped for HTML and XML text and attribute values: & < > " ' become
 * entities; invalid UTF-8 becomes U+FFFD; control characters other than newline, tab and
 * carriage return (which XML forbids even as references) become their Control Pictures
 * (U+2400 + c). Newline, tab and carriage return are kept. */
void lp_render_text_escape_html(const char *s, size_t n, lp_strbuf *out);

/* Appends t (exactly the rows to show) as a self-contained HTML fragment for Jupyter Notebook
 * and JupyterLab: a <div class="loupe-df"> holding one <style> block scoped to that class, a
 * <table> whose header gives each column's name and Spark type, the rows, and a footer
 * "showing 10 of 1,689,188 rows · 9 columns" (total_rows: the whole frame's count, -1 when
 * unknown: "showing first 10 rows"; "10 rows" when all are shown). Values are formatted as
 * lp_value_format formats them; numbers right-aligned with tabular figures; a null is an italic
 * muted `null` (class lp-null) while the string "null" is shown quoted, `"null"`, as the
 * text/plain form shows it; newline and tab are a muted
 * ⏎ and →; cells longer than max_cell code points (0 = no limit) are cut with "…" and carry the
 * whole text in title="". No scripts. */
void lp_render_table_html(const lp_table *t, int64_t total_rows, int max_cell, lp_strbuf *out);

/* Appends the chart as a standalone SVG document (image/svg+xml) of width x height pixels
 * (<= 0: 640 x 400; at least 240 x 160): a title, axes with the ticks and labels of
 * lp_chart_axis_ticks and lp_chart_tick_label, light grid lines, the marks (histogram bins and
 * bars as <rect class="lp-bar">, scatter points as <circle>, one <polyline> per line series), a
 * legend when there are several series, and a note of what was left out or sampled. Colours
 * are the Okabe-Ito palette; text and axes a mid grey readable on light and dark backgrounds.
 * Deterministic: the same chart gives the same bytes (coordinates printed with %.1f). */
void lp_render_chart_svg(const lp_chart *c, int width, int height, lp_strbuf *out);

#endif /* LP_WEB_H */
