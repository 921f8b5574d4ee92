/* term.c -- the interactive prompt of `loupe`, over libedit's native API (histedit.h).
 *
 * A statement is read line by line: after each line the text so far goes to
 * loupe_is_complete(); INCOMPLETE (an open bracket or string, a trailing backslash) asks for
 * more under the continuation prompt "...> ", anything else runs. Emacs keys; history in
 * $LOUPE_HISTORY or ~/.loupe_history, one entry per input line, saved after every line so that
 * a killed session keeps it. Tab asks loupe_complete() for the candidates at the cursor (the
 * pending lines of a multi-line statement included) and inserts their common prefix, or lists
 * them when there is nothing more to insert. Dot commands (.help, .timer, .quit) are read at
 * the primary prompt only.
 *
 * Ctrl-C at the prompt: the SIGINT handler (run.c) sets repl_interrupted; our character reader
 * sees read() fail with EINTR and hands libedit a ^C, bound to a function that ends the line;
 * the line, and any pending lines of the statement, are dropped and a fresh prompt follows.
 * Ctrl-D on an empty line exits.
 */
#include "repl.h"

#include <ctype.h>
#include <errno.h>
#include <histedit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#define PROMPT "loupe> "
#define CONT_PROMPT "...> "

/* The prompt's state, reachable from libedit's callbacks through EL_CLIENTDATA. */
typedef struct term {
    repl *r;
    EditLine *el;
    History *hist;
    char *hist_path;       /* NULL: no history file */
    char *pending;         /* the lines of an unfinished statement, each ending in '\n' */
    size_t pending_len, pending_cap;
    bool line_interrupted; /* the line just read was ended by Ctrl-C */
} term;

static term *term_of(EditLine *el) {
    void *p = NULL;
    el_get(el, EL_CLIENTDATA, &p);
    return p;
}

static char *prompt_fn(EditLine *el) {
    term *t = term_of(el);
    return t && t->pending_len ? CONT_PROMPT : PROMPT;
}

/* Appends n bytes to the pending statement. false when memory runs out. */
static bool pending_add(term *t, const char *s, size_t n) {
    if (t->pending_len + n + 1 > t->pending_cap) {
        size_t cap = t->pending_cap ? t->pending_cap : 256;
        while (cap < t->pending_len + n + 1) cap *= 2;
        char *p = realloc(t->pending, cap);
        if (!p) return false;
        t->pending = p;
        t->pending_cap = cap;
    }
    memcpy(t->pending + t->pending_len, s, n);
    t->pending_len += n;
    t->pending[t->pending_len] = 0;
    return true;
}

/* ---- reading characters: Ctrl-C -------------------------------------------------------- */

/* libedit's character reader, replaced so that an interrupted read() becomes a ^C key (which
 * the terminal otherwise never delivers: it turns into SIGINT). Decodes the locale's multibyte
 * characters as libedit's own reader does. Returns 1 with *wc set, 0 at end of input, -1 on an
 * error. */
static volatile sig_atomic_t winched; /* the terminal was resized */

static void on_sigwinch(int sig) {
    (void)sig;
    winched = 1;
}

static int getc_fn(EditLine *el, wchar_t *wc) {
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (;;) {
        if (winched) {
            winched = 0;
            el_resize(el);
        }
        if (repl_interrupted) {
            repl_interrupted = 0;
            *wc = 0x03;
            return 1;
        }
        char c;
        ssize_t got = read(STDIN_FILENO, &c, 1);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return got == 0 ? 0 : -1;
        size_t k = mbrtowc(wc, &c, 1, &st);
        if (k == (size_t)-2) continue;                 /* more bytes of this character */
        if (k == (size_t)-1) {                        /* not valid: pass the byte through */
            memset(&st, 0, sizeof st);
            *wc = (unsigned char)c;
        }
        return 1;
    }
}

/* ^C: end the line; the loop drops it. */
static unsigned char interrupt_fn(EditLine *el, int ch) {
    (void)ch;
    term *t = term_of(el);
    t->line_interrupted = true;
    return CC_NEWLINE;
}

/* ---- completion --------------------------------------------------------------------------- */

