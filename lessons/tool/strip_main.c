/* strip_main.c -- loupe-lessons: the instructor tool for the workshop's notebooks.
 *
 *     loupe-lessons strip SRC.ipynb OUT.ipynb
 *
 * writes the student version of an instructor notebook: in every cell, each block between a
 * line `### BEGIN SOLUTION` and a line `### END SOLUTION` (markers as nbgrader writes them,
 * indentation allowed) is replaced by one line `# TODO: your code here` at the marker's
 * indentation (in a Markdown cell: `_Your answer here._`); the text before and after the markers
 * stays. Code cells lose their outputs and execution counts. Everything else (metadata, cell
 * ids, other cells) is copied as it is. SRC is only read; OUT is written through a temporary
 * file renamed into place, so a failed run leaves no half-written notebook, and OUT may not be
 * SRC.
 *
 * Unbalanced markers (a BEGIN inside a solution, an END without a BEGIN, a BEGIN never ended)
 * are refused with the cell's number (counting from 1, as Jupyter shows no numbers: the n-th
 * cell from the top) and the line in the cell, and nothing is written.
 *
 * Exit status: 0 written, 1 refused or failed (the reason on stderr), 2 bad usage.
 * Single-threaded; memory through jansson and malloc (a command-line tool, not the engine).
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BEGIN_MARK "### BEGIN SOLUTION"
#define END_MARK "### END SOLUTION"
#define TODO_CODE "# TODO: your code here"
#define TODO_MD "_Your answer here._"

static const char *prog = "loupe-lessons";

static void usage(FILE *f) {
    fprintf(f,
            "usage: %s strip SRC.ipynb OUT.ipynb\n"
            "  writes the student version of SRC to OUT: each block between '" BEGIN_MARK "' and\n"
            "  '" END_MARK "' becomes '" TODO_CODE "', outputs and execution counts are cleared;\n"
            "  SRC is left untouched.\n",
            prog);
}

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

/* The message of a refusal or failure, for main to print. */
static char err[1024];
static const char *err_src;  /* the notebook a refusal is about, printed before err */

static int fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, sizeof err, fmt, ap);
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
static int source_text(json_t *cell, int no, buf *out) {
    json_t *src = json_object_get(cell, "source");
    if (json_is_string(src)) {
        if (!buf_add(out, json_string_value(src), json_string_length(src))) return fail("out of memory");
        return 0;
    }
    if (!json_is_array(src)) return fail("cell %d: 'source' is neither a string nor a list of strings", no);
    size_t i;
    json_t *line;
    json_array_foreach(src, i, line) {
        if (!json_is_string(line)) return fail("cell %d: 'source' holds something that is not a string", no);
        if (!buf_add(out, json_string_value(line), json_string_length(line))) return fail("out of memory");
    }
    if (!out->p && !buf_add(out, "", 0)) return fail("out of memory");
    return 0;
}

/* Replaces the solutions in text; *nsol counts them. Returns 0, or -1 with err set. */
static int strip_text(const char *text, size_t n, bool markdown, int no, buf *out, int *nsol) {
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
                return fail("cell %d, line %d: '" BEGIN_MARK "' inside the solution begun on line %d (a missing '" END_MARK
                            "'?)",
                            no, line_no, begin_line);
            inside = true;
            begin_line = line_no;
            (*nsol)++;
            if (!buf_add(out, text + i, indent) || !buf_add(out, todo, strlen(todo)) || !buf_add(out, "\n", 1))
                return fail("out of memory");
        } else if (is_mark(text + i, j - i, END_MARK, &indent)) {
            if (!inside) return fail("cell %d, line %d: '" END_MARK "' without a '" BEGIN_MARK "' before it", no, line_no);
            inside = false;
        } else if (!inside) {
            if (!buf_add(out, text + i, end - i)) return fail("out of memory");
        }
        i = end;
    }
    if (inside) return fail("cell %d, line %d: '" BEGIN_MARK "' is never ended by '" END_MARK "'", no, begin_line);
    /* the TODO line ends in a newline; a cell whose text did not end in one keeps it that way */
    if (out->len && (n == 0 || text[n - 1] != '\n') && out->p[out->len - 1] == '\n') out->p[--out->len] = '\0';
    if (!out->p && !buf_add(out, "", 0)) return fail("out of memory");
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

