/* loupe.h -- the public API of the Loupe engine.
 *
 * This is the only header a front end (the REPL, the Jupyter kernel, the generator's command
 * line) includes. Every type here is opaque; the engine's internals live in engine/loupe_int.h.
 *
 * Conventions:
 *   - Fallible calls return a loupe_status (LOUPE_OK == 0) and fill a caller-owned loupe_diag
 *     with the details; results come back through out-parameters.
 *   - loupe_*_free(NULL) is a no-op.
 *   - The engine runs its work on one process-wide thread pool; the calls here may be made from
 *     one thread at a time, except loupe_cancel(), which any thread or signal handler may call.
 */
#ifndef LOUPE_H
#define LOUPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LOUPE_VERSION "0.1.0"

#if defined(__GNUC__)
#define LOUPE_WUR __attribute__((warn_unused_result))
#else
#define LOUPE_WUR
#endif

/* Status codes, in the order the style guide fixes: our own success, then the user's mistakes,
 * then the environment's. */
typedef enum loupe_status {
    LOUPE_OK = 0,
    LOUPE_ESYNTAX,      /* the text could not be parsed */
    LOUPE_ENAME,        /* an unknown column, variable, function or file */
    LOUPE_ETYPE,        /* an operation applied to a type it does not take */
    LOUPE_EVALUE,       /* a value that cannot be used: a bad cast, a malformed record (FAILFAST) */
    LOUPE_EIO,          /* the operating system said no: open, read, write */
    LOUPE_ENOMEM,       /* the session's memory cap (or the machine) refused an allocation */
    LOUPE_ELIMIT,       /* a fixed limit was exceeded: nesting depth, field size */
    LOUPE_ECANCELLED,   /* loupe_cancel() was called while the work ran */
    LOUPE_EUNSUPPORTED  /* a PySpark feature Loupe does not have (yet) */
} loupe_status;

/* A diagnostic: what went wrong and where. Filled by the engine, owned by the caller.
 * span_* are byte offsets into the statement text when the error is in a query; file, line and
 * column are set when it is in an input file (line and column count from 1; 0 = unknown). */
typedef struct loupe_diag {
    loupe_status status;
    char msg[1024];
    char hint[512];
    int64_t span_start, span_end;  /* -1 when there is no span */
    char file[512];
    int64_t line, column;
} loupe_diag;

/* The status's name as the kernel shows it in `ename` (e.g. "SyntaxError"). */
const char *loupe_status_name(loupe_status s);

/* ---- process-wide settings ---------------------------------------------------------------- */

/* Threads of the pool: 0 = all online CPUs, unless the LOUPE_THREADS environment variable names
 * a number. Takes effect for the next operator; safe to call between queries. */
void loupe_set_threads(int nthreads);
int loupe_threads(void);

/* The memory cap in bytes for everything the engine allocates. 0 = the default: 80% of physical
 * memory, unless LOUPE_MEMORY_LIMIT (bytes, or with a K/M/G suffix) says otherwise. */
void loupe_set_memory_limit(int64_t bytes);
int64_t loupe_memory_limit(void);
int64_t loupe_memory_used(void);
int64_t loupe_memory_peak(void);

/* Ask the running operator to stop. Async-signal-safe: it only sets an atomic flag, which every
 * operator checks between partitions. The call that was running returns LOUPE_ECANCELLED.
 * loupe_cancel_reset() clears the flag before the next statement. */
void loupe_cancel(void);
void loupe_cancel_reset(void);

/* ---- tables ------------------------------------------------------------------------------- */

typedef struct lp_table loupe_table;

int64_t loupe_table_rows(const loupe_table *t);
int loupe_table_columns(const loupe_table *t);
int loupe_table_partitions(const loupe_table *t);
const char *loupe_table_column_name(const loupe_table *t, int col);
/* The column's type in Spark's simple-string form: "bigint", "double", "string",
 * "array<bigint>", ... */
const char *loupe_table_column_type(const loupe_table *t, int col);
void loupe_table_free(loupe_table *t);

/* ---- readers ------------------------------------------------------------------------------ */

typedef enum loupe_format { LOUPE_FORMAT_AUTO = 0, LOUPE_FORMAT_CSV, LOUPE_FORMAT_JSON } loupe_format;

/* Spark's parse modes. */
typedef enum loupe_parse_mode {
    LOUPE_PERMISSIVE = 0,  /* a bad record becomes nulls (and _corrupt_record, when asked) */
    LOUPE_DROPMALFORMED,   /* a bad record is skipped and counted */
    LOUPE_FAILFAST         /* the first bad record is an error naming file, line and column */
} loupe_parse_mode;

typedef struct loupe_read_options {
    loupe_format format;
    loupe_parse_mode mode;
    bool header;                 /* CSV: the first record names the columns (default true) */
    bool infer_schema;           /* CSV: infer types; false = every column is a string */
    char sep, quote, escape;     /* CSV: defaults ',', '"', '"' */
    const char *null_value;      /* CSV: the text that means null (default: the empty field) */
    const char *schema;          /* a DDL string ("a INT, b STRING") that overrides inference */
    const char *corrupt_column;  /* PERMISSIVE: name of the column that keeps bad records */
    int64_t sample_rows;         /* rows sampled for inference (default 10,000) */
} loupe_read_options;

/* Fills *o with the defaults above. */
void loupe_read_options_init(loupe_read_options *o);

/* What a lenient read passed over, so that nothing is lost silently. */
typedef struct loupe_read_report {
    int64_t rows;            /* rows in the result */
    int64_t malformed;       /* records that were bad (nulled in PERMISSIVE, dropped otherwise) */
    int64_t dropped;         /* of those, records not in the result (DROPMALFORMED) */
    int64_t invalid_utf8;    /* fields whose invalid UTF-8 was replaced with U+FFFD */
    int64_t first_bad_line;  /* line of the first malformed record, 0 if none */
} loupe_read_report;

/* Reads a CSV or JSON lines file, gzip-compressed or not, in parallel. `report` may be NULL. */
LOUPE_WUR loupe_status loupe_read_file(const char *path, const loupe_read_options *opts,
                                       loupe_table **out, loupe_read_report *report,
                                       loupe_diag *diag);

#ifdef __cplusplus
}
#endif
#endif /* LOUPE_H */
