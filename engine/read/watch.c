/* watch.c -- reading a mapped file that another process truncates, without a crash.
 *
 * A read-only mapping of a file raises SIGBUS when a page past the file's new end is touched
 * after someone truncated it (an editor saving over the file, a copy still being written, a
 * log rotated). Readers register their mappings here. The SIGBUS handler, on a fault inside a
 * watched mapping, maps anonymous zero pages over the rest of that mapping and marks it cut:
 * the instruction is retried, reads zeros, and the parse runs on to its end. The reader then
 * asks lp_map_watch_cut and turns the mark into an error, so nothing parsed from the zeros is
 * ever shown. A fault anywhere else is handed to the handler that was there before (the
 * default, which ends the process as before, or a sanitizer's).
 *
 * The slots are lock-free: registering claims a free slot with a compare-and-swap, and the
 * handler only reads atomics and calls mmap (a system call; not on POSIX's async-signal-safe
 * list, but safe for a synchronous fault on Linux, and the only way to give the page back).
 */
#include "read.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define WATCH_SLOTS 64

static struct {
    _Atomic uintptr_t base; /* 0 when the slot is free */
    _Atomic size_t len;
    atomic_bool cut;
} watched[WATCH_SLOTS];

static struct sigaction previous;
static uintptr_t page_size;
static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_sigbus(int sig, siginfo_t *si, void *uctx) {
    uintptr_t a = (uintptr_t)si->si_addr;
    for (int i = 0; i < WATCH_SLOTS; i++) {
        uintptr_t b = atomic_load(&watched[i].base);
        size_t n = atomic_load(&watched[i].len);
        if (!b || a < b || a >= b + n) continue;
        uintptr_t page = a & ~(page_size - 1);
        void *z = mmap((void *)page, b + n - page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (z == MAP_FAILED) break;
        atomic_store(&watched[i].cut, true);
        return;
    }
    if (previous.sa_flags & SA_SIGINFO) {
        previous.sa_sigaction(sig, si, uctx);
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(sig);
    } else {
        signal(SIGBUS, SIG_DFL); /* returning re-runs the access: the default action this time */
    }
}

/* Puts on_sigbus in place unless it is: a test harness or a library may have installed its own
 * SIGBUS handler since the last read, and that one then becomes the handler faults elsewhere go
 * to. Once per mapping, under a lock: not on any hot path. */
static bool install(void) {
    pthread_mutex_lock(&install_lock);
    if (!page_size) page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
    struct sigaction cur;
    bool ok = sigaction(SIGBUS, NULL, &cur) == 0;
    if (ok && !((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_sigbus)) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        previous = cur; /* set before the new handler can run */
        ok = sigaction(SIGBUS, &sa, NULL) == 0;
    }
    pthread_mutex_unlock(&install_lock);
    return ok;
}

int lp_map_watch(const void *base, size_t len) {
    if (!base || !len || !install()) return -1;
    for (int i = 0; i < WATCH_SLOTS; i++) {
        uintptr_t free_slot = 0;
        /* a free slot's len is 0, so the handler matches nothing in it until len is set */
        if (atomic_compare_exchange_strong(&watched[i].base, &free_slot, (uintptr_t)base)) {
            atomic_store(&watched[i].cut, false);
            atomic_store(&watched[i].len, len);
            return i;
        }
    }
    return -1;
}

bool lp_map_watch_cut(int slot) { return slot >= 0 && slot < WATCH_SLOTS && atomic_load(&watched[slot].cut); }

void lp_map_unwatch(int slot) {
    if (slot < 0 || slot >= WATCH_SLOTS) return;
    atomic_store(&watched[slot].len, 0);
    atomic_store(&watched[slot].base, 0);
}