/* Characters (UTF-8 code points) in s[0, n). */
static int chars_in(const char *s, size_t n) {
    int c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static size_t common_prefix(char **m, int n) {
    size_t len = strlen(m[0]);
    for (int i = 1; i < n; i++) {
        size_t k = 0;
        while (k < len && m[i][k] == m[0][k]) k++;
        len = k;
    }
    /* do not end inside a UTF-8 character */
    while (len > 0 && ((unsigned char)m[0][len] & 0xC0) == 0x80) len--;
    return len;
}

/* Prints the candidates in columns under the line being edited. */
static void list_matches(char **m, int n) {
    struct winsize ws;
    int width = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
    size_t longest = 0;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(m[i]);
        if (l > longest) longest = l;
    }
    int colw = (int)longest + 2, cols = width / colw > 0 ? width / colw : 1;
    int shown = n > 200 ? 200 : n, rows = (shown + cols - 1) / cols;
    fputc('\n', stdout);
    for (int row = 0; row < rows; row++) {
        for (int c = 0; c < cols; c++) {
            int i = c * rows + row;
            if (i >= shown) break;
            bool last = c == cols - 1 || (c + 1) * rows + row >= shown;
            if (last) fputs(m[i], stdout);
            else printf("%-*s", colw, m[i]);
        }
        fputc('\n', stdout);
    }
    if (shown < n) printf("... and %d more\n", n - shown);
    fflush(stdout);
}

/* Tab: replace the text loupe_complete() names with the candidates' common prefix, or list
 * the candidates when that adds nothing. */
static unsigned char complete_fn(EditLine *el, int ch) {
    (void)ch;
    term *t = term_of(el);
    const LineInfo *li = el_line(el);
    size_t line_len = (size_t)(li->lastchar - li->buffer), cur = (size_t)(li->cursor - li->buffer);
    size_t base = t->pending_len, n = base + line_len;
    char *code = malloc(n + 1);
    if (!code) return CC_ERROR;
    memcpy(code, t->pending ? t->pending : "", base);
    memcpy(code + base, li->buffer, line_len);
    code[n] = 0;

    char **m = NULL;
    int nm = 0;
    size_t start = 0, end = 0;
    loupe_status st = loupe_complete(t->r->session, code, n, base + cur, &m, &nm, &start, &end);
    unsigned char rc = CC_REFRESH_BEEP;
    if (st == LOUPE_OK && nm > 0 && start >= base && start <= end && end <= n) {
        size_t have = end - start, pre = common_prefix(m, nm);
        bool same = pre == have && memcmp(m[0], code + start, have) == 0;
        /* a shorter prefix (fuzzy matches) would delete what was typed: list instead */
        if (nm == 1 || pre > have || (pre == have && !same)) {
            /* move to the end of the range, delete it, insert the prefix */
            size_t at = base + cur;
            el_cursor(el, end >= at ? chars_in(code + at, end - at) : -chars_in(code + end, at - end));
            el_deletestr(el, chars_in(code + start, have));
            char *ins = strndup(m[0], pre);
            if (ins) {
                el_insertstr(el, ins);
                free(ins);
            }
            rc = CC_REFRESH;
        } else if (nm > 1) {
            list_matches(m, nm);
            rc = CC_REDISPLAY;
        }
    }
    loupe_free_matches(m, nm);
    free(code);
    return rc;
}

/* ---- dot commands ------------------------------------------------------------------------- */

const char repl_help_text[] =
    "Commands (at the loupe> prompt):\n"
    "  .help            this text\n"
    "  .timer on|off    print each statement's time to stderr\n"
    "  .quit            leave (or Ctrl-D)\n"
    "Keys: Tab completes names, methods and columns; Ctrl-C clears the line or stops a running\n"
    "statement; Ctrl-R searches the history; a line ending in \\ or an open bracket continues.\n"
    "\n"
    "The language is PySpark's DataFrame API (and SQL):\n"
    "  reviews = spark.read.json(\"reviews.json\")       read a file (also .csv(path, header=True))\n"
    "  reviews.printSchema()                           its columns and types\n"
    "  reviews.show(5)                                 the first rows\n"
    "  reviews.filter(col(\"overall\") >= 4).count()\n"
    "  reviews.groupBy(\"asin\").agg(F.avg(\"overall\").alias(\"r\")).orderBy(F.desc(\"r\")).show()\n"
    "  reviews.createOrReplaceTempView(\"reviews\")\n"
    "  spark.sql(\"SELECT overall, count(*) FROM reviews GROUP BY overall\").show()\n"
    "  help(F.datediff), help(reviews.join), help(reviews)   documentation\n";

/* Runs a dot command. Returns false for .quit. */
static bool dot_command(term *t, const char *line) {
    char cmd[32] = "", arg[32] = "";
    int k = sscanf(line, ".%31s %31s", cmd, arg);
    if (k >= 1 && (strcmp(cmd, "quit") == 0 || strcmp(cmd, "exit") == 0)) return false;
    if (k >= 1 && strcmp(cmd, "help") == 0) {
        fputs(repl_help_text, stdout);
    } else if (k >= 1 && strcmp(cmd, "timer") == 0) {
        if (k == 2 && strcmp(arg, "on") == 0) t->r->timer = true;
        else if (k == 2 && strcmp(arg, "off") == 0) t->r->timer = false;
        else fprintf(stderr, "usage: .timer on|off (it is %s)\n", t->r->timer ? "on" : "off");
    } else {
        fprintf(stderr, "unknown command %s; .help lists the commands\n", line);
    }
    fflush(stdout);
    return true;
}

