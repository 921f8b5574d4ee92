/* test_svg.c -- charts as image/svg+xml (render/svg.c): well-formed XML with no scripts (a small
 * checker here, and xmllint when the machine has it), escaping of titles, labels, categories and
 * legend names, one mark per value, log-axis ticks, the legend only with several series, the
 * note, byte-for-byte determinism, a golden picture, and failing allocations. */
#include "testutil.h"

#include "render/chart.h"
#include "render/web.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static lp_chart *build(lp_table *t, const lp_chart_opts *o) {
    lp_chart *c = NULL;
    lp_diag d;
    lp_diag_init(&d);
    lp_status st = lp_chart_build(t, o, &c, &d);
    if (st != LP_OK) fail_msg("chart failed: %s (%s)", d.msg, d.hint);
    assert_non_null(c);
    return c;
}

static int count(const char *s, const char *needle) {
    int k = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle)) k++;
    return k;
}

/* Checks that s is one well-formed XML element <svg ...> ... </svg> (plus white space): tags
 * balanced and properly nested, every attribute quoted with double quotes, no raw '<' in
 * attribute values or text, every '&' an entity, no <script>, no event handler attributes and
 * no links out. Returns NULL when it is, else what is wrong (static text). */
static const char *xml_problem(const char *s) {
    static char why[160];
    const char *stack[64];
    size_t lens[64];
    int depth = 0, roots = 0;
    const char *p = s;
    if (strstr(s, "<script") || strstr(s, "javascript:") || strstr(s, "href")) return "script or link";
    while (*p) {
        if (*p == '&') {
            const char *e = p + 1;
            if (*e == '#') e++;
            while (isalnum((unsigned char)*e)) e++;
            if (*e != ';' || e == p + 1) return "bare &";
            p = e + 1;
            continue;
        }
        if (*p == '>') return "bare >";
        if (*p != '<') {
            if (depth == 0 && !isspace((unsigned char)*p)) return "text outside the root";
            p++;
            continue;
        }
        p++;
        if (*p == '/') {
            const char *n = ++p;
            while (isalnum((unsigned char)*p)) p++;
            if (*p != '>' || depth == 0) return "bad closing tag";
            depth--;
            if ((size_t)(p - n) != lens[depth] || strncmp(n, stack[depth], lens[depth]) != 0) {
                snprintf(why, sizeof why, "</%.*s> closes <%.*s>", (int)(p - n), n, (int)lens[depth], stack[depth]);
                return why;
            }
            p++;
            continue;
        }
        const char *n = p;
        while (isalnum((unsigned char)*p)) p++;
        if (p == n) return "bad tag name";
        if (depth == 0 && ++roots > 1) return "more than one root";
        if (depth == 0 && strncmp(n, "svg", 3) != 0) return "root is not svg";
        for (;;) {
            while (*p == ' ' || *p == '\n') p++;
            if (p[0] == '/' && p[1] == '>') {
                p += 2;
                break;
            }
            if (*p == '>') {
                if (depth == 64) return "too deep";
                stack[depth] = n;
                for (lens[depth] = 0; isalnum((unsigned char)n[lens[depth]]); lens[depth]++) {}
                depth++;
                p++;
                break;
            }
            const char *a = p;
            while (isalnum((unsigned char)*p) || *p == '-' || *p == ':') p++;
            if (p == a) return "bad attribute name";
            if (p - a > 2 && a[0] == 'o' && a[1] == 'n') return "event handler attribute";
            if (p[0] != '=' || p[1] != '"') {
                snprintf(why, sizeof why, "unquoted attribute %.*s", (int)(p - a), a);
                return why;
            }
            p += 2;
            while (*p && *p != '"') {
                if (*p == '<') return "< in an attribute";
                if (*p == '&') {
                    const char *e = p + 1;
                    if (*e == '#') e++;
                    while (isalnum((unsigned char)*e)) e++;
                    if (*e != ';') return "bare & in an attribute";
                }
                p++;
            }
            if (!*p) return "unterminated attribute";
            p++;
            if (*p != ' ' && *p != '>' && *p != '/' && *p != '\n') return "attributes not separated";
        }
    }
    if (depth != 0) return "unclosed element";
    if (roots != 1) return "no root";
    return NULL;
}

