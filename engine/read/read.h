/* read.h -- the file readers' private interface: sources, chunk splitting, the per-chunk
 * parsers for CSV and JSON lines, and the schema and value helpers they share.
 *
 * Pipeline (read.c drives it): lp_read_source_open maps or inflates the file into one byte
 * buffer; split.c cuts the records into chunks at record boundaries; a sampling pass over the
 * first records infers the schema (infer.c); then every chunk is parsed on the pool into its
 * own partition (csv.c, json.c). A chunk that meets a value its column's type cannot hold, or
 * (JSON) a key the schema lacks, records the wider type or the new key; read.c then widens the
 * schema and parses again, so nothing in the file is lost to a sample that missed it.
 *
 * Threads: one chunk is parsed by one task and writes only its own lp_rchunk; the schema
 * (lp_rkeys) is read-only during a pass.
 */
#ifndef LP_READ_H
#define LP_READ_H

#include "loupe_int.h"

#include <sys/stat.h>

#define LP_READ_MAX_DEPTH 64
/* Records longer than this (1 MB) get their scratch sized for valid UTF-8 only at first. */
#define LP_READ_BIG_RECORD ((size_t)1 << 20)

/* ---- source.c ---- */

/* The whole input as one byte buffer: a read-only mapping of the file, or a heap buffer
 * (gzip output, or read() when mmap is not possible). */
typedef struct lp_read_source {
    const char *data;
    size_t len;
    void *map;      /* mmap base, or NULL */
    size_t maplen;
    char *heap;     /* lp_malloc'd buffer, or NULL */
    bool gzip;
    int fd;         /* kept open while mapped, to see whether the file changed; else -1 */
    int watch;      /* lp_map_watch slot of the mapping, or -1 */
    struct stat opened; /* the file as it was when opened */
} lp_read_source;

/* Opens `path`; gzip input (magic 1f 8b) is inflated, all members. Errors: LP_ENAME for a
 * missing file, LP_EIO for other I/O errors and corrupt or truncated gzip, LP_ENOMEM (through
 * lp_diag_nomem(d, op)). On failure nothing is left to close. */
LP_WUR lp_status lp_read_source_open(const char *path, const char *op, lp_read_source *src, lp_diag *d);
void lp_read_source_close(lp_read_source *src);
/* LP_EIO when the file was truncated or rewritten while it was being read (its data may then be
 * zeros or a mix of old and new, so nothing read from it may be shown); LP_OK otherwise, also
 * when the file was deleted meanwhile (its data stays intact while it is open). */
LP_WUR lp_status lp_read_source_check(const lp_read_source *src, const char *path, lp_diag *d);

/* ---- watch.c ---- */

/* Registers a read-only file mapping so that a SIGBUS inside it (the file was truncated)
 * zero-fills the rest instead of ending the process. Returns the slot, or -1 when none is free
 * (the mapping is then not protected: the caller reads the file instead). */
int lp_map_watch(const void *base, size_t len);
/* Whether the mapping in `slot` faulted since it was registered. */
bool lp_map_watch_cut(int slot);
void lp_map_unwatch(int slot);

/* ---- split.c ---- */

/* One chunk: the records in [begin, end) of the buffer. */
typedef struct lp_rrange {
    size_t begin, end;
} lp_rrange;

/* Sets the target chunk size in bytes (0 = the default, 4 MB). For tests. */
void lp_read_set_chunk_size(size_t bytes);
size_t lp_read_chunk_size(void);
/* How many chunks a buffer of `len` bytes is cut into: enough for the chunk size, and at least
 * LP_READ_MIN_CHUNKS (never more than one per byte); never dependent on the thread count. */
#define LP_READ_MIN_CHUNKS 8
int lp_read_chunk_count(size_t len);
/* Cuts buf[begin, end) into `n` ranges whose starts are line starts (JSON lines). */
void lp_read_split_lines(const char *buf, size_t begin, size_t end, int n, lp_rrange *out);
/* Cuts buf[begin, end) into `n` ranges starting at CSV record boundaries: newlines inside quoted
 * fields are not boundaries. Quote parity is counted per piece on the pool and prefix-summed
 * (escape == quote), or found by one sequential scan (escape != quote). LP_ECANCELLED only. */
