/* sort_int.h -- what sort.c, sort_gather.c and join.c share: row references across partitions
 * and the gather that turns a list of them into a new column.
 *
 * A row reference packs a partition index and a row within it into one int64 (partition in the
 * high bits, row in the low 40), so one index vector can point into every partition of a table
 * without a concatenated copy of it. A negative reference stands for a null row (the outer side
 * of a join). Private to engine/exec/sort*.c and join*.c.
 */
#ifndef LP_SORT_INT_H
#define LP_SORT_INT_H

#include "ops.h"

#include <math.h>
#include <string.h>

#define LP_REF_ROW_BITS 40
#define LP_REF_ROW_MASK ((INT64_C(1) << LP_REF_ROW_BITS) - 1)

static inline int64_t lp_ref_make(int part, int64_t row) { return ((int64_t)part << LP_REF_ROW_BITS) | row; }
static inline int lp_ref_part(int64_t ref) { return (int)(ref >> LP_REF_ROW_BITS); }
static inline int64_t lp_ref_row(int64_t ref) { return ref & LP_REF_ROW_MASK; }

/* Normalised keys: unsigned 64-bit values that order as the values do (ascending), so a radix
 * sort or a plain integer comparison can stand in for the typed one. NaN after every number, all
 * NaNs equal, -0.0 == 0.0; a string's key is its first 8 bytes (ties need the full compare). */
static inline uint64_t lp_norm_i64(int64_t v) { return (uint64_t)v ^ (UINT64_C(1) << 63); }

static inline uint64_t lp_norm_f64(double f) {
    if (isnan(f)) return UINT64_MAX;  /* after every number, all NaNs equal */
    if (f == 0) f = 0;                 /* -0.0 == 0.0 */
    uint64_t u;
    memcpy(&u, &f, 8);
    return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

static inline uint64_t lp_norm_str(const char *s, int64_t n) {
    uint64_t p = 0;
    if (n >= 8) {
        memcpy(&p, s, 8);
        return __builtin_bswap64(p);
    }
    for (int64_t i = 0; i < n; i++) p |= (uint64_t)(uint8_t)s[i] << (56 - 8 * i);
    return p;
}

/* A new column of type t holding, for k in [0, n), the row refs[k] of src[part] (the column of
 * one table's partitions, nsrc of them), or a null where refs[k] < 0. The same result as
 * lp_column_take over the concatenation of src, without making it. NULL when refused. Any
 * thread; src is only read. */
lp_column *lp_sort_gather(lp_column *const *src, int nsrc, lp_type t, const int64_t *refs, int64_t n);

#endif /* LP_SORT_INT_H */
