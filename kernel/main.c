/* main.c -- `loupe-kernel -f CONNECTION_FILE`: Loupe as a Jupyter kernel (protocol 5.3).
 *
 * Reads the connection file (transport, ip, key, signature_scheme and the five ports), binds
 * shell and control (ROUTER), iopub (PUB), stdin (ROUTER) and heartbeat (REP), starts the
 * heartbeat and worker threads, and serves until a shutdown_request. kernel.h describes which
 * thread owns what.
 *
 * The main loop polls control first, then the worker's pipe, then shell: an interrupt or a
 * shutdown is read before more work is queued, and outputs flow while requests arrive.
 * SIGINT cancels the running statement (loupe_cancel is async-signal-safe) and never ends the
 * kernel; SIGTERM ends it as usual. Like ipykernel's parent poller, the kernel shuts down when
 * the process that started it (JPY_PARENT_PID, else the parent at start) is gone (checked every
 * second), so no kernel is left orphaned. Exit status: 0 after a shutdown, 1 when start-up failed.
 */
#include "kernel.h"

#include <errno.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static const char usage[] =
    "usage: loupe-kernel -f CONNECTION_FILE\n"
    "\n"
    "The Loupe Jupyter kernel. Jupyter starts it through the kernelspec (kernel.json); to try\n"
    "it by hand: jupyter console --kernel loupe.\n";

static void on_sigint(int sig) {
    (void)sig;
    loupe_cancel();
}

/* Fills c from the connection file. Returns 0, or -1 with the reason logged. */
static int conf_load(const char *path, kn_conf *c) {
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j || !json_is_object(j)) {
        kn_log("cannot read the connection file %s: %s (line %d)", path, j ? "not an object" : err.text, err.line);
        json_decref(j);
        return -1;
    }
    memset(c, 0, sizeof *c);
    const char *transport = json_string_value(json_object_get(j, "transport"));
    const char *ip = json_string_value(json_object_get(j, "ip"));
    const char *key = json_string_value(json_object_get(j, "key"));
    const char *scheme = json_string_value(json_object_get(j, "signature_scheme"));
    snprintf(c->transport, sizeof c->transport, "%s", transport ? transport : "tcp");
    snprintf(c->ip, sizeof c->ip, "%s", ip ? ip : "127.0.0.1");
    snprintf(c->scheme, sizeof c->scheme, "%s", scheme ? scheme : "hmac-sha256");
    int rc = 0;
    if (key && strlen(key) >= sizeof c->key) {
        kn_log("the connection file's key is longer than %zu bytes", sizeof c->key - 1);
        rc = -1;
    } else {
        snprintf(c->key, sizeof c->key, "%s", key ? key : "");
    }
    if (c->key[0] && strcmp(c->scheme, "hmac-sha256") != 0) {
        kn_log("signature scheme %s is not supported (only hmac-sha256)", c->scheme);
        rc = -1;
    }
    if (strcmp(c->transport, "tcp") != 0 && strcmp(c->transport, "ipc") != 0) {
        kn_log("transport %s is not supported (tcp or ipc)", c->transport);
        rc = -1;
    }
    static const char *const names[] = {"shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"};
    int *ports[] = {&c->shell_port, &c->iopub_port, &c->stdin_port, &c->control_port, &c->hb_port};
    for (int i = 0; i < 5; i++) {
        const json_t *p = json_object_get(j, names[i]);
        if (!json_is_integer(p) || json_integer_value(p) <= 0 || json_integer_value(p) > 65535) {
            kn_log("the connection file has no valid %s", names[i]);
            rc = -1;
        } else {
            *ports[i] = (int)json_integer_value(p);
        }
    }
    json_decref(j);
    return rc;
}

/* The largest frame a peer may send on each socket, enforced by ZeroMQ itself (ZMQ_MAXMSGSIZE
 * counts each frame): a larger one disconnects the peer before anything is allocated. Without
 * it, a ZMTP frame header claiming 2^62 bytes makes ZeroMQ's I/O thread malloc that size (under
 * ASan an abort; in Release either a refused malloc or, for a few GB, memory reserved while the
 * kernel waits for the bytes), and no signature is checked before the whole frame is in.
 * Requests: the same 256 MiB wire.c refuses per frame (MAX_FRAME); iopub only reads
 * subscriptions and the heartbeat only short pings, so a MiB is plenty there. */
/* After this long with no message the engine's freed memory goes back to the system (the
 * allocator keeps it for reuse between queries, engine/base/mem.c). */
#define KN_RELEASE_IDLE_S 30

#define KN_MAX_REQUEST_FRAME ((int64_t)256 << 20)
#define KN_MAX_SMALL_FRAME ((int64_t)1 << 20)