/* Renders c, checks it with xml_problem (and xmllint when installed); caller frees. */
static char *svg(const lp_chart *c, int w, int h) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_render_chart_svg(c, w, h, &b);
    assert_false(b.nomem);
    char *s = lp_strbuf_take(&b);
    const char *why = xml_problem(s);
    if (why) fail_msg("not well-formed: %s\n%s", why, s);
    if (access("/usr/bin/xmllint", X_OK) == 0) {
        const char *path = tu_temp_text(s, ".svg");
        char cmd[512];
        snprintf(cmd, sizeof cmd, "/usr/bin/xmllint --noout '%s'", path);
        if (system(cmd) != 0) fail_msg("xmllint rejects\n%s", s);
    }
    return s;
}

static void test_svg_checker_catches_faults(void **state) {
    (void)state;
    /* The checker the other tests rely on rejects each kind of fault. */
    assert_null(xml_problem("<svg a=\"1\"><g><text>a &amp; b</text></g><rect/></svg>\n"));
    const char *bad[] = {"<svg><g></svg>", "<svg a=1></svg>", "<svg>a & b</svg>", "<svg>a > b</svg>",
                         "<svg><script>x</script></svg>", "<svg onload=\"x\"></svg>", "<svg></svg><svg></svg>",
                         "<svg t=\"<\"></svg>", "<svg><g>", "<html></html>", "<svg a=\"1\"b=\"2\"></svg>"};
    for (size_t i = 0; i < LP_ARRAY_LEN(bad); i++)
        if (!xml_problem(bad[i])) fail_msg("accepted %s", bad[i]);
}

static lp_chart_opts opts(lp_chart_kind kind, const char *x, const char *y, const char *hue) {
    lp_chart_opts o;
    lp_chart_opts_init(&o);
    o.kind = kind;
    o.x = x;
    o.y = y;
    o.hue = hue;
    return o;
}

/* Whether the picture has a <text ...>label</text>. */
static bool has_label(const char *s, const char *label) {
    char want[128];
    snprintf(want, sizeof want, ">%s</text>", label);
    return strstr(s, want) != NULL;
}

static void test_svg_document_and_escaping(void **state) {
    (void)state;
    lp_table *t = tu_table("<x>&\"a\":double,y:bigint,'g':string",
                           "1|1|<script>alert(1)</script>;2|4|Tom & Jerry;3|9|\"quoted\";4|16|it's", 0);
    lp_chart_opts o = opts(LP_CHART_BAR, "'g'", "y", NULL);
    o.title = "Reviews <b>&amp;</b> \"stars\"";
    lp_chart *c = build(t, &o);
    char *s = svg(c, 0, 0);
    /* A standalone document of the default size. */
    assert_true(strncmp(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"400\" "
                           "viewBox=\"0 0 640 400\"", 86) == 0);
    assert_non_null(strstr(s, "font-family=\"sans-serif\""));
    assert_non_null(strstr(s, "<title>Reviews &lt;b&gt;&amp;amp;&lt;/b&gt; &quot;stars&quot;</title>"));
    assert_true(has_label(s, "Reviews &lt;b&gt;&amp;amp;&lt;/b&gt; &quot;stars&quot;"));
    /* Category labels and the axis label escaped. */
    assert_non_null(strstr(s, ">&lt;script&gt;alert(1)&lt;/s")); /* cut: the labels are rotated */
    assert_true(has_label(s, "Tom &amp; Jerry"));
    assert_true(has_label(s, "&quot;quoted&quot;"));
    assert_true(has_label(s, "it&#39;s"));
    assert_true(has_label(s, "&#39;g&#39;"));
    /* No colour that vanishes on a dark or a light theme; transparent background. */
    assert_null(strstr(s, "#000000"));
    assert_null(strstr(s, "#FFFFFF"));
    assert_null(strstr(s, "#ffffff"));
    assert_null(strstr(s, "background"));
    lp_free(s);
    lp_chart_free(c);
    /* Hostile hue values become legend names and the x column's name the axis label. */
    o = opts(LP_CHART_SCATTER, "<x>&\"a\"", "y", "'g'");
    c = build(t, &o);
    s = svg(c, 500, 300);
    assert_non_null(strstr(s, "width=\"500\" height=\"300\" viewBox=\"0 0 500 300\""));
    assert_true(has_label(s, "&lt;x&gt;&amp;&quot;a&quot;"));
    assert_non_null(strstr(s, ">Tom &amp; Jerry</text>"));
    lp_free(s);
    lp_chart_free(c);
    lp_table_unref(t);
}

