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
 * The rule itself is strip.c's (strip.h); this file is the command line and the file handling.
 * Single-threaded; memory through jansson and malloc (a command-line tool, not the engine).
 */
#include "strip.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *prog = "loupe-lessons";

static void usage(FILE *f) {
    fprintf(f,
            "usage: %s strip SRC.ipynb OUT.ipynb\n"
            "  writes the student version of SRC to OUT: each block between '" BEGIN_MARK "' and\n"
            "  '" END_MARK "' becomes '" TODO_CODE "', outputs and execution counts are cleared;\n"
            "  SRC is left untouched.\n",
            prog);
}

/* The message of a refusal or failure, for main to print. */
static char err[1024];
static const char *err_src;  /* the notebook a refusal is about, printed before err */

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, sizeof err, fmt, ap);
    va_end(ap);
    return -1;
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
    ll_strip st;
    int rc = ll_strip_notebook(nb, &st);
    int nsol = st.nsol, ncells = st.ncells;
    if (rc != 0) {
        err_src = src;
        snprintf(err, sizeof err, "%s", st.err);
    } else {
        rc = write_notebook(nb, dst);
    }
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
