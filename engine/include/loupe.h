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
/* Gives memory the engine has freed back to the system. Freed memory is otherwise kept for the
 * next operator or query to reuse (faulting fresh pages in costs more than many operators' own
 * work); a front end calls this when it has been idle a while. Any thread, any time. */
void loupe_release_memory(void);

/* Ask the running operator to stop. Async-signal-safe: it only sets an atomic flag, which every
 * operator checks between partitions. The call that was running returns LOUPE_ECANCELLED.
 * loupe_cancel_reset() clears the flag before the next statement. */
void loupe_cancel(void);
void loupe_cancel_reset(void);

/* What the engine is doing now, for a progress display drawn by another thread while
 * loupe_run works: the stage ("read", "filter", "aggregate", "join", "sort", ...; empty when
 * idle) and the parallel tasks (partitions, chunks) it has finished of those it has started.
 * Safe to call from any thread at any time. */
void loupe_progress(char *stage, size_t n, int64_t *done, int64_t *total);

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


/* ---- sessions: the language ------------------------------------------------------------------
 *
 * A session is one interpreter: its variables, temp views and settings. The REPL and the kernel
 * each hold one; neither knows how the language works, only this interface. A session is used
 * from one thread at a time (loupe_cancel may come from any thread or a signal handler).
 */

typedef struct loupe_session loupe_session;

/* What a statement shows. The engine fills one per displayed value; the front end decides how
 * to draw it (text in the REPL; HTML/SVG plus text in the kernel). Everything is borrowed for the
 * duration of the callback. */
typedef enum loupe_display_kind {
    LOUPE_DISPLAY_TEXT = 0,  /* a scalar, a list, a schema: `text` is its repr */
    LOUPE_DISPLAY_TABLE,     /* a DataFrame: `table` holds its first rows */
    LOUPE_DISPLAY_CHART,     /* a plot: `chart` */
    LOUPE_DISPLAY_HELP,      /* help(x): `text` is the documentation (the kernel's pager) */
    LOUPE_DISPLAY_CLEAR      /* clear_output(): the front end clears the cell's output so far */
} loupe_display_kind;

typedef struct loupe_chart loupe_chart;  /* engine/render/chart.h */

typedef struct loupe_display {
    loupe_display_kind kind;
    const char *text;          /* TEXT, HELP; and the plain-text form of every kind */
    size_t text_len;
    const loupe_table *table;  /* TABLE: the first rows */
    int64_t total_rows;        /* TABLE: rows in the whole frame, -1 when not known cheaply */
    const loupe_chart *chart;  /* CHART */
} loupe_display;

/* Where a statement's output goes. Any callback may be NULL (the output is dropped). */
typedef struct loupe_output {
    void *ctx;
    void (*out)(void *ctx, const char *s, size_t n);   /* print(), show(), printSchema() */
    void (*err)(void *ctx, const char *s, size_t n);   /* warnings: dropped rows, lossy casts */
    void (*display)(void *ctx, const loupe_display *d);
} loupe_output;

loupe_session *loupe_session_new(void);
void loupe_session_free(loupe_session *s);  /* NULL is a no-op */

/* Session settings: the rows a DataFrame display shows (default 10), the terminal width text
 * tables fit (default 100; 0 = unlimited), the longest cell before it is cut (default 40). */
void loupe_session_set_display_rows(loupe_session *s, int64_t rows);
void loupe_session_set_width(loupe_session *s, int width);
void loupe_session_set_max_cell(loupe_session *s, int chars);

/* Runs the statements in code[0, n). `name` names the source in messages ("<stdin>",
 * "script.lp", "In [3]"); `first_line` is the line number of code's first line (1 normally).
 * Statements run in order and stop at the first error; the variables earlier statements set
 * are kept, so the session goes on. On error *diag holds the message, hint and span (byte
 * offsets into code; line and column are filled too). */
LOUPE_WUR loupe_status loupe_run(loupe_session *s, const char *code, size_t n, const char *name,
                                 int64_t first_line, const loupe_output *out, loupe_diag *diag);

/* Formats a diagnostic the same way for every front end:
 *     name:3:17: error: column 'ovrall' does not exist
 *         df.filter(col("ovrall") > 4)
 *                       ^~~~~~~~
 *     hint: did you mean 'overall'? available columns: ...
 * code is the text the diagnostic's span points into (NULL: no source line). With `color`,
 * ANSI colours are used. Returns a malloc'd string (free()), or NULL when out of memory. */
char *loupe_diag_format(const loupe_diag *d, const char *code, size_t n, bool color);

/* Whether code is a complete statement list (the REPL and is_complete_request). */
typedef enum loupe_completeness {
    LOUPE_COMPLETE = 0,    /* run it */
    LOUPE_INCOMPLETE,      /* an open bracket or string, a trailing backslash or operator: read more */
    LOUPE_INVALID          /* a syntax error more text cannot fix */
} loupe_completeness;
loupe_completeness loupe_is_complete(const char *code, size_t n);

/* Completions at byte offset `cursor` of code: variables, methods after a dot, column names,
 * function names after `F.`, file paths inside a read's string. *matches is a malloc'd array of
 * malloc'd strings (free with loupe_free_matches); the text to replace is code[*start, *end). */
LOUPE_WUR loupe_status loupe_complete(loupe_session *s, const char *code, size_t n, size_t cursor,
                                      char ***matches, int *nmatches, size_t *start, size_t *end);
void loupe_free_matches(char **matches, int n);

/* The documentation of what is at byte offset `cursor` (a function, method, variable or
 * DataFrame): signature, description, example, PySpark equivalent; for a DataFrame variable its
 * schema and row count. Returns a malloc'd string, or NULL when there is nothing to say. */
char *loupe_inspect(loupe_session *s, const char *code, size_t n, size_t cursor);

#ifdef __cplusplus
}
#endif
#endif /* LOUPE_H */
