/* svg.c -- drawing a chart (chart.h) as a standalone SVG document: the notebook's image/svg+xml.
 *
 * The picture: the title on top; the plot area with light grid lines at the ticks, the marks,
 * and the axes with tick marks and labels (y on the left, x below: the same tick values and
 * labels as chart_text.c, from lp_chart_axis_ticks and lp_chart_tick_label); the axis labels;
 * a legend on the right when there are several series; a note of what was left out or sampled
 * at the bottom.
 *   hist     one <rect class="lp-bar"> per non-empty bin and series, from the bin's edges; several
 *            series are overlaid with transparency.
 *   bar      one <rect class="lp-bar"> per present value; several series side by side in each
 *            category's slot; category labels under the axis, rotated when they do not fit.
 *   scatter  one <circle> per point, a colour per series.
 *   line     one <polyline> per series (a <circle> when a series has one point).
 *
 * Notebooks show SVG both inline (Notebook 6) and as an <img> (JupyterLab), so the picture
 * cannot rely on the page's CSS: text, axes and grid use `currentColor` with the root's colour
 * a mid grey that reads on light and dark backgrounds; the background is transparent; the
 * marks use the Okabe-Ito palette (colour-blind safe). No scripts, no external references.
 * Class names carry an `lp-` prefix, since an inline SVG shares the page's style sheets.
 *
 * Determinism: every coordinate goes through one printer with %.1f (and -0.0 printed as 0.0),
 * so the same chart gives the same bytes on every machine.
 *
 * Pure function of the chart; any thread. A refused allocation sets out->nomem.
 */
#include "web.h"
#include "render.h"

#include <math.h>
#include <stdio.h>

#define MAX_TICKS 24
#define INK "#888888"     /* text and axes: readable on white and on JupyterLab's dark grey */
#define CHAR_W 0.6        /* average glyph width of sans-serif, in font sizes */
#define TICK_FONT 11.0
#define LABEL_FONT 12.0
#define TITLE_FONT 14.0
#define LEGEND_MAX_CP 18  /* legend names are cut to this many code points */
#define CATEGORY_MAX_CP 20
#define MIN_PLOT_H 50.0   /* the plot's least height before labels give way */

/* Okabe & Ito (2008), black left out (invisible on dark themes), grey in its place last. */
static const char *const PALETTE[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                      "#CC79A7", "#56B4E9", "#F0E442", "#999999"};

static const char *colour(int s) { return PALETTE[s % (int)LP_ARRAY_LEN(PALETTE)]; }

/* Appends v with one decimal; non-finite values as 0 and -0.0 as 0.0 so output never differs
 * by sign of zero. */
static int fmt_num(double v, char buf[32]) {
    if (!isfinite(v)) v = 0;
    v = round(v * 10) / 10;
    if (v == 0) v = 0;
    return snprintf(buf, 32, "%.1f", v);
}

static void num(lp_strbuf *out, double v) {
    char buf[32];
    lp_strbuf_append(out, buf, (size_t)fmt_num(v, buf));
}

/* The attribute transform="rotate(deg x y)" into buf (at least 128 bytes), after `prefix`. */
static void rotation(char *buf, const char *prefix, int deg, double x, double y) {
    char a[32], b[32];
    fmt_num(x, a);
    fmt_num(y, b);
    snprintf(buf, 128, "%stransform=\"rotate(%d %s %s)\"", prefix, deg, a, b);
}

/* Appends ` name="v"`. */
static void attr(lp_strbuf *out, const char *name, double v) {
    lp_strbuf_printf(out, " %s=\"", name);
    num(out, v);
    lp_strbuf_putc(out, '"');
}

static int64_t code_points(const char *s) {
    int64_t k = 0;
    for (; *s; s++) k += ((unsigned char)*s & 0xC0) != 0x80;
    return k;
}

/* Estimated width in pixels of s at font size `size`. */
static double text_w(const char *s, double size) { return (double)code_points(s) * size * CHAR_W; }

/* s cut to at most max code points (>= 1), ending in "…" when cut, into b (cleared first). */
static void cut(const char *s, int64_t max, lp_strbuf *b) {
    lp_strbuf_clear(b);
    if (max < 1) max = 1;
    if (code_points(s) <= max) {
        lp_strbuf_puts(b, s);
        return;
    }
    int64_t k = 0;
    size_t i = 0;
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && k++ == max - 1) break;
    lp_strbuf_append(b, s, i);
    lp_strbuf_puts(b, "\xE2\x80\xA6"); /* … */
}

