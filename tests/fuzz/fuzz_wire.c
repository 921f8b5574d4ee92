/* fuzz_wire.c -- libFuzzer harness for the kernel's wire-message decoder (kernel/wire.c).
 *
 * Input: one flags byte, then the frames, separated by the line "\n--\n" (so seeds read as
 * text; the dictionary holds it). kn_decode gets the frames as kn_recv would hand them over.
 *   flags & 1: the kernel has a key ("fuzz-key"); else signing is off.
 *   flags & 2: with a key, the harness writes the right signature into the frame after the
 *              delimiter, so the JSON frames behind a valid signature get fuzzed too.
 *   flags & 4: the same frames are decoded a second time.
 * What must hold besides "no sanitizer report": an accepted message has all four objects, a
 * msg_type and the identities before the delimiter; a rejected one leaves *m empty; with a key,
 * an accepted message decoded again is refused as a replay.
 */
#include "kernel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_INPUT (64 * 1024)
#define MAX_FRAMES 64
#define SEP "\n--\n"
#define SEP_LEN 4

/* wire.c's log (msg.c's, which the harness does not link): quiet, as rejections are expected,
 * unless FUZZ_VERBOSE is set. */
void kn_log(const char *fmt, ...) {
    static int verbose = -1;
    if (verbose < 0) verbose = getenv("FUZZ_VERBOSE") != NULL;
    if (!verbose) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void check_empty(const kn_msg *m) {
    if (m->ids || m->nids || m->header || m->parent || m->metadata || m->content || m->type) {
        fprintf(stderr, "fuzz_wire: a rejected message left something in *m\n");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > FUZZ_MAX_INPUT) return -1;
    uint8_t flags = data[0];
    /* one copy of the frames: each frame its own exact-size heap block, so ASan sees overreads */
    kn_frame f[MAX_FRAMES];
    int n = 0;
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    while (n < MAX_FRAMES) {
        const char *e = memmem(p, (size_t)(end - p), SEP, SEP_LEN);
        size_t len = e ? (size_t)(e - p) : (size_t)(end - p);
        f[n].p = malloc(len ? len : 1);
        if (!f[n].p) abort();
        memcpy(f[n].p, p, len);
        f[n].n = len;
        n++;
        if (!e) break;
        p = e + SEP_LEN;
    }

    static kn_kernel k;
    memset(&k, 0, sizeof k);
    if (flags & 1) strcpy(k.conf.key, "fuzz-key");
    if ((flags & 3) == 3) {
        int d = 0;
        while (d < n && !(f[d].n == 9 && memcmp(f[d].p, "<IDS|MSG>", 9) == 0)) d++;
        if (n - d >= 6) {
            char hex[65];
            if (!kn_sign_frames(&k, f + d + 2, hex)) abort();
            free(f[d + 1].p);
            f[d + 1].p = malloc(64);
            if (!f[d + 1].p) abort();
            memcpy(f[d + 1].p, hex, 64);
            f[d + 1].n = 64;
        }
    }

    kn_msg m;
    int rc = kn_decode(&k, f, n, &m);
    if (rc == 0) {
        if (!m.header || !m.parent || !m.metadata || !m.content || !m.type ||
            !json_is_object(m.header) || !json_is_object(m.content)) {
            fprintf(stderr, "fuzz_wire: an accepted message without its four objects or msg_type\n");
            abort();
        }
        for (int i = 0; i < m.nids; i++)
            if (m.ids[i].n != f[i].n || (m.ids[i].n && memcmp(m.ids[i].p, f[i].p, m.ids[i].n) != 0)) {
                fprintf(stderr, "fuzz_wire: identity %d is not the frame it came from\n", i);
                abort();
            }
    } else if (rc == 1) {
        check_empty(&m);
    } else {
        fprintf(stderr, "fuzz_wire: kn_decode returned %d\n", rc);
        abort();
    }
    kn_msg_reset(&m);

    if (flags & 4) {
        int rc2 = kn_decode(&k, f, n, &m);
        if (rc == 0 && k.conf.key[0] && rc2 != 1) {
            fprintf(stderr, "fuzz_wire: a replayed signed message was accepted\n");
            abort();
        }
        if (rc2 == 1) check_empty(&m);
        kn_msg_reset(&m);
    }

    kn_replay_reset(&k.replay);
    for (int i = 0; i < n; i++) free(f[i].p);
    return 0;
}
