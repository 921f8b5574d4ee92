/* expr_int.h -- what expr.c (binding), eval.c (the evaluator) and the function families
 * fn_*.c share. Private to those files and to filter.c/project.c.
 *
 * During evaluation an operand is an lp_vec: a column of the partition's length, or a constant
 * (a one-row column broadcast to every row). A call whose arguments are all constant is
 * computed once, over one row, and is itself constant: literals never become whole columns
 * unless the result of the expression is one.
 */
#ifndef LP_EXPR_INT_H
#define LP_EXPR_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "expr.h"

typedef struct lp_dtfmt lp_dtfmt;

/* What the binder precompiled for a node. Read-only after bind, shared by all threads. */
struct lp_expr_pre {
    lp_column *lit;          /* LP_EXPR_LIT: the value as a one-row column */
    pcre2_code *re;          /* rlike/split/regexp_*: the literal pattern, compiled */
    int like_kind;           /* LIKE: LP_LIKE_* fast path for a literal pattern */
    const char *like_text;   /* the literal part of a fast-path LIKE pattern */
    int64_t like_len;
    lp_dtfmt *fmt;       /* to_date, to_timestamp, ...: a literal format, compiled */
};

enum { LP_LIKE_GENERAL = 0, LP_LIKE_EXACT, LP_LIKE_PREFIX, LP_LIKE_SUFFIX, LP_LIKE_CONTAINS, LP_LIKE_ALL };

typedef struct lp_vec {
    lp_column *col;  /* one reference, owned */
    bool cnst;       /* col has one row that stands for every row */
} lp_vec;

/* The row of v that stands for row r. */
static inline int64_t lp_vec_row(const lp_vec *v, int64_t r) { return v->cnst ? 0 : r; }

/* Evaluates bound e over part into *out (constant when every leaf below is a literal). */
LP_WUR lp_status lp_expr_eval_vec(const lp_expr *e, const lp_part *part, lp_vec *out, lp_diag *d);

/* ---- column helpers (eval.c) ---- */

/* A new fixed-width (or string/list: offsets only) column of n rows, values uninitialised, no
 * validity. NULL when refused. */
lp_column *lp_ev_col_new(lp_type t, int64_t n);
/* The AND of the validity of args[0..na) over n rows, as a new bitmap; NULL with *nomem false
 * when every row is valid. */
uint8_t *lp_ev_valid_and(const lp_vec *args, int na, int64_t n, bool *nomem);
/* Installs bitmap `valid` (may be NULL) on c: counts the nulls, frees the bitmap when there are
 * none, and zeroes fixed-width values under null slots. */
void lp_ev_set_valid(lp_column *c, uint8_t *valid);
static inline void lp_bit_clear(uint8_t *m, int64_t i) { m[i >> 3] &= (uint8_t)~(1u << (i & 7)); }
static inline bool lp_bit_get(const uint8_t *m, int64_t i) { return (m[i >> 3] >> (i & 7)) & 1; }
/* An all-valid bitmap of n rows (NULL when refused). */
uint8_t *lp_ev_bitmap_new(int64_t n);
/* Converts column c to type `to` with CAST semantics; *nulled counts values that were not null
 * and became null. */
LP_WUR lp_status lp_ev_cast(const lp_column *c, lp_type to, lp_column **out, int64_t *nulled);
/* Spark's lenient cast of text to a date ("2013", "2013-6", "2013-06-02 12:00") and to a
 * timestamp (a date or an ISO timestamp). */
bool lp_ev_parse_date(const char *s, int64_t n, int32_t *out);
bool lp_ev_parse_ts(const char *s, int64_t n, int64_t *out);
/* Builds a column of n rows taking row r from args[ch[r]] (ch[r] < 0: null). */
LP_WUR lp_status lp_ev_gather(lp_type t, const lp_vec *args, const int32_t *ch, int64_t n, lp_column **out);
/* A bool column from computed values and validity (frees `valid` into the column). */
lp_column *lp_ev_bool_col(int64_t n);