static void test_svg_marks_match_data(void **state) {
    (void)state;
    lp_table *t = tu_table("x:double,y:double,g:string",
                           "1|1|a;2|4|a;2.5|null|b;3|9|a;4|16|b;5|25|b;6|36|c;null|1|c;9|81|a", 2);
    /* Histogram: one rect per non-empty bin. */
    lp_chart_opts o = opts(LP_CHART_HIST, "x", NULL, NULL);
    o.bins = 8;
    lp_chart *c = build(t, &o);
    int nonempty = 0;
    for (int64_t b = 0; b < c->series[0].n; b++) nonempty += c->series[0].y[b] > 0;
    assert_true(nonempty >= 5 && nonempty < 8); /* the data leave bins empty */
    char *s = svg(c, 0, 0);
    assert_int_equal(count(s, "<rect class=\"lp-bar\""), nonempty);
    assert_null(strstr(s, "class=\"lp-legend\""));
    lp_free(s);
    lp_chart_free(c);
    /* Histogram by hue: the bins of every series, and a legend of three. */
    o.hue = "g";
    c = build(t, &o);
    nonempty = 0;
    for (int k = 0; k < c->nseries; k++)
        for (int64_t b = 0; b < c->series[k].n; b++) nonempty += c->series[k].y[b] > 0;
    s = svg(c, 0, 0);
    assert_int_equal(count(s, "<rect class=\"lp-bar\""), nonempty);
    assert_int_equal(count(s, "fill-opacity=\"0.5\""), 2 * c->nseries); /* groups and swatches */
    lp_free(s);
    lp_chart_free(c);
    /* Scatter: one circle per point with a y (7 of 9 rows), no legend circles for one series. */
    o = opts(LP_CHART_SCATTER, "x", "y", NULL);
    c = build(t, &o);
    s = svg(c, 0, 0);
    assert_int_equal(count(s, "<circle"), 7);
    lp_free(s);
    lp_chart_free(c);
    /* With hue: seven points plus one swatch per series. */
    o.hue = "g";
    c = build(t, &o);
    s = svg(c, 0, 0);
    assert_int_equal(c->nseries, 3);
    assert_int_equal(count(s, "<circle"), 7 + 3);
    lp_free(s);
    lp_chart_free(c);
    /* Line: one polyline per series of two points or more; c has one point (a circle). */
    o = opts(LP_CHART_LINE, "x", "y", "g");
    c = build(t, &o);
    s = svg(c, 0, 0);
    assert_int_equal(count(s, "<polyline"), 2);
    assert_int_equal(count(s, "<circle"), 1);
    /* The polyline of series a has its four points, left to right. */
    const char *pl = strstr(s, "points=\"");
    assert_non_null(pl);
    int pts = 1;
    for (const char *q = pl + 8; *q != '"'; q++) pts += *q == ' ';
    assert_int_equal(pts, 4);
    lp_free(s);
    lp_chart_free(c);
    /* Bars: one per present value (the null is left out), two series side by side. */
    lp_table_unref(t);
    t = tu_table("cat:string,n:bigint,m:double", "a|3|1.5;b|-2|null;c|5|2.5", 0);
    o = opts(LP_CHART_BAR, "cat", "n", NULL);
    c = build(t, &o);
    s = svg(c, 0, 0);
    assert_int_equal(count(s, "<rect class=\"lp-bar\""), 3);
    assert_true(has_label(s, "a") && has_label(s, "b") && has_label(s, "c"));
    assert_null(strstr(s, "rotate(-40")); /* short labels stand upright */
    lp_free(s);
    lp_chart_free(c);
    o.y = NULL;
    c = build(t, &o);
    s = svg(c, 0, 0);
    assert_int_equal(count(s, "<rect class=\"lp-bar\""), 5);
    assert_non_null(strstr(s, "class=\"lp-legend\""));
    assert_true(has_label(s, "n") && has_label(s, "m"));
    lp_free(s);
    lp_chart_free(c);
    lp_table_unref(t);
}

