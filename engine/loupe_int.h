/* loupe_int.h -- the engine's private umbrella: status codes, diagnostics, memory, types,
 * values, columns, tables, the thread pool and cancellation.
 *
 * Every engine file includes this header (and its own module's header). Front ends never do:
 * they see engine/include/loupe.h only.
 *
 * Invariants that hold everywhere:
 *   - Every allocation goes through lp_malloc and friends, which count against the session's
 *     memory cap; a refused allocation is an LP_ENOMEM status, never an abort.
 *   - A column is immutable once finished (lp_colbuf_finish) and reference counted, so tables,
 *     operators and threads share it without copying. Only the thread that built a column writes
 *     to it, and only before it is finished.
 *   - A table is a schema plus an ordered list of partitions; a partition is the unit of parallel
 *     work. Results never depend on how many threads ran them.
 */
#ifndef LOUPE_INT_H
#define LOUPE_INT_H

#include "loupe.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- status and diagnostics ---------------------------------------------------------------- */

typedef loupe_status lp_status;
typedef loupe_diag lp_diag;

#define LP_OK LOUPE_OK
#define LP_ESYNTAX LOUPE_ESYNTAX
#define LP_ENAME LOUPE_ENAME
#define LP_ETYPE LOUPE_ETYPE
#define LP_EVALUE LOUPE_EVALUE
#define LP_EIO LOUPE_EIO
#define LP_ENOMEM LOUPE_ENOMEM
#define LP_ELIMIT LOUPE_ELIMIT
#define LP_ECANCELLED LOUPE_ECANCELLED
#define LP_EUNSUPPORTED LOUPE_EUNSUPPORTED

#define LP_WUR LOUPE_WUR
#define LP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LP_LIKELY(x) __builtin_expect(!!(x), 1)
#define LP_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Clears d (status LP_OK, no span, no location). d may be NULL in every lp_diag_* call. */
void lp_diag_init(lp_diag *d);
/* Sets status and message (printf-style) and returns the status, so that
 * `return lp_diag_set(d, LP_ETYPE, "...")` reads as one step. Keeps an earlier hint. */
lp_status lp_diag_set(lp_diag *d, lp_status st, const char *fmt, ...) LP_PRINTF(3, 4);
void lp_diag_hint(lp_diag *d, const char *fmt, ...) LP_PRINTF(2, 3);
void lp_diag_span(lp_diag *d, int64_t start, int64_t end);
void lp_diag_where(lp_diag *d, const char *file, int64_t line, int64_t column);
/* The standard out-of-memory diagnostic: names the operator, the size it wanted and the cap,
 * and says how to raise the cap. */
lp_status lp_diag_nomem(lp_diag *d, const char *op);

/* ---- memory (base/mem.c) -------------------------------------------------------------------- */

/* The allocator. Thread-safe; counts live bytes against the cap with one relaxed atomic add.
 * lp_malloc(0) returns a valid unique pointer. lp_free(NULL) is a no-op.
 * On refusal these return NULL and remember the size asked for (lp_mem_last_refused). */
void *lp_malloc(size_t n);
void *lp_calloc(size_t count, size_t size);
void *lp_realloc(void *p, size_t n);
void lp_free(void *p);
char *lp_strdup(const char *s);
char *lp_strndup(const char *s, size_t n);

void lp_mem_set_cap(int64_t bytes);  /* 0 = default */
/* "512m", "4g", "1.5G", "4gb", "1000000" (bytes) -> bytes; 0 when not a size. */
int64_t lp_mem_parse_size(const char *s);
/* This machine's memory in bytes; 0 when it cannot be told. */
int64_t lp_mem_physical(void);
int64_t lp_mem_cap(void);
int64_t lp_mem_used(void);
int64_t lp_mem_peak(void);
void lp_mem_reset_peak(void);
/* Size of the most recent refused request on this thread (0 if none). */
size_t lp_mem_last_refused(void);
int64_t lp_mem_last_refused_used(void); /* the bytes in use when it was refused */

