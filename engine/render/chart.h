/* chart.h -- plots as data: what df.plot(...) and df.hist(...) computed, independent of how it is
 * drawn. chart.c builds a chart from a table; chart_text.c draws it with Unicode for the REPL
 * and text/plain; the kernel draws the same struct as SVG. Tick values and tick labels are
 * computed here so that every front end puts the same numbers on the axes.
 *
 * Semantics follow pandas (and PySpark's pandas API) `df.plot(x=, y=, kind=, bins=, logx=,
 * logy=)` and `df.hist(column, bins=, by=)`:
 *   hist     the histogram of column x (or y when x is not given); `hue` gives one series per
 *            value (by=); logx gives logarithmic bins; norm_hist makes each series sum to 1.
 *   scatter  y against x, one point per row (both required), one series per hue value.
 *   line     y against x sorted by x; without y every numeric column but x is a series; without
 *            x the row number is x; one series per hue value.
 *   bar      one bar per row: x (any type, formatted) is the category label, y the height;
 *            without y every numeric column but x is a series. At most LP_CHART_MAX_BARS rows.
 * Rows whose x or y is null or NaN are left out and counted (`nulls`), as are values <= 0 on a
 * log axis (`nonpositive`), so that front ends can say so.
 */
#ifndef LP_CHART_H
#define LP_CHART_H

#include "loupe_int.h"

#define LP_CHART_MAX_BARS 50    /* bars (rows) in a bar chart */
#define LP_CHART_MAX_SERIES 20  /* hue values, or y columns */

typedef enum lp_chart_kind { LP_CHART_HIST, LP_CHART_SCATTER, LP_CHART_LINE, LP_CHART_BAR } lp_chart_kind;

typedef struct lp_chart_opts {
    lp_chart_kind kind;  /* default LP_CHART_LINE, as pandas' plot() */
    const char *x, *y, *hue;  /* column names; NULL = not given */
    int bins;                 /* hist: default 10 */
    bool logx, logy, norm_hist;
    const char *title;        /* NULL = none */
    int64_t max_points;       /* scatter and line: more points are sampled (default 10,000) */
} lp_chart_opts;

void lp_chart_opts_init(lp_chart_opts *o);
/* The kind pandas names `name` ("hist", "scatter", "line", "bar"); false for any other. */
bool lp_chart_kind_parse(const char *name, lp_chart_kind *out);
const char *lp_chart_kind_name(lp_chart_kind k);

/* What the x axis holds: numbers, dates (days since 1970-01-01), timestamps (microseconds since
 * the epoch, UTC) or categories (bar charts: the category's index). */
typedef enum lp_chart_axis { LP_AXIS_NUMERIC, LP_AXIS_DATE, LP_AXIS_TIMESTAMP, LP_AXIS_CATEGORY } lp_chart_axis;

typedef struct lp_chart_series {
    char *name;  /* the hue value or the y column's name; the x column's name for an ungrouped hist */
    int64_t n;
    double *x;   /* hist: bin centres; bar: category index 0..n-1; else x in the axis's unit */
    double *y;   /* hist: counts (fractions when normalised); bar: NAN for a missing value */
} lp_chart_series;

typedef struct loupe_chart lp_chart;
struct loupe_chart {
    lp_chart_kind kind;
    char *title;           /* NULL when none */
    char *xlabel, *ylabel; /* NULL when none */
    bool logx, logy;
    lp_chart_axis xaxis;   /* y is always numeric */
    /* The axes' ranges in data units (not log-transformed): the data's extent (the bin edges for
     * a histogram; including 0 for bars and histograms on a linear y axis), widened when empty. */
    double xlo, xhi, ylo, yhi;
    int nseries;
    lp_chart_series *series;
    int ncategories;       /* bar: one label per row */
    char **categories;
    int nbins;             /* hist */
    double *edges;         /* hist: nbins + 1 ascending edges; the last bin includes its top */
    bool normalized;       /* hist: each series sums to 1 */
    int64_t rows;          /* rows of the input */
    int64_t nulls;         /* rows left out: x or y null or NaN */
    int64_t nonpositive;   /* rows left out: x or y <= 0 on a log axis */
    int64_t points;        /* scatter and line: points before sampling */
    bool sampled;          /* the series hold an evenly spaced sample of `points` points */
};

/* Builds the chart of t as o describes. On failure *out is NULL and d says why: LP_ENAME for an
 * unknown column (the hint names the closest and the available ones), LP_ETYPE for a column of
 * the wrong type, LP_ELIMIT for too many bars or series, LP_EVALUE for bad options, LP_ENOMEM. */
LP_WUR lp_status lp_chart_build(lp_table *t, const lp_chart_opts *o, lp_chart **out, lp_diag *d);
void lp_chart_free(lp_chart *c);  /* NULL is a no-op */

/* Nice tick values in [lo, hi], ascending, at most max of them (max >= 2), into ticks; returns
 * how many. Linear: multiples of 1, 2 or 5 x 10^k. Log (lo > 0): powers of ten (every k-th when
 * there are too many; 2 and 5 times them when the range is under two decades). */
int lp_chart_ticks(double lo, double hi, bool log, double *ticks, int max);
/* The same for an axis of the given type: dates and timestamps get calendar ticks (days, weeks,
 * first of the month, first of the year; hours and minutes for short timestamp ranges). */
int lp_chart_axis_ticks(lp_chart_axis axis, double lo, double hi, bool log, double *ticks, int max);
/* The label of tick v on an axis whose ticks are `step` apart (ticks[1] - ticks[0]; 0 when there
 * is one tick): numbers with as many decimals as the step needs ("0.5", "20", "1.5M", "1e-06"),
 * dates as "2013-06-02" (or "2013-06", "2013" when the step is months or years), timestamps
 * with the time when the step is under a day. buf holds at least 40 bytes; returns the length. */
int lp_chart_tick_label(lp_chart_axis axis, bool log, double v, double step, char *buf);

/* The y axis's ticks for this chart (at most max): lp_chart_ticks over its y range, whole
 * numbers only for a histogram of counts. Shared by every renderer so they agree. */
int lp_chart_y_ticks(const lp_chart *c, double *ticks, int max);

/* The parts of the note of what was left out or sampled, each without brackets ("1 null value
 * left out", "showing 10,000 of 52,311 points, evenly spaced"), into parts[0..3); returns how
 * many. The caller resets each part. */
int lp_chart_note_parts(const lp_chart *c, lp_strbuf parts[3]);

/* Draws the chart into width x height terminal cells (at least 24 x 8; lines end without
 * trailing spaces) with Unicode: eighth blocks for histograms and bars, braille dots for
 * one-series scatter and line plots, one marker character per series otherwise; y tick labels
 * on the left, x tick labels below, the title above, a legend when there are several series,
 * and a note of what was left out or sampled. On a short canvas the y label, the x label and
 * the title are left out, in that order, before the plot gets under 3 rows. A refused
 * allocation sets out->nomem. */
void lp_chart_render_text(const lp_chart *c, int width, int height, lp_strbuf *out);

#endif /* LP_CHART_H */
