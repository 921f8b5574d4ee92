/* parse.c -- recursive descent over lex.c's tokens into lp_stmt / lp_ast, with Python's
 * precedence (so that code behaves as it would under PySpark, including the classic
 * `col('a') > 1 & col('b') < 2` pitfall, which the interpreter then explains).
 *
 * Each parser function carries its grammar rule. Everything is allocated in the caller's arena.
 */
#include "lang/ast.h"

#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 500

typedef struct parser {
    lp_arena *a;
    const char *code;
    lp_token *t;
    int nt, i;
    int depth;
    lp_diag *d;
} parser;

static lp_token *peek(parser *P) { return &P->t[P->i]; }
static bool is_op(const lp_token *t, const char *op) {
    return (t->kind == LP_TOK_OP || t->kind == LP_TOK_KEYWORD) && strcmp(t->op, op) == 0;
}
static bool accept(parser *P, const char *op) {
    if (!is_op(peek(P), op)) return false;
    P->i++;
    return true;
}

static const char *tok_desc(parser *P, const lp_token *t, char *buf, size_t n) {
    switch (t->kind) {
    case LP_TOK_EOF: return "the end of the text";
    case LP_TOK_NEWLINE: return "the end of the line";
    case LP_TOK_STRING: return "a string";
    case LP_TOK_INT: case LP_TOK_FLOAT: return "a number";
    default:
        snprintf(buf, n, "'%.*s'", (int)(t->end - t->start), P->code + t->start);
        return buf;
    }
}

static lp_status fail(parser *P, const lp_token *t, const char *expected, const char *hint) {
    char buf[96];
    lp_diag_set(P->d, LP_ESYNTAX, "expected %s, found %s", expected, tok_desc(P, t, buf, sizeof buf));
    if (hint) lp_diag_hint(P->d, "%s", hint);
    lp_diag_span(P->d, t->start, t->end > t->start ? t->end : t->start + 1);
    return LP_ESYNTAX;
}

static lp_status expect(parser *P, const char *op, const char *what) {
    if (accept(P, op)) return LP_OK;
    return fail(P, peek(P), what, NULL);
}

static lp_ast *node(parser *P, lp_ast_kind k, int64_t start, int64_t end) {
    lp_ast *n = lp_arena_zalloc(P->a, sizeof *n);
    if (!n) return NULL;
    n->kind = k;
    n->start = start;
    n->end = end;
    return n;
}

static lp_status expr(parser *P, lp_ast **out);

/* A growable array of nodes in the arena. */
typedef struct nodes {
    lp_ast **v;
    const char **kw;
    int n, cap;
} nodes;

static bool nodes_push(parser *P, nodes *ns, lp_ast *x, const char *kw) {
    if (ns->n == ns->cap) {
        int nc = ns->cap ? ns->cap * 2 : 4;
        lp_ast **nv = lp_arena_alloc(P->a, sizeof(lp_ast *) * (size_t)nc);
        const char **nk = lp_arena_alloc(P->a, sizeof(char *) * (size_t)nc);
        if (!nv || !nk) return false;
        if (ns->n) {
            memcpy(nv, ns->v, sizeof(lp_ast *) * (size_t)ns->n);
            memcpy(nk, ns->kw, sizeof(char *) * (size_t)ns->n);
        }
        ns->v = nv;
        ns->kw = nk;
        ns->cap = nc;
    }
    ns->v[ns->n] = x;
    ns->kw[ns->n++] = kw;
    return true;
}