LP_WUR lp_status lp_read_split_csv(const char *buf, size_t begin, size_t end, int n, char quote, char escape,
                                   lp_rrange *out);

/* ---- schema: names with a hash index (infer.c) ---- */

/* An ordered set of column names with their types and a hash index; also a chunk's list of
 * keys the schema lacked. */
typedef struct lp_rkeys {
    int n, cap;
    char **names;
    size_t *lens;
    lp_type *types;
    int32_t *slots;  /* open addressing, -1 = empty */
    uint32_t mask;
} lp_rkeys;

void lp_rkeys_init(lp_rkeys *k);
void lp_rkeys_reset(lp_rkeys *k);
int lp_rkeys_find(const lp_rkeys *k, const char *name, size_t len);
/* Adds a name (copied); returns its index, or -1 when refused. */
int lp_rkeys_add(lp_rkeys *k, const char *name, size_t len, lp_type t);

/* The type a column is stored as: a column that only ever held nulls is a string column, and
 * an array that only held nulls or nothing is array<string>, as Spark infers them. */
lp_type lp_read_final_type(lp_type t);
/* The type Spark's CSV inference gives one non-null field's text. */
lp_type lp_read_infer_text(const char *s, size_t n);

typedef struct lp_rval lp_rval;
/* CSV: converts a field's text to a value of type t; false when it does not parse as one. */
bool lp_read_convert_text(lp_type t, const char *s, size_t n, lp_rval *v);

/* ---- a value staged for one record (infer.c) ---- */

/* Staged values let a record be checked whole before anything is appended, so a malformed
 * record never leaves half a row behind. */
struct lp_rval {
    uint8_t kind;  /* lp_kind; LP_NULLTYPE = null */
    uint8_t elem;  /* lists: the unified kind of the non-null elements (LP_NULLTYPE if none) */
    bool bad_utf8; /* the text had invalid UTF-8, replaced */
    int32_t d;
    int64_t i;       /* int64, timestamp, bool (0/1) */
    double f;
    const char *s;  /* strings: the decoded text; other kinds: the raw source text */
    size_t n;
    uint32_t e0, en; /* lists: elements in the chunk's element stage */
};

static inline lp_type lp_rval_type(const lp_rval *v) {
    return v->kind == LP_LIST ? lp_type_list((lp_kind)v->elem) : lp_type_of((lp_kind)v->kind);
}

/* ---- chunks ---- */

typedef struct lp_rpass lp_rpass;

/* One chunk's parse: its input range, its output builders, its counts and first error, and what
 * it learned about the schema. Owned by the pass; written only by the chunk's task. */
typedef struct lp_rchunk {
    const char *begin, *end;
    /* output */
    bool json;
    lp_colbuf *cols;     /* ncols builders, one per schema column (none when sampling) */
    int ncols;
    lp_colbuf corrupt;   /* the corrupt-record column, when the pass keeps one */
    int64_t rows, malformed, dropped, invalid_utf8, records;
    int64_t lines;       /* newlines seen, i.e. in [begin, end) when the chunk finished */
    /* first malformed record */
    bool has_bad;
    int64_t bad_line;    /* 0-based line of the bad record's start, relative to begin */
    const char *bad_rec, *bad_pos;
    size_t bad_len;
    char bad_msg[200];
    /* schema learning (inferred schemas only) */
    lp_type *want;       /* per schema column: the unified type of every value seen */
    bool widened;        /* a value did not fit its column: this pass's output is void */
    lp_rkeys newkeys;    /* JSON: keys not in the schema, first-seen order */
    lp_status status;    /* LP_OK, LP_ENOMEM, LP_EVALUE (FAILFAST stop), LP_ECANCELLED */
    /* scratch, reused per record */
    lp_rval *stage;
    uint64_t *stage_gen;
    int *touched;
    int ntouched;
    lp_rval *elems;
    uint32_t nelems, celems;
    char *scratch;
    size_t scap, spos;
    unsigned sfactor;    /* scratch bytes per record byte: 4, doubled after an overflow */
    bool overflow;       /* the record needed more scratch than reserved: parse it again */
    char *path;          /* JSON: the flattened key path being parsed */
    size_t pcap;
    struct lp_rfield *fields;
    int nfields, cfields;
    uint64_t gen;
} lp_rchunk;