static void test_svg_long_categories_rotate(void **state) {
    (void)state;
    lp_strbuf rows;
    lp_strbuf_init(&rows);
    for (int i = 0; i < 30; i++) lp_strbuf_printf(&rows, "%sa rather long category name %d|%d", i ? ";" : "", i, i + 1);
    lp_table *t = tu_table("cat:string,n:bigint", rows.p, 0);
    lp_strbuf_reset(&rows);
    lp_chart_opts o = opts(LP_CHART_BAR, "cat", "n", NULL);
    lp_chart *c = build(t, &o);
    char *s = svg(c, 0, 0);
    assert_int_equal(count(s, "<rect class=\"lp-bar\""), 30);
    int rotated = count(s, "transform=\"rotate(-40 ");
    assert_true(rotated >= 10 && rotated <= 30); /* every k-th label when the slots are narrow */
    /* Cut with an ellipsis to 20 code points. */
    assert_non_null(strstr(s, ">a rather long categ\xE2\x80\xA6</text>"));
    /* Nothing is placed left of the picture. */
    assert_null(strstr(s, "x=\"-"));
    lp_free(s);
    lp_chart_free(c);
    lp_table_unref(t);
}

static void test_svg_log_axes(void **state) {
    (void)state;
    lp_table *t = tu_table("x:double,y:double", "1|1;10|5;100|50;1000|1000;0|3;5|-1", 0);
    lp_chart_opts o = opts(LP_CHART_SCATTER, "x", "y", NULL);
    o.logx = true;
    o.logy = true;
    lp_chart *c = build(t, &o);
    char *s = svg(c, 0, 0);
    /* Powers of ten on both axes, evenly spaced. */
    double ys[4];
    const char *labels[] = {"1", "10", "100", "1000"};
    for (int i = 0; i < 4; i++) {
        char want[64];
        snprintf(want, sizeof want, "text-anchor=\"end\">%s</text>", labels[i]);
        const char *p = strstr(s, want);
        if (!p) fail_msg("no y tick %s\n%s", labels[i], s);
        while (p > s && strncmp(p, " y=\"", 4) != 0) p--;
        ys[i] = atof(p + 4);
        snprintf(want, sizeof want, "text-anchor=\"middle\">%s</text>", labels[i]);
        assert_non_null(strstr(s, want));
    }
    for (int i = 1; i < 3; i++) assert_true(fabs((ys[i] - ys[i - 1]) - (ys[i + 1] - ys[i])) < 0.25);
    assert_true(ys[0] > ys[3]); /* up is bigger */
    assert_false(has_label(s, "200") || has_label(s, "500"));
    /* The two rows with a value <= 0 are noted. */
    assert_non_null(strstr(s, ">(2 values \xE2\x89\xA4 0 left out on a log axis)</text>"));
    assert_int_equal(count(s, "<circle"), 4);
    lp_free(s);
    lp_chart_free(c);
    /* A log histogram: bars stand on the bottom of the axis, ticks from lp_chart_ticks. */
    o = opts(LP_CHART_HIST, "x", NULL, NULL);
    o.logy = true;
    o.bins = 3;
    c = build(t, &o);
    s = svg(c, 0, 0);
    double ticks[24];
    int n = lp_chart_ticks(c->ylo, c->yhi, true, ticks, 8);
    assert_true(n >= 1);
    char buf[48];
    lp_chart_tick_label(LP_AXIS_NUMERIC, true, ticks[0], n > 1 ? ticks[1] - ticks[0] : 0, buf);
    assert_true(has_label(s, buf));
    lp_free(s);
    lp_chart_free(c);
    lp_table_unref(t);
}