/* args -> [arg {',' arg} [',']] ;  arg -> NAME '=' expr | '*' expr | expr */
static lp_status call_args(parser *P, lp_ast *call) {
    nodes ns = {0};
    bool seen_kw = false;
    while (!is_op(peek(P), ")")) {
        lp_token *t = peek(P);
        const char *kw = NULL;
        lp_ast *x = NULL;
        lp_status st;
        if (t->kind == LP_TOK_NAME && is_op(&P->t[P->i + 1], "=")) {
            kw = t->s;
            P->i += 2;
            seen_kw = true;
            if ((st = expr(P, &x)) != LP_OK) return st;
        } else if (is_op(t, "*") || is_op(t, "**")) {
            P->i++;
            lp_ast *inner;
            if ((st = expr(P, &inner)) != LP_OK) return st;
            if (!(x = node(P, LP_AST_STAR, t->start, inner->end))) return lp_diag_nomem(P->d, "parser");
            x->a = inner;
            x->op = is_op(t, "**") ? "**" : "*";
        } else {
            if ((st = expr(P, &x)) != LP_OK) return st;
            if (seen_kw) {
                lp_diag_set(P->d, LP_ESYNTAX, "a positional argument cannot follow keyword arguments");
                lp_diag_hint(P->d, "put it before the name=value arguments");
                lp_diag_span(P->d, x->start, x->end);
                return LP_ESYNTAX;
            }
        }
        if (!nodes_push(P, &ns, x, kw)) return lp_diag_nomem(P->d, "parser");
        if (!accept(P, ",")) break;
    }
    lp_token *close = peek(P);
    lp_status st = expect(P, ")", "',' or ')' in the argument list");
    if (st != LP_OK) return st;
    call->items = ns.v;
    call->kwnames = ns.kw;
    call->nitems = ns.n;
    call->end = close->end;
    return LP_OK;
}

/* A list of expressions up to `close`: list and tuple displays. */
static lp_status expr_list(parser *P, const char *close, nodes *ns, bool *trailing_comma) {
    *trailing_comma = false;
    while (!is_op(peek(P), close)) {
        lp_ast *x;
        lp_status st = expr(P, &x);
        if (st != LP_OK) return st;
        if (!nodes_push(P, ns, x, NULL)) return lp_diag_nomem(P->d, "parser");
        *trailing_comma = false;
        if (!accept(P, ",")) break;
        *trailing_comma = true;
    }
    char what[32];
    snprintf(what, sizeof what, "',' or '%s'", close);
    return expect(P, close, what);
}

/* atom -> NAME | INT | FLOAT | STRING+ | None | True | False | '(' [expr | tuple] ')' | '[' list ']'
 *       | '{' dict '}' */