/* A socket of `type` bound to the connection file's address and port, or NULL (logged). */
static void *bind_socket(kn_kernel *k, int type, int port, const char *what) {
    char ep[400];
    if (strcmp(k->conf.transport, "ipc") == 0) snprintf(ep, sizeof ep, "ipc://%s-%d", k->conf.ip, port);
    else snprintf(ep, sizeof ep, "tcp://%s:%d", k->conf.ip, port);
    void *s = zmq_socket(k->zctx, type);
    if (!s) {
        kn_log("cannot create the %s socket: %s", what, zmq_strerror(errno));
        return NULL;
    }
    int linger = 1000;  /* at exit, a second to deliver the shutdown reply and the last outputs */
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (type == ZMQ_ROUTER) {
        int on = 1;  /* a reconnecting client with the same identity takes over its route */
        zmq_setsockopt(s, ZMQ_ROUTER_HANDOVER, &on, sizeof on);
    }
    int64_t max_frame = type == ZMQ_ROUTER ? KN_MAX_REQUEST_FRAME : KN_MAX_SMALL_FRAME;
    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame);
    if (zmq_bind(s, ep) < 0) {
        kn_log("cannot bind the %s socket to %s: %s", what, ep, zmq_strerror(errno));
        zmq_close(s);
        return NULL;
    }
    return s;
}

/* Forwards the worker's messages (route frame, then the message) while any are waiting. */
static void forward_pipe(kn_kernel *k) {
    for (;;) {
        zmq_msg_t f;
        zmq_msg_init(&f);
        if (zmq_msg_recv(&f, k->pipe, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&f);
            return;
        }
        size_t n = zmq_msg_size(&f);
        const char *r = zmq_msg_data(&f);
        if (n == 8 && memcmp(r, "progress", 8) == 0 && zmq_msg_more(&f)) {
            /* the worker's mark: a cell's run starts (its request's header) or ends (empty) */
            zmq_msg_close(&f);
            zmq_msg_init(&f);
            if (zmq_msg_recv(&f, k->pipe, 0) >= 0) {
                if (zmq_msg_size(&f) > 0) kn_progress_start(k, zmq_msg_data(&f), zmq_msg_size(&f));
                else kn_progress_end(k);
            }
            zmq_msg_close(&f);
            continue;
        }
        void *dst = n == 5 && memcmp(r, "iopub", 5) == 0 ? k->iopub
                  : n == 5 && memcmp(r, "shell", 5) == 0 ? k->shell
                  : n == 7 && memcmp(r, "control", 7) == 0 ? k->control : NULL;
        bool more = zmq_msg_more(&f);
        zmq_msg_close(&f);
        while (more) {
            zmq_msg_init(&f);
            if (zmq_msg_recv(&f, k->pipe, 0) < 0) {
                zmq_msg_close(&f);
                return;
            }
            more = zmq_msg_more(&f);
            if (dst) zmq_msg_send(&f, dst, more ? ZMQ_SNDMORE : 0);
            zmq_msg_close(&f);
        }
    }
}

/* Reads and handles every message waiting on sock. */
static void serve(kn_kernel *k, void *sock) {
    for (;;) {
        kn_msg m;
        int rc = kn_recv(k, sock, ZMQ_DONTWAIT, &m);
        if (rc < 0) return;
        if (rc == 0) kn_dispatch(k, sock, &m);
        if (k->stop) return;
    }
}

/* stdin carries input_request replies; Loupe never asks for input, so they are read and dropped. */
static void drain(void *sock) {
    zmq_msg_t f;
    zmq_msg_init(&f);
    while (zmq_msg_recv(&f, sock, ZMQ_DONTWAIT) >= 0) {
    }
    zmq_msg_close(&f);
}

static void close_socket(void **s) {
    if (*s) zmq_close(*s);
    *s = NULL;
}

