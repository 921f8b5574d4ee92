/* chart_text.c -- drawing a chart in terminal cells with Unicode, for the REPL and the kernel's
 * text/plain.
 *
 * The picture, top to bottom: the title (centred), the y label, the plot with the y axis and
 * its tick labels on the left, the x axis with tick marks, the x tick labels, the x label, a
 * legend when there are several series, and a note of what was left out or sampled.
 *   - Histograms and bars are vertical bars; one series uses eighth blocks (▁▂▃▄▅▆▇█) for
 *     1/8-cell resolution. Several series each get a shade (█ ▓ ▒ ░ ...) in whole cells, side
 *     by side inside each bin or bar when there is a column for each, else drawn over each
 *     other with the shortest in front. Negative bars hang from the zero line.
 *   - One scatter or line series uses braille dots (2 x 4 per cell); several use one ASCII
 *     marker per series at cell resolution (* + o x ...).
 * Tick values and labels come from chart.c, the same as the SVG's. Lines carry no trailing
 * spaces. Pure function of the chart; any thread. A refused allocation sets out->nomem.
 */
#include "chart.h"
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <utf8proc.h>

#define MAX_TICKS 32

static const char *const EIGHTHS[] = {"", "\xE2\x96\x81", "\xE2\x96\x82", "\xE2\x96\x83", "\xE2\x96\x84",
                                      "\xE2\x96\x85", "\xE2\x96\x86", "\xE2\x96\x87", "\xE2\x96\x88"};
static const char *const SHADES[] = {"\xE2\x96\x88", "\xE2\x96\x93", "\xE2\x96\x92", "\xE2\x96\x91",
                                     "#", "=", "+", ":", "%", "@"};
static const char *const MARKERS[] = {"*", "+", "o", "x", "#", "@", "%", "=", "~", "$"};

/* One terminal cell: a UTF-8 glyph, or "\1" for the right half of a wide one. */
typedef struct cell {
    char s[8];
} cell;

typedef struct canvas {
    int w, h;
    cell *c;
} canvas;

static void put(canvas *cv, int r, int col, const char *g) {
    if (r < 0 || r >= cv->h || col < 0 || col >= cv->w) return;
    snprintf(cv->c[(size_t)r * (size_t)cv->w + (size_t)col].s, sizeof(cell), "%s", g);
}

static const char *get(const canvas *cv, int r, int col) { return cv->c[(size_t)r * (size_t)cv->w + (size_t)col].s; }

/* Writes text from column col, at most maxw columns; returns the columns used. */
static int put_text(canvas *cv, int r, int col, const char *s, int maxw) {
    int used = 0;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) k = 1;
        int cw = (int)lp_text_width(s + i, (size_t)k);
        if (used + cw > maxw) break;
        if (cw > 0) {
            char g[8] = {0};
            memcpy(g, s + i, (size_t)k < 7 ? (size_t)k : 7);
            put(cv, r, col + used, g);
            if (cw == 2) put(cv, r, col + used + 1, "\1");
        }
        used += cw;
        i += (size_t)k;
    }
    return used;
}

/* s cut to at most maxw display columns, ending in "…" when cut; into buf (>= 4 * maxw + 8). */
static void cut_text(const char *s, int maxw, char *buf, size_t bufn) {
    int64_t w = lp_text_width(s, strlen(s));
    if (w <= maxw) {
        snprintf(buf, bufn, "%s", s);
        return;
    }
    size_t i = 0, n = strlen(s);
    int64_t used = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) k = 1;
        int64_t cw = lp_text_width(s + i, (size_t)k);
        if (used + cw > maxw - 1 || i + (size_t)k + 4 > bufn) break;
        used += cw;
        i += (size_t)k;
    }
    snprintf(buf, bufn, "%.*s\xE2\x80\xA6", (int)i, s);
}

/* Appends one canvas row without trailing spaces. */
static void emit_row(const canvas *cv, int r, lp_strbuf *out) {
    int last = cv->w - 1;
    while (last >= 0 && !get(cv, r, last)[0]) last--;
    for (int col = 0; col <= last; col++) {
        const char *g = get(cv, r, col);
        if (g[0] == '\1') continue;
        lp_strbuf_puts(out, g[0] ? g : " ");
    }
    lp_strbuf_putc(out, '\n');
}