/* ---- the loop ----------------------------------------------------------------------------- */

static char *history_path(void) {
    const char *env = getenv("LOUPE_HISTORY");
    if (env) return *env ? strdup(env) : NULL; /* LOUPE_HISTORY= turns the file off */
    const char *home = getenv("HOME");
    if (!home || !*home) return NULL;
    size_t n = strlen(home) + sizeof "/.loupe_history";
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/.loupe_history", home);
    return p;
}

static void remember(term *t, const char *line) {
    HistEvent ev;
    if (!*line) return;
    history(t->hist, &ev, H_ENTER, line);
    if (t->hist_path) history(t->hist, &ev, H_SAVE, t->hist_path);
}

/* Whether a line is only blanks. */
static bool blank(const char *s) {
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') return false;
    return true;
}

int repl_interactive(repl *r) {
    term t = {.r = r};
    HistEvent ev;
    t.hist = history_init();
    t.el = el_init("loupe", stdin, stdout, stderr);
    if (!t.hist || !t.el) {
        fprintf(stderr, "loupe: cannot initialise the line editor\n");
        if (t.hist) history_end(t.hist);
        return 1;
    }
    history(t.hist, &ev, H_SETSIZE, 2000);
    history(t.hist, &ev, H_SETUNIQUE, 1);
    t.hist_path = history_path();
    if (t.hist_path) history(t.hist, &ev, H_LOAD, t.hist_path);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigwinch; /* no SA_RESTART: the read() returns and the editor resizes */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGWINCH, &sa, NULL);

    el_set(t.el, EL_CLIENTDATA, &t);
    el_set(t.el, EL_EDITOR, "emacs");
    el_set(t.el, EL_PROMPT, prompt_fn);
    el_set(t.el, EL_HIST, history, t.hist);
    el_set(t.el, EL_GETCFN, getc_fn);
    /* el_wset: the narrow el_set copies the names and never frees them */
    el_wset(t.el, EL_ADDFN, L"loupe-complete", L"complete with loupe_complete", complete_fn);
    el_wset(t.el, EL_ADDFN, L"loupe-interrupt", L"drop the line (Ctrl-C)", interrupt_fn);
    el_set(t.el, EL_BIND, "^I", "loupe-complete", NULL);
    el_set(t.el, EL_BIND, "^C", "loupe-interrupt", NULL);
    el_source(t.el, NULL); /* ~/.editrc */

    printf("Loupe %s: PySpark's DataFrame API and SQL. .help for help, Ctrl-D to quit.\n", LOUPE_VERSION);
    fflush(stdout);
    for (;;) {
        int count = 0;
        t.line_interrupted = false;
        repl_interrupted = 0;
        const char *line = el_gets(t.el, &count);
        if (t.line_interrupted) {
            t.pending_len = 0;
            fputs("^C\n", stdout);
            fflush(stdout);
            continue;
        }
        if (!line || count <= 0) {
            if (count < 0 && errno == EINTR) continue;
            fputc('\n', stdout);
            break; /* Ctrl-D */
        }
        size_t n = strlen(line);
        char *copy = strndup(line, n && line[n - 1] == '\n' ? n - 1 : n);
        if (!copy) break;
        remember(&t, copy);
        if (t.pending_len == 0 && copy[0] == '.' && isalpha((unsigned char)copy[1])) { /* not ".5" */
            bool go_on = dot_command(&t, copy);
            free(copy);
            if (!go_on) break;
            continue;
        }
        if (t.pending_len == 0 && blank(copy)) {
            free(copy);
            continue;
        }
        bool ok = pending_add(&t, copy, strlen(copy)) && pending_add(&t, "\n", 1);
        free(copy);
        if (!ok) {
            fprintf(stderr, "loupe: out of memory\n");
            t.pending_len = 0;
            continue;
        }
        if (loupe_is_complete(t.pending, t.pending_len) == LOUPE_INCOMPLETE) continue;
        (void)repl_run(r, t.pending, t.pending_len, "<stdin>");
        t.pending_len = 0;
    }
    el_end(t.el);
    history_end(t.hist);
    free(t.hist_path);
    free(t.pending);
    return 0;
}
