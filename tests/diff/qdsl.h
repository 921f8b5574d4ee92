/* qdsl.h -- a tiny query pipeline notation for tests and benchmarks, until the language exists.
 *
 *   program  := [name '=' pipeline ';']* pipeline
 *   pipeline := source ('|' step)*          source: 'r' (the base table) or an earlier name
 *   step     := 'where' EXPR
 *             | 'select' item (',' item)*    item: col | name '=' EXPR
 *             | 'with' name '=' EXPR (',' name '=' EXPR)*   (adds or replaces columns)
 *             | 'group' [col (',' col)*] ':' agg (',' agg)*  agg: fn '(' [col] ')' name
 *             | 'sort' col ['desc'] ['nf'|'nl'] (',' ...)*
 *             | 'limit' N | 'distinct' [col (',' col)*] | 'union' name
 *             | 'join' name lcol '=' rcol (',' lcol '=' rcol)* how   (how: inner left right full semi anti)
 *   EXPR     := col | number | 'string' | null | true | false | '(' fn EXPR* ')'
 * Expression functions are the engine's, by name (=, <, and, like, substring, ...); `at` is list
 * element access and `case` takes cond/value pairs then an else value.
 * Every operator runs through the engine's operator API (exec/ops.h, exec/expr.h).
 */
#ifndef QDSL_H
#define QDSL_H

#include "loupe_int.h"

/* Runs `program` with `r` bound to the base table. Returns a new table, or NULL with *err set
 * to a malloc'd message. */
lp_table *qdsl_run(const char *program, lp_table *r, char **err);

#endif
