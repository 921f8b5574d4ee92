/* kernel.h -- what the parts of `loupe-kernel`, the Jupyter kernel, share.
 *
 *   main.c       the command line, the connection file, the sockets and the main loop
 *   wire.c       messages on the wire: identities, <IDS|MSG>, the HMAC-SHA256 signature
 *   msg.c        headers (uuid, ISO 8601 date), JSON text from engine bytes
 *   iopub.c      publishing on iopub: status, streams, displays, errors
 *   heartbeat.c  the heartbeat echo on its own thread
 *   shell.c      the dispatch table msg_type -> handler for the shell and control channels
 *   exec.c       the worker thread that owns the loupe session: execute, complete, inspect
 *   history.c    the session's executed inputs for history_request
 *   progress.c   the running display of a long cell
 *
 * Everything about the language goes through the engine's public header, loupe.h; rich output
 * uses engine/render/web.h when the engine has it (KN_HAVE_WEB).
 *
 * DESIGN: threads and sockets
 * Three threads of our own, and every ZeroMQ socket belongs to exactly one of them:
 *   - main: shell, control, stdin, iopub and the bound end of the worker pipe. It reads requests,
 *     answers those that do not need the session (kernel_info, is_complete, history, comm_info,
 *     shutdown, interrupt) at once, and queues the rest for the worker. It forwards whatever the
 *     worker writes to the pipe onto iopub or shell. Because it never runs the language, a
 *     kernel_info or an interrupt is answered while a query runs.
 *   - worker: the loupe session (a session is used from one thread) and the connected end of
 *     the pipe. Its messages are complete, signed multipart messages prefixed with one routing
 *     frame ("shell" or "iopub"), so the main thread forwards them without looking inside and
 *     iopub keeps the order the worker wrote: busy, execute_input, outputs, reply, idle.
 *   - heartbeat: the REP socket, echoing until the context is shut down.
 * The key and the kernel's session id are written before any thread starts and only read after.
 */
#ifndef LOUPE_KERNEL_H
#define LOUPE_KERNEL_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loupe.h"

#define KN_PROTOCOL_VERSION "5.3"
#define KN_PIPE_ENDPOINT "inproc://loupe-kernel-worker"

/* ---- the connection file (main.c) ---- */

typedef struct kn_conf {
    char transport[16];      /* "tcp" or "ipc" */
    char ip[256];
    char key[1024];          /* empty: messages are not signed */
    char scheme[32];         /* "hmac-sha256" */
    int shell_port, iopub_port, stdin_port, control_port, hb_port;
} kn_conf;

/* ---- messages (wire.c, msg.c) ---- */

typedef struct kn_frame {
    char *p;
    size_t n;
} kn_frame;

/* One received message. Owns everything; kn_msg_reset frees it. `type` points into header. */
typedef struct kn_msg {
    kn_frame *ids;
    int nids;
    json_t *header, *parent, *metadata, *content;
    const char *type;
} kn_msg;

/* Where a sent message goes: straight to a socket (route NULL), or to the worker pipe with a
 * routing frame ("shell", "iopub") that the main thread strips. */
typedef struct kn_out {
    void *sock;
    const char *route;
} kn_out;

typedef struct kn_kernel kn_kernel;

/* The signatures of recent requests, so a replayed message is dropped (as ipykernel does):
 * two generations of KN_REPLAY_GEN entries, the older forgotten when the newer fills. Main
 * thread only. */
#define KN_REPLAY_GEN 4096
typedef struct kn_replay {
    unsigned char (*gen[2])[16];  /* open-addressed tables of 2*KN_REPLAY_GEN digests (16 bytes) */
    int count;                    /* entries in gen[0] */
} kn_replay;

/* Receives one multipart message from sock. Returns 0 with *m filled, 1 when a message was
 * received but rejected (bad or replayed signature, malformed frames or JSON: logged and
 * dropped), -1 when nothing could be received (errno: EAGAIN with ZMQ_DONTWAIT, EINTR, ETERM).
 * Main thread only (it records signatures in k->replay). */
int kn_recv(kn_kernel *k, void *sock, int flags, kn_msg *m);
/* What kn_recv does once the frames are in: checks and decodes the n frames f[0, n) (borrowed)
 * into *m. Returns 0, or 1 when the message is rejected (logged; *m left empty). No ZeroMQ,
 * so tests/fuzz/fuzz_wire.c feeds it frames directly. Main thread only, as kn_recv. */
int kn_decode(kn_kernel *k, const kn_frame *f, int n, kn_msg *m);
void kn_replay_reset(kn_replay *r);
void kn_msg_reset(kn_msg *m);

/* Signs and sends a message: ids, <IDS|MSG>, signature, header, parent, metadata, content.
 * Takes ownership of header and content (json_decref); parent and metadata are borrowed and
 * may be NULL ({}). Returns 0, or -1 when ZeroMQ or memory refused (logged). */
int kn_send(const kn_kernel *k, const kn_out *o, const kn_frame *ids, int nids, json_t *header,
            const json_t *parent, const json_t *metadata, json_t *content);

/* The lowercase hex HMAC-SHA256 of the four parts under k's key into hex[65]. Returns false
 * when signing is off (empty key) or OpenSSL failed. */
bool kn_sign(const kn_kernel *k, const char *const parts[4], const size_t lens[4], char hex[65]);
/* The same over four received frames (header, parent, metadata, content). */
bool kn_sign_frames(const kn_kernel *k, const kn_frame f[4], char hex[65]);

