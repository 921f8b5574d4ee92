/* exec.c -- the worker thread: the loupe session and the requests that need it (execute,
 * complete, inspect), in the order they arrived.
 *
 * DESIGN
 * The session is used from this thread only, so the main thread stays free to answer the
 * control channel: an interrupt_request (or SIGINT) calls loupe_cancel(), the running operator
 * stops at its next partition, loupe_run returns LOUPE_ECANCELLED and the cell gets an error
 * reply; the session and its variables go on. Every message this thread sends goes through its
 * pipe, prefixed with the channel it is meant for; the main thread forwards it.
 *
 * An execute publishes, in order: status busy, execute_input (unless silent), its outputs, the
 * execute_reply (on shell), status idle. Outputs:
 *   - print()/show() text: stream stdout; engine warnings: stream stderr;
 *   - a displayed value: held back until the next output or the end of the cell; the last
 *     value of a cell becomes the execute_result (Out[n]), earlier ones display_data, as in
 *     IPython where only the last expression is the cell's result;
 *   - help(x): a "page" payload in the reply (the pager), not an output;
 *   - clear_output(): a clear_output message;
 *   - an error: an error message, and the reply's ename/evalue/traceback.
 * A silent execute publishes none of these and does not count; store_history=False does not
 * count either. With stop_on_error (the default) an error aborts the executes already queued:
 * each gets a reply with status "aborted".
 *
 * A cell that runs longer than half a second shows a running display (progress.c), emptied
 * before its result.
 *
 * Magics: a cell starting with %%sql runs its body as spark.sql over the temp views; %%time
 * runs the cell and prints its wall time; a line `%time stmt` runs that line and prints its
 * wall time (the lines around it run as usual, in order).
 *
 * Cursor positions: Jupyter counts Unicode code points; the engine counts bytes.
 */
#include "kernel.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

/* One execute_request being run. */
typedef struct run_ctx {
    kn_worker *w;
    const kn_msg *req;
    kn_out io;
    bool silent;
    bool capture;      /* user_expressions: keep the displayed value, publish nothing */
    int64_t count;     /* the cell's execution count */
    char name[32];     /* "In [3]": the source's name in diagnostics */
    json_t *held;      /* the last displayed value's bundle, not yet published */
    char *page;        /* help() text (malloc'd), the page payload */
    size_t npage;
    char *result;      /* text/plain of the execute_result, for the history's output */
} run_ctx;

/* ---- outputs ---- */

static void flush_held(run_ctx *c) {
    if (!c->held || c->capture) return;
    json_t *content = json_pack("{s:o, s:{}, s:{}}", "data", c->held, "metadata", "transient");
    c->held = NULL;
    kn_pub(c->w->k, &c->io, c->req->header, "display_data", content);
}

static void out_cb(void *ctx, const char *s, size_t n) {
    run_ctx *c = ctx;
    if (c->silent || c->capture) return;
    flush_held(c);
    kn_pub_stream(c->w->k, &c->io, c->req->header, "stdout", s, n);
}

static void err_cb(void *ctx, const char *s, size_t n) {
    run_ctx *c = ctx;
    if (c->silent || c->capture) return;
    flush_held(c);
    kn_pub_stream(c->w->k, &c->io, c->req->header, "stderr", s, n);
}

static void display_cb(void *ctx, const loupe_display *d) {
    run_ctx *c = ctx;
    if (d->kind == LOUPE_DISPLAY_HELP) {
        if (c->capture || !d->text) return;
        char *np = realloc(c->page, c->npage + d->text_len + 1);
        if (!np) return;
        memcpy(np + c->npage, d->text, d->text_len);
        c->npage += d->text_len;
        np[c->npage] = 0;
        c->page = np;
        return;
    }
    if (c->silent) return;
    if (d->kind == LOUPE_DISPLAY_CLEAR) {
        if (c->capture) return;
        flush_held(c);
        kn_pub(c->w->k, &c->io, c->req->header, "clear_output", json_pack("{s:b}", "wait", 0));
        return;
    }
    flush_held(c);
    json_decref(c->held);
    c->held = kn_mime_bundle(d);
}