/* Fault injection for tests (SQLite's fault tests): the nth allocation from now fails (n >= 1),
 * and every one after it as well when `sticky`. n = 0 turns injection off. Returns how many
 * allocations failed since the last call. */
int64_t lp_mem_fail_at(int64_t n, bool sticky);

/* An arena: bump allocation in chunks, freed in one call. Used per statement for tokens, trees,
 * plans and messages. Not thread-safe: one owner thread. */
typedef struct lp_arena_chunk lp_arena_chunk;
typedef struct lp_arena_cleanup lp_arena_cleanup;
typedef struct lp_arena {
    lp_arena_chunk *chunk;
    lp_arena_cleanup *cleanups;
    size_t total;
} lp_arena;

void lp_arena_init(lp_arena *a);
void *lp_arena_alloc(lp_arena *a, size_t n);   /* 16-byte aligned; NULL when refused */
void *lp_arena_zalloc(lp_arena *a, size_t n);
char *lp_arena_strndup(lp_arena *a, const char *s, size_t n);
char *lp_arena_printf(lp_arena *a, const char *fmt, ...) LP_PRINTF(2, 3);
/* Registers fn(ptr) to run when the arena is reset (last registered runs first). */
LP_WUR lp_status lp_arena_on_reset(lp_arena *a, void (*fn)(void *), void *ptr);
void lp_arena_reset(lp_arena *a);

/* A growable byte string; `p` is always NUL-terminated when non-NULL. Sticky error: after a
 * refused allocation `nomem` is set and further appends do nothing. */
typedef struct lp_strbuf {
    char *p;
    size_t len, cap;
    bool nomem;
} lp_strbuf;

void lp_strbuf_init(lp_strbuf *b);
void lp_strbuf_reset(lp_strbuf *b);  /* frees */
void lp_strbuf_clear(lp_strbuf *b);  /* keeps the buffer */
void lp_strbuf_append(lp_strbuf *b, const char *s, size_t n);
void lp_strbuf_puts(lp_strbuf *b, const char *s);
void lp_strbuf_putc(lp_strbuf *b, char c);
void lp_strbuf_printf(lp_strbuf *b, const char *fmt, ...) LP_PRINTF(2, 3);
void lp_strbuf_vprintf(lp_strbuf *b, const char *fmt, va_list ap);
/* Hands the buffer to the caller (who lp_free()s it) and leaves b empty; NULL after nomem. */
char *lp_strbuf_take(lp_strbuf *b);

/* ---- hashing and text (base/hash.c, base/utf8.c) ------------------------------------------ */

