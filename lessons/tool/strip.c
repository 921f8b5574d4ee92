/* strip.c -- the strip rule of loupe-lessons (strip.h), on a notebook parsed by jansson.
 *
 * A cell's source (a string or nbformat's list of lines) is joined, its marker blocks replaced
 * line by line, and written back as a list of lines; cells without a solution keep their source
 * as it was. Memory through jansson and malloc (a command-line tool, not the engine).
 */
#include "strip.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growable string (the tool's own: it does not link the engine). */
typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static bool buf_add(buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return false;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return true;
}

/* Sets the message of a refusal or failure; returns -1. */
static int fail(ll_strip *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(ll_strip *st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err, sizeof st->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* Whether line[0, n) is `mark` with only blanks around it; *indent gets its leading blanks. */
static bool is_mark(const char *line, size_t n, const char *mark, size_t *indent) {
    size_t i = 0, m = strlen(mark);
    while (i < n && (line[i] == ' ' || line[i] == '\t')) i++;
    *indent = i;
    if (n - i < m || memcmp(line + i, mark, m) != 0) return false;
    for (size_t k = i + m; k < n; k++)
        if (line[k] != ' ' && line[k] != '\t' && line[k] != '\r' && line[k] != '\n') return false;
    return true;
}

/* A cell's source as one string: nbformat allows a string or a list of strings. */
static int source_text(ll_strip *st, json_t *cell, int no, buf *out) {
    json_t *src = json_object_get(cell, "source");
    if (json_is_string(src)) {
        if (!buf_add(out, json_string_value(src), json_string_length(src))) return fail(st, "out of memory");
        return 0;
    }
    if (!json_is_array(src)) return fail(st, "cell %d: 'source' is neither a string nor a list of strings", no);
    size_t i;
    json_t *line;
    json_array_foreach(src, i, line) {
        if (!json_is_string(line)) return fail(st, "cell %d: 'source' holds something that is not a string", no);
        if (!buf_add(out, json_string_value(line), json_string_length(line))) return fail(st, "out of memory");
    }
    if (!out->p && !buf_add(out, "", 0)) return fail(st, "out of memory");
    return 0;
}

/* Replaces the solutions in text; *nsol counts them. Returns 0, or -1 with err set. */
static int strip_text(ll_strip *st, const char *text, size_t n, bool markdown, int no, buf *out, int *nsol) {
    const char *todo = markdown ? TODO_MD : TODO_CODE;
    bool inside = false;
    int line_no = 0, begin_line = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && text[j] != '\n') j++;
        size_t end = j < n ? j + 1 : j;  /* with its newline */
        line_no++;
        size_t indent;
        if (is_mark(text + i, j - i, BEGIN_MARK, &indent)) {
            if (inside)
                return fail(st, "cell %d, line %d: '" BEGIN_MARK "' inside the solution begun on line %d (a missing '" END_MARK
                            "'?)",
                            no, line_no, begin_line);
            inside = true;
            begin_line = line_no;
            (*nsol)++;
            if (!buf_add(out, text + i, indent) || !buf_add(out, todo, strlen(todo)) || !buf_add(out, "\n", 1))
                return fail(st, "out of memory");
        } else if (is_mark(text + i, j - i, END_MARK, &indent)) {
            if (!inside) return fail(st, "cell %d, line %d: '" END_MARK "' without a '" BEGIN_MARK "' before it", no, line_no);
            inside = false;
        } else if (!inside) {
            if (!buf_add(out, text + i, end - i)) return fail(st, "out of memory");
        }
        i = end;
    }
    if (inside) return fail(st, "cell %d, line %d: '" BEGIN_MARK "' is never ended by '" END_MARK "'", no, begin_line);
    /* the TODO line ends in a newline; a cell whose text did not end in one keeps it that way */
    if (out->len && (n == 0 || text[n - 1] != '\n') && out->p[out->len - 1] == '\n') out->p[--out->len] = '\0';
    if (!out->p && !buf_add(out, "", 0)) return fail(st, "out of memory");
    return 0;
}

/* The text as nbformat's list of lines, each but the last ending in '\n'. */
static json_t *source_lines(const char *s, size_t n) {
    json_t *a = json_array();
    if (!a) return NULL;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '\n') j++;
        if (j < n) j++;
        if (json_array_append_new(a, json_stringn(s + i, j - i)) != 0) {
            json_decref(a);
            return NULL;
        }
        i = j;
    }
    return a;
}

int ll_strip_notebook(json_t *nb, ll_strip *st) {
    st->nsol = st->ncells = 0;
    st->err[0] = '\0';
    int *nsol = &st->nsol, *ncells = &st->ncells;
    json_t *cells = json_object_get(nb, "cells");
    if (!json_is_object(nb) || !json_is_array(cells)) return fail(st, "not a Jupyter notebook: no 'cells' list");
    size_t i;
    json_t *cell;
    json_array_foreach(cells, i, cell) {
        int no = (int)i + 1;
        const char *type = json_string_value(json_object_get(cell, "cell_type"));
        if (!json_is_object(cell) || !type) return fail(st, "cell %d: not a notebook cell (no 'cell_type')", no);
        bool code = strcmp(type, "code") == 0;
        if (!code && strcmp(type, "markdown") != 0) continue;
        buf text = {0}, out = {0};
        int before = *nsol;
        int rc = source_text(st, cell, no, &text);
        if (rc == 0) rc = strip_text(st, text.p, text.len, !code, no, &out, nsol);
        if (rc == 0 && *nsol > before) {
            json_t *lines = source_lines(out.p, out.len);
            if (!lines || json_object_set_new(cell, "source", lines) != 0) rc = fail(st, "out of memory");
            else (*ncells)++;
        }
        free(text.p);
        free(out.p);
        if (rc) return rc;
        if (code) {
            if (json_object_set_new(cell, "outputs", json_array()) != 0 ||
                json_object_set_new(cell, "execution_count", json_null()) != 0)
                return fail(st, "out of memory");
        }
    }
    return 0;
}