/* Publishes the held value as the cell's execute_result and keeps its text for the history. */
static void publish_result(run_ctx *c) {
    if (!c->held) return;
    const char *plain = json_string_value(json_object_get(c->held, "text/plain"));
    free(c->result);
    c->result = plain ? strdup(plain) : NULL;
    json_t *content = json_pack("{s:I, s:o, s:{}}", "execution_count", (json_int_t)c->count, "data", c->held, "metadata");
    c->held = NULL;
    kn_pub(c->w->k, &c->io, c->req->header, "execute_result", content);
}

/* ---- running text ---- */

/* How long kn_worker_stop waits for a cancelled statement to return (ms). Release stops within
 * about 0.1 s, ASan within about 0.5 s; jupyter_client kills a kernel that has not exited 5 s
 * after its shutdown_request. */
#define KN_STOP_WAIT_MS 1500

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Runs code[0, n) in the session; on error *err is the error content. */
static loupe_status run_text(run_ctx *c, const char *code, size_t n, int64_t first_line, json_t **err) {
    loupe_output out = {.ctx = c, .out = out_cb, .err = err_cb, .display = display_cb};
    loupe_diag d;
    memset(&d, 0, sizeof d);
    loupe_status st = loupe_run(c->w->session, code, n, c->name, first_line, &out, &d);
    if (st != LOUPE_OK) *err = kn_error_content(&d, code, n);
    return st;
}

static json_t *usage_error(const char *msg) {
    return json_pack("{s:s, s:s, s:[s]}", "ename", "UsageError", "evalue", msg, "traceback", msg);
}

static void print_wall(run_ctx *c, double ms) {
    char buf[64];
    int k = ms < 1000 ? snprintf(buf, sizeof buf, "Wall time: %.2f ms\n", ms)
                      : snprintf(buf, sizeof buf, "Wall time: %.2f s\n", ms / 1000);
    out_cb(c, buf, (size_t)k);
}

/* %%sql: the body (after the first line) as spark.sql(r"""\n<body>"""). The opening quotes end
 * the first line, so the body keeps its line numbers and columns in diagnostics. A body that
 * a raw string cannot hold is escaped instead. */
static loupe_status run_sql_cell(run_ctx *c, const char *code, size_t n, json_t **err) {
    const char *nl = memchr(code, '\n', n);
    const char *body = nl ? nl + 1 : code + n;
    size_t nb = (size_t)(code + n - body);
    bool raw = !memmem(body, nb, "\"\"\"", 3) && !(nb > 0 && (body[nb - 1] == '"' || body[nb - 1] == '\\'));
    for (size_t i = 0; raw && i + 1 < nb; i++)
        if (body[i] == '\\' && body[i + 1] == '"') raw = false;
    size_t cap = 32 + (raw ? nb : 2 * nb);
    char *q = malloc(cap);
    if (!q) {
        *err = usage_error("out of memory");
        return LOUPE_ENOMEM;
    }
    size_t k = (size_t)sprintf(q, "spark.sql(%s\"\"\"\n", raw ? "r" : "");
    for (size_t i = 0; i < nb; i++) {
        if (!raw && (body[i] == '\\' || body[i] == '"')) q[k++] = '\\';
        q[k++] = body[i];
    }
    k += (size_t)sprintf(q + k, "\"\"\")");
    loupe_status st = run_text(c, q, k, 1, err);
    free(q);
    return st;
}

/* Whether the line code[p, eol) is `%time ...`; *stmt gets the statement's start. */
static bool is_time_line(const char *code, size_t p, size_t eol, size_t *stmt) {
    if (eol - p < 5 || memcmp(code + p, "%time", 5) != 0) return false;
    if (p + 5 < eol && !isspace((unsigned char)code[p + 5])) return false;
    size_t s = p + 5;
    while (s < eol && isspace((unsigned char)code[s])) s++;
    *stmt = s;
    return true;
}

char *kn_mask_line_magics(const char *code, size_t n) {
    char *m = malloc(n + 1);
    if (!m) return NULL;
    memcpy(m, code, n);
    m[n] = 0;
    for (size_t p = 0, stmt; p < n;) {
        const char *nl = memchr(code + p, '\n', n - p);
        size_t eol = nl ? (size_t)(nl - code) : n;
        if (is_time_line(code, p, eol, &stmt)) memset(m + p, ' ', 5);
        p = eol < n ? eol + 1 : n;
    }
    return m;
}