static lp_status atom(parser *P, lp_ast **out) {
    lp_token *t = peek(P);
    lp_ast *n = NULL;
    switch (t->kind) {
    case LP_TOK_NAME:
        if (!(n = node(P, LP_AST_NAME, t->start, t->end))) return lp_diag_nomem(P->d, "parser");
        n->s = t->s;
        n->n = t->n;
        P->i++;
        break;
    case LP_TOK_INT:
        if (!(n = node(P, LP_AST_INT, t->start, t->end))) return lp_diag_nomem(P->d, "parser");
        n->i = t->i;
        P->i++;
        break;
    case LP_TOK_FLOAT:
        if (!(n = node(P, LP_AST_FLOAT, t->start, t->end))) return lp_diag_nomem(P->d, "parser");
        n->f = t->f;
        P->i++;
        break;
    case LP_TOK_STRING: {
        if (!(n = node(P, LP_AST_STR, t->start, t->end))) return lp_diag_nomem(P->d, "parser");
        n->s = t->s;
        n->n = t->n;
        n->body = t->body;
        n->verbatim = t->verbatim;
        /* adjacent literals concatenate, as in Python; each piece keeps its place in the cell */
        int np = 1;
        while (P->t[P->i + np].kind == LP_TOK_STRING) np++;
        n->npieces = np;
        n->poff = lp_arena_alloc(P->a, sizeof(int64_t) * (size_t)np);
        n->pbody = lp_arena_alloc(P->a, sizeof(int64_t) * (size_t)np);
        n->pverb = lp_arena_alloc(P->a, sizeof(bool) * (size_t)np);
        n->praw = lp_arena_alloc(P->a, sizeof(bool) * (size_t)np);
        if (!n->poff || !n->pbody || !n->pverb || !n->praw) return lp_diag_nomem(P->d, "parser");
        n->code = P->code;
        n->poff[0] = 0;
        n->pbody[0] = t->body;
        n->pverb[0] = t->verbatim;
        n->praw[0] = t->raw;
        P->i++;
        for (int k = 1; k < np; k++) {
            lp_token *u = peek(P);
            char *c = lp_arena_alloc(P->a, n->n + u->n + 1);
            if (!c) return lp_diag_nomem(P->d, "parser");
            memcpy(c, n->s, n->n);
            memcpy(c + n->n, u->s, u->n + 1);
            n->poff[k] = (int64_t)n->n;
            n->pbody[k] = u->body;
            n->pverb[k] = u->verbatim;
            n->praw[k] = u->raw;
            n->s = c;
            n->n += u->n;
            n->verbatim = false;
            n->end = u->end;
            P->i++;
        }
        break;
    }
    case LP_TOK_KEYWORD:
        if (is_op(t, "None") || is_op(t, "True") || is_op(t, "False")) {
            lp_ast_kind k = is_op(t, "None") ? LP_AST_NONE : is_op(t, "True") ? LP_AST_TRUE : LP_AST_FALSE;
            if (!(n = node(P, k, t->start, t->end))) return lp_diag_nomem(P->d, "parser");
            P->i++;
            break;
        }
        if (is_op(t, "lambda"))
            return fail(P, t, "an expression", "lambda functions are not supported: use column expressions such as F.col('x') + 1");
        {
            char hint[160];
            snprintf(hint, sizeof hint, "'%s' is a Python keyword; Loupe runs expressions, assignments and imports only", t->op);
            return fail(P, t, "an expression", hint);
        }
    case LP_TOK_OP:
        if (is_op(t, "(")) {
            P->i++;
            nodes ns = {0};
            bool trailing;
            lp_status st = expr_list(P, ")", &ns, &trailing);
            if (st != LP_OK) return st;
            if (ns.n == 1 && !trailing) {
                n = ns.v[0];  /* parenthesised expression; widen the span to the brackets */
                n->start = t->start;
                n->end = P->t[P->i - 1].end;
            } else {
                if (!(n = node(P, LP_AST_TUPLE, t->start, P->t[P->i - 1].end))) return lp_diag_nomem(P->d, "parser");
                n->items = ns.v;
                n->nitems = ns.n;
            }
            break;
        }
        if (is_op(t, "[")) {
            P->i++;
            nodes ns = {0};
            bool trailing;
            lp_status st = expr_list(P, "]", &ns, &trailing);
            if (st != LP_OK) return st;
            if (!(n = node(P, LP_AST_LIST, t->start, P->t[P->i - 1].end))) return lp_diag_nomem(P->d, "parser");
            n->items = ns.v;
            n->nitems = ns.n;
            break;
        }
        if (is_op(t, "{")) {
            P->i++;
            nodes ns = {0};
            while (!is_op(peek(P), "}")) {
                lp_ast *k, *v;
                lp_status st = expr(P, &k);
                if (st == LP_OK) st = expect(P, ":", "':' between a key and its value");
                if (st == LP_OK) st = expr(P, &v);
                if (st != LP_OK) return st;
                if (!nodes_push(P, &ns, k, NULL) || !nodes_push(P, &ns, v, NULL)) return lp_diag_nomem(P->d, "parser");
                if (!accept(P, ",")) break;
            }
            lp_status st = expect(P, "}", "',' or '}'");
            if (st != LP_OK) return st;
            if (!(n = node(P, LP_AST_DICT, t->start, P->t[P->i - 1].end))) return lp_diag_nomem(P->d, "parser");
            n->items = ns.v;
            n->nitems = ns.n;
            break;
        }
        return fail(P, t, "an expression", NULL);
    default:
        return fail(P, t, "an expression", NULL);
    }
    *out = n;
    return LP_OK;
}

