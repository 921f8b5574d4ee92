/* wire.c -- Jupyter messages on the wire: the multipart frames and their signature.
 *
 * A message is [identities...] "<IDS|MSG>" signature header parent_header metadata content
 * [buffers...]. The signature is the lowercase hex HMAC-SHA256, under the connection file's
 * key, of the four JSON frames in that order; with an empty key signing is off and the
 * signature frame is empty, as the spec says.
 *
 * DESIGN
 * Receiving always consumes the whole multipart message, so a rejected one never leaves frames
 * behind to be misread as the next. A message is rejected (logged, dropped, never answered)
 * when the delimiter is missing, the signature is missing or wrong (compared in constant time
 * with CRYPTO_memcmp), a JSON frame does not parse or is not an object, or the header has no
 * msg_type. Buffers after content are dropped: no request Loupe serves uses them. A correctly
 * signed message whose signature was seen among the last 4096-8192 is a replay and is dropped
 * too, as ipykernel does (every genuine message has a fresh msg_id, so a fresh signature).
 * kn_recv only gathers the frames; kn_decode makes every one of these checks on plain byte
 * ranges, without ZeroMQ, so tests/fuzz/fuzz_wire.c feeds it frames cut from its input.
 *
 * Receiving is the main thread's (shell, control, stdin; it keeps the replay record); sending
 * is any thread's, each on its own sockets. The key is read-only once the kernel runs.
 */
#include "kernel.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define DELIM "<IDS|MSG>"
#define DELIM_LEN 9
/* Frames larger than this are refused without parsing (a runaway or hostile client). */
#define MAX_FRAME ((size_t)256 << 20)

bool kn_sign(const kn_kernel *k, const char *const parts[4], const size_t lens[4], char hex[65]) {
    size_t klen = strlen(k->conf.key);
    if (klen == 0) return false;
    bool ok = false;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    if (ctx) {
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
        unsigned char md[EVP_MAX_MD_SIZE];
        size_t mdlen = 0;
        ok = EVP_MAC_init(ctx, (const unsigned char *)k->conf.key, klen, params) == 1;
        for (int i = 0; ok && i < 4; i++) ok = EVP_MAC_update(ctx, (const unsigned char *)parts[i], lens[i]) == 1;
        ok = ok && EVP_MAC_final(ctx, md, &mdlen, sizeof md) == 1 && mdlen == 32;
        if (ok) {
            static const char digits[] = "0123456789abcdef";
            for (size_t i = 0; i < 32; i++) {
                hex[2 * i] = digits[md[i] >> 4];
                hex[2 * i + 1] = digits[md[i] & 15];
            }
            hex[64] = 0;
        }
    }
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return ok;
}

bool kn_sign_frames(const kn_kernel *k, const kn_frame f[4], char hex[65]) {
    const char *parts[4];
    size_t lens[4];
    for (int i = 0; i < 4; i++) {
        parts[i] = f[i].p;
        lens[i] = f[i].n;
    }
    return kn_sign(k, parts, lens, hex);
}

void kn_msg_reset(kn_msg *m) {
    for (int i = 0; i < m->nids; i++) free(m->ids[i].p);
    free(m->ids);
    json_decref(m->header);
    json_decref(m->parent);
    json_decref(m->metadata);
    json_decref(m->content);
    memset(m, 0, sizeof *m);
}

/* All frames of one multipart message into a malloc'd array of zmq_msg_t (closed by the
 * caller). Returns the count, or -1 with errno when the first frame could not be received. */
static int recv_frames(void *sock, int flags, zmq_msg_t **out) {
    int n = 0, cap = 0;
    zmq_msg_t *f = NULL;
    for (;;) {
        if (n == cap) {
            int nc = cap ? cap * 2 : 8;
            zmq_msg_t *nf = realloc(f, sizeof *nf * (size_t)nc);
            if (!nf) break;  /* the rest is drained below */
            f = nf;
            cap = nc;
        }
        zmq_msg_init(&f[n]);
        if (zmq_msg_recv(&f[n], sock, n == 0 ? flags : 0) < 0) {
            int e = errno;
            zmq_msg_close(&f[n]);
            if (n == 0) {
                free(f);
                errno = e;
                return -1;
            }
            break;  /* a multipart message arrives whole; only ETERM ends it early */
        }
        n++;
        if (!zmq_msg_more(&f[n - 1])) break;
    }
    if (n > 0 && zmq_msg_more(&f[n - 1])) {  /* out of memory mid-message: drain the rest */
        zmq_msg_t t;
        zmq_msg_init(&t);
        while (zmq_msg_recv(&t, sock, 0) >= 0 && zmq_msg_more(&t)) {
        }
        zmq_msg_close(&t);
    }
    *out = f;
    return n;
}

