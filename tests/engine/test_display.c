/* test_display.c -- the REPL's and kernel's text display of a DataFrame (render/table_text.c),
 * compared character for character. */
#include "testutil.h"

#include "render/render.h"

#include <stdio.h>

static char *text(const lp_table *t, int64_t total, int width, int max_cell) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_render_table_text(t, total, width, max_cell, &b);
    assert_false(b.nomem);
    return lp_strbuf_take(&b);
}

#define assert_text(t, total, width, max_cell, want)                                                   \
    do {                                                                                                  \
        char *got_ = text((t), (total), (width), (max_cell));                                            \
        if (strcmp(got_, (want)) != 0) fail_msg("got\n%s\nwanted\n%s", got_, (want));                     \
        lp_free(got_);                                                                                    \
    } while (0)

static void test_display_alignment_and_types(void **state) {
    (void)state;
    lp_table *t = tu_table("overall:double,count:bigint,name:string,ok:boolean,d:date,h:array<bigint>",
                           "5.0|1009|Jo|true|2013-06-02|[1, 2];4.5|7|null|null|null|[];1.0E10|-12|Ann|false|1999-12-31|null",
                           2);
    assert_text(t, 3, 0, 40,
                "overall   count  name    ok       d           h\n"
                " double  bigint  string  boolean  date        array<bigint>\n"
                "───────  ──────  ──────  ───────  ──────────  ─────────────\n"
                "    5.0    1009  Jo      true     2013-06-02  [1, 2]\n"
                "    4.5       7  null    null     null        []\n"
                " 1.0E10     -12  Ann     false    1999-12-31  null\n"
                "3 rows · 6 columns\n");
    lp_table_unref(t);
}

/* A string column holding the text "null" next to a real null. */
static lp_table *null_text_table(void) {
    const char *names[] = {"s"};
    lp_type types[] = {lp_type_of(LP_STRING)};
    lp_table *t = lp_table_new(1, names, types);
    lp_colbuf b;
    lp_colbuf_init(&b, types[0]);
    lp_colbuf_append_str(&b, "null", 4);
    lp_colbuf_append_null(&b);
    lp_colbuf_append_str(&b, "nullish", 7);
    lp_column *c;
    assert_int_equal(lp_colbuf_finish(&b, &c), LP_OK);
    assert_int_equal(lp_table_add_part(t, 3, &c), LP_OK);
    return t;
}

static void test_display_null_and_null_text(void **state) {
    (void)state;
    lp_table *t = null_text_table();
    assert_text(t, 3, 0, 40,
                "s\n"
                "string\n"
                "───────\n"
                "\"null\"\n"
                "null\n"
                "nullish\n"
                "3 rows · 1 column\n");
    lp_table_unref(t);
}

static void test_display_truncation_wide_characters(void **state) {
    (void)state;
    /* 日本語テキスト: seven wide characters, 14 columns. */
    lp_table *t = tu_table("w:string,n:bigint",
                           "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9\xE3\x83\x88|1;"
                           "abcdefghij|22;abc|3",
                           0);
    /* max 6 columns: three wide characters would be 6, so two (4) plus the ellipsis (1). */
    assert_text(t, -1, 0, 6,
                "w            n\n"
                "string  bigint\n"
                "──────  ──────\n"
                "\xE6\x97\xA5\xE6\x9C\xAC\xE2\x80\xA6   "
                "     1\n"
                "abcde…      22\n"
                "abc          3\n"
                "showing first 3 rows · 2 columns\n");
    lp_table_unref(t);
}

static void test_display_newlines_and_tabs_escaped(void **state) {
    (void)state;
    lp_table *t = tu_table("s:string", "two\nlines;a\tb;bell\x07!", 0);
    assert_text(t, 3, 0, 40,
                "s\n"
                "string\n"
                "─────────\n"
                "two⏎lines\n"
                "a→b\n"
                "bell\xE2\x90\x87!\n"
                "3 rows · 1 column\n");
    lp_table_unref(t);
}

