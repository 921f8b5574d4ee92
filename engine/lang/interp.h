/* interp.h -- the interpreter's private interface: runtime values, the session, method tables.
 *
 * DESIGN
 * Values are reference-counted heap objects (lp_val). Scalars (None, bool, int, float, str),
 * lists/tuples, dicts and Rows behave as Python's do. The PySpark objects are:
 *   LV_DF       a DataFrame: a reference to a logical plan (plan/plan.h); lazy.
 *   LV_COL      a Column: an unbound expression tree in its own arena, plus an alias, a sort
 *               direction, and the DataFrame it was taken from (df["x"], for join conditions).
 *   LV_GROUPED  groupBy(...)'s GroupedData: the plan and the key columns.
 *   LV_READER / LV_WRITER  spark.read... / df.write... option builders.
 *   LV_MODULE   spark, F (pyspark.sql.functions), and the pyspark packages imports name.
 *   LV_FUNC     a built-in function (col, lit, print, display, help, and every F function).
 *   LV_METHOD   an attribute that is a method, bound to its object: `df.filter` before the call.
 * Every operation on values lives in one of: interp.c (statements, names, operators, calls),
 * df.c (DataFrame, GroupedData, reader, writer methods), column.c (Column methods and the
 * functions module), session.c (the public API, display, warnings).
 *
 * Errors: every function that can fail returns lp_status and fills the session's diag with a
 * span into the current cell. A failing statement leaves the variables as they were.
 */
#ifndef LP_INTERP_H
#define LP_INTERP_H
#include "loupe.h"
#include "loupe_int.h"
#include "lang/ast.h"
#include "plan/plan.h"

typedef enum lp_vkind {
    LV_NONE, LV_BOOL, LV_INT, LV_FLOAT, LV_STR, LV_LIST, LV_TUPLE, LV_DICT, LV_ROW,
    LV_DF, LV_COL, LV_GROUPED, LV_READER, LV_WRITER, LV_MODULE, LV_FUNC, LV_METHOD, LV_CHART,
    LV_SCHEMA,  /* df.schema: u.df, printed as PySpark prints a StructType */
    LV_NA,      /* df.na: u.df, DataFrameNaFunctions (drop, fill) */
    LV_WINDOW,  /* a WindowSpec: u.col, whose expression is a window node holding the spec */
    LV_MLCLASS, /* an MLlib class, function or namespace (Tokenizer, Vectors): u.mlcls (lang/ml.h) */
    LV_ML,      /* an MLlib object: a Transformer, Estimator or Model: u.ml (lang/ml.h) */
    LV_VECTOR,  /* a pyspark.ml.linalg vector: row u.vec.row of the vector column u.vec.col */
} lp_vkind;

typedef struct lp_val lp_val;

/* Which DataFrame a column reference was taken from (df["x"], df.x), so that a join condition
 * `a.x == b.x` can tell the two sides apart although the names are the same. */
typedef struct lp_colorig {
    const lp_expr *leaf;
    lp_plan *plan;  /* a reference */
} lp_colorig;

/* The cell being run: Columns remember it, so that one built in an earlier cell (whose spans
 * point into that cell's text) is re-spanned to where it is used now. */
extern _Thread_local int64_t lp_lang_cell;

/* A Column: an expression with what PySpark attaches to it. */
typedef struct lp_colv {
    lp_arena arena;
    lp_expr *e;           /* unbound, spans into the cell that built it */
    const char *alias;    /* .alias("x") */
    int dir;              /* 0 none, 1 asc, 2 desc */
    int nulls;            /* -1 default, 0 last, 1 first */
    bool when;            /* F.when(...) chain that still accepts .when/.otherwise */
    bool star;            /* F.col("*") / "*": every column */
    lp_colorig *orig;     /* origins of its column references (lp_malloc'd) */
    int norig;
    int64_t cell;         /* lp_lang_cell when it was built */
} lp_colv;

typedef struct lp_reader {
    loupe_read_options o;
    char *schema, *corrupt, *nullv;  /* owned copies behind the options' pointers */
    char format[16];
} lp_reader;

typedef struct lp_writer {
    lp_plan *df;
    char format[16];
    char mode[16];
    bool header;
    char sep, quote;
    char nullv[32];
} lp_writer;

