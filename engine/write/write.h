/* write.h -- the file writers behind df.write.csv(path) and df.write.json(path).
 *
 * Place in the pipeline: the end of it. A finished table goes out as text, formatted as Spark's
 * DataFrameWriter formats it, so that a student's file reads the same in Loupe and in Spark.
 *
 * One difference from Spark, on purpose: Spark writes a *directory* of part files (part-00000,
 * _SUCCESS, ...), because its tasks run on many machines. Loupe runs on one machine and writes
 * ONE file at `path`, which is what a student can open in an editor or a spreadsheet.
 *
 * Atomicity: the file at `path` is either the old one or the complete new one, never half of
 * it. Rows go to a temporary file beside the target (path + ".tmp-XXXXXX"), which is fsync'ed
 * and renamed over the target; on any failure the temporary is removed.
 *
 * Threads: called from the interpreter's thread; it runs the formatting on the pool.
 */
#ifndef LP_WRITE_H
#define LP_WRITE_H

#include "loupe_int.h"

/* DataFrameWriter.mode(). */
typedef enum lp_write_mode {
    LP_WRITE_ERROR = 0,   /* "error" / "errorifexists", Spark's default: fail if path exists */
    LP_WRITE_OVERWRITE,   /* replace the file */
    LP_WRITE_APPEND,      /* add the rows after the existing ones (CSV: no second header) */
    LP_WRITE_IGNORE       /* do nothing if path exists */
} lp_write_mode;

typedef struct lp_write_opts {
    int format;              /* LOUPE_FORMAT_CSV or LOUPE_FORMAT_JSON (AUTO: by the suffix,
                                ".json"/".jsonl"/".ndjson" -> JSON, otherwise CSV) */
    lp_write_mode mode;
    bool header;             /* CSV: a first line of column names (default false, as Spark) */
    char sep;                /* CSV: ',' (0 = the default) */
    char quote;              /* CSV: '"'; 0 = never quote */
    const char *null_value;  /* CSV: the text for null (default "": an empty field) */
} lp_write_opts;

/* The defaults above: CSV, mode error, no header, ',', '"', "". */
void lp_write_opts_init(lp_write_opts *o);

/* Writes t to the file `path` (o NULL = the defaults). *written = rows written (0 when mode
 * ignore found the file; `written` may be NULL). Errors: LP_EIO naming the path and the system's reason, with a hint
 * (the path exists, the directory is missing or not writable, the disk is full); LP_ENOMEM;
 * LP_ECANCELLED; LP_EVALUE for impossible options (sep == quote, a newline as sep). On every
 * error the target is untouched and no temporary file is left. */
LP_WUR lp_status lp_write_file(lp_table *t, const char *path, const lp_write_opts *o, int64_t *written,
                               lp_diag *d);

#endif /* LP_WRITE_H */