static void test_display_fits_width_hiding_columns(void **state) {
    (void)state;
    lp_table *t = tu_table("id:bigint,name:string,reviewText:string,summary:string",
                           "1|Ann|Great sound, would buy again|Great;2|Bob|Broke after a week|Meh", 0);
    /* Unlimited: everything. */
    assert_text(t, 2, 0, 40,
                "    id  name    reviewText                    summary\n"
                "bigint  string  string                        string\n"
                "──────  ──────  ────────────────────────────  ───────\n"
                "     1  Ann     Great sound, would buy again  Great\n"
                "     2  Bob     Broke after a week            Meh\n"
                "2 rows · 4 columns\n");
    /* 30 columns: id and name (14) plus "  …" fit; reviewText does not. */
    assert_text(t, 1689188, 30, 40,
                "    id  name    …\n"
                "bigint  string  …\n"
                "──────  ──────  ─\n"
                "     1  Ann     …\n"
                "     2  Bob     …\n"
                "showing 2 of 1,689,188 rows · 4 columns (2 hidden: reviewText, summary)\n");
    /* Narrower than the first column: it is still shown. */
    assert_text(t, 2, 4, 40,
                "    id  …\n"
                "bigint  …\n"
                "──────  ─\n"
                "     1  …\n"
                "     2  …\n"
                "2 rows · 4 columns (3 hidden: name, reviewText, summary)\n");
    /* Exactly wide enough: nothing hidden. */
    assert_text(t, 2, 53, 40,
                "    id  name    reviewText                    summary\n"
                "bigint  string  string                        string\n"
                "──────  ──────  ────────────────────────────  ───────\n"
                "     1  Ann     Great sound, would buy again  Great\n"
                "     2  Bob     Broke after a week            Meh\n"
                "2 rows · 4 columns\n");
    lp_table_unref(t);
}

static void test_display_footers(void **state) {
    (void)state;
    lp_table *t = tu_table("a:bigint", "1", 0);
    const char *head = "     a\nbigint\n──────\n     1\n";
    char want[256];
    snprintf(want, sizeof want, "%s1 row · 1 column\n", head);
    assert_text(t, 1, 0, 40, want);
    snprintf(want, sizeof want, "%sshowing 1 of 1,000 rows · 1 column\n", head);
    assert_text(t, 1000, 0, 40, want);
    snprintf(want, sizeof want, "%sshowing 1 of 999 rows · 1 column\n", head);
    assert_text(t, 999, 0, 40, want);
    snprintf(want, sizeof want, "%sshowing 1 of 12,345,678,901 rows · 1 column\n", head);
    assert_text(t, 12345678901LL, 0, 40, want);
    snprintf(want, sizeof want, "%sshowing first 1 row · 1 column\n", head);
    assert_text(t, -1, 0, 40, want);
    lp_table_unref(t);
}

static void test_display_empty_and_no_columns(void **state) {
    (void)state;
    const char *names[] = {"a", "bb"};
    lp_type types[] = {lp_type_of(LP_INT64), lp_type_of(LP_STRING)};
    lp_table *t = lp_table_new(2, names, types);
    assert_text(t, 0, 0, 40,
                "     a  bb\n"
                "bigint  string\n"
                "──────  ──────\n"
                "0 rows · 2 columns\n");
    lp_table_unref(t);
    t = lp_table_new(0, NULL, NULL);
    assert_text(t, 0, 0, 40, "0 rows · 0 columns\n");
    assert_text(t, 5, 80, 40, "showing 0 of 5 rows · 0 columns\n");
    lp_table_unref(t);
}

static void test_display_long_names_and_many_hidden(void **state) {
    (void)state;
    lp_table *t = tu_table("a_very_long_column_name:bigint,c1:bigint,c2:bigint,c3:bigint,c4:bigint,c5:bigint,"
                           "c6:bigint,c7:bigint,c8:bigint,c9:bigint,c10:bigint",
                           "1|2|3|4|5|6|7|8|9|10|11", 0);
    assert_text(t, 1, 20, 10,
                "a_very_lo…  …\n"
                "    bigint  …\n"
                "──────────  ─\n"
                "         1  …\n"
                "1 row · 11 columns (10 hidden: c1, c2, c3, c4, c5, c6, c7, c8, and 2 more)\n");
    lp_table_unref(t);
}

static void test_display_out_of_memory(void **state) {
    (void)state;
    lp_table *t = tu_table("a:bigint,s:string", "1|x;2|y;3|z", 0);
    for (int sticky = 0; sticky < 2; sticky++) {
        bool ok = false;
        for (int64_t k = 1; k < 200 && !ok; k++) {
            lp_strbuf b;
            lp_strbuf_init(&b);
            lp_mem_fail_at(k, sticky);
            lp_render_table_text(t, 3, 10, 40, &b);
            lp_mem_fail_at(0, false);
            ok = !b.nomem;
            if (ok) assert_non_null(strstr(b.p, "3 rows"));
            lp_strbuf_reset(&b);
        }
        assert_true(ok);
    }
    lp_table_unref(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_display_alignment_and_types),
        TU_TEST(test_display_null_and_null_text),
        TU_TEST(test_display_truncation_wide_characters),
        TU_TEST(test_display_newlines_and_tabs_escaped),
        TU_TEST(test_display_fits_width_hiding_columns),
        TU_TEST(test_display_footers),
        TU_TEST(test_display_empty_and_no_columns),
        TU_TEST(test_display_long_names_and_many_hidden),
        TU_TEST(test_display_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
