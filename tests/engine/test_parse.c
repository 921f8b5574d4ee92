/* test_parse.c -- the language's lexer and parser (engine/lang/lex.c, parse.c): every construct
 * parses to the right tree with the right spans, Python's precedence, the continuation rules,
 * string escapes and their offsets, each syntax error with its exact span and message, the
 * nesting limit, and allocation failure at every point of lp_parse.
 *
 * Trees are compared as S-expressions (see sx below), so one line states a whole tree:
 *     (call (attr (name df) filter) (bin > (name a) (int 1)))
 */
#include "testutil.h"
#include "lang/ast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tree to text ---- */

static void sx(const lp_ast *n, char *buf, size_t cap, size_t *len);

static void put(char *buf, size_t cap, size_t *len, const char *fmt, ...) LP_PRINTF(4, 5);
static void put(char *buf, size_t cap, size_t *len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (*len < cap) {
        int k = vsnprintf(buf + *len, cap - *len, fmt, ap);
        if (k > 0) *len += (size_t)k;
    }
    va_end(ap);
}

static void sx_items(const lp_ast *n, char *buf, size_t cap, size_t *len) {
    for (int i = 0; i < n->nitems; i++) {
        put(buf, cap, len, " ");
        if (n->kwnames && n->kwnames[i]) put(buf, cap, len, "%s=", n->kwnames[i]);
        sx(n->items[i], buf, cap, len);
    }
}

static void sx(const lp_ast *n, char *buf, size_t cap, size_t *len) {
    switch (n->kind) {
    case LP_AST_NAME: put(buf, cap, len, "(name %s)", n->s); break;
    case LP_AST_INT: put(buf, cap, len, "(int %lld)", (long long)n->i); break;
    case LP_AST_FLOAT: put(buf, cap, len, "(float %g)", n->f); break;
    case LP_AST_STR: put(buf, cap, len, "(str '%.*s')", (int)n->n, n->s); break;
    case LP_AST_TRUE: put(buf, cap, len, "True"); break;
    case LP_AST_FALSE: put(buf, cap, len, "False"); break;
    case LP_AST_NONE: put(buf, cap, len, "None"); break;
    case LP_AST_LIST: put(buf, cap, len, "(list"); sx_items(n, buf, cap, len); put(buf, cap, len, ")"); break;
    case LP_AST_TUPLE: put(buf, cap, len, "(tuple"); sx_items(n, buf, cap, len); put(buf, cap, len, ")"); break;
    case LP_AST_DICT: put(buf, cap, len, "(dict"); sx_items(n, buf, cap, len); put(buf, cap, len, ")"); break;
    case LP_AST_ATTR:
        put(buf, cap, len, "(attr ");
        sx(n->a, buf, cap, len);
        put(buf, cap, len, " %s)", n->s);
        break;
    case LP_AST_CALL:
        put(buf, cap, len, "(call ");
        sx(n->a, buf, cap, len);
        sx_items(n, buf, cap, len);
        put(buf, cap, len, ")");
        break;
    case LP_AST_INDEX:
        put(buf, cap, len, "(index ");
        sx(n->a, buf, cap, len);
        put(buf, cap, len, " ");
        sx(n->b, buf, cap, len);
        put(buf, cap, len, ")");
        break;
    case LP_AST_UNARY:
        put(buf, cap, len, "(un %s ", n->op);
        sx(n->a, buf, cap, len);
        put(buf, cap, len, ")");
        break;
    case LP_AST_BINARY:
        put(buf, cap, len, "(bin %s ", n->op);
        sx(n->a, buf, cap, len);
        put(buf, cap, len, " ");
        sx(n->b, buf, cap, len);
        put(buf, cap, len, ")");
        break;
    case LP_AST_STAR:
        put(buf, cap, len, "(star %s ", n->op);
        sx(n->a, buf, cap, len);
        put(buf, cap, len, ")");
        break;
    case LP_AST_SLICE:
        put(buf, cap, len, "(slice ");
        if (n->a) sx(n->a, buf, cap, len);
        else put(buf, cap, len, "-");
        put(buf, cap, len, " ");
        if (n->b) sx(n->b, buf, cap, len);
        else put(buf, cap, len, "-");
        put(buf, cap, len, ")");
        break;
    }
}