/* ---- operator plumbing (filter.c) ---- */

/* One partition's result in a parallel operator: its status, rows and columns (NULL: none). */
typedef struct lp_ev_slot {
    lp_status st;
    int64_t nrows;
    lp_column **cols;
    lp_diag *diag;  /* a detailed error, when not just no-memory or cancellation */
} lp_ev_slot;

/* The rows idx[0..m) of c (NULL when refused). */
lp_column *lp_ev_take(const lp_column *c, const int64_t *idx, int64_t m);
/* The rows idx[0..m) of every column of p into a new array (m == p->nrows: all rows, by
 * reference; idx may then be NULL). */
LP_WUR lp_status lp_ev_take_part(const lp_part *p, int ncols, const int64_t *idx, int64_t m, lp_column ***out);
void lp_ev_cols_free(lp_column **cols, int ncols);
/* Builds the result table from the slots in order (schema: names/types, or schema_from's),
 * consuming every slot's columns; on a failed slot reports it (as `op`) and frees everything. */
LP_WUR lp_status lp_ev_assemble(lp_table *schema_from, int ncols, const char *const *names, const lp_type *types,
                                lp_ev_slot *slots, int nslots, lp_table **out, lp_diag *d, const char *op);
/* Keeps a task's detailed error (anything but no-memory and cancellation) in its slot, for
 * lp_ev_assemble to report (which frees it). */
void lp_ev_keep_diag(lp_ev_slot *s, const lp_diag *dd);

/* ---- function families: each computes fn over n rows of args into *out (only LP_OK or
 * LP_ENOMEM). ---- */
LP_WUR lp_status lp_fn_string(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out);
/* contains(lower(x), t) over a[0] = x and a[1] = t, when lp_fn_lower_unchanged(t): without
 * lowering the ASCII texts of x (fn_string.c). */
LP_WUR lp_status lp_fn_contains_lower(const lp_vec *a, int64_t n, lp_column **out);
bool lp_fn_lower_unchanged(const char *t, int64_t tn);
LP_WUR lp_status lp_fn_regex(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out);
LP_WUR lp_status lp_fn_math(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out);
LP_WUR lp_status lp_fn_struct(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out);
LP_WUR lp_status lp_fn_date(const lp_expr *e, const lp_vec *a, int64_t n, lp_column **out);

/* ---- precompilation (called by the binder) ---- */

/* LIKE: classifies a literal pattern into a fast path. */
void lp_like_analyze(lp_expr_pre *pre, const char *pat, int64_t n, lp_arena *a);
/* The general LIKE matcher: % _ and `esc` escape; ci = ASCII case-insensitive after lowering. */
bool lp_like_match(const char *s, int64_t sn, const char *p, int64_t pn, char esc);
/* Compiles a regex (PCRE2, UTF); NULL with a message in err[0..errcap) and *erroff on failure,
 * or with *nomem set. */
pcre2_code *lp_regex_compile(const char *p, int64_t n, char *err, size_t errcap, int64_t *erroff, bool *nomem);
/* Registers the cleanups of a node's precompiled state on the arena. */
LP_WUR lp_status lp_pre_on_reset(lp_arena *a, lp_expr_pre *pre);

/* Datetime patterns (fn_date.c): a compiled Spark pattern ("MM d, yyyy"); literal text points
 * into the pattern, which must outlive the compiled form. */
#define LP_DTFMT_MAX 48
typedef struct lp_dttok {
    char letter;      /* y M d H h m s S a E; 0 = literal text */
    int count;        /* how many times the letter repeats */
    const char *lit;  /* literal text */
    int64_t litlen;
} lp_dttok;
struct lp_dtfmt {
    int n;
    lp_dttok t[LP_DTFMT_MAX];
};
/* Compiles; false when the pattern is invalid (unknown letter, too long, unclosed quote). */
bool lp_dtfmt_compile(const char *p, int64_t n, lp_dtfmt *out);

#endif /* LP_EXPR_INT_H */
