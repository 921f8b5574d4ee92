/* lex.c -- tokens of the Python subset, with byte spans.
 *
 * Statements end at a newline outside brackets, at ';', or at the end. A newline does not end
 * a statement inside ( [ {, after a backslash, or when the next non-blank line starts with '.'
 * (the method-chain style: `df.filter(...)\n  .select(...)`). Comments run from '#' to the
 * end of the line. Indentation is not significant (there are no blocks).
 *
 * Strings: '...' "..." and triple-quoted forms, with Python's escapes; r-prefixed strings
 * keep backslashes. A string's value is decoded into the arena; when it holds no escapes it is
 * marked verbatim, so a SQL error inside it can point at the exact byte in the cell.
 */
#include "lang/ast.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const keywords[] = {"and", "or", "not", "in", "is", "None", "True", "False",
                                       "import", "from", "as", "lambda", "def", "class", "if", "else",
                                       "for", "while", "return", "with", "del", "global", "yield"};

typedef struct lexer {
    lp_arena *a;
    const char *s;
    size_t n, i;
    int depth;
    lp_token *toks;
    int ntoks, cap;
    lp_diag *d;
    lp_lex_open open;
} lexer;

static lp_token *push(lexer *L, lp_tok_kind k, size_t start, size_t end) {
    if (L->ntoks == L->cap) {
        int nc = L->cap ? L->cap * 2 : 64;
        lp_token *nt = lp_arena_alloc(L->a, sizeof(lp_token) * (size_t)nc);
        if (!nt) return NULL;
        if (L->ntoks) memcpy(nt, L->toks, sizeof(lp_token) * (size_t)L->ntoks);
        L->toks = nt;
        L->cap = nc;
    }
    lp_token *t = &L->toks[L->ntoks++];
    memset(t, 0, sizeof *t);
    t->kind = k;
    t->start = (int64_t)start;
    t->end = (int64_t)end;
    return t;
}

static lp_status err(lexer *L, size_t start, size_t end, const char *msg, const char *hint) {
    lp_diag_set(L->d, LP_ESYNTAX, "%s", msg);
    if (hint) lp_diag_hint(L->d, "%s", hint);
    lp_diag_span(L->d, (int64_t)start, (int64_t)end);
    return LP_ESYNTAX;
}

/* After a newline at depth 0: does the next non-blank, non-comment line start with '.'? */
static bool next_line_is_dot(const lexer *L, size_t i) {
    while (i < L->n) {
        char c = L->s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { i++; continue; }
        if (c == '#') {
            while (i < L->n && L->s[i] != '\n') i++;
            continue;
        }
        return c == '.' && !(i + 1 < L->n && isdigit((unsigned char)L->s[i + 1]));
    }
    return false;
}

/* string -> [rR]? quote ... quote, with escapes unless raw */
static lp_status lex_string(lexer *L, size_t start) {
    size_t i = start;
    bool raw = false;
    if (L->s[i] == 'r' || L->s[i] == 'R') { raw = true; i++; }
    char q = L->s[i];
    bool triple = i + 2 < L->n && L->s[i + 1] == q && L->s[i + 2] == q;
    size_t body = i + (triple ? 3 : 1);
    lp_strbuf b;
    lp_strbuf_init(&b);
    bool verbatim = true;
    for (i = body;; i++) {
        if (i >= L->n || (!triple && L->s[i] == '\n')) {
            lp_strbuf_reset(&b);
            if (triple) L->open = LP_LEX_OPEN_STRING;
            return err(L, start, i, "this string is not closed", triple ? "close it with three quotes"
                                                                      : "end it with the same quote it starts with, on the same line");
        }
        char c = L->s[i];
        if (c == q && (!triple || (i + 2 < L->n && L->s[i + 1] == q && L->s[i + 2] == q))) break;
        if (c == '\\' && !raw && i + 1 < L->n) {
            char e = L->s[++i];
            verbatim = false;
            switch (e) {
            case 'n': lp_strbuf_putc(&b, '\n'); break;
            case 't': lp_strbuf_putc(&b, '\t'); break;
            case 'r': lp_strbuf_putc(&b, '\r'); break;
            case '0': lp_strbuf_putc(&b, '\0'); break;
            case '\\': case '\'': case '"': lp_strbuf_putc(&b, e); break;
            case '\n': break;
            default: lp_strbuf_putc(&b, '\\'); lp_strbuf_putc(&b, e); break;
            }
            continue;
        }
        lp_strbuf_putc(&b, c);
    }
    size_t end = i + (triple ? 3 : 1);
    lp_token *t = push(L, LP_TOK_STRING, start, end);
    char *v = t && !b.nomem ? lp_arena_strndup(L->a, b.p ? b.p : "", b.len) : NULL;
    size_t len = b.len;
    lp_strbuf_reset(&b);
    if (!v) return lp_diag_nomem(L->d, "parser");
    t->s = v;
    t->n = len;
    t->body = (int64_t)body;
    t->verbatim = verbatim;
    t->raw = raw;
    L->i = end;
    return LP_OK;
}

