/* expr.h -- scalar expressions over columns: the tree, the function registry, binding (names,
 * types, implicit promotion, precompiled patterns), vectorized evaluation and printing.
 *
 * The life of an expression:
 *   1. built by the language (or a test) with the constructors below, every node allocated in
 *      the statement's lp_arena and carrying the span of the text it came from;
 *   2. bound once to a schema (lp_expr_bind): column names become indexes, every node gets its
 *      result type, implicit promotions (int64 -> float64, date -> timestamp) are inserted as
 *      hidden cast nodes, LIKE patterns and literal regexes are compiled (their cleanups are
 *      registered on the arena, so lp_arena_reset frees everything);
 *   3. evaluated any number of times, over one partition at a time, from any number of threads
 *      at once (lp_expr_eval): a bound tree is read-only except for atomic counters.
 *
 * Functions are identified by lp_fn; operators are functions too (LP_FN_ADD is `+`). The
 * registry maps Spark's names and aliases, case-insensitively, to an id and arity bounds.
 * Aggregate functions (count, sum, avg, ...) are in the registry too, flagged LP_FNF_AGG, so that
 * the language can build, bind (result type) and print them ("count(1)"); lp_expr_eval refuses
 * them: the planner turns them into lp_aggspec for lp_aggregate.
 *
 * Semantics are Spark's defaults (spark.sql.ansi.enabled=false): `/` always returns double and
 * x/0 is null, x%0 is null, integer + - * wrap, a bad cast gives null (and is counted, see
 * lp_expr_nulled), and/or/not use SQL three-valued logic, comparisons between a string and a
 * number are a type error (Spark would silently cast; we teach instead).
 */
#ifndef LP_EXPR_H
#define LP_EXPR_H

#include "loupe_int.h"
#include "ops.h"

/* ---- function ids ---------------------------------------------------------------------------- */

