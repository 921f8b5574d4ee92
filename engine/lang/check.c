/* check.c -- builtins for exercises: the names lessons use to let students check themselves
 * (assertDataFrameEqual, check). The interpreter asks lp_check_has() for a name it does not
 * know as a built-in and calls lp_check_call() for it.
 */
#include "lang/interp.h"

#include <string.h>

bool lp_check_has(const char *name) {
    (void)name;
    return false;
}

LP_WUR lp_status lp_check_call(loupe_session *s, const char *name, const lp_args *a, lp_val **out) {
    (void)out;
    return lp_err_span(s, LP_ENAME, a->start, a->end, "no exercise helper '%s'", name);
}
