/* complete.c -- what the front ends ask about text that has not run: is it a whole statement
 * (the REPL's continuation prompt, Jupyter's is_complete_request), what can follow the cursor
 * (tab completion), and what is the thing under the cursor (help, the kernel's inspect).
 *
 * Completion never runs code: it looks at the text before the cursor and at the session's
 * variables. `df.fil` completes from df's kind (methods, and columns for a DataFrame); a chain
 * such as `df.groupBy("x").` is recognised by its last call; inside a string it offers column
 * names (col("...", df["...", SQL strings) or file paths (read.json("...").
 */
#include "lang/help.h"
#include "lang/interp.h"
#include "lang/ml.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

loupe_completeness loupe_is_complete(const char *code, size_t n) {
    lp_arena a;
    lp_arena_init(&a);
    lp_diag d;
    lp_diag_init(&d);
    lp_token *toks;
    int nt;
    lp_lex_open open = LP_LEX_CLOSED;
    loupe_completeness r = LOUPE_COMPLETE;
    lp_status st = lp_lex(&a, code, n, &toks, &nt, &open, &d);
    if (st != LP_OK) {
        r = open != LP_LEX_CLOSED ? LOUPE_INCOMPLETE : LOUPE_INVALID;
    } else {
        lp_stmt *stmts;
        int ns;
        lp_diag_init(&d);
        st = lp_parse(&a, code, n, &stmts, &ns, &d);
        /* a parse that ran out of text (a trailing operator, dot or '=') wants more */
        if (st == LP_ESYNTAX) r = d.span_start >= (int64_t)n ? LOUPE_INCOMPLETE : LOUPE_INVALID;
        else if (st != LP_OK) r = LOUPE_INVALID;
    }
    lp_arena_reset(&a);
    return r;
}

/* ---- candidates ---- */

typedef struct cands {
    char **v;
    int n, cap;
    bool nomem;
} cands;

static void add(cands *c, const char *prefix, size_t plen, const char *s, const char *suffix) {
    if (c->nomem || strncmp(s, prefix, plen) != 0) return;
    size_t len = strlen(s) + (suffix ? strlen(suffix) : 0);
    for (int i = 0; i < c->n; i++)
        if (strncmp(c->v[i], s, strlen(s)) == 0 && strlen(c->v[i]) == len) return;
    if (c->n == c->cap) {
        int nc = c->cap ? c->cap * 2 : 32;
        char **nv = realloc(c->v, sizeof *nv * (size_t)nc);
        if (!nv) {
            c->nomem = true;
            return;
        }
        c->v = nv;
        c->cap = nc;
    }
    char *x = malloc(len + 1);
    if (!x) {
        c->nomem = true;
        return;
    }
    strcpy(x, s);
    if (suffix) strcat(x, suffix);
    c->v[c->n++] = x;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void loupe_free_matches(char **m, int n) {
    for (int i = 0; i < n; i++) free(m[i]);
    free(m);
}

static bool ident_char(char c) { return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80; }

/* The start of the identifier chain `a.b(...).c` that ends at `end` (exclusive), skipping
 * balanced call arguments. */
static size_t chain_start(const char *code, size_t end) {
    size_t i = end;
    for (;;) {
        /* a call or an index: skip back over its balanced brackets (strings may hold any) */
        while (i > 0 && (code[i - 1] == ')' || code[i - 1] == ']')) {
            int depth = 0;
            size_t k = i;
            char q = 0;
            while (k > 0) {
                char c = code[--k];
                if (q) {
                    if (c == q) q = 0;
                } else if (c == '"' || c == '\'') {
                    q = c;
                } else if (c == ')' || c == ']') {
                    depth++;
                } else if ((c == '(' || c == '[') && --depth == 0) {
                    break;
                }
            }
            if (depth != 0) return i;
            i = k;
        }
        size_t before = i;
        while (i > 0 && ident_char(code[i - 1])) i--;
        if (i == before) return i;
        if (i > 0 && code[i - 1] == '.') {
            i--;
            continue;
        }
        return i;
    }
}

/* The kind of value the chain code[start, end) evaluates to, guessed without running it. */
static lp_vkind chain_kind(loupe_session *s, const char *code, size_t start, size_t end, lp_val **root) {
    size_t i = start;
    while (i < end && ident_char(code[i])) i++;
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(i - start), code + start);
    lp_val *v = lp_sess_get(s, name);
    *root = v;
    lp_vkind k = v ? v->kind : strcmp(name, "spark") == 0 ? LV_MODULE : strcmp(name, "F") == 0 ? LV_MODULE : LV_NONE;
    const char *rest = code + i;
    size_t rn = end - i;
    /* F.fn(...) and col(...) make Columns; F alone is the functions module */
    if (!v && (strcmp(name, "F") == 0 || lp_fexists(name))) return memchr(rest, '(', rn) ? LV_COL : LV_FUNC;
    /* walk the rest: the last method call decides */
    if (k == LV_MODULE && rn >= 5 && strncmp(rest, ".read", 5) == 0) k = LV_READER;
    const char *last = NULL;
    for (size_t j = 0; j + 1 < rn; j++)
        if (rest[j] == '.' && ident_char(rest[j + 1])) last = rest + j + 1;
    if (!last) return k;
    if (k == LV_DF || k == LV_READER) {
        if (strncmp(last, "groupBy", 7) == 0 || strncmp(last, "groupby", 7) == 0) return LV_GROUPED;
        if (strncmp(last, "write", 5) == 0 || k == LV_WRITER) return LV_WRITER;
        if (k == LV_READER && (strncmp(last, "json", 4) == 0 || strncmp(last, "csv", 3) == 0 || strncmp(last, "load", 4) == 0))
            return LV_DF;
        if (k == LV_DF && (strncmp(last, "agg", 3) == 0 || strncmp(last, "count", 5) == 0)) return LV_DF;
    }
    if (k == LV_COL) return LV_COL;
    return k;
}