static void sx_stmt(const lp_stmt *s, char *buf, size_t cap, size_t *len) {
    switch (s->kind) {
    case LP_STMT_EXPR: sx(s->expr, buf, cap, len); break;
    case LP_STMT_ASSIGN:
        put(buf, cap, len, "(= %s ", s->target);
        sx(s->expr, buf, cap, len);
        put(buf, cap, len, ")");
        break;
    case LP_STMT_IMPORT: put(buf, cap, len, "(import %s as %s)", s->module, s->target ? s->target : "-"); break;
    case LP_STMT_FROM:
        put(buf, cap, len, "(from %s", s->module);
        for (int i = 0; i < s->nnames; i++)
            put(buf, cap, len, " %s%s%s", s->names[i] ? s->names[i] : "*", s->aliases[i] ? "/" : "",
                s->aliases[i] ? s->aliases[i] : "");
        put(buf, cap, len, ")");
        break;
    }
}

/* Parses code and returns its statements as S-expressions joined by "; " (static buffer). */
static const char *parse_sx(const char *code) {
    static char buf[4096];
    lp_arena a;
    lp_arena_init(&a);
    lp_diag d;
    lp_diag_init(&d);
    lp_stmt *st;
    int ns;
    lp_status s = lp_parse(&a, code, strlen(code), &st, &ns, &d);
    if (s != LP_OK) fail_msg("parse of <%s> failed: %s", code, d.msg);
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < ns; i++) {
        if (i) put(buf, sizeof buf, &len, "; ");
        sx_stmt(&st[i], buf, sizeof buf, &len);
    }
    lp_arena_reset(&a);
    return buf;
}

#define assert_parses(code, want) assert_string_equal(parse_sx(code), (want))

static void fail_at(const char *file, int line, const char *fmt, ...) LP_PRINTF(3, 4);

/* Parses code expecting an error; checks status, span and message. */
static void assert_error_(const char *code, lp_status want, int64_t s0, int64_t s1, const char *msg, const char *file,
                          int line) {
    lp_arena a;
    lp_arena_init(&a);
    lp_diag d;
    lp_diag_init(&d);
    lp_stmt *st;
    int ns;
    lp_status s = lp_parse(&a, code, strlen(code), &st, &ns, &d);
    lp_arena_reset(&a);
    if (s != want || d.span_start != s0 || d.span_end != s1 || strcmp(d.msg, msg) != 0)
        fail_at(file, line, "<%s>: got status %d span [%lld,%lld) '%s'; want %d [%lld,%lld) '%s'", code, (int)s,
                     (long long)d.span_start, (long long)d.span_end, d.msg, (int)want, (long long)s0, (long long)s1, msg);
}
#define assert_error(code, st, s0, s1, msg) assert_error_((code), (st), (s0), (s1), (msg), __FILE__, __LINE__)

