/* sql_lex.c -- SQL text to tokens, the first step of lang/sql (see sql.h).
 *
 * Follows Spark SQL's lexer: identifiers [A-Za-z_][A-Za-z0-9_]* (keywords are identifiers the
 * parser recognises), `backticked names` (`` doubles a backtick), integers, decimals and
 * exponents, 'strings' and "strings" with backslash escapes (\n \t \r \b \0 \Z \\ \' \", and \%
 * \_ kept with their backslash for LIKE, as Spark keeps them), -- line comments and C-style block comments, and the
 * operators = == != <> < <= > >= <=> || + - * / % ( ) [ ] , . ;.
 *
 * All tokens are allocated at once in the arena; spans are offsets into the SQL text (the parser
 * shifts them into the cell). Errors carry shifted spans.
 */
#include "lang/sql.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct lexer {
    lp_arena *a;
    const char *s;
    size_t n;
    int64_t base;
    lp_diag *d;
    lp_sql_tok *toks;
    int ntoks, cap;
} lexer;

static lp_status lex_error(lexer *x, int64_t start, int64_t end, const char *msg, const char *hint) {
    lp_diag_set(x->d, LP_ESYNTAX, "%s", msg);
    if (hint) lp_diag_hint(x->d, "%s", hint);
    lp_diag_span(x->d, x->base + start, x->base + end);
    return LP_ESYNTAX;
}