/* Appends <text x y [extra]>s</text>; anchor NULL means start. */
static void text(lp_strbuf *out, double x, double y, const char *anchor, const char *extra, const char *s) {
    lp_strbuf_puts(out, "<text");
    attr(out, "x", x);
    attr(out, "y", y);
    if (anchor) lp_strbuf_printf(out, " text-anchor=\"%s\"", anchor);
    if (extra) lp_strbuf_printf(out, " %s", extra);
    lp_strbuf_putc(out, '>');
    lp_render_text_escape_html(s, strlen(s), out);
    lp_strbuf_puts(out, "</text>\n");
}

/* The note of what was left out or sampled, "(a; b)", worded as the text chart's. Empty when
 * there is none. */
static void note_text(const lp_chart *c, lp_strbuf *b) {
    lp_strbuf part[3];
    int n = lp_chart_note_parts(c, part);
    for (int i = 0; i < n; i++) {
        lp_strbuf_puts(b, i ? "; " : "(");
        lp_strbuf_append(b, part[i].p ? part[i].p : "", part[i].len);
        if (part[i].nomem) b->nomem = true;
        lp_strbuf_reset(&part[i]);
    }
    if (n) lp_strbuf_putc(b, ')');
}

/* Position of v along an axis from lo to hi, in [0, 1] (log10 scale when log). */
static double frac(double v, double lo, double hi, bool log) {
    if (log) {
        v = v > 0 ? log10(v) : -INFINITY;
        lo = log10(lo);
        hi = log10(hi);
    }
    double f = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    return isnan(f) ? 0 : f < 0 ? 0 : f > 1 ? 1 : f;
}

/* The plot area and how data map into it. */
typedef struct frame {
    const lp_chart *c;
    double x0, y0, w, h; /* plot area: left, top, width, height */
    double inset;        /* scatter and line keep points off the axes */
} frame;

static double map_x(const frame *f, double v) {
    const lp_chart *c = f->c;
    if (c->kind == LP_CHART_BAR) {
        int n = LP_MAX(c->ncategories, 1);
        return f->x0 + (v + 0.5) * f->w / n;
    }
    return f->x0 + f->inset + frac(v, c->xlo, c->xhi, c->logx) * (f->w - 2 * f->inset);
}

static double map_y(const frame *f, double v) {
    const lp_chart *c = f->c;
    return f->y0 + f->h - f->inset - frac(v, c->ylo, c->yhi, c->logy) * (f->h - 2 * f->inset);
}

static void rect(lp_strbuf *out, const char *cls, double x, double y, double w, double h) {
    lp_strbuf_printf(out, "<rect class=\"%s\"", cls);
    attr(out, "x", x);
    attr(out, "y", y);
    attr(out, "width", w);
    attr(out, "height", h);
    lp_strbuf_puts(out, "/>\n");
}

static void line(lp_strbuf *out, double x1, double y1, double x2, double y2) {
    lp_strbuf_puts(out, "<line");
    attr(out, "x1", x1);
    attr(out, "y1", y1);
    attr(out, "x2", x2);
    attr(out, "y2", y2);
    lp_strbuf_puts(out, "/>\n");
}

static void circle(lp_strbuf *out, double cx, double cy, double r) {
    lp_strbuf_puts(out, "<circle");
    attr(out, "cx", cx);
    attr(out, "cy", cy);
    attr(out, "r", r);
    lp_strbuf_puts(out, "/>\n");
}

/* A bar between value v and the baseline, from x to x + w. */
static void bar(lp_strbuf *out, const frame *f, double x, double w, double v, double base) {
    double a = map_y(f, v), b = map_y(f, base);
    /* On a log axis the smallest value sits on the bottom edge: keep it visible. */
    if (f->c->logy && b - a < 1.5) a = b - 1.5;
    rect(out, "lp-bar", x, LP_MIN(a, b), w, fabs(b - a));
}