/* Runs a cell with its magics. */
static loupe_status run_cell(run_ctx *c, const char *code, size_t n, json_t **err) {
    if (n >= 2 && code[0] == '%' && code[1] == '%') {
        size_t e = 2;
        while (e < n && !isspace((unsigned char)code[e])) e++;
        if (e - 2 == 3 && memcmp(code + 2, "sql", 3) == 0) return run_sql_cell(c, code, n, err);
        if (e - 2 == 4 && memcmp(code + 2, "time", 4) == 0) {
            const char *nl = memchr(code, '\n', n);
            size_t off = nl ? (size_t)(nl + 1 - code) : n;
            double t0 = now_ms();
            loupe_status st = run_text(c, code + off, n - off, 2, err);
            if (st == LOUPE_OK) print_wall(c, now_ms() - t0);
            return st;
        }
        char msg[128];
        snprintf(msg, sizeof msg, "Cell magic `%.*s` not found (Loupe has %%%%sql and %%%%time).", (int)(e > 40 ? 40 : e), code);
        *err = usage_error(msg);
        return LOUPE_ENAME;
    }
    /* line magics: run the text between %time lines as it is, each %time line timed */
    size_t seg = 0;
    int64_t seg_line = 1, line = 1;
    bool magic = false;
    for (size_t p = 0; p < n; line++) {
        const char *nl = memchr(code + p, '\n', n - p);
        size_t eol = nl ? (size_t)(nl - code) : n, stmt;
        if (is_time_line(code, p, eol, &stmt)) {
            magic = true;
            loupe_status st = seg < p ? run_text(c, code + seg, p - seg, seg_line, err) : LOUPE_OK;
            if (st != LOUPE_OK) return st;
            /* the statement keeps its columns: "%time" becomes spaces (indentation is allowed) */
            char *masked = malloc(eol - p + 1);
            if (!masked) {
                *err = usage_error("out of memory");
                return LOUPE_ENOMEM;
            }
            memcpy(masked, code + p, eol - p);
            memset(masked, ' ', 5);
            double t0 = now_ms();
            st = run_text(c, masked, eol - p, line, err);
            free(masked);
            if (st != LOUPE_OK) return st;
            print_wall(c, now_ms() - t0);
            seg = eol < n ? eol + 1 : n;
            seg_line = line + 1;
        }
        p = eol < n ? eol + 1 : n;
    }
    if (magic && seg >= n) return LOUPE_OK;
    return run_text(c, code + seg, n - seg, seg_line, err);
}

/* ---- execute ---- */

/* Tells the main thread a cell's run starts (parent: its request's header) or ends (NULL), for
 * the running display (progress.c). In order with the messages around it on the pipe. */
static void progress_mark(kn_worker *w, const json_t *parent) {
    char *s = parent ? json_dumps(parent, JSON_COMPACT) : NULL;
    if (parent && !s) return;
    zmq_send(w->pipe, "progress", 8, ZMQ_SNDMORE);
    zmq_send(w->pipe, s ? s : "", s ? strlen(s) : 0, 0);
    free(s);
}

static void send_reply(kn_worker *w, const kn_job *job, const char *type, json_t *content) {
    kn_out o = {w->pipe, job->route};
    kn_reply(w->k, &o, &job->msg, type, content);
}

static void reply_aborted(kn_worker *w, kn_job *job) {
    kn_out io = {w->pipe, "iopub"};
    kn_pub_status(w->k, &io, job->msg.header, "busy");
    send_reply(w, job, "execute_reply",
               json_pack("{s:s, s:I}", "status", "aborted", "execution_count", (json_int_t)w->execution_count));
    kn_pub_status(w->k, &io, job->msg.header, "idle");
}

/* stop_on_error: takes every execute queued now out of the queue (other requests stay) and
 * returns them; the caller answers them "aborted" after the failed cell's reply. Taking them
 * before that reply is sent matters: a request the client sends after seeing the reply is not
 * one the error should abort. */
