/* testutil.h -- helpers shared by the engine's cmocka tests: tables from text, tables to text,
 * temporary files, running a check with 1 and with 4 threads, and leak accounting.
 *
 * Every test should use tu_setup/tu_teardown (cmocka_unit_test_setup_teardown), which fail the
 * test when engine memory is still counted as in use after it: a leak on any path is a failure
 * in every build, not only under AddressSanitizer.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>

#include "loupe_int.h"

int tu_setup(void **state);
int tu_teardown(void **state);
#define TU_TEST(f) cmocka_unit_test_setup_teardown(f, tu_setup, tu_teardown)

/* Builds a table from text. schema: "a:bigint,b:string,c:array<bigint>"; rows separated by ';',
 * cells by '|'; "null" is a null; lists as "[1,2]". rows_per_part splits it into partitions
 * (0 = one partition). Fails the test on a malformed spec. */
lp_table *tu_table(const char *schema, const char *rows, int rows_per_part);

/* The table as text: one line per row, cells formatted with lp_value_format and joined with
 * '|'; the header line "a:bigint|b:string" first. Caller frees with lp_free. */
char *tu_dump(const lp_table *t);
/* The same with the data lines sorted, for operators whose row order is unspecified. */
char *tu_dump_sorted(const lp_table *t);
/* Asserts that tu_dump(t) equals `expected` (and prints both on failure). */
#define tu_assert_table(t, expected) tu_assert_table_((t), (expected), false, __FILE__, __LINE__)
#define tu_assert_table_sorted(t, expected) tu_assert_table_((t), (expected), true, __FILE__, __LINE__)
void tu_assert_table_(const lp_table *t, const char *expected, bool sorted, const char *file, int line);

/* Writes `len` bytes to a new temporary file and returns its path (static storage per call
 * slot: up to 8 live paths, reused round-robin). The file is removed at teardown. */
const char *tu_temp_file(const void *data, size_t len, const char *suffix);
/* The same for a NUL-terminated string. */
const char *tu_temp_text(const char *text, const char *suffix);

/* Runs fn(arg) once with 1 thread and once with 4, and asserts both produce the same text
 * (the string fn returns, freed with lp_free). Returns the text of the 4-thread run
 * (caller frees). */
char *tu_same_across_threads(char *(*fn)(void *arg), void *arg);

/* Requests cancellation from another thread `micros` microseconds from now, to test an
 * operator cancelled while it runs. Every tu_cancel_after is paired with tu_cancel_join. */
typedef struct tu_canceller {
    pthread_t thread;
    long micros;
} tu_canceller;
void tu_cancel_after(tu_canceller *c, long micros);
void tu_cancel_join(tu_canceller *c);

#endif
