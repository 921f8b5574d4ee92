/* pool.c -- the process-wide thread pool and cancellation.
 *
 * DESIGN
 * The one parallel form in Loupe is fork-join over partitions: lp_pool_run(ntasks, fn, ctx)
 * hands out task indices from an atomic counter to the workers and to the calling thread, and
 * returns when every task has finished. Each task writes only its own output slot and the
 * caller merges, so results never depend on the number of threads or on scheduling.
 *
 * Threads: nthreads - 1 workers plus the caller. Workers sleep on `wake` between runs and are
 * started lazily on the first run, so a program that never runs a parallel operator never
 * starts a thread. Changing the thread count joins the workers; the next run starts new ones.
 *
 * Locks, in order: run_lock (serialises whole runs: one query at a time per process, and a
 * second caller waits rather than interleaving), then mu (guards gen, job, active, stop and
 * the worker array). Tasks never call lp_pool_run; if one does, it runs inline on its thread,
 * serially, rather than deadlocking.
 *
 * Cancellation is one atomic flag, set by loupe_cancel() from any thread or a signal handler.
 * The pool stops handing out tasks once it is set, and operators check it between partitions.
 */
#include "loupe_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

atomic_bool lp_cancel_flag;

typedef struct job {
    void (*fn)(void *, int);
    void *ctx;
    int ntasks;
    atomic_int next;
} job;

static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;   /* workers: a new run or stop */
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER;   /* caller: all workers left the run */
static pthread_t *workers;
static int nworkers;          /* started workers */
static int want_threads;      /* 0 = default */
static unsigned long gen;     /* run generation, so a worker joins each run once */
static job *cur;
static int active;            /* workers inside the current run */
static bool stop;
static _Thread_local int worker_index;
static _Thread_local bool in_task;

static int default_threads(void) {
    const char *env = getenv("LOUPE_THREADS");
    if (env) {
        int n = atoi(env);
        if (n > 0) return n > 256 ? 256 : n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)(n > 256 ? 256 : n) : 1;
}

int lp_pool_threads(void) { return want_threads > 0 ? want_threads : default_threads(); }
int lp_pool_worker_index(void) { return worker_index; }

/* Progress, for a display on another thread (loupe_progress): the current stage's name (a
 * static string) and the pool tasks it has run of those it started. Relaxed atomics: a reader
 * sees a recent value, never a torn one. */
static _Atomic(const char *) prog_stage;
static _Atomic int64_t prog_done, prog_total;

void lp_progress_stage(const char *name) {
    atomic_store_explicit(&prog_stage, name, memory_order_relaxed);
    atomic_store_explicit(&prog_done, 0, memory_order_relaxed);
    atomic_store_explicit(&prog_total, 0, memory_order_relaxed);
}

void loupe_progress(char *stage, size_t n, int64_t *done, int64_t *total) {
    const char *s = atomic_load_explicit(&prog_stage, memory_order_relaxed);
    if (n) snprintf(stage, n, "%s", s ? s : "");
    *done = atomic_load_explicit(&prog_done, memory_order_relaxed);
    *total = atomic_load_explicit(&prog_total, memory_order_relaxed);
}

static void drain(job *j) {
    in_task = true;
    for (;;) {
        if (lp_cancelled()) break;
        int t = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed);
        if (t >= j->ntasks) break;
        j->fn(j->ctx, t);
        atomic_fetch_add_explicit(&prog_done, 1, memory_order_relaxed);
    }
    in_task = false;
}

static void *worker_main(void *arg) {
    worker_index = (int)(intptr_t)arg;
    unsigned long seen = 0;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (!stop && (gen == seen || !cur)) pthread_cond_wait(&wake, &mu);
        if (stop) break;
        seen = gen;
        job *j = cur;
        active++;
        pthread_mutex_unlock(&mu);
        drain(j);
        pthread_mutex_lock(&mu);
        if (--active == 0) pthread_cond_signal(&idle);
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

/* Starts the workers if they are not running. Called with run_lock held. Returns false only
 * when no thread could be started, in which case the caller runs everything itself. */
static void ensure_workers(void) {
    int want = lp_pool_threads() - 1;
    if (nworkers == want) return;
    lp_pool_shutdown();
    if (want <= 0) return;
    workers = calloc((size_t)want, sizeof *workers); /* not counted: fixed, tiny, process-wide */
    if (!workers) return;
    pthread_mutex_lock(&mu);
    stop = false;
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < want; i++) {
        if (pthread_create(&workers[i], NULL, worker_main, (void *)(intptr_t)(i + 1)) != 0) break;
        nworkers++;
    }
}

lp_status lp_pool_run(int ntasks, void (*fn)(void *ctx, int task), void *ctx) {
    if (ntasks <= 0) return lp_cancelled() ? LP_ECANCELLED : LP_OK;
    if (in_task) { /* a task called back into the pool: run inline rather than deadlock */
        for (int t = 0; t < ntasks && !lp_cancelled(); t++) fn(ctx, t);
        return lp_cancelled() ? LP_ECANCELLED : LP_OK;
    }
    job j = {.fn = fn, .ctx = ctx, .ntasks = ntasks};
    atomic_init(&j.next, 0);
    atomic_fetch_add_explicit(&prog_total, ntasks, memory_order_relaxed);
    pthread_mutex_lock(&run_lock);
    if (ntasks > 1) ensure_workers();
    bool parallel = ntasks > 1 && nworkers > 0;
    if (parallel) {
        pthread_mutex_lock(&mu);
        cur = &j;
        gen++;
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&mu);
    }
    drain(&j);
    if (parallel) {
        pthread_mutex_lock(&mu);
        cur = NULL; /* late workers see no job and go back to sleep */
        while (active > 0) pthread_cond_wait(&idle, &mu);
        pthread_mutex_unlock(&mu);
    }
    pthread_mutex_unlock(&run_lock);
    return lp_cancelled() ? LP_ECANCELLED : LP_OK;
}

void lp_pool_shutdown(void) {
    if (!nworkers && !workers) return;
    pthread_mutex_lock(&mu);
    stop = true;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < nworkers; i++) pthread_join(workers[i], NULL);
    free(workers);
    workers = NULL;
    nworkers = 0;
    pthread_mutex_lock(&mu);
    stop = false;
    pthread_mutex_unlock(&mu);
}

void lp_pool_set_threads(int n) {
    pthread_mutex_lock(&run_lock);
    want_threads = n > 0 ? (n > 256 ? 256 : n) : 0;
    pthread_mutex_unlock(&run_lock);
}

void lp_cancel_request(void) { atomic_store(&lp_cancel_flag, true); }
void lp_cancel_clear(void) { atomic_store(&lp_cancel_flag, false); }

void loupe_set_threads(int n) { lp_pool_set_threads(n); }
int loupe_threads(void) { return lp_pool_threads(); }
void loupe_cancel(void) { lp_cancel_request(); }
void loupe_cancel_reset(void) { lp_cancel_clear(); }