typedef enum lp_fn {
    /* arithmetic: + - * / % and unary minus */
    LP_FN_ADD, LP_FN_SUB, LP_FN_MUL, LP_FN_DIV, LP_FN_MOD, LP_FN_NEG,
    /* comparison: = != < <= > >= and <=> (null-safe equality) */
    LP_FN_EQ, LP_FN_NE, LP_FN_LT, LP_FN_LE, LP_FN_GT, LP_FN_GE, LP_FN_EQ_NS,
    /* logic, three-valued */
    LP_FN_AND, LP_FN_OR, LP_FN_NOT,
    /* predicates */
    LP_FN_IS_NULL, LP_FN_IS_NOT_NULL,
    LP_FN_IN,        /* args: value, item1, item2, ... */
    LP_FN_BETWEEN,   /* args: value, low, high (inclusive) */
    LP_FN_LIKE,      /* args: str, pattern [, escape char]; % _ and backslash escape */
    LP_FN_ILIKE,
    LP_FN_RLIKE,     /* args: str, regex (PCRE2, unanchored find as Java's) */
    /* conditionals */
    LP_FN_CASE,      /* args: cond1, value1, cond2, value2, ... [, else]: odd count = else given */
    LP_FN_IF,        /* args: cond, then, else */
    LP_FN_CAST,      /* args: value; target type in lp_expr.cast_to */
    LP_FN_GET,       /* args: list, index (0-based, out of range -> null): `helpful[0]` */
    /* strings */
    LP_FN_LENGTH, LP_FN_LOWER, LP_FN_UPPER, LP_FN_TRIM, LP_FN_LTRIM, LP_FN_RTRIM,
    LP_FN_SUBSTRING, /* str, pos [, len]: 1-based, pos 0 acts as 1, negative counts from the end */
    LP_FN_CONCAT, LP_FN_CONCAT_WS, LP_FN_CONTAINS, LP_FN_STARTSWITH, LP_FN_ENDSWITH,
    LP_FN_SPLIT,           /* str, regex [, limit] -> array<string> */
    LP_FN_REGEXP_EXTRACT,  /* str, regex, group index */
    LP_FN_REGEXP_REPLACE,  /* str, regex, replacement ($1 group references) */
    LP_FN_INITCAP, LP_FN_INSTR, LP_FN_LPAD, LP_FN_RPAD, LP_FN_REVERSE,
    /* math */
    LP_FN_ABS, LP_FN_ROUND, LP_FN_BROUND, LP_FN_FLOOR, LP_FN_CEIL, LP_FN_SQRT,
    LP_FN_LOG,       /* log(x) natural, log(base, x) */
    LP_FN_LOG10, LP_FN_LOG2, LP_FN_EXP, LP_FN_POW,
    LP_FN_ISNAN,     /* never null: isnan(null) is false */
    LP_FN_SIGNUM,
    /* nulls */
    LP_FN_COALESCE, LP_FN_GREATEST, LP_FN_LEAST, LP_FN_NVL,
    /* dates and times (UTC) */
    LP_FN_TO_DATE, LP_FN_TO_TIMESTAMP, LP_FN_FROM_UNIXTIME, LP_FN_UNIX_TIMESTAMP,
    LP_FN_YEAR, LP_FN_MONTH, LP_FN_DAY, LP_FN_DAYOFWEEK, LP_FN_HOUR, LP_FN_MINUTE, LP_FN_SECOND,
    LP_FN_DATE_TRUNC, LP_FN_DATEDIFF, LP_FN_DATE_ADD, LP_FN_DATE_SUB, LP_FN_CURRENT_DATE,
    LP_FN_QUARTER, LP_FN_DAYOFYEAR, LP_FN_WEEKOFYEAR, /* weekofyear: ISO 8601 weeks */
    /* lists */
    LP_FN_SIZE, LP_FN_ARRAY_CONTAINS,
    LP_FN_ELEMENT_AT, /* list, index: 1-based, negative counts from the end, 0 or out of range -> null */
    LP_FN_XCALL,     /* an external function (lp_xfn): the ML feature transformers, vector functions */
    /* structs */
    LP_FN_STRUCT,       /* struct(a, b): fields named after column references (else col1, col2...) */
    LP_FN_NAMED_STRUCT, /* named_struct('a', x, 'b', y); printed as struct(x, y) when fname is "struct" */
    LP_FN_GET_FIELD,    /* s, 'name' (a string literal): `window.start`, col.getField("start") */
    LP_FN_WINDOW,       /* window(ts, 'dur'[, 'slide'[, 'start']]): struct<start,end> (a generator at the
                         * root of a projection, see lp_plan_project; tumbling row by row elsewhere) */
    /* generators: only at the root of a projection (lp_plan_project plans them) */
    LP_FN_EXPLODE, LP_FN_EXPLODE_OUTER, LP_FN_POSEXPLODE, LP_FN_POSEXPLODE_OUTER,
    /* aggregates (LP_FNF_AGG): never evaluated here; lp_fninfo.agg is the lp_aggfn */
    LP_FN_AGG_COUNT, LP_FN_AGG_COUNT_DISTINCT, LP_FN_AGG_SUM, LP_FN_AGG_AVG, LP_FN_AGG_MIN,
    LP_FN_AGG_MAX, LP_FN_AGG_STDDEV_SAMP, LP_FN_AGG_STDDEV_POP, LP_FN_AGG_VAR_SAMP,
    LP_FN_AGG_VAR_POP, LP_FN_AGG_FIRST, LP_FN_AGG_LAST, LP_FN_AGG_MEDIAN, LP_FN_AGG_PERCENTILE,
    LP_FN_AGG_PERCENTILE_APPROX, LP_FN_AGG_COLLECT_LIST,
    LP_FN_COUNT_
} lp_fn;