static lp_status lex_number(lexer *L) {
    size_t start = L->i, i = start;
    bool isfloat = false;
    while (i < L->n && (isdigit((unsigned char)L->s[i]) || L->s[i] == '_')) i++;
    if (i < L->n && L->s[i] == '.' && !(i + 1 < L->n && isalpha((unsigned char)L->s[i + 1]))) {
        isfloat = true;
        i++;
        while (i < L->n && (isdigit((unsigned char)L->s[i]) || L->s[i] == '_')) i++;
    }
    if (i < L->n && (L->s[i] == 'e' || L->s[i] == 'E')) {
        size_t j = i + 1;
        if (j < L->n && (L->s[j] == '+' || L->s[j] == '-')) j++;
        if (j < L->n && isdigit((unsigned char)L->s[j])) {
            isfloat = true;
            i = j;
            while (i < L->n && isdigit((unsigned char)L->s[i])) i++;
        }
    }
    char buf[64];
    size_t k = 0;
    for (size_t j = start; j < i && k < sizeof buf - 1; j++)
        if (L->s[j] != '_') buf[k++] = L->s[j];
    buf[k] = 0;
    if (i < L->n && (isalpha((unsigned char)L->s[i]) || L->s[i] == '_'))
        return err(L, start, i + 1, "this number runs into a name", "put a space or an operator between them");
    lp_token *t = push(L, isfloat ? LP_TOK_FLOAT : LP_TOK_INT, start, i);
    if (!t) return lp_diag_nomem(L->d, "parser");
    if (isfloat) {
        t->f = strtod(buf, NULL);
    } else {
        char *e;
        errno = 0;
        long long v = strtoll(buf, &e, 10);
        if (errno || k >= sizeof buf - 1)
            return err(L, start, i, "this integer is too large (the limit is 9223372036854775807)", "write it as a float: 1e20");
        t->i = v;
    }
    L->i = i;
    return LP_OK;
}

static const char *const ops3[] = {"**=", "//=", "..."};
static const char *const ops2[] = {"==", "!=", "<=", ">=", "**", "//", "->", "+=", "-=", "*=", "/=", "<<", ">>", "<>"};
static const char ops1[] = "()[]{},.:;=<>+-*/%&|~^@";

