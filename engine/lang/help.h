/* help.h -- the documentation help(x) prints, the kernel's pager shows and inspection returns.
 *
 * One static table of entries, one per topic: a DataFrame, GroupedData, Column, reader, writer
 * or session method ("DataFrame.filter"), a builtin ("col", "help") or a function of the
 * engine's registry under its lower-case name ("datediff"; aliases such as "mean" have their
 * own entry that names the canonical function). Everything is static and read-only, so any
 * thread may call these.
 */
#ifndef LP_HELP_H
#define LP_HELP_H

#include "loupe_int.h"

typedef struct lp_help {
    const char *topic;      /* "DataFrame.filter", "datediff", "col" */
    const char *signature;  /* Python-style: "datediff(end, start)" */
    const char *summary;    /* one paragraph, Spark's semantics (nulls, types) */
    const char *example;    /* Loupe (= PySpark) code; lines separated by '\n' */
    const char *pyspark;    /* the PySpark equivalent: "pyspark.sql.functions.datediff" */
} lp_help;

/* The entry of a topic (case-sensitive, exact); NULL when there is none. */
const lp_help *lp_help_lookup(const char *topic);
/* Every entry, for completion and tests: 0 .. lp_help_count()-1 (NULL out of range). */
int lp_help_count(void);
const lp_help *lp_help_at(int i);

/* Appends the text help(x) prints:
 *     signature
 *
 *     summary, wrapped at 78 columns
 *
 *     Example:
 *         example lines, indented four spaces
 *
 *     PySpark: pyspark
 * ending with a newline. On a refused allocation out->nomem is set (lp_strbuf's sticky flag). */
void lp_help_format(const lp_help *h, lp_strbuf *out);

#endif /* LP_HELP_H */