static void draw_marks(lp_strbuf *out, const frame *f, double base) {
    const lp_chart *c = f->c;
    bool several = c->nseries > 1;
    if (c->kind == LP_CHART_HIST) {
        for (int s = 0; s < c->nseries; s++) {
            const lp_chart_series *se = &c->series[s];
            lp_strbuf_printf(out, "<g fill=\"%s\" fill-opacity=\"%s\">\n", colour(s), several ? "0.5" : "0.85");
            for (int64_t b = 0; b < se->n && b < c->nbins; b++) {
                double v = se->y[b];
                if (!(v > 0) || (c->logy && v < c->ylo)) continue; /* empty bins draw nothing */
                double xa = map_x(f, c->edges[b]), xb = map_x(f, c->edges[b + 1]);
                double gap = xb - xa > 4 ? 0.5 : 0;
                bar(out, f, xa + gap, xb - xa - 2 * gap, v, base);
            }
            lp_strbuf_puts(out, "</g>\n");
        }
    } else if (c->kind == LP_CHART_BAR) {
        double slot = f->w / LP_MAX(c->ncategories, 1);
        double group = slot * 0.8, sub = group / LP_MAX(c->nseries, 1);
        for (int s = 0; s < c->nseries; s++) {
            const lp_chart_series *se = &c->series[s];
            lp_strbuf_printf(out, "<g fill=\"%s\" fill-opacity=\"0.85\">\n", colour(s));
            for (int64_t i = 0; i < se->n; i++) {
                double v = se->y[i];
                if (isnan(v) || (c->logy && v <= 0)) continue;
                double x = f->x0 + (double)i * slot + (slot - group) / 2 + s * sub;
                bar(out, f, x, sub, v, base);
            }
            lp_strbuf_puts(out, "</g>\n");
        }
    } else {
        int64_t total = 0;
        for (int s = 0; s < c->nseries; s++) total += c->series[s].n;
        double r = total > 2000 ? 1.5 : 2.5;
        for (int s = 0; s < c->nseries; s++) {
            const lp_chart_series *se = &c->series[s];
            if (c->kind == LP_CHART_LINE && se->n >= 2) {
                lp_strbuf_printf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" "
                                      "stroke-linejoin=\"round\" points=\"", colour(s));
                for (int64_t i = 0; i < se->n; i++) {
                    if (i) lp_strbuf_putc(out, ' ');
                    num(out, map_x(f, se->x[i]));
                    lp_strbuf_putc(out, ',');
                    num(out, map_y(f, se->y[i]));
                }
                lp_strbuf_puts(out, "\"/>\n");
                continue;
            }
            if (se->n == 0) continue;
            lp_strbuf_printf(out, "<g fill=\"%s\" fill-opacity=\"%s\">\n", colour(s),
                             c->kind == LP_CHART_LINE ? "1" : "0.75");
            for (int64_t i = 0; i < se->n; i++) circle(out, map_x(f, se->x[i]), map_y(f, se->y[i]), r);
            lp_strbuf_puts(out, "</g>\n");
        }
    }
}

/* The legend's swatch for series s at (x, y): the mark's shape in its colour. */
static void swatch(lp_strbuf *out, const lp_chart *c, int s, double x, double y) {
    switch (c->kind) {
    case LP_CHART_HIST:
    case LP_CHART_BAR:
        lp_strbuf_printf(out, "<rect fill=\"%s\" fill-opacity=\"%s\"", colour(s),
                         c->kind == LP_CHART_HIST ? "0.5" : "0.85");
        attr(out, "x", x);
        attr(out, "y", y - 5);
        lp_strbuf_puts(out, " width=\"10.0\" height=\"10.0\"/>\n");
        break;
    case LP_CHART_SCATTER:
        lp_strbuf_printf(out, "<circle fill=\"%s\"", colour(s));
        attr(out, "cx", x + 5);
        attr(out, "cy", y);
        lp_strbuf_puts(out, " r=\"3.5\"/>\n");
        break;
    case LP_CHART_LINE:
        lp_strbuf_printf(out, "<line stroke=\"%s\" stroke-width=\"2.0\"", colour(s));
        attr(out, "x1", x - 2);
        attr(out, "y1", y);
        attr(out, "x2", x + 12);
        attr(out, "y2", y);
        lp_strbuf_puts(out, "/>\n");
        break;
    }
}