uint64_t lp_hash_bytes(const void *p, size_t n, uint64_t seed);
uint64_t lp_hash_u64(uint64_t x);
static inline uint64_t lp_hash_combine(uint64_t h, uint64_t v) {
    return lp_hash_u64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

/* Length of the valid UTF-8 prefix of s[0..n). */
size_t lp_utf8_valid_prefix(const char *s, size_t n);
bool lp_utf8_valid(const char *s, size_t n);
/* Code points in valid UTF-8 text. */
int64_t lp_utf8_length(const char *s, size_t n);
/* Appends s with every invalid sequence replaced by U+FFFD; returns how many were replaced. */
int64_t lp_utf8_sanitize(lp_strbuf *out, const char *s, size_t n);
/* Byte offset of the code point with 0-based index `cp` (n if past the end). */
size_t lp_utf8_offset(const char *s, size_t n, int64_t cp);

/* ---- types ------------------------------------------------------------------------------- */

typedef enum lp_kind {
    LP_NULLTYPE = 0,  /* the type of a bare None literal; never a stored column */
    LP_BOOL,
    LP_INT64,
    LP_FLOAT64,
    LP_STRING,
    LP_DATE,       /* int32 days since 1970-01-01 */
    LP_TIMESTAMP,  /* int64 microseconds since 1970-01-01 00:00:00 UTC */
    LP_LIST,       /* list of `elem` (int64, float64, string or vector) */
    LP_VECTOR,     /* an MLlib vector (Spark's VectorUDT): dense or sparse float64 values */
    LP_STRUCT,     /* named fields of any types: the schema is the struct registry's entry `sid` */
    LP_KIND_COUNT
} lp_kind;

typedef struct lp_type {
    uint8_t kind;  /* lp_kind */
    uint8_t elem;  /* lp_kind of the elements when kind == LP_LIST, else 0 */
    uint16_t sid;  /* the struct schema's id when kind == LP_STRUCT (1..), else 0 */
} lp_type;

static inline lp_type lp_type_of(lp_kind k) { return (lp_type){(uint8_t)k, 0, 0}; }
static inline lp_type lp_type_list(lp_kind elem) { return (lp_type){LP_LIST, (uint8_t)elem, 0}; }
static inline bool lp_type_eq(lp_type a, lp_type b) { return a.kind == b.kind && a.elem == b.elem && a.sid == b.sid; }
static inline bool lp_type_numeric(lp_type t) { return t.kind == LP_INT64 || t.kind == LP_FLOAT64; }
/* Lists, vectors and structs: the types whose values are other columns' rows. Operators with tight
 * per-type loops send these through the generic value path (lp_column_get/lp_colbuf_append_value). */
static inline bool lp_type_nested(lp_type t) { return t.kind == LP_LIST || t.kind == LP_VECTOR || t.kind == LP_STRUCT; }

/* ---- struct schemas (store/type.c) -----------------------------------------------------------
 * DESIGN
 * A struct type is an id into one process-wide, append-only registry of interned schemas (field
 * names and types), so lp_type stays a small value compared with ==. Interning (at plan time:
 * F.struct, F.window, a join's datasetA) takes a mutex; reading a schema never does: entries are
 * published with a release store and never change or move afterwards. The registry lives as long
 * as the process (like the thread pool), so it is allocated with malloc, outside the session's
 * memory cap and its leak accounting. At most 65535 distinct schemas. */
typedef struct lp_struct_schema {
    int nfields;
    const char *const *names;
    const lp_type *types;
    const char *name;  /* "struct<start:timestamp,end:timestamp>" */
} lp_struct_schema;

/* The struct type with these fields (names copied); the same fields give the same type. Field
 * names must be distinct. False when refused (no memory, or the registry is full). */
bool lp_type_struct(int nfields, const char *const *names, const lp_type *types, lp_type *out);
/* The schema of a struct type (NULL when t is not a struct). Lock-free. */
const lp_struct_schema *lp_struct_schema_of(lp_type t);
/* The index of field `name` (exact, then ASCII case-insensitive), -1 if none. */
int lp_struct_field(lp_type t, const char *name, size_t n);

/* Spark's simple-string names: "boolean", "bigint", "double", "string", "date", "timestamp",
 * "array<bigint>"; the returned pointer is static. */
const char *lp_type_name(lp_type t);
/* Parses a type name as Spark's DDL and cast() accept it ("int", "integer", "long", "bigint",
 * "double", "float", "string", "boolean", "date", "timestamp", "array<string>", ...). */
bool lp_type_parse(const char *s, size_t n, lp_type *out);
/* The type two values unify to when a column holds both (int64 + float64 -> float64, anything +
 * null -> itself, date + timestamp -> timestamp, otherwise string). */
lp_type lp_type_unify(lp_type a, lp_type b);

/* Calendar helpers (store/type.c): proleptic Gregorian, UTC. */
int32_t lp_days_from_civil(int64_t y, unsigned m, unsigned d);
void lp_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* ISO parsing: "2013-06-02" and "2013-06-02[ T]12:34:56[.ffffff][Z|+hh:mm]". Strict: the whole
 * text must match. */
bool lp_parse_date(const char *s, size_t n, int32_t *days);
bool lp_parse_timestamp(const char *s, size_t n, int64_t *micros);
/* Exact text-to-number parsing (the whole text, no leading or trailing space). */
bool lp_parse_int64(const char *s, size_t n, int64_t *out);
bool lp_parse_float64(const char *s, size_t n, double *out);
/* Formats into buf (at least 40 bytes); returns the length. Floats use the shortest text that
 * reads back the same value, as Spark and Python print them ("1.0", "0.1", "1.0E10"). */
int lp_format_date(int32_t days, char *buf);
int lp_format_timestamp(int64_t micros, char *buf);
int lp_format_float64(double v, char *buf);

/* ---- values ------------------------------------------------------------------------------ */

/* One value, for literals, scalar results and row access. Strings and lists are views into a
 * column (or a literal's storage) and live as long as it does. */
typedef struct lp_column lp_column;
typedef struct lp_value {
    lp_type type;
    bool null;
    union {
        bool b;
        int64_t i;  /* int64, and timestamp micros */
        double f;
        int32_t d;  /* date days */
        struct { const char *p; int64_t n; } s;
        struct { const lp_column *child; int64_t start, n; } list;
        /* a vector: `nnz` values; idx NULL for a dense one (then nnz == size) */
        struct { const double *val; const int32_t *idx; int32_t size, nnz; } vec;
        struct { const lp_column *col; int64_t row; } st;  /* a struct: row `row` of column col */
    } u;
} lp_value;

static inline lp_value lp_value_null(void) { lp_value v; memset(&v, 0, sizeof v); v.null = true; return v; }
/* Appends the value as Spark's show() prints it ("null", "1.0", "[2, 3]", "2013-06-02",
 * "{2013-06-02 00:00:00, 2013-06-02 00:10:00}" for a struct). */
void lp_value_format(const lp_value *v, lp_strbuf *out);

/* ---- columns (store/column.c) ------------------------------------------------------------ */

/* An immutable, reference-counted column in the Apache Arrow layout:
 *   valid   validity bitmap, bit i (LSB first) set when row i is not null; NULL when no nulls.
 *   v       the values: b (bool, one byte per row: filter masks stay branch-free; Arrow packs
 *           bits), d (date), i (int64, timestamp), f (float64), off (string and list: len+1
 *           int64 offsets; int64 so that one partition may hold more than 2 GiB of text).
 *   data    string bytes, UTF-8 (string columns).
 *   child   the elements of a list column, indexed by off.
 * A vector column (LP_VECTOR) is a list of float64 (off + child) with two more arrays:
 *   vsize   per row, the vector's size; ~size (negative) marks a dense row;
 *   vidx    int32, parallel to child's values: the indices of sparse rows (ascending). NULL
 *           when every row is dense; slots under dense rows are unused (zero).
 *   fields  a struct column's fields, one column each, every one len rows long (a null struct
 *           row holds nulls in every field); v holds one unused byte per row.
 * Values under a null slot are zero (numbers) or empty (strings, lists, vectors). */
struct lp_column {
    atomic_int refs;
    lp_type type;
    int64_t len;
    int64_t null_count;
    uint8_t *valid;
    union {
        uint8_t *b;
        int32_t *d;
        int64_t *i;
        double *f;
        int64_t *off;
        void *raw;
    } v;
    char *data;
    lp_column *child;
    int32_t *vsize, *vidx;  /* LP_VECTOR only */
    lp_column **fields;
};

static inline bool lp_col_valid(const lp_column *c, int64_t row) {
    return !c->valid || ((c->valid[row >> 3] >> (row & 7)) & 1);
}
static inline const char *lp_col_str(const lp_column *c, int64_t row, int64_t *n) {
    *n = c->v.off[row + 1] - c->v.off[row];
    return c->data + c->v.off[row];
}
lp_value lp_column_get(const lp_column *c, int64_t row);

lp_column *lp_column_ref(lp_column *c);
void lp_column_unref(lp_column *c);  /* NULL is a no-op */
/* A new column of `len` nulls of type t (NULL when refused). */
lp_column *lp_column_new_null(lp_type t, int64_t len);
/* A column of `len` copies of v (NULL when refused). */
lp_column *lp_column_new_const(const lp_value *v, int64_t len);
/* The rows idx[0..n) of c, in that order; idx[k] < 0 gives a null (outer joins). */
lp_column *lp_column_take(const lp_column *c, const int64_t *idx, int64_t n);
/* Rows [start, start+n) of c. */
lp_column *lp_column_slice(const lp_column *c, int64_t start, int64_t n);
/* All columns' rows one after another (the same type each). */
lp_column *lp_column_concat(lp_column *const *cols, int ncols);
size_t lp_column_bytes(const lp_column *c);

/* A column builder: appends rows, then finishes into an immutable column. Appends never fail
 * visibly: a refused allocation sets the sticky `nomem` flag, reported by lp_colbuf_finish. */
typedef struct lp_colbuf {
    lp_type type;
    int64_t len, cap, null_count;
    uint8_t *valid;  /* allocated on the first null */
    void *vals;      /* element size depends on the type; offsets (len+1) for string and list */
    char *data;
    size_t dlen, dcap;
    struct lp_colbuf *child;
    int32_t *vsize, *vidx;  /* LP_VECTOR: sizes (cap rows); indices (vicap slots, or NULL) */
    int64_t vicap;
    struct lp_colbuf *fields;  /* a struct's field builders (created on first use) */
    bool nomem;
} lp_colbuf;

void lp_colbuf_init(lp_colbuf *b, lp_type t);
void lp_colbuf_reset(lp_colbuf *b);  /* frees everything not yet finished */
bool lp_colbuf_reserve(lp_colbuf *b, int64_t rows, size_t bytes);
void lp_colbuf_append_null(lp_colbuf *b);
void lp_colbuf_append_bool(lp_colbuf *b, bool v);
void lp_colbuf_append_i64(lp_colbuf *b, int64_t v);    /* int64 and timestamp */
void lp_colbuf_append_f64(lp_colbuf *b, double v);
void lp_colbuf_append_date(lp_colbuf *b, int32_t v);
void lp_colbuf_append_str(lp_colbuf *b, const char *s, size_t n);
/* Appends any value of a compatible type (int64 into float64 converts; NULL values append a
 * null; lists copy their elements). */
void lp_colbuf_append_value(lp_colbuf *b, const lp_value *v);
/* Appends rows [start, start+n) of c (memcpy when the types match). */
void lp_colbuf_append_rows(lp_colbuf *b, const lp_column *c, int64_t start, int64_t n);
/* A list row: append its elements to lp_colbuf_list_child(b), then lp_colbuf_list_end(b). */
lp_colbuf *lp_colbuf_list_child(lp_colbuf *b);
void lp_colbuf_list_end(lp_colbuf *b);
/* A vector row in one step: size, then nnz values with their ascending indices (idx NULL: a
 * dense row, nnz == size). Copies in bulk; no per-row allocation once the buffers have grown. */
void lp_colbuf_append_vec(lp_colbuf *b, int32_t size, int32_t nnz, const int32_t *idx, const double *val);
/* The value of element i of a vector (0.0 when a sparse row does not hold it). */
double lp_vec_at(const lp_value *v, int32_t i);
/* A struct row: append one value to each lp_colbuf_struct_field(b, k), then
 * lp_colbuf_struct_end(b). lp_colbuf_append_null appends nulls to every field itself. */
lp_colbuf *lp_colbuf_struct_field(lp_colbuf *b, int k);
void lp_colbuf_struct_end(lp_colbuf *b);
/* A struct column from finished field columns of equal length (takes the caller's references,
 * also on failure); `valid` (NULL: no nulls) is copied. NULL when refused. */
lp_column *lp_column_struct(lp_type t, int64_t len, lp_column **fields, const uint8_t *valid);
/* Finishes the column into *out and resets b. LP_ENOMEM if any append was refused. */
LP_WUR lp_status lp_colbuf_finish(lp_colbuf *b, lp_column **out);

/* ---- tables (store/table.c) -------------------------------------------------------------- */

typedef struct lp_part {
    int64_t nrows;
    lp_column **cols;  /* ncols columns, each nrows long; the partition holds one reference each */
} lp_part;

/* A reference-counted, immutable-once-built table. The names and types are the schema. */
typedef struct lp_table {
    atomic_int refs;
    int ncols;
    char **names;
    lp_type *types;
    int nparts;
    int cap_parts;
    lp_part *parts;
    int64_t nrows;
    int64_t malformed;  /* readers: records that were bad (see loupe_read_report) */
} lp_table;

/* A table with the given schema and no partitions (names are copied). NULL when refused. */
lp_table *lp_table_new(int ncols, const char *const *names, const lp_type *types);
/* Appends a partition; takes over the caller's references to cols[0..ncols) (also on failure,
 * when they are released). A partition of 0 rows is dropped. */
LP_WUR lp_status lp_table_add_part(lp_table *t, int64_t nrows, lp_column **cols);
lp_table *lp_table_ref(lp_table *t);
void lp_table_unref(lp_table *t);  /* NULL is a no-op */
/* Index of the column called `name` (exact match first, then ASCII case-insensitive as Spark
 * resolves names), -1 if none. */
int lp_table_col_index(const lp_table *t, const char *name);
/* One column of the whole table, all partitions concatenated. */
lp_column *lp_table_column(const lp_table *t, int col);
/* The table as one partition (a new reference if it already is). */
lp_table *lp_table_coalesce(lp_table *t);

/* ---- row keys (store/keys.c): hashing, equality and ordering across columns -------------- */

/* out[r] = hash of the key columns at row r, r in [0, nrows). Nulls hash to a fixed value, and
 * int64/float64/date values of equal numeric value hash the same only within one type. */
void lp_keys_hash(lp_column *const *cols, int ncols, int64_t nrows, uint64_t *out);
/* Whether row ra of columns a equals row rb of columns b, column by column. When nulls_equal,
 * null == null (grouping, distinct); otherwise a null never equals anything (joins). Columns
 * must have the same types pairwise. Floats compare by value, with NaN == NaN and -0 == 0. */
bool lp_keys_equal(lp_column *const *a, int64_t ra, lp_column *const *b, int64_t rb, int ncols,
                   bool nulls_equal);
/* Orders two non-null values of one column type: <0, 0, >0. Strings by bytes (UTF-8 code point
 * order), NaN after every other float, as Spark sorts them. */
int lp_value_cmp_rows(const lp_column *a, int64_t ra, const lp_column *b, int64_t rb);

/* ---- thread pool and cancellation (sched/pool.c) ---------------------------------------- */

/* Runs fn(ctx, task) for every task in [0, ntasks) on the process-wide pool; the caller's thread
 * works too. Returns when all tasks are done. Tasks must not call lp_pool_run themselves.
 * When cancellation is requested, tasks not yet started are skipped and the call returns
 * LP_ECANCELLED; tasks check lp_cancelled() between partitions to stop sooner. */
LP_WUR lp_status lp_pool_run(int ntasks, void (*fn)(void *ctx, int task), void *ctx);
int lp_pool_threads(void);
void lp_pool_set_threads(int n);  /* 0 = default (online CPUs or LOUPE_THREADS) */
/* The index of the pool thread running the current task: 0 for the caller, 1.. for workers. */
int lp_pool_worker_index(void);
void lp_pool_shutdown(void);  /* joins the workers (tests, exit) */

/* Names the stage the engine is in, for loupe_progress (a static string; resets the counts). */
void lp_progress_stage(const char *name);
void lp_cancel_request(void);
void lp_cancel_clear(void);
static inline bool lp_cancelled(void) {
    extern atomic_bool lp_cancel_flag;
    return atomic_load_explicit(&lp_cancel_flag, memory_order_relaxed);
}

/* ---- small helpers ----------------------------------------------------------------------- */

#define LP_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define LP_MIN(a, b) ((a) < (b) ? (a) : (b))
#define LP_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif /* LOUPE_INT_H */