struct lp_val {
    int refs;
    lp_vkind kind;
    union {
        bool b;
        int64_t i;
        double f;
        struct { char *p; size_t n; } s;
        struct { lp_val **v; int n; } list;          /* LIST, TUPLE */
        struct { lp_val **k, **v; int n; } dict;
        struct { lp_val *names, *values; } row;      /* two TUPLEs: field names, values */
        lp_plan *df;                                 /* DF, SCHEMA */
        lp_colv *col;
        struct { lp_plan *df; lp_val *keys; } grouped; /* keys: a LIST of COLs */
        lp_reader *reader;
        lp_writer *writer;
        struct { const char *name; int id; } mod;     /* module name, kind */
        struct { char name[48]; int id; } fn;        /* built-in: id; F function: -1 */
        struct { lp_val *self; char name[48]; } method;
        struct loupe_chart *chart;
        const struct lp_mlclass *mlcls;
        struct lp_mlobj *ml;
        struct { lp_column *col; int64_t row; } vec;
    } u;
};

enum { LP_MOD_SPARK, LP_MOD_F, LP_MOD_PYSPARK, LP_MOD_TYPES, LP_MOD_OTHER, LP_MOD_WINDOW /* Window */ };

/* ---- values (value.c) ---- */
lp_val *lp_val_ref(lp_val *v);
void lp_val_unref(lp_val *v);   /* NULL is a no-op */
lp_val *lp_val_new(lp_vkind k);  /* refs = 1, zeroed; NULL when refused */
lp_val *lp_val_none(void);
lp_val *lp_val_bool(bool b);
lp_val *lp_val_int(int64_t i);
lp_val *lp_val_float(double f);
lp_val *lp_val_str(const char *s, size_t n);
lp_val *lp_val_list(lp_vkind k, int n);        /* LIST or TUPLE of n NULL slots, to fill */
lp_val *lp_val_df(lp_plan *p);                  /* takes over the reference */
lp_val *lp_val_colv(lp_colv **c);               /* takes over *c */
lp_colv *lp_colv_new(void);
void lp_colv_free(lp_colv *c);
/* Records that leaf (a column reference in c's tree) came from plan. */
LP_WUR bool lp_colv_add_origin(lp_colv *c, const lp_expr *leaf, lp_plan *plan);
/* Clones src's tree into dst's arena, carrying its origins over; NULL when refused. Trees from
 * an earlier cell get the span [start, end) on every node. */
lp_expr *lp_colv_import(lp_colv *dst, const lp_colv *src, int64_t start, int64_t end);
/* The frame a column reference came from, or NULL. */
lp_plan *lp_colv_origin(const lp_colv *c, const lp_expr *leaf);
/* The Python type name PySpark users see in messages: "int", "str", "DataFrame", "Column". */
const char *lp_val_type_name(const lp_val *v);
/* Python's repr, as the REPL prints values: 'text', 3, 2.5, [1, 2], Row(a=1), Column<'(a + 1)'>. */
void lp_val_repr(const lp_val *v, lp_strbuf *out);
/* str() for print(): strings without quotes, the rest as repr. */
void lp_val_str_of(const lp_val *v, lp_strbuf *out);
/* A table cell as a Python value (Row fields, collect()). */
lp_val *lp_val_from_cell(const lp_column *c, int64_t row);

/* ---- the session ---- */
typedef struct lp_var {
    char *name;
    lp_val *v;
} lp_var;

typedef struct lp_view {
    char *name;
    lp_plan *plan;
} lp_view;

struct loupe_session {
    lp_var *vars;
    int nvars, capvars;
    lp_view *views;
    int nviews, capviews;
    int64_t display_rows;
    int width, max_cell;
    /* the running cell */
    const char *code;
    size_t ncode;
    const loupe_output *out;
    lp_diag *d;
    lp_arena *arena;     /* the statement arena */
    int depth;
};

/* Variables: lookups borrow; set takes a new reference. */
lp_val *lp_sess_get(loupe_session *s, const char *name);
LP_WUR lp_status lp_sess_set(loupe_session *s, const char *name, lp_val *v);
LP_WUR lp_status lp_sess_set_view(loupe_session *s, const char *name, lp_plan *p);
lp_plan *lp_sess_view(loupe_session *s, const char *name);