/* primary -> atom { '.' NAME | '(' args ')' | '[' expr ']' } */
static lp_status primary(parser *P, lp_ast **out) {
    lp_ast *n = NULL;
    lp_status st = atom(P, &n);
    while (st == LP_OK) {
        lp_token *t = peek(P);
        if (is_op(t, ".")) {
            P->i++;
            lp_token *name = peek(P);
            if (name->kind != LP_TOK_NAME && name->kind != LP_TOK_KEYWORD)
                return fail(P, name, "a name after '.'", NULL);
            P->i++;
            lp_ast *x = node(P, LP_AST_ATTR, n->start, name->end);
            if (!x) return lp_diag_nomem(P->d, "parser");
            x->a = n;
            x->s = name->s;
            x->n = name->n;
            x->op_start = name->start;
            n = x;
        } else if (is_op(t, "(")) {
            P->i++;
            lp_ast *x = node(P, LP_AST_CALL, n->start, t->end);
            if (!x) return lp_diag_nomem(P->d, "parser");
            x->a = n;
            x->op_start = t->start;
            st = call_args(P, x);
            n = x;
        } else if (is_op(t, "[")) {
            P->i++;
            lp_ast *x = node(P, LP_AST_INDEX, n->start, t->end), *ix = NULL;
            if (!x) return lp_diag_nomem(P->d, "parser");
            if (!is_op(peek(P), ":") && (st = expr(P, &ix)) != LP_OK) return st;
            if (is_op(peek(P), ":")) {
                /* slice -> [expr] ':' [expr] */
                lp_token *colon = peek(P);
                P->i++;
                lp_ast *hi = NULL;
                if (!is_op(peek(P), "]") && (st = expr(P, &hi)) != LP_OK) return st;
                lp_ast *sl = node(P, LP_AST_SLICE, ix ? ix->start : colon->start, hi ? hi->end : colon->end);
                if (!sl) return lp_diag_nomem(P->d, "parser");
                sl->a = ix;
                sl->b = hi;
                ix = sl;
            }
            /* df[["a", "b"]] and df["a", "b"] both select columns */
            if (is_op(peek(P), ",")) {
                nodes ns = {0};
                if (!nodes_push(P, &ns, ix, NULL)) return lp_diag_nomem(P->d, "parser");
                bool trailing;
                P->i++;
                if ((st = expr_list(P, "]", &ns, &trailing)) != LP_OK) return st;
                lp_ast *tu = node(P, LP_AST_TUPLE, ix->start, P->t[P->i - 1].start);
                if (!tu) return lp_diag_nomem(P->d, "parser");
                tu->items = ns.v;
                tu->nitems = ns.n;
                ix = tu;
            } else if ((st = expect(P, "]", "']'")) != LP_OK) {
                return st;
            }
            x->a = n;
            x->b = ix;
            x->end = P->t[P->i - 1].end;
            x->op_start = t->start;
            n = x;
        } else {
            break;
        }
    }
    *out = n;
    return st;
}

static lp_status binary(parser *P, lp_ast_kind k, const char *op, int64_t op_start, lp_ast *l, lp_ast *r, lp_ast **out) {
    lp_ast *n = node(P, k, l->start, r->end);
    if (!n) return lp_diag_nomem(P->d, "parser");
    n->op = op;
    n->op_start = op_start;
    n->a = l;
    n->b = r;
    *out = n;
    return LP_OK;
}

static lp_status factor(parser *P, lp_ast **out);

/* power -> primary ['**' factor] */
static lp_status power(parser *P, lp_ast **out) {
    lp_status st = primary(P, out);
    if (st != LP_OK) return st;
    lp_token *t = peek(P);
    if (!accept(P, "**")) return LP_OK;
    lp_ast *r;
    if ((st = factor(P, &r)) != LP_OK) return st;
    return binary(P, LP_AST_BINARY, "**", t->start, *out, r, out);
}