static void add_columns(cands *c, const lp_plan *p, const char *prefix, size_t plen) {
    for (int i = 0; p && i < p->ncols; i++) add(c, prefix, plen, p->names[i], NULL);
}

static void add_methods(cands *c, lp_vkind k, const char *prefix, size_t plen) {
    int n;
    const lp_method *m = lp_methods(k, &n);
    for (int i = 0; i < n; i++) add(c, prefix, plen, m[i].name, m[i].params ? "(" : NULL);
}

static void add_functions(cands *c, const char *prefix, size_t plen) {
    for (int i = 0; i < lp_fn_count(); i++) {
        const lp_fninfo *f = lp_fn_at(i);
        if (!(f->flags & LP_FNF_OPERATOR) && lp_fexists(f->name)) add(c, prefix, plen, f->name, "(");
    }
    static const char *const sp[] = {"col", "lit", "expr", "when", "desc", "asc", "countDistinct", "isnull", "isnotnull",
                                     "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag",
                                     "lead"};
    for (size_t i = 0; i < LP_ARRAY_LEN(sp); i++) add(c, prefix, plen, sp[i], "(");
}

/* File names completing the path prefix p (relative to the working directory). */
static void add_paths(cands *c, const char *p, size_t plen) {
    char dir[1024], base[256];
    const char *slash = memrchr(p, '/', plen);
    if (slash) {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - p + 1), p);
        snprintf(base, sizeof base, "%.*s", (int)(plen - (size_t)(slash - p + 1)), slash + 1);
    } else {
        snprintf(dir, sizeof dir, "./");
        snprintf(base, sizeof base, "%.*s", (int)plen, p);
    }
    DIR *dh = opendir(dir);
    if (!dh) return;
    struct dirent *e;
    while ((e = readdir(dh))) {
        if (e->d_name[0] == '.' && base[0] != '.') continue;
        if (strncmp(e->d_name, base, strlen(base)) != 0) continue;
        char full[1400];
        snprintf(full, sizeof full, "%s%s", slash ? dir : "", e->d_name);
        add(c, "", 0, full, e->d_type == DT_DIR ? "/" : NULL);
    }
    closedir(dh);
}