/* Parses a frame as a JSON object; NULL when it is not one. */
static json_t *parse_object(const kn_frame *f) {
    json_error_t err;
    json_t *j = json_loadb(f->p, f->n, 0, &err);
    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

/* The 16-byte digest prefix of a 64-character hex signature (0 when it is not hex). */
static bool digest_of(const char *hex, unsigned char out[16]) {
    for (int i = 0; i < 16; i++) {
        int v = 0;
        for (int j = 0; j < 2; j++) {
            char c = hex[2 * i + j];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0) return false;
            v = v * 16 + d;
        }
        out[i] = (unsigned char)v;
    }
    return true;
}

/* The slot of digest d in table t: where it is, or the empty slot where it would go. The
 * digest is an HMAC output, so its first bytes are already a uniform hash. */
static size_t replay_slot(unsigned char (*t)[16], const unsigned char d[16]) {
    static const unsigned char zero[16];
    size_t mask = 2 * KN_REPLAY_GEN - 1, i;
    memcpy(&i, d, sizeof i);
    for (i &= mask;; i = (i + 1) & mask)
        if (memcmp(t[i], d, 16) == 0 || memcmp(t[i], zero, 16) == 0) return i;
}

/* Whether the signature was seen before; records it when not. Out of memory: no check. */
static bool replayed(kn_replay *r, const char *hex) {
    unsigned char d[16];
    static const unsigned char zero[16];
    if (!digest_of(hex, d) || memcmp(d, zero, 16) == 0) return false;
    for (int g = 0; g < 2; g++) {
        if (!r->gen[g] && !(r->gen[g] = calloc(2 * KN_REPLAY_GEN, 16))) return false;
        if (memcmp(r->gen[g][replay_slot(r->gen[g], d)], d, 16) == 0) return true;
    }
    if (r->count == KN_REPLAY_GEN) {  /* the older generation is forgotten */
        unsigned char (*t)[16] = r->gen[1];
        r->gen[1] = r->gen[0];
        r->gen[0] = t;
        memset(t, 0, 2 * KN_REPLAY_GEN * 16);
        r->count = 0;
    }
    memcpy(r->gen[0][replay_slot(r->gen[0], d)], d, 16);
    r->count++;
    return false;
}

void kn_replay_reset(kn_replay *r) {
    free(r->gen[0]);
    free(r->gen[1]);
    memset(r, 0, sizeof *r);
}

/* Logs a dropped message, at most DROP_LOGS a second: anyone who can reach a port can send
 * garbage, and must not be able to flood the notebook server's log with it. The lines held back
 * are counted and reported with the next line logged. Main thread only (receiving is). */
#define DROP_LOGS 10
static void log_dropped(const char *why) {
    static time_t second;
    static int logged;
    static long held;
    time_t now = time(NULL);
    if (now != second) {
        if (held) kn_log("(%ld more malformed messages dropped without a line each)", held);
        second = now;
        logged = 0;
        held = 0;
    }
    if (logged++ < DROP_LOGS) kn_log("dropped a message with %s", why);
    else held++;
}

