/* ast.h -- the language's tokens and syntax tree: a small subset of Python's expression
 * syntax, enough for PySpark DataFrame code.
 *
 * The lexer (lex.c) turns a cell into tokens with byte spans; the parser (parse.c) turns them
 * into statements. Everything lives in the statement arena the caller passes, so one
 * lp_arena_reset frees a cell's tokens and tree. Neither module knows what a DataFrame is:
 * names, attributes and calls are resolved by the interpreter (interp.c).
 */
#ifndef LP_AST_H
#define LP_AST_H
#include "loupe_int.h"

/* ---- tokens (lex.c) ---- */

typedef enum lp_tok_kind {
    LP_TOK_EOF,
    LP_TOK_NEWLINE,  /* end of a statement: a newline outside brackets, or ';' */
    LP_TOK_NAME,
    LP_TOK_INT,
    LP_TOK_FLOAT,
    LP_TOK_STRING,
    LP_TOK_OP,       /* punctuation and operators; `op` holds its text */
    LP_TOK_KEYWORD,  /* and or not in is None True False import from as (op holds it) */
} lp_tok_kind;

typedef struct lp_token {
    lp_tok_kind kind;
    int64_t start, end;   /* byte span in the cell */
    char op[8];           /* OP and KEYWORD text */
    const char *s;        /* NAME text, STRING value (decoded, in the arena; NUL-terminated) */
    size_t n;
    int64_t i;            /* INT */
    double f;             /* FLOAT */
    int64_t body;         /* STRING: offset of the first character inside the quotes */
    bool verbatim;        /* STRING: the value is the source bytes unchanged (no escapes), so
                           * offsets into the value map to body + offset in the cell */
    bool raw;             /* STRING: r"..." (backslashes are not escapes) */
} lp_token;

/* Why lexing stopped early when the text is only a prefix of a statement (the REPL's question:
 * can more input fix it?). */
typedef enum lp_lex_open {
    LP_LEX_CLOSED = 0,
    LP_LEX_OPEN_BRACKET,   /* an unclosed ( [ { */
    LP_LEX_OPEN_STRING,    /* an unterminated triple-quoted string */
    LP_LEX_BACKSLASH,      /* a trailing backslash */
} lp_lex_open;

/* Tokenises code[0, n) into *toks (arena array ending with EOF). On a lexical error returns
 * LP_ESYNTAX with the span; *open says whether more text could close what is open. */
LP_WUR lp_status lp_lex(lp_arena *a, const char *code, size_t n, lp_token **toks, int *ntoks, lp_lex_open *open,
                        lp_diag *d);

/* ---- tree (parse.c) ---- */

typedef enum lp_ast_kind {
    LP_AST_NAME, LP_AST_INT, LP_AST_FLOAT, LP_AST_STR, LP_AST_TRUE, LP_AST_FALSE, LP_AST_NONE,
    LP_AST_LIST,     /* [a, b] */
    LP_AST_TUPLE,    /* (a, b) */
    LP_AST_DICT,     /* {k: v}: items are k0, v0, k1, v1, ... */
    LP_AST_ATTR,     /* a.name */
    LP_AST_CALL,     /* a(args): items, with kwnames[i] non-NULL for keyword arguments */
    LP_AST_INDEX,    /* a[b] */
    LP_AST_UNARY,    /* op a: "-", "+", "~", "not" */
    LP_AST_BINARY,   /* a op b: + - * / // % ** & | ^ == != < <= > >= in "not in" is "is not" and or */
    LP_AST_STAR,     /* *a inside a call's arguments */
    LP_AST_SLICE,    /* a:b inside [ ]: a and b may be NULL */
} lp_ast_kind;

typedef struct lp_ast lp_ast;
struct lp_ast {
    lp_ast_kind kind;
    int64_t start, end;     /* byte span in the cell */
    const char *s;          /* NAME, ATTR name, STR value */
    size_t n;
    int64_t i;
    double f;
    const char *op;         /* UNARY, BINARY */
    int64_t op_start;       /* the operator's own position, for carets */
    lp_ast *a, *b;
    lp_ast **items;         /* LIST, TUPLE, DICT, CALL arguments */
    const char **kwnames;   /* CALL: keyword names or NULL per argument */
    int nitems;
    int64_t body;           /* STR: see lp_token */
    bool verbatim;
    /* STR written as adjacent literals ("SELECT a, " "b FROM t"): where each piece's value
     * starts in s (poff) and in the cell (pbody), and whether it holds no escapes */
    int npieces;
    int64_t *poff, *pbody;
    bool *pverb, *praw;
    const char *code;       /* STR: the cell text, to map offsets through escapes */
};

typedef enum lp_stmt_kind {
    LP_STMT_EXPR,    /* its value is displayed when it is the cell's last statement */
    LP_STMT_ASSIGN,  /* name = expr */
    LP_STMT_IMPORT,  /* import a.b.c [as x] */
    LP_STMT_FROM,    /* from a.b import x [as y], ... | * */
} lp_stmt_kind;

typedef struct lp_stmt {
    lp_stmt_kind kind;
    int64_t start, end;
    lp_ast *expr;           /* EXPR, ASSIGN */
    const char *target;     /* ASSIGN target; IMPORT alias (or NULL) */
    int64_t target_start, target_end;
    const char *module;     /* IMPORT, FROM: dotted module name */
    const char **names;     /* FROM: imported names (NULL entry for '*') */
    const char **aliases;
    int nnames;
} lp_stmt;

/* Parses a cell into statements. Errors: LP_ESYNTAX with the span of the token where the
 * parse failed and a message that says what was expected. LP_ELIMIT past 500 nested levels. */
LP_WUR lp_status lp_parse(lp_arena *a, const char *code, size_t n, lp_stmt **stmts, int *nstmts, lp_diag *d);

#endif /* LP_AST_H */