LP_WUR lp_status lp_lex(lp_arena *a, const char *code, size_t n, lp_token **toks, int *ntoks, lp_lex_open *open,
                        lp_diag *d) {
    lexer L = {.a = a, .s = code, .n = n, .d = d};
    char stack[256];
    size_t stackpos[256];
    lp_status st = LP_OK;
    while (st == LP_OK && L.i < n) {
        char c = code[L.i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f') { L.i++; continue; }
        if (c == '#') {
            while (L.i < n && code[L.i] != '\n') L.i++;
            continue;
        }
        if (c == '\\') {
            size_t j = L.i + 1;
            while (j < n && (code[j] == ' ' || code[j] == '\t' || code[j] == '\r')) j++;
            if (j >= n) { L.open = LP_LEX_BACKSLASH; L.i = j; break; }
            if (code[j] != '\n') { st = err(&L, L.i, L.i + 1, "a backslash continues a line only at its very end", NULL); break; }
            L.i = j + 1;
            continue;
        }
        if (c == '\n') {
            L.i++;
            if (L.depth == 0 && !next_line_is_dot(&L, L.i) && L.ntoks && L.toks[L.ntoks - 1].kind != LP_TOK_NEWLINE)
                if (!push(&L, LP_TOK_NEWLINE, L.i - 1, L.i)) st = lp_diag_nomem(d, "parser");
            continue;
        }
        if (c == ';' && L.depth == 0) {
            if (!push(&L, LP_TOK_NEWLINE, L.i, L.i + 1)) st = lp_diag_nomem(d, "parser");
            L.i++;
            continue;
        }
        if (c == '"' || c == '\'' ||
            ((c == 'r' || c == 'R') && L.i + 1 < n && (code[L.i + 1] == '"' || code[L.i + 1] == '\''))) {
            st = lex_string(&L, L.i);
            continue;
        }
        if (isdigit((unsigned char)c) || (c == '.' && L.i + 1 < n && isdigit((unsigned char)code[L.i + 1]))) {
            st = lex_number(&L);
            continue;
        }
        if (isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80) {
            size_t j = L.i;
            while (j < n && (isalnum((unsigned char)code[j]) || code[j] == '_' || (unsigned char)code[j] >= 0x80)) j++;
            bool kw = false;
            for (size_t k = 0; k < LP_ARRAY_LEN(keywords); k++)
                if (strlen(keywords[k]) == j - L.i && memcmp(keywords[k], code + L.i, j - L.i) == 0) kw = true;
            lp_token *t = push(&L, kw ? LP_TOK_KEYWORD : LP_TOK_NAME, L.i, j);
            if (!t || !(t->s = lp_arena_strndup(a, code + L.i, j - L.i))) { st = lp_diag_nomem(d, "parser"); break; }
            t->n = j - L.i;
            if (kw) snprintf(t->op, sizeof t->op, "%s", t->s);
            L.i = j;
            continue;
        }
        /* operators, longest first */
        size_t len = 0;
        for (size_t k = 0; !len && k < LP_ARRAY_LEN(ops3); k++)
            if (L.i + 3 <= n && memcmp(code + L.i, ops3[k], 3) == 0) len = 3;
        for (size_t k = 0; !len && k < LP_ARRAY_LEN(ops2); k++)
            if (L.i + 2 <= n && memcmp(code + L.i, ops2[k], 2) == 0) len = 2;
        if (!len && strchr(ops1, c) && c) len = 1;
        if (!len) {
            size_t cl = (unsigned char)c < 0x80 ? 1 : 1;
            st = err(&L, L.i, L.i + cl, "this character is not part of the language",
                     c == '$' || c == '?' || c == '!' ? "remove it" : NULL);
            break;
        }
        lp_token *t = push(&L, LP_TOK_OP, L.i, L.i + len);
        if (!t) { st = lp_diag_nomem(d, "parser"); break; }
        memcpy(t->op, code + L.i, len);
        if (c == '(' || c == '[' || c == '{') {
            if (L.depth >= (int)sizeof stack) { st = err(&L, L.i, L.i + 1, "brackets are nested too deeply", NULL); d->status = LP_ELIMIT; st = LP_ELIMIT; break; }
            stack[L.depth] = c;
            stackpos[L.depth++] = L.i;
        } else if (len == 1 && (c == ')' || c == ']' || c == '}')) {
            char want = c == ')' ? '(' : c == ']' ? '[' : '{';
            if (L.depth == 0) { st = err(&L, L.i, L.i + 1, "this closing bracket has no opening bracket", NULL); break; }
            if (stack[L.depth - 1] != want) {
                char msg[128];
                snprintf(msg, sizeof msg, "'%c' does not match the '%c' opened before it", c, stack[L.depth - 1]);
                st = err(&L, L.i, L.i + 1, msg, NULL);
                break;
            }
            L.depth--;
        }
        L.i += len;
    }
    if (st == LP_OK && L.depth > 0) {
        L.open = LP_LEX_OPEN_BRACKET;
        char msg[128];
        snprintf(msg, sizeof msg, "'%c' is never closed", stack[L.depth - 1]);
        st = err(&L, stackpos[L.depth - 1], stackpos[L.depth - 1] + 1, msg, "close every bracket you open");
    }
    if (st == LP_OK && L.open == LP_LEX_BACKSLASH)
        st = err(&L, n ? n - 1 : 0, n, "the last line ends with a backslash, so the statement goes on, but the text ends",
                 "remove the backslash or finish the statement");
    if (st == LP_OK && (!push(&L, LP_TOK_NEWLINE, n, n) || !push(&L, LP_TOK_EOF, n, n))) st = lp_diag_nomem(d, "parser");
    *toks = L.toks;
    *ntoks = L.ntoks;
    if (open) *open = L.open;
    return st;
}
