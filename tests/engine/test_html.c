/* test_html.c -- a DataFrame as text/html (render/html.c): escaping of hostile text in cells,
 * names and tooltips, alignment classes, null versus the string "null", truncation by code
 * points with a tooltip, the footer's three wordings, empty tables, and failing allocations. */
#include "testutil.h"

#include "render/render.h"
#include "render/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A table of one string column `name` holding vals[0..n) (NULL = null), built directly so that
 * values may contain tu_table's separators ('|', ';'). */
static lp_table *str_table(const char *name, const char *const *vals, int n) {
    lp_type ty = lp_type_of(LP_STRING);
    lp_table *t = lp_table_new(1, &name, &ty);
    assert_non_null(t);
    lp_colbuf b;
    lp_colbuf_init(&b, ty);
    for (int i = 0; i < n; i++) {
        if (vals[i]) lp_colbuf_append_str(&b, vals[i], strlen(vals[i]));
        else lp_colbuf_append_null(&b);
    }
    lp_column *col;
    assert_int_equal(lp_colbuf_finish(&b, &col), LP_OK);
    assert_int_equal(lp_table_add_part(t, n, &col), LP_OK);
    return t;
}

/* Renders t; the fragment is also well-formed XML, checked with xmllint when installed. */
static char *html(const lp_table *t, int64_t total, int max_cell) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_render_table_html(t, total, max_cell, &b);
    assert_false(b.nomem);
    char *s = lp_strbuf_take(&b);
    if (access("/usr/bin/xmllint", X_OK) == 0) {
        const char *path = tu_temp_text(s, ".html");
        char cmd[512];
        snprintf(cmd, sizeof cmd, "/usr/bin/xmllint --noout '%s'", path);
        if (system(cmd) != 0) fail_msg("xmllint rejects\n%s", s);
    }
    return s;
}

static int count(const char *s, const char *needle) {
    int k = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle)) k++;
    return k;
}

/* The text between the first "<tbody>" and "</tbody>". */
static const char *body(const char *s) {
    const char *p = strstr(s, "<tbody>");
    assert_non_null(p);
    return p;
}

