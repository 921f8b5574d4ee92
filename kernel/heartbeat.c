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

/* A ping's frames echoed; more are read and dropped (a ping is one frame in every client). */
#define KN_HB_PARTS 16

/* Echoes each ping whole, every frame of a multipart one (as ipykernel's zmq.device does).
 * REP accepts a reply only once the whole request is read, so the frames are read first, then
 * sent back. Echoing the first frame of a multipart ping at once, as this once did, made REP
 * refuse the send (EFSM) and the thread end: one two-frame message from anyone who can reach
 * the port, key or no key, and the front end declared the kernel dead. Only ETERM (the context
 * shut down) ends the loop; any other error is a bad peer, not a reason to stop echoing. */
static void *heartbeat_main(void *arg) {
    void *sock = arg;
    zmq_msg_t parts[KN_HB_PARTS];
    for (;;) {
        int n = 0, err = 0;
        for (bool more = true; more;) {
            zmq_msg_t f;
            zmq_msg_init(&f);
            if (zmq_msg_recv(&f, sock, 0) < 0) {
                err = errno;
                zmq_msg_close(&f);
                if (err == EINTR) {
                    err = 0;
                    continue;
                }
                break;
            }
            more = zmq_msg_more(&f);
            if (n < KN_HB_PARTS) {
                zmq_msg_init(&parts[n]);
                zmq_msg_move(&parts[n++], &f);
            }
            zmq_msg_close(&f);
        }
        for (int i = 0; i < n; i++) {
            if (!err && zmq_msg_send(&parts[i], sock, i + 1 < n ? ZMQ_SNDMORE : 0) < 0) err = errno;
            zmq_msg_close(&parts[i]);  /* a no-op once sent */
        }
        if (err == ETERM) break;
        if (err == EFSM) zmq_send(sock, "", 0, 0);  /* a reply was due: give one, so REP reads again */
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