static kn_job *take_queued_executes(kn_worker *w) {
    pthread_mutex_lock(&w->mu);
    kn_job *list = w->head, *keep = NULL, **kt = &keep, *drop = NULL, **dt = &drop;
    w->head = w->tail = NULL;
    for (kn_job *j = list, *next; j; j = next) {
        next = j->next;
        j->next = NULL;
        if (strcmp(j->msg.type, "execute_request") == 0) {
            *dt = j;
            dt = &j->next;
        } else {
            *kt = j;
            kt = &j->next;
        }
    }
    w->head = keep;
    for (kn_job *j = keep; j; j = j->next) w->tail = j;
    pthread_mutex_unlock(&w->mu);
    return drop;
}

static void abort_jobs(kn_worker *w, kn_job *drop) {
    for (kn_job *j = drop, *next; j; j = next) {
        next = j->next;
        reply_aborted(w, j);
        kn_msg_reset(&j->msg);
        free(j);
    }
}

/* user_expressions: each expression's value as {status, data, metadata}, or its error. */
static json_t *eval_user_expressions(run_ctx *c, const json_t *exprs) {
    json_t *out = json_object();
    const char *key;
    json_t *val;
    if (!json_is_object(exprs)) return out;
    json_object_foreach((json_t *)exprs, key, val) {
        if (!out) break;
        const char *code = json_string_value(val);
        if (!code) continue;
        run_ctx e = *c;
        e.capture = true;
        e.held = NULL;
        e.page = NULL;
        e.npage = 0;
        e.result = NULL;
        json_t *err = NULL, *r;
        if (run_text(&e, code, json_string_length(val), 1, &err) == LOUPE_OK) {
            json_t *data = e.held ? e.held : json_pack("{s:s}", "text/plain", "None");
            e.held = NULL;
            r = json_pack("{s:s, s:o, s:{}}", "status", "ok", "data", data, "metadata");
        } else {
            r = err ? json_pack("{s:s}", "status", "error") : NULL;
            if (r) json_object_update(r, err);
        }
        json_decref(err);
        json_decref(e.held);
        free(e.page);
        if (r) json_object_set_new(out, key, r);
    }
    return out;
}

static void do_execute(kn_worker *w, kn_job *job) {
    const kn_msg *m = &job->msg;
    const json_t *jcode = json_object_get(m->content, "code");
    const char *code = json_string_value(jcode);
    size_t n = json_string_length(jcode);
    bool silent = json_is_true(json_object_get(m->content, "silent"));
    const json_t *sh = json_object_get(m->content, "store_history");
    bool store = !silent && (sh ? json_is_true(sh) : true);
    const json_t *se = json_object_get(m->content, "stop_on_error");
    bool stop_on_error = se ? json_is_true(se) : true;

    run_ctx c = {.w = w, .req = m, .io = {w->pipe, "iopub"}, .silent = silent};
    kn_pub_status(w->k, &c.io, m->header, "busy");
    if (!code) {
        json_t *err = usage_error("execute_request without code");
        json_object_set_new(err, "status", json_string("error"));
        json_object_set_new(err, "execution_count", json_integer(w->execution_count));
        send_reply(w, job, "execute_reply", err);
        kn_pub_status(w->k, &c.io, m->header, "idle");
        return;
    }
    if (store) w->execution_count++;
    c.count = w->execution_count;
    snprintf(c.name, sizeof c.name, "In [%lld]", (long long)c.count);
    if (!silent)
        kn_pub(w->k, &c.io, m->header, "execute_input",
               json_pack("{s:o, s:I}", "code", kn_text(code, n), "execution_count", (json_int_t)c.count));

    json_t *err = NULL;
    if (!silent) progress_mark(w, m->header);
    loupe_status st = run_cell(&c, code, n, &err);
    if (!silent) progress_mark(w, NULL);
    /* a value shown before an error was displayed, but it is not the cell's result */
    if (st == LOUPE_OK) publish_result(&c);
    else flush_held(&c);
    json_decref(c.held);
    c.held = NULL;

    json_t *reply;
    if (st == LOUPE_OK) {
        json_t *payload = json_array();
        if (c.page && payload) {
            json_t *text = kn_text(c.page, c.npage);
            json_array_append_new(payload, json_pack("{s:s, s:{s:o}, s:i}", "source", "page", "data", "text/plain", text, "start", 0));
        }
        json_t *ue = eval_user_expressions(&c, json_object_get(m->content, "user_expressions"));
        reply = json_pack("{s:s, s:I, s:o, s:o}", "status", "ok", "execution_count", (json_int_t)c.count, "payload", payload,
                          "user_expressions", ue);
    } else {
        if (!err) err = usage_error("the error could not be formatted (out of memory)");
        if (!silent) kn_pub(w->k, &c.io, m->header, "error", json_deep_copy(err));
        reply = json_pack("{s:s, s:I, s:[], s:{}}", "status", "error", "execution_count", (json_int_t)c.count, "payload",
                          "user_expressions");
        if (reply) json_object_update(reply, err);
    }
    json_decref(err);
    kn_job *aborted = st != LOUPE_OK && stop_on_error ? take_queued_executes(w) : NULL;
    send_reply(w, job, "execute_reply", reply);
    if (store) kn_history_add(&w->k->history, c.count, code, c.result);
    kn_pub_status(w->k, &c.io, m->header, "idle");
    free(c.page);
    free(c.result);
    abort_jobs(w, aborted);
}

