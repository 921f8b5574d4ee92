/* repl.h -- what the parts of the `loupe` command share.
 *
 *   main.c  the command line: options, and the non-interactive modes (a script file, -c, stdin)
 *   run.c   running text through a session: output callbacks, errors, the timer, and the
 *           SIGINT handler that cancels a running statement
 *   term.c  the interactive prompt over libedit: history, multi-line input, completion, dot
 *           commands
 *
 * Everything goes through the engine's public header, loupe.h, as the kernel does. The program
 * is single-threaded apart from the engine's pool; the SIGINT handler only touches the
 * sig_atomic_t flags declared here and calls loupe_cancel() (async-signal-safe).
 */
#ifndef LOUPE_REPL_H
#define LOUPE_REPL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "loupe.h"

/* One `loupe` process: the session and its front-end settings. */
typedef struct repl {
    loupe_session *session;
    bool timer;        /* .timer on: print the time of each statement to stderr */
    bool tty_err;      /* stderr is a terminal: colour diagnostics */
    bool tty_out;      /* stdout is a terminal: fit tables to its width */
} repl;

/* Set by the SIGINT handler: a statement is running (cancel it) or not (interrupt the prompt). */
extern volatile sig_atomic_t repl_running;
/* SIGINTs that arrived while no statement ran; term.c consumes them. */
extern volatile sig_atomic_t repl_interrupted;

/* Installs the SIGINT handler (without SA_RESTART, so a blocked read() returns EINTR). While
 * no statement runs, SIGINT interrupts the prompt when `interactive`, else ends the process
 * with status 130. */
void repl_signals_init(bool interactive);

/* Runs code[0, n) in the session, named `name` in messages, with output to stdout/stderr and
 * an error (formatted with loupe_diag_format) to stderr. Returns the statement's status. */
loupe_status repl_run(repl *r, const char *code, size_t n, const char *name);

/* The interactive prompt, until Ctrl-D or .quit. Returns the process's exit status. */
int repl_interactive(repl *r);

/* The text .help prints. */
extern const char repl_help_text[];

#endif /* LOUPE_REPL_H */