/* Appends s centred in width columns (no trailing spaces). */
static void centred(const char *s, int width, lp_strbuf *out) {
    int64_t w = lp_text_width(s, strlen(s));
    for (int64_t k = 0; k < (width - w) / 2; k++) lp_strbuf_putc(out, ' ');
    lp_strbuf_puts(out, s);
    lp_strbuf_putc(out, '\n');
}

/* Position of v along an axis from lo to hi, in [0, 1] (log10 scale when log). */
static double frac(double v, double lo, double hi, bool log) {
    if (log) {
        v = log10(v);
        lo = log10(lo);
        hi = log10(hi);
    }
    double f = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    return f < 0 ? 0 : f > 1 ? 1 : f;
}

static bool is_barlike(const lp_chart *c) { return c->kind == LP_CHART_HIST || c->kind == LP_CHART_BAR; }

/* ---- bars ---- */

/* Fills canvas column x with the bars of series ids[0..ns), heights h[] (in eighths of a cell
 * from the baseline `base`, also in eighths; negative bars hang below it). Where several cover
 * a cell the shortest is in front. With `eighths` (one series) the top cell is a partial block;
 * otherwise each series fills whole cells with its shade. */
static void draw_column(canvas *cv, int x, int P, const int *h, const int *ids, int ns, int base, bool eighths) {
    for (int r = 0; r < P; r++) {
        int lo = (P - 1 - r) * 8, hi = lo + 8;
        int best = -1, best_h = 0;
        for (int s = 0; s < ns; s++) {
            int a = LP_MIN(base, h[s]), b = LP_MAX(base, h[s]);
            if (LP_MIN(b, hi) - LP_MAX(a, lo) <= 0) continue;
            if (best < 0 || b - a < best_h) {
                best = s;
                best_h = b - a;
            }
        }
        if (best < 0) continue;
        int a = LP_MIN(base, h[best]), b = LP_MAX(base, h[best]);
        int cover = LP_MIN(b, hi) - LP_MAX(a, lo);
        if (eighths) {
            if (cover >= 8) put(cv, r, x, EIGHTHS[8]);
            else if (a <= lo) put(cv, r, x, EIGHTHS[cover]); /* grows from the bottom of the cell */
            else if (cover >= 4) put(cv, r, x, EIGHTHS[8]);  /* hangs from the top: whole cells */
        } else if (cover >= 4 || b - a < 4) {
            /* Whole cells; a bar under half a cell still shows in its one cell. */
            put(cv, r, x, SHADES[ids[best] % (int)LP_ARRAY_LEN(SHADES)]);
        }
    }
}

/* ---- points ---- */

static void dot(canvas *cv, int P, int W, int x0, int dx, int dy) {
    if (dx < 0 || dx >= 2 * W || dy < 0 || dy >= 4 * P) return;
    static const unsigned bits[2][4] = {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}};
    cell *c = &cv->c[(size_t)(dy / 4) * (size_t)cv->w + (size_t)(x0 + dx / 2)];
    unsigned cur = 0;
    if (c->s[0] == '\xE2' && (unsigned char)c->s[1] >= 0xA0 && (unsigned char)c->s[1] <= 0xA3)
        cur = (((unsigned char)c->s[1] & 0x3) << 6) | ((unsigned char)c->s[2] & 0x3f);
    cur |= bits[dx & 1][dy & 3];
    unsigned cp = 0x2800 + cur;
    char g[4] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3f)), (char)(0x80 | (cp & 0x3f)), 0};
    memcpy(c->s, g, 4);
}