/* ---- complete and inspect ---- */

/* Byte offset of code point `cp` in code[0, n) (n when past the end). */
static size_t cp_to_byte(const char *code, size_t n, int64_t cp) {
    size_t i = 0;
    for (int64_t k = 0; i < n; i++) {
        if (((unsigned char)code[i] & 0xC0) != 0x80 && k++ == cp) return i;
    }
    return n;
}

/* Code points in code[0, b). */
static int64_t byte_to_cp(const char *code, size_t b) {
    int64_t k = 0;
    for (size_t i = 0; i < b; i++) k += ((unsigned char)code[i] & 0xC0) != 0x80;
    return k;
}

static int64_t cursor_of(const kn_msg *m, int64_t dflt) {
    const json_t *v = json_object_get(m->content, "cursor_pos");
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static void do_complete(kn_worker *w, kn_job *job) {
    const json_t *jcode = json_object_get(job->msg.content, "code");
    const char *code = json_is_string(jcode) ? json_string_value(jcode) : "";
    size_t n = json_is_string(jcode) ? json_string_length(jcode) : 0;
    int64_t cp = cursor_of(&job->msg, byte_to_cp(code, n));
    size_t cursor = cp_to_byte(code, n, cp < 0 ? 0 : cp);
    char **matches = NULL;
    int nm = 0;
    size_t start = cursor, end = cursor;
    json_t *list = json_array();
    if (loupe_complete(w->session, code, n, cursor, &matches, &nm, &start, &end) == LOUPE_OK) {
        for (int i = 0; i < nm && list; i++) json_array_append_new(list, kn_text(matches[i], strlen(matches[i])));
        loupe_free_matches(matches, nm);
    } else {
        start = end = cursor;
    }
    send_reply(w, job, "complete_reply",
               json_pack("{s:s, s:o, s:I, s:I, s:{}}", "status", "ok", "matches", list, "cursor_start",
                         (json_int_t)byte_to_cp(code, start), "cursor_end", (json_int_t)byte_to_cp(code, end), "metadata"));
}

static void do_inspect(kn_worker *w, kn_job *job) {
    const json_t *jcode = json_object_get(job->msg.content, "code");
    const char *code = json_is_string(jcode) ? json_string_value(jcode) : "";
    size_t n = json_is_string(jcode) ? json_string_length(jcode) : 0;
    int64_t cp = cursor_of(&job->msg, byte_to_cp(code, n));
    char *doc = loupe_inspect(w->session, code, n, cp_to_byte(code, n, cp < 0 ? 0 : cp));
    json_t *data = doc ? json_pack("{s:o}", "text/plain", kn_text(doc, strlen(doc))) : json_object();
    free(doc);
    send_reply(w, job, "inspect_reply",
               json_pack("{s:s, s:b, s:o, s:{}}", "status", "ok", "found", doc != NULL, "data", data, "metadata"));
}

/* ---- the thread ---- */

static void handle(kn_worker *w, kn_job *job) {
    if (strcmp(job->msg.type, "execute_request") == 0) {
        do_execute(w, job);
        return;
    }
    kn_out io = {w->pipe, "iopub"};
    kn_pub_status(w->k, &io, job->msg.header, "busy");
    if (strcmp(job->msg.type, "complete_request") == 0) do_complete(w, job);
    else do_inspect(w, job);
    kn_pub_status(w->k, &io, job->msg.header, "idle");
}

static void *worker_main(void *arg) {
    kn_worker *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (!w->head && !w->quit) pthread_cond_wait(&w->cv, &w->mu);
        if (w->quit) {
            pthread_mutex_unlock(&w->mu);
            break;
        }
        kn_job *job = w->head;
        w->head = job->next;
        if (!w->head) w->tail = NULL;
        pthread_mutex_unlock(&w->mu);
        handle(w, job);
        kn_msg_reset(&job->msg);
        free(job);
    }
    int linger = 1000;
    zmq_setsockopt(w->pipe, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(w->pipe);
    w->pipe = NULL;
    return NULL;
}

int kn_worker_start(kn_worker *w, kn_kernel *k) {
    memset(w, 0, sizeof *w);
    w->k = k;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->session = loupe_session_new();
    if (!w->session) {
        kn_log("cannot start a session: out of memory");
        return -1;
    }
    /* created and connected here, then the worker's alone (the thread start is the barrier) */
    w->pipe = zmq_socket(k->zctx, ZMQ_PAIR);
    int unlimited = 0;  /* sending never blocks: the main thread may be joining this thread */
    if (w->pipe) zmq_setsockopt(w->pipe, ZMQ_SNDHWM, &unlimited, sizeof unlimited);
    if (!w->pipe || zmq_connect(w->pipe, KN_PIPE_ENDPOINT) < 0) {
        kn_log("cannot connect the worker pipe: %s", zmq_strerror(errno));
        return -1;
    }
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        kn_log("cannot start the worker thread");
        return -1;
    }
    w->started = true;
    return 0;
}

