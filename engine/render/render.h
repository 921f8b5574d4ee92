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

#endif
