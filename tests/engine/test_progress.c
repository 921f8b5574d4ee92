/* test_progress.c -- loupe_progress: the stage and task counts a progress display reads from
 * another thread while the engine works. */
#include "testutil.h"
#include "exec/ops.h"

#include <string.h>

static void noop(void *ctx, int task) {
    (void)ctx;
    (void)task;
}

static void test_progress_counts_pool_tasks(void **state) {
    (void)state;
    char stage[32];
    int64_t done, total;
    lp_progress_stage("join");
    loupe_progress(stage, sizeof stage, &done, &total);
    assert_string_equal(stage, "join");
    assert_int_equal(done, 0);
    assert_int_equal(total, 0);
    assert_int_equal(lp_pool_run(7, noop, NULL), LP_OK);
    assert_int_equal(lp_pool_run(3, noop, NULL), LP_OK);
    loupe_progress(stage, sizeof stage, &done, &total);
    assert_int_equal(done, 10);
    assert_int_equal(total, 10);
    /* a new stage starts from zero; NULL is idle */
    lp_progress_stage(NULL);
    loupe_progress(stage, sizeof stage, &done, &total);
    assert_string_equal(stage, "");
    assert_int_equal(total, 0);
}

/* An operator's parallel work is counted under the stage the planner named. */
static void test_progress_counts_an_operator(void **state) {
    (void)state;
    lp_table *t = tu_table("k:bigint,v:bigint", "1|10;2|20;1|30;3|40", 2);
    lp_aggspec agg = {.fn = LP_AGG_SUM, .col = 1, .name = "s"};
    lp_progress_stage("aggregate");
    int key = 0;
    lp_table *out = NULL;
    lp_diag d;
    lp_diag_init(&d);
    assert_int_equal(lp_aggregate(t, &key, 1, &agg, 1, &out, &d), LP_OK);
    char stage[32];
    int64_t done, total;
    loupe_progress(stage, sizeof stage, &done, &total);
    assert_string_equal(stage, "aggregate");
    assert_true(total > 0);
    assert_int_equal(done, total);
    lp_progress_stage(NULL);
    lp_table_unref(out);
    lp_table_unref(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_progress_counts_pool_tasks),
        TU_TEST(test_progress_counts_an_operator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