void kn_worker_push(kn_worker *w, kn_msg *m, const char *route) {
    kn_job *job = calloc(1, sizeof *job);
    if (!job) {
        kn_log("dropped a %s: out of memory", m->type);
        kn_msg_reset(m);
        return;
    }
    job->msg = *m;
    job->route = route;
    memset(m, 0, sizeof *m);
    pthread_mutex_lock(&w->mu);
    if (w->tail) w->tail->next = job;
    else w->head = job;
    w->tail = job;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void kn_worker_stop(kn_worker *w) {
    if (!w->k) return;
    pthread_mutex_lock(&w->mu);
    w->quit = true;
    kn_job *j = w->head;
    w->head = w->tail = NULL;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    while (j) {
        kn_job *next = j->next;
        kn_msg_reset(&j->msg);
        free(j);
        j = next;
    }
    if (!w->started && w->pipe) zmq_close(w->pipe);  /* start-up failed: the thread never ran */
    /* A cancel can land just before a statement starts (loupe_run clears the flag), so keep
     * cancelling until the thread is gone -- but not for ever: a worker blocked where the cancel
     * flag is never read (open(2) of a FIFO with no writer, an operator without cancellation
     * points) would keep a shut-down or orphaned kernel alive indefinitely. After
     * KN_STOP_WAIT_MS the thread is left running, w->started stays true and the session is not
     * freed (the thread still uses it); main() sees that and exits without the teardown. */
    double give_up = now_ms() + KN_STOP_WAIT_MS;
    while (w->started) {
        if (now_ms() >= give_up) {
            kn_log("the running statement did not stop within %d ms of its cancel; leaving it", KN_STOP_WAIT_MS);
            return;
        }
        loupe_cancel();
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        int rc = pthread_timedjoin_np(w->thread, NULL, &ts);
        if (rc == 0) {
            w->started = false;
            break;
        }
        if (rc != ETIMEDOUT) {
            kn_log("cannot join the worker thread");
            return;
        }
    }
    loupe_session_free(w->session);
    w->session = NULL;
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    w->k = NULL;
}