/* Flags of a registry entry. */
enum {
    LP_FNF_OPERATOR = 1,  /* printed infix / specially ("(a + b)", "(a IS NULL)"), not name(args) */
    LP_FNF_AGG = 2,       /* an aggregate: bound and printed here, computed by lp_aggregate */
    LP_FNF_ALIAS = 4,     /* this name is an alias of the function's canonical name */
};

/* One name in the registry. Several names (aliases) may share one id. */
typedef struct lp_fninfo {
    const char *name;   /* lower case, as Spark spells it ("substring", "starts_with", "+") */
    lp_fn id;
    int min_args;
    int max_args;       /* -1 = any number */
    int flags;          /* LP_FNF_* */
    int agg;            /* the lp_aggfn when LP_FNF_AGG, else -1 */
} lp_fninfo;

/* Looks a function up by name (ASCII case-insensitive; operators by their symbol, "+", "=",
 * "and", "not", ...). NULL when there is no such function. */
const lp_fninfo *lp_fn_lookup(const char *name, size_t n);
/* The canonical entry of an id (its Spark name, its arity bounds). */
const lp_fninfo *lp_fn_info(lp_fn id);
/* Every registered name, aliases and operators included, for completion and did-you-mean:
 * entries 0 .. lp_fn_count()-1. */
int lp_fn_count(void);
const lp_fninfo *lp_fn_at(int i);

/* ---- the tree ------------------------------------------------------------------------------- */

typedef enum lp_expr_kind {
    LP_EXPR_COL,   /* a column, by name (resolved at bind) or by index */
    LP_EXPR_LIT,   /* a literal value */
    LP_EXPR_CALL,  /* fn(args...) */
    LP_EXPR_WINDOW, /* a window function: wfn(args...) OVER (win); see lp_expr_window */
} lp_expr_kind;

/* A window specification (Window.partitionBy(...).orderBy(...).rowsBetween(...), or SQL's
 * OVER (...)): unbound expressions, in the arena of the tree that holds it. */
typedef struct lp_winspec {
    lp_expr **part;
    int npart;
    lp_expr **order;
    bool *desc;
    int8_t *nulls;      /* per order key: -1 Spark's default, 0 last, 1 first */
    int norder;
    lp_winframe frame;  /* LP_FRAME_DEFAULT unless rowsBetween/rangeBetween/ROWS/RANGE gave one */
    int64_t fstart, fend;  /* the frame's span (for messages), -1 when none */
} lp_winspec;

typedef struct lp_expr_pre lp_expr_pre;  /* precompiled state (patterns, regexes), expr.c */

/* An external scalar function, defined outside the expression module: the ML feature
 * transformers (Tokenizer, HashingTF, a fitted CountVectorizerModel, ...) and the vector
 * functions become nodes of the plan this way, so they fuse with the projections around them
 * and run in parallel over partitions like any built-in. The struct (and its ctx) must outlive
 * every tree that holds a node on it: nodes take a reference (ref/unref, NULL for static ones)
 * that the node's arena releases when it is reset. */
typedef struct lp_xfn lp_xfn;
struct lp_xfn {
    const char *name;  /* printed as name(args) when the column is not aliased */
    /* The result type for the argument types, or LP_ETYPE (with d's message) */
    LP_WUR lp_status (*bind)(const lp_xfn *f, const lp_type *args, int nargs, lp_type *out, lp_diag *d);
    /* One partition: args[i] holds nrows rows. Thread-safe (many partitions at once). */
    LP_WUR lp_status (*eval)(const lp_xfn *f, lp_column *const *args, int nargs, int64_t nrows, lp_column **out,
                             lp_diag *d);
    void (*ref)(const lp_xfn *f);
    void (*unref)(const lp_xfn *f);
    void *ctx;
    int min_args, max_args;
};

/* A node. Fields marked (bind) are filled by lp_expr_bind; the rest by the constructors. The
 * language and the planner may read every field and walk args; they change the tree only
 * through the constructors (and rebind afterwards). */