int main(int argc, char **argv) {
    /* the process to outlive: jupyter_client names itself in JPY_PARENT_PID */
    const char *jpy = getenv("JPY_PARENT_PID");
    pid_t parent = jpy && atol(jpy) > 1 ? (pid_t)atol(jpy) : getppid();
    setlocale(LC_CTYPE, "");
    const char *conn = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) conn = argv[++i];
        else if (strncmp(argv[i], "--connection-file=", 18) == 0) conn = argv[i] + 18;
        else if (strcmp(argv[i], "--version") == 0) {
            printf("loupe-kernel %s\n", LOUPE_VERSION);
            return 0;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else {
            fprintf(stderr, "loupe-kernel: unexpected argument %s\n%s", argv[i], usage);
            return 2;
        }
    }
    if (!conn) {
        fputs(usage, stderr);
        return 2;
    }

    static kn_kernel kernel;
    kn_kernel *k = &kernel;
    kn_history_init(&k->history);
    if (conf_load(conn, &k->conf) < 0) return 1;
    kn_uuid(k->session);
    const char *user = getenv("USER");
    struct passwd *pw = user ? NULL : getpwuid(getuid());
    snprintf(k->username, sizeof k->username, "%s", user ? user : pw ? pw->pw_name : "loupe");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    signal(SIGXFSZ, SIG_IGN); /* a file-size limit fails a write with an error, not the kernel */

    int status = 1;
    k->zctx = zmq_ctx_new();
    if (!k->zctx) {
        kn_log("cannot create a ZeroMQ context: %s", zmq_strerror(errno));
        return 1;
    }
    k->shell = bind_socket(k, ZMQ_ROUTER, k->conf.shell_port, "shell");
    k->control = bind_socket(k, ZMQ_ROUTER, k->conf.control_port, "control");
    k->stdin_sock = bind_socket(k, ZMQ_ROUTER, k->conf.stdin_port, "stdin");
    k->iopub = bind_socket(k, ZMQ_PUB, k->conf.iopub_port, "iopub");
    k->hb = bind_socket(k, ZMQ_REP, k->conf.hb_port, "heartbeat");
    k->pipe = zmq_socket(k->zctx, ZMQ_PAIR);
    int unlimited = 0;  /* the worker must never block on a full pipe while main joins it */
    if (k->pipe) zmq_setsockopt(k->pipe, ZMQ_RCVHWM, &unlimited, sizeof unlimited);
    if (!k->shell || !k->control || !k->stdin_sock || !k->iopub || !k->hb || !k->pipe ||
        zmq_bind(k->pipe, KN_PIPE_ENDPOINT) < 0)
        goto out;
    if (kn_heartbeat_start(k) < 0 || kn_worker_start(&k->worker, k) < 0) goto out;

    /* a front end shows the kernel as starting until it sees a status */
    kn_out io = {k->iopub, NULL};
    kn_pub_status(k, &io, NULL, "starting");
    status = 0;
    time_t last_message = time(NULL);
    bool released = true;
    while (!k->stop) {
        zmq_pollitem_t items[] = {
            {k->control, 0, ZMQ_POLLIN, 0},
            {k->pipe, 0, ZMQ_POLLIN, 0},
            {k->shell, 0, ZMQ_POLLIN, 0},
            {k->stdin_sock, 0, ZMQ_POLLIN, 0},
        };
        int rc = zmq_poll(items, 4, kn_progress_wait_ms(k));
        if (getppid() != parent) {  /* the front end that started us is gone: do not linger */
            kn_log("the parent process exited; shutting down");
            break;
        }
        if (rc < 0) {
            if (errno == EINTR) continue;
            kn_log("poll failed: %s", zmq_strerror(errno));
            status = 1;
            break;
        }
        if (rc > 0) {
            last_message = time(NULL);
            released = false;
        } else if (!released && time(NULL) - last_message >= KN_RELEASE_IDLE_S) {
            loupe_release_memory();
            released = true;
        }
        if (items[0].revents & ZMQ_POLLIN) serve(k, k->control);
        if (k->stop) break;
        if (items[1].revents & ZMQ_POLLIN) forward_pipe(k);
        if (items[2].revents & ZMQ_POLLIN) serve(k, k->shell);
        if (items[3].revents & ZMQ_POLLIN) drain(k->stdin_sock);
        kn_progress_tick(k);
    }

out:
    kn_worker_stop(&k->worker);
    if (k->worker.started) {
        /* The worker is stuck where a cancel cannot reach it (exec.c, kn_worker_stop): it still
         * holds its session and its end of the pipe, so the teardown below would wait for ever
         * in zmq_ctx_term. The shutdown reply went out while kn_worker_stop waited (ZeroMQ's
         * I/O thread sends it), so the process ends here; the OS closes the sockets. */
        kn_log("exiting with the worker thread still running");
        fflush(stderr);
        _exit(status);
    }
    if (k->pipe) forward_pipe(k);  /* the stopped worker's last replies and idle */
    close_socket(&k->pipe);
    close_socket(&k->shell);
    close_socket(&k->control);
    close_socket(&k->stdin_sock);
    close_socket(&k->iopub);
    close_socket(&k->hb);
    zmq_ctx_shutdown(k->zctx);  /* ends the heartbeat's recv with ETERM */
    if (k->hb_thread) pthread_join(k->hb_thread, NULL);
    zmq_ctx_term(k->zctx);
    kn_history_reset(&k->history);
    kn_replay_reset(&k->replay);
    json_decref(k->progress.parent);
    return status;
}