static void test_svg_same_ticks_as_text(void **state) {
    (void)state;
    /* Dates on x: calendar tick labels, the same ones the text renderer uses. */
    lp_table *t = tu_table("d:date,v:double", "2013-01-01|1;2013-03-15|2;2013-06-01|4;2013-12-31|3", 0);
    lp_chart_opts o = opts(LP_CHART_LINE, "d", "v", NULL);
    lp_chart *c = build(t, &o);
    char *s = svg(c, 0, 0);
    assert_int_equal(c->xaxis, LP_AXIS_DATE);
    /* The x tick labels of the picture are those of lp_chart_axis_ticks for some tick count. */
    char got[24][48];
    int ngot = 0;
    for (const char *p = strstr(s, "text-anchor=\"middle\">"); p && ngot < 24; p = strstr(p + 1, "text-anchor=\"middle\">")) {
        const char *a = p + 21, *e = strstr(a, "</text>");
        snprintf(got[ngot++], 48, "%.*s", (int)(e - a), a);
    }
    assert_true(ngot >= 3);
    bool matched = false;
    for (int max = 2; max <= 24 && !matched; max++) {
        double xt[24];
        int n = lp_chart_axis_ticks(c->xaxis, c->xlo, c->xhi, false, xt, max);
        int found = 0;
        for (int g = 0; g < ngot; g++)
            for (int i = 0; i < n; i++) {
                char buf[48];
                lp_chart_tick_label(c->xaxis, false, xt[i], n > 1 ? xt[1] - xt[0] : 0, buf);
                if (strcmp(buf, got[g]) == 0) {
                    found++;
                    break;
                }
            }
        matched = found == ngot;
    }
    assert_true(matched);
    for (int g = 0; g < ngot; g++) assert_true(strncmp(got[g], "2013-", 5) == 0);
    assert_int_equal(count(s, "<polyline"), 1);
    lp_free(s);
    lp_chart_free(c);
    lp_table_unref(t);
}

static void test_svg_legend_and_note(void **state) {
    (void)state;
    lp_table *t = tu_table("x:double,y:double,g:string", "1|2|a;2|3|b;3|4|a;4|5|b;5|6|a;6|7|b;null|1|a", 0);
    lp_chart_opts o = opts(LP_CHART_SCATTER, "x", "y", NULL);
    o.max_points = 3;
    lp_chart *c = build(t, &o);
    char *s = svg(c, 0, 0);
    assert_null(strstr(s, "class=\"lp-legend\""));
    assert_non_null(strstr(s, ">(1 null value left out; showing 3 of 6 points, evenly spaced)</text>"));
    assert_int_equal(count(s, "<circle"), 3);
    lp_free(s);
    lp_chart_free(c);
    o.hue = "g";
    o.max_points = 0;
    lp_chart_opts_init(&o);
    o.kind = LP_CHART_LINE;
    o.x = "x";
    o.y = "y";
    o.hue = "g";
    c = build(t, &o);
    s = svg(c, 0, 0);
    const char *lg = strstr(s, "<g class=\"lp-legend\">");
    assert_non_null(lg);
    assert_non_null(strstr(lg, ">a</text>"));
    assert_non_null(strstr(lg, ">b</text>"));
    /* Swatches in the series' colours (Okabe-Ito: blue, orange). */
    assert_non_null(strstr(lg, "stroke=\"#0072B2\""));
    assert_non_null(strstr(lg, "stroke=\"#E69F00\""));
    assert_non_null(strstr(s, ">(1 null value left out)</text>"));
    lp_free(s);
    lp_chart_free(c);
    /* Twenty series in a short picture: the legend ends in "… n more". */
    lp_strbuf rows;
    lp_strbuf_init(&rows);
    for (int i = 0; i < 20; i++) lp_strbuf_printf(&rows, "%s%d|%d|series %02d", i ? ";" : "", i, i, i);
    lp_table_unref(t);
    t = tu_table("x:double,y:double,g:string", rows.p, 0);
    lp_strbuf_reset(&rows);
    c = build(t, &o);
    s = svg(c, 400, 200);
    assert_non_null(strstr(s, "more</text>"));
    assert_int_equal(c->nseries, 20);
    lp_free(s);
    lp_chart_free(c);
    lp_table_unref(t);
}