/* Appends a token; NULL when the arena refuses. */
static lp_sql_tok *push(lexer *x, lp_sql_tokkind kind, size_t start, size_t end) {
    if (x->ntoks == x->cap) {
        int cap = x->cap ? 2 * x->cap : 32;
        lp_sql_tok *t = lp_arena_alloc(x->a, (size_t)cap * sizeof *t);
        if (!t) return NULL;
        if (x->ntoks) memcpy(t, x->toks, (size_t)x->ntoks * sizeof *t);
        x->toks = t;
        x->cap = cap;
    }
    lp_sql_tok *t = &x->toks[x->ntoks++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->start = (int64_t)start;
    t->end = (int64_t)end;
    return t;
}

static bool ident_start(char c) { return isalpha((unsigned char)c) || c == '_'; }
static bool ident_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* string -> quote (char | '\' char)* quote; *i is on the opening quote. */
static lp_status lex_string(lexer *x, size_t *i) {
    const char *s = x->s;
    size_t start = *i, j = *i + 1;
    char q = s[start];
    lp_strbuf b;
    lp_strbuf_init(&b);
    for (;;) {
        if (j >= x->n) {
            lp_strbuf_reset(&b);
            return lex_error(x, (int64_t)start, (int64_t)x->n, "unterminated string literal",
                             q == '\'' ? "close it with a matching ' quote" : "close it with a matching \" quote");
        }
        char c = s[j];
        if (c == q) break;
        if (c == '\\' && j + 1 < x->n) {
            char e = s[j + 1];
            j += 2;
            switch (e) {
            case 'n': lp_strbuf_putc(&b, '\n'); break;
            case 't': lp_strbuf_putc(&b, '\t'); break;
            case 'r': lp_strbuf_putc(&b, '\r'); break;
            case 'b': lp_strbuf_putc(&b, '\b'); break;
            case '0': lp_strbuf_putc(&b, '\0'); break;
            case 'Z': lp_strbuf_putc(&b, '\032'); break;
            case '%': lp_strbuf_append(&b, "\\%", 2); break;
            case '_': lp_strbuf_append(&b, "\\_", 2); break;
            default: lp_strbuf_putc(&b, e); break;
            }
            continue;
        }
        lp_strbuf_putc(&b, c);
        j++;
    }
    j++;
    lp_sql_tok *t = push(x, LP_SQL_T_STRING, start, j);
    if (t) {
        t->len = b.len;
        t->text = b.nomem ? NULL : lp_arena_strndup(x->a, b.p ? b.p : "", b.len);
    }
    lp_strbuf_reset(&b);
    if (!t || !t->text) return lp_diag_nomem(x->d, "SQL parser");
    *i = j;
    return LP_OK;
}

/* `name` with `` for a backtick inside. */
static lp_status lex_backtick(lexer *x, size_t *i) {
    const char *s = x->s;
    size_t start = *i, j = *i + 1;
    lp_strbuf b;
    lp_strbuf_init(&b);
    for (;;) {
        if (j >= x->n) {
            lp_strbuf_reset(&b);
            return lex_error(x, (int64_t)start, (int64_t)x->n, "unterminated `quoted name`",
                             "close it with a matching backtick `");
        }
        if (s[j] == '`') {
            if (j + 1 < x->n && s[j + 1] == '`') {
                lp_strbuf_putc(&b, '`');
                j += 2;
                continue;
            }
            break;
        }
        lp_strbuf_putc(&b, s[j++]);
    }
    j++;
    if (b.len == 0 && !b.nomem) {
        lp_strbuf_reset(&b);
        return lex_error(x, (int64_t)start, (int64_t)j, "empty `quoted name`", NULL);
    }
    lp_sql_tok *t = push(x, LP_SQL_T_QIDENT, start, j);
    if (t) {
        t->len = b.len;
        t->text = b.nomem ? NULL : lp_arena_strndup(x->a, b.p, b.len);
    }
    lp_strbuf_reset(&b);
    if (!t || !t->text) return lp_diag_nomem(x->d, "SQL parser");
    *i = j;
    return LP_OK;
}

/* number -> digits [. digits] [e [+-] digits] | . digits [...]; a trailing L makes a bigint,
 * D a double, as Spark's suffixes do. An integer too large for a bigint becomes a double. */
static lp_status lex_number(lexer *x, size_t *i) {
    const char *s = x->s;
    size_t start = *i, j = *i;
    bool is_float = false;
    while (j < x->n && isdigit((unsigned char)s[j])) j++;
    if (j < x->n && s[j] == '.' && !(j + 1 < x->n && s[j + 1] == '.')) {
        is_float = true;
        j++;
        while (j < x->n && isdigit((unsigned char)s[j])) j++;
    }
    if (j < x->n && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < x->n && (s[k] == '+' || s[k] == '-')) k++;
        if (k < x->n && isdigit((unsigned char)s[k])) {
            is_float = true;
            j = k;
            while (j < x->n && isdigit((unsigned char)s[j])) j++;
        }
    }
    size_t numend = j;
    bool force_double = false, force_long = false;
    if (j < x->n && (s[j] == 'D' || s[j] == 'd') && !(j + 1 < x->n && ident_char(s[j + 1]))) {
        force_double = true;
        j++;
    } else if (!is_float && j < x->n && (s[j] == 'L' || s[j] == 'l') && !(j + 1 < x->n && ident_char(s[j + 1]))) {
        force_long = true;
        j++;
    }
    if (j < x->n && ident_char(s[j])) {
        size_t k = j;
        while (k < x->n && ident_char(s[k])) k++;
        return lex_error(x, (int64_t)start, (int64_t)k, "invalid number",
                         "a name cannot start with a digit: quote it with backticks, `1st`");
    }
    char buf[64];
    size_t len = numend - start;
    int64_t iv = 0;
    bool as_int = !is_float && !force_double && len < sizeof buf;
    if (as_int) {
        memcpy(buf, s + start, len);
        buf[len] = 0;
        as_int = lp_parse_int64(buf, len, &iv);
        if (!as_int && force_long)
            return lex_error(x, (int64_t)start, (int64_t)j, "integer literal out of range for bigint", NULL);
    }
    lp_sql_tok *t = push(x, as_int ? LP_SQL_T_INT : LP_SQL_T_FLOAT, start, j);
    if (!t) return lp_diag_nomem(x->d, "SQL parser");
    if (as_int) {
        t->i = iv;
    } else {
        char *tmp = lp_arena_strndup(x->a, s + start, len);
        if (!tmp) return lp_diag_nomem(x->d, "SQL parser");
        t->f = strtod(tmp, NULL);
    }
    *i = j;
    return LP_OK;
}

/* The operators, longest first so that `<=>` wins over `<=` and `<`. */
static const char *const ops[] = {"<=>", "==", "!=", "<>", "<=", ">=", "||", "=", "<", ">", "!", "+", "-",
                                  "*", "/", "%", "(", ")", "[", "]", ",", ".", ";"};

lp_status lp_sql_lex(lp_arena *a, const char *s, size_t n, int64_t base, lp_sql_tok **toks, int *ntoks,
                     lp_diag *d) {
    lexer x = {a, s, n, base, d, NULL, 0, 0};
    *toks = NULL;
    *ntoks = 0;
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (isspace((unsigned char)c)) {
            i++;
        } else if (c == '-' && i + 1 < n && s[i + 1] == '-') {
            while (i < n && s[i] != '\n') i++;
        } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            size_t j = i + 2;
            while (j + 1 < n && !(s[j] == '*' && s[j + 1] == '/')) j++;
            if (j + 1 >= n)
                return lex_error(&x, (int64_t)i, (int64_t)(i + 2), "unterminated comment", "close it with */");
            i = j + 2;
        } else if (ident_start(c) || (unsigned char)c >= 0x80) {
            size_t j = i;
            while (j < n && (ident_char(s[j]) || (unsigned char)s[j] >= 0x80)) j++;
            lp_sql_tok *t = push(&x, LP_SQL_T_IDENT, i, j);
            if (!t || !(t->text = lp_arena_strndup(a, s + i, j - i))) return lp_diag_nomem(d, "SQL parser");
            t->len = j - i;
            i = j;
        } else if (isdigit((unsigned char)c) || (c == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
            lp_status st = lex_number(&x, &i);
            if (st) return st;
        } else if (c == '\'' || c == '"') {
            lp_status st = lex_string(&x, &i);
            if (st) return st;
        } else if (c == '`') {
            lp_status st = lex_backtick(&x, &i);
            if (st) return st;
        } else {
            size_t k;
            for (k = 0; k < LP_ARRAY_LEN(ops); k++) {
                size_t l = strlen(ops[k]);
                if (i + l <= n && memcmp(s + i, ops[k], l) == 0) break;
            }
            if (k == LP_ARRAY_LEN(ops)) {
                char msg[64];
                snprintf(msg, sizeof msg, "unexpected character '%c'", isprint((unsigned char)c) ? c : '?');
                return lex_error(&x, (int64_t)i, (int64_t)(i + 1), msg, NULL);
            }
            size_t l = strlen(ops[k]);
            lp_sql_tok *t = push(&x, LP_SQL_T_OP, i, i + l);
            if (!t) return lp_diag_nomem(d, "SQL parser");
            t->text = ops[k];
            t->len = l;
            i += l;
        }
    }
    lp_sql_tok *eof = push(&x, LP_SQL_T_EOF, n, n);
    if (!eof) return lp_diag_nomem(d, "SQL parser");
    eof->text = "";
    *toks = x.toks;
    *ntoks = x.ntoks;
    return LP_OK;
}