/* Columns of every DataFrame variable named in the statement text (all of them when none is). */
static void add_statement_columns(loupe_session *s, cands *c, const char *code, size_t stmt, size_t cursor,
                                  const char *prefix, size_t plen) {
    bool any = false;
    for (size_t i = stmt; i < cursor;) {
        if (!ident_char(code[i]) || (i > 0 && ident_char(code[i - 1]))) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < cursor && ident_char(code[j])) j++;
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(j - i), code + i);
        lp_val *v = lp_sess_get(s, name);
        if (v && v->kind == LV_DF) {
            add_columns(c, v->u.df, prefix, plen);
            any = true;
        }
        i = j;
    }
    for (int i = 0; !any && i < s->nvars; i++)
        if (s->vars[i].v->kind == LV_DF) add_columns(c, s->vars[i].v->u.df, prefix, plen);
}

LOUPE_WUR loupe_status loupe_complete(loupe_session *s, const char *code, size_t n, size_t cursor, char ***matches,
                                      int *nmatches, size_t *start, size_t *end) {
    *matches = NULL;
    *nmatches = 0;
    if (cursor > n) cursor = n;
    cands c = {0};
    /* the statement the cursor is in starts after the last newline outside brackets */
    size_t stmt = cursor;
    while (stmt > 0 && code[stmt - 1] != '\n') stmt--;
    /* inside a string? count quotes on the line */
    char q = 0;
    size_t qpos = 0;
    for (size_t i = stmt; i < cursor; i++) {
        if (q && code[i] == '\\') { i++; continue; }
        if (!q && (code[i] == '"' || code[i] == '\'')) { q = code[i]; qpos = i; }
        else if (q && code[i] == q) q = 0;
    }
    size_t wstart = cursor;
    if (q) {
        wstart = qpos + 1;
        const char *pre = code + stmt;
        size_t plen = qpos - stmt;
        /* what the string is an argument of */
        size_t k = plen;
        while (k > 0 && (pre[k - 1] == ' ')) k--;
        bool call = k > 0 && (pre[k - 1] == '(' || pre[k - 1] == ',' || pre[k - 1] == '[' || pre[k - 1] == '=');
        size_t ce = k > 0 && pre[k - 1] == '(' ? k - 1 : k;
        bool read = call && ce >= 4 && (memmem(pre, ce, ".json", 5) || memmem(pre, ce, ".csv", 4) || memmem(pre, ce, ".load", 5));
        size_t pl = cursor - wstart;
        if (read && ce > 0 && ((ce >= 5 && strncmp(pre + ce - 5, ".json", 5) == 0) || (ce >= 4 && strncmp(pre + ce - 4, ".csv", 4) == 0) ||
                               (ce >= 5 && strncmp(pre + ce - 5, ".load", 5) == 0)))
            add_paths(&c, code + wstart, pl);
        else {
            /* a SQL string: complete the word under the cursor with column names */
            size_t w = cursor;
            while (w > wstart && ident_char(code[w - 1])) w--;
            wstart = w;
            add_statement_columns(s, &c, code, stmt, cursor, code + w, cursor - w);
            if (ce >= 4 && strncmp(pre + ce - 4, ".sql", 4) == 0)
                for (int i = 0; i < s->nviews; i++) add(&c, code + w, cursor - w, s->views[i].name, NULL);
        }
    } else {
        while (wstart > stmt && ident_char(code[wstart - 1])) wstart--;
        const char *prefix = code + wstart;
        size_t plen = cursor - wstart;
        if (wstart > 0 && code[wstart - 1] == '.') {
            size_t cs = chain_start(code, wstart - 1);
            lp_val *root = NULL;
            lp_vkind k = chain_kind(s, code, cs, wstart - 1, &root);
            if (k == LV_FUNC) add_functions(&c, prefix, plen);
            else if (k == LV_MODULE && root && root->kind == LV_MODULE && root->u.mod.id == LP_MOD_WINDOW) {
                /* Window.: the WindowSpec methods and the frame bounds */
                add_methods(&c, LV_WINDOW, prefix, plen);
                static const char *const wc[] = {"unboundedPreceding", "unboundedFollowing", "currentRow"};
                for (size_t i = 0; i < LP_ARRAY_LEN(wc); i++) add(&c, prefix, plen, wc[i], NULL);
            } else if (k == LV_MODULE) {
                static const char *const sp[] = {"read", "sql", "table", "version", "stop"};
                for (size_t i = 0; i < LP_ARRAY_LEN(sp); i++) add(&c, prefix, plen, sp[i], NULL);
            } else if ((k == LV_ML || k == LV_MLCLASS) && root && root->kind == k && !memchr(code + cs, '(', wstart - cs)) {
                /* tf.<TAB>, Vectors.<TAB>: the stage's methods, setX/getX, a class's static functions */
                const char *names[200];
                int nn = lp_ml_method_names(root, names, 200);
                for (int i = 0; i < nn; i++) add(&c, prefix, plen, names[i], NULL);
            } else {
                add_methods(&c, k, prefix, plen);
                if (k == LV_DF && root && root->kind == LV_DF && cs + 1 < wstart && !memchr(code + cs, '(', wstart - cs))
                    add_columns(&c, root->u.df, prefix, plen);
            }
        } else {
            for (int i = 0; i < s->nvars; i++) add(&c, prefix, plen, s->vars[i].name, NULL);
            static const char *const bi[] = {"spark", "F", "print", "display", "help", "len", "col", "lit", "when",
                                             "expr", "import", "from", "True", "False", "None"};
            for (size_t i = 0; i < LP_ARRAY_LEN(bi); i++) add(&c, prefix, plen, bi[i], NULL);
            if (plen > 0) add_functions(&c, prefix, plen);
        }
    }
    if (c.nomem) {
        loupe_free_matches(c.v, c.n);
        return LOUPE_ENOMEM;
    }
    if (c.n) qsort(c.v, (size_t)c.n, sizeof *c.v, cmp_str);
    *matches = c.v;
    *nmatches = c.n;
    *start = wstart;
    *end = cursor;
    size_t e = cursor;
    while (e < n && ident_char(code[e])) e++;
    *end = e;
    return LOUPE_OK;
}