static void test_svg_deterministic(void **state) {
    (void)state;
    lp_table *t = tu_table("x:double,y:double,g:string", "0.1|-3|a;0.2|2.5|b;0.35|1e6|a;7|0|b;null|1|a", 2);
    lp_chart_kind kinds[] = {LP_CHART_HIST, LP_CHART_SCATTER, LP_CHART_LINE, LP_CHART_BAR};
    for (size_t k = 0; k < LP_ARRAY_LEN(kinds); k++) {
        lp_chart_opts o = opts(kinds[k], "x", kinds[k] == LP_CHART_HIST ? NULL : "y",
                               kinds[k] == LP_CHART_BAR ? NULL : "g");
        lp_chart *c1 = build(t, &o), *c2 = build(t, &o);
        char *a = svg(c1, 0, 0), *b = svg(c1, 0, 0), *d = svg(c2, 0, 0);
        assert_string_equal(a, b);
        assert_string_equal(a, d);
        /* Every number in an attribute has exactly one decimal and no "-0.0". */
        assert_null(strstr(a, "\"-0.0\""));
        assert_null(strstr(a, "nan"));
        assert_null(strstr(a, "inf"));
        for (const char *p = strstr(a, " x=\""); p; p = strstr(p + 1, " x=\"")) {
            const char *q = p + 4;
            while (*q != '"' && *q != '.') q++;
            assert_int_equal(*q, '.');
            assert_true(isdigit((unsigned char)q[1]) && q[2] == '"');
        }
        lp_free(a);
        lp_free(b);
        lp_free(d);
        lp_chart_free(c1);
        lp_chart_free(c2);
    }
    lp_table_unref(t);
}

/* Asserts that every coordinate attribute (and polyline point) lies inside [0, w] x [0, h]. */
static void assert_inside(const char *s, int w, int h) {
    static const char *const xs[] = {" x=\"", " x1=\"", " x2=\"", " cx=\""};
    static const char *const ys[] = {" y=\"", " y1=\"", " y2=\"", " cy=\""};
    for (int axis = 0; axis < 2; axis++)
        for (int k = 0; k < 4; k++) {
            const char *key = axis ? ys[k] : xs[k];
            for (const char *p = strstr(s, key); p; p = strstr(p + 1, key)) {
                double v = atof(p + strlen(key));
                if (v < 0 || v > (axis ? h : w)) fail_msg("%s%g outside %dx%d\n%s", key, v, w, h, s);
            }
        }
    for (const char *p = strstr(s, "points=\""); p; p = strstr(p + 1, "points=\"")) {
        const char *q = p + 8;
        while (*q != '"') {
            char *e;
            double x = strtod(q, &e);
            assert_int_equal(*e, ',');
            double y = strtod(e + 1, &e);
            assert_true(x >= 0 && x <= w && y >= 0 && y <= h);
            q = *e == ' ' ? e + 1 : e;
        }
    }
}

