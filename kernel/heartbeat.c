/* heartbeat.c -- the heartbeat: a REP socket echoing every ping on a thread of its own.
 *
 * The front end decides the kernel is dead when pings go unanswered, so the echo must never
 * wait for anything else: not a query, not the main loop. The main thread creates and binds
 * the socket (so a bind error stops the kernel at start-up) and hands it over before this
 * thread starts; from then on only this thread touches it. The loop ends when the context is
 * shut down (ETERM), and the thread closes the socket.
 */
#include "kernel.h"

#include <errno.h>
#include <zmq.h>

static void *heartbeat_main(void *arg) {
    void *sock = arg;
    for (;;) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        int rc = zmq_msg_recv(&m, sock, 0);
        if (rc >= 0) rc = zmq_msg_send(&m, sock, 0);
        if (rc < 0) {
            zmq_msg_close(&m);
            if (errno == EINTR) continue;
            break;  /* ETERM: the kernel is shutting down */
        }
    }
    int linger = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(sock);
    return NULL;
}

int kn_heartbeat_start(kn_kernel *k) {
    void *sock = k->hb;
    k->hb = NULL;  /* the thread's now */
    if (pthread_create(&k->hb_thread, NULL, heartbeat_main, sock) != 0) {
        zmq_close(sock);
        return -1;
    }
    return 0;
}