/* Output helpers (session.c). */
void lp_sess_out(loupe_session *s, const char *text, size_t n);
void lp_sess_warn(loupe_session *s, const char *fmt, ...) LP_PRINTF(2, 3);
/* Displays a value as a cell result (DataFrames as tables, charts, scalars as their repr). */
LP_WUR lp_status lp_sess_display(loupe_session *s, lp_val *v, int64_t rows);
/* clear_output(): tells the front end to clear the cell's output. */
void lp_sess_clear(loupe_session *s);
/* help(v): the documentation as a HELP display; lp_sess_help_text only writes it into b. */
LP_WUR lp_status lp_sess_help(loupe_session *s, lp_val *v);
void lp_sess_help_text(loupe_session *s, lp_val *v, lp_strbuf *b);
/* Runs plan p (head >= 0: first rows only), then warns about lossy conversions it made. */
LP_WUR lp_status lp_sess_execute(loupe_session *s, lp_plan *p, int64_t head, lp_table **out);

/* ---- calls (interp.c) ---- */

/* Arguments of a call, evaluated: positional, then keyword. Spans for messages. */
typedef struct lp_args {
    lp_val **pos;
    lp_ast **pos_ast;
    int npos;
    lp_val **kw;
    const char **kwname;
    lp_ast **kw_ast;
    int nkw;
    int64_t start, end;   /* the whole call */
    const char *fname;    /* "filter", for messages */
} lp_args;

/* Binds arguments to a parameter list in Python's way. params: "n=20,truncate=True" style
 * names separated by commas (a trailing '*' name collects the rest positionally: "*cols").
 * out[i] gets the borrowed value of param i or NULL; ast[i] its node (may be NULL).
 * Errors as Python words them: "show() got an unexpected keyword argument 'rows'". */
LP_WUR lp_status lp_args_bind(loupe_session *s, const lp_args *a, const char *const *params, int nparams,
                              lp_val **out, lp_ast **ast);
/* The one-parameter form: *v (borrowed, or NULL when not given) and its node; `required`
 * makes a missing argument an error naming it. */
LP_WUR lp_status lp_args_one(loupe_session *s, const lp_args *a, const char *param, bool required, lp_val **v,
                             lp_ast **ast);

/* Error helpers: set the diag with the span of node n (NULL: the call's span). */
lp_status lp_err(loupe_session *s, lp_status st, const lp_ast *n, const char *fmt, ...) LP_PRINTF(4, 5);
lp_status lp_err_span(loupe_session *s, lp_status st, int64_t start, int64_t end, const char *fmt, ...)
    LP_PRINTF(5, 6);
void lp_hint(loupe_session *s, const char *fmt, ...) LP_PRINTF(2, 3);

/* Conversions with teaching errors ("limit() expects an int for n, got str"). */
LP_WUR lp_status lp_want_int(loupe_session *s, const lp_val *v, const lp_ast *n, const char *what, int64_t *out);
LP_WUR lp_status lp_want_float(loupe_session *s, const lp_val *v, const lp_ast *n, const char *what, double *out);
LP_WUR lp_status lp_want_bool(loupe_session *s, const lp_val *v, const lp_ast *n, const char *what, bool *out);
LP_WUR lp_status lp_want_str(loupe_session *s, const lp_val *v, const lp_ast *n, const char *what, const char **out);

/* A value used as a column: Column as is; str = a column name (or "*"); numbers, bools and None =
 * literals (when `lit_ok`). The result is a new Column value. */
LP_WUR lp_status lp_to_col(loupe_session *s, lp_val *v, const lp_ast *n, bool str_is_name, lp_val **out);
/* A value used as a literal in an expression (numbers, strings, bools, None, Columns as is). */
LP_WUR lp_status lp_to_lit_col(loupe_session *s, lp_val *v, const lp_ast *n, lp_val **out);
/* Flattens arguments that may be given as lists: select(["a", "b"]) == select("a", "b"). */
LP_WUR lp_status lp_flatten(loupe_session *s, lp_val **vals, lp_ast **asts, int n, lp_val ***out, lp_ast ***outast,
                            int *nout);