static void test_svg_inside_the_picture(void **state) {
    (void)state;
    /* Every kind, with and without hue, log axes, long names, at small, default and wide sizes. */
    lp_table *t = tu_table("a rather long x column name:double,y:double,group name that goes on:string",
                           "0.5|-3|first group;2|2.5|second group with a long name;3.5|1e6|first group;"
                           "7|0.001|third;8|40|third;null|1|first group", 0);
    lp_chart_kind kinds[] = {LP_CHART_HIST, LP_CHART_SCATTER, LP_CHART_LINE, LP_CHART_BAR};
    int sizes[][2] = {{240, 160}, {640, 400}, {1000, 300}, {100, 50}};
    for (size_t k = 0; k < LP_ARRAY_LEN(kinds); k++)
        for (int variant = 0; variant < 4; variant++)
            for (size_t z = 0; z < LP_ARRAY_LEN(sizes); z++) {
                lp_chart_opts o = opts(kinds[k], kinds[k] == LP_CHART_BAR ? "group name that goes on" : "a rather long x column name",
                                       kinds[k] == LP_CHART_HIST ? NULL : "y",
                                       variant & 1 && kinds[k] != LP_CHART_BAR ? "group name that goes on" : NULL);
                o.logy = variant & 2;
                o.logx = variant & 2 && kinds[k] != LP_CHART_BAR;
                o.title = "A title long enough to need cutting on the smallest of the pictures we draw";
                lp_chart *c = build(t, &o);
                char *s = svg(c, sizes[z][0], sizes[z][1]);
                int w = LP_MAX(sizes[z][0], 240), h = LP_MAX(sizes[z][1], 160);
                char dims[64];
                snprintf(dims, sizeof dims, "width=\"%d\" height=\"%d\"", w, h);
                assert_non_null(strstr(s, dims));
                assert_inside(s, w, h);
                lp_free(s);
                lp_chart_free(c);
            }
    lp_table_unref(t);
}

static void test_svg_histogram_golden(void **state) {
    (void)state;
    lp_table *t = tu_table("stars:double", "1;2;2;3;null", 0);
    lp_chart_opts o = opts(LP_CHART_HIST, "stars", NULL, NULL);
    o.bins = 2;
    o.title = "Stars";
    lp_chart *c = build(t, &o);
    char *s = svg(c, 240, 160);
    const char *want =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"240\" height=\"160\" viewBox=\"0 0 240 160\" font-family=\"sans-serif\" font-size=\"11\" color=\"#888888\" fill=\"currentColor\">\n"
        "<title>Stars</title>\n"
        "<text x=\"120.0\" y=\"22.0\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">Stars</text>\n"
        "<g class=\"lp-grid\" stroke=\"currentColor\" stroke-opacity=\"0.2\" stroke-width=\"1\">\n"
        "<line x1=\"44.6\" y1=\"100.0\" x2=\"224.0\" y2=\"100.0\"/>\n"
        "<line x1=\"44.6\" y1=\"57.3\" x2=\"224.0\" y2=\"57.3\"/>\n"
        "<line x1=\"134.3\" y1=\"36.0\" x2=\"134.3\" y2=\"100.0\"/>\n"
        "</g>\n"
        "<g fill=\"#0072B2\" fill-opacity=\"0.85\">\n"
        "<rect class=\"lp-bar\" x=\"45.1\" y=\"78.7\" width=\"88.7\" height=\"21.3\"/>\n"
        "<rect class=\"lp-bar\" x=\"134.8\" y=\"36.0\" width=\"88.7\" height=\"64.0\"/>\n"
        "</g>\n"
        "<g class=\"lp-axes\" stroke=\"currentColor\" stroke-width=\"1\">\n"
        "<line x1=\"44.6\" y1=\"100.0\" x2=\"224.0\" y2=\"100.0\"/>\n"
        "<line x1=\"44.6\" y1=\"36.0\" x2=\"44.6\" y2=\"100.0\"/>\n"
        "<line x1=\"39.6\" y1=\"100.0\" x2=\"44.6\" y2=\"100.0\"/>\n"
        "<line x1=\"39.6\" y1=\"57.3\" x2=\"44.6\" y2=\"57.3\"/>\n"
        "<line x1=\"134.3\" y1=\"100.0\" x2=\"134.3\" y2=\"105.0\"/>\n"
        "</g>\n"
        "<g class=\"lp-labels\">\n"
        "<text x=\"36.6\" y=\"104.0\" text-anchor=\"end\">0</text>\n"
        "<text x=\"36.6\" y=\"61.3\" text-anchor=\"end\">2</text>\n"
        "<text x=\"134.3\" y=\"118.0\" text-anchor=\"middle\">2</text>\n"
        "<text x=\"134.3\" y=\"136.0\" text-anchor=\"middle\" font-size=\"12\">stars</text>\n"
        "<text x=\"16.0\" y=\"68.0\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 16.0 68.0)\">Frequen\xE2\x80\xA6</text>\n"
        "</g>\n"
        "<text x=\"8.0\" y=\"152.0\" class=\"lp-note\" font-style=\"italic\">(1 null value left out)</text>\n"
        "</svg>\n";
    if (strcmp(s, want) != 0) {
        size_t i = 0;
        while (s[i] == want[i]) i++;
        fail_msg("differs at byte %zu: got\n%s\nwanted\n%s", i, s + (i > 40 ? i - 40 : 0), want + (i > 40 ? i - 40 : 0));
    }
    lp_free(s);
    lp_chart_free(c);
    lp_table_unref(t);
}

