/* run.c -- running text through the session for every mode of `loupe`: where output goes, how
 * an error is printed, the .timer line, and Ctrl-C.
 *
 * Output: print() and show() text goes to stdout as the engine writes it; warnings to stderr;
 * displayed values (a scalar, a table, a chart, help) as the plain text the engine supplies,
 * with a newline added when it has none. Tables fit the terminal's width when stdout is one.
 *
 * Ctrl-C: while a statement runs the handler calls loupe_cancel(), which only sets the engine's
 * atomic flag; the statement returns LOUPE_ECANCELLED and its error is printed like any other.
 * Should the engine not stop (a third Ctrl-C during one statement), the process exits with 130
 * rather than leave the user stuck.
 */
#include "repl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t repl_running;
volatile sig_atomic_t repl_interrupted;
static volatile sig_atomic_t cancels;  /* SIGINTs during the running statement */
static volatile sig_atomic_t prompt;   /* interactive: an idle SIGINT interrupts the prompt */

static void on_sigint(int sig) {
    (void)sig;
    int saved = errno;
    if (repl_running) {
        loupe_cancel();
        if (++cancels >= 3) {
            static const char msg[] = "\nloupe: the statement does not stop; exiting\n";
            ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
            (void)w;
            _exit(130);
        }
    } else if (prompt) {
        repl_interrupted = 1;
    } else {
        _exit(130); /* a script between statements: stop, as the default action would */
    }
    errno = saved;
}

void repl_signals_init(bool interactive) {
    prompt = interactive;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: the prompt's read() must see EINTR */
    sigaction(SIGINT, &sa, NULL);
    /* a file-size limit (ulimit -f) makes a write fail with EFBIG, reported like a full disk,
     * instead of killing the session mid-write */
    signal(SIGXFSZ, SIG_IGN);
}

static void put(FILE *f, const char *s, size_t n) {
    fwrite(s, 1, n, f);
    fflush(f);
}

static void out_cb(void *ctx, const char *s, size_t n) {
    (void)ctx;
    put(stdout, s, n);
}

static void err_cb(void *ctx, const char *s, size_t n) {
    (void)ctx;
    fflush(stdout); /* keep warnings in order with the output around them */
    put(stderr, s, n);
}

static void display_cb(void *ctx, const loupe_display *d) {
    (void)ctx;
    if (!d->text) return;
    size_t n = d->text_len;
    fwrite(d->text, 1, n, stdout);
    if (n == 0 || d->text[n - 1] != '\n') fputc('\n', stdout);
    fflush(stdout);
}

/* The terminal's width in columns, or 0 when stdout is not a terminal. */
static int term_width(void) {
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 0;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

loupe_status repl_run(repl *r, const char *code, size_t n, const char *name) {
    if (r->tty_out) {
        int w = term_width();
        if (w > 0) loupe_session_set_width(r->session, w);
    }
    loupe_output out = {.ctx = r, .out = out_cb, .err = err_cb, .display = display_cb};
    loupe_diag diag;
    memset(&diag, 0, sizeof diag);
    loupe_cancel_reset();
    cancels = 0;
    double t0 = now_ms();
    repl_running = 1;
    loupe_status st = loupe_run(r->session, code, n, name, 1, &out, &diag);
    repl_running = 0;
    double ms = now_ms() - t0;
    fflush(stdout);
    if (st != LOUPE_OK) {
        /* the terminal echoed ^C where the output stopped: start the error on a line of its own */
        if (st == LOUPE_ECANCELLED && r->tty_err) fputc('\n', stderr);
        char *msg = loupe_diag_format(&diag, code, n, r->tty_err);
        if (msg) {
            size_t len = strlen(msg);
            fputs(msg, stderr);
            if (len == 0 || msg[len - 1] != '\n') fputc('\n', stderr);
            free(msg);
        } else {
            fprintf(stderr, "%s: %s\n", loupe_status_name(diag.status), diag.msg);
        }
    }
    if (r->timer) fprintf(stderr, "time: %.1f ms\n", ms);
    fflush(stderr);
    return st;
}