/* Strips the notebook in place; *nsol and *ncells count the solutions and cells changed. */
static int strip_notebook(json_t *nb, int *nsol, int *ncells) {
    json_t *cells = json_object_get(nb, "cells");
    if (!json_is_object(nb) || !json_is_array(cells)) return fail("not a Jupyter notebook: no 'cells' list");
    size_t i;
    json_t *cell;
    json_array_foreach(cells, i, cell) {
        int no = (int)i + 1;
        const char *type = json_string_value(json_object_get(cell, "cell_type"));
        if (!json_is_object(cell) || !type) return fail("cell %d: not a notebook cell (no 'cell_type')", no);
        bool code = strcmp(type, "code") == 0;
        if (!code && strcmp(type, "markdown") != 0) continue;
        buf text = {0}, out = {0};
        int before = *nsol;
        int rc = source_text(cell, no, &text);
        if (rc == 0) rc = strip_text(text.p, text.len, !code, no, &out, nsol);
        if (rc == 0 && *nsol > before) {
            json_t *lines = source_lines(out.p, out.len);
            if (!lines || json_object_set_new(cell, "source", lines) != 0) rc = fail("out of memory");
            else (*ncells)++;
        }
        free(text.p);
        free(out.p);
        if (rc) return rc;
        if (code) {
            if (json_object_set_new(cell, "outputs", json_array()) != 0 ||
                json_object_set_new(cell, "execution_count", json_null()) != 0)
                return fail("out of memory");
        }
    }
    return 0;
}

static bool same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Writes nb to path as Jupyter does (one-space indent, UTF-8 as is, a final newline), through
 * a temporary file renamed into place. */
static int write_notebook(json_t *nb, const char *path) {
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp) return fail("out of memory");
    snprintf(tmp, n + 16, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fail("cannot write %s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    int rc = json_dumpf(nb, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    if (rc == 0 && fputc('\n', f) == EOF) rc = -1;
    if (fclose(f) != 0) rc = -1;
    if (rc == 0 && rename(tmp, path) != 0) rc = -1;
    if (rc != 0) {
        fail("cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

static int cmd_strip(const char *src, const char *dst) {
    if (same_file(src, dst) || strcmp(src, dst) == 0)
        return fail("%s: the student version cannot replace the instructor version; name another file", dst);
    json_error_t je;
    json_t *nb = json_load_file(src, 0, &je);
    if (!nb) {
        if (je.line < 1) return fail("%s: %s", src, je.text);
        return fail("%s:%d:%d: not valid JSON: %s", src, je.line, je.column, je.text);
    }
    int nsol = 0, ncells = 0;
    int rc = strip_notebook(nb, &nsol, &ncells);
    if (rc != 0) err_src = src;
    else rc = write_notebook(nb, dst);
    json_decref(nb);
    if (rc == 0)
        printf("%s: %d solution%s replaced in %d cell%s\n", dst, nsol, nsol == 1 ? "" : "s", ncells,
               ncells == 1 ? "" : "s");
    return rc;
}

int main(int argc, char **argv) {
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc != 4 || strcmp(argv[1], "strip") != 0) {
        usage(stderr);
        return 2;
    }
    if (cmd_strip(argv[2], argv[3]) != 0) {
        if (err_src) fprintf(stderr, "%s: %s: %s\n", prog, err_src, err);
        else fprintf(stderr, "%s: %s\n", prog, err);
        return 1;
    }
    return 0;
}