void lp_render_chart_svg(const lp_chart *chart, int width, int height, lp_strbuf *out) {
    /* Bars and bins on a linear axis get headroom up to the tick above the tallest, so none
     * touches the frame (the text renderer has its own rows above the top tick). */
    lp_chart headroom = *chart;
    const lp_chart *c = &headroom;
    if ((chart->kind == LP_CHART_BAR || chart->kind == LP_CHART_HIST) && !chart->logy) {
        double t[MAX_TICKS + 1];
        int n = lp_chart_ticks(chart->ylo, chart->yhi, false, t, 6);
        if (n >= 2 && t[n - 1] < chart->yhi) headroom.yhi = t[n - 1] + (t[1] - t[0]);
    }
    if (width <= 0 || height <= 0) {
        width = 640;
        height = 400;
    }
    width = LP_MAX(width, 240);
    height = LP_MAX(height, 160);
    double W = width, H = height;
    bool several = c->nseries > 1;
    lp_strbuf tmp, note;
    lp_strbuf_init(&tmp);
    lp_strbuf_init(&note);
    note_text(c, &note);
    const char *title = c->title && c->title[0] ? c->title : NULL;
    const char *xlabel = c->xlabel && c->xlabel[0] ? c->xlabel : NULL;
    const char *ylabel = c->ylabel && c->ylabel[0] ? c->ylabel : NULL;

    /* Vertical space first (the y ticks' count depends on it), then the margins. */
    double top = 12 + (title ? 24 : 0);
    double ph_est = H - top - 24 - (xlabel ? 18 : 0) - (note.len ? 18 : 0);

    double yt[MAX_TICKS];
    int nyt = lp_chart_y_ticks(c, yt, LP_MIN(MAX_TICKS, LP_MAX(2, (int)(ph_est / 45) + 1)));
    char ylab[MAX_TICKS][48];
    double ylab_w = 0;
    for (int i = 0; i < nyt; i++) {
        lp_chart_tick_label(LP_AXIS_NUMERIC, c->logy, yt[i], nyt > 1 ? yt[1] - yt[0] : 0, ylab[i]);
        ylab_w = LP_MAX(ylab_w, text_w(ylab[i], TICK_FONT));
    }
    double left = 10 + (ylabel ? 20 : 0) + ylab_w + 8;

    double legend_w = 0;
    if (several) {
        double names = 0;
        for (int s = 0; s < c->nseries; s++) {
            cut(c->series[s].name ? c->series[s].name : "", LEGEND_MAX_CP, &tmp);
            names = LP_MAX(names, text_w(tmp.p ? tmp.p : "", TICK_FONT));
        }
        legend_w = LP_MIN(16 + 6 + names + 8, W / 3);
    }
    double right = several ? 12 + legend_w : 16;
    double pw = LP_MAX(W - left - right, 40);

    /* Bar charts: category labels, rotated when the widest does not fit its slot. */
    bool rotate = false;
    int every = 1, cat_cp = CATEGORY_MAX_CP;
    double slot = 0, widest = 0, base_left = left;
    if (c->kind == LP_CHART_BAR && c->ncategories > 0) {
        slot = pw / c->ncategories;
        for (int i = 0; i < c->ncategories; i++) {
            cut(c->categories[i] ? c->categories[i] : "", CATEGORY_MAX_CP, &tmp);
            widest = LP_MAX(widest, text_w(tmp.p ? tmp.p : "", TICK_FONT));
        }
        rotate = widest > slot - 4;
    }

    /* The plot keeps at least MIN_PLOT_H pixels: rotated labels are cut shorter, then the x
     * label and the title give way, in that order (the note of what was left out stays). */
    double rot_h, ph;
    for (;;) {
        double fixed = top + 24 + (xlabel ? 18 : 0) + (note.len ? 18 : 0);
        rot_h = 0;
        if (rotate) {
            /* Rotated by 40 degrees a label reaches widest * sin 40 below its anchor. */
            double fit = (LP_MIN(H - fixed - MIN_PLOT_H, H * 0.3) + 14 - 6) / 0.643;
            if (widest > fit) {
                cat_cp = (int)LP_MAX(1, fit / (TICK_FONT * CHAR_W));
                widest = LP_MIN(widest, cat_cp * TICK_FONT * CHAR_W);
            }
            rot_h = LP_MAX(0, widest * 0.643 + 6 - 14);
        }
        ph = H - fixed - rot_h;
        if (ph >= MIN_PLOT_H) break;
        if (xlabel) xlabel = NULL;
        else if (title) title = NULL;
        else break;
        top = 12 + (title ? 24 : 0);
    }
    ph = LP_MAX(ph, 20);
    if (rotate) {
        /* The first label hangs left of its bar (cos 40 degrees): room for it. */
        left = LP_MAX(base_left, LP_MIN(widest * 0.766 - slot / 2 + 4, W / 3));
        pw = LP_MAX(W - left - right, 40);
        slot = pw / c->ncategories;
        every = LP_MAX(1, (int)ceil(16 / slot));
    }
    frame f = {c, left, top, pw, ph, c->kind == LP_CHART_SCATTER || c->kind == LP_CHART_LINE ? 6 : 0};

    /* The document. */
    lp_strbuf_printf(out,
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                     "font-family=\"sans-serif\" font-size=\"11\" color=\"" INK "\" fill=\"currentColor\">\n",
                     width, height, width, height);
    lp_strbuf_puts(out, "<title>");
    if (title) {
        lp_render_text_escape_html(title, strlen(title), out);
    } else {
        lp_strbuf_printf(out, "%s chart", lp_chart_kind_name(c->kind));
        if (xlabel || ylabel) lp_strbuf_puts(out, " of ");
        if (ylabel && c->kind != LP_CHART_HIST) lp_render_text_escape_html(ylabel, strlen(ylabel), out);
        if (ylabel && xlabel && c->kind != LP_CHART_HIST) lp_strbuf_puts(out, " by ");
        if (xlabel) lp_render_text_escape_html(xlabel, strlen(xlabel), out);
    }
    lp_strbuf_puts(out, "</title>\n");
    if (title) {
        cut(title, (int64_t)((W - 20) / (TITLE_FONT * CHAR_W)), &tmp);
        text(out, W / 2, 22, "middle", "font-size=\"14\" font-weight=\"bold\"", tmp.p ? tmp.p : "");
    }

    /* Grid lines at the ticks. */
    double xt[MAX_TICKS];
    int nxt = 0;
    if (c->kind != LP_CHART_BAR) {
        int maxx = LP_MIN(MAX_TICKS, LP_MAX(2, (int)(pw / (c->xaxis == LP_AXIS_NUMERIC ? 70 : 110))));
        nxt = lp_chart_axis_ticks(c->xaxis, c->xlo, c->xhi, c->logx, xt, maxx);
    }
    lp_strbuf_puts(out, "<g class=\"lp-grid\" stroke=\"currentColor\" stroke-opacity=\"0.2\" stroke-width=\"1\">\n");
    for (int i = 0; i < nyt; i++) line(out, f.x0, map_y(&f, yt[i]), f.x0 + f.w, map_y(&f, yt[i]));
    for (int i = 0; i < nxt; i++) line(out, map_x(&f, xt[i]), f.y0, map_x(&f, xt[i]), f.y0 + f.h);
    lp_strbuf_puts(out, "</g>\n");

    /* The marks. Bars grow from 0 (the bottom on a log axis), clamped into the range. */
    double base = c->logy ? c->ylo : LP_MIN(LP_MAX(0.0, c->ylo), c->yhi);
    draw_marks(out, &f, base);

    /* Axes, tick marks, tick labels. */
    lp_strbuf_puts(out, "<g class=\"lp-axes\" stroke=\"currentColor\" stroke-width=\"1\">\n");
    line(out, f.x0, f.y0 + f.h, f.x0 + f.w, f.y0 + f.h);
    line(out, f.x0, f.y0, f.x0, f.y0 + f.h);
    if (c->kind == LP_CHART_BAR && !c->logy && c->ylo < 0 && c->yhi > 0) line(out, f.x0, map_y(&f, 0), f.x0 + f.w, map_y(&f, 0));
    for (int i = 0; i < nyt; i++) line(out, f.x0 - 5, map_y(&f, yt[i]), f.x0, map_y(&f, yt[i]));
    for (int i = 0; i < nxt; i++) line(out, map_x(&f, xt[i]), f.y0 + f.h, map_x(&f, xt[i]), f.y0 + f.h + 5);
    for (int i = 0; c->kind == LP_CHART_BAR && i < c->ncategories; i++)
        line(out, map_x(&f, i), f.y0 + f.h, map_x(&f, i), f.y0 + f.h + 5);
    lp_strbuf_puts(out, "</g>\n");

    lp_strbuf_puts(out, "<g class=\"lp-labels\">\n");
    for (int i = 0; i < nyt; i++) text(out, f.x0 - 8, map_y(&f, yt[i]) + 4, "end", NULL, ylab[i]);
    double last_end = -1e9;
    for (int i = 0; i < nxt; i++) {
        char buf[48];
        lp_chart_tick_label(c->xaxis, c->logx, xt[i], nxt > 1 ? xt[1] - xt[0] : 0, buf);
        double x = map_x(&f, xt[i]), w = text_w(buf, TICK_FONT);
        x = LP_MIN(LP_MAX(x, w / 2 + 2), W - w / 2 - 2); /* inside the picture */
        if (x - w / 2 < last_end + 6) continue;      /* would overlap the previous label */
        text(out, x, f.y0 + f.h + 18, "middle", NULL, buf);
        last_end = x + w / 2;
    }
    for (int i = 0; c->kind == LP_CHART_BAR && i < c->ncategories; i += every) {
        cut(c->categories[i] ? c->categories[i] : "", rotate ? cat_cp : LP_MAX(1, (int64_t)(slot / (TICK_FONT * CHAR_W))), &tmp);
        double x = map_x(&f, i);
        if (rotate) {
            char tr[128];
            rotation(tr, "", -40, x, f.y0 + f.h + 14);
            text(out, x, f.y0 + f.h + 14, "end", tr, tmp.p ? tmp.p : "");
        } else {
            text(out, x, f.y0 + f.h + 18, "middle", NULL, tmp.p ? tmp.p : "");
        }
    }
    double below = f.y0 + f.h + 24 + rot_h;
    if (xlabel) {
        cut(xlabel, (int64_t)(f.w / (LABEL_FONT * CHAR_W)), &tmp);
        text(out, f.x0 + f.w / 2, below + 12, "middle", "font-size=\"12\"", tmp.p ? tmp.p : "");
    }
    if (ylabel) {
        char tr[128];
        double cx = 16, cy = f.y0 + f.h / 2;
        rotation(tr, "font-size=\"12\" ", -90, cx, cy);
        cut(ylabel, (int64_t)(f.h / (LABEL_FONT * CHAR_W)), &tmp);
        text(out, cx, cy, "middle", tr, tmp.p ? tmp.p : "");
    }
    lp_strbuf_puts(out, "</g>\n");

    /* The legend: one row per series while they fit, then "… n more". */
    if (several) {
        lp_strbuf_puts(out, "<g class=\"lp-legend\">\n");
        double lx = f.x0 + f.w + 12, ly = f.y0 + 8;
        int fit = LP_MAX(1, (int)(f.h / 18));
        for (int s = 0; s < c->nseries; s++) {
            double y = ly + s * 18;
            if (s == fit - 1 && c->nseries > fit) {
                char more[48];
                snprintf(more, sizeof more, "\xE2\x80\xA6 %d more", c->nseries - s);
                text(out, lx, y + 4, NULL, NULL, more);
                break;
            }
            swatch(out, c, s, lx, y);
            cut(c->series[s].name ? c->series[s].name : "", (int64_t)((legend_w - 22) / (TICK_FONT * CHAR_W)), &tmp);
            text(out, lx + 16, y + 4, NULL, NULL, tmp.p ? tmp.p : "");
        }
        lp_strbuf_puts(out, "</g>\n");
    }
    if (note.len) {
        cut(note.p, (int64_t)((W - 16) / (TICK_FONT * CHAR_W)), &tmp);
        text(out, 8, H - 8, NULL, "class=\"lp-note\" font-style=\"italic\"", tmp.p ? tmp.p : "");
    }
    lp_strbuf_puts(out, "</svg>\n");
    if (tmp.nomem || note.nomem) out->nomem = true;
    lp_strbuf_reset(&tmp);
    lp_strbuf_reset(&note);
}
