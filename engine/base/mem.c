/* mem.c -- the one allocator: every engine allocation counts against the session's memory cap.
 *
 * Each block carries a 16-byte header with its size, so lp_free() can return the bytes to the
 * count. The count is one process-wide atomic, updated with relaxed adds: exact enough for a
 * cap, and no lock on the hot path. A refused allocation returns NULL and records the size
 * asked for in a thread-local, so the operator's error can say how much it wanted.
 * Any thread may call these functions.
 */
#include "loupe_int.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define HDR 16

static atomic_llong mem_used;
static atomic_llong mem_peak;
static atomic_llong mem_cap;      /* 0 until first use, then the effective cap */
static atomic_llong fail_countdown;  /* fault injection: 0 = off */
static atomic_bool fail_sticky;
static atomic_llong fail_count;
/* The last refusal, process-wide (it may happen on a pool thread and be reported on another):
 * the size asked for and the bytes in use at that moment, for the operator's error message. */
static atomic_llong last_refused, last_refused_used;

static void refused(size_t n) {
    atomic_store_explicit(&last_refused, (long long)n, memory_order_relaxed);
    atomic_store_explicit(&last_refused_used, atomic_load_explicit(&mem_used, memory_order_relaxed),
                          memory_order_relaxed);
}

int64_t lp_mem_parse_size(const char *s) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || !(v > 0) || v > 1e18) return 0;
    double unit = 1;
    switch (*end) {
    case 'k': case 'K': unit = 1024.0; break;
    case 'm': case 'M': unit = 1024.0 * 1024.0; break;
    case 'g': case 'G': unit = 1024.0 * 1024.0 * 1024.0; break;
    case 't': case 'T': unit = 1024.0 * 1024.0 * 1024.0 * 1024.0; break;
    default: break;
    }
    if (unit > 1) end++;
    if (unit > 1 && (*end == 'b' || *end == 'B')) end++;
    if (*end) return 0;
    v *= unit;
    return v < 1 || v > 9e18 ? 0 : (int64_t)v;
}

static int64_t default_cap(void) {
    const char *env = getenv("LOUPE_MEMORY_LIMIT");
    if (env) {
        int64_t v = lp_mem_parse_size(env);
        if (v > 0) return v;
    }
    int64_t ram = lp_mem_physical();
    return ram ? (int64_t)((double)ram * 0.8) : INT64_C(4) << 30;
}

int64_t lp_mem_physical(void) {
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    return pages > 0 && psize > 0 ? (int64_t)pages * psize : 0;
}

/* glibc hands every block over 32 MB straight to mmap and back to the kernel on free, so each
 * column, hash table and scatter buffer of a large query is fresh memory, touched page by page:
 * on a virtual machine the page faults cost more than the work (a 10M-row top-2-per-group spent
 * 2.5 s of CPU in faults and 0.4 s computing). Blocks up to 1 GiB come from the heap instead and
 * freed memory stays there, up to 1 GiB, for the next operator or query to reuse;
 * loupe_release_memory() gives it back when a front end goes idle. Once per process. */
static void tune_malloc(void) {
    static atomic_bool done;
    if (atomic_exchange(&done, true)) return;
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

void loupe_release_memory(void) { malloc_trim(0); }

int64_t lp_mem_cap(void) {
    int64_t c = atomic_load_explicit(&mem_cap, memory_order_relaxed);
    if (c == 0) {
        tune_malloc();
        c = default_cap();
        atomic_store(&mem_cap, c);
    }
    return c;
}

void lp_mem_set_cap(int64_t bytes) {
    tune_malloc();
    atomic_store(&mem_cap, bytes > 0 ? bytes : default_cap());
}
int64_t lp_mem_used(void) { return atomic_load(&mem_used); }
int64_t lp_mem_peak(void) { return atomic_load(&mem_peak); }
void lp_mem_reset_peak(void) { atomic_store(&mem_peak, atomic_load(&mem_used)); }
size_t lp_mem_last_refused(void) { return (size_t)atomic_load(&last_refused); }
int64_t lp_mem_last_refused_used(void) { return atomic_load(&last_refused_used); }

int64_t lp_mem_fail_at(int64_t n, bool sticky) {
    int64_t failed = atomic_exchange(&fail_count, 0);
    atomic_store(&fail_sticky, sticky);
    atomic_store(&fail_countdown, n > 0 ? n : 0);
    return failed;
}

/* Whether fault injection refuses this allocation. */
static bool inject_failure(void) {
    int64_t c = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    if (LP_LIKELY(c == 0)) return false;
    if (c < 0) { /* past the failure point, sticky */
        atomic_fetch_add(&fail_count, 1);
        return true;
    }
    int64_t left = atomic_fetch_sub(&fail_countdown, 1) - 1;
    if (left == 0) {
        atomic_fetch_add(&fail_count, 1);
        atomic_store(&fail_countdown, atomic_load(&fail_sticky) ? -1 : 0);
        return true;
    }
    return false;
}

/* Reserves n bytes against the cap; false (and nothing reserved) when it would exceed it. */
static bool reserve(size_t n) {
    int64_t cap = lp_mem_cap();
    int64_t now = atomic_fetch_add_explicit(&mem_used, (long long)n, memory_order_relaxed) + (int64_t)n;
    if (now > cap || inject_failure()) {
        atomic_fetch_sub_explicit(&mem_used, (long long)n, memory_order_relaxed);
        refused(n);
        return false;
    }
    int64_t peak = atomic_load_explicit(&mem_peak, memory_order_relaxed);
    while (now > peak &&
           !atomic_compare_exchange_weak_explicit(&mem_peak, (long long *)&peak, now,
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
    return true;
}

static void release(size_t n) { atomic_fetch_sub_explicit(&mem_used, (long long)n, memory_order_relaxed); }

void *lp_malloc(size_t n) {
    if (n > SIZE_MAX - HDR || !reserve(n)) {
        refused(n);
        return NULL;
    }
    char *p = malloc(n + HDR);
    if (!p) {
        release(n);
        refused(n);
        return NULL;
    }
    memcpy(p, &n, sizeof n);
    return p + HDR;
}

void *lp_calloc(size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) return NULL;
    void *p = lp_malloc(count * size);
    if (p) memset(p, 0, count * size);
    return p;
}

void *lp_realloc(void *p, size_t n) {
    if (!p) return lp_malloc(n);
    char *h = (char *)p - HDR;
    size_t old;
    memcpy(&old, h, sizeof old);
    if (n > old) {
        if (n > SIZE_MAX - HDR || !reserve(n - old)) {
            refused(n);
            return NULL;
        }
    }
    char *q = realloc(h, n + HDR);
    if (!q) {
        if (n > old) release(n - old);
        refused(n);
        return NULL;
    }
    if (n < old) release(old - n);
    memcpy(q, &n, sizeof n);
    return q + HDR;
}

void lp_free(void *p) {
    if (!p) return;
    char *h = (char *)p - HDR;
    size_t n;
    memcpy(&n, h, sizeof n);
    release(n);
    free(h);
}

char *lp_strndup(const char *s, size_t n) {
    char *p = lp_malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *lp_strdup(const char *s) { return lp_strndup(s, strlen(s)); }

/* ---- public settings ---- */

void loupe_set_memory_limit(int64_t bytes) { lp_mem_set_cap(bytes); }
int64_t loupe_memory_limit(void) { return lp_mem_cap(); }
int64_t loupe_memory_used(void) { return lp_mem_used(); }
int64_t loupe_memory_peak(void) { return lp_mem_peak(); }