int kn_decode(kn_kernel *k, const kn_frame *f, int n, kn_msg *m) {
    memset(m, 0, sizeof *m);
    const char *why = NULL;
    int d = 0;
    while (d < n && !(f[d].n == DELIM_LEN && memcmp(f[d].p, DELIM, DELIM_LEN) == 0)) d++;
    if (d == n) why = "no <IDS|MSG> delimiter";
    else if (n - d < 6) why = "fewer than the five frames after the delimiter";
    for (int i = d + 2; !why && i < d + 6; i++)
        if (f[i].n > MAX_FRAME) why = "a frame larger than 256 MiB";
    if (!why && strlen(k->conf.key) > 0) {
        char hex[65];
        if (!kn_sign_frames(k, f + d + 2, hex)) why = "the signature could not be computed";
        else if (f[d + 1].n == 0) why = "a missing signature";
        else if (f[d + 1].n != 64 || CRYPTO_memcmp(f[d + 1].p, hex, 64) != 0)
            why = "a wrong signature";
        else if (replayed(&k->replay, hex))
            why = "a signature seen before (a replayed message)";
    }
    if (!why) {
        m->header = parse_object(&f[d + 2]);
        m->parent = parse_object(&f[d + 3]);
        m->metadata = parse_object(&f[d + 4]);
        m->content = parse_object(&f[d + 5]);
        if (!m->header || !m->parent || !m->metadata || !m->content) why = "a frame that is not a JSON object";
        else if (!(m->type = json_string_value(json_object_get(m->header, "msg_type")))) why = "a header without msg_type";
    }
    if (!why && d > 0) {
        m->ids = calloc((size_t)d, sizeof *m->ids);
        if (!m->ids) why = "no memory for its identities";
        for (int i = 0; !why && i < d; i++) {
            size_t len = f[i].n;
            m->ids[i].p = malloc(len ? len : 1);
            if (!m->ids[i].p) {
                why = "no memory for its identities";
                break;
            }
            if (len) memcpy(m->ids[i].p, f[i].p, len);
            m->ids[i].n = len;
            m->nids = i + 1;
        }
    }
    if (why) {
        log_dropped(why);
        kn_msg_reset(m);
        return 1;
    }
    return 0;
}

int kn_recv(kn_kernel *k, void *sock, int flags, kn_msg *m) {
    memset(m, 0, sizeof *m);
    zmq_msg_t *f = NULL;
    int n = recv_frames(sock, flags, &f);
    if (n < 0) return -1;
    /* views of the frames' bytes, valid until the frames are closed */
    kn_frame *v = malloc(sizeof *v * (size_t)(n ? n : 1));
    int rc = 1;
    if (v) {
        for (int i = 0; i < n; i++) {
            v[i].p = zmq_msg_data(&f[i]);
            v[i].n = zmq_msg_size(&f[i]);
        }
        rc = kn_decode(k, v, n, m);
        free(v);
    } else {
        kn_log("dropped a message with no memory for its frames");
    }
    for (int i = 0; i < n; i++) zmq_msg_close(&f[i]);
    free(f);
    return rc;
}

static int send_part(void *sock, const void *p, size_t n, bool more) {
    return zmq_send(sock, p, n, more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
}

int kn_send(const kn_kernel *k, const kn_out *o, const kn_frame *ids, int nids, json_t *header,
            const json_t *parent, const json_t *metadata, json_t *content) {
    int rc = -1;
    char *parts[4] = {0};
    if (!header || !content) goto done;
    json_t *empty = json_object();
    parts[0] = json_dumps(header, JSON_COMPACT);
    parts[1] = json_dumps(parent ? parent : empty, JSON_COMPACT);
    parts[2] = json_dumps(metadata ? metadata : empty, JSON_COMPACT);
    parts[3] = json_dumps(content, JSON_COMPACT);
    json_decref(empty);
    if (!parts[0] || !parts[1] || !parts[2] || !parts[3]) goto done;
    size_t lens[4];
    for (int i = 0; i < 4; i++) lens[i] = strlen(parts[i]);
    char hex[65] = "";
    if (strlen(k->conf.key) > 0 && !kn_sign(k, (const char *const *)parts, lens, hex)) goto done;
    /* A multipart message is queued atomically: once the first frame is accepted the others are
     * too, so an error can only come before anything was sent. */
    if (o->route && send_part(o->sock, o->route, strlen(o->route), true) < 0) goto done;
    for (int i = 0; i < nids; i++)
        if (send_part(o->sock, ids[i].p, ids[i].n, true) < 0) goto done;
    if (send_part(o->sock, DELIM, DELIM_LEN, true) < 0 || send_part(o->sock, hex, strlen(hex), true) < 0) goto done;
    for (int i = 0; i < 4; i++)
        if (send_part(o->sock, parts[i], lens[i], i < 3) < 0) goto done;
    rc = 0;
done:
    if (rc < 0) kn_log("could not send a message: %s", errno ? zmq_strerror(errno) : "out of memory");
    for (int i = 0; i < 4; i++) free(parts[i]);
    json_decref(header);
    json_decref(content);
    return rc;
}
