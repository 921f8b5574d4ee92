/* shell.c -- the requests of the shell and control channels: a table from msg_type to handler.
 *
 * Runs on the main thread. Requests that need the loupe session (execute, complete, inspect)
 * go to the worker's queue, in arrival order, and the worker publishes their busy and idle.
 * Everything else is answered here at once, between busy and idle on iopub, so it never waits
 * for a running query: kernel_info, is_complete (the engine's loupe_is_complete needs no
 * session), history, comm_info, shutdown and interrupt.
 *
 * Unknown types: a `*_request` is answered with `*_reply` {status: "error", ename:
 * "UnknownMessageType"} so a client waiting for its reply is not left hanging; any other type
 * is logged and ignored (ipykernel ignores them all). Either way busy and idle are published.
 */
#include "kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

json_t *kn_kernel_info(void) {
    return json_pack(
        "{s:s, s:s, s:s, s:s,"
        " s:{s:s, s:s, s:s, s:s, s:s, s:s},"
        " s:s, s:[{s:s, s:s}, {s:s, s:s}], s:b}",
        "status", "ok", "protocol_version", KN_PROTOCOL_VERSION, "implementation", "loupe",
        "implementation_version", LOUPE_VERSION,
        "language_info", "name", "loupe", "version", LOUPE_VERSION, "mimetype", "text/x-python",
        "file_extension", ".lp", "pygments_lexer", "python", "codemirror_mode", "python",
        "banner",
        "Loupe " LOUPE_VERSION " -- PySpark-style DataFrames (and SQL) on one machine.\n"
        "`spark`, `F` and `col` are ready; help(x) documents x; %%sql runs a cell as SQL.",
        "help_links",
        "text", "PySpark DataFrame API", "url", "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/dataframe.html",
        "text", "Spark SQL functions", "url", "https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/functions.html",
        "debugger", 0);
}

typedef void (*kn_handler)(kn_kernel *k, const kn_out *o, kn_msg *m);

static void on_kernel_info(kn_kernel *k, const kn_out *o, kn_msg *m) {
    kn_reply(k, o, m, "kernel_info_reply", kn_kernel_info());
}

/* A cell magic (%%sql, %%time) ends, as in IPython's console, with an empty line; `%time`
 * lines are judged by their statements. */
static void on_is_complete(kn_kernel *k, const kn_out *o, kn_msg *m) {
    const json_t *code = json_object_get(m->content, "code");
    const char *s = json_string_value(code);
    size_t n = json_string_length(code);
    char *masked = s && strncmp(s, "%%", 2) != 0 ? kn_mask_line_magics(s, n) : NULL;
    json_t *c;
    if (!s || (strncmp(s, "%%", 2) != 0 && !masked)) {
        c = json_pack("{s:s}", "status", "unknown");
    } else if (strncmp(s, "%%", 2) == 0) {
        size_t e = n;
        while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t')) e--;
        bool blank_end = e >= 2 && s[e - 1] == '\n' && s[e - 2] == '\n';
        c = blank_end ? json_pack("{s:s}", "status", "complete") : json_pack("{s:s, s:s}", "status", "incomplete", "indent", "");
    } else {
        switch (loupe_is_complete(masked, n)) {
        case LOUPE_COMPLETE: c = json_pack("{s:s}", "status", "complete"); break;
        case LOUPE_INCOMPLETE: c = json_pack("{s:s, s:s}", "status", "incomplete", "indent", ""); break;
        default: c = json_pack("{s:s}", "status", "invalid"); break;
        }
    }
    free(masked);
    kn_reply(k, o, m, "is_complete_reply", c);
}

static void on_history(kn_kernel *k, const kn_out *o, kn_msg *m) {
    kn_reply(k, o, m, "history_reply", kn_history_query(&k->history, m->content));
}

static void on_comm_info(kn_kernel *k, const kn_out *o, kn_msg *m) {
    kn_reply(k, o, m, "comm_info_reply", json_pack("{s:s, s:{}}", "status", "ok", "comms"));
}

static void on_connect(kn_kernel *k, const kn_out *o, kn_msg *m) {
    const kn_conf *c = &k->conf;
    kn_reply(k, o, m, "connect_reply",
             json_pack("{s:s, s:i, s:i, s:i, s:i, s:i}", "status", "ok", "shell_port", c->shell_port, "iopub_port",
                       c->iopub_port, "stdin_port", c->stdin_port, "control_port", c->control_port, "hb_port", c->hb_port));
}

/* The running statement stops at its next partition and its cell replies with an error; the
 * kernel goes on (SIGINT does the same). */
static void on_interrupt(kn_kernel *k, const kn_out *o, kn_msg *m) {
    loupe_cancel();
    kn_reply(k, o, m, "interrupt_reply", json_pack("{s:s}", "status", "ok"));
}

/* Replies, tells iopub (as ipykernel does, for other front ends on the kernel), and leaves the
 * main loop; main() stops the worker and closes the sockets. */
static void on_shutdown(kn_kernel *k, const kn_out *o, kn_msg *m) {
    bool restart = json_is_true(json_object_get(m->content, "restart"));
    kn_reply(k, o, m, "shutdown_reply", json_pack("{s:s, s:b}", "status", "ok", "restart", restart));
    kn_out io = {k->iopub, NULL};
    kn_pub(k, &io, m->header, "shutdown_reply", json_pack("{s:s, s:b}", "status", "ok", "restart", restart));
    loupe_cancel();
    k->stop = true;
    k->restart = restart;
}

static const struct {
    const char *type;
    kn_handler fn;    /* NULL: the worker's */
} handlers[] = {
    {"execute_request", NULL},
    {"complete_request", NULL},
    {"inspect_request", NULL},
    {"kernel_info_request", on_kernel_info},
    {"is_complete_request", on_is_complete},
    {"history_request", on_history},
    {"comm_info_request", on_comm_info},
    {"connect_request", on_connect},
    {"interrupt_request", on_interrupt},
    {"shutdown_request", on_shutdown},
};

void kn_dispatch(kn_kernel *k, void *sock, kn_msg *m) {
    kn_out o = {sock, NULL}, io = {k->iopub, NULL};
    size_t i = 0, nh = sizeof handlers / sizeof handlers[0];
    while (i < nh && strcmp(handlers[i].type, m->type) != 0) i++;
    if (i < nh && !handlers[i].fn) {
        kn_worker_push(&k->worker, m, sock == k->control ? "control" : "shell");
        return;
    }
    kn_pub_status(k, &io, m->header, "busy");
    if (i < nh) {
        handlers[i].fn(k, &o, m);
    } else {
        size_t len = strlen(m->type);
        const char *suffix = "_request";
        if (len > 8 && strcmp(m->type + len - 8, suffix) == 0 && len < 200) {
            char reply[256];
            snprintf(reply, sizeof reply, "%.*s_reply", (int)(len - 8), m->type);
            char evalue[300];
            snprintf(evalue, sizeof evalue, "Loupe does not handle %s", m->type);
            kn_reply(k, &o, m, reply,
                     json_pack("{s:s, s:s, s:s, s:[]}", "status", "error", "ename", "UnknownMessageType", "evalue", evalue,
                               "traceback"));
        }
        kn_log("ignored a message of unknown type %s", m->type);
    }
    kn_pub_status(k, &io, m->header, "idle");
    kn_msg_reset(m);
}
