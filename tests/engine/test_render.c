/* test_render.c -- Spark's show() layout, character for character. */
#include "testutil.h"

#include "render/render.h"

static char *show(const lp_table *t, int64_t n, int truncate) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_render_show(t, n, truncate, &b);
    return lp_strbuf_take(&b);
}

static void test_render_show_matches_spark(void **state) {
    (void)state;
    lp_table *t = tu_table("overall:double,count:bigint,name:string",
                           "5.0|1009|Jo;4.0|447|null;1.0|12|a much longer name than twenty chars", 2);
    char *s = show(t, 20, 20);
    assert_string_equal(s,
                        "+-------+-----+--------------------+\n"
                        "|overall|count|                name|\n"
                        "+-------+-----+--------------------+\n"
                        "|    5.0| 1009|                  Jo|\n"
                        "|    4.0|  447|                null|\n"
                        "|    1.0|   12|a much longer nam...|\n"
                        "+-------+-----+--------------------+\n");
    lp_free(s);
    s = show(t, 2, 0);
    assert_string_equal(s,
                        "+-------+-----+----+\n"
                        "|overall|count|name|\n"
                        "+-------+-----+----+\n"
                        "|5.0    |1009 |Jo  |\n"
                        "|4.0    |447  |null|\n"
                        "+-------+-----+----+\n"
                        "only showing top 2 rows\n");
    lp_free(s);
    lp_table_unref(t);
}

static void test_render_show_narrow_and_wide_text(void **state) {
    (void)state;
    lp_table *t = tu_table("a:bigint,h:array<bigint>,w:string", "1|[2, 3]|\xE6\x97\xA5\xE6\x9C\xAC", 0);
    char *s = show(t, 20, 20);
    /* a is padded to 3; the two wide characters take four columns */
    assert_string_equal(s,
                        "+---+------+----+\n"
                        "|  a|     h|   w|\n"
                        "+---+------+----+\n"
                        "|  1|[2, 3]|\xE6\x97\xA5\xE6\x9C\xAC|\n"
                        "+---+------+----+\n");
    lp_free(s);
    s = show(t, 1, 3);
    assert_non_null(strstr(s, "|[2,|"));
    lp_free(s);
    lp_table_unref(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_render_show_matches_spark),
        TU_TEST(test_render_show_narrow_and_wide_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
