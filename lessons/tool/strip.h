/* strip.h -- the strip logic of loupe-lessons: an instructor notebook into its student version.
 *
 * strip.c holds the rule (strip_main.c's comment gives it in full): every block between a line
 * `### BEGIN SOLUTION` and a line `### END SOLUTION` becomes one TODO line, code cells lose
 * their outputs and execution counts, unbalanced markers are refused with the cell and line.
 * It works on a parsed notebook (jansson), so the command line and tests/fuzz/fuzz_strip.c
 * share it. Single-threaded state only: the caller's ll_strip.
 */
#ifndef LL_STRIP_H
#define LL_STRIP_H

#include <jansson.h>

#define BEGIN_MARK "### BEGIN SOLUTION"
#define END_MARK "### END SOLUTION"
#define TODO_CODE "# TODO: your code here"
#define TODO_MD "_Your answer here._"

/* What a strip did: solutions replaced, cells changed, and the message of a refusal. */
typedef struct ll_strip {
    int nsol, ncells;
    char err[1024];
} ll_strip;

/* Strips the notebook nb in place. Returns 0, or -1 with st->err set (the notebook is then
 * partly changed and should not be written). */
int ll_strip_notebook(json_t *nb, ll_strip *st);

#endif /* LL_STRIP_H */