char *loupe_inspect(loupe_session *s, const char *code, size_t n, size_t cursor) {
    if (cursor > n) cursor = n;
    size_t e = cursor;
    while (e < n && ident_char(code[e])) e++;
    /* on `name(` with the cursor after the paren, inspect name */
    if (e == cursor && cursor > 0 && code[cursor - 1] == '(') e = cursor - 1;
    size_t st = chain_start(code, e);
    if (st == e) return NULL;
    size_t last = e;
    while (last > st && ident_char(code[last - 1])) last--;
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(e - last), code + last);
    lp_val *v = NULL;
    if (last == st) {
        lp_val *var = lp_sess_get(s, name);
        v = var ? lp_val_ref(var) : lp_builtin_value(name);
    } else {
        lp_val *root = NULL;
        lp_vkind k = chain_kind(s, code, st, last - 1, &root);
        if (k == LV_FUNC) {
            v = lp_builtin_value(name);
        } else if (k != LV_NONE) {
            int nm;
            const lp_method *m = lp_methods(k, &nm);
            for (int i = 0; m && i < nm; i++)
                if (strcmp(m[i].name, name) == 0) {
                    lp_val *self = lp_val_new(k == LV_MODULE ? LV_MODULE : k);
                    v = self ? lp_val_new(LV_METHOD) : NULL;
                    if (v) {
                        v->u.method.self = self;
                        snprintf(v->u.method.name, sizeof v->u.method.name, "%.47s", name);
                    } else {
                        lp_free(self);
                    }
                    break;
                }
            if (!v && k == LV_DF && root && root->kind == LV_DF && lp_plan_col_index(root->u.df, name) >= 0) {
                int i = lp_plan_col_index(root->u.df, name);
                lp_strbuf b;
                lp_strbuf_init(&b);
                lp_strbuf_printf(&b, "column %s: %s\n", root->u.df->names[i], lp_type_name(root->u.df->types[i]));
                char *r = b.nomem ? NULL : strdup(b.p);
                lp_strbuf_reset(&b);
                return r;
            }
        }
    }
    if (!v) return NULL;
    lp_strbuf b;
    lp_strbuf_init(&b);
    /* a method value built here has a zeroed self (help reads only its kind); zeroed payloads
     * are safe to release */
    lp_sess_help_text(s, v, &b);
    lp_val_unref(v);
    char *r = b.nomem || !b.len ? NULL : strdup(b.p);
    lp_strbuf_reset(&b);
    return r;
}