/* The error for a tree nested past MAX_DEPTH, at token t. */
static lp_status too_deep(parser *P, const lp_token *t) {
    lp_diag_set(P->d, LP_ELIMIT, "the expression is nested more than %d levels deep", MAX_DEPTH);
    lp_diag_span(P->d, t->start, t->end);
    return LP_ELIMIT;
}

/* A prefix operator at token t applied to what sub parses. */
static lp_status prefix(parser *P, const lp_token *t, const char *op, lp_status (*sub)(parser *, lp_ast **),
                        lp_ast **out) {
    if (++P->depth > MAX_DEPTH) return too_deep(P, t);
    P->i++;
    lp_ast *x;
    lp_status st = sub(P, &x);
    P->depth--;
    if (st != LP_OK) return st;
    lp_ast *n = node(P, LP_AST_UNARY, t->start, x->end);
    if (!n) return lp_diag_nomem(P->d, "parser");
    n->op = op;
    n->op_start = t->start;
    n->a = x;
    *out = n;
    return LP_OK;
}

/* factor -> ('+'|'-'|'~') factor | power */
static lp_status factor(parser *P, lp_ast **out) {
    lp_token *t = peek(P);
    if (is_op(t, "-")) return prefix(P, t, "-", factor, out);
    if (is_op(t, "+")) return prefix(P, t, "+", factor, out);
    if (is_op(t, "~")) return prefix(P, t, "~", factor, out);
    return power(P, out);
}

/* A left-associative level: sub {op sub}. ops is a NULL-terminated list. */
static lp_status level(parser *P, lp_status (*sub)(parser *, lp_ast **), const char *const *ops, lp_ast **out) {
    lp_status st = sub(P, out);
    while (st == LP_OK) {
        lp_token *t = peek(P);
        const char *op = NULL;
        for (int k = 0; ops[k]; k++)
            if (is_op(t, ops[k])) op = ops[k];
        if (!op) break;
        P->i++;
        lp_ast *r;
        if ((st = sub(P, &r)) != LP_OK) break;
        st = binary(P, LP_AST_BINARY, op, t->start, *out, r, out);
    }
    return st;
}

static const char *const term_ops[] = {"*", "/", "//", "%", NULL};
static const char *const arith_ops[] = {"+", "-", NULL};
static const char *const band_ops[] = {"&", NULL};
static const char *const bxor_ops[] = {"^", NULL};
static const char *const bor_ops[] = {"|", NULL};

/* term -> factor {('*'|'/'|'//'|'%') factor} */
static lp_status term(parser *P, lp_ast **out) { return level(P, factor, term_ops, out); }
/* arith -> term {('+'|'-') term} */
static lp_status arith(parser *P, lp_ast **out) { return level(P, term, arith_ops, out); }
/* band -> arith {'&' arith} */
static lp_status band(parser *P, lp_ast **out) { return level(P, arith, band_ops, out); }
/* bxor -> band {'^' band} */
static lp_status bxor(parser *P, lp_ast **out) { return level(P, band, bxor_ops, out); }
/* bor -> bxor {'|' bxor} */
static lp_status bor(parser *P, lp_ast **out) { return level(P, bxor, bor_ops, out); }