/* A line from (x0, y0) to (x1, y1) on a grid, calling plot at each step (Bresenham). */
typedef void (*plot_fn)(void *ctx, int x, int y);
static void line(int x0, int y0, int x1, int y1, plot_fn plot, void *ctx) {
    int dx = x1 > x0 ? x1 - x0 : x0 - x1, sx = x0 < x1 ? 1 : -1;
    int dy = y1 > y0 ? y0 - y1 : y1 - y0, sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (int guard = 0; guard < 100000; guard++) {
        plot(ctx, x0, y0);
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

typedef struct plot_ctx {
    canvas *cv;
    int P, W, x0;
    const char *marker; /* NULL: braille dots */
} plot_ctx;

static void plot_point(void *vctx, int x, int y) {
    plot_ctx *p = vctx;
    if (p->marker) {
        if (x >= 0 && x < p->W && y >= 0 && y < p->P) put(p->cv, y, p->x0 + x, p->marker);
    } else {
        dot(p->cv, p->P, p->W, p->x0, x, y);
    }
}

/* The note of what was left out or sampled, "(1 null value left out; showing 10,000 of 52,311
 * points, evenly spaced)", wrapped at its "; " into lines of at most width columns (a longer
 * part is cut). Returns the lines. */
static int note_text(const lp_chart *c, int width, lp_strbuf *out) {
    lp_strbuf part[3];
    int n = lp_chart_note_parts(c, part);
    int lines = 0;
    int64_t col = 0;
    for (int i = 0; i < n; i++) {
        char buf[256];
        const char *open = i == 0 ? "(" : "", *close = i == n - 1 ? ")" : ";";
        /* The part with its bracket or separator, cut to the width. */
        char whole[200];
        snprintf(whole, sizeof whole, "%s%s%s", open, part[i].p ? part[i].p : "", close);
        cut_text(whole, width, buf, sizeof buf);
        int64_t w = lp_text_width(buf, strlen(buf));
        if (i > 0 && col + 1 + w <= width) {
            lp_strbuf_putc(out, ' ');
            col += 1 + w;
        } else {
            if (i > 0) lp_strbuf_putc(out, '\n');
            lines++;
            col = w;
        }
        lp_strbuf_puts(out, buf);
        if (part[i].nomem) out->nomem = true;
        lp_strbuf_reset(&part[i]);
    }
    if (lines) lp_strbuf_putc(out, '\n');
    return lines;
}

/* ---- the picture ---- */

void lp_chart_render_text(const lp_chart *c, int width, int height, lp_strbuf *out) {
    width = LP_MAX(width, 24);
    height = LP_MAX(height, 8);
    bool bars = is_barlike(c);
    bool several = c->nseries > 1;
    lp_strbuf nb;
    lp_strbuf_init(&nb);
    int note_lines = note_text(c, width, &nb);
    /* The plot gets what the other lines leave, at least 3 rows: on a short canvas the y label,
     * the x label and the title give way, in that order. */
    const char *title = c->title, *ylabel = c->ylabel, *xlabel = c->xlabel;
    int P;
    for (;;) {
        int above = (title ? 1 : 0) + (ylabel ? 1 : 0);
        int below = 1 + (xlabel ? 1 : 0) + (several ? 1 : 0) + note_lines;
        P = height - above - 1 - below;
        if (P >= 3) break;
        if (ylabel) ylabel = NULL;
        else if (xlabel) xlabel = NULL;
        else if (title) title = NULL;
        else break;
    }
    P = LP_MAX(P, 3);

    /* The y axis: ticks, labels, and the margin they need. */
    double yt[MAX_TICKS];
    int nyt = lp_chart_y_ticks(c, yt, LP_MIN(MAX_TICKS, LP_MAX(2, P / 3 + 1)));
    char ylab[MAX_TICKS][48];
    int margin = 1;
    for (int i = 0; i < nyt; i++) {
        lp_chart_tick_label(LP_AXIS_NUMERIC, c->logy, yt[i], nyt > 1 ? yt[1] - yt[0] : 0, ylab[i]);
        margin = LP_MAX(margin, (int)lp_text_width(ylab[i], strlen(ylab[i])));
    }
    int axis = margin + 1, x0 = margin + 2;
    int W = LP_MAX(width - x0 - 1, 8);
    width = x0 + W + 1;

    canvas cv = {width, P + 2, lp_calloc((size_t)width * (size_t)(P + 2), sizeof(cell))};
    if (!cv.c) {
        out->nomem = true;
        goto done;
    }

    /* Where values land: bars measure from the axis line (row P), points sit in rows 0..P-1. */
    int used = c->kind == LP_CHART_BAR ? 0 : W; /* plot columns the x axis spans */
    int hist_bw = 0, slot = 0;
    if (c->kind == LP_CHART_HIST && c->nbins > 0) {
        hist_bw = (W - 1) / c->nbins;
        used = hist_bw >= 1 ? hist_bw * c->nbins : W - 1;
    } else if (c->kind == LP_CHART_BAR && c->ncategories > 0) {
        slot = LP_MAX(1, W / c->ncategories);
        used = LP_MIN(W, slot * c->ncategories);
    }

    /* Bars. */
    if (bars) {
        int ns = c->nseries;
        int *h = lp_calloc((size_t)ns + 1, sizeof *h), *ids = lp_calloc((size_t)ns + 1, sizeof *ids);
        if (!h || !ids) {
            lp_free(h);
            lp_free(ids);
            out->nomem = true;
            goto done;
        }
        for (int s = 0; s < ns; s++) ids[s] = s;
        /* Several series side by side inside each bin or bar when there is room, else overlaid. */
        int group = c->kind == LP_CHART_HIST ? hist_bw : slot >= 2 ? slot - 1 : 1;
        bool side = ns > 1 && group >= ns;
        int sub = side ? group / ns : 0;
        int base = (int)lround(frac(c->logy ? c->ylo : 0, c->ylo, c->yhi, c->logy) * P * 8);
        for (int col = 0; col < used; col++) {
            bool any = false;
            for (int s = 0; s < ns; s++) {
                const lp_chart_series *se = &c->series[s];
                double v = NAN;
                if (c->kind == LP_CHART_HIST) {
                    int b0, b1;
                    if (hist_bw >= 1) {
                        b0 = col / hist_bw;
                        b1 = b0 + 1;
                    } else {
                        b0 = (int)((int64_t)col * c->nbins / used);
                        b1 = (int)((int64_t)(col + 1) * c->nbins / used);
                    }
                    v = 0;
                    for (int b = b0; b < b1 && b < se->n; b++) v += se->y[b];
                } else {
                    int cat = col / slot;
                    int bw = slot >= 2 ? slot - 1 : 1;
                    if (cat < se->n && col - cat * slot < bw) v = se->y[cat];
                }
                if (isnan(v) || (c->logy && v <= 0)) {
                    h[s] = base;
                    continue;
                }
                h[s] = (int)lround(frac(v, c->ylo, c->yhi, c->logy) * P * 8);
                any = true;
            }
            if (!any) continue;
            if (side) {
                int s = (col % (c->kind == LP_CHART_HIST ? hist_bw : slot)) / sub;
                if (s < ns) draw_column(&cv, x0 + col, P, &h[s], &ids[s], 1, base, false);
            } else {
                draw_column(&cv, x0 + col, P, h, ids, ns, base, ns == 1);
            }
        }
        lp_free(h);
        lp_free(ids);
    } else {
        /* Points and lines. */
        for (int s = 0; s < c->nseries; s++) {
            const lp_chart_series *se = &c->series[s];
            plot_ctx pc = {&cv, P, W, x0, several ? MARKERS[s % (int)LP_ARRAY_LEN(MARKERS)] : NULL};
            int gw = several ? W : 2 * W, gh = several ? P : 4 * P;
            int px = 0, py = 0;
            for (int64_t i = 0; i < se->n; i++) {
                int x = (int)lround(frac(se->x[i], c->xlo, c->xhi, c->logx) * (gw - 1));
                int y = (int)lround((1 - frac(se->y[i], c->ylo, c->yhi, c->logy)) * (gh - 1));
                if (c->kind == LP_CHART_LINE && i > 0) line(px, py, x, y, plot_point, &pc);
                else plot_point(&pc, x, y);
                px = x;
                py = y;
            }
        }
    }

    /* The y axis and its labels. */
    for (int r = 0; r < P; r++) put(&cv, r, axis, "\xE2\x94\x82"); /* │ */
    put(&cv, P, axis, "\xE2\x94\x94");                               /* └ */
    for (int col = 0; col < W; col++) put(&cv, P, x0 + col, "\xE2\x94\x80");
    for (int i = 0; i < nyt; i++) {
        double f = frac(yt[i], c->ylo, c->yhi, c->logy);
        /* Bars: the row holding the level (a bar up to the tick reaches its row); points: the
         * row a point of that value lands in. */
        int r = bars ? P - (int)ceil(f * P - 1e-9) : (int)lround((1 - f) * (P - 1));
        if (r < 0 || r > P) continue;
        int lw = (int)lp_text_width(ylab[i], strlen(ylab[i]));
        put_text(&cv, r, margin - lw, ylab[i], lw);
        if (r < P) put(&cv, r, axis, "\xE2\x94\xA4"); /* ┤ */
    }

    /* The x axis: tick marks and labels (category names for bars). */
    int last_end = -1;
    if (c->kind == LP_CHART_BAR) {
        int k = 1;
        while (k * slot - 1 < 4 && k < c->ncategories) k++;
        int avail = LP_MAX(1, k * slot - 1);
        for (int i = 0; i < c->ncategories && i * slot < used; i += k) {
            char buf[256];
            cut_text(c->categories[i], avail, buf, sizeof buf);
            int lw = (int)lp_text_width(buf, strlen(buf));
            int bw = slot >= 2 ? slot - 1 : 1;
            int start = x0 + i * slot + bw / 2 - (lw - 1) / 2;
            start = LP_MIN(LP_MAX(start, x0 + i * slot - (slot - bw)), width - lw);
            if (start <= last_end) continue;
            put_text(&cv, P + 1, start, buf, lw);
            last_end = start + lw;
        }
    } else {
        double xt[MAX_TICKS];
        int nxt = lp_chart_axis_ticks(c->xaxis, c->xlo, c->xhi, c->logx, xt, LP_MIN(MAX_TICKS, LP_MAX(2, W / (c->xaxis == LP_AXIS_NUMERIC ? 8 : 14))));
        for (int i = 0; i < nxt; i++) {
            char buf[48];
            lp_chart_tick_label(c->xaxis, c->logx, xt[i], nxt > 1 ? xt[1] - xt[0] : 0, buf);
            double f = frac(xt[i], c->xlo, c->xhi, c->logx);
            int col = bars ? (int)lround(f * used) : (int)lround(f * (W - 1));
            if (col < 0 || col >= W) continue;
            put(&cv, P, x0 + col, "\xE2\x94\xAC"); /* ┬ */
            int lw = (int)lp_text_width(buf, strlen(buf));
            int start = LP_MIN(LP_MAX(x0 + col - (lw - 1) / 2, 0), width - lw);
            if (start <= last_end) continue;
            put_text(&cv, P + 1, start, buf, lw);
            last_end = start + lw;
        }
    }

    /* Out it goes. */
    char lab[1024];
    if (title) {
        cut_text(title, width, lab, sizeof lab);
        centred(lab, width, out);
    }
    if (ylabel) {
        cut_text(ylabel, width, lab, sizeof lab);
        lp_strbuf_puts(out, lab);
        lp_strbuf_putc(out, '\n');
    }
    for (int r = 0; r < P + 2; r++) emit_row(&cv, r, out);
    if (xlabel) {
        cut_text(xlabel, W, lab, sizeof lab);
        int64_t lw = lp_text_width(lab, strlen(lab));
        for (int64_t k = 0; k < x0 + (W - lw) / 2; k++) lp_strbuf_putc(out, ' ');
        lp_strbuf_puts(out, lab);
        lp_strbuf_putc(out, '\n');
    }
    if (several) {
        int64_t col = 0;
        for (int s = 0; s < c->nseries; s++) {
            const char *g = bars ? SHADES[s % (int)LP_ARRAY_LEN(SHADES)] : MARKERS[s % (int)LP_ARRAY_LEN(MARKERS)];
            int64_t need = 2 + lp_text_width(c->series[s].name, strlen(c->series[s].name)) + (s ? 3 : 0);
            if (col + need > width) {
                lp_strbuf_puts(out, s ? "   \xE2\x80\xA6" : "\xE2\x80\xA6");
                break;
            }
            lp_strbuf_printf(out, "%s%s %s", s ? "   " : "", g, c->series[s].name);
            col += need;
        }
        lp_strbuf_putc(out, '\n');
    }
    if (nb.p) lp_strbuf_puts(out, nb.p);
    if (nb.nomem) out->nomem = true;
done:
    lp_strbuf_reset(&nb);
    lp_free(cv.c);
}
