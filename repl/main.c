/* main.c -- the `loupe` command line: the interactive prompt, a script, one statement (-c), or
 * a script on stdin.
 *
 *     loupe                 the prompt (stdin a terminal), or the script on stdin
 *     loupe script.lp       runs the file
 *     loupe -c "stmt"       runs one statement list
 *
 * Non-interactive runs give the engine the whole text at once (it stops at the first error,
 * whose message goes to stderr) and exit 1 on an error, 0 otherwise. Usage errors exit 2.
 */
#include "repl.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: loupe [script.lp | -c STATEMENTS | -]\n"
    "\n"
    "Loupe: a PySpark DataFrame subset (and SQL) for teaching, on one machine.\n"
    "\n"
    "  (no argument)   the interactive prompt when stdin is a terminal, otherwise run stdin\n"
    "  script.lp       run the file; stop at the first error (exit status 1)\n"
    "  -c STATEMENTS   run the statements given as one argument\n"
    "  -               run stdin\n"
    "  --help          this text\n"
    "  --version       the version\n"
    "\n"
    "Environment: LOUPE_THREADS, LOUPE_MEMORY_LIMIT, LOUPE_HISTORY (the prompt's history file,\n"
    "default ~/.loupe_history).\n";

/* Reads all of f into a malloc'd buffer (*n bytes, NUL-terminated). NULL on a read error or
 * when memory runs out, with errno set. */
static char *slurp(FILE *f, size_t *n) {
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (!buf) return NULL;
    for (;;) {
        if (cap - len < 2) {
            char *nb = cap < SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                free(buf);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                int e = errno;
                free(buf);
                errno = e ? e : EIO;
                return NULL;
            }
            break;
        }
    }
    buf[len] = 0;
    *n = len;
    return buf;
}

/* Runs a whole text and turns its status into the exit status. */
static int run_text(repl *r, const char *code, size_t n, const char *name) {
    return repl_run(r, code, n, name) == LOUPE_OK ? 0 : 1;
}

static int run_stream(repl *r, FILE *f, const char *name) {
    size_t n;
    char *code = slurp(f, &n);
    if (!code) {
        fprintf(stderr, "loupe: cannot read %s: %s\n", name, strerror(errno));
        return 1;
    }
    int rc = run_text(r, code, n, name);
    free(code);
    return rc;
}

static int run_file(repl *r, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "loupe: cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    int rc = run_stream(r, f, path);
    fclose(f);
    return rc;
}

int main(int argc, char **argv) {
    setlocale(LC_CTYPE, "");
    const char *command = NULL, *script = NULL;
    bool use_stdin = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            printf("loupe %s\n", LOUPE_VERSION);
            return 0;
        } else if (strcmp(a, "-c") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "loupe: -c needs the statements to run\n%s", usage);
                return 2;
            }
            command = argv[++i];
        } else if (strcmp(a, "-") == 0) {
            use_stdin = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "loupe: unknown option %s\n%s", a, usage);
            return 2;
        } else if (!script) {
            script = a;
        } else {
            fprintf(stderr, "loupe: one script at a time (got %s and %s)\n", script, a);
            return 2;
        }
    }
    if ((command != NULL) + (script != NULL) + use_stdin > 1) {
        fprintf(stderr, "loupe: give a script, -c or -, not several\n");
        return 2;
    }

    repl r = {0};
    r.session = loupe_session_new();
    if (!r.session) {
        fprintf(stderr, "loupe: cannot start a session: out of memory\n");
        return 1;
    }
    r.tty_err = isatty(STDERR_FILENO);
    r.tty_out = isatty(STDOUT_FILENO);
    bool interactive = !command && !script && !use_stdin && isatty(STDIN_FILENO);
    repl_signals_init(interactive);

    int rc;
    if (command) rc = run_text(&r, command, strlen(command), "<string>");
    else if (script) rc = run_file(&r, script);
    else if (!interactive) rc = run_stream(&r, stdin, "<stdin>");
    else rc = repl_interactive(&r);
    loupe_session_free(r.session);
    return rc;
}