/* ---- method tables ---- */
typedef lp_status (*lp_method_fn)(loupe_session *s, lp_val *self, const lp_args *a, lp_val **out);
typedef struct lp_method {
    const char *name;
    lp_method_fn fn;
    const char *params;   /* for help and completion: "n=20, truncate=True" */
} lp_method;

/* The methods of a value kind (df.c, column.c); properties are methods with params NULL,
 * called on attribute access (df.columns). */
const lp_method *lp_methods(lp_vkind k, int *n);
const lp_method *lp_col_methods(int *n);  /* column.c */
/* Module attributes: spark.read, F.col ... (interp.c). */
LP_WUR lp_status lp_getattr(loupe_session *s, lp_val *obj, const char *name, const lp_ast *n, lp_val **out);
LP_WUR lp_status lp_call(loupe_session *s, lp_val *fn, const lp_args *a, lp_val **out);

/* ---- the functions module (column.c) ---- */
/* Calls F.<name> (or a bare function name). LP_ENAME with a did-you-mean when unknown. */
LP_WUR lp_status lp_fcall(loupe_session *s, const char *name, const lp_args *a, lp_val **out);
bool lp_fexists(const char *name);
/* The error for an unknown function (LP_EUNSUPPORTED for PySpark ones Loupe lacks). */
LP_WUR lp_status lp_funknown(loupe_session *s, const char *name, int64_t start, int64_t end);
/* Column operators: a op b where one side is a Column (interp.c calls this). */
LP_WUR lp_status lp_col_binop(loupe_session *s, const char *op, lp_val *a, lp_val *b, const lp_ast *n, lp_val **out);
LP_WUR lp_status lp_col_unop(loupe_session *s, const char *op, lp_val *a, const lp_ast *n, lp_val **out);

/* Window (pyspark.sql.window): the WindowSpec methods, and Window.<name>(...) called on the
 * class itself, which starts from an empty spec (column.c). */
const lp_method *lp_win_methods(int *n);
LP_WUR lp_status lp_window_static(loupe_session *s, const char *name, const lp_args *a, lp_val **out);
/* Window.unboundedPreceding and the other class constants; false when `name` is none. */
bool lp_window_const(const char *name, int64_t *v);

/* ---- DataFrame helpers (df.c) ---- */
/* Binds a Column to a frame: the expression a builder can take (origin and alias resolved). */
LP_WUR lp_status lp_df_sql_expr(loupe_session *s, const char *text, size_t n, const lp_ast *at, bool alias_ok,
                                lp_val **out);
/* withColumn: every column of `in`, with `name` replaced by (or, when new, followed by) the
 * unbound expression e. */
LP_WUR lp_status lp_df_with_column(loupe_session *s, lp_plan *in, const char *name, lp_expr *e, lp_plan **out);
LP_WUR lp_status lp_read(loupe_session *s, lp_reader *r, const char *path, const lp_ast *at, lp_val **out);
LP_WUR lp_status lp_spark_sql(loupe_session *s, const char *q, size_t n, const lp_ast *at, lp_val **out);

/* Offset into the cell of byte `off` of a string literal's value (for SQL carets); -1 when
 * str is not a literal. */
int64_t lp_str_offset(const lp_ast *str, size_t off);
/* The cell span of bytes [a, b) of the string argument `at`: exact within literal pieces
 * without escapes, else the piece's start, or the whole argument when it is not a literal. */
void lp_str_span(const lp_ast *at, int64_t a, int64_t b, int64_t *start, int64_t *end);
/* Moves spans of SQL text (offsets into the string's value) into the cell, for the diag and
 * for a parsed expression tree. */
void lp_sql_respan_diag(lp_diag *d, const lp_ast *at);
void lp_sql_respan_expr(lp_expr *e, const lp_ast *at);

/* The built-in object called `name` (spark, F, col, print, F's functions, type classes such
 * as IntegerType), or NULL when there is none (no error set). */
lp_val *lp_builtin_value(const char *name);

/* Exercise helpers (check.c): whether `name` is one, and calling it. */
bool lp_check_has(const char *name);
LP_WUR lp_status lp_check_call(loupe_session *s, const char *name, const lp_args *a, lp_val **out);

/* Evaluates an expression node (interp.c). */
LP_WUR lp_status lp_eval(loupe_session *s, const lp_ast *n, lp_val **out);

#endif /* LP_INTERP_H */