/* A CSV field as tokenized: text (decoded into scratch when it had doubled quotes) and whether
 * it was quoted. */
typedef struct lp_rfield {
    const char *s;
    size_t n;
    bool quoted;
} lp_rfield;

struct lp_rpass {
    const loupe_read_options *opts;
    bool json;                /* JSON lines, else CSV */
    const lp_rkeys *keys;     /* the schema this pass parses with (types may be void) */
    bool explicit_schema;     /* a value that does not fit is malformed, not widened */
    bool infer_only;          /* sampling: learn types and keys, build nothing */
    bool keep_corrupt;        /* PERMISSIVE with corrupt_column */
    int64_t max_records;      /* sampling limit, 0 = none */
    lp_rchunk *chunks;
    int nchunks;
};

/* Chunk lifecycle (read.c): init allocates the builders and scratch for the pass's schema. */
LP_WUR bool lp_rchunk_init(lp_rchunk *c, const lp_rpass *p, const char *begin, const char *end);
void lp_rchunk_reset(lp_rchunk *c);
/* Makes room for a record of `len` bytes: staged text and key paths never move while it is
 * parsed. False on refusal (status set). */
LP_WUR bool lp_rchunk_scratch(lp_rchunk *c, size_t len);
/* Starts a new record's staging. */
static inline void lp_rchunk_begin_record(lp_rchunk *c) {
    c->gen++;
    c->ntouched = 0;
    c->nelems = 0;
    c->spos = 0;
}
/* Stages v for column col (a later value for the same column replaces it). */
static inline void lp_rchunk_stage(lp_rchunk *c, int col, const lp_rval *v) {
    if (c->stage_gen[col] != c->gen) {
        c->stage_gen[col] = c->gen;
        c->touched[c->ntouched++] = col;
    }
    c->stage[col] = *v;
}
/* Reserves the builders for the whole chunk, extrapolating from what the records up to `at`
 * took, so that the columns grow once instead of by repeated reallocation. */
void lp_rchunk_extrapolate(lp_rchunk *c, const char *at);
/* Appends a staged element; false when refused (status set). */
LP_WUR bool lp_rchunk_push_elem(lp_rchunk *c, const lp_rval *v);
/* Copies s[0..n) into the scratch, replacing invalid UTF-8 with U+FFFD; returns the copy, or
 * NULL (and sets c->overflow) when the record's scratch is too small. */
const char *lp_rchunk_sanitize(lp_rchunk *c, const char *s, size_t n, size_t *outn);

/* Records a malformed record [rec, rec+len) starting at relative line `line`, the error at
 * `pos` with message `msg`. Handles the parse mode: PERMISSIVE appends a null row (and the raw
 * text), DROPMALFORMED counts, FAILFAST stops the chunk. Returns false when the chunk must stop. */
bool lp_rchunk_bad(lp_rchunk *c, const lp_rpass *p, const char *rec, size_t len, int64_t line, const char *pos,
                   const char *msg);
/* Checks the staged values of the record against the schema (JSON): converts those that fit,
 * widens (inferred) or rejects (explicit, returns false with *why set) those that do not. */
bool lp_rchunk_check(lp_rchunk *c, const lp_rpass *p, char *why, size_t whylen);
/* Appends the staged record as one row: staged columns their values, the rest null. Values must
 * have been converted to the column types (lp_rchunk_check, or csv.c's own conversion). */
void lp_rchunk_commit(lp_rchunk *c, const lp_rpass *p);

/* Parsers: parse one chunk of the pass (task body). */
void lp_csv_parse_chunk(const lp_rpass *p, lp_rchunk *c);
void lp_json_parse_chunk(const lp_rpass *p, lp_rchunk *c);

/* CSV: the first record starting at buf[*pos] (blank lines skipped), tokenized into c->fields;
 * *pos is left after it, *lines counts the newlines passed. False when there is none or it is
 * malformed (a header must parse). */
bool lp_csv_first_record(const lp_rpass *p, lp_rchunk *c, const char *buf, size_t len, size_t *pos,
                         int64_t *lines);

#endif /* LP_READ_H */