/* A new header {msg_id, session, username, date, msg_type, version}; NULL when out of memory. */
json_t *kn_header_new(const kn_kernel *k, const char *msg_type);
/* A random (version 4) uuid in canonical form into out[37]. */
void kn_uuid(char out[37]);
/* A JSON string from engine bytes: invalid UTF-8 becomes U+FFFD, so the message stays valid. */
json_t *kn_text(const char *s, size_t n);
/* Sends reply_type to the request's sender on `o`, parent = the request's header. */
int kn_reply(const kn_kernel *k, const kn_out *o, const kn_msg *req, const char *reply_type, json_t *content);

/* ---- iopub (iopub.c) ---- */

/* Publishes msg_type with content (taken) and parent (borrowed, may be NULL). */
int kn_pub(const kn_kernel *k, const kn_out *o, const json_t *parent, const char *msg_type, json_t *content);
int kn_pub_status(const kn_kernel *k, const kn_out *o, const json_t *parent, const char *state);
int kn_pub_stream(const kn_kernel *k, const kn_out *o, const json_t *parent, const char *name, const char *s, size_t n);
/* The error message's content {ename, evalue, traceback} for a failed run of code. */
json_t *kn_error_content(const loupe_diag *d, const char *code, size_t n);
/* A MIME bundle for a displayed value: text/plain, plus text/html for a table and
 * image/svg+xml for a chart when the engine has web.h. NULL when out of memory. */
json_t *kn_mime_bundle(const loupe_display *d);

/* ---- history (history.c) ---- */

typedef struct kn_hist_entry {
    int64_t line;
    char *input, *output;  /* output may be NULL */
} kn_hist_entry;

typedef struct kn_history {
    pthread_mutex_t mu;    /* guards everything below; taken by the worker and the main thread */
    kn_hist_entry *e;
    int n, cap;
    int64_t session;       /* this kernel's session number */
} kn_history;

void kn_history_init(kn_history *h);
void kn_history_reset(kn_history *h);
void kn_history_add(kn_history *h, int64_t line, const char *input, const char *output);
/* The history_reply content for a history_request's content. */
json_t *kn_history_query(kn_history *h, const json_t *req);

/* ---- the worker (exec.c) ---- */

typedef struct kn_job {
    kn_msg msg;
    const char *route;       /* where the reply goes: "shell" or "control" */
    struct kn_job *next;
} kn_job;

typedef struct kn_worker {
    kn_kernel *k;
    pthread_t thread;
    pthread_mutex_t mu;      /* guards head, tail, quit */
    pthread_cond_t cv;
    kn_job *head, *tail;
    bool quit;
    void *pipe;              /* the worker's end; only the worker thread touches it */
    loupe_session *session;  /* only the worker thread touches it */
    int64_t execution_count; /* only the worker thread */
    bool started;            /* the thread runs (main thread's view) */
} kn_worker;

/* Starts the worker thread (it creates its session and connects its pipe). 0 or -1. */
int kn_worker_start(kn_worker *w, kn_kernel *k);
/* Hands a request to the worker; takes *m (zeroes it). route: "shell" or "control", the
 * channel the reply goes back on. */
void kn_worker_push(kn_worker *w, kn_msg *m, const char *route);
/* A copy of code (malloc'd, NUL-terminated) with each `%time` line magic's "%time" turned
 * into spaces, so the engine sees the statement at its own columns; NULL when out of memory. */
char *kn_mask_line_magics(const char *code, size_t n);
/* Cancels the running statement, drops the queue, ends and joins the thread. */
void kn_worker_stop(kn_worker *w);

/* ---- the running display (progress.c), main thread ---- */

typedef struct kn_progress {
    bool active;             /* a cell is running */
    bool shown;              /* its display has been published */
    json_t *parent;          /* the execute_request's header */
    double t0, last;         /* start, last update (monotonic ms) */
    char display_id[37];
} kn_progress;

/* A cell's run starts (parent: its request's header as JSON text) or ends. */
void kn_progress_start(kn_kernel *k, const char *parent, size_t n);
void kn_progress_end(kn_kernel *k);
/* Publishes or updates the display when due. */
void kn_progress_tick(kn_kernel *k);
/* How long the main loop may wait before the next tick is due (ms). */
int kn_progress_wait_ms(const kn_kernel *k);

/* ---- the kernel (main.c, shell.c) ---- */

struct kn_kernel {
    kn_conf conf;
    char session[37];        /* the kernel's session id in the headers it sends */
    char username[64];
    void *zctx;
    void *shell, *control, *stdin_sock, *iopub, *pipe, *hb;  /* main-thread sockets (hb: heartbeat thread) */
    pthread_t hb_thread;
    kn_worker worker;
    kn_history history;
    kn_replay replay;        /* main thread */
    kn_progress progress;    /* main thread */
    bool stop;               /* main thread: leave the loop (shutdown_request) */
    bool restart;
};

/* Handles one request received on the shell or control socket (main thread). */
void kn_dispatch(kn_kernel *k, void *sock, kn_msg *m);

/* The kernel_info_reply content. */
json_t *kn_kernel_info(void);

/* Heartbeat thread: echoes on k->hb until the context ends. */
int kn_heartbeat_start(kn_kernel *k);

/* Logging to stderr (Jupyter shows a kernel's stderr in the server's log). */
void kn_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* LOUPE_KERNEL_H */