struct lp_expr {
    uint8_t kind;            /* lp_expr_kind */
    bool implicit;           /* (bind) a promotion cast inserted by the binder: not printed */
    lp_type type;            /* (bind) the result type. A null literal takes its context's type;
                              * a whole tree that is null whatever the row is typed string */
    int64_t start, end;      /* span: byte offsets into the statement text; -1 when none */
    lp_arena *arena;         /* the arena the node lives in (bind allocates there too) */
    /* LP_EXPR_COL */
    const char *name;        /* as written (NUL-terminated, in the arena) */
    int col;                 /* (bind) index into the schema; set at construction by index */
    bool by_index;           /* built by lp_expr_col_index: bind keeps `col` */
    /* LP_EXPR_LIT: strings live in the arena */
    lp_value lit;
    /* LP_EXPR_CALL */
    lp_fn fn;
    int nargs;
    lp_expr **args;
    lp_type cast_to;         /* LP_FN_CAST: the target type */
    const char *cast_text;   /* LP_FN_CAST: the type as written ("int"), for printing; or NULL */
    const char *fname;       /* the name the call was written with ("substr"), for printing */
    const lp_xfn *xfn;       /* LP_FN_XCALL: the function (a reference held by `arena`) */
    /* LP_EXPR_WINDOW: the function (an lp_winfn); for LP_WIN_AGG args[0] is the aggregate
     * call, otherwise args are the function's arguments (ntile(n); lag/lead: value, offset,
     * default). win is NULL until over(): such a node is a window function used without one. */
    uint8_t wfn;
    const lp_winspec *win;
    /* (bind) evaluation support */
    lp_expr_pre *pre;        /* compiled LIKE/regex, literal columns; NULL when none */
    _Atomic int64_t *nulled; /* lossy conversions counted here (cast, to_date, ...), or NULL */
};

/* Special forms, for the language:
 *   when(c1, v1).when(c2, v2).otherwise(e)  -> CASE(c1, v1, c2, v2, e)
 *   CASE x WHEN a THEN r ... END            -> CASE((x = a), r, ...)
 *   x NOT IN (...), x NOT LIKE p            -> NOT(IN(x, ...)), NOT(LIKE(x, p))
 *   count(*) / count("*")                   -> count(1)   (prints "count(1)", as Spark)
 *   col.cast("int")                         -> lp_expr_cast_as(..., "int") (prints CAST(x AS INT))
 *   helpful[0], col.getItem(0)              -> GET(helpful, 0)
 *   col.isin(a, b)                          -> IN(col, a, b)
 *   -x                                      -> NEGATIVE(x)
 */

/* Constructors. Every one allocates in `a` and returns NULL when the arena refuses (the caller
 * reports lp_diag_nomem); a NULL argument makes the call NULL too, so a caller building a tree
 * checks only the root. Spans: start/end byte offsets, -1/-1 when there is no text. */

/* A column reference by name (copied; n bytes, or strlen when n == (size_t)-1). */
lp_expr *lp_expr_col(lp_arena *a, const char *name, size_t n, int64_t start, int64_t end);
/* A column reference already resolved to index `col` (the planner's form; name is used for
 * printing and messages). lp_expr_bind checks the index and takes the type from the schema. */
lp_expr *lp_expr_col_index(lp_arena *a, int col, const char *name, int64_t start, int64_t end);
/* A literal; strings are copied into the arena. List literals are not supported (NULL). */
lp_expr *lp_expr_lit(lp_arena *a, const lp_value *v, int64_t start, int64_t end);
lp_expr *lp_expr_int(lp_arena *a, int64_t v);
lp_expr *lp_expr_float(lp_arena *a, double v);
lp_expr *lp_expr_str(lp_arena *a, const char *s, size_t n);
lp_expr *lp_expr_bool(lp_arena *a, bool v);
lp_expr *lp_expr_null(lp_arena *a);
/* fn(args[0..nargs)); the args array is copied (the nodes are not). Arity is checked at bind. */
lp_expr *lp_expr_call(lp_arena *a, lp_fn fn, lp_expr *const *args, int nargs, int64_t start, int64_t end);
/* The same by name: LP_ENAME "function 'lenght' does not exist" (hint: the closest names) when
 * the registry has no such name; remembers the name as written for printing. */