/* comparison -> bor {('<'|'>'|'=='|'>='|'<='|'!='|'in'|'not' 'in'|'is'|'is' 'not') bor} */
static lp_status comparison(parser *P, lp_ast **out) {
    static const char *const ops[] = {"==", "!=", "<=", ">=", "<", ">", "<>", NULL};
    lp_status st = bor(P, out);
    while (st == LP_OK) {
        lp_token *t = peek(P);
        const char *op = NULL;
        for (int k = 0; ops[k]; k++)
            if (is_op(t, ops[k])) op = ops[k];
        if (op && strcmp(op, "<>") == 0) return fail(P, t, "an operator", "write != for 'not equal'");
        if (!op && is_op(t, "in")) op = "in";
        if (!op && is_op(t, "is")) op = is_op(&P->t[P->i + 1], "not") ? (P->i++, "is not") : "is";
        if (!op && is_op(t, "not") && is_op(&P->t[P->i + 1], "in")) {
            P->i++;
            op = "not in";
        }
        if (!op) break;
        P->i++;
        lp_ast *r;
        if ((st = bor(P, &r)) != LP_OK) break;
        st = binary(P, LP_AST_BINARY, op, t->start, *out, r, out);
    }
    return st;
}

/* not_test -> 'not' not_test | comparison */
static lp_status not_test(parser *P, lp_ast **out) {
    lp_token *t = peek(P);
    return is_op(t, "not") ? prefix(P, t, "not", not_test, out) : comparison(P, out);
}

static const char *const and_ops[] = {"and", NULL};
static const char *const or_ops[] = {"or", NULL};
/* and_test -> not_test {'and' not_test} */
static lp_status and_test(parser *P, lp_ast **out) { return level(P, not_test, and_ops, out); }

/* expr -> and_test {'or' and_test} */
static lp_status expr(parser *P, lp_ast **out) {
    if (++P->depth > MAX_DEPTH) return too_deep(P, peek(P));
    lp_status st = level(P, and_test, or_ops, out);
    P->depth--;
    if (st == LP_OK && is_op(peek(P), "if"))
        return fail(P, peek(P), "an operator or the end of the expression",
                    "conditional expressions are not supported; use F.when(cond, a).otherwise(b)");
    return st;
}

/* dotted -> NAME {'.' NAME} */
static lp_status dotted(parser *P, const char **out) {
    lp_strbuf b;
    lp_strbuf_init(&b);
    lp_status st = LP_OK;
    for (;;) {
        lp_token *t = peek(P);
        if (t->kind != LP_TOK_NAME) {
            st = fail(P, t, "a module name", NULL);
            break;
        }
        lp_strbuf_append(&b, t->s, t->n);
        P->i++;
        if (!accept(P, ".")) break;
        lp_strbuf_putc(&b, '.');
    }
    if (st == LP_OK && !(*out = b.nomem ? NULL : lp_arena_strndup(P->a, b.p, b.len))) st = lp_diag_nomem(P->d, "parser");
    lp_strbuf_reset(&b);
    return st;
}

/* stmt -> 'import' dotted ['as' NAME] | 'from' dotted 'import' ('*' | NAME ['as' NAME] {',' ...})
 *       | NAME '=' expr | expr */