static void test_svg_empty_tables(void **state) {
    (void)state;
    const char *names[] = {"x", "y", "g"};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_FLOAT64), lp_type_of(LP_STRING)};
    lp_table *empty = lp_table_new(3, names, types);
    lp_table *nulls = tu_table("x:bigint,y:double,g:string", "null|null|null", 0);
    lp_table *tables[] = {empty, nulls};
    lp_chart_kind kinds[] = {LP_CHART_HIST, LP_CHART_SCATTER, LP_CHART_LINE, LP_CHART_BAR};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < LP_ARRAY_LEN(kinds); i++)
            for (int hue = 0; hue < 2; hue++) {
                lp_chart_opts o = opts(kinds[i], "x", "y", hue && kinds[i] != LP_CHART_BAR ? "g" : NULL);
                o.logy = hue;
                lp_chart *c = build(tables[k], &o);
                char *s = svg(c, 0, 0);
                assert_int_equal(count(s, "<rect class=\"lp-bar\"") + count(s, "<polyline"), 0);
                assert_non_null(strstr(s, "<g class=\"lp-axes\""));
                lp_free(s);
                lp_chart_free(c);
            }
    lp_table_unref(empty);
    lp_table_unref(nulls);
}

static void test_svg_out_of_memory(void **state) {
    (void)state;
    lp_table *t = tu_table("x:bigint,y:double,g:string", "1|2.5|a;2|3.5|b;3|-1|a;4|10|b;5|1|c;6|2|a", 2);
    lp_chart_kind kinds[] = {LP_CHART_HIST, LP_CHART_SCATTER, LP_CHART_LINE, LP_CHART_BAR};
    for (size_t k = 0; k < LP_ARRAY_LEN(kinds); k++) {
        lp_chart_opts o = opts(kinds[k], "x", kinds[k] == LP_CHART_HIST ? NULL : "y",
                               kinds[k] == LP_CHART_BAR ? NULL : "g");
        o.title = "a title";
        o.max_points = 3;
        lp_chart *c = build(t, &o);
        int64_t before = lp_mem_used();
        bool ok = false;
        for (int64_t n = 1; n < 200 && !ok; n++)
            for (int sticky = 0; sticky < 2; sticky++) {
                lp_strbuf b;
                lp_strbuf_init(&b);
                lp_mem_fail_at(n, sticky);
                lp_render_chart_svg(c, 0, 0, &b);
                int64_t failed = lp_mem_fail_at(0, false);
                if (failed == 0) ok = true;
                else assert_true(b.nomem);
                lp_strbuf_reset(&b);
                assert_int_equal(lp_mem_used(), before);
            }
        assert_true(ok);
        lp_chart_free(c);
    }
    lp_table_unref(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_svg_checker_catches_faults),
        TU_TEST(test_svg_document_and_escaping),
        TU_TEST(test_svg_marks_match_data),
        TU_TEST(test_svg_long_categories_rotate),
        TU_TEST(test_svg_log_axes),
        TU_TEST(test_svg_same_ticks_as_text),
        TU_TEST(test_svg_legend_and_note),
        TU_TEST(test_svg_deterministic),
        TU_TEST(test_svg_inside_the_picture),
        TU_TEST(test_svg_histogram_golden),
        TU_TEST(test_svg_empty_tables),
        TU_TEST(test_svg_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