LP_WUR lp_status lp_expr_call_named(lp_arena *a, const char *name, size_t n, lp_expr *const *args,
                                    int nargs, int64_t start, int64_t end, lp_expr **out, lp_diag *d);
/* f(args) for an external function (see lp_xfn); takes a reference on f for the arena. */
lp_expr *lp_expr_xcall(lp_arena *a, const lp_xfn *f, lp_expr *const *args, int nargs, int64_t start, int64_t end);
/* CAST(x AS to). */
lp_expr *lp_expr_cast(lp_arena *a, lp_expr *x, lp_type to, int64_t start, int64_t end);
/* The same with the type as the user wrote it (n bytes), so the column is named as Spark names
 * it: cast('int') prints "CAST(x AS INT)" although the value is a bigint. */
lp_expr *lp_expr_cast_as(lp_arena *a, lp_expr *x, lp_type to, const char *text, size_t n, int64_t start,
                         int64_t end);
/* A window function without its window (row_number(), rank(), ntile(4), lag(x, 1, NULL)):
 * `name` as printed, args copied. Arity is the caller's business. */
lp_expr *lp_expr_window(lp_arena *a, lp_winfn fn, const char *name, lp_expr *const *args, int nargs,
                        int64_t start, int64_t end);
/* f OVER (w): f is a window function node without a window, or an aggregate call; the spec is
 * deep-copied. The node spans [start, end). NULL when refused (or f is neither: see
 * lp_expr_window_ok). */
lp_expr *lp_expr_over(lp_arena *a, const lp_expr *f, const lp_winspec *w, int64_t start, int64_t end);
/* Whether f can take over(): a window function not yet over a window, or an aggregate call. */
bool lp_expr_window_ok(const lp_expr *f);
/* A deep copy of a window spec into a (NULL when refused). */
lp_winspec *lp_winspec_clone(lp_arena *a, const lp_winspec *w);
/* Whether the tree contains a window node. */
bool lp_expr_has_window(const lp_expr *e);
/* A deep copy of an expression tree (unbound: the copy must be bound before evaluation). */
lp_expr *lp_expr_clone(lp_arena *a, const lp_expr *e);

/* ---- event-time windows (fn_struct.c) ------------------------------------------------------- */

/* A duration as Spark's window() takes it: "10 minutes", "1 hour", "2 days", "1 week",
 * "1 day 12 hours", "90 seconds", "interval 5 minutes" (units microsecond .. week, singular or
 * plural). Months and years are refused (not fixed lengths). LP_EVALUE with a hint otherwise. */
LP_WUR lp_status lp_duration_parse(const char *s, size_t n, int64_t *us, lp_diag *d);

/* A window() call's definition in microseconds: [start, start + dur) for every start that is
 * `offset` plus a multiple of `slide` (slide == dur: tumbling). */
typedef struct lp_window_def {
    int64_t dur, slide, offset;
} lp_window_def;
/* The definition of a window() call whose duration arguments are string literals; checks them
 * as Spark does (positive, slide <= duration, |startTime| < slide). */
LP_WUR lp_status lp_window_def_of(const lp_expr *e, lp_window_def *w, lp_diag *d);
/* The start of the latest window of w that holds ts. */
static inline int64_t lp_window_last_start(const lp_window_def *w, int64_t ts) {
    int64_t r = (ts - w->offset) % w->slide;
    if (r < 0) r += w->slide;
    return ts - r;
}

/* ---- binding -------------------------------------------------------------------------------- */