static lp_status stmt(parser *P, lp_stmt *s) {
    lp_token *t = peek(P);
    memset(s, 0, sizeof *s);
    s->start = t->start;
    lp_status st = LP_OK;
    if (is_op(t, "import")) {
        P->i++;
        s->kind = LP_STMT_IMPORT;
        if ((st = dotted(P, &s->module)) != LP_OK) return st;
        if (accept(P, "as")) {
            lp_token *n = peek(P);
            if (n->kind != LP_TOK_NAME) return fail(P, n, "a name after 'as'", NULL);
            s->target = n->s;
            s->target_start = n->start;
            s->target_end = n->end;
            P->i++;
        }
    } else if (is_op(t, "from")) {
        P->i++;
        s->kind = LP_STMT_FROM;
        if ((st = dotted(P, &s->module)) != LP_OK) return st;
        if ((st = expect(P, "import", "'import'")) != LP_OK) return st;
        bool paren = accept(P, "(");
        int cap = 0;
        for (;;) {
            lp_token *n = peek(P);
            const char *name = NULL, *alias = NULL;
            if (is_op(n, "*")) {
                P->i++;
            } else if (n->kind == LP_TOK_NAME) {
                name = n->s;
                P->i++;
                if (accept(P, "as")) {
                    lp_token *al = peek(P);
                    if (al->kind != LP_TOK_NAME) return fail(P, al, "a name after 'as'", NULL);
                    alias = al->s;
                    P->i++;
                }
            } else {
                return fail(P, n, "a name to import", NULL);
            }
            if (s->nnames == cap) {
                int nc = cap ? cap * 2 : 8;
                const char **nn = lp_arena_alloc(P->a, sizeof(char *) * (size_t)nc);
                const char **na = lp_arena_alloc(P->a, sizeof(char *) * (size_t)nc);
                if (!nn || !na) return lp_diag_nomem(P->d, "parser");
                if (cap) {
                    memcpy(nn, s->names, sizeof(char *) * (size_t)s->nnames);
                    memcpy(na, s->aliases, sizeof(char *) * (size_t)s->nnames);
                }
                s->names = nn;
                s->aliases = na;
                cap = nc;
            }
            s->names[s->nnames] = name;
            s->aliases[s->nnames++] = alias;
            if (!name || !accept(P, ",")) break;
            if (paren && is_op(peek(P), ")")) break;
        }
        if (paren && (st = expect(P, ")", "')'")) != LP_OK) return st;
    } else if (t->kind == LP_TOK_NAME && is_op(&P->t[P->i + 1], "=")) {
        s->kind = LP_STMT_ASSIGN;
        s->target = t->s;
        s->target_start = t->start;
        s->target_end = t->end;
        P->i += 2;
        if ((st = expr(P, &s->expr)) != LP_OK) return st;
    } else {
        s->kind = LP_STMT_EXPR;
        if ((st = expr(P, &s->expr)) != LP_OK) return st;
        if (is_op(peek(P), "=")) {
            lp_token *eq = peek(P);
            lp_diag_set(P->d, LP_ESYNTAX, "only a plain name can be assigned to");
            lp_diag_hint(P->d, "to add or change a column use df = df.withColumn('name', ...)");
            lp_diag_span(P->d, s->expr->start, eq->start);
            return LP_ESYNTAX;
        }
    }
    lp_token *e = peek(P);
    if (e->kind != LP_TOK_NEWLINE && e->kind != LP_TOK_EOF) {
        if (is_op(e, "="))
            return fail(P, e, "the end of the statement", "use == to compare; = only assigns to a name");
        if (e->kind == LP_TOK_NAME || e->kind == LP_TOK_STRING || e->kind == LP_TOK_INT)
            return fail(P, e, "an operator or the end of the statement", "is a comma or an operator missing before it?");
        return fail(P, e, "the end of the statement", NULL);
    }
    s->end = P->t[P->i - 1].end;
    return LP_OK;
}

LP_WUR lp_status lp_parse(lp_arena *a, const char *code, size_t n, lp_stmt **stmts, int *nstmts, lp_diag *d) {
    lp_token *toks;
    int ntoks;
    *stmts = NULL;
    *nstmts = 0;
    lp_status st = lp_lex(a, code, n, &toks, &ntoks, NULL, d);
    if (st != LP_OK) return st;
    parser P = {.a = a, .code = code, .t = toks, .nt = ntoks, .d = d};
    int cap = 0;
    while (peek(&P)->kind != LP_TOK_EOF) {
        if (peek(&P)->kind == LP_TOK_NEWLINE) {
            P.i++;
            continue;
        }
        if (*nstmts == cap) {
            int nc = cap ? cap * 2 : 8;
            lp_stmt *ns = lp_arena_alloc(a, sizeof(lp_stmt) * (size_t)nc);
            if (!ns) return lp_diag_nomem(d, "parser");
            if (cap) memcpy(ns, *stmts, sizeof(lp_stmt) * (size_t)*nstmts);
            *stmts = ns;
            cap = nc;
        }
        if ((st = stmt(&P, &(*stmts)[*nstmts])) != LP_OK) return st;
        (*nstmts)++;
    }
    return LP_OK;
}