static void test_html_escapes_hostile_text(void **state) {
    (void)state;
    const char *vals[] = {"<script>alert('x')</script>", "Tom & Jerry &amp; \"friends\"", "a > b"};
    lp_table *t = str_table("<b>\"name\"&'", vals, 3);
    char *s = html(t, -1, 0);
    /* One script-free fragment: no raw tag from the data survives. */
    assert_null(strstr(s, "<script"));
    assert_null(strstr(s, "<b>"));
    assert_non_null(strstr(s, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert_non_null(strstr(s, "Tom &amp; Jerry &amp;amp; &quot;friends&quot;"));
    assert_non_null(strstr(s, "a &gt; b"));
    assert_non_null(strstr(s, "&lt;b&gt;&quot;name&quot;&amp;&#39;"));
    /* Every '&' in the output starts an entity. */
    for (const char *p = strchr(s, '&'); p; p = strchr(p + 1, '&')) {
        const char *semi = strchr(p, ';');
        assert_non_null(semi);
        assert_true(semi - p <= 6);
        for (const char *q = p + 1; q < semi; q++) assert_true(*q == '#' || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9'));
    }
    lp_free(s);
    lp_table_unref(t);

    /* In a tooltip (attribute value) as well: quotes cannot end the attribute. */
    const char *long_vals[] = {"\"onmouseover=\"alert(1)\" <x> & 'y' and much more text"};
    t = str_table("s", long_vals, 1);
    s = html(t, 1, 10);
    assert_non_null(strstr(s, "title=\"&quot;onmouseover=&quot;alert(1)&quot; &lt;x&gt; &amp; &#39;y&#39; and much more text\""));
    assert_null(strstr(s, "onmouseover=\"")); /* never a real attribute */
    lp_free(s);
    lp_table_unref(t);

    /* The exported escaper: entities, newline kept, control characters visible, bad UTF-8. */
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_render_text_escape_html("<a href='x'>&\n\x01\xff", 16, &b);
    assert_string_equal(b.p, "&lt;a href=&#39;x&#39;&gt;&amp;\n\xE2\x90\x81\xEF\xBF\xBD");
    lp_strbuf_reset(&b);
}

static void test_html_alignment_and_types(void **state) {
    (void)state;
    lp_table *t = tu_table("id:bigint,score:double,name:string,ok:boolean,d:date,tags:array<bigint>",
                           "1|2.5|ann|true|2013-06-02|[1,2];20|1e10|bob|false|2014-01-01|[]", 0);
    char *s = html(t, 2, 0);
    /* Numbers right-aligned (header and cells), everything else not. */
    assert_non_null(strstr(s, "<th class=\"lp-num\">id<span class=\"lp-type\">bigint</span></th>"));
    assert_non_null(strstr(s, "<th class=\"lp-num\">score<span class=\"lp-type\">double</span></th>"));
    assert_non_null(strstr(s, "<th>name<span class=\"lp-type\">string</span></th>"));
    assert_non_null(strstr(s, "<th>tags<span class=\"lp-type\">array&lt;bigint&gt;</span></th>"));
    assert_non_null(strstr(body(s), "<tr><td class=\"lp-num\">1</td><td class=\"lp-num\">2.5</td><td>ann</td>"
                                    "<td>true</td><td>2013-06-02</td><td>[1, 2]</td></tr>"));
    /* Values as lp_value_format writes them (Spark's doubles). */
    assert_non_null(strstr(body(s), "<td class=\"lp-num\">1.0E10</td>"));
    assert_int_equal(count(body(s), "class=\"lp-num\""), 4);
    assert_non_null(strstr(s, ".lp-num{text-align:right;font-variant-numeric:tabular-nums}"));
    /* One scoped style block; every rule is under .loupe-df; theme variables with fallbacks. */
    assert_int_equal(count(s, "<style>"), 1);
    assert_true(strncmp(s, "<div class=\"loupe-df\"><style>", 29) == 0);
    const char *st = strstr(s, "<style>") + 7, *end = strstr(s, "</style>");
    for (const char *p = st; p < end;) {
        assert_true(strncmp(p, ".loupe-df", 9) == 0);
        const char *close = strchr(p, '}');
        p = close + 1;
    }
    assert_non_null(strstr(s, "var(--jp-border-color2,"));
    assert_null(strstr(s, "<script"));
    assert_null(strstr(s, "#fff"));
    assert_null(strstr(s, "#000"));
    lp_free(s);
    lp_table_unref(t);
}

static void test_html_null_versus_string_null(void **state) {
    (void)state;
    lp_table *t = tu_table("s:string,n:bigint", "null|null", 0);
    const char *vals[] = {"null", NULL};
    lp_table *u = str_table("s", vals, 2);
    char *s = html(t, 1, 0);
    assert_non_null(strstr(body(s), "<td class=\"lp-null\">null</td><td class=\"lp-null lp-num\">null</td>"));
    lp_free(s);
    s = html(u, 2, 0);
    /* The string is quoted, as the text display shows it; the null carries the class that mutes
     * and slants it. */
    assert_non_null(strstr(body(s), "<tr><td>&quot;null&quot;</td></tr><tr><td class=\"lp-null\">null</td></tr>"));
    assert_int_equal(count(body(s), "lp-null"), 1);
    assert_non_null(strstr(s, "td.lp-null{font-style:italic;"));
    lp_free(s);
    lp_table_unref(t);
    lp_table_unref(u);
}

static void test_html_truncation_with_tooltip(void **state) {
    (void)state;
    /* 12 code points of which 6 take two or three bytes: cut by code points, never inside one. */
    const char *vals[] = {"h\xC3\xA9llo w\xC3\xB6rld \xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC", "short", "exactly10!",
                          "line one\nline\ttwo"};
    lp_table *t = str_table("review", vals, 4);
    char *s = html(t, 4, 10);
    assert_non_null(strstr(s, "<td class=\"lp-cut\" title=\"h\xC3\xA9llo w\xC3\xB6rld \xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\">"
                              "h\xC3\xA9llo w\xC3\xB6r\xE2\x80\xA6</td>"));
    assert_non_null(strstr(s, "<td>short</td>"));
    assert_non_null(strstr(s, "<td>exactly10!</td>"));
    /* Newline and tab: a muted ⏎ and → in the cell, kept as characters in the tooltip. */
    assert_non_null(strstr(s, "title=\"line one&#10;line&#9;two\">line one<span class=\"lp-ctl\">\xE2\x8F\x8E</span>\xE2\x80\xA6</td>"));
    assert_int_equal(count(s, "lp-cut"), 2 + 1); /* two cells and the style rule */
    lp_free(s);
    /* No limit: nothing is cut. */
    s = html(t, 4, 0);
    assert_null(strstr(s, "title="));
    assert_non_null(strstr(s, "line one<span class=\"lp-ctl\">\xE2\x8F\x8E</span>line<span class=\"lp-ctl\">\xE2\x86\x92</span>two"));
    lp_free(s);
    /* Long column names are cut the same way. */
    lp_table_unref(t);
    t = tu_table("a_very_long_column_name:bigint", "1", 0);
    s = html(t, 1, 8);
    assert_non_null(strstr(s, "<th class=\"lp-num lp-cut\" title=\"a_very_long_column_name\">a_very_\xE2\x80\xA6<span"));
    lp_free(s);
    lp_table_unref(t);
}

static void test_html_footers(void **state) {
    (void)state;
    lp_table *t = tu_table("a:bigint,b:string,c:double,d:bigint,e:bigint,f:bigint,g:bigint,h:bigint,i:bigint",
                           "1|x|1.5|1|1|1|1|1|1;2|y|2.5|2|2|2|2|2|2", 0);
    char *s = html(t, 1689188, 0);
    assert_non_null(strstr(s, "<div class=\"lp-foot\">showing 2 of 1,689,188 rows \xC2\xB7 9 columns</div></div>\n"));
    lp_free(s);
    s = html(t, 2, 0);
    assert_non_null(strstr(s, "<div class=\"lp-foot\">2 rows \xC2\xB7 9 columns</div>"));
    lp_free(s);
    s = html(t, -1, 0);
    assert_non_null(strstr(s, "<div class=\"lp-foot\">showing first 2 rows \xC2\xB7 9 columns</div>"));
    lp_free(s);
    lp_table_unref(t);
    t = tu_table("a:bigint", "7", 0);
    s = html(t, 1, 0);
    assert_non_null(strstr(s, ">1 row \xC2\xB7 1 column</div>"));
    lp_free(s);
    lp_table_unref(t);
}

static void test_html_empty_tables(void **state) {
    (void)state;
    /* Zero rows: the header and an empty body. */
    const char *names[] = {"a", "b"};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_STRING)};
    lp_table *t = lp_table_new(2, names, types);
    char *s = html(t, 0, 20);
    assert_non_null(strstr(s, "<tbody></tbody></table><div class=\"lp-foot\">0 rows \xC2\xB7 2 columns</div>"));
    assert_int_equal(count(s, "<span class=\"lp-type\">"), 2);
    lp_free(s);
    lp_table_unref(t);
    /* Zero columns: no table, only the footer. */
    t = lp_table_new(0, NULL, NULL);
    assert_non_null(t);
    s = html(t, -1, 20);
    assert_null(strstr(s, "<table"));
    assert_non_null(strstr(s, "<div class=\"lp-foot\">showing first 0 rows \xC2\xB7 0 columns</div>"));
    lp_free(s);
    lp_table_unref(t);
}

static void test_html_tags_balanced(void **state) {
    (void)state;
    lp_table *t = tu_table("a:bigint,b:string", "1|x;null|null;3|<i>", 2);
    char *s = html(t, 10, 5);
    const char *tags[] = {"div", "table", "thead", "tbody", "tr", "th", "td", "span", "style"};
    for (size_t i = 0; i < LP_ARRAY_LEN(tags); i++) {
        char open[16], close[16];
        snprintf(open, sizeof open, "<%s", tags[i]);
        snprintf(close, sizeof close, "</%s>", tags[i]);
        /* "<th" also matches "<thead": count exact opening tags. */
        int opens = 0;
        for (const char *p = strstr(s, open); p; p = strstr(p + 1, open)) {
            char nx = p[strlen(open)];
            if (nx == '>' || nx == ' ') opens++;
        }
        assert_int_equal(opens, count(s, close));
    }
    assert_int_equal(count(body(s), "<tr>"), 3);
    lp_free(s);
    lp_table_unref(t);
}

static void test_html_agrees_with_text(void **state) {
    (void)state;
    /* Every value of the text display appears, as written, in the HTML display's cells. */
    lp_table *t = tu_table("i:bigint,f:double,d:date,ts:timestamp,b:boolean,l:array<double>",
                           "-12345|0.1|2013-06-02|2013-06-02 12:34:56|true|[1.5,2.0];"
                           "9007199254740993|1e-7|1970-01-01|1999-12-31 23:59:59.5|false|[]", 0);
    lp_strbuf txt;
    lp_strbuf_init(&txt);
    lp_render_table_text(t, 2, 0, 0, &txt);
    char *s = html(t, 2, 0);
    /* The data lines of the text display: the fourth and fifth. */
    const char *line = txt.p;
    for (int k = 0; k < 3; k++) line = strchr(line, '\n') + 1;
    int cells = 0;
    for (int r = 0; r < 2; r++) {
        const char *end = strchr(line, '\n');
        char buf[256];
        snprintf(buf, sizeof buf, "%.*s", (int)(end - line), line);
        /* Cells are separated by two or more spaces. */
        for (char *tok = buf; *tok;) {
            while (*tok == ' ') tok++;
            if (!*tok) break;
            char *e = strstr(tok, "  ");
            if (e) *e = 0;
            char want[300];
            snprintf(want, sizeof want, ">%s</td>", tok);
            if (!strstr(s, want)) fail_msg("text cell '%s' not in the HTML", tok);
            cells++;
            tok = e ? e + 2 : tok + strlen(tok);
        }
        line = end + 1;
    }
    assert_int_equal(cells, 12);
    /* And the same footer. */
    assert_non_null(strstr(txt.p, "\n2 rows \xC2\xB7 6 columns\n"));
    assert_non_null(strstr(s, ">2 rows \xC2\xB7 6 columns</div>"));
    lp_free(s);
    lp_strbuf_reset(&txt);
    lp_table_unref(t);
}

static void test_html_out_of_memory(void **state) {
    (void)state;
    lp_table *t = tu_table("a:bigint,b:string", "1|x;null|null;3|a long text to cut", 2);
    int64_t before = lp_mem_used();
    bool ok = false;
    for (int64_t n = 1; n < 200 && !ok; n++)
        for (int sticky = 0; sticky < 2; sticky++) {
            lp_strbuf b;
            lp_strbuf_init(&b);
            lp_mem_fail_at(n, sticky);
            lp_render_table_html(t, 3, 8, &b);
            int64_t failed = lp_mem_fail_at(0, false);
            if (failed == 0) {
                assert_false(b.nomem);
                ok = true;
            } else {
                /* A refusal anywhere shows in the buffer's sticky flag. */
                assert_true(b.nomem);
            }
            lp_strbuf_reset(&b);
            assert_int_equal(lp_mem_used(), before);
        }
    assert_true(ok);
    lp_table_unref(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_html_escapes_hostile_text),
        TU_TEST(test_html_alignment_and_types),
        TU_TEST(test_html_null_versus_string_null),
        TU_TEST(test_html_truncation_with_tooltip),
        TU_TEST(test_html_footers),
        TU_TEST(test_html_empty_tables),
        TU_TEST(test_html_tags_balanced),
        TU_TEST(test_html_agrees_with_text),
        TU_TEST(test_html_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