static void fail_at(const char *file, int line, const char *fmt, ...) {
    char m[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    print_error("%s:%d: %s\n", file, line, m);
    fail();
}

/* The one expression statement of code (the arena stays alive for the caller). */
static lp_ast *parse_one(lp_arena *a, const char *code) {
    lp_diag d;
    lp_diag_init(&d);
    lp_stmt *st;
    int ns;
    assert_int_equal(lp_parse(a, code, strlen(code), &st, &ns, &d), LP_OK);
    assert_int_equal(ns, 1);
    return st[0].expr;
}

/* ---- constructs ---- */

static void test_parse_atoms(void **state) {
    (void)state;
    assert_parses("x", "(name x)");
    assert_parses("42", "(int 42)");
    assert_parses("1_000", "(int 1000)");
    assert_parses("2.5", "(float 2.5)");
    assert_parses(".5", "(float 0.5)");
    assert_parses("1e3", "(float 1000)");
    assert_parses("'a'", "(str 'a')");
    assert_parses("\"b\"", "(str 'b')");
    assert_parses("'a' \"b\"", "(str 'ab')");
    assert_parses("True", "True");
    assert_parses("False", "False");
    assert_parses("None", "None");
    assert_parses("[]", "(list)");
    assert_parses("[1, 'x', None,]", "(list (int 1) (str 'x') None)");
    assert_parses("()", "(tuple)");
    assert_parses("(1,)", "(tuple (int 1))");
    assert_parses("(1, 2)", "(tuple (int 1) (int 2))");
    assert_parses("(1)", "(int 1)");
    assert_parses("{}", "(dict)");
    assert_parses("{'a': 1, 'b': [2]}", "(dict (str 'a') (int 1) (str 'b') (list (int 2)))");
}

static void test_parse_postfix(void **state) {
    (void)state;
    assert_parses("df.count()", "(call (attr (name df) count))");
    assert_parses("spark.read.json('p')", "(call (attr (attr (name spark) read) json) (str 'p'))");
    assert_parses("df['a']", "(index (name df) (str 'a'))");
    assert_parses("df[['a', 'b']]", "(index (name df) (list (str 'a') (str 'b')))");
    assert_parses("df['a', 'b']", "(index (name df) (tuple (str 'a') (str 'b')))");
    assert_parses("df.show(5, truncate=False)", "(call (attr (name df) show) (int 5) truncate=False)");
    assert_parses("df.select(*cols)", "(call (attr (name df) select) (star * (name cols)))");
    assert_parses("f(**kw)", "(call (name f) (star ** (name kw)))");
    assert_parses("f(a, )", "(call (name f) (name a))");
    assert_parses("x.tags[0]", "(index (attr (name x) tags) (int 0))");
    assert_parses("x[1:2]", "(index (name x) (slice (int 1) (int 2)))");
    assert_parses("x[:2]", "(index (name x) (slice - (int 2)))");
    assert_parses("x[1:]", "(index (name x) (slice (int 1) -))");
    /* a keyword after a dot is a name: df.filter(...).not is an attribute, as F.when's .otherwise */
    assert_parses("a.from", "(attr (name a) from)");
}

static void test_parse_operators(void **state) {
    (void)state;
    assert_parses("1 + 2 * 3", "(bin + (int 1) (bin * (int 2) (int 3)))");
    assert_parses("1 - 2 - 3", "(bin - (bin - (int 1) (int 2)) (int 3))");
    assert_parses("7 // 2 % 3 / 4", "(bin / (bin % (bin // (int 7) (int 2)) (int 3)) (int 4))");
    assert_parses("-x ** 2", "(un - (bin ** (name x) (int 2)))");
    assert_parses("2 ** 3 ** 2", "(bin ** (int 2) (bin ** (int 3) (int 2)))");
    assert_parses("~a & b", "(bin & (un ~ (name a)) (name b))");
    assert_parses("+a", "(un + (name a))");
    assert_parses("a | b ^ c & d", "(bin | (name a) (bin ^ (name b) (bin & (name c) (name d))))");
    /* Python's precedence: & binds tighter than >, the classic PySpark pitfall */
    assert_parses("a > 1 & b < 2", "(bin < (bin > (name a) (bin & (int 1) (name b))) (int 2))");
    assert_parses("(a > 1) & (b < 2)", "(bin & (bin > (name a) (int 1)) (bin < (name b) (int 2)))");
    assert_parses("a + 1 == b", "(bin == (bin + (name a) (int 1)) (name b))");
    assert_parses("a != b", "(bin != (name a) (name b))");
    assert_parses("a <= b", "(bin <= (name a) (name b))");
    assert_parses("a >= b", "(bin >= (name a) (name b))");
    assert_parses("a in [1]", "(bin in (name a) (list (int 1)))");
    assert_parses("a not in b", "(bin not in (name a) (name b))");
    assert_parses("a is None", "(bin is (name a) None)");
    assert_parses("a is not None", "(bin is not (name a) None)");
    assert_parses("not a == b", "(un not (bin == (name a) (name b)))");
    assert_parses("a or b and c", "(bin or (name a) (bin and (name b) (name c)))");
    assert_parses("not not a", "(un not (un not (name a)))");
    assert_parses("a and not b or c", "(bin or (bin and (name a) (un not (name b))) (name c))");
}

static void test_parse_statements(void **state) {
    (void)state;
    assert_parses("x = 1", "(= x (int 1))");
    assert_parses("x = 1\ny = x", "(= x (int 1)); (= y (name x))");
    assert_parses("x = 1; y = 2;", "(= x (int 1)); (= y (int 2))");
    assert_parses("# only a comment\n\n", "");
    assert_parses("x = 1  # trailing comment", "(= x (int 1))");
    assert_parses("print(a, b, sep=', ')", "(call (name print) (name a) (name b) sep=(str ', '))");
    assert_parses("import pyspark.sql.functions as F", "(import pyspark.sql.functions as F)");
    assert_parses("import pyspark", "(import pyspark as -)");
    assert_parses("from pyspark.sql import *", "(from pyspark.sql *)");
    assert_parses("from pyspark.sql.functions import col, count as n, avg",
                  "(from pyspark.sql.functions col count/n avg)");
    assert_parses("from pyspark.sql.functions import (col,\n  avg,\n)", "(from pyspark.sql.functions col avg)");
    assert_parses("f(x=1)", "(call (name f) x=(int 1))");
}

static void test_parse_continuation(void **state) {
    (void)state;
    /* a trailing backslash */
    assert_parses("x = 1 + \\\n  2", "(= x (bin + (int 1) (int 2)))");
    assert_parses("x = 1 + \\   \n  2", "(= x (bin + (int 1) (int 2)))");
    /* inside brackets */
    assert_parses("f(1,\n  2)\ng()", "(call (name f) (int 1) (int 2)); (call (name g))");
    assert_parses("[1,\n\n 2]", "(list (int 1) (int 2))");
    /* a next line that starts with '.', after blank lines and comments too */
    assert_parses("df\n  .a()\n  .b()", "(call (attr (call (attr (name df) a)) b))");
    assert_parses("df\n\n  # why\n  .a()\ny", "(call (attr (name df) a)); (name y)");
    /* but a line starting with a number like .5 is a new statement */
    assert_parses("x\n.5", "(name x); (float 0.5)");
    /* Windows line ends: \r is blank space, a backslash before \r\n continues */
    assert_parses("x = 1\r\ny = x \\\r\n  + 1\r\n", "(= x (int 1)); (= y (bin + (name x) (int 1)))");
    assert_parses("df\r\n  .a()\r\n", "(call (attr (name df) a))");
    assert_parses("\tx\t=\t1", "(= x (int 1))");
    /* the workshop styles */
    assert_parses("r = (df.filter(a)\n     .select('b'))", "(= r (call (attr (call (attr (name df) filter) (name a)) select) (str 'b')))");
    assert_parses("r = df.filter(a) \\\n    .select('b')",
                  "(= r (call (attr (call (attr (name df) filter) (name a)) select) (str 'b')))");
}

static void test_parse_spans(void **state) {
    (void)state;
    lp_arena a;
    lp_arena_init(&a);
    /*                         0123456789012345678901234567 */
    lp_ast *n = parse_one(&a, "df.filter(col('x') > 4)");
    assert_int_equal(n->kind, LP_AST_CALL);
    assert_int_equal(n->start, 0);
    assert_int_equal(n->end, 23);
    assert_int_equal(n->op_start, 9);           /* the '(' */
    assert_int_equal(n->a->kind, LP_AST_ATTR);
    assert_int_equal(n->a->start, 0);
    assert_int_equal(n->a->end, 9);
    assert_int_equal(n->a->op_start, 3);        /* the name after the dot */
    lp_ast *cmp = n->items[0];
    assert_int_equal(cmp->kind, LP_AST_BINARY);
    assert_string_equal(cmp->op, ">");
    assert_int_equal(cmp->start, 10);
    assert_int_equal(cmp->end, 22);
    assert_int_equal(cmp->op_start, 19);
    assert_int_equal(cmp->a->start, 10);
    assert_int_equal(cmp->a->end, 18);
    assert_int_equal(cmp->a->items[0]->start, 14);
    assert_int_equal(cmp->a->items[0]->end, 17);
    assert_int_equal(cmp->b->start, 21);
    assert_int_equal(cmp->b->end, 22);
    /* a parenthesised expression's span covers its brackets */
    n = parse_one(&a, "(a + b) * 2");
    assert_int_equal(n->a->start, 0);
    assert_int_equal(n->a->end, 7);
    assert_int_equal(n->op_start, 8);
    /* an index covers its brackets; a unary its operator */
    n = parse_one(&a, "-df['a']");
    assert_int_equal(n->kind, LP_AST_UNARY);
    assert_int_equal(n->start, 0);
    assert_int_equal(n->end, 8);
    assert_int_equal(n->a->start, 1);
    assert_int_equal(n->a->end, 8);
    assert_int_equal(n->a->op_start, 3);
    /* statement spans, across a continuation */
    lp_diag d;
    lp_diag_init(&d);
    lp_stmt *st;
    int ns;
    const char *code = "x = 1\ny = f(2,\n 3)\n";
    assert_int_equal(lp_parse(&a, code, strlen(code), &st, &ns, &d), LP_OK);
    assert_int_equal(ns, 2);
    assert_int_equal(st[0].start, 0);
    assert_int_equal(st[0].end, 5);
    assert_int_equal(st[0].target_start, 0);
    assert_int_equal(st[0].target_end, 1);
    assert_int_equal(st[1].start, 6);
    assert_int_equal(st[1].end, 18);
    assert_int_equal(st[1].expr->start, 10);
    lp_arena_reset(&a);
}

static void test_parse_strings(void **state) {
    (void)state;
    assert_parses("'a\\nb'", "(str 'a\nb')");
    assert_parses("'a\\tb\\\\c\\'d\\\"e'", "(str 'a\tb\\c'd\"e')");
    assert_parses("'\\d'", "(str '\\d')");          /* an unknown escape keeps its backslash */
    assert_parses("r'\\d+'", "(str '\\d+')");
    assert_parses("R\"a\\n\"", "(str 'a\\n')");
    assert_parses("'''a\nb'''", "(str 'a\nb')");
    assert_parses("\"\"\"x \"y\" z\"\"\"", "(str 'x \"y\" z')");
    assert_parses("'it''s'", "(str 'its')");
    lp_arena a;
    lp_arena_init(&a);
    /* verbatim strings map value offsets to body + offset */
    lp_ast *n = parse_one(&a, "f(\"SELECT x\")");
    lp_ast *s = n->items[0];
    assert_int_equal(s->kind, LP_AST_STR);
    assert_true(s->verbatim);
    assert_int_equal(s->body, 3);
    assert_int_equal(s->start, 2);
    assert_int_equal(s->end, 12);
    n = parse_one(&a, "'''abc'''");
    assert_true(n->verbatim);
    assert_int_equal(n->body, 3);
    n = parse_one(&a, "r'a\\b'");
    assert_true(n->verbatim);
    assert_int_equal(n->body, 2);
    n = parse_one(&a, "'a\\tb'");
    assert_false(n->verbatim);
    assert_int_equal(n->body, 1);
    /* concatenated literals are not one run of source bytes */
    n = parse_one(&a, "'a' 'b'");
    assert_false(n->verbatim);
    assert_int_equal(n->end, 7);
    lp_arena_reset(&a);
}

static void test_parse_lexer_open(void **state) {
    (void)state;
    struct { const char *code; lp_lex_open open; } cases[] = {
        {"f(1,", LP_LEX_OPEN_BRACKET},
        {"[1, (2", LP_LEX_OPEN_BRACKET},
        {"x = 1 + \\", LP_LEX_BACKSLASH},
        {"x = 1 + \\  ", LP_LEX_BACKSLASH},
        {"'''abc", LP_LEX_OPEN_STRING},
        {"'abc", LP_LEX_CLOSED},
        {"f(1))", LP_LEX_CLOSED},
    };
    for (size_t i = 0; i < LP_ARRAY_LEN(cases); i++) {
        lp_arena a;
        lp_arena_init(&a);
        lp_diag d;
        lp_diag_init(&d);
        lp_token *t;
        int nt;
        lp_lex_open open = LP_LEX_CLOSED;
        lp_status st = lp_lex(&a, cases[i].code, strlen(cases[i].code), &t, &nt, &open, &d);
        lp_arena_reset(&a);
        assert_int_equal(st, LP_ESYNTAX);
        if (open != cases[i].open) fail_msg("<%s>: open %d, want %d", cases[i].code, (int)open, (int)cases[i].open);
    }
}

static void test_parse_tokens(void **state) {
    (void)state;
    lp_arena a;
    lp_arena_init(&a);
    lp_diag d;
    lp_diag_init(&d);
    lp_token *t;
    int nt;
    const char *code = "a.b(1, x=2.5) ** 'q' // not None";
    assert_int_equal(lp_lex(&a, code, strlen(code), &t, &nt, NULL, &d), LP_OK);
    static const lp_tok_kind kinds[] = {LP_TOK_NAME, LP_TOK_OP, LP_TOK_NAME, LP_TOK_OP, LP_TOK_INT, LP_TOK_OP,
                                        LP_TOK_NAME, LP_TOK_OP, LP_TOK_FLOAT, LP_TOK_OP, LP_TOK_OP, LP_TOK_STRING,
                                        LP_TOK_OP, LP_TOK_KEYWORD, LP_TOK_KEYWORD, LP_TOK_NEWLINE, LP_TOK_EOF};
    assert_int_equal(nt, (int)LP_ARRAY_LEN(kinds));
    for (int i = 0; i < nt; i++) assert_int_equal(t[i].kind, kinds[i]);
    assert_string_equal(t[10].op, "**");
    assert_int_equal(t[10].start, 14);
    assert_int_equal(t[10].end, 16);
    assert_string_equal(t[12].op, "//");
    assert_string_equal(t[13].op, "not");
    assert_int_equal(t[4].i, 1);
    assert_true(t[8].f == 2.5);
    assert_int_equal(t[11].start, 17);
    assert_int_equal(t[11].end, 20);
    assert_int_equal(t[11].body, 18);
    assert_int_equal(t[15].start, (int64_t)strlen(code));
    lp_arena_reset(&a);
}

/* ---- errors: status, exact span, message ---- */

static void test_parse_errors_lexical(void **state) {
    (void)state;
    assert_error("f(1, 2", LP_ESYNTAX, 1, 2, "'(' is never closed");
    assert_error("x = [1, (2]", LP_ESYNTAX, 10, 11, "']' does not match the '(' opened before it");
    assert_error("x = 1)", LP_ESYNTAX, 5, 6, "this closing bracket has no opening bracket");
    assert_error("x = 'abc", LP_ESYNTAX, 4, 8, "this string is not closed");
    assert_error("x = 'ab\ny'", LP_ESYNTAX, 4, 7, "this string is not closed");
    assert_error("x = '''ab", LP_ESYNTAX, 4, 9, "this string is not closed");
    assert_error("x = 1 $ 2", LP_ESYNTAX, 6, 7, "this character is not part of the language");
    assert_error("x = 1 ? 2", LP_ESYNTAX, 6, 7, "this character is not part of the language");
    assert_error("x = 12abc", LP_ESYNTAX, 4, 7, "this number runs into a name");
    assert_error("x = 99999999999999999999", LP_ESYNTAX, 4, 24,
                 "this integer is too large (the limit is 9223372036854775807)");
    assert_error("x = 1 \\ 2", LP_ESYNTAX, 6, 7, "a backslash continues a line only at its very end");
    assert_error("x = 1 + \\", LP_ESYNTAX, 8, 9,
                 "the last line ends with a backslash, so the statement goes on, but the text ends");
}

static void test_parse_errors_grammar(void **state) {
    (void)state;
    assert_error("x = ", LP_ESYNTAX, 4, 5, "expected an expression, found the end of the line");
    assert_error("x = 1 +", LP_ESYNTAX, 7, 8, "expected an expression, found the end of the line");
    assert_error("df.", LP_ESYNTAX, 3, 4, "expected a name after '.', found the end of the line");
    assert_error("df.1", LP_ESYNTAX, 2, 4, "expected the end of the statement, found a number");
    assert_error("f(1 2)", LP_ESYNTAX, 4, 5, "expected ',' or ')' in the argument list, found a number");
    assert_error("[1 2]", LP_ESYNTAX, 3, 4, "expected ',' or ']', found a number");
    assert_error("{1 2}", LP_ESYNTAX, 3, 4, "expected ':' between a key and its value, found a number");
    assert_error("f(a=1, 2)", LP_ESYNTAX, 7, 8, "a positional argument cannot follow keyword arguments");
    assert_error("x y", LP_ESYNTAX, 2, 3, "expected an operator or the end of the statement, found 'y'");
    assert_error("df.filter(a) = 3", LP_ESYNTAX, 0, 13, "only a plain name can be assigned to");
    assert_error("x = 1 = 2", LP_ESYNTAX, 6, 7, "expected the end of the statement, found '='");
    assert_error("a <> b", LP_ESYNTAX, 2, 4, "expected an operator, found '<>'");
    assert_error("f(lambda x: x)", LP_ESYNTAX, 2, 8, "expected an expression, found 'lambda'");
    assert_error("def f(): 1", LP_ESYNTAX, 0, 3, "expected an expression, found 'def'");
    assert_error("x = a if b else c", LP_ESYNTAX, 6, 8, "expected an operator or the end of the expression, found 'if'");
    assert_error("import 3", LP_ESYNTAX, 7, 8, "expected a module name, found a number");
    assert_error("import a as 3", LP_ESYNTAX, 12, 13, "expected a name after 'as', found a number");
    assert_error("from a b", LP_ESYNTAX, 7, 8, "expected 'import', found 'b'");
    assert_error("from a import 3", LP_ESYNTAX, 14, 15, "expected a name to import, found a number");
    assert_error("x = )", LP_ESYNTAX, 4, 5, "this closing bracket has no opening bracket");
    assert_error("x = ,", LP_ESYNTAX, 4, 5, "expected an expression, found ','");
    assert_error("{1:}", LP_ESYNTAX, 3, 4, "expected an expression, found '}'");
    assert_error("import", LP_ESYNTAX, 6, 7, "expected a module name, found the end of the line");
    assert_error("from x import", LP_ESYNTAX, 13, 14, "expected a name to import, found the end of the line");
    assert_error("a.\nb", LP_ESYNTAX, 2, 3, "expected a name after '.', found the end of the line");
    assert_error("x += 1", LP_ESYNTAX, 2, 4, "expected the end of the statement, found '+='");
    assert_error("f(*)", LP_ESYNTAX, 3, 4, "expected an expression, found ')'");
    assert_error("x = 0x1F", LP_ESYNTAX, 4, 6, "this number runs into a name");
    assert_error("x = 1.5.2", LP_ESYNTAX, 7, 9, "expected the end of the statement, found a number");
    assert_error("df[]", LP_ESYNTAX, 3, 4, "expected an expression, found ']'");
    assert_error("x = @", LP_ESYNTAX, 4, 5, "expected an expression, found '@'");
    assert_error("x == = 1", LP_ESYNTAX, 5, 6, "expected an expression, found '='");
    assert_error("for i in x: pass", LP_ESYNTAX, 0, 3, "expected an expression, found 'for'");
    /* the hint says what to do */
    lp_arena a;
    lp_arena_init(&a);
    lp_diag d;
    lp_diag_init(&d);
    lp_stmt *st;
    int ns;
    const char *code = "df.filter(x if y else z)";
    assert_int_equal(lp_parse(&a, code, strlen(code), &st, &ns, &d), LP_ESYNTAX);
    assert_string_equal(d.hint, "conditional expressions are not supported; use F.when(cond, a).otherwise(b)");
    lp_diag_init(&d);
    code = "x = 1 = 2";
    assert_int_equal(lp_parse(&a, code, strlen(code), &st, &ns, &d), LP_ESYNTAX);
    assert_string_equal(d.hint, "use == to compare; = only assigns to a name");
    lp_diag_init(&d);
    code = "f(a b)";
    assert_int_equal(lp_parse(&a, code, strlen(code), &st, &ns, &d), LP_ESYNTAX);
    assert_string_equal(d.msg, "expected ',' or ')' in the argument list, found 'b'");
    lp_arena_reset(&a);
}

/* Errors in a later statement point into the whole cell, not into the statement. */
static void test_parse_errors_later_line(void **state) {
    (void)state;
    assert_error("x = 1\ny = 2\nz = (3 +)", LP_ESYNTAX, 20, 21, "expected an expression, found ')'");
    assert_error("a = 1\nb = 'x", LP_ESYNTAX, 10, 12, "this string is not closed");
}

static char *repeat(const char *s, int n, const char *mid, const char *close) {
    size_t ls = strlen(s), lm = strlen(mid), lc = strlen(close);
    char *b = malloc(ls * (size_t)n + lm + lc * (size_t)n + 1);
    assert_non_null(b);
    size_t k = 0;
    for (int i = 0; i < n; i++, k += ls) memcpy(b + k, s, ls);
    memcpy(b + k, mid, lm);
    k += lm;
    for (int i = 0; i < n; i++, k += lc) memcpy(b + k, close, lc);
    b[k] = 0;
    return b;
}

static lp_status parse_status(const char *code, lp_diag *d) {
    lp_arena a;
    lp_arena_init(&a);
    lp_diag_init(d);
    lp_stmt *st;
    int ns;
    lp_status s = lp_parse(&a, code, strlen(code), &st, &ns, d);
    lp_arena_reset(&a);
    return s;
}

static void test_parse_nesting_limit(void **state) {
    (void)state;
    lp_diag d;
    /* deep but allowed */
    char *ok = repeat("(", 200, "1", ")");
    assert_int_equal(parse_status(ok, &d), LP_OK);
    free(ok);
    ok = repeat("-", 200, "1", "");
    assert_int_equal(parse_status(ok, &d), LP_OK);
    free(ok);
    /* brackets: the lexer's limit */
    char *deep = repeat("[", 300, "1", "]");
    assert_int_equal(parse_status(deep, &d), LP_ELIMIT);
    assert_string_equal(d.msg, "brackets are nested too deeply");
    assert_int_equal(d.span_start, 256);
    assert_int_equal(d.span_end, 257);
    free(deep);
    /* operators: the parser's limit, as an error, not a stack overflow */
    deep = repeat("-", 5000, "1", "");
    assert_int_equal(parse_status(deep, &d), LP_ELIMIT);
    free(deep);
    deep = repeat("not ", 5000, "1", "");
    assert_int_equal(parse_status(deep, &d), LP_ELIMIT);
    free(deep);
    /* the limit error points at the operator where it was hit, like every other error */
    char *cell = repeat("-", 600, "1", "");
    char *code = malloc(strlen(cell) + 5);
    assert_non_null(code);
    strcpy(code, "x = ");
    strcat(code, cell);
    assert_int_equal(parse_status(code, &d), LP_ELIMIT);
    assert_true(d.span_start >= 4 && d.span_start < 604);
    assert_true(d.span_end > d.span_start);
    free(cell);
    free(code);
    deep = repeat("f(", 120, "1", ")");
    assert_int_equal(parse_status(deep, &d), LP_OK);
    free(deep);
}

/* Allocation failure at every point of lp_parse: LP_ENOMEM (or success), never a crash, and
 * nothing left allocated once the arena is reset. */
static void test_parse_alloc_failure(void **state) {
    (void)state;
    const char *code =
        "import pyspark.sql.functions as F\n"
        "from pyspark.sql.functions import col, avg as mean\n"
        "df = spark.read.json('data/reviews.json')\n"
        "r = (df.filter((F.col('overall') > 3) & ~col('x').isNull())\n"
        "     .groupBy('asin').agg(F.count('*').alias('n'), mean('overall'))\n"
        "     .orderBy(F.desc('n'), ascending=[False]))\n"
        "r.show(5, truncate=False); print([1, 2.5, 'a' 'b', None, {'k': (1,)}], r['n', 'asin'])\n"
        "x = -1 ** 2 // 3 % 4 not in [1] or not a is not None\n"
        "f(*xs, **kw)\n";
    int64_t before = lp_mem_used();
    int oks = 0, k;
    for (k = 1; k < 5000; k++) {
        lp_arena a;
        lp_arena_init(&a);
        lp_diag d;
        lp_diag_init(&d);
        lp_stmt *st;
        int ns = -1;
        lp_mem_fail_at(k, k % 2 == 0);
        lp_status s = lp_parse(&a, code, strlen(code), &st, &ns, &d);
        int64_t failed = lp_mem_fail_at(0, false);
        if (s == LP_OK) {
            assert_int_equal(ns, 8);
            oks++;
        } else {
            assert_int_equal(s, LP_ENOMEM);
            assert_int_equal(d.status, LP_ENOMEM);
        }
        lp_arena_reset(&a);
        assert_int_equal(lp_mem_used(), before);
        if (failed == 0) break;
    }
    assert_true(k > 5);
    assert_true(oks >= 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TU_TEST(test_parse_atoms),
        TU_TEST(test_parse_postfix),
        TU_TEST(test_parse_operators),
        TU_TEST(test_parse_statements),
        TU_TEST(test_parse_continuation),
        TU_TEST(test_parse_spans),
        TU_TEST(test_parse_strings),
        TU_TEST(test_parse_lexer_open),
        TU_TEST(test_parse_tokens),
        TU_TEST(test_parse_errors_lexical),
        TU_TEST(test_parse_errors_grammar),
        TU_TEST(test_parse_errors_later_line),
        TU_TEST(test_parse_nesting_limit),
        TU_TEST(test_parse_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
