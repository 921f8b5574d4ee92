/* g1.h -- the h2oai db-benchmark tables: G1 (group-by) and J1 (join), as CSV.
 *
 * G1_<N>_<K>_0_0 follows db-benchmark's groupby-datagen.R: id1, id2 "id%03d" in 1..K; id3
 * "id%010d" in 1..N/K; id4, id5 ints in 1..K; id6 int in 1..N/K; v1 int 1..5; v2 int 1..15;
 * v3 uniform in [0, 100] rounded to 6 decimals. No NAs, unsorted.
 *
 * J1_<N>_NA_0_0 follows join-datagen.R: keys for each of the three key columns are split into
 * common (90%), left-only (10%) and right-only (10%); the LHS `x` (N rows: id1..id3 ints,
 * id4..id6 their "id%.0f" strings, v1) draws id1 from N/1e6 keys, id2 from N/1e3, id3 from N,
 * every key at least once; the RHS tables small (N/1e6 rows: id1, id4, v2), medium (N/1e3:
 * id1, id2, id4, id5, v2) and big (N: id1..id6, v2) draw from common + right-only. Below
 * N = 1e7 the small and medium sizes are kept at least 10 and 100 rows, so a scaled-down run
 * still has distinct keys to split (at 1e7 and up the sizes are the original's).
 *
 * Both are deterministic in (rows, groups, seed) whatever the thread count: random values come
 * from per-block streams seeded from (seed, table, block), the J1 key permutations from one
 * serial stream; rows are formatted in parallel blocks and written in block order.
 */
#ifndef LP_GEN_G1_H
#define LP_GEN_G1_H

#include "loupe_int.h"

/* Writes the G1 table (header + rows) to `path`. Returns the bytes written in *bytes (may be
 * NULL). LP_EIO when the file cannot be written, LP_ENOMEM, LP_EVALUE for rows < groups. */
LP_WUR lp_status lp_gen_g1_write(int64_t rows, int64_t groups, uint64_t seed, const char *path, int64_t *bytes,
                                 lp_diag *d);

/* Writes the four J1 tables to PREFIX_x.csv, PREFIX_small.csv, PREFIX_medium.csv and
 * PREFIX_big.csv. Same statuses as lp_gen_g1_write; rows must be at least 100. */
LP_WUR lp_status lp_gen_j1_write(int64_t rows, uint64_t seed, const char *prefix, int64_t *bytes, lp_diag *d);

#endif /* LP_GEN_G1_H */