/* Binds e (in place) to a schema of ncols columns: resolves names (exact match first, then
 * ASCII case-insensitive, as Spark does), checks arities and types, infers every node's type,
 * inserts implicit promotions and precompiles LIKE patterns and literal regexes. May be called
 * again to bind to another schema. Errors, with d's span set to the offending node:
 *   LP_ENAME  "column 'ovrall' does not exist", hint "did you mean 'overall'? available
 *             columns: a, b, c"; an ambiguous case-insensitive match says so;
 *   LP_ETYPE  "cannot compare string column 'overall' with bigint 5", hint "did you mean to cast
 *             it? col('overall').cast('int')"; a wrong arity names the function and the count
 *             it takes ("substring takes 2 or 3 arguments, got 1");
 *   LP_EVALUE a literal regex that does not compile (PCRE2's message and the offset);
 *   LP_ELIMIT a tree nested more than 2000 calls deep;
 *   LP_ENOMEM through lp_diag_nomem(d, "bind"). */
LP_WUR lp_status lp_expr_bind(lp_expr *e, int ncols, const char *const *names, const lp_type *types,
                              lp_diag *d);
/* The result type of a bound expression. */
static inline lp_type lp_expr_type(const lp_expr *e) { return e->type; }
/* Whether e is a bare column reference (lp_project passes those through by reference). */
static inline bool lp_expr_is_col(const lp_expr *e) { return e->kind == LP_EXPR_COL; }
/* Whether the tree contains an aggregate call. */
bool lp_expr_has_agg(const lp_expr *e);
/* The distinct column indexes a bound expression reads, ascending, into cols[0..cap);
 * returns how many there are. Past cap the count is an upper bound (call again with room for
 * that many to get the exact set). */
int lp_expr_columns(const lp_expr *e, int *cols, int cap);

/* ---- evaluation ----------------------------------------------------------------------------- */

/* Evaluates bound e over one partition (whose columns are the schema e was bound to) into a
 * new column of part->nrows rows (*out, owned by the caller). A bare column reference returns a
 * new reference to the input column; a literal returns a constant column. Thread-safe: many
 * threads may evaluate one bound expression on different partitions at once.
 * LP_ENOMEM via lp_diag_nomem(d, "expression"); LP_EUNSUPPORTED for an aggregate. */
LP_WUR lp_status lp_expr_eval(const lp_expr *e, const lp_part *part, lp_column **out, lp_diag *d);
/* How many values the tree's lossy conversions turned into null since binding (or the last
 * reset): casts of text that is not a number or a date, to_date/to_timestamp/unix_timestamp of
 * text that does not match the format. The language warns with this count. */
int64_t lp_expr_nulled(const lp_expr *e);
void lp_expr_nulled_reset(const lp_expr *e);

/* ---- printing -------------------------------------------------------------------------------- */

/* Appends e as Spark names a column it computes: "(overall > 4)", "length(reviewText)",
 * "count(1)", "(NOT a)", "(a IS NULL)", "CAST(a AS INT)", "helpful[0]",
 * "CASE WHEN (a > 1) THEN x ELSE y END". Implicit casts are not shown. */
void lp_expr_format(const lp_expr *e, lp_strbuf *out);
/* The same as a NUL-terminated string in the arena (NULL when refused). */
char *lp_expr_print(lp_arena *a, const lp_expr *e);

/* ---- helpers shared with the language ---------------------------------------------------- */

/* Levenshtein distance (bytes, ASCII case-insensitive), capped at `cap` + 1 for speed. */
int lp_expr_distance(const char *a, size_t an, const char *b, size_t bn, int cap);
/* The candidate closest to name within a distance that makes a plausible typo (about a third
 * of the name's length, at least 1, at most 3); NULL when none is. */
const char *lp_expr_closest(const char *name, const char *const *cands, int ncands);

#endif /* LP_EXPR_H */
